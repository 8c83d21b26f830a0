//! Whether a passage says a thing was done, or says it was not.
//!
//! "We never actually got around to testing a restore" names testing and
//! does not cover it; "I guess you'd want abort criteria" wishes for it.
//! A coach does not tick either. But negation words also describe real
//! mechanisms ("you can never rename a field", "nobody waits forever"), so
//! only the forms that disown the work count: the speaker or the team not
//! having done it ("we didn't have", "I never set that up", "there was no
//! limit"), handing it to someone else ("that's more of a QA thing", "not
//! really something we could do"), a regret or wish ("we should have",
//! "would be nice", "I'd hope"), and hedges that stand in for an answer
//! ("I guess", "probably", "somehow", "I'm not sure"). So does a passing
//! mention, the thing only called important ("documentation is important,
//! obviously", "communication is really key"), with nothing about how.

use super::text::{lowercase, Word};

/// What a passage's wording says about the speaker's claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stance {
    /// A plain statement.
    Plain,
    /// The speaker says it was not done or not had; the cue as spoken.
    Negated(String),
    /// A wish, regret or guess instead of what was done; the cue as spoken.
    Hedged(String),
    /// The thing only rated, not addressed; the rating as spoken.
    Passing(String),
    /// A plain statement said tentatively ("probably Redis", "ideally a
    /// canary"): it counts, a little less.
    Tentative(String),
}

impl Stance {
    /// True when the passage can show a point: plain or tentative.
    pub(crate) fn counts(&self) -> bool {
        matches!(self, Stance::Plain | Stance::Tentative(_))
    }
}

/// Subjects whose negation disowns the work.
const SUBJECTS: &[&str] = &["i", "we", "they", "there", "it", "you", "nobody"];

/// Negated auxiliaries ("didn't", "never", …) after such a subject.
const NEGATIONS: &[&str] = &[
    "didn't", "don't", "never", "haven't", "hadn't", "wasn't", "weren't", "couldn't", "wouldn't",
    "can't", "not", "no",
];

/// Words that may stand between the subject and the negation: "we just
/// never", "I really didn't", "there was no", "it was never".
const BETWEEN: &[&str] = &[
    "just", "really", "actually", "honestly", "also", "still", "even", "was", "were", "is", "are",
    "had", "have", "um", "uh", "kind", "of", "sort", "ever", "really",
];

/// Phrases of regret, wish or guess, as lowercase word sequences.
const HEDGES: &[&[&str]] = &[
    &["should", "have"],
    &["should've"],
    &["would", "have", "been"],
    &["would", "be", "nice"],
    &["that'd", "be", "nice"],
    &["it'd", "be", "nice"],
    &["i", "guess"],
    &["i", "suppose"],
    &["maybe"],
    &["somehow"],
    &["or", "something"],
    &["not", "sure"],
    &["i'd", "have", "to", "think"],
    &["next", "time"],
    &["i", "don't", "know"],
    &["overrated"],
    &["i'd", "hope"],
    &["we'd", "hope"],
];

/// Phrases that hand the work to someone else or rule it out.
const DEFLECTIONS: &[&[&str]] = &[
    &["not", "my", "area"],
    &["not", "my", "job"],
    &["wasn't", "really", "something"],
    &["isn't", "really", "something"],
    &["not", "really", "something"],
];

/// Tentative words that leave the claim standing.
const TENTATIVE: &[&[&str]] = &[
    &["probably"],
    &["ideally"],
    &["i'd", "want"],
    &["you'd", "want"],
    &["hopefully"],
];

/// Ratings that, after "is" or "are", only say a thing matters.
const RATINGS: &[&[&str]] = &[
    &["important"],
    &["key"],
    &["crucial"],
    &["essential"],
    &["critical"],
    &["vital"],
    &["the", "foundation"],
    &["a", "factor"],
    &["a", "must"],
    &["a", "big", "deal"],
];

/// Words that may stand between the verb and the rating: "is also
/// super important".
const INTENSIFIERS: &[&str] = &[
    "so",
    "super",
    "really",
    "very",
    "also",
    "pretty",
    "definitely",
    "obviously",
    "always",
    "just",
    "of",
    "course",
    "um",
    "uh",
    "like",
    "kind",
];

/// Words after a rating that go on to say what matters and how ("it's
/// important to separate …", "key because …"): then it is no passing
/// mention.
const GOES_ON: &[&str] = &[
    "to", "that", "because", "since", "for", "so", "when", "if", "is", "as", "here", "in",
];

/// At most this many words after the rating leave it a passing mention; a
/// longer passage says more than the rating.
const PASSING_TAIL: usize = 12;

/// The stance of a passage's words.
pub(crate) fn stance(words: &[Word]) -> Stance {
    let lower: Vec<&str> = words.iter().map(|word| word.lower.as_str()).collect();
    if let Some(cue) = disowning_negation(&lower) {
        return Stance::Negated(cue);
    }
    let find = |phrases: &[&[&str]]| {
        (0..lower.len()).find_map(|start| {
            phrases
                .iter()
                .find(|phrase| lower[start..].starts_with(phrase))
                .map(|phrase| phrase.join(" "))
        })
    };
    if let Some(cue) = find(DEFLECTIONS).or_else(|| more_of_a_thing(&lower)) {
        return Stance::Negated(cue);
    }
    if let Some(cue) = find(HEDGES) {
        return Stance::Hedged(cue);
    }
    if let Some(cue) = passing_mention(words, &lower) {
        return Stance::Passing(cue);
    }
    match find(TENTATIVE) {
        Some(cue) => Stance::Tentative(cue),
        None => Stance::Plain,
    }
}

/// "we didn't", "I never", "there was no", "nobody" …: the cue, when the
/// passage has one.
fn disowning_negation(lower: &[&str]) -> Option<String> {
    for (index, word) in lower.iter().enumerate() {
        let negation = NEGATIONS.contains(word) || word.ends_with("n't");
        if !negation {
            continue;
        }
        // Look back over fillers for a disowning subject.
        let mut back = index;
        while back > 0 && BETWEEN.contains(&lower[back - 1]) {
            back -= 1;
        }
        if back > 0 && SUBJECTS.contains(&lower[back - 1]) {
            // "you can't" and "it doesn't" describe how a thing works;
            // only "you/it" with a past form disowns ("it never happened").
            let subject = lower[back - 1];
            let past = matches!(*word, "didn't" | "never" | "wasn't" | "weren't" | "hadn't");
            if matches!(subject, "you" | "it") && !past {
                continue;
            }
            return Some(lower[back - 1..=index].join(" "));
        }
    }
    None
}

/// "documentation is important, obviously": a rating after "is" or
/// "are" that nothing after it explains; the verb and rating as spoken.
fn passing_mention(words: &[Word], lower: &[&str]) -> Option<String> {
    // `lower` has lost the "'s" of "that's"; a possessive ("the team's
    // key metric") is no verb.
    let verb = |i: usize| {
        matches!(lower[i], "is" | "are" | "was")
            || matches!(lowercase(&words[i].text).as_str(), "it's" | "that's")
    };
    (0..lower.len()).filter(|&i| verb(i)).find_map(|i| {
        let mut at = i + 1;
        while at < lower.len() && INTENSIFIERS.contains(&lower[at]) {
            at += 1;
        }
        let rating = RATINGS.iter().find(|r| lower[at..].starts_with(r))?;
        let end = at + rating.len();
        let tail = &lower[end..];
        let explained = tail.first().is_some_and(|next| GOES_ON.contains(next));
        (!explained && tail.len() <= PASSING_TAIL).then(|| {
            let said: Vec<String> = words[i..end].iter().map(|w| lowercase(&w.text)).collect();
            said.join(" ")
        })
    })
}

/// "that's more of a QA thing": the work is someone else's kind of work.
/// At most three words stand between "a" and "thing".
fn more_of_a_thing(lower: &[&str]) -> Option<String> {
    let start = (0..lower.len()).find(|&i| lower[i..].starts_with(&["more", "of", "a"]))?;
    let gap = lower[start + 3..]
        .iter()
        .take(4)
        .position(|word| *word == "thing")?;
    Some(lower[start..start + 4 + gap].join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::text::Words;

    #[track_caller]
    fn case(text: &str, expected: Stance) {
        assert_eq!(stance(&Words::from_text(text).all), expected, "{text:?}");
    }

    fn negated(cue: &str) -> Stance {
        Stance::Negated(cue.to_string())
    }

    fn hedged(cue: &str) -> Stance {
        Stance::Hedged(cue.to_string())
    }

    #[test]
    fn tentative_claims_still_count() {
        case(
            "I'd put a cache in, probably Memcached or Redis",
            Stance::Tentative("probably".into()),
        );
        assert!(Stance::Tentative("probably".into()).counts());
        assert!(!hedged("i guess").counts() && !negated("we never").counts());
        assert!(Stance::Plain.counts());
    }

    #[test]
    fn disowning_negations() {
        case(
            "We never actually got around to testing a restore",
            negated("we never"),
        );
        case("we didn't have an on call rotation", negated("we didn't"));
        case("I don't really have disagreements", negated("i don't"));
        case("there was no limit on the retries", negated("there was no"));
        case(
            "we talked about adding them but it never happened",
            negated("it never"),
        );
    }

    #[test]
    fn handing_the_work_to_someone_else() {
        case(
            "And preventing regressions, honestly that's more of a QA thing",
            negated("more of a qa thing"),
        );
        case(
            "it was more of a, um, product team thing",
            negated("more of a um product team thing"),
        );
        case(
            "reducing the bundle wasn't really something we could do",
            negated("wasn't really something"),
        );
        case("capacity planning is not my area", negated("not my area"));
        // Someone else doing a step is still a step.
        case("someone else reviews every change", Stance::Plain);
        // "more of a" without "thing" close by is a plain claim.
        case(
            "we moved more of a share of traffic to the canary each hour, that's the thing",
            Stance::Plain,
        );
    }

    #[test]
    fn negations_that_describe_a_mechanism_are_plain() {
        case(
            "you can never rename or remove a field inside the same version",
            Stance::Plain,
        );
        case("so a quick blip doesn't page anyone", Stance::Plain);
        case(
            "staging physically can't reach the prod queue",
            Stance::Plain,
        );
        case(
            "Every call to another service has a deadline",
            Stance::Plain,
        );
    }

    #[test]
    fn a_thing_only_called_important_is_a_passing_mention() {
        let passing = |cue: &str| Stance::Passing(cue.to_string());
        case(
            "And documentation is important, obviously",
            passing("is important"),
        );
        case("Documentation is also key", passing("is also key"));
        case(
            "keep an eye on the board and communicate, communication is really key",
            passing("is really key"),
        );
        case("cost is a factor, obviously", passing("is a factor"));
        case(
            "so semantic HTML, yeah, that's the foundation, though to be honest our app is mostly divs",
            passing("that's the foundation"),
        );
        case("our team's key metric was p99 latency", Stance::Plain);
        assert!(!passing("is key").counts());
        // What follows says what matters, or how.
        case(
            "I think it's really important to separate the person from the performance",
            Stance::Plain,
        );
        case(
            "timeouts are critical because one slow call ties up every thread",
            Stance::Plain,
        );
        case("the API key is stored in Vault", Stance::Plain);
        case(
            "idempotency is essential, every request carries a key and we store the response with it for a day so a retry gets the same answer",
            Stance::Plain,
        );
    }

    #[test]
    fn wishes_regrets_and_guesses() {
        case(
            "I should have measured it before and after",
            hedged("should have"),
        );
        case("I guess you'd want abort criteria", hedged("i guess"));
        case(
            "and for reprocessing, you'd just rerun it somehow",
            hedged("somehow"),
        );
        case(
            "Measuring improvement would be nice",
            hedged("would be nice"),
        );
        case("I'd hope they'd catch it in review", hedged("i'd hope"));
        case(
            "I'd want Storybook, I think that'd be nice",
            hedged("that'd be nice"),
        );
    }
}
