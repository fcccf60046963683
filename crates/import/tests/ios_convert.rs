//! Converting IOS snapshots into the model: Batfish's example network
//! (tests/fixtures/batfish-example: `live`, `live-with-interface-outage`,
//! `candidate`) checked device by device against its configurations; a
//! synthetic snapshot for every case the conversion adjusts or reports; and
//! damaged copies of the example, which must still convert into a model that
//! validates.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use pathtrace_import::ios::{self, IosConversion, IosSnapshot};
use pathtrace_model::routing::{PolicyAction, RouteMapMatch, RouteMapSet};
use pathtrace_model::{Network, PortMode, RouteSource, State};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/batfish-example")
        .join(name)
}

fn convert(name: &str) -> IosConversion {
    let snap = ios::read_snapshot(&fixture(name)).expect("the fixture reads");
    ios::to_network(&snap, name)
}

fn device<'a>(net: &'a Network, name: &str) -> &'a pathtrace_model::Device {
    net.devices
        .iter()
        .find(|d| d.hostname == name)
        .unwrap_or_else(|| panic!("no device {name}"))
}

fn iface<'a>(net: &'a Network, dev: &str, name: &str) -> &'a pathtrace_model::Interface {
    device(net, dev)
        .interfaces
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("no interface {dev} {name}"))
}

fn has_link(net: &Network, a: (&str, &str), b: (&str, &str)) -> bool {
    net.links.iter().any(|l| {
        let x = (l.a.device.as_str(), l.a.interface.as_str());
        let y = (l.b.device.as_str(), l.b.interface.as_str());
        (x == a && y == b) || (x == b && y == a)
    })
}

/// The model validates, and writing it as YAML and loading it back gives
/// the same model.
#[track_caller]
fn valid_and_round_trips(net: &Network) {
    let issues = pathtrace_model::validate::validate(net);
    assert!(issues.is_empty(), "{issues:#?}");
    let yaml = serde_saphyr::to_string(net).expect("the model serializes");
    let back = pathtrace_model::load_str(&yaml, "converted.yaml")
        .unwrap_or_else(|e| panic!("the written model loads:\n{e}"));
    assert_eq!(&back, net);
}

// ----- Batfish's example network ----------------------------------------------

#[test]
fn all_three_snapshots_convert_into_valid_models() {
    for name in ["live", "live-with-interface-outage", "candidate"] {
        let conv = convert(name);
        let net = &conv.network;
        assert_eq!(net.name, name);
        assert_eq!(net.devices.len(), 13, "{name}");
        assert_eq!(net.hosts.len(), 2, "{name}");
        assert_eq!(net.links.len(), 17, "{name}");
        valid_and_round_trips(net);
        // The two things of this network worth a note, each with its file
        // and line: a loopback address on two devices (kept on both), and a
        // subnet on two ports of one device.
        assert_eq!(conv.warnings.len(), 2, "{name}: {:#?}", conv.warnings);
        assert!(
            conv.warnings[0].starts_with("configs/as2dept1.cfg:51: host address 2.1.1.2/32 of Loopback0 is also on as2border2 Loopback0 (configs/as2border2.cfg:53); kept on both"),
            "{}",
            conv.warnings[0]
        );
        assert!(
            conv.warnings[1].starts_with(
                "configs/as3core1.cfg:73: subnet 90.90.90.0/24 is on two interfaces of as3core1"
            ),
            "{}",
            conv.warnings[1]
        );
    }
}

#[test]
fn devices_carry_the_inventory_facts() {
    let net = convert("live").network;
    let mut names: Vec<&str> = net.devices.iter().map(|d| d.hostname.as_str()).collect();
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
    for d in &net.devices {
        assert_eq!(d.family, "Routers");
        assert_eq!(d.role, "UNKNOWN");
        assert_eq!(d.software_type.as_deref(), Some("IOS"));
        assert_eq!(d.software_version.as_deref(), Some("15.2"));
        assert_eq!(d.vendor.as_deref(), Some("Cisco"));
        assert!(d.ip_routing);
    }
    let b1 = device(&net, "as2border1");
    assert_eq!(b1.management_ip, "2.1.1.1".parse::<IpAddr>().unwrap());
    // as2dept1's Loopback0 repeats as2border2's address: a host address,
    // kept on both (as Batfish does), and as2dept1 is managed on its first
    // address of its own.
    let dept = device(&net, "as2dept1");
    assert_eq!(
        iface(&net, "as2dept1", "Loopback0").ip,
        Some("2.1.1.2/32".parse().unwrap())
    );
    assert_eq!(
        iface(&net, "as2border2", "Loopback0").ip,
        Some("2.1.1.2/32".parse().unwrap())
    );
    assert_eq!(dept.management_ip, "2.34.101.4".parse::<IpAddr>().unwrap());
}

#[test]
fn interfaces_of_as2border1() {
    let net = convert("live").network;
    let names: Vec<&str> = device(&net, "as2border1")
        .interfaces
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Loopback0",
            "Ethernet0/0",
            "GigabitEthernet0/0",
            "GigabitEthernet1/0",
            "GigabitEthernet2/0"
        ]
    );
    let e0 = iface(&net, "as2border1", "Ethernet0/0");
    assert_eq!(e0.admin, State::Down, "shutdown");
    assert_eq!(e0.ip, None);
    assert_eq!(e0.speed, Some(10_000), "Ethernet: 10 Mbit/s");
    let g0 = iface(&net, "as2border1", "GigabitEthernet0/0");
    assert_eq!(g0.ip, Some("10.12.11.2/24".parse().unwrap()));
    assert_eq!(g0.speed, Some(1_000_000), "speed 1000 (Mbit/s)");
    assert_eq!(g0.acl_in.as_deref(), Some("OUTSIDE_TO_INSIDE"));
    assert_eq!(g0.acl_out.as_deref(), Some("INSIDE_TO_AS1"));
    assert!(g0.ospf.is_none(), "10.12.11.2 is outside 2.0.0.0/8");
    assert_eq!(g0.admin, State::Up);
    assert_eq!(g0.oper, State::Up);
    let g1 = iface(&net, "as2border1", "GigabitEthernet1/0");
    assert_eq!(g1.speed, Some(1_000_000), "GigabitEthernet: 1 Gbit/s");
    let ospf = g1
        .ospf
        .as_ref()
        .expect("network 2.0.0.0 0.255.255.255 area 1");
    assert_eq!(ospf.area.0, 1);
    assert_eq!(ospf.cost, None);
    assert!(!ospf.passive);
    let lo = iface(&net, "as2border1", "Loopback0");
    assert_eq!(lo.speed, None);
    assert_eq!(lo.ospf.as_ref().map(|o| o.area.0), Some(1));
    // as1border1 makes Loopback0 passive.
    let lo = iface(&net, "as1border1", "Loopback0");
    assert!(lo.ospf.as_ref().is_some_and(|o| o.passive), "{lo:?}");
    // Device OSPF.
    let o = device(&net, "as2border1").ospf.as_ref().unwrap();
    assert_eq!(o.router_id, Some("2.1.1.1".parse().unwrap()));
    assert_eq!(o.redistribute.len(), 1);
    assert_eq!(o.redistribute[0].source, RouteSource::Connected);
    assert!(o.redistribute[0].subnets);
    assert_eq!(o.redistribute[0].metric_type, None);
    assert!(
        device(&net, "as2dept1").ospf.is_none(),
        "as2dept1 runs BGP only"
    );
}

#[test]
fn acls_keep_their_entries() {
    let net = convert("live").network;
    let d = device(&net, "as2border1");
    let acl = d
        .acls
        .iter()
        .find(|a| a.name == "OUTSIDE_TO_INSIDE")
        .unwrap();
    assert_eq!(acl.kind, Some(pathtrace_model::AclKind::Extended));
    assert_eq!(
        acl.entries,
        [
            "deny ip 2.0.0.0 0.255.255.255 any",
            "deny ip any host 2.128.1.101",
            "permit ip any any"
        ]
    );
    let n103 = d.acls.iter().find(|a| a.name == "103").unwrap();
    assert_eq!(n103.entries.len(), 2);
    let bt = device(&net, "as2core1")
        .acls
        .iter()
        .find(|a| a.name == "blocktelnet")
        .unwrap();
    assert_eq!(bt.entries[0], "deny tcp any any eq telnet");
    for i in ["GigabitEthernet2/0", "GigabitEthernet3/0"] {
        assert_eq!(
            iface(&net, "as2core1", i).acl_in.as_deref(),
            Some("blocktelnet")
        );
    }
}

#[test]
fn links_are_inferred_from_shared_subnets() {
    let net = convert("live").network;
    assert_eq!(net.links.len(), 17);
    assert!(has_link(
        &net,
        ("as2border1", "GigabitEthernet0/0"),
        ("as1border1", "GigabitEthernet1/0")
    ));
    assert!(has_link(
        &net,
        ("as2core1", "GigabitEthernet2/0"),
        ("as2dist1", "GigabitEthernet0/0")
    ));
    assert!(has_link(
        &net,
        ("as1border2", "GigabitEthernet0/0"),
        ("as3border2", "GigabitEthernet0/0")
    ));
    // Every inferred link is a cable of the example's layer-1 topology, and
    // every cable between two routers is inferred but as3core1's loop cable
    // (its two ends share a subnet on one device).
    let l1 = ios::parse_layer1(
        "l1",
        &std::fs::read_to_string(fixture("example_layer1_topology.json")).unwrap(),
    );
    let mut cables: Vec<((String, String), (String, String))> = Vec::new();
    for (a, b) in &l1.edges {
        if a.hostname.starts_with("host") || b.hostname.starts_with("host") {
            continue;
        }
        let (x, y) = (
            (a.hostname.clone(), a.interface.clone()),
            (b.hostname.clone(), b.interface.clone()),
        );
        let key = if x < y { (x, y) } else { (y, x) };
        if !cables.contains(&key) {
            cables.push(key);
        }
    }
    assert_eq!(cables.len(), 18);
    for l in &net.links {
        let (x, y) = (
            (l.a.device.clone(), l.a.interface.clone()),
            (l.b.device.clone(), l.b.interface.clone()),
        );
        assert!(
            cables.contains(&(x.clone(), y.clone())) || cables.contains(&(y, x)),
            "{} - {} is not a cable",
            l.a,
            l.b
        );
    }
    assert!(!has_link(
        &net,
        ("as3core1", "GigabitEthernet2/0"),
        ("as3core1", "GigabitEthernet3/0")
    ));
}

#[test]
fn a_layer1_topology_in_the_snapshot_gives_the_links_and_host_ports() {
    let mut snap = ios::read_snapshot(&fixture("live")).unwrap();
    snap.layer1 = Some(ios::parse_layer1(
        "layer1_topology.json",
        &std::fs::read_to_string(fixture("example_layer1_topology.json")).unwrap(),
    ));
    let conv = ios::to_network(&snap, "live");
    let net = &conv.network;
    valid_and_round_trips(net);
    // 20 cables listed in both directions; 2 of them are hosts'.
    assert_eq!(net.links.len(), 18, "{:#?}", net.links);
    assert!(has_link(
        net,
        ("as3core1", "GigabitEthernet2/0"),
        ("as3core1", "GigabitEthernet3/0")
    ));
    let h1 = net
        .hosts
        .iter()
        .find(|h| h.name.as_deref() == Some("host1"))
        .unwrap();
    assert_eq!(h1.switch.as_deref(), Some("as2dept1"));
    assert_eq!(h1.port.as_deref(), Some("GigabitEthernet2/0"));
    assert_eq!(conv.warnings.len(), 1, "{:#?}", conv.warnings);
}

#[test]
fn hosts_attach_to_their_gateway_with_iptables_as_acls() {
    let net = convert("live").network;
    let h1 = &net.hosts[0];
    assert_eq!(h1.name.as_deref(), Some("host1"));
    assert_eq!(h1.ip, "2.128.0.101/24".parse().unwrap());
    assert_eq!(h1.gateway, Some("2.128.0.1".parse().unwrap()));
    assert_eq!(h1.kind, pathtrace_model::HostKind::Wired);
    assert_eq!(h1.switch.as_deref(), Some("as2dept1"));
    assert_eq!(h1.port.as_deref(), Some("GigabitEthernet2/0"));
    // :INPUT DROP with udp/53 and tcp/22 accepted; OUTPUT accepts all (a
    // declared chain stays a filter, as in Batfish: PERMITTED in traces).
    let acl_in = h1.acl_in.as_ref().unwrap();
    assert_eq!(acl_in.name, "filter::INPUT");
    assert_eq!(
        acl_in.entries,
        ["permit udp any any eq 53", "permit tcp any any eq 22"]
    );
    assert_eq!(
        h1.acl_out.as_ref().map(|a| a.entries.clone()),
        Some(vec!["permit ip any any".to_string()])
    );
    let h2 = &net.hosts[1];
    assert_eq!(h2.name.as_deref(), Some("host2"));
    assert_eq!(h2.port.as_deref(), Some("GigabitEthernet3/0"));
    assert_eq!(
        h2.acl_in.as_ref().unwrap().entries,
        ["permit tcp any any eq 22"]
    );
    // -A OUTPUT -d 2.128.0.101 -j DROP, then the ACCEPT policy.
    assert_eq!(
        h2.acl_out.as_ref().unwrap().entries,
        ["deny ip any host 2.128.0.101", "permit ip any any"]
    );
}

#[test]
fn the_outage_takes_as2border2_gigabitethernet0_0_down() {
    let live = convert("live").network;
    let out = convert("live-with-interface-outage").network;
    assert_eq!(
        iface(&live, "as2border2", "GigabitEthernet0/0").oper,
        State::Up
    );
    let g = iface(&out, "as2border2", "GigabitEthernet0/0");
    assert_eq!(g.oper, State::Down);
    assert_eq!(g.admin, State::Up);
    // Nothing else differs.
    let mut fixed = out.clone();
    for d in &mut fixed.devices {
        for i in &mut d.interfaces {
            i.oper = State::Up;
        }
    }
    fixed.name = live.name.clone();
    fixed.description.clone_from(&live.description);
    assert_eq!(fixed, live);
}

#[test]
fn the_candidate_applies_the_new_acls_outbound_on_as2dept1() {
    let live = convert("live").network;
    let cand = convert("candidate").network;
    let (g2, g3) = (
        iface(&cand, "as2dept1", "GigabitEthernet2/0"),
        iface(&cand, "as2dept1", "GigabitEthernet3/0"),
    );
    assert_eq!(g2.acl_in.as_deref(), Some("RESTRICT_HOST_TRAFFIC_IN"));
    // The ACL meant for the way in, applied on the way out.
    assert_eq!(g2.acl_out.as_deref(), Some("RESTRICT_HOST_TRAFFIC_IN"));
    assert_eq!(g3.acl_in.as_deref(), Some("RESTRICT_HOST_TRAFFIC_IN"));
    assert_eq!(g3.acl_out.as_deref(), Some("RESTRICT_HOST_TRAFFIC_OUT"));
    for i in ["GigabitEthernet2/0", "GigabitEthernet3/0"] {
        assert_eq!(iface(&live, "as2dept1", i).acl_out, None);
    }
    let out = device(&cand, "as2dept1")
        .acls
        .iter()
        .find(|a| a.name == "RESTRICT_HOST_TRAFFIC_OUT")
        .unwrap();
    assert_eq!(
        out.entries,
        [
            "permit ip any 2.128.0.0 0.0.255.255",
            "deny ip 1.128.0.0 0.0.255.255 2.128.0.0 0.0.255.255",
            "deny ip any any"
        ]
    );
}

#[test]
fn bgp_of_as2border1() {
    let net = convert("live").network;
    let bgp = device(&net, "as2border1").bgp.as_ref().unwrap();
    assert_eq!(bgp.asn, 2);
    assert_eq!(bgp.router_id, Some("2.1.1.1".parse().unwrap()));
    let ips: Vec<String> = bgp.neighbors.iter().map(|n| n.ip.to_string()).collect();
    assert_eq!(ips, ["2.1.2.1", "2.1.2.2", "10.12.11.1"]);
    for n in &bgp.neighbors[..2] {
        // iBGP through the peer group as2.
        assert_eq!(n.remote_as, 2);
        assert_eq!(n.update_source.as_deref(), Some("Loopback0"));
        assert!(n.send_community);
        assert!(!n.next_hop_self);
        assert!(!n.route_reflector_client);
        assert_eq!(n.route_map_in, None);
        assert_eq!(n.route_map_out, None);
        assert!(!n.shutdown);
    }
    let ebgp = &bgp.neighbors[2];
    assert_eq!(ebgp.remote_as, 1, "from the peer group as1");
    assert_eq!(ebgp.update_source, None);
    assert!(ebgp.send_community);
    assert_eq!(ebgp.route_map_in.as_deref(), Some("as1_to_as2"));
    assert_eq!(ebgp.route_map_out.as_deref(), Some("as2_to_as1"));
    assert_eq!(bgp.aggregates.len(), 1);
    assert_eq!(bgp.aggregates[0].prefix, "2.128.0.0/16".parse().unwrap());
    assert!(bgp.aggregates[0].summary_only);
    assert!(!bgp.aggregates[0].as_set);
    assert_eq!(bgp.maximum_paths_eibgp, Some(5));
    // ADD-PATH (`bgp additional-paths select all`, `… send receive`,
    // `neighbor as2 advertise additional-paths all`): several paths go to
    // the iBGP peers only; every peer may send several.
    assert!(bgp.neighbors[..2].iter().all(|n| n.additional_paths_send));
    assert!(!ebgp.additional_paths_send);
    assert!(bgp.neighbors.iter().all(|n| n.additional_paths_receive));
    assert_eq!(bgp.maximum_paths, None);
    assert!(bgp.networks.is_empty());
    // as2core1 reflects routes to its peer group.
    let core = device(&net, "as2core1").bgp.as_ref().unwrap();
    assert_eq!(core.neighbors.len(), 4);
    assert!(core.neighbors.iter().all(|n| n.route_reflector_client));
    // as2dept1 originates its two host subnets.
    let dept = device(&net, "as2dept1").bgp.as_ref().unwrap();
    let nets: Vec<String> = dept.networks.iter().map(|n| n.prefix.to_string()).collect();
    assert_eq!(nets, ["2.128.0.0/24", "2.128.1.0/24"]);
    assert_eq!(dept.asn, 65001);
}

#[test]
fn route_maps_prefix_and_community_lists_of_as2border1() {
    let net = convert("live").network;
    let d = device(&net, "as2border1");
    let rm = d
        .route_maps
        .iter()
        .find(|m| m.name == "as2_to_as1")
        .unwrap();
    assert_eq!(rm.clauses.len(), 2);
    let c = &rm.clauses[0];
    assert_eq!((c.seq, c.action), (2, PolicyAction::Permit));
    assert_eq!(
        c.matches,
        [RouteMapMatch::PrefixList(vec!["outbound_routes".into()])]
    );
    assert_eq!(
        c.sets,
        [
            RouteMapSet::Metric(50),
            RouteMapSet::Community {
                communities: vec!["2:1".into()],
                additive: true
            }
        ]
    );
    let c = &rm.clauses[1];
    assert_eq!(c.seq, 3);
    assert_eq!(c.matches, [RouteMapMatch::AccessList(vec!["103".into()])]);
    let rm = d
        .route_maps
        .iter()
        .find(|m| m.name == "as1_to_as2")
        .unwrap();
    assert_eq!(
        rm.clauses[0].matches,
        [RouteMapMatch::Community(vec!["as1_community".into()])]
    );
    assert_eq!(rm.clauses[0].sets[0], RouteMapSet::LocalPreference(350));
    let pl = d
        .prefix_lists
        .iter()
        .find(|l| l.name == "inbound_route_filter")
        .unwrap();
    assert_eq!(pl.entries.len(), 2);
    assert_eq!(pl.entries[0].seq, 5);
    assert_eq!(pl.entries[0].action, PolicyAction::Deny);
    assert_eq!(pl.entries[0].prefix, "2.0.0.0/8".parse().unwrap());
    assert_eq!((pl.entries[0].ge, pl.entries[0].le), (None, Some(32)));
    let pl = d
        .prefix_lists
        .iter()
        .find(|l| l.name == "outbound_routes")
        .unwrap();
    assert_eq!((pl.entries[0].ge, pl.entries[0].le), (Some(16), None));
    let cl = d
        .community_lists
        .iter()
        .find(|l| l.name == "as3_community")
        .unwrap();
    assert_eq!(
        cl.kind,
        pathtrace_model::routing::CommunityListKind::Expanded
    );
    assert_eq!(cl.entries[0].value, "_3:");
    assert_eq!(cl.entries[0].action, PolicyAction::Permit);
}

// ----- a synthetic snapshot: what the conversion adjusts and reports ----------

const R1: &str = "\
hostname r1
version 15.6
interface Loopback0
 ip address 10.255.0.1 255.255.255.255
interface GigabitEthernet0/0
 ip address 10.0.12.1 255.255.255.252
 ip ospf cost 5
interface GigabitEthernet0/1
 ip address 10.0.99.1 255.255.255.0
interface GigabitEthernet0/2
 no ip address
interface GigabitEthernet0/2.100
 encapsulation dot1Q 100
 ip address 10.100.0.1 255.255.255.0
interface GigabitEthernet0/3.200
 ip address 10.200.0.1 255.255.255.0
interface GigabitEthernet0/4
 switchport
 switchport mode trunk
 switchport trunk allowed vlan 10,20-30
 switchport trunk native vlan 99
interface GigabitEthernet0/5
 switchport mode access
 switchport access vlan 10
interface GigabitEthernet0/6
 ip address 172.20.0.1 255.255.255.0
 speed 100
 mtu 9000
 ip mtu 1400
 description hosts
interface Vlan10
 ip address 10.10.0.1 255.255.255.0
 ip access-group NOACL in
interface Loopback1
 ip address 10.255.0.2 255.255.255.255
 ip ospf 1 area 0
interface Tunnel0
 ip address 10.0.77.1 255.255.255.252
interface Null0
router ospf 1
 router-id 10.255.0.1
 passive-interface default
 no passive-interface GigabitEthernet0/0
 network 10.0.0.0 0.255.255.255 area 0
 network 10.0.12.0 0.0.0.3 area 12
 redistribute static subnets metric 30 metric-type 1 route-map STATIC
 redistribute ospf 2
 default-information originate always metric 5 metric-type 1
router ospf 2 vrf X
 network 10.0.0.0 0.255.255.255 area 0
router bgp 65001
 bgp router-id 10.255.0.1
 neighbor IBGP peer-group
 neighbor IBGP remote-as 65001
 neighbor IBGP update-source Loopback0
 neighbor 10.255.0.2 peer-group IBGP
 neighbor 10.255.0.3 peer-group IBGP
 neighbor 10.255.0.3 update-source Loopback9
 neighbor 10.0.12.2 remote-as 65002
 neighbor 10.0.12.2 shutdown
 neighbor 10.9.9.9 description no remote-as
 address-family ipv4
  network 10.255.0.1 mask 255.255.255.255 route-map NOMAP
  redistribute connected route-map CONN
  aggregate-address 10.0.0.0 255.0.0.0 as-set
  neighbor IBGP send-community
  neighbor IBGP next-hop-self
  neighbor IBGP route-map IN in
  neighbor 10.255.0.3 route-map IN2 in
  neighbor 10.255.0.2 activate
  neighbor 10.255.0.3 activate
  neighbor 10.0.12.2 activate
  maximum-paths 4
  maximum-paths ibgp 2
  bgp additional-paths select all
  bgp additional-paths send receive
  neighbor IBGP advertise additional-paths all
 exit-address-family
 address-family ipv4 vrf X
  neighbor 192.168.0.1 remote-as 65009
  neighbor 10.0.12.2 advertise additional-paths all
 exit-address-family
ip route 0.0.0.0 0.0.0.0 10.0.12.2
ip route 192.0.2.0 255.255.255.0 Null0 250
ip route 198.51.100.0 255.255.255.0 GigabitEthernet9/9
ip route vrf X 10.50.0.0 255.255.0.0 10.0.12.2
ip prefix-list PL permit 10.0.0.0/8 le 24
ip prefix-list PL deny 0.0.0.0/0 le 32
ip prefix-list PL seq 100 permit 172.16.0.0/12
ip prefix-list PL permit 192.168.0.0/16
ip community-list standard CL permit 65001:1
route-map STATIC permit 10
 match ip address prefix-list PL MISSING
route-map CONN deny 10
 match community NOCL
route-map CONN permit 20
 match as-path 1
route-map IN permit 10
 match community CL exact-match
 set local-preference 200
route-map IN2 permit 10
 match ip address 5
 set as-path prepend 65001 65001
access-list 5 permit 10.0.0.0 0.255.255.255
access-list 5 permit 10.0.0.0 0.255.255.255 bogus
";

const R2: &str = "\
hostname r2
interface Loopback0
 ip address 10.255.0.2 255.255.255.255
interface GigabitEthernet0/0
 ip address 10.0.12.2 255.255.255.252
interface GigabitEthernet0/1
 ip address 10.0.99.2 255.255.255.0
interface GigabitEthernet0/2
interface GigabitEthernet0/2.100
 encapsulation dot1Q 100
 ip address 10.100.0.2 255.255.255.0
interface Tunnel0
 ip address 10.0.77.2 255.255.255.252
";

const R3: &str = "\
interface GigabitEthernet0/1
 ip address 10.0.99.3 255.255.255.0
";

const R4: &str = "\
hostname r4
interface GigabitEthernet0/0
 shutdown
";

const R5: &str = "\
hostname r2
interface GigabitEthernet0/0
 ip address 192.0.2.1 255.255.255.0
";

const H2: &str = r#"{"hostname": "h2", "iptablesFile": "iptables/h2.iptables",
 "hostInterfaces": {"eth0": {"name": "eth0", "prefix": "172.20.0.10/24", "gateway": "172.20.0.1"}}}"#;

const H3: &str = r#"{"hostname": "h3",
 "hostInterfaces": {"eth0": {"name": "eth0", "prefix": "10.0.99.3/24", "gateway": "10.0.99.1"}}}"#;

const H4: &str = r#"{"hostname": "h4",
 "hostInterfaces": {"eth0": {"name": "eth0", "prefix": "10.10.0.50/24", "gateway": "10.10.0.1"}}}"#;

const H2_IPTABLES: &str = "\
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT DROP [0:0]
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT -s 172.20.0.0/24 -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -j LOG
-A OUTPUT -p udp --dport 53 -j ACCEPT
COMMIT
";

fn synthetic() -> IosSnapshot {
    IosSnapshot {
        dir: PathBuf::from("synthetic"),
        configs: [
            ("configs/r1.cfg", R1),
            ("configs/r2.cfg", R2),
            ("configs/r3.cfg", R3),
            ("configs/r4.cfg", R4),
            ("configs/r5.cfg", R5),
        ]
        .iter()
        .map(|(f, t)| ios::parse_config(f, t))
        .collect(),
        hosts: [
            ("hosts/h2.json", H2),
            ("hosts/h3.json", H3),
            ("hosts/h4.json", H4),
        ]
        .iter()
        .map(|(f, t)| ios::parse_host(f, t))
        .collect(),
        iptables: vec![ios::parse_iptables("iptables/h2.iptables", H2_IPTABLES)],
        interface_blacklist: Some(ios::parse_blacklist(
            "interface_blacklist",
            "r2 Gi0/0\nr9 Gi0/0\n",
        )),
        layer1: None,
    }
}

/// The 1-based line of `text` that is exactly `line`.
fn line_no(text: &str, line: &str) -> usize {
    text.lines()
        .position(|l| l == line)
        .unwrap_or_else(|| panic!("no line {line:?}"))
        + 1
}

/// The warning that starts with `file:LINE: ` (LINE of `line` in `text`)
/// and contains `what`.
#[track_caller]
fn warned(conv: &IosConversion, file: &str, text: &str, line: &str, what: &str) {
    let prefix = format!("{file}:{}: ", line_no(text, line));
    assert!(
        conv.warnings
            .iter()
            .any(|w| w.starts_with(&prefix) && w.contains(what)),
        "no warning {prefix}…{what}… in {:#?}",
        conv.warnings
    );
}

#[test]
fn the_synthetic_snapshot_converts_into_a_valid_model() {
    let conv = ios::to_network(&synthetic(), "synthetic");
    let net = &conv.network;
    valid_and_round_trips(net);
    assert!(
        !conv
            .warnings
            .iter()
            .any(|w| w.contains("does not validate")),
        "{:#?}",
        conv.warnings
    );
    // r3 has no hostname: its file name; r4 has no address; r5 repeats r2.
    let names: Vec<&str> = net.devices.iter().map(|d| d.hostname.as_str()).collect();
    assert_eq!(names, ["r1", "r2", "r3"]);
    warned(
        &conv,
        "configs/r4.cfg",
        R4,
        "hostname r4",
        "no interface address",
    );
    warned(&conv, "configs/r5.cfg", R5, "hostname r2", "configs/r2.cfg");
    assert_eq!(device(net, "r1").software_version.as_deref(), Some("15.6"));
    assert_eq!(device(net, "r3").software_version, None);
}

#[test]
fn synthetic_interfaces() {
    let conv = ios::to_network(&synthetic(), "synthetic");
    let net = &conv.network;
    let r1 = device(net, "r1");
    assert!(
        !r1.interfaces.iter().any(|i| i.name == "Null0"),
        "Null0 is not an interface of the model"
    );
    // A subinterface without encapsulation is left out.
    assert!(
        !r1.interfaces
            .iter()
            .any(|i| i.name == "GigabitEthernet0/3.200")
    );
    warned(
        &conv,
        "configs/r1.cfg",
        R1,
        "interface GigabitEthernet0/3.200",
        "encapsulation dot1Q",
    );
    assert_eq!(
        iface(net, "r1", "GigabitEthernet0/2.100").encapsulation,
        Some(100)
    );
    let trunk = iface(net, "r1", "GigabitEthernet0/4");
    assert_eq!(trunk.mode, Some(PortMode::Trunk));
    assert_eq!(trunk.allowed_vlans.as_deref(), Some("10,20-30"));
    assert_eq!(trunk.native_vlan, Some(99));
    let access = iface(net, "r1", "GigabitEthernet0/5");
    assert_eq!(access.mode, Some(PortMode::Access));
    assert_eq!(access.access_vlan, Some(10));
    // VLANs in use are in the VLAN database.
    let vlans: Vec<u16> = r1.vlans.iter().map(|v| v.id).collect();
    assert_eq!(vlans, [10, 99]);
    let g6 = iface(net, "r1", "GigabitEthernet0/6");
    assert_eq!(g6.speed, Some(100_000), "speed 100 is Mbit/s");
    assert_eq!(g6.mtu, Some(1400), "ip mtu wins over mtu");
    assert_eq!(g6.description.as_deref(), Some("hosts"));
    // An access-group naming no ACL filters nothing.
    assert_eq!(iface(net, "r1", "Vlan10").acl_in, None);
    warned(&conv, "configs/r1.cfg", R1, "interface Vlan10", "NOACL");
    // r2's Loopback0 repeats r1's Loopback1: a host address, kept on both.
    assert_eq!(
        iface(net, "r2", "Loopback0").ip,
        Some("10.255.0.2/32".parse().unwrap())
    );
    warned(
        &conv,
        "configs/r2.cfg",
        R2,
        "interface Loopback0",
        "10.255.0.2/32",
    );
    assert_eq!(
        device(net, "r2").management_ip,
        "10.0.12.2".parse::<IpAddr>().unwrap()
    );
    assert_eq!(
        device(net, "r1").management_ip,
        "10.255.0.1".parse::<IpAddr>().unwrap()
    );
    // The blacklist takes r2 Gi0/0 down; an unknown entry is reported.
    assert_eq!(iface(net, "r2", "GigabitEthernet0/0").oper, State::Down);
    assert!(
        conv.warnings
            .iter()
            .any(|w| w.starts_with("interface_blacklist:2: r9 Gi0/0")),
        "{:#?}",
        conv.warnings
    );
    // The VRF of a static route is declared.
    assert_eq!(r1.vrfs.len(), 1);
    assert_eq!(r1.vrfs[0].name, "X");
}

#[test]
fn synthetic_ospf() {
    let conv = ios::to_network(&synthetic(), "synthetic");
    let net = &conv.network;
    let ospf_of = |name: &str| iface(net, "r1", name).ospf.clone();
    // The most specific network statement wins: 10.0.12.0/30 → area 12.
    let g0 = ospf_of("GigabitEthernet0/0").unwrap();
    assert_eq!((g0.area.0, g0.cost, g0.passive), (12, Some(5), false));
    // passive-interface default.
    let g1 = ospf_of("GigabitEthernet0/1").unwrap();
    assert_eq!((g1.area.0, g1.passive), (0, true));
    // ip ospf 1 area 0 on the interface.
    assert_eq!(ospf_of("Loopback1").unwrap().area.0, 0);
    assert_eq!(
        ospf_of("GigabitEthernet0/6"),
        None,
        "172.20/16 is in no network statement"
    );
    assert_eq!(ospf_of("GigabitEthernet0/4"), None, "no address");
    let o = device(net, "r1").ospf.as_ref().unwrap();
    assert_eq!(o.router_id, Some("10.255.0.1".parse().unwrap()));
    assert_eq!(o.redistribute.len(), 1);
    let r = &o.redistribute[0];
    assert_eq!(r.source, RouteSource::Static);
    assert!(r.subnets);
    assert_eq!((r.metric, r.metric_type), (Some(30), Some(1)));
    assert_eq!(r.route_map.as_deref(), Some("STATIC"));
    assert_eq!(
        o.default_information_originate,
        Some(pathtrace_model::DefaultOriginate::Always)
    );
    assert_eq!(o.default_information_metric, Some(5));
    assert_eq!(o.default_information_metric_type, Some(1));
    warned(
        &conv,
        "configs/r1.cfg",
        R1,
        "router ospf 2 vrf X",
        "in a VRF",
    );
    warned(
        &conv,
        "configs/r1.cfg",
        R1,
        " redistribute ospf 2",
        "one OSPF process",
    );
}

#[test]
fn synthetic_static_routes() {
    let conv = ios::to_network(&synthetic(), "synthetic");
    let routes = &device(&conv.network, "r1").static_routes;
    assert_eq!(routes.len(), 3);
    assert_eq!(routes[0].prefix, "0.0.0.0/0".parse().unwrap());
    assert_eq!(routes[0].next_hop, Some("10.0.12.2".parse().unwrap()));
    assert_eq!(routes[0].distance, None);
    assert_eq!(routes[1].interface.as_deref(), Some("Null0"));
    assert_eq!(routes[1].distance, Some(250));
    assert_eq!(routes[2].vrf.as_deref(), Some("X"));
    warned(
        &conv,
        "configs/r1.cfg",
        R1,
        "ip route 198.51.100.0 255.255.255.0 GigabitEthernet9/9",
        "GigabitEthernet9/9",
    );
}

#[test]
fn synthetic_bgp_and_policy() {
    let conv = ios::to_network(&synthetic(), "synthetic");
    let net = &conv.network;
    let r1 = device(net, "r1");
    let bgp = r1.bgp.as_ref().unwrap();
    let ips: Vec<String> = bgp.neighbors.iter().map(|n| n.ip.to_string()).collect();
    assert_eq!(ips, ["10.255.0.2", "10.255.0.3", "10.0.12.2"]);
    let (a, b, e) = (&bgp.neighbors[0], &bgp.neighbors[1], &bgp.neighbors[2]);
    // Peer-group settings apply unless the member overrides them.
    assert_eq!(a.remote_as, 65001);
    assert_eq!(a.update_source.as_deref(), Some("Loopback0"));
    assert!(a.send_community && a.next_hop_self);
    assert_eq!(a.route_map_in.as_deref(), Some("IN"));
    assert_eq!(b.route_map_in.as_deref(), Some("IN2"));
    // An update-source naming no interface is dropped (the group's is not
    // taken instead: the member's own setting replaces it).
    assert_eq!(b.update_source, None);
    warned(
        &conv,
        "configs/r1.cfg",
        R1,
        " neighbor 10.255.0.3 peer-group IBGP",
        "Loopback9",
    );
    assert_eq!(e.remote_as, 65002);
    assert!(!e.send_community);
    // ADD-PATH: the address family sends and receives; paths are
    // advertised to the peer group only (the VRF family's line is not the
    // global family's).
    assert!(a.additional_paths_send && a.additional_paths_receive);
    assert!(b.additional_paths_send);
    assert!(!e.additional_paths_send && e.additional_paths_receive);
    assert!(!e.shutdown, "neighbor shutdown is not read");
    warned(
        &conv,
        "configs/r1.cfg",
        R1,
        " neighbor 10.0.12.2 shutdown",
        "not read",
    );
    warned(
        &conv,
        "configs/r1.cfg",
        R1,
        " neighbor 10.9.9.9 description no remote-as",
        "no remote-as",
    );
    warned(
        &conv,
        "configs/r1.cfg",
        R1,
        " address-family ipv4 vrf X",
        "BGP in a VRF",
    );
    assert_eq!(bgp.networks.len(), 1);
    assert_eq!(bgp.networks[0].route_map.as_deref(), Some("NOMAP"));
    // An undefined route-map becomes an empty one (denying everything).
    let nomap = r1.route_maps.iter().find(|m| m.name == "NOMAP").unwrap();
    assert!(nomap.clauses.is_empty());
    warned(
        &conv,
        "configs/r1.cfg",
        R1,
        "  network 10.255.0.1 mask 255.255.255.255 route-map NOMAP",
        "not configured",
    );
    assert_eq!(bgp.redistribute.len(), 1);
    assert_eq!(bgp.redistribute[0].source, RouteSource::Connected);
    assert!(bgp.aggregates[0].as_set);
    assert_eq!(
        (bgp.maximum_paths, bgp.maximum_paths_ibgp),
        (Some(4), Some(2))
    );
    // Prefix-list entries without seq are numbered as IOS does.
    let pl = &r1.prefix_lists[0];
    let seqs: Vec<u32> = pl.entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [5, 10, 100, 105]);
    // An undefined prefix list in a match is dropped from it.
    let st = r1.route_maps.iter().find(|m| m.name == "STATIC").unwrap();
    assert_eq!(
        st.clauses[0].matches,
        [RouteMapMatch::PrefixList(vec!["PL".into()])]
    );
    warned(
        &conv,
        "configs/r1.cfg",
        R1,
        " match ip address prefix-list PL MISSING",
        "MISSING",
    );
    // A clause matching only an undefined community list never matches.
    let conn = r1.route_maps.iter().find(|m| m.name == "CONN").unwrap();
    let seqs: Vec<u32> = conn.clauses.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, [20]);
    warned(&conv, "configs/r1.cfg", R1, " match as-path 1", "not read");
    warned(
        &conv,
        "configs/r1.cfg",
        R1,
        " match community CL exact-match",
        "exact-match",
    );
    let in2 = r1.route_maps.iter().find(|m| m.name == "IN2").unwrap();
    assert_eq!(
        in2.clauses[0].sets,
        [RouteMapSet::AsPathPrepend(vec![65001, 65001])]
    );
    // The ACL entry the model's syntax rejects is left out.
    let acl5 = r1.acls.iter().find(|a| a.name == "5").unwrap();
    assert_eq!(acl5.entries, ["permit 10.0.0.0 0.255.255.255"]);
    warned(
        &conv,
        "configs/r1.cfg",
        R1,
        "access-list 5 permit 10.0.0.0 0.255.255.255 bogus",
        "left out",
    );
}

#[test]
fn synthetic_links() {
    let conv = ios::to_network(&synthetic(), "synthetic");
    let net = &conv.network;
    // The /30 and the subinterfaces' subnet (their parent ports).
    assert_eq!(net.links.len(), 2, "{:#?}", net.links);
    assert!(has_link(
        net,
        ("r1", "GigabitEthernet0/0"),
        ("r2", "GigabitEthernet0/0")
    ));
    assert!(has_link(
        net,
        ("r1", "GigabitEthernet0/2"),
        ("r2", "GigabitEthernet0/2")
    ));
    warned(
        &conv,
        "configs/r1.cfg",
        R1,
        "interface GigabitEthernet0/1",
        "subnet 10.0.99.0/24 is shared by r1 GigabitEthernet0/1, r2 GigabitEthernet0/1, r3 GigabitEthernet0/1",
    );
    warned(
        &conv,
        "configs/r1.cfg",
        R1,
        "interface Tunnel0",
        "not physical ports",
    );
}

#[test]
fn synthetic_hosts() {
    let conv = ios::to_network(&synthetic(), "synthetic");
    let net = &conv.network;
    assert_eq!(net.hosts.len(), 1, "{:#?}", net.hosts);
    let h2 = &net.hosts[0];
    assert_eq!(h2.switch.as_deref(), Some("r1"));
    assert_eq!(h2.port.as_deref(), Some("GigabitEthernet0/6"));
    assert_eq!(
        h2.acl_in.as_ref().unwrap().entries,
        ["permit tcp 172.20.0.0 0.0.0.255 any eq 22"]
    );
    assert_eq!(
        h2.acl_out.as_ref().unwrap().entries,
        ["permit udp any any eq 53"]
    );
    warned(
        &conv,
        "iptables/h2.iptables",
        H2_IPTABLES,
        "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT",
        "state",
    );
    // h3 takes r3's address; h4 sits behind an SVI (no physical port known).
    assert!(
        conv.warnings
            .iter()
            .any(|w| w.starts_with("hosts/h3.json: h3 eth0") && w.contains("already used")),
        "{:#?}",
        conv.warnings
    );
    assert!(
        conv.warnings
            .iter()
            .any(|w| w.starts_with("hosts/h4.json: h4 eth0") && w.contains("no device port")),
        "{:#?}",
        conv.warnings
    );
}

// ----- damaged snapshots ------------------------------------------------------

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

/// One random change: delete, duplicate or move a line, swap tokens, or
/// put a token of another line in place of one.
fn mutate(rng: &mut Rng, lines: &mut Vec<String>) {
    if lines.is_empty() {
        return;
    }
    let at = rng.below(lines.len());
    let other = rng.below(lines.len());
    match rng.below(5) {
        0 => {
            lines.remove(at);
        }
        1 => {
            let copy = lines[at].clone();
            lines.insert(other, copy);
        }
        2 => {
            let mut words: Vec<String> = lines[at].split(' ').map(str::to_owned).collect();
            let (x, y) = (rng.below(words.len()), rng.below(words.len()));
            words.swap(x, y);
            lines[at] = words.join(" ");
        }
        3 => {
            let donor: Vec<String> = lines[other].split_whitespace().map(str::to_owned).collect();
            let mut words: Vec<String> = lines[at].split(' ').map(str::to_owned).collect();
            if !donor.is_empty() {
                let pos = rng.below(words.len());
                words[pos].clone_from(&donor[rng.below(donor.len())]);
            }
            lines[at] = words.join(" ");
        }
        _ => {
            let moved = lines.remove(at);
            let pos = rng.below(lines.len() + 1);
            lines.insert(pos, moved);
        }
    }
}

#[test]
fn damaged_snapshots_still_convert_into_valid_models() {
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    let mut live: Vec<(String, String)> = std::fs::read_dir(fixture("live/configs"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                format!("configs/{}", p.file_name().unwrap().to_string_lossy()),
                read(&p),
            )
        })
        .collect();
    live.sort();
    let synth: Vec<(String, String)> = [
        ("configs/r1.cfg", R1),
        ("configs/r2.cfg", R2),
        ("configs/r3.cfg", R3),
        ("configs/r4.cfg", R4),
        ("configs/r5.cfg", R5),
    ]
    .iter()
    .map(|(f, t)| ((*f).to_owned(), (*t).to_owned()))
    .collect();
    let bases = [
        (ios::read_snapshot(&fixture("live")).unwrap(), live, 1),
        (synthetic(), synth, 0),
    ];
    let iptables = [
        ("iptables/h2.iptables", H2_IPTABLES.to_owned()),
        (
            "iptables/host2.iptables",
            read(&fixture("live/iptables/host2.iptables")),
        ),
    ];
    let l1 = read(&fixture("example_layer1_topology.json"));
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for round in 0..400 {
        let (base, configs, ipt) = &bases[round % 2];
        let mut snap = base.clone();
        for _ in 0..=rng.below(4) {
            let k = rng.below(configs.len());
            let (file, text) = &configs[k];
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            for _ in 0..=rng.below(10) {
                mutate(&mut rng, &mut lines);
            }
            snap.configs[k] = ios::parse_config(file, &lines.join("\n"));
        }
        let (file, text) = &iptables[round % 2];
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        for _ in 0..rng.below(6) {
            mutate(&mut rng, &mut lines);
        }
        snap.iptables[*ipt] = ios::parse_iptables(file, &lines.join("\n"));
        if round % 3 == 0 {
            snap.layer1 = Some(ios::parse_layer1("layer1_topology.json", &l1));
        }
        let conv = ios::to_network(&snap, "damaged");
        let issues = pathtrace_model::validate::validate(&conv.network);
        assert!(issues.is_empty(), "round {round}: {issues:#?}");
        for w in &conv.warnings {
            assert!(
                w.contains(": ") && !w.contains("does not validate"),
                "round {round}: {w}"
            );
        }
    }
}
