//! Routing policy and BGP configuration: what `router bgp`, `route-map`,
//! `ip prefix-list` and `ip community-list` say, as plain data.
//!
//! These are the model's BGP keys (docs/model.md, "BGP and routing policy").
//! The engine computes sessions, best paths and the fixed point between BGP
//! and the IGP from them; importers (Cisco IOS snapshots) fill them in.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::types::RouteSource;

/// A device's BGP process (global table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bgp {
    /// Local autonomous system number.
    pub asn: u32,
    /// Router id; default the highest loopback address, else the highest address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub router_id: Option<Ipv4Addr>,
    /// Configured neighbors (peer-group settings already applied).
    #[serde(default)]
    pub neighbors: Vec<BgpNeighbor>,
    /// `network P [route-map RM]`: originate P when the RIB has exactly P.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<BgpNetwork>,
    /// `redistribute connected|static|ospf [route-map RM] [metric N]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redistribute: Vec<BgpRedistribute>,
    /// `aggregate-address P [summary-only] [as-set]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aggregates: Vec<BgpAggregate>,
    /// `maximum-paths N`: eBGP multipath; default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_paths: Option<u32>,
    /// `maximum-paths ibgp N`: iBGP multipath; default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_paths_ibgp: Option<u32>,
    /// `maximum-paths eibgp N`: multipath over eBGP and iBGP paths alike.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_paths_eibgp: Option<u32>,
}

/// One BGP neighbor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BgpNeighbor {
    /// The peer's address.
    pub ip: IpAddr,
    /// The peer's AS (equal to the local AS: iBGP).
    pub remote_as: u32,
    /// `update-source IFACE`: the local interface whose address the session uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_source: Option<String>,
    /// `next-hop-self`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub next_hop_self: bool,
    /// `route-reflector-client`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub route_reflector_client: bool,
    /// `send-community`: communities are sent to this peer (stripped otherwise).
    #[serde(default, skip_serializing_if = "is_false")]
    pub send_community: bool,
    /// Inbound route-map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_map_in: Option<String>,
    /// Outbound route-map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_map_out: Option<String>,
    /// `ebgp-multihop N` (eBGP peers not directly connected); default 1 hop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ebgp_multihop: Option<u8>,
    /// ADD-PATH send: every path is advertised to this neighbor, not only the
    /// best (IOS: `bgp additional-paths select all` and `… send` in the
    /// address family, `neighbor X advertise additional-paths all`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub additional_paths_send: bool,
    /// ADD-PATH receive: several paths per prefix are accepted from this
    /// neighbor (`bgp additional-paths receive`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub additional_paths_receive: bool,
    /// Administratively shut down (`neighbor X shutdown`) or not activated.
    #[serde(default, skip_serializing_if = "is_false")]
    pub shutdown: bool,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A `network` statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BgpNetwork {
    /// The prefix (originated only while the RIB has exactly this prefix).
    pub prefix: IpNet,
    /// Route-map applied to the originated route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_map: Option<String>,
}

/// A source redistributed into BGP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BgpRedistribute {
    /// What is redistributed.
    pub source: RouteSource,
    /// Route-map filtering and setting attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_map: Option<String>,
    /// MED of the redistributed routes (default: the route's metric).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
}

/// An `aggregate-address`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BgpAggregate {
    /// The aggregate; originated while a more specific BGP route exists.
    pub prefix: IpNet,
    /// `summary-only`: the more specific routes are not advertised.
    #[serde(default, skip_serializing_if = "is_false")]
    pub summary_only: bool,
    /// `as-set`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub as_set: bool,
}

/// Permit or deny (route-maps, prefix lists, community lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyAction {
    /// `permit`.
    Permit,
    /// `deny`.
    Deny,
}

/// A route-map: clauses evaluated in sequence order; a route no clause
/// matches is denied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteMap {
    /// Name.
    pub name: String,
    /// Clauses (evaluated in `seq` order).
    #[serde(default)]
    pub clauses: Vec<RouteMapClause>,
}

/// One `route-map NAME permit|deny SEQ` clause: every `match` must hold
/// (a clause without matches matches everything).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteMapClause {
    /// Sequence number.
    pub seq: u32,
    /// Permit or deny.
    pub action: PolicyAction,
    /// Conditions (all must hold; within one, any listed name may match).
    #[serde(default, rename = "match", skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<RouteMapMatch>,
    /// Attribute changes of a permitted route.
    #[serde(default, rename = "set", skip_serializing_if = "Vec::is_empty")]
    pub sets: Vec<RouteMapSet>,
}

/// A route-map condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RouteMapMatch {
    /// `match ip address prefix-list NAME…`.
    PrefixList(Vec<String>),
    /// `match ip address ACL…`: a standard list matches the network address;
    /// an extended list matches network (as source) and mask (as destination).
    AccessList(Vec<String>),
    /// `match community LIST…`.
    Community(Vec<String>),
}

/// A route-map attribute change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RouteMapSet {
    /// `set local-preference N`.
    LocalPreference(u32),
    /// `set metric N` (BGP MED, or the redistributed metric).
    Metric(u32),
    /// `set weight N`.
    Weight(u32),
    /// `set community C… [additive]`.
    Community {
        /// Communities (`2:1`, `no-export`, `internet`, a 32-bit number).
        communities: Vec<String>,
        /// Add to the route's communities instead of replacing them.
        #[serde(default, skip_serializing_if = "is_false")]
        additive: bool,
    },
    /// `set as-path prepend ASN…`.
    AsPathPrepend(Vec<u32>),
    /// `set metric-type type-1|type-2` (redistribution into OSPF).
    MetricType(u8),
}

/// An IP prefix list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrefixList {
    /// Name.
    pub name: String,
    /// Entries, evaluated in `seq` order; no match: deny.
    #[serde(default)]
    pub entries: Vec<PrefixListEntry>,
}

/// `seq N permit|deny P/L [ge G] [le L]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrefixListEntry {
    /// Sequence number.
    pub seq: u32,
    /// Permit or deny.
    pub action: PolicyAction,
    /// Prefix (its first `len` bits must match).
    pub prefix: IpNet,
    /// Minimum prefix length matched (default: the prefix's own length, or
    /// `len + 1` … when only `le` is given, IOS semantics).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ge: Option<u8>,
    /// Maximum prefix length matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub le: Option<u8>,
}

/// Standard (communities) or expanded (regular expression) community list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommunityListKind {
    /// Entries list communities; a route matches when it has all of them.
    Standard,
    /// Entries are regular expressions over the route's community string
    /// (`2:1 65001:10`, each `AA:NN`, space separated).
    Expanded,
}

/// An `ip community-list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunityList {
    /// Name or number.
    pub name: String,
    /// Standard or expanded.
    pub kind: CommunityListKind,
    /// Entries in order; the first that matches decides; no match: deny.
    #[serde(default)]
    pub entries: Vec<CommunityListEntry>,
}

/// One community-list entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunityListEntry {
    /// Permit or deny.
    pub action: PolicyAction,
    /// Standard: communities separated by spaces; expanded: a regular expression.
    pub value: String,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(b: &bool) -> bool {
    !*b
}
