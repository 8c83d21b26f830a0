//! Integration tests: each module runs the built `viva` binary against real
//! files, the real Whisper model and (where noted) the headless audio stack.

mod audio_stack;
mod bank;
mod devices;
mod follow_ups;
mod keys;
mod live;
mod models;
mod practice;
mod resume;
mod review;
mod transcribe;
mod transcripts;
mod util;
mod voice;
