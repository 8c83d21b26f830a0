//! `viva bank import` on any text: it never panics, and whatever bank it
//! makes is written as TOML that reads back as the same bank.

#![no_main]

use libfuzzer_sys::fuzz_target;
use viva::bank::{import, Bank};

fuzz_target!(|data: &[u8]| {
    let Ok(page) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(imported) = import::import(page, None) else {
        return;
    };
    let text = imported.bank.to_toml();
    let read_back: Bank = toml::from_str(&text).expect("the written bank is valid TOML");
    assert_eq!(
        read_back, imported.bank,
        "the written bank reads back unchanged"
    );
    // The checker runs on it without panicking (it may find gaps to fill).
    let _ = viva::bank::check::check(&text);
});
