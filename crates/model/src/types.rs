//! The network model: plain data describing what a network *is*.
//!
//! These types are the YAML model format (docs/model.md) one to one: every
//! field here is a key in the file, with the same snake_case name. They carry
//! no behaviour beyond small, obvious helpers; meaning is given to them by the
//! engine. Validation (references, duplicates, syntax of ACL lines) lives in
//! [`crate::validate`] and runs on load.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A whole network: devices, the links between them, hosts, wireless,
/// unmanaged clouds and collected telemetry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// The network's name; part of every id (`pathtrace:{network}:{kind}:{name}`).
    pub name: String,
    /// Free text shown nowhere but in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Managed devices: switches, routers, wireless controllers, access points.
    #[serde(default)]
    pub devices: Vec<Device>,
    /// Physical links, each between two device interfaces.
    #[serde(default)]
    pub links: Vec<Link>,
    /// End hosts, wired or wireless.
    #[serde(default)]
    pub hosts: Vec<Host>,
    /// Wireless controllers, their SSIDs and their access points.
    #[serde(default, skip_serializing_if = "Wireless::is_empty")]
    pub wireless: Wireless,
    /// Unmanaged clouds (a WAN, a provider, the Internet).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clouds: Vec<Cloud>,
    /// What a collector observed: device, interface, QoS and flow statistics,
    /// each with its collection time (see [`crate::telemetry`]).
    #[serde(default, skip_serializing_if = "crate::telemetry::Telemetry::is_empty")]
    pub telemetry: crate::telemetry::Telemetry,
    /// Forwarding state a collector read from the devices (see
    /// [`crate::observed`]); when present, traces follow it.
    #[serde(default, skip_serializing_if = "crate::observed::Observed::is_empty")]
    pub observed: crate::observed::Observed,
}

/// A managed device, with the inventory facts DNA Center reports for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// Hostname, unique in the network (DNA Center `hostname`).
    pub hostname: String,
    /// Management IP (DNA Center `managementIpAddress`); shown as the element's `ip`.
    pub management_ip: IpAddr,
    /// Inventory family as DNA Center names it: "Switches and Hubs", "Routers",
    /// "Wireless Controller", "Unified AP", …; the path element's `type`.
    pub family: String,
    /// Product type, e.g. "Cisco Catalyst 9300 Switch" (DNA Center `type`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
    /// Role: ACCESS, DISTRIBUTION, CORE, BORDER ROUTER or UNKNOWN.
    #[serde(default = "default_role")]
    pub role: String,
    /// Platform id, e.g. "C9300-24U".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_id: Option<String>,
    /// Series, e.g. "Cisco Catalyst 9300 Series Switches".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    /// Software type: IOS, IOS-XE, NX-OS, Cisco Controller, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_type: Option<String>,
    /// Software version, e.g. "16.6.1" (what the notebooks' bonus prints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
    /// Serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// Base MAC address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    /// Uptime as DNA Center prints it, e.g. "21 days, 3:04:05.00".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uptime: Option<String>,
    /// Vendor (DNA Center `vendor`); default "Cisco".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Whether the device routes between its L3 interfaces (`ip routing`).
    /// Default true. L2 switches, APs and controllers set false and use
    /// `default_gateway` for their own traffic.
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub ip_routing: bool,
    /// Gateway for traffic the device itself originates when it does not route
    /// (`ip default-gateway`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_gateway: Option<IpAddr>,
    /// Spanning-tree bridge priority (lower wins the root election); default 32768.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stp_priority: Option<u16>,
    /// VLANs defined on this device (its VLAN database).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vlans: Vec<Vlan>,
    /// VRFs defined on this device besides the global table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vrfs: Vec<Vrf>,
    /// Interfaces: physical ports, SVIs, subinterfaces, loopbacks, tunnels.
    #[serde(default)]
    pub interfaces: Vec<Interface>,
    /// Configured static routes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub static_routes: Vec<StaticRoute>,
    /// OSPF process (one per device).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ospf: Option<Ospf>,
    /// Access lists, applied on interfaces with `acl_in` / `acl_out`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acls: Vec<Acl>,
    /// Observed route tables. When a VRF has observed routes, they *are* that
    /// VRF's RIB on this device: nothing is computed for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<ObservedRoute>,
    /// BGP process (one per device, global table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bgp: Option<crate::routing::Bgp>,
    /// Route-maps (BGP policy, redistribution filters).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub route_maps: Vec<crate::routing::RouteMap>,
    /// IP prefix lists (matched by route-maps).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix_lists: Vec<crate::routing::PrefixList>,
    /// BGP community lists (matched by route-maps).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub community_lists: Vec<crate::routing::CommunityList>,
}

/// A VLAN in a device's VLAN database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vlan {
    /// 802.1Q VLAN id, 1–4094.
    pub id: u16,
    /// Optional name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A VRF defined on a device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vrf {
    /// VRF name (interfaces refer to it by `vrf`).
    pub name: String,
    /// Route distinguisher, informational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rd: Option<String>,
}

/// Administrative or operational state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Up.
    #[default]
    Up,
    /// Down.
    Down,
}

/// Switchport mode of a physical interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PortMode {
    /// Routed port (`no switchport`): an L3 interface of its own.
    Routed,
    /// Access port in one VLAN (`access_vlan`).
    Access,
    /// 802.1Q trunk (`allowed_vlans`, `native_vlan`).
    Trunk,
}

/// What an interface is. Inferred from its name when not given: `Vlan<N>` is
/// an SVI, a name with a dot a subinterface, `Loopback…` a loopback,
/// `Tunnel…` a tunnel, `Null…` the discard interface, anything else physical.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InterfaceKind {
    /// A physical port (or a port-channel, treated as one port).
    Physical,
    /// A VLAN interface: an L3 interface on a VLAN of this device. Also a
    /// wireless controller's dynamic interface (any name, with `vlan`).
    Svi,
    /// An 802.1Q subinterface of a routed port (`encapsulation`).
    Subinterface,
    /// A loopback.
    Loopback,
    /// A tunnel interface.
    Tunnel,
}

impl InterfaceKind {
    /// The kind an interface name implies.
    pub fn infer(name: &str) -> Self {
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("vlan")
            && lower[4..].chars().all(|c| c.is_ascii_digit())
            && name.len() > 4
        {
            InterfaceKind::Svi
        } else if lower.starts_with("loopback")
            || lower == "lo"
            || lower.starts_with("lo")
                && lower[2..].chars().all(|c| c.is_ascii_digit())
                && name.len() > 2
        {
            InterfaceKind::Loopback
        } else if lower.starts_with("tunnel") {
            InterfaceKind::Tunnel
        } else if name.contains('.') {
            InterfaceKind::Subinterface
        } else {
            InterfaceKind::Physical
        }
    }
}

/// An interface of a device.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interface {
    /// Full interface name, e.g. "GigabitEthernet1/0/1" (references may abbreviate: "Gi1/0/1").
    pub name: String,
    /// Kind; inferred from the name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<InterfaceKind>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Administrative state; default up.
    #[serde(default, skip_serializing_if = "is_up")]
    pub admin: State,
    /// Operational state; default up.
    #[serde(default, skip_serializing_if = "is_up")]
    pub oper: State,
    /// Switchport mode of a physical port. Default: `routed` when the port
    /// has an address or no VLAN settings, else `access`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<PortMode>,
    /// Access VLAN (mode access); default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_vlan: Option<u16>,
    /// VLANs allowed on a trunk: "all" (the default), or a list such as "1,10-20".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_vlans: Option<String>,
    /// Native (untagged) VLAN of a trunk; default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native_vlan: Option<u16>,
    /// VLAN of an SVI or dynamic interface (inferred from `Vlan<N>` names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u16>,
    /// 802.1Q tag of a subinterface (`encapsulation dot1Q N`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encapsulation: Option<u16>,
    /// Primary address with its prefix length, e.g. "10.1.1.1/24".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpNet>,
    /// Secondary addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondary: Vec<IpNet>,
    /// VRF (absent: the global table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vrf: Option<String>,
    /// MTU in bytes; default 1500.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Speed in kbit/s (as DNA Center reports `speed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<u64>,
    /// Interface MAC address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    /// ACL applied inbound (`ip access-group NAME in`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl_in: Option<String>,
    /// ACL applied outbound (`ip access-group NAME out`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl_out: Option<String>,
    /// OSPF settings of this interface (it runs OSPF when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ospf: Option<InterfaceOspf>,
}

impl Interface {
    /// The interface's kind, explicit or inferred from its name.
    pub fn kind(&self) -> InterfaceKind {
        self.kind
            .unwrap_or_else(|| InterfaceKind::infer(&self.name))
    }

    /// The VLAN of an SVI: explicit `vlan`, else the number in `Vlan<N>`.
    pub fn svi_vlan(&self) -> Option<u16> {
        self.vlan.or_else(|| {
            let lower = self.name.to_ascii_lowercase();
            lower.strip_prefix("vlan").and_then(|n| n.parse().ok())
        })
    }

    /// The switchport mode of a physical port, explicit or defaulted.
    pub fn port_mode(&self) -> PortMode {
        self.mode.unwrap_or(
            if self.ip.is_none()
                && (self.access_vlan.is_some()
                    || self.allowed_vlans.is_some()
                    || self.native_vlan.is_some())
            {
                if self.access_vlan.is_some() {
                    PortMode::Access
                } else {
                    PortMode::Trunk
                }
            } else {
                PortMode::Routed
            },
        )
    }

    /// Whether the interface is administratively and operationally up.
    pub fn is_up(&self) -> bool {
        self.admin == State::Up && self.oper == State::Up
    }

    /// All addresses: primary first, then secondaries.
    pub fn addresses(&self) -> impl Iterator<Item = &IpNet> {
        self.ip.iter().chain(self.secondary.iter())
    }
}

/// OSPF on an interface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterfaceOspf {
    /// Area id: an integer or dotted quad ("0.0.0.0").
    pub area: AreaId,
    /// Cost; default reference bandwidth / interface speed (at least 1), or 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<u32>,
    /// Passive: the prefix is advertised, no adjacency is formed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub passive: bool,
}

/// An OSPF area id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaId(pub u32);

impl AreaId {
    /// The backbone, area 0.
    pub const BACKBONE: AreaId = AreaId(0);
}

impl fmt::Display for AreaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for AreaId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.0)
    }
}

impl<'de> Deserialize<'de> for AreaId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = AreaId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an OSPF area id (an integer or a dotted quad such as 0.0.0.0)")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<AreaId, E> {
                u32::try_from(v)
                    .map(AreaId)
                    .map_err(|_| E::custom("area id out of range"))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<AreaId, E> {
                u32::try_from(v)
                    .map(AreaId)
                    .map_err(|_| E::custom("area id out of range"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<AreaId, E> {
                if let Ok(n) = v.parse::<u32>() {
                    return Ok(AreaId(n));
                }
                v.parse::<std::net::Ipv4Addr>()
                    .map(|a| AreaId(u32::from(a)))
                    .map_err(|_| E::custom(format!("invalid OSPF area id {v:?}")))
            }
        }
        d.deserialize_any(V)
    }
}

/// A device's OSPF process.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ospf {
    /// Router id; default the highest loopback address, else the highest address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub router_id: Option<std::net::Ipv4Addr>,
    /// Reference bandwidth in Mbit/s for default costs; default 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_bandwidth: Option<u64>,
    /// Per-area settings (summarisation at an area border).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<OspfArea>,
    /// Originate a default route (external type 2) when this router has one
    /// (`default-information originate`); `always` originates it regardless.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_information_originate: Option<DefaultOriginate>,
    /// Redistribute these route sources as external routes (type 2 unless
    /// `metric_type: 1`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redistribute: Vec<Redistribute>,
    /// `default-information originate` metric (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_information_metric: Option<u32>,
    /// `default-information originate` metric type (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_information_metric_type: Option<u8>,
}

/// `default-information originate` variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DefaultOriginate {
    /// Only while this router has a default route of its own.
    Conditional,
    /// Always.
    Always,
}

/// A route source redistributed into a routing protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RouteSource {
    /// Connected subnets (into OSPF: those not running OSPF).
    Connected,
    /// Static routes.
    Static,
    /// OSPF routes (into BGP).
    Ospf,
    /// BGP routes (into OSPF).
    Bgp,
}

/// A source redistributed into OSPF: `connected`, `static`, `bgp` as a plain
/// word, or a map with the options IOS has (`redistribute connected subnets
/// metric 30 metric-type 1 route-map RM`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redistribute {
    /// What is redistributed.
    pub source: RouteSource,
    /// `subnets`: also subnets of classful networks (IOS needs the keyword;
    /// without it only classful networks are redistributed). Default true.
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub subnets: bool,
    /// External metric; default 20 (1 for BGP-sourced routes, as IOS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
    /// External type 1 or 2; default 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_type: Option<u8>,
    /// Route-map filtering what is redistributed (a name in `route_maps`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_map: Option<String>,
}

impl Redistribute {
    /// A plain redistribution of `source` with every default.
    pub fn of(source: RouteSource) -> Self {
        Redistribute {
            source,
            subnets: true,
            metric: None,
            metric_type: None,
            route_map: None,
        }
    }
}

impl<'de> Deserialize<'de> for Redistribute {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Long {
            source: RouteSource,
            #[serde(default = "default_true")]
            subnets: bool,
            #[serde(default)]
            metric: Option<u32>,
            #[serde(default)]
            metric_type: Option<u8>,
            #[serde(default)]
            route_map: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Short(RouteSource),
            Long(Long),
        }
        match Either::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "expected connected, static, ospf, bgp or {source, subnets, metric, metric_type, route_map}",
            )
        })? {
            Either::Short(s) => Ok(Redistribute::of(s)),
            Either::Long(l) => Ok(Redistribute {
                source: l.source,
                subnets: l.subnets,
                metric: l.metric,
                metric_type: l.metric_type,
                route_map: l.route_map,
            }),
        }
    }
}

/// Settings of one OSPF area on a router.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OspfArea {
    /// The area.
    pub id: AreaId,
    /// `area N range PREFIX`: on an area border router, the intra-area
    /// prefixes inside a range are advertised to other areas as that range.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<IpNet>,
}

/// A configured static route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticRoute {
    /// Destination prefix (host bits must be zero).
    pub prefix: IpNet,
    /// Next-hop address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_hop: Option<IpAddr>,
    /// Outgoing interface; "Null0" makes a discard (null) route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// Administrative distance; default 1 (a floating static sets more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance: Option<u8>,
    /// VRF of the route (absent: global).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vrf: Option<String>,
}

/// A route as it was observed in a device's table (`show ip route`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedRoute {
    /// VRF (absent: global).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vrf: Option<String>,
    /// Destination prefix.
    pub prefix: IpNet,
    /// Protocol as observed: connected, local, static, ospf, bgp, isis, eigrp, …
    pub protocol: String,
    /// Next hops (several for ECMP). Empty with `discard` for a null route.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub next_hops: Vec<NextHop>,
    /// A discard (null) route.
    #[serde(default, skip_serializing_if = "is_false")]
    pub discard: bool,
    /// Administrative distance, as observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance: Option<u8>,
    /// Metric, as observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
}

/// One next hop of an observed route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextHop {
    /// Next-hop address (absent for a directly connected route).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    /// Outgoing interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
}

/// Standard or extended access list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AclKind {
    /// Matches on source address only.
    Standard,
    /// Matches on protocol, addresses, ports, `established`.
    Extended,
}

/// An access list: IOS access-list entries, one per line, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acl {
    /// Name (or number).
    pub name: String,
    /// Standard or extended; default extended (numbers 1–99 and 1300–1999: standard).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<AclKind>,
    /// Entries in IOS syntax, e.g. "10 permit tcp any host 10.1.1.1 eq 443",
    /// "deny ip 10.0.0.0 0.255.255.255 any", "remark text". An implicit
    /// `deny ip any any` ends every list.
    #[serde(default)]
    pub entries: Vec<String>,
}

impl Acl {
    /// The list's kind, explicit or implied by its number.
    pub fn kind(&self) -> AclKind {
        self.kind.unwrap_or_else(|| match self.name.parse::<u32>() {
            Ok(n) if (1..=99).contains(&n) || (1300..=1999).contains(&n) => AclKind::Standard,
            _ => AclKind::Extended,
        })
    }
}

/// A reference to a device interface: `{device: X, interface: Y}` or the
/// short form `"X:Y"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// Device hostname.
    pub device: String,
    /// Interface name (may be abbreviated: "Gi1/0/1").
    pub interface: String,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.device, self.interface)
    }
}

impl Serialize for Endpoint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Endpoint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Long {
            device: String,
            interface: String,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Short(String),
            Long(Long),
        }
        match Either::deserialize(d)? {
            Either::Long(l) => Ok(Endpoint {
                device: l.device,
                interface: l.interface,
            }),
            Either::Short(s) => match s.split_once(':') {
                Some((dev, ifname)) if !dev.is_empty() && !ifname.is_empty() => Ok(Endpoint {
                    device: dev.to_string(),
                    interface: ifname.to_string(),
                }),
                _ => Err(serde::de::Error::custom(format!(
                    "expected DEVICE:INTERFACE or {{device, interface}}, got {s:?}"
                ))),
            },
        }
    }
}

/// A physical link between two interfaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// One end.
    pub a: Endpoint,
    /// The other end.
    pub b: Endpoint,
}

/// Wired or wireless host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HostKind {
    /// Attached to a switch port.
    #[default]
    Wired,
    /// Associated to an access point's SSID.
    Wireless,
}

impl HostKind {
    /// DNA Center's host `type` string.
    pub fn as_str(self) -> &'static str {
        match self {
            HostKind::Wired => "wired",
            HostKind::Wireless => "wireless",
        }
    }
}

/// An end host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Host {
    /// Address with the host's subnet mask, e.g. "10.10.22.114/28".
    pub ip: IpNet,
    /// Optional label (DNA Center does not show host names in a path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// MAC address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Wired (default) or wireless.
    #[serde(default)]
    pub kind: HostKind,
    /// VLAN the host sits in (wired: checked against the access port;
    /// wireless: derived from the SSID when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u16>,
    /// Default gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<IpAddr>,
    /// Wired: the switch (or router) the host is plugged into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switch: Option<String>,
    /// Wired: the port on `switch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// Wireless: the access point the client is associated to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ap: Option<String>,
    /// Wireless: the SSID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssid: Option<String>,
    /// The host's network interface name (e.g. `eth0`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// Packets the host accepts (iptables `INPUT`), as an access list with an
    /// implicit final deny; absent: everything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl_in: Option<Acl>,
    /// Packets the host may send (iptables `OUTPUT`); absent: everything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl_out: Option<Acl>,
}

/// Wireless: controllers and access points.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wireless {
    /// Wireless LAN controllers.
    #[serde(default)]
    pub controllers: Vec<Controller>,
    /// Access points (each also a device with family "Unified AP").
    #[serde(default)]
    pub aps: Vec<AccessPoint>,
}

impl Wireless {
    /// True when nothing wireless is modelled.
    pub fn is_empty(&self) -> bool {
        self.controllers.is_empty() && self.aps.is_empty()
    }
}

/// A wireless LAN controller (itself a device).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Controller {
    /// The controller's hostname in `devices`.
    pub device: String,
    /// SSIDs and the client VLAN each maps to. The controller's dynamic
    /// interface for a client VLAN is its SVI-kind interface with that `vlan`.
    #[serde(default)]
    pub ssids: Vec<Ssid>,
}

/// An SSID served by a controller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ssid {
    /// The SSID.
    pub name: String,
    /// Client VLAN (its dynamic interface on the controller).
    pub vlan: u16,
    /// WLAN id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wlan_id: Option<u16>,
}

/// An access point joined to a controller (CAPWAP, central switching).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessPoint {
    /// The AP's hostname in `devices`.
    pub device: String,
    /// The controller's hostname.
    pub controller: String,
}

/// An unmanaged cloud: one `UNKNOWN` hop standing for devices outside the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cloud {
    /// Name, unique among clouds (part of the cloud's id).
    pub name: String,
    /// Where managed interfaces meet the cloud.
    #[serde(default)]
    pub attachments: Vec<CloudAttachment>,
}

/// One managed interface attached to a cloud.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudAttachment {
    /// Device hostname.
    pub device: String,
    /// Interface on that device facing the cloud.
    pub interface: String,
    /// Prefixes that lie behind this attachment: a packet for one of them
    /// leaves the cloud here (longest match wins; ties are ECMP branches).
    #[serde(default)]
    pub prefixes: Vec<IpNet>,
}

fn default_role() -> String {
    "UNKNOWN".to_string()
}
fn default_true() -> bool {
    true
}
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_true(b: &bool) -> bool {
    *b
}
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(b: &bool) -> bool {
    !*b
}
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_up(s: &State) -> bool {
    *s == State::Up
}
