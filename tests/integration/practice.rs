//! Integration tests: `viva practice`, end to end with the real model.
//! Answers come from `--answers` files made with espeak-ng at test time, or
//! (in the audio-stack tests) from the virtual microphone.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util;

/// Speak `text` with espeak-ng into `path` (22.05 kHz mono, as espeak makes it).
pub fn espeak_to(path: &Path, text: &str) {
    let status = Command::new("espeak-ng")
        .arg("-w")
        .arg(path)
        .arg(text)
        .status()
        .expect("cannot run espeak-ng: run scripts/setup");
    assert!(status.success(), "espeak-ng failed for {text:?}");
}

/// A WAV of pure silence.
pub fn silence_to(path: &Path, seconds: f64) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for _ in 0..(seconds * 16_000.0) as usize {
        writer.write_sample(0i16).unwrap();
    }
    writer.finalize().unwrap();
}

/// The one session folder in `sessions`.
pub fn only_session(sessions: &Path) -> PathBuf {
    let dirs: Vec<PathBuf> = std::fs::read_dir(sessions)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 1, "expected one session in {dirs:?}");
    dirs.into_iter().next().unwrap()
}

pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn answer<'a>(session: &'a Value, id: &str) -> &'a Value {
    session["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|answer| answer["id"] == id)
        .unwrap_or_else(|| panic!("no answer {id} in session.json"))
}

#[test]
fn practice_from_answer_files_saves_every_answer_beside_its_sample() {
    let tmp = util::temp_dir();
    let answers = tmp.path().join("answers");
    let sessions = tmp.path().join("sessions");
    std::fs::create_dir_all(&answers).unwrap();
    // Question 1 by its number, question 6 by its id, question 3 is silence,
    // question 4 has no file.
    espeak_to(
        &answers.join("1.wav"),
        "I would use namespaces per team with network policies and role based access control.",
    );
    espeak_to(
        &answers.join("secrets-management-rotation.wav"),
        "I would store secrets in a vault and rotate them automatically every month.",
    );
    silence_to(&answers.join("03.wav"), 3.0);

    let out = util::run(
        util::viva()
            .args(["practice", "--pick", "1,3,4,6", "--no-tts", "--answers"])
            .arg(&answers)
            .arg("--sessions")
            .arg(&sessions)
            .arg("--model")
            .arg(util::default_model()),
    );
    let stdout = util::stdout(&out);
    let stderr = util::stderr(&out);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");

    let folder = only_session(&sessions);
    // The folder's path is the last line.
    assert_eq!(
        stdout.lines().last().unwrap(),
        folder.display().to_string(),
        "{stdout}"
    );
    assert!(
        stderr.contains("no answer file for question 4"),
        "missing-file warning absent:\n{stderr}"
    );

    let session = read_json(&folder.join("session.json"));
    assert_eq!(session["status"], "finished");
    assert_eq!(session["bank"]["id"], "platform-engineer");
    let ids: Vec<&str> = session["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 4);

    let first = answer(&session, ids[0]);
    assert_eq!(first["status"], "answered");
    let text = first["text"].as_str().unwrap().to_lowercase();
    for word in ["namespaces", "team", "network"] {
        assert!(text.contains(word), "{word:?} not in {text:?}");
    }
    assert!(first["metrics"]["pace"]["words"].as_u64().unwrap() >= 10);
    assert!(folder.join("01-".to_string() + ids[0] + ".wav").is_file());
    assert!(folder.join("01-".to_string() + ids[0] + ".json").is_file());

    assert_eq!(answer(&session, ids[1])["status"], "no_speech");
    assert_eq!(answer(&session, ids[1])["text"], "");
    assert_eq!(answer(&session, ids[2])["status"], "skipped");
    let secrets = answer(&session, "secrets-management-rotation");
    assert_eq!(secrets["status"], "answered");
    let secrets_text = secrets["text"].as_str().unwrap().to_lowercase();
    assert!(secrets_text.contains("secrets"), "{secrets_text:?}");
    assert!(secrets_text.contains("rotate"), "{secrets_text:?}");

    // transcript.md puts the transcript and the sample answer in one row.
    let markdown = std::fs::read_to_string(folder.join("transcript.md")).unwrap();
    let sample = secrets["sample_answer"].as_str().unwrap();
    assert!(sample.starts_with("I’d store secrets in a managed system"));
    let row = markdown
        .lines()
        .find(|line| line.contains(sample))
        .expect("sample answer missing from transcript.md");
    assert!(
        row.to_lowercase().contains("rotate them"),
        "the transcript is not beside the sample answer: {row}"
    );
    assert!(markdown.contains("*(no speech)*"));
    assert!(markdown.contains("*(skipped)*"));

    // The summary table lists every question.
    assert!(stdout.contains("no speech"), "{stdout}");
    assert!(stdout.contains("skipped"), "{stdout}");
}

#[test]
fn practice_with_a_missing_model_names_the_fetch_command() {
    let tmp = util::temp_dir();
    let out = util::run(
        util::viva()
            .args(["practice", "--no-tts", "--model"])
            .arg(tmp.path().join("nope.bin"))
            .arg("--sessions")
            .arg(tmp.path()),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = util::stderr(&out);
    assert!(stderr.contains("viva model fetch"), "{stderr}");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn practice_rejects_an_unknown_question_before_starting() {
    let tmp = util::temp_dir();
    let out = util::run(
        util::viva()
            .args(["practice", "--pick", "1,99", "--no-tts", "--model"])
            .arg(util::default_model())
            .arg("--sessions")
            .arg(tmp.path()),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        util::stderr(&out),
        "error: no question '99' in bank 'platform-engineer' (it has questions 1-24; see `viva questions list`)\n"
    );
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}
