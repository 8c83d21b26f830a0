//! Where viva keeps its files: models, user banks, sessions.
//!
//! Run from a checkout (the binary under `<repo>/target/…`), models live in the
//! repository's `models/`; an installed binary uses the user's data directory.

use std::path::{Path, PathBuf};

/// The user's viva data directory (`~/.local/share/viva` on Linux).
pub(crate) fn data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("viva")
}

/// The repository root when this binary was built from a checkout that still exists.
pub(crate) fn checkout_root() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    exe.ancestors()
        .skip(1)
        .find(|dir| dir.join("models/catalog.toml").is_file() && dir.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

/// The models directory: `VIVA_MODELS_DIR`, else the checkout's `models/`,
/// else `<data dir>/models`.
pub(crate) fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("VIVA_MODELS_DIR") {
        return PathBuf::from(dir);
    }
    match checkout_root() {
        Some(root) => root.join("models"),
        None => data_dir().join("models"),
    }
}

/// The user's own banks, loadable by name.
pub(crate) fn user_banks_dir() -> PathBuf {
    data_dir().join("banks")
}

/// The sessions directory: `--sessions`/`VIVA_SESSIONS`, else `<data dir>/sessions`.
pub(crate) fn sessions_dir(explicit: Option<&Path>) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .unwrap_or_else(|| data_dir().join("sessions"))
}
