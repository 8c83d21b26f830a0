//! Transcription in the background, on one worker thread with the model
//! loaded once, while the session goes on: pieces of the recording under
//! way (so that when an answer ends only its last piece is left), and whole
//! recordings (`--answers` files, answers left by an interrupted session).
//! Pieces go first: the person is waiting for them.

use std::collections::VecDeque;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::audio::level::{speech_span, SpeechSpan};
use crate::audio::wav_read::read_for_whisper;
use crate::audio::WHISPER_RATE;
use crate::stt::transcriber::{self, background_threads, Piece, TranscribeOptions, Transcriber};
use crate::stt::transcript::Transcript;

/// Whose recording a job is for: an answer, or its `n`th follow-up reply
/// (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Take {
    pub(crate) slot: usize,
    pub(crate) follow_up: Option<usize>,
}

/// What to transcribe.
#[derive(Debug, Clone)]
pub(crate) enum Work {
    /// A whole recording on disk.
    File(PathBuf),
    /// One piece (`range` of a recording still being made) and its samples.
    Piece {
        samples: Vec<f32>,
        range: Range<usize>,
    },
}

/// One job.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) take: Take,
    pub(crate) work: Work,
    /// Initial prompt for Whisper.
    pub(crate) prompt: Option<String>,
}

/// What Whisper heard in a whole recording.
#[derive(Debug, Clone)]
pub(crate) struct Heard {
    pub(crate) transcript: Transcript,
    /// Where speech is in the audio, from its energy.
    pub(crate) speech: Option<SpeechSpan>,
}

/// A finished job.
#[derive(Debug)]
pub(crate) enum Finished {
    File {
        take: Take,
        outcome: Result<Heard, String>,
    },
    Piece {
        take: Take,
        range: Range<usize>,
        outcome: Result<Piece, String>,
    },
}

/// The jobs not yet started, pieces first.
#[derive(Default)]
struct Pending {
    pieces: VecDeque<Job>,
    files: VecDeque<Job>,
    closed: bool,
}

/// The queue; dropping it stops the job under way and waits for the
/// worker to end.
pub(crate) struct TranscribeQueue {
    pending: Arc<(Mutex<Pending>, Condvar)>,
    results: UnboundedReceiver<Finished>,
    waiting: usize,
    transcriber: Arc<Transcriber>,
    worker: Option<JoinHandle<()>>,
}

impl TranscribeQueue {
    /// Start the worker thread.
    pub(crate) fn start(transcriber: Arc<Transcriber>) -> Self {
        let pending: Arc<(Mutex<Pending>, Condvar)> = Arc::default();
        let (done_tx, results) = unbounded_channel();
        let worker = {
            let pending = Arc::clone(&pending);
            let transcriber = Arc::clone(&transcriber);
            std::thread::spawn(move || work(&transcriber, &pending, &done_tx))
        };
        Self {
            pending,
            results,
            waiting: 0,
            transcriber,
            worker: Some(worker),
        }
    }

    /// Queue a job.
    pub(crate) fn submit(&mut self, job: Job) {
        let (lock, ready) = &*self.pending;
        let Ok(mut pending) = lock.lock() else {
            return;
        };
        match job.work {
            Work::Piece { .. } => pending.pieces.push_back(job),
            Work::File(_) => pending.files.push_back(job),
        }
        self.waiting += 1;
        ready.notify_one();
    }

    /// Jobs queued and not yet finished.
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

impl Drop for TranscribeQueue {
    fn drop(&mut self) {
        let (lock, ready) = &*self.pending;
        if let Ok(mut pending) = lock.lock() {
            pending.closed = true;
            pending.pieces.clear();
            pending.files.clear();
        }
        ready.notify_all();
        // What is left is not wanted (an interrupted session's answers stay
        // `pending` for `--resume`), and the process may exit next, which
        // must not happen while whisper.cpp runs.
        self.transcriber.stop();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// The worker: take jobs, pieces first, until the queue is dropped.
fn work(
    transcriber: &Transcriber,
    pending: &(Mutex<Pending>, Condvar),
    done: &UnboundedSender<Finished>,
) {
    let (lock, ready) = pending;
    loop {
        let job = {
            let Ok(mut queue) = lock.lock() else {
                return;
            };
            loop {
                if queue.closed {
                    return;
                }
                if let Some(job) = queue.pieces.pop_front().or_else(|| queue.files.pop_front()) {
                    break job;
                }
                queue = match ready.wait(queue) {
                    Ok(queue) => queue,
                    Err(_) => return,
                };
            }
        };
        let options = TranscribeOptions {
            prompt: job.prompt.clone(),
            threads: background_threads(),
            ..TranscribeOptions::default()
        };
        let finished = match job.work {
            Work::File(wav) => Finished::File {
                take: job.take,
                outcome: transcribe_file(transcriber, &wav, &options),
            },
            Work::Piece { samples, range } => Finished::Piece {
                take: job.take,
                outcome: transcriber
                    .transcribe_piece(&samples, range.start, &options)
                    .map_err(|err| err.to_string()),
                range,
            },
        };
        if done.send(finished).is_err() {
            return;
        }
    }
}

fn transcribe_file(
    transcriber: &Transcriber,
    wav: &std::path::Path,
    options: &TranscribeOptions,
) -> Result<Heard, String> {
    let audio = read_for_whisper(wav).map_err(|err| err.to_string())?;
    let transcript = transcriber
        .transcribe(&audio.samples, options)
        .map_err(|err| err.to_string())?;
    Ok(Heard {
        transcript,
        speech: speech_span(&audio.samples, WHISPER_RATE),
    })
}

/// The transcript of a recording made of transcribed `pieces` (in order).
pub(crate) fn assemble(samples: &[f32], pieces: Vec<Piece>) -> Heard {
    Heard {
        transcript: transcriber::assemble(samples, pieces),
        speech: speech_span(samples, WHISPER_RATE),
    }
}
