//! Unit tests of the IOS parser: each construct on a small inline
//! configuration, with its line numbers; syntax errors; banners; the line
//! accounting; the host, iptables and blacklist readers.

#![allow(clippy::many_single_char_names)] // short names for the parsed items

use std::net::Ipv4Addr;

use super::*;

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn net(s: &str) -> ipnet::Ipv4Net {
    s.parse().unwrap()
}

/// Parse and check that every line is accounted for exactly once.
fn parse(text: &str) -> IosConfig {
    let c = parse_config("configs/r1.cfg", text);
    let a = &c.account;
    assert_eq!(
        a.lines,
        a.cosmetic + a.understood + a.not_understood.len() + a.syntax_errors.len(),
        "{a:#?}"
    );
    c
}

fn features(c: &IosConfig) -> Vec<(usize, &str)> {
    c.account
        .not_understood
        .iter()
        .map(|n| (n.line, n.feature.as_str()))
        .collect()
}

#[test]
fn hostname_version_and_cosmetic_lines() {
    let c = parse(
        "Building configuration...\n\nCurrent configuration : 1234 bytes\n!\nversion 15.2\nhostname r1\n!\nend\n",
    );
    assert_eq!(
        c.hostname,
        Some(Located {
            line: 6,
            value: "r1".into()
        })
    );
    assert_eq!(
        c.version.as_ref().map(|v| (v.line, v.value.as_str())),
        Some((5, "15.2"))
    );
    assert_eq!(
        (c.account.lines, c.account.cosmetic, c.account.understood),
        (8, 6, 2)
    );
    assert!(c.account.not_understood.is_empty() && c.account.syntax_errors.is_empty());
}

#[test]
fn interfaces() {
    let c = parse(
        "\
interface GigabitEthernet0/0
 description uplink to core  (10G)
 ip address 10.0.0.1 255.255.255.0
 ip address 10.0.1.1 255.255.255.128 secondary
 ip access-group IN in
 ip access-group OUT out
 ip ospf cost 7
 ip ospf 1 area 0.0.0.1
 speed 1000
 mtu 9000
 ip mtu 1400
 vrf forwarding CUST
 duplex full
 shutdown
!
interface GigabitEthernet0/1.100
 encapsulation dot1Q 100
 ip vrf forwarding RED
 no shutdown
interface FastEthernet1/0
 switchport mode trunk
 switchport trunk native vlan 99
 switchport trunk allowed vlan 10,20-30
 switchport trunk allowed vlan add 40
interface FastEthernet1/1
 switchport access vlan 10
 switchport mode access
 no ip address
 speed auto
",
    );
    assert_eq!(c.interfaces.len(), 4);
    let g = &c.interfaces[0];
    assert_eq!((g.line, g.name.as_str()), (1, "GigabitEthernet0/0"));
    assert_eq!(g.description.as_deref(), Some("uplink to core  (10G)"));
    assert_eq!(g.address, Some(net("10.0.0.1/24")));
    assert_eq!(g.secondary, vec![net("10.0.1.1/25")]);
    assert_eq!(
        (g.acl_in.as_deref(), g.acl_out.as_deref()),
        (Some("IN"), Some("OUT"))
    );
    assert_eq!(g.ospf_cost, Some(7));
    assert_eq!(
        g.ospf_area,
        Some(OspfInterfaceArea {
            process: 1,
            area: 1
        })
    );
    assert_eq!(
        (g.speed, g.mtu, g.ip_mtu),
        (Some(1000), Some(9000), Some(1400))
    );
    assert_eq!(g.vrf.as_deref(), Some("CUST"));
    assert!(g.shutdown);
    let s = c.interface("GigabitEthernet0/1.100").unwrap();
    assert_eq!(
        (s.line, s.encapsulation_dot1q, s.vrf.as_deref()),
        (16, Some(100), Some("RED"))
    );
    assert!(!s.shutdown);
    let t = &c.interfaces[2];
    assert_eq!(t.switchport_mode, Some(SwitchportMode::Trunk));
    assert_eq!(t.native_vlan, Some(99));
    assert_eq!(
        t.trunk_allowed_vlans,
        Some(vec![
            VlanRange {
                first: 10,
                last: 10
            },
            VlanRange {
                first: 20,
                last: 30
            },
            VlanRange {
                first: 40,
                last: 40
            }
        ])
    );
    let a = &c.interfaces[3];
    assert_eq!(
        (a.switchport_mode, a.access_vlan),
        (Some(SwitchportMode::Access), Some(10))
    );
    assert_eq!((a.address, a.speed), (None, None));
    assert_eq!(features(&c), vec![(13, "interface/duplex")]);
}

#[test]
fn static_routes() {
    let c = parse(
        "\
ip route 0.0.0.0 0.0.0.0 10.0.0.254
ip route 10.9.0.0 255.255.0.0 Null0 250 tag 7 name blackhole
ip route 10.8.0.0 255.255.0.0 GigabitEthernet0/1 10.0.0.2 permanent
ip route vrf RED 172.16.0.0 255.240.0.0 192.168.0.1 5
ip route 10.7.0.0 255.255.0.0 10.0.0.3 track 4
",
    );
    let r = &c.static_routes;
    assert_eq!(r.len(), 4);
    assert_eq!(
        (r[0].line, r[0].prefix, r[0].next_hop_ip, r[0].distance),
        (1, net("0.0.0.0/0"), Some(ip("10.0.0.254")), 1)
    );
    assert!(r[1].is_null_routed());
    assert_eq!(
        (r[1].distance, r[1].tag, r[1].name.as_deref()),
        (250, Some(7), Some("blackhole"))
    );
    assert_eq!(
        r[2].next_hop_interface.as_deref(),
        Some("GigabitEthernet0/1")
    );
    assert_eq!(r[2].next_hop_ip, Some(ip("10.0.0.2")));
    assert!(r[2].permanent && !r[2].is_null_routed());
    assert_eq!(
        (r[3].vrf.as_deref(), r[3].prefix, r[3].distance),
        (Some("RED"), net("172.16.0.0/12"), 5)
    );
    assert_eq!(features(&c), vec![(5, "ip route")]);
}

#[test]
fn ospf() {
    let c = parse(
        "\
router ospf 10
 router-id 1.1.1.1
 auto-cost reference-bandwidth 10000
 passive-interface default
 no passive-interface GigabitEthernet0/0
 passive-interface Loopback0
 network 10.0.0.0 0.0.255.255 area 0
 network 10.1.0.0 0.0.0.255 area 0.0.0.2
 redistribute connected subnets
 redistribute static subnets metric-type 1 metric 20 route-map STAT
 redistribute eigrp 5
 default-information originate always metric 5 metric-type 2
 log-adjacency-changes
router ospf 2 vrf RED
",
    );
    assert_eq!(c.ospf.len(), 2);
    let o = &c.ospf[0];
    assert_eq!(
        (o.line, o.process_id, o.router_id),
        (1, 10, Some(ip("1.1.1.1")))
    );
    assert_eq!(o.reference_bandwidth, Some(10000));
    assert!(o.passive_default);
    assert_eq!(o.non_passive_interfaces, vec!["GigabitEthernet0/0"]);
    assert_eq!(o.passive_interfaces, vec!["Loopback0"]);
    assert_eq!(o.networks.len(), 2);
    assert_eq!(
        (
            o.networks[0].line,
            o.networks[0].wildcard,
            o.networks[0].area
        ),
        (7, ip("0.0.255.255"), 0)
    );
    assert_eq!(o.networks[1].area, 2);
    assert_eq!(o.redistribute.len(), 2);
    assert_eq!(
        (o.redistribute[0].source.clone(), o.redistribute[0].subnets),
        (RedistributeSource::Connected, true)
    );
    let s = &o.redistribute[1];
    assert_eq!(
        (s.line, s.metric_type, s.metric, s.route_map.as_deref()),
        (10, Some(1), Some(20), Some("STAT"))
    );
    let d = o.default_information.as_ref().unwrap();
    assert_eq!(
        (d.line, d.always, d.metric, d.metric_type),
        (12, true, Some(5), Some(2))
    );
    assert_eq!(c.ospf[1].vrf.as_deref(), Some("RED"));
    assert_eq!(
        features(&c),
        vec![
            (11, "router ospf/redistribute"),
            (13, "router ospf/log-adjacency-changes")
        ]
    );
}

#[test]
fn bgp() {
    let c = parse(
        "\
router bgp 65001
 bgp router-id 2.1.1.1
 bgp log-neighbor-changes
 neighbor as2 peer-group
 neighbor as2 remote-as 2
 neighbor 2.1.2.1 peer-group as2
 neighbor 2.1.2.1 update-source Loopback0
 neighbor 10.0.0.2 remote-as 3
 neighbor 10.0.0.2 route-map IMPORT in
 !
 address-family ipv4
  network 2.128.0.0 mask 255.255.255.0
  network 10.0.0.0 route-map NET
  redistribute connected route-map RC
  aggregate-address 2.128.0.0 255.255.0.0 summary-only
  neighbor as2 send-community
  neighbor as2 next-hop-self
  neighbor 2.1.2.1 route-reflector-client
  neighbor as2 route-map as2_in in
  neighbor as2 route-map as2_out out
  neighbor 2.1.2.1 activate
  neighbor as2 advertise additional-paths all
  maximum-paths eibgp 5
  maximum-paths 4
  bgp dampening
 exit-address-family
 !
 address-family ipv4 vrf RED
  neighbor 192.168.0.1 remote-as 7
  neighbor 192.168.0.1 activate
  maximum-paths ibgp 2
 exit-address-family
 address-family vpnv4
  neighbor 2.1.2.1 activate
 exit-address-family
",
    );
    let b = c.bgp.as_ref().unwrap();
    assert_eq!(
        (b.line, b.asn, b.router_id),
        (1, 65001, Some(ip("2.1.1.1")))
    );
    assert_eq!(
        b.peer_groups,
        vec![Located {
            line: 4,
            value: "as2".into()
        }]
    );
    let names: Vec<_> = b
        .peers
        .iter()
        .map(|p| (p.line, p.name.as_str(), p.vrf.as_deref()))
        .collect();
    assert_eq!(
        names,
        vec![
            (5, "as2", None),
            (6, "2.1.2.1", None),
            (8, "10.0.0.2", None),
            (29, "192.168.0.1", Some("RED"))
        ]
    );
    assert_eq!(b.peers[0].remote_as, Some(2));
    assert_eq!(b.peers[1].peer_group.as_deref(), Some("as2"));
    assert_eq!(b.peers[1].address, Some(ip("2.1.2.1")));
    assert_eq!(b.peers[1].update_source.as_deref(), Some("Loopback0"));
    assert_eq!(b.peers[0].address, None);
    assert_eq!(b.address_families.len(), 2);
    let af = &b.address_families[0];
    assert_eq!((af.line, af.vrf.as_deref()), (Some(11), None));
    // `neighbor 10.0.0.2 route-map IMPORT in` outside an address family is
    // the global IPv4 family's.
    let n = |name: &str| af.neighbors.iter().find(|x| x.name == name).unwrap();
    assert_eq!(n("10.0.0.2").route_map_in.as_deref(), Some("IMPORT"));
    let g = n("as2");
    assert!(g.send_community && g.next_hop_self && !g.activate);
    assert_eq!(
        (g.route_map_in.as_deref(), g.route_map_out.as_deref()),
        (Some("as2_in"), Some("as2_out"))
    );
    assert!(n("2.1.2.1").activate && n("2.1.2.1").route_reflector_client);
    assert_eq!(af.networks.len(), 2);
    assert_eq!(
        (af.networks[0].line, af.networks[0].prefix),
        (12, net("2.128.0.0/24"))
    );
    assert_eq!(
        (af.networks[1].prefix, af.networks[1].route_map.as_deref()),
        (net("10.0.0.0/8"), Some("NET"))
    );
    assert_eq!(af.redistribute[0].route_map.as_deref(), Some("RC"));
    assert_eq!(
        (
            af.aggregates[0].line,
            af.aggregates[0].prefix,
            af.aggregates[0].summary_only
        ),
        (15, net("2.128.0.0/16"), true)
    );
    assert_eq!(
        (
            af.maximum_paths,
            af.maximum_paths_eibgp,
            af.maximum_paths_ibgp
        ),
        (Some(4), Some(5), None)
    );
    // ADD-PATH: the group `as2` is told to advertise additional paths.
    assert!(
        af.neighbors
            .iter()
            .any(|n| n.name == "as2" && n.advertise_additional_paths)
    );
    let red = &b.address_families[1];
    assert_eq!(
        (red.line, red.vrf.as_deref(), red.maximum_paths_ibgp),
        (Some(28), Some("RED"), Some(2))
    );
    assert!(red.neighbors[0].activate);
    assert_eq!(
        features(&c),
        vec![
            (3, "router bgp/bgp log-neighbor-changes"),
            (25, "router bgp/bgp dampening"),
            (33, "router bgp/address-family vpnv4"),
            (34, "router bgp/address-family vpnv4"),
            (35, "router bgp/address-family vpnv4"),
        ]
    );
}

#[test]
fn policy_lists_and_route_maps() {
    let c = parse(
        "\
ip prefix-list PL seq 5 deny 2.0.0.0/8 le 32
ip prefix-list PL permit 2.128.0.0/9 ge 16 le 24
ip prefix-list PL description not modelled
ip community-list expanded as1 permit _1:
ip community-list standard KEEP permit 65000:1 no-export
ip community-list 10 deny 1:1
route-map RM permit 2
 match ip address prefix-list PL OTHER
 set metric 50
 set community 2:1 additive
route-map RM deny 3
 match ip address 101
 match community as1 exact-match
 set local-preference 350
 set weight 100
 set as-path prepend 2 2
 set origin igp
route-map BARE
",
    );
    let p = &c.prefix_lists;
    assert_eq!(p.len(), 2);
    assert_eq!(
        (p[0].line, p[0].seq, p[0].action, p[0].prefix, p[0].le),
        (1, Some(5), Action::Deny, net("2.0.0.0/8"), Some(32))
    );
    assert_eq!((p[1].seq, p[1].ge, p[1].le), (None, Some(16), Some(24)));
    let cl = &c.community_lists;
    assert_eq!(cl.len(), 3);
    assert_eq!(
        (cl[0].line, cl[0].kind, cl[0].text.as_str()),
        (4, ListKind::Expanded, "_1:")
    );
    assert_eq!(
        (cl[1].kind, cl[1].text.as_str()),
        (ListKind::Standard, "65000:1 no-export")
    );
    assert_eq!(
        (cl[2].name.as_str(), cl[2].kind, cl[2].action),
        ("10", ListKind::Standard, Action::Deny)
    );
    let rm = &c.route_maps;
    assert_eq!(rm.len(), 3);
    assert_eq!(
        (rm[0].line, rm[0].name.as_str(), rm[0].action, rm[0].seq),
        (7, "RM", Action::Permit, 2)
    );
    assert_eq!(
        rm[0].matches,
        vec![Located {
            line: 8,
            value: RouteMapMatch::IpAddressPrefixList(vec!["PL".into(), "OTHER".into()])
        }]
    );
    assert_eq!(
        rm[0].sets[0],
        Located {
            line: 9,
            value: RouteMapSet::Metric(50)
        }
    );
    assert_eq!(
        rm[0].sets[1].value,
        RouteMapSet::Community {
            communities: vec!["2:1".into()],
            additive: true
        }
    );
    assert_eq!(rm[1].action, Action::Deny);
    assert_eq!(
        rm[1].matches[0].value,
        RouteMapMatch::IpAddress(vec!["101".into()])
    );
    assert_eq!(
        rm[1].matches[1].value,
        RouteMapMatch::Community {
            lists: vec!["as1".into()],
            exact: true
        }
    );
    assert_eq!(
        rm[1]
            .sets
            .iter()
            .map(|s| s.value.clone())
            .collect::<Vec<_>>(),
        vec![
            RouteMapSet::LocalPreference(350),
            RouteMapSet::Weight(100),
            RouteMapSet::AsPathPrepend(vec![2, 2])
        ]
    );
    assert_eq!((rm[2].action, rm[2].seq), (Action::Permit, 10));
    assert_eq!(
        features(&c),
        vec![(3, "ip prefix-list"), (17, "route-map/set origin")]
    );
}

#[test]
fn access_lists_and_vlans() {
    let c = parse(
        "\
access-list 101 permit ip host 1.0.1.0 host 255.255.255.0
access-list 10 remark mgmt
access-list 10 permit 10.0.0.0 0.0.0.255
access-list 101 deny   ip any any
ip access-list extended OUT
 10 permit tcp any any eq 22
 deny   ip any any log
 statistics per-entry
ip access-list standard MGMT
 permit 10.1.1.0 0.0.0.255
vlan 10
 name users
vlan 20
vlan internal allocation policy ascending
",
    );
    let names: Vec<_> = c
        .acls
        .iter()
        .map(|a| (a.line, a.name.as_str(), a.kind, a.entries.len()))
        .collect();
    assert_eq!(
        names,
        vec![
            (1, "101", ListKind::Extended, 2),
            (2, "10", ListKind::Standard, 2),
            (5, "OUT", ListKind::Extended, 2),
            (9, "MGMT", ListKind::Standard, 1)
        ]
    );
    assert_eq!(
        c.acl("101").unwrap().entries[1],
        AclEntry {
            line: 4,
            text: "deny ip any any".into()
        }
    );
    assert_eq!(
        c.acl("OUT").unwrap().entries[0].text,
        "10 permit tcp any any eq 22"
    );
    assert_eq!(
        c.vlans,
        vec![
            Vlan {
                line: 11,
                id: 10,
                name: Some("users".into())
            },
            Vlan {
                line: 13,
                id: 20,
                name: None
            }
        ]
    );
    assert_eq!(
        features(&c),
        vec![(8, "ip access-list/statistics"), (14, "vlan")]
    );
}

#[test]
fn not_understood_lines_are_grouped_by_their_top_level_command() {
    let c = parse(
        "\
ntp server 1.2.3.4
snmp-server community public RO
line vty 0 4
 login
 transport input ssh
line con 0
 exec-timeout 0 0
no ip http server
ip domain name lab.local
crypto pki trustpoint TP
 enrollment selfsigned
control-plane
",
    );
    assert_eq!(
        features(&c),
        vec![
            (1, "ntp"),
            (2, "snmp-server"),
            (3, "line vty"),
            (4, "line vty"),
            (5, "line vty"),
            (6, "line con"),
            (7, "line con"),
            (8, "no ip http"),
            (9, "ip domain"),
            (10, "crypto"),
            (11, "crypto"),
            (12, "control-plane"),
        ]
    );
    assert_eq!(c.account.not_understood[4].text, " transport input ssh");
}

#[test]
fn banners_are_skipped_as_one_block() {
    let c = parse(
        "\
hostname r1
banner motd ^C
  Authorised access only!
  interface Loopback9
   ip address 1.2.3.4 255.255.255.255
^C
banner login #one line#
banner exec \u{3}
text
\u{3}
interface Loopback0
",
    );
    assert_eq!(
        features(&c),
        vec![(2, "banner"), (7, "banner"), (8, "banner")]
    );
    // Nothing inside the banner was read as configuration.
    assert_eq!(c.interfaces.len(), 1);
    assert_eq!(
        (c.interfaces[0].line, c.interfaces[0].name.as_str()),
        (11, "Loopback0")
    );
    assert_eq!(c.account.cosmetic, 6);
}

#[test]
fn an_unclosed_banner_is_a_syntax_error() {
    let c = parse("hostname r1\nbanner motd ^C\nhello\ninterface Loopback0\n");
    assert!(c.interfaces.is_empty());
    assert!(c.account.not_understood.is_empty());
    assert_eq!(c.account.syntax_errors.len(), 1);
    assert_eq!(c.account.syntax_errors[0].line, 2);
    assert!(c.account.syntax_errors[0].message.contains("not closed"));
}

#[test]
fn syntax_errors_name_the_line_and_the_rest_still_parses() {
    let c = parse(
        "\
interface GigabitEthernet0/0
 ip address 10.0.0.300 255.255.255.0
 ip address 10.0.0.1 255.0.255.0
 ip access-group X sideways
 encapsulation dot1Q 5000
 ip address 10.0.0.1
interface GigabitEthernet0/1
 ip address 10.0.1.1 255.255.255.0
ip route 10.0.0.1 255.255.255.0 10.0.0.2
ip route 10.0.0.0 255.255.255.0 10.0.0.999
ip route 10.0.0.0 255.255.255.0
router ospf x
router bgp 1
 neighbor 10.0.0.1 remote-as abc
ip prefix-list P permit 10.0.0.0/8 ge 4
route-map M permit x
hostname a b
vlan 5000
",
    );
    let errs: Vec<usize> = c.account.syntax_errors.iter().map(|e| e.line).collect();
    assert_eq!(errs, vec![2, 3, 4, 5, 6, 9, 10, 11, 12, 14, 15, 16, 17, 18]);
    let msg = |l: usize| {
        c.account
            .syntax_errors
            .iter()
            .find(|e| e.line == l)
            .map(|e| e.message.clone())
            .unwrap()
    };
    assert_eq!(msg(2), "`10.0.0.300` is not an IPv4 address");
    assert!(msg(3).contains("contiguous"), "{}", msg(3));
    assert!(
        msg(9).contains("inconsistent address and mask"),
        "{}",
        msg(9)
    );
    assert_eq!(
        c.account.syntax_errors[0].text,
        " ip address 10.0.0.300 255.255.255.0"
    );
    // The file goes on: the second interface is read.
    assert_eq!(c.interfaces[1].address, Some(net("10.0.1.1/24")));
    assert_eq!(c.interfaces[0].address, None);
}

#[test]
fn garbage_does_not_panic() {
    for text in [
        "",
        "\n\n\n",
        " indented first line",
        "banner",
        "banner motd",
        "banner motd ^",
        "interface",
        "router bgp",
        "router bgp 1\n  neighbor",
        "ip route",
        "ip route vrf",
        "\u{feff}hostname x\u{0}\u{7f}é漢字",
        "route-map\n set community",
        "ip prefix-list P seq 5 permit 1.0.0.0/8 ge",
        "interface X\n switchport trunk allowed vlan 30-10",
        "router bgp 1.99999",
    ] {
        let _ = parse(text);
    }
}

#[test]
fn hosts_iptables_and_blacklists() {
    let h = parse_host(
        "hosts/h1.json",
        "{\n \"hostname\" : \"host1\",\n \"iptablesFile\" : \"iptables/host1.iptables\",\n \"hostType\": \"x\",\n \"hostInterfaces\" : {\n  \"eth0\" : {\n   \"name\": \"eth0\",\n   \"prefix\" : \"2.128.0.101/24\",\n   \"gateway\": \"2.128.0.1\"\n  }\n }\n}\n",
    );
    assert_eq!(h.hostname, "host1");
    assert_eq!(h.iptables_file.as_deref(), Some("iptables/host1.iptables"));
    assert_eq!(
        h.interfaces,
        vec![HostInterface {
            name: "eth0".into(),
            prefix: Some(net("2.128.0.101/24")),
            gateway: Some(ip("2.128.0.1"))
        }]
    );
    assert_eq!(h.account.not_understood.len(), 1);
    assert_eq!(
        (
            h.account.not_understood[0].line,
            h.account.not_understood[0].feature.as_str()
        ),
        (4, "host/hostType")
    );
    let a = &h.account;
    assert_eq!(
        a.lines,
        a.cosmetic + a.understood + a.not_understood.len() + a.syntax_errors.len()
    );

    let bad = parse_host("hosts/bad.json", "{\n \"hostname\": \"h\",\n oops\n}\n");
    assert_eq!(bad.account.syntax_errors.len(), 1);
    assert_eq!(bad.account.syntax_errors[0].line, 3);

    let t = parse_iptables(
        "iptables/h.iptables",
        "# c\n*filter\n:INPUT DROP [1:2]\n:FORWARD ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nbogus\n:OUTPUT\nCOMMIT\n",
    );
    let f = t.filter().unwrap();
    assert_eq!(
        f.chains
            .iter()
            .map(|c| (c.line, c.name.as_str(), c.policy.as_str()))
            .collect::<Vec<_>>(),
        vec![(3, "INPUT", "DROP"), (4, "FORWARD", "ACCEPT")]
    );
    assert_eq!(
        f.rules,
        vec![IptablesRule {
            line: 5,
            chain: "INPUT".into(),
            text: "-p tcp --dport 22 -j ACCEPT".into()
        }]
    );
    assert_eq!(
        (
            t.account.not_understood.len(),
            t.account.syntax_errors.len()
        ),
        (1, 1)
    );

    let b = parse_blacklist("interface_blacklist", "r1 Gi0/0\n\nr2 Gi0/1\nbroken\n");
    assert_eq!(
        b.entries
            .iter()
            .map(|e| (e.line, e.node.as_str(), e.interface.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, "r1", "Gi0/0"), (3, "r2", "Gi0/1")]
    );
    assert_eq!(b.account.syntax_errors[0].line, 4);
    let j = parse_blacklist(
        "interface_blacklist",
        "[{\"hostname\": \"r1\", \"interface\": \"Gi0/0\"}]",
    );
    assert_eq!(
        j.entries,
        vec![BlacklistEntry {
            line: 1,
            node: "r1".into(),
            interface: "Gi0/0".into()
        }]
    );

    let l = parse_layer1(
        "layer1_topology.json",
        "{\"edges\": [{\"node1\": {\"hostname\": \"a\", \"interfaceName\": \"e0\"}, \"node2\": {\"hostname\": \"b\", \"interfaceName\": \"e1\"}}]}",
    );
    assert_eq!(l.edges.len(), 1);
    assert_eq!(
        (
            l.edges[0].0.hostname.as_str(),
            l.edges[0].1.interface.as_str()
        ),
        ("a", "e1")
    );
}
