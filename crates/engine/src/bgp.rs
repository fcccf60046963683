//! BGP: sessions, propagation with policy, IOS best-path selection and
//! multipath, aggregates — computed on a data plane whose FIBs already hold
//! the IGP (connected, static, OSPF) routes.
//!
//! What it models, in the order IOS applies it:
//!
//! - **Sessions** form between two configured neighbors whose addresses and
//!   AS numbers agree (each side's `ip` is the other's session address: its
//!   `update-source` interface address, else the address of the interface
//!   facing the peer), eBGP peers without `ebgp-multihop` only on a shared
//!   subnet, and only when TCP/179 gets through in both directions — a trace
//!   on the data plane, so routes *and* ACLs decide, as in Batfish.
//! - **Origination**: `network` statements (the RIB must hold exactly that
//!   prefix, from a non-BGP source; MED = the route's metric, origin IGP),
//!   `redistribute` (origin incomplete), `aggregate-address` while a more
//!   specific BGP route exists (`summary-only` suppresses those). Local
//!   routes carry weight 32768.
//! - **Export**: only best paths; iBGP-learned paths go to iBGP peers only
//!   through a route reflector (client routes to everyone, non-client
//!   routes to clients); eBGP prepends the local AS and sets the next hop to
//!   the session address, drops local preference and the MED of paths from
//!   other ASes; iBGP keeps the next hop unless `next-hop-self` (locally
//!   originated routes always get the session address); reflected routes get
//!   ORIGINATOR_ID and CLUSTER_LIST; the outbound route-map runs; communities
//!   are stripped unless `send-community`.
//! - **Import**: AS-path loop (eBGP) and ORIGINATOR_ID / CLUSTER_LIST loops
//!   (iBGP) are dropped, local preference defaults to 100, the inbound
//!   route-map runs, and a path whose next hop the IGP cannot resolve is not
//!   a candidate.
//! - **Best path** (IOS order): weight, local preference, locally
//!   originated, AS-path length, origin, MED (between paths from the same
//!   neighbouring AS), eBGP over iBGP, IGP cost to the next hop, then the
//!   tie-breakers (router id or ORIGINATOR_ID, cluster-list length, neighbor
//!   address). **Multipath**: paths equal up to the IGP cost with the same AS
//!   path, up to `maximum-paths` (eBGP), `maximum-paths ibgp`, or both with
//!   `maximum-paths eibgp`.
//!
//! Propagation runs in synchronous rounds until no router's best paths
//! change (bounded; a network that oscillates is marked not converged in
//! [`BgpResult::converged`] and its last round is used). Only routers one of
//! whose peers changed are recomputed in a round; the confirming run after
//! the FIBs took the BGP routes starts from the previous result.
//!
//! ADD-PATH: a router sends every valid path to a neighbor with
//! `additional_paths_send` whose side has `additional_paths_receive`.
//!
//! Not modelled (named in docs/engine.md): confederations,
//! `bgp always-compare-med`, `as-path multipath-relax`, dampening, conditional
//! advertisement, VRF address families.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use ipnet::IpNet;
use pathtrace_model::routing::Bgp as BgpConfig;
use pathtrace_model::types::{InterfaceKind, Network, RouteSource};
use rustc_hash::FxHashMap;

use crate::dataplane::{Candidate, DataPlane, Target};
use crate::fib::{Action, RouteProtocol};
use crate::flow::{Flow, Protocol};
use crate::policy::{Policies, PolicyRoute};
use crate::trace::Disposition;

const LOCAL_WEIGHT: u32 = 32768;
const DEFAULT_LOCAL_PREF: u32 = 100;
const MAX_ROUNDS: usize = 64;
const BGP_PORT: u16 = 179;
const EPHEMERAL_PORT: u16 = 49152;

/// BGP ORIGIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// IGP (`network`, aggregates).
    Igp,
    /// Incomplete (redistribution).
    Incomplete,
}

impl Origin {
    /// Lower-case name as Batfish prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Igp => "igp",
            Origin::Incomplete => "incomplete",
        }
    }
}

/// How a locally originated path came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum LocalKind {
    Network,
    Redistributed,
    Aggregate,
}

/// One BGP path in a router's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BgpPath {
    /// Prefix.
    pub prefix: IpNet,
    /// BGP next hop (`None` for a locally originated path).
    pub next_hop: Option<IpAddr>,
    /// AS path, nearest AS first.
    pub as_path: Arc<[u32]>,
    /// Local preference.
    pub local_pref: u32,
    /// MED.
    pub med: u32,
    /// Weight (local to the router).
    pub weight: u32,
    /// ORIGIN.
    pub origin: Origin,
    /// Communities, sorted.
    pub communities: Arc<[u32]>,
    /// Learned from this session (index into the session list); `None` = local.
    session: Option<u32>,
    local: Option<LocalKind>,
    /// Learned over eBGP.
    pub ebgp: bool,
    /// The router that injected the path into the AS (iBGP), if known.
    pub originator_id: Option<Ipv4Addr>,
    /// Route reflectors the path passed (their cluster ids).
    pub cluster_list: Arc<[Ipv4Addr]>,
    /// The peer's address it was received from.
    pub received_from: Option<IpAddr>,
    /// The peer's router id.
    peer_router_id: Ipv4Addr,
    /// IGP cost to the next hop.
    pub igp_cost: u32,
}

/// A router's paths for one prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Valid paths, best first: every one on a router that sends additional
    /// paths, else only the selected ones.
    pub paths: Vec<BgpPath>,
    /// The first `selected` paths are used (best and its multipath peers).
    pub selected: usize,
}

impl Selection {
    /// The paths in use.
    pub fn used(&self) -> &[BgpPath] {
        &self.paths[..self.selected.min(self.paths.len())]
    }
}

/// A BGP session, one direction of it: `from` advertises to `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Session {
    from: u32,
    to: u32,
    /// `from`'s neighbor entry for `to` (index into its config).
    from_nbr: usize,
    /// `to`'s neighbor entry for `from`.
    to_nbr: usize,
    /// `from`'s address on the session (the next hop it sets).
    from_ip: IpAddr,
    ebgp: bool,
}

/// The outcome of a BGP computation.
#[derive(Debug, Default)]
pub struct BgpResult {
    /// Per device: candidates for the main RIB (bgp, ibgp, aggregate).
    pub(crate) candidates: Vec<Vec<Candidate>>,
    /// Per device: the valid paths per prefix, best first (all of them on
    /// a router that sends additional paths, else the selected ones), and
    /// how many of them are selected (best + multipath).
    pub best: Vec<BTreeMap<IpNet, Selection>>,
    /// Established sessions as (device, peer address) pairs, both directions.
    pub sessions: Vec<(u32, IpAddr)>,
    /// The sessions as computed (both directions), for a warm start.
    session_edges: Vec<Session>,
    /// Propagation rounds the last computation took.
    pub rounds: u32,
    /// Whether propagation converged.
    pub converged: bool,
}

struct Router<'a> {
    cfg: &'a BgpConfig,
    id: Ipv4Addr,
    policies: Policies,
}

/// Compute BGP on `dp` (its FIBs hold the IGP routes and, after a first
/// round, the previous BGP routes).
pub(crate) fn compute(net: &Network, dp: &DataPlane, prev: Option<&BgpResult>) -> BgpResult {
    let n = dp.devices.len();
    let routers: Vec<Option<Router<'_>>> = net
        .devices
        .iter()
        .enumerate()
        .map(|(di, d)| {
            d.bgp.as_ref().map(|cfg| Router {
                cfg,
                id: cfg.router_id.unwrap_or_else(|| router_id(dp, di as u32)),
                policies: Policies::compile(d),
            })
        })
        .collect();
    if routers.iter().all(Option::is_none) {
        return BgpResult {
            candidates: vec![Vec::new(); n],
            best: vec![BTreeMap::new(); n],
            sessions: Vec::new(),
            session_edges: Vec::new(),
            rounds: 0,
            converged: true,
        };
    }
    let sessions = establish(dp, &routers);
    let mut outgoing: Vec<Vec<u32>> = vec![Vec::new(); n];
    for s in &sessions {
        outgoing[s.from as usize].push(s.to);
    }
    let incoming_sessions: Vec<Vec<u32>> = {
        let mut v: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (si, s) in sessions.iter().enumerate() {
            v[s.to as usize].push(si as u32);
        }
        v
    };

    // Warm start from the previous computation when the sessions are the
    // same (its paths refer to the same session list): usually one round
    // then confirms the fixed point.
    let mut best: Vec<BTreeMap<IpNet, Selection>> = match prev {
        Some(p) if p.session_edges == sessions && p.best.len() == n => p.best.clone(),
        _ => vec![BTreeMap::new(); n],
    };
    // Routers whose inputs changed (a peer's table, or their own for aggregates).
    let mut dirty = vec![true; n];
    let mut converged = false;
    let mut rounds = 0;
    for _round in 0..MAX_ROUNDS {
        rounds += 1;
        let mut updates: Vec<(usize, BTreeMap<IpNet, Selection>)> = Vec::new();
        for di in 0..n {
            if !dirty[di] {
                continue;
            }
            let Some(r) = &routers[di] else { continue };
            let mut table: BTreeMap<IpNet, Vec<BgpPath>> = BTreeMap::new();
            originate(dp, di as u32, r, &best[di], &mut table);
            for &si in &incoming_sessions[di] {
                let s = &sessions[si as usize];
                let Some(sender) = &routers[s.from as usize] else {
                    continue;
                };
                let all_paths = sender.cfg.neighbors[s.from_nbr].additional_paths_send
                    && r.cfg.neighbors[s.to_nbr].additional_paths_receive;
                for sel in best[s.from as usize].values() {
                    let offered = if all_paths {
                        &sel.paths[..]
                    } else {
                        &sel.paths[..sel.paths.len().min(1)]
                    };
                    for p in offered {
                        if let Some(mut adv) =
                            export(&sessions, si, sender, &best[s.from as usize], p)
                            && import(dp, s, r, &mut adv)
                        {
                            table.entry(adv.prefix).or_default().push(adv);
                        }
                    }
                }
            }
            // Only a router that sends additional paths needs the paths it
            // does not use; the others keep their selection alone.
            let keep_all = r.cfg.neighbors.iter().any(|nb| nb.additional_paths_send);
            let mut sel = BTreeMap::new();
            for (prefix, mut paths) in table {
                let selected = select(r.cfg, &mut paths);
                if selected > 0 {
                    if !keep_all {
                        paths.truncate(selected);
                    }
                    sel.insert(prefix, Selection { paths, selected });
                }
            }
            if sel != best[di] {
                updates.push((di, sel));
            }
        }
        if updates.is_empty() {
            converged = true;
            break;
        }
        dirty.fill(false);
        for (di, sel) in updates {
            best[di] = sel;
            dirty[di] = true;
            for &to in &outgoing[di] {
                dirty[to as usize] = true;
            }
        }
    }
    let candidates = best
        .iter()
        .map(|table| {
            table
                .iter()
                .filter_map(|(prefix, sel)| rib_candidate(*prefix, sel.used()))
                .collect()
        })
        .collect();
    let mut established: Vec<(u32, IpAddr)> = sessions
        .iter()
        .filter_map(|s| {
            let r = routers[s.to as usize].as_ref()?;
            Some((s.to, r.cfg.neighbors[s.to_nbr].ip))
        })
        .collect();
    established.sort();
    established.dedup();
    BgpResult {
        candidates,
        best,
        sessions: established,
        session_edges: sessions,
        rounds,
        converged,
    }
}

/// The main-RIB route for a prefix's selected paths.
fn rib_candidate(prefix: IpNet, paths: &[BgpPath]) -> Option<Candidate> {
    let first = paths.first()?;
    if first.local == Some(LocalKind::Aggregate) {
        return Some(Candidate {
            prefix,
            protocol: RouteProtocol::Aggregate,
            distance: 200,
            metric: first.med,
            target: Target::Drop,
        });
    }
    if first.local.is_some() {
        return None;
    }
    let (protocol, distance) = if first.ebgp {
        (RouteProtocol::Bgp, 20)
    } else {
        (RouteProtocol::Ibgp, 200)
    };
    let mut hops: Vec<(Option<IpAddr>, Option<u32>)> = paths
        .iter()
        .filter_map(|p| p.next_hop.map(|h| (Some(h), None)))
        .collect();
    hops.sort();
    hops.dedup();
    Some(Candidate {
        prefix,
        protocol,
        distance,
        metric: first.med,
        target: Target::Via(hops),
    })
}

/// Default router id: the highest loopback address, else the highest address.
fn router_id(dp: &DataPlane, di: u32) -> Ipv4Addr {
    let dev = &dp.devices[di as usize];
    let v4 = |loopbacks: bool| {
        dev.interfaces
            .iter()
            .map(|&i| &dp.interfaces[i as usize])
            .filter(|i| i.up && (!loopbacks || i.kind == InterfaceKind::Loopback))
            .flat_map(|i| i.addrs.iter())
            .filter_map(|a| match a.addr() {
                IpAddr::V4(v) => Some(v),
                IpAddr::V6(_) => None,
            })
            .max()
    };
    v4(true)
        .or_else(|| v4(false))
        .unwrap_or(Ipv4Addr::UNSPECIFIED)
}

/// The address `di` uses toward `peer`: the update-source interface's
/// primary address, else the address of the interface the FIB sends the
/// peer's address out of.
fn session_ip(
    dp: &DataPlane,
    di: u32,
    update_source: Option<&str>,
    peer: IpAddr,
) -> Option<IpAddr> {
    if let Some(src) = update_source {
        let ix = dp.interface_index(di, src)?;
        let info = &dp.interfaces[ix as usize];
        return info
            .addrs
            .iter()
            .find(|a| a.addr().is_ipv4() == peer.is_ipv4())
            .map(IpNet::addr);
    }
    let fib = dp.fib(di, 0)?;
    let (_, e) = fib.lookup(peer)?;
    let Action::Forward(set) = e.action else {
        return None;
    };
    let nh = dp.nh_sets[set as usize].first()?;
    dp.interfaces[nh.iface as usize]
        .addrs
        .iter()
        .find(|a| a.addr().is_ipv4() == peer.is_ipv4())
        .map(IpNet::addr)
}

/// Whether `ip` is inside a connected subnet of an up interface of `di`.
fn on_link(dp: &DataPlane, di: u32, ip: IpAddr) -> bool {
    dp.devices[di as usize].interfaces.iter().any(|&i| {
        let info = &dp.interfaces[i as usize];
        info.up && info.addrs.iter().any(|a| a.contains(&ip) && a.addr() != ip)
    })
}

/// Whether a TCP packet from `src:sport` to `dst:dport` is accepted by the
/// device owning `dst`, on every branch the data plane has for it.
fn gets_through(dp: &DataPlane, src: IpAddr, dst: IpAddr, sport: u16, dport: u16) -> bool {
    let flow = Flow {
        src,
        dst,
        protocol: Some(Protocol::Tcp),
        src_port: Some(sport),
        dst_port: Some(dport),
    };
    match crate::trace::trace(dp, &flow) {
        Ok(t) => {
            !t.branches.is_empty()
                && t.branches
                    .iter()
                    .any(|b| b.disposition == Disposition::Accepted)
        }
        Err(_) => false,
    }
}

/// The sessions that come up, as directed edges (both directions of each).
fn establish(dp: &DataPlane, routers: &[Option<Router<'_>>]) -> Vec<Session> {
    let mut out = Vec::new();
    let mut reach: FxHashMap<(IpAddr, IpAddr), bool> = FxHashMap::default();
    // Every device owning each address (a host address may be on several).
    let mut owners: FxHashMap<IpAddr, Vec<u32>> = FxHashMap::default();
    for info in &dp.interfaces {
        for a in &info.addrs {
            let v = owners.entry(a.addr()).or_default();
            if !v.contains(&info.device) {
                v.push(info.device);
            }
        }
    }
    for (a, ra) in routers.iter().enumerate() {
        let Some(ra) = ra else { continue };
        let a = a as u32;
        for (na, nbr) in ra.cfg.neighbors.iter().enumerate() {
            if nbr.shutdown {
                continue;
            }
            // The peer: a device owning the address with a BGP process in
            // the expected AS.
            let Some(b) = owners.get(&nbr.ip).and_then(|v| {
                v.iter().copied().find(|&b| {
                    b != a
                        && routers[b as usize]
                            .as_ref()
                            .is_some_and(|rb| rb.cfg.asn == nbr.remote_as)
                })
            }) else {
                continue;
            };
            let Some(rb) = &routers[b as usize] else {
                continue;
            };
            let Some(a_ip) = session_ip(dp, a, nbr.update_source.as_deref(), nbr.ip) else {
                continue;
            };
            // b's neighbor statement for a.
            let Some(nb) = rb.cfg.neighbors.iter().position(|m| {
                m.ip == a_ip
                    && m.remote_as == ra.cfg.asn
                    && !m.shutdown
                    && session_ip(dp, b, m.update_source.as_deref(), a_ip) == Some(nbr.ip)
            }) else {
                continue;
            };
            let ebgp = ra.cfg.asn != rb.cfg.asn;
            if ebgp {
                let multihop = nbr.ebgp_multihop.unwrap_or(1) > 1
                    || rb.cfg.neighbors[nb].ebgp_multihop.unwrap_or(1) > 1;
                if !(multihop || on_link(dp, a, nbr.ip) && on_link(dp, b, a_ip)) {
                    continue;
                }
            }
            // Either side may open the connection; the return traffic must
            // get back too.
            let mut ok = |s: IpAddr, d: IpAddr, sp: u16, dpt: u16| -> bool {
                *reach
                    .entry((s, d))
                    .or_insert_with(|| gets_through(dp, s, d, sp, dpt))
            };
            let a_opens = ok(a_ip, nbr.ip, EPHEMERAL_PORT, BGP_PORT)
                && gets_through(dp, nbr.ip, a_ip, BGP_PORT, EPHEMERAL_PORT);
            let b_opens = a_opens
                || (ok(nbr.ip, a_ip, EPHEMERAL_PORT, BGP_PORT)
                    && gets_through(dp, a_ip, nbr.ip, BGP_PORT, EPHEMERAL_PORT));
            if !b_opens {
                continue;
            }
            out.push(Session {
                from: a,
                to: b,
                from_nbr: na,
                to_nbr: nb,
                from_ip: a_ip,
                ebgp,
            });
        }
    }
    out
}

fn empty_path(prefix: IpNet, router: &Router<'_>) -> BgpPath {
    BgpPath {
        prefix,
        next_hop: None,
        as_path: Arc::from(Vec::new()),
        local_pref: DEFAULT_LOCAL_PREF,
        med: 0,
        weight: LOCAL_WEIGHT,
        origin: Origin::Igp,
        communities: Arc::from(Vec::new()),
        session: None,
        local: None,
        ebgp: false,
        originator_id: None,
        cluster_list: Arc::from(Vec::new()),
        received_from: None,
        peer_router_id: router.id,
        igp_cost: 0,
    }
}

fn to_policy(p: &BgpPath) -> PolicyRoute {
    PolicyRoute {
        prefix: p.prefix,
        communities: p.communities.to_vec(),
        metric: p.med,
        local_pref: p.local_pref,
        weight: p.weight,
        prepend: Vec::new(),
        metric_type: None,
    }
}

fn from_policy(p: &mut BgpPath, r: PolicyRoute) {
    p.med = r.metric;
    p.local_pref = r.local_pref;
    p.weight = r.weight;
    if p.communities[..] != r.communities[..] {
        p.communities = Arc::from(r.communities);
    }
    if !r.prepend.is_empty() {
        let mut v = r.prepend;
        v.extend(p.as_path.iter().copied());
        p.as_path = Arc::from(v);
    }
}

/// Locally originated paths: networks, redistribution, aggregates.
fn originate(
    dp: &DataPlane,
    di: u32,
    r: &Router<'_>,
    prev: &BTreeMap<IpNet, Selection>,
    table: &mut BTreeMap<IpNet, Vec<BgpPath>>,
) {
    let Some(fib) = dp.fib(di, 0) else { return };
    let non_bgp = |p: RouteProtocol| {
        !matches!(
            p,
            RouteProtocol::Bgp | RouteProtocol::Ibgp | RouteProtocol::Aggregate
        )
    };
    for net in &r.cfg.networks {
        let Some(e) = fib.get(net.prefix) else {
            continue;
        };
        let attrs = dp_attrs(dp, e.attrs);
        if !non_bgp(attrs.protocol)
            || matches!(e.action, Action::Receive) && net.prefix.prefix_len() < 32
        {
            continue;
        }
        let mut p = empty_path(net.prefix.trunc(), r);
        p.med = attrs.metric;
        p.local = Some(LocalKind::Network);
        let mut pr = to_policy(&p);
        if r.policies.apply(net.route_map.as_deref(), &mut pr) {
            from_policy(&mut p, pr);
            table.entry(p.prefix).or_default().push(p);
        }
    }
    for red in &r.cfg.redistribute {
        for (prefix, e) in fib.entries() {
            let attrs = dp_attrs(dp, e.attrs);
            let take = match red.source {
                RouteSource::Connected => attrs.protocol == RouteProtocol::Connected,
                RouteSource::Static => attrs.protocol == RouteProtocol::Static,
                RouteSource::Ospf => matches!(
                    attrs.protocol,
                    RouteProtocol::Ospf
                        | RouteProtocol::OspfInterArea
                        | RouteProtocol::OspfE1
                        | RouteProtocol::OspfE2
                ),
                RouteSource::Bgp => false,
            };
            if !take {
                continue;
            }
            let mut p = empty_path(prefix, r);
            p.med = red.metric.unwrap_or(attrs.metric);
            p.origin = Origin::Incomplete;
            p.local = Some(LocalKind::Redistributed);
            let mut pr = to_policy(&p);
            if r.policies.apply(red.route_map.as_deref(), &mut pr) {
                from_policy(&mut p, pr);
                table.entry(p.prefix).or_default().push(p);
            }
        }
    }
    for agg in &r.cfg.aggregates {
        let ap = agg.prefix.trunc();
        let contributing = prev
            .keys()
            .chain(table.keys())
            .any(|k| k.prefix_len() > ap.prefix_len() && ap.contains(k));
        if !contributing {
            continue;
        }
        let mut p = empty_path(ap, r);
        p.local = Some(LocalKind::Aggregate);
        table.entry(ap).or_default().push(p);
    }
}

fn dp_attrs(dp: &DataPlane, ix: u32) -> crate::fib::RouteAttrs {
    dp.route_attrs[ix as usize]
}

/// Whether `sender` suppresses `prefix` with an active summary-only aggregate.
fn suppressed(sender: &Router<'_>, table: &BTreeMap<IpNet, Selection>, prefix: &IpNet) -> bool {
    sender.cfg.aggregates.iter().any(|a| {
        let ap = a.prefix.trunc();
        a.summary_only
            && prefix.prefix_len() > ap.prefix_len()
            && ap.contains(prefix)
            && table
                .get(&ap)
                .and_then(|v| v.paths.first())
                .is_some_and(|p| p.local == Some(LocalKind::Aggregate))
    })
}

const NO_EXPORT: u32 = 0xFFFF_FF01;
const NO_ADVERTISE: u32 = 0xFFFF_FF02;

/// What `sender` advertises over session `si` for its best path `p`.
fn export(
    sessions: &[Session],
    si: u32,
    sender: &Router<'_>,
    sender_table: &BTreeMap<IpNet, Selection>,
    p: &BgpPath,
) -> Option<BgpPath> {
    let s = &sessions[si as usize];
    let nbr = &sender.cfg.neighbors[s.from_nbr];
    if let Some(from) = p.session {
        let learned = &sessions[from as usize];
        // Never back to the peer it came from.
        if learned.from == s.to {
            return None;
        }
        if !learned.ebgp && !s.ebgp {
            // Route reflection: client paths go to everyone, the others to clients.
            let from_client = sender.cfg.neighbors[learned.to_nbr].route_reflector_client;
            if !from_client && !nbr.route_reflector_client {
                return None;
            }
        }
    }
    if suppressed(sender, sender_table, &p.prefix) {
        return None;
    }
    if p.communities.contains(&NO_ADVERTISE) || s.ebgp && p.communities.contains(&NO_EXPORT) {
        return None;
    }
    let mut a = p.clone();
    a.session = Some(si);
    a.local = None;
    a.weight = 0;
    a.received_from = Some(s.from_ip);
    a.peer_router_id = sender.id;
    a.igp_cost = 0;
    if s.ebgp {
        let mut path = vec![sender.cfg.asn];
        path.extend(p.as_path.iter().copied());
        a.as_path = Arc::from(path);
        a.next_hop = Some(s.from_ip);
        a.local_pref = DEFAULT_LOCAL_PREF;
        // A MED received from a neighbouring AS is not passed on to
        // another AS (RFC 4271 §5.1.4): only the AS's own paths keep theirs.
        if !p.as_path.is_empty() {
            a.med = 0;
        }
        a.originator_id = None;
        a.cluster_list = Arc::from(Vec::new());
        a.ebgp = true;
    } else {
        if nbr.next_hop_self || p.next_hop.is_none() {
            a.next_hop = Some(s.from_ip);
        }
        if p.session.is_some() && !p.ebgp {
            // Reflected.
            a.originator_id = Some(p.originator_id.unwrap_or(p.peer_router_id));
            let mut cl = vec![sender.id];
            cl.extend(p.cluster_list.iter().copied());
            a.cluster_list = Arc::from(cl);
        }
        a.ebgp = false;
    }
    if let Some(rm) = nbr.route_map_out.as_deref() {
        let mut pr = to_policy(&a);
        if !sender.policies.apply(Some(rm), &mut pr) {
            return None;
        }
        from_policy(&mut a, pr);
    }
    if !nbr.send_community && !a.communities.is_empty() {
        a.communities = Arc::from(Vec::new());
    }
    Some(a)
}

/// Accept `adv` on the receiving side of session `si`; fills in what the
/// receiver decides (local preference default, policy, IGP cost).
fn import(dp: &DataPlane, s: &Session, r: &Router<'_>, adv: &mut BgpPath) -> bool {
    if s.ebgp {
        if adv.as_path.contains(&r.cfg.asn) {
            return false;
        }
    } else if adv.originator_id == Some(r.id) || adv.cluster_list.contains(&r.id) {
        return false;
    }
    let nbr = &r.cfg.neighbors[s.to_nbr];
    if let Some(rm) = nbr.route_map_in.as_deref() {
        let mut pr = to_policy(adv);
        if !r.policies.apply(Some(rm), &mut pr) {
            return false;
        }
        from_policy(adv, pr);
    }
    adv.ebgp = s.ebgp;
    // Next hop: must resolve through the FIB, not to ourselves.
    let Some(nh) = adv.next_hop else { return false };
    let Some(fib) = dp.fib(s.to, 0) else {
        return false;
    };
    match fib.lookup(nh) {
        Some((_, e)) if matches!(e.action, Action::Forward(_)) => {
            adv.igp_cost = dp.route_attrs[e.attrs as usize].metric;
            true
        }
        _ => false,
    }
}

/// IOS best-path comparison up to (and including) the IGP cost: the part
/// that decides multipath equivalence. Lower is better.
fn rank(
    p: &BgpPath,
) -> (
    std::cmp::Reverse<u32>,
    std::cmp::Reverse<u32>,
    bool,
    usize,
    Origin,
) {
    (
        std::cmp::Reverse(p.weight),
        std::cmp::Reverse(p.local_pref),
        p.local.is_none(),
        p.as_path.len(),
        p.origin,
    )
}

fn neighbor_as(p: &BgpPath) -> Option<u32> {
    p.as_path.first().copied()
}

/// Order two paths by IOS best-path rules.
fn compare(a: &BgpPath, b: &BgpPath) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let c = rank(a).cmp(&rank(b));
    if c != Ordering::Equal {
        return c;
    }
    if neighbor_as(a) == neighbor_as(b) {
        let c = a.med.cmp(&b.med);
        if c != Ordering::Equal {
            return c;
        }
    }
    let c = b.ebgp.cmp(&a.ebgp);
    if c != Ordering::Equal {
        return c;
    }
    let c = a.igp_cost.cmp(&b.igp_cost);
    if c != Ordering::Equal {
        return c;
    }
    tiebreak(a, b)
}

fn tiebreak(a: &BgpPath, b: &BgpPath) -> std::cmp::Ordering {
    let rid = |p: &BgpPath| p.originator_id.unwrap_or(p.peer_router_id);
    rid(a)
        .cmp(&rid(b))
        .then_with(|| a.cluster_list.len().cmp(&b.cluster_list.len()))
        .then_with(|| a.received_from.cmp(&b.received_from))
}

/// Whether `p` may share forwarding with the best path `best`.
fn multipath_equal(best: &BgpPath, p: &BgpPath) -> bool {
    rank(best) == rank(p)
        && (neighbor_as(best) != neighbor_as(p) || best.med == p.med)
        && best.ebgp == p.ebgp
        && best.igp_cost == p.igp_cost
        && best.as_path == p.as_path
        && best.local.is_none()
        && p.local.is_none()
}

/// Sort the paths best first and return how many are used (the best and
/// its multipath companions, which are moved right behind it).
fn select(cfg: &BgpConfig, paths: &mut [BgpPath]) -> usize {
    paths.sort_by(compare);
    let Some(best) = paths.first() else {
        return 0;
    };
    let max = if best.ebgp {
        cfg.maximum_paths.or(cfg.maximum_paths_eibgp).unwrap_or(1)
    } else {
        cfg.maximum_paths_ibgp
            .or(cfg.maximum_paths_eibgp)
            .unwrap_or(1)
    }
    .max(1) as usize;
    let mut used = 1;
    for k in 1..paths.len() {
        if used >= max {
            break;
        }
        if multipath_equal(&paths[0], &paths[k])
            && !paths[..used]
                .iter()
                .any(|o| o.next_hop == paths[k].next_hop)
        {
            paths[used..=k].rotate_right(1);
            used += 1;
        }
    }
    used
}
