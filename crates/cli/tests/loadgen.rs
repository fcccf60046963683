//! `pathtrace loadgen` against a real `pathtrace serve` on loopback, and its
//! refusal of any other target.

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Server, free_port, http, login, ready, start_server, start_server_with};

/// Run `pathtrace loadgen ARGS --format json` (demo password): the exit
/// code, the report (`Null` when there is none) and standard error.
fn loadgen_json(args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .arg("loadgen")
        .args(args)
        .args(["--format", "json"])
        .env_remove("PATHTRACE_PASSWORD")
        .output()
        .expect("loadgen runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = if out.stdout.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("a JSON report: {e}\nstderr: {stderr}"))
    };
    (out.status.code(), report, stderr)
}

fn count(v: &serde_json::Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("a count, got {v}"))
}

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

/// Two URLs of one server (a load balancer without stickiness): every
/// request goes to the next URL, so both get half of them.
#[test]
fn loadgen_round_robin_splits_requests_between_two_urls() {
    let server = start_server();
    let port = server.addr.port();
    let (code, r, stderr) = loadgen_json(&[
        "--url",
        &format!("http://127.0.0.1:{port}"),
        "--url",
        &format!("http://localhost:{port}"),
        "--count",
        "30",
        "--clients",
        "3",
        "--duration",
        "60",
    ]);
    assert_eq!(code, Some(0), "{r:#}\n{stderr}");
    assert_eq!(r["completed"], 30, "{r:#}");
    assert_eq!(r["accepted"], 30, "{r:#}");
    assert_eq!(r["unfinished"], 0, "{r:#}");
    assert_eq!(r["flow_set"], "demo mix");
    let per_url = r["per_url"].as_array().expect("per_url");
    assert_eq!(per_url.len(), 2);
    assert_eq!(per_url[0]["url"], format!("http://127.0.0.1:{port}/"));
    assert_eq!(per_url[1]["url"], format!("http://localhost:{port}/"));
    let (a, b) = (
        count(&per_url[0]["requests"]),
        count(&per_url[1]["requests"]),
    );
    // 3 logins, then per analysis a POST, at least one poll and a GET.
    assert!(a + b >= 3 + 30 * 3, "{r:#}");
    assert_eq!(a + b, count(&r["requests"]));
    assert!(a.abs_diff(b) <= 1, "round robin: {a} and {b}");
    assert_eq!(per_url[0]["errors"], 0);
    assert_eq!(per_url[1]["errors"], 0);
    assert_eq!(r["first_error_s"], serde_json::Value::Null);
    drop(server);
}

/// `--ids-out` lists exactly the accepted analyses, each with the final
/// status the server has for it.
#[test]
fn loadgen_ids_out_lists_the_accepted_analyses() {
    let server = start_server();
    let dir = tempfile_dir("ids-out");
    let ids = dir.join("ids.txt");
    std::fs::write(&ids, "stale line to be truncated\n").unwrap();
    let (code, r, stderr) = loadgen_json(&[
        "--url",
        &format!("http://{}", server.addr),
        "--count",
        "20",
        "--clients",
        "2",
        "--ids-out",
        ids.to_str().expect("a UTF-8 path"),
    ]);
    assert_eq!(code, Some(0), "{r:#}\n{stderr}");
    assert_eq!(r["accepted"], 20, "{r:#}");
    let text = std::fs::read_to_string(&ids).expect("the ids file");
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(' ').collect()).collect();
    assert_eq!(lines.len(), 20, "{text}");
    let distinct: std::collections::HashSet<&str> = lines.iter().map(|l| l[0]).collect();
    assert_eq!(distinct.len(), 20, "one line per analysis: {text}");
    let failed = lines.iter().filter(|l| l[2] == "FAILED").count();
    assert_eq!(failed, 4, "the denied flow is 1 in 5: {text}");
    assert_eq!(r["outcomes"]["FAILED"], 4);
    let token = login(server.addr);
    for l in &lines {
        assert_eq!(l.len(), 3, "ANALYSIS_ID TASK_ID FINAL_STATUS: {l:?}");
        let (status, body) = http(
            server.addr,
            "GET",
            &format!("/api/v1/flow-analysis/{}", l[0]),
            &[("X-Auth-Token", &token)],
        );
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["response"]["request"]["status"], l[2], "{l:?}");
        let (status, body) = http(
            server.addr,
            "GET",
            &format!("/api/v1/task/{}", l[1]),
            &[("X-Auth-Token", &token)],
        );
        assert_eq!(status, 200, "{body}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    drop(server);
}

/// A flows file with an error: exit 2 naming the file and the line, before
/// any connection (nothing listens on the URL).
#[test]
fn loadgen_flows_file_error_exits_2_with_file_and_line() {
    let dir = tempfile_dir("flows-bad");
    let file = dir.join("flows.txt");
    std::fs::write(
        &file,
        "# demo flows\n10.1.15.117 10.2.1.22\n\n10.1.13.25 10.2.1.22 TCP telnet FAILED\n",
    )
    .unwrap();
    let url = format!("http://127.0.0.1:{}", free_port());
    let (code, r, stderr) = loadgen_json(&[
        "--url",
        &url,
        "--flows",
        file.to_str().expect("a UTF-8 path"),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(r, serde_json::Value::Null, "no report");
    assert!(
        stderr.contains(&format!("{}:4: DST_PORT \"telnet\"", file.display())),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A valid flows file: its flows, their expected outcomes (`-`: either).
#[test]
fn loadgen_runs_the_flows_of_a_file() {
    let server = start_server();
    let dir = tempfile_dir("flows");
    let file = dir.join("flows.txt");
    std::fs::write(
        &file,
        "10.1.13.25 10.2.1.22 TCP 23 FAILED  # telnet is denied\n\
         10.1.15.117 10.2.1.22 - - COMPLETED\n\
         10.10.22.114 10.10.22.98\n",
    )
    .unwrap();
    let (code, r, stderr) = loadgen_json(&[
        "--url",
        &format!("http://{}", server.addr),
        "--flows",
        file.to_str().expect("a UTF-8 path"),
        "--count",
        "9",
        "--clients",
        "1",
    ]);
    assert_eq!(code, Some(0), "{r:#}\n{stderr}");
    assert_eq!(r["flows"], 3);
    assert_eq!(r["flow_set"], format!("file {}", file.display()));
    assert_eq!(r["per_flow"]["10.1.13.25 -> 10.2.1.22 TCP/23"], 3, "{r:#}");
    assert_eq!(r["per_flow"]["10.10.22.114 -> 10.10.22.98"], 3, "{r:#}");
    assert_eq!(r["outcomes"]["FAILED"], 3, "{r:#}");
    let _ = std::fs::remove_dir_all(&dir);
    drop(server);
}

/// `--flows-from-hosts 5`: five distinct pairs of the demo network's hosts,
/// the same in every run.
#[test]
fn loadgen_flows_from_hosts_runs_against_the_demo_network() {
    let server = start_server();
    let url = format!("http://{}", server.addr);
    let args = [
        "--url",
        &url,
        "--flows-from-hosts",
        "5",
        "--count",
        "25",
        "--clients",
        "2",
    ];
    let (code, r, stderr) = loadgen_json(&args);
    assert_eq!(code, Some(0), "{r:#}\n{stderr}");
    assert_eq!(r["flows"], 5);
    assert!(
        r["flow_set"]
            .as_str()
            .is_some_and(|s| s.starts_with("5 host pairs of 14 hosts")),
        "{r:#}"
    );
    assert_eq!(r["completed"], 25, "{r:#}");
    let per_flow = r["per_flow"].as_object().expect("per_flow");
    assert_eq!(per_flow.len(), 5, "{r:#}");
    assert!(per_flow.values().all(|v| v == 5), "{r:#}");
    for name in per_flow.keys() {
        let (src, dst) = name.split_once(" -> ").expect("SRC -> DST");
        assert_ne!(src, dst);
    }
    let (code, again, _) = loadgen_json(&args);
    assert_eq!(code, Some(0));
    assert_eq!(again["per_flow"], r["per_flow"], "a fixed seed");
    // More pairs than 14 hosts make: a usage error.
    let (code, _, stderr) = loadgen_json(&["--url", &url, "--flows-from-hosts", "183"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("182 distinct"), "{stderr}");
    drop(server);
}

/// A second URL where nothing listens: its connection errors are counted
/// (exit 1), and the load goes on over the first URL until the duration.
#[test]
fn loadgen_keeps_going_when_one_url_is_down() {
    let server = start_server();
    let closed = format!("http://127.0.0.1:{}", free_port());
    let start = Instant::now();
    let (code, r, stderr) = loadgen_json(&[
        "--url",
        &format!("http://{},{closed}", server.addr),
        "--duration",
        "2",
        "--clients",
        "2",
    ]);
    let elapsed = start.elapsed();
    assert_eq!(code, Some(1), "{r:#}\n{stderr}");
    assert_eq!(r["stopped_by"], "duration", "{r:#}");
    assert!(count(&r["completed"]) > 0, "{r:#}");
    assert_eq!(
        r["unfinished"], 0,
        "polls are retried on the live URL: {r:#}"
    );
    assert!(count(&r["errors"]["by_kind"]["connection"]) > 0, "{r:#}");
    let per_url = r["per_url"].as_array().expect("per_url");
    assert_eq!(per_url[0]["errors"], 0, "{r:#}");
    let dead = count(&per_url[1]["requests"]);
    assert!(dead > 0);
    assert_eq!(per_url[1]["errors"], dead, "every request to it failed");
    let kinds = per_url[1]["errors_by_kind"].as_object().expect("by kind");
    assert!(
        kinds.keys().all(|k| k == "connection" || k == "login"),
        "refused connections only: {kinds:?}"
    );
    // Every error is on the timeline, between the first and the last.
    let timeline = r["timeline"].as_array().expect("timeline");
    assert!(timeline.len() >= 2, "{r:#}");
    let on_timeline: u64 = timeline.iter().map(|s| count(&s["errors"])).sum();
    assert_eq!(on_timeline, count(&r["errors"]["total"]));
    let completed: u64 = timeline.iter().map(|s| count(&s["completed"])).sum();
    assert_eq!(completed, count(&r["completed"]));
    let (first, last) = (
        r["first_error_s"].as_f64().expect("first_error_s"),
        r["last_error_s"].as_f64().expect("last_error_s"),
    );
    let wall = r["wall_s"].as_f64().expect("wall_s");
    assert!(
        first <= last && last <= wall,
        "{first} {last} within the run ({wall} s)"
    );
    assert!(
        elapsed < Duration::from_secs(8),
        "ends with its duration: {elapsed:?}"
    );
    drop(server);
}

/// Tokens that expire after a second: each client is refused (401) and logs
/// in again, and the load goes on.
#[test]
fn loadgen_logs_in_again_when_its_token_expires() {
    let dir = tempfile_dir("relogin");
    let config = dir.join("pathtrace.toml");
    std::fs::write(&config, "token_session_timeout = 1\n").unwrap();
    let server = start_server_with(&["--config".as_ref(), config.as_os_str()]);
    let (code, r, stderr) = loadgen_json(&[
        "--url",
        &format!("http://{}", server.addr),
        "--duration",
        "2.5",
        "--rate",
        "40",
        "--clients",
        "2",
    ]);
    assert_eq!(code, Some(1), "the 401s are errors: {r:#}\n{stderr}");
    assert!(count(&r["relogins"]) >= 2, "{r:#}");
    let by_kind = r["errors"]["by_kind"].as_object().expect("by_kind");
    assert!(by_kind.keys().all(|k| k == "http_status"), "{r:#}");
    let by_detail = r["errors"]["by_detail"].as_object().expect("by_detail");
    assert!(by_detail.keys().all(|k| k.ends_with("HTTP 401")), "{r:#}");
    assert_eq!(r["unfinished"], 0, "{r:#}");
    let timeline = r["timeline"].as_array().expect("timeline");
    let late: u64 = timeline[2..].iter().map(|s| count(&s["completed"])).sum();
    assert!(late > 0, "analyses complete after the re-login: {r:#}");
    let _ = std::fs::remove_dir_all(&dir);
    drop(server);
}

/// `--rate`: starts are scheduled against the clock, so a paced run starts
/// rate × duration analyses.
#[test]
fn loadgen_paced_run_holds_its_rate() {
    let server = start_server();
    let (code, r, stderr) = loadgen_json(&[
        "--url",
        &format!("http://{}", server.addr),
        "--rate",
        "20",
        "--duration",
        "2",
        "--clients",
        "2",
    ]);
    assert_eq!(code, Some(0), "{r:#}\n{stderr}");
    let started = count(&r["started"]);
    assert!((36..=40).contains(&started), "20/s for 2 s: {started}");
    assert_eq!(r["completed"], started, "{r:#}");
    assert_eq!(r["start_lag_ms"]["n"], started, "{r:#}");
    drop(server);
}

/// `--watch-pid`: the server's resident memory, sampled every second; a
/// process that ends is reported gone, and the run goes on.
#[cfg(target_os = "linux")]
#[test]
fn loadgen_watch_pid_reports_the_server_memory() {
    let server = start_server();
    let mut short = Command::new("sleep")
        .arg("1.5")
        .spawn()
        .expect("sleep starts");
    let (code, r, stderr) = loadgen_json(&[
        "--url",
        &format!("http://{}", server.addr),
        "--duration",
        "3",
        "--rate",
        "20",
        "--clients",
        "1",
        "--watch-every",
        "1",
        "--watch-pid",
        &server.child.id().to_string(),
        "--watch-pid",
        &short.id().to_string(),
    ]);
    let _ = short.wait();
    assert_eq!(code, Some(0), "{r:#}\n{stderr}");
    let watch = r["watch"].as_array().expect("watch");
    assert_eq!(watch.len(), 2);
    let w = &watch[0];
    assert_eq!(w["pid"], server.child.id());
    let max = w["max_mib"].as_f64().expect("max_mib");
    assert!(max > 0.0, "{w:#}");
    assert!(w["min_mib"].as_f64().is_some_and(|m| m > 0.0 && m <= max));
    assert_eq!(w["gone_at_s"], serde_json::Value::Null);
    let series = w["series"].as_array().expect("series");
    assert!(series.len() >= 2, "{w:#}");
    assert_eq!(series[0]["t_s"], 0);
    assert_eq!(series[1]["t_s"], 1);
    let gone = watch[1]["gone_at_s"].as_f64().expect("the sleep is gone");
    assert!(gone < 3.0, "{gone}");
    drop(server);
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
