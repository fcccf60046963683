//! Path tracing on observed forwarding state (a network imported from a
//! state collector such as SuzieQ): route lookups in the route tables the
//! devices reported, next hops resolved through their ARP/ND and MAC tables,
//! VXLAN overlay hops through the remote VTEPs the MAC tables name, with the
//! underlay path between the VTEPs.
//!
//! The semantics are SuzieQ's `path show` (its pandas engine, v0.25), so
//! that a trace here and a trace there agree hop by hop on the same
//! snapshot: the source is the interface owning the source address, else the
//! first-hop switch that learned it in ARP, else the SVI(s) of its subnet
//! (at most an MLAG pair); the walk goes breadth-first, one round per hop;
//! every ECMP next hop is a branch; a device is visited once per VRF (L3
//! loop) or per VLAN walk (L2 loop, loop in underlay); the walk ends at the
//! device(s) owning the destination. Each hop carries the route used (the
//! matched prefix and its protocol), the next-hop address, the VTEP an
//! overlay hop tunnels to, MTUs in and out with `mtuMatch`, and the errors
//! SuzieQ reports (`Hop MTU < Src Mtu`, `Dst MTU != Src MTU`, `no reverse
//! path`, loops, `Possible anycast IP without anycast MAC`).
//!
//! Known SuzieQ behaviours kept on purpose, because matching the peer is the
//! point of this module: two devices are joined by at most one link per
//! round (the first next hop found), a branch that dead-ends is dropped when
//! another reaches the destination, and a loop ends every path of its round.

// The walk mirrors SuzieQ's Python step by step (so that the two can be
// compared line by line); plain `x = y.clone()` assignments are kept for that.
#![allow(clippy::assigning_clones)]

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::fmt;
use std::net::IpAddr;
use std::rc::Rc;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use pathtrace_model::observed::Observed;

use crate::dataplane::DataPlane;
use crate::flow::Flow;
use crate::trace::{
    Branch, Detail, Disposition, Hop, HopAction, Node, RouteUse, Source, Trace, TraceError, Tunnel,
    find_source,
};
use prefix_trie::PrefixMap;

/// SuzieQ's largest real MTU; bigger values (loopbacks) are not a path MTU.
const MAX_MTU: u32 = 9216;

/// One interface row (state up), as the path engine sees it.
#[derive(Debug, Clone)]
struct IfRow {
    dev: u32,
    name: String,
    kind: String,
    mtu: u32,
    v4: Vec<IpNet>,
    v6: Vec<IpNet>,
    vlan: u32,
    master: String,
    mac: String,
    portmode: String,
    ts: i64,
}

impl IfRow {
    fn addrs(&self, v6: bool) -> &[IpNet] {
        if v6 { &self.v6 } else { &self.v4 }
    }
    fn has(&self, ip: IpAddr) -> bool {
        self.addrs(ip.is_ipv6()).iter().any(|n| n.addr() == ip)
    }
}

#[derive(Debug, Clone)]
struct Route {
    prefix: IpNet,
    protocol: String,
    nhips: Vec<String>,
    oifs: Vec<String>,
    ts: i64,
}

#[derive(Debug, Clone)]
struct Arp {
    dev: u32,
    mac: String,
    oif: String,
    remote: bool,
    vrf: Option<String>,
}

#[derive(Debug, Clone)]
struct Mac {
    dev: u32,
    vlan: u32,
    oif: String,
    vtep: String,
    ts: i64,
}

#[derive(Default)]
struct Tables {
    v4: PrefixMap<Ipv4Net, u32>,
    v6: PrefixMap<Ipv6Net, u32>,
}

/// Observed state indexed for tracing; built once per network snapshot.
pub struct StatePlane {
    hosts: Vec<String>,
    host_ix: HashMap<String, u32>,
    ifs: Vec<IfRow>,
    if_by_addr: HashMap<IpAddr, Vec<usize>>,
    if_by_mac: HashMap<String, Vec<usize>>,
    /// Per device: interface name → rows.
    if_by_name: Vec<HashMap<String, Vec<usize>>>,
    routes: Vec<Route>,
    /// Per device: VRF name → its route table.
    tables: Vec<HashMap<String, Tables>>,
    arp: Vec<Arp>,
    arp_by_ip: HashMap<IpAddr, Vec<usize>>,
    macs: Vec<Mac>,
    macs_by_mac: HashMap<String, Vec<usize>>,
    mlag_peer: HashMap<u32, u32>,
    mlag_peerlink: HashMap<u32, String>,
    /// VRF names seen in the state, interned for loop detection.
    vrf_ids: HashMap<String, u32>,
    /// Answers already computed on this (immutable) state, by source and
    /// destination: a repeated question is answered from here.
    answers: std::sync::Mutex<HashMap<(IpAddr, IpAddr), Answer>>,
}

/// A memoised answer: the trace (its flow is set per query) or the error.
type Answer = Result<std::sync::Arc<Trace>, TraceError>;

/// Answers kept per snapshot before the memo starts over.
const MAX_ANSWERS: usize = 4096;

#[allow(clippy::missing_fields_in_debug)] // sizes, not contents
impl fmt::Debug for StatePlane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatePlane")
            .field("devices", &self.hosts.len())
            .field("interfaces", &self.ifs.len())
            .field("routes", &self.routes.len())
            .field("arp", &self.arp.len())
            .field("macs", &self.macs.len())
            .finish()
    }
}

impl StatePlane {
    /// Index the observed state of a network.
    pub fn build(obs: &Observed) -> StatePlane {
        let mut p = StatePlane {
            hosts: Vec::new(),
            host_ix: HashMap::default(),
            ifs: Vec::new(),
            if_by_addr: HashMap::default(),
            if_by_mac: HashMap::default(),
            if_by_name: vec![HashMap::default(); obs.devices.len()],
            routes: Vec::new(),
            tables: (0..obs.devices.len()).map(|_| HashMap::default()).collect(),
            arp: Vec::new(),
            arp_by_ip: HashMap::default(),
            macs: Vec::new(),
            macs_by_mac: HashMap::default(),
            mlag_peer: HashMap::default(),
            mlag_peerlink: HashMap::default(),
            vrf_ids: HashMap::default(),
            answers: std::sync::Mutex::default(),
        };
        for d in &obs.devices {
            let ix = p.hosts.len() as u32;
            p.host_ix.insert(d.hostname.clone(), ix);
            p.hosts.push(d.hostname.clone());
        }
        // SuzieQ's tables come ordered by collection time; where a choice
        // depends on row order ("the first interface with this address"),
        // the earlier-polled device comes first here too.
        let mut rows: Vec<IfRow> = Vec::new();
        for (di, d) in obs.devices.iter().enumerate() {
            let dev = di as u32;
            for i in d.interfaces.iter().filter(|i| i.state == "up") {
                rows.push(IfRow {
                    dev,
                    name: i.name.clone(),
                    kind: i.kind.clone(),
                    mtu: i.mtu,
                    v4: i
                        .addresses
                        .iter()
                        .filter(|a| a.addr().is_ipv4())
                        .copied()
                        .collect(),
                    v6: i
                        .addresses
                        .iter()
                        .filter(|a| a.addr().is_ipv6())
                        .copied()
                        .collect(),
                    vlan: u32::from(i.vlan),
                    master: i.master.clone(),
                    mac: i.mac.clone(),
                    portmode: i.portmode.clone(),
                    ts: i.timestamp,
                });
            }
        }
        rows.sort_by_key(|r| r.ts);
        {
            for row in rows {
                let dev = row.dev;
                let k = p.ifs.len();
                for a in row.v4.iter().chain(&row.v6) {
                    let v = p.if_by_addr.entry(a.addr()).or_default();
                    if v.last() != Some(&k) {
                        v.push(k);
                    }
                }
                if !row.mac.is_empty() {
                    p.if_by_mac.entry(row.mac.clone()).or_default().push(k);
                }
                p.if_by_name[dev as usize]
                    .entry(row.name.clone())
                    .or_default()
                    .push(k);
                p.ifs.push(row);
            }
        }
        for (di, d) in obs.devices.iter().enumerate() {
            for r in &d.routes {
                let k = p.routes.len() as u32;
                let t = p.tables[di].entry(r.vrf.clone()).or_default();
                match r.prefix {
                    IpNet::V4(n) => {
                        t.v4.insert(n.trunc(), k);
                    }
                    IpNet::V6(n) => {
                        t.v6.insert(n.trunc(), k);
                    }
                }
                p.routes.push(Route {
                    prefix: r.prefix,
                    protocol: r.protocol.clone(),
                    nhips: r.next_hops.clone(),
                    oifs: r.oifs.clone(),
                    ts: r.timestamp,
                });
            }
        }
        let mut arps: Vec<(u32, &pathtrace_model::observed::ArpEntry)> = obs
            .devices
            .iter()
            .enumerate()
            .flat_map(|(di, d)| d.arp.iter().map(move |a| (di as u32, a)))
            .filter(|(_, a)| a.state != "failed")
            .collect();
        arps.sort_by_key(|(_, a)| a.timestamp);
        {
            let mut seen = rustc_hash::FxHashSet::default();
            for (dev, a) in arps {
                if !seen.insert((dev, a.ip, a.interface.clone())) {
                    continue;
                }
                let vrf = p.row(dev, &a.interface).map(|r| {
                    if r.master.is_empty() {
                        "default".to_string()
                    } else {
                        r.master.clone()
                    }
                });
                let k = p.arp.len();
                p.arp_by_ip.entry(a.ip).or_default().push(k);
                p.arp.push(Arp {
                    dev,
                    mac: a.mac.clone(),
                    oif: a.interface.clone(),
                    remote: a.remote,
                    vrf,
                });
            }
        }
        for (di, d) in obs.devices.iter().enumerate() {
            let dev = di as u32;
            for m in &d.macs {
                let k = p.macs.len();
                p.macs_by_mac.entry(m.mac.clone()).or_default().push(k);
                p.macs.push(Mac {
                    dev,
                    vlan: u32::from(m.vlan),
                    oif: m.interface.clone(),
                    vtep: m.remote_vtep.map(|v| v.to_string()).unwrap_or_default(),
                    ts: m.timestamp,
                });
            }
        }
        let mut names: Vec<&str> = vec!["", "default"];
        for d in &obs.devices {
            names.extend(d.interfaces.iter().map(|i| i.master.as_str()));
            names.extend(d.routes.iter().map(|r| r.vrf.as_str()));
        }
        for n in names {
            let next = p.vrf_ids.len() as u32;
            p.vrf_ids.entry(n.to_string()).or_insert(next);
        }
        let mut by_system: Vec<(String, Vec<u32>)> = Vec::new();
        for (di, d) in obs.devices.iter().enumerate() {
            if let Some(m) = &d.mlag {
                p.mlag_peerlink.insert(di as u32, m.peer_link.clone());
                match by_system.iter_mut().find(|(s, _)| *s == m.system_id) {
                    Some((_, v)) => v.push(di as u32),
                    None => by_system.push((m.system_id.clone(), vec![di as u32])),
                }
            }
        }
        for (_, v) in by_system {
            if v.len() > 1 {
                p.mlag_peer.insert(v[0], v[1]);
                p.mlag_peer.insert(v[1], v[0]);
            }
        }
        p
    }

    /// The prefix of the route `hostname` uses for `ip` in `vrf`, if any.
    pub fn route_to(&self, hostname: &str, vrf: &str, ip: IpAddr) -> Option<IpNet> {
        let d = *self.host_ix.get(hostname)?;
        self.lpm(d, vrf, ip).map(|r| r.prefix)
    }

    /// The id of a VRF name (names never seen share one id: they have no
    /// routes, so no walk goes through them twice).
    fn vrf_id(&self, name: &str) -> u32 {
        self.vrf_ids.get(name).copied().unwrap_or(u32::MAX)
    }

    /// NX-OS names SuzieQ maps: `vPC Peer-Link` is the device's MLAG peer
    /// link, `sup-eth1` its `loopback0`.
    fn nxos_name(&self, dev: u32, name: &str) -> String {
        if name.starts_with("vPC Peer") {
            self.mlag_peerlink.get(&dev).cloned().unwrap_or_default()
        } else if name.starts_with("sup-eth1") {
            "loopback0".to_string()
        } else {
            name.to_string()
        }
    }

    /// Number of devices with observed state.
    pub fn devices(&self) -> usize {
        self.hosts.len()
    }

    fn row(&self, dev: u32, name: &str) -> Option<&IfRow> {
        self.rows_named(dev, name).first().map(|&k| &self.ifs[k])
    }

    fn rows_named(&self, dev: u32, name: &str) -> &[usize] {
        self.if_by_name
            .get(dev as usize)
            .and_then(|m| m.get(name))
            .map_or(&[], Vec::as_slice)
    }

    fn rows_with_addr(&self, ip: IpAddr) -> &[usize] {
        self.if_by_addr.get(&ip).map_or(&[], Vec::as_slice)
    }

    /// Longest-prefix match in one device's VRF table.
    fn lpm(&self, dev: u32, vrf: &str, ip: IpAddr) -> Option<&Route> {
        let t = self.tables.get(dev as usize)?.get(vrf)?;
        let k = match ip {
            IpAddr::V4(a) => *t.v4.get_lpm(&Ipv4Net::new(a, 32).ok()?)?.1,
            IpAddr::V6(a) => *t.v6.get_lpm(&Ipv6Net::new(a, 128).ok()?)?.1,
        };
        Some(&self.routes[k as usize])
    }

    /// The lookup SuzieQ's path engine uses for the destination and the
    /// reverse path: the longest match, unless it is a Junos
    /// `access-internal` route (then none).
    fn lpm_fwd(&self, dev: u32, vrf: &str, ip: IpAddr) -> Option<&Route> {
        self.lpm(dev, vrf, ip)
            .filter(|r| r.protocol != "access-internal")
    }

    fn any_route(&self, ip: IpAddr) -> bool {
        (0..self.tables.len() as u32).any(|d| self.any_route_on(d, ip))
    }

    fn any_route_on(&self, dev: u32, ip: IpAddr) -> bool {
        self.tables[dev as usize]
            .keys()
            .any(|v| self.lpm_fwd(dev, v, ip).is_some())
    }

    fn arp_on(&self, dev: u32, ip: IpAddr) -> impl Iterator<Item = &Arp> {
        self.arp_by_ip
            .get(&ip)
            .into_iter()
            .flatten()
            .map(|&k| &self.arp[k])
            .filter(move |a| a.dev == dev)
    }

    fn macs_of(&self, mac: &str) -> impl Iterator<Item = &Mac> {
        self.macs_by_mac
            .get(mac)
            .into_iter()
            .flatten()
            .map(|&k| &self.macs[k])
    }

    fn host(&self, dev: u32) -> &str {
        &self.hosts[dev as usize]
    }
}

/// Why a trace could not start (SuzieQ's messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateTraceError {
    /// Source and destination of different address families.
    AddressFamily,
    /// No device has any interface up.
    NoInterfaces,
    /// No route table covers the address.
    NoRoutes(IpAddr),
    /// No ARP/ND table at all.
    NoArp(IpAddr),
    /// No interface, ARP entry or SVI for the source.
    NoStart(IpAddr),
    /// The source's subnet is an SVI on more than two devices.
    SviOnTooManyHosts,
    /// The source device(s) have no route to the destination.
    NoRoutesOnSource(Vec<String>),
    /// A next hop names an interface that is not up.
    UnknownInterface(String, String),
}

impl fmt::Display for StateTraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateTraceError::AddressFamily => {
                f.write_str("Source and Dest MUST belong to same address family")
            }
            StateTraceError::NoInterfaces => f.write_str("No interface information found"),
            StateTraceError::NoRoutes(a) => write!(f, "No Routes information found for {a}"),
            StateTraceError::NoArp(a) => write!(f, "No ARPND information found for {a}"),
            StateTraceError::NoStart(a) => write!(f, "Unable to find starting node for {a}"),
            StateTraceError::SviOnTooManyHosts => {
                f.write_str("source not in ARP and SVI on too many hosts")
            }
            StateTraceError::NoRoutesOnSource(h) => {
                let l: Vec<String> = h.iter().map(|h| format!("'{h}'")).collect();
                write!(f, "No routes found for [{}]", l.join(", "))
            }
            StateTraceError::UnknownInterface(h, i) => {
                write!(
                    f,
                    "{h} forwards out of {i}, which is not an interface that is up"
                )
            }
        }
    }
}

impl std::error::Error for StateTraceError {}

/// One hop of a path, as SuzieQ's `path show` prints it: the attributes
/// describe how the packet leaves this hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateHop {
    /// Device.
    pub hostname: String,
    /// Incoming interface (the source interface on the first hop).
    pub iif: String,
    /// Outgoing interface (the destination interface on the last hop).
    pub oif: String,
    /// VRF of the lookup.
    pub vrf: String,
    /// Leaves this hop bridged (L2).
    pub is_l2: bool,
    /// Arrived here through a VXLAN tunnel (overlay hop).
    pub overlay: bool,
    /// The MTUs of the link into this hop agree.
    pub mtu_match: bool,
    /// MTU of the incoming interface.
    pub in_mtu: u32,
    /// MTU of the outgoing interface.
    pub out_mtu: u32,
    /// Protocol of the route used (`l2` for a bridged hop).
    pub protocol: String,
    /// The route's prefix (or the address looked up in ARP).
    pub ip_lookup: String,
    /// The remote VTEP the packet is tunnelled to.
    pub vtep_lookup: String,
    /// The MAC address looked up for a bridged hop.
    pub mac_lookup: String,
    /// Next-hop address.
    pub nexthop_ip: String,
    /// Errors, comma separated.
    pub hop_error: String,
    /// Collection time of the table the decision came from (epoch ms).
    pub timestamp: Option<i64>,
    /// Next hops of the route used (more than one: ECMP).
    pub ecmp: u16,
}

/// Every path between a source and a destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateTrace {
    /// The paths, each a list of hops from the source device.
    pub paths: Vec<Vec<StateHop>>,
    /// Destination device(s), empty when the destination is not in the tables.
    pub dest_devices: Vec<String>,
    /// The source is no device's address: it was found in ARP tables (the
    /// walk starts at its first-hop switch) or in an SVI's subnet.
    pub source_learned: bool,
    /// The destination is no device's address but was found in ARP tables
    /// (the walk ends at its first-hop switch).
    pub dest_learned: bool,
}

/// SuzieQ's `path summarize` of a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateSummary {
    /// Number of paths.
    pub total_paths: usize,
    /// Distinct devices at each hop after the first.
    pub per_hop_ecmp: Vec<usize>,
    /// Hops of the longest path, less one.
    pub max_path_length: usize,
    /// Distinct devices over all paths.
    pub unique_devices: usize,
    /// Smallest MTU in or out along the paths, `lo` excepted.
    pub path_mtu: Option<u32>,
    /// Some path enters a VXLAN overlay.
    pub uses_overlay: bool,
    /// Some link's two ends disagree on MTU.
    pub mtu_mismatch: bool,
}

impl StateTrace {
    /// SuzieQ's `path summarize` figures.
    pub fn summary(&self) -> StateSummary {
        let max_len = self.paths.iter().map(Vec::len).max().unwrap_or(0);
        let per_hop_ecmp = (1..max_len)
            .map(|i| {
                uniq(
                    self.paths
                        .iter()
                        .filter_map(|p| p.get(i))
                        .map(|h| h.hostname.as_str()),
                )
                .len()
            })
            .collect();
        StateSummary {
            total_paths: self.paths.len(),
            per_hop_ecmp,
            max_path_length: max_len.saturating_sub(1),
            unique_devices: uniq(self.paths.iter().flatten().map(|h| h.hostname.as_str())).len(),
            path_mtu: self.path_mtu(),
            uses_overlay: self.paths.iter().flatten().any(|h| h.overlay),
            mtu_mismatch: self.paths.iter().flatten().any(|h| !h.mtu_match),
        }
    }

    /// The trace as SuzieQ's `path show --format=json` prints it: one record
    /// per hop, `pathid` from 1, SuzieQ's column names.
    pub fn rows(&self, namespace: &str) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for (i, p) in self.paths.iter().enumerate() {
            for (j, h) in p.iter().enumerate() {
                out.push(serde_json::json!({
                    "pathid": i + 1,
                    "hopCount": j,
                    "namespace": namespace,
                    "hostname": h.hostname,
                    "iif": h.iif,
                    "oif": h.oif,
                    "vrf": h.vrf,
                    "isL2": h.is_l2,
                    "overlay": h.overlay,
                    "mtuMatch": h.mtu_match,
                    "inMtu": h.in_mtu,
                    "outMtu": h.out_mtu,
                    "protocol": h.protocol,
                    "ipLookup": h.ip_lookup,
                    "vtepLookup": h.vtep_lookup,
                    "macLookup": h.mac_lookup,
                    "nexthopIp": h.nexthop_ip,
                    "hopError": h.hop_error,
                    "timestamp": h.timestamp,
                }));
            }
        }
        out
    }

    /// The smallest MTU along all paths (excluding `lo` interfaces), as
    /// SuzieQ's `path summarize` `pathMtu`.
    pub fn path_mtu(&self) -> Option<u32> {
        self.paths
            .iter()
            .flatten()
            .filter(|h| h.iif != "lo")
            .flat_map(|h| [h.in_mtu, h.out_mtu])
            .min()
    }
}

/// A source or destination interface hit (a row of SuzieQ's `_src_df`).
#[derive(Debug, Clone)]
struct Hit {
    dev: u32,
    ifname: String,
    kind: String,
    mtu: u32,
    master: Option<String>,
    mac: String,
    addr: Option<IpNet>,
    ts: Option<i64>,
}

impl Hit {
    fn of(r: &IfRow, addr: Option<IpNet>) -> Hit {
        Hit {
            dev: r.dev,
            ifname: r.name.clone(),
            kind: r.kind.clone(),
            mtu: r.mtu,
            master: Some(r.master.clone()),
            mac: r.mac.clone(),
            addr,
            ts: Some(r.ts),
        }
    }
}

/// A candidate next hop (SuzieQ's nexthop tuple before peer resolution).
#[derive(Debug, Clone)]
struct Nh {
    nhip: String,
    iface: String,
    overlay: String,
    l2hop: bool,
    protocol: String,
    ts: Option<i64>,
}

/// A resolved next hop with its peer.
#[derive(Debug, Clone)]
#[allow(clippy::struct_field_names)]
struct Peer {
    iface: String,
    dev: u32,
    peer_if: String,
    overlay: String,
    is_l2: bool,
    nhip: String,
    macaddr: Option<String>,
    protocol: String,
    errmsg: String,
    ts: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
enum OutMtu {
    One(u32),
    /// On a destination hop: the previous hop's outgoing MTU, then its own.
    Pair(u32, u32),
}

/// The state of one hop while walking.
#[derive(Debug, Clone)]
struct St {
    iif: String,
    mtu: u32,
    out_mtu: OutMtu,
    overlay: String,
    protocol: String,
    errors: Rc<RefCell<Vec<String>>>,
    lookup: String,
    macaddr: Option<String>,
    vrf: String,
    mtu_match: bool,
    is_l2: bool,
    nhip: String,
    overlay_nhip: String,
    oif: String,
    ts: Option<i64>,
    ecmp: u16,
    /// (device, VRF id) visited routed / bridged (few: a path's length).
    l3v: Vec<(u32, u32)>,
    l2v: Vec<(u32, u32)>,
}

impl St {
    fn add_error(&self, e: &str) {
        let mut v = self.errors.borrow_mut();
        if !v.iter().any(|x| x == e) {
            v.push(e.to_string());
        }
    }
    fn push_error(&self, e: &str) {
        self.errors.borrow_mut().push(e.to_string());
    }
}

/// (device, previous device) — SuzieQ's `device/prevdevice` key.
type Key = (u32, Option<u32>);
type PathV = Vec<(Key, Rc<St>)>;

fn same_path(a: &PathV, b: &PathV) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.0 == y.0 && Rc::ptr_eq(&x.1, &y.1))
}

fn push_unique(v: &mut Vec<PathV>, p: PathV) {
    if !v.iter().any(|x| same_path(x, &p)) {
        v.push(p);
    }
}

/// An ordered map with Python dict semantics (insertion order, a key
/// assigned again keeps its place).
type Ordered<V> = indexmap::IndexMap<Key, V, rustc_hash::FxBuildHasher>;

/// Arguments of a next-hop resolution (device, VRF, destination, L2, VTEP, MAC).
type NhKey = (u32, u32, IpAddr, bool, String, Option<String>);

/// One trace: the data SuzieQ's `_init_dfs` prepares, and the walk.
struct Tracer<'a> {
    p: &'a StatePlane,
    src: IpAddr,
    dst: IpAddr,
    v6: bool,
    src_df: Vec<Hit>,
    dest_df: Vec<Hit>,
    src_device: Vec<u32>,
    dest_device: Vec<u32>,
    srcnode_via_arp: bool,
    dest_via_arp: bool,
    is_l2: bool,
    cache: HashMap<NhKey, Rc<[Peer]>>,
}

/// Trace from `src` to `dst` on observed state, optionally in a given VRF.
pub fn trace_state(
    p: &StatePlane,
    src: IpAddr,
    dst: IpAddr,
    vrf: Option<&str>,
) -> Result<StateTrace, StateTraceError> {
    if src.is_ipv4() != dst.is_ipv4() {
        return Err(StateTraceError::AddressFamily);
    }
    let mut t = Tracer::init(p, src, dst)?;
    t.walk(vrf.unwrap_or(""))
}

impl<'a> Tracer<'a> {
    fn init(p: &'a StatePlane, src: IpAddr, dst: IpAddr) -> Result<Self, StateTraceError> {
        if p.ifs.is_empty() {
            return Err(StateTraceError::NoInterfaces);
        }
        if !p.any_route(dst) {
            return Err(StateTraceError::NoRoutes(dst));
        }
        if !p.any_route(src) {
            return Err(StateTraceError::NoRoutes(src));
        }
        if p.arp.is_empty() {
            return Err(StateTraceError::NoArp(dst));
        }
        let mut t = Tracer {
            p,
            src,
            dst,
            v6: src.is_ipv6(),
            src_df: Vec::new(),
            dest_df: Vec::new(),
            src_device: Vec::new(),
            dest_device: Vec::new(),
            srcnode_via_arp: false,
            dest_via_arp: false,
            is_l2: false,
            cache: HashMap::default(),
        };
        t.src_df = t.owners(src);
        if t.src_df.is_empty() {
            t.src_df = t.find_fhr(None, src);
            t.srcnode_via_arp = true;
        }
        if t.src_df.is_empty() {
            t.src_df = t.svi_for(src)?;
            if !t.src_df.is_empty() {
                t.srcnode_via_arp = true;
            }
        }
        if t.src_df.is_empty() {
            return Err(StateTraceError::NoStart(src));
        }
        t.src_df = unnumbered(std::mem::take(&mut t.src_df));
        t.dest_df = t.owners(dst);
        if t.dest_df.is_empty() {
            t.dest_df = t.find_fhr(None, dst);
            t.dest_via_arp = !t.dest_df.is_empty();
        }
        // SuzieQ's same-subnet test for a source found through ARP never
        // matches (it compares the namespace column with a list), so such a
        // walk starts routed; kept for agreement.
        t.is_l2 = if t.srcnode_via_arp {
            false
        } else {
            t.src_df[0].addr.is_some_and(|n| n.contains(&dst))
        };
        if !t.dest_df.is_empty() {
            t.dest_df = unnumbered(std::mem::take(&mut t.dest_df));
        }
        t.dest_device = uniq(t.dest_df.iter().map(|h| h.dev));
        t.src_device = uniq(t.src_df.iter().map(|h| h.dev));
        if !t.src_device.iter().any(|&d| p.any_route_on(d, dst)) {
            return Err(StateTraceError::NoRoutesOnSource(
                t.src_device
                    .iter()
                    .map(|&d| p.host(d).to_string())
                    .collect(),
            ));
        }
        Ok(t)
    }

    /// Interface rows owning `ip` (one per interface and matching address).
    fn owners(&self, ip: IpAddr) -> Vec<Hit> {
        self.p
            .rows_with_addr(ip)
            .iter()
            .map(|&k| {
                let r = &self.p.ifs[k];
                let a = r
                    .addrs(ip.is_ipv6())
                    .iter()
                    .find(|n| n.addr() == ip)
                    .copied();
                Hit::of(r, a)
            })
            .collect()
    }

    /// SVIs whose subnet holds `ip` (SuzieQ's last resort for a source).
    fn svi_for(&self, ip: IpAddr) -> Result<Vec<Hit>, StateTraceError> {
        let mut out: Vec<Hit> = Vec::new();
        for r in &self.p.ifs {
            if !(r.name.starts_with("Vlan")
                || r.name.starts_with("vlan")
                || r.name.starts_with("irb."))
            {
                continue;
            }
            for a in r.addrs(ip.is_ipv6()) {
                // SuzieQ skips the 0.0.0.0/0 placeholder EOS reports on SVIs.
                if a.prefix_len() == 0 && a.addr().is_unspecified() {
                    continue;
                }
                if a.contains(&ip) {
                    let mut h = Hit::of(r, Some(*a));
                    if let Some(n) = h.ifname.strip_suffix("-v0") {
                        h.ifname = n.to_string();
                    }
                    if !out.iter().any(|o| o.dev == h.dev && o.ifname == h.ifname) {
                        out.push(h);
                    }
                }
            }
        }
        if uniq(out.iter().map(|h| h.dev)).len() > 2 {
            return Err(StateTraceError::SviOnTooManyHosts);
        }
        Ok(out)
    }

    /// The first-hop switch(es) of an address seen in ARP (`_find_fhr_df`).
    fn find_fhr(&self, device: Option<u32>, ip: IpAddr) -> Vec<Hit> {
        let p = self.p;
        let rslt: Vec<&Arp> = p
            .arp_by_ip
            .get(&ip)
            .into_iter()
            .flatten()
            .map(|&k| &p.arp[k])
            .filter(|a| !a.remote)
            .collect();
        if rslt.is_empty() {
            return Vec::new();
        }
        let macs = uniq(rslt.iter().map(|a| a.mac.as_str()));
        if macs.len() != 1 {
            return Vec::new();
        }
        let peer = device.and_then(|d| p.mlag_peer.get(&d).copied());
        let macdf: Vec<&Mac> = p
            .macs_of(macs[0])
            .filter(|m| m.vtep.is_empty())
            .filter(|m| m.vlan != 0 && m.oif != "bridge" && m.oif != "Vxlan1")
            .filter(|m| device.is_none() || Some(m.dev) != peer)
            .collect();
        let vrf = rslt[0].vrf.clone();
        let mut out = Vec::new();
        for a in &rslt {
            if let Some(me) = macdf.iter().find(|m| m.dev == a.dev) {
                let rows = p.rows_named(a.dev, &me.oif);
                if rows.is_empty() {
                    continue;
                }
                let all_bridge = rows.iter().all(|&k| p.ifs[k].master == "bridge");
                for (i, &k) in rows.iter().enumerate() {
                    let r = &p.ifs[k];
                    let mut h = Hit::of(r, r.addrs(self.v6).first().copied());
                    if i == 0 && all_bridge {
                        h.addr = Some(IpNet::from(ip));
                    }
                    out.push(h);
                }
            } else {
                for &k in p.rows_named(a.dev, &a.oif) {
                    let r = &p.ifs[k];
                    if r.kind == "vlan" {
                        out.push(Hit::of(r, r.addrs(self.v6).first().copied()));
                    }
                }
            }
        }
        for h in &mut out {
            h.master = vrf.clone();
        }
        out
    }

    /// SuzieQ's `_get_vrf`: the VRF of an interface, or of the interface
    /// owning an address (`addr` non-empty).
    fn get_vrf(&self, dev: u32, ifname: &str, addr: &str) -> String {
        let p = self.p;
        let row: Option<&IfRow> = if ifname.is_empty() {
            addr.parse::<IpAddr>().ok().and_then(|ip| {
                p.rows_with_addr(ip).iter().map(|&k| &p.ifs[k]).find(|r| {
                    r.dev == dev && r.has(ip) && r.addrs(self.v6).iter().any(|n| n.addr() == ip)
                })
            })
        } else {
            p.row(dev, ifname)
        };
        let mut vrf = String::new();
        if let Some(r) = row
            && r.master == "bridge"
            && addr.is_empty()
            && r.vlan != 0
            && r.portmode != "trunk"
        {
            let a = format!("vlan{}", r.vlan);
            let b = format!("Vlan{}", r.vlan);
            if let Some(v) = p.row(dev, &a).or_else(|| p.row(dev, &b)) {
                vrf = v.master.trim().to_string();
            }
        }
        if let Some(r) = row
            && vrf.is_empty()
        {
            vrf = r.master.trim().to_string();
            if vrf == "bridge" {
                vrf.clear();
            }
        }
        vrf
    }

    fn if_vlan(&self, dev: u32, ifname: &str) -> i64 {
        self.p.row(dev, ifname).map_or(-1, |r| i64::from(r.vlan))
    }

    /// `_get_underlay_nexthop`: next hops towards VTEPs in the underlay.
    fn underlay(&self, dev: u32, vteps: &[String], vrfs: &[String], is_overlay: bool) -> Vec<Nh> {
        let mut out = Vec::new();
        let first = match vrfs.first() {
            Some(f) if vrfs.iter().all(|v| v == f) => f,
            _ => return out,
        };
        let vrf = first.rsplit(':').next().unwrap_or("");
        for vtep in vteps {
            let Ok(ip) = vtep.parse::<IpAddr>() else {
                continue;
            };
            let Some(r) = self.p.lpm(dev, vrf, ip) else {
                continue;
            };
            for (nh, oif) in r.nhips.iter().zip(&r.oifs) {
                out.push(Nh {
                    nhip: nh.clone(),
                    iface: oif.clone(),
                    overlay: if is_overlay {
                        vtep.clone()
                    } else {
                        String::new()
                    },
                    l2hop: is_overlay,
                    protocol: r.protocol.clone(),
                    ts: Some(r.ts),
                });
            }
        }
        out
    }

    /// `_get_l2_nexthop`: the bridged (or tunnelled) next hop towards `dest`.
    fn l2_nexthop(
        &self,
        dev: u32,
        vrf: &str,
        dest: IpAddr,
        macaddr: Option<&str>,
        protocol: &str,
    ) -> Vec<Nh> {
        let p = self.p;
        let arp: Vec<&Arp> = p.arp_on(dev, dest).collect();
        let Some(first) = arp.first() else {
            if let Some(r) = p.lpm_fwd(dev, vrf, self.dst)
                && r.prefix == IpNet::from(dest)
                && let Some(overlay) = r.nhips.first()
                && !overlay.is_empty()
            {
                return self.underlay(
                    dev,
                    std::slice::from_ref(overlay),
                    &["default".to_string()],
                    true,
                );
            }
            return Vec::new();
        };
        let mac = macaddr.filter(|m| !m.is_empty()).unwrap_or(&first.mac);
        let oif = first.oif.strip_suffix("-v0").unwrap_or(&first.oif);
        let vlan = self.if_vlan(dev, oif);
        if mac.is_empty() {
            return Vec::new();
        }
        let m = p
            .macs_of(mac)
            .find(|m| m.dev == dev && i64::from(m.vlan) == vlan);
        match m {
            None => vec![Nh {
                nhip: String::new(),
                iface: first.oif.clone(),
                overlay: String::new(),
                l2hop: protocol == "l2",
                protocol: protocol.to_string(),
                ts: None,
            }],
            Some(m) if m.vtep.is_empty() => vec![Nh {
                nhip: String::new(),
                iface: m.oif.clone(),
                overlay: String::new(),
                l2hop: protocol == "l2",
                protocol: protocol.to_string(),
                ts: Some(m.ts),
            }],
            Some(m) => self.underlay(
                dev,
                std::slice::from_ref(&m.vtep),
                &["default".to_string()],
                true,
            ),
        }
    }

    /// `_handle_recursive_route`: fill the interfaces of a route whose next
    /// hops have none, by looking the next hops up (two levels at most).
    fn recursive(
        &self,
        dev: u32,
        vrf: &str,
        nhips: &[String],
        depth: u8,
    ) -> (Vec<String>, Vec<String>) {
        let mut oifs = Vec::new();
        let mut nhops = Vec::new();
        if depth == 0 {
            return (nhips.to_vec(), oifs);
        }
        for nh in nhips {
            let Ok(ip) = nh.parse::<IpAddr>() else {
                continue;
            };
            if let Some(r) = self.p.lpm(dev, vrf, ip) {
                oifs.extend(r.oifs.iter().cloned());
                if !matches!(
                    r.protocol.as_str(),
                    "direct" | "local" | "connected" | "kernel"
                ) {
                    nhops.extend(r.nhips.iter().cloned());
                }
            }
        }
        let nh = if nhops.is_empty() {
            nhips.to_vec()
        } else {
            nhops
        };
        (nh, oifs)
    }

    /// `_get_nexthops`.
    fn nexthops(
        &self,
        dev: u32,
        vrf: &str,
        dest: IpAddr,
        is_l2: bool,
        vtep: &str,
        macaddr: Option<&str>,
    ) -> Vec<Nh> {
        if is_l2 {
            if !vtep.is_empty() {
                return self.underlay(dev, &[vtep.to_string()], &[vrf.to_string()], true);
            }
            return self.l2_nexthop(dev, vrf, dest, macaddr, "l2");
        }
        let r = self.p.lpm_fwd(dev, vrf, self.dst);
        if let Some(r) = r
            && r.nhips.first().is_some_and(|n| !n.is_empty())
            && r.protocol != "hmm"
        {
            let (nhips, oifs) = if r.oifs.is_empty() {
                self.recursive(dev, vrf, &r.nhips, 2)
            } else {
                (r.nhips.clone(), r.oifs.clone())
            };
            if oifs.iter().any(|o| o.starts_with("_nexthopVrf:")) {
                return self.underlay(dev, &nhips, &oifs, true);
            }
            return nhips
                .into_iter()
                .zip(oifs)
                .map(|(nhip, iface)| Nh {
                    nhip,
                    iface,
                    overlay: String::new(),
                    l2hop: false,
                    protocol: r.protocol.clone(),
                    ts: Some(r.ts),
                })
                .collect();
        }
        let protocol = r.map_or("", |r| r.protocol.as_str());
        self.l2_nexthop(dev, vrf, dest, None, protocol)
    }

    /// Interface rows (deduplicated per interface) matching a filter.
    fn rows_where(
        &self,
        it: impl Iterator<Item = usize>,
        f: impl Fn(&IfRow) -> bool,
    ) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for k in it {
            if f(&self.p.ifs[k]) && !out.contains(&k) {
                out.push(k);
            }
        }
        out.sort_unstable();
        out
    }

    /// `_get_nh_with_peer`: next hops with the device and interface at the
    /// other end.
    #[allow(clippy::too_many_lines)]
    fn nh_with_peer(
        &mut self,
        dev: u32,
        vrf: &str,
        dest: IpAddr,
        is_l2: bool,
        vtep: &str,
        macaddr: Option<&str>,
    ) -> Rc<[Peer]> {
        let key = (
            dev,
            self.p.vrf_id(vrf),
            dest,
            is_l2,
            vtep.to_string(),
            macaddr.map(str::to_string),
        );
        if let Some(v) = self.cache.get(&key) {
            return Rc::clone(v);
        }
        let p = self.p;
        let dest_s = dest.to_string();
        let list = self.nexthops(dev, vrf, dest, is_l2, vtep, macaddr);
        let mut new_list: Vec<Nh> = Vec::new();
        for mut nh in list {
            let addr = if (nh.nhip.is_empty() || nh.nhip == "None") && !nh.iface.is_empty() {
                dest_s.clone()
            } else {
                nh.nhip.clone()
            };
            if let Some(s) = nh.iface.strip_suffix("-v0") {
                nh.iface = s.to_string();
            }
            let arpdf: Vec<&Arp> = addr
                .parse::<IpAddr>()
                .ok()
                .map(|a| p.arp_on(dev, a).filter(|x| x.oif == nh.iface).collect())
                .unwrap_or_default();
            if !arpdf.is_empty() && arpdf.iter().all(|a| a.remote) {
                let macdf: Vec<&Mac> = p.macs_of(&arpdf[0].mac).filter(|m| m.dev == dev).collect();
                let mut overlay = nh.overlay.clone();
                if !macdf.is_empty() && macdf.iter().all(|m| !m.vtep.is_empty()) {
                    overlay = macdf[0].vtep.clone();
                }
                if !overlay.is_empty() {
                    new_list.extend(self.underlay(dev, &[overlay], &["default".to_string()], true));
                }
            } else {
                new_list.push(nh);
            }
        }
        let on_src_node = self.src_device.contains(&dev);
        let mut macaddr: Option<String> = macaddr.map(str::to_string);
        let mut out: Vec<Peer> = Vec::new();
        for nh in new_list {
            let Nh {
                mut nhip,
                iface,
                overlay,
                mut l2hop,
                protocol,
                ts,
            } = nh;
            let mut errormsg = String::new();
            let mut arp_mac: Option<String> = None;
            let mut df: Vec<usize>;
            if l2hop && macaddr.as_deref().is_some_and(|m| !m.is_empty()) && overlay.is_empty() {
                let addr = if (nhip.is_empty() || nhip == "None") && !iface.is_empty() {
                    dest_s.clone()
                } else {
                    nhip.clone()
                };
                let ip = addr.parse::<IpAddr>().ok();
                let mac = macaddr.clone().unwrap_or_default();
                let cands: Vec<usize> = ip
                    .map(|ip| p.rows_with_addr(ip).to_vec())
                    .unwrap_or_default();
                let v4only = |r: &IfRow| {
                    ip.is_some_and(|ip| ip.is_ipv4() && r.v4.iter().any(|n| n.addr() == ip))
                };
                df = self.rows_where(cands.iter().copied(), |r| {
                    r.mac == mac && r.kind != "bond_slave" && v4only(r)
                });
                if df.is_empty() {
                    df = self.rows_where(cands.iter().copied(), |r| {
                        r.kind != "bond_slave" && v4only(r)
                    });
                    if df.is_empty() {
                        continue;
                    }
                }
            } else {
                if nhip.is_empty() {
                    nhip = dest_s.clone();
                }
                let ip = nhip.parse::<IpAddr>().ok();
                let v4has = |r: &IfRow| {
                    ip.is_some_and(|ip| ip.is_ipv4() && r.v4.iter().any(|n| n.addr() == ip))
                };
                let arpdf: Vec<&Arp> = ip
                    .map(|a| p.arp_on(dev, a).filter(|x| x.oif == iface).collect())
                    .unwrap_or_default();
                df = Vec::new();
                if let Some(a) = arpdf.first() {
                    arp_mac = Some(a.mac.clone());
                    let by_mac: Vec<usize> = p.if_by_mac.get(&a.mac).cloned().unwrap_or_default();
                    df = self.rows_where(by_mac.iter().copied(), |r| {
                        r.kind != "bond_slave" && v4has(r)
                    });
                    if df.is_empty() {
                        df = self.rows_where(by_mac.iter().copied(), |r| r.kind != "bond_slave");
                    }
                }
                let cands: Vec<usize> = ip
                    .map(|ip| p.rows_with_addr(ip).to_vec())
                    .unwrap_or_default();
                let nhip_df = self.rows_where(cands.iter().copied(), |r| {
                    r.kind != "bond_slave" && r.dev != dev && v4has(r)
                });
                if df.is_empty() && !nhip_df.is_empty() {
                    df = nhip_df;
                } else if on_src_node && !df.is_empty() && !nhip_df.is_empty() {
                    let h1 = uniq(df.iter().map(|&k| p.ifs[k].dev));
                    let h2 = uniq(nhip_df.iter().map(|&k| p.ifs[k].dev));
                    let m1 = uniq(df.iter().map(|&k| p.ifs[k].mac.as_str()));
                    let m2 = uniq(nhip_df.iter().map(|&k| p.ifs[k].mac.as_str()));
                    if h1 != h2 && m1 != m2 {
                        errormsg = "Possible anycast IP without anycast MAC".to_string();
                        l2hop = true;
                    }
                }
                if df.is_empty() {
                    continue;
                }
            }
            // Rows: (device, interface, mac).
            let mut rows: Vec<(u32, String, String)> = df
                .iter()
                .map(|&k| (p.ifs[k].dev, p.ifs[k].name.clone(), p.ifs[k].mac.clone()))
                .collect();
            let check_fhr = if self.src_device.contains(&dev) {
                Some(self.src)
            } else if l2hop && self.dest_device.contains(&rows[0].0) {
                Some(self.dst)
            } else {
                None
            };
            if let Some(ip) = check_fhr {
                let fhr = self.find_fhr(Some(dev), ip);
                if !fhr.is_empty() {
                    let fhr_hosts = uniq(fhr.iter().map(|h| h.dev));
                    if ip != self.dst && !fhr_hosts.contains(&dev) {
                        let kept: Vec<(u32, String, String)> = rows
                            .iter()
                            .filter(|r| fhr_hosts.contains(&r.0))
                            .cloned()
                            .collect();
                        if kept.is_empty() {
                            rows = fhr
                                .iter()
                                .map(|h| (h.dev, h.ifname.clone(), h.mac.clone()))
                                .collect();
                            l2hop = true;
                            if let Some(m) = &arp_mac {
                                macaddr = Some(m.clone());
                            }
                        } else {
                            // The peer is the first-hop switch: enter on the
                            // interface the source was learned on.
                            // pandas' outer merge: the kept rows with their
                            // first-hop interfaces, then first-hop switches
                            // not among them, their other columns filled
                            // forward from the row before.
                            let mut merged = Vec::new();
                            let mut last_mac = String::new();
                            for r in &kept {
                                for h in fhr.iter().filter(|h| h.dev == r.0) {
                                    merged.push((h.dev, h.ifname.clone(), r.2.clone()));
                                }
                                last_mac.clone_from(&r.2);
                            }
                            for h in fhr.iter().filter(|h| !kept.iter().any(|r| r.0 == h.dev)) {
                                merged.push((h.dev, h.ifname.clone(), last_mac.clone()));
                            }
                            rows = merged;
                        }
                    }
                }
            }
            // Unnumbered interfaces: several interfaces of the peer with the
            // same address; the one whose ARP entry names our address wins.
            let hosts = uniq(rows.iter().map(|r| r.0));
            let names = uniq(rows.iter().map(|r| r.1.as_str()));
            if hosts.len() == 1
                && names.len() > 1
                && let Some(o) = p.row(dev, &iface)
                && let Some(revip) = o.v4.first().map(IpNet::addr)
            {
                let revvrf = if overlay.is_empty() { vrf } else { "default" };
                if let Some(a) = p
                    .arp_on(hosts[0], revip)
                    .find(|a| a.vrf.as_deref() == Some(revvrf))
                {
                    let oif = a.oif.clone();
                    rows.retain(|r| r.1 == oif);
                }
            }
            for (pdev, pif, pmac) in rows {
                out.push(Peer {
                    iface: iface.clone(),
                    dev: pdev,
                    peer_if: pif,
                    overlay: overlay.clone(),
                    is_l2: l2hop,
                    nhip: nhip.clone(),
                    macaddr: macaddr.clone().filter(|m| !m.is_empty()).or(Some(pmac)),
                    protocol: protocol.clone(),
                    errmsg: errormsg.clone(),
                    ts,
                });
            }
        }
        out.sort_by(|a, b| p.host(a.dev).cmp(p.host(b.dev)));
        let out: Rc<[Peer]> = out.into();
        self.cache.insert(key, Rc::clone(&out));
        out
    }

    fn ip_of(&self, s: &str) -> IpAddr {
        s.parse().unwrap_or(self.dst)
    }

    /// The breadth-first walk (SuzieQ's `get`).
    #[allow(clippy::too_many_lines)]
    fn walk(&mut self, user_vrf: &str) -> Result<StateTrace, StateTraceError> {
        let p = self.p;
        let dst_s = self.dst.to_string();
        let mut devices: Ordered<St> = Ordered::default();
        let mut src_mtu: u32 = MAX_MTU + 1;
        let mut dvrf = user_vrf.to_string();
        for h in self.src_df.clone() {
            let vrf = if user_vrf.is_empty() {
                h.master.clone().unwrap_or_default()
            } else {
                user_vrf.to_string()
            };
            devices.insert(
                (h.dev, None),
                St {
                    iif: h.ifname.clone(),
                    mtu: h.mtu,
                    out_mtu: OutMtu::One(h.mtu),
                    overlay: String::new(),
                    protocol: String::new(),
                    errors: Rc::default(),
                    lookup: dst_s.clone(),
                    macaddr: None,
                    vrf,
                    mtu_match: true,
                    is_l2: self.is_l2,
                    nhip: String::new(),
                    overlay_nhip: String::new(),
                    oif: h.ifname.clone(),
                    ts: h.ts,
                    ecmp: 0,
                    l3v: Vec::new(),
                    l2v: Vec::new(),
                },
            );
            if src_mtu > MAX_MTU || h.mtu < src_mtu {
                src_mtu = h.mtu;
            }
        }
        if dvrf.is_empty()
            && let Some(h) = self.src_df.last()
        {
            dvrf = h.master.clone().unwrap_or_default();
        }
        if dvrf.is_empty() {
            dvrf = "default".to_string();
        }
        let mut dest_states: Ordered<St> = Ordered::default();
        for h in &self.dest_df {
            let vrf = match h.master.as_deref() {
                Some(m) if !m.is_empty() => m.to_string(),
                _ => dvrf.clone(),
            };
            dest_states.insert(
                (h.dev, None),
                St {
                    iif: String::new(),
                    mtu: h.mtu,
                    out_mtu: OutMtu::One(h.mtu),
                    overlay: String::new(),
                    protocol: String::new(),
                    errors: Rc::default(),
                    lookup: String::new(),
                    macaddr: None,
                    vrf,
                    mtu_match: true,
                    is_l2: false,
                    nhip: String::new(),
                    overlay_nhip: String::new(),
                    oif: h.ifname.clone(),
                    ts: h.ts,
                    ecmp: 0,
                    l3v: Vec::new(),
                    l2v: Vec::new(),
                },
            );
        }
        let mut final_paths: Vec<PathV> = Vec::new();
        let mut paths: Vec<PathV> = Vec::new();
        let mut on_src_node = true;
        let mut rounds = 0usize;
        while !devices.is_empty() {
            rounds += 1;
            if rounds > 64 {
                break;
            }
            let mut next: Ordered<St> = Ordered::default();
            let mut newpaths: Vec<PathV> = Vec::new();
            let mut revdf_check = true;
            for (devkey, mut st) in std::mem::take(&mut devices) {
                let (device, prev) = devkey;
                let iif = st.iif.clone();
                let devvrf = st.vrf.clone();
                let mut ioverlay = st.overlay.clone();
                let macaddr = st.macaddr.clone();
                let mut l3v = st.l3v.clone();
                let mut l2v = st.l2v.clone();
                let mut is_l2 = st.is_l2;

                if let Some(dst_st) = dest_states.get(&(device, None)) {
                    if revdf_check {
                        let vrfchk = dst_st.vrf.clone();
                        let rev = p.lpm_fwd(device, &vrfchk, self.src).is_some();
                        if !rev && is_l2 {
                            if p.arp_on(device, self.dst).next().is_none() {
                                dst_st.push_error("no reverse path, possible flood");
                            }
                        } else if !rev {
                            dst_st.push_error("no reverse path");
                        }
                        revdf_check = false;
                    }
                    let make = |on_src: bool| {
                        let mut c = dst_st.clone();
                        if !on_src {
                            c.oif = st.oif.clone();
                        }
                        c.iif = iif.clone();
                        c.mtu = st.mtu;
                        let own = match dst_st.out_mtu {
                            OutMtu::One(m) | OutMtu::Pair(_, m) => m,
                        };
                        let dst_mtu = if own > MAX_MTU { c.mtu } else { own };
                        if dst_mtu != src_mtu {
                            c.add_error("Dst MTU != Src MTU");
                        }
                        let prev_out = match st.out_mtu {
                            OutMtu::One(m) | OutMtu::Pair(m, _) => m,
                        };
                        c.out_mtu = OutMtu::Pair(prev_out, own);
                        c.is_l2 = is_l2;
                        if !is_l2 {
                            c.nhip = dst_s.clone();
                        }
                        c.mtu_match = st.mtu_match;
                        Rc::new(c)
                    };
                    for x in &paths {
                        let last_dev = x.last().map(|h| h.0.0);
                        if prev != last_dev && !on_src_node {
                            continue;
                        }
                        let mut z = x.clone();
                        z.push(((device, None), make(on_src_node)));
                        push_unique(&mut final_paths, z);
                    }
                    if paths.is_empty() {
                        paths = vec![vec![((device, None), make(true))]];
                    }
                    continue;
                }

                let mut end_overlay = true;
                let mut ndst: String;
                if is_l2 || !ioverlay.is_empty() {
                    ndst = if ioverlay.is_empty() {
                        st.nhip.clone()
                    } else {
                        ioverlay.clone()
                    };
                    let here: Vec<&IfRow> = ndst
                        .parse::<IpAddr>()
                        .ok()
                        .map(|ip| {
                            p.rows_with_addr(ip)
                                .iter()
                                .map(|&k| &p.ifs[k])
                                .filter(|r| {
                                    r.dev == device
                                        && r.addrs(self.v6).iter().any(|n| n.addr() == ip)
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    if !here.is_empty() {
                        let ifmac: Vec<&str> = here.iter().map(|r| r.mac.as_str()).collect();
                        if macaddr
                            .as_deref()
                            .is_none_or(|m| m.is_empty() || ifmac.contains(&m))
                        {
                            ndst = dst_s.clone();
                            is_l2 = self.is_l2;
                            ioverlay.clear();
                            l2v.clear();
                        }
                    } else if !ioverlay.is_empty() {
                        end_overlay = false;
                    }
                } else {
                    ndst = dst_s.clone();
                }
                if ndst.is_empty() {
                    ndst = dst_s.clone();
                }

                let mut ivrf = if !end_overlay {
                    "default".to_string()
                } else if !st.overlay_nhip.is_empty() {
                    let v = self.get_vrf(device, "", &st.overlay_nhip);
                    if v.is_empty() { devvrf.clone() } else { v }
                } else if st.nhip.is_empty() || st.nhip == "169.254.0.1" {
                    self.get_vrf(device, &iif, "")
                } else {
                    let v = self.get_vrf(device, "", &st.nhip);
                    if v.is_empty() {
                        self.get_vrf(device, &iif, "")
                    } else {
                        v
                    }
                };
                if ivrf.is_empty() {
                    ivrf = dvrf.clone();
                }

                let skey = (device, p.vrf_id(&ivrf));
                // A device is visited once per VRF: routed hops and each
                // bridged (or underlay) stretch keep their own record.
                let (visited, loop_error) = if is_l2 {
                    let e = if ioverlay.is_empty() {
                        "L2 Loop detected"
                    } else {
                        "Loop in underlay"
                    };
                    (&mut l2v, e)
                } else {
                    (&mut l3v, "L3 loop")
                };
                if visited.contains(&skey) {
                    st.push_error(loop_error);
                    let st = Rc::new(st);
                    for x in &paths {
                        let mut z = x.clone();
                        z.push((devkey, st.clone()));
                        push_unique(&mut final_paths, z);
                    }
                    continue;
                }
                visited.push(skey);

                st.vrf = ivrf.clone();
                if !is_l2 && ioverlay.is_empty() {
                    if let Some(r) = p.lpm_fwd(device, &ivrf, self.dst) {
                        st.ts = Some(r.ts);
                        st.protocol = r.protocol.clone();
                        st.lookup = r.prefix.to_string();
                        st.ecmp = u16::try_from(r.nhips.len()).unwrap_or(u16::MAX);
                        if p.lpm_fwd(device, &ivrf, self.src).is_none() && !on_src_node {
                            st.push_error("no reverse path");
                        }
                    } else {
                        st.lookup.clear();
                    }
                } else if macaddr.as_deref().is_some_and(|m| !m.is_empty()) {
                    st.lookup.clear();
                } else {
                    st.lookup = ndst.clone();
                }

                let ndst_ip = self.ip_of(&ndst);
                let peers =
                    self.nh_with_peer(device, &ivrf, ndst_ip, is_l2, &ioverlay, macaddr.as_deref());
                // Per peer device the last next hop wins (a dict in SuzieQ).
                let mut new_states: Ordered<St> = Ordered::default();
                for nh in peers.iter() {
                    if st.protocol.is_empty() {
                        st.protocol = nh.protocol.clone();
                    }
                    st.ts = nh.ts;
                    if !nh.errmsg.is_empty() {
                        st.add_error(&nh.errmsg);
                    }
                    let iface = p.nxos_name(device, &nh.iface);
                    let peer_if = p.nxos_name(nh.dev, &nh.peer_if);
                    let in_mtu = p
                        .rows_named(nh.dev, &peer_if)
                        .last()
                        .map(|&k| p.ifs[k].mtu)
                        .ok_or_else(|| {
                            StateTraceError::UnknownInterface(
                                p.host(nh.dev).to_string(),
                                peer_if.clone(),
                            )
                        })?;
                    let out_mtu = p
                        .rows_named(device, &iface)
                        .last()
                        .map(|&k| p.ifs[k].mtu)
                        .ok_or_else(|| {
                            StateTraceError::UnknownInterface(
                                p.host(device).to_string(),
                                iface.clone(),
                            )
                        })?;
                    if on_src_node && src_mtu > MAX_MTU {
                        src_mtu = out_mtu;
                    }
                    let mut error = Vec::new();
                    if in_mtu < src_mtu || out_mtu < src_mtu {
                        error.push("Hop MTU < Src Mtu".to_string());
                    }
                    let (overlay, vrf) = if end_overlay {
                        (nh.overlay.clone(), ivrf.clone())
                    } else {
                        (ioverlay.clone(), devvrf.clone())
                    };
                    let nhip = if nh.nhip.is_empty() {
                        ndst.clone()
                    } else {
                        nh.nhip.clone()
                    };
                    let overlay_nhip = if !overlay.is_empty() && ioverlay.is_empty() {
                        ndst.clone()
                    } else if !end_overlay {
                        st.overlay_nhip.clone()
                    } else {
                        String::new()
                    };
                    let macaddr = if !overlay.is_empty() || !nh.is_l2 {
                        None
                    } else {
                        nh.macaddr.clone()
                    };
                    new_states.insert(
                        (nh.dev, Some(device)),
                        St {
                            iif: peer_if,
                            mtu: in_mtu,
                            out_mtu: OutMtu::One(out_mtu),
                            overlay,
                            protocol: String::new(),
                            errors: Rc::new(RefCell::new(error)),
                            lookup: String::new(),
                            macaddr,
                            vrf,
                            mtu_match: in_mtu == out_mtu,
                            is_l2: nh.is_l2,
                            nhip,
                            overlay_nhip,
                            oif: iface,
                            ts: None,
                            ecmp: 0,
                            l3v: l3v.clone(),
                            l2v: l2v.clone(),
                        },
                    );
                }
                let st = Rc::new(st);
                if paths.is_empty() {
                    newpaths.push(vec![(devkey, st.clone())]);
                }
                for x in &paths {
                    let last_dev = x.last().map(|h| h.0.0);
                    if prev != last_dev {
                        continue;
                    }
                    let mut z = x.clone();
                    z.push((devkey, st.clone()));
                    push_unique(&mut newpaths, z);
                }
                for (k, v) in new_states {
                    next.entry(k).or_insert(v);
                }
            }
            if !newpaths.is_empty() {
                paths = newpaths;
            }
            devices = next;
            on_src_node = false;
        }
        if final_paths.is_empty() {
            final_paths = paths;
        }
        Ok(self.result(final_paths))
    }

    /// `_path_cons_result`: rows per hop, with what describes leaving a hop
    /// moved from the next hop's state to it.
    fn result(&self, paths: Vec<PathV>) -> StateTrace {
        let p = self.p;
        let dest_if = self.dest_df.first().map(|h| h.ifname.clone());
        let finish = |h: &mut StateHop, out: &OutMtu| {
            if let Some(d) = &dest_if {
                h.oif = d.clone();
            }
            if let OutMtu::Pair(_, m) = out {
                h.out_mtu = *m;
            }
            h.is_l2 = false;
            h.nexthop_ip.clear();
            h.vtep_lookup.clear();
        };
        let mut out = Vec::new();
        for path in paths {
            let mut hops: Vec<StateHop> = Vec::new();
            let mut last_out: Option<OutMtu> = None;
            for (j, ((dev, _), st)) in path.iter().enumerate() {
                let hop = StateHop {
                    hostname: p.host(*dev).to_string(),
                    iif: st.iif.clone(),
                    oif: st.oif.clone(),
                    vrf: st.vrf.clone(),
                    is_l2: st.is_l2,
                    overlay: !st.overlay.is_empty(),
                    mtu_match: st.mtu_match,
                    in_mtu: st.mtu,
                    out_mtu: match st.out_mtu {
                        OutMtu::One(m) | OutMtu::Pair(m, _) => m,
                    },
                    protocol: st.protocol.clone(),
                    ip_lookup: st.lookup.clone(),
                    vtep_lookup: String::new(),
                    mac_lookup: String::new(),
                    nexthop_ip: st.nhip.clone(),
                    hop_error: st.errors.borrow().join(", "),
                    timestamp: st.ts,
                    ecmp: st.ecmp,
                };
                if let Some(prev) = hops.last_mut() {
                    prev.nexthop_ip = hop.nexthop_ip.clone();
                    if hop.overlay {
                        prev.vtep_lookup = st.overlay.clone();
                    } else if hop.is_l2 {
                        prev.mac_lookup = st.macaddr.clone().unwrap_or_default();
                    }
                    if !self.srcnode_via_arp || j != 1 {
                        prev.is_l2 = hop.is_l2;
                    }
                    prev.oif = hop.oif.clone();
                    prev.out_mtu = match st.out_mtu {
                        OutMtu::One(m) | OutMtu::Pair(m, _) => m,
                    };
                }
                last_out = Some(st.out_mtu.clone());
                hops.push(hop);
            }
            if let (Some(h), Some(o)) = (hops.last_mut(), last_out) {
                finish(h, &o);
            }
            if !hops.is_empty() {
                out.push(hops);
            }
        }
        StateTrace {
            paths: out,
            dest_devices: self
                .dest_device
                .iter()
                .map(|&d| p.host(d).to_string())
                .collect(),
            source_learned: self.srcnode_via_arp,
            dest_learned: self.dest_via_arp,
        }
    }
}

/// Several interfaces of one device with the same address (unnumbered):
/// keep the loopback(s), else `lo<N>` interfaces.
fn unnumbered(df: Vec<Hit>) -> Vec<Hit> {
    if uniq(df.iter().map(|h| h.dev)).len() == 1 && df.len() > 1 {
        if df.iter().any(|h| h.kind == "loopback") {
            return df.into_iter().filter(|h| h.kind == "loopback").collect();
        }
        let lo: Vec<Hit> = df
            .iter()
            .filter(|h| {
                h.ifname
                    .strip_prefix("lo")
                    .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
            })
            .cloned()
            .collect();
        if !lo.is_empty() {
            return lo;
        }
    }
    df
}

/// Distinct values in first-seen order.
fn uniq<T: PartialEq>(it: impl Iterator<Item = T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for x in it {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

/// Trace a flow on a data plane built from a network with observed state:
/// the walk of [`trace_state`], as the engine's [`Trace`] (one branch per
/// path), so every view of a trace (DNA Center, JSON, tables) shows it.
///
/// A source or destination found only in ARP tables appears as an address
/// element before the first-hop switch (after the last one). Dispositions:
/// `ACCEPTED` at a device or learned host owning the destination, `LOOP`
/// where SuzieQ reports a loop, `EXITS_NETWORK` where the last route leads
/// out of what was collected, `NO_ROUTE` where the last device has none,
/// `NEIGHBOR_UNREACHABLE` where a route's next hop is not in the tables.
///
/// The state is immutable and a walk depends only on the two addresses
/// (route and ARP tables do not look at protocol or ports), so answers are
/// memoised per snapshot (up to 4,096 address pairs, then the memo starts
/// over): a repeated question costs a lookup and a copy. [`trace_flow_fresh`]
/// always walks.
pub fn trace_flow(dp: &DataPlane, flow: &Flow) -> Result<Trace, TraceError> {
    let Some(plane) = dp.state.as_deref() else {
        return Err(TraceError::Observed("no observed state".to_string()));
    };
    let key = (flow.src, flow.dst);
    let hit = plane.answers.lock().ok().and_then(|m| m.get(&key).cloned());
    let answer = hit.unwrap_or_else(|| {
        let a = trace_flow_fresh(dp, flow).map(std::sync::Arc::new);
        if let Ok(mut m) = plane.answers.lock() {
            if m.len() >= MAX_ANSWERS {
                m.clear();
            }
            m.insert(key, a.clone());
        }
        a
    });
    answer.map(|t| Trace {
        flow: *flow,
        ..(*t).clone()
    })
}

/// [`trace_flow`] without the memo: always walks the state.
pub fn trace_flow_fresh(dp: &DataPlane, flow: &Flow) -> Result<Trace, TraceError> {
    let Some(plane) = dp.state.as_deref() else {
        return Err(TraceError::Observed("no observed state".to_string()));
    };
    let st = match trace_state(plane, flow.src, flow.dst, None) {
        Ok(st) => st,
        // SuzieQ stops with an error where the source device has no route to
        // the destination; a path trace reports it as where the packet dies.
        Err(StateTraceError::NoRoutesOnSource(hosts)) => return no_route_at(dp, flow, &hosts),
        Err(StateTraceError::AddressFamily) => {
            return Err(TraceError::MixedFamilies(flow.src, flow.dst));
        }
        Err(StateTraceError::NoStart(ip)) => return Err(TraceError::SourceNotFound(ip)),
        Err(e) => return Err(TraceError::Observed(e.to_string())),
    };
    let dest_inside = dp.owner(flow.dst).is_some() || st.dest_learned;
    let mut branches = Vec::with_capacity(st.paths.len());
    let mut first_iif: Option<u32> = None;
    for path in &st.paths {
        let mut hops: Vec<Hop> = Vec::with_capacity(path.len() + 2);
        if st.source_learned {
            let mut h = Hop::at(Node::Address(flow.src), HopAction::Originated);
            h.egress = None;
            hops.push(h);
        }
        let n = path.len();
        for (j, sh) in path.iter().enumerate() {
            let Some(dev) = dp.device_index(&sh.hostname) else {
                continue;
            };
            let mut h = Hop::at(Node::Device(dev), HopAction::Routed);
            let iif = dp.interface_index(dev, &sh.iif);
            let oif = dp.interface_index(dev, &sh.oif);
            if j == 0 {
                first_iif = first_iif.or(iif);
            }
            let originated = j == 0 && !st.source_learned;
            let last = j + 1 == n;
            let received = last && st.dest_devices.contains(&sh.hostname) && !st.dest_learned;
            let place = |h: &mut Hop, i: Option<u32>, ingress: bool| {
                let Some(i) = i else { return };
                let virt = !matches!(
                    dp.interfaces[i as usize].kind,
                    pathtrace_model::InterfaceKind::Physical
                );
                match (ingress, virt) {
                    (true, false) => h.ingress = Some(i),
                    (true, true) => h.ingress_virtual = Some(i),
                    (false, false) => h.egress = Some(i),
                    (false, true) => h.egress_virtual = Some(i),
                }
            };
            if !originated {
                place(&mut h, iif, true);
            }
            if !received {
                place(&mut h, oif, false);
            }
            h.vrf = crate::dataplane::vrf_index(&dp.vrfs, Some(&sh.vrf));
            if sh.overlay {
                h.tunnel = Some(Tunnel::Vxlan);
            }
            h.action = if received {
                HopAction::Received
            } else if originated {
                HopAction::Originated
            } else if sh.overlay && sh.ip_lookup.parse::<IpAddr>().is_ok() {
                // An underlay hop: routed towards the VTEP.
                HopAction::Routed
            } else if sh.is_l2 && sh.ip_lookup.parse::<IpNet>().is_err() {
                HopAction::Switched
            } else {
                HopAction::Routed
            };
            // The route's attributes as interned for the model's FIB: one
            // with the observed protocol (for its name in every view).
            let proto = crate::fib::RouteProtocol::from_observed(&sh.protocol);
            let attrs = dp
                .route_attrs
                .iter()
                .position(|a| a.protocol == proto)
                .or_else(|| {
                    let (Ok(prefix), Some(vrf)) = (sh.ip_lookup.parse::<IpNet>(), h.vrf) else {
                        return None;
                    };
                    dp.fib(dev, vrf)
                        .and_then(|f| f.lookup(prefix.addr()))
                        .map(|(_, e)| e.attrs as usize)
                });
            let looked_up = sh.ip_lookup.parse::<IpNet>().ok().or_else(|| {
                let vtep = sh.ip_lookup.parse::<IpAddr>().ok()?;
                plane.route_to(&sh.hostname, &sh.vrf, vtep)
            });
            if let (Some(prefix), Some(attrs)) = (looked_up, attrs) {
                h.route = Some(RouteUse {
                    prefix,
                    attrs: attrs as u32,
                    next_hop: sh.nexthop_ip.parse().ok(),
                    paths: sh.ecmp.max(1),
                });
            }
            // A hop that forwarded without a route lookup of its own (an EVPN
            // leaf bridging into the overlay, an L2 hop) switched the packet.
            if h.action == HopAction::Routed && h.route.is_none() {
                h.action = HopAction::Switched;
            }
            hops.push(h);
        }
        let last = path.last();
        let looped = last.is_some_and(|h| h.hop_error.to_ascii_lowercase().contains("loop"));
        let at_dest = last.is_some_and(|h| st.dest_devices.contains(&h.hostname));
        let disposition = if looped {
            Disposition::Loop
        } else if at_dest {
            if st.dest_learned {
                hops.push(Hop::at(Node::Address(flow.dst), HopAction::Received));
            }
            Disposition::Accepted
        } else if last.is_some_and(|h| h.ip_lookup.is_empty()) {
            Disposition::NoRoute
        } else if !dest_inside {
            Disposition::ExitsNetwork
        } else {
            Disposition::NeighborUnreachable
        };
        if !disposition.is_success()
            && let Some(h) = hops.last_mut()
            && matches!(h.node, Node::Device(_))
        {
            h.action = HopAction::Stopped;
        }
        branches.push(Branch {
            protocol: None,
            disposition,
            detail: Detail::None,
            hops,
        });
    }
    let source = match find_source(dp, flow.src) {
        Some(s) => s,
        None => Source::Subnet(first_iif.ok_or(TraceError::SourceNotFound(flow.src))?),
    };
    Ok(Trace {
        flow: *flow,
        source,
        trace_count: branches.len(),
        truncated: false,
        branches,
    })
}

/// One `NO_ROUTE` branch per source device that has no route to the
/// destination in any VRF of its table.
fn no_route_at(dp: &DataPlane, flow: &Flow, hosts: &[String]) -> Result<Trace, TraceError> {
    let mut branches = Vec::new();
    let mut source = find_source(dp, flow.src);
    for h in hosts {
        let Some(dev) = dp.device_index(h) else {
            continue;
        };
        if source.is_none() {
            source = dp.devices[dev as usize]
                .interfaces
                .first()
                .map(|&i| Source::Subnet(i));
        }
        let mut hop = Hop::at(Node::Device(dev), HopAction::Stopped);
        hop.vrf = Some(0);
        branches.push(Branch {
            protocol: None,
            disposition: Disposition::NoRoute,
            detail: Detail::None,
            hops: vec![hop],
        });
    }
    let source = source.ok_or(TraceError::SourceNotFound(flow.src))?;
    Ok(Trace {
        flow: *flow,
        source,
        trace_count: branches.len(),
        truncated: false,
        branches,
    })
}
