//! AliExpress's own referral reporting and page analytics, and what it means when a filter
//! blocks them (field-facts §4: real AdGuard Tracking Protection rules, ruleset 3). A block
//! of a request that reports the affiliate click may cost the referral: `adblock` evidence,
//! naming the host and what the request does. A block of page analytics only says that a
//! tracking filter runs on AliExpress (Diagnostics).

use super::url;

/// The kind of filter list a rule of this sort comes from (said in the warning).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// EasyList, AdGuard Base, Peter Lowe's list: affiliate redirects and frames.
    AdBlocking,
    /// EasyPrivacy, AdGuard Tracking Protection: pixels, reports, tracker scripts.
    TrackingProtection,
    /// AdGuard URL Tracking, ClearURLs: `$removeparam` of the referral parameters.
    UrlCleaning,
}

impl Filter {
    /// The i18n key of the sentence naming this kind of filter.
    pub fn key(self) -> &'static str {
        match self {
            Filter::AdBlocking => "filter_ad_blocking",
            Filter::TrackingProtection => "filter_tracking_protection",
            Filter::UrlCleaning => "filter_url_cleaning",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Tracker {
    /// Exact host, or a prefix ending in `.` for any top-level domain (`acs.aliexpress.`).
    pub host: &'static str,
    /// The path starts with this …
    pub path: &'static str,
    /// … and ends with this.
    pub ends: &'static str,
    /// Request types this row is limited to (`webRequest` `type`), empty for any.
    pub types: &'static str,
    /// What the request does, for Diagnostics.
    pub what: &'static str,
    pub filter: Filter,
    /// Whether blocking it may cost the referral (else only "a tracking filter runs here").
    pub attribution: bool,
}

const fn row(
    host: &'static str,
    path: &'static str,
    ends: &'static str,
    types: &'static str,
    what: &'static str,
    filter: Filter,
    attribution: bool,
) -> Tracker {
    Tracker { host, path, ends, types, what, filter, attribution }
}

use Filter::{AdBlocking as Ad, TrackingProtection as Tp};

/// First match wins.
pub const TRACKERS: &[Tracker] = &[
    row(
        "acs.aliexpress.",
        "/h5/mtop.aliexpress.traffic.web.direct.landing.click.report/",
        "",
        "",
        "reports the affiliate landing click",
        Tp,
        true,
    ),
    row("acs.aliexpress.", "/h5/mtop.aliexpress.traffic.web.cross.trace.report/", "", "", "reports the referral trace", Tp, true),
    row("assets.alicdn.com", "/g/", "/affiliate-tracker.js", "", "AliExpress's affiliate tracker script", Tp, true),
    row("assets.aliexpress-media.com", "/g/ae-fe/cosmos/", "/pc/referral-insights.js", "", "AliExpress's referral script", Tp, true),
    row("s.click.aliexpress.com", "/af_pixel.htm", "", "", "the affiliate pixel", Tp, true),
    row("s.click.aliexpress.com", "/", "", "", "the affiliate redirect", Ad, true),
    row("click.aliexpress.com", "/", "", "sub_frame", "the affiliate click frame", Ad, true),
    row("click.aliexpress.com", "/", "", "", "affiliate click tracking", Tp, true),
    row("fourier.aliexpress.com", "/", "", "", "page analytics", Tp, false),
    row("moduleanalysis.aliexpress.com", "/", "", "", "page analytics", Tp, false),
];

/// The tracker a request is (`rtype`: the `webRequest` type), if any.
pub fn classify(u: &str, rtype: &str) -> Option<&'static Tracker> {
    let u = url::parse(u).ok()?;
    TRACKERS.iter().find(|t| {
        let host = match t.host.strip_suffix('.') {
            Some(p) => u.host.strip_prefix(p).and_then(|r| r.strip_prefix('.')).is_some_and(|tld| !tld.is_empty() && !tld.contains('.')),
            None => u.host == t.host,
        };
        host && u.path.starts_with(t.path) && u.path.ends_with(t.ends) && (t.types.is_empty() || t.types == rtype)
    })
}

/// The filter kind behind a `BlockedRequest` evidence detail (`"<error> <type> <url> …"`):
/// its tracker's, else ad blocking (a blocked activation redirect, a block page).
pub fn filter_of_detail(detail: &str) -> Filter {
    let mut w = detail.split(' ').skip(1);
    match (w.next(), w.next()) {
        (Some(rtype), Some(u)) => classify(u, rtype).map_or(Filter::AdBlocking, |t| t.filter),
        _ => Filter::AdBlocking,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(u: &str, rtype: &str) -> Option<(&'static str, Filter, bool)> {
        classify(u, rtype).map(|t| (t.host, t.filter, t.attribution))
    }

    #[test]
    fn the_tracking_protection_rules_of_field_facts() {
        // One URL per AdGuard Tracking Protection rule of field-facts §4.
        let hurt = [
            "https://acs.aliexpress.com/h5/mtop.aliexpress.traffic.web.direct.landing.click.report/1.0/?jsv=2.7.2&appKey=24815441",
            "https://acs.aliexpress.us/h5/mtop.aliexpress.traffic.web.cross.trace.report/1.0/?t=1",
            "https://acs.aliexpress.ru/h5/mtop.aliexpress.traffic.web.direct.landing.click.report/1.0/",
            "https://assets.alicdn.com/g/ae-fe/affiliate-tracker/0.0.3/affiliate-tracker.js",
            "https://assets.aliexpress-media.com/g/ae-fe/cosmos/0.0.414/pc/referral-insights.js",
            "https://s.click.aliexpress.com/af_pixel.htm?aff_short_key=x",
            "https://click.aliexpress.com/e/abc.js",
        ];
        for u in hurt {
            let (_, f, a) = what(u, "script").unwrap_or_else(|| panic!("{u}"));
            assert_eq!((f, a), (Filter::TrackingProtection, true), "{u}");
        }
        for u in ["https://fourier.aliexpress.com/ts?x=1", "https://moduleanalysis.aliexpress.com/collect"] {
            assert_eq!(what(u, "xmlhttprequest").map(|x| (x.1, x.2)), Some((Filter::TrackingProtection, false)), "{u}");
        }
        assert_eq!(what("https://s.click.aliexpress.com/e/_Dabc", "sub_frame").map(|x| x.1), Some(Filter::AdBlocking));
        assert_eq!(what("https://click.aliexpress.com/e/x", "sub_frame").map(|x| x.1), Some(Filter::AdBlocking));
    }

    #[test]
    fn other_requests_and_look_alikes_are_not_trackers() {
        for u in [
            "https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/",
            "https://acs.aliexpress.com.evil.org/h5/mtop.aliexpress.traffic.web.direct.landing.click.report/",
            "https://acs.aliexpress./h5/mtop.aliexpress.traffic.web.direct.landing.click.report/",
            "https://assets.alicdn.com/g/ae-fe/other.js",
            "https://assets.alicdn.com.evil.org/g/x/affiliate-tracker.js",
            "https://www.aliexpress.com/item/1005001000000001.html",
            "not a url",
            "",
        ] {
            assert_eq!(classify(u, "script"), None, "{u}");
        }
    }

    #[test]
    fn filter_kind_from_evidence_detail() {
        let d = "net::ERR_BLOCKED_BY_CLIENT script https://assets.alicdn.com/g/ae-fe/affiliate-tracker/1/affiliate-tracker.js — x";
        assert_eq!(filter_of_detail(d), Filter::TrackingProtection);
        let d = "net::ERR_BLOCKED_BY_CLIENT main_frame https://s.click.aliexpress.com/deep_link.htm?aff_short_key=k";
        assert_eq!(filter_of_detail(d), Filter::AdBlocking);
        assert_eq!(filter_of_detail("net::ERR_BLOCKED_BY_CLIENT main_frame https://alitems.com/g/1/"), Filter::AdBlocking);
        assert_eq!(filter_of_detail(""), Filter::AdBlocking);
        let catalogs = crate::domain::i18n::Catalogs::bundled();
        for f in [Filter::AdBlocking, Filter::TrackingProtection, Filter::UrlCleaning] {
            for l in [crate::domain::i18n::Lang::En, crate::domain::i18n::Lang::Ru] {
                assert_ne!(catalogs.text(l).t(f.key(), &[]), f.key(), "{} has a text", f.key());
            }
        }
    }
}
