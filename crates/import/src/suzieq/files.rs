//! The Hive layout of a SuzieQ parquet directory and decoding of its files.
//!
//! `TABLE/sqvers=V/namespace=NS/hostname=H/*.parquet`: the schema version,
//! namespace and hostname live only in the path. [`Columns`] gives typed,
//! per-row access to the columns of one decoded batch, accepting the arrow
//! types SuzieQ writes (and the close relatives another writer might use).

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::error::ImportError;

/// One parquet file of a table, with the host its path names.
#[derive(Debug, Clone)]
pub(crate) struct TableFile {
    /// The `hostname=` partition.
    pub hostname: String,
    /// The file.
    pub path: PathBuf,
}

/// Read a directory's entries, sorted by name (deterministic order).
fn entries(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let rd = std::fs::read_dir(dir).map_err(|source| ImportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for e in rd {
        let e = e.map_err(|source| ImportError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        out.push(e.path());
    }
    out.sort();
    Ok(out)
}

/// The value of a `key=value` directory name.
fn partition<'a>(path: &'a Path, key: &str) -> Option<&'a str> {
    path.file_name()?
        .to_str()?
        .strip_prefix(key)?
        .strip_prefix('=')
}

/// Namespaces present under one table directory (empty when it does not exist).
pub(crate) fn namespaces_of(table_dir: &Path) -> Result<Vec<String>, ImportError> {
    let mut out = Vec::new();
    if !table_dir.is_dir() {
        return Ok(out);
    }
    for v in entries(table_dir)? {
        if partition(&v, "sqvers").is_none() || !v.is_dir() {
            continue;
        }
        for ns in entries(&v)? {
            if let Some(n) = partition(&ns, "namespace") {
                out.push(n.to_string());
            }
        }
    }
    Ok(out)
}

/// Every parquet file of `table` for namespace `ns`, checking the schema
/// version of each `sqvers=` directory against `supported`.
pub(crate) fn table_files(
    dir: &Path,
    table: &'static str,
    supported: &'static [&'static str],
    ns: &str,
) -> Result<Vec<TableFile>, ImportError> {
    let table_dir = dir.join(table);
    let mut out = Vec::new();
    if !table_dir.is_dir() {
        return Ok(out);
    }
    for vdir in entries(&table_dir)? {
        let Some(version) = partition(&vdir, "sqvers") else {
            continue;
        };
        let ns_dir = vdir.join(format!("namespace={ns}"));
        if !ns_dir.is_dir() {
            continue;
        }
        if !supported.contains(&version) {
            return Err(ImportError::UnknownSchemaVersion {
                table,
                version: version.to_string(),
                path: vdir.clone(),
                supported: supported_list(supported),
            });
        }
        for hdir in entries(&ns_dir)? {
            let Some(host) = partition(&hdir, "hostname") else {
                continue;
            };
            if !hdir.is_dir() {
                continue;
            }
            for f in entries(&hdir)? {
                if f.extension().is_some_and(|e| e == "parquet") {
                    out.push(TableFile {
                        hostname: host.to_string(),
                        path: f,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// The supported versions as text (for messages).
fn supported_list(v: &'static [&'static str]) -> &'static str {
    match v {
        ["1.0"] => "1.0",
        ["2.0"] => "2.0",
        ["3.0"] => "3.0",
        _ => "see docs/import.md",
    }
}

/// Decode the named columns of one file (absent columns are simply not
/// read; [`Columns`] reports them when asked for).
pub(crate) fn read_file(
    table: &'static str,
    path: &Path,
    columns: &[&str],
) -> Result<Vec<RecordBatch>, ImportError> {
    let perr = |e: &dyn std::fmt::Display| ImportError::Parquet {
        table,
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = File::open(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| perr(&e))?;
    let roots: Vec<usize> = builder
        .schema()
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| columns.contains(&f.name().as_str()))
        .map(|(i, _)| i)
        .collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_projection(mask)
        .build()
        .map_err(|e| perr(&e))?;
    let mut out = Vec::new();
    for batch in reader {
        out.push(batch.map_err(|e| perr(&e))?);
    }
    Ok(out)
}

/// Typed access to the columns of one batch, for error messages tied to a
/// table and file.
pub(crate) struct Columns<'a> {
    table: &'static str,
    path: &'a Path,
    batch: &'a RecordBatch,
}

/// A string column.
pub(crate) enum StrCol<'a> {
    /// `Utf8`.
    Small(&'a arrow_array::StringArray),
    /// `LargeUtf8`.
    Large(&'a arrow_array::LargeStringArray),
    /// `Utf8View`.
    View(&'a arrow_array::StringViewArray),
    /// Absent (optional column).
    Absent,
}

impl StrCol<'_> {
    /// The value of row `i` ("" when null or absent).
    pub fn get(&self, i: usize) -> &str {
        match self {
            StrCol::Small(a) if a.is_valid(i) => a.value(i),
            StrCol::Large(a) if a.is_valid(i) => a.value(i),
            StrCol::View(a) if a.is_valid(i) => a.value(i),
            _ => "",
        }
    }
}

/// An integer (or float) column read as i64 / f64.
pub(crate) struct NumCol<'a>(Option<&'a ArrayRef>);

impl NumCol<'_> {
    /// Row `i` as an integer (floats truncated), `None` when null or absent.
    pub fn int(&self, i: usize) -> Option<i64> {
        let a = self.0?;
        if a.is_null(i) {
            return None;
        }
        Some(match a.data_type() {
            DataType::Int64 => a.as_primitive::<Int64Type>().value(i),
            DataType::Int32 => i64::from(a.as_primitive::<Int32Type>().value(i)),
            DataType::Int16 => i64::from(a.as_primitive::<Int16Type>().value(i)),
            DataType::Int8 => i64::from(a.as_primitive::<Int8Type>().value(i)),
            DataType::Float64 => a.as_primitive::<Float64Type>().value(i) as i64,
            DataType::Float32 => a.as_primitive::<Float32Type>().value(i) as i64,
            _ => return None,
        })
    }

    /// Row `i` as a float, `None` when null or absent.
    pub fn float(&self, i: usize) -> Option<f64> {
        let a = self.0?;
        if a.is_null(i) {
            return None;
        }
        match a.data_type() {
            DataType::Float64 => Some(a.as_primitive::<Float64Type>().value(i)),
            DataType::Float32 => Some(f64::from(a.as_primitive::<Float32Type>().value(i))),
            _ => self.int(i).map(|v| v as f64),
        }
    }
}

impl<'a> Columns<'a> {
    /// Wrap a batch read from `path` of `table`.
    pub fn new(table: &'static str, path: &'a Path, batch: &'a RecordBatch) -> Self {
        Columns { table, path, batch }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.batch.num_rows()
    }

    fn err(&self, column: &'static str, message: String) -> ImportError {
        ImportError::Column {
            table: self.table,
            path: self.path.to_path_buf(),
            column,
            message,
        }
    }

    fn column(
        &self,
        name: &'static str,
        required: bool,
    ) -> Result<Option<&'a ArrayRef>, ImportError> {
        match self.batch.column_by_name(name) {
            Some(c) => Ok(Some(c)),
            None if required => Err(self.err(name, "missing".into())),
            None => Ok(None),
        }
    }

    /// A string column; `required` makes its absence an error.
    pub fn str(&self, name: &'static str, required: bool) -> Result<StrCol<'a>, ImportError> {
        let Some(c) = self.column(name, required)? else {
            return Ok(StrCol::Absent);
        };
        match c.data_type() {
            DataType::Utf8 => Ok(StrCol::Small(c.as_string::<i32>())),
            DataType::LargeUtf8 => Ok(StrCol::Large(c.as_string::<i64>())),
            DataType::Utf8View => Ok(StrCol::View(c.as_string_view())),
            t => Err(self.err(name, format!("expected a string column, found {t}"))),
        }
    }

    /// A numeric column; `required` makes its absence an error.
    pub fn num(&self, name: &'static str, required: bool) -> Result<NumCol<'a>, ImportError> {
        let Some(c) = self.column(name, required)? else {
            return Ok(NumCol(None));
        };
        if c.data_type().is_numeric() {
            Ok(NumCol(Some(c)))
        } else {
            Err(self.err(
                name,
                format!("expected a number column, found {}", c.data_type()),
            ))
        }
    }

    /// A boolean column read per row (`default` when null or absent).
    pub fn bools(&self, name: &'static str, default: bool) -> Result<Vec<bool>, ImportError> {
        let Some(c) = self.column(name, false)? else {
            return Ok(vec![default; self.len()]);
        };
        let DataType::Boolean = c.data_type() else {
            return Err(self.err(
                name,
                format!("expected a boolean column, found {}", c.data_type()),
            ));
        };
        let a = c.as_boolean();
        Ok((0..self.len())
            .map(|i| if a.is_valid(i) { a.value(i) } else { default })
            .collect())
    }

    /// A list-of-strings column read per row (empty lists when absent).
    pub fn str_lists(&self, name: &'static str) -> Result<Vec<Vec<String>>, ImportError> {
        let Some(c) = self.column(name, false)? else {
            return Ok(vec![Vec::new(); self.len()]);
        };
        let list = match c.data_type() {
            DataType::List(_) => c.as_list::<i32>(),
            t => return Err(self.err(name, format!("expected a list of strings, found {t}"))),
        };
        let values = list.values();
        let strs = match values.data_type() {
            DataType::Utf8 => values.as_string::<i32>(),
            t => {
                return Err(self.err(
                    name,
                    format!("expected a list of strings, found a list of {t}"),
                ));
            }
        };
        let offsets = list.value_offsets();
        Ok((0..self.len())
            .map(|i| {
                if list.is_null(i) {
                    return Vec::new();
                }
                let (s, e) = (offsets[i] as usize, offsets[i + 1] as usize);
                (s..e)
                    .filter(|&j| strs.is_valid(j))
                    .map(|j| strs.value(j).to_string())
                    .collect()
            })
            .collect())
    }
}
