//! The headless audio stack for tests that need a speaker and a microphone:
//! `scripts/audio-stack` (PulseAudio with a `speaker` sink and a `fakemic`
//! source fed from `fakemic_sink`, speech-dispatcher speaking into
//! `speaker`), started once per test run and torn down when it ends. If it
//! cannot start, the tests that use it fail with the reason. Tests take
//! [`audio_lock`]: they share one speaker and one microphone.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use crate::util;

/// The environment a client of the running stack needs.
pub struct Stack {
    env: Vec<(String, String)>,
}

/// Start (or reuse) the stack; panics with the script's reason if it cannot.
pub fn stack() -> &'static Stack {
    static STACK: OnceLock<Stack> = OnceLock::new();
    STACK.get_or_init(|| {
        let script = util::repo_root().join("scripts/audio-stack");
        let out = Command::new(&script)
            .args(["up", "--owner", &std::process::id().to_string()])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|err| panic!("cannot run {}: {err}", script.display()));
        assert!(
            out.status.success(),
            "the headless audio stack did not come up ({}):\n{}",
            out.status,
            util::stderr(&out)
        );
        let env = util::stdout(&out)
            .lines()
            .filter_map(|line| line.strip_prefix("export "))
            .filter_map(|assignment| assignment.split_once('='))
            .map(|(name, value)| (name.to_owned(), value.trim_matches('\'').to_owned()))
            .collect::<Vec<_>>();
        assert!(
            env.iter().any(|(name, _)| name == "PULSE_SERVER"),
            "scripts/audio-stack printed no PULSE_SERVER:\n{}",
            util::stdout(&out)
        );
        Stack { env }
    })
}

/// One test at a time on the shared speaker and microphone.
pub fn audio_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Stack {
    /// `(name, value)` of each variable a client of the stack needs.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }
}

/// A command that talks to the stack.
pub fn on_stack(mut cmd: Command) -> Command {
    for (name, value) in &stack().env {
        cmd.env(name, value);
    }
    cmd
}

pub fn viva_on_stack() -> Command {
    on_stack(util::viva())
}

/// Record `source` (a PulseAudio source) as raw 16 kHz mono s16 into `path`.
/// The samples of a raw recording made by [`parec`] (16-bit, 16 kHz mono).
pub fn read_raw(path: &Path) -> Vec<f32> {
    std::fs::read(path)
        .unwrap()
        .chunks_exact(2)
        .map(|pair| f32::from(i16::from_le_bytes([pair[0], pair[1]])) / 32768.0)
        .collect()
}

pub fn parec(source: &str, path: &Path) -> Child {
    let file = std::fs::File::create(path).unwrap();
    on_stack(Command::new("parec"))
        .args([
            "--raw",
            "--latency-msec=20",
            "--format=s16le",
            "--rate=16000",
            "--channels=1",
        ])
        .args(["-d", source])
        .stdout(file)
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot run parec (pulseaudio-utils)")
}

/// Play a WAV file into a PulseAudio sink.
pub fn paplay(sink: &str, wav: &Path) -> Child {
    on_stack(Command::new("paplay"))
        .args(["-d", sink])
        .arg(wav)
        .spawn()
        .expect("cannot run paplay (pulseaudio-utils)")
}

/// Wait for a child, killing it after `limit`.
pub fn wait_with_limit(mut child: Child, limit: Duration) -> Output {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}; stderr:\n{}",
                util::stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
