//! Shared by the benchmarks that need the headless audio stack.

use std::process::{Command, Stdio};

/// Start `scripts/audio-stack` (or reuse a running one; torn down when this
/// process exits) and put its client environment into ours.
pub fn start_stack() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/audio-stack");
    let out = Command::new(script)
        .args(["up", "--owner", &std::process::id().to_string()])
        .stdin(Stdio::null())
        .output()
        .expect("cannot run scripts/audio-stack");
    assert!(
        out.status.success(),
        "the audio stack did not come up: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some((name, value)) = line.strip_prefix("export ").and_then(|a| a.split_once('=')) {
            // Called first thing in main: nothing else reads the environment yet.
            std::env::set_var(name, value.trim_matches('\''));
        }
    }
}
