//! `viva model`.

use std::process::ExitCode;

use crate::cli::ModelCommand;

pub fn run(_args: ModelCommand) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`viva model` is not built yet")
}
