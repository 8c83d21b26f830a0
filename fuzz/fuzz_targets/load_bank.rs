//! Loading a bank file (what `--bank PATH` and `viva bank check` do) on any
//! text: it never panics, a bank the checker accepts always deserializes, and
//! a loaded bank written back out loads as the same bank.

#![no_main]

use libfuzzer_sys::fuzz_target;
use viva::bank::{check, Bank};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let diagnostics = check::check(text);
    for diagnostic in &diagnostics {
        let _ = diagnostic.render("fuzz.toml");
    }
    if diagnostics.is_empty() {
        let bank: Result<Bank, _> = toml::from_str(text);
        assert!(
            bank.is_ok(),
            "the checker passed a bank serde refuses: {bank:?}"
        );
    }
    if let Ok(bank) = check::parse(text) {
        assert_eq!(check::parse(&bank.to_toml()), Ok(bank));
    }
});
