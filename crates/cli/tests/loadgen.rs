//! `pathtrace loadgen` against a real `pathtrace serve` on loopback, and its
//! refusal of any other target.

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Server, free_port, ready, start_server};

#[test]
fn loadgen_runs_fifty_analyses_without_error() {
    let server = start_server();
    let out = Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args([
            "loadgen",
            "--count",
            "50",
            "--clients",
            "4",
            "--duration",
            "120",
        ])
        .args(["--format", "json", "--url"])
        .arg(format!("http://{}", server.addr))
        .env_remove("PATHTRACE_PASSWORD")
        .output()
        .expect("loadgen runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{:?}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
    assert_eq!(report["completed"], 50, "{report:#}");
    assert_eq!(report["errors"]["total"], 0, "{report:#}");
    assert_eq!(report["stopped_by"], "count");
    assert_eq!(
        report["outcomes"]["FAILED"], 10,
        "the denied flow is 1 in 5"
    );
    assert_eq!(report["round_trip_ms"]["n"], 50);
    assert!(
        report["round_trip_ms"]["p50"]
            .as_f64()
            .is_some_and(|v| v > 0.0)
    );
    assert!(
        report["polls_per_analysis"]
            .as_f64()
            .is_some_and(|v| v >= 1.0)
    );

    // A wrong password: every login fails, no analysis is started, exit 1.
    let out = Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args([
            "loadgen",
            "--count",
            "5",
            "--clients",
            "2",
            "--format",
            "json",
        ])
        .args(["--password-env", "PATHTRACE_LOADGEN_TEST_PASSWORD", "--url"])
        .arg(format!("http://localhost:{}", server.addr.port()))
        .env("PATHTRACE_LOADGEN_TEST_PASSWORD", "not the password")
        .output()
        .expect("loadgen runs");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(report["errors"]["by_kind"]["login"], 2, "{report:#}");
    assert_eq!(report["stopped_by"], "login");
    assert_eq!(report["completed"], 0);
    drop(server);
}

#[test]
fn loadgen_refuses_targets_that_are_not_loopback() {
    // 192.0.2.0/24 is TEST-NET-1: never reachable, and never tried: the
    // refusal comes before any connection (a connection attempt would take
    // the 5 s connect timeout, not milliseconds).
    for url in [
        "http://192.0.2.1:8080",
        "http://10.0.0.1:8080",
        "https://example.com",
        "http://0.0.0.0:8080",
    ] {
        let start = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_pathtrace"))
            .args(["loadgen", "--count", "1", "--duration", "1", "--url", url])
            .output()
            .expect("loadgen runs");
        assert_eq!(out.status.code(), Some(2), "{url}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("not loopback"), "{url}: {stderr}");
        assert!(out.stdout.is_empty(), "{url}: no report");
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{url}: refused at once"
        );
    }
}

/// One server per SQLite store: a second `serve` on the same data directory
/// exits at once with one clear line (it would otherwise answer from a
/// memory of results the first one may change), and the first keeps serving.
#[test]
fn a_second_server_on_the_same_sqlite_store_refuses_to_start() {
    let server = start_server();
    let out = Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args(["serve", "--tls-listen", "off", "--listen"])
        .arg(SocketAddr::from((Ipv4Addr::LOCALHOST, free_port())).to_string())
        .arg("--data-dir")
        .arg(&server.data_dir)
        .env("PATHTRACE_LOG", "warn")
        .env_remove("PATHTRACE_CONFIG")
        .env_remove("PATHTRACE_DATABASE_URL")
        .env_remove("PATHTRACE_NETWORK")
        .output()
        .expect("the second server runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("another pathtrace server is using the SQLite store"),
        "{err}"
    );
    assert!(ready(server.addr), "the first server still answers");
}

/// SIGHUP makes `serve` read its `--network` file again: an edited model is
/// served as a new snapshot version; a broken one is refused with its
/// file:line message and the served network stays.
#[cfg(unix)]
#[test]
fn sighup_reloads_the_network_file() {
    use std::io::BufRead as _;
    let dir = tempfile_dir("sighup");
    let model = dir.join("net.yaml");
    let demo = pathtrace_model::demo::DEMO_YAML;
    std::fs::write(&model, demo).unwrap();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()));
    let child = Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args(["serve", "--tls-listen", "off", "--listen"])
        .arg(addr.to_string())
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--network")
        .arg(&model)
        .env("PATHTRACE_LOG", "warn")
        .env_remove("PATHTRACE_CONFIG")
        .env_remove("PATHTRACE_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    // Killed, and its directory removed, however the test ends.
    let mut server = Server {
        child,
        data_dir: dir.clone(),
        addr,
    };
    let start = Instant::now();
    while !ready(addr) {
        assert!(start.elapsed() < Duration::from_mins(1), "not ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = server.child.id();
    // A watchdog: should a line never come, the server is killed, its output
    // ends, and the test fails instead of hanging.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watched = std::sync::Arc::clone(&done);
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_mins(1));
        if !watched.load(std::sync::atomic::Ordering::SeqCst) {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
    });
    let mut out = std::io::BufReader::new(server.child.stdout.take().unwrap()).lines();
    let mut err = std::io::BufReader::new(server.child.stderr.take().unwrap()).lines();
    let hup = |pid: u32| {
        let ok = Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill -HUP");
    };
    // An edited model: a new version.
    std::fs::write(&model, demo.replacen("name: ", "name: edited-", 1)).unwrap();
    hup(pid);
    let line = out
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.starts_with("reloaded:"))
        .expect("a reloaded line");
    assert!(line.contains("snapshot 2"), "{line}");
    // A broken model: refused, with the file and line.
    std::fs::write(
        &model,
        demo.replacen("ip: 10.1.10.2/32", "ip: 10.1.10.999/32", 1),
    )
    .unwrap();
    hup(pid);
    let refused = err
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("net.yaml:"))
        .expect("the model's error");
    assert!(refused.contains("devices[0].interfaces[0].ip"), "{refused}");
    assert!(ready(addr), "still serving");
    // Drop kills the server now; the watchdog must not kill a later process
    // that got its pid.
    done.store(true, std::sync::atomic::Ordering::SeqCst);
}

fn tempfile_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let d = std::env::temp_dir().join(format!("pathtrace-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
