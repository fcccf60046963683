//! The APIC-EM notebook (../shared/seeds/apic-em-async-pathtrace) with the
//! Rust SDK: log in with a service ticket, start a path trace, wait for its
//! task, fetch the result and print each hop as `name: ip`.
//!
//! ```sh
//! pathtrace serve &                                  # or a real APIC-EM
//! export PATHTRACE_URL=http://127.0.0.1:8080 PATHTRACE_USER=devnetuser
//! read -rs PATHTRACE_PASSWORD; export PATHTRACE_PASSWORD
//! cargo run -p pathtrace-client --example apic_em_notebook
//! ```
//!
//! Add `PATHTRACE_INSECURE=1` for a controller with a self-signed certificate.

use std::time::Duration;

use pathtrace_client::{ApiFamily, Client, FlowAnalysisRequest, LoginStyle};

/// The notebook, from login to the printed path: its lines.
pub async fn notebook(
    url: &str,
    user: &str,
    password: &str,
    insecure: bool,
) -> anyhow::Result<Vec<String>> {
    let apic = Client::builder(url)
        .family(ApiFamily::ApicEm)
        .danger_accept_invalid_certs(insecure)
        .build()?;
    apic.login(LoginStyle::Ticket, user, password).await?;
    // flowTask = apic.flowanalysis.initiateFlowAnalysis(flowAnalysisRequest=…)
    let flow_task = apic
        .initiate_flow_analysis(&FlowAnalysisRequest::new("10.1.15.117", "10.2.1.22"))
        .await?;
    // taskStatus = apic.task_util.wait_for_task_complete(flowTask, timeout=15)
    let task = apic
        .wait(&flow_task.task_id, Duration::from_secs(15))
        .await?;
    // pathTrace = apic.flowanalysis.getFullFlowAnalysisResult(flowAnalysisId=taskStatus.progress)
    let id = task.progress.unwrap_or(flow_task.flow_analysis_id);
    let path_trace = apic.flow_analysis(&id).await?;
    Ok(path_trace
        .network_elements_info
        .iter()
        .map(|n| {
            format!(
                "{}: {}",
                n.name.as_deref().unwrap_or("None"),
                n.ip.as_deref().unwrap_or("None")
            )
        })
        .collect())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let env = |k: &str| std::env::var(k).map_err(|_| anyhow::anyhow!("set {k}"));
    let lines = notebook(
        &env("PATHTRACE_URL")?,
        &env("PATHTRACE_USER")?,
        &env("PATHTRACE_PASSWORD")?,
        std::env::var("PATHTRACE_INSECURE").is_ok_and(|v| v == "1"),
    )
    .await?;
    for line in lines {
        println!("{line}");
    }
    Ok(())
}
