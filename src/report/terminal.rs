//! `viva review` in the terminal: per question the question, the answer and
//! the sample answer (side by side when the terminal is wide enough, one
//! above the other otherwise), the talking points with ✓/✗, the metrics and
//! a one-line verdict.
//!
//! Rendering is a pure function of the session and a width, so it is tested
//! without a terminal; the command picks the width.

use std::fmt::Write as _;

use textwrap::core::display_width;

use crate::analysis::{AnswerMetrics, Judge, Star, ANALYSIS_VERSION, FAST_WPM, SLOW_WPM};
use crate::report::summary;
use crate::session::record::{AnswerRecord, AnswerStatus, SessionRecord};
use crate::session::transcript_md::{gaps_note, summary_line};
use crate::units::clock;

/// The narrowest terminal that shows answer and sample side by side.
pub(crate) const SIDE_BY_SIDE_MIN: usize = 100;
/// Text wider than this is hard to read; wider terminals get margins.
const MAX_WIDTH: usize = 140;
/// Width used when nothing says how wide the output is.
pub(crate) const DEFAULT_WIDTH: usize = 80;
/// Labels of the metric lines are padded to this width.
const LABEL: usize = 10;

/// The whole review: a header, then each of `answers` (from `session`).
pub(crate) fn review(
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
    let _ = writeln!(out, "session {session_name}");
    let _ = writeln!(out, "{} · model {model}", session_counts(session));
    let focus = summary::focus_lines(session);
    if !focus.is_empty() {
        let _ = writeln!(out, "\n{}", summary::heading(focus.len()));
        for (index, line) in focus.iter().enumerate() {
            out.push_str(&fill_indented(
                line,
                width,
                &format!("  {}. ", index + 1),
                "     ",
            ));
        }
    }
    for answer in answers {
        out.push('\n');
        out.push_str(&answer_block(answer, width));
    }
    out
}

/// "3 questions: 2 answered, 1 skipped".
fn session_counts(session: &SessionRecord) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for answer in &session.answers {
        let word = answer.status.to_string();
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
pub(crate) fn answer_block(answer: &AnswerRecord, width: usize) -> String {
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
    if let Some(note) = gaps_note(answer) {
        out.push_str(&fill(&note, width, ""));
    }
    for (index, follow_up) in answer.follow_ups.iter().enumerate() {
        out.push('\n');
        out.push_str(&fill(
            &format!(
                "Follow-up {} ({}): {}",
                index + 1,
                follow_up.point,
                follow_up.question
            ),
            width,
            "  ",
        ));
        let reply = match follow_up.status {
            AnswerStatus::Answered => follow_up.text.clone().unwrap_or_default(),
            AnswerStatus::Pending => "(recorded; transcription pending)".to_string(),
            status => format!("({status})"),
        };
        out.push_str(&fill(&format!("Reply: {reply}"), width, "  "));
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
pub(crate) fn metrics_block(metrics: &AnswerMetrics, width: usize) -> String {
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
        if metrics.judged_by == Judge::Words && metrics.analysis_version >= 2 {
            out.push_str(&fill(
                "  (judged by words only: run `viva model fetch`, then `viva review --recompute`)",
                width,
                "   ",
            ));
        }
    }
    if let Some(star) = &metrics.star {
        out.push_str(&star_block(star, width));
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

/// "  ✓ invalidation · at 0:42 · “we delete the key for that record”", or
/// "  ✗ failure modes · would show: e.g. “…”".
pub(crate) fn point_line(point: &crate::analysis::PointCoverage) -> String {
    let mark = if point.covered { "✓" } else { "✗" };
    let mut parts = vec![format!("  {mark} {}", point.point)];
    match (point.follow_up, point.first_mention_s) {
        (Some(n), _) => parts.push(format!("after follow-up {n}")),
        (None, Some(at)) => parts.push(format!("at {}", clock(at))),
        (None, None) => {}
    }
    parts.extend(point_details(point));
    parts.join(" · ")
}

/// The evidence of a point, or what it lacked, as short phrases.
pub(crate) fn point_details(point: &crate::analysis::PointCoverage) -> Vec<String> {
    let mut parts = Vec::new();
    if point.covered {
        match (&point.evidence, point.matched.is_empty()) {
            (Some(evidence), _) => parts.push(format!("“{evidence}”")),
            (None, false) => parts.push(format!("said: {}", point.matched.join(", "))),
            (None, true) => {}
        }
        return parts;
    }
    if let Some(negated) = &point.negated {
        parts.push(format!("“{negated}” says it was not done"));
    }
    match &point.hint {
        Some(hint) => parts.push(format!("would show: {hint}")),
        None if !point.missing.is_empty() => {
            parts.push(format!("missing: {}", point.missing.join(", ")))
        }
        None => {}
    }
    parts
}

/// The story's STAR parts: each part's start and length, or what is missing.
fn star_block(star: &Star, width: usize) -> String {
    let mut out = String::from("Story (STAR)\n");
    for line in star_lines(star) {
        out.push_str(&fill(&format!("  {line}"), width, "      "));
    }
    out
}

/// "✓ situation · at 0:00 for 12 s · “At my last company …”", "✗ result · missing: …".
pub(crate) fn star_lines(star: &Star) -> Vec<String> {
    star.parts
        .iter()
        .map(|span| {
            if !span.present {
                return format!("✗ {} · missing: {}", span.part.name(), span.detail);
            }
            let mut parts = vec![format!("✓ {}", span.part.name())];
            match (span.start_s, span.seconds) {
                (Some(at), Some(seconds)) => {
                    parts.push(format!("at {} for {seconds:.0} s", clock(at)))
                }
                (Some(at), None) => parts.push(format!("at {}, in passing", clock(at))),
                _ => {}
            }
            parts.push(format!("“{}”", span.detail));
            parts.join(" · ")
        })
        .collect()
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
pub(crate) fn metric_lines(metrics: &AnswerMetrics) -> Vec<(&'static str, String)> {
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
        _ => format!("{} words: too few to measure the pace", metrics.pace.words),
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
    if let Some(rate) = delivery
        .fillers_per_minute
        .filter(|_| delivery.fillers_at_least > 0)
    {
        let _ = write!(fillers, ", {rate:.1} a minute");
    }
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
        textwrap::wrap(text, wrap_options(column))
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

/// Wrapping that never splits at a hyphen ("on-call" stays whole).
fn wrap_options(width: usize) -> textwrap::Options<'static> {
    textwrap::Options::new(width).word_splitter(textwrap::WordSplitter::NoHyphenation)
}

/// `text` wrapped to `width`, later lines indented by `indent`, ending in a
/// newline.
fn fill(text: &str, width: usize, indent: &str) -> String {
    fill_indented(text, width, "", indent)
}

/// `text` wrapped to `width` with its first and later lines indented.
fn fill_indented(text: &str, width: usize, first: &str, rest: &str) -> String {
    let options = wrap_options(width)
        .initial_indent(first)
        .subsequent_indent(rest);
    let mut filled = textwrap::fill(text, options);
    filled.push('\n');
    filled
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analysis::analyse;
    use crate::bank;
    use crate::session::record::{BankRef, SessionStatus, Settings};
    use crate::stt::transcript::{Segment, Transcript};

    /// A session of the built-in bank: question 2 answered in two segments,
    /// 6 skipped, 7 with no speech; `extra` is appended to every text that
    /// comes from the transcript or the bank.
    pub(crate) fn session_fixture(extra: &str) -> SessionRecord {
        let bank = bank::load("platform-engineer").unwrap();
        let mut answers = Vec::new();
        for (number, segments) in [
            (
                2,
                vec![
                    (0.3, 4.0, "We moved from Jenkins to GitHub Actions"),
                    (4.0, 9.5, "and build times dropped from 25 minutes to 10."),
                ],
            ),
            (6, vec![]),
            (7, vec![]),
        ] {
            let (_, question) = bank.question(&number.to_string()).unwrap();
            let mut question = question.clone();
            question.text.push_str(extra);
            question.sample_answer.push_str(extra);
            question.talking_points[0].push_str(extra);
            let mut answer = AnswerRecord::not_asked(number, &question);
            let segments: Vec<Segment> = segments
                .into_iter()
                .map(|(start_s, end_s, text)| Segment {
                    start_s,
                    end_s,
                    text: format!("{text}{extra}"),
                })
                .collect();
            let text: Vec<&str> = segments.iter().map(|s| s.text.as_str()).collect();
            let transcript = Transcript {
                duration_s: 10.0,
                text: text.join(" "),
                segments: segments.clone(),
                no_speech: segments.is_empty(),
                processing_s: 0.0,
                repairs: Vec::new(),
                gaps: Vec::new(),
            };
            answer.status = match number {
                6 => AnswerStatus::Skipped,
                _ if segments.is_empty() => AnswerStatus::NoSpeech,
                _ => AnswerStatus::Answered,
            };
            if answer.status != AnswerStatus::Skipped {
                answer.wav = Some(format!("{}.wav", answer.file_stem()));
                answer.duration_s = Some(10.0);
                answer.text = Some(transcript.text.clone());
                answer.segments = segments;
                let target = bank.target_for(&question);
                answer.metrics = Some(analyse(&question, target, &transcript, None, None));
            }
            answers.push(answer);
        }
        SessionRecord {
            format: 1,
            viva_version: "0.1.0".to_string(),
            bank: BankRef {
                id: bank.id.clone(),
                title: format!("{}{extra}", bank.title),
                source: "platform-engineer".to_string(),
                sha256: String::new(),
            },
            model: "/models/ggml-tiny.en.bin".to_string(),
            settings: Settings {
                time_limit_s: None,
                silence_s: 4.0,
                tts: false,
                answers_dir: None,
                input_device: None,
                follow_ups: 1,
            },
            started_at: "2026-11-28T10:05:00+01:00".parse().unwrap(),
            ended_at: None,
            status: SessionStatus::Finished,
            answers,
        }
    }

    fn render(width: usize) -> String {
        let session = session_fixture("");
        let answers: Vec<&AnswerRecord> = session.answers.iter().collect();
        review(
            "2026-11-28_100500-platform-engineer",
            &session,
            &answers,
            width,
        )
    }

    #[test]
    fn the_header_names_the_session_and_counts_its_answers() {
        let text = render(80);
        let head: Vec<&str> = text.lines().take(3).collect();
        assert_eq!(
            head,
            [
                "Platform Engineer Interview Questions",
                "session 2026-11-28_100500-platform-engineer",
                "3 questions: 1 answered, 1 skipped, 1 no speech · model ggml-tiny.en.bin",
            ]
        );
    }

    #[test]
    fn narrow_terminals_stack_the_answers() {
        let text = render(80);
        assert!(
            text.contains("\nYour answer\n  We moved from Jenkins"),
            "{text}"
        );
        assert!(
            text.contains("\nSample answer\n  At my last startup"),
            "{text}"
        );
        assert!(!text.contains('│'), "{text}");
        for line in text.lines() {
            assert!(display_width(line) <= 80, "too wide: {line:?}");
        }
    }

    #[test]
    fn wide_terminals_put_the_answers_side_by_side() {
        let text = render(120);
        let column = (120 - 3) / 2;
        let expected = format!("{:<column$} │ Sample answer", "Your answer");
        assert!(text.contains(&expected), "{text}");
        let row = text
            .lines()
            .find(|line| line.starts_with("We moved from Jenkins"))
            .expect("the answer's first line");
        assert!(row.contains(" │ At my last startup"), "{row}");
        for line in text.lines() {
            assert!(display_width(line) <= 120, "too wide: {line:?}");
        }
    }

    #[test]
    fn widths_are_clamped_to_a_readable_range() {
        for line in render(400).lines() {
            assert!(display_width(line) <= MAX_WIDTH, "too wide: {line:?}");
        }
        assert!(render(10).contains("Your answer"));
    }

    #[test]
    fn metric_lines_of_an_answer() {
        let session = session_fixture("");
        let metrics = session.answers[0].metrics.as_ref().unwrap();
        let lines: Vec<String> = metric_lines(metrics)
            .into_iter()
            .map(|(label, value)| format!("{label:<LABEL$}{value}"))
            .collect();
        assert_eq!(
            lines,
            [
                "Length    0:09 spoken of 0:10 recorded · target 1:00–2:00 · short".to_string(),
                "Pace      104 wpm · slow pace (aim for 110–170) · 16 words".to_string(),
                "Delivery  fillers ≥ 0".to_string(),
                "Verdict   short, slow pace, 2/3 points".to_string(),
            ]
        );
    }

    #[test]
    fn no_speech_and_skipped_answers_say_so() {
        let text = render(80);
        let skipped = text
            .split("━━ 6. ")
            .nth(1)
            .and_then(|rest| rest.split("━━ 7. ").next())
            .unwrap();
        assert!(skipped.trim_end().ends_with("\nskipped"), "{skipped}");
        assert!(!skipped.contains("Your answer"), "{skipped}");
        let no_speech = text.split("━━ 7. ").nth(1).unwrap();
        assert!(
            no_speech.contains("Your answer\n  (no speech)"),
            "{no_speech}"
        );
        assert!(
            no_speech.contains("Length    no speech in 0:10 recorded · target 1:00–2:00"),
            "{no_speech}"
        );
        assert!(no_speech.contains("Pace      no words"), "{no_speech}");
        assert!(no_speech.contains("Verdict   no speech"), "{no_speech}");
    }

    #[test]
    fn talking_points_are_marked() {
        let session = session_fixture("");
        let metrics = session.answers[0].metrics.as_ref().unwrap();
        let text = metrics_block(metrics, 100);
        let marks = text
            .lines()
            .take_while(|line| !line.starts_with("Story"))
            .filter(|line| line.starts_with("  ✓ ") || line.starts_with("  ✗ "))
            .count();
        assert_eq!(marks, metrics.talking_points.len(), "{text}");
        assert!(text.contains("  ✗ explain trade-offs you made"), "{text}");
    }

    #[test]
    fn delivery_lists_fillers_pauses_and_repeats() {
        let mut metrics = session_fixture("").answers[0].metrics.clone().unwrap();
        metrics.delivery.fillers_at_least = 3;
        metrics.delivery.fillers_per_minute = Some(4.5);
        metrics.delivery.fillers = vec![
            crate::analysis::FillerCount {
                filler: "um".into(),
                count: 2,
            },
            crate::analysis::FillerCount {
                filler: "you know".into(),
                count: 1,
            },
        ];
        metrics.delivery.longest_pause_s = Some(2.26);
        metrics.delivery.first_word_s = Some(0.3);
        metrics.delivery.repeats = vec![crate::analysis::Repeat {
            word: "the".into(),
            times: 2,
            at_s: None,
        }];
        assert_eq!(
            delivery_line(&metrics),
            "fillers ≥ 3, 4.5 a minute (um 2, you know 1) · longest pause 2.3 s · first word after 0.3 s · repeated: the the"
        );
    }

    #[test]
    fn an_answer_without_metrics_asks_for_a_recompute() {
        let mut session = session_fixture("");
        session.answers[0].metrics = None;
        let text = answer_block(&session.answers[0], 80);
        assert!(text.contains("answered · 0:10 recorded\n"), "{text}");
        assert!(text.contains("run `viva review --recompute`"), "{text}");
    }
}
