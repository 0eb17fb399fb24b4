//! The whole loader and validator on one TOML manifest, next to the example
//! profiles.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tccert_fuzz::load_and_validate("m.toml", data);
});
