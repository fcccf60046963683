//! Engine benchmarks (criterion): build and trace on the embedded demo
//! network and on generated campuses of 100, 1,000 and 10,000 devices, each
//! trace next to its *floor* — the bare longest-prefix-match lookups the
//! same trace does, one `Fib::lookup` per routed hop — so that
//! docs/benchmarks.md can state trace time ÷ floor.
//!
//! ```text
//! cargo bench -p pathtrace-engine --bench engine
//! cargo bench -p pathtrace-engine --bench engine -- demo/      # one group
//! cargo bench -p pathtrace-engine --bench engine -- inclusions/
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
//!   only when one of its benchmarks runs, so a filter skips the cost;
//! - `inclusions/{flow}/trace`, `inclusions/{flow}/elements/{inclusion}` and
//!   `inclusions/{flow}/json/{inclusion}`: the cost of each DNA Center
//!   inclusion per trace. `elements` builds `networkElementsInfo` for the
//!   selected branch of an already computed trace
//!   ([`dnac::network_elements_with`]), `json` serialises those elements to
//!   a string (`serde_json::to_string`, as the server stores them), `trace`
//!   is the trace itself for scale. `{inclusion}` is `none` (the baseline,
//!   the plain view), `interface`, `qos`, `device`, `perf`, `acl` (each
//!   alone) or `all`. Flows: `seed2` (10.10.22.114 → 10.10.22.98, no
//!   protocol) and `https` (10.1.13.25 → 10.2.1.22 TCP/443, permitted by
//!   WAN-IN's explicit entry, across the WAN cloud) on the demo network with
//!   [`SimulatedTelemetry`]; `lab` (10.0.100.10 → 10.6.1.1 TCP/443 on
//!   `tests/golden/_networks/lab.yaml`) with [`CollectedTelemetry`] from its
//!   `telemetry:` section, `none` and `all` only.

use std::cell::OnceCell;
use std::collections::HashSet;
use std::hint::black_box;
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use pathtrace_engine::generate;
use pathtrace_engine::trace::Node;
use pathtrace_engine::view::dnac::{self, Inclusions};
use pathtrace_engine::view::telemetry::{CollectedTelemetry, SimulatedTelemetry, TelemetrySource};
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

/// The analysis time given to the telemetry sources (epoch ms): that of
/// the golden cases, a few seconds after the lab's samples.
const NOW_MS: i64 = 1_716_066_100_000;

/// The inclusion cases: the baseline, each inclusion alone, all five.
fn inclusion_cases() -> [(&'static str, Inclusions); 7] {
    let none = Inclusions::default();
    [
        ("none", none),
        (
            "interface",
            Inclusions {
                interface_stats: true,
                ..none
            },
        ),
        (
            "qos",
            Inclusions {
                qos_stats: true,
                ..none
            },
        ),
        (
            "device",
            Inclusions {
                device_stats: true,
                ..none
            },
        ),
        (
            "perf",
            Inclusions {
                performance_stats: true,
                ..none
            },
        ),
        (
            "acl",
            Inclusions {
                acl_trace: true,
                ..none
            },
        ),
        ("all", Inclusions::all()),
    ]
}

/// One flow's inclusion benchmarks: its trace, then for each case in
/// `cases` the elements of the selected branch and their JSON string.
fn inclusions_of(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    label: &str,
    dp: &DataPlane,
    flow: &Flow,
    telemetry: &dyn TelemetrySource,
    cases: &[(&'static str, Inclusions)],
) {
    let t = trace(dp, flow).expect("the flow traces");
    let b = &t.branches[dnac::select_branch(&t).expect("a branch is shown")];
    g.bench_function(format!("{label}/trace"), |bch| {
        bch.iter(|| trace(dp, black_box(flow)));
    });
    for &(name, inc) in cases {
        let elements = dnac::network_elements_with(dp, &t.flow, b, inc, telemetry, NOW_MS);
        let text = serde_json::to_string(&elements).expect("elements serialise");
        eprintln!(
            "inclusions/{label}/{name}: {flow}: {} elements, {} JSON bytes",
            elements.len(),
            text.len()
        );
        g.bench_function(format!("{label}/elements/{name}"), |bch| {
            bch.iter(|| {
                dnac::network_elements_with(
                    dp,
                    black_box(&t.flow),
                    b,
                    black_box(inc),
                    telemetry,
                    NOW_MS,
                )
            });
        });
        g.bench_function(format!("{label}/json/{name}"), |bch| {
            bch.iter(|| serde_json::to_string(black_box(&elements)));
        });
    }
}

fn inclusions(c: &mut Criterion) {
    let tcp = |src: &str, dst: &str, port: u16| Flow {
        protocol: Some(Protocol::Tcp),
        dst_port: Some(port),
        ..Flow::new(
            src.parse().expect("flow address"),
            dst.parse().expect("flow address"),
        )
    };
    let cases = inclusion_cases();
    let mut g = c.benchmark_group("inclusions");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));

    let net = pathtrace_model::demo::demo().expect("the embedded demo network loads");
    let dp = build(&net);
    let seed2 = Flow::new(
        "10.10.22.114".parse().expect("seed address"),
        "10.10.22.98".parse().expect("seed address"),
    );
    inclusions_of(&mut g, "seed2", &dp, &seed2, &SimulatedTelemetry, &cases);
    let https = tcp("10.1.13.25", "10.2.1.22", 443);
    inclusions_of(&mut g, "https", &dp, &https, &SimulatedTelemetry, &cases);

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/_networks/lab.yaml");
    let lab = pathtrace_model::load_file(&path).expect("lab.yaml loads");
    assert!(
        !lab.telemetry.is_empty(),
        "lab.yaml has a telemetry section"
    );
    let lab_dp = build(&lab);
    let collected = CollectedTelemetry::new(&lab_dp, &lab.telemetry);
    let flow = tcp("10.0.100.10", "10.6.1.1", 443);
    let ends = [cases[0], cases[6]];
    inclusions_of(&mut g, "lab", &lab_dp, &flow, &collected, &ends);
    g.finish();
}

criterion_group!(benches, demo, campus, inclusions);
criterion_main!(benches);
