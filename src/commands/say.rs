//! `viva say`: speak a line, to check that speech works. Without a speech
//! service it prints the text and one warning line saying how to fix it, and
//! still succeeds: speech is optional in viva.

use std::process::ExitCode;

use crate::cli::SayArgs;
use crate::voice::{Speaker, SpeakerOptions};

pub(crate) fn run(args: SayArgs) -> anyhow::Result<ExitCode> {
    let options = SpeakerOptions {
        speech: !args.no_tts,
        voice: args.voice,
        rate: args.rate,
        volume: args.volume,
        ..SpeakerOptions::default()
    };
    options.validate()?;
    let text = args.text.join(" ");
    let mut speaker = Speaker::new(&options);
    warn_once(&mut speaker);
    speaker.speak_and_wait(&text);
    warn_once(&mut speaker);
    Ok(ExitCode::SUCCESS)
}

fn warn_once(speaker: &mut Speaker) {
    if let Some(warning) = speaker.take_warning() {
        eprintln!("warning: {warning}");
    }
}
