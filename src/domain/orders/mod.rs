//! The order log: what the shopper paid, what cashback to expect, and a snapshot of the
//! referral at the moment of payment (the proof that the order was ours, or why not).
//! Kept in `chrome.storage.local` only, never sent anywhere. Versioned: v1 entries are
//! migrated on read, one bad entry is quarantined without dropping the others, and the
//! log is bounded (oldest pruned).

use super::json::{self, serde_via_json, FromJson, Obj, Out, ToJson};
use super::money::{self, MoneyError};
use super::price;
use serde_json::Value;

mod export;
pub use export::{csv_field, decimal, iso_utc, to_csv, to_json, CSV_HEADER};

pub const ORDERS_KEY: &str = "orders";
pub const ORDERS_VERSION: u32 = 2;
pub const DEFAULT_MAX: u32 = 500;
pub const MAX_LIMIT: u32 = 5000;
/// Unreadable entries kept inside the log for support (the oldest go first).
pub const MAX_QUARANTINE: usize = 50;

/// The referral as it stood when the order was paid.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Snapshot {
    /// Session state (`active`, `hijacked`, …).
    pub state: String,
    pub activated_ms: Option<f64>,
    /// What AliExpress's attribution cookies said: `ours`, `other`, `none`, or `unknown`
    /// (not recorded, e.g. migrated from v1).
    pub cookie: String,
    /// The key the cookies carried, when any.
    pub cookie_key: Option<String>,
    /// Warnings shown at that moment, as `kind:subject`.
    pub warnings: Vec<String>,
    /// Why the referral is not ours, when the session knows (`hijack by K (navigation in tab 3)`).
    pub detail: Option<String>,
}

impl Snapshot {
    /// The order was paid while our referral was active and the cookies carried our key.
    pub fn attributed(&self) -> bool {
        self.state == "active" && self.cookie == "ours"
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Order {
    /// Local id (`o<ms>`), unique in the log.
    pub id: String,
    pub at_ms: f64,
    /// AliExpress order ids shown on the payment result (may be empty: the page often
    /// shows none; the payment id then identifies the payment).
    pub order_ids: Vec<String>,
    pub payment_id: Option<String>,
    /// The payment result page it was logged from (a reload does not log it twice).
    pub page: String,
    pub amount_minor: Option<u64>,
    pub currency: Option<String>,
    pub rate_bp: u32,
    pub expected_minor: Option<u64>,
    /// Refunded after a dispute (0 when none).
    pub refunded_minor: u64,
    pub snapshot: Snapshot,
    /// The 10-minute check: `pending`, `shown`, `off` or `no-permission`.
    pub reminder: String,
    /// The shopper's account id the referral carried (the one credited), when accounts are used.
    pub account: Option<String>,
}

// Decoding (serde's rules, see `json`): every field of `Snapshot` and `Order` defaults.

impl FromJson for Snapshot {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct Snapshot")?;
        let r = Snapshot {
            state: o.def("state"),
            activated_ms: o.def("activated_ms"),
            cookie: o.def("cookie"),
            cookie_key: o.def("cookie_key"),
            warnings: o.def("warnings"),
            detail: o.def("detail"),
        };
        o.end(r)
    }
}

impl FromJson for Order {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct Order")?;
        let r = Order {
            id: o.def("id"),
            at_ms: o.def("at_ms"),
            order_ids: o.def("order_ids"),
            payment_id: o.def("payment_id"),
            page: o.def("page"),
            amount_minor: o.def("amount_minor"),
            currency: o.def("currency"),
            rate_bp: o.def("rate_bp"),
            expected_minor: o.def("expected_minor"),
            refunded_minor: o.def("refunded_minor"),
            snapshot: o.def("snapshot"),
            reminder: o.def("reminder"),
            account: o.def("account"),
        };
        o.end(r)
    }
}

impl ToJson for Snapshot {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("state", &self.state);
        o.f("activated_ms", &self.activated_ms);
        o.f("cookie", &self.cookie);
        o.f("cookie_key", &self.cookie_key);
        o.f("warnings", &self.warnings);
        o.f("detail", &self.detail);
        o.done()
    }
}

impl ToJson for Order {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("id", &self.id);
        o.f("at_ms", &self.at_ms);
        o.f("order_ids", &self.order_ids);
        o.f("payment_id", &self.payment_id);
        o.f("page", &self.page);
        o.f("amount_minor", &self.amount_minor);
        o.f("currency", &self.currency);
        o.f("rate_bp", &self.rate_bp);
        o.f("expected_minor", &self.expected_minor);
        o.f("refunded_minor", &self.refunded_minor);
        o.f("snapshot", &self.snapshot);
        o.f("reminder", &self.reminder);
        o.f("account", &self.account);
        o.done()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Expected,
    Reduced,
    Cancelled,
    /// The amount paid is unknown: no cashback can be computed.
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Expected => "expected",
            Status::Reduced => "reduced",
            Status::Cancelled => "cancelled",
            Status::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundError {
    NoOrder,
    NoAmount,
    Unreadable(String),
    Money(MoneyError),
}

impl std::fmt::Display for RefundError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefundError::NoOrder => f.write_str("no such order in the log"),
            RefundError::NoAmount => f.write_str("the amount paid for this order is unknown"),
            RefundError::Unreadable(s) => write!(f, "cannot read the refunded amount: {s}"),
            RefundError::Money(MoneyError::RefundExceedsPaid) => f.write_str("the refund is larger than the amount paid"),
            RefundError::Money(e) => write!(f, "{e}"),
        }
    }
}

impl Order {
    pub fn status(&self) -> Status {
        match self.amount_minor {
            None => Status::Unknown,
            Some(paid) if self.refunded_minor >= paid && paid > 0 => Status::Cancelled,
            Some(_) if self.refunded_minor > 0 => Status::Reduced,
            Some(_) => Status::Expected,
        }
    }

    /// Records a refund and recomputes the expected cashback on the amount finally paid.
    pub fn set_refund(&mut self, refunded_minor: u64) -> Result<Status, RefundError> {
        let paid = self.amount_minor.ok_or(RefundError::NoAmount)?;
        let cashback = money::refund_adjusted(paid, refunded_minor, self.rate_bp).map_err(RefundError::Money)?;
        self.refunded_minor = refunded_minor;
        self.expected_minor = Some(cashback);
        Ok(self.status())
    }
}

/// Parses what the shopper typed as a refund ("12.34", "12,34", "US $12.34") in the
/// order's currency.
pub fn parse_refund(text: &str, currency: &str) -> Result<u64, RefundError> {
    let p = price::parse_price(text, Some(currency)).map_err(|e| RefundError::Unreadable(e.to_string()))?;
    if p.currency != currency {
        return Err(RefundError::Unreadable(format!("{} is not the order's currency {currency}", p.currency)));
    }
    if p.max_minor.is_some() || p.from {
        return Err(RefundError::Unreadable("a single amount, please".into()));
    }
    Ok(p.min_minor)
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderLog {
    pub v: u32,
    pub orders: Vec<Order>,
    /// Entries that could not be read, kept as they were.
    pub quarantine: Vec<Value>,
}

/// `quarantine` defaults when absent. (The worker reads a log with [`decode`], entry by
/// entry.)
impl FromJson for OrderLog {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct OrderLog")?;
        let r = OrderLog { v: o.req("v"), orders: o.req("orders"), quarantine: o.def("quarantine") };
        o.end(r)
    }
}

impl ToJson for OrderLog {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("v", &self.v);
        o.f("orders", &self.orders);
        o.f("quarantine", &self.quarantine);
        o.done()
    }
}

serde_via_json!(Snapshot, Order, OrderLog);

impl Default for OrderLog {
    fn default() -> Self {
        OrderLog { v: ORDERS_VERSION, orders: Vec::new(), quarantine: Vec::new() }
    }
}

/// Reading a stored log.
#[derive(Debug, PartialEq)]
pub enum LoadedLog {
    Ok {
        log: OrderLog,
        notes: Vec<String>,
    },
    /// Not a log this version can read (a future version, or not an object): the caller
    /// keeps `raw` aside under a quarantine key and starts an empty log.
    Unreadable {
        raw: Value,
        why: String,
    },
}

/// v1 (the first format): `{v:1, orders:[{time, orderId, total, rate_bp, state}]}` with the
/// total as the page showed it.
fn migrate_v1(e: &Value) -> Option<Order> {
    let time = e.get("time")?.as_f64()?;
    let rate_bp = e.get("rate_bp").and_then(Value::as_u64).unwrap_or(0).min(u64::from(money::MAX_RATE_BP)) as u32;
    let total = e.get("total").and_then(Value::as_str).and_then(|t| price::parse_price(t, None).ok());
    let amount = total.as_ref().map(|p| p.min_minor);
    let expected = amount.and_then(|a| money::refund_adjusted(a, 0, rate_bp).ok());
    Some(Order {
        id: format!("o{}", time as u64),
        at_ms: time,
        order_ids: e.get("orderId").and_then(Value::as_str).filter(|s| !s.is_empty()).map(|s| vec![s.to_string()]).unwrap_or_default(),
        payment_id: None,
        page: String::new(),
        amount_minor: amount,
        currency: total.map(|p| p.currency.to_string()),
        rate_bp,
        expected_minor: expected,
        refunded_minor: 0,
        snapshot: Snapshot {
            state: e.get("state").and_then(Value::as_str).unwrap_or("unknown").to_string(),
            cookie: "unknown".into(),
            ..Default::default()
        },
        reminder: "shown".into(),
        account: None,
    })
}

/// Decodes a stored log entry by entry: a bad entry goes to `quarantine` with a note, the
/// others are kept.
pub fn decode(raw: Option<Value>) -> LoadedLog {
    let Some(raw) = raw else {
        return LoadedLog::Ok { log: OrderLog::default(), notes: Vec::new() };
    };
    let version = raw.get("v").and_then(Value::as_u64);
    let entries = raw.get("orders").and_then(Value::as_array);
    let (Some(version), Some(entries)) = (version, entries) else {
        return LoadedLog::Unreadable { raw, why: "not an order log".into() };
    };
    if version > u64::from(ORDERS_VERSION) || version == 0 {
        return LoadedLog::Unreadable { raw, why: format!("order log version {version} is not one this build reads") };
    }
    let mut log = OrderLog::default();
    let mut notes = Vec::new();
    if let Some(q) = raw.get("quarantine").and_then(Value::as_array) {
        log.quarantine = q.clone();
    }
    for (i, e) in entries.iter().enumerate() {
        let order = if version == 1 {
            migrate_v1(e).ok_or_else(|| "not a v1 order".to_string())
        } else {
            super::json::from_value::<Order>(e.clone()).map_err(|e| e.to_string()).and_then(|o| {
                if o.id.is_empty() || !o.at_ms.is_finite() {
                    Err("no id or time".to_string())
                } else {
                    Ok(o)
                }
            })
        };
        match order {
            Ok(o) => log.orders.push(o),
            Err(why) => {
                notes.push(format!("order log entry {i} was unreadable ({why}); kept aside, the others are fine"));
                log.quarantine.push(e.clone());
            }
        }
    }
    if log.quarantine.len() > MAX_QUARANTINE {
        let extra = log.quarantine.len() - MAX_QUARANTINE;
        log.quarantine.drain(..extra);
    }
    if version == 1 {
        notes.push(format!("order log migrated from v1 to v{ORDERS_VERSION} ({} orders)", log.orders.len()));
    }
    LoadedLog::Ok { log, notes }
}

impl OrderLog {
    /// Adds an order (its id made unique) and prunes the oldest beyond `max`.
    pub fn push(&mut self, mut o: Order, max: u32) -> String {
        let base = o.id.clone();
        let mut n = 1;
        while self.orders.iter().any(|x| x.id == o.id) {
            n += 1;
            o.id = format!("{base}-{n}");
        }
        let id = o.id.clone();
        self.orders.push(o);
        self.prune(max);
        id
    }

    /// Keeps the `max` most recent orders (at least one).
    pub fn prune(&mut self, max: u32) -> usize {
        let max = max.clamp(1, MAX_LIMIT) as usize;
        if self.orders.len() <= max {
            return 0;
        }
        // Oldest first (the log is appended in time order, so this is a pass over a sorted
        // list; an insertion sort keeps a general sort out of the wasm).
        for i in 1..self.orders.len() {
            let mut j = i;
            while j > 0 && self.orders[j - 1].at_ms > self.orders[j].at_ms {
                self.orders.swap(j - 1, j);
                j -= 1;
            }
        }
        let n = self.orders.len() - max;
        self.orders.drain(..n);
        n
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Order> {
        self.orders.iter_mut().find(|o| o.id == id)
    }

    /// Whether an order was logged from this page already (a reload of the payment result).
    pub fn has_page(&self, page: &str) -> bool {
        self.orders.iter().any(|o| o.page == page)
    }
}

/// Order ids from links to `/p/order/detail.html?orderId=…` (or bare ids), 8–20 digits,
/// without duplicates, at most 20.
pub fn order_ids(raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in raw.iter().take(50) {
        let id = match r.find("orderId=") {
            Some(i) => r[i + 8..].split(|c: char| !c.is_ascii_digit()).next().unwrap_or(""),
            None => r.trim(),
        };
        if (8..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()) && !out.iter().any(|x| x == id) {
            out.push(id.to_string());
        }
        if out.len() >= 20 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests;
