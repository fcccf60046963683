//! The data plane: everything a trace needs, computed once from a
//! [`Network`] and immutable afterwards (share it behind an `Arc`).
//!
//! [`build`] interns devices, interfaces, hosts, clouds and ACLs into flat
//! vectors addressed by index, builds the L2 graph ([`crate::l2`]), computes
//! each device's RIB per VRF — connected, static, OSPF (the private `ospf` module) or
//! the observed table when one was given — and installs the winners in a
//! FIB ([`crate::fib`]).

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use pathtrace_model::acl::parse_entry;
use pathtrace_model::types::{HostKind, InterfaceKind, Network, PortMode};
use pathtrace_model::{ids, ifname};
use prefix_trie::PrefixMap;
use uuid::Uuid;

use crate::acl::CompiledAcl;
use crate::fib::{Action, Fib, FibEntry, NextHop, RouteAttrs, RouteProtocol};
use crate::l2::{L2, NodeIx, NodeKind};

/// Name of the global routing table.
pub const DEFAULT_VRF: &str = "default";

/// A device as the data plane sees it.
#[derive(Debug, Clone)]
pub struct DeviceInfo {
    /// Hostname.
    pub name: String,
    /// Stable id (= its `network-device` id).
    pub id: Uuid,
    /// Management IP.
    pub management_ip: IpAddr,
    /// DNA Center family ("Switches and Hubs", …).
    pub family: String,
    /// Role.
    pub role: String,
    /// Whether it routes transit traffic.
    pub ip_routing: bool,
    /// Its interfaces (data-plane indices), in model order.
    pub interfaces: Vec<u32>,
    /// FIB per VRF (index = VRF index); `None` where the VRF is not used.
    pub fibs: Vec<Option<Fib>>,
    /// For an access point: its controller's device index.
    pub ap_controller: Option<u32>,
    /// For a controller: SSID name → client VLAN.
    pub ssids: Vec<(String, u16)>,
}

/// An interface as the data plane sees it.
#[derive(Debug, Clone)]
pub struct InterfaceInfo {
    /// Owning device.
    pub device: u32,
    /// Name.
    pub name: String,
    /// Stable id.
    pub id: Uuid,
    /// Kind.
    pub kind: InterfaceKind,
    /// Switchport mode (physical ports).
    pub mode: PortMode,
    /// VRF index.
    pub vrf: u32,
    /// Addresses (primary first).
    pub addrs: Vec<IpNet>,
    /// Admin and oper up.
    pub up: bool,
    /// VLAN of an SVI, or dot1Q tag of a subinterface.
    pub vlan: Option<u16>,
    /// Parent port of a subinterface.
    pub parent: Option<u32>,
    /// Inbound ACL (index).
    pub acl_in: Option<u32>,
    /// Outbound ACL (index).
    pub acl_out: Option<u32>,
    /// Its L3 node in the L2 graph, when it is an L3 interface with a domain.
    pub node: Option<NodeIx>,
    /// MTU.
    pub mtu: u32,
}

/// A host as the data plane sees it.
#[derive(Debug, Clone)]
pub struct HostInfo {
    /// Address with mask.
    pub ip: IpNet,
    /// Stable id.
    pub id: Uuid,
    /// Wired or wireless.
    pub kind: HostKind,
    /// Gateway.
    pub gateway: Option<IpAddr>,
    /// Wireless: the AP (device index).
    pub ap: Option<u32>,
    /// Wireless: the SSID.
    pub ssid: Option<String>,
    /// Its node in the L2 graph.
    pub node: Option<NodeIx>,
    /// Label.
    pub name: Option<String>,
    /// Its network interface name (`eth0`), when the model gives one.
    pub interface: Option<String>,
    /// Filter on what the host accepts (iptables INPUT), index into `acls`.
    pub acl_in: Option<u32>,
    /// Filter on what the host sends (iptables OUTPUT), index into `acls`.
    pub acl_out: Option<u32>,
}

/// An unmanaged cloud.
#[derive(Debug, Clone)]
pub struct CloudInfo {
    /// Name.
    pub name: String,
    /// Stable id.
    pub id: Uuid,
    /// Attachments: (interface index, prefixes behind it).
    pub attachments: Vec<(u32, Vec<IpNet>)>,
}

/// Who owns an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A device interface.
    Iface(u32),
    /// A host.
    Host(u32),
}

/// The immutable result of [`build`].
#[derive(Debug)]
pub struct DataPlane {
    /// The network's name.
    pub network: String,
    /// Devices.
    pub devices: Vec<DeviceInfo>,
    /// Interfaces.
    pub interfaces: Vec<InterfaceInfo>,
    /// Hosts.
    pub hosts: Vec<HostInfo>,
    /// Clouds.
    pub clouds: Vec<CloudInfo>,
    /// VRF names; index 0 is the global table.
    pub vrfs: Vec<String>,
    /// Compiled ACLs.
    pub acls: Vec<CompiledAcl>,
    /// Interned route attributes (FIB entries point here).
    pub route_attrs: Vec<RouteAttrs>,
    /// Interned next-hop sets (FIB entries point here).
    pub nh_sets: Vec<Box<[NextHop]>>,
    /// For each next-hop set, per next hop with a gateway address: the L2
    /// endpoint that answers ARP for it (resolved once, at build).
    pub(crate) nh_targets: Vec<Box<[Option<NodeIx>]>>,
    pub(crate) l2: L2,
    pub(crate) owners: rustc_hash::FxHashMap<IpAddr, Owner>,
    pub(crate) subnets4: PrefixMap<Ipv4Net, ()>,
    pub(crate) subnets6: PrefixMap<Ipv6Net, ()>,
    pub(crate) device_by_name: HashMap<String, u32>,
    /// CAPWAP underlay paths per (from, to) device pair: AP → WLC and WLC → AP.
    pub(crate) capwap: HashMap<(u32, u32), Result<Vec<crate::trace::Hop>, crate::trace::Branch>>,
    /// The BGP computation's outcome (sessions, selected paths), when the
    /// network runs BGP.
    pub(crate) bgp: Option<std::sync::Arc<crate::bgp::BgpResult>>,
    /// Control-plane rounds the build took (IGP → BGP → FIB).
    pub bgp_rounds: u32,
    /// Observed forwarding state, when the network was imported from a
    /// collector: traces then follow it ([`crate::state`]).
    pub state: Option<std::sync::Arc<crate::state::StatePlane>>,
}

impl DataPlane {
    /// Device index by hostname.
    pub fn device_index(&self, name: &str) -> Option<u32> {
        self.device_by_name.get(name).copied()
    }

    /// Who owns `ip` (an interface address or a host).
    pub fn owner(&self, ip: IpAddr) -> Option<Owner> {
        self.owners.get(&ip).copied()
    }

    /// Whether `ip` is inside some subnet of the network (an interface's
    /// connected subnet or a host's subnet): Batfish's "internal".
    pub fn is_internal(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => self.subnets4.get_lpm(&Ipv4Net::new_assert(a, 32)).is_some(),
            IpAddr::V6(a) => self
                .subnets6
                .get_lpm(&Ipv6Net::new_assert(a, 128))
                .is_some(),
        }
    }

    /// The FIB of `dev` for `vrf`, if that VRF exists there.
    #[inline]
    pub fn fib(&self, dev: u32, vrf: u32) -> Option<&Fib> {
        self.devices
            .get(dev as usize)?
            .fibs
            .get(vrf as usize)?
            .as_ref()
    }

    /// Total number of FIB entries over all devices and VRFs.
    pub fn fib_entries(&self) -> usize {
        self.devices
            .iter()
            .flat_map(|d| d.fibs.iter().flatten())
            .map(Fib::len)
            .sum()
    }

    /// The BGP computation's outcome (sessions, every device's paths), when
    /// the network runs BGP.
    pub fn bgp(&self) -> Option<&crate::bgp::BgpResult> {
        self.bgp.as_deref()
    }

    /// Interface index by device and (possibly abbreviated) name.
    pub fn interface_index(&self, dev: u32, name: &str) -> Option<u32> {
        let d = self.devices.get(dev as usize)?;
        // The exact spelling first (cheap), then the abbreviations.
        d.interfaces
            .iter()
            .copied()
            .find(|&i| self.interfaces[i as usize].name == name)
            .or_else(|| {
                d.interfaces
                    .iter()
                    .copied()
                    .find(|&i| ifname::matches(name, &self.interfaces[i as usize].name))
            })
    }
}

/// Interning of route attributes and next-hop sets during a build.
#[derive(Default)]
pub(crate) struct Interner {
    pub attrs: Vec<RouteAttrs>,
    attrs_ix: rustc_hash::FxHashMap<RouteAttrs, u32>,
    pub nh_sets: Vec<Box<[NextHop]>>,
    nh_ix: rustc_hash::FxHashMap<Box<[NextHop]>, u32>,
    union_memo: rustc_hash::FxHashMap<(u32, u32), u32>,
}

impl Interner {
    pub fn attrs(&mut self, a: RouteAttrs) -> u32 {
        if let Some(&i) = self.attrs_ix.get(&a) {
            return i;
        }
        let i = self.attrs.len() as u32;
        self.attrs.push(a);
        self.attrs_ix.insert(a, i);
        i
    }

    /// The interned union of two interned sets (memoised: ECMP merges the
    /// same pairs over and over).
    pub fn union(&mut self, a: u32, b: u32) -> u32 {
        if a == b {
            return a;
        }
        let key = (a.min(b), a.max(b));
        if let Some(&u) = self.union_memo.get(&key) {
            return u;
        }
        let v: Vec<NextHop> = self.nh_sets[a as usize]
            .iter()
            .chain(self.nh_sets[b as usize].iter())
            .copied()
            .collect();
        let u = self.nh_set(v);
        self.union_memo.insert(key, u);
        u
    }

    /// Intern a next-hop set (sorted and deduplicated first).
    pub fn nh_set(&mut self, mut nhs: Vec<NextHop>) -> u32 {
        nhs.sort_unstable();
        nhs.dedup();
        let key = nhs.into_boxed_slice();
        if let Some(&i) = self.nh_ix.get(&key) {
            return i;
        }
        let i = self.nh_sets.len() as u32;
        self.nh_sets.push(key.clone());
        self.nh_ix.insert(key, i);
        i
    }
}

/// A route offered to a device's RIB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub prefix: IpNet,
    pub protocol: RouteProtocol,
    pub distance: u8,
    pub metric: u32,
    pub target: Target,
}

/// Where a candidate route points before resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Receive,
    Drop,
    /// Already resolved next hops (interned set).
    Set(u32),
    /// A next-hop address, optionally pinned to an interface; resolved
    /// recursively through the FIB.
    Via(Vec<(Option<IpAddr>, Option<u32>)>),
}

/// Build the data plane of a network. The network is expected to have
/// passed validation; anything inconsistent that slips through is skipped,
/// never a panic.
pub fn build(net: &Network) -> DataPlane {
    build_with(net, None)
}

/// The main RIB of every device and VRF as computed for `net` (what
/// `pathtrace routes` prints): one row per installed route and next hop.
pub fn routes(net: &Network) -> Vec<crate::rib::RibRoute> {
    build_with_routes(net).1
}

/// [`build`] and [`routes`] from one control-plane computation (for views
/// that show each route's own next hop beside a trace).
pub fn build_with_routes(net: &Network) -> (DataPlane, Vec<crate::rib::RibRoute>) {
    let mut out = Vec::new();
    let dp = build_with(net, Some(&mut out));
    out.extend(crate::rib::host_routes(net));
    (dp, out)
}

/// Topology rounds (IGP → sessions → BGP → FIBs again) before giving up.
const MAX_TOPOLOGY_ROUNDS: usize = 10;

/// Compute the control plane into `dp`'s FIBs: connected, static and OSPF
/// routes, then BGP on the resulting data plane (sessions are traced on
/// it), then the FIBs again with the BGP routes — until BGP's routes stop
/// changing (Batfish's topology iterations). Returns the rounds taken.
fn control_plane(
    net: &Network,
    dp: &mut DataPlane,
    interner: &mut Interner,
    record: Option<&mut Vec<crate::rib::RibRoute>>,
) -> u32 {
    let n = dp.devices.len();
    let has_bgp = net.devices.iter().any(|d| d.bgp.is_some());
    // OSPF sees BGP's routes only through `redistribute bgp` and a
    // conditional default origination; otherwise it is computed once.
    let ospf_uses_bgp = has_bgp
        && net.devices.iter().any(|d| {
            d.ospf.as_ref().is_some_and(|o| {
                o.redistribute
                    .iter()
                    .any(|r| r.source == pathtrace_model::RouteSource::Bgp)
                    || o.default_information_originate
                        == Some(pathtrace_model::DefaultOriginate::Conditional)
            })
        });
    let mut bgp_cands: Vec<Vec<Candidate>> = vec![Vec::new(); n];
    let mut ospf = prepare_ospf(net, dp, interner, &bgp_cands);
    let mut rounds = 0;
    // Whether the FIBs hold `bgp_cands` (false only when the rounds ran out).
    let mut installed = false;
    for _ in 0..MAX_TOPOLOGY_ROUNDS {
        rounds += 1;
        install_all(net, dp, interner, &ospf, &bgp_cands, None);
        installed = true;
        if !has_bgp {
            break;
        }
        let res = crate::bgp::compute(net, dp, dp.bgp.as_deref());
        let same = res.candidates == bgp_cands;
        if !same {
            bgp_cands.clone_from(&res.candidates);
            installed = false;
            if ospf_uses_bgp {
                ospf = prepare_ospf(net, dp, interner, &bgp_cands);
            }
        }
        dp.bgp = Some(std::sync::Arc::new(res));
        if same {
            break;
        }
    }
    if let Some(rec) = record {
        install_all(net, dp, interner, &ospf, &bgp_cands, Some(rec));
    } else if !installed {
        install_all(net, dp, interner, &ospf, &bgp_cands, None);
    }
    rounds
}

/// OSPF's shared state (SPF per area, summaries, externals), with the BGP
/// routes available to redistribution.
fn prepare_ospf(
    net: &Network,
    dp: &DataPlane,
    interner: &mut Interner,
    bgp: &[Vec<Candidate>],
) -> crate::ospf::Ospf {
    crate::ospf::Ospf::prepare(net, dp, interner, &mut |d, i| {
        let mut v = base_rib(net, dp, d, i).remove(&0).unwrap_or_default();
        v.extend(bgp[d as usize].iter().cloned());
        v
    })
}

/// One pass: every device's RIB (connected, static, OSPF, BGP) → FIB, one
/// device at a time so memory stays proportional to the result; then the
/// interned tables and ARP targets into `dp`.
fn install_all(
    net: &Network,
    dp: &mut DataPlane,
    interner: &mut Interner,
    ospf: &crate::ospf::Ospf,
    bgp: &[Vec<Candidate>],
    mut record: Option<&mut Vec<crate::rib::RibRoute>>,
) {
    let mut all_fibs = Vec::with_capacity(dp.devices.len());
    for di in 0..dp.devices.len() as u32 {
        let mut rib = base_rib(net, dp, di, interner);
        ospf.routes_for(di, interner, rib.entry(0).or_default());
        rib.entry(0)
            .or_default()
            .extend(bgp[di as usize].iter().cloned());
        apply_observed(net, dp, di, &mut rib);
        all_fibs.push(install_device(dp, di, rib, interner, record.as_deref_mut()));
    }
    for (d, f) in dp.devices.iter_mut().zip(all_fibs) {
        d.fibs = f;
    }
    dp.route_attrs.clone_from(&interner.attrs);
    dp.nh_sets.clone_from(&interner.nh_sets);
    dp.nh_targets = dp
        .nh_sets
        .iter()
        .map(|set| {
            set.iter()
                .map(|nh| {
                    let ip = nh.arp?;
                    let node = dp.interfaces[nh.iface as usize].node?;
                    dp.l2.resolve(node, ip)
                })
                .collect()
        })
        .collect();
}

fn build_with(net: &Network, record: Option<&mut Vec<crate::rib::RibRoute>>) -> DataPlane {
    let mut vrfs: Vec<String> = vec![DEFAULT_VRF.to_string()];
    let mut vrf_ix: HashMap<String, u32> = HashMap::from([(DEFAULT_VRF.to_string(), 0)]);
    let mut vrf_of = |name: Option<&str>| -> u32 {
        match name {
            None => 0,
            Some(n) if n.eq_ignore_ascii_case("default") || n.eq_ignore_ascii_case("global") => 0,
            Some(n) => *vrf_ix.entry(n.to_string()).or_insert_with(|| {
                vrfs.push(n.to_string());
                (vrfs.len() - 1) as u32
            }),
        }
    };

    let mut devices = Vec::with_capacity(net.devices.len());
    let mut interfaces: Vec<InterfaceInfo> = Vec::new();
    let mut acls: Vec<CompiledAcl> = Vec::new();
    let mut device_by_name = HashMap::new();
    for (di, d) in net.devices.iter().enumerate() {
        let di = di as u32;
        device_by_name.insert(d.hostname.clone(), di);
        let acl_base = acls.len();
        for a in &d.acls {
            let kind = a.kind();
            let entries = a
                .entries
                .iter()
                .filter_map(|line| parse_entry(line, kind).ok().map(|e| (line.clone(), e)))
                .collect();
            acls.push(CompiledAcl {
                name: a.name.clone(),
                device: di,
                entries,
            });
        }
        let find_acl = |name: &Option<String>| -> Option<u32> {
            let name = name.as_ref()?;
            (acl_base..acls.len())
                .find(|&i| &acls[i].name == name)
                .map(|i| i as u32)
        };
        let first = interfaces.len();
        let mut ifx = Vec::with_capacity(d.interfaces.len());
        for i in &d.interfaces {
            let kind = i.kind();
            let vlan = match kind {
                InterfaceKind::Svi => i.svi_vlan(),
                InterfaceKind::Subinterface => i.encapsulation,
                _ => None,
            };
            ifx.push(interfaces.len() as u32);
            interfaces.push(InterfaceInfo {
                device: di,
                name: i.name.clone(),
                id: ids::interface_id(&net.name, &d.hostname, &i.name),
                kind,
                mode: i.port_mode(),
                vrf: vrf_of(i.vrf.as_deref()),
                addrs: i.addresses().copied().collect(),
                up: i.is_up(),
                vlan,
                parent: None,
                acl_in: find_acl(&i.acl_in),
                acl_out: find_acl(&i.acl_out),
                node: None,
                mtu: i.mtu.unwrap_or(1500),
            });
        }
        // Subinterface parents.
        for k in first..interfaces.len() {
            if interfaces[k].kind == InterfaceKind::Subinterface {
                let parent_name = interfaces[k]
                    .name
                    .split('.')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let parent = (first..interfaces.len())
                    .find(|&j| j != k && ifname::matches(&parent_name, &interfaces[j].name));
                interfaces[k].parent = parent.map(|p| p as u32);
                if let Some(p) = parent
                    && !interfaces[p].up
                {
                    interfaces[k].up = false;
                }
            }
        }
        devices.push(DeviceInfo {
            name: d.hostname.clone(),
            id: ids::device_id(&net.name, &d.hostname),
            management_ip: d.management_ip,
            family: d.family.clone(),
            role: d.role.clone(),
            ip_routing: d.ip_routing,
            interfaces: ifx,
            fibs: Vec::new(),
            ap_controller: None,
            ssids: Vec::new(),
        });
    }
    for c in &net.wireless.controllers {
        if let Some(&di) = device_by_name.get(&c.device) {
            devices[di as usize].ssids = c.ssids.iter().map(|s| (s.name.clone(), s.vlan)).collect();
        }
    }
    for ap in &net.wireless.aps {
        if let (Some(&a), Some(&c)) = (
            device_by_name.get(&ap.device),
            device_by_name.get(&ap.controller),
        ) {
            devices[a as usize].ap_controller = Some(c);
        }
    }
    // Interface lookup by (device, canonical lower-case name): references in
    // links, hosts and clouds may abbreviate ("Gi1/0/1").
    let by_name: HashMap<(u32, String), u32> = interfaces
        .iter()
        .enumerate()
        .map(|(ix, i)| {
            (
                (i.device, ifname::canonical(&i.name).to_ascii_lowercase()),
                ix as u32,
            )
        })
        .collect();
    let iface_of = |dev: &str, name: &str| -> Option<u32> {
        let d = *device_by_name.get(dev)?;
        by_name
            .get(&(d, ifname::canonical(name).to_ascii_lowercase()))
            .copied()
    };

    // ---- L2 graph -------------------------------------------------------
    let vlan_sets: Vec<Vec<u16>> = net
        .devices
        .iter()
        .map(|d| {
            let mut v: Vec<u16> = d.vlans.iter().map(|v| v.id).collect();
            v.push(1);
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    let mut rank: Vec<u32> = vec![0; devices.len()];
    {
        let mut order: Vec<usize> = (0..devices.len()).collect();
        order.sort_by(|&a, &b| devices[a].name.cmp(&devices[b].name));
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r as u32;
        }
    }
    let prio: Vec<u16> = net
        .devices
        .iter()
        .map(|d| d.stp_priority.unwrap_or(32768))
        .collect();
    let model_iface = |ix: u32| -> &pathtrace_model::Interface {
        let info = &interfaces[ix as usize];
        let d = &net.devices[info.device as usize];
        let pos = devices[info.device as usize]
            .interfaces
            .iter()
            .position(|&x| x == ix)
            .unwrap_or(0);
        &d.interfaces[pos]
    };
    let allowed: Vec<Option<Vec<u16>>> = (0..interfaces.len() as u32)
        .map(|ix| {
            let mi = model_iface(ix);
            mi.allowed_vlans.as_deref().map(parse_vlan_list)
        })
        .collect();
    let mut l2 = L2::default();
    // The node a port presents for a wire tag.
    let side = |l2: &mut L2, port: u32, tag: Option<u16>| -> Option<NodeIx> {
        let info = &interfaces[port as usize];
        if !info.up {
            return None;
        }
        let dev = info.device;
        let has_vlan = |v: u16| vlan_sets[dev as usize].binary_search(&v).is_ok();
        let bridge = |l2: &mut L2, v: u16| {
            l2.node(
                NodeKind::Bridge { dev, vlan: v },
                (prio[dev as usize], rank[dev as usize]),
            )
        };
        let mi = model_iface(port);
        match info.kind {
            InterfaceKind::Physical => match info.mode {
                PortMode::Access => {
                    let v = mi.access_vlan.unwrap_or(1);
                    (tag.is_none() && has_vlan(v)).then(|| bridge(l2, v))
                }
                PortMode::Trunk => {
                    let native = mi.native_vlan.unwrap_or(1);
                    let v = tag.unwrap_or(native);
                    if tag == Some(native) {
                        return None;
                    }
                    let ok = allowed[port as usize]
                        .as_ref()
                        .is_none_or(|a| a.contains(&v));
                    (ok && has_vlan(v)).then(|| bridge(l2, v))
                }
                PortMode::Routed => match tag {
                    None => {
                        (!info.addrs.is_empty()).then(|| l2.node(NodeKind::Iface(port), (0, 0)))
                    }
                    Some(t) => {
                        let sub = devices[dev as usize]
                            .interfaces
                            .iter()
                            .copied()
                            .find(|&s| {
                                let si = &interfaces[s as usize];
                                si.parent == Some(port) && si.vlan == Some(t) && si.up
                            })?;
                        Some(l2.node(NodeKind::Iface(sub), (0, 0)))
                    }
                },
            },
            _ => None,
        }
    };
    let tags_of = |port: u32| -> Vec<u16> {
        let info = &interfaces[port as usize];
        match (info.kind, info.mode) {
            (InterfaceKind::Physical, PortMode::Trunk) => match &allowed[port as usize] {
                Some(a) => a.clone(),
                None => vlan_sets[info.device as usize].clone(),
            },
            (InterfaceKind::Physical, PortMode::Routed) => devices[info.device as usize]
                .interfaces
                .iter()
                .filter_map(|&s| {
                    (interfaces[s as usize].parent == Some(port))
                        .then_some(interfaces[s as usize].vlan)
                        .flatten()
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    for link in &net.links {
        let (Some(a), Some(b)) = (
            iface_of(&link.a.device, &link.a.interface),
            iface_of(&link.b.device, &link.b.interface),
        ) else {
            continue;
        };
        let mut tags: Vec<Option<u16>> = vec![None];
        let mut t: Vec<u16> = tags_of(a);
        t.extend(tags_of(b));
        t.sort_unstable();
        t.dedup();
        tags.extend(t.into_iter().map(Some));
        for tag in tags {
            if let (Some(na), Some(nb)) = (side(&mut l2, a, tag), side(&mut l2, b, tag)) {
                l2.connect(na, Some(a), nb, Some(b));
            }
        }
    }
    for (ix, info) in interfaces.iter().enumerate() {
        if info.kind == InterfaceKind::Svi
            && info.up
            && let Some(v) = info.vlan
            && vlan_sets[info.device as usize].binary_search(&v).is_ok()
        {
            let dev = info.device;
            let svi = l2.node(NodeKind::Iface(ix as u32), (0, 0));
            let br = l2.node(
                NodeKind::Bridge { dev, vlan: v },
                (prio[dev as usize], rank[dev as usize]),
            );
            l2.connect(svi, None, br, None);
        }
    }
    // Routed ports and subinterfaces with an address get a node even when unlinked.
    for (ix, info) in interfaces.iter().enumerate() {
        if info.up
            && !info.addrs.is_empty()
            && matches!(
                info.kind,
                InterfaceKind::Physical
                    | InterfaceKind::Subinterface
                    | InterfaceKind::Loopback
                    | InterfaceKind::Tunnel
            )
            && (info.kind != InterfaceKind::Physical || info.mode == PortMode::Routed)
        {
            l2.node(NodeKind::Iface(ix as u32), (0, 0));
        }
    }
    let mut hosts = Vec::with_capacity(net.hosts.len());
    for (hi, h) in net.hosts.iter().enumerate() {
        let hn = l2.node(NodeKind::Host(hi as u32), (0, 0));
        let mut ap = None;
        match h.kind {
            HostKind::Wired => {
                if let (Some(sw), Some(p)) = (&h.switch, &h.port)
                    && let Some(port) = iface_of(sw, p)
                {
                    let info = &interfaces[port as usize];
                    let tag = match (info.mode, h.vlan) {
                        (PortMode::Trunk, Some(v))
                            if Some(v) != model_iface(port).native_vlan.or(Some(1)) =>
                        {
                            Some(v)
                        }
                        _ => None,
                    };
                    if let Some(n) = side(&mut l2, port, tag) {
                        l2.connect(hn, None, n, Some(port));
                    }
                }
            }
            HostKind::Wireless => {
                if let Some(a) = h.ap.as_ref().and_then(|a| device_by_name.get(a)).copied() {
                    ap = Some(a);
                    if let Some(wlc) = devices[a as usize].ap_controller {
                        let vlan = h
                            .ssid
                            .as_ref()
                            .and_then(|s| devices[wlc as usize].ssids.iter().find(|(n, _)| n == s))
                            .map(|(_, v)| *v)
                            .or(h.vlan);
                        if let Some(v) = vlan {
                            let br = l2.node(
                                NodeKind::Bridge { dev: wlc, vlan: v },
                                (prio[wlc as usize], rank[wlc as usize]),
                            );
                            l2.connect(hn, None, br, None);
                        }
                    }
                }
            }
        }
        let mut host_acl = |a: &Option<pathtrace_model::Acl>| -> Option<u32> {
            let a = a.as_ref()?;
            let kind = a.kind();
            acls.push(CompiledAcl {
                name: a.name.clone(),
                device: u32::MAX,
                entries: a
                    .entries
                    .iter()
                    .filter_map(|line| parse_entry(line, kind).ok().map(|e| (line.clone(), e)))
                    .collect(),
            });
            Some((acls.len() - 1) as u32)
        };
        let (acl_in, acl_out) = (host_acl(&h.acl_in), host_acl(&h.acl_out));
        hosts.push(HostInfo {
            ip: h.ip,
            id: ids::host_id(&net.name, &h.ip.addr()),
            kind: h.kind,
            gateway: h.gateway,
            ap,
            ssid: h.ssid.clone(),
            node: Some(hn),
            name: h.name.clone(),
            interface: h.interface.clone(),
            acl_in,
            acl_out,
        });
    }
    let mut clouds = Vec::with_capacity(net.clouds.len());
    for (ci, c) in net.clouds.iter().enumerate() {
        let mut atts = Vec::new();
        for (ai, a) in c.attachments.iter().enumerate() {
            let Some(port) = iface_of(&a.device, &a.interface) else {
                continue;
            };
            let cn = l2.node(NodeKind::Cloud(ci as u32, ai as u32), (0, 0));
            let info = &interfaces[port as usize];
            let phys = info.parent.unwrap_or(port);
            let near = if info.kind == InterfaceKind::Subinterface {
                info.up.then(|| l2.node(NodeKind::Iface(port), (0, 0)))
            } else {
                side(&mut l2, port, None)
            };
            if let Some(n) = near {
                l2.connect(cn, None, n, Some(phys));
            }
            atts.push((port, a.prefixes.iter().map(IpNet::trunc).collect()));
        }
        clouds.push(CloudInfo {
            name: c.name.clone(),
            id: ids::cloud_id(&net.name, &c.name),
            attachments: atts,
        });
    }
    let names: Vec<String> = interfaces
        .iter()
        .map(|i| format!("{}/{}", devices[i.device as usize].name, i.name))
        .collect();
    l2.finish(|p| names.get(p as usize).cloned().unwrap_or_default());

    // ARP: every L3 interface answers for its addresses; hosts for theirs.
    let mut owners = rustc_hash::FxHashMap::default();
    let mut subnets4 = PrefixMap::new();
    let mut subnets6 = PrefixMap::new();
    for (ix, info) in interfaces.iter_mut().enumerate() {
        info.node = l2.find(NodeKind::Iface(ix as u32));
        for a in &info.addrs {
            owners.entry(a.addr()).or_insert(Owner::Iface(ix as u32));
            if let Some(n) = info.node {
                l2.add_arp(n, a.addr());
            }
            add_subnet(&mut subnets4, &mut subnets6, *a);
        }
    }
    for (hi, h) in hosts.iter().enumerate() {
        owners.entry(h.ip.addr()).or_insert(Owner::Host(hi as u32));
        if let Some(n) = h.node {
            l2.add_arp(n, h.ip.addr());
        }
        add_subnet(&mut subnets4, &mut subnets6, h.ip);
    }

    let mut dp = DataPlane {
        network: net.name.clone(),
        devices,
        interfaces,
        hosts,
        clouds,
        vrfs,
        acls,
        route_attrs: Vec::new(),
        nh_sets: Vec::new(),
        nh_targets: Vec::new(),
        l2,
        owners,
        subnets4,
        subnets6,
        device_by_name,
        capwap: HashMap::new(),
        bgp: None,
        bgp_rounds: 0,
        state: (!net.observed.is_empty())
            .then(|| std::sync::Arc::new(crate::state::StatePlane::build(&net.observed))),
    };
    let mut interner = Interner::default();
    let rounds = control_plane(net, &mut dp, &mut interner, record);
    dp.bgp_rounds = rounds;
    // The CAPWAP tunnels do not depend on the traced flow: trace them once.
    let pairs: Vec<(u32, u32)> = dp
        .devices
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.ap_controller.map(|w| (i as u32, w)))
        .flat_map(|(ap, wlc)| [(ap, wlc), (wlc, ap)])
        .collect();
    for (from, to) in pairs {
        let path = crate::trace::capwap_path(&dp, from, to);
        dp.capwap.insert((from, to), path);
    }
    dp
}

fn add_subnet(v4: &mut PrefixMap<Ipv4Net, ()>, v6: &mut PrefixMap<Ipv6Net, ()>, a: IpNet) {
    match a.trunc() {
        IpNet::V4(p) => {
            v4.insert(p, ());
        }
        IpNet::V6(p) => {
            v6.insert(p, ());
        }
    }
}

/// Parse "all", "none" or "1,10-20" (invalid parts are ignored: validation reports them).
pub(crate) fn parse_vlan_list(s: &str) -> Vec<u16> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("all") {
        return (1..=4094).collect();
    }
    if s.eq_ignore_ascii_case("none") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for part in s.split(',') {
        let part = part.trim();
        if let Some((a, b)) = part.split_once('-') {
            if let (Ok(a), Ok(b)) = (a.trim().parse::<u16>(), b.trim().parse::<u16>())
                && a <= b
                && b <= 4094
            {
                out.extend(a..=b);
            }
        } else if let Ok(v) = part.parse::<u16>() {
            out.push(v);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A device's candidate routes per VRF: connected subnets, its own
/// addresses, the default gateway of a non-routing device, static routes.
pub(crate) fn base_rib(
    net: &Network,
    dp: &DataPlane,
    di: u32,
    interner: &mut Interner,
) -> BTreeMap<u32, Vec<Candidate>> {
    let mut rib: BTreeMap<u32, Vec<Candidate>> = BTreeMap::new();
    let rib = &mut rib;
    let dev = &dp.devices[di as usize];
    let di = di as usize;
    rib.entry(0).or_default();
    for &ix in &dev.interfaces {
        let info = &dp.interfaces[ix as usize];
        rib.entry(info.vrf).or_default();
        if !info.up {
            continue;
        }
        for a in &info.addrs {
            let host_len = if a.addr().is_ipv4() { 32 } else { 128 };
            let set = interner.nh_set(vec![NextHop {
                iface: ix,
                arp: None,
            }]);
            let v = rib.entry(info.vrf).or_default();
            if a.prefix_len() < host_len {
                v.push(Candidate {
                    prefix: a.trunc(),
                    protocol: RouteProtocol::Connected,
                    distance: 0,
                    metric: 0,
                    target: Target::Set(set),
                });
            }
            // A host-length address (a /32 loopback) is its own connected
            // route (as IOS and Batfish list it); others get a local route.
            let local = IpNet::new(a.addr(), host_len).unwrap_or(*a);
            v.push(Candidate {
                prefix: local,
                protocol: if a.prefix_len() < host_len {
                    RouteProtocol::Local
                } else {
                    RouteProtocol::Connected
                },
                distance: 0,
                metric: 0,
                target: Target::Receive,
            });
        }
    }
    let model = &net.devices[di];
    if !model.ip_routing
        && let Some(gw) = model.default_gateway
    {
        let prefix = if gw.is_ipv4() { "0.0.0.0/0" } else { "::/0" };
        rib.entry(0).or_default().push(Candidate {
            prefix: prefix.parse().unwrap_or_else(|_| IpNet::default()),
            protocol: RouteProtocol::Static,
            distance: 1,
            metric: 0,
            target: Target::Via(vec![(Some(gw), None)]),
        });
    }
    for s in &model.static_routes {
        let vrf = vrf_index(&dp.vrfs, s.vrf.as_deref());
        let Some(vrf) = vrf else { continue };
        let target = match (&s.interface, s.next_hop) {
            (Some(i), _) if ifname::is_null(i) => Target::Drop,
            (Some(i), nh) => match dp.interface_index(di as u32, i) {
                Some(ix) => Target::Via(vec![(nh, Some(ix))]),
                None => continue,
            },
            (None, Some(nh)) => Target::Via(vec![(Some(nh), None)]),
            (None, None) => continue,
        };
        rib.entry(vrf).or_default().push(Candidate {
            prefix: s.prefix.trunc(),
            protocol: RouteProtocol::Static,
            distance: s.distance.unwrap_or(1),
            metric: 0,
            target,
        });
    }
    std::mem::take(rib)
}

/// Observed tables replace what was computed for their VRF (the device's
/// own addresses stay, as Receive entries).
fn apply_observed(net: &Network, dp: &DataPlane, di: u32, rib: &mut BTreeMap<u32, Vec<Candidate>>) {
    let model = &net.devices[di as usize];
    if model.routes.is_empty() {
        return;
    }
    let di = di as usize;
    let mut by_vrf: BTreeMap<u32, Vec<Candidate>> = BTreeMap::new();
    for r in &model.routes {
        let Some(vrf) = vrf_index(&dp.vrfs, r.vrf.as_deref()) else {
            continue;
        };
        let protocol = RouteProtocol::from_observed(&r.protocol);
        let target = if r.discard
            || r.next_hops
                .iter()
                .any(|n| n.interface.as_deref().is_some_and(ifname::is_null))
        {
            Target::Drop
        } else if protocol == RouteProtocol::Local {
            Target::Receive
        } else {
            Target::Via(
                r.next_hops
                    .iter()
                    .map(|n| {
                        (
                            n.ip,
                            n.interface
                                .as_deref()
                                .and_then(|i| dp.interface_index(di as u32, i)),
                        )
                    })
                    .collect(),
            )
        };
        by_vrf.entry(vrf).or_default().push(Candidate {
            prefix: r.prefix.trunc(),
            protocol,
            distance: r.distance.unwrap_or_else(|| protocol.default_distance()),
            metric: r.metric.unwrap_or(0),
            target,
        });
    }
    for (vrf, mut routes) in by_vrf {
        // Keep the device's own addresses as Receive entries.
        let locals: Vec<Candidate> = rib
            .get(&vrf)
            .map(|v| {
                v.iter()
                    .filter(|c| matches!(c.target, Target::Receive))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        routes.extend(locals);
        rib.insert(vrf, routes);
    }
}

pub(crate) fn vrf_index(vrfs: &[String], name: Option<&str>) -> Option<u32> {
    match name {
        None => Some(0),
        Some(n) if n.eq_ignore_ascii_case("default") || n.eq_ignore_ascii_case("global") => Some(0),
        Some(n) => vrfs.iter().position(|v| v == n).map(|p| p as u32),
    }
}

/// Select the best candidates per prefix and install them into one device's
/// FIBs, resolving recursive next hops through the FIB being built.
fn install_device(
    dp: &DataPlane,
    di: u32,
    rib: BTreeMap<u32, Vec<Candidate>>,
    interner: &mut Interner,
    mut record: Option<&mut Vec<crate::rib::RibRoute>>,
) -> Vec<Option<Fib>> {
    // Preference: lowest distance; at equal distance an own address (Local)
    // before a connected subnet of the same prefix (a /32 loopback); then metric.
    fn key(c: &Candidate) -> (u8, bool, u32) {
        (c.distance, c.protocol != RouteProtocol::Local, c.metric)
    }
    let mut fibs: Vec<Option<Fib>> = vec![None; dp.vrfs.len()];
    for (vrf, mut cands) in rib {
        cands.sort_by(|a, b| a.prefix.cmp(&b.prefix).then_with(|| key(a).cmp(&key(b))));
        let mut fib = Fib::default();
        let mut pending: Vec<(IpNet, Vec<Candidate>)> = Vec::new();
        let mut nhs: Vec<NextHop> = Vec::new();
        for group in cands.chunk_by(|a, b| a.prefix == b.prefix) {
            let best = key(&group[0]);
            let winners = &group[..group.iter().take_while(|c| key(c) == best).count()];
            let first = &winners[0];
            let attrs = interner.attrs(RouteAttrs {
                protocol: first.protocol,
                distance: first.distance,
                metric: first.metric,
            });
            if winners.iter().any(|w| matches!(w.target, Target::Via(_))) {
                pending.push((first.prefix, winners.to_vec()));
                continue;
            }
            let action = if winners.iter().any(|w| matches!(w.target, Target::Receive)) {
                Action::Receive
            } else if let [
                Candidate {
                    target: Target::Set(set),
                    ..
                },
            ] = winners
            {
                Action::Forward(*set)
            } else {
                nhs.clear();
                for w in winners {
                    if let Target::Set(set) = w.target {
                        nhs.extend(interner.nh_sets[set as usize].iter().copied());
                    }
                }
                if nhs.is_empty() {
                    Action::Drop
                } else {
                    Action::Forward(interner.nh_set(nhs.clone()))
                }
            };
            fib.insert(first.prefix, FibEntry { attrs, action });
            if let Some(rec) = record.as_deref_mut() {
                crate::rib::record(dp, di, vrf, winners, interner, rec);
            }
        }
        // Recursive next hops: resolve against what is installed, a few rounds
        // so a static via another static's next hop resolves too.
        pending.sort_by_key(|(p, _)| (std::cmp::Reverse(p.prefix_len()), *p));
        for _round in 0..3 {
            let mut left = Vec::new();
            for (prefix, winners) in pending {
                let mut nhs = Vec::new();
                let mut drop = false;
                for w in &winners {
                    match &w.target {
                        Target::Via(hops) => {
                            for &(ip, iface) in hops {
                                resolve_hop(dp, &fib, ip, iface, &mut nhs, &mut drop, interner);
                            }
                        }
                        Target::Set(s) => nhs.extend(interner.nh_sets[*s as usize].iter().copied()),
                        Target::Drop => drop = true,
                        Target::Receive => {}
                    }
                }
                let first = &winners[0];
                let attrs = interner.attrs(RouteAttrs {
                    protocol: first.protocol,
                    distance: first.distance,
                    metric: first.metric,
                });
                if !nhs.is_empty() {
                    fib.insert(
                        prefix,
                        FibEntry {
                            attrs,
                            action: Action::Forward(interner.nh_set(nhs)),
                        },
                    );
                } else if drop {
                    fib.insert(
                        prefix,
                        FibEntry {
                            attrs,
                            action: Action::Drop,
                        },
                    );
                } else {
                    left.push((prefix, winners));
                    continue;
                }
                if let Some(rec) = record.as_deref_mut() {
                    crate::rib::record(dp, di, vrf, &winners, interner, rec);
                }
            }
            pending = left;
            if pending.is_empty() {
                break;
            }
        }
        fibs[vrf as usize] = Some(fib);
    }
    fibs
}

/// Resolve one (next-hop IP, interface) pair against a FIB under construction.
fn resolve_hop(
    dp: &DataPlane,
    fib: &Fib,
    ip: Option<IpAddr>,
    iface: Option<u32>,
    out: &mut Vec<NextHop>,
    drop: &mut bool,
    interner: &Interner,
) {
    match (ip, iface) {
        (ip, Some(ix)) => {
            if dp.interfaces[ix as usize].up {
                out.push(NextHop { iface: ix, arp: ip });
            }
        }
        (Some(ip), None) => match fib.lookup(ip) {
            Some((
                _,
                FibEntry {
                    action: Action::Forward(set),
                    ..
                },
            )) => {
                // On-link next hop: ARP for it; recursive: use the covering
                // route's own gateways.
                out.extend(interner.nh_sets[set as usize].iter().map(|n| NextHop {
                    iface: n.iface,
                    arp: n.arp.or(Some(ip)),
                }));
            }
            Some((
                _,
                FibEntry {
                    action: Action::Drop,
                    ..
                },
            )) => *drop = true,
            Some((
                _,
                FibEntry {
                    action: Action::Receive,
                    ..
                },
            ))
            | None => {}
        },
        (None, None) => {}
    }
}
