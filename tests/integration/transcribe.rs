//! Integration tests: transcribe.

use crate::util;
