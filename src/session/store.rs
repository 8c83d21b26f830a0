//! The session folder on disk: create it, save `session.json` and each
//! answer's JSON atomically, and find sessions again for review, history and
//! `--resume`.

use std::path::{Path, PathBuf};

use thiserror::Error;

use super::record::{AnswerRecord, SessionRecord};
use super::transcript_md;
use crate::fsutil::write_atomic;

/// The file that makes a folder a session.
pub(crate) const SESSION_FILE: &str = "session.json";
/// The session as a person reads it.
pub(crate) const TRANSCRIPT_FILE: &str = "transcript.md";

#[derive(Debug, Error)]
pub(crate) enum StoreError {
    #[error("no sessions in {0}: run `viva practice` first")]
    NoSessions(PathBuf),
    #[error("no session '{name}' in {dir}")]
    NotFound { name: String, dir: PathBuf },
    #[error("'{name}' matches several sessions in {dir}; give more of the name: {}", .candidates.join(", "))]
    Ambiguous {
        name: String,
        dir: PathBuf,
        candidates: Vec<String>,
    },
    #[error("no unfinished session in {dir}{}: start one with `viva practice`", newest_note(.newest))]
    NothingToResume {
        dir: PathBuf,
        newest: Option<String>,
    },
    #[error("session {0} is being run by another viva right now")]
    Busy(String),
    #[error("{path} is not a viva session: {reason}")]
    Damaged { path: PathBuf, reason: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn newest_note(newest: &Option<String>) -> String {
    newest
        .as_ref()
        .map(|name| format!(" (the newest, {name}, is finished)"))
        .unwrap_or_default()
}

/// The lock file a running session holds.
const LOCK_FILE: &str = ".viva.lock";
/// What older versions wrote instead of a lock; removed when seen.
const OLD_PID_FILE: &str = ".viva.pid";

/// A running session's hold on its folder: an advisory lock on
/// [`LOCK_FILE`], which the system releases when the process ends however it
/// ends, so a crash never leaves a session locked.
#[derive(Debug)]
pub(crate) struct SessionLock {
    file: std::fs::File,
    path: PathBuf,
}

impl Drop for SessionLock {
    fn drop(&mut self) {
        // Remove the file while still holding the lock, so no other process
        // can have locked it in between.
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// One session folder.
#[derive(Debug, Clone)]
pub(crate) struct SessionDir {
    path: PathBuf,
}

impl SessionDir {
    /// Create a new, empty session folder `<sessions>/<stamp>-<bank id>`.
    /// `stamp` is the local start time like `2026-11-27_231005`; a clash
    /// (two sessions in one second) gets a `-2`, `-3` … suffix.
    pub(crate) fn create(sessions: &Path, stamp: &str, bank_id: &str) -> anyhow::Result<Self> {
        std::fs::create_dir_all(sessions).map_err(|source| StoreError::Io {
            path: sessions.to_path_buf(),
            source,
        })?;
        let base = format!("{stamp}-{bank_id}");
        for attempt in 1.. {
            let name = match attempt {
                1 => base.clone(),
                n => format!("{base}-{n}"),
            };
            let path = sessions.join(name);
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(Self { path }),
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(source) => return Err(StoreError::Io { path, source }.into()),
            }
        }
        unreachable!("the attempt counter is unbounded")
    }

    /// An existing session folder.
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        if !path.join(SESSION_FILE).is_file() {
            return Err(StoreError::Damaged {
                path: path.to_path_buf(),
                reason: format!("it has no {SESSION_FILE}"),
            });
        }
        Ok(Self {
            path: path.to_path_buf(),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The folder's name, e.g. `2026-11-27_231005-platform-engineer`.
    pub(crate) fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Path of a file inside the session folder.
    pub(crate) fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Take the folder for this process, or [`StoreError::Busy`] when
    /// another viva runs it.
    pub(crate) fn lock(&self) -> Result<SessionLock, StoreError> {
        let path = self.file(LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| StoreError::Io {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => {
                let _ = std::fs::remove_file(self.file(OLD_PID_FILE));
                Ok(SessionLock { file, path })
            }
            Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Busy(self.name())),
            Err(std::fs::TryLockError::Error(source)) => Err(StoreError::Io { path, source }),
        }
    }

    /// Read `session.json`.
    pub(crate) fn load(&self) -> Result<SessionRecord, StoreError> {
        let path = self.file(SESSION_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| StoreError::Io {
            path: path.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|err| StoreError::Damaged {
            path,
            reason: err.to_string(),
        })
    }

    /// Write `session.json` and `transcript.md`, each atomically.
    pub(crate) fn save(&self, record: &SessionRecord) -> anyhow::Result<()> {
        write_json(&self.file(SESSION_FILE), record)?;
        write_atomic(
            &self.file(TRANSCRIPT_FILE),
            transcript_md::transcript_md(record).as_bytes(),
        )
    }

    /// Write an answer's `NN-<id>.json` atomically, and its follow-ups'
    /// `NN-<id>-fN.json`.
    pub(crate) fn save_answer(&self, answer: &AnswerRecord) -> anyhow::Result<()> {
        write_json(&self.file(&format!("{}.json", answer.file_stem())), answer)?;
        for (index, follow_up) in answer.follow_ups.iter().enumerate() {
            let stem = answer.follow_up_stem(index + 1);
            write_json(&self.file(&format!("{stem}.json")), follow_up)?;
        }
        Ok(())
    }
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    write_atomic(path, text.as_bytes())
}

/// Every folder in the sessions directory, oldest first (names start with
/// the start time, so name order is time order). Folders that are not
/// sessions are included: opening them reports why.
pub(crate) fn list(sessions: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let entries = match std::fs::read_dir(sessions) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(StoreError::Io {
                path: sessions.to_path_buf(),
                source,
            })
        }
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .filter(|path| {
            // Hidden folders (editor or sync tool state) are not sessions.
            !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// Find a session: `None` = the newest; else a path to a folder, or a folder
/// name (or unique prefix of one) in the sessions directory.
pub(crate) fn find(sessions: &Path, spec: Option<&str>) -> Result<SessionDir, StoreError> {
    match spec.filter(|spec| !spec.is_empty()) {
        None => {
            let newest = list(sessions)?
                .into_iter()
                .rev()
                .find(|dir| dir.join(SESSION_FILE).is_file())
                .ok_or_else(|| StoreError::NoSessions(sessions.to_path_buf()))?;
            SessionDir::open(&newest)
        }
        Some(spec) => find_named(sessions, spec),
    }
}

/// The session `--resume` continues: the one `spec` names, or the newest
/// unfinished one (a folder whose `session.json` is damaged counts: its
/// repair decides).
pub(crate) fn find_to_resume(
    sessions: &Path,
    spec: Option<&str>,
) -> Result<SessionDir, StoreError> {
    if let Some(spec) = spec.filter(|spec| !spec.is_empty()) {
        return find_named(sessions, spec);
    }
    let folders: Vec<SessionDir> = list(sessions)?
        .iter()
        .filter_map(|path| SessionDir::open(path).ok())
        .collect();
    if folders.is_empty() {
        return Err(StoreError::NoSessions(sessions.to_path_buf()));
    }
    folders
        .iter()
        .rev()
        .find(|dir| dir.load().map_or(true, |record| record.is_unfinished()))
        .cloned()
        .ok_or_else(|| StoreError::NothingToResume {
            dir: sessions.to_path_buf(),
            newest: folders.last().map(SessionDir::name),
        })
}

/// A folder by path, by name, or by a unique prefix of its name.
fn find_named(sessions: &Path, spec: &str) -> Result<SessionDir, StoreError> {
    let as_path = Path::new(spec);
    if as_path.join(SESSION_FILE).is_file() {
        return SessionDir::open(as_path);
    }
    let matches: Vec<PathBuf> = list(sessions)?
        .into_iter()
        .filter(|dir| {
            dir.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(spec))
        })
        .collect();
    // A full name wins over names it is a prefix of (`…-platform-engineer`
    // and `…-platform-engineer-2`).
    if let Some(exact) = matches
        .iter()
        .find(|dir| dir.file_name().is_some_and(|n| n == spec))
    {
        return SessionDir::open(exact);
    }
    match matches.as_slice() {
        [] => Err(StoreError::NotFound {
            name: spec.to_string(),
            dir: sessions.to_path_buf(),
        }),
        [one] => SessionDir::open(one),
        several => Err(StoreError::Ambiguous {
            name: spec.to_string(),
            dir: sessions.to_path_buf(),
            candidates: several
                .iter()
                .filter_map(|dir| dir.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .collect(),
        }),
    }
}
