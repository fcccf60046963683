//! Inventory, from the current snapshot, under both URL families:
//!
//! * `network-device` — list (dnacentersdk's camelCase filters, repeated
//!   keys OR-ed, `.*` wildcards, 1-based `offset`, `limit` ≤ 500), by id, by
//!   IP, `count`, and uniq's range `network-device/{startIndex}/{recordsToReturn}`.
//!   Device ids equal the path elements' ids (UUIDv5 of the network and
//!   hostname), so the notebooks' bonus — the software version of each
//!   device on the path — works through `network-device/{id}`.
//! * `host` — HostDTO list (filters `hostIp`, `hostMac`, `hostName`,
//!   `hostType`, …), by id, `count`.
//! * `interface` — DeviceIfDTO list, by id, by device, by IP, `count`; ids
//!   equal the interface ids inside path elements.
//! * `topology/physical-topology` — devices as nodes, links as links.
//!
//! Query strings are parsed by hand (as in [`crate::api::flow`]): a bad
//! `offset`, `limit`, `order` or `sortBy` is a 400 naming the parameter;
//! unknown parameters are ignored.

use std::net::IpAddr;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use pathtrace_engine::DataPlane;
use pathtrace_model::ids;
use pathtrace_model::types::{
    Device, HostKind, Interface, InterfaceKind, PortMode, State as IfState,
};
use serde_json::{Map, Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::flow::query_pairs;
use crate::app::{ApiError, AppState, Authenticated, Snapshot, wrap};

/// The most items one page may hold.
const MAX_LIMIT: usize = 500;

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(count))
        .routes(routes!(by_ip))
        .routes(routes!(by_id))
        .routes(routes!(range))
        .routes(routes!(host_list))
        .routes(routes!(host_count))
        .routes(routes!(host_by_id))
        .routes(routes!(if_list))
        .routes(routes!(if_count))
        .routes(routes!(if_by_id))
        .routes(routes!(if_by_device))
        .routes(routes!(if_by_ip))
        .routes(routes!(physical_topology))
}

// ---------------------------------------------------------------- times

/// Epoch milliseconds as `"2024-05-18 20:55:20"` (UTC), DNA Center's `lastUpdated`.
fn date_time(epoch_ms: i64) -> String {
    let (y, m, d, hh, mm, ss, _) = pathtrace_engine::view::dnac::civil(epoch_ms);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
}

// ---------------------------------------------------------------- queries

/// A filterable parameter: its query name, the item field it tests, and
/// whether a value may be a comma-separated list.
#[derive(Debug, Clone, Copy)]
struct FilterSpec {
    param: &'static str,
    field: &'static str,
    commas: bool,
}

const fn spec(param: &'static str, field: &'static str, commas: bool) -> FilterSpec {
    FilterSpec {
        param,
        field,
        commas,
    }
}

/// `network-device` filters (dnacentersdk `get_device_list` query names).
const DEVICE_FILTERS: [FilterSpec; 22] = [
    spec("hostname", "hostname", false),
    spec("managementIpAddress", "managementIpAddress", true),
    spec("macAddress", "macAddress", true),
    spec("serialNumber", "serialNumber", true),
    spec("family", "family", false),
    spec("type", "type", false),
    spec("series", "series", false),
    spec("role", "role", false),
    spec("platformId", "platformId", false),
    spec("softwareVersion", "softwareVersion", false),
    spec("softwareType", "softwareType", false),
    spec("id", "id", true),
    spec("collectionStatus", "collectionStatus", false),
    spec("collectionInterval", "collectionInterval", false),
    spec("reachabilityStatus", "reachabilityStatus", false),
    spec("upTime", "upTime", false),
    spec("errorCode", "errorCode", false),
    spec("errorDescription", "errorDescription", false),
    spec("locationName", "locationName", false),
    spec("location", "location", false),
    spec("associatedWlcIp", "associatedWlcIp", true),
    spec("deviceSupportLevel", "deviceSupportLevel", false),
];

/// `host` filters (uniq `getHosts`, DNA Center `host`).
const HOST_FILTERS: [FilterSpec; 10] = [
    spec("hostIp", "hostIp", true),
    spec("hostMac", "hostMac", true),
    spec("hostName", "hostName", false),
    spec("hostType", "hostType", false),
    spec("subType", "subType", false),
    spec("vlanId", "vlanId", true),
    spec(
        "connectedNetworkDeviceIpAddress",
        "connectedNetworkDeviceIpAddress",
        true,
    ),
    spec("connectedNetworkDeviceId", "connectedNetworkDeviceId", true),
    spec("connectedInterfaceName", "connectedInterfaceName", false),
    spec("id", "id", true),
];

/// `interface` filters.
const INTERFACE_FILTERS: [FilterSpec; 9] = [
    spec("id", "id", true),
    spec("deviceId", "deviceId", true),
    spec("portName", "portName", false),
    spec("interfaceType", "interfaceType", false),
    spec("portMode", "portMode", false),
    spec("status", "status", false),
    spec("adminStatus", "adminStatus", false),
    spec("ipv4Address", "ipv4Address", true),
    spec("macAddress", "macAddress", true),
];

/// A parsed list query: filters (per field, any value matches), paging and sorting.
#[derive(Debug, Clone)]
struct ListQuery {
    filters: Vec<(&'static str, Vec<String>)>,
    offset: usize,
    limit: usize,
    sort_by: Option<String>,
    desc: bool,
}

fn positive(field: &str, v: &str) -> Result<usize, ApiError> {
    v.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| {
            ApiError::bad_request(
                field,
                format!("{field} must be a positive integer, got {v:?}"),
            )
        })
}

fn page_limit(field: &str, v: &str) -> Result<usize, ApiError> {
    v.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
        .ok_or_else(|| {
            ApiError::bad_request(field, format!("{field} must be 1-{MAX_LIMIT}, got {v:?}"))
        })
}

fn parse_query(raw: Option<&str>, specs: &[FilterSpec]) -> Result<ListQuery, ApiError> {
    let mut q = ListQuery {
        filters: Vec::new(),
        offset: 1,
        limit: MAX_LIMIT,
        sort_by: None,
        desc: false,
    };
    for (k, v) in query_pairs(raw) {
        match k.as_str() {
            "offset" => q.offset = positive("offset", &v)?,
            "limit" => q.limit = page_limit("limit", &v)?,
            "order" => {
                q.desc = match v.to_ascii_lowercase().as_str() {
                    "asc" => false,
                    "desc" => true,
                    _ => {
                        return Err(ApiError::bad_request(
                            "order",
                            format!("order must be asc or desc, got {v:?}"),
                        ));
                    }
                };
            }
            "sortBy" => {
                if !specs.iter().any(|s| s.field == v) {
                    let names: Vec<&str> = specs.iter().map(|s| s.field).collect();
                    return Err(ApiError::bad_request(
                        "sortBy",
                        format!("sortBy must be one of {}, got {v:?}", names.join(", ")),
                    ));
                }
                q.sort_by = Some(v);
            }
            key => {
                // Unknown parameters are ignored (clients send extras such as
                // active_validation=False).
                let Some(s) = specs.iter().find(|s| s.param == key) else {
                    continue;
                };
                let values: Vec<String> = if s.commas {
                    v.split(',')
                        .map(str::trim)
                        .filter(|x| !x.is_empty())
                        .map(str::to_string)
                        .collect()
                } else {
                    vec![v]
                };
                match q.filters.iter_mut().find(|(f, _)| *f == s.field) {
                    Some((_, vs)) => vs.extend(values),
                    None => q.filters.push((s.field, values)),
                }
            }
        }
    }
    Ok(q)
}

/// Whether `value` matches `pattern`: case-insensitive, `.*` matching any run.
fn matches(pattern: &str, value: &str) -> bool {
    let p = pattern.to_lowercase();
    let v = value.to_lowercase();
    if !p.contains(".*") {
        return p == v;
    }
    let parts: Vec<&str> = p.split(".*").collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !v.starts_with(first) || v.len() < first.len() + last.len() || !v.ends_with(last) {
        return false;
    }
    let mut rest = &v[first.len()..v.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

fn field_str(item: &Value, field: &str) -> String {
    match item.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

impl ListQuery {
    fn keeps(&self, item: &Value) -> bool {
        self.filters.iter().all(|(field, values)| {
            let actual = field_str(item, field);
            values.is_empty() || values.iter().any(|p| matches(p, &actual))
        })
    }

    /// Filter only (for counts).
    fn filter(&self, items: Vec<Value>) -> Vec<Value> {
        items.into_iter().filter(|i| self.keeps(i)).collect()
    }

    /// Filter, sort (stable), page.
    fn apply(&self, items: Vec<Value>) -> Vec<Value> {
        let mut items = self.filter(items);
        if let Some(key) = &self.sort_by {
            items.sort_by_cached_key(|i| field_str(i, key).to_lowercase());
        }
        if self.desc {
            items.reverse();
        }
        items
            .into_iter()
            .skip(self.offset - 1)
            .take(self.limit)
            .collect()
    }
}

// ---------------------------------------------------------------- devices

/// A device as DNA Center's `network-device` resource: every field the
/// clients' schemas require, strings except `lastUpdateTime` and `uptimeSeconds`.
pub fn device_json(
    network: &str,
    d: &Device,
    interface_count: usize,
    last_update_ms: i64,
) -> Value {
    let id = ids::device_id(network, &d.hostname).to_string();
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    json!({
        "id": id,
        "instanceUuid": id,
        "instanceTenantId": "",
        "hostname": d.hostname,
        "managementIpAddress": d.management_ip.to_string(),
        "macAddress": s(&d.mac_address),
        "serialNumber": s(&d.serial_number),
        "platformId": s(&d.platform_id),
        "series": s(&d.series),
        "family": d.family,
        "type": s(&d.device_type),
        "role": d.role,
        "roleSource": "MANUAL",
        "softwareVersion": s(&d.software_version),
        "softwareType": s(&d.software_type),
        "vendor": d.vendor.clone().unwrap_or_else(|| "Cisco".into()),
        "upTime": s(&d.uptime),
        "uptimeSeconds": uptime_seconds(d.uptime.as_deref()),
        "lastUpdateTime": last_update_ms,
        "lastUpdated": date_time(last_update_ms),
        "reachabilityStatus": "Reachable",
        "reachabilityFailureReason": "",
        "collectionStatus": "Managed",
        "collectionInterval": "Global Default",
        "inventoryStatusDetail": "<status><general code=\"SUCCESS\"/></status>",
        "managementState": "Managed",
        "interfaceCount": interface_count.to_string(),
        "lineCardCount": "0",
        "lineCardId": "",
        "memorySize": "NA",
        "tagCount": "0",
        "waasDeviceMode": "",
        "dnsResolvedManagementAddress": d.management_ip.to_string(),
        "apEthernetMacAddress": "",
        "apManagerInterfaceIp": "",
        "associatedWlcIp": "",
        "reasonsForPendingSyncRequests": "",
        "pendingSyncRequestsCount": "0",
        "reasonsForDeviceResync": "",
        "lastDeviceResyncStartTime": "",
        "lastManagedResyncReasons": "",
        "errorCode": "",
        "errorDescription": "",
        "description": "",
        "location": "",
        "locationName": "",
        "snmpContact": "",
        "snmpLocation": "",
        "bootDateTime": "",
        "tunnelUdpPort": "",
        "deviceSupportLevel": "Supported",
        "managedAtleastOnce": true,
    })
}

/// "21 days, 3:04:05.00" → seconds (0 when absent or unparsable).
fn uptime_seconds(u: Option<&str>) -> u64 {
    let Some(u) = u else { return 0 };
    let (days, rest) = match u.split_once("days,").or_else(|| u.split_once("day,")) {
        Some((d, r)) => (d.trim().parse::<u64>().unwrap_or(0), r.trim()),
        None => (0, u.trim()),
    };
    let mut parts = rest.split(':');
    let h = parts
        .next()
        .and_then(|x| x.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let m = parts
        .next()
        .and_then(|x| x.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let sec = parts
        .next()
        .and_then(|x| x.split('.').next())
        .and_then(|x| x.trim().parse::<u64>().ok())
        .unwrap_or(0);
    days * 86_400 + h * 3600 + m * 60 + sec
}

fn devices(snap: &Snapshot) -> Vec<Value> {
    let at = snap.published_ms;
    snap.network
        .devices
        .iter()
        .map(|d| device_json(&snap.network.name, d, d.interfaces.len(), at))
        .collect()
}

#[utoipa::path(get, path = "/api/v1/network-device", tag = "inventory", summary = "Network devices (filters, 1-based offset, limit)", security(("X-Auth-Token" = [])), responses((status = 200, description = "OK"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 400, description = "Invalid request: the detail names the field")))]
async fn list(
    State(state): State<AppState>,
    _u: Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = parse_query(raw.as_deref(), &DEVICE_FILTERS)?;
    let snap = state.snapshot();
    Ok(wrap(StatusCode::OK, Value::Array(q.apply(devices(&snap)))))
}

#[utoipa::path(get, path = "/api/v1/network-device/count", tag = "inventory", summary = "Number of network devices", security(("X-Auth-Token" = [])), responses((status = 200, description = "OK"), (status = 401, description = "Missing or invalid X-Auth-Token")))]
async fn count(
    State(state): State<AppState>,
    _u: Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = parse_query(raw.as_deref(), &DEVICE_FILTERS)?;
    let snap = state.snapshot();
    Ok(wrap(StatusCode::OK, json!(q.filter(devices(&snap)).len())))
}

#[utoipa::path(get, path = "/api/v1/network-device/{id}/{records}", tag = "inventory", summary = "Network devices by range (startIndex, recordsToReturn)", params(("id" = String, Path, description = "id"), ("records" = String, Path, description = "records")), security(("X-Auth-Token" = [])), responses((status = 200, description = "OK"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 404, description = "Unknown id")))]
async fn range(
    State(state): State<AppState>,
    _u: Authenticated,
    Path((start, records)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let start = positive("startIndex", &start)?;
    let records = page_limit("recordsToReturn", &records)?;
    let snap = state.snapshot();
    let page: Vec<Value> = devices(&snap)
        .into_iter()
        .skip(start - 1)
        .take(records)
        .collect();
    Ok(wrap(StatusCode::OK, Value::Array(page)))
}

#[utoipa::path(get, path = "/api/v1/network-device/{id}", tag = "inventory", summary = "A network device (the id of its path elements)", params(("id" = String, Path, description = "id")), security(("X-Auth-Token" = [])), responses((status = 200, description = "OK"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 404, description = "Unknown id")))]
async fn by_id(
    State(state): State<AppState>,
    _u: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let snap = state.snapshot();
    let net = &snap.network;
    // The data plane holds every device's id (index = model order): no hashing per request.
    uuid::Uuid::parse_str(id.trim())
        .ok()
        .and_then(|want| snap.dp.devices.iter().position(|d| d.id == want))
        .and_then(|ix| net.devices.get(ix))
        .map(|d| {
            let at = snap.published_ms;
            wrap(
                StatusCode::OK,
                device_json(&net.name, d, d.interfaces.len(), at),
            )
        })
        .ok_or_else(|| ApiError::not_found("network device", &id))
}

#[utoipa::path(get, path = "/api/v1/network-device/ip-address/{ip}", tag = "inventory", summary = "A network device by management IP", params(("ip" = String, Path, description = "ip")), security(("X-Auth-Token" = [])), responses((status = 200, description = "OK"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 404, description = "Unknown id")))]
async fn by_ip(
    State(state): State<AppState>,
    _u: Authenticated,
    Path(ip): Path<String>,
) -> Result<Response, ApiError> {
    let wanted = ip
        .trim()
        .parse::<IpAddr>()
        .map_or_else(|_| ip.trim().to_string(), |a| a.to_string());
    let snap = state.snapshot();
    let net = &snap.network;
    net.devices
        .iter()
        .find(|d| d.management_ip.to_string() == wanted)
        .map(|d| {
            wrap(
                StatusCode::OK,
                device_json(&net.name, d, d.interfaces.len(), snap.published_ms),
            )
        })
        .ok_or_else(|| ApiError::not_found("network device with management IP", &ip))
}

// ---------------------------------------------------------------- interfaces

/// The netmask of a prefix length, dotted (`24` → `255.255.255.0`).
fn dotted_mask(prefix_len: u8) -> String {
    let bits = if prefix_len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix_len.min(32)))
    };
    std::net::Ipv4Addr::from(bits).to_string()
}

/// The primary IPv4 address of an interface and its dotted mask.
fn ipv4_of(i: &Interface) -> (String, String) {
    i.addresses()
        .find_map(|a| match a.addr() {
            IpAddr::V4(v4) => Some((v4.to_string(), dotted_mask(a.prefix_len()))),
            IpAddr::V6(_) => None,
        })
        .unwrap_or_default()
}

/// Speed in kbit/s: the model's, else what the name implies, else empty.
fn speed_of(i: &Interface) -> String {
    if let Some(s) = i.speed {
        return s.to_string();
    }
    let lower = i.name.to_ascii_lowercase();
    let kbps = if lower.starts_with("hundredgig") {
        "100000000"
    } else if lower.starts_with("fortygig") {
        "40000000"
    } else if lower.starts_with("twentyfivegig") {
        "25000000"
    } else if lower.starts_with("tengig") || lower.starts_with("te") {
        "10000000"
    } else if lower.starts_with("gigabit") || lower.starts_with("gi") {
        "1000000"
    } else if lower.starts_with("fastethernet") || lower.starts_with("fa") {
        "100000"
    } else {
        ""
    };
    kbps.to_string()
}

fn up_down(s: IfState) -> &'static str {
    match s {
        IfState::Up => "up",
        IfState::Down => "down",
    }
}

/// One interface as `DeviceIfDTO` (every field a string).
fn interface_json(
    snap: &Snapshot,
    d: &Device,
    pos: usize,
    i: &Interface,
    last_update_ms: i64,
) -> Value {
    let network = &snap.network.name;
    let dp: &DataPlane = &snap.dp;
    let id = ids::interface_id(network, &d.hostname, &i.name).to_string();
    let kind = i.kind();
    let physical = kind == InterfaceKind::Physical;
    let mode = if physical {
        i.port_mode()
    } else {
        PortMode::Routed
    };
    let port_mode = match mode {
        PortMode::Access => "access",
        PortMode::Trunk => "trunk",
        PortMode::Routed => "routed",
    };
    let port_type = match kind {
        InterfaceKind::Physical => "Ethernet Port",
        InterfaceKind::Svi => "Ethernet SVI",
        InterfaceKind::Subinterface => "Ethernet Sub-Interface",
        InterfaceKind::Loopback => "Loopback",
        InterfaceKind::Tunnel => "Tunnel",
    };
    let class_name = match (kind, mode) {
        (InterfaceKind::Physical, PortMode::Access | PortMode::Trunk) => "SwitchPort",
        (InterfaceKind::Physical, PortMode::Routed) => "EthernetProtocolEndpoint",
        (InterfaceKind::Svi, _) => "VLANInterface",
        (InterfaceKind::Subinterface, _) => "EthernetSubInterface",
        (InterfaceKind::Loopback, _) => "LoopbackInterface",
        (InterfaceKind::Tunnel, _) => "TunnelInterface",
    };
    let vlan = match (kind, mode) {
        (InterfaceKind::Physical, PortMode::Access) => Some(i.access_vlan.unwrap_or(1)),
        (InterfaceKind::Physical, PortMode::Trunk) => Some(i.native_vlan.unwrap_or(1)),
        (InterfaceKind::Svi, _) => i.svi_vlan(),
        (InterfaceKind::Subinterface, _) => i.encapsulation,
        _ => None,
    };
    let native = (mode == PortMode::Trunk).then(|| i.native_vlan.unwrap_or(1));
    // The parent port of a subinterface, from the data plane.
    let parent = dp
        .device_index(&d.hostname)
        .and_then(|di| dp.devices.get(di as usize))
        .and_then(|dev| dev.interfaces.get(pos))
        .and_then(|&ix| dp.interfaces.get(ix as usize))
        .and_then(|info| info.parent)
        .and_then(|p| dp.interfaces.get(p as usize));
    let (ipv4, mask) = ipv4_of(i);
    let opt = |v: Option<u16>| v.map(|x| x.to_string()).unwrap_or_default();
    json!({
        "id": id,
        "instanceUuid": id,
        "instanceTenantId": "",
        "deviceId": ids::device_id(network, &d.hostname).to_string(),
        "portName": i.name,
        "description": i.description.clone().unwrap_or_default(),
        "interfaceType": if physical { "Physical" } else { "Virtual" },
        "portType": port_type,
        "portMode": port_mode,
        "status": up_down(i.oper),
        "adminStatus": up_down(i.admin).to_ascii_uppercase(),
        "ifIndex": (pos + 1).to_string(),
        "speed": speed_of(i),
        "duplex": if physical { "FullDuplex" } else { "" },
        "mediaType": "",
        "mtu": i.mtu.unwrap_or(1500).to_string(),
        "vlanId": opt(vlan),
        "nativeVlanId": opt(native),
        "voiceVlan": "",
        "macAddress": i.mac_address.clone().unwrap_or_default(),
        "ipv4Address": ipv4,
        "ipv4Mask": mask,
        "ospfSupport": i.ospf.is_some().to_string(),
        "isisSupport": "false",
        "mappedPhysicalInterfaceId": parent.map(|p| p.id.to_string()).unwrap_or_default(),
        "mappedPhysicalInterfaceName": parent.map(|p| p.name.clone()).unwrap_or_default(),
        "serialNo": d.serial_number.clone().unwrap_or_default(),
        "series": d.series.clone().unwrap_or_default(),
        "pid": d.platform_id.clone().unwrap_or_default(),
        "className": class_name,
        "vrf": i.vrf.clone().unwrap_or_default(),
        "lastUpdated": last_update_ms.to_string(),
    })
}

/// Every interface of every device, in model order.
fn interfaces(snap: &Snapshot) -> Vec<Value> {
    let at = snap.published_ms;
    snap.network
        .devices
        .iter()
        .flat_map(|d| {
            d.interfaces
                .iter()
                .enumerate()
                .map(move |(pos, i)| interface_json(snap, d, pos, i, at))
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/interface", tag = "inventory", summary = "Interfaces", security(("X-Auth-Token" = [])), responses((status = 200, description = "OK"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 400, description = "Invalid request: the detail names the field")))]
async fn if_list(
    State(state): State<AppState>,
    _u: Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = parse_query(raw.as_deref(), &INTERFACE_FILTERS)?;
    let snap = state.snapshot();
    Ok(wrap(
        StatusCode::OK,
        Value::Array(q.apply(interfaces(&snap))),
    ))
}

#[utoipa::path(get, path = "/api/v1/interface/count", tag = "inventory", summary = "Number of interfaces", security(("X-Auth-Token" = [])), responses((status = 200, description = "OK"), (status = 401, description = "Missing or invalid X-Auth-Token")))]
async fn if_count(
    State(state): State<AppState>,
    _u: Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = parse_query(raw.as_deref(), &INTERFACE_FILTERS)?;
    let snap = state.snapshot();
    Ok(wrap(
        StatusCode::OK,
        json!(q.filter(interfaces(&snap)).len()),
    ))
}

#[utoipa::path(get, path = "/api/v1/interface/{id}", tag = "inventory", summary = "An interface (the id of path elements' interfaces)", params(("id" = String, Path, description = "id")), security(("X-Auth-Token" = [])), responses((status = 200, description = "OK"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 404, description = "Unknown id")))]
async fn if_by_id(
    State(state): State<AppState>,
    _u: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let snap = state.snapshot();
    let net = &snap.network;
    // The data plane holds every interface's id: no hashing per request.
    let found = uuid::Uuid::parse_str(id.trim()).ok().and_then(|want| {
        let ix = snap.dp.interfaces.iter().position(|i| i.id == want)?;
        let dev = snap.dp.interfaces[ix].device as usize;
        let pos = snap.dp.devices[dev]
            .interfaces
            .iter()
            .position(|&x| x as usize == ix)?;
        let d = net.devices.get(dev)?;
        Some((d, pos, d.interfaces.get(pos)?))
    });
    found
        .map(|(d, pos, i)| {
            let at = snap.published_ms;
            wrap(StatusCode::OK, interface_json(&snap, d, pos, i, at))
        })
        .ok_or_else(|| ApiError::not_found("interface", &id))
}

#[utoipa::path(get, path = "/api/v1/interface/network-device/{id}", tag = "inventory", summary = "The interfaces of a device", params(("id" = String, Path, description = "id")), security(("X-Auth-Token" = [])), responses((status = 200, description = "OK"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 404, description = "Unknown id")))]
async fn if_by_device(
    State(state): State<AppState>,
    _u: Authenticated,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = parse_query(raw.as_deref(), &INTERFACE_FILTERS)?;
    let snap = state.snapshot();
    let network = &snap.network.name;
    if !snap
        .network
        .devices
        .iter()
        .any(|d| ids::device_id(network, &d.hostname).to_string() == id)
    {
        return Err(ApiError::not_found("network device", &id));
    }
    let mine: Vec<Value> = interfaces(&snap)
        .into_iter()
        .filter(|i| i["deviceId"] == id.as_str())
        .collect();
    Ok(wrap(StatusCode::OK, Value::Array(q.apply(mine))))
}

#[utoipa::path(get, path = "/api/v1/interface/ip-address/{ip}", tag = "inventory", summary = "The interfaces with an address", params(("ip" = String, Path, description = "ip")), security(("X-Auth-Token" = [])), responses((status = 200, description = "OK"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 404, description = "Unknown id")))]
async fn if_by_ip(
    State(state): State<AppState>,
    _u: Authenticated,
    Path(ip): Path<String>,
) -> Result<Response, ApiError> {
    let addr: IpAddr = ip.trim().parse().map_err(|_| {
        ApiError::bad_request("ipAddress", format!("not a valid IP address: {ip:?}"))
    })?;
    let snap = state.snapshot();
    let at = snap.published_ms;
    let found: Vec<Value> = snap
        .network
        .devices
        .iter()
        .flat_map(|d| {
            d.interfaces
                .iter()
                .enumerate()
                .filter(|(_, i)| i.addresses().any(|a| a.addr() == addr))
                .map(|(pos, i)| interface_json(&snap, d, pos, i, at))
                .collect::<Vec<_>>()
        })
        .collect();
    if found.is_empty() {
        return Err(ApiError::not_found("interface with IP address", &ip));
    }
    Ok(wrap(StatusCode::OK, Value::Array(found)))
}

// ---------------------------------------------------------------- hosts

/// A device interface by (possibly abbreviated) name: (full name, id).
fn resolve_port(snap: &Snapshot, device: &str, port: &str) -> Option<(String, String)> {
    let dp = &snap.dp;
    let di = dp.device_index(device)?;
    let ix = dp.interface_index(di, port)?;
    let info = dp.interfaces.get(ix as usize)?;
    Some((info.name.clone(), info.id.to_string()))
}

/// Every host as `HostDTO` (strings, except `attributeInfo`).
fn hosts(snap: &Snapshot) -> Vec<Value> {
    let net = &snap.network;
    let at = snap.published_ms;
    let device = |name: &str| net.devices.iter().find(|d| d.hostname == name);
    net.hosts
        .iter()
        .map(|h| {
            let ip = h.ip.addr();
            let mut m = Map::new();
            m.insert("id".into(), json!(ids::host_id(&net.name, &ip).to_string()));
            m.insert("hostIp".into(), json!(ip.to_string()));
            m.insert("hostMac".into(), json!(h.mac.clone().unwrap_or_default()));
            m.insert("hostName".into(), json!(h.name.clone().unwrap_or_default()));
            m.insert("hostType".into(), json!(h.kind.as_str()));
            m.insert("subType".into(), json!("UNKNOWN"));
            let attached = match h.kind {
                HostKind::Wired => h.switch.as_deref(),
                HostKind::Wireless => h.ap.as_deref(),
            };
            let dev = attached.and_then(device);
            let dev_id = dev.map(|d| ids::device_id(&net.name, &d.hostname).to_string());
            let port = match (h.kind, dev) {
                (HostKind::Wired, Some(d)) => h
                    .port
                    .as_deref()
                    .and_then(|p| resolve_port(snap, &d.hostname, p)),
                (HostKind::Wireless, Some(d)) => d
                    .interfaces
                    .iter()
                    .find(|i| i.kind() == InterfaceKind::Physical)
                    .map(|i| {
                        (
                            i.name.clone(),
                            ids::interface_id(&net.name, &d.hostname, &i.name).to_string(),
                        )
                    }),
                _ => None,
            };
            // Wireless: the client VLAN of the SSID on the AP's controller.
            let vlan = h.vlan.or_else(|| {
                let ssid = h.ssid.as_deref()?;
                let ap = net
                    .wireless
                    .aps
                    .iter()
                    .find(|a| Some(a.device.as_str()) == h.ap.as_deref())?;
                let wlc = net
                    .wireless
                    .controllers
                    .iter()
                    .find(|c| c.device == ap.controller)?;
                wlc.ssids.iter().find(|s| s.name == ssid).map(|s| s.vlan)
            });
            m.insert(
                "vlanId".into(),
                json!(vlan.map(|v| v.to_string()).unwrap_or_default()),
            );
            m.insert(
                "connectedNetworkDeviceId".into(),
                json!(dev_id.clone().unwrap_or_default()),
            );
            m.insert(
                "connectedNetworkDeviceIpAddress".into(),
                json!(dev.map(|d| d.management_ip.to_string()).unwrap_or_default()),
            );
            let (if_name, if_id) = port.unwrap_or_default();
            m.insert("connectedInterfaceId".into(), json!(if_id));
            m.insert("connectedInterfaceName".into(), json!(if_name));
            if h.kind == HostKind::Wireless {
                m.insert(
                    "connectedAPName".into(),
                    json!(dev.map(|d| d.hostname.clone()).unwrap_or_default()),
                );
                m.insert(
                    "connectedAPMacAddress".into(),
                    json!(dev.and_then(|d| d.mac_address.clone()).unwrap_or_default()),
                );
            }
            m.insert(
                "pointOfAttachment".into(),
                json!(dev_id.clone().unwrap_or_default()),
            );
            m.insert("pointOfPresence".into(), json!(dev_id.unwrap_or_default()));
            m.insert("lastUpdated".into(), json!(at.to_string()));
            m.insert("source".into(), json!("200"));
            m.insert("avgUpdateFrequency".into(), json!("1800"));
            m.insert("attributeInfo".into(), json!({}));
            Value::Object(m)
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/host", tag = "inventory", summary = "Hosts (filters)", security(("X-Auth-Token" = [])), responses((status = 200, description = "OK"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 400, description = "Invalid request: the detail names the field")))]
async fn host_list(
    State(state): State<AppState>,
    _u: Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = parse_query(raw.as_deref(), &HOST_FILTERS)?;
    let snap = state.snapshot();
    Ok(wrap(StatusCode::OK, Value::Array(q.apply(hosts(&snap)))))
}

#[utoipa::path(get, path = "/api/v1/host/count", tag = "inventory", summary = "Number of hosts", security(("X-Auth-Token" = [])), responses((status = 200, description = "OK"), (status = 401, description = "Missing or invalid X-Auth-Token")))]
async fn host_count(
    State(state): State<AppState>,
    _u: Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = parse_query(raw.as_deref(), &HOST_FILTERS)?;
    let snap = state.snapshot();
    Ok(wrap(StatusCode::OK, json!(q.filter(hosts(&snap)).len())))
}

#[utoipa::path(get, path = "/api/v1/host/{id}", tag = "inventory", summary = "A host", params(("id" = String, Path, description = "id")), security(("X-Auth-Token" = [])), responses((status = 200, description = "OK"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 404, description = "Unknown id")))]
async fn host_by_id(
    State(state): State<AppState>,
    _u: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let snap = state.snapshot();
    hosts(&snap)
        .into_iter()
        .find(|h| h["id"] == id.as_str())
        .map(|h| wrap(StatusCode::OK, h))
        .ok_or_else(|| ApiError::not_found("host", &id))
}

// ---------------------------------------------------------------- topology

/// `topology/physical-topology`: devices as nodes, modelled links as links.
fn physical_topology_json(snap: &Snapshot) -> Value {
    let net = &snap.network;
    let name = &net.name;
    let nodes: Vec<Value> = net
        .devices
        .iter()
        .enumerate()
        .map(|(n, d)| {
            json!({
                "id": ids::device_id(name, &d.hostname).to_string(),
                "label": d.hostname,
                "ip": d.management_ip.to_string(),
                "nodeType": "device",
                "deviceType": d.device_type.clone().unwrap_or_else(|| d.family.clone()),
                "family": d.family,
                "role": d.role,
                "roleSource": "MANUAL",
                "platformId": d.platform_id.clone().unwrap_or_default(),
                "softwareVersion": d.software_version.clone().unwrap_or_default(),
                "osType": d.software_type.clone().unwrap_or_default(),
                "networkType": "",
                "vlanId": "",
                "userId": "",
                "upperNode": "",
                "dataPathId": "",
                "x": 0,
                "y": 0,
                "order": n,
                "greyOut": false,
                "aclApplied": false,
                "fixed": false,
                "tags": [],
                "customParam": {},
            })
        })
        .collect();
    let model_iface = |dev: &str, full: &str| {
        net.devices
            .iter()
            .find(|d| d.hostname == dev)
            .and_then(|d| d.interfaces.iter().find(|i| i.name == full))
    };
    let links: Vec<Value> = net
        .links
        .iter()
        .filter_map(|l| {
            let (a_name, a_id) = resolve_port(snap, &l.a.device, &l.a.interface)?;
            let (b_name, b_id) = resolve_port(snap, &l.b.device, &l.b.interface)?;
            let a = model_iface(&l.a.device, &a_name)?;
            let b = model_iface(&l.b.device, &b_name)?;
            let (a4, am) = ipv4_of(a);
            let (b4, bm) = ipv4_of(b);
            let link_id = uuid::Uuid::new_v5(
                &uuid::Uuid::NAMESPACE_URL,
                format!("pathtrace:{name}:link:{a_id}:{b_id}").as_bytes(),
            );
            Some(json!({
                "id": link_id.to_string(),
                "source": ids::device_id(name, &l.a.device).to_string(),
                "target": ids::device_id(name, &l.b.device).to_string(),
                "startPortID": a_id,
                "startPortName": a_name,
                "startPortSpeed": speed_of(a),
                "startPortIpv4Address": a4,
                "startPortIpv4Mask": am,
                "endPortID": b_id,
                "endPortName": b_name,
                "endPortSpeed": speed_of(b),
                "endPortIpv4Address": b4,
                "endPortIpv4Mask": bm,
                "linkStatus": if a.is_up() && b.is_up() { "up" } else { "down" },
                "tag": "",
                "greyOut": false,
            }))
        })
        .collect();
    let topo_id = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("pathtrace:{name}:topology:physical").as_bytes(),
    );
    json!({"id": topo_id.to_string(), "nodes": nodes, "links": links})
}

#[utoipa::path(get, path = "/api/v1/topology/physical-topology", tag = "inventory", summary = "Devices and links", security(("X-Auth-Token" = [])), responses((status = 200, description = "OK"), (status = 401, description = "Missing or invalid X-Auth-Token")))]
async fn physical_topology(
    State(state): State<AppState>,
    _u: Authenticated,
) -> Result<Response, ApiError> {
    let snap = state.snapshot();
    Ok(wrap(StatusCode::OK, physical_topology_json(&snap)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_case() {
        assert!(matches("cat_9k.*", "cat_9k_1.abc.inc"));
        assert!(matches(".*abc.inc", "cs3850.abc.inc"));
        assert!(matches("CAMPUS-.*1", "CAMPUS-Access1"));
        assert!(matches("campus-core1", "CAMPUS-Core1"));
        assert!(matches(".*", ""));
        assert!(!matches("cat", "cat_9k_1.abc.inc"));
        assert!(!matches("a.*b.*c", "acb"));
        assert!(!matches("ab.*ba", "aba"));
    }

    #[test]
    fn masks_dates_and_uptime() {
        assert_eq!(dotted_mask(24), "255.255.255.0");
        assert_eq!(dotted_mask(30), "255.255.255.252");
        assert_eq!(dotted_mask(0), "0.0.0.0");
        assert_eq!(dotted_mask(32), "255.255.255.255");
        assert_eq!(date_time(1_716_065_720_000), "2024-05-18 20:55:20");
        assert_eq!(uptime_seconds(Some("1 day, 1:00:01.00")), 90_001);
        assert_eq!(uptime_seconds(None), 0);
    }

    #[test]
    fn queries_are_validated() {
        let q = parse_query(
            Some("hostname=a&hostname=b&id=x,y&offset=2&limit=3&active_validation=False"),
            &DEVICE_FILTERS,
        )
        .unwrap();
        assert_eq!(q.offset, 2);
        assert_eq!(q.limit, 3);
        assert_eq!(
            q.filters,
            [
                ("hostname", vec!["a".to_string(), "b".to_string()]),
                ("id", vec!["x".to_string(), "y".to_string()])
            ]
        );
        for (raw, field) in [
            ("offset=0", "offset"),
            ("limit=501", "limit"),
            ("limit=abc", "limit"),
            ("order=up", "order"),
            ("sortBy=nope", "sortBy"),
        ] {
            let e = parse_query(Some(raw), &DEVICE_FILTERS).unwrap_err();
            assert_eq!(e.detail, format!("field: {field}"), "{raw}");
        }
    }
}
