//! A one-line level meter and clock for a recording, redrawn in place on a
//! terminal. Kept apart from the recorder so that `viva practice` can draw
//! its own line (or use [`render`] inside it).

use std::io::{IsTerminal, Stderr, Write};
use std::time::{Duration, Instant};

use super::recorder::Progress;
use crate::units::clock_tenths;

/// Levels below this show an empty bar.
const FLOOR_DBFS: f32 = -60.0;

/// Characters in the bar.
const BAR_WIDTH: usize = 24;

/// Redraw at most this often.
const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// `REC 0:07.4 [########........] -18 dBFS  silence 1.2 s`.
pub(crate) fn render(progress: &Progress) -> String {
    let filled = bar_fill(progress.level_dbfs);
    let bar: String = "#".repeat(filled) + &".".repeat(BAR_WIDTH - filled);
    let level = if progress.level_dbfs <= -119.0 {
        "  -inf dBFS".to_owned()
    } else {
        format!("{:>6.0} dBFS", progress.level_dbfs)
    };
    let state = if !progress.heard_speech {
        "waiting for speech".to_owned()
    } else if progress.silence >= Duration::from_millis(500) {
        format!("silence {:.1} s", progress.silence.as_secs_f64())
    } else {
        "speech".to_owned()
    };
    format!(
        "REC {} [{bar}]{level}  {state}",
        clock_tenths(progress.elapsed)
    )
}

/// How many bar characters a level fills.
fn bar_fill(dbfs: f32) -> usize {
    let fraction = ((dbfs - FLOOR_DBFS) / -FLOOR_DBFS).clamp(0.0, 1.0);
    (fraction * BAR_WIDTH as f32).round() as usize
}

/// Draws the meter on standard error when it is a terminal; does nothing
/// otherwise (a log file gets no carriage-return clutter).
pub(crate) struct TerminalMeter {
    err: Stderr,
    enabled: bool,
    last_draw: Option<Instant>,
}

impl Default for TerminalMeter {
    fn default() -> Self {
        Self::new()
    }
}

impl TerminalMeter {
    pub(crate) fn new() -> Self {
        let err = std::io::stderr();
        let enabled = err.is_terminal();
        TerminalMeter {
            err,
            enabled,
            last_draw: None,
        }
    }

    /// Redraw the line (throttled).
    pub(crate) fn draw(&mut self, progress: &Progress) {
        if !self.enabled || self.last_draw.is_some_and(|at| at.elapsed() < REDRAW_EVERY) {
            return;
        }
        self.last_draw = Some(Instant::now());
        let _ = write!(self.err, "\r{}\x1b[K", render(progress));
        let _ = self.err.flush();
    }

    /// Print a line of its own above the meter (a warning).
    pub(crate) fn note(&mut self, line: &str) {
        self.clear();
        let _ = writeln!(self.err, "{line}");
        self.last_draw = None;
    }

    /// Remove the meter line.
    pub(crate) fn clear(&mut self) {
        if self.enabled && self.last_draw.is_some() {
            let _ = write!(self.err, "\r\x1b[K");
            let _ = self.err.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(elapsed_ms: u64, dbfs: f32, heard: bool, silence_ms: u64) -> Progress {
        Progress {
            elapsed: Duration::from_millis(elapsed_ms),
            level_dbfs: dbfs,
            peak: 0.0,
            heard_speech: heard,
            silence: Duration::from_millis(silence_ms),
            new_warning: None,
        }
    }

    #[test]
    fn the_line_shows_level_and_state() {
        assert_eq!(
            render(&progress(7_400, -120.0, false, 7_400)),
            "REC 0:07.4 [........................]  -inf dBFS  waiting for speech"
        );
        assert_eq!(
            render(&progress(1_000, -30.0, true, 0)),
            "REC 0:01.0 [############............]   -30 dBFS  speech"
        );
        assert_eq!(
            render(&progress(3_000, 0.0, true, 1_200)),
            "REC 0:03.0 [########################]     0 dBFS  silence 1.2 s"
        );
    }
}
