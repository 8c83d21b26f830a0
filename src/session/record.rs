//! What a session folder holds, as plain serialisable structs. These files
//! are the API that `review`, `history` and future versions read, so every
//! field says what it means and new fields must be optional.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::analysis::AnswerMetrics;
use crate::bank::Question;
use crate::model::embedder::Embedder;
use crate::stt::transcript::{Gap, Repair, Segment, Transcript};

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
    pub(crate) started_at: Stamp,
    /// When the session ended (RFC 3339), absent while it runs or after a crash.
    #[serde(default)]
    pub(crate) ended_at: Option<Stamp>,
    /// Where the session stands.
    pub(crate) status: SessionStatus,
    /// One entry per chosen question, in the order asked.
    pub(crate) answers: Vec<AnswerRecord>,
}

impl SessionRecord {
    /// True while some answer still needs work (see [`AnswerRecord::work`]).
    pub(crate) fn is_unfinished(&self) -> bool {
        self.answers
            .iter()
            .any(|answer| answer.work() != Work::Done)
    }
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

/// Silence after speech that ends an answer when `--silence` is not given.
pub(crate) const DEFAULT_SILENCE_S: f64 = 4.0;

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
    /// Follow-up questions per answer that missed a talking point (0: none).
    #[serde(default = "default_follow_ups")]
    pub(crate) follow_ups: usize,
}

/// Follow-ups per answer when `--follow-ups` is not given.
pub(crate) const DEFAULT_FOLLOW_UPS: usize = 1;

fn default_follow_ups() -> usize {
    DEFAULT_FOLLOW_UPS
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            time_limit_s: None,
            silence_s: DEFAULT_SILENCE_S,
            tts: true,
            answers_dir: None,
            input_device: None,
            follow_ups: DEFAULT_FOLLOW_UPS,
        }
    }
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

/// What ended an answer's recording; saved as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum EndedBy {
    /// Enter (or `q`, which also ends the session).
    Enter,
    /// `q`: the answer and the session end here.
    Quit,
    /// Silence after speech.
    Silence,
    /// The time limit.
    TimeLimit,
    /// Taken from a file (`--answers`).
    File,
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// The input device stopped delivering audio.
    DeviceLost,
    /// The disk filled up; the file holds what could be written.
    DiskFull,
    /// The process died; the file was repaired on recovery.
    Crash,
}

/// What `--resume` still has to do for an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Work {
    /// Nothing: answered, skipped or no speech.
    Done,
    /// Ask the question (again): never asked, or nothing was recorded.
    Ask,
    /// Transcribe the recording that is there.
    Transcribe,
}

/// A moment in local time, saved as RFC 3339 with the local offset
/// (`2026-11-27T23:10:05+01:00`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stamp(pub(crate) jiff::Zoned);

const STAMP_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%:z";

impl Stamp {
    pub(crate) fn now() -> Self {
        Self(jiff::Zoned::now())
    }

    /// The calendar day, `2026-11-27`.
    pub(crate) fn date(&self) -> String {
        self.0.strftime("%Y-%m-%d").to_string()
    }

    /// Day and minute for people, `2026-11-27 23:10`.
    pub(crate) fn readable(&self) -> String {
        self.0.strftime("%Y-%m-%d %H:%M").to_string()
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(&self.0.strftime(STAMP_FORMAT).to_string())
    }
}

impl std::str::FromStr for Stamp {
    type Err = jiff::Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        jiff::fmt::strtime::parse(STAMP_FORMAT, text)?
            .to_zoned()
            .map(Self)
    }
}

impl Serialize for Stamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
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
    /// What ended the recording.
    #[serde(default)]
    pub(crate) ended_by: Option<EndedBy>,
    /// The transcript text (empty for no speech).
    #[serde(default)]
    pub(crate) text: Option<String>,
    /// Transcript segments with times.
    #[serde(default)]
    pub(crate) segments: Vec<Segment>,
    /// Pieces whose first decoding failed a check and were decoded again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) repairs: Vec<Repair>,
    /// Speech the transcript still does not cover.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) gaps: Vec<Gap>,
    /// Metrics of the answer.
    #[serde(default)]
    pub(crate) metrics: Option<AnswerMetrics>,
    /// Why the answer failed, when it did.
    #[serde(default)]
    pub(crate) error: Option<String>,
    /// Follow-up questions asked after the answer, in order, with the
    /// replies (absent in sessions from before follow-ups).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) follow_ups: Vec<FollowUpRecord>,
}

/// A follow-up question about a missed talking point, and the reply; also
/// written alone as `NN-<id>-fN.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct FollowUpRecord {
    /// The talking point it asks about, as the bank words it.
    pub(crate) point: String,
    /// The question as asked.
    pub(crate) question: String,
    /// Where the reply stands (`skipped` when there was none).
    pub(crate) status: AnswerStatus,
    /// The reply's WAV, relative to the session folder.
    #[serde(default)]
    pub(crate) wav: Option<String>,
    /// Length of the reply, seconds.
    #[serde(default)]
    pub(crate) duration_s: Option<f64>,
    /// What ended the reply's recording.
    #[serde(default)]
    pub(crate) ended_by: Option<EndedBy>,
    /// The reply's transcript.
    #[serde(default)]
    pub(crate) text: Option<String>,
    #[serde(default)]
    pub(crate) segments: Vec<Segment>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) repairs: Vec<Repair>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) gaps: Vec<Gap>,
    /// Metrics of the reply alone.
    #[serde(default)]
    pub(crate) metrics: Option<AnswerMetrics>,
    #[serde(default)]
    pub(crate) error: Option<String>,
}

impl FollowUpRecord {
    /// A follow-up about `point`, asked as `question`, before its reply.
    pub(crate) fn asked(point: &str, question: &str) -> Self {
        Self {
            point: point.to_string(),
            question: question.to_string(),
            status: AnswerStatus::Pending,
            wav: None,
            duration_s: None,
            ended_by: None,
            text: None,
            segments: Vec::new(),
            repairs: Vec::new(),
            gaps: Vec::new(),
            metrics: None,
            error: None,
        }
    }

    /// A reply recorded and not yet transcribed.
    pub(crate) fn needs_transcript(&self) -> bool {
        self.wav.is_some()
            && matches!(
                self.status,
                AnswerStatus::Pending | AnswerStatus::Interrupted | AnswerStatus::Failed
            )
    }
}

/// A transcript as saved in an answer's (or a reply's) record. Repairs and
/// gaps are not needed by the analysis.
fn saved_transcript(
    duration_s: Option<f64>,
    text: Option<&str>,
    segments: &[Segment],
    status: AnswerStatus,
) -> Transcript {
    let duration_s = duration_s
        .or_else(|| segments.last().map(|s| s.end_s))
        .unwrap_or(0.0);
    Transcript {
        duration_s,
        text: text.unwrap_or_default().to_string(),
        segments: segments.to_vec(),
        no_speech: status == AnswerStatus::NoSpeech,
        processing_s: 0.0,
        repairs: Vec::new(),
        gaps: Vec::new(),
    }
}

impl FollowUpRecord {
    /// The reply's transcript as saved.
    pub(crate) fn transcript(&self) -> Transcript {
        saved_transcript(
            self.duration_s,
            self.text.as_deref(),
            &self.segments,
            self.status,
        )
    }
}

/// The longest reply to a follow-up, seconds, for a question whose target
/// is at most `max_s`: half of it.
pub(crate) fn reply_target_s(max_s: u32) -> u32 {
    (max_s / 2).max(10)
}

impl AnswerRecord {
    /// The answer's transcript as saved.
    pub(crate) fn transcript(&self) -> Transcript {
        saved_transcript(
            self.duration_s,
            self.text.as_deref(),
            &self.segments,
            self.status,
        )
    }

    /// Judge the talking points again over the answer and its replies
    /// together, reply by reply: a point the answer missed and that is
    /// covered once reply `n` is heard is marked covered after follow-up `n`.
    pub(crate) fn fold_replies(&mut self, question: &Question, embedder: Option<&Embedder>) {
        if self.metrics.is_none() {
            return;
        }
        let mut parts = vec![self.transcript()];
        for (index, reply) in self.follow_ups.iter().enumerate() {
            if reply.status != AnswerStatus::Answered {
                continue;
            }
            let offset_s: f64 = parts.iter().map(|part| part.duration_s).sum();
            parts.push(reply.transcript());
            let together = crate::analysis::judge_together(question, &parts, embedder);
            if let Some(metrics) = self.metrics.as_mut() {
                crate::analysis::fold_reply(metrics, &together, index + 1, offset_s);
            }
        }
    }

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
            repairs: Vec::new(),
            gaps: Vec::new(),
            metrics: None,
            error: None,
            follow_ups: Vec::new(),
        }
    }

    /// What `--resume` still has to do for this answer: one definition of
    /// "unfinished" for the runner, `--resume` and `viva doctor`.
    pub(crate) fn work(&self) -> Work {
        match self.status {
            _ if self.follow_ups.iter().any(FollowUpRecord::needs_transcript) => Work::Transcribe,
            AnswerStatus::Answered | AnswerStatus::Skipped | AnswerStatus::NoSpeech => Work::Done,
            AnswerStatus::NotAsked => Work::Ask,
            AnswerStatus::Pending | AnswerStatus::Interrupted | AnswerStatus::Failed => {
                if self.wav.is_some() {
                    Work::Transcribe
                } else {
                    Work::Ask
                }
            }
        }
    }

    /// The file stem for this answer's files: `NN-<id>`.
    pub(crate) fn file_stem(&self) -> String {
        format!("{:02}-{}", self.number, self.id)
    }

    /// The file stem of the `n`th follow-up's reply (1-based): `NN-<id>-fN`.
    pub(crate) fn follow_up_stem(&self, n: usize) -> String {
        format!("{}-f{n}", self.file_stem())
    }

    /// True when the answer's own recording waits for a transcript.
    pub(crate) fn needs_transcript(&self) -> bool {
        self.wav.is_some()
            && matches!(
                self.status,
                AnswerStatus::Pending | AnswerStatus::Interrupted | AnswerStatus::Failed
            )
    }
}
