//! whisper.cpp's ggml model file: writing one, and checking one's structure.
//!
//! Layout (little-endian): magic, eleven i32 hyper-parameters, the mel filter
//! bank, the regular vocabulary, then tensor records until the end of the
//! file. whisper.cpp's loader trusts what it reads (a bad dimension count or
//! a truncated last tensor is not caught, or crashes it), so [`inspect`]
//! walks the whole structure first and names what is wrong.

use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::model::mel::MelFilters;

/// `ggml` in ASCII, as a little-endian u32.
pub(crate) const MAGIC: u32 = 0x6767_6d6c;

/// The hyper-parameters at the top of the file, in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hparams {
    pub(crate) n_vocab: i32,
    pub(crate) n_audio_ctx: i32,
    pub(crate) n_audio_state: i32,
    pub(crate) n_audio_head: i32,
    pub(crate) n_audio_layer: i32,
    pub(crate) n_text_ctx: i32,
    pub(crate) n_text_state: i32,
    pub(crate) n_text_head: i32,
    pub(crate) n_text_layer: i32,
    pub(crate) n_mels: i32,
    /// Weight type of the big matrices: 0 f32, 1 f16, higher values quantized.
    pub(crate) ftype: i32,
}

impl Hparams {
    /// The hyper-parameters of Whisper tiny.en in f16 (for tests).
    #[cfg(test)]
    pub(crate) fn tiny_en() -> Self {
        Hparams {
            n_vocab: 51864,
            n_audio_ctx: 1500,
            n_audio_state: 384,
            n_audio_head: 6,
            n_audio_layer: 4,
            n_text_ctx: 448,
            n_text_state: 384,
            n_text_head: 6,
            n_text_layer: 4,
            n_mels: 80,
            ftype: 1,
        }
    }

    fn as_array(&self) -> [i32; 11] {
        [
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
            self.ftype,
        ]
    }

    fn from_array(v: [i32; 11]) -> Self {
        Self {
            n_vocab: v[0],
            n_audio_ctx: v[1],
            n_audio_state: v[2],
            n_audio_head: v[3],
            n_audio_layer: v[4],
            n_text_ctx: v[5],
            n_text_state: v[6],
            n_text_head: v[7],
            n_text_layer: v[8],
            n_mels: v[9],
            ftype: v[10],
        }
    }

    /// True for multilingual models (their vocabulary has the language tokens).
    pub(crate) fn is_multilingual(&self) -> bool {
        self.n_vocab >= 51865
    }
}

/// A tensor's element type in the file (ggml's `ggml_type` numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TensorType {
    F32,
    F16,
    Q4_0,
    Q4_1,
    Q5_0,
    Q5_1,
    Q8_0,
}

impl TensorType {
    /// ggml's number for this type.
    pub(crate) fn code(self) -> i32 {
        match self {
            TensorType::F32 => 0,
            TensorType::F16 => 1,
            TensorType::Q4_0 => 2,
            TensorType::Q4_1 => 3,
            TensorType::Q5_0 => 6,
            TensorType::Q5_1 => 7,
            TensorType::Q8_0 => 8,
        }
    }

    pub(crate) fn from_code(code: i32) -> Option<Self> {
        [
            TensorType::F32,
            TensorType::F16,
            TensorType::Q4_0,
            TensorType::Q4_1,
            TensorType::Q5_0,
            TensorType::Q5_1,
            TensorType::Q8_0,
        ]
        .into_iter()
        .find(|t| t.code() == code)
    }

    /// (elements per block, bytes per block)
    fn block(self) -> (u64, u64) {
        match self {
            TensorType::F32 => (1, 4),
            TensorType::F16 => (1, 2),
            TensorType::Q4_0 => (32, 18),
            TensorType::Q4_1 => (32, 20),
            TensorType::Q5_0 => (32, 22),
            TensorType::Q5_1 => (32, 24),
            TensorType::Q8_0 => (32, 34),
        }
    }

    /// Bytes that `elements` values of this type take, or `None` if they do
    /// not fill whole blocks.
    pub(crate) fn bytes_for(self, elements: u64) -> Option<u64> {
        let (per_block, block_bytes) = self.block();
        elements
            .is_multiple_of(per_block)
            .then(|| elements / per_block * block_bytes)
    }
}

/// The weight type of a file's big matrices, as `viva model import` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Weights {
    /// 16-bit floats, as the published models.
    #[default]
    F16,
    /// 8-bit integers in blocks of 32 with an f16 scale each (ggml's q8_0):
    /// half the size, and ggml multiplies them without widening to floats.
    #[value(name = "q8_0")]
    Q8_0,
}

impl Weights {
    /// The header's `ftype`: ggml's file type, plus the quantisation format
    /// version times 1000 for a quantized one (whisper.cpp reads it that way).
    pub(crate) fn ftype(self) -> i32 {
        match self {
            Weights::F16 => 1,
            Weights::Q8_0 => 2 * 1000 + 7,
        }
    }

    /// The suffix of a model's name in this type (`tiny.en-q8_0`).
    pub(crate) fn name_suffix(self) -> &'static str {
        match self {
            Weights::F16 => "",
            Weights::Q8_0 => "-q8_0",
        }
    }
}

/// Values per q8_0 block.
pub(crate) const Q8_0_BLOCK: usize = 32;

/// `values` in ggml's q8_0 blocks: per 32 values, the f16 scale `d` (the
/// largest magnitude over 127) then each value over `d`, rounded to an i8.
/// `values.len()` must be a multiple of 32.
pub(crate) fn quantize_q8_0(values: &[f32]) -> Vec<u8> {
    debug_assert!(values.len().is_multiple_of(Q8_0_BLOCK));
    let mut out = Vec::with_capacity(values.len() / Q8_0_BLOCK * 34);
    for block in values.chunks_exact(Q8_0_BLOCK) {
        let largest = block.iter().fold(0f32, |m, x| m.max(x.abs()));
        let d = largest / 127.0;
        let inverse = if d > 0.0 { 1.0 / d } else { 0.0 };
        out.extend_from_slice(&half::f16::from_f32(d).to_le_bytes());
        out.extend(block.iter().map(|x| ((x * inverse).round() as i8) as u8));
    }
    out
}

fn put_i32(out: &mut impl Write, value: i32) -> io::Result<()> {
    out.write_all(&value.to_le_bytes())
}

fn to_i32(value: usize, what: &str) -> io::Result<i32> {
    i32::try_from(value).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{what} ({value}) is too large for a ggml file"),
        )
    })
}

/// Write everything before the tensors: magic, hyper-parameters, mel filters,
/// vocabulary (raw bytes per token, in id order).
pub(crate) fn write_header(
    out: &mut impl Write,
    hparams: &Hparams,
    mel: &MelFilters,
    tokens: &[Vec<u8>],
) -> io::Result<()> {
    out.write_all(&MAGIC.to_le_bytes())?;
    for value in hparams.as_array() {
        put_i32(out, value)?;
    }
    put_i32(out, to_i32(mel.n_mels, "mel count")?)?;
    put_i32(out, to_i32(mel.n_fft_bins, "FFT bin count")?)?;
    for weight in &mel.weights {
        out.write_all(&weight.to_le_bytes())?;
    }
    put_i32(out, to_i32(tokens.len(), "token count")?)?;
    for token in tokens {
        let len = u32::try_from(token.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "token too long"))?;
        out.write_all(&len.to_le_bytes())?;
        out.write_all(token)?;
    }
    Ok(())
}

/// Write one tensor record. `ne` is ggml's shape: innermost dimension first
/// (numpy's shape reversed). `data` must be exactly the tensor's bytes.
pub(crate) fn write_tensor(
    out: &mut impl Write,
    name: &str,
    ne: &[usize],
    ttype: TensorType,
    data: &[u8],
) -> io::Result<()> {
    let elements: u64 = ne.iter().map(|&n| n as u64).product();
    if ne.is_empty() || ne.len() > 4 || ttype.bytes_for(elements) != Some(data.len() as u64) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "tensor {name}: {} bytes do not match shape {ne:?} of {ttype:?}",
                data.len()
            ),
        ));
    }
    put_i32(out, ne.len() as i32)?;
    put_i32(out, to_i32(name.len(), "tensor name length")?)?;
    put_i32(out, ttype.code())?;
    for &n in ne {
        put_i32(out, to_i32(n, "tensor dimension")?)?;
    }
    out.write_all(name.as_bytes())?;
    out.write_all(data)
}

/// What [`inspect`] found in a structurally sound ggml file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Summary {
    pub(crate) hparams: Hparams,
    /// Regular tokens stored in the file.
    pub(crate) n_tokens: usize,
    /// The tensor records, in file order.
    pub(crate) tensors: Vec<TensorInfo>,
}

/// Where one tensor is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TensorInfo {
    pub(crate) name: String,
    /// ggml shape, innermost first.
    pub(crate) ne: Vec<usize>,
    pub(crate) ttype: TensorType,
    /// Byte offset of the data from the start of the file.
    pub(crate) offset: u64,
    pub(crate) bytes: u64,
}

/// Why a file is not a sound ggml Whisper model.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FormatError {
    #[error("it does not start with the ggml magic number")]
    BadMagic,
    #[error("implausible header: {0}")]
    BadHeader(String),
    #[error("it ends early, inside {0} (truncated download or copy?)")]
    Truncated(String),
    #[error("tensor #{index}: {reason}")]
    BadTensor { index: usize, reason: String },
    #[error("it holds no tensors")]
    NoTensors,
    #[error(transparent)]
    Io(io::Error),
}

/// Reads little-endian values, turning an early end of file into
/// `Truncated(what)`. Tracks the position itself: asking a `BufReader` for it,
/// or seeking one, costs a system call and drops its buffer.
struct Cursor<R> {
    inner: R,
    pos: u64,
}

impl<R: Read + Seek> Cursor<R> {
    fn read(&mut self, buf: &mut [u8], what: &str) -> Result<(), FormatError> {
        self.inner.read_exact(buf).map_err(|e| eof_as(e, what))?;
        self.pos += buf.len() as u64;
        Ok(())
    }

    fn bytes<const N: usize>(&mut self, what: &str) -> Result<[u8; N], FormatError> {
        let mut buf = [0u8; N];
        self.read(&mut buf, what)?;
        Ok(buf)
    }

    fn i32(&mut self, what: &str) -> Result<i32, FormatError> {
        self.bytes::<4>(what).map(i32::from_le_bytes)
    }

    /// Skip `n` bytes that must exist in a file of `len` bytes.
    fn skip(&mut self, n: u64, len: u64, what: &str) -> Result<(), FormatError> {
        let end = self.pos.saturating_add(n);
        if end > len {
            return Err(FormatError::Truncated(what.to_string()));
        }
        if n <= 4096 {
            // Small skips (vocabulary tokens) read through the buffer.
            let mut scratch = [0u8; 4096];
            self.read(&mut scratch[..n as usize], what)?;
        } else {
            self.inner
                .seek(SeekFrom::Start(end))
                .map_err(FormatError::Io)?;
            self.pos = end;
        }
        Ok(())
    }
}

fn eof_as(err: io::Error, what: &str) -> FormatError {
    if err.kind() == io::ErrorKind::UnexpectedEof {
        FormatError::Truncated(what.to_string())
    } else {
        FormatError::Io(err)
    }
}

/// Check the structure of the ggml file at `path` without loading its weights.
pub(crate) fn inspect(path: &Path) -> Result<Summary, FormatError> {
    let file = std::fs::File::open(path).map_err(FormatError::Io)?;
    let len = file.metadata().map_err(FormatError::Io)?.len();
    inspect_reader(BufReader::new(file), len)
}

/// [`inspect`] on any seekable reader of `len` bytes.
pub(crate) fn inspect_reader(reader: impl Read + Seek, len: u64) -> Result<Summary, FormatError> {
    let mut cur = Cursor {
        inner: reader,
        pos: 0,
    };
    let magic = u32::from_le_bytes(
        cur.bytes::<4>("the magic number")
            .map_err(|_| FormatError::BadMagic)?,
    );
    if magic != MAGIC {
        return Err(FormatError::BadMagic);
    }
    let mut values = [0i32; 11];
    for value in &mut values {
        *value = cur.i32("the header")?;
    }
    let hparams = Hparams::from_array(values);
    check_hparams(&hparams)?;

    let n_mel = cur.i32("the mel filters")?;
    let n_fft = cur.i32("the mel filters")?;
    if !(1..=512).contains(&n_mel) || !(1..=4096).contains(&n_fft) {
        return Err(FormatError::BadHeader(format!(
            "mel filter bank of {n_mel} × {n_fft}"
        )));
    }
    cur.skip(n_mel as u64 * n_fft as u64 * 4, len, "the mel filters")?;

    let n_tokens = cur.i32("the vocabulary")?;
    if n_tokens < 0 || n_tokens > hparams.n_vocab {
        return Err(FormatError::BadHeader(format!(
            "{n_tokens} tokens for a vocabulary of {}",
            hparams.n_vocab
        )));
    }
    for _ in 0..n_tokens {
        let token_len = u32::from_le_bytes(cur.bytes::<4>("the vocabulary")?);
        if token_len > 1024 {
            return Err(FormatError::BadHeader(format!(
                "a token of {token_len} bytes"
            )));
        }
        cur.skip(token_len as u64, len, "the vocabulary")?;
    }

    let mut tensors = Vec::new();
    while cur.pos < len {
        tensors.push(read_tensor_record(&mut cur, len, tensors.len())?);
    }
    if tensors.is_empty() {
        return Err(FormatError::NoTensors);
    }
    Ok(Summary {
        hparams,
        n_tokens: n_tokens as usize,
        tensors,
    })
}

fn check_hparams(h: &Hparams) -> Result<(), FormatError> {
    let bad = |what: &str, value: i32| FormatError::BadHeader(format!("{what} = {value}"));
    let positive = [
        ("n_vocab", h.n_vocab, 1_000_000),
        ("n_audio_ctx", h.n_audio_ctx, 100_000),
        ("n_audio_state", h.n_audio_state, 100_000),
        ("n_audio_head", h.n_audio_head, 1024),
        ("n_audio_layer", h.n_audio_layer, 1024),
        ("n_text_ctx", h.n_text_ctx, 100_000),
        ("n_text_state", h.n_text_state, 100_000),
        ("n_text_head", h.n_text_head, 1024),
        ("n_text_layer", h.n_text_layer, 1024),
        ("n_mels", h.n_mels, 1024),
    ];
    for (what, value, max) in positive {
        if !(1..=max).contains(&value) {
            return Err(bad(what, value));
        }
    }
    if h.n_text_state != h.n_audio_state {
        return Err(FormatError::BadHeader(format!(
            "text width {} differs from audio width {}",
            h.n_text_state, h.n_audio_state
        )));
    }
    // ftype % 1000 is the type; the thousands are the quantisation version.
    if !(0..=9).contains(&(h.ftype % 1000)) || h.ftype < 0 {
        return Err(bad("ftype", h.ftype));
    }
    Ok(())
}

fn read_tensor_record<R: Read + Seek>(
    cur: &mut Cursor<R>,
    len: u64,
    index: usize,
) -> Result<TensorInfo, FormatError> {
    let bad = |reason: String| FormatError::BadTensor { index, reason };
    let what = format!("tensor #{index}");
    let n_dims = cur.i32(&what)?;
    let name_len = cur.i32(&what)?;
    let ttype = cur.i32(&what)?;
    if !(1..=4).contains(&n_dims) {
        return Err(bad(format!("{n_dims} dimensions")));
    }
    if !(1..=256).contains(&name_len) {
        return Err(bad(format!("a name of {name_len} bytes")));
    }
    let ttype = TensorType::from_code(ttype).ok_or_else(|| bad(format!("unknown type {ttype}")))?;
    let mut elements: u64 = 1;
    let mut ne = Vec::with_capacity(n_dims as usize);
    for _ in 0..n_dims {
        let n = cur.i32(&what)?;
        if n < 1 {
            return Err(bad(format!("dimension {n}")));
        }
        elements = elements.saturating_mul(n as u64);
        ne.push(n as usize);
    }
    let mut name = vec![0u8; name_len as usize];
    cur.read(&mut name, &what)?;
    let name = String::from_utf8_lossy(&name).into_owned();
    let bytes = ttype.bytes_for(elements).ok_or_else(|| {
        bad(format!(
            "{name}: {elements} elements do not fill {ttype:?} blocks"
        ))
    })?;
    let offset = cur.pos;
    cur.skip(bytes, len, &format!("tensor {name}"))?;
    Ok(TensorInfo {
        name,
        ne,
        ttype,
        offset,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::mel::whisper_mel_filters;

    fn tiny_hparams() -> Hparams {
        Hparams {
            n_vocab: 4,
            n_audio_ctx: 2,
            n_audio_state: 2,
            n_audio_head: 1,
            n_audio_layer: 1,
            n_text_ctx: 2,
            n_text_state: 2,
            n_text_head: 1,
            n_text_layer: 1,
            n_mels: 80,
            ftype: 1,
        }
    }

    /// A small, structurally complete file: header, 3 tokens, two tensors.
    fn tiny_file() -> Vec<u8> {
        let mut out = Vec::new();
        let mel = whisper_mel_filters(80);
        let tokens = vec![b"a".to_vec(), b" b".to_vec(), Vec::new()];
        write_header(&mut out, &tiny_hparams(), &mel, &tokens).unwrap();
        let bias: Vec<u8> = [1.5f32, -2.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        write_tensor(
            &mut out,
            "encoder.ln_post.bias",
            &[2],
            TensorType::F32,
            &bias,
        )
        .unwrap();
        write_tensor(&mut out, "m", &[2, 3], TensorType::F16, &[0u8; 12]).unwrap();
        out
    }

    #[test]
    fn writes_the_documented_layout() {
        let out = tiny_file();
        let i32_at = |pos: usize| i32::from_le_bytes(out[pos..pos + 4].try_into().unwrap());
        assert_eq!(&out[0..4], b"lmgg"); // 0x67676d6c little-endian
        assert_eq!(i32_at(4), 4); // n_vocab
        assert_eq!(i32_at(40), 80); // n_mels
        assert_eq!(i32_at(44), 1); // ftype
        assert_eq!(i32_at(48), 80); // filter rows
        assert_eq!(i32_at(52), 201); // filter columns
        let vocab = 56 + 80 * 201 * 4;
        assert_eq!(i32_at(vocab), 3);
        assert_eq!(i32_at(vocab + 4), 1);
        assert_eq!(&out[vocab + 8..vocab + 9], b"a");
        assert_eq!(i32_at(vocab + 9), 2);
        assert_eq!(&out[vocab + 13..vocab + 15], b" b");
        assert_eq!(i32_at(vocab + 15), 0); // the empty token
        let tensor = vocab + 19;
        assert_eq!(i32_at(tensor), 1); // n_dims
        assert_eq!(i32_at(tensor + 4), "encoder.ln_post.bias".len() as i32);
        assert_eq!(i32_at(tensor + 8), 0); // f32
        assert_eq!(i32_at(tensor + 12), 2); // ne[0]
        let data = tensor + 16 + "encoder.ln_post.bias".len();
        assert_eq!(&out[tensor + 16..data], b"encoder.ln_post.bias");
        assert_eq!(
            f32::from_le_bytes(out[data..data + 4].try_into().unwrap()),
            1.5
        );
        let second = data + 8;
        assert_eq!(i32_at(second), 2);
        assert_eq!(i32_at(second + 12), 2); // ne[0]
        assert_eq!(i32_at(second + 16), 3); // ne[1]
        assert_eq!(out.len(), second + 20 + 1 + 12);
    }

    #[test]
    fn refuses_data_that_does_not_match_the_shape() {
        let err =
            write_tensor(&mut Vec::new(), "x", &[2, 3], TensorType::F16, &[0u8; 10]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn q8_0_blocks_hold_a_scale_then_the_rounded_values() {
        let values: Vec<f32> = (0..64).map(|i| (i as f32 - 20.0) * 0.1).collect();
        let bytes = quantize_q8_0(&values);
        assert_eq!(bytes.len(), 2 * 34);
        for (block, chunk) in bytes.chunks_exact(34).zip(values.chunks_exact(32)) {
            let d = half::f16::from_le_bytes([block[0], block[1]]).to_f32();
            let largest = chunk.iter().fold(0f32, |m, x| m.max(x.abs()));
            assert!((d - largest / 127.0).abs() < 1e-4, "scale {d}");
            for (&q, &x) in block[2..].iter().zip(chunk) {
                let back = f32::from(q as i8) * d;
                assert!((back - x).abs() <= d * 0.51, "{x} came back as {back}");
            }
        }
        // The largest value is ±127; an all-zero block has scale 0.
        assert_eq!(bytes[34 + 2 + 31] as i8, 127);
        assert_eq!(bytes[2] as i8, -127);
        assert_eq!(quantize_q8_0(&[0.0; 32]), vec![0u8; 34]);
    }

    #[test]
    fn inspect_accepts_what_the_writer_wrote() {
        let out = tiny_file();
        let summary = inspect_reader(io::Cursor::new(&out), out.len() as u64).unwrap();
        assert_eq!(summary.hparams, tiny_hparams());
        assert_eq!(summary.n_tokens, 3);
        let names: Vec<&str> = summary.tensors.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["encoder.ln_post.bias", "m"]);
        let m = &summary.tensors[1];
        assert_eq!(
            (m.ne.clone(), m.ttype, m.bytes),
            (vec![2, 3], TensorType::F16, 12)
        );
        assert_eq!(m.offset, out.len() as u64 - 12);
    }

    #[test]
    fn inspect_catches_truncation_anywhere() {
        let out = tiny_file();
        for cut in [2, 30, 1000, 56 + 80 * 201 * 4 + 10, out.len() - 1] {
            let short = &out[..cut];
            let err = inspect_reader(io::Cursor::new(short), cut as u64).unwrap_err();
            assert!(
                matches!(err, FormatError::Truncated(_) | FormatError::BadMagic),
                "cut at {cut}: {err}"
            );
        }
        let err = inspect_reader(io::Cursor::new(&out[..out.len() - 1]), out.len() as u64 - 1)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "it ends early, inside tensor m (truncated download or copy?)"
        );
    }

    #[test]
    fn inspect_refuses_garbage() {
        let garbage = vec![7u8; 4096];
        let err = inspect_reader(io::Cursor::new(&garbage), 4096).unwrap_err();
        assert!(matches!(err, FormatError::BadMagic));

        let mut out = tiny_file();
        out[4..8].copy_from_slice(&(-5i32).to_le_bytes());
        let err = inspect_reader(io::Cursor::new(&out), out.len() as u64).unwrap_err();
        assert_eq!(err.to_string(), "implausible header: n_vocab = -5");
    }

    #[test]
    fn inspect_refuses_a_bad_dimension_count() {
        let mut out = tiny_file();
        let tensor = 56 + 80 * 201 * 4 + 19;
        out[tensor..tensor + 4].copy_from_slice(&9i32.to_le_bytes());
        let err = inspect_reader(io::Cursor::new(&out), out.len() as u64).unwrap_err();
        assert_eq!(err.to_string(), "tensor #0: 9 dimensions");
    }
}
