//! `viva doctor`: check what a practice session needs (the model, an input
//! device that delivers sound, the speech service) and repair sessions a
//! crash left behind, saying for each what to do.

use std::process::ExitCode;
use std::time::Duration;

use crate::audio::devices;
use crate::audio::level;
use crate::audio::recorder::{self, RecordControl, RecordSettings, RecordingEnd};
use crate::audio::wav_read::read_for_whisper;
use crate::cli::DoctorArgs;
use crate::model::{load, locate};
use crate::paths;
use crate::session::{recover, store};
use crate::voice::{Speaker, SpeakerOptions};

/// How long the input check records.
const INPUT_PROBE: Duration = Duration::from_secs(1);

/// One check's result.
enum Check {
    Ok(String),
    Warn(String),
    Fail(String),
}

pub(crate) fn run(args: DoctorArgs) -> anyhow::Result<ExitCode> {
    let checks = [
        ("model", check_model(args.model.model.as_deref())),
        ("input", check_input()),
        ("speech", check_speech()),
        (
            "sessions",
            check_sessions(&paths::sessions_dir(args.sessions.sessions.as_deref())),
        ),
    ];
    let mut failed = false;
    for (name, check) in checks {
        let (mark, text) = match check {
            Check::Ok(text) => ("ok  ", text),
            Check::Warn(text) => ("warn", text),
            Check::Fail(text) => {
                failed = true;
                ("FAIL", text)
            }
        };
        println!("{mark} {name:<9} {text}");
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn check_model(explicit: Option<&std::path::Path>) -> Check {
    let path = match locate::resolve_model(explicit) {
        Ok(path) => path,
        Err(err) => return Check::Fail(err.to_string()),
    };
    match load::load_context(&path) {
        Ok(_) => Check::Ok(format!("{} loads", path.display())),
        Err(err) => Check::Fail(format!("{err} (try `viva model verify`)")),
    }
}

/// Record a second from the default input and look at what arrived.
fn check_input() -> Check {
    let device = match devices::input_device(None) {
        Ok(device) => device,
        Err(err) => {
            return Check::Fail(format!(
                "{err}; without a microphone, practise with `viva practice --answers DIR`"
            ))
        }
    };
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => return Check::Fail(format!("cannot make a temp dir: {err}")),
    };
    let probe = dir.path().join("probe.wav");
    let settings = RecordSettings {
        max_duration: Some(INPUT_PROBE),
        silence_after_speech: None,
    };
    let recording =
        match recorder::record(&device, &probe, &settings, &RecordControl::new(), |_| {}) {
            Ok(recording) => recording,
            Err(err) => return Check::Fail(format!("'{}' cannot record: {err}", device.label)),
        };
    if let RecordingEnd::DeviceLost(reason) = recording.end {
        return Check::Fail(format!("'{}' delivered no audio: {reason}", device.label));
    }
    let samples = read_for_whisper(&probe)
        .map(|audio| audio.samples)
        .unwrap_or_default();
    if samples.iter().all(|&s| s == 0.0) {
        return Check::Warn(format!(
            "'{}' delivers silence: is it muted? (`viva devices` lists the others)",
            device.label
        ));
    }
    Check::Ok(format!(
        "'{}' records ({:.0} dBFS now; say something and run `viva record test.wav` to hear yourself)",
        device.label,
        level::dbfs(&samples)
    ))
}

fn check_speech() -> Check {
    let mut speaker = Speaker::new(&SpeakerOptions::default());
    match (speaker.speaks_aloud(), speaker.take_warning()) {
        (true, _) => Check::Ok("speech service answers (try `viva say hello`)".to_string()),
        (false, Some(warning)) => Check::Warn(warning),
        (false, None) => Check::Warn("no speech service; questions will be printed".to_string()),
    }
}

/// Repair sessions left behind by a crash (a damaged `session.json` is
/// rebuilt from the answer files); name the ones to resume.
fn check_sessions(sessions: &std::path::Path) -> Check {
    let folders = match store::list(sessions) {
        Ok(folders) => folders,
        Err(err) => return Check::Fail(err.to_string()),
    };
    let mut to_resume = Vec::new();
    let mut problems = Vec::new();
    for folder in &folders {
        let dir = match store::SessionDir::open(folder) {
            Ok(dir) => dir,
            Err(err) => {
                problems.push(err.to_string());
                continue;
            }
        };
        // A session another viva runs is left alone.
        let Ok(_lock) = dir.lock() else {
            continue;
        };
        let (mut record, mut notes) = match recover::load(&dir) {
            Ok(loaded) => loaded,
            Err(err) => {
                problems.push(err.to_string());
                continue;
            }
        };
        notes.extend(recover::recover(&dir, &mut record));
        if !notes.is_empty() {
            if let Err(err) = dir.save(&record) {
                problems.push(format!("{}: cannot save the repair: {err:#}", dir.name()));
                continue;
            }
            for note in notes {
                println!("     {}: {note}", dir.name());
            }
        }
        if record.is_unfinished() {
            to_resume.push(dir.name());
        }
    }
    let mut text = format!("{} session(s) in {}", folders.len(), sessions.display());
    if let Some(newest) = to_resume.last() {
        text.push_str(&format!(
            "; {} to finish: `viva practice --resume {newest}`",
            to_resume.len()
        ));
    }
    if problems.is_empty() {
        Check::Ok(text)
    } else {
        Check::Warn(format!("{text}; skipped: {}", problems.join("; ")))
    }
}
