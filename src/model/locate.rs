//! Which Whisper model file to use: `--model PATH`, then `VIVA_MODEL` (clap
//! merges both into one option), then the default model in the models
//! directory. A missing file is reported with the command that fixes it.
//! The sentence-embedding model is always the models directory's.

use std::path::{Path, PathBuf};

use crate::model::catalog;
use crate::model::error::ModelError;
use crate::paths;

/// The sentence-embedding model's directory in the models directory.
pub(crate) fn embedder_dir() -> PathBuf {
    paths::models_dir().join(catalog::DEFAULT_EMBEDDER)
}

/// The default model's file in the models directory.
pub(crate) fn default_model_path() -> PathBuf {
    paths::models_dir().join(catalog::file_name(catalog::DEFAULT_MODEL))
}

/// The model file to load: `explicit` (from `--model` / `VIVA_MODEL`) when
/// given, else the default model in the models directory. The file must exist.
pub fn resolve_model(explicit: Option<&Path>) -> Result<PathBuf, ModelError> {
    match explicit {
        Some(path) if path.is_file() => Ok(path.to_path_buf()),
        Some(path) => Err(ModelError::MissingExplicit {
            path: path.to_path_buf(),
        }),
        None => {
            let path = default_model_path();
            if path.is_file() {
                Ok(path)
            } else {
                Err(ModelError::MissingDefault { path })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_path_that_exists_wins() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("m.bin");
        std::fs::write(&model, b"x").unwrap();
        assert_eq!(resolve_model(Some(&model)).unwrap(), model);
    }

    #[test]
    fn a_missing_explicit_path_says_which_option_named_it() {
        let err = resolve_model(Some(Path::new("/nonexistent/m.bin"))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no Whisper model at /nonexistent/m.bin (given by --model or VIVA_MODEL): \
             check the path, or run `viva model fetch` and drop the option"
        );
    }
}
