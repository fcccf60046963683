//! Telemetry from a SuzieQ snapshot: the `ifCounters`, `topcpu` and
//! `topmem` tables as the model's `telemetry:` section
//! ([`pathtrace_model::telemetry`]), so a path trace's `DEVICE-STATS` and
//! `INTERFACE-STATS` show what the devices reported.
//!
//! * **Interfaces** (`ifCounters`): one sample per interface, at the row's
//!   poll time — `rxPackets`/`txPackets` as `input_packets`/`output_packets`,
//!   `rxDrops` as `input_queue_drops` (the nearest DNA Center field,
//!   `inputQueueDrops`), `txDrops` as `output_drops`, and `rxBytes`,
//!   `txBytes`, `rxErrs`, `txErrs` as `input_bytes`, `output_bytes`,
//!   `input_errors`, `output_errors` (kept in the model; the DNA Center
//!   statistics have no field for them). The interface's admin and
//!   operational state come from the `interfaces` table. SuzieQ collects no
//!   rates or queue figures: they are left out.
//! * **CPU** (`topcpu`): SuzieQ runs `top` once per poll, so the device's
//!   CPU at that poll is the sum of the listed processes' `percentCPU` at
//!   its latest poll (rounded to 0.1). There is one figure, not three
//!   averages: it is reported as the 5-second, 1-minute and 5-minute
//!   figures alike. `top` lists only the busiest processes, so the sum is a
//!   lower bound. A sum above 100 % (a multi-core device: `top` counts per
//!   core, and the core count is not collected) is not reported.
//! * **Memory** (`topmem`): `totalMem` and `usedMem` (KiB, as `top` prints
//!   them; `totalMem − freeMem` when `usedMem` is absent) of the device's
//!   latest poll, in bytes. A total of 0 means not collected.
//!
//! A device without `topcpu`/`topmem` rows (the `mixed` namespace has
//! neither table) gets no device sample, so its `DEVICE-STATS` is `FAILED`
//! with "no CPU or memory statistics were collected from …". Nothing is
//! invented; what is left out is reported, one warning per kind.

use std::collections::{BTreeMap, HashMap, HashSet};

use pathtrace_model::Network;
use pathtrace_model::telemetry::{
    CpuSample, DeviceSample, InterfaceSample, MemorySample, Telemetry,
};
use pathtrace_model::types::State;

use super::Snapshot;
use super::rows::{InterfaceRow, ProcessRow};

/// The smallest plausible poll time (epoch ms, 1973): a smaller one is not a time.
const MIN_TIME_MS: i64 = 100_000_000_000;

use super::convert::Warnings;

fn state(s: &str) -> Option<State> {
    match s.trim() {
        "" => None,
        s if s.eq_ignore_ascii_case("up") => Some(State::Up),
        _ => Some(State::Down),
    }
}

/// The rows of each host's latest poll (the greatest timestamp among them).
fn latest_poll<'a>(
    rows: impl Iterator<Item = &'a ProcessRow>,
) -> BTreeMap<&'a str, Vec<&'a ProcessRow>> {
    let mut by_host: BTreeMap<&str, Vec<&ProcessRow>> = BTreeMap::new();
    for r in rows {
        by_host.entry(r.meta.hostname.as_str()).or_default().push(r);
    }
    for rows in by_host.values_mut() {
        let last = rows.iter().map(|r| r.meta.timestamp).max().unwrap_or(0);
        rows.retain(|r| r.meta.timestamp == last);
    }
    by_host
}

/// The device CPU of one poll: the processes' `percentCPU` summed.
fn cpu(host: &str, rows: &[&ProcessRow], w: &mut Warnings) -> Option<CpuSample> {
    let figures: Vec<f64> = rows.iter().filter_map(|r| r.percent_cpu).collect();
    if figures.is_empty() {
        w.add("device CPU not collected (no percentCPU)", host.to_string());
        return None;
    }
    if figures.iter().any(|x| !x.is_finite() || *x < 0.0) {
        w.add(
            "device CPU not reported (a percentCPU is not a percentage)",
            host.to_string(),
        );
        return None;
    }
    let sum = (figures.iter().sum::<f64>() * 10.0).round() / 10.0;
    if sum > 100.0 {
        w.add(
            "device CPU not reported (processes sum above 100 %: a multi-core device, core count not collected)",
            format!("{host} {sum} %"),
        );
        return None;
    }
    Some(CpuSample {
        five_seconds: sum,
        one_minute: sum,
        five_minutes: sum,
    })
}

/// The device memory of one poll, in bytes.
fn memory(host: &str, rows: &[&ProcessRow], w: &mut Warnings) -> Option<MemorySample> {
    let Some(r) = rows.iter().find(|r| r.total_mem.is_some_and(|t| t > 0)) else {
        w.add(
            "device memory not collected (totalMem absent or 0)",
            host.to_string(),
        );
        return None;
    };
    let total = r.total_mem.unwrap_or(0);
    let used = r
        .used_mem
        .or_else(|| r.free_mem.and_then(|f| total.checked_sub(f)));
    let Some(used) = used.filter(|u| *u <= total) else {
        w.add(
            "device memory not reported (usedMem absent or above totalMem)",
            host.to_string(),
        );
        return None;
    };
    Some(MemorySample {
        used: used.saturating_mul(1024),
        total: total.saturating_mul(1024),
    })
}

/// The interfaces a converted device has: every `interfaces` row but Junos
/// internal ones (which the conversion leaves out).
fn known_interfaces(s: &Snapshot) -> HashMap<(&str, &str), &InterfaceRow> {
    s.interfaces
        .iter()
        .filter(|r| r.kind != "internal")
        .map(|r| ((r.meta.hostname.as_str(), r.ifname.as_str()), r))
        .collect()
}

/// The telemetry of a snapshot (see the module documentation) and what was
/// left out, one line per kind (sorted), e.g.
/// `interface counters without an interface name: 8 (exit01, exit02, leaf01, …)`.
///
/// Records name only devices of the `device` table and interfaces of the
/// `interfaces` table; [`retain_converted`] then drops those of elements
/// the conversion itself left out.
pub(crate) fn telemetry(s: &Snapshot) -> (Telemetry, Vec<String>) {
    let mut w = Warnings::default();
    let devices: HashSet<&str> = s.devices.iter().map(|d| d.meta.hostname.as_str()).collect();
    let ifaces = known_interfaces(s);

    // Interfaces: the latest row per (host, name) — normalisation may have
    // given two spellings of one interface the same name.
    let mut latest: BTreeMap<(&str, &str), &super::IfCountersRow> = BTreeMap::new();
    for r in &s.if_counters {
        let host = r.meta.hostname.as_str();
        // SuzieQ writes the text `None` when a device gave it no counters.
        if r.ifname.trim().is_empty() || r.ifname == "None" {
            w.add(
                "interface counters without an interface name (no counters collected)",
                host.to_string(),
            );
            continue;
        }
        if !devices.contains(host) {
            w.add(
                "interface counters of a device not in the device table",
                format!("{host} {}", r.ifname),
            );
            continue;
        }
        if !ifaces.contains_key(&(host, r.ifname.as_str())) {
            w.add(
                "interface counters of an interface not converted",
                format!("{host} {}", r.ifname),
            );
            continue;
        }
        if r.meta.timestamp < MIN_TIME_MS {
            w.add(
                "interface counters without a poll time",
                format!("{host} {}", r.ifname),
            );
            continue;
        }
        let slot = latest.entry((host, r.ifname.as_str())).or_insert(r);
        if r.meta.timestamp >= slot.meta.timestamp {
            *slot = r;
        }
    }
    let interfaces = latest
        .into_iter()
        .map(|((host, name), r)| {
            let row = ifaces.get(&(host, name));
            InterfaceSample {
                device: host.to_string(),
                interface: name.to_string(),
                collected_at: r.meta.timestamp,
                admin_status: row.and_then(|i| state(&i.admin_state)),
                operational_status: row.and_then(|i| state(&i.state)),
                input_packets: r.rx_packets,
                input_queue_drops: r.rx_drops,
                output_packets: r.tx_packets,
                output_drops: r.tx_drops,
                input_bytes: r.rx_bytes,
                output_bytes: r.tx_bytes,
                input_errors: r.rx_errs,
                output_errors: r.tx_errs,
                ..InterfaceSample::default()
            }
        })
        .collect();

    // Devices: CPU and memory of each host's latest poll.
    let keep = |host: &str, w: &mut Warnings, table: &'static str| {
        if devices.contains(host) {
            true
        } else {
            w.add(
                match table {
                    "topcpu" => "topcpu rows of a device not in the device table",
                    _ => "topmem rows of a device not in the device table",
                },
                host.to_string(),
            );
            false
        }
    };
    let mut samples: BTreeMap<(&str, i64), DeviceSample> = BTreeMap::new();
    for (host, rows) in latest_poll(s.topcpu.iter().map(|r| &r.0)) {
        let at = rows.first().map_or(0, |r| r.meta.timestamp);
        if !keep(host, &mut w, "topcpu") {
            continue;
        }
        if at < MIN_TIME_MS {
            w.add("device CPU without a poll time", host.to_string());
            continue;
        }
        if let Some(c) = cpu(host, &rows, &mut w) {
            samples
                .entry((host, at))
                .or_insert_with(|| empty_sample(host, at))
                .cpu = Some(c);
        }
    }
    for (host, rows) in latest_poll(s.topmem.iter().map(|r| &r.0)) {
        let at = rows.first().map_or(0, |r| r.meta.timestamp);
        if !keep(host, &mut w, "topmem") {
            continue;
        }
        if at < MIN_TIME_MS {
            w.add("device memory without a poll time", host.to_string());
            continue;
        }
        if let Some(m) = memory(host, &rows, &mut w) {
            samples
                .entry((host, at))
                .or_insert_with(|| empty_sample(host, at))
                .memory = Some(m);
        }
    }
    let with_stats: HashSet<&str> = samples.keys().map(|(h, _)| *h).collect();
    let mut missing: Vec<&str> = devices
        .iter()
        .copied()
        .filter(|d| !with_stats.contains(d))
        .collect();
    missing.sort_unstable();
    for d in missing {
        w.add(
            "devices without CPU or memory figures (their DEVICE-STATS fail)",
            d.to_string(),
        );
    }
    (
        Telemetry {
            devices: samples.into_values().collect(),
            interfaces,
            ..Telemetry::default()
        },
        w.lines(),
    )
}

fn empty_sample(host: &str, at: i64) -> DeviceSample {
    DeviceSample {
        device: host.to_string(),
        collected_at: at,
        cpu: None,
        memory: None,
    }
}

/// Drop the records of devices and interfaces that `network` (the
/// conversion of the same snapshot) does not have — a device the conversion
/// left out, say — so the model stays valid; a warning line when any were
/// dropped.
pub(crate) fn retain_converted(t: &mut Telemetry, network: &Network) -> Option<String> {
    let ifaces: HashSet<(&str, &str)> = network
        .devices
        .iter()
        .flat_map(|d| {
            d.interfaces
                .iter()
                .map(move |i| (d.hostname.as_str(), i.name.as_str()))
        })
        .collect();
    let devices: HashSet<&str> = network
        .devices
        .iter()
        .map(|d| d.hostname.as_str())
        .collect();
    let mut dropped: Vec<String> = Vec::new();
    t.devices.retain(|s| {
        let ok = devices.contains(s.device.as_str());
        if !ok {
            dropped.push(s.device.clone());
        }
        ok
    });
    t.interfaces.retain(|s| {
        let ok = ifaces.contains(&(s.device.as_str(), s.interface.as_str()));
        if !ok {
            dropped.push(format!("{} {}", s.device, s.interface));
        }
        ok
    });
    let n = dropped.len();
    (n > 0).then(|| {
        let ex: Vec<&str> = dropped.iter().take(3).map(String::as_str).collect();
        format!(
            "telemetry of an element not converted: {n} ({}{})",
            ex.join(", "),
            if n > 3 { ", …" } else { "" }
        )
    })
}

#[cfg(test)]
mod tests {
    use std::fs::File;
    use std::path::{Path, PathBuf};

    use arrow_array::{Array, Float32Array, Int64Array, RecordBatch, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use pathtrace_engine::view::telemetry::{CollectedTelemetry, TelemetrySource};

    use super::*;
    use crate::suzieq::{convert, read_namespace};

    fn fixture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/suzieq/parquet")
    }

    /// Every batch of a table's files for one host, read with the parquet
    /// crate directly (not through the importer).
    fn raw(table: &str, ns: &str, host: &str) -> Vec<RecordBatch> {
        let dir = fixture()
            .join(table)
            .join("sqvers=1.0")
            .join(format!("namespace={ns}"))
            .join(format!("hostname={host}"));
        let mut out = Vec::new();
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "parquet") {
                let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&p).unwrap())
                    .unwrap()
                    .build()
                    .unwrap();
                out.extend(reader.map(Result::unwrap));
            }
        }
        out
    }

    fn ints<'a>(b: &'a RecordBatch, col: &str) -> &'a Int64Array {
        b.column_by_name(col)
            .unwrap()
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
    }

    /// (timestamp, value) of every row of a float32 column.
    fn floats(batches: &[RecordBatch], col: &str) -> Vec<(i64, f64)> {
        let mut v = Vec::new();
        for b in batches {
            let ts = ints(b, "timestamp");
            let x = b
                .column_by_name(col)
                .unwrap()
                .as_any()
                .downcast_ref::<Float32Array>()
                .unwrap();
            for i in 0..b.num_rows() {
                v.push((ts.value(i), f64::from(x.value(i))));
            }
        }
        v
    }

    fn converted(ns: &str) -> (Network, Telemetry, Vec<String>) {
        let snap = read_namespace(&fixture(), ns).unwrap();
        let mut net = convert(&snap).network;
        let (mut t, mut w) = telemetry(&snap);
        w.extend(retain_converted(&mut t, &net));
        net.telemetry = t.clone();
        (net, t, w)
    }

    #[test]
    fn eos_cpu_is_the_sum_of_the_processes_at_the_latest_poll() {
        let (_, t, _) = converted("eos");
        let rows = floats(&raw("topcpu", "eos", "firewall01"), "percentCPU");
        let last = rows.iter().map(|r| r.0).max().unwrap();
        let sum: f64 = rows.iter().filter(|r| r.0 == last).map(|r| r.1).sum();
        let want = (sum * 10.0).round() / 10.0;
        assert!(want > 0.0, "the fixture's firewall01 is busy: {want}");
        let s = t
            .devices
            .iter()
            .find(|s| s.device == "firewall01" && s.cpu.is_some())
            .expect("a CPU sample of firewall01");
        assert_eq!(s.collected_at, last);
        let c = s.cpu.unwrap();
        for got in [c.five_seconds, c.one_minute, c.five_minutes] {
            assert!((got - want).abs() < 1e-9, "{got} != {want}");
        }
        // The five hosts with topcpu rows, and no others.
        let mut hosts: Vec<&str> = t
            .devices
            .iter()
            .filter(|s| s.cpu.is_some())
            .map(|s| s.device.as_str())
            .collect();
        hosts.dedup();
        assert_eq!(
            hosts,
            [
                "firewall01",
                "server101",
                "server102",
                "server301",
                "server302"
            ]
        );
    }

    #[test]
    fn eos_memory_is_top_s_totals_in_bytes() {
        let (_, t, _) = converted("eos");
        let b = raw("topmem", "eos", "server101");
        let mut latest = (0i64, 0i64, 0i64);
        for batch in &b {
            let (ts, total, used) = (
                ints(batch, "timestamp"),
                ints(batch, "totalMem"),
                ints(batch, "usedMem"),
            );
            for i in 0..batch.num_rows() {
                if ts.value(i) >= latest.0 {
                    latest = (ts.value(i), total.value(i), used.value(i));
                }
            }
        }
        let s = t
            .devices
            .iter()
            .find(|s| s.device == "server101" && s.memory.is_some())
            .expect("a memory sample of server101");
        assert_eq!(s.collected_at, latest.0);
        let m = s.memory.unwrap();
        assert_eq!(m.total, u64::try_from(latest.1).unwrap() * 1024);
        assert_eq!(m.used, u64::try_from(latest.2).unwrap() * 1024);
        assert!(m.used < m.total);
    }

    #[test]
    fn eos_interface_counters_match_the_rows() {
        let (net, tele, warns) = converted("eos");
        let batches = raw("ifCounters", "eos", "server101");
        let mut found = false;
        for batch in &batches {
            let names = batch
                .column_by_name("ifname")
                .unwrap()
                .as_any()
                .downcast_ref::<StringArray>()
                .unwrap();
            for i in 0..batch.num_rows() {
                if names.is_null(i) || names.value(i) != "bond0" {
                    continue;
                }
                found = true;
                let want = |c: &str| Some(u64::try_from(ints(batch, c).value(i)).unwrap());
                let s = tele
                    .interfaces
                    .iter()
                    .find(|s| s.device == "server101" && s.interface == "bond0")
                    .expect("bond0 of server101");
                assert_eq!(s.collected_at, ints(batch, "timestamp").value(i));
                assert_eq!(s.input_packets, want("rxPackets"));
                assert_eq!(s.output_packets, want("txPackets"));
                assert_eq!(s.input_bytes, want("rxBytes"));
                assert_eq!(s.output_bytes, want("txBytes"));
                assert_eq!(s.input_errors, want("rxErrs"));
                assert_eq!(s.output_errors, want("txErrs"));
                assert_eq!(s.input_queue_drops, want("rxDrops"));
                assert_eq!(s.output_drops, want("txDrops"));
                assert_eq!(s.input_rate_bps, None, "SuzieQ collects no rates");
            }
        }
        assert!(found, "the fixture has server101 bond0 counters");
        // Every counter names an interface of the converted network.
        for s in &tele.interfaces {
            let dev = net.devices.iter().find(|d| d.hostname == s.device).unwrap();
            assert!(
                dev.interfaces.iter().any(|i| i.name == s.interface),
                "{} {}",
                s.device,
                s.interface
            );
        }
        // The EOS switches' rows carry no interface name: reported.
        assert!(
            warns
                .iter()
                .any(|l| l.starts_with("interface counters without an interface name")),
            "{warns:?}"
        );
    }

    #[test]
    fn every_namespace_stays_valid_with_its_telemetry() {
        for ns in ["mixed", "eos", "dual-evpn", "ospf-ibgp"] {
            let (net, _, _) = converted(ns);
            let yaml = serde_saphyr::to_string(&net).unwrap();
            if let Err(e) = pathtrace_model::load_str(&yaml, ns) {
                let tele: Vec<String> = e
                    .diagnostics
                    .iter()
                    .map(ToString::to_string)
                    .filter(|d| d.contains("telemetry"))
                    .collect();
                assert!(tele.is_empty(), "{ns}: {tele:?}");
            }
        }
    }

    #[test]
    fn without_topcpu_or_topmem_device_stats_fail_with_a_reason() {
        let (net, t, w) = converted("mixed");
        assert!(t.devices.is_empty());
        assert!(
            w.iter()
                .any(|l| l.starts_with("devices without CPU or memory figures")),
            "{w:?}"
        );
        let dp = pathtrace_engine::build(&net);
        let collected = CollectedTelemetry::new(&dp, &net.telemetry);
        let dev = dp.device_index(&net.devices[0].hostname).unwrap();
        let e = collected.device_stats(&dp, dev, 0).unwrap_err();
        assert_eq!(
            e,
            format!(
                "no CPU or memory statistics were collected from {}",
                net.devices[0].hostname
            )
        );
    }

    #[test]
    fn multi_core_sums_and_zero_totals_are_not_reported() {
        let (_, t, w) = converted("ospf-ibgp");
        // edge01's processes sum to more than 100 %.
        assert!(
            !t.devices
                .iter()
                .any(|s| s.device == "edge01" && s.cpu.is_some())
        );
        assert!(
            w.iter().any(
                |l| l.starts_with("device CPU not reported (processes sum above 100 %")
                    && l.contains("edge01")
            ),
            "{w:?}"
        );
        // The Cumulus switches report totalMem 0: no memory.
        assert!(
            !t.devices
                .iter()
                .any(|s| s.device == "leaf01" && s.memory.is_some())
        );
        assert!(
            w.iter()
                .any(|l| l.starts_with("device memory not collected")),
            "{w:?}"
        );
        // A CPU figure alone fails DEVICE-STATS with what is missing.
        assert!(
            t.devices
                .iter()
                .any(|s| s.device == "leaf01" && s.cpu.is_some())
        );
    }

    #[test]
    fn retain_converted_drops_unknown_elements() {
        let (net, mut t, _) = converted("eos");
        t.devices.push(empty_sample("ghost", MIN_TIME_MS));
        t.interfaces.push(InterfaceSample {
            device: "server101".into(),
            interface: "eth99".into(),
            collected_at: MIN_TIME_MS,
            ..InterfaceSample::default()
        });
        let line = retain_converted(&mut t, &net).unwrap();
        assert_eq!(
            line,
            "telemetry of an element not converted: 2 (ghost, server101 eth99)"
        );
        assert!(retain_converted(&mut t, &net).is_none());
    }
}
