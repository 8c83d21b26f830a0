//! The progress bar of the long model commands, drawn on stderr with
//! indicatif (nothing is drawn when stderr is not a terminal).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::model::job::Progress;

/// An indicatif bar for [`crate::model::job::Job`].
pub(crate) struct Bar(ProgressBar);

impl Bar {
    pub(crate) fn new() -> Self {
        Self(ProgressBar::new(0))
    }
}

impl Progress for Bar {
    fn start(&self, message: &str, total: Option<u64>) {
        let bar = &self.0;
        bar.reset();
        match total {
            Some(total) => {
                bar.set_length(total);
                bar.set_style(
                    ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
            }
            None => {
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.enable_steady_tick(Duration::from_millis(120));
            }
        }
        bar.set_message(message.to_string());
    }

    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }

    fn finish(&self) {
        self.0.disable_steady_tick();
        self.0.finish_and_clear();
    }

    fn note(&self, line: &str) {
        if self.0.is_hidden() {
            eprintln!("{line}");
        } else {
            self.0.println(line);
        }
    }
}
