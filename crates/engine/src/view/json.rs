//! The engine's own view of a trace, with names resolved: what
//! `pathtrace trace --format json` prints.
//!
//! `{"flow": {…}, "traceCount": N, "truncated": false, "branches":
//! [{"disposition": "…", "hops": [{"device": "…", "ingress": "…",
//! "egress": "…", "vrf": "…", "route": {…}, "acl": {…}, …}]}]}`

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::acl::AclHit;
use crate::dataplane::DataPlane;
use crate::trace::{Hop, HopAction, Node, Trace, Tunnel};

/// An ACL verdict with names.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AclView {
    /// ACL name.
    pub name: String,
    /// `permit` or `deny`.
    pub action: &'static str,
    /// Index of the deciding entry (absent: the implicit deny).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<u32>,
    /// The deciding entry as written (or `implicit deny ip any any`).
    pub line: String,
    /// Whether ports the flow did not give could change the verdict.
    pub partial: bool,
    /// The accuracy note when partial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Resolve an ACL hit to names and text.
pub fn acl_view(dp: &DataPlane, hit: &AclHit) -> AclView {
    let acl = &dp.acls[hit.acl as usize];
    let line = hit
        .entry
        .and_then(|e| acl.entries.get(e as usize))
        .map_or_else(
            || "implicit deny ip any any".to_string(),
            |(t, _)| t.clone(),
        );
    let note = hit
        .partial_entry
        .and_then(|e| acl.entries.get(e as usize))
        .map(|(t, _)| {
            format!("entry \"{t}\" matches some ports: enter ports for an exact ACL result")
        });
    AclView {
        name: acl.name.clone(),
        action: if hit.permit { "permit" } else { "deny" },
        entry: hit.entry,
        line,
        partial: hit.partial,
        note,
    }
}

/// A hop's node as a display name.
pub fn node_name(dp: &DataPlane, node: Node) -> String {
    match node {
        Node::Device(d) => dp.devices[d as usize].name.clone(),
        Node::Host(h) => dp.hosts[h as usize].ip.addr().to_string(),
        Node::Address(ip) => ip.to_string(),
        Node::Cloud(c) => format!("UNKNOWN ({})", dp.clouds[c as usize].name),
    }
}

/// The name of an interface by index.
pub fn iface_name(dp: &DataPlane, i: Option<u32>) -> Option<String> {
    i.map(|i| dp.interfaces[i as usize].name.clone())
}

fn action_str(a: HopAction) -> &'static str {
    match a {
        HopAction::Originated => "originated",
        HopAction::Switched => "switched",
        HopAction::Routed => "routed",
        HopAction::Encapsulated => "encapsulated",
        HopAction::Received => "received",
        HopAction::Stopped => "stopped",
        HopAction::Cloud => "cloud",
    }
}

/// One hop as JSON.
pub fn hop(dp: &DataPlane, h: &Hop) -> Value {
    let mut m = Map::new();
    match h.node {
        Node::Device(d) => {
            m.insert("device".into(), json!(dp.devices[d as usize].name));
        }
        Node::Host(x) => {
            m.insert(
                "host".into(),
                json!(dp.hosts[x as usize].ip.addr().to_string()),
            );
        }
        Node::Address(ip) => {
            m.insert("host".into(), json!(ip.to_string()));
        }
        Node::Cloud(c) => {
            m.insert("cloud".into(), json!(dp.clouds[c as usize].name));
        }
    }
    m.insert("action".into(), json!(action_str(h.action)));
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    };
    put("ingress", iface_name(dp, h.ingress));
    put("ingressVirtual", iface_name(dp, h.ingress_virtual));
    put("egress", iface_name(dp, h.egress));
    put("egressVirtual", iface_name(dp, h.egress_virtual));
    put("vrf", h.vrf.map(|v| dp.vrfs[v as usize].clone()));
    if let Some(v) = h.vlan {
        m.insert("vlan".into(), json!(v));
    }
    if let Some(r) = h.route {
        let a = dp.route_attrs[r.attrs as usize];
        m.insert(
            "route".into(),
            json!({
                "protocol": a.protocol.as_str(),
                "prefix": r.prefix.to_string(),
                "nextHop": r.next_hop.map(|n| n.to_string()),
                "distance": a.distance,
                "metric": a.metric,
                "ecmpPaths": r.paths,
            }),
        );
    }
    if h.acl_in.is_some() || h.acl_out.is_some() {
        let mut acl = Map::new();
        if let Some(hit) = &h.acl_in {
            acl.insert("in".into(), json!(acl_view(dp, hit)));
        }
        if let Some(hit) = &h.acl_out {
            acl.insert("out".into(), json!(acl_view(dp, hit)));
        }
        m.insert("acl".into(), Value::Object(acl));
    }
    if let Some(t) = h.tunnel {
        m.insert(
            "tunnel".into(),
            json!(match t {
                Tunnel::Capwap => "CAPWAP",
                Tunnel::Vxlan => "VXLAN",
            }),
        );
    }
    Value::Object(m)
}

/// The whole trace as JSON.
pub fn trace(dp: &DataPlane, t: &Trace) -> Value {
    let branches: Vec<Value> = t
        .branches
        .iter()
        .map(|b| {
            let mut m = Map::new();
            m.insert("disposition".into(), json!(b.disposition.as_str()));
            if let Some(p) = b.protocol {
                m.insert("protocol".into(), json!(p.as_str()));
            }
            if !b.disposition.is_success() {
                m.insert(
                    "reason".into(),
                    json!(super::dnac::failure_reason(dp, &t.flow, b)),
                );
            }
            m.insert(
                "hops".into(),
                Value::Array(b.hops.iter().map(|h| hop(dp, h)).collect()),
            );
            Value::Object(m)
        })
        .collect();
    json!({
        "flow": t.flow,
        "traceCount": t.trace_count,
        "truncated": t.truncated,
        "branches": branches,
    })
}
