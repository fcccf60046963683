//! Converting a parsed Cisco IOS snapshot ([`IosSnapshot`]) into the network
//! model ([`pathtrace_model::Network`]): devices with their interfaces,
//! static routes, OSPF, BGP and routing policy, access lists and VLANs;
//! links from the snapshot's layer-1 topology or inferred from shared
//! subnets; hosts with their iptables filters as access lists.
//!
//! [`to_network`] never fails and never panics: what the model cannot
//! express, or what would make the model invalid (a duplicate address, an
//! access-list entry the model's ACL syntax rejects, a reference to a list
//! that is not configured), is left out or adjusted and reported as one
//! warning naming `file:line`. The result validates
//! ([`pathtrace_model::validate::validate`]); should it not, the remaining
//! issues are reported as warnings too. docs/import.md, "What the
//! conversion does", is the full mapping.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use ipnet::{IpNet, Ipv4Net};
use pathtrace_model as m;
use pathtrace_model::ifname;
use pathtrace_model::routing as r;

use super::hosts::{Host as IosHost, IptablesTable, Layer1Topology};
use super::snapshot::IosSnapshot;
use super::types::{self as ios, IosConfig, ListKind};

/// The result of converting a snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct IosConversion {
    /// The network model.
    pub network: m::Network,
    /// What the model cannot express or the conversion left out, one line
    /// each, starting with the file it comes from and, where the parser
    /// keeps it, the line (`configs/as2dept1.cfg:51: address 2.1.1.2/32 of
    /// Loopback0 …`, `hosts/h4.json: h4 eth0 …`).
    pub warnings: Vec<String>,
}

/// Convert a snapshot into a network model called `name`.
pub fn to_network(snap: &IosSnapshot, name: &str) -> IosConversion {
    let mut cv = Converter {
        warnings: Vec::new(),
    };
    let mut built: Vec<Built> = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for cfg in &snap.configs {
        let file = cfg.account.file.as_str();
        let (hostname, line) = match &cfg.hostname {
            Some(h) => (h.value.clone(), h.line),
            None => (file_stem(file), 1),
        };
        if let Some(first) = seen.get(&hostname.to_ascii_lowercase()) {
            cv.warn(
                file,
                line,
                format!("hostname {hostname} is also the hostname in {first}; this configuration is left out"),
            );
            continue;
        }
        seen.insert(hostname.to_ascii_lowercase(), file.to_owned());
        built.push(cv.device(snap, cfg, hostname));
    }
    cv.unique_addresses(&mut built);
    cv.management_ips(&mut built);
    if let Some(bl) = &snap.interface_blacklist {
        for e in &bl.entries {
            let known = built.iter().any(|b| {
                b.device.hostname.eq_ignore_ascii_case(&e.node)
                    && b.device
                        .interfaces
                        .iter()
                        .any(|i| ifname::matches(&e.interface, &i.name))
            });
            if !known {
                cv.warn(
                    &bl.account.file,
                    e.line,
                    format!(
                        "{} {} is not an interface of a converted device; ignored",
                        e.node, e.interface
                    ),
                );
            }
        }
    }
    let host_addrs: Vec<Ipv4Net> = snap
        .hosts
        .iter()
        .flat_map(|h| h.interfaces.iter().filter_map(|i| i.prefix))
        .collect();
    let links = match &snap.layer1 {
        Some(l1) => cv.layer1_links(l1, &built, snap),
        None => cv.inferred_links(&built, &host_addrs),
    };
    let hosts = cv.hosts(snap, &built, &links);
    let network = m::Network {
        name: name.to_owned(),
        description: Some(format!(
            "Converted from the Cisco IOS snapshot {}",
            snap.dir.display()
        )),
        devices: built.into_iter().map(|b| b.device).collect(),
        links: links
            .iter()
            .map(|l| m::Link {
                a: l.a.clone(),
                b: l.b.clone(),
            })
            .collect(),
        hosts,
        ..m::Network::default()
    };
    for issue in m::validate::validate(&network) {
        cv.warnings.push(format!(
            "the converted model does not validate (a conversion bug): {issue}"
        ));
    }
    IosConversion {
        network,
        warnings: cv.warnings,
    }
}

/// A device being built, with what later steps need to know of its source.
struct Built {
    device: m::Device,
    /// The configuration file (`configs/NAME`).
    file: String,
    /// Line of `hostname` (1 when absent).
    line: usize,
    /// The line of each interface of `device.interfaces`, in the same order.
    iface_lines: Vec<usize>,
}

/// A device interface: (device index, interface index).
type Port = (usize, usize);

/// A link being built: the two ends and the device/interface indices.
struct LinkEnds {
    a: m::Endpoint,
    b: m::Endpoint,
    ends: [Port; 2],
}

struct Converter {
    warnings: Vec<String>,
}

fn file_stem(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .map_or_else(|| file.to_owned(), |s| s.to_string_lossy().into_owned())
}

fn action(a: ios::Action) -> r::PolicyAction {
    match a {
        ios::Action::Permit => r::PolicyAction::Permit,
        ios::Action::Deny => r::PolicyAction::Deny,
    }
}

/// Why an interface address is not usable in the model (the validator's
/// rule), if it is not.
fn unusable(net: Ipv4Net) -> Option<&'static str> {
    if net.prefix_len() == 0 {
        Some("it has prefix length 0")
    } else if net.prefix_len() < 31 && net.addr() == net.network() {
        Some("it is the network address of its subnet")
    } else if net.prefix_len() < 31 && net.addr() == net.broadcast() {
        Some("it is the broadcast address of its subnet")
    } else {
        None
    }
}

/// Interface speed in kbit/s from the interface type (IOS's default
/// bandwidth); none for loopbacks, tunnels and unknown types.
fn default_speed_kbps(name: &str) -> Option<u64> {
    const TABLE: &[(&str, u64)] = &[
        ("HundredGigE", 100_000_000),
        ("FortyGigabitEthernet", 40_000_000),
        ("TwentyFiveGigE", 25_000_000),
        ("TenGigabitEthernet", 10_000_000),
        ("FiveGigabitEthernet", 5_000_000),
        ("TwoGigabitEthernet", 2_500_000),
        ("GigabitEthernet", 1_000_000),
        ("FastEthernet", 100_000),
        ("Ethernet", 10_000),
    ];
    let canon = ifname::canonical(name);
    TABLE
        .iter()
        .find(|(t, _)| {
            canon
                .strip_prefix(t)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
        .map(|(_, s)| *s)
}

/// `switchport trunk allowed vlan` ranges as the model writes them.
fn allowed_vlans(ranges: &[ios::VlanRange]) -> String {
    if ranges.is_empty() {
        return "none".to_owned();
    }
    if ranges.iter().any(|v| v.first <= 1 && v.last >= 4094) {
        return "all".to_owned();
    }
    let mut out = String::new();
    for (i, v) in ranges.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if v.first == v.last {
            let _ = write!(out, "{}", v.first);
        } else {
            let _ = write!(out, "{}-{}", v.first, v.last);
        }
    }
    out
}

/// Whether a VRF name means the global table.
fn is_global_vrf(name: &str) -> bool {
    name.eq_ignore_ascii_case("default") || name.eq_ignore_ascii_case("global")
}

/// The most specific `network A W area X` statement matching `addr` (fewest
/// wildcard bits; ties: the first in the configuration).
fn ospf_network(p: &ios::OspfProcess, addr: Ipv4Addr) -> Option<&ios::OspfNetwork> {
    p.networks
        .iter()
        .filter(|n| {
            let w = u32::from(n.wildcard);
            u32::from(addr) & !w == u32::from(n.address) & !w
        })
        .min_by_key(|n| u32::from(n.wildcard).count_ones())
}

impl Converter {
    fn warn(&mut self, file: &str, line: usize, msg: impl AsRef<str>) {
        self.warnings
            .push(format!("{file}:{line}: {}", msg.as_ref()));
    }

    // ----- one device --------------------------------------------------------

    fn device(&mut self, snap: &IosSnapshot, cfg: &IosConfig, hostname: String) -> Built {
        let file = cfg.account.file.clone();
        let line = cfg.hostname.as_ref().map_or(1, |h| h.line);
        let mut b = Built {
            device: m::Device {
                hostname,
                management_ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                family: "Routers".to_owned(),
                device_type: None,
                role: "UNKNOWN".to_owned(),
                platform_id: None,
                series: None,
                software_type: Some("IOS".to_owned()),
                software_version: cfg.version.as_ref().map(|v| v.value.clone()),
                serial_number: None,
                mac_address: None,
                uptime: None,
                vendor: Some("Cisco".to_owned()),
                ip_routing: true,
                default_gateway: None,
                stp_priority: None,
                vlans: Vec::new(),
                vrfs: Vec::new(),
                interfaces: Vec::new(),
                static_routes: Vec::new(),
                ospf: None,
                acls: Vec::new(),
                routes: Vec::new(),
                bgp: None,
                route_maps: Vec::new(),
                prefix_lists: Vec::new(),
                community_lists: Vec::new(),
            },
            file,
            line,
            iface_lines: Vec::new(),
        };
        self.acls(cfg, &mut b);
        let ospf = self.ospf_process(cfg, &b.file);
        self.interfaces(snap, cfg, ospf, &mut b);
        Self::vlans(cfg, &mut b);
        self.static_routes(cfg, &mut b);
        self.prefix_lists(cfg, &mut b);
        self.community_lists(cfg, &mut b);
        self.route_maps(cfg, &mut b);
        if let Some(p) = ospf {
            b.device.ospf = Some(self.ospf(p, &mut b));
        }
        if let Some(bgp) = &cfg.bgp {
            b.device.bgp = Some(self.bgp(cfg, bgp, &mut b));
        }
        self.unmodelled_lines(cfg, &b.file);
        for e in &cfg.account.syntax_errors {
            self.warn(
                &b.file,
                e.line,
                format!("not read (syntax error: {})", e.message),
            );
        }
        // VRFs referenced by interfaces and static routes (the parser does
        // not read `vrf definition`; the model needs each one declared).
        let mut vrfs: Vec<String> = Vec::new();
        let used = b
            .device
            .interfaces
            .iter()
            .filter_map(|i| i.vrf.as_ref())
            .chain(b.device.static_routes.iter().filter_map(|s| s.vrf.as_ref()));
        for v in used {
            if !is_global_vrf(v) && !vrfs.contains(v) {
                vrfs.push(v.clone());
            }
        }
        b.device.vrfs = vrfs
            .into_iter()
            .map(|name| m::Vrf { name, rd: None })
            .collect();
        b
    }

    /// The OSPF process the model gets: the first one in the global table.
    /// Others are reported.
    fn ospf_process<'c>(&mut self, cfg: &'c IosConfig, file: &str) -> Option<&'c ios::OspfProcess> {
        let main = cfg.ospf.iter().find(|p| p.vrf.is_none());
        for p in &cfg.ospf {
            if let Some(vrf) = &p.vrf {
                self.warn(
                    file,
                    p.line,
                    format!(
                        "router ospf {} vrf {vrf}: OSPF in a VRF is not modelled (only the global process); left out",
                        p.process_id
                    ),
                );
            } else if main.is_some_and(|mp| !std::ptr::eq(mp, p)) {
                self.warn(
                    file,
                    p.line,
                    format!(
                        "router ospf {}: the model has one OSPF process per device (process {} is converted); left out",
                        p.process_id,
                        main.map_or(0, |mp| mp.process_id)
                    ),
                );
            }
        }
        main
    }

    fn interfaces(
        &mut self,
        snap: &IosSnapshot,
        cfg: &IosConfig,
        ospf: Option<&ios::OspfProcess>,
        b: &mut Built,
    ) {
        let file = b.file.clone();
        let host = b.device.hostname.clone();
        for itf in &cfg.interfaces {
            if ifname::is_null(&itf.name) {
                continue;
            }
            if let Some(k) = b
                .device
                .interfaces
                .iter()
                .position(|i| ifname::matches(&itf.name, &i.name))
            {
                let first = b.iface_lines.get(k).copied().unwrap_or(1);
                self.warn(
                    &file,
                    itf.line,
                    format!(
                        "interface {} is configured a second time (first at line {first}); this block is left out",
                        itf.name
                    ),
                );
                continue;
            }
            let kind = m::InterfaceKind::infer(&itf.name);
            if kind == m::InterfaceKind::Subinterface {
                if itf.encapsulation_dot1q.is_none() {
                    self.warn(
                        &file,
                        itf.line,
                        format!(
                            "subinterface {} has no `encapsulation dot1Q`, which the model requires; left out",
                            itf.name
                        ),
                    );
                    continue;
                }
                let parent = itf.name.split_once('.').map_or("", |(p, _)| p);
                if !cfg
                    .interfaces
                    .iter()
                    .any(|o| ifname::matches(parent, &o.name))
                {
                    self.warn(
                        &file,
                        itf.line,
                        format!(
                            "subinterface {}: its parent {parent} is not configured; left out",
                            itf.name
                        ),
                    );
                    continue;
                }
            }
            let mut out = m::Interface {
                name: itf.name.clone(),
                description: itf.description.clone(),
                ..m::Interface::default()
            };
            if itf.shutdown {
                out.admin = m::State::Down;
            }
            let blacklisted = snap.interface_blacklist.iter().any(|bl| {
                bl.entries.iter().any(|e| {
                    e.node.eq_ignore_ascii_case(&host) && ifname::matches(&e.interface, &itf.name)
                })
            });
            if blacklisted {
                out.oper = m::State::Down;
            }
            let addrs = itf
                .address
                .iter()
                .map(|a| (a, true))
                .chain(itf.secondary.iter().map(|a| (a, false)));
            for (a, primary) in addrs {
                if let Some(why) = unusable(*a) {
                    self.warn(
                        &file,
                        itf.line,
                        format!("address {a} of {} is left out: {why}", itf.name),
                    );
                    continue;
                }
                if primary {
                    out.ip = Some(IpNet::V4(*a));
                } else {
                    out.secondary.push(IpNet::V4(*a));
                }
            }
            out.mtu = itf.ip_mtu.or(itf.mtu);
            out.speed = match itf.speed {
                Some(mbps) => Some(u64::from(mbps) * 1000),
                None => default_speed_kbps(&itf.name),
            };
            out.mode = match (itf.switchport, itf.switchport_mode) {
                (Some(false), _) => Some(m::PortMode::Routed),
                (_, Some(ios::SwitchportMode::Access)) | (Some(true), None) => {
                    Some(m::PortMode::Access)
                }
                (_, Some(ios::SwitchportMode::Trunk)) => Some(m::PortMode::Trunk),
                (None, None) => None,
            };
            if kind != m::InterfaceKind::Physical && out.mode.is_some() {
                out.mode = None;
            }
            out.access_vlan = itf.access_vlan;
            out.native_vlan = itf.native_vlan;
            out.allowed_vlans = itf.trunk_allowed_vlans.as_deref().map(allowed_vlans);
            if kind == m::InterfaceKind::Subinterface {
                out.encapsulation = itf.encapsulation_dot1q;
            } else if itf.encapsulation_dot1q.is_some() {
                self.warn(
                    &file,
                    itf.line,
                    format!(
                        "encapsulation dot1Q on {} (not a subinterface) is not modelled; left out",
                        itf.name
                    ),
                );
            }
            out.vrf = itf.vrf.clone().filter(|v| !is_global_vrf(v));
            for (dir, acl) in [("in", &itf.acl_in), ("out", &itf.acl_out)] {
                let Some(name) = acl else { continue };
                if b.device.acls.iter().any(|a| a.name == *name) {
                    if dir == "in" {
                        out.acl_in = Some(name.clone());
                    } else {
                        out.acl_out = Some(name.clone());
                    }
                } else {
                    self.warn(
                        &file,
                        itf.line,
                        format!(
                            "{}: `ip access-group {name} {dir}` names an access list that is not configured (IOS then filters nothing); left out",
                            itf.name
                        ),
                    );
                }
            }
            out.ospf = self.interface_ospf(cfg, ospf, itf, &out, &file);
            b.device.interfaces.push(out);
            b.iface_lines.push(itf.line);
        }
    }

    /// The OSPF settings of one interface: `ip ospf P area A` for the
    /// modelled process, else the most specific matching `network`
    /// statement; passive and cost from the process and the interface.
    fn interface_ospf(
        &mut self,
        cfg: &IosConfig,
        ospf: Option<&ios::OspfProcess>,
        itf: &ios::Interface,
        out: &m::Interface,
        file: &str,
    ) -> Option<m::InterfaceOspf> {
        let area = match (itf.ospf_area, ospf) {
            (Some(a), Some(p)) if a.process == p.process_id => Some(a.area),
            (Some(a), _) => {
                if !cfg.ospf.iter().any(|p| p.process_id == a.process) {
                    self.warn(
                        file,
                        itf.line,
                        format!(
                            "{}: `ip ospf {} area` names an OSPF process that is not configured; left out",
                            itf.name, a.process
                        ),
                    );
                }
                None
            }
            (None, Some(p)) if out.vrf.is_none() => match out.ip {
                Some(IpNet::V4(a)) => ospf_network(p, a.addr()).map(|n| n.area),
                _ => None,
            },
            (None, _) => None,
        }?;
        let p = ospf?;
        if out.ip.is_none() {
            self.warn(
                file,
                itf.line,
                format!(
                    "{} is in OSPF area {area} but has no usable address (unnumbered interfaces are not modelled); not in OSPF",
                    itf.name
                ),
            );
            return None;
        }
        let named = |list: &[String]| list.iter().any(|n| ifname::matches(n, &itf.name));
        let passive = if p.passive_default {
            !named(&p.non_passive_interfaces)
        } else {
            named(&p.passive_interfaces)
        };
        Some(m::InterfaceOspf {
            area: m::AreaId(area),
            cost: itf.ospf_cost,
            passive,
        })
    }

    /// The VLAN database, plus the VLANs interfaces use that it lacks (VLANs
    /// learnt by VTP are not in a running configuration; the model needs
    /// each one defined).
    fn vlans(cfg: &IosConfig, b: &mut Built) {
        let mut vlans: Vec<m::Vlan> = Vec::new();
        for v in &cfg.vlans {
            if let Some(prev) = vlans.iter_mut().find(|x| x.id == v.id) {
                if v.name.is_some() {
                    prev.name.clone_from(&v.name);
                }
            } else {
                vlans.push(m::Vlan {
                    id: v.id,
                    name: v.name.clone(),
                });
            }
        }
        let mut used: Vec<u16> = Vec::new();
        for itf in &b.device.interfaces {
            used.extend(itf.access_vlan);
            used.extend(itf.native_vlan);
            if itf.kind() == m::InterfaceKind::Svi {
                used.extend(itf.svi_vlan());
            }
            if let Some(list) = &itf.allowed_vlans {
                used.extend(
                    list.split(',')
                        .filter(|x| !x.contains('-'))
                        .filter_map(|x| x.trim().parse::<u16>().ok()),
                );
            }
        }
        for id in used {
            if (2..=4094).contains(&id) && !vlans.iter().any(|v| v.id == id) {
                vlans.push(m::Vlan { id, name: None });
            }
        }
        vlans.sort_by_key(|v| v.id);
        b.device.vlans = vlans;
    }

    fn static_routes(&mut self, cfg: &IosConfig, b: &mut Built) {
        for s in &cfg.static_routes {
            let interface = match &s.next_hop_interface {
                Some(i) if ifname::is_null(i) => Some(i.clone()),
                Some(i) => {
                    if let Some(found) = b
                        .device
                        .interfaces
                        .iter()
                        .find(|x| ifname::matches(i, &x.name))
                    {
                        Some(found.name.clone())
                    } else {
                        let msg = format!(
                            "ip route {}: interface {i} is not configured; route left out",
                            s.prefix
                        );
                        self.warn(&b.file, s.line, msg);
                        continue;
                    }
                }
                None => None,
            };
            b.device.static_routes.push(m::StaticRoute {
                prefix: IpNet::V4(s.prefix),
                next_hop: s.next_hop_ip.map(IpAddr::V4),
                interface,
                distance: (s.distance != 1).then_some(s.distance),
                vrf: s.vrf.clone().filter(|v| !is_global_vrf(v)),
            });
        }
    }

    fn acls(&mut self, cfg: &IosConfig, b: &mut Built) {
        for acl in &cfg.acls {
            let kind = match acl.kind {
                ListKind::Standard => m::AclKind::Standard,
                ListKind::Extended | ListKind::Expanded => m::AclKind::Extended,
            };
            let mut entries = Vec::new();
            for e in &acl.entries {
                match m::acl::parse_entry(&e.text, kind) {
                    Ok(_) => entries.push(e.text.clone()),
                    Err(why) => self.warn(
                        &b.file,
                        e.line,
                        format!(
                            "access list {}: entry `{}` left out ({why}); the list matches differently",
                            acl.name, e.text
                        ),
                    ),
                }
            }
            b.device.acls.push(m::Acl {
                name: acl.name.clone(),
                kind: Some(kind),
                entries,
            });
        }
    }

    // ----- routing policy ----------------------------------------------------

    fn prefix_lists(&mut self, cfg: &IosConfig, b: &mut Built) {
        let mut lists: Vec<r::PrefixList> = Vec::new();
        for e in &cfg.prefix_lists {
            let idx = if let Some(i) = lists.iter().position(|l| l.name == e.name) {
                i
            } else {
                lists.push(r::PrefixList {
                    name: e.name.clone(),
                    entries: Vec::new(),
                });
                lists.len() - 1
            };
            let list = &mut lists[idx];
            // IOS numbers an entry without `seq` 5 above the last one.
            let seq = e
                .seq
                .unwrap_or_else(|| list.entries.last().map_or(5, |x| x.seq.saturating_add(5)));
            if list.entries.iter().any(|x| x.seq == seq) {
                self.warn(
                    &b.file,
                    e.line,
                    format!(
                        "ip prefix-list {}: a second entry with seq {seq}; left out",
                        e.name
                    ),
                );
                continue;
            }
            list.entries.push(r::PrefixListEntry {
                seq,
                action: action(e.action),
                prefix: IpNet::V4(e.prefix.trunc()),
                ge: e.ge,
                le: e.le,
            });
        }
        for l in &mut lists {
            l.entries.sort_by_key(|e| e.seq);
        }
        b.device.prefix_lists = lists;
    }

    fn community_lists(&mut self, cfg: &IosConfig, b: &mut Built) {
        let mut lists: Vec<r::CommunityList> = Vec::new();
        for e in &cfg.community_lists {
            let kind = if e.kind == ListKind::Standard {
                r::CommunityListKind::Standard
            } else {
                r::CommunityListKind::Expanded
            };
            let entry = r::CommunityListEntry {
                action: action(e.action),
                value: e.text.clone(),
            };
            if let Some(l) = lists.iter_mut().find(|l| l.name == e.name) {
                if l.kind == kind {
                    l.entries.push(entry);
                } else {
                    self.warn(
                        &b.file,
                        e.line,
                        format!(
                            "ip community-list {}: standard and expanded entries in one list; left out",
                            e.name
                        ),
                    );
                }
            } else {
                lists.push(r::CommunityList {
                    name: e.name.clone(),
                    kind,
                    entries: vec![entry],
                });
            }
        }
        b.device.community_lists = lists;
    }

    fn route_maps(&mut self, cfg: &IosConfig, b: &mut Built) {
        let mut maps: Vec<r::RouteMap> = Vec::new();
        for c in &cfg.route_maps {
            let idx = if let Some(i) = maps.iter().position(|x| x.name == c.name) {
                i
            } else {
                maps.push(r::RouteMap {
                    name: c.name.clone(),
                    clauses: Vec::new(),
                });
                maps.len() - 1
            };
            let mut matches = Vec::new();
            let mut never = false;
            for mt in &c.matches {
                let (names, kind) = match &mt.value {
                    ios::RouteMapMatch::IpAddressPrefixList(l) => (l, "prefix list"),
                    ios::RouteMapMatch::IpAddress(l) => (l, "access list"),
                    ios::RouteMapMatch::Community { lists, exact } => {
                        if *exact {
                            self.warn(
                                &b.file,
                                mt.line,
                                format!(
                                    "route-map {} {}: `exact-match` is not modelled; matched as a plain community match",
                                    c.name, c.seq
                                ),
                            );
                        }
                        (lists, "community list")
                    }
                };
                let exists = |n: &String| match kind {
                    "prefix list" => b.device.prefix_lists.iter().any(|l| l.name == *n),
                    "access list" => b.device.acls.iter().any(|l| l.name == *n),
                    _ => b.device.community_lists.iter().any(|l| l.name == *n),
                };
                let (known, unknown): (Vec<String>, Vec<String>) =
                    names.iter().cloned().partition(|n| exists(n));
                for n in &unknown {
                    let consequence = if kind == "community list" {
                        "it matches nothing"
                    } else {
                        "IOS lets an undefined list match everything"
                    };
                    self.warn(
                        &b.file,
                        mt.line,
                        format!(
                            "route-map {} {}: {kind} {n} is not configured ({consequence}); left out of the match",
                            c.name, c.seq
                        ),
                    );
                }
                if known.is_empty() {
                    // An undefined community list never matches: the clause
                    // cannot match; an undefined prefix list or ACL matches
                    // everything: the condition is dropped.
                    never |= kind == "community list";
                    continue;
                }
                matches.push(match &mt.value {
                    ios::RouteMapMatch::IpAddressPrefixList(_) => {
                        r::RouteMapMatch::PrefixList(known)
                    }
                    ios::RouteMapMatch::IpAddress(_) => r::RouteMapMatch::AccessList(known),
                    ios::RouteMapMatch::Community { .. } => r::RouteMapMatch::Community(known),
                });
            }
            if never {
                self.warn(
                    &b.file,
                    c.line,
                    format!(
                        "route-map {} {}: the clause can never match (only undefined community lists); left out",
                        c.name, c.seq
                    ),
                );
                continue;
            }
            let sets: Vec<r::RouteMapSet> = c
                .sets
                .iter()
                .map(|s| match &s.value {
                    ios::RouteMapSet::LocalPreference(v) => r::RouteMapSet::LocalPreference(*v),
                    ios::RouteMapSet::Metric(v) => r::RouteMapSet::Metric(*v),
                    ios::RouteMapSet::Weight(v) => r::RouteMapSet::Weight(*v),
                    ios::RouteMapSet::Community {
                        communities,
                        additive,
                    } => r::RouteMapSet::Community {
                        communities: communities.clone(),
                        additive: *additive,
                    },
                    ios::RouteMapSet::AsPathPrepend(v) => r::RouteMapSet::AsPathPrepend(v.clone()),
                })
                .collect();
            let map = &mut maps[idx];
            if let Some(prev) = map.clauses.iter_mut().find(|x| x.seq == c.seq) {
                // Entering a clause again adds to it, as IOS does.
                prev.action = action(c.action);
                prev.matches.extend(matches);
                prev.sets.extend(sets);
            } else {
                map.clauses.push(r::RouteMapClause {
                    seq: c.seq,
                    action: action(c.action),
                    matches,
                    sets,
                });
            }
        }
        for map in &mut maps {
            map.clauses.sort_by_key(|c| c.seq);
        }
        b.device.route_maps = maps;
    }

    /// A route-map reference: the name when the map exists; otherwise an
    /// empty map of that name is added (no clause: every route is denied,
    /// as IOS does for an undefined map) and the reference is reported.
    fn route_map_ref(&mut self, b: &mut Built, name: &str, line: usize, what: &str) -> String {
        if !b.device.route_maps.iter().any(|x| x.name == name) {
            self.warn(
                &b.file,
                line,
                format!(
                    "{what}: route-map {name} is not configured; an empty route-map (denying every route) stands for it"
                ),
            );
            b.device.route_maps.push(r::RouteMap {
                name: name.to_owned(),
                clauses: Vec::new(),
            });
        }
        name.to_owned()
    }

    // ----- OSPF --------------------------------------------------------------

    fn ospf(&mut self, p: &ios::OspfProcess, b: &mut Built) -> m::Ospf {
        let mut out = m::Ospf {
            router_id: p.router_id,
            reference_bandwidth: p.reference_bandwidth.map(u64::from),
            ..m::Ospf::default()
        };
        for rd in &p.redistribute {
            let source = match rd.source {
                ios::RedistributeSource::Connected => m::RouteSource::Connected,
                ios::RedistributeSource::Static => m::RouteSource::Static,
                ios::RedistributeSource::Bgp(_) => m::RouteSource::Bgp,
                ios::RedistributeSource::Ospf(n) => {
                    self.warn(
                        &b.file,
                        rd.line,
                        format!(
                            "redistribute ospf {n}: only one OSPF process is modelled; left out"
                        ),
                    );
                    continue;
                }
            };
            let route_map = rd
                .route_map
                .as_deref()
                .map(|n| self.route_map_ref(b, n, rd.line, "redistribute into OSPF"));
            out.redistribute.push(m::Redistribute {
                source,
                subnets: rd.subnets,
                metric: rd.metric,
                metric_type: rd.metric_type,
                route_map,
            });
        }
        if let Some(d) = &p.default_information {
            out.default_information_originate = Some(if d.always {
                m::DefaultOriginate::Always
            } else {
                m::DefaultOriginate::Conditional
            });
            out.default_information_metric = d.metric;
            out.default_information_metric_type = d.metric_type;
            if let Some(rm) = &d.route_map {
                self.warn(
                    &b.file,
                    d.line,
                    format!(
                        "default-information originate route-map {rm}: the model has no route-map condition here; originated without it"
                    ),
                );
            }
        }
        out
    }

    // ----- BGP ---------------------------------------------------------------

    fn bgp(&mut self, cfg: &IosConfig, bgp: &ios::BgpProcess, b: &mut Built) -> r::Bgp {
        let global = bgp.address_families.iter().find(|a| a.vrf.is_none());
        for af in bgp.address_families.iter().filter(|a| a.vrf.is_some()) {
            let vrf = af.vrf.as_deref().unwrap_or("");
            let n = bgp
                .peers
                .iter()
                .filter(|p| p.vrf.as_deref() == Some(vrf))
                .count();
            self.warn(
                &b.file,
                af.line.unwrap_or(bgp.line),
                format!(
                    "address-family ipv4 vrf {vrf}: BGP in a VRF is not modelled (global table only); left out ({n} neighbor(s), {} network(s))",
                    af.networks.len()
                ),
            );
        }
        let af_of = |name: &str| -> Option<&ios::BgpAfNeighbor> {
            global.and_then(|af| af.neighbors.iter().find(|n| n.name == name))
        };
        let group_of = |name: &str| -> Option<&ios::BgpPeer> {
            bgp.peers
                .iter()
                .find(|p| p.name == name && p.address.is_none() && p.vrf.is_none())
        };
        let mut neighbors = Vec::new();
        for peer in bgp.peers.iter().filter(|p| p.vrf.is_none()) {
            let Some(addr) = peer.address else {
                if !bgp.peer_groups.iter().any(|g| g.value == peer.name) {
                    self.warn(
                        &b.file,
                        peer.line,
                        format!(
                            "neighbor {}: neither an IPv4 address nor a peer group; left out",
                            peer.name
                        ),
                    );
                }
                continue;
            };
            let group_name = peer.peer_group.as_deref();
            if let Some(g) = group_name
                && !bgp.peer_groups.iter().any(|x| x.value == g)
            {
                self.warn(
                    &b.file,
                    peer.line,
                    format!("neighbor {}: peer group {g} is not defined", peer.name),
                );
            }
            let group = group_name.and_then(group_of);
            let Some(remote_as) = peer.remote_as.or(group.and_then(|g| g.remote_as)) else {
                self.warn(
                    &b.file,
                    peer.line,
                    format!("neighbor {}: no remote-as; left out", peer.name),
                );
                continue;
            };
            let own = af_of(&peer.name);
            let grp = group_name.and_then(af_of);
            let flag =
                |f: fn(&ios::BgpAfNeighbor) -> bool| own.is_some_and(f) || grp.is_some_and(f);
            let update_source = peer
                .update_source
                .clone()
                .or_else(|| group.and_then(|g| g.update_source.clone()));
            let update_source = match update_source {
                Some(u) => {
                    if let Some(i) = b
                        .device
                        .interfaces
                        .iter()
                        .find(|i| ifname::matches(&u, &i.name))
                    {
                        Some(i.name.clone())
                    } else {
                        self.warn(
                            &b.file,
                            peer.line,
                            format!(
                                "neighbor {}: update-source {u} is not a configured interface; left out",
                                peer.name
                            ),
                        );
                        None
                    }
                }
                None => None,
            };
            let line = own.map_or(peer.line, |a| a.line);
            let map_in = own
                .and_then(|a| a.route_map_in.clone())
                .or_else(|| grp.and_then(|a| a.route_map_in.clone()));
            let map_out = own
                .and_then(|a| a.route_map_out.clone())
                .or_else(|| grp.and_then(|a| a.route_map_out.clone()));
            let what = format!("neighbor {}", peer.name);
            let route_map_in = map_in.map(|n| self.route_map_ref(b, &n, line, &what));
            let route_map_out = map_out.map(|n| self.route_map_ref(b, &n, line, &what));
            neighbors.push(r::BgpNeighbor {
                ip: IpAddr::V4(addr),
                remote_as,
                update_source,
                next_hop_self: flag(|a| a.next_hop_self),
                route_reflector_client: flag(|a| a.route_reflector_client),
                send_community: flag(|a| a.send_community),
                route_map_in,
                route_map_out,
                ebgp_multihop: None,
                // ADD-PATH: several paths go to a neighbor that is told to
                // advertise them, when paths are selected for it and the
                // send capability is on (family-wide or for the neighbor).
                additional_paths_send: flag(|a| a.advertise_additional_paths)
                    && global.is_some_and(|af| af.additional_paths_select)
                    && (global.is_some_and(|af| af.additional_paths_send)
                        || flag(|a| a.additional_paths_send)),
                additional_paths_receive: global.is_some_and(|af| af.additional_paths_receive)
                    || flag(|a| a.additional_paths_receive),
                // IOS activates every neighbor for IPv4 unicast unless `no
                // bgp default ipv4-unicast`, which the parser does not read:
                // every neighbor is taken as active.
                shutdown: false,
                description: peer.description.clone(),
            });
        }
        let mut out = r::Bgp {
            asn: bgp.asn,
            router_id: bgp.router_id,
            neighbors,
            networks: Vec::new(),
            redistribute: Vec::new(),
            aggregates: Vec::new(),
            maximum_paths: None,
            maximum_paths_ibgp: None,
            maximum_paths_eibgp: None,
        };
        let Some(af) = global else { return out };
        for n in &af.networks {
            let route_map = n
                .route_map
                .as_deref()
                .map(|rm| self.route_map_ref(b, rm, n.line, &format!("network {}", n.prefix)));
            out.networks.push(r::BgpNetwork {
                prefix: IpNet::V4(n.prefix),
                route_map,
            });
        }
        let ospf_pid = cfg
            .ospf
            .iter()
            .find(|p| p.vrf.is_none())
            .map(|p| p.process_id);
        for rd in &af.redistribute {
            let source = match rd.source {
                ios::RedistributeSource::Connected => m::RouteSource::Connected,
                ios::RedistributeSource::Static => m::RouteSource::Static,
                ios::RedistributeSource::Ospf(pid) if Some(pid) == ospf_pid => m::RouteSource::Ospf,
                ios::RedistributeSource::Ospf(pid) => {
                    self.warn(
                        &b.file,
                        rd.line,
                        format!("redistribute ospf {pid}: not the modelled OSPF process; left out"),
                    );
                    continue;
                }
                ios::RedistributeSource::Bgp(asn) => {
                    self.warn(
                        &b.file,
                        rd.line,
                        format!("redistribute bgp {asn} into BGP is meaningless; left out"),
                    );
                    continue;
                }
            };
            if rd.metric_type.is_some() {
                self.warn(
                    &b.file,
                    rd.line,
                    "redistribute into BGP: metric-type applies to OSPF only; ignored",
                );
            }
            let route_map = rd
                .route_map
                .as_deref()
                .map(|rm| self.route_map_ref(b, rm, rd.line, "redistribute into BGP"));
            out.redistribute.push(r::BgpRedistribute {
                source,
                route_map,
                metric: rd.metric,
            });
        }
        out.aggregates = af
            .aggregates
            .iter()
            .map(|a| r::BgpAggregate {
                prefix: IpNet::V4(a.prefix),
                summary_only: a.summary_only,
                as_set: a.as_set,
            })
            .collect();
        out.maximum_paths = af.maximum_paths;
        out.maximum_paths_ibgp = af.maximum_paths_ibgp;
        out.maximum_paths_eibgp = af.maximum_paths_eibgp;
        out
    }

    /// Lines the parser did not read that change routing in a way the
    /// conversion cannot follow: each is reported.
    fn unmodelled_lines(&mut self, cfg: &IosConfig, file: &str) {
        const NEIGHBOR: &[&str] = &[
            "shutdown",
            "ebgp-multihop",
            "prefix-list",
            "distribute-list",
            "filter-list",
            "default-originate",
            "allowas-in",
            "local-as",
            "weight",
            "remove-private-as",
            "as-override",
            "unsuppress-map",
        ];
        for nu in &cfg.account.not_understood {
            let words: Vec<&str> = nu.text.split_whitespace().collect();
            let msg = if nu.feature.starts_with("router bgp/") {
                match words.as_slice() {
                    ["no", "bgp", "default", "ipv4-unicast"] => {
                        "not read: every neighbor is taken as active for IPv4 unicast"
                    }
                    ["no", "neighbor", _, "activate"] => {
                        "not read: the neighbor is taken as active"
                    }
                    ["neighbor", _, attr, ..] if NEIGHBOR.contains(attr) => {
                        "not read: the neighbor is converted without it"
                    }
                    _ => continue,
                }
            } else if nu.feature.starts_with("route-map/match")
                || nu.feature.starts_with("route-map/set")
                || nu.feature.starts_with("route-map/continue")
            {
                "not read: the route-map clause is converted without it"
            } else {
                continue;
            };
            self.warn(file, nu.line, format!("`{}`: {msg}", nu.text.trim()));
        }
    }

    // ----- across devices ----------------------------------------------------

    /// Interface addresses must be unique per VRF across the network, with
    /// one exception the model allows: a host address (/32) on several
    /// devices (an anycast or copied loopback), kept on each with a note. Any
    /// other later duplicate (in file order) is removed with a warning.
    fn unique_addresses(&mut self, built: &mut [Built]) {
        let mut owner: HashMap<(String, IpAddr), (String, String, String, usize)> = HashMap::new();
        for b in built.iter_mut() {
            for (k, itf) in b.device.interfaces.iter_mut().enumerate() {
                let line = b.iface_lines.get(k).copied().unwrap_or(1);
                let vrf = itf.vrf.clone().unwrap_or_default();
                let mut keep = |a: &IpNet, cv: &mut Converter| -> bool {
                    let key = (vrf.clone(), a.addr());
                    if let Some((host, name, file, l)) = owner.get(&key)
                        && a.prefix_len() == a.max_prefix_len()
                        && *host != b.device.hostname
                    {
                        cv.warn(
                            &b.file,
                            line,
                            format!(
                                "host address {a} of {} is also on {host} {name} ({file}:{l}); kept on both (each device accepts it; traces to it end at the nearest)",
                                itf.name
                            ),
                        );
                        true
                    } else if let Some((host, name, file, l)) = owner.get(&key) {
                        cv.warn(
                            &b.file,
                            line,
                            format!(
                                "address {a} of {} is also on {host} {name} ({file}:{l}); left out here (the model needs unique addresses)",
                                itf.name
                            ),
                        );
                        false
                    } else {
                        owner.insert(
                            key,
                            (
                                b.device.hostname.clone(),
                                itf.name.clone(),
                                b.file.clone(),
                                line,
                            ),
                        );
                        true
                    }
                };
                if let Some(ip) = itf.ip
                    && !keep(&ip, self)
                {
                    itf.ip = None;
                    itf.ospf = None;
                }
                let secondary = std::mem::take(&mut itf.secondary);
                itf.secondary = secondary.into_iter().filter(|a| keep(a, self)).collect();
            }
        }
    }

    /// Management IP: Loopback0's address, else the first interface address
    /// that no other device owns; a device without one is left out.
    fn management_ips(&mut self, built: &mut Vec<Built>) {
        let mut owners: HashMap<IpAddr, HashSet<usize>> = HashMap::new();
        for (d, b) in built.iter().enumerate() {
            for itf in &b.device.interfaces {
                for a in itf.addresses() {
                    owners.entry(a.addr()).or_default().insert(d);
                }
            }
        }
        let mut keep = vec![true; built.len()];
        for (d, b) in built.iter_mut().enumerate() {
            let lo0 = b
                .device
                .interfaces
                .iter()
                .filter(|i| ifname::matches("Loopback0", &i.name))
                .filter_map(|i| i.ip);
            let rest = b
                .device
                .interfaces
                .iter()
                .flat_map(|i| i.addresses().copied());
            let own = |a: &IpNet| {
                owners
                    .get(&a.addr())
                    .is_none_or(|o| o.len() == 1 && o.contains(&d))
            };
            if let Some(a) = lo0.chain(rest).find(|a| own(a)) {
                b.device.management_ip = a.addr();
            } else {
                self.warn(
                    &b.file,
                    b.line,
                    format!(
                        "{} has no interface address of its own to serve as its management IP; device left out",
                        b.device.hostname
                    ),
                );
                if let Some(k) = keep.get_mut(d) {
                    *k = false;
                }
            }
        }
        let mut it = keep.into_iter();
        built.retain(|_| it.next().unwrap_or(true));
    }

    /// The device and interface a name pair refers to.
    fn find_port(built: &[Built], host: &str, iface: &str) -> Option<Port> {
        let d = built
            .iter()
            .position(|b| b.device.hostname.eq_ignore_ascii_case(host))?;
        let k = built[d]
            .device
            .interfaces
            .iter()
            .position(|i| ifname::matches(iface, &i.name))?;
        Some((d, k))
    }

    fn endpoint(built: &[Built], (d, k): Port) -> m::Endpoint {
        m::Endpoint {
            device: built[d].device.hostname.clone(),
            interface: built[d].device.interfaces[k].name.clone(),
        }
    }

    /// Links from the snapshot's layer-1 topology: edges whose both ends are
    /// interfaces of converted devices (host ends attach hosts instead).
    fn layer1_links(
        &mut self,
        l1: &Layer1Topology,
        built: &[Built],
        snap: &IosSnapshot,
    ) -> Vec<LinkEnds> {
        let file = l1.account.file.clone();
        let is_host = |n: &str| {
            snap.hosts
                .iter()
                .any(|h| h.hostname.eq_ignore_ascii_case(n))
        };
        let mut links: Vec<LinkEnds> = Vec::new();
        let mut used: HashMap<Port, usize> = HashMap::new();
        for (a, b) in &l1.edges {
            if is_host(&a.hostname) || is_host(&b.hostname) {
                continue;
            }
            let (pa, pb) = (
                Self::find_port(built, &a.hostname, &a.interface),
                Self::find_port(built, &b.hostname, &b.interface),
            );
            let (Some(pa), Some(pb)) = (pa, pb) else {
                let missing = if pa.is_none() { a } else { b };
                self.warnings.push(format!(
                    "{file}: edge {}:{} - {}:{}: {}:{} is not an interface of a converted device; left out",
                    a.hostname, a.interface, b.hostname, b.interface, missing.hostname, missing.interface
                ));
                continue;
            };
            if pa == pb {
                continue;
            }
            let key = if pa < pb { (pa, pb) } else { (pb, pa) };
            if links.iter().any(|l| l.ends == [key.0, key.1]) {
                continue; // the same cable listed in both directions
            }
            let mut bad = None;
            for p in [pa, pb] {
                let itf = &built[p.0].device.interfaces[p.1];
                if itf.kind() != m::InterfaceKind::Physical {
                    bad = Some(format!("{} is not a physical port", itf.name));
                } else if let Some(other) = used.get(&p) {
                    let l: &LinkEnds = &links[*other];
                    bad = Some(format!(
                        "{}:{} is already cabled ({} - {})",
                        built[p.0].device.hostname, itf.name, l.a, l.b
                    ));
                }
            }
            if let Some(why) = bad {
                self.warnings.push(format!(
                    "{file}: edge {}:{} - {}:{}: {why}; left out",
                    a.hostname, a.interface, b.hostname, b.interface
                ));
                continue;
            }
            used.insert(key.0, links.len());
            used.insert(key.1, links.len());
            links.push(LinkEnds {
                a: Self::endpoint(built, key.0),
                b: Self::endpoint(built, key.1),
                ends: [key.0, key.1],
            });
        }
        links
    }

    /// Links inferred from shared subnets: two interfaces of different
    /// devices alone in a subnet (with no host in it) are cabled to each
    /// other (a subinterface stands for its parent port).
    fn inferred_links(&mut self, built: &[Built], hosts: &[Ipv4Net]) -> Vec<LinkEnds> {
        // (VRF, subnet) → its interfaces, in order of first appearance.
        let mut order: Vec<(String, IpNet)> = Vec::new();
        let mut groups: HashMap<(String, IpNet), Vec<Port>> = HashMap::new();
        for (d, b) in built.iter().enumerate() {
            for (k, itf) in b.device.interfaces.iter().enumerate() {
                let Some(ip) = itf.ip else { continue };
                if itf.kind() == m::InterfaceKind::Loopback
                    || ip.prefix_len() >= ip.max_prefix_len()
                {
                    continue;
                }
                let key = (itf.vrf.clone().unwrap_or_default(), ip.trunc());
                let members = groups.entry(key.clone()).or_default();
                if members.is_empty() {
                    order.push(key);
                }
                members.push((d, k));
            }
        }
        let name = |p: Port| {
            format!(
                "{} {}",
                built[p.0].device.hostname, built[p.0].device.interfaces[p.1].name
            )
        };
        let place = |p: Port| {
            let line = built[p.0].iface_lines.get(p.1).copied().unwrap_or(1);
            (built[p.0].file.clone(), line)
        };
        let mut candidates: Vec<(Port, Port, IpNet)> = Vec::new();
        for key in &order {
            let members = &groups[key];
            let subnet = key.1;
            let n_hosts = if key.0.is_empty() {
                hosts
                    .iter()
                    .filter(|h| IpNet::V4(h.trunc()) == subnet)
                    .count()
            } else {
                0
            };
            let first = members[0];
            let (file, line) = place(first);
            if members.len() + n_hosts >= 3 {
                let list: Vec<String> = members.iter().map(|p| name(*p)).collect();
                let hosts_note = if n_hosts > 0 {
                    format!(" and {n_hosts} host(s)")
                } else {
                    String::new()
                };
                self.warn(
                    &file,
                    line,
                    format!(
                        "subnet {subnet} is shared by {}{hosts_note}: the model has point-to-point links only; none inferred",
                        list.join(", ")
                    ),
                );
                continue;
            }
            let [a, b] = members.as_slice() else { continue };
            if a.0 == b.0 {
                self.warn(
                    &file,
                    line,
                    format!(
                        "subnet {subnet} is on two interfaces of {} ({} and {}); no link inferred",
                        built[a.0].device.hostname,
                        built[a.0].device.interfaces[a.1].name,
                        built[b.0].device.interfaces[b.1].name
                    ),
                );
                continue;
            }
            let port = |p: Port| -> Option<Port> {
                let itf = &built[p.0].device.interfaces[p.1];
                match itf.kind() {
                    m::InterfaceKind::Physical => Some(p),
                    m::InterfaceKind::Subinterface => {
                        let parent = itf.name.split_once('.').map_or("", |(x, _)| x);
                        built[p.0]
                            .device
                            .interfaces
                            .iter()
                            .position(|i| ifname::matches(parent, &i.name))
                            .map(|k| (p.0, k))
                    }
                    _ => None,
                }
            };
            match (port(*a), port(*b)) {
                (Some(pa), Some(pb)) => candidates.push((pa, pb, subnet)),
                _ => self.warn(
                    &file,
                    line,
                    format!(
                        "subnet {subnet} joins {} and {}, which are not physical ports; no link inferred",
                        name(*a),
                        name(*b)
                    ),
                ),
            }
        }
        // A port with two different peers (subinterfaces through a switch)
        // is not a point-to-point cable: none of its links is kept.
        let mut peers: HashMap<Port, HashSet<Port>> = HashMap::new();
        for (a, b, _) in &candidates {
            peers.entry(*a).or_default().insert(*b);
            peers.entry(*b).or_default().insert(*a);
        }
        let mut links: Vec<LinkEnds> = Vec::new();
        for (a, b, subnet) in candidates {
            let (a, b) = if a < b { (a, b) } else { (b, a) };
            if links.iter().any(|l| l.ends == [a, b]) {
                continue;
            }
            if let Some(p) = [a, b]
                .into_iter()
                .find(|p| peers.get(p).is_some_and(|x| x.len() > 1))
            {
                let (file, line) = place(p);
                self.warn(
                    &file,
                    line,
                    format!(
                        "{} shares subnets with several devices; no link inferred for {subnet}",
                        name(p)
                    ),
                );
                continue;
            }
            links.push(LinkEnds {
                a: Self::endpoint(built, a),
                b: Self::endpoint(built, b),
                ends: [a, b],
            });
        }
        links
    }

    // ----- hosts -------------------------------------------------------------

    fn hosts(&mut self, snap: &IosSnapshot, built: &[Built], links: &[LinkEnds]) -> Vec<m::Host> {
        let linked: HashSet<Port> = links.iter().flat_map(|l| l.ends).collect();
        let mut taken: HashSet<IpAddr> = built
            .iter()
            .flat_map(|b| {
                b.device
                    .interfaces
                    .iter()
                    .flat_map(|i| i.addresses().map(IpNet::addr))
            })
            .chain(built.iter().map(|b| b.device.management_ip))
            .collect();
        let mut out = Vec::new();
        for host in &snap.hosts {
            let file = host.account.file.clone();
            if host.hostname.is_empty() {
                continue; // a syntax error of the file, in its account
            }
            let (acl_in, acl_out) = self.host_acls(snap, host);
            for hi in &host.interfaces {
                let Some(prefix) = hi.prefix else {
                    self.warnings.push(format!(
                        "{file}: {} {}: no prefix; left out",
                        host.hostname, hi.name
                    ));
                    continue;
                };
                let what = format!("{} {} ({prefix})", host.hostname, hi.name);
                if let Some(why) = unusable(prefix) {
                    self.warnings
                        .push(format!("{file}: {what}: {why}; left out"));
                    continue;
                }
                if !taken.insert(IpAddr::V4(prefix.addr())) {
                    self.warnings.push(format!(
                        "{file}: {what}: the address is already used in the network; left out"
                    ));
                    continue;
                }
                let Some((d, k)) = Self::host_port(snap, built, &linked, host, hi, prefix) else {
                    self.warnings.push(format!(
                        "{file}: {what}: no device port to attach it to (a physical interface in its subnet, not cabled to another device); left out"
                    ));
                    continue;
                };
                let mut gateway = hi.gateway.map(IpAddr::V4);
                if let Some(g) = hi.gateway
                    && (!prefix.contains(&g) || g == prefix.addr())
                {
                    self.warnings.push(format!(
                        "{file}: {what}: gateway {g} is outside its subnet; left out"
                    ));
                    gateway = None;
                }
                out.push(m::Host {
                    ip: IpNet::V4(prefix),
                    name: Some(host.hostname.clone()),
                    mac: None,
                    kind: m::HostKind::Wired,
                    vlan: None,
                    gateway,
                    switch: Some(built[d].device.hostname.clone()),
                    port: Some(built[d].device.interfaces[k].name.clone()),
                    ap: None,
                    ssid: None,
                    interface: Some(hi.name.clone()),
                    acl_in: acl_in.clone(),
                    acl_out: acl_out.clone(),
                });
            }
        }
        out
    }

    /// The device port a host interface is plugged into: the layer-1 edge
    /// naming it, else a physical interface whose subnet holds the address
    /// (the one owning the gateway first), not cabled to another device.
    fn host_port(
        snap: &IosSnapshot,
        built: &[Built],
        linked: &HashSet<Port>,
        host: &IosHost,
        hi: &super::hosts::HostInterface,
        prefix: Ipv4Net,
    ) -> Option<Port> {
        let usable = |p: &Port| {
            !linked.contains(p)
                && built[p.0].device.interfaces[p.1].kind() == m::InterfaceKind::Physical
        };
        if let Some(l1) = &snap.layer1 {
            for (a, b) in &l1.edges {
                for (h, dev) in [(a, b), (b, a)] {
                    if h.hostname.eq_ignore_ascii_case(&host.hostname)
                        && h.interface == hi.name
                        && let Some(p) = Self::find_port(built, &dev.hostname, &dev.interface)
                        && usable(&p)
                    {
                        return Some(p);
                    }
                }
            }
        }
        let addr = IpAddr::V4(prefix.addr());
        let mut candidates: Vec<(Port, bool)> = Vec::new();
        for (d, b) in built.iter().enumerate() {
            for (k, itf) in b.device.interfaces.iter().enumerate() {
                if itf.vrf.is_some() {
                    continue;
                }
                let holds = itf.addresses().any(|a| a.contains(&addr));
                if holds && usable(&(d, k)) {
                    let gw = hi
                        .gateway
                        .is_some_and(|g| itf.addresses().any(|a| a.addr() == IpAddr::V4(g)));
                    candidates.push(((d, k), gw));
                }
            }
        }
        candidates
            .iter()
            .find(|c| c.1)
            .or(candidates.first())
            .map(|c| c.0)
    }

    /// A host's iptables `filter` table as two access lists: `INPUT` (what
    /// it accepts) and `OUTPUT` (what it sends).
    fn host_acls(
        &mut self,
        snap: &IosSnapshot,
        host: &IosHost,
    ) -> (Option<m::Acl>, Option<m::Acl>) {
        let Some(name) = &host.iptables_file else {
            return (None, None);
        };
        let Some(file) = snap.iptables_of(host) else {
            self.warnings.push(format!(
                "{}: iptablesFile {name} is not in the snapshot; the host filters nothing",
                host.account.file
            ));
            return (None, None);
        };
        let Some(filter) = file.filter() else {
            return (None, None);
        };
        let ifaces: Vec<&str> = host.interfaces.iter().map(|i| i.name.as_str()).collect();
        let fname = file.account.file.clone();
        (
            self.chain_acl(&fname, filter, "INPUT", &ifaces),
            self.chain_acl(&fname, filter, "OUTPUT", &ifaces),
        )
    }

    fn chain_acl(
        &mut self,
        file: &str,
        table: &IptablesTable,
        chain: &str,
        ifaces: &[&str],
    ) -> Option<m::Acl> {
        let policy = table.chains.iter().find(|c| c.name == chain);
        let rules: Vec<_> = table.rules.iter().filter(|r| r.chain == chain).collect();
        let accept = match policy {
            None => true,
            Some(p) if p.policy == "ACCEPT" => true,
            Some(p) if p.policy == "DROP" => false,
            Some(p) => {
                self.warn(
                    file,
                    p.line,
                    format!(
                        "chain {chain}: policy {} is not ACCEPT or DROP; taken as ACCEPT",
                        p.policy
                    ),
                );
                true
            }
        };
        // A chain that is declared keeps its filter even when it lets
        // everything through (Batfish reports it as PERMITTED); a chain the
        // file does not mention filters nothing.
        if rules.is_empty() && policy.is_none() {
            return None;
        }
        let mut entries = Vec::new();
        for rule in rules {
            match iptables_rule(&rule.text, chain, ifaces) {
                Ok(Some(e)) => entries.push(e),
                Ok(None) => {}
                Err(why) => self.warn(
                    file,
                    rule.line,
                    format!("iptables rule `-A {chain} {}` left out: {why}", rule.text),
                ),
            }
        }
        if accept {
            entries.push("permit ip any any".to_owned());
        }
        Some(m::Acl {
            name: format!("filter::{chain}"),
            kind: Some(m::AclKind::Extended),
            entries,
        })
    }
}

/// An iptables address (`10.0.0.0/8`, `1.2.3.4`, `10.0.0.0/255.0.0.0`) as
/// an ACL address match.
fn ipt_addr(v: &str) -> Result<String, String> {
    let (a, len) = v.split_once('/').map_or((v, None), |(a, l)| (a, Some(l)));
    let addr: Ipv4Addr = a
        .parse()
        .map_err(|_| format!("`{v}` is not an IPv4 address or prefix"))?;
    let len: u8 = match len {
        None => 32,
        Some(l) if l.contains('.') => {
            let mask = u32::from(
                l.parse::<Ipv4Addr>()
                    .map_err(|_| format!("`{l}` is not a netmask"))?,
            );
            let n = mask.leading_ones();
            if mask.checked_shl(n).unwrap_or(0) != 0 {
                return Err(format!("`{l}` is not a contiguous netmask"));
            }
            n as u8
        }
        Some(l) => l.parse().map_err(|_| format!("`{v}`: bad prefix length"))?,
    };
    let net = Ipv4Net::new(addr, len)
        .map_err(|_| format!("`{v}`: bad prefix length"))?
        .trunc();
    Ok(match len {
        0 => "any".to_owned(),
        32 => format!("host {}", net.addr()),
        _ => format!("{} {}", net.network(), net.hostmask()),
    })
}

/// An iptables port (`22`, `1024:65535`, `:1023`) as an ACL port match.
fn ipt_port(v: &str) -> Result<String, String> {
    let num = |s: &str, dflt: u16| -> Result<u16, String> {
        if s.is_empty() {
            Ok(dflt)
        } else {
            s.parse()
                .map_err(|_| format!("port `{s}` is not a number 0-65535"))
        }
    };
    match v.split_once(':') {
        None => Ok(format!("eq {}", num(v, 0)?)),
        Some((a, b)) => {
            let (a, b) = (num(a, 0)?, num(b, 65535)?);
            match a.cmp(&b) {
                std::cmp::Ordering::Greater => Err(format!("port range {v} is reversed")),
                std::cmp::Ordering::Equal => Ok(format!("eq {a}")),
                std::cmp::Ordering::Less => Ok(format!("range {a} {b}")),
            }
        }
    }
}

/// One iptables rule (what follows `-A CHAIN`) as an extended ACL entry;
/// `None` for a rule that decides nothing (`-j LOG`).
fn iptables_rule(text: &str, chain: &str, ifaces: &[&str]) -> Result<Option<String>, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut proto = "ip".to_owned();
    let (mut src, mut dst) = ("any".to_owned(), "any".to_owned());
    let (mut sport, mut dport) = (None, None);
    let mut verdict = None;
    let mut i = 0;
    let arg = |i: usize| -> Result<&str, String> {
        words
            .get(i + 1)
            .copied()
            .ok_or_else(|| format!("`{}` needs a value", words.get(i).copied().unwrap_or("")))
    };
    while let Some(&w) = words.get(i) {
        match w {
            "-p" | "--protocol" => {
                let p = arg(i)?.to_ascii_lowercase();
                proto = match p.as_str() {
                    "all" | "0" => "ip".to_owned(),
                    "6" => "tcp".to_owned(),
                    "17" => "udp".to_owned(),
                    "1" => "icmp".to_owned(),
                    _ => p,
                };
                i += 2;
            }
            "-s" | "--source" | "--src" => {
                src = ipt_addr(arg(i)?)?;
                i += 2;
            }
            "-d" | "--destination" | "--dst" => {
                dst = ipt_addr(arg(i)?)?;
                i += 2;
            }
            "--sport" | "--source-port" => {
                sport = Some(ipt_port(arg(i)?)?);
                i += 2;
            }
            "--dport" | "--destination-port" => {
                dport = Some(ipt_port(arg(i)?)?);
                i += 2;
            }
            "-m" | "--match" => {
                let module = arg(i)?;
                if !matches!(module, "tcp" | "udp" | "icmp" | "comment") {
                    return Err(format!("match module `{module}` is not translated"));
                }
                i += 2;
            }
            "--comment" => {
                // A quoted comment may span several words.
                let first = arg(i)?;
                i += 2;
                if first.starts_with('"') && !(first.len() > 1 && first.ends_with('"')) {
                    while let Some(c) = words.get(i) {
                        i += 1;
                        if c.ends_with('"') {
                            break;
                        }
                    }
                }
            }
            "-i" | "--in-interface" | "-o" | "--out-interface" => {
                let name = arg(i)?;
                let right = if w.starts_with("-i") || w == "--in-interface" {
                    "INPUT"
                } else {
                    "OUTPUT"
                };
                if !(chain == right && ifaces.len() == 1 && ifaces.contains(&name)) {
                    return Err(format!(
                        "`{w} {name}`: a rule for one interface of several is not translated"
                    ));
                }
                i += 2;
            }
            "-j" | "--jump" => {
                verdict = Some(match arg(i)? {
                    "ACCEPT" => "permit",
                    "DROP" | "REJECT" => "deny",
                    "LOG" => return Ok(None),
                    other => return Err(format!("target `{other}` is not translated")),
                });
                i += 2;
            }
            "--reject-with" => i += 2,
            other => return Err(format!("`{other}` is not translated")),
        }
    }
    let Some(verdict) = verdict else {
        return Err("no target (-j)".to_owned());
    };
    if (sport.is_some() || dport.is_some()) && proto != "tcp" && proto != "udp" {
        return Err("ports need -p tcp or -p udp".to_owned());
    }
    let mut entry = format!("{verdict} {proto} {src}");
    if let Some(p) = sport {
        let _ = write!(entry, " {p}");
    }
    let _ = write!(entry, " {dst}");
    if let Some(p) = dport {
        let _ = write!(entry, " {p}");
    }
    m::acl::parse_entry(&entry, m::AclKind::Extended)
        .map_err(|e| format!("translated to `{entry}`, which is not a valid entry: {e}"))?;
    Ok(Some(entry))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iptables_rules_translate() {
        let t = |s: &str| iptables_rule(s, "INPUT", &["eth0"]);
        assert_eq!(
            t("-p tcp --dport 22 -j ACCEPT").unwrap().as_deref(),
            Some("permit tcp any any eq 22")
        );
        assert_eq!(
            t("-p udp -m udp --dport 53 -j ACCEPT").unwrap().as_deref(),
            Some("permit udp any any eq 53")
        );
        assert_eq!(
            t("-d 2.128.0.101 -j DROP").unwrap().as_deref(),
            Some("deny ip any host 2.128.0.101")
        );
        assert_eq!(
            t("-s 10.1.2.3/8 -p tcp --sport 1024:65535 -j REJECT --reject-with tcp-reset")
                .unwrap()
                .as_deref(),
            Some("deny tcp 10.0.0.0 0.255.255.255 range 1024 65535 any")
        );
        assert_eq!(
            t("-s 0.0.0.0/0 -d 10.0.0.0/255.255.0.0 -p icmp -j ACCEPT")
                .unwrap()
                .as_deref(),
            Some("permit icmp any 10.0.0.0 0.0.255.255")
        );
        assert_eq!(
            t("-i eth0 -m comment --comment \"allow all\" -j ACCEPT")
                .unwrap()
                .as_deref(),
            Some("permit ip any any")
        );
        assert_eq!(t("-j LOG --log-prefix x").unwrap(), None);
        for bad in [
            "-m state --state ESTABLISHED -j ACCEPT",
            "! -s 1.2.3.4 -j DROP",
            "-p tcp --dport 22",
            "--dport 22 -j ACCEPT",
            "-j MYCHAIN",
            "-s 300.1.1.1 -j DROP",
            "-i eth1 -j ACCEPT",
            "-p tcp --dport 99999 -j ACCEPT",
            "-p",
        ] {
            assert!(t(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn speeds_and_vlan_lists() {
        assert_eq!(default_speed_kbps("GigabitEthernet0/0"), Some(1_000_000));
        assert_eq!(default_speed_kbps("Gi0/0.10"), Some(1_000_000));
        assert_eq!(default_speed_kbps("Ethernet0/0"), Some(10_000));
        assert_eq!(default_speed_kbps("FastEthernet0/1"), Some(100_000));
        assert_eq!(
            default_speed_kbps("TenGigabitEthernet1/1/1"),
            Some(10_000_000)
        );
        assert_eq!(default_speed_kbps("Loopback0"), None);
        assert_eq!(default_speed_kbps("Tunnel1"), None);
        let r = |first, last| ios::VlanRange { first, last };
        assert_eq!(allowed_vlans(&[r(1, 1), r(10, 20)]), "1,10-20");
        assert_eq!(allowed_vlans(&[]), "none");
        assert_eq!(allowed_vlans(&[r(1, 4094)]), "all");
    }
}
