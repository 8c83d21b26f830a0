//! viva's speech-to-text engine: a Whisper model loaded once, then any number
//! of 16 kHz mono clips turned into [`Transcript`]s. `viva transcribe` and
//! `viva practice` both use it.
//!
//! Each clip gets a fresh whisper.cpp state: reusing one made beam search and
//! the temperature fallback give different text from run to run (measured here),
//! and a state costs only a few milliseconds to make.
//!
//! Speed: whisper.cpp always encodes a 30 s window, so a 5 s answer costs as
//! much as a 30 s one. viva cuts long audio at pauses into pieces under 30 s
//! (`split`) and gives the encoder only as much audio context as each piece
//! needs (plus a margin); the benchmark (`cargo bench --bench transcribe`)
//! measured that this keeps the words and cuts the time several fold on
//! short clips.

use std::path::{Path, PathBuf};
use std::time::Instant;

use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

use crate::audio::WHISPER_RATE;
use crate::model::error::ModelError;
use crate::model::load;
use crate::stt::no_speech::{self, HeardSegment};
use crate::stt::split;
use crate::stt::transcript::{Segment, Transcript};

/// Beam size used when none is asked for (1 = greedy decoding); chosen by
/// measurement, see the README's "Transcription" section.
pub(crate) const DEFAULT_BEAM: usize = 1;

/// Encoder frames per second of audio (whisper.cpp: 1500 frames for 30 s).
const AUDIO_CTX_PER_SECOND: f64 = 50.0;
/// Extra encoder context past the clip's end, in frames (1 s).
const AUDIO_CTX_MARGIN: i32 = 50;
/// Shortened contexts are rounded up to a multiple of this, so that clips of
/// similar length share a compute graph size.
const AUDIO_CTX_STEP: i32 = 64;
/// A shortened context below this loses accuracy: the model was trained on
/// 30 s windows.
const AUDIO_CTX_MIN: i32 = 384;

/// How to decode; `Default` is viva's measured choice.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscribeOptions {
    /// Initial prompt: words to bias the decoder towards (jargon, names).
    pub prompt: Option<String>,
    /// Beam size; 1 = greedy.
    pub beam: usize,
    /// CPU threads for whisper.cpp.
    pub threads: usize,
    /// Cut long audio at pauses into pieces under 30 s and shorten the
    /// encoder's audio context to each piece; `false` gives whisper.cpp the
    /// whole audio in full 30 s windows.
    pub fit_context: bool,
}

impl Default for TranscribeOptions {
    fn default() -> Self {
        Self {
            prompt: None,
            beam: DEFAULT_BEAM,
            threads: default_threads(),
            fit_context: true,
        }
    }
}

/// One thread less than the cores there are, 1 to 4. whisper.cpp's worker
/// threads spin while they wait for each other, so when anything else needs a
/// core (audio capture, speech, the desktop) a thread that takes every core
/// stalls: on 2 cores under load, 2 threads measured 2–6× slower than 1.
/// Past 4 threads a tiny model gains little.
pub fn default_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    cores.saturating_sub(1).clamp(1, 4)
}

/// What can go wrong while transcribing (the model itself loaded fine).
#[derive(Debug, thiserror::Error)]
pub enum TranscribeError {
    #[error("Whisper could not start a transcription: {0}")]
    State(whisper_rs::WhisperError),
    #[error("Whisper failed on this audio: {0}")]
    Whisper(whisper_rs::WhisperError),
}

/// A loaded Whisper model, ready for many clips.
pub struct Transcriber {
    context: WhisperContext,
    model_path: PathBuf,
}

impl std::fmt::Debug for Transcriber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transcriber")
            .field("model_path", &self.model_path)
            .finish_non_exhaustive()
    }
}

impl Transcriber {
    /// Load the ggml model at `model_path` (whisper.cpp's log is silenced).
    pub fn load(model_path: &Path) -> Result<Self, ModelError> {
        Self::load_with(model_path, WhisperContextParameters::default())
    }

    /// Load with explicit context parameters (the benchmark tries flash
    /// attention this way).
    pub fn load_with(
        model_path: &Path,
        params: WhisperContextParameters,
    ) -> Result<Self, ModelError> {
        let context = load::load_context_with(model_path, params)?;
        Ok(Self {
            context,
            model_path: model_path.to_path_buf(),
        })
    }

    /// Transcribe 16 kHz mono samples.
    pub fn transcribe(
        &self,
        samples: &[f32],
        options: &TranscribeOptions,
    ) -> Result<Transcript, TranscribeError> {
        let started = Instant::now();
        let duration_s = samples.len() as f64 / f64::from(WHISPER_RATE);
        let Some(span) = no_speech::voiced_span(samples) else {
            return Ok(no_speech_transcript(duration_s, started));
        };
        let heard = if options.fit_context {
            let mut heard = Vec::new();
            for range in split::pieces(samples) {
                let piece = &samples[range.clone()];
                if no_speech::voiced_span(piece).is_none() {
                    continue;
                }
                let offset_s = range.start as f64 / f64::from(WHISPER_RATE);
                for (mut segment, no_speech_prob) in self.run_whisper(piece, options)? {
                    segment.start_s += offset_s;
                    segment.end_s += offset_s;
                    heard.push((segment, no_speech_prob));
                }
            }
            heard
        } else {
            self.run_whisper(samples, options)?
        };
        let judged: Vec<HeardSegment> = heard
            .iter()
            .map(|(segment, no_speech_prob)| HeardSegment {
                text: segment.text.clone(),
                no_speech_prob: *no_speech_prob,
            })
            .collect();
        if no_speech::judge(&span, &judged).is_some() {
            return Ok(no_speech_transcript(duration_s, started));
        }
        let segments: Vec<Segment> = heard
            .into_iter()
            .map(|(segment, _)| segment)
            .filter(|segment| !no_speech::is_marker_only(&segment.text))
            .collect();
        let text = segments
            .iter()
            .map(|segment| segment.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Ok(Transcript {
            duration_s,
            text,
            segments,
            no_speech: false,
            processing_s: started.elapsed().as_secs_f64(),
        })
    }

    /// Run Whisper on a fresh state; segments with their no-speech probability.
    fn run_whisper(
        &self,
        samples: &[f32],
        options: &TranscribeOptions,
    ) -> Result<Vec<(Segment, f32)>, TranscribeError> {
        let mut state = self
            .context
            .create_state()
            .map_err(TranscribeError::State)?;
        let strategy = if options.beam > 1 {
            SamplingStrategy::BeamSearch {
                beam_size: clamp_to_c_int(options.beam),
                patience: -1.0,
            }
        } else {
            SamplingStrategy::Greedy { best_of: 5 }
        };
        let mut params = FullParams::new(strategy);
        params.set_n_threads(clamp_to_c_int(options.threads.max(1)));
        params.set_language(Some("en"));
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        params.set_suppress_nst(true);
        if let Some(prompt) = options.prompt.as_deref().map(str::trim) {
            if !prompt.is_empty() {
                // whisper.cpp takes a C string: a NUL would cut it short.
                params.set_initial_prompt(&prompt.replace('\0', " "));
            }
        }
        if options.fit_context {
            if let Some(ctx) = fitted_audio_ctx(samples.len(), self.context.n_audio_ctx()) {
                params.set_audio_ctx(ctx);
            }
        }
        state
            .full(params, samples)
            .map_err(TranscribeError::Whisper)?;
        let duration_s = samples.len() as f64 / f64::from(WHISPER_RATE);
        let segments = state
            .as_iter()
            .filter_map(|segment| {
                let text = segment.to_str_lossy().ok()?.trim().to_string();
                let start_s = (segment.start_timestamp() as f64 / 100.0).clamp(0.0, duration_s);
                let end_s = (segment.end_timestamp() as f64 / 100.0).clamp(start_s, duration_s);
                let no_speech_prob = segment.no_speech_probability();
                (!text.is_empty()).then_some((
                    Segment {
                        start_s,
                        end_s,
                        text,
                    },
                    no_speech_prob,
                ))
            })
            .collect();
        Ok(segments)
    }
}

fn no_speech_transcript(duration_s: f64, started: Instant) -> Transcript {
    Transcript {
        duration_s,
        text: String::new(),
        segments: Vec::new(),
        no_speech: true,
        processing_s: started.elapsed().as_secs_f64(),
    }
}

fn clamp_to_c_int(value: usize) -> std::ffi::c_int {
    std::ffi::c_int::try_from(value).unwrap_or(std::ffi::c_int::MAX)
}

/// The encoder context for a clip of `samples` 16 kHz samples, or `None` to
/// keep the model's full context (`model_ctx`, 1500 = 30 s): the clip's frames
/// plus a margin, rounded up, at least [`AUDIO_CTX_MIN`].
pub(crate) fn fitted_audio_ctx(samples: usize, model_ctx: i32) -> Option<i32> {
    let seconds = samples as f64 / f64::from(WHISPER_RATE);
    let frames = (seconds * AUDIO_CTX_PER_SECOND).ceil() as i64 + i64::from(AUDIO_CTX_MARGIN);
    let step = i64::from(AUDIO_CTX_STEP);
    let rounded = (frames + step - 1) / step * step;
    let ctx = rounded.max(i64::from(AUDIO_CTX_MIN));
    (ctx < i64::from(model_ctx)).then_some(ctx as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transcriber_can_move_to_a_worker_thread() {
        // `viva practice` transcribes on a blocking thread.
        fn send_and_sync<T: Send + Sync>() {}
        send_and_sync::<Transcriber>();
    }

    #[test]
    fn default_threads_leave_a_core_free() {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let threads = default_threads();
        assert!((1..=4).contains(&threads));
        assert!(threads < cores || cores == 1);
    }

    #[test]
    fn audio_ctx_fits_short_clips_and_leaves_long_ones() {
        #[track_caller]
        fn case(seconds: f64, want: Option<i32>) {
            let samples = (seconds * 16_000.0) as usize;
            assert_eq!(fitted_audio_ctx(samples, 1500), want, "{seconds} s");
        }
        case(1.0, Some(384));
        case(5.0, Some(384));
        case(10.0, Some(576)); // 500 + 50 = 550, rounded up to 576
        case(20.0, Some(1088));
        case(28.0, Some(1472));
        case(29.5, None); // 1525 frames: the full 1500 window

        case(45.0, None);
    }
}
