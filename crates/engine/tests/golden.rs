//! Golden trace tests, as data: one folder per case under `tests/golden/`
//! (at the repository root) holding `case.yaml` (description, network —
//! `demo` or a model file relative to the case folder — and flow; optionally
//! `inclusions` and the analysis time `nowMs`) and `expected.json` (the DNA
//! Center outcome and path, and the engine's full trace; with inclusions
//! also the top-level `detailedStatus` and the full `networkElementsInfo`,
//! statistics from the demo's simulated telemetry or the model file's
//! collected `telemetry:` section). Run with `PATHTRACE_BLESS=1` to
//! (re)write every `expected.json` from the current engine; review the diff
//! before committing it.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use pathtrace_engine::view::telemetry::{CollectedTelemetry, SimulatedTelemetry, TelemetrySource};
use pathtrace_engine::view::{dnac, json};
use pathtrace_engine::{DataPlane, Flow};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    network: String,
    flow: Flow,
    #[serde(default)]
    inclusions: Vec<String>,
    #[serde(default, rename = "nowMs")]
    now_ms: Option<i64>,
}

/// A network's data plane and its telemetry source, as the server pairs them.
struct Plane {
    dp: DataPlane,
    telemetry: Box<dyn TelemetrySource>,
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden")
}

fn load_network(case_dir: &Path, network: &str) -> anyhow::Result<pathtrace_model::Network> {
    if network == "demo" {
        return Ok(pathtrace_model::demo::demo()?);
    }
    let path = case_dir.join(network);
    Ok(pathtrace_model::load_file(&path)?)
}

fn actual(plane: &Plane, case: &Case) -> anyhow::Result<Value> {
    let dp = &plane.dp;
    let t = pathtrace_engine::trace(dp, &case.flow)?;
    let (status, _) = dnac::status(&t);
    let path: Vec<String> = dnac::select_branch(&t)
        .map(|i| dnac::network_elements(dp, &t.branches[i]))
        .unwrap_or_default()
        .into_iter()
        .map(|e| format!("{}: {}", e.name.as_deref().unwrap_or("None"), e.ip))
        .collect();
    let mut out = json!({
        "description": case.description,
        "status": status,
        "dnacPath": path,
        "trace": json::trace(dp, &t),
    });
    if !case.inclusions.is_empty() {
        let inclusions = dnac::Inclusions::parse(&case.inclusions).map_err(anyhow::Error::msg)?;
        let now = case.now_ms.context("a case with inclusions needs nowMs")?;
        let branch = dnac::select_branch(&t).map(|i| &t.branches[i]);
        let elements = branch.map(|b| {
            dnac::network_elements_with(dp, &t.flow, b, inclusions, plane.telemetry.as_ref(), now)
        });
        out["detailedStatus"] = serde_json::to_value(dnac::detailed_status(branch))?;
        out["networkElementsInfo"] = serde_json::to_value(elements.unwrap_or_default())?;
    }
    Ok(out)
}

#[test]
fn golden_traces() -> anyhow::Result<()> {
    let bless = std::env::var_os("PATHTRACE_BLESS").is_some();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(golden_dir())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("case.yaml").is_file())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 25,
        "expected the golden cases, found {}",
        dirs.len()
    );
    let mut planes: HashMap<PathBuf, Plane> = HashMap::new();
    let mut failures = Vec::new();
    let mut dispositions = BTreeSet::new();
    for dir in &dirs {
        let text = std::fs::read_to_string(dir.join("case.yaml"))?;
        let case: Case = serde_saphyr::from_str(&text)
            .with_context(|| format!("{}/case.yaml", dir.display()))?;
        let key = if case.network == "demo" {
            PathBuf::from("demo")
        } else {
            dir.join(&case.network).canonicalize()?
        };
        if !planes.contains_key(&key) {
            let net =
                load_network(dir, &case.network).with_context(|| format!("{}", dir.display()))?;
            let dp = pathtrace_engine::build(&net);
            let telemetry: Box<dyn TelemetrySource> = if case.network == "demo" {
                Box::new(SimulatedTelemetry)
            } else {
                Box::new(CollectedTelemetry::new(&dp, &net.telemetry))
            };
            planes.insert(key.clone(), Plane { dp, telemetry });
        }
        let got = actual(&planes[&key], &case)?;
        for b in got["trace"]["branches"].as_array().into_iter().flatten() {
            dispositions.insert(b["disposition"].as_str().unwrap_or_default().to_string());
        }
        let expected_path = dir.join("expected.json");
        let rendered = serde_json::to_string_pretty(&got)? + "\n";
        if bless {
            std::fs::write(&expected_path, &rendered)?;
            continue;
        }
        let Ok(expected) = std::fs::read_to_string(&expected_path) else {
            failures.push(format!(
                "{}: no expected.json (run with PATHTRACE_BLESS=1)",
                dir.display()
            ));
            continue;
        };
        let expected: Value = serde_json::from_str(&expected)?;
        if expected != got {
            failures.push(format!(
                "{}: trace differs from expected.json\n--- expected\n{}\n--- actual\n{}",
                dir.display(),
                serde_json::to_string_pretty(&expected)?,
                rendered
            ));
        }
    }
    if !failures.is_empty() {
        bail!(
            "{} golden case(s) failed:\n{}",
            failures.len(),
            failures.join("\n\n")
        );
    }
    for d in [
        "ACCEPTED",
        "DELIVERED_TO_SUBNET",
        "EXITS_NETWORK",
        "DENIED_IN",
        "DENIED_OUT",
        "NO_ROUTE",
        "NULL_ROUTED",
        "NEIGHBOR_UNREACHABLE",
        "INSUFFICIENT_INFO",
        "LOOP",
    ] {
        assert!(dispositions.contains(d), "no golden case ends {d}");
    }
    Ok(())
}
