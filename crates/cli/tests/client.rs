//! `pathtrace flow|task|devices` against a real `pathtrace serve`, as a
//! user runs them: credentials from the environment, results on stdout,
//! one clear line and a documented exit code for each failure.

mod common;

use std::process::{Command, Output};

use common::{Server, start_server};

/// Run `pathtrace ARGS` against `server` with the demo credentials in the
/// environment (never on the command line).
fn client(server: &Server, args: &[&str]) -> Output {
    client_with(server, args, "Cisco123!")
}

fn client_with(server: &Server, args: &[&str], password: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args(args)
        .env("PATHTRACE_URL", format!("http://{}", server.addr))
        .env("PATHTRACE_USER", "devnetuser")
        .env("PATHTRACE_PASSWORD", password)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The APIC-EM notebook's printed path.
const APIC_EM_SEED: &str = "None: 10.1.15.117
AP7081.059f.19ca: 10.1.14.3
CAMPUS-Access1: 10.1.12.1
CAMPUS-Dist1: 10.255.1.5
Campus-WLC-5508: 10.1.14.2
CAMPUS-Dist1: 10.255.1.5
CAMPUS-Core2: 10.1.10.1
CAMPUS-Router2: 10.1.4.2
UNKNOWN: UNKNOWN
Branch-Router2: 10.2.2.2
Branch-Access1: 10.2.1.17
None: 10.2.1.22
";

#[test]
fn flow_start_prints_the_seed_path_and_the_workflow_works() {
    let server = start_server();
    for api in ["dnac", "apic-em"] {
        let o = client(
            &server,
            &["flow", "start", "10.1.15.117", "10.2.1.22", "--api", api],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(stdout(&o), APIC_EM_SEED, "--api {api}");
    }

    // Statistics: CPU, memory and the software version of each device.
    let o = client(
        &server,
        &[
            "flow",
            "start",
            "10.10.22.114",
            "10.10.22.98",
            "--include",
            "DEVICE-STATS",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(
        table.contains("cpu 5s/1m/5m %") && table.contains("version"),
        "{table}"
    );
    for (device, version) in [
        ("cat_9k_2.abc.inc", "16.6.1"),
        ("cs3850.abc.inc", "16.6.2s"),
        ("cat_9k_1.abc.inc", "16.6.1"),
    ] {
        let row = table
            .lines()
            .find(|l| l.contains(device))
            .unwrap_or_else(|| panic!("{device} in {table}"));
        assert!(row.trim_end().ends_with(version), "{row}");
        assert!(row.contains('/'), "CPU and memory figures: {row}");
    }

    // JSON only on stdout.
    let o = client(
        &server,
        &["flow", "list", "--limit", "2", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let items = v["response"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let id = items[0]["id"].as_str().unwrap().to_string();

    let o = client(&server, &["flow", "show", &id, "--format", "table"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("cs3850.abc.inc"), "{}", stdout(&o));
    let o = client(&server, &["flow", "runs", &id]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("run 1  COMPLETED"), "{}", stdout(&o));

    let o = client(&server, &["flow", "delete", &id]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = client(&server, &["flow", "show", &id]);
    assert_eq!(o.status.code(), Some(5), "unknown id: {}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "one line: {}", stderr(&o));

    let o = client(&server, &["devices", "--hostname", "CAMPUS-Core1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.contains("10.1.10.2") && out.contains("15.2(1)SY5"),
        "{out}"
    );
}

#[test]
fn failures_have_one_line_and_their_exit_code() {
    let server = start_server();
    // A denied flow: the partial path, the reason, exit 1.
    let o = client(
        &server,
        &[
            "flow",
            "start",
            "10.1.13.25",
            "10.2.1.22",
            "-p",
            "tcp",
            "--dst-port",
            "23",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).ends_with("Branch-Router2: 10.2.2.2\n"),
        "{}",
        stdout(&o)
    );
    assert!(
        stderr(&o).starts_with("FAILED: DENIED_IN"),
        "{}",
        stderr(&o)
    );

    // Wrong password: exit 4, one line.
    let o = client_with(&server, &["devices"], "wrong");
    assert_eq!(o.status.code(), Some(4));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("unauthorized"), "{}", stderr(&o));

    // Wrong URL: exit 4.
    let o = Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args(["devices", "--url", "http://127.0.0.1:1"])
        .env("PATHTRACE_USER", "devnetuser")
        .env("PATHTRACE_PASSWORD", "x")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("cannot reach"), "{}", stderr(&o));

    // Unknown task: exit 5. Usage errors: exit 2.
    let o = client(&server, &["task", "wait", "no-such-task"]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let o = client(&server, &["flow", "start", "10.1.15.117", "not-an-ip"]);
    assert_eq!(o.status.code(), Some(2));
    let o = client(
        &server,
        &[
            "flow",
            "start",
            "10.1.15.117",
            "10.2.1.22",
            "--include",
            "CPU",
        ],
    );
    assert_eq!(o.status.code(), Some(2));

    // No password anywhere and no terminal to ask on: exit 2.
    let o = Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args(["devices"])
        .env("PATHTRACE_URL", format!("http://{}", server.addr))
        .env("PATHTRACE_USER", "devnetuser")
        .env_remove("PATHTRACE_PASSWORD")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("PATHTRACE_PASSWORD"), "{}", stderr(&o));

    // The password on standard input.
    let mut child = Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args(["devices", "--password-stdin", "--ip", "10.1.10.2"])
        .env("PATHTRACE_URL", format!("http://{}", server.addr))
        .env("PATHTRACE_USER", "devnetuser")
        .env_remove("PATHTRACE_PASSWORD")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"Cisco123!\n").unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("CAMPUS-Core1"), "{}", stdout(&o));
}
