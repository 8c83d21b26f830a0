//! Cutting audio into pieces for Whisper, at pauses, as it arrives.
//!
//! whisper.cpp encodes a whole 30 s window even for the last few seconds of
//! audio; pieces cut at pauses and each given just the context it needs (see
//! `transcriber`) cost the encoder only the audio there is. The cut is
//! decided from the audio so far, so the same rule serves a file
//! ([`pieces`]) and a recording still going on ([`Splitter`], which `viva
//! practice` feeds while the person speaks): both give the same pieces, and
//! so the same words.
//!
//! The rule: once a piece holds [`MIN_PIECE_S`] of audio, it ends in the
//! middle of the first pause of [`PAUSE_S`]; one that reaches
//! [`MAX_PIECE_S`] without such a pause ends in the middle of its longest
//! pause (or its quietest frame). The last piece ends in the middle of the
//! pause after its last speech: trailing silence is dropped.

use std::ops::Range;

use crate::audio::level;
use crate::audio::WHISPER_RATE;

/// The longest piece: under Whisper's 30 s window with room for the margin
/// the fitted context adds.
pub(crate) const MAX_PIECE_S: f64 = 28.0;

/// A piece is not cut before it holds this much audio, so that Whisper has
/// context.
pub(crate) const MIN_PIECE_S: f64 = 8.0;

/// A pause this long ends a piece that is long enough.
pub(crate) const PAUSE_S: f64 = 0.6;

const FRAME: usize = level::FRAME;

fn frames(seconds: f64) -> usize {
    (seconds * f64::from(WHISPER_RATE) / FRAME as f64).round() as usize
}

/// Sample ranges covering the speech of `samples` (16 kHz) in order.
pub(crate) fn pieces(samples: &[f32]) -> Vec<Range<usize>> {
    let mut splitter = Splitter::new();
    let mut ranges = splitter.push(samples);
    ranges.extend(splitter.finish());
    ranges
}

/// Cuts a growing recording into pieces; feed it with [`Splitter::push`].
#[derive(Debug, Clone)]
pub(crate) struct Splitter {
    /// Every sample so far.
    samples: Vec<f32>,
    /// Voiced flag of every whole frame so far.
    voiced: Vec<bool>,
    /// Frame where the current piece starts.
    start: usize,
}

impl Default for Splitter {
    fn default() -> Self {
        Self::new()
    }
}

impl Splitter {
    pub(crate) fn new() -> Self {
        Self {
            samples: Vec::new(),
            voiced: Vec::new(),
            start: 0,
        }
    }

    /// The samples received so far.
    pub(crate) fn samples(&self) -> &[f32] {
        &self.samples
    }

    /// Add samples; the pieces that are now complete.
    pub(crate) fn push(&mut self, samples: &[f32]) -> Vec<Range<usize>> {
        self.samples.extend_from_slice(samples);
        let whole = self.samples.len() / FRAME;
        let mut done = Vec::new();
        for index in self.voiced.len()..whole {
            let frame = &self.samples[index * FRAME..(index + 1) * FRAME];
            self.voiced.push(level::dbfs(frame) > level::VOICED_DBFS);
            if let Some(cut) = self.cut_at(index + 1) {
                done.push(self.start * FRAME..cut * FRAME);
                self.start = cut;
            }
        }
        done
    }

    /// The last piece: from the last cut to the middle of the pause after
    /// the last speech (`None` when there is no speech left).
    pub(crate) fn finish(self) -> Option<Range<usize>> {
        let tail = self.tail()?;
        Some(tail)
    }

    /// What [`finish`](Self::finish) would give now: the piece in progress,
    /// trimmed of trailing silence. While the person pauses this is the
    /// last piece if they say no more, so it can be transcribed early.
    pub(crate) fn tail(&self) -> Option<Range<usize>> {
        let last_voiced = self.voiced[self.start..].iter().rposition(|&v| v)? + self.start;
        let end_frame = (last_voiced + 1 + frames(PAUSE_S) / 2).min(self.voiced.len());
        let end = if end_frame == self.voiced.len() {
            self.samples.len()
        } else {
            end_frame * FRAME
        };
        Some(self.start * FRAME..end)
    }

    /// Where the current piece ends, if the frames up to `seen` decide it:
    /// 0.3 s into a pause of [`PAUSE_S`] once the piece is long enough.
    fn cut_at(&self, seen: usize) -> Option<usize> {
        let length = seen - self.start;
        if length < frames(MIN_PIECE_S) {
            return None;
        }
        // The unvoiced run ending at `seen`, if it is a pause long enough.
        let pause = frames(PAUSE_S);
        let run = self.voiced[self.start..seen]
            .iter()
            .rev()
            .take_while(|&&v| !v)
            .count();
        let piece_has_speech = self.voiced[self.start..seen - run].iter().any(|&v| v);
        if run >= pause && piece_has_speech {
            return Some(seen - run + pause / 2);
        }
        if length >= frames(MAX_PIECE_S) {
            return Some(self.longest_pause_middle(self.start + frames(MIN_PIECE_S), seen));
        }
        None
    }

    /// The middle of the longest unvoiced run in `from..to`, or its quietest
    /// frame when every frame there is voiced.
    fn longest_pause_middle(&self, from: usize, to: usize) -> usize {
        let mut best: Option<(usize, usize)> = None; // (start, length)
        let mut run_start = None;
        for index in from..=to {
            let unvoiced = index < to && !self.voiced[index];
            match (unvoiced, run_start) {
                (true, None) => run_start = Some(index),
                (false, Some(s)) => {
                    if best.is_none_or(|(_, len)| index - s > len) {
                        best = Some((s, index - s));
                    }
                    run_start = None;
                }
                _ => {}
            }
        }
        match best {
            Some((s, len)) => s + len / 2,
            None => (from..to)
                .min_by(|&a, &b| {
                    let level = |i: usize| level::dbfs(&self.samples[i * FRAME..(i + 1) * FRAME]);
                    level(a).total_cmp(&level(b))
                })
                .unwrap_or(to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: usize = 16_000;

    fn tone(seconds: f64) -> Vec<f32> {
        (0..(seconds * RATE as f64) as usize)
            .map(|i| 0.3 * (i as f32 * 0.07).sin())
            .collect()
    }

    fn silence(seconds: f64) -> Vec<f32> {
        vec![0.0; (seconds * RATE as f64) as usize]
    }

    fn seconds(at: usize) -> f64 {
        at as f64 / RATE as f64
    }

    fn joined(parts: &[Vec<f32>]) -> Vec<f32> {
        parts.concat()
    }

    #[test]
    fn short_speech_is_one_piece_without_its_trailing_silence() {
        let samples = joined(&[silence(0.3), tone(5.0), silence(3.0)]);
        let ranges = pieces(&samples);
        assert_eq!(ranges.len(), 1, "{ranges:?}");
        assert_eq!(ranges[0].start, 0);
        let end = seconds(ranges[0].end);
        assert!((end - 5.6).abs() < 0.05, "ends at {end}");
        assert!(pieces(&[]).is_empty());
        assert!(pieces(&silence(2.0)).is_empty());
    }

    #[test]
    fn a_long_enough_piece_ends_in_its_first_pause() {
        // 9 s of speech, a 1 s pause, 6 s more: cut 0.3 s into the pause.
        let samples = joined(&[tone(9.0), silence(1.0), tone(6.0)]);
        let ranges = pieces(&samples);
        assert_eq!(ranges.len(), 2, "{ranges:?}");
        let cut = seconds(ranges[0].end);
        assert!((cut - 9.3).abs() < 0.05, "cut at {cut}");
        assert_eq!(ranges[1].start, ranges[0].end);
        assert_eq!(ranges[1].end, samples.len());
    }

    #[test]
    fn pauses_before_the_minimum_do_not_cut_and_one_under_way_does() {
        // Pauses at 3-4 s and 7-8.5 s: the first is too early; the second
        // is still going on when the piece reaches 8 s.
        let samples = joined(&[tone(3.0), silence(1.0), tone(3.0), silence(1.5), tone(6.0)]);
        let ranges = pieces(&samples);
        assert_eq!(ranges.len(), 2, "{ranges:?}");
        assert!((seconds(ranges[0].end) - 7.3).abs() < 0.05, "{ranges:?}");
    }

    #[test]
    fn speech_without_pauses_is_cut_within_the_limits() {
        let samples = tone(70.0);
        let ranges = pieces(&samples);
        assert!(ranges.len() >= 3, "{ranges:?}");
        for range in &ranges[..ranges.len() - 1] {
            let len_s = seconds(range.len());
            assert!(
                (MIN_PIECE_S..=MAX_PIECE_S + 0.05).contains(&len_s),
                "{len_s}"
            );
        }
        for pair in ranges.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
        assert_eq!(ranges.last().unwrap().end, samples.len());
    }

    #[test]
    fn a_recording_fed_bit_by_bit_gives_the_same_pieces_as_the_file() {
        let samples = joined(&[
            silence(0.5),
            tone(10.0),
            silence(0.8),
            tone(4.0),
            silence(0.4),
            tone(20.0),
            silence(0.3),
            tone(9.0),
            silence(2.0),
        ]);
        let whole = pieces(&samples);
        for chunk in [160, 480, 1_000, 16_000] {
            let mut splitter = Splitter::new();
            let mut fed = Vec::new();
            for part in samples.chunks(chunk) {
                fed.extend(splitter.push(part));
            }
            fed.extend(splitter.finish());
            assert_eq!(fed, whole, "chunks of {chunk}");
        }
    }

    #[test]
    fn the_tail_while_pausing_is_the_last_piece_if_nothing_follows() {
        let mut splitter = Splitter::new();
        splitter.push(&joined(&[tone(4.0), silence(1.0)]));
        let tail = splitter.tail().unwrap();
        let mut with_more_silence = splitter.clone();
        with_more_silence.push(&silence(3.0));
        assert_eq!(with_more_silence.finish(), Some(tail));
    }
}
