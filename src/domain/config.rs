//! Operator config (contract §2). Parsed from JSON and validated field by field so that
//! a bad config names the field it is wrong about, at build time and at worker start.

use super::attribution;
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;

/// Largest rate an operator can configure: 100 % in basis points.
pub const MAX_RATE_BP: u32 = 10_000;
/// Longest session an operator can configure: one week.
pub const MAX_SESSION_HOURS: u32 = 24 * 7;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rates {
    pub default_bp: u32,
    /// Category id (decimal digits) → rate in basis points, sorted by id.
    pub categories: Vec<(String, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Config {
    pub program_name: String,
    pub affiliate_key: String,
    pub deep_link: String,
    pub session_hours: u32,
    pub rates: Rates,
    pub disclosure_url: String,
    /// How long an activation may take before it is declared failed (seconds).
    /// Optional; tests shorten it.
    pub activation_timeout_s: u32,
    /// Seconds after a logged order until the "is it in your statistics?" reminder (600).
    pub order_check_s: u32,
    /// Test builds only: enables the deliberately panicking `debug-panic` message and the
    /// checkpoints an outside test can hold the worker at.
    pub test_hooks: bool,
    /// The shopper's cashback account (contract §2, v3); `None`: links carry our key only.
    pub account: Option<Account>,
}

/// Which shopper an order came from: the deep link carries the shopper's linked id as the
/// query parameter `param` (AliExpress Portals' custom tracking strings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// `af`, `cn`, `cv` or `dp`.
    pub param: String,
    /// The operator's id format (a regular expression; checked natively at build time).
    pub pattern: String,
    /// The operator's https origin (`https://host[:port]`), the only one allowed to link
    /// an account by message.
    pub site: String,
}

/// Longest account id accepted, whatever the pattern says.
pub const MAX_ACCOUNT_LEN: usize = 64;

impl Account {
    /// The id's own sanity, before the operator's pattern: printable ASCII without spaces,
    /// 1..=64 characters (it goes into a URL and into the order log).
    pub fn plausible(id: &str) -> bool {
        (1..=MAX_ACCOUNT_LEN).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
    }
}

/// The tracking parameters AliExpress Portals records per order (field-facts §3).
pub const ACCOUNT_PARAMS: &[&str] = &["af", "cn", "cv", "dp"];

fn account_field(v: &Value) -> Result<Account, ConfigError> {
    let o = v.as_object().ok_or_else(|| err("account", "must be an object with param, pattern and site"))?;
    if let Some(unknown) = o.keys().find(|k| !["param", "pattern", "site"].contains(&k.as_str())) {
        return Err(err(&format!("account.{unknown}"), "is not a known field (typo?)"));
    }
    let param = string_field(o, "param").map_err(|e| err("account.param", e.message))?;
    if !ACCOUNT_PARAMS.contains(&param.as_str()) {
        return Err(err("account.param", format!("must be one of {}", ACCOUNT_PARAMS.join(", "))));
    }
    let pattern = string_field(o, "pattern").map_err(|e| err("account.pattern", e.message))?;
    if pattern.len() > 200 {
        return Err(err("account.pattern", "must be at most 200 characters"));
    }
    let site = string_field(o, "site").map_err(|e| err("account.site", e.message))?;
    let origin = match super::url::parse(&site) {
        Ok(u) if u.scheme == "https" => format!("https://{}{}", u.host, u.port.map(|p| format!(":{p}")).unwrap_or_default()),
        _ => return Err(err("account.site", "must be an https origin such as https://cashback.example")),
    };
    if site.trim_end_matches('/') != origin {
        return Err(err("account.site", format!("must be an origin only (scheme and host), e.g. {origin}")));
    }
    Ok(Account { param, pattern, site: origin })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub field: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "config field `{}`: {}", self.field, self.message)
    }
}

fn err(field: &str, message: impl Into<String>) -> ConfigError {
    ConfigError { field: field.to_string(), message: message.into() }
}

fn string_field(obj: &Map<String, Value>, field: &str) -> Result<String, ConfigError> {
    match obj.get(field) {
        None => Err(err(field, "is missing")),
        Some(Value::String(s)) if s.trim().is_empty() => Err(err(field, "is empty")),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(err(field, "must be a string")),
    }
}

fn u32_field(v: Option<&Value>, field: &str, min: u32, max: u32) -> Result<u32, ConfigError> {
    let v = v.ok_or_else(|| err(field, "is missing"))?;
    let n = v.as_u64().ok_or_else(|| err(field, format!("must be a whole number from {min} to {max}")))?;
    if n < u64::from(min) || n > u64::from(max) {
        return Err(err(field, format!("must be from {min} to {max}, got {n}")));
    }
    Ok(n as u32)
}

fn https_url(field: &str, s: &str) -> Result<(), ConfigError> {
    match super::url::parse(s) {
        Ok(u) if u.scheme == "https" => Ok(()),
        Ok(_) => Err(err(field, "must be an https URL")),
        Err(_) => Err(err(field, "is not a valid URL".to_string())),
    }
}

/// Parses and validates an operator config.
pub fn parse_config(json: &str) -> Result<Config, ConfigError> {
    let value: Value = serde_json::from_str(json).map_err(|e| err("(file)", format!("is not valid JSON: {e}")))?;
    from_value(&value)
}

/// Validates an already parsed JSON value (the worker gets one from `JSON.parse`).
pub fn from_value(value: &Value) -> Result<Config, ConfigError> {
    let obj = value.as_object().ok_or_else(|| err("(file)", "must be a JSON object"))?;
    const KNOWN: &[&str] = &[
        "program_name",
        "affiliate_key",
        "deep_link",
        "session_hours",
        "rates",
        "disclosure_url",
        "activation_timeout_s",
        "order_check_s",
        "test_hooks",
        "account",
    ];
    if let Some(unknown) = obj.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(err(unknown, "is not a known field (typo?)"));
    }
    let program_name = string_field(obj, "program_name")?;
    if program_name.chars().count() > 60 {
        return Err(err("program_name", "must be at most 60 characters"));
    }
    let affiliate_key = string_field(obj, "affiliate_key")?;
    if !attribution::valid_key(&affiliate_key) {
        return Err(err("affiliate_key", "must be 1-64 letters, digits or underscores"));
    }
    let deep_link = string_field(obj, "deep_link")?;
    attribution::validate_template(&deep_link).map_err(|e| {
        err(
            "deep_link",
            match e {
                attribution::DeepLinkError::TemplateNotHttps => "must be an https URL",
                attribution::DeepLinkError::TemplateMissingKey => "must contain {key}",
                attribution::DeepLinkError::TemplateMissingUrl => "must contain {url}",
                _ => "is not a valid URL template",
            },
        )
    })?;
    let session_hours = u32_field(obj.get("session_hours"), "session_hours", 1, MAX_SESSION_HOURS)?;
    let rates_v = obj.get("rates").ok_or_else(|| err("rates", "is missing"))?;
    let rates_o = rates_v.as_object().ok_or_else(|| err("rates", "must be an object"))?;
    if let Some(unknown) = rates_o.keys().find(|k| *k != "default_bp" && *k != "categories") {
        return Err(err(&format!("rates.{unknown}"), "is not a known field (typo?)"));
    }
    let default_bp = u32_field(rates_o.get("default_bp"), "rates.default_bp", 0, MAX_RATE_BP)?;
    let mut categories: Vec<(String, u32)> = Vec::new();
    match rates_o.get("categories") {
        None => {}
        Some(Value::Object(m)) => {
            for (id, bp) in m {
                let field = format!("rates.categories.{id}");
                if id.is_empty() || id.len() > 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err(&field, "category ids are 1-12 digits"));
                }
                categories.push((id.clone(), u32_field(Some(bp), &field, 0, MAX_RATE_BP)?));
            }
        }
        Some(_) => return Err(err("rates.categories", "must be an object of id → basis points")),
    }
    let disclosure_url = string_field(obj, "disclosure_url")?;
    https_url("disclosure_url", &disclosure_url)?;
    let activation_timeout_s = match obj.get("activation_timeout_s") {
        None => 30,
        v => u32_field(v, "activation_timeout_s", 5, 600)?,
    };
    let test_hooks = match obj.get("test_hooks") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(err("test_hooks", "must be true or false")),
    };
    let order_check_s = match obj.get("order_check_s") {
        None => 600,
        v => u32_field(v, "order_check_s", 1, 86_400)?,
    };
    let account = match obj.get("account") {
        None | Some(Value::Null) => None,
        Some(v) => Some(account_field(v)?),
    };
    Ok(Config {
        account,
        program_name,
        affiliate_key,
        deep_link,
        session_hours,
        rates: Rates { default_bp, categories },
        disclosure_url,
        activation_timeout_s,
        order_check_s,
        test_hooks,
    })
}

impl Rates {
    /// The configured rate of a category, if any.
    pub fn category_rate(&self, id: &str) -> Option<u32> {
        self.categories.iter().find(|(c, _)| c == id).map(|(_, bp)| *bp)
    }
}

impl Config {
    /// Rate for a product: the first of its categories (most specific first) the config
    /// names, else the default rate.
    pub fn rate_for(&self, categories: &[String]) -> u32 {
        categories.iter().find_map(|c| self.rates.category_rate(c)).unwrap_or(self.rates.default_bp)
    }

    pub fn session_ms(&self) -> f64 {
        f64::from(self.session_hours) * 3_600_000.0
    }
}

/// The account `pattern` compiles (natively, with `regex-lite`), is anchored at both ends
/// (the same full-match meaning in the browser's `RegExp`), and does not accept an empty id.
pub fn check_pattern(c: &Config) -> Result<(), ConfigError> {
    let Some(a) = &c.account else { return Ok(()) };
    let re = regex_lite::Regex::new(&a.pattern).map_err(|e| err("account.pattern", format!("is not a valid regular expression: {e}")))?;
    if !a.pattern.starts_with('^') || !a.pattern.ends_with('$') {
        return Err(err("account.pattern", "must be anchored: start with ^ and end with $"));
    }
    if re.is_match("") {
        return Err(err("account.pattern", "must not accept an empty id"));
    }
    Ok(())
}

/// The manifest as this config needs it: with an account, `externally_connectable` lists
/// the operator's site and nothing else (no other page and no extension can message us);
/// without one, the key is absent (no web page can).
pub fn manifest_for(c: &Config, mut manifest: Value) -> Value {
    if let Some(m) = manifest.as_object_mut() {
        m.remove("externally_connectable");
        if let Some(a) = &c.account {
            m.insert("externally_connectable".into(), serde_json::json!({ "matches": [format!("{}/*", a.site)], "ids": [] }));
        }
    }
    manifest
}

/// The add-on id Firefox (and AMO) knows us by: `browser_specific_settings.gecko.id`.
pub const GECKO_ID: &str = "cashback-guard@cashback-guard.example";
/// Firefox before 128 rejects `data_collection_permissions` (field-facts §8); 140 (the ESR
/// we test in) is the first that uses it, so addons-linter asks for 140.
pub const GECKO_MIN_VERSION: &str = "140.0";

/// The Firefox manifest, from the same source as Chrome's (`manifest_for` first), with what
/// Firefox MV3 needs instead: an event page (`background.scripts`, module) for the service
/// worker, the gecko id, our data-collection declaration (nothing leaves the browser), no
/// `key`, no Chrome-only keys. Firefox has no `externally_connectable` (bug 1319168): the
/// account site reaches us through a content script on that origin only
/// (`inject/account-relay.js`, window messages → `runtime.sendMessage`).
pub fn firefox_manifest(c: &Config, manifest: Value) -> Value {
    let mut manifest = manifest_for(c, manifest);
    if let Some(m) = manifest.as_object_mut() {
        for k in ["key", "minimum_chrome_version", "externally_connectable"] {
            m.remove(k);
        }
        if let Some(bg) = m.get_mut("background").and_then(Value::as_object_mut) {
            if let Some(Value::String(sw)) = bg.remove("service_worker") {
                bg.insert("scripts".into(), serde_json::json!([sw]));
            }
        }
        m.insert(
            "browser_specific_settings".into(),
            serde_json::json!({"gecko": {
                "id": GECKO_ID,
                "strict_min_version": GECKO_MIN_VERSION,
                "data_collection_permissions": {"required": ["none"]}
            }}),
        );
        if let Some(a) = &c.account {
            let relay = serde_json::json!({"matches": [format!("{}/*", a.site)], "js": ["inject/account-relay.js"], "run_at": "document_start", "all_frames": false});
            if let Some(cs) = m.get_mut("content_scripts").and_then(Value::as_array_mut) {
                cs.push(relay);
            } else {
                m.insert("content_scripts".into(), serde_json::json!([relay]));
            }
        }
    }
    manifest
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const DEFAULT: &str = include_str!("../../extension/config/default.json");

    #[test]
    fn default_config_is_valid() {
        let c = parse_config(DEFAULT).expect("default config must validate");
        assert_eq!(c.affiliate_key, "cgDemo0001");
        assert_eq!(c.rates.default_bp, 700);
        assert_eq!(c.rate_for(&["201768104".to_string()]), 300, "gift certificates earn 3 %");
        assert_eq!(c.rate_for(&["999".to_string()]), 700);
        assert_eq!(c.rate_for(&[]), 700);
        assert_eq!(c.session_ms(), 24.0 * 3_600_000.0);
    }

    fn with(field: &str, v: Value) -> String {
        let mut base: Value = serde_json::from_str(DEFAULT).unwrap();
        let mut target = &mut base;
        let parts: Vec<&str> = field.split('.').collect();
        for p in &parts[..parts.len() - 1] {
            target = target.get_mut(*p).unwrap();
        }
        let last = parts[parts.len() - 1];
        if v.is_null() {
            target.as_object_mut().unwrap().remove(last);
        } else {
            target[last] = v;
        }
        base.to_string()
    }

    #[test]
    fn errors_name_the_field() {
        let cases: Vec<(String, &str)> = vec![
            (with("affiliate_key", Value::Null), "affiliate_key"),
            (with("affiliate_key", "bad key!".into()), "affiliate_key"),
            (with("deep_link", "http://s.click.aliexpress.com/?k={key}&u={url}".into()), "deep_link"),
            (with("deep_link", "https://s.click.aliexpress.com/?u={url}".into()), "deep_link"),
            (with("session_hours", 0.into()), "session_hours"),
            (with("session_hours", "24".into()), "session_hours"),
            (with("rates.default_bp", 10_001.into()), "rates.default_bp"),
            (with("rates.default_bp", (-1).into()), "rates.default_bp"),
            (with("rates.categories", serde_json::json!({"abc": 100})), "rates.categories.abc"),
            (with("rates.categories", serde_json::json!({"123": 1.5})), "rates.categories.123"),
            (with("disclosure_url", "javascript:alert(1)".into()), "disclosure_url"),
            (with("program_name", "".into()), "program_name"),
            (with("colour", "red".into()), "colour"),
        ];
        for (json, field) in cases {
            let e = parse_config(&json).expect_err(&json);
            assert_eq!(e.field, field, "{json}");
            assert!(e.to_string().contains(field));
        }
        assert_eq!(parse_config("{").unwrap_err().field, "(file)");
        assert_eq!(parse_config("[]").unwrap_err().field, "(file)");
    }

    #[test]
    fn account_is_optional_and_checked_field_by_field() {
        assert_eq!(parse_config(DEFAULT).unwrap().account, None);
        let good = serde_json::json!({"param": "af", "pattern": "^[0-9A-Za-z_-]{3,40}$", "site": "https://cashback.example"});
        let a = parse_config(&with("account", good.clone())).unwrap().account.unwrap();
        assert_eq!((a.param.as_str(), a.site.as_str()), ("af", "https://cashback.example"));
        let bad = |k: &str, v: Value| {
            let mut x = good.clone();
            x[k] = v;
            parse_config(&with("account", x)).unwrap_err().field
        };
        assert_eq!(bad("param", "utm_source".into()), "account.param");
        assert_eq!(bad("site", "http://cashback.example".into()), "account.site");
        assert_eq!(bad("site", "https://cashback.example/login".into()), "account.site");
        assert_eq!(bad("pattern", "".into()), "account.pattern");
        assert_eq!(bad("extra", "x".into()), "account.extra");
        assert_eq!(parse_config(&with("account", "af".into())).unwrap_err().field, "account");
        assert!(Account::plausible("shopper_7-x"));
        assert!(!Account::plausible("has space") && !Account::plausible("") && !Account::plausible(&"x".repeat(65)));
    }

    #[test]
    fn the_build_checks_the_pattern_and_writes_externally_connectable() {
        let acc = |pattern: &str| {
            let v = serde_json::json!({"param": "af", "pattern": pattern, "site": "https://cashback.example"});
            parse_config(&with("account", v)).unwrap()
        };
        assert!(check_pattern(&acc("^[0-9A-Za-z_-]{3,40}$")).is_ok());
        assert_eq!(check_pattern(&acc("^[0-9")).unwrap_err().field, "account.pattern");
        assert_eq!(check_pattern(&acc("[0-9]+")).unwrap_err().field, "account.pattern");
        assert_eq!(check_pattern(&acc("^.*$")).unwrap_err().field, "account.pattern");
        let m = manifest_for(&acc("^[a-z]{3}$"), serde_json::json!({"name": "x", "externally_connectable": {"matches": ["<all_urls>"]}}));
        assert_eq!(m["externally_connectable"], serde_json::json!({"matches": ["https://cashback.example/*"], "ids": []}));
        let m = manifest_for(&parse_config(DEFAULT).unwrap(), serde_json::json!({"name": "x", "externally_connectable": {}}));
        assert!(m.get("externally_connectable").is_none());
    }

    #[test]
    fn the_firefox_manifest_comes_from_the_same_source() {
        let chrome: Value = serde_json::from_str(include_str!("../../manifest.json")).unwrap();
        let acc = serde_json::json!({"param": "af", "pattern": "^[a-z]{3}$", "site": "https://cashback.example"});
        let ff = firefox_manifest(&parse_config(&with("account", acc)).unwrap(), chrome.clone());
        assert_eq!(ff["background"], serde_json::json!({"scripts": ["background/worker.js"], "type": "module"}));
        assert_eq!(ff["browser_specific_settings"]["gecko"]["id"], GECKO_ID);
        assert_eq!(ff["browser_specific_settings"]["gecko"]["data_collection_permissions"], serde_json::json!({"required": ["none"]}));
        let min: f64 = ff["browser_specific_settings"]["gecko"]["strict_min_version"].as_str().unwrap().parse().unwrap();
        assert!(min >= 128.0);
        for gone in ["key", "externally_connectable", "minimum_chrome_version"] {
            assert!(ff.get(gone).is_none(), "{gone} must not be in the Firefox manifest");
        }
        // The relay runs on the account site only; the AliExpress scripts are Chrome's.
        let cs = ff["content_scripts"].as_array().unwrap();
        assert_eq!(cs[0], chrome["content_scripts"][0]);
        assert_eq!(cs[1]["matches"], serde_json::json!(["https://cashback.example/*"]));
        assert_eq!(cs[1]["js"], serde_json::json!(["inject/account-relay.js"]));
        // Everything else is Chrome's, key for key.
        for (k, v) in chrome.as_object().unwrap() {
            if !["key", "background", "minimum_chrome_version", "content_scripts"].contains(&k.as_str()) {
                assert_eq!(&ff[k], v, "{k}");
            }
        }
        // Without an account: no relay.
        let ff = firefox_manifest(&parse_config(DEFAULT).unwrap(), chrome);
        assert_eq!(ff["content_scripts"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn activation_timeout_defaults_and_bounds() {
        assert_eq!(parse_config(DEFAULT).unwrap().activation_timeout_s, 30);
        let c = parse_config(&with("activation_timeout_s", 8.into())).unwrap();
        assert_eq!(c.activation_timeout_s, 8);
        assert!(parse_config(&with("activation_timeout_s", 1.into())).is_err());
    }
}
