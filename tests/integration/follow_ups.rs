//! The interviewer follows up: after an answer that missed a talking point,
//! `viva practice` asks about it, records the reply, and judges the points
//! over both; from `--answers` files and through the headless audio stack.

use std::path::Path;
use std::time::Duration;

use crate::audio_stack;
use crate::live::{answers, read_json, sessions_in, LiveSession};
use crate::practice::espeak_to;
use crate::util;

/// An answer to question 6 (secrets) with tools and access but no rotation.
/// Its tool is said so that espeak-ng and the tiny model get it right
/// ("HashiCorp Vault" came back as "Hashek or Molt", which names no tool).
const NO_ROTATION: &str =
    "I would store the secrets in a managed secret store, like Vault. Access is least privilege: \
     each service gets its own role, and the pods read only their own secrets at start up \
     through a sidecar, so nothing is baked into the images.";
/// The reply to the follow-up about rotation.
const ROTATION: &str = "We rotate every database password automatically, every thirty days. \
     The rotation is done by Vault, and the pods reload the new secret without a restart.";

fn practise(answers_dir: &Path, sessions: &Path, extra: &[&str]) -> std::process::Output {
    util::run(
        util::viva()
            .args(["practice", "--pick", "6", "--no-tts", "--answers"])
            .arg(answers_dir)
            .args(extra)
            .arg("--sessions")
            .arg(sessions)
            .arg("--model")
            .arg(util::default_model()),
    )
}

#[test]
fn a_missed_point_gets_a_follow_up_and_the_reply_covers_it() {
    let tmp = util::temp_dir();
    let answers_dir = tmp.path().join("answers");
    std::fs::create_dir_all(&answers_dir).unwrap();
    espeak_to(&answers_dir.join("6.wav"), NO_ROTATION);
    espeak_to(&answers_dir.join("6-f1.wav"), ROTATION);
    let sessions = tmp.path().join("sessions");
    let out = practise(&answers_dir, &sessions, &[]);
    let stdout = util::stdout(&out);
    assert!(out.status.success(), "{stdout}\n{}", util::stderr(&out));
    // The bank's own follow-up for the point, printed after the answer.
    let asked = "How would a secret actually get rotated in that setup?";
    assert!(stdout.contains("Follow-up (rotation strategy)"), "{stdout}");
    assert!(stdout.contains(asked), "{stdout}");

    let folder = &sessions_in(&sessions)[0];
    let answer = &answers(folder)[0];
    let follow_up = &answer["follow_ups"][0];
    assert_eq!(follow_up["point"], "rotation strategy");
    assert_eq!(follow_up["question"], asked);
    assert_eq!(follow_up["status"], "answered", "{follow_up}");
    let reply = follow_up["text"].as_str().unwrap().to_lowercase();
    assert!(reply.contains("rotat"), "{reply}");
    assert!(folder
        .join("06-secrets-management-rotation-f1.wav")
        .is_file());
    let own_file = read_json(&folder.join("06-secrets-management-rotation-f1.json"));
    assert_eq!(own_file["point"], "rotation strategy");
    // The point is covered after the follow-up; the others were covered
    // (or not) by the answer itself.
    let points = answer["metrics"]["talking_points"].as_array().unwrap();
    let rotation = points
        .iter()
        .find(|p| p["point"] == "rotation strategy")
        .unwrap();
    assert_eq!(rotation["covered"], true, "{rotation}");
    assert_eq!(rotation["follow_up"], 1, "{rotation}");
    assert!(points
        .iter()
        .filter(|p| p["point"] != "rotation strategy")
        .all(|p| p["follow_up"].is_null()));
    // The summary table counts it apart.
    assert!(stdout.contains("+1/3"), "{stdout}");

    // The exchange in order, in transcript.md and in review.
    let markdown = std::fs::read_to_string(folder.join("transcript.md")).unwrap();
    let at = |text: &str, needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in:\n{text}"))
    };
    assert!(at(&markdown, "secrets management") < at(&markdown, "**Follow-up 1**"));
    assert!(markdown.contains("after follow-up 1"), "{markdown}");
    let out = util::run(util::viva().arg("review").arg("--sessions").arg(&sessions));
    let review = util::stdout(&out);
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert!(
        at(&review, "Your answer") < at(&review, "Follow-up 1 (rotation strategy)"),
        "{review}"
    );
    assert!(
        at(&review, "Follow-up 1 (rotation strategy)") < at(&review, "Reply: "),
        "{review}"
    );
    assert!(review.contains("after follow-up 1"), "{review}");
    let out = util::run(
        util::viva()
            .args(["review", "--html"])
            .arg("--sessions")
            .arg(&sessions),
    );
    assert!(out.status.success(), "{}", util::stderr(&out));
    let page = std::fs::read_to_string(folder.join("report.html")).unwrap();
    assert_eq!(
        page.matches("<audio").count(),
        2,
        "answer and reply each have a player"
    );
    assert!(page.contains("06-secrets-management-rotation-f1.wav"));
    assert!(page.contains(asked));
}

#[test]
fn follow_ups_0_asks_none_and_a_missing_reply_skips_it() {
    let tmp = util::temp_dir();
    let answers_dir = tmp.path().join("answers");
    std::fs::create_dir_all(&answers_dir).unwrap();
    espeak_to(&answers_dir.join("6.wav"), NO_ROTATION);
    let sessions = tmp.path().join("sessions");

    let out = practise(&answers_dir, &sessions, &["--follow-ups", "0"]);
    let stdout = util::stdout(&out);
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert!(!stdout.contains("Follow-up"), "{stdout}");
    let answer = &answers(&sessions_in(&sessions)[0])[0];
    assert!(answer["follow_ups"].is_null(), "{answer}");

    // Asked, but no reply file: skipped with a warning, the session goes on.
    let out = practise(&answers_dir, &sessions, &[]);
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert!(util::stderr(&out).contains("no reply file for follow-up 1 of question 6"));
    let answer = &answers(sessions_in(&sessions).last().unwrap())[0];
    assert_eq!(answer["follow_ups"][0]["status"], "skipped");
    assert_eq!(answer["status"], "answered");
}

#[test]
fn a_follow_up_is_spoken_and_the_reply_recorded_from_the_microphone() {
    let _audio = audio_stack::audio_lock();
    let tmp = util::temp_dir();
    let answer_wav = tmp.path().join("answer.wav");
    let reply_wav = tmp.path().join("reply.wav");
    espeak_to(&answer_wav, NO_ROTATION);
    espeak_to(&reply_wav, ROTATION);
    let sessions = tmp.path().join("sessions");
    let spoken = tmp.path().join("speaker.raw");
    let mut speaker = audio_stack::parec("speaker.monitor", &spoken);

    let mut session = LiveSession::start(&["--pick", "6", "--silence", "2s"], &sessions);
    session.wait_for("Recording", Duration::from_secs(90));
    std::thread::sleep(Duration::from_millis(300));
    assert!(audio_stack::paplay("fakemic_sink", &answer_wav)
        .wait()
        .unwrap()
        .success());
    // Which missed point is asked about depends on how the judge reads the
    // transcript of this recording; the choice itself is tested above with
    // answer files. Here: a follow-up is spoken and its reply recorded.
    session.wait_for("Follow-up (", Duration::from_secs(60));
    session.wait_for("Recording", Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(300));
    assert!(audio_stack::paplay("fakemic_sink", &reply_wav)
        .wait()
        .unwrap()
        .success());
    let (status, stdout, stderr) = session.finish(Duration::from_secs(90));
    let _ = speaker.kill();
    let _ = speaker.wait();
    assert!(status.success(), "{stdout}\n{stderr}");

    // The question and the follow-up were both spoken.
    let heard: Vec<f32> = audio_stack::read_raw(&spoken);
    let span = viva::audio::level::speech_span(&heard, 16_000).expect("nothing spoken");
    assert!(span.voiced_s > 5.0, "only {:.1} s spoken", span.voiced_s);

    let folder = &sessions_in(&sessions)[0];
    let answer = &answers(folder)[0];
    let follow_up = &answer["follow_ups"][0];
    assert_eq!(follow_up["ended_by"], "silence", "{follow_up}");
    assert_eq!(follow_up["status"], "answered", "{follow_up}");
    assert!(
        follow_up["text"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("rotat"),
        "{follow_up}"
    );
    assert!(folder
        .join("06-secrets-management-rotation-f1.wav")
        .is_file());
}
