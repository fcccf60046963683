//! Round trips against a real pathtrace server, started in-process on
//! 127.0.0.1 (SQLite in memory, the demo network, the demo user).

mod common;

use std::time::Duration;

use common::{Server, server};

use pathtrace_client::{
    AnalysisStatus, ApiFamily, Client, DeviceQuery, Error, FlowAnalysisQuery, FlowAnalysisRequest,
    HostQuery, Inclusion, LoginStyle, Order, PathResponse,
};

const USER: &str = "devnetuser";
const PASSWORD: &str = "Cisco123!";
const WAIT: Duration = Duration::from_secs(20);

async fn logged_in(s: &Server, family: ApiFamily) -> anyhow::Result<Client> {
    let client = Client::builder(&s.base).family(family).build()?;
    client.login_token(USER, PASSWORD).await?;
    Ok(client)
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn printed(r: &PathResponse) -> Vec<String> {
    r.network_elements_info
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e.name.as_deref().unwrap_or("None"),
                e.ip.as_deref().unwrap_or("None")
            )
        })
        .collect()
}

#[tokio::test]
async fn token_login_then_the_apic_em_seed_flow() -> anyhow::Result<()> {
    let s = server().await?;
    let client = logged_in(&s, ApiFamily::Intent).await?;
    assert!(client.token().is_some());
    let started = client
        .initiate_flow_analysis(&FlowAnalysisRequest::new("10.1.15.117", "10.2.1.22"))
        .await?;
    assert!(!started.flow_analysis_id.is_empty() && !started.task_id.is_empty());
    let task = client.wait(&started.task_id, WAIT).await?;
    assert!(task.end_time.is_some() && !task.is_error);
    assert_eq!(
        task.progress.as_deref(),
        Some(started.flow_analysis_id.as_str())
    );
    assert_eq!(
        task.service_type.as_deref(),
        Some("Policy Analysis Service")
    );

    let result = client.flow_analysis(&started.flow_analysis_id).await?;
    assert_eq!(result.request.status, AnalysisStatus::Completed);
    assert_eq!(result.request.id, started.flow_analysis_id);
    assert_eq!(result.network_elements_info.len(), 12);
    let expected: Vec<String> = fixture("apic-em-path.txt")
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(printed(&result), expected, "the seed's path, name by name");
    assert_eq!(
        result.network_elements_info[1].tunnels,
        ["CAPWAP Tunnel"],
        "the AP hop is in the CAPWAP tunnel"
    );
    assert!(result.last_update.is_some() && result.trace_count.is_some());

    // The bonus: each device element's id is its network-device id.
    let access = &result.network_elements_info[2];
    let device = client.network_device(access.id.as_deref().unwrap()).await?;
    assert_eq!(device.hostname.as_deref(), Some("CAMPUS-Access1"));
    assert!(device.software_version.is_some());
    Ok(())
}

#[tokio::test]
async fn device_stats_on_the_dnac_seed_flow() -> anyhow::Result<()> {
    let s = server().await?;
    let client = logged_in(&s, ApiFamily::Intent).await?;
    let request = FlowAnalysisRequest::new("10.10.22.114", "10.10.22.98")
        .with_inclusion(Inclusion::DeviceStats);
    let result = client.trace(&request, WAIT).await?;
    assert_eq!(result.request.status, AnalysisStatus::Completed);
    assert_eq!(result.request.inclusions, ["DEVICE-STATS"]);
    let expected: Vec<String> = fixture("dnac-path.txt")
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(printed(&result), expected);
    let mut devices = 0;
    for e in &result.network_elements_info {
        if e.is_host() {
            assert!(e.device_statistics.is_none(), "hosts have no statistics");
            continue;
        }
        devices += 1;
        let stats = e
            .device_statistics
            .as_ref()
            .unwrap_or_else(|| panic!("{:?} has no deviceStatistics", e.name));
        let cpu = stats.cpu_statistics.as_ref().unwrap();
        assert!(cpu.five_min_usage_in_percentage.is_some());
        let mem = stats.memory_statistics.as_ref().unwrap();
        assert!(mem.memory_usage.unwrap() <= mem.total_memory.unwrap());
        assert_eq!(e.device_stats_collection.as_deref(), Some("SUCCESS"));
    }
    assert_eq!(devices, 3);
    Ok(())
}

#[tokio::test]
async fn every_inclusion_parses() -> anyhow::Result<()> {
    let s = server().await?;
    let client = logged_in(&s, ApiFamily::Intent).await?;
    let mut request = FlowAnalysisRequest::new("10.10.22.114", "10.10.22.98")
        .with_protocol("TCP")
        .with_dest_port(443);
    request.inclusions = Inclusion::ALL.to_vec();
    let result = client.trace(&request, WAIT).await?;
    assert_eq!(result.request.inclusions.len(), 5);
    assert_eq!(result.request.dest_port, Some(443));
    let devices: Vec<_> = result
        .network_elements_info
        .iter()
        .filter(|e| !e.is_host())
        .collect();
    assert!(!devices.is_empty());
    for e in &devices {
        assert!(e.device_stats_collection.is_some(), "{:?}", e.name);
        assert!(e.perf_mon_collection.is_some(), "{:?}", e.name);
    }
    let interfaces: Vec<_> = devices
        .iter()
        .flat_map(|e| [&e.ingress_interface, &e.egress_interface])
        .flatten()
        .filter_map(|c| c.physical_interface.as_ref())
        .collect();
    assert!(!interfaces.is_empty());
    assert!(
        interfaces
            .iter()
            .all(|i| i.interface_stats_collection.is_some() && i.qos_stats_collection.is_some())
    );
    assert!(
        result
            .detailed_status
            .unwrap()
            .acl_trace_calculation
            .is_some()
    );
    Ok(())
}

#[tokio::test]
async fn list_runs_delete_then_not_found() -> anyhow::Result<()> {
    let s = server().await?;
    let client = logged_in(&s, ApiFamily::Intent).await?;
    let first = client
        .initiate_flow_analysis(&FlowAnalysisRequest::new("10.1.15.117", "10.2.1.22"))
        .await?;
    client.wait(&first.task_id, WAIT).await?;
    let second = client
        .initiate_flow_analysis(
            &FlowAnalysisRequest::new("10.10.22.114", "10.10.22.98")
                .with_protocol("UDP")
                .with_dest_port(53),
        )
        .await?;
    client.wait(&second.task_id, WAIT).await?;

    let all = client.flow_analyses(&FlowAnalysisQuery::default()).await?;
    assert_eq!(all.len(), 2);
    let newest = client
        .flow_analyses(&FlowAnalysisQuery {
            order: Some(Order::Desc),
            sort_by: Some("createTime".into()),
            limit: Some(1),
            ..Default::default()
        })
        .await?;
    assert_eq!(newest.len(), 1);
    assert_eq!(newest[0].id, second.flow_analysis_id);
    assert_eq!(newest[0].dest_port, Some(53));
    assert_eq!(newest[0].protocol.as_deref(), Some("UDP"));
    let by_source = client
        .flow_analyses(&FlowAnalysisQuery {
            source_ip: Some("10.1.15.117".into()),
            periodic_refresh: Some(false),
            status: Some("COMPLETED".into()),
            ..Default::default()
        })
        .await?;
    assert_eq!(by_source.len(), 1);
    assert_eq!(by_source[0].id, first.flow_analysis_id);
    let page2 = client
        .flow_analyses(&FlowAnalysisQuery {
            offset: Some(2),
            limit: Some(1),
            ..Default::default()
        })
        .await?;
    assert_eq!(page2[0].id, second.flow_analysis_id, "offset is 1-based");

    let runs = client.flow_analysis_runs(&first.flow_analysis_id).await?;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].run, Some(1));
    assert_eq!(runs[0].status, AnalysisStatus::Completed);
    assert!(runs[0].end_time.is_some());
    assert_eq!(runs[0].network_elements_info.len(), 12);

    let deletion = client.delete_flow_analysis(&first.flow_analysis_id).await?;
    assert!(!deletion.task_id.is_empty());
    let done = client.wait(&deletion.task_id, WAIT).await?;
    assert!(done.end_time.is_some());
    let gone = client
        .flow_analysis(&first.flow_analysis_id)
        .await
        .unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert_eq!(gone.error_code(), Some("NOT_FOUND"));
    assert!(gone.to_string().contains(&first.flow_analysis_id), "{gone}");
    let again = client
        .delete_flow_analysis(&first.flow_analysis_id)
        .await
        .unwrap_err();
    assert!(matches!(again, Error::NotFound { .. }), "{again}");
    assert!(matches!(
        client.flow_analysis_runs("no-such-analysis").await,
        Err(Error::NotFound { .. })
    ));
    Ok(())
}

#[tokio::test]
async fn wrong_password_and_no_token_are_unauthorized() -> anyhow::Result<()> {
    let s = server().await?;
    let client = Client::new(&s.base)?;
    for style in [
        LoginStyle::Token,
        LoginStyle::LegacyToken,
        LoginStyle::Ticket,
    ] {
        let e = client
            .login(style, USER, "wrong")
            .await
            .expect_err("wrong password");
        assert!(matches!(e, Error::Unauthorized { .. }), "{style:?}: {e}");
        assert_eq!(e.status(), Some(401));
        assert!(e.to_string().contains(style.path()), "{e}");
    }
    // No login at all: the controller's 401, not a panic or a hang.
    let e = client.network_device_count().await.unwrap_err();
    assert!(e.is_unauthorized(), "{e}");
    assert_eq!(e.error_code(), Some("UNAUTHORIZED"));
    Ok(())
}

#[tokio::test]
async fn an_expired_token_is_renewed_once() -> anyhow::Result<()> {
    let s = server().await?;
    let client = logged_in(&s, ApiFamily::Intent).await?;
    let before = client.token();
    client.set_token("expired-or-revoked");
    assert!(client.network_device_count().await? > 0);
    let after = client.token();
    assert!(after.is_some() && after != before && after.as_deref() != Some("expired-or-revoked"));
    // A client given only a token has nothing to log in with: 401 stands.
    let bare = Client::builder(&s.base).token("bogus").build()?;
    assert!(
        bare.network_device_count()
            .await
            .unwrap_err()
            .is_unauthorized()
    );
    Ok(())
}

#[tokio::test]
async fn unknown_task_is_not_found() -> anyhow::Result<()> {
    let s = server().await?;
    let client = logged_in(&s, ApiFamily::Intent).await?;
    let e = client
        .task("00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = client
        .wait("00000000-0000-4000-8000-000000000000", WAIT)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    Ok(())
}

#[tokio::test]
async fn a_denied_flow_is_a_failed_task() -> anyhow::Result<()> {
    let s = server().await?;
    let client = logged_in(&s, ApiFamily::Intent).await?;
    let request = FlowAnalysisRequest::new("10.1.13.25", "10.2.1.22")
        .with_protocol("TCP")
        .with_dest_port(23);
    let started = client.initiate_flow_analysis(&request).await?;
    let e = client.wait(&started.task_id, WAIT).await.unwrap_err();
    let Error::TaskFailed {
        task_id,
        error_code,
        failure_reason,
        task,
    } = &e
    else {
        panic!("expected TaskFailed, got {e}");
    };
    assert_eq!(task_id, &started.task_id);
    assert_eq!(error_code.as_deref(), Some("DENIED_IN"));
    assert!(failure_reason.as_deref().unwrap().contains("DENIED_IN"));
    assert!(task.is_error && task.end_time.is_some());
    assert_eq!(e.error_code(), Some("DENIED_IN"));
    assert!(e.to_string().contains(&started.task_id), "{e}");

    // `trace` returns the failed analysis as a result: the partial path.
    let result = client.trace(&request, WAIT).await?;
    assert_eq!(result.request.status, AnalysisStatus::Failed);
    assert!(
        result
            .request
            .failure_reason
            .as_deref()
            .unwrap()
            .contains("DENIED_IN")
    );
    assert_eq!(
        result.network_elements_info[0].ip.as_deref(),
        Some("10.1.13.25")
    );
    assert!(result.network_elements_info.len() >= 2);
    Ok(())
}

#[tokio::test]
async fn invalid_requests_carry_the_controllers_explanation() -> anyhow::Result<()> {
    let s = server().await?;
    let client = logged_in(&s, ApiFamily::Intent).await?;
    let e = client
        .initiate_flow_analysis(&FlowAnalysisRequest::new("10.1.1.999", "10.2.1.22"))
        .await
        .unwrap_err();
    let Error::Api { status, body, .. } = &e else {
        panic!("expected Api, got {e}");
    };
    assert_eq!(*status, 400);
    assert_eq!(body.error_code.as_deref(), Some("INVALID_REQUEST"));
    assert_eq!(body.detail.as_deref(), Some("field: sourceIP"));
    assert!(e.to_string().contains("sourceIP"), "{e}");
    Ok(())
}

#[tokio::test]
async fn ticket_login_and_the_apic_em_family() -> anyhow::Result<()> {
    let s = server().await?;
    let client = Client::builder(&s.base).family(ApiFamily::ApicEm).build()?;
    let ticket = client.login_ticket(USER, PASSWORD).await?;
    assert!(!ticket.is_empty());
    assert_eq!(client.family(), ApiFamily::ApicEm);
    let result = client
        .trace(&FlowAnalysisRequest::new("10.1.15.117", "10.2.1.22"), WAIT)
        .await?;
    assert_eq!(result.network_elements_info.len(), 12);
    // The same analysis through the other family, with the same ticket.
    let intent = client.with_family(ApiFamily::Intent);
    let again = intent.flow_analysis(&result.request.id).await?;
    assert_eq!(printed(&again), printed(&result));
    let raw = client.get_json("/network-device/count", &[]).await?;
    assert_eq!(
        raw["response"].as_u64(),
        Some(client.network_device_count().await?)
    );
    Ok(())
}

#[tokio::test]
async fn inventory_in_both_families() -> anyhow::Result<()> {
    let s = server().await?;
    for family in [ApiFamily::ApicEm, ApiFamily::Intent] {
        let client = logged_in(&s, family).await?;
        let count = client.network_device_count().await?;
        let all = client.network_devices(&DeviceQuery::default()).await?;
        assert_eq!(all.len() as u64, count, "{family:?}");
        let access = client
            .network_devices(&DeviceQuery {
                hostname: vec!["CAMPUS-Access1".into()],
                ..Default::default()
            })
            .await?;
        assert_eq!(access.len(), 1);
        let d = &access[0];
        assert_eq!(d.hostname.as_deref(), Some("CAMPUS-Access1"));
        let ip = d.management_ip_address.clone().unwrap();
        let by_ip = client
            .network_devices(&DeviceQuery {
                management_ip_address: vec![ip.clone()],
                ..Default::default()
            })
            .await?;
        assert_eq!(by_ip[0].id, d.id);
        assert_eq!(client.network_device_by_ip(&ip).await?.id, d.id);
        assert_eq!(client.network_device(&d.id).await?.hostname, d.hostname);
        assert!(d.last_update_time.is_some() && d.managed_atleast_once == Some(true));
        let page = client
            .network_devices(&DeviceQuery {
                offset: Some(2),
                limit: Some(3),
                ..Default::default()
            })
            .await?;
        assert_eq!(page.len(), 3);
        assert_eq!(page[0].id, all[1].id);

        let interfaces = client.interfaces_by_device(&d.id).await?;
        assert!(!interfaces.is_empty());
        assert!(
            interfaces
                .iter()
                .all(|i| i.device_id.as_deref() == Some(d.id.as_str()))
        );
        let one = client.interface(&interfaces[0].id).await?;
        assert_eq!(one.port_name, interfaces[0].port_name);

        let hosts = client
            .hosts(&HostQuery {
                host_ip: vec!["10.1.15.117".into()],
                ..Default::default()
            })
            .await?;
        assert_eq!(hosts.len(), 1);
        assert_eq!(hosts[0].host_type.as_deref(), Some("wireless"));
        assert!(client.hosts(&HostQuery::default()).await?.len() > 1);

        let topology = client.physical_topology().await?;
        assert_eq!(
            topology
                .nodes
                .iter()
                .filter(|n| n.node_type.as_deref() == Some("device"))
                .count() as u64,
            count
        );
        assert!(!topology.links.is_empty());
        assert!(
            topology
                .links
                .iter()
                .all(|l| topology.nodes.iter().any(|n| n.id == l.source))
        );

        let missing = client.network_device("no-such-device").await.unwrap_err();
        assert!(missing.is_not_found(), "{missing}");
    }
    Ok(())
}
