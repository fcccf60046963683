//! pathtrace-import: what a network *reported*, turned into the model.
//!
//! Importers read collected state and produce a [`pathtrace_model::Network`];
//! the engine never parses files. So far one source is supported:
//! [`suzieq`], SuzieQ parquet snapshots (docs/import.md).

pub mod suzieq;

pub use suzieq::{Conversion, ImportError, Snapshot, convert, list_namespaces, read_namespace};
