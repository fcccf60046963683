//! End-to-end tests of the `pathtrace` binary, run as a user would.

use std::process::{Command, Output};

fn pathtrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn trace_prints_the_apic_em_seed_path() {
    let o = pathtrace(&["trace", "10.1.15.117", "10.2.1.22"]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    let view = out
        .split("DNA Center view")
        .nth(1)
        .expect("a DNA Center section");
    let lines: Vec<&str> = view.lines().skip(1).filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 12);
    assert_eq!(lines[0], "None: 10.1.15.117");
    assert_eq!(lines[8], "UNKNOWN: UNKNOWN");
    assert_eq!(lines[11], "None: 10.2.1.22");
}

#[test]
fn json_and_dnac_formats_print_only_json() {
    for format in ["json", "dnac"] {
        let o = pathtrace(&["trace", "10.10.22.114", "10.10.22.98", "--format", format]);
        assert!(o.status.success());
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
        if format == "dnac" {
            let names: Vec<&str> = v["networkElementsInfo"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["ip"].as_str().unwrap())
                .collect();
            assert_eq!(
                names,
                [
                    "10.10.22.114",
                    "10.10.22.70",
                    "10.10.22.69",
                    "10.10.22.66",
                    "10.10.22.98"
                ]
            );
            assert_eq!(v["request"]["status"], "COMPLETED");
            assert!(v["request"]["createTime"].is_i64());
        } else {
            assert!(v["traceCount"].as_u64().unwrap() >= 1);
            assert_eq!(v["branches"][0]["hops"][1]["device"], "cat_9k_2.abc.inc");
        }
    }
}

#[test]
fn failed_trace_exits_1_with_reason() {
    let o = pathtrace(&[
        "trace",
        "10.1.13.25",
        "10.2.1.22",
        "-p",
        "tcp",
        "--dst-port",
        "23",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("DENIED_IN"));
}

#[test]
fn malformed_model_gives_file_line_field_and_exit_2() {
    let dir = std::env::temp_dir().join(format!("pathtrace-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.yaml");
    std::fs::write(
        &file,
        "name: bad\ndevices:\n  - hostname: R1\n    management_ip: 10.0.0.1\n    family: Routers\n    interfaces:\n      - {name: Gi0/0, ip: 10.0.0.1/24}\nlinks:\n  - {a: \"R1:Gi0/0\", b: \"R9:Gi0/1\"}\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    for args in [
        vec!["validate", path],
        vec!["trace", "--network", path, "10.0.0.1", "10.0.0.2"],
    ] {
        let o = pathtrace(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("bad.yaml:9: links[0].b:"), "{err}");
        assert!(o.stdout.is_empty());
    }
    let o = pathtrace(&["validate", dir.join("missing.yaml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::write(&file, [0xff, 0xfe, 0x00, b':', b'[']).unwrap();
    let o = pathtrace(&["validate", path]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_flags_are_usage_errors() {
    assert_eq!(pathtrace(&["trace", "10.1.1.1"]).status.code(), Some(2));
    assert_eq!(
        pathtrace(&["trace", "10.1.1.1", "not-an-ip"]).status.code(),
        Some(2)
    );
    assert_eq!(
        pathtrace(&["trace", "10.1.15.117", "10.2.1.22", "--protocol", "sctp"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        pathtrace(&["trace", "10.1.15.117", "10.2.1.22", "--dst-port", "70000"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn unknown_source_exits_1_with_one_line() {
    let o = pathtrace(&["trace", "192.0.2.55", "10.2.1.22"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("192.0.2.55"));
}

const SUZIEQ: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/suzieq/parquet"
);

#[test]
fn import_suzieq_lists_converts_and_reports() {
    let o = pathtrace(&["import", "suzieq", SUZIEQ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "dual-evpn\neos\nmixed\nospf-ibgp\n");

    let dir = std::env::temp_dir().join(format!("pathtrace-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("mixed.yaml");
    let o = pathtrace(&[
        "import",
        "suzieq",
        SUZIEQ,
        "-n",
        "mixed",
        "-o",
        model.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = pathtrace(&["validate", model.to_str().unwrap()]);
    let said = format!("{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(said.contains("valid: 8 devices"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);

    let o = pathtrace(&["import", "suzieq", SUZIEQ, "-n", "mixed", "--report"]);
    assert_eq!(o.status.code(), Some(0));
    let report = stdout(&o);
    assert!(report.contains("device       8 rows"), "{report}");
    assert!(report.contains("topcpu       absent"), "{report}");
    assert!(report.contains("left out:"), "{report}");

    let o = pathtrace(&["import", "suzieq", SUZIEQ, "-n", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("namespace \"nope\" not found"));
    let o = pathtrace(&["import", "suzieq", "/nonexistent-dir", "-n", "mixed"]);
    assert_eq!(o.status.code(), Some(2));
}

/// SuzieQ's public case S1 (`path show --src=1.1.1.1 --dest=6.6.6.6
/// --namespace=mixed`): both ECMP paths, hop by hop.
#[test]
fn trace_on_a_suzieq_snapshot_finds_suzieqs_paths() {
    let o = pathtrace(&[
        "trace",
        "--suzieq",
        SUZIEQ,
        "--namespace",
        "mixed",
        "1.1.1.1",
        "6.6.6.6",
        "-p",
        "udp",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = stdout(&o);
    assert!(out.contains("2 branch(es)"), "{out}");
    for hop in [
        "leaf1-ios   1.1.1.1     - -> GigabitEthernet0/0",
        "spine1-nxos 11.11.11.11 Ethernet1/1 -> Ethernet1/6",
        "leaf6-eos   6.6.6.6     Ethernet1 -> -",
        "leaf1-ios   1.1.1.1     - -> GigabitEthernet0/1",
        "spine2-nxos 22.22.22.22 Ethernet1/1 -> Ethernet1/6",
        "leaf6-eos   6.6.6.6     Ethernet2 -> -",
    ] {
        assert!(out.contains(hop), "{hop:?} in {out}");
    }
    assert!(out.contains("path MTU 1500"), "{out}");
    assert!(out.contains("spine1-nxos: Hop MTU < Src Mtu"), "{out}");
    assert!(out.contains("leaf6-eos: Dst MTU != Src MTU"), "{out}");
    let o = pathtrace(&["trace", "--suzieq", SUZIEQ, "1.1.1.1", "6.6.6.6"]);
    assert_eq!(o.status.code(), Some(2), "--suzieq needs --namespace");
}

/// `--format suzieq` prints SuzieQ's own records: S3 (`eos`, unnumbered
/// links) hop by hop as upstream's expected output; SuzieQ's errors exit 1;
/// a network without collected state is a usage error.
#[test]
fn trace_format_suzieq_prints_suzieqs_records() {
    let o = pathtrace(&[
        "trace",
        "--suzieq",
        SUZIEQ,
        "--namespace",
        "eos",
        "10.0.0.14",
        "10.0.0.11",
        "--format",
        "suzieq",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).unwrap();
    let mut hops: Vec<(u64, u64, String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["pathid"].as_u64().unwrap(),
                r["hopCount"].as_u64().unwrap(),
                r["hostname"].as_str().unwrap().to_string(),
                r["iif"].as_str().unwrap().to_string(),
                r["oif"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    hops.sort();
    let want = [
        (1, 0, "leaf04", "Loopback0", "Ethernet1"),
        (1, 1, "spine01", "Ethernet4", "Ethernet1"),
        (1, 2, "leaf01", "Ethernet1", "Loopback0"),
        (2, 0, "leaf04", "Loopback0", "Ethernet2"),
        (2, 1, "spine02", "Ethernet4", "Ethernet1"),
        (2, 2, "leaf01", "Ethernet2", "Loopback0"),
    ];
    assert_eq!(hops.len(), want.len(), "{rows:?}");
    for (got, w) in hops.iter().zip(want) {
        assert_eq!(
            (got.0, got.1, got.2.as_str(), got.3.as_str(), got.4.as_str()),
            w
        );
    }
    assert_eq!(rows[0]["nexthopIp"], "10.0.0.21");
    assert_eq!(rows[0]["ipLookup"], "10.0.0.11/32");
    let o = pathtrace(&[
        "trace",
        "--suzieq",
        SUZIEQ,
        "--namespace",
        "eos",
        "192.0.2.1",
        "10.0.0.11",
        "--format",
        "suzieq",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Unable to find starting node for 192.0.2.1"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = pathtrace(&["trace", "10.10.22.114", "10.10.22.98", "--format", "suzieq"]);
    assert_eq!(o.status.code(), Some(2));
}
