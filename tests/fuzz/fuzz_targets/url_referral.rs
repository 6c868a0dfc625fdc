//! URL parser and referral reading: `url::parse`, `parse_with_base`, serialisation,
//! landing attribution, redirect keys, host classification, deep-link building and
//! template validation. Beyond "never panics", checks the invariants the unit tests state.
#![no_main]

use cashback_guard::domain::product;
use cashback_guard::domain::attribution::{self, HostKind};
use cashback_guard::domain::url::{self, Url};
use libfuzzer_sys::fuzz_target;

const TPL: &str = "https://s.click.aliexpress.com/deep_link.htm?aff_short_key={key}&dl_target_url={url}";
const KEY: &str = "cgDemo0001";
const TARGET: &str = "https://www.aliexpress.com/item/1005001234567890.html";
const BASES: &[&str] = &[
    "https://www.aliexpress.com/p/shoppingcart/index.html?x=1#top",
    "http://aliexpress.ru:8080/item/1.html",
];

fn check_url(u: &Url) {
    assert!(u.scheme == "http" || u.scheme == "https", "{u:?}");
    assert_eq!(url::normalize_host(&u.host).as_deref(), Some(u.host.as_str()), "{u:?}");
    assert!(u.path.starts_with('/'), "{u:?}");
    // Serialising and parsing again gives the same URL (within the length limit).
    let s = u.serialize();
    if s.len() <= url::MAX_URL_LEN {
        assert_eq!(url::parse(&s).as_ref(), Ok(u), "round trip of {s:?}");
    }
    let _ = u.to_string_without_params(attribution::LANDING_PARAMS);
    let _ = u.param("sk");

    let kind = attribution::classify_host(&u.host);
    if let Some(a) = attribution::landing_attribution(u) {
        assert!(attribution::valid_key(&a.key), "{a:?}");
        assert_eq!(kind, HostKind::Storefront);
    }
    if let Some(k) = attribution::redirect_key(u) {
        assert!(attribution::valid_key(&k), "{k:?}");
        assert_eq!(kind, HostKind::DeepLink);
    }
    let _ = attribution::has_referral_params(u);
    let _ = product::page_kind(u);
    let _ = product::product_id(u);
}

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let s = s.as_ref();

    if let Ok(u) = url::parse(s) {
        check_url(&u);
    }
    for b in BASES {
        let base = url::parse(b).expect("base parses");
        if let Ok(u) = url::parse_with_base(s, &base) {
            check_url(&u);
        }
        let _ = product::product_id_from_href(s, &base);
    }
    let _ = product::category_from_href(s);
    let _ = attribution::classify_host(s);
    let _ = url::percent_decode(s);
    let _ = url::host_is_within(s, "aliexpress.com");

    // Whatever the target, a deep link only ever goes to the template host, carries our
    // key, and sends the shopper to a storefront page without somebody else's referral.
    if let Ok(link) = attribution::build_deep_link(TPL, KEY, s) {
        let l = url::parse(&link).expect("deep link parses");
        assert_eq!(l.host, "s.click.aliexpress.com");
        assert_eq!(attribution::redirect_key(&l).as_deref(), Some(KEY));
        let t = url::parse(l.param("dl_target_url").expect("dl_target_url")).expect("target parses");
        assert_eq!(attribution::classify_host(&t.host), HostKind::Storefront);
        assert!(!attribution::has_referral_params(&t), "{link}");
        assert_eq!((t.scheme.as_str(), t.port, &t.fragment), ("https", None, &None));
    }
    // An accepted template builds a working https link.
    if attribution::validate_template(s).is_ok() {
        let link = attribution::build_deep_link(s, KEY, TARGET).expect("accepted template builds");
        assert_eq!(url::parse(&link).map(|u| u.scheme), Ok("https".to_string()), "{link}");
    }
});
