//! A cap on the text tokens one decoding may write, in proportion to its
//! audio. Whisper caught in a loop writes on until its limit of 220 tokens
//! a window, and that cost a 2 s clip two seconds or more a decoding (the
//! benchmark's slowest short clips were all loops). Nobody says more than
//! about eight words a second, so past the cap every token but end-of-text
//! is ruled out and the decoder stops; the decoding is marked capped, and
//! the guards decode it again another way.

use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicBool, Ordering};

use whisper_rs::FullParams;
use whisper_rs_sys::{whisper_context, whisper_state, whisper_token_data};

/// Text tokens allowed per second of audio: about twice the fastest speech
/// (six words a voiced second is where the guards call a text impossible,
/// and a word is one to two tokens).
const TOKENS_PER_SECOND: f64 = 12.0;
/// Tokens allowed on top, so that a short clip keeps room for a sentence.
const SLACK_TOKENS: usize = 24;

/// The most text tokens a decoding of `seconds` of audio may write.
pub(crate) fn max_text_tokens(seconds: f64) -> usize {
    (TOKENS_PER_SECOND * seconds.max(0.0)).ceil() as usize + SLACK_TOKENS
}

/// Ends the decoding when `text_tokens` have been written and the cap is
/// reached: every logit but end-of-text's becomes minus infinity. True when
/// it did.
fn end_at_cap(text_tokens: usize, cap: usize, eot: usize, logits: &mut [f32]) -> bool {
    if text_tokens < cap || eot >= logits.len() {
        return false;
    }
    for (id, logit) in logits.iter_mut().enumerate() {
        if id != eot {
            *logit = f32::NEG_INFINITY;
        }
    }
    true
}

/// The cap of one decoding, handed to whisper.cpp's logits filter. The
/// filter may run on several threads at once (one per beam), so what it
/// writes is atomic.
pub(crate) struct TokenCap {
    cap: usize,
    eot: i32,
    n_vocab: usize,
    hit: AtomicBool,
}

impl TokenCap {
    /// The cap for `seconds` of audio; `eot` is the model's end-of-text
    /// token (text tokens come before it), `n_vocab` its vocabulary size.
    pub(crate) fn new(seconds: f64, eot: i32, n_vocab: usize) -> Self {
        Self {
            cap: max_text_tokens(seconds),
            eot,
            n_vocab,
            hit: AtomicBool::new(false),
        }
    }

    /// True when the decoder was stopped at the cap.
    pub(crate) fn hit(&self) -> bool {
        self.hit.load(Ordering::Relaxed)
    }

    /// Install the cap in `params`. `self` must stay where it is until the
    /// decoding that takes `params` has returned: whisper.cpp holds a
    /// pointer to it.
    pub(crate) fn install(&self, params: &mut FullParams<'_, '_>) {
        // SAFETY: the filter only reads `self` (and sets an atomic), through
        // a pointer that lives as long as the caller keeps `self` in place,
        // which the caller does for the one decoding these params serve.
        unsafe {
            params.set_filter_logits_callback(Some(filter));
            params.set_filter_logits_callback_user_data(
                std::ptr::from_ref(self).cast_mut().cast::<c_void>(),
            );
        }
    }
}

/// whisper.cpp's logits filter: called before each token is chosen, with
/// the tokens of the current window so far.
unsafe extern "C" fn filter(
    _ctx: *mut whisper_context,
    _state: *mut whisper_state,
    tokens: *const whisper_token_data,
    n_tokens: c_int,
    logits: *mut f32,
    user_data: *mut c_void,
) {
    if user_data.is_null() || logits.is_null() {
        return;
    }
    // SAFETY: `user_data` is the `TokenCap` that `install` put there, alive
    // for the whole decoding; `tokens` holds `n_tokens` entries and `logits`
    // one per vocabulary entry, as whisper.cpp documents for this callback.
    let cap = unsafe { &*(user_data as *const TokenCap) };
    let tokens = match usize::try_from(n_tokens) {
        Ok(n) if n > 0 && !tokens.is_null() => unsafe { std::slice::from_raw_parts(tokens, n) },
        _ => &[],
    };
    let logits = unsafe { std::slice::from_raw_parts_mut(logits, cap.n_vocab) };
    let text_tokens = tokens.iter().filter(|token| token.id < cap.eot).count();
    let Ok(eot) = usize::try_from(cap.eot) else {
        return;
    };
    if end_at_cap(text_tokens, cap.cap, eot, logits) {
        cap.hit.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_grows_with_the_audio() {
        assert_eq!(max_text_tokens(0.0), 24);
        assert_eq!(max_text_tokens(1.5), 42);
        assert_eq!(max_text_tokens(10.0), 144);
        // Past about 16 s a window's own 220-token limit comes first.
        assert!(max_text_tokens(16.5) > 220);
        assert_eq!(max_text_tokens(-1.0), 24);
    }

    #[test]
    fn at_the_cap_only_end_of_text_is_left() {
        let mut logits = vec![0.5f32; 8];
        assert!(!end_at_cap(9, 10, 5, &mut logits));
        assert_eq!(logits, vec![0.5; 8]);
        assert!(end_at_cap(10, 10, 5, &mut logits));
        for (id, logit) in logits.iter().enumerate() {
            if id == 5 {
                assert_eq!(*logit, 0.5);
            } else {
                assert_eq!(*logit, f32::NEG_INFINITY);
            }
        }
        // An end-of-text outside the logits leaves them alone.
        let mut short = vec![1.0f32; 3];
        assert!(!end_at_cap(99, 10, 5, &mut short));
        assert_eq!(short, vec![1.0; 3]);
    }
}
