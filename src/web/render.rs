//! Turns a view tree (`{t, a, x, c}` from `domain::view`) into DOM with `createElement`,
//! whitelisted attributes and `textContent`: nothing is ever parsed as markup.

use serde_json::Value;
use wasm_bindgen::JsValue;
use web_sys::{Document, Element};

pub const TAGS: &[&str] = &[
    "div", "span", "p", "button", "strong", "a", "main", "details", "summary", "pre", "h1", "section", "ul", "li",
];

/// Whether an attribute may be set (`aria-*` and the `data-*` of the contract included).
pub fn attr_allowed(name: &str, value: &str) -> bool {
    match name {
        "href" => value.starts_with("https://"),
        "class" | "role" | "type" | "title" | "lang" | "target" | "rel" => true,
        _ => name.starts_with("aria-") || name.starts_with("data-"),
    }
}

/// Builds the element for `node`; unknown tags become `span`, bad attributes are dropped.
pub fn build(doc: &Document, node: &Value, depth: usize) -> Result<Element, JsValue> {
    let tag = node.get("t").and_then(Value::as_str).filter(|t| TAGS.contains(t)).unwrap_or("span");
    let el = doc.create_element(tag)?;
    if let Some(pairs) = node.get("a").and_then(Value::as_array) {
        for p in pairs {
            if let (Some(k), Some(v)) = (p.get(0).and_then(Value::as_str), p.get(1).and_then(Value::as_str)) {
                if attr_allowed(k, v) && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
                    el.set_attribute(k, v)?;
                }
            }
        }
    }
    if let Some(x) = node.get("x").and_then(Value::as_str) {
        el.set_text_content(Some(x));
    }
    if depth < 32 {
        if let Some(children) = node.get("c").and_then(Value::as_array) {
            for c in children {
                el.append_child(&build(doc, c, depth + 1)?.into())?;
            }
        }
    }
    Ok(el)
}

/// Replaces the children of `target` with the rendered `node`.
pub fn render_into(target: &Element, node: &Value) -> Result<Element, JsValue> {
    let doc = target.owner_document().ok_or_else(|| JsValue::from_str("detached target"))?;
    let el = build(&doc, node, 0)?;
    target.set_text_content(None);
    target.append_child(&el)?;
    Ok(el)
}
