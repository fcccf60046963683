//! Typed structures of a Cisco IOS running configuration, as the parser
//! ([`super::parse_config`]) reads them: every item keeps the 1-based line
//! number where it starts, so later stages (conversion, reports) can name
//! `file:line`. Nothing here is interpreted yet: values are what the
//! configuration says, with IOS defaults applied only where the syntax
//! implies them (a static route without a distance has distance 1, a
//! route-map clause without a sequence number has 10).

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::Serialize;

/// A value and the 1-based line it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located<T> {
    /// 1-based line number.
    pub line: usize,
    /// The value.
    pub value: T,
}

/// How the lines of one file were classified. Every line of the file is in
/// exactly one class: `lines == cosmetic + understood + not_understood.len()
/// + syntax_errors.len()`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileAccount {
    /// The file's path relative to the snapshot (e.g. `configs/as1border1.cfg`).
    pub file: String,
    /// Number of lines in the file.
    pub lines: usize,
    /// Lines that carry no meaning (`!`, empty, `end`, `Building
    /// configuration`, `Current configuration`, comments, a banner's text).
    pub cosmetic: usize,
    /// Lines read into a typed structure.
    pub understood: usize,
    /// Lines the parser does not model, with their feature group.
    pub not_understood: Vec<NotUnderstood>,
    /// Lines the parser recognised but could not read.
    pub syntax_errors: Vec<SyntaxError>,
}

/// A line the parser does not model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotUnderstood {
    /// 1-based line number.
    pub line: usize,
    /// The line as written (trailing whitespace removed).
    pub text: String,
    /// The feature it belongs to: the top-level command it sits under
    /// (`line vty`, `ntp`, `snmp-server`, `banner`), or `PARENT/COMMAND` for
    /// an unmodelled command inside a modelled block (`interface/duplex`,
    /// `router bgp/bgp dampening`).
    pub feature: String,
}

/// A line the parser recognised but could not read; the rest of the file is
/// still parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyntaxError {
    /// 1-based line number.
    pub line: usize,
    /// The line as written.
    pub text: String,
    /// What is wrong with it.
    pub message: String,
}

/// One Cisco IOS configuration file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IosConfig {
    /// `hostname NAME`.
    pub hostname: Option<Located<String>>,
    /// `version X` (the configuration syntax version, e.g. `15.2`).
    pub version: Option<Located<String>>,
    /// `interface NAME` blocks, in file order.
    pub interfaces: Vec<Interface>,
    /// `ip route …` lines.
    pub static_routes: Vec<StaticRoute>,
    /// `router ospf N` blocks.
    pub ospf: Vec<OspfProcess>,
    /// The `router bgp ASN` block (IOS allows one).
    pub bgp: Option<BgpProcess>,
    /// `ip prefix-list` entries, in file order.
    pub prefix_lists: Vec<PrefixListEntry>,
    /// `route-map NAME permit|deny SEQ` clauses, in file order.
    pub route_maps: Vec<RouteMapClause>,
    /// `ip community-list` entries, in file order.
    pub community_lists: Vec<CommunityListEntry>,
    /// Numbered and named access lists, in order of first appearance.
    pub acls: Vec<Acl>,
    /// `vlan N` blocks.
    pub vlans: Vec<Vlan>,
    /// How each line of the file was classified.
    pub account: FileAccount,
}

impl IosConfig {
    /// The interface called `name` (exact spelling), if configured.
    pub fn interface(&self, name: &str) -> Option<&Interface> {
        self.interfaces.iter().find(|i| i.name == name)
    }

    /// The access list called `name` (a number or a name), if configured.
    pub fn acl(&self, name: &str) -> Option<&Acl> {
        self.acls.iter().find(|a| a.name == name)
    }
}

/// `switchport mode …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SwitchportMode {
    /// `switchport mode access`.
    Access,
    /// `switchport mode trunk`.
    Trunk,
}

/// An inclusive range of VLAN ids (`10-20`, or `30` as `30-30`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VlanRange {
    /// First VLAN id.
    pub first: u16,
    /// Last VLAN id (≥ `first`).
    pub last: u16,
}

/// An `interface NAME` block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Interface {
    /// Line of `interface NAME`.
    pub line: usize,
    /// The name as written (`GigabitEthernet0/0`, `Vlan10`, `Ethernet0/1.100`).
    pub name: String,
    /// `description TEXT`.
    pub description: Option<String>,
    /// `ip address A M` (the address with its prefix length).
    pub address: Option<Ipv4Net>,
    /// `ip address A M secondary`, in order.
    pub secondary: Vec<Ipv4Net>,
    /// `shutdown` (a later `no shutdown` clears it).
    pub shutdown: bool,
    /// `speed N` in Mbit/s (`speed auto` leaves it unset).
    pub speed: Option<u32>,
    /// `mtu N` (layer 2).
    pub mtu: Option<u32>,
    /// `ip mtu N`.
    pub ip_mtu: Option<u32>,
    /// `switchport` (true) or `no switchport` (false), when written.
    pub switchport: Option<bool>,
    /// `switchport mode access|trunk`.
    pub switchport_mode: Option<SwitchportMode>,
    /// `switchport access vlan N`.
    pub access_vlan: Option<u16>,
    /// `switchport trunk allowed vlan …` (after `add`; `all` is 1-4094,
    /// `none` is empty); unset when not written (all VLANs).
    pub trunk_allowed_vlans: Option<Vec<VlanRange>>,
    /// `switchport trunk native vlan N`.
    pub native_vlan: Option<u16>,
    /// `encapsulation dot1Q N` (subinterfaces).
    pub encapsulation_dot1q: Option<u16>,
    /// `vrf forwarding NAME` or `ip vrf forwarding NAME`.
    pub vrf: Option<String>,
    /// `ip access-group NAME in`.
    pub acl_in: Option<String>,
    /// `ip access-group NAME out`.
    pub acl_out: Option<String>,
    /// `ip ospf cost N`.
    pub ospf_cost: Option<u32>,
    /// `ip ospf PROCESS area AREA`.
    pub ospf_area: Option<OspfInterfaceArea>,
}

/// `ip ospf PROCESS area AREA` on an interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OspfInterfaceArea {
    /// OSPF process id.
    pub process: u32,
    /// Area id (dotted areas as their 32-bit value).
    pub area: u32,
}

/// An `ip route …` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaticRoute {
    /// 1-based line.
    pub line: usize,
    /// `ip route vrf NAME …`.
    pub vrf: Option<String>,
    /// Destination prefix.
    pub prefix: Ipv4Net,
    /// Next-hop address, if given.
    pub next_hop_ip: Option<Ipv4Addr>,
    /// Next-hop interface as written (`Null0`, `GigabitEthernet0/1`), if given.
    pub next_hop_interface: Option<String>,
    /// Administrative distance (default 1).
    pub distance: u8,
    /// `tag N`.
    pub tag: Option<u32>,
    /// `name TEXT`.
    pub name: Option<String>,
    /// `permanent`.
    pub permanent: bool,
}

impl StaticRoute {
    /// Whether the route discards (next-hop interface `Null0`).
    pub fn is_null_routed(&self) -> bool {
        self.next_hop_interface
            .as_deref()
            .is_some_and(|i| i.eq_ignore_ascii_case("null0"))
    }
}

/// Where redistributed routes come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RedistributeSource {
    /// `redistribute connected`.
    Connected,
    /// `redistribute static`.
    Static,
    /// `redistribute ospf N`.
    Ospf(u32),
    /// `redistribute bgp ASN`.
    Bgp(u32),
}

/// A `redistribute …` line (OSPF or BGP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redistribute {
    /// 1-based line.
    pub line: usize,
    /// The source protocol.
    pub source: RedistributeSource,
    /// `subnets` (OSPF: classless redistribution).
    pub subnets: bool,
    /// `metric N`.
    pub metric: Option<u32>,
    /// `metric-type 1|2` (OSPF external type).
    pub metric_type: Option<u8>,
    /// `route-map NAME`.
    pub route_map: Option<String>,
}

/// An OSPF `network A W area X` statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OspfNetwork {
    /// 1-based line.
    pub line: usize,
    /// Address.
    pub address: Ipv4Addr,
    /// Wildcard mask (bits set = don't care; need not be contiguous).
    pub wildcard: Ipv4Addr,
    /// Area id (dotted areas as their 32-bit value).
    pub area: u32,
}

/// `default-information originate …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefaultInformation {
    /// 1-based line.
    pub line: usize,
    /// `always`: originate even without a default route.
    pub always: bool,
    /// `metric N`.
    pub metric: Option<u32>,
    /// `metric-type 1|2`.
    pub metric_type: Option<u8>,
    /// `route-map NAME`.
    pub route_map: Option<String>,
}

/// A `router ospf N` block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OspfProcess {
    /// Line of `router ospf N`.
    pub line: usize,
    /// Process id.
    pub process_id: u32,
    /// `router ospf N vrf NAME`.
    pub vrf: Option<String>,
    /// `router-id A`.
    pub router_id: Option<Ipv4Addr>,
    /// `network A W area X` statements.
    pub networks: Vec<OspfNetwork>,
    /// `passive-interface default`.
    pub passive_default: bool,
    /// `passive-interface NAME`.
    pub passive_interfaces: Vec<String>,
    /// `no passive-interface NAME` (exceptions to `passive-interface default`).
    pub non_passive_interfaces: Vec<String>,
    /// `redistribute …`.
    pub redistribute: Vec<Redistribute>,
    /// `default-information originate …`.
    pub default_information: Option<DefaultInformation>,
    /// `auto-cost reference-bandwidth N` (Mbit/s).
    pub reference_bandwidth: Option<u32>,
}

/// A BGP neighbor (by address) or peer group (by name): the session-level
/// settings written outside or inside an address family.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BgpPeer {
    /// First line that names it.
    pub line: usize,
    /// The address as written, or the peer-group name.
    pub name: String,
    /// The neighbor's address (`None` for a peer group).
    pub address: Option<Ipv4Addr>,
    /// The VRF of the address family it was declared in.
    pub vrf: Option<String>,
    /// `neighbor X remote-as ASN`.
    pub remote_as: Option<u32>,
    /// `neighbor X peer-group GROUP` (membership).
    pub peer_group: Option<String>,
    /// `neighbor X update-source IFACE`.
    pub update_source: Option<String>,
    /// `neighbor X description TEXT`.
    pub description: Option<String>,
}

/// Per-address-family settings of one neighbor or peer group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BgpAfNeighbor {
    /// First line that names it in this address family.
    pub line: usize,
    /// The address as written, or the peer-group name.
    pub name: String,
    /// `neighbor X activate`.
    pub activate: bool,
    /// `neighbor X next-hop-self`.
    pub next_hop_self: bool,
    /// `neighbor X send-community [both|standard|extended]`.
    pub send_community: bool,
    /// `neighbor X route-reflector-client`.
    pub route_reflector_client: bool,
    /// `neighbor X route-map NAME in`.
    pub route_map_in: Option<String>,
    /// `neighbor X route-map NAME out`.
    pub route_map_out: Option<String>,
    /// `neighbor X advertise additional-paths …` (ADD-PATH: which paths).
    pub advertise_additional_paths: bool,
    /// `neighbor X additional-paths send` (ADD-PATH send capability).
    pub additional_paths_send: bool,
    /// `neighbor X additional-paths receive` (ADD-PATH receive capability).
    pub additional_paths_receive: bool,
}

/// A BGP `network A mask M [route-map R]` statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BgpNetwork {
    /// 1-based line.
    pub line: usize,
    /// The prefix (classful when `mask` is omitted).
    pub prefix: Ipv4Net,
    /// `route-map NAME`.
    pub route_map: Option<String>,
}

/// `aggregate-address A M [summary-only] [as-set]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BgpAggregate {
    /// 1-based line.
    pub line: usize,
    /// The aggregate prefix.
    pub prefix: Ipv4Net,
    /// `summary-only`: suppress the more specific routes.
    pub summary_only: bool,
    /// `as-set`.
    pub as_set: bool,
}

/// An IPv4 address family of `router bgp`: the implicit global one (lines
/// outside any `address-family`, or `address-family ipv4 [unicast]`) or
/// `address-family ipv4 vrf NAME`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BgpAddressFamily {
    /// Line of `address-family …` (`None` for settings written outside one).
    pub line: Option<usize>,
    /// `address-family ipv4 vrf NAME`.
    pub vrf: Option<String>,
    /// Per-neighbor settings.
    pub neighbors: Vec<BgpAfNeighbor>,
    /// `network …`.
    pub networks: Vec<BgpNetwork>,
    /// `redistribute …`.
    pub redistribute: Vec<Redistribute>,
    /// `aggregate-address …`.
    pub aggregates: Vec<BgpAggregate>,
    /// `maximum-paths N` (eBGP).
    pub maximum_paths: Option<u32>,
    /// `maximum-paths ibgp N`.
    pub maximum_paths_ibgp: Option<u32>,
    /// `maximum-paths eibgp N`.
    pub maximum_paths_eibgp: Option<u32>,
    /// `bgp additional-paths select …` (ADD-PATH: candidate paths selected).
    pub additional_paths_select: bool,
    /// `bgp additional-paths … send …` (ADD-PATH send, every neighbor).
    pub additional_paths_send: bool,
    /// `bgp additional-paths … receive …` (ADD-PATH receive, every neighbor).
    pub additional_paths_receive: bool,
}

/// A `router bgp ASN` block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BgpProcess {
    /// Line of `router bgp ASN`.
    pub line: usize,
    /// Local AS number (asdot `X.Y` as its 32-bit value).
    pub asn: u32,
    /// `bgp router-id A`.
    pub router_id: Option<Ipv4Addr>,
    /// Neighbors (by address) and peer groups (by name).
    pub peers: Vec<BgpPeer>,
    /// `neighbor NAME peer-group` definitions, by name.
    pub peer_groups: Vec<Located<String>>,
    /// Address families; the global IPv4 unicast one first when present.
    pub address_families: Vec<BgpAddressFamily>,
}

/// `permit` or `deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// `permit`.
    Permit,
    /// `deny`.
    Deny,
}

/// An `ip prefix-list NAME [seq N] permit|deny P/L [ge N] [le N]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrefixListEntry {
    /// 1-based line.
    pub line: usize,
    /// List name.
    pub name: String,
    /// `seq N`, when written.
    pub seq: Option<u32>,
    /// Permit or deny.
    pub action: Action,
    /// The prefix.
    pub prefix: Ipv4Net,
    /// `ge N`.
    pub ge: Option<u8>,
    /// `le N`.
    pub le: Option<u8>,
}

/// A route-map `match`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteMapMatch {
    /// `match ip address ACL…` (access lists by number or name).
    IpAddress(Vec<String>),
    /// `match ip address prefix-list NAME…`.
    IpAddressPrefixList(Vec<String>),
    /// `match community LIST… [exact-match]`.
    Community {
        /// Community-list names.
        lists: Vec<String>,
        /// `exact-match`.
        exact: bool,
    },
}

/// A route-map `set`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteMapSet {
    /// `set local-preference N`.
    LocalPreference(u32),
    /// `set metric N`.
    Metric(u32),
    /// `set weight N`.
    Weight(u32),
    /// `set community C… [additive]` (`none` is an empty list).
    Community {
        /// Communities as written (`2:1`, `no-export`, a number).
        communities: Vec<String>,
        /// `additive`: add to the existing communities.
        additive: bool,
    },
    /// `set as-path prepend ASN…`.
    AsPathPrepend(Vec<u32>),
}

/// A `route-map NAME permit|deny SEQ` clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteMapClause {
    /// Line of `route-map …`.
    pub line: usize,
    /// Route-map name.
    pub name: String,
    /// Permit (default) or deny.
    pub action: Action,
    /// Sequence number (default 10).
    pub seq: u32,
    /// `match …` lines, with their line numbers.
    pub matches: Vec<Located<RouteMapMatch>>,
    /// `set …` lines, with their line numbers.
    pub sets: Vec<Located<RouteMapSet>>,
}

/// Standard or expanded (community lists) / standard or extended (ACLs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListKind {
    /// Standard.
    Standard,
    /// Expanded community list (regular expressions).
    Expanded,
    /// Extended access list.
    Extended,
}

/// An `ip community-list …` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommunityListEntry {
    /// 1-based line.
    pub line: usize,
    /// List name or number.
    pub name: String,
    /// Standard or expanded.
    pub kind: ListKind,
    /// Permit or deny.
    pub action: Action,
    /// What follows the action (communities, or a regular expression).
    pub text: String,
}

/// An access-list entry, kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AclEntry {
    /// 1-based line.
    pub line: usize,
    /// The entry (`permit ip any any`, `10 deny tcp …`, `remark …`).
    pub text: String,
}

/// A numbered (`access-list N …`) or named (`ip access-list standard|extended
/// NAME`) IPv4 access list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acl {
    /// Line of the first entry (numbered) or of the `ip access-list` line.
    pub line: usize,
    /// Number or name.
    pub name: String,
    /// Standard or extended.
    pub kind: ListKind,
    /// Entries in order.
    pub entries: Vec<AclEntry>,
}

/// A `vlan N` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vlan {
    /// Line of `vlan N`.
    pub line: usize,
    /// VLAN id.
    pub id: u16,
    /// ` name NAME`.
    pub name: Option<String>,
}
