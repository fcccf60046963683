//! Reading a snapshot directory in Batfish's layout: `configs/` (every file,
//! whatever its name, in name order), `hosts/*.json`, `iptables/*.iptables`,
//! an optional `interface_blacklist` and an optional layer-1 topology
//! (`layer1_topology.json` or `batfish/layer1_topology.json`).

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::hosts::{
    Host, InterfaceBlacklist, IptablesFile, Layer1Topology, parse_blacklist, parse_host,
    parse_iptables, parse_layer1,
};
use super::parser::parse_config;
use super::types::IosConfig;

/// Why a snapshot could not be read at all. Problems inside a file are not
/// errors: they are recorded in that file's account and the rest is read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The path does not exist or is not a directory.
    #[error("{path}: not a snapshot directory (no such directory)")]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// The directory has no `configs/` folder, or it holds no file.
    #[error("{path}: no device configurations (expected files in {path}/configs/)")]
    NoConfigs {
        /// The snapshot directory.
        path: PathBuf,
    },
    /// A file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Everything read from one snapshot directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IosSnapshot {
    /// The directory as given.
    pub dir: PathBuf,
    /// One entry per file of `configs/`, in file-name order.
    pub configs: Vec<IosConfig>,
    /// `hosts/*.json`, in file-name order.
    pub hosts: Vec<Host>,
    /// `iptables/*.iptables`, in file-name order.
    pub iptables: Vec<IptablesFile>,
    /// `interface_blacklist`, when present.
    pub interface_blacklist: Option<InterfaceBlacklist>,
    /// The layer-1 topology inside the snapshot, when present.
    pub layer1: Option<Layer1Topology>,
}

impl IosSnapshot {
    /// The configuration whose `hostname` is `name`.
    pub fn config(&self, name: &str) -> Option<&IosConfig> {
        self.configs
            .iter()
            .find(|c| c.hostname.as_ref().is_some_and(|h| h.value == name))
    }

    /// The iptables file a host names (`iptablesFile`), if it was read.
    pub fn iptables_of(&self, host: &Host) -> Option<&IptablesFile> {
        let want = host.iptables_file.as_deref()?;
        self.iptables.iter().find(|f| f.account.file == want)
    }

    /// Every file's account, in report order: configurations, hosts,
    /// iptables, blacklist, layer-1 topology.
    pub fn accounts(&self) -> impl Iterator<Item = &super::FileAccount> {
        self.configs
            .iter()
            .map(|c| &c.account)
            .chain(self.hosts.iter().map(|h| &h.account))
            .chain(self.iptables.iter().map(|f| &f.account))
            .chain(self.interface_blacklist.iter().map(|b| &b.account))
            .chain(self.layer1.iter().map(|l| &l.account))
    }
}

/// Read a file as text; bytes that are not UTF-8 become U+FFFD.
fn read_text(path: &Path) -> Result<String, SnapshotError> {
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|source| SnapshotError::Io {
            path: path.to_owned(),
            source,
        })
}

/// The regular files of `dir` (none when it does not exist), sorted by
/// name, whose name ends with `suffix`. Hidden files are skipped.
fn files(dir: &Path, suffix: &str) -> Result<Vec<(String, PathBuf)>, SnapshotError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let io = |source| SnapshotError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !name.ends_with(suffix) {
            continue;
        }
        let path = entry.path();
        if path.is_file() {
            out.push((name, path));
        }
    }
    out.sort();
    Ok(out)
}

/// Read a snapshot directory. Fails only when `dir` is not a directory, has
/// no configuration, or a file cannot be read; what a file says that the
/// parser cannot read is recorded in its account.
pub fn read_snapshot(dir: &Path) -> Result<IosSnapshot, SnapshotError> {
    if !dir.is_dir() {
        return Err(SnapshotError::NotADirectory {
            path: dir.to_owned(),
        });
    }
    let mut snap = IosSnapshot {
        dir: dir.to_owned(),
        ..IosSnapshot::default()
    };
    for (name, path) in files(&dir.join("configs"), "")? {
        let text = read_text(&path)?;
        snap.configs
            .push(parse_config(&format!("configs/{name}"), &text));
    }
    if snap.configs.is_empty() {
        return Err(SnapshotError::NoConfigs {
            path: dir.to_owned(),
        });
    }
    for (name, path) in files(&dir.join("hosts"), ".json")? {
        let text = read_text(&path)?;
        snap.hosts.push(parse_host(&format!("hosts/{name}"), &text));
    }
    for (name, path) in files(&dir.join("iptables"), ".iptables")? {
        let text = read_text(&path)?;
        snap.iptables
            .push(parse_iptables(&format!("iptables/{name}"), &text));
    }
    let blacklist = dir.join("interface_blacklist");
    if blacklist.is_file() {
        let text = read_text(&blacklist)?;
        snap.interface_blacklist = Some(parse_blacklist("interface_blacklist", &text));
    }
    for rel in ["layer1_topology.json", "batfish/layer1_topology.json"] {
        let path = dir.join(rel);
        if path.is_file() {
            let text = read_text(&path)?;
            snap.layer1 = Some(parse_layer1(rel, &text));
            break;
        }
    }
    Ok(snap)
}
