//! `pathtrace`: the one binary that wires the parts together.
//!
//! Offline commands: `trace` (a path on a model file or the embedded demo
//! network), `validate` (check a model file), `generate` (write a synthetic
//! campus). Exit codes: 0 success, 1 a trace whose DNA Center outcome is
//! FAILED, 2 a usage error or an invalid model, 3 an internal error.

mod client_cmd;
mod generate_cmd;
mod import_cmd;
mod loadgen;
mod render;
mod serve_snapshot;
mod serve_suzieq;
mod snapshot_cmd;

use std::path::PathBuf;

/// mimalloc: the server allocates many small, short-lived objects from two
/// threads; glibc's allocator spent a fifth of the server's CPU on them
/// (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
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
    /// Serve the DNA Center / APIC-EM API (default: the demo network on loopback).
    Serve(ServeArgs),
    /// Print an argon2 hash of a password read from standard input (for `[[users]]`).
    HashPassword,
    /// Trace a flow through a network model (default: the embedded demo network) or an IOS snapshot (`--snapshot DIR`).
    Trace(TraceArgs),
    /// The computed main RIB of a Cisco IOS snapshot (`--snapshot DIR`), as Batfish's routes().
    Routes(snapshot_cmd::RoutesArgs),
    /// Validate a model file; every error is printed as FILE:LINE: FIELD: MESSAGE.
    Validate {
        /// The model file (YAML).
        file: PathBuf,
    },
    /// Write a generated campus network (two cores, distribution pairs, access switches), or a synthetic IOS snapshot (`--ios-snapshot DIR --routers N`).
    Generate(generate_cmd::GenerateArgs),
    /// Load-test a `pathtrace serve` on this machine (loopback only; bounded in count and time).
    Loadgen(loadgen::LoadgenArgs),
    /// Path traces on a controller (pathtrace serve, DNA Center, APIC-EM): start, list, show, delete, runs.
    Flow {
        #[command(subcommand)]
        cmd: client_cmd::FlowCmd,
        #[command(flatten)]
        conn: client_cmd::Conn,
    },
    /// Import a network model from collected state (SuzieQ parquet) or a Cisco IOS snapshot (`--snapshot DIR [-o FILE | --report]`); see docs/import.md.
    Import(import_cmd::ImportArgs),
    /// Tasks on a controller: show, wait.
    Task {
        #[command(subcommand)]
        cmd: client_cmd::TaskCmd,
        #[command(flatten)]
        conn: client_cmd::Conn,
    },
    /// Network devices of a controller (hostname, IP, role, platform, software version).
    Devices {
        #[command(flatten)]
        args: client_cmd::DevicesArgs,
        #[command(flatten)]
        conn: client_cmd::Conn,
    },
}

/// Flags of `serve` (each also an environment variable and a config key).
#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Configuration file (TOML).
    #[arg(long, env = "PATHTRACE_CONFIG")]
    config: Option<PathBuf>,
    /// Model file to serve (published as a new snapshot version when it changed).
    #[arg(long, short = 'n', env = "PATHTRACE_NETWORK")]
    network: Option<PathBuf>,
    /// Serve a SuzieQ parquet snapshot instead (with --namespace), converted
    /// at start and again on reload (partial, docs/import.md).
    #[arg(long, value_name = "DIR", conflicts_with = "network")]
    suzieq: Option<PathBuf>,
    /// The SuzieQ namespace to serve.
    #[arg(long, value_name = "NS", requires = "suzieq")]
    namespace: Option<String>,
    /// Serve a Cisco IOS snapshot in Batfish's layout instead (configs/,
    /// hosts/, iptables/, …), converted at start and again on reload
    /// (docs/import.md).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["network", "suzieq"])]
    snapshot: Option<PathBuf>,
    /// Plain-HTTP listen address (default 127.0.0.1:8080).
    #[arg(long, env = "PATHTRACE_LISTEN")]
    listen: Option<String>,
    /// HTTPS listen address, or "off" (default 127.0.0.1:8443).
    #[arg(long, env = "PATHTRACE_TLS_LISTEN")]
    tls_listen: Option<String>,
    /// Data directory (default ./pathtrace-data).
    #[arg(long, env = "PATHTRACE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// sqlite://FILE or postgres://USER@HOST/DB (default: SQLite in the data directory).
    #[arg(long, env = "PATHTRACE_DATABASE_URL")]
    database_url: Option<String>,
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
    /// SuzieQ's `path show` records (traces on collected state only).
    Suzieq,
    /// Batfish-like text: the flow, then per trace its hops and steps
    /// (RECEIVED, PERMITTED/DENIED, FORWARDED, TRANSMITTED, ACCEPTED, …).
    Batfish,
}

#[derive(Debug, clap::Args)]
struct TraceArgs {
    /// Model file (YAML); default: the embedded demo network.
    #[arg(
        long,
        short = 'n',
        env = "PATHTRACE_NETWORK",
        conflicts_with = "suzieq"
    )]
    network: Option<PathBuf>,
    /// Trace on a SuzieQ parquet snapshot instead (with --namespace; partial, docs/import.md).
    #[arg(long, requires = "namespace")]
    suzieq: Option<PathBuf>,
    /// The SuzieQ namespace to trace on.
    #[arg(long, requires = "suzieq")]
    namespace: Option<String>,
    /// Trace on a Cisco IOS snapshot in Batfish's layout (configs/, hosts/,
    /// iptables/), converted at start; START may then be a Batfish start
    /// location and Batfish's traceroute defaults apply (docs/cli.md).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["network", "suzieq"])]
    snapshot: Option<PathBuf>,
    /// Where the flow starts: a source IP address. With --snapshot also NODE
    /// (the device originates it; source address --src-ip, else the node's
    /// management IP, Loopback0's), NODE[INTERFACE] (from that interface's
    /// address) or @enter(NODE[INTERFACE]) (the packet enters the device on
    /// that interface, ingress ACL applies; needs --src-ip).
    #[arg(value_name = "START")]
    src: String,
    /// Destination IP address; with --snapshot also a node (its management
    /// IP) or a host name (its address).
    #[arg(value_name = "DST")]
    dst: String,
    /// Protocol (tcp, udp or icmp); default: both TCP and UDP are checked
    /// (with --snapshot: UDP, as Batfish's traceroute).
    #[arg(long, short = 'p')]
    protocol: Option<Protocol>,
    /// Source port (with --snapshot default 49152 for tcp and udp).
    #[arg(long)]
    src_port: Option<u16>,
    /// Destination port (with --snapshot default 33434 for tcp and udp).
    #[arg(long)]
    dst_port: Option<u16>,
    /// Source address of a --snapshot trace: required with
    /// @enter(NODE[INTERFACE]); default for NODE the node's management IP
    /// (Loopback0's), for NODE[INTERFACE] the interface's address.
    #[arg(long, value_name = "IP", requires = "snapshot")]
    src_ip: Option<std::net::IpAddr>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    format: Format,
}

fn main() -> ExitCode {
    let command = match Cli::parse().command {
        Command::Serve(args) => return serve(args),
        Command::Loadgen(args) => return loadgen::main(&args),
        Command::Import(args) => return import_cmd::run(&args),
        Command::Routes(args) => return snapshot_cmd::routes(&args),
        Command::Flow { cmd, conn } => return client_cmd::run(&conn, client_cmd::What::Flow(cmd)),
        Command::Task { cmd, conn } => return client_cmd::run(&conn, client_cmd::What::Task(cmd)),
        Command::Devices { args, conn } => {
            return client_cmd::run(&conn, client_cmd::What::Devices(args));
        }
        other => other,
    };
    match run(command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(3)
        }
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PATHTRACE_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let overrides = pathtrace_server::config::Overrides {
        config: args.config,
        listen: args.listen,
        tls_listen: args.tls_listen,
        data_dir: args.data_dir,
        database_url: args.database_url,
        network: args.network,
    };
    let mut settings = match pathtrace_server::config::resolve(overrides) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = args.suzieq {
        if settings.network.is_some() {
            eprintln!(
                "error: --suzieq cannot be used with a model file (`network` in the configuration file or PATHTRACE_NETWORK)"
            );
            return ExitCode::from(2);
        }
        match serve_suzieq::loader(&dir, args.namespace.as_deref()) {
            Ok(loader) => settings.network_loader = Some(loader),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if let Some(dir) = args.snapshot {
        if settings.network.is_some() {
            eprintln!(
                "error: --snapshot cannot be used with a model file (`network` in the configuration file or PATHTRACE_NETWORK)"
            );
            return ExitCode::from(2);
        }
        match serve_snapshot::loader(&dir) {
            Ok(loader) => settings.network_loader = Some(loader),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(3);
        }
    };
    match rt.block_on(pathtrace_server::run(settings)) {
        Ok(()) => ExitCode::SUCCESS,
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

fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
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
        Command::Serve(args) => Ok(serve(args)),
        Command::Loadgen(args) => Ok(loadgen::main(&args)),
        Command::Import(args) => Ok(import_cmd::run(&args)),
        Command::Flow { cmd, conn } => Ok(client_cmd::run(&conn, client_cmd::What::Flow(cmd))),
        Command::Task { cmd, conn } => Ok(client_cmd::run(&conn, client_cmd::What::Task(cmd))),
        Command::Devices { args, conn } => {
            Ok(client_cmd::run(&conn, client_cmd::What::Devices(args)))
        }
        Command::HashPassword => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            let password = line.trim_end_matches(['\n', '\r']);
            if password.is_empty() {
                eprintln!("error: no password on standard input");
                return Ok(ExitCode::from(2));
            }
            println!("{}", pathtrace_server::config::hash_password(password)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Trace(args) => trace_cmd(&args),
        Command::Routes(args) => Ok(snapshot_cmd::routes(&args)),
    }
}

/// An address given on the command line, or exit 2 with clap's wording.
fn parse_addr(s: &str, what: &str, arg: &str) -> Result<std::net::IpAddr, ExitCode> {
    s.trim().parse().map_err(|e| {
        eprintln!(
            "error: invalid {what} address '{s}' for '{arg}': {e} (a node name or a start location such as @enter(NODE[INTERFACE]) needs --snapshot DIR)"
        );
        ExitCode::from(2)
    })
}

/// `pathtrace trace`: on a snapshot (snapshot_cmd), a SuzieQ snapshot, a
/// model file or the demo network.
fn trace_cmd(args: &TraceArgs) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.snapshot {
        let t = match snapshot_cmd::trace(
            dir,
            &args.src,
            &args.dst,
            args.protocol,
            args.src_port,
            args.dst_port,
            args.src_ip,
            matches!(args.format, Format::Batfish),
        ) {
            Ok(Ok(t)) => t,
            Ok(Err(e)) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(1));
            }
            Err(u) => {
                eprintln!("error: {}", u.0);
                return Ok(ExitCode::from(2));
            }
        };
        if matches!(args.format, Format::Suzieq) {
            eprintln!(
                "error: --format suzieq needs a network with collected state (--suzieq DIR --namespace NS, or a model written by `pathtrace import suzieq`)"
            );
            return Ok(ExitCode::from(2));
        }
        return print_trace(&t.dp, &t.rib, &t.trace, args.format);
    }
    let (src, dst) = match (
        parse_addr(&args.src, "source", "<START>"),
        parse_addr(&args.dst, "destination", "<DST>"),
    ) {
        (Ok(s), Ok(d)) => (s, d),
        (Err(code), _) | (_, Err(code)) => return Ok(code),
    };
    let loaded = match (&args.suzieq, &args.namespace) {
        (Some(dir), Some(ns)) => match import_cmd::suzieq(dir, ns) {
            Ok((net, warnings, _)) => {
                if !warnings.is_empty() {
                    eprintln!(
                        "note: {} kind(s) of state were left out of the model (pathtrace import suzieq --report)",
                        warnings.len()
                    );
                }
                Ok(net)
            }
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(2));
            }
        },
        _ => load(args.network.as_ref()),
    };
    let net = match loaded {
        Ok(n) => n,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(2));
        }
    };
    if (args.src_port.is_some() || args.dst_port.is_some()) && args.protocol == Some(Protocol::Icmp)
    {
        eprintln!("error: ports apply to tcp and udp only");
        return Ok(ExitCode::from(2));
    }
    // `--format batfish` names each route's own next hop: the RIB comes
    // from the same control-plane computation (collected state has none).
    let (dp, rib) = if matches!(args.format, Format::Batfish) && net.observed.is_empty() {
        pathtrace_engine::build_with_routes(&net)
    } else {
        (pathtrace_engine::build(&net), Vec::new())
    };
    if matches!(args.format, Format::Suzieq) {
        let Some(plane) = dp.state.as_deref() else {
            eprintln!(
                "error: --format suzieq needs a network with collected state (--suzieq DIR --namespace NS, or a model written by `pathtrace import suzieq`)"
            );
            return Ok(ExitCode::from(2));
        };
        return Ok(
            match pathtrace_engine::state::trace_state(plane, src, dst, None) {
                Ok(t) => {
                    println!("{}", serde_json::to_string_pretty(&t.rows(&dp.network))?);
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            },
        );
    }
    let flow = Flow {
        src,
        dst,
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
    let code = print_trace(&dp, &rib, &trace, args.format)?;
    if matches!(args.format, Format::Table)
        && let Some(plane) = dp.state.as_deref()
        && let Ok(st) = pathtrace_engine::state::trace_state(plane, src, dst, None)
    {
        print!("{}", render::state_summary(&st));
    }
    Ok(code)
}

/// Print a trace (any format but `suzieq`); the exit code: 0 when the
/// branch DNA Center would show succeeds, else 1.
fn print_trace(
    dp: &pathtrace_engine::DataPlane,
    rib: &[pathtrace_engine::RibRoute],
    trace: &pathtrace_engine::Trace,
    format: Format,
) -> anyhow::Result<ExitCode> {
    match format {
        Format::Table => print!("{}", render::table(dp, trace)),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&pathtrace_engine::view::json::trace(dp, trace))?
        ),
        Format::Suzieq => anyhow::bail!("--format suzieq is answered from collected state"),
        Format::Batfish => {
            // The RIB gives each route its own next hop (a BGP route its BGP
            // next hop), as Batfish shows them.
            print!("{}", snapshot_cmd::batfish_text(dp, trace, rib));
        }
        Format::Dnac => {
            let now = now_ms();
            let info = pathtrace_engine::view::dnac::AnalysisInfo {
                id: offline_id(&dp.network, &trace.flow),
                create_time: now,
                last_update_time: now,
                periodic_refresh: false,
                inclusions: Vec::new(),
            };
            let resp = pathtrace_engine::view::dnac::response(dp, trace, &info);
            println!("{}", serde_json::to_string_pretty(&resp)?);
        }
    }
    let (status, _) = pathtrace_engine::view::dnac::status(trace);
    Ok(if status == "COMPLETED" {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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
