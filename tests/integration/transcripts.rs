//! The transcript traps, each with the real model: a practice prompt that
//! made Whisper skip the first half of an answer, a short answer that came
//! back three times, fillers Whisper drops, and what `--json` says about
//! repairs. The neural-voice clips are tests/fixtures/speech/neural (Piper,
//! from the dev split of the speech dev set).

use std::path::{Path, PathBuf};

use viva::stt::wer;

use crate::live::{answers, sessions_in};
use crate::practice::espeak_to;
use crate::util;

fn neural(name: &str) -> PathBuf {
    util::repo_root().join(format!("tests/fixtures/speech/neural/{name}.wav"))
}

/// The words spoken in a neural fixture.
fn neural_reference(name: &str) -> String {
    let table = std::fs::read_to_string(
        util::repo_root().join("tests/fixtures/speech/neural/transcripts.tsv"),
    )
    .unwrap();
    table
        .lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields[0] == name).then(|| fields[3].to_string())
        })
        .unwrap_or_else(|| panic!("{name} is not in transcripts.tsv"))
}

/// Answer question `number` with `wav` through `viva practice --answers`;
/// the saved answer.
fn practise_with(number: usize, wav: &Path) -> serde_json::Value {
    let tmp = util::temp_dir();
    let answers_dir = tmp.path().join("answers");
    std::fs::create_dir_all(&answers_dir).unwrap();
    std::fs::copy(wav, answers_dir.join(format!("{number}.wav"))).unwrap();
    let sessions = tmp.path().join("sessions");
    let out = util::run(
        util::viva()
            .args([
                "practice",
                "--no-tts",
                "--pick",
                &number.to_string(),
                "--answers",
            ])
            .arg(&answers_dir)
            .arg("--sessions")
            .arg(&sessions)
            .arg("--model")
            .arg(util::default_model()),
    );
    assert!(out.status.success(), "{}", util::stderr(&out));
    answers(&sessions_in(&sessions)[0]).remove(0)
}

#[test]
fn the_practice_prompt_keeps_the_first_sentence_of_a_long_answer() {
    // The sample answer of question 6, spoken: the old prompt (a comma list
    // of talking points) made Whisper start at "and audit logging".
    let tmp = util::temp_dir();
    let wav = tmp.path().join("q6.wav");
    let bank = viva::bank::load("platform-engineer").unwrap();
    let sample = bank.questions[5].sample_answer.clone();
    espeak_to(&wav, &sample);
    let answer = practise_with(6, &wav);
    assert_eq!(answer["status"], "answered");
    let text = answer["text"].as_str().unwrap();
    let lower = text.to_lowercase();
    assert!(
        lower.contains("in a managed system"),
        "the first sentence is gone: {text}"
    );
    let said = wer::scored_words(&sample).len() as f64;
    let heard = wer::scored_words(text).len() as f64;
    assert!(heard >= 0.85 * said, "{heard} of {said} words: {text}");
    let wpm = answer["metrics"]["pace"]["wpm"].as_f64().unwrap();
    assert!(wpm > 110.0, "{wpm} words a minute");
}

#[test]
fn a_one_sentence_answer_comes_back_once() {
    let name = "joe-q12-expand-contract-short";
    let answer = practise_with(12, &neural(name));
    let text = answer["text"].as_str().unwrap();
    let errors = wer::scored_errors(&neural_reference(name), text);
    assert!(errors.rate() <= 0.25, "WER {:.2}: {text}", errors.rate());
    assert_eq!(
        text.to_lowercase().matches("expand").count(),
        1,
        "repeated: {text}"
    );
}

#[test]
fn fillers_are_kept_as_spoken() {
    let name = "joe-q02-jenkins-short";
    let out = util::run(
        util::viva()
            .args(["transcribe", "--json", "--model"])
            .arg(util::default_model())
            .arg(neural(name)),
    );
    assert!(out.status.success(), "{}", util::stderr(&out));
    let line: serde_json::Value = serde_json::from_str(util::stdout(&out).trim()).unwrap();
    let text = line["text"].as_str().unwrap();
    let spoken = wer::filler_count(&neural_reference(name));
    assert_eq!(spoken, 4);
    // Without the lead-in prompt Whisper keeps none of them here.
    assert!(wer::filler_count(text) >= 2, "fillers dropped: {text}");
    assert!(
        wer::scored_errors(&neural_reference(name), text).rate() <= 0.2,
        "{text}"
    );
    // --json says what was repaired, even when nothing was.
    assert!(line["repairs"].is_array(), "{line}");
    assert!(line["gaps"].is_array(), "{line}");

    // In practice the filler metric counts them, per minute too.
    let answer = practise_with(2, &neural(name));
    let delivery = &answer["metrics"]["delivery"];
    let counted = delivery["fillers_at_least"].as_u64().unwrap();
    assert!(counted >= 2, "{delivery}");
    assert!(
        delivery["fillers_per_minute"].as_f64().unwrap() > 10.0,
        "{delivery}"
    );
}
