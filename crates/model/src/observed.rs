//! Collected forwarding state: the tables a collector read from the devices
//! (interfaces, route tables, ARP/ND, MAC tables, MLAG), kept as observed.
//!
//! A network imported from a state collector (`pathtrace import suzieq`)
//! carries this section besides its devices. The engine then traces on what
//! the devices reported — route lookups in the observed tables, next hops
//! resolved through ARP/ND and MAC tables, VXLAN overlay hops through the
//! remote VTEPs the MAC tables name — rather than on a computed control
//! plane (docs/import.md, "Tracing on observed state").
//!
//! Values are kept as the collector reported them (SuzieQ's column values),
//! including what the network model proper cannot hold: the same address on
//! several interfaces (unnumbered interfaces, anycast gateways), next hops
//! without an interface, bridge and bond membership (`master`).

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// The observed state of a network, per device.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observed {
    /// Where the state came from (collector, directory, namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// One entry per device, each naming a device of the network.
    #[serde(default)]
    pub devices: Vec<ObservedDevice>,
}

impl Observed {
    /// True when there is no observed state.
    pub fn is_empty(&self) -> bool {
        self.devices.is_empty()
    }
}

/// What one device reported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedDevice {
    /// Hostname (a device of the network).
    pub hostname: String,
    /// Interfaces, as listed by the device.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<ObservedInterface>,
    /// Route table entries of every VRF.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<ObservedFibEntry>,
    /// ARP and IPv6 neighbour entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arp: Vec<ArpEntry>,
    /// MAC address table entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub macs: Vec<MacEntry>,
    /// MLAG (MLAG, CLAG, vPC) membership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mlag: Option<MlagMember>,
}

/// One interface as the device listed it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedInterface {
    /// Name (the device's own spelling).
    pub name: String,
    /// Collector's type: `ethernet`, `loopback`, `vlan`, `subinterface`,
    /// `bond`, `bond_slave`, `vxlan`, `vrf`, `bridge`, `macvlan`, …
    #[serde(rename = "type", default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Operational state (`up`, `down`, `notConnected`, …).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub state: String,
    /// Every IPv4 and IPv6 address with its prefix length, in the reported
    /// order; the same address may be on other interfaces too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<IpNet>,
    /// MTU (0: not reported).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub mtu: u32,
    /// VLAN of an SVI or access port, native VLAN of a trunk (0: none).
    #[serde(default, skip_serializing_if = "is_zero_u16")]
    pub vlan: u16,
    /// VRF, bond or bridge this interface belongs to (empty: none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub master: String,
    /// MAC address (lower case, colon separated).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mac: String,
    /// Switchport mode: `access`, `trunk`, `routed`, `unknown`, or empty
    /// when administratively down.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub portmode: String,
    /// Collection time, epoch milliseconds.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub timestamp: i64,
}

/// One route table entry with all its next hops.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedFibEntry {
    /// VRF (`default` for the global table).
    pub vrf: String,
    /// Destination prefix.
    pub prefix: IpNet,
    /// Protocol as reported (`connected` for SuzieQ's `direct`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub protocol: String,
    /// Next-hop addresses, parallel to `oifs` (an entry may be empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub next_hops: Vec<String>,
    /// Outgoing interfaces, parallel to `next_hops`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub oifs: Vec<String>,
    /// Collection time, epoch milliseconds.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub timestamp: i64,
}

/// An ARP (IPv4) or neighbour (IPv6) entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArpEntry {
    /// The neighbour's address.
    pub ip: IpAddr,
    /// The neighbour's MAC address.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mac: String,
    /// The interface it was learned on.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub interface: String,
    /// Learned from a remote VTEP (EVPN) rather than on the wire.
    #[serde(default, skip_serializing_if = "is_false")]
    pub remote: bool,
    /// Entry state as reported (`reachable`, `failed`, `permanent`, …).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub state: String,
    /// Collection time, epoch milliseconds.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub timestamp: i64,
}

/// A MAC address table entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MacEntry {
    /// VLAN (0: none reported).
    #[serde(default, skip_serializing_if = "is_zero_u16")]
    pub vlan: u16,
    /// The MAC address.
    pub mac: String,
    /// The port it was learned on (`vxlan1`, a bond, a VTEP interface, …).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub interface: String,
    /// For an EVPN entry, the VTEP behind which the MAC lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_vtep: Option<IpAddr>,
    /// Collection time, epoch milliseconds.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub timestamp: i64,
}

/// MLAG membership of a device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlagMember {
    /// The pair's system id (both members report the same).
    pub system_id: String,
    /// The peer link interface.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub peer_link: String,
}

// serde's `skip_serializing_if` passes a reference.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(v: &u32) -> bool {
    *v == 0
}
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero_u16(v: &u16) -> bool {
    *v == 0
}
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(v: &bool) -> bool {
    !*v
}
