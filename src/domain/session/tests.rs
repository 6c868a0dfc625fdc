use super::*;
use crate::domain::attribution::Source;
use crate::domain::url::parse;

const KEY: &str = "cgDemo0001";
const TARGET: &str = "https://www.aliexpress.com/item/1005001234567890.html";
const DEEP: &str = "https://s.click.aliexpress.com/deep_link.htm?aff_short_key=cgDemo0001&dl_target_url=x";
const HOUR: f64 = 3_600_000.0;

/// A cookie attribution with a trace id written at `ms`.
fn attr_at(key: &str, ms: f64) -> Attribution {
    let trace = format!("0123456789abcdef0123456789abcdef-{:013}-01234-{key}", ms as u64);
    Attribution { key: key.into(), source: Source::AeuCidCookie, trace: Some(trace), platform: None }
}

fn attr(key: &str) -> Attribution {
    attr_at(key, 1100.0)
}

fn landed_url(key: Option<&str>) -> Url {
    match key {
        Some(k) => {
            let id = format!("0123456789abcdef0123456789abcdef-{:013}-01234-{k}", 1100);
            parse(&format!("{TARGET}?aff_fcid={id}&aff_trace_key={id}&aff_fsk={k}&sk={k}&aff_platform=portals-tool")).unwrap()
        }
        None => parse(TARGET).unwrap(),
    }
}

fn activating() -> Activation {
    let mut r = Activation::default();
    r.begin(1000.0, 7, TARGET, 30_000.0).unwrap();
    r
}

/// An activation clicked while `prior` cookies were already there.
fn activating_with(prior: &[&Attribution], account: Option<(&str, &str)>) -> Activation {
    let mut r = Activation::default();
    let prior = Prior {
        traces: prior.iter().filter_map(|a| a.trace.clone()).collect(),
        known: true,
        account: account.map(|(p, id)| (p.to_string(), id.to_string())),
    };
    r.begin_with(1000.0, 7, TARGET, 30_000.0, prior).unwrap();
    r
}

const WEEK: f64 = 7.0 * 24.0 * HOUR;

#[test]
fn click_then_verified_landing_is_active() {
    let mut r = activating();
    assert_eq!(r.state, State::Activating);
    assert_eq!(r.redirects_sent, 1);
    r.on_redirect(1100.0, 7, DEEP, &format!("{TARGET}?sk={KEY}"));
    let u = landed_url(Some(KEY));
    assert!(r.on_landed(1200.0, 7, &Landing { url: Some(&u), cookies: &[attr(KEY)] }, KEY));
    assert_eq!(r.state, State::Active);
    assert_eq!(r.activated_ms, Some(1200.0));
    assert!(r.attempt.is_none());
}

#[test]
fn cookie_alone_proves_ours() {
    let mut r = activating();
    r.on_redirect(1100.0, 7, DEEP, TARGET);
    let u = landed_url(None);
    assert!(r.on_landed(1200.0, 7, &Landing { url: Some(&u), cookies: &[attr(KEY)] }, KEY));
    assert_eq!(r.state, State::Active);
}

#[test]
fn active_never_activates_again() {
    let mut r = activating();
    let u = landed_url(Some(KEY));
    r.on_landed(1200.0, 7, &Landing { url: Some(&u), cookies: &[] }, KEY);
    assert_eq!(r.begin(2000.0, 7, TARGET, 30_000.0), Err(Refusal::AlreadyActive));
    assert_eq!(r.redirects_sent, 1);
    assert_eq!(r.state, State::Active);
}

#[test]
fn second_click_while_in_flight_is_refused() {
    let mut r = activating();
    assert_eq!(r.begin(1001.0, 7, TARGET, 30_000.0), Err(Refusal::InFlight));
    assert_eq!(r.redirects_sent, 1);
}

#[test]
fn blocked_by_client() {
    let mut r = activating();
    assert!(r.on_net_error(1100.0, 7, DEEP, "net::ERR_BLOCKED_BY_CLIENT"));
    assert_eq!(r.state, State::Blocked);
    assert!(matches!(r.outcome, Some(Outcome::BlockedByClient { .. })));
    // one new activation per click is allowed afterwards
    assert!(r.begin(2000.0, 7, TARGET, 30_000.0).is_ok());
    assert_eq!(r.redirects_sent, 2);
}

#[test]
fn block_page_of_another_extension() {
    let mut r = activating();
    assert!(r.on_redirect(1100.0, 7, DEEP, "chrome-extension://cjpalhdlnbpafiamejdnhcphjbkeiagm/document-blocked.html#x"));
    assert_eq!(r.state, State::Blocked);
    assert_eq!(r.outcome, Some(Outcome::BlockPage { extension_id: "cjpalhdlnbpafiamejdnhcphjbkeiagm".into() }));
}

#[test]
fn stripped_referral_is_blocked() {
    let mut r = activating();
    r.on_redirect(1100.0, 7, DEEP, &format!("{TARGET}?sk={KEY}&aff_fsk={KEY}"));
    let u = landed_url(None);
    assert!(r.on_landed(1200.0, 7, &Landing { url: Some(&u), cookies: &[] }, KEY));
    assert_eq!(r.state, State::Blocked);
    assert_eq!(r.outcome, Some(Outcome::Stripped { location_had_referral: true, params: vec![] }));
}

#[test]
fn network_error_fails_but_aborted_does_not() {
    let mut r = activating();
    assert!(!r.on_net_error(1100.0, 7, DEEP, "net::ERR_ABORTED"));
    assert_eq!(r.state, State::Activating);
    assert!(r.on_net_error(1100.0, 7, DEEP, "net::ERR_CONNECTION_REFUSED"));
    assert_eq!(r.state, State::Failed);
    assert!(matches!(r.outcome, Some(Outcome::Network { .. })));
}

#[test]
fn events_of_other_tabs_are_ignored() {
    let mut r = activating();
    assert!(!r.on_net_error(1100.0, 8, DEEP, "net::ERR_BLOCKED_BY_CLIENT"));
    let u = landed_url(Some(KEY));
    assert!(!r.on_landed(1100.0, 8, &Landing { url: Some(&u), cookies: &[] }, KEY));
    assert_eq!(r.state, State::Activating);
}

#[test]
fn old_page_reporting_before_redirect_is_not_a_verdict() {
    let mut r = activating();
    let u = landed_url(None);
    assert!(!r.on_landed(1050.0, 7, &Landing { url: Some(&u), cookies: &[] }, KEY));
    assert_eq!(r.state, State::Activating);
}

#[test]
fn landing_with_another_key_fails_and_elsewhere_fails() {
    let mut r = activating();
    let u = landed_url(Some("rival42"));
    assert!(r.on_landed(1200.0, 7, &Landing { url: Some(&u), cookies: &[] }, KEY));
    assert_eq!(r.outcome, Some(Outcome::OtherKey { key: "rival42".into() }));
    let mut r = activating();
    r.on_redirect(1100.0, 7, DEEP, "https://evil.example/");
    let u = parse("https://evil.example/").unwrap();
    assert!(r.on_landed(1200.0, 7, &Landing { url: Some(&u), cookies: &[] }, KEY));
    assert_eq!(r.state, State::Failed);
    assert!(matches!(r.outcome, Some(Outcome::LandedElsewhere { .. })));
}

#[test]
fn intermediate_deep_link_landing_is_not_a_verdict() {
    let mut r = activating();
    let u = parse(DEEP).unwrap();
    assert!(!r.on_landed(1100.0, 7, &Landing { url: Some(&u), cookies: &[] }, KEY));
    assert_eq!(r.state, State::Activating);
}

#[test]
fn timeout_after_deadline() {
    let mut r = activating();
    assert!(!r.tick(30_999.0, 24.0 * HOUR));
    assert_eq!(r.state, State::Activating);
    assert!(r.tick(31_000.0, 24.0 * HOUR));
    assert_eq!((r.state, r.outcome.clone()), (State::Failed, Some(Outcome::Timeout)));
}

#[test]
fn session_expires_by_time() {
    let mut r = activating();
    let u = landed_url(Some(KEY));
    r.on_landed(1000.0, 7, &Landing { url: Some(&u), cookies: &[] }, KEY);
    assert!(!r.tick(1000.0 + 24.0 * HOUR - 1.0, 24.0 * HOUR));
    assert_eq!(r.state, State::Active);
    assert!(r.tick(1000.0 + 24.0 * HOUR, 24.0 * HOUR));
    assert_eq!(r.state, State::Inactive);
    assert!(r.begin(1000.0 + 25.0 * HOUR, 7, TARGET, 30_000.0).is_ok());
}

#[test]
fn browser_restart_is_a_fresh_default_state() {
    // storage.session is empty after a browser restart: the stored record is absent and
    // the machine starts from its default, which allows an activation.
    let r = Activation::default();
    assert_eq!(r.state, State::Inactive);
    assert!(r.state.can_activate());
}

#[test]
fn hijack_only_from_active_and_only_by_another_key() {
    let mut r = activating();
    assert!(!r.on_attribution(1100.0, &attr("rival"), KEY, None), "not active yet");
    let u = landed_url(Some(KEY));
    r.on_landed(1200.0, 7, &Landing { url: Some(&u), cookies: &[] }, KEY);
    assert!(!r.on_attribution(1300.0, &attr(KEY), KEY, None));
    assert!(r.on_attribution(1400.0, &attr("rival"), KEY, Some("ext:abc".into())));
    assert_eq!(r.state, State::Hijacked);
    assert!(r.state.can_activate());
    assert!(r.begin(1500.0, 7, TARGET, 30_000.0).is_ok());
    assert_eq!(r.redirects_sent, 2);
}

#[test]
fn no_tab_fails() {
    let mut r = activating();
    r.abort_no_tab(1001.0);
    assert_eq!((r.state, r.outcome.clone()), (State::Failed, Some(Outcome::NoTab)));
}

#[test]
fn an_old_cookie_of_ours_is_history_not_proof() {
    // Activated last week; this click's referral was stripped on the way.
    let old = attr_at(KEY, 1000.0);
    let mut r = activating_with(&[&old], None);
    r.on_redirect(1100.0, 7, DEEP, TARGET);
    let u = landed_url(None);
    assert!(r.on_landed(1200.0, 7, &Landing { url: Some(&u), cookies: &[old.clone()] }, KEY));
    assert_eq!(r.state, State::Blocked);
    assert!(matches!(r.outcome, Some(Outcome::Stripped { .. })));
    // Without the snapshot at the click (cookies unreadable then), the id's own time says
    // it is a week old.
    let mut r = Activation::default();
    r.begin(WEEK, 7, TARGET, 30_000.0).unwrap();
    r.on_redirect(WEEK + 100.0, 7, DEEP, TARGET);
    assert!(r.on_landed(WEEK + 200.0, 7, &Landing { url: Some(&u), cookies: &[old] }, KEY));
    assert_eq!(r.state, State::Blocked);
}

#[test]
fn the_click_id_handed_out_by_the_deep_link_proves_the_landing() {
    let old = attr_at(KEY, 500.0);
    let mut r = activating_with(&[&old], None);
    let trace = format!("ffffffffffffffffffffffffffffffff-{:013}-55555-{KEY}", 1050);
    let landing = format!("{TARGET}?aff_fcid={trace}&aff_trace_key={trace}&sk={KEY}&aff_fsk={KEY}");
    r.on_redirect(1100.0, 7, DEEP, &landing);
    assert_eq!(r.attempt.as_ref().unwrap().click_id.as_deref(), Some(trace.as_str()));
    // No new cookie (the browser kept the old one): the click id is this click's.
    let u = parse(&landing).unwrap();
    assert!(r.on_landed(1200.0, 7, &Landing { url: Some(&u), cookies: &[old.clone()] }, KEY));
    assert_eq!(r.state, State::Active);
    // Another click id than the one handed out is not this click's.
    let mut r = activating_with(&[&old], None);
    r.on_redirect(1100.0, 7, DEEP, &landing);
    let other = landing.replace("55555", "66666");
    let u = parse(&other).unwrap();
    assert!(r.on_landed(1200.0, 7, &Landing { url: Some(&u), cookies: &[old] }, KEY));
    assert_eq!(r.state, State::Blocked);
}

#[test]
fn a_rival_in_the_same_landing_wins_over_ours() {
    let mut r = activating_with(&[], None);
    r.on_redirect(1100.0, 7, DEEP, TARGET);
    let u = landed_url(Some(KEY));
    let cookies = [attr(KEY), attr_at("rival42", 1150.0)];
    assert!(r.on_landed(1200.0, 7, &Landing { url: Some(&u), cookies: &cookies }, KEY));
    assert_eq!((r.state, r.outcome.clone()), (State::Failed, Some(Outcome::OtherKey { key: "rival42".into() })));
    // A rival cookie that was already there at the click is history too.
    let stale_rival = attr_at("rival42", 900.0);
    let mut r = activating_with(&[&stale_rival], None);
    r.on_redirect(1100.0, 7, DEEP, TARGET);
    let cookies = [attr(KEY), stale_rival];
    assert!(r.on_landed(1200.0, 7, &Landing { url: Some(&u), cookies: &cookies }, KEY));
    assert_eq!(r.state, State::Active);
}

#[test]
fn a_slow_landing_after_the_timeout_turns_failed_into_active_without_a_second_redirect() {
    let mut r = activating_with(&[], None);
    assert!(r.tick(31_000.0, 24.0 * HOUR));
    assert_eq!((r.state, r.outcome.clone()), (State::Failed, Some(Outcome::Timeout)));
    let u = landed_url(Some(KEY));
    // A landing without fresh proof leaves it failed.
    let stale = attr_at(KEY, 10.0);
    let mut r2 = activating_with(&[&stale], None);
    r2.tick(31_000.0, 24.0 * HOUR);
    assert!(!r2.on_landed(32_000.0, 7, &Landing { url: Some(&parse(TARGET).unwrap()), cookies: &[stale] }, KEY));
    assert_eq!(r2.state, State::Failed);
    // With fresh proof: active, and still one pass through the deep link.
    assert!(r.on_landed(32_000.0, 7, &Landing { url: Some(&u), cookies: &[attr_at(KEY, 30_500.0)] }, KEY));
    assert_eq!(r.state, State::Active);
    assert_eq!(r.redirects_sent, 1);
    assert!(r.attempt.is_none());
}

#[test]
fn a_cookie_written_during_the_attempt_is_proof_and_a_stripped_deep_link_is_named() {
    let old = attr_at(KEY, 500.0);
    let mut r = activating_with(&[&old], None);
    assert!(!r.on_cookie_written(&old, KEY), "the old value again is no news");
    assert!(!r.on_cookie_written(&attr_at("rival", 1050.0), KEY));
    assert!(r.on_cookie_written(&attr_at(KEY, 1050.0), KEY));
    r.on_redirect(1100.0, 7, DEEP, TARGET);
    assert!(r.on_landed(1200.0, 7, &Landing { url: Some(&parse(TARGET).unwrap()), cookies: &[] }, KEY));
    assert_eq!(r.state, State::Active);

    let mut r = activating_with(&[&old], Some(("af", "shopper7")));
    let stripped = "https://s.click.aliexpress.com/deep_link.htm?dl_target_url=x";
    r.on_redirect(1050.0, 7, &format!("{DEEP}&af=shopper7"), stripped);
    r.on_redirect(1100.0, 7, stripped, TARGET);
    assert!(r.on_landed(1200.0, 7, &Landing { url: Some(&parse(TARGET).unwrap()), cookies: &[old] }, KEY));
    assert_eq!(r.outcome, Some(Outcome::Stripped { location_had_referral: false, params: vec!["aff_short_key".into(), "af".into()] }));
}

#[test]
fn the_landing_must_carry_the_shoppers_account_id() {
    let ok = parse(&format!("{TARGET}?aff_fsk={KEY}&sk={KEY}&af=shopper7")).unwrap();
    let swapped = parse(&format!("{TARGET}?aff_fsk={KEY}&sk={KEY}&af=thief")).unwrap();
    let missing = landed_url(Some(KEY));
    let run = |u: &Url| {
        let mut r = activating_with(&[], Some(("af", "shopper7")));
        r.on_redirect(1100.0, 7, DEEP, TARGET);
        r.on_landed(1200.0, 7, &Landing { url: Some(u), cookies: &[attr(KEY)] }, KEY);
        (r.state, r.outcome)
    };
    assert_eq!(run(&ok), (State::Active, None));
    assert_eq!(run(&swapped), (State::Hijacked, Some(Outcome::AccountSwapped { param: "af".into(), found: "thief".into() })));
    assert_eq!(run(&missing), (State::Blocked, Some(Outcome::AccountStripped { param: "af".into() })));
}

#[test]
fn stored_record_round_trips_and_old_records_default() {
    let mut r = activating();
    r.on_redirect(1100.0, 7, DEEP, TARGET);
    let json = serde_json::to_string(&r).unwrap();
    let back: Activation = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
    let minimal: Activation = serde_json::from_str(r#"{"state":"active"}"#).unwrap();
    assert_eq!(minimal.state, State::Active);
}
