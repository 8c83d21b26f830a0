//! Which questions a session asks, in which order: `--pick`, `--count`,
//! `--shuffle` (and `--weakest`, chosen from history), plus parsing of the
//! duration options.

use std::time::Duration;

use thiserror::Error;

use crate::bank::Bank;

#[derive(Debug, Error, PartialEq)]
pub(crate) enum PlanError {
    #[error("no question '{selector}' in bank '{bank}' (it has questions 1-{count}; see `viva questions list`)")]
    UnknownQuestion {
        selector: String,
        bank: String,
        count: usize,
    },
    #[error("question '{0}' is picked twice")]
    PickedTwice(String),
    #[error("--count must be at least 1")]
    ZeroCount,
    #[error("bank '{0}' has no questions")]
    EmptyBank(String),
    #[error("invalid {option} '{value}': use a duration like 90s, 2m or 1m30s")]
    BadDuration { option: &'static str, value: String },
}

/// The bank numbers (1-based) of the questions to ask, in order.
pub(crate) fn choose(
    bank: &Bank,
    pick: &[String],
    count: Option<usize>,
    shuffle: bool,
) -> Result<Vec<usize>, PlanError> {
    if bank.questions.is_empty() {
        return Err(PlanError::EmptyBank(bank.id.clone()));
    }
    let mut numbers = if pick.is_empty() {
        (1..=bank.questions.len()).collect::<Vec<_>>()
    } else {
        picked(bank, pick)?
    };
    if shuffle {
        fastrand::shuffle(&mut numbers);
    }
    if let Some(count) = count {
        if count == 0 {
            return Err(PlanError::ZeroCount);
        }
        numbers.truncate(count);
    }
    Ok(numbers)
}

fn picked(bank: &Bank, pick: &[String]) -> Result<Vec<usize>, PlanError> {
    let mut numbers = Vec::with_capacity(pick.len());
    for selector in pick.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let (number, _) = bank
            .question(selector)
            .ok_or_else(|| PlanError::UnknownQuestion {
                selector: selector.to_string(),
                bank: bank.id.clone(),
                count: bank.questions.len(),
            })?;
        if numbers.contains(&number) {
            return Err(PlanError::PickedTwice(selector.to_string()));
        }
        numbers.push(number);
    }
    Ok(numbers)
}

/// Parse `90s`, `2m`, `1m30s` or a bare number of seconds.
pub(crate) fn parse_duration(option: &'static str, value: &str) -> Result<Duration, PlanError> {
    let bad = || PlanError::BadDuration {
        option,
        value: value.to_string(),
    };
    let trimmed = value.trim();
    let duration = match trimmed.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds >= 0.0 => Duration::from_secs_f64(seconds),
        Ok(_) => return Err(bad()),
        Err(_) => humantime::parse_duration(trimmed).map_err(|_| bad())?,
    };
    if duration.is_zero() {
        return Err(bad());
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::Question;

    fn bank(ids: &[&str]) -> Bank {
        Bank {
            id: "test".into(),
            title: "Test".into(),
            role: "Tester".into(),
            target_s: None,
            questions: ids
                .iter()
                .map(|id| Question {
                    id: id.to_string(),
                    text: format!("About {id}?"),
                    guidance: String::new(),
                    talking_points: vec!["a point".into()],
                    aliases: Default::default(),
                    target_s: None,
                    sample_answer: "An answer.".into(),
                    follow_ups: Vec::new(),
                })
                .collect(),
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn all_questions_in_bank_order_by_default() {
        let bank = bank(&["a", "b", "c"]);
        assert_eq!(choose(&bank, &[], None, false).unwrap(), vec![1, 2, 3]);
        assert_eq!(choose(&bank, &[], Some(2), false).unwrap(), vec![1, 2]);
    }

    #[test]
    fn pick_by_number_and_id_keeps_the_given_order() {
        let bank = bank(&["a", "b", "c"]);
        let chosen = choose(&bank, &strings(&["3", "a"]), None, false).unwrap();
        assert_eq!(chosen, vec![3, 1]);
    }

    #[test]
    fn pick_errors_name_the_problem() {
        let bank = bank(&["a", "b"]);
        let err = choose(&bank, &strings(&["7"]), None, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no question '7' in bank 'test' (it has questions 1-2; see `viva questions list`)"
        );
        let err = choose(&bank, &strings(&["1", "a"]), None, false).unwrap_err();
        assert_eq!(err, PlanError::PickedTwice("a".into()));
        assert_eq!(
            choose(&bank, &[], Some(0), false).unwrap_err(),
            PlanError::ZeroCount
        );
    }

    #[test]
    fn shuffle_keeps_the_same_questions() {
        let bank = bank(&["a", "b", "c", "d", "e"]);
        let mut chosen = choose(&bank, &[], None, true).unwrap();
        chosen.sort_unstable();
        assert_eq!(chosen, vec![1, 2, 3, 4, 5]);
        assert_eq!(choose(&bank, &[], Some(2), true).unwrap().len(), 2);
    }

    #[track_caller]
    fn duration_case(text: &str, seconds: Option<f64>) {
        let parsed = parse_duration("--time-limit", text).ok();
        assert_eq!(parsed.map(|d| d.as_secs_f64()), seconds, "{text}");
    }

    #[test]
    fn durations() {
        duration_case("90s", Some(90.0));
        duration_case("2m", Some(120.0));
        duration_case("1m30s", Some(90.0));
        duration_case("4", Some(4.0));
        duration_case("2.5", Some(2.5));
        duration_case("0s", None);
        duration_case("-3", None);
        duration_case("soon", None);
        assert_eq!(
            parse_duration("--silence", "x").unwrap_err().to_string(),
            "invalid --silence 'x': use a duration like 90s, 2m or 1m30s"
        );
    }
}
