//! Detection: the evidence this session gathers (redirects, blocked requests, cookies
//! written, the outcome of each step) and what it says is wrong. A [`Problem`] says what and
//! who, never in words: [`super::present`] adds them.

use super::Ctx;
use crate::domain::evidence::{self, Evidence, EvidenceKind};
use crate::domain::extensions::{self, Category, Finding};
use crate::domain::events::CookieInfo;
use crate::domain::product::PageKind;
use crate::domain::record::SessionRecord;
use crate::domain::attribution;
use crate::domain::session::{Outcome, State};
use crate::domain::trackers::{self, Filter};
use crate::domain::url;
use crate::domain::view::WarningKind;
use crate::ports::Platform;

/// Something wrong the shopper should hear about, in the order they are told.
pub(super) enum Problem<'r> {
    /// A coupon code entered at checkout (seed 001).
    Coupon { code: &'r str },
    /// Payment in the app, where the referral does not follow.
    AppPayment,
    /// An installed blocker that can take the referral out, while something was blocked.
    NamedBlocker { ext: &'r Finding },
    /// A host or extension that blocked a referral request; `bait`: a cosmetic filter too.
    Blocked { subject: String, filter: Filter, bait: bool },
    /// Referral parameters removed on the way.
    Stripped { subject: String },
    /// An installed cashback or AliExpress-helper extension.
    RivalExtension { ext: &'r Finding },
    /// Another affiliate's key replaced ours; with the installed extensions that can steer
    /// AliExpress tabs when it came by a navigation.
    Hijack { key: &'r str, culprit: Option<&'r str>, suspects: Vec<&'r Finding> },
    /// The shopper's account id was replaced by `found`.
    AccountSwapped { found: &'r str, outcome: &'r Outcome },
    /// The activation landed with another affiliate's key.
    OtherKey { key: &'r str },
    /// A link or hidden iframe on a page that leads through another affiliate.
    RivalLink { subject: String },
    /// Another affiliate's link brought the shopper here (we stand down).
    Standdown { key: &'r str },
    /// Cart items that the activation does not cover (`ids`: comma-separated, when known).
    Cart { count: u32, ids: String },
    /// The browser withholds our host access (Firefox lets the shopper revoke it): the
    /// cookies cannot be read, so no referral can be checked.
    Permission,
}

impl Problem<'_> {
    pub(super) fn kind(&self) -> WarningKind {
        match self {
            Problem::Coupon { .. } => WarningKind::Coupon,
            Problem::AppPayment => WarningKind::AppPayment,
            Problem::NamedBlocker { .. } | Problem::Blocked { .. } | Problem::Stripped { .. } => WarningKind::Adblock,
            Problem::RivalExtension { .. }
            | Problem::Hijack { .. }
            | Problem::AccountSwapped { .. }
            | Problem::OtherKey { .. }
            | Problem::RivalLink { .. } => WarningKind::Rival,
            Problem::Standdown { .. } => WarningKind::Standdown,
            Problem::Cart { .. } => WarningKind::Cart,
            Problem::Permission => WarningKind::Permission,
        }
    }

    /// The culprit: an extension id, a host, an affiliate key, or comma-separated product ids.
    pub(super) fn subject(&self) -> &str {
        match self {
            Problem::Coupon { code } => code,
            Problem::AppPayment => "app",
            Problem::NamedBlocker { ext } | Problem::RivalExtension { ext } => &ext.id,
            Problem::Blocked { subject, .. } | Problem::Stripped { subject } | Problem::RivalLink { subject } => subject,
            Problem::Hijack { key, suspects, .. } => match suspects.as_slice() {
                [one] => &one.id,
                _ => key,
            },
            Problem::AccountSwapped { found, .. } => found,
            Problem::OtherKey { key } | Problem::Standdown { key } => key,
            Problem::Cart { ids, .. } => ids,
            Problem::Permission => "aliexpress",
        }
    }

    fn is_rival(&self, subject: &str) -> bool {
        self.kind() == WarningKind::Rival && self.subject() == subject
    }
}

/// What is wrong for the page in `tab` (or the session, without one).
pub(super) fn problems(rec: &SessionRecord, tab: Option<i32>) -> Vec<Problem<'_>> {
    let mut out = Vec::new();
    checkout_problems(rec, tab, &mut out);
    blocker_problems(rec, &mut out);
    rival_problems(rec, &mut out);
    if let (Some(s), true) = (&rec.standdown, rec.activation.state.can_activate()) {
        out.push(Problem::Standdown { key: &s.key });
    }
    out.extend(super::cart::cart_problem(rec));
    out
}

/// The extensions found installed (none when the shopper did not let us look).
fn installed(rec: &SessionRecord) -> &[Finding] {
    rec.extensions.as_deref().unwrap_or(&[])
}

fn of<'r>(found: &'r [Finding], cats: &'static [Category]) -> impl Iterator<Item = &'r Finding> {
    found.iter().filter(move |f| cats.contains(&f.category))
}

/// Checkout pitfalls (seed 001), on the checkout page they concern.
fn checkout_problems<'r>(rec: &'r SessionRecord, tab: Option<i32>, out: &mut Vec<Problem<'r>>) {
    let checkout = tab.and_then(|id| rec.tab(id)).filter(|t| t.kind == Some(PageKind::Checkout)).and_then(|t| t.checkout.as_ref());
    let Some(checkout) = checkout else { return };
    if let Some(code) = &checkout.promo_code {
        out.push(Problem::Coupon { code });
    }
    if checkout.app_payment {
        out.push(Problem::AppPayment);
    }
}

/// Blockers: every host or extension that blocked a referral request since the last
/// activation (the activation itself, or tracking requests on the pages), named by
/// extension when the shopper let us look at the installed ones; and referral parameters
/// removed on the way (URL-cleaning / tracking-protection filters).
fn blocker_problems<'r>(rec: &'r SessionRecord, out: &mut Vec<Problem<'r>>) {
    let recent = evidence::current(&rec.evidence);
    let blocked = evidence::subjects(recent, &[EvidenceKind::BlockedRequest, EvidenceKind::BlockPage]);
    let stripped = evidence::subjects(recent, &[EvidenceKind::Stripped]);
    let named: Vec<_> = if blocked.is_empty() && stripped.is_empty() {
        Vec::new()
    } else {
        of(installed(rec), &[Category::Blocker, Category::Capable]).collect()
    };
    out.extend(named.iter().map(|ext| Problem::NamedBlocker { ext }));
    // The bait only corroborates: it adds to a warning the network evidence raised.
    let bait = rec.evidence.iter().any(|e| e.kind == EvidenceKind::Bait);
    for subject in blocked {
        if named.iter().any(|f| f.id == subject) || (!named.is_empty() && !extensions::is_extension_id(&subject)) {
            continue; // the named extension stands for the host it blocked
        }
        // Which kind of filter: from the latest block of this host (trackers table).
        let filter = rec
            .evidence
            .iter()
            .rev()
            .find(|e| e.kind == EvidenceKind::BlockedRequest && e.subject == subject)
            .map_or(Filter::AdBlocking, |e| trackers::filter_of_detail(&e.detail));
        out.push(Problem::Blocked { subject, filter, bait });
    }
    if named.is_empty() {
        out.extend(stripped.into_iter().map(|subject| Problem::Stripped { subject }));
    }
}

/// Rivals: installed cashback extensions, a referral taken or never ours, rival links.
fn rival_problems<'r>(rec: &'r SessionRecord, out: &mut Vec<Problem<'r>>) {
    let found = installed(rec);
    // Cashback and AliExpress-helper extensions can take the referral at any time.
    out.extend(of(found, &[Category::Cashback, Category::AliexpressHelper]).map(|ext| Problem::RivalExtension { ext }));
    match (&rec.activation.state, &rec.activation.outcome) {
        (State::Hijacked, Some(Outcome::Hijack { key, culprit })) => {
            // A top-level navigation through the rival's link: with the installed
            // extensions known, the one that can steer AliExpress tabs is the culprit.
            let by_navigation = culprit.as_deref().is_some_and(|c| c.starts_with("navigation"));
            let steers = |f: &&Finding| {
                matches!(f.category, Category::Cashback | Category::AliexpressHelper | Category::Capable | Category::Navigator)
            };
            let suspects = if by_navigation { found.iter().filter(steers).collect() } else { Vec::new() };
            let hijack = Problem::Hijack { key, culprit: culprit.as_deref(), suspects };
            match out.iter_mut().find(|p| p.is_rival(hijack.subject())) {
                Some(existing) => *existing = hijack, // the installed rival, now with what it did
                None => out.push(hijack),
            }
        }
        (State::Hijacked, Some(outcome @ Outcome::AccountSwapped { found, .. })) => out.push(Problem::AccountSwapped { found, outcome }),
        (State::Failed, Some(Outcome::OtherKey { key })) => out.push(Problem::OtherKey { key }),
        _ => {}
    }
    for subject in evidence::subjects(evidence::current(&rec.evidence), &[EvidenceKind::RivalLink]) {
        if !out.iter().any(|p| p.is_rival(&subject)) {
            out.push(Problem::RivalLink { subject });
        }
    }
}

impl<'a, P: Platform> Ctx<'a, P> {
    /// Adds an item to the session's evidence, stamped now.
    pub(super) fn record_evidence(&self, rec: &mut SessionRecord, tab: Option<i32>, kind: EvidenceKind, subject: &str, detail: &str) {
        evidence::push(
            &mut rec.evidence,
            Evidence { at_ms: self.platform.now_ms(), tab_id: tab, kind, subject: subject.into(), detail: detail.into() },
        );
    }

    /// Evidence for the state the machine just entered.
    pub(super) fn record_outcome(&self, rec: &mut SessionRecord, tab: Option<i32>) {
        let state = rec.activation.state;
        let (kind, subject, detail) = match rec.activation.outcome.clone() {
            None if state == State::Active => (EvidenceKind::Verified, self.pkg.config.affiliate_key.clone(), String::new()),
            None => return,
            Some(Outcome::BlockedByClient { url }) => {
                let host = url::parse(&url).map(|u| u.host).unwrap_or_default();
                (EvidenceKind::BlockedRequest, host, format!("net::ERR_BLOCKED_BY_CLIENT main_frame {url}"))
            }
            Some(Outcome::BlockPage { extension_id }) => (EvidenceKind::BlockPage, extension_id, String::new()),
            Some(Outcome::Stripped { location_had_referral, params }) => {
                // Where the referral was lost: the deep link itself, or on the way to the page.
                let host = if params.is_empty() { tab_host(rec, tab) } else { "s.click.aliexpress.com".into() };
                let detail = format!("removed {}; location had referral: {location_had_referral}", params.join(", "));
                (EvidenceKind::Stripped, host, detail)
            }
            Some(Outcome::AccountStripped { param }) => {
                (EvidenceKind::Stripped, tab_host(rec, tab), format!("removed the account parameter {param}"))
            }
            Some(Outcome::AccountSwapped { param, found }) => (EvidenceKind::Hijack, found, format!("account parameter {param} swapped")),
            Some(Outcome::Hijack { key, culprit }) => (EvidenceKind::Hijack, key, culprit.unwrap_or_default()),
            Some(o) => (EvidenceKind::Failed, String::new(), o.name().to_string()),
        };
        self.record_evidence(rec, tab, kind, &subject, &detail);
    }

    /// Reads the installed extensions when the shopper allowed it (every event: it is a
    /// local call, and the answer is never stale).
    pub(super) async fn look_at_extensions(&self, rec: &mut SessionRecord) {
        rec.extensions = match self.platform.extensions().await {
            Some(installed) => Some(extensions::assess(&installed, &self.pkg.registry, &self.platform.extension_id())),
            None => None,
        };
    }

    /// A redirect seen by `webRequest`: evidence when it concerns AliExpress, its affiliate
    /// hosts or an extension; the culprit of a hijack just seen; the activation's path.
    #[inline(always)]
    pub(super) fn on_redirect(&self, rec: &mut SessionRecord, tab: i32, from: &str, to: &str, rtype: &str, now: f64) -> bool {
        let host_kind = url::parse(from).map(|u| attribution::classify_host(&u.host)).unwrap_or(attribution::HostKind::Other);
        if host_kind != attribution::HostKind::Other || to.starts_with("chrome-extension://") {
            self.record_evidence(rec, Some(tab), EvidenceKind::Redirect, from, &format!("{rtype} → {to}"));
        }
        let mut changed = false;
        // Late evidence: the cookie changed before this redirect was reported.
        let since = rec.activation.since_ms;
        if let Some(Outcome::Hijack { key, culprit: culprit @ None }) = rec.activation.outcome.as_mut() {
            if now - since <= 10_000.0 {
                *culprit = evidence::culprit_of(&rec.evidence, key, now, 10_000.0);
                changed |= culprit.is_some();
            }
        }
        if rtype == "main_frame" && rec.activation.on_redirect(now, tab, from, to) {
            self.record_outcome(rec, Some(tab));
            changed = true;
        }
        changed
    }

    /// A request that failed: a blocked tracking request of the referral on a page, or the
    /// activation's own navigation.
    #[inline(always)]
    pub(super) fn on_net_error(
        &self,
        rec: &mut SessionRecord,
        tab: i32,
        request_url: &str,
        net_error: &str,
        rtype: &str,
        now: f64,
    ) -> bool {
        if rtype == "main_frame" {
            let changed = rec.activation.on_net_error(now, tab, request_url, net_error);
            if changed {
                self.record_outcome(rec, Some(tab));
            }
            return changed;
        }
        // A tracking request (pixel, script, iframe) of the referral blocked on a page.
        // Only the requests of the trackers table (the listener's filter is wider: all of
        // acs.aliexpress.*); page analytics only show that a filter runs.
        let Some(tracker) = blocked_tracker(request_url, net_error, rtype) else { return false };
        let host = url::parse(request_url).map(|parsed| parsed.host).unwrap_or_default();
        // The newest item, not the count: a full list (MAX_EVIDENCE) keeps its count.
        let before = rec.evidence.last().cloned();
        let (kind, detail) = if tracker.attribution {
            (EvidenceKind::BlockedRequest, format!("{net_error} {rtype} {request_url} — {}", tracker.what))
        } else {
            (EvidenceKind::Page, format!("{net_error} {rtype} {request_url} — {}: a tracking filter runs here", tracker.what))
        };
        self.record_evidence(rec, Some(tab), kind, &host, &detail);
        tracker.attribution && rec.evidence.last() != before.as_ref()
    }

    /// An attribution cookie written: evidence, this click's proof during an attempt, or a
    /// rival's key while we are active.
    #[inline(always)]
    pub(super) fn on_cookie_written(&self, rec: &mut SessionRecord, cookie: &CookieInfo, now: f64) -> bool {
        let Some(a) = attribution::parse_cookie(&cookie.name, &cookie.value) else { return false };
        let key = self.pkg.config.affiliate_key.as_str();
        self.record_evidence(rec, None, EvidenceKind::Attribution, &a.key, &cookie.name);
        // Written during an attempt: this click's proof, for the landing.
        let mut changed = rec.activation.on_cookie_written(&a, key);
        let culprit = evidence::culprit_of(&rec.evidence, &a.key, now, 10_000.0);
        if rec.activation.on_attribution(now, &a, key, culprit) {
            self.record_outcome(rec, None);
            changed = true;
        }
        changed
    }
}

/// The host of the page in `tab` (for evidence), else AliExpress.
fn tab_host(rec: &SessionRecord, tab: Option<i32>) -> String {
    tab.and_then(|t| rec.tab(t)).and_then(|t| url::parse(&t.url).ok()).map(|u| u.host).unwrap_or_else(|| "aliexpress.com".into())
}

/// A request of the trackers table that a filter blocked (`ERR_BLOCKED_BY_CLIENT`).
pub(super) fn blocked_tracker(request_url: &str, net_error: &str, rtype: &str) -> Option<&'static trackers::Tracker> {
    net_error.contains("ERR_BLOCKED_BY_CLIENT").then(|| trackers::classify(request_url, rtype)).flatten()
}
