//! Differential tests against the answers Batfish printed in pybatfish's
//! notebooks for its example network (the `live` snapshot): every question
//! about forwarding or routing in the three transcripts under
//! `tests/fixtures/batfish-example/expected/notebooks/` (provenance in
//! `expected/README.md`), replayed on pathtrace's data plane.
//!
//! Cells are cited by their `In [n]` execution count in the notebook version
//! named in the transcript: `forwarding.ipynb` and `routingTables.ipynb` at
//! pybatfish 0036ca8d, `Introduction to Forwarding Analysis.ipynb` at
//! pybatfish 013e3ce0.
//!
//! A Batfish trace is compared on what both tools express: per hop the node,
//! the L3 interface it was entered by and left by, the filters evaluated
//! there with their verdicts, and the disposition. The traces of a flow are
//! compared as a set (Batfish and pathtrace order ECMP branches differently),
//! and their number with Batfish's `TraceCount`. Flows are written as Batfish
//! prints them (`start=NODE [interface=IFACE] [SRC:SPORT->DST:DPORT PROTO]`):
//! `start=NODE` is the node originating the packet ([`Source::Device`], or
//! [`Source::Host`] for a host), `interface=IFACE` the packet entering that
//! interface ([`Source::Subnet`], Batfish's `@enter(NODE[IFACE])`).
//!
//! Reachability-style answers (reachability, multipath consistency) come
//! from a symbolic search over header spaces, which pathtrace does not do:
//! the example flow each row shows is replayed, and where the notebook prints
//! no traces for a row only what the question guarantees about that flow is
//! checked. Answers that are empty (no flow found) are checked on a sample of
//! the flows the question covers, which is a necessary condition only.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::Path;

use pathtrace_engine::dataplane::Owner;
use pathtrace_engine::trace::HopAction;
use pathtrace_engine::{
    Branch, DataPlane, Disposition, Flow, Node, Protocol, Source, Trace, TraceOptions,
};

/// The `live` snapshot as a model and its data plane.
struct Live {
    net: pathtrace_model::Network,
    dp: DataPlane,
}

fn live() -> Live {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/batfish-example/live");
    let snap = pathtrace_import::ios::read_snapshot(&dir).unwrap();
    let conv = pathtrace_import::ios::to_network(&snap, "example");
    let dp = pathtrace_engine::build(&conv.network);
    Live {
        net: conv.network,
        dp,
    }
}

// ---------------------------------------------------------------------------
// Flows in Batfish's notation
// ---------------------------------------------------------------------------

/// Parse a flow as Batfish prints it (`start=as2border1
/// interface=GigabitEthernet2/0 [8.8.8.8:49152->2.34.201.10:33434 UDP
/// length=512]`) into a start and a flow.
fn parse_flow(dp: &DataPlane, text: &str) -> (Source, Flow) {
    let rest = text
        .strip_prefix("start=")
        .unwrap_or_else(|| panic!("not a Batfish flow: {text}"));
    let (loc, hdr) = rest.split_once(" [").unwrap();
    let hdr = hdr.strip_suffix(']').unwrap();
    let (node, iface) = match loc.split_once(" interface=") {
        Some((n, i)) => (n, Some(i)),
        None => (loc, None),
    };
    let mut words = hdr.split(' ');
    let (src, dst) = words.next().unwrap().split_once("->").unwrap();
    let endpoint = |s: &str| -> (IpAddr, u16) {
        let (ip, port) = s.rsplit_once(':').unwrap();
        (ip.parse().unwrap(), port.parse().unwrap())
    };
    let ((src, src_port), (dst, dst_port)) = (endpoint(src), endpoint(dst));
    let protocol: Protocol = words.next().unwrap().parse().unwrap();
    let source = match (dp.device_index(node), iface) {
        (Some(d), Some(i)) => Source::Subnet(
            dp.interface_index(d, i)
                .unwrap_or_else(|| panic!("{node} has no interface {i}")),
        ),
        (Some(d), None) => Source::Device(d),
        (None, None) => Source::Host(host_index(dp, node)),
        (None, Some(_)) => panic!("no device {node}"),
    };
    let flow = Flow {
        src,
        dst,
        protocol: Some(protocol),
        src_port: Some(src_port),
        dst_port: Some(dst_port),
    };
    (source, flow)
}

fn host_index(dp: &DataPlane, name: &str) -> u32 {
    dp.hosts
        .iter()
        .position(|h| h.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no device or host {name}")) as u32
}

/// A start and a flow written as Batfish prints them (without `length=`).
fn flow_text(dp: &DataPlane, source: Source, f: &Flow) -> String {
    let start = match source {
        Source::Device(d) => dp.devices[d as usize].name.clone(),
        Source::Host(h) => dp.hosts[h as usize].name.clone().unwrap_or_default(),
        Source::Interface(i) | Source::Subnet(i) => {
            let i = &dp.interfaces[i as usize];
            format!(
                "{} interface={}",
                dp.devices[i.device as usize].name, i.name
            )
        }
    };
    format!(
        "start={start} [{}:{}->{}:{} {}]",
        f.src,
        f.src_port.unwrap_or(0),
        f.dst,
        f.dst_port.unwrap_or(0),
        f.protocol.map_or("", Protocol::as_str)
    )
}

/// Batfish's flow text without the packet length pathtrace does not model.
fn without_length(text: &str) -> String {
    text.replace(" length=512", "")
}

/// The flow answering `f`: addresses and ports swapped.
fn reverse(f: &Flow) -> Flow {
    Flow {
        src: f.dst,
        dst: f.src,
        protocol: f.protocol,
        src_port: f.dst_port,
        dst_port: f.src_port,
    }
}

fn run(dp: &DataPlane, source: Source, flow: &Flow) -> Trace {
    pathtrace_engine::trace_from(dp, flow, source, TraceOptions::default())
}

// ---------------------------------------------------------------------------
// Traces in a compact notation
// ---------------------------------------------------------------------------

/// One trace as `DISPOSITION: hop hop …`, a hop as
/// `node[IN FILTER > OUT FILTER]`: `-` for no interface, a filter as `+NAME`
/// (permitted) or `!NAME` (denied), interface names shortened
/// `GigabitEthernet` → `Gi`. Batfish's hops are written this way from the
/// notebooks; pathtrace's branches are rendered into it.
fn render(dp: &DataPlane, b: &Branch) -> String {
    let iface = |ix: Option<u32>| {
        ix.map_or_else(
            || "-".to_string(),
            |i| {
                dp.interfaces[i as usize]
                    .name
                    .replace("GigabitEthernet", "Gi")
            },
        )
    };
    let filter = |hit: Option<pathtrace_engine::acl::AclHit>| {
        hit.map_or_else(String::new, |h| {
            let sign = if h.permit { '+' } else { '!' };
            format!(" {sign}{}", dp.acls[h.acl as usize].name)
        })
    };
    let mut out = format!("{}:", b.disposition.as_str());
    // Batfish has no hop for the unmodelled address a packet entering an
    // interface comes from, nor for one it is delivered to.
    for h in b
        .hops
        .iter()
        .filter(|h| !matches!(h.node, Node::Address(_)))
    {
        let (node, inp, outp) = match h.node {
            Node::Device(d) => (
                dp.devices[d as usize].name.clone(),
                iface(h.ingress_virtual.or(h.ingress)),
                iface(h.egress_virtual.or(h.egress)),
            ),
            Node::Host(x) => {
                let host = &dp.hosts[x as usize];
                let name = host.interface.clone().unwrap_or_else(|| "eth0".into());
                let (i, o) = if h.action == HopAction::Originated {
                    ("-".to_string(), name)
                } else {
                    (name, "-".to_string())
                };
                (host.name.clone().unwrap_or_default(), i, o)
            }
            other => (format!("{other:?}"), "-".into(), "-".into()),
        };
        let _ = write!(
            out,
            " {node}[{inp}{} > {outp}{}]",
            filter(h.acl_in),
            filter(h.acl_out)
        );
    }
    out
}

/// Replay `flow` (Batfish notation) and compare its traces with Batfish's:
/// `None` when they agree, else what differs.
fn diff(dp: &DataPlane, flow: &str, expected: &[&str]) -> Option<String> {
    let (source, f) = parse_flow(dp, flow);
    let t = run(dp, source, &f);
    let act: BTreeSet<String> = t.branches.iter().map(|b| render(dp, b)).collect();
    let exp: BTreeSet<String> = expected.iter().map(|s| (*s).to_string()).collect();
    if act == exp && t.trace_count == expected.len() && t.branches.len() == expected.len() {
        return None;
    }
    let mut msg = format!(
        "{flow}: Batfish {} traces, pathtrace {} (count {})\n",
        expected.len(),
        t.branches.len(),
        t.trace_count
    );
    for e in exp.difference(&act) {
        let _ = writeln!(msg, "  batfish only:   {e}");
    }
    for a in act.difference(&exp) {
        let _ = writeln!(msg, "  pathtrace only: {a}");
    }
    Some(msg)
}

/// Panic with every difference collected.
fn assert_none(diffs: Vec<Option<String>>) {
    let diffs: Vec<String> = diffs.into_iter().flatten().collect();
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

/// What a row of a reachability-style answer guarantees about its flow when
/// the notebook does not print the flow's traces.
#[derive(Clone, Copy)]
enum Guarantee {
    /// Some trace succeeds (reachability with `actions=SUCCESS`).
    SomeSuccess,
    /// Some traces succeed and some fail (multipath inconsistency).
    Mixed,
}

fn check_guarantee(dp: &DataPlane, flow: &str, g: Guarantee) -> Option<String> {
    let (source, f) = parse_flow(dp, flow);
    let t = run(dp, source, &f);
    let ok = t.branches.iter().any(|b| b.disposition.is_success());
    let failed = t.branches.iter().any(|b| !b.disposition.is_success());
    let holds = match g {
        Guarantee::SomeSuccess => ok,
        Guarantee::Mixed => ok && failed,
    };
    if holds {
        return None;
    }
    let traces: Vec<String> = t.branches.iter().map(|b| render(dp, b)).collect();
    Some(format!(
        "{flow}: expected {} traces, pathtrace has:\n  {}",
        match g {
            Guarantee::SomeSuccess => "some successful",
            Guarantee::Mixed => "both successful and failed",
        },
        traces.join("\n  ")
    ))
}

/// Where the answer to a branch starts, as Batfish's bidirectional questions
/// start it: the host or device that accepted the packet originates the
/// reply; a packet delivered to a subnet is answered from that subnet,
/// entering the interface it was delivered out of.
fn reverse_start(b: &Branch) -> Source {
    let last = b
        .hops
        .iter()
        .rev()
        .find(|h| !matches!(h.node, Node::Address(_)))
        .unwrap();
    match (b.disposition, last.node) {
        (Disposition::Accepted, Node::Host(h)) => Source::Host(h),
        (Disposition::Accepted, Node::Device(d)) => Source::Device(d),
        (Disposition::DeliveredToSubnet | Disposition::ExitsNetwork, Node::Device(_)) => {
            Source::Subnet(last.egress_virtual.or(last.egress).unwrap())
        }
        (d, n) => panic!("no reverse flow for a branch ending {d:?} at {n:?}"),
    }
}

/// A bidirectional question: the forward flow's traces, then the reverse
/// flow (its start derived from where the forward traces ended) and its
/// traces. Batfish matches the reverse flow against firewall sessions the
/// forward flow set up; the example network has none, so a plain reverse
/// trace is what Batfish computed.
fn diff_bidirectional(
    dp: &DataPlane,
    forward: &str,
    forward_traces: &[&str],
    reverse_flow: &str,
    reverse_traces: &[&str],
) -> Vec<Option<String>> {
    let mut out = vec![diff(dp, forward, forward_traces)];
    let (source, f) = parse_flow(dp, forward);
    let t = run(dp, source, &f);
    let starts: BTreeSet<String> = t
        .branches
        .iter()
        .filter(|b| b.disposition.is_success())
        .map(|b| flow_text(dp, reverse_start(b), &reverse(&f)))
        .collect();
    let want = without_length(reverse_flow);
    if starts.len() != 1 || !starts.contains(&want) {
        out.push(Some(format!(
            "reverse flow: Batfish {want}, pathtrace {starts:?}"
        )));
    }
    out.push(diff(dp, reverse_flow, reverse_traces));
    out
}

// ---------------------------------------------------------------------------
// forwarding.ipynb ("Packet Forwarding")
// ---------------------------------------------------------------------------

/// B5's two OSPF E2 paths from as2border1 Gi2/0 to as2dist2's host subnet.
const B5_TRACES: [&str; 2] = [
    "DELIVERED_TO_SUBNET: as2border1[Gi2/0 > Gi1/0] as2core1[Gi0/0 > Gi3/0] as2dist2[Gi1/0 > Gi2/0]",
    "DELIVERED_TO_SUBNET: as2border1[Gi2/0 > Gi2/0] as2core2[Gi1/0 > Gi2/0] as2dist2[Gi0/0 > Gi2/0]",
];

const B5_FLOW: &str = "start=as2border1 interface=GigabitEthernet2/0 [8.8.8.8:49152->2.34.201.10:33434 UDP length=512]";

/// forwarding.ipynb, Traceroute, In [5]–[12] (forwarding.md §1):
/// `traceroute(startLocation='@enter(as2border1[GigabitEthernet2/0])',
/// headers=HeaderConstraints(dstIps='2.34.201.10', srcIps='8.8.8.8'))`:
/// one flow, two traces, both DELIVERED_TO_SUBNET out as2dist2 Gi2/0.
#[test]
fn forwarding_traceroute() {
    let l = live();
    assert_none(vec![diff(&l.dp, B5_FLOW, &B5_TRACES)]);
}

/// forwarding.ipynb, Bi-directional Traceroute, In [15]–[29]
/// (forwarding.md §2): the forward traces of the traceroute above, then the
/// reverse flow from as2dist2 Gi2/0 (where the forward flow was delivered)
/// back to 8.8.8.8: NO_ROUTE at as2dist2 (the network has no default route).
#[test]
fn forwarding_bidirectional_traceroute() {
    let l = live();
    assert_none(diff_bidirectional(
        &l.dp,
        B5_FLOW,
        &B5_TRACES,
        "start=as2dist2 interface=GigabitEthernet2/0 [2.34.201.10:33434->8.8.8.8:49152 UDP length=512]",
        &["NO_ROUTE: as2dist2[Gi2/0 > -]"],
    ));
}

/// host1 accepting a packet: its iptables `filter::INPUT` permits it.
const HOST1_OK: &str = "host1[eth0 +filter::INPUT > -]";

/// The four paths from as2border1 to host1 (iBGP 2.128.0.0/24 over both
/// cores and both distribution routers), after `first`, the as2border1 hop
/// without its exit interface (`as2border1[- ` or `as2border1[Gi0/0
/// +OUTSIDE_TO_INSIDE `).
fn as2border1_to_host1(first: &str) -> Vec<String> {
    [
        "Gi1/0] as2core1[Gi0/0 > Gi2/0] as2dist1[Gi0/0 > Gi2/0] as2dept1[Gi0/0 > Gi2/0]",
        "Gi1/0] as2core1[Gi0/0 > Gi3/0] as2dist2[Gi1/0 > Gi2/0] as2dept1[Gi1/0 > Gi2/0]",
        "Gi2/0] as2core2[Gi1/0 > Gi2/0] as2dist2[Gi0/0 > Gi2/0] as2dept1[Gi1/0 > Gi2/0]",
        "Gi2/0] as2core2[Gi1/0 > Gi3/0] as2dist1[Gi1/0 > Gi2/0] as2dept1[Gi0/0 > Gi2/0]",
    ]
    .iter()
    .map(|p| format!("ACCEPTED: {first}> {p} {HOST1_OK}"))
    .collect()
}

/// The same from as2border2.
fn as2border2_to_host1(first: &str) -> Vec<String> {
    [
        "Gi1/0] as2core2[Gi0/0 > Gi2/0] as2dist2[Gi0/0 > Gi2/0] as2dept1[Gi1/0 > Gi2/0]",
        "Gi1/0] as2core2[Gi0/0 > Gi3/0] as2dist1[Gi1/0 > Gi2/0] as2dept1[Gi0/0 > Gi2/0]",
        "Gi2/0] as2core1[Gi1/0 > Gi2/0] as2dist1[Gi0/0 > Gi2/0] as2dept1[Gi0/0 > Gi2/0]",
        "Gi2/0] as2core1[Gi1/0 > Gi3/0] as2dist2[Gi1/0 > Gi2/0] as2dept1[Gi1/0 > Gi2/0]",
    ]
    .iter()
    .map(|p| format!("ACCEPTED: {first}> {p} {HOST1_OK}"))
    .collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// forwarding.ipynb, Reachability, In [32]–[39] (forwarding.md §3):
/// `reachability(startLocation='/as2/', dstIps='host1', srcIps='0.0.0.0/0',
/// applications='DNS', actions='SUCCESS')`: seven example flows, one per AS2
/// router. Row 0's four traces are printed (all ACCEPTED at host1); for rows
/// 1–6 only the flow is, so pathtrace must find some successful trace.
#[test]
fn forwarding_reachability() {
    let l = live();
    let row0 = as2border1_to_host1("as2border1[- ");
    let mut diffs = vec![diff(
        &l.dp,
        "start=as2border1 [10.0.0.0:49152->2.128.0.101:53 UDP length=512]",
        &strs(&row0),
    )];
    for node in [
        "as2border2",
        "as2core1",
        "as2core2",
        "as2dept1",
        "as2dist1",
        "as2dist2",
    ] {
        diffs.push(check_guarantee(
            &l.dp,
            &format!("start={node} [10.0.0.0:49152->2.128.0.101:53 UDP length=512]"),
            Guarantee::SomeSuccess,
        ));
    }
    assert_none(diffs);
}

/// forwarding.ipynb, Bi-directional Reachability, In [42]–[56]
/// (forwarding.md §4): DNS from as2dist1 to host1 is accepted, and host1's
/// reply (leaving through `filter::OUTPUT`, entering as2dept1 through
/// `RESTRICT_HOST_TRAFFIC_IN`) is accepted by as2dist1 Gi2/0.
#[test]
fn forwarding_bidirectional_reachability() {
    let l = live();
    assert_none(diff_bidirectional(
        &l.dp,
        "start=as2dist1 [2.34.101.3:49152->2.128.0.101:53 UDP length=512]",
        &[&format!(
            "ACCEPTED: as2dist1[- > Gi2/0] as2dept1[Gi0/0 > Gi2/0] {HOST1_OK}"
        )],
        "start=host1 [2.128.0.101:53->2.34.101.3:49152 UDP length=512]",
        &[
            "ACCEPTED: host1[- > eth0 +filter::OUTPUT] as2dept1[Gi2/0 +RESTRICT_HOST_TRAFFIC_IN > Gi0/0] as2dist1[Gi2/0 > -]",
        ],
    ));
}

/// forwarding.ipynb, Loop detection, In [59]–[60] (forwarding.md §5):
/// `detectLoops()` over every flow finds none. Sampled: from every router
/// and host (originating) and into every addressed router interface (from the last
/// host address of its subnet), a UDP flow to the first and last host
/// addresses of every network in any main RIB and to every interface and
/// host address; no trace may end in LOOP.
#[test]
fn forwarding_detect_loops() {
    let l = live();
    let dp = &l.dp;
    let mut dsts: BTreeSet<IpAddr> = pathtrace_engine::routes(&l.net)
        .iter()
        .flat_map(|r| sample_addresses(r.network))
        .collect();
    dsts.extend(
        dp.interfaces
            .iter()
            .flat_map(|i| i.addrs.iter().map(ipnet::IpNet::addr)),
    );
    dsts.extend(dp.hosts.iter().map(|h| h.ip.addr()));
    let mut starts: Vec<(Source, IpAddr)> = Vec::new();
    for (d, dev) in dp.devices.iter().enumerate() {
        let Some(src) = dev
            .interfaces
            .iter()
            .find_map(|&i| dp.interfaces[i as usize].addrs.first())
        else {
            continue;
        };
        starts.push((Source::Device(d as u32), src.addr()));
    }
    for (h, host) in dp.hosts.iter().enumerate() {
        starts.push((Source::Host(h as u32), host.ip.addr()));
    }
    for (i, iface) in dp.interfaces.iter().enumerate() {
        if let Some(a) = iface.addrs.first().filter(|a| a.prefix_len() < 31) {
            starts.push((
                Source::Subnet(i as u32),
                *sample_addresses(a.trunc()).last().unwrap(),
            ));
        }
    }
    let mut loops = Vec::new();
    for &(source, src) in &starts {
        for &dst in &dsts {
            let flow = Flow {
                src,
                dst,
                protocol: Some(Protocol::Udp),
                src_port: Some(49152),
                dst_port: Some(33434),
            };
            let t = run(dp, source, &flow);
            for b in t
                .branches
                .iter()
                .filter(|b| b.disposition == Disposition::Loop)
            {
                loops.push(format!(
                    "{}: {}",
                    flow_text(dp, source, &flow),
                    render(dp, b)
                ));
            }
        }
    }
    assert!(
        loops.is_empty(),
        "{} traces of {} flows loop, e.g.:\n{}",
        loops.len(),
        starts.len() * dsts.len(),
        loops[..loops.len().min(10)].join("\n")
    );
}

/// Addresses in `net`: its first and last host addresses (the address
/// itself for a /31, /32 or IPv6 network).
fn sample_addresses(net: ipnet::IpNet) -> Vec<IpAddr> {
    match net {
        ipnet::IpNet::V4(n) if n.prefix_len() < 31 => vec![
            IpAddr::V4((u32::from(n.network()) + 1).into()),
            IpAddr::V4((u32::from(n.broadcast()) - 1).into()),
        ],
        other => vec![other.addr()],
    }
}

/// forwarding.ipynb, Multipath Consistency for host-subnets, In [63]–[70]
/// (forwarding.md §6): `subnetMultipathConsistency()` gives ten telnet flows
/// to 1.0.1.3 treated differently by different paths. Row 0's four traces
/// are printed: two DENIED_IN by `blocktelnet` at as2core1, two
/// DELIVERED_TO_SUBNET at as1border1 through as2border1's `INSIDE_TO_AS1`.
/// Rows 1–9 must have both successful and failed traces.
#[test]
fn forwarding_subnet_multipath_consistency() {
    let l = live();
    let to_as1 = "as2border1[Gi2/0 > Gi0/0 +INSIDE_TO_AS1] as1border1[Gi1/0 > Gi0/0]";
    let mut diffs = vec![diff(
        &l.dp,
        "start=as2dept1 interface=GigabitEthernet0/0 [2.34.101.1:49152->1.0.1.3:23 TCP length=512]",
        &[
            "DENIED_IN: as2dept1[Gi0/0 > Gi0/0] as2dist1[Gi2/0 > Gi0/0] as2core1[Gi2/0 !blocktelnet > -]",
            &format!(
                "DELIVERED_TO_SUBNET: as2dept1[Gi0/0 > Gi0/0] as2dist1[Gi2/0 > Gi1/0] as2core2[Gi3/0 > Gi1/0] {to_as1}"
            ),
            &format!(
                "DELIVERED_TO_SUBNET: as2dept1[Gi0/0 > Gi1/0] as2dist2[Gi2/0 > Gi0/0] as2core2[Gi2/0 > Gi1/0] {to_as1}"
            ),
            "DENIED_IN: as2dept1[Gi0/0 > Gi1/0] as2dist2[Gi2/0 > Gi1/0] as2core1[Gi3/0 !blocktelnet > -]",
        ],
    )];
    for row in [
        "start=as2dept1 interface=GigabitEthernet1/0 [2.34.201.1:49152->1.0.1.3:23 TCP length=512]",
        "start=as2dept1 interface=GigabitEthernet2/0 [2.128.0.2:49152->1.0.1.3:23 TCP length=512]",
        "start=as2dept1 interface=GigabitEthernet3/0 [2.128.1.2:49152->1.0.1.3:23 TCP length=512]",
        "start=as2dist1 interface=GigabitEthernet0/0 [2.23.11.1:49152->1.0.1.3:23 TCP length=512]",
        "start=as2dist1 interface=GigabitEthernet1/0 [2.23.21.1:49152->1.0.1.3:23 TCP length=512]",
        "start=as2dist1 interface=GigabitEthernet2/0 [2.34.101.1:49152->1.0.1.3:23 TCP length=512]",
        "start=as2dist2 interface=GigabitEthernet0/0 [2.23.22.1:49152->1.0.1.3:23 TCP length=512]",
        "start=as2dist2 interface=GigabitEthernet1/0 [2.23.12.1:49152->1.0.1.3:23 TCP length=512]",
        "start=as2dist2 interface=GigabitEthernet2/0 [2.34.201.1:49152->1.0.1.3:23 TCP length=512]",
    ] {
        diffs.push(check_guarantee(&l.dp, row, Guarantee::Mixed));
    }
    assert_none(diffs);
}

/// B4: as2core2 → as2core1's Loopback0 over the four OSPF paths, two
/// accepted and two denied by `blocktelnet` (flow text without `length=`,
/// as the introduction notebook prints it).
const B4_FLOW: &str = "start=as2core2 [2.1.2.2:49152->2.1.2.1:23 TCP]";

const B4_TRACES: [&str; 4] = [
    "ACCEPTED: as2core2[- > Gi0/0] as2border2[Gi1/0 > Gi2/0] as2core1[Gi1/0 > -]",
    "ACCEPTED: as2core2[- > Gi1/0] as2border1[Gi2/0 > Gi1/0] as2core1[Gi0/0 > -]",
    "DENIED_IN: as2core2[- > Gi2/0] as2dist2[Gi0/0 > Gi1/0] as2core1[Gi3/0 !blocktelnet > -]",
    "DENIED_IN: as2core2[- > Gi3/0] as2dist1[Gi1/0 > Gi0/0] as2core1[Gi2/0 !blocktelnet > -]",
];

/// forwarding.ipynb, Multipath Consistency for router loopbacks,
/// In [73]–[80] (forwarding.md §7): `loopbackMultipathConsistency()` gives
/// three telnet flows between loopbacks. Row 0's four traces are printed
/// (B4); rows 1–2 (to as2border1's Loopback0) must have both successful and
/// failed traces.
#[test]
fn forwarding_loopback_multipath_consistency() {
    let l = live();
    assert_none(vec![
        diff(&l.dp, B4_FLOW, &B4_TRACES),
        check_guarantee(
            &l.dp,
            "start=as2dist1 [2.1.3.1:49152->2.1.1.1:23 TCP length=512]",
            Guarantee::Mixed,
        ),
        check_guarantee(
            &l.dp,
            "start=as2dist2 [2.1.3.2:49152->2.1.1.1:23 TCP length=512]",
            Guarantee::Mixed,
        ),
    ]);
}

// ---------------------------------------------------------------------------
// routingTables.ipynb ("Routing and Forwarding Tables")
// ---------------------------------------------------------------------------

/// routingTables.ipynb, Routes, In [5]–[7] (routingTables.md "routes"):
/// `routes()`, whose first five (unsorted) rows are printed; each must be a
/// row of pathtrace's main RIB, with the same next hop, interface, protocol,
/// metric and admin distance, and `Next_Hop` (the node owning the next-hop
/// address) the same. A row is written `node VRF network Next_Hop
/// Next_Hop_IP Next_Hop_Interface protocol metric admin`. `Tag` is `None` in
/// all five rows; pathtrace has no route tags.
#[test]
fn routing_tables_routes() {
    let l = live();
    let dp = &l.dp;
    let rows = [
        "as1border1 default 1.0.1.1/32 None AUTO/NONE(-1l) GigabitEthernet0/0 local 0 0",
        "as2border1 default 2.23.11.0/24 as2core1 2.12.11.2 GigabitEthernet1/0 ospf 2 110",
        "as2dist2 default 2.1.3.1/32 as2core1 2.23.12.2 GigabitEthernet1/0 ospf 3 110",
        "as2core1 default 2.12.21.0/24 None AUTO/NONE(-1l) GigabitEthernet1/0 connected 0 0",
        "as2dist2 default 2.12.22.0/24 as2core2 2.23.22.2 GigabitEthernet0/0 ospf 2 110",
    ];
    let owner = |ip: Option<IpAddr>| match ip.and_then(|ip| dp.owner(ip)) {
        Some(Owner::Iface(i)) => dp.devices[dp.interfaces[i as usize].device as usize]
            .name
            .clone(),
        Some(Owner::Host(h)) => dp.hosts[h as usize].name.clone().unwrap_or_default(),
        None => "None".to_string(),
    };
    let ours: Vec<String> = pathtrace_engine::routes(&l.net)
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {} {} {} {} {}",
                r.node,
                r.vrf,
                r.network,
                owner(r.next_hop_ip),
                r.next_hop_ip
                    .map_or_else(|| "AUTO/NONE(-1l)".to_string(), |i| i.to_string()),
                r.next_hop_interface.as_deref().unwrap_or("-"),
                r.protocol,
                r.metric,
                r.admin,
            )
        })
        .collect();
    let missing: Vec<String> = rows
        .iter()
        .filter(|r| !ours.iter().any(|o| o == *r))
        .map(|r| {
            // pathtrace's rows for the same node and network.
            let key: Vec<&str> = r.split(' ').take(3).collect();
            let near: Vec<&String> = ours
                .iter()
                .filter(|o| o.split(' ').take(3).eq(key.iter().copied()))
                .collect();
            format!("batfish:   {r}\n  pathtrace: {near:?}")
        })
        .collect();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// One `bgpRib()` row as the notebook prints it.
struct BgpRow {
    node: &'static str,
    network: &'static str,
    next_hop: &'static str,
    protocol: &'static str,
    as_path: &'static str,
    metric: u32,
    local_pref: u32,
    communities: &'static [&'static str],
    origin_type: &'static str,
    originator_id: &'static str,
    cluster_list: &'static [u32],
    weight: u32,
}

/// routingTables.ipynb, BGP RIB, In [10]–[11] (routingTables.md
/// "bgpRib"): `bgpRib()`, whose first five rows (all `['BEST']`, VRF
/// `default`, next-hop interface `dynamic`) are printed. Each must be a main
/// RIB route of pathtrace (network, BGP next hop, protocol) and a path
/// pathtrace's BGP selected for that prefix with the same AS path, MED,
/// local preference, communities, origin, originator id, cluster list and
/// weight. Batfish's Originator_Id is the ORIGINATOR_ID attribute if the
/// path has one, else the BGP router id of the peer it came from; pathtrace
/// keeps the attribute and the peer's address, so the peer's router id is
/// looked up in the model. Not compared: `Origin_Protocol` (pathtrace does
/// not keep which protocol a path was first learned by) and `Tag`
/// (pathtrace has no route tags); both are the same in all five rows
/// (`Origin_Protocol` = `Protocol`, `Tag` = None).
#[test]
fn routing_tables_bgp_rib() {
    let l = live();
    let rows = [
        BgpRow {
            node: "as2dept1",
            network: "1.0.2.0/24",
            next_hop: "2.34.101.3",
            protocol: "bgp",
            as_path: "2 1",
            metric: 50,
            local_pref: 350,
            communities: &["1:2", "2:65001"],
            origin_type: "igp",
            originator_id: "2.1.3.1",
            cluster_list: &[],
            weight: 0,
        },
        BgpRow {
            node: "as3core1",
            network: "1.0.2.0/24",
            next_hop: "10.13.22.1",
            protocol: "ibgp",
            as_path: "1",
            metric: 50,
            local_pref: 350,
            communities: &["1:3"],
            origin_type: "igp",
            originator_id: "3.2.2.2",
            cluster_list: &[],
            weight: 0,
        },
        BgpRow {
            node: "as2dist1",
            network: "2.128.0.0/24",
            next_hop: "2.34.101.4",
            protocol: "bgp",
            as_path: "65001",
            metric: 50,
            local_pref: 350,
            communities: &["65001:2"],
            origin_type: "igp",
            originator_id: "2.1.4.1",
            cluster_list: &[],
            weight: 0,
        },
        BgpRow {
            node: "as2dept1",
            network: "3.0.2.0/24",
            next_hop: "2.34.201.3",
            protocol: "bgp",
            as_path: "2 3",
            metric: 50,
            local_pref: 350,
            communities: &["3:2", "2:65001"],
            origin_type: "igp",
            originator_id: "2.1.3.2",
            cluster_list: &[],
            weight: 0,
        },
        BgpRow {
            node: "as3border2",
            network: "2.128.0.0/16",
            next_hop: "10.23.21.2",
            protocol: "ibgp",
            as_path: "2",
            metric: 50,
            local_pref: 350,
            communities: &["2:3"],
            origin_type: "igp",
            // Cluster id 50987265 = 3.10.1.1 (as3core1, the reflector).
            originator_id: "3.1.1.1",
            cluster_list: &[50_987_265],
            weight: 0,
        },
    ];
    let dp = &l.dp;
    let rib = pathtrace_engine::routes(&l.net);
    let bgp = dp.bgp().expect("BGP computed");
    // The BGP router id of the device owning an address.
    let router_id = |ip: IpAddr| -> Option<String> {
        let Some(Owner::Iface(i)) = dp.owner(ip) else {
            return None;
        };
        let name = &dp.devices[dp.interfaces[i as usize].device as usize].name;
        let dev = l.net.devices.iter().find(|d| &d.hostname == name)?;
        dev.bgp.as_ref()?.router_id.map(|r| r.to_string())
    };
    let mut diffs = Vec::new();
    for r in &rows {
        let network: ipnet::IpNet = r.network.parse().unwrap();
        let nh: IpAddr = r.next_hop.parse().unwrap();
        if !rib.iter().any(|x| {
            x.node == r.node
                && x.vrf == "default"
                && x.network == network
                && x.next_hop_ip == Some(nh)
                && x.protocol == r.protocol
        }) {
            let near: Vec<_> = rib
                .iter()
                .filter(|x| x.node == r.node && x.network == network)
                .collect();
            diffs.push(format!(
                "{} {} via {} ({}): not in pathtrace's RIB; it has {near:?}",
                r.node, r.network, r.next_hop, r.protocol
            ));
            continue;
        }
        let d = dp.device_index(r.node).unwrap();
        let Some(sel) = bgp.best[d as usize].get(&network) else {
            diffs.push(format!("{} {}: no BGP paths", r.node, r.network));
            continue;
        };
        let Some(p) = sel.used().iter().find(|p| p.next_hop == Some(nh)) else {
            diffs.push(format!(
                "{} {} via {}: not a selected BGP path ({:?})",
                r.node,
                r.network,
                r.next_hop,
                sel.used()
            ));
            continue;
        };
        let as_path: Vec<String> = p.as_path.iter().map(u32::to_string).collect();
        let communities: BTreeSet<String> = p
            .communities
            .iter()
            .map(|c| format!("{}:{}", c >> 16, c & 0xffff))
            .collect();
        let want_communities: BTreeSet<String> =
            r.communities.iter().map(|c| (*c).to_string()).collect();
        let originator = p
            .originator_id
            .map(|o| o.to_string())
            .or_else(|| p.received_from.and_then(router_id))
            .unwrap_or_else(|| "None".into());
        let clusters: Vec<u32> = p.cluster_list.iter().map(|&c| u32::from(c)).collect();
        let ours = (
            as_path.join(" "),
            p.med,
            p.local_pref,
            communities,
            p.origin.as_str(),
            originator,
            clusters,
            p.weight,
        );
        let theirs = (
            r.as_path.to_string(),
            r.metric,
            r.local_pref,
            want_communities,
            r.origin_type,
            r.originator_id.to_string(),
            r.cluster_list.to_vec(),
            r.weight,
        );
        if ours != theirs {
            diffs.push(format!(
                "{} {} via {}: (AS path, MED, local pref, communities, origin, originator, \
                 cluster list, weight) Batfish {theirs:?}, pathtrace {ours:?}",
                r.node, r.network, r.next_hop
            ));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

/// routingTables.ipynb, Longest Prefix Match, In [20]–[21]
/// (routingTables.md "lpmRoutes"): `lpmRoutes(ip='2.34.201.10')`, first
/// five rows: per node the longest main-RIB prefix holding the address and
/// how many routes (next hops) it has.
#[test]
fn routing_tables_lpm_routes() {
    let l = live();
    let ip: IpAddr = "2.34.201.10".parse().unwrap();
    let rib = pathtrace_engine::routes(&l.net);
    let rows = [
        ("as2border1", "default", "2.34.201.0/24", 2),
        ("as2border2", "default", "2.34.201.0/24", 2),
        ("as2core1", "default", "2.34.201.0/24", 1),
        ("as2core2", "default", "2.34.201.0/24", 1),
        ("as2dept1", "default", "2.34.201.0/24", 1),
    ];
    let mut diffs = Vec::new();
    for (node, vrf, network, count) in rows {
        let matching: Vec<_> = rib
            .iter()
            .filter(|r| r.node == node && r.vrf == vrf && r.network.contains(&ip))
            .collect();
        let longest = matching
            .iter()
            .map(|r| r.network)
            .max_by_key(ipnet::IpNet::prefix_len);
        let n = matching
            .iter()
            .filter(|r| Some(r.network) == longest)
            .count();
        let ours = (longest.map(|n| n.to_string()), n);
        if ours != (Some(network.to_string()), count) {
            diffs.push(format!(
                "{node} {vrf}: Batfish {network} with {count} routes, pathtrace {ours:?}"
            ));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

// ---------------------------------------------------------------------------
// Introduction to Forwarding Analysis.ipynb
// ---------------------------------------------------------------------------

/// Introduction to Forwarding Analysis.ipynb, "Batfish Smart Traceroute",
/// In [3]–[8] (§1): `traceroute(startLocation="as3core1[Loopback0]",
/// dstIps='host1')`. Batfish's flow starts at as3core1 (originated, source
/// Loopback0's 3.10.1.1) and has four traces, all crossing as2border2's
/// `OUTSIDE_TO_INSIDE` and DENIED_IN at host1 by `filter::INPUT` (UDP 33434
/// is not DNS).
#[test]
fn intro_traceroute_as3core1_to_host1() {
    let l = live();
    let head = "DENIED_IN: as3core1[- > Gi1/0] as3border1[Gi0/0 > Gi1/0] as2border2[Gi0/0 +OUTSIDE_TO_INSIDE > ";
    let denied = "host1[eth0 !filter::INPUT > -]";
    let traces: Vec<String> = [
        "Gi1/0] as2core2[Gi0/0 > Gi2/0] as2dist2[Gi0/0 > Gi2/0] as2dept1[Gi1/0 > Gi2/0]",
        "Gi1/0] as2core2[Gi0/0 > Gi3/0] as2dist1[Gi1/0 > Gi2/0] as2dept1[Gi0/0 > Gi2/0]",
        "Gi2/0] as2core1[Gi1/0 > Gi2/0] as2dist1[Gi0/0 > Gi2/0] as2dept1[Gi0/0 > Gi2/0]",
        "Gi2/0] as2core1[Gi1/0 > Gi3/0] as2dist2[Gi1/0 > Gi2/0] as2dept1[Gi1/0 > Gi2/0]",
    ]
    .iter()
    .map(|p| format!("{head}{p} {denied}"))
    .collect();
    assert_none(vec![diff(
        &l.dp,
        "start=as3core1 [3.10.1.1:49152->2.128.0.101:33434 UDP length=512]",
        &strs(&traces),
    )]);
}

/// The routers `/as2/` matches (the hosts do not).
const AS2_ROUTERS: [&str; 7] = [
    "as2border1",
    "as2border2",
    "as2core1",
    "as2core2",
    "as2dept1",
    "as2dist1",
    "as2dist2",
];

/// Introduction to Forwarding Analysis.ipynb, Example 1, In [9] (§2):
/// `reachability(startLocation="/as2/", srcIps="0.0.0.0/0", dstIps="host1",
/// applications="DNS", actions="success")`: seven example flows
/// `0.0.0.0:0 -> 2.128.0.101:53 UDP`, every trace ACCEPTED at host1. The
/// interfaces of rows 3–6, abbreviated in the transcript, are as the
/// notebook's output cell prints them. Row 2 (as2core1, TraceCount 2) is
/// skipped: the transcript marks its traces as not read.
#[test]
fn intro_reachability_dns_from_as2_reaches_host1() {
    let l = live();
    let flow = |node: &str| format!("start={node} [0.0.0.0:0->2.128.0.101:53 UDP]");
    let row0 = as2border1_to_host1("as2border1[- ");
    let row1 = as2border2_to_host1("as2border2[- ");
    let row3 = [
        format!(
            "ACCEPTED: as2core2[- > Gi2/0] as2dist2[Gi0/0 > Gi2/0] as2dept1[Gi1/0 > Gi2/0] {HOST1_OK}"
        ),
        format!(
            "ACCEPTED: as2core2[- > Gi3/0] as2dist1[Gi1/0 > Gi2/0] as2dept1[Gi0/0 > Gi2/0] {HOST1_OK}"
        ),
    ];
    let row4 = [format!("ACCEPTED: as2dept1[- > Gi2/0] {HOST1_OK}")];
    let row5 = [format!(
        "ACCEPTED: as2dist1[- > Gi2/0] as2dept1[Gi0/0 > Gi2/0] {HOST1_OK}"
    )];
    let row6 = [format!(
        "ACCEPTED: as2dist2[- > Gi2/0] as2dept1[Gi1/0 > Gi2/0] {HOST1_OK}"
    )];
    assert_none(vec![
        diff(&l.dp, &flow("as2border1"), &strs(&row0)),
        diff(&l.dp, &flow("as2border2"), &strs(&row1)),
        diff(&l.dp, &flow("as2core2"), &strs(&row3)),
        diff(&l.dp, &flow("as2dept1"), &strs(&row4)),
        diff(&l.dp, &flow("as2dist1"), &strs(&row5)),
        diff(&l.dp, &flow("as2dist2"), &strs(&row6)),
    ]);
}

/// Introduction to Forwarding Analysis.ipynb, Example 2, In [10] (§3):
/// `reachability(startLocation="/as2/", dstIps="host1",
/// applications="DNS", actions="failure")` is empty: DNS to host1 never
/// fails from an AS2 router. Sampled: from every AS2 router, with each of
/// its addresses as the source (Batfish's default source for a node start),
/// every trace of UDP 49152 → 2.128.0.101:53 succeeds.
#[test]
fn intro_reachability_dns_from_as2_never_fails() {
    let l = live();
    let dp = &l.dp;
    let mut failures = Vec::new();
    for node in AS2_ROUTERS {
        let d = dp.device_index(node).unwrap();
        for &i in &dp.devices[d as usize].interfaces {
            for a in &dp.interfaces[i as usize].addrs {
                let flow = Flow {
                    src: a.addr(),
                    dst: "2.128.0.101".parse().unwrap(),
                    protocol: Some(Protocol::Udp),
                    src_port: Some(49152),
                    dst_port: Some(53),
                };
                let t = run(dp, Source::Device(d), &flow);
                for b in t.branches.iter().filter(|b| !b.disposition.is_success()) {
                    failures.push(format!(
                        "{}: {}",
                        flow_text(dp, Source::Device(d), &flow),
                        render(dp, b)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Introduction to Forwarding Analysis.ipynb, Example 3, In [11] (§4):
/// `reachability(startLocation="/as2/", srcIps="0.0.0.0/0", dstIps="host1",
/// ipProtocols="UDP", dstPorts="!53", actions="accepted")` is empty: host1
/// accepts no UDP but DNS. Sampled: from every AS2 router, UDP from
/// 0.0.0.0:49152 to 2.128.0.101 on a set of ports other than 53; no trace
/// may be ACCEPTED.
#[test]
fn intro_reachability_no_other_udp_accepted_by_host1() {
    let l = live();
    let dp = &l.dp;
    let mut accepted = Vec::new();
    for node in AS2_ROUTERS {
        let d = dp.device_index(node).unwrap();
        for port in [0, 1, 22, 52, 54, 67, 69, 123, 161, 514, 33434, 65535] {
            let flow = Flow {
                src: "0.0.0.0".parse().unwrap(),
                dst: "2.128.0.101".parse().unwrap(),
                protocol: Some(Protocol::Udp),
                src_port: Some(49152),
                dst_port: Some(port),
            };
            let t = run(dp, Source::Device(d), &flow);
            for b in t
                .branches
                .iter()
                .filter(|b| b.disposition == Disposition::Accepted)
            {
                accepted.push(format!(
                    "{}: {}",
                    flow_text(dp, Source::Device(d), &flow),
                    render(dp, b)
                ));
            }
        }
    }
    assert!(accepted.is_empty(), "{}", accepted.join("\n"));
}

/// Introduction to Forwarding Analysis.ipynb, Example 4, In [12] (§5):
/// `reachability(startLocation="@enter(/as2border/[GigabitEthernet0/0])",
/// srcIps="0.0.0.0/0", dstIps="host1", applications="DNS",
/// actions="success")`: DNS entering either AS2 border router from outside
/// passes `OUTSIDE_TO_INSIDE` and reaches host1 over four paths each (the
/// notebook's flow cell names both start interfaces, GigabitEthernet0/0).
#[test]
fn intro_reachability_dns_from_outside_as2_reaches_host1() {
    let l = live();
    let row0 = as2border1_to_host1("as2border1[Gi0/0 +OUTSIDE_TO_INSIDE ");
    let row1 = as2border2_to_host1("as2border2[Gi0/0 +OUTSIDE_TO_INSIDE ");
    assert_none(vec![
        diff(
            &l.dp,
            "start=as2border1 interface=GigabitEthernet0/0 [0.0.0.0:0->2.128.0.101:53 UDP]",
            &strs(&row0),
        ),
        diff(
            &l.dp,
            "start=as2border2 interface=GigabitEthernet0/0 [0.0.0.0:0->2.128.0.101:53 UDP]",
            &strs(&row1),
        ),
    ]);
}

/// Introduction to Forwarding Analysis.ipynb, "Multipath Consistency",
/// In [13] (§6): the first result of `multipathConsistency()` is B4, four
/// OSPF paths from as2core2 to as2core1's Loopback0, two ACCEPTED and two
/// DENIED_IN by `blocktelnet`.
#[test]
fn intro_multipath_consistency() {
    let l = live();
    assert_none(vec![diff(&l.dp, B4_FLOW, &B4_TRACES)]);
}
