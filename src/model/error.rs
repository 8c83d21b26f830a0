//! The errors of finding and loading a Whisper model, each with the command
//! or option that fixes it.

use std::path::PathBuf;

/// Why a Whisper model could not be found or loaded.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The default model is not in the models directory.
    #[error("no Whisper model at {}: run `viva model fetch` (or pass --model PATH)", .path.display())]
    MissingDefault { path: PathBuf },
    /// `--model` / `VIVA_MODEL` names a file that is not there.
    #[error("no Whisper model at {} (given by --model or VIVA_MODEL): check the path, or run `viva model fetch` and drop the option", .path.display())]
    MissingExplicit { path: PathBuf },
    /// The file is there but cannot be read.
    #[error("cannot read {}: {cause}", .path.display())]
    Unreadable {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// The file is not a ggml Whisper model, or whisper.cpp refused it.
    #[error("{} is not a Whisper ggml model ({reason}); run `viva model fetch` for a good one, or convert one with `viva model import`", .path.display())]
    NotAModel { path: PathBuf, reason: String },
}
