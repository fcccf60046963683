//! The computed main RIB, as rows in Batfish's terms: what
//! `pathtrace routes` prints, comparable with Batfish's `routes()` answer.
//!
//! One row per installed route and next hop (an ECMP route gives several
//! rows). Protocol names are Batfish's: `connected`, `local`, `static`,
//! `ospf`, `ospfIA`, `ospfE1`, `ospfE2`, `bgp`, `ibgp`, `aggregate`. A BGP
//! row's next hop is the BGP next hop as learned (not the IGP hop that
//! resolves it); an OSPF row names the neighbour's address and the
//! interface toward it; a discard route's interface is `null_interface`.
//! Hosts have a RIB too, as Batfish's host nodes do: their connected
//! subnet, their own address, and a static default route to the gateway.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

use crate::dataplane::{Candidate, DataPlane, Interner, Owner, Target};

/// One main-RIB route (one next hop of it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RibRoute {
    /// Device hostname.
    pub node: String,
    /// VRF name (`default` for the global table).
    pub vrf: String,
    /// Destination prefix.
    pub network: IpNet,
    /// Protocol in Batfish's vocabulary.
    pub protocol: &'static str,
    /// Next-hop address, when the route has one.
    pub next_hop_ip: Option<IpAddr>,
    /// Outgoing interface, when the route names one.
    pub next_hop_interface: Option<String>,
    /// Administrative distance.
    pub admin: u8,
    /// Metric (OSPF cost, BGP MED).
    pub metric: u32,
}

/// Append the rows of one installed RIB entry (its equally good winners).
pub(crate) fn record(
    dp: &DataPlane,
    di: u32,
    vrf: u32,
    winners: &[Candidate],
    interner: &Interner,
    out: &mut Vec<RibRoute>,
) {
    let node = &dp.devices[di as usize].name;
    let vrf_name = &dp.vrfs[vrf as usize];
    let iface_name = |ix: u32| dp.interfaces[ix as usize].name.clone();
    for w in winners {
        let row = |ip: Option<IpAddr>, iface: Option<String>| RibRoute {
            node: node.clone(),
            vrf: vrf_name.clone(),
            network: w.prefix,
            protocol: w.protocol.as_str(),
            next_hop_ip: ip,
            next_hop_interface: iface,
            admin: w.distance,
            metric: w.metric,
        };
        match &w.target {
            Target::Receive => {
                let iface = match dp.owner(w.prefix.addr()) {
                    Some(Owner::Iface(ix)) => Some(iface_name(ix)),
                    _ => None,
                };
                out.push(row(None, iface));
            }
            Target::Drop => out.push(row(None, Some("null_interface".to_string()))),
            Target::Set(set) => {
                for nh in &interner.nh_sets[*set as usize] {
                    out.push(row(nh.arp, Some(iface_name(nh.iface))));
                }
            }
            Target::Via(hops) => {
                for &(ip, iface) in hops {
                    out.push(row(ip, iface.map(iface_name)));
                }
            }
        }
    }
}

/// The routes of the modelled hosts: connected subnet, own address (local),
/// and the default route to the gateway (static, distance 1).
pub(crate) fn host_routes(net: &pathtrace_model::Network) -> Vec<RibRoute> {
    let mut out = Vec::new();
    for h in &net.hosts {
        let node = h.name.clone().unwrap_or_else(|| h.ip.addr().to_string());
        let row =
            |network: IpNet, protocol: &'static str, ip: Option<IpAddr>, admin: u8| RibRoute {
                node: node.clone(),
                vrf: crate::dataplane::DEFAULT_VRF.to_string(),
                network,
                protocol,
                next_hop_ip: ip,
                next_hop_interface: h.interface.clone(),
                admin,
                metric: 0,
            };
        let host_len = h.ip.max_prefix_len();
        if h.ip.prefix_len() < host_len {
            out.push(row(h.ip.trunc(), "connected", None, 0));
            if let Ok(own) = IpNet::new(h.ip.addr(), host_len) {
                out.push(row(own, "local", None, 0));
            }
        } else {
            out.push(row(h.ip, "connected", None, 0));
        }
        if let Some(gw) = h.gateway {
            let any = if gw.is_ipv4() { "0.0.0.0/0" } else { "::/0" };
            if let Ok(default) = any.parse() {
                out.push(row(default, "static", Some(gw), 1));
            }
        }
    }
    out
}
