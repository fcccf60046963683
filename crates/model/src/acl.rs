//! Access-list entries: the parsed form of IOS ACE lines.
//!
//! Model files keep ACL entries as the text an engineer would type
//! (`permit tcp any host 10.1.1.1 eq 443`); [`parse_entry`] turns one line
//! into an [`AclEntry`]. Validation parses every line on load and reports
//! each syntax error with its file, line and field, so the engine only ever
//! sees lines that parse.

use std::net::IpAddr;

use crate::types::AclKind;

/// Permit or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AclAction {
    /// `permit`.
    Permit,
    /// `deny`.
    Deny,
}

/// The protocol an entry matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AclProtocol {
    /// `ip` (any IPv4 protocol) — also every standard-list entry.
    Ip,
    /// `tcp`.
    Tcp,
    /// `udp`.
    Udp,
    /// `icmp`.
    Icmp,
    /// Any other protocol, by number (`gre` = 47, `esp` = 50, `ospf` = 89, …).
    Number(u8),
}

/// An address match: `any`, `host A`, or `A WILDCARD` (Cisco wildcard mask).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddrMatch {
    /// `any`.
    Any,
    /// `host A` (or `A 0.0.0.0`).
    Host(IpAddr),
    /// `A WILDCARD`: bits set in the wildcard are ignored.
    Wildcard {
        /// Address.
        addr: IpAddr,
        /// Wildcard mask.
        wildcard: IpAddr,
    },
}

/// A port match on TCP/UDP source or destination port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortMatch {
    /// `eq N`.
    Eq(u16),
    /// `neq N`.
    Neq(u16),
    /// `lt N`.
    Lt(u16),
    /// `gt N`.
    Gt(u16),
    /// `range A B` (inclusive).
    Range(u16, u16),
}

/// A permit/deny entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ace {
    /// Sequence number, when the line gave one.
    pub seq: Option<u32>,
    /// Permit or deny.
    pub action: AclAction,
    /// Protocol (standard lists: `Ip`).
    pub protocol: AclProtocol,
    /// Source address match.
    pub src: AddrMatch,
    /// Source port match (tcp/udp only).
    pub src_port: Option<PortMatch>,
    /// Destination address match (standard lists: `Any`).
    pub dst: AddrMatch,
    /// Destination port match (tcp/udp only).
    pub dst_port: Option<PortMatch>,
    /// `established`: matches only TCP segments of an existing connection (ACK or RST set).
    pub established: bool,
    /// `log` / `log-input` was given (informational).
    pub log: bool,
}

/// One ACL line, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AclEntry {
    /// `remark TEXT`.
    Remark(String),
    /// A permit/deny entry.
    Ace(Ace),
}

/// Parse one ACL line of a list of the given kind. The error is a short
/// sentence naming the offending token, e.g. `unknown port keyword "eqq"`.
pub fn parse_entry(line: &str, kind: AclKind) -> Result<AclEntry, String> {
    crate::acl_parse::parse_entry(line, kind)
}
