//! Asking one question and taking its answer: print and speak the question,
//! then record from the microphone (keys, silence, the time limit, Ctrl-C)
//! or copy the answer from an `--answers` file, into the session folder.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

use super::answer_files;
use super::keys::{Key, KeyReader};
use super::record::{AnswerStatus, EndedBy, FollowUpRecord, Settings};
use super::runner::Session;
use super::transcribe_queue::{Take, TranscribeQueue};
use crate::audio::capture::Capture;
use crate::audio::devices::{self, InputDevice};
use crate::audio::meter;
use crate::audio::recorder::{RecordControl, RecordSettings, Recorder, RecordingEnd};
use crate::units::{clock, clock_tenths, round2};
use crate::voice::{Speaker, SpeakerOptions};

/// Where and how one recording from the microphone is made.
struct Mic<'a> {
    device: Arc<InputDevice>,
    wav_path: &'a Path,
    settings: RecordSettings,
}

/// Where answers come from.
pub(super) enum Input {
    Microphone(Arc<InputDevice>),
    Files(PathBuf),
}

impl Input {
    /// The input the settings ask for, checked now: a device that cannot
    /// capture is reported before the first question, not after it.
    pub(super) fn open(settings: &Settings) -> anyhow::Result<Self> {
        if let Some(dir) = &settings.answers_dir {
            anyhow::ensure!(
                dir.is_dir(),
                "--answers {}: no such folder (it should hold N.wav, 0N.wav or <id>.wav per question)",
                dir.display()
            );
            return Ok(Self::Files(dir.clone()));
        }
        let without_mic = |err: &dyn std::fmt::Display| {
            anyhow::anyhow!(
                "{err}\nTo practise without a microphone, answer from WAV files with `--answers DIR` \
                 (and `--no-tts` where there is no speech service); on a machine with no sound card, \
                 `eval \"$(scripts/audio-stack up)\"` in viva's folder gives a virtual microphone; \
                 `viva doctor` checks the setup."
            )
        };
        let device = devices::input_device(settings.input_device.as_deref())
            .map_err(|err| without_mic(&err))?;
        Capture::start(&device)
            .map_err(|err| without_mic(&err))?
            .stop();
        Ok(Self::Microphone(Arc::new(device)))
    }
}

/// How asking one question ended.
pub(super) enum Asked {
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

/// What taking one answer gave.
enum Taken {
    Answer {
        duration_s: f64,
        ended_by: EndedBy,
        then: Asked,
    },
    /// No answer; the reason is warned about when given.
    Skipped(Option<String>),
    /// The recorder could not start; the question stays to be asked.
    Failed(String),
}

/// Asks questions and takes answers.
pub(super) struct Asker {
    /// `None` while a question is being spoken on a worker thread.
    speaker: Option<Speaker>,
    input: Input,
    keys_allowed: bool,
}

impl Asker {
    pub(super) async fn new(input: Input, tts: bool) -> Self {
        Self {
            speaker: Some(open_speaker(tts).await),
            input,
            keys_allowed: std::io::stdin().is_terminal(),
        }
    }

    /// Ask the question of answer `slot` and its follow-ups; `(position,
    /// total)` numbers it within this run.
    pub(super) async fn ask(
        &mut self,
        session: &mut Session,
        slot: usize,
        (position, total): (usize, usize),
        queue: &mut TranscribeQueue,
        interrupts: &mut UnboundedReceiver<()>,
    ) -> anyhow::Result<Asked> {
        let (number, question) = session.question(slot);
        let text = question.text.clone();
        let id = question.id.clone();
        let max_s = session.bank.target_for(question)[1];
        let limit = session
            .record
            .settings
            .time_limit_s
            .map(Duration::from_secs_f64)
            .unwrap_or_else(|| Duration::from_secs(u64::from(max_s)));
        println!("\nQuestion {position}/{total} · #{number} {id}");
        println!("{text}");
        let _ = std::io::stdout().flush();
        if self.speak(&text, interrupts).await {
            return Ok(Asked::Interrupted);
        }
        let take = Take {
            slot,
            follow_up: None,
        };
        let asked = self.take(session, take, limit, queue, interrupts).await?;
        if !matches!(asked, Asked::Next) {
            return Ok(asked);
        }

        // Follow-ups: about the first point still missed, once the
        // transcript (made while the person spoke) is in.
        let reply_limit = limit / 2;
        let mut previous = take;
        for n in 1..=session.record.settings.follow_ups {
            if !self
                .wait_until_settled(session, previous, queue, interrupts)
                .await?
            {
                return Ok(Asked::Interrupted);
            }
            let Some(point) = session.missed_point(slot) else {
                break;
            };
            let (_, question) = session.question(slot);
            let follow_up = question.follow_up(&point);
            session.record.answers[slot]
                .follow_ups
                .push(FollowUpRecord::asked(&point, &follow_up));
            session.save_answer(slot)?;
            println!("\nFollow-up ({point})");
            println!("{follow_up}");
            let _ = std::io::stdout().flush();
            if self.speak(&follow_up, interrupts).await {
                return Ok(Asked::Interrupted);
            }
            let take = Take {
                slot,
                follow_up: Some(n),
            };
            let asked = self
                .take(session, take, reply_limit, queue, interrupts)
                .await?;
            let reply = &session.record.answers[slot].follow_ups[n - 1];
            if !matches!(asked, Asked::Next) || reply.status == AnswerStatus::Skipped {
                return Ok(asked);
            }
            previous = take;
        }
        Ok(Asked::Next)
    }

    /// Take one recording (an answer or a reply) into the session, from the
    /// microphone or a file, and queue its transcription.
    async fn take(
        &mut self,
        session: &mut Session,
        take: Take,
        limit: Duration,
        queue: &mut TranscribeQueue,
        interrupts: &mut UnboundedReceiver<()>,
    ) -> anyhow::Result<Asked> {
        let (number, question) = session.question(take.slot);
        let id = question.id.clone();
        let wav_name = session.wav_name(take);
        let wav_path = session.dir.file(&wav_name);
        let from_file = matches!(self.input, Input::Files(_));
        let taken = match &self.input {
            Input::Files(dir) => take_from_file(dir, number, &id, take.follow_up, &wav_path),
            Input::Microphone(device) => {
                let device = Arc::clone(device);
                let settings = RecordSettings {
                    max_duration: Some(limit),
                    silence_after_speech: Some(Duration::from_secs_f64(
                        session.record.settings.silence_s,
                    )),
                };
                let mic = Mic {
                    device,
                    wav_path: &wav_path,
                    settings,
                };
                self.record_from_mic(mic, take, session, queue, interrupts)
                    .await?
            }
        };
        let mut recorded = None;
        let asked = match taken {
            Taken::Answer {
                duration_s,
                ended_by,
                mut then,
            } => {
                if !from_file {
                    println!("Answer recorded ({}).", clock(duration_s));
                }
                if ended_by == EndedBy::TimeLimit && self.cue_time_up(interrupts).await {
                    then = Asked::Interrupted;
                }
                let status = match ended_by {
                    EndedBy::Interrupted | EndedBy::DiskFull | EndedBy::DeviceLost => {
                        AnswerStatus::Interrupted
                    }
                    _ => AnswerStatus::Pending,
                };
                recorded = Some((status, round2(duration_s), ended_by));
                then
            }
            Taken::Skipped(why) => {
                if let Some(why) = why {
                    eprintln!("warning: {why}; skipped");
                }
                Asked::Next
            }
            Taken::Failed(reason) => Asked::Stopped(format!(
                "error: {reason}\nThe session is saved; `viva practice --resume` asks this question again."
            )),
        };
        let answer = &mut session.record.answers[take.slot];
        match (take.follow_up, recorded) {
            (None, Some((status, duration_s, ended_by))) => {
                answer.status = status;
                answer.wav = Some(wav_name);
                answer.duration_s = Some(duration_s);
                answer.ended_by = Some(ended_by);
            }
            (None, None) if matches!(asked, Asked::Stopped(_)) => {
                answer.status = AnswerStatus::Failed;
            }
            (None, None) => answer.status = AnswerStatus::Skipped,
            (Some(n), recorded) => {
                let reply = &mut answer.follow_ups[n - 1];
                match recorded {
                    Some((status, duration_s, ended_by)) => {
                        reply.status = status;
                        reply.wav = Some(wav_name);
                        reply.duration_s = Some(duration_s);
                        reply.ended_by = Some(ended_by);
                    }
                    None => reply.status = AnswerStatus::Skipped,
                }
            }
        }
        if let Asked::Stopped(reason) = &asked {
            if take.follow_up.is_none() && recorded.is_none() {
                answer.error = Some(reason.clone());
            }
        }
        session.save_answer(take.slot)?;
        if recorded.is_some() && from_file {
            queue.submit(session.file_job(take));
        } else {
            // Recorded from the microphone: its pieces are being transcribed.
            session.end_live(take, queue)?;
        }
        Ok(asked)
    }

    /// Handle the queue (and Ctrl-C) until the take's transcript is in;
    /// false when Ctrl-C came first.
    async fn wait_until_settled(
        &mut self,
        session: &mut Session,
        take: Take,
        queue: &mut TranscribeQueue,
        interrupts: &mut UnboundedReceiver<()>,
    ) -> anyhow::Result<bool> {
        while !session.is_settled(take) {
            tokio::select! {
                Some(finished) = queue.next() => session.apply(finished)?,
                Some(()) = interrupts.recv() => return Ok(false),
                else => break,
            }
        }
        Ok(true)
    }

    /// Speak a text; true when Ctrl-C came first.
    async fn speak(&mut self, text: &str, interrupts: &mut UnboundedReceiver<()>) -> bool {
        let Some(mut speaker) = self.speaker.take() else {
            return false;
        };
        if !speaker.speaks_aloud() {
            self.speaker = Some(speaker);
            return false;
        }
        let text = text.to_string();
        let mut speaking = tokio::task::spawn_blocking(move || {
            speaker.speak_and_wait(&text);
            speaker
        });
        let interrupted = tokio::select! {
            done = &mut speaking => {
                if let Ok(speaker) = done {
                    self.speaker = Some(speaker);
                }
                false
            }
            _ = interrupts.recv() => true,
        };
        if let Some(warning) = self.speaker.as_mut().and_then(Speaker::take_warning) {
            eprintln!("warning: {warning}");
        }
        interrupted
    }

    /// Say "Time's up"; true when Ctrl-C came meanwhile.
    async fn cue_time_up(&mut self, interrupts: &mut UnboundedReceiver<()>) -> bool {
        println!("Time's up.");
        self.speak("Time's up.", interrupts).await
    }

    /// Record one answer from the microphone, handling keys, Ctrl-C and
    /// transcripts that finish meanwhile. `r` records again.
    async fn record_from_mic(
        &mut self,
        mic: Mic<'_>,
        take: Take,
        session: &mut Session,
        queue: &mut TranscribeQueue,
        interrupts: &mut UnboundedReceiver<()>,
    ) -> anyhow::Result<Taken> {
        let Mic {
            device,
            wav_path,
            settings,
        } = mic;
        loop {
            session.start_live(take);
            let (audio_tx, mut audio) = unbounded_channel::<Vec<f32>>();
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
                    // The samples go to the transcription as they come.
                    let recorder =
                        Recorder::start(&device, &path, settings)?.with_tap(move |samples| {
                            let _ = audio_tx.send(samples.to_vec());
                        });
                    recorder.run(&control, |progress| {
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
                    Some(samples) = audio.recv() => session.hear(take, &samples, queue),
                    Some(finished) = queue.next() => session.apply(finished)?,
                }
            };
            while let Ok(samples) = audio.try_recv() {
                session.hear(take, &samples, queue);
            }
            drop(key_reader);
            if draw {
                eprint!("\r\x1b[K");
            }
            let recording = match result.context("the recorder crashed")? {
                Ok(recording) => recording,
                Err(err) => {
                    session.drop_live(take);
                    return Ok(Taken::Failed(err.to_string()));
                }
            };
            if recording.end == RecordingEnd::Discarded {
                session.drop_live(take);
            }
            let duration_s = recording.duration.as_secs_f64();
            let answer = |ended_by: EndedBy, then: Asked| Taken::Answer {
                duration_s,
                ended_by,
                then,
            };
            let saved = |reason: String| {
                format!(
                    "{reason}\nThe answer so far ({}) is saved; continue with `viva practice --resume`.",
                    clock(duration_s)
                )
            };
            return Ok(match (recording.end, pressed) {
                (RecordingEnd::Discarded, Some(Key::Redo)) => {
                    eprintln!("Discarded; answer again.");
                    continue;
                }
                (RecordingEnd::Discarded, _) => Taken::Skipped(None),
                (RecordingEnd::Interrupted, _) => answer(EndedBy::Interrupted, Asked::Interrupted),
                (RecordingEnd::Stopped, Some(Key::Quit)) => answer(EndedBy::Quit, Asked::Quit),
                (RecordingEnd::Stopped, _) => answer(EndedBy::Enter, Asked::Next),
                (RecordingEnd::Silence, _) => answer(EndedBy::Silence, Asked::Next),
                (RecordingEnd::TimeLimit, _) => answer(EndedBy::TimeLimit, Asked::Next),
                (RecordingEnd::DeviceLost(reason), _) => answer(
                    EndedBy::DeviceLost,
                    Asked::Stopped(saved(format!(
                        "error: input device '{}' stopped: {reason}",
                        device.label
                    ))),
                ),
                (RecordingEnd::WriteFailed(reason), _) => answer(
                    EndedBy::DiskFull,
                    Asked::Stopped(saved(format!(
                        "error: cannot write {} ({reason}); recording stopped",
                        wav_path.display()
                    ))),
                ),
            });
        }
    }
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

fn take_from_file(
    dir: &Path,
    number: usize,
    id: &str,
    follow_up: Option<usize>,
    dest: &Path,
) -> Taken {
    let Some(source) = answer_files::find(dir, number, id, follow_up) else {
        let (what, suffix) = match follow_up {
            None => (
                format!("no answer file for question {number}"),
                String::new(),
            ),
            Some(n) => (
                format!("no reply file for follow-up {n} of question {number}"),
                format!("-f{n}"),
            ),
        };
        return Taken::Skipped(Some(format!(
            "{what} in {} (looked for {number}{suffix}.wav, {number:02}{suffix}.wav, {id}{suffix}.wav)",
            dir.display()
        )));
    };
    match answer_files::import(&source, dest) {
        Ok(duration_s) => {
            println!("(from {})", source.display());
            Taken::Answer {
                duration_s,
                ended_by: EndedBy::File,
                then: Asked::Next,
            }
        }
        Err(err) => Taken::Skipped(Some(format!("{err:#}"))),
    }
}

/// Print a line while a meter may be on screen (raw mode needs `\r\n`).
fn print_line(terminal: bool, line: &str) {
    if terminal {
        eprint!("\r\x1b[K{line}\r\n");
    } else {
        eprintln!("{line}");
    }
}
