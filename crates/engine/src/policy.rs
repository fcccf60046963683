//! Routing policy: route-maps with prefix lists, access lists and community
//! lists, evaluated the way Cisco IOS (and Batfish's model of it) does.
//!
//! A route-map's clauses run in sequence order; the first clause whose
//! conditions all hold decides (permit: apply its `set`s; deny: reject). No
//! clause matching rejects the route. A reference to a route-map that is not
//! defined rejects every route (IOS drops what an undefined map would filter),
//! while a `match` naming an undefined list matches nothing.
//!
//! Community lists: a standard entry matches when the route carries every
//! community the entry lists; an expanded entry's regular expression (IOS
//! syntax, `_` matching a delimiter or either end) is tried against each of
//! the route's communities written `AA:NN`.

use std::net::IpAddr;

use ipnet::IpNet;
use pathtrace_model::acl::{AclEntry, AclProtocol, parse_entry};
use pathtrace_model::routing::{
    CommunityList, CommunityListKind, PolicyAction, PrefixList, RouteMap, RouteMapMatch,
    RouteMapSet,
};
use pathtrace_model::types::{AclKind, Device};
use regex::Regex;

use crate::acl::addr_match;

/// The attributes a policy reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PolicyRoute {
    /// The route's prefix.
    pub prefix: IpNet,
    /// Communities (`AA << 16 | NN`), sorted, without duplicates.
    pub communities: Vec<u32>,
    /// MED / redistributed metric.
    pub metric: u32,
    /// Local preference.
    pub local_pref: u32,
    /// Weight.
    pub weight: u32,
    /// AS path prepended by `set as-path prepend` (front first).
    pub prepend: Vec<u32>,
    /// OSPF external metric type set by `set metric-type`.
    pub metric_type: Option<u8>,
}

/// A device's policies, compiled once.
pub(crate) struct Policies {
    maps: Vec<(String, Vec<Clause>)>,
}

struct Clause {
    action: PolicyAction,
    conds: Vec<Cond>,
    sets: Vec<RouteMapSet>,
}

enum Cond {
    /// Any of these (compiled) prefix lists permits.
    Prefix(Vec<Vec<PlEntry>>),
    /// Any of these access lists permits (network as source, mask as destination).
    Acl(Vec<(AclKind, Vec<AclEntry>)>),
    /// Any of these community lists permits.
    Community(Vec<Vec<ClEntry>>),
}

struct PlEntry {
    permit: bool,
    prefix: IpNet,
    min: u8,
    max: u8,
}

enum ClMatch {
    All(Vec<u32>),
    Regex(Option<Regex>),
}

struct ClEntry {
    permit: bool,
    m: ClMatch,
}

impl Policies {
    /// Compile a device's route-maps with the lists they reference.
    pub(crate) fn compile(dev: &Device) -> Self {
        let maps = dev
            .route_maps
            .iter()
            .map(|rm| (rm.name.clone(), compile_map(dev, rm)))
            .collect();
        Policies { maps }
    }

    /// Apply route-map `name` (none: permit unchanged). Returns whether the
    /// route is permitted; a permitted route carries the map's `set`s.
    pub(crate) fn apply(&self, name: Option<&str>, r: &mut PolicyRoute) -> bool {
        let Some(name) = name else { return true };
        let Some((_, clauses)) = self.maps.iter().find(|(n, _)| n == name) else {
            return false;
        };
        for c in clauses {
            if !c.conds.iter().all(|cond| cond_holds(cond, r)) {
                continue;
            }
            if c.action == PolicyAction::Deny {
                return false;
            }
            for s in &c.sets {
                apply_set(s, r);
            }
            return true;
        }
        false
    }
}

fn compile_map(dev: &Device, rm: &RouteMap) -> Vec<Clause> {
    let mut clauses: Vec<_> = rm.clauses.iter().collect();
    clauses.sort_by_key(|c| c.seq);
    clauses
        .into_iter()
        .map(|c| Clause {
            action: c.action,
            conds: c.matches.iter().map(|m| compile_cond(dev, m)).collect(),
            sets: c.sets.clone(),
        })
        .collect()
}

fn compile_cond(dev: &Device, m: &RouteMapMatch) -> Cond {
    match m {
        RouteMapMatch::PrefixList(names) => Cond::Prefix(
            names
                .iter()
                .filter_map(|n| dev.prefix_lists.iter().find(|p| &p.name == n))
                .map(compile_prefix_list)
                .collect(),
        ),
        RouteMapMatch::AccessList(names) => Cond::Acl(
            names
                .iter()
                .filter_map(|n| dev.acls.iter().find(|a| &a.name == n))
                .map(|a| {
                    let kind = a.kind();
                    let entries = a
                        .entries
                        .iter()
                        .filter_map(|l| parse_entry(l, kind).ok())
                        .collect();
                    (kind, entries)
                })
                .collect(),
        ),
        RouteMapMatch::Community(names) => Cond::Community(
            names
                .iter()
                .filter_map(|n| dev.community_lists.iter().find(|c| &c.name == n))
                .map(compile_community_list)
                .collect(),
        ),
    }
}

fn compile_prefix_list(p: &PrefixList) -> Vec<PlEntry> {
    let mut entries: Vec<_> = p.entries.iter().collect();
    entries.sort_by_key(|e| e.seq);
    entries
        .into_iter()
        .map(|e| {
            let len = e.prefix.prefix_len();
            let max_len = e.prefix.max_prefix_len();
            let (min, max) = match (e.ge, e.le) {
                (None, None) => (len, len),
                (Some(ge), None) => (ge, max_len),
                (None, Some(le)) => (len, le),
                (Some(ge), Some(le)) => (ge, le),
            };
            PlEntry {
                permit: e.action == PolicyAction::Permit,
                prefix: e.prefix.trunc(),
                min,
                max,
            }
        })
        .collect()
}

fn prefix_list_permits(entries: &[PlEntry], p: &IpNet) -> bool {
    for e in entries {
        let len = p.prefix_len();
        if len >= e.prefix.prefix_len()
            && e.prefix.contains(&p.network())
            && (e.min..=e.max).contains(&len)
            && p.addr().is_ipv4() == e.prefix.addr().is_ipv4()
        {
            return e.permit;
        }
    }
    false
}

/// A community as IOS writes it: `AA:NN`, a well-known name, or a number.
pub(crate) fn parse_community(s: &str) -> Option<u32> {
    match s.to_ascii_lowercase().as_str() {
        "internet" => return Some(0),
        "no-export" => return Some(0xFFFF_FF01),
        "no-advertise" => return Some(0xFFFF_FF02),
        "local-as" => return Some(0xFFFF_FF03),
        _ => {}
    }
    if let Some((a, b)) = s.split_once(':') {
        let a: u16 = a.parse().ok()?;
        let b: u16 = b.parse().ok()?;
        return Some(u32::from(a) << 16 | u32::from(b));
    }
    s.parse().ok()
}

/// `AA:NN` rendering of a community.
pub(crate) fn community_string(c: u32) -> String {
    format!("{}:{}", c >> 16, c & 0xFFFF)
}

fn compile_community_list(c: &CommunityList) -> Vec<ClEntry> {
    c.entries
        .iter()
        .map(|e| ClEntry {
            permit: e.action == PolicyAction::Permit,
            m: match c.kind {
                CommunityListKind::Standard => ClMatch::All(
                    e.value
                        .split_whitespace()
                        .filter_map(parse_community)
                        .collect(),
                ),
                CommunityListKind::Expanded => ClMatch::Regex(ios_regex(&e.value)),
            },
        })
        .collect()
}

/// An IOS regular expression as a Rust one: `_` matches a delimiter (space,
/// comma, braces, parentheses) or either end of the string.
fn ios_regex(s: &str) -> Option<Regex> {
    let translated = s.replace('_', "(?:^|$|[ ,{}()])");
    Regex::new(&translated).ok()
}

fn community_list_permits(entries: &[ClEntry], communities: &[u32]) -> bool {
    for e in entries {
        let hit = match &e.m {
            ClMatch::All(cs) => !cs.is_empty() && cs.iter().all(|c| communities.contains(c)),
            ClMatch::Regex(Some(re)) => communities
                .iter()
                .any(|&c| re.is_match(&community_string(c))),
            ClMatch::Regex(None) => false,
        };
        if hit {
            return e.permit;
        }
    }
    false
}

fn acl_permits(kind: AclKind, entries: &[AclEntry], p: &IpNet) -> bool {
    let mask = match p {
        IpNet::V4(n) => IpAddr::V4(n.netmask()),
        IpNet::V6(n) => IpAddr::V6(n.netmask()),
    };
    for e in entries {
        let AclEntry::Ace(ace) = e else { continue };
        let hit = match kind {
            AclKind::Standard => addr_match(&ace.src, p.network()),
            AclKind::Extended => {
                matches!(ace.protocol, AclProtocol::Ip)
                    && addr_match(&ace.src, p.network())
                    && addr_match(&ace.dst, mask)
            }
        };
        if hit {
            return ace.action == pathtrace_model::acl::AclAction::Permit;
        }
    }
    false
}

fn cond_holds(c: &Cond, r: &PolicyRoute) -> bool {
    match c {
        Cond::Prefix(lists) => lists.iter().any(|l| prefix_list_permits(l, &r.prefix)),
        Cond::Acl(lists) => lists.iter().any(|(k, e)| acl_permits(*k, e, &r.prefix)),
        Cond::Community(lists) => lists
            .iter()
            .any(|l| community_list_permits(l, &r.communities)),
    }
}

fn apply_set(s: &RouteMapSet, r: &mut PolicyRoute) {
    match s {
        RouteMapSet::LocalPreference(n) => r.local_pref = *n,
        RouteMapSet::Metric(n) => r.metric = *n,
        RouteMapSet::Weight(n) => r.weight = *n,
        RouteMapSet::Community {
            communities,
            additive,
        } => {
            let new: Vec<u32> = communities
                .iter()
                .filter(|c| !c.eq_ignore_ascii_case("none"))
                .filter_map(|c| parse_community(c))
                .collect();
            if !*additive {
                r.communities.clear();
            }
            r.communities.extend(new);
            r.communities.sort_unstable();
            r.communities.dedup();
        }
        RouteMapSet::AsPathPrepend(asns) => {
            let mut p = asns.clone();
            p.append(&mut r.prepend);
            r.prepend = p;
        }
        RouteMapSet::MetricType(t) => r.metric_type = Some(*t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pathtrace_model::routing::{
        CommunityListEntry, PrefixListEntry, RouteMapClause, RouteMapMatch,
    };
    use pathtrace_model::types::Acl;

    fn route(p: &str) -> PolicyRoute {
        PolicyRoute {
            prefix: p.parse().unwrap(),
            communities: Vec::new(),
            metric: 0,
            local_pref: 100,
            weight: 0,
            prepend: Vec::new(),
            metric_type: None,
        }
    }

    fn device() -> Device {
        let yaml = r"
hostname: r1
management_ip: 10.0.0.1
family: Routers
";
        let mut d: Device = serde_saphyr::from_str(yaml).unwrap();
        d.prefix_lists.push(PrefixList {
            name: "outbound".into(),
            entries: vec![PrefixListEntry {
                seq: 5,
                action: PolicyAction::Permit,
                prefix: "2.128.0.0/9".parse().unwrap(),
                ge: Some(16),
                le: None,
            }],
        });
        d.acls.push(Acl {
            name: "101".into(),
            kind: None,
            entries: vec!["permit ip host 1.0.1.0 host 255.255.255.0".into()],
        });
        d.community_lists.push(CommunityList {
            name: "as1".into(),
            kind: CommunityListKind::Expanded,
            entries: vec![CommunityListEntry {
                action: PolicyAction::Permit,
                value: "_1:".into(),
            }],
        });
        d.route_maps.push(RouteMap {
            name: "out".into(),
            clauses: vec![
                RouteMapClause {
                    seq: 3,
                    action: PolicyAction::Permit,
                    matches: vec![RouteMapMatch::AccessList(vec!["101".into()])],
                    sets: vec![RouteMapSet::Metric(50)],
                },
                RouteMapClause {
                    seq: 2,
                    action: PolicyAction::Permit,
                    matches: vec![RouteMapMatch::PrefixList(vec!["outbound".into()])],
                    sets: vec![RouteMapSet::Community {
                        communities: vec!["2:1".into()],
                        additive: true,
                    }],
                },
            ],
        });
        d.route_maps.push(RouteMap {
            name: "in".into(),
            clauses: vec![RouteMapClause {
                seq: 100,
                action: PolicyAction::Permit,
                matches: vec![RouteMapMatch::Community(vec!["as1".into()])],
                sets: vec![RouteMapSet::LocalPreference(350)],
            }],
        });
        d
    }

    #[test]
    fn prefix_list_ge_and_clause_order() {
        let p = Policies::compile(&device());
        let mut r = route("2.128.0.0/16");
        assert!(p.apply(Some("out"), &mut r));
        assert_eq!(r.communities, vec![2 << 16 | 1]);
        assert_eq!(r.metric, 0, "seq 2 decided, not seq 3");
        let mut r = route("2.0.0.0/8");
        assert!(!p.apply(Some("out"), &mut r), "shorter than ge 16");
    }

    #[test]
    fn extended_acl_matches_network_and_mask() {
        let p = Policies::compile(&device());
        let mut r = route("1.0.1.0/24");
        assert!(p.apply(Some("out"), &mut r));
        assert_eq!(r.metric, 50);
        let mut r = route("1.0.1.0/25");
        assert!(!p.apply(Some("out"), &mut r), "mask differs");
    }

    #[test]
    fn expanded_community_regex_and_undefined_map() {
        let p = Policies::compile(&device());
        let mut r = route("1.0.1.0/24");
        r.communities = vec![1 << 16 | 2];
        assert!(p.apply(Some("in"), &mut r));
        assert_eq!(r.local_pref, 350);
        let mut r = route("1.0.1.0/24");
        r.communities = vec![11 << 16 | 2];
        assert!(!p.apply(Some("in"), &mut r), "_1: must not match 11:2");
        assert!(!p.apply(Some("missing"), &mut route("1.0.0.0/8")));
        assert!(p.apply(None, &mut route("1.0.0.0/8")));
    }
}
