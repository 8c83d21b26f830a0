//! Writing an answer to disk while it is recorded: 16 kHz mono 16-bit WAV,
//! streamed, with the header rewritten (and the data handed to the OS) at
//! least every [`CHECKPOINT_EVERY`]. A crash or `kill -9` therefore leaves a
//! valid file holding everything up to the last checkpoint, not a file whose
//! header claims zero samples.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::WHISPER_RATE;

/// The longest the file on disk may lag behind the recording.
pub(crate) const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Why the WAV file cannot be written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WavWriteError {
    #[error("cannot create {}: {reason}", path.display())]
    Create { path: PathBuf, reason: String },
    #[error("cannot write {}: {reason}", path.display())]
    Write { path: PathBuf, reason: String },
}

/// A WAV file being recorded.
pub(crate) struct WavWriter {
    path: PathBuf,
    writer: hound::WavWriter<BufWriter<File>>,
    samples: u64,
    last_checkpoint: Instant,
}

impl std::fmt::Debug for WavWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavWriter")
            .field("path", &self.path)
            .field("samples", &self.samples)
            .finish_non_exhaustive()
    }
}

/// The WAV format viva stores answers in.
pub(crate) fn answer_spec() -> hound::WavSpec {
    hound::WavSpec {
        channels: 1,
        sample_rate: WHISPER_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    }
}

impl WavWriter {
    /// Create (or replace) `path` as an empty, valid WAV file.
    pub(crate) fn create(path: &Path) -> Result<WavWriter, WavWriteError> {
        let create_error = |reason: String| WavWriteError::Create {
            path: path.to_path_buf(),
            reason,
        };
        if path.is_dir() {
            return Err(create_error("it is a directory".to_owned()));
        }
        let file = File::create(path).map_err(|err| create_error(err.to_string()))?;
        let mut writer = hound::WavWriter::new(BufWriter::new(file), answer_spec())
            .map_err(|err| create_error(err.to_string()))?;
        writer
            .flush()
            .map_err(|err| create_error(err.to_string()))?;
        Ok(WavWriter {
            path: path.to_path_buf(),
            writer,
            samples: 0,
            last_checkpoint: Instant::now(),
        })
    }

    /// Append 16 kHz mono samples in [-1, 1] (louder ones are clipped), and
    /// checkpoint the file when the last checkpoint is old enough.
    pub(crate) fn write(&mut self, samples: &[f32]) -> Result<(), WavWriteError> {
        for &sample in samples {
            self.writer
                .write_sample(to_i16(sample))
                .map_err(|err| self.write_error(err))?;
        }
        self.samples += samples.len() as u64;
        if self.last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
            self.checkpoint()?;
        }
        Ok(())
    }

    /// Make the file on disk valid and complete up to now.
    pub(crate) fn checkpoint(&mut self) -> Result<(), WavWriteError> {
        self.writer.flush().map_err(|err| self.write_error(err))?;
        self.last_checkpoint = Instant::now();
        Ok(())
    }

    /// The file being written.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Seconds of audio written.
    pub(crate) fn duration(&self) -> Duration {
        Duration::from_secs_f64(self.samples as f64 / f64::from(WHISPER_RATE))
    }

    /// Finish the file: final header, flushed, synced to disk.
    pub(crate) fn finish(self) -> Result<Duration, WavWriteError> {
        let duration = self.duration();
        let path = self.path.clone();
        let write_error = |err: &dyn std::fmt::Display| WavWriteError::Write {
            path: path.clone(),
            reason: err.to_string(),
        };
        let mut writer = self.writer;
        writer.flush().map_err(|err| write_error(&err))?;
        writer.finalize().map_err(|err| write_error(&err))?;
        if let Ok(file) = File::options().read(true).open(&path) {
            file.sync_all().map_err(|err| write_error(&err))?;
        }
        Ok(duration)
    }

    /// Stop and delete the file (the recording is not wanted).
    pub(crate) fn discard(self) -> Result<(), WavWriteError> {
        let path = self.path.clone();
        drop(self.writer);
        std::fs::remove_file(&path).map_err(|err| WavWriteError::Write {
            reason: format!("cannot delete it: {err}"),
            path,
        })
    }

    fn write_error(&self, err: hound::Error) -> WavWriteError {
        WavWriteError::Write {
            path: self.path.clone(),
            reason: describe(&err),
        }
    }
}

/// A write error as a user reads it: a full disk says so.
fn describe(err: &hound::Error) -> String {
    match err {
        hound::Error::IoError(io) if io.kind() == std::io::ErrorKind::StorageFull => {
            "the disk is full".to_owned()
        }
        other => other.to_string(),
    }
}

/// A [-1, 1] sample as 16-bit PCM, clipped.
fn to_i16(sample: f32) -> i16 {
    (sample.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> (hound::WavSpec, Vec<i16>) {
        let mut reader = hound::WavReader::open(path).unwrap();
        let spec = reader.spec();
        let samples = reader.samples::<i16>().map(Result::unwrap).collect();
        (spec, samples)
    }

    #[test]
    fn samples_are_scaled_and_clipped() {
        assert_eq!(to_i16(0.0), 0);
        assert_eq!(to_i16(1.0), i16::MAX);
        assert_eq!(to_i16(-1.0), -i16::MAX);
        assert_eq!(to_i16(3.0), i16::MAX);
        assert_eq!(to_i16(0.5), 16384);
    }

    #[test]
    fn a_finished_file_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        let mut writer = WavWriter::create(&path).unwrap();
        writer.write(&[0.0, 0.5, -0.5]).unwrap();
        writer.write(&vec![0.25; 16_000]).unwrap();
        assert_eq!(
            writer.finish().unwrap(),
            Duration::from_secs_f64(16_003.0 / 16_000.0)
        );
        let (spec, samples) = read(&path);
        assert_eq!(spec, answer_spec());
        assert_eq!(&samples[..3], &[0, 16384, -16384]);
        assert_eq!(samples.len(), 16_003);
    }

    #[test]
    fn an_abandoned_file_is_valid_up_to_the_last_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        let mut writer = WavWriter::create(&path).unwrap();
        // Empty but valid from the start.
        assert_eq!(read(&path).1.len(), 0);
        writer.write(&vec![0.1; 8_000]).unwrap();
        writer.checkpoint().unwrap();
        writer.write(&vec![0.1; 100]).unwrap();
        // What a crash would leave: the file as it is on disk now.
        let copy = dir.path().join("copy.wav");
        std::fs::copy(&path, &copy).unwrap();
        std::mem::forget(writer); // no finalize, as after kill -9
        assert_eq!(read(&copy).1.len(), 8_000);
    }

    #[test]
    fn an_unwritable_path_is_one_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/dir/a.wav");
        let err = WavWriter::create(&missing).unwrap_err().to_string();
        assert!(err.starts_with("cannot create "), "{err}");
        assert!(err.contains("a.wav"), "{err}");
        let err = WavWriter::create(dir.path()).unwrap_err().to_string();
        assert!(err.ends_with("it is a directory"), "{err}");
    }

    #[test]
    fn a_discarded_file_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        let mut writer = WavWriter::create(&path).unwrap();
        writer.write(&[0.1; 100]).unwrap();
        writer.discard().unwrap();
        assert!(!path.exists());
    }
}
