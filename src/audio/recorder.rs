//! The record loop: capture → 16 kHz mono → WAV file on disk, until the
//! first stop condition: silence after speech, a time limit, a request from
//! another thread ([`RecordControl`]: stop, Ctrl-C, discard), or the device
//! going away. Progress (elapsed time, level, warnings) goes to a callback;
//! drawing it is the caller's business (`meter.rs` draws a terminal line),
//! so `viva record` and `viva practice` share this loop.

use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::capture::{Capture, CaptureError, CaptureFormat};
use super::devices::InputDevice;
use super::level::{self, SilenceTracker};
use super::resample::{ResampleError, Resampler};
use super::wav_writer::{WavWriteError, WavWriter};
use super::WHISPER_RATE;

/// How often the loop drains the capture ring and checks the stop conditions.
const POLL: Duration = Duration::from_millis(40);

/// A device that delivers nothing for this long counts as lost.
const STALL_LIMIT: Duration = Duration::from_secs(3);

/// A first sample may take this long (a device waking up) before the
/// device counts as lost.
const FIRST_AUDIO_LIMIT: Duration = Duration::from_secs(5);

/// When a recording stops.
#[derive(Debug, Clone, Default)]
pub(crate) struct RecordSettings {
    /// Stop after this much audio.
    pub(crate) max_duration: Option<Duration>,
    /// Stop after this much silence once speech began.
    pub(crate) silence_after_speech: Option<Duration>,
}

/// How a recording ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RecordingEnd {
    /// Silence for the set time after speech.
    Silence,
    /// The time limit.
    TimeLimit,
    /// [`RecordControl::stop`] (Enter, a key in practice).
    Stopped,
    /// [`RecordControl::interrupt`] (Ctrl-C); the file is kept.
    Interrupted,
    /// [`RecordControl::discard`]; the file was deleted.
    Discarded,
    /// The device stopped delivering audio; the file holds what came before.
    DeviceLost(String),
    /// Writing the file failed (a full disk, say); it holds what reached the
    /// disk, its header made to match.
    WriteFailed(String),
}

/// Ask a running recording to end, from any thread.
#[derive(Debug, Clone, Default)]
pub(crate) struct RecordControl(Arc<AtomicU8>);

const RUNNING: u8 = 0;
const STOP: u8 = 1;
const INTERRUPT: u8 = 2;
const DISCARD: u8 = 3;

impl RecordControl {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// End the recording and keep it.
    pub(crate) fn stop(&self) {
        self.request(STOP);
    }

    /// End the recording because of Ctrl-C and keep it.
    pub(crate) fn interrupt(&self) {
        self.request(INTERRUPT);
    }

    /// End the recording and delete its file.
    pub(crate) fn discard(&self) {
        self.request(DISCARD);
    }

    /// True once any end was asked for.
    #[cfg(test)]
    pub(crate) fn is_requested(&self) -> bool {
        self.0.load(Ordering::Acquire) != RUNNING
    }

    /// The first request wins.
    fn request(&self, what: u8) {
        let _ = self
            .0
            .compare_exchange(RUNNING, what, Ordering::AcqRel, Ordering::Acquire);
    }

    fn requested(&self) -> Option<RecordingEnd> {
        match self.0.load(Ordering::Acquire) {
            STOP => Some(RecordingEnd::Stopped),
            INTERRUPT => Some(RecordingEnd::Interrupted),
            DISCARD => Some(RecordingEnd::Discarded),
            _ => None,
        }
    }
}

/// Something wrong with the input that the user can fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputWarning {
    /// More than a second of exact zeros: muted, or the wrong device.
    Silent,
    /// More than a second, in all, of audio at full scale.
    Clipping,
}

impl InputWarning {
    /// The message for the user, naming the device.
    pub(crate) fn message(self, device: &str) -> String {
        match self {
            InputWarning::Silent => format!(
                "input device '{device}' delivers silence: is it muted? (`viva devices` lists the others)"
            ),
            InputWarning::Clipping => format!(
                "input device '{device}' is clipping: turn its input volume down"
            ),
        }
    }
}

/// The state of a running recording, for a meter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Progress {
    /// Audio recorded so far.
    pub(crate) elapsed: Duration,
    /// Loudness of the latest audio, dBFS (-120 for digital silence).
    pub(crate) level_dbfs: f32,
    /// Loudest sample of the latest audio, 0..=1.
    pub(crate) peak: f32,
    /// Speech has been heard.
    pub(crate) heard_speech: bool,
    /// Silence since the last speech (or since the start).
    pub(crate) silence: Duration,
    /// A warning that arose just now (each is given once).
    pub(crate) new_warning: Option<InputWarning>,
}

/// A finished recording.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Recording {
    pub(crate) end: RecordingEnd,
    /// Audio in the file.
    pub(crate) duration: Duration,
    /// Speech was heard at some point.
    pub(crate) heard_speech: bool,
    /// Every warning given.
    pub(crate) warnings: Vec<InputWarning>,
    /// Samples lost because the loop fell behind (should be 0).
    pub(crate) samples_dropped: u64,
    /// What the device delivered (before conversion to 16 kHz mono).
    pub(crate) device_format: CaptureFormat,
}

/// Why a recording could not be made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RecordError {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error(transparent)]
    Wav(#[from] WavWriteError),
    #[error("input device '{device}' delivers audio viva cannot convert: {source}")]
    Format {
        device: String,
        source: ResampleError,
    },
}

/// Record from `device` into `out` until a stop condition: [`Recorder::start`]
/// then [`Recorder::run`].
pub(crate) fn record(
    device: &InputDevice,
    out: &Path,
    settings: &RecordSettings,
    control: &RecordControl,
    on_progress: impl FnMut(&Progress),
) -> Result<Recording, RecordError> {
    Recorder::start(device, out, settings.clone())?.run(control, on_progress)
}

/// A recording in progress: the device is open and the file exists.
pub(crate) struct Recorder {
    capture: Capture,
    resampler: Resampler,
    writer: WavWriter,
    settings: RecordSettings,
    tracker: SilenceTracker,
    check: InputCheck,
    warnings: Vec<InputWarning>,
    /// Raw samples of one step (kept to reuse its allocation).
    raw: Vec<f32>,
    /// Gets the 16 kHz mono samples as they are written.
    tap: Option<Tap>,
}

/// What gets the 16 kHz mono samples as they are written.
type Tap = Box<dyn FnMut(&[f32]) + Send>;

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("capture", &self.capture)
            .field("writer", &self.writer)
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// Open the device, then create the file (16 kHz mono 16-bit WAV, written
    /// as it goes). Audio is captured from now on; call [`Recorder::run`] soon
    /// (the device's buffer holds a few seconds).
    pub(crate) fn start(
        device: &InputDevice,
        out: &Path,
        settings: RecordSettings,
    ) -> Result<Recorder, RecordError> {
        // The device first: a device error must not cost an existing file.
        let capture = Capture::start(device)?;
        let format = capture.format();
        let resampler =
            Resampler::new(format.rate, format.channels).map_err(|source| RecordError::Format {
                device: device.label.clone(),
                source,
            })?;
        let writer = WavWriter::create(out)?;
        Ok(Recorder {
            capture,
            resampler,
            writer,
            settings,
            tracker: SilenceTracker::new(),
            check: InputCheck::new(format),
            warnings: Vec::new(),
            raw: Vec::with_capacity(format.rate as usize * usize::from(format.channels)),
            tap: None,
        })
    }

    /// Also hand every 16 kHz mono sample written to `tap` (on the
    /// recording thread: it must not block), e.g. to transcribe the
    /// recording while it goes on.
    pub(crate) fn with_tap(mut self, tap: impl FnMut(&[f32]) + Send + 'static) -> Self {
        self.tap = Some(Box::new(tap));
        self
    }

    /// Record until a stop condition; `on_progress` is called every ~40 ms.
    /// The file is finished (or deleted, when discarded) before this returns.
    pub(crate) fn run(
        mut self,
        control: &RecordControl,
        mut on_progress: impl FnMut(&Progress),
    ) -> Result<Recording, RecordError> {
        let mut delivered = 0u64;
        let mut last_delivery = Instant::now();
        let end = loop {
            thread::sleep(POLL);
            let step = match self.step() {
                Ok(step) => step,
                // Stop at the first failed write: going on would only lose
                // more of the answer without a word.
                Err(RecordError::Wav(err)) => break RecordingEnd::WriteFailed(err.to_string()),
                Err(err) => return Err(err),
            };
            if self.capture.samples_delivered() != delivered {
                delivered = self.capture.samples_delivered();
                last_delivery = Instant::now();
            }
            on_progress(&step.progress);
            if let Some(end) = step.end {
                break end;
            }
            if let Some(end) = control.requested() {
                break end;
            }
            if let Some(reason) = self.capture.failure() {
                break RecordingEnd::DeviceLost(reason);
            }
            let quiet_limit = if delivered == 0 {
                FIRST_AUDIO_LIMIT
            } else {
                STALL_LIMIT
            };
            if last_delivery.elapsed() >= quiet_limit {
                break RecordingEnd::DeviceLost(format!(
                    "no audio arrived for {} s",
                    quiet_limit.as_secs()
                ));
            }
        };
        self.finish(end)
    }

    /// Drain the capture, convert, write, and check silence and time.
    fn step(&mut self) -> Result<Step, RecordError> {
        self.raw.clear();
        self.capture.read_into(&mut self.raw);
        let new_warning = self.check.push(&self.raw);
        self.warnings.extend(new_warning);
        let mono = self.resampler.push(&self.raw);
        let mono = limit(&mono, self.writer.duration(), self.settings.max_duration);
        self.writer.write(mono)?;
        if let Some(tap) = self.tap.as_mut() {
            tap(mono);
        }
        self.tracker.push(mono);

        let elapsed = self.writer.duration();
        let silence_limit = self.settings.silence_after_speech;
        let end = if self.settings.max_duration.is_some_and(|max| elapsed >= max) {
            Some(RecordingEnd::TimeLimit)
        } else if silence_limit.is_some_and(|limit| {
            self.tracker
                .silence_after_speech(limit.as_secs_f64(), WHISPER_RATE)
        }) {
            Some(RecordingEnd::Silence)
        } else {
            None
        };
        let progress = Progress {
            elapsed,
            level_dbfs: level::dbfs(mono),
            peak: level::peak(mono),
            heard_speech: self.tracker.heard_speech(),
            silence: Duration::from_secs_f64(self.tracker.silence_s(WHISPER_RATE)),
            new_warning,
        };
        Ok(Step { progress, end })
    }

    /// Stop the device and finish (or delete) the file.
    fn finish(mut self, end: RecordingEnd) -> Result<Recording, RecordError> {
        let device_format = self.capture.format();
        if let RecordingEnd::WriteFailed(_) = end {
            self.capture.stop();
            let path = self.writer.path().to_path_buf();
            drop(self.writer);
            // The header may count samples that never reached the disk.
            let _ = crate::audio::wav_repair::repair(&path);
            let duration = hound::WavReader::open(&path)
                .map(|reader| {
                    Duration::from_secs_f64(
                        f64::from(reader.duration()) / f64::from(reader.spec().sample_rate),
                    )
                })
                .unwrap_or_default();
            return Ok(Recording {
                end,
                duration,
                heard_speech: self.tracker.heard_speech(),
                warnings: self.warnings,
                samples_dropped: 0,
                device_format,
            });
        }
        if end == RecordingEnd::Discarded {
            self.capture.stop();
            self.writer.discard()?;
            return Ok(Recording {
                end,
                duration: Duration::ZERO,
                heard_speech: self.tracker.heard_speech(),
                warnings: self.warnings,
                samples_dropped: 0,
                device_format,
            });
        }
        // Keep what was captured up to the request, then the resampler's tail.
        if matches!(end, RecordingEnd::Stopped | RecordingEnd::Interrupted) {
            self.step()?;
        }
        let samples_dropped = self.capture.samples_dropped();
        self.capture.stop();
        let tail = self.resampler.finish();
        let tail = limit(&tail, self.writer.duration(), self.settings.max_duration);
        self.writer.write(tail)?;
        if let Some(tap) = self.tap.as_mut() {
            tap(tail);
        }
        let duration = self.writer.finish()?;
        Ok(Recording {
            end,
            duration,
            heard_speech: self.tracker.heard_speech(),
            warnings: self.warnings,
            samples_dropped,
            device_format,
        })
    }
}

/// What one step saw.
struct Step {
    progress: Progress,
    end: Option<RecordingEnd>,
}

/// The part of `samples` that fits before the time limit.
fn limit(samples: &[f32], written: Duration, max: Option<Duration>) -> &[f32] {
    let Some(max) = max else {
        return samples;
    };
    let room = max.saturating_sub(written).as_secs_f64() * f64::from(WHISPER_RATE);
    &samples[..samples.len().min(room.round() as usize)]
}

/// Watches the raw device samples for a muted device (exact zeros) and for
/// clipping.
#[derive(Debug)]
struct InputCheck {
    samples_per_second: u64,
    zero_run: u64,
    /// Samples per clipping block (100 ms) and where the current block is.
    block_len: u64,
    block_fill: u64,
    block_clipped: bool,
    clipped_blocks: u64,
    warned_silent: bool,
    warned_clipping: bool,
}

/// A sample this loud counts as clipped.
const CLIP_LEVEL: f32 = 0.99;

impl InputCheck {
    fn new(format: CaptureFormat) -> Self {
        let samples_per_second = u64::from(format.rate) * u64::from(format.channels);
        InputCheck {
            samples_per_second,
            zero_run: 0,
            block_len: (samples_per_second / 10).max(1),
            block_fill: 0,
            block_clipped: false,
            clipped_blocks: 0,
            warned_silent: false,
            warned_clipping: false,
        }
    }

    /// Feed raw samples; a warning the first time a problem lasts > 1 s.
    fn push(&mut self, samples: &[f32]) -> Option<InputWarning> {
        for &sample in samples {
            if sample == 0.0 {
                self.zero_run += 1;
            } else {
                self.zero_run = 0;
            }
            self.block_clipped |= sample.abs() >= CLIP_LEVEL;
            self.block_fill += 1;
            if self.block_fill == self.block_len {
                self.clipped_blocks += u64::from(self.block_clipped);
                self.block_fill = 0;
                self.block_clipped = false;
            }
        }
        if !self.warned_silent && self.zero_run > self.samples_per_second {
            self.warned_silent = true;
            return Some(InputWarning::Silent);
        }
        if !self.warned_clipping && self.clipped_blocks > 10 {
            self.warned_clipping = true;
            return Some(InputWarning::Clipping);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MONO_16K: CaptureFormat = CaptureFormat {
        rate: 16_000,
        channels: 1,
    };

    #[test]
    fn zeros_for_over_a_second_warn_once() {
        let mut check = InputCheck::new(MONO_16K);
        assert_eq!(check.push(&[0.0; 16_000]), None);
        assert_eq!(check.push(&[0.0; 10]), Some(InputWarning::Silent));
        assert_eq!(check.push(&[0.0; 32_000]), None);
    }

    #[test]
    fn quiet_noise_is_not_silence() {
        let mut check = InputCheck::new(MONO_16K);
        let noise: Vec<f32> = (0..48_000)
            .map(|i| if i % 2 == 0 { 1e-4 } else { 0.0 })
            .collect();
        assert_eq!(check.push(&noise), None);
    }

    #[test]
    fn clipping_in_more_than_ten_blocks_warns() {
        let mut check = InputCheck::new(MONO_16K);
        let mut block = vec![0.1; 1_600];
        block[7] = 1.0;
        for _ in 0..10 {
            assert_eq!(check.push(&block), None);
        }
        assert_eq!(check.push(&block), Some(InputWarning::Clipping));
        assert_eq!(check.push(&block), None);
    }

    #[test]
    fn the_first_request_wins() {
        let control = RecordControl::new();
        assert!(!control.is_requested());
        assert_eq!(control.requested(), None);
        control.interrupt();
        control.discard();
        assert_eq!(control.requested(), Some(RecordingEnd::Interrupted));
        let other = control.clone();
        assert!(other.is_requested());
    }

    #[test]
    fn the_time_limit_cuts_samples() {
        let one_second = Duration::from_secs(1);
        let samples = vec![0.5; 8_000];
        assert_eq!(limit(&samples, Duration::ZERO, None).len(), 8_000);
        assert_eq!(
            limit(&samples, Duration::from_millis(750), Some(one_second)).len(),
            4_000
        );
        assert_eq!(limit(&samples, one_second, Some(one_second)).len(), 0);
    }

    #[test]
    fn a_recording_can_run_on_another_thread_than_its_controller() {
        fn send<T: Send>() {}
        send::<Recorder>();
        send::<RecordControl>();
        send::<Recording>();
    }

    #[test]
    fn warnings_name_the_device() {
        assert_eq!(
            InputWarning::Silent.message("fakemic"),
            "input device 'fakemic' delivers silence: is it muted? (`viva devices` lists the others)"
        );
    }
}
