//! pathtrace-model: what a network *is*.
//!
//! Plain, serde-friendly data ([`types`]) read from a documented YAML format
//! (docs/model.md) by [`load`], validated on load ([`validate`]) with errors
//! that name the file, line and field, plus the helpers every other part
//! needs: stable ids ([`ids`]), interface-name matching ([`ifname`]), parsed
//! ACL entries ([`acl`]), collected telemetry ([`telemetry`]), observed forwarding state
//! ([`observed`]) and the embedded
//! demo network ([`demo`]).

pub mod acl;
mod acl_parse;
pub mod demo;
pub mod ids;
pub mod ifname;
mod line_index;
pub mod load;
pub mod observed;
pub mod routing;
pub mod telemetry;
pub mod types;
pub mod validate;

pub use load::{Diagnostic, LoadError, load_file, load_str};
pub use routing::{Bgp, BgpNeighbor, CommunityList, PrefixList, RouteMap};
pub use telemetry::Telemetry;
pub use types::*;
