//! The synthetic IOS snapshot generator (`pathtrace_import::ios::synth`):
//! every line it writes is understood by the parser; a 60-router snapshot
//! converts without a warning into a model whose control plane gives every
//! router a route to every loopback, BGP routes for customer prefixes across
//! the ASes, and delivers traffic between customers of different ASes; the
//! same count and seed give the same text.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use ipnet::{IpNet, Ipv4Net};
use pathtrace_engine::fib::Action;
use pathtrace_engine::trace::Node;
use pathtrace_engine::{Disposition, Flow, Protocol, TraceOptions};
use pathtrace_import::ios::{self, IosSnapshot, synth};
use pathtrace_model::Network;

/// A fresh directory under the system's temporary directory, removed when
/// dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "pathtrace-synth-test-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The generated configurations parsed in memory, as a snapshot.
fn parsed(routers: usize, seed: u64) -> IosSnapshot {
    IosSnapshot {
        dir: PathBuf::from("synthetic"),
        configs: synth::generate(routers, seed)
            .iter()
            .map(|(name, text)| ios::parse_config(&format!("configs/{name}"), text))
            .collect(),
        ..IosSnapshot::default()
    }
}

#[track_caller]
fn fully_understood(snap: &IosSnapshot, routers: usize) {
    let cov = ios::coverage(snap);
    assert_eq!(cov.files.len(), routers);
    assert_eq!(cov.total.not_understood, 0, "{cov}");
    assert_eq!(cov.total.syntax_errors, 0, "{cov}");
    assert_eq!(
        cov.total.cosmetic + cov.total.understood,
        cov.total.lines,
        "{cov}"
    );
}

#[test]
fn every_line_is_understood_at_50_and_1000_routers() {
    // 50 through the files on disk, as the CLI writes them.
    let tmp = TempDir::new("coverage50");
    let summary = synth::write_snapshot(&tmp.0, 50, 1).expect("the snapshot is written");
    assert_eq!(summary.routers, 50);
    assert_eq!(summary.ases, 3);
    let snap = ios::read_snapshot(&tmp.0).expect("the snapshot reads");
    fully_understood(&snap, 50);
    assert_eq!(
        ios::coverage(&snap).total.lines,
        summary.lines,
        "the summary counts the lines written"
    );
    // 1,000 (10 ASes) parsed in memory; a few seeds.
    for seed in [1, 2] {
        fully_understood(&parsed(1000, seed), 1000);
    }
    // The smallest snapshot too.
    fully_understood(&parsed(synth::MIN_ROUTERS, 3), synth::MIN_ROUTERS);
}

#[test]
fn the_same_count_and_seed_give_the_same_text() {
    let a = synth::generate(60, 7);
    assert_eq!(a, synth::generate(60, 7));
    assert_ne!(a, synth::generate(60, 8), "the seed changes the snapshot");
    assert_eq!(a.len(), 60);
    let names: BTreeSet<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), 60, "one file per router");
    assert!(a.windows(2).all(|w| w[0].0 < w[1].0), "in file-name order");
    assert_eq!(synth::as_count(60), 3);
    assert_eq!(synth::as_count(1000), 10);
    assert_eq!(synth::as_count(1001), 11);
    // Out-of-range counts are brought to the bounds.
    assert_eq!(synth::generate(0, 1).len(), synth::MIN_ROUTERS);
}

#[test]
fn bad_counts_and_used_directories_are_refused() {
    let tmp = TempDir::new("refused");
    for n in [0, synth::MIN_ROUTERS - 1, synth::MAX_ROUTERS + 1] {
        let err = synth::write_snapshot(&tmp.0, n, 1).unwrap_err();
        assert!(
            matches!(err, synth::SynthError::Routers(x) if x == n),
            "{err}"
        );
    }
    assert!(!tmp.0.exists(), "nothing written for a bad count");
    synth::write_snapshot(&tmp.0, 12, 1).expect("the snapshot is written");
    let err = synth::write_snapshot(&tmp.0, 12, 1).unwrap_err();
    assert!(matches!(err, synth::SynthError::NotEmpty(_)), "{err}");
}

// ----- the control plane of a 60-router snapshot --------------------------------

struct Built {
    net: Network,
    dp: pathtrace_engine::DataPlane,
    /// Hostname → AS number.
    asn: BTreeMap<String, u32>,
}

fn build60() -> Built {
    let tmp = TempDir::new("build60");
    synth::write_snapshot(&tmp.0, 60, 42).expect("the snapshot is written");
    let snap = ios::read_snapshot(&tmp.0).expect("the snapshot reads");
    let conv = ios::to_network(&snap, "synth60");
    assert!(
        conv.warnings.is_empty(),
        "the conversion leaves nothing out: {:#?}",
        conv.warnings
    );
    let net = conv.network;
    assert_eq!(net.devices.len(), 60);
    let issues = pathtrace_model::validate::validate(&net);
    assert!(issues.is_empty(), "{issues:#?}");
    let dp = pathtrace_engine::build(&net);
    let asn = net
        .devices
        .iter()
        .map(|d| (d.hostname.clone(), d.bgp.as_ref().map_or(0, |b| b.asn)))
        .collect();
    Built { net, dp, asn }
}

fn loopback(d: &pathtrace_model::Device) -> IpAddr {
    d.interfaces
        .iter()
        .find(|i| i.name == "Loopback0")
        .and_then(|i| i.ip)
        .map(|n| n.addr())
        .expect("every router has Loopback0")
}

/// Customer prefixes per router: (prefix announced, first address of the
/// connected subnet, provider-independent).
fn customers(d: &pathtrace_model::Device) -> Vec<(Ipv4Net, Ipv4Addr, bool)> {
    d.interfaces
        .iter()
        .filter(|i| {
            i.description
                .as_deref()
                .is_some_and(|t| t.starts_with("customer"))
        })
        .filter_map(|i| match i.ip {
            Some(IpNet::V4(n)) => Some((
                Ipv4Net::new(n.network(), 24).expect("a /24").trunc(),
                n.network(),
                n.prefix_len() == 25,
            )),
            _ => None,
        })
        .collect()
}

fn plus(a: Ipv4Addr, n: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(u32::from(a) + n))
}

#[test]
fn the_control_plane_of_60_routers() {
    let b = build60();
    let (net, dp) = (&b.net, &b.dp);
    let ases: BTreeSet<u32> = b.asn.values().copied().collect();
    assert_eq!(ases.len(), 3, "{ases:?}");
    assert!(dp.bgp_rounds >= 2, "BGP changed the FIBs at least once");

    // Every router has a usable route to every other router's loopback.
    let loopbacks: Vec<(String, IpAddr)> = net
        .devices
        .iter()
        .map(|d| (d.hostname.clone(), loopback(d)))
        .collect();
    for (di, d) in net.devices.iter().enumerate() {
        let fib = dp.fib(di as u32, 0).expect("a global table");
        for (other, lo) in &loopbacks {
            let hit = fib.lookup(*lo);
            let ok = match hit {
                Some((_, e)) => match e.action {
                    Action::Forward(_) => other != &d.hostname,
                    Action::Receive => other == &d.hostname,
                    Action::Drop => false,
                },
                None => false,
            };
            assert!(ok, "{} → {other} ({lo}): {hit:?}", d.hostname);
        }
    }

    // BGP routes, as `pathtrace routes` lists them.
    let rows = pathtrace_engine::routes(net);
    let has = |node: &str, prefix: IpNet, protocols: &[&str]| {
        rows.iter()
            .any(|r| r.node == node && r.network == prefix && protocols.contains(&r.protocol))
    };
    let mut pi_checked = 0;
    let mut own_checked = 0;
    for d in &net.devices {
        let my_as = b.asn[&d.hostname];
        for (prefix, _, pi) in customers(d) {
            let p = IpNet::V4(prefix);
            for other in &net.devices {
                if other.hostname == d.hostname {
                    continue;
                }
                let their_as = b.asn[&other.hostname];
                if their_as == my_as {
                    // Inside the AS: from the route reflectors.
                    assert!(
                        has(&other.hostname, p, &["ibgp"]),
                        "{}: no ibgp route for {prefix} of {}",
                        other.hostname,
                        d.hostname
                    );
                    own_checked += 1;
                } else if pi {
                    // Provider-independent blocks cross the ASes as they are.
                    assert!(
                        has(&other.hostname, p, &["bgp", "ibgp"]),
                        "{}: no BGP route for {prefix} of {}",
                        other.hostname,
                        d.hostname
                    );
                    pi_checked += 1;
                } else {
                    // The AS's space crosses as its aggregate only.
                    assert!(
                        !rows
                            .iter()
                            .any(|r| r.node == other.hostname && r.network == p)
                    );
                    let agg: IpNet = format!("10.{}.0.0/16", my_as - synth::FIRST_ASN)
                        .parse()
                        .expect("a prefix");
                    assert!(
                        has(&other.hostname, agg, &["bgp", "ibgp"]),
                        "{}: no BGP route for {agg}",
                        other.hostname
                    );
                }
            }
        }
    }
    assert!(pi_checked > 0 && own_checked > 0);
    // The borders originate their AS's aggregate.
    let aggregates = rows
        .iter()
        .filter(|r| r.protocol == "aggregate" && r.node.contains("-border"))
        .count();
    assert_eq!(aggregates, 6, "two borders in each of three ASes");
}

#[test]
fn traffic_between_customers_of_different_ases_is_delivered() {
    let b = build60();
    let (net, dp) = (&b.net, &b.dp);
    let by_as = |asn: u32| -> Vec<(Ipv4Net, Ipv4Addr, bool)> {
        net.devices
            .iter()
            .filter(|d| b.asn[&d.hostname] == asn)
            .flat_map(customers)
            .collect()
    };
    let first = synth::FIRST_ASN;
    let mut checked = 0;
    for (from, to) in [(first, first + 1), (first + 1, first), (first, first + 2)] {
        let (src, dst) = (by_as(from), by_as(to));
        for (s, d) in [
            (&src[0], &dst[0]),
            (&src[1], dst.last().expect("customers")),
        ] {
            let flow = Flow {
                src: plus(s.1, 10),
                dst: plus(d.1, 10),
                protocol: Some(Protocol::Tcp),
                src_port: Some(40000),
                dst_port: Some(443),
            };
            let t = pathtrace_engine::trace_with(dp, &flow, TraceOptions::default())
                .expect("the source is in a customer subnet");
            assert!(!t.branches.is_empty());
            for br in &t.branches {
                assert_eq!(
                    br.disposition,
                    Disposition::DeliveredToSubnet,
                    "{flow:?}: {br:#?}"
                );
                // It crosses from one AS into the other.
                let seen: BTreeSet<u32> = br
                    .hops
                    .iter()
                    .filter_map(|h| match h.node {
                        Node::Device(i) => Some(b.asn[&dp.devices[i as usize].name]),
                        _ => None,
                    })
                    .collect();
                assert!(seen.contains(&from) && seen.contains(&to), "{seen:?}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 6);
    // The unused half of a provider-independent /24 is discarded at its edge.
    let pi = by_as(first + 1)
        .into_iter()
        .find(|c| c.2)
        .expect("the first edge of each AS has a provider-independent block");
    let src = by_as(first)[0].1;
    let flow = Flow {
        protocol: Some(Protocol::Udp),
        dst_port: Some(53),
        src_port: Some(5353),
        ..Flow::new(plus(src, 10), plus(pi.1, 200))
    };
    let t = pathtrace_engine::trace_with(dp, &flow, TraceOptions::default()).expect("traced");
    assert!(!t.branches.is_empty());
    assert!(
        t.branches
            .iter()
            .all(|br| br.disposition == Disposition::NullRouted),
        "{:#?}",
        t.branches
    );
}
