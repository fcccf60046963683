//! The SDK's one error type, and the controller's JSON error body.
//!
//! Every failure names where it happened (the URL, or the task) and carries
//! what the controller said: `errorCode`, `message` and `detail` from the
//! body `{"response": {"errorCode", "message", "detail"}, "version"}`, which
//! [`ApiErrorBody::parse`] also finds in the other shapes controllers use
//! (a top-level object, a list of one, `error`/`errorMessage` spellings, or
//! plain text).

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::task::Task;

/// The result type of every SDK call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client was configured wrongly (a base URL without host, …).
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// The controller could not be reached or the exchange broke off
    /// (DNS, refused connection, reset, request timeout).
    #[error("cannot reach {url}: {}", chain(source))]
    Transport {
        /// The URL requested.
        url: String,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The TLS handshake failed: typically a self-signed certificate while
    /// verification is on, or `https://` against a plain-HTTP port.
    #[error("TLS failure talking to {url}: {detail}{}", tls_hint(detail))]
    Tls {
        /// The URL requested.
        url: String,
        /// What TLS reported.
        detail: String,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// HTTP 401: bad credentials, or a missing, expired or invalid token.
    #[error("unauthorized (HTTP 401) at {url}: {body}")]
    Unauthorized {
        /// The URL requested.
        url: String,
        /// What the controller said.
        body: ApiErrorBody,
    },
    /// HTTP 404: no such flow analysis, task, device, … (or no such endpoint).
    #[error("not found (HTTP 404) at {url}: {body}")]
    NotFound {
        /// The URL requested.
        url: String,
        /// What the controller said.
        body: ApiErrorBody,
    },
    /// Any other HTTP error status (400 invalid request, 5xx, …).
    #[error("HTTP {status} at {url}: {body}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The URL requested.
        url: String,
        /// What the controller said.
        body: ApiErrorBody,
    },
    /// A task ended with `isError: true` (for a flow analysis: the trace
    /// failed — denied by an ACL, no route, unknown source, …).
    #[error("task {task_id} failed: {}", failure(error_code.as_deref(), failure_reason.as_deref()))]
    TaskFailed {
        /// The task's id.
        task_id: String,
        /// The task's `errorCode` (e.g. `DENIED_IN`).
        error_code: Option<String>,
        /// The task's `failureReason` (or the first one found in its tree
        /// when the task's own is empty).
        failure_reason: Option<String>,
        /// The task as last polled.
        task: Box<Task>,
    },
    /// A task did not finish in time.
    #[error("task {task_id} did not finish within {} ({polls} polls); it may still complete", secs(*waited))]
    Timeout {
        /// The task's id.
        task_id: String,
        /// How long the client waited.
        waited: Duration,
        /// How many times it asked.
        polls: u32,
    },
    /// The controller answered with something that is not the expected
    /// JSON (an HTML login page, a truncated body, a wrong type).
    #[error("bad response from {url} (HTTP {status}): {reason}; body starts: {excerpt}")]
    BadResponse {
        /// The URL requested.
        url: String,
        /// The HTTP status.
        status: u16,
        /// Why it does not parse (with the JSON path of the bad field).
        reason: String,
        /// The first characters of the body.
        excerpt: String,
    },
}

impl Error {
    /// The HTTP status behind this error, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Unauthorized { .. } => Some(401),
            Error::NotFound { .. } => Some(404),
            Error::Api { status, .. } | Error::BadResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The controller's `errorCode` (from an error body, or a failed task's).
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Error::Unauthorized { body, .. }
            | Error::NotFound { body, .. }
            | Error::Api { body, .. } => body.error_code.as_deref(),
            Error::TaskFailed { error_code, .. } => error_code.as_deref(),
            _ => None,
        }
    }

    /// Whether this is a 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// Whether this is a 401.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Error::Unauthorized { .. })
    }

    /// An error for an HTTP error status and its body.
    pub(crate) fn from_status(url: &str, status: u16, body: &[u8]) -> Error {
        let body = ApiErrorBody::parse(body);
        let url = url.to_string();
        match status {
            401 => Error::Unauthorized { url, body },
            404 => Error::NotFound { url, body },
            _ => Error::Api { status, url, body },
        }
    }

    /// A transport error, classified as TLS when its causes say so.
    pub(crate) fn from_reqwest(url: &str, source: reqwest::Error) -> Error {
        let url = url.to_string();
        match tls_cause(&source) {
            Some(detail) => Error::Tls {
                url,
                detail,
                source,
            },
            None => Error::Transport { url, source },
        }
    }

    /// A body that does not parse.
    pub(crate) fn bad_response(url: &str, status: u16, reason: String, body: &[u8]) -> Error {
        Error::BadResponse {
            url: url.to_string(),
            status,
            reason,
            excerpt: excerpt(body),
        }
    }
}

fn failure(code: Option<&str>, reason: Option<&str>) -> String {
    match (code, reason) {
        (Some(c), Some(r)) if r.contains(c) => r.to_string(),
        (Some(c), Some(r)) => format!("{c}: {r}"),
        (Some(c), None) => c.to_string(),
        (None, Some(r)) => r.to_string(),
        (None, None) => "no errorCode or failureReason given".to_string(),
    }
}

fn tls_hint(detail: &str) -> &'static str {
    if detail.to_ascii_lowercase().contains("certificate") {
        " (a controller with a self-signed certificate needs danger_accept_invalid_certs(true))"
    } else {
        " (does that port speak TLS? for plain HTTP use an http:// URL)"
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// What happened, then the error's causes, `: `-joined (reqwest's own
/// message repeats the URL and hides the cause).
fn chain(e: &reqwest::Error) -> String {
    let mut out = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "the body could not be read"
    } else {
        "the request failed"
    }
    .to_string();
    let mut cur = std::error::Error::source(e);
    while let Some(c) = cur {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cur = c.source();
    }
    out
}

/// The message of a TLS failure among an error's causes (not the top
/// error's own text, which includes the URL).
fn tls_cause(e: &reqwest::Error) -> Option<String> {
    const MARKERS: [&str; 8] = [
        "certificate",
        "tls",
        "ssl",
        "handshake",
        "corrupt message",
        "invalidcontenttype",
        "unknownissuer",
        "peer is incompatible",
    ];
    let mut cur = std::error::Error::source(e);
    while let Some(c) = cur {
        let mut texts = vec![c.to_string()];
        if let Some(inner) = c
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            texts.push(inner.to_string());
        }
        for text in texts {
            let lower = text.to_ascii_lowercase();
            if MARKERS.iter().any(|m| lower.contains(m)) {
                return Some(text);
            }
        }
        cur = c.source();
    }
    None
}

/// The first 200 characters of a body, on one line.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.is_empty() {
        return "(empty body)".to_string();
    }
    match one_line.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

/// The controller's explanation of an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiErrorBody {
    /// Machine-readable code (`errorCode`), e.g. `NOT_FOUND`, `INVALID_REQUEST`.
    pub error_code: Option<String>,
    /// One sentence (`message`).
    pub message: Option<String>,
    /// More detail (`detail`), e.g. `field: destPort`.
    pub detail: Option<String>,
}

impl ApiErrorBody {
    /// Read an error body. The DNA Center / APIC-EM shape is
    /// `{"response": {"errorCode", "message", "detail"}, "version"}`; also
    /// accepted: the same keys at the top level or in the first item of a
    /// list, `error`/`errorMessage`/`msg` for the message, `details`/
    /// `description` for the detail, a string `response`, and non-JSON text
    /// (kept, shortened, as the message).
    pub fn parse(body: &[u8]) -> ApiErrorBody {
        let Ok(v) = serde_json::from_slice::<Value>(body) else {
            let text = excerpt(body);
            return ApiErrorBody {
                message: (text != "(empty body)").then_some(text),
                ..ApiErrorBody::default()
            };
        };
        let obj = match &v {
            Value::Object(o) => match o.get("response") {
                Some(Value::Object(r)) => Some(r),
                Some(Value::Array(items)) => items.first().and_then(Value::as_object).or(Some(o)),
                _ => Some(o),
            },
            Value::Array(items) => items.first().and_then(Value::as_object),
            _ => None,
        };
        let Some(o) = obj else {
            return ApiErrorBody {
                message: text_of(&v),
                ..ApiErrorBody::default()
            };
        };
        let pick = |keys: &[&str]| keys.iter().find_map(|k| o.get(*k).and_then(text_of));
        let mut body = ApiErrorBody {
            error_code: pick(&["errorCode", "error_code", "code", "errorKey"]),
            message: pick(&["message", "errorMessage", "msg", "error", "response"]),
            detail: pick(&["detail", "details", "description"]),
        };
        // `{"response": "text"}` at the top level.
        if body.message.is_none()
            && let Value::Object(top) = &v
        {
            body.message = top.get("response").and_then(text_of);
        }
        body
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Null | Value::Object(_) | Value::Array(_) => None,
        other => Some(other.to_string()),
    }
}

impl fmt::Display for ApiErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = self.error_code.clone().unwrap_or_default();
        if let Some(m) = &self.message {
            if !out.is_empty() {
                out.push_str(" - ");
            }
            out.push_str(m);
        }
        if let Some(d) = &self.detail
            && self.message.as_deref() != Some(d.as_str())
        {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push('(');
            out.push_str(d);
            out.push(')');
        }
        if out.is_empty() {
            f.write_str("no error detail given")
        } else {
            f.write_str(&out)
        }
    }
}
