//! A line-oriented parser of Cisco IOS running configurations
//! (`show running-config` as saved in a snapshot's `configs/`).
//!
//! A line at column 0 is a top-level command; an indented line belongs to the
//! last top-level command (and, inside `router bgp`, a line indented twice to
//! the current `address-family`). Each line ends in exactly one class
//! ([`FileAccount`]): cosmetic, understood (read into [`IosConfig`]), not
//! understood (kept with its feature group) or a syntax error (a command the
//! parser knows whose arguments it cannot read). Nothing here panics: every
//! number and address is parsed with `str::parse`, and slices are taken only
//! at boundaries that `str` methods found.

// Token patterns read best with the names IOS's own help uses: `a` address,
// `m` mask, `p` process, `n` line number, `w` the line's words.
#![allow(clippy::many_single_char_names)]

use std::net::Ipv4Addr;
use std::str::FromStr;

use ipnet::Ipv4Net;

use super::types::{
    Acl, AclEntry, Action, BgpAddressFamily, BgpAfNeighbor, BgpAggregate, BgpNetwork, BgpPeer,
    BgpProcess, CommunityListEntry, DefaultInformation, FileAccount, Interface, IosConfig,
    ListKind, Located, NotUnderstood, OspfInterfaceArea, OspfNetwork, OspfProcess, PrefixListEntry,
    Redistribute, RedistributeSource, RouteMapClause, RouteMapMatch, RouteMapSet, StaticRoute,
    SwitchportMode, SyntaxError, Vlan, VlanRange,
};

/// What became of one line.
enum Outcome {
    Understood,
    NotUnderstood(String),
    Error(String),
}

use Outcome::{Error, NotUnderstood as Nu, Understood};

type Res<T> = Result<T, String>;

/// The block an indented line belongs to.
#[derive(Debug, Clone)]
enum Ctx {
    /// No block yet, or a top-level command that opens none we model;
    /// children go to the feature group of that command.
    Other(String),
    Interface(usize),
    Ospf(usize),
    /// `router bgp`; the address family of the last `address-family` line
    /// (`Some(None)`: one we do not model, with its feature group).
    Bgp(Option<AfScope>),
    RouteMap(usize),
    NamedAcl(usize),
    Vlan(usize),
}

#[derive(Debug, Clone)]
enum AfScope {
    Modelled(usize),
    Unmodelled(String),
}

struct Parser {
    cfg: IosConfig,
    ctx: Ctx,
    /// The delimiter of the banner being skipped, and the line it opened on.
    banner: Option<(String, usize, String)>,
}

/// Parse one configuration file. `file` is the name used in reports (the
/// path relative to the snapshot); `text` is the file's content. Never fails:
/// what cannot be read is recorded in [`IosConfig::account`].
pub fn parse_config(file: &str, text: &str) -> IosConfig {
    let mut p = Parser {
        cfg: IosConfig {
            account: FileAccount {
                file: file.to_owned(),
                ..FileAccount::default()
            },
            ..IosConfig::default()
        },
        ctx: Ctx::Other(String::new()),
        banner: None,
    };
    for (i, raw) in text.lines().enumerate() {
        p.line(i + 1, raw.trim_end());
    }
    if let Some((delim, line, text)) = p.banner.take() {
        // The banner's first line was counted as not understood; it is an
        // error instead: the rest of the file was swallowed as its text.
        let acc = &mut p.cfg.account;
        if acc
            .not_understood
            .last()
            .is_some_and(|n| n.line == line && n.feature == "banner")
        {
            acc.not_understood.pop();
        }
        acc.syntax_errors.push(SyntaxError {
            line,
            text,
            message: format!(
                "banner not closed by `{delim}` before the end of the file (the rest of the file was read as its text)"
            ),
        });
    }
    p.cfg
}

/// Lines that carry no meaning.
fn is_cosmetic(t: &str) -> bool {
    t.is_empty()
        || t.starts_with('!')
        || t == "end"
        || t.starts_with("Building configuration")
        || t.starts_with("Current configuration")
}

/// The feature key of a command: its first word, or first two or three when
/// the first ones are generic (`ip domain`, `no ip http`, `line vty`).
pub(super) fn feature_key(words: &[&str]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for w in words {
        out.push(w);
        let generic = matches!(
            *w,
            "no" | "default"
                | "ip"
                | "ipv6"
                | "line"
                | "router"
                | "service"
                | "bgp"
                | "switchport"
                | "mpls"
                | "spanning-tree"
                | "match"
                | "set"
        );
        if !generic || out.len() >= 3 {
            break;
        }
    }
    out.join(" ")
}

impl Parser {
    fn line(&mut self, n: usize, raw: &str) {
        self.cfg.account.lines += 1;
        if let Some((delim, _, _)) = &self.banner {
            if raw.contains(delim.as_str()) {
                self.banner = None;
            }
            self.cfg.account.cosmetic += 1;
            return;
        }
        let t = raw.trim_start();
        if is_cosmetic(t) {
            self.cfg.account.cosmetic += 1;
            return;
        }
        let indent = raw.len() - t.len();
        let words: Vec<&str> = t.split_whitespace().collect();
        let outcome = if indent == 0 {
            self.top(n, t, &words)
        } else {
            self.child(n, indent, t, &words)
        };
        let acc = &mut self.cfg.account;
        match outcome {
            Understood => acc.understood += 1,
            Nu(feature) => acc.not_understood.push(NotUnderstood {
                line: n,
                text: raw.to_owned(),
                feature,
            }),
            Error(message) => acc.syntax_errors.push(SyntaxError {
                line: n,
                text: raw.to_owned(),
                message,
            }),
        }
    }

    // ----- top level ---------------------------------------------------------

    fn top(&mut self, n: usize, t: &str, w: &[&str]) -> Outcome {
        let key = feature_key(w);
        self.ctx = Ctx::Other(key.clone());
        let r = match w {
            ["hostname", name] => {
                self.cfg.hostname = Some(Located {
                    line: n,
                    value: (*name).to_owned(),
                });
                Ok(Understood)
            }
            ["hostname", ..] => Err("hostname needs exactly one name".to_owned()),
            ["version", v] => {
                self.cfg.version = Some(Located {
                    line: n,
                    value: (*v).to_owned(),
                });
                Ok(Understood)
            }
            ["banner", ..] => Ok(self.banner(n, t)),
            ["interface", name, ..] => {
                self.cfg.interfaces.push(Interface {
                    line: n,
                    name: (*name).to_owned(),
                    ..Interface::default()
                });
                self.ctx = Ctx::Interface(self.cfg.interfaces.len() - 1);
                Ok(Understood)
            }
            ["interface"] => Err("interface needs a name".to_owned()),
            ["ip", "route", rest @ ..] => self.static_route(n, rest),
            ["router", "ospf", rest @ ..] => self.router_ospf(n, rest),
            ["router", "bgp", rest @ ..] => self.router_bgp(n, rest),
            ["ip", "prefix-list", rest @ ..] => self.prefix_list(n, rest),
            ["route-map", rest @ ..] => self.route_map(n, rest),
            ["ip", "community-list", rest @ ..] => self.community_list(n, rest),
            ["access-list", rest @ ..] => self.numbered_acl(n, rest),
            ["ip", "access-list", kind @ ("standard" | "extended"), name] => {
                let kind = if *kind == "standard" {
                    ListKind::Standard
                } else {
                    ListKind::Extended
                };
                let idx = self.acl_index(n, name, kind);
                self.ctx = Ctx::NamedAcl(idx);
                Ok(Understood)
            }
            ["vlan", id] if id.starts_with(|c: char| c.is_ascii_digit()) => {
                if id.contains([',', '-']) {
                    Ok(Nu(key))
                } else {
                    let id = match vlan_id(id) {
                        Ok(id) => id,
                        Err(e) => return Error(e),
                    };
                    self.cfg.vlans.push(Vlan {
                        line: n,
                        id,
                        name: None,
                    });
                    self.ctx = Ctx::Vlan(self.cfg.vlans.len() - 1);
                    Ok(Understood)
                }
            }
            _ => Ok(Nu(key)),
        };
        r.unwrap_or_else(Error)
    }

    fn banner(&mut self, n: usize, t: &str) -> Outcome {
        let after = t.strip_prefix("banner").unwrap_or(t).trim_start();
        let rest = after
            .split_once(char::is_whitespace)
            .map_or("", |(_, r)| r.trim_start());
        let delim: String = if rest.starts_with("^C") {
            "^C".to_owned()
        } else if let Some(c) = rest.chars().next() {
            c.to_string()
        } else {
            return Nu("banner".to_owned());
        };
        let body = rest.get(delim.len()..).unwrap_or("");
        if !body.contains(delim.as_str()) {
            self.banner = Some((delim, n, t.to_owned()));
        }
        Nu("banner".to_owned())
    }

    // ----- indented lines ----------------------------------------------------

    fn child(&mut self, n: usize, indent: usize, t: &str, w: &[&str]) -> Outcome {
        let r = match self.ctx.clone() {
            Ctx::Other(key) => Ok(Nu(if key.is_empty() { feature_key(w) } else { key })),
            Ctx::Interface(i) => self.interface_line(i, t, w),
            Ctx::Ospf(i) => self.ospf_line(n, i, w),
            Ctx::Bgp(af) => self.bgp_line(n, indent, af, t, w),
            Ctx::RouteMap(i) => self.route_map_line(n, i, w),
            Ctx::NamedAcl(i) => Ok(match w.first() {
                Some(first)
                    if matches!(*first, "permit" | "deny" | "remark")
                        || first.parse::<u32>().is_ok() =>
                {
                    self.cfg.acls[i].entries.push(AclEntry {
                        line: n,
                        text: w.join(" "),
                    });
                    Understood
                }
                _ => Nu(format!("ip access-list/{}", feature_key(w))),
            }),
            Ctx::Vlan(i) => Ok(match w {
                ["name", name] => {
                    self.cfg.vlans[i].name = Some((*name).to_owned());
                    Understood
                }
                _ => Nu(format!("vlan/{}", feature_key(w))),
            }),
        };
        r.unwrap_or_else(Error)
    }

    // ----- interfaces --------------------------------------------------------

    fn interface_line(&mut self, i: usize, t: &str, w: &[&str]) -> Res<Outcome> {
        let nu = || Ok(Nu(format!("interface/{}", feature_key(w))));
        let itf = &mut self.cfg.interfaces[i];
        match w {
            ["description", ..] => {
                let text = t.strip_prefix("description").unwrap_or("").trim();
                itf.description = Some(text.to_owned());
            }
            ["ip", "address", a, m] => itf.address = Some(iface_net(a, m)?),
            ["ip", "address", a, m, "secondary"] => itf.secondary.push(iface_net(a, m)?),
            ["ip", "address", a, ..] if a.parse::<Ipv4Addr>().is_ok() || looks_like_ip(a) => {
                return Err("ip address needs an address and a mask".to_owned());
            }
            ["ip", "address"] => return Err("ip address needs an address and a mask".to_owned()),
            ["no", "ip", "address"] => {
                itf.address = None;
                itf.secondary.clear();
            }
            ["shutdown"] => itf.shutdown = true,
            ["no", "shutdown"] => itf.shutdown = false,
            ["speed", "auto"] => itf.speed = None,
            ["speed", s] => itf.speed = Some(num(s, "speed")?),
            ["mtu", m] => itf.mtu = Some(num(m, "mtu")?),
            ["ip", "mtu", m] => itf.ip_mtu = Some(num(m, "ip mtu")?),
            ["vrf", "forwarding", v] | ["ip", "vrf", "forwarding", v] => {
                itf.vrf = Some((*v).to_owned());
            }
            ["ip", "access-group", name, dir] => match *dir {
                "in" => itf.acl_in = Some((*name).to_owned()),
                "out" => itf.acl_out = Some((*name).to_owned()),
                other => return Err(format!("ip access-group: `{other}` is not in or out")),
            },
            ["ip", "ospf", "cost", c] => itf.ospf_cost = Some(num(c, "ip ospf cost")?),
            ["ip", "ospf", p, "area", a] => {
                itf.ospf_area = Some(OspfInterfaceArea {
                    process: num(p, "OSPF process id")?,
                    area: area(a)?,
                });
            }
            ["switchport"] => itf.switchport = Some(true),
            ["no", "switchport"] => itf.switchport = Some(false),
            ["switchport", "mode", "access"] => itf.switchport_mode = Some(SwitchportMode::Access),
            ["switchport", "mode", "trunk"] => itf.switchport_mode = Some(SwitchportMode::Trunk),
            ["switchport", "access", "vlan", v] => itf.access_vlan = Some(vlan_id(v)?),
            ["switchport", "trunk", "native", "vlan", v] => itf.native_vlan = Some(vlan_id(v)?),
            ["switchport", "trunk", "allowed", "vlan", rest @ ..] => match rest {
                ["all"] => {
                    itf.trunk_allowed_vlans = Some(vec![VlanRange {
                        first: 1,
                        last: 4094,
                    }]);
                }
                ["none"] => itf.trunk_allowed_vlans = Some(Vec::new()),
                ["add", list] => {
                    let mut add = vlan_list(list)?;
                    itf.trunk_allowed_vlans
                        .get_or_insert_with(Vec::new)
                        .append(&mut add);
                }
                [list] => itf.trunk_allowed_vlans = Some(vlan_list(list)?),
                [] => return Err("switchport trunk allowed vlan needs a list".to_owned()),
                _ => return nu(),
            },
            ["encapsulation", e, v] if e.eq_ignore_ascii_case("dot1q") => {
                itf.encapsulation_dot1q = Some(vlan_id(v)?);
            }
            _ => return nu(),
        }
        Ok(Understood)
    }

    // ----- static routes -----------------------------------------------------

    fn static_route(&mut self, n: usize, rest: &[&str]) -> Res<Outcome> {
        let nu = || Ok(Nu("ip route".to_owned()));
        let (vrf, rest) = match rest {
            ["vrf", v, rest @ ..] => (Some((*v).to_owned()), rest),
            _ => (None, rest),
        };
        let [p, m, rest @ ..] = rest else {
            return Err("ip route needs a prefix, a mask and a next hop".to_owned());
        };
        let prefix = exact_net(p, m)?;
        let mut it = rest.iter().peekable();
        let mut next_hop_ip = None;
        let mut next_hop_interface = None;
        match it.next() {
            None => return Err("ip route needs a next hop (address or interface)".to_owned()),
            Some(x) if looks_like_ip(x) => next_hop_ip = Some(ip(x)?),
            Some(x) if x.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                next_hop_interface = Some((*x).to_owned());
                if let Some(y) = it.peek()
                    && looks_like_ip(y)
                {
                    next_hop_ip = Some(ip(y)?);
                    it.next();
                }
            }
            Some(x) => {
                return Err(format!(
                    "`{x}` is neither a next-hop address nor an interface"
                ));
            }
        }
        let mut route = StaticRoute {
            line: n,
            vrf,
            prefix,
            next_hop_ip,
            next_hop_interface,
            distance: 1,
            tag: None,
            name: None,
            permanent: false,
        };
        while let Some(x) = it.next() {
            match *x {
                "tag" => route.tag = Some(num(it.next().unwrap_or(&""), "tag")?),
                "name" => route.name = it.next().map(|s| (*s).to_owned()),
                "permanent" => route.permanent = true,
                d if d.starts_with(|c: char| c.is_ascii_digit()) => {
                    route.distance = num(d, "administrative distance")?;
                    if route.distance == 0 {
                        return Err("administrative distance must be 1-255".to_owned());
                    }
                }
                _ => return nu(),
            }
        }
        self.cfg.static_routes.push(route);
        Ok(Understood)
    }

    // ----- OSPF --------------------------------------------------------------

    fn router_ospf(&mut self, n: usize, rest: &[&str]) -> Res<Outcome> {
        let (pid, vrf) = match rest {
            [pid] => (pid, None),
            [pid, "vrf", v] => (pid, Some((*v).to_owned())),
            [] => return Err("router ospf needs a process id".to_owned()),
            _ => return Ok(Nu("router ospf".to_owned())),
        };
        let process_id = num(pid, "OSPF process id")?;
        self.cfg.ospf.push(OspfProcess {
            line: n,
            process_id,
            vrf,
            ..OspfProcess::default()
        });
        self.ctx = Ctx::Ospf(self.cfg.ospf.len() - 1);
        Ok(Understood)
    }

    fn ospf_line(&mut self, n: usize, i: usize, w: &[&str]) -> Res<Outcome> {
        let nu = || Ok(Nu(format!("router ospf/{}", feature_key(w))));
        let o = &mut self.cfg.ospf[i];
        match w {
            ["router-id", a] => o.router_id = Some(ip(a)?),
            ["network", a, wc, "area", ar] => o.networks.push(OspfNetwork {
                line: n,
                address: ip(a)?,
                wildcard: ip(wc)?,
                area: area(ar)?,
            }),
            ["network", ..] => return Err("network needs ADDRESS WILDCARD area AREA".to_owned()),
            ["passive-interface", "default"] => o.passive_default = true,
            ["no", "passive-interface", "default"] => o.passive_default = false,
            ["passive-interface", name] => o.passive_interfaces.push((*name).to_owned()),
            ["no", "passive-interface", name] => o.non_passive_interfaces.push((*name).to_owned()),
            ["redistribute", rest @ ..] => match redistribute(n, rest)? {
                Some(r) => o.redistribute.push(r),
                None => return nu(),
            },
            ["default-information", "originate", rest @ ..] => {
                let mut d = DefaultInformation {
                    line: n,
                    always: false,
                    metric: None,
                    metric_type: None,
                    route_map: None,
                };
                let mut it = rest.iter();
                while let Some(x) = it.next() {
                    match *x {
                        "always" => d.always = true,
                        "metric" => d.metric = Some(num(it.next().unwrap_or(&""), "metric")?),
                        "metric-type" => d.metric_type = Some(metric_type(it.next())?),
                        "route-map" => {
                            d.route_map = Some(need(it.next(), "route-map needs a name")?);
                        }
                        _ => return nu(),
                    }
                }
                o.default_information = Some(d);
            }
            ["auto-cost", "reference-bandwidth", b] => {
                o.reference_bandwidth = Some(num(b, "reference bandwidth")?);
            }
            _ => return nu(),
        }
        Ok(Understood)
    }

    // ----- BGP ---------------------------------------------------------------

    fn router_bgp(&mut self, n: usize, rest: &[&str]) -> Res<Outcome> {
        let [asn_text] = rest else {
            return Err("router bgp needs exactly one AS number".to_owned());
        };
        let asn = asn(asn_text)?;
        if self.cfg.bgp.as_ref().is_some_and(|b| b.asn != asn) {
            return Err(format!(
                "a second `router bgp` with another AS number ({asn}); IOS allows one BGP process"
            ));
        }
        self.cfg.bgp.get_or_insert_with(|| BgpProcess {
            line: n,
            asn,
            ..BgpProcess::default()
        });
        self.ctx = Ctx::Bgp(None);
        Ok(Understood)
    }

    /// The address family `vrf` of the BGP process (created when absent).
    fn af_index(bgp: &mut BgpProcess, vrf: Option<&str>, line: Option<usize>) -> usize {
        if let Some(i) = bgp
            .address_families
            .iter()
            .position(|a| a.vrf.as_deref() == vrf)
        {
            if bgp.address_families[i].line.is_none() {
                bgp.address_families[i].line = line;
            }
            return i;
        }
        bgp.address_families.push(BgpAddressFamily {
            line,
            vrf: vrf.map(str::to_owned),
            ..BgpAddressFamily::default()
        });
        bgp.address_families.len() - 1
    }

    fn bgp_line(
        &mut self,
        n: usize,
        indent: usize,
        af: Option<AfScope>,
        t: &str,
        w: &[&str],
    ) -> Res<Outcome> {
        let Some(bgp) = self.cfg.bgp.as_mut() else {
            return Ok(Nu("router bgp".to_owned()));
        };
        match w {
            ["address-family", rest @ ..] => {
                let scope = match rest {
                    ["ipv4"] | ["ipv4", "unicast"] => {
                        AfScope::Modelled(Self::af_index(bgp, None, Some(n)))
                    }
                    ["ipv4", "vrf", v] | ["ipv4", "unicast", "vrf", v] => {
                        AfScope::Modelled(Self::af_index(bgp, Some(v), Some(n)))
                    }
                    _ => AfScope::Unmodelled(format!("router bgp/{}", w.join(" "))),
                };
                let out = match &scope {
                    AfScope::Modelled(_) => Understood,
                    AfScope::Unmodelled(k) => Nu(k.clone()),
                };
                self.ctx = Ctx::Bgp(Some(scope));
                return Ok(out);
            }
            ["exit-address-family"] => {
                let out = match af {
                    Some(AfScope::Unmodelled(k)) => Nu(k),
                    _ => Understood,
                };
                self.ctx = Ctx::Bgp(None);
                return Ok(out);
            }
            _ => {}
        }
        // A line indented once is outside any address family.
        let af = if indent <= 1 {
            self.ctx = Ctx::Bgp(None);
            None
        } else {
            af
        };
        let afi = match af {
            Some(AfScope::Unmodelled(k)) => return Ok(Nu(k)),
            Some(AfScope::Modelled(i)) => i,
            None => Self::af_index(bgp, None, None),
        };
        let vrf = bgp.address_families[afi].vrf.clone();
        let nu = || Ok(Nu(format!("router bgp/{}", feature_key(w))));
        match w {
            ["bgp", "router-id", a] => bgp.router_id = Some(ip(a)?),
            ["neighbor", name, rest @ ..] => {
                return Self::bgp_neighbor(bgp, n, afi, vrf.as_deref(), t, name, rest);
            }
            ["network", a, rest @ ..] => {
                let addr = ip(a)?;
                let (prefix, rest) = match rest {
                    ["mask", m, rest @ ..] => (exact_net(a, m)?, rest),
                    _ => (classful(addr), rest),
                };
                let route_map = match rest {
                    [] => None,
                    ["route-map", r] => Some((*r).to_owned()),
                    _ => return nu(),
                };
                bgp.address_families[afi].networks.push(BgpNetwork {
                    line: n,
                    prefix,
                    route_map,
                });
            }
            ["redistribute", rest @ ..] => match redistribute(n, rest)? {
                Some(r) => bgp.address_families[afi].redistribute.push(r),
                None => return nu(),
            },
            ["aggregate-address", a, m, rest @ ..] => {
                let mut agg = BgpAggregate {
                    line: n,
                    prefix: exact_net(a, m)?,
                    summary_only: false,
                    as_set: false,
                };
                for x in rest {
                    match *x {
                        "summary-only" => agg.summary_only = true,
                        "as-set" => agg.as_set = true,
                        _ => return nu(),
                    }
                }
                bgp.address_families[afi].aggregates.push(agg);
            }
            ["aggregate-address", ..] => {
                return Err("aggregate-address needs an address and a mask".to_owned());
            }
            ["maximum-paths", p] => {
                bgp.address_families[afi].maximum_paths = Some(num(p, "maximum-paths")?);
            }
            ["maximum-paths", "ibgp", p] => {
                bgp.address_families[afi].maximum_paths_ibgp = Some(num(p, "maximum-paths")?);
            }
            ["maximum-paths", "eibgp", p] => {
                bgp.address_families[afi].maximum_paths_eibgp = Some(num(p, "maximum-paths")?);
            }
            ["bgp", "additional-paths", rest @ ..] if !rest.is_empty() => {
                let af = &mut bgp.address_families[afi];
                match rest {
                    ["select", ..] => af.additional_paths_select = true,
                    caps if caps
                        .iter()
                        .all(|c| matches!(*c, "send" | "receive" | "install")) =>
                    {
                        af.additional_paths_send |= caps.contains(&"send");
                        af.additional_paths_receive |= caps.contains(&"receive");
                    }
                    _ => return nu(),
                }
            }
            _ => return nu(),
        }
        Ok(Understood)
    }

    fn bgp_neighbor(
        bgp: &mut BgpProcess,
        n: usize,
        afi: usize,
        vrf: Option<&str>,
        t: &str,
        name: &str,
        rest: &[&str],
    ) -> Res<Outcome> {
        let address = if looks_like_ip(name) {
            Some(ip(name)?)
        } else {
            None
        };
        if let ["peer-group"] = rest {
            if address.is_some() {
                return Err(format!(
                    "`{name}`: a peer group needs a name, not an address"
                ));
            }
            if !bgp.peer_groups.iter().any(|g| g.value == name) {
                bgp.peer_groups.push(Located {
                    line: n,
                    value: name.to_owned(),
                });
            }
            return Ok(Understood);
        }
        let peer = |bgp: &mut BgpProcess| -> usize {
            if let Some(i) = bgp
                .peers
                .iter()
                .position(|p| p.name == name && p.vrf.as_deref() == vrf)
            {
                return i;
            }
            bgp.peers.push(BgpPeer {
                line: n,
                name: name.to_owned(),
                address,
                vrf: vrf.map(str::to_owned),
                ..BgpPeer::default()
            });
            bgp.peers.len() - 1
        };
        let af_peer = |bgp: &mut BgpProcess| -> usize {
            let af = &mut bgp.address_families[afi];
            if let Some(i) = af.neighbors.iter().position(|p| p.name == name) {
                return i;
            }
            af.neighbors.push(BgpAfNeighbor {
                line: n,
                name: name.to_owned(),
                ..BgpAfNeighbor::default()
            });
            af.neighbors.len() - 1
        };
        match rest {
            ["remote-as", a] => {
                let a = asn(a)?;
                let i = peer(bgp);
                bgp.peers[i].remote_as = Some(a);
            }
            ["peer-group", g] => {
                let i = peer(bgp);
                bgp.peers[i].peer_group = Some((*g).to_owned());
            }
            ["update-source", s] => {
                let i = peer(bgp);
                bgp.peers[i].update_source = Some((*s).to_owned());
            }
            ["description", ..] => {
                let text = t
                    .split_once("description")
                    .map_or("", |(_, d)| d.trim())
                    .to_owned();
                let i = peer(bgp);
                bgp.peers[i].description = Some(text);
            }
            ["activate"] => {
                let i = af_peer(bgp);
                bgp.address_families[afi].neighbors[i].activate = true;
            }
            ["next-hop-self"] | ["next-hop-self", "all"] => {
                let i = af_peer(bgp);
                bgp.address_families[afi].neighbors[i].next_hop_self = true;
            }
            ["send-community"] | ["send-community", "both" | "standard" | "extended"] => {
                let i = af_peer(bgp);
                bgp.address_families[afi].neighbors[i].send_community = true;
            }
            ["route-reflector-client"] => {
                let i = af_peer(bgp);
                bgp.address_families[afi].neighbors[i].route_reflector_client = true;
            }
            ["advertise", "additional-paths", ..] => {
                let i = af_peer(bgp);
                bgp.address_families[afi].neighbors[i].advertise_additional_paths = true;
            }
            ["additional-paths", caps @ ..]
                if !caps.is_empty()
                    && caps
                        .iter()
                        .all(|c| matches!(*c, "send" | "receive" | "disable")) =>
            {
                let i = af_peer(bgp);
                let p = &mut bgp.address_families[afi].neighbors[i];
                p.additional_paths_send |= caps.contains(&"send");
                p.additional_paths_receive |= caps.contains(&"receive");
            }
            ["route-map", map, dir] => {
                let i = af_peer(bgp);
                let p = &mut bgp.address_families[afi].neighbors[i];
                match *dir {
                    "in" => p.route_map_in = Some((*map).to_owned()),
                    "out" => p.route_map_out = Some((*map).to_owned()),
                    other => return Err(format!("route-map direction `{other}` is not in or out")),
                }
            }
            [] => return Err("neighbor needs a setting".to_owned()),
            [attr, ..] => return Ok(Nu(format!("router bgp/neighbor {attr}"))),
        }
        Ok(Understood)
    }

    // ----- policy ------------------------------------------------------------

    fn prefix_list(&mut self, n: usize, rest: &[&str]) -> Res<Outcome> {
        let [name, rest @ ..] = rest else {
            return Err("ip prefix-list needs a name".to_owned());
        };
        let (seq, rest) = match rest {
            ["seq", s, rest @ ..] => (Some(num(s, "seq")?), rest),
            _ => (None, rest),
        };
        let (action, rest) = match rest {
            [a @ ("permit" | "deny"), rest @ ..] => (action(a), rest),
            ["description", ..] => return Ok(Nu("ip prefix-list".to_owned())),
            _ => return Err("ip prefix-list needs permit or deny and a prefix".to_owned()),
        };
        let [p, rest @ ..] = rest else {
            return Err("ip prefix-list needs a prefix".to_owned());
        };
        let prefix = Ipv4Net::from_str(p)
            .map_err(|_| format!("`{p}` is not an IPv4 prefix (A.B.C.D/LEN)"))?
            .trunc();
        let (mut ge, mut le) = (None, None);
        let mut it = rest.iter();
        while let Some(x) = it.next() {
            let v: u8 = num(it.next().unwrap_or(&""), x)?;
            if v > 32 || v < prefix.prefix_len() {
                return Err(format!(
                    "{x} {v} must be between the prefix length {} and 32",
                    prefix.prefix_len()
                ));
            }
            match *x {
                "ge" => ge = Some(v),
                "le" => le = Some(v),
                other => return Err(format!("`{other}` is not ge or le")),
            }
        }
        if let (Some(g), Some(l)) = (ge, le)
            && g > l
        {
            return Err(format!("ge {g} is greater than le {l}"));
        }
        self.cfg.prefix_lists.push(PrefixListEntry {
            line: n,
            name: (*name).to_owned(),
            seq,
            action,
            prefix,
            ge,
            le,
        });
        Ok(Understood)
    }

    fn route_map(&mut self, n: usize, rest: &[&str]) -> Res<Outcome> {
        let (name, action, seq) = match rest {
            [name] => (name, Action::Permit, 10),
            [name, a @ ("permit" | "deny")] => (name, action(a), 10),
            [name, a @ ("permit" | "deny"), s] => (name, action(a), num(s, "sequence number")?),
            [] => return Err("route-map needs a name".to_owned()),
            _ => return Err("route-map needs NAME [permit|deny] [SEQUENCE]".to_owned()),
        };
        self.cfg.route_maps.push(RouteMapClause {
            line: n,
            name: (*name).to_owned(),
            action,
            seq,
            matches: Vec::new(),
            sets: Vec::new(),
        });
        self.ctx = Ctx::RouteMap(self.cfg.route_maps.len() - 1);
        Ok(Understood)
    }

    fn route_map_line(&mut self, n: usize, i: usize, w: &[&str]) -> Res<Outcome> {
        let nu = || Ok(Nu(format!("route-map/{}", feature_key(w))));
        let clause = &mut self.cfg.route_maps[i];
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        match w {
            ["match", "ip", "address", "prefix-list", lists @ ..] if !lists.is_empty() => {
                clause.matches.push(Located {
                    line: n,
                    value: RouteMapMatch::IpAddressPrefixList(owned(lists)),
                });
            }
            ["match", "ip", "address", lists @ ..] if !lists.is_empty() => {
                clause.matches.push(Located {
                    line: n,
                    value: RouteMapMatch::IpAddress(owned(lists)),
                });
            }
            ["match", "community", lists @ ..] if !lists.is_empty() => {
                let (lists, exact) = match lists {
                    [l @ .., "exact-match"] => (l, true),
                    l => (l, false),
                };
                if lists.is_empty() {
                    return Err("match community needs a community list".to_owned());
                }
                clause.matches.push(Located {
                    line: n,
                    value: RouteMapMatch::Community {
                        lists: owned(lists),
                        exact,
                    },
                });
            }
            ["match", "ip" | "community", ..] => {
                return Err("match needs at least one list".to_owned());
            }
            ["set", "local-preference", v] => clause.sets.push(Located {
                line: n,
                value: RouteMapSet::LocalPreference(num(v, "local-preference")?),
            }),
            ["set", "metric", v] if v.starts_with(|c: char| c.is_ascii_digit()) => {
                clause.sets.push(Located {
                    line: n,
                    value: RouteMapSet::Metric(num(v, "metric")?),
                });
            }
            ["set", "weight", v] => clause.sets.push(Located {
                line: n,
                value: RouteMapSet::Weight(num(v, "weight")?),
            }),
            ["set", "community", values @ ..] if !values.is_empty() => {
                let (values, additive) = match values {
                    [v @ .., "additive"] => (v, true),
                    v => (v, false),
                };
                let communities = match values {
                    ["none"] => Vec::new(),
                    v => {
                        for c in v {
                            community(c)?;
                        }
                        owned(v)
                    }
                };
                clause.sets.push(Located {
                    line: n,
                    value: RouteMapSet::Community {
                        communities,
                        additive,
                    },
                });
            }
            ["set", "as-path", "prepend", asns @ ..] if !asns.is_empty() => {
                if asns.first() == Some(&"last-as") {
                    return nu();
                }
                let asns = asns.iter().map(|a| asn(a)).collect::<Res<Vec<_>>>()?;
                clause.sets.push(Located {
                    line: n,
                    value: RouteMapSet::AsPathPrepend(asns),
                });
            }
            _ => return nu(),
        }
        Ok(Understood)
    }

    fn community_list(&mut self, n: usize, rest: &[&str]) -> Res<Outcome> {
        let (kind, name, rest) = match rest {
            [k @ ("standard" | "expanded"), name, rest @ ..] => (
                if *k == "standard" {
                    ListKind::Standard
                } else {
                    ListKind::Expanded
                },
                name,
                rest,
            ),
            [num_text, rest @ ..] if num_text.starts_with(|c: char| c.is_ascii_digit()) => {
                let v: u32 = num(num_text, "community-list number")?;
                let kind = match v {
                    1..=99 => ListKind::Standard,
                    100..=500 => ListKind::Expanded,
                    _ => return Err(format!("community-list number {v} is not 1-500")),
                };
                (kind, num_text, rest)
            }
            _ => return Ok(Nu("ip community-list".to_owned())),
        };
        let [a @ ("permit" | "deny"), values @ ..] = rest else {
            return Err("ip community-list needs permit or deny".to_owned());
        };
        if values.is_empty() {
            return Err("ip community-list needs communities or a regular expression".to_owned());
        }
        if kind == ListKind::Standard {
            for c in values {
                community(c)?;
            }
        }
        self.cfg.community_lists.push(CommunityListEntry {
            line: n,
            name: (*name).to_owned(),
            kind,
            action: action(a),
            text: values.join(" "),
        });
        Ok(Understood)
    }

    // ----- access lists ------------------------------------------------------

    fn acl_index(&mut self, n: usize, name: &str, kind: ListKind) -> usize {
        if let Some(i) = self.cfg.acls.iter().position(|a| a.name == name) {
            return i;
        }
        self.cfg.acls.push(Acl {
            line: n,
            name: name.to_owned(),
            kind,
            entries: Vec::new(),
        });
        self.cfg.acls.len() - 1
    }

    fn numbered_acl(&mut self, n: usize, rest: &[&str]) -> Res<Outcome> {
        let [number, entry @ ..] = rest else {
            return Err("access-list needs a number".to_owned());
        };
        let v: u32 = num(number, "access-list number")?;
        let kind = match v {
            1..=99 | 1300..=1999 => ListKind::Standard,
            100..=199 | 2000..=2699 => ListKind::Extended,
            _ => return Ok(Nu("access-list".to_owned())),
        };
        match entry.first() {
            Some(&("permit" | "deny" | "remark")) => {}
            Some(_) => return Ok(Nu("access-list".to_owned())),
            None => return Err("access-list needs an entry".to_owned()),
        }
        let i = self.acl_index(n, number, kind);
        self.cfg.acls[i].entries.push(AclEntry {
            line: n,
            text: entry.join(" "),
        });
        Ok(Understood)
    }
}

// ----- value parsers ---------------------------------------------------------

fn action(a: &str) -> Action {
    if a == "deny" {
        Action::Deny
    } else {
        Action::Permit
    }
}

fn need(s: Option<&&str>, msg: &str) -> Res<String> {
    s.map(|s| (*s).to_owned()).ok_or_else(|| msg.to_owned())
}

/// Digits and dots with at least one dot: meant as an address.
fn looks_like_ip(s: &str) -> bool {
    s.contains('.') && s.chars().all(|c| c.is_ascii_digit() || c == '.')
}

fn num<T: FromStr>(s: &str, what: &str) -> Res<T> {
    s.parse()
        .map_err(|_| format!("{what}: `{s}` is not a number in range"))
}

fn ip(s: &str) -> Res<Ipv4Addr> {
    s.parse()
        .map_err(|_| format!("`{s}` is not an IPv4 address"))
}

/// The prefix length of a contiguous netmask.
fn mask_len(s: &str) -> Res<u8> {
    let m = u32::from(ip(s)?);
    let len = m.leading_ones();
    if m.checked_shl(len).unwrap_or(0) != 0 {
        return Err(format!("`{s}` is not a contiguous netmask"));
    }
    Ok(len as u8)
}

/// An interface address with its mask (host bits kept).
fn iface_net(a: &str, m: &str) -> Res<Ipv4Net> {
    Ipv4Net::new(ip(a)?, mask_len(m)?).map_err(|e| e.to_string())
}

/// A network and mask whose host bits must be zero (routes, aggregates).
fn exact_net(a: &str, m: &str) -> Res<Ipv4Net> {
    let net = iface_net(a, m)?;
    if net.trunc() != net {
        return Err(format!("inconsistent address and mask: {a} {m}"));
    }
    Ok(net)
}

/// The classful network of an address (BGP `network` without `mask`).
fn classful(a: Ipv4Addr) -> Ipv4Net {
    let len = match a.octets()[0] {
        0..=127 => 8,
        128..=191 => 16,
        _ => 24,
    };
    Ipv4Net::new(a, len).map_or_else(|_| Ipv4Net::from(a), |n| n.trunc())
}

/// An OSPF area: a number or dotted.
fn area(s: &str) -> Res<u32> {
    if s.contains('.') {
        return Ok(u32::from(ip(s)?));
    }
    num(s, "area")
}

/// An AS number: asplain or asdot (`1.10`).
fn asn(s: &str) -> Res<u32> {
    if let Some((hi, lo)) = s.split_once('.') {
        let hi: u16 = num(hi, "AS number")?;
        let lo: u16 = num(lo, "AS number")?;
        return Ok((u32::from(hi) << 16) | u32::from(lo));
    }
    let v: u32 = num(s, "AS number")?;
    if v == 0 {
        return Err("AS number 0 is reserved".to_owned());
    }
    Ok(v)
}

fn vlan_id(s: &str) -> Res<u16> {
    let v: u16 = num(s, "VLAN")?;
    if (1..=4094).contains(&v) {
        Ok(v)
    } else {
        Err(format!("VLAN {v} is not 1-4094"))
    }
}

/// `1,5,10-20`.
fn vlan_list(s: &str) -> Res<Vec<VlanRange>> {
    s.split(',')
        .map(|part| {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let (first, last) = (vlan_id(a)?, vlan_id(b)?);
            if first > last {
                return Err(format!("VLAN range {part} is reversed"));
            }
            Ok(VlanRange { first, last })
        })
        .collect()
}

fn metric_type(s: Option<&&str>) -> Res<u8> {
    match s.copied() {
        Some("1") => Ok(1),
        Some("2") => Ok(2),
        Some(other) => Err(format!("metric-type `{other}` is not 1 or 2")),
        None => Err("metric-type needs 1 or 2".to_owned()),
    }
}

/// A community value: `AA:NN`, a 32-bit number or a well-known name.
fn community(s: &str) -> Res<()> {
    if matches!(
        s,
        "internet" | "no-export" | "no-advertise" | "local-AS" | "gshut"
    ) {
        return Ok(());
    }
    if let Some((a, b)) = s.split_once(':') {
        num::<u16>(a, "community")?;
        num::<u16>(b, "community")?;
        return Ok(());
    }
    num::<u32>(s, "community").map(|_| ())
}

/// `redistribute SOURCE [options]`; `None` for a source or option not
/// modelled.
fn redistribute(n: usize, rest: &[&str]) -> Res<Option<Redistribute>> {
    let (source, rest) = match rest {
        ["connected", rest @ ..] => (RedistributeSource::Connected, rest),
        ["static", rest @ ..] => (RedistributeSource::Static, rest),
        ["ospf", p, rest @ ..] => (RedistributeSource::Ospf(num(p, "OSPF process id")?), rest),
        ["bgp", a, rest @ ..] => (RedistributeSource::Bgp(asn(a)?), rest),
        [] => return Err("redistribute needs a source".to_owned()),
        _ => return Ok(None),
    };
    let mut r = Redistribute {
        line: n,
        source,
        subnets: false,
        metric: None,
        metric_type: None,
        route_map: None,
    };
    let mut it = rest.iter();
    while let Some(x) = it.next() {
        match *x {
            "subnets" => r.subnets = true,
            "metric" => r.metric = Some(num(it.next().unwrap_or(&""), "metric")?),
            "metric-type" => r.metric_type = Some(metric_type(it.next())?),
            "route-map" => r.route_map = Some(need(it.next(), "route-map needs a name")?),
            _ => return Ok(None),
        }
    }
    Ok(Some(r))
}
