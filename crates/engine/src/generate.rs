//! Synthetic campus networks, for benchmarks, scale tests and demos.
//!
//! [`campus`] builds a routed-access campus of a given size, the way such
//! campuses are commonly designed:
//!
//! ```text
//!                 CORE-1 ─────────── CORE-2                       area 0
//!                 │    ╲            ╱    │
//!            DIST-b-1   (each dist has an uplink to both cores)   ABRs
//!            DIST-b-2   area 0 up, area b down, `area b range 10.b.0.0/16`
//!             │    ╲       ╱    │
//!            ACC-b-01 … ACC-b-40   routed uplinks to both dists   area b
//!               │
//!            Vlan10 10.b.n.1/24 (passive) ─ Gi1/0/1 ─ host 10.b.n.10
//! ```
//!
//! Two cores, then distribution pairs ("blocks" `b` = 1, 2, …), each serving
//! up to [`ACCESS_PER_BLOCK`] access switches; blocks are filled in order and
//! the last one may be smaller, so the campus has exactly the devices asked
//! for ([`block_sizes`]). Every link is a routed /31 with OSPF cost
//! [`OSPF_COST`], so an access switch reaches the core over both of its
//! distribution switches and a distribution switch reaches another block over
//! both cores (equal-cost multipath at each tier).
//!
//! Addressing: block `b` owns 10.b.0.0/16 — user subnets 10.b.n.0/24 for
//! access switch `n`, access loopbacks 10.b.255.n/32, access uplinks
//! 10.b.254.0/24 — which both of its distribution switches summarise into the
//! backbone. The backbone uses 172.16.0.0/12: core loopbacks 172.16.0.c/32,
//! the core interconnect 172.16.1.0/31, distribution loopbacks 172.17.b.d/32
//! and core–distribution links in 172.18.0.0/16. Every device's management IP
//! is its Loopback0 address.
//!
//! Everything (names, addresses, serial numbers, MAC addresses, uptimes) is a
//! function of the device count alone, so the same count always yields the
//! same network and the same ids.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv4Net};
use pathtrace_model::types::{
    AreaId, Device, Endpoint, Host, HostKind, Interface, InterfaceOspf, Link, Network, Ospf,
    OspfArea, PortMode, Vlan,
};

use crate::flow::{Flow, Protocol};

/// Access switches per distribution pair (a full block).
pub const ACCESS_PER_BLOCK: usize = 40;
/// The most distribution blocks a campus can have (block `b` uses 10.b.0.0/16).
pub const MAX_BLOCKS: usize = 255;
/// The smallest campus: two cores, one distribution pair, two access switches.
pub const MIN_DEVICES: usize = 6;
/// The largest campus: two cores and [`MAX_BLOCKS`] full blocks.
pub const MAX_DEVICES: usize = 2 + MAX_BLOCKS * (2 + ACCESS_PER_BLOCK);
/// OSPF cost of every routed link (and of the user SVIs).
pub const OSPF_COST: u32 = 10;
/// The user VLAN on every access switch.
pub const USER_VLAN: u16 = 10;

/// Name of every generated network (part of every id).
pub const NETWORK_NAME: &str = "campus";

const TEN_GIG_KBPS: u64 = 10_000_000;
const GIG_KBPS: u64 = 1_000_000;
const SOFTWARE_VERSION: &str = "17.9.4a";

/// Why a campus cannot be generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    /// Fewer devices than the smallest campus has.
    #[error(
        "a campus needs at least {min} devices (two cores, two distribution and two access switches), got {0}",
        min = MIN_DEVICES
    )]
    TooFew(usize),
    /// More devices than the address plan holds.
    #[error(
        "a campus can have at most {max} devices ({blocks} distribution blocks of {per} access switches), got {0}",
        max = MAX_DEVICES,
        blocks = MAX_BLOCKS,
        per = ACCESS_PER_BLOCK
    )]
    TooMany(usize),
}

/// The number of access switches in each block of a campus of `devices`
/// devices: full blocks of [`ACCESS_PER_BLOCK`], then what is left, so that
/// the total is exactly `devices`.
pub fn block_sizes(devices: usize) -> Result<Vec<usize>, GenerateError> {
    if devices < MIN_DEVICES {
        return Err(GenerateError::TooFew(devices));
    }
    if devices > MAX_DEVICES {
        return Err(GenerateError::TooMany(devices));
    }
    let below_core = devices - 2;
    let per_block = 2 + ACCESS_PER_BLOCK;
    let blocks = below_core.div_ceil(per_block);
    let mut sizes = vec![ACCESS_PER_BLOCK; blocks];
    // What the last block has after its two distribution switches.
    let rest = below_core - per_block * (blocks - 1);
    if rest >= 3 {
        sizes[blocks - 1] = rest - 2;
    } else {
        // One or two devices left over: not enough for a block of its own.
        // Give the last block one access switch and take the difference from
        // the block before it (which is full, so it stays non-empty).
        sizes[blocks - 1] = 1;
        sizes[blocks - 2] -= 3 - rest;
    }
    Ok(sizes)
}

/// A routed-access campus of exactly `devices` devices (see the module
/// documentation for its design and address plan).
///
/// # Panics
///
/// When `devices` is outside [`MIN_DEVICES`]..=[`MAX_DEVICES`]; use
/// [`try_campus`] for a count that comes from a user.
pub fn campus(devices: usize) -> Network {
    match try_campus(devices) {
        Ok(net) => net,
        Err(e) => panic!("{e}"),
    }
}

/// A routed-access campus of exactly `devices` devices, or why there is none.
pub fn try_campus(devices: usize) -> Result<Network, GenerateError> {
    let sizes = block_sizes(devices)?;
    let hosts: usize = sizes.iter().sum();
    let mut g = Gen {
        devices: Vec::with_capacity(devices),
        links: Vec::with_capacity(1 + 4 * sizes.len() + 2 * hosts),
        hosts: Vec::with_capacity(hosts),
    };
    g.cores();
    for (b, &n) in sizes.iter().enumerate() {
        g.block(b + 1, n);
    }
    Ok(Network {
        name: NETWORK_NAME.to_string(),
        description: Some(format!(
            "Generated routed-access campus: {devices} devices (2 cores, {} distribution pairs, {hosts} access switches), \
             {hosts} wired hosts.",
            sizes.len()
        )),
        devices: g.devices,
        links: g.links,
        hosts: g.hosts,
        wireless: pathtrace_model::types::Wireless::default(),
        clouds: Vec::new(),
        telemetry: pathtrace_model::Telemetry::default(),
        observed: pathtrace_model::observed::Observed::default(),
    })
}

/// A flow across the whole campus: from the host of the first access switch
/// of the first block to the host of the last access switch of the last
/// block, TCP to port 443. In a campus of two blocks or more it crosses
/// access → distribution pair → cores → distribution pair → access and has
/// 2 × 2 × 2 = 8 equal-cost branches (in a one-block campus, 2).
///
/// # Panics
///
/// When `net` has no hosts (it was not made by [`campus`]).
pub fn sample_flow(net: &Network) -> Flow {
    let (Some(first), Some(last)) = (net.hosts.first(), net.hosts.last()) else {
        panic!("sample_flow: network {:?} has no hosts", net.name);
    };
    Flow {
        src: first.ip.addr(),
        dst: last.ip.addr(),
        protocol: Some(Protocol::Tcp),
        src_port: Some(49_152),
        dst_port: Some(443),
    }
}

/// Network builder state.
struct Gen {
    devices: Vec<Device>,
    links: Vec<Link>,
    hosts: Vec<Host>,
}

/// Inventory facts shared by every device of one tier.
struct Platform {
    role: &'static str,
    device_type: &'static str,
    model: &'static str,
    series: &'static str,
    /// Serial-number prefix (Cisco factory code).
    factory: &'static str,
}

const CORE: Platform = Platform {
    role: "CORE",
    device_type: "Cisco Catalyst 9606R Switch",
    model: "C9606R",
    series: "Cisco Catalyst 9600 Series Switches",
    factory: "FXS",
};
const DISTRIBUTION: Platform = Platform {
    role: "DISTRIBUTION",
    device_type: "Cisco Catalyst 9500 Switch",
    model: "C9500-40X",
    series: "Cisco Catalyst 9500 Series Switches",
    factory: "FOC",
};
const ACCESS: Platform = Platform {
    role: "ACCESS",
    device_type: "Cisco Catalyst 9300 Switch",
    model: "C9300-48U",
    series: "Cisco Catalyst 9300 Series Switches",
    factory: "FCW",
};

fn v4(a: Ipv4Addr, len: u8) -> IpNet {
    IpNet::V4(Ipv4Net::new_assert(a, len))
}

/// `base` + `offset`, within IPv4.
fn add(base: Ipv4Addr, offset: usize) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(base) + offset as u32)
}

fn octet(n: usize) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}

fn core_loopback(c: usize) -> Ipv4Addr {
    Ipv4Addr::new(172, 16, 0, octet(c))
}

fn dist_loopback(b: usize, d: usize) -> Ipv4Addr {
    Ipv4Addr::new(172, 17, octet(b), octet(d))
}

/// The /31 between core `c` and distribution switch `d` of block `b`: the
/// core has the even address, the distribution switch the odd one.
fn core_link(b: usize, d: usize, c: usize) -> Ipv4Addr {
    add(
        Ipv4Addr::new(172, 18, 0, 0),
        2 * (4 * (b - 1) + 2 * (d - 1) + (c - 1)),
    )
}

/// The /31 between access switch `n` of block `b` and its distribution
/// switch `d`: the distribution switch has the even address.
fn access_link(b: usize, n: usize, d: usize) -> Ipv4Addr {
    Ipv4Addr::new(10, octet(b), 254, octet(4 * (n - 1) + 2 * (d - 1)))
}

fn core_name(c: usize) -> String {
    format!("CORE-{c}")
}

fn dist_name(b: usize, d: usize) -> String {
    format!("DIST-{b}-{d}")
}

fn access_name(b: usize, n: usize) -> String {
    format!("ACC-{b}-{n:02}")
}

/// Core port `k` (0 = the core interconnect, then one per distribution
/// switch), 48 ports per line card.
fn core_port(k: usize) -> String {
    format!("TenGigabitEthernet{}/0/{}", 1 + k / 48, 1 + k % 48)
}

/// MAC address `k` of device `index`: 0 is the base MAC, then one per
/// interface (14 bits of device, 10 bits of interface under one OUI).
fn mac(index: usize, k: usize) -> String {
    let v = ((index & 0x3fff) << 10) | (k & 0x3ff);
    format!(
        "70:d3:79:{:02x}:{:02x}:{:02x}",
        (v >> 16) & 0xff,
        (v >> 8) & 0xff,
        v & 0xff
    )
}

fn ospf_on(area: usize, passive: bool) -> InterfaceOspf {
    InterfaceOspf {
        area: AreaId(area as u32),
        cost: Some(OSPF_COST),
        passive,
    }
}

fn loopback(ip: Ipv4Addr, area: usize) -> Interface {
    Interface {
        name: "Loopback0".to_string(),
        description: Some("router id / management".to_string()),
        ip: Some(v4(ip, 32)),
        ospf: Some(InterfaceOspf {
            area: AreaId(area as u32),
            cost: None,
            passive: true,
        }),
        ..Interface::default()
    }
}

/// A routed 10G port running OSPF.
fn routed(
    name: String,
    to: &str,
    to_port: &str,
    ip: Ipv4Addr,
    area: usize,
    mac_address: String,
) -> Interface {
    Interface {
        name,
        description: Some(format!("to {to} {to_port}")),
        mode: Some(PortMode::Routed),
        ip: Some(v4(ip, 31)),
        speed: Some(TEN_GIG_KBPS),
        mac_address: Some(mac_address),
        ospf: Some(ospf_on(area, false)),
        ..Interface::default()
    }
}

fn endpoint(device: &str, interface: &str) -> Endpoint {
    Endpoint {
        device: device.to_string(),
        interface: interface.to_string(),
    }
}

impl Gen {
    fn device(
        &self,
        hostname: String,
        management_ip: Ipv4Addr,
        p: &Platform,
        ospf: Ospf,
    ) -> Device {
        let i = self.devices.len();
        Device {
            hostname,
            management_ip: IpAddr::V4(management_ip),
            family: "Switches and Hubs".to_string(),
            device_type: Some(p.device_type.to_string()),
            role: p.role.to_string(),
            platform_id: Some(p.model.to_string()),
            series: Some(p.series.to_string()),
            software_type: Some("IOS-XE".to_string()),
            software_version: Some(SOFTWARE_VERSION.to_string()),
            serial_number: Some(format!(
                "{}{:02}{:02}{:04X}",
                p.factory,
                22 + i % 3,
                1 + i % 52,
                i
            )),
            mac_address: Some(mac(i, 0)),
            uptime: Some(format!(
                "{} days, {}:{:02}:{:02}.{:02}",
                30 + i % 300,
                i % 24,
                (i * 7) % 60,
                (i * 13) % 60,
                i % 100
            )),
            vendor: None,
            ip_routing: true,
            default_gateway: None,
            stp_priority: None,
            vlans: Vec::new(),
            vrfs: Vec::new(),
            interfaces: Vec::new(),
            static_routes: Vec::new(),
            ospf: Some(ospf),
            acls: Vec::new(),
            routes: Vec::new(),
            bgp: None,
            route_maps: Vec::new(),
            prefix_lists: Vec::new(),
            community_lists: Vec::new(),
        }
    }

    fn cores(&mut self) {
        for c in 1..=2 {
            let ospf = Ospf {
                router_id: Some(core_loopback(c)),
                ..Ospf::default()
            };
            let mut d = self.device(core_name(c), core_loopback(c), &CORE, ospf);
            let other = core_name(3 - c);
            let dev_index = self.devices.len();
            d.interfaces.push(loopback(core_loopback(c), 0));
            d.interfaces.push(routed(
                core_port(0),
                &other,
                &core_port(0),
                add(Ipv4Addr::new(172, 16, 1, 0), c - 1),
                0,
                mac(dev_index, 1),
            ));
            self.devices.push(d);
        }
        self.links.push(Link {
            a: endpoint(&core_name(1), &core_port(0)),
            b: endpoint(&core_name(2), &core_port(0)),
        });
    }

    /// Block `b`: its distribution pair, `n` access switches, their hosts,
    /// and the pair's uplinks to the cores.
    fn block(&mut self, b: usize, n: usize) {
        let first_dist = self.devices.len();
        for d in 1..=2 {
            let name = dist_name(b, d);
            let ospf = Ospf {
                router_id: Some(dist_loopback(b, d)),
                areas: vec![OspfArea {
                    id: AreaId(b as u32),
                    ranges: vec![v4(Ipv4Addr::new(10, octet(b), 0, 0), 16)],
                }],
                ..Ospf::default()
            };
            let mut dev = self.device(name.clone(), dist_loopback(b, d), &DISTRIBUTION, ospf);
            let dev_index = self.devices.len();
            dev.interfaces.reserve(3 + n);
            dev.interfaces.push(loopback(dist_loopback(b, d), 0));
            for c in 1..=2 {
                let port = format!("TenGigabitEthernet1/1/{c}");
                let core_k = 1 + 2 * (b - 1) + (d - 1);
                let core_if = core_port(core_k);
                let link = core_link(b, d, c);
                dev.interfaces.push(routed(
                    port.clone(),
                    &core_name(c),
                    &core_if,
                    add(link, 1),
                    0,
                    mac(dev_index, c),
                ));
                let core_index = c - 1;
                let core_mac = mac(core_index, 1 + core_k);
                self.devices[core_index].interfaces.push(routed(
                    core_if.clone(),
                    &name,
                    &port,
                    link,
                    0,
                    core_mac,
                ));
                self.links.push(Link {
                    a: endpoint(&core_name(c), &core_if),
                    b: endpoint(&name, &port),
                });
            }
            self.devices.push(dev);
        }
        for a in 1..=n {
            let name = access_name(b, a);
            let lo = Ipv4Addr::new(10, octet(b), 255, octet(a));
            let ospf = Ospf {
                router_id: Some(lo),
                ..Ospf::default()
            };
            let mut dev = self.device(name.clone(), lo, &ACCESS, ospf);
            let dev_index = self.devices.len();
            dev.vlans.push(Vlan {
                id: USER_VLAN,
                name: Some("USERS".to_string()),
            });
            dev.interfaces.push(loopback(lo, b));
            for d in 1..=2 {
                let port = format!("TenGigabitEthernet1/1/{d}");
                let dist_port = format!("TenGigabitEthernet1/0/{a}");
                let dist = dist_name(b, d);
                let link = access_link(b, a, d);
                dev.interfaces.push(routed(
                    port.clone(),
                    &dist,
                    &dist_port,
                    add(link, 1),
                    b,
                    mac(dev_index, d),
                ));
                let dist_index = first_dist + d - 1;
                let dist_mac = mac(dist_index, 2 + a);
                self.devices[dist_index].interfaces.push(routed(
                    dist_port.clone(),
                    &name,
                    &port,
                    link,
                    b,
                    dist_mac,
                ));
                self.links.push(Link {
                    a: endpoint(&dist, &dist_port),
                    b: endpoint(&name, &port),
                });
            }
            let gateway = Ipv4Addr::new(10, octet(b), octet(a), 1);
            dev.interfaces.push(Interface {
                name: format!("Vlan{USER_VLAN}"),
                description: Some("users".to_string()),
                ip: Some(v4(gateway, 24)),
                mac_address: Some(mac(dev_index, 3)),
                ospf: Some(ospf_on(b, true)),
                ..Interface::default()
            });
            let port = "GigabitEthernet1/0/1".to_string();
            dev.interfaces.push(Interface {
                name: port.clone(),
                description: Some("user port".to_string()),
                mode: Some(PortMode::Access),
                access_vlan: Some(USER_VLAN),
                speed: Some(GIG_KBPS),
                ..Interface::default()
            });
            self.hosts.push(Host {
                ip: v4(Ipv4Addr::new(10, octet(b), octet(a), 10), 24),
                name: Some(format!("pc-{b}-{a:02}")),
                mac: Some(format!("00:50:56:{:02x}:{:02x}:0a", b & 0xff, a & 0xff)),
                kind: HostKind::Wired,
                vlan: Some(USER_VLAN),
                gateway: Some(IpAddr::V4(gateway)),
                switch: Some(name),
                port: Some(port),
                ap: None,
                ssid: None,
                interface: None,
                acl_in: None,
                acl_out: None,
            });
            self.devices.push(dev);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{Disposition, HopAction, Node};

    #[test]
    fn sizes_are_exact() {
        for n in (MIN_DEVICES..=300).chain([999, 1_000, 1_001, 9_999, 10_000, MAX_DEVICES]) {
            let sizes = block_sizes(n).unwrap();
            assert_eq!(2 + sizes.iter().map(|a| a + 2).sum::<usize>(), n, "{n}");
            assert!(
                sizes.iter().all(|&a| (1..=ACCESS_PER_BLOCK).contains(&a)),
                "{n}: {sizes:?}"
            );
            // Filled in order: every block but the last two is full.
            assert!(
                sizes.iter().rev().skip(2).all(|&a| a == ACCESS_PER_BLOCK),
                "{n}: {sizes:?}"
            );
        }
        assert_eq!(block_sizes(100).unwrap(), vec![40, 40, 12]);
        assert_eq!(block_sizes(45).unwrap(), vec![38, 1]);
        assert_eq!(block_sizes(5), Err(GenerateError::TooFew(5)));
        assert_eq!(
            block_sizes(MAX_DEVICES + 1),
            Err(GenerateError::TooMany(MAX_DEVICES + 1))
        );
        assert!(try_campus(0).is_err());
    }

    #[test]
    fn campus_100_is_valid_and_deterministic() {
        let net = campus(100);
        assert_eq!(net.devices.len(), 100);
        assert_eq!(net.hosts.len(), 92);
        assert_eq!(net.links.len(), 1 + 3 * 4 + 92 * 2);
        let issues = pathtrace_model::validate::validate(&net);
        assert!(issues.is_empty(), "{issues:#?}");
        assert_eq!(net, campus(100));
    }

    #[test]
    fn small_and_odd_sizes_are_valid() {
        for n in [MIN_DEVICES, 7, 44, 45, 46, 47, 86, 87, 88] {
            let net = campus(n);
            assert_eq!(net.devices.len(), n);
            let issues = pathtrace_model::validate::validate(&net);
            assert!(issues.is_empty(), "{n}: {issues:#?}");
        }
    }

    #[test]
    fn sample_flow_has_eight_equal_cost_branches() {
        let net = campus(100);
        let flow = sample_flow(&net);
        assert_eq!(flow.src.to_string(), "10.1.1.10");
        assert_eq!(flow.dst.to_string(), "10.3.12.10");
        let dp = crate::build(&net);
        let t = crate::trace(&dp, &flow).unwrap();
        assert_eq!(t.trace_count, 8);
        let names = |b: &crate::Branch| -> Vec<String> {
            b.hops
                .iter()
                .map(|h| match h.node {
                    Node::Device(d) => dp.devices[d as usize].name.clone(),
                    Node::Host(h) => dp.hosts[h as usize].ip.addr().to_string(),
                    other => format!("{other:?}"),
                })
                .collect()
        };
        let mut paths: Vec<Vec<String>> = t.branches.iter().map(names).collect();
        for b in &t.branches {
            assert_eq!(b.disposition, Disposition::Accepted);
            let routed = b
                .hops
                .iter()
                .filter(|h| h.action == HopAction::Routed)
                .count();
            assert_eq!(routed, 5, "{:?}", names(b));
        }
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), 8);
        for p in &paths {
            assert_eq!(p[0], "10.1.1.10");
            assert_eq!(p[1], "ACC-1-01");
            assert!(p[2].starts_with("DIST-1-"));
            assert!(p[3].starts_with("CORE-"));
            assert!(p[4].starts_with("DIST-3-"));
            assert_eq!(p[5], "ACC-3-12");
            assert_eq!(p[6], "10.3.12.10");
        }
    }

    #[test]
    fn one_block_campus_traces_within_the_block() {
        let net = campus(MIN_DEVICES);
        let dp = crate::build(&net);
        let t = crate::trace(&dp, &sample_flow(&net)).unwrap();
        assert_eq!(t.trace_count, 2);
        assert!(
            t.branches
                .iter()
                .all(|b| b.disposition == Disposition::Accepted)
        );
    }
}
