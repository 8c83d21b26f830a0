//! Integration tests: review.

use crate::util;
