//! What a transcription produces; saved as JSON in session files and printed
//! by `viva transcribe --json`.

use serde::{Deserialize, Serialize};

use crate::stt::guard::Problem;

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
    /// Pieces of the audio whose first decoding failed a check and were
    /// decoded again.
    #[serde(default)]
    pub repairs: Vec<Repair>,
    /// Speech that still has no transcript after repair: the transcript does
    /// not cover its audio there.
    #[serde(default)]
    pub gaps: Vec<Gap>,
}

impl Transcript {
    /// `duration_s` of audio with no speech in it.
    pub fn silent(duration_s: f64) -> Self {
        Self {
            duration_s,
            text: String::new(),
            segments: Vec::new(),
            no_speech: true,
            processing_s: 0.0,
            repairs: Vec::new(),
            gaps: Vec::new(),
        }
    }
}

/// One piece decoded again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repair {
    /// The piece, seconds from the beginning of the audio.
    pub start_s: f64,
    pub end_s: f64,
    /// What the first decoding got wrong.
    pub found: Vec<Problem>,
    /// How it was decoded again, e.g. "without the prompt, full context".
    pub retried: String,
    /// Whether the new decoding was kept (it had fewer problems).
    pub kept: bool,
}

/// Voiced audio with no transcript over it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    pub start_s: f64,
    pub end_s: f64,
}
