//! Errors of the SuzieQ reader: each names the table and the file involved.

use std::path::PathBuf;

/// Why a SuzieQ directory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A directory or file could not be listed or opened.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The namespace has no data in any table of the directory.
    #[error("namespace {namespace:?} not found in {dir} (namespaces present: {present})")]
    NamespaceNotFound {
        /// The namespace asked for.
        namespace: String,
        /// The SuzieQ parquet directory.
        dir: PathBuf,
        /// The namespaces found, comma separated.
        present: String,
    },
    /// A required table (device, interfaces, routes) has no data for the namespace.
    #[error("required table {table} is missing for namespace {namespace:?}: no files under {path}")]
    MissingTable {
        /// The table.
        table: &'static str,
        /// The namespace.
        namespace: String,
        /// Where its files were expected.
        path: PathBuf,
    },
    /// A `sqvers=` directory this reader does not know.
    #[error("table {table}: unknown schema version {version:?} in {path} (supported: {supported})")]
    UnknownSchemaVersion {
        /// The table.
        table: &'static str,
        /// The version found.
        version: String,
        /// The `sqvers=` directory.
        path: PathBuf,
        /// The versions this reader supports.
        supported: &'static str,
    },
    /// A parquet file could not be decoded (truncated, corrupt, not parquet).
    #[error("table {table}: cannot read {path}: {message}")]
    Parquet {
        /// The table.
        table: &'static str,
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        message: String,
    },
    /// A column the reader needs is absent or has an unexpected type.
    #[error("table {table}: {path}: column {column}: {message}")]
    Column {
        /// The table.
        table: &'static str,
        /// The file.
        path: PathBuf,
        /// The column.
        column: &'static str,
        /// What is wrong.
        message: String,
    },
}
