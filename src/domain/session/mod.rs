//! The referral state machine of one browser session (contract §3).
//!
//! `inactive → activating → active | blocked | failed`, `active → hijacked`, and one new
//! activation per click from `blocked`, `failed` and `hijacked`. `active` never redirects
//! again in the same session. The machine is plain data: the worker stores it in
//! `chrome.storage.session` after every event, so a worker that dies at any moment resumes
//! exactly where it was.
//!
//! Here the machine's data; its transitions are in `machine.rs`, its stored form (JSON) in
//! `stored.rs`.

mod machine;
mod stored;
#[cfg(test)]
mod tests;

use super::attribution::{Attribution, Source};
use super::url::Url;

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
