//! The order log written out for the shopper: CSV (RFC 4180, spreadsheet-safe fields) and
//! the JSON export, with amounts in the currency's exponent and times in UTC.

use super::{price, OrderLog, ORDERS_VERSION};
use crate::domain::json::ToJson;
use serde_json::Value;

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
