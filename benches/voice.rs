//! How quickly speech starts and how soon its end is known, on the headless
//! audio stack (`scripts/audio-stack`, started here if it is not up):
//!
//! - `Speaker::speak_and_wait`: from the call to the first audio on
//!   `speaker.monitor`, to the start notice, and from the last audio to the
//!   end notice (what `viva practice` waits for before recording);
//! - `viva say` as a process: from spawning it to the first audio, and from
//!   the last audio to the process exit.
//!
//! The speaker's monitor is captured in this process with viva's own
//! capture, polled every 5 ms; a sample's time is when it arrived (so audio
//! times include the server's ~20 ms of monitor latency).
//!
//!   cargo bench --bench voice            (5 rounds each)
//!   VIVA_BENCH_ROUNDS=10 cargo bench --bench voice

mod common;

use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use viva::audio::capture::Capture;
use viva::audio::devices;
use viva::audio::level;
use viva::voice::{Delivery, Speaker, SpeakerOptions};

const TEXT: &str = "How would you roll back a failed deployment on Kubernetes?";

fn main() {
    common::start_stack();
    let rounds: usize = std::env::var("VIVA_BENCH_ROUNDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(5);

    let mut speaker = Speaker::new(&SpeakerOptions::default());
    if let Some(warning) = speaker.take_warning() {
        panic!("speech is not available on the stack: {warning}");
    }
    let mut library = Rows::default();
    let mut process = Rows::default();
    for _ in 0..rounds {
        let (speak, timing) = heard_while(|| speaker.speak_and_wait(TEXT));
        let Delivery::Spoken(timing) = timing else {
            panic!("the text was printed, not spoken");
        };
        library.push([
            speak.first_audio,
            timing
                .started
                .map_or(f64::NAN, |at| at.as_secs_f64() * 1000.0),
            timing.ended.as_secs_f64() * 1000.0 - speak.last_audio,
        ]);

        let (say, ()) = heard_while(|| {
            let status = Command::new(env!("CARGO_BIN_EXE_viva"))
                .args(["say", TEXT])
                .stdin(Stdio::null())
                .status()
                .expect("cannot run viva");
            assert!(status.success());
        });
        process.push([say.first_audio, f64::NAN, say.returned - say.last_audio]);
    }
    println!(
        "voice bench, {rounds} rounds, text of {} characters (median, ms):",
        TEXT.len()
    );
    println!(
        "  Speaker::speak_and_wait: call → first audio {:.0}, call → start notice {:.0}, \
         last audio → end notice {:.0}",
        library.median(0),
        library.median(1),
        library.median(2)
    );
    println!(
        "  viva say (process):      spawn → first audio {:.0}, last audio → exit {:.0}",
        process.median(0),
        process.median(2)
    );
}

/// When audio was heard on the speaker, in ms from the start of `action`.
struct Heard {
    first_audio: f64,
    last_audio: f64,
    /// When `action` returned.
    returned: f64,
}

/// Capture `speaker.monitor` while `action` runs (and 600 ms after).
fn heard_while<T: Send>(action: impl FnOnce() -> T + Send) -> (Heard, T) {
    let device = devices::input_device(Some("speaker.monitor")).expect("no speaker.monitor");
    let mut capture = Capture::start(&device).expect("cannot capture speaker.monitor");
    let format = capture.format();
    assert_eq!((format.rate, format.channels), (16_000, 1));
    let mut samples = Vec::new();
    // (arrival time, samples received by then)
    let mut arrivals = Vec::new();
    let poll = |capture: &mut Capture, samples: &mut Vec<f32>, arrivals: &mut Vec<_>| {
        if capture.read_into(samples) > 0 {
            arrivals.push((Instant::now(), samples.len()));
        }
    };
    // Let the stream settle, then start from an empty buffer.
    thread::sleep(Duration::from_millis(300));
    poll(&mut capture, &mut samples, &mut arrivals);
    let skip = samples.len();

    let started = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    let (result, returned) = thread::scope(|scope| {
        let worker = scope.spawn(move || {
            let result = action();
            let _ = tx.send(Instant::now());
            result
        });
        let mut returned = None;
        loop {
            poll(&mut capture, &mut samples, &mut arrivals);
            if returned.is_none() {
                returned = rx.try_recv().ok();
            }
            if returned.is_some_and(|at: Instant| at.elapsed() >= Duration::from_millis(600)) {
                break;
            }
            thread::sleep(Duration::from_millis(5));
        }
        (worker.join().expect("the action panicked"), returned)
    });
    capture.stop();

    let audio = &samples[skip..];
    let span = level::speech_span(audio, 16_000).expect("nothing was heard on speaker.monitor");
    let time_of = |seconds: f64| {
        let index = skip + (seconds * 16_000.0) as usize;
        let (at, _) = arrivals
            .iter()
            .find(|(_, received)| *received > index)
            .expect("a sample that never arrived");
        at.duration_since(started).as_secs_f64() * 1000.0
    };
    let heard = Heard {
        first_audio: time_of(span.first_s),
        last_audio: time_of(span.last_s - 0.001),
        returned: returned.map_or(f64::NAN, |at| {
            at.duration_since(started).as_secs_f64() * 1000.0
        }),
    };
    (heard, result)
}

/// Rows of three figures, for medians.
#[derive(Default)]
struct Rows(Vec<[f64; 3]>);

impl Rows {
    fn push(&mut self, row: [f64; 3]) {
        self.0.push(row);
    }

    fn median(&self, column: usize) -> f64 {
        let mut values: Vec<f64> = self.0.iter().map(|row| row[column]).collect();
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
    }
}
