//! The sentence-embedding model (all-MiniLM-L6-v2) that lets the analysis
//! judge meaning, not only words: a text becomes a 384-number vector, and
//! texts that say the same thing in other words get vectors close together.
//!
//! The model directory is what `viva model fetch` writes (`config.json`,
//! `tokenizer.json`, `model.safetensors`, `1_Pooling/config.json`). It runs
//! in Rust on candle's tensors (`bert`) on the CPU, loaded once per process. A
//! sentence's vector is the mean of its tokens' last hidden states over its
//! real tokens only (the attention mask: pooling over padding would make
//! every pair of sentences look alike), then scaled to length 1, so the
//! dot product of two vectors is their cosine similarity.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};

use super::bert::{Config, Encoder};

/// The longest input the model is given, in tokens (the model was trained
/// on up to 256; a spoken sentence is far shorter).
const MAX_TOKENS: usize = 256;
/// Texts embedded together in one forward pass.
const BATCH: usize = 64;
/// Vectors kept for texts that come back (a question's points and sample
/// answer, asked once per answer), at most this many.
const CACHE_SIZE: usize = 4096;

/// The files of a model directory that loading reads.
pub(crate) const CONFIG_FILE: &str = "config.json";
pub(crate) const TOKENIZER_FILE: &str = "tokenizer.json";
pub(crate) const WEIGHTS_FILE: &str = "model.safetensors";
pub(crate) const POOLING_FILE: &str = "1_Pooling/config.json";

/// Why the embedding model could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum EmbedderError {
    #[error("no embedding model at {}: run `viva model fetch`", .dir.display())]
    Missing { dir: PathBuf },
    #[error("cannot read {}: {cause}", .path.display())]
    Unreadable {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{} is not a usable sentence-embedding model ({reason}): run `viva model fetch` to replace it", .path.display())]
    Invalid { path: PathBuf, reason: String },
    #[error("the embedding model failed: {0}")]
    Run(String),
}

/// A loaded sentence-embedding model.
pub struct Embedder {
    model: Encoder,
    tokenizer: Tokenizer,
    device: Device,
    cache: Mutex<HashMap<String, Vector>>,
}

/// One text's embedding: unit length, so `dot` is cosine similarity.
pub type Vector = Vec<f32>;

/// Cosine similarity of two unit vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl Embedder {
    /// Load the model in `dir`.
    pub fn load(dir: &Path) -> Result<Self, EmbedderError> {
        if !dir.join(WEIGHTS_FILE).is_file() {
            return Err(EmbedderError::Missing {
                dir: dir.to_path_buf(),
            });
        }
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|cause| EmbedderError::Unreadable { path, cause })
        };
        let invalid = |name: &str, reason: String| EmbedderError::Invalid {
            path: dir.join(name),
            reason,
        };
        let pooling: serde_json::Value = serde_json::from_slice(&read(POOLING_FILE)?)
            .map_err(|e| invalid(POOLING_FILE, e.to_string()))?;
        if pooling["pooling_mode_mean_tokens"] != serde_json::Value::Bool(true) {
            return Err(invalid(
                POOLING_FILE,
                "viva pools by the mean of the tokens, this model does not".into(),
            ));
        }
        let config: Config = serde_json::from_slice(&read(CONFIG_FILE)?)
            .map_err(|e| invalid(CONFIG_FILE, e.to_string()))?;
        if let Some(reason) = config.unsupported() {
            return Err(invalid(CONFIG_FILE, reason));
        }
        let mut tokenizer = Tokenizer::from_bytes(read(TOKENIZER_FILE)?)
            .map_err(|e| invalid(TOKENIZER_FILE, e.to_string()))?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| invalid(TOKENIZER_FILE, e.to_string()))?;
        tokenizer.with_padding(Some(PaddingParams::default()));
        let device = Device::Cpu;
        let weights =
            VarBuilder::from_buffered_safetensors(read(WEIGHTS_FILE)?, DType::F32, &device)
                .map_err(|e| invalid(WEIGHTS_FILE, e.to_string()))?;
        let model =
            Encoder::load(weights, &config).map_err(|e| invalid(WEIGHTS_FILE, e.to_string()))?;
        Ok(Self {
            model,
            tokenizer,
            device,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Like [`Embedder::embed`], but texts seen before come from a cache:
    /// for the question's side, which every answer to it shares.
    pub fn embed_cached(&self, texts: &[&str]) -> Result<Vec<Vector>, EmbedderError> {
        let mut out: Vec<Option<Vector>> = match self.cache.lock() {
            Ok(cache) => texts.iter().map(|text| cache.get(*text).cloned()).collect(),
            Err(_) => vec![None; texts.len()],
        };
        let missing: Vec<usize> = (0..texts.len()).filter(|&i| out[i].is_none()).collect();
        let batch: Vec<&str> = missing.iter().map(|&i| texts[i]).collect();
        let fresh = self.embed(&batch)?;
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() + fresh.len() > CACHE_SIZE {
                cache.clear();
            }
            for (text, vector) in batch.iter().zip(&fresh) {
                cache.insert(text.to_string(), vector.clone());
            }
        }
        for (index, vector) in missing.into_iter().zip(fresh) {
            out[index] = Some(vector);
        }
        Ok(out.into_iter().flatten().collect())
    }

    /// The embedding of each text, in order. Texts of similar length are
    /// run together so that little time goes on padding.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vector>, EmbedderError> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&index| texts[index].len());
        let mut out: Vec<Vector> = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(BATCH) {
            let batch: Vec<&str> = chunk.iter().map(|&index| texts[index]).collect();
            for (&index, vector) in chunk.iter().zip(self.embed_batch(&batch)?) {
                out[index] = vector;
            }
        }
        Ok(out)
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vector>, EmbedderError> {
        let run = |e: &dyn std::fmt::Display| EmbedderError::Run(e.to_string());
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| run(&e))?;
        let rows = encodings.len();
        let width = encodings.first().map_or(0, |e| e.get_ids().len());
        let mut ids = Vec::with_capacity(rows * width);
        let mut mask = Vec::with_capacity(rows * width);
        for encoding in &encodings {
            ids.extend_from_slice(encoding.get_ids());
            mask.extend_from_slice(encoding.get_attention_mask());
        }
        let ids = Tensor::from_vec(ids, (rows, width), &self.device).map_err(|e| run(&e))?;
        let mask = Tensor::from_vec(mask, (rows, width), &self.device).map_err(|e| run(&e))?;
        let hidden = self.model.forward(&ids, &mask).map_err(|e| run(&e))?;
        // Mean over the real tokens: sum(hidden * mask) / sum(mask).
        let pooled = (|| {
            let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
            let counts = mask.sum(1)?.clamp(1e-9, f64::MAX)?;
            summed.broadcast_div(&counts)?.to_vec2::<f32>()
        })()
        .map_err(|e| run(&e))?;
        Ok(pooled.into_iter().map(normalised).collect())
    }
}

/// `vector` scaled to length 1 (a zero vector stays zero).
fn normalised(mut vector: Vector) -> Vector {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|x| *x /= norm);
    }
    vector
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_scaled_to_unit_length() {
        let v = normalised(vec![3.0, 4.0]);
        assert!((v[0] - 0.6).abs() < 1e-6 && (v[1] - 0.8).abs() < 1e-6);
        assert_eq!(normalised(vec![0.0, 0.0]), vec![0.0, 0.0]);
        assert!((dot(&v, &v) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn a_missing_model_names_the_command_that_fetches_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = Embedder::load(dir.path()).err().unwrap();
        assert_eq!(
            err.to_string(),
            format!(
                "no embedding model at {}: run `viva model fetch`",
                dir.path().display()
            )
        );
    }
}
