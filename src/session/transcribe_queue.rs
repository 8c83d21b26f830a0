//! Transcription in the background: answers are queued as they are saved
//! and transcribed one at a time on a blocking thread (`spawn_blocking`),
//! with the model loaded once, while the next question is already asked.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::audio::level::{speech_span, SpeechSpan};
use crate::audio::wav_read::read_for_whisper;
use crate::audio::WHISPER_RATE;
use crate::stt::transcriber::{TranscribeOptions, Transcriber};
use crate::stt::transcript::Transcript;

/// One answer to transcribe.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    /// Index of the answer in the session.
    pub(crate) slot: usize,
    /// The answer's WAV file.
    pub(crate) wav: PathBuf,
    /// Initial prompt: the question's jargon.
    pub(crate) prompt: Option<String>,
}

/// What Whisper heard in an answer.
#[derive(Debug, Clone)]
pub(crate) struct Heard {
    pub(crate) transcript: Transcript,
    /// Where speech is in the audio, from its energy.
    pub(crate) speech: Option<SpeechSpan>,
}

/// A finished job.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) slot: usize,
    pub(crate) outcome: Result<Heard, String>,
}

/// The queue; dropping it lets the worker task end.
pub(crate) struct TranscribeQueue {
    jobs: UnboundedSender<Job>,
    results: UnboundedReceiver<Finished>,
    waiting: usize,
}

impl TranscribeQueue {
    /// Start the worker task; must be called inside a tokio runtime.
    pub(crate) fn start(transcriber: Arc<Transcriber>) -> Self {
        let (jobs, mut job_rx) = unbounded_channel::<Job>();
        let (done_tx, results) = unbounded_channel();
        tokio::spawn(async move {
            while let Some(job) = job_rx.recv().await {
                let transcriber = Arc::clone(&transcriber);
                let slot = job.slot;
                let outcome = tokio::task::spawn_blocking(move || run(&transcriber, &job))
                    .await
                    .unwrap_or_else(|err| Err(format!("transcription crashed: {err}")));
                if done_tx.send(Finished { slot, outcome }).is_err() {
                    break;
                }
            }
        });
        Self {
            jobs,
            results,
            waiting: 0,
        }
    }

    /// Queue an answer.
    pub(crate) fn submit(&mut self, job: Job) {
        if self.jobs.send(job).is_ok() {
            self.waiting += 1;
        }
    }

    /// Answers queued and not yet finished.
    pub(crate) fn waiting(&self) -> usize {
        self.waiting
    }

    /// The next finished job; pends forever when none is queued (so it can
    /// sit in a `select!`). Cancel-safe.
    pub(crate) async fn next(&mut self) -> Option<Finished> {
        if self.waiting == 0 {
            return std::future::pending().await;
        }
        let finished = self.results.recv().await;
        if finished.is_some() {
            self.waiting -= 1;
        }
        finished
    }
}

fn run(transcriber: &Transcriber, job: &Job) -> Result<Heard, String> {
    let audio = read_for_whisper(&job.wav).map_err(|err| err.to_string())?;
    let options = TranscribeOptions {
        prompt: job.prompt.clone(),
        ..TranscribeOptions::default()
    };
    let transcript = transcriber
        .transcribe(&audio.samples, &options)
        .map_err(|err| err.to_string())?;
    Ok(Heard {
        transcript,
        speech: speech_span(&audio.samples, WHISPER_RATE),
    })
}
