//! The order log: what the shopper paid, what cashback to expect, and a snapshot of the
//! referral at the moment of payment (the proof that the order was ours, or why not).
//! Kept in `chrome.storage.local` only, never sent anywhere. Versioned: v1 entries are
//! migrated on read, one bad entry is quarantined without dropping the others, and the
//! log is bounded (oldest pruned).

use super::json::{self, serde_via_json, FromJson, Obj, Out, ToJson};
use super::money::{self, MoneyError};
use super::price;
use serde_json::Value;

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

/// `minor` as a plain decimal in the currency's exponent ("12.34", "1234").
pub fn decimal(minor: u64, currency: Option<&str>) -> String {
    let exp = currency.and_then(price::currency).map(|c| c.exponent).unwrap_or(2) as u32;
    if exp == 0 {
        return minor.to_string();
    }
    let div = 10u64.pow(exp);
    format!("{}.{:0width$}", minor / div, minor % div, width = exp as usize)
}

/// UTC `YYYY-MM-DDTHH:MM:SSZ` for a time in ms since the epoch.
pub fn iso_utc(ms: f64) -> String {
    let secs = if ms.is_finite() && ms > 0.0 { (ms / 1000.0) as i64 } else { 0 };
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// One CSV field: quoted when it holds a separator, a quote or a line break; a leading
/// `=`, `+`, `-`, `@`, tab or CR (a spreadsheet formula) is defused with a `'`.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r', ';']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub const CSV_HEADER: &str =
    "logged_at_utc,order_ids,payment_id,amount,currency,rate_bp,expected_cashback,refunded,status,state_at_payment,referral_cookie,cookie_key,warnings,account";

/// The log as CSV (RFC 4180, CRLF line ends), oldest first.
pub fn to_csv(log: &OrderLog) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    for o in &log.orders {
        let cur = o.currency.as_deref();
        let fields = [
            iso_utc(o.at_ms),
            o.order_ids.join(" "),
            o.payment_id.clone().unwrap_or_default(),
            o.amount_minor.map(|a| decimal(a, cur)).unwrap_or_default(),
            o.currency.clone().unwrap_or_default(),
            o.rate_bp.to_string(),
            o.expected_minor.map(|a| decimal(a, cur)).unwrap_or_default(),
            decimal(o.refunded_minor, cur),
            o.status().as_str().to_string(),
            o.snapshot.state.clone(),
            o.snapshot.cookie.clone(),
            o.snapshot.cookie_key.clone().unwrap_or_default(),
            o.snapshot.warnings.join(" "),
            o.account.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The log for a JSON export: the stored entries plus each one's status, oldest first.
/// (The popup turns it into text with `JSON.stringify`: no JSON writer in the wasm.)
pub fn to_json(log: &OrderLog) -> Value {
    let orders: Vec<Value> = log
        .orders
        .iter()
        .map(|o| {
            let mut v = o.to_json();
            v["status"] = Value::String(o.status().as_str().into());
            v["logged_at_utc"] = Value::String(iso_utc(o.at_ms));
            v
        })
        .collect();
    serde_json::json!({ "format": "cashback-guard-orders", "v": ORDERS_VERSION, "orders": orders })
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
mod tests {
    use super::*;
    use serde_json::json;

    fn order(id: &str, at: f64, amount: Option<u64>, rate: u32) -> Order {
        Order {
            id: id.into(),
            at_ms: at,
            amount_minor: amount,
            currency: Some("USD".into()),
            rate_bp: rate,
            expected_minor: amount.map(|a| a * u64::from(rate) / 10_000),
            snapshot: Snapshot { state: "active".into(), cookie: "ours".into(), ..Default::default() },
            ..Default::default()
        }
    }

    #[test]
    fn migrates_v1_entries() {
        let v1 = json!({"v": 1, "orders": [
            {"time": 1_700_000_000_000.0, "orderId": "8123456789012345", "total": "US $25.98", "rate_bp": 700, "state": "active"},
            {"time": 1_700_000_100_000.0, "orderId": "", "total": "1 366,66 ₽", "rate_bp": 350, "state": "hijacked"},
        ]});
        let LoadedLog::Ok { log, notes } = decode(Some(v1)) else { panic!("v1 must migrate") };
        assert_eq!(log.v, ORDERS_VERSION);
        assert_eq!(log.orders.len(), 2);
        let a = &log.orders[0];
        assert_eq!(a.id, "o1700000000000");
        assert_eq!(a.order_ids, vec!["8123456789012345"]);
        assert_eq!((a.amount_minor, a.currency.as_deref()), (Some(2598), Some("USD")));
        assert_eq!(a.expected_minor, Some(181), "7% of 25.98 rounded down");
        assert_eq!(a.snapshot.cookie, "unknown");
        let b = &log.orders[1];
        assert!(b.order_ids.is_empty());
        assert_eq!((b.amount_minor, b.currency.as_deref(), b.expected_minor), (Some(136_666), Some("RUB"), Some(4783)));
        assert_eq!(b.snapshot.state, "hijacked");
        assert!(notes.iter().any(|n| n.contains("migrated from v1")));
        // The migrated log round-trips as the current version.
        let again = decode(Some(serde_json::to_value(&log).unwrap()));
        assert_eq!(again, LoadedLog::Ok { log, notes: Vec::new() });
    }

    #[test]
    fn one_bad_entry_never_drops_the_log() {
        let good = serde_json::to_value(order("o1", 1.0, Some(1000), 700)).unwrap();
        let raw = json!({"v": 2, "orders": [good, {"id": 42}, "truncated", {"id": "o3", "at_ms": 3.0, "amount_minor": "lots"}]});
        let LoadedLog::Ok { log, notes } = decode(Some(raw)) else { panic!() };
        assert_eq!(log.orders.len(), 1);
        assert_eq!(log.orders[0].id, "o1");
        assert_eq!(log.quarantine.len(), 3);
        assert_eq!(notes.len(), 3);
        assert!(notes[0].contains("entry 1"));
    }

    #[test]
    fn unreadable_logs_are_kept_aside() {
        for raw in [json!({"v": 3, "orders": []}), json!("{\"v\":2,\"ord"), json!({"v": 2}), json!({"v": 0, "orders": []})] {
            assert!(matches!(decode(Some(raw.clone())), LoadedLog::Unreadable { .. }), "{raw}");
        }
        assert_eq!(decode(None), LoadedLog::Ok { log: OrderLog::default(), notes: Vec::new() });
    }

    #[test]
    fn pruning_keeps_the_newest() {
        let mut log = OrderLog::default();
        for i in 0..10 {
            log.push(order(&format!("o{i}"), f64::from(i), Some(100), 700), 4);
        }
        assert_eq!(log.orders.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), ["o6", "o7", "o8", "o9"]);
        // Lowering the limit prunes on the next write; 0 still keeps one.
        assert_eq!(log.prune(2), 2);
        assert_eq!(log.prune(0), 1);
        assert_eq!(log.orders[0].id, "o9");
    }

    #[test]
    fn ids_are_unique() {
        let mut log = OrderLog::default();
        assert_eq!(log.push(order("o5", 5.0, None, 700), 10), "o5");
        assert_eq!(log.push(order("o5", 5.0, None, 700), 10), "o5-2");
        assert_eq!(log.push(order("o5", 5.0, None, 700), 10), "o5-3");
    }

    #[test]
    fn refund_maths() {
        let mut o = order("o1", 1.0, Some(10_000), 700);
        assert_eq!(o.status(), Status::Expected);
        assert_eq!(o.set_refund(2_500), Ok(Status::Reduced));
        assert_eq!(o.expected_minor, Some(525), "7% of the 75.00 finally paid");
        assert_eq!(o.set_refund(10_000), Ok(Status::Cancelled));
        assert_eq!(o.expected_minor, Some(0));
        assert_eq!(o.set_refund(0), Ok(Status::Expected));
        assert_eq!(o.expected_minor, Some(700));
        // More than paid: a clear error, nothing changed.
        let err = o.set_refund(10_001).unwrap_err();
        assert_eq!(err, RefundError::Money(MoneyError::RefundExceedsPaid));
        assert_eq!(err.to_string(), "the refund is larger than the amount paid");
        assert_eq!((o.refunded_minor, o.expected_minor), (0, Some(700)));
        let mut unknown = order("o2", 1.0, None, 700);
        assert_eq!(unknown.set_refund(1), Err(RefundError::NoAmount));
        assert_eq!(unknown.status(), Status::Unknown);
    }

    #[test]
    fn refund_text() {
        assert_eq!(parse_refund("12.34", "USD"), Ok(1234));
        assert_eq!(parse_refund("12,34", "USD"), Ok(1234));
        assert_eq!(parse_refund("US $5", "USD"), Ok(500));
        assert_eq!(parse_refund("1 366,66 ₽", "RUB"), Ok(136_666));
        assert!(matches!(parse_refund("12 €", "USD"), Err(RefundError::Unreadable(_))));
        assert!(matches!(parse_refund("1 - 2", "USD"), Err(RefundError::Unreadable(_))));
        assert!(matches!(parse_refund("<script>", "USD"), Err(RefundError::Unreadable(_))));
        assert!(matches!(parse_refund("", "USD"), Err(RefundError::Unreadable(_))));
        // The shopper reads why, in words (not a Rust variant name such as `NoAmount`).
        assert_eq!(parse_refund("<script>", "USD").unwrap_err().to_string(), "cannot read the refunded amount: unrecognised text in price");
    }

    #[test]
    fn csv_defuses_hostile_strings() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field(" pad"), "\" pad\"");
    }

    #[test]
    fn csv_export_rows() {
        let mut log = OrderLog::default();
        let mut o = order("o1", 1_700_000_000_000.0, Some(2598), 700);
        o.order_ids = vec!["8123456789012345".into(), "8123456789012346".into()];
        o.payment_id = Some("=HYPERLINK(\"https://evil.example\",\"x\")".into());
        o.snapshot.warnings = vec!["coupon:SAVE5".into(), "rival:otherKey".into()];
        o.snapshot.cookie_key = Some("cgDemo0001".into());
        o.account = Some("shopper,7".into());
        log.push(o, 10);
        let mut jpy = order("o2", 1_700_000_001_000.0, Some(1500), 300);
        jpy.currency = Some("JPY".into());
        jpy.set_refund(500).unwrap();
        log.push(jpy, 10);
        let csv = to_csv(&log);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], CSV_HEADER);
        assert_eq!(
            lines[1],
            "2023-11-14T22:13:20Z,8123456789012345 8123456789012346,\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"x\"\")\",25.98,USD,700,1.81,0.00,expected,active,ours,cgDemo0001,coupon:SAVE5 rival:otherKey,\"shopper,7\""
        );
        assert_eq!(lines[2], "2023-11-14T22:13:21Z,,,1500,JPY,300,30,500,reduced,active,ours,,,");
        assert_eq!(lines.len(), 4, "CRLF after every row");
    }

    #[test]
    fn json_export_carries_status() {
        let mut log = OrderLog::default();
        let mut o = order("o1", 0.0, Some(1000), 700);
        o.set_refund(1000).unwrap();
        log.push(o, 10);
        let v = to_json(&log);
        assert_eq!(v["format"], "cashback-guard-orders");
        assert_eq!(v["orders"][0]["status"], "cancelled");
        assert_eq!(v["orders"][0]["logged_at_utc"], "1970-01-01T00:00:00Z");
    }

    #[test]
    fn dates() {
        assert_eq!(iso_utc(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(951_782_400_000.0), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(1_795_478_399_000.0), "2026-11-23T23:59:59Z");
        assert_eq!(iso_utc(f64::NAN), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn order_ids_from_links() {
        let raw = vec![
            "//www.aliexpress.com/p/order/detail.html?orderId=8123456789012345".to_string(),
            "https://www.aliexpress.com/p/order/detail.html?orderId=8123456789012345&x=1".to_string(),
            "/p/order/detail.html?orderId=12".to_string(),
            "8123456789012399".to_string(),
            "javascript:alert(1)".to_string(),
        ];
        assert_eq!(order_ids(&raw), vec!["8123456789012345", "8123456789012399"]);
    }
}
