//! pathtrace-engine: where a packet goes, computed from a network model.
//!
//! Pure and synchronous: no I/O, no async runtime, no HTTP. [`build`] turns a
//! [`pathtrace_model::Network`] into an immutable [`DataPlane`] (RIB/FIB per
//! device and VRF, L2 domains, compiled ACLs); [`trace()`] walks a [`Flow`]
//! through it and returns every ECMP branch with a disposition and per-hop
//! evidence. Views of a trace — the DNA Center `networkElementsInfo`
//! ([`view::dnac`], with its inclusions: statistics from a
//! [`view::telemetry::TelemetrySource`], ACL-TRACE from [`view::acl_trace`])
//! and the engine's own JSON ([`view::json`]) — live here beside the trace,
//! as pure data in, JSON-ready data out. A network with observed forwarding
//! state (imported from a collector) is traced on that state by [`state`].
//! The control plane — connected, static, OSPF and BGP (with route-maps,
//! sessions traced on the data plane, IOS best-path rules) iterated to a
//! fixed point — fills the FIBs; [`routes`] lists the resulting main RIB.
//! [`generate`]
//! builds synthetic campus networks for benchmarks.

pub mod acl;
pub mod bgp;
pub mod dataplane;
pub mod fib;
pub mod flow;
pub mod generate;
pub mod l2;
mod ospf;
mod policy;
pub mod rib;
pub mod state;
pub mod trace;
pub mod view;

pub use dataplane::{DataPlane, build, build_with_routes, routes};
pub use flow::{Flow, Protocol};
pub use rib::RibRoute;
pub use trace::{
    Branch, Disposition, Hop, Node, Source, Trace, TraceError, TraceOptions, trace, trace_from,
    trace_with,
};
