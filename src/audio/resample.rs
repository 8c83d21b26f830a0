//! Turning audio of any rate and channel count into what Whisper wants: 16 kHz
//! mono f32. Channels are averaged into mono first (one channel to resample is
//! the cheapest), then rubato's FFT resampler changes the rate; 16 kHz input
//! passes through untouched.
//!
//! Two ways in: [`Resampler`] for a live stream (push blocks as they come,
//! `finish` at the end) and [`to_whisper_format`] for a whole buffer. Both give
//! exactly `round(frames × 16000 / rate)` output samples, aligned with the
//! input: the resampler's filter delay is cut from the start and flushed at
//! the end.

use rubato::{FftFixedIn, Resampler as _};

use super::WHISPER_RATE;

/// Input frames per resampler call: small enough for live capture (64 ms at
/// 16 kHz, 21 ms at 48 kHz), big enough to keep the FFTs efficient.
const CHUNK_FRAMES: usize = 1024;

/// Why audio cannot be resampled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ResampleError {
    #[error("the sample rate is 0 Hz")]
    ZeroRate,
    #[error("the audio has no channels")]
    NoChannels,
}

/// A streaming converter from interleaved audio at `in_rate` with `channels`
/// channels to 16 kHz mono.
pub(crate) struct Resampler {
    in_rate: u32,
    channels: usize,
    /// `None` when the input is already 16 kHz.
    fft: Option<FftFixedIn<f32>>,
    /// Samples of an incomplete frame left over from the last `push`.
    partial_frame: Vec<f32>,
    /// Mono samples waiting for a whole chunk.
    pending: Vec<f32>,
    /// Leading output samples still to drop (the filter's delay).
    delay_left: usize,
    frames_in: u64,
    frames_out: u64,
}

impl std::fmt::Debug for Resampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resampler")
            .field("in_rate", &self.in_rate)
            .field("channels", &self.channels)
            .field("frames_in", &self.frames_in)
            .field("frames_out", &self.frames_out)
            .finish_non_exhaustive()
    }
}

impl Resampler {
    /// A converter for interleaved input at `in_rate` Hz with `channels` channels.
    pub(crate) fn new(in_rate: u32, channels: u16) -> Result<Self, ResampleError> {
        if in_rate == 0 {
            return Err(ResampleError::ZeroRate);
        }
        if channels == 0 {
            return Err(ResampleError::NoChannels);
        }
        let fft = if in_rate == WHISPER_RATE {
            None
        } else {
            let fft = FftFixedIn::new(in_rate as usize, WHISPER_RATE as usize, CHUNK_FRAMES, 2, 1)
                .map_err(|_| ResampleError::ZeroRate)?;
            Some(fft)
        };
        let delay_left = fft.as_ref().map_or(0, |fft| fft.output_delay());
        Ok(Self {
            in_rate,
            channels: usize::from(channels),
            fft,
            partial_frame: Vec::new(),
            pending: Vec::new(),
            delay_left,
            frames_in: 0,
            frames_out: 0,
        })
    }

    /// Feed interleaved samples (any length; an incomplete last frame is kept
    /// for the next call) and get the 16 kHz mono samples ready so far.
    pub(crate) fn push(&mut self, interleaved: &[f32]) -> Vec<f32> {
        self.downmix_into_pending(interleaved);
        if self.fft.is_none() {
            self.frames_out += self.pending.len() as u64;
            return std::mem::take(&mut self.pending);
        }
        let Some(fft) = self.fft.as_mut() else {
            self.frames_out += self.pending.len() as u64;
            return std::mem::take(&mut self.pending);
        };
        let mut resampled = Vec::new();
        let whole = self.pending.len() / CHUNK_FRAMES * CHUNK_FRAMES;
        for chunk in self.pending[..whole].chunks_exact(CHUNK_FRAMES) {
            resampled.extend(resample_chunk(fft, chunk));
        }
        self.pending.drain(..whole);
        self.drop_delay(resampled)
    }

    /// Flush the tail: the last samples and the filter's delay. The total
    /// output of the stream is then `round(frames_in × 16000 / in_rate)`.
    /// The converter is ready for a new stream afterwards.
    pub(crate) fn finish(&mut self) -> Vec<f32> {
        let expected = self.expected_total();
        let mut out = Vec::new();
        match self.fft.as_mut() {
            None => {
                self.frames_out += self.pending.len() as u64;
                out = std::mem::take(&mut self.pending);
            }
            Some(_) => {
                // Zero-padded chunks push the real tail, then the delay, out.
                while self.frames_out < expected {
                    let real = self.pending.len().min(CHUNK_FRAMES);
                    let mut chunk = self.pending[..real].to_vec();
                    chunk.resize(CHUNK_FRAMES, 0.0);
                    self.pending.drain(..real);
                    let fft = self.fft.as_mut().expect("matched Some above");
                    let resampled = resample_chunk(fft, &chunk);
                    out.extend(self.drop_delay(resampled));
                }
                let excess = (self.frames_out - expected) as usize;
                out.truncate(out.len().saturating_sub(excess));
            }
        }
        self.reset();
        out
    }

    fn reset(&mut self) {
        self.pending.clear();
        self.partial_frame.clear();
        if let Some(fft) = self.fft.as_mut() {
            fft.reset();
            self.delay_left = fft.output_delay();
        }
        self.frames_in = 0;
        self.frames_out = 0;
    }

    /// Output samples the whole stream should give, rounded to nearest.
    fn expected_total(&self) -> u64 {
        let rate = u64::from(self.in_rate);
        (self.frames_in * u64::from(WHISPER_RATE) + rate / 2) / rate
    }

    /// Average each frame's channels into `pending`.
    fn downmix_into_pending(&mut self, interleaved: &[f32]) {
        let mut samples = interleaved;
        if !self.partial_frame.is_empty() {
            let needed = self.channels - self.partial_frame.len();
            let take = needed.min(samples.len());
            self.partial_frame.extend_from_slice(&samples[..take]);
            samples = &samples[take..];
            if self.partial_frame.len() < self.channels {
                return;
            }
            let frame = std::mem::take(&mut self.partial_frame);
            self.pending.push(average(&frame));
            self.frames_in += 1;
        }
        let whole = samples.len() / self.channels * self.channels;
        if self.channels == 1 {
            self.pending.extend_from_slice(&samples[..whole]);
        } else {
            self.pending
                .extend(samples[..whole].chunks_exact(self.channels).map(average));
        }
        self.frames_in += (whole / self.channels) as u64;
        self.partial_frame.extend_from_slice(&samples[whole..]);
    }

    /// Drop the leading filter delay from freshly resampled samples.
    fn drop_delay(&mut self, mut resampled: Vec<f32>) -> Vec<f32> {
        let skip = self.delay_left.min(resampled.len());
        self.delay_left -= skip;
        resampled.drain(..skip);
        self.frames_out += resampled.len() as u64;
        resampled
    }
}

/// Resample one chunk of `CHUNK_FRAMES` mono samples.
fn resample_chunk(fft: &mut FftFixedIn<f32>, chunk: &[f32]) -> Vec<f32> {
    let mut output = fft.output_buffer_allocate(true);
    // Input is exactly one chunk and the output buffer is sized by rubato
    // itself, so processing cannot fail.
    let (_, written) = fft
        .process_into_buffer(&[chunk], &mut output, None)
        .expect("rubato buffers sized by rubato");
    let mut mono = output.swap_remove(0);
    mono.truncate(written);
    mono
}

fn average(frame: &[f32]) -> f32 {
    frame.iter().sum::<f32>() / frame.len() as f32
}

/// Convert a whole interleaved buffer at `rate` Hz with `channels` channels to
/// 16 kHz mono.
#[cfg(test)]
pub(crate) fn to_whisper_format(
    interleaved: &[f32],
    rate: u32,
    channels: u16,
) -> Result<Vec<f32>, ResampleError> {
    if rate == WHISPER_RATE && channels == 1 {
        return Ok(interleaved.to_vec());
    }
    let mut resampler = Resampler::new(rate, channels)?;
    let mut out = resampler.push(interleaved);
    out.extend(resampler.finish());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f32::consts::PI;

    fn sine(freq: f32, rate: u32, seconds: f32, amplitude: f32) -> Vec<f32> {
        let n = (seconds * rate as f32) as usize;
        (0..n)
            .map(|i| amplitude * (2.0 * PI * freq * i as f32 / rate as f32).sin())
            .collect()
    }

    /// Interleave the same signal into `channels` channels.
    fn interleave(mono: &[f32], channels: usize) -> Vec<f32> {
        mono.iter()
            .flat_map(|&s| std::iter::repeat_n(s, channels))
            .collect()
    }

    /// The dominant frequency, from rising zero crossings over the middle.
    fn frequency(samples: &[f32], rate: u32) -> f32 {
        let middle = &samples[samples.len() / 4..samples.len() * 3 / 4];
        let crossings: Vec<usize> = middle
            .windows(2)
            .enumerate()
            .filter(|(_, w)| w[0] < 0.0 && w[1] >= 0.0)
            .map(|(i, _)| i)
            .collect();
        let periods = (crossings.len() - 1) as f32;
        let span = (crossings[crossings.len() - 1] - crossings[0]) as f32;
        rate as f32 * periods / span
    }

    fn middle_rms(samples: &[f32]) -> f32 {
        crate::audio::level::rms(&samples[samples.len() / 4..samples.len() * 3 / 4])
    }

    #[test]
    fn a_sine_keeps_its_frequency_and_amplitude() {
        for rate in [8_000, 22_050, 44_100, 48_000, 96_000] {
            let input = sine(440.0, rate, 2.0, 0.5);
            let out = to_whisper_format(&input, rate, 1).unwrap();
            let freq = frequency(&out, WHISPER_RATE);
            assert!((freq - 440.0).abs() < 0.5, "{rate} Hz: {freq} Hz");
            let level = middle_rms(&out);
            let want = 0.5 / 2f32.sqrt();
            assert!((level - want).abs() < 0.005, "{rate} Hz: rms {level}");
        }
    }

    #[test]
    fn output_is_aligned_with_the_input() {
        // A click at 1.0 s comes out at 1.0 s: the filter delay is removed.
        let mut input = vec![0.0; 48_000 * 2];
        input[48_000] = 1.0;
        let out = to_whisper_format(&input, 48_000, 1).unwrap();
        let loudest = out
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .unwrap()
            .0;
        assert!(
            (loudest as i64 - 16_000).abs() <= 1,
            "click at sample {loudest}"
        );
    }

    #[test]
    fn length_follows_the_rate_ratio() {
        #[track_caller]
        fn case(rate: u32, frames: usize, want: usize) {
            let out = to_whisper_format(&vec![0.1; frames], rate, 1).unwrap();
            assert_eq!(out.len(), want, "{frames} frames at {rate} Hz");
        }
        case(48_000, 48_000, 16_000);
        case(44_100, 44_100 * 3, 48_000);
        case(44_100, 1_000, 363); // 362.8 rounds up
        case(8_000, 12_345, 24_690);
        case(22_050, 7, 5);
        case(96_000, 0, 0);
        case(11_025, 1, 1);
        case(16_000, 999, 999);
    }

    #[test]
    fn channels_are_averaged() {
        let left = sine(300.0, WHISPER_RATE, 0.1, 0.6);
        let stereo: Vec<f32> = left.iter().flat_map(|&s| [s, 0.2]).collect();
        let out = to_whisper_format(&stereo, WHISPER_RATE, 2).unwrap();
        let want: Vec<f32> = left.iter().map(|&s| (s + 0.2) / 2.0).collect();
        assert_eq!(out, want);
        let quad = to_whisper_format(&interleave(&left, 4), WHISPER_RATE, 4).unwrap();
        assert_eq!(quad.len(), left.len());
        assert!(quad.iter().zip(&left).all(|(a, b)| (a - b).abs() < 1e-6));
    }

    #[test]
    fn mono_16k_passes_through_untouched() {
        let input = sine(1000.0, WHISPER_RATE, 0.5, 0.3);
        assert_eq!(to_whisper_format(&input, WHISPER_RATE, 1).unwrap(), input);
    }

    #[test]
    fn streaming_in_odd_blocks_equals_the_whole_buffer() {
        let mono = sine(523.0, 44_100, 1.5, 0.4);
        let stereo = interleave(&mono, 2);
        let whole = to_whisper_format(&stereo, 44_100, 2).unwrap();
        let mut resampler = Resampler::new(44_100, 2).unwrap();
        let mut streamed = Vec::new();
        // Blocks of odd sizes split frames between calls.
        for block in stereo.chunks(777) {
            streamed.extend(resampler.push(block));
        }
        streamed.extend(resampler.finish());
        assert_eq!(streamed, whole);
    }

    #[test]
    fn a_finished_resampler_starts_a_new_stream() {
        let input = sine(440.0, 48_000, 0.5, 0.4);
        let mut resampler = Resampler::new(48_000, 1).unwrap();
        let mut first = resampler.push(&input);
        first.extend(resampler.finish());
        let mut second = resampler.push(&input);
        second.extend(resampler.finish());
        assert_eq!(first, second);
    }

    #[test]
    fn bad_formats_are_errors() {
        assert_eq!(Resampler::new(0, 1).unwrap_err(), ResampleError::ZeroRate);
        assert_eq!(
            Resampler::new(16_000, 0).unwrap_err(),
            ResampleError::NoChannels
        );
    }
}
