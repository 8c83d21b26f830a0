//! viva: a local, private, voice-driven mock interviewer.
//!
//! The library holds every part; `main.rs` only runs the command line. Being a
//! library lets the benchmarks and fuzz targets reach the parts directly.

pub mod analysis;
pub mod audio;
pub mod bank;
pub mod cli;
pub mod commands;
pub mod error;
pub mod fsutil;
pub mod history;
pub mod paths;
pub mod report;
pub mod session;
pub mod stt;
pub mod voice;
