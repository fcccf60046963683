//! `pathtrace serve --snapshot DIR`: Batfish's example network (the IOS
//! snapshot `live`) converted and served through the whole API — the
//! inventory, a path trace, reloads — and the flag errors.

mod common;

use std::ffi::OsStr;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{http, login, start_server_with};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/batfish-example")
        .join(name)
}

#[test]
fn serves_the_live_snapshot() {
    let dir = fixture("live");
    let server = start_server_with(&[OsStr::new("--snapshot"), dir.as_os_str()]);
    let token = login(server.addr);
    let auth = [("X-Auth-Token", token.as_str())];

    // The inventory: the 13 routers, with the IOS version of their files.
    let (status, body) = http(server.addr, "GET", "/api/v1/network-device", &auth);
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let listed = v["response"].as_array().expect("a device list");
    assert_eq!(listed.len(), 13, "{body}");
    let b1 = listed
        .iter()
        .find(|d| d["hostname"] == "as2border1")
        .expect("as2border1 listed");
    assert_eq!(b1["managementIpAddress"], "2.1.1.1", "{b1}");
    assert_eq!(b1["softwareVersion"], "15.2", "{b1}");
    assert_eq!(b1["family"], "Routers", "{b1}");

    // A path trace from host1 finishes (its outcome depends on the engine's
    // routing, not on the conversion).
    let o = Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args([
            "flow",
            "start",
            "2.128.0.101",
            "2.34.201.4",
            "--format",
            "json",
        ])
        .env("PATHTRACE_URL", format!("http://{}", server.addr))
        .env("PATHTRACE_USER", "devnetuser")
        .env("PATHTRACE_PASSWORD", "Cisco123!")
        .output()
        .expect("the client runs");
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let status = v["response"]["request"]["status"].as_str().unwrap_or("");
    assert!(matches!(status, "COMPLETED" | "FAILED"), "{v}");

    // The served network is named after the directory; a reload reads the
    // directory again and, unchanged, keeps its version.
    let (status, body) = http(server.addr, "GET", "/api/v1/pathtrace/network", &auth);
    assert_eq!(status, 200, "{body}");
    let before: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(before["response"]["name"], "live", "{body}");
    let (status, body) = http(
        server.addr,
        "POST",
        "/api/v1/pathtrace/network/reload",
        &auth,
    );
    assert_eq!(status, 200, "{body}");
    let after: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        after["response"]["snapshotVersion"], before["response"]["snapshotVersion"],
        "the same snapshot converts to the same model: {body}"
    );
    assert_eq!(after["response"]["devices"], 13);
}

/// Run `pathtrace serve ARGS` that must stop at once with a usage error
/// (killed after 60 s should it serve instead).
fn serve_fails(args: &[&OsStr]) -> Output {
    let data = std::env::temp_dir().join(format!(
        "pathtrace-snapshot-flags-{}-{}",
        std::process::id(),
        common::free_port()
    ));
    let listen = format!("127.0.0.1:{}", common::free_port());
    let mut child = Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args(["serve", "--tls-listen", "off", "--listen", &listen])
        .arg("--data-dir")
        .arg(&data)
        .args(args)
        .env("PATHTRACE_LOG", "warn")
        .env_remove("PATHTRACE_CONFIG")
        .env_remove("PATHTRACE_DATABASE_URL")
        .env_remove("PATHTRACE_NETWORK")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let start = Instant::now();
    while child.try_wait().ok().flatten().is_none() {
        if start.elapsed() > Duration::from_mins(1) {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_dir_all(&data);
    out
}

#[test]
fn serve_snapshot_flag_errors() {
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    // A missing directory, and one without configs/: exit 2 before serving.
    let o = serve_fails(&[
        OsStr::new("--snapshot"),
        OsStr::new("/nonexistent-snapshot"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("/nonexistent-snapshot"),
        "{}",
        stderr(&o)
    );
    let o = serve_fails(&[OsStr::new("--snapshot"), fixture("").as_os_str()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no device configurations"),
        "{}",
        stderr(&o)
    );
    // A model file, or a SuzieQ snapshot, and an IOS snapshot: clap refuses.
    let live = fixture("live");
    for other in ["--network", "--suzieq"] {
        let o = serve_fails(&[
            OsStr::new(other),
            OsStr::new("x"),
            OsStr::new("--snapshot"),
            live.as_os_str(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
    }
}
