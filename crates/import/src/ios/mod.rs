//! Cisco IOS configuration snapshots in Batfish's layout: parsing, the
//! coverage report and the conversion into the model ([`to_network`]).
//!
//! A snapshot is a directory with `configs/` (one IOS running configuration
//! per file), `hosts/*.json` and `iptables/*.iptables` (end hosts and their
//! filter rules), an optional `interface_blacklist` and an optional layer-1
//! topology. [`read_snapshot`] reads all of it into typed structures where
//! every item keeps its line number; [`coverage`] reports, per file, which
//! lines were understood and lists the others by feature (docs/import.md).
//!
//! ```no_run
//! let snap = pathtrace_import::ios::read_snapshot(std::path::Path::new("snap"))?;
//! print!("{}", pathtrace_import::ios::coverage(&snap));
//! # Ok::<(), pathtrace_import::ios::SnapshotError>(())
//! ```

pub mod convert;
mod coverage;
mod hosts;
mod parser;
mod snapshot;
pub mod synth;
mod types;

pub use convert::{IosConversion, to_network};
pub use coverage::{Coverage, ErrorRef, FeatureGroup, FileCoverage, LineRef, coverage};
pub use hosts::{
    BlacklistEntry, Host, HostInterface, InterfaceBlacklist, IptablesChain, IptablesFile,
    IptablesRule, IptablesTable, Layer1End, Layer1Topology, parse_blacklist, parse_host,
    parse_iptables, parse_layer1,
};
pub use parser::parse_config;
pub use snapshot::{IosSnapshot, SnapshotError, read_snapshot};
pub use types::*;

#[cfg(test)]
mod tests;
