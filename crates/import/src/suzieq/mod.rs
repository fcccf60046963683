//! SuzieQ parquet snapshots: read one namespace ([`read_namespace`]) into a
//! [`Snapshot`] of typed rows, then [`convert`] it into the model.
//!
//! Reading keeps the latest active row per record (as SuzieQ does) and
//! normalises vendor names once ([`normalise`]); conversion maps what the
//! model can represent and reports what it left out ([`Conversion`]).
//! docs/import.md lists what is read, what converts and what does not yet.

mod convert;
mod error;
mod files;
pub mod normalise;
mod observed;
pub mod rows;
mod telemetry;

use std::collections::BTreeSet;
use std::path::Path;

pub use convert::{Conversion, convert};
pub use error::ImportError;
pub use rows::{
    ArpNdRow, DevconfigRow, DeviceRow, EvpnVniRow, IfCountersRow, InterfaceRow, LldpRow, MacRow,
    Meta, MlagRow, ProcessRow, RouteRow, TopCpuRow, TopMemRow, VlanRow,
};

use rows::Row;

/// Every table this reader knows, required ones first.
pub const TABLES: &[&str] = &[
    "device",
    "interfaces",
    "routes",
    "arpnd",
    "macs",
    "lldp",
    "mlag",
    "evpnVni",
    "vlan",
    "ifCounters",
    "topcpu",
    "topmem",
    "devconfig",
];

/// Tables without which a namespace cannot be imported.
pub const REQUIRED_TABLES: &[&str] = &["device", "interfaces", "routes"];

/// One namespace of a SuzieQ snapshot: the latest active rows of each table,
/// sorted by hostname then key, with vendor names normalised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// The namespace.
    pub namespace: String,
    /// `device`.
    pub devices: Vec<DeviceRow>,
    /// `interfaces`.
    pub interfaces: Vec<InterfaceRow>,
    /// `routes`.
    pub routes: Vec<RouteRow>,
    /// `arpnd`.
    pub arpnd: Vec<ArpNdRow>,
    /// `macs`.
    pub macs: Vec<MacRow>,
    /// `lldp`.
    pub lldp: Vec<LldpRow>,
    /// `mlag`.
    pub mlag: Vec<MlagRow>,
    /// `evpnVni`.
    pub evpn_vni: Vec<EvpnVniRow>,
    /// `vlan`.
    pub vlans: Vec<VlanRow>,
    /// `ifCounters`.
    pub if_counters: Vec<IfCountersRow>,
    /// `topcpu`.
    pub topcpu: Vec<TopCpuRow>,
    /// `topmem`.
    pub topmem: Vec<TopMemRow>,
    /// `devconfig`.
    pub devconfig: Vec<DevconfigRow>,
    /// Optional tables with no data for this namespace.
    pub absent_tables: Vec<&'static str>,
}

impl Snapshot {
    /// Number of rows kept for `table` (a name from [`TABLES`]); `None` for an unknown name.
    pub fn count(&self, table: &str) -> Option<usize> {
        Some(match table {
            "device" => self.devices.len(),
            "interfaces" => self.interfaces.len(),
            "routes" => self.routes.len(),
            "arpnd" => self.arpnd.len(),
            "macs" => self.macs.len(),
            "lldp" => self.lldp.len(),
            "mlag" => self.mlag.len(),
            "evpnVni" => self.evpn_vni.len(),
            "vlan" => self.vlans.len(),
            "ifCounters" => self.if_counters.len(),
            "topcpu" => self.topcpu.len(),
            "topmem" => self.topmem.len(),
            "devconfig" => self.devconfig.len(),
            _ => return None,
        })
    }
}

/// The namespaces present in a SuzieQ parquet directory (in any table this
/// reader knows), sorted.
pub fn list_namespaces(dir: &Path) -> Result<Vec<String>, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
        });
    }
    let mut set = BTreeSet::new();
    for t in TABLES {
        set.extend(files::namespaces_of(&dir.join(t))?);
    }
    Ok(set.into_iter().collect())
}

/// Read and select the rows of one table; `Ok(None)` when it has no files.
fn read_table<R: Row>(dir: &Path, ns: &str) -> Result<Option<Vec<R>>, ImportError> {
    let tf = files::table_files(dir, R::TABLE, R::VERSIONS, ns)?;
    if tf.is_empty() {
        return Ok(None);
    }
    let mut all = Vec::new();
    for f in &tf {
        let batches = files::read_file(R::TABLE, &f.path, R::COLUMNS)?;
        all.extend(rows::decode_batches::<R>(&f.path, &f.hostname, &batches)?);
    }
    Ok(Some(rows::latest(all)))
}

/// Read one namespace of a SuzieQ parquet directory (the folder holding
/// `device/`, `interfaces/`, `routes/`, …).
///
/// Errors: the namespace is absent; a required table (device, interfaces,
/// routes) has no file for it; a `sqvers=` directory of an unknown version;
/// an unreadable or corrupt file, or a needed column of the wrong type —
/// each naming the table and the file.
pub fn read_namespace(dir: &Path, namespace: &str) -> Result<Snapshot, ImportError> {
    let present = list_namespaces(dir)?;
    if !present.iter().any(|n| n == namespace) {
        return Err(ImportError::NamespaceNotFound {
            namespace: namespace.to_string(),
            dir: dir.to_path_buf(),
            present: present.join(", "),
        });
    }
    let mut snap = Snapshot {
        namespace: namespace.to_string(),
        ..Snapshot::default()
    };
    let required = |t: &'static str| ImportError::MissingTable {
        table: t,
        namespace: namespace.to_string(),
        path: dir
            .join(t)
            .join("sqvers=*")
            .join(format!("namespace={namespace}")),
    };
    snap.devices = read_table(dir, namespace)?.ok_or_else(|| required("device"))?;
    snap.interfaces = read_table(dir, namespace)?.ok_or_else(|| required("interfaces"))?;
    snap.routes = read_table(dir, namespace)?.ok_or_else(|| required("routes"))?;
    let mut absent = Vec::new();
    macro_rules! optional {
        ($field:ident, $t:ty) => {
            match read_table::<$t>(dir, namespace)? {
                Some(v) => snap.$field = v,
                None => absent.push(<$t as Row>::TABLE),
            }
        };
    }
    optional!(arpnd, ArpNdRow);
    optional!(macs, MacRow);
    optional!(lldp, LldpRow);
    optional!(mlag, MlagRow);
    optional!(evpn_vni, EvpnVniRow);
    optional!(vlans, VlanRow);
    optional!(if_counters, IfCountersRow);
    optional!(topcpu, TopCpuRow);
    optional!(topmem, TopMemRow);
    optional!(devconfig, DevconfigRow);
    snap.absent_tables = absent;
    normalise::snapshot(&mut snap);
    Ok(snap)
}
