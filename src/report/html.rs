//! `viva review --html`: one self-contained page for a session. Per question
//! an audio player for its WAV (a relative link), the transcript with
//! clickable segment times that seek the audio, the sample answer beside
//! it, the talking points with their evidence, the STAR parts of a story
//! and the metrics; at the top the session's three things to work on, then
//! two inline SVG charts: each answer's duration against its target band,
//! and its words per minute (side by side, or stacked on a phone).
//!
//! Nothing is fetched: CSS and script are inline, and a Content Security
//! Policy allows only this page's own script (by hash) and media beside it.
//! Every piece of text from a transcript or a bank goes through [`escape`].

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

use super::summary;
use super::terminal::{metric_lines, point_details, star_lines};
use crate::analysis::{AnswerMetrics, LengthVerdict, PaceVerdict, FAST_WPM, SLOW_WPM};
use crate::session::record::{AnswerRecord, AnswerStatus, SessionRecord};
use crate::session::transcript_md::{gaps_note, summary_line};
use crate::units::clock;

const STYLE: &str = include_str!("html/page.css");
const SCRIPT: &str = include_str!("html/page.js");

/// What a page shows.
pub(crate) struct Page<'a> {
    /// The session folder's name.
    pub(crate) session_name: &'a str,
    pub(crate) session: &'a SessionRecord,
    /// The answers to show, in order.
    pub(crate) answers: &'a [&'a AnswerRecord],
    /// URL prefix from the page to the session folder: "" when the page is
    /// in the folder, else a relative path ending in `/` (see [`audio_base`]).
    pub(crate) audio_base: &'a str,
}

/// The whole page.
pub(crate) fn render(page: &Page) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let title = format!("{} · {}", page.session.bank.title, page.session_name);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n",
        content_security_policy(),
        escape(&title)
    );
    let _ = writeln!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">session {} · started {} · model {}</p>\n</header>",
        escape(&page.session.bank.title),
        escape(page.session_name),
        escape(&page.session.started_at.readable()),
        escape(&file_name(&page.session.model)),
    );
    out.push_str(&focus_section(page.session));
    out.push_str(&chart_section(page.answers));
    for answer in page.answers {
        out.push_str(&answer_article(answer, page.audio_base));
    }
    // The policy's hash covers exactly what is between the script tags.
    let _ = write!(
        out,
        "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    );
    out
}

/// Only the page's own script runs, and nothing is loaded but the
/// recordings beside it.
fn content_security_policy() -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT.as_bytes()));
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{hash}'; media-src 'self' file:"
    )
}

/// Text made safe for HTML element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Characters left as they are in a URL path: unreserved ones and `/`.
const PATH_SAFE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// A relative path as a URL path, every other character percent-encoded
/// (a `:` in a file name cannot turn the link into a scheme).
fn url_path(path: &str) -> String {
    utf8_percent_encode(path, PATH_SAFE).to_string()
}

/// The URL prefix that leads from a page written in `page_dir` to the
/// session folder: "" when they are the same folder, else a relative path
/// ending in `/`. Both paths should be absolute (canonical) so the relative
/// path is right; when none can be made, a `file://` URL.
pub(crate) fn audio_base(page_dir: &Path, session_dir: &Path) -> String {
    match pathdiff::diff_paths(session_dir, page_dir) {
        Some(relative) if relative.as_os_str().is_empty() => String::new(),
        Some(relative) => {
            let parts: Vec<String> = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            format!("{}/", url_path(&parts.join("/")))
        }
        None => format!("file://{}/", url_path(&session_dir.to_string_lossy())),
    }
}

fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// The session's three things to work on, when there are any.
fn focus_section(session: &SessionRecord) -> String {
    let lines = summary::focus_lines(session);
    if lines.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<section class=\"focus\">\n<h2>{}</h2>\n<ol>\n",
        summary::heading(lines.len())
    );
    for line in &lines {
        let _ = writeln!(out, "<li>{}</li>", escape(line));
    }
    out.push_str("</ol>\n</section>\n");
    out
}

/// One question: heading, audio, transcript beside the sample answer,
/// talking points, metrics.
fn answer_article(answer: &AnswerRecord, audio_base: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<article id=\"q-{}\">\n<h2><span class=\"num\">{}.</span>{}</h2>\n<p class=\"summary\">{}</p>",
        answer.number,
        answer.number,
        escape(&answer.question),
        escape(&summary_line(answer)),
    );
    let recorded = !matches!(
        answer.status,
        AnswerStatus::NotAsked | AnswerStatus::Skipped
    );
    if let Some(wav) = answer.wav.as_deref().filter(|_| recorded) {
        let _ = writeln!(
            out,
            "<audio controls preload=\"metadata\" src=\"{}{}\"></audio>",
            escape(audio_base),
            escape(&url_path(wav))
        );
    }
    let _ = writeln!(
        out,
        "<div class=\"cols\">\n<div class=\"yours\">\n<h3>Your answer</h3>\n{}</div>\n\
         <div class=\"sample\">\n<h3>Sample answer</h3>\n<p>{}</p>\n</div>\n</div>",
        transcript_html(answer),
        escape(&answer.sample_answer)
    );
    if let Some(note) = gaps_note(answer) {
        let _ = writeln!(out, "<p class=\"gaps\">{}</p>", escape(&note));
    }
    for (index, follow_up) in answer.follow_ups.iter().enumerate() {
        let _ = writeln!(
            out,
            "<div class=\"follow-up\">\n<h3>Follow-up {} <span class=\"point\">({})</span></h3>\n<p class=\"asked\">{}</p>",
            index + 1,
            escape(&follow_up.point),
            escape(&follow_up.question)
        );
        if let Some(wav) = follow_up.wav.as_deref() {
            let _ = writeln!(
                out,
                "<audio controls preload=\"metadata\" src=\"{}{}\"></audio>",
                escape(audio_base),
                escape(&url_path(wav))
            );
        }
        let reply = match follow_up.status {
            AnswerStatus::Answered => follow_up.text.clone().unwrap_or_default(),
            status => format!("({status})"),
        };
        let _ = writeln!(out, "<p class=\"reply\">{}</p>\n</div>", escape(&reply));
    }
    if let Some(metrics) = &answer.metrics {
        out.push_str(&metrics_html(metrics));
    }
    out.push_str("</article>\n");
    out
}

/// The transcript, one paragraph per segment with a button for its time;
/// or what happened instead.
fn transcript_html(answer: &AnswerRecord) -> String {
    let nothing = |text: &str| format!("<p class=\"nothing\">{}</p>\n", escape(text));
    match answer.status {
        AnswerStatus::Answered => {}
        AnswerStatus::NoSpeech => return nothing("(no speech)"),
        AnswerStatus::Skipped => return nothing("(skipped)"),
        AnswerStatus::NotAsked => return nothing("(not asked)"),
        AnswerStatus::Pending => return nothing("(recorded; transcription pending)"),
        AnswerStatus::Interrupted => return nothing("(interrupted while recording)"),
        AnswerStatus::Failed => {
            return nothing(&format!(
                "(transcription failed: {})",
                answer.error.as_deref().unwrap_or("unknown error")
            ))
        }
    }
    if answer.segments.is_empty() {
        return format!("<p>{}</p>\n", escape(answer.text.as_deref().unwrap_or("")));
    }
    let mut out = String::new();
    for segment in &answer.segments {
        let _ = writeln!(
            out,
            "<p class=\"seg\">{}{}</p>",
            time_button(segment.start_s, Some(segment.end_s)),
            escape(&segment.text)
        );
    }
    out
}

/// A button that seeks this question's audio to `start_s`.
fn time_button(start_s: f64, end_s: Option<f64>) -> String {
    let end = end_s
        .map(|end| format!(" data-end=\"{end:.2}\""))
        .unwrap_or_default();
    format!(
        "<button class=\"t\" type=\"button\" data-t=\"{start_s:.2}\"{end} title=\"play from {0}\">{0}</button>",
        clock(start_s)
    )
}

/// Talking points, sample-answer terms and the metric list.
fn metrics_html(metrics: &AnswerMetrics) -> String {
    let mut out = String::new();
    if !metrics.talking_points.is_empty() {
        let (covered, total) = metrics.points_covered();
        let _ = writeln!(
            out,
            "<h3>Talking points {covered}/{total}</h3>\n<ul class=\"points\">"
        );
        for point in &metrics.talking_points {
            let (class, mark) = if point.covered {
                ("yes", "✓")
            } else {
                ("no", "✗")
            };
            let when = match point.follow_up {
                Some(n) => format!(" <span class=\"after\">after follow-up {n}</span>"),
                None => point
                    .first_mention_s
                    .map(|at| format!(" {}", time_button(at, None)))
                    .unwrap_or_default(),
            };
            let details = point_details(point);
            let said = if details.is_empty() {
                String::new()
            } else {
                format!(
                    " <span class=\"said\">{}</span>",
                    escape(&details.join(" · "))
                )
            };
            let _ = writeln!(
                out,
                "<li class=\"{class}\"><span class=\"mark\">{mark}</span>{}{when}{said}</li>",
                escape(&point.point)
            );
        }
        out.push_str("</ul>\n");
    }
    if let Some(star) = &metrics.star {
        out.push_str("<h3>Story (STAR)</h3>\n<ul class=\"points star\">\n");
        for (span, line) in star.parts.iter().zip(star_lines(star)) {
            let class = if span.present { "yes" } else { "no" };
            let (mark, rest) = line.split_at(line.char_indices().nth(1).map_or(0, |(i, _)| i));
            let _ = writeln!(
                out,
                "<li class=\"{class}\"><span class=\"mark\">{}</span>{}</li>",
                escape(mark),
                escape(rest.trim_start())
            );
        }
        out.push_str("</ul>\n");
    }
    let terms = &metrics.sample_terms;
    if !terms.used.is_empty() || !terms.missed.is_empty() {
        let list = |terms: &[String]| {
            if terms.is_empty() {
                "none".to_string()
            } else {
                escape(&terms.join(", "))
            }
        };
        let _ = writeln!(
            out,
            "<p class=\"terms\">Sample answer's key terms: used {}; missed {}</p>",
            list(&terms.used),
            list(&terms.missed)
        );
    }
    out.push_str("<dl class=\"metrics\">\n");
    for (label, value) in metric_lines(metrics) {
        let class = if label == "Verdict" {
            " class=\"verdict\""
        } else {
            ""
        };
        let _ = writeln!(out, "<dt>{label}</dt><dd{class}>{}</dd>", escape(&value));
    }
    out.push_str("</dl>\n");
    out
}

/// The charts of durations against target bands and of words per minute.
fn chart_section(answers: &[&AnswerRecord]) -> String {
    let mut out = String::from("<section class=\"chart\">\n<h2>Length and pace</h2>\n");
    // Two charts that each scale to the page: side by side on a wide
    // screen, one above the other on a phone, never cut off.
    out.push_str("<div id=\"chart\" class=\"charts\">\n");
    out.push_str(&chart_svg(answers));
    out.push_str("</div>\n");
    let _ = writeln!(
        out,
        "<p class=\"legend\">Bars: spoken time (first to last word); green band: the target length. \
         Dots: words per minute; green band: {SLOW_WPM:.0}–{FAST_WPM:.0}.</p>\n</section>"
    );
    out
}

// Chart geometry, in SVG user units (each SVG scales to its width).
const LENGTH_W: f64 = 430.0;
const PACE_W: f64 = 330.0;
const LABEL_END: f64 = 130.0;
const DUR_X0: f64 = 140.0;
const DUR_X1: f64 = 400.0;
const WPM_X0: f64 = 140.0;
const WPM_X1: f64 = 300.0;
const TOP: f64 = 30.0;
const ROW_H: f64 = 26.0;
const BOTTOM: f64 = 24.0;

/// A horizontal scale from `0..=max` onto `x0..=x1`.
#[derive(Clone, Copy)]
struct Scale {
    max: f64,
    x0: f64,
    x1: f64,
}

impl Scale {
    fn x(self, value: f64) -> f64 {
        self.x0 + (value.clamp(0.0, self.max) / self.max) * (self.x1 - self.x0)
    }
}

/// `value` rounded up to a multiple of `step`, at least `step`.
fn round_up(value: f64, step: f64) -> f64 {
    ((value / step).ceil() * step).max(step)
}

/// The two inline SVG charts, length then pace: one row per answer each.
pub(crate) fn chart_svg(answers: &[&AnswerRecord]) -> String {
    let longest = answers
        .iter()
        .filter_map(|a| a.metrics.as_ref())
        .flat_map(|m| [m.length.spoken_s, f64::from(m.length.target_s[1])])
        .fold(60.0, f64::max);
    let seconds = Scale {
        max: round_up(longest * 1.05, 30.0),
        x0: DUR_X0,
        x1: DUR_X1,
    };
    let fastest = answers
        .iter()
        .filter_map(|a| a.metrics.as_ref().and_then(|m| m.pace.wpm))
        .fold(220.0, f64::max);
    let wpm = Scale {
        max: round_up(fastest * 1.05, 20.0),
        x0: WPM_X0,
        x1: WPM_X1,
    };
    let height = TOP + ROW_H * answers.len() as f64 + BOTTOM;
    let axis_y = TOP + ROW_H * answers.len() as f64 + 2.0;
    let mut out = String::new();

    let _ = writeln!(
        out,
        "<svg id=\"chart-length\" viewBox=\"0 0 {LENGTH_W} {height}\" role=\"img\" \
         aria-label=\"Spoken duration against the target, per answer\">\
         <text x=\"{DUR_X0}\" y=\"16\">Spoken duration vs target</text>"
    );
    for (row, answer) in answers.iter().enumerate() {
        let y = TOP + ROW_H * row as f64;
        out.push_str(&chart_row(answer, y, seconds, None));
    }
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{DUR_X0}\" y1=\"{axis_y}\" x2=\"{DUR_X1}\" y2=\"{axis_y}\"/>"
    );
    let step = if seconds.max <= 240.0 { 30.0 } else { 60.0 };
    let mut tick = 0.0;
    while tick <= seconds.max {
        let _ = write!(
            out,
            "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            seconds.x(tick),
            axis_y + 16.0,
            clock(tick)
        );
        tick += step;
    }
    out.push_str("\n</svg>\n");

    let _ = writeln!(
        out,
        "<svg id=\"chart-pace\" viewBox=\"0 0 {PACE_W} {height}\" role=\"img\" \
         aria-label=\"Words per minute, per answer\">\
         <text x=\"{WPM_X0}\" y=\"16\">Words per minute</text>"
    );
    for (row, answer) in answers.iter().enumerate() {
        let y = TOP + ROW_H * row as f64;
        out.push_str(&chart_row(answer, y, wpm, Some(())));
    }
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{WPM_X0}\" y1=\"{axis_y}\" x2=\"{WPM_X1}\" y2=\"{axis_y}\"/>"
    );
    for tick in [0.0, SLOW_WPM, FAST_WPM] {
        let _ = write!(
            out,
            "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{tick:.0}</text>",
            wpm.x(tick),
            axis_y + 16.0
        );
    }
    out.push_str("\n</svg>\n");
    out
}

/// One answer's row: its label, then its target band and bar (the length
/// chart), or the pace band and its dot (`pace`).
fn chart_row(answer: &AnswerRecord, y: f64, scale: Scale, pace: Option<()>) -> String {
    let mut out = String::new();
    let label: String = format!("{}. {}", answer.number, answer.id)
        .chars()
        .take(18)
        .collect();
    let mid = y + ROW_H / 2.0 + 4.0;
    let _ = write!(
        out,
        "<g class=\"row\" data-q=\"{}\"><title>{}</title>\
         <text x=\"{LABEL_END}\" y=\"{mid:.1}\" text-anchor=\"end\">{}</text>",
        answer.number,
        escape(&format!(
            "{}. {}: {}",
            answer.number,
            answer.id,
            summary_line(answer)
        )),
        escape(&label)
    );
    let Some(metrics) = &answer.metrics else {
        let _ = writeln!(
            out,
            "<text class=\"tick\" x=\"{}\" y=\"{mid:.1}\">{}</text></g>",
            scale.x0,
            escape(&answer.status.to_string())
        );
        return out;
    };
    if pace.is_none() {
        let [min, max] = metrics.length.target_s.map(f64::from);
        let _ = write!(
            out,
            "<rect class=\"band\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
            scale.x(min),
            y + 3.0,
            scale.x(max) - scale.x(min),
            ROW_H - 6.0
        );
        let spoken = metrics.length.spoken_s;
        let off = if metrics.length.verdict == LengthVerdict::InRange {
            ""
        } else {
            " off"
        };
        let _ = write!(
            out,
            "<rect class=\"bar{off}\" x=\"{DUR_X0}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>\
             <text x=\"{:.1}\" y=\"{mid:.1}\">{}</text>",
            y + 8.0,
            scale.x(spoken) - DUR_X0,
            ROW_H - 16.0,
            (scale.x(spoken) + 4.0).min(LENGTH_W - 28.0),
            clock(spoken)
        );
        out.push_str("</g>\n");
        return out;
    }
    let _ = write!(
        out,
        "<rect class=\"band\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
        scale.x(SLOW_WPM),
        y + 3.0,
        scale.x(FAST_WPM) - scale.x(SLOW_WPM),
        ROW_H - 6.0
    );
    if let Some(rate) = metrics.pace.wpm {
        let off = if metrics.pace.verdict == Some(PaceVerdict::Good) {
            ""
        } else {
            " off"
        };
        let _ = write!(
            out,
            "<circle class=\"dot{off}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\"/>",
            scale.x(rate),
            y + ROW_H / 2.0
        );
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{mid:.1}\">{rate:.0}</text>",
            (scale.x(rate) + 8.0).min(PACE_W - 24.0)
        );
    }
    out.push_str("</g>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::terminal::tests::session_fixture;

    const ATTACK: &str = " <script>window.pwned=1</script><img src=x onerror=\"pwned=2\">";

    fn render_fixture(extra: &str, audio_base: &str) -> String {
        let session = session_fixture(extra);
        let answers: Vec<&AnswerRecord> = session.answers.iter().collect();
        render(&Page {
            session_name: "2026-11-28_100500-platform-engineer",
            session: &session,
            answers: &answers,
            audio_base,
        })
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        #[track_caller]
        fn case(input: &str, expected: &str) {
            assert_eq!(escape(input), expected);
        }
        case("plain words", "plain words");
        case("<script>", "&lt;script&gt;");
        case("a & b", "a &amp; b");
        case("\"x\" 'y'", "&quot;x&quot; &#39;y&#39;");
        case("Kubernetes → K8s, naïve", "Kubernetes → K8s, naïve");
        case("", "");
    }

    #[test]
    fn url_paths_encode_everything_but_plain_names() {
        #[track_caller]
        fn case(input: &str, expected: &str) {
            assert_eq!(url_path(input), expected);
        }
        case("02-ci-cd-pipeline.wav", "02-ci-cd-pipeline.wav");
        case("my answers/a b#1.wav", "my%20answers/a%20b%231.wav");
        case("javascript:alert(1)", "javascript%3Aalert%281%29");
        case("é.wav", "%C3%A9.wav");
    }

    #[test]
    fn audio_base_leads_from_the_page_to_the_session() {
        #[track_caller]
        fn case(page_dir: &str, session_dir: &str, expected: &str) {
            assert_eq!(
                audio_base(Path::new(page_dir), Path::new(session_dir)),
                expected
            );
        }
        case("/s/2026-a", "/s/2026-a", "");
        case("/s", "/s/2026-a", "2026-a/");
        case(
            "/home/me/reports",
            "/home/me/sessions/2026 a",
            "../sessions/2026%20a/",
        );
    }

    #[test]
    fn every_text_from_transcripts_and_banks_is_escaped() {
        let page = render_fixture(ATTACK, "");
        assert_eq!(
            page.matches("<script").count(),
            1,
            "only the page's own script"
        );
        assert!(!page.contains("<img"), "no element from the text");
        let escaped = "&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;pwned=2&quot;&gt;";
        // The bank title, question, sample answer, talking point and both
        // transcript segments carry it.
        assert!(page.matches(escaped).count() >= 6, "{page}");
    }

    #[test]
    fn the_page_is_self_contained() {
        let page = render_fixture("", "");
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(
            !page.contains("http:") && !page.contains("https:"),
            "no network links"
        );
        assert!(page.contains(STYLE) && page.contains(SCRIPT));
        assert!(page.contains("name=\"viewport\""));
        let hash =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT.as_bytes()));
        assert!(page.contains(&format!("script-src 'sha256-{hash}'")));
        let inline = page
            .split("<script>")
            .nth(1)
            .and_then(|rest| rest.split("</script>").next())
            .unwrap();
        assert_eq!(inline, SCRIPT, "the hash must cover the script exactly");
    }

    #[test]
    fn each_recorded_answer_gets_a_player_and_clickable_segments() {
        let page = render_fixture("", "../s/");
        assert_eq!(
            page.matches("<audio ").count(),
            2,
            "answered and no speech, not skipped"
        );
        assert!(page.contains("src=\"../s/02-ci-cd-pipeline.wav\""));
        assert!(page.contains("src=\"../s/07-"));
        assert!(page.contains(
            "<p class=\"seg\"><button class=\"t\" type=\"button\" data-t=\"4.00\" data-end=\"9.50\" title=\"play from 0:04\">0:04</button>and build times"
        ), "{page}");
        assert_eq!(page.matches("<div class=\"sample\">").count(), 3);
        assert!(page.contains("<p class=\"nothing\">(skipped)</p>"));
        assert!(page.contains("<p class=\"nothing\">(no speech)</p>"));
        assert!(page
            .contains("<dt>Verdict</dt><dd class=\"verdict\">short, slow pace, 2/3 points</dd>"));
    }

    #[test]
    fn the_chart_has_a_row_per_answer_with_its_target_band() {
        let session = session_fixture("");
        let answers: Vec<&AnswerRecord> = session.answers.iter().collect();
        let svg = chart_svg(&answers);
        assert_eq!(svg.matches("<svg ").count(), 2, "a length and a pace chart");
        assert_eq!(svg.matches("<g class=\"row\"").count(), 6);
        // Default target 60–120 s on a 0–2:30 scale from x=140 to x=400.
        assert!(
            svg.contains("<rect class=\"band\" x=\"244.0\" y=\"33.0\" width=\"104.0\""),
            "{svg}"
        );
        assert!(svg.contains(">skipped</text>"), "{svg}");
        // 104 wpm is slow: its dot is marked off.
        assert!(svg.contains("<circle class=\"dot off\""), "{svg}");
    }

    #[test]
    fn chart_scales_grow_with_long_answers() {
        #[track_caller]
        fn case(value: f64, step: f64, expected: f64) {
            assert_eq!(round_up(value, step), expected);
        }
        case(126.0, 30.0, 150.0);
        case(150.0, 30.0, 150.0);
        case(0.0, 30.0, 30.0);
        case(231.0, 20.0, 240.0);
    }
}
