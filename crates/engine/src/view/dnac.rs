//! The DNA Center / APIC-EM view of a trace: `networkElementsInfo`, exactly
//! as the contract (reference/dnac-api-contract.md §4.3) and the seeds show it.
//!
//! * Hosts have `id`, `ip`, `type` (`wired`/`wireless`) and no `name`; the
//!   source host's `linkInformationSource` is `Wired` (wired) or `Switched`
//!   (wireless), as the two notebooks record.
//! * Devices carry their inventory id, name, management IP, family as
//!   `type`, role, `tunnels`, `linkInformationSource` (the protocol of the
//!   route used; `Switched` for bridged hops; `ECMP` where the FIB entry had
//!   several next hops) and ingress/egress `physicalInterface` +
//!   `virtualInterface` with ids, names and `vrfName`. Access points show no
//!   interfaces, as in APIC-EM's output.
//! * An unmanaged cloud is `{"id": <cloud id>, "name": "UNKNOWN", "ip": "UNKNOWN"}`.
//! * The last element never has `linkInformationSource`.
//!
//! DNA Center shows one path. With several branches, [`select_branch`] picks
//! one by the flow's 5-tuple hash ([`Flow::hash5`]) modulo the number of
//! branches in their deterministic order — stable and not tuned — and the
//! others are kept in the extension field `ecmpBranches`.
//!
//! **Inclusions.** [`network_elements_with`] adds what a request's
//! [`Inclusions`] ask for, and nothing else (the contract's table, §4.3):
//!
//! | inclusion | fields |
//! |---|---|
//! | `DEVICE-STATS` | per device element: `deviceStatistics{cpuStatistics, memoryStatistics}`, `deviceStatsCollection` (+ `…FailureReason`) |
//! | `PERFORMANCE-STATS` | per device element: `perfMonitorStatistics[]`, `perfMonCollection` (+ `…FailureReason`) |
//! | `INTERFACE-STATS` | per shown interface (physical and virtual, ingress and egress): `interfaceStatistics`, `interfaceStatsCollection` (+ `…FailureReason`) |
//! | `QOS-STATS` | per shown interface: `qosStatistics[]` (the input policy's on ingress, the output policy's on egress), `qosStatsCollection` (+ `…FailureReason`) |
//! | `ACL-TRACE` | per interface with an ACL the packet met: `aclAnalysis`; per device element `detailedStatus` (`SUCCESS`), per cloud element `detailedStatus` (`FAILED`: its ACLs are not modelled); `accuracyList` where a verdict is partial ([`acl_trace`]) |
//!
//! Statistics come from a [`TelemetrySource`]; a failed lookup is
//! `…Collection: "FAILED"` with its reason and no figures. Hosts and clouds
//! get no statistics; access points show no interfaces, so no interface
//! blocks either. The top level's `detailedStatus` is [`detailed_status`].

use pathtrace_model::ids;
use serde::Serialize;

use crate::acl::AclHit;
use crate::dataplane::DataPlane;
use crate::flow::Flow;
use crate::trace::{Branch, Detail, Disposition, Hop, HopAction, Node, Trace};
use crate::view::acl_trace::{self, Accuracy, AclAnalysis, DetailedStatus};
use crate::view::telemetry::{
    DeviceStatistics, Direction, InterfaceStatistics, PerfMonitorStatistics, PerfQuery,
    QosClassMapStatistics, SimulatedTelemetry, TelemetrySource,
};

/// `SUCCESS`, for a statistics collection.
pub const COLLECTION_SUCCESS: &str = "SUCCESS";
/// `FAILED`, for a statistics collection (with a failure reason).
pub const COLLECTION_FAILED: &str = "FAILED";

/// An interface reference inside an element.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InterfaceRef {
    /// Interface id (= the `interface` resource id).
    pub id: String,
    /// Interface name.
    pub name: String,
    /// VRF of the interface (`global` for the global table).
    pub vrf_name: String,
    /// INTERFACE-STATS: the interface's counters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface_statistics: Option<InterfaceStatistics>,
    /// INTERFACE-STATS: `SUCCESS` or `FAILED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface_stats_collection: Option<&'static str>,
    /// INTERFACE-STATS: why the collection failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface_stats_collection_failure_reason: Option<String>,
    /// QOS-STATS: the class maps of the policy in the hop's direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qos_statistics: Option<Vec<QosClassMapStatistics>>,
    /// QOS-STATS: `SUCCESS` or `FAILED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qos_stats_collection: Option<&'static str>,
    /// QOS-STATS: why the collection failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qos_stats_collection_failure_reason: Option<String>,
    /// ACL-TRACE: the verdict of the ACL applied here in the hop's direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acl_analysis: Option<AclAnalysis>,
}

/// `ingressInterface` / `egressInterface`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InterfaceContainer {
    /// The physical port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_interface: Option<InterfaceRef>,
    /// SVIs, subinterfaces, dynamic interfaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub virtual_interface: Option<Vec<InterfaceRef>>,
}

/// One `networkElementsInfo` element.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkElement {
    /// Device, host or cloud id.
    pub id: String,
    /// Hostname (absent on hosts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Management IP, host IP, or "UNKNOWN".
    pub ip: String,
    /// Family for devices, `wired`/`wireless` for hosts.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Role of a device.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// How the link to the next element was learned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_information_source: Option<String>,
    /// Tunnels the element is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tunnels: Option<Vec<String>>,
    /// Ingress interfaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress_interface: Option<InterfaceContainer>,
    /// Egress interfaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub egress_interface: Option<InterfaceContainer>,
    /// DEVICE-STATS: CPU and memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_statistics: Option<DeviceStatistics>,
    /// DEVICE-STATS: `SUCCESS` or `FAILED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_stats_collection: Option<&'static str>,
    /// DEVICE-STATS: why the collection failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_stats_collection_failure_reason: Option<String>,
    /// PERFORMANCE-STATS: flow records of the traced flow on the device.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub perf_monitor_statistics: Option<Vec<PerfMonitorStatistics>>,
    /// PERFORMANCE-STATS: `SUCCESS` or `FAILED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub perf_mon_collection: Option<&'static str>,
    /// PERFORMANCE-STATS: why the collection failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub perf_mon_collection_failure_reason: Option<String>,
    /// ACL-TRACE: the ACL calculation for this element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detailed_status: Option<DetailedStatus>,
    /// ACL-TRACE: notes where the result is less than exact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy_list: Option<Vec<Accuracy>>,
}

/// One branch in DNA Center form (the extension field `ecmpBranches`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BranchView {
    /// The engine's disposition.
    pub disposition: &'static str,
    /// Protocol the branch applies to (absent: both TCP and UDP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<&'static str>,
    /// Why the branch ended, when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// The path.
    pub network_elements_info: Vec<NetworkElement>,
}

/// Index of the branch DNA Center's single path shows.
pub fn select_branch(trace: &Trace) -> Option<usize> {
    if trace.branches.is_empty() {
        return None;
    }
    Some((trace.flow.hash5() % trace.branches.len() as u64) as usize)
}

/// The elements of one branch.
pub fn network_elements(dp: &DataPlane, branch: &Branch) -> Vec<NetworkElement> {
    let n = branch.hops.len();
    branch
        .hops
        .iter()
        .enumerate()
        .map(|(i, h)| element(dp, h, i == 0, i + 1 == n))
        .collect()
}

/// The inclusions of a flow-analysis request: which optional blocks the
/// view fills in (see the module docs for the fields of each).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Inclusions {
    /// `INTERFACE-STATS`.
    pub interface_stats: bool,
    /// `QOS-STATS`.
    pub qos_stats: bool,
    /// `DEVICE-STATS`.
    pub device_stats: bool,
    /// `PERFORMANCE-STATS`.
    pub performance_stats: bool,
    /// `ACL-TRACE`.
    pub acl_trace: bool,
}

impl Inclusions {
    /// The inclusion names, as the contract spells them.
    pub const NAMES: [&'static str; 5] = [
        "INTERFACE-STATS",
        "QOS-STATS",
        "DEVICE-STATS",
        "PERFORMANCE-STATS",
        "ACL-TRACE",
    ];

    /// Every inclusion.
    pub fn all() -> Self {
        Inclusions {
            interface_stats: true,
            qos_stats: true,
            device_stats: true,
            performance_stats: true,
            acl_trace: true,
        }
    }

    fn flag(&mut self, name: &str) -> Option<&mut bool> {
        let canon = name.trim().to_ascii_uppercase().replace('_', "-");
        Some(match canon.as_str() {
            "INTERFACE-STATS" => &mut self.interface_stats,
            "QOS-STATS" => &mut self.qos_stats,
            "DEVICE-STATS" => &mut self.device_stats,
            "PERFORMANCE-STATS" => &mut self.performance_stats,
            "ACL-TRACE" => &mut self.acl_trace,
            _ => return None,
        })
    }

    /// Parse a request's `inclusions` (case-insensitive; `_` for `-` is
    /// accepted, as Ansible's names are). An unknown name is an error
    /// naming it and the valid ones; repeats are harmless.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self, String> {
        let mut inc = Inclusions::default();
        for name in names {
            let name = name.as_ref();
            match inc.flag(name) {
                Some(f) => *f = true,
                None => {
                    return Err(format!(
                        "unknown inclusion {name:?}; expected any of {}",
                        Self::NAMES.join(", ")
                    ));
                }
            }
        }
        Ok(inc)
    }

    /// Like [`Inclusions::parse`], ignoring unknown names (for requests
    /// stored before they were checked).
    pub fn parse_lenient<S: AsRef<str>>(names: &[S]) -> Self {
        let mut inc = Inclusions::default();
        for name in names {
            if let Some(f) = inc.flag(name.as_ref()) {
                *f = true;
            }
        }
        inc
    }

    /// True when nothing is included.
    pub fn is_empty(self) -> bool {
        self == Inclusions::default()
    }

    /// The included names, in [`Inclusions::NAMES`] order.
    pub fn names(self) -> Vec<&'static str> {
        let flags = [
            self.interface_stats,
            self.qos_stats,
            self.device_stats,
            self.performance_stats,
            self.acl_trace,
        ];
        Self::NAMES
            .iter()
            .zip(flags)
            .filter_map(|(n, on)| on.then_some(*n))
            .collect()
    }
}

/// Set a collection's three fields from a lookup.
fn collect<T>(
    result: Result<T, String>,
    stats: &mut Option<T>,
    status: &mut Option<&'static str>,
    reason: &mut Option<String>,
) {
    match result {
        Ok(v) => {
            *stats = Some(v);
            *status = Some(COLLECTION_SUCCESS);
        }
        Err(r) => {
            *status = Some(COLLECTION_FAILED);
            *reason = Some(r);
        }
    }
}

/// What [`network_elements_with`] needs while filling one element.
struct Fill<'a> {
    dp: &'a DataPlane,
    flow: &'a Flow,
    protocol: Option<crate::flow::Protocol>,
    inclusions: Inclusions,
    telemetry: &'a dyn TelemetrySource,
    now_ms: i64,
}

impl Fill<'_> {
    /// Statistics of one shown interface.
    fn interface(&self, r: &mut InterfaceRef, ix: u32, direction: Direction) {
        let (dp, now) = (self.dp, self.now_ms);
        if self.inclusions.interface_stats {
            collect(
                self.telemetry.interface_stats(dp, ix, now),
                &mut r.interface_statistics,
                &mut r.interface_stats_collection,
                &mut r.interface_stats_collection_failure_reason,
            );
        }
        if self.inclusions.qos_stats {
            collect(
                self.telemetry.qos_stats(dp, ix, direction, now),
                &mut r.qos_statistics,
                &mut r.qos_stats_collection,
                &mut r.qos_stats_collection_failure_reason,
            );
        }
    }

    /// Fill one side (ingress or egress) of a device element: statistics on
    /// both shown interfaces, the ACL verdict on the interface carrying the
    /// ACL. Returns the accuracy note of a partial verdict.
    fn side(
        &self,
        container: Option<&mut InterfaceContainer>,
        phys: Option<u32>,
        virt: Option<u32>,
        direction: Direction,
        hit: Option<AclHit>,
    ) -> Option<Accuracy> {
        let c = container?;
        let InterfaceContainer {
            physical_interface,
            virtual_interface,
        } = c;
        let mut phys_ref = physical_interface.as_mut().zip(phys);
        let mut virt_ref = virtual_interface
            .as_mut()
            .and_then(|v| v.first_mut())
            .zip(virt);
        for (r, ix) in [phys_ref.as_mut(), virt_ref.as_mut()].into_iter().flatten() {
            self.interface(r, *ix, direction);
        }
        let hit = hit.filter(|_| self.inclusions.acl_trace)?;
        let applies = |ix: u32| {
            let i = &self.dp.interfaces[ix as usize];
            let acl = match direction {
                Direction::Input => i.acl_in,
                Direction::Output => i.acl_out,
            };
            acl == Some(hit.acl)
        };
        // The ACL sits on the L3 interface: the virtual one when there is one.
        let target = if virt_ref.as_ref().is_some_and(|(_, ix)| applies(*ix)) {
            virt_ref
        } else if phys_ref.as_ref().is_some_and(|(_, ix)| applies(*ix)) {
            phys_ref
        } else {
            virt_ref.or(phys_ref)
        };
        let (r, ix) = target?;
        r.acl_analysis = Some(acl_trace::acl_analysis(
            self.dp,
            self.flow,
            self.protocol,
            &hit,
        ));
        let dir = match direction {
            Direction::Input => "inbound",
            Direction::Output => "outbound",
        };
        acl_trace::accuracy_note(self.dp, &hit, ix, dir)
    }
}

/// The elements of one branch with the blocks `inclusions` ask for (see the
/// module docs), statistics from `telemetry` at `now_ms` (epoch ms). With no
/// inclusions this is [`network_elements`]. `flow` is the traced flow
/// (`Trace::flow`): flow records and ACL ports are about it.
pub fn network_elements_with(
    dp: &DataPlane,
    flow: &Flow,
    branch: &Branch,
    inclusions: Inclusions,
    telemetry: &dyn TelemetrySource,
    now_ms: i64,
) -> Vec<NetworkElement> {
    let mut elements = network_elements(dp, branch);
    if inclusions.is_empty() {
        return elements;
    }
    let fill = Fill {
        dp,
        flow,
        protocol: branch.protocol.or(flow.protocol),
        inclusions,
        telemetry,
        now_ms,
    };
    for (position, (e, h)) in elements.iter_mut().zip(&branch.hops).enumerate() {
        let d = match h.node {
            Node::Device(d) => d,
            Node::Cloud(c) => {
                if inclusions.acl_trace {
                    e.detailed_status = Some(DetailedStatus::failed(format!(
                        "{} is an unmanaged cloud: its devices and their ACLs are not modelled",
                        dp.clouds[c as usize].name
                    )));
                }
                continue;
            }
            Node::Host(_) | Node::Address(_) => continue,
        };
        if inclusions.device_stats {
            collect(
                telemetry.device_stats(dp, d, now_ms),
                &mut e.device_statistics,
                &mut e.device_stats_collection,
                &mut e.device_stats_collection_failure_reason,
            );
        }
        if inclusions.performance_stats {
            let query = PerfQuery {
                flow,
                protocol: fill.protocol,
                ingress: h.ingress.or(h.ingress_virtual),
                egress: h.egress.or(h.egress_virtual),
                position,
            };
            collect(
                telemetry.perf_monitor_stats(dp, d, &query, now_ms),
                &mut e.perf_monitor_statistics,
                &mut e.perf_mon_collection,
                &mut e.perf_mon_collection_failure_reason,
            );
        }
        let notes: Vec<Accuracy> = [
            fill.side(
                e.ingress_interface.as_mut(),
                h.ingress,
                h.ingress_virtual,
                Direction::Input,
                h.acl_in,
            ),
            fill.side(
                e.egress_interface.as_mut(),
                h.egress,
                h.egress_virtual,
                Direction::Output,
                h.acl_out,
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        if inclusions.acl_trace {
            e.detailed_status = Some(DetailedStatus::success());
            if !notes.is_empty() {
                e.accuracy_list = Some(notes);
            }
        }
    }
    elements
}

/// The top level's `detailedStatus` for the branch DNA Center shows:
/// `SUCCESS` when there is one (every ACL the packet met was evaluated from
/// the model: the verdicts are exact or flagged partial), `FAILED` with a
/// reason when no path was computed. The same with or without ACL-TRACE:
/// the contract's samples show `{"aclTraceCalculation": "SUCCESS"}` on
/// requests without it.
pub fn detailed_status(branch: Option<&Branch>) -> DetailedStatus {
    match branch {
        Some(_) => DetailedStatus::success(),
        None => DetailedStatus::failed("no path was computed, so no ACL could be evaluated"),
    }
}

/// Every branch in DNA Center form.
pub fn branches(dp: &DataPlane, trace: &Trace) -> Vec<BranchView> {
    trace
        .branches
        .iter()
        .map(|b| BranchView {
            disposition: b.disposition.as_str(),
            protocol: b.protocol.map(crate::flow::Protocol::as_str),
            failure_reason: (!b.disposition.is_success())
                .then(|| failure_reason(dp, &trace.flow, b)),
            network_elements_info: network_elements(dp, b),
        })
        .collect()
}

fn vrf_name(dp: &DataPlane, vrf: u32) -> String {
    match vrf {
        0 => "global".to_string(),
        v => dp.vrfs.get(v as usize).cloned().unwrap_or_default(),
    }
}

fn iface_ref(dp: &DataPlane, i: u32) -> InterfaceRef {
    let info = &dp.interfaces[i as usize];
    InterfaceRef {
        id: info.id.to_string(),
        name: info.name.clone(),
        vrf_name: vrf_name(dp, info.vrf),
        ..InterfaceRef::default()
    }
}

fn container(dp: &DataPlane, phys: Option<u32>, virt: Option<u32>) -> Option<InterfaceContainer> {
    if phys.is_none() && virt.is_none() {
        return None;
    }
    Some(InterfaceContainer {
        physical_interface: phys.map(|p| iface_ref(dp, p)),
        virtual_interface: virt.map(|v| vec![iface_ref(dp, v)]),
    })
}

/// One hop as an element; `first`/`last` say where it stands in its branch
/// (the source host's `linkInformationSource`, none on the last element).
pub fn element(dp: &DataPlane, h: &Hop, first: bool, last: bool) -> NetworkElement {
    match h.node {
        Node::Host(x) => {
            let host = &dp.hosts[x as usize];
            let kind = host.kind.as_str();
            NetworkElement {
                id: host.id.to_string(),
                name: None,
                ip: host.ip.addr().to_string(),
                kind: Some(kind.to_string()),
                role: None,
                link_information_source: (first && !last).then(|| {
                    if kind == "wireless" {
                        "Switched"
                    } else {
                        "Wired"
                    }
                    .to_string()
                }),
                tunnels: None,
                ingress_interface: None,
                egress_interface: None,
                ..NetworkElement::default()
            }
        }
        Node::Address(ip) => NetworkElement {
            id: ids::host_id(&dp.network, &ip).to_string(),
            name: None,
            ip: ip.to_string(),
            kind: Some("wired".to_string()),
            role: None,
            link_information_source: (first && !last).then(|| "Wired".to_string()),
            tunnels: None,
            ingress_interface: None,
            egress_interface: None,
            ..NetworkElement::default()
        },
        Node::Cloud(c) => NetworkElement {
            id: dp.clouds[c as usize].id.to_string(),
            name: Some("UNKNOWN".to_string()),
            ip: "UNKNOWN".to_string(),
            kind: None,
            role: None,
            link_information_source: None,
            tunnels: None,
            ingress_interface: None,
            egress_interface: None,
            ..NetworkElement::default()
        },
        Node::Device(d) => {
            let dev = &dp.devices[d as usize];
            let is_ap = dev.ap_controller.is_some();
            let source = match h.action {
                HopAction::Switched | HopAction::Encapsulated => Some("Switched".to_string()),
                HopAction::Routed | HopAction::Originated => h.route.map(|r| {
                    if r.paths > 1 {
                        "ECMP".to_string()
                    } else {
                        dp.route_attrs[r.attrs as usize]
                            .protocol
                            .dnac_source()
                            .to_string()
                    }
                }),
                _ => None,
            };
            NetworkElement {
                id: dev.id.to_string(),
                name: Some(dev.name.clone()),
                ip: dev.management_ip.to_string(),
                kind: Some(dev.family.clone()),
                role: Some(dev.role.clone()),
                link_information_source: if last { None } else { source },
                tunnels: Some(
                    h.tunnel
                        .map(|t| vec![t.as_str().to_string()])
                        .unwrap_or_default(),
                ),
                ingress_interface: if is_ap {
                    None
                } else {
                    container(dp, h.ingress, h.ingress_virtual)
                },
                egress_interface: if is_ap {
                    None
                } else {
                    container(dp, h.egress, h.egress_virtual)
                },
                ..NetworkElement::default()
            }
        }
    }
}

/// A sentence naming the disposition, the device and the cause, for
/// `failureReason` (empty for successful branches).
pub fn failure_reason(dp: &DataPlane, flow: &Flow, b: &Branch) -> String {
    if b.disposition.is_success() {
        return String::new();
    }
    let last = b.hops.last();
    let at = last.map_or_else(String::new, |h| match h.node {
        Node::Device(d) => format!(" at {}", dp.devices[d as usize].name),
        Node::Host(x) => format!(" at host {}", dp.hosts[x as usize].ip.addr()),
        Node::Address(ip) => format!(" at {ip}"),
        Node::Cloud(c) => format!(" at cloud {}", dp.clouds[c as usize].name),
    });
    let vrf = last
        .and_then(|h| h.vrf)
        .map_or_else(String::new, |v| format!(" in VRF {}", vrf_name(dp, v)));
    let acl_text = |hit: Option<crate::acl::AclHit>| {
        hit.map_or_else(String::new, |hit| {
            let acl = &dp.acls[hit.acl as usize];
            match hit.entry {
                Some(e) => format!(
                    " by ACL {} entry \"{}\"",
                    acl.name, acl.entries[e as usize].0
                ),
                None => format!(" by ACL {} (implicit deny)", acl.name),
            }
        })
    };
    let body = match b.disposition {
        Disposition::DeniedIn => format!(
            "denied inbound{at}{}",
            acl_text(last.and_then(|h| h.acl_in))
        ),
        Disposition::DeniedOut => format!(
            "denied outbound{at}{}",
            acl_text(last.and_then(|h| h.acl_out))
        ),
        Disposition::NoRoute => match b.detail {
            Detail::NotARouter => format!(
                "no route to {}{at}: the device does not route (ip routing disabled)",
                flow.dst
            ),
            Detail::NoGateway => format!("no gateway{at} for off-subnet destination {}", flow.dst),
            _ => format!("no route to {}{at}{vrf}", flow.dst),
        },
        Disposition::NullRouted => {
            let p = last
                .and_then(|h| h.route)
                .map_or_else(String::new, |r| format!(" by {}", r.prefix));
            format!("null-routed{at}{vrf}{p}")
        }
        Disposition::NeighborUnreachable => match b.detail {
            Detail::ArpFailed(ip) => format!("next hop {ip} unreachable{at}{vrf}"),
            _ => format!("neighbor unreachable{at}"),
        },
        Disposition::InsufficientInfo => match b.detail {
            Detail::ArpFailed(ip) => format!(
                "no modelled device answers for {ip}{at}{vrf}: the model is incomplete here"
            ),
            Detail::HostDoesNotForward => {
                format!("the packet reached a host that is not {}{at}", flow.dst)
            }
            _ => format!("the model is incomplete{at}"),
        },
        Disposition::Loop => match b.detail {
            Detail::HopLimit => format!("hop limit reached{at}"),
            _ => format!("forwarding loop{at}{vrf}"),
        },
        _ => String::new(),
    };
    format!("{}: {body}", b.disposition.as_str())
}

/// What the caller knows about the analysis the trace belongs to.
#[derive(Debug, Clone)]
pub struct AnalysisInfo {
    /// Flow-analysis id.
    pub id: String,
    /// Creation time, epoch ms.
    pub create_time: i64,
    /// Last update time, epoch ms.
    pub last_update_time: i64,
    /// `periodicRefresh` as requested.
    pub periodic_refresh: bool,
    /// `inclusions` as requested.
    pub inclusions: Vec<String>,
}

/// Outcome of an analysis per DNA Center: the shown branch decides.
pub fn status(trace: &Trace) -> (&'static str, Option<String>) {
    match select_branch(trace).map(|i| &trace.branches[i]) {
        Some(b) if b.disposition.is_success() => ("COMPLETED", None),
        Some(b) => ("FAILED", Some(b.disposition.as_str().to_string())),
        None => ("FAILED", Some("INSUFFICIENT_INFO".to_string())),
    }
}

/// The DNA Center `response` object of `GET flow-analysis/{id}` for a
/// finished trace: `request` (with status and `failureReason`),
/// `lastUpdate`, `detailedStatus`, `networkElementsInfo` (the selected
/// branch), `properties`, and the extensions `traceCount`, `selectedBranch`
/// and `ecmpBranches` (every branch, for clients that want them). No
/// inclusion blocks are filled, whatever `info.inclusions` says; see
/// [`response_with`].
pub fn response(dp: &DataPlane, trace: &Trace, info: &AnalysisInfo) -> serde_json::Value {
    response_with(
        dp,
        trace,
        info,
        Inclusions::default(),
        &SimulatedTelemetry,
        info.last_update_time,
    )
}

/// [`response`] with the blocks `inclusions` ask for filled in on
/// `networkElementsInfo` ([`network_elements_with`], statistics from
/// `telemetry` at `now_ms`). `ecmpBranches` stays plain.
pub fn response_with(
    dp: &DataPlane,
    trace: &Trace,
    info: &AnalysisInfo,
    inclusions: Inclusions,
    telemetry: &dyn TelemetrySource,
    now_ms: i64,
) -> serde_json::Value {
    let selected = select_branch(trace);
    let (status, _) = status(trace);
    let mut request = serde_json::Map::new();
    let f = &trace.flow;
    request.insert("id".into(), info.id.clone().into());
    request.insert("sourceIP".into(), f.src.to_string().into());
    request.insert("destIP".into(), f.dst.to_string().into());
    if let Some(p) = f.src_port {
        request.insert("sourcePort".into(), p.to_string().into());
    }
    if let Some(p) = f.dst_port {
        request.insert("destPort".into(), p.to_string().into());
    }
    if let Some(p) = f.protocol {
        request.insert("protocol".into(), p.as_str().into());
    }
    request.insert("periodicRefresh".into(), info.periodic_refresh.into());
    if !info.inclusions.is_empty() {
        request.insert("inclusions".into(), info.inclusions.clone().into());
    }
    request.insert("status".into(), status.into());
    request.insert("createTime".into(), info.create_time.into());
    request.insert("lastUpdateTime".into(), info.last_update_time.into());
    if status == "FAILED" {
        let reason = selected.map_or_else(
            || "INSUFFICIENT_INFO: no path could be computed".to_string(),
            |i| failure_reason(dp, &trace.flow, &trace.branches[i]),
        );
        request.insert("failureReason".into(), reason.into());
    }
    let branch = selected.map(|i| &trace.branches[i]);
    let elements = branch
        .map(|b| network_elements_with(dp, &trace.flow, b, inclusions, telemetry, now_ms))
        .unwrap_or_default();
    serde_json::json!({
        "request": request,
        "lastUpdate": java_date(info.last_update_time),
        "detailedStatus": detailed_status(branch),
        "networkElementsInfo": elements,
        "properties": [],
        "traceCount": trace.trace_count,
        "selectedBranch": selected,
        "ecmpBranches": branches(dp, trace),
    })
}

/// A UTC calendar time: (year, month 1–12, day, hour, minute, second,
/// weekday 0 = Sunday).
pub fn civil(epoch_ms: i64) -> (i64, i64, i64, i64, i64, i64, usize) {
    let secs = epoch_ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    // 1970-01-01 was a Thursday.
    let weekday = (days + 4).rem_euclid(7) as usize;
    (y, m, d, sod / 3600, (sod % 3600) / 60, sod % 60, weekday)
}

/// Epoch milliseconds as Java's `Date.toString()` in UTC:
/// `"Sun Jun 25 15:18:58 UTC 2017"`.
pub fn java_date(epoch_ms: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m, d, hh, mm, ss, wd) = civil(epoch_ms);
    format!(
        "{} {} {d:02} {hh:02}:{mm:02}:{ss:02} UTC {y}",
        DAYS[wd],
        MONTHS[(m - 1) as usize]
    )
}

#[cfg(test)]
mod tests {
    use super::java_date;

    #[test]
    fn java_date_matches_the_seed() {
        // The APIC-EM seed: createTime 1498403858628 → "Sun Jun 25 15:17:38 UTC 2017".
        assert_eq!(java_date(1_498_403_938_000), "Sun Jun 25 15:18:58 UTC 2017");
        assert_eq!(java_date(0), "Thu Jan 01 00:00:00 UTC 1970");
    }
}
