//! Synthetic Cisco IOS snapshots in Batfish's layout, for tests and
//! benchmarks of the IOS import and the control plane ([`generate`],
//! [`write_snapshot`]; `pathtrace generate --ios-snapshot DIR`).
//!
//! The design is a ring of service-provider ASes (AS 65001, 65002, …; one
//! per [`ROUTERS_PER_AS`] routers, at least three), each with:
//!
//! - **Address plan** — AS number `65001 + a` owns `10.a.0.0/16`:
//!   loopbacks `10.a.0.N/32`, point-to-point /30s from `10.a.4.0`, customer
//!   /24s from `10.a.64.0`. Provider-independent customer blocks come from
//!   `100.64.0.0/10`, inter-AS links from `172.16.0.0/12`.
//! - **IGP** — OSPF area 0 over the loopbacks and the /30s (`network
//!   10.a.0.0 0.0.63.255 area 0`, reference bandwidth 100 Gb/s, so a
//!   TenGigabitEthernet costs 10 and a GigabitEthernet 100). Two cores
//!   (`core1`, `core2`); distribution pairs (`distKa`, `distKb`) dual-homed
//!   to both cores with a costly cross-link (`ip ospf cost 1000`); edge
//!   routers dual-homed to one pair (to both cores when the AS is too small
//!   for a distribution layer), one uplink of some edges made a backup
//!   (`ip ospf cost 300`); one or two borders dual-homed to the cores. The
//!   dual homing gives equal-cost paths everywhere.
//! - **iBGP** — the two cores are route reflectors (peer group
//!   `RR-CLIENTS`, `route-reflector-client`) and peer with each other;
//!   every other router is a client of both (peer group `IBGP`,
//!   `update-source Loopback0`, `maximum-paths ibgp 2`); the borders set
//!   `next-hop-self`.
//! - **Origination** — each edge router originates one or two customer
//!   /24s (connected interfaces, `network … mask 255.255.255.0`); some
//!   (the first edge of every AS, then one in four) also a
//!   provider-independent /24 whose first half is a connected /25 and the
//!   whole a `Null0` static, the way a customer pool is announced.
//! - **eBGP** — the AS ring: the east border of AS `a` peers with the west
//!   border of AS `a + 1` on a /30. Inbound route-maps drop the AS's own
//!   space and bogons (`match ip address prefix-list`), prefer the
//!   neighbour's own aggregate (`set local-preference 200`, else 120) and
//!   tag what was learned (`set community 65001:65002 additive`); outbound
//!   route-maps never send a neighbour back what it announced (`match
//!   community`), announce only /16 aggregates and provider-independent /24s
//!   and set a MED (`set metric`). Each border announces its AS as
//!   `aggregate-address 10.a.0.0 255.255.0.0 summary-only` (with a floating
//!   `Null0` static behind it) and filters its eBGP interface inbound with
//!   an extended ACL (anti-spoofing, SSH to the infrastructure).
//! - **Access lists** — some edge routers filter their customer ports
//!   inbound (source must be the customer's prefix) and outbound (no
//!   telnet, no SNMP).
//!
//! So every router reaches every loopback (its own AS by OSPF, the others
//! through the BGP aggregates), customer prefixes are `ibgp` routes inside
//! their AS, provider-independent prefixes are `bgp`/`ibgp` routes
//! everywhere, and a TCP flow between customer prefixes of two ASes is
//! delivered to the destination subnet. Every line is one the parser
//! understands: `coverage()` reports nothing not understood and no syntax
//! error. The seed varies the customer prefix count per edge, which edges
//! have a provider-independent block, access lists or a backup uplink, and
//! the MEDs; the same count and seed always give the same text.

use std::fmt::{self, Write as _};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

/// The fewest routers a snapshot has (three ASes of four routers).
pub const MIN_ROUTERS: usize = 12;
/// The most routers a snapshot has (200 ASes of 100 routers).
pub const MAX_ROUTERS: usize = 20_000;
/// Routers per AS (at most; the routers are spread evenly).
pub const ROUTERS_PER_AS: usize = 100;
/// The AS number of the first AS; the others follow.
pub const FIRST_ASN: u32 = 65001;

/// Why a snapshot was not written.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The router count is outside [`MIN_ROUTERS`]..=[`MAX_ROUTERS`].
    #[error("{0} routers: the generator makes {MIN_ROUTERS} to {MAX_ROUTERS}")]
    Routers(usize),
    /// `DIR/configs` exists and is not empty (files of another generation
    /// would mix with these).
    #[error("{0} is not empty; give a new or empty directory")]
    NotEmpty(PathBuf),
    /// A directory or file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What [`write_snapshot`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Routers (configuration files).
    pub routers: usize,
    /// Autonomous systems.
    pub ases: usize,
    /// Configuration lines in all files.
    pub lines: usize,
    /// Bytes in all files.
    pub bytes: usize,
}

/// The number of ASes a snapshot of `routers` routers has: one per
/// [`ROUTERS_PER_AS`], at least three.
pub fn as_count(routers: usize) -> usize {
    routers
        .clamp(MIN_ROUTERS, MAX_ROUTERS)
        .div_ceil(ROUTERS_PER_AS)
        .max(3)
}

/// The configurations of a synthetic snapshot: `(file name, text)` per
/// router, in file-name order (`as65001-border1.cfg`, …). A count outside
/// [`MIN_ROUTERS`]..=[`MAX_ROUTERS`] is brought to the nearest bound.
pub fn generate(routers: usize, seed: u64) -> Vec<(String, String)> {
    let n = routers.clamp(MIN_ROUTERS, MAX_ROUTERS);
    let net = Builder::plan(n, seed);
    let mut out: Vec<(String, String)> = net
        .routers
        .iter()
        .map(|r| (format!("{}.cfg", r.hostname), net.config(r)))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Write a synthetic snapshot into `dir/configs/` (created as needed; it
/// must not hold files already). The count must be within
/// [`MIN_ROUTERS`]..=[`MAX_ROUTERS`].
pub fn write_snapshot(dir: &Path, routers: usize, seed: u64) -> Result<Summary, SynthError> {
    if !(MIN_ROUTERS..=MAX_ROUTERS).contains(&routers) {
        return Err(SynthError::Routers(routers));
    }
    let configs = dir.join("configs");
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SynthError::Io { path, source }
    };
    if configs.is_dir() {
        let mut entries = std::fs::read_dir(&configs).map_err(io(&configs))?;
        if entries.next().is_some() {
            return Err(SynthError::NotEmpty(configs));
        }
    }
    std::fs::create_dir_all(&configs).map_err(io(&configs))?;
    let files = generate(routers, seed);
    let mut summary = Summary {
        routers: files.len(),
        ases: as_count(routers),
        lines: 0,
        bytes: 0,
    };
    for (name, text) in &files {
        let path = configs.join(name);
        std::fs::write(&path, text).map_err(io(&path))?;
        summary.lines += text.lines().count();
        summary.bytes += text.len();
    }
    Ok(summary)
}

// ----- the plan ----------------------------------------------------------------

/// splitmix64: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 0..n (0 when n is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// True one time in `n`.
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Core,
    Border,
    Dist,
    Edge,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Core => "core router and BGP route reflector",
            Role::Border => "border router",
            Role::Dist => "distribution router",
            Role::Edge => "edge router",
        }
    }
}

/// Interface families, each numbered on its own.
#[derive(Debug, Clone, Copy)]
enum Port {
    /// `GigabitEthernet0/N`: edge uplinks and distribution downlinks.
    Gig0,
    /// `TenGigabitEthernet1/N`: core, distribution and border trunks.
    Ten1,
    /// `TenGigabitEthernet2/N`: eBGP peerings.
    Ten2,
    /// `GigabitEthernet1/N`: customer ports.
    Gig1,
}

impl Port {
    fn prefix(self) -> &'static str {
        match self {
            Port::Gig0 => "GigabitEthernet0/",
            Port::Ten1 => "TenGigabitEthernet1/",
            Port::Ten2 => "TenGigabitEthernet2/",
            Port::Gig1 => "GigabitEthernet1/",
        }
    }

    fn slot(self) -> usize {
        self as usize
    }
}

struct Iface {
    name: String,
    description: String,
    addr: Ipv4Addr,
    len: u8,
    ospf_cost: Option<u32>,
    acl_in: Option<String>,
    acl_out: Option<String>,
}

/// An eBGP peering of a border router.
struct Peer {
    ip: Ipv4Addr,
    asn: u32,
    as_ix: usize,
    hostname: String,
    med: u32,
}

struct Router {
    hostname: String,
    role: Role,
    as_ix: usize,
    loopback: Ipv4Addr,
    ifaces: Vec<Iface>,
    next_port: [u32; 4],
    /// BGP `network` statements (/24s).
    networks: Vec<(Ipv4Addr, u8)>,
    /// `ip route … Null0` (prefix, length, distance).
    discards: Vec<(Ipv4Addr, u8, u8)>,
    peers: Vec<Peer>,
    /// Customer anti-spoofing lists: (name, customer prefix, length).
    customer_acls: Vec<(String, Ipv4Addr, u8)>,
    customer_out_acl: bool,
}

impl Router {
    fn new(hostname: String, role: Role, as_ix: usize, loopback: Ipv4Addr) -> Self {
        Router {
            hostname,
            role,
            as_ix,
            loopback,
            ifaces: Vec::new(),
            next_port: [0; 4],
            networks: Vec::new(),
            discards: Vec::new(),
            peers: Vec::new(),
            customer_acls: Vec::new(),
            customer_out_acl: false,
        }
    }

    fn port(&mut self, kind: Port) -> String {
        let n = self.next_port[kind.slot()];
        self.next_port[kind.slot()] += 1;
        format!("{}{n}", kind.prefix())
    }
}

/// One AS of the plan: indices into the router list.
struct AsPlan {
    asn: u32,
    cores: [usize; 2],
    borders: Vec<usize>,
    clients: Vec<usize>,
}

struct Builder {
    routers: Vec<Router>,
    ases: Vec<AsPlan>,
    seed: u64,
}

fn asn_of(as_ix: usize) -> u32 {
    FIRST_ASN + as_ix as u32
}

fn octet(as_ix: usize) -> u8 {
    as_ix as u8
}

fn addr_plus(base: Ipv4Addr, n: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(base).wrapping_add(n))
}

fn mask(len: u8) -> Ipv4Addr {
    Ipv4Addr::from(u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0))
}

fn wildcard(len: u8) -> Ipv4Addr {
    Ipv4Addr::from(!u32::from(mask(len)))
}

impl Builder {
    fn plan(n: usize, seed: u64) -> Builder {
        let mut rng = Rng(seed);
        let n_as = as_count(n);
        let mut b = Builder {
            routers: Vec::with_capacity(n),
            ases: Vec::with_capacity(n_as),
            seed,
        };
        let mut pi_next: u32 = 0;
        let mut peering_next: u32 = 0;
        for a in 0..n_as {
            let size = n / n_as + usize::from(a < n % n_as);
            b.plan_as(a, size, &mut rng, &mut pi_next);
        }
        // The AS ring: east border of a to the west border of a + 1.
        for a in 0..n_as {
            let next = (a + 1) % n_as;
            let east = *b.ases[a].borders.last().unwrap_or(&b.ases[a].cores[0]);
            let west = *b.ases[next]
                .borders
                .first()
                .unwrap_or(&b.ases[next].cores[0]);
            let subnet = addr_plus(Ipv4Addr::new(172, 16, 0, 0), 4 * peering_next);
            peering_next += 1;
            let (ia, ib) = b.link(east, Port::Ten2, west, Port::Ten2, subnet, None);
            for (me, peer, my_if, peer_if) in [(east, west, ia, ib), (west, east, ib, ia)] {
                let med = 10 * (1 + rng.below(9) as u32);
                let (peer_ip, peer_as, peer_host) = {
                    let p = &b.routers[peer];
                    (p.ifaces[peer_if].addr, p.as_ix, p.hostname.clone())
                };
                let r = &mut b.routers[me];
                r.ifaces[my_if].acl_in = Some(format!("EBGP-IN-{}", asn_of(r.as_ix)));
                r.peers.push(Peer {
                    ip: peer_ip,
                    asn: asn_of(peer_as),
                    as_ix: peer_as,
                    hostname: peer_host,
                    med,
                });
            }
        }
        b
    }

    /// Routers, links and prefixes of AS `a` with `size` routers.
    fn plan_as(&mut self, a: usize, size: usize, rng: &mut Rng, pi: &mut u32) {
        let asn = asn_of(a);
        let mut link_count = 0u32;
        let links = &mut link_count;
        let first = self.routers.len();
        let mut next_lo = 1u32;
        let mut add = |routers: &mut Vec<Router>, name: String, role: Role| -> usize {
            let lo = addr_plus(Ipv4Addr::new(10, octet(a), 0, 0), next_lo);
            next_lo += 1;
            routers.push(Router::new(format!("as{asn}-{name}"), role, a, lo));
            routers.len() - 1
        };
        let cores = [
            add(&mut self.routers, "core1".to_owned(), Role::Core),
            add(&mut self.routers, "core2".to_owned(), Role::Core),
        ];
        let n_borders = if size >= 8 { 2 } else { 1 };
        let borders: Vec<usize> = (1..=n_borders)
            .map(|k| add(&mut self.routers, format!("border{k}"), Role::Border))
            .collect();
        let rest = size.saturating_sub(2 + n_borders);
        let pairs = if rest >= 6 { rest.div_ceil(10) } else { 0 };
        let dists: Vec<[usize; 2]> = (1..=pairs)
            .map(|k| {
                [
                    add(&mut self.routers, format!("dist{k}a"), Role::Dist),
                    add(&mut self.routers, format!("dist{k}b"), Role::Dist),
                ]
            })
            .collect();
        let edges: Vec<usize> = (1..=rest - 2 * pairs)
            .map(|k| add(&mut self.routers, format!("edge{k}"), Role::Edge))
            .collect();
        let p2p = |links: &mut u32| {
            let s = addr_plus(Ipv4Addr::new(10, octet(a), 4, 0), 4 * *links);
            *links += 1;
            s
        };
        // Trunks: core to core, borders and distribution to both cores.
        self.link(cores[0], Port::Ten1, cores[1], Port::Ten1, p2p(links), None);
        for &r in borders.iter().chain(dists.iter().flatten()) {
            for &c in &cores {
                self.link(r, Port::Ten1, c, Port::Ten1, p2p(links), None);
            }
        }
        for pair in &dists {
            self.link(
                pair[0],
                Port::Gig0,
                pair[1],
                Port::Gig0,
                p2p(links),
                Some(1000),
            );
        }
        // Edges: dual-homed to a distribution pair (or to the cores), one
        // uplink of some of them a backup.
        let mut customer = 0u32;
        for (k, &e) in edges.iter().enumerate() {
            let (up, up_kind) = if dists.is_empty() {
                (cores, Port::Gig0)
            } else {
                (dists[k % dists.len()], Port::Gig0)
            };
            let backup = rng.one_in(5);
            self.link(e, Port::Gig0, up[0], up_kind, p2p(links), None);
            self.link(
                e,
                Port::Gig0,
                up[1],
                up_kind,
                p2p(links),
                backup.then_some(300),
            );
            // Customers.
            let filter_in = rng.one_in(2);
            let filter_out = rng.one_in(3);
            let count = 1 + rng.below(2) as u32;
            for _ in 0..count {
                let net = addr_plus(Ipv4Addr::new(10, octet(a), 64, 0), 256 * customer);
                customer += 1;
                self.customer_port(e, net, 24, filter_in, filter_out);
                self.routers[e].networks.push((net, 24));
            }
            if k == 0 || rng.one_in(4) {
                let net = addr_plus(Ipv4Addr::new(100, 64, 0, 0), 256 * *pi);
                *pi += 1;
                self.customer_port(e, net, 25, filter_in, filter_out);
                let r = &mut self.routers[e];
                r.networks.push((net, 24));
                r.discards.push((net, 24, 1));
            }
        }
        for &bd in &borders {
            self.routers[bd]
                .discards
                .push((Ipv4Addr::new(10, octet(a), 0, 0), 16, 254));
        }
        let clients = (first..self.routers.len())
            .filter(|r| !cores.contains(r))
            .collect();
        self.ases.push(AsPlan {
            asn,
            cores,
            borders,
            clients,
        });
    }

    /// A customer port of edge `e` on `net/len` (the router takes `.1`).
    fn customer_port(
        &mut self,
        e: usize,
        net: Ipv4Addr,
        len: u8,
        filter_in: bool,
        filter_out: bool,
    ) {
        let r = &mut self.routers[e];
        let name = r.port(Port::Gig1);
        let n = r.customer_acls.len() + 1;
        let acl_in = filter_in.then(|| {
            let acl = format!("CUSTOMER{n}-IN");
            r.customer_acls.push((acl.clone(), net, len));
            acl
        });
        r.customer_out_acl |= filter_out;
        let port = r.next_port[Port::Gig1.slot()];
        r.ifaces.push(Iface {
            name,
            description: format!("customer {port}"),
            addr: addr_plus(net, 1),
            len,
            ospf_cost: None,
            acl_in,
            acl_out: filter_out.then(|| "CUSTOMER-OUT".to_owned()),
        });
    }

    /// A /30 between `a` and `b` (`a` takes `.1`); returns the two
    /// interface indices.
    fn link(
        &mut self,
        a: usize,
        ka: Port,
        b: usize,
        kb: Port,
        subnet: Ipv4Addr,
        cost: Option<u32>,
    ) -> (usize, usize) {
        let na = self.routers[a].port(ka);
        let nb = self.routers[b].port(kb);
        let ha = self.routers[a].hostname.clone();
        let hb = self.routers[b].hostname.clone();
        let mut end = |r: usize, name: String, peer: &str, peer_if: &str, host: u32| {
            let router = &mut self.routers[r];
            router.ifaces.push(Iface {
                name,
                description: format!("to {peer} {peer_if}"),
                addr: addr_plus(subnet, host),
                len: 30,
                ospf_cost: cost,
                acl_in: None,
                acl_out: None,
            });
            router.ifaces.len() - 1
        };
        let ia = end(a, na.clone(), &hb, &nb, 1);
        let ib = end(b, nb, &ha, &na, 2);
        (ia, ib)
    }

    // ----- configuration text --------------------------------------------------

    fn config(&self, r: &Router) -> String {
        let mut c = Text(String::with_capacity(4096));
        let asn = asn_of(r.as_ix);
        let n_routers = self.routers.len();
        c.l(format_args!("!"));
        c.l(format_args!(
            "! {}: {} of AS {asn}",
            r.hostname,
            r.role.as_str()
        ));
        c.l(format_args!(
            "! synthetic snapshot: pathtrace generate --ios-snapshot DIR --routers {n_routers} --seed {}",
            self.seed
        ));
        c.l(format_args!("!"));
        c.l(format_args!("version 15.2"));
        c.l(format_args!("!"));
        c.l(format_args!("hostname {}", r.hostname));
        c.l(format_args!("!"));
        c.l(format_args!("interface Loopback0"));
        c.l(format_args!(" description router id, iBGP source"));
        c.l(format_args!(" ip address {} 255.255.255.255", r.loopback));
        c.l(format_args!("!"));
        for i in &r.ifaces {
            c.l(format_args!("interface {}", i.name));
            c.l(format_args!(" description {}", i.description));
            c.l(format_args!(" ip address {} {}", i.addr, mask(i.len)));
            if let Some(cost) = i.ospf_cost {
                c.l(format_args!(" ip ospf cost {cost}"));
            }
            if let Some(acl) = &i.acl_in {
                c.l(format_args!(" ip access-group {acl} in"));
            }
            if let Some(acl) = &i.acl_out {
                c.l(format_args!(" ip access-group {acl} out"));
            }
            c.l(format_args!(" no shutdown"));
            c.l(format_args!("!"));
        }
        let own = Ipv4Addr::new(10, octet(r.as_ix), 0, 0);
        c.l(format_args!("router ospf 1"));
        c.l(format_args!(" router-id {}", r.loopback));
        c.l(format_args!(" auto-cost reference-bandwidth 100000"));
        c.l(format_args!(" passive-interface Loopback0"));
        c.l(format_args!(" network {own} {} area 0", wildcard(18)));
        c.l(format_args!("!"));
        self.bgp(&mut c, r);
        for &(net, len, distance) in &r.discards {
            let d = if distance == 1 {
                String::new()
            } else {
                format!(" {distance}")
            };
            c.l(format_args!("ip route {net} {} Null0{d}", mask(len)));
        }
        if !r.discards.is_empty() {
            c.l(format_args!("!"));
        }
        if r.role == Role::Border {
            Self::border_policy(&mut c, r);
        }
        for (name, net, len) in &r.customer_acls {
            c.l(format_args!("ip access-list extended {name}"));
            c.l(format_args!(" permit ip {net} {} any", wildcard(*len)));
            c.l(format_args!(" deny ip any any"));
        }
        if r.customer_out_acl {
            c.l(format_args!("ip access-list extended CUSTOMER-OUT"));
            c.l(format_args!(" deny tcp any any eq 23"));
            c.l(format_args!(" deny udp any any eq 161"));
            c.l(format_args!(" permit ip any any"));
        }
        c.l(format_args!("!"));
        c.l(format_args!("end"));
        c.0
    }

    fn bgp(&self, c: &mut Text, r: &Router) {
        let plan = &self.ases[r.as_ix];
        let asn = plan.asn;
        let lo = |ix: usize| self.routers[ix].loopback;
        let host = |ix: usize| self.routers[ix].hostname.as_str();
        c.l(format_args!("router bgp {asn}"));
        c.l(format_args!(" bgp router-id {}", r.loopback));
        let mut activate: Vec<Ipv4Addr> = Vec::new();
        if r.role == Role::Core {
            c.l(format_args!(" neighbor RR-CLIENTS peer-group"));
            c.l(format_args!(" neighbor RR-CLIENTS remote-as {asn}"));
            c.l(format_args!(" neighbor RR-CLIENTS update-source Loopback0"));
            for &other in &plan.cores {
                if self.routers[other].loopback == r.loopback {
                    continue;
                }
                c.l(format_args!(" neighbor {} remote-as {asn}", lo(other)));
                c.l(format_args!(
                    " neighbor {} update-source Loopback0",
                    lo(other)
                ));
                c.l(format_args!(
                    " neighbor {} description route reflector {}",
                    lo(other),
                    host(other)
                ));
                activate.push(lo(other));
            }
            for &cl in &plan.clients {
                c.l(format_args!(" neighbor {} peer-group RR-CLIENTS", lo(cl)));
                c.l(format_args!(
                    " neighbor {} description {}",
                    lo(cl),
                    host(cl)
                ));
            }
        } else {
            c.l(format_args!(" neighbor IBGP peer-group"));
            c.l(format_args!(" neighbor IBGP remote-as {asn}"));
            c.l(format_args!(" neighbor IBGP update-source Loopback0"));
            for &core in &plan.cores {
                c.l(format_args!(" neighbor {} peer-group IBGP", lo(core)));
                c.l(format_args!(
                    " neighbor {} description route reflector {}",
                    lo(core),
                    host(core)
                ));
                activate.push(lo(core));
            }
        }
        for p in &r.peers {
            c.l(format_args!(" neighbor {} remote-as {}", p.ip, p.asn));
            c.l(format_args!(
                " neighbor {} description eBGP {}",
                p.ip, p.hostname
            ));
        }
        c.l(format_args!(" !"));
        c.l(format_args!(" address-family ipv4"));
        for &(net, len) in &r.networks {
            c.l(format_args!("  network {net} mask {}", mask(len)));
        }
        if r.role == Role::Border {
            let own = Ipv4Addr::new(10, octet(r.as_ix), 0, 0);
            c.l(format_args!(
                "  aggregate-address {own} 255.255.0.0 summary-only"
            ));
        }
        if r.role == Role::Core {
            c.l(format_args!("  neighbor RR-CLIENTS send-community"));
            c.l(format_args!("  neighbor RR-CLIENTS route-reflector-client"));
        } else {
            c.l(format_args!("  neighbor IBGP send-community"));
            if r.role == Role::Border {
                c.l(format_args!("  neighbor IBGP next-hop-self"));
            }
        }
        for ip in &activate {
            if r.role == Role::Core {
                c.l(format_args!("  neighbor {ip} send-community"));
            }
            c.l(format_args!("  neighbor {ip} activate"));
        }
        if r.role == Role::Core {
            for &cl in &plan.clients {
                c.l(format_args!("  neighbor {} activate", lo(cl)));
            }
        }
        for p in &r.peers {
            c.l(format_args!("  neighbor {} activate", p.ip));
            c.l(format_args!("  neighbor {} send-community", p.ip));
            c.l(format_args!(
                "  neighbor {} route-map FROM-AS{} in",
                p.ip, p.asn
            ));
            c.l(format_args!(
                "  neighbor {} route-map TO-AS{} out",
                p.ip, p.asn
            ));
        }
        if r.role == Role::Border {
            c.l(format_args!("  maximum-paths 2"));
        }
        c.l(format_args!("  maximum-paths ibgp 2"));
        c.l(format_args!(" exit-address-family"));
        c.l(format_args!("!"));
    }

    /// Prefix lists, community lists, route-maps and the eBGP access list
    /// of a border router.
    fn border_policy(c: &mut Text, r: &Router) {
        let asn = asn_of(r.as_ix);
        let own = Ipv4Addr::new(10, octet(r.as_ix), 0, 0);
        c.l(format_args!(
            "ip prefix-list OWN-SPACE seq 5 permit {own}/16 le 32"
        ));
        c.l(format_args!("ip prefix-list BOGONS seq 5 permit 0.0.0.0/0"));
        c.l(format_args!(
            "ip prefix-list BOGONS seq 10 permit 127.0.0.0/8 le 32"
        ));
        c.l(format_args!(
            "ip prefix-list BOGONS seq 15 permit 172.16.0.0/12 le 32"
        ));
        c.l(format_args!(
            "ip prefix-list BOGONS seq 20 permit 192.168.0.0/16 le 32"
        ));
        c.l(format_args!(
            "ip prefix-list ANNOUNCE seq 5 permit 10.0.0.0/8 ge 16 le 16"
        ));
        c.l(format_args!(
            "ip prefix-list ANNOUNCE seq 10 permit 100.64.0.0/10 ge 24 le 24"
        ));
        for p in &r.peers {
            let space = Ipv4Addr::new(10, octet(p.as_ix), 0, 0);
            c.l(format_args!(
                "ip prefix-list AS{}-SPACE seq 5 permit {space}/16",
                p.asn
            ));
        }
        c.l(format_args!("!"));
        for p in &r.peers {
            c.l(format_args!(
                "ip community-list standard FROM-AS{} permit {asn}:{}",
                p.asn, p.asn
            ));
        }
        c.l(format_args!("!"));
        for p in &r.peers {
            c.l(format_args!("route-map FROM-AS{} deny 5", p.asn));
            c.l(format_args!(
                " match ip address prefix-list OWN-SPACE BOGONS"
            ));
            c.l(format_args!("!"));
            c.l(format_args!("route-map FROM-AS{} permit 10", p.asn));
            c.l(format_args!(
                " match ip address prefix-list AS{}-SPACE",
                p.asn
            ));
            c.l(format_args!(" set local-preference 200"));
            c.l(format_args!(" set community {asn}:{} additive", p.asn));
            c.l(format_args!("!"));
            c.l(format_args!("route-map FROM-AS{} permit 20", p.asn));
            c.l(format_args!(" match ip address prefix-list ANNOUNCE"));
            c.l(format_args!(" set local-preference 120"));
            c.l(format_args!(" set community {asn}:{} additive", p.asn));
            c.l(format_args!("!"));
            c.l(format_args!("route-map TO-AS{} deny 5", p.asn));
            c.l(format_args!(" match community FROM-AS{}", p.asn));
            c.l(format_args!("!"));
            c.l(format_args!("route-map TO-AS{} permit 10", p.asn));
            c.l(format_args!(" match ip address prefix-list ANNOUNCE"));
            c.l(format_args!(" set metric {}", p.med));
            c.l(format_args!(" set community {asn}:100 additive"));
            c.l(format_args!("!"));
        }
        c.l(format_args!("ip access-list extended EBGP-IN-{asn}"));
        c.l(format_args!(" deny ip {own} 0.0.255.255 any"));
        c.l(format_args!(" deny tcp any {own} {} eq 22", wildcard(18)));
        c.l(format_args!(" permit ip any any"));
    }
}

/// A configuration being written, one line at a time.
struct Text(String);

impl Text {
    fn l(&mut self, args: fmt::Arguments<'_>) {
        // Writing into a String cannot fail.
        let _ = self.0.write_fmt(args);
        self.0.push('\n');
    }
}
