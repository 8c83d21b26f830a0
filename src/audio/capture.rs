//! Microphone capture. The cpal input stream lives on a thread of its own;
//! its audio callback only converts samples to f32, pushes them into a
//! lock-free ring buffer and bumps atomic counters: no locks, no allocation,
//! no I/O, so it never makes the audio system wait. The reader drains the
//! ring on its own schedule ([`Capture::read_into`]).
//!
//! The device is asked for 16 kHz mono where it offers that (PulseAudio
//! converts for us); otherwise its default format is captured and the
//! reader resamples.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{FromSample, Sample, SampleFormat, SizedSample, StreamConfig};
use ringbuf::traits::{Consumer, Observer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};

use super::devices::{input_listing, quiet_alsa_messages, InputDevice};
use super::WHISPER_RATE;

/// Seconds of audio the ring buffer holds: the reader may fall this far
/// behind before samples are dropped.
const RING_SECONDS: usize = 4;

/// How long building and starting the stream may take.
const OPEN_TIMEOUT: Duration = Duration::from_secs(5);

/// The format samples arrive in: interleaved f32 at `rate` with `channels`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureFormat {
    pub rate: u32,
    pub channels: u16,
}

/// Why capture could not start.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("input device '{device}' cannot capture: {reason}. {available}")]
    Open {
        device: String,
        reason: String,
        /// The input devices there are, to choose from with `--input-device`.
        available: String,
    },
    #[error("input device '{device}' did not start within {timeout:?}")]
    Timeout { device: String, timeout: Duration },
}

/// The error for a device that cannot capture, with the devices there are.
fn open_failed(device: &str, reason: String) -> CaptureError {
    CaptureError::Open {
        device: device.to_string(),
        // cpal's reasons end in a full stop; the message adds its own.
        reason: reason.trim_end_matches('.').to_string(),
        available: input_listing(),
    }
}

/// What the callbacks tell the reader, through atomics only.
#[derive(Debug, Default)]
struct Signals {
    /// Frames of audio delivered so far (counted per callback).
    samples_delivered: AtomicU64,
    /// Samples dropped because the ring was full.
    samples_dropped: AtomicU64,
    /// Set by the error callback when the stream cannot go on.
    failed: AtomicBool,
    /// The first fatal error, for the message (set outside the audio callback).
    failure: OnceLock<String>,
}

/// A running capture. Dropping it stops the stream.
pub struct Capture {
    samples: HeapCons<f32>,
    signals: Arc<Signals>,
    format: CaptureFormat,
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capture")
            .field("format", &self.format)
            .field("signals", &self.signals)
            .finish_non_exhaustive()
    }
}

impl Capture {
    /// Open `device` and start capturing.
    pub fn start(device: &InputDevice) -> Result<Capture, CaptureError> {
        quiet_alsa_messages();
        let (config, sample_format) =
            choose_config(&device.device).map_err(|reason| open_failed(&device.label, reason))?;
        let format = CaptureFormat {
            rate: config.sample_rate,
            channels: config.channels,
        };
        let capacity = format.rate as usize * usize::from(format.channels) * RING_SECONDS;
        let (producer, consumer) = HeapRb::<f32>::new(capacity).split();
        let signals = Arc::new(Signals::default());

        let (ready_tx, ready_rx) = mpsc::channel();
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let cpal_device = device.device.clone();
        let thread_signals = Arc::clone(&signals);
        let label = device.label.clone();
        let thread = thread::Builder::new()
            .name("viva-capture".into())
            .spawn(move || {
                quiet_alsa_messages();
                let stream = build_stream(
                    &cpal_device,
                    config,
                    sample_format,
                    producer,
                    thread_signals,
                )
                .and_then(|stream| {
                    stream
                        .play()
                        .map(|()| stream)
                        .map_err(|err| err.to_string())
                });
                match stream {
                    Ok(stream) => {
                        let _ = ready_tx.send(Ok(()));
                        // Hold the stream until told to stop (or the reader is gone).
                        let _ = stop_rx.recv();
                        drop(stream);
                    }
                    Err(reason) => {
                        let _ = ready_tx.send(Err(reason));
                    }
                }
            })
            .map_err(|err| open_failed(&label, format!("cannot start a thread: {err}")))?;
        match ready_rx.recv_timeout(OPEN_TIMEOUT) {
            Ok(Ok(())) => {}
            Ok(Err(reason)) => return Err(open_failed(&label, reason)),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                // A stuck thread is left behind; it ends if the stream ever opens.
                return Err(CaptureError::Timeout {
                    device: label,
                    timeout: OPEN_TIMEOUT,
                });
            }
        }
        Ok(Capture {
            samples: consumer,
            signals,
            format,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// The format of the samples [`Capture::read_into`] gives.
    pub fn format(&self) -> CaptureFormat {
        self.format
    }

    /// Append every sample captured since the last call to `out`
    /// (interleaved); returns how many.
    pub fn read_into(&mut self, out: &mut Vec<f32>) -> usize {
        let available = self.samples.occupied_len();
        let start = out.len();
        out.resize(start + available, 0.0);
        let read = self.samples.pop_slice(&mut out[start..]);
        out.truncate(start + read);
        read
    }

    /// Samples delivered by the device so far (including any dropped).
    pub(crate) fn samples_delivered(&self) -> u64 {
        self.signals.samples_delivered.load(Ordering::Relaxed)
    }

    /// Samples lost because the reader fell behind.
    pub(crate) fn samples_dropped(&self) -> u64 {
        self.signals.samples_dropped.load(Ordering::Relaxed)
    }

    /// Why the stream stopped working, once it has.
    pub(crate) fn failure(&self) -> Option<String> {
        if !self.signals.failed.load(Ordering::Acquire) {
            return None;
        }
        Some(
            self.signals
                .failure
                .get()
                .cloned()
                .unwrap_or_else(|| "the stream stopped".to_owned()),
        )
    }

    /// Stop the stream and wait (briefly) for its thread to end.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // Closing a stream on a hung audio server can block: do not wait forever.
            let (done_tx, done_rx) = mpsc::channel();
            thread::spawn(move || {
                let _ = thread.join();
                let _ = done_tx.send(());
            });
            let _ = done_rx.recv_timeout(Duration::from_secs(2));
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// 16 kHz mono when the device offers it (f32, else i16), else its default.
fn choose_config(device: &cpal::Device) -> Result<(StreamConfig, SampleFormat), String> {
    if let Ok(ranges) = device.supported_input_configs() {
        let ranges: Vec<_> = ranges.collect();
        for preferred in [SampleFormat::F32, SampleFormat::I16] {
            let offered = ranges.iter().find(|range| {
                range.channels() == 1
                    && range.sample_format() == preferred
                    && range.contains_rate(WHISPER_RATE)
            });
            if let Some(range) = offered {
                let config = StreamConfig {
                    channels: 1,
                    sample_rate: WHISPER_RATE,
                    buffer_size: cpal::BufferSize::Default,
                };
                return Ok((config, range.sample_format()));
            }
        }
    }
    let default = device
        .default_input_config()
        .map_err(|err| err.to_string())?;
    Ok((default.config(), default.sample_format()))
}

fn build_stream(
    device: &cpal::Device,
    config: StreamConfig,
    format: SampleFormat,
    producer: HeapProd<f32>,
    signals: Arc<Signals>,
) -> Result<cpal::Stream, String> {
    match format {
        SampleFormat::F32 => typed_stream::<f32>(device, config, producer, signals),
        SampleFormat::I16 => typed_stream::<i16>(device, config, producer, signals),
        SampleFormat::I32 => typed_stream::<i32>(device, config, producer, signals),
        SampleFormat::U16 => typed_stream::<u16>(device, config, producer, signals),
        SampleFormat::U8 => typed_stream::<u8>(device, config, producer, signals),
        SampleFormat::I8 => typed_stream::<i8>(device, config, producer, signals),
        SampleFormat::F64 => typed_stream::<f64>(device, config, producer, signals),
        other => Err(format!(
            "it delivers {other:?} samples, which viva cannot read"
        )),
    }
}

fn typed_stream<T>(
    device: &cpal::Device,
    config: StreamConfig,
    mut producer: HeapProd<f32>,
    signals: Arc<Signals>,
) -> Result<cpal::Stream, String>
where
    T: SizedSample + Send + 'static,
    f32: FromSample<T>,
{
    let data_signals = Arc::clone(&signals);
    let on_data = move |data: &[T], _: &cpal::InputCallbackInfo| {
        // The real-time path: no locks, no allocation, no I/O.
        let pushed = producer.push_iter(data.iter().map(|&sample| f32::from_sample(sample)));
        let signals = &data_signals;
        signals
            .samples_delivered
            .fetch_add(data.len() as u64, Ordering::Relaxed);
        if pushed < data.len() {
            signals
                .samples_dropped
                .fetch_add((data.len() - pushed) as u64, Ordering::Relaxed);
        }
    };
    let on_error = move |err: cpal::Error| {
        if is_fatal(err.kind()) {
            let _ = signals.failure.set(err.to_string());
            signals.failed.store(true, Ordering::Release);
        }
    };
    device
        .build_input_stream::<T, _, _>(config, on_data, on_error, Some(OPEN_TIMEOUT))
        .map_err(|err| err.to_string())
}

/// Errors after which the stream delivers nothing more. Overruns and
/// re-routing to another device are survivable.
fn is_fatal(kind: cpal::ErrorKind) -> bool {
    matches!(
        kind,
        cpal::ErrorKind::DeviceNotAvailable
            | cpal::ErrorKind::HostUnavailable
            | cpal::ErrorKind::StreamInvalidated
            | cpal::ErrorKind::BackendError
    )
}
