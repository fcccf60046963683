//! `pathtrace serve --snapshot DIR`: a Cisco IOS snapshot in Batfish's
//! layout (converted into a model as `import --snapshot` does) served like
//! a `--network` file.
//!
//! The snapshot is read and converted once before the server starts (a
//! missing directory, one without configurations, or a conversion that does
//! not validate is a usage error, exit 2); a reload (SIGHUP, `POST
//! /api/v1/pathtrace/network/reload`) reads and converts the directory
//! again, and serves it as a new snapshot version when the resulting model
//! changed. The number of warnings (what the model cannot express) is noted
//! on standard error each time; `pathtrace import --snapshot DIR` lists them.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use pathtrace_server::config::NetworkLoader;

/// Read and convert `dir` into a model's YAML text.
fn model_text(dir: &Path) -> Result<String, String> {
    let conv = crate::import_cmd::snapshot(dir)?;
    if !conv.warnings.is_empty() {
        eprintln!(
            "note: {} warning(s) converting {}: what the model cannot express or the conversion left out (pathtrace import --snapshot {} lists them)",
            conv.warnings.len(),
            dir.display(),
            dir.display()
        );
    }
    serde_saphyr::to_string(&conv.network).map_err(|e| format!("writing the model: {e}"))
}

/// The loader the server calls for `--snapshot DIR`. The snapshot is read
/// and converted now, so that a bad directory stops the command before it
/// serves.
pub fn loader(dir: &Path) -> Result<NetworkLoader, String> {
    let first = model_text(dir)?;
    // The start uses the text read above; every later call reads again.
    let pending = Mutex::new(Some(first));
    let dir: PathBuf = dir.to_path_buf();
    Ok(NetworkLoader {
        label: dir.display().to_string(),
        load: Arc::new(move || {
            let cached = pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            match cached {
                Some(text) => Ok(text),
                None => model_text(&dir),
            }
        }),
    })
}
