//! The answer keys (Enter done, `s` skip, `r` redo, `q` quit) typed into a
//! real pseudo-terminal, with answers spoken into the virtual microphone.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, CommandBuilder, PtySize};

use crate::audio_stack;
use crate::live::{answers, read_json, sessions_in};
use crate::practice::espeak_to;
use crate::util;

/// What the terminal has shown so far.
#[derive(Clone, Default)]
struct Screen(Arc<Mutex<String>>);

impl Screen {
    /// Wait until the screen shows `text` `count` times in all.
    fn wait_for(&self, text: &str, count: usize, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            let shown = self.0.lock().unwrap().matches(text).count();
            if shown >= count {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} shown {shown} of {count} times within {limit:?}; screen:\n{}",
                self.0.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn keys_in_a_terminal_redo_finish_skip_and_quit() {
    let _audio = audio_stack::audio_lock();
    let tmp = util::temp_dir();
    let sessions = tmp.path().join("sessions");
    let answer = tmp.path().join("answer.wav");
    espeak_to(
        &answer,
        "I would keep the modules small and review every plan.",
    );

    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("cannot open a pseudo-terminal");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_viva"));
    for (name, value) in audio_stack::stack().env() {
        cmd.env(name, value);
    }
    cmd.env_remove("VIVA_MODEL");
    cmd.env("TERM", "xterm");
    cmd.args([
        "practice",
        "--pick",
        "3,4,5",
        "--no-tts",
        "--silence",
        "30s",
        // Keys in follow-ups are the same code; this test drives answers.
        "--follow-ups",
        "0",
    ]);
    cmd.arg("--sessions");
    cmd.arg(&sessions);
    cmd.arg("--model");
    cmd.arg(util::default_model());
    let mut child = pty.slave.spawn_command(cmd).expect("cannot start viva");
    drop(pty.slave);
    let screen = Screen::default();
    let mut reader = pty.master.try_clone_reader().unwrap();
    {
        let screen = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                screen
                    .0
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
    }
    let mut keys = pty.master.take_writer().unwrap();
    let mut press = |key: &[u8]| {
        keys.write_all(key).unwrap();
        keys.flush().unwrap();
    };
    let speak = || {
        let mut player = audio_stack::paplay("fakemic_sink", &answer);
        assert!(player.wait().unwrap().success());
    };
    let hint = "Enter done · s skip · r redo · q quit";
    let limit = Duration::from_secs(60);

    // Question 1: answer, `r` throws it away, answer again, Enter.
    screen.wait_for(hint, 1, limit);
    speak();
    press(b"r");
    screen.wait_for("Discarded; answer again.", 1, limit);
    screen.wait_for("Recording: speak now", 2, limit);
    speak();
    press(b"\r");
    // Question 2: `s` skips it.
    screen.wait_for("Question 2/3", 1, limit);
    screen.wait_for("Recording: speak now", 3, limit);
    press(b"s");
    // Question 3: answer, `q` ends the session and keeps it.
    screen.wait_for("Question 3/3", 1, limit);
    screen.wait_for("Recording: speak now", 4, limit);
    speak();
    press(b"q");

    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "viva did not end:\n{}",
            screen.0.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let shown = screen.0.lock().unwrap().clone();
    assert!(status.success(), "{status:?}\n{shown}");

    let folder = sessions_in(&sessions).pop().unwrap();
    assert_eq!(read_json(&folder.join("session.json"))["status"], "quit");
    let saved = answers(&folder);
    assert_eq!(saved[0]["ended_by"], "enter", "{shown}");
    assert_eq!(saved[0]["status"], "answered");
    let text = saved[0]["text"].as_str().unwrap().to_lowercase();
    assert!(text.contains("modules"), "{text}");
    // The redo left one recording, of the second try: one answer's length.
    let seconds = saved[0]["duration_s"].as_f64().unwrap();
    assert!(seconds < 9.0, "{seconds} s: the discarded take was kept");
    assert_eq!(saved[1]["status"], "skipped");
    assert!(saved[1]["wav"].is_null());
    assert_eq!(saved[2]["ended_by"], "quit");
    assert_eq!(saved[2]["status"], "answered");
}
