//! One module per subcommand; `run` dispatches to them.

pub(crate) mod bank;
pub(crate) mod devices;
pub(crate) mod doctor;
mod embedder;
pub(crate) mod history;
mod interrupt;
pub(crate) mod model;
pub(crate) mod practice;
mod progress;
pub(crate) mod questions;
pub(crate) mod record;
pub(crate) mod review;
pub(crate) mod say;
pub(crate) mod transcribe;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Run the parsed command line.
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Practice(args) => practice::run(args),
        Command::Questions(args) => questions::run(args),
        Command::Bank(args) => bank::run(args),
        Command::Transcribe(args) => transcribe::run(args),
        Command::Review(args) => review::run(args),
        Command::History(args) => history::run(args),
        Command::Devices => devices::run(),
        Command::Say(args) => say::run(args),
        Command::Record(args) => record::run(args),
        Command::Model(args) => model::run(args),
        Command::Doctor(args) => doctor::run(args),
    }
}
