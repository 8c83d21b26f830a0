//! The lexical matcher: which of a question's talking points an answer
//! names in its own words or close variants, and when. It is one signal of
//! the coverage judge (`coverage`), and the whole judge when the embedding
//! model is missing.
//!
//! A talking point ("network policies", "RBAC", "rollback strategies") is
//! cut into terms: its content words, with a known multi-word phrase
//! ("infrastructure as code", "identity federation") or a hyphenated
//! compound ("trade-offs") kept as one term. Words that only frame the point
//! are not terms: an instruction verb that opens it ("mention", "explain",
//! "name"), light verbs and prepositions ("made", "keep", "around"), and a
//! generic head noun beside a real one ("rotation *strategy*", "access
//! *patterns*"). Each term is then widened by its spoken forms (`jargon`)
//! and, for abstract words, by what shows them in an answer (`concepts`).
//!
//! The point counts as covered when more than half of its terms occur in the
//! answer within a short passage ([`WINDOW`] content words), so scattered
//! words from different sentences do not add up to a point.

use serde::{Deserialize, Serialize};

use super::concepts;
use super::jargon::Jargon;
use super::text::{Gap, Term, Words};
use crate::units::round2;

/// How close together a point's terms must be: the passage's length in
/// content words (stop words not counted), about two spoken sentences.
pub(crate) const WINDOW: usize = 20;

/// Verbs that open a talking point to say what to do with it; they are not
/// what the answer must say.
#[rustfmt::skip]
const INSTRUCTION_VERBS: &[&str] = &[
    "highlight", "mention", "describe", "discuss", "explain", "show", "outline", "specify",
    "name", "list", "define", "cover", "emphasize", "emphasise", "focus", "connect", "weigh",
    "include", "share", "give", "provide", "demonstrate", "walk", "talk", "touch",
    "identify", "clarify", "illustrate", "summarize", "summarise", "address",
];

/// Light verbs and prepositions that carry no content in a point
/// ("explain trade-offs you *made*", "governance *around* error budgets").
const FRAMING_WORDS: &[&str] = &[
    "make", "made", "keep", "get", "got", "around", "along", "within", "across", "toward",
    "towards", "upon", "among", "beyond", "without", "like",
];

/// Generic head nouns: "rotation strategy" is covered by talking about
/// rotation. Dropped when the point has another term.
#[rustfmt::skip]
const GENERIC_HEADS: &[&str] = &[
    "strategy", "strategies", "approach", "approaches", "practice", "practices", "pattern",
    "patterns", "choice", "choices", "step", "steps", "method", "methods", "process",
    "processes", "technique", "techniques", "tactic", "tactics", "aspect", "aspects", "area",
    "areas", "concern", "concerns", "consideration", "considerations", "layout", "structure",
    "setup", "design", "management", "execution", "driver", "drivers", "factor", "factors",
    "reason", "reasons", "thing", "things", "way", "ways", "key",
];

/// One talking point and whether the answer covered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PointCoverage {
    /// The talking point as the bank words it.
    pub(crate) point: String,
    /// True when the answer covered it.
    pub(crate) covered: bool,
    /// The answer's words that matched the point's terms, as transcribed.
    pub(crate) matched: Vec<String>,
    /// The point's terms that the answer lacks, as the bank words them.
    pub(crate) missing: Vec<String>,
    /// Estimated seconds into the answer where the point was first covered;
    /// absent when it was not covered or the transcript has no times.
    pub(crate) first_mention_s: Option<f64>,
    /// Covered only in the reply to this follow-up (1-based), not in the
    /// answer itself; `first_mention_s` is then a time in that reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) follow_up: Option<usize>,
    /// The answer's words that showed the point (a covered point), as said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) evidence: Option<String>,
    /// A few words on what would have shown it (a missed point).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) hint: Option<String>,
    /// The passage that named the point but said it was not done, or only
    /// wished or guessed ("we never set that up"); a missed point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) negated: Option<String>,
    /// How sure the judge is that the point was covered, 0..=1; absent for
    /// the lexical judge alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) confidence: Option<f64>,
}

/// What the lexical matcher found for one point.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Lexical {
    /// True when more than half of the point's terms were said close together.
    pub(crate) covered: bool,
    /// The share of the point's terms in the closest passage, 0..=1.
    pub(crate) share: f64,
    pub(crate) matched: Vec<String>,
    pub(crate) missing: Vec<String>,
    /// The index (in `Words::all`) of the first matched word.
    pub(crate) first_word: Option<usize>,
    pub(crate) first_mention_s: Option<f64>,
}

/// Coverage of each of `points` by the answer's `words`.
#[cfg(test)]
pub(crate) fn coverage(points: &[String], words: &Words, jargon: &Jargon) -> Vec<PointCoverage> {
    points
        .iter()
        .map(|point| {
            let found = lexical(&point_terms(point, jargon), words, |_| true);
            PointCoverage {
                point: point.clone(),
                covered: found.covered,
                matched: found.matched,
                missing: found.missing,
                first_mention_s: found.first_mention_s,
                evidence: None,
                hint: None,
                negated: None,
                confidence: None,
                follow_up: None,
            }
        })
        .collect()
}

/// How many of `terms` terms a passage needs: more than half.
pub(crate) fn needed(terms: usize) -> usize {
    terms / 2 + 1
}

/// The terms of one talking point, each with its spoken forms and evidence.
pub(crate) fn point_terms(point: &str, jargon: &Jargon) -> Vec<Term> {
    let mut words = Words::from_text(point);
    let first_content = words.content.first().copied();
    let more_than_one = words.content.len() > 1;
    words.mark_stop(|index, word| {
        let instruction = Some(index) == first_content
            && more_than_one
            && INSTRUCTION_VERBS.contains(&word.lower.as_str());
        instruction || FRAMING_WORDS.contains(&word.lower.as_str())
    });
    let mut terms: Vec<(Term, bool)> = Vec::new();
    let mut position = 0;
    while position < words.content.len() {
        let phrase_end = known_phrase_end(&words, position, jargon);
        let end = phrase_end.unwrap_or_else(|| compound_end(&words, position));
        let first = words.content[position];
        let last = words.content[end - 1];
        let generic = end == position + 1
            && phrase_end.is_none()
            && GENERIC_HEADS.contains(&words.all[first].lower.as_str());
        if let Some(term) = Term::from_words(&words.all[first..=last]) {
            terms.push((term, generic));
        }
        position = end;
    }
    if terms.iter().any(|(_, generic)| !generic) {
        terms.retain(|(_, generic)| !generic);
    }
    terms
        .into_iter()
        .map(|(term, _)| {
            let mut term = jargon.expand(term);
            let evidence: Vec<String> = term
                .keys
                .iter()
                .flat_map(|key| concepts::evidence(key).iter().cloned())
                .collect();
            term.add_keys(evidence);
            term
        })
        .collect()
}

/// The end of the longest known multi-word phrase (jargon or concept) at `start`.
fn known_phrase_end(words: &Words, start: usize, jargon: &Jargon) -> Option<usize> {
    ((start + 2)..=words.content.len()).rev().find(|&end| {
        let key: String = (start..end)
            .map(|position| words.content_word(position).stem.as_str())
            .collect();
        jargon.knows(&key) || concepts::knows(&key)
    })
}

/// The end of the hyphenated or CamelCase compound starting at `start`.
fn compound_end(words: &Words, start: usize) -> usize {
    let mut end = start + 1;
    while end < words.content.len() {
        let between = &words.all[words.content[end - 1] + 1..=words.content[end]];
        if !between
            .iter()
            .all(|word| matches!(word.gap, Gap::Hyphen | Gap::Camel))
        {
            break;
        }
        end += 1;
    }
    end
}

/// Where one term was said: content positions.
struct Hit {
    term: usize,
    range: std::ops::Range<usize>,
}

/// Where `terms` occur in `words`, counting only words that `allowed`
/// (by index in `Words::all`): the passage with the most of them.
pub(crate) fn lexical(terms: &[Term], words: &Words, allowed: impl Fn(usize) -> bool) -> Lexical {
    let mut hits: Vec<Hit> = terms
        .iter()
        .enumerate()
        .flat_map(|(term, found)| {
            words
                .find(found)
                .into_iter()
                .map(move |range| Hit { term, range })
        })
        .filter(|hit| allowed(words.content[hit.range.start]))
        .collect();
    hits.sort_by_key(|hit| (hit.range.start, hit.term));

    // The passage (window of content words) holding the most distinct terms;
    // the earliest such passage on a tie.
    let mut best: Vec<&Hit> = Vec::new();
    for (first, hit) in hits.iter().enumerate() {
        let mut passage: Vec<&Hit> = Vec::new();
        for other in &hits[first..] {
            if other.range.end - hit.range.start > WINDOW {
                break;
            }
            if !passage.iter().any(|seen| seen.term == other.term) {
                passage.push(other);
            }
        }
        if passage.len() > best.len() {
            best = passage;
        }
    }

    let covered = !terms.is_empty() && best.len() >= needed(terms.len());
    Lexical {
        covered,
        share: if terms.is_empty() {
            0.0
        } else {
            best.len() as f64 / terms.len() as f64
        },
        first_word: best.first().map(|hit| words.content[hit.range.start]),
        matched: best
            .iter()
            .map(|hit| words.content_text(hit.range.clone()))
            .collect(),
        missing: terms
            .iter()
            .enumerate()
            .filter(|(index, _)| !best.iter().any(|hit| hit.term == *index))
            .map(|(_, term)| term.label.clone())
            .collect(),
        first_mention_s: best
            .first()
            .filter(|_| covered)
            .and_then(|hit| words.content_word(hit.range.start).time_s)
            .map(round2),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::stt::transcript::Segment;

    fn jargon(aliases: &[(&str, &[&str])]) -> Jargon {
        Jargon::new(
            &aliases
                .iter()
                .map(|(term, forms)| {
                    (
                        term.to_string(),
                        forms.iter().map(|f| f.to_string()).collect(),
                    )
                })
                .collect::<BTreeMap<_, _>>(),
        )
    }

    #[track_caller]
    fn case_terms(point: &str, expected: &[&str]) {
        let labels: Vec<String> = point_terms(point, &jargon(&[]))
            .into_iter()
            .map(|term| term.label)
            .collect();
        assert_eq!(labels, expected, "terms of {point:?}");
    }

    #[test]
    fn terms_of_points() {
        case_terms("", &[]);
        case_terms("how you'd do it", &[]);
        case_terms("RBAC", &["RBAC"]);
        case_terms("network policies", &["network", "policies"]);
        case_terms("explain trade-offs you made", &["trade-offs"]);
        case_terms(
            "governance around error budgets",
            &["governance", "error", "budgets"],
        );
        // Generic heads go when a real term is beside them, not otherwise.
        case_terms("rotation strategy", &["rotation"]);
        case_terms("name key tools", &["tools"]);
        case_terms("approach", &["approach"]);
        case_terms("state management", &["state"]);
        // Known multi-word concepts stay whole.
        case_terms("identity federation", &["identity federation"]);
        case_terms(
            "mention infrastructure as code testing",
            &["infrastructure as code", "testing"],
        );
        case_terms("SLIs/SLOs selection", &["SLIs", "SLOs", "selection"]);
        case_terms("NetworkPolicies", &["NetworkPolicies"]);
        case_terms("lift-and-shift", &["lift-and-shift"]);
        // An instruction verb alone is the point itself.
        case_terms("explain", &["explain"]);
    }

    #[track_caller]
    fn case(
        aliases: &[(&str, &[&str])],
        point: &str,
        answer: &str,
        covered: bool,
        matched: &[&str],
        missing: &[&str],
    ) {
        let result = &coverage(
            &[point.to_string()],
            &Words::from_text(answer),
            &jargon(aliases),
        )[0];
        let strings = |items: &[&str]| {
            items
                .iter()
                .map(|item| item.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            (
                result.covered,
                result.matched.clone(),
                result.missing.clone()
            ),
            (covered, strings(matched), strings(missing)),
            "{point:?} in {answer:?}"
        );
        assert_eq!(result.point, point);
    }

    #[test]
    fn covered_points() {
        // Empty and one-word answers.
        case(
            &[],
            "network policies",
            "",
            false,
            &[],
            &["network", "policies"],
        );
        case(&[], "RBAC", "RBAC.", true, &["RBAC"], &[]);
        case(
            &[],
            "network policies",
            "Networking.",
            false,
            &["Networking"],
            &["policies"],
        );
        // Stems, spellings and spoken forms.
        case(
            &[],
            "network policies",
            "I'd enforce NetworkPolicy objects",
            true,
            &["Network", "Policy"],
            &[],
        );
        case(
            &[],
            "isolation per namespace on Kubernetes",
            "each team isolated in its own namespaces on a K8s cluster",
            true,
            &["isolated", "namespaces", "K8s"],
            &[],
        );
        case(
            &[],
            "explain trade-offs you made",
            "the tradeoffs we made were speed against cost",
            true,
            &["tradeoffs"],
            &[],
        );
        case(
            &[],
            "CI/CD pipeline",
            "our CI CD pipeline",
            true,
            &["CI CD", "pipeline"],
            &[],
        );
        case(
            &[],
            "state management",
            "we keep the state in S3 and manage locks",
            true,
            &["state"],
            &[],
        );
        // Aliases from the question.
        case(
            &[("IRSA", &["IAM roles for service accounts"])],
            "IRSA",
            "pods use IAM roles for service accounts",
            true,
            &["IAM roles for service accounts"],
            &[],
        );
        case(&[], "IRSA", "pods use roles", false, &[], &["IRSA"]);
        // More than half of the terms are needed.
        case(
            &[],
            "backups, replication, testing and results",
            "we had backups and replication",
            false,
            &["backups", "replication"],
            &["testing", "results"],
        );
        case(
            &[],
            "backups, replication, testing and results",
            "we had backups and replication, and tested restores",
            true,
            &["backups", "replication", "tested"],
            &["results"],
        );
        // Terms far apart do not make a point.
        let filler = "word ".repeat(WINDOW);
        case(
            &[],
            "network policies",
            &format!("network {filler} policies"),
            false,
            &["network"],
            &["policies"],
        );
        // Abstract points are shown by what instances them (`concepts`):
        // tools by a product name, quantities by a number.
        case(
            &[],
            "name key tools",
            "we moved to GitHub Actions",
            true,
            &["GitHub"],
            &[],
        );
        case(
            &[],
            "name key tools",
            "we moved to some scripts",
            false,
            &[],
            &["tools"],
        );
        case(
            &[],
            "quantify improvements",
            "build times dropped from 25 minutes to 10",
            true,
            &["dropped", "25"],
            &[],
        );
        case(
            &[],
            "quantify improvements",
            "it got much better",
            false,
            &[],
            &["quantify", "improvements"],
        );
        case(&[], "routines", "short daily syncs", true, &["daily"], &[]);
        // Evidence works one way only.
        case(
            &[],
            "daily syncs",
            "my routines",
            false,
            &[],
            &["daily", "syncs"],
        );
        // A point with no content words is never covered.
        case(&[], "how you'd do it", "I'd do it well", false, &[], &[]);
    }

    #[test]
    fn first_mention_comes_from_segment_times() {
        let words = Words::from_segments(&[
            Segment {
                start_s: 0.0,
                end_s: 10.0,
                text: "We start small.".into(),
            },
            Segment {
                start_s: 10.0,
                end_s: 20.0,
                text: "Network policies isolate teams.".into(),
            },
        ]);
        let points = ["network policies".to_string(), "RBAC".to_string()];
        let result = coverage(&points, &words, &jargon(&[]));
        assert_eq!(result[0].first_mention_s, Some(10.0));
        assert!(result[0].covered);
        assert_eq!(result[1].first_mention_s, None);
        assert!(!result[1].covered);
    }
}
