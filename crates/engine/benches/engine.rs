//! Engine benchmarks (criterion): build and trace on the embedded demo
//! network and on generated campuses of 100, 1,000 and 10,000 devices, each
//! trace next to its *floor* — the bare longest-prefix-match lookups the
//! same trace does, one `Fib::lookup` per routed hop — so that
//! docs/benchmarks.md can state trace time ÷ floor.
//!
//! ```text
//! cargo bench -p pathtrace-engine --bench engine
//! cargo bench -p pathtrace-engine --bench engine -- demo/      # one group
//! ```
//!
//! Benchmark ids:
//!
//! - `demo/build`, `demo/trace/{seed}/{tcp|both}`, `demo/floor/{seed}/{tcp|both}`
//!   where `seed1` is 10.1.15.117 → 10.2.1.22 (wireless, CAPWAP, WAN cloud)
//!   and `seed2` 10.10.22.114 → 10.10.22.98; `tcp` gives the protocol (one
//!   walk), `both` leaves it out so TCP and UDP are both traced (two walks,
//!   and the floor counts both);
//! - `campus/build/{n}`, `campus/trace/{n}`, `campus/floor/{n}` for the
//!   generated campus of `n` devices and its [`generate::sample_flow`]
//!   (8 equal-cost branches, 23 FIB lookups). A campus data plane is built
//!   only when one of its benchmarks runs, so a filter skips the cost.

use std::cell::OnceCell;
use std::collections::HashSet;
use std::hint::black_box;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use pathtrace_engine::generate;
use pathtrace_engine::trace::Node;
use pathtrace_engine::{DataPlane, Flow, Protocol, Trace, build, trace};

/// The two seed flows of the demo network.
const SEEDS: [(&str, &str, &str); 2] = [
    ("seed1", "10.1.15.117", "10.2.1.22"),
    ("seed2", "10.10.22.114", "10.10.22.98"),
];

/// Campus sizes.
const SIZES: [usize; 3] = [100, 1_000, 10_000];

/// One FIB lookup: device, VRF, address.
type Lookup = (u32, u32, IpAddr);

/// The FIB lookups a trace does: one per L3 hop of its search tree. A hop
/// that several branches share (same nodes and ingress ports up to it) is
/// looked up once, as the trace does; a flow without protocol is walked
/// twice (TCP and UDP), so where the two walks were merged into one set of
/// branches the lookups count twice. Hops inside a CAPWAP tunnel look up the
/// tunnel's destination (the matched prefix's address), others the flow's.
fn lookups(dp: &DataPlane, t: &Trace) -> Vec<Lookup> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for b in &t.branches {
        let mut key = vec![(b.protocol, None, None, None)];
        for h in &b.hops {
            key.push((b.protocol, Some(h.node), h.ingress, h.ingress_virtual));
            if let (Node::Device(d), Some(vrf)) = (h.node, h.vrf)
                && seen.insert(key.clone())
                && dp.fib(d, vrf).is_some()
            {
                let dst = match (h.tunnel, h.route) {
                    (Some(_), Some(r)) => r.prefix.addr(),
                    _ => t.flow.dst,
                };
                out.push((d, vrf, dst));
            }
        }
    }
    if t.flow.protocol.is_none() && t.branches.iter().all(|b| b.protocol.is_none()) {
        out.extend_from_within(..);
    }
    out
}

/// The floor: the bare lookups of [`lookups`].
fn floor(dp: &DataPlane, lookups: &[Lookup]) -> usize {
    let mut found = 0;
    for &(dev, vrf, dst) in lookups {
        if let Some(fib) = dp.fib(dev, vrf)
            && black_box(fib.lookup(black_box(dst))).is_some()
        {
            found += 1;
        }
    }
    found
}

fn demo(c: &mut Criterion) {
    let net = pathtrace_model::demo::demo().expect("the embedded demo network loads");
    let dp = build(&net);
    let mut g = c.benchmark_group("demo");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("build", |b| b.iter(|| build(black_box(&net))));
    for (seed, src, dst) in SEEDS {
        for (label, protocol) in [("tcp", Some(Protocol::Tcp)), ("both", None)] {
            let flow = Flow {
                protocol,
                ..Flow::new(
                    src.parse().expect("seed address"),
                    dst.parse().expect("seed address"),
                )
            };
            let t = trace(&dp, &flow).expect("seed flow traces");
            let lk = lookups(&dp, &t);
            eprintln!(
                "demo/{seed}/{label}: {flow}: {} branch(es), {} FIB lookups",
                t.branches.len(),
                lk.len()
            );
            g.bench_function(format!("trace/{seed}/{label}"), |b| {
                b.iter(|| trace(&dp, black_box(&flow)));
            });
            g.bench_function(format!("floor/{seed}/{label}"), |b| {
                b.iter(|| floor(&dp, &lk));
            });
        }
    }
    g.finish();
}

fn campus(c: &mut Criterion) {
    for n in SIZES {
        let net = generate::campus(n);
        let flow = generate::sample_flow(&net);
        let mut g = c.benchmark_group("campus");
        if n >= 10_000 {
            // One build is tens of seconds: the minimum of 10 samples of one
            // build each (plus one warm-up build).
            g.sampling_mode(SamplingMode::Flat)
                .sample_size(10)
                .warm_up_time(Duration::from_millis(1))
                .measurement_time(Duration::from_secs(1));
        } else if n >= 1_000 {
            g.sampling_mode(SamplingMode::Flat)
                .sample_size(10)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(5));
        } else {
            g.warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(3));
        }
        // Time the build only, not the drop of the previous data plane.
        g.bench_function(format!("build/{n}"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    let dp = build(black_box(&net));
                    total += t.elapsed();
                    drop(black_box(dp));
                }
                total
            });
        });
        g.warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3))
            .sampling_mode(SamplingMode::Auto)
            .sample_size(100);
        let dp: OnceCell<(DataPlane, Vec<Lookup>)> = OnceCell::new();
        let ready = || {
            dp.get_or_init(|| {
                let dp = build(&net);
                let t = trace(&dp, &flow).expect("sample flow traces");
                assert_eq!(t.trace_count, 8, "the sample flow has 8 branches");
                let lk = lookups(&dp, &t);
                eprintln!(
                    "campus/{n}: {flow}: {} branches, {} FIB lookups, {} FIB entries",
                    t.branches.len(),
                    lk.len(),
                    dp.fib_entries()
                );
                (dp, lk)
            })
        };
        g.bench_function(format!("trace/{n}"), |b| {
            let (dp, _) = ready();
            b.iter(|| trace(dp, black_box(&flow)));
        });
        g.bench_function(format!("floor/{n}"), |b| {
            let (dp, lk) = ready();
            b.iter(|| floor(dp, lk));
        });
        g.finish();
    }
}

criterion_group!(benches, demo, campus);
criterion_main!(benches);
