//! Integration tests: voice.

use crate::util;
