//! Practice sessions: the runner and the session folder store.
