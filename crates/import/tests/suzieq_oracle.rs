//! Differential test against SuzieQ itself: every flow between the loopbacks
//! and servers of the four fixture namespaces, traced by pathtrace on the
//! imported observed state, compared with SuzieQ 0.25.0's own `path show`
//! answer recorded by `scripts/suzieq/oracle.py` in
//! `tests/fixtures/suzieq/expected/oracle/<namespace>.json`.
//!
//! A path is compared hop by hop on device, incoming and outgoing interface,
//! VRF, overlay and L2 flags, MTUs, `mtuMatch`, route lookup, protocol,
//! next hop, VTEP, and errors; the paths of a flow as a multiset (SuzieQ's own
//! tests compare without regard to row order). `<namespace>-extra.json` adds SVI
//! gateway addresses, hosts seen only in ARP, routed link addresses and an
//! address outside the network, to and from a sample of the main endpoints.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use pathtrace_engine::state::{StateHop, StatePlane, trace_state};
use serde::Deserialize;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/suzieq")
}

#[derive(Deserialize)]
struct Oracle {
    flows: Vec<Flow>,
}

#[derive(Deserialize)]
struct Flow {
    src: IpAddr,
    dst: IpAddr,
    #[serde(default)]
    rows: Option<Vec<Row>>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Row {
    pathid: u32,
    hop_count: u32,
    hostname: String,
    iif: String,
    oif: String,
    vrf: String,
    #[serde(rename = "isL2")]
    is_l2: bool,
    overlay: bool,
    mtu_match: Option<bool>,
    in_mtu: Option<f64>,
    out_mtu: Option<f64>,
    protocol: Option<String>,
    ip_lookup: Option<String>,
    vtep_lookup: Option<String>,
    mac_lookup: Option<String>,
    nexthop_ip: Option<String>,
    hop_error: Option<String>,
}

/// One hop as a comparable line.
fn line(h: &str, iif: &str, oif: &str, vrf: &str, l2: bool, ov: bool, rest: &str) -> String {
    format!("{h}({iif}>{oif}) vrf={vrf} l2={l2} overlay={ov} {rest}")
}

fn expected(rows: &[Row]) -> Vec<Vec<String>> {
    let mut by: BTreeMap<u32, Vec<Row>> = BTreeMap::new();
    for r in rows {
        by.entry(r.pathid).or_default().push(r.clone());
    }
    let mut out: Vec<Vec<String>> = by
        .into_values()
        .map(|mut v| {
            v.sort_by_key(|r| r.hop_count);
            v.iter()
                .map(|r| {
                    line(
                        &r.hostname,
                        &r.iif,
                        &r.oif,
                        &r.vrf,
                        r.is_l2,
                        r.overlay,
                        &format!(
                            "mtu={}/{} match={} proto={} lookup={} nh={} vtep={} mac={} err=[{}]",
                            r.in_mtu.unwrap_or(0.0) as u64,
                            r.out_mtu.unwrap_or(0.0) as u64,
                            r.mtu_match.unwrap_or(false),
                            r.protocol.as_deref().unwrap_or(""),
                            r.ip_lookup.as_deref().unwrap_or(""),
                            r.nexthop_ip.as_deref().unwrap_or(""),
                            r.vtep_lookup.as_deref().unwrap_or(""),
                            r.mac_lookup.as_deref().unwrap_or(""),
                            r.hop_error.as_deref().unwrap_or(""),
                        ),
                    )
                })
                .collect()
        })
        .collect();
    out.sort();
    out
}

fn actual(paths: &[Vec<StateHop>]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = paths
        .iter()
        .map(|p| {
            p.iter()
                .map(|h| {
                    line(
                        &h.hostname,
                        &h.iif,
                        &h.oif,
                        &h.vrf,
                        h.is_l2,
                        h.overlay,
                        &format!(
                            "mtu={}/{} match={} proto={} lookup={} nh={} vtep={} mac={} err=[{}]",
                            h.in_mtu,
                            h.out_mtu,
                            h.mtu_match,
                            h.protocol,
                            h.ip_lookup,
                            h.nexthop_ip,
                            h.vtep_lookup,
                            h.mac_lookup,
                            h.hop_error,
                        ),
                    )
                })
                .collect()
        })
        .collect();
    out.sort();
    out
}

/// Flows whose SuzieQ answer is arbitrary: the destination is an address on
/// interfaces of many devices (Cumulus' 169.254.0.1 BGP-unnumbered next
/// hop), and SuzieQ picks among them by the order of rows polled at the same
/// millisecond, which its (unstable) sort leaves undefined.
const ARBITRARY: &[(&str, &str, &str)] = &[("dual-evpn-extra", "172.16.1.101", "169.254.0.1")];

/// Trace every recorded flow of a namespace; the flows that differ, described.
fn differences(ns: &str) -> (usize, Vec<String>) {
    let dir = fixture();
    let oracle: Oracle = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("expected/oracle/{ns}.json"))).unwrap(),
    )
    .unwrap();
    let snap =
        pathtrace_import::read_namespace(&dir.join("parquet"), ns.trim_end_matches("-extra"))
            .unwrap();
    let net = pathtrace_import::convert(&snap).network;
    let plane = StatePlane::build(&net.observed);
    let mut diffs = Vec::new();
    for f in &oracle.flows {
        if ARBITRARY
            .iter()
            .any(|&(n, s, d)| n == ns && f.src.to_string() == s && f.dst.to_string() == d)
        {
            continue;
        }
        let got = trace_state(&plane, f.src, f.dst, None);
        match (&f.rows, &f.error, got) {
            (Some(rows), _, Ok(t)) => {
                let (e, a) = (expected(rows), actual(&t.paths));
                if e != a {
                    diffs.push(format!(
                        "{ns} {} -> {}:\n  suzieq:\n    {}\n  pathtrace:\n    {}",
                        f.src,
                        f.dst,
                        e.iter()
                            .map(|p| p.join("\n     "))
                            .collect::<Vec<_>>()
                            .join("\n    ---\n    "),
                        a.iter()
                            .map(|p| p.join("\n     "))
                            .collect::<Vec<_>>()
                            .join("\n    ---\n    ")
                    ));
                }
            }
            (Some(_), _, Err(e)) => diffs.push(format!(
                "{ns} {} -> {}: suzieq traced, pathtrace: {e}",
                f.src, f.dst
            )),
            (None, Some(err), Ok(t)) => diffs.push(format!(
                "{ns} {} -> {}: suzieq failed ({err}), pathtrace found {} paths",
                f.src,
                f.dst,
                t.paths.len()
            )),
            (None, Some(err), Err(e)) => {
                if !err.ends_with(&e.to_string()) {
                    diffs.push(format!(
                        "{ns} {} -> {}: errors differ: suzieq {err:?}, pathtrace {:?}",
                        f.src,
                        f.dst,
                        e.to_string()
                    ));
                }
            }
            (None, None, _) => panic!("oracle record without rows or error"),
        }
    }
    (oracle.flows.len(), diffs)
}

fn check(ns: &str) {
    let (n, d) = differences(ns);
    if let Ok(dir) = std::env::var("SUZIEQ_DIFF_DIR") {
        std::fs::write(Path::new(&dir).join(format!("{ns}.txt")), d.join("\n\n")).unwrap();
    }
    if !d.is_empty() {
        let shown: Vec<&String> = d.iter().take(6).collect();
        panic!(
            "{ns}: {} of {n} flows differ from SuzieQ; first ones:\n{}",
            d.len(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[test]
fn mixed_agrees_with_suzieq() {
    check("mixed");
    check("mixed-extra");
}

#[test]
fn eos_agrees_with_suzieq() {
    check("eos");
    check("eos-extra");
}

#[test]
fn dual_evpn_agrees_with_suzieq() {
    check("dual-evpn");
    check("dual-evpn-extra");
}

#[test]
fn ospf_ibgp_agrees_with_suzieq() {
    check("ospf-ibgp");
    check("ospf-ibgp-extra");
}

/// Every flow between two loopbacks or servers of each namespace traces
/// through the engine's general entry point (what the CLI and the server
/// use) without error: where SuzieQ stops with "No routes found for
/// [device]", the trace is a `NO_ROUTE` branch at that device; wherever
/// SuzieQ found paths, the branches are those paths.
#[test]
fn every_endpoint_pair_traces_without_error() {
    let dir = fixture();
    for ns in ["mixed", "eos", "dual-evpn", "ospf-ibgp"] {
        let oracle: Oracle = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("expected/oracle/{ns}.json"))).unwrap(),
        )
        .unwrap();
        let snap = pathtrace_import::read_namespace(&dir.join("parquet"), ns).unwrap();
        let dp = pathtrace_engine::build(&pathtrace_import::convert(&snap).network);
        for f in &oracle.flows {
            let t = pathtrace_engine::trace(&dp, &pathtrace_engine::Flow::new(f.src, f.dst))
                .unwrap_or_else(|e| panic!("{ns} {} -> {}: {e}", f.src, f.dst));
            match &f.rows {
                Some(rows) => {
                    let paths = rows.iter().map(|r| r.pathid).max().unwrap_or(0) as usize;
                    assert_eq!(t.branches.len(), paths, "{ns} {} -> {}", f.src, f.dst);
                }
                None => assert!(
                    t.branches
                        .iter()
                        .all(|b| b.disposition == pathtrace_engine::Disposition::NoRoute),
                    "{ns} {} -> {}",
                    f.src,
                    f.dst
                ),
            }
        }
    }
}

/// The observed state survives a model file: a namespace written as YAML (as
/// `pathtrace import suzieq -o FILE` writes it) and loaded back traces the
/// same as the parquet directory, for every recorded flow of `eos`.
#[test]
fn observed_state_round_trips_through_a_model_file() {
    let dir = fixture();
    let snap = pathtrace_import::read_namespace(&dir.join("parquet"), "eos").unwrap();
    let net = pathtrace_import::convert(&snap).network;
    let yaml = serde_saphyr::to_string(&net).unwrap();
    let loaded = pathtrace_model::load_str(&yaml, "eos.yaml").unwrap();
    assert_eq!(loaded.observed, net.observed);
    let (a, b) = (
        StatePlane::build(&net.observed),
        StatePlane::build(&loaded.observed),
    );
    let oracle: Oracle = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected/oracle/eos.json")).unwrap(),
    )
    .unwrap();
    for f in &oracle.flows {
        assert_eq!(
            trace_state(&a, f.src, f.dst, None),
            trace_state(&b, f.src, f.dst, None),
            "{} -> {}",
            f.src,
            f.dst
        );
    }
}
