//! Inventory: `network-device` (list, by id, by IP, count), from the
//! current snapshot. Device ids equal the path elements' ids (UUIDv5 of
//! the network and hostname), so the notebooks' bonus — the software version
//! of each device on the path — works through `network-device/{id}`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use pathtrace_model::types::Device;
use serde_json::{Value, json};

use crate::app::{ApiError, AppState, Authenticated, FAMILIES, wrap};

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for f in FAMILIES {
        r = r
            .route(&format!("{f}/network-device"), get(list))
            .route(&format!("{f}/network-device/count"), get(count))
            .route(&format!("{f}/network-device/ip-address/{{ip}}"), get(by_ip))
            .route(&format!("{f}/network-device/{{id}}"), get(by_id));
    }
    r
}

/// A device as DNA Center's `network-device` resource: every field the
/// clients' schemas require, strings except `lastUpdateTime` and `uptimeSeconds`.
pub fn device_json(
    network: &str,
    d: &Device,
    interface_count: usize,
    last_update_ms: i64,
) -> Value {
    let id = pathtrace_model::ids::device_id(network, &d.hostname).to_string();
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
        "lastUpdated": "",
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

fn devices(state: &AppState) -> Vec<Value> {
    let snap = state.snapshot();
    let created = snap.version;
    snap.network
        .devices
        .iter()
        .map(|d| device_json(&snap.network.name, d, d.interfaces.len(), created))
        .collect()
}

async fn list(State(state): State<AppState>, _u: Authenticated) -> Result<Response, ApiError> {
    Ok(wrap(StatusCode::OK, Value::Array(devices(&state))))
}

async fn count(State(state): State<AppState>, _u: Authenticated) -> Result<Response, ApiError> {
    Ok(wrap(
        StatusCode::OK,
        json!(state.snapshot().network.devices.len()),
    ))
}

async fn by_id(
    State(state): State<AppState>,
    _u: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    devices(&state)
        .into_iter()
        .find(|d| d["id"] == id.as_str())
        .map(|d| wrap(StatusCode::OK, d))
        .ok_or_else(|| ApiError::not_found("network device", &id))
}

async fn by_ip(
    State(state): State<AppState>,
    _u: Authenticated,
    Path(ip): Path<String>,
) -> Result<Response, ApiError> {
    devices(&state)
        .into_iter()
        .find(|d| d["managementIpAddress"] == ip.as_str())
        .map(|d| wrap(StatusCode::OK, d))
        .ok_or_else(|| ApiError::not_found("network device with management IP", &ip))
}
