//! `viva model import`: a CTranslate2 (faster-whisper) Whisper model → a
//! whisper.cpp ggml file, written by our own code (the layout of both files is
//! described in `ct2.rs` and `ggml.rs`).
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

use crate::model::catalog;
use crate::model::ct2::{Ct2Error, Ct2Reader, Dtype, VarHeader};
use crate::model::ggml::{self, Hparams, TensorType, Weights};
use crate::model::input::{InputError, ModelInput};
use crate::model::job::{Interrupted, Job};
use crate::model::load;
use crate::model::mel::whisper_mel_filters;
use crate::model::names::{expected_tensor_names, map_variable, Mapping, Storage};
use crate::model::vocab::{self, VocabError};

/// The CTranslate2 spec of a Whisper model.
const WHISPER_SPEC: &str = "WhisperSpec";

/// Why a model cannot be imported. `model` is what the user passed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ImportError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("cannot import {}: {cause}", .model.display())]
    Read { model: PathBuf, cause: Ct2Error },
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
    #[error("{}: bad vocabulary.txt: {cause}", .model.display())]
    Vocabulary { model: PathBuf, cause: VocabError },
    #[error("cannot write {}: {cause}", .path.display())]
    Write { path: PathBuf, cause: io::Error },
    #[error("cannot write the converted model in {}: {cause}", .dir.display())]
    WriteIn { dir: PathBuf, cause: io::Error },
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
pub(crate) struct Converted {
    temp: NamedTempFile,
    /// `tiny.en`, `base`, … from the model's shape.
    pub(crate) name: String,
    pub(crate) hparams: Hparams,
    pub(crate) bytes: u64,
    pub(crate) sha256: String,
    pub(crate) tensors: usize,
}

impl Converted {
    /// Move the file to `path` (atomically: a rename in the same directory).
    pub(crate) fn persist(self, path: &Path) -> Result<(), ImportError> {
        // A temp file is private (0600); a model is an ordinary readable file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let readable = std::fs::Permissions::from_mode(0o644);
            self.temp
                .as_file()
                .set_permissions(readable)
                .map_err(|source| ImportError::Write {
                    path: path.to_path_buf(),
                    cause: source,
                })?;
        }
        self.temp.persist(path).map_err(|e| ImportError::Write {
            path: path.to_path_buf(),
            cause: e.error,
        })?;
        Ok(())
    }
}

/// The whisper.cpp name of a model with these hyper-parameters (`tiny.en`, `base`, …).
pub(crate) fn model_name(h: &Hparams) -> String {
    let size = match (h.n_audio_layer, h.n_vocab) {
        (4, _) => "tiny".to_string(),
        (6, _) => "base".to_string(),
        (12, _) => "small".to_string(),
        (24, _) => "medium".to_string(),
        (32, 51866) => "large-v3".to_string(),
        (32, _) => "large".to_string(),
        (layers, _) => format!("custom-{layers}-layers"),
    };
    let language = if h.is_multilingual() { "" } else { ".en" };
    let weights = if h.ftype % 1000 == Weights::Q8_0.ftype() % 1000 {
        Weights::Q8_0
    } else {
        Weights::F16
    };
    format!("{size}{language}{}", weights.name_suffix())
}

/// Import the model at `input`: write `output`, or `<models dir>/ggml-NAME.bin`
/// (NAME given, or from the model's shape). Returns the converted model's facts.
pub(crate) fn import(
    input: &Path,
    name: Option<&str>,
    output: Option<&Path>,
    models_dir: &Path,
    weights: Weights,
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
    let converted = convert(input, &out_dir, weights, job)?;
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
pub(crate) struct ConvertedFacts {
    pub(crate) name: String,
    pub(crate) hparams: Hparams,
    pub(crate) bytes: u64,
    pub(crate) sha256: String,
    pub(crate) tensors: usize,
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

/// Convert the model at `input` into a temp file in `out_dir`, its matrices
/// stored as `weights`, checked by whisper.cpp.
pub(crate) fn convert(
    input: &Path,
    out_dir: &Path,
    weights: Weights,
    job: &Job,
) -> Result<Converted, ImportError> {
    let model = ModelInput::locate(input)?;
    let size = model.model_size()?;
    let vocabulary = model.read_vocabulary()?;
    let vocabulary = String::from_utf8(vocabulary).map_err(|_| ImportError::Unexpected {
        model: input.to_path_buf(),
        what: "vocabulary.txt is not UTF-8".into(),
    })?;
    let tokens = vocab::regular_tokens(&vocabulary).map_err(|source| ImportError::Vocabulary {
        model: input.to_path_buf(),
        cause: source,
    })?;

    job.start("reading the model", Some(size * 2));
    let plan = model.with_model_stream(|stream| plan(input, stream, weights, job))?;
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
        cause: source,
    })?;
    let mut temp = tempfile::Builder::new()
        .prefix(".viva-import-")
        .tempfile_in(out_dir)
        .map_err(|source| ImportError::Write {
            path: out_dir.to_path_buf(),
            cause: source,
        })?;
    let write_error = |source| ImportError::WriteIn {
        dir: out_dir.to_path_buf(),
        cause: source,
    };
    job.start("converting", Some(size * 2));
    job.advance(plan.data_bytes.min(size));
    let mut out = HashingWriter::new(BufWriter::with_capacity(1 << 20, temp.as_file_mut()));
    let mel = whisper_mel_filters(plan.hparams.n_mels as usize);
    ggml::write_header(&mut out, &plan.hparams, &mel, &tokens).map_err(write_error)?;
    let tensors = model.with_model_stream(|stream| {
        write_tensors(input, out_dir, stream, &mut out, weights, job)
    })?;
    let (bytes, sha256) = out.finish().map_err(write_error)?;
    temp.as_file().sync_all().map_err(write_error)?;
    job.finish();

    // The last word on the file is whisper.cpp's own loader.
    job.check()?;
    load::load_context(temp.path()).map_err(|e| ImportError::Rejected {
        reason: match e {
            crate::model::error::ModelError::NotAModel { reason, .. } => reason,
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
        cause: source,
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
fn plan(
    model: &Path,
    stream: &mut dyn Read,
    weights: Weights,
    job: &Job,
) -> Result<Plan, ImportError> {
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
        let mapping =
            map_variable(&var.name, &var.shape).ok_or_else(|| ImportError::UnknownVariable {
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
        ftype: weights.ftype(),
    };
    let expected = expected_tensor_names(&hparams);
    if let Some(missing) = expected.difference(&pieces).next() {
        return Err(incomplete(format!("nothing for whisper.cpp's `{missing}`")));
    }
    if let Some(extra) = pieces.difference(&expected).next() {
        return Err(ImportError::Unexpected {
            model: model.to_path_buf(),
            what: format!(
                "`{extra}` does not fit a {}-layer model",
                hparams.n_audio_layer
            ),
        });
    }
    Ok(Plan {
        hparams,
        data_bytes,
    })
}

/// Second pass: write every tensor, in the order of `model.bin`.
fn write_tensors(
    model: &Path,
    out_dir: &Path,
    stream: &mut dyn Read,
    out: &mut impl Write,
    weights: Weights,
    job: &Job,
) -> Result<usize, ImportError> {
    let mut reader = Ct2Reader::new(stream).map_err(read_error(model))?;
    let mut written = 0;
    while let Some(var) = reader.next_var().map_err(read_error(model))? {
        job.check()?;
        let Some(Mapping::Tensors { pieces, zero_rows }) = map_variable(&var.name, &var.shape)
        else {
            job.advance(var.nbytes as u64);
            continue;
        };
        let data = reader.read_data().map_err(read_error(model))?;
        let rows = var.shape.first().copied().unwrap_or(1).max(1);
        let row_bytes = data.len() / rows;
        if let Some(zero) = zero_rows {
            if data[zero.start * row_bytes..zero.end * row_bytes]
                .iter()
                .any(|&b| b != 0)
            {
                return Err(ImportError::Unexpected {
                    model: model.to_path_buf(),
                    what: format!(
                        "`{}` has a non-zero key bias, which whisper.cpp cannot hold",
                        var.name
                    ),
                });
            }
        }
        for piece in pieces {
            let bytes = &data[piece.rows.start * row_bytes..piece.rows.end * row_bytes];
            let quantized = weights == Weights::Q8_0 && piece.ne.len() == 2;
            let (ttype, converted) = match piece.storage {
                Storage::F32 => (TensorType::F32, to_f32(bytes, var.dtype)),
                // whisper.cpp keeps the convolutions (3-D) in f16 whatever
                // the file's type; every matrix is in the file's type.
                Storage::Weight if quantized => {
                    if !piece.ne[0].is_multiple_of(ggml::Q8_0_BLOCK) {
                        return Err(ImportError::Unexpected {
                            model: model.to_path_buf(),
                            what: format!(
                                "`{}` has rows of {} values, which q8_0 cannot hold (blocks of {})",
                                piece.name,
                                piece.ne[0],
                                ggml::Q8_0_BLOCK
                            ),
                        });
                    }
                    (TensorType::Q8_0, to_q8_0(bytes, var.dtype))
                }
                Storage::Weight => (TensorType::F16, to_f16(bytes, var.dtype)),
            };
            ggml::write_tensor(out, &piece.name, &piece.ne, ttype, &converted).map_err(
                |source| ImportError::WriteIn {
                    dir: out_dir.to_path_buf(),
                    cause: source,
                },
            )?;
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

/// Little-endian floats of `dtype` → ggml's q8_0 blocks.
fn to_q8_0(bytes: &[u8], dtype: Dtype) -> Vec<u8> {
    let values: Vec<f32> = to_f32(bytes, dtype)
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    ggml::quantize_q8_0(&values)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ct2::testing::{model_bin, Var};

    const D: u32 = 4;

    /// f32 data for `shape`, value i*0.5 mod 3.5 (exact in f16), with `zero_rows` zeroed.
    fn f32_var(
        name: &'static str,
        shape: &[u32],
        zero_rows: Option<std::ops::Range<u32>>,
    ) -> Var<'static> {
        let elements: u32 = shape.iter().product();
        let row_len = elements / shape[0];
        let data = (0..elements)
            .flat_map(|i| {
                let row = i / row_len;
                let zero = zero_rows.as_ref().is_some_and(|z| z.contains(&row));
                let value = if zero {
                    0.0
                } else {
                    (i % 7) as f32 * 0.5 + 0.25
                };
                value.to_le_bytes()
            })
            .collect();
        Var {
            name,
            shape: shape.to_vec(),
            dtype: 0,
            data,
        }
    }

    fn scalar(name: &'static str, value: i16) -> Var<'static> {
        Var {
            name,
            shape: vec![],
            dtype: 2,
            data: value.to_le_bytes().to_vec(),
        }
    }

    /// A complete Whisper model with one layer on each side, width 4, 6 tokens.
    fn synthetic_vars() -> Vec<Var<'static>> {
        let mut vars = vec![
            f32_var("encoder/conv1/weight", &[D, 80, 3], None),
            f32_var("encoder/conv1/bias", &[D], None),
            f32_var("encoder/conv2/weight", &[D, D, 3], None),
            f32_var("encoder/conv2/bias", &[D], None),
            f32_var("encoder/position_encodings/encodings", &[3, D], None),
            f32_var("encoder/layer_norm/gamma", &[D], None),
            f32_var("encoder/layer_norm/beta", &[D], None),
            scalar("encoder/num_heads", 1),
            f32_var("decoder/embeddings/weight", &[6, D], None),
            f32_var("decoder/position_encodings/encodings", &[2, D], None),
            f32_var("decoder/layer_norm/gamma", &[D], None),
            f32_var("decoder/layer_norm/beta", &[D], None),
            scalar("decoder/num_heads", 1),
            Var {
                name: "decoder/pre_norm",
                shape: vec![],
                dtype: 1,
                data: vec![1],
            },
        ];
        for side in ["encoder", "decoder"] {
            let name = |rest: &str| -> &'static str {
                Box::leak(format!("{side}/layer_0/{rest}").into_boxed_str())
            };
            vars.extend([
                f32_var(name("self_attention/linear_0/weight"), &[3 * D, D], None),
                f32_var(
                    name("self_attention/linear_0/bias"),
                    &[3 * D],
                    Some(D..2 * D),
                ),
                f32_var(name("self_attention/linear_1/weight"), &[D, D], None),
                f32_var(name("self_attention/linear_1/bias"), &[D], None),
                f32_var(name("self_attention/layer_norm/gamma"), &[D], None),
                f32_var(name("self_attention/layer_norm/beta"), &[D], None),
                f32_var(name("ffn/linear_0/weight"), &[4 * D, D], None),
                f32_var(name("ffn/linear_0/bias"), &[4 * D], None),
                f32_var(name("ffn/linear_1/weight"), &[D, 4 * D], None),
                f32_var(name("ffn/linear_1/bias"), &[D], None),
                f32_var(name("ffn/layer_norm/gamma"), &[D], None),
                f32_var(name("ffn/layer_norm/beta"), &[D], None),
            ]);
        }
        vars.extend([
            f32_var("decoder/layer_0/attention/linear_0/weight", &[D, D], None),
            f32_var("decoder/layer_0/attention/linear_0/bias", &[D], None),
            f32_var(
                "decoder/layer_0/attention/linear_1/weight",
                &[2 * D, D],
                None,
            ),
            f32_var(
                "decoder/layer_0/attention/linear_1/bias",
                &[2 * D],
                Some(0..D),
            ),
            f32_var("decoder/layer_0/attention/linear_2/weight", &[D, D], None),
            f32_var("decoder/layer_0/attention/linear_2/bias", &[D], None),
            f32_var("decoder/layer_0/attention/layer_norm/gamma", &[D], None),
            f32_var("decoder/layer_0/attention/layer_norm/beta", &[D], None),
        ]);
        vars
    }

    /// Write a model directory with these variables; returns (tempdir, model dir).
    fn model_dir(spec: &str, vars: &[Var]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let bytes = model_bin(
            spec,
            vars,
            &[("decoder/projection/weight", "decoder/embeddings/weight")],
        );
        std::fs::write(dir.path().join("model.bin"), bytes).unwrap();
        std::fs::write(
            dir.path().join("vocabulary.txt"),
            "a\nĠb\n\n<|endoftext|>\n<|startoftranscript|>\nx",
        )
        .unwrap();
        dir
    }

    fn f32s(bytes: &[u8]) -> Vec<f32> {
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }

    fn f16s(bytes: &[u8]) -> Vec<f32> {
        bytes
            .chunks_exact(2)
            .map(|c| f16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect()
    }

    fn empty(dir: &Path) -> bool {
        std::fs::read_dir(dir).unwrap().next().is_none()
    }

    #[test]
    fn converts_a_synthetic_model_that_whisper_loads() {
        let vars = synthetic_vars();
        let input = model_dir(WHISPER_SPEC, &vars);
        let out = tempfile::tempdir().unwrap();
        let converted = convert(input.path(), out.path(), Weights::F16, &Job::headless()).unwrap();
        let expected = Hparams {
            n_vocab: 6,
            n_audio_ctx: 3,
            n_audio_state: 4,
            n_audio_head: 1,
            n_audio_layer: 1,
            n_text_ctx: 2,
            n_text_state: 4,
            n_text_head: 1,
            n_text_layer: 1,
            n_mels: 80,
            ftype: 1,
        };
        assert_eq!(converted.hparams, expected);
        assert_eq!(converted.name, "custom-1-layers.en");
        assert_eq!(converted.tensors, 7 + 15 + 4 + 24);
        let path = out.path().join("ggml-test.bin");
        converted.persist(&path).unwrap();

        let summary = ggml::inspect(&path).unwrap();
        assert_eq!(summary.hparams, expected);
        assert_eq!(summary.n_tokens, 3);
        let names: BTreeSet<String> = summary.tensors.iter().map(|t| t.name.clone()).collect();
        assert_eq!(names, expected_tensor_names(&expected));

        let file = std::fs::read(&path).unwrap();
        let tensor = |name: &str| {
            summary
                .tensors
                .iter()
                .find(|t| t.name == name)
                .unwrap()
                .clone()
        };
        let data = |name: &str| {
            let t = tensor(name);
            file[t.offset as usize..(t.offset + t.bytes) as usize].to_vec()
        };
        let source = |name: &str| f32s(&vars.iter().find(|v| v.name == name).unwrap().data);

        // q|k|v split by rows; weights become f16, biases stay f32.
        let qkv = source("encoder/layer_0/self_attention/linear_0/weight");
        let key = tensor("encoder.blocks.0.attn.key.weight");
        assert_eq!((key.ne.clone(), key.ttype), (vec![4, 4], TensorType::F16));
        assert_eq!(f16s(&data("encoder.blocks.0.attn.key.weight")), qkv[16..32]);
        let qkv_bias = source("decoder/layer_0/self_attention/linear_0/bias");
        assert_eq!(
            f32s(&data("decoder.blocks.0.attn.value.bias")),
            qkv_bias[8..12]
        );
        assert_eq!(
            f32s(&data("decoder.blocks.0.attn.query.bias")),
            qkv_bias[0..4]
        );
        let kv_bias = source("decoder/layer_0/attention/linear_1/bias");
        assert_eq!(
            f32s(&data("decoder.blocks.0.cross_attn.value.bias")),
            kv_bias[4..8]
        );
        // Conv bias as a [d, 1] matrix; positional embedding f32 with numpy's shape reversed.
        let conv_bias = tensor("encoder.conv1.bias");
        assert_eq!(
            (conv_bias.ne.clone(), conv_bias.ttype),
            (vec![1, 4], TensorType::F32)
        );
        let positions = tensor("encoder.positional_embedding");
        assert_eq!(
            (positions.ne.clone(), positions.ttype),
            (vec![4, 3], TensorType::F32)
        );
        assert_eq!(
            f32s(&data("encoder.positional_embedding")),
            source("encoder/position_encodings/encodings")
        );
        assert_eq!(tensor("encoder.conv1.weight").ne, vec![3, 80, 4]);
    }

    #[test]
    fn the_same_model_gives_the_same_bytes() {
        let input = model_dir(WHISPER_SPEC, &synthetic_vars());
        let out = tempfile::tempdir().unwrap();
        let first = convert(input.path(), out.path(), Weights::F16, &Job::headless()).unwrap();
        let second = convert(input.path(), out.path(), Weights::F16, &Job::headless()).unwrap();
        assert_eq!(first.sha256, second.sha256);
        assert_eq!(first.bytes, second.bytes);
    }

    #[test]
    fn q8_0_needs_rows_that_fill_its_blocks() {
        // The synthetic model's rows have 4 values; q8_0 blocks hold 32.
        let input = model_dir(WHISPER_SPEC, &synthetic_vars());
        let out = tempfile::tempdir().unwrap();
        let Err(err) = convert(input.path(), out.path(), Weights::Q8_0, &Job::headless()) else {
            panic!("a model with 4-value rows became q8_0");
        };
        assert!(
            err.to_string()
                .contains("rows of 4 values, which q8_0 cannot hold"),
            "{err}"
        );
        assert!(empty(out.path()), "a half-written file was left");
    }

    #[test]
    fn quantized_models_are_named_as_whisper_cpp_names_them() {
        let mut h = Hparams::tiny_en();
        assert_eq!(model_name(&h), "tiny.en");
        h.ftype = Weights::Q8_0.ftype();
        assert_eq!(model_name(&h), "tiny.en-q8_0");
    }

    #[track_caller]
    fn refused(spec: &str, vars: &[Var]) -> ImportError {
        let input = model_dir(spec, vars);
        let out = tempfile::tempdir().unwrap();
        let Err(err) = convert(input.path(), out.path(), Weights::F16, &Job::headless()) else {
            panic!("the conversion must fail");
        };
        assert!(empty(out.path()), "a file was left behind");
        err
    }

    #[test]
    fn a_foreign_spec_is_refused() {
        let err = refused("TransformerSpec", &synthetic_vars());
        assert!(
            matches!(err, ImportError::ForeignSpec { ref spec, .. } if spec == "TransformerSpec")
        );
        assert!(err
            .to_string()
            .contains("is a CTranslate2 `TransformerSpec` model, not Whisper"));
    }

    #[test]
    fn a_quantized_model_is_refused() {
        let mut vars = synthetic_vars();
        vars[0] = Var {
            name: "encoder/conv1/weight",
            shape: vec![D, 80, 3],
            dtype: 1,
            data: vec![1; (D * 80 * 3) as usize],
        };
        let err = refused(WHISPER_SPEC, &vars);
        assert!(
            matches!(err, ImportError::Quantized { ref variable, ref dtype, .. }
            if variable == "encoder/conv1/weight" && dtype == "i8"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_tensor_is_named() {
        let vars: Vec<Var> = synthetic_vars()
            .into_iter()
            .filter(|v| v.name != "encoder/layer_0/ffn/layer_norm/beta")
            .collect();
        let err = refused(WHISPER_SPEC, &vars);
        assert!(
            err.to_string().ends_with(
                "the model is incomplete: nothing for whisper.cpp's `encoder.blocks.0.mlp_ln.bias`"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_non_zero_key_bias_is_refused() {
        let mut vars = synthetic_vars();
        let bias = vars
            .iter_mut()
            .find(|v| v.name == "encoder/layer_0/self_attention/linear_0/bias")
            .unwrap();
        bias.data[4 * 4] = 0x3f; // a byte of row 4, the key slice
        let err = refused(WHISPER_SPEC, &vars);
        assert!(err.to_string().contains("non-zero key bias"), "{err}");
    }

    #[test]
    fn an_unknown_variable_is_named() {
        let mut vars = synthetic_vars();
        vars.push(f32_var("encoder/adapter/weight", &[D, D], None));
        let err = refused(WHISPER_SPEC, &vars);
        assert!(
            err.to_string()
                .contains("variable `encoder/adapter/weight` has no place"),
            "{err}"
        );
    }

    #[test]
    fn a_truncated_model_bin_is_refused() {
        let input = model_dir(WHISPER_SPEC, &synthetic_vars());
        let model = input.path().join("model.bin");
        let bytes = std::fs::read(&model).unwrap();
        std::fs::write(&model, &bytes[..bytes.len() / 2]).unwrap();
        let out = tempfile::tempdir().unwrap();
        let Err(err) = convert(input.path(), out.path(), Weights::F16, &Job::headless()) else {
            panic!("the conversion must fail");
        };
        assert!(
            matches!(
                err,
                ImportError::Read {
                    cause: Ct2Error::Truncated(_),
                    ..
                }
            ),
            "{err}"
        );
        assert!(empty(out.path()));
    }

    #[test]
    fn names_follow_whisper_cpp() {
        let mut h = Hparams::tiny_en();
        assert_eq!(model_name(&h), "tiny.en");
        h.n_vocab = 51865;
        h.n_audio_layer = 6;
        assert_eq!(model_name(&h), "base");
    }
}
