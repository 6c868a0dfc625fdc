//! Evidence about what happened to the referral this session: every redirect, block,
//! attribution change and page observation the worker saw, with time, tab and source.
//! The popup's Diagnostics list is this, and every warning cites an item of it.

use serde::{Deserialize, Serialize};

/// Items kept per session; the oldest go first.
pub const MAX_EVIDENCE: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
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
    /// A page diagnostic (layout not recognised, price not parsed).
    Page,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub at_ms: f64,
    #[serde(default)]
    pub tab_id: Option<i32>,
    pub kind: EvidenceKind,
    /// The culprit or object: an extension id, a host, a key.
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub detail: String,
}

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

/// One text line per item, for the Diagnostics section and "copy for support".
pub fn lines(list: &[Evidence], fmt_time: &dyn Fn(f64) -> String) -> Vec<String> {
    list.iter()
        .map(|e| {
            let tab = e.tab_id.map(|t| format!(" tab {t}")).unwrap_or_default();
            let kind = serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            format!("{}{} {} {} {}", fmt_time(e.at_ms), tab, kind, e.subject, e.detail).trim_end().to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
