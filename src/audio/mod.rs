//! Audio: microphone capture (cpal), WAV reading and streaming writing
//! (hound), resampling to 16 kHz mono, and level / silence detection.

pub mod capture;
pub mod devices;
pub mod level;
pub(crate) mod meter;
pub(crate) mod recorder;
pub(crate) mod resample;
pub mod wav_read;
pub(crate) mod wav_repair;
pub(crate) mod wav_writer;

/// The sample rate Whisper wants and viva stores answers at.
pub(crate) const WHISPER_RATE: u32 = 16_000;
