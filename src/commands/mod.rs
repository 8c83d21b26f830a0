//! One module per subcommand; `run` dispatches to them.

pub mod bank;
pub mod devices;
pub mod doctor;
pub mod history;
pub mod model;
pub mod practice;
pub mod questions;
pub mod record;
pub mod review;
pub mod say;
pub mod transcribe;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Run the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
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
