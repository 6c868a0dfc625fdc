//! Differential tests: our hand-written parsers against the reference libraries, on the
//! same text. `url::parse` / `parse_with_base` against the `url` crate (WHATWG URL), the
//! lenient JSON reader against `serde_json`. Generated inputs (proptest) and the real
//! AliExpress URLs and data found in the repository's tests and sources. Native only; the
//! reference crates are dev-dependencies and never reach the wasm. The documented
//! differences (ours stricter on purpose) are the reasons in `compare::why_stricter`.

pub mod compare;

use compare::{join_agrees, json_agrees, url_agrees, Outcome};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use std::collections::BTreeMap;
use std::path::Path;

// ---------------------------------------------------------------------------
// URL-ish strings

fn scheme() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(vec!["https://", "http://", "HTTPS://", "HtTp://"]).prop_map(String::from),
        1 => prop::sample::select(vec!["https:", "https:/", "https:\\\\", "https:/\\", "ftp://", "h ttps://", " https://"]).prop_map(String::from),
    ]
}

fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?",
        1 => prop::sample::select(vec!["AliExpress", "xn--80ak6aa92e", "0x7f", "1", "255", "a_b", "-a", "a-", "%61", "", "é", "[::1]"]).prop_map(String::from),
    ]
}

fn host() -> impl Strategy<Value = String> {
    (prop::collection::vec(label(), 1..5), prop::bool::weighted(0.1)).prop_map(|(ls, dot)| {
        let mut h = ls.join(".");
        if dot {
            h.push('.');
        }
        h
    })
}

fn port() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => Just(String::new()),
        2 => (0u32..70_000).prop_map(|p| format!(":{p}")),
        1 => prop::sample::select(vec![":", ":443", ":80", ":0443", ":00000080", ":8x", ":-1"]).prop_map(String::from),
    ]
}

fn userinfo() -> impl Strategy<Value = String> {
    prop_oneof![9 => Just(String::new()), 1 => "[a-z]{0,4}(:[a-z]{0,4})?@"]
}

/// Pieces of paths, queries and fragments: words, dot segments, escapes (valid, invalid,
/// non-UTF-8), and the characters the parsers treat specially.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-zA-Z0-9_.~-]{1,6}",
        2 => prop::sample::select(vec![".", "..", "%2e", "%2E%2e", ".%2E", "/", "//", "\\"]).prop_map(String::from),
        2 => prop::sample::select(vec!["%20", "%2B", "%2b", "%3D", "%26", "%C3%A9", "%F0%9F%98%80", "%C3%28", "%zz", "%", "%4", "%00", "%FF"]).prop_map(String::from),
        2 => prop::sample::select(vec![" ", "+", "\"", "<", ">", "`", "{", "}", "|", "^", "'", "@", ":", ";", "!", "$", "(", ")", "*", ",", "[", "]", "é", "日本", "😀", "\u{a0}", "\t", "\u{7f}", "\u{85}"]).prop_map(String::from),
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..8).prop_map(|ps| ps.concat())
}

fn query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        3 => prop::sample::select(vec!["sk", "aff_fcid", "a", "A", "dl_target_url", "%73k", "s%6B", "q+r", "k%3Dx", ""]).prop_map(String::from),
        1 => piece(),
    ];
    let pair = (key, prop::option::of(path()), prop::bool::weighted(0.1)).prop_map(|(k, v, extra_eq)| match v {
        Some(v) => format!("{k}={v}{}", if extra_eq { "=x" } else { "" }),
        None => k,
    });
    prop::collection::vec(pair, 0..5).prop_map(|ps| format!("?{}", ps.join("&")))
}

fn url_ish() -> impl Strategy<Value = String> {
    (scheme(), userinfo(), host(), port(), path(), prop::option::of(query()), prop::option::of(path())).prop_map(
        |(s, u, h, p, path, q, f)| {
            let sep = if path.is_empty() || path.starts_with(['/', '\\']) { "" } else { "/" };
            format!("{s}{u}{h}{p}{sep}{path}{}{}", q.unwrap_or_default(), f.map(|f| format!("#{f}")).unwrap_or_default())
        },
    )
}

/// Links as they appear in pages: relative paths, `?q`, `#f`, protocol-relative, absolute.
fn href() -> impl Strategy<Value = String> {
    (prop::sample::select(vec!["", "/", "//", "\\", "/\\", "?", "#", "./", "../", "https://"]), path(), prop::option::of(query()))
        .prop_map(|(start, p, q)| format!("{start}{p}{}", q.unwrap_or_default()))
}

const BASES: &[&str] = &[
    "https://www.aliexpress.com/p/shoppingcart/index.html?x=1#top",
    "http://aliexpress.ru:8080/item/1.html",
    "https://he.aliexpress.com/",
];

// ---------------------------------------------------------------------------
// JSON texts

fn ws() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", "", "", " ", "\n", "\t", "\r\n  "])
}

/// One character of a string literal, written raw or as one of JSON's escapes.
fn string_char() -> impl Strategy<Value = String> {
    let ch = prop_oneof![4 => any::<char>(), 2 => prop::char::range(' ', '~'), 1 => prop::char::range('\u{10000}', '\u{10ffff}')];
    (ch, 0u8..10, any::<bool>()).prop_map(|(c, how, upper)| {
        let hex = |n: u32| if upper { format!("\\u{n:04X}") } else { format!("\\u{n:04x}") };
        match (c, how) {
            ('"', _) => "\\\"".into(),
            ('\\', _) => "\\\\".into(),
            ('\n', 0..=4) => "\\n".into(),
            ('\t', 0..=4) => "\\t".into(),
            ('/', 0..=4) => "\\/".into(),
            ('\u{8}', 0..=4) => "\\b".into(),
            ('\u{c}', 0..=4) => "\\f".into(),
            ('\r', 0..=4) => "\\r".into(),
            (c, 0..=3) if c < ' ' => hex(c as u32),
            (c, 0..=3) => {
                let mut buf = [0u16; 2];
                c.encode_utf16(&mut buf).iter().map(|&u| hex(u32::from(u))).collect()
            }
            // Rarely, things serde_json rejects: a lone surrogate, an unknown escape.
            (_, 4) if upper => hex(0xD800 + (c as u32 % 0x800)),
            (_, 4) => "\\x".into(),
            (c, _) => c.to_string(), // raw (control characters are rejected by serde_json)
        }
    })
}

fn json_string() -> impl Strategy<Value = String> {
    prop::collection::vec(string_char(), 0..12).prop_map(|cs| format!("\"{}\"", cs.concat()))
}

fn json_number() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "-?(0|[1-9][0-9]{0,22})(\\.[0-9]{1,12})?([eE][-+]?[0-9]{1,3})?",
        2 => any::<i64>().prop_map(|n| n.to_string()),
        2 => any::<f64>().prop_map(|f| serde_json::to_string(&f).unwrap_or_default()),
        1 => prop::sample::select(vec!["-0", "0e0", "1E+2", "01", "1.", ".5", "-", "+1", "1e400", "18446744073709551616", "-9223372036854775809"]).prop_map(String::from),
    ]
}

fn json_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        1 => prop::sample::select(vec!["null", "true", "false"]).prop_map(String::from),
        3 => json_number(),
        4 => json_string(),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            (prop::collection::vec((ws(), inner.clone(), ws()), 0..6))
                .prop_map(|items| { format!("[{}]", items.iter().map(|(a, v, b)| format!("{a}{v}{b}")).collect::<Vec<_>>().join(",")) }),
            object_of(inner),
        ]
    })
}

fn object_of(value: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    // Keys from a small set too, so duplicates occur (the last one wins in both).
    let key =
        prop_oneof![1 => json_string(), 1 => prop::sample::select(vec!["\"a\"", "\"b\"", "\"\\u0061\"", "\"\""]).prop_map(String::from)];
    prop::collection::vec((ws(), key, ws(), value), 0..6)
        .prop_map(|ms| format!("{{{}}}", ms.iter().map(|(a, k, b, v)| format!("{a}{k}{b}:{b}{v}{a}")).collect::<Vec<_>>().join(",")))
}

fn json_object() -> impl Strategy<Value = String> {
    (ws(), object_of(json_value()), ws()).prop_map(|(a, o, b)| format!("{a}{o}{b}"))
}

// ---------------------------------------------------------------------------
// Property tests

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn url_parse_agrees_with_the_url_crate(s in url_ish()) {
        url_agrees(&s);
    }

    #[test]
    fn url_join_agrees_with_the_url_crate(base in prop::sample::select(BASES), h in href()) {
        join_agrees(base, &h);
    }

    #[test]
    fn lenient_reads_what_serde_json_reads(text in json_object()) {
        json_agrees(&text);
    }
}

/// Runs `n` generated inputs through `check` and counts the outcomes, so a run shows how
/// many inputs were really compared (a generator that only made rejected inputs would
/// prove nothing).
fn census<S: Strategy>(strategy: S, n: usize, check: impl Fn(&S::Value) -> Outcome) -> BTreeMap<Outcome, usize> {
    let mut runner = TestRunner::deterministic();
    let mut counts = BTreeMap::new();
    for _ in 0..n {
        let v = strategy.new_tree(&mut runner).expect("generates").current();
        *counts.entry(check(&v)).or_insert(0) += 1;
    }
    counts
}

fn print(what: &str, counts: &BTreeMap<Outcome, usize>) {
    eprintln!("\n| {what} | cases |\n|---|---:|");
    for (o, n) in counts {
        eprintln!("| {o:?} | {n} |");
    }
}

#[test]
fn census_of_generated_inputs() {
    let urls = census(url_ish(), 5000, |s| url_agrees(s));
    print("url::parse vs url crate (5000 generated)", &urls);
    let joins = census((prop::sample::select(BASES), href()), 5000, |(b, h)| join_agrees(b, h));
    print("url::parse_with_base vs Url::join (5000 generated)", &joins);
    let json = census(json_object(), 5000, |t| json_agrees(t));
    print("lenient vs serde_json (5000 generated)", &json);
    // Most generated inputs are really compared, and every kind of outcome occurs.
    for c in [&urls, &joins, &json] {
        assert!(c.get(&Outcome::Agree).copied().unwrap_or(0) > 1000, "{c:?}");
        assert!(c.get(&Outcome::ReferenceRejects).copied().unwrap_or(0) > 0, "{c:?}");
    }
    assert!(urls.keys().filter(|o| matches!(o, Outcome::Stricter(_))).count() >= 5, "{urls:?}");
}

// ---------------------------------------------------------------------------
// Real inputs: AliExpress URLs and embedded data from the repository

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        let name = e.file_name();
        if name == "node_modules" || name == "target" || name == "seeds" || name == "corpus" {
            continue;
        }
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| ["rs", "js", "json", "html", "md"].iter().any(|e| x == *e)) {
            out.push(p);
        }
    }
}

/// Every `http(s)://…aliexpress…` in the sources and tests, cut at a quote, space,
/// bracket or backslash (escaped JSON inside pages) as it stands in the text.
fn aliexpress_urls() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    files(&root.join("src"), &mut paths);
    files(&root.join("tests"), &mut paths);
    let mut urls = std::collections::BTreeSet::new();
    for p in paths {
        let Ok(text) = std::fs::read_to_string(&p) else { continue };
        for (i, _) in text.match_indices("http") {
            let rest = &text[i..];
            let end = rest.find(|c: char| c.is_whitespace() || "\"'`<>()\\,".contains(c)).unwrap_or(rest.len());
            let u = &rest[..end];
            if (u.starts_with("https://") || u.starts_with("http://")) && u.contains("aliexpress") {
                urls.insert(u.to_string());
            }
        }
    }
    urls.into_iter().collect()
}

#[test]
fn real_aliexpress_urls_agree() {
    let urls = aliexpress_urls();
    let mut counts = BTreeMap::new();
    for u in &urls {
        *counts.entry(url_agrees(u)).or_insert(0) += 1;
        for b in BASES {
            join_agrees(b, u);
        }
    }
    print(&format!("real AliExpress URLs ({})", urls.len()), &counts);
    assert!(urls.len() >= 100, "{}", urls.len());
    assert!(counts.get(&Outcome::Agree).copied().unwrap_or(0) * 10 >= urls.len() * 9, "{counts:?}");
}

#[test]
fn real_embedded_data_agrees() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real");
    let mut compared = 0;
    for e in std::fs::read_dir(dir).expect("tests/real").flatten() {
        if e.path().extension().is_some_and(|x| x == "json") {
            let text = std::fs::read_to_string(e.path()).expect("readable");
            if json_agrees(&text) == Outcome::Agree {
                compared += 1;
            }
        }
    }
    assert!(compared >= 2, "{compared}");
}

// ---------------------------------------------------------------------------
// The documented differences, at their edges

#[test]
fn nesting_deeper_than_max_depth_is_ours_to_refuse() {
    let nest = |n: usize| format!("{{\"a\":{}1{}}}", "[".repeat(n - 1), "]".repeat(n - 1));
    assert_eq!(json_agrees(&nest(crate::domain::lenient::MAX_DEPTH)), Outcome::Agree);
    assert_eq!(json_agrees(&nest(crate::domain::lenient::MAX_DEPTH + 1)), Outcome::Stricter("nested deeper than MAX_DEPTH"));
}

#[test]
fn stricter_url_cases_are_named() {
    for (input, why) in [
        ("https://user:pw@aliexpress.com/", "userinfo"),
        ("https:aliexpress.com/x", "not exactly `//` before the host, or a backslash in it"),
        ("https:///aliexpress.com/", "not exactly `//` before the host, or a backslash in it"),
        ("https://evil.org\\.aliexpress.com/", "not exactly `//` before the host, or a backslash in it"),
        ("http://[::1]/", "IP address host"),
        ("https://ali_express.com/", "host outside [a-z0-9.-], an empty label, or too long"),
        ("https://a\t.com/", "control character (the reference drops tab/newline and trims the rest)"),
    ] {
        assert_eq!(url_agrees(input), Outcome::Stricter(why), "{input}");
    }
}
