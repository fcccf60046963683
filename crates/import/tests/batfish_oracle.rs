//! Differential test against Batfish itself: the main RIB of every node of
//! the Batfish example network (`live` snapshot), computed by pathtrace from
//! the IOS configurations, compared with Batfish's own `routes()` answer
//! recorded in Batfish's test suite (`tests/fixtures/batfish-example/expected/
//! routes.ref.json`, provenance in that folder's README).
//!
//! A route is compared on node, VRF, network, protocol, next-hop IP,
//! next-hop interface (where Batfish names one: not `dynamic`), administrative
//! distance and metric. Batfish's host nodes (host1, host2) are compared on
//! the routes a host has: connected, local and its default route.
//!
//! `BATFISH_DIFF=1` prints every difference instead of the first few.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/batfish-example")
}

type Row = (String, String, String, String, String, String, u64, u64);

fn expected() -> BTreeSet<Row> {
    let text = std::fs::read_to_string(fixture().join("expected/routes.ref.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let rows = v[0]["rows"].as_array().unwrap();
    rows.iter()
        .map(|r| {
            let nh_ip = r["Next_Hop_IP"].as_str().unwrap_or("-");
            let nh_ip = if nh_ip.starts_with("AUTO/NONE") {
                "-"
            } else {
                nh_ip
            };
            let nh_if = r["Next_Hop_Interface"].as_str().unwrap_or("-");
            let nh_if = if nh_if == "dynamic" { "-" } else { nh_if };
            (
                r["Node"]["name"].as_str().unwrap().to_string(),
                r["VRF"].as_str().unwrap().to_string(),
                r["Network"].as_str().unwrap().to_string(),
                r["Protocol"].as_str().unwrap().to_string(),
                nh_ip.to_string(),
                nh_if.to_string(),
                r["Admin_Distance"].as_u64().unwrap(),
                r["Metric"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn actual(snapshot: &str) -> BTreeSet<Row> {
    let snap = pathtrace_import::ios::read_snapshot(&fixture().join(snapshot)).unwrap();
    let conv = pathtrace_import::ios::to_network(&snap, "example");
    pathtrace_engine::routes(&conv.network)
        .into_iter()
        .map(|r| {
            // Batfish names the interface of static, connected, local and
            // OSPF routes; BGP next hops are "dynamic".
            let nh_if = match r.protocol {
                "bgp" | "ibgp" => "-".to_string(),
                _ => r.next_hop_interface.unwrap_or_else(|| "-".to_string()),
            };
            (
                r.node,
                r.vrf,
                r.network.to_string(),
                r.protocol.to_string(),
                r.next_hop_ip
                    .map_or_else(|| "-".to_string(), |i| i.to_string()),
                nh_if,
                u64::from(r.admin),
                u64::from(r.metric),
            )
        })
        .collect()
}

#[test]
fn live_main_rib_agrees_with_batfish() {
    let exp = expected();
    let act = actual("live");
    let missing: Vec<&Row> = exp.difference(&act).collect();
    let extra: Vec<&Row> = act.difference(&exp).collect();
    if missing.is_empty() && extra.is_empty() {
        return;
    }
    let all = std::env::var_os("BATFISH_DIFF").is_some();
    let limit = if all { usize::MAX } else { 15 };
    let mut msg = format!(
        "{} routes agree; {} only in Batfish, {} only in pathtrace\n",
        exp.intersection(&act).count(),
        missing.len(),
        extra.len()
    );
    for r in missing.iter().take(limit) {
        let _ = writeln!(msg, "  batfish only:   {r:?}");
    }
    for r in extra.iter().take(limit) {
        let _ = writeln!(msg, "  pathtrace only: {r:?}");
    }
    panic!("{msg}");
}

/// A trace reduced to what Batfish and pathtrace both say: per hop the node
/// and the L3 interfaces it entered and left by, and the disposition.
type TracePath = (String, Vec<(String, String, String)>);

fn batfish_paths(row: &Value) -> Vec<TracePath> {
    let mut out: Vec<TracePath> = row["Traces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let hops = t["hops"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    let node = h["node"]["name"].as_str().unwrap().to_string();
                    let mut inp = "-".to_string();
                    let mut outp = "-".to_string();
                    for s in h["steps"].as_array().unwrap() {
                        let d = &s["detail"];
                        match s["type"].as_str().unwrap() {
                            "EnterInputInterface" => {
                                inp = d["inputInterface"]["interface"]
                                    .as_str()
                                    .unwrap_or("-")
                                    .to_string();
                            }
                            "ExitOutputInterface" => {
                                outp = d["outputInterface"]["interface"]
                                    .as_str()
                                    .unwrap_or("-")
                                    .to_string();
                            }
                            _ => {}
                        }
                    }
                    (node, inp, outp)
                })
                .collect();
            (t["disposition"].as_str().unwrap().to_string(), hops)
        })
        .collect();
    out.sort();
    out
}

fn our_paths(dp: &pathtrace_engine::DataPlane, t: &pathtrace_engine::Trace) -> Vec<TracePath> {
    use pathtrace_engine::Node;
    let name = |ix: Option<u32>| {
        ix.map_or_else(
            || "-".to_string(),
            |i| dp.interfaces[i as usize].name.clone(),
        )
    };
    let mut out: Vec<TracePath> = t
        .branches
        .iter()
        .map(|b| {
            // Batfish has no hop for the address a packet entering an
            // interface comes from.
            let hops = b
                .hops
                .iter()
                .filter(|h| !matches!(h.node, Node::Address(_)))
                .map(|h| match h.node {
                    Node::Device(d) => (
                        dp.devices[d as usize].name.clone(),
                        name(h.ingress_virtual.or(h.ingress)),
                        name(h.egress_virtual.or(h.egress)),
                    ),
                    Node::Host(x) => (
                        dp.hosts[x as usize].name.clone().unwrap_or_default(),
                        host_if(h.action != pathtrace_engine::trace::HopAction::Originated),
                        host_if(h.action == pathtrace_engine::trace::HopAction::Originated),
                    ),
                    other => (format!("{other:?}"), "-".into(), "-".into()),
                })
                .collect();
            (b.disposition.as_str().to_string(), hops)
        })
        .collect();
    out.sort();
    out
}

/// The fixture's hosts have one interface, `eth0`.
fn host_if(used: bool) -> String {
    if used { "eth0" } else { "-" }.to_string()
}

/// Batfish's `traceroute` answers recorded in its test suite, replayed:
/// same start (node, interface or host), same flow, same traces.
fn replay(file: &str) {
    use pathtrace_engine::{Flow, Protocol, Source, TraceOptions};
    let text = std::fs::read_to_string(fixture().join("expected").join(file)).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    // The answer is a one-element list in newer Batfish files.
    let v = if v.is_array() { v[0].clone() } else { v };
    let snap = pathtrace_import::ios::read_snapshot(&fixture().join("live")).unwrap();
    let conv = pathtrace_import::ios::to_network(&snap, "example");
    let dp = pathtrace_engine::build(&conv.network);
    for row in v["rows"].as_array().unwrap() {
        let f = &row["Flow"];
        let flow = Flow {
            src: f["srcIp"].as_str().unwrap().parse().unwrap(),
            dst: f["dstIp"].as_str().unwrap().parse().unwrap(),
            protocol: Some(match f["ipProtocol"].as_str().unwrap() {
                "TCP" => Protocol::Tcp,
                "UDP" => Protocol::Udp,
                _ => Protocol::Icmp,
            }),
            src_port: f["srcPort"].as_u64().map(|p| p as u16),
            dst_port: f["dstPort"].as_u64().map(|p| p as u16),
        };
        let node = f["ingressNode"].as_str().unwrap();
        let source = match (dp.device_index(node), f["ingressInterface"].as_str()) {
            (Some(d), Some(i)) => Source::Subnet(dp.interface_index(d, i).unwrap()),
            (Some(d), None) => Source::Device(d),
            (None, _) => pathtrace_engine::trace::find_source(&dp, flow.src).unwrap(),
        };
        let t = pathtrace_engine::trace_from(&dp, &flow, source, TraceOptions::default());
        let (exp, act) = (batfish_paths(row), our_paths(&dp, &t));
        assert_eq!(act, exp, "{file}: flow {flow:?} from {node}");
    }
}

#[test]
fn traceroute_host2_to_as1border1_agrees_with_batfish() {
    replay("traceroute-2-1.ref.json");
}

#[test]
fn traceroute_as1core1_to_host1_agrees_with_batfish() {
    replay("traceroute-1-2.ref.json");
}
