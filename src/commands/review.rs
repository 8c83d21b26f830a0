//! `viva review`.

use std::process::ExitCode;

use crate::cli::ReviewArgs;

pub fn run(_args: ReviewArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`viva review` is not built yet")
}
