//! The comparisons of the differential tests, shared by the proptests (`super`) and the
//! fuzz targets `differential_url` / `differential_json` (tests/fuzz, which include this
//! file and provide `crate::domain`). Each function parses the same text with our parser
//! and with the reference crate, and panics on a disagreement; it returns what happened so
//! the tests can count the cases.

use crate::domain::{lenient, url};
use serde_json::Value;

/// What one input did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// Both accept it, and agree on everything compared.
    Agree,
    /// The reference rejects it (our answer is not checked).
    ReferenceRejects,
    /// The reference accepts it, ours rejects it on purpose, for this reason.
    Stricter(&'static str),
    /// Both accept it and agree on everything but one intended, documented difference.
    Differs(&'static str),
}

const SLASHES: &str = "not exactly `//` before the host, or a backslash in it";

/// Why our URL parser rejects what the `url` crate (WHATWG) accepts, if it is one of the
/// documented, intended differences (README, "Fuzzing and property tests"); `None` means
/// we have no reason: a bug.
fn why_stricter(input: &str, r: &::url::Url) -> Option<&'static str> {
    let t = input.trim_matches(|c: char| c.is_ascii_whitespace());
    let after_scheme = t.split_once(':').map_or("", |(_, rest)| rest);
    let authority = after_scheme.trim_start_matches(['/', '\\']);
    let authority = &authority[..authority.find(['/', '?', '#']).unwrap_or(authority.len())];
    let host = r.host_str().unwrap_or("");
    Some(if t.len() > url::MAX_URL_LEN {
        "longer than MAX_URL_LEN"
    } else if t.chars().any(char::is_control) {
        "control character (the reference drops tab/newline and trims the rest)"
    } else if !r.username().is_empty() || r.password().is_some() || authority.contains('@') {
        "userinfo"
    } else if !after_scheme.starts_with("//") || after_scheme[2..].starts_with(['/', '\\']) || authority.contains('\\') {
        SLASHES
    } else if !matches!(r.host(), Some(::url::Host::Domain(_))) || authority.starts_with('[') {
        "IP address host"
    } else if authority.contains('%') || !authority.is_ascii() {
        "escaped or non-ASCII host"
    } else if url::normalize_host(host).is_none() {
        "host outside [a-z0-9.-], an empty label, or too long"
    } else if authority.rsplit_once(':').is_some_and(|(_, p)| p.len() > 5) {
        "port with more than 5 digits"
    } else {
        return None;
    })
}

/// Parses `input` with `url::parse` and `url::Url::parse`; where both accept it, they
/// must agree on host, port, path, query pairs (decoded) and fragment (decoded).
pub fn url_agrees(input: &str) -> Outcome {
    let Ok(r) = ::url::Url::parse(input) else { return Outcome::ReferenceRejects };
    if !matches!(r.scheme(), "http" | "https") {
        return Outcome::ReferenceRejects; // ours only takes http(s)
    }
    match url::parse(input) {
        Ok(o) => agree_or_differ(input, &o, &r),
        Err(e) => match why_stricter(input, &r) {
            Some(why) => Outcome::Stricter(why),
            None => panic!("{input:?}: the reference accepts it as {r}, ours rejects it ({e:?})"),
        },
    }
}

/// Resolves `href` against `base` with `url::parse_with_base` and `Url::join`.
pub fn join_agrees(base: &str, href: &str) -> Outcome {
    let ours_base = url::parse(base).expect("base parses");
    let Ok(r) = ::url::Url::parse(base).expect("base parses").join(href) else { return Outcome::ReferenceRejects };
    if !matches!(r.scheme(), "http" | "https") {
        return Outcome::ReferenceRejects;
    }
    match url::parse_with_base(href, &ours_base) {
        Ok(o) => agree_or_differ(&format!("{href:?} against {base:?}"), &o, &r),
        // A rejected join must be something the absolute parser rejects as well (the same
        // reasons apply to the URL the reference resolved to).
        Err(e) => match why_stricter(href, &r).or_else(|| url::parse(r.as_str()).err().and(why_stricter(r.as_str(), &r))) {
            Some(why) => Outcome::Stricter(why),
            None => panic!("{href:?} against {base:?}: the reference resolves it to {r}, ours rejects it ({e:?})"),
        },
    }
}

/// An IPv4 address written in a short, hex or octal form (`0`, `127.1`, `0x7f.0.0.1`) is
/// one address to the reference (`127.0.0.1`); ours keeps the host as written. Neither is
/// ever an AliExpress host, so the classification is the same.
const IPV4_AS_WRITTEN: &str = "IPv4 host in a short/hex/octal form kept as written";

fn agree_or_differ(what: &str, o: &url::Url, r: &::url::Url) -> Outcome {
    // The reference keeps a trailing dot of the host; ours drops it.
    let host = r.host_str().unwrap_or("");
    let ipv4_as_written = matches!(r.host(), Some(::url::Host::Ipv4(_))) && o.host != host;
    if !ipv4_as_written {
        assert_eq!(o.host, host.strip_suffix('.').unwrap_or(host), "host of {what}");
    }
    assert_eq!(o.scheme, r.scheme(), "scheme of {what}");
    assert_eq!(o.port, r.port(), "port of {what}");
    assert_eq!(o.path, r.path(), "path of {what}");
    let pairs: Vec<(String, String)> = r.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    assert_eq!(o.query, pairs, "query of {what}");
    // Fragments are kept raw, each side escaping a few different characters: compare decoded.
    let dec = |f: Option<&str>| f.map(url::percent_decode_keep_plus);
    assert_eq!(dec(o.fragment.as_deref()), dec(r.fragment()), "fragment of {what}");
    if ipv4_as_written {
        Outcome::Differs(IPV4_AS_WRITTEN)
    } else {
        Outcome::Agree
    }
}

/// Where `serde_json` reads `text` as an object, the lenient reader must read the same
/// values (numbers, which it keeps as written, compare by value), both whole
/// (`parse_js_object`) and as a prefix (`object_prefix`).
pub fn json_agrees(text: &str) -> Outcome {
    let Ok(r @ Value::Object(_)) = serde_json::from_str::<Value>(text) else { return Outcome::ReferenceRejects };
    let Some(o) = lenient::parse_js_object(text) else {
        if depth(&r) > lenient::MAX_DEPTH {
            return Outcome::Stricter("nested deeper than MAX_DEPTH");
        }
        panic!("{text:?}: serde_json reads {r}, the lenient reader nothing");
    };
    same_value(&o, &r, text);
    same_value(&Value::Object(lenient::object_prefix(text)), &r, text);
    Outcome::Agree
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn same_value(o: &Value, r: &Value, text: &str) {
    match (o, r) {
        (Value::String(s), Value::Number(n)) => {
            // Kept as written; the same text read by serde_json is the same number (its
            // float parsing is not always correctly rounded, so not `str::parse`).
            assert_eq!(serde_json::from_str::<serde_json::Number>(s).ok().as_ref(), Some(n), "number {s:?} in {text:?}");
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "array {o} vs {r} in {text:?}");
            a.iter().zip(b).for_each(|(x, y)| same_value(x, y, text));
        }
        (Value::Object(a), Value::Object(b)) => {
            assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "keys of {o} vs {r} in {text:?}");
            a.values().zip(b.values()).for_each(|(x, y)| same_value(x, y, text));
        }
        _ => assert_eq!(o, r, "in {text:?}"),
    }
}
