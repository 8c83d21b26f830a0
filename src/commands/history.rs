//! `viva history`.

use std::process::ExitCode;

use crate::cli::HistoryArgs;

pub fn run(_args: HistoryArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`viva history` is not built yet")
}
