//! The examples reproduce the notebooks: each example's `notebook` function
//! runs against a real pathtrace server (in-process, the demo network) and
//! prints what the seeds printed.

#[allow(dead_code)]
#[path = "../examples/apic_em_notebook.rs"]
mod apic_em_notebook;
mod common;
#[allow(dead_code)]
#[path = "../examples/dnac_notebook.rs"]
mod dnac_notebook;

#[tokio::test]
async fn the_apic_em_notebook_prints_the_seed_path() -> anyhow::Result<()> {
    let s = common::server().await?;
    let url = s.base.clone();
    let lines = apic_em_notebook::notebook(&url, "devnetuser", "Cisco123!", false).await?;
    assert_eq!(
        lines,
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
    Ok(())
}

#[tokio::test]
async fn the_dnac_notebook_its_challenge_and_bonus() -> anyhow::Result<()> {
    let s = common::server().await?;
    let url = s.base.clone();
    let (lines, devices) = dnac_notebook::notebook(&url, "devnetuser", "Cisco123!", false).await?;
    assert_eq!(
        lines,
        [
            "None: 10.10.22.114",
            "cat_9k_2.abc.inc: 10.10.22.70",
            "cs3850.abc.inc: 10.10.22.69",
            "cat_9k_1.abc.inc: 10.10.22.66",
            "None: 10.10.22.98",
        ]
    );
    // name, CPU 5 min, memory used, total, version — figures present, versions as in the inventory.
    assert_eq!(devices.len(), 3, "{devices:?}");
    for (line, (name, version)) in devices.iter().zip([
        ("cat_9k_2.abc.inc", "16.6.1"),
        ("cs3850.abc.inc", "16.6.2s"),
        ("cat_9k_1.abc.inc", "16.6.1"),
    ]) {
        let f: Vec<&str> = line.split(' ').collect();
        assert_eq!(f[0], name, "{line}");
        assert!(f[1].parse::<f64>().is_ok(), "CPU: {line}");
        assert!(
            f[2].parse::<i64>().is_ok() && f[3].parse::<i64>().is_ok(),
            "memory: {line}"
        );
        assert_eq!(f[4], version, "{line}");
    }
    Ok(())
}
