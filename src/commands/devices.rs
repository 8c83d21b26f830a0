//! `viva devices`.

use std::process::ExitCode;

pub fn run() -> anyhow::Result<ExitCode> {
    anyhow::bail!("`viva devices` is not built yet")
}
