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

// ----- the other two snapshots ---------------------------------------------

fn data_plane(snapshot: &str) -> pathtrace_engine::DataPlane {
    let snap = pathtrace_import::ios::read_snapshot(&fixture().join(snapshot)).unwrap();
    pathtrace_engine::build(&pathtrace_import::ios::to_network(&snap, snapshot).network)
}

/// DNS from AS3's core (its Loopback0) to host1.
fn as3_dns_to_host1(dp: &pathtrace_engine::DataPlane) -> pathtrace_engine::Trace {
    use pathtrace_engine::{Flow, Protocol, Source, TraceOptions};
    let flow = Flow {
        src: "3.10.1.1".parse().unwrap(),
        dst: "2.128.0.101".parse().unwrap(),
        protocol: Some(Protocol::Udp),
        src_port: Some(49152),
        dst_port: Some(53),
    };
    let d = dp.device_index("as3core1").unwrap();
    pathtrace_engine::trace_from(dp, &flow, Source::Device(d), TraceOptions::default())
}

/// Whether a branch enters or leaves `node` by `iface`.
fn crosses(
    dp: &pathtrace_engine::DataPlane,
    b: &pathtrace_engine::Branch,
    node: &str,
    iface: &str,
) -> bool {
    let ix = dp
        .device_index(node)
        .and_then(|d| dp.interface_index(d, iface))
        .unwrap();
    b.hops
        .iter()
        .any(|h| h.ingress == Some(ix) || h.egress == Some(ix))
}

fn nodes(dp: &pathtrace_engine::DataPlane, b: &pathtrace_engine::Branch) -> Vec<String> {
    b.hops
        .iter()
        .filter_map(|h| match h.node {
            pathtrace_engine::Node::Device(d) => Some(dp.devices[d as usize].name.clone()),
            pathtrace_engine::Node::Host(x) => dp.hosts[x as usize].name.clone(),
            _ => None,
        })
        .collect()
}

/// `live-with-interface-outage`: as2border2 GigabitEthernet0/0 (its eBGP
/// link to AS3) is down. The eBGP session over it goes, its routes with it,
/// and traffic from AS3 that crossed that link reaches AS2 through AS1.
#[test]
fn interface_outage_moves_as3_traffic_through_as1() {
    let live = data_plane("live");
    let out = data_plane("live-with-interface-outage");
    let before = as3_dns_to_host1(&live);
    assert!(!before.branches.is_empty());
    for b in &before.branches {
        assert_eq!(b.disposition.as_str(), "ACCEPTED");
        assert!(crosses(&live, b, "as2border2", "GigabitEthernet0/0"));
    }
    let after = as3_dns_to_host1(&out);
    assert!(!after.branches.is_empty());
    for b in &after.branches {
        assert_eq!(b.disposition.as_str(), "ACCEPTED");
        assert!(!crosses(&out, b, "as2border2", "GigabitEthernet0/0"));
        let n = nodes(&out, b);
        assert_eq!(
            &n[..6],
            [
                "as3core1",
                "as3border2",
                "as1border2",
                "as1core1",
                "as1border1",
                "as2border1"
            ],
            "{n:?}"
        );
    }
    // The RIBs: the session's routes are gone from as2border2, the link's
    // subnet too; AS3 learns AS2's aggregate through AS1 only.
    let rib = |s: &str| {
        let snap = pathtrace_import::ios::read_snapshot(&fixture().join(s)).unwrap();
        pathtrace_engine::routes(&pathtrace_import::ios::to_network(&snap, s).network)
    };
    let (live_rib, out_rib) = (rib("live"), rib("live-with-interface-outage"));
    let via_as3 = |r: &pathtrace_engine::RibRoute| {
        r.node == "as2border2" && r.next_hop_ip == Some("10.23.21.3".parse().unwrap())
    };
    assert!(live_rib.iter().any(via_as3));
    assert!(!out_rib.iter().any(via_as3));
    assert!(
        !out_rib
            .iter()
            .any(|r| r.node == "as2border2" && r.network.to_string() == "10.23.21.0/24")
    );
    let agg_on_as3border1 = |rib: &[pathtrace_engine::RibRoute]| {
        rib.iter()
            .filter(|r| r.node == "as3border1" && r.network.to_string() == "2.128.0.0/16")
            .map(|r| (r.protocol, r.next_hop_ip))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        agg_on_as3border1(&live_rib),
        [("bgp", Some("10.23.21.2".parse().unwrap()))]
    );
    assert!(
        agg_on_as3border1(&out_rib)
            .iter()
            .all(|(p, nh)| *p == "ibgp" && *nh != Some("10.23.21.2".parse().unwrap())),
        "{:?}",
        agg_on_as3border1(&out_rib)
    );
}

/// `candidate`: as2dept1 applies `RESTRICT_HOST_TRAFFIC_IN` outbound on its
/// port toward host1 (GigabitEthernet2/0) — the misapplied ACL. It permits
/// only sources in 2.128.0.0/16, so traffic from outside AS2's department
/// subnets that `live` delivers is now denied there, on every path.
#[test]
fn candidate_acl_denies_outside_traffic_to_host1() {
    use pathtrace_engine::{Flow, Protocol, Source, TraceOptions};
    let live = data_plane("live");
    let cand = data_plane("candidate");
    for b in &as3_dns_to_host1(&live).branches {
        assert_eq!(b.disposition.as_str(), "ACCEPTED");
    }
    let t = as3_dns_to_host1(&cand);
    assert!(!t.branches.is_empty());
    let g2 = cand
        .device_index("as2dept1")
        .and_then(|d| cand.interface_index(d, "GigabitEthernet2/0"))
        .unwrap();
    for b in &t.branches {
        assert_eq!(b.disposition.as_str(), "DENIED_OUT");
        let last = b.hops.last().unwrap();
        assert_eq!(nodes(&cand, b).last().map(String::as_str), Some("as2dept1"));
        assert_eq!(last.egress, Some(g2));
        let hit = last.acl_out.unwrap();
        assert_eq!(cand.acls[hit.acl as usize].name, "RESTRICT_HOST_TRAFFIC_IN");
        assert!(!hit.permit);
    }
    // From a permitted source (as2dept1's own address on host2's subnet)
    // DNS to host1 still works. (host2 itself may not: its own iptables
    // OUTPUT drops packets to host1 — DENIED_OUT at host2.)
    let mut flow = Flow {
        src: "2.128.1.1".parse().unwrap(),
        dst: "2.128.0.101".parse().unwrap(),
        protocol: Some(Protocol::Udp),
        src_port: Some(49152),
        dst_port: Some(53),
    };
    let g3 = cand
        .device_index("as2dept1")
        .and_then(|d| cand.interface_index(d, "GigabitEthernet3/0"))
        .unwrap();
    let t =
        pathtrace_engine::trace_from(&cand, &flow, Source::Interface(g3), TraceOptions::default());
    assert!(!t.branches.is_empty());
    assert!(
        t.branches
            .iter()
            .all(|b| b.disposition.as_str() == "ACCEPTED")
    );
    flow.src = "2.128.1.101".parse().unwrap();
    let t = pathtrace_engine::trace(&cand, &flow).unwrap();
    assert_eq!(t.branches.len(), 1);
    assert_eq!(t.branches[0].disposition.as_str(), "DENIED_OUT");
    assert_eq!(nodes(&cand, &t.branches[0]), ["host2"]);
}
