//! Telemetry for the DNA Center view's statistics inclusions
//! (`DEVICE-STATS`, `INTERFACE-STATS`, `QOS-STATS`, `PERFORMANCE-STATS`).
//!
//! The view asks a [`TelemetrySource`] for the statistics of each element of
//! the path; an `Err` is the reason the collection failed, which the view
//! reports as `…Collection: "FAILED"` with `…CollectionFailureReason`. Two
//! sources are provided:
//!
//! * [`CollectedTelemetry`]: what a collector observed, from the model's
//!   `telemetry:` section ([`pathtrace_model::telemetry`]). The latest
//!   sample of an element is used, with its collection time as
//!   `refreshedAt`; an element without samples fails with a reason, and a
//!   figure the sample lacks is left out. **Numbers are never invented.**
//! * [`SimulatedTelemetry`]: **simulated** figures, a pure function of the
//!   element's id and the time, for the built-in demo network only (it has
//!   no collector). CPU moves between 3 and 40 %, memory use drifts slowly,
//!   counters only ever grow, rates wave over minutes. Never use it for a
//!   real network.
//!
//! The statistics types serialize to the contract's JSON field names and
//! types (reference/dnac-api-contract.md §4.3): CPU percentages and
//! `packetLossPercentage` are JSON floats, counters and `refreshedAt`
//! (epoch ms) JSON integers, statuses, ports, DSCP and `queueBandwidthbps`
//! strings.

use std::collections::HashMap;

use pathtrace_model::telemetry::{
    ClassMapSample, CpuSample, FlowRecord, InterfaceSample, MemorySample, QosSample,
};
use pathtrace_model::types::State;
use serde::Serialize;

pub use pathtrace_model::telemetry::Direction;

use crate::dataplane::DataPlane;
use crate::flow::{Flow, Protocol};

/// `cpuStatistics`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CpuStatistics {
    /// CPU over the last 5 seconds, percent.
    pub five_secs_usage_in_percentage: f64,
    /// CPU over the last minute, percent.
    pub one_min_usage_in_percentage: f64,
    /// CPU over the last 5 minutes, percent.
    pub five_min_usage_in_percentage: f64,
    /// Collection time, epoch ms.
    pub refreshed_at: i64,
}

/// `memoryStatistics`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryStatistics {
    /// Bytes in use.
    pub memory_usage: u64,
    /// Bytes installed.
    pub total_memory: u64,
    /// Collection time, epoch ms.
    pub refreshed_at: i64,
}

/// `deviceStatistics` (DEVICE-STATS).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceStatistics {
    /// CPU.
    pub cpu_statistics: CpuStatistics,
    /// Memory.
    pub memory_statistics: MemoryStatistics,
}

/// `interfaceStatistics` (INTERFACE-STATS). A figure that was not collected
/// is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InterfaceStatistics {
    /// `up` or `down`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_status: Option<String>,
    /// `up` or `down`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operational_status: Option<String>,
    /// Packets received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_packets: Option<u64>,
    /// Packets in the input queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_queue_count: Option<u64>,
    /// Input queue drops.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_queue_drops: Option<u64>,
    /// Input queue flushes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_queue_flushes: Option<u64>,
    /// Input queue size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_queue_max_depth: Option<u64>,
    /// Input rate, bit/s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_ratebps: Option<u64>,
    /// Output drops.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_drop: Option<u64>,
    /// Packets sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_packets: Option<u64>,
    /// Packets in the output queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_queue_count: Option<u64>,
    /// Output queue size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_queue_depth: Option<u64>,
    /// Output rate, bit/s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_ratebps: Option<u64>,
    /// Collection time, epoch ms.
    pub refreshed_at: i64,
}

/// One `qosStatistics` entry (QOS-STATS): the counters of one class map.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QosClassMapStatistics {
    /// Class-map name.
    pub class_map_name: String,
    /// Drop rate, bit/s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_rate: Option<u64>,
    /// Bytes matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_bytes: Option<u64>,
    /// Packets matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_packets: Option<u64>,
    /// Offered rate, bit/s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offered_rate: Option<u64>,
    /// The queue's bandwidth, bit/s, as a string (the contract's type).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_bandwidthbps: Option<String>,
    /// Queue depth, packets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_depth: Option<u64>,
    /// Drops for lack of buffers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_no_buffer_drops: Option<u64>,
    /// All queue drops.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_total_drops: Option<u64>,
    /// Collection time, epoch ms.
    pub refreshed_at: i64,
}

/// One `perfMonitorStatistics` entry (PERFORMANCE-STATS): a flow record.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PerfMonitorStatistics {
    /// Source address.
    pub source_ip_address: String,
    /// Destination address.
    pub dest_ip_address: String,
    /// Source port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_port: Option<String>,
    /// Destination port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dest_port: Option<String>,
    /// `TCP`, `UDP`, `ICMP` or the protocol number.
    pub protocol: String,
    /// Interface the flow entered by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_interface: Option<String>,
    /// Interface the flow left by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_interface: Option<String>,
    /// Bytes per second.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_rate: Option<u64>,
    /// Bytes counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packet_bytes: Option<u64>,
    /// Packets counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packet_count: Option<u64>,
    /// Packets lost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packet_loss: Option<u64>,
    /// Packets lost, percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packet_loss_percentage: Option<f64>,
    /// DSCP, as a string.
    #[serde(rename = "ipv4DSCP", skip_serializing_if = "Option::is_none")]
    pub ipv4_dscp: Option<String>,
    /// TTL.
    #[serde(rename = "ipv4TTL", skip_serializing_if = "Option::is_none")]
    pub ipv4_ttl: Option<u64>,
    /// Least RTP jitter, microseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtp_jitter_min: Option<u64>,
    /// Mean RTP jitter, microseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtp_jitter_mean: Option<u64>,
    /// Greatest RTP jitter, microseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtp_jitter_max: Option<u64>,
    /// Collection time, epoch ms.
    pub refreshed_at: i64,
}

/// What a performance-monitor lookup is about: the traced flow at one hop.
#[derive(Debug, Clone, Copy)]
pub struct PerfQuery<'a> {
    /// The traced flow.
    pub flow: &'a Flow,
    /// The branch's protocol (`None`: the flow gave none and TCP and UDP agree).
    pub protocol: Option<Protocol>,
    /// The hop's ingress interface (index), physical before virtual.
    pub ingress: Option<u32>,
    /// The hop's egress interface (index), physical before virtual.
    pub egress: Option<u32>,
    /// The hop's position in the branch (0 = the source).
    pub position: usize,
}

/// Where the statistics inclusions get their figures. Elements are named by
/// the data plane's indices (`DataPlane::devices`, `DataPlane::interfaces`);
/// `now_ms` is the time of the analysis (epoch ms). `Err` carries the
/// reason the collection failed, shown as `…CollectionFailureReason`.
pub trait TelemetrySource {
    /// CPU and memory of a device (DEVICE-STATS).
    fn device_stats(
        &self,
        dp: &DataPlane,
        device: u32,
        now_ms: i64,
    ) -> Result<DeviceStatistics, String>;

    /// Counters of an interface (INTERFACE-STATS).
    fn interface_stats(
        &self,
        dp: &DataPlane,
        interface: u32,
        now_ms: i64,
    ) -> Result<InterfaceStatistics, String>;

    /// Class-map counters of an interface's policy in one direction
    /// (QOS-STATS): `Input` for an ingress interface, `Output` for an egress one.
    fn qos_stats(
        &self,
        dp: &DataPlane,
        interface: u32,
        direction: Direction,
        now_ms: i64,
    ) -> Result<Vec<QosClassMapStatistics>, String>;

    /// Flow records of the traced flow on a device (PERFORMANCE-STATS). An
    /// empty list is a success: the device monitors flows but saw none of
    /// this one.
    fn perf_monitor_stats(
        &self,
        dp: &DataPlane,
        device: u32,
        query: &PerfQuery<'_>,
        now_ms: i64,
    ) -> Result<Vec<PerfMonitorStatistics>, String>;
}

fn state(s: State) -> String {
    match s {
        State::Up => "up",
        State::Down => "down",
    }
    .to_string()
}

fn iface_label(dp: &DataPlane, interface: u32) -> String {
    dp.interfaces.get(interface as usize).map_or_else(
        || format!("interface #{interface}"),
        |i| {
            let dev = dp
                .devices
                .get(i.device as usize)
                .map_or("?", |d| d.name.as_str());
            format!("{dev} {}", i.name)
        },
    )
}

fn device_label(dp: &DataPlane, device: u32) -> String {
    dp.devices
        .get(device as usize)
        .map_or_else(|| format!("device #{device}"), |d| d.name.clone())
}

// ----- collected -------------------------------------------------------------

/// The collected telemetry of a model (its `telemetry:` section), indexed by
/// the data plane's device and interface indices. Built once per snapshot;
/// owns its data.
#[derive(Debug, Clone, Default)]
pub struct CollectedTelemetry {
    cpu: HashMap<u32, (i64, CpuSample)>,
    memory: HashMap<u32, (i64, MemorySample)>,
    interfaces: HashMap<u32, InterfaceSample>,
    qos: HashMap<(u32, Direction), QosSample>,
    flows: HashMap<u32, Vec<FlowRecord>>,
}

/// Keep `new` when it is at least as recent as what `slot` holds.
fn keep_latest<T>(slot: &mut Option<(i64, T)>, at: i64, new: T) {
    if slot.as_ref().is_none_or(|(t, _)| at >= *t) {
        *slot = Some((at, new));
    }
}

impl CollectedTelemetry {
    /// Index `telemetry` (validated with the network `dp` was built from;
    /// records naming unknown elements are skipped). The latest sample of
    /// each element wins, per figure group: a device's CPU and memory may
    /// come from different samples.
    pub fn new(dp: &DataPlane, telemetry: &pathtrace_model::Telemetry) -> Self {
        let mut t = CollectedTelemetry::default();
        let iface = |device: &str, name: &str| {
            dp.device_index(device)
                .and_then(|d| dp.interface_index(d, name))
        };
        for s in &telemetry.devices {
            let Some(d) = dp.device_index(&s.device) else {
                continue;
            };
            if let Some(cpu) = s.cpu {
                let mut slot = t.cpu.remove(&d);
                keep_latest(&mut slot, s.collected_at, cpu);
                t.cpu.extend(slot.map(|v| (d, v)));
            }
            if let Some(mem) = s.memory {
                let mut slot = t.memory.remove(&d);
                keep_latest(&mut slot, s.collected_at, mem);
                t.memory.extend(slot.map(|v| (d, v)));
            }
        }
        for s in &telemetry.interfaces {
            let Some(i) = iface(&s.device, &s.interface) else {
                continue;
            };
            if t.interfaces
                .get(&i)
                .is_none_or(|old| s.collected_at >= old.collected_at)
            {
                t.interfaces.insert(i, s.clone());
            }
        }
        for s in &telemetry.qos {
            let Some(i) = iface(&s.device, &s.interface) else {
                continue;
            };
            let key = (i, s.direction);
            if t.qos
                .get(&key)
                .is_none_or(|old| s.collected_at >= old.collected_at)
            {
                t.qos.insert(key, s.clone());
            }
        }
        for r in &telemetry.flows {
            if let Some(d) = dp.device_index(&r.device) {
                // Interfaces by their full names, as everywhere in the view.
                let full = |name: &Option<String>| {
                    name.as_ref().map(|n| {
                        dp.interface_index(d, n)
                            .map_or_else(|| n.clone(), |i| dp.interfaces[i as usize].name.clone())
                    })
                };
                let mut r = r.clone();
                r.input_interface = full(&r.input_interface);
                r.output_interface = full(&r.output_interface);
                t.flows.entry(d).or_default().push(r);
            }
        }
        t
    }

    /// True when nothing was collected.
    pub fn is_empty(&self) -> bool {
        self.cpu.is_empty()
            && self.memory.is_empty()
            && self.interfaces.is_empty()
            && self.qos.is_empty()
            && self.flows.is_empty()
    }
}

fn class_stats(c: &ClassMapSample, at: i64) -> QosClassMapStatistics {
    QosClassMapStatistics {
        class_map_name: c.class_map.clone(),
        drop_rate: c.drop_rate,
        num_bytes: c.num_bytes,
        num_packets: c.num_packets,
        offered_rate: c.offered_rate,
        queue_bandwidthbps: c.queue_bandwidth_bps.map(|b| b.to_string()),
        queue_depth: c.queue_depth,
        queue_no_buffer_drops: c.queue_no_buffer_drops,
        queue_total_drops: c.queue_total_drops,
        refreshed_at: at,
    }
}

/// Whether a collected record is of the traced flow: same addresses, and
/// the same protocol and ports wherever the query gives them.
fn record_matches(r: &FlowRecord, q: &PerfQuery<'_>) -> bool {
    let f = q.flow;
    r.src == f.src
        && r.dst == f.dst
        && q.protocol
            .or(f.protocol)
            .is_none_or(|p| r.protocol_number() == Some(p.number()))
        && f.src_port.is_none_or(|p| r.src_port == Some(p))
        && f.dst_port.is_none_or(|p| r.dst_port == Some(p))
}

fn flow_stats(r: &FlowRecord) -> PerfMonitorStatistics {
    PerfMonitorStatistics {
        source_ip_address: r.src.to_string(),
        dest_ip_address: r.dst.to_string(),
        source_port: r.src_port.map(|p| p.to_string()),
        dest_port: r.dst_port.map(|p| p.to_string()),
        protocol: r.protocol_name(),
        input_interface: r.input_interface.clone(),
        output_interface: r.output_interface.clone(),
        byte_rate: r.byte_rate,
        packet_bytes: r.packet_bytes,
        packet_count: r.packet_count,
        packet_loss: r.packet_loss,
        packet_loss_percentage: r.packet_loss_percentage,
        ipv4_dscp: r.dscp.map(|d| d.to_string()),
        ipv4_ttl: r.ttl.map(u64::from),
        rtp_jitter_min: r.rtp_jitter_min,
        rtp_jitter_mean: r.rtp_jitter_mean,
        rtp_jitter_max: r.rtp_jitter_max,
        refreshed_at: r.collected_at,
    }
}

impl TelemetrySource for CollectedTelemetry {
    fn device_stats(
        &self,
        dp: &DataPlane,
        device: u32,
        _now_ms: i64,
    ) -> Result<DeviceStatistics, String> {
        let name = device_label(dp, device);
        match (self.cpu.get(&device), self.memory.get(&device)) {
            (Some(&(cpu_at, cpu)), Some(&(mem_at, mem))) => Ok(DeviceStatistics {
                cpu_statistics: CpuStatistics {
                    five_secs_usage_in_percentage: cpu.five_seconds,
                    one_min_usage_in_percentage: cpu.one_minute,
                    five_min_usage_in_percentage: cpu.five_minutes,
                    refreshed_at: cpu_at,
                },
                memory_statistics: MemoryStatistics {
                    memory_usage: mem.used,
                    total_memory: mem.total,
                    refreshed_at: mem_at,
                },
            }),
            (None, None) => Err(format!(
                "no CPU or memory statistics were collected from {name}"
            )),
            (None, Some(_)) => Err(format!("no CPU statistics were collected from {name}")),
            (Some(_), None) => Err(format!("no memory statistics were collected from {name}")),
        }
    }

    fn interface_stats(
        &self,
        dp: &DataPlane,
        interface: u32,
        _now_ms: i64,
    ) -> Result<InterfaceStatistics, String> {
        let s = self.interfaces.get(&interface).ok_or_else(|| {
            format!(
                "no interface statistics were collected for {}",
                iface_label(dp, interface)
            )
        })?;
        Ok(InterfaceStatistics {
            admin_status: s.admin_status.map(state),
            operational_status: s.operational_status.map(state),
            input_packets: s.input_packets,
            input_queue_count: s.input_queue_count,
            input_queue_drops: s.input_queue_drops,
            input_queue_flushes: s.input_queue_flushes,
            input_queue_max_depth: s.input_queue_max_depth,
            input_ratebps: s.input_rate_bps,
            output_drop: s.output_drops,
            output_packets: s.output_packets,
            output_queue_count: s.output_queue_count,
            output_queue_depth: s.output_queue_depth,
            output_ratebps: s.output_rate_bps,
            refreshed_at: s.collected_at,
        })
    }

    fn qos_stats(
        &self,
        dp: &DataPlane,
        interface: u32,
        direction: Direction,
        _now_ms: i64,
    ) -> Result<Vec<QosClassMapStatistics>, String> {
        let s = self.qos.get(&(interface, direction)).ok_or_else(|| {
            format!(
                "no {} QoS statistics were collected for {}",
                direction.as_str(),
                iface_label(dp, interface)
            )
        })?;
        Ok(s.classes
            .iter()
            .map(|c| class_stats(c, s.collected_at))
            .collect())
    }

    fn perf_monitor_stats(
        &self,
        dp: &DataPlane,
        device: u32,
        query: &PerfQuery<'_>,
        _now_ms: i64,
    ) -> Result<Vec<PerfMonitorStatistics>, String> {
        let records = self.flows.get(&device).ok_or_else(|| {
            format!(
                "no performance-monitor records were collected from {}",
                device_label(dp, device)
            )
        })?;
        // The latest record of each distinct flow (5-tuple and interfaces).
        let matching: Vec<&FlowRecord> = records
            .iter()
            .filter(|r| record_matches(r, query))
            .collect();
        let key = |r: &FlowRecord| {
            (
                r.protocol_number(),
                r.src_port,
                r.dst_port,
                r.input_interface.clone(),
                r.output_interface.clone(),
            )
        };
        let mut latest: HashMap<_, i64> = HashMap::new();
        for r in &matching {
            let t = latest.entry(key(r)).or_insert(r.collected_at);
            *t = (*t).max(r.collected_at);
        }
        let mut seen = std::collections::HashSet::new();
        Ok(matching
            .into_iter()
            .filter(|r| {
                let k = key(r);
                latest.get(&k) == Some(&r.collected_at) && seen.insert(k)
            })
            .map(flow_stats)
            .collect())
    }
}

// ----- simulated -------------------------------------------------------------

/// **Simulated** telemetry for the built-in demo network, which has no
/// collector. Every figure is a pure function of the element's id and the
/// time: the same element at the same `now_ms` always gives the same
/// numbers, and they move plausibly as time passes —
///
/// * CPU: a per-device base load (8–22 %) that waves by up to ±45 % over
///   tens of minutes (the 5-minute figure), ±20 % more over minutes (the
///   1-minute figure) and ±3 points per 5-second slot (the 5-second figure);
///   always within 3–40 %, one decimal;
/// * memory: 2, 4, 8 or 16 GiB installed, 35–55 % in use, drifting slowly;
/// * interface counters: packets since 2024-01-01 00:00 UTC at a rate that
///   waves between half and one and a half times a per-interface base, so
///   they only ever grow; drops are a small fixed fraction of them; rates
///   are the current packet rate times a per-interface mean packet size;
///   status is the model's (a down interface has zero rates);
/// * QoS: a `VOICE` and a `class-default` class map per interface and
///   direction, counted the same way (only `class-default` drops);
/// * performance monitor: one record of the traced flow per device, with
///   the hop's interfaces, a TTL that drops by one per hop, and RTP jitter
///   for UDP.
///
/// `refreshedAt` is `now_ms`. It never fails.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimulatedTelemetry;

/// The start of the simulated counters: 2024-01-01 00:00:00 UTC.
const SIM_EPOCH_MS: i64 = 1_704_067_200_000;

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A number in [0, 1) drawn from (seed, k).
fn unit(seed: u64, k: u64) -> f64 {
    (splitmix(seed ^ splitmix(k)) >> 11) as f64 / (1u64 << 53) as f64
}

fn seed_of(id: &uuid::Uuid) -> u64 {
    let (a, b) = id.as_u64_pair();
    a ^ b.rotate_left(17)
}

/// Seconds since the simulation's epoch (never negative).
fn sim_seconds(now_ms: i64) -> f64 {
    (now_ms.saturating_sub(SIM_EPOCH_MS)).max(0) as f64 / 1000.0
}

/// A wave of period `period_s` with a phase drawn from the seed: [-1, 1].
fn wave(seed: u64, k: u64, period_s: f64, t: f64) -> f64 {
    let phase = unit(seed, k) * std::f64::consts::TAU;
    (std::f64::consts::TAU * t / period_s + phase).sin()
}

/// A monotonic counter: the integral from 0 to `t` of
/// `base * (1 + 0.5 sin(ωt + φ))`, and the current rate.
fn counter(seed: u64, k: u64, base: f64, t: f64) -> (u64, f64) {
    let period = 600.0 + 3000.0 * unit(seed, k + 1);
    let omega = std::f64::consts::TAU / period;
    let phase = unit(seed, k) * std::f64::consts::TAU;
    let integral = base * (t + 0.5 * (phase.cos() - (omega * t + phase).cos()) / omega);
    let rate = base * (1.0 + 0.5 * (omega * t + phase).sin());
    (integral.max(0.0) as u64, rate)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn qos_sim(seed: u64, t: f64, at: i64) -> Vec<QosClassMapStatistics> {
    [
        ("VOICE", 10_000_000u64, 60.0, 200u64),
        ("class-default", 0, 900.0, 700),
    ]
    .into_iter()
    .enumerate()
    .map(|(k, (name, bw, base_pps, size))| {
        let k = 100 + 10 * k as u64;
        let base = base_pps * (0.5 + unit(seed, k));
        let (packets, pps) = counter(seed, k + 1, base, t);
        let (drops, _) = if bw > 0 {
            (0, 0.0)
        } else {
            counter(seed, k + 3, base * 2e-6, t)
        };
        let offered = (pps * size as f64 * 8.0) as u64;
        QosClassMapStatistics {
            class_map_name: name.to_string(),
            drop_rate: Some(if bw > 0 {
                0
            } else {
                (offered as f64 * 2e-6) as u64
            }),
            num_bytes: Some(packets.saturating_mul(size)),
            num_packets: Some(packets),
            offered_rate: Some(offered),
            queue_bandwidthbps: Some(if bw > 0 {
                bw.to_string()
            } else {
                "100000000".to_string()
            }),
            queue_depth: Some((unit(seed, k + 5 + (t as u64 / 5)) * 4.0) as u64),
            queue_no_buffer_drops: Some(drops / 4),
            queue_total_drops: Some(drops),
            refreshed_at: at,
        }
    })
    .collect()
}

impl TelemetrySource for SimulatedTelemetry {
    fn device_stats(
        &self,
        dp: &DataPlane,
        device: u32,
        now_ms: i64,
    ) -> Result<DeviceStatistics, String> {
        let dev = dp
            .devices
            .get(device as usize)
            .ok_or_else(|| format!("no device #{device}"))?;
        let seed = seed_of(&dev.id);
        let t = sim_seconds(now_ms);
        let base = 8.0 + 14.0 * unit(seed, 1);
        let five_min = base * (1.0 + 0.45 * wave(seed, 2, 2400.0 + 3000.0 * unit(seed, 3), t));
        let one_min = five_min * (1.0 + 0.2 * wave(seed, 4, 300.0 + 300.0 * unit(seed, 5), t));
        let slot = (now_ms.max(0) / 5000) as u64;
        let five_sec = one_min + 6.0 * (unit(seed, slot) - 0.5);
        let clamp = |x: f64| round1(x.clamp(3.0, 40.0));
        let total: u64 = (2u64 << 30) << (splitmix(seed ^ 7) % 4);
        let used = 0.45 + 0.08 * (unit(seed, 8) - 0.5) + 0.02 * wave(seed, 9, 7200.0, t);
        Ok(DeviceStatistics {
            cpu_statistics: CpuStatistics {
                five_secs_usage_in_percentage: clamp(five_sec),
                one_min_usage_in_percentage: clamp(one_min),
                five_min_usage_in_percentage: clamp(five_min),
                refreshed_at: now_ms,
            },
            memory_statistics: MemoryStatistics {
                memory_usage: (total as f64 * used) as u64,
                total_memory: total,
                refreshed_at: now_ms,
            },
        })
    }

    fn interface_stats(
        &self,
        dp: &DataPlane,
        interface: u32,
        now_ms: i64,
    ) -> Result<InterfaceStatistics, String> {
        let info = dp
            .interfaces
            .get(interface as usize)
            .ok_or_else(|| format!("no interface #{interface}"))?;
        let seed = seed_of(&info.id);
        let t = sim_seconds(now_ms);
        let up = info.up;
        let size = 300.0 + 700.0 * unit(seed, 1);
        let (in_packets, in_pps) = counter(seed, 10, 200.0 + 4800.0 * unit(seed, 2), t);
        let (out_packets, out_pps) = counter(seed, 20, 200.0 + 4800.0 * unit(seed, 3), t);
        let (in_drops, _) = counter(seed, 30, in_pps.max(1.0) * 1e-6, t);
        let (out_drops, _) = counter(seed, 40, out_pps.max(1.0) * 2e-6, t);
        let rate = |pps: f64| if up { (pps * size * 8.0) as u64 } else { 0 };
        let slot = (now_ms.max(0) / 5000) as u64;
        let status = if up { "up" } else { "down" };
        Ok(InterfaceStatistics {
            admin_status: Some(status.to_string()),
            operational_status: Some(status.to_string()),
            input_packets: Some(in_packets),
            input_queue_count: Some((unit(seed, slot) * 3.0) as u64),
            input_queue_drops: Some(in_drops),
            input_queue_flushes: Some(in_drops / 50),
            input_queue_max_depth: Some(75),
            input_ratebps: Some(rate(in_pps)),
            output_drop: Some(out_drops),
            output_packets: Some(out_packets),
            output_queue_count: Some((unit(seed, slot ^ 0x55) * 5.0) as u64),
            output_queue_depth: Some(40),
            output_ratebps: Some(rate(out_pps)),
            refreshed_at: now_ms,
        })
    }

    fn qos_stats(
        &self,
        dp: &DataPlane,
        interface: u32,
        direction: Direction,
        now_ms: i64,
    ) -> Result<Vec<QosClassMapStatistics>, String> {
        let info = dp
            .interfaces
            .get(interface as usize)
            .ok_or_else(|| format!("no interface #{interface}"))?;
        let seed = seed_of(&info.id) ^ splitmix(direction as u64 + 1);
        Ok(qos_sim(seed, sim_seconds(now_ms), now_ms))
    }

    fn perf_monitor_stats(
        &self,
        dp: &DataPlane,
        device: u32,
        query: &PerfQuery<'_>,
        now_ms: i64,
    ) -> Result<Vec<PerfMonitorStatistics>, String> {
        let dev = dp
            .devices
            .get(device as usize)
            .ok_or_else(|| format!("no device #{device}"))?;
        let f = query.flow;
        let fseed = f.hash5();
        let seed = seed_of(&dev.id) ^ fseed;
        let t = sim_seconds(now_ms);
        let protocol = query.protocol.or(f.protocol).unwrap_or(Protocol::Tcp);
        let ports = protocol != Protocol::Icmp;
        let src_port = f
            .src_port
            .unwrap_or(49_152 + (splitmix(fseed) % 16_384) as u16);
        let dst_port = f.dst_port.unwrap_or(match protocol {
            Protocol::Udp => (16_384 + (splitmix(fseed ^ 1) % 16_384) as u16) & !1,
            _ => 443,
        });
        // Per-flow rate from the flow alone, so every hop shows about the same.
        let base = 20_000.0 + 480_000.0 * unit(fseed, 1);
        let byte_rate = base * (1.0 + 0.3 * wave(fseed, 2, 900.0, t));
        let size = if protocol == Protocol::Udp {
            214.0
        } else {
            900.0
        };
        let packets = (byte_rate * 60.0 / size) as u64;
        let loss = (packets as f64 * 0.002 * unit(seed, (t as u64) / 60)) as u64;
        let name = |i: Option<u32>| {
            i.and_then(|i| dp.interfaces.get(i as usize))
                .map(|x| x.name.clone())
        };
        let jitter = |k: u64, lo: f64, span: f64| {
            (protocol == Protocol::Udp)
                .then(|| (lo + span * unit(seed, k + (t as u64) / 60)) as u64)
        };
        let (jmin, jmean, jmax) = (
            jitter(20, 100.0, 400.0),
            jitter(21, 800.0, 1500.0),
            jitter(22, 3000.0, 9000.0),
        );
        Ok(vec![PerfMonitorStatistics {
            source_ip_address: f.src.to_string(),
            dest_ip_address: f.dst.to_string(),
            source_port: ports.then(|| src_port.to_string()),
            dest_port: ports.then(|| dst_port.to_string()),
            protocol: protocol.as_str().to_string(),
            input_interface: name(query.ingress),
            output_interface: name(query.egress),
            byte_rate: Some(byte_rate as u64),
            packet_bytes: Some((packets as f64 * size) as u64),
            packet_count: Some(packets),
            packet_loss: Some(loss),
            packet_loss_percentage: Some(if packets == 0 {
                0.0
            } else {
                (loss as f64 * 100_000.0 / packets as f64).round() / 1000.0
            }),
            ipv4_dscp: Some(if protocol == Protocol::Udp { "46" } else { "0" }.to_string()),
            ipv4_ttl: Some(64u64.saturating_sub(query.position as u64).max(1)),
            rtp_jitter_min: jmin,
            rtp_jitter_mean: jmean,
            rtp_jitter_max: jmax,
            refreshed_at: now_ms,
        }])
    }
}
