//! placeholder
use crate::{acl::AclEntry, types::AclKind};
pub(crate) fn parse_entry(_line: &str, _kind: AclKind) -> Result<AclEntry, String> { Err("placeholder".into()) }
