//! The demo network, embedded in the binary: both notebooks' sites in one
//! network (networks/demo.yaml; docs/demo.md lists its flows).

use crate::types::Network;

/// The demo network's YAML text.
pub const DEMO_YAML: &str = include_str!("../../../networks/demo.yaml");

/// The file name diagnostics use for the embedded demo network.
pub const DEMO_FILE: &str = "networks/demo.yaml";

/// Load the embedded demo network. It is validated by the test suite, so a
/// failure here is a build defect, reported as an error all the same.
pub fn demo() -> Result<Network, crate::LoadError> {
    crate::load_str(DEMO_YAML, DEMO_FILE)
}
