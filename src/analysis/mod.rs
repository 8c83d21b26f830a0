//! Answer metrics: what a coach would note about one spoken answer. How long
//! it took against the target, how fast it was spoken, which talking points
//! it covered and when, which key terms of the sample answer it used, and
//! its delivery (fillers, repeats, pauses, time to the first word).
//!
//! Everything here is a pure function of the question, the transcript and
//! the audio's speech span, so `viva review --recompute` can redo it when
//! the analysis improves; [`ANALYSIS_VERSION`] says which analysis made a
//! saved result.

mod concepts;
mod delivery;
mod jargon;
mod key_terms;
mod length;
mod pace;
mod talking_points;
mod text;

use serde::{Deserialize, Serialize};

use crate::audio::level::SpeechSpan;
use crate::bank::Question;
use crate::stt::transcript::Transcript;

pub use delivery::Delivery;
#[cfg(test)]
pub(crate) use delivery::{FillerCount, Repeat};
pub(crate) use key_terms::SampleTerms;
#[cfg(test)]
pub(crate) use length::TimingSource;
pub(crate) use length::{Length, LengthVerdict};
pub(crate) use pace::{Pace, PaceVerdict, FAST_WPM, SLOW_WPM};
pub(crate) use talking_points::PointCoverage;

/// The version of the analysis; raised whenever a change would give saved
/// answers different metrics.
pub const ANALYSIS_VERSION: u32 = 1;

/// Everything measured about one answer; saved in the answer's JSON and in
/// `session.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AnswerMetrics {
    /// The [`ANALYSIS_VERSION`] that computed these metrics.
    pub(crate) analysis_version: u32,
    /// True when the answer held no speech; then nothing was said, nothing
    /// covered and no pace measured.
    pub(crate) no_speech: bool,
    /// Spoken and total duration against the target.
    pub(crate) length: Length,
    /// Words per minute.
    pub(crate) pace: Pace,
    /// Each of the question's talking points, in the bank's order.
    pub(crate) talking_points: Vec<PointCoverage>,
    /// Key terms of the sample answer, used and missed.
    pub(crate) sample_terms: SampleTerms,
    /// Fillers, repeats, the longest pause and the time to the first word.
    pub(crate) delivery: Delivery,
}

/// Measure one answer.
///
/// `target_s` is the question's answer length target (`Bank::target_for`).
/// `speech` is the recording's speech span (`audio::level::speech_span` of
/// its 16 kHz samples); without it, durations fall back on Whisper's segment
/// times and the pause metrics are absent.
pub(crate) fn analyse(
    question: &Question,
    target_s: [u32; 2],
    transcript: &Transcript,
    speech: Option<SpeechSpan>,
) -> AnswerMetrics {
    let no_speech = transcript.no_speech || transcript.text.trim().is_empty();
    let words = if no_speech {
        text::Words::default()
    } else if transcript.segments.is_empty() {
        text::Words::from_text(&transcript.text)
    } else {
        text::Words::from_segments(&transcript.segments)
    };
    let jargon = jargon::Jargon::new(&question.aliases);
    let length = length::measure(transcript, speech, target_s);
    let delivery = delivery::measure(&words, speech, no_speech, length.spoken_s);
    AnswerMetrics {
        analysis_version: ANALYSIS_VERSION,
        no_speech,
        pace: pace::measure(words.spoken_count(), length.spoken_s),
        length,
        talking_points: talking_points::coverage(&question.talking_points, &words, &jargon),
        sample_terms: key_terms::compare(&words, &question.sample_answer, &jargon),
        delivery,
    }
}

/// Talking-point coverage of a plain text (no times): how `viva` judges a
/// written answer, and how the bank's sample answers are checked against
/// their own points.
#[cfg(test)]
pub(crate) fn cover_text(question: &Question, text: &str) -> Vec<PointCoverage> {
    let jargon = jargon::Jargon::new(&question.aliases);
    talking_points::coverage(
        &question.talking_points,
        &text::Words::from_text(text),
        &jargon,
    )
}

/// Fold the reply to follow-up `n` (its metrics, judged against the same
/// question) into an answer's: a talking point the answer missed and the
/// reply covered counts as covered after that follow-up.
pub(crate) fn fold_reply(answer: &mut AnswerMetrics, reply: &AnswerMetrics, n: usize) {
    for (point, from_reply) in answer.talking_points.iter_mut().zip(&reply.talking_points) {
        if !point.covered && from_reply.covered && point.point == from_reply.point {
            *point = from_reply.clone();
            point.follow_up = Some(n);
        }
    }
}

impl AnswerMetrics {
    /// Talking points covered in the answer itself (not after a
    /// follow-up), and how many there are.
    pub(crate) fn points_covered_at_first(&self) -> (usize, usize) {
        let covered = self
            .talking_points
            .iter()
            .filter(|point| point.covered && point.follow_up.is_none())
            .count();
        (covered, self.talking_points.len())
    }

    /// Talking points covered, follow-ups included, and how many there are.
    pub(crate) fn points_covered(&self) -> (usize, usize) {
        let covered = self
            .talking_points
            .iter()
            .filter(|point| point.covered)
            .count();
        (covered, self.talking_points.len())
    }

    /// A one-line verdict, e.g. "in range, good pace, 4/5 points", or
    /// "no speech".
    pub(crate) fn verdict(&self) -> String {
        if self.no_speech {
            return "no speech".to_string();
        }
        let mut parts = vec![self.length.verdict.describe().to_string()];
        if let Some(pace) = self.pace.verdict {
            parts.push(pace.describe().to_string());
        }
        let (covered, total) = self.points_covered();
        if total > 0 {
            parts.push(format!("{covered}/{total} points"));
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests;
