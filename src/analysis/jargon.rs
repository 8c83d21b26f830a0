//! Spoken forms of jargon: the ways one term is said or written ("K8s" and
//! "Kubernetes", "IaC" and "infrastructure as code"). Whisper writes what it
//! hears, and people say jargon in several ways, so a talking point or a key
//! term matches any form in its group. Forms that differ only in spacing or
//! punctuation ("ArgoCD" / "Argo CD", "CI/CD" / "CI CD") need no entry here:
//! matching squashes them already (see `text`).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use super::text::{phrase_key, Term};

/// Built-in groups of forms that mean the same thing, for the jargon of the
/// built-in bank's field. A question's `aliases` add to these.
const SPOKEN_FORMS: &[&[&str]] = &[
    &["Kubernetes", "K8s", "kube"],
    &[
        "CI/CD",
        "CI and CD",
        "continuous integration and continuous delivery",
        "continuous integration and delivery",
        "continuous integration and deployment",
    ],
    &["CI", "continuous integration"],
    &["CD", "continuous delivery", "continuous deployment"],
    &["IaC", "infrastructure as code", "infra as code"],
    &["SLO", "service level objective"],
    &["SLI", "service level indicator"],
    &["SLA", "service level agreement"],
    &[
        "SRE",
        "site reliability engineering",
        "site reliability engineer",
    ],
    &["RBAC", "role based access control", "role-based access"],
    &["IAM", "identity and access management"],
    &["IRSA", "IAM roles for service accounts"],
    &["SSO", "single sign-on"],
    &["IdP", "identity provider"],
    &["MFA", "multi-factor authentication", "two-factor", "2FA"],
    &["mTLS", "mutual TLS"],
    &["TLS", "SSL"],
    &["cert", "certificate"],
    &["DR", "disaster recovery"],
    &["RTO", "recovery time objective"],
    &["RPO", "recovery point objective"],
    &[
        "MTTR",
        "mean time to recovery",
        "mean time to recover",
        "mean time to restore",
        "mean time to repair",
        "mean time to resolution",
    ],
    &["HA", "high availability", "highly available"],
    &["AZ", "availability zone"],
    &["AWS", "Amazon Web Services"],
    &["GCP", "Google Cloud"],
    &["EKS", "Elastic Kubernetes Service"],
    &["ECS", "Elastic Container Service"],
    &["RDS", "Relational Database Service"],
    &["OPA", "Open Policy Agent"],
    &["OpenTelemetry", "OTel"],
    &["PR", "pull request"],
    &["DB", "database"],
    &["env", "environment"],
    &["config", "configuration"],
    &["repo", "repository"],
    &["infra", "infrastructure"],
    &["prod", "production"],
    &["dev", "developer"],
    &["ops", "operations"],
    &["DevEx", "DX", "developer experience"],
    &[
        "postmortem",
        "post-incident review",
        "incident review",
        "retrospective",
    ],
    &["runbook", "playbook"],
    &["feature flag", "feature toggle"],
    &["multi-tenant", "multi-tenancy"],
    &[
        "least privilege",
        "minimal permissions",
        "minimum permissions",
    ],
    &["Postgres", "PostgreSQL"],
    &["observability", "o11y"],
    &["FinOps", "cloud cost management"],
];

static BUILT_IN: LazyLock<Vec<Vec<String>>> =
    LazyLock::new(|| groups(SPOKEN_FORMS.iter().map(|forms| forms.iter().copied())));

/// The spoken forms known for one question: the built-in groups plus the
/// question's own aliases.
#[derive(Debug, Clone)]
pub(crate) struct Jargon {
    /// Groups of keys that mean the same thing.
    groups: Vec<Vec<String>>,
}

impl Jargon {
    /// The built-in forms plus `aliases` (each key with its spoken forms).
    pub(crate) fn new(aliases: &BTreeMap<String, Vec<String>>) -> Self {
        let mut all = BUILT_IN.clone();
        all.extend(groups(aliases.iter().map(|(term, forms)| {
            std::iter::once(term.as_str()).chain(forms.iter().map(String::as_str))
        })));
        Self { groups: all }
    }

    /// Every key that means the same as `key`, itself included.
    pub(crate) fn forms_of(&self, key: &str) -> Vec<String> {
        let mut forms = vec![key.to_string()];
        for group in self
            .groups
            .iter()
            .filter(|group| group.iter().any(|k| k == key))
        {
            for other in group {
                if !forms.contains(other) {
                    forms.push(other.clone());
                }
            }
        }
        forms
    }

    /// True when `key` is one form of a known term.
    pub(crate) fn knows(&self, key: &str) -> bool {
        self.groups
            .iter()
            .any(|group| group.iter().any(|k| k == key))
    }

    /// The term with every spoken form of it added.
    pub(crate) fn expand(&self, mut term: Term) -> Term {
        let keys: Vec<String> = term
            .keys
            .iter()
            .flat_map(|key| self.forms_of(key))
            .collect();
        term.add_keys(keys);
        term
    }
}

fn groups<'a>(sets: impl Iterator<Item = impl Iterator<Item = &'a str>>) -> Vec<Vec<String>> {
    sets.map(|forms| {
        let mut keys: Vec<String> = Vec::new();
        for key in forms.filter_map(phrase_key) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    })
    .filter(|keys| keys.len() > 1)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(aliases: &[(&str, &[&str])], phrase: &str, expected: &[&str]) {
        let aliases = aliases
            .iter()
            .map(|(term, forms)| {
                (
                    term.to_string(),
                    forms.iter().map(|f| f.to_string()).collect(),
                )
            })
            .collect();
        let jargon = Jargon::new(&aliases);
        let term = jargon.expand(Term::new(phrase, phrase).expect("content"));
        let expected: Vec<String> = expected
            .iter()
            .map(|form| phrase_key(form).unwrap())
            .collect();
        assert_eq!(term.keys, expected, "forms of {phrase:?}");
    }

    #[test]
    fn spoken_forms() {
        case(&[], "Kubernetes", &["Kubernetes", "K8s", "kube"]);
        case(&[], "k8s", &["k8s", "Kubernetes", "kube"]);
        case(
            &[],
            "CI CD",
            &[
                "CI/CD",
                "continuous integration and continuous delivery",
                "continuous integration and delivery",
                "continuous integration and deployment",
            ],
        );
        case(
            &[],
            "Infrastructure as Code",
            &["infrastructure as code", "IaC", "infra as code"],
        );
        case(&[], "canary", &["canary"]);
        case(
            &[("IRSA", &["IAM roles for service accounts", "pod identity"])],
            "IRSA",
            &["IRSA", "IAM roles for service accounts", "pod identity"],
        );
        case(&[("Argo", &["Argo CD"])], "argo", &["argo", "Argo CD"]);
    }
}
