//! Issue 5 through the API: inclusions with the contract's JSON types, the
//! ACL trace of a denied flow, periodic refresh across a model reload (with
//! the runs kept and the change reported), `previousFlowAnalysisId`, and
//! reloading the served network. On SQLite, and on PostgreSQL when
//! `PATHTRACE_TEST_DATABASE_URL` is set (tests/postgres/run.sh).

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{TestApp, assert_error_shape, name_ip_lines};
use pathtrace_server::app::now_ms;
use serde_json::Value;

const DNAC: &str = "/dna/intent/api/v1";
const APIC: &str = "/api/v1";

fn is_int(v: &Value) -> bool {
    v.is_u64() || v.is_i64()
}

/// Every device element of the seed path with all five inclusions: each
/// inclusion's fields, with the contract's JSON types.
#[tokio::test]
async fn all_five_inclusions_fill_their_fields_with_the_contract_types() {
    let app = TestApp::new().await;
    let body = r#"{"sourceIP":"10.10.22.114","destIP":"10.10.22.98","inclusions":["INTERFACE-STATS","QOS-STATS","DEVICE-STATS","PERFORMANCE-STATS","ACL-TRACE"]}"#;
    let (_, task, result) = app.run(DNAC, body).await;
    assert_eq!(task["isError"], false);
    assert_eq!(result["request"]["inclusions"].as_array().unwrap().len(), 5);
    let elements = result["networkElementsInfo"].as_array().unwrap();
    let mut devices = 0;
    for e in elements {
        if e.get("name").is_none() {
            // Hosts carry no statistics.
            assert!(e.get("deviceStatistics").is_none(), "{e}");
            continue;
        }
        devices += 1;
        assert_eq!(e["deviceStatsCollection"], "SUCCESS", "{e}");
        let cpu = &e["deviceStatistics"]["cpuStatistics"];
        for f in [
            "fiveSecsUsageInPercentage",
            "oneMinUsageInPercentage",
            "fiveMinUsageInPercentage",
        ] {
            assert!(cpu[f].is_f64(), "{f} must be a float: {cpu}");
        }
        assert!(is_int(&cpu["refreshedAt"]), "{cpu}");
        let mem = &e["deviceStatistics"]["memoryStatistics"];
        for f in ["memoryUsage", "totalMemory", "refreshedAt"] {
            assert!(is_int(&mem[f]), "{f} must be an integer: {mem}");
        }
        assert_eq!(e["perfMonCollection"], "SUCCESS", "{e}");
        for r in e["perfMonitorStatistics"].as_array().unwrap() {
            for f in [
                "byteRate",
                "packetCount",
                "packetLoss",
                "ipv4TTL",
                "refreshedAt",
            ] {
                assert!(is_int(&r[f]), "{f} must be an integer: {r}");
            }
        }
        let mut interfaces = 0;
        for side in ["ingressInterface", "egressInterface"] {
            let Some(phys) = e[side].get("physicalInterface") else {
                continue;
            };
            interfaces += 1;
            assert_eq!(phys["interfaceStatsCollection"], "SUCCESS", "{phys}");
            let st = &phys["interfaceStatistics"];
            for f in [
                "inputPackets",
                "inputQueueDrops",
                "outputPackets",
                "outputDrop",
                "inputRatebps",
                "outputRatebps",
                "refreshedAt",
            ] {
                assert!(is_int(&st[f]), "{f} must be an integer: {st}");
            }
            assert!(st["adminStatus"].is_string(), "{st}");
            assert_eq!(phys["qosStatsCollection"], "SUCCESS", "{phys}");
            for class in phys["qosStatistics"].as_array().unwrap() {
                assert!(class["classMapName"].is_string(), "{class}");
                for f in [
                    "dropRate",
                    "numBytes",
                    "numPackets",
                    "queueTotalDrops",
                    "refreshedAt",
                ] {
                    assert!(is_int(&class[f]), "{f} must be an integer: {class}");
                }
            }
        }
        assert!(interfaces > 0, "a device without interfaces: {e}");
    }
    assert_eq!(devices, 3, "the seed path's three devices");
    assert!(result["detailedStatus"]["aclTraceCalculation"].is_string());
}

/// Nothing appears that was not asked for.
#[tokio::test]
async fn without_inclusions_no_statistics_appear() {
    let app = TestApp::new().await;
    let (_, _, result) = app
        .run(
            DNAC,
            r#"{"sourceIP":"10.10.22.114","destIP":"10.10.22.98"}"#,
        )
        .await;
    let text = result["networkElementsInfo"].to_string();
    for f in [
        "deviceStatistics",
        "interfaceStatistics",
        "qosStatistics",
        "perfMonitorStatistics",
        "aclAnalysis",
    ] {
        assert!(!text.contains(f), "{f} without its inclusion: {text}");
    }
}

/// The denied telnet flow with ACL-TRACE: FAILED in the analysis and its
/// task, the path up to the deny, the deny's ACE.
#[tokio::test]
async fn acl_trace_of_a_denied_flow_shows_the_deny_and_fails() {
    let app = TestApp::new().await;
    let body = r#"{"sourceIP":"10.1.13.25","destIP":"10.2.1.22","protocol":"TCP","destPort":"23","inclusions":["ACL-TRACE"]}"#;
    let (_, task, result) = app.run(APIC, body).await;
    assert_eq!(task["isError"], true);
    assert_eq!(task["errorCode"], "DENIED_IN");
    assert!(
        task["failureReason"].as_str().unwrap().contains("WAN-IN"),
        "{task}"
    );
    assert_eq!(result["request"]["status"], "FAILED");
    assert!(
        result["request"]["failureReason"]
            .as_str()
            .unwrap()
            .contains("Branch-Router2"),
        "{}",
        result["request"]
    );
    let lines = name_ip_lines(&result);
    assert!(
        lines.last().unwrap().starts_with("Branch-Router2"),
        "{lines:?}"
    );
    let text = result["networkElementsInfo"].to_string();
    assert!(text.contains(r#""result":"DENY""#), "{text}");
    assert!(
        text.contains("deny tcp any 10.2.1.16 0.0.0.15 eq telnet"),
        "{text}"
    );
    // The same flow permitted on 443 by its explicit ACE.
    let body = r#"{"sourceIP":"10.1.13.25","destIP":"10.2.1.22","protocol":"TCP","destPort":"443","inclusions":["ACL-TRACE"]}"#;
    let (_, task, result) = app.run(APIC, body).await;
    assert_eq!(task["isError"], false);
    let text = result["networkElementsInfo"].to_string();
    assert!(
        text.contains("permit tcp any host 10.2.1.22 eq 443"),
        "{text}"
    );
}

/// A second analysis of the same flow points at the first.
#[tokio::test]
async fn a_new_analysis_of_the_same_flow_points_at_the_previous_one() {
    let app = TestApp::new().await;
    let body = r#"{"sourceIP":"10.1.15.117","destIP":"10.2.1.22"}"#;
    let (first, _, r1) = app.run(APIC, body).await;
    assert!(r1["request"].get("previousFlowAnalysisId").is_none());
    let (second, _, r2) = app.run(APIC, body).await;
    assert_eq!(r2["request"]["previousFlowAnalysisId"], first.as_str());
    // Another flow does not chain to them.
    let (_, _, other) = app
        .run(
            APIC,
            r#"{"sourceIP":"10.1.15.117","destIP":"10.2.1.22","protocol":"TCP"}"#,
        )
        .await;
    assert!(other["request"].get("previousFlowAnalysisId").is_none());
    // After the latest is deleted, a new one points at the one before.
    assert_eq!(
        app.delete(&format!("{APIC}/flow-analysis/{second}"))
            .await
            .status,
        StatusCode::ACCEPTED
    );
    let (_, _, r3) = app.run(APIC, body).await;
    assert_eq!(r3["request"]["previousFlowAnalysisId"], first.as_str());
}

async fn put_model(app: &TestApp, text: &str) -> common::Reply {
    let req = Request::builder()
        .method(Method::PUT)
        .uri("/api/v1/pathtrace/network")
        .header("x-auth-token", &app.token)
        .header(header::CONTENT_TYPE, "application/yaml")
        .body(Body::from(text.to_string()))
        .unwrap();
    app.send(req).await
}

/// A periodic analysis observed over a model reload: the old path, then
/// the new one with the change reported; every run kept; DELETE ends it.
#[tokio::test]
async fn a_periodic_analysis_follows_a_reload_and_stops_when_deleted() {
    let app = TestApp::new().await;
    let body = r#"{"sourceIP":"10.1.20.11","destIP":"10.2.1.22","periodicRefresh":true}"#;
    let (id, _, first) = app.run(APIC, body).await;
    assert_eq!(first["request"]["periodicRefresh"], true);
    let before = name_ip_lines(&first);
    // The ECMP flow crosses one of the two cores: shut that core's link to
    // CAMPUS-Dist2 down, so the path must move to the other core.
    let core = if before.iter().any(|l| l.starts_with("CAMPUS-Core1")) {
        "to CAMPUS-Dist2 Te3/1"
    } else {
        "to CAMPUS-Dist2 Te3/2"
    };
    let demo = pathtrace_model::demo::DEMO_YAML;
    let line = format!("        description: {core}\n");
    assert!(demo.contains(&line), "the demo has {line:?}");
    let changed = demo.replacen(&line, &format!("{line}        admin: down\n"), 1);
    let v0 = app.get("/api/v1/pathtrace/network").await.body["response"]["snapshotVersion"].clone();
    let r = put_model(&app, &changed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["response"]["snapshotVersion"],
        v0.as_i64().unwrap() + 1
    );

    // Nothing is due yet; 31 s later the refresh is.
    assert_eq!(
        pathtrace_server::refresh::run_due(&app.state, now_ms())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        pathtrace_server::refresh::run_due(&app.state, now_ms() + 31_000)
            .await
            .unwrap(),
        1
    );
    let mut second = Value::Null;
    for _ in 0..400 {
        let r = app.get(&format!("{APIC}/flow-analysis/{id}")).await;
        if r.body["response"].get("refresh").is_some() {
            second = r.body["response"].clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(second.get("refresh").is_some(), "no refresh within 10 s");
    let after = name_ip_lines(&second);
    assert_ne!(before, after, "the refreshed path moved");
    let refresh = &second["refresh"];
    assert_eq!(refresh["run"], 2);
    assert_eq!(refresh["pathChanged"], true);
    assert!(
        !refresh["hopsRemoved"].as_array().unwrap().is_empty(),
        "{refresh}"
    );
    assert!(
        !refresh["hopsAdded"].as_array().unwrap().is_empty(),
        "{refresh}"
    );
    assert_eq!(
        refresh["snapshotChanged"]["to"],
        v0.as_i64().unwrap() + 1,
        "{refresh}"
    );
    assert!(
        second["request"]["lastUpdateTime"].as_i64() > first["request"]["lastUpdateTime"].as_i64()
    );
    assert_eq!(second["request"]["id"], id.as_str(), "updated in place");

    // Both runs are kept, oldest first, under both families.
    for family in [APIC, DNAC] {
        let runs = app.get(&format!("{family}/flow-analysis/{id}/runs")).await;
        assert_eq!(runs.status, StatusCode::OK, "{}", runs.body);
        let runs = runs.body["response"].as_array().unwrap().clone();
        assert_eq!(runs.len(), 2, "{runs:?}");
        assert_eq!(runs[0]["run"], 1);
        assert_eq!(runs[1]["run"], 2);
        assert_eq!(name_ip_lines(&runs[0]), before);
        assert_eq!(name_ip_lines(&runs[1]), after);
    }

    // DELETE ends the refresh and removes the runs.
    assert_eq!(
        app.delete(&format!("{APIC}/flow-analysis/{id}"))
            .await
            .status,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        pathtrace_server::refresh::run_due(&app.state, now_ms() + 120_000)
            .await
            .unwrap(),
        0,
        "nothing left to refresh"
    );
    let runs = app.get(&format!("{APIC}/flow-analysis/{id}/runs")).await;
    assert_eq!(runs.status, StatusCode::NOT_FOUND);
}

/// A one-shot analysis has exactly one run, and is never refreshed.
#[tokio::test]
async fn a_one_shot_analysis_has_one_run() {
    let app = TestApp::new().await;
    let (id, _, result) = app
        .run(APIC, r#"{"sourceIP":"10.1.15.117","destIP":"10.2.1.22"}"#)
        .await;
    let runs = app.get(&format!("{APIC}/flow-analysis/{id}/runs")).await;
    let runs = runs.body["response"].as_array().unwrap().clone();
    assert_eq!(runs.len(), 1);
    assert_eq!(name_ip_lines(&runs[0]), name_ip_lines(&result));
    assert_eq!(
        pathtrace_server::refresh::run_due(&app.state, now_ms() + 3_600_000)
            .await
            .unwrap(),
        0
    );
    for bad in ["offset=0", "limit=501", "limit=x"] {
        let r = app
            .get(&format!("{APIC}/flow-analysis/{id}/runs?{bad}"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_error_shape(&r.body);
    }
}

/// A model with errors is refused with file:line messages; the served
/// network and its version stay.
#[tokio::test]
async fn a_model_with_errors_is_refused_and_the_old_one_stays() {
    let app = TestApp::new().await;
    let before = app.get("/api/v1/pathtrace/network").await.body["response"].clone();
    assert_eq!(
        before["simulatedStatistics"], true,
        "the demo's statistics are simulated"
    );
    let broken =
        pathtrace_model::demo::DEMO_YAML.replacen("ip: 10.1.10.2/32", "ip: 10.1.10.999/32", 1);
    let r = put_model(&app, &broken).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["response"]["errorCode"], "INVALID_MODEL");
    assert!(
        r.body["response"]["detail"]
            .as_str()
            .unwrap()
            .starts_with("request body:"),
        "{}",
        r.body
    );
    let after = app.get("/api/v1/pathtrace/network").await.body["response"].clone();
    assert_eq!(before, after);
    // Traces still run on the old network.
    let (_, task, _) = app
        .run(APIC, r#"{"sourceIP":"10.1.15.117","destIP":"10.2.1.22"}"#)
        .await;
    assert_eq!(task["isError"], false);
    // No --network file: nothing to reload.
    let r = app.post("/api/v1/pathtrace/network/reload", "").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_error_shape(&r.body);
}
