//! Views of a trace: the DNA Center / APIC-EM JSON ([`dnac`], with its
//! inclusions: [`telemetry`] for the statistics, [`acl_trace`] for
//! ACL-TRACE) and the engine's own JSON ([`json`]).
pub mod acl_trace;
pub mod dnac;
pub mod json;
pub mod telemetry;
