//! Talking points from a question's guidance.
//!
//! The guidance names what a good answer covers in one sentence:
//! "In your answer, specify the tools, access patterns, and rotation
//! strategy." The rule, applied the same way to every question:
//!
//! 1. Take the text after "In your answer," up to the end of that sentence.
//! 2. Split it at commas (and semicolons) outside parentheses; drop a leading
//!    "and"/"or" from each part ("…, and rotation strategy").
//! 3. If the first part starts with a verb that only means "talk about"
//!    ([`FRAMING_VERBS`]: highlight, mention, specify, …), drop that verb. A
//!    verb with content of its own ("quantify improvements", "connect your
//!    experience to …") is kept, because the point would lose its meaning.
//! 4. Drop a leading article or "your" from each part ("the fix" → "fix",
//!    "your hypothesis-driven approach" → "hypothesis-driven approach").
//!
//! So "specify the tools, access patterns, and rotation strategy" gives
//! `tools`, `access patterns`, `rotation strategy`.

/// Verbs (and verb phrases) that introduce a list without adding meaning,
/// longest first so that "focus on" wins over a shorter match.
pub(crate) const FRAMING_VERBS: &[&str] = &[
    "walk through",
    "talk about",
    "touch on",
    "focus on",
    "emphasize",
    "emphasise",
    "highlight",
    "describe",
    "discuss",
    "explain",
    "include",
    "mention",
    "specify",
    "address",
    "outline",
    "define",
    "cover",
    "share",
    "list",
    "show",
    "weigh",
];

/// Words dropped from the start of every point.
const DETERMINERS: &[&str] = &["the", "a", "an", "your"];

/// The talking points named by `guidance`; empty when it has no
/// "In your answer, …" sentence.
pub(crate) fn extract(guidance: &str) -> Vec<String> {
    let Some(sentence) = answer_sentence(guidance) else {
        return Vec::new();
    };
    let mut parts = split_list(sentence);
    if let Some(first) = parts.first_mut() {
        *first = strip_framing_verb(first).to_string();
    }
    parts
        .iter()
        .map(|part| strip_determiner(part).to_string())
        .filter(|part| !part.is_empty())
        .collect()
}

/// The text of the "In your answer, …" sentence after its opening words.
fn answer_sentence(guidance: &str) -> Option<&str> {
    let marker = "in your answer";
    let start = guidance.char_indices().map(|(i, _)| i).find(|&i| {
        guidance
            .get(i..i + marker.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(marker))
    })?;
    let rest = guidance[start + marker.len()..].trim_start_matches([',', ':', ' ']);
    Some(rest[..sentence_end(rest)].trim())
}

/// Byte index where the first sentence of `text` ends (before its period).
fn sentence_end(text: &str) -> usize {
    let bytes = text.as_bytes();
    for (index, c) in text.char_indices() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let at_end = index + 1 >= bytes.len() || bytes[index + 1].is_ascii_whitespace();
        if at_end && !ends_with_abbreviation(&text[..index]) {
            return index;
        }
    }
    text.len()
}

/// "e.g." and friends do not end a sentence.
fn ends_with_abbreviation(before: &str) -> bool {
    let last_word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("")
        .to_lowercase();
    matches!(last_word.as_str(), "e.g" | "i.e" | "vs" | "etc" | "cf")
}

/// Split at top-level commas and semicolons; drop "and"/"or" joiners.
fn split_list(sentence: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in sentence.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            ',' | ';' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
        .iter()
        .map(|part| {
            let part = part.trim();
            strip_word(part, "and")
                .or_else(|| strip_word(part, "or"))
                .unwrap_or(part)
                .trim()
                .to_string()
        })
        .filter(|part| !part.is_empty())
        .collect()
}

fn strip_framing_verb(part: &str) -> &str {
    FRAMING_VERBS
        .iter()
        .find_map(|verb| strip_word(part, verb))
        .map(str::trim_start)
        .unwrap_or(part)
}

fn strip_determiner(part: &str) -> &str {
    DETERMINERS
        .iter()
        .find_map(|word| strip_word(part, word))
        .map(str::trim_start)
        .unwrap_or(part)
}

/// `text` without a leading whole word (or phrase) `word`, ignoring case.
fn strip_word<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let head = text.get(..word.len())?;
    let rest = &text[word.len()..];
    let whole_word = rest.starts_with(char::is_whitespace);
    (head.eq_ignore_ascii_case(word) && whole_word).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(guidance: &str, expected: &[&str]) {
        assert_eq!(extract(guidance), expected, "guidance: {guidance}");
    }

    #[test]
    fn the_verb_and_article_are_dropped() {
        case(
            "Employers ask this to ensure you can protect sensitive data end-to-end. In your answer, specify the tools, access patterns, and rotation strategy.",
            &["tools", "access patterns", "rotation strategy"],
        );
    }

    #[test]
    fn five_points_from_the_first_question() {
        case(
            "Employers ask this question to assess your ability to architect core platform components with security and scalability in mind. In your answer, highlight isolation strategies, cluster layout, network policies, RBAC, and how you’d keep it maintainable as the team grows.",
            &[
                "isolation strategies",
                "cluster layout",
                "network policies",
                "RBAC",
                "how you’d keep it maintainable as the team grows",
            ],
        );
    }

    #[test]
    fn verbs_with_meaning_are_kept() {
        case(
            "In your answer, quantify improvements, name key tools, and explain trade-offs you made.",
            &["quantify improvements", "name key tools", "explain trade-offs you made"],
        );
        case(
            "In your answer, connect your experience to their tech stack and growth stage.",
            &["connect your experience to their tech stack and growth stage"],
        );
    }

    #[test]
    fn phrasal_verbs_and_determiners_on_every_point() {
        case(
            "In your answer, focus on developer productivity and reliability metrics.",
            &["developer productivity and reliability metrics"],
        );
        case(
            "In your answer, define the toil, the automation approach, and measurable impact.",
            &["toil", "automation approach", "measurable impact"],
        );
        case(
            "In your answer, outline your hypothesis-driven approach, tools used, and the fix.",
            &["hypothesis-driven approach", "tools used", "fix"],
        );
    }

    #[test]
    fn the_sentence_ends_at_its_period_not_at_abbreviations() {
        case(
            "In your answer, mention tools (e.g. Vault, SOPS), and audits. Then stop.",
            &["tools (e.g. Vault, SOPS)", "audits"],
        );
    }

    #[test]
    fn no_answer_sentence_means_no_points() {
        case("Employers ask this to see how you think.", &[]);
        case("", &[]);
        case("In your answer,", &[]);
    }

    #[test]
    fn case_and_punctuation_variants_are_understood() {
        case(
            "in your answer: discuss visibility; guardrails; or collaborative practices",
            &["visibility", "guardrails", "collaborative practices"],
        );
    }

    #[test]
    fn non_ascii_text_before_the_marker_is_handled() {
        case(
            "Ünïcödé first. In your answer, mention routines, transparency, and proactive updates.",
            &["routines", "transparency", "proactive updates"],
        );
    }
}
