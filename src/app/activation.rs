//! Activation: the trusted click, the deep link, the one navigation through it, resuming
//! after a worker stopped mid-way, and the landing that decides how it went.

use super::{error, Boxed, Ctx};
use crate::domain::evidence::{self, EvidenceKind};
use crate::domain::messages::PageFacts;
use crate::domain::product;
use crate::domain::protocol::Reply;
use crate::domain::record::{SessionRecord, Settings, Standdown};
use crate::domain::attribution::{self, Attribution};
use crate::domain::session::{Landing, Outcome, Prior, State};
use crate::domain::url::{self, Url};
use crate::domain::view;
use crate::ports::{join, Platform};

/// The alarm that ends an activation that never landed.
pub const TIMEOUT_ALARM: &str = "activation-timeout";

/// Where the activation takes the shopper: this storefront page without landing
/// parameters, else the AliExpress home page.
#[inline(always)]
fn target_of(page: &str) -> String {
    url::parse(page)
        .ok()
        .filter(|u| product::storefront(&u.host).is_some())
        .map(|u| u.to_string_without_params(attribution::LANDING_PARAMS))
        .unwrap_or_else(|| "https://www.aliexpress.com/".to_string())
}

impl<'a, P: Platform> Ctx<'a, P> {
    /// The session clock: an activation that timed out or a session that expired. True when
    /// the state changed.
    #[inline(always)]
    pub(super) fn tick(&self, rec: &mut SessionRecord, now: f64) -> bool {
        let was_active = rec.activation.activated_ms.is_some();
        if !rec.activation.tick(now, self.pkg.config.session_ms()) {
            return false;
        }
        if was_active && rec.activation.activated_ms.is_none() {
            rec.cart.reset();
        }
        self.record_outcome(rec, None);
        true
    }

    /// The attribution cookies now; an error (a read that failed or timed out) says which.
    pub(super) fn cookie_attributions<'b>(&'b self, page_url: &'b str) -> Boxed<'b, Result<Vec<Attribution>, String>> {
        Box::pin(async move {
            let mut out = Vec::new();
            let (aeu, xman) = join(self.platform.cookie(page_url, attribution::AEU_CID), self.platform.cookie(page_url, attribution::XMAN_US_F)).await;
            if let Some(v) = aeu.map_err(|e| format!("cookie read failed: {e}"))? {
                out.extend(attribution::parse_aeu_cid(&v));
            }
            if let Some(v) = xman.map_err(|e| format!("cookie read failed: {e}"))? {
                out.extend(attribution::parse_xman_us_f(&v));
            }
            Ok(out)
        })
    }

    /// Test builds only: a point where an outside test may hold this event (and stop the
    /// worker there).
    fn hold<'b>(&'b self, name: &'b str) -> Boxed<'b, ()> {
        Box::pin(async move {
            if self.pkg.config.test_hooks {
                self.platform.checkpoint(name).await;
            }
        })
    }

    /// A tab finished loading a top-level page.
    pub(super) async fn on_completed(&self, rec: &mut SessionRecord, tab: i32, page: &str) -> bool {
        match url::parse(page) {
            Ok(parsed) => self.landed(rec, tab, &parsed).await,
            Err(_) => false,
        }
    }

    /// A top-level page loaded (or a content script said hello) in `tab`.
    pub(super) fn landed<'b>(&'b self, rec: &'b mut SessionRecord, tab: i32, u: &'b Url) -> Boxed<'b, bool> {
        Box::pin(async move {
            let deciding = rec.activation.state == State::Activating;
            if deciding {
                self.hold("landing").await;
            }
            let cookies = self.cookie_attributions(&u.serialize()).await.unwrap_or_else(|e| {
                rec.note(e);
                Vec::new()
            });
            if deciding {
                self.hold("verify").await;
            }
            let now = self.platform.now_ms();
            let mut changed = false;
            if rec.activation.on_landed(now, tab, &Landing { url: Some(u), cookies: &cookies }, &self.pkg.config.affiliate_key) {
                self.record_outcome(rec, Some(tab));
                changed = true;
            }
            let other = self.other_referral(rec, tab, u, &cookies, now);
            changed || other
        })
    }

    /// After a landing: another affiliate's link while we are not active is a stand-down;
    /// while we are, another key (URL or cookie) or a swapped account is a hijack.
    #[inline(always)]
    fn other_referral(&self, rec: &mut SessionRecord, tab: i32, u: &Url, cookies: &[Attribution], now: f64) -> bool {
        let key = self.pkg.config.affiliate_key.as_str();
        let from_url = attribution::landing_attribution(u);
        match rec.activation.state {
            State::Inactive | State::Failed | State::Blocked => {
                let Some(a) = from_url.filter(|a| a.key != key) else { return false };
                if rec.standdown.as_ref().map(|s| &s.key) == Some(&a.key) {
                    return false;
                }
                rec.standdown = Some(Standdown { key: a.key.clone(), seen_ms: now, via: "url".into() });
                self.record_evidence(rec, Some(tab), EvidenceKind::Standdown, &a.key, &u.host);
                true
            }
            State::Active => {
                let other = from_url
                    .filter(|a| a.key != key)
                    .or_else(|| cookies.iter().find(|a| a.source == attribution::Source::AeuCidCookie && a.key != key).cloned());
                let changed = if let Some(a) = other {
                    // The redirect that brought it may already be in the evidence.
                    let culprit = evidence::culprit_of(&rec.evidence, &a.key, now, 10_000.0);
                    rec.activation.on_attribution(now, &a, key, culprit)
                } else {
                    rec.activation.on_account_seen(now, u, key)
                };
                if changed {
                    self.record_outcome(rec, Some(tab));
                }
                changed
            }
            _ => false,
        }
    }

    /// The deep link for `target`, with the shopper's account id when accounts are used.
    fn deep_link(&self, target: &str, account: Option<&(String, String)>) -> Option<String> {
        let link = attribution::build_deep_link(&self.pkg.config.deep_link, &self.pkg.config.affiliate_key, target).ok()?;
        Some(match account {
            Some((param, id)) => attribution::with_account(&link, param, id),
            None => link,
        })
    }

    /// The account parameter the deep link carries (`Some(None)`: accounts are not used;
    /// `None`: they are, and none is linked).
    #[inline(always)]
    fn account_param(&self, settings: &Settings) -> Option<Option<(String, String)>> {
        match (&self.pkg.config.account, &settings.account) {
            (None, _) => Some(None),
            (Some(a), Some(id)) => Some(Some((a.param.clone(), id.clone()))),
            (Some(_), None) => None,
        }
    }

    /// What is there before the click is history, never this click's proof.
    async fn prior(&self, rec: &mut SessionRecord, page: &str, target: &str, account: Option<(String, String)>) -> Prior {
        let mut prior = Prior { account, ..Default::default() };
        match self.cookie_attributions(if page.is_empty() { target } else { page }).await {
            Ok(found) => {
                prior.known = true;
                prior.traces = found.into_iter().filter_map(|a| a.trace).collect();
            }
            Err(e) => rec.note(e),
        }
        prior.traces.extend(url::parse(page).ok().and_then(|u| attribution::landing_attribution(&u)).and_then(|a| a.trace));
        prior
    }

    /// Activate from the banner: what the page shows right now (a cart the shopper filled
    /// before clicking) is taken in before the activation snapshots it.
    pub(super) async fn activate_from_page(
        &self,
        rec: &mut SessionRecord,
        settings: &Settings,
        tab: i32,
        page: Option<String>,
        facts: Option<PageFacts>,
    ) -> (Reply, bool) {
        if let (Some(page), Some(facts)) = (page, facts) {
            if let Ok(u) = url::parse(&page) {
                if product::storefront(&u.host).is_some() {
                    self.facts(rec, tab, &u, &facts);
                }
            }
        }
        (self.activate(rec, settings, tab).await, true)
    }

    /// Activate from the popup, for the AliExpress page in `tab`.
    pub(super) async fn activate_from_popup(&self, rec: &mut SessionRecord, settings: &Settings, tab: i32) -> (Reply, bool) {
        if rec.tab(tab).is_none() {
            return (error("open an AliExpress page in this tab first"), false);
        }
        (self.activate(rec, settings, tab).await, true)
    }

    /// A trusted click on Activate. The order is what makes a worker stopped at any point
    /// end like an undisturbed run: the timeout alarm, then the saved `activating` record,
    /// then the one navigation (never when the save failed), then `navigated`.
    fn activate<'b>(&'b self, rec: &'b mut SessionRecord, settings: &'b Settings, tab: i32) -> Boxed<'b, Reply> {
        Box::pin(async move {
            self.hold("activate").await;
            let in_flight = rec.activation.attempt.as_ref().filter(|a| a.tab_id == tab && !a.navigated);
            if rec.activation.state == State::Activating && in_flight.is_some() {
                // The click again, after a worker stopped between the save and the navigation.
                return self.resume(rec, tab).await;
            }
            let Some(account) = self.account_param(settings) else {
                // No silent loss: nothing is sent; the shopper is led to link an account.
                self.platform.open_options().await;
                return Reply::NeedAccount;
            };
            let now = self.platform.now_ms();
            let page = rec.tab(tab).map(|t| t.url.clone()).unwrap_or_default();
            let target = target_of(&page);
            let Some(link) = self.deep_link(&target, account.as_ref()) else {
                return error("cannot build the referral link from the configured template");
            };
            match rec.activation.state {
                State::Active => return Reply::Refused { reason: "already-active" },
                State::Activating => return Reply::Refused { reason: "in-flight" },
                _ => {}
            }
            let prior = self.prior(rec, &page, &target, account).await;
            let timeout = f64::from(self.pkg.config.activation_timeout_s) * 1000.0;
            if rec.activation.begin_with(now, tab, &target, timeout, prior).is_err() {
                return Reply::Refused { reason: "in-flight" };
            }
            rec.cart.snapshot_now(now as u64);
            rec.standdown = None;
            self.record_evidence(rec, Some(tab), EvidenceKind::ActivationSent, &self.pkg.config.affiliate_key, &target);
            // The bound first: a worker stopped from here on still ends the wait.
            self.platform.alarm(TIMEOUT_ALARM, now + timeout).await;
            // Saved before navigating: a worker killed mid-way still knows it is activating.
            if let Err(e) = self.save(rec).await {
                rec.activation.not_saved(self.platform.now_ms(), e.clone());
                self.record_outcome(rec, Some(tab));
                return error(view::reason_text(self.text(settings), &Outcome::NotSaved { error: e }));
            }
            self.broadcast(rec, settings).await;
            self.hold("saved").await;
            self.go(rec, tab, &link).await
        })
    }

    /// The one navigation through the deep link.
    fn go<'b>(&'b self, rec: &'b mut SessionRecord, tab: i32, link: &'b str) -> Boxed<'b, Reply> {
        Box::pin(async move {
            match self.platform.navigate(tab, link).await {
                Err(e) => {
                    rec.activation.abort_no_tab(self.platform.now_ms());
                    rec.note(format!("navigation failed: {e}"));
                    self.record_outcome(rec, Some(tab));
                }
                Ok(()) => {
                    if let Some(a) = rec.activation.attempt.as_mut() {
                        a.navigated = true;
                    }
                    self.hold("navigated").await;
                }
            }
            Reply::Activating { state: rec.activation.state.as_str() }
        })
    }

    /// An attempt saved as `activating` whose navigation was never recorded (the worker
    /// stopped in between): if the tab is already on its way (a pending navigation, the deep
    /// link, a redirect seen), it went out; else it is sent now, once. A tab that is gone
    /// fails at once.
    fn resume<'b>(&'b self, rec: &'b mut SessionRecord, tab: i32) -> Boxed<'b, Reply> {
        Box::pin(async move {
            let Some(attempt) = rec.activation.attempt.clone() else { return error("no activation in flight") };
            let nav = match self.platform.tab_nav(tab).await {
                Ok(nav) => nav,
                Err(e) => {
                    rec.activation.abort_no_tab(self.platform.now_ms());
                    rec.note(format!("activation could not resume: {e}"));
                    self.record_outcome(rec, Some(tab));
                    return Reply::Activating { state: rec.activation.state.as_str() };
                }
            };
            let moved = |u: &str| {
                url::parse(u)
                    .is_ok_and(|u| attribution::classify_host(&u.host) != attribution::HostKind::Storefront || attribution::has_referral_params(&u))
            };
            if attempt.redirected || nav.pending.is_some() || moved(&nav.url) {
                if let Some(a) = rec.activation.attempt.as_mut() {
                    a.navigated = true;
                }
                rec.note("activation: the navigation had gone out before the worker stopped".into());
                return Reply::Activating { state: rec.activation.state.as_str() };
            }
            let Some(link) = self.deep_link(&attempt.target, rec.activation.account.as_ref()) else {
                return error("cannot build the referral link from the configured template");
            };
            rec.note("activation resumed: the worker stopped before the navigation".into());
            self.go(rec, tab, &link).await
        })
    }

    /// A tab closed: an activation in flight in it fails at once.
    #[inline(always)]
    pub(super) fn on_tab_removed(&self, rec: &mut SessionRecord, tab: i32, now: f64) -> bool {
        let in_flight = rec.activation.attempt.as_ref().is_some_and(|a| a.tab_id == tab) && rec.activation.state == State::Activating;
        if in_flight {
            rec.activation.abort_no_tab(now);
            self.record_outcome(rec, Some(tab));
        }
        rec.remove_tab(tab);
        in_flight
    }
}
