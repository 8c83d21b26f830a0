//! A `viva practice` running on the audio stack, with its stdout and stderr
//! read line by line so a test can act when something is printed
//! ("Recording", "Time's up."), send it signals, and read the session it
//! leaves.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::audio_stack;
use crate::util;

pub struct LiveSession {
    pub child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
    readers: Vec<JoinHandle<Vec<String>>>,
}

impl LiveSession {
    /// `viva practice ARGS --sessions SESSIONS --model <tiny.en>` on the stack.
    pub fn start(args: &[&str], sessions: &Path) -> Self {
        let mut cmd = audio_stack::viva_on_stack();
        cmd.arg("practice")
            .args(args)
            .arg("--sessions")
            .arg(sessions)
            .arg("--model")
            .arg(util::default_model());
        Self::spawn(cmd)
    }

    /// Any command, stdin closed, both outputs read.
    pub fn spawn(mut cmd: Command) -> Self {
        use std::io::BufRead;
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start viva");
        let (tx, lines) = channel();
        let mut readers = Vec::new();
        let stdout: Box<dyn std::io::Read + Send> = Box::new(child.stdout.take().unwrap());
        let stderr: Box<dyn std::io::Read + Send> = Box::new(child.stderr.take().unwrap());
        for stream in [stdout, stderr] {
            let tx = tx.clone();
            readers.push(std::thread::spawn(move || {
                let mut all = Vec::new();
                for line in std::io::BufReader::new(stream)
                    .lines()
                    .map_while(Result::ok)
                {
                    let _ = tx.send(line.clone());
                    all.push(line);
                }
                all
            }));
        }
        Self {
            child,
            lines,
            seen: Vec::new(),
            readers,
        }
    }

    /// Wait (at most `limit`) for a line (stdout or stderr) that contains
    /// `text`; returns when it was seen.
    pub fn wait_for(&mut self, text: &str, limit: Duration) -> Instant {
        let deadline = Instant::now() + limit;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(text);
                    self.seen.push(line);
                    if found {
                        return Instant::now();
                    }
                }
                Err(_) => break,
            }
        }
        let _ = self.child.kill();
        panic!(
            "no line with {text:?} within {limit:?}; output so far:\n{}",
            self.seen.join("\n")
        );
    }

    /// Send a signal (`INT`, `TERM`, `KILL`) with the shell's own `kill`.
    pub fn signal(&self, name: &str) {
        let status = Command::new("sh")
            .args([
                "-c",
                &format!("kill -{name} \"$0\""),
                &self.child.id().to_string(),
            ])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name} failed");
    }

    /// Wait for the end (killing it after `limit`); the exit status, stdout
    /// and stderr.
    pub fn finish(self, limit: Duration) -> (ExitStatus, String, String) {
        let started = Instant::now();
        let mut child = self.child;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                let output: Vec<String> = self
                    .readers
                    .into_iter()
                    .flat_map(|reader| reader.join().unwrap())
                    .collect();
                panic!(
                    "still running after {limit:?}; output:\n{}",
                    output.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut readers = self.readers.into_iter();
        let stdout = readers.next().unwrap().join().unwrap().join("\n");
        let stderr = readers.next().unwrap().join().unwrap().join("\n");
        (status, stdout, stderr)
    }
}

/// The session folders in `sessions`, oldest first.
pub fn sessions_in(sessions: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(sessions)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The answers of a session folder's `session.json`.
pub fn answers(folder: &Path) -> Vec<Value> {
    read_json(&folder.join("session.json"))["answers"]
        .as_array()
        .unwrap()
        .clone()
}
