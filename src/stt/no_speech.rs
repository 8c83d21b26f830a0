//! Deciding that audio holds no speech, so that silence is reported as "no
//! speech" and never as the words Whisper likes to invent on it ("Thank
//! you.", "you"). Three checks, cheapest first:
//!
//! 1. Energy, before Whisper runs: audio with (almost) no frame above the
//!    voiced level of `audio::level` is silence; Whisper is not even asked.
//!    Unless it is faint speech: a whisper, or a microphone set low, stands
//!    well above the clip's own floor (steady hum and hiss do not).
//! 2. Whisper's own no-speech probability: when every segment it returned
//!    comes from a window it judged more likely silent than not, there is no
//!    speech.
//! 3. Known hallucinations: on near-silence (little voiced time, or Whisper
//!    half-sure it heard nothing) a transcript made only of the phrases Whisper
//!    invents on silence is dropped. The same words in clear speech are kept.
//!
//! Everything here is a pure function of numbers and text, tested below.

use crate::audio::level::{self, SpeechSpan};
use crate::stt::wer;

/// Less voiced time than this (by energy) is silence: a click or a breath.
/// Four 30 ms frames.
pub(crate) const MIN_VOICED_S: f64 = 0.12;

/// Faint speech: frames at least this far above the clip's floor (its
/// quietest tenth) …
const FAINT_ABOVE_FLOOR_DB: f32 = 20.0;
/// … and louder than this (room tone is quieter) …
const FAINT_DBFS: f32 = -60.0;
/// … for at least this long in all (a breath or a rustle is shorter).
const MIN_FAINT_S: f64 = 0.6;

/// Whisper's no-speech probability at or above which a window is silence
/// (the threshold OpenAI's and whisper.cpp's decoders use).
pub(crate) const NO_SPEECH_PROB: f32 = 0.6;

/// "Near silence": less voiced time than this …
pub(crate) const FAINT_VOICED_S: f64 = 1.0;
/// … or a no-speech probability at least this high.
pub(crate) const DOUBTFUL_NO_SPEECH_PROB: f32 = 0.3;

/// What Whisper is known to write on silence and noise (compared after WER
/// normalisation: case and punctuation do not matter).
const HALLUCINATIONS: &[&str] = &[
    "you",
    "thank you",
    "thank you very much",
    "thanks",
    "thanks for watching",
    "thank you for watching",
    "thanks for listening",
    "thank you for listening",
    "please subscribe",
    "bye",
    "bye bye",
    "okay",
    "oh",
    "so",
    "um",
    "uh",
    "hmm",
    "silence",
    "blank audio",
    "music",
    "applause",
    "laughter",
    "the end",
];

/// The energy check, before Whisper: `Some(span)` when there may be speech.
pub(crate) fn voiced_span(samples_16k: &[f32]) -> Option<SpeechSpan> {
    level::speech_span(samples_16k, crate::audio::WHISPER_RATE)
        .filter(|span| span.voiced_s >= MIN_VOICED_S)
        .or_else(|| faint_span(samples_16k))
}

/// Where faint speech is (see [`FAINT_ABOVE_FLOOR_DB`]), when there is
/// enough of it. The mfa "whisper2" clip of the dev set, a whispered
/// sentence at -55 dBFS, was taken for silence without this.
fn faint_span(samples_16k: &[f32]) -> Option<SpeechSpan> {
    let floor = level::frame_percentile(samples_16k, 0.1)?;
    let threshold = FAINT_DBFS.max(floor + FAINT_ABOVE_FLOOR_DB);
    let flags = level::frames_above(samples_16k, threshold);
    level::span_of(&flags, crate::audio::WHISPER_RATE).filter(|span| span.voiced_s >= MIN_FAINT_S)
}

/// One segment as Whisper returned it, for the checks after Whisper.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeardSegment {
    pub(crate) text: String,
    /// Whisper's no-speech probability for the window the segment came from.
    pub(crate) no_speech_prob: f32,
}

/// Why a transcript counts as no speech.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoSpeechReason {
    /// Whisper returned nothing, or only markers like `[BLANK_AUDIO]`.
    NothingHeard,
    /// Whisper judged every window more likely silent than not.
    WhisperSaysSilent,
    /// Near-silence transcribed as a phrase Whisper invents on silence.
    Hallucination,
}

/// The checks after Whisper: `Some(reason)` when the segments are not speech.
/// `span` is the energy check's result for the same audio.
pub(crate) fn judge(span: &SpeechSpan, segments: &[HeardSegment]) -> Option<NoSpeechReason> {
    let spoken: Vec<&HeardSegment> = segments
        .iter()
        .filter(|segment| !is_marker_only(&segment.text))
        .collect();
    if spoken.is_empty() {
        return Some(NoSpeechReason::NothingHeard);
    }
    if spoken.iter().all(|s| s.no_speech_prob >= NO_SPEECH_PROB) {
        return Some(NoSpeechReason::WhisperSaysSilent);
    }
    let max_no_speech = spoken.iter().map(|s| s.no_speech_prob).fold(0.0, f32::max);
    let near_silence = span.voiced_s < FAINT_VOICED_S || max_no_speech >= DOUBTFUL_NO_SPEECH_PROB;
    if near_silence && spoken.iter().all(|s| is_hallucination(&s.text)) {
        return Some(NoSpeechReason::Hallucination);
    }
    None
}

/// True for a text that is only a bracketed marker or punctuation, e.g.
/// `[BLANK_AUDIO]`, `(music)`, `*sigh*`, `...`.
pub(crate) fn is_marker_only(text: &str) -> bool {
    let mut closing: Option<char> = None;
    for c in text.chars() {
        match closing {
            Some(end) if c == end => closing = None,
            Some(_) => {}
            None => match c {
                '[' => closing = Some(']'),
                '(' => closing = Some(')'),
                '*' => closing = Some('*'),
                c if c.is_alphanumeric() => return false,
                _ => {}
            },
        }
    }
    true
}

/// True when the whole text is one of the phrases Whisper invents on silence,
/// possibly repeated ("Thank you. Thank you.").
pub(crate) fn is_hallucination(text: &str) -> bool {
    let words = wer::words(text);
    !words.is_empty() && made_of_hallucinations(&words)
}

/// True when `words` split into phrases of [`HALLUCINATIONS`] ("thanks" and
/// "thanks for watching" both count, so try every phrase that fits).
fn made_of_hallucinations(words: &[String]) -> bool {
    words.is_empty()
        || HALLUCINATIONS.iter().any(|phrase| {
            let phrase: Vec<&str> = phrase.split(' ').collect();
            words.len() >= phrase.len()
                && words.iter().zip(&phrase).all(|(word, p)| word == p)
                && made_of_hallucinations(&words[phrase.len()..])
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(voiced_s: f64) -> SpeechSpan {
        SpeechSpan {
            first_s: 0.5,
            last_s: 0.5 + voiced_s,
            voiced_s,
            longest_pause_s: 0.0,
        }
    }

    fn heard(text: &str, no_speech_prob: f32) -> HeardSegment {
        HeardSegment {
            text: text.into(),
            no_speech_prob,
        }
    }

    fn tone(seconds: f64, amplitude: f32) -> Vec<f32> {
        (0..(seconds * 16_000.0) as usize)
            .map(|i| amplitude * (i as f32 * 0.1).sin())
            .collect()
    }

    #[test]
    fn energy_check_finds_silence_clicks_and_sound() {
        assert!(voiced_span(&vec![0.0; 32_000]).is_none());
        assert!(
            voiced_span(&tone(2.0, 0.002)).is_none(),
            "faint hum is silence"
        );
        let mut click = vec![0.0; 32_000];
        click[16_000..16_100].fill(0.5);
        assert!(voiced_span(&click).is_none(), "one click is not speech");
        let span = voiced_span(&tone(1.0, 0.2)).expect("a clear tone is voiced");
        assert!(span.voiced_s > 0.9);
    }

    #[test]
    fn faint_speech_above_its_floor_passes_the_energy_check() {
        // 1 s of room tone at about -80 dBFS, 1.5 s of a -55 dBFS "whisper",
        // then room tone again.
        let mut clip = tone(1.0, 0.0001);
        clip.extend(tone(1.5, 0.0025));
        clip.extend(tone(1.0, 0.0001));
        let span = voiced_span(&clip).expect("a whisper well above its floor");
        assert!((span.first_s - 1.0).abs() < 0.05, "{span:?}");
        assert!((span.voiced_s - 1.5).abs() < 0.1, "{span:?}");
        // The same level all through is hum, not speech; so is a short
        // rustle, and anything under -60 dBFS.
        assert!(voiced_span(&tone(3.5, 0.0025)).is_none());
        let mut rustle = tone(1.0, 0.0001);
        rustle.extend(tone(0.3, 0.0025));
        rustle.extend(tone(1.0, 0.0001));
        assert!(voiced_span(&rustle).is_none());
        let mut under = tone(1.0, 0.00001);
        under.extend(tone(1.5, 0.0008));
        under.extend(tone(1.0, 0.00001));
        assert!(voiced_span(&under).is_none());
    }

    #[test]
    fn markers_and_punctuation_are_not_words() {
        for text in [
            "[BLANK_AUDIO]",
            "(music)",
            "[ Silence ]",
            "*sigh*",
            " ...",
            "",
        ] {
            assert!(is_marker_only(text), "{text:?}");
        }
        for text in ["Hello.", "[MUSIC] hello", "so (quietly) yes"] {
            assert!(!is_marker_only(text), "{text:?}");
        }
    }

    #[test]
    fn known_hallucinations_are_recognised_whole() {
        for text in [
            "Thank you.",
            " you",
            "Thanks for watching!",
            "Thank you. Thank you.",
            "Bye-bye.",
        ] {
            assert!(is_hallucination(text), "{text:?}");
        }
        for text in [
            "Thank you for the question.",
            "You should use a queue.",
            "Kubernetes",
        ] {
            assert!(!is_hallucination(text), "{text:?}");
        }
    }

    #[test]
    fn nothing_heard_is_no_speech() {
        assert_eq!(judge(&span(3.0), &[]), Some(NoSpeechReason::NothingHeard));
        assert_eq!(
            judge(&span(3.0), &[heard("[BLANK_AUDIO]", 0.1)]),
            Some(NoSpeechReason::NothingHeard)
        );
    }

    #[test]
    fn whisper_sure_of_silence_is_no_speech() {
        let segments = [heard("I think so.", 0.8), heard("Yes.", 0.7)];
        assert_eq!(
            judge(&span(3.0), &segments),
            Some(NoSpeechReason::WhisperSaysSilent)
        );
        // One window with speech in it keeps the transcript.
        let segments = [heard("I think so.", 0.8), heard("We use Terraform.", 0.05)];
        assert_eq!(judge(&span(3.0), &segments), None);
    }

    #[test]
    fn hallucinations_are_dropped_only_on_near_silence() {
        // Little voiced audio: the usual "Thank you." on a breath.
        assert_eq!(
            judge(&span(0.4), &[heard("Thank you.", 0.05)]),
            Some(NoSpeechReason::Hallucination)
        );
        // Plenty of voiced audio but Whisper half-sure it is silence: noise.
        assert_eq!(
            judge(&span(5.0), &[heard("you", 0.45)]),
            Some(NoSpeechReason::Hallucination)
        );
        // Clear speech that says "thank you" is kept.
        assert_eq!(judge(&span(2.0), &[heard("Thank you.", 0.02)]), None);
        // Real words on near-silence are kept too.
        assert_eq!(judge(&span(0.5), &[heard("Yes, Kafka.", 0.1)]), None);
    }
}
