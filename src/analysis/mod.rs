//! Answer metrics: what a coach would note about one spoken answer. How long
//! it took against the target, how fast it was spoken, which talking points
//! it covered and when, which key terms of the sample answer it used, and
//! its delivery (fillers, repeats, pauses, time to the first word).
//!
//! Talking points are judged by meaning and words together (`coverage`);
//! a behavioural question's story is cut into its STAR parts (`star`); and
//! across a session, `focus` picks the three things to work on.
//!
//! Everything here is a pure function of the question, the transcript, the
//! audio's speech span and the embedding model (when there is one), so
//! `viva review --recompute` can redo it when the analysis improves;
//! [`ANALYSIS_VERSION`] says which analysis made a saved result.

mod concepts;
mod coverage;
mod delivery;
pub mod eval;
pub(crate) mod focus;
mod jargon;
mod key_terms;
mod length;
mod meaning;
mod pace;
mod passages;
mod stance;
mod star;
mod talking_points;
mod text;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::audio::level::SpeechSpan;
use crate::bank::Question;
use crate::model::embedder::Embedder;
use crate::stt::transcript::{Segment, Transcript};
use crate::units;

pub(crate) use coverage::Judge;
pub(crate) use star::{Star, StarPart};

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
///
/// 2: talking points judged by meaning (the embedding model) with negation
/// and hedging, evidence and hints, STAR parts of behavioural answers.
/// 3: a passage that hands the work to someone else ("that's more of a QA
/// thing", "not really something we could do") or hopes ("I'd hope") does
/// not show a point; the judge also weighs how many of the exemplar's words
/// the answer said, with weights refitted on all dev labels.
/// 4: a passing mention that only calls a thing important ("documentation
/// is important, obviously") does not show it; "that'd be nice" hedges like
/// "would be nice"; weights refitted on the dev labels.
/// 5: the sample's sentences are shared out among the points as exemplars,
/// a different one each; weights refitted on the dev labels.
/// 6: the STAR points ("the situation", "the outcome") have weights of
/// their own; refitted on the dev labels.
/// 7: weights refitted on the larger dev set (11 banks), threshold 0.35.
/// 8: weights refitted on the dev set with more writers (13 banks).
pub const ANALYSIS_VERSION: u32 = 8;

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
    /// Which judge decided the talking points.
    #[serde(default)]
    pub(crate) judged_by: Judge,
    /// The STAR parts, for a behavioural question ("Tell me about a time …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) star: Option<Star>,
}

/// Measure one answer.
///
/// `target_s` is the question's answer length target (`Bank::target_for`).
/// `speech` is the recording's speech span (`audio::level::speech_span` of
/// its 16 kHz samples); without it, durations fall back on Whisper's segment
/// times and the pause metrics are absent. Without `embedder` (the model is
/// missing) talking points are judged by words only.
pub(crate) fn analyse(
    question: &Question,
    target_s: [u32; 2],
    transcript: &Transcript,
    speech: Option<SpeechSpan>,
    embedder: Option<&Embedder>,
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
    let end_s = speech
        .map(|span| span.last_s)
        .or_else(|| transcript.segments.last().map(|segment| segment.end_s));
    let judged = judge_points(question, &words, end_s, embedder);
    AnswerMetrics {
        analysis_version: ANALYSIS_VERSION,
        no_speech,
        pace: pace::measure(words.spoken_count(), length.spoken_s),
        length,
        talking_points: judged.points,
        sample_terms: key_terms::compare(&words, &question.sample_answer, &jargon),
        delivery,
        judged_by: judged.judge,
        star: judged.star,
    }
}

/// The talking points (and STAR parts) of one answer.
struct Judged {
    points: Vec<PointCoverage>,
    judge: Judge,
    star: Option<Star>,
    /// The judge's features of each point, when the model judged.
    features: Option<Vec<[f64; coverage::FEATURE_COUNT]>>,
    /// What it judged from: the answer's passages, their stances, and
    /// their vectors and the question's (with the model).
    passages: Vec<passages::Passage>,
    stances: Vec<stance::Stance>,
    meaning: Option<meaning::Meaning>,
}

/// Embed what a question says about itself (its points, its sample answer
/// and, for a behavioural question, the STAR descriptions) into the
/// embedder's cache, so that the analysis of an answer to it embeds only
/// the answer: about half of a 2-minute answer's analysis, done while the
/// question is asked. A failure is left to that analysis, which falls back
/// on the words.
pub(crate) fn prepare(question: &Question, embedder: &Embedder) {
    let sample_words = text::Words::from_text(&question.sample_answer);
    let sample = passages::sentences(&sample_words);
    let _ = meaning::embed(
        embedder,
        &question.talking_points,
        &question.sample_answer,
        &sample,
        &[],
        star::is_behavioural(&question.text),
    );
}

/// Judge the talking points of an answer's `words`; `end_s` is when its
/// speech ends (for the last STAR part's length).
fn judge_points(
    question: &Question,
    words: &text::Words,
    end_s: Option<f64>,
    embedder: Option<&Embedder>,
) -> Judged {
    let jargon = jargon::Jargon::new(&question.aliases);
    let cut = passages::cut(words);
    let stances: Vec<stance::Stance> = cut
        .iter()
        .map(|passage| stance::stance(&words.all[passage.words.clone()]))
        .collect();
    let behavioural = star::is_behavioural(&question.text);
    let sample_words = text::Words::from_text(&question.sample_answer);
    let sample = passages::sentences(&sample_words);
    // A failure of the model (it cannot happen with a model that loaded)
    // falls back on the words.
    let meaning = embedder.and_then(|embedder| {
        meaning::embed(
            embedder,
            &question.talking_points,
            &question.sample_answer,
            &sample,
            &cut,
            behavioural,
        )
        .ok()
    });
    let labels = behavioural.then(|| {
        let similarity = meaning.as_ref().and_then(|m| m.star.as_deref());
        star::label(&cut, &words.all, similarity)
    });
    let star = labels
        .as_ref()
        .map(|labels| star::summarise(&cut, labels, end_s));
    let answer = coverage::Answer {
        words,
        passages: &cut,
        stances: &stances,
        star: star.as_ref(),
        star_labels: labels.as_deref(),
    };
    let sample_stems: Vec<HashSet<&str>> = sample
        .iter()
        .map(|sentence| {
            coverage::content_stems(&sample_words.all[sentence.words.clone()]).collect()
        })
        .collect();
    let judgement = coverage::judge(
        &question.talking_points,
        &answer,
        meaning.as_ref(),
        &sample_stems,
        &jargon,
    );
    Judged {
        points: judgement.points,
        judge: if meaning.is_some() {
            Judge::Meaning
        } else {
            Judge::Words
        },
        star,
        features: judgement.features,
        passages: cut,
        stances,
        meaning,
    }
}

/// Talking-point coverage of a plain text (no times): how `viva` judges a
/// written answer, and how the bank's sample answers are checked against
/// their own points.
#[cfg(test)]
pub(crate) fn cover_text(question: &Question, text: &str) -> Vec<PointCoverage> {
    judge_points(question, &text::Words::from_text(text), None, None).points
}

/// The talking points judged over an answer and its replies together, as
/// one text: the answer's transcript, then each reply's, its times after
/// the one before.
pub(crate) fn judge_together(
    question: &Question,
    parts: &[Transcript],
    embedder: Option<&Embedder>,
) -> Vec<PointCoverage> {
    let mut together = Transcript::silent(0.0);
    for part in parts.iter().filter(|part| !part.no_speech) {
        let offset = together.duration_s;
        together.no_speech = false;
        if !together.text.is_empty() {
            together.text.push(' ');
        }
        together.text.push_str(part.text.trim());
        together
            .segments
            .extend(part.segments.iter().map(|segment| Segment {
                start_s: segment.start_s + offset,
                end_s: segment.end_s + offset,
                text: segment.text.clone(),
            }));
        together.duration_s = offset + part.duration_s;
    }
    analyse(question, [0, 0], &together, None, embedder).talking_points
}

/// Fold what answer and replies together covered (`together`, judged up to
/// follow-up `n`) into the answer's own judgement: a point the answer
/// missed and that is covered once the reply is heard counts as covered
/// after that follow-up. Its time is then one in the replies.
pub(crate) fn fold_reply(
    answer: &mut AnswerMetrics,
    together: &[PointCoverage],
    n: usize,
    reply_offset_s: f64,
) {
    for (point, with_reply) in answer.talking_points.iter_mut().zip(together) {
        if !point.covered && with_reply.covered && point.point == with_reply.point {
            *point = with_reply.clone();
            point.first_mention_s = point
                .first_mention_s
                .map(|at| units::round2((at - reply_offset_s).max(0.0)));
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
