//! Reading a WAV file of any common kind (8/16/24/32-bit integer or 32-bit
//! float PCM, any rate, any channel count) straight into 16 kHz mono f32 for
//! Whisper. The file is streamed through the resampler in blocks, so a long
//! stereo recording never sits in memory at its original rate.
//!
//! Every error names the file and says what is wrong with it: missing, empty,
//! not a WAV, an encoding hound cannot decode, or cut short.

use std::cell::Cell;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use hound::{SampleFormat, WavReader};

use super::resample::Resampler;
use super::WHISPER_RATE;

/// Interleaved samples read per block while streaming a file through the
/// resampler.
const BLOCK_SAMPLES: usize = 16 * 1024;

/// A WAV file's audio as Whisper wants it, with what the file held.
#[derive(Debug, Clone, PartialEq)]
pub struct WhisperAudio {
    /// 16 kHz mono samples in [-1, 1].
    pub samples: Vec<f32>,
    /// The file's own sample rate.
    pub source_rate: u32,
    /// The file's channel count.
    pub source_channels: u16,
}

impl WhisperAudio {
    /// Length of the audio, seconds.
    pub fn duration_s(&self) -> f64 {
        self.samples.len() as f64 / f64::from(WHISPER_RATE)
    }
}

/// Why a WAV file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    #[error("{}: no such file", .path.display())]
    NotFound { path: PathBuf },
    #[error("{}: cannot read: {source}", .path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: the file is empty (0 bytes), not a WAV file", .path.display())]
    Empty { path: PathBuf },
    #[error("{}: not a WAV file ({reason})", .path.display())]
    NotWav { path: PathBuf, reason: String },
    #[error("{}: unsupported WAV encoding ({reason}); convert it to 16-bit PCM, e.g. `sox IN.wav -b 16 OUT.wav`", .path.display())]
    Unsupported { path: PathBuf, reason: String },
    #[error("{}: the WAV file is truncated ({detail})", .path.display())]
    Truncated { path: PathBuf, detail: String },
}

/// Read `path` into 16 kHz mono f32.
pub fn read_for_whisper(path: &Path) -> Result<WhisperAudio, WavError> {
    let mut file = open(path)?;
    check_riff_header(path, &mut file)?;
    let file_ended = Rc::new(Cell::new(false));
    let watched = EndWatch {
        inner: file,
        ended: Rc::clone(&file_ended),
    };
    let reader = WavReader::new(BufReader::new(watched))
        .map_err(|err| header_error(path, err, file_ended.get()))?;
    let spec = reader.spec();
    if spec.channels == 0 || spec.sample_rate == 0 {
        return Err(WavError::NotWav {
            path: path.to_path_buf(),
            reason: format!(
                "the header says {} channels at {} Hz",
                spec.channels, spec.sample_rate
            ),
        });
    }
    let mut resampler =
        Resampler::new(spec.sample_rate, spec.channels).map_err(|err| WavError::NotWav {
            path: path.to_path_buf(),
            reason: err.to_string(),
        })?;
    let declared = reader.len() as usize;
    let mut samples = Vec::with_capacity(
        declared / usize::from(spec.channels) * WHISPER_RATE as usize / spec.sample_rate as usize
            + 1,
    );
    let mut samples_read = 0usize;
    let mut on_block = |block: &[f32]| {
        samples_read += block.len();
        samples.extend(resampler.push(block));
    };
    let read = match spec.sample_format {
        SampleFormat::Float => stream_blocks(reader, |s: f32| s, &mut on_block),
        SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32;
            stream_blocks(reader, |s: i32| s as f32 * scale, &mut on_block)
        }
    };
    match read {
        Ok(()) => {}
        Err(_) if file_ended.get() => {
            return Err(truncated(path, declared, samples_read, spec));
        }
        Err(err) => return Err(sample_error(path, err)),
    }
    samples.extend(resampler.finish());
    Ok(WhisperAudio {
        samples,
        source_rate: spec.sample_rate,
        source_channels: spec.channels,
    })
}

/// A reader that notes when the file ran out: hound reports a file that
/// ends early as a generic I/O error, and this tells it from a real one.
struct EndWatch {
    inner: File,
    ended: Rc<Cell<bool>>,
}

impl Read for EndWatch {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.ended.set(true);
        }
        Ok(n)
    }
}

/// Feed the file's samples, converted to f32, to `on_block` in blocks.
fn stream_blocks<S: hound::Sample>(
    mut reader: WavReader<BufReader<EndWatch>>,
    to_f32: impl Fn(S) -> f32,
    on_block: &mut impl FnMut(&[f32]),
) -> Result<(), hound::Error> {
    let mut block = Vec::with_capacity(BLOCK_SAMPLES);
    for sample in reader.samples::<S>() {
        match sample {
            Ok(sample) => block.push(to_f32(sample)),
            Err(err) => {
                on_block(&block);
                return Err(err);
            }
        }
        if block.len() == BLOCK_SAMPLES {
            on_block(&block);
            block.clear();
        }
    }
    on_block(&block);
    Ok(())
}

fn open(path: &Path) -> Result<File, WavError> {
    let file = File::open(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => WavError::NotFound {
            path: path.to_path_buf(),
        },
        _ => WavError::Unreadable {
            path: path.to_path_buf(),
            source,
        },
    })?;
    let meta = file.metadata().map_err(|source| WavError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        return Err(WavError::Unreadable {
            path: path.to_path_buf(),
            source: std::io::Error::other("it is a directory"),
        });
    }
    if meta.len() == 0 {
        return Err(WavError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(file)
}

/// A WAV file starts with `RIFF`, a length, and `WAVE`: check that before
/// hound parses further, so that a text file or an MP3 reads "not a WAV file"
/// and a WAV cut inside its header reads "truncated".
fn check_riff_header(path: &Path, file: &mut File) -> Result<(), WavError> {
    let mut magic = Vec::with_capacity(12);
    file.by_ref()
        .take(12)
        .read_to_end(&mut magic)
        .and_then(|_| file.seek(SeekFrom::Start(0)))
        .map_err(|source| WavError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
    let is_riff_start = magic.len() >= 4 && &magic[..4] == b"RIFF";
    let is_wave = magic.len() == 12 && &magic[8..12] == b"WAVE";
    if is_riff_start && magic.len() < 12 {
        return Err(WavError::Truncated {
            path: path.to_path_buf(),
            detail: format!("only {} bytes, inside the header", magic.len()),
        });
    }
    if !is_riff_start || !is_wave {
        return Err(WavError::NotWav {
            path: path.to_path_buf(),
            reason: "it does not start with a RIFF/WAVE header".into(),
        });
    }
    Ok(())
}

/// Map hound's error while parsing the header (`file_ended`: the file ran
/// out while hound read it).
fn header_error(path: &Path, err: hound::Error, file_ended: bool) -> WavError {
    let path = path.to_path_buf();
    match err {
        _ if file_ended => WavError::Truncated {
            path,
            detail: "the file ends inside its header".into(),
        },
        hound::Error::IoError(source) => WavError::Unreadable { path, source },
        hound::Error::Unsupported => WavError::Unsupported {
            path,
            reason: "compressed or unknown sample format".into(),
        },
        other => WavError::NotWav {
            path,
            reason: other.to_string(),
        },
    }
}

/// Map hound's error while reading samples (other than the file ending early).
fn sample_error(path: &Path, err: hound::Error) -> WavError {
    let path = path.to_path_buf();
    match err {
        hound::Error::IoError(source) => WavError::Unreadable { path, source },
        other => WavError::Unsupported {
            path,
            reason: other.to_string(),
        },
    }
}

fn truncated(path: &Path, declared: usize, read: usize, spec: hound::WavSpec) -> WavError {
    let seconds = |samples: usize| {
        (samples / usize::from(spec.channels)) as f64 / f64::from(spec.sample_rate)
    };
    WavError::Truncated {
        path: path.to_path_buf(),
        detail: format!(
            "the header promises {:.2} s of audio but the file holds {:.2} s",
            seconds(declared),
            seconds(read)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hound::{WavSpec, WavWriter};
    use std::f32::consts::PI;

    fn spec(rate: u32, channels: u16, bits: u16, format: SampleFormat) -> WavSpec {
        WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: bits,
            sample_format: format,
        }
    }

    /// A 440 Hz sine at amplitude 0.5, `seconds` long, in every channel.
    fn sine_frames(rate: u32, seconds: f32) -> Vec<f32> {
        let n = (rate as f32 * seconds) as usize;
        (0..n)
            .map(|i| 0.5 * (2.0 * PI * 440.0 * i as f32 / rate as f32).sin())
            .collect()
    }

    /// Write the sine to a WAV of the given format.
    fn write_sine(path: &Path, spec: WavSpec, seconds: f32) {
        let mut writer = WavWriter::create(path, spec).unwrap();
        let full_scale = (1i64 << (spec.bits_per_sample - 1)) as f32;
        for s in sine_frames(spec.sample_rate, seconds) {
            for _ in 0..spec.channels {
                match (spec.sample_format, spec.bits_per_sample) {
                    (SampleFormat::Float, _) => writer.write_sample(s).unwrap(),
                    (SampleFormat::Int, 8) => writer.write_sample((s * full_scale) as i8).unwrap(),
                    (SampleFormat::Int, 16) => {
                        writer.write_sample((s * full_scale) as i16).unwrap()
                    }
                    (SampleFormat::Int, _) => writer.write_sample((s * full_scale) as i32).unwrap(),
                }
            }
        }
        writer.finalize().unwrap();
    }

    #[test]
    fn reads_every_common_encoding_into_16k_mono() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            spec(16_000, 1, 16, SampleFormat::Int),
            spec(8_000, 1, 8, SampleFormat::Int),
            spec(44_100, 2, 16, SampleFormat::Int),
            spec(48_000, 2, 24, SampleFormat::Int),
            spec(22_050, 1, 32, SampleFormat::Int),
            spec(96_000, 6, 32, SampleFormat::Float),
        ];
        for spec in cases {
            let path = dir.path().join("a.wav");
            write_sine(&path, spec, 1.5);
            let audio = read_for_whisper(&path).unwrap();
            let what = format!("{spec:?}");
            assert_eq!(audio.source_rate, spec.sample_rate, "{what}");
            assert_eq!(audio.source_channels, spec.channels, "{what}");
            assert_eq!(audio.samples.len(), 24_000, "{what}");
            assert!((audio.duration_s() - 1.5).abs() < 1e-9, "{what}");
            let middle = &audio.samples[6_000..18_000];
            let level = crate::audio::level::rms(middle);
            // 8-bit audio is coarse; the rest is within a hair of 0.5/sqrt(2).
            let tolerance = if spec.bits_per_sample == 8 {
                0.01
            } else {
                0.003
            };
            assert!((level - 0.3536).abs() < tolerance, "{what}: rms {level}");
        }
    }

    #[test]
    fn sixteen_bit_16k_mono_is_read_sample_for_sample() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        let mut writer = WavWriter::create(&path, spec(16_000, 1, 16, SampleFormat::Int)).unwrap();
        for s in [0i16, 16_384, -16_384, i16::MAX, i16::MIN] {
            writer.write_sample(s).unwrap();
        }
        writer.finalize().unwrap();
        let audio = read_for_whisper(&path).unwrap();
        assert_eq!(
            audio.samples,
            vec![0.0, 0.5, -0.5, 32_767.0 / 32_768.0, -1.0]
        );
    }

    #[track_caller]
    fn assert_error(path: &Path, want: &str) {
        let err = read_for_whisper(path).unwrap_err();
        assert_eq!(err.to_string(), format!("{}: {want}", path.display()));
    }

    #[test]
    fn a_missing_file_is_named() {
        assert_error(Path::new("/nonexistent/answer.wav"), "no such file");
    }

    #[test]
    fn an_empty_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.wav");
        std::fs::write(&path, b"").unwrap();
        assert_error(&path, "the file is empty (0 bytes), not a WAV file");
    }

    #[test]
    fn a_directory_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        assert_error(dir.path(), "cannot read: it is a directory");
    }

    #[test]
    fn text_and_other_formats_are_not_wav() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.wav");
        std::fs::write(&path, "these are my notes, not audio\n").unwrap();
        assert_error(
            &path,
            "not a WAV file (it does not start with a RIFF/WAVE header)",
        );
        std::fs::write(&path, b"RIFF\x10\0\0\0AVI LIST").unwrap();
        assert_error(
            &path,
            "not a WAV file (it does not start with a RIFF/WAVE header)",
        );
    }

    #[test]
    fn a_compressed_wav_is_unsupported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mp3.wav");
        // A fmt chunk with format tag 0x0055 (MPEG layer 3).
        let mut bytes = b"RIFF\x24\0\0\0WAVEfmt \x10\0\0\0".to_vec();
        bytes.extend_from_slice(&[0x55, 0, 1, 0, 0x80, 0x3e, 0, 0, 0, 0x7d, 0, 0, 2, 0, 16, 0]);
        bytes.extend_from_slice(b"data\0\0\0\0");
        std::fs::write(&path, bytes).unwrap();
        assert_error(
            &path,
            "unsupported WAV encoding (compressed or unknown sample format); \
             convert it to 16-bit PCM, e.g. `sox IN.wav -b 16 OUT.wav`",
        );
    }

    #[test]
    fn a_cut_file_is_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.wav");
        write_sine(&path, spec(16_000, 1, 16, SampleFormat::Int), 2.0);
        let bytes = std::fs::read(&path).unwrap();
        // Keep the 44-byte header and half a second of audio.
        std::fs::write(&path, &bytes[..44 + 16_000]).unwrap();
        assert_error(
            &path,
            "the WAV file is truncated (the header promises 2.00 s of audio but the file holds 0.50 s)",
        );
        std::fs::write(&path, &bytes[..30]).unwrap();
        assert_error(
            &path,
            "the WAV file is truncated (the file ends inside its header)",
        );
        std::fs::write(&path, &bytes[..6]).unwrap();
        assert_error(
            &path,
            "the WAV file is truncated (only 6 bytes, inside the header)",
        );
    }
}
