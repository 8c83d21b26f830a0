//! `viva say`.

use std::process::ExitCode;

use crate::cli::SayArgs;

pub fn run(_args: SayArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`viva say` is not built yet")
}
