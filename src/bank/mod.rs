//! Question banks: the types, loading and validation, and import of the
//! seed's page format.
//!
//! A bank is named on the command line by `--bank NAME|PATH`; [`load`] looks
//! for a built-in bank of that name (compiled into the binary, so an
//! installed `viva` works anywhere), then for `NAME.toml` in the user's banks
//! directory, then for a file at that path. Every bank is validated on load
//! with the same checks as `viva bank check`.

mod builtin;
pub mod check;
mod follow_up;
pub mod import;
mod types;
mod write;

use std::path::{Path, PathBuf};

pub(crate) use builtin::{builtin, BUILTIN};
pub(crate) use check::Diagnostic;
pub use types::{Bank, Question};
pub(crate) use types::{QuestionRef, DEFAULT_TARGET_S};

/// Why a bank could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum BankError {
    #[error("no bank '{spec}': it is not a built-in bank ({builtins}), not in {user_dir}, and not a file")]
    NotFound {
        spec: String,
        builtins: String,
        user_dir: PathBuf,
    },
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not UTF-8 text")]
    NotUtf8 { path: PathBuf },
    #[error("{}", invalid_message(.name, .diagnostics))]
    Invalid {
        /// The file (or built-in name) as the user named it.
        name: String,
        diagnostics: Vec<Diagnostic>,
    },
}

fn invalid_message(name: &str, diagnostics: &[Diagnostic]) -> String {
    let mut message = format!(
        "bank {name} has {} error{}; fix {} (run `viva bank check {name}`):",
        diagnostics.len(),
        if diagnostics.len() == 1 { "" } else { "s" },
        if diagnostics.len() == 1 { "it" } else { "them" },
    );
    for diagnostic in diagnostics {
        message.push_str("\n  ");
        message.push_str(&diagnostic.render(name));
    }
    message
}

/// Load a bank by built-in name, by name in the user's banks directory, or by path.
pub fn load(spec: &str) -> Result<Bank, BankError> {
    load_from(spec, &crate::paths::user_banks_dir())
}

/// [`load`] with an explicit user banks directory (for tests).
pub(crate) fn load_from(spec: &str, user_dir: &Path) -> Result<Bank, BankError> {
    if let Some(text) = builtin(spec) {
        return parse(text, spec);
    }
    let is_plain_name = !spec.is_empty() && !spec.contains(['/', '\\']) && !spec.ends_with(".toml");
    if is_plain_name {
        let path = user_dir.join(format!("{spec}.toml"));
        if path.is_file() {
            return load_path(&path);
        }
    }
    let path = Path::new(spec);
    if path.is_file() {
        return load_path(path);
    }
    Err(BankError::NotFound {
        spec: spec.to_string(),
        builtins: BUILTIN
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", "),
        user_dir: user_dir.to_path_buf(),
    })
}

/// Load and validate the bank file at `path`.
pub(crate) fn load_path(path: &Path) -> Result<Bank, BankError> {
    let text = read_text(path)?;
    parse(&text, &path.display().to_string())
}

/// Read a file that must be UTF-8 text.
pub(crate) fn read_text(path: &Path) -> Result<String, BankError> {
    let bytes = std::fs::read(path).map_err(|source| BankError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|_| BankError::NotUtf8 {
        path: path.to_path_buf(),
    })
}

/// Parse and validate bank text; `name` is used in error messages.
pub(crate) fn parse(text: &str, name: &str) -> Result<Bank, BankError> {
    check::parse(text).map_err(|diagnostics| BankError::Invalid {
        name: name.to_string(),
        diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = include_str!("../../tests/fixtures/banks/tiny.toml");

    #[test]
    fn a_built_in_name_loads_the_built_in_bank() {
        let dir = tempfile::tempdir().unwrap();
        let bank = load_from("platform-engineer", dir.path()).unwrap();
        assert_eq!(bank.questions.len(), 24);
    }

    #[test]
    fn a_name_loads_from_the_user_banks_directory_then_a_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tiny.toml"), TINY).unwrap();
        assert_eq!(load_from("tiny", dir.path()).unwrap().id, "tiny");

        let path = dir.path().join("tiny.toml");
        let by_path = load_from(path.to_str().unwrap(), Path::new("/nonexistent")).unwrap();
        assert_eq!(by_path.questions[1].id, "why-toml");
    }

    #[test]
    fn an_unknown_bank_names_every_place_looked() {
        let err = load_from("nope", Path::new("/banks")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no bank 'nope': it is not a built-in bank (platform-engineer), not in /banks, and not a file"
        );
    }

    #[test]
    fn an_invalid_bank_is_refused_with_its_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, TINY.replace("text = \"Why Rust?\"", "text = \"\"")).unwrap();
        let err = load_path(&path).unwrap_err().to_string();
        let name = path.display();
        assert_eq!(
            err,
            format!("bank {name} has 1 error; fix it (run `viva bank check {name}`):\n  {name}:7:8: question 'why-rust' has no text")
        );
    }

    #[test]
    fn a_file_that_is_not_utf8_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bin.toml");
        std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        assert!(matches!(load_path(&path), Err(BankError::NotUtf8 { .. })));
    }

    #[test]
    fn questions_are_selected_by_number_or_id() {
        let bank = parse(TINY, "tiny").unwrap();
        assert_eq!(
            bank.question("2").map(|(n, q)| (n, q.id.as_str())),
            Some((2, "why-toml"))
        );
        assert_eq!(bank.question("why-rust").map(|(n, _)| n), Some(1));
        assert_eq!(bank.question(" 1 ").map(|(n, _)| n), Some(1));
        for missing in ["0", "3", "nope", "", "-1"] {
            assert!(bank.question(missing).is_none(), "{missing}");
        }
        assert_eq!(bank.target_for(&bank.questions[0]), DEFAULT_TARGET_S);
        assert_eq!(bank.target_for(&bank.questions[1]), [30, 60]);
    }
}
