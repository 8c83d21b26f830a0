//! How well viva judges talking points, against the labelled set in
//! tests/fixtures/coverage (see its README), and how long the analysis of a
//! 2-minute answer takes with the embedding model loaded.
//!
//!     cargo bench --bench coverage            # dev, held-out and fresh figures, speed
//!     cargo bench --bench coverage -- --fit   # fit the judge's weights on dev only
//!     cargo bench --bench coverage -- --speed # only the speed
//!     cargo bench --bench coverage -- --dump F # what the judge sees of each dev answer, JSON lines
//!
//! With `VIVA_COVERAGE_ERRORS=1`, `--fit` prints each dev point the
//! leave-one-question-out fit gets wrong, and both modes print the dev
//! answers whose STAR parts are wrong, with each passage's part (never the
//! held-out ones: they are not for tuning).
//!
//! Accuracy, precision and recall are over (answer, talking point) labels,
//! per bank, for the dev part and, apart, for the two held-out parts: the
//! held-out questions of the dev banks, and the fresh part (three banks
//! written after the judge, answered nowhere else). The judge's weights were
//! fitted on the dev part only (`--fit` never reads the held-out files); the
//! held-out figures are the honest ones.

// The small matrix code of the fit reads best with indices.
#![allow(clippy::needless_range_loop)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Deserialize;
use viva::analysis::eval::{self, FEATURES, FEATURE_COUNT};
use viva::bank::{Bank, Question};
use viva::model::embedder::Embedder;
use viva::stt::transcript::{Segment, Transcript};

// The allocator viva's binary uses (see src/main.rs), so that the timing
// is the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/coverage");
const BUILTIN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/banks/platform-engineer.toml"
);
const MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/all-minilm-l6-v2");

#[derive(Deserialize)]
struct Answers {
    answers: Vec<Labelled>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Labelled {
    id: String,
    bank: String,
    question: String,
    kinds: Vec<String>,
    text: String,
    covered: Vec<String>,
    missed: Vec<String>,
    star: Option<StarLabels>,
    notes: String,
}

#[derive(Deserialize)]
struct StarLabels {
    situation: bool,
    task: bool,
    action: bool,
    result: bool,
}

fn load_bank(path: &Path) -> Bank {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    viva::bank::check::parse(&text)
        .unwrap_or_else(|_| panic!("{} is not a valid bank", path.display()))
}

fn banks() -> BTreeMap<String, Bank> {
    let mut banks = BTreeMap::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(Path::new(FIXTURES).join("banks"))
        .expect("the coverage banks")
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.push(PathBuf::from(BUILTIN));
    for path in paths {
        let bank = load_bank(&path);
        banks.insert(bank.id.clone(), bank);
    }
    banks
}

fn answers(file: &str) -> Vec<Labelled> {
    let path = Path::new(FIXTURES).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str::<Answers>(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .answers
}

/// The bank question a labelled answer answers.
fn question_of<'a>(banks: &'a BTreeMap<String, Bank>, answer: &Labelled) -> &'a Question {
    banks[&answer.bank]
        .questions
        .iter()
        .find(|q| q.id == answer.question)
        .unwrap_or_else(|| panic!("{}: no question {}", answer.id, answer.question))
}

/// One judged label.
struct Judged {
    bank: String,
    point: String,
    question: String,
    truth: bool,
    said: bool,
    features: Option<[f64; FEATURE_COUNT]>,
}

fn judge_all(
    banks: &BTreeMap<String, Bank>,
    answers: &[Labelled],
    embedder: Option<&Embedder>,
) -> Vec<Judged> {
    let mut out = Vec::new();
    for answer in answers {
        let question = question_of(banks, answer);
        for verdict in eval::judge_written(question, &answer.text, embedder) {
            let truth = answer.covered.contains(&verdict.point);
            assert!(
                truth || answer.missed.contains(&verdict.point),
                "{}: {} is not labelled",
                answer.id,
                verdict.point
            );
            out.push(Judged {
                bank: answer.bank.clone(),
                point: format!(
                    "{} #{}",
                    verdict.point,
                    answer.id.rsplit('-').next().unwrap_or("")
                ),
                question: answer.question.clone(),
                truth,
                said: verdict.covered,
                features: verdict.features,
            });
        }
    }
    out
}

/// (labels, accuracy, precision, recall).
fn scores<'a>(labels: impl Iterator<Item = (bool, bool)> + 'a) -> (usize, f64, f64, f64) {
    let (mut n, mut right, mut tp, mut fp, mut fn_) = (0, 0, 0, 0, 0);
    for (truth, said) in labels {
        n += 1;
        right += usize::from(truth == said);
        tp += usize::from(truth && said);
        fp += usize::from(!truth && said);
        fn_ += usize::from(truth && !said);
    }
    let ratio = |a: usize, b: usize| {
        if b == 0 {
            f64::NAN
        } else {
            a as f64 / b as f64
        }
    };
    (n, ratio(right, n), ratio(tp, tp + fp), ratio(tp, tp + fn_))
}

fn print_part(part: &str, judged: &[Judged]) {
    let mut names: Vec<&str> = judged.iter().map(|j| j.bank.as_str()).collect();
    names.dedup();
    names.sort();
    names.dedup();
    for name in names.iter().copied().chain(["all"]) {
        let (n, accuracy, precision, recall) = scores(
            judged
                .iter()
                .filter(|j| name == "all" || j.bank == name)
                .map(|j| (j.truth, j.said)),
        );
        println!("{part:<9} {name:<27} {n:>6} {accuracy:>9.3} {precision:>10.3} {recall:>7.3}");
    }
}

fn header() {
    println!(
        "{:<9} {:<27} {:>6} {:>9} {:>10} {:>7}",
        "part", "bank", "points", "accuracy", "precision", "recall"
    );
}

/// STAR parts told, against the labels of the behavioural answers.
fn star_accuracy(
    banks: &BTreeMap<String, Bank>,
    answers: &[Labelled],
    embedder: Option<&Embedder>,
    show_errors: bool,
) -> (usize, f64) {
    let mut pairs = Vec::new();
    for answer in answers {
        let Some(labels) = &answer.star else { continue };
        let question = question_of(banks, answer);
        let Some(found) = eval::star_parts(question, &answer.text, embedder) else {
            continue;
        };
        let truth = [labels.situation, labels.task, labels.action, labels.result];
        if show_errors && truth != found {
            println!("  star: {} truth {truth:?} found {found:?}", answer.id);
            for (text, part) in eval::star_passages(question, &answer.text) {
                println!("      {part:?}: {text}");
            }
        }
        pairs.extend(truth.into_iter().zip(found));
    }
    let (n, accuracy, _, _) = scores(pairs.into_iter());
    (n, accuracy)
}

fn main() {
    let fit = std::env::args().any(|arg| arg == "--fit");
    let embedder = Embedder::load(Path::new(MODEL))
        .unwrap_or_else(|e| panic!("{e} (scripts/setup fetches it)"));
    let banks = banks();
    if fit {
        return fit_weights(&banks, &embedder);
    }
    if let Some(path) = std::env::args().skip_while(|a| a != "--dump").nth(1) {
        return dump(&banks, &embedder, Path::new(&path));
    }
    if std::env::args().any(|arg| arg == "--speed") {
        return time_two_minutes(&banks, &answers("answers-dev.toml"), &embedder);
    }
    let dev = answers("answers-dev.toml");
    let parts = [
        ("dev", dev.as_slice()),
        ("held-out", &answers("answers-heldout.toml")),
        ("fresh", &answers("answers-fresh.toml")),
    ];

    println!("Talking points judged against the labels (tests/fixtures/coverage):");
    header();
    for (part, answers) in parts {
        print_part(part, &judge_all(&banks, answers, Some(&embedder)));
    }
    println!("\nThe same, words only (no embedding model):");
    header();
    for (part, answers) in parts {
        print_part(part, &judge_all(&banks, answers, None));
    }

    println!("\nSTAR parts of behavioural answers (told or not):");
    for (part, answers) in parts {
        // Errors are shown for the dev part only: the others are not for tuning.
        let show = part == "dev" && std::env::var_os("VIVA_COVERAGE_ERRORS").is_some();
        let (n, accuracy) = star_accuracy(&banks, answers, Some(&embedder), show);
        println!("{part:<9} accuracy {accuracy:.3} ({n} labels)");
    }
    // A model with nothing cached: the runs above embedded every question.
    drop(embedder);
    let cold = Embedder::load(Path::new(MODEL)).expect("the model loaded once already");
    time_two_minutes(&banks, &dev, &cold);
}

/// Write what the judge sees of each dev answer (never the held-out ones)
/// as JSON lines, for trying features outside Rust.
fn dump(banks: &BTreeMap<String, Bank>, embedder: &Embedder, path: &Path) {
    let mut out = String::new();
    for answer in answers("answers-dev.toml") {
        let question = question_of(banks, &answer);
        let mut row = eval::dump_written(question, &answer.text, embedder);
        row["id"] = answer.id.clone().into();
        row["bank"] = answer.bank.clone().into();
        row["question"] = answer.question.clone().into();
        row["covered_truth"] = answer.covered.clone().into();
        out.push_str(&row.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).expect("the dump file");
}

/// The analysis of a 2-minute answer (about 300 words in 10-second
/// segments): the first run (the question's side not yet cached), the
/// median of later ones, and the first run after the question was prepared
/// as `viva practice` prepares it.
fn time_two_minutes(banks: &BTreeMap<String, Bank>, dev: &[Labelled], embedder: &Embedder) {
    let source = dev
        .iter()
        .max_by_key(|a| a.text.split_whitespace().count())
        .unwrap();
    let question = question_of(banks, source);
    let mut words: Vec<&str> = Vec::new();
    while words.len() < 300 {
        words.extend(source.text.split_whitespace());
    }
    words.truncate(300);
    let segments: Vec<Segment> = words
        .chunks(25)
        .enumerate()
        .map(|(index, chunk)| Segment {
            start_s: index as f64 * 10.0,
            end_s: index as f64 * 10.0 + 10.0,
            text: chunk.join(" "),
        })
        .collect();
    let transcript = Transcript {
        duration_s: segments.last().map_or(0.0, |s| s.end_s),
        text: words.join(" "),
        segments,
        no_speech: false,
        processing_s: 0.0,
        repairs: Vec::new(),
        gaps: Vec::new(),
    };
    let run = || {
        let start = Instant::now();
        std::hint::black_box(eval::analyse_answer(question, &transcript, Some(embedder)));
        start.elapsed().as_secs_f64() * 1000.0
    };
    let first = run();
    let mut later: Vec<f64> = (0..15).map(|_| run()).collect();
    // As `viva practice` runs it: the question's side embedded while the
    // question is asked, by a model with nothing cached yet.
    let fresh = Embedder::load(Path::new(MODEL)).expect("the model loaded once already");
    let start = Instant::now();
    eval::prepare_question(question, &fresh);
    let prepare_ms = start.elapsed().as_secs_f64() * 1000.0;
    let start = Instant::now();
    std::hint::black_box(eval::analyse_answer(question, &transcript, Some(&fresh)));
    let prepared_ms = start.elapsed().as_secs_f64() * 1000.0;
    later.sort_by(f64::total_cmp);
    if std::env::args().any(|arg| arg == "--speed") {
        let passages: Vec<String> = eval::star_passages(question, &transcript.text)
            .into_iter()
            .map(|(text, _)| text)
            .collect();
        let sentences: Vec<&str> = passages.iter().map(String::as_str).collect();
        let start = Instant::now();
        std::hint::black_box(embedder.embed(&sentences).unwrap());
        println!(
            "  of which embedding its {} passages alone: {:.0} ms",
            sentences.len(),
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
    println!(
        "Analysis of a 2-minute answer ({} words, {:.0} s), embeddings included: first {first:.0} ms, then median {:.0} ms",
        words.len(),
        transcript.duration_s,
        later[later.len() / 2]
    );
    println!(
        "  with the question prepared while it is asked ({prepare_ms:.0} ms): first {prepared_ms:.0} ms"
    );
}

/// Fit the judge's weights on the dev part (the held-out file is never
/// read here), print them as Rust, and the leave-one-question-out figures.
fn fit_weights(banks: &BTreeMap<String, Bank>, embedder: &Embedder) {
    let dev = answers("answers-dev.toml");
    let judged = judge_all(banks, &dev, Some(embedder));
    let rows: Vec<([f64; FEATURE_COUNT], bool, &str)> = judged
        .iter()
        .map(|j| {
            (
                j.features.expect("features with the model"),
                j.truth,
                j.question.as_str(),
            )
        })
        .collect();
    let weights = logistic(&rows.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>());
    println!(
        "Fitted on {} dev labels; features: {FEATURES:?}",
        rows.len()
    );
    println!(
        "pub(crate) const WEIGHTS: [f64; FEATURE_COUNT + 1] = [{}];",
        weights
            .iter()
            .map(|w| format!("{w:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    // Leave one question out.
    let mut questions: Vec<&str> = rows.iter().map(|r| r.2).collect();
    questions.sort();
    questions.dedup();
    let mut pairs = Vec::new();
    let show = std::env::var_os("VIVA_COVERAGE_ERRORS").is_some();
    for question in &questions {
        let train: Vec<([f64; FEATURE_COUNT], bool)> = rows
            .iter()
            .filter(|r| r.2 != *question)
            .map(|r| (r.0, r.1))
            .collect();
        let w = logistic(&train);
        for (index, row) in rows.iter().enumerate().filter(|(_, r)| r.2 == *question) {
            let p = eval::probability_with(&w, &row.0);
            if show && (p >= 0.5) != row.1 {
                let j = &judged[index];
                println!(
                    "  wrong: {} / {} truth {} p {p:.2} {:.2?}",
                    j.question, j.point, row.1, row.0
                );
            }
            pairs.push((row.1, p));
        }
    }
    for threshold in [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6] {
        let (n, accuracy, precision, recall) =
            scores(pairs.iter().map(|&(truth, p)| (truth, p >= threshold)));
        println!(
            "leave-one-question-out on dev, threshold {threshold}: {n} labels, accuracy {accuracy:.3}, precision {precision:.3}, recall {recall:.3}"
        );
    }
    let (n, accuracy, precision, recall) = scores(judged.iter().map(|j| (j.truth, j.said)));
    println!("the weights in the code, on dev: {n} labels, accuracy {accuracy:.3}, precision {precision:.3}, recall {recall:.3}");
    let (n, accuracy) = star_accuracy(banks, &dev, Some(embedder), show);
    println!("STAR parts on dev: {n} labels, accuracy {accuracy:.3}");
    let (n, accuracy) = star_accuracy(banks, &dev, None, false);
    println!("STAR parts on dev, words only: {n} labels, accuracy {accuracy:.3}");
}

/// L2-regularised logistic regression (Newton's method) on standardised
/// features; returns raw-scale weights, then the bias.
fn logistic(rows: &[([f64; FEATURE_COUNT], bool)]) -> [f64; FEATURE_COUNT + 1] {
    const L2: f64 = 0.3;
    const K: usize = FEATURE_COUNT;
    let n = rows.len() as f64;
    let mut mean = [0.0; K];
    let mut sd = [0.0; K];
    for (x, _) in rows {
        for k in 0..K {
            mean[k] += x[k] / n;
        }
    }
    for (x, _) in rows {
        for k in 0..K {
            sd[k] += (x[k] - mean[k]).powi(2) / n;
        }
    }
    let sd = sd.map(|v| if v > 1e-12 { v.sqrt() } else { 1.0 });
    let z: Vec<([f64; K + 1], f64)> = rows
        .iter()
        .map(|(x, y)| {
            let mut v = [1.0; K + 1];
            for k in 0..K {
                v[k] = (x[k] - mean[k]) / sd[k];
            }
            (v, f64::from(u8::from(*y)))
        })
        .collect();
    let mut w = [0.0; K + 1];
    for _ in 0..50 {
        let mut gradient = [0.0; K + 1];
        let mut hessian = [[0.0; K + 1]; K + 1];
        for (x, y) in &z {
            let p = 1.0 / (1.0 + (-x.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>()).exp());
            for i in 0..=K {
                gradient[i] += (p - y) * x[i];
                for j in 0..=K {
                    hessian[i][j] += p * (1.0 - p) * x[i] * x[j];
                }
            }
        }
        for i in 0..K {
            gradient[i] += L2 * w[i];
            hessian[i][i] += L2;
        }
        for (i, row) in hessian.iter_mut().enumerate() {
            row[i] += 1e-9;
        }
        let step = solve(hessian, gradient);
        for i in 0..=K {
            w[i] -= step[i];
        }
    }
    let mut raw = [0.0; K + 1];
    raw[K] = w[K];
    for k in 0..K {
        raw[k] = w[k] / sd[k];
        raw[K] -= w[k] * mean[k] / sd[k];
    }
    raw
}

/// Solve `a x = b` by Gaussian elimination with partial pivoting.
fn solve<const N: usize>(mut a: [[f64; N]; N], mut b: [f64; N]) -> [f64; N] {
    for col in 0..N {
        let pivot = (col..N)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap();
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..N {
            let factor = a[row][col] / a[col][col];
            for k in col..N {
                a[row][k] -= factor * a[col][k];
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = [0.0; N];
    for row in (0..N).rev() {
        let tail: f64 = (row + 1..N).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    x
}
