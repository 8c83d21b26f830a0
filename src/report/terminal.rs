//! `viva review` in the terminal: per question the question, the answer and
//! the sample answer (side by side when the terminal is wide enough, one
//! above the other otherwise), the talking points with ✓/✗, the metrics and
//! a one-line verdict.
//!
//! Rendering is a pure function of the session and a width, so it is tested
//! without a terminal; the command picks the width.

use std::fmt::Write as _;

use textwrap::core::display_width;

use super::markdown::{clock, status_text, summary_line};
use crate::analysis::{AnswerMetrics, ANALYSIS_VERSION, FAST_WPM, SLOW_WPM};
use crate::session::record::{AnswerRecord, AnswerStatus, SessionRecord};

/// The narrowest terminal that shows answer and sample side by side.
pub const SIDE_BY_SIDE_MIN: usize = 100;
/// Text wider than this is hard to read; wider terminals get margins.
const MAX_WIDTH: usize = 140;
/// Width used when nothing says how wide the output is.
pub const DEFAULT_WIDTH: usize = 80;
/// Labels of the metric lines are padded to this width.
const LABEL: usize = 10;

/// The whole review: a header, then each of `answers` (from `session`).
pub fn review(
    session_name: &str,
    session: &SessionRecord,
    answers: &[&AnswerRecord],
    width: usize,
) -> String {
    let width = width.clamp(40, MAX_WIDTH);
    let mut out = String::new();
    let _ = writeln!(out, "{}", session.bank.title);
    let model = std::path::Path::new(&session.model)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| session.model.clone());
    let _ = writeln!(
        out,
        "session {session_name} · {} · model {model}",
        session_counts(session)
    );
    for answer in answers {
        out.push('\n');
        out.push_str(&answer_block(answer, width));
    }
    out
}

/// "3 questions: 2 answered, 1 skipped".
fn session_counts(session: &SessionRecord) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for answer in &session.answers {
        let word = status_text(answer.status);
        match counts.iter_mut().find(|(w, _)| *w == word) {
            Some((_, n)) => *n += 1,
            None => counts.push((word, 1)),
        }
    }
    let total = session.answers.len();
    let noun = if total == 1 { "question" } else { "questions" };
    let parts: Vec<String> = counts.iter().map(|(w, n)| format!("{n} {w}")).collect();
    format!("{total} {noun}: {}", parts.join(", "))
}

/// One question: heading, the two answers, talking points, metrics, verdict.
pub fn answer_block(answer: &AnswerRecord, width: usize) -> String {
    let mut out = String::new();
    let heading = format!("━━ {}. {} ", answer.number, answer.id);
    let rule = width.saturating_sub(display_width(&heading));
    let _ = writeln!(out, "{heading}{}", "━".repeat(rule));
    out.push_str(&fill(&answer.question, width, ""));

    let yours = match answer_text(answer) {
        Some(text) => text,
        None => {
            // Nothing recorded: no columns, just what happened.
            let _ = writeln!(out, "{}", summary_line(answer));
            return out;
        }
    };
    out.push('\n');
    if width >= SIDE_BY_SIDE_MIN {
        out.push_str(&side_by_side(
            ("Your answer", &yours),
            ("Sample answer", &answer.sample_answer),
            width,
        ));
    } else {
        out.push_str(&stacked(
            ("Your answer", &yours),
            ("Sample answer", &answer.sample_answer),
            width,
        ));
    }
    out.push('\n');
    match &answer.metrics {
        Some(metrics) => out.push_str(&metrics_block(metrics, width)),
        None => {
            let _ = writeln!(out, "{}", summary_line(answer));
            let _ = writeln!(out, "(no metrics saved: run `viva review --recompute`)");
        }
    }
    out
}

/// What goes in the "Your answer" column, or `None` when nothing was recorded.
fn answer_text(answer: &AnswerRecord) -> Option<String> {
    let text = match answer.status {
        AnswerStatus::NotAsked | AnswerStatus::Skipped => return None,
        AnswerStatus::Answered => answer.text.clone().unwrap_or_default(),
        AnswerStatus::NoSpeech => "(no speech)".to_string(),
        AnswerStatus::Pending => {
            "(recorded; transcription pending: run `viva practice --resume`)".to_string()
        }
        AnswerStatus::Interrupted => {
            "(interrupted while recording: run `viva practice --resume`)".to_string()
        }
        AnswerStatus::Failed => format!(
            "(transcription failed: {})",
            answer.error.as_deref().unwrap_or("unknown error")
        ),
    };
    Some(text)
}

/// Talking points, sample-answer terms and the metric lines of one answer.
pub fn metrics_block(metrics: &AnswerMetrics, width: usize) -> String {
    let mut out = String::new();
    if metrics.analysis_version < ANALYSIS_VERSION {
        let _ = writeln!(
            out,
            "(metrics from an older analysis: run `viva review --recompute`)"
        );
    }
    if !metrics.talking_points.is_empty() {
        let (covered, total) = metrics.points_covered();
        let _ = writeln!(out, "Talking points ({covered}/{total})");
        for point in &metrics.talking_points {
            out.push_str(&fill(&point_line(point), width, "    "));
        }
    }
    if let Some(line) = sample_terms_line(metrics) {
        out.push_str(&fill(&line, width, "  "));
    }
    out.push('\n');
    for (label, value) in metric_lines(metrics) {
        let indent = " ".repeat(LABEL);
        out.push_str(&fill(&format!("{label:<LABEL$}{value}"), width, &indent));
    }
    out
}

/// "  ✓ name key tools · at 0:12 · said: jenkins, tools".
fn point_line(point: &crate::analysis::PointCoverage) -> String {
    let mark = if point.covered { "✓" } else { "✗" };
    let mut parts = vec![format!("  {mark} {}", point.point)];
    if let Some(at) = point.first_mention_s {
        parts.push(format!("at {}", clock(at)));
    }
    if !point.matched.is_empty() {
        parts.push(format!("said: {}", point.matched.join(", ")));
    }
    if !point.covered && !point.missing.is_empty() {
        parts.push(format!("missing: {}", point.missing.join(", ")));
    }
    parts.join(" · ")
}

/// "Sample answer's key terms: used Jenkins; missed OPA, PRs".
fn sample_terms_line(metrics: &AnswerMetrics) -> Option<String> {
    let terms = &metrics.sample_terms;
    if terms.used.is_empty() && terms.missed.is_empty() {
        return None;
    }
    let list = |terms: &[String]| {
        if terms.is_empty() {
            "none".to_string()
        } else {
            terms.join(", ")
        }
    };
    Some(format!(
        "Sample answer's key terms: used {}; missed {}",
        list(&terms.used),
        list(&terms.missed)
    ))
}

/// The labelled metric lines: Length, Pace, Delivery, Verdict.
pub fn metric_lines(metrics: &AnswerMetrics) -> Vec<(&'static str, String)> {
    let length = &metrics.length;
    let target = format!(
        "target {}–{}",
        clock(f64::from(length.target_s[0])),
        clock(f64::from(length.target_s[1]))
    );
    let length_line = if metrics.no_speech {
        format!("no speech in {} recorded · {target}", clock(length.total_s))
    } else {
        format!(
            "{} spoken of {} recorded · {target} · {}",
            clock(length.spoken_s),
            clock(length.total_s),
            length.verdict.describe()
        )
    };
    let pace_line = match (metrics.pace.wpm, metrics.pace.verdict) {
        (Some(wpm), Some(verdict)) => format!(
            "{wpm:.0} wpm · {} (aim for {SLOW_WPM:.0}–{FAST_WPM:.0}) · {} words",
            verdict.describe(),
            metrics.pace.words
        ),
        _ if metrics.no_speech => "no words".to_string(),
        _ => format!(
            "{} words: too few to measure the pace",
            metrics.pace.words
        ),
    };
    vec![
        ("Length", length_line),
        ("Pace", pace_line),
        ("Delivery", delivery_line(metrics)),
        ("Verdict", metrics.verdict()),
    ]
}

/// "fillers ≥ 2 (um 1, like 1) · longest pause 1.2 s · first word after 0.3 s · repeated: the the".
fn delivery_line(metrics: &AnswerMetrics) -> String {
    let delivery = &metrics.delivery;
    let mut fillers = format!("fillers ≥ {}", delivery.fillers_at_least);
    if !delivery.fillers.is_empty() {
        let each: Vec<String> = delivery
            .fillers
            .iter()
            .map(|f| format!("{} {}", f.filler, f.count))
            .collect();
        let _ = write!(fillers, " ({})", each.join(", "));
    }
    let mut parts = vec![fillers];
    if let Some(pause) = delivery.longest_pause_s {
        parts.push(format!("longest pause {pause:.1} s"));
    }
    if let Some(first) = delivery.first_word_s {
        parts.push(format!("first word after {first:.1} s"));
    }
    if !delivery.repeats.is_empty() {
        let each: Vec<String> = delivery
            .repeats
            .iter()
            .map(|r| vec![r.word.as_str(); r.times].join(" "))
            .collect();
        parts.push(format!("repeated: {}", each.join(", ")));
    }
    parts.join(" · ")
}

/// Two titled texts in columns split by `│`.
fn side_by_side(left: (&str, &str), right: (&str, &str), width: usize) -> String {
    let column = (width - 3) / 2;
    let wrap = |text: &str| -> Vec<String> {
        textwrap::wrap(text, column)
            .into_iter()
            .map(|line| line.into_owned())
            .collect()
    };
    let mut left_lines = vec![left.0.to_string()];
    left_lines.extend(wrap(left.1));
    let mut right_lines = vec![right.0.to_string()];
    right_lines.extend(wrap(right.1));
    let rows = left_lines.len().max(right_lines.len());
    let mut out = String::new();
    for row in 0..rows {
        let l = left_lines.get(row).map(String::as_str).unwrap_or("");
        let r = right_lines.get(row).map(String::as_str).unwrap_or("");
        let pad = column.saturating_sub(display_width(l));
        let line = format!("{l}{} │ {r}", " ".repeat(pad));
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// Two titled texts, one above the other, indented.
fn stacked(first: (&str, &str), second: (&str, &str), width: usize) -> String {
    let mut out = String::new();
    for (index, (title, text)) in [first, second].into_iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{title}");
        out.push_str(&fill_indented(text, width, "  ", "  "));
    }
    out
}

/// `text` wrapped to `width`, later lines indented by `indent`, ending in a
/// newline.
fn fill(text: &str, width: usize, indent: &str) -> String {
    fill_indented(text, width, "", indent)
}

/// `text` wrapped to `width` with its first and later lines indented.
fn fill_indented(text: &str, width: usize, first: &str, rest: &str) -> String {
    let options = textwrap::Options::new(width)
        .initial_indent(first)
        .subsequent_indent(rest);
    let mut filled = textwrap::fill(text, options);
    filled.push('\n');
    filled
}
