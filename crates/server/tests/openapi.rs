//! The OpenAPI document and the router agree: every documented operation is
//! routed (it answers, with a token, something other than "no such
//! endpoint" or 405), every `/api/v1` operation is documented under both URL
//! families, and the contract's minimum endpoints are all there.

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;

fn operations(doc: &serde_json::Value) -> Vec<(String, String)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "delete", "patch"] {
            if item.get(method).is_some() {
                ops.push((method.to_string(), path.clone()));
            }
        }
    }
    ops
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let app = TestApp::new().await;
    let doc = serde_json::to_value(pathtrace_server::app::openapi()).unwrap();
    let ops = operations(&doc);
    assert!(ops.len() >= 50, "{} operations documented", ops.len());
    for (method, path) in &ops {
        // Fill path parameters with something syntactically plausible.
        let uri = path
            .replace("{ip}", "10.99.99.99")
            .replace("{id}", "00000000-0000-0000-0000-000000000000")
            .replace("{limit}", "1")
            .replace("{records}", "1")
            .replace("{offset}", "1")
            .replace("{operation}", "op");
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let body = (m == Method::POST).then_some("{}");
        let reply = app.call(m.clone(), &uri, body).await;
        assert_ne!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}"
        );
        let fallback = reply.status == StatusCode::NOT_FOUND
            && reply.body["response"]["message"] == "no such endpoint";
        assert!(!fallback, "{method} {uri} is documented but not routed");
    }
}

#[tokio::test]
async fn both_families_and_the_contract_minimum_are_documented() {
    let doc = serde_json::to_value(pathtrace_server::app::openapi()).unwrap();
    let ops = operations(&doc);
    let has = |m: &str, p: &str| ops.iter().any(|(om, op)| om == m && op == p);
    for (m, p) in &ops {
        // pathtrace's own extensions (`/api/v1/pathtrace/…`) have one path.
        if let Some(rest) = p.strip_prefix("/api/v1/")
            && !rest.starts_with("ticket")
            && !rest.starts_with("pathtrace/")
        {
            assert!(
                has(m, &format!("/dna/intent/api/v1/{rest}")),
                "{m} {p} lacks its /dna/intent twin"
            );
        }
    }
    for (m, p) in [
        ("post", "/api/v1/ticket"),
        ("post", "/api/system/v1/auth/token"),
        ("post", "/dna/system/api/v1/auth/token"),
        ("post", "/api/v1/flow-analysis"),
        ("get", "/api/v1/flow-analysis"),
        ("get", "/api/v1/flow-analysis/{id}"),
        ("delete", "/dna/intent/api/v1/flow-analysis/{id}"),
        ("get", "/api/v1/task/{id}"),
        ("get", "/dna/intent/api/v1/task/{id}/tree"),
        ("get", "/dna/intent/api/v1/tasks/{id}/detail"),
        ("get", "/dna/intent/api/v1/tasks"),
        ("get", "/api/v1/network-device/{id}"),
        ("get", "/api/v1/network-device/ip-address/{ip}"),
        ("get", "/api/v1/network-device/count"),
        ("get", "/api/v1/host"),
        ("get", "/api/v1/interface/network-device/{id}"),
        ("get", "/api/v1/topology/physical-topology"),
    ] {
        assert!(has(m, p), "{m} {p} is not documented");
    }
}

#[tokio::test]
async fn the_document_and_swagger_ui_are_served() {
    let app = TestApp::new().await;
    let r = app.get("/api-docs/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["info"]["title"], "pathtrace");
    assert!(r.body["components"]["securitySchemes"]["X-Auth-Token"].is_object());
    // Swagger UI is HTML, not JSON: call the router directly.
    let req = axum::http::Request::builder()
        .uri("/docs/")
        .body(axum::body::Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(app.router.clone(), req)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(ct.starts_with("text/html"), "{ct}");
}
