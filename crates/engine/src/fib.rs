//! Forwarding tables: longest-prefix match over a `prefix-trie` map per
//! device and VRF, with compact, shared values.
//!
//! A FIB value is a few bytes: an index into the data plane's interned route
//! attributes (protocol, distance, metric) and an action whose next-hop set
//! is itself interned. Devices with the same next-hop set share one copy, so a
//! 10,000-device network costs little more than its prefixes.

use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use prefix_trie::PrefixMap;

/// Where a route came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RouteProtocol {
    /// A connected subnet.
    Connected,
    /// An address of the device itself.
    Local,
    /// A static route.
    Static,
    /// OSPF intra-area.
    Ospf,
    /// OSPF inter-area.
    OspfInterArea,
    /// OSPF external type 1.
    OspfE1,
    /// OSPF external type 2.
    OspfE2,
    /// BGP learned from an external peer (or observed BGP).
    Bgp,
    /// BGP learned from an internal peer.
    Ibgp,
    /// A BGP aggregate (`aggregate-address`), a discard route.
    Aggregate,
    /// IS-IS (observed).
    Isis,
    /// EIGRP (observed).
    Eigrp,
    /// RIP (observed).
    Rip,
    /// Any other observed protocol.
    Other,
}

impl RouteProtocol {
    /// Short lower-case name, as in `show ip route` legends and SuzieQ.
    pub fn as_str(self) -> &'static str {
        match self {
            RouteProtocol::Connected => "connected",
            RouteProtocol::Local => "local",
            RouteProtocol::Static => "static",
            RouteProtocol::Ospf => "ospf",
            RouteProtocol::OspfInterArea => "ospfIA",
            RouteProtocol::OspfE1 => "ospfE1",
            RouteProtocol::OspfE2 => "ospfE2",
            RouteProtocol::Bgp => "bgp",
            RouteProtocol::Ibgp => "ibgp",
            RouteProtocol::Aggregate => "aggregate",
            RouteProtocol::Isis => "isis",
            RouteProtocol::Eigrp => "eigrp",
            RouteProtocol::Rip => "rip",
            RouteProtocol::Other => "other",
        }
    }

    /// DNA Center's `linkInformationSource` for a hop routed by this protocol.
    pub fn dnac_source(self) -> &'static str {
        match self {
            RouteProtocol::Connected | RouteProtocol::Local => "CONNECTED",
            RouteProtocol::Static => "STATIC",
            RouteProtocol::Ospf
            | RouteProtocol::OspfInterArea
            | RouteProtocol::OspfE1
            | RouteProtocol::OspfE2 => "OSPF",
            RouteProtocol::Bgp | RouteProtocol::Ibgp | RouteProtocol::Aggregate => "BGP",
            RouteProtocol::Isis => "ISIS",
            RouteProtocol::Eigrp => "EIGRP",
            RouteProtocol::Rip => "RIP",
            RouteProtocol::Other => "Routed",
        }
    }

    /// Parse an observed protocol name (case-insensitive; vendor spellings accepted).
    pub fn from_observed(s: &str) -> Self {
        match s.to_ascii_lowercase().as_str() {
            "connected" | "direct" | "c" => RouteProtocol::Connected,
            "local" | "l" | "hsrp" | "vrrp" => RouteProtocol::Local,
            "static" | "s" => RouteProtocol::Static,
            "ospf" | "o" | "ospf-intra" | "ospf_intra" | "ospfintra" => RouteProtocol::Ospf,
            "ospfia" | "ospf-inter" | "ospf_inter" | "o ia" => RouteProtocol::OspfInterArea,
            "ospfe1" | "ospf-ext1" | "e1" => RouteProtocol::OspfE1,
            "ospfe2" | "ospf-ext2" | "e2" | "ospf-external" => RouteProtocol::OspfE2,
            "bgp" | "ebgp" | "b" => RouteProtocol::Bgp,
            "ibgp" => RouteProtocol::Ibgp,
            "aggregate" => RouteProtocol::Aggregate,
            "isis" | "is-is" | "i" => RouteProtocol::Isis,
            "eigrp" | "d" => RouteProtocol::Eigrp,
            "rip" | "r" => RouteProtocol::Rip,
            // Process ids and variants as collectors report them (`ospf-1`, `bgp-65000`).
            p if p.starts_with("ospf") && !p.starts_with("ospf3") => RouteProtocol::Ospf,
            p if p.starts_with("bgp") => RouteProtocol::Bgp,
            _ => RouteProtocol::Other,
        }
    }

    /// Default administrative distance.
    pub fn default_distance(self) -> u8 {
        match self {
            RouteProtocol::Connected | RouteProtocol::Local => 0,
            RouteProtocol::Static => 1,
            RouteProtocol::Bgp => 20,
            RouteProtocol::Eigrp => 90,
            RouteProtocol::Ospf
            | RouteProtocol::OspfInterArea
            | RouteProtocol::OspfE1
            | RouteProtocol::OspfE2 => 110,
            RouteProtocol::Isis => 115,
            RouteProtocol::Rip => 120,
            RouteProtocol::Ibgp | RouteProtocol::Aggregate | RouteProtocol::Other => 200,
        }
    }
}

/// Attributes of an installed route, interned in the data plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RouteAttrs {
    /// Protocol.
    pub protocol: RouteProtocol,
    /// Administrative distance.
    pub distance: u8,
    /// Metric.
    pub metric: u32,
}

/// One resolved next hop: out of `iface`, ARP for `arp` (or for the
/// destination itself when `arp` is `None`, i.e. a connected route).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NextHop {
    /// Outgoing L3 interface (data-plane index).
    pub iface: u32,
    /// Next-hop address to ARP for; `None` = the destination is on-link.
    pub arp: Option<IpAddr>,
}

/// What a FIB entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// The address belongs to this device in this VRF.
    Receive,
    /// Discard (a null route).
    Drop,
    /// Forward over the interned next-hop set with this index.
    Forward(u32),
}

/// A FIB entry: compact and `Copy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FibEntry {
    /// Index of the route's attributes in the data plane.
    pub attrs: u32,
    /// Action.
    pub action: Action,
}

/// One VRF's forwarding table on one device.
#[derive(Clone, Default)]
pub struct Fib {
    v4: PrefixMap<Ipv4Net, FibEntry>,
    v6: PrefixMap<Ipv6Net, FibEntry>,
    len: usize,
}

impl std::fmt::Debug for Fib {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fib")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl Fib {
    /// Install (or replace) the entry for `prefix`.
    pub fn insert(&mut self, prefix: IpNet, entry: FibEntry) {
        let old = match prefix.trunc() {
            IpNet::V4(p) => self.v4.insert(p, entry),
            IpNet::V6(p) => self.v6.insert(p, entry),
        };
        if old.is_none() {
            self.len += 1;
        }
    }

    /// Longest-prefix match for an address.
    #[inline]
    pub fn lookup(&self, ip: IpAddr) -> Option<(IpNet, FibEntry)> {
        match ip {
            IpAddr::V4(a) => {
                let key = Ipv4Net::new_assert(a, 32);
                self.v4.get_lpm(&key).map(|(p, e)| (IpNet::V4(p), *e))
            }
            IpAddr::V6(a) => {
                let key = Ipv6Net::new_assert(a, 128);
                self.v6.get_lpm(&key).map(|(p, e)| (IpNet::V6(p), *e))
            }
        }
    }

    /// The entry for exactly `prefix`, if installed.
    pub fn get(&self, prefix: IpNet) -> Option<FibEntry> {
        match prefix.trunc() {
            IpNet::V4(p) => self.v4.get(&p).copied(),
            IpNet::V6(p) => self.v6.get(&p).copied(),
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every entry, IPv4 first, in prefix order.
    pub fn entries(&self) -> impl Iterator<Item = (IpNet, FibEntry)> + '_ {
        self.v4
            .iter()
            .map(|(p, e)| (IpNet::V4(p), *e))
            .chain(self.v6.iter().map(|(p, e)| (IpNet::V6(p), *e)))
    }
}
