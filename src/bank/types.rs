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
    /// Follow-up questions to ask when an answer misses a talking point.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUp>,
}

/// The follow-up question about one talking point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// The talking point, exactly as the question lists it.
    pub point: String,
    /// The question to ask.
    pub text: String,
}

/// Answer length target used when neither the bank nor the question sets one.
pub(crate) const DEFAULT_TARGET_S: [u32; 2] = [60, 120];

impl Bank {
    /// The answer length target for a question: its own, else the bank's, else the default.
    pub(crate) fn target_for(&self, question: &Question) -> [u32; 2] {
        question
            .target_s
            .or(self.target_s)
            .unwrap_or(DEFAULT_TARGET_S)
    }
}

impl Bank {
    /// A question by its 1-based number (`"6"`) or its id (`"ci-cd"`), with
    /// its number.
    pub(crate) fn question(&self, selector: &str) -> Option<(usize, &Question)> {
        let selector = QuestionRef::parse(selector);
        self.questions
            .iter()
            .enumerate()
            .map(|(index, q)| (index + 1, q))
            .find(|(number, q)| selector.matches(*number, &q.id))
    }
}

/// A question as a user names it: by its number in the bank (1..N) or by
/// its id. Ids are never all digits (`viva bank check` refuses them), so
/// the two cannot clash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QuestionRef<'a> {
    Number(usize),
    Id(&'a str),
}

impl<'a> QuestionRef<'a> {
    pub fn parse(selector: &'a str) -> Self {
        let selector = selector.trim();
        match selector.parse::<usize>() {
            Ok(number) => Self::Number(number),
            Err(_) => Self::Id(selector),
        }
    }

    /// True for the question with this bank `number` and `id`.
    pub(crate) fn matches(self, number: usize, id: &str) -> bool {
        match self {
            Self::Number(wanted) => wanted == number,
            Self::Id(wanted) => wanted == id,
        }
    }
}
