//! Pipelining in `viva practice`: the time from the end of the last answer
//! to the final summary. Answers are transcribed while the next question is
//! asked and answered, so only the last answer should be left to wait for.
//!
//! Runs a real session on the headless audio stack: three questions, each
//! answer (espeak-ng speech, 8–12 s) played into the virtual microphone once
//! recording starts; recording ends on 1.5 s of silence. Prints the latency
//! viva reports ("All transcripts ready X s after the last answer") beside
//! what transcribing all three answers after the session would cost.
//!
//! Then the follow-up decision: one answer of about 30, 60 and 120 s to
//! question 6 that misses a talking point, and the time from the end of the
//! answer to the follow-up question on screen. The answer is transcribed in
//! pieces while it is spoken, so only its last piece is left when it ends.
//!
//!   cargo bench --bench practice

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ANSWERS: [&str; 3] = [
    "I would run one shared cluster with a namespace per team, network policies between \
     them, and role based access control tied to our identity provider.",
    "We moved from hand made Jenkins jobs to reusable workflows with caching, and build \
     times dropped from twenty five minutes to ten.",
    "Terraform lives in small versioned modules, every change is planned in a pull request, \
     and the state is kept remotely with locking.",
];

fn main() {
    common::start_stack();
    let viva = env!("CARGO_BIN_EXE_viva");
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/models/ggml-tiny.en-q8_0.bin");
    let tmp = tempfile::tempdir().expect("no temp dir");
    let wavs: Vec<_> = ANSWERS
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let path = tmp.path().join(format!("answer{i}.wav"));
            let ok = Command::new("espeak-ng")
                .arg("-w")
                .arg(&path)
                .arg(text)
                .status()
                .expect("cannot run espeak-ng")
                .success();
            assert!(ok);
            path
        })
        .collect();

    let sessions = tmp.path().join("sessions");
    let mut child = Command::new(viva)
        .args([
            "practice",
            "--pick",
            "1,2,3",
            "--no-tts",
            "--silence",
            "1.5s",
            "--follow-ups",
            "0",
        ])
        .args(["--time-limit", "40s", "--model", model, "--sessions"])
        .arg(&sessions)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run viva practice");
    let started = Instant::now();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut latency = None;
    let mut next = 0;
    for line in lines.by_ref().map_while(Result::ok) {
        if line.starts_with("Recording") && next < wavs.len() {
            std::thread::sleep(Duration::from_millis(300));
            play(&wavs[next]);
            next += 1;
        }
        if let Some(rest) = line.strip_prefix("All transcripts ready ") {
            latency = rest.split(' ').next().and_then(|s| s.parse::<f64>().ok());
        }
    }
    let status = child.wait().expect("viva practice vanished");
    assert!(status.success(), "viva practice failed: {status}");
    let session_s = started.elapsed().as_secs_f64();
    let latency = latency.expect("viva printed no 'All transcripts ready' line");

    let session = std::fs::read_dir(&sessions)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let recorded: Vec<_> = std::fs::read_dir(&session)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wav"))
        .collect();
    let out = Command::new(viva)
        .args(["transcribe", "--json", "--model", model])
        .args(&recorded)
        .output()
        .expect("cannot run viva transcribe");
    let sequential: f64 = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|value| value["processing_s"].as_f64())
        .sum();

    println!("practice pipelining (3 answers from the virtual microphone, tiny.en)");
    println!("  whole session:                              {session_s:6.1} s");
    println!("  end of last answer -> summary (pipelined):  {latency:6.1} s");
    println!("  transcribing all answers after the session: {sequential:6.1} s");

    println!();
    println!("follow-up decision (question 6, answers that miss a point, tiny.en)");
    println!("  answer   spoken   end of speech -> follow-up   recording end -> follow-up");
    // About 30, 60 and 120 s: the paragraphs, then the same again (a longer
    // answer without rotation that the judge does not mistake for it).
    for (nominal, parts) in [
        (30, &[0][..]),
        (60, &[0, 1][..]),
        (120, &[0, 1, 0, 1, 0, 1][..]),
    ] {
        let text: Vec<&str> = parts.iter().map(|&i| SECRETS[i]).collect();
        let wav = tmp.path().join(format!("secrets{nominal}.wav"));
        espeak(&text.join(" "), &wav);
        let timing = follow_up_after(viva, model, &wav, &tmp.path().join(format!("s{nominal}")));
        println!(
            "  {:>4} s   {:5.1} s   {:24.2} s   {:25.2} s{}",
            nominal,
            timing.spoken_s,
            timing.from_speech_end_s,
            timing.from_recording_end_s,
            if timing.asked {
                ""
            } else {
                "   (no follow-up: every point judged covered; to the summary)"
            }
        );
    }
}

/// About 30 s each of espeak-ng speech about secrets that never mentions
/// rotation or how applications get their secrets at runtime.
const SECRETS: [&str; 2] = [
    "We keep every secret in HashiCorp Vault. Nothing sensitive lives in the repository or in \
     container images. Pods authenticate to Vault with their Kubernetes service account, and \
     each application has its own policy, so a service can only read the paths it owns. The \
     Vault agent writes the values into a shared memory volume.",
    "For developers we made the easy path the safe one. A small command line tool creates the \
     Vault path, the policy and the service account binding in one step, and the templates \
     for new services already include it. We also scan every commit for anything that looks \
     like a key, and a leaked key blocks the merge until it is removed.",
];

fn espeak(text: &str, wav: &Path) {
    let ok = Command::new("espeak-ng")
        .arg("-w")
        .arg(wav)
        .arg(text)
        .status()
        .expect("cannot run espeak-ng")
        .success();
    assert!(ok, "espeak-ng failed");
}

/// When the follow-up question came.
struct FollowUpTiming {
    /// False when no follow-up was asked (every point judged covered); the
    /// times are then to the session's summary.
    asked: bool,
    spoken_s: f64,
    from_speech_end_s: f64,
    from_recording_end_s: f64,
}

/// Answer question 6 with `wav` from the virtual microphone and time the
/// follow-up.
fn follow_up_after(viva: &str, model: &str, wav: &Path, sessions: &Path) -> FollowUpTiming {
    let spoken_s = {
        let reader = hound::WavReader::open(wav).expect("espeak-ng wrote no WAV");
        f64::from(reader.duration()) / f64::from(reader.spec().sample_rate)
    };
    let mut child = Command::new(viva)
        .args(["practice", "--pick", "6", "--no-tts", "--silence", "1.5s"])
        .args(["--time-limit", "150s", "--model", model, "--sessions"])
        .arg(sessions)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run viva practice");
    // Both streams, each line stamped when it arrives: the prompts are on
    // stderr, the questions and "Answer recorded" on stdout.
    let (lines_tx, lines) = std::sync::mpsc::channel::<(Instant, String)>();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let lines_tx = lines_tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if lines_tx.send((Instant::now(), line)).is_err() {
                    break;
                }
            }
        });
    }
    drop(lines_tx);
    let (mut speech_end, mut recording_end, mut follow_up) = (None, None, None);
    for (at, line) in lines.iter() {
        if std::env::var_os("VIVA_BENCH_VERBOSE").is_some() {
            eprintln!("viva: {line}");
        }
        if line.contains("Recording") && speech_end.is_none() {
            std::thread::sleep(Duration::from_millis(300));
            play(wav);
            speech_end = Some(Instant::now());
        }
        if line.contains("Answer recorded") && recording_end.is_none() {
            recording_end = Some(at);
        }
        if line.contains("Follow-up (") && follow_up.is_none() {
            follow_up = Some((at, true));
            let _ = child.kill();
            break;
        }
        // No follow-up: the judge found every point covered; the decision
        // took as long as this line is late.
        if line.starts_with("All transcripts ready") && follow_up.is_none() {
            follow_up = Some((at, false));
        }
    }
    let _ = child.wait();
    let (Some(speech_end), Some(recording_end), Some((follow_up, asked))) =
        (speech_end, recording_end, follow_up)
    else {
        panic!(
            "viva neither asked a follow-up nor finished for {}",
            wav.display()
        );
    };
    FollowUpTiming {
        asked,
        spoken_s,
        from_speech_end_s: (follow_up - speech_end).as_secs_f64(),
        from_recording_end_s: (follow_up - recording_end).as_secs_f64(),
    }
}

fn play(wav: &Path) {
    let ok = Command::new("paplay")
        .args(["-d", "fakemic_sink"])
        .arg(wav)
        .status()
        .expect("cannot run paplay")
        .success();
    assert!(ok, "paplay failed");
}
