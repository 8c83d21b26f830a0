//! Progress over sessions: every session folder in the sessions directory,
//! turned into each question's attempts (duration, pace, talking-point
//! coverage, date), and the choice of the weakest questions for
//! `viva practice --weakest N`.
//!
//! A folder that is not a readable session is reported and skipped: one
//! damaged or foreign folder must never hide a person's whole history.

use std::collections::BTreeMap;
use std::path::Path;

use thiserror::Error;

use crate::bank::Bank;
use crate::session::record::{AnswerRecord, AnswerStatus, SessionRecord};
use crate::session::store::{self, SessionDir, StoreError};

/// How many of the latest attempts "recent coverage" averages over.
pub(crate) const RECENT_ATTEMPTS: usize = 3;

#[derive(Debug, Error, PartialEq)]
pub(crate) enum HistoryError {
    #[error("--weakest must be at least 1")]
    ZeroWeakest,
}

/// Every readable session in a sessions directory, oldest first.
#[derive(Debug, Default)]
pub(crate) struct History {
    /// The sessions that could be read, oldest first.
    pub(crate) sessions: Vec<LoadedSession>,
    /// Folders that are not readable sessions, with the reason.
    pub(crate) skipped: Vec<SkippedFolder>,
}

/// One session read from its folder.
#[derive(Debug, Clone)]
pub(crate) struct LoadedSession {
    /// The folder's name (starts with the start time, so it sorts by time).
    pub(crate) name: String,
    pub(crate) record: SessionRecord,
}

/// A folder in the sessions directory that was not read, and why.
#[derive(Debug, Clone)]
pub(crate) struct SkippedFolder {
    /// What was wrong, as a sentence that names the folder.
    pub(crate) reason: String,
}

/// One recorded and transcribed answer to a question.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Attempt {
    /// The session folder's name.
    pub(crate) session: String,
    /// The session's date, `YYYY-MM-DD` (its local start date).
    pub(crate) date: String,
    /// Answered or no speech.
    pub(crate) status: AnswerStatus,
    /// Seconds from the first to the last speech.
    pub(crate) spoken_s: Option<f64>,
    /// Words per minute.
    pub(crate) wpm: Option<f64>,
    /// Talking points covered in the answer itself, and how many there are.
    pub(crate) points: Option<(usize, usize)>,
    /// Talking points covered only after a follow-up question.
    pub(crate) after_follow_up: usize,
    /// Share of talking points covered in the answer itself, 0..=1 (what
    /// `--weakest` ranks by); absent without points.
    pub(crate) coverage: Option<f64>,
    /// The one-line verdict of the answer's metrics.
    pub(crate) verdict: Option<String>,
    /// The target length `[min, max]` seconds the answer was held against.
    pub(crate) target_s: Option<[u32; 2]>,
}

/// One question's attempts across sessions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QuestionHistory {
    /// The bank the question belongs to.
    pub(crate) bank_id: String,
    /// The question's number in its bank (as of its latest session).
    pub(crate) number: usize,
    /// The question's id.
    pub(crate) id: String,
    /// The question's text (as of its latest session).
    pub(crate) question: String,
    /// Attempts, oldest first.
    pub(crate) attempts: Vec<Attempt>,
}

impl History {
    /// Read every session in `sessions_dir`. Only an unreadable directory
    /// is an error; a missing one is an empty history.
    pub(crate) fn load(sessions_dir: &Path) -> Result<Self, StoreError> {
        let mut history = Self::default();
        for path in store::list(sessions_dir)? {
            match SessionDir::open(&path).and_then(|dir| dir.load().map(|record| (dir, record))) {
                Ok((dir, record)) => history.sessions.push(LoadedSession {
                    name: dir.name(),
                    record,
                }),
                Err(err) => history.skipped.push(SkippedFolder {
                    reason: err.to_string(),
                }),
            }
        }
        Ok(history)
    }

    /// Every question that was attempted at least once, grouped by bank
    /// and question id, in bank id then question number order.
    pub(crate) fn questions(&self) -> Vec<QuestionHistory> {
        let mut by_question: BTreeMap<(String, String), QuestionHistory> = BTreeMap::new();
        for session in &self.sessions {
            let bank_id = &session.record.bank.id;
            for answer in &session.record.answers {
                let Some(attempt) = attempt_of(session, answer) else {
                    continue;
                };
                let entry = by_question
                    .entry((bank_id.clone(), answer.id.clone()))
                    .or_insert_with(|| QuestionHistory {
                        bank_id: bank_id.clone(),
                        number: answer.number,
                        id: answer.id.clone(),
                        question: answer.question.clone(),
                        attempts: Vec::new(),
                    });
                // Sessions are read oldest first: the latest wording wins.
                entry.number = answer.number;
                entry.question.clone_from(&answer.question);
                entry.attempts.push(attempt);
            }
        }
        let mut questions: Vec<QuestionHistory> = by_question.into_values().collect();
        questions.sort_by(|a, b| (&a.bank_id, a.number).cmp(&(&b.bank_id, b.number)));
        questions
    }
}

/// The attempt an answer counts as, if it was recorded and transcribed.
fn attempt_of(session: &LoadedSession, answer: &AnswerRecord) -> Option<Attempt> {
    if !matches!(
        answer.status,
        AnswerStatus::Answered | AnswerStatus::NoSpeech
    ) {
        return None;
    }
    let metrics = answer.metrics.as_ref();
    Some(Attempt {
        session: session.name.clone(),
        date: session.record.started_at.date(),
        status: answer.status,
        spoken_s: metrics.map(|m| m.length.spoken_s),
        wpm: metrics.and_then(|m| m.pace.wpm),
        points: metrics
            .map(|m| m.points_covered_at_first())
            .filter(|&(_, total)| total > 0),
        after_follow_up: metrics
            .map_or(0, |m| m.points_covered().0 - m.points_covered_at_first().0),
        coverage: metrics
            .map(|m| m.points_covered_at_first())
            .filter(|&(_, total)| total > 0)
            .map(|(covered, total)| covered as f64 / total as f64),
        verdict: metrics.map(|m| m.verdict()),
        target_s: metrics.map(|m| m.length.target_s),
    })
}

impl QuestionHistory {
    /// The latest attempt.
    pub(crate) fn last(&self) -> Option<&Attempt> {
        self.attempts.last()
    }

    /// The attempt whose spoken duration is nearest its target band (inside
    /// it is nearest; then the one nearest the band's middle; on a tie the
    /// later one).
    pub(crate) fn best_duration(&self) -> Option<&Attempt> {
        self.attempts
            .iter()
            .filter(|a| a.spoken_s.is_some() && a.status == AnswerStatus::Answered)
            .rev()
            .min_by(|a, b| duration_badness(a).total_cmp(&duration_badness(b)))
    }

    /// The mean coverage of the last [`RECENT_ATTEMPTS`] attempts that have
    /// talking points (a no-speech attempt covers nothing: 0).
    pub(crate) fn recent_coverage(&self) -> Option<f64> {
        let recent: Vec<f64> = self
            .attempts
            .iter()
            .rev()
            .filter_map(|a| a.coverage)
            .take(RECENT_ATTEMPTS)
            .collect();
        (!recent.is_empty()).then(|| recent.iter().sum::<f64>() / recent.len() as f64)
    }

    /// Coverage of every attempt, oldest first (absent without points).
    pub(crate) fn coverage_over_time(&self) -> Vec<Option<f64>> {
        self.attempts.iter().map(|a| a.coverage).collect()
    }
}

/// How far a duration is from its target: seconds outside the band, with
/// a fraction for the distance from the band's middle to rank those inside.
fn duration_badness(attempt: &Attempt) -> f64 {
    let spoken = attempt.spoken_s.unwrap_or(0.0);
    let [min, max] = attempt
        .target_s
        .unwrap_or(crate::bank::DEFAULT_TARGET_S)
        .map(f64::from);
    let outside = (min - spoken).max(spoken - max).max(0.0);
    let from_middle = (spoken - (min + max) / 2.0).abs();
    outside * 1_000.0 + from_middle
}

/// The numbers of the `n` questions of `bank` most in need of practice:
/// never-practised first (in bank order), then the lowest recent coverage;
/// ties go to fewer attempts, then to the longest since last practised.
pub(crate) fn rank_weakest(bank: &Bank, questions: &[QuestionHistory], n: usize) -> Vec<usize> {
    let mut ranked: Vec<(WeakKey, usize)> = bank
        .questions
        .iter()
        .enumerate()
        .map(|(index, question)| {
            let seen = questions
                .iter()
                .find(|h| h.bank_id == bank.id && h.id == question.id);
            (WeakKey::of(seen), index + 1)
        })
        .collect();
    ranked.sort_by(|(a, a_number), (b, b_number)| a.cmp(b).then(a_number.cmp(b_number)));
    ranked
        .into_iter()
        .take(n)
        .map(|(_, number)| number)
        .collect()
}

/// The sort key of [`rank_weakest`]: smaller is weaker.
#[derive(Debug, PartialEq)]
struct WeakKey {
    practised: bool,
    /// Recent coverage; a question without talking points sorts after all
    /// that have them.
    coverage: Option<f64>,
    attempts: usize,
    last_session: String,
}

impl WeakKey {
    fn of(history: Option<&QuestionHistory>) -> Self {
        match history {
            None => Self {
                practised: false,
                coverage: None,
                attempts: 0,
                last_session: String::new(),
            },
            Some(h) => Self {
                practised: true,
                coverage: h.recent_coverage(),
                attempts: h.attempts.len(),
                last_session: h.last().map(|a| a.session.clone()).unwrap_or_default(),
            },
        }
    }

    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let coverage = |key: &Self| key.coverage.unwrap_or(f64::INFINITY);
        self.practised
            .cmp(&other.practised)
            .then(coverage(self).total_cmp(&coverage(other)))
            .then(self.attempts.cmp(&other.attempts))
            .then(self.last_session.cmp(&other.last_session))
    }
}

/// `viva practice --weakest N`: read the sessions directory, warn about
/// folders that are not sessions, and choose the `n` weakest questions.
pub(crate) fn weakest(bank: &Bank, sessions_dir: &Path, n: usize) -> anyhow::Result<Vec<usize>> {
    if n == 0 {
        return Err(HistoryError::ZeroWeakest.into());
    }
    let history = History::load(sessions_dir)?;
    for skipped in &history.skipped {
        eprintln!("warning: skipped {}", skipped.reason);
    }
    Ok(rank_weakest(bank, &history.questions(), n))
}

/// Values 0..=1 as a row of block characters, lowest `▁` to highest `█`;
/// an absent value is `·`.
pub(crate) fn sparkline(values: &[Option<f64>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    values
        .iter()
        .map(|value| match value {
            Some(v) if v.is_finite() => {
                let index = (v.clamp(0.0, 1.0) * (BARS.len() - 1) as f64).round() as usize;
                BARS[index]
            }
            _ => '·',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyse;
    use crate::bank::Question;
    use crate::session::record::{BankRef, SessionStatus, Settings};
    use crate::stt::transcript::{Segment, Transcript};

    fn question(id: &str, points: &[&str]) -> Question {
        Question {
            id: id.to_string(),
            text: format!("Tell me about {id}."),
            guidance: String::new(),
            talking_points: points.iter().map(|p| p.to_string()).collect(),
            aliases: Default::default(),
            target_s: None,
            sample_answer: "A sample answer.".to_string(),
            follow_ups: Vec::new(),
        }
    }

    fn bank(questions: Vec<Question>) -> Bank {
        Bank {
            id: "test-bank".to_string(),
            title: "Test bank".to_string(),
            role: "Tester".to_string(),
            target_s: None,
            questions,
        }
    }

    /// An answer to `bank`'s question `number`, spoken over `spoken_s` seconds.
    fn answered(bank: &Bank, number: usize, text: &str, spoken_s: f64) -> AnswerRecord {
        let question = &bank.questions[number - 1];
        let mut answer = AnswerRecord::not_asked(number, question);
        let transcript = Transcript {
            duration_s: spoken_s,
            text: text.to_string(),
            segments: vec![Segment {
                start_s: 0.0,
                end_s: spoken_s,
                text: text.to_string(),
            }],
            no_speech: text.is_empty(),
            processing_s: 0.0,
            repairs: Vec::new(),
            gaps: Vec::new(),
        };
        answer.status = if text.is_empty() {
            AnswerStatus::NoSpeech
        } else {
            AnswerStatus::Answered
        };
        answer.text = Some(text.to_string());
        answer.segments = transcript.segments.clone();
        answer.metrics = Some(analyse(
            question,
            bank.target_for(question),
            &transcript,
            None,
            None,
        ));
        answer
    }

    fn skipped(bank: &Bank, number: usize) -> AnswerRecord {
        let mut answer = AnswerRecord::not_asked(number, &bank.questions[number - 1]);
        answer.status = AnswerStatus::Skipped;
        answer
    }

    fn session(bank: &Bank, name: &str, answers: Vec<AnswerRecord>) -> LoadedSession {
        LoadedSession {
            name: name.to_string(),
            record: SessionRecord {
                format: 1,
                viva_version: "0.1.0".to_string(),
                bank: BankRef {
                    id: bank.id.clone(),
                    title: bank.title.clone(),
                    source: bank.id.clone(),
                    sha256: String::new(),
                },
                model: "ggml-tiny.en.bin".to_string(),
                settings: Settings {
                    time_limit_s: None,
                    silence_s: 4.0,
                    tts: false,
                    answers_dir: None,
                    input_device: None,
                    follow_ups: 1,
                },
                started_at: format!("{}T10:00:00+00:00", &name[..10]).parse().unwrap(),
                ended_at: None,
                status: SessionStatus::Finished,
                answers,
            },
        }
    }

    fn test_bank() -> Bank {
        bank(vec![
            question("tenancy", &["network policies", "role based access"]),
            question("pipelines", &["build caching"]),
            question("incidents", &["incident commander"]),
            question("culture", &[]),
        ])
    }

    #[test]
    fn sparkline_maps_coverage_to_blocks() {
        #[track_caller]
        fn case(values: &[Option<f64>], expected: &str) {
            assert_eq!(sparkline(values), expected, "{values:?}");
        }
        case(&[], "");
        case(&[Some(0.0)], "▁");
        case(&[Some(1.0)], "█");
        case(&[Some(0.5)], "▅");
        case(&[Some(0.0), Some(0.25), Some(1.0)], "▁▃█");
        case(&[None, Some(1.0)], "·█");
        case(&[Some(2.0), Some(-1.0), Some(f64::NAN)], "█▁·");
    }

    #[test]
    fn attempts_are_grouped_per_question_oldest_first() {
        let bank = test_bank();
        let history = History {
            sessions: vec![
                session(
                    &bank,
                    "2026-11-01_100000-test-bank",
                    vec![
                        answered(&bank, 1, "we use namespaces", 30.0),
                        skipped(&bank, 2),
                    ],
                ),
                session(
                    &bank,
                    "2026-11-02_100000-test-bank",
                    vec![
                        answered(&bank, 1, "network policies and role based access", 90.0),
                        answered(&bank, 3, "", 5.0),
                    ],
                ),
            ],
            skipped: Vec::new(),
        };
        let questions = history.questions();
        let ids: Vec<&str> = questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["tenancy", "incidents"], "a skip is not an attempt");
        let tenancy = &questions[0];
        assert_eq!(tenancy.attempts.len(), 2);
        assert_eq!(tenancy.coverage_over_time(), [Some(0.0), Some(1.0)]);
        assert_eq!(tenancy.last().unwrap().date, "2026-11-02");
        assert_eq!(tenancy.last().unwrap().points, Some((2, 2)));
        let incidents = &questions[1];
        assert_eq!(incidents.attempts[0].status, AnswerStatus::NoSpeech);
        assert_eq!(
            incidents.recent_coverage(),
            Some(0.0),
            "no speech covers nothing"
        );
    }

    #[test]
    fn best_duration_is_the_one_nearest_the_target_band() {
        #[track_caller]
        fn case(durations: &[f64], expected: f64) {
            let bank = test_bank();
            let sessions = durations
                .iter()
                .enumerate()
                .map(|(i, &d)| {
                    session(
                        &bank,
                        &format!("2026-11-{:02}_100000-test-bank", i + 1),
                        vec![answered(&bank, 2, "build caching", d)],
                    )
                })
                .collect();
            let history = History {
                sessions,
                skipped: Vec::new(),
            };
            let questions = history.questions();
            let best = questions[0].best_duration().unwrap();
            assert_eq!(best.spoken_s, Some(expected), "{durations:?}");
        }
        // The default target is 60–120 s.
        case(&[30.0, 90.0, 130.0], 90.0);
        case(&[30.0, 50.0], 50.0);
        case(&[200.0, 125.0], 125.0);
        case(&[65.0, 95.0, 115.0], 95.0);
        case(&[80.0, 100.0], 100.0);
    }

    #[test]
    fn recent_coverage_averages_the_last_attempts() {
        let bank = test_bank();
        let texts = [
            "nothing",
            "nothing",
            "network policies",
            "role based access",
            "network policies and role based access",
        ];
        let sessions = texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                session(
                    &bank,
                    &format!("2026-11-{:02}_100000-test-bank", i + 1),
                    vec![answered(&bank, 1, text, 60.0)],
                )
            })
            .collect();
        let history = History {
            sessions,
            skipped: Vec::new(),
        };
        let tenancy = &history.questions()[0];
        assert_eq!(
            tenancy.coverage_over_time(),
            [Some(0.0), Some(0.0), Some(0.5), Some(0.5), Some(1.0)]
        );
        assert_eq!(tenancy.recent_coverage(), Some(2.0 / 3.0));
    }

    #[test]
    fn weakest_puts_never_practised_first_then_lowest_coverage() {
        let bank = test_bank();
        #[track_caller]
        fn case(bank: &Bank, sessions: Vec<LoadedSession>, n: usize, expected: &[usize]) {
            let history = History {
                sessions,
                skipped: Vec::new(),
            };
            assert_eq!(rank_weakest(bank, &history.questions(), n), expected);
        }
        // Nothing practised: bank order.
        case(&bank, Vec::new(), 2, &[1, 2]);
        case(&bank, Vec::new(), 10, &[1, 2, 3, 4]);
        // 1 fully covered, 3 not at all; 2 and 4 never practised.
        case(
            &bank,
            vec![session(
                &bank,
                "2026-11-01_100000-test-bank",
                vec![
                    answered(&bank, 1, "network policies and role based access", 60.0),
                    answered(&bank, 3, "we restart things", 60.0),
                ],
            )],
            4,
            &[2, 4, 3, 1],
        );
        // All practised: lowest coverage, then a question without points
        // last; equal coverage goes to the one practised longer ago.
        case(
            &bank,
            vec![
                session(
                    &bank,
                    "2026-11-01_100000-test-bank",
                    vec![
                        answered(&bank, 2, "nothing useful", 60.0),
                        answered(&bank, 4, "culture", 60.0),
                    ],
                ),
                session(
                    &bank,
                    "2026-11-02_100000-test-bank",
                    vec![
                        answered(&bank, 1, "network policies", 60.0),
                        answered(&bank, 3, "nothing", 60.0),
                    ],
                ),
            ],
            4,
            &[2, 3, 1, 4],
        );
        // Another bank's sessions do not count.
        let other = Bank {
            id: "other".to_string(),
            ..test_bank()
        };
        case(
            &bank,
            vec![session(
                &other,
                "2026-11-01_100000-other",
                vec![answered(
                    &other,
                    1,
                    "network policies and role based access",
                    60.0,
                )],
            )],
            1,
            &[1],
        );
    }

    #[test]
    fn weakest_refuses_zero() {
        let dir = tempfile::tempdir().unwrap();
        let err = weakest(&test_bank(), dir.path(), 0).unwrap_err();
        assert_eq!(err.to_string(), "--weakest must be at least 1");
    }

    #[test]
    fn damaged_and_foreign_folders_are_skipped_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let bank = test_bank();
        let good = dir.path().join("2026-11-01_100000-test-bank");
        std::fs::create_dir(&good).unwrap();
        let record = session(
            &bank,
            "2026-11-01_100000-test-bank",
            vec![skipped(&bank, 1)],
        )
        .record;
        SessionDir::open(&good).expect_err("not a session before session.json exists");
        std::fs::write(
            good.join("session.json"),
            serde_json::to_string(&record).unwrap(),
        )
        .unwrap();
        let damaged = dir.path().join("2026-11-02_100000-test-bank");
        std::fs::create_dir(&damaged).unwrap();
        std::fs::write(damaged.join("session.json"), "{ not json").unwrap();
        std::fs::create_dir(dir.path().join("holiday-photos")).unwrap();

        let history = History::load(dir.path()).unwrap();
        assert_eq!(history.sessions.len(), 1);
        assert_eq!(history.sessions[0].name, "2026-11-01_100000-test-bank");
        let reasons: Vec<&str> = history.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(
            reasons[0].contains("2026-11-02_100000-test-bank/session.json is not a viva session: key must be a string"),
            "{reasons:?}"
        );
        assert!(
            reasons[1].ends_with("holiday-photos is not a viva session: it has no session.json"),
            "{reasons:?}"
        );
    }

    #[test]
    fn a_missing_sessions_directory_is_an_empty_history() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::load(&dir.path().join("none")).unwrap();
        assert!(history.sessions.is_empty() && history.skipped.is_empty());
    }
}
