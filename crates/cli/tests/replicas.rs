//! Scale-out under faults: three `pathtrace serve` processes on one real
//! PostgreSQL (a throwaway cluster the test starts), under load from client
//! threads that send every request to the next replica (no stickiness).
//!
//! - `a_replica_killed_mid_load_loses_nothing`: one replica is killed with
//!   SIGKILL while it holds jobs, another is stopped with SIGTERM (it
//!   drains); every accepted analysis still ends COMPLETED or FAILED, with the
//!   status its flow must have, exactly once in the database, none left
//!   INPROGRESS — the dead replica's jobs were run again by the survivor.
//! - `postgresql_restarted_mid_load`: the database is stopped for three
//!   seconds mid-load; clients see only JSON 503s, and only around the
//!   outage; the servers reconnect by themselves; nothing accepted is lost.
//!
//! Run alone: `cargo test -p pathtrace --test replicas` (PostgreSQL 15 server
//! binaries installed, run as root: `initdb`/`pg_ctl` run as `postgres`).

#[path = "../../server/tests/pg/mod.rs"]
mod pg;

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pg::Postgres;
use serde_json::Value;

/// A `pathtrace serve` process on the shared database.
struct Replica {
    child: Child,
    addr: SocketAddr,
    dir: PathBuf,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Replica {
    fn start(db: &str, config: &Path, job_delay_ms: u64) -> Replica {
        let dir = pg::tempdir("replica");
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, pg::free_port()));
        let log = std::fs::File::create(dir.join("log")).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_pathtrace"))
            .args(["serve", "--tls-listen", "off", "--listen"])
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(&dir)
            .arg("--database-url")
            .arg(db)
            .arg("--config")
            .arg(config)
            .env("PATHTRACE_LOG", "info")
            .env("PATHTRACE_FAULT_JOB_DELAY_MS", job_delay_ms.to_string())
            .env_remove("PATHTRACE_NETWORK")
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("the server starts");
        let mut r = Replica { child, addr, dir };
        let start = Instant::now();
        while health(r.addr).is_none_or(|h| h["status"] != "ok") {
            if let Ok(Some(status)) = r.child.try_wait() {
                panic!("replica exited before it was ready: {status}\n{}", r.log());
            }
            assert!(
                start.elapsed() < Duration::from_mins(1),
                "not ready: {}",
                r.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        r
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    fn signal(&self, sig: &str) {
        // The shell's builtin `kill` (no procps needed).
        let ok = Command::new("sh")
            .args(["-c", &format!("kill {sig} {}", self.child.id())])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill {sig}");
    }
}

/// One HTTP/1.1 exchange with a JSON body; `Err` on any transport failure
/// (a dead replica refuses connections).
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<(u16, String), String> {
    let mut s =
        TcpStream::connect_timeout(&addr, Duration::from_secs(2)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        let _ = write!(req, "{k}: {v}\r\n");
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no response")?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or("no status")?;
    Ok((status, body.to_string()))
}

/// `GET path` with a token, expecting 200: the JSON body.
fn get_json(addr: SocketAddr, path: &str, token: &str) -> Value {
    let (status, body) = request(addr, "GET", path, &[("X-Auth-Token", token)], "")
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
}

fn health(addr: SocketAddr) -> Option<Value> {
    let (_, body) = request(addr, "GET", "/health", &[], "").ok()?;
    serde_json::from_str(&body).ok()
}

fn login(addr: SocketAddr) -> Result<String, String> {
    // devnetuser:Cisco123!
    let (status, body) = request(
        addr,
        "POST",
        "/dna/system/api/v1/auth/token",
        &[("Authorization", "Basic ZGV2bmV0dXNlcjpDaXNjbzEyMyE=")],
        "",
    )?;
    if status != 200 {
        return Err(format!("login {status}: {body}"));
    }
    let v: Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
    v["Token"].as_str().map(str::to_string).ok_or(body)
}

/// The flows clients send, and the status each must end with.
const FLOWS: [(&str, &str); 2] = [
    (
        r#"{"sourceIP": "10.1.15.117", "destIP": "10.2.1.22"}"#,
        "COMPLETED",
    ),
    (
        r#"{"sourceIP": "10.1.13.25", "destIP": "10.2.1.22", "protocol": "TCP", "destPort": "23"}"#,
        "FAILED",
    ),
];

/// What the clients saw.
#[derive(Default)]
struct Seen {
    /// Accepted analyses: task id, the flow's expected status.
    accepted: Vec<(String, &'static str)>,
    /// Failed requests: when (since the load started), what.
    errors: Vec<(Duration, String)>,
}

/// Client threads sending POST flow-analysis round robin over `targets`
/// (a pause of `pause` between two) until `stop` is set.
struct Load {
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Seen>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    start: Instant,
}

impl Load {
    fn start(targets: &[SocketAddr], clients: usize, pause: Duration) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Seen::default()));
        let next = Arc::new(AtomicUsize::new(0));
        let start = Instant::now();
        let threads = (0..clients)
            .map(|c| {
                let (stop, seen, next, targets) =
                    (stop.clone(), seen.clone(), next.clone(), targets.to_vec());
                std::thread::spawn(move || {
                    let pick = || targets[next.fetch_add(1, Ordering::Relaxed) % targets.len()];
                    let error = |what: String| {
                        seen.lock().unwrap().errors.push((start.elapsed(), what));
                        std::thread::sleep(Duration::from_millis(20));
                    };
                    let mut token = None;
                    let mut i = c;
                    while !stop.load(Ordering::Relaxed) {
                        let Some(t) = token.clone() else {
                            match login(pick()) {
                                Ok(t) => token = Some(t),
                                Err(e) => error(format!("login: {e}")),
                            }
                            continue;
                        };
                        let (body, expect) = FLOWS[i % FLOWS.len()];
                        i += 1;
                        match request(
                            pick(),
                            "POST",
                            "/api/v1/flow-analysis",
                            &[("X-Auth-Token", &t)],
                            body,
                        ) {
                            Ok((202, reply)) => {
                                let v: Value = serde_json::from_str(&reply).unwrap();
                                let task = v["response"]["taskId"].as_str().unwrap().to_string();
                                seen.lock().unwrap().accepted.push((task, expect));
                            }
                            Ok((status, reply)) => error(format!("POST {status} {reply}")),
                            Err(e) => error(format!("POST transport: {e}")),
                        }
                        std::thread::sleep(pause);
                    }
                })
            })
            .collect();
        Load {
            stop,
            seen,
            threads,
            start,
        }
    }

    fn finish(self) -> Seen {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            t.join().expect("a client thread panicked");
        }
        Arc::try_unwrap(self.seen)
            .ok()
            .expect("threads joined")
            .into_inner()
            .unwrap()
    }
}

/// Wait for every accepted analysis to end (asking `addr`), and check each
/// ended with its flow's status: the analysis ids.
fn all_finish(
    addr: SocketAddr,
    accepted: &[(String, &'static str)],
    within: Duration,
) -> Vec<String> {
    let token = login(addr).expect("login");
    let deadline = Instant::now() + within;
    let mut ids = Vec::new();
    for (task, expect) in accepted {
        let task_doc = loop {
            let v = get_json(addr, &format!("/api/v1/task/{task}"), &token);
            if v["response"]["endTime"].is_number() {
                break v["response"].clone();
            }
            assert!(Instant::now() < deadline, "task {task} still running: {v}");
            std::thread::sleep(Duration::from_millis(100));
        };
        let id = task_doc["progress"].as_str().unwrap().to_string();
        let v = get_json(addr, &format!("/api/v1/flow-analysis/{id}"), &token);
        assert_eq!(
            v["response"]["request"]["status"], *expect,
            "analysis {id}: {}",
            v["response"]["request"]
        );
        ids.push(id);
    }
    ids
}

fn config(dir: &Path) -> PathBuf {
    let p = dir.join("pathtrace.toml");
    std::fs::write(
        &p,
        "job_lease = 2\nsnapshot_check_interval = 0.2\nshutdown_grace = 5\nrefresh_interval = 1\n",
    )
    .unwrap();
    p
}

fn count(pg: &Postgres, sql: &str) -> usize {
    pg.query(sql)
        .parse()
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn no_panics(r: &Replica) {
    let log = r.log();
    assert!(!log.contains("panicked"), "a replica panicked:\n{log}");
}

#[test]
fn a_replica_killed_mid_load_loses_nothing() {
    let pg = Postgres::start();
    let conf_dir = pg::tempdir("conf");
    let conf = config(&conf_dir);
    // Each job waits 20 ms holding its worker: replicas hold queued jobs
    // when they are stopped.
    let mut r1 = Replica::start(&pg.url(), &conf, 20);
    let mut r2 = Replica::start(&pg.url(), &conf, 20);
    let mut r3 = Replica::start(&pg.url(), &conf, 20);
    // A periodic analysis (refreshed every second) while replicas come and go.
    let token = login(r1.addr).unwrap();
    let (status, body) = request(
        r1.addr,
        "POST",
        "/api/v1/flow-analysis",
        &[("X-Auth-Token", &token)],
        r#"{"sourceIP": "10.1.15.117", "destIP": "10.2.1.22", "periodicRefresh": true}"#,
    )
    .unwrap();
    assert_eq!(status, 202, "{body}");
    let periodic_task = serde_json::from_str::<Value>(&body).unwrap()["response"]["taskId"]
        .as_str()
        .unwrap()
        .to_string();
    let periodic_since = Instant::now();
    let load = Load::start(&[r1.addr, r2.addr, r3.addr], 6, Duration::from_millis(5));

    // SIGKILL r2 while it holds jobs.
    std::thread::sleep(Duration::from_millis(1500));
    let deadline = Instant::now() + Duration::from_secs(10);
    let held = loop {
        let held = health(r2.addr).map_or(0, |h| h["jobsHeld"].as_u64().unwrap_or(0));
        if held >= 2 || Instant::now() > deadline {
            break held;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    r2.child.kill().unwrap();
    r2.child.wait().unwrap();
    assert!(
        held >= 2,
        "r2 held {held} jobs when killed: the load is too light"
    );

    // SIGTERM r3: it stops accepting, drains, hands back what is left.
    std::thread::sleep(Duration::from_millis(1500));
    r3.signal("-TERM");
    let stopped = Instant::now();
    let status = loop {
        if let Some(s) = r3.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(20),
            "r3 did not stop: {}",
            r3.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        status.success(),
        "graceful stop exits 0: {status}\n{}",
        r3.log()
    );

    std::thread::sleep(Duration::from_secs(1));
    let seen = load.finish();
    assert!(
        seen.accepted.len() > 100,
        "only {} accepted",
        seen.accepted.len()
    );
    // Errors only from the stopped replicas (connection refused), never a
    // wrong answer from a live one.
    for (_, e) in &seen.errors {
        assert!(e.contains("transport"), "unexpected error: {e}");
    }

    // Every accepted analysis ends, with its flow's status (r2's were run
    // again by r1 once their 2 s leases ran out).
    let ids = all_finish(r1.addr, &seen.accepted, Duration::from_mins(1));
    let n = ids.len();
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), n, "one analysis per accepted request");
    // The load's analyses and the periodic one.
    assert_eq!(
        count(&pg, "SELECT count(*) FROM analyses"),
        n + 1,
        "no analysis without a request"
    );
    assert_eq!(count(&pg, "SELECT count(*) FROM tasks"), n + 1);
    assert_eq!(
        count(
            &pg,
            "SELECT count(*) FROM analyses WHERE status = 'INPROGRESS'"
        ),
        0
    );
    assert_eq!(
        count(&pg, "SELECT count(*) FROM tasks WHERE end_ms IS NULL"),
        0
    );
    let rerun = count(&pg, "SELECT count(*) FROM analyses WHERE attempts > 1");
    assert!(
        rerun >= 1,
        "the killed replica's jobs were run again (attempts > 1): {rerun}"
    );
    assert_eq!(
        count(&pg, "SELECT count(*) FROM analyses WHERE attempts > 3"),
        0
    );
    assert!(r3.log().contains("stopped:"), "r3 drained: {}", r3.log());
    // Each period refreshed at most once across the three replicas.
    let periodic = all_finish(
        r1.addr,
        &[(periodic_task, "COMPLETED")],
        Duration::from_secs(10),
    );
    let elapsed = periodic_since.elapsed().as_secs_f64();
    let runs = get_json(
        r1.addr,
        &format!("/api/v1/flow-analysis/{}/runs", periodic[0]),
        &token,
    )["response"]
        .as_array()
        .unwrap()
        .len();
    #[allow(clippy::cast_precision_loss)]
    let most = elapsed + 2.0;
    #[allow(clippy::cast_precision_loss)]
    let counted = runs as f64;
    assert!(
        runs >= 3 && counted <= most,
        "{runs} runs in {elapsed:.1} s of 1 s periods"
    );
    assert!(r1.child.try_wait().unwrap().is_none(), "r1 still serves");
    for r in [&r1, &r2, &r3] {
        no_panics(r);
    }
    eprintln!(
        "accepted {n}, re-run {rerun}, r2 held {held} when killed, {} connection errors, \
         {runs} periodic runs in {elapsed:.1} s",
        seen.errors.len()
    );
    let _ = std::fs::remove_dir_all(conf_dir);
}

#[test]
fn postgresql_restarted_mid_load() {
    let pg = Postgres::start();
    let conf_dir = pg::tempdir("conf");
    let conf = config(&conf_dir);
    let mut replicas: Vec<Replica> = (0..3)
        .map(|_| Replica::start(&pg.url(), &conf, 0))
        .collect();
    let load = Load::start(
        &replicas.iter().map(|r| r.addr).collect::<Vec<_>>(),
        3,
        Duration::from_millis(10),
    );
    std::thread::sleep(Duration::from_secs(2));
    let down = load.start.elapsed();
    pg.stop();
    std::thread::sleep(Duration::from_secs(3));
    pg.start_again();
    let up = load.start.elapsed();
    std::thread::sleep(Duration::from_secs(6));
    let end = load.start.elapsed();
    let seen = load.finish();

    // Errors: JSON 503s only, only around the outage (the servers notice
    // within moments and reconnect by themselves).
    assert!(!seen.errors.is_empty(), "the outage was seen");
    for (at, e) in &seen.errors {
        assert!(
            e.contains(" 503 ") && e.contains("STORE_UNAVAILABLE"),
            "only JSON 503s: {e}"
        );
        assert!(
            *at + Duration::from_millis(500) >= down && *at <= up + Duration::from_secs(3),
            "error at {at:?}, outage {down:?}..{up:?}: {e}"
        );
    }
    let accepted_after = seen.accepted.len();
    assert!(accepted_after > 50, "{accepted_after} accepted");
    eprintln!(
        "outage {down:?}..{up:?} of {end:?}: {} errors, first {:?}, last {:?}; {accepted_after} accepted",
        seen.errors.len(),
        seen.errors.first().map(|e| e.0),
        seen.errors.last().map(|e| e.0)
    );

    // Nothing accepted is lost; nothing is left running.
    let ids = all_finish(replicas[0].addr, &seen.accepted, Duration::from_mins(1));
    let stored = count(&pg, "SELECT count(*) FROM analyses");
    // A creation that committed as the database went down may have been
    // answered with a 503: stored ≥ accepted, and it finished too.
    assert!(
        stored >= ids.len(),
        "{stored} stored < {} accepted",
        ids.len()
    );
    let deadline = Instant::now() + Duration::from_mins(1);
    while count(
        &pg,
        "SELECT count(*) FROM analyses WHERE status = 'INPROGRESS'",
    ) > 0
    {
        assert!(Instant::now() < deadline, "analyses left INPROGRESS");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        count(&pg, "SELECT count(*) FROM tasks WHERE end_ms IS NULL"),
        0
    );
    for r in &mut replicas {
        assert!(r.child.try_wait().unwrap().is_none(), "{}", r.log());
        no_panics(r);
    }
    for r in &replicas {
        let h = health(r.addr).expect("the replica answers");
        assert_eq!(h["status"], "ok", "{h}");
    }

    // A network replaced on one replica is served by all of them.
    let model = conf_dir.join("campus.yaml");
    let ok = Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args(["generate", "-d", "30", "-o"])
        .arg(&model)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "generate");
    let text = std::fs::read_to_string(&model).unwrap();
    let token = login(replicas[0].addr).unwrap();
    let (status, body) = request(
        replicas[0].addr,
        "PUT",
        "/api/v1/pathtrace/network",
        &[("X-Auth-Token", &token)],
        &text,
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let now_served: Value = serde_json::from_str(&body).unwrap();
    let version = now_served["response"]["snapshotVersion"].clone();
    for r in &replicas[1..] {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let h = health(r.addr).expect("health");
            if h["snapshotVersion"] == version {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{h} never reached version {version}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let v = get_json(r.addr, "/api/v1/pathtrace/network", &token);
        assert_eq!(v["response"]["devices"], 30, "{v}");
    }
    let _ = std::fs::remove_dir_all(conf_dir);
}
