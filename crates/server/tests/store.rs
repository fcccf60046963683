//! The store's contract, run on both backends: SQLite (in memory and on
//! file) and a real PostgreSQL — a throwaway cluster this test starts itself
//! (`initdb` + `pg_ctl` as the `postgres` user, on a free loopback port) and
//! stops at the end. PostgreSQL 15 server binaries must be installed
//! (`.ci/run` installs them on a fresh machine).

mod pg;

use pathtrace_server::store::{AnalysisFilter, NewAnalysis, Outcome, Store};
use pg::{Postgres, tempdir};
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

fn now() -> i64 {
    pathtrace_server::app::now_ms()
}

/// Job leases on a store shared by three processes `a`, `b`, `c` (three
/// pools with three owners): a live lease is not claimed, an expired one is
/// claimed once, with its attempt counted; the old owner can no longer renew
/// it; a released lease is claimed at once; finished jobs are never
/// claimed; replicas claiming at the same moment never claim the same job.
async fn leases(a: Store, b: Store, c: Store) {
    // Replicas starting together publish the same model at once: one
    // version, no error.
    let published = tokio::join!(
        a.publish_snapshot("dd", "name: x", 1),
        b.publish_snapshot("dd", "name: x", 1),
        c.publish_snapshot("dd", "name: x", 1)
    );
    let versions = [
        published.0.unwrap().0,
        published.1.unwrap().0,
        published.2.unwrap().0,
    ];
    assert!(versions.iter().all(|v| *v == versions[0]), "{versions:?}");
    assert_eq!(a.latest_version().await.unwrap(), versions[0]);
    let (id, _) = a
        .create_analysis(&request("10.1.15.117"), 1, now(), "/api/v1")
        .await
        .unwrap();
    let t = now();
    assert!(
        b.claim_jobs(t, t, 10).await.unwrap().is_empty(),
        "a's lease is live"
    );
    assert_eq!(
        a.renew_leases(std::slice::from_ref(&id), t).await.unwrap(),
        1
    );
    let claimed = b.claim_jobs(t + 60_000, t, 10).await.unwrap();
    assert_eq!(
        claimed
            .iter()
            .map(|(j, n)| (j.id.clone(), *n))
            .collect::<Vec<_>>(),
        [(id.clone(), 2)],
        "expired: claimed, second attempt"
    );
    assert_eq!(claimed[0].0.request, request("10.1.15.117"));
    assert_eq!(
        a.renew_leases(std::slice::from_ref(&id), t).await.unwrap(),
        0,
        "the old owner lost it"
    );
    assert!(
        c.claim_jobs(t, t, 10).await.unwrap().is_empty(),
        "b holds it"
    );
    assert_eq!(
        b.release_leases(Some(std::slice::from_ref(&id)))
            .await
            .unwrap(),
        1
    );
    let claimed = c.claim_jobs(t, t, 10).await.unwrap();
    assert_eq!(
        (claimed.len(), claimed[0].1),
        (1, 3),
        "released: claimed at once"
    );
    let done = Outcome {
        status: "COMPLETED",
        failure_reason: None,
        error_code: None,
        result: json!({"networkElementsInfo": []}).to_string(),
    };
    assert!(c.finish_analysis(&id, &done, t).await.unwrap());
    assert!(
        a.claim_jobs(i64::MAX, t, 10).await.unwrap().is_empty(),
        "finished: never claimed"
    );
    assert_eq!(c.release_leases(None).await.unwrap(), 0);

    // 200 jobs, two replicas claiming at once in rounds of 16: each job once.
    let group: Vec<_> = (0..200)
        .map(|i| {
            let (analysis, task) = pathtrace_server::store::new_analysis(
                request(&format!("10.1.{}.{}", i / 200, i % 200 + 1)),
                1,
                t,
                "/api/v1",
            );
            pathtrace_server::store::Change::Create { analysis, task }
        })
        .collect();
    a.apply(&group).await.unwrap();
    assert!(b.claim_jobs(now(), now(), 1000).await.unwrap().is_empty());
    // a "dies": its leases (1 s) run out.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let drain = |s: Store| async move {
        let mut mine = Vec::new();
        loop {
            let t = now();
            let got = s.claim_jobs(t, t, 16).await.unwrap();
            if got.is_empty() {
                return mine;
            }
            mine.extend(got.into_iter().map(|(j, n)| (j.id, n)));
            tokio::task::yield_now().await;
        }
    };
    let (from_b, from_c) = tokio::join!(drain(b.clone()), drain(c.clone()));
    let mut all: Vec<&String> = from_b.iter().chain(&from_c).map(|(id, _)| id).collect();
    all.sort();
    all.dedup();
    assert_eq!(
        all.len(),
        200,
        "every job claimed exactly once ({} + {})",
        from_b.len(),
        from_c.len()
    );
    assert_eq!(from_b.len() + from_c.len(), 200);
    assert!(from_b.iter().chain(&from_c).all(|(_, n)| *n == 2));
    let (total, running, _) = a.job_counts().await.unwrap();
    assert_eq!((total, running), (201, 200));
    // A periodic refresh due now is claimed by exactly one of three
    // replicas asking at the same moment.
    let (mut periodic, task) = pathtrace_server::store::new_analysis(
        NewAnalysis {
            periodic_refresh: true,
            ..request("10.1.15.117")
        },
        1,
        t,
        "/api/v1",
    );
    periodic.status = "COMPLETED".into();
    periodic.result = Some("{}".into());
    periodic.next_refresh_ms = Some(t);
    let pid = periodic.id.clone();
    a.apply(&[pathtrace_server::store::Change::Create {
        analysis: periodic,
        task,
    }])
    .await
    .unwrap();
    let due = a.due_refreshes(t + 1, 10).await.unwrap();
    assert_eq!(due, [(pid.clone(), t)]);
    let claims = tokio::join!(
        a.claim_refresh(&pid, t, t + 30_000),
        b.claim_refresh(&pid, t, t + 30_000),
        c.claim_refresh(&pid, t, t + 30_000)
    );
    let won = [claims.0.unwrap(), claims.1.unwrap(), claims.2.unwrap()];
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
    assert!(a.due_refreshes(t + 1, 10).await.unwrap().is_empty());

    // Retention never touches running or periodic analyses: of everything
    // here only the first (finished, one-shot) analysis and its task go.
    let (gone, gone_tasks) = a.expire(i64::MAX, 10_000).await.unwrap();
    assert_eq!(gone, std::slice::from_ref(&id));
    assert_eq!(gone_tasks.len(), 1);
    assert!(a.get_analysis(&pid).await.unwrap().is_some());
    assert_eq!(a.job_counts().await.unwrap().1, 200);

    // Graceful shutdown of b hands its jobs back.
    assert_eq!(b.release_leases(None).await.unwrap(), from_b.len() as u64);
    assert_eq!(
        a.claim_jobs(now(), now(), 1000).await.unwrap().len(),
        from_b.len()
    );
}

async fn three(url: &str) -> (Store, Store, Store) {
    let open = |owner: &'static str| async move {
        Store::open(url).await.unwrap().with_lease(owner, 1_000)
    };
    (open("a").await, open("b").await, open("c").await)
}

#[tokio::test]
async fn sqlite_leases() {
    let dir = tempdir("leases");
    let url = format!("sqlite://{}?mode=rwc", dir.join("t.db").display());
    let (a, b, c) = three(&url).await;
    leases(a, b, c).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn postgresql_leases() {
    let pg = Postgres::start();
    let (a, b, c) = three(&pg.url()).await;
    leases(a, b, c).await;
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
