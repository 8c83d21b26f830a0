//! `viva practice`: check the options, run the session, then print the
//! summary table, the session's three things to work on and, last, the
//! session folder.

use std::process::ExitCode;

use crate::bank;
use crate::cli::PracticeArgs;
use crate::commands::{embedder, interrupt};
use crate::error::EXIT_INTERRUPTED;
use crate::model::locate::resolve_model;
use crate::paths;
use crate::report::summary;
use crate::session::plan::{choose, parse_duration};
use crate::session::record::{Settings, DEFAULT_FOLLOW_UPS, DEFAULT_SILENCE_S};
use crate::session::runner::{self, Ending, Practice, Start};
use crate::session::{recover, store};

pub(crate) fn run(args: PracticeArgs) -> anyhow::Result<ExitCode> {
    let sessions_dir = paths::sessions_dir(args.sessions.sessions.as_deref());
    let model_path = resolve_model(args.model.model.as_deref())?;
    let time_limit_s = args
        .time_limit
        .as_deref()
        .map(|value| parse_duration("--time-limit", value).map(|d| d.as_secs_f64()))
        .transpose()?;
    let silence_s = args
        .silence
        .as_deref()
        .map(|value| parse_duration("--silence", value).map(|d| d.as_secs_f64()))
        .transpose()?;

    let (start, bank_source, settings) = match &args.resume {
        Some(spec) => {
            let dir = store::find_to_resume(&sessions_dir, Some(spec.as_str()))?;
            let (record, _) = recover::load(&dir)?;
            let saved = record.settings;
            // A resumed session keeps its settings; options given now win.
            let settings = Settings {
                time_limit_s: time_limit_s.or(saved.time_limit_s),
                silence_s: silence_s.unwrap_or(saved.silence_s),
                tts: saved.tts && !args.no_tts,
                answers_dir: args.answers.clone().or(saved.answers_dir),
                input_device: args.input_device.clone().or(saved.input_device),
                follow_ups: args.follow_ups.unwrap_or(saved.follow_ups),
            };
            (Start::Resume(dir), record.bank.source, settings)
        }
        None => {
            let settings = Settings {
                time_limit_s,
                silence_s: silence_s.unwrap_or(DEFAULT_SILENCE_S),
                tts: !args.no_tts,
                answers_dir: args.answers.clone(),
                input_device: args.input_device.clone(),
                follow_ups: args.follow_ups.unwrap_or(DEFAULT_FOLLOW_UPS),
            };
            (Start::New(Vec::new()), args.bank.bank.clone(), settings)
        }
    };
    let bank = bank::load(&bank_source)?;
    let start = match start {
        Start::New(_) => match args.weakest {
            Some(n) => Start::New(crate::history::weakest(&bank, &sessions_dir, n)?),
            None => Start::New(choose(&bank, &args.pick, args.count, args.shuffle)?),
        },
        resume => resume,
    };
    let practice = Practice {
        bank,
        bank_source,
        settings,
        model_path,
        sessions_dir,
        embedder: embedder::load_or_note(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let interrupts = interrupt::watch().events();
    let result = runtime.block_on(runner::run(practice, start, interrupts));
    // The session has stopped its transcription (an answer left is saved as
    // pending and `--resume` finishes it); do not wait for other blocking
    // work still running after Ctrl-C.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    let outcome = result?;

    print!("{}", summary::table(&outcome.record));
    print!("{}", summary::three_things(&outcome.record));
    let code = match &outcome.ending {
        Ending::Finished | Ending::Quit => ExitCode::SUCCESS,
        Ending::Interrupted => ExitCode::from(EXIT_INTERRUPTED),
        Ending::Stopped(reason) => {
            eprintln!("{reason}");
            ExitCode::FAILURE
        }
    };
    if outcome.record.is_unfinished() {
        println!("Unfinished: continue with `viva practice --resume`.");
    }
    println!("{}", outcome.folder.display());
    Ok(code)
}
