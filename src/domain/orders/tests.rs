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
