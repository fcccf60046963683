//! Benchmarks of tracing on observed state (criterion): the fixture's SuzieQ
//! namespaces are read and converted once, then each flow is traced
//! warm, as SuzieQ's `path show` semantics walk it
//! (`pathtrace_engine::state::trace_state`), walked and converted to the
//! engine's branches (`trace_flow_fresh`), and through the engine's general
//! entry point that the CLI and the server use (`pathtrace_engine::trace`,
//! which answers a repeated question from the snapshot's memo).
//!
//! ```text
//! cargo bench -p pathtrace-import --bench observed
//! ```
//!
//! The `pathtrace` binary's allocator (mimalloc) is used here too.
//!
//! Benchmark ids: `observed/{state|fresh|trace}/{namespace}/{src}-{dst}`, and
//! `observed/load/{namespace}` (read + convert + build the data plane).

use std::hint::black_box;

/// The allocator the `pathtrace` binary uses (CLI and server), so the
/// figures are the shipped ones.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use pathtrace_engine::Flow;

const FLOWS: &[(&str, &str, &str)] = &[
    ("mixed", "1.1.1.1", "6.6.6.6"),
    ("eos", "10.0.0.14", "10.0.0.11"),
    ("eos", "172.16.1.101", "172.16.3.202"),
    ("dual-evpn", "10.0.0.11", "10.0.0.14"),
    ("dual-evpn", "172.16.1.101", "172.16.2.104"),
    ("ospf-ibgp", "172.16.1.101", "172.16.2.104"),
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/suzieq/parquet")
}

fn load(ns: &str) -> pathtrace_engine::DataPlane {
    let snap = pathtrace_import::read_namespace(&dir(), ns).expect("fixture namespace");
    pathtrace_engine::build(&pathtrace_import::convert(&snap).network)
}

fn observed(c: &mut Criterion) {
    let mut g = c.benchmark_group("observed");
    for ns in ["mixed", "eos", "dual-evpn", "ospf-ibgp"] {
        g.bench_function(format!("load/{ns}"), |b| b.iter(|| black_box(load(ns))));
    }
    let mut planes = std::collections::BTreeMap::new();
    for &(ns, src, dst) in FLOWS {
        let dp = planes.entry(ns).or_insert_with(|| load(ns));
        let (s, d) = (src.parse().expect("address"), dst.parse().expect("address"));
        let plane = dp.state.clone().expect("observed state");
        g.bench_function(format!("state/{ns}/{src}-{dst}"), |b| {
            b.iter(|| black_box(pathtrace_engine::state::trace_state(&plane, s, d, None)));
        });
        let flow = Flow::new(s, d);
        g.bench_function(format!("fresh/{ns}/{src}-{dst}"), |b| {
            b.iter(|| black_box(pathtrace_engine::state::trace_flow_fresh(dp, &flow)));
        });
        g.bench_function(format!("trace/{ns}/{src}-{dst}"), |b| {
            b.iter(|| black_box(pathtrace_engine::trace(dp, &flow)));
        });
    }
    g.finish();
}

criterion_group!(benches, observed);
criterion_main!(benches);
