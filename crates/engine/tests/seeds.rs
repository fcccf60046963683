//! The notebooks' printed paths, as acceptance tests on the demo network.

use pathtrace_engine::view::dnac;
use pathtrace_engine::{Flow, Protocol};

fn demo() -> pathtrace_engine::DataPlane {
    pathtrace_engine::build(&pathtrace_model::demo::demo().expect("the demo network loads"))
}

fn flow(src: &str, dst: &str, protocol: Option<Protocol>) -> Flow {
    Flow {
        protocol,
        ..Flow::new(src.parse().unwrap(), dst.parse().unwrap())
    }
}

#[test]
fn apic_em_seed_prints_the_notebook_lines() {
    let dp = demo();
    let t = pathtrace_engine::trace(&dp, &flow("10.1.15.117", "10.2.1.22", None)).unwrap();
    let sel = dnac::select_branch(&t).unwrap();
    let elems = dnac::network_elements(&dp, &t.branches[sel]);
    let lines: Vec<String> = elems
        .iter()
        .map(|e| format!("{}: {}", e.name.as_deref().unwrap_or("None"), e.ip))
        .collect();
    assert_eq!(
        lines,
        [
            "None: 10.1.15.117",
            "AP7081.059f.19ca: 10.1.14.3",
            "CAMPUS-Access1: 10.1.12.1",
            "CAMPUS-Dist1: 10.255.1.5",
            "Campus-WLC-5508: 10.1.14.2",
            "CAMPUS-Dist1: 10.255.1.5",
            "CAMPUS-Core2: 10.1.10.1",
            "CAMPUS-Router2: 10.1.4.2",
            "UNKNOWN: UNKNOWN",
            "Branch-Router2: 10.2.2.2",
            "Branch-Access1: 10.2.1.17",
            "None: 10.2.1.22",
        ]
    );
    // CAPWAP on the AP … WLC stretch, and only there.
    let capwap: Vec<bool> = elems
        .iter()
        .map(|e| e.tunnels.as_ref().is_some_and(|t| t == &["CAPWAP Tunnel"]))
        .collect();
    assert_eq!(
        capwap,
        [
            false, true, true, true, true, false, false, false, false, false, false, false
        ]
    );
    assert_eq!(elems[0].kind.as_deref(), Some("wireless"));
    assert_eq!(
        elems[0].link_information_source.as_deref(),
        Some("Switched")
    );
    assert_eq!(
        elems[4]
            .ingress_interface
            .as_ref()
            .unwrap()
            .virtual_interface
            .as_ref()
            .unwrap()[0]
            .name,
        "clientinterface"
    );
    assert_eq!(
        elems[8].id,
        pathtrace_model::ids::cloud_id("demo", "WAN").to_string()
    );
    assert!(elems[8].ingress_interface.is_none() && elems[8].egress_interface.is_none());
    assert!(
        elems[11].link_information_source.is_none(),
        "the last element has no linkInformationSource"
    );
    assert_eq!(dnac::status(&t).0, "COMPLETED");
}

#[test]
fn dnac_seed_prints_the_notebook_lines() {
    let dp = demo();
    let t = pathtrace_engine::trace(&dp, &flow("10.10.22.114", "10.10.22.98", None)).unwrap();
    let elems = dnac::network_elements(&dp, &t.branches[dnac::select_branch(&t).unwrap()]);
    let lines: Vec<String> = elems
        .iter()
        .map(|e| format!("{}: {}", e.name.as_deref().unwrap_or("None"), e.ip))
        .collect();
    assert_eq!(
        lines,
        [
            "None: 10.10.22.114",
            "cat_9k_2.abc.inc: 10.10.22.70",
            "cs3850.abc.inc: 10.10.22.69",
            "cat_9k_1.abc.inc: 10.10.22.66",
            "None: 10.10.22.98",
        ]
    );
    let cat2 = &elems[1];
    let ing = cat2.ingress_interface.as_ref().unwrap();
    assert_eq!(
        ing.physical_interface.as_ref().unwrap().name,
        "TenGigabitEthernet1/0/24"
    );
    assert_eq!(ing.virtual_interface.as_ref().unwrap()[0].name, "Vlan1");
    let eg = cat2.egress_interface.as_ref().unwrap();
    assert_eq!(
        eg.physical_interface.as_ref().unwrap().name,
        "TenGigabitEthernet1/1/1"
    );
    assert_eq!(elems[0].link_information_source.as_deref(), Some("Wired"));
    assert_eq!(cat2.link_information_source.as_deref(), Some("OSPF"));
    assert_eq!(
        elems[3].link_information_source.as_deref(),
        Some("CONNECTED")
    );
    // The element id is the device's stable inventory id.
    assert_eq!(
        cat2.id,
        pathtrace_model::ids::device_id("demo", "cat_9k_2.abc.inc").to_string()
    );
}

#[test]
fn seed_paths_are_best_paths_not_ecmp_ties() {
    let dp = demo();
    for (s, d) in [
        ("10.1.15.117", "10.2.1.22"),
        ("10.10.22.114", "10.10.22.98"),
    ] {
        for p in [Protocol::Tcp, Protocol::Udp] {
            let t = pathtrace_engine::trace(&dp, &flow(s, d, Some(p))).unwrap();
            assert_eq!(
                t.trace_count, 1,
                "{s} -> {d} {p} must have exactly one path"
            );
            for h in &t.branches[0].hops {
                assert!(
                    h.route.is_none_or(|r| r.paths == 1),
                    "no hop of {s} -> {d} is an ECMP choice"
                );
            }
        }
    }
}

#[test]
fn unknown_source_is_an_error_not_a_panic() {
    let dp = demo();
    let e = pathtrace_engine::trace(&dp, &flow("192.0.2.99", "10.2.1.22", None)).unwrap_err();
    assert!(e.to_string().contains("192.0.2.99"));
    assert!(pathtrace_engine::trace(&dp, &flow("10.1.15.117", "2001:db8::1", None)).is_err());
}
