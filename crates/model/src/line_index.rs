//! Where each node of a YAML document starts: a map from a field path such
//! as `devices[3].interfaces[2].ip` to its 1-based line.
//!
//! Validation works on the deserialized [`crate::Network`] and names what is
//! wrong by path; this index turns that path back into a line of the file.
//! It reads the raw event stream of `saphyr-parser`, so it sees the text as
//! written (a mapping key is found on the key's own line) and never expands
//! aliases.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser};

/// Paths deeper than this are not recorded (their nearest recorded ancestor
/// answers instead), which bounds memory on pathologically nested input.
const MAX_DEPTH: usize = 128;

/// Paths longer than this are not recorded either.
const MAX_PATH_LEN: usize = 4096;

/// A path → line index of one YAML document.
#[derive(Debug, Clone, Default)]
pub(crate) struct LineIndex {
    lines: HashMap<String, usize>,
}

/// One open collection while walking the event stream.
enum Frame {
    /// A sequence; `next` is the index of its next item.
    Seq { path: String, next: usize },
    /// A mapping; `key` is the key whose value comes next, or `None` when a
    /// key comes next.
    Map { path: String, key: Option<String> },
    /// A collection that is not recorded (a complex key, or too deep).
    Skip,
}

impl LineIndex {
    /// Index `text`. Never panics; on a scan error it keeps what it has.
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut index = LineIndex::default();
        let mut stack: Vec<Frame> = Vec::new();
        for item in Parser::new_from_str(text) {
            let Ok((event, span)) = item else { break };
            let line = span.start.line();
            match event {
                Event::Scalar(value, ..) => {
                    index.node(&mut stack, line, Some(value.as_ref()));
                }
                Event::Alias(_) => {
                    index.node(&mut stack, line, None);
                }
                Event::SequenceStart(..) => {
                    let frame = match index.node(&mut stack, line, None) {
                        Some(path) if stack.len() < MAX_DEPTH => Frame::Seq { path, next: 0 },
                        _ => Frame::Skip,
                    };
                    stack.push(frame);
                }
                Event::MappingStart(..) => {
                    let frame = match index.node(&mut stack, line, None) {
                        Some(path) if stack.len() < MAX_DEPTH => Frame::Map { path, key: None },
                        _ => Frame::Skip,
                    };
                    stack.push(frame);
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    stack.pop();
                }
                Event::DocumentEnd => stack.clear(),
                Event::StreamEnd => break,
                Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => {}
            }
        }
        index
    }

    /// Account for one node starting on `line`; `scalar` is its text when it
    /// is a scalar. Returns the node's path when it is recorded.
    fn node(&mut self, stack: &mut [Frame], line: usize, scalar: Option<&str>) -> Option<String> {
        let path = match stack.last_mut() {
            None => String::new(),
            Some(Frame::Skip) => return None,
            Some(Frame::Seq { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                p
            }
            Some(Frame::Map { path, key }) => {
                // A value: its path is the key's.
                if let Some(k) = key.take() {
                    join(path, &k)
                } else {
                    // A key: record it on its own line; a complex key is not
                    // recorded and its contents are skipped.
                    let k = scalar.map_or_else(|| "?".to_string(), str::to_string);
                    let p = join(path, &k);
                    *key = Some(k);
                    if scalar.is_some() {
                        self.record(p, line);
                    }
                    return None;
                }
            }
        };
        if path.len() > MAX_PATH_LEN {
            return None;
        }
        self.record(path.clone(), line);
        Some(path)
    }

    fn record(&mut self, path: String, line: usize) {
        if path.len() <= MAX_PATH_LEN {
            self.lines.entry(path).or_insert(line);
        }
    }

    /// The line where the node at `path` starts, or where its nearest
    /// recorded ancestor starts when the path itself is absent (a defaulted
    /// field, say).
    pub(crate) fn line_of(&self, path: &str) -> Option<usize> {
        let mut p = path;
        loop {
            if let Some(line) = self.lines.get(p) {
                return Some(*line);
            }
            if p.is_empty() {
                return None;
            }
            p = parent(p);
        }
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// The path one level up: `a.b[2].c` → `a.b[2]` → `a.b` → `a` → ``.
fn parent(path: &str) -> &str {
    match path.rfind(['.', '[']) {
        Some(i) => path.get(..i).unwrap_or(""),
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
name: demo
devices:
  - hostname: R1
    interfaces:
      - name: Gi0/0
        ip: 10.0.0.1/24

      - {name: Gi0/1, ip: 10.0.1.1/24}
links:
  - a: R1:Gi0/0
    b:
      device: R2
      interface: Gi0/0
";

    #[test]
    fn records_keys_and_items() {
        let idx = LineIndex::new(TEXT);
        assert_eq!(idx.line_of(""), Some(1));
        assert_eq!(idx.line_of("name"), Some(1));
        assert_eq!(idx.line_of("devices"), Some(2));
        assert_eq!(idx.line_of("devices[0]"), Some(3));
        assert_eq!(idx.line_of("devices[0].hostname"), Some(3));
        assert_eq!(idx.line_of("devices[0].interfaces"), Some(4));
        assert_eq!(idx.line_of("devices[0].interfaces[0].ip"), Some(6));
        assert_eq!(idx.line_of("devices[0].interfaces[1]"), Some(8));
        assert_eq!(idx.line_of("devices[0].interfaces[1].ip"), Some(8));
        assert_eq!(idx.line_of("links[0].a"), Some(10));
        assert_eq!(idx.line_of("links[0].b"), Some(11));
        assert_eq!(idx.line_of("links[0].b.interface"), Some(13));
    }

    #[test]
    fn falls_back_to_ancestors() {
        let idx = LineIndex::new(TEXT);
        assert_eq!(idx.line_of("devices[0].interfaces[1].vrf"), Some(8));
        assert_eq!(idx.line_of("devices[0].static_routes[3].prefix"), Some(3));
        assert_eq!(idx.line_of("devices[7]"), Some(2));
        assert_eq!(idx.line_of("clouds"), Some(1));
        assert_eq!(LineIndex::new("").line_of("x"), None);
    }

    #[test]
    fn survives_bad_input() {
        let idx = LineIndex::new("name: a\ndevices: [\n  - : : ]]]\n");
        assert_eq!(idx.line_of("name"), Some(1));
        let deep = "[".repeat(100_000);
        let _ = LineIndex::new(&deep).line_of("x");
        let deep_maps = "a: ".repeat(10_000);
        let _ = LineIndex::new(&deep_maps).line_of("a.a.a");
        let _ = LineIndex::new("? [a, b]\n: c\nd: e\n").line_of("d");
    }
}
