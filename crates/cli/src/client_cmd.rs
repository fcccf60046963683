//! Client commands: `flow start|list|show|delete|runs`, `task show|wait`,
//! `devices` — the notebooks' workflow from a terminal, against `pathtrace
//! serve` or a real DNA Center / APIC-EM, through the `pathtrace-client` SDK.
//!
//! The controller comes from `--url` / `PATHTRACE_URL`, the user from
//! `--user` / `PATHTRACE_USER`, the password from `PATHTRACE_PASSWORD`, from
//! standard input with `--password-stdin`, or from a prompt — never from a
//! flag. Results go to standard output (`--format json`: JSON only); the
//! spinner and messages go to standard error.
//!
//! Exit codes: 0 success; 1 the analysis or task FAILED; 2 a usage error (or
//! a request the controller rejected as invalid); 3 an internal error; 4 the
//! controller is unreachable, refuses the login, or answers nonsense (or a
//! wait timed out); 5 an unknown id.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Subcommand, ValueEnum};
use pathtrace_client::{
    AnalysisStatus, ApiFamily, Client, DeviceQuery, Error, FlowAnalysisQuery, FlowAnalysisRequest,
    Inclusion, LoginStyle, NetworkElementInfo, PathResponse, Task,
};

/// Where the controller is and how to log in.
#[derive(Debug, clap::Args)]
pub struct Conn {
    /// Controller URL: `pathtrace serve` (http://127.0.0.1:8080) or a DNA Center / APIC-EM.
    #[arg(
        long,
        env = "PATHTRACE_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    url: String,
    /// User name (else PATHTRACE_USER, else a prompt).
    #[arg(long, env = "PATHTRACE_USER", global = true)]
    user: Option<String>,
    /// Read the password from standard input (else PATHTRACE_PASSWORD, else a prompt).
    #[arg(long, global = true)]
    password_stdin: bool,
    /// API style: `dnac` (token login, /dna/intent/api/v1) or `apic-em` (ticket, /api/v1).
    #[arg(long, value_enum, default_value = "dnac", global = true)]
    api: ApiStyle,
    /// Accept a self-signed or otherwise unverifiable TLS certificate.
    #[arg(long, global = true)]
    insecure: bool,
    /// Seconds to wait for a task.
    #[arg(long, default_value_t = 60.0, global = true)]
    timeout: f64,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "text", global = true)]
    format: OutFormat,
}

/// API styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApiStyle {
    /// DNA Center / Catalyst Center: token login, `/dna/intent/api/v1`.
    Dnac,
    /// APIC-EM: service ticket, `/api/v1`.
    ApicEm,
}

/// Output formats of the client commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    /// Lines as the notebooks print them (`name: ip`), or a short listing.
    Text,
    /// A table (for a path: interfaces, link source and statistics).
    Table,
    /// The controller's JSON, unchanged (only JSON on standard output).
    Json,
}

/// `pathtrace flow …`.
#[derive(Debug, Subcommand)]
pub enum FlowCmd {
    /// Start a path trace, wait for its task, print the path.
    Start(StartArgs),
    /// List path traces, newest first.
    List(ListArgs),
    /// Print a path trace's result.
    Show {
        /// Flow analysis id.
        id: String,
    },
    /// Delete a path trace.
    Delete {
        /// Flow analysis id.
        id: String,
    },
    /// Every run of a path trace (periodic ones keep each refresh; pathtrace extension).
    Runs {
        /// Flow analysis id.
        id: String,
    },
}

/// `flow start` flags.
#[derive(Debug, clap::Args)]
pub struct StartArgs {
    /// Source IP address.
    src: std::net::IpAddr,
    /// Destination IP address.
    dst: std::net::IpAddr,
    /// Protocol: tcp or udp.
    #[arg(long, short = 'p', value_parser = ["tcp", "udp", "TCP", "UDP"])]
    protocol: Option<String>,
    /// Source port.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    src_port: Option<u16>,
    /// Destination port.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    dst_port: Option<u16>,
    /// Statistics to include: DEVICE-STATS, INTERFACE-STATS, QOS-STATS, PERFORMANCE-STATS, ACL-TRACE (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_parser = parse_inclusion)]
    include: Vec<Inclusion>,
    /// Ask the controller to refresh the trace periodically (every 30 s).
    #[arg(long)]
    refresh: bool,
}

/// `flow list` flags.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only traces from this source.
    #[arg(long)]
    src: Option<String>,
    /// Only traces to this destination.
    #[arg(long)]
    dst: Option<String>,
    /// Only traces in this state (COMPLETED, FAILED, INPROGRESS).
    #[arg(long)]
    status: Option<String>,
    /// At most this many (1-500).
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u32).range(1..=500))]
    limit: u32,
}

/// `pathtrace task …`.
#[derive(Debug, Subcommand)]
pub enum TaskCmd {
    /// Print a task.
    Show {
        /// Task id.
        id: String,
    },
    /// Wait until a task ends (exit 1 when it failed).
    Wait {
        /// Task id.
        id: String,
    },
}

/// `pathtrace devices` flags.
#[derive(Debug, clap::Args)]
pub struct DevicesArgs {
    /// Only devices with this hostname.
    #[arg(long)]
    hostname: Option<String>,
    /// Only the device with this management IP address.
    #[arg(long)]
    ip: Option<String>,
}

fn parse_inclusion(s: &str) -> Result<Inclusion, String> {
    s.parse::<Inclusion>()
}

/// A failure of a client command: its exit code and one line.
struct Fail(u8, String);

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::NotFound { .. } => 5,
            Error::TaskFailed { .. } => 1,
            Error::Config(_) => 2,
            Error::Api { status, .. } if (400..500).contains(status) => 2,
            _ => 4,
        };
        Fail(code, e.to_string())
    }
}

type Outcome = Result<ExitCode, Fail>;

/// Run a client command; prints its one-line error and returns its exit code.
pub fn run(conn: &Conn, what: What) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(3);
        }
    };
    match rt.block_on(dispatch(conn, what)) {
        Ok(code) => code,
        Err(Fail(code, message)) => {
            eprintln!("error: {message}");
            ExitCode::from(code)
        }
    }
}

/// Which client command.
#[derive(Debug)]
pub enum What {
    /// `flow …`.
    Flow(FlowCmd),
    /// `task …`.
    Task(TaskCmd),
    /// `devices`.
    Devices(DevicesArgs),
}

async fn dispatch(conn: &Conn, what: What) -> Outcome {
    let client = connect(conn).await?;
    match what {
        What::Flow(FlowCmd::Start(a)) => start(conn, &client, a).await,
        What::Flow(FlowCmd::List(a)) => list(conn, &client, a).await,
        What::Flow(FlowCmd::Show { id }) => show(conn, &client, &id).await,
        What::Flow(FlowCmd::Delete { id }) => {
            let t = client.delete_flow_analysis(&id).await?;
            match conn.format {
                OutFormat::Json => {
                    print_json(&serde_json::json!({"taskId": t.task_id, "url": t.url}));
                }
                _ => println!("deleted {id} (task {})", t.task_id),
            }
            Ok(ExitCode::SUCCESS)
        }
        What::Flow(FlowCmd::Runs { id }) => runs(conn, &client, &id).await,
        What::Task(TaskCmd::Show { id }) => {
            let t = client.task(&id).await?;
            print_task(conn, &t);
            Ok(if t.is_error {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        What::Task(TaskCmd::Wait { id }) => {
            let t = wait(conn, &client, &id).await?;
            print_task(conn, &t);
            Ok(if t.is_error {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        What::Devices(a) => devices(conn, &client, a).await,
    }
}

/// Build the client and log in.
async fn connect(conn: &Conn) -> Result<Client, Fail> {
    if !(conn.timeout.is_finite() && conn.timeout > 0.0) {
        return Err(Fail(
            2,
            format!(
                "--timeout must be a positive number of seconds, got {}",
                conn.timeout
            ),
        ));
    }
    let family = match conn.api {
        ApiStyle::Dnac => ApiFamily::Intent,
        ApiStyle::ApicEm => ApiFamily::ApicEm,
    };
    let client = Client::builder(conn.url.clone())
        .family(family)
        .danger_accept_invalid_certs(conn.insecure)
        .build()?;
    let user = match &conn.user {
        Some(u) => u.clone(),
        None => prompt_line("Username: ")?,
    };
    let password = password(conn)?;
    let style = match conn.api {
        ApiStyle::Dnac => LoginStyle::Token,
        ApiStyle::ApicEm => LoginStyle::Ticket,
    };
    client.login(style, &user, &password).await?;
    Ok(client)
}

fn prompt_line(prompt: &str) -> Result<String, Fail> {
    if !std::io::stdin().is_terminal() {
        return Err(Fail(
            2,
            "no user: give --user or PATHTRACE_USER (standard input is not a terminal to ask on)"
                .into(),
        ));
    }
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Fail(2, format!("reading the user name: {e}")))?;
    Ok(line.trim().to_string())
}

fn password(conn: &Conn) -> Result<String, Fail> {
    if conn.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Fail(2, format!("reading the password from standard input: {e}")))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    if let Ok(p) = std::env::var("PATHTRACE_PASSWORD") {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Fail(
            2,
            "no password: set PATHTRACE_PASSWORD or use --password-stdin".into(),
        ));
    }
    rpassword::prompt_password("Password: ")
        .map_err(|e| Fail(2, format!("reading the password: {e}")))
}

/// Poll a task until it ends, with a spinner showing its state.
async fn wait(conn: &Conn, client: &Client, id: &str) -> Result<Task, Fail> {
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.enable_steady_tick(Duration::from_millis(100));
    let start = Instant::now();
    let deadline = Duration::from_secs_f64(conn.timeout);
    let mut pause = Duration::from_millis(50);
    loop {
        let t = client.task(id).await?;
        if t.is_done() {
            spinner.finish_and_clear();
            return Ok(t);
        }
        spinner.set_message(format!(
            "task {id}: in progress ({:.1} s)",
            start.elapsed().as_secs_f64()
        ));
        if start.elapsed() >= deadline {
            spinner.finish_and_clear();
            return Err(Fail(
                4,
                format!(
                    "task {id} did not finish within {} s; it may still complete",
                    conn.timeout
                ),
            ));
        }
        tokio::time::sleep(pause.min(deadline.saturating_sub(start.elapsed()))).await;
        pause = (pause * 2).min(Duration::from_secs(2));
    }
}

async fn start(conn: &Conn, client: &Client, a: StartArgs) -> Outcome {
    let mut req = FlowAnalysisRequest::new(a.src.to_string(), a.dst.to_string())
        .with_periodic_refresh(a.refresh);
    if let Some(p) = &a.protocol {
        req = req.with_protocol(p.to_ascii_uppercase());
    }
    if let Some(p) = a.src_port {
        req = req.with_source_port(p);
    }
    if let Some(p) = a.dst_port {
        req = req.with_dest_port(p);
    }
    for i in &a.include {
        req = req.with_inclusion(*i);
    }
    let started = client.initiate_flow_analysis(&req).await?;
    let task = wait(conn, client, &started.task_id).await?;
    // The analysis id is the task's progress (as the notebooks read it).
    let id = task
        .progress
        .clone()
        .filter(|p| !p.is_empty() && !task.is_error)
        .unwrap_or_else(|| started.flow_analysis_id.clone());
    print_path(conn, client, &id, !a.include.is_empty()).await
}

async fn show(conn: &Conn, client: &Client, id: &str) -> Outcome {
    print_path(conn, client, id, false).await
}

/// Print an analysis's path; exit 1 when it FAILED.
async fn print_path(conn: &Conn, client: &Client, id: &str, stats: bool) -> Outcome {
    if conn.format == OutFormat::Json {
        let v = client
            .get_json(&format!("/flow-analysis/{id}"), &[])
            .await?;
        print_json(&v);
        let failed = v["response"]["request"]["status"] == "FAILED";
        return Ok(if failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }
    let r = client.flow_analysis(id).await?;
    let with_stats = stats
        || r.network_elements_info
            .iter()
            .any(|e| e.device_statistics.is_some());
    if conn.format == OutFormat::Table || with_stats {
        print_table(client, &r, with_stats).await;
    } else {
        for e in &r.network_elements_info {
            println!(
                "{}: {}",
                e.name.as_deref().unwrap_or("None"),
                e.ip.as_deref().unwrap_or("None")
            );
        }
    }
    Ok(match r.request.status {
        AnalysisStatus::Failed => {
            eprintln!(
                "FAILED: {}",
                r.request
                    .failure_reason
                    .as_deref()
                    .unwrap_or("no reason given")
            );
            ExitCode::from(1)
        }
        _ => ExitCode::SUCCESS,
    })
}

fn iface(c: Option<&pathtrace_client::flow::InterfaceContainer>) -> String {
    c.and_then(|c| {
        c.physical_interface
            .as_ref()
            .or(c.virtual_interface.first())
    })
    .and_then(|i| i.name.clone())
    .unwrap_or_else(|| "-".into())
}

/// The rich table: interfaces, link source, and (with statistics) CPU,
/// memory and each device's software version from the inventory.
async fn print_table(client: &Client, r: &PathResponse, stats: bool) {
    let mut rows: Vec<Vec<String>> = vec![
        ["#", "device", "ip", "in", "out", "link source"]
            .iter()
            .map(ToString::to_string)
            .collect(),
    ];
    if stats {
        rows[0].extend(["cpu 5s/1m/5m %", "memory used/total MB", "version"].map(String::from));
    }
    for (n, e) in r.network_elements_info.iter().enumerate() {
        let mut row = vec![
            (n + 1).to_string(),
            e.name.clone().unwrap_or_else(|| "(host)".into()),
            e.ip.clone().unwrap_or_else(|| "-".into()),
            iface(e.ingress_interface.as_ref()),
            iface(e.egress_interface.as_ref()),
            e.link_information_source
                .clone()
                .unwrap_or_else(|| "-".into()),
        ];
        if stats {
            row.extend(stat_cells(client, e).await);
        }
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
}

async fn stat_cells(client: &Client, e: &NetworkElementInfo) -> [String; 3] {
    if e.is_host() {
        return ["-".into(), "-".into(), "-".into()];
    }
    let cpu = e
        .device_statistics
        .as_ref()
        .and_then(|s| s.cpu_statistics.as_ref())
        .map_or_else(
            || {
                e.device_stats_collection_failure_reason
                    .clone()
                    .unwrap_or_else(|| "-".into())
            },
            |c| {
                let f = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| format!("{v:.1}"));
                format!(
                    "{}/{}/{}",
                    f(c.five_secs_usage_in_percentage),
                    f(c.one_min_usage_in_percentage),
                    f(c.five_min_usage_in_percentage)
                )
            },
        );
    let mem = e
        .device_statistics
        .as_ref()
        .and_then(|s| s.memory_statistics.as_ref())
        .map_or_else(
            || "-".into(),
            |m| {
                let mb =
                    |v: Option<i64>| v.map_or_else(|| "-".into(), |v| (v / 1_048_576).to_string());
                format!("{}/{}", mb(m.memory_usage), mb(m.total_memory))
            },
        );
    // The notebook's bonus: the software version, through the inventory.
    let version = match &e.id {
        Some(id) => client
            .network_device(id)
            .await
            .ok()
            .and_then(|d| d.software_version)
            .unwrap_or_else(|| "-".into()),
        None => "-".into(),
    };
    [cpu, mem, version]
}

async fn list(conn: &Conn, client: &Client, a: ListArgs) -> Outcome {
    let q = FlowAnalysisQuery {
        source_ip: a.src,
        dest_ip: a.dst,
        status: a.status,
        limit: Some(a.limit),
        order: Some(pathtrace_client::Order::Desc),
        sort_by: Some("createTime".into()),
        ..FlowAnalysisQuery::default()
    };
    if conn.format == OutFormat::Json {
        let v = client.get_json("/flow-analysis", &q.to_pairs()).await?;
        print_json(&v);
        return Ok(ExitCode::SUCCESS);
    }
    let items = client.flow_analyses(&q).await?;
    for f in items {
        println!(
            "{}  {:<10} {} -> {}{}{}  created {}",
            f.id,
            f.status.to_string(),
            f.source_ip,
            f.dest_ip,
            f.protocol.map(|p| format!(" {p}")).unwrap_or_default(),
            f.dest_port.map(|p| format!("/{p}")).unwrap_or_default(),
            f.create_time.map_or_else(|| "-".into(), |t| t.to_string()),
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn runs(conn: &Conn, client: &Client, id: &str) -> Outcome {
    if conn.format == OutFormat::Json {
        let v = client
            .get_json(&format!("/flow-analysis/{id}/runs"), &[])
            .await?;
        print_json(&v);
        return Ok(ExitCode::SUCCESS);
    }
    for r in client.flow_analysis_runs(id).await? {
        let v = serde_json::to_value(&r).unwrap_or_default();
        let hops: Vec<String> = v["networkElementsInfo"]
            .as_array()
            .map(|es| {
                es.iter()
                    .map(|e| {
                        e["name"]
                            .as_str()
                            .or(e["ip"].as_str())
                            .unwrap_or("?")
                            .to_string()
                    })
                    .collect()
            })
            .unwrap_or_default();
        println!(
            "run {}  {}  ended {}  {}",
            v["run"],
            v["status"].as_str().unwrap_or("-"),
            v["endTime"],
            hops.join(" > ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_task(conn: &Conn, t: &Task) {
    if conn.format == OutFormat::Json {
        print_json(&serde_json::to_value(t).unwrap_or_default());
        return;
    }
    let state = match (t.end_time, t.is_error) {
        (None, _) => "IN PROGRESS",
        (Some(_), false) => "SUCCESS",
        (Some(_), true) => "FAILED",
    };
    println!("task {}: {state}", t.id);
    if let Some(p) = &t.progress {
        println!("  progress: {p}");
    }
    if let Some(c) = &t.error_code {
        println!("  errorCode: {c}");
    }
    if let Some(r) = &t.failure_reason {
        println!("  failureReason: {r}");
    }
}

async fn devices(conn: &Conn, client: &Client, a: DevicesArgs) -> Outcome {
    let q = DeviceQuery {
        hostname: a.hostname.into_iter().collect(),
        management_ip_address: a.ip.into_iter().collect(),
        ..DeviceQuery::default()
    };
    if conn.format == OutFormat::Json {
        let v = client.get_json("/network-device", &q.to_pairs()).await?;
        print_json(&v);
        return Ok(ExitCode::SUCCESS);
    }
    for d in client.network_devices(&q).await? {
        println!(
            "{:<24} {:<16} {:<12} {:<28} {}",
            d.hostname.unwrap_or_default(),
            d.management_ip_address.unwrap_or_default(),
            d.role.unwrap_or_default(),
            d.platform_id.unwrap_or_default(),
            d.software_version.unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_json(v: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
    );
}
