//! BGP semantics on a small hand-written network, one rule per test:
//!
//! ```text
//!   A (AS 1) ── B1 (AS 2) ── B2 (AS 2) ── C (AS 3)
//!        └───────────────────────┘          (A–B2: a second eBGP link)
//! ```
//!
//! A originates 10.1.0.0/24 (MED 50 by route-map toward B1, its AS path
//! prepended toward B2). B1 and B2 are iBGP peers over their shared link; B2
//! reaches the A–B1 link by a static route. C peers with B2 only.

use std::net::IpAddr;

use pathtrace_engine::RibRoute;

const NET: &str = r"
name: bgp-lab
devices:
  - hostname: A
    management_ip: 10.1.0.1
    family: Routers
    interfaces:
      - {name: Gi0/0, ip: 10.1.0.1/24}
      - {name: Gi0/1, ip: 192.0.2.1/30}
      - {name: Gi0/2, ip: 192.0.2.9/30}
    bgp:
      asn: 1
      neighbors:
        - {ip: 192.0.2.2, remote_as: 2, route_map_out: MED50}
        - {ip: 192.0.2.10, remote_as: 2, route_map_out: PREPEND}
      networks: [{prefix: 10.1.0.0/24}]
    route_maps:
      - name: MED50
        clauses: [{seq: 10, action: permit, set: [{metric: 50}]}]
      - name: PREPEND
        clauses: [{seq: 10, action: permit, set: [{as_path_prepend: [1, 1]}]}]
  - hostname: B1
    management_ip: 192.0.2.2
    family: Routers
    interfaces:
      - {name: Gi0/1, ip: 192.0.2.2/30}
      - {name: Gi0/2, ip: 192.0.2.5/30}
    bgp:
      asn: 2
      neighbors:
        - {ip: 192.0.2.1, remote_as: 1}
        - {ip: 192.0.2.6, remote_as: 2}
  - hostname: B2
    management_ip: 192.0.2.6
    family: Routers
    interfaces:
      - {name: Gi0/2, ip: 192.0.2.6/30}
      - {name: Gi0/3, ip: 192.0.2.13/30}
      - {name: Gi0/4, ip: 192.0.2.10/30}
    static_routes:
      - {prefix: 192.0.2.0/30, next_hop: 192.0.2.5}
    bgp:
      asn: 2
      neighbors:
        - {ip: 192.0.2.5, remote_as: 2}
        - {ip: 192.0.2.14, remote_as: 3}
        - {ip: 192.0.2.9, remote_as: 1}
  - hostname: C
    management_ip: 192.0.2.14
    family: Routers
    interfaces:
      - {name: Gi0/3, ip: 192.0.2.14/30}
    bgp:
      asn: 3
      neighbors:
        - {ip: 192.0.2.13, remote_as: 2}
links:
  - {a: A:Gi0/1, b: B1:Gi0/1}
  - {a: B1:Gi0/2, b: B2:Gi0/2}
  - {a: B2:Gi0/3, b: C:Gi0/3}
  - {a: A:Gi0/2, b: B2:Gi0/4}
";

fn routes(yaml: &str) -> Vec<RibRoute> {
    pathtrace_engine::routes(&pathtrace_model::load_str(yaml, "bgp-lab.yaml").expect("valid"))
}

fn route<'a>(rib: &'a [RibRoute], node: &str, prefix: &str) -> Vec<&'a RibRoute> {
    rib.iter()
        .filter(|r| r.node == node && r.network.to_string() == prefix)
        .collect()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn shorter_as_path_wins_and_ebgp_beats_ibgp() {
    let rib = routes(NET);
    // B1: eBGP from A with path [1] (AD 20).
    let b1 = route(&rib, "B1", "10.1.0.0/24");
    assert_eq!(b1.len(), 1);
    assert_eq!(
        (b1[0].protocol, b1[0].next_hop_ip, b1[0].admin),
        ("bgp", Some(ip("192.0.2.1")), 20)
    );
    // B2: eBGP from A is [1 1 1] (prepended); iBGP from B1 is [1]: the
    // shorter AS path wins over eBGP-over-iBGP, which comes later.
    let b2 = route(&rib, "B2", "10.1.0.0/24");
    assert_eq!(b2.len(), 1);
    assert_eq!(
        (b2[0].protocol, b2[0].next_hop_ip, b2[0].admin),
        ("ibgp", Some(ip("192.0.2.1")), 200),
        "iBGP keeps the eBGP next hop (no next-hop-self)"
    );
}

#[test]
fn med_from_another_as_is_not_passed_on() {
    let rib = routes(NET);
    assert_eq!(route(&rib, "B1", "10.1.0.0/24")[0].metric, 50);
    assert_eq!(
        route(&rib, "B2", "10.1.0.0/24")[0].metric,
        50,
        "iBGP keeps the MED"
    );
    let c = route(&rib, "C", "10.1.0.0/24");
    assert_eq!(c.len(), 1);
    assert_eq!(
        (c[0].protocol, c[0].next_hop_ip, c[0].metric),
        ("bgp", Some(ip("192.0.2.13")), 0),
        "AS 1's MED stays in AS 2"
    );
}

#[test]
fn unresolvable_next_hop_and_no_session_without_the_peer() {
    // B2 learns the path from B1 with next hop 192.0.2.1 (A's side of the
    // A–B1 link), which B2 cannot resolve without its static route: remove
    // that, B2's own link to A and the prepended eBGP path, and B2 has no
    // usable path at all; C then learns nothing.
    let net = NET
        .replace("      - {prefix: 192.0.2.0/30, next_hop: 192.0.2.5}\n", "")
        .replace(
            "    static_routes:\n    bgp:\n      asn: 2",
            "    bgp:\n      asn: 2",
        )
        .replace("        - {ip: 192.0.2.9, remote_as: 1}\n", "")
        .replace("  - {a: A:Gi0/2, b: B2:Gi0/4}\n", "");
    let rib = routes(&net);
    assert!(route(&rib, "B2", "10.1.0.0/24").is_empty());
    assert!(route(&rib, "C", "10.1.0.0/24").is_empty());
    // With next-hop-self on B1's session to B2 the path resolves.
    let nhs = net.replace(
        "        - {ip: 192.0.2.6, remote_as: 2}\n",
        "        - {ip: 192.0.2.6, remote_as: 2, next_hop_self: true}\n",
    );
    let rib = routes(&nhs);
    let b2 = route(&rib, "B2", "10.1.0.0/24");
    assert_eq!(
        (b2[0].protocol, b2[0].next_hop_ip),
        ("ibgp", Some(ip("192.0.2.5")))
    );
    assert_eq!(route(&rib, "C", "10.1.0.0/24").len(), 1);
}

#[test]
fn ibgp_paths_are_not_passed_between_ibgp_peers_without_a_reflector() {
    // A third AS-2 router behind B2 (iBGP to B2 only): B2's iBGP-learned
    // path (from B1) must not reach it; with B2 a route reflector, it does.
    let third = r"
  - hostname: B3
    management_ip: 192.0.2.18
    family: Routers
    interfaces:
      - {name: Gi0/5, ip: 192.0.2.18/30}
    static_routes:
      - {prefix: 192.0.2.0/24, next_hop: 192.0.2.17}
    bgp:
      asn: 2
      neighbors:
        - {ip: 192.0.2.17, remote_as: 2}
";
    let base = NET
        .replace("        - {ip: 192.0.2.9, remote_as: 1}\n", "")
        .replace("  - {a: A:Gi0/2, b: B2:Gi0/4}\n", "")
        .replace(
            "      - {name: Gi0/4, ip: 192.0.2.10/30}\n",
            "      - {name: Gi0/4, ip: 192.0.2.10/30}\n      - {name: Gi0/5, ip: 192.0.2.17/30}\n",
        )
        .replace(
            "        - {ip: 192.0.2.14, remote_as: 3}\n",
            "        - {ip: 192.0.2.14, remote_as: 3}\n        - {ip: 192.0.2.18, remote_as: 2}\n",
        )
        .replace(
            "        - {ip: 192.0.2.6, remote_as: 2}\n",
            "        - {ip: 192.0.2.6, remote_as: 2, next_hop_self: true}\n",
        )
        .replace(
            "links:\n",
            &format!("{third}links:\n  - {{a: B2:Gi0/5, b: B3:Gi0/5}}\n"),
        );
    let rib = routes(&base);
    assert_eq!(route(&rib, "B2", "10.1.0.0/24").len(), 1);
    assert!(
        route(&rib, "B3", "10.1.0.0/24").is_empty(),
        "iBGP split horizon"
    );
    let rr = base.replace(
        "        - {ip: 192.0.2.18, remote_as: 2}\n",
        "        - {ip: 192.0.2.18, remote_as: 2, route_reflector_client: true}\n",
    );
    let rib = routes(&rr);
    let b3 = route(&rib, "B3", "10.1.0.0/24");
    assert_eq!(b3.len(), 1);
    assert_eq!(
        (b3[0].protocol, b3[0].next_hop_ip),
        ("ibgp", Some(ip("192.0.2.5")))
    );
}
