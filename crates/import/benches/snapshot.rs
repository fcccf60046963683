//! Benchmarks of the Cisco IOS import and the control plane (criterion):
//! for Batfish's example snapshot (`tests/fixtures/batfish-example/live`,
//! 13 routers) and a generated 1,000-router snapshot
//! ([`pathtrace_import::ios::synth`], written once into a temporary
//! directory outside the timing), each stage on its own:
//!
//! - `parse`: [`pathtrace_import::ios::read_snapshot`] (read the files and
//!   parse every line),
//! - `convert`: [`pathtrace_import::ios::to_network`] (into the model),
//! - `build`: [`pathtrace_engine::build`] (connected, static, OSPF, BGP to a
//!   fixed point, FIBs).
//!
//! ```text
//! cargo bench -p pathtrace-import --bench snapshot
//! ```
//!
//! Benchmark ids: `ios/{live|synth1000}/{parse|convert|build}`. Before
//! measuring, the sizes (lines, devices, links, main-RIB rows, FIB entries,
//! control-plane rounds) are printed on standard error. The `pathtrace`
//! binary's allocator (mimalloc) is used here too.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The allocator the `pathtrace` binary uses, so the figures are the
/// shipped ones.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, criterion_group, criterion_main};
use pathtrace_import::ios;

/// Routers of the generated snapshot.
const ROUTERS: usize = 1000;
/// Its seed.
const SEED: u64 = 1;

fn live() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/batfish-example/live")
}

/// The generated snapshot's directory, removed at the end.
struct Generated(PathBuf);

impl Generated {
    fn new() -> Self {
        let dir =
            std::env::temp_dir().join(format!("pathtrace-bench-snapshot-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        ios::synth::write_snapshot(&dir, ROUTERS, SEED).expect("the snapshot is written");
        Generated(dir)
    }
}

impl Drop for Generated {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Print what the stages produce for `dir`, once, with one untimed run of
/// each stage.
fn describe(name: &str, dir: &Path) {
    let t = Instant::now();
    let snap = ios::read_snapshot(dir).expect("the snapshot reads");
    let parse = t.elapsed();
    let cov = ios::coverage(&snap);
    let t = Instant::now();
    let conv = ios::to_network(&snap, name);
    let convert = t.elapsed();
    let net = &conv.network;
    let t = Instant::now();
    let dp = pathtrace_engine::build(net);
    let build = t.elapsed();
    let rows = pathtrace_engine::routes(net);
    let count = |p: &str| rows.iter().filter(|r| r.protocol == p).count();
    eprintln!(
        "{name}: {} files, {} lines ({} understood, {} not understood, {} syntax errors); \
         {} devices, {} links, {} warnings; main RIB {} rows (bgp {}, ibgp {}, ospf {}, aggregate {}); \
         {} FIB entries; {} control-plane rounds; one run: parse {parse:.2?}, convert {convert:.2?}, build {build:.2?}",
        cov.files.len(),
        cov.total.lines,
        cov.total.understood,
        cov.total.not_understood,
        cov.total.syntax_errors,
        net.devices.len(),
        net.links.len(),
        conv.warnings.len(),
        rows.len(),
        count("bgp"),
        count("ibgp"),
        count("ospf"),
        count("aggregate"),
        dp.fib_entries(),
        dp.bgp_rounds,
    );
}

fn stages(c: &mut Criterion, name: &str, dir: &Path, samples: usize, time: Duration) {
    describe(name, dir);
    let mut g = c.benchmark_group(format!("ios/{name}"));
    g.sample_size(samples).measurement_time(time);
    g.bench_function("parse", |b| {
        b.iter(|| black_box(ios::read_snapshot(dir).expect("the snapshot reads")));
    });
    let snap = ios::read_snapshot(dir).expect("the snapshot reads");
    g.bench_function("convert", |b| {
        b.iter(|| black_box(ios::to_network(&snap, name)));
    });
    let net = ios::to_network(&snap, name).network;
    g.bench_function("build", |b| {
        b.iter(|| black_box(pathtrace_engine::build(&net)));
    });
    g.finish();
}

fn snapshot(c: &mut Criterion) {
    stages(c, "live", &live(), 50, Duration::from_secs(5));
    let generated = Generated::new();
    stages(
        c,
        &format!("synth{ROUTERS}"),
        &generated.0,
        10,
        Duration::from_secs(20),
    );
}

criterion_group!(benches, snapshot);
criterion_main!(benches);
