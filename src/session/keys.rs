//! Single keys during an answer (Enter = done, `s` skip, `r` redo, `q` quit)
//! when standard input is a terminal. The terminal is in raw mode only while
//! a reader runs, so Ctrl-C arrives as a key and is passed on as
//! [`Key::Interrupt`]; dropping the reader always restores the terminal.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use tokio::sync::mpsc::UnboundedSender;

/// What a key asks for during an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    /// Enter: the answer is done.
    Done,
    /// `s`: skip this question.
    Skip,
    /// `r`: discard the recording and answer again.
    Redo,
    /// `q`: end the session here and save.
    Quit,
    /// Ctrl-C (raw mode turns it into a key).
    Interrupt,
}

/// The key a terminal event stands for, if any.
fn key_for(code: KeyCode, modifiers: KeyModifiers) -> Option<Key> {
    match code {
        KeyCode::Char('c') | KeyCode::Char('C') if modifiers.contains(KeyModifiers::CONTROL) => {
            Some(Key::Interrupt)
        }
        KeyCode::Enter => Some(Key::Done),
        KeyCode::Char('s') | KeyCode::Char('S') => Some(Key::Skip),
        KeyCode::Char('r') | KeyCode::Char('R') => Some(Key::Redo),
        KeyCode::Char('q') | KeyCode::Char('Q') => Some(Key::Quit),
        _ => None,
    }
}

/// Reads keys on its own thread while it lives.
pub(crate) struct KeyReader {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl KeyReader {
    /// Put the terminal in raw mode and send keys to `keys`.
    pub(crate) fn start(keys: UnboundedSender<Key>) -> std::io::Result<Self> {
        crossterm::terminal::enable_raw_mode()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !stop_flag.load(Ordering::Acquire) {
                // Poll with a timeout so the thread notices `stop` quickly.
                match event::poll(Duration::from_millis(50)) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(_) => break,
                }
                let Ok(Event::Key(key)) = event::read() else {
                    continue;
                };
                if key.kind == KeyEventKind::Release {
                    continue;
                }
                if let Some(key) = key_for(key.code, key.modifiers) {
                    if keys.send(key).is_err() {
                        break;
                    }
                }
            }
        });
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for KeyReader {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_actions() {
        let none = KeyModifiers::NONE;
        assert_eq!(key_for(KeyCode::Enter, none), Some(Key::Done));
        assert_eq!(key_for(KeyCode::Char('s'), none), Some(Key::Skip));
        assert_eq!(key_for(KeyCode::Char('R'), none), Some(Key::Redo));
        assert_eq!(key_for(KeyCode::Char('q'), none), Some(Key::Quit));
        assert_eq!(
            key_for(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(Key::Interrupt)
        );
        assert_eq!(key_for(KeyCode::Char('c'), none), None);
        assert_eq!(key_for(KeyCode::Char('x'), none), None);
    }
}
