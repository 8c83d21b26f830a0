//! viva: a local, private, voice-driven mock interviewer.
//!
//! The library holds every part; `main.rs` only calls [`main`]. Items are
//! crate-private unless the benchmarks, the fuzz targets or the integration
//! tests reach them, so the compiler finds dead code.
//!
//! Layers point down only: `commands` → `session` → `analysis` / `stt` /
//! `report` → `model` / `audio` / `bank` / `voice`.

pub mod analysis;
pub mod audio;
pub mod bank;
mod cli;
mod commands;
mod error;
mod fsutil;
mod history;
pub mod model;
mod paths;
mod report;
mod session;
pub mod stt;
mod units;
pub mod voice;

use std::process::ExitCode;

/// The `viva` binary: parse arguments, run the command, print `error: …` on
/// stderr and pick the exit code.
pub fn main() -> ExitCode {
    use clap::Parser;
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            if error::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::from(error::exit_code(&err))
        }
    }
}
