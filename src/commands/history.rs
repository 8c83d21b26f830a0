//! `viva history`: progress over sessions. Per question the attempts, the
//! last and best duration, talking-point coverage over time as a sparkline
//! and the date last practised; `--question` lists one question's attempts.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use thiserror::Error;

use crate::bank::{self, QuestionRef};
use crate::cli::HistoryArgs;
use crate::history::{sparkline, Attempt, History, QuestionHistory};
use crate::paths;
use crate::report::summary::truncate;
use crate::units::clock;

/// How many attempts the table's sparkline shows (the latest ones).
const SPARK_ATTEMPTS: usize = 10;

#[derive(Debug, Error, PartialEq)]
pub(crate) enum HistoryCommandError {
    #[error("no attempts at question '{selector}' in {dir}; practise it with `viva practice --pick {selector}`")]
    NoAttempts { selector: String, dir: String },
}

pub(crate) fn run(args: HistoryArgs) -> anyhow::Result<ExitCode> {
    let sessions_dir = paths::sessions_dir(args.sessions.sessions.as_deref());
    let history = History::load(&sessions_dir)?;
    for skipped in &history.skipped {
        eprintln!("warning: skipped {}", skipped.reason);
    }
    let text = match args.question.as_deref() {
        Some(selector) => question_report(&history, selector, &sessions_dir)?,
        None => overview(&history, &sessions_dir),
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("cannot write to standard output")?;
    Ok(ExitCode::SUCCESS)
}

/// Every bank's practised questions, one line each.
pub(crate) fn overview(history: &History, sessions_dir: &Path) -> String {
    let questions = history.questions();
    let skipped = match history.skipped.len() {
        0 => String::new(),
        n => format!(
            "{n} folder{} in {} could not be read (see the warnings above; `viva doctor` repairs damaged sessions).\n",
            if n == 1 { "" } else { "s" },
            sessions_dir.display()
        ),
    };
    if history.sessions.is_empty() {
        if !skipped.is_empty() {
            return format!("No readable sessions: {skipped}");
        }
        return format!(
            "No sessions in {} yet: run `viva practice` first.\n",
            sessions_dir.display()
        );
    }
    let mut out = skipped;
    for bank_id in bank_ids(history) {
        let sessions: Vec<_> = history
            .sessions
            .iter()
            .filter(|s| s.record.bank.id == bank_id)
            .collect();
        let latest = &sessions[sessions.len() - 1].record.bank;
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{} ({bank_id}) · {} session{}",
            latest.title,
            sessions.len(),
            if sessions.len() == 1 { "" } else { "s" }
        );
        let bank_questions: Vec<&QuestionHistory> =
            questions.iter().filter(|q| q.bank_id == bank_id).collect();
        out.push_str(&table(&bank_questions));
        if let Ok(bank) = bank::load(&latest.source) {
            let never = bank
                .questions
                .iter()
                .filter(|q| !bank_questions.iter().any(|h| h.id == q.id))
                .count();
            if never > 0 {
                let _ = writeln!(
                    out,
                    "\nNot practised yet: {never} of {} questions (`viva practice --weakest N` asks the weakest first).",
                    bank.questions.len()
                );
            }
        }
    }
    out
}

/// Bank ids in the order their first session appears.
fn bank_ids(history: &History) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for session in &history.sessions {
        if !ids.contains(&session.record.bank.id) {
            ids.push(session.record.bank.id.clone());
        }
    }
    ids
}

/// The per-question table.
pub(crate) fn table(questions: &[&QuestionHistory]) -> String {
    let mut out = String::new();
    if questions.is_empty() {
        out.push_str("  (no answered questions yet)\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{:>3}  {:<30} {:>5} {:>6} {:>6}  {:<16} last practised",
        "#", "question", "tries", "last", "best", "coverage"
    );
    for question in questions {
        let last = question.last();
        let duration = |attempt: Option<&Attempt>| {
            attempt
                .and_then(|a| a.spoken_s)
                .map(clock)
                .unwrap_or_else(|| "-".to_string())
        };
        let _ = writeln!(
            out,
            "{:>3}  {:<30} {:>5} {:>6} {:>6}  {:<16} {}",
            question.number,
            truncate(&question.id, 30),
            question.attempts.len(),
            duration(last),
            duration(question.best_duration()),
            coverage_cell(question),
            last.map(|a| a.date.as_str()).unwrap_or("-")
        );
    }
    out
}

/// "2/4", or "2/4 +1" when a follow-up drew out one more.
fn points_text((covered, total): (usize, usize), after_follow_up: usize) -> String {
    match after_follow_up {
        0 => format!("{covered}/{total}"),
        more => format!("{covered}/{total} +{more}"),
    }
}

/// "▁▃█ 3/3": the latest attempts' coverage and the last attempt's points.
fn coverage_cell(question: &QuestionHistory) -> String {
    let over_time = question.coverage_over_time();
    if over_time.iter().all(Option::is_none) {
        return "-".to_string();
    }
    let recent = &over_time[over_time.len().saturating_sub(SPARK_ATTEMPTS)..];
    let points = question
        .last()
        .and_then(|a| a.points.map(|points| (points, a.after_follow_up)))
        .map(|(points, after)| format!(" {}", points_text(points, after)))
        .unwrap_or_default();
    format!("{}{points}", sparkline(recent))
}

/// One question's attempts in detail.
pub(crate) fn question_report(
    history: &History,
    selector: &str,
    sessions_dir: &Path,
) -> anyhow::Result<String> {
    let selector = selector.trim();
    let wanted = QuestionRef::parse(selector);
    let matches: Vec<QuestionHistory> = history
        .questions()
        .into_iter()
        .filter(|q| wanted.matches(q.number, &q.id))
        .collect();
    if matches.is_empty() {
        return Err(HistoryCommandError::NoAttempts {
            selector: selector.to_string(),
            dir: sessions_dir.display().to_string(),
        }
        .into());
    }
    let mut out = String::new();
    for (index, question) in matches.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(&attempts_detail(question));
    }
    Ok(out)
}

fn attempts_detail(question: &QuestionHistory) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}. {} ({})",
        question.number, question.id, question.bank_id
    );
    let _ = writeln!(out, "{}", question.question);
    let tries = question.attempts.len();
    let mut summary = vec![format!(
        "{tries} attempt{}",
        if tries == 1 { "" } else { "s" }
    )];
    if let Some(best) = question.best_duration().and_then(|a| a.spoken_s) {
        summary.push(format!("best length {}", clock(best)));
    }
    if let Some(coverage) = question.recent_coverage() {
        summary.push(format!("recent coverage {:.0}%", coverage * 100.0));
    }
    let _ = writeln!(out, "{}\n", summary.join(" · "));
    let _ = writeln!(
        out,
        "{:<10}  {:<9} {:>6} {:>5} {:>6}  verdict",
        "date", "status", "spoken", "wpm", "points"
    );
    for attempt in &question.attempts {
        let _ = writeln!(
            out,
            "{:<10}  {:<9} {:>6} {:>5} {:>6}  {}",
            attempt.date,
            attempt.status,
            attempt.spoken_s.map(clock).unwrap_or_else(|| "-".into()),
            attempt
                .wpm
                .map(|wpm| format!("{wpm:.0}"))
                .unwrap_or_else(|| "-".into()),
            attempt
                .points
                .map(|points| points_text(points, attempt.after_follow_up))
                .unwrap_or_else(|| "-".into()),
            attempt.verdict.as_deref().unwrap_or("-")
        );
    }
    let _ = writeln!(
        out,
        "\nSessions, oldest first: {}",
        question
            .attempts
            .iter()
            .map(|a| a.session.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::record::AnswerStatus;

    fn attempt(date: &str, spoken_s: f64, points: Option<(usize, usize)>) -> Attempt {
        Attempt {
            session: format!("{date}_100000-bank"),
            date: date.to_string(),
            status: AnswerStatus::Answered,
            spoken_s: Some(spoken_s),
            wpm: Some(140.0),
            points,
            after_follow_up: 0,
            coverage: points.map(|(c, t)| c as f64 / t as f64),
            verdict: Some("in range, good pace".to_string()),
            target_s: Some([60, 120]),
        }
    }

    fn question(id: &str, attempts: Vec<Attempt>) -> QuestionHistory {
        QuestionHistory {
            bank_id: "bank".to_string(),
            number: 12,
            id: id.to_string(),
            question: "Why?".to_string(),
            attempts,
        }
    }

    #[test]
    fn the_table_has_one_aligned_line_per_question() {
        let a = question(
            "observability-stack-which-metrics-matter",
            vec![
                attempt("2026-11-01", 40.0, Some((1, 4))),
                attempt("2026-11-02", 95.0, Some((4, 4))),
                attempt("2026-11-03", 130.0, Some((2, 4))),
            ],
        );
        let b = question("culture", vec![attempt("2026-11-03", 70.0, None)]);
        let text = table(&[&a, &b]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "  #  question                       tries   last   best  coverage         last practised",
                " 12  observability-stack-which-met…     3   2:10   1:35  ▃█▅ 2/4          2026-11-03",
                " 12  culture                            1   1:10   1:10  -                2026-11-03",
            ]
        );
    }

    #[test]
    fn the_sparkline_shows_the_latest_attempts() {
        let attempts = (0..14)
            .map(|i| attempt("2026-11-01", 60.0, Some((usize::from(i >= 4), 1))))
            .collect();
        let cell = coverage_cell(&question("q", attempts));
        assert_eq!(cell, "██████████ 1/1");
    }

    #[test]
    fn one_question_in_detail() {
        let history_question = question(
            "culture",
            vec![
                attempt("2026-11-01", 40.0, Some((1, 2))),
                attempt("2026-11-02", 95.0, Some((2, 2))),
            ],
        );
        let text = attempts_detail(&history_question);
        assert_eq!(
            text,
            "12. culture (bank)\nWhy?\n2 attempts · best length 1:35 · recent coverage 75%\n\n\
             date        status    spoken   wpm points  verdict\n\
             2026-11-01  answered    0:40   140    1/2  in range, good pace\n\
             2026-11-02  answered    1:35   140    2/2  in range, good pace\n\n\
             Sessions, oldest first: 2026-11-01_100000-bank, 2026-11-02_100000-bank\n"
        );
    }
}
