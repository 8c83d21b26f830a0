//! A streaming reader for CTranslate2's `model.bin` (binary version 6).
//!
//! Layout (little-endian, no padding): version, spec name, spec revision, the
//! variables (name, shape, dtype, raw row-major data), then aliases. The
//! reader walks the file front to back from any `Read` (a file, two file
//! halves chained, a compressed wheel entry) and hands out one variable at a
//! time, so converting a model never holds more than its largest tensor.

use std::io::{self, Read};

/// The only binary version this reader knows.
pub(crate) const BINARY_VERSION: u32 = 6;

/// Element type of a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dtype {
    F32,
    I8,
    I16,
    I32,
    F16,
    Bf16,
}

impl Dtype {
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Dtype::F32,
            1 => Dtype::I8,
            2 => Dtype::I16,
            3 => Dtype::I32,
            4 => Dtype::F16,
            5 => Dtype::Bf16,
            _ => return None,
        })
    }

    /// Bytes per element.
    pub(crate) fn size(self) -> usize {
        match self {
            Dtype::I8 => 1,
            Dtype::I16 | Dtype::F16 | Dtype::Bf16 => 2,
            Dtype::F32 | Dtype::I32 => 4,
        }
    }

    /// True for the floating-point types.
    pub(crate) fn is_float(self) -> bool {
        matches!(self, Dtype::F32 | Dtype::F16 | Dtype::Bf16)
    }
}

/// A variable's name, shape and type, read before its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VarHeader {
    pub(crate) name: String,
    /// numpy order: outermost dimension first. Empty for a scalar.
    pub(crate) shape: Vec<usize>,
    pub(crate) dtype: Dtype,
    pub(crate) nbytes: usize,
}

impl VarHeader {
    #[cfg(test)]
    pub(crate) fn elements(&self) -> usize {
        self.shape.iter().product()
    }
}

/// Why a `model.bin` cannot be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Ct2Error {
    #[error("it ends early, inside {0} (truncated download or copy?)")]
    Truncated(String),
    #[error("not a CTranslate2 model.bin (version field is {0}; viva reads binary version {BINARY_VERSION})")]
    UnsupportedVersion(u32),
    #[error("corrupt {what}: {reason}")]
    Corrupt { what: String, reason: String },
    #[error(transparent)]
    Io(io::Error),
}

/// The model's identity, from the top of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spec {
    pub(crate) name: String,
    pub(crate) revision: u32,
    pub(crate) n_vars: u32,
}

/// Reads a `model.bin` variable by variable.
pub(crate) struct Ct2Reader<R> {
    inner: R,
    spec: Spec,
    vars_left: u32,
    /// Data bytes of the current variable not yet read (skipped on the next call).
    unread: u64,
    /// Name of the current variable, for error messages.
    current: String,
}

fn eof_as(err: io::Error, what: &str) -> Ct2Error {
    if err.kind() == io::ErrorKind::UnexpectedEof {
        Ct2Error::Truncated(what.to_string())
    } else {
        Ct2Error::Io(err)
    }
}

fn read_array<const N: usize>(r: &mut impl Read, what: &str) -> Result<[u8; N], Ct2Error> {
    let mut buf = [0u8; N];
    r.read_exact(&mut buf).map_err(|e| eof_as(e, what))?;
    Ok(buf)
}

fn read_u32(r: &mut impl Read, what: &str) -> Result<u32, Ct2Error> {
    read_array::<4>(r, what).map(u32::from_le_bytes)
}

/// A string: u16 length including the NUL, UTF-8 bytes, NUL.
fn read_str(r: &mut impl Read, what: &str) -> Result<String, Ct2Error> {
    let len = u16::from_le_bytes(read_array::<2>(r, what)?) as usize;
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf).map_err(|e| eof_as(e, what))?;
    let corrupt = |reason: &str| Ct2Error::Corrupt {
        what: what.to_string(),
        reason: reason.to_string(),
    };
    if buf.pop() != Some(0) {
        return Err(corrupt("string without its closing NUL"));
    }
    String::from_utf8(buf).map_err(|_| corrupt("string that is not UTF-8"))
}

impl<R: Read> Ct2Reader<R> {
    /// Read the header: version, spec name and revision, variable count.
    pub(crate) fn new(mut inner: R) -> Result<Self, Ct2Error> {
        let version = read_u32(&mut inner, "the header")?;
        if version != BINARY_VERSION {
            return Err(Ct2Error::UnsupportedVersion(version));
        }
        let name = read_str(&mut inner, "the spec name")?;
        let revision = read_u32(&mut inner, "the header")?;
        let n_vars = read_u32(&mut inner, "the header")?;
        Ok(Self {
            inner,
            spec: Spec {
                name,
                revision,
                n_vars,
            },
            vars_left: n_vars,
            unread: 0,
            current: String::new(),
        })
    }

    pub(crate) fn spec(&self) -> &Spec {
        &self.spec
    }

    fn skip_unread(&mut self) -> Result<(), Ct2Error> {
        let wanted = self.unread;
        let skipped =
            io::copy(&mut (&mut self.inner).take(wanted), &mut io::sink()).map_err(Ct2Error::Io)?;
        self.unread = 0;
        if skipped < wanted {
            return Err(Ct2Error::Truncated(format!("variable {}", self.current)));
        }
        Ok(())
    }

    /// The next variable's header, or `None` after the last one. The data of
    /// the previous variable is skipped if it was not read.
    pub(crate) fn next_var(&mut self) -> Result<Option<VarHeader>, Ct2Error> {
        self.skip_unread()?;
        if self.vars_left == 0 {
            return Ok(None);
        }
        self.vars_left -= 1;
        let index = self.spec.n_vars - self.vars_left;
        let what = format!("variable #{index}");
        let name = read_str(&mut self.inner, &what)?;
        let what = format!("variable {name}");
        let rank = read_array::<1>(&mut self.inner, &what)?[0];
        if rank > 8 {
            return Err(Ct2Error::Corrupt {
                what,
                reason: format!("rank {rank}"),
            });
        }
        let mut shape = Vec::with_capacity(rank as usize);
        for _ in 0..rank {
            shape.push(read_u32(&mut self.inner, &what)? as usize);
        }
        let code = read_array::<1>(&mut self.inner, &what)?[0];
        let dtype = Dtype::from_code(code).ok_or_else(|| Ct2Error::Corrupt {
            what: what.clone(),
            reason: format!("unknown data type {code}"),
        })?;
        let nbytes = read_u32(&mut self.inner, &what)? as usize;
        let expected = shape
            .iter()
            .try_fold(dtype.size(), |acc, &n| acc.checked_mul(n));
        if expected != Some(nbytes) {
            return Err(Ct2Error::Corrupt {
                what,
                reason: format!("{nbytes} bytes for shape {shape:?} of {dtype:?}"),
            });
        }
        self.unread = nbytes as u64;
        self.current = name.clone();
        Ok(Some(VarHeader {
            name,
            shape,
            dtype,
            nbytes,
        }))
    }

    /// The data of the variable whose header `next_var` just returned.
    pub(crate) fn read_data(&mut self) -> Result<Vec<u8>, Ct2Error> {
        let wanted = self.unread;
        // Grow with what actually arrives: a corrupt size must not allocate gigabytes up front.
        let mut data = Vec::with_capacity(wanted.min(64 << 20) as usize);
        (&mut self.inner)
            .take(wanted)
            .read_to_end(&mut data)
            .map_err(Ct2Error::Io)?;
        self.unread = 0;
        if (data.len() as u64) < wanted {
            return Err(Ct2Error::Truncated(format!("variable {}", self.current)));
        }
        Ok(data)
    }

    /// The aliases after the variables (`(alias, target)` pairs). Call after
    /// `next_var` returned `None`.
    pub(crate) fn aliases(&mut self) -> Result<Vec<(String, String)>, Ct2Error> {
        self.skip_unread()?;
        let count = read_u32(&mut self.inner, "the aliases")?;
        let mut aliases = Vec::new();
        for _ in 0..count {
            let alias = read_str(&mut self.inner, "the aliases")?;
            let target = read_str(&mut self.inner, "the aliases")?;
            aliases.push((alias, target));
        }
        Ok(aliases)
    }
}

/// Builds `model.bin` bytes, for tests of the reader and the importer.
#[cfg(test)]
pub(crate) mod testing {
    use super::BINARY_VERSION;

    fn put_str(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }

    /// One variable: name, numpy shape, dtype code, raw data.
    pub(crate) struct Var<'a> {
        pub(crate) name: &'a str,
        pub(crate) shape: Vec<u32>,
        pub(crate) dtype: u8,
        pub(crate) data: Vec<u8>,
    }

    pub(crate) fn model_bin(spec: &str, vars: &[Var], aliases: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&BINARY_VERSION.to_le_bytes());
        put_str(&mut out, spec);
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&(vars.len() as u32).to_le_bytes());
        for var in vars {
            put_str(&mut out, var.name);
            out.push(var.shape.len() as u8);
            for dim in &var.shape {
                out.extend_from_slice(&dim.to_le_bytes());
            }
            out.push(var.dtype);
            out.extend_from_slice(&(var.data.len() as u32).to_le_bytes());
            out.extend_from_slice(&var.data);
        }
        out.extend_from_slice(&(aliases.len() as u32).to_le_bytes());
        for (alias, target) in aliases {
            put_str(&mut out, alias);
            put_str(&mut out, target);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{model_bin, Var};
    use super::*;

    fn sample() -> Vec<u8> {
        model_bin(
            "WhisperSpec",
            &[
                Var {
                    name: "encoder/num_heads",
                    shape: vec![],
                    dtype: 2,
                    data: 6i16.to_le_bytes().to_vec(),
                },
                Var {
                    name: "encoder/conv1/bias",
                    shape: vec![3],
                    dtype: 0,
                    data: [1.0f32, 2.0, 3.0]
                        .iter()
                        .flat_map(|v| v.to_le_bytes())
                        .collect(),
                },
                Var {
                    name: "decoder/embeddings/weight",
                    shape: vec![2, 2],
                    dtype: 4,
                    data: vec![1, 2, 3, 4, 5, 6, 7, 8],
                },
            ],
            &[("decoder/projection/weight", "decoder/embeddings/weight")],
        )
    }

    #[test]
    fn reads_headers_data_and_aliases() {
        let bytes = sample();
        let mut reader = Ct2Reader::new(bytes.as_slice()).unwrap();
        assert_eq!(
            reader.spec(),
            &Spec {
                name: "WhisperSpec".into(),
                revision: 3,
                n_vars: 3
            }
        );
        let heads = reader.next_var().unwrap().unwrap();
        assert_eq!(heads.shape, Vec::<usize>::new());
        assert_eq!(heads.dtype, Dtype::I16);
        assert_eq!(reader.read_data().unwrap(), 6i16.to_le_bytes());

        // Not reading this variable's data: the next call skips it.
        let bias = reader.next_var().unwrap().unwrap();
        assert_eq!(
            (bias.name.as_str(), bias.shape.clone(), bias.nbytes),
            ("encoder/conv1/bias", vec![3], 12)
        );

        let emb = reader.next_var().unwrap().unwrap();
        assert_eq!(emb.dtype, Dtype::F16);
        assert_eq!(emb.elements(), 4);
        assert_eq!(reader.read_data().unwrap(), vec![1, 2, 3, 4, 5, 6, 7, 8]);
        assert!(reader.next_var().unwrap().is_none());
        assert_eq!(
            reader.aliases().unwrap(),
            vec![(
                "decoder/projection/weight".to_string(),
                "decoder/embeddings/weight".to_string()
            )]
        );
    }

    #[test]
    fn every_truncation_is_reported_as_such() {
        let bytes = sample();
        for cut in 0..bytes.len() {
            let result = (|| {
                let mut reader = Ct2Reader::new(&bytes[..cut])?;
                while reader.next_var()?.is_some() {
                    reader.read_data()?;
                }
                reader.aliases()
            })();
            match result {
                Err(Ct2Error::Truncated(_)) => {}
                other => panic!("cut at {cut}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_wrong_version_is_refused() {
        let mut bytes = sample();
        bytes[0..4].copy_from_slice(&5u32.to_le_bytes());
        let Err(err) = Ct2Reader::new(bytes.as_slice()) else {
            panic!("version 5 must be refused");
        };
        assert_eq!(
            err.to_string(),
            "not a CTranslate2 model.bin (version field is 5; viva reads binary version 6)"
        );
    }

    #[test]
    fn a_size_that_does_not_match_the_shape_is_corrupt() {
        let bytes = model_bin(
            "WhisperSpec",
            &[Var {
                name: "x",
                shape: vec![4],
                dtype: 0,
                data: vec![0; 12],
            }],
            &[],
        );
        let mut reader = Ct2Reader::new(bytes.as_slice()).unwrap();
        let err = reader.next_var().unwrap_err();
        assert_eq!(
            err.to_string(),
            "corrupt variable x: 12 bytes for shape [4] of F32"
        );
    }
}
