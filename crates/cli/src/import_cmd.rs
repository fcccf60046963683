//! `pathtrace import`: collected state or configurations as a network model.
//!
//! - `import suzieq DIR …`: a SuzieQ parquet snapshot (one namespace) as a
//!   model file — what the devices reported, ready for `trace`, `validate`
//!   and `serve --network`. Partial: docs/import.md says what is converted.
//! - `import --snapshot DIR [-o FILE]` (also spelled `import snapshot DIR`):
//!   a Cisco IOS snapshot in Batfish's layout converted into a model file
//!   (docs/import.md says what is converted); what the model cannot express
//!   is listed on standard error. With `--report [--format text|json]` the
//!   coverage report is printed instead.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `pathtrace import …`: a subcommand, or `--snapshot DIR`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ImportArgs {
    #[command(subcommand)]
    cmd: Option<ImportCmd>,
    #[command(flatten)]
    snapshot: SnapshotArgs,
}

/// `pathtrace import` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ImportCmd {
    /// A SuzieQ parquet directory: list its namespaces, or convert one into a model.
    Suzieq(SuzieqArgs),
    /// A Cisco IOS snapshot in Batfish's layout (the same as `import --snapshot DIR`).
    Snapshot(SnapshotDirArgs),
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

/// `import --snapshot DIR [-o FILE] [--report [--format F]]`.
#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    /// A Cisco IOS snapshot directory in Batfish's layout (configs/, hosts/, iptables/, interface_blacklist, layer1_topology.json), converted into a model.
    #[arg(long, value_name = "DIR")]
    snapshot: Option<PathBuf>,
    #[command(flatten)]
    report: ReportArgs,
}

/// `import snapshot DIR [-o FILE] [--report [--format F]]`.
#[derive(Debug, clap::Args)]
pub struct SnapshotDirArgs {
    /// The snapshot directory (configs/, hosts/, iptables/, interface_blacklist, layer1_topology.json).
    dir: PathBuf,
    #[command(flatten)]
    report: ReportArgs,
}

/// The output flags of a snapshot import.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Write the model here (YAML) instead of standard output.
    #[arg(long, short = 'o', conflicts_with = "report")]
    output: Option<PathBuf>,
    /// Print the coverage report instead of the model: per file, the lines understood, not understood and in error, and every line not understood, by feature.
    #[arg(long)]
    report: bool,
    /// Format of the report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
}

/// `--format` of the coverage report.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReportFormat {
    /// For people: a table per file, then the lines by feature.
    Text,
    /// For tools: the `Coverage` structure as JSON.
    Json,
}

/// Run `import`.
pub fn run(args: &ImportArgs) -> ExitCode {
    match (&args.cmd, &args.snapshot.snapshot) {
        (Some(ImportCmd::Suzieq(a)), _) => run_suzieq(a),
        (Some(ImportCmd::Snapshot(a)), _) => run_snapshot(&a.dir, &a.report),
        (None, Some(dir)) => run_snapshot(dir, &args.snapshot.report),
        (None, None) => {
            eprintln!(
                "error: give a source: `pathtrace import suzieq DIR …` or `pathtrace import --snapshot DIR`"
            );
            ExitCode::from(2)
        }
    }
}

/// An IOS snapshot: the converted model (or, with `--report`, the coverage
/// report); exit 2 when the directory cannot be read or the file cannot be
/// written.
fn run_snapshot(dir: &Path, r: &ReportArgs) -> ExitCode {
    if !r.report {
        return write_snapshot_model(dir, r.output.as_deref());
    }
    let snap = match pathtrace_import::ios::read_snapshot(dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let cov = pathtrace_import::ios::coverage(&snap);
    match r.format {
        ReportFormat::Text => print!("{cov}"),
        ReportFormat::Json => match serde_json::to_string_pretty(&cov) {
            Ok(j) => println!("{j}"),
            Err(e) => {
                eprintln!("error: writing the report: {e}");
                return ExitCode::from(3);
            }
        },
    }
    ExitCode::SUCCESS
}

/// Convert a snapshot and write the model to `output` (standard output
/// without it); every warning on standard error.
fn write_snapshot_model(dir: &Path, output: Option<&Path>) -> ExitCode {
    let conv = match snapshot(dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    for w in &conv.warnings {
        eprintln!("warning: {w}");
    }
    let net = &conv.network;
    let yaml = match serde_saphyr::to_string(net) {
        Ok(y) => y,
        Err(e) => {
            eprintln!("error: writing the model: {e}");
            return ExitCode::from(3);
        }
    };
    let summary = format!(
        "{} devices, {} links, {} hosts; {} warning(s): what the model cannot express or the conversion left out",
        net.devices.len(),
        net.links.len(),
        net.hosts.len(),
        conv.warnings.len()
    );
    if let Some(path) = output {
        if let Err(e) = std::fs::write(path, yaml) {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::from(2);
        }
        eprintln!("wrote {} ({summary})", path.display());
    } else {
        print!("{yaml}");
        eprintln!("{summary}");
    }
    ExitCode::SUCCESS
}

/// Read and convert an IOS snapshot: the model (named after the directory)
/// and the warnings. Fails when the directory cannot be read, or when the
/// converted model does not validate (a conversion bug; the message lists
/// the problems).
pub fn snapshot(dir: &Path) -> Result<pathtrace_import::ios::IosConversion, String> {
    let snap = pathtrace_import::ios::read_snapshot(dir).map_err(|e| e.to_string())?;
    let name = std::fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "snapshot".to_owned());
    let conv = pathtrace_import::ios::to_network(&snap, &name);
    let issues = pathtrace_model::validate::validate(&conv.network);
    if !issues.is_empty() {
        let list: Vec<String> = issues.iter().map(ToString::to_string).collect();
        return Err(format!(
            "{}: the converted model does not validate (a bug of the conversion):\n  {}",
            dir.display(),
            list.join("\n  ")
        ));
    }
    Ok(conv)
}

/// Run `import suzieq`; exit 0, or 2 with one message for an unreadable snapshot.
fn run_suzieq(a: &SuzieqArgs) -> ExitCode {
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
