//! What a transcription produces; saved as JSON in session files and printed
//! by `viva transcribe --json`.

use serde::{Deserialize, Serialize};

/// A stretch of recognised speech with its times in the audio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Start, seconds from the beginning of the audio.
    pub start_s: f64,
    /// End, seconds from the beginning of the audio.
    pub end_s: f64,
    /// The words, trimmed.
    pub text: String,
}

/// The transcript of one audio file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// Length of the audio, seconds.
    pub duration_s: f64,
    /// All segments' text joined by spaces; empty when there was no speech.
    pub text: String,
    /// The segments in time order.
    pub segments: Vec<Segment>,
    /// True when the audio held no speech (then `text` is empty).
    pub no_speech: bool,
    /// Wall-clock seconds the transcription took.
    pub processing_s: f64,
}
