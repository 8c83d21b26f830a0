//! The answer against the sample answer: which of the sample's key terms the
//! answer used and which it missed.
//!
//! A key term is what a listener would note down from the sample: a name or
//! acronym ("GitHub Actions", "AWS Secrets Manager", "RBAC", "S3") or a
//! compound term ("blue/green", "least-privilege", "expand/contract"). Plain
//! words ("start", "clear") are not key terms: the sample's ideas are judged
//! by the talking points. A term counts as used in any of its spoken forms.

use serde::{Deserialize, Serialize};

use super::jargon::Jargon;
use super::text::{Gap, Term, Word, Words};

/// Key terms of the sample answer, used or not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct SampleTerms {
    /// Key terms of the sample answer that the answer also said, in the
    /// sample's order, as the sample writes them.
    pub(crate) used: Vec<String>,
    /// Key terms of the sample answer that the answer did not say.
    pub(crate) missed: Vec<String>,
}

/// Which key terms of `sample` the answer's `words` used.
pub(crate) fn compare(words: &Words, sample: &str, jargon: &Jargon) -> SampleTerms {
    let mut terms = SampleTerms::default();
    for term in key_terms(sample, jargon) {
        if words.find(&term).is_empty() {
            terms.missed.push(term.label);
        } else {
            terms.used.push(term.label);
        }
    }
    terms
}

/// The key terms of a sample answer, in order, each once, with their
/// spoken forms.
pub(crate) fn key_terms(sample: &str, jargon: &Jargon) -> Vec<Term> {
    let words = Words::from_text(sample);
    let mut terms: Vec<Term> = Vec::new();
    let mut name_run: Vec<Word> = Vec::new();
    let mut add = |run: &[Word]| {
        if let Some(term) = Term::from_words(run) {
            if !terms.iter().any(|known| known.keys[0] == term.keys[0]) {
                terms.push(jargon.expand(term));
            }
        }
    };
    for unit in units(&words.all) {
        let is_name = is_name(unit);
        // A name continues a run of names across plain spaces only:
        // "AWS Secrets Manager", but "OPA, Gatekeeper" are two.
        let continues = is_name && !name_run.is_empty() && unit[0].gap == Gap::Space;
        if !continues && !name_run.is_empty() {
            add(&name_run);
            name_run.clear();
        }
        if is_name {
            name_run.extend_from_slice(unit);
        } else if is_compound(unit) {
            add(unit);
        }
    }
    if !name_run.is_empty() {
        add(&name_run);
    }
    terms
}

/// Words as written between spaces and punctuation: CamelCase parts and
/// hyphenated parts stay together, and so do lowercase words joined by a
/// slash ("blue/green"); names joined by a slash ("OPA/Gatekeeper") are
/// alternatives and stay apart.
fn units(words: &[Word]) -> Vec<&[Word]> {
    let mut units = Vec::new();
    let mut start = 0;
    for index in 1..=words.len() {
        let joined = words.get(index).is_some_and(|word| match word.gap {
            Gap::Camel | Gap::Hyphen => true,
            Gap::Slash => is_plain(&words[index - 1]) && is_plain(word),
            _ => false,
        });
        if !joined {
            units.push(&words[start..index]);
            start = index;
        }
    }
    units
}

fn is_plain(word: &Word) -> bool {
    word.text
        .chars()
        .all(|c| c.is_lowercase() || c == '\'' || c == '’')
}

/// A name or acronym (see `Word::name`), not a bare number.
fn is_name(unit: &[Word]) -> bool {
    unit.iter().any(|word| word.name) && !unit.iter().all(Word::is_number)
}

/// A compound of two or more content words: "least-privilege", "blue/green".
fn is_compound(unit: &[Word]) -> bool {
    unit.iter()
        .filter(|word| !word.stop && !word.is_number())
        .count()
        >= 2
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn jargon() -> Jargon {
        Jargon::new(&BTreeMap::new())
    }

    #[track_caller]
    fn case_terms(sample: &str, expected: &[&str]) {
        let labels: Vec<String> = key_terms(sample, &jargon())
            .into_iter()
            .map(|term| term.label)
            .collect();
        assert_eq!(labels, expected, "key terms of {sample:?}");
    }

    #[test]
    fn key_terms_of_samples() {
        case_terms("", &[]);
        case_terms("I would start small. It works.", &[]);
        case_terms(
            "I moved us from ad-hoc Jenkins jobs to GitHub Actions with caching, and \
             canary deploys via Argo Rollouts. We added policy checks (OPA) for PRs.",
            &[
                "ad-hoc",
                "Jenkins",
                "GitHub Actions",
                "Argo Rollouts",
                "OPA",
                "PRs",
            ],
        );
        case_terms(
            "Secrets would live in AWS Secrets Manager or Vault, with OPA/Gatekeeper and \
             Helm/ArgoCD. Terraform modules.",
            &[
                "AWS Secrets Manager",
                "Vault",
                "OPA",
                "Gatekeeper",
                "Helm",
                "ArgoCD",
            ],
        );
        case_terms(
            "I follow expand/contract, then blue/green or a team/service split, with \
             least-privilege roles and ~25 minutes to 10, 30% fewer 502s on S3 + DynamoDB.",
            &[
                "expand/contract",
                "blue/green",
                "team/service",
                "least-privilege",
                "502s",
                "S3",
                "DynamoDB",
            ],
        );
        // The same term twice, in two spellings, is one term.
        case_terms(
            "We use OPA. Later OPA again, and ArgoCD then Argo CD.",
            &["OPA", "ArgoCD"],
        );
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| item.to_string()).collect()
    }

    #[track_caller]
    fn case(answer: &str, sample: &str, used: &[&str], missed: &[&str]) {
        let terms = compare(&Words::from_text(answer), sample, &jargon());
        assert_eq!(
            (terms.used, terms.missed),
            (strings(used), strings(missed)),
            "{answer:?} against {sample:?}"
        );
    }

    #[test]
    fn used_and_missed() {
        let sample = "We run Kubernetes with RBAC, Helm/ArgoCD and blue/green deploys.";
        case(
            "",
            sample,
            &[],
            &["Kubernetes", "RBAC", "Helm", "ArgoCD", "blue/green"],
        );
        case(
            "We deploy with argo cd onto k8s, blue green style, and role based access control.",
            sample,
            &["Kubernetes", "RBAC", "ArgoCD", "blue/green"],
            &["Helm"],
        );
        case(
            "Anything at all.",
            "A sample with no names at all.",
            &[],
            &[],
        );
    }
}
