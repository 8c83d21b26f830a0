//! What the coverage benchmark (`benches/coverage.rs`) needs to measure the
//! judge against the labelled set, and to fit its weights: the verdict and
//! the features of each talking point of a written answer, its STAR parts,
//! and a whole analysis to time. Not part of viva's interface.

use super::coverage;
use super::text::Words;
use super::{analyse, judge_points, StarPart};
use crate::bank::Question;
use crate::model::embedder::Embedder;
use crate::stt::transcript::Transcript;

/// The names of the judge's features.
pub const FEATURES: [&str; FEATURE_COUNT] = coverage::FEATURES;

/// How many features the judge combines.
pub const FEATURE_COUNT: usize = coverage::FEATURE_COUNT;

/// One talking point of a written answer, as judged.
pub struct Verdict {
    pub point: String,
    pub covered: bool,
    /// The judge's features (with the embedding model only).
    pub features: Option<[f64; FEATURE_COUNT]>,
}

/// Judge the talking points of a written answer (no times).
pub fn judge_written(question: &Question, text: &str, embedder: Option<&Embedder>) -> Vec<Verdict> {
    let judged = judge_points(question, &Words::from_text(text), None, embedder);
    judged
        .points
        .into_iter()
        .enumerate()
        .map(|(index, point)| Verdict {
            point: point.point,
            covered: point.covered,
            features: judged.features.as_ref().map(|f| f[index]),
        })
        .collect()
}

/// Which STAR parts (situation, task, action, result) a written answer
/// tells; `None` when the question is not behavioural.
pub fn star_parts(
    question: &Question,
    text: &str,
    embedder: Option<&Embedder>,
) -> Option<[bool; 4]> {
    let star = judge_points(question, &Words::from_text(text), None, embedder).star?;
    Some(StarPart::ALL.map(|part| star.has(part)))
}

/// The judge's probability for features fitted with other `weights`
/// (the [`FEATURE_COUNT`] feature weights, then the bias).
pub fn probability_with(weights: &[f64; FEATURE_COUNT + 1], values: &[f64; FEATURE_COUNT]) -> f64 {
    let z: f64 =
        weights[FEATURE_COUNT] + values.iter().zip(weights).map(|(x, w)| x * w).sum::<f64>();
    1.0 / (1.0 + (-z).exp())
}

/// The whole analysis of one answer, as `viva practice` runs it; returns
/// the number of talking points covered.
pub fn analyse_answer(
    question: &Question,
    transcript: &Transcript,
    embedder: Option<&Embedder>,
) -> usize {
    analyse(question, [60, 120], transcript, None, embedder)
        .points_covered()
        .0
}

/// What `viva practice` embeds of a question while asking it (see
/// [`crate::analysis::prepare`]).
pub fn prepare_question(question: &Question, embedder: &Embedder) {
    super::prepare(question, embedder);
}

/// Debug aid: each passage of a written answer with its STAR part.
pub fn star_passages(question: &Question, text: &str) -> Vec<(String, Option<&'static str>)> {
    let words = Words::from_text(text);
    let cut = super::passages::cut(&words);
    let _ = question;
    super::star::label(&cut, &words.all, None)
        .into_iter()
        .zip(&cut)
        .map(|(label, passage)| (passage.text.clone(), label.main.map(|l| l.name())))
        .collect()
}

/// Exploration aid: everything the judge sees of a written answer (its
/// passages with stance, content stems and vector, each point's stems,
/// vectors and features, the sample's sentences with theirs), as JSON, for
/// trying features outside Rust.
pub fn dump_written(question: &Question, text: &str, embedder: &Embedder) -> serde_json::Value {
    use super::stance::Stance;
    use serde_json::json;
    let words = Words::from_text(text);
    let judged = judge_points(question, &words, None, Some(embedder));
    let Some(meaning) = &judged.meaning else {
        return serde_json::Value::Null;
    };
    let stance = |stance: &Stance| match stance {
        Stance::Plain => "plain",
        Stance::Tentative(_) => "tentative",
        Stance::Negated(_) => "negated",
        Stance::Hedged(_) => "hedged",
        Stance::Passing(_) => "passing",
    };
    let passages: Vec<_> = (judged.passages.iter().zip(&judged.stances))
        .zip(&meaning.passages)
        .map(|((passage, said), vector)| {
            json!({
                "text": passage.text,
                "words": passage.words.len(),
                "stance": stance(said),
                "stems": coverage::content_stems(&words.all[passage.words.clone()]).collect::<Vec<_>>(),
                "vec": vector,
            })
        })
        .collect();
    let sample_words = Words::from_text(&question.sample_answer);
    let sample_cut = super::passages::sentences(&sample_words);
    let sample: Vec<_> = (meaning.sample.iter().zip(&sample_cut))
        .map(|((text, vector), sentence)| {
            let stems: Vec<_> =
                coverage::content_stems(&sample_words.all[sentence.words.clone()]).collect();
            json!({"text": text, "stems": stems, "vec": vector})
        })
        .collect();
    let points: Vec<_> = (question.talking_points.iter().enumerate())
        .map(|(i, point)| {
            json!({
                "point": point,
                "stems": coverage::content_stems(&Words::from_text(point).all).collect::<Vec<_>>(),
                "vec": meaning.points[i],
                "with_exemplar": meaning.with_exemplar[i],
                "exemplar": meaning.exemplars[i],
                "features": judged.features.as_ref().map(|f| f[i]),
                "covered": judged.points[i].covered,
            })
        })
        .collect();
    json!({
        "spoken": words.spoken_count(),
        "passages": passages,
        "sample": sample,
        "points": points,
        "star": judged.star.as_ref().map(|s| super::StarPart::ALL.map(|part| s.has(part))),
    })
}
