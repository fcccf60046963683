//! OSPFv2 route computation (global table), by the book where it matters
//! for forwarding: per-area shortest paths with equal-cost multipath,
//! intra-area before inter-area before external routes, area border routers
//! summarising (`area N range`, with the discard route IOS installs),
//! external type-2 routes from redistribution and `default-information
//! originate`.
//!
//! Adjacencies form between OSPF interfaces of different devices that share
//! a broadcast domain, an area and a subnet, and are neither passive nor
//! loopbacks. A multi-access segment is modelled as a full mesh with each
//! router's own interface cost, which yields the same shortest paths as a
//! designated-router pseudonode.
//!
//! The work is split so memory stays proportional to the result:
//! [`Ospf::prepare`] computes what routers share — SPF per area, the ABRs'
//! summaries, the LSAs flooded into each area, the externals — and
//! [`Ospf::routes_for`] then produces one router's routes at a time, which
//! the data-plane build installs into that router's FIB before moving on.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};
use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use pathtrace_model::types::{AreaId, DefaultOriginate, InterfaceKind, Network, RouteSource};
use rustc_hash::FxHashMap;

use crate::dataplane::{Candidate, DataPlane, Interner, Target};
use crate::fib::{NextHop, RouteProtocol};

const INF: u32 = u32::MAX;
const NONE: u32 = u32::MAX;
const EXTERNAL_METRIC: u32 = 20;

#[derive(Clone, Copy)]
struct Adj {
    to: usize, // area-local router index
    cost: u32,
    nh: NextHop,
}

struct Area {
    id: AreaId,
    routers: Vec<u32>, // device indices
    local: FxHashMap<u32, usize>,
    adj: Vec<Vec<Adj>>,
    /// Per router: (prefix, cost) of its OSPF interfaces in this area.
    stubs: Vec<Vec<(IpNet, u32)>>,
    /// SPF results: dist[r][s], first hops (interned set, NONE = none).
    dist: Vec<Vec<u32>>,
    fh: Vec<Vec<u32>>,
}

impl Area {
    fn dist(&self, from: u32, to: u32) -> Option<(u32, u32)> {
        let (a, b) = (*self.local.get(&from)?, *self.local.get(&to)?);
        let d = self.dist[a][b];
        (d != INF && a != b).then_some((d, self.fh[a][b]))
    }

    /// Intra-area (prefix → cost) as seen from router `r` (its own stubs included).
    fn intra_costs(&self, r: u32) -> BTreeMap<IpNet, u32> {
        let mut costs = BTreeMap::new();
        let Some(&li) = self.local.get(&r) else {
            return costs;
        };
        for &(p, c) in &self.stubs[li] {
            let e = costs.entry(p).or_insert(c);
            *e = (*e).min(c);
        }
        for ls in 0..self.routers.len() {
            if ls == li || self.dist[li][ls] == INF {
                continue;
            }
            for &(p, c) in &self.stubs[ls] {
                let cost = self.dist[li][ls].saturating_add(c);
                let e = costs.entry(p).or_insert(cost);
                *e = (*e).min(cost);
            }
        }
        costs
    }
}

/// One router's best OSPF route per prefix: (type rank, cost, next-hop set).
/// Type rank: 0 intra-area, 1 inter-area, 2 external type 2, 3 discard.
type Table = FxHashMap<IpNet, (u8, u32, u32)>;

/// (domain, area) → [(device, interface, cost)]: candidate adjacencies.
type Groups = HashMap<(u32, AreaId), Vec<(u32, u32, u32)>>;

fn offer(t: &mut Table, interner: &mut Interner, p: IpNet, rank: u8, cost: u32, set: u32) {
    match t.get_mut(&p) {
        None => {
            t.insert(p, (rank, cost, set));
        }
        Some(e) => {
            if (rank, cost) < (e.0, e.1) {
                *e = (rank, cost, set);
            } else if (rank, cost) == (e.0, e.1) && e.2 != set {
                e.2 = interner.union(e.2, set);
            }
        }
    }
}

/// What every router's OSPF computation shares.
pub(crate) struct Ospf {
    areas: BTreeMap<AreaId, Area>,
    router_areas: Vec<Vec<AreaId>>,
    /// Summary prefixes each ABR originates (never used by itself).
    own_summaries: FxHashMap<u32, BTreeSet<IpNet>>,
    /// Active ranges per ABR (discard routes).
    discards: FxHashMap<u32, Vec<IpNet>>,
    /// Summary LSAs in the backbone: (ABR, prefix, cost).
    backbone_lsas: Vec<(u32, IpNet, u32)>,
    /// Summary LSAs flooded into each non-backbone area.
    area_lsas: FxHashMap<AreaId, Vec<(u32, IpNet, u32)>>,
    /// External routes: (ASBR, prefix, metric, type 1 or 2).
    externals: Vec<(u32, IpNet, u32, u8)>,
}

impl Ospf {
    fn is_abr(&self, r: u32) -> bool {
        let a = &self.router_areas[r as usize];
        a.len() > 1 && a.contains(&AreaId::BACKBONE)
    }

    /// Compute everything routers share. `base_vrf0(d)` gives a device's
    /// connected and static candidates in the global table (for
    /// redistribution and conditional default origination).
    pub(crate) fn prepare(
        net: &Network,
        dp: &DataPlane,
        interner: &mut Interner,
        base_vrf0: &mut dyn FnMut(u32, &mut Interner) -> Vec<Candidate>,
    ) -> Ospf {
        // OSPF interfaces per device: (iface index, area, cost, passive).
        let mut ospf_ifaces: Vec<Vec<(u32, AreaId, u32, bool)>> =
            vec![Vec::new(); dp.devices.len()];
        for (di, d) in net.devices.iter().enumerate() {
            let Some(cfg) = &d.ospf else { continue };
            let ref_bw = cfg.reference_bandwidth.unwrap_or(100).max(1);
            for (k, mi) in d.interfaces.iter().enumerate() {
                let Some(o) = &mi.ospf else { continue };
                let ix = dp.devices[di].interfaces[k];
                let info = &dp.interfaces[ix as usize];
                if !info.up || info.addrs.is_empty() || info.vrf != 0 {
                    continue;
                }
                let cost = o.cost.unwrap_or_else(|| match mi.speed {
                    Some(kbps) if kbps > 0 => ((ref_bw * 1000) / kbps).clamp(1, 65535) as u32,
                    _ => 1,
                });
                let passive = o.passive || info.kind == InterfaceKind::Loopback;
                ospf_ifaces[di].push((ix, o.area, cost.max(1), passive));
            }
        }
        // Areas and their members.
        let mut areas: BTreeMap<AreaId, Area> = BTreeMap::new();
        for (di, ifs) in ospf_ifaces.iter().enumerate() {
            for &(ix, area, cost, _) in ifs {
                let a = areas.entry(area).or_insert_with(|| Area {
                    id: area,
                    routers: Vec::new(),
                    local: FxHashMap::default(),
                    adj: Vec::new(),
                    stubs: Vec::new(),
                    dist: Vec::new(),
                    fh: Vec::new(),
                });
                let li = *a.local.entry(di as u32).or_insert_with(|| {
                    a.routers.push(di as u32);
                    a.adj.push(Vec::new());
                    a.stubs.push(Vec::new());
                    a.routers.len() - 1
                });
                let info = &dp.interfaces[ix as usize];
                let loopback = info.kind == InterfaceKind::Loopback;
                for addr in &info.addrs {
                    let p = if loopback {
                        IpNet::new(addr.addr(), if addr.addr().is_ipv4() { 32 } else { 128 })
                            .unwrap_or(*addr)
                    } else {
                        addr.trunc()
                    };
                    a.stubs[li].push((p, if loopback { 1 } else { cost }));
                }
            }
        }
        // Adjacencies: group active interfaces by (domain, area).
        let mut groups: Groups = HashMap::new();
        for (di, ifs) in ospf_ifaces.iter().enumerate() {
            for &(ix, area, cost, passive) in ifs {
                if passive {
                    continue;
                }
                if let Some(n) = dp.interfaces[ix as usize].node {
                    groups
                        .entry((dp.l2.domain(n), area))
                        .or_default()
                        .push((di as u32, ix, cost));
                }
            }
        }
        let mut group_keys: Vec<_> = groups.keys().copied().collect();
        group_keys.sort();
        for key in group_keys {
            let members = &groups[&key];
            let Some(a) = areas.get_mut(&key.1) else {
                continue;
            };
            for &(da, ia, cost) in members {
                for &(db, ib, _) in members {
                    if da == db {
                        continue;
                    }
                    let sa = &dp.interfaces[ia as usize].addrs;
                    let Some(nbr) = dp.interfaces[ib as usize]
                        .addrs
                        .iter()
                        .map(IpNet::addr)
                        .find(|x| sa.iter().any(|s| s.contains(x)))
                    else {
                        continue;
                    };
                    let (la, lb) = (a.local[&da], a.local[&db]);
                    a.adj[la].push(Adj {
                        to: lb,
                        cost,
                        nh: NextHop {
                            iface: ia,
                            arp: Some(nbr),
                        },
                    });
                }
            }
        }
        // SPF from every router of every area.
        for a in areas.values_mut() {
            let n = a.routers.len();
            a.dist = Vec::with_capacity(n);
            a.fh = Vec::with_capacity(n);
            for root in 0..n {
                let (d, f) = spf(&a.adj, root, interner);
                a.dist.push(d);
                a.fh.push(f);
            }
        }
        let mut router_areas = vec![Vec::new(); dp.devices.len()];
        for a in areas.values() {
            for &r in &a.routers {
                router_areas[r as usize].push(a.id);
            }
        }
        let mut ospf = Ospf {
            areas,
            router_areas,
            own_summaries: FxHashMap::default(),
            discards: FxHashMap::default(),
            backbone_lsas: Vec::new(),
            area_lsas: FxHashMap::default(),
            externals: Vec::new(),
        };
        let abrs: Vec<u32> = (0..dp.devices.len() as u32)
            .filter(|&r| ospf.is_abr(r))
            .collect();

        // Summaries each ABR originates for its non-backbone areas, after ranges.
        let mut summaries: BTreeMap<(u32, AreaId), Vec<(IpNet, u32)>> = BTreeMap::new();
        for &r in &abrs {
            let d = &net.devices[r as usize];
            for &area in &ospf.router_areas[r as usize] {
                if area == AreaId::BACKBONE {
                    continue;
                }
                let ranges: Vec<IpNet> = d
                    .ospf
                    .as_ref()
                    .map(|o| {
                        o.areas
                            .iter()
                            .filter(|x| x.id == area)
                            .flat_map(|x| x.ranges.iter().map(IpNet::trunc))
                            .collect()
                    })
                    .unwrap_or_default();
                let mut out: BTreeMap<IpNet, u32> = BTreeMap::new();
                for (p, c) in ospf.areas[&area].intra_costs(r) {
                    let key = ranges
                        .iter()
                        .find(|rg| rg.contains(&p))
                        .copied()
                        .unwrap_or(p);
                    let e = out.entry(key).or_insert(0);
                    *e = (*e).max(c);
                }
                for rg in &ranges {
                    if out.contains_key(rg) {
                        ospf.discards.entry(r).or_default().push(*rg);
                    }
                }
                ospf.own_summaries
                    .entry(r)
                    .or_default()
                    .extend(out.keys().copied());
                summaries.insert((r, area), out.into_iter().collect());
            }
        }
        for (&(b, _), list) in &summaries {
            for &(p, c) in list {
                ospf.backbone_lsas.push((b, p, c));
            }
        }
        // Each ABR's inter-area routes learned from the backbone (what it
        // floods into its other areas).
        let mut backbone_inter: FxHashMap<u32, BTreeMap<IpNet, u32>> = FxHashMap::default();
        if let Some(bb) = ospf.areas.get(&AreaId::BACKBONE) {
            for &r in &abrs {
                let own = ospf.own_summaries.get(&r);
                let mut best: BTreeMap<IpNet, u32> = BTreeMap::new();
                for &(b, p, c) in &ospf.backbone_lsas {
                    if b == r || own.is_some_and(|o| o.contains(&p)) {
                        continue;
                    }
                    let Some((d, _)) = bb.dist(r, b) else {
                        continue;
                    };
                    let cost = d.saturating_add(c);
                    let e = best.entry(p).or_insert(cost);
                    *e = (*e).min(cost);
                }
                backbone_inter.insert(r, best);
            }
        }
        // LSAs flooded into each non-backbone area by its ABRs: the
        // backbone's intra-area prefixes, the backbone's inter-area routes and
        // their other areas — never this area's own prefixes or ranges.
        for a in ospf.areas.values() {
            if a.id == AreaId::BACKBONE {
                continue;
            }
            let mut lsas = Vec::new();
            for &b in a.routers.iter().filter(|&&r| abrs.contains(&r)) {
                let in_area = a.intra_costs(b);
                let own_ranges: BTreeSet<IpNet> = summaries
                    .get(&(b, a.id))
                    .into_iter()
                    .flatten()
                    .map(|s| s.0)
                    .collect();
                let mut adv: BTreeMap<IpNet, u32> = BTreeMap::new();
                let mut put = |p: IpNet, c: u32| {
                    if !in_area.contains_key(&p) && !own_ranges.contains(&p) {
                        let e = adv.entry(p).or_insert(c);
                        *e = (*e).min(c);
                    }
                };
                if let Some(bb) = ospf.areas.get(&AreaId::BACKBONE) {
                    for (p, c) in bb.intra_costs(b) {
                        put(p, c);
                    }
                }
                for (&p, &c) in backbone_inter.get(&b).into_iter().flatten() {
                    put(p, c);
                }
                for &other in &ospf.router_areas[b as usize] {
                    if other != a.id && other != AreaId::BACKBONE {
                        for &(p, c) in summaries.get(&(b, other)).into_iter().flatten() {
                            put(p, c);
                        }
                    }
                }
                lsas.extend(adv.into_iter().map(|(p, c)| (b, p, c)));
            }
            ospf.area_lsas.insert(a.id, lsas);
        }
        // Externals (type 2): redistribution and default origination.
        for (di, d) in net.devices.iter().enumerate() {
            let Some(cfg) = &d.ospf else { continue };
            if cfg.redistribute.is_empty() && cfg.default_information_originate.is_none() {
                continue;
            }
            let vrf0 = base_vrf0(di as u32, interner);
            let ospf_prefixes: BTreeSet<IpNet> = ospf_ifaces[di]
                .iter()
                .flat_map(|&(ix, ..)| dp.interfaces[ix as usize].addrs.iter().map(IpNet::trunc))
                .collect();
            let policies = cfg
                .redistribute
                .iter()
                .any(|r| r.route_map.is_some())
                .then(|| crate::policy::Policies::compile(d));
            for red in &cfg.redistribute {
                let metric = red.metric.unwrap_or(match red.source {
                    RouteSource::Bgp => 1,
                    _ => EXTERNAL_METRIC,
                });
                let etype = red.metric_type.unwrap_or(2);
                for c in &vrf0 {
                    let take = match red.source {
                        RouteSource::Static => {
                            c.protocol == RouteProtocol::Static && !is_default(&c.prefix)
                        }
                        RouteSource::Connected => {
                            c.protocol == RouteProtocol::Connected
                                && !ospf_prefixes.contains(&c.prefix)
                        }
                        RouteSource::Bgp => c.protocol == RouteProtocol::Bgp,
                        RouteSource::Ospf => false,
                    } && (red.subnets || is_classful(&c.prefix));
                    if !take {
                        continue;
                    }
                    let (mut m, mut t) = (metric, etype);
                    if let (Some(rm), Some(p)) = (red.route_map.as_deref(), &policies) {
                        let mut pr = crate::policy::PolicyRoute {
                            prefix: c.prefix,
                            communities: Vec::new(),
                            metric,
                            local_pref: 100,
                            weight: 0,
                            prepend: Vec::new(),
                            metric_type: None,
                        };
                        if !p.apply(Some(rm), &mut pr) {
                            continue;
                        }
                        m = pr.metric;
                        t = pr.metric_type.unwrap_or(etype);
                    }
                    ospf.externals.push((di as u32, c.prefix, m, t));
                }
            }
            let has_default = vrf0
                .iter()
                .any(|c| is_default(&c.prefix) && c.protocol != RouteProtocol::Local);
            let dm = cfg.default_information_metric.unwrap_or(1);
            let dt = cfg.default_information_metric_type.unwrap_or(2);
            match cfg.default_information_originate {
                Some(DefaultOriginate::Always) => {
                    ospf.externals.push((di as u32, default_v4(), dm, dt));
                }
                Some(DefaultOriginate::Conditional) if has_default => {
                    ospf.externals.push((di as u32, default_v4(), dm, dt));
                }
                _ => {}
            }
        }
        ospf.externals.sort();
        ospf.externals.dedup();
        ospf
    }

    /// Forwarding cost and first hops from router `r` to ASBR `s`.
    fn asbr_cost(&self, r: u32, s: u32) -> Option<(u32, u32)> {
        let ra = &self.router_areas[r as usize];
        let sa = &self.router_areas[s as usize];
        let mut best: Option<(u32, u32)> = None;
        let consider = |best: &mut Option<(u32, u32)>, cand: Option<(u32, u32)>| {
            if let Some((d, fh)) = cand
                && best.is_none_or(|(bd, _)| d < bd)
            {
                *best = Some((d, fh));
            }
        };
        for a in ra {
            if sa.contains(a) {
                consider(&mut best, self.areas[a].dist(r, s));
            }
        }
        if best.is_some() {
            return best;
        }
        let bb = self.areas.get(&AreaId::BACKBONE)?;
        // From a backbone router b to s: directly in the backbone, or via an ABR of s's area.
        let from_backbone = |b: u32| -> Option<u32> {
            if sa.contains(&AreaId::BACKBONE) {
                return if b == s {
                    Some(0)
                } else {
                    bb.dist(b, s).map(|x| x.0)
                };
            }
            let mut m: Option<u32> = None;
            for &b2 in &bb.routers {
                if !self.is_abr(b2) {
                    continue;
                }
                let d1 = if b == b2 {
                    Some(0)
                } else {
                    bb.dist(b, b2).map(|x| x.0)
                };
                let Some(d1) = d1 else { continue };
                for a in &self.router_areas[b2 as usize] {
                    if sa.contains(a)
                        && let Some((d2, _)) = self.areas[a].dist(b2, s)
                    {
                        let t = d1.saturating_add(d2);
                        m = Some(m.map_or(t, |x| x.min(t)));
                    }
                }
            }
            m
        };
        if ra.contains(&AreaId::BACKBONE) {
            for &b2 in &bb.routers {
                if b2 == r || !self.is_abr(b2) {
                    continue;
                }
                let Some((d1, fh)) = bb.dist(r, b2) else {
                    continue;
                };
                for a in &self.router_areas[b2 as usize] {
                    if sa.contains(a)
                        && let Some((d2, _)) = self.areas[a].dist(b2, s)
                    {
                        consider(&mut best, Some((d1.saturating_add(d2), fh)));
                    }
                }
            }
            return best;
        }
        for a in ra {
            for &b in &self.areas[a].routers {
                if b == r || !self.is_abr(b) {
                    continue;
                }
                if let (Some((d1, fh)), Some(d2)) = (self.areas[a].dist(r, b), from_backbone(b)) {
                    consider(&mut best, Some((d1.saturating_add(d2), fh)));
                }
            }
        }
        best
    }

    /// Router `r`'s OSPF routes, appended to `out` (its global-table candidates).
    pub(crate) fn routes_for(&self, r: u32, interner: &mut Interner, out: &mut Vec<Candidate>) {
        let areas = &self.router_areas[r as usize];
        if areas.is_empty() {
            return;
        }
        let mut t: Table = FxHashMap::default();
        // Intra-area.
        for a in areas {
            let area = &self.areas[a];
            let li = area.local[&r];
            let own: BTreeSet<IpNet> = area.stubs[li].iter().map(|s| s.0).collect();
            for ls in 0..area.routers.len() {
                let d = area.dist[li][ls];
                if ls == li || d == INF {
                    continue;
                }
                let fh = area.fh[li][ls];
                for &(p, c) in &area.stubs[ls] {
                    if !own.contains(&p) {
                        offer(&mut t, interner, p, 0, d.saturating_add(c), fh);
                    }
                }
            }
        }
        // Discard routes for active ranges.
        for &rg in self.discards.get(&r).into_iter().flatten() {
            offer(&mut t, interner, rg, 4, 0, NONE);
        }
        // Inter-area.
        if areas.contains(&AreaId::BACKBONE) {
            let bb = &self.areas[&AreaId::BACKBONE];
            let own = self.own_summaries.get(&r);
            for &(b, p, c) in &self.backbone_lsas {
                if b == r || own.is_some_and(|o| o.contains(&p)) {
                    continue;
                }
                if let Some((d, fh)) = bb.dist(r, b) {
                    offer(&mut t, interner, p, 1, d.saturating_add(c), fh);
                }
            }
        } else {
            for a in areas {
                let area = &self.areas[a];
                for &(b, p, c) in self.area_lsas.get(a).into_iter().flatten() {
                    if let Some((d, fh)) = area.dist(r, b) {
                        offer(&mut t, interner, p, 1, d.saturating_add(c), fh);
                    }
                }
            }
        }
        // Externals: type 1 before type 2; type 2 compares the external metric
        // first and the forwarding cost to the ASBR breaks ties.
        let mut asbr: FxHashMap<u32, Option<(u32, u32)>> = FxHashMap::default();
        let mut e2_metric: FxHashMap<IpNet, u32> = FxHashMap::default();
        for &(s, p, metric, etype) in &self.externals {
            if s == r {
                continue;
            }
            let Some((d, fh)) = *asbr.entry(s).or_insert_with(|| self.asbr_cost(r, s)) else {
                continue;
            };
            if etype == 1 {
                offer(&mut t, interner, p, 2, metric.saturating_add(d), fh);
            } else {
                let cost = (u64::from(metric) << 20 | u64::from(d.min((1 << 20) - 1)))
                    .min(u64::from(u32::MAX - 1)) as u32;
                offer(&mut t, interner, p, 3, cost, fh);
                let e = e2_metric.entry(p).or_insert(metric);
                *e = (*e).min(metric);
            }
        }
        out.reserve(t.len());
        for (p, (rank, cost, set)) in t {
            let (protocol, metric) = match rank {
                0 => (RouteProtocol::Ospf, cost),
                1 => (RouteProtocol::OspfInterArea, cost),
                2 => (RouteProtocol::OspfE1, cost),
                3 => (
                    RouteProtocol::OspfE2,
                    e2_metric.get(&p).copied().unwrap_or(EXTERNAL_METRIC),
                ),
                _ => (RouteProtocol::Ospf, 0),
            };
            let target = if rank == 4 {
                Target::Drop
            } else if set == NONE {
                continue;
            } else {
                Target::Set(set)
            };
            out.push(Candidate {
                prefix: p,
                protocol,
                distance: 110,
                metric,
                target,
            });
        }
    }
}

/// A classful network: its length is its address class's (A /8, B /16, C /24).
fn is_classful(p: &IpNet) -> bool {
    match p {
        IpNet::V4(n) => {
            let first = n.network().octets()[0];
            let class_len = if first < 128 {
                8
            } else if first < 192 {
                16
            } else {
                24
            };
            n.prefix_len() == class_len
        }
        IpNet::V6(_) => true,
    }
}

fn is_default(p: &IpNet) -> bool {
    p.prefix_len() == 0
}

fn default_v4() -> IpNet {
    IpNet::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0).unwrap_or_default()
}

/// Dijkstra from `root` with equal-cost first-hop sets (interned).
fn spf(adj: &[Vec<Adj>], root: usize, interner: &mut Interner) -> (Vec<u32>, Vec<u32>) {
    let n = adj.len();
    let mut dist = vec![INF; n];
    let mut fh: Vec<u32> = vec![NONE; n];
    let mut heap = BinaryHeap::new();
    dist[root] = 0;
    heap.push(Reverse((0u32, root)));
    while let Some(Reverse((d, u))) = heap.pop() {
        if d > dist[u] {
            continue;
        }
        for e in &adj[u] {
            let nd = d.saturating_add(e.cost);
            let via = if u == root {
                interner.nh_set(vec![e.nh])
            } else {
                fh[u]
            };
            if nd < dist[e.to] {
                dist[e.to] = nd;
                fh[e.to] = via;
                heap.push(Reverse((nd, e.to)));
            } else if nd == dist[e.to] && e.to != root && fh[e.to] != via {
                fh[e.to] = if fh[e.to] == NONE {
                    via
                } else {
                    interner.union(fh[e.to], via)
                };
            }
        }
    }
    (dist, fh)
}
