//! Loading model files: valid models load; every class of error is reported
//! with its file, line, field and a precise message; no input panics.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use pathtrace_model::{Diagnostic, HostKind, load_file, load_str};
use proptest::prelude::*;

const EXAMPLE: &str = include_str!("fixtures/example.yaml");
const MODEL_DOC: &str = include_str!("../../../docs/model.md");

/// The 1-based line carrying the end-of-line marker `#<marker>`.
fn marker_line(text: &str, marker: &str) -> usize {
    let tag = format!("#{marker}");
    text.lines()
        .position(|l| l.trim_end().ends_with(&tag))
        .map_or_else(|| panic!("no marker {tag} in the test text"), |i| i + 1)
}

/// Load `text` and assert it fails with exactly these diagnostics, in this
/// order: (line marker, field, message).
#[track_caller]
fn check(text: &str, expected: &[(&str, &str, &str)]) {
    let err = load_str(text, "t.yaml").expect_err("the model should not load");
    let got: Vec<(Option<usize>, String, String)> = err
        .diagnostics
        .iter()
        .map(|d| (d.line, d.field.clone(), d.message.clone()))
        .collect();
    let want: Vec<(Option<usize>, String, String)> = expected
        .iter()
        .map(|(m, f, msg)| {
            (
                Some(marker_line(text, m)),
                (*f).to_string(),
                (*msg).to_string(),
            )
        })
        .collect();
    assert_eq!(got, want, "\nfull report:\n{err}");
}

#[track_caller]
fn load_ok(text: &str) -> pathtrace_model::Network {
    match load_str(text, "t.yaml") {
        Ok(net) => net,
        Err(e) => panic!("the model should load:\n{e}"),
    }
}

// ----- valid models ---------------------------------------------------------

#[test]
fn example_loads() {
    let net = load_ok(EXAMPLE);
    assert_eq!(net.name, "example");
    assert_eq!(net.devices.len(), 5);
    assert_eq!(net.links.len(), 4);
    assert_eq!(net.hosts.len(), 2);
    assert_eq!(net.hosts[1].kind, HostKind::Wireless);
    assert_eq!(net.clouds[0].attachments[0].interface, "Gi0/0/0");
    let router = &net.devices[0];
    assert_eq!(router.role, "BORDER ROUTER");
    assert_eq!(router.static_routes.len(), 3);
    assert_eq!(router.acls[0].entries.len(), 7);
    assert_eq!(net.devices[2].role, "ACCESS");
    assert_eq!(net.devices[3].role, "UNKNOWN", "role defaults to UNKNOWN");
    assert_eq!(net.telemetry.devices[0].device, "Campus-Access");
    assert_eq!(net.telemetry.interfaces[0].output_drops, Some(0));
}

/// The `## Telemetry` section's example loads as the complete example's
/// telemetry.
#[test]
fn docs_telemetry_example_loads() {
    let section = MODEL_DOC
        .split("\n## Telemetry\n")
        .nth(1)
        .expect("docs/model.md has a Telemetry section");
    let block = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the Telemetry section has a YAML example");
    assert!(block.starts_with("telemetry:\n"));
    let base = EXAMPLE.split("\ntelemetry:\n").next().expect("the example");
    let net = load_ok(&format!("{base}\n{block}"));
    let t = &net.telemetry;
    assert_eq!(
        (
            t.devices.len(),
            t.interfaces.len(),
            t.qos.len(),
            t.flows.len()
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(t.qos[0].classes[1].queue_total_drops, Some(17));
    assert_eq!(t.flows[0].dst_port, Some(443));
}

#[test]
fn docs_contain_the_example_verbatim() {
    assert!(
        MODEL_DOC.contains(EXAMPLE),
        "docs/model.md must contain crates/model/tests/fixtures/example.yaml verbatim"
    );
}

#[test]
fn demo_network_loads() {
    match pathtrace_model::demo::demo() {
        Ok(net) => assert!(!net.devices.is_empty()),
        Err(e) => panic!("networks/demo.yaml does not load:\n{e}"),
    }
}

#[test]
fn example_file_loads_from_disk() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/example.yaml");
    assert_eq!(load_file(&path).map(|n| n.name), Ok("example".to_string()));
}

#[test]
fn small_model_loads() {
    let net = load_ok(
        "name: tiny
devices:
  - hostname: R1
    management_ip: 10.0.0.1
    family: Routers
    interfaces:
      - name: Gi0/0
        ip: 10.0.0.1/31
      - name: Loopback0
        ip: 10.255.255.1/32
  - hostname: R2
    management_ip: 10.0.0.0
    family: Routers
    interfaces:
      - name: Gi0/0
        ip: 10.0.0.0/31
links:
  - a: R1:GigabitEthernet0/0
    b: {device: R2, interface: gi0/0}
",
    );
    assert_eq!(net.devices.len(), 2);
    assert_eq!(net.links[0].b.interface, "gi0/0");
    // Explicit document markers and comments are fine.
    assert_eq!(
        load_ok("# a comment\n---\nname: t # trailing\n...\n").name,
        "t"
    );
}

// ----- syntax and type errors -----------------------------------------------

#[test]
fn syntax_error_reports_file_and_line() {
    let err = load_str("name: x\ndevices:\n  - hostname: [R1\n", "bad.yaml").unwrap_err();
    assert_eq!(err.diagnostics.len(), 1);
    let d = &err.diagnostics[0];
    assert_eq!(d.file, "bad.yaml");
    assert!(d.line.is_some_and(|l| (3..=4).contains(&l)), "{d}");
    assert!(err.to_string().starts_with("bad.yaml:"), "{err}");
}

#[test]
fn type_error_names_field_and_line() {
    let text = "name: x
devices:
  - hostname: R1
    management_ip: 10.0.0.1
    family: Routers
    interfaces:
      - name: Gi0/0
      - name: Gi0/1
        ip: 10.0.0.300/24
";
    let err = load_str(text, "demo.yaml").unwrap_err();
    assert_eq!(
        err.to_string(),
        "demo.yaml:9: devices[0].interfaces[1].ip: invalid IP address syntax; \
         expected ADDRESS/LENGTH such as 10.1.1.5/24"
    );
}

#[test]
fn host_ip_without_mask_is_explained() {
    check(
        "name: x\nhosts:\n  - ip: 10.1.1.5 #1\n",
        &[(
            "1",
            "hosts[0].ip",
            "invalid IP address syntax; expected ADDRESS/LENGTH such as 10.1.1.5/24",
        )],
    );
}

#[test]
fn unknown_and_missing_fields() {
    let err = load_str(
        "name: x\ndevices:\n  - hostname: R1\n    family: f\n    colour: red\n",
        "t.yaml",
    )
    .unwrap_err();
    assert_eq!(err.diagnostics.len(), 1);
    let d = &err.diagnostics[0];
    assert_eq!((d.line, d.field.as_str()), (Some(5), "devices[0].colour"));
    assert!(d.message.starts_with("unknown field `colour`"), "{d}");

    check(
        "name: x\ndevices:\n  - hostname: R1 #1\n    family: f\n",
        &[("1", "devices[0]", "missing field `management_ip`")],
    );
}

#[test]
fn bad_endpoint_form() {
    check(
        "name: x\nlinks:\n  - a: R1 #1\n    b: R2:Gi0/0\n",
        &[(
            "1",
            "links[0].a",
            "expected DEVICE:INTERFACE or {device, interface}, got \"R1\"",
        )],
    );
}

#[test]
fn hostile_inputs_fail_cleanly() {
    let bomb = "name: x
description: &a [x, x, x, x, x, x, x, x, x, x]
hosts: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
clouds: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
links: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
devices: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
";
    let mut bomb2 = String::from(
        "name: x\ndevices:\n  - &d0 {hostname: a, management_ip: 1.1.1.1, family: f}\n",
    );
    for i in 1..12 {
        writeln!(
            bomb2,
            "  - &d{i} [*d{p}, *d{p}, *d{p}, *d{p}, *d{p}, *d{p}]",
            p = i - 1
        )
        .unwrap();
    }
    let deep_flow = format!("name: x\ndescription: {}", "[".repeat(100_000));
    let deep_block = format!(
        "name: x\nclouds:\n{}",
        (1..3000)
            .map(|i| " ".repeat(2 * i) + "- \n")
            .collect::<String>()
    );
    let long = format!("name: {}\nfoo: 1\n", "x".repeat(1_000_000));
    let inputs: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("blank", "  \n\n".into()),
        ("comments", "# nothing\n---\n".into()),
        ("garbage", "\u{1}\u{2}\u{7f}\u{fffd}\u{0}".into()),
        ("scalar", "just a string".into()),
        ("list", "- 1\n- 2\n".into()),
        ("two documents", "name: x\n---\nname: y\n".into()),
        ("duplicate key", "name: x\nname: y\n".into()),
        ("bomb", bomb.into()),
        ("bomb2", bomb2),
        ("deep flow", deep_flow),
        ("deep block", deep_block),
        ("long", long),
        ("tabs", "name:\tx\n\tdevices: []\n".into()),
    ];
    for (what, text) in inputs {
        let start = Instant::now();
        let result = load_str(&text, "t.yaml");
        assert!(result.is_err(), "{what}: loaded {result:?}");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{what}: took {:?}",
            start.elapsed()
        );
        let err = result.unwrap_err();
        assert!(!err.diagnostics.is_empty(), "{what}");
        assert!(
            !err.to_string().contains('\n') || err.diagnostics.len() > 1,
            "{what}: {err}"
        );
    }
    let err = load_str("", "empty.yaml").unwrap_err();
    assert_eq!(
        err.to_string(),
        "empty.yaml:1: the file is empty; a model needs at least `name:`"
    );
    let err = load_str("name: x\n---\nname: y\n", "t.yaml").unwrap_err();
    assert!(err.to_string().contains("one YAML document"), "{err}");
}

#[test]
fn load_file_reports_io_and_encoding_errors() {
    let missing = std::path::Path::new("/nonexistent/pathtrace/model.yaml");
    let err = load_file(missing).unwrap_err();
    assert_eq!(err.diagnostics.len(), 1);
    let d: &Diagnostic = &err.diagnostics[0];
    assert_eq!(d.file, "/nonexistent/pathtrace/model.yaml");
    assert_eq!(d.line, None);
    assert!(d.field.is_empty());
    assert!(
        err.to_string()
            .starts_with("/nonexistent/pathtrace/model.yaml: cannot read file: "),
        "{err}"
    );

    let dir = std::env::temp_dir().join(format!("pathtrace-model-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("latin1.yaml");
    std::fs::write(&path, b"name: x\ndescription: caf\xe9\n").unwrap();
    let err = load_file(&path).unwrap_err();
    assert_eq!(err.diagnostics[0].line, Some(2));
    assert_eq!(err.diagnostics[0].message, "file is not valid UTF-8");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn diagnostic_display_forms() {
    let d = |line, field: &str| Diagnostic {
        file: "f.yaml".into(),
        line,
        field: field.into(),
        message: "m".into(),
    };
    assert_eq!(d(Some(3), "a.b").to_string(), "f.yaml:3: a.b: m");
    assert_eq!(d(None, "a.b").to_string(), "f.yaml: a.b: m");
    assert_eq!(d(Some(3), "").to_string(), "f.yaml:3: m");
    assert_eq!(d(None, "").to_string(), "f.yaml: m");
    let e = pathtrace_model::LoadError {
        diagnostics: vec![d(Some(1), "x"), d(Some(2), "")],
    };
    assert_eq!(e.to_string(), "f.yaml:1: x: m\nf.yaml:2: m");
}

// ----- devices --------------------------------------------------------------

#[test]
fn device_level_errors() {
    check(
        "name: '' #1
devices:
  - hostname: R1
    management_ip: 10.0.0.1
    family: '' #2
    role: core #3
  - hostname: R1 #4
    management_ip: 10.0.0.1 #5
    family: Routers
",
        &[
            ("1", "name", "network name is empty"),
            ("2", "devices[0].family", "family is empty"),
            (
                "3",
                "devices[0].role",
                "unknown role \"core\"; expected one of ACCESS, DISTRIBUTION, CORE, BORDER ROUTER, UNKNOWN",
            ),
            (
                "4",
                "devices[1].hostname",
                "duplicate hostname \"R1\" (also devices[0])",
            ),
            (
                "5",
                "devices[1].management_ip",
                "management IP 10.0.0.1 is also the management IP of R1",
            ),
        ],
    );
}

#[test]
fn duplicate_interface_after_canonicalisation() {
    check(
        "name: x
devices:
  - hostname: S1
    management_ip: 10.0.0.1
    family: Switches and Hubs
    interfaces:
      - name: GigabitEthernet1/0/1
      - name: gi1/0/1 #1
",
        &[(
            "1",
            "devices[0].interfaces[1].name",
            "duplicate interface GigabitEthernet1/0/1 on S1 (also interfaces[0])",
        )],
    );
}

#[test]
fn duplicate_addresses_respect_vrfs() {
    check(
        "name: x
devices:
  - hostname: R1
    management_ip: 10.0.0.1 #1
    family: Routers
    vrfs: [{name: RED}, {name: BLUE}]
    interfaces:
      - name: Loopback0
        ip: 10.0.0.1/32
      - name: Gi0/0
        vrf: RED
        ip: 10.9.0.1/24
      - name: Gi0/1
        vrf: BLUE
        ip: 10.9.0.1/24
  - hostname: R2
    management_ip: 10.0.0.2
    family: Routers
    vrfs: [{name: RED}]
    interfaces:
      - name: Gi0/0
        vrf: RED
        ip: 10.9.0.1/24 #2
      - name: Gi0/1
        ip: 10.0.0.1/30 #3
        secondary: [10.0.0.2/30]
  - hostname: R3
    management_ip: 10.9.0.1 #4
    family: Routers
hosts:
  - ip: 10.9.0.1/24 #5
    switch: R1
    port: Gi0/0
  - ip: 10.0.0.2/24 #6
    switch: R1
    port: Gi0/1
",
        &[
            (
                "1",
                "devices[0].management_ip",
                "management IP 10.0.0.1 is already used by R2 Gi0/1",
            ),
            (
                "2",
                "devices[1].interfaces[0].ip",
                "address 10.9.0.1 in VRF RED is already used by R1 Gi0/0",
            ),
            (
                "3",
                "devices[1].interfaces[1].ip",
                "address 10.0.0.1 is already used by R1 Loopback0",
            ),
            (
                "4",
                "devices[2].management_ip",
                "management IP 10.9.0.1 is already used by R1 Gi0/0",
            ),
            (
                "5",
                "hosts[0].ip",
                "address 10.9.0.1 is already used by R1 Gi0/0",
            ),
            (
                "6",
                "hosts[1].ip",
                "address 10.0.0.2 is already used by R2 Gi0/1",
            ),
        ],
    );
}

#[test]
fn network_and_broadcast_addresses() {
    check(
        "name: x
devices:
  - hostname: R1
    management_ip: 10.255.0.1
    family: Routers
    interfaces:
      - name: Gi0/0
        ip: 10.0.0.0/24 #1
      - name: Gi0/1
        ip: 10.0.1.255/24 #2
      - name: Gi0/2
        ip: 10.0.2.0/31
      - name: Gi0/3
        ip: 10.0.3.1/30
        secondary: [10.0.4.3/30] #3
hosts:
  - ip: 10.0.3.3/30 #4
    switch: R1
    port: Gi0/3
",
        &[
            (
                "1",
                "devices[0].interfaces[0].ip",
                "10.0.0.0/24 is the network address of its subnet",
            ),
            (
                "2",
                "devices[0].interfaces[1].ip",
                "10.0.1.255/24 is the broadcast address of its subnet",
            ),
            (
                "3",
                "devices[0].interfaces[3].secondary[0]",
                "10.0.4.3/30 is the broadcast address of its subnet",
            ),
            (
                "4",
                "hosts[0].ip",
                "10.0.3.3/30 is the broadcast address of its subnet",
            ),
        ],
    );
}

// ----- links ----------------------------------------------------------------

const TWO_SWITCHES: &str = "name: x
devices:
  - hostname: S1
    management_ip: 10.0.0.1
    family: Switches and Hubs
    vlans: [{id: 10}]
    interfaces:
      - name: GigabitEthernet1/0/1
      - name: GigabitEthernet1/0/2
      - name: Vlan10
        ip: 10.0.10.1/24
  - hostname: S2
    management_ip: 10.0.0.2
    family: Switches and Hubs
    interfaces:
      - name: GigabitEthernet1/0/1
      - name: GigabitEthernet1/0/2
";

#[test]
fn link_errors() {
    let text = format!(
        "{TWO_SWITCHES}links:
  - a: S1:Gi1/0/1
    b: S2:Gi1/0/1
  - a: S9:Gi1/0/1 #1
    b: S2:Gi1/0/9 #2
  - a: S1:Gi1/0/2 #3
    b: S1:GigabitEthernet1/0/2
  - a: S1:Vlan10 #4
    b: #5
      device: S2
      interface: gi1/0/1
"
    );
    check(
        &text,
        &[
            ("1", "links[1].a", "no device \"S9\""),
            ("2", "links[1].b", "no interface Gi1/0/9 on S2"),
            (
                "3",
                "links[2]",
                "link connects GigabitEthernet1/0/2 on S1 to itself",
            ),
            (
                "4",
                "links[3].a",
                "Vlan10 on S1 is an SVI, not a physical interface",
            ),
            (
                "5",
                "links[3].b",
                "GigabitEthernet1/0/1 on S2 is already an end of links[0]",
            ),
        ],
    );
}

// ----- VLANs, subinterfaces, VRFs --------------------------------------------

#[test]
fn vlan_errors() {
    check(
        "name: x
devices:
  - hostname: CAMPUS-Dist1
    management_ip: 10.0.0.1
    family: Switches and Hubs
    vlans:
      - id: 10
      - id: 5000 #1
      - id: 10 #2
    interfaces:
      - name: Gi1/0/1
        access_vlan: 15 #3
      - name: Gi1/0/2
        access_vlan: 1
      - name: Gi1/0/3
        mode: trunk
        allowed_vlans: 1,10,20-30,4000 #a
        native_vlan: 0 #4
      - name: Gi1/0/4
        allowed_vlans: 10,x #5
      - name: Gi1/0/5
        allowed_vlans: all
      - name: Vlan15 #6
        ip: 10.0.15.1/24
      - name: clients
        kind: svi
        vlan: 16 #7
      - name: vlanx #8
        kind: svi
      - name: Gi1/0/6
        allowed_vlans: 30-20 #9
",
        &[
            ("1", "devices[0].vlans[1].id", "VLAN 5000 is outside 1-4094"),
            (
                "2",
                "devices[0].vlans[2].id",
                "duplicate VLAN 10 on CAMPUS-Dist1",
            ),
            (
                "3",
                "devices[0].interfaces[0].access_vlan",
                "VLAN 15 is not defined on CAMPUS-Dist1",
            ),
            (
                "a",
                "devices[0].interfaces[2].allowed_vlans",
                "VLAN 4000 is not defined on CAMPUS-Dist1",
            ),
            (
                "4",
                "devices[0].interfaces[2].native_vlan",
                "VLAN 0 is outside 1-4094",
            ),
            (
                "5",
                "devices[0].interfaces[3].allowed_vlans",
                "invalid allowed_vlans entry \"x\"; expected \"all\", \"none\" or a list such as \"1,10-20\"",
            ),
            (
                "6",
                "devices[0].interfaces[5].name",
                "VLAN 15 is not defined on CAMPUS-Dist1",
            ),
            (
                "7",
                "devices[0].interfaces[6].vlan",
                "VLAN 16 is not defined on CAMPUS-Dist1",
            ),
            (
                "8",
                "devices[0].interfaces[7].vlan",
                "SVI vlanx on CAMPUS-Dist1 has no VLAN: name it Vlan<N> or set vlan",
            ),
            (
                "9",
                "devices[0].interfaces[8].allowed_vlans",
                "VLAN range 30-20 is empty (start above end)",
            ),
        ],
    );
}

#[test]
fn subinterface_and_vrf_errors() {
    check(
        "name: x
devices:
  - hostname: R1
    management_ip: 10.0.0.1
    family: Routers
    vrfs:
      - name: RED
    interfaces:
      - name: Gi0/0
      - name: Gi0/0.10 #1
        ip: 10.0.10.1/24
      - name: Gi0/9.20 #2
        encapsulation: 20
        vrf: RED
      - name: Gi0/1
        vrf: BLUE #3
      - name: Gi0/2
        vrf: default
      - name: Gi0/3
        vrf: global
",
        &[
            (
                "1",
                "devices[0].interfaces[1].encapsulation",
                "subinterface Gi0/0.10 on R1 has no encapsulation",
            ),
            (
                "2",
                "devices[0].interfaces[2].name",
                "parent interface Gi0/9 of Gi0/9.20 is not on R1",
            ),
            (
                "3",
                "devices[0].interfaces[3].vrf",
                "VRF \"BLUE\" is not defined on R1",
            ),
        ],
    );
}

// ----- routing --------------------------------------------------------------

#[test]
fn static_and_observed_route_errors() {
    check(
        "name: x
devices:
  - hostname: R1
    management_ip: 10.0.0.1
    family: Routers
    interfaces:
      - name: Gi0/0
        ip: 10.0.0.1/30
    static_routes:
      - prefix: 10.1.1.1/24 #1
        next_hop: 10.0.0.2
      - prefix: 10.2.0.0/16 #2
      - prefix: 10.3.0.0/16
        interface: Gi0/7 #3
      - prefix: 10.4.0.0/16
        interface: Null0
      - prefix: 10.5.0.0/16
        interface: gi0/0
        vrf: RED #4
    routes:
      - prefix: 10.6.0.1/16 #5
        protocol: static
        vrf: BLUE #6
        next_hops:
          - ip: 10.0.0.2
            interface: Gi0/8 #7
",
        &[
            (
                "1",
                "devices[0].static_routes[0].prefix",
                "prefix 10.1.1.1/24 has host bits set; did you mean 10.1.1.0/24?",
            ),
            (
                "2",
                "devices[0].static_routes[1]",
                "static route to 10.2.0.0/16 has neither next_hop nor interface",
            ),
            (
                "3",
                "devices[0].static_routes[2].interface",
                "no interface Gi0/7 on R1",
            ),
            (
                "4",
                "devices[0].static_routes[4].vrf",
                "VRF \"RED\" is not defined on R1",
            ),
            (
                "5",
                "devices[0].routes[0].prefix",
                "prefix 10.6.0.1/16 has host bits set; did you mean 10.6.0.0/16?",
            ),
            (
                "6",
                "devices[0].routes[0].vrf",
                "VRF \"BLUE\" is not defined on R1",
            ),
            (
                "7",
                "devices[0].routes[0].next_hops[0].interface",
                "no interface Gi0/8 on R1",
            ),
        ],
    );
}

#[test]
fn ospf_errors() {
    check(
        "name: x
devices:
  - hostname: R1
    management_ip: 10.0.0.1
    family: Routers
    interfaces:
      - name: Loopback0
        ospf: {area: 0} #1
      - name: Gi0/0
        ip: 10.0.0.1/30
        ospf:
          area: 0
          cost: 0 #2
    ospf:
      areas:
        - id: 1
          ranges: [10.1.0.0/16, 10.2.1.0/16] #3
",
        &[
            (
                "1",
                "devices[0].interfaces[0].ospf",
                "OSPF is enabled on Loopback0 of R1 but it has no IP address",
            ),
            (
                "2",
                "devices[0].interfaces[1].ospf.cost",
                "OSPF cost must be at least 1",
            ),
            (
                "3",
                "devices[0].ospf.areas[0].ranges[1]",
                "range 10.2.1.0/16 has host bits set; did you mean 10.2.0.0/16?",
            ),
        ],
    );
}

// ----- ACLs -----------------------------------------------------------------

#[test]
fn acl_errors() {
    check(
        "name: x
devices:
  - hostname: R1
    management_ip: 10.0.0.1
    family: Routers
    interfaces:
      - name: Gi0/0
        acl_in: WEB
        acl_out: NOPE #1
    acls:
      - name: WEB
        entries:
          - 10 remark web only
          - 20 permit tcp any any eq www
          - 30 permit udp any any eq domain
          - 40 permit tcpp any any #2
          - 50 permit udp any any established #3
      - name: WEB #4
        entries: []
      - name: '10'
        entries:
          - permit 10.1.1.0 0.0.0.255
          - permit ip any any #5
",
        &[
            (
                "1",
                "devices[0].interfaces[0].acl_out",
                "no ACL \"NOPE\" on R1",
            ),
            (
                "2",
                "devices[0].acls[0].entries[3]",
                "unknown protocol \"tcpp\"",
            ),
            (
                "3",
                "devices[0].acls[0].entries[4]",
                "\"established\" only applies to tcp",
            ),
            (
                "4",
                "devices[0].acls[1].name",
                "duplicate ACL \"WEB\" on R1",
            ),
            (
                "5",
                "devices[0].acls[2].entries[1]",
                "expected a source address (any, host A or A [WILDCARD]), got \"ip\"",
            ),
        ],
    );
}

// ----- hosts and wireless ---------------------------------------------------

const CAMPUS: &str = "name: x
devices:
  - hostname: CAMPUS-Access1
    management_ip: 10.0.0.1
    family: Switches and Hubs
    vlans: [{id: 10}, {id: 20}]
    interfaces:
      - name: GigabitEthernet1/0/1
        access_vlan: 10
      - name: GigabitEthernet1/0/2
        access_vlan: 20
      - name: GigabitEthernet1/0/3
      - name: Vlan10
        ip: 10.1.10.2/24
  - hostname: Campus-WLC-5508
    management_ip: 10.0.0.5
    family: Wireless Controller
    vlans: [{id: 15}]
    interfaces:
      - name: Gi0/0/1
      - name: clients
        kind: svi
        vlan: 15
        ip: 10.1.15.5/24
  - hostname: AP1
    management_ip: 10.0.0.10
    family: Unified AP
  - hostname: AP2
    management_ip: 10.0.0.11
    family: Unified AP
links:
  - a: CAMPUS-Access1:Gi1/0/3
    b: Campus-WLC-5508:Gi0/0/1
";

#[test]
fn wired_host_errors() {
    let text = format!(
        "{CAMPUS}hosts:
  - ip: 10.1.10.100/24
    switch: CAMPUS-Access1
    port: Gi1/0/1
    vlan: 10
    gateway: 10.1.10.1
  - ip: 10.1.10.101/24 #1
    port: Gi1/0/1
  - ip: 10.1.10.102/24
    switch: CAMPUS-Nope #2
    port: Gi1/0/1
  - ip: 10.1.10.103/24
    switch: CAMPUS-Access1
    port: Gi1/0/9 #3
  - ip: 10.1.10.104/24
    switch: CAMPUS-Access1
    port: Gi1/0/3 #4
  - ip: 10.1.10.105/24
    switch: CAMPUS-Access1
    port: Gi1/0/2
    vlan: 10 #5
  - ip: 10.1.10.106/24
    switch: CAMPUS-Access1
    port: Gi1/0/1
    gateway: 10.1.11.1 #6
  - ip: 10.1.10.107/24
    switch: CAMPUS-Access1
    port: Vlan10 #7
"
    );
    check(
        &text,
        &[
            (
                "1",
                "hosts[1].switch",
                "wired host 10.1.10.101 needs a switch",
            ),
            ("2", "hosts[2].switch", "no device \"CAMPUS-Nope\""),
            (
                "3",
                "hosts[3].port",
                "no interface Gi1/0/9 on CAMPUS-Access1",
            ),
            (
                "4",
                "hosts[4].port",
                "GigabitEthernet1/0/3 on CAMPUS-Access1 is also an end of links[0]",
            ),
            (
                "5",
                "hosts[5].vlan",
                "host VLAN 10 differs from access VLAN 20 of GigabitEthernet1/0/2 on CAMPUS-Access1",
            ),
            (
                "6",
                "hosts[6].gateway",
                "gateway 10.1.11.1 is outside the host's subnet 10.1.10.0/24",
            ),
            (
                "7",
                "hosts[7].port",
                "Vlan10 on CAMPUS-Access1 is an SVI, not a physical port",
            ),
        ],
    );
}

#[test]
fn wireless_errors() {
    let text = format!(
        "{CAMPUS}hosts:
  - ip: 10.1.15.100/24
    kind: wireless
    ap: AP1
    ssid: corp
  - ip: 10.1.15.101/24 #1
    kind: wireless
  - ip: 10.1.15.102/24
    kind: wireless
    ap: AP2 #2
    ssid: corp
  - ip: 10.1.15.103/24
    kind: wireless
    ap: AP1
    ssid: guest #3
wireless:
  controllers:
    - device: Campus-WLC-5508
      ssids:
        - name: corp
          vlan: 15
        - name: voice
          vlan: 16 #4
        - name: corp #5
          vlan: 15
    - device: Campus-WLC-9800 #6
  aps:
    - device: AP1
      controller: Campus-WLC-5508
    - device: AP3 #7
      controller: Campus-WLC-1 #8
"
    );
    check(
        &text,
        &[
            ("1", "hosts[1].ap", "wireless host 10.1.15.101 needs an ap"),
            (
                "1",
                "hosts[1].ssid",
                "wireless host 10.1.15.101 needs an ssid",
            ),
            (
                "2",
                "hosts[2].ap",
                "AP2 is not an access point in wireless.aps",
            ),
            (
                "3",
                "hosts[3].ssid",
                "SSID \"guest\" is not served by Campus-WLC-5508, the controller of AP1",
            ),
            (
                "4",
                "wireless.controllers[0].ssids[1].vlan",
                "no dynamic interface for VLAN 16 on Campus-WLC-5508",
            ),
            (
                "5",
                "wireless.controllers[0].ssids[2].name",
                "duplicate SSID \"corp\" on Campus-WLC-5508",
            ),
            (
                "6",
                "wireless.controllers[1].device",
                "no device \"Campus-WLC-9800\"",
            ),
            ("7", "wireless.aps[1].device", "no device \"AP3\""),
            (
                "8",
                "wireless.aps[1].controller",
                "Campus-WLC-1 is not a controller in wireless.controllers",
            ),
        ],
    );
}

// ----- clouds ---------------------------------------------------------------

#[test]
fn cloud_errors() {
    let text = format!(
        "{CAMPUS}clouds:
  - name: WAN
    attachments:
      - device: CAMPUS-Access1
        interface: Gi1/0/3 #1
        prefixes: [0.0.0.0/0, 10.9.9.9/8] #2
  - name: WAN #3
    attachments:
      - device: Nowhere #4
        interface: Gi0/0
      - device: AP1
        interface: Gi0 #5
"
    );
    check(
        &text,
        &[
            (
                "1",
                "clouds[0].attachments[0].interface",
                "GigabitEthernet1/0/3 on CAMPUS-Access1 is already an end of links[0]",
            ),
            (
                "2",
                "clouds[0].attachments[0].prefixes[1]",
                "prefix 10.9.9.9/8 has host bits set; did you mean 10.0.0.0/8?",
            ),
            ("3", "clouds[1].name", "duplicate cloud name \"WAN\""),
            (
                "4",
                "clouds[1].attachments[0].device",
                "no device \"Nowhere\"",
            ),
            (
                "5",
                "clouds[1].attachments[1].interface",
                "no interface Gi0 on AP1",
            ),
        ],
    );
}

// ----- telemetry ------------------------------------------------------------

#[test]
fn telemetry_loads() {
    let text = format!(
        "{CAMPUS}telemetry:
  devices:
    - device: CAMPUS-Access1
      collected_at: 1716066093635
      cpu: {{five_seconds: 29.0, one_minute: 27, five_minutes: 26.5}}
      memory: {{used: 259753752, total: 777950464}}
    - device: CAMPUS-Access1
      collected_at: 1716066153635
      memory: {{used: 259753000, total: 777950464}}
  interfaces:
    - device: CAMPUS-Access1
      interface: gi1/0/1
      collected_at: 1716066093000
      admin_status: up
      operational_status: down
      input_packets: 1200
      output_drops: 3
  qos:
    - device: CAMPUS-Access1
      interface: Gi1/0/3
      direction: output
      collected_at: 1716066093000
      classes:
        - {{class_map: VOICE, queue_bandwidth_bps: 10000000, num_packets: 10}}
        - {{class_map: class-default}}
  flows:
    - device: Campus-WLC-5508
      collected_at: 1716066093000
      src: 10.1.15.5
      dst: 10.1.10.2
      protocol: udp
      dst_port: 5060
      input_interface: clients
      packet_loss_percentage: 0.5
      dscp: 46
      ttl: 63
      rtp_jitter_min: 1
      rtp_jitter_mean: 2
      rtp_jitter_max: 9
"
    );
    let net = load_ok(&text);
    let t = &net.telemetry;
    assert_eq!(t.devices.len(), 2);
    assert_eq!(t.devices[0].cpu.map(|c| c.one_minute), Some(27.0));
    assert_eq!(t.devices[1].cpu, None);
    assert_eq!(
        t.interfaces[0].operational_status,
        Some(pathtrace_model::State::Down)
    );
    assert_eq!(t.interfaces[0].input_rate_bps, None, "absent stays absent");
    assert_eq!(
        t.qos[0].direction,
        pathtrace_model::telemetry::Direction::Output
    );
    assert_eq!(t.flows[0].protocol_number(), Some(17));
    assert!(load_ok(CAMPUS).telemetry.is_empty());
}

#[test]
fn telemetry_errors() {
    let text = format!(
        "{CAMPUS}telemetry:
  devices:
    - device: CAMPUS-Nope #1
      collected_at: 1716066093635
      cpu: {{five_seconds: 101, one_minute: 27, five_minutes: 27}} #2
    - device: AP1
      collected_at: 1716066093 #3
      memory: {{used: 10, total: 5}} #4
    - device: AP2 #5
      collected_at: 1716066093635
    - device: AP1
      collected_at: 1716066093 #6
      cpu: {{five_seconds: 1, one_minute: 1, five_minutes: .nan}} #7
  interfaces:
    - device: CAMPUS-Access1
      interface: Gi1/0/9 #8
      collected_at: 1716066093000
    - device: CAMPUS-Access1
      interface: Gi1/0/1
      collected_at: 1716066093000
    - device: CAMPUS-Access1
      interface: GigabitEthernet1/0/1
      collected_at: 1716066093000 #9
  qos:
    - device: CAMPUS-Access1
      interface: Gi1/0/3
      direction: input
      collected_at: 0 #10
      classes: [] #11
    - device: CAMPUS-Access1
      interface: Gi1/0/3
      direction: output
      collected_at: 1716066093000
      classes:
        - {{class_map: VOICE}}
        - {{class_map: VOICE}} #12
  flows:
    - device: Campus-WLC-5508
      collected_at: 1716066093000
      src: 10.1.15.5
      dst: 10.1.10.2
      protocol: gre #13
      input_interface: Gi0/0/9 #14
    - device: Campus-WLC-5508
      collected_at: 1716066093000
      src: 10.1.15.5
      dst: 10.1.10.2
      protocol: icmp
      dst_port: 7 #15
      packet_loss_percentage: 120 #16
      dscp: 64 #17
      rtp_jitter_min: 5
      rtp_jitter_mean: 2 #18
      rtp_jitter_max: 9
"
    );
    check(
        &text,
        &[
            (
                "1",
                "telemetry.devices[0].device",
                "no device \"CAMPUS-Nope\"",
            ),
            (
                "2",
                "telemetry.devices[0].cpu.five_seconds",
                "CPU 101 is not a percentage (0-100)",
            ),
            (
                "3",
                "telemetry.devices[1].collected_at",
                "collection time 1716066093 looks like seconds; give epoch milliseconds (1716066093000)",
            ),
            (
                "4",
                "telemetry.devices[1].memory.used",
                "memory in use (10) exceeds total memory (5)",
            ),
            (
                "5",
                "telemetry.devices[2]",
                "sample of AP2 has neither cpu nor memory",
            ),
            (
                "6",
                "telemetry.devices[3].collected_at",
                "collection time 1716066093 looks like seconds; give epoch milliseconds (1716066093000)",
            ),
            (
                "6",
                "telemetry.devices[3].collected_at",
                "a second sample of AP1 collected at 1716066093",
            ),
            (
                "7",
                "telemetry.devices[3].cpu.five_minutes",
                "CPU NaN is not a percentage (0-100)",
            ),
            (
                "8",
                "telemetry.interfaces[0].interface",
                "no interface Gi1/0/9 on CAMPUS-Access1",
            ),
            (
                "9",
                "telemetry.interfaces[2].collected_at",
                "a second sample of CAMPUS-Access1 GigabitEthernet1/0/1 collected at 1716066093000",
            ),
            (
                "10",
                "telemetry.qos[0].collected_at",
                "collection time 0 is not a time; give epoch milliseconds",
            ),
            (
                "11",
                "telemetry.qos[0].classes",
                "no class maps in the sample",
            ),
            (
                "12",
                "telemetry.qos[1].classes[1].class_map",
                "duplicate class map \"VOICE\" in the sample",
            ),
            (
                "13",
                "telemetry.flows[0].protocol",
                "unknown protocol \"gre\"; expected tcp, udp, icmp or a number 0-255",
            ),
            (
                "14",
                "telemetry.flows[0].input_interface",
                "no interface Gi0/0/9 on Campus-WLC-5508",
            ),
            (
                "15",
                "telemetry.flows[1].dst_port",
                "ports apply to tcp and udp only, not icmp",
            ),
            (
                "16",
                "telemetry.flows[1].packet_loss_percentage",
                "packet loss 120 is not a percentage (0-100)",
            ),
            ("17", "telemetry.flows[1].dscp", "DSCP 64 is outside 0-63"),
            (
                "18",
                "telemetry.flows[1].rtp_jitter_mean",
                "RTP jitter min 5, mean 2, max 9 are out of order",
            ),
        ],
    );
}

#[test]
fn telemetry_type_errors_name_the_field() {
    let text = format!(
        "{CAMPUS}telemetry:
  devices:
    - device: AP1
      collected_at: 1716066093635
      cpu: {{five_seconds: 1, one_minute: 1, five_minutes: 1, ten_minutes: 1}} #1
"
    );
    let err = load_str(&text, "t.yaml").expect_err("unknown key");
    let d = &err.diagnostics[0];
    assert_eq!(d.line, Some(marker_line(&text, "1")));
    assert_eq!(d.field, "telemetry.devices[0].cpu.ten_minutes");
    assert!(d.message.contains("unknown field `ten_minutes`"), "{d}");
    let text = format!(
        "{CAMPUS}telemetry:
  qos:
    - device: AP1
      interface: Gi0
      direction: sideways #1
      collected_at: 1716066093635
      classes: []
"
    );
    let err = load_str(&text, "t.yaml").expect_err("bad direction");
    let d = &err.diagnostics[0];
    assert_eq!(
        (d.line, d.field.as_str()),
        (Some(marker_line(&text, "1")), "telemetry.qos[0].direction")
    );
}

// ----- many errors at once --------------------------------------------------

#[test]
fn all_errors_are_reported_sorted_by_line() {
    let text = "name: x
links:
  - a: R1:Gi0/5 #2
    b: R2:Gi0/0
devices:
  - hostname: R1
    management_ip: 10.0.0.1
    family: Routers
    role: EDGE #1
    interfaces:
      - name: Gi0/0
        vrf: RED #3
";
    let err = load_str(text, "many.yaml").unwrap_err();
    let lines: Vec<_> = err.diagnostics.iter().map(|d| d.line).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "{err}");
    assert_eq!(err.diagnostics.len(), 4, "{err}");
    let report = err.to_string();
    assert!(
        report.contains("many.yaml:3: links[0].a: no interface Gi0/5 on R1"),
        "{report}"
    );
    assert!(
        report.contains("many.yaml:4: links[0].b: no device \"R2\""),
        "{report}"
    );
    assert!(
        report.contains("many.yaml:9: devices[0].role: unknown role \"EDGE\""),
        "{report}"
    );
    assert!(
        report.contains(
            "many.yaml:12: devices[0].interfaces[0].vrf: VRF \"RED\" is not defined on R1"
        ),
        "{report}"
    );
}

// ----- robustness -----------------------------------------------------------

/// One edit of a model text.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    ReplaceChar(usize, char),
    Truncate(usize),
    Insert(usize, String),
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            ": ",
            "- ",
            "[",
            "]",
            "{",
            "}",
            "*a",
            "&a ",
            "&a",
            "? ",
            "|",
            ">",
            "'",
            "\"",
            "#",
            "\t",
            "\n",
            "---\n",
            "~",
            "!!str ",
            "!!binary ",
            "null",
            "0",
            "-1",
            "4095",
            "65536",
            "99999999999999999999",
            "1e309",
            "0x1F",
            "10.0.0.0/8",
            "10.1.1.1",
            "Gi1/0/1",
            "Null0",
            "Vlan10",
            "all",
            "\u{0}",
            "é",
            "\u{feff}",
            "::",
        ])
        .prop_map(str::to_string),
        "[a-z0-9:/. -]{0,12}",
        (1usize..20_000).prop_map(|n| "x".repeat(n)),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), any::<char>()).prop_map(|(i, c)| Mutation::ReplaceChar(i, c)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), token()).prop_map(|(i, t)| Mutation::Insert(i, t)),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let n = lines.len().max(1);
    let chars = text.chars().count().max(1);
    match m {
        Mutation::DeleteLine(i) => {
            if !lines.is_empty() {
                lines.remove(i % n);
            }
            lines.concat()
        }
        Mutation::DuplicateLine(i) => {
            if let Some(l) = lines.get(i % n).copied() {
                lines.insert(i % n, l);
            }
            lines.concat()
        }
        Mutation::SwapLines(a, b) => {
            if !lines.is_empty() {
                lines.swap(a % n, b % n);
            }
            lines.concat()
        }
        Mutation::ReplaceChar(i, c) => text
            .chars()
            .enumerate()
            .map(|(k, x)| if k == i % chars { *c } else { x })
            .collect(),
        Mutation::Truncate(i) => text.chars().take(i % chars).collect(),
        Mutation::Insert(i, t) => {
            let at = text
                .char_indices()
                .nth(i % chars)
                .map_or(text.len(), |(b, _)| b);
            format!("{}{t}{}", &text[..at], &text[at..])
        }
    }
}

proptest! {
    // 500 cases take about a second; set PROPTEST_CASES for a longer run.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(500)
    ))]

    #[test]
    fn mutated_models_never_panic(mutations in prop::collection::vec(mutation(), 1..6)) {
        let mut text = EXAMPLE.to_string();
        for m in &mutations {
            text = apply(&text, m);
        }
        // Ok or Err, never a panic; an error always says something.
        if let Err(e) = load_str(&text, "mutated.yaml") {
            prop_assert!(!e.diagnostics.is_empty());
            prop_assert!(e.diagnostics.iter().all(|d| !d.message.is_empty()));
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = load_str(&text, "random.yaml");
    }
}

#[test]
fn observed_state_loads_and_is_checked() {
    let text = format!(
        "{CAMPUS}observed:
  source: SuzieQ namespace x
  devices:
    - hostname: CAMPUS-Access1
      interfaces:
        - {{name: Loopback0, type: loopback, state: up, addresses: [10.0.0.1/32, 10.0.0.1/32], mtu: 65535}}
      routes:
        - {{vrf: default, prefix: 10.0.0.2/32, protocol: ospf, next_hops: [10.1.1.2], oifs: [Gi1/0/1]}}
      arp:
        - {{ip: 10.1.1.2, mac: \"00:00:00:00:00:02\", interface: Gi1/0/1, state: reachable}}
      macs:
        - {{vlan: 10, mac: \"00:00:00:00:00:02\", interface: Gi1/0/1, remote_vtep: 10.0.0.9}}
      mlag: {{system_id: \"s1\", peer_link: Po1}}
    - hostname: CAMPUS-Nope #1
    - hostname: CAMPUS-Access1 #2
"
    );
    check(
        &text,
        &[
            (
                "1",
                "observed.devices[1].hostname",
                "no device \"CAMPUS-Nope\"",
            ),
            (
                "2",
                "observed.devices[2].hostname",
                "device \"CAMPUS-Access1\" has observed state twice",
            ),
        ],
    );
    let ok = text
        .lines()
        .take_while(|l| !l.contains("#1"))
        .collect::<Vec<_>>()
        .join("\n");
    let net = load_ok(&ok);
    let d = &net.observed.devices[0];
    assert_eq!(
        d.interfaces[0].addresses.len(),
        2,
        "the same address twice is kept"
    );
    assert_eq!(d.macs[0].remote_vtep, Some("10.0.0.9".parse().unwrap()));
    assert_eq!(d.mlag.as_ref().map(|m| m.peer_link.as_str()), Some("Po1"));
    let bad = format!(
        "{CAMPUS}observed:
  devices:
    - hostname: CAMPUS-Access1
      arp:
        - {{ip: 10.1.1.300, mac: x}}
"
    );
    let e = pathtrace_model::load_str(&bad, "bad.yaml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("bad.yaml:"), "{e}");
    assert!(e.contains("10.1.1.300") || e.contains("ip"), "{e}");
}
