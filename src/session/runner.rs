//! The practice session: for each question, ask it (printed, and spoken when
//! speech is on), record the answer (microphone or `--answers` file) into
//! the session folder, queue it for transcription while the next question is
//! asked, and keep `session.json` and `transcript.md` current after every
//! change, so Ctrl-C, a lost device or a crash never costs a saved answer.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

use super::answer_files;
use super::keys::{Key, KeyReader};
use super::record::{
    AnswerRecord, AnswerStatus, BankRef, SessionRecord, SessionStatus, Settings, FORMAT_VERSION,
};
use super::recover;
use super::store::SessionDir;
use super::transcribe_queue::{Finished, Job, TranscribeQueue};
use crate::analysis::analyse;
use crate::audio::capture::Capture;
use crate::audio::devices::{self, InputDevice};
use crate::audio::meter;
use crate::audio::recorder::{self, RecordControl, RecordSettings, RecordingEnd};
use crate::bank::{Bank, Question};
use crate::report::summary;
use crate::stt::transcriber::Transcriber;
use crate::units::{clock, clock_tenths, round2};
use crate::voice::{Speaker, SpeakerOptions};

/// Everything a session needs, validated by the command.
pub(crate) struct Practice {
    pub(crate) bank: Bank,
    /// What `--bank` named.
    pub(crate) bank_source: String,
    pub(crate) settings: Settings,
    pub(crate) model_path: PathBuf,
    pub(crate) sessions_dir: PathBuf,
}

/// A new session with these questions (bank numbers), or an old one resumed.
pub(crate) enum Start {
    New(Vec<usize>),
    Resume(SessionDir),
}

/// Where answers come from.
enum Input {
    Microphone(Arc<InputDevice>),
    Files(PathBuf),
}

/// How asking one question ended.
enum Asked {
    /// Go on with the next question.
    Next,
    /// `q`: end the session, keep everything.
    Quit,
    /// Ctrl-C: save and leave now.
    Interrupted,
    /// The input failed; the session stops with what it has.
    Stopped(String),
}

const KEY_HINT: &str = "Enter done · s skip · r redo · q quit";

/// Run a session to its end; prints the summary and the folder's path last.
/// `interrupts` delivers Ctrl-C (and SIGTERM): the answer being recorded is
/// kept, everything is saved and the session ends.
pub(crate) async fn run(
    practice: Practice,
    start: Start,
    mut interrupts: UnboundedReceiver<()>,
) -> anyhow::Result<ExitCode> {
    let model_path = practice.model_path.clone();
    let transcriber = tokio::task::spawn_blocking(move || Transcriber::load(&model_path))
        .await
        .context("loading the model crashed")??;
    let input = open_input(&practice.settings)?;
    let speaker = open_speaker(practice.settings.tts).await;

    let mut session = match start {
        Start::New(numbers) => Session::create(&practice, &numbers)?,
        Start::Resume(dir) => Session::resume(&practice, dir)?,
    };
    recover::claim(&session.dir)?;
    eprintln!("Session folder: {}", session.dir.path().display());
    let mut queue = TranscribeQueue::start(Arc::new(transcriber));
    for slot in session.slots_to_transcribe() {
        queue.submit(session.job(slot));
    }
    session.record.status = SessionStatus::InProgress;
    session.record.ended_at = None;
    session.save()?;

    let mut asker = Asker {
        speaker,
        input,
        keys_allowed: std::io::stdin().is_terminal(),
    };
    let to_ask = session.slots_to_ask();
    let total = to_ask.len();
    let mut outcome = Asked::Next;
    for (position, slot) in to_ask.into_iter().enumerate() {
        outcome = asker
            .ask(
                &mut session,
                slot,
                position + 1,
                total,
                &mut queue,
                &mut interrupts,
            )
            .await?;
        if !matches!(outcome, Asked::Next) {
            break;
        }
    }
    let last_answer_at = Instant::now();

    session.record.status = match &outcome {
        Asked::Next => SessionStatus::Finished,
        Asked::Quit => SessionStatus::Quit,
        Asked::Interrupted | Asked::Stopped(_) => SessionStatus::Interrupted,
    };
    if let Asked::Stopped(reason) = &outcome {
        eprintln!("{reason}");
    }
    if !matches!(outcome, Asked::Interrupted) {
        wait_for_transcripts(&mut session, &mut queue, &mut interrupts).await?;
        if queue.waiting() == 0 {
            eprintln!(
                "All transcripts ready {:.1} s after the last answer.",
                last_answer_at.elapsed().as_secs_f64()
            );
        }
    }
    if queue.waiting() > 0 {
        session.record.status = SessionStatus::Interrupted;
    }
    session.record.ended_at = Some(now_rfc3339());
    session.save()?;
    recover::release(&session.dir);

    print!("{}", summary::table(&session.record));
    if session.record.status == SessionStatus::Interrupted {
        println!("Interrupted: continue with `viva practice --resume`.");
    }
    println!("{}", session.dir.path().display());
    Ok(match outcome {
        Asked::Interrupted => ExitCode::from(crate::error::EXIT_INTERRUPTED),
        Asked::Stopped(_) => ExitCode::FAILURE,
        _ => ExitCode::SUCCESS,
    })
}

fn open_input(settings: &Settings) -> anyhow::Result<Input> {
    if let Some(dir) = &settings.answers_dir {
        anyhow::ensure!(
            dir.is_dir(),
            "--answers {}: no such folder (it should hold N.wav, 0N.wav or <id>.wav per question)",
            dir.display()
        );
        return Ok(Input::Files(dir.clone()));
    }
    let without_mic = |err: &dyn std::fmt::Display| {
        anyhow::anyhow!(
            "{err}\nTo practise without a microphone, answer from WAV files with `--answers DIR` \
             (and `--no-tts` where there is no speech service); `viva doctor` checks the setup."
        )
    };
    let device =
        devices::input_device(settings.input_device.as_deref()).map_err(|err| without_mic(&err))?;
    // Open it once now, so a device that cannot capture is reported before
    // the session starts rather than after the first question.
    Capture::start(&device)
        .map_err(|err| without_mic(&err))?
        .stop();
    Ok(Input::Microphone(Arc::new(device)))
}

async fn open_speaker(tts: bool) -> Speaker {
    if !tts {
        return Speaker::print_only();
    }
    let mut speaker = tokio::task::spawn_blocking(|| Speaker::new(&SpeakerOptions::default()))
        .await
        .unwrap_or_else(|_| Speaker::print_only());
    if let Some(warning) = speaker.take_warning() {
        eprintln!("warning: {warning}");
    }
    speaker
}

/// The session being run: its folder, its record and its bank.
struct Session {
    dir: SessionDir,
    record: SessionRecord,
    bank: Bank,
}

impl Session {
    fn create(practice: &Practice, numbers: &[usize]) -> anyhow::Result<Self> {
        let bank = practice.bank.clone();
        let answers = numbers
            .iter()
            .map(|&number| AnswerRecord::not_asked(number, &bank.questions[number - 1]))
            .collect();
        let stamp = jiff::Zoned::now().strftime("%Y-%m-%d_%H%M%S").to_string();
        let dir = SessionDir::create(&practice.sessions_dir, &stamp, &bank.id)?;
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
            started_at: now_rfc3339(),
            ended_at: None,
            status: SessionStatus::InProgress,
            answers,
        };
        Ok(Self { dir, record, bank })
    }

    fn resume(practice: &Practice, dir: SessionDir) -> anyhow::Result<Self> {
        anyhow::ensure!(
            !recover::is_running_elsewhere(&dir),
            "session {} is being run by another viva right now",
            dir.name()
        );
        let mut record = dir.load()?;
        for note in recover::recover(&dir, &mut record) {
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
        Ok(Self { dir, record, bank })
    }

    fn question(&self, slot: usize) -> (usize, &Question) {
        let id = &self.record.answers[slot].id;
        self.bank
            .question(id)
            .expect("questions are checked against the bank when the session opens")
    }

    /// Answers still to ask, in order.
    fn slots_to_ask(&self) -> Vec<usize> {
        (0..self.record.answers.len())
            .filter(|&slot| self.record.answers[slot].status == AnswerStatus::NotAsked)
            .collect()
    }

    /// Recorded answers left without a transcript (a resumed session).
    fn slots_to_transcribe(&self) -> Vec<usize> {
        (0..self.record.answers.len())
            .filter(|&slot| {
                let answer = &self.record.answers[slot];
                matches!(
                    answer.status,
                    AnswerStatus::Pending | AnswerStatus::Interrupted | AnswerStatus::Failed
                ) && answer.wav.is_some()
            })
            .collect()
    }

    fn job(&self, slot: usize) -> Job {
        let answer = &self.record.answers[slot];
        let (_, question) = self.question(slot);
        Job {
            slot,
            wav: self.dir.file(answer.wav.as_deref().unwrap_or_default()),
            prompt: whisper_prompt(question),
        }
    }

    /// Write `session.json` and `transcript.md`.
    fn save(&self) -> anyhow::Result<()> {
        self.dir.save(&self.record)
    }

    fn save_answer(&self, slot: usize) -> anyhow::Result<()> {
        self.dir.save_answer(&self.record.answers[slot])?;
        self.save()
    }

    /// Put a finished transcription into the record and save it.
    fn apply(&mut self, finished: Finished) -> anyhow::Result<()> {
        let slot = finished.slot;
        let (_, question) = self.question(slot);
        let target = self.bank.target_for(question);
        let update = match finished.outcome {
            Ok(heard) => {
                let metrics = analyse(question, target, &heard.transcript, heard.speech);
                Ok((heard.transcript, metrics))
            }
            Err(err) => Err(err),
        };
        let answer = &mut self.record.answers[slot];
        match update {
            Ok((transcript, metrics)) => {
                answer.status = if transcript.no_speech {
                    AnswerStatus::NoSpeech
                } else {
                    AnswerStatus::Answered
                };
                answer.text = Some(transcript.text);
                answer.segments = transcript.segments;
                answer.metrics = Some(metrics);
                answer.error = None;
            }
            Err(err) => {
                eprintln!("warning: transcribing {} failed: {err}", answer.file_stem());
                answer.status = AnswerStatus::Failed;
                answer.error = Some(err);
            }
        }
        self.save_answer(slot)
    }
}

/// Asks questions and takes answers.
struct Asker {
    speaker: Speaker,
    input: Input,
    keys_allowed: bool,
}

impl Asker {
    async fn ask(
        &mut self,
        session: &mut Session,
        slot: usize,
        position: usize,
        total: usize,
        queue: &mut TranscribeQueue,
        interrupts: &mut UnboundedReceiver<()>,
    ) -> anyhow::Result<Asked> {
        let (number, question) = session.question(slot);
        let text = question.text.clone();
        let limit = session
            .record
            .settings
            .time_limit_s
            .map(Duration::from_secs_f64)
            .unwrap_or_else(|| {
                Duration::from_secs(u64::from(session.bank.target_for(question)[1]))
            });
        println!("\nQuestion {position}/{total} · #{number} {}", question.id);
        println!("{text}");
        let _ = std::io::stdout().flush();
        if self.speak(&text, interrupts).await {
            return Ok(Asked::Interrupted);
        }

        let wav_name = format!("{}.wav", session.record.answers[slot].file_stem());
        let wav_path = session.dir.file(&wav_name);
        let taken = match &self.input {
            Input::Files(dir) => take_from_file(dir, number, &question.id, &wav_path),
            Input::Microphone(device) => {
                let device = Arc::clone(device);
                let settings = RecordSettings {
                    max_duration: Some(limit),
                    silence_after_speech: Some(Duration::from_secs_f64(
                        session.record.settings.silence_s,
                    )),
                };
                self.record_from_mic(device, &wav_path, settings, session, queue, interrupts)
                    .await?
            }
        };

        let answer = &mut session.record.answers[slot];
        let asked = match taken {
            Taken::Answer {
                duration_s,
                ended_by,
                then,
            } => {
                answer.status = if matches!(then, Asked::Interrupted) {
                    AnswerStatus::Interrupted
                } else {
                    AnswerStatus::Pending
                };
                answer.wav = Some(wav_name);
                answer.duration_s = Some(round2(duration_s));
                answer.ended_by = Some(ended_by.to_string());
                if ended_by == "time_limit" {
                    self.cue_time_up(interrupts).await;
                }
                then
            }
            Taken::Skipped(why) => {
                if let Some(why) = why {
                    eprintln!("warning: {why}; question skipped");
                }
                answer.status = AnswerStatus::Skipped;
                Asked::Next
            }
            Taken::Failed(reason) => {
                answer.status = AnswerStatus::Failed;
                answer.error = Some(reason.clone());
                Asked::Stopped(format!(
                    "error: {reason}\nThe session is saved; continue with `viva practice --resume`."
                ))
            }
        };
        session.save_answer(slot)?;
        if session.record.answers[slot].status == AnswerStatus::Pending {
            queue.submit(session.job(slot));
        }
        Ok(asked)
    }

    /// Speak a text; true when Ctrl-C came first.
    async fn speak(&mut self, text: &str, interrupts: &mut UnboundedReceiver<()>) -> bool {
        if !self.speaker.speaks_aloud() {
            return false;
        }
        let mut speaker = std::mem::replace(&mut self.speaker, Speaker::print_only());
        let text = text.to_string();
        let mut speaking = tokio::task::spawn_blocking(move || {
            speaker.speak_and_wait(&text);
            speaker
        });
        tokio::select! {
            done = &mut speaking => {
                if let Ok(mut speaker) = done {
                    if let Some(warning) = speaker.take_warning() {
                        eprintln!("warning: {warning}");
                    }
                    self.speaker = speaker;
                }
                false
            }
            _ = interrupts.recv() => true,
        }
    }

    async fn cue_time_up(&mut self, interrupts: &mut UnboundedReceiver<()>) {
        println!("Time's up.");
        self.speak("Time's up.", interrupts).await;
    }

    /// Record one answer from the microphone, handling keys, Ctrl-C and
    /// transcripts that finish meanwhile. `r` records again.
    async fn record_from_mic(
        &mut self,
        device: Arc<InputDevice>,
        wav_path: &std::path::Path,
        settings: RecordSettings,
        session: &mut Session,
        queue: &mut TranscribeQueue,
        interrupts: &mut UnboundedReceiver<()>,
    ) -> anyhow::Result<Taken> {
        loop {
            let (key_tx, mut keys) = unbounded_channel();
            let key_reader = if self.keys_allowed {
                KeyReader::start(key_tx).ok()
            } else {
                drop(key_tx);
                None
            };
            let draw = key_reader.is_some() && std::io::stderr().is_terminal();
            print_line(
                draw,
                &match (&key_reader, settings.max_duration) {
                    (Some(_), _) => format!("Recording: speak now ({KEY_HINT})"),
                    (None, Some(limit)) => format!(
                        "Recording: speak now (ends after {:.1} s of silence, or at {})",
                        settings
                            .silence_after_speech
                            .unwrap_or_default()
                            .as_secs_f64(),
                        clock(limit.as_secs_f64())
                    ),
                    (None, None) => "Recording: speak now".to_string(),
                },
            );
            let control = RecordControl::new();
            let task = {
                let control = control.clone();
                let device = Arc::clone(&device);
                let path = wav_path.to_path_buf();
                let limit = settings.max_duration;
                let settings = settings.clone();
                tokio::task::spawn_blocking(move || {
                    let label = device.label.clone();
                    recorder::record(&device, &path, &settings, &control, |progress| {
                        if let Some(warning) = progress.new_warning {
                            print_line(draw, &format!("warning: {}", warning.message(&label)));
                        }
                        if draw {
                            let limit = limit.map(clock_tenths).unwrap_or_default();
                            eprint!("\r{} / {limit}  {KEY_HINT}\x1b[K", meter::render(progress));
                        }
                    })
                })
            };
            tokio::pin!(task);
            let mut pressed = None;
            let result = loop {
                tokio::select! {
                    result = &mut task => break result,
                    Some(key) = keys.recv(), if pressed.is_none() => {
                        pressed = Some(key);
                        match key {
                            Key::Done | Key::Quit => control.stop(),
                            Key::Skip | Key::Redo => control.discard(),
                            Key::Interrupt => control.interrupt(),
                        }
                    }
                    Some(()) = interrupts.recv() => {
                        pressed = Some(Key::Interrupt);
                        control.interrupt();
                    }
                    Some(finished) = queue.next() => session.apply(finished)?,
                }
            };
            drop(key_reader);
            if draw {
                eprint!("\r\x1b[K");
            }
            let recording = match result.context("the recorder crashed")? {
                Ok(recording) => recording,
                Err(err) => return Ok(Taken::Failed(err.to_string())),
            };
            let duration_s = recording.duration.as_secs_f64();
            let answer = |ended_by: &'static str, then: Asked| Taken::Answer {
                duration_s,
                ended_by,
                then,
            };
            return Ok(match (recording.end, pressed) {
                (RecordingEnd::Discarded, Some(Key::Redo)) => {
                    eprintln!("Discarded; answer again.");
                    continue;
                }
                (RecordingEnd::Discarded, _) => Taken::Skipped(None),
                (RecordingEnd::Interrupted, _) => answer("interrupted", Asked::Interrupted),
                (RecordingEnd::Stopped, Some(Key::Quit)) => answer("quit", Asked::Quit),
                (RecordingEnd::Stopped, _) => answer("enter", Asked::Next),
                (RecordingEnd::Silence, _) => answer("silence", Asked::Next),
                (RecordingEnd::TimeLimit, _) => answer("time_limit", Asked::Next),
                (RecordingEnd::DeviceLost(reason), _) => answer(
                    "device_lost",
                    Asked::Stopped(format!(
                        "error: input device '{}' stopped: {reason}\nThe answer so far is saved; \
                         continue with `viva practice --resume`.",
                        device.label
                    )),
                ),
            });
        }
    }
}

/// What taking one answer gave.
enum Taken {
    Answer {
        duration_s: f64,
        ended_by: &'static str,
        then: Asked,
    },
    /// No answer; the reason is warned about when given.
    Skipped(Option<String>),
    Failed(String),
}

fn take_from_file(dir: &std::path::Path, number: usize, id: &str, dest: &std::path::Path) -> Taken {
    let Some(source) = answer_files::find(dir, number, id) else {
        return Taken::Skipped(Some(format!(
            "no answer file for question {number} in {} (looked for {number}.wav, {number:02}.wav, {id}.wav)",
            dir.display()
        )));
    };
    match answer_files::import(&source, dest) {
        Ok(duration_s) => {
            println!("(answer from {})", source.display());
            Taken::Answer {
                duration_s,
                ended_by: "file",
                then: Asked::Next,
            }
        }
        Err(err) => Taken::Skipped(Some(format!("{err:#}"))),
    }
}

/// Wait for the queued transcriptions, showing progress; Ctrl-C stops
/// waiting (the rest stay `pending` for `--resume`).
async fn wait_for_transcripts(
    session: &mut Session,
    queue: &mut TranscribeQueue,
    interrupts: &mut UnboundedReceiver<()>,
) -> anyhow::Result<()> {
    let waiting = queue.waiting();
    if waiting == 0 {
        return Ok(());
    }
    let bar = indicatif::ProgressBar::new(waiting as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} transcribing answers {pos}/{len} {elapsed}",
        )
        .expect("the template is valid"),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    while queue.waiting() > 0 {
        tokio::select! {
            Some(finished) = queue.next() => {
                session.apply(finished)?;
                bar.inc(1);
            }
            Some(()) = interrupts.recv() => break,
        }
    }
    bar.finish_and_clear();
    Ok(())
}

/// The initial prompt for Whisper: the question's talking points and jargon,
/// so terms like "ArgoCD" or "IRSA" come out spelled right.
pub(crate) fn whisper_prompt(question: &Question) -> Option<String> {
    let mut terms: Vec<String> = question.talking_points.clone();
    for (term, forms) in &question.aliases {
        terms.push(term.clone());
        terms.extend(forms.iter().cloned());
    }
    terms.retain(|term| !term.trim().is_empty());
    (!terms.is_empty()).then(|| terms.join(", "))
}

/// Print a line while a meter may be on screen (raw mode needs `\r\n`).
fn print_line(terminal: bool, line: &str) {
    if terminal {
        eprint!("\r\x1b[K{line}\r\n");
    } else {
        eprintln!("{line}");
    }
}

fn bank_sha256(bank: &Bank) -> String {
    use sha2::{Digest, Sha256};
    let text = toml::to_string(bank).unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn now_rfc3339() -> String {
    jiff::Zoned::now()
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_holds_points_and_aliases() {
        let mut question = Question {
            id: "secrets".into(),
            text: "How?".into(),
            guidance: String::new(),
            talking_points: vec!["tools".into(), "rotation strategy".into()],
            aliases: Default::default(),
            target_s: None,
            sample_answer: String::new(),
        };
        question
            .aliases
            .insert("IRSA".into(), vec!["IAM roles for service accounts".into()]);
        assert_eq!(
            whisper_prompt(&question).as_deref(),
            Some("tools, rotation strategy, IRSA, IAM roles for service accounts")
        );
        question.talking_points.clear();
        question.aliases.clear();
        assert_eq!(whisper_prompt(&question), None);
    }
}
