//! The served network (pathtrace extensions under `/api/v1/pathtrace/`):
//! which snapshot is served, and replacing or reloading it while serving.
//!
//! Unlike DNA Center's resources these answer synchronously: a model is
//! validated and its data plane built before the answer, so a model with
//! errors is refused with its messages (and the served network stays).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::{ApiError, AppState, Authenticated, Snapshot, wrap};
use crate::refresh::{ReloadError, reload, reload_file};

/// The routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(current, replace))
        .routes(routes!(reload_from_file))
        .routes(routes!(health))
        // A model is larger than an API body (10,000 devices: ~20 MB).
        .layer(axum::extract::DefaultBodyLimit::max(MODEL_BODY_LIMIT))
}

/// Largest model accepted by `PUT /api/v1/pathtrace/network`.
pub const MODEL_BODY_LIMIT: usize = 256 << 20;

/// For load balancers: 200 when this replica can reach its store and is not
/// shutting down, else 503; no authentication.
#[utoipa::path(get, path = "/health", tag = "network", summary = "Whether this replica can serve: its store answers and it is not draining (no authentication; for load-balancer health checks)", responses((status = 200, description = "Ready: {status: ok, replica, snapshotVersion, jobsHeld}"), (status = 503, description = "Store unreachable or shutting down: {status: unavailable|draining, …}")))]
async fn health(State(state): State<AppState>) -> Response {
    let store = state.store.ping().await;
    let status = if state.leases.draining() {
        "draining"
    } else if store.is_err() {
        "unavailable"
    } else {
        "ok"
    };
    let mut body = json!({
        "status": status,
        "replica": state.store.owner(),
        "snapshotVersion": state.snapshot().version,
        "jobsHeld": state.leases.len(),
    });
    if let Err(e) = store {
        tracing::warn!(error = %e, "health check: the store is unreachable");
        body["store"] = json!("unreachable");
    }
    let code = if status == "ok" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(body)).into_response()
}

fn describe(s: &Snapshot) -> serde_json::Value {
    json!({
        "snapshotVersion": s.version,
        "publishedTime": s.published_ms,
        "name": s.network.name,
        "devices": s.network.devices.len(),
        "hosts": s.network.hosts.len(),
        "simulatedStatistics": s.simulated,
    })
}

impl From<ReloadError> for ApiError {
    fn from(e: ReloadError) -> Self {
        match e {
            ReloadError::Invalid(errors) => ApiError {
                status: StatusCode::BAD_REQUEST,
                code: "INVALID_MODEL".into(),
                message: format!(
                    "the model has {} error(s); the served network is unchanged",
                    errors.len()
                ),
                detail: errors.join("\n"),
            },
            ReloadError::NoFile => ApiError {
                status: StatusCode::CONFLICT,
                code: "NO_MODEL_FILE".into(),
                message: e.to_string(),
                detail: String::new(),
            },
            ReloadError::Unreadable(m) => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "MODEL_UNREADABLE".into(),
                message: m,
                detail: String::new(),
            },
            ReloadError::Store(e) => e.into(),
        }
    }
}

/// The served network: snapshot version, name, sizes.
#[utoipa::path(get, path = "/api/v1/pathtrace/network", tag = "network", summary = "The served network (snapshot version, name, devices, hosts)", security(("X-Auth-Token" = [])), responses((status = 200, description = "The served snapshot"), (status = 401, description = "Missing or invalid X-Auth-Token")))]
async fn current(State(state): State<AppState>, _u: Authenticated) -> Response {
    wrap(StatusCode::OK, describe(&state.snapshot()))
}

/// Serve another model (the body: the model's YAML text), published as a
/// new snapshot version when it differs from the latest.
#[utoipa::path(put, path = "/api/v1/pathtrace/network", tag = "network", summary = "Serve another network model (body: the model YAML); refused with its errors, the served network unchanged", request_body(content = String, content_type = "application/yaml", description = "A network model (docs/model.md)"), security(("X-Auth-Token" = [])), responses((status = 200, description = "Now served"), (status = 400, description = "The model has errors: detail lists them as file:line: field: message"), (status = 401, description = "Missing or invalid X-Auth-Token")))]
async fn replace(
    State(state): State<AppState>,
    _u: Authenticated,
    body: Bytes,
) -> Result<Response, ApiError> {
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::bad_request("body", "the model must be UTF-8 text (YAML)"))?;
    let s = reload(&state, text, "request body".into()).await?;
    Ok(wrap(StatusCode::OK, describe(&s)))
}

/// Read the `--network` file (or the `--suzieq` directory) again (what SIGHUP does).
#[utoipa::path(post, path = "/api/v1/pathtrace/network/reload", tag = "network", summary = "Serve the --network file (or the --suzieq directory) again (as SIGHUP does)", security(("X-Auth-Token" = [])), responses((status = 200, description = "Now served"), (status = 400, description = "The model has errors: detail lists them"), (status = 401, description = "Missing or invalid X-Auth-Token"), (status = 409, description = "The server was started without --network or --suzieq")))]
async fn reload_from_file(
    State(state): State<AppState>,
    _u: Authenticated,
) -> Result<Response, ApiError> {
    let s = reload_file(&state).await?;
    Ok(wrap(StatusCode::OK, describe(&s)))
}
