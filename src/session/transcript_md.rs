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
    let transcript = take_text(
        answer.status,
        answer.text.as_deref(),
        answer.error.as_deref(),
    );
    let _ = writeln!(out, "| Your answer | Sample answer |");
    let _ = writeln!(out, "| --- | --- |");
    let _ = writeln!(
        out,
        "| {} | {} |\n",
        table_cell(&transcript),
        table_cell(&answer.sample_answer)
    );
    if let Some(note) = gaps_note(answer) {
        let _ = writeln!(out, "{note}\n");
    }
    for (index, follow_up) in answer.follow_ups.iter().enumerate() {
        let reply = take_text(
            follow_up.status,
            follow_up.text.as_deref(),
            follow_up.error.as_deref(),
        );
        let _ = writeln!(
            out,
            "**Follow-up {}** ({}): {}\n\n> {}\n",
            index + 1,
            follow_up.point,
            follow_up.question,
            reply.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }
    if let Some(metrics) = &answer.metrics {
        if !metrics.talking_points.is_empty() {
            let _ = writeln!(out, "Talking points:\n");
            for point in &metrics.talking_points {
                let mark = if point.covered { "✓" } else { "✗" };
                let _ = writeln!(out, "- {mark} {}{}", point.point, point_when(point));
            }
            out.push('\n');
        }
    }
}

/// What a transcript column shows for a take (an answer or a reply).
fn take_text(status: AnswerStatus, text: Option<&str>, error: Option<&str>) -> String {
    match status {
        AnswerStatus::Answered => text.unwrap_or_default().to_string(),
        AnswerStatus::NoSpeech => "*(no speech)*".to_string(),
        AnswerStatus::Skipped => "*(skipped)*".to_string(),
        AnswerStatus::NotAsked => "*(not asked yet)*".to_string(),
        AnswerStatus::Pending => "*(recorded; transcription pending)*".to_string(),
        AnswerStatus::Interrupted => "*(interrupted; run `viva practice --resume`)*".to_string(),
        AnswerStatus::Failed => format!(
            "*(transcription failed: {})*",
            error.unwrap_or("unknown error")
        ),
    }
}

/// " (at 0:12)", " (after follow-up 1, at 0:04 into the reply)", or "".
pub(crate) fn point_when(point: &crate::analysis::PointCoverage) -> String {
    match (point.follow_up, point.first_mention_s) {
        (Some(n), Some(s)) => format!(" (after follow-up {n}, at {} into the reply)", clock(s)),
        (Some(n), None) => format!(" (after follow-up {n})"),
        (None, Some(s)) if point.covered => format!(" (at {})", clock(s)),
        _ => String::new(),
    }
}

/// The speech a transcript does not cover, said so that a reader does not
/// take the transcript for the whole answer; `None` when it covers it all.
pub(crate) fn gaps_note(answer: &AnswerRecord) -> Option<String> {
    if answer.gaps.is_empty() || answer.status != AnswerStatus::Answered {
        return None;
    }
    let spans: Vec<String> = answer
        .gaps
        .iter()
        .map(|gap| format!("{}–{}", clock(gap.start_s), clock(gap.end_s)))
        .collect();
    Some(format!(
        "⚠ Speech at {} has no transcript (Whisper could not make it out): listen to the recording.",
        spans.join(", ")
    ))
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
    let (at_first, _) = metrics.points_covered_at_first();
    if total > 0 && covered > at_first {
        parts.push(format!(
            "{covered}/{total} talking points ({} after a follow-up)",
            covered - at_first
        ));
    } else if total > 0 {
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
