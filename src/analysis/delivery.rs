//! How an answer was delivered, apart from what it said: filler words,
//! words repeated back to back, the longest pause, and how long the speaker
//! took to start.
//!
//! Fillers are counted from the transcript. Whisper leaves most "um"s out
//! unless its prompt is disfluent; viva's prompt is (`stt::prompt`), and on
//! the speech dev set it kept most of them, not all, so the count is still a
//! lower bound and is saved as one. Words that are
//! fillers only sometimes ("like", "you know", "so") count only where the
//! punctuation Whisper wrote marks them as fillers. Pauses and the start come
//! from the audio's energy, never from Whisper's times.

use serde::{Deserialize, Serialize};

use crate::audio::level::SpeechSpan;

use super::text::{Gap, Word, Words};
use crate::units::{round1, round2};

/// Words that are fillers wherever they are said.
const ALWAYS_FILLERS: &[&str] = &[
    "um",
    "umm",
    "uh",
    "uhh",
    "er",
    "erm",
    "ah",
    "hmm",
    "mm",
    "basically",
    "actually",
    "literally",
];

/// Words that, said twice in a row, are usually meant ("that that", "had had").
const MEANT_TWICE: &[&str] = &["that", "had"];

/// How often one filler was heard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FillerCount {
    /// The filler, lowercase ("um", "you know", "so").
    pub(crate) filler: String,
    /// How many times the transcript has it.
    pub(crate) count: usize,
}

/// A word said more than once back to back ("the the").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Repeat {
    /// The word, lowercase.
    pub(crate) word: String,
    /// How many times in a row it was said (2 or more).
    pub(crate) times: usize,
    /// Estimated seconds into the answer; absent without segment times.
    pub(crate) at_s: Option<f64>,
}

/// Delivery of one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Filler words heard: a lower bound, since Whisper can drop an "um".
    pub(crate) fillers_at_least: usize,
    /// Fillers per minute of speech; absent without speech.
    #[serde(default)]
    pub(crate) fillers_per_minute: Option<f64>,
    /// Each filler with its count, most frequent first.
    pub(crate) fillers: Vec<FillerCount>,
    /// Words repeated back to back, in order.
    pub(crate) repeats: Vec<Repeat>,
    /// The longest silence between the first and last speech, seconds, from
    /// the audio's energy; absent without the audio or without speech.
    pub(crate) longest_pause_s: Option<f64>,
    /// Seconds from the end of the question (the start of the recording) to
    /// the first speech, from the audio's energy; absent as above.
    pub(crate) first_word_s: Option<f64>,
}

/// The delivery metrics of an answer's words and its audio speech span.
/// `spoken_s` is the answer's speaking time (`length`), for the rate.
pub(crate) fn measure(
    words: &Words,
    speech: Option<SpeechSpan>,
    no_speech: bool,
    spoken_s: f64,
) -> Delivery {
    let fillers = fillers(&words.all);
    let speech = speech.filter(|_| !no_speech);
    let total: usize = fillers.iter().map(|filler| filler.count).sum();
    Delivery {
        fillers_at_least: total,
        fillers_per_minute: (!no_speech && spoken_s > 0.0)
            .then(|| round1(total as f64 * 60.0 / spoken_s)),
        fillers,
        repeats: repeats(&words.all),
        longest_pause_s: speech.map(|span| round2(span.longest_pause_s)),
        first_word_s: speech.map(|span| round2(span.first_s)),
    }
}

fn fillers(words: &[Word]) -> Vec<FillerCount> {
    let mut counts: Vec<FillerCount> = Vec::new();
    let mut add = |filler: &str| match counts.iter_mut().find(|c| c.filler == filler) {
        Some(count) => count.count += 1,
        None => counts.push(FillerCount {
            filler: filler.to_string(),
            count: 1,
        }),
    };
    let gap_after = |index: usize| words.get(index + 1).map_or(Gap::Sentence, |next| next.gap);
    let set_off_after = |index: usize| matches!(gap_after(index), Gap::Comma | Gap::Sentence);
    // True while only fillers have been said since the sentence began.
    let mut sentence_start = false;
    for (index, word) in words.iter().enumerate() {
        let next = words.get(index + 1).map(|next| next.lower.as_str());
        sentence_start = word.gap == Gap::Sentence || sentence_start;
        let always = ALWAYS_FILLERS.contains(&word.lower.as_str());
        match word.lower.as_str() {
            filler if always => add(filler),
            // "it was, like, slow", not "a tool like Vault".
            "like" if gap_after(index) == Gap::Comma => add("like"),
            // "So the first thing…", "Um, so…" at the start of a sentence.
            "so" if sentence_start => add("so"),
            // "it's, you know, hard", not "if you know the system".
            "you" if next == Some("know") && set_off_after(index + 1) => add("you know"),
            "i" if next == Some("mean") && gap_after(index + 1) == Gap::Comma => add("i mean"),
            _ => {}
        }
        sentence_start = sentence_start && always;
    }
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.filler.cmp(&b.filler)));
    counts
}

fn repeats(words: &[Word]) -> Vec<Repeat> {
    let mut found: Vec<Repeat> = Vec::new();
    let mut index = 0;
    while index < words.len() {
        let word = &words[index];
        let mut end = index + 1;
        while end < words.len()
            && words[end].lower == word.lower
            && matches!(words[end].gap, Gap::Space | Gap::Comma)
        {
            end += 1;
        }
        let times = end - index;
        if times > 1 && !word.is_number() && !MEANT_TWICE.contains(&word.lower.as_str()) {
            found.push(Repeat {
                word: word.lower.clone(),
                times,
                at_s: word.time_s.map(round2),
            });
        }
        index = end;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stt::transcript::Segment;

    #[track_caller]
    fn case_fillers(text: &str, expected: &[(&str, usize)]) {
        let delivery = measure(&Words::from_text(text), None, false, 60.0);
        let got: Vec<(&str, usize)> = delivery
            .fillers
            .iter()
            .map(|filler| (filler.filler.as_str(), filler.count))
            .collect();
        assert_eq!(got, expected, "fillers in {text:?}");
        let total: usize = expected.iter().map(|(_, count)| count).sum();
        assert_eq!(delivery.fillers_at_least, total);
    }

    #[test]
    fn filler_words() {
        case_fillers("", &[]);
        case_fillers("Kubernetes.", &[]);
        case_fillers("Um, I think, uh, we, um, ship it.", &[("um", 2), ("uh", 1)]);
        case_fillers(
            "So basically it was, like, slow. I'd use a tool like Vault, so it works.",
            &[("basically", 1), ("like", 1), ("so", 1)],
        );
        case_fillers("so", &[("so", 1)]);
        case_fillers(
            "Um, so, we start. Uh so yes",
            &[("so", 2), ("uh", 1), ("um", 1)],
        );
        case_fillers(
            "It's, you know, hard. If you know the system you know.",
            &[("you know", 2)],
        );
        case_fillers("I mean, it works. I mean it.", &[("i mean", 1)]);
        case_fillers(
            "Actually actually literally.",
            &[("actually", 2), ("literally", 1)],
        );
    }

    #[track_caller]
    fn case_repeats(text: &str, expected: &[(&str, usize)]) {
        let delivery = measure(&Words::from_text(text), None, false, 60.0);
        let got: Vec<(&str, usize)> = delivery
            .repeats
            .iter()
            .map(|repeat| (repeat.word.as_str(), repeat.times))
            .collect();
        assert_eq!(got, expected, "repeats in {text:?}");
    }

    #[test]
    fn repeated_words() {
        case_repeats("", &[]);
        case_repeats("word", &[]);
        case_repeats("I I think the the the cluster", &[("i", 2), ("the", 3)]);
        case_repeats("We, we moved", &[("we", 2)]);
        // A sentence break, a hyphen or a CamelCase name is no repeat.
        case_repeats("It works. Works well.", &[]);
        case_repeats("bye-bye back-to-back", &[]);
        case_repeats("I knew that that was 10 10", &[]);
    }

    #[test]
    fn repeats_have_times_from_segments() {
        let words = Words::from_segments(&[Segment {
            start_s: 4.0,
            end_s: 6.0,
            text: "the the end".into(),
        }]);
        let delivery = measure(&words, None, false, 60.0);
        assert_eq!(
            delivery.repeats,
            [Repeat {
                word: "the".into(),
                times: 2,
                at_s: Some(4.0)
            }]
        );
    }

    #[test]
    fn fillers_are_also_counted_per_minute_of_speech() {
        let words = Words::from_text("Um, we, uh, moved the builds, um, to a new runner.");
        let delivery = measure(&words, None, false, 30.0);
        assert_eq!(delivery.fillers_at_least, 3);
        assert_eq!(delivery.fillers_per_minute, Some(6.0));
        assert_eq!(measure(&words, None, true, 30.0).fillers_per_minute, None);
        assert_eq!(measure(&words, None, false, 0.0).fillers_per_minute, None);
    }

    #[track_caller]
    fn case_pauses(
        speech: Option<SpeechSpan>,
        no_speech: bool,
        expected: (Option<f64>, Option<f64>),
    ) {
        let delivery = measure(&Words::from_text("some words"), speech, no_speech, 60.0);
        assert_eq!((delivery.longest_pause_s, delivery.first_word_s), expected);
    }

    #[test]
    fn pauses_come_from_the_audio() {
        let span = SpeechSpan {
            first_s: 1.234,
            last_s: 50.0,
            voiced_s: 40.0,
            longest_pause_s: 3.456,
        };
        case_pauses(Some(span), false, (Some(3.46), Some(1.23)));
        case_pauses(None, false, (None, None));
        case_pauses(Some(span), true, (None, None));
    }
}
