//! Reports of sessions: terminal, markdown, HTML.

pub(crate) mod html;
pub(crate) mod summary;
pub(crate) mod terminal;
