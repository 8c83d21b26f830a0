//! Reports of sessions: terminal, markdown, HTML.

pub mod html;
pub mod markdown;
pub mod summary;
pub mod terminal;
