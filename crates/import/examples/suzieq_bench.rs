//! The warm half of the pathtrace-vs-SuzieQ benchmark (scripts/suzieq/bench.sh):
//! read and convert each namespace once, build its data plane, then time
//! `pathtrace_engine::trace` on each flow over many repeats.
//!
//! ```sh
//! cargo run --release -p pathtrace-import --example suzieq_bench -- \
//!     [--batches N] DIR NS,SRC,DST [NS,SRC,DST …]
//! ```
//!
//! Each flow is traced in `N` batches (default 501) of 10 calls after a
//! warm-up; the per-call time of each batch is its time / 10, and the
//! median over batches is printed, one line per flow: `median_ns` for the
//! repeated question (`pathtrace_engine::trace`, answered from the
//! snapshot's memo after the first call) and `fresh_ns` for a walk every time
//! (`pathtrace_engine::state::trace_flow_fresh`, what a first question costs):
//!
//! ```text
//! flow eos 10.0.0.14 10.0.0.11 median_ns 812 fresh_ns 11604 branches 2 first Accepted
//! ```
//!
//! plus, per namespace, the time to read, convert and build
//! (`namespace eos read_ms … convert_ms … build_ms …`).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::net::IpAddr;
use std::path::Path;
use std::time::Instant;

use pathtrace_engine::{Flow, trace};

/// The allocator of the `pathtrace` binary, so the figures are the shipped ones.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PER_BATCH: u32 = 10;

fn usage() -> ! {
    eprintln!("usage: suzieq_bench [--batches N] DIR NS,SRC,DST [NS,SRC,DST …]");
    std::process::exit(2);
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut batches = 501usize;
    if args.first().is_some_and(|a| a == "--batches") {
        batches = args
            .get(1)
            .and_then(|n| n.parse().ok())
            .filter(|n| *n > 0)
            .unwrap_or_else(|| usage());
        args.drain(..2);
    }
    let Some((dir, flows)) = args.split_first() else {
        usage()
    };
    // Flows grouped by namespace, in the order given.
    let mut by_ns: BTreeMap<&str, Vec<(IpAddr, IpAddr)>> = BTreeMap::new();
    let mut order: Vec<(String, IpAddr, IpAddr)> = Vec::new();
    for f in flows {
        let parts: Vec<&str> = f.split(',').collect();
        let [ns, src, dst] = parts.as_slice() else {
            usage()
        };
        let (src, dst): (IpAddr, IpAddr) = (src.parse()?, dst.parse()?);
        by_ns.entry(ns).or_default().push((src, dst));
        order.push(((*ns).to_string(), src, dst));
    }
    if order.is_empty() {
        usage();
    }
    let mut results: BTreeMap<(String, IpAddr, IpAddr), String> = BTreeMap::new();
    for (ns, list) in &by_ns {
        let t0 = Instant::now();
        let snap = pathtrace_import::read_namespace(Path::new(dir), ns)?;
        let t1 = Instant::now();
        let conv = pathtrace_import::convert(&snap);
        let t2 = Instant::now();
        let dp = pathtrace_engine::build(&conv.network);
        let t3 = Instant::now();
        println!(
            "namespace {ns} read_ms {:.2} convert_ms {:.2} build_ms {:.2}",
            (t1 - t0).as_secs_f64() * 1e3,
            (t2 - t1).as_secs_f64() * 1e3,
            (t3 - t2).as_secs_f64() * 1e3
        );
        for &(src, dst) in list {
            let flow = Flow::new(src, dst);
            let (branches, first) = match trace(&dp, &flow) {
                Ok(t) => (
                    t.branches.len(),
                    t.branches
                        .first()
                        .map_or_else(|| "none".to_string(), |b| format!("{:?}", b.disposition)),
                ),
                Err(e) => (0, format!("error:{}", e.to_string().replace(' ', "_"))),
            };
            // Warm-up, then the timed batches.
            for _ in 0..PER_BATCH {
                let _ = black_box(trace(black_box(&dp), black_box(&flow)));
            }
            let mut per_call: Vec<u128> = (0..batches)
                .map(|_| {
                    let t = Instant::now();
                    for _ in 0..PER_BATCH {
                        let _ = black_box(trace(black_box(&dp), black_box(&flow)));
                    }
                    t.elapsed().as_nanos() / u128::from(PER_BATCH)
                })
                .collect();
            per_call.sort_unstable();
            let median = per_call[per_call.len() / 2];
            // The same flow walked afresh each time (no memoised answer):
            // what a first question about a flow costs.
            let mut fresh: Vec<u128> = (0..batches)
                .map(|_| {
                    let t = Instant::now();
                    for _ in 0..PER_BATCH {
                        let _ = black_box(pathtrace_engine::state::trace_flow_fresh(
                            black_box(&dp),
                            black_box(&flow),
                        ));
                    }
                    t.elapsed().as_nanos() / u128::from(PER_BATCH)
                })
                .collect();
            fresh.sort_unstable();
            let fresh = fresh[fresh.len() / 2];
            results.insert(
                ((*ns).to_string(), src, dst),
                format!("median_ns {median} fresh_ns {fresh} branches {branches} first {first}"),
            );
        }
    }
    for key in &order {
        if let Some(r) = results.get(key) {
            println!("flow {} {} {} {r}", key.0, key.1, key.2);
        }
    }
    Ok(())
}
