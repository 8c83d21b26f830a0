//! The table printed at the end of a practice session: per question the
//! duration, words, words per minute and talking points covered; and the
//! session's three things to work on, which `viva review` and the HTML page
//! show too.

use std::fmt::Write as _;

use crate::analysis::focus::{self, Answered};
use crate::session::record::SessionRecord;
use crate::units::clock;

/// The session's three things to work on (see `analysis::focus`), most
/// useful first; empty when no answer has metrics.
pub(crate) fn focus_lines(session: &SessionRecord) -> Vec<String> {
    let answered: Vec<Answered> = session
        .answers
        .iter()
        .filter_map(|answer| {
            Some(Answered {
                number: answer.number,
                metrics: answer.metrics.as_ref()?,
            })
        })
        .collect();
    focus::three_things(&answered)
}

/// "Three things to work on" and a numbered line for each, after a blank
/// line; empty when there is nothing to say.
pub(crate) fn three_things(session: &SessionRecord) -> String {
    let lines = focus_lines(session);
    if lines.is_empty() {
        return String::new();
    }
    let mut out = format!("\n{}\n", heading(lines.len()));
    for (index, line) in lines.iter().enumerate() {
        let _ = writeln!(out, "  {}. {line}", index + 1);
    }
    out
}

/// "Three things to work on", or fewer.
pub(crate) fn heading(count: usize) -> &'static str {
    match count {
        1 => "One thing to work on",
        2 => "Two things to work on",
        _ => "Three things to work on",
    }
}

/// The summary table, one line per question, ending with a newline.
pub(crate) fn table(session: &SessionRecord) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:>3}  {:<28} {:<11} {:>8} {:>6} {:>5} {:>7}",
        "#", "question", "status", "duration", "words", "wpm", "points"
    );
    for answer in &session.answers {
        let metrics = answer.metrics.as_ref();
        let duration = answer.duration_s.map(clock).unwrap_or_else(|| "-".into());
        let words = metrics
            .filter(|m| !m.no_speech)
            .map(|m| m.pace.words.to_string())
            .unwrap_or_else(|| "-".into());
        let wpm = metrics
            .and_then(|m| m.pace.wpm)
            .map(|wpm| format!("{wpm:.0}"))
            .unwrap_or_else(|| "-".into());
        // "2+1/4": two covered in the answer, one more after a follow-up.
        let points = metrics
            .map(|m| (m.points_covered_at_first(), m.points_covered()))
            .filter(|&((_, total), _)| total > 0)
            .map(|((first, total), (covered, _))| match covered - first {
                0 => format!("{covered}/{total}"),
                more => format!("{first}+{more}/{total}"),
            })
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            out,
            "{:>3}  {:<28} {:<11} {:>8} {:>6} {:>5} {:>7}",
            answer.number,
            truncate(&answer.id, 28),
            answer.status,
            duration,
            words,
            wpm,
            points
        );
    }
    out
}

/// `text` cut to `width` characters, with an ellipsis when cut.
pub(crate) fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_ids_are_cut_with_an_ellipsis() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("abcdefghijk", 5), "abcd…");
    }
}
