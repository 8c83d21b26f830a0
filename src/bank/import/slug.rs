//! Ids for imported banks and questions.
//!
//! A question's id is a short slug made of the first three words of its
//! first sentence that carry its topic: the words are lowercased, split at
//! anything but ASCII letters, digits, hyphens and apostrophes ("CI/CD" gives
//! "ci" and "cd"), and [`STOP_WORDS`] (small words, interview framing such as
//! "tell me about a time", and common verbs) and contractions ("it's") are
//! skipped. "Can you explain how you’d implement secrets management and
//! rotation …?" gives `secrets-management-rotation`. The rule and the list
//! are fixed: ids name session files, so the same page must always give the
//! same ids.

use std::collections::HashSet;

/// How many topic words make a question id.
const ID_WORDS: usize = 3;

/// Words that never make a question id.
pub(crate) const STOP_WORDS: &[&str] = &[
    // small words
    "a",
    "about",
    "all",
    "also",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "between",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "each",
    "every",
    "few",
    "for",
    "from",
    "had",
    "has",
    "have",
    "he",
    "her",
    "here",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "new",
    "no",
    "nor",
    "not",
    "of",
    "on",
    "or",
    "other",
    "our",
    "own",
    "shall",
    "she",
    "should",
    "small",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "up",
    "us",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "yes",
    "you",
    "your",
    "yours",
    // interview framing
    "approach",
    "changes",
    "current",
    "describe",
    "evolving",
    "experience",
    "explain",
    "imagine",
    "opinion",
    "process",
    "specifically",
    "tell",
    "time",
    "walk",
    // common verbs that frame rather than name the topic
    "adopt",
    "automating",
    "bring",
    "build",
    "building",
    "built",
    "choosing",
    "collaborate",
    "consider",
    "create",
    "decide",
    "design",
    "diagnosed",
    "enabling",
    "get",
    "handle",
    "help",
    "implement",
    "implementing",
    "improve",
    "improved",
    "improving",
    "influenced",
    "interested",
    "keep",
    "make",
    "measure",
    "move",
    "reduced",
    "set",
    "setting",
    "significantly",
    "stay",
    "take",
    "tasked",
    "track",
    "turned",
    "use",
];

/// The id for a question; `fallback` when no topic word is left.
pub(crate) fn question_id(text: &str, fallback: &str) -> String {
    let stop: HashSet<&str> = STOP_WORDS.iter().copied().collect();
    let words: Vec<String> = words(first_sentence(text))
        .into_iter()
        .filter(|word| !stop.contains(word.as_str()) && !is_contraction(word))
        .map(|word| word.replace('\'', ""))
        .take(ID_WORDS)
        .collect();
    let id = words
        .iter()
        .flat_map(|word| word.split('-'))
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if id.is_empty() || id.chars().all(|c| c.is_ascii_digit() || c == '-') {
        fallback.to_string()
    } else {
        id
    }
}

/// The id for a bank from its title: every word, "Interview Questions"
/// dropped ("Platform Engineer Interview Questions" → `platform-engineer`).
pub(crate) fn bank_id(title: &str) -> String {
    let name = role_from_title(title);
    let id = words(&name)
        .iter()
        .flat_map(|word| word.split(['-', '\'']))
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if id.is_empty() {
        "imported".to_string()
    } else {
        id
    }
}

/// The role named by a title: the title without a trailing "Interview
/// Questions" ("Platform Engineer Interview Questions" → "Platform Engineer").
pub(crate) fn role_from_title(title: &str) -> String {
    let title = title.trim();
    let suffix = "interview questions";
    let cut = title.len().checked_sub(suffix.len()).filter(|&cut| {
        title
            .get(cut..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
    });
    match cut {
        Some(cut) if cut > 0 => title[..cut].trim().to_string(),
        _ => title.to_string(),
    }
}

/// Make `id` unique among `taken` by appending `-2`, `-3`, …
pub(crate) fn unique(id: String, taken: &HashSet<String>) -> String {
    if !taken.contains(&id) {
        return id;
    }
    (2..)
        .map(|n| format!("{id}-{n}"))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or(id)
}

/// Up to the first "?", "." or "!" that ends a sentence, or a dash that
/// starts an aside.
fn first_sentence(text: &str) -> &str {
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        let next_is_space = chars.peek().is_none_or(|(_, next)| next.is_whitespace());
        if matches!(c, '?' | '!' | '—') || (c == '.' && next_is_space) {
            return &text[..index];
        }
    }
    text
}

/// Lowercase ASCII words; hyphens and apostrophes inside a word are kept.
fn words(text: &str) -> Vec<String> {
    let normalized: String = text
        .chars()
        .map(|c| match c {
            '’' | '‘' => '\'',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    normalized
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '\''))
        .map(|word| word.trim_matches(['-', '\'']))
        .filter(|word| !word.is_empty())
        .map(str::to_string)
        .collect()
}

fn is_contraction(word: &str) -> bool {
    ["'s", "'d", "'ve", "'re", "'ll", "'m", "'t"]
        .iter()
        .any(|ending| word.ends_with(ending))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn id(text: &str, expected: &str) {
        assert_eq!(question_id(text, "q1"), expected, "question: {text}");
    }

    #[test]
    fn question_ids_keep_the_topic_words() {
        id(
            "Can you explain how you’d implement secrets management and rotation for applications running in containers?",
            "secrets-management-rotation",
        );
        id(
            "Tell me about a time you built or significantly improved a CI/CD pipeline. What changed for developers?",
            "ci-cd-pipeline",
        );
        id(
            "What’s your approach to access management and least-privilege in cloud environments?",
            "access-management-least-privilege",
        );
        id(
            "Tell me about your work style on small teams—how do you balance heads-down building?",
            "work-style-teams",
        );
    }

    #[test]
    fn a_question_of_stop_words_gets_the_fallback() {
        id("How would you do it?", "q1");
        id("", "q1");
        id("2024?", "q1");
    }

    #[test]
    fn bank_ids_and_roles_come_from_the_title() {
        assert_eq!(
            bank_id("Platform Engineer Interview Questions"),
            "platform-engineer"
        );
        assert_eq!(
            role_from_title("Platform Engineer Interview Questions"),
            "Platform Engineer"
        );
        assert_eq!(
            bank_id("Site Reliability Engineer (SRE)"),
            "site-reliability-engineer-sre"
        );
        assert_eq!(
            role_from_title("Interview Questions"),
            "Interview Questions"
        );
        assert_eq!(bank_id("!!!"), "imported");
    }

    #[test]
    fn duplicates_get_a_number() {
        let taken: HashSet<String> = ["ci-cd".to_string(), "ci-cd-2".to_string()].into();
        assert_eq!(unique("ci-cd".into(), &taken), "ci-cd-3");
        assert_eq!(unique("other".into(), &taken), "other");
    }
}
