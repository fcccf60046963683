//! docs/demo.md's flow catalogue is a golden test: every row is traced on
//! the embedded demo network and must give exactly the listed device
//! sequence(s) — `{A | B}` being an ECMP split — and disposition.

use std::collections::BTreeSet;

use pathtrace_engine::trace::Node;
use pathtrace_engine::{DataPlane, Flow, Protocol};

struct Row {
    number: String,
    flow: Flow,
    paths: BTreeSet<Vec<String>>,
    disposition: String,
}

/// Expand "A → {B \| C} → D" into every sequence it stands for.
fn expand(path: &str) -> BTreeSet<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for part in path.split(" → ") {
        let part = part.trim();
        let options: Vec<String> =
            if let Some(inner) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                inner.split("\\|").map(|s| s.trim().to_string()).collect()
            } else {
                vec![part.to_string()]
            };
        out = out
            .into_iter()
            .flat_map(|prefix| {
                options.iter().map(move |o| {
                    let mut v = prefix.clone();
                    v.push(o.clone());
                    v
                })
            })
            .collect();
    }
    out.into_iter().collect()
}

fn parse_rows(doc: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    for line in doc.lines() {
        let cells: Vec<&str> = line.split(" | ").map(str::trim).collect();
        // | # | src → dst | protocol/ports | path | disposition | what it shows |
        if cells.len() < 6
            || !cells[0]
                .trim_start_matches('|')
                .trim()
                .chars()
                .all(|c| c.is_ascii_digit())
        {
            continue;
        }
        let number = cells[0].trim_start_matches('|').trim().to_string();
        if number.is_empty() {
            continue;
        }
        let Some((src, dst)) = cells[1].split_once(" → ") else {
            continue;
        };
        let mut flow = Flow::new(
            src.trim().parse().expect("src"),
            dst.trim().parse().expect("dst"),
        );
        let proto = cells[2];
        if proto != "any" {
            let mut it = proto.split(", ");
            flow.protocol = Some(it.next().unwrap().parse::<Protocol>().expect("protocol"));
            for p in it {
                if let Some(n) = p.strip_prefix("dst port ") {
                    flow.dst_port = Some(n.parse().expect("dst port"));
                } else if let Some(n) = p.strip_prefix("src port ") {
                    flow.src_port = Some(n.parse().expect("src port"));
                }
            }
        }
        rows.push(Row {
            number,
            flow,
            paths: expand(cells[3]),
            disposition: cells[4].to_string(),
        });
    }
    rows
}

fn name(dp: &DataPlane, n: Node) -> String {
    match n {
        Node::Device(d) => dp.devices[d as usize].name.clone(),
        Node::Host(h) => dp.hosts[h as usize].ip.addr().to_string(),
        Node::Address(ip) => ip.to_string(),
        Node::Cloud(_) => "UNKNOWN".to_string(),
    }
}

#[test]
fn demo_doc_flows_match_the_engine() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/demo.md"))
        .unwrap();
    let rows = parse_rows(&doc);
    assert!(rows.len() >= 14, "docs/demo.md lists {} flows", rows.len());
    let dp = pathtrace_engine::build(&pathtrace_model::demo::demo().unwrap());
    let mut failures = Vec::new();
    for row in &rows {
        let t = pathtrace_engine::trace(&dp, &row.flow).unwrap();
        // Paths without the source host (the doc starts at the first device).
        let got: BTreeSet<Vec<String>> = t
            .branches
            .iter()
            .map(|b| b.hops.iter().skip(1).map(|h| name(&dp, h.node)).collect())
            .collect();
        let dispositions: BTreeSet<&str> =
            t.branches.iter().map(|b| b.disposition.as_str()).collect();
        if got != row.paths || dispositions != BTreeSet::from([row.disposition.as_str()]) {
            failures.push(format!(
                "flow {} ({}): doc says {:?} {}, engine gives {:?} {:?}",
                row.number, row.flow, row.paths, row.disposition, got, dispositions
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
