//! Repair a WAV file whose header stopped being updated (a crash or
//! `kill -9` while recording): the recording writer refreshes the header
//! about once a second, so audio written after the last refresh is in the
//! file but not counted. This makes the header count every whole sample
//! frame in the file. A header that claims more than the file holds (a
//! disk that filled up after the header was written) is cut down to what
//! is there.

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// What a repair did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repair {
    /// The header already matched the file.
    Intact,
    /// The header now counts `added` more bytes of audio.
    Extended { added: u64 },
    /// The header claimed `removed` bytes of audio the file does not hold.
    Shortened { removed: u64 },
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum RepairError {
    #[error("{path}: {reason}")]
    NotRepairable { path: String, reason: String },
    #[error("cannot repair {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Fix the RIFF and data sizes of the WAV at `path` in place, when its
/// `data` chunk is the last chunk and holds more bytes than its header says.
pub(crate) fn repair(path: &Path) -> Result<Repair, RepairError> {
    let name = path.display().to_string();
    let io = |source| RepairError::Io {
        path: name.clone(),
        source,
    };
    let bad = |reason: &str| RepairError::NotRepairable {
        path: name.clone(),
        reason: reason.to_string(),
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let mut riff = [0u8; 12];
    file.read_exact(&mut riff)
        .map_err(|_| bad("too short to be a WAV file"))?;
    if &riff[0..4] != b"RIFF" || &riff[8..12] != b"WAVE" {
        return Err(bad("not a WAV file (no RIFF/WAVE header)"));
    }
    let mut block_align = 0u64;
    let mut offset = 12u64;
    loop {
        let mut chunk = [0u8; 8];
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        file.read_exact(&mut chunk)
            .map_err(|_| bad("no data chunk"))?;
        let size = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
        let body = offset + 8;
        if &chunk[0..4] == b"fmt " {
            let mut fmt = [0u8; 16];
            file.read_exact(&mut fmt)
                .map_err(|_| bad("truncated fmt chunk"))?;
            block_align = u64::from(u16::from_le_bytes([fmt[12], fmt[13]]));
        }
        if &chunk[0..4] == b"data" {
            if block_align == 0 {
                return Err(bad("data chunk before a valid fmt chunk"));
            }
            let present = (len - body) / block_align * block_align;
            if present == size {
                return Ok(Repair::Intact);
            }
            let data_size = u32::try_from(present).map_err(|_| bad("larger than 4 GiB"))?;
            let riff_size =
                u32::try_from(body + present - 8).map_err(|_| bad("larger than 4 GiB"))?;
            file.seek(SeekFrom::Start(offset + 4)).map_err(io)?;
            file.write_all(&data_size.to_le_bytes()).map_err(io)?;
            file.seek(SeekFrom::Start(4)).map_err(io)?;
            file.write_all(&riff_size.to_le_bytes()).map_err(io)?;
            file.sync_all().map_err(io)?;
            return Ok(if present > size {
                Repair::Extended {
                    added: present - size,
                }
            } else {
                Repair::Shortened {
                    removed: size - present,
                }
            });
        }
        // Chunks are padded to an even length.
        offset = body + size + (size & 1);
        if offset >= len {
            return Err(bad("no data chunk"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> hound::WavSpec {
        hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        }
    }

    /// A WAV whose header counts only the first `counted` of `total` samples.
    fn stale_wav(path: &Path, counted: usize, total: usize) {
        let mut writer = hound::WavWriter::create(path, spec()).unwrap();
        for i in 0..counted {
            writer.write_sample((i % 100) as i16).unwrap();
        }
        writer.finalize().unwrap();
        let mut file = OpenOptions::new().append(true).open(path).unwrap();
        let extra: Vec<u8> = (counted..total)
            .flat_map(|i| ((i % 100) as i16).to_le_bytes())
            .collect();
        file.write_all(&extra).unwrap();
    }

    #[test]
    fn extends_a_stale_header_to_every_sample() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        stale_wav(&path, 16_000, 24_000);
        assert_eq!(hound::WavReader::open(&path).unwrap().len(), 16_000);
        assert_eq!(repair(&path).unwrap(), Repair::Extended { added: 16_000 });
        let mut reader = hound::WavReader::open(&path).unwrap();
        assert_eq!(reader.len(), 24_000);
        let last: i16 = reader.samples::<i16>().last().unwrap().unwrap();
        assert_eq!(last, (23_999 % 100) as i16);
        assert_eq!(repair(&path).unwrap(), Repair::Intact);
    }

    #[test]
    fn a_header_claiming_more_than_the_file_holds_is_cut_down() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        stale_wav(&path, 16_000, 16_000);
        // A disk that filled up: the header was written, the last half of
        // the samples never were.
        let file = OpenOptions::new().write(true).open(&path).unwrap();
        file.set_len(44 + 16_000).unwrap();
        assert_eq!(
            repair(&path).unwrap(),
            Repair::Shortened { removed: 16_000 }
        );
        assert_eq!(hound::WavReader::open(&path).unwrap().len(), 8_000);
        assert_eq!(repair(&path).unwrap(), Repair::Intact);
    }

    #[test]
    fn a_half_written_sample_is_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        stale_wav(&path, 100, 200);
        OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(&[7])
            .unwrap();
        assert_eq!(repair(&path).unwrap(), Repair::Extended { added: 200 });
        assert_eq!(hound::WavReader::open(&path).unwrap().len(), 200);
    }

    #[test]
    fn refuses_what_is_not_a_wav() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        std::fs::write(&path, b"hello, this is not audio at all").unwrap();
        let err = repair(&path).unwrap_err().to_string();
        assert!(
            err.ends_with("not a WAV file (no RIFF/WAVE header)"),
            "{err}"
        );
    }
}
