//! `viva doctor`.

use std::process::ExitCode;

use crate::cli::DoctorArgs;

pub fn run(_args: DoctorArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`viva doctor` is not built yet")
}
