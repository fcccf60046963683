//! The observed forwarding state of a SuzieQ namespace
//! ([`pathtrace_model::observed`]): interfaces with every address, route
//! tables, ARP/ND, MAC tables and MLAG membership, as SuzieQ's own path
//! engine reads them.
//!
//! Values are kept as reported, with the adjustments SuzieQ's table engines
//! make before its path engine sees them: route protocol `direct` reads
//! `connected`, the `default` prefix is `0.0.0.0/0`, `127.0.0.0/8` is
//! dropped, and each port's switchport mode (`portmode`) and access/native
//! VLAN come from the device's running configuration (`devconfig`) where it
//! was collected ([`portmodes`]).

use std::collections::HashMap;
use std::net::IpAddr;

use ipnet::IpNet;
use pathtrace_model::observed::{
    ArpEntry, MacEntry, MlagMember, Observed, ObservedDevice, ObservedFibEntry, ObservedInterface,
};

use super::Snapshot;

/// Build the observed state of a snapshot, one entry per device of the
/// `device` table (in its order).
pub(crate) fn observed(s: &Snapshot, dir_label: Option<&str>) -> Observed {
    let os: HashMap<&str, &str> = s
        .devices
        .iter()
        .map(|d| (d.meta.hostname.as_str(), d.os.as_str()))
        .collect();
    let mut pm: HashMap<&str, HashMap<String, (&'static str, u16)>> = HashMap::new();
    for c in &s.devconfig {
        let nos = os.get(c.meta.hostname.as_str()).copied().unwrap_or("");
        pm.insert(c.meta.hostname.as_str(), portmodes(&c.config, nos));
    }
    let mut devs: Vec<ObservedDevice> = s
        .devices
        .iter()
        .map(|d| ObservedDevice {
            hostname: d.meta.hostname.clone(),
            ..ObservedDevice::default()
        })
        .collect();
    let ix: HashMap<String, usize> = devs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.hostname.clone(), i))
        .collect();
    let empty = HashMap::new();
    for r in &s.interfaces {
        let Some(&d) = ix.get(&r.meta.hostname) else {
            continue;
        };
        let mut addresses: Vec<IpNet> = Vec::new();
        for a in r.ip_addresses.iter().chain(&r.ip6_addresses) {
            if let Ok(n) = a.parse::<IpNet>() {
                addresses.push(n);
            }
        }
        let has_v4 = !r.ip_addresses.is_empty();
        let has_v6 = !r.ip6_addresses.is_empty();
        let mut portmode = if has_v4 || has_v6 {
            "routed"
        } else {
            "unknown"
        };
        let mut vlan = u16::try_from(r.vlan).unwrap_or(u16::MAX);
        let conf = pm.get(r.meta.hostname.as_str()).unwrap_or(&empty);
        if let Some(&(mode, v)) = conf.get(&r.ifname) {
            portmode = mode;
            if v != 0 {
                vlan = v;
            }
        }
        if r.ifname == "bridge" || r.admin_state != "up" {
            portmode = "";
        }
        if r.kind == "vxlan" && portmode == "routed" {
            portmode = "trunk";
        }
        devs[d].interfaces.push(ObservedInterface {
            name: r.ifname.clone(),
            kind: r.kind.clone(),
            state: r.state.clone(),
            addresses,
            mtu: u32::try_from(r.mtu.unwrap_or(0)).unwrap_or(u32::MAX),
            vlan,
            master: r.master.clone(),
            mac: r.macaddr.to_ascii_lowercase(),
            portmode: portmode.to_string(),
            timestamp: r.meta.timestamp,
        });
    }
    for r in &s.routes {
        let Some(&d) = ix.get(&r.meta.hostname) else {
            continue;
        };
        let prefix = if r.prefix == "default" {
            "0.0.0.0/0"
        } else {
            r.prefix.as_str()
        };
        let Ok(prefix) = prefix.parse::<IpNet>() else {
            continue;
        };
        if prefix == "127.0.0.0/8".parse::<IpNet>().expect("literal") {
            continue;
        }
        let protocol = if r.reported_protocol == "direct" {
            "connected".to_string()
        } else {
            r.reported_protocol.clone()
        };
        devs[d].routes.push(ObservedFibEntry {
            vrf: if r.vrf.is_empty() {
                "default".to_string()
            } else {
                r.vrf.clone()
            },
            prefix,
            protocol,
            next_hops: r.nexthop_ips.clone(),
            oifs: r.oifs.clone(),
            timestamp: r.meta.timestamp,
        });
    }
    for r in &s.arpnd {
        let (Some(&d), Ok(ip)) = (ix.get(&r.meta.hostname), r.ip_address.parse::<IpAddr>()) else {
            continue;
        };
        devs[d].arp.push(ArpEntry {
            ip,
            mac: r.macaddr.to_ascii_lowercase(),
            interface: r.oif.clone(),
            remote: r.remote,
            state: r.state.clone(),
            timestamp: r.meta.timestamp,
        });
    }
    for r in &s.macs {
        let Some(&d) = ix.get(&r.meta.hostname) else {
            continue;
        };
        devs[d].macs.push(MacEntry {
            vlan: u16::try_from(r.vlan).unwrap_or(u16::MAX),
            mac: r.macaddr.to_ascii_lowercase(),
            interface: r.oif.clone(),
            remote_vtep: r.remote_vtep_ip.parse().ok(),
            timestamp: r.meta.timestamp,
        });
    }
    for r in &s.mlag {
        let Some(&d) = ix.get(&r.meta.hostname) else {
            continue;
        };
        devs[d].mlag = Some(MlagMember {
            system_id: r.system_id.clone(),
            peer_link: expand_nxos_ifname(&r.peer_link),
        });
    }
    Observed {
        source: dir_label.map(str::to_string),
        devices: devs,
    }
}

/// NX-OS abbreviations in the MLAG peer-link column, expanded as SuzieQ does.
fn expand_nxos_ifname(n: &str) -> String {
    if n.starts_with("Eth") && !n.contains("Ether") {
        n.replacen("Eth", "Ethernet", 1)
    } else if n.starts_with("Po") && !n.contains("port") {
        n.replacen("Po", "port-channel", 1)
    } else if n.starts_with("Lo") && !n.contains("loop") {
        n.replacen("Lo", "loopback", 1)
    } else {
        n.to_string()
    }
}

/// Switchport modes from a running configuration: interface name →
/// (`access` | `trunk`, access or native VLAN; 0 when not given), as
/// SuzieQ's `confutils` derives them: IOS-like syntax (IOS, NX-OS, EOS) from
/// `switchport … access` / `switchport … trunk` lines under `interface X`,
/// Cumulus from `bridge-access N` under `iface X` and the `bridge-ports`
/// list. Junos configurations give nothing (their ports stay `routed` or
/// `unknown` by address).
pub(crate) fn portmodes(config: &str, nos: &str) -> HashMap<String, (&'static str, u16)> {
    let mut out = HashMap::new();
    if nos.contains("junos") || nos.contains("panos") {
        return out;
    }
    let blocks = blocks(config);
    if nos.contains("cumulus") {
        let mut access = Vec::new();
        for (head, children) in &blocks {
            let Some(name) = head.trim_start().strip_prefix("iface ") else {
                continue;
            };
            if !head.starts_with("iface ") || !children.iter().any(|c| c.contains("bridge-access"))
            {
                continue;
            }
            let name = name.trim().to_string();
            let vlan = children
                .iter()
                .find_map(|c| number_after(c, "bridge-access"))
                .unwrap_or(0);
            access.push(name.clone());
            out.insert(name, ("access", vlan));
        }
        // SuzieQ keeps the ports of the last `bridge-ports` line (each line
        // replaces the previous one) and gives trunks VLAN 1.
        let mut trunks: Vec<String> = Vec::new();
        for line in config.lines() {
            if !line.contains("bridge-ports") || line.trim_start().starts_with('#') {
                continue;
            }
            trunks = line
                .split_whitespace()
                .skip(1)
                .filter(|p| !access.iter().any(|a| a == p))
                .map(str::to_string)
                .collect();
        }
        for t in trunks {
            out.insert(t, ("trunk", 1));
        }
        return out;
    }
    for (head, children) in &blocks {
        let Some(name) = head.strip_prefix("interface") else {
            continue;
        };
        let name = name.trim().to_string();
        let is = |what: &str| {
            children.iter().any(|c| {
                let t = c.trim_start();
                c.starts_with(char::is_whitespace)
                    && t.starts_with("switchport")
                    && t["switchport".len()..].contains(what)
            })
        };
        if head.starts_with("interface ") && is("access") {
            let vlan = children
                .iter()
                .find_map(|c| number_after(c, "vlan"))
                .unwrap_or(0);
            out.insert(name.clone(), ("access", vlan));
        }
        // Trunk is looked for second, as SuzieQ does, so it wins.
        if is("trunk") {
            let native = children
                .iter()
                .find_map(|c| number_after(c, "native vlan"))
                .unwrap_or(1);
            out.insert(name, ("trunk", native));
        }
    }
    out
}

/// Top-level lines with the indented lines under them.
fn blocks(config: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in config.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            if let Some(last) = out.last_mut() {
                last.1.push(line.to_string());
            }
        } else {
            out.push((line.to_string(), Vec::new()));
        }
    }
    out
}

/// The number following the last occurrence of `word` and whitespace
/// (`…vlan 10` → 10), as a greedy `^.*word\s+(\d+)` match would take it.
fn number_after(line: &str, word: &str) -> Option<u16> {
    let mut found = None;
    let mut from = 0;
    while let Some(p) = line[from..].find(word) {
        let at = from + p + word.len();
        let rest = &line[at..];
        let trimmed = rest.trim_start();
        if trimmed.len() < rest.len() {
            let digits: String = trimmed.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = digits.parse::<u16>() {
                found = Some(n);
            }
        }
        from = at;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ios_like_access_and_trunk_ports() {
        let c = "interface Ethernet1\n   switchport access vlan 10\n!\ninterface Port-Channel1\n   switchport mode trunk\n   switchport trunk native vlan 99\n!\ninterface Ethernet2\n   no switchport\n   ip address 10.0.0.1/31\n";
        let m = portmodes(c, "eos");
        assert_eq!(m.get("Ethernet1"), Some(&("access", 10)));
        assert_eq!(m.get("Port-Channel1"), Some(&("trunk", 99)));
        assert_eq!(m.get("Ethernet2"), None);
    }

    #[test]
    fn cumulus_bridge_access_and_ports() {
        let c = "auto bond01\niface bond01\n    bond-slaves swp1\n    bridge-access 13\n\nauto bridge\niface bridge\n    bridge-ports bond01 peerlink vni13\n    bridge-vlan-aware yes\n";
        let m = portmodes(c, "cumulus");
        assert_eq!(m.get("bond01"), Some(&("access", 13)));
        assert_eq!(m.get("peerlink"), Some(&("trunk", 1)));
        assert_eq!(m.get("vni13"), Some(&("trunk", 1)));
    }

    #[test]
    fn numbers_follow_the_last_keyword() {
        assert_eq!(
            number_after("  switchport access vlan 20", "vlan"),
            Some(20)
        );
        assert_eq!(
            number_after("  switchport trunk allowed vlan 10,20", "vlan"),
            Some(10)
        );
        assert_eq!(number_after("  description vlanX", "vlan"), None);
    }
}
