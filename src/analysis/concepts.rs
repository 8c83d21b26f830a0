//! What shows an abstract talking point in an answer.
//!
//! Banks name categories ("tools", "guardrails", "routines", "measurable
//! impact"), and good answers give instances ("Vault", "approval gates",
//! "daily syncs", "saved 6 hours a week"): a good answer seldom says the
//! category word itself. So each abstract word a coach would write in a
//! talking point has the words that, in an answer, show it. Two kinds of
//! evidence are not words: any product name or acronym ([`NAME`], for
//! "tools") and any quantity ([`NUMBER`], for "quantify").
//!
//! Evidence works one way: "daily" shows "routines", but a point asking for
//! "daily" is not shown by "routines". The table is deliberately general
//! (no question's own facts); `viva` checks it against the built-in bank:
//! each sample answer covers most of its own question's points and not most
//! of any other question's.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::text::{phrase_key, ANY_NAME, ANY_NUMBER};

/// Evidence: any name or acronym ("Vault", "GitHub Actions", "OPA").
pub(crate) const NAME: &str = "<name>";
/// Evidence: any quantity ("25", "30%", "thirty").
pub(crate) const NUMBER: &str = "<number>";

/// Abstract words of talking points, and what shows each in an answer:
/// evidence phrases separated by commas, [`NAME`] and [`NUMBER`] included.
#[rustfmt::skip]
const CONCEPTS: &[(&str, &str)] = &[
    // Each entry also covers its word's other forms: "tools" is "tooling",
    // "team" is "teams", "communication" is "communicate".
    ("tools", "<name>"),
    ("platform choices", "choose, pick, option, select, ECS, EKS, Fargate, Kubernetes, serverless, Lambda, PaaS, Cloud Run, VM, container"),
    ("tech stack", "<name>, stack, technology"),
    ("quantify", "<number>, measure, metric"),
    ("measurable", "<number>, measure, metric"),
    ("results", "<number>, met, achieve, outcome, reduce, improve, save, deliver"),
    ("improvements", "improve, reduce, cut, drop, decrease, increase, faster, save, fewer, shorten, speed up"),
    ("impact", "improve, reduce, cut, drop, decrease, increase, faster, save, fewer, free up, outcome"),
    ("trade-offs", "balance, versus, vs, instead, rather than, downside, compromise, pros and cons, weigh, at the expense of"),
    ("guardrails", "guardrail, policy, approval, gate, limit, quota, budget, prevent, enforce, restrict, sensible defaults, lint, scan, kill switch"),
    ("communication", "update, status, announce, notify, inform, share, channel, Slack, stakeholder, align"),
    ("learning", "learn, lesson, retro, action item, systemic, prevent, recurring"),
    ("culture", "blameless, norm, habit, psychological safety, trust"),
    ("testing", "test, drill, exercise, rehearse, game day, validate, verify, chaos"),
    ("validation", "validate, verify, test, check, monitor, confirm, canary"),
    ("fix", "fixed, resolve, patch, pin, remediate, solve, root cause, workaround"),
    ("problem", "issue, pain, inconsistent, drift, broken, friction, incident, gap, challenge, bottleneck, outage, failure"),
    ("sources", "follow, read, blog, newsletter, podcast, conference, paper, RFC, CNCF, community, roadmap, meetup, postmortem, changelog"),
    ("experiments", "experiment, spike, pilot, prototype, proof of concept, PoC, trial, try, sandbox"),
    ("decision", "decide, adopt, choose, select, evaluate, adoption plan"),
    ("criteria", "criterion, bar, threshold, requirement, pain point"),
    ("partnership", "partner, co-design, collaborate, together, working group, pair, involve, jointly"),
    ("collaborative", "collaborate, partner, together, working group, pair, involve, jointly, review with, celebrate, engage, align"),
    ("feedback", "survey, office hours, input, listen, interview, support ticket, NPS"),
    ("loops", "loop, iterate, regular, evolve, continuous, recurring, cadence, weekly, monthly"),
    ("optionality", "optional, opt-in, opt out, escape hatch, voluntary, flexible, flexibility, override, alternative"),
    ("business", "cost, customer, revenue, downtime, compliance, requirement, contract, SLA, users, market, residency"),
    ("incremental", "gradual, evolve, phase, step by step, iterate"),
    ("phased", "phase, gradual, incremental, wave, pilot"),
    ("toil", "manual, repetitive, tedious, by hand, painful, chore, interrupt"),
    ("replan", "regroup, re-sequence, resequence, reprioritize, reprioritise, re-prioritize, rescope, adjust scope, roadmap, priorities"),
    ("hypothesis-driven", "hypothesis, hypothesize, suspect, theory, narrow down, rule out, reproduce, correlate, bisect"),
    ("identity federation", "SSO, IdP, SAML, OIDC, federate, identity provider, single sign-on"),
    ("boundaries", "boundary, least privilege, scope, permission, fine-grained, read-only, limit, restrict, separate"),
    ("rollout", "roll out, canary, blue/green, rolling, progressive, gradual, phased, feature flag, staged, dark launch"),
    ("sampling", "sample, exemplar, tail-based, head-based, retention"),
    ("team", "squad, engineer, developer, dev, group, colleague"),
    ("people", "stakeholder, team, engineer, developer, user, colleague"),
    ("brought", "onboard, involve, invite, buy-in, convince, persuade, demo, brown-bag, workshop, pilot, champion, adopt, support"),
    ("skills", "skill, expertise, experience, know-how, familiar, knowledge, hire, train"),
    ("time-to-value", "fast, faster, quick, speed, ship, urgency, sooner, time to market"),
    ("lock-in", "lock, vendor, exit, portable, portability, switch, migrate away, proprietary"),
    ("burden", "toil, support, maintenance, maintain, overhead, effort, upkeep, on-call, operate, ops"),
    ("maintainable", "maintain, lifecycle, standardize, golden path, automate, upgrade, modular, reusable, simple"),
    ("grows", "grow, scale, growth, expand, split"),
    ("modular", "module, reusable, component, library"),
    ("risk", "security, rollback, alert, failure, backup, least privilege, safe, safety, mitigate, runbook"),
    ("productivity", "velocity, lead time, deployment frequency, DORA, throughput, cycle time, time-to-first, faster, efficiency"),
    ("reliability", "MTTR, SLO, uptime, availability, incident, change failure rate, error rate, outage, resilience"),
    ("metrics", "metric, measure, track, KPI, DORA"),
    ("transparency", "transparent, share, written update, RFC, demo, visible, document, status, publish"),
    ("routines", "routine, daily, weekly, sync, standup, block, schedule, cadence, rhythm, ritual, habit, regular"),
    ("visibility", "visible, dashboard, tag, report, monitor, insight"),
    ("considered", "compare, evaluate, weigh, assess, spike, consider, alternative, versus"),
];

/// Concept key → evidence keys.
static EVIDENCE: LazyLock<HashMap<String, Vec<String>>> = LazyLock::new(|| {
    let mut table: HashMap<String, Vec<String>> = HashMap::new();
    for (concept, evidence) in CONCEPTS {
        let Some(key) = phrase_key(concept) else {
            continue;
        };
        let keys = table.entry(key).or_default();
        for item in evidence.split(',').map(str::trim) {
            let evidence_key = match item {
                NAME => Some(ANY_NAME.to_string()),
                NUMBER => Some(ANY_NUMBER.to_string()),
                phrase => phrase_key(phrase),
            };
            if let Some(evidence_key) = evidence_key {
                if !keys.contains(&evidence_key) {
                    keys.push(evidence_key);
                }
            }
        }
    }
    table
});

/// The evidence keys that show the concept with `key` (empty for words
/// that are not abstract).
pub(crate) fn evidence(key: &str) -> &'static [String] {
    EVIDENCE.get(key).map_or(&[], Vec::as_slice)
}

/// True when `key` is a known concept (a multi-word one is kept as one term).
pub(crate) fn knows(key: &str) -> bool {
    EVIDENCE.contains_key(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_concept_and_evidence_has_content_words() {
        for (concept, evidence) in CONCEPTS {
            assert!(phrase_key(concept).is_some(), "concept {concept:?}");
            for item in evidence.split(',').map(str::trim) {
                assert!(
                    matches!(item, NAME | NUMBER) || phrase_key(item).is_some(),
                    "evidence {item:?} of {concept:?}"
                );
            }
        }
    }

    #[test]
    fn evidence_is_found_by_stem() {
        let key = phrase_key("guardrails").unwrap();
        assert!(
            evidence(&key).contains(&phrase_key("approval gates").unwrap())
                || evidence(&key).contains(&phrase_key("gate").unwrap())
        );
        assert!(evidence(&phrase_key("tools").unwrap()).contains(&ANY_NAME.to_string()));
        assert!(evidence("not-a-concept").is_empty());
        assert!(knows(&phrase_key("identity federation").unwrap()));
    }
}
