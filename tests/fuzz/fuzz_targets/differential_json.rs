//! Differential: the lenient reader against `serde_json` on the same bytes; where
//! serde_json reads an object, `parse_js_object` and `object_prefix` read the same values.
//! The comparison is the one the proptests use.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod domain {
    pub use cashback_guard::domain::*;
}
#[allow(dead_code)] // each target uses half of it
#[path = "../../../src/domain/differential/compare.rs"]
mod compare;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        compare::json_agrees(s);
    }
});
