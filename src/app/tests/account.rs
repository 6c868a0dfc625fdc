//! Settings and the shopper's linked account.

use super::*;
use serde_json::json;

#[test]
fn settings_switch_language_of_every_view() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let r = w.from_popup(json!({"type": "set-settings", "settings": {"lang": "ru", "banner": true, "badge": true}}));
    assert_eq!(r["lang"], "ru");
    let last = w.m.to_tabs.borrow().last().cloned().unwrap();
    assert_eq!(last.1["lang"], "ru");
    assert!(serde_json::to_string(&last.1["view"]).unwrap().contains("Кэшбэк не активирован"));
    let r = w.from_popup(json!({"type": "set-settings", "settings": {"lang": "klingon"}}));
    assert_eq!(r["type"], "error");
}

#[test]
fn without_a_linked_account_activate_sends_nothing_and_leads_to_linking() {
    let w = World::with_account();
    let r = w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    assert_eq!(testids(&r["view"], "cg-account-needed").len(), 1);
    assert_eq!(testids(&r["view"], "cg-activate").len(), 1, "the button leads to linking");
    let r = w.from_tab(3, json!({"type": "activate"}));
    assert_eq!(r["type"], "need-account");
    assert!(w.m.navigations.borrow().is_empty());
    assert_eq!(w.m.options_opened.get(), 1);
    assert_eq!(w.state(), "inactive");
}

#[test]
fn an_account_linked_in_the_options_goes_into_the_deep_link_and_the_order_log() {
    let w = World::with_account();
    // A bad id: a clear message, nothing saved.
    let r = w.from_popup(json!({"type": "link-account", "account": "a b<script>"}));
    assert_eq!(r["type"], "error");
    assert!(r["error"].as_str().unwrap().contains("not a valid account id"));
    assert!(w.m.local.borrow().get("settings").is_none_or(|s| s["account"].is_null()));
    let r = w.from_popup(json!({"type": "link-account", "account": " shopper_42 "}));
    assert_eq!(r["account"], "shopper_42");
    assert_eq!(w.m.local.borrow()["settings"]["account"], "shopper_42");
    let p = testids(&w.popup_view(), "cg-account-status");
    assert_eq!(p[0]["a"]["data-account"], "shopper_42");
    // Settings saved from the options page never touch the account.
    w.from_popup(json!({"type": "set-settings", "settings": {"lang": "ru", "account": "thief"}}));
    assert_eq!(w.m.local.borrow()["settings"]["account"], "shopper_42");
    w.from_popup(json!({"type": "set-settings", "settings": {"lang": "en"}}));
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    let link = w.m.navigations.borrow()[0].1.clone();
    assert!(link.ends_with("&af=shopper_42"), "{link}");
    // AliExpress forwards it to the landing: active.
    let k = "cgDemo0001";
    let cid = format!("fedcba9876543210fedcba9876543210-{}-55555-{k}", w.m.now.get() as u64);
    let landing = format!("{ITEM}?aff_fcid={cid}&aff_fsk={k}&sk={k}&af=shopper_42");
    w.m.cookies.borrow_mut().insert("aeu_cid".into(), cid);
    w.from_tab(3, json!({"type": "hello", "url": landing}));
    assert_eq!(w.state(), "active");
    // A later page with our key and another shopper's id: the sub-id was swapped.
    let swapped = landing.replace("af=shopper_42", "af=thief");
    let r = w.from_tab(4, json!({"type": "hello", "url": swapped}));
    assert_eq!(w.state(), "hijacked");
    let warn = testids(&r["view"], "cg-warning");
    assert!(warn.iter().any(|x| x["a"]["data-kind"] == "rival" && x["a"]["data-subject"] == "thief"), "{warn:?}");
}

#[test]
fn the_order_log_records_the_account_credited() {
    let w = World::with_account();
    w.from_popup(json!({"type": "link-account", "account": "shopper_42"}));
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    let landing = w.deep_link_answers(3);
    w.from_tab(3, json!({"type": "hello", "url": format!("{landing}&af=shopper_42")}));
    assert_eq!(w.state(), "active");
    w.page(3, PAID, json!({"paySuccess": true, "orderTotal": ["US $25.98"]}));
    assert_eq!(w.log()["orders"][0]["account"], "shopper_42");
    let csv = w.from_popup(json!({"type": "export-orders", "format": "csv"}));
    let text = csv["text"].as_str().unwrap();
    assert!(text.lines().next().unwrap().ends_with(",account"));
    assert!(text.lines().nth(1).unwrap().ends_with(",shopper_42"), "{text}");
}

#[test]
fn only_the_operators_site_in_its_top_frame_may_link_an_account() {
    let w = World::with_account();
    let msg = json!({"type": "link-account", "account": "shopper_42"});
    let refused = [
        ("https://www.aliexpress.com/item/1.html", "https://www.aliexpress.com", 0),
        ("https://evil.example/", "https://evil.example", 0),
        ("https://cashback.example.evil.example/", "https://cashback.example.evil.example", 0),
        ("https://cashback.example/frame", "https://cashback.example", 3),
        ("http://cashback.example/", "http://cashback.example", 0),
    ];
    for (url, origin, frame) in refused {
        let r = w.from_site(url, origin, frame, msg.clone());
        assert_eq!(r["ok"], false, "{url} frame {frame}");
        assert!(w.m.local.borrow().get("settings").is_none_or(|s| s["account"].is_null()), "{url}");
    }
    // Another extension (it has an id) cannot either, nor can the site unlink or read.
    let r = w.send(json!({"kind": "external", "msg": msg, "sender": {"id": "otherext", "url": "https://cashback.example/", "origin": "https://cashback.example", "frameId": 0}}));
    assert_eq!(r["ok"], false);
    let r = w.from_site("https://cashback.example/account", "https://cashback.example", 0, json!({"type": "popup"}));
    assert_eq!(r["ok"], false);
    let r = w.from_site("https://cashback.example/account", "https://cashback.example", 0, json!({"type": "link-account", "account": "x"}));
    assert_eq!(r["ok"], false, "pattern needs 3 characters");
    assert!(r["error"].as_str().unwrap().contains("not a valid account id"));
    let r = w.from_site("https://cashback.example/account", "https://cashback.example", 0, msg.clone());
    assert_eq!(r, json!({"ok": true}));
    assert_eq!(w.m.local.borrow()["settings"]["account"], "shopper_42");
    // Without accounts in the config, no page can message us at all.
    let w = World::new();
    let r = w.from_site("https://cashback.example/account", "https://cashback.example", 0, msg);
    assert_eq!(r["ok"], false);
}

#[test]
fn settings_reply_carries_the_order_limit() {
    let w = World::new();
    let r = w.from_popup(json!({"type": "get-settings"}));
    assert_eq!(r["ordersMaxLimit"], crate::domain::orders::MAX_LIMIT);
}
