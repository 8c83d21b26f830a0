//! Bring a session that a crash or `kill -9` left behind back to a state
//! `viva practice --resume` can finish: an answer whose WAV was being
//! recorded gets its header repaired and becomes `interrupted` (its audio is
//! kept and transcribed on resume), and the session itself is marked
//! `interrupted`. Used by `--resume` and by `viva doctor`.

use super::record::{AnswerStatus, SessionRecord, SessionStatus};
use super::store::SessionDir;
use crate::audio::wav_repair::{repair, Repair};

/// The file a running session holds its process id in.
pub(crate) const PID_FILE: &str = ".viva.pid";

/// Mark `dir` as being run by this process.
pub(crate) fn claim(dir: &SessionDir) -> anyhow::Result<()> {
    crate::fsutil::write_atomic(
        &dir.file(PID_FILE),
        std::process::id().to_string().as_bytes(),
    )
}

/// The session is no longer run by this process.
pub(crate) fn release(dir: &SessionDir) {
    let _ = std::fs::remove_file(dir.file(PID_FILE));
}

/// True when another live process is running this session right now.
pub(crate) fn is_running_elsewhere(dir: &SessionDir) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.file(PID_FILE)) else {
        return false;
    };
    match text.trim().parse::<u32>() {
        Ok(pid) if pid != std::process::id() => {
            std::path::Path::new(&format!("/proc/{pid}")).exists()
        }
        _ => false,
    }
}

/// Repair what a crash left; returns a note per change (empty: nothing to do).
pub(crate) fn recover(dir: &SessionDir, record: &mut SessionRecord) -> Vec<String> {
    let mut notes = Vec::new();
    for answer in &mut record.answers {
        let name = format!("{}.wav", answer.file_stem());
        let path = dir.file(&name);
        if !path.is_file() {
            continue;
        }
        let repaired = match repair(&path) {
            Ok(Repair::Extended { added }) => {
                notes.push(format!(
                    "{name}: header repaired ({:.1} s of audio recovered)",
                    added as f64 / 32_000.0
                ));
                true
            }
            Ok(Repair::Intact) => false,
            Err(err) => {
                notes.push(format!("{err}"));
                continue;
            }
        };
        if answer.status == AnswerStatus::NotAsked || (repaired && answer.wav.is_none()) {
            // Recording had started when the process died.
            let duration_s = hound::WavReader::open(&path)
                .map(|reader| f64::from(reader.duration()) / f64::from(reader.spec().sample_rate))
                .unwrap_or(0.0);
            answer.status = AnswerStatus::Interrupted;
            answer.wav = Some(name.clone());
            answer.duration_s = Some((duration_s * 100.0).round() / 100.0);
            answer.ended_by = Some("crash".to_string());
            notes.push(format!(
                "{name}: answer cut off by a crash, kept ({duration_s:.1} s)"
            ));
        }
    }
    if record.status == SessionStatus::InProgress {
        record.status = SessionStatus::Interrupted;
        notes.push("session was left running; marked interrupted".to_string());
    }
    notes
}
