//! How fast an answer was spoken: words per minute over the spoken duration.

use serde::{Deserialize, Serialize};

use crate::units::round1;

/// Below this many words per minute an answer sounds slow.
pub(crate) const SLOW_WPM: f64 = 110.0;
/// Above this many words per minute an answer sounds rushed.
pub(crate) const FAST_WPM: f64 = 170.0;
/// Fewer words than this give no pace: one "yes" says nothing about speed.
pub(crate) const MIN_WORDS: usize = 10;
/// A spoken duration shorter than this gives no pace either.
pub(crate) const MIN_SPOKEN_S: f64 = 3.0;

/// How a pace compares with a comfortable speaking rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PaceVerdict {
    /// Below [`SLOW_WPM`].
    Slow,
    /// From [`SLOW_WPM`] to [`FAST_WPM`].
    Good,
    /// Above [`FAST_WPM`].
    Fast,
}

impl PaceVerdict {
    /// The words a report uses: "slow pace", "good pace", "fast pace".
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Slow => "slow pace",
            Self::Good => "good pace",
            Self::Fast => "fast pace",
        }
    }
}

/// How fast an answer was spoken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Pace {
    /// Words in the transcript (a CamelCase name counts once).
    pub(crate) words: usize,
    /// Words per minute over the spoken duration; absent when the answer is
    /// too short to tell (under [`MIN_WORDS`] words or [`MIN_SPOKEN_S`] s).
    pub(crate) wpm: Option<f64>,
    /// Slow, good or fast; absent with `wpm`.
    pub(crate) verdict: Option<PaceVerdict>,
}

/// The pace of `words` spoken over `spoken_s` seconds.
pub(crate) fn measure(words: usize, spoken_s: f64) -> Pace {
    let wpm = (words >= MIN_WORDS && spoken_s >= MIN_SPOKEN_S)
        .then(|| round1(words as f64 * 60.0 / spoken_s));
    let verdict = wpm.map(|wpm| {
        if wpm < SLOW_WPM {
            PaceVerdict::Slow
        } else if wpm > FAST_WPM {
            PaceVerdict::Fast
        } else {
            PaceVerdict::Good
        }
    });
    Pace {
        words,
        wpm,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(words: usize, spoken_s: f64, expected: Option<(f64, PaceVerdict)>) {
        let pace = measure(words, spoken_s);
        assert_eq!(pace.words, words);
        assert_eq!(
            pace.wpm.zip(pace.verdict),
            expected,
            "{words} words in {spoken_s} s"
        );
    }

    #[test]
    fn words_per_minute() {
        use PaceVerdict::*;
        case(0, 0.0, None);
        case(1, 0.4, None);
        case(9, 60.0, None);
        case(40, 2.9, None);
        case(140, 60.0, Some((140.0, Good)));
        case(110, 60.0, Some((110.0, Good)));
        case(170, 60.0, Some((170.0, Good)));
        case(100, 60.0, Some((100.0, Slow)));
        case(90, 30.0, Some((180.0, Fast)));
        case(10, 3.0, Some((200.0, Fast)));
        case(250, 97.0, Some((154.6, Good)));
    }
}
