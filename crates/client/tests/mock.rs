//! What a pathtrace server never does but a real controller (or the network
//! in between) may: tasks that never end or explain their failure only in
//! the tree, HTML and mistyped bodies, odd error shapes, drifted types, a
//! closed port, TLS with a self-signed certificate. A small axum mock plays
//! the controller.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use pathtrace_client::{ApiFamily, Client, Error, WaitOptions};
use serde_json::json;

#[derive(Clone, Default)]
struct Mock {
    logins: Arc<AtomicU32>,
    polls: Arc<AtomicU32>,
}

const TASK: &str = "/dna/intent/api/v1/task/{id}";

fn json_body(status: StatusCode, v: &serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        v.to_string(),
    )
        .into_response()
}

async fn login(State(m): State<Mock>) -> Response {
    let n = m.logins.fetch_add(1, Ordering::SeqCst) + 1;
    json_body(StatusCode::OK, &json!({"Token": format!("tok-{n}")}))
}

/// Only the latest token is valid.
async fn count(State(m): State<Mock>, headers: HeaderMap) -> Response {
    let current = format!("tok-{}", m.logins.load(Ordering::SeqCst));
    if headers.get("X-Auth-Token").and_then(|v| v.to_str().ok()) == Some(current.as_str()) {
        json_body(StatusCode::OK, &json!({"response": "7", "version": "1.0"}))
    } else {
        json_body(
            StatusCode::UNAUTHORIZED,
            &json!({"response": {"errorCode": "UNAUTHORIZED", "message": "token expired"}}),
        )
    }
}

async fn task(State(m): State<Mock>, Path(id): Path<String>) -> Response {
    let n = m.polls.fetch_add(1, Ordering::SeqCst) + 1;
    let t = match id.as_str() {
        "slow" => json!({"id": "slow", "isError": false, "startTime": 1}),
        // Ends on the third poll, with drifted types.
        "third" if n < 3 => json!({"id": "third", "isError": "false"}),
        "third" => {
            json!({"id": "third", "isError": "false", "endTime": "1516598584252", "progress": "fid"})
        }
        // Fails with an empty reason; the tree explains.
        "silent" => {
            json!({"id": "silent", "rootId": "silent", "isError": true, "failureReason": "", "endTime": 2})
        }
        "garbled" => json!({"id": "garbled", "isError": "maybe"}),
        "html" => {
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><head><title>Login</title></head><body>Please sign in</body></html>",
            )
                .into_response();
        }
        "boom" => {
            return json_body(
                StatusCode::INTERNAL_SERVER_ERROR,
                &json!({"error": "Internal Server Error", "message": "boom", "errorCode": 500}),
            );
        }
        _ => {
            return json_body(
                StatusCode::NOT_FOUND,
                &json!({"response": {"errorCode": "NOT_FOUND", "message": format!("task {id} not found")}}),
            );
        }
    };
    json_body(StatusCode::OK, &json!({"response": t, "version": "1.0"}))
}

async fn tree(Path(id): Path<String>) -> Response {
    json_body(
        StatusCode::OK,
        &json!({"response": [
            {"id": id, "rootId": id, "isError": true, "failureReason": ""},
            {"id": "child", "rootId": id, "parentId": id, "isError": true,
             "errorCode": "NCSP10250", "failureReason": "Device 10.1.1.1 is unreachable"}
        ], "version": "1.0"}),
    )
}

fn app(m: Mock) -> Router {
    Router::new()
        .route("/dna/system/api/v1/auth/token", post(login))
        .route("/dna/intent/api/v1/network-device/count", get(count))
        .route(TASK, get(task))
        .route("/dna/intent/api/v1/task/{id}/tree", get(tree))
        .with_state(m)
}

async fn serve(m: Mock) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app(m)).await });
    Ok(format!("http://{addr}"))
}

async fn client() -> anyhow::Result<(Client, Mock)> {
    let m = Mock::default();
    let base = serve(m.clone()).await?;
    Ok((Client::builder(base).family(ApiFamily::Intent).build()?, m))
}

#[tokio::test]
async fn wait_times_out_naming_the_task_and_the_time() -> anyhow::Result<()> {
    let (c, m) = client().await?;
    let start = Instant::now();
    let e = c
        .wait("slow", Duration::from_millis(400))
        .await
        .unwrap_err();
    let elapsed = start.elapsed();
    let Error::Timeout {
        task_id,
        waited,
        polls,
    } = &e
    else {
        panic!("expected Timeout, got {e}");
    };
    assert_eq!(task_id, "slow");
    assert!(*waited >= Duration::from_millis(400) && elapsed < Duration::from_secs(2));
    // 0, 100, 300 ms, then at the deadline (400 ms): four polls (three
    // when the polls themselves are slow on a loaded machine).
    assert!((3..=4).contains(polls), "{e}");
    assert_eq!(m.polls.load(Ordering::SeqCst), *polls);
    let text = e.to_string();
    assert!(
        text.contains("task slow") && text.contains("0.4 s"),
        "{text}"
    );
    Ok(())
}

#[tokio::test]
async fn wait_returns_the_task_once_it_has_an_end_time() -> anyhow::Result<()> {
    let (c, m) = client().await?;
    let opts = WaitOptions {
        timeout: Duration::from_secs(5),
        first_interval: Duration::from_millis(10),
        max_interval: Duration::from_millis(20),
    };
    let t = c.wait_with("third", opts).await?;
    assert_eq!(t.end_time, Some(1_516_598_584_252));
    assert_eq!(t.progress.as_deref(), Some("fid"));
    assert_eq!(m.polls.load(Ordering::SeqCst), 3);
    Ok(())
}

#[tokio::test]
async fn a_failure_explained_only_in_the_tree_is_reported() -> anyhow::Result<()> {
    let (c, _) = client().await?;
    let e = c.wait("silent", Duration::from_secs(5)).await.unwrap_err();
    let Error::TaskFailed {
        error_code,
        failure_reason,
        task,
        ..
    } = &e
    else {
        panic!("expected TaskFailed, got {e}");
    };
    assert_eq!(error_code.as_deref(), Some("NCSP10250"));
    assert_eq!(
        failure_reason.as_deref(),
        Some("Device 10.1.1.1 is unreachable")
    );
    assert!(task.is_error);
    assert_eq!(
        e.to_string(),
        "task silent failed: NCSP10250: Device 10.1.1.1 is unreachable"
    );
    Ok(())
}

#[tokio::test]
async fn bodies_that_do_not_parse_are_bad_responses_with_an_excerpt() -> anyhow::Result<()> {
    let (c, _) = client().await?;
    let e = c.task("html").await.unwrap_err();
    let Error::BadResponse {
        status, excerpt, ..
    } = &e
    else {
        panic!("expected BadResponse, got {e}");
    };
    assert_eq!(*status, 200);
    assert!(excerpt.starts_with("<html><head><title>Login"), "{excerpt}");

    let e = c.task("garbled").await.unwrap_err();
    let Error::BadResponse { reason, .. } = &e else {
        panic!("expected BadResponse, got {e}");
    };
    assert!(
        reason.contains("response.isError") && reason.contains("maybe"),
        "{reason}"
    );
    Ok(())
}

#[tokio::test]
async fn other_error_shapes_keep_what_the_controller_said() -> anyhow::Result<()> {
    let (c, _) = client().await?;
    let e = c.task("boom").await.unwrap_err();
    let Error::Api { status, body, url } = &e else {
        panic!("expected Api, got {e}");
    };
    assert_eq!(*status, 500);
    assert_eq!(body.message.as_deref(), Some("boom"));
    assert_eq!(body.error_code.as_deref(), Some("500"));
    assert!(url.ends_with("/dna/intent/api/v1/task/boom"), "{url}");
    let e = c.task("unknown").await.unwrap_err();
    assert!(e.is_not_found() && e.to_string().contains("task unknown not found"));
    Ok(())
}

#[tokio::test]
async fn the_token_is_sent_and_renewed_once_on_401() -> anyhow::Result<()> {
    let (c, m) = client().await?;
    c.login_token("u", "p").await?;
    assert_eq!(
        c.network_device_count().await?,
        7,
        "a count sent as a string"
    );
    // Another session logs in: our token is no longer the latest.
    m.logins.fetch_add(1, Ordering::SeqCst);
    assert_eq!(c.network_device_count().await?, 7);
    assert_eq!(m.logins.load(Ordering::SeqCst), 3, "one re-login");
    assert_eq!(c.token().as_deref(), Some("tok-3"));
    // The token and the password never show in Debug.
    let shown = format!("{c:?}");
    assert!(
        !shown.contains("tok-3") && !shown.contains("\"p\""),
        "{shown}"
    );
    Ok(())
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error() -> anyhow::Result<()> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    drop(listener);
    let c = Client::builder(format!("http://{addr}"))
        .connect_timeout(Duration::from_secs(2))
        .build()?;
    let e = c.task("x").await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e}");
    let text = e.to_string();
    assert!(text.contains(&addr.to_string()), "{text}");
    assert!(
        text.contains("connection failed") && text.contains("refused"),
        "{text}"
    );
    Ok(())
}

#[tokio::test]
async fn bad_base_urls_are_configuration_errors() {
    for bad in ["ftp://host", "http://", "https://host/?q=1", "::"] {
        let e = Client::new(bad).unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{bad}: {e}");
    }
    let c = Client::new("10.0.0.1:8443/").unwrap();
    assert_eq!(c.base_url(), "https://10.0.0.1:8443");
    assert_eq!(
        c.url("/task/x"),
        "https://10.0.0.1:8443/dna/intent/api/v1/task/x"
    );
    let c = Client::builder("https://proxy.example/dnac/")
        .family(ApiFamily::ApicEm)
        .build()
        .unwrap();
    assert_eq!(c.url("/task/x"), "https://proxy.example/dnac/api/v1/task/x");
}

#[tokio::test]
async fn tls_is_verified_unless_explicitly_declined() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (cert, key) = pathtrace_server::tls::ensure_cert(dir.path(), None, None)?;
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key).await?;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let m = Mock::default();
    let server = axum_server::from_tcp_rustls(listener, config)?;
    tokio::spawn(server.serve(app(m).into_make_service()));
    let base = format!("https://{addr}");

    // Verification on (the default): a self-signed certificate is refused.
    let strict = Client::new(&base)?;
    let e = strict.login_token("u", "p").await.unwrap_err();
    let Error::Tls { detail, .. } = &e else {
        panic!("expected Tls, got {e}");
    };
    assert!(
        detail.to_ascii_lowercase().contains("certificate"),
        "{detail}"
    );
    assert!(e.to_string().contains("danger_accept_invalid_certs"), "{e}");

    // Declined explicitly: it works.
    let lax = Client::builder(&base)
        .danger_accept_invalid_certs(true)
        .build()?;
    lax.login_token("u", "p").await?;
    assert_eq!(lax.network_device_count().await?, 7);

    // https:// against a plain-HTTP port is a TLS failure too.
    let plain = serve(Mock::default()).await?;
    let wrong = Client::builder(plain.replace("http://", "https://"))
        .danger_accept_invalid_certs(true)
        .build()?;
    let e = wrong.task("x").await.unwrap_err();
    assert!(matches!(e, Error::Tls { .. }), "{e}");
    assert!(e.to_string().contains("http:// URL"), "{e}");
    Ok(())
}
