//! ACL evaluation: first match wins, with an honest answer when the flow
//! does not say enough.
//!
//! A path-trace request often has no ports (the notebooks give none). An
//! entry whose verdict depends on a port the flow did not give is a
//! *partial* match. The verdict is the first entry that matches whatever the
//! ports are (the packet is taken to use a port no port-specific entry names,
//! as most would); when a partial match with the opposite action comes first,
//! the hit says so (`partial`, `partial_entry`) so views can add APIC-EM's
//! accuracy note, "enter ports for an exact ACL result". `established`
//! never matches: a trace follows the first packet of a connection.

use std::net::IpAddr;

use pathtrace_model::acl::{AclAction, AclEntry, AclProtocol, AddrMatch, PortMatch};

use crate::flow::{Flow, Protocol};

/// An ACL ready for evaluation.
#[derive(Debug, Clone)]
pub struct CompiledAcl {
    /// Name.
    pub name: String,
    /// Device index the ACL belongs to (`u32::MAX`: a host's filter).
    pub device: u32,
    /// Entries in order: (text as written, parsed entry).
    pub entries: Vec<(String, AclEntry)>,
}

/// The outcome of evaluating one ACL against a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AclHit {
    /// ACL index in the data plane.
    pub acl: u32,
    /// Index of the deciding entry; `None` = the implicit `deny ip any any`.
    pub entry: Option<u32>,
    /// Permit or deny.
    pub permit: bool,
    /// An earlier entry with the opposite action would match for some ports
    /// the flow did not give: the verdict is exact only for other ports.
    pub partial: bool,
    /// That earlier entry's index.
    pub partial_entry: Option<u32>,
}

enum Match {
    No,
    Yes,
    Maybe,
}

impl CompiledAcl {
    /// Evaluate the ACL for `flow` with the given concrete protocol.
    pub fn eval(&self, acl_ix: u32, flow: &Flow, proto: Protocol) -> AclHit {
        // First partial match of each action, to flag a verdict that ports could change.
        let mut maybe: [Option<u32>; 2] = [None, None];
        for (i, (_, entry)) in self.entries.iter().enumerate() {
            let AclEntry::Ace(ace) = entry else { continue };
            let permit = ace.action == AclAction::Permit;
            match match_ace(ace, flow, proto) {
                Match::No => {}
                Match::Maybe => {
                    maybe[usize::from(permit)].get_or_insert(i as u32);
                }
                Match::Yes => {
                    let other = maybe[usize::from(!permit)];
                    return AclHit {
                        acl: acl_ix,
                        entry: Some(i as u32),
                        permit,
                        partial: other.is_some(),
                        partial_entry: other,
                    };
                }
            }
        }
        let other = maybe[1];
        AclHit {
            acl: acl_ix,
            entry: None,
            permit: false,
            partial: other.is_some(),
            partial_entry: other,
        }
    }
}

fn match_ace(ace: &pathtrace_model::acl::Ace, flow: &Flow, proto: Protocol) -> Match {
    let proto_ok = match ace.protocol {
        AclProtocol::Ip => true,
        AclProtocol::Tcp => proto == Protocol::Tcp,
        AclProtocol::Udp => proto == Protocol::Udp,
        AclProtocol::Icmp => proto == Protocol::Icmp,
        AclProtocol::Number(n) => proto.number() == n,
    };
    if !proto_ok || !addr_match(&ace.src, flow.src) || !addr_match(&ace.dst, flow.dst) {
        return Match::No;
    }
    if ace.established {
        return Match::No;
    }
    let mut maybe = false;
    for (cond, port) in [(ace.src_port, flow.src_port), (ace.dst_port, flow.dst_port)] {
        if let Some(cond) = cond {
            match port {
                Some(p) if !port_match(cond, p) => return Match::No,
                Some(_) => {}
                None => maybe = true,
            }
        }
    }
    if maybe { Match::Maybe } else { Match::Yes }
}

pub(crate) fn addr_match(m: &AddrMatch, ip: IpAddr) -> bool {
    match *m {
        AddrMatch::Any => true,
        AddrMatch::Host(h) => h == ip,
        AddrMatch::Wildcard { addr, wildcard } => match (addr, wildcard, ip) {
            (IpAddr::V4(a), IpAddr::V4(w), IpAddr::V4(x)) => {
                let (a, w, x) = (u32::from(a), u32::from(w), u32::from(x));
                (a & !w) == (x & !w)
            }
            (IpAddr::V6(a), IpAddr::V6(w), IpAddr::V6(x)) => {
                let (a, w, x) = (u128::from(a), u128::from(w), u128::from(x));
                (a & !w) == (x & !w)
            }
            _ => false,
        },
    }
}

fn port_match(m: PortMatch, p: u16) -> bool {
    match m {
        PortMatch::Eq(n) => p == n,
        PortMatch::Neq(n) => p != n,
        PortMatch::Lt(n) => p < n,
        PortMatch::Gt(n) => p > n,
        PortMatch::Range(a, b) => (a..=b).contains(&p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pathtrace_model::acl::Ace;

    fn ace(
        action: AclAction,
        protocol: AclProtocol,
        dst: AddrMatch,
        dst_port: Option<PortMatch>,
    ) -> AclEntry {
        AclEntry::Ace(Ace {
            seq: None,
            action,
            protocol,
            src: AddrMatch::Any,
            src_port: None,
            dst,
            dst_port,
            established: false,
            log: false,
        })
    }

    fn acl() -> CompiledAcl {
        CompiledAcl {
            name: "T".into(),
            device: 0,
            entries: vec![
                ("remark x".into(), AclEntry::Remark("x".into())),
                (
                    "deny tcp any 10.0.0.0 0.0.0.255 eq 23".into(),
                    ace(
                        AclAction::Deny,
                        AclProtocol::Tcp,
                        AddrMatch::Wildcard {
                            addr: "10.0.0.0".parse().unwrap(),
                            wildcard: "0.0.0.255".parse().unwrap(),
                        },
                        Some(PortMatch::Eq(23)),
                    ),
                ),
                (
                    "permit ip any any".into(),
                    ace(AclAction::Permit, AclProtocol::Ip, AddrMatch::Any, None),
                ),
            ],
        }
    }

    fn flow(dst_port: Option<u16>) -> Flow {
        Flow {
            src: "1.1.1.1".parse().unwrap(),
            dst: "10.0.0.5".parse().unwrap(),
            protocol: None,
            src_port: None,
            dst_port,
        }
    }

    #[test]
    fn first_match_and_partial() {
        let a = acl();
        let hit = a.eval(0, &flow(Some(23)), Protocol::Tcp);
        assert_eq!(
            (hit.entry, hit.permit, hit.partial),
            (Some(1), false, false)
        );
        let hit = a.eval(0, &flow(Some(80)), Protocol::Tcp);
        assert_eq!((hit.entry, hit.permit), (Some(2), true));
        let hit = a.eval(0, &flow(None), Protocol::Tcp);
        assert_eq!(
            (hit.entry, hit.permit, hit.partial, hit.partial_entry),
            (Some(2), true, true, Some(1))
        );
        let hit = a.eval(0, &flow(None), Protocol::Udp);
        assert_eq!((hit.entry, hit.permit, hit.partial), (Some(2), true, false));
    }

    #[test]
    fn implicit_deny() {
        let a = CompiledAcl {
            name: "E".into(),
            device: 0,
            entries: vec![],
        };
        let hit = a.eval(0, &flow(None), Protocol::Udp);
        assert_eq!((hit.entry, hit.permit), (None, false));
    }
}
