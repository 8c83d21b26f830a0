//! Words of an answer (or of a bank's text), ready to be matched.
//!
//! Every metric that looks at words starts here: the text is cut into words,
//! CamelCase names are cut into their parts ("NetworkPolicies" → "Network
//! Policies"), each part is lowercased and reduced to its Snowball stem, and
//! stop words are marked. Matching then compares stems, and compares them
//! *squashed* (concatenated) across neighbouring words, so that "ArgoCD" and
//! "Argo CD", "trade-offs" and "tradeoffs", "NetworkPolicies" and "network
//! policies" are the same term however Whisper or the bank wrote them.

use std::collections::HashSet;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

use crate::stt::transcript::Segment;

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Words said or written around content that carry no content of their own:
/// NLTK's English stop words plus spoken hesitations, a few modal verbs that
/// NLTK keeps, and "slash" as Whisper writes a spoken "CI slash CD".
static STOP_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    let mut words: HashSet<&'static str> = stop_words::get("en").iter().copied().collect();
    words.extend([
        "um", "umm", "uh", "uhh", "er", "erm", "ah", "hmm", "mm", "would", "could", "might",
        "must", "shall", "may", "also", "etc", "e", "g", "eg", "ie", "via", "us", "yes", "yeah",
        "okay", "ok", "per", "slash",
    ]);
    words
});

/// What separates a word from the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gap {
    /// The start of the text or of a sentence (after `.`, `?`, `!`).
    Sentence,
    /// A comma-like break: `,` `;` `:` a dash, brackets, quotes or another
    /// symbol (`+`, `&`, `%`).
    Comma,
    /// Only spaces.
    Space,
    /// A slash with no space: "CI/CD", "blue/green".
    Slash,
    /// A hyphen with no space: "multi-tenant".
    Hyphen,
    /// Nothing: a part of a CamelCase word ("Network|Policies").
    Camel,
}

/// One word (or one part of a CamelCase word).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Word {
    /// As written, without surrounding punctuation.
    pub(crate) text: String,
    /// Lowercased, with straight apostrophes, an acronym's plural `s` and a
    /// possessive `'s` removed ("SLOs" → "slo", "team’s" → "team").
    pub(crate) lower: String,
    /// The Snowball stem of `lower`.
    pub(crate) stem: String,
    /// True for stop words ("the", "I'd", "um").
    pub(crate) stop: bool,
    /// True when the word looks like a name or acronym as written: CamelCase,
    /// a capital after the first letter, letters with digits, or a capital
    /// that does not start a sentence ("Vault", "AWS", "GitHub", "S3").
    pub(crate) name: bool,
    /// What came between this word and the previous one.
    pub(crate) gap: Gap,
    /// Estimated seconds into the answer when it was said (interpolated in
    /// its segment by character position); absent for text without times.
    pub(crate) time_s: Option<f64>,
}

impl Word {
    /// True when this word begins a word as spoken (not a CamelCase part).
    pub(crate) fn is_spoken_word(&self) -> bool {
        self.gap != Gap::Camel
    }

    /// True for digits only ("25"), which are not terms on their own.
    pub(crate) fn is_number(&self) -> bool {
        self.lower.chars().all(|c| c.is_ascii_digit())
    }

    /// True for a quantity, in digits or in words ("25", "thirty", "half").
    pub(crate) fn is_quantity(&self) -> bool {
        self.is_number() || NUMBER_WORDS.contains(&self.lower.as_str())
    }
}

/// A key that matches any name or acronym (see [`Word::name`]).
pub(crate) const ANY_NAME: &str = "\u{1}name";
/// A key that matches any quantity (see [`Word::is_quantity`]).
pub(crate) const ANY_NUMBER: &str = "\u{1}number";

/// Quantities said in words (Whisper writes most numbers in digits).
const NUMBER_WORDS: &[&str] = &[
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "fifteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand", "million", "billion", "half", "twice", "double", "triple", "percent",
    "dozen",
];

/// The words of one text, in order, with the positions of its content words.
#[derive(Debug, Clone, Default)]
pub(crate) struct Words {
    /// Every word.
    pub(crate) all: Vec<Word>,
    /// Indices into `all` of the words that are not stop words.
    pub(crate) content: Vec<usize>,
}

impl Words {
    /// Words of plain text, without times.
    pub(crate) fn from_text(text: &str) -> Self {
        let text = collapse_initialisms(text);
        Self::build(tokenise(&text).into_iter().map(|(word, _)| word).collect())
    }

    /// Words of a transcript's segments, each with an estimated time.
    pub(crate) fn from_segments(segments: &[Segment]) -> Self {
        let mut joined = String::new();
        let mut spans = Vec::with_capacity(segments.len());
        for segment in segments {
            if !joined.is_empty() {
                joined.push(' ');
            }
            let start = joined.len();
            joined.push_str(&collapse_initialisms(&segment.text));
            spans.push((start, joined.len(), segment));
        }
        let words = tokenise(&joined)
            .into_iter()
            .map(|(mut word, offset)| {
                word.time_s = spans
                    .iter()
                    .find(|(start, end, _)| offset >= *start && offset < *end)
                    .map(|&(start, end, segment)| {
                        let fraction = (offset - start) as f64 / (end - start).max(1) as f64;
                        segment.start_s + (segment.end_s - segment.start_s).max(0.0) * fraction
                    });
                word
            })
            .collect();
        Self::build(words)
    }

    /// Mark more words as stop words (they stop counting as content).
    pub(crate) fn mark_stop(&mut self, mut is_stop: impl FnMut(usize, &Word) -> bool) {
        for (index, word) in self.all.iter_mut().enumerate() {
            if is_stop(index, word) {
                word.stop = true;
            }
        }
        *self = Self::build(std::mem::take(&mut self.all));
    }

    fn build(all: Vec<Word>) -> Self {
        let content = all
            .iter()
            .enumerate()
            .filter(|(_, word)| !word.stop)
            .map(|(index, _)| index)
            .collect();
        Self { all, content }
    }

    /// Number of words as spoken (a CamelCase name counts once).
    pub(crate) fn spoken_count(&self) -> usize {
        self.all.iter().filter(|word| word.is_spoken_word()).count()
    }

    /// The content word at content position `position`.
    pub(crate) fn content_word(&self, position: usize) -> &Word {
        &self.all[self.content[position]]
    }

    /// The text of content positions `range`, as written, e.g. "Network Policies".
    pub(crate) fn content_text(&self, range: std::ops::Range<usize>) -> String {
        let first = self.content[range.start];
        let last = self.content[range.end - 1];
        join_words(&self.all[first..=last])
    }

    /// Where a term occurs: ranges of content positions, in order. A form
    /// matches a run of neighbouring content words whose stems, concatenated,
    /// equal the form's key.
    pub(crate) fn find(&self, term: &Term) -> Vec<std::ops::Range<usize>> {
        let mut found = Vec::new();
        let mut position = 0;
        while position < self.content.len() {
            let longest = term
                .keys
                .iter()
                .filter_map(|key| self.match_at(position, key))
                .max();
            match longest {
                Some(end) => {
                    found.push(position..end);
                    position = end;
                }
                None => position += 1,
            }
        }
        found
    }

    /// The end of a match of `key` starting at content position `start`.
    fn match_at(&self, start: usize, key: &str) -> Option<usize> {
        let word = self.content_word(start);
        match key {
            // A name runs on over its CamelCase parts: "OpenTelemetry".
            ANY_NAME if word.name => {
                let mut end = start + 1;
                while end < self.content.len()
                    && self.content[end] == self.content[end - 1] + 1
                    && self.content_word(end).gap == Gap::Camel
                {
                    end += 1;
                }
                return Some(end);
            }
            ANY_NAME => return None,
            ANY_NUMBER => return word.is_quantity().then_some(start + 1),
            _ => {}
        }
        let mut rest = key;
        for position in start..self.content.len() {
            let stem = &self.content_word(position).stem;
            if stem.is_empty() {
                return None;
            }
            rest = rest.strip_prefix(stem.as_str())?;
            if rest.is_empty() {
                return Some(position + 1);
            }
        }
        None
    }
}

/// Words joined back as written: a space between words, nothing between the
/// parts of a CamelCase word, the hyphen or slash where there was one.
pub(crate) fn join_words(words: &[Word]) -> String {
    let mut text = String::new();
    for (index, word) in words.iter().enumerate() {
        if index > 0 {
            text.push_str(match word.gap {
                Gap::Camel => "",
                Gap::Hyphen => "-",
                Gap::Slash => "/",
                _ => " ",
            });
        }
        text.push_str(&word.text);
    }
    text
}

/// Something to look for in an answer: a label to show, and one key (the
/// squashed stems of its content words) per way of saying it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    /// The term as the bank writes it.
    pub(crate) label: String,
    /// Squashed content stems of each form, e.g. "kubernet" and "k8s".
    pub(crate) keys: Vec<String>,
}

impl Term {
    /// A term said one way; `None` when the phrase has no content word.
    #[cfg(test)]
    pub(crate) fn new(label: &str, phrase: &str) -> Option<Self> {
        let key = phrase_key(phrase)?;
        Some(Self {
            label: label.to_string(),
            keys: vec![key],
        })
    }

    /// A term from words already cut (the content words among them count).
    pub(crate) fn from_words(words: &[Word]) -> Option<Self> {
        let key = squash(words.iter().filter(|word| !word.stop))?;
        Some(Self {
            label: join_words(words),
            keys: vec![key],
        })
    }

    /// Add other keys (spoken forms), skipping ones it has.
    pub(crate) fn add_keys(&mut self, keys: impl IntoIterator<Item = String>) {
        for key in keys {
            if !self.keys.contains(&key) {
                self.keys.push(key);
            }
        }
    }
}

/// The squashed content stems of a phrase ("IAM roles for service accounts"
/// → "iamroleservicaccount"); `None` when it has no content word.
pub(crate) fn phrase_key(phrase: &str) -> Option<String> {
    let words = Words::from_text(phrase);
    squash(words.content.iter().map(|&index| &words.all[index]))
}

fn squash<'a>(words: impl Iterator<Item = &'a Word>) -> Option<String> {
    let key: String = words.map(|word| word.stem.as_str()).collect();
    (!key.is_empty()).then_some(key)
}

/// A spelled-out acronym as Whisper writes it, "A.W.S." or "A. W. S.",
/// becomes "AWS", so it matches the bank's spelling.
fn collapse_initialisms(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !chars[i - 1].is_alphanumeric();
        let mut letters = String::new();
        let mut end = i;
        // Runs of: one letter, a period, at most one space.
        while starts_word
            && end + 1 < chars.len()
            && chars[end].is_alphabetic()
            && chars[end + 1] == '.'
            && (letters.is_empty() || !chars[end - 1].is_alphanumeric())
        {
            letters.push(chars[end]);
            end += 2;
            if chars.get(end) == Some(&' ') && chars.get(end + 2) == Some(&'.') {
                end += 1;
            }
        }
        if letters.chars().count() >= 2 {
            out.push_str(&letters);
            // Keep a sentence end when a capitalised sentence follows.
            let next = chars[end..].iter().find(|c| !c.is_whitespace());
            if next.is_some_and(|c| c.is_uppercase()) {
                out.push('.');
            }
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Cut text into words, each with its byte offset in `text`.
fn tokenise(text: &str) -> Vec<(Word, usize)> {
    let mut words = Vec::new();
    let mut separator = String::new();
    let mut token = String::new();
    let mut token_start = 0;
    let mut at_start = true;
    let mut flush =
        |token: &mut String, start: usize, separator: &mut String, at_start: &mut bool| {
            let trimmed = token.trim_matches(is_apostrophe);
            if !trimmed.is_empty() {
                let leading = token.len() - token.trim_start_matches(is_apostrophe).len();
                let gap = if *at_start {
                    Gap::Sentence
                } else {
                    classify(separator)
                };
                *at_start = false;
                let parts = camel_parts(trimmed);
                let name = looks_like_name(trimmed, gap, parts.len() > 1);
                for (index, (part, part_offset)) in parts.into_iter().enumerate() {
                    let gap = if index == 0 { gap } else { Gap::Camel };
                    let mut word = word(part, gap);
                    word.name = name && !word.stop;
                    words.push((word, start + leading + part_offset));
                }
                separator.clear();
            } else {
                separator.push_str(token);
            }
            token.clear();
        };
    for (offset, c) in text.char_indices() {
        if c.is_alphanumeric() || is_apostrophe(c) {
            if token.is_empty() {
                token_start = offset;
            }
            token.push(c);
        } else {
            flush(&mut token, token_start, &mut separator, &mut at_start);
            separator.push(c);
        }
    }
    flush(&mut token, token_start, &mut separator, &mut at_start);
    words
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘')
}

/// What the characters between two words amount to.
fn classify(separator: &str) -> Gap {
    if separator.contains(['.', '?', '!']) {
        Gap::Sentence
    } else if separator.contains([',', ';', ':', '—', '–', '(', ')', '"', '“', '”']) {
        Gap::Comma
    } else if matches!(separator, "-" | "‐" | "‑") {
        Gap::Hyphen
    } else if separator == "/" {
        Gap::Slash
    } else if separator.chars().all(char::is_whitespace) {
        Gap::Space
    } else {
        // A symbol such as "+" or "&" ("S3 + DynamoDB") parts names.
        Gap::Comma
    }
}

/// CamelCase parts with their byte offsets: "NetworkPolicies" → Network,
/// Policies; "HTTPServer" → HTTP, Server; but "SLOs", "K8s", "S3" stay whole.
fn camel_parts(token: &str) -> Vec<(&str, usize)> {
    let chars: Vec<(usize, char)> = token.char_indices().collect();
    let mut parts = Vec::new();
    let mut start = 0;
    for i in 1..chars.len() {
        let (offset, c) = chars[i];
        let previous = chars[i - 1].1;
        let next = chars.get(i + 1).map(|&(_, next)| next);
        let lower_to_upper = previous.is_lowercase() && c.is_uppercase();
        // "HTTPServer": split before the capital that starts a lowercase run,
        // unless that run is an acronym's plural ("APIs").
        let acronym_to_word = previous.is_uppercase()
            && c.is_uppercase()
            && next.is_some_and(char::is_lowercase)
            && !(next == Some('s') && i + 2 == chars.len());
        if lower_to_upper || acronym_to_word {
            parts.push((&token[start..offset], start));
            start = offset;
        }
    }
    parts.push((&token[start..], start));
    parts
}

/// A word lowercased with every apostrophe as `'` (before `Word::lower`
/// drops a final "'s").
pub(super) fn lowercase(text: &str) -> String {
    text.chars()
        .map(|c| if is_apostrophe(c) { '\'' } else { c })
        .collect::<String>()
        .to_lowercase()
}

fn word(text: &str, gap: Gap) -> Word {
    let mut lower = lowercase(text);
    let stop = STOP_WORDS.contains(lower.as_str());
    if is_acronym_plural(text) {
        lower.pop();
    }
    if let Some(base) = lower.strip_suffix("'s") {
        lower = base.to_string();
    }
    let stem = STEMMER.stem(lower.trim_end_matches('\'')).into_owned();
    Word {
        text: text.to_string(),
        lower,
        stem,
        stop,
        name: false,
        gap,
        time_s: None,
    }
}

/// See [`Word::name`]; `token` is the whole word as written.
fn looks_like_name(token: &str, gap: Gap, camel: bool) -> bool {
    let inner_capital = token.chars().skip(1).any(char::is_uppercase);
    let digits = token.chars().any(|c| c.is_ascii_digit());
    let letters = token.chars().any(char::is_alphabetic);
    let capital = token.chars().next().is_some_and(char::is_uppercase);
    camel || inner_capital || (digits && letters) || (capital && gap != Gap::Sentence)
}

/// "SLOs", "PRs", "EC2s": two or more capitals (digits allowed) and a
/// final `s`; not "K8s", whose `s` is part of the name.
fn is_acronym_plural(text: &str) -> bool {
    text.strip_suffix('s').is_some_and(|base| {
        base.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && base.chars().filter(char::is_ascii_uppercase).count() >= 2
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(words: &Words) -> Vec<&str> {
        words.all.iter().map(|word| word.text.as_str()).collect()
    }

    #[track_caller]
    fn case_words(text: &str, expected: &[&str], stems: &[&str]) {
        let words = Words::from_text(text);
        assert_eq!(texts(&words), expected, "words of {text:?}");
        let content: Vec<&str> = words
            .content
            .iter()
            .map(|&index| words.all[index].stem.as_str())
            .collect();
        assert_eq!(content, stems, "content stems of {text:?}");
    }

    #[test]
    fn words_and_stems() {
        case_words("", &[], &[]);
        case_words("  ...  ", &[], &[]);
        case_words("Hello.", &["Hello"], &["hello"]);
        case_words(
            "I’d use NetworkPolicies and RBAC.",
            &["I’d", "use", "Network", "Policies", "and", "RBAC"],
            &["use", "network", "polici", "rbac"],
        );
        case_words(
            "SLOs, PRs and APIs",
            &["SLOs", "PRs", "and", "APIs"],
            &["slo", "pr", "api"],
        );
        case_words("K8s on S3", &["K8s", "on", "S3"], &["k8s", "s3"]);
        case_words(
            "HTTPServer's team’s",
            &["HTTP", "Server's", "team’s"],
            &["http", "server", "team"],
        );
        case_words(
            "trade-offs, CI/CD",
            &["trade", "offs", "CI", "CD"],
            &["trade", "off", "ci", "cd"],
        );
        case_words("'quoted' words'", &["quoted", "words"], &["quot", "word"]);
        case_words("Um, so, uh", &["Um", "so", "uh"], &[]);
        // Spelled-out acronyms as Whisper writes them.
        case_words(
            "on A.W.S. and G. C. P.",
            &["on", "AWS", "and", "GCP"],
            &["aw", "gcp"],
        );
        case_words(
            "plan A. Then e.g. this",
            &["plan", "A", "Then", "eg", "this"],
            &["plan"],
        );
    }

    #[test]
    fn gaps_between_words() {
        let words = Words::from_text("So, multi-tenant CI/CD. Then GitHub");
        let gaps: Vec<Gap> = words.all.iter().map(|word| word.gap).collect();
        assert_eq!(
            gaps,
            [
                Gap::Sentence,
                Gap::Comma,
                Gap::Hyphen,
                Gap::Space,
                Gap::Slash,
                Gap::Sentence,
                Gap::Space,
                Gap::Camel
            ]
        );
        assert_eq!(words.spoken_count(), 7);
        let symbols = Words::from_text("S3 + DynamoDB & Vault - Helm");
        let gaps: Vec<Gap> = symbols.all.iter().map(|word| word.gap).collect();
        assert_eq!(
            gaps,
            [
                Gap::Sentence,
                Gap::Comma,
                Gap::Camel,
                Gap::Comma,
                Gap::Comma
            ]
        );
    }

    #[test]
    fn times_are_interpolated_within_segments() {
        let segments = [
            Segment {
                start_s: 1.0,
                end_s: 3.0,
                text: "aaaa bbbb".into(),
            },
            Segment {
                start_s: 5.0,
                end_s: 6.0,
                text: "cccc".into(),
            },
        ];
        let words = Words::from_segments(&segments);
        let times: Vec<Option<f64>> = words.all.iter().map(|word| word.time_s).collect();
        assert_eq!(times, [Some(1.0), Some(1.0 + 2.0 * 5.0 / 9.0), Some(5.0)]);
        assert!(Words::from_text("aaaa").all[0].time_s.is_none());
    }

    #[track_caller]
    fn case_find(answer: &str, phrase: &str, expected: &[&str]) {
        let words = Words::from_text(answer);
        let term = Term::new(phrase, phrase).expect("the phrase has content words");
        let found: Vec<String> = words
            .find(&term)
            .into_iter()
            .map(|range| words.content_text(range))
            .collect();
        assert_eq!(found, expected, "{phrase:?} in {answer:?}");
    }

    #[test]
    fn finding_terms_across_spellings() {
        case_find(
            "we use ArgoCD and Argo CD",
            "Argo CD",
            &["ArgoCD", "Argo CD"],
        );
        case_find(
            "network policies, then NetworkPolicy",
            "NetworkPolicies",
            &["network policies", "NetworkPolicy"],
        );
        case_find(
            "tradeoffs and trade-offs",
            "trade-offs",
            &["tradeoffs", "trade-offs"],
        );
        case_find("the CI CD pipeline", "CI/CD", &["CI CD"]);
        case_find("a CI slash CD pipeline", "CI/CD", &["CI slash CD"]);
        case_find(
            "IAM roles for service accounts",
            "IAM roles for the service account",
            &["IAM roles for service accounts"],
        );
        case_find(
            "deploying deployments",
            "deploy",
            &["deploying", "deployments"],
        );
        case_find("nothing here", "deploy", &[]);
        case_find("", "deploy", &[]);
    }

    #[test]
    fn phrases_without_content_have_no_key() {
        assert_eq!(phrase_key("how you would do it"), None);
        assert_eq!(phrase_key(""), None);
        assert_eq!(
            phrase_key("Infrastructure as Code").as_deref(),
            Some("infrastructurcode")
        );
    }
}
