//! Time reading and converting each namespace of a SuzieQ parquet directory.
//!
//! `cargo run --release -p pathtrace-import --example suzieq_timing -- tests/fixtures/suzieq/parquet`

use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/fixtures/suzieq/parquet".into());
    let dir = Path::new(&dir);
    for ns in pathtrace_import::list_namespaces(dir)? {
        let t0 = Instant::now();
        let snap = pathtrace_import::read_namespace(dir, &ns)?;
        let t1 = Instant::now();
        let conv = pathtrace_import::convert(&snap);
        let t2 = Instant::now();
        let issues = pathtrace_model::validate::validate(&conv.network).len();
        println!(
            "{ns}: read {:.1} ms, convert {:.2} ms ({} devices, {} links, {} routes, {} warnings kinds, {} validation issues)",
            (t1 - t0).as_secs_f64() * 1e3,
            (t2 - t1).as_secs_f64() * 1e3,
            conv.network.devices.len(),
            conv.network.links.len(),
            conv.network
                .devices
                .iter()
                .map(|d| d.routes.len())
                .sum::<usize>(),
            conv.warnings.len(),
            issues,
        );
    }
    Ok(())
}
