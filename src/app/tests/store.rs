//! The records in storage: quarantine of unreadable ones, page text capped.

use super::*;
use serde_json::json;

#[test]
fn corrupted_storage_is_quarantined_not_fatal() {
    let w = World::new();
    w.m.session.borrow_mut().insert("session".into(), json!({"v": 1, "referral": {"state": "exploded"}}));
    w.m.local.borrow_mut().insert("settings".into(), json!("garbage"));
    let r = w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    assert_eq!(r["state"], "inactive");
    let kept = |key: &str| -> Vec<Value> {
        let local = w.m.local.borrow();
        let all = local.get("quarantine").and_then(Value::as_array).cloned().unwrap_or_default();
        all.into_iter().filter(|q| q["key"] == key).map(|q| q["raw"].clone()).collect()
    };
    assert_eq!(kept("session"), vec![json!({"v": 1, "referral": {"state": "exploded"}})]);
    assert_eq!(kept("settings"), vec![json!("garbage")]);
    let p = w.from_popup(json!({"type": "popup", "tabId": 3}));
    assert!(serde_json::to_string(&p["view"]).unwrap().contains("stored session was unreadable"));
    // Replaced at once: the next events find a readable record and quarantine nothing more.
    for _ in 0..3 {
        w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    }
    assert_eq!(kept("settings").len(), 1, "settings re-quarantined on every event");
    assert_eq!(w.m.local.borrow()["settings"]["v"], 1);
    // Every later corruption is kept too (never overwritten), at most MAX_QUARANTINED.
    for i in 0..(MAX_QUARANTINED + 3) {
        w.m.advance(1000.0);
        w.m.local.borrow_mut().insert("settings".into(), json!(format!("garbage {i}")));
        w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    }
    let settings = kept("settings");
    assert_eq!(settings.len(), MAX_QUARANTINED);
    assert_eq!(settings.last(), Some(&json!(format!("garbage {}", MAX_QUARANTINED + 2))));
    assert_eq!(settings.first(), Some(&json!("garbage 3")));
}

#[test]
fn page_text_in_diagnostics_is_capped() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let huge = "€".repeat(100_000);
    w.from_tab(3, json!({"type": "facts", "url": ITEM, "facts": {"price": [huge.clone()], "layout": huge}}));
    let stored = serde_json::to_string(&*w.m.session.borrow()).unwrap();
    assert!(stored.len() < 20_000, "session record holds {} bytes of page text", stored.len());
}
