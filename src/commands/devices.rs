//! `viva devices`: the audio inputs and outputs (names to give
//! `--input-device`), and the speech voices (names to give `--voice`).

use std::io::Write;
use std::process::ExitCode;

use crate::audio::devices::{self, DeviceEntry};
use crate::voice::{Speaker, SpeakerOptions, VoiceInfo};

pub(crate) fn run() -> anyhow::Result<ExitCode> {
    let list = devices::list()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Inputs ({}), for --input-device NAME:", list.host)?;
    write_devices(&mut out, &list.inputs)?;
    writeln!(out, "Outputs ({}):", list.host)?;
    write_devices(&mut out, &list.outputs)?;
    out.flush()?;

    let mut speaker = Speaker::new(&SpeakerOptions::default());
    if let Some(warning) = speaker.take_warning() {
        eprintln!("warning: {warning}");
    }
    if !speaker.speaks_aloud() {
        writeln!(out, "Voices: none (no speech service)")?;
        return Ok(ExitCode::SUCCESS);
    }
    let voices = match speaker.voices() {
        Ok(voices) => voices,
        Err(err) => {
            eprintln!("warning: cannot list the voices: {err}");
            writeln!(
                out,
                "Voices: unknown (the speech service did not list them)"
            )?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let language = user_language();
    let plain: Vec<&VoiceInfo> = voices.iter().filter(|voice| voice.is_plain()).collect();
    let mine: Vec<&VoiceInfo> = plain
        .iter()
        .copied()
        .filter(|voice| primary_subtag(&voice.language).eq_ignore_ascii_case(&language))
        .collect();
    let shown = if mine.is_empty() { &plain } else { &mine };
    writeln!(
        out,
        "Voices, for viva say --voice NAME ({} of {} voices; `spd-say -L` lists all):",
        shown.len(),
        voices.len()
    )?;
    let width = shown
        .iter()
        .map(|voice| voice.name.len())
        .max()
        .unwrap_or(0);
    for voice in shown {
        writeln!(out, "  {:width$}  {}", voice.name, voice.language)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_devices(out: &mut impl Write, entries: &[DeviceEntry]) -> std::io::Result<()> {
    if entries.is_empty() {
        return writeln!(out, "  (none)");
    }
    let width = entries
        .iter()
        .map(|entry| entry.name.len())
        .max()
        .unwrap_or(0);
    for entry in entries {
        let default = if entry.is_default { "  (default)" } else { "" };
        writeln!(
            out,
            "  {:width$}  {}{default}",
            entry.name, entry.description
        )?;
    }
    Ok(())
}

/// The user's language from the locale (`en_GB.UTF-8` → `en`), English when unset.
fn user_language() -> String {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .unwrap_or_default();
    let language = primary_subtag(&locale);
    if language.is_empty() || language == "C" || language == "POSIX" {
        "en".to_owned()
    } else {
        language.to_lowercase()
    }
}

/// `en` of `en-GB`, `en_GB.UTF-8` or `en`.
fn primary_subtag(tag: &str) -> &str {
    tag.split(['-', '_', '.', '@']).next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_primary_subtag_ignores_region_and_encoding() {
        assert_eq!(primary_subtag("en-GB"), "en");
        assert_eq!(primary_subtag("de_DE.UTF-8"), "de");
        assert_eq!(primary_subtag("C.UTF-8"), "C");
        assert_eq!(primary_subtag(""), "");
    }
}
