//! Speech to text: Whisper transcription, the model catalogue and fetch, and
//! the CTranslate2 → ggml import.

pub mod transcript;
