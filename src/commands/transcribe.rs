//! `viva transcribe`.

use std::process::ExitCode;

use crate::cli::TranscribeArgs;

pub fn run(_args: TranscribeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`viva transcribe` is not built yet")
}
