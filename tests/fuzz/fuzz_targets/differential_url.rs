//! Differential: `url::parse` (and `parse_with_base` against two bases) against the `url`
//! crate on the same bytes; they agree on host, port, path, query pairs and fragment
//! wherever the reference accepts, except the documented differences (README, "Fuzzing
//! and property tests"). The comparison is the one the proptests use.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod domain {
    pub use cashback_guard::domain::*;
}
#[allow(dead_code)] // each target uses half of it
#[path = "../../../src/domain/differential/compare.rs"]
mod compare;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    compare::url_agrees(&s);
    for base in ["https://www.aliexpress.com/p/shoppingcart/index.html?x=1#top", "http://aliexpress.ru:8080/item/1.html"] {
        compare::join_agrees(base, &s);
    }
});
