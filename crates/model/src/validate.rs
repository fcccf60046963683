//! Semantic validation of a [`Network`]: references, duplicates, ranges,
//! the syntax of ACL lines and the collected telemetry.
//!
//! [`validate`] collects *every* problem rather than stopping at the first,
//! each as an [`Issue`] naming the offending field by path
//! (`links[3].b`, `devices[2].acls[0].entries[3]`) with a message that names
//! the things involved (`no interface Gi1/0/9 on CAMPUS-Access1`). The loader
//! ([`crate::load`]) turns each path into a line of the file.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::ifname;
use crate::routing::{CommunityListKind, RouteMapMatch, RouteMapSet};
use crate::types::{
    Acl, Device, Host, HostKind, Interface, InterfaceKind, Network, PortMode, RouteSource,
};

/// One semantic problem in a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Path of the offending field, e.g. `devices[0].interfaces[1].ip`.
    pub path: String,
    /// What is wrong, naming the things involved.
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// The device roles DNA Center knows.
pub const ROLES: &[&str] = &["ACCESS", "DISTRIBUTION", "CORE", "BORDER ROUTER", "UNKNOWN"];

/// Check a network and return every problem found (empty when it is valid).
pub fn validate(net: &Network) -> Vec<Issue> {
    let mut v = Validator::new(net);
    v.devices();
    v.management_ips();
    v.links();
    v.clouds();
    v.hosts();
    v.wireless();
    v.telemetry();
    v.observed();
    v.issues
}

/// Per-device lookup tables, built once.
struct DeviceIndex<'a> {
    /// Lower-case canonical interface name → index of its first occurrence.
    ifaces: HashMap<String, usize>,
    /// VLAN ids in the VLAN database.
    vlans: HashSet<u16>,
    /// Declared VRF names.
    vrfs: HashSet<&'a str>,
    /// ACL names.
    acls: HashSet<&'a str>,
}

/// Who owns an address, for collision messages.
#[derive(Clone, Copy)]
enum Owner {
    /// Interface `iface` of device `dev`.
    Interface { dev: usize, iface: usize },
    /// The management IP of device `dev`.
    Management { dev: usize },
}

struct Validator<'a> {
    net: &'a Network,
    issues: Vec<Issue>,
    /// Hostname → index of its first occurrence.
    by_name: HashMap<&'a str, usize>,
    index: Vec<DeviceIndex<'a>>,
    /// (VRF key, address) → first interface owning it.
    vrf_addrs: HashMap<(&'a str, IpAddr), Owner>,
    /// Address → every interface owning it, in any VRF.
    all_addrs: HashMap<IpAddr, Vec<Owner>>,
    /// Management IP → first device.
    mgmt: HashMap<IpAddr, usize>,
    /// (device, interface) → what already uses it as an end ("links[3]",
    /// "cloud \"WAN\"").
    ends: HashMap<(usize, usize), String>,
}

impl<'a> Validator<'a> {
    fn new(net: &'a Network) -> Self {
        let mut v = Validator {
            net,
            issues: Vec::new(),
            by_name: HashMap::new(),
            index: Vec::with_capacity(net.devices.len()),
            vrf_addrs: HashMap::new(),
            all_addrs: HashMap::new(),
            mgmt: HashMap::new(),
            ends: HashMap::new(),
        };
        if net.name.trim().is_empty() {
            v.issue("name", "network name is empty");
        }
        for (i, dev) in net.devices.iter().enumerate() {
            v.index_device(i, dev);
        }
        v
    }

    fn issue(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.issues.push(Issue {
            path: path.into(),
            message: message.into(),
        });
    }

    // ----- lookups -------------------------------------------------------

    fn device(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The interface of device `dev` that `reference` names (abbreviations
    /// allowed); the same answer as [`ifname::matches`] over the device's
    /// interfaces.
    fn iface(&self, dev: usize, reference: &str) -> Option<usize> {
        let idx = self.index.get(dev)?;
        if let Some(k) = idx
            .ifaces
            .get(&ifname::canonical(reference).to_ascii_lowercase())
        {
            return Some(*k);
        }
        let d = self.net.devices.get(dev)?;
        d.interfaces
            .iter()
            .position(|i| ifname::matches(reference, &i.name))
    }

    fn hostname(&self, dev: usize) -> &'a str {
        self.net
            .devices
            .get(dev)
            .map_or("?", |d| d.hostname.as_str())
    }

    fn iface_name(&self, dev: usize, iface: usize) -> &'a str {
        self.net
            .devices
            .get(dev)
            .and_then(|d| d.interfaces.get(iface))
            .map_or("?", |i| i.name.as_str())
    }

    fn describe(&self, owner: Owner) -> String {
        match owner {
            Owner::Interface { dev, iface } => {
                format!("{} {}", self.hostname(dev), self.iface_name(dev, iface))
            }
            Owner::Management { dev } => format!("the management IP of {}", self.hostname(dev)),
        }
    }

    /// Resolve a device reference, reporting an unknown one at `path`.
    fn need_device(&mut self, path: &str, name: &str) -> Option<usize> {
        let d = self.device(name);
        if d.is_none() {
            self.issue(path, format!("no device {name:?}"));
        }
        d
    }

    /// Resolve an interface reference on `dev`, reporting an unknown one at `path`.
    fn need_iface(&mut self, path: &str, dev: usize, reference: &str) -> Option<usize> {
        let k = self.iface(dev, reference);
        if k.is_none() {
            let host = self.hostname(dev);
            self.issue(path, format!("no interface {reference} on {host}"));
        }
        k
    }

    fn vrf_ok(&self, dev: usize, vrf: &str) -> bool {
        is_global_vrf(vrf) || self.index.get(dev).is_some_and(|i| i.vrfs.contains(vrf))
    }

    fn check_vrf(&mut self, path: String, dev: usize, vrf: Option<&str>) {
        if let Some(vrf) = vrf
            && !self.vrf_ok(dev, vrf)
        {
            let host = self.hostname(dev);
            self.issue(path, format!("VRF {vrf:?} is not defined on {host}"));
        }
    }

    /// A VLAN id used on device `dev`: in range, and defined (VLAN 1 always is).
    fn check_vlan(&mut self, path: String, dev: usize, vlan: u16) {
        if !(1..=4094).contains(&vlan) {
            self.issue(path, format!("VLAN {vlan} is outside 1-4094"));
        } else if vlan != 1 && !self.index.get(dev).is_some_and(|i| i.vlans.contains(&vlan)) {
            let host = self.hostname(dev);
            self.issue(path, format!("VLAN {vlan} is not defined on {host}"));
        }
    }

    // ----- devices -------------------------------------------------------

    /// Build the lookup tables of one device, reporting duplicates.
    fn index_device(&mut self, i: usize, dev: &'a Device) {
        let p = format!("devices[{i}]");
        if dev.hostname.trim().is_empty() {
            self.issue(format!("{p}.hostname"), "hostname is empty");
        }
        if let Some(first) = self.by_name.get(dev.hostname.as_str()) {
            self.issue(
                format!("{p}.hostname"),
                format!(
                    "duplicate hostname {:?} (also devices[{first}])",
                    dev.hostname
                ),
            );
        } else {
            self.by_name.insert(&dev.hostname, i);
        }
        let mut idx = DeviceIndex {
            ifaces: HashMap::new(),
            vlans: HashSet::new(),
            vrfs: HashSet::new(),
            acls: HashSet::new(),
        };
        for (k, iface) in dev.interfaces.iter().enumerate() {
            let key = ifname::canonical(&iface.name).to_ascii_lowercase();
            if let Some(first) = idx.ifaces.get(&key) {
                let canon = ifname::canonical(&iface.name);
                self.issue(
                    format!("{p}.interfaces[{k}].name"),
                    format!(
                        "duplicate interface {canon} on {} (also interfaces[{first}])",
                        dev.hostname
                    ),
                );
            } else {
                idx.ifaces.insert(key, k);
            }
        }
        for (k, vlan) in dev.vlans.iter().enumerate() {
            if !(1..=4094).contains(&vlan.id) {
                self.issue(
                    format!("{p}.vlans[{k}].id"),
                    format!("VLAN {} is outside 1-4094", vlan.id),
                );
            } else if !idx.vlans.insert(vlan.id) {
                self.issue(
                    format!("{p}.vlans[{k}].id"),
                    format!("duplicate VLAN {} on {}", vlan.id, dev.hostname),
                );
            }
        }
        for (k, vrf) in dev.vrfs.iter().enumerate() {
            if vrf.name.trim().is_empty() {
                self.issue(format!("{p}.vrfs[{k}].name"), "VRF name is empty");
            } else if is_global_vrf(&vrf.name) {
                self.issue(
                    format!("{p}.vrfs[{k}].name"),
                    format!(
                        "{:?} names the global table and cannot be declared as a VRF",
                        vrf.name
                    ),
                );
            } else if !idx.vrfs.insert(&vrf.name) {
                self.issue(
                    format!("{p}.vrfs[{k}].name"),
                    format!("duplicate VRF {:?} on {}", vrf.name, dev.hostname),
                );
            }
        }
        for (k, acl) in dev.acls.iter().enumerate() {
            if acl.name.trim().is_empty() {
                self.issue(format!("{p}.acls[{k}].name"), "ACL name is empty");
            } else if !idx.acls.insert(&acl.name) {
                self.issue(
                    format!("{p}.acls[{k}].name"),
                    format!("duplicate ACL {:?} on {}", acl.name, dev.hostname),
                );
            }
        }
        self.index.push(idx);
    }

    fn devices(&mut self) {
        let net = self.net;
        for (i, dev) in net.devices.iter().enumerate() {
            let p = format!("devices[{i}]");
            if dev.family.trim().is_empty() {
                self.issue(format!("{p}.family"), "family is empty");
            }
            if !ROLES.contains(&dev.role.as_str()) {
                self.issue(
                    format!("{p}.role"),
                    format!(
                        "unknown role {:?}; expected one of {}",
                        dev.role,
                        ROLES.join(", ")
                    ),
                );
            }
            for (k, iface) in dev.interfaces.iter().enumerate() {
                self.interface(i, dev, k, iface);
            }
            self.routing(i, dev);
            self.policy(i, dev);
            for (k, acl) in dev.acls.iter().enumerate() {
                self.acl_entries(&format!("{p}.acls[{k}]"), acl);
            }
        }
    }

    fn interface(&mut self, i: usize, dev: &'a Device, k: usize, iface: &'a Interface) {
        let p = format!("devices[{i}].interfaces[{k}]");
        let host = dev.hostname.as_str();
        if iface.name.trim().is_empty() {
            self.issue(format!("{p}.name"), "interface name is empty");
        }
        let kind = iface.kind();
        if let Some(v) = iface.access_vlan {
            self.check_vlan(format!("{p}.access_vlan"), i, v);
        }
        if let Some(v) = iface.native_vlan {
            self.check_vlan(format!("{p}.native_vlan"), i, v);
        }
        if let Some(list) = &iface.allowed_vlans {
            self.allowed_vlans(&format!("{p}.allowed_vlans"), i, list);
        }
        match kind {
            InterfaceKind::Svi => match iface.svi_vlan() {
                Some(v) => {
                    let field = if iface.vlan.is_some() { "vlan" } else { "name" };
                    self.check_vlan(format!("{p}.{field}"), i, v);
                }
                None => self.issue(
                    format!("{p}.vlan"),
                    format!(
                        "SVI {} on {host} has no VLAN: name it Vlan<N> or set vlan",
                        iface.name
                    ),
                ),
            },
            _ if iface.vlan.is_some() => self.issue(
                format!("{p}.vlan"),
                format!(
                    "vlan applies to SVIs only; {} on {host} is {}",
                    iface.name,
                    kind_phrase(kind)
                ),
            ),
            _ => {}
        }
        if kind == InterfaceKind::Subinterface {
            match iface.encapsulation {
                None => self.issue(
                    format!("{p}.encapsulation"),
                    format!("subinterface {} on {host} has no encapsulation", iface.name),
                ),
                Some(tag) if !(1..=4094).contains(&tag) => {
                    self.issue(
                        format!("{p}.encapsulation"),
                        format!("VLAN {tag} is outside 1-4094"),
                    );
                }
                Some(_) => {}
            }
            let parent = iface.name.split_once('.').map_or("", |(parent, _)| parent);
            if self.iface(i, parent).is_none() {
                self.issue(
                    format!("{p}.name"),
                    format!(
                        "parent interface {parent} of {} is not on {host}",
                        iface.name
                    ),
                );
            }
        }
        self.check_vrf(format!("{p}.vrf"), i, iface.vrf.as_deref());
        let vrf = vrf_key(iface.vrf.as_deref());
        let addrs = iface.ip.iter().map(|a| (format!("{p}.ip"), a));
        let secondaries = iface
            .secondary
            .iter()
            .enumerate()
            .map(|(m, a)| (format!("{p}.secondary[{m}]"), a));
        for (path, addr) in addrs.chain(secondaries) {
            self.address_shape(&path, addr);
            let owner = Owner::Interface { dev: i, iface: k };
            let ip = addr.addr();
            let anycast = |first: &Owner| {
                addr.prefix_len() == addr.max_prefix_len()
                    && matches!(first, Owner::Interface { dev, .. } if *dev != i)
            };
            if let Some(first) = self.vrf_addrs.get(&(vrf, ip)).copied()
                && !anycast(&first)
            {
                let in_vrf = if vrf.is_empty() {
                    String::new()
                } else {
                    format!(" in VRF {vrf}")
                };
                let by = self.describe(first);
                self.issue(
                    path,
                    format!("address {ip}{in_vrf} is already used by {by}"),
                );
            } else {
                self.vrf_addrs.entry((vrf, ip)).or_insert(owner);
            }
            self.all_addrs.entry(ip).or_default().push(owner);
        }
        for (field, acl) in [("acl_in", &iface.acl_in), ("acl_out", &iface.acl_out)] {
            if let Some(name) = acl
                && !self
                    .index
                    .get(i)
                    .is_some_and(|x| x.acls.contains(name.as_str()))
            {
                self.issue(format!("{p}.{field}"), format!("no ACL {name:?} on {host}"));
            }
        }
        if let Some(ospf) = &iface.ospf {
            if iface.ip.is_none() {
                self.issue(
                    format!("{p}.ospf"),
                    format!(
                        "OSPF is enabled on {} of {host} but it has no IP address",
                        iface.name
                    ),
                );
            }
            if ospf.cost == Some(0) {
                self.issue(format!("{p}.ospf.cost"), "OSPF cost must be at least 1");
            }
        }
    }

    /// `all`, `none`, or a comma list of `N` and `A-B`.
    fn allowed_vlans(&mut self, path: &str, dev: usize, list: &str) {
        let t = list.trim();
        if t.eq_ignore_ascii_case("all") || t.eq_ignore_ascii_case("none") {
            return;
        }
        for item in t.split(',') {
            let item = item.trim();
            let bad = || {
                format!(
                    "invalid allowed_vlans entry {item:?}; expected \"all\", \"none\" or a list such as \"1,10-20\""
                )
            };
            match item.split_once('-') {
                None => match item.parse::<u16>() {
                    Ok(v) => self.check_vlan(path.to_string(), dev, v),
                    Err(_) => self.issue(path, bad()),
                },
                Some((a, b)) => match (a.trim().parse::<u16>(), b.trim().parse::<u16>()) {
                    (Ok(a), Ok(b)) => {
                        for v in [a, b] {
                            if !(1..=4094).contains(&v) {
                                self.issue(path, format!("VLAN {v} is outside 1-4094"));
                            }
                        }
                        if a > b {
                            self.issue(
                                path,
                                format!("VLAN range {a}-{b} is empty (start above end)"),
                            );
                        }
                    }
                    _ => self.issue(path, bad()),
                },
            }
        }
    }

    /// An interface or host address must be usable: not the network or
    /// broadcast address of its IPv4 subnet, and with a real prefix length.
    fn address_shape(&mut self, path: &str, addr: &IpNet) {
        if addr.prefix_len() == 0 {
            self.issue(
                path,
                format!("{addr} has prefix length 0; give the subnet mask, e.g. /24"),
            );
        } else if let IpNet::V4(v4) = addr
            && v4.prefix_len() < 31
        {
            if v4.addr() == v4.network() {
                self.issue(path, format!("{addr} is the network address of its subnet"));
            } else if v4.addr() == v4.broadcast() {
                self.issue(
                    path,
                    format!("{addr} is the broadcast address of its subnet"),
                );
            }
        }
    }

    /// A prefix must have no host bits set.
    fn host_bits(&mut self, path: String, what: &str, prefix: &IpNet) {
        let trunc = prefix.trunc();
        if trunc != *prefix {
            self.issue(
                path,
                format!("{what} {prefix} has host bits set; did you mean {trunc}?"),
            );
        }
    }

    fn routing(&mut self, i: usize, dev: &'a Device) {
        let p = format!("devices[{i}]");
        let host = dev.hostname.as_str();
        for (k, route) in dev.static_routes.iter().enumerate() {
            let rp = format!("{p}.static_routes[{k}]");
            self.host_bits(format!("{rp}.prefix"), "prefix", &route.prefix);
            if route.next_hop.is_none() && route.interface.is_none() {
                self.issue(
                    rp.clone(),
                    format!(
                        "static route to {} has neither next_hop nor interface",
                        route.prefix
                    ),
                );
            }
            if let Some(nh) = route.next_hop
                && nh.is_ipv4() != route.prefix.addr().is_ipv4()
            {
                self.issue(
                    format!("{rp}.next_hop"),
                    format!(
                        "next hop {nh} and prefix {} are of different address families",
                        route.prefix
                    ),
                );
            }
            if let Some(name) = &route.interface
                && !ifname::is_null(name)
            {
                self.need_iface(&format!("{rp}.interface"), i, name);
            }
            if route.distance == Some(0) {
                self.issue(
                    format!("{rp}.distance"),
                    "administrative distance must be 1-255",
                );
            }
            self.check_vrf(format!("{rp}.vrf"), i, route.vrf.as_deref());
        }
        for (k, route) in dev.routes.iter().enumerate() {
            let rp = format!("{p}.routes[{k}]");
            self.host_bits(format!("{rp}.prefix"), "prefix", &route.prefix);
            self.check_vrf(format!("{rp}.vrf"), i, route.vrf.as_deref());
            for (m, nh) in route.next_hops.iter().enumerate() {
                if let Some(name) = &nh.interface
                    && !ifname::is_null(name)
                {
                    self.need_iface(&format!("{rp}.next_hops[{m}].interface"), i, name);
                }
            }
        }
        if let Some(ospf) = &dev.ospf {
            if ospf.reference_bandwidth == Some(0) {
                self.issue(
                    format!("{p}.ospf.reference_bandwidth"),
                    "reference bandwidth must be at least 1",
                );
            }
            let mut seen = HashSet::new();
            for (k, area) in ospf.areas.iter().enumerate() {
                if !seen.insert(area.id) {
                    self.issue(
                        format!("{p}.ospf.areas[{k}].id"),
                        format!("duplicate OSPF area {} on {host}", area.id),
                    );
                }
                for (m, range) in area.ranges.iter().enumerate() {
                    self.host_bits(format!("{p}.ospf.areas[{k}].ranges[{m}]"), "range", range);
                }
            }
        }
    }

    /// Management IPs: unique among devices, and not another device's
    /// interface address (a device's own is normal).
    fn management_ips(&mut self) {
        let net = self.net;
        for (i, dev) in net.devices.iter().enumerate() {
            let path = format!("devices[{i}].management_ip");
            let ip = dev.management_ip;
            if let Some(first) = self.mgmt.get(&ip).copied() {
                let other = self.hostname(first);
                self.issue(
                    path,
                    format!("management IP {ip} is also the management IP of {other}"),
                );
                continue;
            }
            self.mgmt.insert(ip, i);
            let foreign = self
                .all_addrs
                .get(&ip)
                .and_then(|owners| {
                    owners
                        .iter()
                        .find(|o| !matches!(o, Owner::Interface { dev, .. } if *dev == i))
                })
                .copied();
            if let Some(owner) = foreign {
                let by = self.describe(owner);
                self.issue(path, format!("management IP {ip} is already used by {by}"));
            }
        }
    }

    // ----- links, hosts, wireless, clouds --------------------------------

    fn links(&mut self) {
        let net = self.net;
        for (i, link) in net.links.iter().enumerate() {
            let mut resolved = [None, None];
            for (slot, (side, end)) in [("a", &link.a), ("b", &link.b)].into_iter().enumerate() {
                let path = format!("links[{i}].{side}");
                let Some(dev) = self.need_device(&path, &end.device) else {
                    continue;
                };
                let Some(k) = self.need_iface(&path, dev, &end.interface) else {
                    continue;
                };
                if let Some(r) = resolved.get_mut(slot) {
                    *r = Some((dev, k));
                }
                self.physical(&path, dev, k);
            }
            if let [Some(a), Some(b)] = resolved
                && a == b
            {
                let (dev, k) = a;
                self.issue(
                    format!("links[{i}]"),
                    format!(
                        "link connects {} on {} to itself",
                        self.iface_name(dev, k),
                        self.hostname(dev)
                    ),
                );
                self.claim(&format!("links[{i}].a"), a, format!("links[{i}]"));
                continue;
            }
            for (side, end) in ["a", "b"].into_iter().zip(resolved) {
                if let Some(end) = end {
                    self.claim(&format!("links[{i}].{side}"), end, format!("links[{i}]"));
                }
            }
        }
    }

    /// Report a non-physical interface used where a port is needed.
    fn physical(&mut self, path: &str, dev: usize, k: usize) {
        let Some(iface) = self.net.devices.get(dev).and_then(|d| d.interfaces.get(k)) else {
            return;
        };
        let kind = iface.kind();
        if kind != InterfaceKind::Physical {
            let host = self.hostname(dev);
            self.issue(
                path,
                format!(
                    "{} on {host} is {}, not a physical interface",
                    iface.name,
                    kind_phrase(kind)
                ),
            );
        }
    }

    /// Record that `user` (a link or cloud) ends on interface `end`,
    /// reporting an interface that something else already uses.
    fn claim(&mut self, path: &str, end: (usize, usize), user: String) {
        if let Some(first) = self.ends.get(&end) {
            let (dev, k) = end;
            let msg = format!(
                "{} on {} is already an end of {first}",
                self.iface_name(dev, k),
                self.hostname(dev)
            );
            self.issue(path, msg);
        } else {
            self.ends.insert(end, user);
        }
    }

    fn hosts(&mut self) {
        let net = self.net;
        let mut seen: HashMap<IpAddr, usize> = HashMap::new();
        for (i, host) in net.hosts.iter().enumerate() {
            let p = format!("hosts[{i}]");
            let ip = host.ip.addr();
            for (field, acl) in [("acl_in", &host.acl_in), ("acl_out", &host.acl_out)] {
                if let Some(acl) = acl {
                    self.acl_entries(&format!("{p}.{field}"), acl);
                }
            }
            self.address_shape(&format!("{p}.ip"), &host.ip);
            if let Some(first) = seen.get(&ip) {
                self.issue(
                    format!("{p}.ip"),
                    format!("address {ip} is already used by hosts[{first}]"),
                );
            } else {
                seen.insert(ip, i);
                let owner = self
                    .all_addrs
                    .get(&ip)
                    .and_then(|o| o.first().copied())
                    .or_else(|| self.mgmt.get(&ip).map(|d| Owner::Management { dev: *d }));
                if let Some(owner) = owner {
                    let by = self.describe(owner);
                    self.issue(
                        format!("{p}.ip"),
                        format!("address {ip} is already used by {by}"),
                    );
                }
            }
            match host.kind {
                HostKind::Wired => self.wired_host(&p, host),
                HostKind::Wireless => self.wireless_host(&p, host),
            }
            if let Some(gw) = host.gateway {
                if gw == ip {
                    self.issue(
                        format!("{p}.gateway"),
                        format!("gateway {gw} is the host's own address"),
                    );
                } else if !host.ip.contains(&gw) {
                    self.issue(
                        format!("{p}.gateway"),
                        format!(
                            "gateway {gw} is outside the host's subnet {}",
                            host.ip.trunc()
                        ),
                    );
                }
            }
            if let Some(v) = host.vlan
                && !(1..=4094).contains(&v)
            {
                self.issue(format!("{p}.vlan"), format!("VLAN {v} is outside 1-4094"));
            }
        }
    }

    fn wired_host(&mut self, p: &str, host: &Host) {
        let ip = host.ip.addr();
        for (field, value) in [("ap", &host.ap), ("ssid", &host.ssid)] {
            if value.is_some() {
                self.issue(
                    format!("{p}.{field}"),
                    format!("{field} applies to wireless hosts only (set kind: wireless)"),
                );
            }
        }
        let (Some(switch), Some(port)) = (&host.switch, &host.port) else {
            if host.switch.is_none() {
                self.issue(
                    format!("{p}.switch"),
                    format!("wired host {ip} needs a switch"),
                );
            }
            if host.port.is_none() {
                self.issue(format!("{p}.port"), format!("wired host {ip} needs a port"));
            }
            return;
        };
        let Some(dev) = self.need_device(&format!("{p}.switch"), switch) else {
            return;
        };
        let path = format!("{p}.port");
        let Some(k) = self.need_iface(&path, dev, port) else {
            return;
        };
        let Some(iface) = self.net.devices.get(dev).and_then(|d| d.interfaces.get(k)) else {
            return;
        };
        let hostname = self.hostname(dev);
        if let Some(user) = self.ends.get(&(dev, k)) {
            let msg = format!("{} on {hostname} is also an end of {user}", iface.name);
            self.issue(path, msg);
            return;
        }
        let kind = iface.kind();
        if kind != InterfaceKind::Physical {
            self.issue(
                path,
                format!(
                    "{} on {hostname} is {}, not a physical port",
                    iface.name,
                    kind_phrase(kind)
                ),
            );
            return;
        }
        if iface.port_mode() == PortMode::Access {
            let access = iface.access_vlan.unwrap_or(1);
            if let Some(v) = host.vlan
                && v != access
            {
                self.issue(
                    format!("{p}.vlan"),
                    format!(
                        "host VLAN {v} differs from access VLAN {access} of {} on {hostname}",
                        iface.name
                    ),
                );
            }
        }
    }

    fn wireless_host(&mut self, p: &str, host: &Host) {
        let ip = host.ip.addr();
        for (field, value) in [("switch", &host.switch), ("port", &host.port)] {
            if value.is_some() {
                self.issue(
                    format!("{p}.{field}"),
                    format!("{field} applies to wired hosts only"),
                );
            }
        }
        if host.ap.is_none() {
            self.issue(format!("{p}.ap"), format!("wireless host {ip} needs an ap"));
        }
        if host.ssid.is_none() {
            self.issue(
                format!("{p}.ssid"),
                format!("wireless host {ip} needs an ssid"),
            );
        }
        let Some(ap_name) = &host.ap else { return };
        let wireless = &self.net.wireless;
        let Some(ap) = wireless.aps.iter().find(|a| a.device == *ap_name) else {
            self.issue(
                format!("{p}.ap"),
                format!("{ap_name} is not an access point in wireless.aps"),
            );
            return;
        };
        let Some(ssid_name) = &host.ssid else { return };
        // An AP whose controller is unknown is reported under wireless.aps.
        let Some(ctrl) = wireless
            .controllers
            .iter()
            .find(|c| c.device == ap.controller)
        else {
            return;
        };
        match ctrl.ssids.iter().find(|s| s.name == *ssid_name) {
            None => self.issue(
                format!("{p}.ssid"),
                format!(
                    "SSID {ssid_name:?} is not served by {}, the controller of {ap_name}",
                    ctrl.device
                ),
            ),
            Some(ssid) => {
                if let Some(v) = host.vlan
                    && v != ssid.vlan
                {
                    self.issue(
                        format!("{p}.vlan"),
                        format!(
                            "host VLAN {v} differs from VLAN {} of SSID {ssid_name:?}",
                            ssid.vlan
                        ),
                    );
                }
            }
        }
    }

    fn wireless(&mut self) {
        let net = self.net;
        let mut controllers = HashSet::new();
        for (i, ctrl) in net.wireless.controllers.iter().enumerate() {
            let p = format!("wireless.controllers[{i}]");
            if !controllers.insert(ctrl.device.as_str()) {
                self.issue(
                    format!("{p}.device"),
                    format!("controller {} is listed twice", ctrl.device),
                );
                continue;
            }
            let dev = self.need_device(&format!("{p}.device"), &ctrl.device);
            let mut names = HashSet::new();
            for (k, ssid) in ctrl.ssids.iter().enumerate() {
                if !names.insert(ssid.name.as_str()) {
                    self.issue(
                        format!("{p}.ssids[{k}].name"),
                        format!("duplicate SSID {:?} on {}", ssid.name, ctrl.device),
                    );
                }
                let vp = format!("{p}.ssids[{k}].vlan");
                if !(1..=4094).contains(&ssid.vlan) {
                    self.issue(vp, format!("VLAN {} is outside 1-4094", ssid.vlan));
                    continue;
                }
                let Some(d) = dev.and_then(|d| net.devices.get(d)) else {
                    continue;
                };
                let has_dynamic = d.interfaces.iter().any(|iface| {
                    iface.kind() == InterfaceKind::Svi && iface.svi_vlan() == Some(ssid.vlan)
                });
                if !has_dynamic {
                    self.issue(
                        vp,
                        format!(
                            "no dynamic interface for VLAN {} on {}",
                            ssid.vlan, ctrl.device
                        ),
                    );
                }
            }
        }
        let mut aps = HashSet::new();
        for (i, ap) in net.wireless.aps.iter().enumerate() {
            let p = format!("wireless.aps[{i}]");
            if !aps.insert(ap.device.as_str()) {
                self.issue(
                    format!("{p}.device"),
                    format!("access point {} is listed twice", ap.device),
                );
                continue;
            }
            self.need_device(&format!("{p}.device"), &ap.device);
            if !controllers.contains(ap.controller.as_str()) {
                self.issue(
                    format!("{p}.controller"),
                    format!(
                        "{} is not a controller in wireless.controllers",
                        ap.controller
                    ),
                );
            }
        }
    }

    fn clouds(&mut self) {
        let net = self.net;
        let mut names = HashSet::new();
        for (i, cloud) in net.clouds.iter().enumerate() {
            let p = format!("clouds[{i}]");
            if cloud.name.trim().is_empty() {
                self.issue(format!("{p}.name"), "cloud name is empty");
            } else if !names.insert(cloud.name.as_str()) {
                self.issue(
                    format!("{p}.name"),
                    format!("duplicate cloud name {:?}", cloud.name),
                );
            }
            for (k, att) in cloud.attachments.iter().enumerate() {
                let ap = format!("{p}.attachments[{k}]");
                for (m, prefix) in att.prefixes.iter().enumerate() {
                    self.host_bits(format!("{ap}.prefixes[{m}]"), "prefix", prefix);
                }
                let Some(dev) = self.need_device(&format!("{ap}.device"), &att.device) else {
                    continue;
                };
                let path = format!("{ap}.interface");
                let Some(iface) = self.need_iface(&path, dev, &att.interface) else {
                    continue;
                };
                self.claim(&path, (dev, iface), format!("cloud {:?}", cloud.name));
            }
        }
    }
}

impl Validator<'_> {
    // ----- observed state --------------------------------------------------

    /// Each observed device names a device of the network, once.
    fn observed(&mut self) {
        let mut seen: HashSet<&str> = HashSet::new();
        let net = self.net;
        for (i, d) in net.observed.devices.iter().enumerate() {
            let p = format!("observed.devices[{i}].hostname");
            if self.need_device(&p, &d.hostname).is_some() && !seen.insert(d.hostname.as_str()) {
                self.issue(
                    p,
                    format!("device {:?} has observed state twice", d.hostname),
                );
            }
        }
    }

    // ----- telemetry -----------------------------------------------------

    /// A collection time: epoch milliseconds, after 1973 (a smaller value
    /// is almost certainly seconds).
    fn collected_at(&mut self, path: String, t: i64) {
        if t <= 0 {
            self.issue(
                path,
                format!("collection time {t} is not a time; give epoch milliseconds"),
            );
        } else if t < 100_000_000_000 {
            self.issue(
                path,
                format!("collection time {t} looks like seconds; give epoch milliseconds ({t}000)"),
            );
        }
    }

    /// A device reference of a telemetry record and, optionally, an
    /// interface on it; returns the interface index when both resolve.
    fn telemetry_target(
        &mut self,
        p: &str,
        device: &str,
        interface: Option<&str>,
    ) -> Option<(usize, Option<usize>)> {
        let dev = self.need_device(&format!("{p}.device"), device)?;
        match interface {
            None => Some((dev, None)),
            Some(name) => {
                let k = self.need_iface(&format!("{p}.interface"), dev, name)?;
                Some((dev, Some(k)))
            }
        }
    }

    fn percent(&mut self, path: String, what: &str, value: f64) {
        if !value.is_finite() || !(0.0..=100.0).contains(&value) {
            self.issue(path, format!("{what} {value} is not a percentage (0-100)"));
        }
    }

    fn telemetry(&mut self) {
        let t = &self.net.telemetry;
        let mut seen: HashSet<(usize, Option<usize>, u8, i64)> = HashSet::new();
        for (i, s) in t.devices.iter().enumerate() {
            let p = format!("telemetry.devices[{i}]");
            self.collected_at(format!("{p}.collected_at"), s.collected_at);
            if let Some(key) = self.telemetry_target(&p, &s.device, None)
                && !seen.insert((key.0, None, 0, s.collected_at))
            {
                self.issue(
                    format!("{p}.collected_at"),
                    format!(
                        "a second sample of {} collected at {}",
                        s.device, s.collected_at
                    ),
                );
            }
            if s.cpu.is_none() && s.memory.is_none() {
                self.issue(
                    p.clone(),
                    format!("sample of {} has neither cpu nor memory", s.device),
                );
            }
            if let Some(cpu) = s.cpu {
                for (field, value) in [
                    ("five_seconds", cpu.five_seconds),
                    ("one_minute", cpu.one_minute),
                    ("five_minutes", cpu.five_minutes),
                ] {
                    self.percent(format!("{p}.cpu.{field}"), "CPU", value);
                }
            }
            if let Some(mem) = s.memory {
                if mem.total == 0 {
                    self.issue(format!("{p}.memory.total"), "total memory is 0");
                } else if mem.used > mem.total {
                    self.issue(
                        format!("{p}.memory.used"),
                        format!(
                            "memory in use ({}) exceeds total memory ({})",
                            mem.used, mem.total
                        ),
                    );
                }
            }
        }
        for (i, s) in t.interfaces.iter().enumerate() {
            let p = format!("telemetry.interfaces[{i}]");
            self.collected_at(format!("{p}.collected_at"), s.collected_at);
            if let Some((dev, k)) = self.telemetry_target(&p, &s.device, Some(&s.interface))
                && !seen.insert((dev, k, 1, s.collected_at))
            {
                self.issue(
                    format!("{p}.collected_at"),
                    format!(
                        "a second sample of {} {} collected at {}",
                        s.device, s.interface, s.collected_at
                    ),
                );
            }
        }
        for (i, s) in t.qos.iter().enumerate() {
            let p = format!("telemetry.qos[{i}]");
            self.collected_at(format!("{p}.collected_at"), s.collected_at);
            let dir = 2 + s.direction as u8;
            if let Some((dev, k)) = self.telemetry_target(&p, &s.device, Some(&s.interface))
                && !seen.insert((dev, k, dir, s.collected_at))
            {
                self.issue(
                    format!("{p}.collected_at"),
                    format!(
                        "a second {} sample of {} {} collected at {}",
                        s.direction.as_str(),
                        s.device,
                        s.interface,
                        s.collected_at
                    ),
                );
            }
            if s.classes.is_empty() {
                self.issue(format!("{p}.classes"), "no class maps in the sample");
            }
            let mut names = HashSet::new();
            for (k, c) in s.classes.iter().enumerate() {
                if c.class_map.trim().is_empty() {
                    self.issue(
                        format!("{p}.classes[{k}].class_map"),
                        "class-map name is empty",
                    );
                } else if !names.insert(c.class_map.as_str()) {
                    self.issue(
                        format!("{p}.classes[{k}].class_map"),
                        format!("duplicate class map {:?} in the sample", c.class_map),
                    );
                }
            }
        }
        for (i, r) in t.flows.iter().enumerate() {
            let p = format!("telemetry.flows[{i}]");
            self.collected_at(format!("{p}.collected_at"), r.collected_at);
            if let Some((dev, _)) = self.telemetry_target(&p, &r.device, None) {
                for (field, name) in [
                    ("input_interface", &r.input_interface),
                    ("output_interface", &r.output_interface),
                ] {
                    if let Some(name) = name {
                        self.need_iface(&format!("{p}.{field}"), dev, name);
                    }
                }
            }
            if r.src.is_ipv4() != r.dst.is_ipv4() {
                self.issue(
                    format!("{p}.dst"),
                    format!(
                        "source {} and destination {} are of different address families",
                        r.src, r.dst
                    ),
                );
            }
            match r.protocol_number() {
                None => self.issue(
                    format!("{p}.protocol"),
                    format!(
                        "unknown protocol {:?}; expected tcp, udp, icmp or a number 0-255",
                        r.protocol
                    ),
                ),
                Some(6 | 17) => {}
                Some(_) => {
                    for (field, port) in [("src_port", r.src_port), ("dst_port", r.dst_port)] {
                        if port.is_some() {
                            self.issue(
                                format!("{p}.{field}"),
                                format!("ports apply to tcp and udp only, not {}", r.protocol),
                            );
                        }
                    }
                }
            }
            if let Some(pct) = r.packet_loss_percentage {
                self.percent(format!("{p}.packet_loss_percentage"), "packet loss", pct);
            }
            if let Some(dscp) = r.dscp
                && dscp > 63
            {
                self.issue(format!("{p}.dscp"), format!("DSCP {dscp} is outside 0-63"));
            }
            if let (Some(min), Some(mean), Some(max)) =
                (r.rtp_jitter_min, r.rtp_jitter_mean, r.rtp_jitter_max)
                && !(min <= mean && mean <= max)
            {
                self.issue(
                    format!("{p}.rtp_jitter_mean"),
                    format!("RTP jitter min {min}, mean {mean}, max {max} are out of order"),
                );
            }
        }
    }
}

impl<'a> Validator<'a> {
    // ----- access lists and routing policy ---------------------------------

    /// Every entry of an access list parses (`PATH.entries[N]`).
    fn acl_entries(&mut self, path: &str, acl: &Acl) {
        let kind = acl.kind();
        for (m, entry) in acl.entries.iter().enumerate() {
            if let Err(e) = crate::acl::parse_entry(entry, kind) {
                self.issue(format!("{path}.entries[{m}]"), e);
            }
        }
    }

    /// A route-map reference at `path` names a route-map of the device.
    fn route_map_ref(&mut self, path: String, names: &HashSet<&str>, name: &str, host: &str) {
        if !names.contains(name) {
            self.issue(path, format!("no route-map {name:?} on {host}"));
        }
    }

    /// Names of one kind of list on a device: empty names and duplicates
    /// are reported; the set of names is returned.
    fn list_names<'n>(
        &mut self,
        path: &str,
        what: &str,
        host: &str,
        names: impl Iterator<Item = &'n str>,
    ) -> HashSet<&'n str> {
        let mut set = HashSet::new();
        for (k, name) in names.enumerate() {
            if name.trim().is_empty() {
                self.issue(format!("{path}[{k}].name"), format!("{what} name is empty"));
            } else if !set.insert(name) {
                self.issue(
                    format!("{path}[{k}].name"),
                    format!("duplicate {what} {name:?} on {host}"),
                );
            }
        }
        set
    }

    /// BGP, route-maps, prefix lists and community lists of device `i`.
    fn policy(&mut self, i: usize, dev: &'a Device) {
        let p = format!("devices[{i}]");
        let host = dev.hostname.as_str();
        let maps = self.list_names(
            &format!("{p}.route_maps"),
            "route-map",
            host,
            dev.route_maps.iter().map(|m| m.name.as_str()),
        );
        let prefix_lists = self.list_names(
            &format!("{p}.prefix_lists"),
            "prefix list",
            host,
            dev.prefix_lists.iter().map(|l| l.name.as_str()),
        );
        let community_lists = self.list_names(
            &format!("{p}.community_lists"),
            "community list",
            host,
            dev.community_lists.iter().map(|l| l.name.as_str()),
        );
        let acls: HashSet<&str> = dev.acls.iter().map(|a| a.name.as_str()).collect();
        for (k, map) in dev.route_maps.iter().enumerate() {
            let mp = format!("{p}.route_maps[{k}]");
            let mut seqs = HashSet::new();
            for (c, clause) in map.clauses.iter().enumerate() {
                let cp = format!("{mp}.clauses[{c}]");
                if !seqs.insert(clause.seq) {
                    self.issue(
                        format!("{cp}.seq"),
                        format!(
                            "duplicate sequence number {} in route-map {:?}",
                            clause.seq, map.name
                        ),
                    );
                }
                for (n, m) in clause.matches.iter().enumerate() {
                    let (key, what, known, names) = match m {
                        RouteMapMatch::PrefixList(l) => {
                            ("prefix_list", "prefix list", &prefix_lists, l)
                        }
                        RouteMapMatch::AccessList(l) => ("access_list", "ACL", &acls, l),
                        RouteMapMatch::Community(l) => {
                            ("community", "community list", &community_lists, l)
                        }
                    };
                    let path = format!("{cp}.match[{n}].{key}");
                    if names.is_empty() {
                        self.issue(path.clone(), format!("{key} names no list"));
                    }
                    for (j, name) in names.iter().enumerate() {
                        if !known.contains(name.as_str()) {
                            self.issue(
                                format!("{path}[{j}]"),
                                format!("no {what} {name:?} on {host}"),
                            );
                        }
                    }
                }
                for (n, set) in clause.sets.iter().enumerate() {
                    let sp = format!("{cp}.set[{n}]");
                    match set {
                        RouteMapSet::MetricType(t) if !matches!(t, 1 | 2) => self.issue(
                            format!("{sp}.metric_type"),
                            format!("metric type {t} is not 1 or 2"),
                        ),
                        RouteMapSet::Community { communities, .. } => {
                            for (j, c) in communities.iter().enumerate() {
                                if !is_community(c) {
                                    self.issue(
                                        format!("{sp}.community.communities[{j}]"),
                                        format!(
                                            "{c:?} is not a community (AA:NN, a 32-bit number, internet, no-export, no-advertise, local-AS or gshut)"
                                        ),
                                    );
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        for (k, list) in dev.prefix_lists.iter().enumerate() {
            let lp = format!("{p}.prefix_lists[{k}]");
            let mut seqs = HashSet::new();
            for (m, e) in list.entries.iter().enumerate() {
                let ep = format!("{lp}.entries[{m}]");
                if !seqs.insert(e.seq) {
                    self.issue(
                        format!("{ep}.seq"),
                        format!(
                            "duplicate sequence number {} in prefix list {:?}",
                            e.seq, list.name
                        ),
                    );
                }
                self.host_bits(format!("{ep}.prefix"), "prefix", &e.prefix);
                let len = e.prefix.prefix_len();
                let max = e.prefix.max_prefix_len();
                for (field, v) in [("ge", e.ge), ("le", e.le)] {
                    if let Some(v) = v
                        && !(len..=max).contains(&v)
                    {
                        self.issue(
                            format!("{ep}.{field}"),
                            format!(
                                "{field} {v} is outside {len}-{max} (the prefix length of {} to {max})",
                                e.prefix
                            ),
                        );
                    }
                }
                if let (Some(ge), Some(le)) = (e.ge, e.le)
                    && ge > le
                {
                    self.issue(format!("{ep}.le"), format!("le {le} is less than ge {ge}"));
                }
            }
        }
        for (k, list) in dev.community_lists.iter().enumerate() {
            if list.kind != CommunityListKind::Standard {
                continue;
            }
            for (m, e) in list.entries.iter().enumerate() {
                let bad: Vec<&str> = e
                    .value
                    .split_whitespace()
                    .filter(|c| !is_community(c))
                    .collect();
                if e.value.trim().is_empty() || !bad.is_empty() {
                    self.issue(
                        format!("{p}.community_lists[{k}].entries[{m}].value"),
                        format!(
                            "{:?} is not a list of communities (AA:NN, a 32-bit number, internet, no-export, no-advertise, local-AS or gshut)",
                            e.value
                        ),
                    );
                }
            }
        }
        if let Some(ospf) = &dev.ospf {
            for (k, r) in ospf.redistribute.iter().enumerate() {
                let rp = format!("{p}.ospf.redistribute[{k}]");
                if r.source == RouteSource::Ospf {
                    self.issue(format!("{rp}.source"), "OSPF cannot redistribute OSPF");
                }
                if let Some(t) = r.metric_type
                    && !matches!(t, 1 | 2)
                {
                    self.issue(
                        format!("{rp}.metric_type"),
                        format!("metric type {t} is not 1 or 2"),
                    );
                }
                if let Some(rm) = &r.route_map {
                    self.route_map_ref(format!("{rp}.route_map"), &maps, rm, host);
                }
            }
            if let Some(t) = ospf.default_information_metric_type
                && !matches!(t, 1 | 2)
            {
                self.issue(
                    format!("{p}.ospf.default_information_metric_type"),
                    format!("metric type {t} is not 1 or 2"),
                );
            }
        }
        let Some(bgp) = &dev.bgp else { return };
        let bp = format!("{p}.bgp");
        if bgp.asn == 0 {
            self.issue(format!("{bp}.asn"), "AS number 0 is reserved");
        }
        for (field, v) in [
            ("maximum_paths", bgp.maximum_paths),
            ("maximum_paths_ibgp", bgp.maximum_paths_ibgp),
            ("maximum_paths_eibgp", bgp.maximum_paths_eibgp),
        ] {
            if v == Some(0) {
                self.issue(format!("{bp}.{field}"), "maximum paths must be at least 1");
            }
        }
        let mut peers: HashMap<IpAddr, usize> = HashMap::new();
        for (k, n) in bgp.neighbors.iter().enumerate() {
            let np = format!("{bp}.neighbors[{k}]");
            if let Some(first) = peers.insert(n.ip, k) {
                self.issue(
                    format!("{np}.ip"),
                    format!(
                        "neighbor {} is listed twice (also neighbors[{first}])",
                        n.ip
                    ),
                );
            }
            if n.remote_as == 0 {
                self.issue(format!("{np}.remote_as"), "AS number 0 is reserved");
            }
            if n.ebgp_multihop == Some(0) {
                self.issue(format!("{np}.ebgp_multihop"), "ebgp_multihop must be 1-255");
            }
            if let Some(src) = &n.update_source {
                self.need_iface(&format!("{np}.update_source"), i, src);
            }
            for (field, rm) in [
                ("route_map_in", &n.route_map_in),
                ("route_map_out", &n.route_map_out),
            ] {
                if let Some(rm) = rm {
                    self.route_map_ref(format!("{np}.{field}"), &maps, rm, host);
                }
            }
        }
        for (k, n) in bgp.networks.iter().enumerate() {
            let np = format!("{bp}.networks[{k}]");
            self.host_bits(format!("{np}.prefix"), "prefix", &n.prefix);
            if let Some(rm) = &n.route_map {
                self.route_map_ref(format!("{np}.route_map"), &maps, rm, host);
            }
        }
        for (k, r) in bgp.redistribute.iter().enumerate() {
            let rp = format!("{bp}.redistribute[{k}]");
            if r.source == RouteSource::Bgp {
                self.issue(format!("{rp}.source"), "BGP cannot redistribute BGP");
            }
            if let Some(rm) = &r.route_map {
                self.route_map_ref(format!("{rp}.route_map"), &maps, rm, host);
            }
        }
        for (k, a) in bgp.aggregates.iter().enumerate() {
            self.host_bits(format!("{bp}.aggregates[{k}].prefix"), "prefix", &a.prefix);
        }
    }
}

/// A BGP community as IOS writes it: `AA:NN` (two 16-bit numbers), a
/// 32-bit number, or a well-known name.
fn is_community(s: &str) -> bool {
    if matches!(
        s,
        "internet" | "no-export" | "no-advertise" | "local-AS" | "local-as" | "gshut"
    ) {
        return true;
    }
    match s.split_once(':') {
        Some((a, b)) => a.parse::<u16>().is_ok() && b.parse::<u16>().is_ok(),
        None => s.parse::<u32>().is_ok(),
    }
}

/// Whether a VRF name means the global table.
fn is_global_vrf(name: &str) -> bool {
    name.eq_ignore_ascii_case("default") || name.eq_ignore_ascii_case("global")
}

/// The key of a VRF for address collisions: "" for the global table.
fn vrf_key(vrf: Option<&str>) -> &str {
    match vrf {
        Some(v) if !is_global_vrf(v) => v,
        _ => "",
    }
}

fn kind_phrase(kind: InterfaceKind) -> &'static str {
    match kind {
        InterfaceKind::Physical => "a physical interface",
        InterfaceKind::Svi => "an SVI",
        InterfaceKind::Subinterface => "a subinterface",
        InterfaceKind::Loopback => "a loopback",
        InterfaceKind::Tunnel => "a tunnel",
    }
}

#[cfg(test)]
mod tests {
    //! The checks of BGP, routing policy and host filters, each on a small
    //! model that is valid but for one change.

    const BASE: &str = r#"
name: t
devices:
  - hostname: R1
    management_ip: 10.0.0.1
    family: Routers
    interfaces:
      - name: Loopback0
        ip: 10.0.0.1/32
      - name: GigabitEthernet0/0
        ip: 10.1.1.1/24
    ospf:
      redistribute:
        - connected
        - source: static
          metric_type: 1
          route_map: RM
      default_information_originate: always
      default_information_metric_type: 2
    acls:
      - name: A1
        entries: [permit ip any any]
    prefix_lists:
      - name: PL
        entries:
          - { seq: 5, action: permit, prefix: 10.0.0.0/8, ge: 16, le: 24 }
          - { seq: 10, action: deny, prefix: 0.0.0.0/0, le: 32 }
    community_lists:
      - name: CL
        kind: standard
        entries:
          - { action: permit, value: "65000:1 no-export" }
      - name: CX
        kind: expanded
        entries:
          - { action: permit, value: "_1:" }
    route_maps:
      - name: RM
        clauses:
          - seq: 10
            action: permit
            match:
              - prefix_list: [PL]
              - access_list: [A1]
              - community: [CL, CX]
            set:
              - local_preference: 200
              - community: { communities: ["1:2", no-export], additive: true }
              - metric_type: 1
          - seq: 20
            action: deny
    bgp:
      asn: 65000
      neighbors:
        - ip: 10.1.1.2
          remote_as: 65001
          update_source: Lo0
          route_map_in: RM
          route_map_out: RM
      networks:
        - { prefix: 10.0.0.0/8, route_map: RM }
      redistribute:
        - { source: static, route_map: RM }
        - { source: ospf }
      aggregates:
        - { prefix: 10.0.0.0/8, summary_only: true }
      maximum_paths: 4
hosts:
  - ip: 10.1.1.10/24
    switch: R1
    port: GigabitEthernet0/0
    acl_in: { name: "filter::INPUT", entries: [permit tcp any any eq 22] }
    acl_out: { name: "filter::OUTPUT", entries: [permit ip any any] }
"#;

    /// Load `BASE` with `from` replaced by `to` (exactly once): the
    /// diagnostics as (field, message), each with a line.
    fn issues(from: &str, to: &str) -> Vec<(String, String)> {
        assert_eq!(BASE.matches(from).count(), 1, "{from:?} must occur once");
        let text = BASE.replacen(from, to, 1);
        match crate::load_str(&text, "t.yaml") {
            Ok(_) => Vec::new(),
            Err(e) => e
                .diagnostics
                .into_iter()
                .map(|d| {
                    assert!(d.line.is_some(), "no line for {d}");
                    (d.field, d.message)
                })
                .collect(),
        }
    }

    #[track_caller]
    fn one(from: &str, to: &str, field: &str, message: &str) {
        assert_eq!(
            issues(from, to),
            vec![(field.to_owned(), message.to_owned())]
        );
    }

    #[test]
    fn the_base_model_is_valid() {
        assert_eq!(issues("name: t", "name: t"), Vec::new());
    }

    #[test]
    fn update_source_names_an_interface() {
        one(
            "update_source: Lo0",
            "update_source: Loopback9",
            "devices[0].bgp.neighbors[0].update_source",
            "no interface Loopback9 on R1",
        );
    }

    #[test]
    fn route_map_references_resolve() {
        one(
            "route_map_in: RM",
            "route_map_in: NOPE",
            "devices[0].bgp.neighbors[0].route_map_in",
            "no route-map \"NOPE\" on R1",
        );
        one(
            "route_map_out: RM",
            "route_map_out: NOPE",
            "devices[0].bgp.neighbors[0].route_map_out",
            "no route-map \"NOPE\" on R1",
        );
        one(
            "{ prefix: 10.0.0.0/8, route_map: RM }",
            "{ prefix: 10.0.0.0/8, route_map: X }",
            "devices[0].bgp.networks[0].route_map",
            "no route-map \"X\" on R1",
        );
        one(
            "{ source: static, route_map: RM }",
            "{ source: static, route_map: X }",
            "devices[0].bgp.redistribute[0].route_map",
            "no route-map \"X\" on R1",
        );
        one(
            "          metric_type: 1\n          route_map: RM",
            "          metric_type: 1\n          route_map: X",
            "devices[0].ospf.redistribute[1].route_map",
            "no route-map \"X\" on R1",
        );
    }

    #[test]
    fn route_map_matches_name_existing_lists() {
        one(
            "prefix_list: [PL]",
            "prefix_list: [PL, PX]",
            "devices[0].route_maps[0].clauses[0].match[0].prefix_list[1]",
            "no prefix list \"PX\" on R1",
        );
        one(
            "access_list: [A1]",
            "access_list: [A2]",
            "devices[0].route_maps[0].clauses[0].match[1].access_list[0]",
            "no ACL \"A2\" on R1",
        );
        one(
            "community: [CL, CX]",
            "community: [CL, CY]",
            "devices[0].route_maps[0].clauses[0].match[2].community[1]",
            "no community list \"CY\" on R1",
        );
        one(
            "access_list: [A1]",
            "access_list: []",
            "devices[0].route_maps[0].clauses[0].match[1].access_list",
            "access_list names no list",
        );
    }

    #[test]
    fn prefix_list_lengths() {
        one(
            "ge: 16, le: 24",
            "ge: 16, le: 33",
            "devices[0].prefix_lists[0].entries[0].le",
            "le 33 is outside 8-32 (the prefix length of 10.0.0.0/8 to 32)",
        );
        one(
            "ge: 16, le: 24",
            "ge: 4",
            "devices[0].prefix_lists[0].entries[0].ge",
            "ge 4 is outside 8-32 (the prefix length of 10.0.0.0/8 to 32)",
        );
        one(
            "ge: 16, le: 24",
            "ge: 24, le: 16",
            "devices[0].prefix_lists[0].entries[0].le",
            "le 16 is less than ge 24",
        );
        one(
            "prefix: 10.0.0.0/8, ge",
            "prefix: 10.0.0.1/8, ge",
            "devices[0].prefix_lists[0].entries[0].prefix",
            "prefix 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?",
        );
    }

    #[test]
    fn duplicate_sequence_numbers() {
        one(
            "{ seq: 10, action: deny",
            "{ seq: 5, action: deny",
            "devices[0].prefix_lists[0].entries[1].seq",
            "duplicate sequence number 5 in prefix list \"PL\"",
        );
        one(
            "- seq: 20",
            "- seq: 10",
            "devices[0].route_maps[0].clauses[1].seq",
            "duplicate sequence number 10 in route-map \"RM\"",
        );
    }

    #[test]
    fn duplicate_list_names() {
        assert_eq!(
            issues("- name: CX", "- name: CL"),
            vec![
                (
                    "devices[0].community_lists[1].name".to_owned(),
                    "duplicate community list \"CL\" on R1".to_owned()
                ),
                (
                    "devices[0].route_maps[0].clauses[0].match[2].community[1]".to_owned(),
                    "no community list \"CX\" on R1".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn metric_types_are_1_or_2() {
        one(
            "          metric_type: 1\n          route_map: RM",
            "          metric_type: 3\n          route_map: RM",
            "devices[0].ospf.redistribute[1].metric_type",
            "metric type 3 is not 1 or 2",
        );
        one(
            "default_information_metric_type: 2",
            "default_information_metric_type: 0",
            "devices[0].ospf.default_information_metric_type",
            "metric type 0 is not 1 or 2",
        );
        one(
            "- metric_type: 1",
            "- metric_type: 5",
            "devices[0].route_maps[0].clauses[0].set[2].metric_type",
            "metric type 5 is not 1 or 2",
        );
    }

    #[test]
    fn communities_are_checked() {
        one(
            "\"65000:1 no-export\"",
            "\"65000:1 70000:1\"",
            "devices[0].community_lists[0].entries[0].value",
            "\"65000:1 70000:1\" is not a list of communities (AA:NN, a 32-bit number, internet, no-export, no-advertise, local-AS or gshut)",
        );
        one(
            "[\"1:2\", no-export]",
            "[\"1:2\", nope]",
            "devices[0].route_maps[0].clauses[0].set[1].community.communities[1]",
            "\"nope\" is not a community (AA:NN, a 32-bit number, internet, no-export, no-advertise, local-AS or gshut)",
        );
    }

    #[test]
    fn bgp_numbers_and_neighbors() {
        one(
            "asn: 65000",
            "asn: 0",
            "devices[0].bgp.asn",
            "AS number 0 is reserved",
        );
        one(
            "maximum_paths: 4",
            "maximum_paths: 0",
            "devices[0].bgp.maximum_paths",
            "maximum paths must be at least 1",
        );
        one(
            "          remote_as: 65001\n",
            "          remote_as: 65001\n          ebgp_multihop: 0\n",
            "devices[0].bgp.neighbors[0].ebgp_multihop",
            "ebgp_multihop must be 1-255",
        );
        one(
            "      networks:",
            "        - { ip: 10.1.1.2, remote_as: 1 }\n      networks:",
            "devices[0].bgp.neighbors[1].ip",
            "neighbor 10.1.1.2 is listed twice (also neighbors[0])",
        );
        one(
            "{ source: ospf }",
            "{ source: bgp }",
            "devices[0].bgp.redistribute[1].source",
            "BGP cannot redistribute BGP",
        );
        one(
            "        - connected\n",
            "        - ospf\n",
            "devices[0].ospf.redistribute[0].source",
            "OSPF cannot redistribute OSPF",
        );
    }

    #[test]
    fn host_filters_parse() {
        one(
            "[permit tcp any any eq 22]",
            "[permit tcp any any eqq 22]",
            "hosts[0].acl_in.entries[0]",
            "unexpected \"eqq\" at end of entry",
        );
        one(
            "OUTPUT\", entries: [permit ip any any]",
            "OUTPUT\", entries: [allow ip any any]",
            "hosts[0].acl_out.entries[0]",
            "expected \"permit\", \"deny\" or \"remark\", got \"allow\"",
        );
    }
}
