//! Layout profiles: which selectors and embedded-data keys read a price, a category, the
//! cart on each AliExpress storefront. They are data (`extension/layouts/layouts.json`,
//! versioned), so a layout change on AliExpress is a data change, not a code change. The
//! worker hands the content script the profile for the page's storefront.

use super::product::Storefront;
use serde_json::Value;

pub const LAYOUTS_JSON: &str = include_str!("../../extension/layouts/layouts.json");
/// 2: cart lines by several candidate selectors (`cart_item` a list), no outer container;
/// the embedded-data markers reach the content script inside its profile.
pub const SUPPORTED_VERSION: u32 = 2;

/// Selectors every profile must have: single CSS selectors, then selector lists.
pub const SINGLE_SELECTORS: &[&str] = &[
    "json_ld",
    "category_links",
    "quantity",
    "cart_count",
    "cart_item_link",
    "cart_item_quantity",
    "cart_empty",
    "affiliate_links",
    "affiliate_frames",
    "checkout_total",
    "promo_code",
    "app_payment",
    "app_payment_scope",
    "pay_success",
    "order_links",
    "bait_class",
];
/// Lists (of selectors; `app_payment_texts` holds lower-case phrases).
pub const LIST_SELECTORS: &[&str] = &["price", "embedded", "cart_item", "add_to_cart", "app_payment_texts"];

/// One storefront's profile. `raw` is what the content script receives
/// (`{id, storefronts, selectors: {…}}`).
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub id: String,
    /// `com`, `ru`, `us`.
    pub storefronts: Vec<String>,
    pub raw: Value,
}

/// Keys searched for in embedded page data (`runParams`, `__AER_DATA__`), in order.
/// A dotted entry is a path below a found key.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmbeddedPaths {
    pub price_min: Vec<String>,
    pub price_max: Vec<String>,
    pub category: Vec<String>,
    pub product_id: Vec<String>,
    /// An inline script is only parsed when it contains one of these.
    pub markers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Layouts {
    pub version: u32,
    pub profiles: Vec<Profile>,
    pub embedded_paths: EmbeddedPaths,
}

fn storefront_code(s: Storefront) -> &'static str {
    match s {
        Storefront::Com => "com",
        Storefront::Ru => "ru",
        Storefront::Us => "us",
    }
}

impl Layouts {
    /// The profile for a storefront (the first that lists it).
    pub fn for_storefront(&self, s: Storefront) -> Option<&Profile> {
        let code = storefront_code(s);
        self.profiles.iter().find(|p| p.storefronts.iter().any(|c| c == code))
    }
}

/// A list of non-empty strings at `v[key]`.
fn strings(v: &Value, key: &str, what: &str) -> Result<Vec<String>, String> {
    let arr = v.get(key).and_then(Value::as_array).ok_or_else(|| format!("{what}: `{key}` must be a list of strings"))?;
    let mut out = Vec::with_capacity(arr.len());
    for x in arr {
        match x.as_str() {
            Some(s) if !s.trim().is_empty() => out.push(s.to_string()),
            _ => return Err(format!("{what}: `{key}` has an empty or non-string entry")),
        }
    }
    if out.is_empty() {
        return Err(format!("{what}: `{key}` needs at least one entry"));
    }
    Ok(out)
}

/// Parses and checks a layouts file: known version, at least one profile, every selector
/// present and non-empty. (Read by hand from a JSON value: it keeps the wasm small.)
pub fn parse_layouts(json: &str) -> Result<Layouts, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| format!("not a layouts file: {e}"))?;
    let version = v.get("version").and_then(Value::as_u64).ok_or("`version` is missing")?;
    if version != u64::from(SUPPORTED_VERSION) {
        return Err(format!("version {version} is not supported (expected {SUPPORTED_VERSION})"));
    }
    let list = v.get("profiles").and_then(Value::as_array).ok_or("`profiles` must be a list")?;
    if list.is_empty() {
        return Err("no profiles".into());
    }
    let mut profiles = Vec::new();
    for p in list {
        let id = p.get("id").and_then(Value::as_str).filter(|s| !s.is_empty()).ok_or("a profile has no `id`")?;
        let what = format!("profile {id}");
        let storefronts = strings(p, "storefronts", &what)?;
        let sel = p.get("selectors").filter(|s| s.is_object()).ok_or_else(|| format!("{what}: `selectors` missing"))?;
        for name in SINGLE_SELECTORS {
            match sel.get(*name).and_then(Value::as_str) {
                Some(s) if !s.trim().is_empty() => {}
                _ => return Err(format!("{what}: selector `{name}` is empty")),
            }
        }
        for name in LIST_SELECTORS {
            strings(sel, name, &what)?;
        }
        profiles.push(Profile { id: id.to_string(), storefronts, raw: p.clone() });
    }
    let e = v.get("embedded_paths").ok_or("`embedded_paths` is missing")?;
    let embedded_paths = EmbeddedPaths {
        price_min: strings(e, "price_min", "embedded_paths")?,
        price_max: strings(e, "price_max", "embedded_paths")?,
        category: strings(e, "category", "embedded_paths")?,
        product_id: strings(e, "product_id", "embedded_paths")?,
        markers: strings(e, "markers", "embedded_paths")?,
    };
    // One source of truth: the content script keeps the inline scripts holding one of these
    // markers (or JSON, `json_prefix`), the same ones `extract` parses.
    for p in &mut profiles {
        if let Some(o) = p.raw.as_object_mut() {
            o.insert("markers".into(), e["markers"].clone());
            o.insert("json_prefix".into(), e.get("json_prefix").cloned().unwrap_or(Value::Null));
        }
    }
    Ok(Layouts { version: SUPPORTED_VERSION, profiles, embedded_paths })
}

/// The layouts file as shipped (tests and native tools; the worker reads the package instead).
pub fn bundled() -> Layouts {
    parse_layouts(LAYOUTS_JSON).expect("bundled layouts are valid (tested)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_layouts_cover_every_storefront() {
        let l = parse_layouts(LAYOUTS_JSON).unwrap();
        assert_eq!(l.for_storefront(Storefront::Ru).unwrap().id, "aliexpress-ru-2026");
        assert_eq!(l.for_storefront(Storefront::Com).unwrap().id, "aliexpress-com-2026");
        assert_eq!(l.for_storefront(Storefront::Us).unwrap().id, "aliexpress-com-2026");
    }

    #[test]
    fn profiles_carry_the_markers_and_several_cart_line_candidates() {
        let l = parse_layouts(LAYOUTS_JSON).unwrap();
        for p in &l.profiles {
            let m: Vec<&str> = p.raw["markers"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
            assert_eq!(m, l.embedded_paths.markers.iter().map(String::as_str).collect::<Vec<_>>(), "{}", p.id);
            assert_eq!(p.raw["json_prefix"], "{");
            assert!(p.raw["selectors"]["cart_item"].as_array().unwrap().len() >= 2, "{}", p.id);
            assert!(p.raw["selectors"].get("cart_container").is_none(), "no outer container: {}", p.id);
            assert!(p.raw["cart_wait_ms"].as_u64().unwrap() > 0);
        }
    }

    #[test]
    fn rejects_unknown_version_and_empty_selectors() {
        let bad = LAYOUTS_JSON.replacen("\"version\": 2", "\"version\": 9", 1);
        assert!(parse_layouts(&bad).unwrap_err().contains("version 9"));
        let bad = LAYOUTS_JSON.replacen("\"cart_item_link\": \"a[href*='/item/']\"", "\"cart_item_link\": \" \"", 1);
        assert!(parse_layouts(&bad).unwrap_err().contains("cart_item_link"));
        let bad = LAYOUTS_JSON.replacen("\"markers\": [", "\"markers\": [5, ", 1);
        assert!(parse_layouts(&bad).unwrap_err().contains("markers"));
        let bad = LAYOUTS_JSON.replacen("\"price\": [", "\"price\": [\"\", ", 1);
        assert!(parse_layouts(&bad).unwrap_err().contains("price"));
        assert!(parse_layouts("{").is_err());
    }
}
