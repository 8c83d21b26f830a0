//! The encoder of all-MiniLM-L6-v2: a small BERT (6 layers, 384 wide) on
//! candle's tensors, written for viva's one use of it: a batch of short
//! spoken sentences on a CPU with few cores.
//!
//! It computes what any BERT does (embeddings, then per layer self-attention
//! and a feed-forward block, each with a residual and a layer norm), laid
//! out for speed: only attention sees the batch's padding, query, key and
//! value come from one matrix product, the softmax is candle's fused one,
//! and the feed-forward GELU (the exact, erf form the model was trained
//! with) runs on every core; a plain elementwise op would run on one while
//! the other idles.

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, CustomOp1, DType, Layout, Module, Result, Shape, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, VarBuilder};
use rayon::prelude::*;
use serde::Deserialize;

/// The part of a BERT `config.json` the encoder needs.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Config {
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    max_position_embeddings: usize,
    type_vocab_size: usize,
    layer_norm_eps: f64,
    hidden_act: String,
    #[serde(default = "absolute")]
    position_embedding_type: String,
}

fn absolute() -> String {
    "absolute".to_string()
}

impl Config {
    /// Why the encoder cannot run this model, if it cannot.
    pub(crate) fn unsupported(&self) -> Option<String> {
        if self.hidden_act != "gelu" {
            return Some(format!("activation {:?}, not gelu", self.hidden_act));
        }
        if self.position_embedding_type != "absolute" {
            return Some(format!(
                "position embeddings {:?}, not absolute",
                self.position_embedding_type
            ));
        }
        if self.num_attention_heads == 0
            || !self.hidden_size.is_multiple_of(self.num_attention_heads)
        {
            return Some(format!(
                "{} attention heads do not divide width {}",
                self.num_attention_heads, self.hidden_size
            ));
        }
        None
    }
}

/// One transformer layer.
struct Layer {
    /// Query, key and value in one: width 3 × hidden.
    qkv: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    up: Linear,
    down: Linear,
    output_norm: LayerNorm,
}

/// The loaded encoder.
pub(crate) struct Encoder {
    words: Embedding,
    positions: Embedding,
    /// The token-type embedding of type 0 (a single sentence), shape (hidden).
    sentence_type: Tensor,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
    max_positions: usize,
}

fn layer_norm(size: usize, eps: f64, vb: VarBuilder) -> Result<LayerNorm> {
    candle_nn::layer_norm(
        size,
        candle_nn::LayerNormConfig {
            eps,
            ..Default::default()
        },
        vb,
    )
}

impl Encoder {
    /// Load the weights (`embeddings.*`, `encoder.layer.N.*`, as BERT
    /// checkpoints name them, with or without a `bert.` prefix).
    pub(crate) fn load(vb: VarBuilder, config: &Config) -> Result<Self> {
        let vb = if vb.contains_tensor("bert.embeddings.word_embeddings.weight") {
            vb.pp("bert")
        } else {
            vb
        };
        let hidden = config.hidden_size;
        let eps = config.layer_norm_eps;
        let embeddings = vb.pp("embeddings");
        let words =
            candle_nn::embedding(config.vocab_size, hidden, embeddings.pp("word_embeddings"))?;
        let positions = candle_nn::embedding(
            config.max_position_embeddings,
            hidden,
            embeddings.pp("position_embeddings"),
        )?;
        let sentence_type = embeddings
            .pp("token_type_embeddings")
            .get((config.type_vocab_size, hidden), "weight")?
            .get(0)?;
        let embedding_norm = layer_norm(hidden, eps, embeddings.pp("LayerNorm"))?;
        let layers = (0..config.num_hidden_layers)
            .map(|index| {
                let vb = vb.pp(format!("encoder.layer.{index}"));
                let attention = vb.pp("attention");
                let own = attention.pp("self");
                let part = |name: &str| -> Result<(Tensor, Tensor)> {
                    let vb = own.pp(name);
                    Ok((vb.get((hidden, hidden), "weight")?, vb.get(hidden, "bias")?))
                };
                let (q, k, v) = (part("query")?, part("key")?, part("value")?);
                let qkv = Linear::new(
                    Tensor::cat(&[&q.0, &k.0, &v.0], 0)?,
                    Some(Tensor::cat(&[&q.1, &k.1, &v.1], 0)?),
                );
                Ok(Layer {
                    qkv,
                    attention_out: candle_nn::linear(hidden, hidden, attention.pp("output.dense"))?,
                    attention_norm: layer_norm(hidden, eps, attention.pp("output.LayerNorm"))?,
                    up: candle_nn::linear(
                        hidden,
                        config.intermediate_size,
                        vb.pp("intermediate.dense"),
                    )?,
                    down: candle_nn::linear(
                        config.intermediate_size,
                        hidden,
                        vb.pp("output.dense"),
                    )?,
                    output_norm: layer_norm(hidden, eps, vb.pp("output.LayerNorm"))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            words,
            positions,
            sentence_type,
            embedding_norm,
            layers,
            heads: config.num_attention_heads,
            max_positions: config.max_position_embeddings,
        })
    }

    /// The last hidden states, (batch, tokens, hidden), of token `ids`
    /// (batch, tokens) whose real tokens are 1 in `mask` (padding 0; the
    /// states of padding are zero).
    ///
    /// Only attention needs the batch's (batch, tokens) shape; everything
    /// else works on one token at a time, so it runs on the real tokens
    /// alone, packed into rows, and padding costs nothing there.
    pub(crate) fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (batch, tokens) = ids.dims2()?;
        if tokens > self.max_positions {
            candle_core::bail!(
                "{tokens} tokens, more than the model's {}",
                self.max_positions
            );
        }
        let device = ids.device();
        let flags = mask.flatten_all()?.to_vec1::<u32>()?;
        // Packed row of each real token, and the packed row (or the zero
        // row after the last) of each place in the batch.
        let real: Vec<u32> = (0..flags.len() as u32)
            .filter(|&i| flags[i as usize] != 0)
            .collect();
        let mut place_row = vec![real.len() as u32; flags.len()];
        for (row, &i) in real.iter().enumerate() {
            place_row[i as usize] = row as u32;
        }
        let places: Vec<u32> = real.iter().map(|&i| i % tokens as u32).collect();
        let places = Tensor::new(places.as_slice(), device)?;
        let real = Tensor::new(real.as_slice(), device)?;
        let unpack = Tensor::new(place_row.as_slice(), device)?;
        let embedded = self
            .words
            .forward(&ids.flatten_all()?.index_select(&real, 0)?)?
            .add(&self.positions.forward(&places)?)?
            .broadcast_add(&self.sentence_type)?;
        let mut x = self.embedding_norm.forward(&embedded)?;
        // Padding gets the lowest score, so that softmax gives it nothing:
        // shape (batch, 1, 1, tokens), added to every head's scores.
        let blocked = (mask.ones_like()? - mask)?
            .to_dtype(DType::F32)?
            .affine(f64::from(f32::MIN), 0.0)?
            .unsqueeze(1)?
            .unsqueeze(1)?;
        let packing = Packing {
            batch,
            tokens,
            real: &real,
            unpack: &unpack,
        };
        for layer in &self.layers {
            x = self.layer(layer, &x, &blocked, &packing)?;
        }
        packing.unpacked(&x)?.reshape((batch, tokens, ()))
    }

    fn layer(
        &self,
        layer: &Layer,
        x: &Tensor,
        blocked: &Tensor,
        packing: &Packing,
    ) -> Result<Tensor> {
        let (batch, tokens) = (packing.batch, packing.tokens);
        let hidden = x.dim(1)?;
        let size = hidden / self.heads;
        // (batch, tokens, 3, heads, size) -> three of (batch, heads, tokens, size).
        let qkv = packing
            .unpacked(&layer.qkv.forward(x)?)?
            .reshape((batch, tokens, 3, self.heads, size))?
            .permute((2, 0, 3, 1, 4))?;
        let head = |index: usize| qkv.get(index)?.contiguous();
        let (q, k, v) = (head(0)?, head(1)?, head(2)?);
        let scores = (q.matmul(&k.t()?)? / (size as f64).sqrt())?.broadcast_add(blocked)?;
        let weights = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = weights
            .matmul(&v)?
            .transpose(1, 2)?
            .reshape((batch * tokens, hidden))?
            .index_select(packing.real, 0)?;
        let attended = layer
            .attention_norm
            .forward(&(layer.attention_out.forward(&context)? + x)?)?;
        let inner = layer.up.forward(&attended)?.apply_op1_no_bwd(&Gelu)?;
        layer
            .output_norm
            .forward(&(layer.down.forward(&inner)? + &attended)?)
    }
}

/// Where a batch's real tokens are among its rows.
struct Packing<'a> {
    batch: usize,
    tokens: usize,
    /// The batch place (row × tokens + column) of each real token.
    real: &'a Tensor,
    /// The packed row of each batch place; padding points past the end.
    unpack: &'a Tensor,
}

impl Packing<'_> {
    /// Packed rows (real tokens, width) laid out as (batch × tokens,
    /// width), padding as zero rows.
    fn unpacked(&self, packed: &Tensor) -> Result<Tensor> {
        let zero = packed.narrow(0, 0, 1)?.zeros_like()?;
        Tensor::cat(&[packed, &zero], 0)?.index_select(self.unpack, 0)
    }
}

/// GELU, exact (erf) form, computed in parallel chunks on the CPU.
struct Gelu;

/// Elements per parallel chunk: large enough that scheduling costs nothing.
const GELU_CHUNK: usize = 16 * 1024;

impl CustomOp1 for Gelu {
    fn name(&self) -> &'static str {
        "gelu-erf-parallel"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let CpuStorage::F32(data) = storage else {
            candle_core::bail!("gelu: f32 only, not {:?}", storage.dtype());
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("gelu: a contiguous tensor only");
        };
        let input = &data[start..end];
        let mut output = vec![0f32; input.len()];
        output
            .par_chunks_mut(GELU_CHUNK)
            .zip(input.par_chunks(GELU_CHUNK))
            .for_each(|(out, chunk)| {
                for (y, &x) in out.iter_mut().zip(chunk) {
                    *y = gelu(x);
                }
            });
        Ok((CpuStorage::F32(output), layout.shape().clone()))
    }
}

/// x·Φ(x), with Φ from [`erf`].
fn gelu(x: f32) -> f32 {
    (erf(x * std::f32::consts::FRAC_1_SQRT_2) + 1.0) * 0.5 * x
}

/// erf to within 5e-7 (Abramowitz and Stegun, 7.1.26: 1.5e-7, plus f32
/// rounding of `1 - poly·exp` near 0), without the branches of libm's erf,
/// which took a seventh of an answer's analysis time. In GELU that is at
/// most 3e-7 of max(|x|, 1): below what the model's f32 weights hold.
fn erf(x: f32) -> f32 {
    const P: f32 = 0.327_591_1;
    const A: [f32; 5] = [
        0.254_829_6,
        -0.284_496_74,
        1.421_413_8,
        -1.453_152_1,
        1.061_405_4,
    ];
    let a = x.abs();
    let t = 1.0 / (1.0 + P * a);
    let poly = A.iter().rev().fold(0.0, |sum, &c| sum * t + c) * t;
    (1.0 - poly * (-a * a).exp()).copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    /// Equal to within erf's error, scaled by the value.
    fn close(ours: &[f32], candle: &[f32]) {
        assert_eq!(ours.len(), candle.len());
        for (a, b) in ours.iter().zip(candle) {
            assert!((a - b).abs() <= 3e-7 * b.abs().max(1.0), "{a} vs {b}");
        }
    }

    #[test]
    fn erf_and_gelu_are_within_their_bounds_and_erf_is_odd() {
        for i in -10_000..=10_000 {
            let x = i as f32 / 1000.0;
            let want = candle_core::cpu::erf::erf_f32(x);
            assert!(
                (erf(x) - want).abs() < 5e-7,
                "erf({x}): {} vs {want}",
                erf(x)
            );
            let gelu_want = (candle_core::cpu::erf::erf_f32(x * std::f32::consts::FRAC_1_SQRT_2)
                + 1.0)
                * 0.5
                * x;
            assert!(
                (gelu(x) - gelu_want).abs() <= 3e-7 * gelu_want.abs().max(1.0),
                "gelu({x}): {} vs {gelu_want}",
                gelu(x)
            );
            assert_eq!(erf(-x), -erf(x));
        }
        // The polynomial's coefficients sum to 1 only to within an f32 step.
        assert!(erf(0.0).abs() < 1e-7);
        assert_eq!(erf(20.0), 1.0);
    }

    #[test]
    fn gelu_matches_candles_own() {
        let x = Tensor::new(&[-3.0f32, -1.0, -0.1, 0.0, 0.5, 2.0, 7.0], &Device::Cpu).unwrap();
        let ours: Vec<f32> = x.apply_op1_no_bwd(&Gelu).unwrap().to_vec1().unwrap();
        let candle: Vec<f32> = x.gelu_erf().unwrap().to_vec1().unwrap();
        close(&ours, &candle);
        assert_eq!(gelu(0.0), 0.0);
        assert!((gelu(1.0) - 0.841_344_7).abs() < 1e-6);
    }

    #[test]
    fn gelu_runs_over_chunks_and_views() {
        let n = GELU_CHUNK * 2 + 5;
        let x = Tensor::arange(0u32, n as u32, &Device::Cpu)
            .unwrap()
            .to_dtype(DType::F32)
            .unwrap()
            .affine(1e-4, -1.0)
            .unwrap();
        let ours: Vec<f32> = x.apply_op1_no_bwd(&Gelu).unwrap().to_vec1().unwrap();
        let candle: Vec<f32> = x.gelu_erf().unwrap().to_vec1().unwrap();
        close(&ours, &candle);
        // A non-contiguous view is refused, not misread.
        let m = x
            .narrow(0, 0, 10)
            .unwrap()
            .reshape((2, 5))
            .unwrap()
            .t()
            .unwrap();
        assert!(m.apply_op1_no_bwd(&Gelu).is_err());
    }

    #[test]
    fn configs_it_cannot_run_are_named() {
        let config = |act: &str, heads: usize| Config {
            vocab_size: 10,
            hidden_size: 384,
            num_hidden_layers: 1,
            num_attention_heads: heads,
            intermediate_size: 8,
            max_position_embeddings: 8,
            type_vocab_size: 2,
            layer_norm_eps: 1e-12,
            hidden_act: act.to_string(),
            position_embedding_type: absolute(),
        };
        assert_eq!(config("gelu", 12).unsupported(), None);
        assert!(config("relu", 12).unsupported().unwrap().contains("relu"));
        assert!(config("gelu", 7)
            .unsupported()
            .unwrap()
            .contains("7 attention heads"));
    }
}
