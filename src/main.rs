//! The `viva` binary: parse arguments, run the command, print `error: …` on
//! stderr and pick the exit code.

use std::process::ExitCode;

use clap::Parser;
use viva::{cli, commands, error};

fn main() -> ExitCode {
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
