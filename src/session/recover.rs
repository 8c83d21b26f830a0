//! Bring a session that a crash, `kill -9` or a full disk left behind back
//! to a state `viva practice --resume` can finish: an answer whose WAV was
//! being recorded gets its header repaired and becomes `interrupted` (its
//! audio is kept and transcribed on resume), a damaged `session.json` is
//! rebuilt from the answers' own `NN-<id>.json` files, and the session is
//! marked `interrupted`. Used by `--resume` and by `viva doctor`.

use std::path::Path;

use super::record::{
    AnswerRecord, AnswerStatus, BankRef, EndedBy, SessionRecord, SessionStatus, Settings, Stamp,
    FORMAT_VERSION,
};
use super::store::{SessionDir, StoreError};
use crate::audio::wav_repair::{repair, Repair};
use crate::units::round2;

/// Read a session for repair: `session.json`, or when it is damaged, a
/// record rebuilt from the answer files (with a note saying so).
pub(crate) fn load(dir: &SessionDir) -> Result<(SessionRecord, Vec<String>), StoreError> {
    match dir.load() {
        Ok(record) => Ok((record, Vec::new())),
        Err(StoreError::Damaged { reason, .. }) => {
            let record = rebuild(dir).ok_or_else(|| StoreError::Damaged {
                path: dir.file(super::store::SESSION_FILE),
                reason: format!("{reason}, and no answer files to rebuild it from"),
            })?;
            let note = format!(
                "session.json was damaged ({reason}); rebuilt from {} answer file(s), \
                 settings reset to the defaults",
                record.answers.len()
            );
            Ok((record, vec![note]))
        }
        Err(err) => Err(err),
    }
}

/// A session record made from the folder's `NN-<id>.json` answer files, in
/// question-number order; the bank and start time come from the folder's
/// name (`<stamp>-<bank id>`). `None` when there is no answer file.
fn rebuild(dir: &SessionDir) -> Option<SessionRecord> {
    let mut answers: Vec<AnswerRecord> = std::fs::read_dir(dir.path())
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| is_answer_file(path))
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .filter_map(|text| serde_json::from_str::<AnswerRecord>(&text).ok())
        .collect();
    if answers.is_empty() {
        return None;
    }
    answers.sort_by_key(|answer| answer.number);
    let name = dir.name();
    let (stamp, bank_id) = split_folder_name(&name);
    let started_at = jiff::civil::DateTime::strptime("%Y-%m-%d_%H%M%S", stamp)
        .ok()
        .and_then(|time| time.to_zoned(jiff::tz::TimeZone::system()).ok())
        .map_or_else(Stamp::now, Stamp);
    Some(SessionRecord {
        format: FORMAT_VERSION,
        viva_version: env!("CARGO_PKG_VERSION").to_string(),
        bank: BankRef {
            id: bank_id.to_string(),
            title: bank_id.to_string(),
            source: bank_id.to_string(),
            sha256: String::new(),
        },
        model: String::new(),
        settings: Settings::default(),
        started_at,
        ended_at: None,
        status: SessionStatus::Interrupted,
        answers,
    })
}

/// `NN-<id>.json`: two digits, a dash, an id.
fn is_answer_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let bytes = name.as_bytes();
    name.ends_with(".json")
        && bytes.len() > 8
        && bytes[..2].iter().all(u8::is_ascii_digit)
        && bytes[2] == b'-'
}

/// `2026-11-27_231005-platform-engineer` → (`2026-11-27_231005`, `platform-engineer`).
fn split_folder_name(name: &str) -> (&str, &str) {
    const STAMP_LEN: usize = "2026-11-27_231005".len();
    match (name.get(..STAMP_LEN), name.get(STAMP_LEN + 1..)) {
        (Some(stamp), Some(rest)) if !rest.is_empty() => {
            // A clash suffix (`-2`) is not part of the bank id.
            let bank = match rest.rsplit_once('-') {
                Some((bank, n)) if n.chars().all(|c| c.is_ascii_digit()) => bank,
                _ => rest,
            };
            (stamp, bank)
        }
        _ => (name, name),
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
            Ok(Repair::Shortened { removed }) => {
                notes.push(format!(
                    "{name}: header repaired ({:.1} s it claimed were never written)",
                    removed as f64 / 32_000.0
                ));
                true
            }
            Ok(Repair::Intact) => false,
            Err(err) => {
                notes.push(format!("{err}"));
                continue;
            }
        };
        let recording_was_cut = answer.status == AnswerStatus::NotAsked
            || (answer.wav.is_none() && (repaired || answer.status == AnswerStatus::Failed));
        if recording_was_cut {
            let duration_s = hound::WavReader::open(&path)
                .map(|reader| f64::from(reader.duration()) / f64::from(reader.spec().sample_rate))
                .unwrap_or(0.0);
            answer.status = AnswerStatus::Interrupted;
            answer.wav = Some(name.clone());
            answer.duration_s = Some(round2(duration_s));
            answer.ended_by.get_or_insert(EndedBy::Crash);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_give_the_stamp_and_the_bank() {
        assert_eq!(
            split_folder_name("2026-11-27_231005-platform-engineer"),
            ("2026-11-27_231005", "platform-engineer")
        );
        assert_eq!(
            split_folder_name("2026-11-27_231005-platform-engineer-2"),
            ("2026-11-27_231005", "platform-engineer")
        );
        assert_eq!(split_folder_name("notes"), ("notes", "notes"));
    }

    #[test]
    fn answer_files_are_told_from_the_others() {
        assert!(is_answer_file(Path::new("/s/03-ci-cd.json")));
        assert!(!is_answer_file(Path::new("/s/session.json")));
        assert!(!is_answer_file(Path::new("/s/03-ci-cd.wav")));
        assert!(!is_answer_file(Path::new("/s/.viva-tmp-03-x.json")));
    }
}
