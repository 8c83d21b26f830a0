//! Progress and Ctrl-C for the long model commands (download, convert).
//!
//! A [`Job`] draws an indicatif bar on stderr (nothing when stderr is not a
//! terminal) and carries a cancel flag that Ctrl-C sets. The work checks the
//! flag between chunks and stops with [`Interrupted`], so the temp file it was
//! writing is removed and no half model is left behind. A second Ctrl-C ends
//! the process at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// The work was stopped by Ctrl-C (or SIGTERM).
#[derive(Debug, thiserror::Error)]
#[error("interrupted: nothing was written")]
pub struct Interrupted;

/// Progress display and cancellation for one command.
pub struct Job {
    bar: ProgressBar,
    cancel: Arc<AtomicBool>,
}

impl Job {
    /// No bar and no signal handling (status lines still go to stderr): for tests and library callers.
    pub fn headless() -> Self {
        Job {
            bar: ProgressBar::hidden(),
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }

    /// A bar on stderr, and Ctrl-C / SIGTERM turned into [`Interrupted`].
    pub fn interactive() -> Self {
        let cancel = Arc::new(AtomicBool::new(false));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // The first signal sets the flag; a second one (flag already set) exits.
            // If registering fails the signal keeps its default (end the process).
            let _ =
                signal_hook::flag::register_conditional_shutdown(signal, 130, Arc::clone(&cancel));
            let _ = signal_hook::flag::register(signal, Arc::clone(&cancel));
        }
        Job {
            bar: ProgressBar::new(0),
            cancel,
        }
    }

    /// `Err(Interrupted)` once Ctrl-C was pressed.
    pub fn check(&self) -> Result<(), Interrupted> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(Interrupted)
        } else {
            Ok(())
        }
    }

    /// Start a byte-counting bar (`total` known) or a spinner.
    pub fn start(&self, message: &str, total: Option<u64>) {
        self.bar.reset();
        match total {
            Some(total) => {
                self.bar.set_length(total);
                self.bar.set_style(
                    ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
            }
            None => {
                self.bar.set_style(
                    ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                self.bar.enable_steady_tick(Duration::from_millis(120));
            }
        }
        self.bar.set_message(message.to_string());
    }

    pub fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    /// Remove the bar from the terminal.
    pub fn finish(&self) {
        self.bar.disable_steady_tick();
        self.bar.finish_and_clear();
    }

    /// Print a status line above the bar (stderr).
    pub fn note(&self, line: &str) {
        if self.bar.is_hidden() {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
    }
}
