//! Integration tests: voice in and out. `viva say`, `viva record` and
//! `viva devices` run against the headless audio stack of
//! `scripts/audio-stack` (PulseAudio with a `speaker` sink and a `fakemic`
//! source, speech-dispatcher speaking into `speaker`): what viva says is
//! recorded from `speaker.monitor`, and known speech made with espeak-ng is
//! played into `fakemic_sink` for viva to record.
//!
//! The stack comes from `audio_stack.rs`: started once per test run (and
//! torn down when the run ends) or reused when already up; if it cannot
//! start, these tests fail with the reason. Tests that use it take
//! [`audio_lock`]: they share one speaker and one microphone with the
//! practice tests.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use viva::audio::level;

use crate::audio_stack::{self, audio_lock, paplay, parec, viva_on_stack, wait_with_limit};
use crate::util;

/// Speech made by espeak-ng, and the same at 16 kHz mono for comparisons.
fn espeak(dir: &Path, text: &str) -> (PathBuf, Vec<f32>) {
    let wav = dir.join("speech.wav");
    let status = Command::new("espeak-ng")
        .arg("-w")
        .arg(&wav)
        .arg(text)
        .status()
        .expect("cannot run espeak-ng");
    assert!(status.success());
    let reference = dir.join("speech-16k.wav");
    let status = Command::new("sox")
        .arg(&wav)
        .args(["-r", "16000", "-c", "1", "-b", "16"])
        .arg(&reference)
        .status()
        .expect("cannot run sox");
    assert!(status.success());
    (wav, util::read_wav(&reference))
}

/// Seconds of sound in a raw 16 kHz recording once every silence longer than
/// 0.1 s is cut out, measured by sox.
fn sox_voiced_seconds(raw: &Path) -> f64 {
    let out = Command::new("sox")
        .args([
            "-t", "raw", "-r", "16000", "-e", "signed", "-b", "16", "-c", "1",
        ])
        .arg(raw)
        .args([
            "-n", "silence", "1", "0.03", "1%", "-1", "0.1", "1%", "stat",
        ])
        .output()
        .expect("cannot run sox");
    let report = util::stderr(&out);
    report
        .lines()
        .find_map(|line| line.strip_prefix("Length (seconds):"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no length in sox's report:\n{report}"))
}

/// Wait until `viva record` says it is recording (the device is open and
/// the file exists), then keep draining its standard error on a thread
/// (viva must not write into a closed pipe); the thread returns the rest.
fn wait_for_the_banner(viva: &mut Child) -> std::thread::JoinHandle<String> {
    let mut stderr = BufReader::new(viva.stderr.take().expect("stderr is piped"));
    let mut banner = String::new();
    stderr.read_line(&mut banner).unwrap();
    assert!(banner.starts_with("Recording from "), "{banner}");
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut rest);
        rest
    })
}

/// The normalised correlation of `recorded` with `reference` at the best
/// alignment: speech onsets line the two up roughly, then every lag within
/// ±50 ms is tried.
fn correlation(reference: &[f32], recorded: &[f32]) -> f64 {
    let onset = |samples: &[f32]| {
        let span = level::speech_span(samples, 16_000).expect("no speech in the audio");
        (span.first_s * 16_000.0) as isize
    };
    let rough = onset(recorded) - onset(reference);
    let norm = |samples: &[f32]| {
        samples
            .iter()
            .map(|&s| f64::from(s).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let reference_norm = norm(reference);
    (rough - 800..=rough + 800)
        .filter(|&lag| lag >= 0)
        .map(|lag| {
            let window = &recorded[(lag as usize).min(recorded.len())..];
            let n = window.len().min(reference.len());
            let dot: f64 = (0..n)
                .map(|i| f64::from(window[i]) * f64::from(reference[i]))
                .sum();
            dot / (reference_norm * norm(&window[..n])).max(1e-9)
        })
        .fold(f64::MIN, f64::max)
}

#[test]
fn say_is_heard_on_the_speaker_and_returns_after_the_speech() {
    let _audio = audio_lock();
    let dir = util::temp_dir();
    let heard = dir.path().join("speaker.raw");
    let text = "Tell me about a time you made a deployment pipeline faster.";

    let mut recorder = parec("speaker.monitor", &heard);
    std::thread::sleep(Duration::from_millis(300));
    // parec writes samples as they arrive: the file's length now is where
    // `viva say` starts in the recording.
    let say_started_at = std::fs::metadata(&heard).unwrap().len() as usize / 2;
    let said = Instant::now();
    let out = util::run(viva_on_stack().arg("say").arg(text));
    let returned = said.elapsed();
    std::thread::sleep(Duration::from_millis(1_000));
    recorder.kill().unwrap();
    recorder.wait().unwrap();

    assert!(out.status.success(), "{}", util::stderr(&out));
    assert_eq!(util::stdout(&out), "", "spoken text is not printed");
    assert_eq!(util::stderr(&out), "", "no warning when speech works");

    let samples = audio_stack::read_raw(&heard);
    let voiced = sox_voiced_seconds(&heard);
    assert!(
        voiced >= 1.5,
        "only {voiced:.2} s of speech reached speaker.monitor"
    );
    let from_start = &samples[say_started_at.min(samples.len())..];
    let span = level::speech_span(from_start, 16_000).expect("nothing was spoken");
    // Nothing is spoken after viva returned: it waited for the end.
    let returned_at = (returned.as_secs_f64() * 16_000.0) as usize;
    let after_return = &from_start[returned_at.min(from_start.len())..];
    assert!(
        level::speech_span(after_return, 16_000).is_none(),
        "speech went on after `viva say` returned at {returned:?}: {span:?}"
    );
    println!(
        "viva say: {voiced:.2} s voiced; first audio {:.0} ms after the start; \
         returned {:.0} ms after the last audio",
        span.first_s * 1000.0,
        (returned.as_secs_f64() - span.last_s) * 1000.0
    );
}

#[test]
fn say_with_an_unknown_voice_warns_and_speaks_in_the_default_voice() {
    let _audio = audio_lock();
    let out = util::run(viva_on_stack().args(["say", "--voice", "No Such Voice", "Hello"]));
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert_eq!(util::stdout(&out), "", "spoken, not printed");
    assert_eq!(
        util::stderr(&out),
        "warning: no voice named 'No Such Voice' (`viva devices` lists voices); using the defaults\n"
    );
}

#[test]
fn say_without_a_speech_service_prints_the_text_and_one_warning() {
    let dir = util::temp_dir();
    let runtime = dir.path().join("runtime");
    std::fs::create_dir(&runtime).unwrap();
    let out = util::run(
        util::viva()
            .args(["say", "What", "is", "GitOps?"])
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("SPEECHD_CMD", dir.path().join("no-speech-dispatcher"))
            .env_remove("SPEECHD_ADDRESS"),
    );
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert_eq!(util::stdout(&out), "What is GitOps?\n");
    let stderr = util::stderr(&out);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("warning: no speech service (")
            && stderr.contains("printing instead")
            && stderr.trim_end().ends_with("check with `spd-say hello`"),
        "{stderr}"
    );
}

#[test]
fn say_with_a_stuck_speech_service_gives_up_and_prints() {
    let dir = util::temp_dir();
    // A socket that accepts connections and never answers: what a wedged
    // speech-dispatcher looks like to its clients.
    let socket = dir.path().join("stuck.sock");
    let _stuck = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let out = util::run(util::viva().args(["say", "Still there?"]).env(
        "SPEECHD_ADDRESS",
        format!("unix_socket:{}", socket.display()),
    ));
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert_eq!(util::stdout(&out), "Still there?\n");
    assert_eq!(
        util::stderr(&out),
        "warning: the speech service did not answer within 4s; printing instead. Restart \
         speech-dispatcher (stop its process; it starts again on demand) and check with \
         `spd-say hello`\n"
    );
}

#[test]
fn say_no_tts_prints_without_a_warning() {
    let out = util::run(util::viva().args(["say", "--no-tts", "Hello there"]));
    assert!(out.status.success());
    assert_eq!(util::stdout(&out), "Hello there\n");
    assert_eq!(util::stderr(&out), "");
}

#[test]
fn say_rejects_a_rate_outside_zero_to_one() {
    let out = util::run(util::viva().args(["say", "--rate", "2", "Hello"]));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        util::stderr(&out),
        "error: --rate must be between 0.0 and 1.0 (0.5 is normal speed), not 2\n"
    );
}

#[test]
fn record_captures_speech_from_the_microphone_and_stops_on_silence() {
    let _audio = audio_lock();
    let dir = util::temp_dir();
    let (speech, reference) = espeak(
        dir.path(),
        "We build every change and deploy it with Argo CD onto Kubernetes.",
    );
    let answer = dir.path().join("answer.wav");
    let silence_s = 2.0;

    let viva = viva_on_stack()
        .args(["record", "--silence", "2s"])
        .arg(&answer)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let player = wait_with_limit(paplay("fakemic_sink", &speech), Duration::from_secs(30));
    assert!(player.status.success());
    let out = wait_with_limit(viva, Duration::from_secs(30));

    assert!(out.status.success(), "{}", util::stderr(&out));
    let stdout = util::stdout(&out);
    assert!(
        stdout.starts_with(&format!("Saved {}: ", answer.display()))
            && stdout.ends_with(" of 16 kHz mono audio (stopped after 2s of silence).\n"),
        "{stdout}"
    );
    let recorded = util::read_wav(&answer);
    let similarity = correlation(&reference, &recorded);
    assert!(
        similarity > 0.9,
        "correlation with the source only {similarity:.3}"
    );
    let span = level::speech_span(&recorded, 16_000).expect("no speech recorded");
    let duration = recorded.len() as f64 / 16_000.0;
    let silence_at_end = duration - span.last_s;
    assert!(
        (silence_s - 0.1..=silence_s + 1.0).contains(&silence_at_end),
        "stopped {silence_at_end:.2} s after the speech; the bound was {silence_s} s"
    );
    println!(
        "viva record: correlation {similarity:.3}, stopped {silence_at_end:.2} s after speech"
    );
}

#[test]
fn record_stops_at_the_time_limit_exactly() {
    let _audio = audio_lock();
    let dir = util::temp_dir();
    let answer = dir.path().join("answer.wav");
    let out = util::run(
        viva_on_stack()
            .args(["record", "--seconds", "1.5"])
            .arg(&answer),
    );
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert_eq!(
        util::stdout(&out),
        format!(
            "Saved {}: 0:01.5 of 16 kHz mono audio (reached --seconds).\n",
            answer.display()
        )
    );
    assert_eq!(util::read_wav(&answer).len(), 24_000);
    // Nothing played into the microphone: the null sink gives exact zeros.
    let stderr = util::stderr(&out);
    assert!(
        stderr.contains("warning: input device 'fakemic' delivers silence: is it muted?"),
        "{stderr}"
    );
    assert!(stderr.contains("warning: no speech was heard"), "{stderr}");
}

#[test]
fn ctrl_c_finishes_the_file_and_exits_130() {
    let _audio = audio_lock();
    let dir = util::temp_dir();
    let answer = dir.path().join("answer.wav");
    let mut viva = viva_on_stack()
        .args(["record", "--silence", "60s"])
        .arg(&answer)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rest = wait_for_the_banner(&mut viva);
    std::thread::sleep(Duration::from_millis(1_200));
    // The shell's own `kill`: no procps needed.
    let status = Command::new("sh")
        .args(["-c", "kill -INT \"$0\"", &viva.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = wait_with_limit(viva, Duration::from_secs(10));
    let rest = rest.join().unwrap();

    assert_eq!(out.status.code(), Some(130), "{rest}");
    let stdout = util::stdout(&out);
    assert!(
        stdout.ends_with(" of 16 kHz mono audio (stopped by Ctrl-C).\n"),
        "{stdout}"
    );
    let seconds = util::read_wav(&answer).len() as f64 / 16_000.0;
    assert!(
        (0.8..2.5).contains(&seconds),
        "the file holds {seconds:.2} s"
    );
}

#[test]
fn kill_9_mid_recording_leaves_a_readable_wav_up_to_about_the_last_second() {
    let _audio = audio_lock();
    let dir = util::temp_dir();
    let tone = dir.path().join("tone.wav");
    let status = Command::new("sox")
        .args(["-n", "-r", "48000", "-c", "1", "-b", "16"])
        .arg(&tone)
        .args(["synth", "8", "sine", "440", "vol", "0.5"])
        .status()
        .expect("cannot run sox");
    assert!(status.success());
    let answer = dir.path().join("answer.wav");

    let player = paplay("fakemic_sink", &tone);
    std::thread::sleep(Duration::from_millis(300));
    let mut viva = viva_on_stack()
        .args(["record", "--silence", "60s"])
        .arg(&answer)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _rest = wait_for_the_banner(&mut viva);
    let opened = Instant::now();
    std::thread::sleep(Duration::from_millis(3_300));
    // SIGKILL: no chance to finalize the file.
    viva.kill().unwrap();
    let recorded_for = opened.elapsed().as_secs_f64();
    viva.wait().unwrap();
    wait_with_limit(player, Duration::from_secs(15));

    let samples = util::read_wav(&answer);
    let duration = samples.len() as f64 / 16_000.0;
    assert!(
        duration >= recorded_for - 1.2 && duration <= recorded_for + 0.1,
        "the file holds {duration:.2} s after {recorded_for:.2} s of recording"
    );
    // The tone is there to the end of what the file holds.
    let last_half_second = &samples[samples.len() - 8_000..];
    assert!(
        level::dbfs(last_half_second) > -12.0,
        "the end of the file is not the tone: {} dBFS",
        level::dbfs(last_half_second)
    );
    println!("kill -9: {duration:.2} s in the file after {recorded_for:.2} s of recording");
}

#[test]
fn losing_the_audio_server_mid_recording_is_an_error_and_keeps_the_file() {
    // A stack of its own, to take down under viva.
    let dir = util::temp_dir();
    let private = dir.path().join("stack");
    let script = util::repo_root().join("scripts/audio-stack");
    let up = Command::new(&script)
        .arg("up")
        .env("VIVA_AUDIO_STACK_DIR", &private)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(up.status.success(), "{}", util::stderr(&up));
    let answer = dir.path().join("answer.wav");
    let mut viva = util::viva();
    for line in util::stdout(&up).lines() {
        if let Some((name, value)) = line.strip_prefix("export ").and_then(|a| a.split_once('=')) {
            viva.env(name, value.trim_matches('\''));
        }
    }
    let viva = viva
        .args(["record", "--seconds", "20"])
        .arg(&answer)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1_500));
    let down = Command::new(&script)
        .arg("down")
        .env("VIVA_AUDIO_STACK_DIR", &private)
        .output()
        .unwrap();
    assert!(down.status.success(), "{}", util::stderr(&down));
    let out = wait_with_limit(viva, Duration::from_secs(15));

    assert_eq!(out.status.code(), Some(1));
    let stderr = util::stderr(&out);
    assert!(
        stderr.ends_with(
            "error: input device 'fakemic' stopped delivering audio (PulseAudio disconnected); \
             the file holds what came before\n"
        ),
        "{stderr}"
    );
    assert!(
        util::stdout(&out).contains("(the input device stopped)"),
        "{}",
        util::stdout(&out)
    );
    let kept = util::read_wav(&answer).len() as f64 / 16_000.0;
    assert!((0.5..3.0).contains(&kept), "the file holds {kept:.2} s");
}

#[test]
fn record_from_a_nonexistent_input_device_lists_the_devices() {
    let dir = util::temp_dir();
    let answer = dir.path().join("answer.wav");
    let out = util::run(
        viva_on_stack()
            .args(["record", "--input-device", "no-such-mic"])
            .arg(&answer),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        util::stderr(&out),
        "error: no input device matches 'no-such-mic'. Input devices (PulseAudio): \
         speaker.monitor (Monitor of speaker), fakemic_sink.monitor (Monitor of fakemic_sink), \
         fakemic\n"
    );
    assert!(!answer.exists());
}

#[test]
fn record_into_a_missing_directory_is_one_clear_error() {
    let _audio = audio_lock();
    let dir = util::temp_dir();
    let answer = dir.path().join("missing/answer.wav");
    let out = util::run(viva_on_stack().arg("record").arg(&answer));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        util::stderr(&out),
        format!(
            "error: cannot create {}: No such file or directory (os error 2)\n",
            answer.display()
        )
    );
}

#[test]
fn devices_lists_inputs_outputs_and_voices() {
    let out = util::run(viva_on_stack().arg("devices"));
    assert!(out.status.success(), "{}", util::stderr(&out));
    let stdout = util::stdout(&out);
    assert!(
        stdout.starts_with(
            "Inputs (PulseAudio), for --input-device NAME:\n\
             \x20 speaker.monitor       Monitor of speaker\n\
             \x20 fakemic_sink.monitor  Monitor of fakemic_sink\n\
             \x20 fakemic               fakemic  (default)\n\
             Outputs (PulseAudio):\n\
             \x20 speaker       speaker  (default)\n\
             \x20 fakemic_sink  fakemic_sink\n\
             Voices, for viva say --voice NAME ("
        ),
        "{stdout}"
    );
    assert!(stdout.contains("\n  English (America)  "), "{stdout}");
}
