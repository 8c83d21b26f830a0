//! The thread that owns the `tts` connection. `Tts` is not safe to share
//! (it is an `Rc` inside) and its calls can block forever when the daemon is
//! stuck, so one thread makes every call and the speaker talks to it through
//! channels, each wait bounded. If the thread is stuck it is left behind; the
//! speaker falls back to printing.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use tts::{Tts, UtteranceId};

use super::choice::{engine_value, find_voice, VoiceInfo};
use super::{SpeechTiming, SpeechUnavailable};

/// The settings applied once the connection is up.
pub(super) struct Settings {
    pub(crate) voice: Option<String>,
    pub(crate) rate: Option<f32>,
    pub(crate) volume: Option<f32>,
}

enum Request {
    /// Apply settings; the reply is a warning about any that failed.
    Configure(Settings, Sender<Result<Option<String>, String>>),
    Speak(String, Sender<Result<UtteranceId, String>>),
    Voices(Sender<Result<Vec<VoiceInfo>, String>>),
}

/// Utterance notices from the speech service's own thread.
enum Notice {
    Began(UtteranceId),
    Ended(UtteranceId),
    Stopped(UtteranceId),
}

/// A handle on the worker thread.
pub(super) struct Worker {
    requests: Sender<Request>,
    notices: Receiver<Notice>,
}

/// What the worker thread reports once it has (or has not) connected.
type Ready = Result<(), SpeechUnavailable>;

impl Worker {
    /// Start the thread and wait up to `timeout` for the connection.
    pub(crate) fn start(timeout: Duration) -> Result<Worker, SpeechUnavailable> {
        let (ready_tx, ready_rx) = mpsc::channel::<Ready>();
        let (requests_tx, requests_rx) = mpsc::channel();
        let (notices_tx, notices_rx) = mpsc::channel();
        thread::Builder::new()
            .name("viva-speech".into())
            .spawn(move || run(ready_tx, requests_rx, notices_tx))
            .map_err(|err| SpeechUnavailable::Failed(format!("cannot start a thread: {err}")))?;
        // A timeout leaves the thread blocked inside `Tts::default()`; if it
        // ever returns it finds the request channel closed and ends.
        match ready_rx.recv_timeout(timeout) {
            Ok(ready) => ready?,
            Err(RecvTimeoutError::Timeout) => return Err(SpeechUnavailable::Stuck(timeout)),
            Err(RecvTimeoutError::Disconnected) => {
                return Err(SpeechUnavailable::Failed("the speech thread ended".into()))
            }
        }
        Ok(Worker {
            requests: requests_tx,
            notices: notices_rx,
        })
    }

    /// Apply voice, rate and volume; a warning names what could not be.
    pub(crate) fn configure(
        &self,
        settings: Settings,
        timeout: Duration,
    ) -> Result<Option<String>, SpeechUnavailable> {
        let (reply_tx, reply_rx) = mpsc::channel();
        self.ask(Request::Configure(settings, reply_tx), &reply_rx, timeout)
    }

    pub(crate) fn voices(&self, timeout: Duration) -> Result<Vec<VoiceInfo>, SpeechUnavailable> {
        let (reply_tx, reply_rx) = mpsc::channel();
        self.ask(Request::Voices(reply_tx), &reply_rx, timeout)
    }

    /// Queue `text` and wait for its end notice, at most `bound` after `called`.
    pub(crate) fn speak_and_wait(
        &self,
        text: &str,
        called: Instant,
        request_timeout: Duration,
        bound: Duration,
    ) -> Result<SpeechTiming, SpeechUnavailable> {
        let (reply_tx, reply_rx) = mpsc::channel();
        let id = self.ask(
            Request::Speak(text.to_owned(), reply_tx),
            &reply_rx,
            request_timeout,
        )?;
        let deadline = called + bound;
        let mut started = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            // Notices of earlier utterances (one that timed out) are skipped.
            match self.notices.recv_timeout(left) {
                Ok(Notice::Began(began)) if began == id => started = Some(called.elapsed()),
                Ok(Notice::Ended(ended) | Notice::Stopped(ended)) if ended == id => {
                    return Ok(SpeechTiming {
                        started,
                        ended: called.elapsed(),
                    });
                }
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => return Err(SpeechUnavailable::NoEnd(bound)),
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(SpeechUnavailable::Failed("the speech thread ended".into()))
                }
            }
        }
    }

    /// Send a request and wait for its reply.
    fn ask<T>(
        &self,
        request: Request,
        reply: &Receiver<Result<T, String>>,
        timeout: Duration,
    ) -> Result<T, SpeechUnavailable> {
        self.requests
            .send(request)
            .map_err(|_| SpeechUnavailable::Failed("the speech thread ended".into()))?;
        match reply.recv_timeout(timeout) {
            Ok(result) => result.map_err(SpeechUnavailable::Failed),
            Err(RecvTimeoutError::Timeout) => Err(SpeechUnavailable::Stuck(timeout)),
            Err(RecvTimeoutError::Disconnected) => {
                Err(SpeechUnavailable::Failed("the speech thread ended".into()))
            }
        }
    }
}

/// The worker thread: connect, report, then serve requests until the
/// speaker is dropped.
fn run(ready: Sender<Ready>, requests: Receiver<Request>, notices: Sender<Notice>) {
    let mut tts = match connect(&notices) {
        Ok(tts) => tts,
        Err(unavailable) => {
            let _ = ready.send(Err(unavailable));
            return;
        }
    };
    if ready.send(Ok(())).is_err() {
        return; // the speaker gave up waiting
    }
    for request in requests {
        match request {
            Request::Configure(settings, reply) => {
                let _ = reply.send(Ok(apply(&mut tts, &settings)));
            }
            Request::Speak(text, reply) => {
                let result = match tts.speak(text, false) {
                    Ok(Some(id)) => Ok(id),
                    Ok(None) => Err("the speech service gave no utterance id".to_owned()),
                    Err(err) => Err(err.to_string()),
                };
                let _ = reply.send(result);
            }
            Request::Voices(reply) => {
                let _ = reply.send(list_voices(&tts).map_err(|err| err.to_string()));
            }
        }
    }
}

fn connect(notices: &Sender<Notice>) -> Result<Tts, SpeechUnavailable> {
    let tts = Tts::default().map_err(|err| SpeechUnavailable::Unreachable(err.to_string()))?;
    if !tts.supported_features().utterance_callbacks {
        return Err(SpeechUnavailable::NoEndNotices);
    }
    let began = notices.clone();
    let ended = notices.clone();
    let stopped = notices.clone();
    let registered = tts
        .on_utterance_begin(Some(Box::new(move |id| {
            let _ = began.send(Notice::Began(id));
        })))
        .and_then(|()| {
            tts.on_utterance_end(Some(Box::new(move |id| {
                let _ = ended.send(Notice::Ended(id));
            })))
        })
        .and_then(|()| {
            tts.on_utterance_stop(Some(Box::new(move |id| {
                let _ = stopped.send(Notice::Stopped(id));
            })))
        });
    registered.map_err(|_| SpeechUnavailable::NoEndNotices)?;
    Ok(tts)
}

/// Apply voice, rate and volume; a problem is a warning, not a failure:
/// speaking in the default voice beats not speaking.
fn apply(tts: &mut Tts, settings: &Settings) -> Option<String> {
    let mut problems = Vec::new();
    if let Some(rate) = settings.rate {
        let value = engine_value(rate, tts.min_rate(), tts.max_rate());
        if let Err(err) = tts.set_rate(value) {
            problems.push(format!("cannot set the rate ({err})"));
        }
    }
    if let Some(volume) = settings.volume {
        let value = engine_value(volume, tts.min_volume(), tts.max_volume());
        if let Err(err) = tts.set_volume(value) {
            problems.push(format!("cannot set the volume ({err})"));
        }
    }
    if let Some(wanted) = settings.voice.as_deref() {
        if let Err(problem) = set_voice(tts, wanted) {
            problems.push(problem);
        }
    }
    if problems.is_empty() {
        None
    } else {
        Some(format!("{}; using the defaults", problems.join("; ")))
    }
}

fn set_voice(tts: &mut Tts, wanted: &str) -> Result<(), String> {
    let voices = tts
        .voices()
        .map_err(|err| format!("cannot list voices ({err})"))?;
    let infos: Vec<VoiceInfo> = voices.iter().map(voice_info).collect();
    let Some(found) = find_voice(&infos, wanted) else {
        return Err(format!(
            "no voice named '{wanted}' (`viva devices` lists voices)"
        ));
    };
    let voice = voices
        .iter()
        .find(|voice| voice.name() == found.name)
        .ok_or_else(|| format!("no voice named '{wanted}'"))?;
    tts.set_voice(voice)
        .map_err(|err| format!("cannot use voice '{}' ({err})", found.name))
}

fn list_voices(tts: &Tts) -> Result<Vec<VoiceInfo>, tts::Error> {
    Ok(tts.voices()?.iter().map(voice_info).collect())
}

fn voice_info(voice: &tts::Voice) -> VoiceInfo {
    VoiceInfo {
        name: voice.name(),
        language: voice.language().to_string(),
    }
}
