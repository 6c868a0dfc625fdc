//! Stored records. Every record carries a version `v`; a record that does not decode
//! (wrong types, truncated, a future version) is quarantined: the raw value is kept under
//! a `quarantine.*` key, a diagnostics line says so, and the worker goes on from a fresh
//! record instead of crashing.

use super::evidence::Evidence;
use super::i18n::Lang;
use super::messages::PageFacts;
use super::price::PriceRange;
use super::product::PageKind;
use super::session::Referral;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const SESSION_KEY: &str = "session";
pub const SETTINGS_KEY: &str = "settings";
pub const SESSION_VERSION: u32 = 1;
pub const SETTINGS_VERSION: u32 = 1;
/// Tabs remembered per session (most recently seen kept).
pub const MAX_TABS: usize = 40;

/// What the worker knows about one AliExpress tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct TabInfo {
    pub tab_id: i32,
    pub url: String,
    pub kind: Option<PageKind>,
    pub product: Option<ProductInfo>,
    /// A product page whose price could not be read.
    pub price_unrecognised: bool,
    /// The visible price text first seen for this product in this tab: when it changes
    /// (a SKU or quantity picked), the page's text beats the structured data of the load.
    pub dom_price_first: Option<String>,
    /// Diagnostics for this tab (layout recognised, raw strings that failed to parse).
    pub notes: Vec<String>,
    pub seen_ms: f64,
    /// A checkout page: what it showed (the pitfalls are warned about on it).
    pub checkout: Option<CheckoutInfo>,
    /// A payment result page: the order logged from it.
    pub order: Option<super::orders::Order>,
    /// A cart page: the product id of each line the content script sent, in its order
    /// ("" for a line without one); flags name lines by index.
    pub cart_lines: Vec<String>,
    /// A cart page whose lines no candidate selector matched (after the page had its time).
    pub cart_unread: bool,
}

/// What a checkout page showed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CheckoutInfo {
    pub total: Option<StoredPrice>,
    /// The promo code typed in the checkout's code field (capped).
    pub promo_code: Option<String>,
    pub app_payment: bool,
    /// The rate for the products of this checkout (their category, or the default).
    pub rate_bp: u32,
    pub at_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductInfo {
    pub id: Option<String>,
    pub price: StoredPrice,
    pub category: Option<String>,
    pub quantity: u32,
    /// Which layer the price came from: `json-ld`, `embedded` or `dom`.
    pub source: String,
    /// The rate that applies (category rate or the default), in basis points.
    #[serde(default)]
    pub rate_bp: u32,
}

/// A `PriceRange` in stored form (the currency as an owned code).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPrice {
    pub currency: String,
    pub min_minor: u64,
    pub max_minor: Option<u64>,
    #[serde(default)]
    pub from: bool,
}

impl StoredPrice {
    pub fn from_range(p: &PriceRange) -> StoredPrice {
        StoredPrice { currency: p.currency.to_string(), min_minor: p.min_minor, max_minor: p.max_minor, from: p.from }
    }
    pub fn to_range(&self) -> Option<PriceRange> {
        let info = super::price::currency(&self.currency)?;
        Some(PriceRange { currency: info.code, min_minor: self.min_minor, max_minor: self.max_minor, from: self.from })
    }
}

/// Somebody else's referral seen before any activation of ours (stand-down).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standdown {
    pub key: String,
    pub seen_ms: f64,
    /// `url` (landing parameters) or `cookie`.
    pub via: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionRecord {
    pub v: u32,
    pub referral: Referral,
    pub evidence: Vec<Evidence>,
    pub tabs: Vec<TabInfo>,
    pub standdown: Option<Standdown>,
    pub cart: super::cart::CartBook,
    /// Diagnostics lines about the session itself (quarantined records, storage errors).
    pub notes: Vec<String>,
    /// Extensions that matter, when the shopper let us look (`management` permission).
    /// Read afresh for every event, never stored (it is cheap, and always current).
    #[serde(skip)]
    pub extensions: Option<Vec<super::extensions::Finding>>,
    /// The last checkout seen (the payment result page usually shows no amount).
    pub last_checkout: Option<CheckoutInfo>,
    /// Rates of the products seen this session, for the checkout (most recent last).
    pub rates_seen: Vec<(String, u32)>,
}

impl Default for SessionRecord {
    fn default() -> Self {
        SessionRecord {
            v: SESSION_VERSION,
            referral: Referral::default(),
            evidence: Vec::new(),
            tabs: Vec::new(),
            standdown: None,
            cart: Default::default(),
            notes: Vec::new(),
            extensions: None,
            last_checkout: None,
            rates_seen: Vec::new(),
        }
    }
}

impl SessionRecord {
    pub fn tab(&self, tab_id: i32) -> Option<&TabInfo> {
        self.tabs.iter().find(|t| t.tab_id == tab_id)
    }

    /// The tab's record, created if new; the least recently seen tab is dropped past MAX_TABS.
    pub fn tab_mut(&mut self, tab_id: i32, now: f64) -> &mut TabInfo {
        if let Some(i) = self.tabs.iter().position(|t| t.tab_id == tab_id) {
            self.tabs[i].seen_ms = now;
            return &mut self.tabs[i];
        }
        if self.tabs.len() >= MAX_TABS {
            if let Some((i, _)) =
                self.tabs.iter().enumerate().min_by(|a, b| a.1.seen_ms.partial_cmp(&b.1.seen_ms).unwrap_or(std::cmp::Ordering::Equal))
            {
                self.tabs.remove(i);
            }
        }
        self.tabs.push(TabInfo { tab_id, seen_ms: now, ..Default::default() });
        self.tabs.last_mut().expect("just pushed")
    }

    pub fn remove_tab(&mut self, tab_id: i32) {
        self.tabs.retain(|t| t.tab_id != tab_id);
    }

    /// Remembers the rate of a product seen this session (bounded).
    pub fn saw_rate(&mut self, product_id: &str, rate_bp: u32) {
        self.rates_seen.retain(|(id, _)| id != product_id);
        if self.rates_seen.len() >= 100 {
            self.rates_seen.remove(0);
        }
        self.rates_seen.push((product_id.to_string(), rate_bp));
    }

    pub fn rate_seen(&self, product_id: &str) -> Option<u32> {
        self.rates_seen.iter().find(|(id, _)| id == product_id).map(|(_, r)| *r)
    }

    /// A diagnostics line (capped: it may quote page text).
    pub fn note(&mut self, line: String) {
        if self.notes.len() >= 20 {
            self.notes.remove(0);
        }
        self.notes.push(cap_note(&line));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LangSetting {
    #[default]
    Auto,
    En,
    Ru,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub v: u32,
    pub lang: LangSetting,
    pub banner: bool,
    pub badge: bool,
    /// The reminder 10 minutes after an order (seed 003).
    pub order_check: bool,
    /// Orders kept in the log (oldest pruned).
    pub orders_max: u32,
    /// The shopper's cashback account, when linked (contract §2 `account`). Changed only by
    /// `link-account` / `unlink-account`, never by `set-settings`.
    pub account: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            v: SETTINGS_VERSION,
            lang: LangSetting::Auto,
            banner: true,
            badge: true,
            order_check: true,
            orders_max: super::orders::DEFAULT_MAX,
            account: None,
        }
    }
}

impl Settings {
    pub fn lang(&self, ui_locale: &str) -> Lang {
        match self.lang {
            LangSetting::Auto => Lang::from_locale(ui_locale),
            LangSetting::En => Lang::En,
            LangSetting::Ru => Lang::Ru,
        }
    }
}

/// The outcome of reading a stored record.
#[derive(Debug, PartialEq)]
pub enum Loaded<T> {
    Missing,
    Ok(T),
    /// Undecodable or from a future version: the caller quarantines `raw`.
    Quarantine {
        raw: Value,
        why: String,
    },
}

/// Decodes a versioned record.
pub fn decode<T: DeserializeOwned>(raw: Option<Value>, current_version: u32) -> Loaded<T> {
    let Some(raw) = raw else {
        return Loaded::Missing;
    };
    let v = raw.get("v").and_then(Value::as_u64);
    match v {
        Some(v) if v > u64::from(current_version) => {
            return Loaded::Quarantine { raw, why: format!("version {v} is newer than {current_version}") }
        }
        None => return Loaded::Quarantine { raw, why: "no version".into() },
        _ => {}
    }
    match super::json::from_value::<T>(raw.clone()) {
        Ok(t) => Loaded::Ok(t),
        Err(e) => Loaded::Quarantine { raw, why: e.to_string() },
    }
}

/// Longest diagnostics line kept (page text can be anything, of any length).
pub const MAX_NOTE_CHARS: usize = 300;

pub fn cap_note(line: &str) -> String {
    match line.char_indices().nth(MAX_NOTE_CHARS) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

/// Facts that can be kept for diagnostics: raw strings, capped.
pub fn raw_notes(facts: &PageFacts) -> Vec<String> {
    let cap = |s: &str| -> String {
        let t: String = s.chars().take(80).collect();
        if t.len() < s.len() {
            format!("{t}…")
        } else {
            t
        }
    };
    facts.price.iter().take(3).map(|p| format!("price text: {}", cap(p))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_ok_and_quarantine() {
        assert_eq!(decode::<Settings>(None, 1), Loaded::Missing);
        match decode::<Settings>(Some(json!({"v":1,"lang":"ru","banner":false})), 1) {
            Loaded::Ok(s) => {
                assert_eq!(s.lang, LangSetting::Ru);
                assert!(!s.banner);
                assert!(s.badge, "missing fields take defaults");
            }
            other => panic!("{other:?}"),
        }
        for bad in [json!({"v":1,"lang":42}), json!({"v":9}), json!("truncated"), json!({"lang":"ru"})] {
            assert!(matches!(decode::<Settings>(Some(bad.clone()), 1), Loaded::Quarantine { .. }), "{bad}");
        }
        assert!(matches!(decode::<SessionRecord>(Some(json!({"v":1,"referral":{"state":"exploded"}})), 1), Loaded::Quarantine { .. }));
    }

    #[test]
    fn tabs_are_bounded_and_lru() {
        let mut s = SessionRecord::default();
        for i in 0..(MAX_TABS as i32 + 5) {
            s.tab_mut(i, f64::from(i));
        }
        assert_eq!(s.tabs.len(), MAX_TABS);
        assert!(s.tab(0).is_none());
        assert!(s.tab(MAX_TABS as i32 + 4).is_some());
        s.remove_tab(10);
        assert!(s.tab(10).is_none());
    }

    #[test]
    fn lang_setting() {
        let mut s = Settings::default();
        assert_eq!(s.lang("ru-RU"), Lang::Ru);
        assert_eq!(s.lang("de"), Lang::En);
        s.lang = LangSetting::En;
        assert_eq!(s.lang("ru-RU"), Lang::En);
    }
}
