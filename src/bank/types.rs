//! A bank as it is stored in TOML (`data/banks/*.toml`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A bank of interview questions for one role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bank {
    /// Stable short id, e.g. `platform-engineer`.
    pub id: String,
    /// Human title, e.g. "Platform Engineer Interview Questions".
    pub title: String,
    /// The role being interviewed for.
    pub role: String,
    /// Default answer length target in seconds, `[min, max]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_s: Option<[u32; 2]>,
    /// The questions, in the order they are numbered (1..N).
    pub questions: Vec<Question>,
}

/// One question with what a good answer covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable short slug, e.g. `ci-cd`.
    pub id: String,
    /// The question as asked.
    pub text: String,
    /// Why employers ask it.
    pub guidance: String,
    /// What the answer should mention.
    pub talking_points: Vec<String>,
    /// Jargon and its spoken forms, e.g. `IRSA = ["IAM roles for service accounts"]`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aliases: BTreeMap<String, Vec<String>>,
    /// Answer length target in seconds, `[min, max]`, overriding the bank's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_s: Option<[u32; 2]>,
    /// A model answer.
    pub sample_answer: String,
}

/// Answer length target used when neither the bank nor the question sets one.
pub const DEFAULT_TARGET_S: [u32; 2] = [60, 120];

impl Bank {
    /// The answer length target for a question: its own, else the bank's, else the default.
    pub fn target_for(&self, question: &Question) -> [u32; 2] {
        question
            .target_s
            .or(self.target_s)
            .unwrap_or(DEFAULT_TARGET_S)
    }
}

impl Bank {
    /// A question by its 1-based number (`"6"`) or its id (`"ci-cd"`), with
    /// its number. Ids are never all digits (`viva bank check` refuses them),
    /// so the two cannot clash.
    pub fn question(&self, selector: &str) -> Option<(usize, &Question)> {
        let selector = selector.trim();
        if let Ok(number) = selector.parse::<usize>() {
            let index = number.checked_sub(1)?;
            return self.questions.get(index).map(|q| (number, q));
        }
        self.questions
            .iter()
            .enumerate()
            .find(|(_, q)| q.id == selector)
            .map(|(index, q)| (index + 1, q))
    }
}
