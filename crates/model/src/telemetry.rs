//! Collected telemetry: what a collector observed, kept beside the model as
//! data (the optional top-level `telemetry:` section of a model file).
//!
//! Every record names the device (and interface) it was taken from and its
//! collection time in epoch milliseconds. A record holds only what was
//! observed: a figure that is absent was not collected, and the views never
//! invent it. Several records of the same element are samples over time; the
//! views use the latest. The keys are the DNA Center / APIC-EM path-trace
//! statistics fields (reference/dnac-api-contract.md §4.3) in snake_case:
//!
//! * [`DeviceSample`]: CPU (5 s / 1 min / 5 min, percent) and memory (bytes
//!   used / total) of a device — `DEVICE-STATS`;
//! * [`InterfaceSample`]: an interface's status, packet counters, rates and
//!   queue figures — `INTERFACE-STATS` — and its byte and error counters,
//!   which the DNA Center statistics have no field for (kept as data only);
//! * [`QosSample`]: the class-map counters of one interface in one direction
//!   — `QOS-STATS`;
//! * [`FlowRecord`]: a performance-monitor (Flexible NetFlow) flow record on
//!   a device — `PERFORMANCE-STATS`.
//!
//! Validation ([`crate::validate`]) checks the references (devices and
//! interfaces exist), times, ranges and duplicates.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::types::State;

/// The `telemetry:` section: samples and records as a collector observed them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Telemetry {
    /// Device CPU and memory samples.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<DeviceSample>,
    /// Interface counter samples.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<InterfaceSample>,
    /// QoS class-map counter samples, per interface and direction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub qos: Vec<QosSample>,
    /// Performance-monitor flow records, per device.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<FlowRecord>,
}

impl Telemetry {
    /// True when nothing was collected.
    pub fn is_empty(&self) -> bool {
        self.devices.is_empty()
            && self.interfaces.is_empty()
            && self.qos.is_empty()
            && self.flows.is_empty()
    }
}

/// CPU and memory of a device at one collection time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceSample {
    /// The device's hostname.
    pub device: String,
    /// Collection time, epoch milliseconds (the statistics' `refreshedAt`).
    pub collected_at: i64,
    /// CPU utilisation, when collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<CpuSample>,
    /// Memory, when collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<MemorySample>,
}

/// CPU utilisation in percent (0–100), averaged over three windows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpuSample {
    /// Last 5 seconds (`fiveSecsUsageInPercentage`).
    pub five_seconds: f64,
    /// Last minute (`oneMinUsageInPercentage`).
    pub one_minute: f64,
    /// Last 5 minutes (`fiveMinUsageInPercentage`).
    pub five_minutes: f64,
}

/// Memory in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemorySample {
    /// Bytes in use (`memoryUsage`).
    pub used: u64,
    /// Bytes installed (`totalMemory`).
    pub total: u64,
}

/// Counters and status of one interface at one collection time. Every
/// figure is optional: what was not collected is left out of the view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterfaceSample {
    /// The device's hostname.
    pub device: String,
    /// The interface (abbreviations allowed, as everywhere in the model).
    pub interface: String,
    /// Collection time, epoch milliseconds.
    pub collected_at: i64,
    /// Administrative status as observed (`adminStatus`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_status: Option<State>,
    /// Operational status as observed (`operationalStatus`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operational_status: Option<State>,
    /// Packets received (`inputPackets`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_packets: Option<u64>,
    /// Input rate in bit/s (`inputRatebps`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_rate_bps: Option<u64>,
    /// Packets in the input queue (`inputQueueCount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_queue_count: Option<u64>,
    /// Input queue drops (`inputQueueDrops`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_queue_drops: Option<u64>,
    /// Input queue flushes (`inputQueueFlushes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_queue_flushes: Option<u64>,
    /// Input queue size (`inputQueueMaxDepth`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_queue_max_depth: Option<u64>,
    /// Packets sent (`outputPackets`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_packets: Option<u64>,
    /// Output rate in bit/s (`outputRatebps`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_rate_bps: Option<u64>,
    /// Output drops (`outputDrop`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_drops: Option<u64>,
    /// Packets in the output queue (`outputQueueCount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_queue_count: Option<u64>,
    /// Output queue size (`outputQueueDepth`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_queue_depth: Option<u64>,
    /// Bytes received. Kept as data; the DNA Center statistics have no
    /// field for it, so the view does not show it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_bytes: Option<u64>,
    /// Bytes sent (kept as data, not in the DNA Center view).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_bytes: Option<u64>,
    /// Receive errors (kept as data, not in the DNA Center view).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_errors: Option<u64>,
    /// Send errors (kept as data, not in the DNA Center view).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_errors: Option<u64>,
}

/// Direction of a service policy on an interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// `service-policy input`: traffic entering the interface.
    Input,
    /// `service-policy output`: traffic leaving the interface.
    Output,
}

impl Direction {
    /// `input` or `output`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Input => "input",
            Direction::Output => "output",
        }
    }
}

/// The class-map counters of one interface's service policy in one direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QosSample {
    /// The device's hostname.
    pub device: String,
    /// The interface (abbreviations allowed).
    pub interface: String,
    /// `input` or `output`.
    pub direction: Direction,
    /// Collection time, epoch milliseconds.
    pub collected_at: i64,
    /// One entry per class map, in policy order.
    pub classes: Vec<ClassMapSample>,
}

/// Counters of one class map.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassMapSample {
    /// Class-map name (`classMapName`), e.g. `VOICE`, `class-default`.
    pub class_map: String,
    /// Bandwidth given to the class's queue, bit/s (`queueBandwidthbps`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_bandwidth_bps: Option<u64>,
    /// Offered rate, bit/s (`offeredRate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered_rate: Option<u64>,
    /// Drop rate, bit/s (`dropRate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_rate: Option<u64>,
    /// Bytes matched (`numBytes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_bytes: Option<u64>,
    /// Packets matched (`numPackets`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_packets: Option<u64>,
    /// Queue depth, packets (`queueDepth`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_depth: Option<u64>,
    /// Drops for lack of buffers (`queueNoBufferDrops`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_no_buffer_drops: Option<u64>,
    /// All queue drops (`queueTotalDrops`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_total_drops: Option<u64>,
}

/// A performance-monitor flow record observed on a device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowRecord {
    /// The device's hostname.
    pub device: String,
    /// Collection time, epoch milliseconds.
    pub collected_at: i64,
    /// Source address (`sourceIpAddress`).
    pub src: IpAddr,
    /// Destination address (`destIpAddress`).
    pub dst: IpAddr,
    /// `tcp`, `udp`, `icmp` or a protocol number 0–255 (`protocol`).
    pub protocol: String,
    /// Source port (`sourcePort`; TCP and UDP only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_port: Option<u16>,
    /// Destination port (`destPort`; TCP and UDP only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dst_port: Option<u16>,
    /// Interface the flow entered by (`inputInterface`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_interface: Option<String>,
    /// Interface the flow left by (`outputInterface`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_interface: Option<String>,
    /// Bytes per second (`byteRate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byte_rate: Option<u64>,
    /// Bytes counted (`packetBytes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packet_bytes: Option<u64>,
    /// Packets counted (`packetCount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packet_count: Option<u64>,
    /// Packets lost (`packetLoss`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packet_loss: Option<u64>,
    /// Packets lost, percent 0–100 (`packetLossPercentage`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packet_loss_percentage: Option<f64>,
    /// DSCP, 0–63 (`ipv4DSCP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dscp: Option<u8>,
    /// IPv4 TTL (`ipv4TTL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u8>,
    /// Least RTP jitter, microseconds (`rtpJitterMin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtp_jitter_min: Option<u64>,
    /// Mean RTP jitter, microseconds (`rtpJitterMean`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtp_jitter_mean: Option<u64>,
    /// Greatest RTP jitter, microseconds (`rtpJitterMax`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtp_jitter_max: Option<u64>,
}

impl FlowRecord {
    /// The protocol as DNA Center writes it: `TCP`, `UDP`, `ICMP`, or the number.
    pub fn protocol_name(&self) -> String {
        self.protocol.to_ascii_uppercase()
    }

    /// The IANA protocol number, or `None` when `protocol` is not valid.
    pub fn protocol_number(&self) -> Option<u8> {
        protocol_number(&self.protocol)
    }
}

/// The IANA number of a protocol written `tcp`, `udp`, `icmp` (any case) or
/// as a number 0–255.
pub fn protocol_number(text: &str) -> Option<u8> {
    match text.to_ascii_lowercase().as_str() {
        "tcp" => Some(6),
        "udp" => Some(17),
        "icmp" => Some(1),
        n => n.parse().ok(),
    }
}
