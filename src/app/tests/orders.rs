//! The order log: logging with its proof, the later check, refunds, export, faults.

use super::*;
use serde_json::json;

#[test]
fn paying_while_active_logs_the_order_with_proof_and_schedules_the_check() {
    let w = World::new();
    w.activate_and_land(3);
    w.page(3, CHECKOUT, json!({"orderTotal": ["US $25.98"]}));
    let r = w.page(3, PAID, json!({"paySuccess": true, "orderLinks": ["/p/order/detail.html?orderId=8123456789012345"]}));
    let log = w.log();
    assert_eq!(log["v"], 2);
    let o = &log["orders"][0];
    assert_eq!(o["amount_minor"], 2598);
    assert_eq!(o["currency"], "USD");
    assert_eq!(o["expected_minor"], 181, "7% of 25.98, rounded down");
    assert_eq!(o["order_ids"], json!(["8123456789012345"]));
    assert_eq!(o["payment_id"], "PAY123");
    assert_eq!(o["snapshot"]["state"], "active");
    assert_eq!(o["snapshot"]["cookie"], "ours");
    assert_eq!(o["snapshot"]["cookie_key"], w.pkg.config.affiliate_key.as_str());
    assert_eq!(o["reminder"], "pending");
    let id = o["id"].as_str().unwrap().to_string();
    let alarm = w.m.alarms.borrow().iter().find(|(n, _)| n == &format!("order-check:{id}")).cloned().expect("alarm set");
    assert_eq!(alarm.1, w.m.now.get() + 600_000.0);
    // The banner on the payment page says what was logged.
    let notice = testids(&r["view"], "cg-order");
    assert_eq!(notice.len(), 1);
    assert!(notice[0]["x"].as_str().unwrap().contains("1.81 USD"), "{}", notice[0]["x"]);
    // A reload of the payment page does not log it twice.
    w.page(3, PAID, json!({"paySuccess": true}));
    assert_eq!(w.log()["orders"].as_array().unwrap().len(), 1);
    // The popup lists it as attributed.
    let rows = testids(&w.popup_view(), "cg-order-row");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["a"]["data-attributed"], "true");
    assert_eq!(rows[0]["a"]["data-status"], "expected");
    // Ten minutes later: the notification.
    w.m.advance(600_000.0);
    w.send(json!({"kind": "alarm", "name": format!("order-check:{id}")}));
    let n = w.m.notifications.borrow().clone();
    assert_eq!(n.len(), 1);
    assert!(n[0].2.contains("25.98 USD"), "{:?}", n[0]);
    assert_eq!(w.log()["orders"][0]["reminder"], "shown");
    // A second firing shows nothing more.
    w.send(json!({"kind": "alarm", "name": format!("order-check:{id}")}));
    assert_eq!(w.m.notifications.borrow().len(), 1);
}

#[test]
fn a_hijacked_referral_is_recorded_in_the_order() {
    let w = World::new();
    w.activate_and_land(3);
    w.m.cookies.borrow_mut().insert("aeu_cid".into(), "0123456789abcdef0123456789abcdef-1700000000000-01234-rivalKey9".into());
    w.send(json!({"kind": "cookie", "cookie": {"name": "aeu_cid", "value": "0123456789abcdef0123456789abcdef-1700000000000-01234-rivalKey9", "domain": ".aliexpress.com"}}));
    assert_eq!(w.state(), "hijacked");
    w.page(3, CHECKOUT, json!({"orderTotal": ["US $10.00"]}));
    let r = w.page(3, PAID, json!({"paySuccess": true}));
    let o = &w.log()["orders"][0];
    assert_eq!(o["snapshot"]["state"], "hijacked");
    assert_eq!(o["snapshot"]["cookie"], "other");
    assert_eq!(o["snapshot"]["cookie_key"], "rivalKey9");
    assert!(o["snapshot"]["warnings"].as_array().unwrap().iter().any(|x| x == "rival:rivalKey9"), "{}", o["snapshot"]);
    assert!(testids(&r["view"], "cg-order")[0]["x"].as_str().unwrap().contains("not ours"));
    let rows = testids(&w.popup_view(), "cg-order-row");
    assert_eq!(rows[0]["a"]["data-attributed"], "false");
}

#[test]
fn refunds_recompute_the_cashback_and_reject_too_much() {
    let w = World::new();
    w.activate_and_land(3);
    w.page(3, CHECKOUT, json!({"orderTotal": ["US $100.00"]}));
    w.page(3, PAID, json!({"paySuccess": true}));
    let id = w.log()["orders"][0]["id"].as_str().unwrap().to_string();
    let r = w.from_popup(json!({"type": "set-refund", "order": id, "amount": "25"}));
    assert_eq!(r["status"], "reduced");
    assert_eq!(w.log()["orders"][0]["expected_minor"], 525);
    let r = w.from_popup(json!({"type": "set-refund", "order": id, "amount": "100.01"}));
    assert_eq!(r["type"], "error");
    assert!(r["error"].as_str().unwrap().contains("larger than the amount paid"), "{r}");
    assert_eq!(w.log()["orders"][0]["refunded_minor"], 2500, "nothing changed");
    let r = w.from_popup(json!({"type": "set-refund", "order": id, "amount": "US $100"}));
    assert_eq!(r["status"], "cancelled");
    assert_eq!(testids(&w.popup_view(), "cg-order-row")[0]["a"]["data-status"], "cancelled");
    let r = w.from_popup(json!({"type": "set-refund", "order": "nope", "amount": "1"}));
    assert_eq!(r["type"], "error");
    // Content scripts cannot touch the log.
    let r = w.from_tab(3, json!({"type": "set-refund", "order": id, "amount": "0"}));
    assert_eq!(r["type"], "error");
    let r = w.from_tab(3, json!({"type": "export-orders", "format": "csv"}));
    assert_eq!(r["type"], "error");
}

#[test]
fn exports_and_pruning_and_a_bad_entry() {
    let w = World::new();
    w.from_popup(json!({"type": "set-settings", "settings": {"orders_max": 3}}));
    for i in 0..5 {
        w.m.advance(1000.0);
        w.page(3, &format!("{PAID}{i}"), json!({"paySuccess": true, "orderTotal": [format!("US ${i}.00")]}));
    }
    let log = w.log();
    let amounts: Vec<u64> = log["orders"].as_array().unwrap().iter().map(|o| o["amount_minor"].as_u64().unwrap()).collect();
    assert_eq!(amounts, vec![200, 300, 400], "oldest pruned");
    let csv = w.from_popup(json!({"type": "export-orders", "format": "csv"}));
    assert_eq!(csv["mime"], "text/csv");
    assert_eq!(csv["text"].as_str().unwrap().lines().count(), 4);
    assert!(csv["filename"].as_str().unwrap().ends_with(".csv"));
    let js = w.from_popup(json!({"type": "export-orders", "format": "json"}));
    let parsed = &js["data"];
    assert_eq!(parsed["orders"].as_array().unwrap().len(), 3);
    assert_eq!(w.from_popup(json!({"type": "export-orders", "format": "xml"}))["type"], "error");
    // Out-of-range limits are refused.
    assert_eq!(w.from_popup(json!({"type": "set-settings", "settings": {"orders_max": 0}}))["type"], "error");
    // One corrupted entry: the others survive, the bad one is kept aside, and it says so.
    w.m.local.borrow_mut().get_mut("orders").unwrap()["orders"][1] = json!({"id": 7, "at_ms": "x"});
    let rows = testids(&w.popup_view(), "cg-order-row");
    assert_eq!(rows.len(), 2);
    let diag = testids(&w.popup_view(), "cg-diagnostics")[0]["x"].as_str().unwrap().to_string();
    assert!(diag.contains("order log entry 1 was unreadable"), "{diag}");
    // A log that is not a log at all is kept aside, never overwritten.
    w.m.local.borrow_mut().insert("orders".into(), json!("{\"v\":2,\"ord"));
    w.page(3, &format!("{PAID}x"), json!({"paySuccess": true}));
    let kept: Vec<Value> =
        w.m.local.borrow()["quarantine"].as_array().unwrap().iter().filter(|q| q["key"] == "orders").map(|q| q["raw"].clone()).collect();
    assert_eq!(kept, vec![json!("{\"v\":2,\"ord")]);
    assert_eq!(w.log()["orders"].as_array().unwrap().len(), 1);
}

#[test]
fn no_notification_permission_is_reported_and_quota_errors_are_not_swallowed() {
    let w = World::new();
    w.m.no_notifications.set(true);
    w.page(3, PAID, json!({"paySuccess": true, "orderTotal": ["US $5.00"]}));
    let id = w.log()["orders"][0]["id"].as_str().unwrap().to_string();
    w.send(json!({"kind": "alarm", "name": format!("order-check:{id}")}));
    assert_eq!(w.log()["orders"][0]["reminder"], "no-permission");
    assert!(w.m.session.borrow()["session"]["notes"].to_string().contains("no notification"));
    // The setting off: no alarm for the next order.
    w.from_popup(json!({"type": "set-settings", "settings": {"order_check": false}}));
    let before = w.m.alarms.borrow().len();
    w.page(4, &format!("{PAID}2"), json!({"paySuccess": true}));
    assert_eq!(w.m.alarms.borrow().len(), before);
    assert_eq!(w.log()["orders"][1]["reminder"], "off");
    // Storage full: the failure shows up in the diagnostics.
    w.m.fail_local.set(true);
    w.page(5, &format!("{PAID}3"), json!({"paySuccess": true}));
    w.m.fail_local.set(false);
    let diag = testids(&w.popup_view(), "cg-diagnostics")[0]["x"].as_str().unwrap().to_string();
    assert!(diag.contains("could not save the order log"), "{diag}");
}
