//! `viva practice`: check the options, then run the session.

use std::process::ExitCode;

use crate::bank;
use crate::cli::PracticeArgs;
use crate::commands::interrupt;
use crate::model::locate::resolve_model;
use crate::paths;
use crate::session::plan::{choose, parse_duration};
use crate::session::record::Settings;
use crate::session::runner::{self, Practice, Start};
use crate::session::store;

pub(crate) fn run(args: PracticeArgs) -> anyhow::Result<ExitCode> {
    let sessions_dir = paths::sessions_dir(args.sessions.sessions.as_deref());
    let model_path = resolve_model(args.model.model.as_deref())?;
    let time_limit = args
        .time_limit
        .as_deref()
        .map(|value| parse_duration("--time-limit", value))
        .transpose()?;
    let silence = parse_duration("--silence", &args.silence)?;

    let (start, bank_source, settings) = match &args.resume {
        Some(spec) => {
            let dir = store::find(&sessions_dir, Some(spec.as_str()))?;
            let saved = dir.load()?;
            // A resumed session keeps its settings; options given now win.
            let settings = Settings {
                time_limit_s: time_limit
                    .map(|d| d.as_secs_f64())
                    .or(saved.settings.time_limit_s),
                silence_s: silence.as_secs_f64(),
                tts: saved.settings.tts && !args.no_tts,
                answers_dir: args.answers.clone().or(saved.settings.answers_dir),
                input_device: args.input_device.clone().or(saved.settings.input_device),
            };
            (Start::Resume(dir), saved.bank.source, settings)
        }
        None => {
            let settings = Settings {
                time_limit_s: time_limit.map(|d| d.as_secs_f64()),
                silence_s: silence.as_secs_f64(),
                tts: !args.no_tts,
                answers_dir: args.answers.clone(),
                input_device: args.input_device.clone(),
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
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let interrupts = interrupt::watch().events();
    let result = runtime.block_on(runner::run(practice, start, interrupts));
    // Do not wait for a transcription still running after Ctrl-C: its answer
    // is saved as pending and `--resume` finishes it.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    result
}
