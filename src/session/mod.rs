//! Practice sessions: which questions to ask, the runner, and the session
//! folder store.

pub mod answer_files;
pub mod keys;
pub mod plan;
pub mod record;
pub mod recover;
pub mod runner;
pub mod store;
pub mod transcribe_queue;
