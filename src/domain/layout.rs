//! Layout profiles: which selectors and embedded-data keys read a price, a category, the
//! cart on each AliExpress storefront. They are data (`extension/layouts/layouts.json`,
//! versioned), so a layout change on AliExpress is a data change, not a code change. The
//! worker hands the content script the profile for the page's storefront.

use super::product::Storefront;
use serde::{Deserialize, Serialize};

#[cfg(not(target_arch = "wasm32"))]
pub const LAYOUTS_JSON: &str = include_str!("../../extension/layouts/layouts.json");
pub const SUPPORTED_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selectors {
    pub price: Vec<String>,
    pub json_ld: String,
    pub embedded: Vec<String>,
    pub category_links: String,
    pub quantity: String,
    pub cart_count: String,
    pub cart_container: String,
    pub cart_item: String,
    pub cart_item_link: String,
    pub cart_item_quantity: String,
    pub add_to_cart: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub id: String,
    /// `com`, `ru`, `us`.
    pub storefronts: Vec<String>,
    pub selectors: Selectors,
}

/// Keys searched for in embedded page data (`runParams`, `__AER_DATA__`), in order.
/// A dotted entry is a path below a found key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbeddedPaths {
    pub price_min: Vec<String>,
    pub price_max: Vec<String>,
    pub category: Vec<String>,
    pub product_id: Vec<String>,
    /// An inline script is only parsed when it contains one of these.
    pub markers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layouts {
    pub version: u32,
    #[serde(default)]
    pub updated: String,
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

/// Parses and checks a layouts file: known version, at least one profile, no empty selector.
pub fn parse_layouts(json: &str) -> Result<Layouts, String> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| format!("not a layouts file: {e}"))?;
    let l: Layouts = serde_json::from_value(v).map_err(|e| format!("not a layouts file: {e}"))?;
    if l.version != SUPPORTED_VERSION {
        return Err(format!("version {} is not supported (expected {SUPPORTED_VERSION})", l.version));
    }
    if l.profiles.is_empty() {
        return Err("no profiles".into());
    }
    for p in &l.profiles {
        let s = &p.selectors;
        let singles = [
            ("json_ld", &s.json_ld),
            ("category_links", &s.category_links),
            ("quantity", &s.quantity),
            ("cart_count", &s.cart_count),
            ("cart_container", &s.cart_container),
            ("cart_item", &s.cart_item),
            ("cart_item_link", &s.cart_item_link),
            ("cart_item_quantity", &s.cart_item_quantity),
        ];
        for (name, v) in singles {
            if v.trim().is_empty() {
                return Err(format!("profile {}: selector `{name}` is empty", p.id));
            }
        }
        if s.price.is_empty() || s.price.iter().any(|x| x.trim().is_empty()) {
            return Err(format!("profile {}: `price` needs at least one non-empty selector", p.id));
        }
    }
    Ok(l)
}

static INSTALLED: std::sync::OnceLock<Layouts> = std::sync::OnceLock::new();

/// Installs the layouts read from the extension package at worker start (wasm).
pub fn install(json: &str) -> Result<(), String> {
    let l = parse_layouts(json)?;
    let _ = INSTALLED.set(l);
    Ok(())
}

/// The installed layouts; native builds fall back to the bundled file (checked by tests
/// and by `cg-config` at build time).
pub fn current() -> Option<&'static Layouts> {
    #[cfg(not(target_arch = "wasm32"))]
    if INSTALLED.get().is_none() {
        if let Ok(l) = parse_layouts(LAYOUTS_JSON) {
            let _ = INSTALLED.set(l);
        }
    }
    INSTALLED.get()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn bundled() -> &'static Layouts {
    current().expect("bundled layouts are valid (tested)")
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
    fn rejects_unknown_version_and_empty_selectors() {
        let bad = LAYOUTS_JSON.replacen("\"version\": 1", "\"version\": 9", 1);
        assert!(parse_layouts(&bad).unwrap_err().contains("version 9"));
        let bad = LAYOUTS_JSON.replacen("\"cart_item_link\": \"a[href*='/item/']\"", "\"cart_item_link\": \" \"", 1);
        assert!(parse_layouts(&bad).unwrap_err().contains("cart_item_link"));
        assert!(parse_layouts("{").is_err());
    }
}
