//! Human-readable output of a trace: one table per branch, then the path
//! DNA Center would show, as the notebooks print it (`name: ip`).

use std::fmt::Write as _;

use pathtrace_engine::DataPlane;
use pathtrace_engine::trace::{Hop, HopAction, Trace};
use pathtrace_engine::view::{dnac, json};

fn how(dp: &DataPlane, h: &Hop) -> String {
    let mut s = match h.action {
        HopAction::Originated if h.route.is_none() => "source".to_string(),
        HopAction::Switched => format!(
            "switched{}",
            h.vlan.map_or(String::new(), |v| format!(" vlan {v}"))
        ),
        HopAction::Encapsulated => "CAPWAP encap".to_string(),
        HopAction::Received => "accepted".to_string(),
        HopAction::Cloud => "unmanaged".to_string(),
        HopAction::Stopped if h.route.is_none() => "stopped".to_string(),
        _ => String::new(),
    };
    if let Some(r) = h.route {
        let a = dp.route_attrs[r.attrs as usize];
        if !s.is_empty() {
            s.push(' ');
        }
        let _ = write!(s, "{} {}", a.protocol.as_str(), r.prefix);
        if let Some(nh) = r.next_hop {
            let _ = write!(s, " via {nh}");
        }
        if r.paths > 1 {
            let _ = write!(s, " (ECMP {})", r.paths);
        }
    }
    for (dir, hit) in [("in", &h.acl_in), ("out", &h.acl_out)] {
        if let Some(hit) = hit {
            let v = json::acl_view(dp, hit);
            let _ = write!(s, "; acl {} {dir}: {} \"{}\"", v.name, v.action, v.line);
            if v.partial {
                s.push_str(" (partial: enter ports for an exact ACL result)");
            }
        }
    }
    if let Some(t) = h.tunnel {
        s.push_str(match t {
            pathtrace_engine::trace::Tunnel::Capwap => " [CAPWAP]",
            pathtrace_engine::trace::Tunnel::Vxlan => " [VXLAN]",
        });
    }
    s
}

fn iface(dp: &DataPlane, phys: Option<u32>, virt: Option<u32>) -> String {
    match (json::iface_name(dp, phys), json::iface_name(dp, virt)) {
        (Some(p), Some(v)) => format!("{p} ({v})"),
        (Some(p), None) => p,
        (None, Some(v)) => v,
        (None, None) => "-".to_string(),
    }
}

/// The table output of `pathtrace trace`.
pub fn table(dp: &DataPlane, t: &Trace) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Flow {}: {} branch(es){}",
        t.flow,
        t.trace_count,
        if t.truncated {
            " (search truncated)"
        } else {
            ""
        }
    );
    for (bi, b) in t.branches.iter().enumerate() {
        let proto = b.protocol.map_or(String::new(), |p| format!(" [{p}]"));
        let _ = writeln!(
            out,
            "\nBranch {}/{}{proto}: {}",
            bi + 1,
            t.branches.len(),
            b.disposition.as_str()
        );
        if !b.disposition.is_success() {
            let _ = writeln!(out, "  {}", dnac::failure_reason(dp, &t.flow, b));
        }
        let rows: Vec<[String; 6]> = b
            .hops
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let ip = dnac::element(dp, h, i == 0, i + 1 == b.hops.len()).ip;
                [
                    (i + 1).to_string(),
                    json::node_name(dp, h.node),
                    ip,
                    format!(
                        "{} -> {}",
                        iface(dp, h.ingress, h.ingress_virtual),
                        iface(dp, h.egress, h.egress_virtual)
                    ),
                    how(dp, h),
                    h.vrf
                        .map_or("-".to_string(), |v| dp.vrfs[v as usize].clone()),
                ]
            })
            .collect();
        let header = ["#", "device", "ip", "in -> out", "how", "vrf"];
        let mut widths = header.map(str::len);
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r.iter()) {
                *w = (*w).max(c.len());
            }
        }
        let line = |cells: [&str; 6]| {
            let mut l = String::from(" ");
            for (i, c) in cells.iter().enumerate() {
                if i == 4 {
                    let _ = write!(l, " {c:<w$}", w = widths[i].min(70));
                } else {
                    let _ = write!(l, " {c:<w$}", w = widths[i]);
                }
            }
            l.trim_end().to_string()
        };
        let _ = writeln!(out, "{}", line(header));
        for r in &rows {
            let _ = writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]]));
        }
    }
    if let Some(sel) = dnac::select_branch(t) {
        let _ = writeln!(
            out,
            "\nDNA Center view (branch {} of {}):",
            sel + 1,
            t.branches.len()
        );
        for e in dnac::network_elements(dp, &t.branches[sel]) {
            let _ = writeln!(out, "{}: {}", e.name.as_deref().unwrap_or("None"), e.ip);
        }
    }
    out
}

/// For a trace on collected state: SuzieQ's `path summarize` figures and
/// the per-hop errors it reports (MTU, reverse path, loops), one line each.
pub fn state_summary(st: &pathtrace_engine::state::StateTrace) -> String {
    use std::fmt::Write as _;
    let s = st.summary();
    let mut out = String::new();
    let ecmp: Vec<String> = s.per_hop_ecmp.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        out,
        "\nCollected state (SuzieQ path summarize): {} path(s), per-hop ECMP [{}], longest {} hop(s), {} device(s), path MTU {}, overlay {}, MTU mismatch {}",
        s.total_paths,
        ecmp.join(", "),
        s.max_path_length,
        s.unique_devices,
        s.path_mtu
            .map_or_else(|| "-".to_string(), |m| m.to_string()),
        if s.uses_overlay { "yes" } else { "no" },
        if s.mtu_mismatch { "yes" } else { "no" },
    );
    let mut seen: Vec<(String, String)> = Vec::new();
    for h in st.paths.iter().flatten() {
        if !h.hop_error.is_empty()
            && !seen
                .iter()
                .any(|(d, e)| *d == h.hostname && *e == h.hop_error)
        {
            seen.push((h.hostname.clone(), h.hop_error.clone()));
        }
    }
    for (d, e) in seen {
        let _ = writeln!(out, "  {d}: {e}");
    }
    out
}
