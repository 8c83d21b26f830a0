//! What a session folder holds, as plain serialisable structs. These files
//! are the API that `review`, `history` and future versions read, so every
//! field says what it means and new fields must be optional.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::analysis::AnswerMetrics;
use crate::bank::Question;
use crate::stt::transcript::Segment;

/// Version of the session folder format written by this viva.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// `session.json`: the whole session, rewritten after every answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SessionRecord {
    /// Session folder format version.
    pub(crate) format: u32,
    /// The viva version that wrote the session.
    pub(crate) viva_version: String,
    /// Which bank the questions came from.
    pub(crate) bank: BankRef,
    /// The Whisper model file used for transcription.
    pub(crate) model: String,
    /// The options the session ran with.
    pub(crate) settings: Settings,
    /// When the session started (RFC 3339, local offset).
    pub(crate) started_at: String,
    /// When the session ended (RFC 3339), absent while it runs or after a crash.
    #[serde(default)]
    pub(crate) ended_at: Option<String>,
    /// Where the session stands.
    pub(crate) status: SessionStatus,
    /// One entry per chosen question, in the order asked.
    pub(crate) answers: Vec<AnswerRecord>,
}

/// The bank a session used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct BankRef {
    /// The bank's id.
    pub(crate) id: String,
    /// The bank's title.
    pub(crate) title: String,
    /// What `--bank` named (a built-in name or a path).
    pub(crate) source: String,
    /// sha256 of the bank's content, so a later edit of the bank is noticed.
    pub(crate) sha256: String,
}

/// Options a session ran with (what `--resume` reuses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Settings {
    /// The longest answer, seconds; absent = each question's target maximum.
    #[serde(default)]
    pub(crate) time_limit_s: Option<f64>,
    /// Silence after speech that ends an answer, seconds.
    pub(crate) silence_s: f64,
    /// Whether questions were spoken.
    pub(crate) tts: bool,
    /// Answers taken from this folder instead of the microphone.
    #[serde(default)]
    pub(crate) answers_dir: Option<PathBuf>,
    /// The input device asked for, if any.
    #[serde(default)]
    pub(crate) input_device: Option<String>,
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SessionStatus {
    /// Questions are still being asked (or the process died).
    InProgress,
    /// Every chosen question was dealt with.
    Finished,
    /// The user ended it early with `q`.
    Quit,
    /// Ctrl-C or an error stopped it; `--resume` continues it.
    Interrupted,
}

/// The status of one question in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AnswerStatus {
    /// Not asked yet.
    NotAsked,
    /// Recorded; the transcription has not finished.
    Pending,
    /// Recorded and transcribed.
    Answered,
    /// Skipped by the user, or no answer file was given.
    Skipped,
    /// Recorded, but it held no speech.
    NoSpeech,
    /// Recording was cut off by Ctrl-C; the WAV holds what was said.
    Interrupted,
    /// Transcription failed; `error` says why.
    Failed,
}

impl std::fmt::Display for AnswerStatus {
    /// The status as a word a person reads ("no speech"); pads like a `str`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(match self {
            Self::NotAsked => "not asked",
            Self::Pending => "pending",
            Self::Answered => "answered",
            Self::Skipped => "skipped",
            Self::NoSpeech => "no speech",
            Self::Interrupted => "interrupted",
            Self::Failed => "failed",
        })
    }
}

impl AnswerStatus {
    /// True when the question still needs work on `--resume`.
    pub(crate) fn is_unfinished(self) -> bool {
        matches!(
            self,
            Self::NotAsked | Self::Pending | Self::Interrupted | Self::Failed
        )
    }
}

/// One question's answer; also written alone as `NN-<id>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AnswerRecord {
    /// The question's number in its bank (1..N).
    pub(crate) number: usize,
    /// The question's id.
    pub(crate) id: String,
    /// The question as asked.
    pub(crate) question: String,
    /// The bank's sample answer, kept here so the folder stands alone.
    #[serde(default)]
    pub(crate) sample_answer: String,
    /// Where this answer stands.
    pub(crate) status: AnswerStatus,
    /// The WAV file name, relative to the session folder.
    #[serde(default)]
    pub(crate) wav: Option<String>,
    /// Length of the recording, seconds.
    #[serde(default)]
    pub(crate) duration_s: Option<f64>,
    /// What ended the recording: enter, silence, time_limit, file, interrupted …
    #[serde(default)]
    pub(crate) ended_by: Option<String>,
    /// The transcript text (empty for no speech).
    #[serde(default)]
    pub(crate) text: Option<String>,
    /// Transcript segments with times.
    #[serde(default)]
    pub(crate) segments: Vec<Segment>,
    /// Metrics of the answer.
    #[serde(default)]
    pub(crate) metrics: Option<AnswerMetrics>,
    /// Why the answer failed, when it did.
    #[serde(default)]
    pub(crate) error: Option<String>,
}

impl AnswerRecord {
    /// A question chosen for the session, not yet asked.
    pub(crate) fn not_asked(number: usize, question: &Question) -> Self {
        Self {
            number,
            id: question.id.clone(),
            question: question.text.clone(),
            sample_answer: question.sample_answer.clone(),
            status: AnswerStatus::NotAsked,
            wav: None,
            duration_s: None,
            ended_by: None,
            text: None,
            segments: Vec::new(),
            metrics: None,
            error: None,
        }
    }

    /// The file stem for this answer's files: `NN-<id>`.
    pub(crate) fn file_stem(&self) -> String {
        format!("{:02}-{}", self.number, self.id)
    }
}
