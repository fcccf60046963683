//! Flow analysis (path trace): initiate (202 + task), list with filters,
//! sorting and 1-based paging, get, delete — under both URL families.
//!
//! Request bodies and query strings are parsed by hand so every error names
//! its field (`sourceIP`, `destPort`, `inclusions[1]`, `limit`, …) and nothing
//! is stored for a bad request.

use std::net::IpAddr;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse as _, Response};
use pathtrace_engine::view::dnac::java_date;
use serde_json::{Map, Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::{ApiError, AppState, Authenticated, FAMILIES, now_ms, wrap};
use crate::store::{
    Analysis, AnalysisFilter, Applied, Change, NewAnalysis, Run, deletion_task, new_analysis,
};

/// The inclusions DNA Center knows.
pub const INCLUSIONS: [&str; 5] = [
    "INTERFACE-STATS",
    "QOS-STATS",
    "DEVICE-STATS",
    "PERFORMANCE-STATS",
    "ACL-TRACE",
];

/// The body of `POST flow-analysis` (documentation only; bodies are parsed
/// by hand so errors can name the field).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct FlowAnalysisRequest {
    /// Source address (required).
    #[serde(rename = "sourceIP")]
    pub source_ip: String,
    /// Destination address (required).
    #[serde(rename = "destIP")]
    pub dest_ip: String,
    /// Source port, 1-65535 (digits or an integer).
    #[serde(rename = "sourcePort")]
    pub source_port: Option<String>,
    /// Destination port, 1-65535 (digits or an integer).
    #[serde(rename = "destPort")]
    pub dest_port: Option<String>,
    /// TCP or UDP (any case); empty or absent: both are checked.
    pub protocol: Option<String>,
    /// Refresh the analysis periodically.
    #[serde(rename = "periodicRefresh")]
    pub periodic_refresh: Option<bool>,
    /// Subset of INTERFACE-STATS, QOS-STATS, DEVICE-STATS, PERFORMANCE-STATS, ACL-TRACE.
    pub inclusions: Option<Vec<String>>,
    /// DNA Center's control-path flag (echoed).
    #[serde(rename = "controlPath")]
    pub control_path: Option<bool>,
}

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, initiate))
        .routes(routes!(get_one, delete))
        .routes(routes!(runs))
}

/// The URL family (`/api/v1` or `/dna/intent/api/v1`) a request came in on.
pub fn family_of(uri: &Uri) -> &'static str {
    if uri.path().starts_with("/dna/") {
        FAMILIES[1]
    } else {
        FAMILIES[0]
    }
}

/// Parse query pairs (repeated keys kept in order, values URL-decoded).
pub fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    let Some(raw) = raw else { return Vec::new() };
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A port given as digits or a JSON integer, 1–65535.
fn port(v: &Value, field: &str) -> Result<Option<String>, ApiError> {
    let n = match v {
        Value::Null => return Ok(None),
        Value::String(s) if s.is_empty() => return Ok(None),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    };
    match n {
        Some(n) if (1..=65535).contains(&n) => Ok(Some(n.to_string())),
        _ => Err(ApiError::bad_request(
            field,
            format!("{field} must be a port number 1-65535, got {v}"),
        )),
    }
}

fn ip(v: Option<&Value>, field: &str) -> Result<String, ApiError> {
    let s = v.and_then(Value::as_str).ok_or_else(|| {
        ApiError::bad_request(field, format!("{field} is required (an IP address string)"))
    })?;
    s.trim()
        .parse::<IpAddr>()
        .map(|a| a.to_string())
        .map_err(|_| {
            ApiError::bad_request(field, format!("{field} is not a valid IP address: {s:?}"))
        })
}

fn boolean(v: Option<&Value>, field: &str) -> Result<Option<bool>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(other) => Err(ApiError::bad_request(
            field,
            format!("{field} must be a boolean, got {other}"),
        )),
    }
}

/// Normalise an inclusion name (`DEVICE_STATS` → `DEVICE-STATS`, any case).
fn inclusion(s: &str) -> Option<&'static str> {
    let n = s.trim().to_ascii_uppercase().replace('_', "-");
    INCLUSIONS.iter().copied().find(|i| *i == n)
}

/// Validate a `POST flow-analysis` body (plus Ansible's `include_stats` query values).
pub fn parse_request(body: &[u8], include_stats: &[String]) -> Result<NewAnalysis, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "body",
            "a JSON body with sourceIP and destIP is required",
        ));
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request("body", format!("the body is not valid JSON: {e}")))?;
    let Value::Object(o) = &v else {
        return Err(ApiError::bad_request(
            "body",
            "the body must be a JSON object",
        ));
    };
    let source_ip = ip(o.get("sourceIP"), "sourceIP")?;
    let dest_ip = ip(o.get("destIP"), "destIP")?;
    if source_ip.contains(':') != dest_ip.contains(':') {
        return Err(ApiError::bad_request(
            "destIP",
            "sourceIP and destIP must be of the same address family",
        ));
    }
    let source_port = port(o.get("sourcePort").unwrap_or(&Value::Null), "sourcePort")?;
    let dest_port = port(o.get("destPort").unwrap_or(&Value::Null), "destPort")?;
    let protocol = match o.get("protocol") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s))
            if s.eq_ignore_ascii_case("tcp") || s.eq_ignore_ascii_case("udp") =>
        {
            Some(s.to_ascii_uppercase())
        }
        Some(other) => {
            return Err(ApiError::bad_request(
                "protocol",
                format!("protocol must be TCP, UDP or empty, got {other}"),
            ));
        }
    };
    let mut inclusions: Vec<String> = Vec::new();
    match o.get("inclusions") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let field = format!("inclusions[{i}]");
                let name = item.as_str().and_then(inclusion).ok_or_else(|| {
                    ApiError::bad_request(
                        &field,
                        format!(
                            "unknown inclusion {item}; expected one of {}",
                            INCLUSIONS.join(", ")
                        ),
                    )
                })?;
                if !inclusions.iter().any(|x| x == name) {
                    inclusions.push(name.to_string());
                }
            }
        }
        Some(other) => {
            return Err(ApiError::bad_request(
                "inclusions",
                format!("inclusions must be an array, got {other}"),
            ));
        }
    }
    for s in include_stats {
        let name = inclusion(s).ok_or_else(|| {
            ApiError::bad_request("include_stats", format!("unknown inclusion {s:?}"))
        })?;
        if !inclusions.iter().any(|x| x == name) {
            inclusions.push(name.to_string());
        }
    }
    Ok(NewAnalysis {
        source_ip,
        dest_ip,
        source_port,
        dest_port,
        protocol,
        periodic_refresh: boolean(o.get("periodicRefresh"), "periodicRefresh")?.unwrap_or(false),
        control_path: boolean(o.get("controlPath"), "controlPath")?,
        inclusions,
    })
}

#[utoipa::path(post, path = "/api/v1/flow-analysis", tag = "flow-analysis", summary = "Start a path trace (asynchronous: a task is returned)", request_body = FlowAnalysisRequest, security(("X-Auth-Token" = [])), responses((status = 202, description = "Accepted: flowAnalysisId, taskId, url"), (status = 400, description = "Invalid request: the detail names the field"), (status = 401, description = "Missing or invalid X-Auth-Token")))]
async fn initiate(
    State(state): State<AppState>,
    _user: Authenticated,
    uri: Uri,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    let include_stats: Vec<String> = query_pairs(q.as_deref())
        .into_iter()
        .filter(|(k, _)| k == "include_stats")
        .map(|(_, v)| v)
        .collect();
    let req = parse_request(&body, &include_stats)?;
    let family = family_of(&uri);
    let snapshot = state.snapshot();
    let now = now_ms();
    let (mut analysis, task) = new_analysis(req, snapshot.version, now, family);
    if analysis.request.periodic_refresh {
        analysis.next_refresh_ms = Some(now + state.refresh_interval_ms);
    }
    analysis.previous_id = crate::refresh::previous_of(&state, &analysis).await?;
    let (id, task_id) = (analysis.id.clone(), task.id.clone());
    let job = std::sync::Arc::new(analysis.clone());
    let committed = state.writer.submit(Change::Create { analysis, task }, None);
    // The trace runs while the creation commits; the writer records its
    // completion after the creation, never before.
    crate::worker::enqueue(&state, job);
    committed.committed().await?;
    // The task is committed: readable before this answer leaves.
    Ok(wrap(
        StatusCode::ACCEPTED,
        json!({"flowAnalysisId": id, "taskId": task_id, "url": format!("/api/v1/flow-analysis/{id}")}),
    ))
}

/// The response body of `GET flow-analysis/{id}`: `{"response": {"request",
/// "lastUpdate", …the stored result's keys}, "version": "1.0"}`, spliced
/// from the stored result text without parsing it again.
pub fn analysis_body(a: &Analysis) -> Bytes {
    let request = request_json(a).to_string();
    let last_update = Value::String(java_date(a.last_update_ms)).to_string();
    let rest = match a.result.as_deref() {
        Some(r) => object_fields(r),
        None => {
            r#","detailedStatus":{"aclTraceCalculation":"INPROGRESS"},"networkElementsInfo":[],"properties":[]"#
                .to_string()
        }
    };
    Bytes::from(format!(
        r#"{{"response":{{"request":{request},"lastUpdate":{last_update}{rest}}},"version":"1.0"}}"#
    ))
}

/// The fields of a stored JSON object as `,"a":…,"b":…` to splice into
/// another object (empty for an empty or malformed object).
fn object_fields(object: &str) -> String {
    let o = object.trim();
    if o.len() > 2 && o.starts_with('{') && o.ends_with('}') {
        format!(",{}", &o[1..o.len() - 1])
    } else {
        String::new()
    }
}

/// A 200 with a serialised JSON body.
pub fn json_body(body: Bytes) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// The `request` object of an analysis (also a list item).
pub fn request_json(a: &Analysis) -> Value {
    let q = &a.request;
    let mut m = Map::new();
    m.insert("id".into(), json!(a.id));
    m.insert("sourceIP".into(), json!(q.source_ip));
    m.insert("destIP".into(), json!(q.dest_ip));
    if let Some(p) = &q.source_port {
        m.insert("sourcePort".into(), json!(p));
    }
    if let Some(p) = &q.dest_port {
        m.insert("destPort".into(), json!(p));
    }
    if let Some(p) = &q.protocol {
        m.insert("protocol".into(), json!(p));
    }
    m.insert("periodicRefresh".into(), json!(q.periodic_refresh));
    if !q.inclusions.is_empty() {
        m.insert("inclusions".into(), json!(q.inclusions));
    }
    if let Some(c) = q.control_path {
        m.insert("controlPath".into(), json!(c));
    }
    if let Some(p) = &a.previous_id {
        m.insert("previousFlowAnalysisId".into(), json!(p));
    }
    m.insert("status".into(), json!(a.status));
    m.insert("createTime".into(), json!(a.create_ms));
    m.insert("lastUpdateTime".into(), json!(a.last_update_ms));
    if let Some(r) = &a.failure_reason {
        m.insert("failureReason".into(), json!(r));
    }
    Value::Object(m)
}

#[utoipa::path(get, path = "/api/v1/flow-analysis/{id}", tag = "flow-analysis", summary = "A path trace and its result (networkElementsInfo)", params(("id" = String, Path, description = "id")), security(("X-Auth-Token" = [])), responses((status = 200, description = "The analysis"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 404, description = "Unknown id")))]
async fn get_one(
    State(state): State<AppState>,
    _user: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    if let Some(h) = state.hot.as_ref().and_then(|hot| hot.analysis(&id)) {
        return Ok(json_body(
            h.body.clone().unwrap_or_else(|| analysis_body(&h.analysis)),
        ));
    }
    let a = state
        .store
        .get_analysis(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("flow analysis", &id))?;
    Ok(json_body(analysis_body(&a)))
}

/// One kept run as JSON: `run`, `endTime`, `status`, `failureReason`, then
/// the run's result fields (spliced from the stored text).
fn run_json(r: &Run) -> String {
    let mut head = format!(
        r#"{{"run":{},"endTime":{},"status":{}"#,
        r.run,
        r.end_ms,
        Value::String(r.status.clone())
    );
    if let Some(reason) = &r.failure_reason {
        head.push_str(r#","failureReason":"#);
        head.push_str(&Value::String(reason.clone()).to_string());
    }
    head.push_str(&object_fields(&r.result));
    head.push('}');
    head
}

/// `offset` (1-based, default 1) and `limit` (1–500, default 500) of a
/// list query; other parameters are left to the caller.
pub fn paging(raw: Option<&str>) -> Result<(usize, usize), ApiError> {
    let (mut offset, mut limit) = (1usize, 500usize);
    for (k, v) in query_pairs(raw) {
        let n = || {
            v.trim().parse::<i64>().map_err(|_| {
                ApiError::bad_request(&k, format!("{k} must be an integer, got {v:?}"))
            })
        };
        match k.as_str() {
            "offset" => {
                offset = usize::try_from(n()?)
                    .ok()
                    .filter(|o| *o >= 1)
                    .ok_or_else(|| {
                        ApiError::bad_request(&k, format!("offset is 1-based, got {v:?}"))
                    })?;
            }
            "limit" => {
                limit = usize::try_from(n()?)
                    .ok()
                    .filter(|l| (1..=500).contains(l))
                    .ok_or_else(|| {
                        ApiError::bad_request(&k, format!("limit must be 1-500, got {v:?}"))
                    })?;
            }
            _ => {}
        }
    }
    Ok((offset, limit))
}

/// Every run of an analysis, oldest first (a pathtrace extension: DNA
/// Center overwrites a periodic analysis in place; pathtrace also keeps each
/// run, with what changed since the one before in its `refresh` field). A
/// one-shot analysis has one run once it is done.
#[utoipa::path(get, path = "/api/v1/flow-analysis/{id}/runs", tag = "flow-analysis", summary = "Every run of a path trace (pathtrace extension: a periodic analysis keeps each refresh)", params(("id" = String, Path, description = "id"), ("offset" = Option<i64>, Query, description = "1-based, default 1"), ("limit" = Option<i64>, Query, description = "1-500, default 500")), security(("X-Auth-Token" = [])), responses((status = 200, description = "The runs: run, endTime, status, failureReason, and the result fields (networkElementsInfo, refresh, ...)"), (status = 400, description = "Invalid request: the detail names the field"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 404, description = "Unknown id")))]
async fn runs(
    State(state): State<AppState>,
    _user: Authenticated,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let (offset, limit) = paging(q.as_deref())?;
    let (offset, limit) = (
        i64::try_from(offset).unwrap_or(i64::MAX),
        i64::try_from(limit).unwrap_or(500),
    );
    let a = state
        .store
        .get_analysis(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("flow analysis", &id))?;
    let runs = if a.request.periodic_refresh {
        state.store.runs(&id, offset - 1, limit).await?
    } else if a.status != "INPROGRESS" && offset == 1 {
        vec![Run::of(&a, 1)]
    } else {
        Vec::new()
    };
    let items: Vec<String> = runs.iter().map(run_json).collect();
    Ok(json_body(Bytes::from(format!(
        r#"{{"response":[{}],"version":"1.0"}}"#,
        items.join(",")
    ))))
}

fn parse_filter(
    raw: Option<&str>,
) -> Result<(AnalysisFilter, usize, usize, bool, String), ApiError> {
    let pairs = query_pairs(raw);
    let (offset, limit) = paging(raw)?;
    let mut f = AnalysisFilter::default();
    let (mut desc, mut sort_by) = (false, "createTime".to_string());
    let int = |k: &str, v: &str| -> Result<i64, ApiError> {
        v.trim()
            .parse::<i64>()
            .map_err(|_| ApiError::bad_request(k, format!("{k} must be an integer, got {v:?}")))
    };
    for (k, v) in &pairs {
        match k.as_str() {
            "periodicRefresh" => {
                f.periodic_refresh = Some(match v.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(ApiError::bad_request(
                            k,
                            format!("{k} must be True or False, got {v:?}"),
                        ));
                    }
                });
            }
            "sourceIP" => f.source_ip = Some(v.clone()),
            "destIP" => f.dest_ip = Some(v.clone()),
            "sourcePort" => f.source_port = port(&json!(v), k)?,
            "destPort" => f.dest_port = port(&json!(v), k)?,
            "protocol" => f.protocol = Some(v.clone()),
            "status" => f.status = Some(v.clone()),
            "taskId" => f.task_id = Some(v.clone()),
            "gtCreateTime" => f.gt_create_time = Some(int(k, v)?),
            "ltCreateTime" => f.lt_create_time = Some(int(k, v)?),
            "lastUpdateTime" => f.last_update_time = Some(int(k, v)?),
            "order" => {
                desc = match v.to_ascii_lowercase().as_str() {
                    "asc" => false,
                    "desc" => true,
                    _ => {
                        return Err(ApiError::bad_request(
                            k,
                            format!("order must be asc or desc, got {v:?}"),
                        ));
                    }
                };
            }
            "sortBy" => {
                const SORTABLE: [&str; 8] = [
                    "createTime",
                    "lastUpdateTime",
                    "sourceIP",
                    "destIP",
                    "status",
                    "sourcePort",
                    "destPort",
                    "protocol",
                ];
                if !SORTABLE.contains(&v.as_str()) {
                    return Err(ApiError::bad_request(
                        k,
                        format!("sortBy must be one of {}, got {v:?}", SORTABLE.join(", ")),
                    ));
                }
                sort_by.clone_from(v);
            }
            _ => {} // unknown parameters are ignored (Ansible sends active_validation=False)
        }
    }
    Ok((f, limit, offset, desc, sort_by))
}

#[utoipa::path(get, path = "/api/v1/flow-analysis", tag = "flow-analysis", summary = "List path traces (filters, sortBy, order, 1-based offset, limit)", security(("X-Auth-Token" = [])), responses((status = 200, description = "The analyses"), (status = 400, description = "Invalid request: the detail names the field"), (status = 401, description = "Missing or invalid X-Auth-Token")))]
async fn list(
    State(state): State<AppState>,
    _user: Authenticated,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let (filter, limit, offset, desc, sort_by) = parse_filter(q.as_deref())?;
    let mut items = state.store.list_analyses(&filter).await?;
    // Stable: ties on the sort key keep creation order.
    items.sort_by(|a, b| {
        let key = |x: &Analysis| -> (String, i64) {
            match sort_by.as_str() {
                "lastUpdateTime" => (String::new(), x.last_update_ms),
                "sourceIP" => (x.request.source_ip.clone(), 0),
                "destIP" => (x.request.dest_ip.clone(), 0),
                "status" => (x.status.clone(), 0),
                "sourcePort" => (x.request.source_port.clone().unwrap_or_default(), 0),
                "destPort" => (x.request.dest_port.clone().unwrap_or_default(), 0),
                "protocol" => (x.request.protocol.clone().unwrap_or_default(), 0),
                _ => (String::new(), x.create_ms),
            }
        };
        let o = key(a).cmp(&key(b)).then(a.seq.cmp(&b.seq));
        if desc { o.reverse() } else { o }
    });
    let page: Vec<Value> = items
        .iter()
        .skip(offset - 1)
        .take(limit)
        .map(request_json)
        .collect();
    Ok(wrap(StatusCode::OK, Value::Array(page)))
}

#[utoipa::path(delete, path = "/api/v1/flow-analysis/{id}", tag = "flow-analysis", summary = "Delete a path trace", params(("id" = String, Path, description = "id")), security(("X-Auth-Token" = [])), responses((status = 202, description = "Deleted: taskId, url"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 404, description = "Unknown id")))]
async fn delete(
    State(state): State<AppState>,
    _user: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let task = deletion_task(now_ms());
    let task_id = task.id.clone();
    let change = Change::Delete {
        id: id.clone(),
        now: task.start_ms,
        task,
    };
    if state.writer.submit(change, None).committed().await? != Applied::Deleted(true) {
        return Err(ApiError::not_found("flow analysis", &id));
    }
    if let Some(index) = &state.flows {
        index.forget(&id);
    }
    Ok(wrap(
        StatusCode::ACCEPTED,
        json!({"taskId": task_id, "url": format!("/api/v1/task/{task_id}")}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_validated_field_by_field() {
        let ok = parse_request(br#"{"sourceIP":"10.1.1.1","destIP":"10.2.2.2","destPort":443,"sourcePort":"1024","protocol":"tcp","inclusions":["device_stats"]}"#, &[]).unwrap();
        assert_eq!(ok.dest_port.as_deref(), Some("443"));
        assert_eq!(ok.protocol.as_deref(), Some("TCP"));
        assert_eq!(ok.inclusions, ["DEVICE-STATS"]);
        for (body, field) in [
            (&br#"{"destIP":"10.2.2.2"}"#[..], "sourceIP"),
            (
                br#"{"sourceIP":"10.1.1.999","destIP":"10.2.2.2"}"#,
                "sourceIP",
            ),
            (
                br#"{"sourceIP":"10.1.1.1","destIP":"10.2.2.2","destPort":70000}"#,
                "destPort",
            ),
            (
                br#"{"sourceIP":"10.1.1.1","destIP":"10.2.2.2","protocol":"SCTP"}"#,
                "protocol",
            ),
            (
                br#"{"sourceIP":"10.1.1.1","destIP":"10.2.2.2","inclusions":["DEVICE-STATS","X"]}"#,
                "inclusions[1]",
            ),
            (
                br#"{"sourceIP":"10.1.1.1","destIP":"10.2.2.2","periodicRefresh":"maybe"}"#,
                "periodicRefresh",
            ),
            (b"not json", "body"),
            (b"", "body"),
            (b"[1,2]", "body"),
        ] {
            let e = parse_request(body, &[]).unwrap_err();
            assert_eq!(
                e.detail,
                format!("field: {field}"),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert_eq!(
            parse_request(
                br#"{"sourceIP":"10.1.1.1","destIP":"10.2.2.2"}"#,
                &["INTERFACE-STATS".into()]
            )
            .unwrap()
            .inclusions,
            ["INTERFACE-STATS"]
        );
    }

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(
            query_pairs(Some("a=1&b=x%20y&b=z&c")),
            [
                ("a".into(), "1".into()),
                ("b".into(), "x y".into()),
                ("b".into(), "z".into()),
                ("c".into(), String::new())
            ]
        );
        assert_eq!(
            query_pairs(Some("a=%zz&b=%4")),
            [("a".into(), "%zz".into()), ("b".into(), "%4".into())]
        );
    }
}
