//! How long an answer took, against its question's target.

use serde::{Deserialize, Serialize};

use crate::audio::level::SpeechSpan;
use crate::stt::transcript::Transcript;

use crate::units::round2;

/// Where a spoken duration falls against the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum LengthVerdict {
    /// Under the target's minimum (or no speech at all).
    Short,
    /// Within the target.
    InRange,
    /// Over the target's maximum.
    Long,
}

impl LengthVerdict {
    /// The verdict for `spoken_s` against `[min, max]` seconds.
    pub(crate) fn of(spoken_s: f64, target_s: [u32; 2]) -> Self {
        let (min, max) = (target_s[0].min(target_s[1]), target_s[0].max(target_s[1]));
        if spoken_s < f64::from(min) {
            Self::Short
        } else if spoken_s > f64::from(max) {
            Self::Long
        } else {
            Self::InRange
        }
    }

    /// The words a report uses: "short", "in range", "long".
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Short => "short",
            Self::InRange => "in range",
            Self::Long => "long",
        }
    }
}

/// What a duration was measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TimingSource {
    /// The recording's energy (first to last voiced frame): the reliable one.
    Audio,
    /// Whisper's segment times, used when the audio was not at hand.
    Transcript,
    /// Nothing was said.
    None,
}

/// How long an answer took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Length {
    /// Seconds from the first to the last speech (0 when nothing was said).
    pub(crate) spoken_s: f64,
    /// What `spoken_s` was measured from.
    pub(crate) spoken_from: TimingSource,
    /// Length of the whole recording, seconds.
    pub(crate) total_s: f64,
    /// The target `[min, max]` seconds the answer was held against.
    pub(crate) target_s: [u32; 2],
    /// Where the spoken duration falls against the target.
    pub(crate) verdict: LengthVerdict,
}

/// The length of an answer: spoken duration from the audio's speech span
/// when there is one, else from the transcript's first and last segment.
pub(crate) fn measure(
    transcript: &Transcript,
    speech: Option<SpeechSpan>,
    target_s: [u32; 2],
) -> Length {
    let (spoken_s, spoken_from) = if transcript.no_speech || transcript.text.trim().is_empty() {
        (0.0, TimingSource::None)
    } else if let Some(span) = speech {
        ((span.last_s - span.first_s).max(0.0), TimingSource::Audio)
    } else {
        match (transcript.segments.first(), transcript.segments.last()) {
            (Some(first), Some(last)) => (
                (last.end_s - first.start_s).max(0.0),
                TimingSource::Transcript,
            ),
            _ => (0.0, TimingSource::None),
        }
    };
    Length {
        spoken_s: round2(spoken_s),
        spoken_from,
        total_s: round2(transcript.duration_s.max(0.0)),
        target_s,
        verdict: LengthVerdict::of(spoken_s, target_s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stt::transcript::Segment;

    fn transcript(text: &str, segments: &[(f64, f64)]) -> Transcript {
        Transcript {
            duration_s: 100.0,
            text: text.to_string(),
            segments: segments
                .iter()
                .map(|&(start_s, end_s)| Segment {
                    start_s,
                    end_s,
                    text: text.to_string(),
                })
                .collect(),
            no_speech: text.is_empty(),
            processing_s: 1.0,
            repairs: Vec::new(),
            gaps: Vec::new(),
        }
    }

    fn span(first_s: f64, last_s: f64) -> SpeechSpan {
        SpeechSpan {
            first_s,
            last_s,
            voiced_s: last_s - first_s,
            longest_pause_s: 0.0,
        }
    }

    #[track_caller]
    fn case(
        text: &str,
        segments: &[(f64, f64)],
        speech: Option<SpeechSpan>,
        target: [u32; 2],
        expected: (f64, TimingSource, LengthVerdict),
    ) {
        let length = measure(&transcript(text, segments), speech, target);
        assert_eq!(
            (length.spoken_s, length.spoken_from, length.verdict),
            expected,
            "{text:?} {segments:?} {speech:?} {target:?}"
        );
        assert_eq!(length.total_s, 100.0);
        assert_eq!(length.target_s, target);
    }

    #[test]
    fn spoken_duration_and_verdict() {
        use LengthVerdict::*;
        use TimingSource as T;
        let words = "some words";
        // The audio's span wins over Whisper's segment times.
        case(
            words,
            &[(0.0, 95.0)],
            Some(span(2.5, 92.5)),
            [60, 120],
            (90.0, T::Audio, InRange),
        );
        case(
            words,
            &[(0.0, 95.0)],
            None,
            [60, 120],
            (95.0, T::Transcript, InRange),
        );
        case(
            words,
            &[(1.0, 20.0), (20.0, 40.0)],
            None,
            [60, 120],
            (39.0, T::Transcript, Short),
        );
        case(
            words,
            &[],
            Some(span(1.0, 131.0)),
            [60, 120],
            (130.0, T::Audio, Long),
        );
        // The bounds themselves are in range.
        case(
            words,
            &[],
            Some(span(0.0, 60.0)),
            [60, 120],
            (60.0, T::Audio, InRange),
        );
        case(
            words,
            &[],
            Some(span(0.0, 120.0)),
            [60, 120],
            (120.0, T::Audio, InRange),
        );
        case(
            words,
            &[],
            Some(span(0.0, 45.0)),
            [30, 45],
            (45.0, T::Audio, InRange),
        );
        // A target written backwards still works.
        case(
            words,
            &[],
            Some(span(0.0, 90.0)),
            [120, 60],
            (90.0, T::Audio, InRange),
        );
        // No speech: nothing spoken, whatever the noise in the audio.
        case(
            "",
            &[],
            Some(span(3.0, 9.0)),
            [60, 120],
            (0.0, T::None, Short),
        );
        case(words, &[], None, [60, 120], (0.0, T::None, Short));
    }
}
