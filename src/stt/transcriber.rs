//! viva's speech-to-text engine: a Whisper model loaded once, then any number
//! of 16 kHz mono clips turned into [`Transcript`]s. `viva transcribe` and
//! `viva practice` both use it.
//!
//! The audio is cut at pauses into pieces under 30 s (`split`), and each
//! piece is decoded on its own, with the encoder given only the audio there
//! is plus a margin of silence (whisper.cpp otherwise encodes a whole 30 s
//! window for a 5 s answer). Each decoding is checked against its audio
//! (`guard`): a piece that loops, compresses too well, or leaves speech
//! without words is decoded again another way, and the better decoding is
//! kept; what was done is saved in the transcript (`repairs`, `gaps`).
//! whisper.cpp's own fallback (up to five more decodings at rising
//! temperatures, five decoders each) is off: it cost a 2.8 s clip 12 s and
//! it does not look at the audio.
//! A decoding is also stopped once it writes more text tokens than its
//! audio could hold (`token_cap`), so that a loop costs little.
//!
//! Each piece gets a fresh whisper.cpp state: reusing one made beam search
//! and sampling give different text from run to run, and a state costs only
//! a few milliseconds to make.

use std::ffi::c_void;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

use crate::audio::WHISPER_RATE;
use crate::model::error::ModelError;
use crate::model::load;
use crate::stt::guard::{self, Heard, Problem};
use crate::stt::no_speech::{self, HeardSegment};
use crate::stt::split;
use crate::stt::token_cap::TokenCap;
use crate::stt::transcript::{Gap, Repair, Segment, Transcript};

/// Beam size used when none is asked for (1 = greedy decoding); chosen by
/// measurement, see the README's "Transcription" section.
pub const DEFAULT_BEAM: usize = 1;

/// Encoder frames per second of audio (whisper.cpp: 1500 frames for 30 s).
const AUDIO_CTX_PER_SECOND: f64 = 50.0;
/// Shortened contexts are rounded up to a multiple of this, so that clips of
/// similar length share a compute graph size.
const AUDIO_CTX_STEP: i32 = 64;

/// How to decode; `Default` is viva's measured choice.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscribeOptions {
    /// Initial prompt: text the decoder takes as what came before (jargon,
    /// names, a disfluent lead-in that keeps fillers).
    pub prompt: Option<String>,
    /// Beam size; 1 = greedy.
    pub beam: usize,
    /// CPU threads for whisper.cpp.
    pub threads: usize,
    /// Cut long audio at pauses into pieces under 30 s and shorten the
    /// encoder's audio context to each piece; `false` gives whisper.cpp the
    /// whole audio in full 30 s windows.
    pub fit_context: bool,
    /// Check each piece against its audio and decode a failing one again.
    pub repair: bool,
    /// Choices measured by the benchmark; `Default` is what won.
    pub tuning: Tuning,
}

/// The knobs the benchmark tried (`cargo bench --bench transcribe`); the
/// defaults are the winners.
#[derive(Debug, Clone, PartialEq)]
pub struct Tuning {
    /// Silence the encoder sees after a piece's audio, seconds: a context
    /// that ends right after the speech makes Whisper loop.
    pub margin_s: f64,
    /// The shortest encoder context, frames (a shorter one loses accuracy:
    /// the model was trained on 30 s windows).
    pub min_ctx: i32,
    /// Let whisper.cpp fall back to higher temperatures on its own.
    pub whisper_fallback: bool,
    /// Stop a decoding that writes more text tokens than its audio could
    /// hold (`token_cap`): a loop then costs little.
    pub token_cap: bool,
    /// How a failing piece is decoded again, in order, until one passes.
    pub retries: Vec<Retry>,
}

/// One way of decoding a piece again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Retry {
    /// Keep the initial prompt.
    pub prompt: bool,
    /// The whole 30 s context instead of the fitted one.
    pub full_context: bool,
    /// Beam size.
    pub beam: usize,
}

impl Retry {
    fn describe(self) -> String {
        let mut parts = vec![if self.prompt {
            "with the prompt"
        } else {
            "without the prompt"
        }];
        if self.full_context {
            parts.push("full context");
        }
        let beam = (self.beam > 1).then(|| format!("beam {}", self.beam));
        let mut text = parts.join(", ");
        if let Some(beam) = beam {
            text.push_str(", ");
            text.push_str(&beam);
        }
        text
    }
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            margin_s: 1.0,
            min_ctx: 384,
            whisper_fallback: false,
            token_cap: true,
            retries: vec![
                Retry {
                    prompt: false,
                    full_context: true,
                    beam: 1,
                },
                Retry {
                    prompt: false,
                    full_context: false,
                    beam: 5,
                },
            ],
        }
    }
}

impl Default for TranscribeOptions {
    fn default() -> Self {
        Self {
            prompt: None,
            beam: DEFAULT_BEAM,
            threads: batch_threads(),
            fit_context: true,
            repair: true,
            tuning: Tuning::default(),
        }
    }
}

/// Threads for transcription that nothing else waits on (`viva
/// transcribe`): every core, at most 4 (past that a tiny model gains little).
pub fn batch_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(2, usize::from)
        .clamp(1, 4)
}

/// Threads for transcription behind a live session: one core is left for
/// capture and speech. whisper.cpp's worker threads spin while they wait for
/// each other, so a thread that has to share its core stalls them all.
pub fn background_threads() -> usize {
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
    #[error("the transcription was stopped")]
    Stopped,
}

/// One piece of audio transcribed (see [`Transcriber::transcribe_piece`]).
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    /// Segments (times in the whole audio) with Whisper's no-speech
    /// probability of each.
    heard: Vec<(Segment, f32)>,
    repair: Option<Repair>,
    gaps: Vec<Gap>,
}

/// The transcript of `samples` from its transcribed pieces, in order: the
/// no-speech checks run over all of them together.
pub(crate) fn assemble(samples: &[f32], pieces: Vec<Piece>) -> Transcript {
    let duration_s = samples.len() as f64 / f64::from(WHISPER_RATE);
    let no_speech_transcript = || Transcript::silent(duration_s);
    let Some(span) = no_speech::voiced_span(samples) else {
        return no_speech_transcript();
    };
    let mut heard: Vec<(Segment, f32)> = Vec::new();
    let mut repairs = Vec::new();
    let mut gaps = Vec::new();
    for piece in pieces {
        heard.extend(piece.heard);
        repairs.extend(piece.repair);
        gaps.extend(piece.gaps);
    }
    let judged = judged_segments(&heard);
    if no_speech::judge(&span, &judged).is_some() {
        return no_speech_transcript();
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
    Transcript {
        duration_s,
        text,
        segments,
        no_speech: false,
        processing_s: 0.0,
        repairs,
        gaps,
    }
}

/// whisper.cpp's abort callback, polled between steps of a decoding:
/// `user_data` is the transcriber's `stopped` flag.
unsafe extern "C" fn stop_requested(user_data: *mut c_void) -> bool {
    // SAFETY: `decode` passes a pointer to an `AtomicBool` that lives
    // until the decoding has returned.
    !user_data.is_null() && unsafe { &*(user_data as *const AtomicBool) }.load(Ordering::Acquire)
}

/// A loaded Whisper model, ready for many clips.
pub struct Transcriber {
    context: WhisperContext,
    model_path: PathBuf,
    /// Set by [`Transcriber::stop`]; whisper.cpp's abort callback reads it.
    stopped: AtomicBool,
}

impl std::fmt::Debug for Transcriber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transcriber")
            .field("model_path", &self.model_path)
            .finish_non_exhaustive()
    }
}

/// One decoding of one piece: segments with times in the piece.
struct Decoding {
    segments: Vec<(Segment, f32)>,
    problems: Vec<Problem>,
    /// Mean log probability of the text tokens (higher is surer).
    avg_logprob: f64,
}

impl Decoding {
    /// True when `self` is a better transcript than `other`: fewer or
    /// lighter problems, then the surer one.
    fn beats(&self, other: &Decoding) -> bool {
        let (mine, theirs) = (
            guard::badness(&self.problems),
            guard::badness(&other.problems),
        );
        mine < theirs || (mine == theirs && self.avg_logprob > other.avg_logprob)
    }
}

/// How one decoding is made.
#[derive(Debug, Clone, Copy)]
struct Attempt<'a> {
    prompt: Option<&'a str>,
    full_context: bool,
    beam: usize,
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
            stopped: AtomicBool::new(false),
        })
    }

    /// End the decoding under way within a few milliseconds and refuse any
    /// later one ([`TranscribeError::Stopped`]): the work is no longer
    /// wanted. A process must not exit while a decoding runs: exiting
    /// tears down whisper.cpp's static state under it (a session stopped
    /// by Ctrl-C died of a signal that way).
    pub(crate) fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
    }

    /// Transcribe 16 kHz mono samples.
    pub fn transcribe(
        &self,
        samples: &[f32],
        options: &TranscribeOptions,
    ) -> Result<Transcript, TranscribeError> {
        let started = Instant::now();
        let ranges = if options.fit_context {
            split::pieces(samples)
        } else {
            std::iter::once(0..samples.len()).collect()
        };
        let mut pieces = Vec::with_capacity(ranges.len());
        for range in ranges {
            pieces.push(self.transcribe_piece(&samples[range.clone()], range.start, options)?);
        }
        let mut transcript = assemble(samples, pieces);
        transcript.processing_s = started.elapsed().as_secs_f64();
        Ok(transcript)
    }

    /// Transcribe a piece (16 kHz) that `split` cut from a recording,
    /// starting at sample `start` of it; its segments carry times in the
    /// whole recording. [`assemble`] makes the
    /// transcript of the pieces, so that a recording can be transcribed
    /// piece by piece while it goes on and give what [`transcribe`] gives.
    ///
    /// [`transcribe`]: Transcriber::transcribe
    pub(crate) fn transcribe_piece(
        &self,
        piece: &[f32],
        start: usize,
        options: &TranscribeOptions,
    ) -> Result<Piece, TranscribeError> {
        let offset_s = start as f64 / f64::from(WHISPER_RATE);
        let piece_s = piece.len() as f64 / f64::from(WHISPER_RATE);
        let mut out = Piece {
            heard: Vec::new(),
            repair: None,
            gaps: Vec::new(),
        };
        if no_speech::voiced_span(piece).is_none() {
            return Ok(out);
        }
        let (decoding, repair) = self.decode_piece(piece, options)?;
        out.repair = repair.map(|mut repair| {
            repair.start_s = round2(offset_s);
            repair.end_s = round2(offset_s + piece_s);
            repair
        });
        for problem in &decoding.problems {
            if let Problem::Uncovered { start_s, end_s } = *problem {
                out.gaps.push(Gap {
                    start_s: round2(offset_s + start_s),
                    end_s: round2(offset_s + end_s),
                });
            }
        }
        for (mut segment, no_speech_prob) in decoding.segments {
            segment.start_s += offset_s;
            segment.end_s += offset_s;
            out.heard.push((segment, no_speech_prob));
        }
        Ok(out)
    }

    /// Decode one piece, check it, and decode it again while it fails the
    /// checks; the best decoding, and the repair when one was tried.
    fn decode_piece(
        &self,
        piece: &[f32],
        options: &TranscribeOptions,
    ) -> Result<(Decoding, Option<Repair>), TranscribeError> {
        let prompt = options
            .prompt
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let first = Attempt {
            prompt,
            full_context: !options.fit_context,
            beam: options.beam,
        };
        let mut best = self.decode(piece, first, options)?;
        if !options.repair || best.problems.is_empty() {
            return Ok((best, None));
        }
        let found = best.problems.clone();
        let mut tried = Vec::new();
        let mut kept = false;
        for retry in &options.tuning.retries {
            let attempt = Attempt {
                prompt: prompt.filter(|_| retry.prompt),
                full_context: retry.full_context || !options.fit_context,
                beam: retry.beam,
            };
            tried.push(retry.describe());
            let decoding = self.decode(piece, attempt, options)?;
            // The prompt can make Whisper put a word or two, or a loop of
            // more words than anyone says, on a beep or a noise; decoded
            // without it, such audio is judged no speech: keep that. (Not
            // for a plausible text: Whisper doubting real speech is not
            // silence.)
            let no_speech = says_no_speech(piece, &decoding);
            let invented = word_count(&best) <= MAX_INVENTED_WORDS
                || best.problems.contains(&Problem::TooManyWords);
            if attempt.prompt.is_none() && prompt.is_some() && invented && no_speech {
                best = decoding;
                kept = true;
                break;
            }
            // Otherwise a retry never turns speech into silence: speech said
            // again and again fails the checks every time, and a retry that
            // Whisper itself doubts must not win on that.
            let silences = no_speech && !says_no_speech(piece, &best);
            if !silences && decoding.beats(&best) {
                best = decoding;
                kept = true;
            }
            if best.problems.is_empty() {
                break;
            }
        }
        let repair = Repair {
            start_s: 0.0,
            end_s: 0.0,
            found,
            retried: tried.join("; then "),
            kept,
        };
        Ok((best, Some(repair)))
    }

    /// Run Whisper once on a fresh state.
    fn decode(
        &self,
        samples: &[f32],
        attempt: Attempt<'_>,
        options: &TranscribeOptions,
    ) -> Result<Decoding, TranscribeError> {
        if self.stopped.load(Ordering::Acquire) {
            return Err(TranscribeError::Stopped);
        }
        let mut state = self
            .context
            .create_state()
            .map_err(TranscribeError::State)?;
        let strategy = if attempt.beam > 1 {
            SamplingStrategy::BeamSearch {
                beam_size: clamp_to_c_int(attempt.beam),
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
        if !options.tuning.whisper_fallback {
            params.set_temperature_inc(0.0);
        }
        if let Some(prompt) = attempt.prompt {
            // whisper.cpp takes a C string: a NUL would cut it short.
            params.set_initial_prompt(&prompt.replace('\0', " "));
        }
        if !attempt.full_context {
            let ctx = fitted_audio_ctx(samples.len(), self.context.n_audio_ctx(), &options.tuning);
            if let Some(ctx) = ctx {
                params.set_audio_ctx(ctx);
            }
        }
        let duration_s = samples.len() as f64 / f64::from(WHISPER_RATE);
        let eot = self.context.token_eot();
        let n_vocab = usize::try_from(self.context.n_vocab()).unwrap_or(0);
        let cap = TokenCap::new(duration_s, eot, n_vocab);
        if options.tuning.token_cap {
            cap.install(&mut params);
        }
        // SAFETY: the callback only reads `self.stopped`, which outlives
        // this decoding (`self` is borrowed for all of it).
        unsafe {
            params.set_abort_callback(Some(stop_requested));
            params.set_abort_callback_user_data(
                std::ptr::from_ref(&self.stopped)
                    .cast_mut()
                    .cast::<c_void>(),
            );
        }
        let result = state.full(params, samples);
        if self.stopped.load(Ordering::Acquire) {
            return Err(TranscribeError::Stopped);
        }
        result.map_err(TranscribeError::Whisper)?;
        let (mut logprob_sum, mut tokens) = (0.0f64, 0usize);
        let segments: Vec<(Segment, f32)> = state
            .as_iter()
            .filter_map(|segment| {
                for index in 0..segment.n_tokens() {
                    let Some(token) = segment.get_token(index) else {
                        continue;
                    };
                    if token.token_id() < eot {
                        logprob_sum += f64::from(token.token_data().plog);
                        tokens += 1;
                    }
                }
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
        let problems = {
            let heard: Vec<Heard<'_>> = segments
                .iter()
                .filter(|(segment, _)| !no_speech::is_marker_only(&segment.text))
                .map(|(segment, _)| Heard {
                    text: &segment.text,
                    start_s: segment.start_s,
                    end_s: segment.end_s,
                })
                .collect();
            let mut problems = guard::check(samples, &heard);
            // Stopped at the cap, the text is a loop cut short (or, were
            // anyone to speak that fast, incomplete): decode it again.
            if cap.hit() && !problems.contains(&Problem::TooManyWords) {
                problems.push(Problem::TooManyWords);
            }
            problems
        };
        Ok(Decoding {
            segments,
            problems,
            avg_logprob: if tokens == 0 {
                f64::NEG_INFINITY
            } else {
                logprob_sum / tokens as f64
            },
        })
    }
}

fn clamp_to_c_int(value: usize) -> std::ffi::c_int {
    std::ffi::c_int::try_from(value).unwrap_or(std::ffi::c_int::MAX)
}

fn round2(value: f64) -> f64 {
    crate::units::round2(value)
}

/// The encoder context for a clip of `samples` 16 kHz samples, or `None` to
/// keep the model's full context (`model_ctx`, 1500 = 30 s): the clip's frames
/// plus the margin, rounded up, at least the minimum.
fn fitted_audio_ctx(samples: usize, model_ctx: i32, tuning: &Tuning) -> Option<i32> {
    let seconds = samples as f64 / f64::from(WHISPER_RATE) + tuning.margin_s;
    let frames = (seconds * AUDIO_CTX_PER_SECOND).ceil() as i64;
    let step = i64::from(AUDIO_CTX_STEP);
    let rounded = (frames + step - 1) / step * step;
    let ctx = rounded.max(i64::from(tuning.min_ctx));
    (ctx < i64::from(model_ctx)).then_some(ctx as i32)
}

/// At most this many words are taken for what a prompt made Whisper invent
/// on audio that is not speech.
const MAX_INVENTED_WORDS: usize = 3;

/// Words in a decoding.
fn word_count(decoding: &Decoding) -> usize {
    decoding
        .segments
        .iter()
        .map(|(segment, _)| segment.text.split_whitespace().count())
        .sum()
}

/// Decoded segments as the no-speech checks take them.
fn judged_segments(heard: &[(Segment, f32)]) -> Vec<HeardSegment> {
    heard
        .iter()
        .map(|(segment, no_speech_prob)| HeardSegment {
            text: segment.text.clone(),
            no_speech_prob: *no_speech_prob,
        })
        .collect()
}

/// True when the no-speech checks judge a decoded piece to be no speech.
fn says_no_speech(piece: &[f32], decoding: &Decoding) -> bool {
    let Some(span) = no_speech::voiced_span(piece) else {
        return true;
    };
    let heard = judged_segments(&decoding.segments);
    no_speech::judge(&span, &heard).is_some()
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
    fn background_transcription_leaves_a_core_free() {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        assert!((1..=4).contains(&background_threads()));
        assert!(background_threads() < cores || cores == 1);
        assert!(batch_threads() >= background_threads());
    }

    #[test]
    fn audio_ctx_fits_short_clips_and_leaves_long_ones() {
        #[track_caller]
        fn case(seconds: f64, want: Option<i32>) {
            let samples = (seconds * 16_000.0) as usize;
            let tuning = Tuning {
                margin_s: 1.0,
                min_ctx: 384,
                ..Tuning::default()
            };
            assert_eq!(
                fitted_audio_ctx(samples, 1500, &tuning),
                want,
                "{seconds} s"
            );
        }
        case(1.0, Some(384));
        case(5.0, Some(384));
        case(10.0, Some(576)); // 500 + 50 = 550, rounded up to 576
        case(20.0, Some(1088));
        case(28.0, Some(1472));
        case(29.5, None); // 1525 frames: the full 1500 window
        case(45.0, None);
    }

    #[test]
    fn retries_say_what_they_changed() {
        let retry = Retry {
            prompt: false,
            full_context: true,
            beam: 1,
        };
        assert_eq!(retry.describe(), "without the prompt, full context");
        let retry = Retry {
            prompt: true,
            full_context: false,
            beam: 5,
        };
        assert_eq!(retry.describe(), "with the prompt, beam 5");
    }
}
