//! The DNA Center notebook (../shared/seeds/dnac-async-pathtrace) with the
//! Rust SDK — the path trace, then its challenge (ask for DEVICE-STATS and
//! display them) and bonus (each device's software version through the
//! network-device API, keyed by the element's id).
//!
//! ```sh
//! pathtrace serve &                                  # or a real DNA Center
//! export PATHTRACE_URL=http://127.0.0.1:8080 PATHTRACE_USER=devnetuser
//! read -rs PATHTRACE_PASSWORD; export PATHTRACE_PASSWORD
//! cargo run -p pathtrace-client --example dnac_notebook
//! ```
//!
//! Add `PATHTRACE_INSECURE=1` for a controller with a self-signed certificate.

use std::time::Duration;

use pathtrace_client::{ApiFamily, Client, FlowAnalysisRequest, Inclusion, LoginStyle};

/// The notebook's path lines, then one line per device with its CPU (5 min),
/// memory used and total, and software version.
pub async fn notebook(
    url: &str,
    user: &str,
    password: &str,
    insecure: bool,
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let dnac = Client::builder(url)
        .family(ApiFamily::Intent)
        .danger_accept_invalid_certs(insecure)
        .build()?;
    dnac.login(LoginStyle::Token, user, password).await?;

    // The notebook: initiate, wait for the task, fetch, print name: ip.
    let request = FlowAnalysisRequest::new("10.10.22.114", "10.10.22.98");
    let flow_task = dnac.initiate_flow_analysis(&request).await?;
    let task = dnac
        .wait(&flow_task.task_id, Duration::from_secs(15))
        .await?;
    let id = task.progress.unwrap_or(flow_task.flow_analysis_id);
    let path = dnac.flow_analysis(&id).await?;
    let lines = path
        .network_elements_info
        .iter()
        .map(|n| {
            format!(
                "{}: {}",
                n.name.as_deref().unwrap_or("None"),
                n.ip.as_deref().unwrap_or("None")
            )
        })
        .collect();

    // Challenge: the same trace with "inclusions": ["DEVICE-STATS"].
    let with_stats = request.with_inclusion(Inclusion::DeviceStats);
    let flow_task = dnac.initiate_flow_analysis(&with_stats).await?;
    let task = dnac
        .wait(&flow_task.task_id, Duration::from_secs(15))
        .await?;
    let id = task.progress.unwrap_or(flow_task.flow_analysis_id);
    let path = dnac.flow_analysis(&id).await?;
    let mut devices = Vec::new();
    for device in path.network_elements_info.iter().filter(|e| !e.is_host()) {
        let stats = device.device_statistics.as_ref();
        let cpu = stats
            .and_then(|s| s.cpu_statistics.as_ref())
            .and_then(|c| c.five_min_usage_in_percentage);
        let mem = stats.and_then(|s| s.memory_statistics.as_ref());
        // Bonus: the software version, through the inventory.
        let version = match &device.id {
            Some(id) => dnac.network_device(id).await?.software_version,
            None => None,
        };
        devices.push(format!(
            "{} {} {} {} {}",
            device.name.as_deref().unwrap_or("None"),
            cpu.map_or_else(|| "-".into(), |c| c.to_string()),
            mem.and_then(|m| m.memory_usage)
                .map_or_else(|| "-".into(), |m| m.to_string()),
            mem.and_then(|m| m.total_memory)
                .map_or_else(|| "-".into(), |m| m.to_string()),
            version.as_deref().unwrap_or("-")
        ));
    }
    Ok((lines, devices))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let env = |k: &str| std::env::var(k).map_err(|_| anyhow::anyhow!("set {k}"));
    let (lines, devices) = notebook(
        &env("PATHTRACE_URL")?,
        &env("PATHTRACE_USER")?,
        &env("PATHTRACE_PASSWORD")?,
        std::env::var("PATHTRACE_INSECURE").is_ok_and(|v| v == "1"),
    )
    .await?;
    for line in lines.iter().chain(&devices) {
        println!("{line}");
    }
    Ok(())
}
