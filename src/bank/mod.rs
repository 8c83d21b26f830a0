//! Question banks: the types, loading and validation, and import of the
//! seed's page format.

mod types;

pub use types::{Bank, Question};
