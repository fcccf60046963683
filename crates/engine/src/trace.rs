//! The trace: walk a flow hop by hop through the data plane and return
//! every ECMP branch, each ending in a Batfish-style disposition with the
//! evidence of every hop (interfaces, VRF, VLAN, route, ACL line, tunnel).
//!
//! Per L3 hop the order is Batfish's: ingress ACL → "does this VRF own the
//! destination?" → FIB lookup → egress ACL → ARP among the L2 neighbours,
//! with one branch per next hop. L2 hops follow the spanning tree. A wireless
//! client's packet rides CAPWAP from its AP to the controller (the underlay is
//! traced by the same engine and its hops are tagged), an unmanaged cloud is
//! one hop after which the trace resumes at the attachment that leads to the
//! destination. Branches come out in a deterministic order and their number
//! is capped ([`TraceOptions`]) while the true count is still reported.

use std::net::IpAddr;

use ipnet::IpNet;
use pathtrace_model::types::{HostKind, InterfaceKind};
use serde::Serialize;

use crate::acl::AclHit;
use crate::dataplane::{DataPlane, Owner};
use crate::fib::{Action, NextHop};
use crate::flow::{Flow, Protocol};
use crate::l2::{L2Path, NodeIx, NodeKind};

/// How a branch ends (Batfish's vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Disposition {
    /// Reached an interface or host owning the destination.
    Accepted,
    /// Sent onto the destination's subnet, where no modelled host owns it.
    DeliveredToSubnet,
    /// Left the modelled network toward an external destination.
    ExitsNetwork,
    /// Denied by an inbound ACL.
    DeniedIn,
    /// Denied by an outbound ACL.
    DeniedOut,
    /// No route for the destination.
    NoRoute,
    /// The longest match is a discard (null) route.
    NullRouted,
    /// The next hop does not answer (it is owned elsewhere or the segment is full).
    NeighborUnreachable,
    /// The model lacks what it takes to go on (a device may be missing).
    InsufficientInfo,
    /// A forwarding loop.
    Loop,
}

impl Disposition {
    /// The upper-case name (`"DENIED_IN"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Accepted => "ACCEPTED",
            Disposition::DeliveredToSubnet => "DELIVERED_TO_SUBNET",
            Disposition::ExitsNetwork => "EXITS_NETWORK",
            Disposition::DeniedIn => "DENIED_IN",
            Disposition::DeniedOut => "DENIED_OUT",
            Disposition::NoRoute => "NO_ROUTE",
            Disposition::NullRouted => "NULL_ROUTED",
            Disposition::NeighborUnreachable => "NEIGHBOR_UNREACHABLE",
            Disposition::InsufficientInfo => "INSUFFICIENT_INFO",
            Disposition::Loop => "LOOP",
        }
    }

    /// Whether the packet got where it was going (ACCEPTED,
    /// DELIVERED_TO_SUBNET, EXITS_NETWORK).
    pub fn is_success(self) -> bool {
        matches!(
            self,
            Disposition::Accepted | Disposition::DeliveredToSubnet | Disposition::ExitsNetwork
        )
    }
}

/// What a hop stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Node {
    /// A managed device (index).
    Device(u32),
    /// A modelled host (index).
    Host(u32),
    /// An address in a known subnet that no modelled host owns (a source the
    /// model infers from its gateway's subnet).
    Address(IpAddr),
    /// An unmanaged cloud (index).
    Cloud(u32),
}

/// What a hop did with the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HopAction {
    /// The packet starts here.
    Originated,
    /// Bridged within a VLAN.
    Switched,
    /// Routed by a FIB entry (see `route`).
    Routed,
    /// Encapsulated into a tunnel (an AP into CAPWAP).
    Encapsulated,
    /// Accepted here (the destination).
    Received,
    /// The branch ends here without forwarding (see the disposition).
    Stopped,
    /// An unmanaged cloud forwarded it, as far as anyone can tell.
    Cloud,
}

/// A tunnel a hop is inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tunnel {
    /// CAPWAP between an AP and its wireless controller.
    Capwap,
    /// VXLAN between two VTEPs (an EVPN overlay hop).
    Vxlan,
}

impl Tunnel {
    /// DNA Center's tunnel name.
    pub fn as_str(self) -> &'static str {
        match self {
            Tunnel::Capwap => "CAPWAP Tunnel",
            Tunnel::Vxlan => "VXLAN Tunnel",
        }
    }
}

/// The route a hop used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RouteUse {
    /// Matched prefix.
    pub prefix: IpNet,
    /// Index of its attributes in `DataPlane::route_attrs`.
    pub attrs: u32,
    /// The next-hop address this branch took (`None` = on-link).
    pub next_hop: Option<IpAddr>,
    /// How many next hops the entry had (more than one = ECMP).
    pub paths: u16,
}

/// One element of a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hop {
    /// Device, host, address or cloud.
    pub node: Node,
    /// Physical ingress port.
    pub ingress: Option<u32>,
    /// Virtual ingress interface (SVI, subinterface, dynamic interface).
    pub ingress_virtual: Option<u32>,
    /// Physical egress port.
    pub egress: Option<u32>,
    /// Virtual egress interface.
    pub egress_virtual: Option<u32>,
    /// VRF (index) of an L3 hop.
    pub vrf: Option<u32>,
    /// VLAN bridged in (L2 hops) or of the virtual interface.
    pub vlan: Option<u16>,
    /// What the hop did.
    pub action: HopAction,
    /// Route used, for routed (or stopped-by-route) hops.
    pub route: Option<RouteUse>,
    /// Inbound ACL verdict.
    pub acl_in: Option<AclHit>,
    /// Outbound ACL verdict.
    pub acl_out: Option<AclHit>,
    /// Tunnel the hop is inside.
    pub tunnel: Option<Tunnel>,
}

impl Hop {
    /// A hop at `node` doing `action`, with nothing else known yet.
    pub fn at(node: Node, action: HopAction) -> Self {
        Hop::new(node, action)
    }

    fn new(node: Node, action: HopAction) -> Self {
        Hop {
            node,
            ingress: None,
            ingress_virtual: None,
            egress: None,
            egress_virtual: None,
            vrf: None,
            vlan: None,
            action,
            route: None,
            acl_in: None,
            acl_out: None,
            tunnel: None,
        }
    }
}

/// Why a branch ended, beyond its disposition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Detail {
    /// Nothing to add.
    None,
    /// Nobody answered ARP for this address.
    ArpFailed(IpAddr),
    /// The device does not route transit traffic (`ip routing` off).
    NotARouter,
    /// A host received a packet that was not for it.
    HostDoesNotForward,
    /// The source host has no gateway for an off-subnet destination.
    NoGateway,
    /// The hop limit was reached.
    HopLimit,
    /// The cloud has no attachment leading to the destination.
    NoCloudExit,
}

/// One path through the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// The protocol this branch applies to; `None` = both TCP and UDP.
    pub protocol: Option<Protocol>,
    /// How it ends.
    pub disposition: Disposition,
    /// Why, where the disposition needs more.
    pub detail: Detail,
    /// Hops from source to where it ends.
    pub hops: Vec<Hop>,
}

/// Where the trace starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A modelled host.
    Host(u32),
    /// An address of a device interface.
    Interface(u32),
    /// An unmodelled address inside the subnet of this L3 interface; the
    /// packet enters the device on that interface (Batfish's
    /// `@enter(node[interface])`, whatever the source address).
    Subnet(u32),
    /// Originated by this device in its global table, whatever the source
    /// address (Batfish's `node` start location).
    Device(u32),
}

/// The result of a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// The flow as requested.
    pub flow: Flow,
    /// Where it starts.
    pub source: Source,
    /// How many branches exist (may exceed `branches.len()` when capped).
    pub trace_count: usize,
    /// Whether the search stopped at the work limit (the count is then a lower bound).
    pub truncated: bool,
    /// The branches, in deterministic order.
    pub branches: Vec<Branch>,
}

/// Why a trace could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    /// The source address is neither a host, nor a device address, nor in any known subnet.
    #[error("source {0} is not in the network: no host, device interface or subnet has it")]
    SourceNotFound(IpAddr),
    /// Source and destination are of different address families.
    #[error("source {0} and destination {1} are of different address families")]
    MixedFamilies(IpAddr, IpAddr),
    /// A trace on observed state could not start (the collector's tables
    /// do not know the source, or have no route for it).
    #[error("{0}")]
    Observed(String),
}

/// Limits on branch enumeration.
#[derive(Debug, Clone, Copy)]
pub struct TraceOptions {
    /// Branches kept (the count goes on past it).
    pub max_branches: usize,
    /// Work limit in L3 hops visited over all branches.
    pub max_steps: usize,
}

impl Default for TraceOptions {
    fn default() -> Self {
        TraceOptions {
            max_branches: 256,
            max_steps: 100_000,
        }
    }
}

const MAX_HOPS: usize = 64;

/// Who answers ARP for a next hop: resolved at build, or to ask the domain.
#[derive(Debug, Clone, Copy)]
enum Arp {
    Ask,
    Known(Option<NodeIx>),
}
const CAPWAP_DATA_PORT: u16 = 5247;

/// Trace a flow with default limits.
pub fn trace(dp: &DataPlane, flow: &Flow) -> Result<Trace, TraceError> {
    trace_with(dp, flow, TraceOptions::default())
}

/// Trace a flow. With no protocol, the flow is traced as TCP and as UDP
/// (DNA Center "checks both"); where the two agree one set of branches is
/// returned (protocol `None`), otherwise both, TCP first.
pub fn trace_with(dp: &DataPlane, flow: &Flow, opts: TraceOptions) -> Result<Trace, TraceError> {
    if flow.src.is_ipv4() != flow.dst.is_ipv4() {
        return Err(TraceError::MixedFamilies(flow.src, flow.dst));
    }
    if dp.state.is_some() {
        return crate::state::trace_flow(dp, flow);
    }
    let source = find_source(dp, flow.src).ok_or(TraceError::SourceNotFound(flow.src))?;
    Ok(trace_from(dp, flow, source, opts))
}

/// Trace a flow from an explicit start (a Batfish start location: a device
/// originating it, or a packet entering an interface), whatever its source
/// address. Like [`trace_with`] otherwise; collected state is not used.
pub fn trace_from(dp: &DataPlane, flow: &Flow, source: Source, opts: TraceOptions) -> Trace {
    let run = |proto: Protocol| {
        let mut w = Walker::new(dp, *flow, proto, opts);
        w.start(source);
        w
    };
    if let Some(p) = flow.protocol {
        let w = run(p);
        return Trace {
            flow: *flow,
            source,
            trace_count: w.count,
            truncated: w.truncated,
            branches: w.out,
        };
    }
    let tcp = run(Protocol::Tcp);
    let merged = |w: Walker<'_>| Trace {
        flow: *flow,
        source,
        trace_count: w.count,
        truncated: w.truncated,
        branches: w
            .out
            .into_iter()
            .map(|b| Branch {
                protocol: None,
                ..b
            })
            .collect(),
    };
    // The protocol only matters where an ACL looks at it: when every ACL the
    // TCP walk evaluated gives UDP the same verdict, the UDP walk would be
    // identical, so it is not done. Otherwise the first differing verdict is
    // recorded in a hop, so the two walks differ and both are reported.
    if tcp.acls_seen.iter().all(|&a| {
        let acl = &dp.acls[a as usize];
        acl.eval(a, flow, Protocol::Tcp) == acl.eval(a, flow, Protocol::Udp)
    }) {
        return merged(tcp);
    }
    let udp = run(Protocol::Udp);
    let mut branches: Vec<Branch> = tcp
        .out
        .into_iter()
        .map(|b| Branch {
            protocol: Some(Protocol::Tcp),
            ..b
        })
        .collect();
    branches.extend(udp.out.into_iter().map(|b| Branch {
        protocol: Some(Protocol::Udp),
        ..b
    }));
    Trace {
        flow: *flow,
        source,
        trace_count: tcp.count + udp.count,
        truncated: tcp.truncated || udp.truncated,
        branches,
    }
}

/// Where a flow from `src` starts.
pub fn find_source(dp: &DataPlane, src: IpAddr) -> Option<Source> {
    match dp.owner(src) {
        Some(Owner::Host(h)) => return Some(Source::Host(h)),
        Some(Owner::Iface(i)) => return Some(Source::Interface(i)),
        None => {}
    }
    // An unmodelled address: start at the L3 interface whose subnet holds it
    // (a routing device's first — its gateway —, then the most specific
    // subnet, then model order).
    dp.interfaces
        .iter()
        .enumerate()
        .filter(|(_, i)| i.up && i.node.is_some())
        .filter_map(|(ix, i)| {
            i.addrs
                .iter()
                .filter(|a| {
                    a.contains(&src) && a.prefix_len() < if src.is_ipv4() { 31 } else { 127 }
                })
                .map(|a| (a.prefix_len(), ix))
                .max()
        })
        .max_by_key(|&(len, ix)| {
            (
                dp.devices[dp.interfaces[ix].device as usize].ip_routing,
                len,
                std::cmp::Reverse(ix),
            )
        })
        .map(|(_, ix)| Source::Subnet(ix as u32))
}

struct Walker<'a> {
    dp: &'a DataPlane,
    flow: Flow,
    proto: Protocol,
    opts: TraceOptions,
    out: Vec<Branch>,
    count: usize,
    steps: usize,
    truncated: bool,
    path: Vec<Hop>,
    visited: Vec<(u32, u32, Option<u32>)>,
    /// Reused L2 path buffer.
    scratch: L2Path,
    /// ACLs evaluated (to tell whether another protocol could differ).
    acls_seen: Vec<u32>,
}

impl<'a> Walker<'a> {
    fn new(dp: &'a DataPlane, flow: Flow, proto: Protocol, opts: TraceOptions) -> Self {
        Walker {
            dp,
            flow,
            proto,
            opts,
            out: Vec::with_capacity(4),
            count: 0,
            steps: 0,
            truncated: false,
            path: Vec::with_capacity(16),
            visited: Vec::with_capacity(16),
            scratch: L2Path::default(),
            acls_seen: Vec::new(),
        }
    }

    fn finish(&mut self, disposition: Disposition, detail: Detail) {
        self.count += 1;
        if self.out.len() < self.opts.max_branches {
            self.out.push(Branch {
                protocol: Some(self.proto),
                disposition,
                detail,
                hops: self.path.clone(),
            });
        }
    }

    fn start(&mut self, source: Source) {
        let dp = self.dp;
        match source {
            Source::Interface(i) => {
                let info = &dp.interfaces[i as usize];
                self.l3(info.device, None, None, info.vrf, true);
            }
            Source::Subnet(i) => {
                let info = &dp.interfaces[i as usize];
                self.path.push(Hop::new(
                    Node::Address(self.flow.src),
                    HopAction::Originated,
                ));
                let (phys, _) = ingress_of(dp, i);
                self.l3(info.device, Some(i), phys, info.vrf, false);
            }
            Source::Host(h) => self.start_at_host(h),
            Source::Device(d) => self.l3(d, None, None, 0, true),
        }
    }

    fn start_at_host(&mut self, h: u32) {
        let dp = self.dp;
        let host = &dp.hosts[h as usize];
        let mut first = Hop::new(Node::Host(h), HopAction::Originated);
        if let Some(acl) = host.acl_out {
            let hit = dp.acls[acl as usize].eval(acl, &self.flow, self.proto);
            self.acls_seen.push(acl);
            first.acl_out = Some(hit);
            if !hit.permit {
                self.path.push(first);
                self.finish(Disposition::DeniedOut, Detail::None);
                self.path.pop();
                return;
            }
        }
        if host.ip.addr() == self.flow.dst {
            // A host's packet to itself never leaves it.
            first.action = HopAction::Received;
            self.path.push(first);
            self.finish(Disposition::Accepted, Detail::None);
            self.path.pop();
            return;
        }
        let arp = if host.ip.contains(&self.flow.dst) {
            Some(self.flow.dst)
        } else {
            host.gateway
        };
        let Some(arp) = arp else {
            self.path.push(first);
            self.finish(Disposition::NoRoute, Detail::NoGateway);
            return;
        };
        let Some(node) = host.node else {
            self.path.push(first);
            self.finish(Disposition::InsufficientInfo, Detail::None);
            return;
        };
        if host.kind == HostKind::Wireless
            && let Some(ap) = host.ap
        {
            self.path.push(first);
            let mut ap_hop = Hop::new(Node::Device(ap), HopAction::Encapsulated);
            ap_hop.tunnel = Some(Tunnel::Capwap);
            let Some(wlc) = dp.devices[ap as usize].ap_controller else {
                self.path.push(ap_hop);
                self.finish(Disposition::InsufficientInfo, Detail::None);
                return;
            };
            let mark = self.path.len();
            let mut wlc_hop = Hop::new(Node::Device(wlc), HopAction::Switched);
            wlc_hop.tunnel = Some(Tunnel::Capwap);
            let vlan = client_vlan(dp, h);
            wlc_hop.vlan = vlan;
            wlc_hop.ingress_virtual = vlan.and_then(|v| dynamic_interface(dp, wlc, v));
            if let Some(wlc_hop) = self.through_capwap(ap_hop, wlc_hop, ap, wlc) {
                self.l2_forward(Some(wlc_hop), node, arp, None, Arp::Ask);
            }
            self.path.truncate(mark);
            return;
        }
        self.l2_forward(Some(first), node, arp, None, Arp::Ask);
    }

    /// Push `head` (the tunnel's entry device) and the CAPWAP underlay from
    /// `from` to `to`, tagged; return `tail` (the exit device) with its
    /// ingress set. When the underlay fails, the branch ends there with the
    /// underlay's disposition and `None` is returned.
    fn through_capwap(&mut self, mut head: Hop, mut tail: Hop, from: u32, to: u32) -> Option<Hop> {
        match self.capwap(from, to) {
            Ok(outer) => {
                let n = outer.len();
                head.egress = outer[0].egress;
                self.path.push(head);
                for o in &outer[1..n - 1] {
                    self.path.push(Hop {
                        tunnel: Some(Tunnel::Capwap),
                        ..o.clone()
                    });
                }
                tail.ingress = outer[n - 1].ingress;
                Some(tail)
            }
            Err(mut failed) => {
                head.egress = failed.hops.first().and_then(|o| o.egress);
                self.path.push(head);
                for o in failed.hops.drain(1..) {
                    self.path.push(Hop {
                        tunnel: Some(Tunnel::Capwap),
                        ..o
                    });
                }
                self.finish(failed.disposition, failed.detail);
                None
            }
        }
    }

    /// The CAPWAP underlay between two devices (precomputed at build).
    fn capwap(&self, from: u32, to: u32) -> Result<Vec<Hop>, Branch> {
        match self.dp.capwap.get(&(from, to)) {
            Some(r) => r.clone(),
            None => capwap_path(self.dp, from, to),
        }
    }
}

/// Trace the CAPWAP underlay between two devices' management addresses.
/// Ok: the hops of the first accepted branch (first = `from`, last = `to`).
pub(crate) fn capwap_path(dp: &DataPlane, from: u32, to: u32) -> Result<Vec<Hop>, Branch> {
    let src = dp.devices[from as usize].management_ip;
    let dst = dp.devices[to as usize].management_ip;
    let flow = Flow {
        src,
        dst,
        protocol: Some(Protocol::Udp),
        src_port: Some(CAPWAP_DATA_PORT),
        dst_port: Some(CAPWAP_DATA_PORT),
    };
    let none = || Branch {
        protocol: None,
        disposition: Disposition::InsufficientInfo,
        detail: Detail::None,
        hops: Vec::new(),
    };
    let Some(source) = find_source(dp, src) else {
        return Err(none());
    };
    let mut w = Walker::new(
        dp,
        flow,
        Protocol::Udp,
        TraceOptions {
            max_branches: 16,
            max_steps: 10_000,
        },
    );
    w.start(source);
    if let Some(b) = w
        .out
        .iter()
        .find(|b| b.disposition == Disposition::Accepted && b.hops.len() >= 2)
    {
        return Ok(b.hops.clone());
    }
    Err(w.out.into_iter().next().unwrap_or_else(none))
}

impl<'a> Walker<'a> {
    /// An L3 hop at `dev`: ingress ACL, FIB lookup, then one branch per next hop.
    fn l3(
        &mut self,
        dev: u32,
        in_if: Option<u32>,
        in_phys: Option<u32>,
        vrf: u32,
        originate: bool,
    ) {
        let dp = self.dp;
        self.steps += 1;
        if self.steps > self.opts.max_steps {
            self.truncated = true;
            return;
        }
        let mut hop = Hop::new(Node::Device(dev), HopAction::Routed);
        hop.ingress = in_phys;
        hop.ingress_virtual = in_if.filter(|&i| Some(i) != in_phys);
        hop.vrf = Some(vrf);
        hop.vlan = in_if.and_then(|i| svi_vlan(dp, i));
        if originate {
            hop.action = HopAction::Originated;
        }
        let key = (dev, vrf, in_if);
        if self.path.len() > MAX_HOPS || self.visited.contains(&key) {
            hop.action = HopAction::Stopped;
            self.path.push(hop);
            let detail = if self.path.len() > MAX_HOPS {
                Detail::HopLimit
            } else {
                Detail::None
            };
            self.finish(Disposition::Loop, detail);
            self.path.pop();
            return;
        }
        if !originate
            && let Some(i) = in_if
            && let Some(acl) = dp.interfaces[i as usize].acl_in
        {
            let hit = dp.acls[acl as usize].eval(acl, &self.flow, self.proto);
            self.acls_seen.push(acl);
            hop.acl_in = Some(hit);
            if !hit.permit {
                hop.action = HopAction::Stopped;
                self.path.push(hop);
                self.finish(Disposition::DeniedIn, Detail::None);
                self.path.pop();
                return;
            }
        }
        let entry = dp.fib(dev, vrf).and_then(|f| f.lookup(self.flow.dst));
        let Some((prefix, entry)) = entry else {
            hop.action = HopAction::Stopped;
            self.path.push(hop);
            self.finish(Disposition::NoRoute, Detail::None);
            self.path.pop();
            return;
        };
        let mut route = RouteUse {
            prefix,
            attrs: entry.attrs,
            next_hop: None,
            paths: 1,
        };
        match entry.action {
            Action::Receive => {
                hop.action = HopAction::Received;
                hop.route = Some(route);
                self.path.push(hop);
                self.finish(Disposition::Accepted, Detail::None);
                self.path.pop();
            }
            Action::Drop => {
                hop.action = HopAction::Stopped;
                hop.route = Some(route);
                self.path.push(hop);
                self.finish(Disposition::NullRouted, Detail::None);
                self.path.pop();
            }
            Action::Forward(set) => {
                if !originate && !dp.devices[dev as usize].ip_routing {
                    hop.action = HopAction::Stopped;
                    self.path.push(hop);
                    self.finish(Disposition::NoRoute, Detail::NotARouter);
                    self.path.pop();
                    return;
                }
                let nhs: &'a [NextHop] = &dp.nh_sets[set as usize];
                route.paths = nhs.len().min(u16::MAX as usize) as u16;
                self.visited.push(key);
                let targets: &'a [Option<NodeIx>] = &dp.nh_targets[set as usize];
                for (k, nh) in nhs.iter().enumerate() {
                    let mark = self.path.len();
                    let mut h = hop.clone();
                    h.route = Some(RouteUse {
                        next_hop: nh.arp,
                        ..route
                    });
                    let out = &dp.interfaces[nh.iface as usize];
                    match out.kind {
                        InterfaceKind::Svi => {
                            h.egress_virtual = Some(nh.iface);
                        }
                        InterfaceKind::Subinterface => {
                            h.egress = out.parent;
                            h.egress_virtual = Some(nh.iface);
                        }
                        _ => h.egress = Some(nh.iface),
                    }
                    if let Some(acl) = out.acl_out {
                        let hit = dp.acls[acl as usize].eval(acl, &self.flow, self.proto);
                        self.acls_seen.push(acl);
                        h.acl_out = Some(hit);
                        if !hit.permit {
                            h.action = HopAction::Stopped;
                            self.path.push(h);
                            self.finish(Disposition::DeniedOut, Detail::None);
                            self.path.truncate(mark);
                            continue;
                        }
                    }
                    let arp = nh.arp.unwrap_or(self.flow.dst);
                    if let Some(node) = out.node {
                        let known = if nh.arp.is_some() {
                            Arp::Known(targets.get(k).copied().flatten())
                        } else {
                            Arp::Ask
                        };
                        self.l2_forward(Some(h), node, arp, Some(nh.iface), known);
                    } else {
                        h.action = HopAction::Stopped;
                        self.path.push(h);
                        let d = self.arp_failure(&out.addrs, arp);
                        self.finish(d, Detail::ArpFailed(arp));
                    }
                    self.path.truncate(mark);
                }
                self.visited.pop();
            }
        }
    }

    /// Carry a frame from `from` to whoever answers ARP for `arp` in its
    /// domain. `pending` is the sender's hop, completed with its egress port
    /// and pushed here; `out_if` is the sender's L3 interface, if any.
    fn l2_forward(
        &mut self,
        pending: Option<Hop>,
        from: NodeIx,
        arp: IpAddr,
        out_if: Option<u32>,
        known: Arp,
    ) {
        let dp = self.dp;
        let mark = self.path.len();
        match match known {
            Arp::Known(t) => t,
            Arp::Ask => dp.l2.resolve(from, arp),
        } {
            Some(target) if target != from => {
                let mut path = std::mem::take(&mut self.scratch);
                if !dp.l2.path_into(from, target, &mut path) {
                    self.scratch = path;
                    self.stop_arp(pending, out_if, arp);
                    self.path.truncate(mark);
                    return;
                }
                let rest = self.push_l2(pending, &path, target);
                self.scratch = path;
                self.arrive(target, rest);
            }
            Some(_) => {
                // ARP for an own address on the same interface: the packet
                // would be delivered to the sender itself.
                self.stop_arp(pending, out_if, arp);
            }
            None => {
                let clouds = dp.l2.clouds_in_domain(from);
                if clouds.is_empty() {
                    self.stop_arp(pending, out_if, arp);
                } else {
                    for &c in clouds {
                        let m = self.path.len();
                        let mut path = std::mem::take(&mut self.scratch);
                        if dp.l2.path_into(from, c, &mut path) {
                            let rest = self.push_l2(pending.clone(), &path, c);
                            self.scratch = path;
                            self.arrive(c, rest);
                        } else {
                            self.scratch = path;
                        }
                        self.path.truncate(m);
                    }
                }
            }
        }
        self.path.truncate(mark);
    }

    /// Push the sender's hop and the switched hops of `path`. Returns the
    /// ingress the target node sees: (physical port, VLAN).
    fn push_l2(
        &mut self,
        pending: Option<Hop>,
        path: &L2Path,
        target: NodeIx,
    ) -> (Option<u32>, Option<u16>) {
        let dp = self.dp;
        let mut steps = &path.steps[..];
        if let Some(mut p) = pending {
            match (p.node, steps.first()) {
                (Node::Device(d), Some(s)) if s.dev == d && s.in_port.is_none() => {
                    p.egress = s.out_port;
                    if p.vlan.is_none() || p.action == HopAction::Switched {
                        p.vlan = Some(s.vlan);
                    }
                    steps = &steps[1..];
                }
                _ => {
                    if p.egress.is_none() && !matches!(p.node, Node::Host(_) | Node::Address(_)) {
                        p.egress = path.first_port;
                    }
                }
            }
            self.path.push(p);
        }
        // The target's own bridge (an SVI's device, a wireless client's WLC)
        // is part of the target's hop, not a switched hop of its own.
        let target_dev = match dp.l2.kind(target) {
            NodeKind::Iface(i) => Some(dp.interfaces[i as usize].device),
            NodeKind::Host(h) if dp.hosts[h as usize].kind == HostKind::Wireless => dp.hosts
                [h as usize]
                .ap
                .and_then(|ap| dp.devices[ap as usize].ap_controller),
            _ => None,
        };
        let mut ingress = (path.last_port, None);
        if let Some(last) = steps.last()
            && Some(last.dev) == target_dev
            && last.out_port.is_none()
        {
            ingress = (last.in_port, Some(last.vlan));
            steps = &steps[..steps.len() - 1];
        }
        for s in steps {
            let mut h = Hop::new(Node::Device(s.dev), HopAction::Switched);
            h.ingress = s.in_port;
            h.egress = s.out_port;
            h.vlan = Some(s.vlan);
            self.path.push(h);
        }
        ingress
    }

    /// The frame reached `target`.
    fn arrive(&mut self, target: NodeIx, (in_phys, vlan): (Option<u32>, Option<u16>)) {
        let dp = self.dp;
        match dp.l2.kind(target) {
            NodeKind::Iface(i) => {
                let info = &dp.interfaces[i as usize];
                let phys = match info.kind {
                    InterfaceKind::Physical => Some(i),
                    InterfaceKind::Subinterface => info.parent.or(in_phys),
                    _ => in_phys,
                };
                self.l3(info.device, Some(i), phys, info.vrf, false);
            }
            NodeKind::Host(h) => {
                let host = &dp.hosts[h as usize];
                let owns = host.ip.addr() == self.flow.dst;
                if host.kind == HostKind::Wireless
                    && let Some(ap) = host.ap
                    && let Some(wlc) = dp.devices[ap as usize].ap_controller
                {
                    let mut wlc_hop = Hop::new(Node::Device(wlc), HopAction::Switched);
                    wlc_hop.ingress = in_phys;
                    wlc_hop.vlan = vlan;
                    wlc_hop.ingress_virtual = vlan.and_then(|v| dynamic_interface(dp, wlc, v));
                    wlc_hop.tunnel = Some(Tunnel::Capwap);
                    let mut ap_hop = Hop::new(Node::Device(ap), HopAction::Switched);
                    ap_hop.tunnel = Some(Tunnel::Capwap);
                    let Some(ap_hop) = self.through_capwap(wlc_hop, ap_hop, wlc, ap) else {
                        return;
                    };
                    self.path.push(ap_hop);
                }
                let mut hop = Hop::new(
                    Node::Host(h),
                    if owns {
                        HopAction::Received
                    } else {
                        HopAction::Stopped
                    },
                );
                hop.ingress = None;
                if owns && let Some(acl) = host.acl_in {
                    let hit = dp.acls[acl as usize].eval(acl, &self.flow, self.proto);
                    self.acls_seen.push(acl);
                    hop.acl_in = Some(hit);
                    if !hit.permit {
                        hop.action = HopAction::Stopped;
                        self.path.push(hop);
                        self.finish(Disposition::DeniedIn, Detail::None);
                        return;
                    }
                }
                self.path.push(hop);
                if owns {
                    self.finish(Disposition::Accepted, Detail::None);
                } else {
                    self.finish(Disposition::InsufficientInfo, Detail::HostDoesNotForward);
                }
            }
            NodeKind::Cloud(c, _) => self.cloud(c),
            NodeKind::Bridge { .. } => self.finish(Disposition::InsufficientInfo, Detail::None),
        }
    }

    /// One UNKNOWN hop, then resume where the destination lies behind the cloud.
    fn cloud(&mut self, c: u32) {
        let dp = self.dp;
        let cloud = &dp.clouds[c as usize];
        self.path.push(Hop::new(Node::Cloud(c), HopAction::Cloud));
        let dst = self.flow.dst;
        let best = cloud
            .attachments
            .iter()
            .filter_map(|(_, ps)| {
                ps.iter()
                    .filter(|p| p.contains(&dst))
                    .map(IpNet::prefix_len)
                    .max()
            })
            .max();
        let Some(best) = best else {
            self.finish(Disposition::ExitsNetwork, Detail::NoCloudExit);
            self.path.pop();
            return;
        };
        for (ix, (iface, ps)) in cloud.attachments.iter().enumerate() {
            if !ps
                .iter()
                .any(|p| p.contains(&dst) && p.prefix_len() == best)
            {
                continue;
            }
            let mark = self.path.len();
            let info = &dp.interfaces[*iface as usize];
            match dp.l2.find(NodeKind::Iface(*iface)) {
                Some(_) => {
                    let phys = if info.kind == InterfaceKind::Subinterface {
                        info.parent
                    } else {
                        Some(*iface)
                    };
                    self.l3(info.device, Some(*iface), phys, info.vrf, false);
                }
                None => {
                    // An L2 attachment: the cloud delivers into that VLAN.
                    if let Some(node) = dp.l2.find(NodeKind::Cloud(c, ix as u32)) {
                        self.l2_forward(None, node, dst, None, Arp::Ask);
                    }
                }
            }
            self.path.truncate(mark);
        }
        self.path.pop();
    }

    fn stop_arp(&mut self, pending: Option<Hop>, out_if: Option<u32>, arp: IpAddr) {
        // The sender's subnet: its L3 interface's, or a host's own.
        let subnets: Vec<IpNet> = match (out_if, pending.as_ref().map(|p| p.node)) {
            (Some(o), _) => self.dp.interfaces[o as usize].addrs.clone(),
            (None, Some(Node::Host(h))) => vec![self.dp.hosts[h as usize].ip],
            _ => Vec::new(),
        };
        if let Some(mut p) = pending {
            p.action = HopAction::Stopped;
            if p.egress.is_none()
                && let Some(o) = out_if
                && self.dp.interfaces[o as usize].kind == InterfaceKind::Physical
            {
                p.egress = Some(o);
            }
            self.path.push(p);
        }
        let d = self.arp_failure(&subnets, arp);
        self.finish(d, Detail::ArpFailed(arp));
        self.path.pop();
    }

    /// Batfish's ARP-failure dispositions.
    fn arp_failure(&self, subnets: &[IpNet], arp: IpAddr) -> Disposition {
        let dp = self.dp;
        let dst = self.flow.dst;
        if dp.owner(arp).is_some() {
            return Disposition::NeighborUnreachable;
        }
        if arp == dst {
            let subnet = subnets.iter().find(|a| a.contains(&dst)).copied();
            if let Some(s) = subnet {
                let host_bits = if dst.is_ipv4() { 32 } else { 128 };
                if s.prefix_len() + 1 < host_bits && (dst == s.network() || dst == s.broadcast()) {
                    return Disposition::InsufficientInfo;
                }
                return Disposition::DeliveredToSubnet;
            }
        }
        if dp.is_internal(dst) {
            Disposition::InsufficientInfo
        } else {
            Disposition::ExitsNetwork
        }
    }
}

fn svi_vlan(dp: &DataPlane, i: u32) -> Option<u16> {
    let info = &dp.interfaces[i as usize];
    (info.kind == InterfaceKind::Svi)
        .then_some(info.vlan)
        .flatten()
}

fn ingress_of(dp: &DataPlane, i: u32) -> (Option<u32>, Option<u32>) {
    let info = &dp.interfaces[i as usize];
    match info.kind {
        InterfaceKind::Physical => (Some(i), None),
        InterfaceKind::Subinterface => (info.parent, Some(i)),
        _ => (None, Some(i)),
    }
}

/// The client VLAN of a wireless host (its SSID's VLAN on the AP's controller).
fn client_vlan(dp: &DataPlane, h: u32) -> Option<u16> {
    let host = &dp.hosts[h as usize];
    let wlc = dp.devices[host.ap? as usize].ap_controller?;
    let ssid = host.ssid.as_ref()?;
    dp.devices[wlc as usize]
        .ssids
        .iter()
        .find(|(n, _)| n == ssid)
        .map(|(_, v)| *v)
}

/// The controller's dynamic interface for a client VLAN.
fn dynamic_interface(dp: &DataPlane, wlc: u32, vlan: u16) -> Option<u32> {
    dp.devices[wlc as usize]
        .interfaces
        .iter()
        .copied()
        .find(|&i| {
            dp.interfaces[i as usize].kind == InterfaceKind::Svi
                && dp.interfaces[i as usize].vlan == Some(vlan)
        })
}
