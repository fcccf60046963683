//! pathtrace-import: what a network *reported*, turned into the model.
//!
//! Importers read collected state and produce a [`pathtrace_model::Network`];
//! the engine never parses files. Sources: [`suzieq`], SuzieQ parquet
//! snapshots (docs/import.md); [`ios`], Cisco IOS configuration snapshots in
//! Batfish's layout (parsing with a coverage report, conversion into the
//! model; docs/import.md).

pub mod ios;
pub mod suzieq;

pub use suzieq::{Conversion, ImportError, Snapshot, convert, list_namespaces, read_namespace};
