//! Scale check: build a generated campus and trace across it.
//!
//! ```text
//! cargo run --release -p pathtrace-engine --example scale -- 10000
//! ```
//!
//! Prints the time to generate, validate and build the network, the number of
//! FIB entries (total and per role), the resident memory after each step and
//! at its peak (VmHWM), and the average time of 10,000 traces of
//! [`generate::sample_flow`] next to the bare FIB lookups the same trace does.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use pathtrace_engine::generate;
use pathtrace_engine::trace::Node;
use pathtrace_engine::{DataPlane, Trace};

const TRACES: u32 = 10_000;

fn main() -> ExitCode {
    let arg = std::env::args().nth(1);
    let devices = match arg.as_deref().map(str::parse::<usize>) {
        None => 10_000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("usage: scale [DEVICES]  (DEVICES: a number, default 10000): {e}");
            return ExitCode::from(2);
        }
    };
    println!("baseline            rss {:>8}", kib(status_kib("VmRSS")));

    let t = Instant::now();
    let net = match generate::try_campus(devices) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let generate_time = t.elapsed();
    println!(
        "generate   {:>10}  rss {:>8}  ({} devices, {} links, {} hosts)",
        ms(generate_time),
        kib(status_kib("VmRSS")),
        net.devices.len(),
        net.links.len(),
        net.hosts.len()
    );

    let t = Instant::now();
    let issues = pathtrace_model::validate::validate(&net);
    println!(
        "validate   {:>10}  rss {:>8}  ({} issues)",
        ms(t.elapsed()),
        kib(status_kib("VmRSS")),
        issues.len()
    );

    let t = Instant::now();
    let dp = pathtrace_engine::build(&net);
    let build_time = t.elapsed();
    println!(
        "build      {:>10}  rss {:>8}",
        ms(build_time),
        kib(status_kib("VmRSS"))
    );

    let mut by_role: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (i, d) in dp.devices.iter().enumerate() {
        let n = dp
            .fib(i as u32, 0)
            .map_or(0, pathtrace_engine::fib::Fib::len);
        let e = by_role.entry(d.role.as_str()).or_default();
        e.0 += 1;
        e.1 += n;
    }
    println!(
        "fib entries {} total; interned: {} route attribute sets, {} next-hop sets",
        dp.fib_entries(),
        dp.route_attrs.len(),
        dp.nh_sets.len()
    );
    for (role, (n, entries)) in &by_role {
        println!(
            "  {role:<13} {n:>6} devices  {:>8.1} entries each",
            *entries as f64 / *n as f64
        );
    }

    let flow = generate::sample_flow(&net);
    let Ok(first) = pathtrace_engine::trace(&dp, &flow) else {
        eprintln!("error: the sample flow {flow} does not trace");
        return ExitCode::from(3);
    };
    let lookups = lookups(&dp, &first);
    let t = Instant::now();
    for _ in 0..TRACES {
        black_box(pathtrace_engine::trace(&dp, black_box(&flow)).ok());
    }
    let trace_avg = t.elapsed() / TRACES;
    let t = Instant::now();
    for _ in 0..TRACES {
        for &(dev, vrf) in &lookups {
            black_box(dp.fib(dev, vrf).and_then(|f| f.lookup(black_box(flow.dst))));
        }
    }
    let floor_avg = t.elapsed() / TRACES;
    println!(
        "trace      {:>10}  avg of {TRACES} traces of {flow}: {} branches, {} hops each",
        us(trace_avg),
        first.trace_count,
        first.branches.first().map_or(0, |b| b.hops.len())
    );
    println!(
        "floor      {:>10}  {} FIB lookups (one per routed hop of the trace); trace / floor = {:.1}",
        us(floor_avg),
        lookups.len(),
        trace_avg.as_secs_f64() / floor_avg.as_secs_f64().max(f64::MIN_POSITIVE)
    );
    println!(
        "peak rss (VmHWM) {}  [goal: 10,000 devices in <= 10 s and <= 4 GB; build took {:.2} s]",
        kib(status_kib("VmHWM")),
        build_time.as_secs_f64()
    );
    // Exit without dropping the network and the data plane: freeing tens of
    // millions of small allocations takes seconds and measures nothing
    // (and under heaptrack, what is "leaked" is what the data plane holds).
    std::process::exit(0)
}

/// The FIB lookups a trace does: one per L3 hop of its search tree (a hop
/// that several branches share — same nodes and ingress ports up to it — is
/// looked up once, as the trace does).
fn lookups(dp: &DataPlane, t: &Trace) -> Vec<(u32, u32)> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for b in &t.branches {
        let mut key = Vec::with_capacity(b.hops.len());
        for h in &b.hops {
            key.push((h.node, h.ingress, h.ingress_virtual));
            if let (Node::Device(d), Some(vrf)) = (h.node, h.vrf)
                && seen.insert(key.clone())
                && dp.fib(d, vrf).is_some()
            {
                out.push((d, vrf));
            }
        }
    }
    out
}

/// A `/proc/self/status` field in KiB (0 where unavailable).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn kib(k: u64) -> String {
    if k >= 1024 * 1024 {
        format!("{:.2} GiB", k as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.1} MiB", k as f64 / 1024.0)
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn us(d: Duration) -> String {
    format!("{:.3} µs", d.as_secs_f64() * 1e6)
}
