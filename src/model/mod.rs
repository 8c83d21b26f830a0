//! Model files: the catalogue of known models, fetching them, the
//! CTranslate2 → ggml converter (mel filters, vocabulary, tensor names),
//! loading a file into whisper.cpp with a clear error, and the
//! sentence-embedding model the analysis runs. No UI here: progress and
//! Ctrl-C reach it through [`job::Job`], which the commands fill in.

pub(crate) mod bert;
pub(crate) mod catalog;
pub(crate) mod ct2;
pub mod embedder;
pub mod error;
pub(crate) mod fetch;
pub(crate) mod fetch_embedder;
pub(crate) mod ggml;
pub(crate) mod import;
pub(crate) mod input;
pub(crate) mod job;
pub(crate) mod load;
pub mod locate;
pub(crate) mod mel;
pub(crate) mod names;
pub(crate) mod vocab;

/// True when `err` says that Ctrl-C stopped model work.
pub(crate) fn is_interrupted(err: &(dyn std::error::Error + 'static)) -> bool {
    err.is::<job::Interrupted>()
        || matches!(
            err.downcast_ref::<fetch::FetchError>(),
            Some(fetch::FetchError::Interrupted(_))
        )
        || matches!(
            err.downcast_ref::<import::ImportError>(),
            Some(import::ImportError::Interrupted(_))
        )
}
