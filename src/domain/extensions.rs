//! Installed extensions (`chrome.management.getAll`, an optional permission the shopper
//! grants from the options page) matched against a registry of known ids kept as data
//! (`extension/registry/extensions.json`): blockers, cashback/coupon plugins, AliExpress
//! helpers. An unknown enabled extension that can block or redirect requests is noted too.

use serde_json::Value;

pub const REGISTRY_JSON: &str = include_str!("../../extension/registry/extensions.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Blocker,
    Cashback,
    AliexpressHelper,
    /// Not in the registry, but its permissions let it block or redirect requests.
    Capable,
    /// Unknown, but it can see AliExpress tabs and navigate or script them: a suspect
    /// when a tab is sent through another affiliate's link (never warned about alone).
    Navigator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub id: String,
    pub name: String,
    pub category: Category,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Registry {
    pub known: Vec<Known>,
}

/// An enabled extension worth telling the shopper about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub id: String,
    pub name: String,
    pub category: Category,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Blocker => "blocker",
            Category::Cashback => "cashback",
            Category::AliexpressHelper => "aliexpress-helper",
            Category::Capable => "can block or redirect requests",
            Category::Navigator => "can navigate AliExpress tabs",
        }
    }
}

fn category(s: &str) -> Option<Category> {
    match s {
        "blocker" => Some(Category::Blocker),
        "cashback" => Some(Category::Cashback),
        "aliexpress-helper" => Some(Category::AliexpressHelper),
        _ => None,
    }
}

/// Parses the registry file (by hand from JSON: small in wasm).
pub fn parse_registry(json: &str) -> Result<Registry, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| format!("registry: {e}"))?;
    let list = v.get("extensions").and_then(Value::as_array).ok_or("registry: `extensions` must be a list")?;
    let mut known = Vec::with_capacity(list.len());
    for e in list {
        let id = e.get("id").and_then(Value::as_str).filter(|s| is_extension_id(s)).ok_or("registry: an entry has a bad `id`")?;
        let name = e.get("name").and_then(Value::as_str).unwrap_or(id);
        let cat = e
            .get("category")
            .and_then(Value::as_str)
            .and_then(category)
            .ok_or_else(|| format!("registry: {id} has an unknown category"))?;
        known.push(Known { id: id.to_string(), name: name.to_string(), category: cat });
    }
    Ok(Registry { known })
}

/// Chrome extension ids are 32 letters a–p.
pub fn is_extension_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| (b'a'..=b'p').contains(&b))
}

const BLOCKING_PERMISSIONS: &[&str] = &["declarativeNetRequest", "declarativeNetRequestWithHostAccess", "webRequestBlocking", "proxy"];
const NAVIGATING_PERMISSIONS: &[&str] = &["tabs", "webNavigation", "scripting"];

fn broad_or_aliexpress(host: &str) -> bool {
    host == "<all_urls>"
        || host.starts_with("*://*/")
        || host.starts_with("http://*/")
        || host.starts_with("https://*/")
        || host.contains("aliexpress")
}

/// The enabled extensions (from `chrome.management.getAll()`) that matter, ours excluded.
/// Entries that are not objects or lack an id are skipped.
pub fn assess(installed: &Value, registry: &Registry, our_id: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in installed.as_array().map(Vec::as_slice).unwrap_or(&[]).iter().take(500) {
        let Some(id) = e.get("id").and_then(Value::as_str) else { continue };
        let enabled = e.get("enabled").and_then(Value::as_bool).unwrap_or(false);
        let is_extension = e.get("type").and_then(Value::as_str).is_none_or(|t| t == "extension");
        if id == our_id || !enabled || !is_extension {
            continue;
        }
        let name: String = e.get("name").and_then(Value::as_str).unwrap_or(id).chars().take(80).collect();
        if let Some(k) = registry.known.iter().find(|k| k.id == id) {
            out.push(Finding { id: id.to_string(), name, category: k.category });
            continue;
        }
        let strs = |key: &str| -> Vec<&str> {
            e.get(key).and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
        };
        let can_block = strs("permissions").iter().any(|p| BLOCKING_PERMISSIONS.contains(p));
        let reaches = strs("hostPermissions").iter().any(|h| broad_or_aliexpress(h));
        let navigates = strs("permissions").iter().any(|p| NAVIGATING_PERMISSIONS.contains(p));
        if can_block && reaches {
            out.push(Finding { id: id.to_string(), name, category: Category::Capable });
        } else if navigates && reaches {
            out.push(Finding { id: id.to_string(), name, category: Category::Navigator });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OURS: &str = "mflipbpjpaibekgkgnkkhfgdndeomlaf";

    #[test]
    fn registry_parses_and_knows_the_big_names() {
        let r = parse_registry(REGISTRY_JSON).unwrap();
        let find = |id: &str| r.known.iter().find(|k| k.id == id).unwrap();
        assert_eq!(find("cjpalhdlnbpafiamejdnhcphjbkeiagm").category, Category::Blocker);
        assert_eq!(find("bmnlcjabgnpnenekpadlanbbkooimhnj").name, "Honey");
        assert_eq!(find("hfdhpmpfpcnbboppkkkblilhbloejijj").category, Category::Cashback);
        assert_eq!(find("eenflijjbchafephdplkdmeenekabdfb").category, Category::AliexpressHelper);
        assert!(r.known.iter().all(|k| is_extension_id(&k.id)));
        assert!(parse_registry(r#"{"extensions":[{"id":"x","category":"blocker"}]}"#).is_err());
        assert!(parse_registry(r#"{"extensions":[{"id":"cjpalhdlnbpafiamejdnhcphjbkeiagm","category":"spy"}]}"#).is_err());
    }

    #[test]
    fn assess_names_known_and_capable_extensions_only_when_enabled() {
        let r = parse_registry(REGISTRY_JSON).unwrap();
        let installed = json!([
            {"id": "cjpalhdlnbpafiamejdnhcphjbkeiagm", "name": "uBlock Origin", "enabled": true, "type": "extension"},
            {"id": "bmnlcjabgnpnenekpadlanbbkooimhnj", "name": "Honey", "enabled": false, "type": "extension"},
            {"id": "lphicbbhfmllgmomkkhjfkpbdlncafbn", "name": "LetyShops", "enabled": true},
            {"id": "aaaabbbbccccddddeeeeffffgggghhhh", "name": "Mystery redirector", "enabled": true,
             "permissions": ["declarativeNetRequestWithHostAccess"], "hostPermissions": ["*://*.aliexpress.com/*"]},
            {"id": "bbbbccccddddeeeeffffgggghhhhiiii", "name": "Harmless theme helper", "enabled": true,
             "permissions": ["storage"], "hostPermissions": ["<all_urls>"]},
            {"id": "ddddeeeeffffgggghhhhiiiijjjjkkkk", "name": "Tab steerer", "enabled": true,
             "permissions": ["tabs"], "hostPermissions": ["https://*.aliexpress.com/*"]},
            {"id": "eeeeffffgggghhhhiiiijjjjkkkkllll", "name": "Tab organiser", "enabled": true,
             "permissions": ["tabs"], "hostPermissions": ["https://*.example.org/*"]},
            {"id": OURS, "name": "Cashback Guard", "enabled": true, "permissions": ["webRequest"]},
            {"id": "ccccddddeeeeffffgggghhhhiiiijjjj", "name": "A theme", "enabled": true, "type": "theme"},
            "garbage", {"name": "no id"}
        ]);
        let f = assess(&installed, &r, OURS);
        let got: Vec<(&str, Category)> = f.iter().map(|x| (x.id.as_str(), x.category)).collect();
        assert_eq!(
            got,
            vec![
                ("cjpalhdlnbpafiamejdnhcphjbkeiagm", Category::Blocker),
                ("lphicbbhfmllgmomkkhjfkpbdlncafbn", Category::Cashback),
                ("aaaabbbbccccddddeeeeffffgggghhhh", Category::Capable),
                ("ddddeeeeffffgggghhhhiiiijjjjkkkk", Category::Navigator),
            ]
        );
        assert!(assess(&json!({"not": "a list"}), &r, OURS).is_empty());
    }
}
