//! Typed rows of the SuzieQ tables this importer reads (only the columns it
//! needs), and the selection of the latest active row per key.
//!
//! SuzieQ appends a row whenever a polled record changes; a record's current
//! state is its row with the greatest `timestamp`, and a record whose latest
//! row has `active == false` was deleted. [`latest`] applies that rule, with
//! each table's key as SuzieQ's schema defines it (hostname plus the key
//! columns named on each row type).

use std::collections::HashMap;
use std::path::Path;

use arrow_array::RecordBatch;

use super::error::ImportError;
use super::files::Columns;

/// Columns every SuzieQ row carries: where it came from and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// Device (from the `hostname=` partition).
    pub hostname: String,
    /// Poll time, epoch milliseconds.
    pub timestamp: i64,
    /// False for a deletion marker.
    pub active: bool,
}

/// A row type: its table, the columns it reads, its key and how to decode it.
pub(crate) trait Row: Sized {
    /// Table name (directory).
    const TABLE: &'static str;
    /// Schema versions (`sqvers=`) this reader understands.
    const VERSIONS: &'static [&'static str];
    /// Columns to decode.
    const COLUMNS: &'static [&'static str];
    /// The row's meta columns.
    fn meta(&self) -> &Meta;
    /// The key (besides the hostname) identifying one record.
    fn key(&self) -> String;
    /// Decode every row of a batch.
    fn decode(c: &Columns<'_>, meta: &[Meta]) -> Result<Vec<Self>, ImportError>;
}

/// Decode the meta columns of a batch.
pub(crate) fn metas(c: &Columns<'_>, hostname: &str) -> Result<Vec<Meta>, ImportError> {
    let ts = c.num("timestamp", true)?;
    let active = c.bools("active", true)?;
    Ok((0..c.len())
        .map(|i| Meta {
            hostname: hostname.to_string(),
            timestamp: ts.int(i).unwrap_or(0),
            active: active[i],
        })
        .collect())
}

/// Decode a file's batches into rows.
pub(crate) fn decode_batches<R: Row>(
    path: &Path,
    hostname: &str,
    batches: &[RecordBatch],
) -> Result<Vec<R>, ImportError> {
    let mut out = Vec::new();
    for b in batches {
        let c = Columns::new(R::TABLE, path, b);
        let m = metas(&c, hostname)?;
        out.extend(R::decode(&c, &m)?);
    }
    Ok(out)
}

/// Keep, per (hostname, key), the row with the greatest timestamp (the later
/// one read on a tie), then drop the records whose latest row is inactive.
/// The result is sorted by hostname, then key.
pub(crate) fn latest<R: Row>(rows: Vec<R>) -> Vec<R> {
    let mut best: HashMap<(String, String), R> = HashMap::with_capacity(rows.len());
    for r in rows {
        let k = (r.meta().hostname.clone(), r.key());
        match best.get(&k) {
            Some(old) if old.meta().timestamp > r.meta().timestamp => {}
            _ => {
                best.insert(k, r);
            }
        }
    }
    let mut v: Vec<((String, String), R)> =
        best.into_iter().filter(|(_, r)| r.meta().active).collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v.into_iter().map(|(_, r)| r).collect()
}

/// Non-negative integer or `None`.
fn opt_u(v: Option<i64>) -> Option<u64> {
    v.and_then(|x| u64::try_from(x).ok())
}

/// `device`: one row per device.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRow {
    /// Hostname, poll time, active flag.
    pub meta: Meta,
    /// Operating system as SuzieQ names it (`eos`, `nxos`, `ios`, `junos-qfx`, `cumulus`, `linux`, …).
    pub os: String,
    /// Vendor (`Arista`, `Cisco`, `Juniper`, `Cumulus`, …).
    pub vendor: String,
    /// Hardware model.
    pub model: String,
    /// Software version.
    pub version: String,
    /// Serial number.
    pub serial_number: String,
    /// Address SuzieQ polled the device at.
    pub address: String,
    /// `alive`, `dead`, `neverpoll`.
    pub status: String,
    /// Boot time, epoch seconds.
    pub bootup_timestamp: Option<f64>,
}

impl Row for DeviceRow {
    const TABLE: &'static str = "device";
    const VERSIONS: &'static [&'static str] = &["3.0"];
    const COLUMNS: &'static [&'static str] = &[
        "os",
        "vendor",
        "model",
        "version",
        "serialNumber",
        "address",
        "status",
        "bootupTimestamp",
        "timestamp",
        "active",
    ];
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn key(&self) -> String {
        String::new()
    }
    fn decode(c: &Columns<'_>, meta: &[Meta]) -> Result<Vec<Self>, ImportError> {
        let (os, vendor, model, version) = (
            c.str("os", false)?,
            c.str("vendor", false)?,
            c.str("model", false)?,
            c.str("version", false)?,
        );
        let (serial, address, status) = (
            c.str("serialNumber", false)?,
            c.str("address", false)?,
            c.str("status", false)?,
        );
        let boot = c.num("bootupTimestamp", false)?;
        Ok((0..c.len())
            .map(|i| DeviceRow {
                meta: meta[i].clone(),
                os: os.get(i).to_string(),
                vendor: vendor.get(i).to_string(),
                model: model.get(i).to_string(),
                version: version.get(i).to_string(),
                serial_number: serial.get(i).to_string(),
                address: address.get(i).to_string(),
                status: status.get(i).to_string(),
                bootup_timestamp: boot.float(i),
            })
            .collect())
    }
}

/// `interfaces`: one row per interface.
#[derive(Debug, Clone, PartialEq)]
pub struct InterfaceRow {
    /// Hostname, poll time, active flag.
    pub meta: Meta,
    /// Interface name (normalised, see [`super::normalise`]).
    pub ifname: String,
    /// SuzieQ type: `ethernet`, `loopback`, `vlan`, `subinterface`, `bond`, `bond_slave`, `vxlan`, `vrf`, …
    pub kind: String,
    /// Operational state (`up`, `down`, `notConnected`, …).
    pub state: String,
    /// Administrative state.
    pub admin_state: String,
    /// IPv4 addresses with prefix length.
    pub ip_addresses: Vec<String>,
    /// IPv6 addresses with prefix length.
    pub ip6_addresses: Vec<String>,
    /// MTU.
    pub mtu: Option<u64>,
    /// VLAN (of an SVI, a subinterface tag or an access port), 0 when none.
    pub vlan: u64,
    /// VRF, bond or bridge this interface belongs to.
    pub master: String,
    /// MAC address.
    pub macaddr: String,
    /// Speed in Mbit/s.
    pub speed: Option<u64>,
    /// VNI of a VXLAN interface.
    pub vni: u64,
    /// Source VTEP address of a VXLAN interface.
    pub src_vtep_ip: String,
    /// Description.
    pub description: String,
}

impl Row for InterfaceRow {
    const TABLE: &'static str = "interfaces";
    const VERSIONS: &'static [&'static str] = &["3.0"];
    const COLUMNS: &'static [&'static str] = &[
        "ifname",
        "type",
        "state",
        "adminState",
        "ipAddressList",
        "ip6AddressList",
        "mtu",
        "vlan",
        "master",
        "macaddr",
        "speed",
        "vni",
        "srcVtepIp",
        "description",
        "timestamp",
        "active",
    ];
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn key(&self) -> String {
        self.ifname.clone()
    }
    fn decode(c: &Columns<'_>, meta: &[Meta]) -> Result<Vec<Self>, ImportError> {
        let ifname = c.str("ifname", true)?;
        let kind = c.str("type", false)?;
        let state = c.str("state", false)?;
        let admin = c.str("adminState", false)?;
        let ips = c.str_lists("ipAddressList")?;
        let ip6s = c.str_lists("ip6AddressList")?;
        let mtu = c.num("mtu", false)?;
        let vlan = c.num("vlan", false)?;
        let master = c.str("master", false)?;
        let mac = c.str("macaddr", false)?;
        let speed = c.num("speed", false)?;
        let vni = c.num("vni", false)?;
        let vtep = c.str("srcVtepIp", false)?;
        let descr = c.str("description", false)?;
        Ok(ips
            .into_iter()
            .zip(ip6s)
            .enumerate()
            .map(|(i, (ip, ip6))| InterfaceRow {
                meta: meta[i].clone(),
                ifname: ifname.get(i).to_string(),
                kind: kind.get(i).to_string(),
                state: state.get(i).to_string(),
                admin_state: admin.get(i).to_string(),
                ip_addresses: ip,
                ip6_addresses: ip6,
                mtu: opt_u(mtu.int(i)),
                vlan: opt_u(vlan.int(i)).unwrap_or(0),
                master: master.get(i).to_string(),
                macaddr: mac.get(i).to_string(),
                speed: opt_u(speed.int(i)),
                vni: opt_u(vni.int(i)).unwrap_or(0),
                src_vtep_ip: vtep.get(i).to_string(),
                description: descr.get(i).to_string(),
            })
            .collect())
    }
}

/// `routes`: one row per (VRF, prefix), with every ECMP next hop.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteRow {
    /// Hostname, poll time, active flag.
    pub meta: Meta,
    /// VRF.
    pub vrf: String,
    /// Prefix, `A/LEN`.
    pub prefix: String,
    /// Next-hop addresses (parallel to `oifs` when both are given).
    pub nexthop_ips: Vec<String>,
    /// Outgoing interfaces (normalised).
    pub oifs: Vec<String>,
    /// Protocol (normalised, see [`super::normalise::protocol`]).
    pub protocol: String,
    /// Protocol exactly as SuzieQ stored it (`ebgp`, `ospf-1`, `direct`, …).
    pub reported_protocol: String,
    /// `forward`, `blackhole`, `drop`, `reject`, …
    pub action: String,
    /// Preference (administrative distance).
    pub preference: Option<i64>,
    /// Metric.
    pub metric: Option<i64>,
}

impl Row for RouteRow {
    const TABLE: &'static str = "routes";
    const VERSIONS: &'static [&'static str] = &["2.0"];
    const COLUMNS: &'static [&'static str] = &[
        "vrf",
        "prefix",
        "nexthopIps",
        "oifs",
        "protocol",
        "action",
        "preference",
        "metric",
        "timestamp",
        "active",
    ];
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn key(&self) -> String {
        format!("{}\u{0}{}", self.vrf, self.prefix)
    }
    fn decode(c: &Columns<'_>, meta: &[Meta]) -> Result<Vec<Self>, ImportError> {
        let vrf = c.str("vrf", false)?;
        let prefix = c.str("prefix", true)?;
        let nh = c.str_lists("nexthopIps")?;
        let oifs = c.str_lists("oifs")?;
        let proto = c.str("protocol", false)?;
        let action = c.str("action", false)?;
        let pref = c.num("preference", false)?;
        let metric = c.num("metric", false)?;
        Ok(nh
            .into_iter()
            .zip(oifs)
            .enumerate()
            .map(|(i, (nexthop_ips, oifs))| RouteRow {
                meta: meta[i].clone(),
                vrf: vrf.get(i).to_string(),
                prefix: prefix.get(i).to_string(),
                nexthop_ips,
                oifs,
                protocol: proto.get(i).to_string(),
                reported_protocol: proto.get(i).to_string(),
                action: action.get(i).to_string(),
                preference: pref.int(i),
                metric: metric.int(i),
            })
            .collect())
    }
}

/// `arpnd`: one row per ARP / ND entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ArpNdRow {
    /// Hostname, poll time, active flag.
    pub meta: Meta,
    /// Neighbour address.
    pub ip_address: String,
    /// Neighbour MAC.
    pub macaddr: String,
    /// Interface (normalised).
    pub oif: String,
    /// `reachable`, `failed`, `permanent`, …
    pub state: String,
    /// Learnt from a remote VTEP (EVPN).
    pub remote: bool,
}

impl Row for ArpNdRow {
    const TABLE: &'static str = "arpnd";
    const VERSIONS: &'static [&'static str] = &["1.0"];
    const COLUMNS: &'static [&'static str] = &[
        "ipAddress",
        "macaddr",
        "oif",
        "state",
        "remote",
        "timestamp",
        "active",
    ];
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn key(&self) -> String {
        format!("{}\u{0}{}", self.ip_address, self.oif)
    }
    fn decode(c: &Columns<'_>, meta: &[Meta]) -> Result<Vec<Self>, ImportError> {
        let ip = c.str("ipAddress", true)?;
        let mac = c.str("macaddr", false)?;
        let oif = c.str("oif", false)?;
        let state = c.str("state", false)?;
        let remote = c.bools("remote", false)?;
        Ok((0..c.len())
            .map(|i| ArpNdRow {
                meta: meta[i].clone(),
                ip_address: ip.get(i).to_string(),
                macaddr: mac.get(i).to_string(),
                oif: oif.get(i).to_string(),
                state: state.get(i).to_string(),
                remote: remote[i],
            })
            .collect())
    }
}

/// `macs`: one row per MAC table entry.
#[derive(Debug, Clone, PartialEq)]
pub struct MacRow {
    /// Hostname, poll time, active flag.
    pub meta: Meta,
    /// VLAN.
    pub vlan: u64,
    /// MAC address.
    pub macaddr: String,
    /// Interface (normalised).
    pub oif: String,
    /// Remote VTEP (EVPN), empty when local.
    pub remote_vtep_ip: String,
    /// Bridge domain.
    pub bd: String,
    /// Flags (`remote`, `static`, …).
    pub flags: String,
}

impl Row for MacRow {
    const TABLE: &'static str = "macs";
    const VERSIONS: &'static [&'static str] = &["1.0"];
    const COLUMNS: &'static [&'static str] = &[
        "vlan",
        "macaddr",
        "oif",
        "remoteVtepIp",
        "bd",
        "flags",
        "timestamp",
        "active",
    ];
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn key(&self) -> String {
        format!("{}\u{0}{}\u{0}{}", self.vlan, self.macaddr, self.oif)
    }
    fn decode(c: &Columns<'_>, meta: &[Meta]) -> Result<Vec<Self>, ImportError> {
        let vlan = c.num("vlan", false)?;
        let mac = c.str("macaddr", true)?;
        let oif = c.str("oif", false)?;
        let vtep = c.str("remoteVtepIp", false)?;
        let bd = c.str("bd", false)?;
        let flags = c.str("flags", false)?;
        Ok((0..c.len())
            .map(|i| MacRow {
                meta: meta[i].clone(),
                vlan: opt_u(vlan.int(i)).unwrap_or(0),
                macaddr: mac.get(i).to_string(),
                oif: oif.get(i).to_string(),
                remote_vtep_ip: vtep.get(i).to_string(),
                bd: bd.get(i).to_string(),
                flags: flags.get(i).to_string(),
            })
            .collect())
    }
}

/// `lldp`: one row per neighbour seen on a local interface.
#[derive(Debug, Clone, PartialEq)]
pub struct LldpRow {
    /// Hostname, poll time, active flag.
    pub meta: Meta,
    /// Local interface (normalised).
    pub ifname: String,
    /// The neighbour's hostname as it announces it.
    pub peer_hostname: String,
    /// The neighbour's interface (normalised with the neighbour's OS when known).
    pub peer_ifname: String,
    /// Port-id subtype (`interface name`, `mac address`, `locally assigned`, …).
    pub subtype: String,
}

impl Row for LldpRow {
    const TABLE: &'static str = "lldp";
    const VERSIONS: &'static [&'static str] = &["1.0"];
    const COLUMNS: &'static [&'static str] = &[
        "ifname",
        "peerHostname",
        "peerIfname",
        "subtype",
        "timestamp",
        "active",
    ];
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn key(&self) -> String {
        self.ifname.clone()
    }
    fn decode(c: &Columns<'_>, meta: &[Meta]) -> Result<Vec<Self>, ImportError> {
        let ifname = c.str("ifname", true)?;
        let ph = c.str("peerHostname", false)?;
        let pi = c.str("peerIfname", false)?;
        let st = c.str("subtype", false)?;
        Ok((0..c.len())
            .map(|i| LldpRow {
                meta: meta[i].clone(),
                ifname: ifname.get(i).to_string(),
                peer_hostname: ph.get(i).to_string(),
                peer_ifname: pi.get(i).to_string(),
                subtype: st.get(i).to_string(),
            })
            .collect())
    }
}

/// `devconfig`: the device's running configuration, one row per device.
///
/// Read only for what SuzieQ itself derives from it: each port's switchport
/// mode and access/native VLAN (`portmode`, see `super::portmode`).
#[derive(Debug, Clone, PartialEq)]
pub struct DevconfigRow {
    /// Hostname, poll time, active flag.
    pub meta: Meta,
    /// The configuration text.
    pub config: String,
}

impl Row for DevconfigRow {
    const TABLE: &'static str = "devconfig";
    const VERSIONS: &'static [&'static str] = &["1.0"];
    const COLUMNS: &'static [&'static str] = &["config", "timestamp", "active"];
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn key(&self) -> String {
        String::new()
    }
    fn decode(c: &Columns<'_>, meta: &[Meta]) -> Result<Vec<Self>, ImportError> {
        let config = c.str("config", false)?;
        Ok((0..c.len())
            .map(|i| DevconfigRow {
                meta: meta[i].clone(),
                config: config.get(i).to_string(),
            })
            .collect())
    }
}

/// `mlag`: one row per MLAG / CLAG / vPC member switch.
#[derive(Debug, Clone, PartialEq)]
pub struct MlagRow {
    /// Hostname, poll time, active flag.
    pub meta: Meta,
    /// MLAG system id (shared by the pair).
    pub system_id: String,
    /// Peer link interface (normalised).
    pub peer_link: String,
    /// Peer's address.
    pub peer_address: String,
    /// State (`active`, …).
    pub state: String,
    /// Role (`primary`, `secondary`).
    pub role: String,
    /// Dual-attached ports (normalised).
    pub dual_ports: Vec<String>,
    /// Shared (anycast) VTEP address, when any.
    pub vtep_ip: String,
    /// Domain id.
    pub domain_id: String,
}

impl Row for MlagRow {
    const TABLE: &'static str = "mlag";
    const VERSIONS: &'static [&'static str] = &["1.0"];
    const COLUMNS: &'static [&'static str] = &[
        "systemId",
        "peerLink",
        "peerAddress",
        "state",
        "role",
        "mlagDualPortsList",
        "vtepIP",
        "domainId",
        "timestamp",
        "active",
    ];
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn key(&self) -> String {
        String::new()
    }
    fn decode(c: &Columns<'_>, meta: &[Meta]) -> Result<Vec<Self>, ImportError> {
        let sid = c.str("systemId", false)?;
        let pl = c.str("peerLink", false)?;
        let pa = c.str("peerAddress", false)?;
        let st = c.str("state", false)?;
        let role = c.str("role", false)?;
        let dual = c.str_lists("mlagDualPortsList")?;
        let vtep = c.str("vtepIP", false)?;
        let dom = c.str("domainId", false)?;
        Ok(dual
            .into_iter()
            .enumerate()
            .map(|(i, dual_ports)| MlagRow {
                meta: meta[i].clone(),
                system_id: sid.get(i).to_string(),
                peer_link: pl.get(i).to_string(),
                peer_address: pa.get(i).to_string(),
                state: st.get(i).to_string(),
                role: role.get(i).to_string(),
                dual_ports,
                vtep_ip: vtep.get(i).to_string(),
                domain_id: dom.get(i).to_string(),
            })
            .collect())
    }
}

/// `evpnVni`: one row per VNI on a VTEP.
#[derive(Debug, Clone, PartialEq)]
pub struct EvpnVniRow {
    /// Hostname, poll time, active flag.
    pub meta: Meta,
    /// VNI.
    pub vni: u64,
    /// `L2` or `L3`.
    pub kind: String,
    /// Local VLAN of the VNI.
    pub vlan: u64,
    /// VRF (L3 VNI).
    pub vrf: String,
    /// Primary (own) VTEP address.
    pub pri_vtep_ip: String,
    /// Secondary (shared MLAG) VTEP address.
    pub sec_vtep_ip: String,
    /// Remote VTEPs.
    pub remote_vteps: Vec<String>,
    /// VXLAN interface (normalised).
    pub ifname: String,
    /// State.
    pub state: String,
}

impl Row for EvpnVniRow {
    const TABLE: &'static str = "evpnVni";
    const VERSIONS: &'static [&'static str] = &["1.0"];
    const COLUMNS: &'static [&'static str] = &[
        "vni",
        "type",
        "vlan",
        "vrf",
        "priVtepIp",
        "secVtepIp",
        "remoteVtepList",
        "ifname",
        "state",
        "timestamp",
        "active",
    ];
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn key(&self) -> String {
        self.vni.to_string()
    }
    fn decode(c: &Columns<'_>, meta: &[Meta]) -> Result<Vec<Self>, ImportError> {
        let vni = c.num("vni", true)?;
        let kind = c.str("type", false)?;
        let vlan = c.num("vlan", false)?;
        let vrf = c.str("vrf", false)?;
        let pri = c.str("priVtepIp", false)?;
        let sec = c.str("secVtepIp", false)?;
        let remote = c.str_lists("remoteVtepList")?;
        let ifname = c.str("ifname", false)?;
        let state = c.str("state", false)?;
        Ok(remote
            .into_iter()
            .enumerate()
            .map(|(i, remote_vteps)| EvpnVniRow {
                meta: meta[i].clone(),
                vni: opt_u(vni.int(i)).unwrap_or(0),
                kind: kind.get(i).to_string(),
                vlan: opt_u(vlan.int(i)).unwrap_or(0),
                vrf: vrf.get(i).to_string(),
                pri_vtep_ip: pri.get(i).to_string(),
                sec_vtep_ip: sec.get(i).to_string(),
                remote_vteps,
                ifname: ifname.get(i).to_string(),
                state: state.get(i).to_string(),
            })
            .collect())
    }
}

/// `vlan`: one row per VLAN of a device.
#[derive(Debug, Clone, PartialEq)]
pub struct VlanRow {
    /// Hostname, poll time, active flag.
    pub meta: Meta,
    /// VLAN id.
    pub vlan: u64,
    /// Name.
    pub name: String,
    /// Member interfaces (normalised).
    pub interfaces: Vec<String>,
    /// State.
    pub state: String,
}

impl Row for VlanRow {
    const TABLE: &'static str = "vlan";
    const VERSIONS: &'static [&'static str] = &["2.0"];
    const COLUMNS: &'static [&'static str] = &[
        "vlan",
        "vlanName",
        "interfaces",
        "state",
        "timestamp",
        "active",
    ];
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn key(&self) -> String {
        self.vlan.to_string()
    }
    fn decode(c: &Columns<'_>, meta: &[Meta]) -> Result<Vec<Self>, ImportError> {
        let vlan = c.num("vlan", true)?;
        let name = c.str("vlanName", false)?;
        let ifs = c.str_lists("interfaces")?;
        let state = c.str("state", false)?;
        Ok(ifs
            .into_iter()
            .enumerate()
            .map(|(i, interfaces)| VlanRow {
                meta: meta[i].clone(),
                vlan: opt_u(vlan.int(i)).unwrap_or(0),
                name: name.get(i).to_string(),
                interfaces,
                state: state.get(i).to_string(),
            })
            .collect())
    }
}

/// `ifCounters`: one row per interface with its counters at the poll.
#[derive(Debug, Clone, PartialEq)]
pub struct IfCountersRow {
    /// Hostname, poll time, active flag.
    pub meta: Meta,
    /// Interface (normalised).
    pub ifname: String,
    /// Received bytes.
    pub rx_bytes: Option<u64>,
    /// Received packets.
    pub rx_packets: Option<u64>,
    /// Receive errors.
    pub rx_errs: Option<u64>,
    /// Receive drops.
    pub rx_drops: Option<u64>,
    /// Sent bytes.
    pub tx_bytes: Option<u64>,
    /// Sent packets.
    pub tx_packets: Option<u64>,
    /// Send errors.
    pub tx_errs: Option<u64>,
    /// Send drops.
    pub tx_drops: Option<u64>,
}

impl Row for IfCountersRow {
    const TABLE: &'static str = "ifCounters";
    const VERSIONS: &'static [&'static str] = &["1.0"];
    const COLUMNS: &'static [&'static str] = &[
        "ifname",
        "rxBytes",
        "rxPackets",
        "rxErrs",
        "rxDrops",
        "txBytes",
        "txPackets",
        "txErrs",
        "txDrops",
        "timestamp",
        "active",
    ];
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn key(&self) -> String {
        self.ifname.clone()
    }
    fn decode(c: &Columns<'_>, meta: &[Meta]) -> Result<Vec<Self>, ImportError> {
        let ifname = c.str("ifname", true)?;
        let n = |name| c.num(name, false);
        let (rb, rp, re, rd) = (n("rxBytes")?, n("rxPackets")?, n("rxErrs")?, n("rxDrops")?);
        let (tb, tp, te, td) = (n("txBytes")?, n("txPackets")?, n("txErrs")?, n("txDrops")?);
        Ok((0..c.len())
            .map(|i| IfCountersRow {
                meta: meta[i].clone(),
                ifname: ifname.get(i).to_string(),
                rx_bytes: opt_u(rb.int(i)),
                rx_packets: opt_u(rp.int(i)),
                rx_errs: opt_u(re.int(i)),
                rx_drops: opt_u(rd.int(i)),
                tx_bytes: opt_u(tb.int(i)),
                tx_packets: opt_u(tp.int(i)),
                tx_errs: opt_u(te.int(i)),
                tx_drops: opt_u(td.int(i)),
            })
            .collect())
    }
}

/// `topcpu` / `topmem`: one row per process in `top`'s output, with the
/// device's memory totals repeated on each row.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessRow {
    /// Hostname, poll time, active flag.
    pub meta: Meta,
    /// Process id.
    pub pid: i64,
    /// Process name.
    pub proc_name: String,
    /// CPU percentage of the process.
    pub percent_cpu: Option<f64>,
    /// Memory percentage of the process.
    pub percent_mem: Option<f64>,
    /// Device memory total (KiB, as `top` prints).
    pub total_mem: Option<u64>,
    /// Device memory free.
    pub free_mem: Option<u64>,
    /// Device memory used.
    pub used_mem: Option<u64>,
}

impl ProcessRow {
    fn decode_rows(c: &Columns<'_>, meta: &[Meta]) -> Result<Vec<Self>, ImportError> {
        let pid = c.num("pid", false)?;
        let name = c.str("procName", false)?;
        let cpu = c.num("percentCPU", false)?;
        let mem = c.num("percentMem", false)?;
        let (total, free, used) = (
            c.num("totalMem", false)?,
            c.num("freeMem", false)?,
            c.num("usedMem", false)?,
        );
        Ok((0..c.len())
            .map(|i| ProcessRow {
                meta: meta[i].clone(),
                pid: pid.int(i).unwrap_or(0),
                proc_name: name.get(i).to_string(),
                percent_cpu: cpu.float(i),
                percent_mem: mem.float(i),
                total_mem: opt_u(total.int(i)),
                free_mem: opt_u(free.int(i)),
                used_mem: opt_u(used.int(i)),
            })
            .collect())
    }
}

const PROCESS_COLUMNS: &[&str] = &[
    "pid",
    "procName",
    "percentCPU",
    "percentMem",
    "totalMem",
    "freeMem",
    "usedMem",
    "timestamp",
    "active",
];

/// `topcpu` rows (a [`ProcessRow`] under the topcpu table).
#[derive(Debug, Clone, PartialEq)]
pub struct TopCpuRow(pub ProcessRow);

/// `topmem` rows (a [`ProcessRow`] under the topmem table).
#[derive(Debug, Clone, PartialEq)]
pub struct TopMemRow(pub ProcessRow);

macro_rules! process_table {
    ($t:ident, $name:literal) => {
        impl Row for $t {
            const TABLE: &'static str = $name;
            const VERSIONS: &'static [&'static str] = &["1.0"];
            const COLUMNS: &'static [&'static str] = PROCESS_COLUMNS;
            fn meta(&self) -> &Meta {
                &self.0.meta
            }
            fn key(&self) -> String {
                format!("{}\u{0}{}", self.0.pid, self.0.proc_name)
            }
            fn decode(c: &Columns<'_>, meta: &[Meta]) -> Result<Vec<Self>, ImportError> {
                Ok(ProcessRow::decode_rows(c, meta)?
                    .into_iter()
                    .map($t)
                    .collect())
            }
        }
    };
}
process_table!(TopCpuRow, "topcpu");
process_table!(TopMemRow, "topmem");

#[cfg(test)]
mod tests {
    use super::*;

    fn arp(host: &str, ip: &str, ts: i64, active: bool, mac: &str) -> ArpNdRow {
        ArpNdRow {
            meta: Meta {
                hostname: host.into(),
                timestamp: ts,
                active,
            },
            ip_address: ip.into(),
            macaddr: mac.into(),
            oif: "Ethernet1".into(),
            state: "reachable".into(),
            remote: false,
        }
    }

    #[test]
    fn latest_active_row_per_key() {
        let rows = vec![
            arp("b", "10.0.0.1", 100, true, "old"),
            arp("b", "10.0.0.1", 300, true, "new"),
            arp("b", "10.0.0.1", 200, true, "mid"),
            // Deleted later: gone.
            arp("b", "10.0.0.2", 100, true, "x"),
            arp("b", "10.0.0.2", 200, false, "x"),
            // Deleted, then re-added: present.
            arp("a", "10.0.0.2", 100, false, "y"),
            arp("a", "10.0.0.2", 200, true, "z"),
            // Same key on another host is another record.
            arp("a", "10.0.0.1", 50, true, "w"),
        ];
        let got: Vec<(String, String, String)> = latest(rows)
            .into_iter()
            .map(|r| (r.meta.hostname, r.ip_address, r.macaddr))
            .collect();
        let want = [
            ("a", "10.0.0.1", "w"),
            ("a", "10.0.0.2", "z"),
            ("b", "10.0.0.1", "new"),
        ];
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert_eq!((g.0.as_str(), g.1.as_str(), g.2.as_str()), w);
        }
    }
}
