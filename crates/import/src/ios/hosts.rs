//! The non-IOS files of a Batfish snapshot: host descriptions
//! (`hosts/*.json`), their iptables rules (`iptables/*.iptables`, as
//! `iptables-save` writes them), the `interface_blacklist` and a layer-1
//! topology. Each parsed file carries a [`FileAccount`] like a configuration,
//! so the coverage report covers every file of the snapshot.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::Serialize;
use serde_json::Value;

use super::types::{FileAccount, NotUnderstood, SyntaxError};

/// A host (`hosts/NAME.json`, Batfish's host format).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Host {
    /// `hostname`.
    pub hostname: String,
    /// `iptablesFile`: a path relative to the snapshot.
    pub iptables_file: Option<String>,
    /// `hostInterfaces`, sorted by name.
    pub interfaces: Vec<HostInterface>,
    /// How the file's lines were classified.
    pub account: FileAccount,
}

/// One of `hostInterfaces`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostInterface {
    /// `name` (or the key when `name` is absent).
    pub name: String,
    /// `prefix`: the address with its length (`2.128.0.101/24`).
    pub prefix: Option<Ipv4Net>,
    /// `gateway`.
    pub gateway: Option<Ipv4Addr>,
}

/// An `iptables-save` file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IptablesFile {
    /// Tables (`*filter`, `*nat`, `*mangle`, …) in file order.
    pub tables: Vec<IptablesTable>,
    /// How the file's lines were classified.
    pub account: FileAccount,
}

impl IptablesFile {
    /// The `filter` table, if the file has one.
    pub fn filter(&self) -> Option<&IptablesTable> {
        self.tables.iter().find(|t| t.name == "filter")
    }
}

/// One `*TABLE … COMMIT` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IptablesTable {
    /// Line of `*TABLE`.
    pub line: usize,
    /// Table name (`filter`).
    pub name: String,
    /// `:CHAIN POLICY [packets:bytes]` lines.
    pub chains: Vec<IptablesChain>,
    /// `-A CHAIN …` rules, in order.
    pub rules: Vec<IptablesRule>,
}

/// A chain and its policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IptablesChain {
    /// 1-based line.
    pub line: usize,
    /// Chain name (`INPUT`, `OUTPUT`, `FORWARD`, or a user chain).
    pub name: String,
    /// `ACCEPT`, `DROP`, or `-` for a user chain.
    pub policy: String,
}

/// A rule, kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IptablesRule {
    /// 1-based line.
    pub line: usize,
    /// The chain it is appended to.
    pub chain: String,
    /// What follows `-A CHAIN` (`-p tcp --dport 22 -j ACCEPT`).
    pub text: String,
}

/// One `interface_blacklist` entry: that interface is down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlacklistEntry {
    /// 1-based line (of the entry's `hostname` in the JSON form).
    pub line: usize,
    /// Node (hostname).
    pub node: String,
    /// Interface name.
    pub interface: String,
}

/// The `interface_blacklist` file: either lines `NODE INTERFACE` or Batfish's
/// JSON list of `{"hostname", "interface"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InterfaceBlacklist {
    /// Entries in file order.
    pub entries: Vec<BlacklistEntry>,
    /// How the file's lines were classified.
    pub account: FileAccount,
}

/// A layer-1 edge end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layer1End {
    /// `hostname`.
    pub hostname: String,
    /// `interfaceName`.
    pub interface: String,
}

/// A layer-1 topology (`{"edges": [{"node1": …, "node2": …}]}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Layer1Topology {
    /// Cables, in file order.
    pub edges: Vec<(Layer1End, Layer1End)>,
    /// How the file's lines were classified.
    pub account: FileAccount,
}

fn account(file: &str, text: &str) -> FileAccount {
    FileAccount {
        file: file.to_owned(),
        lines: text.lines().count(),
        ..FileAccount::default()
    }
}

/// A JSON file whose whole content is one syntax error.
fn json_error(acc: &mut FileAccount, text: &str, e: &serde_json::Error) {
    let line = e.line().max(1);
    acc.lines = acc.lines.max(line);
    acc.syntax_errors.push(SyntaxError {
        line,
        text: text
            .lines()
            .nth(line - 1)
            .unwrap_or("")
            .trim_end()
            .to_owned(),
        message: format!("not valid JSON: {e}"),
    });
    let rest = acc.lines.saturating_sub(1);
    acc.cosmetic = rest;
}

/// The line of the first occurrence of `"key"` (1 when absent).
fn line_of(text: &str, key: &str) -> usize {
    let needle = format!("\"{key}\"");
    text.lines()
        .position(|l| l.contains(&needle))
        .map_or(1, |i| i + 1)
}

/// Count a JSON file's lines once its content was read: blank lines and
/// lines of brackets only are cosmetic, the not-understood keys are what
/// was recorded, the rest is understood.
fn settle_json(acc: &mut FileAccount, text: &str) {
    // One finding per line: an error wins over a key not understood.
    acc.syntax_errors.sort_by_key(|e| e.line);
    acc.syntax_errors.dedup_by_key(|e| e.line);
    acc.not_understood.sort_by_key(|n| n.line);
    acc.not_understood.dedup_by_key(|n| n.line);
    let errors: Vec<usize> = acc.syntax_errors.iter().map(|e| e.line).collect();
    acc.not_understood.retain(|n| !errors.contains(&n.line));
    acc.lines = acc.lines.max(errors.last().copied().unwrap_or(0));
    let flagged: Vec<usize> = acc
        .not_understood
        .iter()
        .map(|n| n.line)
        .chain(acc.syntax_errors.iter().map(|e| e.line))
        .collect();
    for (i, l) in text.lines().enumerate() {
        if flagged.contains(&(i + 1)) {
            continue;
        }
        if l.trim().chars().all(|c| "{}[],".contains(c)) {
            acc.cosmetic += 1;
        } else {
            acc.understood += 1;
        }
    }
}

/// Parse a host file. Keys other than `hostname`, `iptablesFile`,
/// `hostInterfaces` (and an interface's `name`, `prefix`, `gateway`) are
/// recorded as not understood.
pub fn parse_host(file: &str, text: &str) -> Host {
    let mut host = Host {
        account: account(file, text),
        ..Host::default()
    };
    let acc = &mut host.account;
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            json_error(acc, text, &e);
            return host;
        }
    };
    let Some(obj) = v.as_object() else {
        acc.syntax_errors.push(SyntaxError {
            line: 1,
            text: text.lines().next().unwrap_or("").to_owned(),
            message: "a host file must be a JSON object".to_owned(),
        });
        acc.cosmetic = acc.lines.saturating_sub(1);
        return host;
    };
    let err = |acc: &mut FileAccount, key: &str, message: String| {
        let line = line_of(text, key);
        acc.syntax_errors.push(SyntaxError {
            line,
            text: text
                .lines()
                .nth(line - 1)
                .unwrap_or("")
                .trim_end()
                .to_owned(),
            message,
        });
    };
    for (key, val) in obj {
        match key.as_str() {
            "hostname" => match val.as_str() {
                Some(h) => h.clone_into(&mut host.hostname),
                None => err(acc, key, "hostname must be a string".to_owned()),
            },
            "iptablesFile" => match val.as_str() {
                Some(f) => host.iptables_file = Some(f.to_owned()),
                None => err(acc, key, "iptablesFile must be a string".to_owned()),
            },
            "hostInterfaces" => {
                let Some(ifs) = val.as_object() else {
                    err(acc, key, "hostInterfaces must be an object".to_owned());
                    continue;
                };
                for (ifkey, ifval) in ifs {
                    let mut itf = HostInterface {
                        name: ifkey.clone(),
                        prefix: None,
                        gateway: None,
                    };
                    let Some(fields) = ifval.as_object() else {
                        err(acc, ifkey, format!("interface {ifkey} must be an object"));
                        continue;
                    };
                    for (k, fv) in fields {
                        let s = fv.as_str().unwrap_or("");
                        match k.as_str() {
                            "name" if fv.is_string() => s.clone_into(&mut itf.name),
                            "prefix" => match s.parse::<Ipv4Net>() {
                                Ok(p) => itf.prefix = Some(p),
                                Err(_) => err(
                                    acc,
                                    k,
                                    format!("`{fv}` is not an IPv4 prefix (A.B.C.D/LEN)"),
                                ),
                            },
                            "gateway" => match s.parse::<Ipv4Addr>() {
                                Ok(g) => itf.gateway = Some(g),
                                Err(_) => err(acc, k, format!("`{fv}` is not an IPv4 address")),
                            },
                            _ => {
                                let line = line_of(text, k);
                                acc.not_understood.push(NotUnderstood {
                                    line,
                                    text: text.lines().nth(line - 1).unwrap_or("").to_owned(),
                                    feature: format!("host/{k}"),
                                });
                            }
                        }
                    }
                    host.interfaces.push(itf);
                }
            }
            _ => {
                let line = line_of(text, key);
                acc.not_understood.push(NotUnderstood {
                    line,
                    text: text.lines().nth(line - 1).unwrap_or("").to_owned(),
                    feature: format!("host/{key}"),
                });
            }
        }
    }
    if host.hostname.is_empty() && acc.syntax_errors.is_empty() {
        acc.syntax_errors.push(SyntaxError {
            line: 1,
            text: text.lines().next().unwrap_or("").to_owned(),
            message: "a host file needs a hostname".to_owned(),
        });
    }
    host.interfaces.sort_by(|a, b| a.name.cmp(&b.name));
    settle_json(acc, text);
    host
}

/// Parse an `iptables-save` file.
pub fn parse_iptables(file: &str, text: &str) -> IptablesFile {
    let mut out = IptablesFile {
        account: account(file, text),
        ..IptablesFile::default()
    };
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let t = raw.trim();
        let acc = &mut out.account;
        if t.is_empty() || t.starts_with('#') {
            acc.cosmetic += 1;
            continue;
        }
        let error = |acc: &mut FileAccount, message: &str| {
            acc.syntax_errors.push(SyntaxError {
                line: n,
                text: raw.to_owned(),
                message: message.to_owned(),
            });
        };
        if let Some(name) = t.strip_prefix('*') {
            out.tables.push(IptablesTable {
                line: n,
                name: name.trim().to_owned(),
                ..IptablesTable::default()
            });
            acc.understood += 1;
        } else if t == "COMMIT" {
            acc.understood += 1;
        } else if let Some(chain) = t.strip_prefix(':') {
            let mut w = chain.split_whitespace();
            match (w.next(), w.next(), out.tables.last_mut()) {
                (Some(name), Some(policy), Some(table)) => {
                    table.chains.push(IptablesChain {
                        line: n,
                        name: name.to_owned(),
                        policy: policy.to_owned(),
                    });
                    acc.understood += 1;
                }
                (_, _, None) => error(acc, "a chain outside a table (*TABLE)"),
                _ => error(acc, "a chain needs a name and a policy"),
            }
        } else if let Some(rule) = t.strip_prefix("-A ") {
            let rule = rule.trim_start();
            let (chain, rest) = rule.split_once(char::is_whitespace).unwrap_or((rule, ""));
            match out.tables.last_mut() {
                Some(table) if !chain.is_empty() => {
                    table.rules.push(IptablesRule {
                        line: n,
                        chain: chain.to_owned(),
                        text: rest.trim().to_owned(),
                    });
                    acc.understood += 1;
                }
                Some(_) => error(acc, "-A needs a chain"),
                None => error(acc, "a rule outside a table (*TABLE)"),
            }
        } else {
            acc.not_understood.push(NotUnderstood {
                line: n,
                text: raw.to_owned(),
                feature: "iptables".to_owned(),
            });
        }
    }
    out
}

/// Parse `interface_blacklist`: Batfish's JSON list, or lines `NODE INTERFACE`.
pub fn parse_blacklist(file: &str, text: &str) -> InterfaceBlacklist {
    let mut out = InterfaceBlacklist {
        account: account(file, text),
        ..InterfaceBlacklist::default()
    };
    let acc = &mut out.account;
    if text.trim_start().starts_with('[') {
        let v: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                json_error(acc, text, &e);
                return out;
            }
        };
        let Some(items) = v.as_array() else {
            acc.syntax_errors.push(SyntaxError {
                line: 1,
                text: text.lines().next().unwrap_or("").to_owned(),
                message: "a JSON interface_blacklist is a list of {\"hostname\", \"interface\"}"
                    .to_owned(),
            });
            settle_json(acc, text);
            return out;
        };
        for item in items {
            let node = item.get("hostname").and_then(Value::as_str);
            let interface = item.get("interface").and_then(Value::as_str);
            if let (Some(node), Some(interface)) = (node, interface) {
                out.entries.push(BlacklistEntry {
                    line: line_of_pair(text, node, interface),
                    node: node.to_owned(),
                    interface: interface.to_owned(),
                });
            } else {
                acc.syntax_errors.push(SyntaxError {
                    line: 1,
                    text: item.to_string(),
                    message: "an entry needs `hostname` and `interface` strings".to_owned(),
                });
            }
        }
        settle_json(acc, text);
        return out;
    }
    for (i, raw) in text.lines().enumerate() {
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            acc.cosmetic += 1;
            continue;
        }
        let w: Vec<&str> = t.split_whitespace().collect();
        if let [node, interface] = w[..] {
            out.entries.push(BlacklistEntry {
                line: i + 1,
                node: node.to_owned(),
                interface: interface.to_owned(),
            });
            acc.understood += 1;
        } else {
            acc.syntax_errors.push(SyntaxError {
                line: i + 1,
                text: raw.to_owned(),
                message: "an entry is NODE INTERFACE".to_owned(),
            });
        }
    }
    out
}

/// The line that names both `a` and `b` (or `a` alone; 1 when absent).
fn line_of_pair(text: &str, a: &str, b: &str) -> usize {
    let qa = format!("\"{a}\"");
    let qb = format!("\"{b}\"");
    text.lines()
        .position(|l| l.contains(&qa) && l.contains(&qb))
        .or_else(|| text.lines().position(|l| l.contains(&qa)))
        .map_or(1, |i| i + 1)
}

/// Parse a layer-1 topology file.
pub fn parse_layer1(file: &str, text: &str) -> Layer1Topology {
    let mut out = Layer1Topology {
        account: account(file, text),
        ..Layer1Topology::default()
    };
    let acc = &mut out.account;
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            json_error(acc, text, &e);
            return out;
        }
    };
    let end = |v: Option<&Value>| -> Option<Layer1End> {
        let v = v?;
        Some(Layer1End {
            hostname: v.get("hostname")?.as_str()?.to_owned(),
            interface: v.get("interfaceName")?.as_str()?.to_owned(),
        })
    };
    let Some(edges) = v.get("edges").and_then(Value::as_array) else {
        acc.syntax_errors.push(SyntaxError {
            line: 1,
            text: text.lines().next().unwrap_or("").to_owned(),
            message: "a layer-1 topology is {\"edges\": [...]}".to_owned(),
        });
        acc.cosmetic = acc.lines.saturating_sub(1);
        return out;
    };
    for e in edges {
        if let (Some(a), Some(b)) = (end(e.get("node1")), end(e.get("node2"))) {
            out.edges.push((a, b));
        } else if acc.syntax_errors.is_empty() {
            acc.syntax_errors.push(SyntaxError {
                line: line_of(text, "edges"),
                text: e.to_string(),
                message: "an edge needs node1 and node2, each with hostname and interfaceName"
                    .to_owned(),
            });
        }
    }
    settle_json(acc, text);
    out
}
