//! Commands on a Cisco IOS snapshot in Batfish's layout (`configs/`,
//! `hosts/`, `iptables/`, `interface_blacklist`), converted into the model at
//! start (`pathtrace_import::ios`):
//!
//! - `routes --snapshot DIR [--node N] [--vrf V] [--protocol P] [--prefix P]
//!   [--format table|json|tsv]`: the computed main RIB, comparable with
//!   Batfish's `routes()` answer (a next hop given by address only has the
//!   interface `dynamic` in text, as Batfish prints it);
//! - `trace --snapshot DIR START DST …`: a trace from a Batfish start
//!   location (`NODE`, `NODE[INTERFACE]`, `@enter(NODE[INTERFACE])` or a
//!   source address) with Batfish's traceroute defaults (UDP, 49152 →
//!   33434), printed as a table, JSON or Batfish-like text ([`batfish_text`]).
//!
//! Bad input (an unreadable snapshot, an unknown node or interface, a
//! malformed start location) is one `error:` line and exit code 2.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use pathtrace_engine::dataplane::Owner;
use pathtrace_engine::fib::Action;
use pathtrace_engine::trace::{Detail, HopAction, Node};
use pathtrace_engine::{
    Branch, DataPlane, Disposition, Flow, Hop, Protocol, RibRoute, Source, Trace, TraceOptions,
};
use pathtrace_model::Network;

/// Batfish's traceroute source port ("lowest ephemeral").
pub const DEFAULT_SRC_PORT: u16 = 49152;
/// Batfish's traceroute destination port.
pub const DEFAULT_DST_PORT: u16 = 33434;

/// Protocol names of the main RIB (Batfish's), for `routes --protocol`.
const PROTOCOLS: [&str; 14] = [
    "connected",
    "local",
    "static",
    "ospf",
    "ospfIA",
    "ospfE1",
    "ospfE2",
    "bgp",
    "ibgp",
    "aggregate",
    "isis",
    "eigrp",
    "rip",
    "other",
];

/// A usage error: printed as `error: …`, exit code 2.
#[derive(Debug)]
pub struct Usage(pub String);

impl Usage {
    fn exit(&self) -> ExitCode {
        eprintln!("error: {}", self.0);
        ExitCode::from(2)
    }
}

/// Read a snapshot directory and convert it into a model named after the
/// directory. The conversion's warnings are summarised on standard error in
/// one line.
pub fn load(dir: &Path) -> Result<Network, Usage> {
    let snap = pathtrace_import::ios::read_snapshot(dir).map_err(|e| Usage(e.to_string()))?;
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "snapshot".to_string());
    let conv = pathtrace_import::ios::to_network(&snap, &name);
    if let Some(first) = conv.warnings.first() {
        eprintln!(
            "note: {} item(s) of {} were left out of the model or adjusted (first: {first})",
            conv.warnings.len(),
            dir.display()
        );
    }
    Ok(conv.network)
}

// ---------------------------------------------------------------- routes

/// Output formats of `routes`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoutesFormat {
    /// Aligned columns, as Batfish's `routes()` answer.
    Table,
    /// An array of objects (node, vrf, network, protocol, next_hop_ip,
    /// next_hop_interface, admin, metric).
    Json,
    /// Tab-separated, a header line, `-` for an absent value (as
    /// tests/fixtures/batfish-example/expected/routes-live.tsv).
    Tsv,
}

/// Flags of `routes`.
#[derive(Debug, clap::Args)]
pub struct RoutesArgs {
    /// A Cisco IOS snapshot directory in Batfish's layout (configs/, hosts/, iptables/).
    #[arg(long, value_name = "DIR")]
    pub snapshot: PathBuf,
    /// Only this node (hostname, exact).
    #[arg(long, value_name = "NODE")]
    pub node: Option<String>,
    /// Only this VRF (`default` = the global table).
    #[arg(long, value_name = "VRF")]
    pub vrf: Option<String>,
    /// Only this protocol (Batfish's names).
    #[arg(long, value_name = "PROTOCOL", value_parser = PROTOCOLS, ignore_case = true)]
    pub protocol: Option<String>,
    /// Only this prefix (exact, e.g. 10.0.0.0/24).
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: RoutesFormat,
}

/// Parse `ADDR/LEN` (the address as written must be the network's).
fn parse_prefix(s: &str) -> Result<(IpAddr, u8), Usage> {
    let bad = |why: &str| {
        Usage(format!(
            "invalid prefix {s:?}: {why} (expected ADDRESS/LENGTH, e.g. 10.0.0.0/24)"
        ))
    };
    let (addr, len) = s.split_once('/').ok_or_else(|| bad("no /LENGTH"))?;
    let addr: IpAddr = addr.parse().map_err(|_| bad("not an IP address"))?;
    let len: u8 = len.parse().map_err(|_| bad("not a prefix length"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    if len > max {
        return Err(bad(&format!("the length is at most {max}")));
    }
    Ok((addr, len))
}

/// `pathtrace routes`.
pub fn routes(args: &RoutesArgs) -> ExitCode {
    match routes_inner(args) {
        Ok(code) => code,
        Err(u) => u.exit(),
    }
}

fn routes_inner(args: &RoutesArgs) -> Result<ExitCode, Usage> {
    let prefix = args.prefix.as_deref().map(parse_prefix).transpose()?;
    let net = load(&args.snapshot)?;
    if let Some(n) = &args.node
        && !net.devices.iter().any(|d| d.hostname == *n)
    {
        let names: Vec<&str> = net.devices.iter().map(|d| d.hostname.as_str()).collect();
        return Err(Usage(format!(
            "unknown node {n:?} (nodes: {})",
            names.join(", ")
        )));
    }
    if let Some(v) = &args.vrf {
        let mut vrfs: Vec<&str> = vec!["default"];
        for d in &net.devices {
            if args.node.as_ref().is_none_or(|n| *n == d.hostname) {
                vrfs.extend(d.vrfs.iter().map(|v| v.name.as_str()));
            }
        }
        vrfs.sort_unstable();
        vrfs.dedup();
        if !vrfs.contains(&v.as_str()) {
            return Err(Usage(format!(
                "unknown VRF {v:?} (VRFs: {})",
                vrfs.join(", ")
            )));
        }
    }
    let protocol = args.protocol.as_deref().map(|p| {
        PROTOCOLS
            .iter()
            .copied()
            .find(|k| k.eq_ignore_ascii_case(p))
            .unwrap_or(p)
    });
    let mut rows: Vec<RibRoute> = pathtrace_engine::routes(&net)
        .into_iter()
        .filter(|r| args.node.as_ref().is_none_or(|n| r.node == *n))
        .filter(|r| args.vrf.as_ref().is_none_or(|v| r.vrf == *v))
        .filter(|r| protocol.is_none_or(|p| r.protocol == p))
        .filter(|r| {
            prefix.is_none_or(|(a, l)| r.network.addr() == a && r.network.prefix_len() == l)
        })
        .collect();
    rows.sort();
    match args.format {
        RoutesFormat::Table => print!("{}", routes_table(&rows)),
        RoutesFormat::Tsv => print!("{}", routes_tsv(&rows)),
        RoutesFormat::Json => match serde_json::to_string_pretty(&rows) {
            Ok(j) => println!("{j}"),
            Err(e) => {
                eprintln!("error: writing JSON: {e}");
                return Ok(ExitCode::from(3));
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

fn route_cells(r: &RibRoute) -> [String; 8] {
    [
        r.node.clone(),
        r.vrf.clone(),
        r.network.to_string(),
        r.protocol.to_string(),
        r.next_hop_ip
            .map_or_else(|| "-".to_string(), |ip| ip.to_string()),
        match (&r.next_hop_interface, r.next_hop_ip) {
            (Some(i), _) => i.clone(),
            // Batfish's word for a next hop resolved through the FIB.
            (None, Some(_)) => "dynamic".to_string(),
            (None, None) => "-".to_string(),
        },
        r.admin.to_string(),
        r.metric.to_string(),
    ]
}

/// The routes as tab-separated values with a header line.
pub fn routes_tsv(rows: &[RibRoute]) -> String {
    let mut out = String::from(
        "node\tvrf\tnetwork\tprotocol\tnext_hop_ip\tnext_hop_interface\tadmin\tmetric\n",
    );
    for r in rows {
        out.push_str(&route_cells(r).join("\t"));
        out.push('\n');
    }
    out
}

/// The routes as aligned columns (Batfish's `routes()` column names).
pub fn routes_table(rows: &[RibRoute]) -> String {
    let header = [
        "Node",
        "VRF",
        "Network",
        "Protocol",
        "Next_Hop_IP",
        "Next_Hop_Interface",
        "Admin",
        "Metric",
    ];
    let cells: Vec<[String; 8]> = rows.iter().map(route_cells).collect();
    let mut widths = header.map(str::len);
    for c in &cells {
        for (w, s) in widths.iter_mut().zip(c) {
            *w = (*w).max(s.len());
        }
    }
    let line = |c: [&str; 8]| {
        let mut l = String::new();
        for (i, s) in c.iter().enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            let _ = write!(l, "{s:<w$}", w = widths[i]);
        }
        l.trim_end().to_string()
    };
    let mut out = line(header) + "\n";
    for c in &cells {
        out.push_str(&line([
            &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7],
        ]));
        out.push('\n');
    }
    let _ = writeln!(out, "({} route(s))", rows.len());
    out
}

// ---------------------------------------------------------------- trace

/// A parsed start location of `trace --snapshot`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// A source address: the start is found from it.
    Ip(IpAddr),
    /// `NODE`: the device (or host) originates the packet.
    Node(String),
    /// `NODE[INTERFACE]`: originated from that interface's address.
    Interface(String, String),
    /// `@enter(NODE[INTERFACE])`: the packet enters the device there.
    Enter(String, String),
}

fn node_iface(s: &str, whole: &str, form: &str) -> Result<(String, String), Usage> {
    let bad = |why: &str| {
        Usage(format!(
            "invalid start location {whole:?}: {why} (expected {form})"
        ))
    };
    let (node, rest) = s.split_once('[').ok_or_else(|| bad("no [INTERFACE]"))?;
    let iface = rest.strip_suffix(']').ok_or_else(|| bad("no closing ]"))?;
    if node.trim().is_empty() {
        return Err(bad("no node name"));
    }
    if iface.trim().is_empty() {
        return Err(bad("no interface name"));
    }
    if iface.contains(['[', ']']) || node.contains(['(', ')', ']']) {
        return Err(bad("unbalanced brackets"));
    }
    Ok((node.trim().to_string(), iface.trim().to_string()))
}

/// Parse a start location: an IP address, `NODE`, `NODE[INTERFACE]` or
/// `@enter(NODE[INTERFACE])`.
pub fn parse_start(s: &str) -> Result<Start, Usage> {
    let t = s.trim();
    if let Ok(ip) = t.parse::<IpAddr>() {
        return Ok(Start::Ip(ip));
    }
    if let Some(rest) = t.strip_prefix("@enter") {
        const FORM: &str = "@enter(NODE[INTERFACE])";
        let inner = rest
            .trim_start()
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .ok_or_else(|| Usage(format!("invalid start location {s:?}: expected {FORM}")))?;
        if !inner.contains('[') {
            return Err(Usage(format!(
                "invalid start location {s:?}: @enter needs an interface (expected {FORM})"
            )));
        }
        let (n, i) = node_iface(inner, s, FORM)?;
        return Ok(Start::Enter(n, i));
    }
    if t.contains(['[', ']']) {
        let (n, i) = node_iface(t, s, "NODE[INTERFACE]")?;
        return Ok(Start::Interface(n, i));
    }
    if t.is_empty() || t.contains(['(', ')', '@']) || t.contains(char::is_whitespace) {
        return Err(Usage(format!(
            "invalid start location {s:?}: expected an IP address, NODE, NODE[INTERFACE] or @enter(NODE[INTERFACE])"
        )));
    }
    Ok(Start::Node(t.to_string()))
}

fn device_names(dp: &DataPlane) -> String {
    let mut names: Vec<&str> = dp.devices.iter().map(|d| d.name.as_str()).collect();
    names.sort_unstable();
    names.join(", ")
}

/// A device by hostname: exact, else ignoring case (Batfish's node names
/// are case-insensitive).
fn find_device(dp: &DataPlane, name: &str) -> Option<u32> {
    dp.device_index(name).or_else(|| {
        dp.devices
            .iter()
            .position(|d| d.name.eq_ignore_ascii_case(name))
            .map(|i| i as u32)
    })
}

fn find_host(dp: &DataPlane, name: &str) -> Option<u32> {
    dp.hosts
        .iter()
        .position(|h| {
            h.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .map(|i| i as u32)
}

fn device_or_err(dp: &DataPlane, name: &str, what: &str) -> Result<u32, Usage> {
    find_device(dp, name).ok_or_else(|| {
        Usage(format!(
            "unknown node {name:?} in {what} (nodes: {})",
            device_names(dp)
        ))
    })
}

fn iface_or_err(dp: &DataPlane, dev: u32, name: &str) -> Result<u32, Usage> {
    dp.interface_index(dev, name).ok_or_else(|| {
        let d = &dp.devices[dev as usize];
        let names: Vec<&str> = d
            .interfaces
            .iter()
            .map(|&i| dp.interfaces[i as usize].name.as_str())
            .collect();
        Usage(format!(
            "node {} has no interface {name:?} (interfaces: {})",
            d.name,
            names.join(", ")
        ))
    })
}

/// An address of interface `i`, of `dst`'s family when it has one.
fn iface_addr(dp: &DataPlane, i: u32, dst: IpAddr) -> Option<IpAddr> {
    let addrs = &dp.interfaces[i as usize].addrs;
    let a = addrs
        .iter()
        .find(|a| a.addr().is_ipv4() == dst.is_ipv4())
        .or_else(|| addrs.first())?;
    Some(a.addr())
}

/// Resolve the destination: an IP address, a node (its management IP) or
/// a host name (its address).
pub fn resolve_dst(dp: &DataPlane, s: &str) -> Result<IpAddr, Usage> {
    let t = s.trim();
    if let Ok(ip) = t.parse::<IpAddr>() {
        return Ok(ip);
    }
    if let Some(d) = find_device(dp, t) {
        return Ok(dp.devices[d as usize].management_ip);
    }
    if let Some(h) = find_host(dp, t) {
        return Ok(dp.hosts[h as usize].ip.addr());
    }
    Err(Usage(format!(
        "invalid destination {s:?}: not an IP address, a node or a host name (nodes: {})",
        device_names(dp)
    )))
}

/// Resolve a start location into the engine's source and the flow's source
/// address. `None` as source: find it from the address.
pub fn resolve_start(
    dp: &DataPlane,
    start: &Start,
    src_ip: Option<IpAddr>,
    dst: IpAddr,
) -> Result<(Option<Source>, IpAddr), Usage> {
    const WHAT: &str = "the start location";
    match start {
        Start::Ip(ip) => {
            if let Some(s) = src_ip
                && s != *ip
            {
                return Err(Usage(format!(
                    "the start location is the address {ip}; --src-ip {s} contradicts it (give a node as START to originate with another source address)"
                )));
            }
            Ok((None, *ip))
        }
        Start::Node(n) => {
            if let Some(d) = find_device(dp, n) {
                let src = src_ip.unwrap_or(dp.devices[d as usize].management_ip);
                return Ok((Some(Source::Device(d)), src));
            }
            if let Some(h) = find_host(dp, n) {
                let ip = dp.hosts[h as usize].ip.addr();
                return Ok((Some(Source::Host(h)), src_ip.unwrap_or(ip)));
            }
            Err(Usage(format!(
                "unknown node {n:?} in {WHAT} (nodes: {})",
                device_names(dp)
            )))
        }
        Start::Interface(n, i) => {
            let d = device_or_err(dp, n, WHAT)?;
            let ix = iface_or_err(dp, d, i)?;
            if let Some(a) = iface_addr(dp, ix, dst) {
                Ok((Some(Source::Interface(ix)), src_ip.unwrap_or(a)))
            } else {
                // No address: the device originates it (Batfish does the same).
                let src = src_ip.unwrap_or(dp.devices[d as usize].management_ip);
                Ok((Some(Source::Device(d)), src))
            }
        }
        Start::Enter(n, i) => {
            let d = device_or_err(dp, n, WHAT)?;
            let ix = iface_or_err(dp, d, i)?;
            let Some(src) = src_ip else {
                return Err(Usage(format!(
                    "@enter({n}[{i}]) needs --src-ip: the packet comes from outside, its source address cannot be chosen"
                )));
            };
            Ok((Some(Source::Subnet(ix)), src))
        }
    }
}

/// What `trace --snapshot` produced: the data plane, the flow and its trace,
/// and the network (for the routes of the Batfish text).
pub struct SnapshotTrace {
    /// The converted network's data plane.
    pub dp: DataPlane,
    /// Its main RIB, when asked for (`--format batfish` names each route).
    pub rib: Vec<RibRoute>,
    /// The trace.
    pub trace: Trace,
}

/// Run a trace on a snapshot: load, resolve START and DST, apply Batfish's
/// traceroute defaults, trace.
#[allow(clippy::too_many_arguments)] // the trace command's flags, one each
pub fn trace(
    dir: &Path,
    start: &str,
    dst: &str,
    protocol: Option<Protocol>,
    src_port: Option<u16>,
    dst_port: Option<u16>,
    src_ip: Option<IpAddr>,
    with_rib: bool,
) -> Result<Result<SnapshotTrace, pathtrace_engine::TraceError>, Usage> {
    let start = parse_start(start)?;
    if (src_port.is_some() || dst_port.is_some()) && protocol == Some(Protocol::Icmp) {
        return Err(Usage("ports apply to tcp and udp only".to_string()));
    }
    let net = load(dir)?;
    let (dp, rib) = if with_rib {
        pathtrace_engine::build_with_routes(&net)
    } else {
        (pathtrace_engine::build(&net), Vec::new())
    };
    let dst = resolve_dst(&dp, dst)?;
    let (source, src) = resolve_start(&dp, &start, src_ip, dst)?;
    if src.is_ipv4() != dst.is_ipv4() {
        return Err(Usage(format!(
            "source {src} and destination {dst} are of different address families"
        )));
    }
    let protocol = protocol.unwrap_or(Protocol::Udp);
    let ports = protocol != Protocol::Icmp;
    let flow = Flow {
        src,
        dst,
        protocol: Some(protocol),
        src_port: ports.then(|| src_port.unwrap_or(DEFAULT_SRC_PORT)),
        dst_port: ports.then(|| dst_port.unwrap_or(DEFAULT_DST_PORT)),
    };
    let t = match source {
        Some(s) => Ok(pathtrace_engine::trace_from(
            &dp,
            &flow,
            s,
            TraceOptions::default(),
        )),
        None => pathtrace_engine::trace_with(&dp, &flow, TraceOptions::default()),
    };
    Ok(t.map(|trace| SnapshotTrace { dp, rib, trace }))
}

// ------------------------------------------------------- Batfish-like text

fn iface(dp: &DataPlane, i: u32) -> &str {
    &dp.interfaces[i as usize].name
}

fn dev_name(dp: &DataPlane, d: u32) -> &str {
    &dp.devices[d as usize].name
}

/// The start location as Batfish's flow prints it (`start=NODE
/// [interface=IFACE] [vrf=VRF]`).
fn start_text(dp: &DataPlane, source: Source) -> String {
    let vrf = |i: u32| {
        let v = &dp.vrfs[dp.interfaces[i as usize].vrf as usize];
        if v == "default" {
            String::new()
        } else {
            format!(" vrf={v}")
        }
    };
    match source {
        Source::Device(d) => format!("start={}", dev_name(dp, d)),
        Source::Interface(i) => format!(
            "start={}{}",
            dev_name(dp, dp.interfaces[i as usize].device),
            vrf(i)
        ),
        Source::Subnet(i) => format!(
            "start={} interface={}{}",
            dev_name(dp, dp.interfaces[i as usize].device),
            iface(dp, i),
            vrf(i)
        ),
        Source::Host(h) => format!("start={}", host_name(dp, h)),
    }
}

fn host_name(dp: &DataPlane, h: u32) -> String {
    let host = &dp.hosts[h as usize];
    host.name
        .clone()
        .unwrap_or_else(|| host.ip.addr().to_string())
}

/// `2.1.2.2:49152->2.1.2.1:23 TCP`, as Batfish's flow prints it.
fn flow_text(f: &Flow) -> String {
    let with_port = |ip: IpAddr, p: Option<u16>| match (ip, p) {
        (ip, Some(p)) => format!("{ip}:{p}"),
        (ip, None) => ip.to_string(),
    };
    format!(
        "{}->{} {}",
        with_port(f.src, f.src_port),
        with_port(f.dst, f.dst_port),
        f.protocol.map_or("(TCP and UDP)", Protocol::as_str)
    )
}

fn filter_step(dp: &DataPlane, hit: &pathtrace_engine::acl::AclHit, kind: &str) -> String {
    format!(
        "{}({} ({kind}))",
        if hit.permit { "PERMITTED" } else { "DENIED" },
        dp.acls[hit.acl as usize].name
    )
}

/// The routes a hop's FIB entry came from, as Batfish lists them in a
/// `FORWARDED` step: `proto (Network: P, Next Hop: …)`, comma-separated.
/// The next hop is the route's own, from the RIB rows (`rib`): `interface
/// I ip A` for an OSPF or static route naming both, `ip A` for one given
/// by address only (a BGP route: its BGP next hop), `interface I` for a
/// connected route, `discard` for a null route. Of equally good routes,
/// those this branch followed (leaving by `out` toward the branch's ARP
/// address) are listed. Without matching rows the hop's own route is used.
fn route_text(dp: &DataPlane, h: &Hop, out: Option<u32>, rib: &[RibRoute]) -> String {
    let Some(r) = h.route else {
        return String::new();
    };
    let proto = dp.route_attrs[r.attrs as usize].protocol.as_str();
    let fmt_nh = |ip: Option<IpAddr>, i: Option<&str>| match (ip, i) {
        (_, Some("null_interface")) | (None, None) => "discard".to_string(),
        (Some(ip), Some(i)) => format!("interface {i} ip {ip}"),
        (Some(ip), None) => format!("ip {ip}"),
        (None, Some(i)) => format!("interface {i}"),
    };
    let one = |nh: String| format!("{proto} (Network: {}, Next Hop: {nh})", r.prefix);
    if let Node::Device(d) = h.node {
        let node = dev_name(dp, d);
        let vrf = h.vrf.map_or("default", |v| dp.vrfs[v as usize].as_str());
        let vrf_ix = h.vrf.unwrap_or(0);
        let out_name = out.map(|o| iface(dp, o));
        let rows: Vec<String> = rib
            .iter()
            .filter(|x| {
                x.node == node && x.vrf == vrf && x.network == r.prefix && x.protocol == proto
            })
            .filter(|x| match (x.next_hop_ip, x.next_hop_interface.as_deref()) {
                // Names its interface: that one, toward this branch's next hop.
                (ip, Some(i)) => {
                    out_name.is_none_or(|o| o == i) && (ip.is_none() || ip == r.next_hop)
                }
                // An address only: resolved through the FIB to this branch.
                (Some(ip), None) => resolves_via(dp, d, vrf_ix, ip, out, r.next_hop),
                (None, None) => true,
            })
            .map(|x| one(fmt_nh(x.next_hop_ip, x.next_hop_interface.as_deref())))
            .collect();
        if !rows.is_empty() {
            return rows.join(",");
        }
    }
    if out.is_none() && r.next_hop.is_none() {
        return one("discard".to_string());
    }
    one(fmt_nh(r.next_hop, out.map(|o| iface(dp, o))))
}

/// Whether `ip` (a BGP next hop) resolves in the FIB of `dev`/`vrf` to
/// leaving by `out` toward `resolved` (the ARP address of the branch).
fn resolves_via(
    dp: &DataPlane,
    dev: u32,
    vrf: u32,
    ip: IpAddr,
    out: Option<u32>,
    resolved: Option<IpAddr>,
) -> bool {
    let Some((_, e)) = dp.fib(dev, vrf).and_then(|f| f.lookup(ip)) else {
        return false;
    };
    let Action::Forward(set) = e.action else {
        return false;
    };
    dp.nh_sets[set as usize]
        .iter()
        .any(|nh| Some(nh.iface) == out && nh.arp.or(Some(ip)) == resolved)
}

/// The interface a device hop accepted the packet on (the one owning the
/// destination).
fn accepting_iface(dp: &DataPlane, dev: u32, dst: IpAddr) -> Option<u32> {
    if let Some(Owner::Iface(i)) = dp.owner(dst)
        && dp.interfaces[i as usize].device == dev
    {
        return Some(i);
    }
    dp.devices[dev as usize]
        .interfaces
        .iter()
        .copied()
        .find(|&i| {
            dp.interfaces[i as usize]
                .addrs
                .iter()
                .any(|a| a.addr() == dst)
        })
}

/// The steps of one hop, Batfish-style.
fn hop_steps(
    dp: &DataPlane,
    tr: &Trace,
    br: &Branch,
    hop: &Hop,
    last: bool,
    rib: &[RibRoute],
) -> Vec<String> {
    let mut steps = Vec::new();
    let vrf = hop.vrf.map_or("default", |v| dp.vrfs[v as usize].as_str());
    let in_if = hop.ingress_virtual.or(hop.ingress);
    let out_if = hop.egress_virtual.or(hop.egress);
    match in_if {
        Some(i) => steps.push(format!("RECEIVED({})", iface(dp, i))),
        None => steps.push(format!("ORIGINATED({vrf})")),
    }
    if let Some(hit) = &hop.acl_in {
        steps.push(filter_step(dp, hit, "INGRESS_FILTER"));
    }
    let mut final_done = false;
    if hop.action == HopAction::Received {
        let at = match hop.node {
            Node::Device(dev) => {
                accepting_iface(dp, dev, tr.flow.dst).map(|i| iface(dp, i).to_string())
            }
            _ => None,
        };
        steps.push(format!(
            "ACCEPTED({})",
            at.unwrap_or_else(|| tr.flow.dst.to_string())
        ));
        final_done = true;
    } else if hop.route.is_some() {
        if last && br.disposition == Disposition::NullRouted {
            steps.push(format!(
                "NULL_ROUTED(Discarded, Routes: [{}])",
                route_text(dp, hop, None, rib)
            ));
            final_done = true;
        } else if let Some(o) = out_if {
            let resolved = hop.route.and_then(|r| r.next_hop);
            let fwd = match resolved {
                Some(ip) => format!(
                    "Forwarded out interface: {} with resolved next-hop IP: {ip}",
                    iface(dp, o)
                ),
                None => format!("Forwarded out interface: {}", iface(dp, o)),
            };
            steps.push(format!(
                "FORWARDED({fwd}, Routes: [{}])",
                route_text(dp, hop, Some(o), rib)
            ));
            let denied = hop.acl_out.as_ref().is_some_and(|hit| !hit.permit);
            if let Some(hit) = &hop.acl_out {
                steps.push(filter_step(dp, hit, "EGRESS_FILTER"));
            }
            if !denied {
                steps.push(format!("TRANSMITTED({})", iface(dp, o)));
            }
        }
    }
    if !last || final_done {
        return steps;
    }
    let disp = br.disposition;
    match disp {
        Disposition::DeliveredToSubnet
        | Disposition::ExitsNetwork
        | Disposition::NeighborUnreachable
        | Disposition::InsufficientInfo => match out_if {
            Some(o) => {
                let nh = match br.detail {
                    Detail::ArpFailed(ip) => ip,
                    _ => hop.route.and_then(|r| r.next_hop).unwrap_or(tr.flow.dst),
                };
                steps.push(format!(
                    "{}(Output Interface: {}, Resolved Next Hop IP: {nh})",
                    disp.as_str(),
                    iface(dp, o)
                ));
            }
            None => steps.push(disp.as_str().to_string()),
        },
        Disposition::NoRoute => steps.push("NO_ROUTE(Discarded)".to_string()),
        Disposition::Loop => steps.push("LOOP".to_string()),
        Disposition::Accepted => steps.push(format!("ACCEPTED({})", tr.flow.dst)),
        Disposition::DeniedIn | Disposition::DeniedOut => {
            if hop.acl_in.is_none() && hop.acl_out.is_none() {
                steps.push(disp.as_str().to_string());
            }
        }
        Disposition::NullRouted => steps.push("NULL_ROUTED(Discarded)".to_string()),
    }
    steps
}

/// A trace as Batfish-like text: a `Flow:` line, then per branch
/// `Trace i/N: DISPOSITION` and its hops, each `node: NAME` with its steps
/// (`ORIGINATED`, `RECEIVED`, `PERMITTED`/`DENIED`, `FORWARDED`,
/// `TRANSMITTED`, and the final `ACCEPTED`, `DELIVERED_TO_SUBNET`, …).
/// Only L3 hops are shown (Batfish has no switched hops); `rib` (the main
/// RIB, may be empty) gives BGP routes their BGP next hop.
pub fn batfish_text(dp: &DataPlane, t: &Trace, rib: &[RibRoute]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Flow: {} [{}]",
        start_text(dp, t.source),
        flow_text(&t.flow)
    );
    if t.trace_count != t.branches.len() || t.truncated {
        let _ = writeln!(
            out,
            "TraceCount: {}{} ({} shown)",
            t.trace_count,
            if t.truncated { "+" } else { "" },
            t.branches.len()
        );
    }
    for (bi, b) in t.branches.iter().enumerate() {
        let proto = match (t.flow.protocol, b.protocol) {
            (None, Some(p)) => format!(" [{p}]"),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "Trace {}/{}{proto}: {}",
            bi + 1,
            t.branches.len(),
            b.disposition.as_str()
        );
        let shown: Vec<&Hop> = b
            .hops
            .iter()
            .filter(|h| !matches!(h.node, Node::Address(_)) && h.action != HopAction::Switched)
            .collect();
        for (hi, h) in shown.iter().enumerate() {
            let name = match h.node {
                Node::Device(d) => dev_name(dp, d).to_string(),
                Node::Host(x) => host_name(dp, x),
                other => pathtrace_engine::view::json::node_name(dp, other),
            };
            let _ = writeln!(out, "  {}. node: {name}", hi + 1);
            let last = hi + 1 == shown.len();
            let steps = match h.node {
                Node::Device(_) => hop_steps(dp, t, b, h, last, rib),
                Node::Host(_) => host_steps(dp, t, b, h, last),
                _ => Vec::new(),
            };
            for s in steps {
                let _ = writeln!(out, "     {s}");
            }
        }
    }
    out
}

/// The steps of a host hop (its interface name, or its address when the
/// model has no name for it).
fn host_steps(dp: &DataPlane, t: &Trace, b: &Branch, h: &Hop, last: bool) -> Vec<String> {
    let Node::Host(x) = h.node else {
        return Vec::new();
    };
    let host = &dp.hosts[x as usize];
    let ip = host
        .interface
        .clone()
        .unwrap_or_else(|| host.ip.addr().to_string());
    let mut steps = Vec::new();
    if h.action == HopAction::Originated {
        steps.push("ORIGINATED(default)".to_string());
        if let Some(hit) = &h.acl_out {
            steps.push(filter_step(dp, hit, "EGRESS_FILTER"));
        }
        if h.acl_out.as_ref().is_none_or(|hit| hit.permit) && !last {
            steps.push(format!("TRANSMITTED({ip})"));
        }
    } else {
        steps.push(format!("RECEIVED({ip})"));
        if let Some(hit) = &h.acl_in {
            steps.push(filter_step(dp, hit, "INGRESS_FILTER"));
        }
        if h.action == HopAction::Received {
            steps.push(format!("ACCEPTED({ip})"));
        }
    }
    if last && b.disposition != Disposition::Accepted && !b.disposition.is_success() {
        let denied = h.acl_in.is_some_and(|x| !x.permit) || h.acl_out.is_some_and(|x| !x.permit);
        if !denied {
            steps.push(b.disposition.as_str().to_string());
        }
    }
    let _ = t;
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_locations_parse() {
        assert_eq!(
            parse_start("2.1.2.2").unwrap(),
            Start::Ip("2.1.2.2".parse().unwrap())
        );
        assert_eq!(
            parse_start("as2core2").unwrap(),
            Start::Node("as2core2".into())
        );
        assert_eq!(
            parse_start("as2core2[Gi0/0]").unwrap(),
            Start::Interface("as2core2".into(), "Gi0/0".into())
        );
        assert_eq!(
            parse_start("@enter(as2border1[GigabitEthernet2/0])").unwrap(),
            Start::Enter("as2border1".into(), "GigabitEthernet2/0".into())
        );
        for bad in [
            "as2core2[",
            "as2core2[]",
            "[Gi0/0]",
            "@enter(as2core2)",
            "@enter(as2core2[Gi0/0]",
            "@enter as2core2",
            "a b",
            "",
        ] {
            assert!(parse_start(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn prefixes_parse() {
        assert_eq!(
            parse_prefix("10.0.0.0/24").unwrap(),
            ("10.0.0.0".parse().unwrap(), 24)
        );
        for bad in ["10.0.0.0", "10.0.0.0/33", "x/8", "10.0.0.0/x"] {
            assert!(parse_prefix(bad).is_err(), "{bad}");
        }
    }
}
