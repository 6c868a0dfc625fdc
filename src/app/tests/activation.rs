//! Activate: the one redirect, its outcomes (blocked, timeout, no tab), the session's end, proof bound
//! to the click, a worker stopped at any point.

use super::*;
use serde_json::json;

const OLD_CID: &str = "0123456789abcdef0123456789abcdef-1690000000000-01234-cgDemo0001";

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
