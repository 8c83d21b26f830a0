//! The initial prompt Whisper gets: text it takes as what was said just
//! before. It steers spelling and style, and it is risky: a bare comma list
//! of talking points made Whisper skip the first half of an answer and loop
//! a short one three times. So the prompt holds only what Whisper would
//! otherwise get wrong, written the way a transcript reads:
//!
//! - a disfluent lead-in ("So, um, I was, uh, …"), which keeps the fillers Whisper
//!   otherwise drops;
//! - for a practice answer, the names and jargon of its question (aliases,
//!   product names, acronyms of the question and its sample answer), in one
//!   short sentence.
//!
//! Never the abstract talking points. Which parts win was measured with
//! `cargo bench --bench transcribe` (README, "Transcription").

use crate::bank::Question;

/// What the prompt is made of (the benchmark compares them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptStyle {
    /// No prompt.
    None,
    /// The disfluent lead-in alone.
    LeadIn,
    /// The question's names and jargon alone.
    Jargon,
    /// Lead-in, then names and jargon.
    LeadInJargon,
    /// Talking points and aliases as a comma list (what viva used to send;
    /// kept to measure against).
    PointList,
}

/// What `viva practice` sends. The question's jargon sentence was measured
/// against the lead-in alone: no better word error rate (7.1% against 7.3%
/// on the dev set) and fewer fillers kept (80% against 88%), so practice
/// transcribes an answer exactly as `viva transcribe` does.
pub const PRACTICE: PromptStyle = PromptStyle::LeadIn;

/// The lead-in: hesitations as Whisper writes them, in a short sentence.
/// Chosen on the dev set's 80 clips (`VIVA_BENCH_LEAD_INS`): no prompt
/// scored 6.9% word error rate and kept 19% of the um/uh spoken; this one
/// 7.9% and 91%; "Um, so, uh, let me think." 8.3% and 86%; the
/// "Umm, let me think like, hmm…" of the issue 8.4% and 74%.
pub const LEAD_IN: &str = "So, um, I was, uh, thinking about it, and, um, yeah.";

/// At most this many names go into a prompt (the prompt's share of the
/// decoder's context is small, and a long list reads like a list).
const MAX_NAMES: usize = 8;

/// The prompt for an answer to `question` (or for any audio when `None`).
pub fn prompt(style: PromptStyle, question: Option<&Question>) -> Option<String> {
    let names = || question.map(names).unwrap_or_default();
    let text = match style {
        PromptStyle::None => return None,
        PromptStyle::LeadIn => LEAD_IN.to_string(),
        PromptStyle::Jargon => jargon_sentence(&names())?,
        PromptStyle::LeadInJargon => match jargon_sentence(&names()) {
            Some(sentence) => format!("{LEAD_IN} {sentence}"),
            None => LEAD_IN.to_string(),
        },
        PromptStyle::PointList => point_list(question?)?,
    };
    Some(text)
}

/// "I've worked with Kubernetes, Argo CD and Vault." from the names.
fn jargon_sentence(names: &[String]) -> Option<String> {
    let list = match names {
        [] => return None,
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    Some(format!("I've worked with {list}."))
}

fn point_list(question: &Question) -> Option<String> {
    let mut terms: Vec<String> = question.talking_points.clone();
    for (term, forms) in &question.aliases {
        terms.push(term.clone());
        terms.extend(forms.iter().cloned());
    }
    terms.retain(|term| !term.trim().is_empty());
    (!terms.is_empty()).then(|| terms.join(", "))
}

/// The names and jargon of a question: its alias terms first, then the
/// names in its text and sample answer, each once, at most [`MAX_NAMES`].
pub fn names(question: &Question) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |name: String| {
        let key = name.to_lowercase().replace([' ', '-'], "");
        if !name.is_empty()
            && names.len() < MAX_NAMES
            && !names
                .iter()
                .any(|known| known.to_lowercase().replace([' ', '-'], "") == key)
        {
            names.push(name);
        }
    };
    for term in question.aliases.keys() {
        add(term.clone());
    }
    for text in [&question.text, &question.sample_answer] {
        for name in names_in(text) {
            add(name);
        }
    }
    names
}

/// Runs of name-like words in `text`: a word with a capital that does not
/// start a sentence ("Vault", "Argo"), or with capitals or digits inside
/// ("IRSA", "GitHub", "S3"); neighbours join ("GitHub Actions").
fn names_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let mut sentence_start = true;
    for raw in text.split_whitespace() {
        let word = raw.trim_matches(|c: char| !c.is_alphanumeric());
        let is_name = !word.is_empty() && looks_like_name(word, sentence_start);
        if is_name {
            run.push(word);
        }
        let breaks = !is_name || raw.ends_with([',', '.', ';', ':', '?', '!', ')']);
        if breaks && !run.is_empty() {
            out.push(run.join(" "));
            run.clear();
        }
        sentence_start = raw.ends_with(['.', '?', '!', ':']);
    }
    if !run.is_empty() {
        out.push(run.join(" "));
    }
    out
}

fn looks_like_name(word: &str, sentence_start: bool) -> bool {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let rest: Vec<char> = chars.collect();
    let inner_capital = rest.iter().any(|c| c.is_uppercase());
    let has_digit =
        word.chars().any(|c| c.is_ascii_digit()) && word.chars().any(char::is_alphabetic);
    // "I", "I'd" and the like are not names.
    let pronoun = word == "I" || word.starts_with("I’") || word.starts_with("I'");
    !pronoun && (inner_capital || has_digit || (first.is_uppercase() && !sentence_start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(text: &str, sample: &str, aliases: &[&str]) -> Question {
        Question {
            id: "q".into(),
            text: text.into(),
            guidance: String::new(),
            talking_points: vec!["tools".into(), "rotation strategy".into()],
            aliases: aliases
                .iter()
                .map(|a| (a.to_string(), vec![format!("{a} spoken")]))
                .collect(),
            target_s: None,
            sample_answer: sample.into(),
            follow_ups: Vec::new(),
        }
    }

    #[test]
    fn names_come_from_aliases_question_and_sample() {
        let q = question(
            "How would you run Kubernetes on AWS?",
            "I’d use GitHub Actions with OPA/Gatekeeper, store secrets in Vault and give pods IRSA. Then S3.",
            &["IRSA"],
        );
        assert_eq!(
            names(&q),
            [
                "IRSA",
                "Kubernetes",
                "AWS",
                "GitHub Actions",
                "OPA/Gatekeeper",
                "Vault",
                "S3"
            ]
        );
    }

    #[test]
    fn sentence_starts_and_pronouns_are_not_names() {
        assert_eq!(
            names_in("Secrets rotate. Then we ship. I think I’d wait."),
            Vec::<String>::new()
        );
        assert_eq!(
            names_in("We moved to Argo CD, then Terraform."),
            ["Argo CD", "Terraform"]
        );
    }

    #[test]
    fn prompts_read_like_speech_and_never_list_points() {
        let q = question("How?", "We use Vault and Kubernetes.", &[]);
        assert_eq!(prompt(PromptStyle::None, Some(&q)), None);
        assert_eq!(prompt(PromptStyle::LeadIn, None).as_deref(), Some(LEAD_IN));
        assert_eq!(
            prompt(PromptStyle::Jargon, Some(&q)).as_deref(),
            Some("I've worked with Vault and Kubernetes.")
        );
        assert_eq!(
            prompt(PromptStyle::LeadInJargon, Some(&q)).as_deref(),
            Some("So, um, I was, uh, thinking about it, and, um, yeah. I've worked with Vault and Kubernetes.")
        );
        // Without names, the lead-in stands alone; a point list is only
        // made on request.
        let plain = question("How?", "we just do it.", &[]);
        assert_eq!(
            prompt(PromptStyle::LeadInJargon, Some(&plain)).as_deref(),
            Some(LEAD_IN)
        );
        assert_eq!(prompt(PromptStyle::Jargon, Some(&plain)), None);
        assert_eq!(
            prompt(PromptStyle::PointList, Some(&plain)).as_deref(),
            Some("tools, rotation strategy")
        );
    }

    #[test]
    fn a_long_list_is_cut() {
        let sample = "A1 B2 C3 D4 E5 F6 G7 H8 I9 J10 K11";
        let q = question("How?", sample, &[]);
        assert_eq!(names(&q).len(), 1, "one run of joined names");
        let q = question("How?", "A1, B2, C3, D4, E5, F6, G7, H8, J9, K10.", &[]);
        assert_eq!(names(&q).len(), MAX_NAMES);
    }
}
