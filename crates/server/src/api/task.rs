//! Tasks: the APIC-EM / DNA Center `task` API (`task/{id}`, `task/{id}/tree`,
//! `task`, `task/count`) and the newer `/dna/intent/api/v1/tasks` family
//! (`tasks/{id}`, `tasks/{id}/detail`, `tasks`, `tasks/count`).
//!
//! JSON types follow the contract: epoch-ms integers, a real boolean
//! `isError`, an integer `version`, `endTime` only once the task is done.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::flow::query_pairs;
use crate::app::{ApiError, AppState, Authenticated, wrap};
use crate::store::Task;

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(count))
        .routes(routes!(one))
        .routes(routes!(tree))
        .routes(routes!(range))
        .routes(routes!(by_operation))
}

/// The newer `/dna/intent/api/v1/tasks` family (not duplicated under `/api/v1`).
pub fn routes_v2() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_v2))
        .routes(routes!(count_v2))
        .routes(routes!(one_v2))
        .routes(routes!(detail))
}

/// A task as `TaskDTO`.
pub fn task_json(t: &Task) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(t.id));
    m.insert("rootId".into(), json!(t.id));
    m.insert("serviceType".into(), json!(t.service_type));
    m.insert("progress".into(), json!(t.progress));
    m.insert("isError".into(), json!(t.is_error));
    m.insert("startTime".into(), json!(t.start_ms));
    if let Some(e) = t.end_ms {
        m.insert("endTime".into(), json!(e));
    }
    m.insert("lastUpdate".into(), json!(t.last_update_ms));
    m.insert("version".into(), json!(t.last_update_ms));
    if let Some(r) = &t.failure_reason {
        m.insert("failureReason".into(), json!(r));
    }
    if let Some(c) = &t.error_code {
        m.insert("errorCode".into(), json!(c));
    }
    Value::Object(m)
}

/// `PENDING`, `FAILURE` or `SUCCESS` (the v2 task status).
fn status_v2(t: &Task) -> &'static str {
    match (t.end_ms, t.is_error) {
        (None, _) => "PENDING",
        (Some(_), true) => "FAILURE",
        (Some(_), false) => "SUCCESS",
    }
}

fn task_v2(t: &Task) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(t.id));
    m.insert("rootId".into(), json!(t.id));
    m.insert("startTime".into(), json!(t.start_ms));
    if let Some(e) = t.end_ms {
        m.insert("endTime".into(), json!(e));
    }
    m.insert("updatedTime".into(), json!(t.last_update_ms));
    m.insert("status".into(), json!(status_v2(t)));
    if let Some(u) = &t.result_url {
        m.insert("resultLocation".into(), json!(u));
    }
    Value::Object(m)
}

async fn find(state: &AppState, id: &str) -> Result<Task, ApiError> {
    if let Some(t) = state.hot.as_ref().and_then(|hot| hot.task(id)) {
        return Ok((*t).clone());
    }
    state
        .store
        .get_task(id)
        .await?
        .ok_or_else(|| ApiError::not_found("task", id))
}

#[utoipa::path(get, path = "/api/v1/task/{id}", tag = "task", summary = "A task (progress holds the new resource id)", params(("id" = String, Path, description = "id")), security(("X-Auth-Token" = [])), responses((status = 200, description = "The task"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 404, description = "Unknown id")))]
async fn one(
    State(state): State<AppState>,
    _u: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(wrap(StatusCode::OK, task_json(&find(&state, &id).await?)))
}

#[utoipa::path(get, path = "/api/v1/task/{id}/tree", tag = "task", summary = "A task and its subtasks", params(("id" = String, Path, description = "id")), security(("X-Auth-Token" = [])), responses((status = 200, description = "The task tree"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 404, description = "Unknown id")))]
async fn tree(
    State(state): State<AppState>,
    _u: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(wrap(
        StatusCode::OK,
        json!([task_json(&find(&state, &id).await?)]),
    ))
}

#[utoipa::path(get, path = "/dna/intent/api/v1/tasks/{id}", tag = "tasks", summary = "A task, newer API (status PENDING, FAILURE, SUCCESS)", params(("id" = String, Path, description = "id")), security(("X-Auth-Token" = [])), responses((status = 200, description = "The task"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 404, description = "Unknown id")))]
async fn one_v2(
    State(state): State<AppState>,
    _u: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(wrap(StatusCode::OK, task_v2(&find(&state, &id).await?)))
}

#[utoipa::path(get, path = "/dna/intent/api/v1/tasks/{id}/detail", tag = "tasks", summary = "A task detail (data, progress, errorCode, failureReason)", params(("id" = String, Path, description = "id")), security(("X-Auth-Token" = [])), responses((status = 200, description = "The detail"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 404, description = "Unknown id")))]
async fn detail(
    State(state): State<AppState>,
    _u: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let t = find(&state, &id).await?;
    let mut m = Map::new();
    m.insert(
        "data".into(),
        json!(t.result_url.clone().unwrap_or_default()),
    );
    m.insert("progress".into(), json!(t.progress));
    if let Some(c) = &t.error_code {
        m.insert("errorCode".into(), json!(c));
    }
    if let Some(r) = &t.failure_reason {
        m.insert("failureReason".into(), json!(r));
    }
    Ok(wrap(StatusCode::OK, Value::Object(m)))
}

/// uniq's `getTaskByRange`: `task/{offset}/{limit}` (1-based offset).
#[utoipa::path(get, path = "/api/v1/task/{id}/{limit}", tag = "task", summary = "Tasks by range (uniq getTaskByRange: offset, limit)", params(("id" = String, Path, description = "id"), ("limit" = String, Path, description = "limit")), security(("X-Auth-Token" = [])), responses((status = 200, description = "Tasks"), (status = 400, description = "Invalid request: the detail names the field"), (status = 401, description = "Missing or invalid X-Auth-Token")))]
async fn range(
    State(state): State<AppState>,
    _u: Authenticated,
    Path((offset, limit)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let q = parse(Some(&format!("offset={offset}&limit={limit}")))?;
    let tasks = filtered(&state, &q).await?;
    Ok(wrap(StatusCode::OK, page(&tasks, &q, task_json)))
}

/// `task/operation/{operationId}/{offset}/{limit}`: pathtrace records no
/// operation ids, so no task belongs to one (an empty list, not an error).
#[utoipa::path(get, path = "/api/v1/task/operation/{operation}/{offset}/{limit}", tag = "task", summary = "Tasks of an operation (none are recorded)", params(("operation" = String, Path, description = "operation"), ("offset" = String, Path, description = "offset"), ("limit" = String, Path, description = "limit")), security(("X-Auth-Token" = [])), responses((status = 200, description = "Tasks"), (status = 400, description = "Invalid request: the detail names the field"), (status = 401, description = "Missing or invalid X-Auth-Token")))]
async fn by_operation(
    State(_state): State<AppState>,
    _u: Authenticated,
    Path((_op, offset, limit)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    parse(Some(&format!("offset={offset}&limit={limit}")))?;
    Ok(wrap(StatusCode::OK, json!([])))
}

/// Filters and paging shared by the task lists.
struct TaskQuery {
    offset: usize,
    limit: usize,
    desc: bool,
    status: Option<String>,
    is_error: Option<bool>,
    service_type: Option<String>,
}

fn parse(raw: Option<&str>) -> Result<TaskQuery, ApiError> {
    let (offset, limit) = crate::api::flow::paging(raw)?;
    let mut q = TaskQuery {
        offset,
        limit,
        desc: false,
        status: None,
        is_error: None,
        service_type: None,
    };
    for (k, v) in query_pairs(raw) {
        match k.as_str() {
            "order" => {
                q.desc = match v.to_ascii_lowercase().as_str() {
                    "asc" => false,
                    "desc" => true,
                    _ => {
                        return Err(ApiError::bad_request(
                            &k,
                            format!("order must be asc or desc, got {v:?}"),
                        ));
                    }
                };
            }
            "status" => q.status = Some(v.to_ascii_uppercase()),
            "isError" => {
                q.is_error = Some(match v.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(ApiError::bad_request(
                            &k,
                            format!("isError must be true or false, got {v:?}"),
                        ));
                    }
                });
            }
            "serviceType" => q.service_type = Some(v.clone()),
            _ => {}
        }
    }
    Ok(q)
}

/// One page of `items` as JSON.
fn page<T>(items: &[T], q: &TaskQuery, f: fn(&T) -> Value) -> Value {
    items
        .iter()
        .skip(q.offset - 1)
        .take(q.limit)
        .map(f)
        .collect()
}

async fn filtered(state: &AppState, q: &TaskQuery) -> Result<Vec<Task>, ApiError> {
    let mut tasks: Vec<Task> = state
        .store
        .list_tasks()
        .await?
        .into_iter()
        .filter(|t| q.status.as_ref().is_none_or(|s| s == status_v2(t)))
        .filter(|t| q.is_error.is_none_or(|e| e == t.is_error))
        .filter(|t| q.service_type.as_ref().is_none_or(|s| *s == t.service_type))
        .collect();
    if q.desc {
        tasks.reverse();
    }
    Ok(tasks)
}

#[utoipa::path(get, path = "/api/v1/task", tag = "task", summary = "Tasks (filters, 1-based offset, limit)", security(("X-Auth-Token" = [])), responses((status = 200, description = "Tasks"), (status = 400, description = "Invalid request: the detail names the field"), (status = 401, description = "Missing or invalid X-Auth-Token")))]
async fn list(
    State(state): State<AppState>,
    _u: Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = parse(raw.as_deref())?;
    let tasks = filtered(&state, &q).await?;
    Ok(wrap(StatusCode::OK, page(&tasks, &q, task_json)))
}

#[utoipa::path(get, path = "/api/v1/task/count", tag = "task", summary = "Number of tasks", security(("X-Auth-Token" = [])), responses((status = 200, description = "An integer"), (status = 401, description = "Missing or invalid X-Auth-Token")))]
async fn count(
    State(state): State<AppState>,
    _u: Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = parse(raw.as_deref())?;
    Ok(wrap(
        StatusCode::OK,
        json!(filtered(&state, &q).await?.len()),
    ))
}

#[utoipa::path(get, path = "/dna/intent/api/v1/tasks", tag = "tasks", summary = "Tasks, newer API", security(("X-Auth-Token" = [])), responses((status = 200, description = "Tasks"), (status = 400, description = "Invalid request: the detail names the field"), (status = 401, description = "Missing or invalid X-Auth-Token")))]
async fn list_v2(
    State(state): State<AppState>,
    _u: Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = parse(raw.as_deref())?;
    let tasks = filtered(&state, &q).await?;
    Ok(wrap(StatusCode::OK, page(&tasks, &q, task_v2)))
}

#[utoipa::path(get, path = "/dna/intent/api/v1/tasks/count", tag = "tasks", summary = "Number of tasks, newer API", security(("X-Auth-Token" = [])), responses((status = 200, description = "{count}"), (status = 401, description = "Missing or invalid X-Auth-Token")))]
async fn count_v2(
    State(state): State<AppState>,
    _u: Authenticated,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = parse(raw.as_deref())?;
    Ok(wrap(
        StatusCode::OK,
        json!({"count": filtered(&state, &q).await?.len()}),
    ))
}
