//! Parsing without a server: the seeds' recorded answers, the contract's
//! examples and error bodies, and the type drifts real controllers show.

use pathtrace_client::flow::{AnalysisStatus, FlowAnalysisStarted, PathResponse, Run};
use pathtrace_client::inventory::{Device, Topology};
use pathtrace_client::{ApiErrorBody, FlowAnalysis, FlowAnalysisRequest, Inclusion, Task};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// `{"response": T, "version"}`.
#[derive(Deserialize)]
struct Envelope<T> {
    response: T,
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse<T: DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn wrapped<T: DeserializeOwned>(text: &str) -> T {
    parse::<Envelope<T>>(text).response
}

/// `name: ip` per element, `None` for hosts, as the notebooks print them.
fn printed(r: &PathResponse) -> Vec<String> {
    r.network_elements_info
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e.name.as_deref().unwrap_or("None"),
                e.ip.as_deref().unwrap_or("None")
            )
        })
        .collect()
}

// ------------------------------------------------------------------ seeds

#[test]
fn apic_em_seed_initiate_task_and_result_parse() {
    let started: FlowAnalysisStarted = wrapped(&fixture("apic-em-initiate.json"));
    assert_eq!(
        started.flow_analysis_id,
        "4a5982e2-a4a6-4530-8996-9c00f5c6f97c"
    );
    assert_eq!(started.task_id, "1dc5bec8-a394-4336-bf95-7c6139d0f815");
    assert_eq!(
        started.url.as_deref(),
        Some("/api/v1/flow-analysis/4a5982e2-a4a6-4530-8996-9c00f5c6f97c")
    );

    let task: Task = parse(&fixture("apic-em-task.json"));
    assert!(task.is_done() && !task.is_error);
    assert_eq!(task.id, started.task_id);
    assert_eq!(task.root_id.as_deref(), Some(task.id.as_str()));
    assert_eq!(
        task.progress.as_deref(),
        Some(started.flow_analysis_id.as_str())
    );
    assert_eq!(task.start_time, Some(1_498_403_858_628));
    assert_eq!(task.end_time, Some(1_498_403_866_489));
    assert_eq!(task.version, Some(1_498_403_866_479));
    assert_eq!(
        task.service_type.as_deref(),
        Some("Policy Analysis Service")
    );
    assert_eq!(task.failure_reason, None);

    let result: PathResponse = parse(&fixture("apic-em-result-head.json"));
    let req = &result.request;
    assert_eq!(req.id, started.flow_analysis_id);
    assert_eq!(req.status, AnalysisStatus::Completed);
    assert_eq!(
        (req.source_ip.as_str(), req.dest_ip.as_str()),
        ("10.1.15.117", "10.2.1.22")
    );
    assert_eq!(req.periodic_refresh, Some(false));
    assert_eq!(req.create_time, Some(1_498_403_858_628));
    assert_eq!(req.last_update_time, Some(1_498_403_866_483));
    assert_eq!(
        result.last_update.as_deref(),
        Some("Sun Jun 25 15:18:58 UTC 2017")
    );
    assert_eq!(
        result
            .detailed_status
            .as_ref()
            .and_then(|d| d.acl_trace_calculation.as_deref()),
        Some("SUCCESS")
    );
    let path = fixture("apic-em-path.txt");
    let expected: Vec<&str> = path.lines().collect();
    assert_eq!(expected.len(), 12, "the seed's whole path");
    assert_eq!(printed(&result), expected[..2]);
    let host = &result.network_elements_info[0];
    assert!(host.is_host());
    assert_eq!(host.element_type.as_deref(), Some("wireless"));
    assert_eq!(host.link_information_source.as_deref(), Some("Switched"));
    let ap = &result.network_elements_info[1];
    assert_eq!(ap.tunnels, ["CAPWAP Tunnel"]);
    assert_eq!(ap.element_type.as_deref(), Some("Unified AP"));
    assert_eq!(ap.role.as_deref(), Some("ACCESS"));
    assert!(ap.ingress_interface.is_none() && ap.device_statistics.is_none());
}

#[test]
fn dnac_seed_initiate_task_and_result_parse() {
    let started: FlowAnalysisStarted = wrapped(&fixture("dnac-initiate.json"));
    assert_eq!(started.task_id, "e9e9335d-8ff6-4c26-82fa-13ba1d8e812e");
    assert_eq!(
        started.flow_analysis_id,
        "7a672a66-5baa-4f39-ba54-1066f49b876f"
    );
    let task: Task = parse(&fixture("dnac-task.json"));
    assert!(task.is_done() && !task.is_error);
    assert_eq!(
        task.progress.as_deref(),
        Some(started.flow_analysis_id.as_str())
    );
    assert_eq!(task.end_time, Some(1_516_598_584_252));

    let result: PathResponse = parse(&fixture("dnac-result-head.json"));
    // No `request` in the printed head: defaults, not an error.
    assert_eq!(result.request, FlowAnalysis::default());
    let els = &result.network_elements_info;
    assert_eq!(els.len(), 2);
    assert_eq!(els[0].ip.as_deref(), Some("10.10.22.114"));
    assert_eq!(els[0].link_information_source.as_deref(), Some("Wired"));
    assert!(els[0].is_host());
    let ingress = els[1].ingress_interface.as_ref().unwrap();
    assert_eq!(
        ingress.physical_interface.as_ref().unwrap().name.as_deref(),
        Some("TenGigabitEthernet1/0/24")
    );
    assert_eq!(ingress.virtual_interface.len(), 1);
    assert_eq!(ingress.virtual_interface[0].name.as_deref(), Some("Vlan1"));
    assert_eq!(
        ingress.virtual_interface[0].id.as_deref(),
        Some("631365df-5b91-437f-9b54-1299b8316cb4")
    );
    let egress = els[1].egress_interface.as_ref().unwrap();
    assert!(egress.virtual_interface.is_empty());
    assert_eq!(
        egress.physical_interface.as_ref().unwrap().id.as_deref(),
        Some("a385c26c-8d6c-4efa-9cac-1a2febddc789")
    );
    assert_eq!(fixture("dnac-path.txt").lines().count(), 5);
}

// --------------------------------------------------------------- contract

#[test]
fn contract_sample_with_device_stats_parses() {
    let r: PathResponse = wrapped(&fixture("contract-result-device-stats.json"));
    assert_eq!(r.request.status, AnalysisStatus::Completed);
    assert_eq!(r.request.inclusions, ["DEVICE-STATS"]);
    assert_eq!(r.request.control_path, Some(false));
    assert_eq!(r.properties, Vec::<String>::new());
    assert_eq!(
        printed(&r),
        [
            "None: 10.1.15.117",
            "CAMPUS-Access1: 10.1.12.1",
            "None: 10.2.1.22"
        ]
    );
    let sw = &r.network_elements_info[1];
    assert_eq!(
        sw.id.as_deref(),
        Some("26450a30-4a3e-4bd2-a5cf-4e2e0b5fbd8e")
    );
    assert!(sw.tunnels.is_empty());
    assert_eq!(sw.device_stats_collection.as_deref(), Some("SUCCESS"));
    let stats = sw.device_statistics.as_ref().unwrap();
    let cpu = stats.cpu_statistics.as_ref().unwrap();
    assert_eq!(cpu.five_secs_usage_in_percentage, Some(29.0));
    assert_eq!(cpu.five_min_usage_in_percentage, Some(27.0));
    assert_eq!(cpu.refreshed_at, Some(1_716_066_093_635));
    let mem = stats.memory_statistics.as_ref().unwrap();
    assert_eq!(mem.memory_usage, Some(259_753_752));
    assert_eq!(mem.total_memory, Some(777_950_464));
    let ingress = sw.ingress_interface.as_ref().unwrap();
    let phys = ingress.physical_interface.as_ref().unwrap();
    assert_eq!(phys.vrf_name.as_deref(), Some("global"));
    assert_eq!(phys.id.as_deref(), Some("3b2f…"));
    // Hosts carry no statistics.
    assert!(r.network_elements_info[2].device_statistics.is_none());
}

#[test]
fn contract_login_and_initiate_answers_parse() {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Ticket {
        service_ticket: String,
    }
    let t: Ticket = wrapped(&fixture("contract-ticket.json"));
    assert_eq!(t.service_ticket, "ST-415-HpemSXpzSnTAYFQIqTNQ-cas");
    let s: FlowAnalysisStarted = wrapped(&fixture("contract-initiate.json"));
    assert_eq!(s.task_id, "9c8d7e6f-...");
}

#[test]
fn contract_error_bodies_and_other_shapes() {
    let std = ApiErrorBody::parse(
        br#"{"response": {"errorCode": "NOT_FOUND", "message": "flow analysis x was not found", "detail": "flow analysis: x"}, "version": "1.0"}"#,
    );
    assert_eq!(std.error_code.as_deref(), Some("NOT_FOUND"));
    assert_eq!(
        std.message.as_deref(),
        Some("flow analysis x was not found")
    );
    assert_eq!(std.detail.as_deref(), Some("flow analysis: x"));
    assert_eq!(
        std.to_string(),
        "NOT_FOUND - flow analysis x was not found (flow analysis: x)"
    );

    // A top-level list (§2.3: also parses for dnacentersdk).
    let list = ApiErrorBody::parse(br#"[{"errorCode": "E1", "message": "m", "detail": "d"}]"#);
    assert_eq!(list.error_code.as_deref(), Some("E1"));
    assert_eq!(list.detail.as_deref(), Some("d"));

    // Flat, with other spellings (DNA Center's gateway answers like this).
    let flat = ApiErrorBody::parse(br#"{"error": "Unauthorized", "code": 401}"#);
    assert_eq!(flat.message.as_deref(), Some("Unauthorized"));
    assert_eq!(flat.error_code.as_deref(), Some("401"));

    // A string `response` (the shape §2.3 forbids servers to send).
    let s = ApiErrorBody::parse(br#"{"response": "Token expired", "version": "1.0"}"#);
    assert_eq!(s.message.as_deref(), Some("Token expired"));

    // Not JSON at all: the text, shortened, is the message.
    let html = ApiErrorBody::parse(b"<html><body>502 Bad Gateway</body></html>");
    assert!(html.message.as_deref().unwrap().contains("502 Bad Gateway"));
    assert_eq!(
        ApiErrorBody::parse(b"").to_string(),
        "no error detail given"
    );
}

// ------------------------------------------------------------- type drift

#[test]
fn drift_ports_times_booleans_and_numbers() {
    // Ports as numbers (Ansible) or strings; times as strings or ISO dates;
    // booleans as strings; inclusions null.
    let a: FlowAnalysis = parse(
        r#"{"id": 7, "status": "completed", "sourceIP": "10.1.1.1", "destIP": "10.2.2.2",
            "sourcePort": 4020, "destPort": "443", "protocol": "TCP",
            "periodicRefresh": "False", "controlPath": "true", "inclusions": null,
            "createTime": "1498403858628", "lastUpdateTime": "2017-06-25T15:18:58.123Z"}"#,
    );
    assert_eq!(a.id, "7");
    assert_eq!(a.status, AnalysisStatus::Completed);
    assert_eq!((a.source_port, a.dest_port), (Some(4020), Some(443)));
    assert_eq!(a.periodic_refresh, Some(false));
    assert_eq!(a.control_path, Some(true));
    assert!(a.inclusions.is_empty());
    assert_eq!(a.create_time, Some(1_498_403_858_628));
    assert_eq!(a.last_update_time, Some(1_498_403_938_123));

    // The same analysis with every drift reversed.
    let b: FlowAnalysis = parse(
        r#"{"id": "x", "status": "FAILED", "sourceIP": "10.1.1.1", "destIP": "10.2.2.2",
            "sourcePort": "", "destPort": 443.0, "periodicRefresh": 0,
            "inclusions": "DEVICE-STATS,ACL-TRACE", "createTime": 1.498403858628E12,
            "failureReason": "DENIED_IN: ...", "unknownField": {"nested": [1, 2]}}"#,
    );
    assert_eq!((b.source_port, b.dest_port), (None, Some(443)));
    assert_eq!(b.periodic_refresh, Some(false));
    assert_eq!(b.inclusions, ["DEVICE-STATS", "ACL-TRACE"]);
    assert_eq!(b.create_time, Some(1_498_403_858_628));
    assert_eq!(b.status, AnalysisStatus::Failed);

    let other: FlowAnalysis = parse(r#"{"status": "QUEUED"}"#);
    assert_eq!(other.status, AnalysisStatus::Other("QUEUED".into()));
    assert_eq!(other.status.to_string(), "QUEUED");
}

#[test]
fn drift_tasks_from_the_tree_and_from_dnac_generations() {
    // /task/{id}/tree sends endTime as a string in one SDK generation
    // (peers §3 item 7); isError as "true"; version as "1.0"-less digits.
    let tree: Vec<Task> = wrapped(
        r#"{"response": [
            {"id": "r", "rootId": "r", "isError": "true", "endTime": "1516598584252",
             "startTime": 1516598583874, "version": "1516598584241", "failureReason": ""},
            {"id": "c", "rootId": "r", "parentId": "r", "isError": true,
             "errorCode": "DENIED_IN", "failureReason": "denied by ACL 101", "operationIdList": ["a"]}
        ], "version": "1.0"}"#,
    );
    assert!(tree[0].is_error && tree[0].is_done());
    assert_eq!(tree[0].end_time, Some(1_516_598_584_252));
    assert_eq!(tree[0].version, Some(1_516_598_584_241));
    assert_eq!(tree[1].parent_id.as_deref(), Some("r"));
    assert_eq!(tree[1].error_code.as_deref(), Some("DENIED_IN"));

    // A running task: no endTime, isError null.
    let running: Task = parse(r#"{"id": "t", "isError": null, "endTime": null}"#);
    assert!(!running.is_done());

    // A nonsense boolean is a clear error, not a silent `true` (uniq's bool("false")).
    let err = serde_json::from_str::<Task>(r#"{"id": "t", "isError": "maybe"}"#).unwrap_err();
    assert!(err.to_string().contains("maybe"), "{err}");
}

#[test]
fn drift_inside_results() {
    // lastUpdate as epoch ms (one SDK generation), CPU as integer and
    // string, memory as a float, tunnels null, virtualInterface a bare
    // object, detailedStatus null, statistics counters as strings.
    let r: PathResponse = parse(
        r#"{"request": {"id": "a", "status": "COMPLETED", "sourceIP": "1.1.1.1", "destIP": "2.2.2.2"},
            "lastUpdate": 1716066026227,
            "detailedStatus": null,
            "properties": null,
            "networkElementsInfo": [
              {"id": "d", "name": "sw1", "ip": "10.0.0.1", "tunnels": null,
               "ingressInterface": {"physicalInterface": {"id": "i1", "name": "Gi1/0/1",
                   "interfaceStatistics": {"adminStatus": "UP", "inputPackets": "1234",
                                           "outputRatebps": 1.5e3, "refreshedAt": "1716066093635"},
                   "interfaceStatsCollection": "SUCCESS"},
                 "virtualInterface": {"id": "v1", "name": "Vlan10"}},
               "deviceStatistics": {"cpuStatistics": {"fiveSecsUsageInPercentage": 29,
                                                      "oneMinUsageInPercentage": "27.5"},
                                    "memoryStatistics": {"memoryUsage": 2.5975e8, "totalMemory": "777950464"}},
               "perfMonitorStatistics": [{"sourcePort": 4020, "destPort": "443", "ipv4TTL": "64",
                                          "packetLossPercentage": "0.5", "byteRate": 100}],
               "accuracyList": [{"percent": "80", "reason": "ACL without ports"}]},
              {"id": "h", "ip": "2.2.2.2", "type": "wired", "deviceStatistics": null}
            ],
            "traceCount": "2", "selectedBranch": 1, "ecmpBranches": [{"disposition": "ACCEPTED"}],
            "somethingNew": true}"#,
    );
    assert_eq!(r.last_update.as_deref(), Some("1716066026227"));
    assert!(r.detailed_status.is_none() && r.properties.is_empty());
    let sw = &r.network_elements_info[0];
    assert!(sw.tunnels.is_empty());
    let ingress = sw.ingress_interface.as_ref().unwrap();
    assert_eq!(ingress.virtual_interface.len(), 1);
    assert_eq!(ingress.virtual_interface[0].name.as_deref(), Some("Vlan10"));
    let stats = ingress
        .physical_interface
        .as_ref()
        .unwrap()
        .interface_statistics
        .as_ref()
        .unwrap();
    assert_eq!(stats.input_packets, Some(1234));
    assert_eq!(stats.output_ratebps, Some(1500));
    assert_eq!(stats.refreshed_at, Some(1_716_066_093_635));
    let dev = sw.device_statistics.as_ref().unwrap();
    let cpu = dev.cpu_statistics.as_ref().unwrap();
    assert_eq!(cpu.five_secs_usage_in_percentage, Some(29.0));
    assert_eq!(cpu.one_min_usage_in_percentage, Some(27.5));
    let mem = dev.memory_statistics.as_ref().unwrap();
    assert_eq!(mem.memory_usage, Some(259_750_000));
    assert_eq!(mem.total_memory, Some(777_950_464));
    let perf = &sw.perf_monitor_statistics[0];
    assert_eq!(perf.source_port.as_deref(), Some("4020"));
    assert_eq!(perf.ipv4_ttl, Some(64));
    assert_eq!(perf.packet_loss_percentage, Some(0.5));
    assert_eq!(sw.accuracy_list[0].percent, Some(80));
    assert!(r.network_elements_info[1].device_statistics.is_none());
    assert_eq!(r.trace_count, Some(2));
    assert_eq!(r.selected_branch, Some(1));
    assert!(r.ecmp_branches.as_ref().unwrap().is_array());
    assert_eq!(r.extra.get("somethingNew"), Some(&serde_json::json!(true)));
}

#[test]
fn drift_in_inventory_and_runs() {
    let d: Device = parse(
        r#"{"id": "d1", "hostname": "sw1", "managementIpAddress": "10.0.0.1",
            "lastUpdateTime": "1716066024601", "uptimeSeconds": 1824345.0,
            "interfaceCount": 52, "managedAtleastOnce": "true", "memorySize": "NA",
            "softwareVersion": 17.9, "newField": [1]}"#,
    );
    assert_eq!(d.last_update_time, Some(1_716_066_024_601));
    assert_eq!(d.uptime_seconds, Some(1_824_345));
    assert_eq!(d.interface_count.as_deref(), Some("52"));
    assert_eq!(d.managed_atleast_once, Some(true));
    assert_eq!(d.software_version.as_deref(), Some("17.9"));

    let t: Topology = parse(
        r#"{"id": "t", "nodes": [{"id": "n1", "label": "sw1", "x": 1, "greyOut": "false", "tags": null}],
            "links": [{"source": "n1", "target": "n2", "startPortSpeed": 1000000, "greyOut": false}]}"#,
    );
    assert_eq!(t.nodes[0].grey_out, Some(false));
    assert_eq!(t.links[0].start_port_speed.as_deref(), Some("1000000"));

    let runs: Vec<Run> = parse(
        r#"[{"run": 1, "endTime": 1716066026227, "status": "COMPLETED",
             "networkElementsInfo": [{"id": "h", "ip": "1.1.1.1"}], "properties": [],
             "refresh": {"changed": false}, "traceCount": 1}]"#,
    );
    assert_eq!(runs[0].run, Some(1));
    assert_eq!(runs[0].status, AnalysisStatus::Completed);
    assert_eq!(runs[0].network_elements_info.len(), 1);
    assert_eq!(runs[0].refresh, Some(serde_json::json!({"changed": false})));
    assert_eq!(runs[0].extra.get("traceCount"), Some(&serde_json::json!(1)));
}

#[test]
fn request_bodies_match_what_the_sdks_send() {
    let r = FlowAnalysisRequest::new("10.1.13.25", "10.2.1.22")
        .with_protocol("TCP")
        .with_dest_port(23)
        .with_inclusion(Inclusion::DeviceStats)
        .with_inclusion(Inclusion::DeviceStats);
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        serde_json::json!({"sourceIP": "10.1.13.25", "destIP": "10.2.1.22", "destPort": "23",
                           "protocol": "TCP", "periodicRefresh": false, "inclusions": ["DEVICE-STATS"]})
    );
    assert_eq!(
        "device_stats".parse::<Inclusion>(),
        Ok(Inclusion::DeviceStats)
    );
    assert!(
        "PERF-MONITOR-STATS"
            .parse::<Inclusion>()
            .unwrap_err()
            .contains("PERFORMANCE-STATS")
    );
}
