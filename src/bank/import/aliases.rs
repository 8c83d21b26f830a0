//! Aliases: jargon in a question's block and the ways people say it, so that
//! the transcriber can be primed with the terms and a spoken answer that says
//! "IAM roles for service accounts" counts for "IRSA".
//!
//! Two deterministic sources, nothing guessed:
//!
//! 1. Definitions on the page: "long form (ACRONYM)" where the initials of the
//!    long form's words spell the acronym ("IAM roles for service accounts
//!    (IRSA)"; small words such as "for" may be skipped). A definition found
//!    anywhere on the page applies to every question whose block uses the
//!    acronym. "role-based access (IRSA)" is not a definition: its initials
//!    do not spell IRSA.
//! 2. [`SPOKEN_FORMS`], a short table of common jargon and how it is said
//!    aloud, applied to every question whose block contains the term.

use std::collections::BTreeMap;

/// Jargon → spoken forms. Terms match as whole words, case-sensitively, with
/// an optional plural "s" ("SLOs" matches "SLO").
pub(crate) const SPOKEN_FORMS: &[(&str, &[&str])] = &[
    ("ArgoCD", &["Argo CD"]),
    ("CI/CD", &["CI CD", "continuous integration and delivery"]),
    ("DR", &["disaster recovery"]),
    ("DynamoDB", &["Dynamo DB"]),
    ("FinOps", &["fin ops"]),
    ("HA", &["high availability"]),
    ("IaC", &["infrastructure as code"]),
    ("IAM", &["identity and access management"]),
    ("IdP", &["identity provider"]),
    ("mTLS", &["mutual TLS"]),
    ("MTTR", &["mean time to recovery", "mean time to restore"]),
    ("NPS", &["net promoter score"]),
    ("OpenTelemetry", &["Open Telemetry"]),
    ("OPA", &["Open Policy Agent"]),
    ("PagerDuty", &["Pager Duty"]),
    ("PR", &["pull request"]),
    ("RBAC", &["role-based access control"]),
    ("RPO", &["recovery point objective"]),
    ("RTO", &["recovery time objective"]),
    ("SLI", &["service level indicator"]),
    ("SLO", &["service level objective"]),
    ("SSO", &["single sign-on"]),
];

/// Small words a long form may contain without contributing an initial.
const LINKING_WORDS: &[&str] = &["a", "an", "and", "as", "for", "in", "of", "on", "the", "to"];

/// Acronym → long forms defined anywhere in `page_texts`, in order of
/// appearance.
pub(crate) fn definitions<'t>(
    page_texts: impl IntoIterator<Item = &'t str>,
) -> BTreeMap<String, Vec<String>> {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for text in page_texts {
        for (acronym, long_form) in definitions_in(text) {
            let forms = found.entry(acronym).or_default();
            if !forms.contains(&long_form) {
                forms.push(long_form);
            }
        }
    }
    found
}

/// The aliases for one question's block: page definitions and table entries
/// whose term occurs in it.
pub(crate) fn for_block(
    block_text: &str,
    page_definitions: &BTreeMap<String, Vec<String>>,
) -> BTreeMap<String, Vec<String>> {
    let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let table = SPOKEN_FORMS.iter().map(|(term, forms)| {
        (
            *term,
            forms.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
        )
    });
    let defined = page_definitions
        .iter()
        .map(|(term, forms)| (term.as_str(), forms.clone()));
    for (term, forms) in defined.chain(table) {
        if !contains_term(block_text, term) {
            continue;
        }
        let entry = aliases.entry(term.to_string()).or_default();
        for form in forms {
            if !entry.contains(&form) {
                entry.push(form);
            }
        }
    }
    aliases
}

/// Every "long form (ACRONYM)" in `text`.
fn definitions_in(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    let mut consumed = 0;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        let inside = rest[open + 1..open + close].trim();
        let before = &text[..consumed + open];
        if is_acronym(inside) {
            if let Some(long_form) = long_form_before(before, inside) {
                found.push((inside.to_string(), long_form));
            }
        }
        consumed += open + 1;
        rest = &text[consumed..];
    }
    found
}

/// 2 to 10 letters or digits, starting with a capital, with at least two
/// capitals ("IRSA", "IaC", "mTLS" does not start with one and is skipped).
fn is_acronym(word: &str) -> bool {
    let capitals = word.chars().filter(char::is_ascii_uppercase).count();
    (2..=10).contains(&word.chars().count())
        && word.starts_with(|c: char| c.is_ascii_uppercase())
        && word.chars().all(|c| c.is_ascii_alphanumeric())
        && capitals >= 2
}

/// The words just before "(ACRONYM)" whose initials spell it, if any.
fn long_form_before(before: &str, acronym: &str) -> Option<String> {
    let letters: Vec<char> = acronym
        .chars()
        .filter(char::is_ascii_uppercase)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    // Only the words of the same clause can be the long form.
    let clause_start = before
        .rfind(['.', ',', ';', ':', '(', ')', '—'])
        .map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    let words: Vec<&str> = before[clause_start..].split_whitespace().collect();
    let mut needed = letters.len();
    let mut first_word = words.len();
    for (index, word) in words.iter().enumerate().rev() {
        if needed == 0 {
            break;
        }
        let lower = word.to_lowercase();
        if LINKING_WORDS.contains(&lower.as_str()) {
            continue;
        }
        let initial = lower.chars().next()?;
        if initial != letters[needed - 1] {
            return None;
        }
        needed -= 1;
        first_word = index;
    }
    (needed == 0).then(|| words[first_word..].join(" "))
}

/// `term` occurs in `text` as a whole word (an "s" plural allowed).
fn contains_term(text: &str, term: &str) -> bool {
    text.match_indices(term).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let mut after = text[start + term.len()..].chars();
        let next = match after.next() {
            Some('s') => after.next(),
            other => other,
        };
        let is_boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        is_boundary(before) && is_boundary(next)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_definition_needs_matching_initials() {
        let defs = definitions([
            "Access control is least-privilege via IAM roles for service accounts (IRSA) and audit logging.",
            "Services use role-based access (IRSA) rather than long-lived keys.",
            "We added policy checks (OPA) and Infrastructure as Code (IaC).",
        ]);
        let expected: BTreeMap<String, Vec<String>> = [
            ("IRSA", "IAM roles for service accounts"),
            ("IaC", "Infrastructure as Code"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
        .collect();
        assert_eq!(defs, expected);
    }

    #[test]
    fn parentheses_that_are_not_acronyms_are_ignored() {
        assert!(definitions([
            "tests (Terratest)",
            "(S3 + DynamoDB)",
            "(e.g., Vault)",
            "x (",
            ")("
        ])
        .is_empty());
    }

    #[test]
    fn a_page_definition_applies_wherever_the_acronym_is_used() {
        let defs = definitions(["IAM roles for service accounts (IRSA)"]);
        let aliases = for_block("Services use role-based access (IRSA).", &defs);
        assert_eq!(aliases["IRSA"], ["IAM roles for service accounts"]);
    }

    #[test]
    fn table_terms_match_whole_words_and_plurals() {
        let aliases = for_block(
            "discuss SLIs/SLOs selection with ArgoCD; CI/CD too",
            &BTreeMap::new(),
        );
        let terms: Vec<&str> = aliases.keys().map(String::as_str).collect();
        assert_eq!(terms, ["ArgoCD", "CI/CD", "SLI", "SLO"]);
        assert!(for_block("HAPPY DRAMA OPAQUE", &BTreeMap::new()).is_empty());
    }
}
