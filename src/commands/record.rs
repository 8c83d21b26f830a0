//! `viva record OUT.wav`: record the microphone into a 16 kHz mono WAV file,
//! to check the input setup. Stops on silence after speech, `--seconds`,
//! Enter (on a terminal) or Ctrl-C; shows a level meter on a terminal.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;

use crate::audio::devices;
use crate::audio::meter::TerminalMeter;
use crate::audio::recorder::{RecordControl, RecordSettings, Recorder, Recording, RecordingEnd};
use crate::cli::RecordArgs;
use crate::commands::interrupt;
use crate::error::EXIT_INTERRUPTED;
use crate::session::plan::parse_duration;
use crate::units::clock_tenths;

pub(crate) fn run(args: RecordArgs) -> anyhow::Result<ExitCode> {
    let silence = parse_duration("--silence", &args.silence)?;
    let max_duration = match args.seconds {
        None => None,
        Some(seconds) if seconds.is_finite() && seconds > 0.0 => {
            Some(Duration::from_secs_f64(seconds))
        }
        Some(seconds) => bail!("--seconds must be a positive number, not {seconds}"),
    };
    let device = devices::input_device(args.input_device.as_deref())?;
    let control = RecordControl::new();
    // The first Ctrl-C (or SIGTERM) ends the recording and keeps the file; a
    // second one exits at once (the file is still valid up to its last
    // checkpoint).
    {
        let control = control.clone();
        interrupt::watch().on_interrupt(move || control.interrupt());
    }
    let enter = std::io::stdin().is_terminal();
    if enter {
        stop_on_enter(&control);
    }

    let settings = RecordSettings {
        max_duration,
        silence_after_speech: Some(silence),
    };
    let recorder = Recorder::start(&device, &args.out, settings)?;

    let mut stops = vec![format!(
        "after {} of silence once you speak",
        humantime::format_duration(silence)
    )];
    if let Some(max) = max_duration {
        stops.push(format!("after {}", humantime::format_duration(max)));
    }
    if enter {
        stops.push("on Enter".to_owned());
    }
    eprintln!(
        "Recording from '{}' into {}; stops {}, or on Ctrl-C.",
        device.label,
        args.out.display(),
        stops.join(", ")
    );
    let mut meter = TerminalMeter::new();
    let recording = recorder.run(&control, |progress| {
        if let Some(warning) = progress.new_warning {
            meter.note(&format!("warning: {}", warning.message(&device.label)));
        }
        meter.draw(progress);
    })?;
    meter.clear();

    println!(
        "Saved {}: {} of 16 kHz mono audio ({}).",
        args.out.display(),
        clock_tenths(recording.duration),
        why_it_ended(&recording, silence)
    );
    if !recording.heard_speech {
        eprintln!(
            "warning: no speech was heard; check the input device and its volume \
             (`viva devices` lists the devices)"
        );
    }
    if let RecordingEnd::DeviceLost(reason) = &recording.end {
        bail!(
            "input device '{}' stopped delivering audio ({reason}); the file holds what came before",
            device.label
        );
    }
    if let RecordingEnd::WriteFailed(reason) = &recording.end {
        bail!(
            "cannot write {} ({reason}); it holds the first {} of the recording",
            args.out.display(),
            clock_tenths(recording.duration)
        );
    }
    if recording.end == RecordingEnd::Interrupted {
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    Ok(ExitCode::SUCCESS)
}

fn why_it_ended(recording: &Recording, silence: Duration) -> String {
    match &recording.end {
        RecordingEnd::Silence => format!(
            "stopped after {} of silence",
            humantime::format_duration(silence)
        ),
        RecordingEnd::TimeLimit => "reached --seconds".to_owned(),
        RecordingEnd::Stopped => "stopped by Enter".to_owned(),
        RecordingEnd::Interrupted => "stopped by Ctrl-C".to_owned(),
        RecordingEnd::Discarded => "discarded".to_owned(),
        RecordingEnd::DeviceLost(_) => "the input device stopped".to_owned(),
        RecordingEnd::WriteFailed(_) => "the file could not be written".to_owned(),
    }
}

/// A line on standard input (Enter) ends the recording.
fn stop_on_enter(control: &RecordControl) {
    let control = control.clone();
    // The thread blocks on the terminal; it ends with the process.
    std::thread::spawn(move || {
        let mut line = String::new();
        // End of input (Ctrl-D, a closed terminal) is not Enter.
        if std::io::stdin().lock().read_line(&mut line).unwrap_or(0) > 0 {
            control.stop();
        }
    });
}
