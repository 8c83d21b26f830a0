//! Checks of one decoded piece against its audio, for the two ways Whisper
//! fails without a word of warning: it *invents* (a phrase repeated, a text
//! that compresses too well, more words than anyone says in that time) and
//! it *drops* (a stretch of speech with no transcript over it, far fewer
//! words than the speech holds). A piece that fails is decoded again
//! (`transcriber`); what was found and done is saved as a repair.
//!
//! Everything here is a pure function of the piece's voiced frames and the
//! decoded segments, so it is tested below without a model.

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::audio::level;
use crate::audio::WHISPER_RATE;
use crate::stt::wer;

/// faster-whisper and OpenAI's decoder re-decode above this gzip ratio:
/// text that compresses this well is a loop.
const MAX_COMPRESSION_RATIO: f64 = 2.4;
/// Below this many bytes the compression ratio says nothing.
const MIN_COMPRESSED_TEXT: usize = 60;
/// A run of this many words said again right after itself, or …
const REPEAT_MIN_WORDS: usize = 4;
/// … any phrase of [`REPEAT_MIN_WORDS`] words heard this often, is a loop.
const REPEAT_MIN_TIMES: usize = 3;
/// Words per voiced second above which a text cannot have been said. Fast
/// speech is about 4 words per voiced second.
const MAX_WORDS_PER_VOICED_S: f64 = 6.0;
/// Words per voiced second below which speech was dropped …
const MIN_WORDS_PER_VOICED_S: f64 = 0.8;
/// … when there is at least this much voiced audio to judge by.
const MIN_VOICED_TO_JUDGE_S: f64 = 3.0;
/// A voiced stretch this long with no segment over it is lost speech.
pub(crate) const LOST_STRETCH_S: f64 = 1.5;
/// Gaps shorter than this between voiced frames belong to one stretch
/// (the pauses between words).
const STRETCH_GAP_S: f64 = 0.3;
/// Segment times are Whisper's guesses: a stretch counts as covered when a
/// segment comes this close to it.
const TIME_SLACK_S: f64 = 0.5;

/// What is wrong with a decoded piece.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Problem {
    /// A phrase comes back again and again.
    Repeated,
    /// The text compresses too well (gzip ratio above 2.4).
    Compressible,
    /// More words than the speech could hold.
    TooManyWords,
    /// Far fewer words than the speech holds.
    TooFewWords,
    /// Voiced audio with no transcript over it, seconds into the piece.
    Uncovered { start_s: f64, end_s: f64 },
}

impl Problem {
    /// How bad it is, to choose between two decodings: loops and lost
    /// speech first.
    pub(crate) fn weight(self) -> u32 {
        match self {
            Problem::Repeated | Problem::Compressible => 3,
            Problem::Uncovered { .. } | Problem::TooFewWords => 2,
            Problem::TooManyWords => 1,
        }
    }
}

/// One decoded segment's text and times, seconds into its piece.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Heard<'a> {
    pub(crate) text: &'a str,
    pub(crate) start_s: f64,
    pub(crate) end_s: f64,
}

/// The problems of `heard` as a transcript of the 16 kHz `samples`.
pub(crate) fn check(samples: &[f32], heard: &[Heard<'_>]) -> Vec<Problem> {
    let text: String = heard.iter().map(|h| h.text).collect::<Vec<_>>().join(" ");
    let words = wer::words(&text);
    let mut problems = Vec::new();
    if repeats(&words) {
        problems.push(Problem::Repeated);
    }
    if compression_ratio(&text) > MAX_COMPRESSION_RATIO {
        problems.push(Problem::Compressible);
    }
    let stretches = voiced_stretches(samples);
    let voiced_s: f64 = stretches.iter().map(|(start, end)| end - start).sum();
    if voiced_s > 0.0 && words.len() as f64 / voiced_s > MAX_WORDS_PER_VOICED_S {
        problems.push(Problem::TooManyWords);
    }
    if voiced_s >= MIN_VOICED_TO_JUDGE_S && (words.len() as f64) < voiced_s * MIN_WORDS_PER_VOICED_S
    {
        problems.push(Problem::TooFewWords);
    }
    for &(start_s, end_s) in &stretches {
        if end_s - start_s < LOST_STRETCH_S {
            continue;
        }
        let covered = heard.iter().any(|h| {
            !wer::words(h.text).is_empty()
                && h.start_s < end_s + TIME_SLACK_S
                && h.end_s > start_s - TIME_SLACK_S
        });
        if !covered {
            problems.push(Problem::Uncovered { start_s, end_s });
        }
    }
    problems
}

/// The total weight of `problems` (0: a clean decoding).
pub(crate) fn badness(problems: &[Problem]) -> u32 {
    problems.iter().map(|p| p.weight()).sum()
}

/// True when a run of words repeats right after itself, or one phrase
/// comes back [`REPEAT_MIN_TIMES`] times.
fn repeats(words: &[String]) -> bool {
    let n = REPEAT_MIN_WORDS;
    if words.len() < 2 * n {
        return false;
    }
    // Back to back: words[i..i+len] == words[i+len..i+2len], len >= n.
    for len in n..=words.len() / 2 {
        for start in 0..=words.len() - 2 * len {
            if words[start..start + len] == words[start + len..start + 2 * len] {
                return true;
            }
        }
    }
    let mut counts: std::collections::HashMap<&[String], usize> = Default::default();
    for gram in words.windows(n) {
        let count = counts.entry(gram).or_default();
        *count += 1;
        if *count >= REPEAT_MIN_TIMES {
            return true;
        }
    }
    false
}

/// Bytes of text per byte of its zlib compression (0 for short texts).
fn compression_ratio(text: &str) -> f64 {
    let bytes = text.trim().as_bytes();
    if bytes.len() < MIN_COMPRESSED_TEXT {
        return 0.0;
    }
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let compressed = encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map_or(usize::MAX, |out| out.len().max(1));
    bytes.len() as f64 / compressed as f64
}

/// Stretches of voiced audio, `(start_s, end_s)`, with the short pauses
/// between words bridged.
pub(crate) fn voiced_stretches(samples: &[f32]) -> Vec<(f64, f64)> {
    let frame_s = level::FRAME as f64 / f64::from(WHISPER_RATE);
    let bridge = (STRETCH_GAP_S / frame_s).round() as usize;
    let mut stretches: Vec<(usize, usize)> = Vec::new();
    for (index, voiced) in level::voiced_frames(samples).into_iter().enumerate() {
        if !voiced {
            continue;
        }
        match stretches.last_mut() {
            Some((_, end)) if index - *end <= bridge => *end = index + 1,
            _ => stretches.push((index, index + 1)),
        }
    }
    stretches
        .into_iter()
        .map(|(start, end)| (start as f64 * frame_s, end as f64 * frame_s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: usize = 16_000;

    /// Seconds of "speech" (a loud tone) and of silence, in turn.
    fn audio(parts: &[(bool, f64)]) -> Vec<f32> {
        parts
            .iter()
            .flat_map(|&(loud, seconds)| {
                (0..(seconds * RATE as f64) as usize).map(move |i| {
                    if loud {
                        0.3 * (i as f32 * 0.07).sin()
                    } else {
                        0.0
                    }
                })
            })
            .collect()
    }

    fn heard(text: &str, start_s: f64, end_s: f64) -> Heard<'_> {
        Heard {
            text,
            start_s,
            end_s,
        }
    }

    #[test]
    fn a_plain_transcript_has_no_problem() {
        let samples = audio(&[(false, 0.3), (true, 3.0), (false, 0.5)]);
        let text = "We moved the builds to a new runner last spring.";
        assert_eq!(check(&samples, &[heard(text, 0.3, 3.3)]), vec![]);
    }

    #[test]
    fn loops_are_caught_back_to_back_and_scattered() {
        let samples = audio(&[(true, 8.0)]);
        let looped = "I'd use expand and contract. I'd use expand and contract. I'd use expand and contract.";
        let problems = check(&samples, &[heard(looped, 0.0, 8.0)]);
        assert!(problems.contains(&Problem::Repeated), "{problems:?}");
        assert!(repeats(&wer::words("a b c d x a b c d y a b c d")));
        assert!(!repeats(&wer::words(
            "we had had a plan and that that worked"
        )));
        assert!(compression_ratio(&"the same thing again, ".repeat(10)) > MAX_COMPRESSION_RATIO);
        assert!(compression_ratio("A short text.") == 0.0);
    }

    #[test]
    fn too_many_and_too_few_words_for_the_speech() {
        let samples = audio(&[(true, 2.0)]);
        let many = "one two three four five six seven eight nine ten eleven twelve thirteen";
        assert!(check(&samples, &[heard(many, 0.0, 2.0)]).contains(&Problem::TooManyWords));
        let samples = audio(&[(true, 10.0)]);
        let problems = check(&samples, &[heard("And audit logging.", 0.0, 10.0)]);
        assert!(problems.contains(&Problem::TooFewWords), "{problems:?}");
    }

    #[test]
    fn speech_with_no_segment_over_it_is_uncovered() {
        // 0.5 s silence, 4 s speech, 1 s silence, 3 s speech.
        let samples = audio(&[(false, 0.5), (true, 4.0), (false, 1.0), (true, 3.0)]);
        let text = "and audit logging is enabled so every read is recorded";
        let problems = check(&samples, &[heard(text, 5.5, 8.5)]);
        let uncovered: Vec<_> = problems
            .iter()
            .filter(|p| matches!(p, Problem::Uncovered { .. }))
            .collect();
        assert_eq!(uncovered.len(), 1, "{problems:?}");
        let Problem::Uncovered { start_s, end_s } = uncovered[0] else {
            unreachable!()
        };
        assert!((start_s - 0.5).abs() < 0.05 && (end_s - 4.5).abs() < 0.05);
        // Covered, given Whisper's loose times.
        let both = [
            heard("We store secrets in Vault.", 0.9, 4.2),
            heard(text, 5.5, 8.5),
        ];
        assert!(!check(&samples, &both)
            .iter()
            .any(|p| matches!(p, Problem::Uncovered { .. })));
    }

    #[test]
    fn stretches_bridge_the_pauses_between_words() {
        let samples = audio(&[
            (true, 1.0),
            (false, 0.2),
            (true, 1.0),
            (false, 0.6),
            (true, 0.5),
        ]);
        let stretches = voiced_stretches(&samples);
        assert_eq!(stretches.len(), 2, "{stretches:?}");
        assert!((stretches[0].1 - stretches[0].0 - 2.2).abs() < 0.05);
    }

    #[test]
    fn worse_problems_weigh_more() {
        assert!(badness(&[Problem::Repeated]) > badness(&[Problem::TooManyWords]));
        assert_eq!(badness(&[]), 0);
    }
}
