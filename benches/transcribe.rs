//! Transcription benchmark: viva's real-time factor, word error rate and peak
//! memory on speech of known words, side by side with faster-whisper when its
//! virtualenv exists (`scripts/bench-faster-whisper` makes it).
//!
//!     cargo bench --bench transcribe
//!
//! The speech: the committed fixtures (tests/fixtures/speech/*.wav) and, when
//! espeak-ng and sox are installed, the Harvard sentences of
//! tests/fixtures/speech/bench-corpus.tsv spoken into target/bench-speech/.
//!
//! Environment:
//!   VIVA_BENCH_ROUNDS=N     timed passes over the fixtures (default 3); each
//!                           file's time is its fastest pass, which keeps other
//!                           load on the machine out of the figures
//!   VIVA_BENCH_CONFIGS=all  also run the variants tried when the default was
//!                           chosen (greedy, full audio context, 1 thread,
//!                           flash attention); or a comma list of their names
//!   VIVA_BENCH_FW_VENV=DIR  the faster-whisper venv (default
//!                           target/faster-whisper-venv)
//!   VIVA_BENCH_FW=5x2,1x2   faster-whisper runs as beam x threads (default 5x2:
//!                           its default beam, 2 threads)
//!   VIVA_BENCH_TEXT=1       also print every transcript
//!   VIVA_MODEL=PATH         the ggml model (default: the models directory's)
//!
//! Every engine transcribes the shortest fixture once to warm up before the
//! timed passes; the model load is timed separately.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use viva::audio::wav_read;
use viva::model::locate;
use viva::stt::transcriber::{default_threads, TranscribeOptions, Transcriber};
use viva::stt::wer::{self, WordErrors};
use whisper_rs::WhisperContextParameters;

/// A speech fixture and the words spoken in it.
struct Fixture {
    path: PathBuf,
    reference: String,
    duration_s: f64,
}

/// One engine's results over all fixtures.
struct Run {
    name: String,
    /// Per fixture: fastest processing time and the text.
    per_file: Vec<(f64, String)>,
    load_s: f64,
    peak_mb: Option<f64>,
}

/// A viva configuration to measure.
#[derive(Clone)]
struct VivaConfig {
    name: &'static str,
    options: TranscribeOptions,
    flash_attn: bool,
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is expected.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let speech_dir = root.join("tests/fixtures/speech");
    let mut fixtures = load_fixtures(&speech_dir);
    fixtures.extend(spoken_corpus(
        &speech_dir,
        &root.join("target/bench-speech"),
    ));
    fixtures.sort_by(|a, b| a.duration_s.total_cmp(&b.duration_s));
    let rounds: usize = std::env::var("VIVA_BENCH_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3)
        .max(1);
    let model =
        match locate::resolve_model(std::env::var_os("VIVA_MODEL").map(PathBuf::from).as_deref()) {
            Ok(model) => model,
            Err(err) => {
                eprintln!("bench transcribe: {err}");
                std::process::exit(1);
            }
        };
    let total_audio: f64 = fixtures.iter().map(|f| f.duration_s).sum();
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!(
        "transcribe benchmark: {} clips, {:.1} s of audio, {} round(s), model {}, {} cores, viva's default threads {}",
        fixtures.len(),
        total_audio,
        rounds,
        model.display(),
        cores,
        default_threads()
    );

    let configs = chosen_configs();
    let venv = std::env::var_os("VIVA_BENCH_FW_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/faster-whisper-venv"));
    let faster_whisper = FasterWhisper::find(&root, &venv);
    if faster_whisper.is_none() {
        println!(
            "faster-whisper: no venv at {} (run scripts/bench-faster-whisper for the side-by-side comparison)",
            venv.display()
        );
    }

    let mut runs: BTreeMap<String, Run> = BTreeMap::new();
    for round in 0..rounds {
        for config in &configs {
            let run = run_viva(&model, config, &fixtures);
            merge(&mut runs, run, round);
        }
        if let Some(fw) = &faster_whisper {
            for &(beam, threads) in &faster_whisper_runs() {
                match fw.run(&fixtures, beam, threads) {
                    Ok(run) => merge(&mut runs, run, round),
                    Err(err) => println!("faster-whisper failed: {err}"),
                }
            }
        }
    }
    print_table(&fixtures, &configs, &runs);
}

/// The configurations to measure: the default, and on request the variants.
fn chosen_configs() -> Vec<VivaConfig> {
    let default = TranscribeOptions::default();
    let variant = |name, change: fn(&mut TranscribeOptions), flash_attn| {
        let mut options = default.clone();
        change(&mut options);
        VivaConfig {
            name,
            options,
            flash_attn,
        }
    };
    let all = vec![
        variant("viva (default)", |_| {}, false),
        variant("viva beam 2", |o| o.beam = 2, false),
        variant("viva beam 3", |o| o.beam = 3, false),
        variant("viva beam 5", |o| o.beam = 5, false),
        variant("viva 2 threads", |o| o.threads = 2, false),
        variant("viva 1 thread", |o| o.threads = 1, false),
        variant("viva whole windows", |o| o.fit_context = false, false),
        variant(
            "viva beam 5 whole windows",
            |o| {
                o.beam = 5;
                o.fit_context = false;
            },
            false,
        ),
        variant("viva flash attn", |_| {}, true),
    ];
    match std::env::var("VIVA_BENCH_CONFIGS").as_deref() {
        Ok("all") => all,
        Ok(list) if !list.is_empty() => all
            .into_iter()
            .filter(|c| list.split(',').any(|want| c.name.contains(want.trim())))
            .collect(),
        _ => all.into_iter().take(1).collect(),
    }
}

/// faster-whisper's runs, (beam, threads), from `VIVA_BENCH_FW`.
fn faster_whisper_runs() -> Vec<(usize, usize)> {
    let spec = std::env::var("VIVA_BENCH_FW").unwrap_or_else(|_| "5x2".into());
    spec.split(',')
        .filter_map(|run| {
            let (beam, threads) = run.trim().split_once('x')?;
            Some((beam.parse().ok()?, threads.parse().ok()?))
        })
        .collect()
}

/// The Harvard sentences of `bench-corpus.tsv`, spoken with espeak-ng into
/// `out` the first time (the same way as `make-fixtures`); empty when
/// espeak-ng or sox is missing.
fn spoken_corpus(speech_dir: &Path, out: &Path) -> Vec<Fixture> {
    let Ok(list) = std::fs::read_to_string(speech_dir.join("bench-corpus.tsv")) else {
        return Vec::new();
    };
    if std::fs::create_dir_all(out).is_err() {
        return Vec::new();
    }
    let mut fixtures = Vec::new();
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.splitn(4, '\t').collect();
        let [name, voice, speed, text] = fields[..] else {
            continue;
        };
        let path = out.join(format!("{name}.wav"));
        if !path.is_file() && !speak(voice, speed, text, &path) {
            println!("no espeak-ng or sox: benchmarking the committed fixtures only");
            return Vec::new();
        }
        let audio = wav_read::read_for_whisper(&path).expect("spoken clip must read");
        fixtures.push(Fixture {
            path,
            reference: text.to_string(),
            duration_s: audio.duration_s(),
        });
    }
    fixtures
}

/// Speak `text` into a 16 kHz mono WAV padded like a recorded answer.
fn speak(voice: &str, speed: &str, text: &str, path: &Path) -> bool {
    let raw = path.with_extension("raw.wav");
    let spoke = Command::new("espeak-ng")
        .args(["-v", voice, "-s", speed, "-w"])
        .arg(&raw)
        .arg(text)
        .status()
        .is_ok_and(|s| s.success());
    let converted = spoke
        && Command::new("sox")
            .arg("-D")
            .arg(&raw)
            .args(["-r", "16000", "-c", "1", "-b", "16"])
            .arg(path)
            .args(["pad", "0.3", "0.5"])
            .status()
            .is_ok_and(|s| s.success());
    let _ = std::fs::remove_file(&raw);
    converted
}

fn load_fixtures(dir: &Path) -> Vec<Fixture> {
    let list = std::fs::read_to_string(dir.join("transcripts.tsv"))
        .expect("tests/fixtures/speech/transcripts.tsv is missing");
    list.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (name, reference) = line.split_once('\t').expect("name<TAB>text");
            let path = dir.join(format!("{name}.wav"));
            let audio = wav_read::read_for_whisper(&path).expect("fixture must read");
            Fixture {
                path,
                reference: reference.to_string(),
                duration_s: audio.duration_s(),
            }
        })
        .collect()
}

fn run_viva(model: &Path, config: &VivaConfig, fixtures: &[Fixture]) -> Run {
    reset_peak_memory();
    let started = Instant::now();
    let mut params = WhisperContextParameters::default();
    params.flash_attn(config.flash_attn);
    let transcriber = Transcriber::load_with(model, params).expect("model must load");
    let load_s = started.elapsed().as_secs_f64();
    let transcribe = |fixture: &Fixture| {
        let started = Instant::now();
        let audio = wav_read::read_for_whisper(&fixture.path).expect("fixture must read");
        let transcript = transcriber
            .transcribe(&audio.samples, &config.options)
            .expect("transcription must work");
        (started.elapsed().as_secs_f64(), transcript.text)
    };
    transcribe(&fixtures[0]);
    let per_file = fixtures.iter().map(transcribe).collect();
    Run {
        name: config.name.to_string(),
        per_file,
        load_s,
        peak_mb: peak_memory_mb(),
    }
}

/// Keep each file's fastest time over the rounds.
fn merge(runs: &mut BTreeMap<String, Run>, run: Run, round: usize) {
    match runs.get_mut(&run.name) {
        Some(best) if round > 0 => {
            for (kept, new) in best.per_file.iter_mut().zip(run.per_file) {
                kept.0 = kept.0.min(new.0);
            }
            best.load_s = best.load_s.min(run.load_s);
            best.peak_mb = match (best.peak_mb, run.peak_mb) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
        _ => {
            runs.insert(run.name.clone(), run);
        }
    }
}

fn print_table(fixtures: &[Fixture], configs: &[VivaConfig], runs: &BTreeMap<String, Run>) {
    println!();
    println!(
        "{:<26} {:>6} {:>8} {:>9} {:>8} {:>6} {:>8} {:>7}",
        "engine", "RTF", "<10 s", "10-30 s", ">=30 s", "WER", "peak MB", "load s"
    );
    let mut names: Vec<String> = configs.iter().map(|c| c.name.to_string()).collect();
    names.extend(
        runs.keys()
            .filter(|k| k.starts_with("faster-whisper"))
            .cloned(),
    );
    for name in &names {
        let Some(run) = runs.get(name) else { continue };
        let rtf = |select: &dyn Fn(&Fixture) -> bool| {
            let (time, audio) = fixtures
                .iter()
                .zip(&run.per_file)
                .filter(|(f, _)| select(f))
                .fold((0.0, 0.0), |(t, a), (f, (s, _))| (t + s, a + f.duration_s));
            if audio > 0.0 {
                time / audio
            } else {
                f64::NAN
            }
        };
        let mut errors = WordErrors::default();
        for (fixture, (_, text)) in fixtures.iter().zip(&run.per_file) {
            errors += wer::word_errors(&fixture.reference, text);
        }
        println!(
            "{:<26} {:>6.3} {:>8.3} {:>9.3} {:>8.3} {:>5.1}% {:>8} {:>7.2}",
            name,
            rtf(&|_| true),
            rtf(&|f| f.duration_s < 10.0),
            rtf(&|f| (10.0..30.0).contains(&f.duration_s)),
            rtf(&|f| f.duration_s >= 30.0),
            errors.rate() * 100.0,
            run.peak_mb.map_or("-".into(), |mb| format!("{mb:.0}")),
            run.load_s,
        );
    }
    println!();
    let shown: Vec<&str> = names
        .iter()
        .filter(|n| runs.contains_key(*n))
        .map(String::as_str)
        .collect();
    println!(
        "per clip, seconds of processing and word errors/words, for: {}",
        shown.join(" | ")
    );
    for (i, fixture) in fixtures.iter().enumerate() {
        let name = fixture
            .path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        let cells: Vec<String> = names
            .iter()
            .filter_map(|n| runs.get(n))
            .map(|run| {
                let (seconds, text) = &run.per_file[i];
                let errors = wer::word_errors(&fixture.reference, text);
                format!(
                    "{seconds:.2}s {}/{}",
                    errors.edits(),
                    errors.reference_words
                )
            })
            .collect();
        println!(
            "  {name:<24} {:>5.1}s  {}",
            fixture.duration_s,
            cells.join("  ")
        );
    }
    if std::env::var_os("VIVA_BENCH_TEXT").is_some() {
        for name in &names {
            let Some(run) = runs.get(name) else { continue };
            println!("\n{name}:");
            for (fixture, (_, text)) in fixtures.iter().zip(&run.per_file) {
                println!("  {}: {text}", fixture.path.display());
            }
        }
    }
}

/// Reset this process's peak resident memory (Linux), so that each engine's
/// peak is its own.
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// This process's peak resident memory, MB (Linux `VmHWM`).
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// faster-whisper, run by `scripts/bench-faster-whisper.py` in its venv.
struct FasterWhisper {
    python: PathBuf,
    script: PathBuf,
    model: PathBuf,
}

impl FasterWhisper {
    fn find(root: &Path, venv: &Path) -> Option<Self> {
        let python = venv.join("bin/python");
        let model = venv.join("tiny.en-ct2");
        (python.is_file() && model.join("model.bin").is_file()).then(|| Self {
            python,
            script: root.join("scripts/bench-faster-whisper.py"),
            model,
        })
    }

    fn run(&self, fixtures: &[Fixture], beam: usize, threads: usize) -> Result<Run, String> {
        let output = Command::new(&self.python)
            .arg(&self.script)
            .arg("--model")
            .arg(&self.model)
            .args([
                "--beam",
                &beam.to_string(),
                "--threads",
                &threads.to_string(),
            ])
            .args(fixtures.iter().map(|f| &f.path))
            .output()
            .map_err(|err| format!("cannot run {}: {err}", self.python.display()))?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
        let mut per_file = Vec::new();
        let mut peak_mb = None;
        let mut load_s = f64::NAN;
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let value: serde_json::Value =
                serde_json::from_str(line).map_err(|err| format!("{err}: {line}"))?;
            if let Some(peak) = value["peak_rss_mb"].as_f64() {
                peak_mb = Some(peak);
                load_s = value["load_s"].as_f64().unwrap_or(f64::NAN);
            } else {
                let seconds = value["processing_s"].as_f64().ok_or("no processing_s")?;
                let text = value["text"].as_str().unwrap_or_default().to_string();
                per_file.push((seconds, text));
            }
        }
        if per_file.len() != fixtures.len() {
            return Err(format!(
                "{} results for {} files",
                per_file.len(),
                fixtures.len()
            ));
        }
        Ok(Run {
            name: format!("faster-whisper b{beam} t{threads}"),
            per_file,
            load_s,
            peak_mb,
        })
    }
}
