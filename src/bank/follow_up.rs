//! The follow-up question about a talking point an answer missed: the
//! bank's own when it has one (`follow_ups` in the bank file), else a
//! sentence made from the point, in an interviewer's voice, that reads well
//! spoken whether the point is a noun ("rotation strategy"), a clause ("how
//! you'd keep it maintainable as the team grows") or an instruction
//! ("quantify improvements").

use super::Question;

/// Verbs that open a point to say what the answer should do.
const INSTRUCTIONS: &[&str] = &[
    "quantify",
    "name",
    "explain",
    "connect",
    "describe",
    "mention",
    "highlight",
    "give",
    "share",
    "outline",
    "specify",
    "list",
    "show",
    "demonstrate",
    "walk",
    "discuss",
    "identify",
    "clarify",
    "illustrate",
    "define",
    "cover",
    "emphasize",
    "emphasise",
    "summarize",
    "summarise",
    "include",
    "provide",
];

/// Words that open a clause ("how you replan", "what you did").
const CLAUSE_OPENERS: &[&str] = &[
    "how", "what", "why", "when", "where", "which", "who", "whether",
];

/// Words after which a noun needs no article.
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "your", "their", "its", "our", "my", "his", "her", "this", "that", "these",
    "those", "any", "some", "each", "every", "how", "what", "why", "which",
];

impl Question {
    /// The follow-up question about `point`: the bank's, else one made from
    /// the point.
    pub(crate) fn follow_up(&self, point: &str) -> String {
        self.follow_ups
            .iter()
            .find(|follow_up| follow_up.point == point)
            .map(|follow_up| follow_up.text.clone())
            .unwrap_or_else(|| made_from(point))
    }
}

/// A follow-up question made from a talking point.
pub(crate) fn made_from(point: &str) -> String {
    // Slashes and brackets read badly aloud.
    let point = point.replace('/', " and ").replace(['(', ')'], "");
    let point = point.split_whitespace().collect::<Vec<_>>().join(" ");
    let words: Vec<&str> = point.split(' ').collect();
    let first = words.first().map(|w| w.to_lowercase()).unwrap_or_default();
    if INSTRUCTIONS.contains(&first.as_str()) && words.len() > 1 {
        let rest = &words[1..];
        let needs_article = !DETERMINERS.contains(&rest[0].to_lowercase().as_str())
            && !is_acronym(rest[0])
            && rest.len() > 1;
        let article = if needs_article { "the " } else { "" };
        return format!("Could you {first} {article}{}?", rest.join(" "));
    }
    if CLAUSE_OPENERS.contains(&first.as_str()) {
        return format!("You didn't say much about {point}. Can you walk me through that?");
    }
    let subject = if needs_the(&words) {
        format!("the {point}")
    } else {
        point.to_string()
    };
    format!("You didn't say much about {subject}. Can you tell me more about that?")
}

/// A bare singular count noun ("fix", "problem") needs "the"; plurals,
/// mass and abstract nouns, "-ing" forms and acronyms read well bare.
fn needs_the(words: &[&str]) -> bool {
    let [word] = words else {
        return false;
    };
    let lower = word.to_lowercase();
    const BARE_ENDINGS: &[&str] = &[
        "s", "ing", "ity", "ion", "ness", "ency", "ancy", "ship", "ment", "ure",
    ];
    !is_acronym(word) && !BARE_ENDINGS.iter().any(|ending| lower.ends_with(ending))
}

/// "RBAC", "SLOs", "IaC".
fn is_acronym(word: &str) -> bool {
    word.chars().filter(|c| c.is_uppercase()).count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{builtin, parse};

    #[track_caller]
    fn case(point: &str, expected: &str) {
        assert_eq!(made_from(point), expected, "{point:?}");
    }

    #[test]
    fn nouns_clauses_and_instructions_each_read_well() {
        case(
            "rotation strategy",
            "You didn't say much about rotation strategy. Can you tell me more about that?",
        );
        case(
            "fix",
            "You didn't say much about the fix. Can you tell me more about that?",
        );
        case(
            "RBAC",
            "You didn't say much about RBAC. Can you tell me more about that?",
        );
        case(
            "how you’d keep it maintainable as the team grows",
            "You didn't say much about how you’d keep it maintainable as the team grows. Can you walk me through that?",
        );
        case("quantify improvements", "Could you quantify improvements?");
        case("name key tools", "Could you name the key tools?");
        case(
            "explain trade-offs you made",
            "Could you explain the trade-offs you made?",
        );
        case(
            "connect your experience to their tech stack and growth stage",
            "Could you connect your experience to their tech stack and growth stage?",
        );
        case(
            "SLIs/SLOs selection",
            "You didn't say much about SLIs and SLOs selection. Can you tell me more about that?",
        );
    }

    /// Every point of the built-in bank gives one well-formed spoken
    /// question: a capital first, one question mark at the end, no symbol
    /// a voice reads badly, the point's own words in it.
    #[test]
    fn every_built_in_point_gives_a_well_formed_question() {
        let bank = parse(builtin("platform-engineer").unwrap(), "built-in").unwrap();
        let mut checked = 0;
        for question in &bank.questions {
            for point in &question.talking_points {
                let text = made_from(point);
                assert!(text.starts_with(|c: char| c.is_uppercase()), "{text}");
                assert!(
                    text.ends_with('?') && text.matches('?').count() == 1,
                    "{text}"
                );
                assert!(
                    !text.contains(['/', '(', ')', '[', ']']) && !text.contains("  "),
                    "{text}"
                );
                let last_word = point.split([' ', '/']).next_back().unwrap();
                assert!(text.contains(last_word), "{text} lacks {last_word}");
                assert!(text.split_whitespace().count() <= 30, "{text}");
                checked += 1;
            }
        }
        assert_eq!(checked, 73);
    }

    #[test]
    fn the_banks_own_follow_up_wins() {
        let bank = parse(builtin("platform-engineer").unwrap(), "built-in").unwrap();
        let question = bank.question("secrets-management-rotation").unwrap().1;
        let own = question.follow_up("rotation strategy");
        assert_ne!(own, made_from("rotation strategy"));
        assert!(own.ends_with('?'), "{own}");
    }
}
