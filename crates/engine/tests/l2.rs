//! Layer 2: the spanning tree decides the path, VLANs separate domains.

use pathtrace_engine::{Flow, Node, Protocol};

const NET: &str = r"
name: l2-lab
devices:
  - hostname: SW-A
    management_ip: 10.0.0.1
    family: Switches and Hubs
    ip_routing: false
    stp_priority: 4096
    vlans: [{id: 10}, {id: 20}]
    interfaces:
      - {name: Gi0/1, mode: trunk}
      - {name: Gi0/2, mode: trunk}
  - hostname: SW-B
    management_ip: 10.0.0.2
    family: Switches and Hubs
    ip_routing: false
    vlans: [{id: 10}, {id: 20}]
    interfaces:
      - {name: Gi0/1, mode: trunk}
      - {name: Gi0/3, mode: trunk}
      - {name: Gi0/10, mode: access, access_vlan: 10}
      - {name: Gi0/20, mode: access, access_vlan: 20}
  - hostname: SW-C
    management_ip: 10.0.0.3
    family: Switches and Hubs
    ip_routing: false
    vlans: [{id: 10}]
    interfaces:
      - {name: Gi0/2, mode: trunk}
      - {name: Gi0/3, mode: trunk}
      - {name: Gi0/10, mode: access, access_vlan: 10}
links:
  - {a: SW-A:Gi0/1, b: SW-B:Gi0/1}
  - {a: SW-A:Gi0/2, b: SW-C:Gi0/2}
  - {a: SW-B:Gi0/3, b: SW-C:Gi0/3}
hosts:
  - {ip: 10.10.0.2/24, switch: SW-B, port: Gi0/10, vlan: 10}
  - {ip: 10.10.0.3/24, switch: SW-C, port: Gi0/10, vlan: 10}
  - {ip: 10.10.0.4/24, switch: SW-B, port: Gi0/20, vlan: 20}
";

fn names(dp: &pathtrace_engine::DataPlane, t: &pathtrace_engine::Trace) -> Vec<String> {
    t.branches[0]
        .hops
        .iter()
        .map(|h| match h.node {
            Node::Device(d) => dp.devices[d as usize].name.clone(),
            Node::Host(x) => dp.hosts[x as usize].ip.addr().to_string(),
            _ => "?".into(),
        })
        .collect()
}

#[test]
fn the_blocked_link_is_not_used() {
    let dp = pathtrace_engine::build(&pathtrace_model::load_str(NET, "l2.yaml").unwrap());
    let f = Flow {
        protocol: Some(Protocol::Tcp),
        ..Flow::new("10.10.0.2".parse().unwrap(), "10.10.0.3".parse().unwrap())
    };
    let t = pathtrace_engine::trace(&dp, &f).unwrap();
    assert_eq!(t.trace_count, 1);
    // SW-A is the root: the SW-B–SW-C link is blocked, so the frame goes through SW-A.
    assert_eq!(
        names(&dp, &t),
        ["10.10.0.2", "SW-B", "SW-A", "SW-C", "10.10.0.3"]
    );
    assert_eq!(t.branches[0].disposition.as_str(), "ACCEPTED");
    assert!(t.branches[0].hops[1..4].iter().all(|h| h.vlan == Some(10)));
}

#[test]
fn vlans_are_separate_domains() {
    let dp = pathtrace_engine::build(&pathtrace_model::load_str(NET, "l2.yaml").unwrap());
    // Same /24 but VLAN 20: nobody answers ARP for 10.10.0.3 there.
    let f = Flow {
        protocol: Some(Protocol::Tcp),
        ..Flow::new("10.10.0.4".parse().unwrap(), "10.10.0.3".parse().unwrap())
    };
    let t = pathtrace_engine::trace(&dp, &f).unwrap();
    assert_eq!(t.branches[0].disposition.as_str(), "NEIGHBOR_UNREACHABLE");
}
