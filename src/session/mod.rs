//! Practice sessions: which questions to ask, the runner, and the session
//! folder store.

pub(crate) mod answer_files;
mod asker;
pub(crate) mod keys;
mod live;
pub(crate) mod plan;
pub(crate) mod record;
pub(crate) mod recover;
pub(crate) mod runner;
pub(crate) mod store;
pub(crate) mod transcribe_queue;
pub(crate) mod transcript_md;
