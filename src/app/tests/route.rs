//! The boundary: who may send what, events dropped before storage is read, what JS must not hold.

use super::*;
use crate::domain::layout::bundled;
use serde_json::json;

#[test]
fn hello_from_elsewhere_is_disabled_and_foreign_senders_are_refused() {
    let w = World::new();
    let r = w.from_tab(3, json!({"type": "hello", "url": "https://evil.example/item/1.html"}));
    assert_eq!(r["enabled"], false);
    let r = w.send(json!({"kind": "message", "msg": {"type": "activate"}, "sender": {"id": "otherextension", "tab": {"id": 3}}}));
    assert_eq!(r["type"], "error");
    assert!(w.m.navigations.borrow().is_empty());
    // A content script cannot ask for the popup view or settings changes.
    let r = w.from_tab(3, json!({"type": "set-settings", "settings": {"lang": "ru"}}));
    assert_eq!(r["type"], "error");
    let r = w.from_tab(3, json!({"type": "no-such-message"}));
    assert!(r["error"].as_str().unwrap().contains("unknown message"));
}

#[test]
fn events_about_nothing_here_are_dropped_before_storage_is_read() {
    // The worker forwards every cookie change and failed request of its hosts (JS holds no
    // list of names); the core drops the irrelevant ones before reading storage: an
    // unreadable record stays untouched (no quarantine, no rewrite) until a relevant event.
    let w = World::new();
    w.m.session.borrow_mut().insert("session".into(), json!({"v": 1, "referral": {"state": "exploded"}}));
    let quarantined = || w.m.local.borrow().get(QUARANTINE_KEY).is_some();
    for ev in [
        json!({"kind": "cookie", "removed": false, "cookie": {"name": "_ga", "value": "GA1.2.3", "domain": ".aliexpress.com"}}),
        json!({"kind": "net-error", "tabId": 3, "url": "https://www.aliexpress.com/some.js", "error": "net::ERR_BLOCKED_BY_CLIENT", "type": "script"}),
        json!({"kind": "net-error", "tabId": 3, "url": "https://acs.aliexpress.com/x.gif", "error": "net::ERR_CONNECTION_RESET", "type": "image"}),
    ] {
        assert_eq!(w.send(ev.clone()), Value::Null, "{ev}");
        assert!(!quarantined(), "storage was read for {ev}");
        assert_eq!(w.m.session.borrow()["session"]["referral"]["state"], "exploded");
    }
    // An attribution cookie is not dropped: storage is read (and the bad record quarantined).
    w.send(json!({"kind": "cookie", "removed": false, "cookie": {"name": "aeu_cid", "value": "x", "domain": ".aliexpress.com"}}));
    assert!(quarantined(), "an attribution cookie must reach the session");
}

/// JS holds no copy of the core's knowledge (issue 19 item 5): no attribution cookie name,
/// tracker host, embedded-data marker or order limit appears in the extension's scripts
/// and pages; the worker sends them, or they come from the manifest.
#[test]
fn extension_scripts_hold_no_copy_of_rust_constants() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/extension");
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "js" || x == "html") {
                files.push(p);
            }
        }
    }
    assert!(files.len() >= 6, "{files:?}");
    let mut needles: Vec<String> = vec![
        crate::domain::attribution::AEU_CID.into(),
        crate::domain::attribution::XMAN_US_F.into(),
        crate::domain::orders::MAX_LIMIT.to_string(),
    ];
    needles.extend(crate::domain::trackers::TRACKERS.iter().map(|t| t.host.to_string()));
    needles.extend(bundled().embedded_paths.markers.iter().cloned());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for n in &needles {
            assert!(!text.contains(n.as_str()), "{} holds a copy of {n:?}", f.display());
        }
    }
}

#[test]
fn a_request_from_the_wrong_context_is_refused_by_its_wire_name() {
    let w = World::new();
    let r = w.from_popup(json!({"type": "cart-intent", "url": ITEM}));
    assert_eq!(r, json!({"type": "error", "error": "cart-intent is not allowed from an extension page"}));
    let r = w.from_tab(3, json!({"type": "export-orders", "format": "csv"}));
    assert_eq!(r, json!({"type": "error", "error": "export-orders is not allowed from a content script"}));
}
