//! From the raw facts a content script collected to a product: id, price, category,
//! quantity. Three layers, most reliable first: JSON-LD (`schema.org/Offer`), embedded
//! page data (`runParams`, `__AER_DATA__`, found by the keys of the layout file), then the
//! visible price text. Every layer that fails leaves a note for Diagnostics; nothing here
//! panics on hostile input.

use super::layout::EmbeddedPaths;
pub use super::lenient::parse_js_object;
use super::lenient::{find, Lenient, MAX_DEPTH};
use super::messages::PageFacts;
use super::price::{self, PriceRange};
use super::product;
use super::url::Url;
use serde_json::{Map, Value};

/// Longest script text we look at (a hostile page can serve megabytes).
pub const MAX_SCRIPT_CHARS: usize = 2_000_000;

#[derive(Debug, Clone, PartialEq)]
pub struct ProductExtract {
    pub id: Option<String>,
    pub price: Option<PriceRange>,
    /// `json-ld`, `embedded` or `dom`.
    pub source: String,
    /// Candidate category ids, most specific first.
    pub categories: Vec<String>,
    pub quantity: u32,
    /// What went wrong on the way (raw strings that did not parse), for Diagnostics.
    pub notes: Vec<String>,
}

/// Scalars as text: strings as they are, numbers as written.
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Depth-first search for the first value under `key` (a dotted path descends from it).
pub fn find_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    let mut found = find_key(v, first, 0)?;
    for p in parts {
        found = found.as_object()?.get(p)?;
    }
    Some(found)
}

fn find_key<'a>(v: &'a Value, key: &str, depth: usize) -> Option<&'a Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    match v {
        Value::Object(m) => {
            if let Some(x) = m.get(key) {
                if !x.is_null() {
                    return Some(x);
                }
            }
            m.values().find_map(|c| find_key(c, key, depth + 1))
        }
        Value::Array(a) => a.iter().find_map(|c| find_key(c, key, depth + 1)),
        _ => None,
    }
}

/// The data object of an inline script: JSON as is, or the object literal assigned after
/// one of the markers (`window.runParams = {…}`).
pub fn embedded_data(script: &str, markers: &[String]) -> Option<Value> {
    if script.len() > MAX_SCRIPT_CHARS {
        return None;
    }
    let t = script.trim_start();
    if t.starts_with('{') {
        if let Ok(v) = serde_json::from_str::<Value>(t) {
            return Some(v);
        }
    }
    // The 2016-19 page: flat `window.runParams.actMinPrice="4.97";` assignments, one per line
    // (next to, or instead of, an object literal).
    let flat = flat_assignments(script, markers);
    let obj = object_after_marker(script, markers);
    match obj {
        Some(Value::Object(mut o)) if !flat.is_empty() => {
            for (k, v) in flat {
                if !o.contains_key(&k) {
                    o.insert(k, v);
                }
            }
            Some(Value::Object(o))
        }
        None if !flat.is_empty() => Some(Value::Object(flat)),
        other => other,
    }
}

fn object_after_marker(script: &str, markers: &[String]) -> Option<Value> {
    for m in markers {
        let Some(pos) = script.find(m.as_str()) else { continue };
        let rest = &script[pos + m.len()..];
        let Some(eq) = rest.find(['=', ':']) else { continue };
        let after = &rest[eq + 1..];
        let Some(brace) = after.find('{') else { continue };
        if !after[..brace].trim().is_empty() {
            continue;
        }
        if let Some(v) = parse_js_object(&after[brace..]) {
            return Some(v);
        }
    }
    None
}

/// `<marker>.<key> = <value>` assignments (at most 500 per marker), as one object.
fn flat_assignments(script: &str, markers: &[String]) -> Map<String, Value> {
    let mut m = Map::new();
    for mk in markers {
        let mut p = Lenient::new(script);
        for _ in 0..500 {
            let Some(i) = find(&p.s[p.i..], mk.as_bytes()) else { break };
            p.i += i + mk.len();
            if p.peek() == Some(b'.') {
                p.i += 1;
                let k = p.ident();
                let _ = p.colon_value(&mut m, k, 0);
            }
        }
    }
    m
}

// ---------------------------------------------------------------------------
// Layers

fn amount_of(v: &Value, fallback_currency: Option<&str>) -> Result<PriceRange, String> {
    match v {
        Value::Object(m) => {
            let cur =
                m.get("currency").or_else(|| m.get("currencyCode")).and_then(text_of).or_else(|| fallback_currency.map(str::to_string));
            if let (Some(val), Some(cur)) = (m.get("value").and_then(text_of), cur.as_deref()) {
                let minor = price::parse_amount_value(&val, cur).map_err(|e| format!("{val} {cur}: {e}"))?;
                let info = price::currency(cur).ok_or_else(|| format!("unknown currency {cur}"))?;
                return Ok(PriceRange { currency: info.code, min_minor: minor, max_minor: None, from: false });
            }
            for k in ["formatedAmount", "formattedAmount", "formatted"] {
                if let Some(s) = m.get(k).and_then(text_of) {
                    return price::parse_price(&s, cur.as_deref()).map_err(|e| format!("\"{s}\": {e}"));
                }
            }
            Err("amount without value".into())
        }
        Value::String(s) => price::parse_price(s, fallback_currency).map_err(|e| format!("\"{s}\": {e}")),
        _ => Err("amount of an unexpected type".into()),
    }
}

fn jsonld_products(v: &Value, out: &mut Vec<Map<String, Value>>, depth: usize) {
    if depth > 8 {
        return;
    }
    match v {
        Value::Array(a) => a.iter().for_each(|x| jsonld_products(x, out, depth + 1)),
        Value::Object(m) => {
            let is_product = match m.get("@type") {
                Some(Value::String(t)) => t == "Product",
                Some(Value::Array(a)) => a.iter().any(|t| t == "Product"),
                _ => false,
            };
            if is_product {
                out.push(m.clone());
            }
            if let Some(g) = m.get("@graph") {
                jsonld_products(g, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn from_json_ld(scripts: &[String], notes: &mut Vec<String>) -> Option<(Option<String>, PriceRange)> {
    for s in scripts.iter().filter(|s| s.len() <= MAX_SCRIPT_CHARS) {
        let Ok(v) = serde_json::from_str::<Value>(s.trim()) else {
            notes.push("json-ld: not valid JSON".into());
            continue;
        };
        let mut products = Vec::new();
        jsonld_products(&v, &mut products, 0);
        for p in products {
            let id = p.get("productID").or_else(|| p.get("sku")).and_then(text_of);
            let offers = match p.get("offers") {
                Some(Value::Array(a)) => a.first().cloned(),
                Some(o) => Some(o.clone()),
                None => None,
            };
            let Some(Value::Object(o)) = offers else { continue };
            let Some(cur) = o.get("priceCurrency").and_then(text_of) else {
                notes.push("json-ld: offer without priceCurrency".into());
                continue;
            };
            let low = o.get("price").or_else(|| o.get("lowPrice")).and_then(text_of);
            let high = o.get("highPrice").and_then(text_of);
            let Some(low) = low else { continue };
            match price::parse_amount_value(&low, &cur) {
                Ok(min) => {
                    let max = high.and_then(|h| price::parse_amount_value(&h, &cur).ok()).filter(|m| *m > min);
                    let Some(info) = price::currency(&cur) else { continue };
                    return Some((id, PriceRange { currency: info.code, min_minor: min, max_minor: max, from: false }));
                }
                Err(e) => notes.push(format!("json-ld price \"{low}\" {cur}: {e}")),
            }
        }
    }
    None
}

fn from_embedded(data: &[Value], paths: &EmbeddedPaths, notes: &mut Vec<String>) -> Option<PriceRange> {
    for d in data {
        let currency_hint = find_path(d, "currencyCode").and_then(text_of).or_else(|| find_path(d, "currency").and_then(text_of));
        for p in &paths.price_min {
            let Some(v) = find_path(d, p) else { continue };
            match amount_of(v, currency_hint.as_deref()) {
                Ok(mut min) => {
                    for q in &paths.price_max {
                        if let Some(Ok(max)) = find_path(d, q).map(|v| amount_of(v, currency_hint.as_deref())) {
                            if max.currency == min.currency && max.min_minor > min.min_minor {
                                min.max_minor = Some(max.min_minor);
                            }
                            break;
                        }
                    }
                    return Some(min);
                }
                Err(e) => notes.push(format!("embedded {p}: {e}")),
            }
        }
    }
    None
}

fn categories(data: &[Value], paths: &EmbeddedPaths, links: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |c: &str| {
        let c = c.trim();
        if !c.is_empty() && c.len() <= 20 && c.bytes().all(|b| b.is_ascii_digit()) && c != "0" && !out.iter().any(|x| x == c) {
            out.push(c.to_string());
        }
    };
    for d in data {
        for p in &paths.category {
            if let Some(t) = find_path(d, p).and_then(text_of) {
                // `categoryPaths` is "root/…/leaf": most specific first.
                for c in t.rsplit('/') {
                    add(c);
                }
            }
        }
    }
    // Breadcrumb links: the last is the most specific.
    for h in links.iter().rev() {
        if let Some(c) = product::category_from_href(h) {
            add(&c);
        }
    }
    out
}

/// Everything we can learn about the product on `url` from `facts`.
pub fn product(url: &Url, facts: &PageFacts, paths: &EmbeddedPaths) -> ProductExtract {
    let mut notes = Vec::new();
    let data: Vec<Value> = facts.embedded.iter().take(50).filter_map(|s| embedded_data(s, &paths.markers)).collect();
    let mut id = product::product_id(url);
    let mut source = String::new();
    let mut price = None;
    if let Some((ld_id, p)) = from_json_ld(&facts.json_ld, &mut notes) {
        if id.is_none() {
            id = ld_id;
        }
        price = Some(p);
        source = "json-ld".into();
    }
    if price.is_none() {
        if let Some(p) = from_embedded(&data, paths, &mut notes) {
            price = Some(p);
            source = "embedded".into();
        }
    }
    if price.is_none() {
        for raw in facts.price.iter().take(10) {
            match price::parse_price(raw, None) {
                Ok(p) => {
                    price = Some(p);
                    source = "dom".into();
                    break;
                }
                Err(e) => notes.push(format!("price text \"{}\": {e}", raw.chars().take(60).collect::<String>())),
            }
        }
    }
    if price.is_none() {
        notes.push("price not found (JSON-LD, embedded data, price text)".into());
    }
    if id.is_none() {
        id = data.iter().find_map(|d| paths.product_id.iter().find_map(|p| find_path(d, p).and_then(text_of)));
    }
    let quantity = facts.quantity.as_deref().and_then(|q| q.trim().parse::<u32>().ok()).filter(|q| (1..=9999).contains(q)).unwrap_or(1);
    ProductExtract { id, price, source, categories: categories(&data, paths, &facts.category_links), quantity, notes }
}

/// What a cart page's facts say about the cart.
#[derive(Debug, Clone, PartialEq)]
pub enum CartRead {
    /// The lines, in page order: each line's product id from its `/item/<id>` link ("" when
    /// it has none). No lines: the page says the cart is empty.
    Lines(Vec<String>),
    /// Neither lines nor the empty-cart marker yet: still rendering.
    Pending,
    /// The page had its time and no line candidate matched (or no line had a product
    /// link): what was missing, for Diagnostics.
    Unread(String),
}

pub fn cart_read(base: &Url, facts: &PageFacts) -> CartRead {
    let profile = facts.layout.as_deref().unwrap_or("?");
    let Some(lines) = facts.cart_items.as_ref() else {
        return if facts.cart_waited {
            CartRead::Unread(format!("cart page layout not recognised by profile {profile}: no cart_item candidate matched, no cart_empty"))
        } else {
            CartRead::Pending
        };
    };
    let ids: Vec<String> = lines.iter().take(500).map(|l| product::product_id_from_href(&l.href, base).unwrap_or_default()).collect();
    if !ids.is_empty() && ids.iter().all(String::is_empty) {
        return CartRead::Unread(format!("cart page layout not recognised by profile {profile}: lines without cart_item_link"));
    }
    CartRead::Lines(ids)
}

/// Product ids of cart lines (empty ids dropped, duplicates removed, page order kept).
pub fn distinct_ids(lines: &[String]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for id in lines.iter().filter(|i| !i.is_empty()) {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::layout::bundled;
    use crate::domain::url::parse;

    fn paths() -> EmbeddedPaths {
        bundled().embedded_paths
    }

    #[test]
    fn lenient_parser_reads_run_params() {
        let s = "window.runParams = {\n data: { priceModule: { minActivityAmount: { currency: 'USD', value: 10.79 }, // c\n maxActivityAmount: {currency:\"USD\", value: 14.44}, },\n f: foo(1, {a: 2}), list: [1, 2,], }, csrf: \"x\\\"y\" };";
        let v = embedded_data(s, &paths().markers).unwrap();
        assert_eq!(find_path(&v, "minActivityAmount.value"), Some(&Value::String("10.79".into())));
        assert_eq!(find_path(&v, "f"), None, "expressions become null and are not found");
        assert_eq!(find_path(&v, "csrf"), Some(&Value::String("x\"y".into())));
        let p = from_embedded(&[v], &paths(), &mut vec![]).unwrap();
        assert_eq!((p.currency, p.min_minor, p.max_minor), ("USD", 1079, Some(1444)));
    }

    #[test]
    fn lenient_parser_survives_garbage() {
        for s in ["", "{", "{a:", "{a:'x", "{{{{", "{a: [1, {b: }]}", "{\"\\u12\"}", "/*", "{a:1}/*"] {
            let _ = parse_js_object(s);
            let _ = embedded_data(&format!("runParams = {s}"), &paths().markers);
        }
        let deep = "{a:".repeat(10_000);
        assert_eq!(parse_js_object(&deep), None);
    }

    #[test]
    fn json_ld_first_then_embedded_then_dom() {
        let url = parse("https://www.aliexpress.com/item/1005001000000001.html").unwrap();
        let facts = PageFacts {
            json_ld: vec![
                r#"{"@type":"Product","productID":"1005001000000001","offers":{"@type":"Offer","price":"25.00","priceCurrency":"USD"}}"#
                    .into(),
            ],
            price: vec!["US $99.00".into()],
            category_links: vec!["//www.aliexpress.com/category/44/x.html".into(), "//www.aliexpress.com/category/63705/y.html".into()],
            quantity: Some("2".into()),
            ..Default::default()
        };
        let p = product(&url, &facts, &paths());
        assert_eq!(p.source, "json-ld");
        assert_eq!(p.price.as_ref().unwrap().min_minor, 2500);
        assert_eq!(p.categories, vec!["63705", "44"]);
        assert_eq!(p.quantity, 2);
        assert_eq!(p.id.as_deref(), Some("1005001000000001"));

        let dom_only = PageFacts { price: vec!["garbage".into(), "1 366,66 ₽".into()], ..Default::default() };
        let p = product(&url, &dom_only, &paths());
        assert_eq!(p.source, "dom");
        assert_eq!((p.price.as_ref().unwrap().currency, p.price.as_ref().unwrap().min_minor), ("RUB", 136666));
        assert_eq!(p.notes.len(), 1, "the unparsable text is noted: {:?}", p.notes);
    }

    #[test]
    fn aer_data_json_with_category() {
        let url = parse("https://aliexpress.ru/item/1005001000000009.html").unwrap();
        let aer = r#"{"widgets":[{"props":{"categoryId":200000920,"price":{"minActivityAmount":{"value":1366.66,"currency":"RUB"},"maxActivityAmount":{"value":1366.66,"currency":"RUB"}},"currencyCode":"RUB"}}]}"#;
        let facts = PageFacts { embedded: vec![aer.into()], ..Default::default() };
        let p = product(&url, &facts, &paths());
        assert_eq!(p.source, "embedded");
        let pr = p.price.unwrap();
        assert_eq!((pr.currency, pr.min_minor, pr.max_minor), ("RUB", 136666, None));
        assert_eq!(p.categories, vec!["200000920"]);
        assert_eq!(p.quantity, 1);
    }

    #[test]
    fn hostile_quantity_and_missing_everything() {
        let url = parse("https://www.aliexpress.com/item/1.html").unwrap();
        for q in ["0", "-1", "1e9", "99999999999", "abc", ""] {
            let facts = PageFacts { quantity: Some(q.into()), ..Default::default() };
            let p = product(&url, &facts, &paths());
            assert_eq!(p.quantity, 1, "{q}");
            assert!(p.price.is_none());
        }
    }

    fn line(href: &str) -> crate::domain::messages::CartLine {
        crate::domain::messages::CartLine { href: href.into(), quantity: None }
    }

    #[test]
    fn cart_lines_in_page_order_and_distinct_ids() {
        let base = parse("https://www.aliexpress.com/p/shoppingcart/index.html").unwrap();
        let facts = PageFacts {
            cart_items: Some(vec![
                line("//www.aliexpress.com/item/1005001000000001.html"),
                line("//www.aliexpress.com/item/1005001000000001.html"),
                line("javascript:alert(1)"),
                line(""),
                line("/item/1005001000000002.html"),
            ]),
            ..Default::default()
        };
        let CartRead::Lines(ids) = cart_read(&base, &facts) else { panic!() };
        assert_eq!(ids, vec!["1005001000000001", "1005001000000001", "", "", "1005001000000002"], "indices kept for flags");
        assert_eq!(distinct_ids(&ids), vec!["1005001000000001", "1005001000000002"]);
    }

    #[test]
    fn empty_cart_pending_cart_and_unread_cart_differ() {
        let base = parse("https://www.aliexpress.com/p/shoppingcart/index.html").unwrap();
        let empty = PageFacts { cart_items: Some(vec![]), ..Default::default() };
        assert_eq!(cart_read(&base, &empty), CartRead::Lines(vec![]));
        let pending = PageFacts { layout: Some("p".into()), ..Default::default() };
        assert_eq!(cart_read(&base, &pending), CartRead::Pending);
        let waited = PageFacts { layout: Some("aliexpress-com-2026".into()), cart_waited: true, ..Default::default() };
        let CartRead::Unread(note) = cart_read(&base, &waited) else { panic!() };
        assert!(note.contains("aliexpress-com-2026") && note.contains("cart_item"), "{note}");
        // Lines without a product link: the link selector drifted, not an empty cart.
        let no_links = PageFacts { cart_items: Some(vec![line("/store/1"), line("")]), ..Default::default() };
        assert!(matches!(cart_read(&base, &no_links), CartRead::Unread(n) if n.contains("cart_item_link")));
    }

    #[test]
    fn real_2018_flat_run_params_assignments() {
        // tests/real/2018-com-runparams-inline-32904053859.js, unchanged.
        let src = include_str!("../../tests/real/2018-com-runparams-inline-32904053859.js");
        let url = parse("https://www.aliexpress.com/item/32904053859.html").unwrap();
        let facts = PageFacts { embedded: vec![src.into()], ..Default::default() };
        let p = product(&url, &facts, &paths());
        let pr = p.price.expect("price read");
        assert_eq!((pr.currency, pr.min_minor, pr.max_minor), ("USD", 497, None), "sale price US $4.97, not the list price 5.99");
        assert_eq!(p.id.as_deref(), Some("32904053859"));
        let d = embedded_data("window.runParams.a = 1; x = runParams.b == 2; runParams.c='z'", &paths().markers).unwrap();
        assert_eq!(d, serde_json::json!({"a": "1", "c": "z"}), "comparisons are not assignments");
    }

    #[test]
    fn real_2024_component_dump_reads_the_shown_currency() {
        // tests/real/2024-es-runparams-…-mxn-range.json: MXN is shown, the act* fields are USD.
        let src = include_str!("../../tests/real/2024-es-runparams-1005005424987520-mxn-range.json");
        let url = parse("https://es.aliexpress.com/item/1005005424987520.html").unwrap();
        let facts = PageFacts { embedded: vec![format!("window.runParams = {src};")], ..Default::default() };
        let p = product(&url, &facts, &paths());
        let pr = p.price.expect("price read");
        assert_eq!((pr.currency, pr.min_minor, pr.max_minor), ("MXN", 15559, Some(39915)));
        assert_eq!(p.categories.first().map(String::as_str), Some("50906"), "{:?}", p.categories);
    }

    #[test]
    fn no_price_is_said_in_the_notes() {
        let url = parse("https://es.aliexpress.com/item/1005006180026951.html").unwrap();
        let facts = PageFacts { embedded: vec!["window.runParams = {};".into()], ..Default::default() };
        let p = product(&url, &facts, &paths());
        assert!(p.price.is_none());
        assert!(p.notes.iter().any(|n| n.starts_with("price not found")), "{:?}", p.notes);
    }
}
