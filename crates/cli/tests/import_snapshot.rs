//! `pathtrace import --snapshot DIR` (and `import snapshot DIR`) on
//! Batfish's example network (tests/fixtures/batfish-example/live): the
//! converted model (to a file or standard output, warnings on standard
//! error), the coverage report (`--report`) as text and as JSON, and the exit
//! codes.

use std::process::{Command, Output};

const LIVE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/batfish-example/live"
);

fn pathtrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn the_text_report_counts_every_file_and_lists_lines_by_feature() {
    let o = pathtrace(&["import", "--snapshot", LIVE, "--report"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = stdout(&o);
    assert!(r.starts_with("snapshot "), "{r}");
    for file in [
        "configs/as1border1.cfg",
        "configs/as3core1.cfg",
        "hosts/host1.json",
        "iptables/host2.iptables",
    ] {
        assert!(
            r.lines().any(|l| l.starts_with(file)),
            "{file} missing:\n{r}"
        );
    }
    let total = r
        .lines()
        .find(|l| l.starts_with("total"))
        .expect("a total row");
    let n: Vec<usize> = total
        .split_whitespace()
        .skip(1)
        .map(|x| x.parse().unwrap())
        .collect();
    assert_eq!(n.len(), 5, "{total}");
    assert_eq!(n[0], n[1] + n[2] + n[3] + n[4], "{total}");
    assert_eq!(n[4], 0, "no syntax errors in the fixture: {total}");
    // Lines not understood, by feature, with file:line.
    assert!(r.contains("\nline vty ("), "{r}");
    assert!(r.contains("\ninterface/negotiation ("), "{r}");
    assert!(
        r.contains("configs/as2border2.cfg:13: ntp server 18.18.18.18"),
        "{r}"
    );
    assert!(r.contains("syntax errors: 0"), "{r}");
    // The subcommand spelling gives the same report.
    let o2 = pathtrace(&["import", "snapshot", LIVE, "--report"]);
    assert_eq!(o2.status.code(), Some(0));
    assert_eq!(stdout(&o2), r);
}

#[test]
fn the_json_report_is_the_coverage_structure() {
    let o = pathtrace(&["import", "--snapshot", LIVE, "--report", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["files"].as_array().unwrap().len(), 13 + 2 + 2);
    let t = &v["total"];
    let get = |k: &str| t[k].as_u64().unwrap();
    assert_eq!(
        get("lines"),
        get("cosmetic") + get("understood") + get("not_understood") + get("syntax_errors")
    );
    let groups = v["not_understood"].as_array().unwrap();
    let listed: u64 = groups
        .iter()
        .map(|g| g["lines"].as_array().unwrap().len() as u64)
        .sum();
    assert_eq!(listed, get("not_understood"));
    let first = &groups[0]["lines"][0];
    assert!(first["file"].as_str().unwrap().starts_with("configs/"));
    assert!(first["line"].as_u64().unwrap() > 0);
    assert_eq!(v["syntax_errors"].as_array().unwrap().len(), 0);
}

#[test]
fn a_missing_or_invalid_directory_exits_2() {
    let o = pathtrace(&["import", "--snapshot", "/nonexistent-snapshot", "--report"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent-snapshot"),
        "{}",
        stderr(&o)
    );
    // A directory without configs/.
    let o = pathtrace(&[
        "import",
        "--snapshot",
        concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        "--report",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no device configurations"),
        "{}",
        stderr(&o)
    );
    // The model goes to a file or to standard output, not both with a report.
    let o = pathtrace(&["import", "--snapshot", LIVE, "--report", "-o", "x.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
    // Converting a missing directory.
    let o = pathtrace(&["import", "snapshot", "/nonexistent-snapshot"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent-snapshot"),
        "{}",
        stderr(&o)
    );
    // --snapshot and a subcommand do not mix; `import` alone is a usage error.
    let o = pathtrace(&["import", "--snapshot", LIVE, "suzieq", "x"]);
    assert_eq!(o.status.code(), Some(2));
    let o = pathtrace(&["import"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn import_writes_a_model_that_loads() {
    let out = std::env::temp_dir().join(format!(
        "pathtrace-import-snapshot-{}.yaml",
        std::process::id()
    ));
    let path = out.to_str().unwrap();
    let o = pathtrace(&["import", "--snapshot", LIVE, "-o", path]);
    let text = std::fs::read_to_string(&out);
    let _ = std::fs::remove_file(&out);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let e = stderr(&o);
    // Every warning names file:line; then a summary.
    assert!(
        e.contains("warning: configs/as2dept1.cfg:51: host address 2.1.1.2/32 of Loopback0"),
        "{e}"
    );
    assert!(
        e.contains("warning: configs/as3core1.cfg:73: subnet 90.90.90.0/24"),
        "{e}"
    );
    assert!(
        e.contains("(13 devices, 17 links, 2 hosts; 2 warning(s)"),
        "{e}"
    );
    let text = text.expect("the model file was written");
    let net = pathtrace_model::load_str(&text, "live.yaml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(net.name, "live");
    assert_eq!(net.devices.len(), 13);
    assert_eq!(net.links.len(), 17);
    assert_eq!(net.hosts.len(), 2);
    let b1 = net
        .devices
        .iter()
        .find(|d| d.hostname == "as2border1")
        .unwrap();
    assert_eq!(b1.bgp.as_ref().map(|b| b.asn), Some(2));
    // `validate` agrees.
    let file = std::env::temp_dir().join(format!(
        "pathtrace-import-snapshot-v-{}.yaml",
        std::process::id()
    ));
    std::fs::write(&file, &text).unwrap();
    let v = pathtrace(&["validate", file.to_str().unwrap()]);
    let _ = std::fs::remove_file(&file);
    assert_eq!(v.status.code(), Some(0), "{}", stderr(&v));
    // Without -o the same model goes to standard output; the subcommand
    // spelling gives the same.
    let o = pathtrace(&["import", "snapshot", LIVE]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), text);
    assert!(
        stderr(&o).contains("13 devices, 17 links, 2 hosts"),
        "{}",
        stderr(&o)
    );
}
