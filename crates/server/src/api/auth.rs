//! Login: the APIC-EM service ticket (`POST /api/v1/ticket`, JSON body) and
//! the DNA Center token (`POST /dna/system/api/v1/auth/token` and the older
//! `/api/system/v1/auth/token`, HTTP Basic, no body). Both issue the same kind
//! of token, sent back as `X-Auth-Token`.

use argon2::{Argon2, PasswordVerifier};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::{ApiError, AppState, now_ms, wrap};

/// The body of `POST /api/v1/ticket` (documentation only; bodies are parsed
/// by hand so errors can name the field).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct TicketRequest {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ticket))
        .routes(routes!(token))
        .routes(routes!(token_legacy))
}

/// Check a user's password (constant work whether or not the user exists).
fn verify(state: &AppState, username: &str, password: &str) -> bool {
    // Unknown users are checked against a real hash too, so timing does not
    // reveal who exists.
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        crate::config::hash_password("pathtrace: no such user").unwrap_or_default()
    });
    let hash = state
        .users
        .get(username)
        .map_or(dummy.as_str(), |u| u.password_hash.as_str());
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
        && state.users.contains_key(username)
}

async fn issue(state: &AppState, username: &str) -> Result<String, ApiError> {
    let token = format!("ST-{}", uuid::Uuid::new_v4().simple());
    let now = now_ms();
    state.store.insert_token(&token, username, now).await?;
    state.tokens.insert(&token, username, now);
    Ok(token)
}

#[utoipa::path(post, path = "/api/v1/ticket", tag = "login", summary = "APIC-EM login: a service ticket", request_body = TicketRequest, responses((status = 200, description = "serviceTicket, idleTimeout, sessionTimeout"), (status = 400, description = "Bad body"), (status = 401, description = "Bad credentials")))]
async fn ticket(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let v: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request("body", format!("the body is not valid JSON: {e}")))?;
    let field = |k: &str| -> Result<String, ApiError> {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| ApiError::bad_request(k, format!("{k} is required (a string)")))
    };
    let (user, password) = (field("username")?, field("password")?);
    if !verify(&state, &user, &password) {
        return Err(ApiError::unauthorized("invalid username or password"));
    }
    let token = issue(&state, &user).await?;
    Ok(wrap(
        StatusCode::OK,
        json!({"serviceTicket": token, "idleTimeout": state.idle_timeout_s, "sessionTimeout": state.session_timeout_s}),
    ))
}

#[utoipa::path(post, path = "/api/system/v1/auth/token", tag = "login", summary = "DNA Center login, pre-1.2.6 path (HTTP Basic): a token", responses((status = 200, description = "{Token}"), (status = 401, description = "Bad credentials")))]
async fn token_legacy(state: State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    token(state, headers).await
}

#[utoipa::path(post, path = "/dna/system/api/v1/auth/token", tag = "login", summary = "DNA Center login (HTTP Basic): a token", responses((status = 200, description = "{Token}"), (status = 401, description = "Bad credentials")))]
async fn token(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .ok_or_else(|| ApiError::unauthorized("HTTP Basic authentication is required"))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| ApiError::unauthorized("malformed Basic credentials"))?;
    let (user, password) = decoded
        .split_once(':')
        .ok_or_else(|| ApiError::unauthorized("malformed Basic credentials"))?;
    if !verify(&state, user, password) {
        return Err(ApiError::unauthorized("invalid username or password"));
    }
    let token = issue(&state, user).await?;
    Ok((StatusCode::OK, axum::Json(json!({"Token": token}))).into_response())
}
