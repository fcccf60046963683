//! Vendor normalisation, applied once when a snapshot is read.
//!
//! * **Interface names.** Each device's `interfaces` table gives the spelling
//!   of record (`GigabitEthernet0/0` on IOS, `Ethernet1/1` on NX-OS,
//!   `Ethernet1` / `Port-Channel1` on EOS, `xe-0/0/0.0` on Junos, `swp1` on
//!   Cumulus). A name in any other table (route `oifs`, ARP/ND and MAC `oif`,
//!   LLDP `ifname` and — with the neighbour's table — `peerIfname`, MLAG
//!   ports, VLAN members, counters) that names the same interface in another
//!   spelling (`Gi0/0`, `Eth1/1`, `Et1`, `Po1`, any case) is rewritten to it,
//!   so every later step compares names exactly. Names that match no
//!   interface are left as they are.
//! * **Route protocols** ([`protocol`]): lower case, without process ids,
//!   one word per source, so `direct` (NX-OS, Junos) is `connected` and
//!   `ebgp`/`ibgp`/`bgp-65000` are `bgp`.

use std::collections::HashMap;

use pathtrace_model::ifname;

use super::Snapshot;

/// The normalised name of a route protocol as SuzieQ reported it.
///
/// `direct`, `connected`, `attached` → `connected`; `local` stays; `ospf`,
/// `ospf-1`, `ospfv3`, `ospf_ia`… → `ospf` (`ospf3` for OSPFv3); `bgp`,
/// `ebgp`, `ibgp`, `bgp-65000` → `bgp`; `static`, `kernel`, `isis`, `eigrp`,
/// `rip` lose any process suffix; anything else is kept in lower case.
pub fn protocol(p: &str) -> String {
    let lower = p.trim().to_ascii_lowercase();
    let base: String = lower
        .split(['-', ' ', '_'])
        .next()
        .unwrap_or("")
        .to_string();
    match base.as_str() {
        "direct" | "connected" | "attached" => "connected".into(),
        "ospfv3" | "ospf3" => "ospf3".into(),
        b if b.starts_with("ospf") => "ospf".into(),
        "bgp" | "ebgp" | "ibgp" => "bgp".into(),
        "static" | "kernel" | "isis" | "eigrp" | "rip" | "local" => base,
        _ => lower,
    }
}

/// Per device: canonical lower-case interface name → spelling of record.
fn spellings(s: &Snapshot) -> HashMap<&str, HashMap<String, String>> {
    let mut m: HashMap<&str, HashMap<String, String>> = HashMap::new();
    for i in &s.interfaces {
        m.entry(i.meta.hostname.as_str())
            .or_default()
            .entry(key(&i.ifname))
            .or_insert_with(|| i.ifname.clone());
    }
    m
}

fn key(name: &str) -> String {
    ifname::canonical(name).to_ascii_lowercase()
}

/// Rewrite `name` to the device's spelling of record when it names one of
/// its interfaces in another spelling.
fn fix(map: Option<&HashMap<String, String>>, name: &mut String) {
    if name.is_empty() {
        return;
    }
    if let Some(full) = map.and_then(|m| m.get(&key(name)))
        && full != name
    {
        name.clone_from(full);
    }
}

/// Normalise a snapshot in place (see the module documentation).
pub(crate) fn snapshot(s: &mut Snapshot) {
    let sp = spellings(s);
    let owned: HashMap<String, HashMap<String, String>> =
        sp.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let on = |h: &str| owned.get(h);
    for r in &mut s.routes {
        r.protocol = protocol(&r.protocol);
        for o in &mut r.oifs {
            fix(on(&r.meta.hostname), o);
        }
    }
    for r in &mut s.arpnd {
        fix(on(&r.meta.hostname), &mut r.oif);
    }
    for r in &mut s.macs {
        fix(on(&r.meta.hostname), &mut r.oif);
    }
    for r in &mut s.lldp {
        fix(on(&r.meta.hostname), &mut r.ifname);
        let peer = owned
            .get(&r.peer_hostname)
            .or_else(|| owned.get(r.peer_hostname.split('.').next().unwrap_or("")));
        fix(peer, &mut r.peer_ifname);
    }
    for r in &mut s.mlag {
        fix(on(&r.meta.hostname), &mut r.peer_link);
        for p in &mut r.dual_ports {
            fix(on(&r.meta.hostname), p);
        }
    }
    for r in &mut s.evpn_vni {
        fix(on(&r.meta.hostname), &mut r.ifname);
    }
    for r in &mut s.vlans {
        for p in &mut r.interfaces {
            fix(on(&r.meta.hostname), p);
        }
    }
    for r in &mut s.if_counters {
        fix(on(&r.meta.hostname), &mut r.ifname);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols() {
        assert_eq!(protocol("direct"), "connected");
        assert_eq!(protocol("Connected"), "connected");
        assert_eq!(protocol("ospf-1"), "ospf");
        assert_eq!(protocol("OSPF"), "ospf");
        assert_eq!(protocol("ebgp"), "bgp");
        assert_eq!(protocol("bgp-65000"), "bgp");
        assert_eq!(protocol("local"), "local");
        assert_eq!(protocol("access-internal"), "access-internal");
    }

    #[test]
    fn spelling_of_record() {
        let mut m = HashMap::new();
        m.insert(key("GigabitEthernet0/0"), "GigabitEthernet0/0".to_string());
        m.insert(key("Ethernet1/1"), "Ethernet1/1".to_string());
        m.insert(key("Port-Channel1"), "Port-Channel1".to_string());
        for (from, to) in [
            ("Gi0/0", "GigabitEthernet0/0"),
            ("Eth1/1", "Ethernet1/1"),
            ("Po1", "Port-Channel1"),
            ("swp1", "swp1"),
        ] {
            let mut n = from.to_string();
            fix(Some(&m), &mut n);
            assert_eq!(n, to);
        }
    }
}
