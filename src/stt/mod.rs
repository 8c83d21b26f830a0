//! Speech to text: Whisper transcription of 16 kHz mono audio, cut into
//! pieces at pauses, with the guards against silence taken for words.
//! Getting and checking the model files is `model`'s job.

pub mod guard;
pub(crate) mod no_speech;
pub mod prompt;
pub(crate) mod split;
pub(crate) mod token_cap;
pub mod transcriber;
pub mod transcript;
pub mod wer;
