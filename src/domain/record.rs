//! Stored records. Every record carries a version `v`; a record that does not decode
//! (wrong types, truncated, a future version) is quarantined: the raw value is kept under
//! a `quarantine.*` key, a diagnostics line says so, and the worker goes on from a fresh
//! record instead of crashing.

use super::evidence::Evidence;
use super::i18n::Lang;
use super::json::{self, serde_via_json, unit_enum, FromJson, Obj, Out, ToJson};
use super::messages::PageFacts;
use super::price::PriceRange;
use super::product::PageKind;
use super::session::Activation;
use serde_json::Value;

pub const SESSION_KEY: &str = "session";
pub const SETTINGS_KEY: &str = "settings";
pub const SESSION_VERSION: u32 = 1;
pub const SETTINGS_VERSION: u32 = 1;
/// Tabs remembered per session (most recently seen kept).
pub const MAX_TABS: usize = 40;

/// What the worker knows about one AliExpress tab.
#[derive(Debug, Clone, PartialEq, Default)]
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
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckoutInfo {
    pub total: Option<StoredPrice>,
    /// The promo code typed in the checkout's code field (capped).
    pub promo_code: Option<String>,
    pub app_payment: bool,
    /// The rate for the products of this checkout (their category, or the default).
    pub rate_bp: u32,
    pub at_ms: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProductInfo {
    pub id: Option<String>,
    pub price: StoredPrice,
    pub category: Option<String>,
    pub quantity: u32,
    /// Which layer the price came from: `json-ld`, `embedded` or `dom`.
    pub source: String,
    /// The rate that applies (category rate or the default), in basis points.
    pub rate_bp: u32,
}

/// A `PriceRange` in stored form (the currency as an owned code).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoredPrice {
    pub currency: String,
    pub min_minor: u64,
    pub max_minor: Option<u64>,
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
#[derive(Debug, Clone, PartialEq)]
pub struct Standdown {
    pub key: String,
    pub seen_ms: f64,
    /// `url` (landing parameters) or `cookie`.
    pub via: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub v: u32,
    pub referral: Activation,
    pub evidence: Vec<Evidence>,
    pub tabs: Vec<TabInfo>,
    pub standdown: Option<Standdown>,
    pub cart: super::cart::CartBook,
    /// Diagnostics lines about the session itself (quarantined records, storage errors).
    pub notes: Vec<String>,
    /// Extensions that matter, when the shopper let us look (`management` permission).
    /// Read afresh for every event, never stored (it is cheap, and always current).
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
            referral: Activation::default(),
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LangSetting {
    #[default]
    Auto,
    En,
    Ru,
}

#[derive(Debug, Clone, PartialEq)]
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
pub fn decode<T: FromJson>(raw: Option<Value>, current_version: u32) -> Loaded<T> {
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
    match json::from_value::<T>(raw.clone()) {
        Ok(t) => Loaded::Ok(t),
        Err(e) => Loaded::Quarantine { raw, why: e.to_string() },
    }
}

// Decoding (serde's rules for these types, see `json`): the fields a struct marked
// "defaults" lacks take its `Default`; `TabInfo`, `CheckoutInfo`, `SessionRecord` and
// `Settings` default every field, the others only those noted.

impl FromJson for TabInfo {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct TabInfo")?;
        let r = TabInfo {
            tab_id: o.def("tab_id"),
            url: o.def("url"),
            kind: o.def("kind"),
            product: o.def("product"),
            price_unrecognised: o.def("price_unrecognised"),
            dom_price_first: o.def("dom_price_first"),
            notes: o.def("notes"),
            seen_ms: o.def("seen_ms"),
            checkout: o.def("checkout"),
            order: o.def("order"),
            cart_lines: o.def("cart_lines"),
            cart_unread: o.def("cart_unread"),
        };
        o.end(r)
    }
}

impl FromJson for CheckoutInfo {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct CheckoutInfo")?;
        let r = CheckoutInfo {
            total: o.def("total"),
            promo_code: o.def("promo_code"),
            app_payment: o.def("app_payment"),
            rate_bp: o.def("rate_bp"),
            at_ms: o.def("at_ms"),
        };
        o.end(r)
    }
}

impl FromJson for ProductInfo {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct ProductInfo")?;
        let r = ProductInfo {
            id: o.req("id"),
            price: o.req("price"),
            category: o.req("category"),
            quantity: o.req("quantity"),
            source: o.req("source"),
            rate_bp: o.def("rate_bp"),
        };
        o.end(r)
    }
}

impl FromJson for StoredPrice {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct StoredPrice")?;
        let r =
            StoredPrice { currency: o.req("currency"), min_minor: o.req("min_minor"), max_minor: o.req("max_minor"), from: o.def("from") };
        o.end(r)
    }
}

impl FromJson for Standdown {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct Standdown")?;
        let r = Standdown { key: o.req("key"), seen_ms: o.req("seen_ms"), via: o.req("via") };
        o.end(r)
    }
}

impl FromJson for SessionRecord {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct SessionRecord")?;
        let d = SessionRecord::default();
        let r = SessionRecord {
            v: o.or("v", d.v),
            referral: o.def("referral"),
            evidence: o.def("evidence"),
            tabs: o.def("tabs"),
            standdown: o.def("standdown"),
            cart: o.def("cart"),
            notes: o.def("notes"),
            // Never stored.
            extensions: None,
            last_checkout: o.def("last_checkout"),
            rates_seen: o.def("rates_seen"),
        };
        o.end(r)
    }
}

unit_enum!(LangSetting { "auto" => LangSetting::Auto, "en" => LangSetting::En, "ru" => LangSetting::Ru });

impl FromJson for Settings {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct Settings")?;
        let d = Settings::default();
        let r = Settings {
            v: o.or("v", d.v),
            lang: o.or("lang", d.lang),
            banner: o.or("banner", d.banner),
            badge: o.or("badge", d.badge),
            order_check: o.or("order_check", d.order_check),
            orders_max: o.or("orders_max", d.orders_max),
            account: o.or("account", d.account),
        };
        o.end(r)
    }
}

impl ToJson for TabInfo {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("tab_id", &self.tab_id);
        o.f("url", &self.url);
        o.f("kind", &self.kind);
        o.f("product", &self.product);
        o.f("price_unrecognised", &self.price_unrecognised);
        o.f("dom_price_first", &self.dom_price_first);
        o.f("notes", &self.notes);
        o.f("seen_ms", &self.seen_ms);
        o.f("checkout", &self.checkout);
        o.f("order", &self.order);
        o.f("cart_lines", &self.cart_lines);
        o.f("cart_unread", &self.cart_unread);
        o.done()
    }
}

impl ToJson for CheckoutInfo {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("total", &self.total);
        o.f("promo_code", &self.promo_code);
        o.f("app_payment", &self.app_payment);
        o.f("rate_bp", &self.rate_bp);
        o.f("at_ms", &self.at_ms);
        o.done()
    }
}

impl ToJson for ProductInfo {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("id", &self.id);
        o.f("price", &self.price);
        o.f("category", &self.category);
        o.f("quantity", &self.quantity);
        o.f("source", &self.source);
        o.f("rate_bp", &self.rate_bp);
        o.done()
    }
}

impl ToJson for StoredPrice {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("currency", &self.currency);
        o.f("min_minor", &self.min_minor);
        o.f("max_minor", &self.max_minor);
        o.f("from", &self.from);
        o.done()
    }
}

impl ToJson for Standdown {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("key", &self.key);
        o.f("seen_ms", &self.seen_ms);
        o.f("via", &self.via);
        o.done()
    }
}

/// `extensions` is never stored.
impl ToJson for SessionRecord {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("v", &self.v);
        o.f("referral", &self.referral);
        o.f("evidence", &self.evidence);
        o.f("tabs", &self.tabs);
        o.f("standdown", &self.standdown);
        o.f("cart", &self.cart);
        o.f("notes", &self.notes);
        o.f("last_checkout", &self.last_checkout);
        o.f("rates_seen", &self.rates_seen);
        o.done()
    }
}

impl ToJson for Settings {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("v", &self.v);
        o.f("lang", &self.lang);
        o.f("banner", &self.banner);
        o.f("badge", &self.badge);
        o.f("order_check", &self.order_check);
        o.f("orders_max", &self.orders_max);
        o.f("account", &self.account);
        o.done()
    }
}

serde_via_json!(TabInfo, CheckoutInfo, ProductInfo, StoredPrice, Standdown, SessionRecord, LangSetting, Settings);

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

    // The stored shape is written by `ToJson` and read by `FromJson`: every field and variant must come back as it was written.
    mod round_trip {
        use super::super::*;
        use crate::domain::cart::{CartBook, Snapshot as CartSnap};
        use crate::domain::evidence::{Evidence, EvidenceKind};
        use crate::domain::messages::{CartLine, PageFacts};
        use crate::domain::orders::{Order, Snapshot as OSnap};
        use crate::domain::product::PageKind;
        use crate::domain::session::*;

        fn outcomes() -> Vec<Outcome> {
            vec![
                Outcome::BlockedByClient { url: "u".into() },
                Outcome::BlockPage { extension_id: "e".into() },
                Outcome::Stripped { location_had_referral: true, params: vec!["a".into()] },
                Outcome::AccountStripped { param: "p".into() },
                Outcome::AccountSwapped { param: "p".into(), found: "f".into() },
                Outcome::Network { error: "x".into() },
                Outcome::Timeout,
                Outcome::LandedElsewhere { host: "h".into() },
                Outcome::OtherKey { key: "k".into() },
                Outcome::NoTab,
                Outcome::NotSaved { error: "e".into() },
                Outcome::Hijack { key: "k".into(), culprit: Some("c".into()) },
                Outcome::Hijack { key: "k".into(), culprit: None },
            ]
        }

        fn order() -> Order {
            Order {
                id: "o1".into(),
                at_ms: 5.0,
                order_ids: vec!["1".into()],
                payment_id: Some("p".into()),
                page: "pg".into(),
                amount_minor: Some(100),
                currency: Some("USD".into()),
                rate_bp: 300,
                expected_minor: Some(3),
                refunded_minor: 1,
                snapshot: OSnap {
                    state: "active".into(),
                    activated_ms: Some(2.5),
                    cookie: "ours".into(),
                    cookie_key: Some("k".into()),
                    warnings: vec!["w".into()],
                    detail: Some("d".into()),
                },
                reminder: "pending".into(),
                account: Some("acc".into()),
            }
        }

        fn session(o: Outcome) -> SessionRecord {
            let sp = StoredPrice { currency: "USD".into(), min_minor: 10, max_minor: Some(20), from: true };
            SessionRecord {
                v: 1,
                referral: Activation {
                    state: State::Hijacked,
                    since_ms: 1.5,
                    activated_ms: Some(2.0),
                    attempt: Some(Attempt {
                        tab_id: -3,
                        target: "t".into(),
                        started_ms: 1.0,
                        deadline_ms: 2.0,
                        redirected: true,
                        location_had_referral: Some(false),
                        click_id: Some("c".into()),
                        prior: Some(vec!["x".into()]),
                        fresh: Some("f".into()),
                        navigated: true,
                        stripped: vec!["s".into()],
                    }),
                    outcome: Some(o),
                    redirects_sent: 4,
                    account: Some(("af".into(), "id".into())),
                },
                evidence: vec![
                    Evidence { at_ms: 1.0, tab_id: Some(2), kind: EvidenceKind::RivalLink, subject: "s".into(), detail: "d".into() },
                    Evidence { at_ms: 2.0, tab_id: None, kind: EvidenceKind::ActivationSent, subject: "".into(), detail: "".into() },
                ],
                tabs: vec![TabInfo {
                    tab_id: 3,
                    url: "u".into(),
                    kind: Some(PageKind::PaymentResult),
                    product: Some(ProductInfo {
                        id: Some("1".into()),
                        price: sp.clone(),
                        category: Some("c".into()),
                        quantity: 2,
                        source: "dom".into(),
                        rate_bp: 5,
                    }),
                    price_unrecognised: true,
                    dom_price_first: Some("d".into()),
                    notes: vec!["n".into()],
                    seen_ms: 9.0,
                    checkout: Some(CheckoutInfo {
                        total: Some(sp.clone()),
                        promo_code: Some("P".into()),
                        app_payment: true,
                        rate_bp: 7,
                        at_ms: 8.0,
                    }),
                    order: Some(order()),
                    cart_lines: vec!["".into(), "2".into()],
                    cart_unread: true,
                }],
                standdown: Some(Standdown { key: "k".into(), seen_ms: 1.0, via: "url".into() }),
                cart: CartBook {
                    count_now: Some(3),
                    ids_now: Some(vec!["a".into()]),
                    snapshot: Some(CartSnap { at_ms: 4, count: Some(1), ids: Some(vec!["b".into()]) }),
                    stale: ["z".to_string(), "a".to_string()].into_iter().collect(),
                    added_after: ["q".to_string()].into_iter().collect(),
                    item_level: true,
                },
                notes: vec!["note".into()],
                extensions: None,
                last_checkout: Some(CheckoutInfo { total: None, promo_code: None, app_payment: false, rate_bp: 0, at_ms: 1.0 }),
                rates_seen: vec![("p".into(), 12)],
            }
        }

        #[test]
        fn stored_records_decode_to_what_was_written() {
            for o in outcomes() {
                let rec = session(o);
                match decode::<SessionRecord>(Some(serde_json::to_value(&rec).unwrap()), SESSION_VERSION) {
                    Loaded::Ok(back) => assert_eq!(back, rec),
                    other => panic!("{other:?}"),
                }
            }
            let s = Settings {
                v: 1,
                lang: LangSetting::Ru,
                banner: false,
                badge: false,
                order_check: false,
                orders_max: 7,
                account: Some("a".into()),
            };
            assert_eq!(decode::<Settings>(Some(serde_json::to_value(&s).unwrap()), SETTINGS_VERSION), Loaded::Ok(s));
            let o = order();
            assert_eq!(json::from_value::<Order>(serde_json::to_value(&o).unwrap()), Ok(o));
            let facts = PageFacts {
                layout: Some("l".into()),
                json_ld: vec!["j".into()],
                embedded: vec!["e".into()],
                price: vec!["p".into()],
                category_links: vec!["c".into()],
                quantity: Some("2".into()),
                cart_count: Some("3".into()),
                cart_items: Some(vec![CartLine { href: "h".into(), quantity: Some("1".into()) }]),
                cart_waited: true,
                affiliate_links: vec!["a".into()],
                affiliate_frames: vec!["f".into()],
                order_total: vec!["t".into()],
                promo_code: Some("pc".into()),
                app_payment: true,
                pay_success: true,
                order_links: vec!["ol".into()],
                bait_hidden: Some(true),
            };
            assert_eq!(json::from_value::<PageFacts>(serde_json::to_value(&facts).unwrap()), Ok(facts));
            for k in [EvidenceKind::ActivationSent, EvidenceKind::BlockedRequest, EvidenceKind::Bait, EvidenceKind::RivalLink] {
                assert_eq!(json::from_value::<EvidenceKind>(serde_json::to_value(k).unwrap()), Ok(k));
            }
            for st in [State::Inactive, State::Activating, State::Active, State::Blocked, State::Failed, State::Hijacked] {
                assert_eq!(json::from_value::<State>(serde_json::to_value(st).unwrap()), Ok(st));
            }
            for l in [LangSetting::Auto, LangSetting::En, LangSetting::Ru] {
                assert_eq!(json::from_value::<LangSetting>(serde_json::to_value(l).unwrap()), Ok(l));
            }
            for k in [PageKind::Product, PageKind::Cart, PageKind::Checkout, PageKind::PaymentResult, PageKind::Other] {
                assert_eq!(json::from_value::<PageKind>(serde_json::to_value(k).unwrap()), Ok(k));
            }
        }
    }
}
