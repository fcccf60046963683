//! The store's contract, run on both backends: SQLite (in memory and on
//! file) and a real PostgreSQL — a throwaway cluster this test starts itself
//! (`initdb` + `pg_ctl` as the `postgres` user, on a free loopback port) and
//! stops at the end. PostgreSQL 15 server binaries must be installed
//! (`.ci/run` installs them on a fresh machine).

use std::path::PathBuf;
use std::process::Command;

use pathtrace_server::store::{AnalysisFilter, NewAnalysis, Outcome, Store};
use serde_json::json;

fn request(src: &str) -> NewAnalysis {
    NewAnalysis {
        source_ip: src.into(),
        dest_ip: "10.2.1.22".into(),
        source_port: None,
        dest_port: Some("443".into()),
        protocol: Some("TCP".into()),
        periodic_refresh: false,
        control_path: None,
        inclusions: vec!["DEVICE-STATS".into()],
    }
}

async fn contract(store: &Store) {
    // Snapshots: publishing the same model twice keeps one version.
    let (v1, _) = store.publish_snapshot("d1", "name: a", 1).await.unwrap();
    assert_eq!(
        store.publish_snapshot("d1", "name: a", 2).await.unwrap(),
        (v1, 1),
        "same digest: same version, first publication time"
    );
    let (v2, _) = store.publish_snapshot("d2", "name: b", 3).await.unwrap();
    assert_eq!(v2, v1 + 1);
    assert_eq!(store.latest_snapshot().await.unwrap().unwrap().2, "name: b");

    // Tokens: idle and session timeouts.
    store.insert_token("t1", "alice", 1_000).await.unwrap();
    assert_eq!(
        store
            .check_token("t1", 2_000, 10_000, 100_000)
            .await
            .unwrap()
            .as_deref(),
        Some("alice")
    );
    assert_eq!(
        store
            .check_token("t1", 50_000, 10_000, 100_000)
            .await
            .unwrap(),
        None,
        "idle expired"
    );
    assert_eq!(store.check_token("nope", 1, 10, 10).await.unwrap(), None);

    // An analysis and its task are created together, INPROGRESS, task without endTime.
    let (a1, t1) = store
        .create_analysis(&request("10.1.15.117"), v2, 100, "/api/v1")
        .await
        .unwrap();
    let (a2, _t2) = store
        .create_analysis(&request("10.10.22.114"), v2, 100, "/api/v1")
        .await
        .unwrap();
    let a = store.get_analysis(&a1).await.unwrap().unwrap();
    assert_eq!(
        (a.status.as_str(), a.request.inclusions.as_slice()),
        ("INPROGRESS", &["DEVICE-STATS".to_string()][..])
    );
    let t = store.get_task(&t1).await.unwrap().unwrap();
    assert_eq!(
        (t.progress.as_str(), t.end_ms, t.is_error),
        (a1.as_str(), None, false)
    );
    assert_eq!(store.in_progress().await.unwrap(), [a1.clone(), a2.clone()]);

    // Finishing is idempotent.
    let failed = Outcome {
        status: "FAILED",
        failure_reason: Some("DENIED_IN: denied".into()),
        error_code: Some("DENIED_IN".into()),
        result: json!({"networkElementsInfo": []}).to_string(),
    };
    assert!(store.finish_analysis(&a1, &failed, 200).await.unwrap());
    assert!(
        !store.finish_analysis(&a1, &failed, 300).await.unwrap(),
        "a second run cannot finish it again"
    );
    let t = store.get_task(&t1).await.unwrap().unwrap();
    assert_eq!(
        (t.end_ms, t.is_error, t.error_code.as_deref()),
        (Some(200), true, Some("DENIED_IN"))
    );
    let a = store.get_analysis(&a1).await.unwrap().unwrap();
    assert_eq!((a.status.as_str(), a.last_update_ms), ("FAILED", 200));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&a.result.unwrap()).unwrap()["networkElementsInfo"],
        json!([])
    );

    // Lists: stable creation order, filters.
    let all = store
        .list_analyses(&AnalysisFilter::default())
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|a| a.id.clone()).collect::<Vec<_>>(),
        [a1.clone(), a2.clone()]
    );
    let f = AnalysisFilter {
        status: Some("failed".into()),
        ..Default::default()
    };
    assert_eq!(store.list_analyses(&f).await.unwrap().len(), 1);
    let f = AnalysisFilter {
        source_ip: Some("10.10.22.114".into()),
        ..Default::default()
    };
    assert_eq!(store.list_analyses(&f).await.unwrap()[0].id, a2);

    // Delete: gone at once, with an already-completed task.
    let dt = store.delete_analysis(&a2, 400).await.unwrap().unwrap();
    assert!(store.get_analysis(&a2).await.unwrap().is_none());
    let t = store.get_task(&dt).await.unwrap().unwrap();
    assert_eq!(
        (t.end_ms, t.progress.as_str()),
        (Some(400), "Flow analysis deleted")
    );
    assert!(store.delete_analysis(&a2, 500).await.unwrap().is_none());
    assert!(store.list_tasks().await.unwrap().len() >= 3);
}

#[tokio::test]
async fn sqlite_in_memory() {
    contract(&Store::open("sqlite::memory:").await.unwrap()).await;
}

#[tokio::test]
async fn sqlite_file_survives_reopen() {
    let dir = tempdir("sqlite");
    let url = format!("sqlite://{}?mode=rwc", dir.join("t.db").display());
    {
        let store = Store::open(&url).await.unwrap();
        contract(&store).await;
    }
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.latest_snapshot().await.unwrap().unwrap().1, "d2");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn postgresql() {
    let pg = Postgres::start();
    let store = Store::open(&pg.url())
        .await
        .unwrap_or_else(|e| panic!("connect to {}: {e}", pg.url()));
    contract(&store).await;
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "pathtrace-{tag}-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// A throwaway PostgreSQL cluster, stopped and removed on drop.
struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
}

impl Postgres {
    fn start() -> Postgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|rd| rd.filter_map(Result::ok).map(|e| e.path().join("bin")).find(|b| b.join("initdb").is_file()))
            .expect("PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb): install the postgresql package");
        let dir = tempdir("pg");
        run(Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir));
        let data = dir.join("data");
        run(Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(bin.join("initdb"))
            .args(["-A", "trust", "-U", "postgres", "-D"])
            .arg(&data));
        let port = free_port();
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            dir.display()
        );
        run(Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(bin.join("pg_ctl"))
            .args(["-w", "-t", "60", "-D"])
            .arg(&data)
            .args(["-l"])
            .arg(dir.join("log"))
            .args(["-o", &opts, "start"]));
        Postgres { dir, bin, port }
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-w", "-m", "immediate", "-D"])
            .arg(self.dir.join("data"))
            .arg("stop")
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A busy writer must not grow SQLite's write-ahead log without bound: 2,000
/// analyses of 20 KB results, committed in groups, leave a WAL of a few MB
/// (it is checkpointed and restarted as it passes 1,000 pages). A
/// checkpoint run beside the writer instead never caught up (the WAL reached
/// 1.8 GB in a 15 s load test and filled the disk).
#[tokio::test]
async fn the_sqlite_wal_stays_bounded_under_group_commits() {
    use pathtrace_server::store::{Change, new_analysis};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let store = Store::open(&format!("sqlite://{}?mode=rwc", db.display()))
        .await
        .unwrap();
    let result = json!({"networkElementsInfo": [], "padding": "x".repeat(20_000)}).to_string();
    for _ in 0..200 {
        let group: Vec<Change> = (0..10)
            .map(|_| {
                let (mut analysis, task) = new_analysis(request("10.1.15.117"), 1, 100, "/api/v1");
                analysis.status = "COMPLETED".into();
                analysis.result = Some(result.clone());
                Change::Create { analysis, task }
            })
            .collect();
        store.apply(&group).await.unwrap();
    }
    let wal = std::fs::metadata(dir.path().join("p.db-wal")).map_or(0, |m| m.len());
    assert!(
        wal < 16 << 20,
        "WAL of {} MB after 40 MB written",
        wal >> 20
    );
}
