//! Integration tests: practice.

use crate::util;
