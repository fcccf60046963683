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
use crate::types::{Device, Host, HostKind, Interface, InterfaceKind, Network, PortMode};

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
            for (k, acl) in dev.acls.iter().enumerate() {
                let kind = acl.kind();
                for (m, entry) in acl.entries.iter().enumerate() {
                    if let Err(e) = crate::acl::parse_entry(entry, kind) {
                        self.issue(format!("{p}.acls[{k}].entries[{m}]"), e);
                    }
                }
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
            if let Some(first) = self.vrf_addrs.get(&(vrf, ip)).copied() {
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
                self.vrf_addrs.insert((vrf, ip), owner);
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
