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
    #[error("{path} is not a viva session: {reason}")]
    Damaged { path: PathBuf, reason: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
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

    /// Write an answer's `NN-<id>.json` atomically.
    pub(crate) fn save_answer(&self, answer: &AnswerRecord) -> anyhow::Result<()> {
        write_json(&self.file(&format!("{}.json", answer.file_stem())), answer)
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
    match spec {
        None | Some("") => {
            let newest = list(sessions)?
                .into_iter()
                .rev()
                .find(|dir| dir.join(SESSION_FILE).is_file())
                .ok_or_else(|| StoreError::NoSessions(sessions.to_path_buf()))?;
            SessionDir::open(&newest)
        }
        Some(spec) => {
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
            match matches.as_slice() {
                [one] => SessionDir::open(one),
                _ => Err(StoreError::NotFound {
                    name: spec.to_string(),
                    dir: sessions.to_path_buf(),
                }),
            }
        }
    }
}
