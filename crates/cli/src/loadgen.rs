//! `pathtrace loadgen`: a bounded load generator for one or several
//! `pathtrace serve` replicas on this machine.
//!
//! Every simulated client (a tokio task) logs in with HTTP Basic, then loops:
//! `POST flow-analysis` with the next flow of the flow set, `GET
//! task/{taskId}` until the task has an `endTime` (the first poll at once,
//! then pauses of 200 µs doubling up to 5 ms), then `GET flow-analysis/{id}`,
//! whose status must be the one expected for that flow. One HTTP client
//! (keep-alive, no proxy, no redirects) is shared by all tasks.
//!
//! **Several targets.** `--url` may be given several times (or
//! comma-separated). Every request — login, POST, each poll, GET — goes to the
//! next URL in round-robin order of one global counter, like a load balancer
//! without stickiness: a token issued by one replica is used on the next, a
//! task created on one is polled on another.
//!
//! **Errors do not stop the load.** A failed POST (no connection, a timeout,
//! any status but 202, an unreadable answer) is counted by kind and the
//! client pauses — 20 ms, doubling up to 500 ms while errors continue, reset
//! on success — then starts the next flow. An accepted POST (202 with a
//! `taskId`) is owed a final state: failed polls and result reads are
//! counted and retried with the same pauses until the analysis is COMPLETED
//! or FAILED, or `--analysis-timeout` has passed since its acceptance; it is
//! then `unfinished` (an error of its own kind). A rejected token (401) makes
//! the client log in again. Every error is counted in the second (since the
//! start of the load) it happened, for the report's timeline.
//!
//! **Flow sets.** The built-in mix over the demo network, a file of flows
//! (`--flows`, see [`parse_flows`]), or N pairs of the server's hosts
//! (`--flows-from-hosts`, chosen by a fixed-seed xorshift: the same hosts
//! give the same flows).
//!
//! **Pacing.** With `--rate`, starts are scheduled against the clock (start
//! k at `k / rate` seconds after the start of the load), so the achieved
//! rate does not drift. A start more than a second behind its schedule (the
//! server stalled, or the clients cannot keep up) is skipped and the
//! schedule resumes at the current time, instead of bursting to catch up.
//!
//! **Also**: `--ids-out FILE` lists every accepted analysis with its final
//! status; `--watch-pid PID` samples the resident memory of processes (the
//! server replicas) every second.
//!
//! Safety rails: only loopback URLs (127.0.0.0/8, ::1, localhost pinned to
//! 127.0.0.1) are accepted, checked before anything is sent (exit 2
//! otherwise); a run stops at `--count` analyses or `--duration` seconds
//! (at most 30 minutes), whichever comes first, and never lasts more than
//! the duration plus two minutes (logins, draining) in all.
//!
//! Exit codes: 0 no error, 1 at least one error (or the host list could not
//! be read), 2 a usage error (including a non-loopback URL, a bad flows file,
//! more host pairs than the network has), 3 an internal error (the HTTP
//! client could not be built, or `--ids-out` could not be written at the end).

use std::collections::{BTreeMap, HashSet};
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clap::ValueEnum;
use reqwest::{StatusCode, Url};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;

/// Longest load (`--duration`).
const MAX_DURATION: Duration = Duration::from_mins(30);
/// The whole run (logins, load, draining) never lasts longer than the
/// load's duration plus this.
const HARD_CAP_MARGIN: Duration = Duration::from_mins(2);
/// Time allowed to log in all clients, and again to read the host list.
const LOGIN_TIMEOUT: Duration = Duration::from_mins(1);
/// Largest `--analysis-timeout`, in seconds.
const MAX_ANALYSIS_TIMEOUT_S: f64 = 600.0;
/// One HTTP request must finish within this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// First pause between task polls (after a first poll at once, as an
/// eager client does); doubled up to [`POLL_MAX`].
const POLL_FIRST: Duration = Duration::from_micros(200);
/// Longest pause between task polls.
const POLL_MAX: Duration = Duration::from_millis(5);
/// First pause after a failed request; doubled up to [`BACKOFF_MAX`] while
/// errors continue, back to this after a success.
const BACKOFF_FIRST: Duration = Duration::from_millis(20);
/// Longest pause after a failed request.
const BACKOFF_MAX: Duration = Duration::from_millis(500);
/// A paced start later than this behind its schedule is skipped.
const MAX_LAG: Duration = Duration::from_secs(1);
/// At most this many error messages are kept as examples.
const ERROR_SAMPLES: usize = 5;
/// Most flows `--flows-from-hosts` builds.
const MAX_HOST_FLOWS: u32 = 100_000;
/// Hosts per page of `GET /api/v1/host` (the server's largest page).
const HOST_PAGE: usize = 500;
/// Most pages of hosts read (a guard against a server that never ends the list).
const HOST_PAGES_MAX: usize = 2_000;
/// The seed of the choice of host pairs.
const HOST_SEED: u64 = 0x9E37_79B9_7F4A_7C15;
/// Longest timeline, in seconds (a guard on its memory; a run is shorter).
const TIMELINE_MAX: usize = 4 * 3600;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A short readable report.
    Text,
    /// One JSON object (for scripts).
    Json,
}

/// Flags of `loadgen`.
#[derive(Debug, clap::Args)]
pub struct LoadgenArgs {
    /// Server base URL; repeat the flag or separate URLs with commas to
    /// spread every request round robin over several servers. Only loopback
    /// hosts are accepted (127.0.0.0/8, [::1], localhost).
    #[arg(
        long = "url",
        value_name = "URL",
        default_value = "http://127.0.0.1:8080",
        value_delimiter = ','
    )]
    urls: Vec<String>,
    /// User to log in as.
    #[arg(long, default_value = "devnetuser")]
    user: String,
    /// Environment variable holding the password; when it is unset, the demo
    /// password is used (the demo user exists only on loopback servers).
    #[arg(long, default_value = "PATHTRACE_PASSWORD")]
    password_env: String,
    /// Simulated clients (concurrent tasks, one login each).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1024))]
    clients: u32,
    /// Stop after this many analyses (POSTs sent, failed ones included).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    count: u64,
    /// Stop after this many seconds of load (at most 1,800).
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    duration: f64,
    /// Analyses started per second, all clients together (0: as fast as possible).
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Seconds an accepted analysis may take to reach COMPLETED or FAILED
    /// (polls and the result read retried meanwhile); later it is
    /// `unfinished` (at most 600).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    analysis_timeout: f64,
    /// Flows to use instead of the demo mix: one per line,
    /// `SRC DST [PROTOCOL [DST_PORT [EXPECT]]]` (`#` comments).
    #[arg(long, value_name = "FILE", conflicts_with = "flows_from_hosts")]
    flows: Option<PathBuf>,
    /// Build N flows between distinct pairs of the server's hosts (`GET
    /// /api/v1/host`, a fixed seed), either outcome accepted.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_HOST_FLOWS)))]
    flows_from_hosts: Option<u32>,
    /// Write `ANALYSIS_ID TASK_ID FINAL_STATUS` for every accepted analysis
    /// to this file when the run ends (FINAL_STATUS: COMPLETED, FAILED or
    /// unfinished).
    #[arg(long, value_name = "FILE")]
    ids_out: Option<PathBuf>,
    /// Sample this process's resident memory (VmRSS) every second during
    /// the load (repeatable).
    #[arg(long = "watch-pid", value_name = "PID")]
    watch_pids: Vec<u32>,
    /// Seconds between two samples of the memory series reported per
    /// `--watch-pid`.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    watch_every: u64,
    /// Accept any TLS certificate (for the server's self-signed HTTPS listener).
    #[arg(long)]
    insecure: bool,
    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    format: ReportFormat,
}

// ---------------------------------------------------------------- flows

/// The final status a flow's analysis must end with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// COMPLETED.
    Completed,
    /// FAILED.
    Failed,
    /// Either final status.
    Either,
}

impl Expect {
    fn label(self) -> &'static str {
        match self {
            Expect::Completed => "COMPLETED",
            Expect::Failed => "FAILED",
            Expect::Either => "COMPLETED or FAILED",
        }
    }

    /// Whether a final status is the expected one.
    fn accepts(self, status: &str) -> bool {
        match self {
            Expect::Completed => status == "COMPLETED",
            Expect::Failed => status == "FAILED",
            Expect::Either => true,
        }
    }
}

/// One flow of the set and the status its analysis must end with.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FlowSpec {
    name: String,
    src: String,
    dst: String,
    protocol: Option<&'static str>,
    dst_port: Option<u16>,
    expect: Expect,
}

impl FlowSpec {
    /// The name, with the addresses when the name does not show them.
    fn describe(&self) -> String {
        if self.name.starts_with(&self.src) {
            self.name.clone()
        } else {
            format!("{} ({} -> {})", self.name, self.src, self.dst)
        }
    }

    fn body(&self) -> String {
        let mut v = json!({"sourceIP": self.src, "destIP": self.dst});
        if let Some(p) = self.protocol {
            v["protocol"] = json!(p);
        }
        if let Some(p) = self.dst_port {
            v["destPort"] = json!(p.to_string());
        }
        v.to_string()
    }
}

/// The fixed mix over the demo network (docs/demo.md), used round robin.
fn demo_flows() -> Vec<FlowSpec> {
    let flow = |name: &str, src: &str, dst: &str, tcp_port: Option<u16>, expect| FlowSpec {
        name: name.into(),
        src: src.into(),
        dst: dst.into(),
        protocol: tcp_port.map(|_| "TCP"),
        dst_port: tcp_port,
        expect,
    };
    vec![
        flow(
            "seed-apic-em",
            "10.1.15.117",
            "10.2.1.22",
            None,
            Expect::Completed,
        ),
        flow(
            "seed-dnac",
            "10.10.22.114",
            "10.10.22.98",
            None,
            Expect::Completed,
        ),
        flow("ecmp", "10.1.20.11", "10.2.1.22", None, Expect::Completed),
        flow(
            "denied-telnet",
            "10.1.13.25",
            "10.2.1.22",
            Some(23),
            Expect::Failed,
        ),
        flow("exit", "10.1.13.25", "8.8.8.8", None, Expect::Completed),
    ]
}

/// A flow's name from its fields: `SRC -> DST`, then ` PROTOCOL/PORT`,
/// ` PROTOCOL` or ` port PORT` when given.
fn flow_name(src: &str, dst: &str, protocol: Option<&str>, dst_port: Option<u16>) -> String {
    match (protocol, dst_port) {
        (Some(p), Some(port)) => format!("{src} -> {dst} {p}/{port}"),
        (Some(p), None) => format!("{src} -> {dst} {p}"),
        (None, Some(port)) => format!("{src} -> {dst} port {port}"),
        (None, None) => format!("{src} -> {dst}"),
    }
}

/// Parse a flows file: one flow per line, `SRC DST [PROTOCOL [DST_PORT
/// [EXPECT]]]`, whitespace-separated; `#` starts a comment; blank lines are
/// ignored. SRC and DST are IP addresses; PROTOCOL is TCP, UDP or `-` (none);
/// DST_PORT is 1–65535 or `-`; EXPECT is COMPLETED, FAILED or `-` (either,
/// also when it is left out). Words are case-insensitive. `Err` is
/// `FILE:LINE: message` (or `FILE: no flows`).
fn parse_flows(text: &str, file: &str) -> Result<Vec<FlowSpec>, String> {
    const SYNTAX: &str = "SRC DST [PROTOCOL [DST_PORT [EXPECT]]]";
    let mut flows = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split_once('#').map_or(raw, |(before, _)| before);
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let at = |message: String| format!("{file}:{}: {message}", n + 1);
        if fields.len() < 2 {
            return Err(at(format!(
                "a flow is {SYNTAX}; the destination is missing"
            )));
        }
        if fields.len() > 5 {
            return Err(at(format!("{} fields; a flow is {SYNTAX}", fields.len())));
        }
        let ip = |what: &str, s: &str| {
            s.parse::<IpAddr>()
                .map(|a| a.to_string())
                .map_err(|_| at(format!("{what} {s:?} is not an IP address")))
        };
        let src = ip("SRC", fields[0])?;
        let dst = ip("DST", fields[1])?;
        let protocol = match fields.get(2).copied() {
            None | Some("-") => None,
            Some(p) if p.eq_ignore_ascii_case("tcp") => Some("TCP"),
            Some(p) if p.eq_ignore_ascii_case("udp") => Some("UDP"),
            Some(p) => return Err(at(format!("PROTOCOL {p:?}: TCP, UDP or -"))),
        };
        let dst_port = match fields.get(3).copied() {
            None | Some("-") => None,
            Some(p) => match p.parse::<u16>() {
                Ok(port) if port > 0 => Some(port),
                _ => return Err(at(format!("DST_PORT {p:?}: a port 1-65535 or -"))),
            },
        };
        let expect = match fields.get(4).copied() {
            None | Some("-") => Expect::Either,
            Some(e) if e.eq_ignore_ascii_case("completed") => Expect::Completed,
            Some(e) if e.eq_ignore_ascii_case("failed") => Expect::Failed,
            Some(e) => {
                return Err(at(format!("EXPECT {e:?}: COMPLETED, FAILED or - (either)")));
            }
        };
        flows.push(FlowSpec {
            name: flow_name(&src, &dst, protocol, dst_port),
            src,
            dst,
            protocol,
            dst_port,
            expect,
        });
    }
    if flows.is_empty() {
        return Err(format!("{file}: no flows (one per line: {SYNTAX})"));
    }
    Ok(flows)
}

/// xorshift64*: a small, repeatable pseudo-random sequence (the choice of
/// host pairs only has to be the same from run to run).
#[derive(Debug)]
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        // The state must not be 0.
        XorShift(seed | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

/// `n` distinct (source, destination) pairs of indexes into `hosts` hosts
/// (source ≠ destination), chosen with `seed`. `Err` says why there are not
/// enough.
fn host_pairs(hosts: usize, n: usize, seed: u64) -> Result<Vec<(usize, usize)>, String> {
    if hosts < 2 {
        return Err(format!(
            "the server has {hosts} host(s); a flow needs two distinct hosts"
        ));
    }
    let total = hosts.saturating_mul(hosts - 1);
    if n > total {
        return Err(format!(
            "the server's {hosts} hosts make only {total} distinct (source, destination) pairs"
        ));
    }
    let mut rng = XorShift::new(seed);
    if n.saturating_mul(2) >= total {
        // Most pairs are wanted: all of them (at most 2n), shuffled
        // (Fisher–Yates), the first n.
        let mut all: Vec<(usize, usize)> = (0..hosts)
            .flat_map(|a| (0..hosts).filter(move |&b| b != a).map(move |b| (a, b)))
            .collect();
        for i in (1..all.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            all.swap(i, j);
        }
        all.truncate(n);
        return Ok(all);
    }
    // Few of many: draw, dropping repeats (fewer than 2n draws expected).
    let mut seen = HashSet::with_capacity(n);
    let mut pairs = Vec::with_capacity(n);
    while pairs.len() < n {
        let a = rng.below(hosts as u64) as usize;
        let b = rng.below(hosts as u64 - 1) as usize;
        let b = if b >= a { b + 1 } else { b };
        if seen.insert((a, b)) {
            pairs.push((a, b));
        }
    }
    Ok(pairs)
}

/// Flows between the given pairs of hosts, either outcome accepted.
fn host_flows(hosts: &[IpAddr], pairs: &[(usize, usize)]) -> Vec<FlowSpec> {
    pairs
        .iter()
        .map(|&(a, b)| {
            let (src, dst) = (hosts[a].to_string(), hosts[b].to_string());
            FlowSpec {
                name: flow_name(&src, &dst, None, None),
                src,
                dst,
                protocol: None,
                dst_port: None,
                expect: Expect::Either,
            }
        })
        .collect()
}

// ---------------------------------------------------------------- targets

/// Whether a URL may be load-tested: http(s) to a loopback host. `Err` says why not.
pub fn check_target(url: &Url) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "{url}: only http:// and https:// URLs are supported"
        ));
    }
    // The URL parser has normalised the host: IPv4 in dotted quads (`127.1`
    // is 127.0.0.1), IPv6 in brackets, names in lower case.
    let host = url.host_str().unwrap_or("");
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let loopback = host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|a| a.is_loopback());
    if loopback {
        Ok(())
    } else {
        Err(format!(
            "{url}: refusing a load test of a host that is not loopback \
             (only 127.0.0.0/8, [::1] and localhost are allowed)"
        ))
    }
}

/// The servers and the HTTP client: every request goes to the next base URL.
#[derive(Debug)]
struct Targets {
    http: reqwest::Client,
    /// Base URLs without a trailing `/`.
    bases: Vec<String>,
    /// Requests sent so far, all clients together: the round robin.
    next: AtomicU64,
}

impl Targets {
    /// The index of the URL the next request goes to.
    fn pick(&self) -> usize {
        let n = self.bases.len().max(1) as u64;
        (self.next.fetch_add(1, Ordering::Relaxed) % n) as usize
    }
}

// ---------------------------------------------------------------- errors

/// The kinds of error counted in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ErrorKind {
    /// Login failed (any cause).
    Login,
    /// An answer with an unexpected HTTP status.
    HttpStatus,
    /// An analysis ended with a status other than the expected one.
    UnexpectedOutcome,
    /// A request took too long.
    Timeout,
    /// The connection failed after it was made (reset, closed) or an
    /// answer could not be read.
    Transport,
    /// An answer that is not the JSON the API promises.
    BadResponse,
    /// No connection could be made (refused, unreachable).
    Connection,
    /// An accepted analysis did not reach COMPLETED or FAILED in time.
    Unfinished,
}

impl ErrorKind {
    fn key(self) -> &'static str {
        match self {
            ErrorKind::Login => "login",
            ErrorKind::HttpStatus => "http_status",
            ErrorKind::UnexpectedOutcome => "unexpected_outcome",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Transport => "transport",
            ErrorKind::BadResponse => "bad_response",
            ErrorKind::Connection => "connection",
            ErrorKind::Unfinished => "unfinished",
        }
    }
}

/// One error: its kind, a short key for the breakdown, a message, the URL
/// it came from (an index into the targets) and the HTTP status, if any.
#[derive(Debug)]
struct Failure {
    kind: ErrorKind,
    detail: String,
    message: String,
    target: Option<usize>,
    status: Option<StatusCode>,
}

impl Failure {
    fn new(kind: ErrorKind, detail: impl Into<String>, message: impl Into<String>) -> Self {
        Failure {
            kind,
            detail: detail.into(),
            message: message.into(),
            target: None,
            status: None,
        }
    }

    fn from_reqwest(step: &str, e: &reqwest::Error) -> Self {
        let kind = if e.is_timeout() {
            ErrorKind::Timeout
        } else if e.is_connect() {
            ErrorKind::Connection
        } else if e.is_decode() {
            ErrorKind::BadResponse
        } else {
            ErrorKind::Transport
        };
        // The causes too: "error sending request" alone does not say that a
        // certificate was refused (--insecure) or the connection was.
        let mut message = format!("{step}: {e}");
        let mut cause = std::error::Error::source(e);
        while let Some(c) = cause {
            message.push_str(": ");
            message.push_str(&c.to_string());
            cause = c.source();
        }
        Failure::new(kind, format!("{step}: {}", kind.key()), message)
    }

    fn status(step: &str, status: StatusCode) -> Self {
        Failure {
            status: Some(status),
            ..Failure::new(
                ErrorKind::HttpStatus,
                format!("{step}: HTTP {}", status.as_u16()),
                format!("{step}: HTTP {status}"),
            )
        }
    }

    /// The token was rejected.
    fn unauthorized(&self) -> bool {
        self.status == Some(StatusCode::UNAUTHORIZED)
    }

    /// A refusal that trying again will not change (a 4xx other than 408
    /// and 429), e.g. a wrong password.
    fn is_final(&self) -> bool {
        self.status.is_some_and(|s| {
            s.is_client_error()
                && s != StatusCode::REQUEST_TIMEOUT
                && s != StatusCode::TOO_MANY_REQUESTS
        })
    }
}

// ---------------------------------------------------------------- statistics

/// What happened in one second of the load.
#[derive(Debug, Default, Clone, Copy)]
struct Second {
    accepted: u64,
    completed: u64,
    errors: u64,
}

/// Requests and errors of one target URL.
#[derive(Debug, Default, Clone)]
struct TargetStats {
    requests: u64,
    errors: u64,
    by_kind: BTreeMap<ErrorKind, u64>,
}

/// One accepted analysis, for `--ids-out`.
#[derive(Debug)]
struct Accepted {
    /// When its POST was accepted, seconds since the start of the load.
    at_s: f64,
    analysis: String,
    task: String,
    /// COMPLETED, FAILED or unfinished.
    status: &'static str,
}

/// What one client measured.
#[derive(Debug, Default)]
struct Stats {
    /// Round trips POST → result, µs.
    round_trip: Vec<u32>,
    /// Single successful requests, µs.
    post: Vec<u32>,
    poll: Vec<u32>,
    get: Vec<u32>,
    /// How late paced starts were, µs.
    start_lag: Vec<u32>,
    /// Analyses that ended with the expected status.
    completed: u64,
    accepted: u64,
    unfinished: u64,
    relogins: u64,
    /// Paced starts skipped (too far behind the schedule).
    skipped: u64,
    outcomes: BTreeMap<&'static str, u64>,
    /// Completed analyses by flow index.
    per_flow: BTreeMap<usize, u64>,
    errors: BTreeMap<ErrorKind, u64>,
    error_details: BTreeMap<String, u64>,
    samples: Vec<String>,
    /// By target URL (same order as the URLs).
    targets: Vec<TargetStats>,
    /// By second since the start of the load.
    timeline: Vec<Second>,
    first_error_s: Option<f64>,
    last_error_s: Option<f64>,
    ids: Vec<Accepted>,
}

impl Stats {
    fn new(targets: usize) -> Self {
        Stats {
            targets: vec![TargetStats::default(); targets],
            ..Stats::default()
        }
    }

    /// The timeline's entry of the second `at_s` falls in.
    fn second(&mut self, at_s: f64) -> &mut Second {
        let i = (at_s.max(0.0) as usize).min(TIMELINE_MAX);
        if self.timeline.len() <= i {
            self.timeline.resize(i + 1, Second::default());
        }
        &mut self.timeline[i]
    }

    /// Count an error that happened `at_s` seconds after the start of the
    /// load (0 for errors before it: logins, the host list).
    fn fail(&mut self, f: Failure, at_s: f64) {
        *self.errors.entry(f.kind).or_default() += 1;
        *self.error_details.entry(f.detail).or_default() += 1;
        if self.samples.len() < ERROR_SAMPLES {
            self.samples.push(format!("at {at_s:.3} s: {}", f.message));
        }
        if let Some(t) = f.target.and_then(|i| self.targets.get_mut(i)) {
            t.errors += 1;
            *t.by_kind.entry(f.kind).or_default() += 1;
        }
        self.second(at_s).errors += 1;
        self.first_error_s = Some(self.first_error_s.map_or(at_s, |x| x.min(at_s)));
        self.last_error_s = Some(self.last_error_s.map_or(at_s, |x| x.max(at_s)));
    }

    fn merge(&mut self, o: Stats) {
        self.round_trip.extend(o.round_trip);
        self.post.extend(o.post);
        self.poll.extend(o.poll);
        self.get.extend(o.get);
        self.start_lag.extend(o.start_lag);
        self.completed += o.completed;
        self.accepted += o.accepted;
        self.unfinished += o.unfinished;
        self.relogins += o.relogins;
        self.skipped += o.skipped;
        for (k, v) in o.outcomes {
            *self.outcomes.entry(k).or_default() += v;
        }
        for (k, v) in o.per_flow {
            *self.per_flow.entry(k).or_default() += v;
        }
        for (k, v) in o.errors {
            *self.errors.entry(k).or_default() += v;
        }
        for (k, v) in o.error_details {
            *self.error_details.entry(k).or_default() += v;
        }
        for s in o.samples {
            if self.samples.len() < ERROR_SAMPLES {
                self.samples.push(s);
            }
        }
        if self.targets.len() < o.targets.len() {
            self.targets.resize(o.targets.len(), TargetStats::default());
        }
        for (mine, theirs) in self.targets.iter_mut().zip(o.targets) {
            mine.requests += theirs.requests;
            mine.errors += theirs.errors;
            for (k, v) in theirs.by_kind {
                *mine.by_kind.entry(k).or_default() += v;
            }
        }
        if self.timeline.len() < o.timeline.len() {
            self.timeline.resize(o.timeline.len(), Second::default());
        }
        for (mine, theirs) in self.timeline.iter_mut().zip(o.timeline) {
            mine.accepted += theirs.accepted;
            mine.completed += theirs.completed;
            mine.errors += theirs.errors;
        }
        if let Some(t) = o.first_error_s {
            self.first_error_s = Some(self.first_error_s.map_or(t, |m| m.min(t)));
        }
        if let Some(t) = o.last_error_s {
            self.last_error_s = Some(self.last_error_s.map_or(t, |m| m.max(t)));
        }
        self.ids.extend(o.ids);
    }

    fn error_total(&self) -> u64 {
        self.errors.values().sum()
    }
}

fn micros(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

// ---------------------------------------------------------------- requests

#[derive(Deserialize)]
struct Envelope<T> {
    response: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    flow_analysis_id: String,
    task_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TaskView {
    end_time: Option<i64>,
}

#[derive(Deserialize)]
struct ResultView {
    request: RequestView,
}

#[derive(Deserialize)]
struct RequestView {
    status: String,
}

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(rename = "Token")]
    token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HostView {
    host_ip: Option<String>,
}

/// Read a JSON answer of the expected status.
async fn answer<T: serde::de::DeserializeOwned>(
    step: &str,
    sent: Result<reqwest::Response, reqwest::Error>,
    expect: StatusCode,
) -> Result<T, Failure> {
    let resp = sent.map_err(|e| Failure::from_reqwest(step, &e))?;
    if resp.status() != expect {
        let status = resp.status();
        // Drain the body so the connection can be reused.
        let _ = resp.bytes().await;
        return Err(Failure::status(step, status));
    }
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| Failure::from_reqwest(step, &e))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Failure::new(
            ErrorKind::BadResponse,
            format!("{step}: bad_response"),
            format!("{step}: unexpected answer: {e}"),
        )
    })
}

/// One request to the next target URL (counted there), answered within
/// [`REQUEST_TIMEOUT`] and before `until`. `build` makes the request from
/// the client and the base URL.
async fn call<T: serde::de::DeserializeOwned>(
    targets: &Targets,
    st: &mut Stats,
    step: &str,
    expect: StatusCode,
    until: Instant,
    build: impl FnOnce(&reqwest::Client, &str) -> reqwest::RequestBuilder,
) -> Result<T, Failure> {
    let left = until
        .saturating_duration_since(Instant::now())
        .min(REQUEST_TIMEOUT);
    if left.is_zero() {
        return Err(Failure::new(
            ErrorKind::Timeout,
            format!("{step}: timeout"),
            format!("{step}: no time left"),
        ));
    }
    let i = targets.pick();
    if let Some(t) = st.targets.get_mut(i) {
        t.requests += 1;
    }
    let base = targets.bases.get(i).map_or("", String::as_str);
    let sent = build(&targets.http, base).timeout(left).send().await;
    answer(step, sent, expect).await.map_err(|f| Failure {
        target: Some(i),
        ..f
    })
}

async fn login(
    targets: &Targets,
    st: &mut Stats,
    user: &str,
    password: &str,
    until: Instant,
) -> Result<String, Failure> {
    call::<TokenAnswer>(targets, st, "login", StatusCode::OK, until, |http, base| {
        http.post(format!("{base}/api/system/v1/auth/token"))
            .basic_auth(user, Some(password))
    })
    .await
    .map(|a| a.token)
    .map_err(|f| Failure {
        kind: ErrorKind::Login,
        ..f
    })
}

/// Pauses after failed requests: [`BACKOFF_FIRST`], doubling up to
/// [`BACKOFF_MAX`] while errors continue.
#[derive(Debug)]
struct Backoff {
    next: Duration,
}

impl Backoff {
    fn new() -> Self {
        Backoff {
            next: BACKOFF_FIRST,
        }
    }

    fn reset(&mut self) {
        self.next = BACKOFF_FIRST;
    }

    /// The pause to make now; the next one is twice as long.
    fn step(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(BACKOFF_MAX);
        d
    }

    /// Pause (never past `until`).
    async fn pause(&mut self, until: Instant) {
        let wake = (Instant::now() + self.step()).min(until);
        tokio::time::sleep_until(wake).await;
    }
}

/// A client's first login: failures other than a refusal (a replica down, a
/// timeout) are counted and tried again on the next URL until `until`.
async fn first_login(
    targets: Arc<Targets>,
    user: String,
    password: String,
    until: Instant,
) -> (Option<String>, Stats) {
    let mut st = Stats::new(targets.bases.len());
    let mut backoff = Backoff::new();
    loop {
        match login(&targets, &mut st, &user, &password, until).await {
            Ok(token) => return (Some(token), st),
            Err(f) => {
                let refused = f.is_final();
                st.fail(f, 0.0);
                if refused || Instant::now() >= until {
                    return (None, st);
                }
                backoff.pause(until).await;
            }
        }
    }
}

/// The server's host addresses (`GET /api/v1/host`, page by page), sorted,
/// without repeats. Failed requests are counted and tried again until
/// `until`; `Err` says why the list could not be read.
async fn fetch_hosts(
    targets: &Targets,
    st: &mut Stats,
    token: &str,
    until: Instant,
) -> Result<Vec<IpAddr>, String> {
    let mut hosts = Vec::new();
    let mut backoff = Backoff::new();
    let mut offset = 1;
    for _ in 0..HOST_PAGES_MAX {
        let page = loop {
            let got = call::<Envelope<Vec<HostView>>>(
                targets,
                st,
                "GET host",
                StatusCode::OK,
                until,
                |http, base| {
                    http.get(format!(
                        "{base}/api/v1/host?offset={offset}&limit={HOST_PAGE}"
                    ))
                    .header("x-auth-token", token)
                },
            )
            .await;
            match got {
                Ok(p) => {
                    backoff.reset();
                    break p.response;
                }
                Err(f) => {
                    let message = f.message.clone();
                    let give_up = f.is_final();
                    st.fail(f, 0.0);
                    if give_up || Instant::now() >= until {
                        return Err(format!("the host list could not be read: {message}"));
                    }
                    backoff.pause(until).await;
                }
            }
        };
        let len = page.len();
        for h in page {
            let ip = h
                .host_ip
                .ok_or_else(|| "GET /api/v1/host: a host without hostIp".to_string())?;
            hosts
                .push(ip.parse::<IpAddr>().map_err(|_| {
                    format!("GET /api/v1/host: hostIp {ip:?} is not an IP address")
                })?);
        }
        if len < HOST_PAGE {
            break;
        }
        offset += HOST_PAGE;
    }
    hosts.sort_unstable();
    hosts.dedup();
    Ok(hosts)
}

/// Sleep `d`: tokio's timer has a 1 ms grain, so shorter pauses sleep on a
/// blocking thread instead (a 200 µs pause must not become 1 ms).
async fn sleep(d: Duration) {
    if d < Duration::from_millis(1)
        && tokio::task::spawn_blocking(move || std::thread::sleep(d))
            .await
            .is_ok()
    {
        return;
    }
    tokio::time::sleep(d).await;
}

/// `start + secs`, `None` when that is not representable.
fn offset_instant(start: Instant, secs: f64) -> Option<Instant> {
    Duration::try_from_secs_f64(secs)
        .ok()
        .and_then(|d| start.checked_add(d))
}

/// COMPLETED and FAILED, the final statuses of an analysis.
fn final_status(status: &str) -> Option<&'static str> {
    match status {
        "COMPLETED" => Some("COMPLETED"),
        "FAILED" => Some("FAILED"),
        _ => None,
    }
}

// ---------------------------------------------------------------- the load

/// What every client task shares.
#[derive(Debug)]
struct Shared {
    targets: Arc<Targets>,
    user: String,
    password: String,
    flows: Vec<FlowSpec>,
    bodies: Vec<String>,
    /// Analyses started so far (the next analysis' index).
    started: AtomicU64,
    /// The next paced start's slot in the schedule.
    next_slot: AtomicU64,
    count: u64,
    /// Load start.
    start: Instant,
    /// No analysis starts at or after this.
    deadline: Instant,
    /// Nothing runs past this (analyses still open then are unfinished).
    drain_deadline: Instant,
    /// Seconds between two analysis starts (`None`: no pacing).
    interval: Option<f64>,
    /// The time an accepted analysis has to reach its final status.
    analysis_timeout: Duration,
    /// Whether accepted analyses are listed (`--ids-out`; about 150 bytes each).
    keep_ids: bool,
}

impl Shared {
    /// Seconds since the start of the load.
    fn now_s(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }
}

/// One simulated client: its token, its pauses after errors, its measures.
struct Client {
    sh: Arc<Shared>,
    token: String,
    backoff: Backoff,
    st: Stats,
}

impl Client {
    fn new(sh: Arc<Shared>, token: String) -> Self {
        let st = Stats::new(sh.targets.bases.len());
        Client {
            sh,
            token,
            backoff: Backoff::new(),
            st,
        }
    }

    /// The loop after the login.
    async fn run(mut self) -> Stats {
        while let Some(i) = self.next_start().await {
            let flow = (i % self.sh.flows.len().max(1) as u64) as usize;
            self.analysis(flow).await;
        }
        self.st
    }

    /// The index of the next analysis to start, when it is time (paced);
    /// `None` when the load is over.
    async fn next_start(&mut self) -> Option<u64> {
        let sh = Arc::clone(&self.sh);
        loop {
            if Instant::now() >= sh.deadline || sh.started.load(Ordering::Relaxed) >= sh.count {
                return None;
            }
            if let Some(interval) = sh.interval {
                let slot = sh.next_slot.fetch_add(1, Ordering::Relaxed);
                let at = offset_instant(sh.start, interval * slot as f64)?;
                if at >= sh.deadline {
                    return None;
                }
                let now = Instant::now();
                if now > at + MAX_LAG {
                    // Far behind the schedule: resume at the current slot
                    // instead of bursting to catch up.
                    let current = ((now - sh.start).as_secs_f64() / interval) as u64;
                    let before = sh.next_slot.fetch_max(current, Ordering::Relaxed);
                    self.st.skipped += 1 + current.saturating_sub(before);
                    continue;
                }
                tokio::time::sleep_until(at).await;
                self.st
                    .start_lag
                    .push(micros(Instant::now().saturating_duration_since(at)));
            }
            let i = sh.started.fetch_add(1, Ordering::Relaxed);
            return (i < sh.count).then_some(i);
        }
    }

    /// After a failed request: count it, then log in again (token rejected)
    /// or pause (never past `until`).
    async fn setback(&mut self, f: Failure, until: Instant) {
        let unauthorized = f.unauthorized();
        self.st.fail(f, self.sh.now_s());
        if unauthorized {
            self.relogin(until).await;
        } else {
            self.backoff.pause(until).await;
        }
    }

    /// Log in again, trying until `until`.
    async fn relogin(&mut self, until: Instant) {
        let sh = Arc::clone(&self.sh);
        self.st.relogins += 1;
        while Instant::now() < until {
            match login(&sh.targets, &mut self.st, &sh.user, &sh.password, until).await {
                Ok(token) => {
                    self.token = token;
                    self.backoff.reset();
                    return;
                }
                Err(f) => {
                    self.st.fail(f, sh.now_s());
                    self.backoff.pause(until).await;
                }
            }
        }
    }

    /// One analysis: POST; once accepted, its final status (polls, GET).
    async fn analysis(&mut self, flow: usize) {
        let sh = Arc::clone(&self.sh);
        let Some(spec) = sh.flows.get(flow) else {
            return;
        };
        let body = sh.bodies.get(flow).cloned().unwrap_or_default();
        let t0 = Instant::now();
        let token = &self.token;
        let sent = call::<Envelope<Created>>(
            &sh.targets,
            &mut self.st,
            "POST flow-analysis",
            StatusCode::ACCEPTED,
            sh.drain_deadline,
            |http, base| {
                http.post(format!("{base}/api/v1/flow-analysis"))
                    .header("x-auth-token", token)
                    .header("content-type", "application/json")
                    .body(body)
            },
        )
        .await;
        let created = match sent {
            Ok(c) => c.response,
            Err(f) => {
                self.setback(f, sh.deadline).await;
                return;
            }
        };
        let accepted = Instant::now();
        self.st.post.push(micros(accepted - t0));
        self.backoff.reset();
        self.st.accepted += 1;
        let accepted_s = accepted.saturating_duration_since(sh.start).as_secs_f64();
        self.st.second(accepted_s).accepted += 1;
        let limit = (accepted + sh.analysis_timeout).min(sh.drain_deadline);
        let status = self.follow(&created, limit).await;
        let done = Instant::now();
        if sh.keep_ids {
            self.st.ids.push(Accepted {
                at_s: accepted_s,
                analysis: created.flow_analysis_id.clone(),
                task: created.task_id.clone(),
                status: status.unwrap_or("unfinished"),
            });
        }
        let id = &created.flow_analysis_id;
        let Some(status) = status else {
            self.st.unfinished += 1;
            self.st.fail(
                Failure::new(
                    ErrorKind::Unfinished,
                    "analysis: unfinished",
                    format!(
                        "flow {}: analysis {id} (task {}) not COMPLETED or FAILED within {:.3} s of its acceptance",
                        spec.name,
                        created.task_id,
                        limit.saturating_duration_since(accepted).as_secs_f64()
                    ),
                ),
                sh.now_s(),
            );
            return;
        };
        self.st.round_trip.push(micros(done - t0));
        if spec.expect.accepts(status) {
            self.st.completed += 1;
            *self.st.outcomes.entry(status).or_default() += 1;
            *self.st.per_flow.entry(flow).or_default() += 1;
            self.st.second(sh.now_s()).completed += 1;
        } else {
            self.st.fail(
                Failure::new(
                    ErrorKind::UnexpectedOutcome,
                    format!("{}: {status}", spec.name),
                    format!(
                        "flow {}: status {status}, expected {} (analysis {id})",
                        spec.describe(),
                        spec.expect.label()
                    ),
                ),
                sh.now_s(),
            );
        }
    }

    /// Poll an accepted analysis' task until it ends, then read its result:
    /// its final status, or `None` if it was not seen final before `limit`.
    async fn follow(&mut self, created: &Created, limit: Instant) -> Option<&'static str> {
        let sh = Arc::clone(&self.sh);
        let task_path = format!("/api/v1/task/{}", created.task_id);
        let mut pause = Duration::ZERO;
        loop {
            let d = pause.min(limit.saturating_duration_since(Instant::now()));
            if !d.is_zero() {
                sleep(d).await;
            }
            if Instant::now() >= limit {
                return None;
            }
            pause = (pause * 2).clamp(POLL_FIRST, POLL_MAX);
            let t = Instant::now();
            let token = &self.token;
            let got = call::<Envelope<TaskView>>(
                &sh.targets,
                &mut self.st,
                "GET task",
                StatusCode::OK,
                limit,
                |http, base| {
                    http.get(format!("{base}{task_path}"))
                        .header("x-auth-token", token)
                },
            )
            .await;
            match got {
                Ok(task) => {
                    self.st.poll.push(micros(t.elapsed()));
                    self.backoff.reset();
                    if task.response.end_time.is_some() {
                        break;
                    }
                }
                Err(f) => {
                    self.setback(f, limit).await;
                    pause = Duration::ZERO;
                }
            }
        }
        let result_path = format!("/api/v1/flow-analysis/{}", created.flow_analysis_id);
        loop {
            if Instant::now() >= limit {
                return None;
            }
            let t = Instant::now();
            let token = &self.token;
            let got = call::<Envelope<ResultView>>(
                &sh.targets,
                &mut self.st,
                "GET flow-analysis",
                StatusCode::OK,
                limit,
                |http, base| {
                    http.get(format!("{base}{result_path}"))
                        .header("x-auth-token", token)
                },
            )
            .await;
            match got {
                Ok(result) => {
                    self.st.get.push(micros(t.elapsed()));
                    self.backoff.reset();
                    if let Some(s) = final_status(&result.response.request.status) {
                        return Some(s);
                    }
                    // The task ended but the result is not final yet (a
                    // replica behind): read again shortly.
                    let d = POLL_MAX.min(limit.saturating_duration_since(Instant::now()));
                    sleep(d).await;
                }
                Err(f) => self.setback(f, limit).await,
            }
        }
    }
}

// ---------------------------------------------------------------- memory

/// A process's resident memory, KiB, from `/proc/PID/status`. `Err` says
/// why there is none (no such process, a zombie or kernel thread, no /proc).
fn rss_kib(pid: u32) -> Result<u64, String> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!("no such process ({path} does not exist)")
        } else {
            format!("{path}: {e}")
        }
    })?;
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .ok_or_else(|| format!("{path} has no VmRSS (a zombie or a kernel thread)"))?;
    line.trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .map_err(|_| format!("{path}: unreadable VmRSS {:?}", line.trim()))
}

/// The memory of one watched process.
#[derive(Debug)]
struct Watched {
    pid: u32,
    first_kib: Option<u64>,
    min_kib: Option<u64>,
    max_kib: Option<u64>,
    last_kib: Option<u64>,
    samples: u64,
    /// (second, KiB) every `--watch-every` seconds.
    series: Vec<(u64, u64)>,
    /// When the process was first found gone, seconds since the start of the load.
    gone_at_s: Option<f64>,
}

impl Watched {
    fn new(pid: u32) -> Self {
        Watched {
            pid,
            first_kib: None,
            min_kib: None,
            max_kib: None,
            last_kib: None,
            samples: 0,
            series: Vec::new(),
            gone_at_s: None,
        }
    }

    /// Take a sample (put in the series at second `series_at`, if given).
    fn sample(&mut self, start: Instant, series_at: Option<u64>) {
        if self.gone_at_s.is_some() {
            return;
        }
        let Ok(kib) = rss_kib(self.pid) else {
            self.gone_at_s = Some(start.elapsed().as_secs_f64());
            return;
        };
        self.first_kib.get_or_insert(kib);
        self.min_kib = Some(self.min_kib.map_or(kib, |m| m.min(kib)));
        self.max_kib = Some(self.max_kib.map_or(kib, |m| m.max(kib)));
        self.last_kib = Some(kib);
        self.samples += 1;
        if let Some(t) = series_at {
            self.series.push((t, kib));
        }
    }
}

/// Sample the processes' memory every second from `start` until `stop`
/// fires (then once more).
async fn watch(
    pids: Vec<u32>,
    every: u64,
    start: Instant,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) -> Vec<Watched> {
    let mut watched: Vec<Watched> = pids.into_iter().map(Watched::new).collect();
    let mut second = 0u64;
    loop {
        let in_series = second.is_multiple_of(every.max(1)).then_some(second);
        for w in &mut watched {
            w.sample(start, in_series);
        }
        second += 1;
        let next = start + Duration::from_secs(second);
        if tokio::time::timeout_at(next, &mut stop).await.is_ok() {
            break;
        }
    }
    for w in &mut watched {
        w.sample(start, None);
    }
    watched
}

fn mib(kib: Option<u64>) -> Value {
    kib.map_or(Value::Null, |k| json!(round1(k as f64 / 1024.0)))
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

// ---------------------------------------------------------------- report

/// Nearest-rank percentile of sorted µs values, in ms.
fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len() as f64).ceil().max(1.0) as usize;
    f64::from(sorted[rank.min(sorted.len()) - 1]) / 1000.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// `{p50, p90, p99, max, mean}` in ms of µs samples (sorted in place).
fn summary(v: &mut [u32], full: bool) -> Value {
    v.sort_unstable();
    let mean = if v.is_empty() {
        0.0
    } else {
        v.iter().map(|&x| f64::from(x)).sum::<f64>() / v.len() as f64 / 1000.0
    };
    if full {
        json!({
            "p50": round3(percentile(v, 0.50)),
            "p90": round3(percentile(v, 0.90)),
            "p99": round3(percentile(v, 0.99)),
            "max": round3(percentile(v, 1.0)),
            "mean": round3(mean),
            "n": v.len(),
        })
    } else {
        json!({
            "p50": round3(percentile(v, 0.50)),
            "p99": round3(percentile(v, 0.99)),
            "n": v.len(),
        })
    }
}

// ---------------------------------------------------------------- main

/// Where the flows come from.
#[derive(Debug)]
enum FlowSource {
    /// The built-in mix over the demo network.
    Demo,
    /// A flows file, parsed.
    File { path: String, flows: Vec<FlowSpec> },
    /// N pairs of the server's hosts.
    Hosts(u32),
}

/// Everything checked before a connection is made.
#[derive(Debug)]
struct Plan {
    urls: Vec<Url>,
    password: String,
    duration: Duration,
    rate: f64,
    analysis_timeout: Duration,
    flows: FlowSource,
}

/// Parse and check everything that needs no connection. `Err` is a usage error.
fn validate(args: &LoadgenArgs) -> Result<Plan, String> {
    let mut urls = Vec::new();
    for raw in &args.urls {
        let raw = raw.trim();
        let url = Url::parse(raw).map_err(|e| format!("--url {raw:?}: {e}"))?;
        check_target(&url)?;
        urls.push(url);
    }
    if urls.is_empty() {
        return Err("--url: no URL given".into());
    }
    if !args.duration.is_finite() || args.duration <= 0.0 {
        return Err(format!(
            "--duration must be a positive number of seconds, got {}",
            args.duration
        ));
    }
    if !args.rate.is_finite() || args.rate < 0.0 {
        return Err(format!(
            "--rate must be 0 (as fast as possible) or a positive number, got {}",
            args.rate
        ));
    }
    if !args.analysis_timeout.is_finite()
        || args.analysis_timeout <= 0.0
        || args.analysis_timeout > MAX_ANALYSIS_TIMEOUT_S
    {
        return Err(format!(
            "--analysis-timeout must be a number of seconds above 0 and at most {MAX_ANALYSIS_TIMEOUT_S}, got {}",
            args.analysis_timeout
        ));
    }
    let duration = Duration::from_secs_f64(args.duration.min(MAX_DURATION.as_secs_f64()));
    if args.duration > MAX_DURATION.as_secs_f64() {
        eprintln!(
            "loadgen: --duration {} is above the cap: {} s",
            args.duration,
            MAX_DURATION.as_secs()
        );
    }
    // The targets are loopback (checked above), so the demo password may be the default.
    let password = match std::env::var(&args.password_env) {
        Ok(p) => p,
        Err(std::env::VarError::NotPresent) => pathtrace_server::config::DEMO_USER.1.to_string(),
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(format!("{}: not valid UTF-8", args.password_env));
        }
    };
    let flows = if let Some(path) = &args.flows {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
        let flows = parse_flows(&text, &shown)?;
        FlowSource::File { path: shown, flows }
    } else if let Some(n) = args.flows_from_hosts {
        FlowSource::Hosts(n)
    } else {
        FlowSource::Demo
    };
    for &pid in &args.watch_pids {
        rss_kib(pid).map_err(|e| format!("--watch-pid {pid}: {e}"))?;
    }
    Ok(Plan {
        urls,
        password,
        duration,
        rate: args.rate,
        analysis_timeout: Duration::from_secs_f64(args.analysis_timeout),
        flows,
    })
}

fn http_client(urls: &[Url], clients: u32, insecure: bool) -> reqwest::Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        // Never through a proxy, never redirected: every request goes to a checked host.
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .tcp_nodelay(true)
        .pool_max_idle_per_host(clients as usize)
        .pool_idle_timeout(Duration::from_secs(90))
        .connect_timeout(Duration::from_secs(5))
        .timeout(REQUEST_TIMEOUT);
    if urls.iter().any(|u| {
        u.host_str()
            .is_some_and(|h| h.eq_ignore_ascii_case("localhost"))
    }) {
        // `localhost` is pinned: a resolver cannot send the load elsewhere.
        // Port 0: each URL's own port is used.
        b = b.resolve(
            "localhost",
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
        );
    }
    if insecure {
        b = b.danger_accept_invalid_certs(true);
    }
    b.build()
}

/// A run that ended without a report: the exit code and the message.
#[derive(Debug)]
struct Stop {
    code: u8,
    message: String,
}

/// `pathtrace loadgen`.
pub fn main(args: &LoadgenArgs) -> ExitCode {
    let plan = match validate(args) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // Created (or truncated) now: a path that cannot be written is known
    // before the load, not after it.
    let ids_file = match &args.ids_out {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Some((path, f)),
            Err(e) => {
                eprintln!("error: --ids-out {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    // One thread: the load generator shares the machine with the server, and
    // a single-threaded runtime has no cross-thread wake-ups to pay for.
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
    let http = match http_client(&plan.urls, args.clients, args.insecure) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: HTTP client: {e}");
            return ExitCode::from(3);
        }
    };
    let (report, ids) = match rt.block_on(run(args, &plan, http)) {
        Ok(v) => v,
        Err(stop) => {
            eprintln!("error: {}", stop.message);
            return ExitCode::from(stop.code);
        }
    };
    match args.format {
        ReportFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(3);
            }
        },
        ReportFormat::Text => print!("{}", text(&report)),
    }
    if let Some((path, file)) = ids_file
        && let Err(e) = write_ids(file, &ids)
    {
        eprintln!("error: --ids-out {}: {e}", path.display());
        return ExitCode::from(3);
    }
    if report["errors"]["total"].as_u64() == Some(0) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `ANALYSIS_ID TASK_ID FINAL_STATUS`, one line per accepted analysis.
fn write_ids(file: std::fs::File, ids: &[Accepted]) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(file);
    for a in ids {
        writeln!(w, "{} {} {}", a.analysis, a.task, a.status)?;
    }
    w.flush()
}

/// The flow set: its name and flows. Reading the host list needs a token.
async fn build_flow_set(
    plan: &Plan,
    targets: &Targets,
    stats: &mut Stats,
    token: Option<&str>,
    until: Instant,
) -> Result<(String, Vec<FlowSpec>), Stop> {
    match &plan.flows {
        FlowSource::Demo => Ok(("demo mix".into(), demo_flows())),
        FlowSource::File { path, flows } => Ok((format!("file {path}"), flows.clone())),
        FlowSource::Hosts(n) => {
            let Some(token) = token else {
                return Ok((
                    format!("{n} host pairs (not built: no client logged in)"),
                    Vec::new(),
                ));
            };
            let hosts = fetch_hosts(targets, stats, token, until)
                .await
                .map_err(|e| Stop {
                    code: 1,
                    message: format!("--flows-from-hosts: {e}"),
                })?;
            let pairs = host_pairs(hosts.len(), *n as usize, HOST_SEED).map_err(|e| Stop {
                code: 2,
                message: format!("--flows-from-hosts {n}: {e}"),
            })?;
            Ok((
                format!(
                    "{n} host pairs of {} hosts (GET /api/v1/host, seed {HOST_SEED:#x})",
                    hosts.len()
                ),
                host_flows(&hosts, &pairs),
            ))
        }
    }
}

async fn run(
    args: &LoadgenArgs,
    plan: &Plan,
    http: reqwest::Client,
) -> Result<(Value, Vec<Accepted>), Stop> {
    let run_start = Instant::now();
    let hard_end = run_start + plan.duration + HARD_CAP_MARGIN;
    let targets = Arc::new(Targets {
        http,
        bases: plan
            .urls
            .iter()
            .map(|u| u.as_str().trim_end_matches('/').to_string())
            .collect(),
        next: AtomicU64::new(0),
    });

    // Phase 1: every client logs in once (argon2 on the server: not part of the load).
    let login_until = (run_start + LOGIN_TIMEOUT).min(hard_end);
    let mut logins = tokio::task::JoinSet::new();
    for _ in 0..args.clients {
        logins.spawn(first_login(
            Arc::clone(&targets),
            args.user.clone(),
            plan.password.clone(),
            login_until,
        ));
    }
    let mut stats = Stats::new(plan.urls.len());
    let mut tokens = Vec::new();
    while let Some(r) = logins.join_next().await {
        match r {
            Ok((token, st)) => {
                stats.merge(st);
                tokens.extend(token);
            }
            Err(e) => stats.fail(
                Failure::new(ErrorKind::Login, "login: task", e.to_string()),
                0.0,
            ),
        }
    }
    let hosts_until = (Instant::now() + LOGIN_TIMEOUT).min(hard_end);
    let (flow_set, flows) = build_flow_set(
        plan,
        &targets,
        &mut stats,
        tokens.first().map(String::as_str),
        hosts_until,
    )
    .await?;

    // Phase 2: the load.
    let start = Instant::now();
    let deadline = (start + plan.duration).min(hard_end);
    let sh = Arc::new(Shared {
        targets: Arc::clone(&targets),
        user: args.user.clone(),
        password: plan.password.clone(),
        bodies: flows.iter().map(FlowSpec::body).collect(),
        flows,
        started: AtomicU64::new(0),
        next_slot: AtomicU64::new(0),
        count: args.count,
        start,
        deadline,
        drain_deadline: (deadline + plan.analysis_timeout).min(hard_end),
        interval: (plan.rate > 0.0).then(|| 1.0 / plan.rate),
        analysis_timeout: plan.analysis_timeout,
        keep_ids: args.ids_out.is_some(),
    });
    let (stop_watch, stopped) = tokio::sync::oneshot::channel();
    let watcher = (!args.watch_pids.is_empty()).then(|| {
        tokio::spawn(watch(
            args.watch_pids.clone(),
            args.watch_every,
            start,
            stopped,
        ))
    });
    let logged_in = tokens.len();
    let mut tasks = tokio::task::JoinSet::new();
    if !sh.flows.is_empty() {
        for token in tokens {
            tasks.spawn(Client::new(Arc::clone(&sh), token).run());
        }
    }
    while let Some(r) = tasks.join_next().await {
        match r {
            Ok(s) => stats.merge(s),
            Err(e) => stats.fail(
                Failure::new(ErrorKind::Transport, "client: task", e.to_string()),
                sh.now_s(),
            ),
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let _ = stop_watch.send(());
    let watched = match watcher {
        Some(w) => w.await.unwrap_or_default(),
        None => Vec::new(),
    };
    let started = sh.started.load(Ordering::Relaxed).min(args.count);
    let stopped_by = if logged_in == 0 {
        "login"
    } else if started >= args.count {
        "count"
    } else {
        "duration"
    };

    let seconds = (wall.ceil() as usize).clamp(1, TIMELINE_MAX + 1);
    if stats.timeline.len() < seconds {
        stats.timeline.resize(seconds, Second::default());
    }
    let mut per_flow: BTreeMap<&str, u64> = BTreeMap::new();
    for (&i, &n) in &stats.per_flow {
        if let Some(f) = sh.flows.get(i) {
            *per_flow.entry(f.name.as_str()).or_default() += n;
        }
    }
    let polls = stats.poll.len();
    let analyses_seen = stats.round_trip.len();
    let per_url: Vec<Value> = plan
        .urls
        .iter()
        .zip(&stats.targets)
        .map(|(u, t)| {
            json!({
                "url": u.as_str(),
                "requests": t.requests,
                "errors": t.errors,
                "errors_by_kind": t.by_kind.iter().map(|(k, v)| (k.key(), *v)).collect::<BTreeMap<_, _>>(),
            })
        })
        .collect();
    let timeline: Vec<Value> = stats
        .timeline
        .iter()
        .enumerate()
        .map(|(s, x)| json!({"s": s, "accepted": x.accepted, "completed": x.completed, "errors": x.errors}))
        .collect();
    let watch: Vec<Value> = watched
        .iter()
        .map(|w| {
            json!({
                "pid": w.pid,
                "first_mib": mib(w.first_kib),
                "min_mib": mib(w.min_kib),
                "max_mib": mib(w.max_kib),
                "last_mib": mib(w.last_kib),
                "samples": w.samples,
                "every_s": args.watch_every,
                "series": w.series.iter().map(|&(t, k)| json!({"t_s": t, "rss_mib": mib(Some(k))})).collect::<Vec<_>>(),
                "gone_at_s": w.gone_at_s.map(round3),
            })
        })
        .collect();
    let report = json!({
        "url": plan.urls.iter().map(Url::as_str).collect::<Vec<_>>().join(","),
        "urls": plan.urls.iter().map(Url::as_str).collect::<Vec<_>>(),
        "clients": args.clients,
        "clients_logged_in": logged_in,
        "rate": plan.rate,
        "count_limit": args.count,
        "duration_limit_s": plan.duration.as_secs_f64(),
        "analysis_timeout_s": plan.analysis_timeout.as_secs_f64(),
        "flow_set": flow_set,
        "flows": sh.flows.len(),
        "stopped_by": stopped_by,
        "started": started,
        "accepted": stats.accepted,
        "completed": stats.completed,
        "unfinished": stats.unfinished,
        "relogins": stats.relogins,
        "skipped_starts": stats.skipped,
        "outcomes": stats.outcomes,
        "per_flow": per_flow,
        "errors": {
            "total": stats.error_total(),
            "by_kind": stats.errors.iter().map(|(k, v)| (k.key(), *v)).collect::<BTreeMap<_, _>>(),
            "by_detail": stats.error_details,
            "samples": stats.samples,
        },
        "first_error_s": stats.first_error_s.map(round3),
        "last_error_s": stats.last_error_s.map(round3),
        "requests": stats.targets.iter().map(|t| t.requests).sum::<u64>(),
        "per_url": per_url,
        "wall_s": round3(wall),
        "analyses_per_s": round3(if wall > 0.0 { stats.completed as f64 / wall } else { 0.0 }),
        "round_trip_ms": summary(&mut stats.round_trip, true),
        "post_ms": summary(&mut stats.post, false),
        "task_poll_ms": summary(&mut stats.poll, false),
        "get_ms": summary(&mut stats.get, false),
        "start_lag_ms": summary(&mut stats.start_lag, true),
        "polls_per_analysis": round3(if analyses_seen > 0 { polls as f64 / analyses_seen as f64 } else { 0.0 }),
        "timeline": timeline,
        "watch": watch,
        "ids_out": args.ids_out.as_deref().map(|p| p.display().to_string()),
    });
    let mut ids = std::mem::take(&mut stats.ids);
    ids.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    Ok((report, ids))
}

/// The text report.
fn text(r: &Value) -> String {
    use std::fmt::Write as _;
    let f = |v: &Value| v.as_f64().unwrap_or(0.0);
    let mut s = String::new();
    let rate = f(&r["rate"]);
    let _ = writeln!(
        s,
        "pathtrace loadgen: {} — {} clients, {}, stopped by {}",
        r["url"].as_str().unwrap_or(""),
        r["clients"],
        if rate > 0.0 {
            format!("{rate} analyses/s")
        } else {
            "as fast as possible".into()
        },
        r["stopped_by"].as_str().unwrap_or("")
    );
    let _ = writeln!(
        s,
        "flows       {} ({} flows)",
        r["flow_set"].as_str().unwrap_or(""),
        r["flows"]
    );
    let outcomes = r["outcomes"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "analyses    {} completed as expected ({outcomes}), {} errors",
        r["completed"], r["errors"]["total"]
    );
    let _ = writeln!(
        s,
        "accepted    {} of {} started, {} unfinished, {} re-logins{}",
        r["accepted"],
        r["started"],
        r["unfinished"],
        r["relogins"],
        match r["skipped_starts"].as_u64() {
            Some(n) if n > 0 => format!(", {n} paced starts skipped (over 1 s late)"),
            _ => String::new(),
        }
    );
    let _ = writeln!(
        s,
        "wall        {:.3} s, {:.1} analyses/s",
        f(&r["wall_s"]),
        f(&r["analyses_per_s"])
    );
    let rt = &r["round_trip_ms"];
    let _ = writeln!(
        s,
        "round trip  p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms (POST → result)",
        f(&rt["p50"]),
        f(&rt["p90"]),
        f(&rt["p99"]),
        f(&rt["max"])
    );
    for (label, key) in [
        ("POST", "post_ms"),
        ("task poll", "task_poll_ms"),
        ("GET result", "get_ms"),
    ] {
        let _ = writeln!(
            s,
            "{label:<11} p50 {:.3} ms, p99 {:.3} ms ({} requests)",
            f(&r[key]["p50"]),
            f(&r[key]["p99"]),
            r[key]["n"]
        );
    }
    let _ = writeln!(
        s,
        "polls       {:.2} per analysis",
        f(&r["polls_per_analysis"])
    );
    if rate > 0.0 {
        let lag = &r["start_lag_ms"];
        let _ = writeln!(
            s,
            "pacing      starts late by p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            f(&lag["p50"]),
            f(&lag["p99"]),
            f(&lag["max"])
        );
    }
    for t in r["per_url"].as_array().into_iter().flatten() {
        let _ = writeln!(
            s,
            "url         {}: {} requests, {} errors",
            t["url"].as_str().unwrap_or(""),
            t["requests"],
            t["errors"]
        );
    }
    if let Some(kinds) = r["errors"]["by_detail"].as_object() {
        for (k, v) in kinds {
            let _ = writeln!(s, "error       {v} × {k}");
        }
    }
    if let (Some(first), Some(last)) = (r["first_error_s"].as_f64(), r["last_error_s"].as_f64()) {
        let _ = writeln!(
            s,
            "errors      from {first:.3} s to {last:.3} s after the start of the load"
        );
    }
    if let Some(samples) = r["errors"]["samples"].as_array() {
        for m in samples {
            let _ = writeln!(s, "  e.g. {}", m.as_str().unwrap_or(""));
        }
    }
    let m = |v: &Value| {
        v.as_f64()
            .map_or_else(|| "-".to_string(), |x| format!("{x:.1}"))
    };
    for w in r["watch"].as_array().into_iter().flatten() {
        let _ = writeln!(
            s,
            "rss         pid {}: first {} MiB, min {}, max {}, last {} ({} samples){}",
            w["pid"],
            m(&w["first_mib"]),
            m(&w["min_mib"]),
            m(&w["max_mib"]),
            m(&w["last_mib"]),
            w["samples"],
            w["gone_at_s"]
                .as_f64()
                .map(|t| format!(", gone at {t:.1} s"))
                .unwrap_or_default()
        );
    }
    if let Some(path) = r["ids_out"].as_str() {
        let _ = writeln!(
            s,
            "ids         {} accepted analyses listed in {path}",
            r["accepted"]
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(u: &str) -> bool {
        check_target(&Url::parse(u).expect("a URL")).is_ok()
    }

    #[test]
    fn only_loopback_targets_are_allowed() {
        for u in [
            "http://127.0.0.1:8080",
            "http://127.9.8.7:1",
            "https://[::1]:8443/",
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://127.1:8080",
        ] {
            assert!(allowed(u), "{u}");
        }
        for u in [
            "http://192.0.2.1:8080",
            "http://10.0.0.1",
            "http://0.0.0.0:8080",
            "http://[::]:8080",
            "http://[::ffff:10.0.0.1]:8080",
            "http://example.com",
            "http://localhost.example.com",
            "http://127.0.0.1.nip.io",
            "ftp://127.0.0.1/",
            "file:///etc/passwd",
        ] {
            assert!(!allowed(u), "{u}");
        }
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<u32> = (1..=100).map(|x| x * 1000).collect();
        assert!((percentile(&v, 0.5) - 50.0).abs() < 1e-9);
        assert!((percentile(&v, 0.99) - 99.0).abs() < 1e-9);
        assert!((percentile(&v, 1.0) - 100.0).abs() < 1e-9);
        assert!((percentile(&[], 0.5)).abs() < 1e-9);
        assert!((percentile(&[7000], 0.01) - 7.0).abs() < 1e-9);
    }

    #[test]
    fn flow_bodies_are_api_requests() {
        let flows = demo_flows();
        let b: Value = serde_json::from_str(&flows[3].body()).expect("JSON");
        assert_eq!(
            b,
            json!({"sourceIP": "10.1.13.25", "destIP": "10.2.1.22", "protocol": "TCP", "destPort": "23"})
        );
        assert_eq!(
            flows.iter().filter(|f| f.expect == Expect::Failed).count(),
            1
        );
    }

    #[test]
    fn flows_files_are_parsed_with_defaults() {
        let text = "# a comment\n\n10.1.13.25 10.2.1.22 tcp 23 FAILED  # telnet\n\
                    10.1.15.117   10.2.1.22\n10.1.20.11 10.2.1.22 - - completed\n\
                    ::1 ::2 UDP\n";
        let flows = parse_flows(text, "f.txt").expect("valid");
        assert_eq!(flows.len(), 4);
        assert_eq!(flows[0].name, "10.1.13.25 -> 10.2.1.22 TCP/23");
        assert_eq!(flows[0].expect, Expect::Failed);
        assert_eq!(flows[0].protocol, Some("TCP"));
        assert_eq!(flows[0].dst_port, Some(23));
        assert_eq!(flows[1].expect, Expect::Either);
        assert_eq!(flows[1].protocol, None);
        assert_eq!(flows[2].expect, Expect::Completed);
        assert_eq!(flows[3].protocol, Some("UDP"));
        assert!(Expect::Either.accepts("FAILED") && Expect::Either.accepts("COMPLETED"));
    }

    #[test]
    fn flows_file_errors_name_the_line() {
        for (text, line, needle) in [
            ("10.0.0.1\n", 1, "destination is missing"),
            (
                "# x\n10.0.0.1 10.0.0.2\n10.0.0.300 10.0.0.2\n",
                3,
                "SRC \"10.0.0.300\"",
            ),
            ("10.0.0.1 nowhere\n", 1, "DST"),
            ("\n10.0.0.1 10.0.0.2 ICMP\n", 2, "PROTOCOL \"ICMP\""),
            ("10.0.0.1 10.0.0.2 TCP 0\n", 1, "DST_PORT \"0\""),
            ("10.0.0.1 10.0.0.2 TCP 70000\n", 1, "DST_PORT"),
            ("10.0.0.1 10.0.0.2 TCP 22 MAYBE\n", 1, "EXPECT \"MAYBE\""),
            ("10.0.0.1 10.0.0.2 TCP 22 FAILED extra\n", 1, "6 fields"),
        ] {
            let e = parse_flows(text, "f.txt").expect_err(text);
            assert!(e.starts_with(&format!("f.txt:{line}: ")), "{e}");
            assert!(e.contains(needle), "{e}");
        }
        let e = parse_flows("# nothing\n\n", "f.txt").expect_err("empty");
        assert!(e.starts_with("f.txt: no flows"), "{e}");
    }

    #[test]
    fn host_pairs_are_distinct_repeatable_and_bounded() {
        for (hosts, n) in [(14, 5), (14, 182), (14, 100), (1000, 5000), (2, 2)] {
            let a = host_pairs(hosts, n, HOST_SEED).expect("enough pairs");
            let b = host_pairs(hosts, n, HOST_SEED).expect("enough pairs");
            assert_eq!(a, b, "the same seed, the same pairs");
            assert_eq!(a.len(), n);
            assert!(a.iter().all(|&(s, d)| s != d && s < hosts && d < hosts));
            assert_eq!(a.iter().collect::<HashSet<_>>().len(), n, "distinct");
        }
        assert!(host_pairs(14, 183, HOST_SEED).is_err());
        assert!(host_pairs(1, 1, HOST_SEED).is_err());
        assert_ne!(
            host_pairs(1000, 5, 1).expect("pairs"),
            host_pairs(1000, 5, 2).expect("pairs")
        );
    }

    #[test]
    fn backoff_doubles_to_its_cap_and_resets() {
        let mut b = Backoff::new();
        let steps: Vec<u128> = (0..7).map(|_| b.step().as_millis()).collect();
        assert_eq!(steps, [20, 40, 80, 160, 320, 500, 500]);
        b.reset();
        assert_eq!(b.step(), BACKOFF_FIRST);
    }

    #[test]
    fn errors_are_placed_on_the_timeline() {
        let mut a = Stats::new(2);
        a.fail(
            Failure {
                target: Some(1),
                ..Failure::new(ErrorKind::Connection, "x", "y")
            },
            2.5,
        );
        let mut b = Stats::new(2);
        b.fail(Failure::new(ErrorKind::Unfinished, "z", "w"), 0.25);
        b.second(4.0).completed += 1;
        a.merge(b);
        assert_eq!(a.first_error_s, Some(0.25));
        assert_eq!(a.last_error_s, Some(2.5));
        let errors: Vec<u64> = a.timeline.iter().map(|s| s.errors).collect();
        assert_eq!(errors, [1, 0, 1, 0, 0]);
        assert_eq!(a.timeline[4].completed, 1);
        assert_eq!(a.targets[1].errors, 1);
        assert_eq!(a.targets[0].errors, 0);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn own_resident_memory_is_read() {
        assert!(rss_kib(std::process::id()).expect("VmRSS") > 0);
        assert!(rss_kib(u32::MAX).is_err());
    }
}
