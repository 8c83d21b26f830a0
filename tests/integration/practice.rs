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
    util::write_wav(path, &vec![0.0; (seconds * 16_000.0) as usize]);
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
    for word in ["team", "network"] {
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
    // Then the session's three things to work on, numbered, before the folder.
    let things: Vec<&str> = stdout
        .lines()
        .skip_while(|line| *line != "Three things to work on")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .collect();
    assert_eq!(things.len(), 3, "{stdout}");
    for (index, line) in things.iter().enumerate() {
        assert!(line.starts_with(&format!("  {}. ", index + 1)), "{line}");
    }
    assert!(
        things
            .iter()
            .any(|line| line.ends_with("answers ended before the 1:00 target")),
        "{things:#?}"
    );
    // The talking points were judged by meaning, with the embedding model.
    assert_eq!(first["metrics"]["judged_by"], "meaning");
    assert!(!stderr.contains("judged by words only"), "{stderr}");
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
fn practice_without_a_microphone_lists_the_input_devices_and_the_ways_around() {
    // No sound server, and one named that is not there, so that ALSA's
    // PulseAudio plugin does not start one: the default device is dead.
    let tmp = util::temp_dir();
    let sessions = tmp.path().join("sessions");
    let out = util::run(
        util::viva()
            .args(["practice", "--count", "1", "--no-tts", "--time-limit", "2s"])
            .arg("--model")
            .arg(util::default_model())
            .arg("--sessions")
            .arg(&sessions)
            .env(
                "PULSE_SERVER",
                format!("unix:{}", tmp.path().join("none").display()),
            )
            .env_remove("PULSE_COOKIE")
            .env("XDG_RUNTIME_DIR", tmp.path())
            .env("HOME", tmp.path()),
    );
    let stderr = util::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot capture")
            && stderr.contains("Input devices (ALSA): default")
            && stderr.contains("--answers DIR")
            && stderr.contains("scripts/audio-stack up"),
        "{stderr}"
    );
    assert!(!stderr.contains(".."), "{stderr}");
    // Nothing was started, so nothing is left to resume.
    assert!(!sessions.exists());
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

use std::time::{Duration, Instant};

use crate::audio_stack;
use crate::live::LiveSession;

#[test]
fn practice_speaks_records_from_the_microphone_and_transcribes() {
    let _audio = audio_stack::audio_lock();
    let tmp = util::temp_dir();
    let sessions = tmp.path().join("sessions");
    let first = tmp.path().join("first.wav");
    let second = tmp.path().join("second.wav");
    espeak_to(
        &first,
        "We moved our builds to GitHub Actions and cut build times in half.",
    );
    espeak_to(
        &second,
        "I keep the modules small and test every change in a pull request.",
    );
    let spoken = tmp.path().join("speaker.raw");
    let mut speaker = audio_stack::parec("speaker.monitor", &spoken);

    let mut session = LiveSession::start(
        &[
            "--pick",
            "2,3",
            "--silence",
            "1.5s",
            "--time-limit",
            "30s",
            // Follow-ups have tests of their own (follow_ups.rs).
            "--follow-ups",
            "0",
        ],
        &sessions,
    );
    for answer in [&first, &second] {
        // Recording starts only once the question has been spoken.
        session.wait_for("Recording", Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(300));
        let mut player = audio_stack::paplay("fakemic_sink", answer);
        assert!(player.wait().unwrap().success());
    }
    let (status, stdout, stderr) = session.finish(Duration::from_secs(120));
    let _ = speaker.kill();
    let _ = speaker.wait();
    assert!(status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");

    // Both questions were spoken on the speaker (the monitor heard speech).
    let samples = audio_stack::read_raw(&spoken);
    let span = viva::audio::level::speech_span(&samples, 16_000)
        .expect("nothing was spoken on the speaker");
    assert!(
        span.voiced_s > 4.0,
        "only {:.1} s of speech heard",
        span.voiced_s
    );

    let folder = only_session(&sessions);
    let record = read_json(&folder.join("session.json"));
    assert_eq!(record["status"], "finished", "{stderr}");
    let answers = record["answers"].as_array().unwrap();
    assert_eq!(answers[0]["status"], "answered");
    assert_eq!(answers[0]["ended_by"], "silence");
    let text = answers[0]["text"].as_str().unwrap().to_lowercase();
    assert!(text.contains("actions"), "{text:?}");
    assert!(text.contains("in half"), "{text:?}");
    assert_eq!(answers[1]["status"], "answered");
    let text = answers[1]["text"].as_str().unwrap().to_lowercase();
    assert!(text.contains("modules"), "{text:?}");
    assert!(text.contains("change"), "{text:?}");
    assert!(folder.join("02-ci-cd-pipeline.wav").is_file());
}

#[test]
fn ctrl_c_mid_answer_keeps_it_and_resume_completes_the_session() {
    let _audio = audio_stack::audio_lock();
    let tmp = util::temp_dir();
    let sessions = tmp.path().join("sessions");
    let long_answer = tmp.path().join("long.wav");
    espeak_to(
        &long_answer,
        "Infrastructure as code works best in small versioned modules. Every change goes \
         through a pull request, a plan, and a review, and the state lives in a remote backend \
         with locking, so two people never apply at once.",
    );
    let mut session =
        LiveSession::start(&["--pick", "3,4", "--no-tts", "--silence", "3s"], &sessions);
    session.wait_for("Recording", Duration::from_secs(60));
    let mut player = audio_stack::paplay("fakemic_sink", &long_answer);
    std::thread::sleep(Duration::from_secs(4));
    let interrupted_at = Instant::now();
    session.signal("INT");
    let (status, stdout, stderr) = session.finish(Duration::from_secs(10));
    let exit_took = interrupted_at.elapsed();
    let _ = player.kill();
    let _ = player.wait();
    assert_eq!(
        status.code(),
        Some(130),
        "{status}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        exit_took < Duration::from_secs(3),
        "exit took {exit_took:?}"
    );
    assert!(stdout.contains("--resume"), "{stdout}");

    let folder = only_session(&sessions);
    let record = read_json(&folder.join("session.json"));
    assert_eq!(record["status"], "interrupted");
    let answers = record["answers"].as_array().unwrap();
    assert_eq!(answers[0]["status"], "interrupted");
    assert_eq!(answers[1]["status"], "not_asked");
    // The WAV is finalised and holds the answer up to Ctrl-C.
    let wav = folder.join(answers[0]["wav"].as_str().unwrap());
    let reader = hound::WavReader::open(&wav).expect("the interrupted WAV does not read");
    let seconds = f64::from(reader.duration()) / 16_000.0;
    assert!((3.0..6.0).contains(&seconds), "{seconds} s recorded");

    // Resume: the interrupted answer is transcribed, question 4 is answered
    // from a file.
    let answers_dir = tmp.path().join("answers");
    std::fs::create_dir_all(&answers_dir).unwrap();
    espeak_to(
        &answers_dir.join("4.wav"),
        "I would start from what users feel, latency and errors, and set objectives on those.",
    );
    let out = util::run(
        util::viva()
            .args(["practice", "--resume", "", "--no-tts", "--answers"])
            .arg(&answers_dir)
            .arg("--sessions")
            .arg(&sessions)
            .arg("--model")
            .arg(util::default_model()),
    );
    assert!(out.status.success(), "{}", util::stderr(&out));
    let record = read_json(&folder.join("session.json"));
    assert_eq!(record["status"], "finished");
    let answers = record["answers"].as_array().unwrap();
    assert_eq!(answers[0]["status"], "answered");
    let text = answers[0]["text"].as_str().unwrap().to_lowercase();
    assert!(text.contains("infrastructure"), "{text:?}");
    assert_eq!(answers[1]["status"], "answered");
    let text = answers[1]["text"].as_str().unwrap().to_lowercase();
    assert!(text.contains("latency"), "{text:?}");
}
