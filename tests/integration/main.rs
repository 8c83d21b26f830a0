//! Integration tests: each module runs the built `viva` binary against real
//! files, the real Whisper model and (where noted) the headless audio stack.

mod audio_stack;
mod bank;
mod devices;
mod keys;
mod live;
mod models;
mod practice;
mod resume;
mod review;
mod transcribe;
mod util;
mod voice;
