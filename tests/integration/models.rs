//! Integration tests: models.

use crate::util;
