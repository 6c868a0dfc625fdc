//! Price parsing: `parse_price` (with several fallback currencies) and
//! `parse_amount_value`, then the cashback maths on what they return.
#![no_main]

use cashback_guard::domain::money;
use cashback_guard::domain::price::{self, MAX_INTEGER_DIGITS};
use libfuzzer_sys::fuzz_target;

const FALLBACKS: &[Option<&str>] = &[None, Some("USD"), Some("EUR"), Some("SEK"), Some("JPY"), Some("KWD"), Some("bogus")];

/// 10^(MAX_INTEGER_DIGITS + exponent): no accepted amount reaches it.
fn limit(currency: &str) -> u128 {
    let e = price::currency(currency).expect("known currency").exponent;
    10u128.pow(MAX_INTEGER_DIGITS as u32 + u32::from(e))
}

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let s = s.as_ref();

    for &fb in FALLBACKS {
        let r = price::parse_price(s, fb);
        if let Ok(p) = &r {
            assert!(price::currency(p.currency).is_some(), "{s:?} -> {p:?}");
            assert!(u128::from(p.min_minor) < limit(p.currency), "{s:?} -> {p:?}");
            if let Some(max) = p.max_minor {
                assert!(p.min_minor < max && u128::from(max) < limit(p.currency), "{s:?} -> {p:?}");
            }
            for q in [1, 3] {
                if let Ok(e) = money::expected_cashback(p, q, 700) {
                    assert!(e.max_minor.is_none_or(|m| m > e.min_minor));
                }
            }
        }
        // Surrounding white space and invisible marks do not change the result.
        assert_eq!(price::parse_price(&format!(" \u{200F}{s}\u{A0}"), fb), r, "{s:?}");
    }
    for cur in ["USD", "JPY", "KWD"] {
        if let Ok(v) = price::parse_amount_value(s, cur) {
            assert!(u128::from(v) < limit(cur), "{s:?} -> {v}");
        }
    }
});
