//! `viva practice`.

use std::process::ExitCode;

use crate::cli::PracticeArgs;

pub fn run(_args: PracticeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`viva practice` is not built yet")
}
