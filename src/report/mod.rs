//! Reports of sessions: terminal, markdown, HTML.
