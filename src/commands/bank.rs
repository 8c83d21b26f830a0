//! `viva bank import FILE [-o OUT] [--id ID]` and `viva bank check PATH`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::bank::{self, check, import};
use crate::cli::BankCommand;
use crate::fsutil;

pub(crate) fn run(args: BankCommand) -> anyhow::Result<ExitCode> {
    match args {
        BankCommand::Import { file, output, id } => {
            import_page(&file, output.as_deref(), id.as_deref())
        }
        BankCommand::Check { path } => check_file(&path),
    }
}

/// Import a page: warnings on stderr as `warning: FILE:LINE: …`, the bank on
/// stdout or written atomically to OUT.
fn import_page(file: &Path, output: Option<&Path>, id: Option<&str>) -> anyhow::Result<ExitCode> {
    let page = bank::read_text(file)?;
    let imported =
        import::import(&page, id).with_context(|| format!("cannot import {}", file.display()))?;
    for warning in &imported.warnings {
        eprintln!(
            "warning: {}:{}: {}",
            file.display(),
            warning.line,
            warning.message
        );
    }
    let toml = imported.bank.to_toml();
    let count = imported.bank.questions.len();
    match output {
        Some(out) => {
            fsutil::write_atomic(out, toml.as_bytes())?;
            eprintln!(
                "wrote {count} question{} to {} (bank '{}')",
                if count == 1 { "" } else { "s" },
                out.display(),
                imported.bank.id
            );
        }
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(toml.as_bytes())
                .context("cannot write to standard output")?;
        }
    }
    // A bank with gaps (no talking points …) was still written; say what
    // `viva bank check` will want fixed.
    let problems = check::check(&toml);
    if !problems.is_empty() {
        let name = output.map_or_else(|| "the bank".to_string(), |o| o.display().to_string());
        eprintln!(
            "warning: {name} needs {} fix{} before use; see `viva bank check`",
            problems.len(),
            if problems.len() == 1 { "" } else { "es" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Validate a bank file: every error as `error: FILE:LINE:COL: …`, exit 1.
fn check_file(path: &Path) -> anyhow::Result<ExitCode> {
    let text = bank::read_text(path)?;
    let name = path.display().to_string();
    match check::parse(&text) {
        Ok(bank) => {
            println!(
                "{name}: ok, bank '{}' with {} questions",
                bank.id,
                bank.questions.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(diagnostics) => {
            for diagnostic in &diagnostics {
                eprintln!("error: {}", diagnostic.render(&name));
            }
            eprintln!(
                "{name}: {} error{}",
                diagnostics.len(),
                if diagnostics.len() == 1 { "" } else { "s" }
            );
            Ok(ExitCode::from(crate::error::USER_ERROR))
        }
    }
}
