//! Views.
pub mod dnac;
pub mod json;
