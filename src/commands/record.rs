//! `viva record`.

use std::process::ExitCode;

use crate::cli::RecordArgs;

pub fn run(_args: RecordArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`viva record` is not built yet")
}
