//! The pure decisions behind the speaker: which voice a name means, how a
//! 0..1 setting maps onto an engine's range, and how long a text may take to
//! speak before the speech service counts as stuck.

use std::time::Duration;

/// A voice of the speech service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VoiceInfo {
    /// The name to pass to `--voice`, e.g. `English (Great Britain)`.
    pub(crate) name: String,
    /// Its language tag, e.g. `en-GB`.
    pub(crate) language: String,
}

impl VoiceInfo {
    /// A voice with no variant: espeak-ng lists each language once plus once
    /// per variant (`English (America)+Max`); the plain ones are enough to list.
    pub(crate) fn is_plain(&self) -> bool {
        !self.name.contains('+')
    }
}

/// The voice `wanted` names: an exact name, else a name ignoring case, else
/// the first plain voice whose language tag is `wanted` (e.g. `en-gb`).
pub(crate) fn find_voice<'a>(voices: &'a [VoiceInfo], wanted: &str) -> Option<&'a VoiceInfo> {
    voices
        .iter()
        .find(|voice| voice.name == wanted)
        .or_else(|| {
            voices
                .iter()
                .find(|voice| voice.name.eq_ignore_ascii_case(wanted))
        })
        .or_else(|| {
            voices
                .iter()
                .find(|voice| voice.is_plain() && voice.language.eq_ignore_ascii_case(wanted))
        })
}

/// A 0..=1 setting as a value in the engine's `min..=max` range.
pub(crate) fn engine_value(setting: f32, min: f32, max: f32) -> f32 {
    min + setting.clamp(0.0, 1.0) * (max - min)
}

/// The longest `text` may take to speak at `rate` (0..=1, 0.5 normal) before
/// the wait for its end gives up: a fixed allowance for starting, then 5
/// characters a second at normal speed (espeak-ng speaks about 15), slower
/// for slower rates.
pub(crate) fn speech_time_bound(text: &str, rate: f32) -> Duration {
    let chars = text.chars().count() as f64;
    let chars_per_second = 5.0 * (0.5 + f64::from(rate.clamp(0.0, 1.0)));
    Duration::from_secs_f64(3.0 + chars / chars_per_second)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voice(name: &str, language: &str) -> VoiceInfo {
        VoiceInfo {
            name: name.into(),
            language: language.into(),
        }
    }

    #[test]
    fn voices_match_by_name_then_case_then_language() {
        let voices = [
            voice("English (America)+Max", "en-US"),
            voice("English (America)", "en-US"),
            voice("English (Great Britain)", "en-GB"),
        ];
        let found = |wanted| find_voice(&voices, wanted).map(|v| v.name.as_str());
        assert_eq!(
            found("English (America)+Max"),
            Some("English (America)+Max")
        );
        assert_eq!(
            found("english (great britain)"),
            Some("English (Great Britain)")
        );
        assert_eq!(found("en-us"), Some("English (America)"));
        assert_eq!(found("Klingon"), None);
    }

    #[test]
    fn settings_map_onto_the_engine_range() {
        assert_eq!(engine_value(0.5, -100.0, 100.0), 0.0);
        assert_eq!(engine_value(0.0, -100.0, 100.0), -100.0);
        assert_eq!(engine_value(1.0, -100.0, 100.0), 100.0);
        assert_eq!(engine_value(7.0, -100.0, 100.0), 100.0);
    }

    #[test]
    fn the_time_bound_grows_with_length_and_slowness() {
        let short = speech_time_bound("Hi.", 0.5);
        let long = speech_time_bound(&"word ".repeat(40), 0.5);
        let slow = speech_time_bound(&"word ".repeat(40), 0.0);
        assert!(short >= Duration::from_secs(3) && short < Duration::from_secs(4));
        // 200 characters: 40 s at normal speed, 80 s at the slowest.
        assert_eq!(long, Duration::from_secs(43));
        assert_eq!(slow, Duration::from_secs(83));
    }
}
