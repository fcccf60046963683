//! The HTTP client: configuration ([`ClientBuilder`]), login in both styles
//! ([`LoginStyle`]), the URL family ([`ApiFamily`]), and the one request
//! path every call goes through (token header, a single re-login on 401,
//! status → [`Error`], the `{"response": …}` envelope, typed parsing with
//! the path of a bad field).

use std::fmt::{self, Write as _};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};

/// Which URL family API calls use. Login endpoints are fixed by
/// [`LoginStyle`], whatever the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiFamily {
    /// `/api/v1/...`: APIC-EM and DNA Center before 1.2.6 (uniq's paths).
    ApicEm,
    /// `/dna/intent/api/v1/...`: DNA Center / Catalyst Center (dnacentersdk's
    /// paths). The default.
    #[default]
    Intent,
}

impl ApiFamily {
    /// The path prefix, without a trailing slash.
    pub fn prefix(self) -> &'static str {
        match self {
            ApiFamily::ApicEm => "/api/v1",
            ApiFamily::Intent => "/dna/intent/api/v1",
        }
    }
}

/// How to log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoginStyle {
    /// APIC-EM: `POST /api/v1/ticket` with a JSON `{username, password}`;
    /// the token is `response.serviceTicket`.
    Ticket,
    /// DNA Center: `POST /dna/system/api/v1/auth/token` with HTTP Basic; the
    /// token is `Token`. The default.
    #[default]
    Token,
    /// DNA Center before 1.2.6: `POST /api/system/v1/auth/token` with HTTP
    /// Basic (what the DNA Center notebook calls).
    LegacyToken,
}

impl LoginStyle {
    /// The login endpoint's path.
    pub fn path(self) -> &'static str {
        match self {
            LoginStyle::Ticket => "/api/v1/ticket",
            LoginStyle::Token => "/dna/system/api/v1/auth/token",
            LoginStyle::LegacyToken => "/api/system/v1/auth/token",
        }
    }
}

/// Configuration of a [`Client`]: `Client::builder(url)…build()`.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    family: ApiFamily,
    accept_invalid_certs: bool,
    timeout: Option<Duration>,
    connect_timeout: Duration,
    token: Option<String>,
    user_agent: String,
}

impl ClientBuilder {
    /// Which URL family to call ([`ApiFamily::Intent`] by default).
    #[must_use]
    pub fn family(mut self, family: ApiFamily) -> Self {
        self.family = family;
        self
    }

    /// Accept any server certificate — self-signed, expired, for another
    /// host. Off by default; turn it on only for a controller you reach
    /// over a network you trust (the lab's self-signed DNA Center, a
    /// pathtrace server with its generated certificate).
    #[must_use]
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.accept_invalid_certs = accept;
        self
    }

    /// The limit on one whole HTTP exchange (30 s by default; `None`: no limit).
    #[must_use]
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// The limit on establishing a connection, TLS included (10 s by default).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Start with this token (sent as `X-Auth-Token`) instead of logging in.
    #[must_use]
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The `User-Agent` header (`pathtrace-client/<version>` by default).
    #[must_use]
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// The client. The base URL must be `http://` or `https://` with a host;
    /// a bare `host[:port]` means `https://host[:port]`. A path in it is kept
    /// as a prefix of every request (for a controller behind a proxy).
    pub fn build(self) -> Result<Client> {
        let raw = self.base_url.trim();
        let with_scheme = if raw.contains("://") {
            raw.to_string()
        } else {
            format!("https://{raw}")
        };
        let url = Url::parse(&with_scheme)
            .map_err(|e| Error::Config(format!("base URL {raw:?}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "base URL {raw:?}: the scheme must be http or https"
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Error::Config(format!("base URL {raw:?}: no host")));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::Config(format!(
                "base URL {raw:?}: no query or fragment allowed"
            )));
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(self.user_agent)
            .connect_timeout(self.connect_timeout)
            .danger_accept_invalid_certs(self.accept_invalid_certs);
        if let Some(t) = self.timeout {
            builder = builder.timeout(t);
        }
        let http = builder
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(Client {
            http,
            base: url.as_str().trim_end_matches('/').to_string(),
            family: self.family,
            auth: Arc::new(RwLock::new(Auth {
                token: self.token,
                credentials: None,
            })),
        })
    }
}

/// What the client knows to authenticate with.
#[derive(Default)]
struct Auth {
    token: Option<String>,
    credentials: Option<(LoginStyle, String, String)>,
}

/// An asynchronous client of the DNA Center / APIC-EM path-trace API.
///
/// Cheap to clone; clones share the connection pool and the token. Calls
/// that need no body take `&self` and may run concurrently.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    family: ApiFamily,
    auth: Arc<RwLock<Auth>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the token or the password.
        let auth = self
            .auth
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f.debug_struct("Client")
            .field("base_url", &self.base)
            .field("family", &self.family)
            .field("token", &auth.token.as_ref().map(|_| "<set>"))
            .field(
                "login",
                &auth
                    .credentials
                    .as_ref()
                    .map(|(style, user, _)| (style, user)),
            )
            .finish_non_exhaustive()
    }
}

/// A login's answer: APIC-EM's `response.serviceTicket`, DNA Center's `Token`.
#[derive(serde::Deserialize)]
struct TokenAnswer {
    #[serde(rename = "Token", alias = "token")]
    token: Option<String>,
    response: Option<TicketAnswer>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TicketAnswer {
    service_ticket: Option<String>,
}

/// The `{"response": …, "version"}` wrapper of every answer.
#[derive(serde::Deserialize)]
struct Envelope<T> {
    response: T,
}

impl Client {
    /// A builder for a controller at `base_url` (e.g. `https://10.0.0.1`,
    /// `http://127.0.0.1:8080`).
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            family: ApiFamily::default(),
            accept_invalid_certs: false,
            timeout: Some(Duration::from_secs(30)),
            connect_timeout: Duration::from_secs(10),
            token: None,
            user_agent: concat!("pathtrace-client/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }

    /// A client with the default settings (TLS verification on, the
    /// `/dna/intent/api/v1` family, 30 s per request).
    pub fn new(base_url: impl Into<String>) -> Result<Client> {
        Client::builder(base_url).build()
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The URL family API calls use.
    pub fn family(&self) -> ApiFamily {
        self.family
    }

    /// The same client (connections, token) calling the other family.
    #[must_use]
    pub fn with_family(&self, family: ApiFamily) -> Client {
        Client {
            family,
            ..self.clone()
        }
    }

    /// The current token, if any.
    pub fn token(&self) -> Option<String> {
        self.read_auth().token.clone()
    }

    /// Use this token (sent as `X-Auth-Token`) from now on.
    pub fn set_token(&self, token: impl Into<String>) {
        self.write_auth().token = Some(token.into());
    }

    /// Log in and keep the token for every later call. The credentials are
    /// kept (in memory only) so that a call answered 401 — the token
    /// expired — logs in again once and is retried, as dnacentersdk does.
    /// Wrong credentials are [`Error::Unauthorized`].
    pub async fn login(&self, style: LoginStyle, username: &str, password: &str) -> Result<String> {
        let token = self.fetch_token(style, username, password).await?;
        let mut auth = self.write_auth();
        auth.token = Some(token.clone());
        auth.credentials = Some((style, username.to_string(), password.to_string()));
        Ok(token)
    }

    /// [`login`](Client::login) in the APIC-EM style (`POST /api/v1/ticket`).
    pub async fn login_ticket(&self, username: &str, password: &str) -> Result<String> {
        self.login(LoginStyle::Ticket, username, password).await
    }

    /// [`login`](Client::login) in the DNA Center style
    /// (`POST /dna/system/api/v1/auth/token`, HTTP Basic).
    pub async fn login_token(&self, username: &str, password: &str) -> Result<String> {
        self.login(LoginStyle::Token, username, password).await
    }

    fn read_auth(&self) -> std::sync::RwLockReadGuard<'_, Auth> {
        self.auth
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write_auth(&self) -> std::sync::RwLockWriteGuard<'_, Auth> {
        self.auth
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn fetch_token(
        &self,
        style: LoginStyle,
        username: &str,
        password: &str,
    ) -> Result<String> {
        let url = format!("{}{}", self.base, style.path());
        let req = self
            .http
            .post(&url)
            .header(reqwest::header::ACCEPT, "application/json");
        let req = match style {
            LoginStyle::Ticket => req.json(&serde_json::json!({
                "username": username,
                "password": password,
            })),
            LoginStyle::Token | LoginStyle::LegacyToken => req
                .basic_auth(username, Some(password))
                .header(reqwest::header::CONTENT_TYPE, "application/json"),
        };
        let resp = req.send().await.map_err(|e| Error::from_reqwest(&url, e))?;
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .map_err(|e| Error::from_reqwest(&url, e))?;
        if !status.is_success() {
            return Err(Error::from_status(&url, status.as_u16(), &body));
        }
        let answer: TokenAnswer = parse(&url, status, &body)?;
        answer
            .token
            .or_else(|| answer.response.and_then(|r| r.service_ticket))
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Error::bad_response(
                    &url,
                    status.as_u16(),
                    "no token in the login answer (expected Token or response.serviceTicket)"
                        .to_string(),
                    &body,
                )
            })
    }

    /// The full URL of an API path (`/flow-analysis`, …) in this client's family.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}{}", self.base, self.family.prefix(), path)
    }

    /// Send one request to a full URL; re-login once on 401 when
    /// credentials are known. Returns the status and the body of a 2xx.
    async fn send_url(
        &self,
        method: Method,
        url: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<(StatusCode, Vec<u8>)> {
        let mut parsed = Url::parse(url).map_err(|e| Error::Config(format!("URL {url:?}: {e}")))?;
        if !query.is_empty() {
            parsed.query_pairs_mut().extend_pairs(query);
        }
        let shown = parsed.to_string();
        let mut relogged = false;
        loop {
            let token = self.read_auth().token.clone();
            let mut req = self
                .http
                .request(method.clone(), parsed.clone())
                .header(reqwest::header::ACCEPT, "application/json");
            if let Some(t) = &token {
                req = req.header("X-Auth-Token", t);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = req
                .send()
                .await
                .map_err(|e| Error::from_reqwest(&shown, e))?;
            let status = resp.status();
            let bytes: Vec<u8> = resp
                .bytes()
                .await
                .map_err(|e| Error::from_reqwest(&shown, e))?
                .into();
            if status == StatusCode::UNAUTHORIZED && !relogged {
                let creds = self.read_auth().credentials.clone();
                if let Some((style, user, password)) = creds {
                    relogged = true;
                    let fresh = self.fetch_token(style, &user, &password).await?;
                    self.write_auth().token = Some(fresh);
                    continue;
                }
            }
            if !status.is_success() {
                return Err(Error::from_status(&shown, status.as_u16(), &bytes));
            }
            return Ok((status, bytes));
        }
    }

    /// Call an API path of this client's family and parse the `response`
    /// of the answer as `T`.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<T> {
        let url = self.url(path);
        let (status, bytes) = self.send_url(method, &url, query, body).await?;
        let envelope: Envelope<T> = parse(&url, status, &bytes)?;
        Ok(envelope.response)
    }

    /// `GET` any API path of this client's family (`/network-device/count`,
    /// …) and return the whole JSON answer, envelope included: the escape
    /// hatch for what the typed calls do not cover. An empty body is `null`.
    pub async fn get_json(&self, path: &str, query: &[(String, String)]) -> Result<Value> {
        let url = self.url(path);
        let (status, bytes) = self.send_url(Method::GET, &url, query, None).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        parse(&url, status, &bytes)
    }
}

/// Parse a body as `T`, or say where and why it does not fit.
fn parse<T: DeserializeOwned>(url: &str, status: StatusCode, body: &[u8]) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let reason = if path == "." || path.is_empty() {
            inner.to_string()
        } else {
            format!("at {path}: {inner}")
        };
        Error::bad_response(url, status.as_u16(), reason, body)
    })
}

/// Append `key=value` to a query when the value is present.
pub(crate) fn push<T: ToString>(q: &mut Vec<(String, String)>, key: &str, value: Option<T>) {
    if let Some(v) = value {
        q.push((key.to_string(), v.to_string()));
    }
}

/// Append `key=value` once per value (repeated keys, as dnacentersdk sends lists).
pub(crate) fn push_all(q: &mut Vec<(String, String)>, key: &str, values: &[String]) {
    for v in values {
        q.push((key.to_string(), v.clone()));
    }
}

/// A path segment, percent-encoded (ids and IPs pass unchanged).
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}
