//! pathtrace-client: an async Rust SDK for the Cisco DNA Center / APIC-EM
//! path-trace API — pathtrace's own server and real controllers alike.
//!
//! * [`Client`] ([`client`]): base URL, TLS verification (on by default;
//!   [`ClientBuilder::danger_accept_invalid_certs`] for a self-signed
//!   controller), timeouts, login as APIC-EM (ticket) or DNA Center (token),
//!   either URL family ([`ApiFamily`]).
//! * Flow analysis ([`flow`]): initiate, list, get the full result, runs,
//!   delete, and [`Client::trace`] for the whole round trip.
//! * Tasks ([`task`]): get, tree, and [`Client::wait`] with backoff.
//! * Inventory ([`inventory`]): network devices, hosts, interfaces, topology.
//! * Errors ([`error`]): one [`Error`] enum — transport, TLS, 401, 404, the
//!   controller's `errorCode`/`message`/`detail`, a failed task, a timeout,
//!   a body that does not parse (with the field's path and an excerpt).
//! * Tolerance ([`de`]): unknown fields are ignored, absent fields are
//!   `None` or empty, and the type drifts of real controllers (`"443"` for
//!   443, times as strings, `"true"` for `true`, `null` lists) are read.
//!
//! ```no_run
//! use std::time::Duration;
//! use pathtrace_client::{Client, FlowAnalysisRequest, Inclusion};
//!
//! # async fn demo() -> pathtrace_client::Result<()> {
//! let client = Client::builder("http://127.0.0.1:8080").build()?;
//! client.login_token("devnetuser", "Cisco123!").await?;
//! let request = FlowAnalysisRequest::new("10.10.22.114", "10.10.22.98")
//!     .with_inclusion(Inclusion::DeviceStats);
//! let result = client.trace(&request, Duration::from_secs(30)).await?;
//! for element in &result.network_elements_info {
//!     println!("{}: {}", element.name.as_deref().unwrap_or("None"),
//!              element.ip.as_deref().unwrap_or("?"));
//! }
//! # Ok(())
//! # }
//! ```

pub mod client;
pub mod de;
pub mod error;
pub mod flow;
pub mod inventory;
pub mod task;

pub use client::{ApiFamily, Client, ClientBuilder, LoginStyle};
pub use error::{ApiErrorBody, Error, Result};
pub use flow::{
    AnalysisStatus, FlowAnalysis, FlowAnalysisQuery, FlowAnalysisRequest, FlowAnalysisStarted,
    Inclusion, NetworkElementInfo, Order, PathResponse, Run,
};
pub use inventory::{Device, DeviceInterface, DeviceQuery, Host, HostQuery, Topology};
pub use task::{Task, TaskRef, WaitOptions};
