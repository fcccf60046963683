//! Loading a model file: YAML → [`Network`], validated, with diagnostics
//! that name the file, line and field.
//!
//! [`load_str`] deserializes with `serde-saphyr` under a resource budget (so
//! empty input, garbage, deep nesting and alias bombs end in an error, not a
//! panic or a hang), then runs [`crate::validate::validate`] and maps each
//! issue's field path to a line with the line index. A syntax or type error
//! is one [`Diagnostic`]; semantic errors are all reported at once, sorted by
//! line:
//!
//! ```text
//! demo.yaml:12: devices[0].interfaces[1].ip: invalid IP address syntax
//! demo.yaml:40: links[3].b: no interface Gi1/0/9 on CAMPUS-Access1
//! ```

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use serde_saphyr::{DefaultMessageFormatter, MessageFormatter};

use crate::line_index::LineIndex;
use crate::types::Network;

/// One problem found while loading a model, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file name given to the loader.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// Path of the offending field, e.g. `devices[0].interfaces[1].ip`;
    /// empty when the problem is not about one field.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// Why a model did not load: every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The problems, sorted by line (never empty).
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

impl LoadError {
    fn one(
        file: &str,
        line: Option<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        LoadError {
            diagnostics: vec![Diagnostic {
                file: file.to_string(),
                line,
                field: field.into(),
                message: message.into(),
            }],
        }
    }
}

/// Parse and validate a model from YAML text; `file_name` is used in diagnostics.
pub fn load_str(text: &str, file_name: &str) -> Result<Network, LoadError> {
    let net = deserialize(text, file_name)?;
    let issues = crate::validate::validate(&net);
    if issues.is_empty() {
        return Ok(net);
    }
    let index = LineIndex::new(text);
    let mut diagnostics: Vec<Diagnostic> = issues
        .into_iter()
        .map(|issue| Diagnostic {
            file: file_name.to_string(),
            line: index.line_of(&issue.path),
            field: issue.path,
            message: issue.message,
        })
        .collect();
    diagnostics.sort_by_key(|d| d.line.unwrap_or(usize::MAX));
    Err(LoadError { diagnostics })
}

/// Read, parse and validate a model file.
pub fn load_file(path: &Path) -> Result<Network, LoadError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| LoadError::one(&file, None, "", format!("cannot read file: {e}")))?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let good = e.utf8_error().valid_up_to();
            let line = e
                .as_bytes()
                .get(..good)
                .and_then(|b| std::str::from_utf8(b).ok())
                .map_or(0, |s| s.matches('\n').count())
                + 1;
            return Err(LoadError::one(
                &file,
                Some(line),
                "",
                "file is not valid UTF-8",
            ));
        }
    };
    load_str(&text, &file)
}

/// The resource budget for one model file: generous for large generated
/// networks, finite for everything else.
fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: 20_000_000,
            max_nodes: 10_000_000,
            max_depth: 64,
            max_documents: 1,
            max_aliases: 10_000,
            max_anchors: 10_000,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 100_000,
            max_replay_stack_depth: 32,
            max_alias_expansions_per_anchor: 1_000,
        },
        with_snippet: false,
    }
}

/// Deserialize, turning a syntax or type error into one diagnostic with its
/// line and field path.
fn deserialize(text: &str, file_name: &str) -> Result<Network, LoadError> {
    let mut track = serde_path_to_error::Track::new();
    let result = serde_saphyr::with_deserializer_from_str_with_options(text, options(), |de| {
        serde::Deserialize::deserialize(serde_path_to_error::Deserializer::new(de, &mut track))
    });
    let err = match result {
        Ok(net) => return Ok(net),
        Err(err) => err,
    };
    let path = track.path().to_string();
    let field = if path == "." || path == "?" {
        String::new()
    } else {
        path
    };
    let inner = original(&err);
    let located = err
        .location()
        .and_then(|l| usize::try_from(l.line()).ok())
        .filter(|l| *l > 0);
    // A missing field is reported where its mapping starts, not where it ends.
    let indexed = || {
        (!field.is_empty())
            .then(|| LineIndex::new(text).line_of(&field))
            .flatten()
    };
    let line = match inner {
        serde_saphyr::Error::SerdeMissingField { .. } => indexed().or(located),
        _ => located.or_else(indexed),
    };
    let message = if is_blank(text) {
        "the file is empty; a model needs at least `name:`".to_string()
    } else if let serde_saphyr::Error::Budget { breach, .. } = inner {
        budget_message(breach)
    } else {
        let mut message = sanitize(DefaultMessageFormatter.format_message(inner)).into_owned();
        if let Some(hint) = hint(&field, &message) {
            message.push_str(hint);
        }
        message
    };
    Err(LoadError::one(file_name, line, field, message))
}

/// Whether the text holds nothing but whitespace, comments and document markers.
fn is_blank(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with('#') || l == "---" || l == "...")
}

/// What a budget breach means for a model file.
fn budget_message(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    match breach {
        B::Documents { .. } => {
            "a model file holds one YAML document; found another after `---`".to_string()
        }
        B::Depth { .. } => "nesting is too deep for a model file".to_string(),
        B::Aliases { .. }
        | B::AliasAnchorRatio { .. }
        | B::Anchors { .. }
        | B::RecordedAnchorEvents { .. } => {
            "too many anchors or aliases for a model file".to_string()
        }
        other => format!("the file exceeds the loader's limits ({other:?})"),
    }
}

/// The error inside alias and snippet wrappers.
fn original(mut err: &serde_saphyr::Error) -> &serde_saphyr::Error {
    loop {
        match err {
            serde_saphyr::Error::AliasError { error, .. }
            | serde_saphyr::Error::WithSnippet { error, .. } => {
                err = error;
            }
            _ => return err,
        }
    }
}

/// Escape control characters so a message stays on one line.
fn sanitize(message: Cow<'_, str>) -> Cow<'_, str> {
    if message.chars().any(char::is_control) {
        Cow::Owned(
            message
                .chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
        )
    } else {
        message
    }
}

/// A hint for the address fields whose bare parse error does not say what
/// form is expected.
fn hint(field: &str, message: &str) -> Option<&'static str> {
    if !message.contains("invalid IP address syntax") {
        return None;
    }
    let last = field.rsplit('.').next().unwrap_or(field);
    let last = last.split('[').next().unwrap_or(last);
    let prefix_fields = ["ip", "secondary", "prefix", "ranges", "prefixes"];
    let address_fields = [
        "management_ip",
        "next_hop",
        "gateway",
        "default_gateway",
        "router_id",
    ];
    if field.contains(".next_hops[") && last == "ip" {
        Some("; expected an address such as 10.1.1.1")
    } else if prefix_fields.contains(&last) {
        Some("; expected ADDRESS/LENGTH such as 10.1.1.5/24")
    } else if address_fields.contains(&last) {
        Some("; expected an address such as 10.1.1.1")
    } else {
        None
    }
}
