//! The coverage report of a snapshot: per file, how many lines were
//! understood, not understood and in error; the lines not understood grouped
//! by feature, each with `file:line` and its text; every syntax error. Text
//! for people (`Display`), JSON for tools (`Serialize`).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::snapshot::IosSnapshot;

/// Line counts of one file (or of the whole snapshot).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileCoverage {
    /// The file, relative to the snapshot (`total` for the sum).
    pub file: String,
    /// Lines in the file.
    pub lines: usize,
    /// Cosmetic lines (`!`, empty, `end`, banner text, comments).
    pub cosmetic: usize,
    /// Lines read into the typed structures.
    pub understood: usize,
    /// Lines not modelled.
    pub not_understood: usize,
    /// Lines recognised but unreadable.
    pub syntax_errors: usize,
}

/// A line of a file, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineRef {
    /// The file, relative to the snapshot.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The line as written.
    pub text: String,
}

/// The lines not understood of one feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureGroup {
    /// The feature (`line vty`, `interface/duplex`, …).
    pub feature: String,
    /// Its lines, by file then line.
    pub lines: Vec<LineRef>,
}

/// A syntax error, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorRef {
    /// The file, relative to the snapshot.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The line as written.
    pub text: String,
    /// What is wrong.
    pub message: String,
}

/// The coverage report of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// The snapshot directory as given.
    pub snapshot: String,
    /// One entry per file, in the snapshot's order.
    pub files: Vec<FileCoverage>,
    /// The sums over all files.
    pub total: FileCoverage,
    /// Lines not understood, by feature (largest group first, then by name).
    pub not_understood: Vec<FeatureGroup>,
    /// Syntax errors, by file then line.
    pub syntax_errors: Vec<ErrorRef>,
}

/// The coverage report of `snap`.
pub fn coverage(snap: &IosSnapshot) -> Coverage {
    let mut files = Vec::new();
    let mut total = FileCoverage {
        file: "total".to_owned(),
        ..FileCoverage::default()
    };
    let mut groups: BTreeMap<&str, Vec<LineRef>> = BTreeMap::new();
    let mut syntax_errors = Vec::new();
    for acc in snap.accounts() {
        let fc = FileCoverage {
            file: acc.file.clone(),
            lines: acc.lines,
            cosmetic: acc.cosmetic,
            understood: acc.understood,
            not_understood: acc.not_understood.len(),
            syntax_errors: acc.syntax_errors.len(),
        };
        total.lines += fc.lines;
        total.cosmetic += fc.cosmetic;
        total.understood += fc.understood;
        total.not_understood += fc.not_understood;
        total.syntax_errors += fc.syntax_errors;
        files.push(fc);
        for n in &acc.not_understood {
            groups.entry(&n.feature).or_default().push(LineRef {
                file: acc.file.clone(),
                line: n.line,
                text: n.text.clone(),
            });
        }
        for e in &acc.syntax_errors {
            syntax_errors.push(ErrorRef {
                file: acc.file.clone(),
                line: e.line,
                text: e.text.clone(),
                message: e.message.clone(),
            });
        }
    }
    let mut not_understood: Vec<FeatureGroup> = groups
        .into_iter()
        .map(|(feature, lines)| FeatureGroup {
            feature: feature.to_owned(),
            lines,
        })
        .collect();
    not_understood.sort_by(|a, b| {
        b.lines
            .len()
            .cmp(&a.lines.len())
            .then_with(|| a.feature.cmp(&b.feature))
    });
    Coverage {
        snapshot: snap.dir.display().to_string(),
        files,
        total,
        not_understood,
        syntax_errors,
    }
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "snapshot {}", self.snapshot)?;
        let width = self
            .files
            .iter()
            .map(|c| c.file.len())
            .max()
            .unwrap_or(0)
            .max(5);
        writeln!(
            f,
            "{:<width$}  {:>6}  {:>8}  {:>10}  {:>14}  {:>13}",
            "file", "lines", "cosmetic", "understood", "not understood", "syntax errors"
        )?;
        for c in self.files.iter().chain(std::iter::once(&self.total)) {
            writeln!(
                f,
                "{:<width$}  {:>6}  {:>8}  {:>10}  {:>14}  {:>13}",
                c.file, c.lines, c.cosmetic, c.understood, c.not_understood, c.syntax_errors
            )?;
        }
        writeln!(
            f,
            "\nnot understood: {} lines in {} features",
            self.total.not_understood,
            self.not_understood.len()
        )?;
        for g in &self.not_understood {
            writeln!(f, "\n{} ({} lines)", g.feature, g.lines.len())?;
            for l in &g.lines {
                writeln!(f, "  {}:{}: {}", l.file, l.line, l.text.trim())?;
            }
        }
        writeln!(f, "\nsyntax errors: {}", self.syntax_errors.len())?;
        for e in &self.syntax_errors {
            writeln!(
                f,
                "  {}:{}: {}: {}",
                e.file,
                e.line,
                e.message,
                e.text.trim()
            )?;
        }
        Ok(())
    }
}
