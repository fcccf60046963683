//! Flow analysis (path trace): start one ([`Client::initiate_flow_analysis`]),
//! list them ([`Client::flow_analyses`]), read a result
//! ([`Client::flow_analysis`]), its runs (pathtrace's extension,
//! [`Client::flow_analysis_runs`]), delete one, and the whole round trip in
//! one call ([`Client::trace`]).
//!
//! The result types follow contract §4.3 field by field (uniq's and
//! dnacentersdk's schemas merged); every field is optional or defaulted,
//! unknown fields are ignored, and the drifts of real controllers (numbers
//! as strings and back, `null` lists, …) are read by [`crate::de`].
//! pathtrace's extension fields (`traceCount`, `selectedBranch`,
//! `ecmpBranches`, a run's `refresh`) are kept as optional JSON values.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use reqwest::Method;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::client::{Client, push, segment};
use crate::de;
use crate::error::{Error, Result};
use crate::task::TaskRef;

/// A statistics block a flow analysis can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Inclusion {
    /// `INTERFACE-STATS`: per-interface counters.
    InterfaceStats,
    /// `QOS-STATS`: per-interface QoS class maps.
    QosStats,
    /// `DEVICE-STATS`: per-device CPU and memory.
    DeviceStats,
    /// `PERFORMANCE-STATS`: per-device performance-monitor flow records.
    PerformanceStats,
    /// `ACL-TRACE`: the ACLs met along the path and their verdicts.
    AclTrace,
}

impl Inclusion {
    /// Every inclusion.
    pub const ALL: [Inclusion; 5] = [
        Inclusion::InterfaceStats,
        Inclusion::QosStats,
        Inclusion::DeviceStats,
        Inclusion::PerformanceStats,
        Inclusion::AclTrace,
    ];

    /// The wire name (`DEVICE-STATS`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Inclusion::InterfaceStats => "INTERFACE-STATS",
            Inclusion::QosStats => "QOS-STATS",
            Inclusion::DeviceStats => "DEVICE-STATS",
            Inclusion::PerformanceStats => "PERFORMANCE-STATS",
            Inclusion::AclTrace => "ACL-TRACE",
        }
    }
}

impl fmt::Display for Inclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Inclusion {
    type Err = String;

    /// Any case, `_` for `-` (Ansible's `DEVICE_STATS`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_uppercase().replace('_', "-");
        Inclusion::ALL
            .into_iter()
            .find(|i| i.as_str() == norm)
            .ok_or_else(|| {
                format!(
                    "unknown inclusion {s:?}; expected one of {}",
                    Inclusion::ALL.map(Inclusion::as_str).join(", ")
                )
            })
    }
}

impl Serialize for Inclusion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[allow(
    clippy::ref_option,
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with signature"
)]
fn port_as_string<S: Serializer>(port: &Option<u16>, s: S) -> Result<S::Ok, S::Error> {
    match port {
        Some(p) => s.serialize_str(&p.to_string()),
        None => s.serialize_none(),
    }
}

/// The body of `POST flow-analysis` (ports go out as strings, as
/// dnacentersdk's schema requires; absent fields are left out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowAnalysisRequest {
    /// Source address (required).
    #[serde(rename = "sourceIP")]
    pub source_ip: String,
    /// Destination address (required).
    #[serde(rename = "destIP")]
    pub dest_ip: String,
    /// Source port.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "port_as_string"
    )]
    pub source_port: Option<u16>,
    /// Destination port.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "port_as_string"
    )]
    pub dest_port: Option<u16>,
    /// `TCP` or `UDP` (absent: the controller checks both).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Refresh the analysis periodically.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub periodic_refresh: Option<bool>,
    /// Statistics blocks to collect.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inclusions: Vec<Inclusion>,
    /// DNA Center's control-path tracing flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_path: Option<bool>,
}

impl FlowAnalysisRequest {
    /// A one-shot trace from `source_ip` to `dest_ip` (`periodicRefresh: false`).
    pub fn new(source_ip: impl Into<String>, dest_ip: impl Into<String>) -> Self {
        FlowAnalysisRequest {
            source_ip: source_ip.into(),
            dest_ip: dest_ip.into(),
            periodic_refresh: Some(false),
            ..FlowAnalysisRequest::default()
        }
    }

    /// With this protocol (`TCP`, `UDP`).
    #[must_use]
    pub fn with_protocol(mut self, protocol: impl Into<String>) -> Self {
        self.protocol = Some(protocol.into());
        self
    }

    /// With this source port.
    #[must_use]
    pub fn with_source_port(mut self, port: u16) -> Self {
        self.source_port = Some(port);
        self
    }

    /// With this destination port.
    #[must_use]
    pub fn with_dest_port(mut self, port: u16) -> Self {
        self.dest_port = Some(port);
        self
    }

    /// Also collect this statistics block.
    #[must_use]
    pub fn with_inclusion(mut self, inclusion: Inclusion) -> Self {
        if !self.inclusions.contains(&inclusion) {
            self.inclusions.push(inclusion);
        }
        self
    }

    /// Refresh periodically (or not).
    #[must_use]
    pub fn with_periodic_refresh(mut self, on: bool) -> Self {
        self.periodic_refresh = Some(on);
        self
    }
}

/// The answer to `POST flow-analysis`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowAnalysisStarted {
    /// The new analysis.
    #[serde(default, deserialize_with = "de::string_or_empty")]
    pub flow_analysis_id: String,
    /// The task to wait for.
    #[serde(default, deserialize_with = "de::string_or_empty")]
    pub task_id: String,
    /// The analysis' URL.
    #[serde(default, deserialize_with = "de::string")]
    pub url: Option<String>,
}

/// Sort order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

impl Order {
    /// `asc` or `desc`.
    pub fn as_str(self) -> &'static str {
        match self {
            Order::Asc => "asc",
            Order::Desc => "desc",
        }
    }
}

/// Filters, sort and paging of `GET flow-analysis` (contract §4.4). Every
/// field is optional; `offset` is 1-based.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowAnalysisQuery {
    /// Source address (exact).
    pub source_ip: Option<String>,
    /// Destination address (exact).
    pub dest_ip: Option<String>,
    /// Source port (exact).
    pub source_port: Option<u16>,
    /// Destination port (exact).
    pub dest_port: Option<u16>,
    /// Protocol (exact).
    pub protocol: Option<String>,
    /// `INPROGRESS`, `COMPLETED` or `FAILED`.
    pub status: Option<String>,
    /// The analysis' task id.
    pub task_id: Option<String>,
    /// Periodic analyses only (`true`) or one-shot only (`false`).
    pub periodic_refresh: Option<bool>,
    /// Created after (epoch ms).
    pub gt_create_time: Option<i64>,
    /// Created before (epoch ms).
    pub lt_create_time: Option<i64>,
    /// Last updated at (epoch ms).
    pub last_update_time: Option<i64>,
    /// 1-based index of the first item.
    pub offset: Option<u32>,
    /// Page size (at most 500).
    pub limit: Option<u32>,
    /// Sort order.
    pub order: Option<Order>,
    /// Sort key, e.g. `createTime`.
    pub sort_by: Option<String>,
}

impl FlowAnalysisQuery {
    /// The query pairs, booleans as `True`/`False` like the Python clients.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        push(
            &mut q,
            "periodicRefresh",
            self.periodic_refresh
                .map(|b| if b { "True" } else { "False" }),
        );
        push(&mut q, "sourceIP", self.source_ip.as_deref());
        push(&mut q, "destIP", self.dest_ip.as_deref());
        push(&mut q, "sourcePort", self.source_port);
        push(&mut q, "destPort", self.dest_port);
        push(&mut q, "protocol", self.protocol.as_deref());
        push(&mut q, "status", self.status.as_deref());
        push(&mut q, "taskId", self.task_id.as_deref());
        push(&mut q, "gtCreateTime", self.gt_create_time);
        push(&mut q, "ltCreateTime", self.lt_create_time);
        push(&mut q, "lastUpdateTime", self.last_update_time);
        push(&mut q, "offset", self.offset);
        push(&mut q, "limit", self.limit);
        push(&mut q, "order", self.order.map(Order::as_str));
        push(&mut q, "sortBy", self.sort_by.as_deref());
        q
    }
}

/// The status of a flow analysis.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(from = "String", into = "String")]
pub enum AnalysisStatus {
    /// `INPROGRESS`.
    #[default]
    InProgress,
    /// `COMPLETED`.
    Completed,
    /// `FAILED`.
    Failed,
    /// Anything else a controller says.
    Other(String),
}

impl From<String> for AnalysisStatus {
    fn from(s: String) -> Self {
        match s.trim().to_ascii_uppercase().as_str() {
            "INPROGRESS" | "IN_PROGRESS" => AnalysisStatus::InProgress,
            "COMPLETED" => AnalysisStatus::Completed,
            "FAILED" => AnalysisStatus::Failed,
            _ => AnalysisStatus::Other(s),
        }
    }
}

impl From<AnalysisStatus> for String {
    fn from(s: AnalysisStatus) -> String {
        s.to_string()
    }
}

impl fmt::Display for AnalysisStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AnalysisStatus::InProgress => "INPROGRESS",
            AnalysisStatus::Completed => "COMPLETED",
            AnalysisStatus::Failed => "FAILED",
            AnalysisStatus::Other(s) => s,
        })
    }
}

fn status_of<'de, D: serde::Deserializer<'de>>(d: D) -> Result<AnalysisStatus, D::Error> {
    Ok(de::string(d)?.map(AnalysisStatus::from).unwrap_or_default())
}

/// A flow analysis' request and state (`response.request` of a result, and
/// the items of a list).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowAnalysis {
    /// The flow analysis id.
    #[serde(default, deserialize_with = "de::string_or_empty")]
    pub id: String,
    /// `INPROGRESS`, `COMPLETED` or `FAILED`.
    #[serde(default, deserialize_with = "status_of")]
    pub status: AnalysisStatus,
    /// Epoch ms.
    #[serde(default, deserialize_with = "de::int")]
    pub create_time: Option<i64>,
    /// Epoch ms.
    #[serde(default, deserialize_with = "de::int")]
    pub last_update_time: Option<i64>,
    /// Why it failed.
    #[serde(default, deserialize_with = "de::string")]
    pub failure_reason: Option<String>,
    /// Source address.
    #[serde(default, rename = "sourceIP", deserialize_with = "de::string_or_empty")]
    pub source_ip: String,
    /// Destination address.
    #[serde(default, rename = "destIP", deserialize_with = "de::string_or_empty")]
    pub dest_ip: String,
    /// Source port.
    #[serde(default, deserialize_with = "de::port")]
    pub source_port: Option<u16>,
    /// Destination port.
    #[serde(default, deserialize_with = "de::port")]
    pub dest_port: Option<u16>,
    /// Protocol.
    #[serde(default, deserialize_with = "de::string")]
    pub protocol: Option<String>,
    /// Whether it refreshes periodically.
    #[serde(default, deserialize_with = "de::boolean")]
    pub periodic_refresh: Option<bool>,
    /// The statistics asked for (as sent, unknown names kept).
    #[serde(default, deserialize_with = "de::strings")]
    pub inclusions: Vec<String>,
    /// DNA Center's control-path flag.
    #[serde(default, deserialize_with = "de::boolean")]
    pub control_path: Option<bool>,
    /// The previous analysis of the same flow (DNA Center).
    #[serde(default, deserialize_with = "de::string")]
    pub previous_flow_analysis_id: Option<String>,
}

/// `detailedStatus`: the ACL trace's outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailedStatus {
    /// `SUCCESS`, `FAILED` or `INPROGRESS`.
    #[serde(default, deserialize_with = "de::string")]
    pub acl_trace_calculation: Option<String>,
    /// Why the ACL trace failed.
    #[serde(default, deserialize_with = "de::string")]
    pub acl_trace_calculation_failure_reason: Option<String>,
}

/// A flow analysis with its result (`GET flow-analysis/{id}`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathResponse {
    /// The request and its state.
    #[serde(default)]
    pub request: FlowAnalysis,
    /// Human-readable time of the last update (`Sun Jun 25 15:18:58 UTC
    /// 2017`); an epoch-ms number from some controllers, kept as its digits.
    #[serde(default, deserialize_with = "de::string")]
    pub last_update: Option<String>,
    /// The ACL trace's outcome.
    #[serde(default, deserialize_with = "de::object")]
    pub detailed_status: Option<DetailedStatus>,
    /// The path, source to destination.
    #[serde(default, deserialize_with = "de::list")]
    pub network_elements_info: Vec<NetworkElementInfo>,
    /// The legacy form of the path (kept as sent, when sent).
    #[serde(default)]
    pub network_elements: Option<Value>,
    /// Properties (usually empty).
    #[serde(default, deserialize_with = "de::strings")]
    pub properties: Vec<String>,
    /// pathtrace: how many paths (ECMP branches) the trace found.
    #[serde(default, deserialize_with = "de::int")]
    pub trace_count: Option<i64>,
    /// pathtrace: which branch `networkElementsInfo` shows.
    #[serde(default, deserialize_with = "de::int")]
    pub selected_branch: Option<i64>,
    /// pathtrace: every branch, with its disposition and hops.
    #[serde(default)]
    pub ecmp_branches: Option<Value>,
    /// Any other field the controller sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One element of the path: a host, a device, or an unmanaged cloud
/// (`name: "UNKNOWN"`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkElementInfo {
    /// The network-device id (devices) or host id (hosts).
    #[serde(default, deserialize_with = "de::string")]
    pub id: Option<String>,
    /// Hostname; absent for hosts.
    #[serde(default, deserialize_with = "de::string")]
    pub name: Option<String>,
    /// Management IP (devices) or the host's IP.
    #[serde(default, deserialize_with = "de::string")]
    pub ip: Option<String>,
    /// `Switches and Hubs`, `Routers`, …; `wired`/`wireless` for hosts.
    #[serde(default, rename = "type", deserialize_with = "de::string")]
    pub element_type: Option<String>,
    /// `ACCESS`, `DISTRIBUTION`, `CORE`, …
    #[serde(default, deserialize_with = "de::string")]
    pub role: Option<String>,
    /// How the next hop was found: `Switched`, `OSPF`, `STATIC`, `ECMP`, …
    #[serde(default, deserialize_with = "de::string")]
    pub link_information_source: Option<String>,
    /// Tunnels the packet is in here (`CAPWAP Tunnel`).
    #[serde(default, deserialize_with = "de::strings")]
    pub tunnels: Vec<String>,
    /// Where the packet enters.
    #[serde(default, deserialize_with = "de::object")]
    pub ingress_interface: Option<InterfaceContainer>,
    /// Where the packet leaves.
    #[serde(default, deserialize_with = "de::object")]
    pub egress_interface: Option<InterfaceContainer>,
    /// DEVICE-STATS: CPU and memory.
    #[serde(default, deserialize_with = "de::object")]
    pub device_statistics: Option<DeviceStatistics>,
    /// DEVICE-STATS: `SUCCESS`, `FAILED` or `INPROGRESS`.
    #[serde(default, deserialize_with = "de::string")]
    pub device_stats_collection: Option<String>,
    /// DEVICE-STATS: why collection failed.
    #[serde(default, deserialize_with = "de::string")]
    pub device_stats_collection_failure_reason: Option<String>,
    /// PERFORMANCE-STATS: flow records.
    #[serde(default, deserialize_with = "de::list")]
    pub perf_monitor_statistics: Vec<PerfMonitorStatistics>,
    /// PERFORMANCE-STATS: collection status.
    #[serde(default, deserialize_with = "de::string")]
    pub perf_mon_collection: Option<String>,
    /// PERFORMANCE-STATS: why collection failed.
    #[serde(default, deserialize_with = "de::string")]
    pub perf_mon_collection_failure_reason: Option<String>,
    /// ACL-TRACE: this element's ACL trace outcome.
    #[serde(default, deserialize_with = "de::object")]
    pub detailed_status: Option<DetailedStatus>,
    /// How accurate this element is, and why not fully.
    #[serde(default, deserialize_with = "de::list")]
    pub accuracy_list: Vec<Accuracy>,
    /// Wireless (DNA Center): FlexConnect.
    #[serde(default, deserialize_with = "de::object")]
    pub flex_connect: Option<FlexConnect>,
    /// Wireless (DNA Center): SSID.
    #[serde(default, deserialize_with = "de::string")]
    pub ssid: Option<String>,
    /// Wireless (DNA Center): WLAN id.
    #[serde(default, deserialize_with = "de::string")]
    pub wlan_id: Option<String>,
}

impl NetworkElementInfo {
    /// Whether this element is a host (no name), as client code tests it.
    pub fn is_host(&self) -> bool {
        self.name.is_none()
    }
}

/// An accuracy note.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Accuracy {
    /// Percent.
    #[serde(default, deserialize_with = "de::int")]
    pub percent: Option<i64>,
    /// Why.
    #[serde(default, deserialize_with = "de::string")]
    pub reason: Option<String>,
}

/// Ingress or egress: the physical interface and virtual ones (SVI, …).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InterfaceContainer {
    /// The physical interface.
    #[serde(default, deserialize_with = "de::object")]
    pub physical_interface: Option<Interface>,
    /// Virtual interfaces.
    #[serde(default, deserialize_with = "de::list")]
    pub virtual_interface: Vec<Interface>,
}

/// An interface on the path, with the blocks its inclusions fill.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Interface {
    /// Interface id (`GET interface/{id}`).
    #[serde(default, deserialize_with = "de::string")]
    pub id: Option<String>,
    /// Name, e.g. `GigabitEthernet1/0/1`.
    #[serde(default, deserialize_with = "de::string")]
    pub name: Option<String>,
    /// VRF.
    #[serde(default, deserialize_with = "de::string")]
    pub vrf_name: Option<String>,
    /// DNA Center: the VLAN used (`NA`).
    #[serde(default, deserialize_with = "de::string")]
    pub used_vlan: Option<String>,
    /// INTERFACE-STATS: counters.
    #[serde(default, deserialize_with = "de::object")]
    pub interface_statistics: Option<InterfaceStatistics>,
    /// INTERFACE-STATS: collection status.
    #[serde(default, deserialize_with = "de::string")]
    pub interface_stats_collection: Option<String>,
    /// INTERFACE-STATS: why collection failed.
    #[serde(default, deserialize_with = "de::string")]
    pub interface_stats_collection_failure_reason: Option<String>,
    /// QOS-STATS: class maps.
    #[serde(default, deserialize_with = "de::list")]
    pub qos_statistics: Vec<QosClassMapStatistics>,
    /// QOS-STATS: collection status.
    #[serde(default, deserialize_with = "de::string")]
    pub qos_stats_collection: Option<String>,
    /// QOS-STATS: why collection failed.
    #[serde(default, deserialize_with = "de::string")]
    pub qos_stats_collection_failure_reason: Option<String>,
    /// ACL-TRACE: the ACL met here.
    #[serde(default, deserialize_with = "de::object")]
    pub acl_analysis: Option<AclAnalysis>,
    /// DNA Center: overlay (VXLAN) information.
    #[serde(default, deserialize_with = "de::list")]
    pub path_overlay_info: Vec<PathOverlayInfo>,
}

/// INTERFACE-STATS counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InterfaceStatistics {
    /// Administrative state (`up`/`down`).
    #[serde(default, deserialize_with = "de::string")]
    pub admin_status: Option<String>,
    /// Operational state (`up`/`down`).
    #[serde(default, deserialize_with = "de::string")]
    pub operational_status: Option<String>,
    /// Packets received.
    #[serde(default, deserialize_with = "de::int")]
    pub input_packets: Option<i64>,
    /// Packets in the input queue.
    #[serde(default, deserialize_with = "de::int")]
    pub input_queue_count: Option<i64>,
    /// Input queue drops.
    #[serde(default, deserialize_with = "de::int")]
    pub input_queue_drops: Option<i64>,
    /// Input queue flushes.
    #[serde(default, deserialize_with = "de::int")]
    pub input_queue_flushes: Option<i64>,
    /// Input queue maximum depth.
    #[serde(default, deserialize_with = "de::int")]
    pub input_queue_max_depth: Option<i64>,
    /// Input rate, bit/s.
    #[serde(default, deserialize_with = "de::int")]
    pub input_ratebps: Option<i64>,
    /// Output drops.
    #[serde(default, deserialize_with = "de::int")]
    pub output_drop: Option<i64>,
    /// Packets sent.
    #[serde(default, deserialize_with = "de::int")]
    pub output_packets: Option<i64>,
    /// Packets in the output queue.
    #[serde(default, deserialize_with = "de::int")]
    pub output_queue_count: Option<i64>,
    /// Output queue depth.
    #[serde(default, deserialize_with = "de::int")]
    pub output_queue_depth: Option<i64>,
    /// Output rate, bit/s.
    #[serde(default, deserialize_with = "de::int")]
    pub output_ratebps: Option<i64>,
    /// Epoch ms of the collection.
    #[serde(default, deserialize_with = "de::int")]
    pub refreshed_at: Option<i64>,
}

/// QOS-STATS: one class map.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QosClassMapStatistics {
    /// Class map name.
    #[serde(default, deserialize_with = "de::string")]
    pub class_map_name: Option<String>,
    /// Queue bandwidth, bit/s (text).
    #[serde(default, deserialize_with = "de::string")]
    pub queue_bandwidthbps: Option<String>,
    /// Drop rate.
    #[serde(default, deserialize_with = "de::int")]
    pub drop_rate: Option<i64>,
    /// Bytes matched.
    #[serde(default, deserialize_with = "de::int")]
    pub num_bytes: Option<i64>,
    /// Packets matched.
    #[serde(default, deserialize_with = "de::int")]
    pub num_packets: Option<i64>,
    /// Offered rate.
    #[serde(default, deserialize_with = "de::int")]
    pub offered_rate: Option<i64>,
    /// Queue depth.
    #[serde(default, deserialize_with = "de::int")]
    pub queue_depth: Option<i64>,
    /// Drops for want of a buffer.
    #[serde(default, deserialize_with = "de::int")]
    pub queue_no_buffer_drops: Option<i64>,
    /// All queue drops.
    #[serde(default, deserialize_with = "de::int")]
    pub queue_total_drops: Option<i64>,
    /// Epoch ms of the collection.
    #[serde(default, deserialize_with = "de::int")]
    pub refreshed_at: Option<i64>,
}

/// ACL-TRACE: an ACL and the entries the flow matched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AclAnalysis {
    /// The ACL's name.
    #[serde(default, deserialize_with = "de::string")]
    pub acl_name: Option<String>,
    /// `PERMIT_ALL`, `DENY_ALL`, `PERMIT_SOME`, …
    #[serde(default, deserialize_with = "de::string")]
    pub result: Option<String>,
    /// The entries matched.
    #[serde(default, deserialize_with = "de::list")]
    pub matching_aces: Vec<AclAce>,
}

/// An ACL entry matched by the flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AclAce {
    /// The entry's text.
    #[serde(default, deserialize_with = "de::string")]
    pub ace: Option<String>,
    /// Its verdict for the flow.
    #[serde(default, deserialize_with = "de::string")]
    pub result: Option<String>,
    /// The ports it matches.
    #[serde(default, deserialize_with = "de::list")]
    pub matching_ports: Vec<AclMatchingPorts>,
}

/// Ports an ACL entry matches, per protocol.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AclMatchingPorts {
    /// Protocol.
    #[serde(default, deserialize_with = "de::string")]
    pub protocol: Option<String>,
    /// Port ranges.
    #[serde(default, deserialize_with = "de::list")]
    pub ports: Vec<AclPorts>,
}

/// Source and destination ports of an ACL match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AclPorts {
    /// Source ports.
    #[serde(default, deserialize_with = "de::strings")]
    pub source_ports: Vec<String>,
    /// Destination ports.
    #[serde(default, deserialize_with = "de::strings")]
    pub dest_ports: Vec<String>,
}

/// DNA Center: overlay information of an interface.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathOverlayInfo {
    /// Control plane (e.g. LISP).
    #[serde(default, deserialize_with = "de::string")]
    pub control_plane: Option<String>,
    /// Encapsulation (e.g. VXLAN).
    #[serde(default, deserialize_with = "de::string")]
    pub data_packet_encapsulation: Option<String>,
    /// Outer source address.
    #[serde(default, deserialize_with = "de::string")]
    pub source_ip: Option<String>,
    /// Outer destination address.
    #[serde(default, deserialize_with = "de::string")]
    pub dest_ip: Option<String>,
    /// Source port (text).
    #[serde(default, deserialize_with = "de::string")]
    pub source_port: Option<String>,
    /// Destination port (text).
    #[serde(default, deserialize_with = "de::string")]
    pub dest_port: Option<String>,
    /// Protocol.
    #[serde(default, deserialize_with = "de::string")]
    pub protocol: Option<String>,
    /// VXLAN fields.
    #[serde(default, deserialize_with = "de::object")]
    pub vxlan_info: Option<VxlanInfo>,
}

/// VXLAN fields of an overlay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VxlanInfo {
    /// DSCP.
    #[serde(default, deserialize_with = "de::string")]
    pub dscp: Option<String>,
    /// VNI.
    #[serde(default, deserialize_with = "de::string")]
    pub vnid: Option<String>,
}

/// DEVICE-STATS: CPU and memory.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceStatistics {
    /// CPU usage.
    #[serde(default, deserialize_with = "de::object")]
    pub cpu_statistics: Option<CpuStatistics>,
    /// Memory usage.
    #[serde(default, deserialize_with = "de::object")]
    pub memory_statistics: Option<MemoryStatistics>,
}

/// CPU usage in percent (floats, also when sent as integers or strings).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CpuStatistics {
    /// Over 5 seconds.
    #[serde(default, deserialize_with = "de::float")]
    pub five_secs_usage_in_percentage: Option<f64>,
    /// Over 1 minute.
    #[serde(default, deserialize_with = "de::float")]
    pub one_min_usage_in_percentage: Option<f64>,
    /// Over 5 minutes.
    #[serde(default, deserialize_with = "de::float")]
    pub five_min_usage_in_percentage: Option<f64>,
    /// Epoch ms of the collection.
    #[serde(default, deserialize_with = "de::int")]
    pub refreshed_at: Option<i64>,
}

/// Memory usage in bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryStatistics {
    /// Used.
    #[serde(default, deserialize_with = "de::int")]
    pub memory_usage: Option<i64>,
    /// Total.
    #[serde(default, deserialize_with = "de::int")]
    pub total_memory: Option<i64>,
    /// Epoch ms of the collection.
    #[serde(default, deserialize_with = "de::int")]
    pub refreshed_at: Option<i64>,
}

/// PERFORMANCE-STATS: one flow record.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PerfMonitorStatistics {
    /// Flow source address.
    #[serde(default, deserialize_with = "de::string")]
    pub source_ip_address: Option<String>,
    /// Flow destination address.
    #[serde(default, deserialize_with = "de::string")]
    pub dest_ip_address: Option<String>,
    /// Source port (text).
    #[serde(default, deserialize_with = "de::string")]
    pub source_port: Option<String>,
    /// Destination port (text).
    #[serde(default, deserialize_with = "de::string")]
    pub dest_port: Option<String>,
    /// Protocol.
    #[serde(default, deserialize_with = "de::string")]
    pub protocol: Option<String>,
    /// Input interface.
    #[serde(default, deserialize_with = "de::string")]
    pub input_interface: Option<String>,
    /// Output interface.
    #[serde(default, deserialize_with = "de::string")]
    pub output_interface: Option<String>,
    /// DSCP.
    #[serde(default, rename = "ipv4DSCP", deserialize_with = "de::string")]
    pub ipv4_dscp: Option<String>,
    /// TTL.
    #[serde(default, rename = "ipv4TTL", deserialize_with = "de::int")]
    pub ipv4_ttl: Option<i64>,
    /// Byte rate.
    #[serde(default, deserialize_with = "de::int")]
    pub byte_rate: Option<i64>,
    /// Bytes.
    #[serde(default, deserialize_with = "de::int")]
    pub packet_bytes: Option<i64>,
    /// Packets.
    #[serde(default, deserialize_with = "de::int")]
    pub packet_count: Option<i64>,
    /// Packets lost.
    #[serde(default, deserialize_with = "de::int")]
    pub packet_loss: Option<i64>,
    /// Packet loss, percent.
    #[serde(default, deserialize_with = "de::float")]
    pub packet_loss_percentage: Option<f64>,
    /// RTP jitter, maximum.
    #[serde(default, deserialize_with = "de::int")]
    pub rtp_jitter_max: Option<i64>,
    /// RTP jitter, mean.
    #[serde(default, deserialize_with = "de::int")]
    pub rtp_jitter_mean: Option<i64>,
    /// RTP jitter, minimum.
    #[serde(default, deserialize_with = "de::int")]
    pub rtp_jitter_min: Option<i64>,
    /// Epoch ms of the collection.
    #[serde(default, deserialize_with = "de::int")]
    pub refreshed_at: Option<i64>,
}

/// DNA Center, wireless: FlexConnect details.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlexConnect {
    /// `LOCAL` or `CENTRAL`.
    #[serde(default, deserialize_with = "de::string")]
    pub authentication: Option<String>,
    /// `LOCAL` or `CENTRAL`.
    #[serde(default, deserialize_with = "de::string")]
    pub data_switching: Option<String>,
    /// The WLC's id.
    #[serde(default, deserialize_with = "de::string")]
    pub wireless_lan_controller_id: Option<String>,
    /// The WLC's name.
    #[serde(default, deserialize_with = "de::string")]
    pub wireless_lan_controller_name: Option<String>,
    /// ACL met on the way in.
    #[serde(default, deserialize_with = "de::object")]
    pub ingress_acl_analysis: Option<AclAnalysis>,
    /// ACL met on the way out.
    #[serde(default, deserialize_with = "de::object")]
    pub egress_acl_analysis: Option<AclAnalysis>,
}

/// One run of a flow analysis (pathtrace's `GET flow-analysis/{id}/runs`;
/// a periodic analysis keeps each refresh).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    /// 1 for the first run.
    #[serde(default, deserialize_with = "de::int")]
    pub run: Option<i64>,
    /// Epoch ms.
    #[serde(default, deserialize_with = "de::int")]
    pub end_time: Option<i64>,
    /// `COMPLETED` or `FAILED`.
    #[serde(default, deserialize_with = "status_of")]
    pub status: AnalysisStatus,
    /// Why it failed.
    #[serde(default, deserialize_with = "de::string")]
    pub failure_reason: Option<String>,
    /// The run's path.
    #[serde(default, deserialize_with = "de::list")]
    pub network_elements_info: Vec<NetworkElementInfo>,
    /// The run's ACL trace outcome.
    #[serde(default, deserialize_with = "de::object")]
    pub detailed_status: Option<DetailedStatus>,
    /// What changed since the run before (pathtrace).
    #[serde(default)]
    pub refresh: Option<Value>,
    /// The run's other result fields (`traceCount`, `ecmpBranches`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Client {
    /// `POST flow-analysis`: start a trace. Answered at once (202) with the
    /// analysis id and the task to wait for.
    pub async fn initiate_flow_analysis(
        &self,
        request: &FlowAnalysisRequest,
    ) -> Result<FlowAnalysisStarted> {
        let body = serde_json::to_value(request).map_err(|e| Error::Config(e.to_string()))?;
        self.call(Method::POST, "/flow-analysis", &[], Some(&body))
            .await
    }

    /// `GET flow-analysis` with filters, sort and paging.
    pub async fn flow_analyses(&self, query: &FlowAnalysisQuery) -> Result<Vec<FlowAnalysis>> {
        let v: Vec<FlowAnalysis> = self
            .call(Method::GET, "/flow-analysis", &query.to_pairs(), None)
            .await?;
        Ok(v)
    }

    /// `GET flow-analysis/{id}`: the request, its state and the path. An
    /// unknown id is [`Error::NotFound`].
    pub async fn flow_analysis(&self, id: &str) -> Result<PathResponse> {
        self.call(
            Method::GET,
            &format!("/flow-analysis/{}", segment(id)),
            &[],
            None,
        )
        .await
    }

    /// `DELETE flow-analysis/{id}`: the deletion's task.
    pub async fn delete_flow_analysis(&self, id: &str) -> Result<TaskRef> {
        self.call(
            Method::DELETE,
            &format!("/flow-analysis/{}", segment(id)),
            &[],
            None,
        )
        .await
    }

    /// `GET flow-analysis/{id}/runs` (pathtrace extension): every run,
    /// oldest first.
    pub async fn flow_analysis_runs(&self, id: &str) -> Result<Vec<Run>> {
        let v: Vec<Run> = self
            .call(
                Method::GET,
                &format!("/flow-analysis/{}/runs", segment(id)),
                &[],
                None,
            )
            .await?;
        Ok(v)
    }

    /// Start a trace, wait for it (at most `timeout`) and return its result.
    ///
    /// A trace that *failed* — denied by an ACL, no route, unknown source —
    /// is still a result: its `request.status` is `FAILED`, its
    /// `request.failureReason` says why, and `networkElementsInfo` holds the
    /// path as far as it went. Errors are for what kept the answer from
    /// arriving (transport, authentication, timeout, …).
    pub async fn trace(
        &self,
        request: &FlowAnalysisRequest,
        timeout: Duration,
    ) -> Result<PathResponse> {
        let started = self.initiate_flow_analysis(request).await?;
        match self.wait(&started.task_id, timeout).await {
            Ok(_) | Err(Error::TaskFailed { .. }) => {}
            Err(e) => return Err(e),
        }
        self.flow_analysis(&started.flow_analysis_id).await
    }
}
