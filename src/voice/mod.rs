//! Speaking questions aloud. A [`Speaker`] speaks a text through the system's
//! speech service (speech-dispatcher on Linux, through the `tts` crate) and
//! waits until that utterance has really finished, so that a recording which
//! starts next does not hear the question.
//!
//! Speech is optional: when no speech service answers, the speaker prints the
//! text instead and has one warning line for the user saying why and how to
//! fix it ([`Speaker::take_warning`]). Creating a speech connection can block
//! forever when the daemon is stuck, so every `tts` call runs on a worker
//! thread of its own (`worker.rs`) and every wait for it is bounded.

mod choice;
mod worker;

use std::time::{Duration, Instant};

pub(crate) use choice::{speech_time_bound, VoiceInfo};

/// How long creating the speech connection may take. With the daemon up it
/// takes a few ms; when the client library has to start the daemon, ~0.5 s.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(4);

/// How long queueing a text may take before the service counts as stuck.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// How long listing the voices (or choosing one, which lists them) may take:
/// speech-dispatcher with espeak-ng lists ~13,000 voices, in ~3 s here.
const VOICES_TIMEOUT: Duration = Duration::from_secs(20);

/// What the user asked of the speaker.
#[derive(Debug, Clone)]
pub struct SpeakerOptions {
    /// `false` prints instead of speaking, with no warning (`--no-tts`).
    pub(crate) speech: bool,
    /// A voice name (or language tag such as `en-GB`); `None` keeps the default.
    pub(crate) voice: Option<String>,
    /// Speech rate, 0.0..=1.0 of the engine's range (0.5 = normal).
    pub(crate) rate: Option<f32>,
    /// Volume, 0.0..=1.0 of the engine's range (1.0 = the engine's normal, loudest).
    pub(crate) volume: Option<f32>,
    /// Bound on creating the connection.
    pub(crate) connect_timeout: Duration,
}

impl Default for SpeakerOptions {
    fn default() -> Self {
        Self {
            speech: true,
            voice: None,
            rate: None,
            volume: None,
            connect_timeout: CONNECT_TIMEOUT,
        }
    }
}

/// Options a user gave that cannot work.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum SpeakerOptionError {
    #[error("--rate must be between 0.0 and 1.0 (0.5 is normal speed), not {0}")]
    Rate(f32),
    #[error("--volume must be between 0.0 and 1.0, not {0}")]
    Volume(f32),
}

impl SpeakerOptions {
    /// Check the numbers before any speech service is involved.
    pub(crate) fn validate(&self) -> Result<(), SpeakerOptionError> {
        let in_range = |value: f32| (0.0..=1.0).contains(&value);
        if let Some(rate) = self.rate.filter(|&rate| !in_range(rate)) {
            return Err(SpeakerOptionError::Rate(rate));
        }
        if let Some(volume) = self.volume.filter(|&volume| !in_range(volume)) {
            return Err(SpeakerOptionError::Volume(volume));
        }
        Ok(())
    }
}

/// How a text reached the user.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Delivery {
    /// Spoken aloud, and the speech service reported its end.
    Spoken(SpeechTiming),
    /// Printed on standard output (no speech, or speech just failed).
    Printed,
}

/// When the speech service reported the utterance's start and end, measured
/// from the moment `speak_and_wait` was called.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeechTiming {
    /// The start notice; `None` when the service sent none.
    pub started: Option<Duration>,
    /// The end notice.
    pub ended: Duration,
}

/// Speaks texts aloud, or prints them when speech is not available.
pub struct Speaker {
    worker: Option<worker::Worker>,
    rate: f32,
    /// A warning not yet shown to the user.
    warning: Option<String>,
}

impl std::fmt::Debug for Speaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Speaker")
            .field("speaks_aloud", &self.speaks_aloud())
            .field("warning", &self.warning)
            .finish()
    }
}

impl Speaker {
    /// Connect to the speech service, or fall back to printing. Never blocks
    /// longer than `options.connect_timeout`, plus up to 20 s to apply a
    /// voice, rate or volume when one is given (choosing a voice lists them,
    /// which speech-dispatcher does slowly). Numbers outside 0..=1 are
    /// clamped; check them first with [`SpeakerOptions::validate`].
    pub fn new(options: &SpeakerOptions) -> Speaker {
        let rate = options.rate.unwrap_or(0.5).clamp(0.0, 1.0);
        if !options.speech {
            return Speaker::print_only();
        }
        let printing = |unavailable: SpeechUnavailable| Speaker {
            worker: None,
            rate,
            warning: Some(unavailable.to_string()),
        };
        let worker = match worker::Worker::start(options.connect_timeout) {
            Ok(worker) => worker,
            Err(unavailable) => return printing(unavailable),
        };
        let warning =
            if options.voice.is_none() && options.rate.is_none() && options.volume.is_none() {
                None
            } else {
                let settings = worker::Settings {
                    voice: options.voice.clone(),
                    rate: options.rate.map(|rate| rate.clamp(0.0, 1.0)),
                    volume: options.volume.map(|volume| volume.clamp(0.0, 1.0)),
                };
                match worker.configure(settings, VOICES_TIMEOUT) {
                    Ok(warning) => warning,
                    Err(unavailable) => return printing(unavailable),
                }
            };
        Speaker {
            worker: Some(worker),
            rate,
            warning,
        }
    }

    /// A speaker that only prints, with no warning.
    pub(crate) fn print_only() -> Speaker {
        Speaker {
            worker: None,
            rate: 0.5,
            warning: None,
        }
    }

    /// True when texts are spoken aloud (not printed).
    pub(crate) fn speaks_aloud(&self) -> bool {
        self.worker.is_some()
    }

    /// The one-line warning the user has not seen yet (why speech is not
    /// available and how to fix it, or a voice that was not found), once.
    pub fn take_warning(&mut self) -> Option<String> {
        self.warning.take()
    }

    /// The voices of the speech service (empty when printing).
    pub(crate) fn voices(&mut self) -> Result<Vec<VoiceInfo>, SpeechUnavailable> {
        match self.worker.as_ref() {
            Some(worker) => worker.voices(VOICES_TIMEOUT),
            None => Ok(Vec::new()),
        }
    }

    /// Speak `text` and return once the speech service says it has finished,
    /// or print it. When speech fails (the service stops answering or never
    /// reports the end within a bound derived from the text's length), the
    /// text is printed, the speaker switches to printing for good and a
    /// warning is left for [`Speaker::take_warning`].
    pub fn speak_and_wait(&mut self, text: &str) -> Delivery {
        let Some(worker) = self.worker.as_ref() else {
            println!("{text}");
            return Delivery::Printed;
        };
        let called = Instant::now();
        let bound = speech_time_bound(text, self.rate);
        match worker.speak_and_wait(text, called, REQUEST_TIMEOUT, bound) {
            Ok(timing) => Delivery::Spoken(timing),
            Err(failure) => {
                self.worker = None;
                self.warning = Some(failure.to_string());
                println!("{text}");
                Delivery::Printed
            }
        }
    }
}

/// Why speech is not (or no longer) available. Each message is the one line
/// shown to the user, ending with what to do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum SpeechUnavailable {
    #[error(
        "no speech service ({0}); printing instead. To hear questions, install speech-dispatcher \
         and a voice (`sudo apt install speech-dispatcher speech-dispatcher-espeak-ng`) and check \
         with `spd-say hello`"
    )]
    Unreachable(String),
    #[error(
        "the speech service did not answer within {0:.0?}; printing instead. Restart \
         speech-dispatcher (stop its process; it starts again on demand) and check with \
         `spd-say hello`"
    )]
    Stuck(Duration),
    #[error(
        "speech did not finish within {0:.0?} (is the audio server running?); printing from now \
         on. Check with `spd-say hello`"
    )]
    NoEnd(Duration),
    #[error("the speech service failed: {0}; printing from now on. Check with `spd-say hello`")]
    Failed(String),
    #[error(
        "the speech service cannot report when speech ends; printing instead so that recording \
         never overlaps a question"
    )]
    NoEndNotices,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_outside_zero_to_one_are_rejected() {
        let mut options = SpeakerOptions {
            rate: Some(0.5),
            volume: Some(1.0),
            ..SpeakerOptions::default()
        };
        assert_eq!(options.validate(), Ok(()));
        options.rate = Some(1.5);
        assert_eq!(options.validate(), Err(SpeakerOptionError::Rate(1.5)));
        options.rate = None;
        options.volume = Some(-0.1);
        assert_eq!(options.validate(), Err(SpeakerOptionError::Volume(-0.1)));
    }

    #[test]
    fn print_only_speaker_prints_and_has_no_warning() {
        let mut speaker = Speaker::new(&SpeakerOptions {
            speech: false,
            ..SpeakerOptions::default()
        });
        assert!(!speaker.speaks_aloud());
        assert_eq!(speaker.take_warning(), None);
        assert_eq!(speaker.speak_and_wait("hello"), Delivery::Printed);
        assert_eq!(speaker.voices(), Ok(Vec::new()));
    }

    #[test]
    fn a_speaker_can_move_to_a_blocking_thread() {
        fn send<T: Send>() {}
        send::<Speaker>();
    }

    #[test]
    fn warnings_are_one_line_and_say_what_to_do() {
        let all = [
            SpeechUnavailable::Unreachable("connection refused".into()),
            SpeechUnavailable::Stuck(Duration::from_secs(4)),
            SpeechUnavailable::NoEnd(Duration::from_secs(12)),
            SpeechUnavailable::Failed("broken pipe".into()),
            SpeechUnavailable::NoEndNotices,
        ];
        for warning in all {
            let line = warning.to_string();
            assert!(!line.contains('\n'), "{line}");
            assert!(line.contains("printing"), "{line}");
        }
        assert!(SpeechUnavailable::Stuck(Duration::from_secs(4))
            .to_string()
            .contains("within 4s"));
    }
}
