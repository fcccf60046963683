//! Conversion of a [`Snapshot`] into the model ([`Network`]).
//!
//! What converts: devices with their inventory facts, interfaces (addresses,
//! VRF, SVI VLAN, subinterface tag, MTU, speed, MAC, state), VLAN databases,
//! VRFs, links from LLDP where both ends are known, and each device's
//! observed route tables per VRF with every ECMP next hop. What the model
//! cannot hold is left out and reported in [`Conversion::warnings`] (one
//! line per kind of omission, with counts and examples); docs/import.md
//! lists it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::IpAddr;

use ipnet::IpNet;
use pathtrace_model::{
    Device, Endpoint, Interface, InterfaceKind, Link, Network, NextHop, ObservedRoute, State, Vlan,
    Vrf, ifname,
};

use super::Snapshot;
use super::rows::{InterfaceRow, RouteRow};

/// A converted network and what was left out.
#[derive(Debug, Clone)]
pub struct Conversion {
    /// The network (named after the namespace).
    pub network: Network,
    /// Omissions, one line per kind (sorted), e.g.
    /// `duplicate address (kept on the first device): 3 (10.0.0.1 on leaf02 Vlan10, …)`.
    pub warnings: Vec<String>,
}

/// Collects omissions by kind: a count and up to three examples each.
#[derive(Default)]
pub(crate) struct Warnings(BTreeMap<&'static str, (usize, Vec<String>)>);

impl Warnings {
    pub(crate) fn add(&mut self, kind: &'static str, example: String) {
        let e = self.0.entry(kind).or_default();
        e.0 += 1;
        if e.1.len() < 3 {
            e.1.push(example);
        }
    }
    pub(crate) fn lines(self) -> Vec<String> {
        self.0
            .into_iter()
            .map(|(k, (n, ex))| {
                format!(
                    "{k}: {n} ({}{})",
                    ex.join(", "),
                    if n > ex.len() { ", …" } else { "" }
                )
            })
            .collect()
    }
}

fn is_default_vrf(v: &str) -> bool {
    v.is_empty() || v.eq_ignore_ascii_case("default") || v.eq_ignore_ascii_case("global")
}

/// DNA Center style names for SuzieQ's `os`: (software type, family).
fn os_facts(os: &str) -> (&'static str, &'static str) {
    let os = os.to_ascii_lowercase();
    match os.as_str() {
        "ios" => ("IOS", "Routers"),
        "iosxe" => ("IOS-XE", "Switches and Hubs"),
        "iosxr" => ("IOS-XR", "Routers"),
        "nxos" => ("NX-OS", "Switches and Hubs"),
        "eos" => ("EOS", "Switches and Hubs"),
        "cumulus" => ("Cumulus Linux", "Switches and Hubs"),
        "sonic" => ("SONiC", "Switches and Hubs"),
        "panos" => ("PAN-OS", "Firewalls"),
        "linux" | "ubuntu" | "debian" | "centos" => ("Linux", "Servers"),
        o if o.starts_with("junos-mx") || o.starts_with("junos-vmx") => ("Junos", "Routers"),
        o if o.starts_with("junos") => ("Junos", "Switches and Hubs"),
        _ => ("", "Unknown"),
    }
}

/// `21 days, 3:04:05.00` from boot and poll times.
fn uptime(boot_s: Option<f64>, poll_ms: i64) -> Option<String> {
    let boot = boot_s.filter(|b| *b > 0.0)?;
    let secs = (poll_ms as f64 / 1000.0 - boot).max(0.0) as u64;
    let (d, h, m, s) = (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    Some(format!("{d} days, {h}:{m:02}:{s:02}.00"))
}

/// The model kind for a SuzieQ interface, and a subinterface's tag.
fn kind_of(row: &InterfaceRow, names: &HashSet<&str>) -> (InterfaceKind, Option<u16>) {
    let t = row.kind.to_ascii_lowercase();
    let lname = row.ifname.to_ascii_lowercase();
    if t == "loopback"
        || (lname.starts_with("lo")
            && InterfaceKind::infer(&row.ifname) != InterfaceKind::Physical
            && t != "vlan")
    {
        return (InterfaceKind::Loopback, None);
    }
    match t.as_str() {
        "vlan" if (1..=4094).contains(&row.vlan) && !row.ifname.contains('.') => {
            (InterfaceKind::Svi, None)
        }
        "tunnel" | "gre" | "vxlan" => (InterfaceKind::Tunnel, None),
        _ => {
            if let Some((parent, unit)) = row.ifname.rsplit_once('.') {
                let tag = if (1..=4094).contains(&row.vlan) {
                    Some(row.vlan as u16)
                } else {
                    unit.parse::<u16>().ok().filter(|v| (1..=4094).contains(v))
                };
                if let (Some(tag), true) = (tag, names.contains(parent)) {
                    return (InterfaceKind::Subinterface, Some(tag));
                }
            }
            (InterfaceKind::Physical, None)
        }
    }
}

fn state(s: &str) -> State {
    if s.eq_ignore_ascii_case("up") {
        State::Up
    } else {
        State::Down
    }
}

/// Convert a snapshot into a model network named after its namespace.
///
/// The result is meant to pass [`pathtrace_model::validate::validate`]:
/// whatever would break it (an address already used in the same VRF, a
/// route next hop through an interface the interfaces table lacks, an LLDP
/// end that is not a known port) is left out and reported as a warning.
pub fn convert(s: &Snapshot) -> Conversion {
    let mut w = Warnings::default();
    let mut ifs_by_host: BTreeMap<&str, Vec<&InterfaceRow>> = BTreeMap::new();
    for i in &s.interfaces {
        ifs_by_host
            .entry(i.meta.hostname.as_str())
            .or_default()
            .push(i);
    }
    let mut routes_by_host: BTreeMap<&str, Vec<&RouteRow>> = BTreeMap::new();
    for r in &s.routes {
        routes_by_host
            .entry(r.meta.hostname.as_str())
            .or_default()
            .push(r);
    }
    // Addresses already used: (VRF, address) → "host ifname" (first wins, in hostname order).
    let mut used: HashMap<(String, IpAddr), String> = HashMap::new();
    let mut all_addrs: HashMap<IpAddr, String> = HashMap::new();
    let mut devices = Vec::new();
    for d in &s.devices {
        let host = d.meta.hostname.as_str();
        let rows = ifs_by_host.get(host).cloned().unwrap_or_default();
        let names: HashSet<&str> = rows.iter().map(|r| r.ifname.as_str()).collect();
        // VRFs: those the routes name, and `vrf`-type interfaces (Cumulus).
        let mut vrfs: BTreeSet<String> = routes_by_host
            .get(host)
            .into_iter()
            .flatten()
            .map(|r| r.vrf.clone())
            .collect();
        vrfs.extend(
            rows.iter()
                .filter(|r| r.kind == "vrf")
                .map(|r| r.ifname.clone()),
        );
        vrfs.retain(|v| !is_default_vrf(v));
        let mut vlans: BTreeMap<u16, Option<String>> = BTreeMap::new();
        for v in s.vlans.iter().filter(|v| v.meta.hostname == host) {
            if (2..=4094).contains(&v.vlan) {
                vlans.insert(v.vlan as u16, (!v.name.is_empty()).then(|| v.name.clone()));
            }
        }
        let mut interfaces = Vec::new();
        for r in &rows {
            if r.kind == "internal" {
                w.add(
                    "Junos internal interface not converted",
                    format!("{host} {}", r.ifname),
                );
                continue;
            }
            let (kind, tag) = kind_of(r, &names);
            let vrf =
                (!is_default_vrf(&r.master) && vrfs.contains(&r.master)).then(|| r.master.clone());
            let vrf_key = vrf.clone().unwrap_or_default();
            let mut addrs: Vec<IpNet> = Vec::new();
            for a in r.ip_addresses.iter().chain(&r.ip6_addresses) {
                let Ok(net) = a.parse::<IpNet>() else {
                    w.add(
                        "unparsable interface address",
                        format!("{host} {} {a:?}", r.ifname),
                    );
                    continue;
                };
                let ip = net.addr();
                if let IpAddr::V6(v6) = ip
                    && v6.segments()[0] & 0xffc0 == 0xfe80
                {
                    continue; // link-local: not routable, not modelled
                }
                let bad = net.prefix_len() == 0
                    || (net.prefix_len() < net.max_prefix_len().saturating_sub(1)
                        && (ip == net.network() || ip == net.broadcast()));
                if bad {
                    w.add(
                        "interface address invalid in the model",
                        format!("{host} {} {a}", r.ifname),
                    );
                    continue;
                }
                let here = format!("{host} {}", r.ifname);
                if let Some(first) = used.get(&(vrf_key.clone(), ip)) {
                    w.add(
                        "address already used in the VRF (anycast/duplicate; kept on the first device only)",
                        format!("{ip} on {here}, kept on {first}"),
                    );
                    continue;
                }
                used.insert((vrf_key.clone(), ip), here.clone());
                all_addrs.entry(ip).or_insert(here);
                addrs.push(net);
            }
            let svi_vlan = (kind == InterfaceKind::Svi).then_some(r.vlan as u16);
            if let Some(v) = svi_vlan {
                vlans.entry(v).or_insert(None);
            }
            let mac = (!r.macaddr.is_empty() && r.macaddr != "00:00:00:00:00:00")
                .then(|| r.macaddr.clone());
            interfaces.push(Interface {
                name: r.ifname.clone(),
                kind: Some(kind),
                description: (!r.description.is_empty()).then(|| r.description.clone()),
                admin: state(&r.admin_state),
                oper: state(&r.state),
                vlan: svi_vlan,
                encapsulation: tag,
                ip: addrs.first().copied(),
                secondary: addrs.iter().skip(1).copied().collect(),
                vrf,
                mtu: r.mtu.map(|m| u32::try_from(m).unwrap_or(u32::MAX)),
                speed: r.speed.filter(|s| *s > 0).map(|s| s.saturating_mul(1000)),
                mac_address: mac,
                ..Interface::default()
            });
        }
        let (software_type, family) = os_facts(&d.os);
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        devices.push((
            Device {
                hostname: host.to_string(),
                management_ip: IpAddr::from([0, 0, 0, 0]), // set below
                family: family.to_string(),
                device_type: opt(&d.model),
                role: "UNKNOWN".to_string(),
                platform_id: opt(&d.model),
                series: None,
                software_type: opt(software_type),
                software_version: opt(&d.version),
                serial_number: opt(&d.serial_number),
                mac_address: None,
                uptime: uptime(d.bootup_timestamp, d.meta.timestamp),
                vendor: opt(&d.vendor),
                ip_routing: true,
                default_gateway: None,
                stp_priority: None,
                vlans: vlans
                    .into_iter()
                    .map(|(id, name)| Vlan { id, name })
                    .collect(),
                vrfs: vrfs
                    .into_iter()
                    .map(|name| Vrf { name, rd: None })
                    .collect(),
                interfaces,
                static_routes: Vec::new(),
                ospf: None,
                acls: Vec::new(),
                routes: Vec::new(),
                bgp: None,
                route_maps: Vec::new(),
                prefix_lists: Vec::new(),
                community_lists: Vec::new(),
            },
            d.address.clone(),
        ));
    }
    // Management addresses: the polled address when it is an IP no other
    // device owns, else the device's first loopback address, else its first address.
    let mut mgmt_used = HashSet::new();
    let mut network_devices = Vec::new();
    for (mut dev, polled) in devices {
        let own = |ip: &IpAddr| {
            dev.interfaces
                .iter()
                .any(|i| i.addresses().any(|a| a.addr() == *ip))
        };
        let polled_ip = polled
            .parse::<IpAddr>()
            .ok()
            .filter(|ip| own(ip) || !all_addrs.contains_key(ip));
        let lo = dev
            .interfaces
            .iter()
            .filter(|i| i.kind == Some(InterfaceKind::Loopback) && i.vrf.is_none())
            .find_map(|i| i.ip.map(|a| a.addr()));
        let any = dev.interfaces.iter().find_map(|i| i.ip.map(|a| a.addr()));
        match polled_ip
            .or(lo)
            .or(any)
            .filter(|ip| !mgmt_used.contains(ip))
        {
            Some(ip) => {
                mgmt_used.insert(ip);
                dev.management_ip = ip;
                network_devices.push(dev);
            }
            None => w.add(
                "device without a usable management address not converted",
                dev.hostname.clone(),
            ),
        }
    }
    // Observed routes.
    for dev in &mut network_devices {
        let Some(rows) = routes_by_host.get(dev.hostname.as_str()) else {
            continue;
        };
        let names: HashSet<String> = dev.interfaces.iter().map(|i| i.name.clone()).collect();
        for r in rows {
            if r.protocol == "access-internal" || r.action == "multirecv" {
                continue;
            }
            let Ok(net) = r.prefix.parse::<IpNet>() else {
                w.add(
                    "unparsable route prefix",
                    format!("{} {}", dev.hostname, r.prefix),
                );
                continue;
            };
            let prefix = net.trunc();
            let action = r.action.to_ascii_lowercase();
            let mut discard = matches!(
                action.as_str(),
                "blackhole" | "drop" | "reject" | "discard" | "null"
            );
            let mut next_hops = Vec::new();
            for k in 0..r.nexthop_ips.len().max(r.oifs.len()) {
                let ip = r
                    .nexthop_ips
                    .get(k)
                    .and_then(|s| s.parse::<IpAddr>().ok())
                    .filter(|ip| !ip.is_unspecified());
                let mut interface = r.oifs.get(k).filter(|o| !o.is_empty()).cloned();
                if let Some(o) = &interface {
                    if ifname::is_null(o) {
                        discard = true;
                        continue;
                    }
                    if !names.contains(o) {
                        w.add("route next-hop interface not in the interfaces table (interface dropped)", format!("{} {} via {o}", dev.hostname, r.prefix));
                        interface = None;
                    }
                }
                if ip.is_some() || interface.is_some() {
                    next_hops.push(NextHop { ip, interface });
                }
            }
            if discard {
                next_hops.clear();
            }
            dev.routes.push(ObservedRoute {
                vrf: (!is_default_vrf(&r.vrf)).then(|| r.vrf.clone()),
                prefix,
                protocol: r.protocol.clone(),
                next_hops,
                discard,
                distance: r.preference.and_then(|p| u8::try_from(p).ok()),
                metric: r.metric.and_then(|m| u32::try_from(m).ok()),
            });
        }
    }
    let links = links(s, &network_devices, &mut w);
    let mut network = Network {
        name: s.namespace.clone(),
        description: Some(format!("SuzieQ namespace {} (imported)", s.namespace)),
        devices: network_devices,
        links,
        observed: super::observed::observed(s, Some(&format!("SuzieQ namespace {}", s.namespace))),
        ..Network::default()
    };
    let (mut telemetry, mut warnings) = super::telemetry::telemetry(s);
    warnings.extend(super::telemetry::retain_converted(&mut telemetry, &network));
    warnings.extend(w.lines());
    warnings.sort();
    network.telemetry = telemetry;
    Conversion { network, warnings }
}

/// Links from LLDP: both ends are converted physical interfaces, each used once.
#[allow(clippy::many_single_char_names)]
fn links(s: &Snapshot, devices: &[Device], w: &mut Warnings) -> Vec<Link> {
    let by_host: HashMap<&str, &Device> =
        devices.iter().map(|d| (d.hostname.as_str(), d)).collect();
    // The interface an LLDP name stands for: itself, or its Junos unit 0
    // (`xe-0/0/0` → `xe-0/0/0.0`) when only the unit carries addresses.
    let resolve = |dev: &Device, name: &str| -> Option<String> {
        let find = |n: &str| dev.interfaces.iter().find(|i| i.name == n);
        let unit0 = find(&format!("{name}.0")).filter(|u| u.ip.is_some());
        match (find(name), unit0) {
            (Some(i), Some(u)) if i.ip.is_none() => Some(u.name.clone()),
            (None, Some(u)) => Some(u.name.clone()),
            (Some(i), _) => Some(i.name.clone()),
            (None, None) => None,
        }
        .filter(|n| find(n).is_some_and(|i| i.kind == Some(InterfaceKind::Physical)))
    };
    let mut seen: BTreeSet<((String, String), (String, String))> = BTreeSet::new();
    for l in &s.lldp {
        let Some(dev) = by_host.get(l.meta.hostname.as_str()) else {
            continue;
        };
        let peer = by_host
            .get(l.peer_hostname.as_str())
            .or_else(|| by_host.get(l.peer_hostname.split('.').next().unwrap_or("")));
        let Some(peer) = peer else {
            w.add(
                "LLDP neighbour not a device of the namespace",
                format!("{} {} -> {}", dev.hostname, l.ifname, l.peer_hostname),
            );
            continue;
        };
        let (Some(a), Some(b)) = (resolve(dev, &l.ifname), resolve(peer, &l.peer_ifname)) else {
            w.add(
                "LLDP end not a known physical interface",
                format!(
                    "{} {} -> {} {}",
                    dev.hostname, l.ifname, peer.hostname, l.peer_ifname
                ),
            );
            continue;
        };
        let x = (dev.hostname.clone(), a);
        let y = (peer.hostname.clone(), b);
        if x == y {
            continue;
        }
        seen.insert(if x < y { (x, y) } else { (y, x) });
    }
    let mut ends: HashSet<(String, String)> = HashSet::new();
    let mut out = Vec::new();
    for (x, y) in seen {
        if ends.contains(&x) || ends.contains(&y) {
            w.add(
                "LLDP link whose end already ends another link",
                format!("{}:{} - {}:{}", x.0, x.1, y.0, y.1),
            );
            continue;
        }
        ends.insert(x.clone());
        ends.insert(y.clone());
        out.push(Link {
            a: Endpoint {
                device: x.0,
                interface: x.1,
            },
            b: Endpoint {
                device: y.0,
                interface: y.1,
            },
        });
    }
    out
}
