//! `viva model import`: a CTranslate2 (faster-whisper) Whisper model → a
//! whisper.cpp ggml file, written by our own code from the facts in MODELS.md.
//!
//! Two passes over `model.bin`, streamed: the first reads only the shapes
//! and scalars (and refuses a quantized, foreign or truncated model before
//! anything is written); the second writes the ggml file into a temp file in
//! the target directory, one tensor at a time. The result is checked by
//! loading it in whisper.cpp, then renamed into place. The bytes depend only
//! on the input, so the same model always gives the same sha256.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use half::{bf16, f16};
use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use crate::stt::catalog;
use crate::stt::ct2::{Ct2Error, Ct2Reader, Dtype, VarHeader};
use crate::stt::ggml::{self, Hparams, TensorType};
use crate::stt::load;
use crate::stt::mel::whisper_mel_filters;
use crate::stt::model_input::{InputError, ModelInput};
use crate::stt::model_job::{Interrupted, Job};
use crate::stt::model_names::{expected_tensor_names, map_variable, Mapping, Storage};
use crate::stt::vocab::{self, VocabError};

/// The CTranslate2 spec of a Whisper model.
const WHISPER_SPEC: &str = "WhisperSpec";

/// Why a model cannot be imported. `model` is what the user passed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("cannot import {}: {source}", .model.display())]
    Read { model: PathBuf, source: Ct2Error },
    #[error("{} is a CTranslate2 `{spec}` model, not Whisper (`{WHISPER_SPEC}`): viva imports Whisper models only", .model.display())]
    ForeignSpec { model: PathBuf, spec: String },
    #[error("{} is a quantized CTranslate2 model ({dtype} data in `{variable}`): viva converts float16 or float32 models only (export one with `--quantization float16`)", .model.display())]
    Quantized {
        model: PathBuf,
        variable: String,
        dtype: String,
    },
    #[error("{}: variable `{variable}` has no place in a whisper.cpp model (not a Whisper model, or an unknown CTranslate2 layout)", .model.display())]
    UnknownVariable { model: PathBuf, variable: String },
    #[error("{}: the model is incomplete: {what}", .model.display())]
    Incomplete { model: PathBuf, what: String },
    #[error("{}: {what}", .model.display())]
    Unexpected { model: PathBuf, what: String },
    #[error("{}: bad vocabulary.txt: {source}", .model.display())]
    Vocabulary { model: PathBuf, source: VocabError },
    #[error("cannot write {}: {source}", .path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("the converted model does not load in whisper.cpp ({reason}); nothing was written")]
    Rejected { reason: String },
    #[error(transparent)]
    Interrupted(#[from] Interrupted),
}

/// What the first pass learns about the model.
#[derive(Debug)]
struct Plan {
    hparams: Hparams,
    /// Bytes of all variables' data, for the progress bar.
    data_bytes: u64,
}

/// A converted model in a temp file beside its destination, checked by
/// whisper.cpp, not yet in place.
pub struct Converted {
    temp: NamedTempFile,
    /// `tiny.en`, `base`, … from the model's shape.
    pub name: String,
    pub hparams: Hparams,
    pub bytes: u64,
    pub sha256: String,
    pub tensors: usize,
}

impl Converted {
    /// Move the file to `path` (atomically: a rename in the same directory).
    pub fn persist(self, path: &Path) -> Result<(), ImportError> {
        // A temp file is private (0600); a model is an ordinary readable file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let readable = std::fs::Permissions::from_mode(0o644);
            self.temp.as_file().set_permissions(readable).map_err(|source| ImportError::Write {
                path: path.to_path_buf(),
                source,
            })?;
        }
        self.temp.persist(path).map_err(|e| ImportError::Write {
            path: path.to_path_buf(),
            source: e.error,
        })?;
        Ok(())
    }
}

/// The whisper.cpp name of a model with these hyper-parameters (`tiny.en`, `base`, …).
pub fn model_name(h: &Hparams) -> String {
    let size = match (h.n_audio_layer, h.n_vocab) {
        (4, _) => "tiny".to_string(),
        (6, _) => "base".to_string(),
        (12, _) => "small".to_string(),
        (24, _) => "medium".to_string(),
        (32, 51866) => "large-v3".to_string(),
        (32, _) => "large".to_string(),
        (layers, _) => format!("custom-{layers}-layers"),
    };
    if h.is_multilingual() {
        size
    } else {
        format!("{size}.en")
    }
}

/// Import the model at `input`: write `output`, or `<models dir>/ggml-NAME.bin`
/// (NAME given, or from the model's shape). Returns the converted model's facts.
pub fn import(
    input: &Path,
    name: Option<&str>,
    output: Option<&Path>,
    models_dir: &Path,
    job: &Job,
) -> Result<(PathBuf, ConvertedFacts), ImportError> {
    let out_dir = match output {
        Some(out) if out.is_dir() => out.to_path_buf(),
        Some(out) => out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        None => models_dir.to_path_buf(),
    };
    let converted = convert(input, &out_dir, job)?;
    let file_name = catalog::file_name(name.unwrap_or(&converted.name));
    let path = match output {
        Some(out) if out.is_dir() => out.join(file_name),
        Some(out) => out.to_path_buf(),
        None => out_dir.join(file_name),
    };
    let facts = ConvertedFacts::of(&converted);
    converted.persist(&path)?;
    Ok((path, facts))
}

/// A converted model's facts, for reports.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvertedFacts {
    pub name: String,
    pub hparams: Hparams,
    pub bytes: u64,
    pub sha256: String,
    pub tensors: usize,
}

impl ConvertedFacts {
    fn of(c: &Converted) -> Self {
        ConvertedFacts {
            name: c.name.clone(),
            hparams: c.hparams,
            bytes: c.bytes,
            sha256: c.sha256.clone(),
            tensors: c.tensors,
        }
    }
}

/// Convert the model at `input` into a temp file in `out_dir`, checked by whisper.cpp.
pub fn convert(input: &Path, out_dir: &Path, job: &Job) -> Result<Converted, ImportError> {
    let model = ModelInput::locate(input)?;
    let size = model.model_size()?;
    let vocabulary = model.read_vocabulary()?;
    let vocabulary = String::from_utf8(vocabulary).map_err(|_| ImportError::Unexpected {
        model: input.to_path_buf(),
        what: "vocabulary.txt is not UTF-8".into(),
    })?;
    let tokens = vocab::regular_tokens(&vocabulary).map_err(|source| ImportError::Vocabulary {
        model: input.to_path_buf(),
        source,
    })?;

    job.start("reading the model", Some(size * 2));
    let plan = model.with_model_stream(|stream| plan(input, stream, job))?;
    if tokens.len() > plan.hparams.n_vocab as usize {
        return Err(ImportError::Unexpected {
            model: input.to_path_buf(),
            what: format!(
                "vocabulary.txt has {} regular tokens for an embedding of {} rows",
                tokens.len(),
                plan.hparams.n_vocab
            ),
        });
    }

    std::fs::create_dir_all(out_dir).map_err(|source| ImportError::Write {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let mut temp = tempfile::Builder::new()
        .prefix(".viva-import-")
        .tempfile_in(out_dir)
        .map_err(|source| ImportError::Write {
            path: out_dir.to_path_buf(),
            source,
        })?;
    let temp_path = temp.path().to_path_buf();
    let write_error = |source| ImportError::Write {
        path: temp_path.clone(),
        source,
    };
    job.start("converting", Some(size * 2));
    job.advance(plan.data_bytes.min(size));
    let mut out = HashingWriter::new(BufWriter::with_capacity(1 << 20, temp.as_file_mut()));
    let mel = whisper_mel_filters(plan.hparams.n_mels as usize);
    ggml::write_header(&mut out, &plan.hparams, &mel, &tokens).map_err(write_error)?;
    let tensors = model.with_model_stream(|stream| write_tensors(input, stream, &mut out, job))?;
    let (bytes, sha256) = out.finish().map_err(write_error)?;
    temp.as_file().sync_all().map_err(write_error)?;
    job.finish();

    // The last word on the file is whisper.cpp's own loader.
    job.check()?;
    load::load_context(temp.path()).map_err(|e| ImportError::Rejected {
        reason: match e {
            crate::stt::model_error::ModelError::NotAModel { reason, .. } => reason,
            other => other.to_string(),
        },
    })?;

    Ok(Converted {
        temp,
        name: model_name(&plan.hparams),
        hparams: plan.hparams,
        bytes,
        sha256,
        tensors,
    })
}

fn read_error(model: &Path) -> impl Fn(Ct2Error) -> ImportError + '_ {
    move |source| ImportError::Read {
        model: model.to_path_buf(),
        source,
    }
}

/// Layer numbers seen, to count layers and spot gaps.
fn layer_of(name: &str) -> Option<(bool, usize)> {
    let mut parts = name.split('/');
    let encoder = parts.next()? == "encoder";
    let n = parts.next()?.strip_prefix("layer_")?.parse().ok()?;
    Some((encoder, n))
}

fn scalar_int(header: &VarHeader, data: &[u8]) -> Option<i64> {
    match (header.dtype, data.len()) {
        (Dtype::I8, 1) => Some(data[0] as i8 as i64),
        (Dtype::I16, 2) => Some(i16::from_le_bytes([data[0], data[1]]) as i64),
        (Dtype::I32, 4) => Some(i32::from_le_bytes(data.try_into().ok()?) as i64),
        _ => None,
    }
}

/// First pass: check the model and derive the ggml hyper-parameters from its shapes.
fn plan(model: &Path, stream: &mut dyn Read, job: &Job) -> Result<Plan, ImportError> {
    let mut reader = Ct2Reader::new(stream).map_err(read_error(model))?;
    if reader.spec().name != WHISPER_SPEC {
        return Err(ImportError::ForeignSpec {
            model: model.to_path_buf(),
            spec: reader.spec().name.clone(),
        });
    }
    let mut shapes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut heads: [Option<i64>; 2] = [None, None];
    let mut layers: [BTreeSet<usize>; 2] = [BTreeSet::new(), BTreeSet::new()];
    let mut pieces = BTreeSet::new();
    let mut data_bytes = 0u64;
    while let Some(var) = reader.next_var().map_err(read_error(model))? {
        job.check()?;
        job.advance(var.nbytes as u64);
        data_bytes += var.nbytes as u64;
        if var.name.ends_with("weight_scale") || (!var.shape.is_empty() && var.dtype == Dtype::I8) {
            return Err(ImportError::Quantized {
                model: model.to_path_buf(),
                variable: var.name.clone(),
                dtype: format!("{:?}", var.dtype).to_lowercase(),
            });
        }
        let mapping = map_variable(&var.name, &var.shape).ok_or_else(|| ImportError::UnknownVariable {
            model: model.to_path_buf(),
            variable: var.name.clone(),
        })?;
        match mapping {
            Mapping::Ignore => {}
            Mapping::NumHeads { encoder } => {
                let data = reader.read_data().map_err(read_error(model))?;
                heads[usize::from(!encoder)] = scalar_int(&var, &data);
            }
            Mapping::Tensors { pieces: parts, .. } => {
                if !var.dtype.is_float() {
                    return Err(ImportError::Quantized {
                        model: model.to_path_buf(),
                        variable: var.name.clone(),
                        dtype: format!("{:?}", var.dtype).to_lowercase(),
                    });
                }
                if let Some((encoder, n)) = layer_of(&var.name) {
                    layers[usize::from(!encoder)].insert(n);
                }
                for piece in parts {
                    if !pieces.insert(piece.name.clone()) {
                        return Err(ImportError::Unexpected {
                            model: model.to_path_buf(),
                            what: format!("two variables map to `{}`", piece.name),
                        });
                    }
                }
                shapes.insert(var.name.clone(), var.shape.clone());
            }
        }
    }
    // The aliases only tie the output projection to the embedding, which
    // whisper.cpp does by itself; reading them checks the file is complete.
    reader.aliases().map_err(read_error(model))?;

    let incomplete = |what: String| ImportError::Incomplete {
        model: model.to_path_buf(),
        what,
    };
    let shape = |name: &str| {
        shapes
            .get(name)
            .filter(|s| s.len() >= 2)
            .ok_or_else(|| incomplete(format!("no `{name}`")))
    };
    let embedding = shape("decoder/embeddings/weight")?;
    let audio_positions = shape("encoder/position_encodings/encodings")?;
    let text_positions = shape("decoder/position_encodings/encodings")?;
    let conv1 = shape("encoder/conv1/weight")?;
    let mut layer_count = [0usize; 2];
    for (side, seen) in layers.iter().enumerate() {
        let count = seen.len();
        if count == 0 || seen.iter().copied().ne(0..count) {
            let which = if side == 0 { "encoder" } else { "decoder" };
            return Err(incomplete(format!("{which} layers {seen:?} are not 0..N")));
        }
        layer_count[side] = count;
    }
    let head_count = |side: usize| {
        heads[side]
            .filter(|&h| h > 0)
            .ok_or_else(|| incomplete(format!("no `{}/num_heads`", ["encoder", "decoder"][side])))
    };
    let to_i32 = |v: usize| i32::try_from(v).unwrap_or(i32::MAX);
    let hparams = Hparams {
        n_vocab: to_i32(embedding[0]),
        n_audio_ctx: to_i32(audio_positions[0]),
        n_audio_state: to_i32(audio_positions[1]),
        n_audio_head: head_count(0)? as i32,
        n_audio_layer: to_i32(layer_count[0]),
        n_text_ctx: to_i32(text_positions[0]),
        n_text_state: to_i32(embedding[1]),
        n_text_head: head_count(1)? as i32,
        n_text_layer: to_i32(layer_count[1]),
        n_mels: to_i32(conv1[1]),
        ftype: 1,
    };
    let expected = expected_tensor_names(&hparams);
    if let Some(missing) = expected.difference(&pieces).next() {
        return Err(incomplete(format!("nothing for whisper.cpp's `{missing}`")));
    }
    if let Some(extra) = pieces.difference(&expected).next() {
        return Err(ImportError::Unexpected {
            model: model.to_path_buf(),
            what: format!("`{extra}` does not fit a {}-layer model", hparams.n_audio_layer),
        });
    }
    Ok(Plan { hparams, data_bytes })
}

/// Second pass: write every tensor, in the order of `model.bin`.
fn write_tensors(
    model: &Path,
    stream: &mut dyn Read,
    out: &mut impl Write,
    job: &Job,
) -> Result<usize, ImportError> {
    let mut reader = Ct2Reader::new(stream).map_err(read_error(model))?;
    let mut written = 0;
    while let Some(var) = reader.next_var().map_err(read_error(model))? {
        job.check()?;
        let Some(Mapping::Tensors { pieces, zero_rows }) = map_variable(&var.name, &var.shape) else {
            job.advance(var.nbytes as u64);
            continue;
        };
        let data = reader.read_data().map_err(read_error(model))?;
        let rows = var.shape.first().copied().unwrap_or(1).max(1);
        let row_bytes = data.len() / rows;
        if let Some(zero) = zero_rows {
            if data[zero.start * row_bytes..zero.end * row_bytes].iter().any(|&b| b != 0) {
                return Err(ImportError::Unexpected {
                    model: model.to_path_buf(),
                    what: format!("`{}` has a non-zero key bias, which whisper.cpp cannot hold", var.name),
                });
            }
        }
        for piece in pieces {
            let bytes = &data[piece.rows.start * row_bytes..piece.rows.end * row_bytes];
            let (ttype, converted) = match piece.storage {
                Storage::F32 => (TensorType::F32, to_f32(bytes, var.dtype)),
                Storage::Weight => (TensorType::F16, to_f16(bytes, var.dtype)),
            };
            ggml::write_tensor(out, &piece.name, &piece.ne, ttype, &converted).map_err(|source| {
                ImportError::Write {
                    path: PathBuf::from("the converted model"),
                    source,
                }
            })?;
            written += 1;
        }
        job.advance(var.nbytes as u64);
    }
    Ok(written)
}

/// Little-endian floats of `dtype` → little-endian f32.
fn to_f32(bytes: &[u8], dtype: Dtype) -> Vec<u8> {
    match dtype {
        Dtype::F16 => bytes
            .chunks_exact(2)
            .flat_map(|c| f16::from_le_bytes([c[0], c[1]]).to_f32().to_le_bytes())
            .collect(),
        Dtype::Bf16 => bytes
            .chunks_exact(2)
            .flat_map(|c| bf16::from_le_bytes([c[0], c[1]]).to_f32().to_le_bytes())
            .collect(),
        _ => bytes.to_vec(),
    }
}

/// Little-endian floats of `dtype` → little-endian f16 (rounded to nearest).
fn to_f16(bytes: &[u8], dtype: Dtype) -> Vec<u8> {
    match dtype {
        Dtype::F32 => bytes
            .chunks_exact(4)
            .flat_map(|c| f16::from_f32(f32::from_le_bytes([c[0], c[1], c[2], c[3]])).to_le_bytes())
            .collect(),
        Dtype::Bf16 => bytes
            .chunks_exact(2)
            .flat_map(|c| f16::from_f32(bf16::from_le_bytes([c[0], c[1]]).to_f32()).to_le_bytes())
            .collect(),
        _ => bytes.to_vec(),
    }
}

/// Counts and hashes what passes through to the file.
struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// Flush, and return the byte count and the sha256 (lowercase hex).
    fn finish(mut self) -> io::Result<(u64, String)> {
        self.inner.flush()?;
        Ok((self.bytes, hex::encode(self.hasher.finalize())))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
