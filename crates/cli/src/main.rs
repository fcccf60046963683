//! `pathtrace`: the one binary that wires the parts together.
//!
//! Offline commands: `trace` (a path on a model file or the embedded demo
//! network), `validate` (check a model file), `generate` (write a synthetic
//! campus). Exit codes: 0 success, 1 a trace whose DNA Center outcome is
//! FAILED, 2 a usage error or an invalid model, 3 an internal error.

mod generate_cmd;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use pathtrace_engine::{Flow, Protocol};
use pathtrace_model::{LoadError, Network};

/// pathtrace: an open path-trace controller. Offline tracing on a network model.
#[derive(Debug, Parser)]
#[command(name = "pathtrace", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Trace a flow through a network model (default: the embedded demo network).
    Trace(TraceArgs),
    /// Validate a model file; every error is printed as FILE:LINE: FIELD: MESSAGE.
    Validate {
        /// The model file (YAML).
        file: PathBuf,
    },
    /// Write a generated campus network (two cores, distribution pairs, access switches).
    Generate(generate_cmd::GenerateArgs),
}

/// Output formats of `trace`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// A readable table per branch.
    Table,
    /// The engine's trace as JSON.
    Json,
    /// The DNA Center `response` object (networkElementsInfo).
    Dnac,
}

#[derive(Debug, clap::Args)]
struct TraceArgs {
    /// Model file (YAML); default: the embedded demo network.
    #[arg(long, short = 'n', env = "PATHTRACE_NETWORK")]
    network: Option<PathBuf>,
    /// Source IP address.
    src: std::net::IpAddr,
    /// Destination IP address.
    dst: std::net::IpAddr,
    /// Protocol (tcp, udp or icmp); default: both TCP and UDP are checked.
    #[arg(long, short = 'p')]
    protocol: Option<Protocol>,
    /// Source port.
    #[arg(long)]
    src_port: Option<u16>,
    /// Destination port.
    #[arg(long)]
    dst_port: Option<u16>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    format: Format,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(3)
        }
    }
}

fn load(path: Option<&PathBuf>) -> Result<Network, LoadError> {
    match path {
        Some(p) => pathtrace_model::load_file(p),
        None => pathtrace_model::demo::demo(),
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Validate { file } => match pathtrace_model::load_file(&file) {
            Ok(net) => {
                eprintln!(
                    "{}: valid: {} devices, {} links, {} hosts",
                    file.display(),
                    net.devices.len(),
                    net.links.len(),
                    net.hosts.len()
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("{e}");
                Ok(ExitCode::from(2))
            }
        },
        Command::Generate(args) => generate_cmd::run(&args),
        Command::Trace(args) => {
            let net = match load(args.network.as_ref()) {
                Ok(n) => n,
                Err(e) => {
                    eprintln!("{e}");
                    return Ok(ExitCode::from(2));
                }
            };
            if (args.src_port.is_some() || args.dst_port.is_some())
                && args.protocol == Some(Protocol::Icmp)
            {
                eprintln!("error: ports apply to tcp and udp only");
                return Ok(ExitCode::from(2));
            }
            let dp = pathtrace_engine::build(&net);
            let flow = Flow {
                src: args.src,
                dst: args.dst,
                protocol: args.protocol,
                src_port: args.src_port,
                dst_port: args.dst_port,
            };
            let trace = match pathtrace_engine::trace(&dp, &flow) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(1));
                }
            };
            match args.format {
                Format::Table => print!("{}", render::table(&dp, &trace)),
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&pathtrace_engine::view::json::trace(
                        &dp, &trace
                    ))?
                ),
                Format::Dnac => {
                    let now = now_ms();
                    let info = pathtrace_engine::view::dnac::AnalysisInfo {
                        id: offline_id(&dp.network, &flow),
                        create_time: now,
                        last_update_time: now,
                        periodic_refresh: false,
                        inclusions: Vec::new(),
                    };
                    let resp = pathtrace_engine::view::dnac::response(&dp, &trace, &info);
                    println!("{}", serde_json::to_string_pretty(&resp)?);
                }
            }
            let (status, _) = pathtrace_engine::view::dnac::status(&trace);
            Ok(if status == "COMPLETED" {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// An offline trace's analysis id: stable for the same network and flow.
fn offline_id(network: &str, flow: &Flow) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("pathtrace:{network}:offline:{flow}").as_bytes(),
    )
    .to_string()
}
