//! The referral state machine of one browser session (contract §3).
//!
//! `inactive → activating → active | blocked | failed`, `active → hijacked`, and one new
//! activation per click from `blocked`, `failed` and `hijacked`. `active` never redirects
//! again in the same session. The machine is plain data: the worker stores it in
//! `chrome.storage.session` after every event, so a worker that dies at any moment resumes
//! exactly where it was.

use super::referral::{self, Attribution, HostKind};
use super::url::Url;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum State {
    #[default]
    Inactive,
    Activating,
    Active,
    Blocked,
    Failed,
    Hijacked,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Inactive => "inactive",
            State::Activating => "activating",
            State::Active => "active",
            State::Blocked => "blocked",
            State::Failed => "failed",
            State::Hijacked => "hijacked",
        }
    }

    /// Whether a click on Activate may send the shopper through the deep link.
    pub fn can_activate(self) -> bool {
        matches!(self, State::Inactive | State::Blocked | State::Failed | State::Hijacked)
    }
}

/// An activation in flight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    pub tab_id: i32,
    pub target: String,
    pub started_ms: f64,
    pub deadline_ms: f64,
    /// The deep link answered with a redirect (seen through `webRequest`).
    #[serde(default)]
    pub redirected: bool,
    /// Whether the deep link's `Location` carried the referral parameters.
    #[serde(default)]
    pub location_had_referral: Option<bool>,
}

/// Why the machine left `activating` (or `active`) for a bad state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// A request of the activation was blocked by an extension (`net::ERR_BLOCKED_BY_CLIENT`).
    BlockedByClient { url: String },
    /// The deep link was redirected into another extension's page (a block page).
    BlockPage { extension_id: String },
    /// The shopper landed without our referral: parameters and cookies stripped on the way.
    Stripped { location_had_referral: bool },
    /// Any other network error of the activation navigation.
    Network { error: String },
    /// No verdict within the bounded wait.
    Timeout,
    /// The activation navigation ended somewhere that is not AliExpress.
    LandedElsewhere { host: String },
    /// The landing carried somebody else's referral.
    OtherKey { key: String },
    /// The tab to activate in was gone.
    NoTab,
    /// After `active`, the attribution changed to another key.
    Hijack { key: String, culprit: Option<String> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `active`: the referral is ours; another pass through the link could trip anti-spam.
    AlreadyActive,
    /// An activation is in flight.
    InFlight,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Referral {
    pub state: State,
    /// When the state last changed (ms since epoch).
    #[serde(default)]
    pub since_ms: f64,
    /// When the current activation was verified ours.
    #[serde(default)]
    pub activated_ms: Option<f64>,
    #[serde(default)]
    pub attempt: Option<Attempt>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// How many times this session sent the shopper through the deep link.
    #[serde(default)]
    pub redirects_sent: u32,
}

/// What a landing looked like, as gathered by the worker.
#[derive(Debug, Clone, Default)]
pub struct Landing<'a> {
    pub url: Option<&'a Url>,
    /// Attributions read from the cookies (`aeu_cid`, `xman_us_f`).
    pub cookies: &'a [Attribution],
}

impl Referral {
    fn set(&mut self, now: f64, state: State, outcome: Option<Outcome>) {
        self.state = state;
        self.since_ms = now;
        self.outcome = outcome;
        if state != State::Activating {
            self.attempt = None;
        }
    }

    /// A trusted click on Activate. On success the caller sends the tab through the deep
    /// link exactly once.
    pub fn begin(&mut self, now: f64, tab_id: i32, target: &str, timeout_ms: f64) -> Result<(), Refusal> {
        match self.state {
            State::Active => return Err(Refusal::AlreadyActive),
            State::Activating => return Err(Refusal::InFlight),
            _ => {}
        }
        self.set(now, State::Activating, None);
        self.activated_ms = None;
        self.attempt = Some(Attempt {
            tab_id,
            target: target.to_string(),
            started_ms: now,
            deadline_ms: now + timeout_ms,
            redirected: false,
            location_had_referral: None,
        });
        self.redirects_sent = self.redirects_sent.saturating_add(1);
        Ok(())
    }

    /// The redirect could not even start (tab gone).
    pub fn abort_no_tab(&mut self, now: f64) {
        if self.state == State::Activating {
            self.set(now, State::Failed, Some(Outcome::NoTab));
        }
    }

    fn attempt_tab(&self) -> Option<i32> {
        match (&self.state, &self.attempt) {
            (State::Activating, Some(a)) => Some(a.tab_id),
            _ => None,
        }
    }

    /// Time passes: an activation past its deadline fails; a session past its length ends.
    /// Returns true when the state changed.
    pub fn tick(&mut self, now: f64, session_ms: f64) -> bool {
        if let (State::Activating, Some(a)) = (self.state, &self.attempt) {
            if now >= a.deadline_ms {
                self.set(now, State::Failed, Some(Outcome::Timeout));
                return true;
            }
        }
        if let Some(at) = self.activated_ms {
            if now - at >= session_ms && matches!(self.state, State::Active | State::Hijacked) {
                self.set(now, State::Inactive, None);
                self.activated_ms = None;
                return true;
            }
        }
        false
    }

    /// `webRequest.onBeforeRedirect` of a top-level request in some tab.
    pub fn on_redirect(&mut self, now: f64, tab_id: i32, from: &str, to: &str) -> bool {
        if self.attempt_tab() != Some(tab_id) {
            return false;
        }
        let from_kind = referral_host_kind(from);
        if let Some(ext) = to.strip_prefix("chrome-extension://") {
            let id: String = ext.chars().take_while(|c| c.is_ascii_lowercase()).collect();
            self.set(now, State::Blocked, Some(Outcome::BlockPage { extension_id: id }));
            return true;
        }
        if from_kind == HostKind::DeepLink {
            if let Some(a) = self.attempt.as_mut() {
                a.redirected = true;
                let had = super::url::parse(to).map(|u| referral::has_referral_params(&u)).unwrap_or(false);
                a.location_had_referral = Some(had || a.location_had_referral == Some(true));
            }
        }
        false
    }

    /// `webRequest.onErrorOccurred` of a top-level request in some tab.
    pub fn on_net_error(&mut self, now: f64, tab_id: i32, url: &str, error: &str) -> bool {
        if self.attempt_tab() != Some(tab_id) {
            return false;
        }
        if error.contains("ERR_BLOCKED_BY_CLIENT") {
            self.set(now, State::Blocked, Some(Outcome::BlockedByClient { url: url.to_string() }));
            return true;
        }
        if error.contains("ERR_ABORTED") {
            // A navigation replaced by another one (or a download): not a verdict.
            return false;
        }
        self.set(now, State::Failed, Some(Outcome::Network { error: error.to_string() }));
        true
    }

    /// A page finished loading in `tab_id` (webRequest.onCompleted of the main frame, or the
    /// content script's hello). Verifies an activation in flight in that tab.
    pub fn on_landed(&mut self, now: f64, tab_id: i32, landing: &Landing<'_>, our_key: &str) -> bool {
        if self.attempt_tab() != Some(tab_id) {
            return false;
        }
        let Some(url) = landing.url else { return false };
        let attempt = self.attempt.clone().expect("attempt present while activating");
        let kind = referral::classify_host(&url.host);
        if matches!(kind, HostKind::DeepLink | HostKind::AffiliateRedirect) {
            return false; // still on the way
        }
        if kind != HostKind::Storefront {
            self.set(now, State::Failed, Some(Outcome::LandedElsewhere { host: url.host.clone() }));
            return true;
        }
        let from_url = referral::landing_attribution(url);
        let ours = |a: &Attribution| a.key == our_key;
        if !attempt.redirected && from_url.is_none() && !landing.cookies.iter().any(ours) {
            // The old page (before the deep link navigation) reporting in: not a verdict.
            return false;
        }
        if from_url.as_ref().is_some_and(ours) || landing.cookies.iter().any(ours) {
            self.set(now, State::Active, None);
            self.activated_ms = Some(now);
            return true;
        }
        if let Some(other) = from_url {
            self.set(now, State::Failed, Some(Outcome::OtherKey { key: other.key }));
            return true;
        }
        let had = attempt.location_had_referral.unwrap_or(false);
        self.set(now, State::Blocked, Some(Outcome::Stripped { location_had_referral: had }));
        true
    }

    /// The attribution cookies now carry `attr`. After `active`, another key is a hijack.
    pub fn on_attribution(&mut self, now: f64, attr: &Attribution, our_key: &str, culprit: Option<String>) -> bool {
        match self.state {
            State::Active if attr.key != our_key => {
                self.set(now, State::Hijacked, Some(Outcome::Hijack { key: attr.key.clone(), culprit }));
                true
            }
            _ => false,
        }
    }
}

fn referral_host_kind(url: &str) -> HostKind {
    super::url::parse(url).map(|u| referral::classify_host(&u.host)).unwrap_or(HostKind::Other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::referral::Source;
    use crate::domain::url::parse;

    const KEY: &str = "cgDemo0001";
    const TARGET: &str = "https://www.aliexpress.com/item/1005001234567890.html";
    const DEEP: &str = "https://s.click.aliexpress.com/deep_link.htm?aff_short_key=cgDemo0001&dl_target_url=x";
    const HOUR: f64 = 3_600_000.0;

    fn attr(key: &str) -> Attribution {
        Attribution { key: key.into(), source: Source::AeuCidCookie, trace: None, platform: None }
    }

    fn landed_url(key: Option<&str>) -> Url {
        match key {
            Some(k) => parse(&format!("{TARGET}?aff_fsk={k}&sk={k}&aff_platform=portals-tool")).unwrap(),
            None => parse(TARGET).unwrap(),
        }
    }

    fn activating() -> Referral {
        let mut r = Referral::default();
        r.begin(1000.0, 7, TARGET, 30_000.0).unwrap();
        r
    }

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
        assert_eq!(r.outcome, Some(Outcome::Stripped { location_had_referral: true }));
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
        let r = Referral::default();
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
    fn stored_record_round_trips_and_old_records_default() {
        let mut r = activating();
        r.on_redirect(1100.0, 7, DEEP, TARGET);
        let json = serde_json::to_string(&r).unwrap();
        let back: Referral = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        let minimal: Referral = serde_json::from_str(r#"{"state":"active"}"#).unwrap();
        assert_eq!(minimal.state, State::Active);
    }
}
