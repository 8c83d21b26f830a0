//! STAR for behavioural questions ("Tell me about a time …"): which
//! passages of the story are its situation, task, action and result, which
//! part is missing, and how long each took.
//!
//! A passage's part comes from what it says: the words a part is told in
//! ("at my last company", "I owned", "so I wrote", "we shipped", "went from
//! forty to twelve") and, with the embedding model, how close it is to
//! short descriptions of each part. A story is told in order, so a result
//! is not looked for before the first action, nor a situation after it.

use serde::{Deserialize, Serialize};

use super::passages::Passage;
use super::text::Word;
use crate::units::round2;

/// The four parts of a STAR story, in the order they are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum StarPart {
    Situation,
    Task,
    Action,
    Result,
}

impl StarPart {
    pub(crate) const ALL: [StarPart; 4] = [
        StarPart::Situation,
        StarPart::Task,
        StarPart::Action,
        StarPart::Result,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            StarPart::Situation => "situation",
            StarPart::Task => "task",
            StarPart::Action => "action",
            StarPart::Result => "result",
        }
    }

    /// What the part would have said, for a missing one.
    pub(crate) fn hint(self) -> &'static str {
        match self {
            StarPart::Situation => "where and when it was, who was involved, why it mattered",
            StarPart::Task => "what you were responsible for, or set out to do",
            StarPart::Action => "the steps you yourself took (\"I …\")",
            StarPart::Result => "what happened in the end, with a number if you have one",
        }
    }

    /// Descriptions the embedding model compares passages with.
    pub(crate) fn prototypes(self) -> &'static [&'static str] {
        match self {
            StarPart::Situation => &[
                "At my last company our team had a problem that was hurting customers.",
                "This was two years ago, when we were about to launch a big project.",
            ],
            StarPart::Task => &[
                "I was responsible for it and my goal was to fix it before the deadline.",
                "It was my job to get the teams to agree.",
            ],
            StarPart::Action => &[
                "So I wrote a proposal, talked to the lead and built a prototype myself.",
                "I asked for a meeting, gathered the data and presented the options.",
            ],
            StarPart::Result => &[
                "In the end we shipped on time and the errors dropped by half.",
                "As a result they adopted the change and it worked out well.",
            ],
        }
    }
}

/// One part of an answer's story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StarSpan {
    pub(crate) part: StarPart,
    /// True when some passage tells this part.
    pub(crate) present: bool,
    /// Seconds into the answer where the part starts, when it is present
    /// and the transcript has times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) start_s: Option<f64>,
    /// Seconds spent on it (its passages, each up to the next passage),
    /// when it is present and the transcript has times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) seconds: Option<f64>,
    /// The first words of its first passage, or what would show it.
    pub(crate) detail: String,
}

/// The STAR parts of one answer, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Star {
    pub(crate) parts: Vec<StarSpan>,
}

impl Star {
    #[cfg(test)]
    pub(crate) fn missing(&self) -> Vec<StarPart> {
        self.parts
            .iter()
            .filter(|span| !span.present)
            .map(|span| span.part)
            .collect()
    }

    pub(crate) fn has(&self, part: StarPart) -> bool {
        self.parts
            .iter()
            .any(|span| span.part == part && span.present)
    }
}

/// True when the question asks for a story: "Tell me about a time …",
/// "Describe a situation …", "Give an example …".
pub(crate) fn is_behavioural(question: &str) -> bool {
    let lower = question.to_lowercase();
    const OPENINGS: &[&str] = &[
        "tell me about a time",
        "tell me about an occasion",
        "tell me about a situation",
        "tell me about a project where",
        "describe a time",
        "describe a situation",
        "describe an occasion",
        "give an example",
        "give me an example",
        "share an example",
        "walk me through a time",
        "have you ever",
        "can you tell me about a time",
        "talk about a time",
    ];
    OPENINGS.iter().any(|opening| lower.contains(opening))
}

/// Which part a talking point asks for, when it is one of STAR's
/// ("the situation", "what you did", "the outcome").
pub(crate) fn part_of_point(point: &str) -> Option<StarPart> {
    let lower = point.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|word| lower.contains(word));
    if has(&["situation", "context", "background"]) {
        Some(StarPart::Situation)
    } else if has(&[
        "your task",
        "the task",
        "your goal",
        "responsibilit",
        "your role",
    ]) {
        Some(StarPart::Task)
    } else if has(&[
        "what you did",
        "actions you took",
        "the steps you",
        "your actions",
        "the action",
    ]) {
        Some(StarPart::Action)
    } else if has(&["outcome", "result", "impact"]) {
        Some(StarPart::Result)
    } else {
        None
    }
}

/// Cue scores of one passage for each part, from its words.
pub(crate) fn cues(words: &[Word]) -> [f32; 4] {
    let lower: Vec<&str> = words.iter().map(|word| word.lower.as_str()).collect();
    let text = format!(" {} ", lower.join(" "));
    let count = |phrases: &[&str]| {
        phrases
            .iter()
            .filter(|phrase| text.contains(&format!(" {phrase} ")))
            .count() as f32
    };
    let situation = count(&[
        "at my last",
        "at my previous",
        "my last job",
        "my last company",
        "this was",
        "there was",
        "we had",
        "i had a",
        "our team",
        "years ago",
        "back in",
        "at the time",
        "when i was",
        "i once",
        "once",
        "at one point",
        "i was working",
        "we were",
        "another team",
        "a colleague",
        "another engineer",
        "our tech lead",
        "early in",
        "last year",
        "last spring",
        "last summer",
        "last autumn",
        "last fall",
        "last winter",
        "last quarter",
        "a year ago",
        "we hired",
        "new hire",
        "deadline",
    ]);
    let task = count(&[
        "i owned",
        "i was responsible",
        "my job was",
        "my role",
        "i needed to",
        "i had to",
        "i wanted to",
        "the goal was",
        "my goal",
        "on me",
        "i was asked",
        "i was the one",
        "it was my",
        "i was leading",
        "i led",
        "tried to",
        "i was trying",
        "asked me to",
        "i was the lead",
        "i was the senior",
        "i was the staff",
        "the lead on",
        "to own",
        "buddy",
    ]);
    let action = first_person_past(&lower) as f32 + count(&["what i did", "i decided"]);
    let result = count(&[
        "as a result",
        "in the end",
        "ended up",
        "it worked",
        "we launched",
        "shipped",
        "went from",
        "dropped",
        "by the end",
        "afterwards",
        "the outcome",
        "the result",
        "since then",
        "they agreed",
        "adopted",
        "it was fine",
        "saved",
        "lost no",
        "we got it done",
        "worked out",
        "didn't go for it",
        "agreed",
        "went away",
        "to under",
        "percent",
        "restored",
        "nobody lost",
        "came out",
    ]);
    [situation, task, action, result]
}

/// Past forms that tell what someone did.
const PAST_VERBS: &[&str] = &[
    "wrote",
    "built",
    "went",
    "took",
    "made",
    "ran",
    "put",
    "got",
    "sent",
    "told",
    "set",
    "did",
    "led",
    "brought",
    "gave",
    "found",
    "kept",
    "met",
    "chose",
    "split",
    "sat",
    "spoke",
    "paired",
    "pulled",
    "rolled",
    "stayed",
    "offered",
    "asked",
    "presented",
    "collected",
    "proposed",
];

/// How many times "I" or "we" is followed (over adverbs and fillers) by a
/// past verb that is an action ("I wrote", "I just kind of went ahead"),
/// not a state ("I was", "I thought").
fn first_person_past(lower: &[&str]) -> usize {
    let states = [
        "was", "were", "had", "thought", "felt", "knew", "used", "seemed", "wanted",
    ];
    let skip = [
        "just",
        "kind",
        "of",
        "sort",
        "then",
        "quickly",
        "also",
        "actually",
        "immediately",
        "um",
        "uh",
        "really",
        "basically",
        "first",
        "finally",
        "eventually",
        "straight",
    ];
    let mut count = 0;
    for (index, word) in lower.iter().enumerate() {
        if !matches!(*word, "i" | "we") {
            continue;
        }
        let verb = lower[index + 1..].iter().find(|next| !skip.contains(next));
        if verb.is_some_and(|verb| {
            !states.contains(verb)
                && (PAST_VERBS.contains(verb) || (verb.len() > 4 && verb.ends_with("ed")))
        }) {
            count += 1;
        }
    }
    count
}

/// How strongly each passage tells each part: cues plus (when given) the
/// similarity to the part's descriptions; then the order of a story.
/// Returns each passage's part, or `None` for one that tells none. A part
/// that is not any passage's main one may still be told in passing ("early
/// in my last job I owned the setup": a situation, and the task):
/// [`told`] says which parts are.
pub(crate) fn label(
    passages: &[Passage],
    words: &[Word],
    similarity: Option<&[[f32; 4]]>,
) -> Vec<Labelled> {
    let mut labels = Vec::with_capacity(passages.len());
    let mut seen_action = false;
    for (index, passage) in passages.iter().enumerate() {
        let passage_words = &words[passage.words.clone()];
        let cue = cues(passage_words);
        let mut score = [0f32; 4];
        for part in 0..4 {
            score[part] = CUE_WEIGHT * cue[part].min(2.0);
            if let Some(similarity) = similarity {
                score[part] += SIM_WEIGHT * (similarity[index][part] - SIM_CENTRE);
            }
        }
        // A story opens with its situation: a first passage told in the
        // past ("I once deleted …", "we had …") is one.
        if index == 0 && cue.iter().all(|&c| c == 0.0) && told_in_the_past(passage_words) {
            score[0] += OPENING_BONUS;
        }
        if seen_action {
            score[0] -= ORDER_PENALTY;
        }
        let (best, best_score) =
            score.iter().enumerate().fold(
                (0, f32::MIN),
                |acc, (i, &s)| if s > acc.1 { (i, s) } else { acc },
            );
        let main = (best_score >= THRESHOLD).then_some(StarPart::ALL[best]);
        if main == Some(StarPart::Action) {
            seen_action = true;
        }
        labels.push(Labelled {
            main,
            also: score.map(|s| s >= THRESHOLD),
        });
    }
    // An answer in which the speaker does nothing tells no story of
    // theirs (general advice, a colleague's story, "we had three queues"):
    // none of its parts counts.
    let acted = labels.iter().any(|l| l.also[StarPart::Action as usize]);
    if !acted {
        labels.fill(Labelled::NONE);
    }
    labels
}

/// One passage's STAR part, and the parts it tells in passing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Labelled {
    /// The part the passage mainly tells.
    pub(crate) main: Option<StarPart>,
    /// Every part it tells, in [`StarPart::ALL`] order.
    pub(crate) also: [bool; 4],
}

impl Labelled {
    /// A passage that tells no part.
    const NONE: Labelled = Labelled {
        main: None,
        also: [false; 4],
    };
}

/// True when the words tell of the past ("was", "had", a past verb).
fn told_in_the_past(words: &[Word]) -> bool {
    words.iter().any(|word| {
        matches!(
            word.lower.as_str(),
            "was" | "were" | "had" | "wanted" | "did"
        ) || PAST_VERBS.contains(&word.lower.as_str())
            || (word.lower.len() > 4 && word.lower.ends_with("ed"))
    })
}

// Weights of the passage labeller; see `label`. Set by hand and checked on
// the STAR labels of the dev part (the similarity to the descriptions only
// breaks near-ties: at more weight it mislabelled more than it found).
const CUE_WEIGHT: f32 = 1.0;
const SIM_WEIGHT: f32 = 1.0;
const SIM_CENTRE: f32 = 0.3;
const ORDER_PENALTY: f32 = 0.5;
const THRESHOLD: f32 = 0.8;
const OPENING_BONUS: f32 = 1.0;

/// The STAR summary of labelled passages. `end_s` is when the answer's
/// speech ends, for the last passage's length. A part told only in passing
/// is present, with its start and no length of its own.
pub(crate) fn summarise(passages: &[Passage], labels: &[Labelled], end_s: Option<f64>) -> Star {
    let parts = StarPart::ALL
        .iter()
        .enumerate()
        .map(|(slot, &part)| {
            let mine: Vec<usize> = (0..passages.len())
                .filter(|&index| labels[index].main == Some(part))
                .collect();
            let first = mine
                .first()
                .copied()
                .or_else(|| (0..passages.len()).find(|&index| labels[index].also[slot]));
            let Some(first) = first else {
                return StarSpan {
                    part,
                    present: false,
                    start_s: None,
                    seconds: None,
                    detail: part.hint().to_string(),
                };
            };
            let seconds: Option<f64> = (!mine.is_empty())
                .then(|| {
                    mine.iter()
                        .map(|&index| {
                            let start = passages[index].start_s?;
                            let end = passages
                                .get(index + 1)
                                .and_then(|next| next.start_s)
                                .or(end_s)?;
                            Some((end - start).max(0.0))
                        })
                        .sum()
                })
                .flatten();
            StarSpan {
                part,
                present: true,
                start_s: passages[first].start_s.map(round2),
                seconds: seconds.map(round2),
                detail: opening(&passages[first].text),
            }
        })
        .collect();
    Star { parts }
}

/// The first few words of a passage, for showing where a part starts.
fn opening(text: &str) -> String {
    const WORDS: usize = 8;
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= WORDS {
        text.to_string()
    } else {
        format!("{} …", words[..WORDS].join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::passages;
    use crate::analysis::text::Words;

    #[test]
    fn behavioural_questions_are_told_by_their_opening() {
        for question in [
            "Tell me about a time you disagreed with a colleague.",
            "Describe a situation where you had to deliver under a tight deadline.",
            "Give an example of a time you led without authority.",
            "Can you give me an example of a mistake you made?",
        ] {
            assert!(is_behavioural(question), "{question}");
        }
        for question in [
            "How would you design a CI/CD pipeline?",
            "Describe your approach to secrets management.",
            "What is a time-series database?",
        ] {
            assert!(!is_behavioural(question), "{question}");
        }
    }

    #[test]
    fn star_points_are_recognised() {
        assert_eq!(part_of_point("the situation"), Some(StarPart::Situation));
        assert_eq!(part_of_point("what you did"), Some(StarPart::Action));
        assert_eq!(part_of_point("the outcome"), Some(StarPart::Result));
        assert_eq!(part_of_point("measurable results"), Some(StarPart::Result));
        assert_eq!(part_of_point("how you built the case"), None);
        assert_eq!(part_of_point("what you learned"), None);
    }

    #[test]
    fn a_story_is_labelled_in_order_with_times() {
        use crate::stt::transcript::Segment;
        let segments = [
            (
                0.0,
                6.0,
                "At my last company the builds took forty minutes.",
            ),
            (6.0, 9.0, "I owned the CI setup, so it was on me."),
            (
                9.0,
                20.0,
                "So I wrote a plan, moved us to GitLab and split the tests into shards.",
            ),
            (
                20.0,
                25.0,
                "In the end builds went from forty minutes to twelve.",
            ),
        ]
        .map(|(start_s, end_s, text): (f64, f64, &str)| Segment {
            start_s,
            end_s,
            text: text.to_string(),
        });
        let words = Words::from_segments(&segments);
        let cut = passages::cut(&words);
        let labels = label(&cut, &words.all, None);
        let main: Vec<Option<StarPart>> = labels.iter().map(|l| l.main).collect();
        assert_eq!(
            main,
            [
                Some(StarPart::Situation),
                Some(StarPart::Task),
                Some(StarPart::Action),
                Some(StarPart::Result)
            ]
        );
        let star = summarise(&cut, &labels, Some(25.0));
        assert!(star.missing().is_empty());
        assert_eq!(star.parts[2].start_s, Some(9.0));
        assert_eq!(star.parts[2].seconds, Some(11.0));
        assert_eq!(star.parts[3].seconds, Some(5.0));
    }

    #[test]
    fn advice_and_someone_elses_story_tell_no_part() {
        let words = Words::from_text(
            "At one company there was a guy who was struggling, and in the end he was gone. \
             I think you give feedback early and you write things down.",
        );
        let cut = passages::cut(&words);
        let labels = label(&cut, &words.all, None);
        assert!(labels.iter().all(|l| *l == Labelled::NONE), "{labels:?}");
        // The same story with the speaker acting in it has its parts.
        let words = Words::from_text(
            "At one company there was a guy who was struggling. \
             So I booked a one-on-one with him. In the end he was back to his old pace.",
        );
        let cut = passages::cut(&words);
        let star = summarise(&cut, &label(&cut, &words.all, None), None);
        assert_eq!(star.missing(), [StarPart::Task]);
    }

    #[test]
    fn a_story_without_a_result_says_what_is_missing() {
        let words = Words::from_text(
            "We had a colleague who wanted MongoDB for a new service. \
             I put together a comparison and presented it to the team.",
        );
        let cut = passages::cut(&words);
        let star = summarise(&cut, &label(&cut, &words.all, None), None);
        assert_eq!(star.missing(), [StarPart::Task, StarPart::Result]);
        let result = &star.parts[3];
        assert!(!result.present && result.seconds.is_none());
        assert_eq!(result.detail, StarPart::Result.hint());
    }
}
