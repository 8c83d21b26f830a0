//! Cutting long audio into pieces that each fit one Whisper window, at
//! pauses. whisper.cpp walks long audio in 30 s windows and encodes every
//! window whole, even the last few seconds, and its windows overlap where a
//! segment ended early; pieces cut at pauses and each given just the context
//! it needs (see `transcriber`) cost the encoder only the audio there is.

use std::ops::Range;

use crate::audio::level;
use crate::audio::WHISPER_RATE;

/// The longest piece: under Whisper's 30 s window with room for the margin
/// the fitted context adds.
pub(crate) const MAX_PIECE_S: f64 = 28.0;

/// Cuts are looked for no earlier than this into a piece, so that pieces
/// stay long enough for Whisper to have context.
pub(crate) const MIN_PIECE_S: f64 = 12.0;

/// Sample ranges covering `samples` (16 kHz) in order, each at most
/// [`MAX_PIECE_S`] long, cut in the middle of the longest pause found between
/// [`MIN_PIECE_S`] and [`MAX_PIECE_S`] into each piece (or at its quietest
/// frame when nothing there is silent).
pub(crate) fn pieces(samples: &[f32]) -> Vec<Range<usize>> {
    let rate = WHISPER_RATE as usize;
    let max_len = (MAX_PIECE_S * rate as f64) as usize;
    let min_len = (MIN_PIECE_S * rate as f64) as usize;
    let mut ranges = Vec::new();
    let mut start = 0;
    while samples.len() - start > max_len {
        let search = start + min_len..start + max_len;
        let cut = quietest_point(samples, search);
        ranges.push(start..cut);
        start = cut;
    }
    if start < samples.len() || ranges.is_empty() {
        ranges.push(start..samples.len());
    }
    ranges
}

/// The sample in `range` to cut at: the middle of the longest run of
/// unvoiced frames, or the quietest frame when every frame is voiced.
fn quietest_point(samples: &[f32], range: Range<usize>) -> usize {
    let frame = level::FRAME;
    let first_frame = range.start.div_ceil(frame);
    let end_frame = range.end / frame;
    let levels: Vec<f32> = (first_frame..end_frame)
        .map(|i| level::dbfs(&samples[i * frame..(i + 1) * frame]))
        .collect();
    // The longest run of unvoiced frames (first one wins a tie).
    let mut best: Option<(usize, usize)> = None; // (start index, length)
    let mut run_start = None;
    for (i, &db) in levels.iter().chain(std::iter::once(&f32::MAX)).enumerate() {
        let unvoiced = db <= level::VOICED_DBFS;
        match (unvoiced, run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(s)) => {
                if best.is_none_or(|(_, len)| i - s > len) {
                    best = Some((s, i - s));
                }
                run_start = None;
            }
            _ => {}
        }
    }
    let cut_frame = match best {
        Some((s, len)) => s + len / 2,
        None => levels
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(i, _)| i),
    };
    ((first_frame + cut_frame) * frame).clamp(range.start, range.end)
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

    fn seconds(range: &Range<usize>) -> (f64, f64) {
        (
            range.start as f64 / RATE as f64,
            range.end as f64 / RATE as f64,
        )
    }

    #[test]
    fn audio_that_fits_one_window_is_one_piece() {
        assert_eq!(pieces(&tone(5.0)), vec![0..80_000]);
        assert_eq!(pieces(&tone(28.0)), vec![0..448_000]);
        assert_eq!(pieces(&[]), vec![0..0]);
    }

    #[test]
    fn long_audio_is_cut_in_the_middle_of_a_pause() {
        // 20 s of sound, 1 s pause, 15 s of sound: one cut, mid-pause.
        let mut samples = tone(20.0);
        samples.extend(silence(1.0));
        samples.extend(tone(15.0));
        let ranges = pieces(&samples);
        assert_eq!(ranges.len(), 2, "{ranges:?}");
        let (_, cut) = seconds(&ranges[0]);
        assert!((cut - 20.5).abs() < 0.05, "cut at {cut}");
        assert_eq!(ranges[1].start, ranges[0].end);
        assert_eq!(ranges[1].end, samples.len());
    }

    #[test]
    fn the_longest_pause_wins_and_pieces_cover_everything() {
        // Pauses of 0.3 s at 14 s and 0.9 s at 24 s: the longer one is used.
        let mut samples = tone(14.0);
        samples.extend(silence(0.3));
        samples.extend(tone(9.7));
        samples.extend(silence(0.9));
        samples.extend(tone(40.0));
        let ranges = pieces(&samples);
        let (_, first_cut) = seconds(&ranges[0]);
        assert!((first_cut - 24.45).abs() < 0.05, "cut at {first_cut}");
        for pair in ranges.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
        assert_eq!(ranges.last().unwrap().end, samples.len());
        for range in &ranges {
            assert!(
                range.len() <= (MAX_PIECE_S * RATE as f64) as usize,
                "{range:?}"
            );
        }
    }

    #[test]
    fn sound_without_pauses_is_cut_within_the_limits() {
        let samples = tone(70.0);
        let ranges = pieces(&samples);
        assert!(ranges.len() >= 3, "{ranges:?}");
        for range in &ranges[..ranges.len() - 1] {
            let len_s = range.len() as f64 / RATE as f64;
            assert!((MIN_PIECE_S..=MAX_PIECE_S).contains(&len_s), "{len_s}");
        }
        assert_eq!(ranges.last().unwrap().end, samples.len());
    }
}
