//! The words and views: popup states, rates, withheld host access.

use super::*;
use crate::app::present::rate_text;
use serde_json::json;

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
    let (layouts, ru, registry) = (crate::domain::layout::LAYOUTS_JSON, crate::domain::i18n::RU_JSON, crate::domain::extensions::REGISTRY_JSON);
    let pkg = Package::build(CFG, layouts, &en.to_string(), ru, registry, "", None).unwrap();
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
