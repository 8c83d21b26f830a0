//! Loading a ggml model into whisper.cpp, quietly and safely.
//!
//! whisper.cpp prints its progress to stderr and trusts the file it reads (a
//! malformed one can crash it). So the file's structure is checked in Rust
//! first, whisper.cpp's log goes to a callback that keeps only its error
//! lines, and a refused model becomes a [`ModelError`] quoting those lines.

use std::ffi::{c_char, c_void, CStr};
use std::path::Path;
use std::sync::{Mutex, Once};

use whisper_rs::{WhisperContext, WhisperContextParameters};
use whisper_rs_sys::{ggml_log_level, ggml_log_level_GGML_LOG_LEVEL_ERROR};

use crate::model::error::ModelError;
use crate::model::ggml;

/// whisper.cpp's error lines since the last [`take_errors`] (bounded).
static ERRORS: Mutex<Vec<String>> = Mutex::new(Vec::new());
const MAX_KEPT_ERRORS: usize = 16;

/// Keeps whisper.cpp's and ggml's error lines, drops the rest. Runs on
/// whisper.cpp's threads: it must not panic.
unsafe extern "C" fn on_log(level: ggml_log_level, text: *const c_char, _user: *mut c_void) {
    if level != ggml_log_level_GGML_LOG_LEVEL_ERROR || text.is_null() {
        return;
    }
    // SAFETY: whisper.cpp passes a NUL-terminated string that lives for this call.
    let line = unsafe { CStr::from_ptr(text) }.to_string_lossy();
    let line = line.trim();
    if let Ok(mut errors) = ERRORS.lock() {
        if !line.is_empty() && errors.len() < MAX_KEPT_ERRORS {
            errors.push(line.to_string());
        }
    }
}

/// Route whisper.cpp's (and ggml's) log to [`on_log`]; once per process.
pub(crate) fn silence_whisper_log() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // SAFETY: `on_log` is a plain function that lives for the whole process.
        unsafe { whisper_rs_sys::whisper_log_set(Some(on_log), std::ptr::null_mut()) };
    });
}

fn take_errors() -> Vec<String> {
    ERRORS
        .lock()
        .map(|mut e| std::mem::take(&mut *e))
        .unwrap_or_default()
}

/// Load the ggml model at `path` with whisper.cpp's default parameters.
pub(crate) fn load_context(path: &Path) -> Result<WhisperContext, ModelError> {
    load_context_with(path, WhisperContextParameters::default())
}

/// Load the ggml model at `path` with the given parameters.
pub(crate) fn load_context_with(
    path: &Path,
    params: WhisperContextParameters,
) -> Result<WhisperContext, ModelError> {
    let not_a_model = |reason: String| ModelError::NotAModel {
        path: path.to_path_buf(),
        reason,
    };
    if let Err(err) = ggml::inspect(path) {
        return Err(match err {
            ggml::FormatError::Io(source) => ModelError::Unreadable {
                path: path.to_path_buf(),
                cause: source,
            },
            other => not_a_model(other.to_string()),
        });
    }
    silence_whisper_log();
    take_errors();
    match WhisperContext::new_with_params(path, params) {
        Ok(context) => Ok(context),
        Err(err) => {
            let lines = take_errors();
            let reason = if lines.is_empty() {
                format!("whisper.cpp refused it: {err}")
            } else {
                format!("whisper.cpp: {}", lines.join("; "))
            };
            Err(not_a_model(reason))
        }
    }
}
