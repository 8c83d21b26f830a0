//! Integration tests: each module runs the built `viva` binary against real
//! files, the real Whisper model and (where noted) the headless audio stack.

mod audio_stack;
mod bank;
mod models;
mod practice;
mod review;
mod transcribe;
mod util;
mod voice;
