//! The CTranslate2 → whisper.cpp tensor mapping: CTranslate2 variable names
//! (`encoder/layer_N/…`) to the ggml tensor names whisper.cpp loads.
//!
//! One CTranslate2 variable becomes zero or more ggml tensors: fused
//! projections are split by rows (self-attention q|k|v, cross-attention k|v),
//! and the key biases, which Whisper does not have and CTranslate2 stores as
//! zeros, are dropped. Each piece says its ggml name, its rows of the source,
//! its ggml shape and whether it is stored as f32 or the weight type.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::model::ggml::Hparams;

/// How a piece is stored in the ggml file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Storage {
    /// Biases, layer norms, positional embeddings.
    F32,
    /// Matrices, convolutions and the token embedding: the file's weight type (f16).
    Weight,
}

/// One ggml tensor cut from a CTranslate2 variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Piece {
    pub(crate) name: String,
    /// Rows (first numpy dimension) of the source variable.
    pub(crate) rows: Range<usize>,
    /// ggml shape, innermost first.
    pub(crate) ne: Vec<usize>,
    pub(crate) storage: Storage,
}

/// What to do with one CTranslate2 variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mapping {
    /// Write these pieces. `zero_rows`: rows that are dropped and must be all zeros.
    Tensors {
        pieces: Vec<Piece>,
        zero_rows: Option<Range<usize>>,
    },
    /// The number of attention heads of the encoder (`true`) or decoder.
    NumHeads { encoder: bool },
    /// A configuration scalar whisper.cpp does not need.
    Ignore,
}

/// Configuration variables (per encoder/decoder) that carry no weights.
const CONFIG_VARS: &[&str] = &[
    "activation",
    "alibi",
    "alignment_heads",
    "alignment_layer",
    "pre_norm",
    "scale_embeddings",
    "start_from_zero_embedding",
];

/// ggml's shape for a numpy shape: reversed.
fn ne_of(shape: &[usize]) -> Vec<usize> {
    shape.iter().rev().copied().collect()
}

fn whole(name: String, shape: &[usize], storage: Storage) -> Mapping {
    let rows = shape.first().copied().unwrap_or(1);
    Mapping::Tensors {
        pieces: vec![Piece {
            name,
            rows: 0..rows,
            ne: ne_of(shape),
            storage,
        }],
        zero_rows: None,
    }
}

/// `prefix.weight`/`prefix.bias` or `prefix.weight` (f16) for a linear layer's part.
fn linear(prefix: &str, part: &str, shape: &[usize]) -> Mapping {
    match part {
        "weight" => whole(format!("{prefix}.weight"), shape, Storage::Weight),
        _ => whole(format!("{prefix}.bias"), shape, Storage::F32),
    }
}

fn layer_norm(prefix: &str, part: &str, shape: &[usize]) -> Option<Mapping> {
    let suffix = match part {
        "gamma" => "weight",
        "beta" => "bias",
        _ => return None,
    };
    Some(whole(format!("{prefix}.{suffix}"), shape, Storage::F32))
}

/// Split rows of `shape` into equal `names.len()` parts; `None` names are
/// dropped (and must be zero).
fn split(names: &[Option<String>], shape: &[usize], storage: Storage) -> Option<Mapping> {
    let total = *shape.first()?;
    let width = total / names.len();
    if width * names.len() != total {
        return None;
    }
    let mut pieces = Vec::new();
    let mut zero_rows = None;
    for (i, name) in names.iter().enumerate() {
        let rows = i * width..(i + 1) * width;
        match name {
            Some(name) => {
                let mut part_shape = shape.to_vec();
                part_shape[0] = width;
                pieces.push(Piece {
                    name: name.clone(),
                    rows,
                    ne: ne_of(&part_shape),
                    storage,
                });
            }
            None => zero_rows = Some(rows),
        }
    }
    Some(Mapping::Tensors { pieces, zero_rows })
}

/// The mapping of one CTranslate2 variable, or `None` for a name whisper.cpp has no place for.
pub(crate) fn map_variable(name: &str, shape: &[usize]) -> Option<Mapping> {
    let parts: Vec<&str> = name.split('/').collect();
    let (side, rest) = parts.split_first()?;
    let encoder = match *side {
        "encoder" => true,
        "decoder" => false,
        _ => return None,
    };
    let side = *side;
    match rest {
        ["num_heads"] => Some(Mapping::NumHeads { encoder }),
        [config] if CONFIG_VARS.contains(config) => Some(Mapping::Ignore),
        ["position_encodings", "encodings"] => Some(whole(
            format!("{side}.positional_embedding"),
            shape,
            Storage::F32,
        )),
        ["embeddings", "weight"] if !encoder => Some(whole(
            "decoder.token_embedding.weight".into(),
            shape,
            Storage::Weight,
        )),
        [conv @ ("conv1" | "conv2"), "weight"] if encoder => Some(whole(
            format!("encoder.{conv}.weight"),
            shape,
            Storage::Weight,
        )),
        [conv @ ("conv1" | "conv2"), "bias"] if encoder => {
            // whisper.cpp wants the bias as a [d, 1] matrix.
            let d = *shape.first()?;
            Some(whole(format!("encoder.{conv}.bias"), &[d, 1], Storage::F32))
        }
        ["layer_norm", part] => {
            let prefix = if encoder {
                "encoder.ln_post"
            } else {
                "decoder.ln"
            };
            layer_norm(prefix, part, shape)
        }
        [layer, block, module, part] => {
            let n: usize = layer.strip_prefix("layer_")?.parse().ok()?;
            let p = format!("{side}.blocks.{n}");
            map_block(&p, encoder, block, module, part, shape)
        }
        _ => None,
    }
}

fn map_block(
    p: &str,
    encoder: bool,
    block: &str,
    module: &str,
    part: &str,
    shape: &[usize],
) -> Option<Mapping> {
    let storage = if part == "weight" {
        Storage::Weight
    } else {
        Storage::F32
    };
    match (block, module) {
        ("self_attention", "linear_0") => {
            let q = Some(format!("{p}.attn.query.{part}"));
            let k = Some(format!("{p}.attn.key.{part}"));
            let v = Some(format!("{p}.attn.value.{part}"));
            let names = if part == "weight" {
                [q, k, v]
            } else {
                [q, None, v]
            };
            split(&names, shape, storage)
        }
        ("self_attention", "linear_1") => Some(linear(&format!("{p}.attn.out"), part, shape)),
        ("self_attention", "layer_norm") => layer_norm(&format!("{p}.attn_ln"), part, shape),
        ("attention", "linear_0") if !encoder => {
            Some(linear(&format!("{p}.cross_attn.query"), part, shape))
        }
        ("attention", "linear_1") if !encoder => {
            let k = Some(format!("{p}.cross_attn.key.{part}"));
            let v = Some(format!("{p}.cross_attn.value.{part}"));
            let names = if part == "weight" { [k, v] } else { [None, v] };
            split(&names, shape, storage)
        }
        ("attention", "linear_2") if !encoder => {
            Some(linear(&format!("{p}.cross_attn.out"), part, shape))
        }
        ("attention", "layer_norm") if !encoder => {
            layer_norm(&format!("{p}.cross_attn_ln"), part, shape)
        }
        ("ffn", "linear_0") => Some(linear(&format!("{p}.mlp.0"), part, shape)),
        ("ffn", "linear_1") => Some(linear(&format!("{p}.mlp.2"), part, shape)),
        ("ffn", "layer_norm") => layer_norm(&format!("{p}.mlp_ln"), part, shape),
        _ => None,
    }
}

/// Every tensor name whisper.cpp's loader expects for these hyper-parameters.
pub(crate) fn expected_tensor_names(h: &Hparams) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut add = |prefix: &str, suffixes: &[&str]| {
        for suffix in suffixes {
            names.insert(format!("{prefix}{suffix}"));
        }
    };
    let wb: &[&str] = &[".weight", ".bias"];
    add("encoder.positional_embedding", &[""]);
    for part in [
        "encoder.conv1",
        "encoder.conv2",
        "encoder.ln_post",
        "decoder.ln",
    ] {
        add(part, wb);
    }
    add("decoder.positional_embedding", &[""]);
    add("decoder.token_embedding", &[".weight"]);
    let self_attention = |add: &mut dyn FnMut(&str, &[&str]), p: &str| {
        for part in [
            "mlp_ln",
            "mlp.0",
            "mlp.2",
            "attn_ln",
            "attn.query",
            "attn.value",
            "attn.out",
        ] {
            add(&format!("{p}.{part}"), wb);
        }
        add(&format!("{p}.attn.key"), &[".weight"]);
    };
    for n in 0..h.n_audio_layer {
        self_attention(&mut add, &format!("encoder.blocks.{n}"));
    }
    for n in 0..h.n_text_layer {
        let p = format!("decoder.blocks.{n}");
        self_attention(&mut add, &p);
        for part in [
            "cross_attn_ln",
            "cross_attn.query",
            "cross_attn.value",
            "cross_attn.out",
        ] {
            add(&format!("{p}.{part}"), wb);
        }
        add(&format!("{p}.cross_attn.key"), &[".weight"]);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (ggml name, source rows, ggml shape, storage) of each piece.
    type PieceParts = (String, Range<usize>, Vec<usize>, Storage);

    fn pieces(name: &str, shape: &[usize]) -> (Vec<PieceParts>, Option<Range<usize>>) {
        match map_variable(name, shape) {
            Some(Mapping::Tensors { pieces, zero_rows }) => (
                pieces
                    .into_iter()
                    .map(|p| (p.name, p.rows, p.ne, p.storage))
                    .collect(),
                zero_rows,
            ),
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn self_attention_is_split_into_query_key_value() {
        let (w, zero) = pieces("encoder/layer_2/self_attention/linear_0/weight", &[12, 4]);
        assert_eq!(
            w,
            vec![
                (
                    "encoder.blocks.2.attn.query.weight".into(),
                    0..4,
                    vec![4, 4],
                    Storage::Weight
                ),
                (
                    "encoder.blocks.2.attn.key.weight".into(),
                    4..8,
                    vec![4, 4],
                    Storage::Weight
                ),
                (
                    "encoder.blocks.2.attn.value.weight".into(),
                    8..12,
                    vec![4, 4],
                    Storage::Weight
                ),
            ]
        );
        assert_eq!(zero, None);
        let (b, zero) = pieces("decoder/layer_0/self_attention/linear_0/bias", &[12]);
        assert_eq!(
            b,
            vec![
                (
                    "decoder.blocks.0.attn.query.bias".into(),
                    0..4,
                    vec![4],
                    Storage::F32
                ),
                (
                    "decoder.blocks.0.attn.value.bias".into(),
                    8..12,
                    vec![4],
                    Storage::F32
                ),
            ]
        );
        assert_eq!(zero, Some(4..8));
    }

    #[test]
    fn cross_attention_key_value_is_split_and_the_key_bias_dropped() {
        let (w, _) = pieces("decoder/layer_1/attention/linear_1/weight", &[8, 4]);
        assert_eq!(w[0].0, "decoder.blocks.1.cross_attn.key.weight");
        assert_eq!(
            w[1],
            (
                "decoder.blocks.1.cross_attn.value.weight".into(),
                4..8,
                vec![4, 4],
                Storage::Weight
            )
        );
        let (b, zero) = pieces("decoder/layer_1/attention/linear_1/bias", &[8]);
        assert_eq!(
            b,
            vec![(
                "decoder.blocks.1.cross_attn.value.bias".into(),
                4..8,
                vec![4],
                Storage::F32
            )]
        );
        assert_eq!(zero, Some(0..4));
    }

    #[test]
    fn table_of_simple_renames() {
        #[track_caller]
        fn case(ct2: &str, shape: &[usize], ggml: &str, ne: &[usize], storage: Storage) {
            let (p, zero) = pieces(ct2, shape);
            assert_eq!(
                p,
                vec![(ggml.to_string(), 0..shape[0], ne.to_vec(), storage)]
            );
            assert_eq!(zero, None);
        }
        use Storage::*;
        case(
            "encoder/position_encodings/encodings",
            &[1500, 4],
            "encoder.positional_embedding",
            &[4, 1500],
            F32,
        );
        case(
            "decoder/position_encodings/encodings",
            &[448, 4],
            "decoder.positional_embedding",
            &[4, 448],
            F32,
        );
        case(
            "encoder/conv1/weight",
            &[4, 80, 3],
            "encoder.conv1.weight",
            &[3, 80, 4],
            Weight,
        );
        case(
            "encoder/conv2/bias",
            &[4],
            "encoder.conv2.bias",
            &[1, 4],
            F32,
        );
        case(
            "decoder/embeddings/weight",
            &[10, 4],
            "decoder.token_embedding.weight",
            &[4, 10],
            Weight,
        );
        case(
            "encoder/layer_norm/gamma",
            &[4],
            "encoder.ln_post.weight",
            &[4],
            F32,
        );
        case(
            "decoder/layer_norm/beta",
            &[4],
            "decoder.ln.bias",
            &[4],
            F32,
        );
        case(
            "encoder/layer_3/self_attention/linear_1/weight",
            &[4, 4],
            "encoder.blocks.3.attn.out.weight",
            &[4, 4],
            Weight,
        );
        case(
            "encoder/layer_0/self_attention/layer_norm/gamma",
            &[4],
            "encoder.blocks.0.attn_ln.weight",
            &[4],
            F32,
        );
        case(
            "decoder/layer_0/attention/linear_0/bias",
            &[4],
            "decoder.blocks.0.cross_attn.query.bias",
            &[4],
            F32,
        );
        case(
            "decoder/layer_0/attention/linear_2/weight",
            &[4, 4],
            "decoder.blocks.0.cross_attn.out.weight",
            &[4, 4],
            Weight,
        );
        case(
            "decoder/layer_0/attention/layer_norm/beta",
            &[4],
            "decoder.blocks.0.cross_attn_ln.bias",
            &[4],
            F32,
        );
        case(
            "decoder/layer_0/ffn/linear_0/weight",
            &[16, 4],
            "decoder.blocks.0.mlp.0.weight",
            &[4, 16],
            Weight,
        );
        case(
            "decoder/layer_0/ffn/linear_1/bias",
            &[4],
            "decoder.blocks.0.mlp.2.bias",
            &[4],
            F32,
        );
        case(
            "encoder/layer_0/ffn/layer_norm/gamma",
            &[4],
            "encoder.blocks.0.mlp_ln.weight",
            &[4],
            F32,
        );
    }

    #[test]
    fn scalars_and_unknown_names() {
        assert_eq!(
            map_variable("decoder/num_heads", &[]),
            Some(Mapping::NumHeads { encoder: false })
        );
        assert_eq!(
            map_variable("decoder/alignment_heads", &[]),
            Some(Mapping::Ignore)
        );
        assert_eq!(
            map_variable("encoder/layer_0/attention/linear_0/weight", &[4, 4]),
            None
        );
        assert_eq!(map_variable("decoder/projection/weight", &[4, 4]), None);
        assert_eq!(map_variable("something/else", &[4]), None);
    }

    #[test]
    fn tiny_and_base_have_the_documented_tensor_counts() {
        let mut h = Hparams::tiny_en();
        assert_eq!(expected_tensor_names(&h).len(), 167);
        h.n_audio_layer = 6;
        h.n_text_layer = 6;
        assert_eq!(expected_tensor_names(&h).len(), 245);
    }
}
