use super::present::rate_text;
use super::*;
use crate::domain::layout::bundled;
use crate::memory::{block_on, Memory};
use serde_json::json;

const CFG: &str = include_str!("../../extension/config/default.json");
const EXT: &str = "cgtestextensionidaaaaaaaaaaaaaaaa";
const ITEM: &str = "https://www.aliexpress.com/item/1005001000000001.html";

struct World {
    m: Memory,
    pkg: Package,
}

impl World {
    fn new() -> World {
        World { m: Memory::new(), pkg: Package::bundled(CFG).unwrap() }
    }
    fn ctx(&self) -> Ctx<'_, Memory> {
        Ctx { platform: &self.m, pkg: &self.pkg }
    }
    fn send(&self, ev: Value) -> Value {
        let ev = BrowserEvent::decode(ev).expect("test event decodes");
        block_on(self.ctx().handle(ev))
    }
    fn from_tab(&self, tab: i32, msg: Value) -> Value {
        self.send(json!({"kind": "message", "msg": msg, "sender": {"id": EXT, "tab": {"id": tab}, "url": ITEM}}))
    }
    fn from_popup(&self, msg: Value) -> Value {
        self.send(json!({"kind": "message", "msg": msg, "sender": {"id": EXT, "url": format!("chrome-extension://{EXT}/popup.html")}}))
    }
    fn state(&self) -> String {
        self.m.session.borrow()["session"]["referral"]["state"].as_str().unwrap().to_string()
    }
    fn land_ours(&self, tab: i32) {
        let k = &self.pkg.config.affiliate_key;
        self.m.cookies.borrow_mut().insert("aeu_cid".into(), format!("0123456789abcdef0123456789abcdef-1700000000000-01234-{k}"));
        self.send(json!({"kind": "redirect", "tabId": tab, "url": "https://s.click.aliexpress.com/deep_link.htm?aff_short_key=x",
            "redirectUrl": format!("{ITEM}?aff_fsk={k}&sk={k}&aff_platform=portals-tool"), "type": "main_frame"}));
        self.send(json!({"kind": "completed", "tabId": tab, "url": format!("{ITEM}?aff_fsk={k}&sk={k}&aff_platform=portals-tool"), "type": "main_frame"}));
    }
}

fn find_testid<'a>(v: &'a Value, id: &str, out: &mut Vec<&'a Value>) {
    if v.get("a").and_then(|a| a.get("data-testid")).and_then(Value::as_str) == Some(id) {
        out.push(v);
    }
    if let Some(c) = v.get("c").and_then(Value::as_array) {
        for x in c {
            find_testid(x, id, out);
        }
    }
}

/// The view tree with each node's attribute pairs `[[k, v], …]` turned into an object.
fn norm(v: &Value) -> Value {
    let mut n = v.clone();
    if let Some(pairs) = v.get("a").and_then(Value::as_array) {
        let mut m = serde_json::Map::new();
        for p in pairs {
            if let (Some(k), Some(val)) = (p[0].as_str(), p.get(1)) {
                m.insert(k.to_string(), val.clone());
            }
        }
        n["a"] = Value::Object(m);
    }
    if let Some(c) = v.get("c").and_then(Value::as_array) {
        n["c"] = Value::Array(c.iter().map(norm).collect());
    }
    n
}

fn testids(v: &Value, id: &str) -> Vec<Value> {
    let v = norm(v);
    let mut out = Vec::new();
    find_testid(&v, id, &mut out);
    out.into_iter().cloned().collect()
}

#[test]
fn hello_on_aliexpress_returns_inactive_banner_with_profile_and_css() {
    let w = World::new();
    let r = w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    assert_eq!(r["type"], "page");
    assert_eq!(r["state"], "inactive");
    assert_eq!(testids(&r["view"], "cg-banner")[0]["a"]["data-state"], "inactive");
    assert_eq!(testids(&r["view"], "cg-activate").len(), 1);
    assert_eq!(r["profile"]["id"], "aliexpress-com-2026");
    assert!(r["css"].as_str().unwrap().contains(".cg-banner"));
}

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
fn one_click_one_redirect_then_active_and_never_again() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let r = w.from_tab(3, json!({"type": "activate"}));
    assert_eq!(r["state"], "activating");
    let navs = w.m.navigations.borrow().clone();
    assert_eq!(navs.len(), 1);
    assert_eq!(navs[0].0, 3);
    assert!(navs[0].1.starts_with("https://s.click.aliexpress.com/deep_link.htm?aff_short_key=cgDemo0001&dl_target_url=https%3A%2F%2Fwww.aliexpress.com%2Fitem%2F1005001000000001.html"), "{}", navs[0].1);
    assert_eq!(w.m.alarms.borrow()[0].0, TIMEOUT_ALARM);
    assert_eq!(w.state(), "activating");
    w.land_ours(3);
    assert_eq!(w.state(), "active");
    let r = w.from_tab(3, json!({"type": "activate"}));
    assert_eq!(r["reason"], "already-active");
    assert_eq!(w.m.navigations.borrow().len(), 1, "active never redirects again");
    // Every known tab hears about it; badge shows the tick.
    let last = w.m.to_tabs.borrow().last().cloned().unwrap();
    assert_eq!(last.1["state"], "active");
    assert_eq!(w.m.badges.borrow()[&3].0, "✓");
}

#[test]
fn blocked_by_client_names_the_host_and_allows_one_retry() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    w.send(json!({"kind": "net-error", "tabId": 3, "url": "https://s.click.aliexpress.com/deep_link.htm?x=1", "error": "net::ERR_BLOCKED_BY_CLIENT", "type": "main_frame"}));
    assert_eq!(w.state(), "blocked");
    let r = w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let warn = testids(&r["view"], "cg-warning");
    assert_eq!(warn[0]["a"]["data-kind"], "adblock");
    assert_eq!(warn[0]["a"]["data-subject"], "s.click.aliexpress.com");
    assert_eq!(testids(&r["view"], "cg-activate").len(), 1);
    w.from_tab(3, json!({"type": "activate"}));
    assert_eq!(w.m.navigations.borrow().len(), 2);
}

#[test]
fn timeout_alarm_fails_the_activation() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    w.m.advance(f64::from(w.pkg.config.activation_timeout_s) * 1000.0 + 1.0);
    w.send(json!({"kind": "alarm", "name": TIMEOUT_ALARM}));
    assert_eq!(w.state(), "failed");
}

#[test]
fn closed_tab_during_activation_fails_with_no_tab() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.m.fail_navigate.set(true);
    w.from_tab(3, json!({"type": "activate"}));
    assert_eq!(w.state(), "failed");
    assert_eq!(w.m.session.borrow()["session"]["referral"]["outcome"], "no-tab");
}

#[test]
fn hijack_after_active_names_the_rival_key() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    w.land_ours(3);
    w.send(json!({"kind": "cookie", "removed": false, "cookie": {"name": "aeu_cid", "value": "0123456789abcdef0123456789abcdef-1700000000000-01234-rivalKey77", "domain": ".aliexpress.com"}}));
    assert_eq!(w.state(), "hijacked");
    let r = w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let warn = testids(&r["view"], "cg-warning");
    assert_eq!(warn[0]["a"]["data-kind"], "rival");
    assert_eq!(warn[0]["a"]["data-subject"], "rivalKey77");
}

#[test]
fn standdown_on_arrival_through_another_affiliate() {
    let w = World::new();
    let r = w.from_tab(4, json!({"type": "hello", "url": format!("{ITEM}?aff_fsk=otherKey1&sk=otherKey1&aff_platform=portals-tool")}));
    let warn = testids(&r["view"], "cg-warning");
    assert_eq!(warn.len(), 1);
    assert_eq!(warn[0]["a"]["data-kind"], "standdown");
    assert_eq!(warn[0]["a"]["data-subject"], "otherKey1");
}

#[test]
fn expected_cashback_from_json_ld_and_gift_card_rate() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let facts = json!({"jsonLd": [r#"{"@type":"Product","offers":{"price":"25.00","priceCurrency":"USD"}}"#], "quantity": "2"});
    let r = w.from_tab(3, json!({"type": "facts", "url": ITEM, "facts": facts}));
    let e = testids(&r["view"], "cg-expected");
    assert_eq!(e[0]["a"]["data-amount-minor"], "350", "25.00 × 2 × 7% = 3.50");
    assert_eq!(e[0]["a"]["data-currency"], "USD");
    assert_eq!(testids(&r["view"], "cg-rate")[0]["a"]["data-rate-bp"], "700");
    // A gift certificate (category 201768104) earns the category rate.
    let gift = "https://www.aliexpress.com/item/1005001000000004.html";
    w.from_tab(5, json!({"type": "hello", "url": gift}));
    let facts = json!({"price": ["US $50.00"], "categoryLinks": ["//www.aliexpress.com/category/201768104/gift-cards.html"]});
    let r = w.from_tab(5, json!({"type": "facts", "url": gift, "facts": facts}));
    assert_eq!(testids(&r["view"], "cg-rate")[0]["a"]["data-rate-bp"], "300");
    assert_eq!(testids(&r["view"], "cg-expected")[0]["a"]["data-amount-minor"], "150");
}

#[test]
fn unreadable_price_says_so_and_keeps_the_raw_text() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let r = w.from_tab(3, json!({"type": "facts", "url": ITEM, "facts": {"price": ["цена по запросу"]}}));
    assert!(testids(&r["view"], "cg-expected").is_empty());
    assert!(serde_json::to_string(&r["view"]).unwrap().contains("Could not read the price"));
    let p = w.from_popup(json!({"type": "popup", "tabId": 3}));
    assert!(serde_json::to_string(&p["view"]).unwrap().contains("цена по запросу"));
}

#[test]
fn cart_warning_before_and_flags_after_activation() {
    let w = World::new();
    let cart = "https://www.aliexpress.com/p/shoppingcart/index.html";
    w.from_tab(3, json!({"type": "hello", "url": cart}));
    let lines =
        json!([{"href": "//www.aliexpress.com/item/1005001000000001.html"}, {"href": "//www.aliexpress.com/item/1005001000000002.html"}]);
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"cartItems": lines, "cartCount": "2"}}));
    let warn = testids(&r["view"], "cg-warning");
    assert_eq!(warn[0]["a"]["data-kind"], "cart");
    assert_eq!(warn[0]["a"]["data-subject"], "1005001000000001,1005001000000002");
    assert!(r["view"].to_string().contains("2 items are already in your cart"), "said next to Activate");
    w.from_tab(3, json!({"type": "activate"}));
    w.land_ours(3);
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"cartItems": lines}}));
    assert_eq!(r["flags"], json!([[0, "1005001000000001"], [1, "1005001000000002"]]), "lines by index, with their ids");
}

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
fn session_ends_after_configured_hours() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    w.land_ours(3);
    w.m.advance(w.pkg.config.session_ms() + 1.0);
    let r = w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    assert_eq!(r["state"], "inactive");
}

#[test]
fn popup_for_unknown_tab_says_open_aliexpress() {
    let w = World::new();
    let p = w.from_popup(json!({"type": "popup", "tabId": 99}));
    assert_eq!(testids(&p["view"], "cg-status")[0]["a"]["data-state"], "inactive");
    assert!(testids(&p["view"], "cg-activate").is_empty());
    let r = w.from_popup(json!({"type": "activate", "tabId": 99}));
    assert_eq!(r["type"], "error");
    assert!(w.m.navigations.borrow().is_empty());
}

#[test]
fn each_package_speaks_with_its_own_catalogs_in_one_process() {
    // Two workers' packages side by side, one with a reworded English catalog: each one's
    // banner and popup use its own words (a catalog installed once per process could not).
    let shipped = World::new();
    let mut en: Value = serde_json::from_str(crate::domain::i18n::EN_JSON).unwrap();
    en["action_activate"]["message"] = "Turn cashback on".into();
    en["orders_title"]["message"] = "Purchases".into();
    let mut pkg = Package::bundled(CFG).unwrap();
    pkg.catalogs = crate::domain::i18n::Catalogs::parse(&en.to_string(), crate::domain::i18n::RU_JSON).unwrap();
    let reworded = World { m: Memory::new(), pkg };
    let activate = |w: &World| {
        let r = w.from_tab(3, json!({"type": "hello", "url": ITEM}));
        testids(&r["view"], "cg-activate")[0]["x"].as_str().unwrap().to_string()
    };
    let orders = |w: &World| {
        let p = w.from_popup(json!({"type": "popup", "tabId": 3}));
        testids(&p["view"], "cg-orders")[0]["c"][0]["x"].as_str().unwrap().to_string()
    };
    assert_eq!(activate(&shipped), "Activate cashback");
    assert_eq!(activate(&reworded), "Turn cashback on");
    assert_eq!(activate(&shipped), "Activate cashback", "the first package keeps its words");
    assert_eq!(orders(&reworded), "Purchases");
    assert_eq!(orders(&shipped), "Orders");
}

#[test]
fn rate_text_formats() {
    assert_eq!(rate_text(700), "7%");
    assert_eq!(rate_text(350), "3.5%");
    assert_eq!(rate_text(125), "1.25%");
}

#[test]
fn unrecognised_cart_layout_means_no_warning_and_a_diagnostics_line() {
    let w = World::new();
    let cart = "https://www.aliexpress.com/p/shoppingcart/index.html";
    w.from_tab(3, json!({"type": "hello", "url": cart}));
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"layout": "aliexpress-com-2026", "cartWaited": true}}));
    assert!(testids(&r["view"], "cg-warning").is_empty());
    assert_eq!(r["flags"], json!([]));
    let p = w.from_popup(json!({"type": "popup", "tabId": 3}));
    assert!(serde_json::to_string(&p["view"]).unwrap().contains("cart page layout not recognised by profile aliexpress-com-2026"));
    assert_eq!(testids(&r["view"], "cg-cart-unread").len(), 1, "the banner says the cart could not be read");
    // Still rendering (not yet waited): nothing said yet.
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"layout": "aliexpress-com-2026"}}));
    assert!(testids(&r["view"], "cg-cart-unread").is_empty());
    // The real .com markup, lines only (no container): the ids are read.
    let lines = json!([{"href": "//www.aliexpress.com/item/1005001000000101.html"}, {"href": ""}]);
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"cartItems": lines}}));
    assert!(testids(&r["view"], "cg-cart-unread").is_empty());
    assert_eq!(testids(&r["view"], "cg-warning")[0]["a"]["data-subject"], "1005001000000101");
}

#[test]
fn blocked_tracking_pixel_and_rival_links_are_warned_with_their_subject() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.send(json!({"kind": "net-error", "tabId": 3, "url": "https://s.click.aliexpress.com/af_pixel.htm?x=1", "error": "net::ERR_BLOCKED_BY_CLIENT", "type": "image"}));
    assert_eq!(w.state(), "inactive", "a blocked pixel is not an activation verdict");
    let facts = json!({"affiliateLinks": [
        "https://s.click.aliexpress.com/deep_link.htm?aff_short_key=rivalKey9&dl_target_url=x",
        "https://s.click.aliexpress.com/deep_link.htm?aff_short_key=cgDemo0001&dl_target_url=x",
        "//www.aliexpress.com/item/1.html",
        "javascript:alert(1)"
    ], "affiliateFrames": ["https://alitems.com/g/abc/?ulp=x"]});
    let r = w.from_tab(3, json!({"type": "facts", "url": ITEM, "facts": facts}));
    let warn = testids(&r["view"], "cg-warning");
    let pairs: Vec<(String, String)> = warn
        .iter()
        .map(|x| (x["a"]["data-kind"].as_str().unwrap().to_string(), x["a"]["data-subject"].as_str().unwrap().to_string()))
        .collect();
    assert!(pairs.contains(&("adblock".into(), "s.click.aliexpress.com".into())), "{pairs:?}");
    assert!(pairs.contains(&("rival".into(), "rivalKey9".into())), "{pairs:?}");
    assert!(pairs.contains(&("rival".into(), "alitems.com".into())), "{pairs:?}");
    assert!(!pairs.iter().any(|(_, s)| s == "cgDemo0001"), "our own links are not rivals");
}

#[test]
fn clean_session_has_no_warnings() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    w.land_ours(3);
    let r = w.from_tab(3, json!({"type": "facts", "url": ITEM, "facts": {"price": ["US $1.00"]}}));
    assert!(testids(&r["view"], "cg-warning").is_empty());
}

#[test]
fn hijack_through_a_hidden_iframe_names_the_frame() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    w.land_ours(3);
    w.send(json!({"kind": "redirect", "tabId": 3, "url": "https://s.click.aliexpress.com/deep_link.htm?aff_short_key=rivalKey77&dl_target_url=x",
        "redirectUrl": "https://www.aliexpress.com/?aff_fsk=rivalKey77", "type": "sub_frame"}));
    w.m.advance(300.0);
    w.send(json!({"kind": "cookie", "removed": false, "cookie": {"name": "aeu_cid", "value": "0123456789abcdef0123456789abcdef-1700000000000-01234-rivalKey77"}}));
    assert_eq!(w.state(), "hijacked");
    assert_eq!(w.m.session.borrow()["session"]["referral"]["outcome"]["hijack"]["culprit"], "hidden iframe in tab 3");
    assert_eq!(w.m.navigations.borrow().len(), 1, "no automatic re-activation");
}

#[test]
fn late_redirect_evidence_still_names_the_culprit() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    w.land_ours(3);
    w.send(json!({"kind": "cookie", "removed": false, "cookie": {"name": "aeu_cid", "value": "0123456789abcdef0123456789abcdef-1700000000000-01234-rivalKey77"}}));
    assert_eq!(w.m.session.borrow()["session"]["referral"]["outcome"]["hijack"]["culprit"], Value::Null);
    w.m.advance(200.0);
    w.send(json!({"kind": "redirect", "tabId": 3, "url": "https://s.click.aliexpress.com/deep_link.htm?aff_short_key=rivalKey77&dl_target_url=x",
        "redirectUrl": "https://www.aliexpress.com/", "type": "sub_frame"}));
    assert_eq!(w.m.session.borrow()["session"]["referral"]["outcome"]["hijack"]["culprit"], "hidden iframe in tab 3");
}

#[test]
fn activation_click_carries_the_cart_the_page_shows() {
    let w = World::new();
    let cart = "https://www.aliexpress.com/p/shoppingcart/index.html";
    w.from_tab(3, json!({"type": "hello", "url": cart}));
    // The shopper clicks before the content script's first facts went out.
    let lines = json!([{"href": "//www.aliexpress.com/item/1005001000000001.html"}]);
    w.from_tab(3, json!({"type": "activate", "url": cart, "facts": {"cartItems": lines}}));
    w.land_ours(3);
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"cartItems": lines}}));
    assert_eq!(r["flags"], json!([[0, "1005001000000001"]]));
}

#[test]
fn installed_extensions_name_the_blocker_and_the_rival_plugin() {
    let w = World::new();
    *w.m.installed.borrow_mut() = Some(json!([
        {"id": "cjpalhdlnbpafiamejdnhcphjbkeiagm", "name": "uBlock Origin", "enabled": true, "type": "extension"},
        {"id": "lphicbbhfmllgmomkkhjfkpbdlncafbn", "name": "LetyShops", "enabled": true, "type": "extension"}
    ]));
    let r = w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let warn = testids(&r["view"], "cg-warning");
    assert_eq!(warn.len(), 1, "a blocker with no blocking evidence is not a warning: {warn:?}");
    assert_eq!(warn[0]["a"]["data-kind"], "rival");
    assert_eq!(warn[0]["a"]["data-subject"], "lphicbbhfmllgmomkkhjfkpbdlncafbn");
    assert!(warn[0].to_string().contains("LetyShops can take over your cashback"));

    w.from_tab(3, json!({"type": "activate"}));
    w.send(json!({"kind": "net-error", "tabId": 3, "url": "https://s.click.aliexpress.com/deep_link.htm?x=1", "error": "net::ERR_BLOCKED_BY_CLIENT", "type": "main_frame"}));
    let r = w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let adblock: Vec<Value> = testids(&r["view"], "cg-warning").into_iter().filter(|x| x["a"]["data-kind"] == "adblock").collect();
    assert_eq!(adblock.len(), 1, "{adblock:?}");
    assert_eq!(adblock[0]["a"]["data-subject"], "cjpalhdlnbpafiamejdnhcphjbkeiagm");
    assert!(adblock[0].to_string().contains("uBlock Origin blocks the referral"));
}

#[test]
fn without_the_management_permission_nothing_is_claimed_about_extensions() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let r = w.from_popup(json!({"type": "check-extensions"}));
    assert_eq!(r["granted"], false);
    *w.m.installed.borrow_mut() = Some(json!([]));
    let r = w.from_popup(json!({"type": "check-extensions"}));
    assert_eq!(r["granted"], true);
    assert_eq!(r["found"], 0);
}

#[test]
fn a_cart_page_still_loading_does_not_clear_the_flags() {
    let w = World::new();
    let cart = "https://www.aliexpress.com/p/shoppingcart/index.html";
    let lines = json!([{"href": "//www.aliexpress.com/item/1005001000000001.html"}]);
    w.from_tab(3, json!({"type": "hello", "url": cart}));
    w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"cartItems": lines}}));
    w.from_tab(3, json!({"type": "activate"}));
    w.land_ours(3);
    // Reload: the container is there, its lines are not yet (no cartItems).
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {}}));
    assert_eq!(r["flags"], json!([[0, "1005001000000001"]]));
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"cartItems": lines}}));
    assert_eq!(r["flags"], json!([[0, "1005001000000001"]]));
    let p = w.from_popup(json!({"type": "popup", "tabId": 3}));
    assert!(!serde_json::to_string(&p["view"]).unwrap().contains("not recognised"));
}

#[test]
fn a_sku_picked_on_a_json_ld_page_moves_the_amount() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let ld = r#"{"@type":"Product","offers":{"price":"25.00","priceCurrency":"USD"}}"#;
    let r = w.from_tab(3, json!({"type": "facts", "url": ITEM, "facts": {"jsonLd": [ld], "price": ["US $25.00"]}}));
    assert_eq!(testids(&r["view"], "cg-expected")[0]["a"]["data-amount-minor"], "175");
    // The SKU click changes the URL (same product) and the visible price only.
    let sku = format!("{ITEM}?sku_id=12000");
    w.from_tab(3, json!({"type": "hello", "url": sku}));
    let r = w.from_tab(3, json!({"type": "facts", "url": sku, "facts": {"jsonLd": [ld], "price": ["US $30.00"]}}));
    assert_eq!(testids(&r["view"], "cg-expected")[0]["a"]["data-amount-minor"], "210");
    // A text in another currency (a mis-read element) does not override the structured price.
    let r = w.from_tab(3, json!({"type": "facts", "url": sku, "facts": {"jsonLd": [ld], "price": ["1 000 ₽"]}}));
    assert_eq!(testids(&r["view"], "cg-expected")[0]["a"]["data-amount-minor"], "175");
}

// ---- Orders (issue 8) ----

const CHECKOUT: &str =
    "https://www.aliexpress.com/p/trade/confirm.html?objectId=1005001000000001&skuId=1&quantity=1&aeOrderFrom=main_detail";
const PAID: &str = "https://www.aliexpress.com/p/second-payment/pay-result.html?pmntId=PAY123";

impl World {
    fn page(&self, tab: i32, url: &str, facts: Value) -> Value {
        self.from_tab(tab, json!({"type": "hello", "url": url}));
        self.from_tab(tab, json!({"type": "facts", "url": url, "facts": facts}))
    }
    fn activate_and_land(&self, tab: i32) {
        self.from_tab(tab, json!({"type": "hello", "url": ITEM}));
        self.from_tab(tab, json!({"type": "activate"}));
        self.land_ours(tab);
        assert_eq!(self.state(), "active");
    }
    fn log(&self) -> Value {
        self.m.local.borrow().get("orders").cloned().unwrap_or(Value::Null)
    }
    fn popup_view(&self) -> Value {
        self.from_popup(json!({"type": "popup", "tabId": 3}))["view"].clone()
    }
}

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
fn checkout_pitfalls_are_warned_on_the_checkout_page() {
    let w = World::new();
    // Not active: the checkout says so before payment.
    let r = w.page(3, CHECKOUT, json!({"orderTotal": ["US $10.00"], "promoCode": "  SAVE5 ", "appPayment": true}));
    let risk = testids(&r["view"], "cg-checkout-risk");
    assert_eq!(risk.len(), 1);
    assert_eq!(risk[0]["a"]["data-state"], "inactive");
    let kinds: Vec<(String, String)> = testids(&r["view"], "cg-warning")
        .iter()
        .map(|x| (x["a"]["data-kind"].as_str().unwrap().to_string(), x["a"]["data-subject"].as_str().unwrap().to_string()))
        .collect();
    assert!(kinds.contains(&("coupon".into(), "SAVE5".into())), "{kinds:?}");
    assert!(kinds.contains(&("app-payment".into(), "app".into())), "{kinds:?}");
    // Clean checkout, active: no pitfall, no risk line.
    let w = World::new();
    w.activate_and_land(3);
    let r = w.page(3, CHECKOUT, json!({"orderTotal": ["US $10.00"], "promoCode": ""}));
    assert!(testids(&r["view"], "cg-checkout-risk").is_empty());
    assert!(testids(&r["view"], "cg-warning").is_empty(), "{}", r["view"]);
    // Pitfalls belong to the checkout page only.
    let r = w.page(4, ITEM, json!({"promoCode": "SAVE5", "appPayment": true}));
    assert!(testids(&r["view"], "cg-warning").is_empty());
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

/// Active, then the tab is sent through a rival's deep link (a top-level navigation).
fn hijack_by_navigation(w: &World) -> Value {
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    w.land_ours(3);
    w.send(json!({"kind": "redirect", "tabId": 3, "url": "https://s.click.aliexpress.com/deep_link.htm?aff_short_key=rivalNav1&dl_target_url=x",
        "redirectUrl": format!("{ITEM}?aff_fsk=rivalNav1&sk=rivalNav1"), "type": "main_frame"}));
    w.send(json!({"kind": "cookie", "cookie": {"name": "aeu_cid", "value": "0123456789abcdef0123456789abcdef-1700000000000-01234-rivalNav1", "domain": ".aliexpress.com"}}));
    assert_eq!(w.state(), "hijacked");
    w.from_tab(3, json!({"type": "hello", "url": ITEM}))
}

#[test]
fn a_navigation_hijack_names_the_one_extension_that_can_steer_tabs() {
    let steerer = json!({"id": "ddddeeeeffffgggghhhhiiiijjjjkkkk", "name": "Tab steerer", "enabled": true,
        "permissions": ["tabs"], "hostPermissions": ["https://*.aliexpress.com/*"]});
    let organiser = json!({"id": "eeeeffffgggghhhhiiiijjjjkkkkllll", "name": "Tab organiser", "enabled": true,
        "permissions": ["tabs"], "hostPermissions": ["https://*.example.org/*"]});
    // Without the management permission: the rival's key, and how.
    let w = World::new();
    let r = hijack_by_navigation(&w);
    let warn = testids(&r["view"], "cg-warning");
    assert_eq!((warn.len(), warn[0]["a"]["data-subject"].as_str()), (1, Some("rivalNav1")));
    // One suspect that can see and steer AliExpress tabs: named by id.
    let w = World::new();
    *w.m.installed.borrow_mut() = Some(json!([steerer.clone(), organiser]));
    let r = hijack_by_navigation(&w);
    let warn = testids(&r["view"], "cg-warning");
    assert_eq!(warn.len(), 1, "{warn:?}");
    assert_eq!(warn[0]["a"]["data-subject"], "ddddeeeeffffgggghhhhiiiijjjjkkkk");
    let text = norm(&warn[0]).to_string();
    assert!(text.contains("Tab steerer sent this tab through its own affiliate link (partner key rivalNav1)"), "{text}");
    let words = format!("{} {}", norm(&warn[0])["c"][0]["x"], norm(&warn[0])["c"][1]["x"]);
    assert!(!words.contains("tab 3") && !words.contains("ddddeeeeffffgggghhhhiiiijjjjkkkk"), "ids stay in Diagnostics: {words}");
    // Two suspects: the key stays the subject, both are listed.
    let w = World::new();
    let mut second = steerer.clone();
    second["id"] = json!("ffffgggghhhhiiiijjjjkkkkllllmmmm");
    second["name"] = json!("Coupon popper");
    *w.m.installed.borrow_mut() = Some(json!([steerer, second]));
    let r = hijack_by_navigation(&w);
    let warn = testids(&r["view"], "cg-warning");
    assert_eq!(warn[0]["a"]["data-subject"], "rivalNav1");
    let text = norm(&warn[0]).to_string();
    assert!(text.contains("Tab steerer, Coupon popper"), "{text}");
}

#[test]
fn the_bait_corroborates_but_never_warns_alone() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let r = w.from_tab(3, json!({"type": "facts", "url": ITEM, "facts": {"baitHidden": true}}));
    assert!(testids(&r["view"], "cg-warning").is_empty(), "bait alone: no warning");
    let diag = testids(&w.popup_view(), "cg-diagnostics")[0]["x"].as_str().unwrap().to_string();
    assert!(diag.contains("bait cosmetic filter bait element hidden on www.aliexpress.com"), "{diag}");
    // With network evidence, the warning says the page filter is active too.
    w.send(json!({"kind": "net-error", "tabId": 3, "url": "https://s.click.aliexpress.com/af_pixel.htm?x=1", "error": "net::ERR_BLOCKED_BY_CLIENT", "type": "image"}));
    let r = w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let warn = testids(&r["view"], "cg-warning");
    assert_eq!(warn.len(), 1);
    assert!(norm(&warn[0]).to_string().contains("page filter is active here too"), "{}", norm(&warn[0]));
}

#[test]
fn a_hijack_seen_first_on_the_landing_page_still_names_the_redirect_already_seen() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    w.land_ours(3);
    // The rival's redirect is reported, then the landing page says hello before any cookie event.
    w.send(json!({"kind": "redirect", "tabId": 3, "url": "https://s.click.aliexpress.com/deep_link.htm?aff_short_key=rivalLand1&dl_target_url=x",
        "redirectUrl": format!("{ITEM}?aff_fsk=rivalLand1&sk=rivalLand1"), "type": "main_frame"}));
    let r = w.from_tab(3, json!({"type": "hello", "url": format!("{ITEM}?aff_fsk=rivalLand1&sk=rivalLand1&aff_platform=portals-tool")}));
    assert_eq!(w.state(), "hijacked");
    let text = norm(&testids(&r["view"], "cg-warning")[0]).to_string();
    assert!(text.contains("another extension sent this tab through its own affiliate link (partner key rivalLand1)"), "{text}");
    assert!(!text.contains("tab 3"), "no tab id in the words: {text}");
    let diag = testids(&w.popup_view(), "cg-diagnostics")[0]["x"].as_str().unwrap().to_string();
    assert!(diag.contains("navigation in tab 3"), "{diag}");
}

// ---- Issue 17: proof bound to the click, a worker stopped at any point, storage faults ----

const OLD_CID: &str = "0123456789abcdef0123456789abcdef-1690000000000-01234-cgDemo0001";

impl World {
    fn with_hooks() -> World {
        let mut w = World::new();
        w.pkg.config.test_hooks = true;
        w
    }
    /// One event on a worker that may be stopped at a checkpoint: `None` when it was.
    fn send_may_stop(&self, ev: Value) -> Option<Value> {
        let ev = BrowserEvent::decode(ev).expect("test event decodes");
        crate::memory::run_until_stalled(self.ctx().handle(ev))
    }
    fn tab_msg(tab: i32, msg: Value) -> Value {
        json!({"kind": "message", "msg": msg, "sender": {"id": EXT, "tab": {"id": tab}, "url": ITEM}})
    }
    /// What AliExpress answers to the deep link (a fresh click id and cookie), as the
    /// browser reports it: the redirect, the cookie write, the landing.
    fn deep_link_answers(&self, tab: i32) -> String {
        let k = &self.pkg.config.affiliate_key;
        let cid = format!("fedcba9876543210fedcba9876543210-{}-55555-{k}", self.m.now.get() as u64);
        let landing = format!("{ITEM}?aff_fcid={cid}&aff_fsk={k}&sk={k}&aff_trace_key={cid}");
        self.send(
            json!({"kind": "redirect", "tabId": tab, "url": format!("https://s.click.aliexpress.com/deep_link.htm?aff_short_key={k}"),
            "redirectUrl": landing, "type": "main_frame"}),
        );
        self.m.cookies.borrow_mut().insert("aeu_cid".into(), cid.clone());
        self.send(json!({"kind": "cookie", "removed": false, "cookie": {"name": "aeu_cid", "value": cid, "domain": ".aliexpress.com"}, "cause": "explicit"}));
        self.m.tabs.borrow_mut().insert(tab, crate::ports::TabNav { url: landing.clone(), pending: None });
        landing
    }
}

#[test]
fn an_old_cookie_of_ours_and_a_stripped_referral_end_blocked_with_the_filter_named() {
    let w = World::new();
    // Activated last week: the 30-day cookie is still there.
    w.m.cookies.borrow_mut().insert("aeu_cid".into(), OLD_CID.into());
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    // A URL-cleaning filter took aff_short_key off the deep link; AliExpress attributes nothing.
    let bare = "https://s.click.aliexpress.com/deep_link.htm?dl_target_url=x";
    w.send(json!({"kind": "redirect", "tabId": 3, "url": "https://s.click.aliexpress.com/deep_link.htm?aff_short_key=cgDemo0001&dl_target_url=x", "redirectUrl": bare, "type": "main_frame"}));
    w.send(json!({"kind": "redirect", "tabId": 3, "url": bare, "redirectUrl": ITEM, "type": "main_frame"}));
    let r = w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    assert_eq!(w.state(), "blocked", "an old cookie is history, not proof");
    let warn = testids(&r["view"], "cg-warning");
    assert_eq!(warn.len(), 1, "{warn:?}");
    assert_eq!(warn[0]["a"]["data-kind"], "adblock");
    assert_eq!(warn[0]["a"]["data-subject"], "s.click.aliexpress.com");
    let text = serde_json::to_string(&r["view"]).unwrap();
    assert!(text.contains("URL-cleaning"), "{text}");
    // The stripped parameter is in the Diagnostics.
    let diag = testids(&w.popup_view(), "cg-diagnostics")[0]["x"].as_str().unwrap().to_string();
    assert!(diag.contains("removed aff_short_key"), "{diag}");
}

#[test]
fn the_fresh_click_id_and_cookie_make_it_active_and_a_rival_in_the_same_landing_wins() {
    let w = World::new();
    w.m.cookies.borrow_mut().insert("aeu_cid".into(), OLD_CID.into());
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    let landing = w.deep_link_answers(3);
    w.from_tab(3, json!({"type": "hello", "url": landing}));
    assert_eq!(w.state(), "active");

    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    let landing = w.deep_link_answers(3);
    // A rival wrote its cookie in the same landing (xman_us_f with its key, new since the click).
    let rival = format!(
        "x_as_i={}",
        "%7B%22aeuCID%22%3A%2211112222333344445555666677778888-1700000000500-00001-rivalKey9%22%2C%22affiliateKey%22%3A%22rivalKey9%22%7D"
    );
    w.m.cookies.borrow_mut().insert("xman_us_f".into(), rival);
    w.from_tab(3, json!({"type": "hello", "url": landing}));
    assert_eq!(w.state(), "failed");
    assert_eq!(w.m.session.borrow()["session"]["referral"]["outcome"]["other-key"]["key"], "rivalKey9");
}

#[test]
fn a_slow_landing_after_the_timeout_turns_failed_into_active_without_a_second_redirect() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    w.m.advance(f64::from(w.pkg.config.activation_timeout_s) * 1000.0 + 1.0);
    w.send(json!({"kind": "alarm", "name": TIMEOUT_ALARM}));
    assert_eq!(w.state(), "failed");
    let landing = w.deep_link_answers(3);
    let r = w.from_tab(3, json!({"type": "hello", "url": landing}));
    assert_eq!(w.state(), "active");
    assert_eq!(r["state"], "active");
    assert_eq!(w.m.navigations.borrow().len(), 1);
}

#[test]
fn the_timeout_is_set_before_the_navigation_and_a_failed_save_never_navigates() {
    let w = World::with_hooks();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    let cps = w.m.checkpoints.borrow().clone();
    let saved = cps.iter().find(|c| c.0 == "saved").expect("checkpoint saved");
    assert_eq!((saved.1, saved.2), (1, 0), "alarm set, no navigation yet, when activating is saved");

    // The session storage refuses the write (quota): the fault really happened, nothing is sent.
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.m.fail_session.set(true);
    let r = w.from_tab(3, json!({"type": "activate"}));
    assert!(w.m.failed_writes.borrow().iter().any(|(a, k)| *a == crate::ports::Area::Session && k == "session"));
    assert_eq!(r["type"], "error");
    assert!(r["error"].as_str().unwrap().contains("nothing was sent"), "{r}");
    assert!(w.m.navigations.borrow().is_empty());
    // Diagnostics show the fault (kept in storage.local, its own quota).
    w.m.fail_session.set(false);
    let diag = testids(&w.popup_view(), "cg-diagnostics")[0]["x"].as_str().unwrap().to_string();
    assert!(diag.contains("storage write of the session failed"), "{diag}");
    // And the shopper may click again.
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    assert_eq!(w.m.navigations.borrow().len(), 1);
}

/// The undisturbed run, and the same run with the worker stopped at `stop`: same end state,
/// one pass through the deep link.
fn run_stopped_at(stop: Option<&str>) -> (String, usize, Vec<String>, usize) {
    let w = World::with_hooks();
    w.m.tabs.borrow_mut().insert(3, crate::ports::TabNav { url: ITEM.into(), pending: None });
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    *w.m.stop_at.borrow_mut() = stop.map(str::to_string);
    // The click; if the worker stops, the content script gets no answer and asks again.
    let mut stops = 0;
    while w.send_may_stop(World::tab_msg(3, json!({"type": "activate"}))).is_none() {
        stops += 1;
        assert!(stops < 3);
    }
    let landing = w.deep_link_answers(3);
    // The landing's hello, asked again while unanswered; `completed` may be lost with a stop.
    while w.send_may_stop(World::tab_msg(3, json!({"type": "hello", "url": landing}))).is_none() {
        stops += 1;
        assert!(stops < 3);
    }
    let passed: Vec<String> = w.m.checkpoints.borrow().iter().map(|c| c.0.clone()).collect();
    let navs = w.m.navigations.borrow().len();
    (w.state(), navs, passed, stops)
}

#[test]
fn a_worker_stopped_at_any_point_of_the_activation_ends_like_an_undisturbed_run() {
    let (state, navs, passed, stops) = run_stopped_at(None);
    assert_eq!((state.as_str(), navs, stops), ("active", 1, 0));
    for point in ["activate", "saved", "navigated", "landing", "verify"] {
        assert!(passed.iter().any(|p| p == point), "{point} not reached in {passed:?}");
        let (state, navs, passed, stops) = run_stopped_at(Some(point));
        // The stop really happened: the event at that point never finished.
        assert_eq!(stops, 1, "{point}: {passed:?}");
        assert_eq!((state.as_str(), navs), ("active", 1), "stopped at {point}: {passed:?}");
    }
}

#[test]
fn a_resumed_attempt_whose_tab_is_gone_fails_at_once() {
    let w = World::with_hooks();
    w.m.tabs.borrow_mut().insert(3, crate::ports::TabNav { url: ITEM.into(), pending: None });
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    *w.m.stop_at.borrow_mut() = Some("saved".into());
    assert!(w.send_may_stop(World::tab_msg(3, json!({"type": "activate"}))).is_none(), "the worker stopped");
    assert_eq!(w.state(), "activating");
    w.m.tabs.borrow_mut().remove(&3);
    w.from_tab(3, json!({"type": "activate"}));
    assert_eq!(w.state(), "failed");
    assert!(w.m.navigations.borrow().is_empty());
}

// ---- Issue 16: the shopper's account ----

const ACCOUNT: &str = r#"{"param": "af", "pattern": "^[0-9A-Za-z_-]{3,40}$", "site": "https://cashback.example"}"#;

impl World {
    fn with_account() -> World {
        let mut w = World::new();
        w.pkg.config.account = Some(crate::domain::config::Account {
            param: "af".into(),
            pattern: "^[0-9A-Za-z_-]{3,40}$".into(),
            site: "https://cashback.example".into(),
        });
        let _ = ACCOUNT;
        w
    }
    fn from_site(&self, url: &str, origin: &str, frame: i32, msg: Value) -> Value {
        self.send(json!({"kind": "external", "msg": msg, "sender": {"url": url, "origin": origin, "frameId": frame, "tab": {"id": 9}}}))
    }
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
fn a_blocked_tracker_is_warned_even_when_the_evidence_list_is_full() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    w.land_ours(3);
    assert_eq!(w.state(), "active");
    // A long session: the evidence list is at its bound.
    {
        let mut s = w.m.session.borrow_mut();
        let ev = s.get_mut("session").unwrap()["evidence"].as_array_mut().unwrap();
        while ev.len() < crate::domain::evidence::MAX_EVIDENCE {
            ev.push(json!({"at_ms": 1.0, "kind": "page", "subject": "filler", "detail": ev.len().to_string()}));
        }
    }
    let pushes = w.m.to_tabs.borrow().len();
    w.send(json!({"kind": "net-error", "tabId": 3, "url": "https://s.click.aliexpress.com/af_pixel.htm?x=1", "error": "net::ERR_BLOCKED_BY_CLIENT", "type": "image"}));
    let sent = w.m.to_tabs.borrow()[pushes..].to_vec();
    assert!(!sent.is_empty(), "the tabs were told");
    let warn = testids(&sent.last().unwrap().1["view"], "cg-warning");
    assert!(warn.iter().any(|x| x["a"]["data-kind"] == "adblock"), "{warn:?}");
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

#[test]
fn settings_reply_carries_the_order_limit() {
    let w = World::new();
    let r = w.from_popup(json!({"type": "get-settings"}));
    assert_eq!(r["ordersMaxLimit"], crate::domain::orders::MAX_LIMIT);
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

#[test]
fn withheld_host_access_warns_in_the_popup_and_never_claims_active() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    w.from_tab(3, json!({"type": "activate"}));
    w.land_ours(3);
    assert_eq!(w.state(), "active", "the session was active before access was withdrawn");
    // With access: no permission warning, the state shown is `active`.
    let p = w.from_popup(json!({"type": "popup", "tabId": 3}));
    assert_eq!(p["state"], "active");
    assert!(testids(&p["view"], "cg-warning").iter().all(|x| x["a"]["data-kind"] != "permission"));
    assert!(testids(&p["view"], "cg-permission-request").is_empty());
    // Without it (the worker says so): the warning, its button, and no `active` claim.
    let p = w.from_popup(json!({"type": "popup", "tabId": 3, "noHostAccess": true}));
    let warns = testids(&p["view"], "cg-warning");
    let perm: Vec<_> = warns.iter().filter(|x| x["a"]["data-kind"] == "permission").collect();
    assert_eq!(perm.len(), 1, "{warns:?}");
    assert_eq!(perm[0]["a"]["data-subject"], "aliexpress");
    assert_eq!(testids(&p["view"], "cg-permission-request").len(), 1);
    assert_ne!(p["state"], "active");
    for s in testids(&p["view"], "cg-status") {
        assert_ne!(s["a"]["data-state"], "active", "{s:?}");
    }
    // The text says what is withheld and what to do.
    let text = p["view"].to_string();
    assert!(text.contains("no access to AliExpress"), "{text}");
    assert!(text.contains("Allow access to AliExpress"), "{text}");
    // No activation offered: a second one would trip AliExpress's anti-spam on a session
    // that may well be active, and without access none could be checked. The status says
    // the referral cannot be checked rather than "not active".
    assert!(testids(&p["view"], "cg-activate").is_empty(), "{text}");
    assert!(text.contains("can't be checked"), "{text}");
    assert!(!text.contains("not active"), "{text}");
    // Only the view changes: the session's record keeps its state.
    assert_eq!(w.state(), "active");
}

#[test]
fn without_host_access_an_inactive_session_asks_for_access_before_offering_activation() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    assert_eq!(w.state(), "inactive");
    let p = w.from_popup(json!({"type": "popup", "tabId": 3}));
    assert_eq!(testids(&p["view"], "cg-activate").len(), 1, "with access: Activate is offered");
    let p = w.from_popup(json!({"type": "popup", "tabId": 3, "noHostAccess": true}));
    assert!(testids(&p["view"], "cg-activate").is_empty(), "without access: ask for it first");
    assert_eq!(testids(&p["view"], "cg-permission-request").len(), 1);
}
