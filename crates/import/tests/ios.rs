//! The IOS snapshot reader on Batfish's example network
//! (tests/fixtures/batfish-example: `live`, `live-with-interface-outage`,
//! `candidate`), and a mutation test: thousands of damaged copies of its
//! configurations parse without panicking.

use std::path::{Path, PathBuf};

use pathtrace_import::ios::{self, IosSnapshot, SnapshotError};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/batfish-example")
        .join(name)
}

fn read(name: &str) -> IosSnapshot {
    ios::read_snapshot(&fixture(name)).expect("the fixture snapshot reads")
}

fn balanced(snap: &IosSnapshot) {
    for a in snap.accounts() {
        assert_eq!(
            a.lines,
            a.cosmetic + a.understood + a.not_understood.len() + a.syntax_errors.len(),
            "{}",
            a.file
        );
    }
}

#[test]
fn all_three_snapshots_read_without_syntax_errors() {
    for name in ["live", "live-with-interface-outage", "candidate"] {
        let snap = read(name);
        assert_eq!(snap.configs.len(), 13, "{name}");
        assert_eq!(snap.hosts.len(), 2, "{name}");
        assert_eq!(snap.iptables.len(), 2, "{name}");
        assert!(
            snap.layer1.is_none(),
            "{name}: the example's topology sits outside the snapshots"
        );
        balanced(&snap);
        let cov = ios::coverage(&snap);
        assert_eq!(
            cov.total.syntax_errors, 0,
            "{name}: {:#?}",
            cov.syntax_errors
        );
        assert!(cov.total.understood > cov.total.not_understood, "{name}");
    }
}

#[test]
fn live_hostnames_and_hosts() {
    let snap = read("live");
    let mut names: Vec<&str> = snap
        .configs
        .iter()
        .filter_map(|c| c.hostname.as_ref())
        .map(|h| h.value.as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "as1border1",
            "as1border2",
            "as1core1",
            "as2border1",
            "as2border2",
            "as2core1",
            "as2core2",
            "as2dept1",
            "as2dist1",
            "as2dist2",
            "as3border1",
            "as3border2",
            "as3core1"
        ]
    );
    // Configurations come in file-name order.
    let files: Vec<&str> = snap
        .configs
        .iter()
        .map(|c| c.account.file.as_str())
        .collect();
    let mut sorted = files.clone();
    sorted.sort_unstable();
    assert_eq!(files, sorted);
    let h1 = &snap.hosts[0];
    assert_eq!((h1.hostname.as_str(), h1.interfaces.len()), ("host1", 1));
    assert_eq!(
        h1.interfaces[0].prefix,
        Some("2.128.0.101/24".parse().unwrap())
    );
    assert_eq!(h1.interfaces[0].gateway, Some("2.128.0.1".parse().unwrap()));
    let ipt = snap.iptables_of(h1).expect("host1's iptables file is read");
    let filter = ipt.filter().expect("a filter table");
    let policies: Vec<(&str, &str)> = filter
        .chains
        .iter()
        .map(|c| (c.name.as_str(), c.policy.as_str()))
        .collect();
    assert_eq!(
        policies,
        [
            ("INPUT", "DROP"),
            ("FORWARD", "ACCEPT"),
            ("OUTPUT", "ACCEPT")
        ]
    );
    assert_eq!(filter.rules.len(), 2);
    assert_eq!(filter.rules[0].text, "-p udp --dport 53 -j ACCEPT");
}

#[test]
fn as2border2_matches_its_file() {
    let snap = read("live");
    let c = snap.config("as2border2").unwrap();
    let text = std::fs::read_to_string(fixture("live/configs/as2border2.cfg")).unwrap();
    let in_file = text.lines().filter(|l| l.starts_with("interface ")).count();
    assert_eq!(c.interfaces.len(), in_file);
    assert_eq!(c.interfaces.len(), 5);
    // Each interface's line is the line of its `interface` command.
    let lines: Vec<&str> = text.lines().collect();
    for i in &c.interfaces {
        assert_eq!(lines[i.line - 1], format!("interface {}", i.name));
    }
    let g = c.interface("GigabitEthernet0/0").unwrap();
    assert_eq!(g.address, Some("10.23.21.2/24".parse().unwrap()));
    assert_eq!(
        (g.acl_in.as_deref(), g.acl_out.as_deref()),
        (Some("OUTSIDE_TO_INSIDE"), Some("INSIDE_TO_AS3"))
    );
    assert_eq!(g.speed, Some(1000));
    assert!(c.interface("Ethernet0/0").unwrap().shutdown);
    let ospf = &c.ospf[0];
    assert_eq!(
        (ospf.process_id, ospf.router_id),
        (1, Some("2.1.1.2".parse().unwrap()))
    );
    assert_eq!(ospf.networks.len(), 1);
    assert!(ospf.redistribute[0].subnets);
    let bgp = c.bgp.as_ref().unwrap();
    assert_eq!(bgp.asn, 2);
    assert_eq!(bgp.peer_groups.len(), 3);
    let af = &bgp.address_families[0];
    assert!(af.aggregates[0].summary_only);
    assert_eq!(af.maximum_paths_eibgp, Some(5));
    assert_eq!(c.acl("INSIDE_TO_AS3").unwrap().entries.len(), 3);
    assert_eq!(c.acl("101").unwrap().entries.len(), 2);
    assert_eq!(c.prefix_lists.len(), 3);
    assert_eq!(c.route_maps.len(), 6);
    assert_eq!(c.community_lists.len(), 3);
}

#[test]
fn the_outage_blacklists_as2border2_gigabitethernet0_0() {
    let snap = read("live-with-interface-outage");
    let bl = snap
        .interface_blacklist
        .as_ref()
        .expect("an interface_blacklist");
    assert!(
        bl.entries
            .iter()
            .any(|e| e.node == "as2border2" && e.interface == "GigabitEthernet0/0"),
        "{bl:#?}"
    );
    // The interface exists in that snapshot's configuration.
    assert!(
        snap.config("as2border2")
            .unwrap()
            .interface("GigabitEthernet0/0")
            .is_some()
    );
    assert!(read("live").interface_blacklist.is_none());
}

#[test]
fn the_candidate_adds_outbound_acls_on_as2dept1() {
    let live = read("live");
    let cand = read("candidate");
    let out = |s: &IosSnapshot| {
        s.config("as2dept1")
            .unwrap()
            .interfaces
            .iter()
            .filter_map(|i| i.acl_out.clone())
            .collect::<Vec<_>>()
    };
    assert!(out(&live).is_empty());
    assert_eq!(
        out(&cand),
        ["RESTRICT_HOST_TRAFFIC_IN", "RESTRICT_HOST_TRAFFIC_OUT"]
    );
}

#[test]
fn errors_name_the_path() {
    let missing = fixture("no-such-snapshot");
    let e = ios::read_snapshot(&missing).unwrap_err();
    assert!(matches!(e, SnapshotError::NotADirectory { .. }));
    assert!(e.to_string().contains("no-such-snapshot"), "{e}");
    // A directory without configs/.
    let e = ios::read_snapshot(&fixture("")).unwrap_err();
    assert!(matches!(e, SnapshotError::NoConfigs { .. }), "{e}");
    assert!(e.to_string().contains("configs"), "{e}");
}

#[test]
fn a_layer1_topology_inside_the_snapshot_is_read() {
    let dir = std::env::temp_dir().join(format!("pathtrace-ios-l1-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("configs")).unwrap();
    std::fs::write(dir.join("configs/r1"), "hostname r1\ninterface Gi0/0\n").unwrap();
    std::fs::copy(
        fixture("example_layer1_topology.json"),
        dir.join("layer1_topology.json"),
    )
    .unwrap();
    std::fs::write(dir.join("interface_blacklist"), "r1 Gi0/0\n").unwrap();
    let snap = ios::read_snapshot(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let snap = snap.unwrap();
    assert_eq!(snap.configs[0].account.file, "configs/r1");
    let l1 = snap.layer1.as_ref().unwrap();
    assert!(l1.edges.len() > 10);
    assert_eq!(l1.edges[0].0.hostname, "as1border1");
    assert_eq!(
        snap.interface_blacklist.as_ref().unwrap().entries[0].interface,
        "Gi0/0"
    );
    balanced(&snap);
}

/// xorshift64*: a small deterministic generator (no dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const GARBAGE: &[&str] = &[
    "\u{0}",
    "\u{3}",
    "^C",
    "é",
    "漢字",
    "\u{feff}",
    "\u{1f600}",
    "\t",
    "  ",
    "!",
    "999999999999",
    "-1",
    "255.255.255.255",
    "0.0.0.0",
    "/33",
    "1.2.3.4/99",
    ":",
    "route-map",
    "address-family",
    "banner motd ^C",
    "exit-address-family",
    "neighbor",
    "interface",
    "\r",
    "\u{fffd}",
];

/// One random change to a configuration.
fn mutate(rng: &mut Rng, lines: &mut Vec<String>) {
    if lines.is_empty() {
        lines.push(String::new());
    }
    let i = rng.below(lines.len());
    match rng.below(7) {
        // Truncate a line at a character boundary.
        0 => {
            let cut = rng.below(lines[i].chars().count() + 1);
            lines[i] = lines[i].chars().take(cut).collect();
        }
        // Swap two tokens of a line.
        1 => {
            let mut w: Vec<String> = lines[i].split(' ').map(str::to_owned).collect();
            let (a, b) = (rng.below(w.len()), rng.below(w.len()));
            w.swap(a, b);
            lines[i] = w.join(" ");
        }
        // Insert garbage (bytes become U+FFFD through the lossy reader).
        2 => {
            let g = GARBAGE[rng.below(GARBAGE.len())];
            let at = rng.below(lines[i].chars().count() + 1);
            let mut s: String = lines[i].chars().take(at).collect();
            s.push_str(g);
            s.extend(lines[i].chars().skip(at));
            lines[i] = s;
        }
        // Delete a line.
        3 => {
            lines.remove(i);
        }
        // Duplicate a line somewhere else (blocks lose their context).
        4 => {
            let l = lines[i].clone();
            let at = rng.below(lines.len() + 1);
            lines.insert(at, l);
        }
        // Replace a token by a token from another line.
        5 => {
            let from = rng.below(lines.len());
            let donor: Vec<String> = lines[from].split_whitespace().map(str::to_owned).collect();
            let mut w: Vec<String> = lines[i].split(' ').map(str::to_owned).collect();
            if !donor.is_empty() {
                let at = rng.below(w.len());
                let pick = rng.below(donor.len());
                w[at].clone_from(&donor[pick]);
            }
            lines[i] = w.join(" ");
        }
        // Random bytes, read as the reader does.
        _ => {
            let n = rng.below(12);
            let bytes: Vec<u8> = (0..n).map(|_| (rng.next() & 0xff) as u8).collect();
            lines.insert(i, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
}

#[test]
fn mutated_configurations_never_panic() {
    let dir = fixture("live/configs");
    let mut originals: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    originals.sort();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut errors = 0usize;
    let rounds = 4000;
    for round in 0..rounds {
        let (name, text) = &originals[round % originals.len()];
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        for _ in 0..=rng.below(8) {
            mutate(&mut rng, &mut lines);
        }
        let joined = lines.join(if round % 5 == 0 { "\r\n" } else { "\n" });
        let c = ios::parse_config(name, &joined);
        let a = &c.account;
        assert_eq!(
            a.lines,
            a.cosmetic + a.understood + a.not_understood.len() + a.syntax_errors.len(),
            "round {round}"
        );
        errors += a.syntax_errors.len();
        // Host-side readers too.
        let _ = ios::parse_host(name, &joined);
        let _ = ios::parse_iptables(name, &joined);
        let _ = ios::parse_blacklist(name, &joined);
    }
    // The mutations do reach the parser's error paths.
    assert!(
        errors > 100,
        "only {errors} syntax errors in {rounds} rounds"
    );
}

#[test]
fn mutated_host_files_never_panic() {
    let texts: Vec<String> = [
        "live/hosts/host1.json",
        "live/iptables/host1.iptables",
        "live-with-interface-outage/interface_blacklist",
        "example_layer1_topology.json",
    ]
    .iter()
    .map(|p| std::fs::read_to_string(fixture(p)).unwrap())
    .collect();
    let mut rng = Rng(42);
    for round in 0..2000 {
        let mut lines: Vec<String> = texts[round % texts.len()]
            .lines()
            .map(str::to_owned)
            .collect();
        for _ in 0..=rng.below(4) {
            mutate(&mut rng, &mut lines);
        }
        let joined = lines.join("\n");
        for a in [
            ios::parse_host("h", &joined).account,
            ios::parse_iptables("i", &joined).account,
            ios::parse_blacklist("b", &joined).account,
            ios::parse_layer1("l", &joined).account,
        ] {
            assert_eq!(
                a.lines,
                a.cosmetic + a.understood + a.not_understood.len() + a.syntax_errors.len(),
                "round {round}: {a:#?}"
            );
        }
    }
}
