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
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/models/ggml-tiny.en.bin");
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
