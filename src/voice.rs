//! Speaking questions aloud: a `Speaker` on the `tts` crate, with a print-only fallback.
