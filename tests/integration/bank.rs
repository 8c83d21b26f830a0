//! Integration tests: bank.

use crate::util;
