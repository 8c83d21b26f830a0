//! Audio: microphone capture (cpal), WAV reading and streaming writing
//! (hound), resampling to 16 kHz mono, and level / silence detection.

pub mod capture;
pub mod devices;
pub mod level;
pub mod meter;
pub mod recorder;
pub mod resample;
pub mod wav_read;
pub mod wav_repair;
pub mod wav_writer;

/// The sample rate Whisper wants and viva stores answers at.
pub const WHISPER_RATE: u32 = 16_000;
