//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `viva` command with a clean environment for viva's own variables.
pub fn viva() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_viva"));
    cmd.env_remove("VIVA_MODEL")
        .env_remove("VIVA_SESSIONS")
        .env_remove("VIVA_MODELS_DIR");
    cmd
}

/// Run a command and return its output (stdin closed).
pub fn run(cmd: &mut Command) -> Output {
    cmd.stdin(std::process::Stdio::null())
        .output()
        .expect("failed to start viva")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The default model in the checkout's models directory (fetched by set-up).
pub fn default_model() -> PathBuf {
    let path = repo_root().join("models/ggml-tiny.en-q8_0.bin");
    assert!(
        path.is_file(),
        "{} is missing: run `scripts/setup` (or `cargo run -- model fetch`) first",
        path.display()
    );
    path
}

/// A fresh temporary directory, removed when dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("cannot create a temp dir")
}

/// True when `path` exists.
pub fn exists(path: &Path) -> bool {
    path.exists()
}

/// A WAV file that must be 16 kHz mono 16-bit, as f32.
pub fn read_wav(path: &Path) -> Vec<f32> {
    let mut reader = hound::WavReader::open(path)
        .unwrap_or_else(|err| panic!("{} does not read as WAV: {err}", path.display()));
    let spec = reader.spec();
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (16_000, 1, 16),
        "{}",
        path.display()
    );
    reader
        .samples::<i16>()
        .map(|sample| f32::from(sample.unwrap()) / 32768.0)
        .collect()
}

/// Write 16 kHz mono 16-bit samples to a WAV file.
pub fn write_wav(path: &Path, samples: &[f32]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for &s in samples {
        writer.write_sample((s * 32_767.0) as i16).unwrap();
    }
    writer.finalize().unwrap();
}
