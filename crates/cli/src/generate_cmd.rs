//! `pathtrace generate`: write a synthetic campus network model.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Approximate number of devices.
    #[arg(long, default_value_t = 100)]
    pub devices: usize,
    /// Output file (default: standard output).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

/// Run the command.
pub fn run(_args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("generate: not built yet")
}
