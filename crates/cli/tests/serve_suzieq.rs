//! `pathtrace serve --suzieq DIR --namespace NS`: the fixture's `eos`
//! namespace served through the whole API — the inventory with the versions
//! the devices reported, path traces with the collected counters, reloads —
//! and the flag errors.

mod common;

use std::ffi::OsStr;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Server, http, login, start_server_with};
use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/suzieq/parquet")
}

/// `pathtrace flow start SRC DST --include … --format json` against `server`:
/// the analysis's JSON.
fn flow(server: &Server, src: &str, dst: &str) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args(["flow", "start", src, dst])
        .args([
            "--include",
            "DEVICE-STATS,INTERFACE-STATS",
            "--format",
            "json",
        ])
        .env("PATHTRACE_URL", format!("http://{}", server.addr))
        .env("PATHTRACE_USER", "devnetuser")
        .env("PATHTRACE_PASSWORD", "Cisco123!")
        .output()
        .expect("the client runs");
    // 0: COMPLETED, 1: the trace FAILED (still a finished analysis).
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let status = v["response"]["request"]["status"].as_str().unwrap_or("");
    assert!(matches!(status, "COMPLETED" | "FAILED"), "{v}");
    v
}

fn elements(v: &Value) -> &Vec<Value> {
    v["response"]["networkElementsInfo"]
        .as_array()
        .expect("networkElementsInfo")
}

fn eos_server() -> Server {
    let dir = fixture();
    start_server_with(&[
        OsStr::new("--suzieq"),
        dir.as_os_str(),
        OsStr::new("--namespace"),
        OsStr::new("eos"),
    ])
}

#[test]
fn serves_the_eos_snapshot_with_its_versions_and_counters() {
    let snap = pathtrace_import::read_namespace(&fixture(), "eos").unwrap();
    let server = eos_server();
    let token = login(server.addr);
    let auth = [("X-Auth-Token", token.as_str())];

    // The inventory: the 14 devices, each with the version it reported.
    let (status, body) = http(
        server.addr,
        "GET",
        "/dna/intent/api/v1/network-device",
        &auth,
    );
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let listed = v["response"].as_array().expect("a device list");
    assert_eq!(listed.len(), 14, "{body}");
    assert_eq!(snap.devices.len(), 14);
    for d in &snap.devices {
        let e = listed
            .iter()
            .find(|e| e["hostname"] == d.meta.hostname.as_str())
            .unwrap_or_else(|| panic!("{} listed", d.meta.hostname));
        assert_eq!(e["softwareVersion"], d.version.as_str(), "{e}");
    }
    let leaf = snap
        .devices
        .iter()
        .find(|d| d.meta.hostname == "leaf01")
        .unwrap();
    assert_eq!(leaf.version, "4.23.5M", "the fixture's EOS version");

    // A path between two leaves' loopbacks: the analysis finishes; the EOS
    // switches reported no CPU, memory or counters, and the view says so.
    let v = flow(&server, "10.0.0.14", "10.0.0.11");
    let first = &elements(&v)[0];
    assert_eq!(first["name"], "leaf04", "{v}");
    assert_eq!(first["deviceStatsCollection"], "FAILED", "{first}");
    assert_eq!(
        first["deviceStatsCollectionFailureReason"],
        "no CPU or memory statistics were collected from leaf04"
    );
    let egress = &first["egressInterface"]["physicalInterface"];
    assert_eq!(egress["interfaceStatsCollection"], "FAILED", "{first}");

    // From a server: its CPU (top's processes summed), memory and bond0's
    // counters, as SuzieQ polled them.
    let v = flow(&server, "172.16.1.101", "172.16.3.202");
    let first = &elements(&v)[0];
    assert_eq!(first["name"], "server101", "{v}");
    assert_eq!(first["deviceStatsCollection"], "SUCCESS", "{first}");
    let cpu_rows: Vec<_> = snap
        .topcpu
        .iter()
        .filter(|r| r.0.meta.hostname == "server101")
        .collect();
    let last = cpu_rows.iter().map(|r| r.0.meta.timestamp).max().unwrap();
    let sum: f64 = cpu_rows
        .iter()
        .filter(|r| r.0.meta.timestamp == last)
        .filter_map(|r| r.0.percent_cpu)
        .sum();
    let cpu = &first["deviceStatistics"]["cpuStatistics"];
    assert_eq!(
        cpu["fiveSecsUsageInPercentage"].as_f64(),
        Some((sum * 10.0).round() / 10.0),
        "{cpu}"
    );
    assert_eq!(cpu["refreshedAt"], last);
    let egress = &first["egressInterface"]["physicalInterface"];
    let name = egress["name"].as_str().unwrap();
    let row = snap
        .if_counters
        .iter()
        .find(|r| r.meta.hostname == "server101" && r.ifname == name)
        .unwrap_or_else(|| panic!("counters of server101 {name}"));
    assert_eq!(egress["interfaceStatsCollection"], "SUCCESS", "{egress}");
    let stats = &egress["interfaceStatistics"];
    assert_eq!(stats["inputPackets"].as_u64(), row.rx_packets, "{stats}");
    assert_eq!(stats["outputPackets"].as_u64(), row.tx_packets, "{stats}");
    assert_eq!(stats["outputDrop"].as_u64(), row.tx_drops, "{stats}");
    assert_eq!(stats["refreshedAt"], row.meta.timestamp);

    // A reload reads the directory again; unchanged, it keeps its version.
    let (status, body) = http(server.addr, "GET", "/api/v1/pathtrace/network", &auth);
    assert_eq!(status, 200, "{body}");
    let before: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(before["response"]["name"], "eos", "{body}");
    assert_eq!(before["response"]["simulatedStatistics"], false, "{body}");
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
    assert_eq!(after["response"]["devices"], 14);
}

/// Run `pathtrace serve ARGS` that must stop at once with a usage error
/// (killed after 60 s should it serve instead).
fn serve_fails(args: &[&OsStr]) -> Output {
    let data = std::env::temp_dir().join(format!("pathtrace-suzieq-flags-{}", std::process::id()));
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
fn serve_suzieq_flag_errors() {
    let dir = fixture();
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();

    // No namespace: the error lists those present.
    let o = serve_fails(&[OsStr::new("--suzieq"), dir.as_os_str()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("--suzieq needs --namespace"), "{e}");
    for ns in ["dual-evpn", "eos", "mixed", "ospf-ibgp"] {
        assert!(e.contains(ns), "{e}");
    }

    // An unknown namespace.
    let o = serve_fails(&[
        OsStr::new("--suzieq"),
        dir.as_os_str(),
        OsStr::new("--namespace"),
        OsStr::new("nope"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("nope"), "{}", stderr(&o));

    // A model file and a SuzieQ snapshot: clap refuses.
    let o = serve_fails(&[
        OsStr::new("--network"),
        OsStr::new("net.yaml"),
        OsStr::new("--suzieq"),
        dir.as_os_str(),
        OsStr::new("--namespace"),
        OsStr::new("eos"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));

    // --namespace alone.
    let o = serve_fails(&[OsStr::new("--namespace"), OsStr::new("eos")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--suzieq"), "{}", stderr(&o));
}
