//! A test app: `pathtrace_server::prepare` on a store (in memory by default)
//! and the demo network, driven in-process through `tower::ServiceExt::oneshot`,
//! with a token for the demo user already issued.
//!
//! With `PATHTRACE_TEST_DATABASE_URL` set to a PostgreSQL server
//! (`postgres://USER@HOST:PORT/postgres`; `tests/postgres/run.sh` starts a
//! throwaway one and runs these suites against it), every app gets a fresh
//! database of its own on that server instead of SQLite.

#![allow(dead_code)]

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use pathtrace_server::app::AppState;
use pathtrace_server::config::{Overrides, resolve};
use serde_json::Value;
use tower::ServiceExt as _;

/// The demo user's credentials (available on loopback).
pub const USER: &str = "devnetuser";
/// Its password.
pub const PASSWORD: &str = "Cisco123!";

/// A prepared server and a logged-in token.
pub struct TestApp {
    /// The router, as `run` serves it.
    pub router: Router,
    /// Its state (store, snapshot, job queue).
    pub state: AppState,
    /// A token for the demo user.
    pub token: String,
    /// The data directory (kept alive as long as the app).
    pub dir: tempfile::TempDir,
}

/// A response: status, `Content-Type`, parsed JSON body (`Null` when empty).
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: StatusCode,
    /// The body.
    pub body: Value,
}

impl TestApp {
    /// A server on `sqlite::memory:` (or a fresh PostgreSQL database).
    pub async fn new() -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match postgres_server() {
            Some(_) => file_url(&dir).await,
            None => "sqlite::memory:".to_string(),
        };
        Self::with_url(dir, url).await
    }

    /// A server on a store that belongs to `dir` — a SQLite file inside it, or
    /// the PostgreSQL database named after it — the same across calls: a restart.
    pub async fn on_file(dir: tempfile::TempDir) -> TestApp {
        let url = file_url(&dir).await;
        Self::with_url(dir, url).await
    }

    async fn with_url(dir: tempfile::TempDir, url: String) -> TestApp {
        let settings = resolve(Overrides {
            database_url: Some(url),
            data_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        })
        .expect("settings resolve");
        let (state, router) = pathtrace_server::prepare(&settings).await.expect("prepare");
        let mut app = TestApp {
            router,
            state,
            token: String::new(),
            dir,
        };
        app.token = app.login().await;
        app
    }

    /// `POST /api/v1/ticket` as the demo user: the service ticket.
    pub async fn login(&self) -> String {
        let r = self
            .send(
                Request::post("/api/v1/ticket")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(format!(
                        r#"{{"username":"{USER}","password":"{PASSWORD}"}}"#
                    )))
                    .expect("request"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body["response"]["serviceTicket"]
            .as_str()
            .expect("serviceTicket is a string")
            .to_string()
    }

    /// Send any request; every answer must be JSON.
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let what = format!("{} {}", req.method(), req.uri());
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("the router never fails");
        let status = res.status();
        let ctype = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .expect("body");
        assert!(
            ctype.starts_with("application/json"),
            "{what}: {status} answered with Content-Type {ctype:?}"
        );
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{what}: body is not JSON ({e}): {bytes:?}"))
        };
        Reply { status, body }
    }

    /// A request with the token (uniq's headers) and an optional body.
    pub async fn call(&self, method: Method, uri: &str, body: Option<&str>) -> Reply {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("x-auth-token", &self.token)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .expect("request");
        self.send(req).await
    }

    /// `GET uri` with the token.
    pub async fn get(&self, uri: &str) -> Reply {
        self.call(Method::GET, uri, None).await
    }

    /// `POST uri` with a JSON body and the token.
    pub async fn post(&self, uri: &str, body: &str) -> Reply {
        self.call(Method::POST, uri, Some(body)).await
    }

    /// `DELETE uri` with the token.
    pub async fn delete(&self, uri: &str) -> Reply {
        self.call(Method::DELETE, uri, None).await
    }

    /// Start an analysis under `family`: (flowAnalysisId, taskId), asserting the 202.
    pub async fn start(&self, family: &str, body: &str) -> (String, String) {
        let r = self.post(&format!("{family}/flow-analysis"), body).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{body}: {}", r.body);
        let resp = &r.body["response"];
        let id = resp["flowAnalysisId"].as_str().expect("flowAnalysisId");
        let task = resp["taskId"].as_str().expect("taskId");
        // The url is in the /api/v1 form under both families (what the
        // clients follow; both families serve it).
        assert_eq!(
            resp["url"].as_str(),
            Some(format!("/api/v1/flow-analysis/{id}").as_str())
        );
        (id.to_string(), task.to_string())
    }

    /// Poll `GET {family}/task/{id}` (short sleeps, bounded) until it has `endTime`.
    pub async fn wait_task(&self, family: &str, task_id: &str) -> Value {
        for _ in 0..400 {
            let r = self.get(&format!("{family}/task/{task_id}")).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            if r.body["response"].get("endTime").is_some() {
                return r.body["response"].clone();
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("task {task_id} did not finish within 10 s");
    }

    /// Start an analysis, wait for it, and return (id, task, result `response`).
    pub async fn run(&self, family: &str, body: &str) -> (String, Value, Value) {
        let (id, task) = self.start(family, body).await;
        let task = self.wait_task(family, &task).await;
        let r = self.get(&format!("{family}/flow-analysis/{id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        (id, task, r.body["response"].clone())
    }
}

/// The PostgreSQL server to test on, if any.
pub fn postgres_server() -> Option<String> {
    std::env::var("PATHTRACE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// The store that belongs to `dir`: the SQLite file in it, or (on PostgreSQL)
/// a database named after it, created on first use.
pub async fn file_url(dir: &tempfile::TempDir) -> String {
    let Some(server) = postgres_server() else {
        return format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("pathtrace.db").display()
        );
    };
    let name: String = dir
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let db = format!("pt_{name}");
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&server)
        .await
        .expect("connect to the PostgreSQL test server");
    let exists = sqlx::query("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&db)
        .fetch_optional(&admin)
        .await
        .expect("query pg_database")
        .is_some();
    if !exists {
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .execute(&admin)
            .await
            .expect("create the test database");
    }
    admin.close().await;
    let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
    format!("{base}/{db}")
}

/// Assert the contract's error shape, returning `response.detail`.
pub fn assert_error_shape(body: &Value) -> String {
    assert_eq!(body["version"], "1.0", "{body}");
    let r = &body["response"];
    assert!(r.is_object(), "response must be an object: {body}");
    for k in ["errorCode", "message", "detail"] {
        assert!(r[k].is_string(), "{k} must be a string: {body}");
    }
    r["detail"].as_str().unwrap_or_default().to_string()
}

/// `"name: ip"` lines of a result's elements (`None` for hosts), as the notebooks print.
pub fn name_ip_lines(result: &Value) -> Vec<String> {
    result["networkElementsInfo"]
        .as_array()
        .expect("networkElementsInfo is an array")
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e["name"].as_str().unwrap_or("None"),
                e["ip"].as_str().unwrap_or("?")
            )
        })
        .collect()
}
