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

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};
use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use pathtrace_model::types::{AreaId, DefaultOriginate, InterfaceKind, Network, Redistribute};

use crate::dataplane::{Candidate, DataPlane, Interner, Ribs, Target};
use crate::fib::{NextHop, RouteProtocol};

const INF: u32 = u32::MAX;
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
    local: HashMap<u32, usize>,
    adj: Vec<Vec<Adj>>,
    /// Per router: (prefix, cost) of its OSPF interfaces in this area.
    stubs: Vec<Vec<(IpNet, u32)>>,
    /// SPF results: dist[r][s], first hops (interned set, u32::MAX = none).
    dist: Vec<Vec<u32>>,
    fh: Vec<Vec<u32>>,
}

impl Area {
    fn dist(&self, from: u32, to: u32) -> Option<(u32, u32)> {
        let (a, b) = (*self.local.get(&from)?, *self.local.get(&to)?);
        let d = self.dist[a][b];
        (d != INF).then_some((d, self.fh[a][b]))
    }
}

/// (domain, area) → [(device, interface, cost)]: candidate adjacencies.
type Groups = HashMap<(u32, AreaId), Vec<(u32, u32, u32)>>;

/// Best OSPF route per prefix at one router: (type rank, cost, next hops).
/// Type rank: 0 intra-area, 1 inter-area, 2 external type 2, 3 discard.
type Table = HashMap<IpNet, (u8, u32, Vec<NextHop>)>;

fn offer(t: &mut Table, p: IpNet, rank: u8, cost: u32, nhs: &[NextHop]) {
    match t.get_mut(&p) {
        None => {
            t.insert(p, (rank, cost, nhs.to_vec()));
        }
        Some(e) => {
            if (rank, cost) < (e.0, e.1) {
                *e = (rank, cost, nhs.to_vec());
            } else if (rank, cost) == (e.0, e.1) {
                e.2.extend_from_slice(nhs);
            }
        }
    }
}

/// Compute OSPF routes and add them to `ribs` (VRF 0 of each OSPF router).
pub(crate) fn compute(net: &Network, dp: &DataPlane, interner: &mut Interner, ribs: &mut Ribs) {
    // OSPF interfaces per device: (iface index, area, cost, passive).
    let mut ospf_ifaces: Vec<Vec<(u32, AreaId, u32, bool)>> = vec![Vec::new(); dp.devices.len()];
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
                local: HashMap::new(),
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
            for addr in &info.addrs {
                let p = if info.kind == InterfaceKind::Loopback {
                    IpNet::new(addr.addr(), if addr.addr().is_ipv4() { 32 } else { 128 })
                        .unwrap_or(*addr)
                } else {
                    addr.trunc()
                };
                a.stubs[li].push((
                    p,
                    if info.kind == InterfaceKind::Loopback {
                        1
                    } else {
                        cost
                    },
                ));
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
    let router_areas: Vec<Vec<AreaId>> = {
        let mut v = vec![Vec::new(); dp.devices.len()];
        for a in areas.values() {
            for &r in &a.routers {
                v[r as usize].push(a.id);
            }
        }
        v
    };
    let is_abr = |r: u32| {
        router_areas[r as usize].len() > 1 && router_areas[r as usize].contains(&AreaId::BACKBONE)
    };

    // Intra-area tables per (router, area).
    let mut tables: Vec<Table> = vec![Table::new(); dp.devices.len()];
    let mut intra: HashMap<(u32, AreaId), HashMap<IpNet, u32>> = HashMap::new();
    for a in areas.values() {
        for (li, &r) in a.routers.iter().enumerate() {
            let own: BTreeSet<IpNet> = a.stubs[li].iter().map(|s| s.0).collect();
            let mut costs: HashMap<IpNet, u32> = own.iter().map(|&p| (p, 0)).collect();
            for (p, c) in &a.stubs[li] {
                costs.insert(*p, *c);
            }
            for (ls, _) in a.routers.iter().enumerate() {
                if ls == li || a.dist[li][ls] == INF {
                    continue;
                }
                let d = a.dist[li][ls];
                let nhs = &interner.nh_sets[a.fh[li][ls] as usize];
                for &(p, c) in &a.stubs[ls] {
                    if own.contains(&p) {
                        continue;
                    }
                    let cost = d.saturating_add(c);
                    offer(&mut tables[r as usize], p, 0, cost, nhs);
                    let e = costs.entry(p).or_insert(cost);
                    *e = (*e).min(cost);
                }
            }
            intra.insert((r, a.id), costs);
        }
    }
    // Summaries an ABR originates for each attached non-backbone area, after ranges.
    let mut summaries: HashMap<(u32, AreaId), Vec<(IpNet, u32)>> = HashMap::new();
    for (di, d) in net.devices.iter().enumerate() {
        let r = di as u32;
        if !is_abr(r) {
            continue;
        }
        for &area in &router_areas[di] {
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
            for (&p, &c) in intra.get(&(r, area)).into_iter().flatten() {
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
                    // IOS installs a discard route for an active range.
                    offer(&mut tables[di], *rg, 3, 0, &[]);
                }
            }
            summaries.insert((r, area), out.into_iter().collect());
        }
    }
    // Backbone: every backbone router computes inter-area routes from the
    // summaries other ABRs originate into area 0.
    let backbone = areas.get(&AreaId::BACKBONE);
    let mut backbone_inter: HashMap<u32, Vec<(IpNet, u32)>> = HashMap::new();
    if let Some(bb) = backbone {
        let mut lsas: Vec<(u32, IpNet, u32)> = Vec::new();
        let mut keys: Vec<_> = summaries.keys().copied().collect();
        keys.sort();
        for (b, area) in keys {
            for &(p, c) in &summaries[&(b, area)] {
                lsas.push((b, p, c));
            }
        }
        for &r in &bb.routers {
            let own: BTreeSet<IpNet> = router_areas[r as usize]
                .iter()
                .flat_map(|a| summaries.get(&(r, *a)).into_iter().flatten().map(|s| s.0))
                .collect();
            let mut best: BTreeMap<IpNet, u32> = BTreeMap::new();
            for &(b, p, c) in &lsas {
                if b == r || own.contains(&p) {
                    continue;
                }
                let Some((d, fh)) = bb.dist(r, b) else {
                    continue;
                };
                let cost = d.saturating_add(c);
                offer(
                    &mut tables[r as usize],
                    p,
                    1,
                    cost,
                    &interner.nh_sets[fh as usize],
                );
                let e = best.entry(p).or_insert(cost);
                *e = (*e).min(cost);
            }
            backbone_inter.insert(r, best.into_iter().collect());
        }
    }
    // Non-backbone areas: their ABRs advertise the backbone's intra-area
    // prefixes, the backbone's inter-area routes and their other areas.
    for a in areas.values() {
        if a.id == AreaId::BACKBONE {
            continue;
        }
        let abrs: Vec<u32> = a.routers.iter().copied().filter(|&r| is_abr(r)).collect();
        let mut lsas: Vec<(u32, IpNet, u32)> = Vec::new();
        for &b in &abrs {
            let in_area: BTreeSet<IpNet> = intra
                .get(&(b, a.id))
                .into_iter()
                .flatten()
                .map(|(p, _)| *p)
                .collect();
            let mut adv: BTreeMap<IpNet, u32> = BTreeMap::new();
            let mut put = |p: IpNet, c: u32| {
                if !in_area.contains(&p) {
                    let e = adv.entry(p).or_insert(c);
                    *e = (*e).min(c);
                }
            };
            for (&p, &c) in intra.get(&(b, AreaId::BACKBONE)).into_iter().flatten() {
                put(p, c);
            }
            for &(p, c) in backbone_inter.get(&b).into_iter().flatten() {
                put(p, c);
            }
            for &other in &router_areas[b as usize] {
                if other != a.id && other != AreaId::BACKBONE {
                    for &(p, c) in summaries.get(&(b, other)).into_iter().flatten() {
                        put(p, c);
                    }
                }
            }
            // Never advertise a range of this very area back into it.
            let own_ranges: BTreeSet<IpNet> = summaries
                .get(&(b, a.id))
                .into_iter()
                .flatten()
                .map(|s| s.0)
                .collect();
            lsas.extend(
                adv.into_iter()
                    .filter(|(p, _)| !own_ranges.contains(p))
                    .map(|(p, c)| (b, p, c)),
            );
        }
        for &r in &a.routers {
            if is_abr(r) {
                continue;
            }
            for &(b, p, c) in &lsas {
                let Some((d, fh)) = a.dist(r, b) else {
                    continue;
                };
                offer(
                    &mut tables[r as usize],
                    p,
                    1,
                    d.saturating_add(c),
                    &interner.nh_sets[fh as usize],
                );
            }
        }
    }
    // Externals (type 2): redistribution and default origination.
    let mut externals: Vec<(u32, IpNet)> = Vec::new();
    for (di, d) in net.devices.iter().enumerate() {
        let Some(cfg) = &d.ospf else { continue };
        let vrf0 = ribs[di].get(&0).cloned().unwrap_or_default();
        let ospf_prefixes: BTreeSet<IpNet> = ospf_ifaces[di]
            .iter()
            .flat_map(|&(ix, ..)| dp.interfaces[ix as usize].addrs.iter().map(IpNet::trunc))
            .collect();
        for red in &cfg.redistribute {
            for c in &vrf0 {
                let take = match red {
                    Redistribute::Static => {
                        c.protocol == RouteProtocol::Static && !is_default(&c.prefix)
                    }
                    Redistribute::Connected => {
                        c.protocol == RouteProtocol::Connected && !ospf_prefixes.contains(&c.prefix)
                    }
                };
                if take {
                    externals.push((di as u32, c.prefix));
                }
            }
        }
        let has_default = vrf0
            .iter()
            .any(|c| is_default(&c.prefix) && c.protocol != RouteProtocol::Local);
        match cfg.default_information_originate {
            Some(DefaultOriginate::Always) => externals.push((di as u32, default_v4())),
            Some(DefaultOriginate::Conditional) if has_default => {
                externals.push((di as u32, default_v4()));
            }
            _ => {}
        }
    }
    externals.sort();
    externals.dedup();
    if !externals.is_empty() {
        let asbr_cost = |r: u32, s: u32| -> Option<(u32, u32)> {
            // Shared area: intra-area distance.
            let mut best: Option<(u32, u32)> = None;
            let consider = |best: &mut Option<(u32, u32)>, cand: Option<(u32, u32)>| {
                if let Some((d, fh)) = cand
                    && best.is_none_or(|(bd, _)| d < bd)
                {
                    *best = Some((d, fh));
                }
            };
            for a in &router_areas[r as usize] {
                if router_areas[s as usize].contains(a) {
                    consider(&mut best, areas[a].dist(r, s));
                }
            }
            if best.is_some() {
                return best;
            }
            // Through an ABR of one of r's areas, then the backbone, then s's area.
            let via_backbone = |b: u32| -> Option<u32> {
                let bb = backbone?;
                if router_areas[s as usize].contains(&AreaId::BACKBONE) {
                    return bb.dist(b, s).map(|x| x.0);
                }
                let mut m: Option<u32> = None;
                for &b2 in &bb.routers {
                    if !is_abr(b2) {
                        continue;
                    }
                    let Some((d1, _)) =
                        bb.dist(b, b2).or(if b == b2 { Some((0, 0)) } else { None })
                    else {
                        continue;
                    };
                    for a in &router_areas[b2 as usize] {
                        if router_areas[s as usize].contains(a)
                            && let Some((d2, _)) = areas[a].dist(b2, s)
                        {
                            let t = d1.saturating_add(d2);
                            m = Some(m.map_or(t, |x: u32| x.min(t)));
                        }
                    }
                }
                m
            };
            if router_areas[r as usize].contains(&AreaId::BACKBONE) {
                // r itself is on the backbone: go to an ABR of s's area.
                let bb = backbone?;
                for &b2 in &bb.routers {
                    if b2 == r || !is_abr(b2) {
                        continue;
                    }
                    let Some((d1, fh)) = bb.dist(r, b2) else {
                        continue;
                    };
                    for a in &router_areas[b2 as usize] {
                        if router_areas[s as usize].contains(a)
                            && let Some((d2, _)) = areas[a].dist(b2, s)
                        {
                            consider(&mut best, Some((d1.saturating_add(d2), fh)));
                        }
                    }
                }
                return best;
            }
            for a in &router_areas[r as usize] {
                for &b in &areas[a].routers {
                    if b == r || !is_abr(b) {
                        continue;
                    }
                    if let (Some((d1, fh)), Some(d2)) = (areas[a].dist(r, b), via_backbone(b)) {
                        consider(&mut best, Some((d1.saturating_add(d2), fh)));
                    }
                }
            }
            best
        };
        let routers: BTreeSet<u32> = areas
            .values()
            .flat_map(|a| a.routers.iter().copied())
            .collect();
        for &r in &routers {
            // Per prefix: lowest forwarding cost to an ASBR; ties = ECMP.
            let mut best: BTreeMap<IpNet, (u32, Vec<NextHop>)> = BTreeMap::new();
            for &(s, p) in &externals {
                if s == r {
                    continue;
                }
                let Some((d, fh)) = asbr_cost(r, s) else {
                    continue;
                };
                let nhs = &interner.nh_sets[fh as usize];
                match best.get_mut(&p) {
                    None => {
                        best.insert(p, (d, nhs.to_vec()));
                    }
                    Some(e) if d < e.0 => *e = (d, nhs.to_vec()),
                    Some(e) if d == e.0 => e.1.extend_from_slice(nhs),
                    Some(_) => {}
                }
            }
            for (p, (d, nhs)) in best {
                // Type-2 metric first; the forwarding cost only breaks ties.
                offer(
                    &mut tables[r as usize],
                    p,
                    2,
                    EXTERNAL_METRIC
                        .saturating_mul(1 << 16)
                        .saturating_add(d.min(65535)),
                    &nhs,
                );
            }
        }
    }
    // Hand the tables to the RIBs.
    for (r, table) in tables.into_iter().enumerate() {
        if table.is_empty() {
            continue;
        }
        let v = ribs[r].entry(0).or_default();
        for (p, (rank, cost, nhs)) in table {
            let (protocol, metric) = match rank {
                0 => (RouteProtocol::Ospf, cost),
                1 => (RouteProtocol::OspfInterArea, cost),
                2 => (RouteProtocol::OspfE2, EXTERNAL_METRIC),
                _ => (RouteProtocol::Ospf, 0),
            };
            let target = if rank == 3 {
                Target::Drop
            } else if nhs.is_empty() {
                continue;
            } else {
                Target::Set(interner.nh_set(nhs))
            };
            v.push(Candidate {
                prefix: p,
                protocol,
                distance: 110,
                metric,
                target,
            });
        }
    }
}

fn is_default(p: &IpNet) -> bool {
    p.prefix_len() == 0
}

fn default_v4() -> IpNet {
    IpNet::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0).unwrap_or_default()
}

/// Dijkstra from `root` with equal-cost first-hop sets.
fn spf(adj: &[Vec<Adj>], root: usize, interner: &mut Interner) -> (Vec<u32>, Vec<u32>) {
    let n = adj.len();
    let mut dist = vec![INF; n];
    let mut fh: Vec<Vec<NextHop>> = vec![Vec::new(); n];
    let mut heap = BinaryHeap::new();
    dist[root] = 0;
    heap.push(Reverse((0u32, root)));
    while let Some(Reverse((d, u))) = heap.pop() {
        if d > dist[u] {
            continue;
        }
        for e in &adj[u] {
            let nd = d.saturating_add(e.cost);
            let via: Vec<NextHop> = if u == root { vec![e.nh] } else { fh[u].clone() };
            if nd < dist[e.to] {
                dist[e.to] = nd;
                fh[e.to] = via;
                heap.push(Reverse((nd, e.to)));
            } else if nd == dist[e.to] && e.to != root {
                fh[e.to].extend(via);
                fh[e.to].sort_unstable();
                fh[e.to].dedup();
            }
        }
    }
    let sets = fh
        .into_iter()
        .map(|v| {
            if v.is_empty() {
                u32::MAX
            } else {
                interner.nh_set(v)
            }
        })
        .collect();
    (dist, sets)
}
