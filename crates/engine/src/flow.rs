//! The flow a trace follows: addresses, protocol and ports.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// IP protocol of a traced flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Protocol {
    /// TCP (6).
    Tcp,
    /// UDP (17).
    Udp,
    /// ICMP (1).
    Icmp,
}

impl Protocol {
    /// IANA protocol number.
    pub fn number(self) -> u8 {
        match self {
            Protocol::Tcp => 6,
            Protocol::Udp => 17,
            Protocol::Icmp => 1,
        }
    }

    /// Upper-case name as DNA Center writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Icmp => "ICMP",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Protocol {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "tcp" => Ok(Protocol::Tcp),
            "udp" => Ok(Protocol::Udp),
            "icmp" => Ok(Protocol::Icmp),
            _ => Err(format!(
                "unknown protocol {s:?} (expected tcp, udp or icmp)"
            )),
        }
    }
}

/// A flow: what a path-trace request asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flow {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Protocol; `None` = check both TCP and UDP (DNA Center's blank protocol).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// Source port, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_port: Option<u16>,
    /// Destination port, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dst_port: Option<u16>,
}

impl Flow {
    /// A flow between two addresses with no protocol or ports.
    pub fn new(src: IpAddr, dst: IpAddr) -> Self {
        Flow {
            src,
            dst,
            protocol: None,
            src_port: None,
            dst_port: None,
        }
    }

    /// A stable 64-bit hash of the 5-tuple (FNV-1a over a canonical text
    /// form), used to pick the one ECMP branch DNA Center's single-path view
    /// shows. Documented so the choice is reproducible, not tuned.
    pub fn hash5(&self) -> u64 {
        let text = format!(
            "{}|{}|{}|{}|{}",
            self.src,
            self.dst,
            self.protocol.map_or("", Protocol::as_str),
            self.src_port.map_or(String::new(), |p| p.to_string()),
            self.dst_port.map_or(String::new(), |p| p.to_string()),
        );
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h
    }
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.src)?;
        if let Some(p) = self.src_port {
            write!(f, ":{p}")?;
        }
        write!(f, " -> {}", self.dst)?;
        if let Some(p) = self.dst_port {
            write!(f, ":{p}")?;
        }
        match self.protocol {
            Some(p) => write!(f, " {p}"),
            None => write!(f, " (TCP and UDP)"),
        }
    }
}
