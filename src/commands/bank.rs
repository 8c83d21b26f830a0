//! `viva bank`.

use std::process::ExitCode;

use crate::cli::BankCommand;

pub fn run(_args: BankCommand) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`viva bank` is not built yet")
}
