//! The session record (`storage.session`, key `session`): the activation, evidence,
//! stand-down, cart, notes and the tabs seen this session.

use super::notes::cap_note;
use super::tab::{CheckoutInfo, TabInfo};
use super::SESSION_VERSION;
use crate::domain::evidence::Evidence;
use crate::domain::json::{self, serde_via_json, FromJson, Obj, Out, ToJson};
use crate::domain::session::Activation;
use serde_json::Value;

/// Tabs remembered per session (most recently seen kept).
pub const MAX_TABS: usize = 40;

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
    /// The activation state machine. Stored under the key `referral` (its name before it
    /// was `session::Activation`): records saved by older versions load unchanged.
    pub activation: Activation,
    pub evidence: Vec<Evidence>,
    pub tabs: Vec<TabInfo>,
    pub standdown: Option<Standdown>,
    pub cart: crate::domain::cart::CartBook,
    /// Diagnostics lines about the session itself (quarantined records, storage errors).
    pub notes: Vec<String>,
    /// Extensions that matter, when the shopper let us look (`management` permission).
    /// Read afresh for every event, never stored (it is cheap, and always current).
    pub extensions: Option<Vec<crate::domain::extensions::Finding>>,
    /// The last checkout seen (the payment result page usually shows no amount).
    pub last_checkout: Option<CheckoutInfo>,
    /// Rates of the products seen this session, for the checkout (most recent last).
    pub rates_seen: Vec<(String, u32)>,
}

impl Default for SessionRecord {
    fn default() -> Self {
        SessionRecord {
            v: SESSION_VERSION,
            activation: Activation::default(),
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
            activation: o.def("referral"),
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
        o.f("referral", &self.activation);
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

serde_via_json!(Standdown, SessionRecord);
