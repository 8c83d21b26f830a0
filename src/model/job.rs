//! Progress and cancellation for the long model work (download, convert),
//! without any UI: the command that starts the work says how progress is
//! shown ([`Progress`]) and hands over the flag that Ctrl-C sets. The work
//! checks the flag between chunks and stops with [`Interrupted`], so the temp
//! file it was writing is removed and no half model is left behind.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The work was stopped by Ctrl-C (or SIGTERM).
#[derive(Debug, thiserror::Error)]
#[error("interrupted: nothing was written")]
pub(crate) struct Interrupted;

/// How a command shows the progress of model work.
pub(crate) trait Progress: Send + Sync {
    /// A new step: a byte count when `total` is known, else a spinner.
    fn start(&self, message: &str, total: Option<u64>);
    /// `bytes` more of the current step are done.
    fn advance(&self, bytes: u64);
    /// The current step is over.
    fn finish(&self);
    /// A status line for the user.
    fn note(&self, line: &str);
}

/// Progress that only prints status lines on stderr.
#[cfg(test)]
pub(crate) struct Quiet;

#[cfg(test)]
impl Progress for Quiet {
    fn start(&self, _message: &str, _total: Option<u64>) {}
    fn advance(&self, _bytes: u64) {}
    fn finish(&self) {}
    fn note(&self, line: &str) {
        eprintln!("{line}");
    }
}

/// Progress display and cancellation for one piece of model work.
pub(crate) struct Job {
    progress: Box<dyn Progress>,
    cancel: Arc<AtomicBool>,
}

impl Job {
    /// Work shown by `progress` and stopped when `cancel` is set.
    pub(crate) fn new(progress: Box<dyn Progress>, cancel: Arc<AtomicBool>) -> Self {
        Self { progress, cancel }
    }

    /// Status lines only, never cancelled.
    #[cfg(test)]
    pub(crate) fn headless() -> Self {
        Self::new(Box::new(Quiet), Arc::new(AtomicBool::new(false)))
    }

    /// `Err(Interrupted)` once Ctrl-C was pressed.
    pub(crate) fn check(&self) -> Result<(), Interrupted> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(Interrupted)
        } else {
            Ok(())
        }
    }

    pub(crate) fn start(&self, message: &str, total: Option<u64>) {
        self.progress.start(message, total);
    }

    pub(crate) fn advance(&self, bytes: u64) {
        self.progress.advance(bytes);
    }

    pub(crate) fn finish(&self) {
        self.progress.finish();
    }

    pub(crate) fn note(&self, line: &str) {
        self.progress.note(line);
    }
}
