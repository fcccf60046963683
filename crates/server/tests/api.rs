//! The HTTP API against the contract (reference/dnac-api-contract.md): login,
//! flow analysis with its tasks, failures, validation, listing, deletion, the
//! task families, inventory (devices, hosts, interfaces, topology), JSON
//! errors, and recovery of analyses left in progress by a restart.
//!
//! Every test builds its own app with `pathtrace_server::prepare` and drives
//! the router in-process.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use base64::Engine as _;
use common::{TestApp, assert_error_shape, name_ip_lines};
use pathtrace_model::ids;
use pathtrace_server::app::now_ms;
use pathtrace_server::store::{AnalysisFilter, NewAnalysis, Store};
use serde_json::Value;

const APIC: &str = "/api/v1";
const DNAC: &str = "/dna/intent/api/v1";

const APIC_SEED: &str = r#"{"sourceIP":"10.1.15.117","destIP":"10.2.1.22"}"#;
const DNAC_SEED: &str = r#"{"sourceIP":"10.10.22.114","destIP":"10.10.22.98"}"#;

fn is_int(v: &Value) -> bool {
    v.is_i64() || v.is_u64()
}

// ---------------------------------------------------------------- login

#[tokio::test]
async fn login_ticket_and_both_token_paths() {
    let app = TestApp::new().await;

    // Ticket (JSON body).
    let r = app
        .send(
            Request::post("/api/v1/ticket")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    r#"{"username":"devnetuser","password":"Cisco123!"}"#,
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["version"], "1.0");
    let ticket = r.body["response"]["serviceTicket"].as_str().unwrap();
    assert!(!ticket.is_empty());
    assert!(is_int(&r.body["response"]["idleTimeout"]));
    assert!(is_int(&r.body["response"]["sessionTimeout"]));

    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("devnetuser:Cisco123!")
    );
    // dnacentersdk: Basic, no body, no Content-Type.
    let r = app
        .send(
            Request::post("/dna/system/api/v1/auth/token")
                .header(header::AUTHORIZATION, &basic)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let t1 = r.body["Token"].as_str().unwrap().to_string();
    assert!(r.body.get("response").is_none(), "the token is not wrapped");
    // The raw notebook: Basic, content-type JSON, empty body.
    let r = app
        .send(
            Request::post("/api/system/v1/auth/token")
                .header(header::AUTHORIZATION, &basic)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let t2 = r.body["Token"].as_str().unwrap().to_string();

    // All three tokens work.
    for token in [ticket, t1.as_str(), t2.as_str()] {
        let r = app
            .send(
                Request::get("/dna/intent/api/v1/network-device/count")
                    .header("x-auth-token", token)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(is_int(&r.body["response"]));
    }

    // Wrong passwords: 401 with the error shape.
    let r = app
        .send(
            Request::post("/api/v1/ticket")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    r#"{"username":"devnetuser","password":"wrong"}"#,
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_error_shape(&r.body);
    let bad = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("devnetuser:wrong")
    );
    for path in ["/dna/system/api/v1/auth/token", "/api/system/v1/auth/token"] {
        let r = app
            .send(
                Request::post(path)
                    .header(header::AUTHORIZATION, &bad)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_error_shape(&r.body);
    }
    // No credentials at all.
    let r = app
        .send(
            Request::post("/dna/system/api/v1/auth/token")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_error_shape(&r.body);
}

#[tokio::test]
async fn every_protected_endpoint_wants_a_valid_token() {
    let app = TestApp::new().await;
    let x = "00000000-0000-0000-0000-000000000000";
    let mut endpoints: Vec<(Method, String)> = Vec::new();
    for f in [APIC, DNAC] {
        for p in [
            "flow-analysis".to_string(),
            format!("flow-analysis/{x}"),
            format!("task/{x}"),
            format!("task/{x}/tree"),
            "task".to_string(),
            "task/count".to_string(),
            "network-device".to_string(),
            "network-device/count".to_string(),
            format!("network-device/{x}"),
            "network-device/ip-address/10.1.10.1".to_string(),
            "network-device/1/5".to_string(),
            "host".to_string(),
            "host/count".to_string(),
            format!("host/{x}"),
            "interface".to_string(),
            "interface/count".to_string(),
            format!("interface/{x}"),
            format!("interface/network-device/{x}"),
            "interface/ip-address/10.1.10.1".to_string(),
            "topology/physical-topology".to_string(),
        ] {
            endpoints.push((Method::GET, format!("{f}/{p}")));
        }
        endpoints.push((Method::POST, format!("{f}/flow-analysis")));
        endpoints.push((Method::DELETE, format!("{f}/flow-analysis/{x}")));
    }
    for p in [
        "tasks".to_string(),
        "tasks/count".to_string(),
        format!("tasks/{x}"),
        format!("tasks/{x}/detail"),
    ] {
        endpoints.push((Method::GET, format!("{DNAC}/{p}")));
    }
    let before = app
        .state
        .store
        .list_analyses(&AnalysisFilter::default())
        .await
        .unwrap()
        .len();
    for (method, uri) in &endpoints {
        for token in [None, Some(""), Some("garbage"), Some("ST-0000")] {
            let mut b = Request::builder().method(method.clone()).uri(uri);
            if let Some(t) = token {
                b = b.header("x-auth-token", t);
            }
            let req = b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(APIC_SEED))
                .unwrap();
            let r = app.send(req).await;
            assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "{method} {uri} with token {token:?}"
            );
            assert_error_shape(&r.body);
        }
    }
    let after = app
        .state
        .store
        .list_analyses(&AnalysisFilter::default())
        .await
        .unwrap()
        .len();
    assert_eq!(before, after, "nothing is stored without a token");
}

// ---------------------------------------------------------------- flow analysis

fn assert_task_types(t: &Value) {
    assert!(t["id"].is_string());
    assert_eq!(t["rootId"], t["id"]);
    assert!(t["isError"].is_boolean(), "isError is a real bool: {t}");
    for k in ["startTime", "lastUpdate", "version"] {
        assert!(is_int(&t[k]), "{k} is an integer: {t}");
    }
    if let Some(e) = t.get("endTime") {
        assert!(is_int(e), "endTime is an integer: {t}");
    }
    assert_eq!(t["serviceType"], "Policy Analysis Service");
}

async fn check_devices_on_path(app: &TestApp, family: &str, result: &Value) {
    for e in result["networkElementsInfo"].as_array().unwrap() {
        let Some(name) = e["name"].as_str() else {
            continue; // a host
        };
        if name == "UNKNOWN" {
            continue; // an unmanaged cloud
        }
        let id = e["id"].as_str().unwrap();
        let r = app.get(&format!("{family}/network-device/{id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.body);
        let d = &r.body["response"];
        assert_eq!(d["id"], id);
        assert_eq!(d["hostname"], name);
        assert_eq!(d["managementIpAddress"], e["ip"]);
        assert!(
            !d["softwareVersion"].as_str().unwrap().is_empty(),
            "{name} has a software version"
        );
    }
}

#[tokio::test]
async fn apic_em_seed_flow_end_to_end() {
    let app = TestApp::new().await;
    let (id, task_id) = app.start(APIC, APIC_SEED).await;

    // The task is readable at once.
    let r = app.get(&format!("{APIC}/task/{task_id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let t = &r.body["response"];
    assert_task_types(t);
    assert_eq!(t["progress"], id.as_str());
    if t.get("endTime").is_none() {
        // Still running: the INPROGRESS shape.
        assert_eq!(t["isError"], false);
        assert!(t.get("failureReason").is_none() && t.get("errorCode").is_none());
    }

    let t = app.wait_task(APIC, &task_id).await;
    assert_task_types(&t);
    assert_eq!(t["isError"], false);
    assert_eq!(t["progress"], id.as_str());
    assert!(t.get("errorCode").is_none());
    assert!(t["endTime"].as_i64().unwrap() >= t["startTime"].as_i64().unwrap());

    let r = app.get(&format!("{APIC}/flow-analysis/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["version"], "1.0");
    let res = &r.body["response"];
    let req = &res["request"];
    assert_eq!(req["id"], id.as_str());
    assert_eq!(req["status"], "COMPLETED");
    assert_eq!(req["sourceIP"], "10.1.15.117");
    assert_eq!(req["destIP"], "10.2.1.22");
    assert_eq!(req["periodicRefresh"], false);
    assert!(is_int(&req["createTime"]) && is_int(&req["lastUpdateTime"]));
    assert!(req.get("failureReason").is_none());
    assert!(res["lastUpdate"].is_string());
    assert!(res["properties"].is_array());
    assert_eq!(res["detailedStatus"]["aclTraceCalculation"], "SUCCESS");
    assert_eq!(
        name_ip_lines(res),
        [
            "None: 10.1.15.117",
            "AP7081.059f.19ca: 10.1.14.3",
            "CAMPUS-Access1: 10.1.12.1",
            "CAMPUS-Dist1: 10.255.1.5",
            "Campus-WLC-5508: 10.1.14.2",
            "CAMPUS-Dist1: 10.255.1.5",
            "CAMPUS-Core2: 10.1.10.1",
            "CAMPUS-Router2: 10.1.4.2",
            "UNKNOWN: UNKNOWN",
            "Branch-Router2: 10.2.2.2",
            "Branch-Access1: 10.2.1.17",
            "None: 10.2.1.22",
        ]
    );
    check_devices_on_path(&app, APIC, res).await;
    // The same analysis through the other family.
    let r = app.get(&format!("{DNAC}/flow-analysis/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(name_ip_lines(&r.body["response"]).len(), 12);
    // The host element's id is the host resource's id.
    let src = &res["networkElementsInfo"][0];
    let r = app
        .get(&format!("{APIC}/host/{}", src["id"].as_str().unwrap()))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["response"]["hostIp"], "10.1.15.117");
}

#[tokio::test]
async fn dnac_seed_flow_end_to_end() {
    let app = TestApp::new().await;
    let (id, task, res) = app.run(DNAC, DNAC_SEED).await;
    assert_task_types(&task);
    assert_eq!(task["isError"], false);
    assert_eq!(task["progress"], id.as_str());
    assert_eq!(res["request"]["status"], "COMPLETED");
    assert!(is_int(&res["request"]["createTime"]));
    assert!(is_int(&res["request"]["lastUpdateTime"]));
    assert!(res["lastUpdate"].is_string());
    assert_eq!(
        name_ip_lines(&res),
        [
            "None: 10.10.22.114",
            "cat_9k_2.abc.inc: 10.10.22.70",
            "cs3850.abc.inc: 10.10.22.69",
            "cat_9k_1.abc.inc: 10.10.22.66",
            "None: 10.10.22.98",
        ]
    );
    check_devices_on_path(&app, DNAC, &res).await;

    // Interface ids inside the path are `interface` resource ids.
    let cat2 = &res["networkElementsInfo"][1];
    let ing = &cat2["ingressInterface"];
    for (part, want_name, want_type) in [
        (
            &ing["physicalInterface"],
            "TenGigabitEthernet1/0/24",
            "Physical",
        ),
        (&ing["virtualInterface"][0], "Vlan1", "Virtual"),
    ] {
        let iid = part["id"].as_str().unwrap();
        assert_eq!(
            iid,
            ids::interface_id("demo", "cat_9k_2.abc.inc", want_name).to_string()
        );
        let r = app.get(&format!("{DNAC}/interface/{iid}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let i = &r.body["response"];
        assert_eq!(i["portName"], want_name);
        assert_eq!(i["interfaceType"], want_type);
        assert_eq!(i["deviceId"], cat2["id"]);
    }
}

#[tokio::test]
async fn a_task_never_handed_to_a_worker_shows_the_inprogress_shape() {
    let app = TestApp::new().await;
    let snap = app.state.snapshot();
    let (id, task_id) = app
        .state
        .store
        .create_analysis(&seed_request(), snap.version, now_ms(), APIC)
        .await
        .unwrap();
    let r = app.get(&format!("{APIC}/task/{task_id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let t = &r.body["response"];
    assert_task_types(t);
    assert!(
        t.get("endTime").is_none(),
        "no endTime while INPROGRESS: {t}"
    );
    assert_eq!(t["isError"], false);
    assert_eq!(t["progress"], id.as_str());
    assert!(t.get("failureReason").is_none() && t.get("errorCode").is_none());
    let r = app.get(&format!("{DNAC}/flow-analysis/{id}")).await;
    assert_eq!(r.body["response"]["request"]["status"], "INPROGRESS");
    assert!(r.body["response"]["networkElementsInfo"].is_array());
    let r = app.get(&format!("{DNAC}/tasks/{task_id}")).await;
    assert_eq!(r.body["response"]["status"], "PENDING");
}

#[tokio::test]
async fn acl_denied_flow_fails_with_a_partial_path() {
    let app = TestApp::new().await;
    let (_, task, res) = app
        .run(
            APIC,
            r#"{"sourceIP":"10.1.13.25","destIP":"10.2.1.22","protocol":"TCP","destPort":"23"}"#,
        )
        .await;
    let req = &res["request"];
    assert_eq!(req["status"], "FAILED");
    assert_eq!(req["protocol"], "TCP");
    assert_eq!(req["destPort"], "23");
    let reason = req["failureReason"].as_str().unwrap();
    assert!(reason.contains("DENIED_IN"), "{reason}");
    assert_task_types(&task);
    assert_eq!(task["isError"], true);
    assert_eq!(task["errorCode"], "DENIED_IN");
    assert!(
        task["failureReason"]
            .as_str()
            .unwrap()
            .contains("DENIED_IN")
    );
    let path = res["networkElementsInfo"].as_array().unwrap();
    assert!(path.len() >= 2, "a partial path: {path:?}");
    assert_eq!(path[0]["ip"], "10.1.13.25");
    assert_ne!(path.last().unwrap()["ip"], "10.2.1.22", "it stops short");
    // dnacentersdk's view of the failed task.
    let r = app
        .get(&format!("{DNAC}/tasks/{}", task["id"].as_str().unwrap()))
        .await;
    assert_eq!(r.body["response"]["status"], "FAILURE");
}

#[tokio::test]
async fn unknown_source_fails_with_source_not_found() {
    let app = TestApp::new().await;
    let (_, task, res) = app
        .run(DNAC, r#"{"sourceIP":"192.0.2.1","destIP":"10.2.1.22"}"#)
        .await;
    assert_eq!(res["request"]["status"], "FAILED");
    assert!(
        res["request"]["failureReason"]
            .as_str()
            .unwrap()
            .contains("192.0.2.1")
    );
    assert_eq!(task["isError"], true);
    assert_eq!(task["errorCode"], "SOURCE_NOT_FOUND");
    assert!(task["failureReason"].is_string());
}

#[tokio::test]
async fn bad_requests_name_their_field_and_store_nothing() {
    let app = TestApp::new().await;
    let count = || async {
        let r = app.get(&format!("{APIC}/flow-analysis")).await;
        assert_eq!(r.status, StatusCode::OK);
        r.body["response"].as_array().unwrap().len()
    };
    let before = count().await;
    let tasks_before = app.get(&format!("{APIC}/task/count")).await.body["response"].clone();
    for (body, field) in [
        (r#"{"sourceIP": "10.1.15.117", "destIP": "#, "body"),
        ("", "body"),
        (r#"{"destIP":"10.2.1.22"}"#, "sourceIP"),
        (
            r#"{"sourceIP":"10.1.15.117","destIP":"10.2.1.999"}"#,
            "destIP",
        ),
        (r#"{"sourceIP":"10.1.15.117","destIP":42}"#, "destIP"),
        (
            r#"{"sourceIP":"10.1.15.117","destIP":"10.2.1.22","destPort":0}"#,
            "destPort",
        ),
        (
            r#"{"sourceIP":"10.1.15.117","destIP":"10.2.1.22","destPort":"0"}"#,
            "destPort",
        ),
        (
            r#"{"sourceIP":"10.1.15.117","destIP":"10.2.1.22","destPort":70000}"#,
            "destPort",
        ),
        (
            r#"{"sourceIP":"10.1.15.117","destIP":"10.2.1.22","sourcePort":"abc"}"#,
            "sourcePort",
        ),
        (
            r#"{"sourceIP":"10.1.15.117","destIP":"10.2.1.22","protocol":"SCTP"}"#,
            "protocol",
        ),
        (
            r#"{"sourceIP":"10.1.15.117","destIP":"10.2.1.22","inclusions":["FOO-STATS"]}"#,
            "inclusions[0]",
        ),
        (
            r#"{"sourceIP":"10.1.15.117","destIP":"10.2.1.22","periodicRefresh":"maybe"}"#,
            "periodicRefresh",
        ),
    ] {
        for family in [APIC, DNAC] {
            let r = app.post(&format!("{family}/flow-analysis"), body).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
            let detail = assert_error_shape(&r.body);
            assert!(
                detail.contains(field),
                "{body}: detail {detail:?} names {field}"
            );
        }
    }
    let r = app
        .post(
            &format!("{DNAC}/flow-analysis?include_stats=NOPE"),
            APIC_SEED,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(assert_error_shape(&r.body).contains("include_stats"));
    assert_eq!(count().await, before, "nothing was stored");
    assert_eq!(
        app.get(&format!("{APIC}/task/count")).await.body["response"],
        tasks_before,
        "no task was recorded"
    );
}

#[tokio::test]
async fn lenient_inputs_are_accepted() {
    let app = TestApp::new().await;
    // Ports as JSON integers (Ansible), protocol "" (both), an empty inclusions list.
    let (_, _, res) = app
        .run(
            DNAC,
            r#"{"sourceIP":"10.10.22.114","destIP":"10.10.22.98","sourcePort":4020,"destPort":443,"protocol":"","inclusions":[]}"#,
        )
        .await;
    let req = &res["request"];
    assert_eq!(req["sourcePort"], "4020");
    assert_eq!(req["destPort"], "443");
    assert!(req.get("protocol").is_none());
    assert_eq!(req["status"], "COMPLETED");
    // Ansible's include_stats query parameters become inclusions.
    let r = app
        .post(
            &format!(
                "{DNAC}/flow-analysis?include_stats=DEVICE-STATS&include_stats=INTERFACE-STATS&active_validation=False"
            ),
            r#"{"sourceIP":"10.10.22.114","destIP":"10.10.22.98","periodicRefresh":false}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let id = r.body["response"]["flowAnalysisId"].as_str().unwrap();
    let r = app.get(&format!("{DNAC}/flow-analysis/{id}")).await;
    assert_eq!(
        r.body["response"]["request"]["inclusions"],
        serde_json::json!(["DEVICE-STATS", "INTERFACE-STATS"])
    );
}

// ---------------------------------------------------------------- list

#[tokio::test]
async fn list_filters_pages_and_sorts() {
    let app = TestApp::new().await;
    let (first, ta) = app.start(APIC, APIC_SEED).await;
    app.wait_task(APIC, &ta).await;
    let (second, tb) = app
        .start(
            DNAC,
            r#"{"sourceIP":"10.10.22.114","destIP":"10.10.22.98","periodicRefresh":true}"#,
        )
        .await;
    app.wait_task(DNAC, &tb).await;
    let (third, tc) = app
        .start(APIC, r#"{"sourceIP":"192.0.2.1","destIP":"10.2.1.22"}"#)
        .await;
    app.wait_task(APIC, &tc).await;
    let (a, b, c) = (first.as_str(), second.as_str(), third.as_str());

    let ids = |r: &common::Reply| -> Vec<String> {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body["response"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect()
    };
    for family in [APIC, DNAC] {
        let at = |s: &str| format!("{family}/flow-analysis{s}");
        let all = app.get(&at("")).await;
        assert_eq!(ids(&all), [a, b, c]);
        for item in all.body["response"].as_array().unwrap() {
            for k in ["id", "status", "sourceIP", "destIP"] {
                assert!(item[k].is_string(), "{k}: {item}");
            }
            assert!(is_int(&item["createTime"]) && is_int(&item["lastUpdateTime"]));
            assert!(item["periodicRefresh"].is_boolean());
        }
        assert_eq!(ids(&app.get(&at("?sourceIP=10.10.22.114")).await), [b]);
        assert_eq!(ids(&app.get(&at("?destIP=10.2.1.22")).await), [a, c]);
        assert_eq!(ids(&app.get(&at("?status=FAILED")).await), [c]);
        assert_eq!(ids(&app.get(&at("?status=COMPLETED")).await), [a, b]);
        assert_eq!(ids(&app.get(&at("?periodicRefresh=False")).await), [a, c]);
        assert_eq!(ids(&app.get(&at("?periodicRefresh=True")).await), [b]);
        assert_eq!(ids(&app.get(&at("?periodicRefresh=true")).await), [b]);
        assert_eq!(ids(&app.get(&at("?periodicRefresh=FALSE")).await), [a, c]);
        assert_eq!(
            ids(&app.get(&at("?sourceIP=10.1.15.117&destIP=10.2.1.22")).await),
            [a]
        );
        assert_eq!(ids(&app.get(&at("?limit=1")).await), [a]);
        assert_eq!(ids(&app.get(&at("?offset=2")).await), [b, c]);
        assert_eq!(ids(&app.get(&at("?offset=2&limit=1")).await), [b]);
        assert!(ids(&app.get(&at("?offset=9")).await).is_empty());
        assert_eq!(
            ids(&app.get(&at("?order=DESC&sortBy=createTime")).await),
            [c, b, a]
        );
        assert_eq!(
            ids(&app.get(&at("?order=asc&sortBy=createTime")).await),
            [a, b, c]
        );
        // Ansible's exact query (last result first, unknown parameter ignored).
        assert_eq!(
            ids(&app
                .get(&at("?periodicRefresh=False&sourceIP=10.1.15.117&destIP=10.2.1.22&limit=500&offset=1&order=DESC&sortBy=createTime&active_validation=False"))
                .await),
            [a]
        );
        for (query, field) in [
            ("?limit=0", "limit"),
            ("?limit=501", "limit"),
            ("?limit=ten", "limit"),
            ("?offset=0", "offset"),
            ("?offset=-1", "offset"),
            ("?order=sideways", "order"),
            ("?sortBy=color", "sortBy"),
            ("?periodicRefresh=maybe", "periodicRefresh"),
        ] {
            let r = app.get(&at(query)).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
            assert!(assert_error_shape(&r.body).contains(field), "{query}");
        }
    }
}

// ---------------------------------------------------------------- delete

#[tokio::test]
async fn delete_records_a_finished_task() {
    let app = TestApp::new().await;
    for family in [APIC, DNAC] {
        let (id, _, _) = app.run(family, DNAC_SEED).await;
        let r = app.delete(&format!("{family}/flow-analysis/{id}")).await;
        assert!(
            r.status == StatusCode::ACCEPTED || r.status == StatusCode::OK,
            "{}",
            r.status
        );
        let task_id = r.body["response"]["taskId"].as_str().unwrap().to_string();
        assert!(
            r.body["response"]["url"]
                .as_str()
                .unwrap()
                .contains(&task_id)
        );
        // Gone at once.
        let r = app.get(&format!("{family}/flow-analysis/{id}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_error_shape(&r.body);
        // Its task is complete on the first poll.
        let r = app.get(&format!("{family}/task/{task_id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        let t = &r.body["response"];
        assert_task_types(t);
        assert!(t.get("endTime").is_some());
        assert_eq!(t["isError"], false);
        assert!(!t["progress"].as_str().unwrap().is_empty());
        // Ansible's check.
        let r = app.get(&format!("{DNAC}/tasks/{task_id}/detail")).await;
        assert_eq!(r.status, StatusCode::OK);
        let d = &r.body["response"];
        assert!(!d["progress"].as_str().unwrap().is_empty());
        assert!(d.get("errorCode").is_none(), "{d}");
        // A second delete, and an unknown id.
        let r = app.delete(&format!("{family}/flow-analysis/{id}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_error_shape(&r.body);
        let r = app.get(&format!("{family}/flow-analysis/not-an-id")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_error_shape(&r.body);
    }
}

// ---------------------------------------------------------------- tasks

#[tokio::test]
async fn task_families() {
    let app = TestApp::new().await;
    let (_, ok, _) = app.run(DNAC, DNAC_SEED).await;
    let (_, bad, _) = app
        .run(DNAC, r#"{"sourceIP":"192.0.2.1","destIP":"10.2.1.22"}"#)
        .await;
    for (t, want) in [(&ok, "SUCCESS"), (&bad, "FAILURE")] {
        let id = t["id"].as_str().unwrap();
        let r = app.get(&format!("{DNAC}/tasks/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        let v2 = &r.body["response"];
        assert_eq!(v2["status"], want);
        assert_eq!(v2["id"], id);
        for k in ["startTime", "endTime", "updatedTime"] {
            assert!(is_int(&v2[k]), "{k}: {v2}");
        }
        assert!(
            v2["resultLocation"]
                .as_str()
                .unwrap()
                .contains("/flow-analysis/")
        );
        for family in [APIC, DNAC] {
            let r = app.get(&format!("{family}/task/{id}/tree")).await;
            assert_eq!(r.status, StatusCode::OK);
            let tree = r.body["response"].as_array().unwrap();
            assert_eq!(tree.len(), 1);
            assert_eq!(tree[0]["id"], id);
            assert_task_types(&tree[0]);
        }
    }
    let r = app.get(&format!("{DNAC}/tasks/count")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["response"], serde_json::json!({"count": 2}));
    let r = app.get(&format!("{DNAC}/tasks/count?status=FAILURE")).await;
    assert_eq!(r.body["response"]["count"], 1);
    for family in [APIC, DNAC] {
        let r = app.get(&format!("{family}/task/count")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["response"], 2);
        let r = app.get(&format!("{family}/task")).await;
        assert_eq!(r.body["response"].as_array().unwrap().len(), 2);
        let r = app.get(&format!("{family}/task/no-such-task")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_error_shape(&r.body);
    }
    let r = app.get(&format!("{DNAC}/tasks")).await;
    assert_eq!(r.body["response"].as_array().unwrap().len(), 2);
    let r = app.get(&format!("{DNAC}/tasks/no-such-task/detail")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------- routing errors

#[tokio::test]
async fn unknown_routes_and_wrong_methods_answer_json() {
    let app = TestApp::new().await;
    for uri in [
        "/api/v1/nope",
        "/dna/intent/api/v1/flow-analysis/x/y/z",
        "/",
    ] {
        let r = app.get(uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert_error_shape(&r.body);
    }
    for (method, uri) in [
        (Method::PUT, "/api/v1/flow-analysis"),
        (Method::PATCH, "/dna/intent/api/v1/flow-analysis/x"),
        (Method::DELETE, "/api/v1/network-device"),
        (Method::GET, "/api/v1/ticket"),
        (Method::POST, "/dna/intent/api/v1/tasks"),
    ] {
        let r = app.call(method.clone(), uri, None).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
        assert_error_shape(&r.body);
    }
}

// ---------------------------------------------------------------- restart

fn seed_request() -> NewAnalysis {
    NewAnalysis {
        source_ip: "10.1.15.117".into(),
        dest_ip: "10.2.1.22".into(),
        source_port: None,
        dest_port: None,
        protocol: None,
        periodic_refresh: false,
        control_path: None,
        inclusions: Vec::new(),
    }
}

#[tokio::test]
async fn analyses_left_in_progress_are_finished_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::file_url(&dir).await;
    // A process that recorded an analysis and died before running it (its
    // lease, 1 ms, has run out by the restart).
    let (id, task_id) = {
        let store = Store::open(&url).await.unwrap().with_lease("dead", 1);
        let ids = store
            .create_analysis(&seed_request(), 1, now_ms(), APIC)
            .await
            .unwrap();
        assert_eq!(
            store.in_progress().await.unwrap(),
            std::slice::from_ref(&ids.0)
        );
        ids
    };
    // The restart.
    let app = TestApp::on_file(dir).await;
    let task = app.wait_task(APIC, &task_id).await;
    assert_eq!(task["isError"], false);
    let r = app.get(&format!("{APIC}/flow-analysis/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["response"]["request"]["status"], "COMPLETED");
    assert_eq!(name_ip_lines(&r.body["response"]).len(), 12);
    assert!(app.state.store.in_progress().await.unwrap().is_empty());
}

/// A job whose worker died on every attempt (the lease ran out three times)
/// ends FAILED with JOB_ABANDONED instead of being run forever.
#[tokio::test]
async fn a_job_whose_workers_keep_dying_ends_failed() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::file_url(&dir).await;
    let task_id = {
        let first = Store::open(&url).await.unwrap().with_lease("first", 1);
        let (_, task_id) = first
            .create_analysis(&seed_request(), 1, now_ms(), APIC)
            .await
            .unwrap();
        // Two more replicas claimed it and died too.
        for owner in ["second", "third"] {
            tokio::time::sleep(Duration::from_millis(5)).await;
            let s = Store::open(&url).await.unwrap().with_lease(owner, 1);
            let claimed = s.claim_jobs(now_ms(), now_ms(), 10).await.unwrap();
            assert_eq!(claimed.len(), 1, "{owner}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        task_id
    };
    let app = TestApp::on_file(dir).await;
    let task = app.wait_task(APIC, &task_id).await;
    assert_eq!(task["isError"], true, "{task}");
    assert_eq!(task["errorCode"], "JOB_ABANDONED", "{task}");
    assert!(
        task["failureReason"]
            .as_str()
            .unwrap()
            .contains("started 3 times"),
        "{task}"
    );
    let (_, running, _) = app.state.store.job_counts().await.unwrap();
    assert_eq!(running, 0);
}

/// Retention: finished one-shot analyses and finished tasks past it are
/// deleted (from the store and from what the server keeps in memory);
/// periodic analyses stay; a new analysis of the flow no longer points at
/// the deleted one.
#[tokio::test]
async fn analyses_past_the_retention_are_deleted() {
    let app = TestApp::new().await;
    let body = r#"{"sourceIP": "10.1.15.117", "destIP": "10.2.1.22"}"#;
    let (old, old_task, _) = app.run(APIC, body).await;
    let (periodic, _, _) = app
        .run(
            APIC,
            r#"{"sourceIP": "10.10.22.114", "destIP": "10.10.22.98", "periodicRefresh": true}"#,
        )
        .await;
    let mut state = app.state.clone();
    assert_eq!(
        pathtrace_server::retention::expire_now(&state, now_ms() + 60_000)
            .await
            .unwrap(),
        (0, 0),
        "retention off: nothing expires"
    );
    state.retention_ms = 30_000;
    let (analyses, tasks) = pathtrace_server::retention::expire_now(&state, now_ms() + 60_000)
        .await
        .unwrap();
    assert_eq!(
        (analyses, tasks),
        (1, 2),
        "the one-shot analysis; both creation tasks"
    );
    let r = app.get(&format!("{APIC}/flow-analysis/{old}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let old_task = old_task["id"].as_str().unwrap();
    let r = app.get(&format!("{APIC}/task/{old_task}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = app.get(&format!("{APIC}/flow-analysis/{periodic}")).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "periodic analyses stay: {}",
        r.body
    );
    let (again, _, result) = app.run(APIC, body).await;
    assert_ne!(again, old);
    assert!(
        result["request"].get("previousFlowAnalysisId").is_none(),
        "{}",
        result["request"]
    );
    // Not yet old enough: kept.
    assert_eq!(
        pathtrace_server::retention::expire_now(&state, now_ms())
            .await
            .unwrap(),
        (0, 0)
    );
}

// ---------------------------------------------------------------- inventory

/// The 35 fields dnacentersdk's schema requires of a device (all strings but two numbers).
const DEVICE_FIELDS: [&str; 35] = [
    "collectionStatus",
    "family",
    "hostname",
    "id",
    "instanceTenantId",
    "instanceUuid",
    "interfaceCount",
    "inventoryStatusDetail",
    "lastUpdateTime",
    "lastUpdated",
    "lineCardCount",
    "lineCardId",
    "macAddress",
    "managementIpAddress",
    "memorySize",
    "platformId",
    "reachabilityStatus",
    "role",
    "serialNumber",
    "series",
    "softwareType",
    "softwareVersion",
    "tagCount",
    "type",
    "upTime",
    "waasDeviceMode",
    "dnsResolvedManagementAddress",
    "apEthernetMacAddress",
    "vendor",
    "reasonsForPendingSyncRequests",
    "pendingSyncRequestsCount",
    "reasonsForDeviceResync",
    "lastDeviceResyncStartTime",
    "uptimeSeconds",
    "managementState",
];

fn assert_device(d: &Value) {
    for k in DEVICE_FIELDS {
        match k {
            "lastUpdateTime" | "uptimeSeconds" => {
                assert!(d[k].is_number(), "{k} is a number: {d}");
            }
            _ => assert!(d[k].is_string(), "{k} is a string: {d}"),
        }
    }
    assert!(d["lastManagedResyncReasons"].is_string());
    assert_eq!(d["id"], d["instanceUuid"]);
    assert!(
        d["lastUpdateTime"].as_i64().unwrap() > 1_600_000_000_000,
        "lastUpdateTime is epoch ms: {}",
        d["lastUpdateTime"]
    );
}

fn items(r: &common::Reply) -> Vec<Value> {
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["version"], "1.0");
    r.body["response"].as_array().expect("a list").clone()
}

fn hostnames(v: &[Value]) -> Vec<&str> {
    v.iter().map(|d| d["hostname"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn network_devices_filters_paging_and_range() {
    let app = TestApp::new().await;
    let model = pathtrace_model::demo::demo().unwrap();
    for f in [APIC, DNAC] {
        let q = |s: &str| format!("{f}/network-device{s}");
        let all = items(&app.get(&q("")).await);
        assert_eq!(all.len(), model.devices.len());
        all.iter().for_each(assert_device);
        let r = app.get(&q("/count")).await;
        assert_eq!(r.body["response"], all.len());

        // One filter, repeated keys OR-ed, different keys AND-ed.
        assert_eq!(
            hostnames(&items(&app.get(&q("?hostname=CAMPUS-Core1")).await)),
            ["CAMPUS-Core1"]
        );
        assert_eq!(
            hostnames(&items(
                &app.get(&q("?hostname=CAMPUS-Core1&hostname=CAMPUS-Core2"))
                    .await
            )),
            ["CAMPUS-Core1", "CAMPUS-Core2"]
        );
        assert_eq!(
            hostnames(&items(&app.get(&q("?hostname=cat_9k.*")).await)),
            ["cat_9k_1.abc.inc", "cat_9k_2.abc.inc"]
        );
        assert_eq!(
            hostnames(&items(
                &app.get(&q("?managementIpAddress=10.10.22.66")).await
            )),
            ["cat_9k_1.abc.inc"]
        );
        let routers: Vec<&str> = all
            .iter()
            .filter(|d| d["family"] == "Routers")
            .map(|d| d["hostname"].as_str().unwrap())
            .collect();
        assert!(!routers.is_empty());
        assert_eq!(
            hostnames(&items(&app.get(&q("?family=Routers")).await)),
            routers
        );
        let r = app.get(&q("/count?family=Routers")).await;
        assert_eq!(r.body["response"], routers.len());
        assert!(items(&app.get(&q("?family=Routers&hostname=CAMPUS-Core1")).await).is_empty());
        let (d0, d1) = (&all[0], &all[5]);
        for field in [
            "macAddress",
            "serialNumber",
            "type",
            "series",
            "role",
            "platformId",
            "softwareVersion",
            "softwareType",
        ] {
            let v = d1[field].as_str().unwrap();
            let enc = v.replace(' ', "%20");
            let got = items(&app.get(&q(&format!("?{field}={enc}"))).await);
            let want: Vec<&Value> = all.iter().filter(|d| d[field] == v).collect();
            assert_eq!(got.len(), want.len(), "{field}={v}");
            assert!(got.iter().all(|d| d[field] == v), "{field}={v}");
        }
        let both = format!(
            "?id={},{}",
            d0["id"].as_str().unwrap(),
            d1["id"].as_str().unwrap()
        );
        assert_eq!(items(&app.get(&q(&both)).await).len(), 2);
        let repeated = format!(
            "?id={}&id={}",
            d0["id"].as_str().unwrap(),
            d1["id"].as_str().unwrap()
        );
        assert_eq!(items(&app.get(&q(&repeated)).await).len(), 2);
        // Unknown parameters are ignored.
        assert_eq!(
            items(&app.get(&q("?active_validation=False&foo=bar")).await).len(),
            all.len()
        );

        // 1-based offset, limit ≤ 500.
        assert_eq!(items(&app.get(&q("?limit=3")).await), all[..3]);
        assert_eq!(items(&app.get(&q("?offset=2&limit=2")).await), all[1..3]);
        assert_eq!(
            items(&app.get(&q(&format!("?offset={}", all.len()))).await),
            all[all.len() - 1..]
        );
        for (query, field) in [
            ("?limit=0", "limit"),
            ("?limit=501", "limit"),
            ("?limit=x", "limit"),
            ("?offset=0", "offset"),
            ("?offset=-3", "offset"),
        ] {
            let r = app.get(&q(query)).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
            assert!(assert_error_shape(&r.body).contains(field), "{query}");
        }

        // uniq's range.
        assert_eq!(items(&app.get(&q("/1/3")).await), all[..3]);
        assert_eq!(items(&app.get(&q("/2/2")).await), all[1..3]);
        for (path, field) in [
            ("/0/3", "startIndex"),
            ("/a/3", "startIndex"),
            ("/1/0", "recordsToReturn"),
            ("/1/501", "recordsToReturn"),
        ] {
            let r = app.get(&q(path)).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
            assert!(assert_error_shape(&r.body).contains(field), "{path}");
        }

        // By id and by IP.
        let id = d1["id"].as_str().unwrap();
        let r = app.get(&q(&format!("/{id}"))).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(&r.body["response"], d1);
        let ip = d1["managementIpAddress"].as_str().unwrap();
        let r = app.get(&q(&format!("/ip-address/{ip}"))).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["response"]["id"], id);
        assert_device(&r.body["response"]);
        for path in ["/no-such-device", "/ip-address/192.0.2.77"] {
            let r = app.get(&q(path)).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert_error_shape(&r.body);
        }
    }
}

#[tokio::test]
async fn hosts() {
    let app = TestApp::new().await;
    let model = pathtrace_model::demo::demo().unwrap();
    for f in [APIC, DNAC] {
        let all = items(&app.get(&format!("{f}/host")).await);
        assert_eq!(all.len(), model.hosts.len());
        for h in &all {
            for (k, v) in h.as_object().unwrap() {
                if k == "attributeInfo" {
                    assert!(v.is_object(), "{h}");
                } else {
                    assert!(v.is_string(), "{k} is a string: {h}");
                }
            }
            for k in [
                "id",
                "hostIp",
                "hostMac",
                "hostName",
                "hostType",
                "subType",
                "vlanId",
                "connectedNetworkDeviceId",
                "connectedNetworkDeviceIpAddress",
                "connectedInterfaceId",
                "connectedInterfaceName",
                "lastUpdated",
            ] {
                assert!(h.get(k).is_some(), "{k}: {h}");
            }
            assert_eq!(h["source"], "200");
            let ip: std::net::IpAddr = h["hostIp"].as_str().unwrap().parse().unwrap();
            assert_eq!(h["id"], ids::host_id("demo", &ip).to_string());
        }
        let r = app.get(&format!("{f}/host/count")).await;
        assert_eq!(r.body["response"], all.len());

        // A wired host: its switch port.
        let wired = items(&app.get(&format!("{f}/host?hostIp=10.1.13.25")).await);
        assert_eq!(wired.len(), 1);
        let h = &wired[0];
        assert_eq!(h["hostType"], "wired");
        assert_eq!(h["hostName"], "campus-pc-25");
        assert_eq!(h["hostMac"], "00:50:56:a1:13:25");
        assert_eq!(h["vlanId"], "13");
        assert_eq!(h["connectedInterfaceName"], "GigabitEthernet1/0/10");
        assert_eq!(
            h["connectedNetworkDeviceId"],
            ids::device_id("demo", "CAMPUS-Access1").to_string()
        );
        let r = app
            .get(&format!(
                "{f}/network-device/{}",
                h["connectedNetworkDeviceId"].as_str().unwrap()
            ))
            .await;
        assert_eq!(
            r.body["response"]["managementIpAddress"],
            h["connectedNetworkDeviceIpAddress"]
        );
        let r = app
            .get(&format!(
                "{f}/interface/{}",
                h["connectedInterfaceId"].as_str().unwrap()
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["response"]["portName"], "GigabitEthernet1/0/10");
        assert_eq!(r.body["response"]["portMode"], "access");

        // A wireless host: its AP.
        let wl = items(&app.get(&format!("{f}/host?hostIp=10.1.15.117")).await);
        assert_eq!(wl.len(), 1);
        let h = &wl[0];
        assert_eq!(h["hostType"], "wireless");
        assert_eq!(h["connectedAPName"], "AP7081.059f.19ca");
        assert_eq!(
            h["connectedNetworkDeviceId"],
            ids::device_id("demo", "AP7081.059f.19ca").to_string()
        );
        assert_eq!(h["connectedNetworkDeviceIpAddress"], "10.1.14.3");
        assert_eq!(h["vlanId"], "15");

        // Filters.
        let wireless = model
            .hosts
            .iter()
            .filter(|h| h.kind == pathtrace_model::HostKind::Wireless)
            .count();
        assert_eq!(
            items(&app.get(&format!("{f}/host?hostType=wireless")).await).len(),
            wireless
        );
        assert_eq!(
            items(&app.get(&format!("{f}/host?hostType=wired")).await).len(),
            all.len() - wireless
        );
        assert_eq!(
            items(
                &app.get(&format!("{f}/host?hostMac=00:50:56:a1:13:26"))
                    .await
            )[0]["hostIp"],
            "10.1.13.26"
        );
        assert_eq!(
            items(
                &app.get(&format!(
                    "{f}/host?hostName=campus-pc-25&hostName=branch-pc-22"
                ))
                .await
            )
            .len(),
            2
        );
        assert_eq!(
            items(&app.get(&format!("{f}/host?hostName=branch-pc.*")).await).len(),
            2
        );
        let r = app.get(&format!("{f}/host/count?hostType=wireless")).await;
        assert_eq!(r.body["response"], wireless);
        assert_eq!(
            items(&app.get(&format!("{f}/host?limit=2&offset=2")).await),
            all[1..3]
        );
        let sorted = items(&app.get(&format!("{f}/host?sortBy=hostIp&order=desc")).await);
        assert_eq!(sorted.len(), all.len());
        let r = app.get(&format!("{f}/host?limit=0")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);

        // By id.
        let id = all[3]["id"].as_str().unwrap();
        let r = app.get(&format!("{f}/host/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["response"], all[3]);
        let r = app.get(&format!("{f}/host/nope")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_error_shape(&r.body);
    }
}

#[tokio::test]
async fn interfaces() {
    let app = TestApp::new().await;
    let model = pathtrace_model::demo::demo().unwrap();
    let total: usize = model.devices.iter().map(|d| d.interfaces.len()).sum();
    for f in [APIC, DNAC] {
        let r = app.get(&format!("{f}/interface/count")).await;
        assert_eq!(r.body["response"], total);
        let all = items(&app.get(&format!("{f}/interface?limit=500")).await);
        assert_eq!(all.len(), total.min(500));
        let mut seen = HashSet::new();
        for i in &all {
            for (k, v) in i.as_object().unwrap() {
                assert!(v.is_string(), "{k} is a string: {i}");
            }
            assert!(
                seen.insert(i["id"].as_str().unwrap().to_string()),
                "unique ids"
            );
            assert_eq!(i["id"], i["instanceUuid"]);
            assert!(["Physical", "Virtual"].contains(&i["interfaceType"].as_str().unwrap()));
            assert!(["access", "trunk", "routed"].contains(&i["portMode"].as_str().unwrap()));
            assert!(["up", "down"].contains(&i["status"].as_str().unwrap()));
            assert!(["UP", "DOWN"].contains(&i["adminStatus"].as_str().unwrap()));
            let mask = i["ipv4Mask"].as_str().unwrap();
            assert_eq!(
                mask.is_empty(),
                i["ipv4Address"].as_str().unwrap().is_empty(),
                "{i}"
            );
            if !mask.is_empty() {
                assert!(mask.parse::<std::net::Ipv4Addr>().is_ok(), "dotted: {mask}");
            }
        }

        // By device.
        let cat1 = ids::device_id("demo", "cat_9k_1.abc.inc").to_string();
        let mine = items(
            &app.get(&format!("{f}/interface/network-device/{cat1}"))
                .await,
        );
        let want = model
            .devices
            .iter()
            .find(|d| d.hostname == "cat_9k_1.abc.inc")
            .unwrap()
            .interfaces
            .len();
        assert_eq!(mine.len(), want);
        assert!(mine.iter().all(|i| i["deviceId"] == cat1.as_str()));
        let r = app.get(&format!("{f}/interface/network-device/nope")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_error_shape(&r.body);

        // By IP: the management SVI of cat_9k_1.
        let by_ip = items(
            &app.get(&format!("{f}/interface/ip-address/10.10.22.66"))
                .await,
        );
        assert!(!by_ip.is_empty());
        assert!(by_ip.iter().all(|i| i["deviceId"] == cat1.as_str()));
        assert!(by_ip.iter().any(|i| i["ipv4Address"] == "10.10.22.66"));
        let r = app
            .get(&format!("{f}/interface/ip-address/192.0.2.9"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .get(&format!("{f}/interface/ip-address/not-an-ip"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(assert_error_shape(&r.body).contains("ipAddress"));

        // A routed point-to-point port with its mask.
        let te = items(
            &app.get(&format!(
                "{f}/interface?deviceId={}&portName=TenGigabitEthernet1/1",
                ids::device_id("demo", "CAMPUS-Core2")
            ))
            .await,
        );
        assert_eq!(te.len(), 1, "{te:?}");
        assert_eq!(te[0]["ipv4Address"], "10.1.100.1");
        assert_eq!(te[0]["ipv4Mask"], "255.255.255.252");
        assert_eq!(te[0]["portMode"], "routed");

        // Paging and bad values.
        assert_eq!(
            items(&app.get(&format!("{f}/interface?offset=3&limit=2")).await),
            all[2..4]
        );
        let r = app.get(&format!("{f}/interface?offset=0")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = app.get(&format!("{f}/interface/nope")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn physical_topology() {
    let app = TestApp::new().await;
    let model = pathtrace_model::demo::demo().unwrap();
    for f in [APIC, DNAC] {
        let r = app.get(&format!("{f}/topology/physical-topology")).await;
        assert_eq!(r.status, StatusCode::OK);
        let t = &r.body["response"];
        assert!(t["id"].is_string());
        let nodes = t["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), model.devices.len());
        let node_ids: HashSet<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
        for n in nodes {
            assert_eq!(n["nodeType"], "device");
            assert_eq!(n["greyOut"], false);
            for k in [
                "id",
                "label",
                "ip",
                "deviceType",
                "family",
                "role",
                "platformId",
                "softwareVersion",
            ] {
                assert!(n[k].is_string(), "{k}: {n}");
            }
            let label = n["label"].as_str().unwrap();
            assert_eq!(n["id"], ids::device_id("demo", label).to_string());
        }
        let links = t["links"].as_array().unwrap();
        assert_eq!(links.len(), model.links.len());
        let mut link_ids = HashSet::new();
        for l in links {
            assert!(link_ids.insert(l["id"].as_str().unwrap()));
            assert!(node_ids.contains(l["source"].as_str().unwrap()));
            assert!(node_ids.contains(l["target"].as_str().unwrap()));
            assert_eq!(l["linkStatus"], "up");
            assert_eq!(l["greyOut"], false);
            for (port, dev) in [("startPortID", "source"), ("endPortID", "target")] {
                let r = app
                    .get(&format!("{f}/interface/{}", l[port].as_str().unwrap()))
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{l}");
                assert_eq!(r.body["response"]["deviceId"], l[dev]);
            }
            assert!(l["startPortName"].is_string() && l["endPortName"].is_string());
        }
        // The first modelled link, Core2 Te1/1 — Dist1 Te3/1.
        let first = &links[0];
        assert_eq!(
            first["source"],
            ids::device_id("demo", "CAMPUS-Core2").to_string()
        );
        assert_eq!(first["startPortName"], "TenGigabitEthernet1/1");
        assert_eq!(first["endPortName"], "TenGigabitEthernet3/1");
    }
}

// ---------------------------------------------------------------- core regressions
//
// Defects once found in the server core, kept as regression tests.

/// `Store::create_analysis` opens a deferred transaction that reads
/// `MAX(seq)` before writing: on file-backed SQLite (WAL) two concurrent
/// creations cannot both upgrade to a writer, and the loser gets
/// SQLITE_BUSY at once (busy_timeout does not apply), i.e. a 503.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_initiates_on_a_file_store_all_succeed() {
    let app = std::sync::Arc::new(TestApp::on_file(tempfile::tempdir().unwrap()).await);
    for _ in 0..10 {
        let (a1, a2) = (app.clone(), app.clone());
        let h1 = tokio::spawn(async move { a1.post("/api/v1/flow-analysis", APIC_SEED).await });
        let h2 = tokio::spawn(async move { a2.post("/api/v1/flow-analysis", DNAC_SEED).await });
        for r in [h1.await.unwrap(), h2.await.unwrap()] {
            assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
        }
    }
}

/// Deleting an analysis that is still INPROGRESS removes the row; the worker
/// then finds nothing to finish, so the analysis's own task never gets an
/// `endTime` (uniq's `wait_for_task_complete` times out on it).
#[tokio::test]
async fn deleting_an_analysis_in_progress_finishes_its_task() {
    let app = TestApp::new().await;
    let snap = app.state.snapshot();
    let (id, task_id) = app
        .state
        .store
        .create_analysis(&seed_request(), snap.version, now_ms(), APIC)
        .await
        .unwrap();
    let r = app.delete(&format!("{APIC}/flow-analysis/{id}")).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    // What a worker does with the queued id afterwards.
    pathtrace_server::worker::run(&app.state, &id)
        .await
        .unwrap();
    let r = app.get(&format!("{APIC}/task/{task_id}")).await;
    assert!(
        r.body["response"].get("endTime").is_some(),
        "the task of a deleted analysis must end: {}",
        r.body
    );
}
