//! `viva review`: a session beside the sample answers, in the terminal or as
//! a self-contained HTML page; `--recompute` redoes the metrics from the
//! saved transcripts and recordings when the analysis has improved.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use thiserror::Error;

use crate::analysis::{analyse, ANALYSIS_VERSION};
use crate::audio::level::{speech_span, SpeechSpan};
use crate::audio::wav_read::read_for_whisper;
use crate::audio::WHISPER_RATE;
use crate::bank::{self, QuestionRef};
use crate::cli::ReviewArgs;
use crate::commands::embedder;
use crate::fsutil::write_atomic;
use crate::paths;
use crate::report::{html, terminal};
use crate::session::record::{reply_target_s, AnswerRecord, AnswerStatus, SessionRecord};
use crate::session::store::{self, SessionDir};

#[derive(Debug, Error, PartialEq)]
pub(crate) enum ReviewError {
    #[error("question '{selector}' is not in session {session} (it has {available})")]
    QuestionNotInSession {
        selector: String,
        session: String,
        available: String,
    },
}

pub(crate) fn run(args: ReviewArgs) -> anyhow::Result<ExitCode> {
    let sessions_dir = paths::sessions_dir(args.sessions.sessions.as_deref());
    let dir = store::find(&sessions_dir, args.session.as_deref())?;
    let mut record = dir.load()?;
    if args.recompute {
        let count = recompute(&dir, &mut record)?;
        eprintln!(
            "Recomputed the metrics of {count} answer{} (analysis version {ANALYSIS_VERSION}).",
            if count == 1 { "" } else { "s" }
        );
    }
    let answers = select(&dir.name(), &record, args.question.as_deref())?;

    if args.html {
        let page_path = args.output.unwrap_or_else(|| dir.file("report.html"));
        write_page(&dir, &record, &answers, &page_path)?;
        println!("Wrote {}", page_path.display());
        if args.open {
            if let Err(err) = open::that_detached(&page_path) {
                eprintln!(
                    "warning: cannot open a browser ({err}); open {} yourself",
                    page_path.display()
                );
            }
        }
        return Ok(ExitCode::SUCCESS);
    }

    let text = terminal::review(&dir.name(), &record, &answers, output_width());
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("cannot write to standard output")?;
    Ok(ExitCode::SUCCESS)
}

/// The answers to show: all of them, or the one `--question` names by its
/// bank number or id.
fn select<'a>(
    session_name: &str,
    record: &'a SessionRecord,
    selector: Option<&str>,
) -> Result<Vec<&'a AnswerRecord>, ReviewError> {
    let Some(selector) = selector.map(str::trim) else {
        return Ok(record.answers.iter().collect());
    };
    let wanted = QuestionRef::parse(selector);
    let chosen: Vec<&AnswerRecord> = record
        .answers
        .iter()
        .filter(|answer| wanted.matches(answer.number, &answer.id))
        .collect();
    if chosen.is_empty() {
        let available: Vec<String> = record
            .answers
            .iter()
            .map(|answer| format!("{} {}", answer.number, answer.id))
            .collect();
        return Err(ReviewError::QuestionNotInSession {
            selector: selector.to_string(),
            session: session_name.to_string(),
            available: if available.is_empty() {
                "no questions".to_string()
            } else {
                available.join(", ")
            },
        });
    }
    Ok(chosen)
}

/// Columns to render for: the terminal's width, else `COLUMNS`, else 80.
fn output_width() -> usize {
    let from_terminal = std::io::stdout()
        .is_terminal()
        .then(crossterm::terminal::size)
        .and_then(Result::ok)
        .map(|(columns, _)| usize::from(columns));
    from_terminal
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok())
        .filter(|&columns| columns > 0)
        .unwrap_or(terminal::DEFAULT_WIDTH)
}

/// Write the HTML page atomically, with audio links relative to where it is.
fn write_page(
    dir: &SessionDir,
    record: &SessionRecord,
    answers: &[&AnswerRecord],
    page_path: &Path,
) -> anyhow::Result<()> {
    let page_dir = absolute_dir(page_path.parent().unwrap_or(Path::new(".")))?;
    let session_dir = absolute_dir(dir.path())?;
    let audio_base = html::audio_base(&page_dir, &session_dir);
    let page = html::render(&html::Page {
        session_name: &dir.name(),
        session: record,
        answers,
        audio_base: &audio_base,
    });
    write_atomic(page_path, page.as_bytes())
}

/// A folder as an absolute, canonical path (created if missing, since the
/// page will be written there).
fn absolute_dir(dir: &Path) -> anyhow::Result<std::path::PathBuf> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    dir.canonicalize()
        .with_context(|| format!("cannot find {}", dir.display()))
}

/// Recompute the metrics of every transcribed answer from its saved
/// transcript, the bank's current question and the recording's speech span;
/// save each answer's JSON, `session.json` and `transcript.md`. Returns how
/// many answers got new metrics.
fn recompute(dir: &SessionDir, record: &mut SessionRecord) -> anyhow::Result<usize> {
    let bank = bank::load(&record.bank.source).with_context(|| {
        format!(
            "cannot recompute: the session's bank '{}' does not load",
            record.bank.source
        )
    })?;
    // Loaded once for the whole session.
    let embedder = embedder::load_or_note();
    let mut changed = Vec::new();
    for (slot, answer) in record.answers.iter_mut().enumerate() {
        if !matches!(
            answer.status,
            AnswerStatus::Answered | AnswerStatus::NoSpeech
        ) {
            continue;
        }
        let Some(question) = bank.questions.iter().find(|q| q.id == answer.id) else {
            eprintln!(
                "warning: question '{}' is no longer in bank '{}'; its saved metrics are kept",
                answer.id, bank.id
            );
            continue;
        };
        let target = bank.target_for(question);
        let transcript = answer.transcript();
        let speech = speech_of(dir, answer.wav.as_deref(), &answer.file_stem());
        answer.metrics = Some(analyse(
            question,
            target,
            &transcript,
            speech,
            embedder.as_deref(),
        ));
        // Each reply to a follow-up, then what the replies covered.
        let stem = answer.file_stem();
        for (index, reply) in answer.follow_ups.iter_mut().enumerate() {
            if !matches!(
                reply.status,
                AnswerStatus::Answered | AnswerStatus::NoSpeech
            ) {
                continue;
            }
            let transcript = reply.transcript();
            let speech = speech_of(dir, reply.wav.as_deref(), &format!("{stem}-f{}", index + 1));
            reply.metrics = Some(analyse(
                question,
                [0, reply_target_s(target[1])],
                &transcript,
                speech,
                embedder.as_deref(),
            ));
        }
        answer.fold_replies(question, embedder.as_deref());
        changed.push(slot);
    }
    for &slot in &changed {
        dir.save_answer(&record.answers[slot])?;
    }
    dir.save(record)?;
    Ok(changed.len())
}

/// Where speech is in a saved recording; `None` (durations then come from
/// the transcript) when there is none or it cannot be read.
fn speech_of(dir: &SessionDir, wav: Option<&str>, name: &str) -> Option<SpeechSpan> {
    match read_for_whisper(&dir.file(wav?)) {
        Ok(audio) => speech_span(&audio.samples, WHISPER_RATE),
        Err(err) => {
            eprintln!("warning: {err}; durations of {name} come from the transcript");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::terminal::tests::session_fixture;

    #[test]
    fn select_by_number_or_id() {
        let session = session_fixture("");
        #[track_caller]
        fn case(session: &SessionRecord, selector: Option<&str>, expected: &[usize]) {
            let chosen = select("s", session, selector).unwrap();
            let numbers: Vec<usize> = chosen.iter().map(|a| a.number).collect();
            assert_eq!(numbers, expected, "{selector:?}");
        }
        case(&session, None, &[2, 6, 7]);
        case(&session, Some("6"), &[6]);
        case(&session, Some(" ci-cd-pipeline "), &[2]);
        let err = select("s", &session, Some("3")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "question '3' is not in session s (it has 2 ci-cd-pipeline, 6 secrets-management-rotation, 7 challenging-production-issue)"
        );
    }

    #[test]
    fn the_saved_transcript_is_rebuilt_from_the_record() {
        let session = session_fixture("");
        let of = |a: &AnswerRecord| a.transcript();
        let answered = of(&session.answers[0]);
        assert_eq!(answered.duration_s, 10.0);
        assert_eq!(answered.segments.len(), 2);
        assert!(!answered.no_speech);
        let silent = of(&session.answers[2]);
        assert!(silent.no_speech);
        assert_eq!(silent.text, "");
    }
}
