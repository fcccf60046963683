//! The DNA Center view's inclusions: each fills exactly its fields with the
//! contract's JSON types (reference/dnac-api-contract.md §4.3), collected
//! telemetry reports missing data as FAILED with a reason, the simulated
//! source moves plausibly and deterministically, and ACL-TRACE shows the
//! engine's verdicts.

use std::collections::BTreeSet;
use std::path::Path;

use pathtrace_engine::view::acl_trace;
use pathtrace_engine::view::dnac::{self, Inclusions};
use pathtrace_engine::view::telemetry::{
    CollectedTelemetry, Direction, PerfQuery, SimulatedTelemetry, TelemetrySource,
};
use pathtrace_engine::{DataPlane, Flow, Protocol, Trace};
use serde_json::Value;

const NOW: i64 = 1_716_066_100_000;

fn demo() -> DataPlane {
    pathtrace_engine::build(&pathtrace_model::demo::demo().expect("demo loads"))
}

fn lab() -> (DataPlane, CollectedTelemetry) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/_networks/lab.yaml");
    let net = pathtrace_model::load_file(&path).expect("lab loads");
    assert!(
        !net.telemetry.is_empty(),
        "lab.yaml has a telemetry section"
    );
    let dp = pathtrace_engine::build(&net);
    let t = CollectedTelemetry::new(&dp, &net.telemetry);
    (dp, t)
}

fn flow(src: &str, dst: &str, protocol: Option<Protocol>, dst_port: Option<u16>) -> Flow {
    Flow {
        src: src.parse().unwrap(),
        dst: dst.parse().unwrap(),
        protocol,
        src_port: None,
        dst_port,
    }
}

fn trace(dp: &DataPlane, f: &Flow) -> Trace {
    pathtrace_engine::trace(dp, f).expect("trace")
}

/// The shown path with `inc`, as JSON text parsed back (so number types
/// are what a client sees).
fn elements(
    dp: &DataPlane,
    t: &Trace,
    inc: Inclusions,
    telemetry: &dyn TelemetrySource,
) -> Vec<Value> {
    let b = &t.branches[dnac::select_branch(t).expect("a branch")];
    let e = dnac::network_elements_with(dp, &t.flow, b, inc, telemetry, NOW);
    let text = serde_json::to_string(&e).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Every interface object of an element.
fn interfaces(e: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for side in ["ingressInterface", "egressInterface"] {
        if let Some(c) = e.get(side) {
            out.extend(c.get("physicalInterface"));
            if let Some(v) = c.get("virtualInterface").and_then(Value::as_array) {
                out.extend(v);
            }
        }
    }
    out
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(ToString::to_string).collect()
}

#[test]
fn no_inclusions_is_the_plain_view() {
    let dp = demo();
    let t = trace(&dp, &flow("10.1.15.117", "10.2.1.22", None, None));
    let b = &t.branches[dnac::select_branch(&t).unwrap()];
    assert_eq!(
        dnac::network_elements_with(
            &dp,
            &t.flow,
            b,
            Inclusions::default(),
            &SimulatedTelemetry,
            NOW
        ),
        dnac::network_elements(&dp, b)
    );
}

/// Each inclusion alone adds exactly its fields, only on device elements
/// (and, for ACL-TRACE, the cloud's detailedStatus), and changes nothing else.
#[test]
fn each_inclusion_fills_exactly_its_fields() {
    let dp = demo();
    // The APIC-EM seed: wireless host, AP (no interfaces), CAPWAP, WLC,
    // a cloud, WAN-IN's partial telnet deny (no ports given).
    let t = trace(&dp, &flow("10.1.15.117", "10.2.1.22", None, None));
    let base = elements(&dp, &t, Inclusions::default(), &SimulatedTelemetry);
    let cases: [(Inclusions, &[&str], &[&str]); 5] = [
        (
            Inclusions {
                device_stats: true,
                ..Inclusions::default()
            },
            &["deviceStatistics", "deviceStatsCollection"],
            &[],
        ),
        (
            Inclusions {
                performance_stats: true,
                ..Inclusions::default()
            },
            &["perfMonitorStatistics", "perfMonCollection"],
            &[],
        ),
        (
            Inclusions {
                interface_stats: true,
                ..Inclusions::default()
            },
            &[],
            &["interfaceStatistics", "interfaceStatsCollection"],
        ),
        (
            Inclusions {
                qos_stats: true,
                ..Inclusions::default()
            },
            &[],
            &["qosStatistics", "qosStatsCollection"],
        ),
        (
            Inclusions {
                acl_trace: true,
                ..Inclusions::default()
            },
            &["detailedStatus", "accuracyList"],
            &["aclAnalysis"],
        ),
    ];
    for (inc, element_fields, interface_fields) in cases {
        let got = elements(&dp, &t, inc, &SimulatedTelemetry);
        assert_eq!(got.len(), base.len());
        let mut added_e = BTreeSet::new();
        let mut added_i = BTreeSet::new();
        for (g, b) in got.iter().zip(&base) {
            let extra: BTreeSet<String> = keys(g).difference(&keys(b)).cloned().collect();
            let is_device = b.get("name").is_some_and(|n| n != "UNKNOWN");
            let is_cloud = b.get("name").is_some_and(|n| n == "UNKNOWN");
            if !is_device {
                let allowed = if is_cloud && inc.acl_trace {
                    set(&["detailedStatus"])
                } else {
                    BTreeSet::new()
                };
                assert_eq!(extra, allowed, "{inc:?}: a host or cloud got {extra:?}");
            }
            assert!(g.get("deviceStatistics").is_none() || is_device);
            added_e.extend(extra);
            for (gi, bi) in interfaces(g).into_iter().zip(interfaces(b)) {
                added_i.extend(keys(gi).difference(&keys(bi)).cloned());
            }
            // Strip what was added: the rest is the plain element.
            let mut stripped = g.clone();
            strip(&mut stripped, element_fields, interface_fields);
            assert_eq!(&stripped, b, "{inc:?} changed more than its fields");
        }
        assert_eq!(added_e, set(element_fields), "{inc:?}: element fields");
        assert_eq!(added_i, set(interface_fields), "{inc:?}: interface fields");
    }
}

/// Remove these fields from an element and its interfaces.
fn strip(e: &mut Value, element_fields: &[&str], interface_fields: &[&str]) {
    let m = e.as_object_mut().unwrap();
    for k in element_fields {
        m.remove(*k);
    }
    for side in ["ingressInterface", "egressInterface"] {
        let Some(Value::Object(c)) = m.get_mut(side) else {
            continue;
        };
        let mut refs: Vec<&mut Value> = Vec::new();
        for (k, v) in c.iter_mut() {
            match (k.as_str(), v) {
                ("physicalInterface", v) => refs.push(v),
                ("virtualInterface", Value::Array(a)) => refs.extend(a.iter_mut()),
                _ => {}
            }
        }
        for r in refs {
            for k in interface_fields {
                r.as_object_mut().unwrap().remove(*k);
            }
        }
    }
}

const STRINGS: &[&str] = &[
    "deviceStatsCollection",
    "deviceStatsCollectionFailureReason",
    "perfMonCollection",
    "perfMonCollectionFailureReason",
    "interfaceStatsCollection",
    "interfaceStatsCollectionFailureReason",
    "qosStatsCollection",
    "qosStatsCollectionFailureReason",
    "aclTraceCalculation",
    "aclTraceCalculationFailureReason",
    "adminStatus",
    "operationalStatus",
    "classMapName",
    "queueBandwidthbps",
    "sourceIpAddress",
    "destIpAddress",
    "sourcePort",
    "destPort",
    "protocol",
    "inputInterface",
    "outputInterface",
    "ipv4DSCP",
    "aclName",
    "result",
    "ace",
    "reason",
];
const INTEGERS: &[&str] = &[
    "refreshedAt",
    "memoryUsage",
    "totalMemory",
    "inputPackets",
    "inputQueueCount",
    "inputQueueDrops",
    "inputQueueFlushes",
    "inputQueueMaxDepth",
    "inputRatebps",
    "outputDrop",
    "outputPackets",
    "outputQueueCount",
    "outputQueueDepth",
    "outputRatebps",
    "dropRate",
    "numBytes",
    "numPackets",
    "offeredRate",
    "queueDepth",
    "queueNoBufferDrops",
    "queueTotalDrops",
    "byteRate",
    "packetBytes",
    "packetCount",
    "packetLoss",
    "ipv4TTL",
    "rtpJitterMin",
    "rtpJitterMean",
    "rtpJitterMax",
    "percent",
];
const FLOATS: &[&str] = &[
    "fiveSecsUsageInPercentage",
    "oneMinUsageInPercentage",
    "fiveMinUsageInPercentage",
    "packetLossPercentage",
];
const STRING_LISTS: &[&str] = &["sourcePorts", "destPorts"];
const OBJECTS: &[&str] = &[
    "deviceStatistics",
    "cpuStatistics",
    "memoryStatistics",
    "interfaceStatistics",
    "aclAnalysis",
    "detailedStatus",
];
const LISTS: &[&str] = &[
    "qosStatistics",
    "perfMonitorStatistics",
    "matchingAces",
    "matchingPorts",
    "ports",
    "accuracyList",
];

/// Walk the JSON and check the type of every inclusion field; returns the
/// inclusion field names seen.
fn check_types(v: &Value, path: &str, seen: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{path}.{k}");
                let k = k.as_str();
                if STRINGS.contains(&k) {
                    assert!(x.is_string(), "{p} should be a string: {x}");
                } else if INTEGERS.contains(&k) {
                    assert!(x.is_u64() || x.is_i64(), "{p} should be an integer: {x}");
                } else if FLOATS.contains(&k) {
                    assert!(x.is_f64(), "{p} should be a float: {x}");
                } else if STRING_LISTS.contains(&k) {
                    assert!(
                        x.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
                        "{p} should be a list of strings: {x}"
                    );
                } else if OBJECTS.contains(&k) {
                    assert!(x.is_object(), "{p} should be an object: {x}");
                } else if LISTS.contains(&k) {
                    assert!(x.is_array(), "{p} should be a list: {x}");
                } else {
                    continue_walk(x, &p, seen);
                    continue;
                }
                seen.insert(k.to_string());
                continue_walk(x, &p, seen);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                check_types(x, &format!("{path}[{i}]"), seen);
            }
        }
        _ => {}
    }
}

fn continue_walk(x: &Value, p: &str, seen: &mut BTreeSet<String>) {
    if x.is_object() || x.is_array() {
        check_types(x, p, seen);
    }
}

#[test]
fn json_types_follow_the_contract() {
    let dp = demo();
    let mut seen = BTreeSet::new();
    for f in [
        flow("10.10.22.114", "10.10.22.98", None, None),
        flow("10.1.15.117", "10.2.1.22", Some(Protocol::Udp), Some(5004)),
        flow("10.1.13.25", "10.2.1.22", None, None),
        flow("10.1.13.25", "10.2.1.22", Some(Protocol::Tcp), Some(23)),
    ] {
        let t = trace(&dp, &f);
        let e = elements(&dp, &t, Inclusions::all(), &SimulatedTelemetry);
        check_types(&Value::Array(e), "elements", &mut seen);
    }
    let (lab, collected) = lab();
    let t = trace(
        &lab,
        &flow("10.0.100.10", "10.6.1.1", Some(Protocol::Tcp), Some(443)),
    );
    let e = elements(&lab, &t, Inclusions::all(), &collected);
    check_types(&Value::Array(e), "lab", &mut seen);
    // Every field of the contract's statistics types was produced and checked.
    for k in STRINGS
        .iter()
        .chain(INTEGERS)
        .chain(FLOATS)
        .chain(STRING_LISTS)
        .chain(OBJECTS)
        .chain(LISTS)
    {
        assert!(seen.contains(*k), "no case produced {k}");
    }
    // The percentages are floats even when whole: "27.0", not "27".
    let text = serde_json::to_string(&dnac::network_elements_with(
        &lab,
        &t.flow,
        &t.branches[0],
        Inclusions {
            device_stats: true,
            ..Inclusions::default()
        },
        &collected,
        NOW,
    ))
    .unwrap();
    assert!(
        text.contains("\"fiveSecsUsageInPercentage\":29.0"),
        "{text}"
    );
}

#[test]
fn collected_telemetry_reports_missing_data() {
    let (dp, collected) = lab();
    let t = trace(
        &dp,
        &flow("10.0.100.10", "10.6.1.1", Some(Protocol::Tcp), Some(443)),
    );
    let e = elements(&dp, &t, Inclusions::all(), &collected);
    let by_name = |n: &str| {
        e.iter()
            .find(|x| x["name"] == n)
            .unwrap_or_else(|| panic!("no {n}"))
    };
    // The latest of R1's two samples.
    let r1 = by_name("R1");
    assert_eq!(r1["deviceStatsCollection"], "SUCCESS");
    assert_eq!(
        r1["deviceStatistics"]["cpuStatistics"]["fiveSecsUsageInPercentage"],
        12.5
    );
    assert_eq!(
        r1["deviceStatistics"]["cpuStatistics"]["refreshedAt"],
        1_716_066_090_000_i64
    );
    assert!(r1.get("deviceStatsCollectionFailureReason").is_none());
    let perf = r1["perfMonitorStatistics"].as_array().unwrap();
    assert_eq!(
        perf.len(),
        1,
        "the latest record of the flow only: {perf:?}"
    );
    assert_eq!(perf[0]["byteRate"], 125_000);
    assert_eq!(perf[0]["inputInterface"], "GigabitEthernet0/0.100");
    // SW2: CPU but no memory — FAILED, and no half-made statistics.
    let sw2 = by_name("SW2");
    assert_eq!(sw2["deviceStatsCollection"], "FAILED");
    assert_eq!(
        sw2["deviceStatsCollectionFailureReason"],
        "no memory statistics were collected from SW2"
    );
    assert!(sw2.get("deviceStatistics").is_none());
    // SW2 has flow records, none of this flow: an empty success.
    assert_eq!(sw2["perfMonCollection"], "SUCCESS");
    assert_eq!(sw2["perfMonitorStatistics"], Value::Array(vec![]));
    let egress = &sw2["egressInterface"]["physicalInterface"];
    assert_eq!(egress["interfaceStatsCollection"], "FAILED");
    assert_eq!(
        egress["interfaceStatsCollectionFailureReason"],
        "no interface statistics were collected for SW2 GigabitEthernet1/0/2"
    );
    assert!(egress.get("interfaceStatistics").is_none());
    // R3: nothing at all.
    let r3 = by_name("R3");
    assert_eq!(
        r3["deviceStatsCollectionFailureReason"],
        "no CPU or memory statistics were collected from R3"
    );
    assert_eq!(
        r3["perfMonCollectionFailureReason"],
        "no performance-monitor records were collected from R3"
    );
    let ingress = &r3["ingressInterface"]["physicalInterface"];
    assert_eq!(
        ingress["qosStatsCollectionFailureReason"],
        "no input QoS statistics were collected for R3 GigabitEthernet0/6"
    );
    // A figure the sample lacks is absent, never zero.
    let sw2_in = &sw2["ingressInterface"]["physicalInterface"]["interfaceStatistics"];
    assert!(sw2_in.get("inputRatebps").is_none(), "{sw2_in}");
    // Hosts carry no statistics.
    for h in e.iter().filter(|x| x.get("name").is_none()) {
        assert!(h.get("deviceStatistics").is_none() && h.get("deviceStatsCollection").is_none());
    }
    // An empty telemetry section fails everything, with reasons.
    let empty = CollectedTelemetry::new(&dp, &pathtrace_model::Telemetry::default());
    assert!(empty.is_empty());
    let r = empty.device_stats(&dp, dp.device_index("R1").unwrap(), NOW);
    assert_eq!(
        r,
        Err("no CPU or memory statistics were collected from R1".to_string())
    );
}

fn acl_of(e: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for side in ["ingressInterface", "egressInterface"] {
        let Some(c) = e.get(side) else { continue };
        let mut refs: Vec<&Value> = c.get("physicalInterface").into_iter().collect();
        if let Some(v) = c.get("virtualInterface").and_then(Value::as_array) {
            refs.extend(v);
        }
        for r in refs {
            if let Some(a) = r.get("aclAnalysis") {
                out.push((format!("{side} {}", r["name"].as_str().unwrap()), a.clone()));
            }
        }
    }
    out
}

#[test]
fn acl_trace_on_a_denied_flow() {
    let dp = demo();
    let t = trace(
        &dp,
        &flow("10.1.13.25", "10.2.1.22", Some(Protocol::Tcp), Some(23)),
    );
    let inc = Inclusions {
        acl_trace: true,
        ..Inclusions::default()
    };
    let e = elements(&dp, &t, inc, &SimulatedTelemetry);
    // The partial path: it ends where the packet was dropped.
    let last = e.last().unwrap();
    assert_eq!(last["name"], "Branch-Router2");
    assert!(last.get("egressInterface").is_none());
    assert_eq!(last["detailedStatus"]["aclTraceCalculation"], "SUCCESS");
    let acls = acl_of(last);
    assert_eq!(acls.len(), 1);
    assert_eq!(acls[0].0, "ingressInterface GigabitEthernet0/0");
    let a = &acls[0].1;
    assert_eq!(a["aclName"], "WAN-IN");
    assert_eq!(a["result"], "DENY");
    assert_eq!(
        a["matchingAces"],
        serde_json::json!([{
            "ace": "deny tcp any 10.2.1.16 0.0.0.15 eq telnet",
            "result": "DENY",
            "matchingPorts": [{"protocol": "TCP", "ports": [{"sourcePorts": ["ANY"], "destPorts": ["23"]}]}]
        }])
    );
    assert!(last.get("accuracyList").is_none(), "the ports were given");
    // No other element has an ACL.
    assert_eq!(e.iter().map(|x| acl_of(x).len()).sum::<usize>(), 1);
    assert_eq!(
        dnac::detailed_status(t.branches.first()),
        acl_trace::DetailedStatus::success()
    );
}

#[test]
fn acl_trace_on_a_flow_permitted_by_an_ace() {
    let dp = demo();
    let t = trace(
        &dp,
        &flow("10.1.13.25", "10.2.1.22", Some(Protocol::Tcp), Some(443)),
    );
    let inc = Inclusions {
        acl_trace: true,
        ..Inclusions::default()
    };
    let e = elements(&dp, &t, inc, &SimulatedTelemetry);
    assert_eq!(e.last().unwrap()["ip"], "10.2.1.22", "the packet arrives");
    let br2 = e.iter().find(|x| x["name"] == "Branch-Router2").unwrap();
    let acls = acl_of(br2);
    assert_eq!(acls.len(), 1);
    let a = &acls[0].1;
    assert_eq!(a["result"], "PERMIT");
    assert_eq!(
        a["matchingAces"][0]["ace"],
        "permit tcp any host 10.2.1.22 eq 443"
    );
    assert_eq!(a["matchingAces"][0]["result"], "PERMIT");
    assert_eq!(
        a["matchingAces"][0]["matchingPorts"][0]["ports"][0]["destPorts"][0],
        "443"
    );
    assert_eq!(a["matchingAces"].as_array().unwrap().len(), 1);
}

#[test]
fn acl_trace_partial_match_without_ports() {
    let dp = demo();
    let t = trace(&dp, &flow("10.1.13.25", "10.2.1.22", None, None));
    let inc = Inclusions {
        acl_trace: true,
        ..Inclusions::default()
    };
    let e = elements(&dp, &t, inc, &SimulatedTelemetry);
    let br2 = e.iter().find(|x| x["name"] == "Branch-Router2").unwrap();
    let a = &acl_of(br2)[0].1;
    assert_eq!(a["result"], "PERMIT");
    let aces = a["matchingAces"].as_array().unwrap();
    assert_eq!(aces.len(), 2);
    assert_eq!(aces[0]["ace"], "deny tcp any 10.2.1.16 0.0.0.15 eq telnet");
    assert_eq!(aces[0]["result"], "PARTIAL_MATCH");
    assert_eq!(
        aces[0]["matchingPorts"][0]["ports"][0]["destPorts"],
        serde_json::json!(["23"])
    );
    assert_eq!(aces[1]["ace"], "permit ip any any");
    assert_eq!(aces[1]["result"], "PERMIT");
    let notes = br2["accuracyList"].as_array().expect("an accuracy note");
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["percent"], 50);
    let reason = notes[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("WAN-IN inbound on Branch-Router2 GigabitEthernet0/0"),
        "{reason}"
    );
    assert!(
        reason.ends_with("enter ports for an exact ACL result"),
        "{reason}"
    );
    // The cloud's ACLs are unknown.
    let cloud = e.iter().find(|x| x["name"] == "UNKNOWN").unwrap();
    assert_eq!(cloud["detailedStatus"]["aclTraceCalculation"], "FAILED");
    assert!(
        cloud["detailedStatus"]["aclTraceCalculationFailureReason"]
            .as_str()
            .unwrap()
            .contains("unmanaged cloud")
    );
}

#[test]
fn acl_ports_and_implicit_deny() {
    // A small router with an outbound ACL: neq, range and the implicit deny.
    // Sources and destinations are unmodelled addresses in its subnets.
    let text = "name: acl
devices:
  - hostname: R1
    management_ip: 10.0.0.1
    family: Routers
    interfaces:
      - {name: Gi0/0, ip: 10.0.1.1/24}
      - {name: Gi0/1, ip: 10.0.2.1/24, acl_out: OUT}
    acls:
      - name: OUT
        entries:
          - 10 deny udp any any neq 53
          - 20 permit tcp any range 1000 2000 any
          - 30 permit udp any any
";
    let net = pathtrace_model::load_str(text, "acl.yaml").expect("loads");
    let dp = pathtrace_engine::build(&net);
    let inc = Inclusions {
        acl_trace: true,
        ..Inclusions::default()
    };
    let run = |f: Flow| {
        let t = trace(&dp, &f);
        let e = elements(&dp, &t, inc, &SimulatedTelemetry);
        e.iter()
            .flat_map(acl_of)
            .map(|(_, a)| a)
            .next()
            .expect("an ACL verdict")
    };
    // UDP without ports: permitted by entry 30, but the neq deny before it
    // would deny most ports: a partial match.
    let a = run(flow("10.0.1.5", "10.0.2.9", Some(Protocol::Udp), None));
    assert_eq!(a["result"], "PERMIT");
    assert_eq!(a["matchingAces"][0]["result"], "PARTIAL_MATCH");
    assert_eq!(
        a["matchingAces"][0]["matchingPorts"][0]["ports"][0]["destPorts"],
        serde_json::json!(["0-52", "54-65535"])
    );
    assert_eq!(a["matchingAces"][1]["ace"], "30 permit udp any any");
    assert_eq!(a["matchingAces"][1]["result"], "PERMIT");
    // UDP to port 53: the deny does not apply, exactly.
    let a = run(flow("10.0.1.5", "10.0.2.9", Some(Protocol::Udp), Some(53)));
    assert_eq!(a["matchingAces"].as_array().unwrap().len(), 1);
    // TCP from port 1500: permitted by the range entry, the given port shown.
    let mut f = flow("10.0.1.5", "10.0.2.9", Some(Protocol::Tcp), Some(80));
    f.src_port = Some(1500);
    let a = run(f);
    assert_eq!(a["result"], "PERMIT");
    assert_eq!(
        a["matchingAces"][0]["ace"],
        "20 permit tcp any range 1000 2000 any"
    );
    assert_eq!(
        a["matchingAces"][0]["matchingPorts"][0]["ports"][0],
        serde_json::json!({"sourcePorts": ["1500"], "destPorts": ["80"]})
    );
    // TCP without ports: the range entry is partial for a permit, the verdict the implicit deny.
    let a = run(flow("10.0.1.5", "10.0.2.9", Some(Protocol::Tcp), None));
    assert_eq!(a["result"], "DENY");
    assert_eq!(a["matchingAces"][1]["ace"], "implicit deny ip any any");
    assert_eq!(a["matchingAces"][1]["result"], "DENY");
    assert_eq!(
        a["matchingAces"][0]["matchingPorts"][0]["ports"][0]["sourcePorts"],
        serde_json::json!(["1000-2000"])
    );
    // ICMP: no ports at all.
    let a = run(flow("10.0.1.5", "10.0.2.9", Some(Protocol::Icmp), None));
    assert_eq!(a["matchingAces"][0]["matchingPorts"][0]["protocol"], "ICMP");
    assert_eq!(
        a["matchingAces"][0]["matchingPorts"][0]["ports"],
        serde_json::json!([])
    );
}

#[test]
fn simulated_telemetry_is_deterministic_and_plausible() {
    let dp = demo();
    let sim = SimulatedTelemetry;
    let traced = flow("10.10.22.114", "10.10.22.98", None, None);
    for dev in 0..dp.devices.len() as u32 {
        let mut last_packets = 0;
        for step in 0..2000_i64 {
            // Every 7 s for ~4 h, then a jump of days.
            let now = NOW + step * 7_000 + if step > 1500 { 86_400_000 * step } else { 0 };
            let stats = sim.device_stats(&dp, dev, now).unwrap();
            assert_eq!(
                stats,
                sim.device_stats(&dp, dev, now).unwrap(),
                "deterministic"
            );
            let cpu = &stats.cpu_statistics;
            for x in [
                cpu.five_secs_usage_in_percentage,
                cpu.one_min_usage_in_percentage,
                cpu.five_min_usage_in_percentage,
            ] {
                assert!((3.0..=40.0).contains(&x), "CPU {x}");
            }
            let mem = &stats.memory_statistics;
            assert!(mem.memory_usage > 0 && mem.memory_usage < mem.total_memory);
            assert_eq!(cpu.refreshed_at, now);
            let iface = dp.devices[dev as usize].interfaces[0];
            let packets = sim
                .interface_stats(&dp, iface, now)
                .unwrap()
                .input_packets
                .unwrap();
            assert!(packets >= last_packets, "counters never go back");
            last_packets = packets;
        }
    }
    // Figures move with time.
    let core = dp.device_index("cs3850.abc.inc").unwrap();
    let early = sim.device_stats(&dp, core, NOW).unwrap();
    let later = sim.device_stats(&dp, core, NOW + 1_800_000).unwrap();
    let delta = early.cpu_statistics.five_min_usage_in_percentage
        - later.cpu_statistics.five_min_usage_in_percentage;
    assert!(delta.abs() > 0.05, "CPU moves over half an hour");
    let iface = dp.devices[core as usize].interfaces[1];
    let q1 = sim.qos_stats(&dp, iface, Direction::Output, NOW).unwrap();
    let q2 = sim
        .qos_stats(&dp, iface, Direction::Output, NOW + 60_000)
        .unwrap();
    assert!(q2[0].num_packets > q1[0].num_packets);
    assert_ne!(
        q1,
        sim.qos_stats(&dp, iface, Direction::Input, NOW).unwrap()
    );
    // A flow record per device, of the traced flow, TTL dropping per hop.
    let q = PerfQuery {
        flow: &traced,
        protocol: Some(Protocol::Udp),
        ingress: None,
        egress: None,
        position: 3,
    };
    let r = sim.perf_monitor_stats(&dp, core, &q, NOW).unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!((r[0].protocol.as_str(), r[0].ipv4_ttl), ("UDP", Some(61)));
    assert_eq!(r[0].source_ip_address, "10.10.22.114");
    let (min, mean, max) = (
        r[0].rtp_jitter_min.unwrap(),
        r[0].rtp_jitter_mean.unwrap(),
        r[0].rtp_jitter_max.unwrap(),
    );
    assert!(min <= mean && mean <= max);
}

#[test]
fn inclusions_parse() {
    let all = Inclusions::parse(&Inclusions::NAMES).unwrap();
    assert_eq!(all, Inclusions::all());
    assert_eq!(all.names(), Inclusions::NAMES.to_vec());
    assert!(Inclusions::default().is_empty());
    let inc = Inclusions::parse(&["device_stats", "acl-trace", "DEVICE-STATS"]).unwrap();
    assert_eq!(inc.names(), vec!["DEVICE-STATS", "ACL-TRACE"]);
    let err = Inclusions::parse(&["PERF-MONITOR-STATS"]).unwrap_err();
    assert_eq!(
        err,
        "unknown inclusion \"PERF-MONITOR-STATS\"; expected any of INTERFACE-STATS, QOS-STATS, DEVICE-STATS, PERFORMANCE-STATS, ACL-TRACE"
    );
    assert_eq!(
        Inclusions::parse_lenient(&["PERF-MONITOR-STATS", "QOS-STATS"]).names(),
        vec!["QOS-STATS"]
    );
    assert!(Inclusions::parse::<&str>(&[]).unwrap().is_empty());
}

#[test]
fn top_level_detailed_status_and_response() {
    let failed = dnac::detailed_status(None);
    assert_eq!(failed.acl_trace_calculation, "FAILED");
    assert!(failed.acl_trace_calculation_failure_reason.is_some());
    assert_eq!(
        serde_json::to_value(dnac::detailed_status(None)).unwrap()["aclTraceCalculation"],
        "FAILED"
    );
    let dp = demo();
    let t = trace(&dp, &flow("10.10.22.114", "10.10.22.98", None, None));
    let info = dnac::AnalysisInfo {
        id: "x".into(),
        create_time: NOW,
        last_update_time: NOW,
        periodic_refresh: false,
        inclusions: vec!["DEVICE-STATS".into()],
    };
    // `response` fills no inclusion blocks; `response_with` does.
    let plain = dnac::response(&dp, &t, &info);
    assert!(
        plain["networkElementsInfo"][1]
            .get("deviceStatistics")
            .is_none()
    );
    assert_eq!(
        plain["detailedStatus"],
        serde_json::json!({"aclTraceCalculation": "SUCCESS"})
    );
    let inc = Inclusions::parse(&info.inclusions).unwrap();
    let full = dnac::response_with(&dp, &t, &info, inc, &SimulatedTelemetry, NOW);
    assert_eq!(
        full["networkElementsInfo"][1]["deviceStatsCollection"],
        "SUCCESS"
    );
    assert!(
        full["networkElementsInfo"][0]
            .get("deviceStatsCollection")
            .is_none(),
        "host"
    );
    assert_eq!(
        full["request"]["inclusions"],
        serde_json::json!(["DEVICE-STATS"])
    );
}
