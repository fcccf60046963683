//! `pathtrace serve --suzieq DIR --namespace NS`: a SuzieQ parquet snapshot
//! (one namespace, converted into a model as `import suzieq` does) served
//! like a `--network` file.
//!
//! The snapshot is read and converted once before the server starts (an
//! unreadable directory or an unknown namespace is a usage error, exit 2);
//! a reload (SIGHUP, `POST /api/v1/pathtrace/network/reload`) reads and
//! converts the directory again, and serves it as a new snapshot version
//! when the resulting model changed. What the conversion left out is
//! summarised on standard error each time.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use pathtrace_server::config::NetworkLoader;

/// Read and convert `ns` of `dir` into a model's YAML text.
fn model_text(dir: &Path, ns: &str) -> Result<String, String> {
    let snap = pathtrace_import::read_namespace(dir, ns).map_err(|e| e.to_string())?;
    let conv = pathtrace_import::convert(&snap);
    if !conv.warnings.is_empty() {
        eprintln!(
            "note: {} kind(s) of state were left out of the model (pathtrace import suzieq {} -n {ns} --report)",
            conv.warnings.len(),
            dir.display()
        );
    }
    serde_saphyr::to_string(&conv.network).map_err(|e| format!("writing the model: {e}"))
}

/// The loader the server calls for `--suzieq DIR --namespace NS`. The
/// namespace is read now, so that a bad directory or namespace stops the
/// command before it serves; without `--namespace` the error lists the
/// namespaces present.
pub fn loader(dir: &Path, ns: Option<&str>) -> Result<NetworkLoader, String> {
    let Some(ns) = ns else {
        let present = pathtrace_import::list_namespaces(dir).map_err(|e| e.to_string())?;
        return Err(if present.is_empty() {
            format!(
                "--suzieq needs --namespace, and {} holds no namespace",
                dir.display()
            )
        } else {
            format!(
                "--suzieq needs --namespace; the namespaces in {} are: {}",
                dir.display(),
                present.join(", ")
            )
        });
    };
    let first = model_text(dir, ns)?;
    // The start uses the text read above; every later call reads again.
    let pending = Mutex::new(Some(first));
    let (dir, ns): (PathBuf, String) = (dir.to_path_buf(), ns.to_string());
    let label = format!("{} namespace {ns}", dir.display());
    Ok(NetworkLoader {
        label,
        load: Arc::new(move || {
            let cached = pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            match cached {
                Some(text) => Ok(text),
                None => model_text(&dir, &ns),
            }
        }),
    })
}
