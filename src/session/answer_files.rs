//! `--answers DIR`: answers recorded elsewhere. The answer to question N
//! (its number in the bank) is `DIR/N.wav`, `DIR/0N.wav` or `DIR/<id>.wav`;
//! the reply to its first follow-up `DIR/N-f1.wav` (`0N-f1`, `<id>-f1`), to
//! the second `-f2`. Each is converted to the session's 16 kHz mono 16-bit
//! WAV.

use std::path::{Path, PathBuf};

use crate::audio::wav_read::read_for_whisper;
use crate::audio::wav_writer::WavWriter;
use crate::audio::WHISPER_RATE;

/// The answer file for a question (`follow_up`: the reply to that
/// follow-up, 1-based), if one of the accepted names exists.
pub(crate) fn find(
    dir: &Path,
    number: usize,
    id: &str,
    follow_up: Option<usize>,
) -> Option<PathBuf> {
    let suffix = follow_up.map(|n| format!("-f{n}")).unwrap_or_default();
    [
        format!("{number}{suffix}.wav"),
        format!("{number:02}{suffix}.wav"),
        format!("{id}{suffix}.wav"),
    ]
    .into_iter()
    .map(|name| dir.join(name))
    .find(|path| path.is_file())
}

/// Copy `source` (any WAV) into `dest` as 16 kHz mono 16-bit; returns its
/// duration in seconds.
pub(crate) fn import(source: &Path, dest: &Path) -> anyhow::Result<f64> {
    let audio = read_for_whisper(source)?;
    let mut writer = WavWriter::create(dest)?;
    writer.write(&audio.samples)?;
    writer.finish()?;
    Ok(audio.samples.len() as f64 / f64::from(WHISPER_RATE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_number_padded_number_then_id() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(find(dir.path(), 3, "ci-cd", None), None);
        std::fs::write(dir.path().join("ci-cd.wav"), b"x").unwrap();
        assert_eq!(
            find(dir.path(), 3, "ci-cd", None),
            Some(dir.path().join("ci-cd.wav"))
        );
        std::fs::write(dir.path().join("03.wav"), b"x").unwrap();
        assert_eq!(
            find(dir.path(), 3, "ci-cd", None),
            Some(dir.path().join("03.wav"))
        );
        std::fs::write(dir.path().join("3.wav"), b"x").unwrap();
        assert_eq!(
            find(dir.path(), 3, "ci-cd", None),
            Some(dir.path().join("3.wav"))
        );
        // Replies to follow-ups have their own names.
        assert_eq!(find(dir.path(), 3, "ci-cd", Some(1)), None);
        std::fs::write(dir.path().join("ci-cd-f1.wav"), b"x").unwrap();
        assert_eq!(
            find(dir.path(), 3, "ci-cd", Some(1)),
            Some(dir.path().join("ci-cd-f1.wav"))
        );
        assert_eq!(find(dir.path(), 3, "ci-cd", Some(2)), None);
    }
}
