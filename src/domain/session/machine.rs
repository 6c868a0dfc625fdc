//! The transitions of the machine: a click, the redirects, cookies and landing seen, time.

use super::{Activation, Attempt, Landing, Outcome, Prior, Refusal, State};
use crate::domain::attribution::{self, Attribution, HostKind};
use crate::domain::url::Url;

impl Activation {
    fn set(&mut self, now: f64, state: State, outcome: Option<Outcome>) {
        self.state = state;
        self.since_ms = now;
        // A timed-out attempt is kept: a slow landing with its proof may still come.
        let keep = state == State::Activating || outcome == Some(Outcome::Timeout);
        self.outcome = outcome;
        if !keep {
            self.attempt = None;
        }
    }

    /// A trusted click on Activate. On success the caller sends the tab through the deep
    /// link exactly once.
    pub fn begin(&mut self, now: f64, tab_id: i32, target: &str, timeout_ms: f64) -> Result<(), Refusal> {
        self.begin_with(now, tab_id, target, timeout_ms, Prior::default())
    }

    /// [`Activation::begin`] with what the cookies held at the click and the account id the
    /// deep link carries.
    pub fn begin_with(&mut self, now: f64, tab_id: i32, target: &str, timeout_ms: f64, prior: Prior) -> Result<(), Refusal> {
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
            click_id: None,
            prior: prior.known.then_some(prior.traces),
            fresh: None,
            navigated: false,
            stripped: Vec::new(),
        });
        self.redirects_sent = self.redirects_sent.saturating_add(1);
        self.account = prior.account;
        Ok(())
    }

    /// The record saying `activating` could not be written: nothing was sent.
    pub fn not_saved(&mut self, now: f64, error: String) {
        if self.state == State::Activating {
            self.redirects_sent = self.redirects_sent.saturating_sub(1);
            self.set(now, State::Failed, Some(Outcome::NotSaved { error }));
        }
    }

    /// A page loaded while `active`: one that carries our key with another shopper's id
    /// means somebody swapped the sub-id (the order would be credited to them).
    pub fn on_account_seen(&mut self, now: f64, url: &Url, our_key: &str) -> bool {
        let (State::Active, Some((param, id))) = (self.state, &self.account) else { return false };
        if !attribution::landing_attribution(url).is_some_and(|a| a.key == our_key) {
            return false;
        }
        match url.param(param) {
            Some(found) if found != id => {
                let outcome = Outcome::AccountSwapped { param: param.clone(), found: found.chars().take(64).collect() };
                self.set(now, State::Hijacked, Some(outcome));
                true
            }
            _ => false,
        }
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
                let to_url = crate::domain::url::parse(to).ok();
                let had = to_url.as_ref().is_some_and(attribution::has_referral_params);
                a.location_had_referral = Some(had || a.location_had_referral == Some(true));
                // The deep link rewritten on the way to itself (a filter's redirect): which of
                // our parameters it lost.
                if let (Ok(f), Some(t)) = (crate::domain::url::parse(from), to_url.as_ref()) {
                    if attribution::classify_host(&t.host) == HostKind::DeepLink {
                        let mut ours = vec!["aff_short_key".to_string()];
                        ours.extend(self.account.as_ref().map(|(p, _)| p.clone()));
                        for p in ours {
                            if f.param(&p).is_some() && t.param(&p).is_none() && !a.stripped.contains(&p) {
                                a.stripped.push(p);
                            }
                        }
                    } else if let Some(id) = attribution::landing_attribution(t).and_then(|l| l.trace) {
                        a.click_id = Some(id);
                    }
                }
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

    /// The attempt a landing in `tab_id` can decide: the one in flight, or one that timed out
    /// (a slow landing with fresh proof still turns `failed` into `active`).
    fn open_attempt(&self, tab_id: i32) -> Option<&Attempt> {
        let a = self.attempt.as_ref().filter(|a| a.tab_id == tab_id)?;
        let open = self.state == State::Activating || (self.state == State::Failed && self.outcome == Some(Outcome::Timeout));
        open.then_some(a)
    }

    /// A page finished loading in `tab_id` (webRequest.onCompleted of the main frame, or the
    /// content script's hello). Verifies an activation in flight in that tab.
    ///
    /// The rule (README, "What counts as proof"): `active` needs evidence created by this
    /// click: a cookie of ours that was not there at the click (or was seen written during
    /// the attempt), or the landing's click id that the deep link handed out to this click.
    /// A cookie of ours older than the click is history. A rival key in the same landing
    /// wins over ours. With an account, the landing must also carry the shopper's id.
    pub fn on_landed(&mut self, now: f64, tab_id: i32, landing: &Landing<'_>, our_key: &str) -> bool {
        let Some(attempt) = self.open_attempt(tab_id).cloned() else { return false };
        let late = self.state == State::Failed;
        let Some(url) = landing.url else { return false };
        let kind = attribution::classify_host(&url.host);
        if matches!(kind, HostKind::DeepLink | HostKind::AffiliateRedirect) {
            return false; // still on the way
        }
        if kind != HostKind::Storefront {
            if late {
                return false;
            }
            self.set(now, State::Failed, Some(Outcome::LandedElsewhere { host: url.host.clone() }));
            return true;
        }
        let from_url = attribution::landing_attribution(url).filter(|a| attempt.is_fresh(a));
        let fresh: Vec<&Attribution> = landing.cookies.iter().filter(|a| attempt.is_fresh(a)).collect();
        let ours_proven = attempt.fresh.is_some() || from_url.iter().chain(fresh.iter().copied()).any(|a| a.key == our_key);
        // The old page (before the deep link navigation) reporting in: not a verdict.
        if !attempt.redirected && !ours_proven && attribution::landing_attribution(url).is_none() {
            return false;
        }
        if let Some(other) = from_url.iter().chain(fresh.iter().copied()).find(|a| a.key != our_key) {
            if late {
                return false;
            }
            self.set(now, State::Failed, Some(Outcome::OtherKey { key: other.key.clone() }));
            return true;
        }
        if ours_proven {
            // The shopper's account id, where the landing carries our referral parameters.
            let carries_ours = attribution::landing_attribution(url).is_some_and(|a| a.key == our_key);
            if let (Some((param, id)), true) = (self.account.clone(), carries_ours) {
                match url.param(&param) {
                    Some(found) if found == id.as_str() => {}
                    Some(found) => {
                        let outcome = Outcome::AccountSwapped { param, found: found.chars().take(64).collect() };
                        self.set(now, State::Hijacked, Some(outcome));
                        return true;
                    }
                    None => {
                        self.set(now, State::Blocked, Some(Outcome::AccountStripped { param }));
                        return true;
                    }
                }
            }
            self.set(now, State::Active, None);
            self.activated_ms = Some(now);
            return true;
        }
        if late {
            return false;
        }
        let had = attempt.location_had_referral.unwrap_or(false);
        self.set(now, State::Blocked, Some(Outcome::Stripped { location_had_referral: had, params: attempt.stripped.clone() }));
        true
    }

    /// `cookies.onChanged`: a cookie of ours written while an attempt is open is this
    /// click's proof (kept for the landing's verdict).
    pub fn on_cookie_written(&mut self, attr: &Attribution, our_key: &str) -> bool {
        let (State::Activating, Some(a)) = (self.state, self.attempt.as_mut()) else { return false };
        if attr.key != our_key || attr.trace.is_none() || a.prior.iter().flatten().any(|p| Some(p) == attr.trace.as_ref()) {
            return false;
        }
        a.fresh = attr.trace.clone();
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
    crate::domain::url::parse(url).map(|u| attribution::classify_host(&u.host)).unwrap_or(HostKind::Other)
}
