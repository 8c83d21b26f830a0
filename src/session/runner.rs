//! The practice session: for each question, ask it (printed, and spoken when
//! speech is on), take the answer (microphone or `--answers` file) into the
//! session folder while it is transcribed piece by piece, ask a follow-up
//! about a talking point it missed, and keep `session.json` and
//! `transcript.md` current after every change, so Ctrl-C, a lost device, a
//! full disk or a crash never costs a saved answer.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::mpsc::UnboundedReceiver;

use super::asker::{Asked, Asker, Input};
use super::live::Live;
use super::record::{
    AnswerRecord, AnswerStatus, BankRef, SessionRecord, SessionStatus, Settings, Stamp, Work,
    FORMAT_VERSION,
};
use super::recover;
use super::store::{SessionDir, SessionLock};
use super::transcribe_queue::{Finished, Heard, Job, Take, TranscribeQueue, Work as JobWork};
use crate::analysis::{analyse, prepare};
use crate::bank::{Bank, Question};
use crate::model::embedder::Embedder;
use crate::stt::prompt::{self, prompt};
use crate::stt::transcriber::Transcriber;
use crate::units::clock;

/// Everything a session needs, validated by the command.
pub(crate) struct Practice {
    pub(crate) bank: Bank,
    /// What `--bank` named.
    pub(crate) bank_source: String,
    pub(crate) settings: Settings,
    pub(crate) model_path: PathBuf,
    pub(crate) sessions_dir: PathBuf,
    /// The sentence-embedding model for judging talking points; `None`
    /// judges them by words only.
    pub(crate) embedder: Option<Arc<Embedder>>,
}

/// A new session with these questions (bank numbers), or an old one resumed.
pub(crate) enum Start {
    New(Vec<usize>),
    Resume(SessionDir),
}

/// How a session ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ending {
    /// Every chosen question was dealt with.
    Finished,
    /// `q`: the user ended it; everything is kept.
    Quit,
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// The input failed; the sentence says why and what is kept.
    Stopped(String),
}

/// What a finished run leaves for the command to report.
pub(crate) struct Outcome {
    pub(crate) record: SessionRecord,
    pub(crate) folder: PathBuf,
    pub(crate) ending: Ending,
}

/// Run a session to its end. `interrupts` delivers Ctrl-C (and SIGTERM): the
/// answer being recorded is kept, everything is saved and the session ends.
pub(crate) async fn run(
    practice: Practice,
    start: Start,
    mut interrupts: UnboundedReceiver<()>,
) -> anyhow::Result<Outcome> {
    let model_path = practice.model_path.clone();
    let transcriber = tokio::task::spawn_blocking(move || Transcriber::load(&model_path))
        .await
        .context("loading the model crashed")??;
    let input = Input::open(&practice.settings)?;

    let mut session = match start {
        Start::New(numbers) => Session::create(&practice, &numbers)?,
        Start::Resume(dir) => Session::resume(&practice, dir)?,
    };
    eprintln!("Session folder: {}", session.dir.path().display());
    let mut asker = Asker::new(input, practice.settings.tts).await;
    let mut queue = TranscribeQueue::start(Arc::new(transcriber));
    for job in session.leftover_jobs() {
        queue.submit(job);
    }
    session.record.status = SessionStatus::InProgress;
    session.record.ended_at = None;
    session.save()?;

    let to_ask: Vec<usize> = (0..session.record.answers.len())
        .filter(|&slot| session.record.answers[slot].work() == Work::Ask)
        .collect();
    let total = to_ask.len();
    prepare_questions(&session, &to_ask, practice.embedder.clone());
    let mut outcome = Asked::Next;
    for (position, slot) in to_ask.into_iter().enumerate() {
        outcome = asker
            .ask(
                &mut session,
                slot,
                (position + 1, total),
                &mut queue,
                &mut interrupts,
            )
            .await?;
        if !matches!(outcome, Asked::Next) {
            break;
        }
    }
    let last_answer_at = Instant::now();
    let ending = match outcome {
        Asked::Next => Ending::Finished,
        Asked::Quit => Ending::Quit,
        Asked::Interrupted => Ending::Interrupted,
        Asked::Stopped(reason) => Ending::Stopped(reason),
    };
    if ending != Ending::Interrupted {
        wait_for_transcripts(&mut session, &mut queue, &mut interrupts).await?;
        if queue.waiting() == 0 {
            eprintln!(
                "All transcripts ready {:.1} s after the last answer.",
                last_answer_at.elapsed().as_secs_f64()
            );
        }
    }
    session.record.status = match &ending {
        _ if queue.waiting() > 0 => SessionStatus::Interrupted,
        Ending::Finished => SessionStatus::Finished,
        Ending::Quit => SessionStatus::Quit,
        Ending::Interrupted | Ending::Stopped(_) => SessionStatus::Interrupted,
    };
    session.record.ended_at = Some(Stamp::now());
    session.save()?;
    Ok(Outcome {
        folder: session.dir.path().to_path_buf(),
        record: session.record,
        ending,
    })
}

/// The session being run: its folder (held for this process), its record,
/// its bank, and the recordings being transcribed while they are made.
pub(super) struct Session {
    pub(super) dir: SessionDir,
    pub(super) record: SessionRecord,
    pub(super) bank: Bank,
    live: HashMap<Take, Live>,
    embedder: Option<Arc<Embedder>>,
    _lock: SessionLock,
}

impl Session {
    fn create(practice: &Practice, numbers: &[usize]) -> anyhow::Result<Self> {
        let bank = practice.bank.clone();
        let answers = numbers
            .iter()
            .map(|&number| AnswerRecord::not_asked(number, &bank.questions[number - 1]))
            .collect();
        let started_at = Stamp::now();
        let stamp = started_at.0.strftime("%Y-%m-%d_%H%M%S").to_string();
        let dir = SessionDir::create(&practice.sessions_dir, &stamp, &bank.id)?;
        let lock = dir.lock()?;
        let record = SessionRecord {
            format: FORMAT_VERSION,
            viva_version: env!("CARGO_PKG_VERSION").to_string(),
            bank: BankRef {
                id: bank.id.clone(),
                title: bank.title.clone(),
                source: practice.bank_source.clone(),
                sha256: bank_sha256(&bank),
            },
            model: practice.model_path.display().to_string(),
            settings: practice.settings.clone(),
            started_at,
            ended_at: None,
            status: SessionStatus::InProgress,
            answers,
        };
        let session = Self {
            dir,
            record,
            bank,
            live: HashMap::new(),
            embedder: practice.embedder.clone(),
            _lock: lock,
        };
        // Every answer has its own file from the start, so a damaged
        // session.json can be rebuilt with the whole plan.
        for answer in &session.record.answers {
            session.dir.save_answer(answer)?;
        }
        Ok(session)
    }

    fn resume(practice: &Practice, dir: SessionDir) -> anyhow::Result<Self> {
        let lock = dir.lock()?;
        let (mut record, mut notes) = recover::load(&dir)?;
        notes.extend(recover::recover(&dir, &mut record));
        for note in notes {
            eprintln!("{note}");
        }
        let bank = practice.bank.clone();
        if record.bank.sha256 != bank_sha256(&bank) {
            eprintln!(
                "warning: bank '{}' changed since this session started; questions are matched by id",
                bank.id
            );
        }
        for answer in &record.answers {
            anyhow::ensure!(
                bank.question(&answer.id).is_some(),
                "question '{}' of this session is no longer in bank '{}'",
                answer.id,
                bank.id
            );
        }
        if !record.is_unfinished() {
            eprintln!(
                "Session {} has nothing left to do: every question was answered or skipped.",
                dir.name()
            );
        }
        // The settings are those the command worked out: saved ones, and
        // what was given now.
        record.settings = practice.settings.clone();
        Ok(Self {
            dir,
            record,
            bank,
            live: HashMap::new(),
            embedder: practice.embedder.clone(),
            _lock: lock,
        })
    }

    pub(super) fn question(&self, slot: usize) -> (usize, &Question) {
        let id = &self.record.answers[slot].id;
        self.bank
            .question(id)
            .expect("questions are checked against the bank when the session opens")
    }

    /// Whisper's prompt for the answers to this slot's question.
    pub(super) fn prompt(&self, slot: usize) -> Option<String> {
        prompt(prompt::PRACTICE, Some(self.question(slot).1))
    }

    /// The WAV file name of a take: `NN-<id>.wav`, `NN-<id>-fN.wav`.
    pub(super) fn wav_name(&self, take: Take) -> String {
        let answer = &self.record.answers[take.slot];
        match take.follow_up {
            None => format!("{}.wav", answer.file_stem()),
            Some(n) => format!("{}.wav", answer.follow_up_stem(n)),
        }
    }

    /// A take's recording, transcribed whole from its file.
    pub(super) fn file_job(&self, take: Take) -> Job {
        Job {
            take,
            work: JobWork::File(self.dir.file(&self.wav_name(take))),
            prompt: self.prompt(take.slot),
        }
    }

    /// Recordings a previous run left without a transcript.
    fn leftover_jobs(&self) -> Vec<Job> {
        let mut jobs = Vec::new();
        for (slot, answer) in self.record.answers.iter().enumerate() {
            if answer.needs_transcript() {
                jobs.push(self.file_job(Take {
                    slot,
                    follow_up: None,
                }));
            }
            for (index, follow_up) in answer.follow_ups.iter().enumerate() {
                if follow_up.needs_transcript() {
                    jobs.push(self.file_job(Take {
                        slot,
                        follow_up: Some(index + 1),
                    }));
                }
            }
        }
        jobs
    }

    /// Start transcribing a recording while it is made.
    pub(super) fn start_live(&mut self, take: Take) {
        let prompt = self.prompt(take.slot);
        self.live.insert(take, Live::new(take, prompt));
    }

    /// New samples of a recording under way.
    pub(super) fn hear(&mut self, take: Take, samples: &[f32], queue: &mut TranscribeQueue) {
        if let Some(live) = self.live.get_mut(&take) {
            live.push(samples, queue);
        }
    }

    /// The recording of `take` was thrown away (redo, skip, a failure).
    pub(super) fn drop_live(&mut self, take: Take) {
        self.live.remove(&take);
    }

    /// The recording of `take` ended and is in the record: its last piece
    /// is queued, or, when every piece is back already, it is settled now.
    pub(super) fn end_live(
        &mut self,
        take: Take,
        queue: &mut TranscribeQueue,
    ) -> anyhow::Result<()> {
        let Some(live) = self.live.get_mut(&take) else {
            return Ok(());
        };
        live.end(queue);
        match live.heard() {
            Some(heard) => {
                self.live.remove(&take);
                self.settle(take, heard)
            }
            None => Ok(()),
        }
    }

    /// True once the take's transcript is in (or it has none coming).
    pub(super) fn is_settled(&self, take: Take) -> bool {
        let answer = &self.record.answers[take.slot];
        let status = match take.follow_up {
            None => answer.status,
            Some(n) => answer
                .follow_ups
                .get(n - 1)
                .map_or(AnswerStatus::Skipped, |f| f.status),
        };
        !matches!(status, AnswerStatus::Pending | AnswerStatus::NotAsked)
    }

    /// The first talking point, in the bank's order, that the answer and its
    /// replies so far missed and that no follow-up asked about yet.
    pub(super) fn missed_point(&self, slot: usize) -> Option<String> {
        let answer = &self.record.answers[slot];
        if answer.status != AnswerStatus::Answered {
            return None;
        }
        let metrics = answer.metrics.as_ref()?;
        metrics
            .talking_points
            .iter()
            .filter(|point| !point.covered)
            .map(|point| point.point.clone())
            .find(|point| !answer.follow_ups.iter().any(|f| &f.point == point))
    }

    /// Write `session.json` and `transcript.md`.
    pub(super) fn save(&self) -> anyhow::Result<()> {
        self.dir.save(&self.record).map_err(|err| self.unsaved(err))
    }

    /// Write an answer's files, then the session's.
    pub(super) fn save_answer(&self, slot: usize) -> anyhow::Result<()> {
        self.dir
            .save_answer(&self.record.answers[slot])
            .map_err(|err| self.unsaved(err))?;
        self.save()
    }

    /// A failed save, with what is kept and how to go on: the session stays
    /// resumable from the files already there.
    fn unsaved(&self, err: anyhow::Error) -> anyhow::Error {
        let disk_full = err.chain().any(|cause| {
            cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::StorageFull)
        });
        let kept: Vec<String> = self
            .record
            .answers
            .iter()
            .filter_map(|answer| {
                let wav = answer.wav.as_deref()?;
                let seconds = answer.duration_s.unwrap_or_default();
                Some(format!("{wav} ({})", clock(seconds)))
            })
            .collect();
        let kept = if kept.is_empty() {
            String::new()
        } else {
            format!(
                "\nKept in {}: {}.",
                self.dir.path().display(),
                kept.join(", ")
            )
        };
        let (head, fix) = if disk_full {
            ("the disk is full: ", "Free some space")
        } else {
            ("", "Fix that")
        };
        anyhow::anyhow!(
            "{head}{err:#}{kept}\n{fix}, then run `viva practice --resume {}` to finish the session.",
            self.dir.name()
        )
    }

    /// Take in what the transcription queue finished.
    pub(super) fn apply(&mut self, finished: Finished) -> anyhow::Result<()> {
        match finished {
            Finished::File { take, outcome } => self.settle(take, outcome),
            Finished::Piece {
                take,
                range,
                outcome,
            } => {
                let Some(live) = self.live.get_mut(&take) else {
                    return Ok(());
                };
                live.accept(range, outcome);
                match live.heard() {
                    Some(heard) => {
                        self.live.remove(&take);
                        self.settle(take, heard)
                    }
                    None => Ok(()),
                }
            }
        }
    }

    /// A take's transcript is in: record it with its metrics, fold a
    /// reply's points into its answer, and save.
    fn settle(&mut self, take: Take, outcome: Result<Heard, String>) -> anyhow::Result<()> {
        let slot = take.slot;
        let (_, question) = self.question(slot);
        let question = question.clone();
        let [min, max] = self.bank.target_for(&question);
        let target = match take.follow_up {
            None => [min, max],
            Some(_) => [0, super::record::reply_target_s(max)],
        };
        let outcome = outcome.map(|heard| {
            let metrics = analyse(
                &question,
                target,
                &heard.transcript,
                heard.speech,
                self.embedder.as_deref(),
            );
            (heard.transcript, metrics)
        });
        let answer = &mut self.record.answers[slot];
        // An answer and a reply keep their transcripts in the same fields.
        macro_rules! record_outcome {
            ($record:expr, $name:expr) => {{
                let record = $record;
                match outcome {
                    Ok((transcript, metrics)) => {
                        record.status = if transcript.no_speech {
                            AnswerStatus::NoSpeech
                        } else {
                            AnswerStatus::Answered
                        };
                        record.text = Some(transcript.text);
                        record.segments = transcript.segments;
                        record.repairs = transcript.repairs;
                        record.gaps = transcript.gaps;
                        record.metrics = Some(metrics);
                        record.error = None;
                    }
                    Err(err) => {
                        eprintln!("warning: transcribing {} failed: {err}", $name);
                        record.status = AnswerStatus::Failed;
                        record.error = Some(err);
                    }
                }
            }};
        }
        match take.follow_up {
            None => {
                let name = answer.file_stem();
                record_outcome!(&mut *answer, name);
            }
            Some(n) => {
                let name = answer.follow_up_stem(n);
                let Some(reply) = answer.follow_ups.get_mut(n - 1) else {
                    return Ok(());
                };
                record_outcome!(reply, name);
            }
        }
        answer.fold_replies(&question, self.embedder.as_deref());
        self.save_answer(slot)
    }
}

/// Embed the questions' side of the coverage judge in the background, in
/// the order they will be asked, so that each answer's analysis only embeds
/// the answer (see [`crate::analysis::prepare`]).
fn prepare_questions(session: &Session, slots: &[usize], embedder: Option<Arc<Embedder>>) {
    let Some(embedder) = embedder else { return };
    let questions: Vec<Question> = slots
        .iter()
        .map(|&slot| session.question(slot).1.clone())
        .collect();
    std::thread::spawn(move || {
        for question in &questions {
            prepare(question, &embedder);
        }
    });
}

/// Wait for the queued transcriptions, saying how many are left; Ctrl-C
/// stops waiting (the rest stay `pending` for `--resume`).
async fn wait_for_transcripts(
    session: &mut Session,
    queue: &mut TranscribeQueue,
    interrupts: &mut UnboundedReceiver<()>,
) -> anyhow::Result<()> {
    let total = queue.waiting();
    let started = Instant::now();
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    while queue.waiting() > 0 {
        tokio::select! {
            Some(finished) = queue.next() => session.apply(finished)?,
            Some(()) = interrupts.recv() => break,
            _ = ticker.tick() => {
                if started.elapsed() >= Duration::from_secs(1) {
                    eprintln!(
                        "transcribing: {} of {total} pieces done ({:.0} s)",
                        total - queue.waiting(),
                        started.elapsed().as_secs_f64()
                    );
                }
            }
        }
    }
    Ok(())
}

fn bank_sha256(bank: &Bank) -> String {
    use sha2::{Digest, Sha256};
    let text = toml::to_string(bank).unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))
}
