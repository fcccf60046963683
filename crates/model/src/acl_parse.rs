//! Parser for one Cisco IOS access-list entry (ACE) line.
//!
//! The grammar accepted here is the subset of IOS the engine evaluates:
//!
//! ```text
//! [SEQ] remark TEXT
//! [SEQ] permit|deny SOURCE [log]                                   (standard)
//! [SEQ] permit|deny PROTO SOURCE [PORT] DEST [PORT] [ICMP-TYPE [CODE]]
//!                   [established] [log|log-input]                  (extended)
//!
//! SOURCE, DEST = any | host A | A WILDCARD      (standard: also a bare A)
//! PORT         = eq N | neq N | lt N | gt N | range N N   (tcp and udp only)
//! ```
//!
//! Keywords are case-insensitive. Every failure is a short sentence naming
//! the offending token; nothing here panics on any input.

use std::net::{IpAddr, Ipv4Addr};

use crate::acl::{Ace, AclAction, AclEntry, AclProtocol, AddrMatch, PortMatch};
use crate::types::AclKind;

/// Parse one ACL line of a list of the given kind.
pub(crate) fn parse_entry(line: &str, kind: AclKind) -> Result<AclEntry, String> {
    let mut toks = Tokens::new(line);
    let Some(first) = toks.peek() else {
        return Err("empty entry".to_string());
    };
    let seq = if first.bytes().all(|b| b.is_ascii_digit()) {
        toks.next();
        let n = first
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("sequence number {first} out of range"))?;
        Some(n)
    } else {
        None
    };
    let Some(word) = toks.next() else {
        return Err(format!(
            "expected \"permit\", \"deny\" or \"remark\" after sequence number {first}"
        ));
    };
    let action = match word.to_ascii_lowercase().as_str() {
        "remark" => return Ok(AclEntry::Remark(toks.rest().to_string())),
        "permit" => AclAction::Permit,
        "deny" => AclAction::Deny,
        _ => {
            return Err(format!(
                "expected \"permit\", \"deny\" or \"remark\", got {word:?}"
            ));
        }
    };
    let ace = match kind {
        AclKind::Standard => parse_standard(&mut toks, seq, action)?,
        AclKind::Extended => parse_extended(&mut toks, seq, action)?,
    };
    Ok(AclEntry::Ace(ace))
}

/// The rest of a standard entry: `SOURCE [log]`.
fn parse_standard(
    toks: &mut Tokens<'_>,
    seq: Option<u32>,
    action: AclAction,
) -> Result<Ace, String> {
    let src = match toks.next() {
        None => {
            return Err(format!(
                "expected a source address after {:?}",
                action_word(action)
            ));
        }
        Some(t) if t.eq_ignore_ascii_case("any") => AddrMatch::Any,
        Some(t) if t.eq_ignore_ascii_case("host") => AddrMatch::Host(IpAddr::V4(host_addr(toks)?)),
        Some(t) => {
            let addr = parse_v4(t).ok_or_else(|| {
                format!("expected a source address (any, host A or A [WILDCARD]), got {t:?}")
            })?;
            // An optional wildcard follows when the next token is an address.
            match toks.peek().and_then(parse_v4) {
                Some(wildcard) => {
                    toks.next();
                    wildcard_match(addr, wildcard)
                }
                None => AddrMatch::Host(IpAddr::V4(addr)),
            }
        }
    };
    let mut log = false;
    for t in toks.by_ref() {
        match t.to_ascii_lowercase().as_str() {
            "log" if !log => log = true,
            _ => return Err(format!("unexpected {t:?} at end of entry")),
        }
    }
    Ok(Ace {
        seq,
        action,
        protocol: AclProtocol::Ip,
        src,
        src_port: None,
        dst: AddrMatch::Any,
        dst_port: None,
        established: false,
        log,
    })
}

/// The rest of an extended entry: protocol, addresses, ports, flags.
fn parse_extended(
    toks: &mut Tokens<'_>,
    seq: Option<u32>,
    action: AclAction,
) -> Result<Ace, String> {
    let Some(proto_tok) = toks.next() else {
        return Err(format!(
            "expected a protocol after {:?}",
            action_word(action)
        ));
    };
    let protocol = parse_protocol(proto_tok)?;
    let src = parse_addr(toks, "source")?;
    let src_port = parse_port_match(toks, protocol)?;
    let dst = parse_addr(toks, "destination")?;
    let dst_port = parse_port_match(toks, protocol)?;
    if protocol == AclProtocol::Icmp {
        skip_icmp_type(toks)?;
    }
    let mut established = false;
    let mut log = false;
    for t in toks.by_ref() {
        match t.to_ascii_lowercase().as_str() {
            "established" if protocol != AclProtocol::Tcp => {
                return Err("\"established\" only applies to tcp".to_string());
            }
            "established" if !established => established = true,
            "log" | "log-input" if !log => log = true,
            "eq" | "neq" | "lt" | "gt" | "range" => {
                return Err(format!(
                    "unexpected port match {t:?} (ports follow the address they belong to)"
                ));
            }
            _ => return Err(format!("unexpected {t:?} at end of entry")),
        }
    }
    Ok(Ace {
        seq,
        action,
        protocol,
        src,
        src_port,
        dst,
        dst_port,
        established,
        log,
    })
}

fn action_word(action: AclAction) -> &'static str {
    match action {
        AclAction::Permit => "permit",
        AclAction::Deny => "deny",
    }
}

/// IP protocol names IOS accepts in extended lists, with their numbers.
const PROTOCOLS: &[(&str, u8)] = &[
    ("ahp", 51),
    ("eigrp", 88),
    ("esp", 50),
    ("gre", 47),
    ("igmp", 2),
    ("ipinip", 4),
    ("nos", 94),
    ("ospf", 89),
    ("pcp", 108),
    ("pim", 103),
];

fn parse_protocol(tok: &str) -> Result<AclProtocol, String> {
    let lower = tok.to_ascii_lowercase();
    match lower.as_str() {
        "ip" => return Ok(AclProtocol::Ip),
        "tcp" => return Ok(AclProtocol::Tcp),
        "udp" => return Ok(AclProtocol::Udp),
        "icmp" => return Ok(AclProtocol::Icmp),
        _ => {}
    }
    if let Some((_, n)) = PROTOCOLS.iter().find(|(name, _)| *name == lower) {
        return Ok(AclProtocol::Number(*n));
    }
    if !tok.is_empty() && tok.bytes().all(|b| b.is_ascii_digit()) {
        return match tok.parse::<u8>() {
            // IOS shows these numbers by name; so do we.
            Ok(1) => Ok(AclProtocol::Icmp),
            Ok(6) => Ok(AclProtocol::Tcp),
            Ok(17) => Ok(AclProtocol::Udp),
            Ok(n) => Ok(AclProtocol::Number(n)),
            Err(_) => Err(format!("protocol number {tok} out of range (0-255)")),
        };
    }
    Err(format!("unknown protocol {tok:?}"))
}

/// `any` | `host A` | `A WILDCARD` (extended lists).
fn parse_addr(toks: &mut Tokens<'_>, what: &str) -> Result<AddrMatch, String> {
    let Some(t) = toks.next() else {
        return Err(format!(
            "expected a {what} address (any, host A or A WILDCARD)"
        ));
    };
    if t.eq_ignore_ascii_case("any") {
        return Ok(AddrMatch::Any);
    }
    if t.eq_ignore_ascii_case("host") {
        return Ok(AddrMatch::Host(IpAddr::V4(host_addr(toks)?)));
    }
    let Some(addr) = parse_v4(t) else {
        return Err(format!(
            "expected a {what} address (any, host A or A WILDCARD), got {t:?}"
        ));
    };
    match toks.next() {
        None => Err(format!("expected a wildcard mask after {t:?}")),
        Some(w) => {
            let wildcard =
                parse_v4(w).ok_or_else(|| format!("invalid wildcard mask {w:?} after {t:?}"))?;
            Ok(wildcard_match(addr, wildcard))
        }
    }
}

/// The address after `host`.
fn host_addr(toks: &mut Tokens<'_>) -> Result<Ipv4Addr, String> {
    match toks.next() {
        None => Err("expected an address after \"host\"".to_string()),
        Some(t) => parse_v4(t).ok_or_else(|| format!("invalid address {t:?} after \"host\"")),
    }
}

/// `A WILDCARD`, normalised: a zero wildcard is a host, an all-ones wildcard
/// is `any`, and the address has the ignored bits cleared.
fn wildcard_match(addr: Ipv4Addr, wildcard: Ipv4Addr) -> AddrMatch {
    let w = u32::from(wildcard);
    match w {
        0 => AddrMatch::Host(IpAddr::V4(addr)),
        u32::MAX => AddrMatch::Any,
        _ => AddrMatch::Wildcard {
            addr: IpAddr::V4(Ipv4Addr::from(u32::from(addr) & !w)),
            wildcard: IpAddr::V4(wildcard),
        },
    }
}

fn parse_v4(tok: &str) -> Option<Ipv4Addr> {
    tok.parse().ok()
}

/// An optional `eq|neq|lt|gt N` or `range A B` after an address.
fn parse_port_match(
    toks: &mut Tokens<'_>,
    protocol: AclProtocol,
) -> Result<Option<PortMatch>, String> {
    let Some(op) = toks.peek() else {
        return Ok(None);
    };
    let op_lower = op.to_ascii_lowercase();
    if !matches!(op_lower.as_str(), "eq" | "neq" | "lt" | "gt" | "range") {
        return Ok(None);
    }
    if !matches!(protocol, AclProtocol::Tcp | AclProtocol::Udp) {
        return Err(format!("port match {op:?} only applies to tcp and udp"));
    }
    toks.next();
    let mut port = |after: &str| -> Result<u16, String> {
        match toks.next() {
            None => Err(format!("expected a port after {after:?}")),
            Some(p) => parse_port(p, protocol),
        }
    };
    let m = match op_lower.as_str() {
        "eq" => PortMatch::Eq(port(op)?),
        "neq" => PortMatch::Neq(port(op)?),
        "lt" => PortMatch::Lt(port(op)?),
        "gt" => PortMatch::Gt(port(op)?),
        _ => {
            let lo = port(op)?;
            let hi = port(op)?;
            if lo > hi {
                return Err(format!("port range {lo}-{hi} is empty (start above end)"));
            }
            PortMatch::Range(lo, hi)
        }
    };
    Ok(Some(m))
}

/// TCP port names IOS accepts (plus `http`/`https` for convenience).
const TCP_PORTS: &[(&str, u16)] = &[
    ("bgp", 179),
    ("chargen", 19),
    ("cmd", 514),
    ("daytime", 13),
    ("discard", 9),
    ("domain", 53),
    ("echo", 7),
    ("exec", 512),
    ("finger", 79),
    ("ftp", 21),
    ("ftp-data", 20),
    ("gopher", 70),
    ("hostname", 101),
    ("http", 80),
    ("https", 443),
    ("ident", 113),
    ("irc", 194),
    ("klogin", 543),
    ("kshell", 544),
    ("ldap", 389),
    ("login", 513),
    ("lpd", 515),
    ("msrpc", 135),
    ("nntp", 119),
    ("pim-auto-rp", 496),
    ("pop2", 109),
    ("pop3", 110),
    ("smtp", 25),
    ("ssh", 22),
    ("sunrpc", 111),
    ("tacacs", 49),
    ("talk", 517),
    ("telnet", 23),
    ("time", 37),
    ("uucp", 540),
    ("whois", 43),
    ("www", 80),
];

/// UDP port names IOS accepts (plus `https` for QUIC, by convenience).
const UDP_PORTS: &[(&str, u16)] = &[
    ("biff", 512),
    ("bootpc", 68),
    ("bootps", 67),
    ("discard", 9),
    ("dnsix", 195),
    ("domain", 53),
    ("echo", 7),
    ("https", 443),
    ("isakmp", 500),
    ("mobile-ip", 434),
    ("nameserver", 42),
    ("netbios-dgm", 138),
    ("netbios-ns", 137),
    ("netbios-ss", 139),
    ("non500-isakmp", 4500),
    ("ntp", 123),
    ("pim-auto-rp", 496),
    ("rip", 520),
    ("snmp", 161),
    ("snmptrap", 162),
    ("sunrpc", 111),
    ("syslog", 514),
    ("tacacs", 49),
    ("talk", 517),
    ("tftp", 69),
    ("time", 37),
    ("who", 513),
    ("xdmcp", 177),
];

fn parse_port(tok: &str, protocol: AclProtocol) -> Result<u16, String> {
    if !tok.is_empty() && tok.bytes().all(|b| b.is_ascii_digit()) {
        return tok
            .parse::<u16>()
            .map_err(|_| format!("port {tok} out of range"));
    }
    let lower = tok.to_ascii_lowercase();
    let (own, other, own_name, other_name) = if protocol == AclProtocol::Udp {
        (UDP_PORTS, TCP_PORTS, "udp", "tcp")
    } else {
        (TCP_PORTS, UDP_PORTS, "tcp", "udp")
    };
    if let Some((_, n)) = own.iter().find(|(name, _)| *name == lower) {
        return Ok(*n);
    }
    if other.iter().any(|(name, _)| *name == lower) {
        return Err(format!(
            "{tok:?} is a {other_name} port name, not {own_name}"
        ));
    }
    Err(format!("unknown port {tok:?}"))
}

/// ICMP message type names IOS accepts after the destination.
const ICMP_TYPES: &[&str] = &[
    "administratively-prohibited",
    "alternate-address",
    "conversion-error",
    "dod-host-prohibited",
    "dod-net-prohibited",
    "echo",
    "echo-reply",
    "general-parameter-problem",
    "host-isolated",
    "host-precedence-unreachable",
    "host-redirect",
    "host-tos-redirect",
    "host-tos-unreachable",
    "host-unknown",
    "host-unreachable",
    "information-reply",
    "information-request",
    "mask-reply",
    "mask-request",
    "mobile-redirect",
    "net-redirect",
    "net-tos-redirect",
    "net-tos-unreachable",
    "net-unreachable",
    "network-unknown",
    "no-room-for-option",
    "option-missing",
    "packet-too-big",
    "parameter-problem",
    "port-unreachable",
    "precedence-unreachable",
    "protocol-unreachable",
    "reassembly-timeout",
    "redirect",
    "router-advertisement",
    "router-solicitation",
    "source-quench",
    "source-route-failed",
    "time-exceeded",
    "timestamp-reply",
    "timestamp-request",
    "traceroute",
    "ttl-exceeded",
    "unreachable",
];

/// Skip an optional ICMP type (name, or number with an optional code).
fn skip_icmp_type(toks: &mut Tokens<'_>) -> Result<(), String> {
    let Some(t) = toks.peek() else {
        return Ok(());
    };
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        toks.next();
        t.parse::<u8>()
            .map_err(|_| format!("icmp type {t} out of range (0-255)"))?;
        if let Some(code) = toks
            .peek()
            .filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()))
        {
            toks.next();
            code.parse::<u8>()
                .map_err(|_| format!("icmp code {code} out of range (0-255)"))?;
        }
        return Ok(());
    }
    let lower = t.to_ascii_lowercase();
    if ICMP_TYPES.contains(&lower.as_str()) {
        toks.next();
        return Ok(());
    }
    if matches!(lower.as_str(), "log" | "log-input" | "established") {
        return Ok(());
    }
    Err(format!("unknown icmp type {t:?}"))
}

/// Whitespace-separated tokens with one token of look-ahead and access to
/// the unparsed rest of the line (for remarks).
struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Tokens<'a> {
    fn new(line: &'a str) -> Self {
        Tokens {
            rest: line.trim_start(),
        }
    }

    fn peek(&self) -> Option<&'a str> {
        let end = self
            .rest
            .find(char::is_whitespace)
            .unwrap_or(self.rest.len());
        let tok = self.rest.get(..end)?;
        (!tok.is_empty()).then_some(tok)
    }

    fn rest(&self) -> &'a str {
        self.rest.trim()
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let tok = self.peek()?;
        self.rest = self.rest.get(tok.len()..).unwrap_or("").trim_start();
        Some(tok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(line: &str) -> Result<AclEntry, String> {
        parse_entry(line, AclKind::Extended)
    }

    fn ace(line: &str) -> Ace {
        match ext(line) {
            Ok(AclEntry::Ace(a)) => a,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn v4(s: &str) -> IpAddr {
        IpAddr::V4(s.parse().unwrap())
    }

    #[test]
    fn extended_full_entry() {
        let a = ace(
            "10 permit tcp 10.1.0.0 0.0.255.255 eq www host 10.2.2.2 range 1000 2000 established log",
        );
        assert_eq!(a.seq, Some(10));
        assert_eq!(a.action, AclAction::Permit);
        assert_eq!(a.protocol, AclProtocol::Tcp);
        assert_eq!(
            a.src,
            AddrMatch::Wildcard {
                addr: v4("10.1.0.0"),
                wildcard: v4("0.0.255.255")
            }
        );
        assert_eq!(a.src_port, Some(PortMatch::Eq(80)));
        assert_eq!(a.dst, AddrMatch::Host(v4("10.2.2.2")));
        assert_eq!(a.dst_port, Some(PortMatch::Range(1000, 2000)));
        assert!(a.established);
        assert!(a.log);
    }

    #[test]
    fn extended_variants() {
        let a = ace("deny ip any any");
        assert_eq!(
            (a.seq, a.protocol, a.src, a.dst),
            (None, AclProtocol::Ip, AddrMatch::Any, AddrMatch::Any)
        );
        assert_eq!(
            ace("permit udp any any eq bootps").dst_port,
            Some(PortMatch::Eq(67))
        );
        assert_eq!(
            ace("permit udp any any eq snmp").dst_port,
            Some(PortMatch::Eq(161))
        );
        assert_eq!(
            ace("permit tcp any any eq https").dst_port,
            Some(PortMatch::Eq(443))
        );
        assert_eq!(
            ace("permit tcp any any neq 23").dst_port,
            Some(PortMatch::Neq(23))
        );
        assert_eq!(
            ace("permit tcp any any lt 1024").dst_port,
            Some(PortMatch::Lt(1024))
        );
        assert_eq!(
            ace("permit tcp any any gt 1023").dst_port,
            Some(PortMatch::Gt(1023))
        );
        assert_eq!(ace("permit gre any any").protocol, AclProtocol::Number(47));
        assert_eq!(ace("permit 89 any any").protocol, AclProtocol::Number(89));
        assert_eq!(ace("permit 6 any any eq 22").protocol, AclProtocol::Tcp);
        assert_eq!(
            ace("PERMIT ICMP any any echo-reply log-input").protocol,
            AclProtocol::Icmp
        );
        assert_eq!(ace("permit icmp any any 3 4").protocol, AclProtocol::Icmp);
        assert_eq!(
            ace("permit ip 10.1.1.5 0.0.0.0 any").src,
            AddrMatch::Host(v4("10.1.1.5"))
        );
        assert_eq!(
            ace("permit ip 0.0.0.0 255.255.255.255 any").src,
            AddrMatch::Any
        );
        // Ignored bits are cleared.
        assert_eq!(
            ace("permit ip 10.1.1.7 0.0.0.255 any").src,
            AddrMatch::Wildcard {
                addr: v4("10.1.1.0"),
                wildcard: v4("0.0.0.255")
            }
        );
    }

    #[test]
    fn remarks_and_standard() {
        assert_eq!(
            ext("20 remark  allow the web  "),
            Ok(AclEntry::Remark("allow the web".into()))
        );
        let std = |l: &str| match parse_entry(l, AclKind::Standard) {
            Ok(AclEntry::Ace(a)) => a,
            other => panic!("{l}: {other:?}"),
        };
        assert_eq!(std("permit 10.1.1.1").src, AddrMatch::Host(v4("10.1.1.1")));
        assert_eq!(
            std("permit host 10.1.1.1 log").src,
            AddrMatch::Host(v4("10.1.1.1"))
        );
        assert!(std("permit host 10.1.1.1 log").log);
        assert_eq!(std("5 deny any").src, AddrMatch::Any);
        let a = std("permit 10.1.0.0 0.0.255.255");
        assert_eq!(
            a.src,
            AddrMatch::Wildcard {
                addr: v4("10.1.0.0"),
                wildcard: v4("0.0.255.255")
            }
        );
        assert_eq!((a.protocol, a.dst), (AclProtocol::Ip, AddrMatch::Any));
        assert_eq!(
            parse_entry("permit ip any any", AclKind::Standard),
            Err("expected a source address (any, host A or A [WILDCARD]), got \"ip\"".into())
        );
        assert_eq!(
            parse_entry("permit any any", AclKind::Standard),
            Err("unexpected \"any\" at end of entry".into())
        );
    }

    #[test]
    fn errors_name_the_token() {
        let cases = [
            ("", "empty entry"),
            (
                "10",
                "expected \"permit\", \"deny\" or \"remark\" after sequence number 10",
            ),
            (
                "allow ip any any",
                "expected \"permit\", \"deny\" or \"remark\", got \"allow\"",
            ),
            ("permit", "expected a protocol after \"permit\""),
            ("permit tcpp any any", "unknown protocol \"tcpp\""),
            (
                "permit 256 any any",
                "protocol number 256 out of range (0-255)",
            ),
            ("permit ip host", "expected an address after \"host\""),
            (
                "permit ip host 10.1.1",
                "invalid address \"10.1.1\" after \"host\"",
            ),
            (
                "permit ip 10.0.0.0 any",
                "invalid wildcard mask \"any\" after \"10.0.0.0\"",
            ),
            (
                "permit ip 10.0.0.0",
                "expected a wildcard mask after \"10.0.0.0\"",
            ),
            (
                "permit ip any",
                "expected a destination address (any, host A or A WILDCARD)",
            ),
            (
                "permit ip any foo",
                "expected a destination address (any, host A or A WILDCARD), got \"foo\"",
            ),
            (
                "permit udp any any established",
                "\"established\" only applies to tcp",
            ),
            ("permit tcp any any eq 70000", "port 70000 out of range"),
            ("permit tcp any any eq", "expected a port after \"eq\""),
            (
                "permit tcp any any eq snmp",
                "\"snmp\" is a udp port name, not tcp",
            ),
            ("permit tcp any any eq nosuch", "unknown port \"nosuch\""),
            (
                "permit tcp any any range 90 80",
                "port range 90-80 is empty (start above end)",
            ),
            (
                "permit ip any any eq 80",
                "port match \"eq\" only applies to tcp and udp",
            ),
            (
                "permit ip any any foo",
                "unexpected \"foo\" at end of entry",
            ),
            ("permit icmp any any bogus", "unknown icmp type \"bogus\""),
            (
                "permit tcp any any log log",
                "unexpected \"log\" at end of entry",
            ),
            ("0 permit ip any any", "sequence number 0 out of range"),
            (
                "99999999999 permit ip any any",
                "sequence number 99999999999 out of range",
            ),
        ];
        for (line, want) in cases {
            assert_eq!(ext(line), Err(want.to_string()), "{line}");
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        for line in [
            "\u{0}",
            "permit \u{feff}",
            "é permit",
            "permit ip ány any",
            "  \t ",
            "remark",
            "1 remark",
        ] {
            let _ = ext(line);
            let _ = parse_entry(line, AclKind::Standard);
        }
    }
}
