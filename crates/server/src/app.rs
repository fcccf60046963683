//! Application state, the error type every handler returns, the token
//! extractor, and the router with both URL families.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use pathtrace_engine::DataPlane;
use pathtrace_engine::view::telemetry::{CollectedTelemetry, SimulatedTelemetry, TelemetrySource};
use pathtrace_model::Network;
use serde_json::json;

use crate::store::{Store, StoreError};

/// The two URL families every endpoint is served under.
pub const FAMILIES: [&str; 2] = ["/api/v1", "/dna/intent/api/v1"];

/// The network a server answers on: a stored snapshot version and its data plane.
pub struct Snapshot {
    /// Snapshot version in the store.
    pub version: i64,
    /// When that version was published, epoch ms.
    pub published_ms: i64,
    /// The model.
    pub network: Network,
    /// Its data plane (immutable).
    pub dp: DataPlane,
    /// Whether the statistics are simulated (the built-in demo network).
    pub simulated: bool,
    /// Where statistics come from: what the model's `telemetry` section
    /// recorded, or — for the built-in demo network only — simulated values.
    pub telemetry: Box<dyn TelemetrySource + Send + Sync>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("version", &self.version)
            .field("published_ms", &self.published_ms)
            .field("network", &self.network.name)
            .finish_non_exhaustive()
    }
}

impl Snapshot {
    /// A snapshot of `network`; `demo` when it is the built-in demo network
    /// (whose statistics are simulated).
    pub fn new(version: i64, published_ms: i64, network: Network, demo: bool) -> Snapshot {
        let dp = pathtrace_engine::build(&network);
        let telemetry: Box<dyn TelemetrySource + Send + Sync> = if demo {
            Box::new(SimulatedTelemetry)
        } else {
            Box::new(CollectedTelemetry::new(&dp, &network.telemetry))
        };
        Snapshot {
            version,
            published_ms,
            network,
            dp,
            telemetry,
            simulated: demo,
        }
    }
}

/// A user allowed to log in.
#[derive(Debug, Clone)]
pub struct User {
    /// Name.
    pub username: String,
    /// argon2 PHC hash of the password.
    pub password_hash: String,
}

/// Shared state of all handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// The current snapshot.
    pub snapshot: Arc<RwLock<Arc<Snapshot>>>,
    /// Users by name.
    pub users: Arc<HashMap<String, User>>,
    /// Token idle timeout, seconds.
    pub idle_timeout_s: i64,
    /// Token session timeout, seconds.
    pub session_timeout_s: i64,
    /// The worker pool's free slots (see [`crate::worker::enqueue`]).
    pub jobs: Arc<tokio::sync::Semaphore>,
    /// The group-committing writer of analyses and tasks.
    pub writer: crate::writer::Writer,
    /// Milliseconds between two runs of a periodic analysis.
    pub refresh_interval_ms: i64,
    /// The model file served (`--network`), reloaded on SIGHUP.
    pub network_file: Option<std::path::PathBuf>,
    /// The model source served instead of a file (`serve --suzieq`), called
    /// again on SIGHUP.
    pub network_loader: Option<crate::config::NetworkLoader>,
    /// The latest analysis of each flow created here (for
    /// `previousFlowAnalysisId`; `None` when other replicas create too).
    pub flows: Option<Arc<crate::refresh::FlowIndex>>,
    /// Serialises model reloads.
    pub reload: Arc<tokio::sync::Mutex<()>>,
    /// Recent analyses and tasks in memory, when this process is the
    /// store's only writer (embedded SQLite); `None` with PostgreSQL.
    pub hot: Option<Arc<crate::hot::Hot>>,
    /// Tokens seen by this process (the store stays the source of truth).
    pub tokens: Arc<TokenCache>,
    /// The jobs this process holds leases on ([`crate::lease`]).
    pub leases: Arc<crate::lease::Leases>,
    /// Finished analyses and tasks older than this are deleted
    /// ([`crate::retention`]); 0 keeps them.
    pub retention_ms: i64,
}

/// A write-behind cache of tokens: a request's token check costs no store
/// round trip once the token is known; `last used` reaches the store at most
/// once a minute per token (so other replicas see it, approximately), and a
/// token unknown here is looked up in the store (issued by another replica).
#[derive(Debug, Default)]
pub struct TokenCache {
    map: RwLock<HashMap<String, Arc<CachedToken>>>,
}

#[derive(Debug)]
struct CachedToken {
    username: String,
    created_ms: i64,
    last_used_ms: AtomicI64,
    stored_last_used_ms: AtomicI64,
}

const TOKEN_TOUCH_MS: i64 = 60_000;

impl TokenCache {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<CachedToken>>> {
        self.map
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Arc<CachedToken>>> {
        self.map
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Remember a token just issued.
    pub fn insert(&self, token: &str, username: &str, now: i64) {
        let t = CachedToken {
            username: username.into(),
            created_ms: now,
            last_used_ms: AtomicI64::new(now),
            stored_last_used_ms: AtomicI64::new(now),
        };
        self.write().insert(token.into(), Arc::new(t));
    }

    /// The user of a live token; touches it.
    pub async fn check(
        &self,
        store: &Store,
        token: &str,
        now: i64,
        idle_ms: i64,
        session_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        let cached = self.read().get(token).cloned();
        let t = match cached {
            Some(t) => t,
            None => match store.get_token(token).await? {
                Some((username, created_ms, last_used_ms)) => {
                    let t = Arc::new(CachedToken {
                        username,
                        created_ms,
                        last_used_ms: AtomicI64::new(last_used_ms),
                        stored_last_used_ms: AtomicI64::new(last_used_ms),
                    });
                    self.write().insert(token.into(), Arc::clone(&t));
                    t
                }
                None => return Ok(None),
            },
        };
        let last = t.last_used_ms.load(Ordering::Relaxed);
        if now - last > idle_ms || now - t.created_ms > session_ms {
            self.write().remove(token);
            store.delete_token(token).await?;
            return Ok(None);
        }
        t.last_used_ms.fetch_max(now, Ordering::Relaxed);
        let stored = t.stored_last_used_ms.load(Ordering::Relaxed);
        if now - stored > TOKEN_TOUCH_MS
            && t.stored_last_used_ms
                .compare_exchange(stored, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            store.touch_token(token, now).await?;
        }
        Ok(Some(t.username.clone()))
    }

    /// Drop expired tokens from the cache.
    pub fn expire(&self, now: i64, idle_ms: i64, session_ms: i64) {
        self.write().retain(|_, t| {
            now - t.last_used_ms.load(Ordering::Relaxed) <= idle_ms
                && now - t.created_ms <= session_ms
        });
    }
}

impl AppState {
    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }
}

/// Run `round` every `period` in a task of its own: the first round at
/// once, a late round delaying the next instead of bunching them, a failed
/// round logged as "`what` failed; retrying" — until the process stops or,
/// with `until_draining`, until it starts shutting down.
pub(crate) fn every<F, Fut, E>(
    state: &AppState,
    period: std::time::Duration,
    what: &'static str,
    until_draining: bool,
    round: F,
) where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(), E>> + Send,
    E: std::fmt::Display,
{
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if until_draining && state.leases.draining() {
                break;
            }
            if let Err(e) = round(state.clone()).await {
                tracing::warn!(error = %e, "{what} failed; retrying");
            }
        }
    });
}

/// Epoch milliseconds now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// An API error: the status and the contract's error body
/// `{"response": {"errorCode", "message", "detail"}, "version": "1.0"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Machine-readable code.
    pub code: String,
    /// One sentence.
    pub message: String,
    /// More detail (e.g. the field).
    pub detail: String,
}

impl ApiError {
    /// A 400 naming the offending field.
    pub fn bad_request(field: &str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "INVALID_REQUEST".into(),
            message: message.into(),
            detail: format!("field: {field}"),
        }
    }

    /// A 404 for an unknown id.
    pub fn not_found(what: &str, id: &str) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "NOT_FOUND".into(),
            message: format!("{what} {id} was not found"),
            detail: format!("{what}: {id}"),
        }
    }

    /// A 401.
    pub fn unauthorized(message: &str) -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "UNAUTHORIZED".into(),
            message: message.into(),
            detail: "authentication required".into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        // Internal detail goes to the log, never to the client.
        tracing::error!(error = %e, "store error");
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "STORE_UNAVAILABLE".into(),
            message: "the store is unavailable; try again".into(),
            detail: String::new(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "response": {"errorCode": self.code, "message": self.message, "detail": self.detail},
            "version": "1.0",
        });
        (self.status, axum::Json(body)).into_response()
    }
}

/// `{"response": …, "version": "1.0"}` with a status.
#[allow(clippy::needless_pass_by_value)]
pub fn wrap(status: StatusCode, response: serde_json::Value) -> Response {
    (
        status,
        axum::Json(json!({"response": response, "version": "1.0"})),
    )
        .into_response()
}

/// The logged-in user of a request (from `X-Auth-Token`).
#[derive(Debug, Clone)]
pub struct Authenticated(pub String);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = token_of(&parts.headers)
            .ok_or_else(|| ApiError::unauthorized("missing X-Auth-Token"))?;
        let user = state
            .tokens
            .check(
                &state.store,
                &token,
                now_ms(),
                state.idle_timeout_s * 1000,
                state.session_timeout_s * 1000,
            )
            .await?
            .ok_or_else(|| ApiError::unauthorized("invalid or expired token"))?;
        Ok(Authenticated(user))
    }
}

fn token_of(h: &HeaderMap) -> Option<String> {
    let v = h.get("x-auth-token")?.to_str().ok()?.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// Answers for anything no route matches: JSON, never an empty body.
async fn fallback() -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        code: "NOT_FOUND".into(),
        message: "no such endpoint".into(),
        detail: String::new(),
    }
}

/// Turn axum's plain-text rejections (405, 415, …) into the JSON error shape.
async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if res.status().is_client_error() && !is_json {
        let status = res.status();
        return ApiError {
            status,
            code: status
                .canonical_reason()
                .unwrap_or("ERROR")
                .to_uppercase()
                .replace(' ', "_"),
            message: status.canonical_reason().unwrap_or("error").to_string(),
            detail: String::new(),
        }
        .into_response();
    }
    res
}

/// The OpenAPI document's frame: info, tags, the `X-Auth-Token` scheme.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "pathtrace",
        description = "The Cisco DNA Center / APIC-EM path-trace API, served by pathtrace. Every path under /api/v1 is also served under /dna/intent/api/v1."
    ),
    modifiers(&TokenScheme),
    tags(
        (name = "login", description = "Tickets and tokens"),
        (name = "flow-analysis", description = "Path trace"),
        (name = "task", description = "Asynchronous tasks"),
        (name = "tasks", description = "Asynchronous tasks, newer API"),
        (name = "inventory", description = "Devices, hosts, interfaces, topology"),
        (name = "network", description = "The served network model (pathtrace extension)")
    )
)]
struct ApiDoc;

struct TokenScheme;

impl utoipa::Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "X-Auth-Token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Auth-Token"))),
        );
    }
}

/// The documented API: the router and its OpenAPI document, built from the
/// same handler annotations (so they cannot disagree on paths and methods).
/// Every `/api/v1` path is nested again under `/dna/intent`.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    use utoipa::OpenApi as _;
    let family = crate::api::flow::routes()
        .merge(crate::api::task::routes())
        .merge(crate::api::inventory::routes());
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::api::auth::routes())
        .merge(family.clone())
        .nest("/dna/intent", family)
        .merge(crate::api::task::routes_v2())
        .merge(crate::api::admin::routes())
        .split_for_parts()
}

/// The OpenAPI document alone.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().1
}

/// The whole API: documented routes, `/api-docs/openapi.json` with a
/// Swagger UI at `/docs`, `/metrics`, JSON errors for everything else.
pub fn router(state: AppState) -> Router {
    let (routes, doc) = api();
    routes
        .merge(utoipa_swagger_ui::SwaggerUi::new("/docs").url("/api-docs/openapi.json", doc))
        .route("/metrics", axum::routing::get(crate::metrics::render))
        .fallback(fallback)
        .layer(axum::middleware::from_fn(json_errors))
        .route_layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
