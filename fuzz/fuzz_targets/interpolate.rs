//! `${NAME}` interpolation on arbitrary text, with its invariants checked:
//! text without `$` is unchanged, escaping every `$` as `$$` round-trips, and
//! `from_environment` is true exactly when a variable's value was read.
#![no_main]

use std::cell::Cell;

use libfuzzer_sys::fuzz_target;
use tccert::manifest::interpolate::interpolate;

/// Every variable set has a non-empty value, so "read" and "used" coincide.
fn lookup(name: &str) -> Option<String> {
    match name {
        "A" => Some("alpha".into()),
        "PW" => Some("s3cret$".into()),
        "_X1" => Some("}{".into()),
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let read = Cell::new(false);
    let result = interpolate(text, &|name| {
        let value = lookup(name);
        read.set(read.get() || value.is_some());
        value
    });
    if let Ok(done) = &result {
        assert_eq!(done.from_environment, read.get(), "{text:?}");
    }
    if !text.contains('$') {
        let done = result.expect("text without `$` always interpolates");
        assert_eq!(done.text, text);
        assert!(!done.from_environment);
    }
    let escaped = text.replace('$', "$$");
    let done = interpolate(&escaped, &lookup).expect("escaped text always interpolates");
    assert_eq!(done.text, text);
    assert!(!done.from_environment);
});
