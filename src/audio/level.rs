//! Loudness of audio in short frames, and where speech is: the basis of the
//! no-speech gate, of stopping a recording on silence, and of the pause and
//! reaction-time metrics. Works on 16 kHz mono f32 samples in [-1, 1].

/// Frame length used for level decisions: 30 ms at 16 kHz.
pub(crate) const FRAME: usize = 480;

/// A frame louder than this (RMS, dBFS) counts as voiced. Speech at a normal
/// distance sits around -30..-10 dBFS; room noise and hiss well below -50.
pub(crate) const VOICED_DBFS: f32 = -45.0;

/// Root mean square of a block of samples (0 for an empty block).
pub(crate) fn rms(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / samples.len() as f64).sqrt() as f32
}

/// RMS as dBFS; silence gives -inf-like -120.
pub fn dbfs(samples: &[f32]) -> f32 {
    let level = rms(samples);
    if level <= 1e-6 {
        -120.0
    } else {
        20.0 * level.log10()
    }
}

/// Peak absolute sample.
pub(crate) fn peak(samples: &[f32]) -> f32 {
    samples.iter().fold(0.0f32, |acc, &s| acc.max(s.abs()))
}

/// Per-frame voiced flags of a whole signal.
pub(crate) fn voiced_frames(samples: &[f32]) -> Vec<bool> {
    frames_above(samples, VOICED_DBFS)
}

/// Per-frame flags: louder than `threshold_dbfs`.
pub(crate) fn frames_above(samples: &[f32], threshold_dbfs: f32) -> Vec<bool> {
    samples
        .chunks(FRAME)
        .map(|frame| dbfs(frame) > threshold_dbfs)
        .collect()
}

/// The level (dBFS) that `share` (0..=1) of the signal's frames stay at or
/// under: 0.1 gives its floor, the room between words.
pub(crate) fn frame_percentile(samples: &[f32], share: f64) -> Option<f32> {
    let mut levels: Vec<f32> = samples.chunks(FRAME).map(dbfs).collect();
    if levels.is_empty() {
        return None;
    }
    levels.sort_by(f32::total_cmp);
    let index = ((levels.len() - 1) as f64 * share.clamp(0.0, 1.0)).round() as usize;
    Some(levels[index])
}

/// Where speech is in a whole 16 kHz signal, from energy alone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeechSpan {
    /// Seconds from the start to the first voiced frame.
    pub first_s: f64,
    /// Seconds from the start to the end of the last voiced frame.
    pub last_s: f64,
    /// Total voiced time, seconds.
    pub voiced_s: f64,
    /// The longest run of unvoiced frames between first and last, seconds.
    pub longest_pause_s: f64,
}

/// The speech span of a 16 kHz signal, or `None` when no frame is voiced.
pub fn speech_span(samples: &[f32], sample_rate: u32) -> Option<SpeechSpan> {
    span_of(&voiced_frames(samples), sample_rate)
}

/// The span of the frames flagged in `flags`, or `None` when none is.
pub(crate) fn span_of(flags: &[bool], sample_rate: u32) -> Option<SpeechSpan> {
    let first = flags.iter().position(|&v| v)?;
    let last = flags.iter().rposition(|&v| v)?;
    let frame_s = FRAME as f64 / f64::from(sample_rate);
    let voiced = flags.iter().filter(|&&v| v).count();
    let mut longest_gap = 0usize;
    let mut gap = 0usize;
    for &voiced_frame in &flags[first..=last] {
        if voiced_frame {
            longest_gap = longest_gap.max(gap);
            gap = 0;
        } else {
            gap += 1;
        }
    }
    Some(SpeechSpan {
        first_s: first as f64 * frame_s,
        last_s: (last + 1) as f64 * frame_s,
        voiced_s: voiced as f64 * frame_s,
        longest_pause_s: longest_gap as f64 * frame_s,
    })
}

/// Streaming silence tracking for a live recording: feed samples as they
/// arrive; it says when speech has begun and how long the silence since the
/// last voiced frame has lasted.
#[derive(Debug, Default)]
pub(crate) struct SilenceTracker {
    pending: Vec<f32>,
    heard_speech: bool,
    silent_frames: usize,
    voiced_frames: usize,
}

impl SilenceTracker {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Feed 16 kHz mono samples.
    pub(crate) fn push(&mut self, samples: &[f32]) {
        self.pending.extend_from_slice(samples);
        let whole = self.pending.len() / FRAME * FRAME;
        for frame in self.pending[..whole].chunks(FRAME) {
            if dbfs(frame) > VOICED_DBFS {
                self.voiced_frames += 1;
                // Two voiced frames (60 ms) in a row or in total before speech
                // counts as begun, so a single click does not start the clock.
                if self.voiced_frames >= 2 {
                    self.heard_speech = true;
                }
                self.silent_frames = 0;
            } else {
                self.silent_frames += 1;
            }
        }
        self.pending.drain(..whole);
    }

    /// True once speech has been heard.
    pub(crate) fn heard_speech(&self) -> bool {
        self.heard_speech
    }

    /// Seconds of silence since the last voiced frame (or since the start).
    pub(crate) fn silence_s(&self, sample_rate: u32) -> f64 {
        self.silent_frames as f64 * FRAME as f64 / f64::from(sample_rate)
    }

    /// True when speech began and has been followed by `limit_s` of silence.
    pub(crate) fn silence_after_speech(&self, limit_s: f64, sample_rate: u32) -> bool {
        self.heard_speech && self.silence_s(sample_rate) >= limit_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(seconds: f64, amplitude: f32) -> Vec<f32> {
        let n = (seconds * 16_000.0) as usize;
        (0..n)
            .map(|i| amplitude * (i as f32 * 2.0 * std::f32::consts::PI * 220.0 / 16_000.0).sin())
            .collect()
    }

    #[test]
    fn levels_of_known_signals() {
        assert_eq!(rms(&[]), 0.0);
        assert_eq!(dbfs(&[0.0; 100]), -120.0);
        let full = tone(1.0, 1.0);
        assert!((dbfs(&full) - (-3.01)).abs() < 0.05, "{}", dbfs(&full));
        assert!((peak(&full) - 1.0).abs() < 1e-3);
    }

    #[test]
    fn span_finds_speech_and_the_longest_pause() {
        let mut signal = vec![0.0; 16_000]; // 1 s silence
        signal.extend(tone(0.5, 0.3));
        signal.extend(vec![0.0; 24_000]); // 1.5 s pause
        signal.extend(tone(0.5, 0.3));
        signal.extend(vec![0.0; 8_000]);
        let span = speech_span(&signal, 16_000).unwrap();
        assert!((span.first_s - 1.0).abs() < 0.04, "{span:?}");
        assert!((span.last_s - 3.5).abs() < 0.04, "{span:?}");
        assert!((span.longest_pause_s - 1.5).abs() < 0.07, "{span:?}");
        assert!((span.voiced_s - 1.0).abs() < 0.07, "{span:?}");
    }

    #[test]
    fn no_span_in_silence_or_faint_noise() {
        assert!(speech_span(&vec![0.0; 32_000], 16_000).is_none());
        assert!(speech_span(&tone(2.0, 0.001), 16_000).is_none());
    }

    #[test]
    fn tracker_waits_for_speech_then_counts_silence() {
        let mut tracker = SilenceTracker::new();
        tracker.push(&vec![0.0; 48_000]);
        assert!(!tracker.heard_speech());
        assert!(!tracker.silence_after_speech(2.0, 16_000));
        tracker.push(&tone(0.5, 0.3));
        assert!(tracker.heard_speech());
        tracker.push(&vec![0.0; 16_000]);
        assert!(!tracker.silence_after_speech(2.0, 16_000));
        tracker.push(&vec![0.0; 17_000]);
        assert!(tracker.silence_after_speech(2.0, 16_000));
    }
}
