//! `transcript.md`, part of the session folder: for each question, the
//! question, your answer and the sample answer side by side, with the
//! answer's duration, pace and talking points. Rewritten (atomically) after
//! every answer.

use std::fmt::Write as _;

use super::record::{AnswerRecord, AnswerStatus, SessionRecord};
use crate::units::clock;

/// The whole `transcript.md` of a session.
pub(crate) fn transcript_md(session: &SessionRecord) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", session.bank.title);
    let _ = writeln!(
        out,
        "Practice session started {} · bank `{}` · model `{}` · {}\n",
        session.started_at,
        session.bank.id,
        session.model,
        status_word(session)
    );
    for answer in &session.answers {
        write_answer(&mut out, answer);
    }
    out
}

fn status_word(session: &SessionRecord) -> &'static str {
    use crate::session::record::SessionStatus::*;
    match session.status {
        InProgress => "in progress",
        Finished => "finished",
        Quit => "ended early",
        Interrupted => "interrupted",
    }
}

fn write_answer(out: &mut String, answer: &AnswerRecord) {
    let _ = writeln!(out, "## {}. {}\n", answer.number, answer.question);
    let _ = writeln!(out, "*{}*\n", summary_line(answer));
    let transcript = match answer.status {
        AnswerStatus::Answered => answer.text.clone().unwrap_or_default(),
        AnswerStatus::NoSpeech => "*(no speech)*".to_string(),
        AnswerStatus::Skipped => "*(skipped)*".to_string(),
        AnswerStatus::NotAsked => "*(not asked yet)*".to_string(),
        AnswerStatus::Pending => "*(recorded; transcription pending)*".to_string(),
        AnswerStatus::Interrupted => "*(interrupted; run `viva practice --resume`)*".to_string(),
        AnswerStatus::Failed => format!(
            "*(transcription failed: {})*",
            answer.error.as_deref().unwrap_or("unknown error")
        ),
    };
    let _ = writeln!(out, "| Your answer | Sample answer |");
    let _ = writeln!(out, "| --- | --- |");
    let _ = writeln!(
        out,
        "| {} | {} |\n",
        table_cell(&transcript),
        table_cell(&answer.sample_answer)
    );
    if let Some(metrics) = &answer.metrics {
        if !metrics.talking_points.is_empty() {
            let _ = writeln!(out, "Talking points:\n");
            for point in &metrics.talking_points {
                let mark = if point.covered { "✓" } else { "✗" };
                let when = point
                    .first_mention_s
                    .map(|s| format!(" (at {})", clock(s)))
                    .unwrap_or_default();
                let _ = writeln!(out, "- {mark} {}{when}", point.point);
            }
            out.push('\n');
        }
    }
}

/// "answered · 1:23 spoken of 1:30 · target 1:00–2:00 (in range) · 142 wpm · 3/4 points".
pub(crate) fn summary_line(answer: &AnswerRecord) -> String {
    let status = answer.status;
    let Some(metrics) = &answer.metrics else {
        return match answer.duration_s {
            Some(d) => format!("{status} · {} recorded", clock(d)),
            None => status.to_string(),
        };
    };
    let length = &metrics.length;
    let mut parts = vec![
        status.to_string(),
        format!(
            "{} spoken of {}",
            clock(length.spoken_s),
            clock(length.total_s)
        ),
        format!(
            "target {}–{} ({})",
            clock(f64::from(length.target_s[0])),
            clock(f64::from(length.target_s[1])),
            length.verdict.describe()
        ),
    ];
    if let Some(wpm) = metrics.pace.wpm {
        parts.push(format!("{wpm:.0} wpm"));
    }
    let (covered, total) = metrics.points_covered();
    if total > 0 {
        parts.push(format!("{covered}/{total} talking points"));
    }
    parts.join(" · ")
}

/// Text that is safe inside one Markdown table cell.
fn table_cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_one_line_and_escape_pipes() {
        assert_eq!(table_cell("a | b\n\nc"), "a \\| b c");
    }
}
