//! How viva writes times and rounds numbers, in one place: clocks for people
//! (`1:05`, `1:05.3`) and rounding for the JSON it saves.

use std::time::Duration;

/// Seconds as `m:ss`, rounded to the second.
pub(crate) fn clock(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    format!("{}:{:02}", total / 60, total % 60)
}

/// A duration as `m:ss.t`, cut to the tenth (a running meter).
pub(crate) fn clock_tenths(elapsed: Duration) -> String {
    let tenths = elapsed.as_millis() / 100;
    format!("{}:{:02}.{}", tenths / 600, tenths / 10 % 60, tenths % 10)
}

/// Rounded to hundredths: seconds in saved JSON stay readable.
pub(crate) fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Rounded to tenths (words per minute).
pub(crate) fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks() {
        assert_eq!(clock(0.0), "0:00");
        assert_eq!(clock(59.6), "1:00");
        assert_eq!(clock(125.0), "2:05");
        assert_eq!(clock(-3.0), "0:00");
        assert_eq!(clock_tenths(Duration::from_millis(65_340)), "1:05.3");
        assert_eq!(clock_tenths(Duration::ZERO), "0:00.0");
    }

    #[test]
    fn rounding() {
        assert_eq!(round2(1.23456), 1.23);
        assert_eq!(round1(141.96), 142.0);
    }
}
