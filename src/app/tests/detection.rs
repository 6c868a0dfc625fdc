//! Evidence and what is wrong: rivals, blockers, hijacks and who did them.

use super::*;
use serde_json::json;

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
