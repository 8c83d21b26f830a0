//! `viva model fetch | import | list | verify`: get, convert and check
//! Whisper models and the sentence-embedding model in the models directory.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::cli::ModelCommand;
use crate::commands::interrupt;
use crate::commands::progress::Bar;
use crate::model::catalog::{self, Catalog, EmbedderEntry, ModelEntry};
use crate::model::embedder::Embedder;
use crate::model::fetch::{self, Outcome};
use crate::model::fetch_embedder::{self, DirStatus};
use crate::model::import;
use crate::model::job::Job;
use crate::model::load;
use crate::model::{error::ModelError, ggml};
use crate::paths;

pub(crate) fn run(args: ModelCommand) -> anyhow::Result<ExitCode> {
    let catalog = Catalog::builtin();
    match args {
        ModelCommand::Fetch { name: Some(name) } => fetch_named(&catalog, &name),
        ModelCommand::Fetch { name: None } => {
            fetch_named(&catalog, &catalog.default)?;
            fetch_named(&catalog, &catalog.default_embedder)
        }
        ModelCommand::Import {
            path,
            name,
            output,
            weights,
        } => import_model(&path, name.as_deref(), output.as_deref(), weights),
        ModelCommand::List => list_models(&catalog),
        ModelCommand::Verify { name: Some(name) } => verify_named(&catalog, &name),
        ModelCommand::Verify { name: None } => {
            verify_named(&catalog, &catalog.default)?;
            verify_named(&catalog, &catalog.default_embedder)
        }
    }
}

fn unknown_model(catalog: &Catalog, name: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "unknown model `{name}`: viva knows {} (see `viva model list`)",
        catalog.names().join(", ")
    )
}

fn known<'a>(catalog: &'a Catalog, name: &str) -> anyhow::Result<&'a ModelEntry> {
    catalog
        .get(name)
        .ok_or_else(|| unknown_model(catalog, name))
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// Fetch the Whisper or embedding model called `name`.
fn fetch_named(catalog: &Catalog, name: &str) -> anyhow::Result<ExitCode> {
    match catalog.embedder(name) {
        Some(embedder) => fetch_embedder(embedder),
        None => fetch_model(known(catalog, name)?),
    }
}

fn fetch_embedder(entry: &EmbedderEntry) -> anyhow::Result<ExitCode> {
    let job = model_job();
    let name = &entry.name;
    match fetch_embedder::fetch(entry, &paths::models_dir(), &job)? {
        fetch_embedder::Outcome::AlreadyPresent { dir } => {
            println!("{name}: {} is already present and verified", dir.display());
        }
        fetch_embedder::Outcome::Fetched { dir, source, bytes } => {
            println!(
                "{name}: wrote {} ({}, sha256 of every file verified) from {source}",
                dir.display(),
                megabytes(bytes)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn fetch_model(model: &ModelEntry) -> anyhow::Result<ExitCode> {
    let name = &model.name;
    let job = model_job();
    match fetch::fetch(model, &paths::models_dir(), &job)? {
        Outcome::AlreadyPresent { path, .. } => {
            println!("{name}: {} is already present and verified", path.display());
        }
        Outcome::Fetched {
            path,
            source,
            bytes,
            ..
        } => {
            println!(
                "{name}: wrote {} ({}, sha256 verified) from {source}",
                path.display(),
                megabytes(bytes)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn import_model(
    path: &Path,
    name: Option<&str>,
    output: Option<&Path>,
    weights: ggml::Weights,
) -> anyhow::Result<ExitCode> {
    let job = model_job();
    let (written, facts) = import::import(path, name, output, &paths::models_dir(), weights, &job)?;
    println!(
        "wrote {} ({}, {} tensors, {}, sha256 {})",
        written.display(),
        facts.name,
        facts.tensors,
        megabytes(facts.bytes),
        facts.sha256
    );
    Ok(ExitCode::SUCCESS)
}

/// A model file's state against the catalogue.
enum FileStatus {
    Missing,
    Verified,
    Mismatch,
    Unreadable(String),
}

fn file_status(model: &ModelEntry, path: &Path) -> (Option<u64>, FileStatus) {
    let Ok(meta) = std::fs::metadata(path) else {
        return (None, FileStatus::Missing);
    };
    match fetch::sha256_file(path) {
        Ok(sha) if model.knows_sha256(&sha) => (Some(meta.len()), FileStatus::Verified),
        Ok(_) => (Some(meta.len()), FileStatus::Mismatch),
        Err(e) => (Some(meta.len()), FileStatus::Unreadable(e.to_string())),
    }
}

fn list_models(catalog: &Catalog) -> anyhow::Result<ExitCode> {
    let dir = paths::models_dir();
    println!("models directory: {}", dir.display());
    let mut rows = vec![[
        "NAME".to_string(),
        "SIZE".into(),
        "STATUS".into(),
        "ABOUT".into(),
    ]];
    for model in &catalog.models {
        let path = dir.join(catalog::file_name(&model.name));
        let (size, status) = file_status(model, &path);
        let status = match status {
            FileStatus::Missing => format!("missing: run `viva model fetch {}`", model.name),
            FileStatus::Verified => "ok (sha256 verified)".into(),
            FileStatus::Mismatch => {
                format!("sha256 mismatch: run `viva model fetch {}`", model.name)
            }
            FileStatus::Unreadable(e) => format!("unreadable: {e}"),
        };
        let mut name = model.name.clone();
        if model.name == catalog.default {
            name.push_str(" (default)");
        }
        rows.push([
            name,
            size.map_or("-".into(), megabytes),
            status,
            model.about.clone(),
        ]);
    }
    for embedder in &catalog.embedders {
        let model_dir = fetch_embedder::model_dir(embedder, &dir);
        let fetch = format!("run `viva model fetch {}`", embedder.name);
        let (size, status) = match fetch_embedder::check(embedder, &model_dir) {
            DirStatus::Missing => (None, format!("missing: {fetch}")),
            DirStatus::Verified { bytes } => (Some(bytes), "ok (sha256 verified)".into()),
            DirStatus::Damaged { bytes, .. } => (Some(bytes), format!("sha256 mismatch: {fetch}")),
        };
        rows.push([
            embedder.name.clone(),
            size.map_or("-".into(), megabytes),
            status,
            embedder.about.clone(),
        ]);
    }
    for path in unknown_model_files(catalog, &dir) {
        let size = std::fs::metadata(&path).map(|m| m.len()).ok();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        rows.push([
            name,
            size.map_or("-".into(), megabytes),
            "not in the catalogue".into(),
            String::new(),
        ]);
    }
    print_table(&rows);
    Ok(ExitCode::SUCCESS)
}

/// `ggml-*.bin` files in the models directory that the catalogue does not name.
fn unknown_model_files(catalog: &Catalog, dir: &Path) -> Vec<PathBuf> {
    let known: Vec<String> = catalog
        .models
        .iter()
        .map(|m| catalog::file_name(&m.name))
        .collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with("ggml-") && n.ends_with(".bin") && !known.iter().any(|k| k == n)
            })
        })
        .collect();
    files.sort();
    files
}

fn print_table(rows: &[[String; 4]]) {
    let width = |col: usize| {
        rows.iter()
            .map(|r| r[col].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths = [width(0), width(1), width(2)];
    for row in rows {
        let line = format!(
            "{:<w0$}  {:>w1$}  {:<w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        println!("{}", line.trim_end());
    }
}

/// Verify the Whisper or embedding model called `name`, or a ggml file.
fn verify_named(catalog: &Catalog, name: &str) -> anyhow::Result<ExitCode> {
    match catalog.embedder(name) {
        Some(embedder) => verify_embedder(embedder),
        None => verify_model(catalog, name),
    }
}

fn verify_embedder(entry: &EmbedderEntry) -> anyhow::Result<ExitCode> {
    let name = &entry.name;
    let dir = fetch_embedder::model_dir(entry, &paths::models_dir());
    match fetch_embedder::check(entry, &dir) {
        DirStatus::Missing => bail!(
            "no {name} model in {}: run `viva model fetch {name}`",
            dir.display()
        ),
        DirStatus::Damaged { files, .. } => bail!(
            "{} is damaged: {} missing or not the catalogue's (sha256); run `viva model fetch {name}` to replace it",
            dir.display(),
            files.join(", ")
        ),
        DirStatus::Verified { .. } => {}
    }
    println!("{}", dir.display());
    println!("  sha256 of {} files: ok", entry.files.len());
    let embedder = Embedder::load(&dir)?;
    let vectors = embedder.embed(&["A sentence to check the model with."])?;
    println!(
        "  loads and embeds: {} numbers per sentence",
        vectors.first().map_or(0, Vec::len)
    );
    println!("ok");
    Ok(ExitCode::SUCCESS)
}

fn verify_model(catalog: &Catalog, name: &str) -> anyhow::Result<ExitCode> {
    let (model, path) = match catalog.get(name) {
        Some(model) => (
            Some(model),
            paths::models_dir().join(catalog::file_name(name)),
        ),
        None if Path::new(name).is_file() => (None, PathBuf::from(name)),
        None => return Err(unknown_model(catalog, name)),
    };
    if !path.is_file() {
        bail!(
            "no {name} model at {}: run `viva model fetch {name}`",
            path.display()
        );
    }
    println!("{}", path.display());
    let sha =
        fetch::sha256_file(&path).with_context(|| format!("cannot read {}", path.display()))?;
    match model {
        Some(model) => match model.source_for(&sha) {
            Some(source) => println!("  sha256 {sha}: ok ({})", source.describe()),
            None => bail!(
                "{} is corrupt or not the catalogue's {name}: its sha256 {sha} matches no source of {name}; run `viva model fetch {name}` to replace it",
                path.display()
            ),
        },
        None => println!("  sha256 {sha} (not a catalogue model: checking that it loads)"),
    }
    let summary = ggml::inspect(&path).map_err(|e| ModelError::NotAModel {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    load::load_context(&path)?;
    let h = summary.hparams;
    println!(
        "  loads in whisper.cpp: {}, {} encoder + {} decoder layers, {} tokens",
        import::model_name(&h),
        h.n_audio_layer,
        h.n_text_layer,
        h.n_vocab
    );
    println!("ok");
    Ok(ExitCode::SUCCESS)
}

/// A job with a progress bar on stderr that Ctrl-C or SIGTERM cancels.
fn model_job() -> Job {
    Job::new(Box::new(Bar::new()), interrupt::watch().flag())
}
