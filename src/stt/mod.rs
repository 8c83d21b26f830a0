//! Speech to text: Whisper transcription, the model catalogue and fetch, and
//! the CTranslate2 → ggml import.

pub mod catalog;
pub mod ct2;
pub mod fetch;
pub mod ggml;
pub mod import;
pub mod load;
pub mod locate;
pub mod mel;
pub mod model_error;
pub mod model_input;
pub mod model_job;
pub mod model_names;
pub mod no_speech;
pub mod split;
pub mod transcriber;
pub mod transcript;
pub mod vocab;
pub mod wer;
