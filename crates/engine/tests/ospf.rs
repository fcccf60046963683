//! OSPF semantics on a small two-area-plus-backbone network:
//! RA (area 1) — ABR1 (1|0) — CORE (0) — ABR2 (0|2) — RB (area 2, ASBR).

use std::net::IpAddr;

use pathtrace_engine::fib::{Action, RouteProtocol};
use pathtrace_engine::{DataPlane, Flow, Protocol};

const NET: &str = r"
name: ospf-lab
devices:
  - hostname: RA
    management_ip: 10.1.255.1
    family: Routers
    ospf: {}
    interfaces:
      - {name: Loopback0, ip: 10.1.255.1/32, ospf: {area: 1}}
      - {name: Gi0/0, ip: 10.1.5.1/24, ospf: {area: 1, passive: true}}
      - {name: Gi0/1, ip: 10.1.0.1/30, ospf: {area: 1, cost: 10}}
  - hostname: ABR1
    management_ip: 10.0.255.1
    family: Routers
    ospf: {areas: [{id: 1, ranges: [10.1.0.0/16]}]}
    interfaces:
      - {name: Gi0/1, ip: 10.1.0.2/30, ospf: {area: 1, cost: 10}}
      - {name: Gi0/2, ip: 10.0.0.1/30, ospf: {area: 0, cost: 10}}
  - hostname: CORE
    management_ip: 10.0.255.2
    family: Routers
    ospf: {}
    interfaces:
      - {name: Gi0/2, ip: 10.0.0.2/30, ospf: {area: 0, cost: 10}}
      - {name: Gi0/3, ip: 10.0.0.5/30, ospf: {area: 0, cost: 10}}
  - hostname: ABR2
    management_ip: 10.0.255.3
    family: Routers
    ospf: {}
    interfaces:
      - {name: Gi0/3, ip: 10.0.0.6/30, ospf: {area: 0, cost: 10}}
      - {name: Gi0/4, ip: 10.2.0.1/30, ospf: {area: 0.0.0.2, cost: 10}}
  - hostname: RB
    management_ip: 10.2.255.1
    family: Routers
    ospf: {redistribute: [static]}
    interfaces:
      - {name: Gi0/4, ip: 10.2.0.2/30, ospf: {area: 2, cost: 10}}
      - {name: Gi0/5, ip: 10.2.7.1/24, ospf: {area: 2, passive: true}}
      - {name: Gi0/6, ip: 192.0.2.1/30}
    static_routes:
      - {prefix: 172.20.0.0/16, next_hop: 192.0.2.2}
links:
  - {a: RA:Gi0/1, b: ABR1:Gi0/1}
  - {a: ABR1:Gi0/2, b: CORE:Gi0/2}
  - {a: CORE:Gi0/3, b: ABR2:Gi0/3}
  - {a: ABR2:Gi0/4, b: RB:Gi0/4}
";

fn dp() -> DataPlane {
    pathtrace_engine::build(&pathtrace_model::load_str(NET, "ospf-lab.yaml").expect("valid"))
}

fn route(dp: &DataPlane, dev: &str, ip: &str) -> Option<(String, RouteProtocol, u32, Action)> {
    let d = dp.device_index(dev).unwrap();
    let (p, e) = dp.fib(d, 0)?.lookup(ip.parse::<IpAddr>().unwrap())?;
    let a = dp.route_attrs[e.attrs as usize];
    Some((p.to_string(), a.protocol, a.metric, e.action))
}

#[test]
fn area_range_summarises_at_the_border() {
    let dp = dp();
    // RB sees area 1 only as the range, inter-area: 10 (RB-ABR2) + 10 + 10 (to ABR1) + 10 (ABR1's cost to 10.1.5.0/24 = 10 + 1? passive cost default 1).
    let (p, proto, _, _) = route(&dp, "RB", "10.1.5.9").unwrap();
    assert_eq!(
        (p.as_str(), proto),
        ("10.1.0.0/16", RouteProtocol::OspfInterArea)
    );
    assert!(
        route(&dp, "CORE", "10.1.5.9")
            .is_some_and(|r| r.0 == "10.1.0.0/16" && r.1 == RouteProtocol::OspfInterArea)
    );
    // ABR1 installs the discard route for its active range, and the /24 is intra-area there.
    let (p, _, _, action) = route(&dp, "ABR1", "10.1.99.1").unwrap();
    assert_eq!((p.as_str(), action), ("10.1.0.0/16", Action::Drop));
    let (p, proto, _, _) = route(&dp, "ABR1", "10.1.5.9").unwrap();
    assert_eq!((p.as_str(), proto), ("10.1.5.0/24", RouteProtocol::Ospf));
}

#[test]
fn inter_area_costs_add_up_and_area_2_has_no_range() {
    let dp = dp();
    // RA → 10.2.7.0/24: RA-ABR1 10 + ABR1-CORE 10 + CORE-ABR2 10 + ABR2-RB 10 + stub 1 (passive, default cost 1).
    let (p, proto, metric, _) = route(&dp, "RA", "10.2.7.5").unwrap();
    assert_eq!(
        (p.as_str(), proto, metric),
        ("10.2.7.0/24", RouteProtocol::OspfInterArea, 41)
    );
}

#[test]
fn redistributed_static_is_external_type_2_everywhere() {
    let dp = dp();
    for dev in ["RA", "ABR1", "CORE", "ABR2"] {
        let (p, proto, metric, _) =
            route(&dp, dev, "172.20.1.1").unwrap_or_else(|| panic!("{dev} has the external"));
        assert_eq!(
            (p.as_str(), proto, metric),
            ("172.20.0.0/16", RouteProtocol::OspfE2, 20),
            "{dev}"
        );
    }
    // The ASBR itself keeps its static.
    assert_eq!(
        route(&dp, "RB", "172.20.1.1").unwrap().1,
        RouteProtocol::Static
    );
}

#[test]
fn trace_crosses_three_areas_and_leaves_at_the_asbr() {
    let dp = dp();
    let flow = Flow {
        protocol: Some(Protocol::Udp),
        ..Flow::new("10.1.5.1".parse().unwrap(), "172.20.1.1".parse().unwrap())
    };
    let t = pathtrace_engine::trace(&dp, &flow).unwrap();
    assert_eq!(t.branches.len(), 1);
    let names: Vec<&str> = t.branches[0]
        .hops
        .iter()
        .map(|h| match h.node {
            pathtrace_engine::Node::Device(d) => dp.devices[d as usize].name.as_str(),
            _ => "?",
        })
        .collect();
    assert_eq!(names, ["RA", "ABR1", "CORE", "ABR2", "RB"]);
    // RB forwards to 192.0.2.2, which nobody models, and 172.20.1.1 is outside every subnet.
    assert_eq!(t.branches[0].disposition.as_str(), "EXITS_NETWORK");
}
