//! `pathtrace loadgen`: a bounded load generator for a `pathtrace serve` on
//! this machine.
//!
//! Every simulated client (a tokio task) logs in once with HTTP Basic, then
//! loops: `POST flow-analysis` with the next flow of a fixed mix over the demo
//! network, `GET task/{taskId}` until the task has an `endTime` (the first
//! poll at once, then pauses of 200 µs doubling up to 5 ms), then `GET flow-analysis/{id}`, whose
//! status must be the one expected for that flow. One HTTP client (keep-alive,
//! no proxy, no redirects) is shared by all tasks.
//!
//! Safety rails: only loopback URLs (127.0.0.0/8, ::1, localhost pinned to
//! 127.0.0.1) are accepted, checked before anything is sent (exit 2
//! otherwise); a run stops at `--count` analyses or `--duration` seconds,
//! whichever comes first, and never lasts more than ten minutes in all.
//!
//! Exit codes: 0 no error, 1 at least one error, 2 a usage error (including a
//! non-loopback URL), 3 an internal error (the HTTP client could not be built).

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clap::ValueEnum;
use reqwest::{StatusCode, Url};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;

/// The whole run (logins, load, draining) never lasts longer than this.
const HARD_CAP: Duration = Duration::from_mins(10);
/// Time allowed to log in all clients.
const LOGIN_TIMEOUT: Duration = Duration::from_mins(1);
/// One analysis (POST, polls, GET) must finish within this.
const ANALYSIS_TIMEOUT: Duration = Duration::from_secs(10);
/// One HTTP request must finish within this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// First pause between task polls (after a first poll at once, as an
/// eager client does); doubled up to [`POLL_MAX`].
const POLL_FIRST: Duration = Duration::from_micros(200);
/// Longest pause between task polls.
const POLL_MAX: Duration = Duration::from_millis(5);
/// At most this many error messages are kept as examples.
const ERROR_SAMPLES: usize = 5;

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
    /// Server base URL; only loopback hosts are accepted (127.0.0.0/8, [::1], localhost).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
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
    /// Stop after this many analyses.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    count: u64,
    /// Stop after this many seconds of load (at most 600).
    #[arg(long, default_value_t = 30.0)]
    duration: f64,
    /// Analyses started per second, all clients together (0: as fast as possible).
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Accept any TLS certificate (for the server's self-signed HTTPS listener).
    #[arg(long)]
    insecure: bool,
    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    format: ReportFormat,
}

/// One flow of the mix and the status its analysis must end with.
#[derive(Debug, Clone, Copy)]
struct FlowSpec {
    name: &'static str,
    src: &'static str,
    dst: &'static str,
    protocol: Option<&'static str>,
    dst_port: Option<u16>,
    expect: &'static str,
}

/// The fixed mix over the demo network (docs/demo.md), used round robin.
const FLOWS: [FlowSpec; 5] = [
    FlowSpec {
        name: "seed-apic-em",
        src: "10.1.15.117",
        dst: "10.2.1.22",
        protocol: None,
        dst_port: None,
        expect: "COMPLETED",
    },
    FlowSpec {
        name: "seed-dnac",
        src: "10.10.22.114",
        dst: "10.10.22.98",
        protocol: None,
        dst_port: None,
        expect: "COMPLETED",
    },
    FlowSpec {
        name: "ecmp",
        src: "10.1.20.11",
        dst: "10.2.1.22",
        protocol: None,
        dst_port: None,
        expect: "COMPLETED",
    },
    FlowSpec {
        name: "denied-telnet",
        src: "10.1.13.25",
        dst: "10.2.1.22",
        protocol: Some("TCP"),
        dst_port: Some(23),
        expect: "FAILED",
    },
    FlowSpec {
        name: "exit",
        src: "10.1.13.25",
        dst: "8.8.8.8",
        protocol: None,
        dst_port: None,
        expect: "COMPLETED",
    },
];

impl FlowSpec {
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

/// The kinds of error counted in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ErrorKind {
    /// Login failed (any cause).
    Login,
    /// An answer with an unexpected HTTP status.
    HttpStatus,
    /// An analysis ended with a status other than the expected one.
    UnexpectedOutcome,
    /// An analysis or a request took too long.
    Timeout,
    /// The connection failed or an answer could not be read.
    Transport,
    /// An answer that is not the JSON the API promises.
    BadResponse,
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
        }
    }
}

/// One failed analysis (or login): its kind, a short key for the
/// breakdown, and a message.
#[derive(Debug)]
struct Failure {
    kind: ErrorKind,
    detail: String,
    message: String,
}

impl Failure {
    fn new(kind: ErrorKind, detail: impl Into<String>, message: impl Into<String>) -> Self {
        Failure {
            kind,
            detail: detail.into(),
            message: message.into(),
        }
    }

    fn from_reqwest(step: &str, e: &reqwest::Error) -> Self {
        let kind = if e.is_timeout() {
            ErrorKind::Timeout
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
        Failure::new(
            ErrorKind::HttpStatus,
            format!("{step}: HTTP {}", status.as_u16()),
            format!("{step}: HTTP {status}"),
        )
    }
}

/// What one client measured.
#[derive(Debug, Default)]
struct Stats {
    /// Round trips POST → result, µs.
    round_trip: Vec<u32>,
    /// Single requests, µs.
    post: Vec<u32>,
    poll: Vec<u32>,
    get: Vec<u32>,
    completed: u64,
    outcomes: BTreeMap<&'static str, u64>,
    per_flow: BTreeMap<&'static str, u64>,
    errors: BTreeMap<ErrorKind, u64>,
    error_details: BTreeMap<String, u64>,
    samples: Vec<String>,
}

impl Stats {
    fn fail(&mut self, f: Failure) {
        *self.errors.entry(f.kind).or_default() += 1;
        *self.error_details.entry(f.detail).or_default() += 1;
        if self.samples.len() < ERROR_SAMPLES {
            self.samples.push(f.message);
        }
    }

    fn merge(&mut self, o: Stats) {
        self.round_trip.extend(o.round_trip);
        self.post.extend(o.post);
        self.poll.extend(o.poll);
        self.get.extend(o.get);
        self.completed += o.completed;
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
    }

    fn error_total(&self) -> u64 {
        self.errors.values().sum()
    }
}

fn micros(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

/// What every client task shares.
#[derive(Debug)]
struct Shared {
    http: reqwest::Client,
    base: String,
    bodies: Vec<String>,
    /// Analyses started so far (the next analysis' index).
    started: AtomicU64,
    count: u64,
    /// Load start.
    start: Instant,
    /// No analysis starts at or after this.
    deadline: Instant,
    /// Nothing runs past this (in-flight analyses are cut off as timeouts).
    drain_deadline: Instant,
    /// Seconds between two analysis starts (0: no pacing).
    interval: f64,
}

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

async fn login(
    http: &reqwest::Client,
    base: &str,
    user: &str,
    password: &str,
) -> Result<String, Failure> {
    let sent = http
        .post(format!("{base}/api/system/v1/auth/token"))
        .basic_auth(user, Some(password))
        .send()
        .await;
    let a: TokenAnswer = answer("login", sent, StatusCode::OK)
        .await
        .map_err(|f| Failure::new(ErrorKind::Login, f.detail, f.message))?;
    Ok(a.token)
}

/// One analysis: POST, polls, GET; the measurements go into `st`.
async fn analysis(
    sh: &Shared,
    token: &str,
    flow: usize,
    st: &mut Stats,
) -> Result<&'static str, Failure> {
    let spec = &FLOWS[flow];
    let t0 = Instant::now();
    let sent = sh
        .http
        .post(format!("{}/api/v1/flow-analysis", sh.base))
        .header("x-auth-token", token)
        .header("content-type", "application/json")
        .body(sh.bodies[flow].clone())
        .send()
        .await;
    let created: Envelope<Created> =
        answer("POST flow-analysis", sent, StatusCode::ACCEPTED).await?;
    st.post.push(micros(t0.elapsed()));
    let Created {
        flow_analysis_id: id,
        task_id,
    } = created.response;
    let task_url = format!("{}/api/v1/task/{task_id}", sh.base);
    let mut pause = Duration::ZERO;
    loop {
        if !pause.is_zero() {
            sleep(pause).await;
        }
        pause = (pause * 2).clamp(POLL_FIRST, POLL_MAX);
        let t = Instant::now();
        let sent = sh
            .http
            .get(&task_url)
            .header("x-auth-token", token)
            .send()
            .await;
        let task: Envelope<TaskView> = answer("GET task", sent, StatusCode::OK).await?;
        st.poll.push(micros(t.elapsed()));
        if task.response.end_time.is_some() {
            break;
        }
    }
    let t = Instant::now();
    let sent = sh
        .http
        .get(format!("{}/api/v1/flow-analysis/{id}", sh.base))
        .header("x-auth-token", token)
        .send()
        .await;
    let result: Envelope<ResultView> = answer("GET flow-analysis", sent, StatusCode::OK).await?;
    let done = Instant::now();
    st.get.push(micros(done - t));
    st.round_trip.push(micros(done - t0));
    let status = result.response.request.status;
    if status != spec.expect {
        return Err(Failure::new(
            ErrorKind::UnexpectedOutcome,
            format!("{}: {status}", spec.name),
            format!(
                "flow {} ({} -> {}): status {status}, expected {} (analysis {id})",
                spec.name, spec.src, spec.dst, spec.expect
            ),
        ));
    }
    Ok(spec.expect)
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

/// One client's loop after its login.
async fn client(sh: Arc<Shared>, token: String) -> Stats {
    let mut st = Stats::default();
    loop {
        if Instant::now() >= sh.deadline {
            break;
        }
        let i = sh.started.fetch_add(1, Ordering::Relaxed);
        if i >= sh.count {
            break;
        }
        if sh.interval > 0.0 {
            let at = sh.start + Duration::from_secs_f64(sh.interval * i as f64);
            if at >= sh.deadline {
                break;
            }
            tokio::time::sleep_until(at).await;
        }
        let flow = (i % FLOWS.len() as u64) as usize;
        let begun = Instant::now();
        let limit = (begun + ANALYSIS_TIMEOUT).min(sh.drain_deadline);
        match tokio::time::timeout_at(limit, analysis(&sh, &token, flow, &mut st)).await {
            Ok(Ok(outcome)) => {
                st.completed += 1;
                *st.outcomes.entry(outcome).or_default() += 1;
                *st.per_flow.entry(FLOWS[flow].name).or_default() += 1;
            }
            Ok(Err(f)) => st.fail(f),
            Err(_) => st.fail(Failure::new(
                ErrorKind::Timeout,
                "analysis: timeout",
                format!(
                    "flow {}: no result within {:.3} s",
                    FLOWS[flow].name,
                    (limit - begun).as_secs_f64()
                ),
            )),
        }
    }
    st
}

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

/// Parse and check everything that needs no connection. `Err` is a usage error.
fn validate(args: &LoadgenArgs) -> Result<(Url, String, Duration, f64), String> {
    let url = Url::parse(&args.url).map_err(|e| format!("--url {:?}: {e}", args.url))?;
    check_target(&url)?;
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
    let duration = Duration::from_secs_f64(args.duration.min(HARD_CAP.as_secs_f64()));
    if args.duration > HARD_CAP.as_secs_f64() {
        eprintln!(
            "loadgen: --duration {} is above the cap: {} s",
            args.duration,
            HARD_CAP.as_secs()
        );
    }
    // The target is loopback (checked above), so the demo password may be the default.
    let password = match std::env::var(&args.password_env) {
        Ok(p) => p,
        Err(std::env::VarError::NotPresent) => pathtrace_server::config::DEMO_USER.1.to_string(),
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(format!("{}: not valid UTF-8", args.password_env));
        }
    };
    Ok((url, password, duration, args.rate))
}

fn http_client(url: &Url, clients: u32, insecure: bool) -> reqwest::Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        // Never through a proxy, never redirected: every request goes to the checked host.
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .tcp_nodelay(true)
        .pool_max_idle_per_host(clients as usize)
        .pool_idle_timeout(Duration::from_secs(90))
        .connect_timeout(Duration::from_secs(5))
        .timeout(REQUEST_TIMEOUT);
    if url
        .host_str()
        .is_some_and(|h| h.eq_ignore_ascii_case("localhost"))
    {
        // `localhost` is pinned: a resolver cannot send the load elsewhere.
        let port = url.port_or_known_default().unwrap_or(80);
        b = b.resolve(
            "localhost",
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
        );
    }
    if insecure {
        b = b.danger_accept_invalid_certs(true);
    }
    b.build()
}

/// `pathtrace loadgen`.
pub fn main(args: &LoadgenArgs) -> ExitCode {
    let (url, password, duration, rate) = match validate(args) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
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
    let http = match http_client(&url, args.clients, args.insecure) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: HTTP client: {e}");
            return ExitCode::from(3);
        }
    };
    let report = rt.block_on(run(args, http, &url, &password, duration, rate));
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
    if report["errors"]["total"].as_u64() == Some(0) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

async fn run(
    args: &LoadgenArgs,
    http: reqwest::Client,
    url: &Url,
    password: &str,
    duration: Duration,
    rate: f64,
) -> Value {
    let run_start = Instant::now();
    let hard_end = run_start + HARD_CAP;
    let base = url.as_str().trim_end_matches('/').to_string();

    // Phase 1: every client logs in once (argon2 on the server: not part of the load).
    let mut logins = tokio::task::JoinSet::new();
    for _ in 0..args.clients {
        let (http, base, user, password) = (
            http.clone(),
            base.clone(),
            args.user.clone(),
            password.to_string(),
        );
        logins.spawn(async move {
            match tokio::time::timeout(LOGIN_TIMEOUT, login(&http, &base, &user, &password)).await {
                Ok(r) => r,
                Err(_) => Err(Failure::new(
                    ErrorKind::Login,
                    "login: timeout",
                    "login: no answer in time",
                )),
            }
        });
    }
    let mut stats = Stats::default();
    let mut tokens = Vec::new();
    while let Some(r) = logins.join_next().await {
        match r {
            Ok(Ok(t)) => tokens.push(t),
            Ok(Err(f)) => stats.fail(f),
            Err(e) => stats.fail(Failure::new(ErrorKind::Login, "login: task", e.to_string())),
        }
    }

    // Phase 2: the load.
    let grace = ANALYSIS_TIMEOUT;
    let start = Instant::now();
    let deadline = (start + duration).min(hard_end - grace);
    let sh = Arc::new(Shared {
        http,
        base,
        bodies: FLOWS.iter().map(FlowSpec::body).collect(),
        started: AtomicU64::new(0),
        count: args.count,
        start,
        deadline,
        drain_deadline: (deadline + grace).min(hard_end),
        interval: if rate > 0.0 { 1.0 / rate } else { 0.0 },
    });
    let logged_in = tokens.len();
    let mut tasks = tokio::task::JoinSet::new();
    for token in tokens {
        tasks.spawn(client(Arc::clone(&sh), token));
    }
    while let Some(r) = tasks.join_next().await {
        match r {
            Ok(s) => stats.merge(s),
            Err(e) => stats.fail(Failure::new(
                ErrorKind::Transport,
                "client: task",
                e.to_string(),
            )),
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let started = sh.started.load(Ordering::Relaxed).min(args.count);
    let stopped_by = if logged_in == 0 {
        "login"
    } else if started >= args.count {
        "count"
    } else {
        "duration"
    };

    let polls = stats.poll.len();
    let analyses_seen = stats.round_trip.len();
    json!({
        "url": url.as_str(),
        "clients": args.clients,
        "clients_logged_in": logged_in,
        "rate": rate,
        "count_limit": args.count,
        "duration_limit_s": duration.as_secs_f64(),
        "stopped_by": stopped_by,
        "completed": stats.completed,
        "outcomes": stats.outcomes,
        "per_flow": stats.per_flow,
        "errors": {
            "total": stats.error_total(),
            "by_kind": stats.errors.iter().map(|(k, v)| (k.key(), *v)).collect::<BTreeMap<_, _>>(),
            "by_detail": stats.error_details,
            "samples": stats.samples,
        },
        "wall_s": round3(wall),
        "analyses_per_s": round3(if wall > 0.0 { stats.completed as f64 / wall } else { 0.0 }),
        "round_trip_ms": summary(&mut stats.round_trip, true),
        "post_ms": summary(&mut stats.post, false),
        "task_poll_ms": summary(&mut stats.poll, false),
        "get_ms": summary(&mut stats.get, false),
        "polls_per_analysis": round3(if analyses_seen > 0 { polls as f64 / analyses_seen as f64 } else { 0.0 }),
    })
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
    if let Some(kinds) = r["errors"]["by_detail"].as_object() {
        for (k, v) in kinds {
            let _ = writeln!(s, "error       {v} × {k}");
        }
    }
    if let Some(samples) = r["errors"]["samples"].as_array() {
        for m in samples {
            let _ = writeln!(s, "  e.g. {}", m.as_str().unwrap_or(""));
        }
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
        let b: Value = serde_json::from_str(&FLOWS[3].body()).expect("JSON");
        assert_eq!(
            b,
            json!({"sourceIP": "10.1.13.25", "destIP": "10.2.1.22", "protocol": "TCP", "destPort": "23"})
        );
        assert_eq!(FLOWS.iter().filter(|f| f.expect == "FAILED").count(), 1);
    }
}
