//! The sentence-embedding model for the commands that analyse answers
//! (`practice`, `review --recompute`): loaded once per process, and when it
//! is missing or broken, one line saying so and how to fix it, then the
//! talking points are judged by words only.

use std::sync::Arc;

use crate::model::embedder::{Embedder, EmbedderError};
use crate::model::locate::embedder_dir;

/// The model, or `None` after a one-line note on stderr.
pub(crate) fn load_or_note() -> Option<Arc<Embedder>> {
    match Embedder::load(&embedder_dir()) {
        Ok(embedder) => Some(Arc::new(embedder)),
        Err(err) => {
            eprintln!(
                "note: talking points are judged by words only: {}",
                short(&err)
            );
            None
        }
    }
}

fn short(err: &EmbedderError) -> String {
    match err {
        EmbedderError::Missing { .. } => {
            "the embedding model is missing (run `viva model fetch`)".to_string()
        }
        other => other.to_string(),
    }
}
