//! Attribution cookie parsers: `aeu_cid` and `xman_us_f` (with its tolerant flat-JSON
//! reader, reached through `x_as_i=<encoded input>`), and the trace-key reader.
#![no_main]

use cashback_guard::domain::lenient;
use cashback_guard::domain::attribution::{self, Source};
use cashback_guard::domain::url::encode_component;
use libfuzzer_sys::fuzz_target;

fn check_xman(v: &str) {
    if let Some(a) = attribution::parse_xman_us_f(v) {
        assert!(attribution::valid_key(&a.key), "{a:?}");
        assert_eq!(a.source, Source::XmanCookie);
    }
}

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let s = s.as_ref();

    if let Some(k) = attribution::key_from_trace(s) {
        assert!(attribution::valid_key(&k) && s.contains(k.as_str()), "{k:?}");
    }
    if let Some(a) = attribution::parse_aeu_cid(s) {
        assert!(attribution::valid_key(&a.key), "{a:?}");
        assert_eq!(a.source, Source::AeuCidCookie);
        let trace = a.trace.as_deref().expect("aeu_cid keeps its trace");
        assert_eq!(attribution::key_from_trace(trace).as_deref(), Some(a.key.as_str()));
    }
    // The one lenient reader (cookies and embedded page data): a whole object reads the
    // same whether or not the text may be cut; every cut of it keeps a subset of it.
    if let Some(serde_json::Value::Object(full)) = lenient::parse_js_object(s) {
        if s.trim_start().starts_with('{') {
            assert_eq!(lenient::object_prefix(s), full);
        }
    }
    let _ = lenient::object_prefix(s);
    check_xman(s);
    check_xman(&format!("x_as_i={s}"));
    check_xman(&format!("x_user=a&x_as_i={}&acs_rt=z", encode_component(s)));
});
