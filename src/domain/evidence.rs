//! Evidence about what happened to the referral this session: every redirect, block,
//! attribution change and page observation the worker saw, with time, tab and source.
//! The popup's Diagnostics list is this, and every warning cites an item of it.

use super::json::{self, serde_via_json, unit_enum, FromJson, Obj, Out, ToJson};
use serde_json::Value;

/// Items kept per session; the oldest go first.
pub const MAX_EVIDENCE: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceKind {
    /// We sent the tab through the deep link (one per trusted click).
    ActivationSent,
    /// A redirect of an affiliate link, with its `Location`.
    Redirect,
    /// A request blocked by another extension (`net::ERR_BLOCKED_BY_CLIENT`).
    BlockedRequest,
    /// A navigation redirected into another extension's page.
    BlockPage,
    /// Referral parameters removed between the redirect and the landing.
    Stripped,
    /// The landing was verified ours.
    Verified,
    /// The activation failed (network, timeout, elsewhere).
    Failed,
    /// The attribution cookies changed.
    Attribution,
    /// Somebody else's referral replaced ours.
    Hijack,
    /// Arrived with somebody else's referral before activating.
    Standdown,
    /// A link or a hidden iframe on an AliExpress page leads through another affiliate.
    RivalLink,
    /// A page diagnostic (layout not recognised, price not parsed).
    Page,
    /// Our bait element was hidden by a cosmetic filter: an ad blocker runs on AliExpress.
    /// Corroboration only: never a warning by itself.
    Bait,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub at_ms: f64,
    pub tab_id: Option<i32>,
    pub kind: EvidenceKind,
    /// The culprit or object: an extension id, a host, a key.
    pub subject: String,
    pub detail: String,
}

unit_enum!(EvidenceKind {
    "activation-sent" => EvidenceKind::ActivationSent,
    "redirect" => EvidenceKind::Redirect,
    "blocked-request" => EvidenceKind::BlockedRequest,
    "block-page" => EvidenceKind::BlockPage,
    "stripped" => EvidenceKind::Stripped,
    "verified" => EvidenceKind::Verified,
    "failed" => EvidenceKind::Failed,
    "attribution" => EvidenceKind::Attribution,
    "hijack" => EvidenceKind::Hijack,
    "standdown" => EvidenceKind::Standdown,
    "rival-link" => EvidenceKind::RivalLink,
    "page" => EvidenceKind::Page,
    "bait" => EvidenceKind::Bait,
});

/// `tab_id`, `subject` and `detail` default when absent.
impl FromJson for Evidence {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct Evidence")?;
        let r = Evidence {
            at_ms: o.req("at_ms"),
            tab_id: o.def("tab_id"),
            kind: o.need("kind", EvidenceKind::Page),
            subject: o.def("subject"),
            detail: o.def("detail"),
        };
        o.end(r)
    }
}

impl ToJson for Evidence {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("at_ms", &self.at_ms);
        o.f("tab_id", &self.tab_id);
        o.f("kind", &self.kind);
        o.f("subject", &self.subject);
        o.f("detail", &self.detail);
        o.done()
    }
}

serde_via_json!(EvidenceKind, Evidence);

/// Appends, keeping at most MAX_EVIDENCE items; an item equal to the last one (same
/// kind, tab, subject, detail) is not repeated.
pub fn push(list: &mut Vec<Evidence>, e: Evidence) {
    if let Some(last) = list.last() {
        if last.kind == e.kind && last.tab_id == e.tab_id && last.subject == e.subject && last.detail == e.detail {
            return;
        }
    }
    if list.len() >= MAX_EVIDENCE {
        list.remove(0);
    }
    list.push(e);
}

/// The items since the last activation we sent (or the whole session): older evidence
/// belongs to an attempt the shopper has already retried.
pub fn current(list: &[Evidence]) -> &[Evidence] {
    match list.iter().rposition(|e| e.kind == EvidenceKind::ActivationSent) {
        Some(i) => &list[i..],
        None => list,
    }
}

/// Distinct subjects of the given kinds, in order of first appearance.
pub fn subjects(list: &[Evidence], kinds: &[EvidenceKind]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in list.iter().filter(|e| kinds.contains(&e.kind) && !e.subject.is_empty()) {
        if !out.contains(&e.subject) {
            out.push(e.subject.clone());
        }
    }
    out
}

/// Who caused an attribution change to `key` at `at_ms`: the most recent redirect through
/// the deep link with that key within `window_ms` (tab and frame type), if any.
pub fn culprit_of(list: &[Evidence], key: &str, at_ms: f64, window_ms: f64) -> Option<String> {
    list.iter().rev().filter(|e| e.kind == EvidenceKind::Redirect && at_ms - e.at_ms <= window_ms).find_map(|e| {
        let from = super::url::parse(&e.subject).ok()?;
        (super::attribution::redirect_key(&from).as_deref() == Some(key)).then(|| {
            let how = if e.detail.starts_with("sub_frame") { "hidden iframe" } else { "navigation" };
            match e.tab_id {
                Some(t) if t >= 0 => format!("{how} in tab {t}"),
                _ => how.to_string(),
            }
        })
    })
}

/// One text line per item, for the Diagnostics section and "copy for support".
pub fn lines(list: &[Evidence], fmt_time: &dyn Fn(f64) -> String) -> Vec<String> {
    list.iter()
        .map(|e| {
            let tab = e.tab_id.map(|t| format!(" tab {t}")).unwrap_or_default();
            let kind = e.kind.to_json();
            format!("{}{} {} {} {}", fmt_time(e.at_ms), tab, kind.as_str().unwrap_or_default(), e.subject, e.detail).trim_end().to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: f64, kind: EvidenceKind, tab: i32, subject: &str, detail: &str) -> Evidence {
        Evidence { at_ms: ms, tab_id: Some(tab), kind, subject: subject.into(), detail: detail.into() }
    }

    #[test]
    fn current_starts_at_the_last_activation() {
        let list = vec![
            at(1.0, EvidenceKind::BlockedRequest, 1, "s.click.aliexpress.com", ""),
            at(2.0, EvidenceKind::ActivationSent, 1, "k", ""),
            at(3.0, EvidenceKind::Verified, 1, "k", ""),
        ];
        assert_eq!(current(&list).len(), 2);
        assert!(subjects(current(&list), &[EvidenceKind::BlockedRequest]).is_empty(), "a retried block is history");
        assert_eq!(subjects(&list, &[EvidenceKind::BlockedRequest]), vec!["s.click.aliexpress.com"]);
    }

    #[test]
    fn culprit_is_the_recent_redirect_with_that_key() {
        let deep = |k: &str| format!("https://s.click.aliexpress.com/deep_link.htm?aff_short_key={k}&dl_target_url=x");
        let list = vec![
            at(1_000.0, EvidenceKind::Redirect, 4, &deep("rival1"), "main_frame → x"),
            at(9_000.0, EvidenceKind::Redirect, 5, &deep("rival2"), "sub_frame → x"),
            at(9_500.0, EvidenceKind::Redirect, 6, &deep("ours"), "main_frame → x"),
        ];
        assert_eq!(culprit_of(&list, "rival2", 10_000.0, 5_000.0).as_deref(), Some("hidden iframe in tab 5"));
        // Too old: the 5-second window of cookie stuffing.
        assert_eq!(culprit_of(&list, "rival1", 10_000.0, 5_000.0), None);
        // Late evidence (the cookie before the redirect was seen) names nobody.
        assert_eq!(culprit_of(&list, "rival3", 10_000.0, 5_000.0), None);
    }

    fn ev(i: usize) -> Evidence {
        Evidence { at_ms: i as f64, tab_id: Some(1), kind: EvidenceKind::Redirect, subject: format!("s{i}"), detail: String::new() }
    }

    #[test]
    fn bounded_and_deduplicated() {
        let mut l = Vec::new();
        for i in 0..(MAX_EVIDENCE + 10) {
            push(&mut l, ev(i));
        }
        assert_eq!(l.len(), MAX_EVIDENCE);
        assert_eq!(l[0].subject, "s10");
        let last = l.last().unwrap().clone();
        push(&mut l, last);
        assert_eq!(l.len(), MAX_EVIDENCE);
    }

    #[test]
    fn lines_name_time_tab_kind_subject() {
        let l = lines(&[ev(3)], &|ms| format!("t{ms}"));
        assert_eq!(l, vec!["t3 tab 1 redirect s3".to_string()]);
    }
}
