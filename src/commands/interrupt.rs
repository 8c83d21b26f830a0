//! Ctrl-C and SIGTERM, handled one way for every command that must not lose
//! work to them (`practice`, `record`, the model commands): the first signal
//! sets a flag and tells the command's listeners, which stop the work and
//! save what there is; a second one ends the process at once. Either way
//! the exit code is [`crate::error::EXIT_INTERRUPTED`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::error::EXIT_INTERRUPTED;

type Listener = Box<dyn Fn() + Send>;

/// The process's signal watch; see [`watch`].
pub(crate) struct Interrupts {
    flag: Arc<AtomicBool>,
    listeners: Mutex<Vec<Listener>>,
}

/// Start watching for Ctrl-C and SIGTERM (once per process) and return the watch.
pub(crate) fn watch() -> &'static Interrupts {
    static WATCH: OnceLock<&'static Interrupts> = OnceLock::new();
    WATCH.get_or_init(|| {
        let interrupts: &'static Interrupts = Box::leak(Box::new(Interrupts {
            flag: Arc::new(AtomicBool::new(false)),
            listeners: Mutex::new(Vec::new()),
        }));
        match Signals::new([SIGINT, SIGTERM]) {
            // The thread waits for signals; it ends with the process.
            Ok(mut signals) => {
                std::thread::spawn(move || {
                    for _ in signals.forever() {
                        interrupts.raise();
                    }
                });
            }
            Err(err) => {
                eprintln!("warning: Ctrl-C cannot stop the work cleanly here ({err})");
            }
        }
        interrupts
    })
}

impl Interrupts {
    fn raise(&self) {
        if self.flag.swap(true, Ordering::SeqCst) {
            // `_exit`, not `exit`: the atexit handlers and C++ static
            // destructors must not run under work still going on other
            // threads (whisper.cpp's state goes with them).
            signal_hook::low_level::exit(i32::from(EXIT_INTERRUPTED));
        }
        if let Ok(listeners) = self.listeners.lock() {
            for listener in listeners.iter() {
                listener();
            }
        }
    }

    /// The flag the first signal sets (for work that polls).
    pub(crate) fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.flag)
    }

    /// Call `listener` (on the signal thread) when the first signal comes.
    pub(crate) fn on_interrupt(&self, listener: impl Fn() + Send + 'static) {
        if let Ok(mut listeners) = self.listeners.lock() {
            listeners.push(Box::new(listener));
        }
    }

    /// The first signal as an event for async code.
    pub(crate) fn events(&self) -> tokio::sync::mpsc::UnboundedReceiver<()> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        self.on_interrupt(move || {
            let _ = tx.send(());
        });
        rx
    }
}
