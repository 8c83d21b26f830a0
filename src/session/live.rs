//! A recording transcribed while it is made: the samples are cut into
//! pieces at pauses as they arrive (`stt::split::Splitter`), each piece is
//! queued for transcription at once, and while the person pauses the piece
//! in progress is queued too, because it is the last one if they say no
//! more. So when an answer ends, its transcript is ready or nearly: the
//! follow-up question can be chosen within a second or two, and the session
//! does not wait at the end.
//!
//! The pieces are the ones `viva transcribe` cuts from the same audio, so
//! the transcript is the one a whole-file transcription gives.

use std::ops::Range;

use super::transcribe_queue::{self, Heard, Job, Take, TranscribeQueue, Work};
use crate::audio::WHISPER_RATE;
use crate::stt::split::Splitter;
use crate::stt::transcriber::Piece;

/// A pause this long has the piece in progress transcribed ahead: long
/// enough that it is seldom only a breath, short enough to finish before
/// the silence that ends the answer (`--silence`, 4 s by default).
const EARLY_AFTER_PAUSE_S: f64 = 1.0;

/// One recording's transcription under way.
#[derive(Debug)]
pub(crate) struct Live {
    take: Take,
    prompt: Option<String>,
    splitter: Splitter,
    /// Every piece queued, with its result once back. Pieces queued early
    /// that the recording went on past are dropped when their result comes.
    pieces: Vec<(Range<usize>, Option<Piece>)>,
    /// The recording has ended: no more samples.
    ended: bool,
    /// Ranges committed as pieces of the recording (cut, or the final tail).
    committed: Vec<Range<usize>>,
    /// A transcription failed; the reason.
    failed: Option<String>,
}

impl Live {
    pub(crate) fn new(take: Take, prompt: Option<String>) -> Self {
        Self {
            take,
            prompt,
            splitter: Splitter::new(),
            pieces: Vec::new(),
            ended: false,
            committed: Vec::new(),
            failed: None,
        }
    }

    /// New samples of the recording.
    pub(crate) fn push(&mut self, samples: &[f32], queue: &mut TranscribeQueue) {
        for range in self.splitter.push(samples) {
            self.commit(range, queue);
        }
        if let Some(tail) = self.splitter.tail() {
            let paused_s =
                (self.splitter.samples().len() - tail.end) as f64 / f64::from(WHISPER_RATE);
            if paused_s + 0.3 >= EARLY_AFTER_PAUSE_S {
                self.queue(tail, queue);
            }
        }
    }

    /// The recording ended: its last piece is queued (unless it already is).
    pub(crate) fn end(&mut self, queue: &mut TranscribeQueue) {
        if self.ended {
            return;
        }
        self.ended = true;
        if let Some(tail) = self.splitter.clone().finish() {
            self.commit(tail, queue);
        }
    }

    /// A range that is a piece of the recording for good.
    fn commit(&mut self, range: Range<usize>, queue: &mut TranscribeQueue) {
        self.queue(range.clone(), queue);
        self.committed.push(range);
    }

    /// Queue `range` unless it is queued already.
    fn queue(&mut self, range: Range<usize>, queue: &mut TranscribeQueue) {
        if self.pieces.iter().any(|(queued, _)| *queued == range) {
            return;
        }
        let samples = self.splitter.samples()[range.clone()].to_vec();
        queue.submit(Job {
            take: self.take,
            work: Work::Piece {
                samples,
                range: range.clone(),
            },
            prompt: self.prompt.clone(),
        });
        self.pieces.push((range, None));
    }

    /// A piece came back from the queue.
    pub(crate) fn accept(&mut self, range: Range<usize>, outcome: Result<Piece, String>) {
        match outcome {
            Ok(piece) => {
                if let Some(slot) = self.pieces.iter_mut().find(|(queued, _)| *queued == range) {
                    slot.1 = Some(piece);
                }
            }
            Err(err) if self.committed.contains(&range) || !self.ended => {
                self.failed.get_or_insert(err);
            }
            Err(_) => {}
        }
    }

    /// The transcript, once the recording has ended and every piece of it
    /// is back: `Some(Ok)`, or `Some(Err)` when one failed.
    pub(crate) fn heard(&self) -> Option<Result<Heard, String>> {
        if !self.ended {
            return None;
        }
        if let Some(err) = &self.failed {
            return Some(Err(err.clone()));
        }
        let mut pieces = Vec::with_capacity(self.committed.len());
        for range in &self.committed {
            let piece = self
                .pieces
                .iter()
                .find(|(queued, _)| queued == range)
                .and_then(|(_, piece)| piece.clone())?;
            pieces.push(piece);
        }
        Some(Ok(transcribe_queue::assemble(
            self.splitter.samples(),
            pieces,
        )))
    }
}
