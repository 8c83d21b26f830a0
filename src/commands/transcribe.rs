//! `viva transcribe FILE...`: WAV files to text, with the model loaded once.
//!
//! Prints each file's text as soon as it is done (one file: the text alone;
//! several: `FILE: text`), or with `--json` one object per file per line. A
//! file that cannot be read or transcribed is reported on stderr (and, with
//! `--json`, as `{"file", "error"}`); the others are still transcribed and the
//! exit code says that one failed.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use serde::Serialize;

use crate::audio::wav_read;
use crate::cli::TranscribeArgs;
use crate::error;
use crate::model::locate;
use crate::stt::prompt::LEAD_IN;
use crate::stt::transcriber::{TranscribeOptions, Transcriber};
use crate::stt::transcript::Transcript;

/// What a text line says for audio without speech.
pub(crate) const NO_SPEECH_TEXT: &str = "(no speech)";

/// One line of `--json` output for a transcribed file.
#[derive(Debug, Serialize)]
struct FileTranscript<'a> {
    file: &'a Path,
    #[serde(flatten)]
    transcript: &'a Transcript,
}

/// One line of `--json` output for a file that failed.
#[derive(Debug, Serialize)]
struct FileError<'a> {
    file: &'a Path,
    error: String,
}

pub(crate) fn run(args: TranscribeArgs) -> anyhow::Result<ExitCode> {
    let options = options_from(&args)?;
    let model = locate::resolve_model(args.model.model.as_deref())?;
    let transcriber = Transcriber::load(&model)?;
    let mut stdout = std::io::stdout().lock();
    let mut failed = 0usize;
    for file in &args.files {
        match transcribe_file(&transcriber, file, &options) {
            Ok(transcript) => {
                if args.json {
                    let line = FileTranscript {
                        file,
                        transcript: &transcript,
                    };
                    writeln!(stdout, "{}", serde_json::to_string(&line)?)?;
                } else {
                    let text = if transcript.no_speech {
                        NO_SPEECH_TEXT
                    } else {
                        transcript.text.as_str()
                    };
                    if args.files.len() == 1 {
                        writeln!(stdout, "{text}")?;
                    } else {
                        writeln!(stdout, "{}: {text}", file.display())?;
                    }
                }
            }
            Err(err) => {
                failed += 1;
                // Print what came before first, so the two streams read in order.
                stdout.flush()?;
                eprintln!("error: {err:#}");
                if args.json {
                    let line = FileError {
                        file,
                        error: format!("{err:#}"),
                    };
                    writeln!(stdout, "{}", serde_json::to_string(&line)?)?;
                }
            }
        }
        stdout.flush()?;
    }
    if failed == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    if args.files.len() > 1 {
        eprintln!(
            "error: {failed} of {} files could not be transcribed",
            args.files.len()
        );
    }
    Ok(ExitCode::from(error::USER_ERROR))
}

fn options_from(args: &TranscribeArgs) -> anyhow::Result<TranscribeOptions> {
    let mut options = TranscribeOptions {
        // The disfluent lead-in keeps um and uh; `--prompt ""` turns it off.
        prompt: Some(args.prompt.clone().unwrap_or_else(|| LEAD_IN.to_string())),
        ..TranscribeOptions::default()
    };
    if let Some(beam) = args.beam {
        anyhow::ensure!(beam >= 1, "--beam must be at least 1 (1 = greedy decoding)");
        options.beam = beam;
    }
    if let Some(threads) = args.threads {
        anyhow::ensure!(threads >= 1, "--threads must be at least 1");
        options.threads = threads;
    }
    Ok(options)
}

fn transcribe_file(
    transcriber: &Transcriber,
    file: &Path,
    options: &TranscribeOptions,
) -> anyhow::Result<Transcript> {
    let started = Instant::now();
    let audio = wav_read::read_for_whisper(file)?;
    let mut transcript = transcriber
        .transcribe(&audio.samples, options)
        .with_context(|| format!("{}: cannot transcribe", file.display()))?;
    // The file's whole cost: reading and resampling too.
    transcript.processing_s = started.elapsed().as_secs_f64();
    Ok(transcript)
}
