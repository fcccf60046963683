//! HTTP handlers, one module per API area.

pub mod admin;
pub mod auth;
pub mod flow;
pub mod inventory;
pub mod task;
