//! `viva questions`.

use std::process::ExitCode;

use crate::cli::QuestionsArgs;

pub fn run(_args: QuestionsArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`viva questions` is not built yet")
}
