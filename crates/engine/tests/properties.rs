//! Property tests: any flow over the demo network traces without a panic,
//! deterministically, and every branch ends with a disposition and a path
//! that starts at the source.

use std::net::{IpAddr, Ipv4Addr};

use pathtrace_engine::{Flow, Protocol};
use proptest::prelude::*;

fn addresses(net: &pathtrace_model::Network) -> Vec<IpAddr> {
    let mut v: Vec<IpAddr> = net.hosts.iter().map(|h| h.ip.addr()).collect();
    for d in &net.devices {
        v.push(d.management_ip);
        for i in &d.interfaces {
            v.extend(i.addresses().map(ipnet::IpNet::addr));
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn any_flow_traces_without_panic(
        s in 0usize..1000, d in 0usize..1000, random_dst in any::<u32>(), use_random in any::<bool>(),
        proto in prop::option::of(prop_oneof![Just(Protocol::Tcp), Just(Protocol::Udp), Just(Protocol::Icmp)]),
        dport in prop::option::of(1u16..),
    ) {
        static DP: std::sync::OnceLock<(pathtrace_engine::DataPlane, Vec<IpAddr>)> = std::sync::OnceLock::new();
        let (dp, addrs) = DP.get_or_init(|| {
            let net = pathtrace_model::demo::demo().expect("demo loads");
            let a = addresses(&net);
            (pathtrace_engine::build(&net), a)
        });
        let src = addrs[s % addrs.len()];
        let dst = if use_random { IpAddr::V4(Ipv4Addr::from(random_dst)) } else { addrs[d % addrs.len()] };
        let dport = if proto == Some(Protocol::Icmp) { None } else { dport };
        let flow = Flow { src, dst, protocol: proto, src_port: None, dst_port: dport };
        let a = pathtrace_engine::trace(dp, &flow);
        let b = pathtrace_engine::trace(dp, &flow);
        prop_assert_eq!(&a, &b);
        let t = a.expect("every demo address is a valid source");
        prop_assert!(t.trace_count >= t.branches.len());
        prop_assert!(!t.branches.is_empty());
        for br in &t.branches {
            prop_assert!(!br.hops.is_empty());
            let view = pathtrace_engine::view::dnac::network_elements(dp, br);
            prop_assert_eq!(view.len(), br.hops.len());
            prop_assert!(view.last().unwrap().link_information_source.is_none());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    /// On generated campuses of several sizes, host-to-host flows always
    /// arrive, over 1 to 8 equal-cost branches, and never loop.
    #[test]
    fn generated_campus_flows_arrive(size_ix in 0usize..3, s in any::<usize>(), d in any::<usize>()) {
        static NETS: std::sync::OnceLock<Vec<(pathtrace_engine::DataPlane, Vec<IpAddr>)>> = std::sync::OnceLock::new();
        let nets = NETS.get_or_init(|| {
            [6usize, 50, 130]
                .iter()
                .map(|&n| {
                    let net = pathtrace_engine::generate::campus(n);
                    let hosts = net.hosts.iter().map(|h| h.ip.addr()).collect();
                    (pathtrace_engine::build(&net), hosts)
                })
                .collect()
        });
        let (dp, hosts) = &nets[size_ix];
        let (src, dst) = (hosts[s % hosts.len()], hosts[d % hosts.len()]);
        let t = pathtrace_engine::trace(dp, &Flow { protocol: Some(Protocol::Tcp), ..Flow::new(src, dst) }).unwrap();
        prop_assert!((1..=8).contains(&t.trace_count), "{} branches", t.trace_count);
        for b in &t.branches {
            prop_assert_eq!(b.disposition.as_str(), "ACCEPTED");
        }
    }
}
