//! `pathtrace import suzieq`: a SuzieQ parquet snapshot (one namespace) as
//! a network model file — what the devices reported, ready for `trace`,
//! `validate` and `serve --network`. Partial: docs/import.md says what is
//! converted and what is not yet.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `pathtrace import …`.
#[derive(Debug, clap::Subcommand)]
pub enum ImportCmd {
    /// A SuzieQ parquet directory: list its namespaces, or convert one into a model.
    Suzieq(SuzieqArgs),
}

/// Flags of `import suzieq`.
#[derive(Debug, clap::Args)]
pub struct SuzieqArgs {
    /// The parquet directory (SuzieQ's Hive layout: TABLE/sqvers=V/namespace=NS/hostname=H/).
    dir: PathBuf,
    /// The namespace to convert; without it, the namespaces are listed.
    #[arg(long, short = 'n')]
    namespace: Option<String>,
    /// Write the model here (YAML) instead of standard output.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Print what was read and what was left out instead of the model.
    #[arg(long)]
    report: bool,
}

/// Run `import`; exit 0, or 2 with one message for an unreadable snapshot.
pub fn run(cmd: &ImportCmd) -> ExitCode {
    let ImportCmd::Suzieq(a) = cmd;
    let Some(ns) = &a.namespace else {
        return match pathtrace_import::list_namespaces(&a.dir) {
            Ok(list) => {
                for ns in list {
                    println!("{ns}");
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    };
    let (network, warnings, report) = match suzieq(&a.dir, ns) {
        Ok(x) => x,
        Err(e) => return fail(&e),
    };
    if a.report {
        print!("{report}");
        for w in &warnings {
            println!("left out: {w}");
        }
        return ExitCode::SUCCESS;
    }
    for w in &warnings {
        eprintln!("left out: {w}");
    }
    let yaml = match serde_saphyr::to_string(&network) {
        Ok(y) => y,
        Err(e) => {
            eprintln!("error: writing the model: {e}");
            return ExitCode::from(3);
        }
    };
    match &a.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, yaml) {
                eprintln!("error: {}: {e}", path.display());
                return ExitCode::from(2);
            }
            eprintln!(
                "wrote {} ({} devices, {} links)",
                path.display(),
                network.devices.len(),
                network.links.len()
            );
        }
        None => print!("{yaml}"),
    }
    ExitCode::SUCCESS
}

/// Read and convert one namespace: the model, what was left out, and a
/// report of the tables read.
pub fn suzieq(
    dir: &Path,
    ns: &str,
) -> Result<(pathtrace_model::Network, Vec<String>, String), pathtrace_import::ImportError> {
    use std::fmt::Write as _;
    let snap = pathtrace_import::read_namespace(dir, ns)?;
    let mut report = format!("namespace {ns}\n");
    for table in pathtrace_import::suzieq::TABLES {
        let _ = match snap.count(table) {
            Some(n) if !snap.absent_tables.contains(table) => {
                writeln!(report, "  {table:<12} {n} rows")
            }
            _ => writeln!(report, "  {table:<12} absent"),
        };
    }
    let conv = pathtrace_import::convert(&snap);
    let _ = writeln!(
        report,
        "model: {} devices, {} links",
        conv.network.devices.len(),
        conv.network.links.len()
    );
    Ok((conv.network, conv.warnings, report))
}

fn fail(e: &pathtrace_import::ImportError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(2)
}
