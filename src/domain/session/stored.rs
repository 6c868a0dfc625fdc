//! The stored form of the machine (JSON, in the session record).

use super::{Activation, Attempt, Outcome, State};
use crate::domain::json::{self, serde_via_json, unit_enum, FromJson, Obj, Out, ToJson};
use serde_json::Value;

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
