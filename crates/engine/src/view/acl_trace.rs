//! ACL-TRACE: the engine's ACL verdicts ([`AclHit`]) in DNA Center's form —
//! `aclAnalysis` on an interface, `detailedStatus` and `accuracyList`
//! entries on an element.
//!
//! An interface's `aclAnalysis` is `{aclName, result, matchingAces}`:
//! `result` is the ACL's verdict for the flow (`PERMIT` or `DENY`), and
//! `matchingAces` lists the entries that decided it, each with its text as
//! configured (the implicit deny is `implicit deny ip any any`), its own
//! `result` and the protocol and ports it matches (`matchingPorts`).
//!
//! When the request gave no ports and an earlier entry with the opposite
//! action matches only some ports (a *partial* match, see [`crate::acl`]),
//! that entry comes first with result `PARTIAL_MATCH` and the ports it
//! needs, the deciding entry follows, and the element gets an accuracy note
//! (`accuracyList`, percent 50: the verdict holds for some ports and not for
//! others) saying so and asking for ports.
//!
//! `matchingPorts` names, per side, the flow's own port when the request gave
//! one, otherwise the ports the entry accepts (`"23"`, `"8000-8080"`,
//! `"0-1023"`; `neq 23` is `["0-22", "24-65535"]`), and `"ANY"` when the
//! entry does not look at that side. ICMP and other non-port protocols have
//! no `ports`.

use pathtrace_model::acl::{AclAction, AclEntry, AclProtocol, PortMatch};
use serde::Serialize;

use crate::acl::AclHit;
use crate::dataplane::DataPlane;
use crate::flow::{Flow, Protocol};

/// `aclTraceCalculation` succeeded.
pub const SUCCESS: &str = "SUCCESS";
/// `aclTraceCalculation` failed (see the failure reason).
pub const FAILED: &str = "FAILED";

/// An ACE's or ACL's verdict: permitted.
pub const PERMIT: &str = "PERMIT";
/// An ACE's or ACL's verdict: denied.
pub const DENY: &str = "DENY";
/// An ACE that matches the flow only for ports the request did not give.
pub const PARTIAL_MATCH: &str = "PARTIAL_MATCH";

/// The text shown for the implicit deny that ends every ACL.
pub const IMPLICIT_DENY: &str = "implicit deny ip any any";

/// The percent of an accuracy note for a partial ACL match.
pub const PARTIAL_ACCURACY: u8 = 50;

/// `detailedStatus`: `{aclTraceCalculation, aclTraceCalculationFailureReason}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailedStatus {
    /// `SUCCESS` or `FAILED`.
    pub acl_trace_calculation: &'static str,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acl_trace_calculation_failure_reason: Option<String>,
}

impl DetailedStatus {
    /// `{"aclTraceCalculation": "SUCCESS"}`.
    pub fn success() -> Self {
        DetailedStatus {
            acl_trace_calculation: SUCCESS,
            acl_trace_calculation_failure_reason: None,
        }
    }

    /// `FAILED` with a reason.
    pub fn failed(reason: impl Into<String>) -> Self {
        DetailedStatus {
            acl_trace_calculation: FAILED,
            acl_trace_calculation_failure_reason: Some(reason.into()),
        }
    }
}

/// One `accuracyList` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accuracy {
    /// How far the result can be trusted, percent (an integer).
    pub percent: u8,
    /// Why it is less than 100, and what to do about it.
    pub reason: String,
}

/// `{sourcePorts, destPorts}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortSet {
    /// Source ports or ranges.
    pub source_ports: Vec<String>,
    /// Destination ports or ranges.
    pub dest_ports: Vec<String>,
}

/// `{protocol, ports}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchingPorts {
    /// `TCP`, `UDP`, `ICMP`, `IP` or a protocol number.
    pub protocol: String,
    /// The ports (empty for protocols without ports).
    pub ports: Vec<PortSet>,
}

/// One `matchingAces` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AclAce {
    /// The entry as configured.
    pub ace: String,
    /// `PERMIT`, `DENY` or `PARTIAL_MATCH`.
    pub result: &'static str,
    /// What the entry matches of the flow.
    pub matching_ports: Vec<MatchingPorts>,
}

/// `aclAnalysis` of an interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AclAnalysis {
    /// The ACL's name.
    pub acl_name: String,
    /// `PERMIT` or `DENY`: the ACL's verdict for the flow.
    pub result: &'static str,
    /// The entries behind the verdict, in ACL order.
    pub matching_aces: Vec<AclAce>,
}

fn verdict(permit: bool) -> &'static str {
    if permit { PERMIT } else { DENY }
}

/// The ports a condition accepts, as DNA Center-style strings.
fn port_ranges(m: PortMatch) -> Vec<String> {
    let range = |a: u16, b: u16| {
        if a == b {
            a.to_string()
        } else {
            format!("{a}-{b}")
        }
    };
    let mut out = Vec::new();
    match m {
        PortMatch::Eq(n) => out.push(n.to_string()),
        PortMatch::Range(a, b) if a <= b => out.push(range(a, b)),
        PortMatch::Range(..) => {}
        PortMatch::Lt(n) => out.extend((n > 0).then(|| range(0, n - 1))),
        PortMatch::Gt(n) => out.extend((n < u16::MAX).then(|| range(n + 1, u16::MAX))),
        PortMatch::Neq(n) => {
            out.extend((n > 0).then(|| range(0, n - 1)));
            out.extend((n < u16::MAX).then(|| range(n + 1, u16::MAX)));
        }
    }
    out
}

fn side(cond: Option<PortMatch>, given: Option<u16>) -> Vec<String> {
    match (given, cond) {
        (Some(p), _) => vec![p.to_string()],
        (None, Some(c)) => port_ranges(c),
        (None, None) => vec!["ANY".to_string()],
    }
}

/// What an entry matches of `flow` (traced as `protocol`, when known).
fn matching_ports(entry: &AclEntry, flow: &Flow, protocol: Option<Protocol>) -> Vec<MatchingPorts> {
    let AclEntry::Ace(ace) = entry else {
        return Vec::new();
    };
    let (name, has_ports) = match ace.protocol {
        AclProtocol::Tcp => ("TCP".to_string(), true),
        AclProtocol::Udp => ("UDP".to_string(), true),
        AclProtocol::Icmp => ("ICMP".to_string(), false),
        AclProtocol::Number(n) => (n.to_string(), false),
        AclProtocol::Ip => match protocol {
            Some(p) => (p.as_str().to_string(), p != Protocol::Icmp),
            None => ("IP".to_string(), true),
        },
    };
    let ports = if has_ports {
        vec![PortSet {
            source_ports: side(ace.src_port, flow.src_port),
            dest_ports: side(ace.dst_port, flow.dst_port),
        }]
    } else {
        Vec::new()
    };
    vec![MatchingPorts {
        protocol: name,
        ports,
    }]
}

/// The `aclAnalysis` of one verdict. `protocol` is the branch's protocol
/// (`None`: the request gave none and TCP and UDP agree).
pub fn acl_analysis(
    dp: &DataPlane,
    flow: &Flow,
    protocol: Option<Protocol>,
    hit: &AclHit,
) -> AclAnalysis {
    let acl = &dp.acls[hit.acl as usize];
    let protocol = protocol.or(flow.protocol);
    let mut aces = Vec::new();
    if hit.partial
        && let Some((text, entry)) = hit.partial_entry.and_then(|e| acl.entries.get(e as usize))
    {
        aces.push(AclAce {
            ace: text.clone(),
            result: PARTIAL_MATCH,
            matching_ports: matching_ports(entry, flow, protocol),
        });
    }
    match hit.entry.and_then(|e| acl.entries.get(e as usize)) {
        Some((text, entry)) => {
            let permit = matches!(entry, AclEntry::Ace(a) if a.action == AclAction::Permit);
            aces.push(AclAce {
                ace: text.clone(),
                result: verdict(permit),
                matching_ports: matching_ports(entry, flow, protocol),
            });
        }
        None => aces.push(AclAce {
            ace: IMPLICIT_DENY.to_string(),
            result: DENY,
            matching_ports: vec![MatchingPorts {
                protocol: protocol.map_or("IP", Protocol::as_str).to_string(),
                ports: if protocol == Some(Protocol::Icmp) {
                    Vec::new()
                } else {
                    vec![PortSet {
                        source_ports: side(None, flow.src_port),
                        dest_ports: side(None, flow.dst_port),
                    }]
                },
            }],
        }),
    }
    AclAnalysis {
        acl_name: acl.name.clone(),
        result: verdict(hit.permit),
        matching_aces: aces,
    }
}

/// The accuracy note of a partial verdict at `interface` (`inbound` /
/// `outbound`), or `None` when the verdict is exact.
pub fn accuracy_note(
    dp: &DataPlane,
    hit: &AclHit,
    interface: u32,
    direction: &str,
) -> Option<Accuracy> {
    if !hit.partial {
        return None;
    }
    let acl = &dp.acls[hit.acl as usize];
    let iface = &dp.interfaces[interface as usize];
    let device = &dp.devices[iface.device as usize].name;
    let entry = hit
        .partial_entry
        .and_then(|e| acl.entries.get(e as usize))
        .map_or("", |(t, _)| t.as_str());
    Some(Accuracy {
        percent: PARTIAL_ACCURACY,
        reason: format!(
            "ACL {} {direction} on {device} {}: entry \"{entry}\" matches this flow only for some ports the request did not give, and the verdict holds for the other ports: enter ports for an exact ACL result",
            acl.name, iface.name
        ),
    })
}
