//! The referral state machine of one browser session (contract §3).
//!
//! `inactive → activating → active | blocked | failed`, `active → hijacked`, and one new
//! activation per click from `blocked`, `failed` and `hijacked`. `active` never redirects
//! again in the same session. The machine is plain data: the worker stores it in
//! `chrome.storage.session` after every event, so a worker that dies at any moment resumes
//! exactly where it was.

use super::json::{self, serde_via_json, unit_enum, FromJson, Obj, Out, ToJson};
use super::attribution::{self, Attribution, HostKind, Source};
use super::url::Url;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub tab_id: i32,
    pub target: String,
    pub started_ms: f64,
    pub deadline_ms: f64,
    /// The deep link answered with a redirect (seen through `webRequest`).
    pub redirected: bool,
    /// Whether the deep link's `Location` carried the referral parameters.
    pub location_had_referral: Option<bool>,
    /// The click id (`aff_fcid` / `aff_trace_key`) the deep link's answer carried: issued
    /// to this click, so a landing that carries it is this click's.
    pub click_id: Option<String>,
    /// The attribution cookie values (`aeuCID`) present at the click: history, never proof.
    /// `None`: the cookies could not be read then (only the time inside an id tells an old
    /// cookie from a new one).
    pub prior: Option<Vec<String>>,
    /// A cookie of ours written during the attempt (`cookies.onChanged`).
    pub fresh: Option<String>,
    /// `tabs.update` to the deep link went out (saved once it resolved).
    pub navigated: bool,
    /// Our parameters a filter removed from the deep link itself on the way
    /// (`aff_short_key`, the account parameter).
    pub stripped: Vec<String>,
}

/// How far the time inside a click id may lie before the click (the id's time is
/// AliExpress's clock, not the shopper's): only an id older than this is called old.
pub const CLOCK_TOLERANCE_MS: f64 = 6.0 * 3_600_000.0;

/// `<32 hex>-<13-digit ms>-<5 digits>-<key>` → the ms part.
pub fn trace_ms(trace: &str) -> Option<f64> {
    let ms = trace.split('-').nth(1)?;
    (ms.len() >= 10 && ms.len() <= 16 && ms.bytes().all(|b| b.is_ascii_digit())).then(|| ms.parse::<u64>().ok().map(|n| n as f64))?
}

impl Attempt {
    /// An attribution (cookie or landing click id) created by this attempt: seen written
    /// during it, or a value that was not there at the click. The time inside the id is a
    /// second signal only, with a generous tolerance.
    pub fn is_fresh(&self, a: &Attribution) -> bool {
        let Some(trace) = a.trace.as_deref() else { return false };
        if self.fresh.as_deref() == Some(trace) || self.click_id.as_deref() == Some(trace) {
            return true;
        }
        if self.prior.iter().flatten().any(|p| p == trace) {
            return false;
        }
        let recent = trace_ms(trace).is_none_or(|ms| ms >= self.started_ms - CLOCK_TOLERANCE_MS);
        match a.source {
            // The deep link handed out another click id: this one is not this click's.
            Source::LandingParam if self.click_id.is_some() => false,
            // A click id whose handing out we did not see (the worker was down): only its
            // time can speak for it.
            Source::LandingParam => trace_ms(trace).is_some_and(|ms| ms >= self.started_ms - CLOCK_TOLERANCE_MS),
            _ => recent && (self.prior.is_some() || trace_ms(trace).is_some()),
        }
    }
}

/// Why the machine left `activating` (or `active`) for a bad state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A request of the activation was blocked by an extension (`net::ERR_BLOCKED_BY_CLIENT`).
    BlockedByClient { url: String },
    /// The deep link was redirected into another extension's page (a block page).
    BlockPage { extension_id: String },
    /// The shopper landed without our referral: parameters and cookies stripped on the way.
    /// `params`: ours that a filter removed from the deep link itself.
    Stripped { location_had_referral: bool, params: Vec<String> },
    /// The landing carried our key but not the shopper's account id: a filter removed it.
    AccountStripped { param: String },
    /// The landing carried our key with another account id: a rival swapped the sub-id.
    AccountSwapped { param: String, found: String },
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
    /// The record saying `activating` could not be written: nothing was sent.
    NotSaved { error: String },
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

/// The activation state machine of this browser session (stored inside
/// [`super::record::SessionRecord`] as its `activation`, under the stored key `referral`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Activation {
    pub state: State,
    /// When the state last changed (ms since epoch).
    pub since_ms: f64,
    /// When the current activation was verified ours.
    pub activated_ms: Option<f64>,
    pub attempt: Option<Attempt>,
    pub outcome: Option<Outcome>,
    /// How many times this session sent the shopper through the deep link.
    pub redirects_sent: u32,
    /// The shopper's account id the last activation carried, as `(parameter, id)`: a later
    /// landing with our key and another id is a swapped sub-id.
    pub account: Option<(String, String)>,
}

// Decoding (serde's rules, see `json`): the fields of `Attempt` and `Activation` after the
// first ones named default when absent; `Outcome` is externally tagged, kebab-case.

unit_enum!(State {
    "inactive" => State::Inactive,
    "activating" => State::Activating,
    "active" => State::Active,
    "blocked" => State::Blocked,
    "failed" => State::Failed,
    "hijacked" => State::Hijacked,
});

impl FromJson for Attempt {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct Attempt")?;
        let r = Attempt {
            tab_id: o.req("tab_id"),
            target: o.req("target"),
            started_ms: o.req("started_ms"),
            deadline_ms: o.req("deadline_ms"),
            redirected: o.def("redirected"),
            location_had_referral: o.def("location_had_referral"),
            click_id: o.def("click_id"),
            prior: o.def("prior"),
            fresh: o.def("fresh"),
            navigated: o.def("navigated"),
            stripped: o.def("stripped"),
        };
        o.end(r)
    }
}

impl FromJson for Outcome {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let (name, content) = json::variant(v)?;
        let unit = |content, o: Outcome| json::unit_content(content).map(|()| o);
        let mut o = match name.as_str() {
            "timeout" => return unit(content, Outcome::Timeout),
            "no-tab" => return unit(content, Outcome::NoTab),
            "blocked-by-client" | "block-page" | "stripped" | "account-stripped" | "account-swapped" | "network" | "landed-elsewhere"
            | "other-key" | "not-saved" | "hijack" => json::struct_content(content)?,
            other => return Err(json::unknown_variant(other)),
        };
        let r = match name.as_str() {
            "blocked-by-client" => Outcome::BlockedByClient { url: o.req("url") },
            "block-page" => Outcome::BlockPage { extension_id: o.req("extension_id") },
            "stripped" => Outcome::Stripped { location_had_referral: o.req("location_had_referral"), params: o.def("params") },
            "account-stripped" => Outcome::AccountStripped { param: o.req("param") },
            "account-swapped" => Outcome::AccountSwapped { param: o.req("param"), found: o.req("found") },
            "network" => Outcome::Network { error: o.req("error") },
            "landed-elsewhere" => Outcome::LandedElsewhere { host: o.req("host") },
            "other-key" => Outcome::OtherKey { key: o.req("key") },
            "not-saved" => Outcome::NotSaved { error: o.req("error") },
            _ => Outcome::Hijack { key: o.req("key"), culprit: o.req("culprit") },
        };
        o.end(r)
    }
}

impl FromJson for Activation {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct Activation")?;
        let r = Activation {
            state: o.req("state"),
            since_ms: o.def("since_ms"),
            activated_ms: o.def("activated_ms"),
            attempt: o.def("attempt"),
            outcome: o.def("outcome"),
            redirects_sent: o.def("redirects_sent"),
            account: o.def("account"),
        };
        o.end(r)
    }
}

impl ToJson for Attempt {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("tab_id", &self.tab_id);
        o.f("target", &self.target);
        o.f("started_ms", &self.started_ms);
        o.f("deadline_ms", &self.deadline_ms);
        o.f("redirected", &self.redirected);
        o.f("location_had_referral", &self.location_had_referral);
        o.f("click_id", &self.click_id);
        o.f("prior", &self.prior);
        o.f("fresh", &self.fresh);
        o.f("navigated", &self.navigated);
        o.f("stripped", &self.stripped);
        o.done()
    }
}

impl Outcome {
    /// The stored tag of the outcome (its JSON variant name), also its name in Diagnostics.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::BlockedByClient { .. } => "blocked-by-client",
            Outcome::BlockPage { .. } => "block-page",
            Outcome::Stripped { .. } => "stripped",
            Outcome::AccountStripped { .. } => "account-stripped",
            Outcome::AccountSwapped { .. } => "account-swapped",
            Outcome::Network { .. } => "network",
            Outcome::Timeout => "timeout",
            Outcome::LandedElsewhere { .. } => "landed-elsewhere",
            Outcome::OtherKey { .. } => "other-key",
            Outcome::NoTab => "no-tab",
            Outcome::NotSaved { .. } => "not-saved",
            Outcome::Hijack { .. } => "hijack",
        }
    }
}

impl ToJson for Outcome {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        match self {
            Outcome::Timeout | Outcome::NoTab => return self.name().to_json(),
            Outcome::BlockedByClient { url } => o.f("url", url),
            Outcome::BlockPage { extension_id } => o.f("extension_id", extension_id),
            Outcome::Stripped { location_had_referral, params } => {
                o.f("location_had_referral", location_had_referral);
                o.f("params", params);
            }
            Outcome::AccountStripped { param } => o.f("param", param),
            Outcome::AccountSwapped { param, found } => {
                o.f("param", param);
                o.f("found", found);
            }
            Outcome::Network { error } | Outcome::NotSaved { error } => o.f("error", error),
            Outcome::LandedElsewhere { host } => o.f("host", host),
            Outcome::OtherKey { key } => o.f("key", key),
            Outcome::Hijack { key, culprit } => {
                o.f("key", key);
                o.f("culprit", culprit);
            }
        }
        o.variant(self.name())
    }
}

impl ToJson for Activation {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("state", &self.state);
        o.f("since_ms", &self.since_ms);
        o.f("activated_ms", &self.activated_ms);
        o.f("attempt", &self.attempt);
        o.f("outcome", &self.outcome);
        o.f("redirects_sent", &self.redirects_sent);
        o.f("account", &self.account);
        o.done()
    }
}

serde_via_json!(State, Attempt, Outcome, Activation);

/// What the click found: the attribution cookies already there, and the account id the
/// deep link will carry.
#[derive(Debug, Clone, Default)]
pub struct Prior {
    pub traces: Vec<String>,
    pub known: bool,
    pub account: Option<(String, String)>,
}

/// What a landing looked like, as gathered by the worker.
#[derive(Debug, Clone, Default)]
pub struct Landing<'a> {
    pub url: Option<&'a Url>,
    /// Attributions read from the cookies (`aeu_cid`, `xman_us_f`).
    pub cookies: &'a [Attribution],
}

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
                let to_url = super::url::parse(to).ok();
                let had = to_url.as_ref().is_some_and(attribution::has_referral_params);
                a.location_had_referral = Some(had || a.location_had_referral == Some(true));
                // The deep link rewritten on the way to itself (a filter's redirect): which of
                // our parameters it lost.
                if let (Ok(f), Some(t)) = (super::url::parse(from), to_url.as_ref()) {
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
    super::url::parse(url).map(|u| attribution::classify_host(&u.host)).unwrap_or(HostKind::Other)
}

#[cfg(test)]
mod tests {
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
}
