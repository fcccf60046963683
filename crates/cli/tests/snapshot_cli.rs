//! `pathtrace routes --snapshot DIR` and `pathtrace trace --snapshot DIR` on
//! Batfish's example network (tests/fixtures/batfish-example/live): the RIB
//! rows, the start-location syntax and its errors, and Batfish's validation
//! cases B4 and B5 (reference/path-trace-semantics.md §2.7) hop by hop.

use std::process::{Command, Output};

const LIVE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/batfish-example/live"
);

fn pathtrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pathtrace"))
        .args(args)
        .env_remove("PATHTRACE_NETWORK")
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

// ------------------------------------------------------------------ routes

#[test]
fn routes_tsv_of_as1border1_has_its_connected_and_local_routes() {
    let o = pathtrace(&[
        "routes",
        "--snapshot",
        LIVE,
        "--node",
        "as1border1",
        "--format",
        "tsv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("node\tvrf\tnetwork\tprotocol\tnext_hop_ip\tnext_hop_interface\tadmin\tmetric")
    );
    let rows: Vec<&str> = lines.collect();
    assert!(
        rows.contains(&"as1border1\tdefault\t1.0.1.0/24\tconnected\t-\tGigabitEthernet0/0\t0\t0"),
        "{out}"
    );
    assert!(
        rows.contains(&"as1border1\tdefault\t1.0.1.1/32\tlocal\t-\tGigabitEthernet0/0\t0\t0"),
        "{out}"
    );
    assert!(rows.iter().all(|r| r.starts_with("as1border1\t")), "{out}");
    // Sorted by node, VRF, network, protocol, next hop.
    let mut sorted = rows.clone();
    sorted.sort_by_key(|r| {
        let c: Vec<&str> = r.split('\t').collect();
        let (a, l) = c[2].split_once('/').unwrap();
        (
            a.parse::<std::net::Ipv4Addr>().unwrap(),
            l.parse::<u8>().unwrap(),
        )
    });
    assert_eq!(rows, sorted);
}

#[test]
fn routes_filters_and_formats() {
    let o = pathtrace(&[
        "routes",
        "--snapshot",
        LIVE,
        "--node",
        "as2border1",
        "--protocol",
        "ospfE2",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    let rows = v.as_array().expect("an array");
    assert!(!rows.is_empty());
    for r in rows {
        assert_eq!(r["node"], "as2border1");
        assert_eq!(r["protocol"], "ospfE2");
        for k in [
            "vrf",
            "network",
            "next_hop_ip",
            "next_hop_interface",
            "admin",
            "metric",
        ] {
            assert!(r.get(k).is_some(), "{k} missing: {r}");
        }
    }
    let o = pathtrace(&[
        "routes",
        "--snapshot",
        LIVE,
        "--node",
        "as2border1",
        "--prefix",
        "2.34.201.0/24",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let header = out.lines().next().unwrap();
    for col in [
        "Node",
        "VRF",
        "Network",
        "Protocol",
        "Next_Hop_IP",
        "Next_Hop_Interface",
        "Admin",
        "Metric",
    ] {
        assert!(header.contains(col), "{header}");
    }
    let body: Vec<&str> = out
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("as2border1"))
        .collect();
    assert_eq!(body.len(), 2, "two ECMP ospfE2 rows:\n{out}");
    assert!(
        body.iter()
            .all(|l| l.contains("2.34.201.0/24") && l.contains("ospfE2"))
    );
}

#[test]
fn routes_rejects_bad_input_with_exit_2() {
    let o = pathtrace(&["routes", "--snapshot", LIVE, "--node", "nosuch"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("unknown node \"nosuch\""), "{e}");
    assert!(e.contains("as1border1") && e.contains("as3core1"), "{e}");

    let o = pathtrace(&["routes", "--snapshot", "/nonexistent/snapshot"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent/snapshot: not a snapshot directory"),
        "{}",
        stderr(&o)
    );

    let o = pathtrace(&["routes", "--snapshot", LIVE, "--prefix", "10.0.0.0/33"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("invalid prefix \"10.0.0.0/33\""),
        "{}",
        stderr(&o)
    );

    let o = pathtrace(&["routes", "--snapshot", LIVE, "--protocol", "igrp"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ospfE2"), "{}", stderr(&o));

    let o = pathtrace(&["routes", "--snapshot", LIVE, "--vrf", "blue"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown VRF \"blue\""),
        "{}",
        stderr(&o)
    );
}

// ------------------------------------------------------------------- trace

/// One trace of the Batfish text: disposition, then per hop the node and
/// its steps.
#[derive(Debug)]
struct BfTrace {
    disposition: String,
    hops: Vec<(String, Vec<String>)>,
}

fn parse_batfish(text: &str) -> (String, usize, Vec<BfTrace>) {
    let mut lines = text.lines();
    let flow = lines
        .next()
        .and_then(|l| l.strip_prefix("Flow: "))
        .expect("a Flow: line")
        .to_string();
    let mut total = 0;
    let mut traces: Vec<BfTrace> = Vec::new();
    for l in lines {
        if let Some(rest) = l.strip_prefix("Trace ") {
            let (count, disp) = rest.split_once(": ").expect("Trace i/N: D");
            total = count.split_once('/').unwrap().1.parse().unwrap();
            traces.push(BfTrace {
                disposition: disp.to_string(),
                hops: Vec::new(),
            });
        } else if let Some((_, node)) = l.trim_start().split_once(". node: ") {
            traces
                .last_mut()
                .expect("a trace")
                .hops
                .push((node.to_string(), Vec::new()));
        } else if !l.trim().is_empty() {
            let t = traces.last_mut().expect("a trace");
            t.hops
                .last_mut()
                .expect("a hop")
                .1
                .push(l.trim().to_string());
        }
    }
    (flow, total, traces)
}

/// `node[in→out]` of every hop, from the RECEIVED and TRANSMITTED steps.
fn hops_of(t: &BfTrace) -> Vec<String> {
    t.hops
        .iter()
        .map(|(node, steps)| {
            let arg = |kind: &str| {
                steps
                    .iter()
                    .find_map(|s| s.strip_prefix(kind))
                    .and_then(|s| s.strip_prefix('('))
                    .and_then(|s| s.strip_suffix(')'))
                    .unwrap_or("")
                    .to_string()
            };
            format!("{node}[{}→{}]", arg("RECEIVED"), arg("TRANSMITTED"))
        })
        .collect()
}

fn last_step(t: &BfTrace) -> &str {
    t.hops
        .last()
        .and_then(|h| h.1.last())
        .map_or("", String::as_str)
}

fn trace_snapshot(args: &[&str]) -> Output {
    let mut all = vec!["trace", "--snapshot", LIVE];
    all.extend_from_slice(args);
    pathtrace(&all)
}

/// B4: as2core2 originates TCP 2.1.2.2:49152 → 2.1.2.1:23 (as2core1's
/// Loopback0): four OSPF ECMP traces, two ACCEPTED and two DENIED_IN by
/// `blocktelnet` on as2core1 (Batfish's loopbackMultipathConsistency).
#[test]
fn b4_four_ospf_ecmp_traces_two_accepted_two_denied_by_blocktelnet() {
    let o = trace_snapshot(&[
        "as2core2",
        "2.1.2.1",
        "-p",
        "tcp",
        "--dst-port",
        "23",
        "--src-ip",
        "2.1.2.2",
        "--format",
        "batfish",
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let out = stdout(&o);
    let (flow, total, traces) = parse_batfish(&out);
    assert_eq!(
        flow, "start=as2core2 [2.1.2.2:49152->2.1.2.1:23 TCP]",
        "{out}"
    );
    assert_eq!(total, 4, "{out}");
    assert_eq!(traces.len(), 4, "{out}");
    let expect: [(&str, &[&str], &str); 4] = [
        (
            "ACCEPTED",
            &[
                "as2core2[→GigabitEthernet0/0]",
                "as2border2[GigabitEthernet1/0→GigabitEthernet2/0]",
                "as2core1[GigabitEthernet1/0→]",
            ],
            "ACCEPTED(Loopback0)",
        ),
        (
            "ACCEPTED",
            &[
                "as2core2[→GigabitEthernet1/0]",
                "as2border1[GigabitEthernet2/0→GigabitEthernet1/0]",
                "as2core1[GigabitEthernet0/0→]",
            ],
            "ACCEPTED(Loopback0)",
        ),
        (
            "DENIED_IN",
            &[
                "as2core2[→GigabitEthernet2/0]",
                "as2dist2[GigabitEthernet0/0→GigabitEthernet1/0]",
                "as2core1[GigabitEthernet3/0→]",
            ],
            "DENIED(blocktelnet (INGRESS_FILTER))",
        ),
        (
            "DENIED_IN",
            &[
                "as2core2[→GigabitEthernet3/0]",
                "as2dist1[GigabitEthernet1/0→GigabitEthernet0/0]",
                "as2core1[GigabitEthernet2/0→]",
            ],
            "DENIED(blocktelnet (INGRESS_FILTER))",
        ),
    ];
    for (i, (t, (disp, hops, last))) in traces.iter().zip(expect).enumerate() {
        assert_eq!(t.disposition, disp, "trace {}:\n{out}", i + 1);
        assert_eq!(hops_of(t), hops, "trace {}:\n{out}", i + 1);
        assert_eq!(last_step(t), last, "trace {}:\n{out}", i + 1);
        assert_eq!(t.hops[0].1[0], "ORIGINATED(default)", "{out}");
        // Every routed hop used OSPF's 2.1.2.1/32.
        for (node, steps) in &t.hops[..t.hops.len() - 1] {
            let fwd = steps
                .iter()
                .find(|s| s.starts_with("FORWARDED("))
                .unwrap_or_else(|| panic!("{node} forwards:\n{out}"));
            assert!(
                fwd.contains("Routes: [ospf (Network: 2.1.2.1/32, Next Hop: interface "),
                "{fwd}"
            );
        }
    }
}

/// B5: a packet from 8.8.8.8 entering as2border1 on GigabitEthernet2/0 to
/// 2.34.201.10 (UDP 33434): two traces, both DELIVERED_TO_SUBNET at as2dist2
/// GigabitEthernet2/0 (pybatfish's traceroute notebook).
#[test]
fn b5_enter_as2border1_two_traces_delivered_to_subnet() {
    let o = trace_snapshot(&[
        "@enter(as2border1[GigabitEthernet2/0])",
        "2.34.201.10",
        "--src-ip",
        "8.8.8.8",
        "--format",
        "batfish",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let (flow, total, traces) = parse_batfish(&out);
    assert_eq!(
        flow,
        "start=as2border1 interface=GigabitEthernet2/0 [8.8.8.8:49152->2.34.201.10:33434 UDP]",
        "{out}"
    );
    assert_eq!((total, traces.len()), (2, 2), "{out}");
    let expect: [&[&str]; 2] = [
        &[
            "as2border1[GigabitEthernet2/0→GigabitEthernet1/0]",
            "as2core1[GigabitEthernet0/0→GigabitEthernet3/0]",
            "as2dist2[GigabitEthernet1/0→GigabitEthernet2/0]",
        ],
        &[
            "as2border1[GigabitEthernet2/0→GigabitEthernet2/0]",
            "as2core2[GigabitEthernet1/0→GigabitEthernet2/0]",
            "as2dist2[GigabitEthernet0/0→GigabitEthernet2/0]",
        ],
    ];
    for (i, (t, hops)) in traces.iter().zip(expect).enumerate() {
        assert_eq!(
            t.disposition,
            "DELIVERED_TO_SUBNET",
            "trace {}:\n{out}",
            i + 1
        );
        assert_eq!(hops_of(t), hops, "trace {}:\n{out}", i + 1);
        assert_eq!(
            last_step(t),
            "DELIVERED_TO_SUBNET(Output Interface: GigabitEthernet2/0, Resolved Next Hop IP: 2.34.201.10)",
            "{out}"
        );
    }
    // Step by step, the text pybatfish prints for this traceroute
    // (docs/source/notebooks/forwarding.ipynb).
    let steps: Vec<Vec<&str>> = traces
        .iter()
        .map(|t| {
            t.hops
                .iter()
                .flat_map(|(_, s)| s.iter().map(String::as_str))
                .collect()
        })
        .collect();
    let fwd = |out: &str, nh: &str| {
        format!(
            "FORWARDED(Forwarded out interface: {out} with resolved next-hop IP: {nh}, Routes: [ospfE2 (Network: 2.34.201.0/24, Next Hop: interface {out} ip {nh})])"
        )
    };
    let last = [
        "FORWARDED(Forwarded out interface: GigabitEthernet2/0, Routes: [connected (Network: 2.34.201.0/24, Next Hop: interface GigabitEthernet2/0)])",
        "TRANSMITTED(GigabitEthernet2/0)",
        "DELIVERED_TO_SUBNET(Output Interface: GigabitEthernet2/0, Resolved Next Hop IP: 2.34.201.10)",
    ];
    let mut want1 = vec![
        "RECEIVED(GigabitEthernet2/0)".to_string(),
        fwd("GigabitEthernet1/0", "2.12.11.2"),
        "TRANSMITTED(GigabitEthernet1/0)".to_string(),
        "RECEIVED(GigabitEthernet0/0)".to_string(),
        fwd("GigabitEthernet3/0", "2.23.12.3"),
        "TRANSMITTED(GigabitEthernet3/0)".to_string(),
        "RECEIVED(GigabitEthernet1/0)".to_string(),
    ];
    want1.extend(last.map(str::to_string));
    let mut want2 = vec![
        "RECEIVED(GigabitEthernet2/0)".to_string(),
        fwd("GigabitEthernet2/0", "2.12.12.2"),
        "TRANSMITTED(GigabitEthernet2/0)".to_string(),
        "RECEIVED(GigabitEthernet1/0)".to_string(),
        fwd("GigabitEthernet2/0", "2.23.22.3"),
        "TRANSMITTED(GigabitEthernet2/0)".to_string(),
        "RECEIVED(GigabitEthernet0/0)".to_string(),
    ];
    want2.extend(last.map(str::to_string));
    assert_eq!(steps[0], want1, "{out}");
    assert_eq!(steps[1], want2, "{out}");
}

/// pybatfish's subnetMultipathConsistency, row 0: TCP 2.34.101.1:49152 →
/// 1.0.1.3:23 entering as2dept1 on GigabitEthernet0/0 — four traces over
/// eBGP, iBGP and OSPF: two DENIED_IN by `blocktelnet`, two
/// DELIVERED_TO_SUBNET at as1border1 through `INSIDE_TO_AS1`.
#[test]
fn bgp_paths_from_as2dept1_match_batfish() {
    let o = trace_snapshot(&[
        "@enter(as2dept1[GigabitEthernet0/0])",
        "1.0.1.3",
        "-p",
        "tcp",
        "--dst-port",
        "23",
        "--src-ip",
        "2.34.101.1",
        "--format",
        "batfish",
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let out = stdout(&o);
    let (_, total, traces) = parse_batfish(&out);
    assert_eq!((total, traces.len()), (4, 4), "{out}");
    let expect: [(&str, &[&str]); 4] = [
        (
            "DENIED_IN",
            &[
                "as2dept1[GigabitEthernet0/0→GigabitEthernet0/0]",
                "as2dist1[GigabitEthernet2/0→GigabitEthernet0/0]",
                "as2core1[GigabitEthernet2/0→]",
            ],
        ),
        (
            "DELIVERED_TO_SUBNET",
            &[
                "as2dept1[GigabitEthernet0/0→GigabitEthernet0/0]",
                "as2dist1[GigabitEthernet2/0→GigabitEthernet1/0]",
                "as2core2[GigabitEthernet3/0→GigabitEthernet1/0]",
                "as2border1[GigabitEthernet2/0→GigabitEthernet0/0]",
                "as1border1[GigabitEthernet1/0→GigabitEthernet0/0]",
            ],
        ),
        (
            "DELIVERED_TO_SUBNET",
            &[
                "as2dept1[GigabitEthernet0/0→GigabitEthernet1/0]",
                "as2dist2[GigabitEthernet2/0→GigabitEthernet0/0]",
                "as2core2[GigabitEthernet2/0→GigabitEthernet1/0]",
                "as2border1[GigabitEthernet2/0→GigabitEthernet0/0]",
                "as1border1[GigabitEthernet1/0→GigabitEthernet0/0]",
            ],
        ),
        (
            "DENIED_IN",
            &[
                "as2dept1[GigabitEthernet0/0→GigabitEthernet1/0]",
                "as2dist2[GigabitEthernet2/0→GigabitEthernet1/0]",
                "as2core1[GigabitEthernet3/0→]",
            ],
        ),
    ];
    for (i, (t, (disp, hops))) in traces.iter().zip(expect).enumerate() {
        assert_eq!(t.disposition, disp, "trace {}:\n{out}", i + 1);
        assert_eq!(hops_of(t), hops, "trace {}:\n{out}", i + 1);
    }
    // Each branch names the eBGP route it took, iBGP routes their BGP next
    // hop (as1border1's address), and as2border1's egress filter.
    let dept = |t: &BfTrace| t.hops[0].1.join(" ");
    assert!(
        dept(&traces[0]).contains("Routes: [bgp (Network: 1.0.1.0/24, Next Hop: ip 2.34.101.3)]"),
        "{out}"
    );
    assert!(
        dept(&traces[3]).contains("Routes: [bgp (Network: 1.0.1.0/24, Next Hop: ip 2.34.201.3)]"),
        "{out}"
    );
    assert!(
        traces[1].hops[1]
            .1
            .iter()
            .any(|s| s.ends_with("Routes: [ibgp (Network: 1.0.1.0/24, Next Hop: ip 10.12.11.1)])")),
        "{out}"
    );
    assert!(
        traces[1].hops[3]
            .1
            .contains(&"PERMITTED(INSIDE_TO_AS1 (EGRESS_FILTER))".to_string()),
        "{out}"
    );
    assert_eq!(
        last_step(&traces[1]),
        "DELIVERED_TO_SUBNET(Output Interface: GigabitEthernet0/0, Resolved Next Hop IP: 1.0.1.3)"
    );
}

#[test]
fn every_start_location_form_is_accepted() {
    // (START, extra flags, expected Flow: line prefix)
    let cases: [(&str, &[&str], &str); 6] = [
        (
            "2.1.2.2",
            &[],
            "start=as2core2 [2.1.2.2:49152->2.1.2.1:33434 UDP]",
        ),
        (
            "as2core2",
            &[],
            "start=as2core2 [2.1.2.2:49152->2.1.2.1:33434 UDP]",
        ),
        (
            "as2core2",
            &["--src-ip", "9.9.9.9"],
            "start=as2core2 [9.9.9.9:49152->2.1.2.1:33434 UDP]",
        ),
        (
            "as2core2[Gi0/0]",
            &[],
            "start=as2core2 [2.12.22.2:49152->2.1.2.1:33434 UDP]",
        ),
        (
            "@enter(as2core2[GigabitEthernet1/0])",
            &["--src-ip", "2.12.12.1"],
            "start=as2core2 interface=GigabitEthernet1/0 [2.12.12.1:49152->2.1.2.1:33434 UDP]",
        ),
        (
            "host1",
            &[],
            "start=host1 [2.128.0.101:49152->2.1.2.1:33434 UDP]",
        ),
    ];
    for (start, extra, flow) in cases {
        let mut args = vec![start, "as2core1", "--format", "batfish"];
        args.extend_from_slice(extra);
        let o = trace_snapshot(&args);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{start}: {}",
            stderr(&o)
        );
        let out = stdout(&o);
        let (f, total, traces) = parse_batfish(&out);
        assert_eq!(f, flow, "{start}:\n{out}");
        assert!(total >= 1 && !traces.is_empty(), "{start}:\n{out}");
    }
    // The table and JSON renderers take a snapshot trace too.
    let o = trace_snapshot(&["as2core2", "as2core1", "-p", "icmp", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["traceCount"], 4);
    assert_eq!(v["branches"][0]["hops"][0]["device"], "as2core2");
    let o = trace_snapshot(&["as2core2", "2.1.2.1"]);
    assert!(stdout(&o).contains("Branch 1/4"), "{}", stdout(&o));
}

#[test]
fn bad_start_locations_exit_2_with_a_precise_message() {
    let cases: [(&str, &[&str], &str); 8] = [
        (
            "as2core2[",
            &[],
            "invalid start location \"as2core2[\": no closing ]",
        ),
        (
            "@enter(as2core2)",
            &["--src-ip", "1.1.1.1"],
            "invalid start location \"@enter(as2core2)\": @enter needs an interface",
        ),
        (
            "@enter(as2core2[Gi0/0]",
            &["--src-ip", "1.1.1.1"],
            "expected @enter(NODE[INTERFACE])",
        ),
        (
            "nosuch",
            &[],
            "unknown node \"nosuch\" in the start location",
        ),
        ("nosuch[Gi0/0]", &[], "unknown node \"nosuch\""),
        (
            "as2core2[Gi9/9]",
            &[],
            "node as2core2 has no interface \"Gi9/9\" (interfaces: Loopback0",
        ),
        (
            "@enter(as2core2[Gi9/9])",
            &["--src-ip", "1.1.1.1"],
            "node as2core2 has no interface \"Gi9/9\"",
        ),
        (
            "@enter(as2core2[GigabitEthernet1/0])",
            &[],
            "needs --src-ip",
        ),
    ];
    for (start, extra, msg) in cases {
        let mut args = vec![start, "2.1.2.1"];
        args.extend_from_slice(extra);
        let o = trace_snapshot(&args);
        assert_eq!(o.status.code(), Some(2), "{start}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains(&format!("error: {msg}")) || e.contains(msg),
            "{start}: {e}"
        );
        assert!(stdout(&o).is_empty(), "{start}");
    }
    // The node list comes with an unknown node.
    let o = trace_snapshot(&["nosuch", "2.1.2.1"]);
    assert!(stderr(&o).contains("as2border1"), "{}", stderr(&o));
    // An unknown destination name.
    let o = trace_snapshot(&["as2core2", "nowhere"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("invalid destination \"nowhere\""),
        "{}",
        stderr(&o)
    );
    // Ports with ICMP.
    let o = trace_snapshot(&["as2core2", "2.1.2.1", "-p", "icmp", "--dst-port", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ports apply to tcp and udp only"));
    // --snapshot with --network.
    let o = trace_snapshot(&["--network", "x.yaml", "as2core2", "2.1.2.1"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn without_a_snapshot_start_and_destination_must_be_addresses() {
    let o = pathtrace(&["trace", "as2core2", "10.2.1.22"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains(
            "error: invalid source address 'as2core2' for '<START>': invalid IP address syntax"
        ),
        "{e}"
    );
    let o = pathtrace(&["trace", "10.1.15.117", "nowhere"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("invalid destination address 'nowhere'"),
        "{}",
        stderr(&o)
    );
    let o = pathtrace(&["trace", "10.1.15.117", "10.2.1.22", "--src-ip", "1.1.1.1"]);
    assert_eq!(o.status.code(), Some(2));
    // The Batfish text works on a model file or the demo too.
    let o = pathtrace(&[
        "trace",
        "10.10.22.114",
        "10.10.22.98",
        "--format",
        "batfish",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("Flow: start="), "{}", stdout(&o));
}
