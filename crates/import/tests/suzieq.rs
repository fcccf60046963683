//! SuzieQ importer tests on the copied fixture (tests/fixtures/suzieq).

use std::path::{Path, PathBuf};

use pathtrace_import::suzieq::{self, ImportError};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/suzieq/parquet")
}

/// A fresh scratch directory under the target dir.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pt-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Copy one table of namespace `mixed` into `dir`, returning the copied files.
fn copy_table(dir: &Path, table: &str, version: &str) -> Vec<PathBuf> {
    let src = fixture()
        .join(table)
        .join(format!("sqvers={version}"))
        .join("namespace=mixed");
    let mut out = Vec::new();
    for h in std::fs::read_dir(&src).unwrap() {
        let h = h.unwrap().path();
        let dst = dir
            .join(table)
            .join(format!("sqvers={version}"))
            .join("namespace=mixed")
            .join(h.file_name().unwrap());
        std::fs::create_dir_all(&dst).unwrap();
        for f in std::fs::read_dir(&h).unwrap() {
            let f = f.unwrap().path();
            let to = dst.join(f.file_name().unwrap());
            std::fs::copy(&f, &to).unwrap();
            out.push(to);
        }
    }
    out.sort();
    out
}

#[test]
fn namespaces_are_listed() {
    let ns = suzieq::list_namespaces(&fixture()).unwrap();
    assert_eq!(ns, ["dual-evpn", "eos", "mixed", "ospf-ibgp"]);
}

#[test]
fn mixed_counts_per_table() {
    let s = suzieq::read_namespace(&fixture(), "mixed").unwrap();
    let counts: Vec<(&str, usize)> = suzieq::TABLES
        .iter()
        .map(|t| (*t, s.count(t).unwrap()))
        .collect();
    assert_eq!(
        counts,
        [
            ("device", 8),
            ("interfaces", 309),
            ("routes", 214),
            ("arpnd", 34),
            ("macs", 2),
            ("lldp", 26),
            ("mlag", 0),
            ("evpnVni", 0),
            ("vlan", 6),
            ("ifCounters", 2),
            ("topcpu", 0),
            ("topmem", 0),
            ("devconfig", 8),
        ]
    );
    assert_eq!(s.absent_tables, ["mlag", "evpnVni", "topcpu", "topmem"]);
    let hosts: Vec<&str> = s.devices.iter().map(|d| d.meta.hostname.as_str()).collect();
    assert_eq!(
        hosts,
        [
            "leaf1-ios",
            "leaf2-ios",
            "leaf3-qfx",
            "leaf4-qfx",
            "leaf5-eos",
            "leaf6-eos",
            "spine1-nxos",
            "spine2-nxos"
        ]
    );
    let leaf1 = &s.devices[0];
    assert_eq!(
        (
            leaf1.os.as_str(),
            leaf1.vendor.as_str(),
            leaf1.version.as_str()
        ),
        ("ios", "Cisco", "15.6(2)T")
    );
}

#[test]
fn eos_reads_optional_tables() {
    let s = suzieq::read_namespace(&fixture(), "eos").unwrap();
    assert_eq!(s.devices.len(), 14);
    assert!(s.absent_tables.is_empty(), "{:?}", s.absent_tables);
    for t in ["mlag", "evpnVni", "topcpu", "topmem", "macs"] {
        assert!(s.count(t).unwrap() > 0, "{t}");
    }
    let leaf01 = s.mlag.iter().find(|m| m.meta.hostname == "leaf01").unwrap();
    assert_eq!(leaf01.peer_link, "Port-Channel1");
    assert!(
        s.evpn_vni
            .iter()
            .any(|v| v.vni == 999 && v.kind == "L3" && v.vrf == "evpn-vrf")
    );
}

#[test]
fn protocols_and_names_are_normalised() {
    let s = suzieq::read_namespace(&fixture(), "mixed").unwrap();
    let protos: std::collections::BTreeSet<&str> =
        s.routes.iter().map(|r| r.protocol.as_str()).collect();
    assert!(!protos.contains("direct"), "{protos:?}");
    assert!(
        protos.contains("connected") && protos.contains("ospf"),
        "{protos:?}"
    );
    // NX-OS reports `direct`: now `connected`.
    assert!(
        s.routes
            .iter()
            .any(|r| r.meta.hostname == "spine1-nxos" && r.protocol == "connected")
    );
    // Every route oif that names an interface uses the interfaces table's spelling.
    let r = s
        .routes
        .iter()
        .find(|r| r.meta.hostname == "leaf1-ios" && r.prefix == "6.6.6.6/32")
        .unwrap();
    assert_eq!(r.nexthop_ips, ["10.2.1.1", "10.1.1.1"]);
    assert_eq!(r.oifs, ["GigabitEthernet0/1", "GigabitEthernet0/0"]);
}

#[test]
fn every_namespace_converts_to_a_valid_model() {
    for ns in ["mixed", "eos", "dual-evpn", "ospf-ibgp"] {
        let s = suzieq::read_namespace(&fixture(), ns).unwrap();
        let c = suzieq::convert(&s);
        let issues = pathtrace_model::validate::validate(&c.network);
        assert!(
            issues.is_empty(),
            "{ns}: {}",
            issues
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert_eq!(
            c.network.devices.len(),
            s.devices.len(),
            "{ns}: {:?}",
            c.warnings
        );
        // Round trip through the YAML model format.
        let yaml = serde_saphyr::to_string(&c.network).unwrap();
        pathtrace_model::load_str(&yaml, &format!("{ns}.yaml")).unwrap();
    }
}

#[test]
fn mixed_converts_facts_links_and_ecmp_routes() {
    let s = suzieq::read_namespace(&fixture(), "mixed").unwrap();
    let c = suzieq::convert(&s);
    let net = &c.network;
    assert_eq!(net.name, "mixed");
    let leaf1 = net
        .devices
        .iter()
        .find(|d| d.hostname == "leaf1-ios")
        .unwrap();
    assert_eq!(leaf1.software_version.as_deref(), Some("15.6(2)T"));
    assert_eq!(leaf1.software_type.as_deref(), Some("IOS"));
    assert_eq!(leaf1.vendor.as_deref(), Some("Cisco"));
    assert_eq!(leaf1.management_ip.to_string(), "1.1.1.1");
    let lo = leaf1
        .interfaces
        .iter()
        .find(|i| i.name == "Loopback0")
        .unwrap();
    assert_eq!(
        (lo.mtu, lo.ip.map(|a| a.to_string())),
        (Some(1514), Some("1.1.1.1/32".into()))
    );
    let r = leaf1
        .routes
        .iter()
        .find(|r| r.prefix.to_string() == "6.6.6.6/32")
        .unwrap();
    assert_eq!(r.protocol, "ospf");
    assert_eq!(r.next_hops.len(), 2);
    // 12 leaf-spine links, the Junos ends on their unit 0, plus the NX-OS mgmt link.
    assert_eq!(net.links.len(), 13, "{:#?}", net.links);
    assert!(
        net.links
            .iter()
            .any(|l| l.a.to_string() == "leaf3-qfx:xe-0/0/0.0"
                && l.b.to_string() == "spine1-nxos:Ethernet1/3")
    );
}

#[test]
fn missing_required_table_is_an_error() {
    let d = scratch("missing");
    copy_table(&d, "device", "3.0");
    let e = suzieq::read_namespace(&d, "mixed").unwrap_err();
    assert!(
        matches!(
            e,
            ImportError::MissingTable {
                table: "interfaces",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("interfaces"), "{e}");
    // Optional tables may be absent.
    copy_table(&d, "interfaces", "3.0");
    copy_table(&d, "routes", "2.0");
    let s = suzieq::read_namespace(&d, "mixed").unwrap();
    assert_eq!(s.absent_tables.len(), 10);
    let e = suzieq::read_namespace(&d, "nope").unwrap_err();
    assert!(
        e.to_string().contains("namespace \"nope\" not found"),
        "{e}"
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn corrupt_file_names_table_and_file() {
    let d = scratch("corrupt");
    copy_table(&d, "device", "3.0");
    copy_table(&d, "interfaces", "3.0");
    let routes = copy_table(&d, "routes", "2.0");
    let bytes = std::fs::read(&routes[2]).unwrap();
    std::fs::write(&routes[2], &bytes[..bytes.len() / 2]).unwrap();
    let e = suzieq::read_namespace(&d, "mixed").unwrap_err();
    assert!(
        matches!(
            e,
            ImportError::Parquet {
                table: "routes",
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string().contains(&routes[2].display().to_string()),
        "{e}"
    );
    // Not parquet at all.
    std::fs::write(&routes[2], b"hello").unwrap();
    let e = suzieq::read_namespace(&d, "mixed").unwrap_err();
    assert!(
        matches!(
            e,
            ImportError::Parquet {
                table: "routes",
                ..
            }
        ),
        "{e}"
    );
    // Garbage in the middle (header and footer intact).
    let mut b = bytes.clone();
    for x in &mut b[8..bytes.len() / 2] {
        *x = 0x5a;
    }
    std::fs::write(&routes[2], &b).unwrap();
    let e = suzieq::read_namespace(&d, "mixed").unwrap_err();
    assert!(e.to_string().contains("routes"), "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn unknown_schema_version_is_an_error() {
    let d = scratch("version");
    copy_table(&d, "device", "3.0");
    copy_table(&d, "interfaces", "3.0");
    copy_table(&d, "routes", "2.0");
    std::fs::rename(d.join("routes/sqvers=2.0"), d.join("routes/sqvers=9.0")).unwrap();
    let e = suzieq::read_namespace(&d, "mixed").unwrap_err();
    assert!(
        matches!(
            e,
            ImportError::UnknownSchemaVersion {
                table: "routes",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("sqvers=9.0"), "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}

/// SuzieQ's expected paths for a case of `expected/public_path_cases.yaml`:
/// per path, (hostname, iif, oif) per hop.
fn expected_paths(ns: &str) -> Vec<Vec<(String, String, String)>> {
    #[derive(serde::Deserialize)]
    struct File {
        cases: Vec<Case>,
    }
    #[derive(serde::Deserialize)]
    struct Case {
        command: String,
        output: String,
    }
    let text =
        std::fs::read_to_string(fixture().join("../expected/public_path_cases.yaml")).unwrap();
    let file: File = serde_saphyr::from_str(&text).unwrap();
    let case = file
        .cases
        .iter()
        .find(|c| {
            c.command.contains(&format!("--namespace={ns}")) && !c.command.contains("--columns")
        })
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&case.output).unwrap();
    let mut paths: std::collections::BTreeMap<i64, Vec<(String, String, String)>> =
        std::collections::BTreeMap::new();
    for r in rows {
        let s = |k: &str| r[k].as_str().unwrap().to_string();
        paths
            .entry(r["pathid"].as_i64().unwrap())
            .or_default()
            .push((s("hostname"), s("iif"), s("oif")));
    }
    let mut v: Vec<_> = paths.into_values().collect();
    v.sort();
    v
}

/// Trace on the converted model and render each branch as SuzieQ does.
fn traced_paths(ns: &str, src: &str, dst: &str) -> Vec<Vec<(String, String, String)>> {
    let s = suzieq::read_namespace(&fixture(), ns).unwrap();
    let net = suzieq::convert(&s).network;
    let dp = pathtrace_engine::build(&net);
    let plane = dp
        .state
        .as_deref()
        .expect("an imported network carries observed state");
    let t = pathtrace_engine::state::trace_state(
        plane,
        src.parse().unwrap(),
        dst.parse().unwrap(),
        None,
    )
    .unwrap();
    let mut v: Vec<Vec<(String, String, String)>> = t
        .paths
        .iter()
        .map(|p| {
            p.iter()
                .map(|h| (h.hostname.clone(), h.iif.clone(), h.oif.clone()))
                .collect()
        })
        .collect();
    v.sort();
    // The same paths through the engine's general entry point (what the CLI
    // and the server use): one ACCEPTED branch per path, same devices.
    let flow = pathtrace_engine::Flow::new(src.parse().unwrap(), dst.parse().unwrap());
    let tr = pathtrace_engine::trace(&dp, &flow).unwrap();
    assert_eq!(tr.branches.len(), v.len());
    for b in &tr.branches {
        assert_eq!(b.disposition, pathtrace_engine::Disposition::Accepted);
        assert_eq!(b.hops.len(), v[0].len());
    }
    v
}

#[test]
fn s1_mixed_trace_matches_suzieq() {
    assert_eq!(
        traced_paths("mixed", "1.1.1.1", "6.6.6.6"),
        expected_paths("mixed")
    );
}

/// EOS unnumbered interfaces report the loopback address (10.0.0.14/32 on
/// Ethernet1 and Loopback0): the trace on observed state resolves them as
/// SuzieQ does (the loopback is the source; the peer's ARP entry names the
/// link).
#[test]
fn s3_eos_trace_matches_suzieq() {
    assert_eq!(
        traced_paths("eos", "10.0.0.14", "10.0.0.11"),
        expected_paths("eos")
    );
}
