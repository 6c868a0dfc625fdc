//! The application service: one entry point, `handle`, that takes a browser event, loads
//! the session record from storage, runs the domain, saves, and tells every AliExpress tab
//! and extension page what changed. The worker keeps nothing in globals: a worker killed
//! between two events resumes from storage.

use crate::domain::config::Config;
use crate::domain::evidence::{self, Evidence, EvidenceKind};
use crate::domain::extensions::Category;
use crate::domain::extract;
use crate::domain::i18n::{t, tn, Lang};
use crate::domain::layout::Layouts;
use crate::domain::messages::{BrowserEvent, Request, Sender};
use crate::domain::money;
use crate::domain::orders::{self, LoadedLog, Order, OrderLog, Snapshot};
use crate::domain::price;
use crate::domain::product::{self, PageKind};
use crate::domain::record::{self, CheckoutInfo, Loaded, ProductInfo, SessionRecord, Settings, Standdown, StoredPrice};
use crate::domain::referral::{self, Attribution};
use crate::domain::session::{Landing, Outcome, Prior, State};
use crate::domain::url::{self, Url};
use crate::domain::view::{self, AccountView, ExpectedView, OrderRow, PopupExtra, ViewInput, Warning, WarningKind};
use crate::ports::{join, Area, Platform};
use serde_json::{json, Value};

/// The banner's stylesheet: embedded in native builds, read from the package at worker start
/// in wasm (`set_banner_css`).
#[cfg(not(target_arch = "wasm32"))]
const BUNDLED_CSS: &str = include_str!("../extension/ui/banner.css");
#[cfg(target_arch = "wasm32")]
const BUNDLED_CSS: &str = "";
static BANNER_CSS: std::sync::OnceLock<String> = std::sync::OnceLock::new();

pub fn set_banner_css(css: &str) {
    let _ = BANNER_CSS.set(css.to_string());
}

fn banner_css() -> &'static str {
    BANNER_CSS.get().map(String::as_str).unwrap_or(BUNDLED_CSS)
}
pub const TIMEOUT_ALARM: &str = "activation-timeout";
/// `storage.local`: faults the session record could not keep (its own write failed).
pub const FAULTS_KEY: &str = "faults";
/// `storage.local`: the shopper's linked account `{v, id, linked_ms, via}`.
pub const ACCOUNT_KEY: &str = "account";
/// `storage.local`: unreadable records kept aside, oldest first.
pub const QUARANTINE_KEY: &str = "quarantine";
/// Quarantined records kept (the oldest go).
pub const MAX_QUARANTINED: usize = 10;
const MAX_FAULTS: usize = 20;
/// `order-check:<order id>`: the reminder after an order (seed 003).
pub const ORDER_ALARM_PREFIX: &str = "order-check:";
/// Orders listed in the popup (the export has all).
const POPUP_ORDERS: usize = 20;

/// A future compiled once and called through a pointer: awaiting it from several places
/// does not copy its state machine into each caller (wasm size).
type Boxed<'b, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + 'b>>;

pub struct Ctx<'a, P: Platform> {
    pub p: &'a P,
    pub cfg: &'a Config,
    pub layouts: &'a Layouts,
}

/// What a request is allowed to do, from who sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Our content script in this tab.
    Content(i32),
    /// Our popup / options page.
    Page,
    /// The operator's site (top frame), by `externally_connectable`: may only link an account.
    Site,
}

fn classify_sender(sender: &Sender, our_id: &str) -> Result<Origin, String> {
    if sender.id.as_deref() != Some(our_id) {
        return Err("message from another extension or page".into());
    }
    let page_prefix = format!("chrome-extension://{our_id}/");
    match (&sender.tab, &sender.url) {
        (_, Some(u)) if u.starts_with(&page_prefix) => Ok(Origin::Page),
        (Some(tab), _) => match tab.id {
            Some(id) if id >= 0 => Ok(Origin::Content(id)),
            _ => Err("content script without a tab".into()),
        },
        _ => Err("unknown sender".into()),
    }
}

/// A message from a web page (`runtime.onMessageExternal`): only the operator's site, in its
/// top frame, and only when the operator uses accounts.
fn classify_external(sender: &Sender, cfg: &Config) -> Result<Origin, String> {
    let Some(acc) = &cfg.account else { return Err("this extension takes no messages from web pages".into()) };
    let page_origin = sender
        .url
        .as_deref()
        .and_then(|u| url::parse(u).ok())
        .map(|u| format!("{}://{}{}", u.scheme, u.host, u.port.map(|p| format!(":{p}")).unwrap_or_default()));
    let top = sender.frame_id == Some(0);
    match (sender.id.is_none(), sender.origin.as_deref() == Some(acc.site.as_str()), page_origin.as_deref() == Some(acc.site.as_str()), top)
    {
        (true, true, true, true) => Ok(Origin::Site),
        (_, _, _, false) => Err("only the operator's page itself (not a frame) may link an account".into()),
        _ => Err("only the operator's site may link an account".into()),
    }
}

fn error(msg: impl Into<String>) -> Value {
    json!({ "type": "error", "error": msg.into() })
}

/// Keeps an unreadable record aside in `storage.local` under `quarantine`: a list of
/// `{key, at_ms, raw}`, appended (an earlier one is never overwritten) and bounded to the
/// [`MAX_QUARANTINED`] most recent.
fn quarantine<'b, P: Platform>(p: &'b P, key: &'b str, raw: Value) -> Boxed<'b, String> {
    Box::pin(async move {
        let mut kept = match p.get(Area::Local, QUARANTINE_KEY).await {
            Ok(Some(Value::Array(a))) => a,
            _ => Vec::new(),
        };
        kept.push(json!({"key": key, "at_ms": p.now_ms(), "raw": raw}));
        let over = kept.len().saturating_sub(MAX_QUARANTINED);
        kept.drain(..over);
        let _ = p.set(Area::Local, QUARANTINE_KEY, Value::Array(kept)).await;
        format!("{QUARANTINE_KEY} (storage.local)")
    })
}

/// Reads a versioned record; an undecodable one is kept aside ([`quarantine`]) and replaced
/// by a fresh record at once (so the next event does not find it unreadable again), with a
/// note saying so.
async fn load<P: Platform, T: crate::domain::json::FromJson + serde::Serialize + Default>(
    p: &P,
    area: Area,
    key: &str,
    version: u32,
    notes: &mut Vec<String>,
) -> T {
    match p.get(area, key).await {
        Err(e) => {
            notes.push(format!("storage read of {key} failed: {e}"));
            T::default()
        }
        Ok(raw) => match record::decode::<T>(raw, version) {
            Loaded::Ok(t) => t,
            Loaded::Missing => T::default(),
            Loaded::Quarantine { raw, why } => {
                let kept = quarantine(p, key, raw).await;
                notes.push(format!("stored {key} was unreadable ({why}); kept as {kept}, started fresh"));
                let fresh = T::default();
                if let Err(e) = p.set(area, key, serde_json::to_value(&fresh).unwrap_or(Value::Null)).await {
                    notes.push(format!("storage write of {key} failed: {e}"));
                }
                fresh
            }
        },
    }
}

fn rate_text(bp: u32) -> String {
    if bp % 100 == 0 {
        format!("{}%", bp / 100)
    } else if bp % 10 == 0 {
        format!("{}.{}%", bp / 100, (bp % 100) / 10)
    } else {
        format!("{}.{:02}%", bp / 100, bp % 100)
    }
}

impl<'a, P: Platform> Ctx<'a, P> {
    fn lang(&self, settings: &Settings) -> Lang {
        settings.lang(&self.p.ui_locale())
    }

    fn money(&self, minor: u64, currency: &str, lang: Lang) -> String {
        let exp = price::currency(currency).map(|c| c.exponent).unwrap_or(2);
        self.p.money(minor, currency, exp, lang)
    }

    fn expected(&self, info: &ProductInfo, lang: Lang) -> Option<ExpectedView> {
        let range = info.price.to_range()?;
        let rate = info.rate_bp;
        let e = money::expected_cashback(&range, info.quantity.max(1), rate).ok()?;
        let product_id = info.id.clone();
        let mut text = format!("≈\u{a0}{}", self.money(e.min_minor, e.currency, lang));
        if let Some(max) = e.max_minor {
            text = format!("{text} – {}", self.money(max, e.currency, lang));
        }
        Some(ExpectedView {
            text,
            min_minor: e.min_minor,
            max_minor: e.max_minor,
            currency: e.currency.to_string(),
            rate_bp: rate,
            rate_text: rate_text(rate),
            product_id,
        })
    }

    fn warnings(&self, rec: &SessionRecord, tab: Option<i32>, lang: Lang) -> Vec<Warning> {
        let mut out = Vec::new();
        // Checkout pitfalls (seed 001), on the checkout page they concern.
        if let Some(c) = tab.and_then(|id| rec.tab(id)).filter(|t| t.kind == Some(PageKind::Checkout)).and_then(|t| t.checkout.as_ref()) {
            if let Some(code) = &c.promo_code {
                out.push(Warning {
                    kind: WarningKind::Coupon,
                    subject: code.clone(),
                    title: t(lang, "warn_coupon", &[code]),
                    remedy: t(lang, "remedy_coupon", &[]),
                });
            }
            if c.app_payment {
                out.push(Warning {
                    kind: WarningKind::AppPayment,
                    subject: "app".into(),
                    title: t(lang, "warn_app_payment", &[]),
                    remedy: t(lang, "remedy_app_payment", &[]),
                });
            }
        }
        let r = &rec.referral;
        let recent = evidence::current(&rec.evidence);
        let found = rec.extensions.as_deref().unwrap_or(&[]);
        let of = |cats: &'static [Category]| found.iter().filter(move |f| cats.contains(&f.category));
        // Blockers: every host or extension that blocked a referral request since the last
        // activation (the activation itself, or tracking requests on the pages). Named by
        // extension when the shopper let us look at the installed ones.
        let blocked = evidence::subjects(recent, &[EvidenceKind::BlockedRequest, EvidenceKind::BlockPage]);
        // Referral parameters removed on the way (URL-cleaning / tracking-protection filters).
        let stripped = evidence::subjects(recent, &[EvidenceKind::Stripped]);
        let named: Vec<_> =
            if blocked.is_empty() && stripped.is_empty() { Vec::new() } else { of(&[Category::Blocker, Category::Capable]).collect() };
        for f in &named {
            out.push(Warning {
                kind: WarningKind::Adblock,
                subject: f.id.clone(),
                title: t(lang, "warn_adblock_named", &[&f.name]),
                remedy: t(lang, "remedy_blocker_named", &[&f.name]),
            });
        }
        // The bait only corroborates: it adds to a warning the network evidence raised.
        let bait = rec.evidence.iter().any(|e| e.kind == EvidenceKind::Bait);
        for subject in blocked {
            if named.iter().any(|f| f.id == subject) || (!named.is_empty() && !crate::domain::extensions::is_extension_id(&subject)) {
                continue; // the named extension stands for the host it blocked
            }
            // Which kind of filter: from the latest block of this host (trackers table).
            let filter = rec
                .evidence
                .iter()
                .rev()
                .find(|e| e.kind == EvidenceKind::BlockedRequest && e.subject == subject)
                .map_or(crate::domain::trackers::Filter::AdBlocking, |e| crate::domain::trackers::filter_of_detail(&e.detail));
            let mut title = format!("{} {}", t(lang, "warn_adblock", &[&subject]), t(lang, filter.key(), &[]));
            if bait {
                title = format!("{title} {}", t(lang, "adblock_bait_too", &[]));
            }
            let remedy = if filter == crate::domain::trackers::Filter::TrackingProtection { "remedy_tracking" } else { "remedy_blocked" };
            out.push(Warning { kind: WarningKind::Adblock, title, remedy: t(lang, remedy, &[]), subject });
        }
        if named.is_empty() {
            for subject in stripped {
                out.push(Warning {
                    kind: WarningKind::Adblock,
                    title: t(lang, "warn_stripped", &[&subject]),
                    remedy: t(lang, "remedy_stripped", &[]),
                    subject,
                });
            }
        }
        // Cashback and AliExpress-helper extensions can take the referral at any time.
        for f in of(&[Category::Cashback, Category::AliexpressHelper]) {
            out.push(Warning {
                kind: WarningKind::Rival,
                subject: f.id.clone(),
                title: t(lang, "warn_rival_ext", &[&f.name]),
                remedy: t(lang, "remedy_rival_ext", &[&f.name]),
            });
        }
        match (&r.state, &r.outcome) {
            (State::Hijacked, Some(Outcome::Hijack { key, culprit })) => {
                let who = match culprit {
                    Some(c) => format!("{key} ({c})"),
                    None => key.clone(),
                };
                // A top-level navigation through the rival's link: with the installed
                // extensions known, the one that can steer AliExpress tabs is the culprit.
                let by_navigation = culprit.as_deref().is_some_and(|c| c.starts_with("navigation"));
                let suspects: Vec<_> = if by_navigation {
                    found
                        .iter()
                        .filter(|f| {
                            matches!(f.category, Category::Cashback | Category::AliexpressHelper | Category::Capable | Category::Navigator)
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                let w = match suspects.as_slice() {
                    [one] => Warning {
                        kind: WarningKind::Rival,
                        subject: one.id.clone(),
                        title: t(lang, "warn_rival_by_ext", &[&one.name, &one.id, &who]),
                        remedy: t(lang, "remedy_rival_ext", &[&one.name]),
                    },
                    many => {
                        let names: Vec<&str> = many.iter().map(|f| f.name.as_str()).collect();
                        let who = if names.is_empty() { who } else { format!("{who}; {}", t(lang, "suspects", &[&names.join(", ")])) };
                        Warning {
                            kind: WarningKind::Rival,
                            subject: key.clone(),
                            title: t(lang, "warn_rival", &[&who]),
                            remedy: t(lang, "remedy_hijacked", &[]),
                        }
                    }
                };
                match out.iter_mut().find(|x| x.kind == WarningKind::Rival && x.subject == w.subject) {
                    Some(existing) => *existing = w, // the installed rival, now with what it did
                    None => out.push(w),
                }
            }
            (State::Hijacked, Some(o @ Outcome::AccountSwapped { found, .. })) => out.push(Warning {
                kind: WarningKind::Rival,
                subject: found.clone(),
                title: view::reason_text(lang, o),
                remedy: t(lang, "remedy_hijacked", &[]),
            }),
            (State::Failed, Some(Outcome::OtherKey { key })) => out.push(Warning {
                kind: WarningKind::Rival,
                subject: key.clone(),
                title: t(lang, "warn_rival", &[key]),
                remedy: t(lang, "remedy_hijacked", &[]),
            }),
            _ => {}
        }
        for subject in evidence::subjects(recent, &[EvidenceKind::RivalLink]) {
            if !out.iter().any(|w| w.kind == WarningKind::Rival && w.subject == subject) {
                out.push(Warning {
                    kind: WarningKind::Rival,
                    title: t(lang, "warn_rival_link", &[&subject]),
                    remedy: t(lang, "remedy_rival_link", &[]),
                    subject,
                });
            }
        }
        if let (Some(s), true) = (&rec.standdown, r.state.can_activate()) {
            out.push(Warning {
                kind: WarningKind::Standdown,
                subject: s.key.clone(),
                title: t(lang, "warn_standdown", &[&s.key]),
                remedy: t(lang, "warn_standdown_remedy", &[]),
            });
        }
        let cart = if r.state.can_activate() && r.state != State::Hijacked {
            // Before activation: whatever is in the cart now.
            rec.cart.before_activation().map(|n| (n, rec.cart.ids_now.clone().unwrap_or_default()))
        } else {
            match rec.cart.warning() {
                Some(crate::domain::cart::CartWarning::Items(ids)) => Some((ids.len() as u32, ids)),
                Some(crate::domain::cart::CartWarning::Count(n)) => Some((n, Vec::new())),
                None => None,
            }
        };
        if let Some((n, ids)) = cart {
            out.push(Warning {
                kind: WarningKind::Cart,
                subject: ids.join(","),
                title: format!("{}. {}", tn(lang, "cart_items", u64::from(n), &[]), t(lang, "warn_cart", &[])),
                remedy: t(lang, "warn_cart_remedy", &[]),
            });
        }
        out
    }

    fn account_view(&self, settings: &Settings) -> AccountView {
        match (&self.cfg.account, &settings.account) {
            (None, _) => AccountView::NotUsed,
            (Some(_), Some(id)) => AccountView::Linked(id.clone()),
            (Some(a), None) => AccountView::Missing { site: a.site.clone() },
        }
    }

    fn view_input(&self, rec: &SessionRecord, settings: &Settings, tab: Option<i32>) -> ViewInput {
        let lang = self.lang(settings);
        let info = tab.and_then(|id| rec.tab(id));
        let product_page = info.is_some_and(|i| i.kind == Some(PageKind::Product));
        let expected = if product_page { info.and_then(|i| i.product.as_ref()).and_then(|p| self.expected(p, lang)) } else { None };
        ViewInput {
            lang,
            state: rec.referral.state,
            outcome: rec.referral.outcome.clone(),
            active_since: rec.referral.activated_ms.map(|ms| self.p.time(ms, lang)),
            price_unrecognised: product_page && expected.is_none() && info.is_some_and(|i| i.price_unrecognised),
            cart_unread: info.is_some_and(|i| i.kind == Some(PageKind::Cart) && i.cart_unread),
            expected,
            warnings: self.warnings(rec, tab, lang),
            // Said next to Activate too (the click that would make them stale).
            cart_before: if rec.referral.state.can_activate() && rec.referral.state != State::Hijacked {
                rec.cart.before_activation().map(u64::from)
            } else {
                None
            },
            program: self.cfg.program_name.clone(),
            checkout_unprotected: info.is_some_and(|i| i.kind == Some(PageKind::Checkout)) && rec.referral.state != State::Active,
            order_notice: info.and_then(|i| i.order.as_ref()).map(|o| self.order_notice(o, lang)),
            account: self.account_view(settings),
        }
    }

    /// The banner line on the payment result page: what was logged, and the check to come.
    fn order_notice(&self, o: &Order, lang: Lang) -> String {
        let cur = o.currency.as_deref().unwrap_or("USD");
        let expected = o.expected_minor.map(|m| self.money(m, cur, lang)).unwrap_or_else(|| "?".into());
        let mins = self.cfg.order_check_s.div_ceil(60).to_string();
        let key = if o.snapshot.attributed() { "order_logged" } else { "order_logged_at_risk" };
        let mut s = t(lang, key, &[&expected]);
        if o.reminder == "pending" {
            s = format!("{s} {}", t(lang, "order_check_soon", &[&mins, &self.cfg.program_name]));
        }
        s
    }

    fn tab_message(&self, rec: &SessionRecord, settings: &Settings, tab: i32, kind: &str, vi: &ViewInput) -> Value {
        let lang = vi.lang;
        // Cart lines to flag, by their index in the content script's list: `[[i, id], …]`.
        let flags = match rec.tab(tab) {
            Some(t) if t.kind == Some(PageKind::Cart) => crate::domain::cart::flag_lines(&t.cart_lines, &rec.cart.flags()),
            _ => Vec::new(),
        };
        json!({
            "type": kind,
            // When this view was computed: a content script drops views older than the one it shows.
            "at": self.p.now_ms(),
            "lang": lang.code(),
            "enabled": settings.banner,
            "state": rec.referral.state.as_str(),
            "view": view::banner(&vi),
            "flags": flags,
            "flagLabel": t(lang, "warn_cart", &[]),
        })
    }

    /// What a tab shows (computed once for its message and its badge).
    fn tab_view(&self, rec: &SessionRecord, settings: &Settings, tab: i32) -> ViewInput {
        self.view_input(rec, settings, Some(tab))
    }

    async fn badge(&self, rec: &SessionRecord, settings: &Settings, tab: i32, vi: &ViewInput) {
        let (text, color) = match rec.referral.state {
            State::Active => ("✓".to_string(), "#1a7f37"),
            State::Blocked | State::Hijacked => ("!".to_string(), "#cf222e"),
            State::Failed => ("!".to_string(), "#bc4c00"),
            State::Activating => ("…".to_string(), "#57606a"),
            State::Inactive => (vi.expected.as_ref().map(|e| e.rate_text.clone()).unwrap_or_default(), "#0969da"),
        };
        let text = if settings.badge || rec.referral.state != State::Inactive { text } else { String::new() };
        self.p.badge(tab, &text, color, &view::status_text(vi)).await;
    }

    /// Tells every known tab and the extension pages about a change.
    async fn broadcast(&self, rec: &SessionRecord, settings: &Settings) {
        for tab in rec.tabs.iter().map(|t| t.tab_id).collect::<Vec<_>>() {
            let vi = self.tab_view(rec, settings, tab);
            self.p.send_to_tab(tab, self.tab_message(rec, settings, tab, "view", &vi)).await;
            self.badge(rec, settings, tab, &vi).await;
        }
        self.p.notify_pages(json!({ "type": "changed", "state": rec.referral.state.as_str() })).await;
    }

    fn ev(&self, rec: &mut SessionRecord, tab: Option<i32>, kind: EvidenceKind, subject: &str, detail: &str) {
        evidence::push(
            &mut rec.evidence,
            Evidence { at_ms: self.p.now_ms(), tab_id: tab, kind, subject: subject.into(), detail: detail.into() },
        );
    }

    /// Evidence for the state the machine just entered.
    fn ev_outcome(&self, rec: &mut SessionRecord, tab: Option<i32>) {
        let state = rec.referral.state;
        let (kind, subject, detail) = match rec.referral.outcome.clone() {
            None if state == State::Active => (EvidenceKind::Verified, self.cfg.affiliate_key.clone(), String::new()),
            None => return,
            Some(Outcome::BlockedByClient { url }) => {
                let host = url::parse(&url).map(|u| u.host).unwrap_or_default();
                (EvidenceKind::BlockedRequest, host, format!("net::ERR_BLOCKED_BY_CLIENT main_frame {url}"))
            }
            Some(Outcome::BlockPage { extension_id }) => (EvidenceKind::BlockPage, extension_id, String::new()),
            Some(Outcome::Stripped { location_had_referral, params }) => {
                // Where the referral was lost: the deep link itself, or on the way to the page.
                let host = if params.is_empty() { self.tab_host(rec, tab) } else { "s.click.aliexpress.com".into() };
                let detail = format!("removed {}; location had referral: {location_had_referral}", params.join(", "));
                (EvidenceKind::Stripped, host, detail)
            }
            Some(Outcome::AccountStripped { param }) => {
                (EvidenceKind::Stripped, self.tab_host(rec, tab), format!("removed the account parameter {param}"))
            }
            Some(Outcome::AccountSwapped { param, found }) => (EvidenceKind::Hijack, found, format!("account parameter {param} swapped")),
            Some(Outcome::Hijack { key, culprit }) => (EvidenceKind::Hijack, key, culprit.unwrap_or_default()),
            Some(o) => (EvidenceKind::Failed, String::new(), outcome_name(&o).to_string()),
        };
        self.ev(rec, tab, kind, &subject, &detail);
    }

    /// The host of the page in `tab` (for evidence), else AliExpress.
    fn tab_host(&self, rec: &SessionRecord, tab: Option<i32>) -> String {
        tab.and_then(|t| rec.tab(t)).and_then(|t| url::parse(&t.url).ok()).map(|u| u.host).unwrap_or_else(|| "aliexpress.com".into())
    }

    /// The attribution cookies now; an error (a read that failed or timed out) says which.
    fn cookie_attributions<'b>(&'b self, page_url: &'b str) -> Boxed<'b, Result<Vec<Attribution>, String>> {
        Box::pin(async move {
            let mut out = Vec::new();
            let (aeu, xman) = join(self.p.cookie(page_url, "aeu_cid"), self.p.cookie(page_url, "xman_us_f")).await;
            if let Some(v) = aeu.map_err(|e| format!("cookie read failed: {e}"))? {
                out.extend(referral::parse_aeu_cid(&v));
            }
            if let Some(v) = xman.map_err(|e| format!("cookie read failed: {e}"))? {
                out.extend(referral::parse_xman_us_f(&v));
            }
            Ok(out)
        })
    }

    /// Test builds only: a point where an outside test may hold this event (and stop the
    /// worker there).
    fn hold<'b>(&'b self, name: &'b str) -> Boxed<'b, ()> {
        Box::pin(async move {
            if self.cfg.test_hooks {
                self.p.checkpoint(name).await;
            }
        })
    }

    /// A top-level page loaded (or a content script said hello) in `tab`.
    fn landed<'b>(&'b self, rec: &'b mut SessionRecord, tab: i32, u: &'b Url) -> Boxed<'b, bool> {
        Box::pin(async move {
            let deciding = rec.referral.state == State::Activating;
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
            let now = self.p.now_ms();
            let key = self.cfg.affiliate_key.as_str();
            let mut changed = false;
            if rec.referral.on_landed(now, tab, &Landing { url: Some(u), cookies: &cookies }, key) {
                self.ev_outcome(rec, Some(tab));
                changed = true;
            }
            let from_url = referral::landing_attribution(u);
            match rec.referral.state {
                State::Inactive | State::Failed | State::Blocked => {
                    if let Some(a) = from_url.filter(|a| a.key != key) {
                        if rec.standdown.as_ref().map(|s| &s.key) != Some(&a.key) {
                            rec.standdown = Some(Standdown { key: a.key.clone(), seen_ms: now, via: "url".into() });
                            self.ev(rec, Some(tab), EvidenceKind::Standdown, &a.key, &u.host);
                            changed = true;
                        }
                    }
                }
                State::Active => {
                    let other = from_url
                        .filter(|a| a.key != key)
                        .or_else(|| cookies.iter().find(|a| a.source == referral::Source::AeuCidCookie && a.key != key).cloned());
                    if let Some(a) = other {
                        // The redirect that brought it may already be in the evidence.
                        let culprit = evidence::culprit_of(&rec.evidence, &a.key, now, 10_000.0);
                        if rec.referral.on_attribution(now, &a, key, culprit) {
                            self.ev_outcome(rec, Some(tab));
                            changed = true;
                        }
                    } else if rec.referral.on_account_seen(now, u, key) {
                        self.ev_outcome(rec, Some(tab));
                        changed = true;
                    }
                }
                _ => {}
            }
            changed
        })
    }

    /// The deep link for `target`, with the shopper's account id when accounts are used.
    fn deep_link(&self, target: &str, account: Option<&(String, String)>) -> Option<String> {
        let link = referral::build_deep_link(&self.cfg.deep_link, &self.cfg.affiliate_key, target).ok()?;
        Some(match account {
            Some((param, id)) => referral::with_account(&link, param, id),
            None => link,
        })
    }

    /// A trusted click on Activate. The order is what makes a worker stopped at any point
    /// end like an undisturbed run: the timeout alarm, then the saved `activating` record,
    /// then the one navigation (never when the save failed), then `navigated`.
    fn activate<'b>(&'b self, rec: &'b mut SessionRecord, settings: &'b Settings, tab: i32) -> Boxed<'b, Value> {
        Box::pin(async move {
            self.hold("activate").await;
            let in_flight = rec.referral.attempt.as_ref().filter(|a| a.tab_id == tab && !a.navigated);
            if rec.referral.state == State::Activating && in_flight.is_some() {
                // The click again, after a worker stopped between the save and the navigation.
                return self.resume(rec, tab).await;
            }
            let account = match (&self.cfg.account, &settings.account) {
                (None, _) => None,
                (Some(a), Some(id)) => Some((a.param.clone(), id.clone())),
                (Some(_), None) => {
                    // No silent loss: nothing is sent; the shopper is led to link an account.
                    self.p.open_options().await;
                    return json!({"type": "need-account"});
                }
            };
            let now = self.p.now_ms();
            let page = rec.tab(tab).map(|t| t.url.clone()).unwrap_or_default();
            let target = url::parse(&page)
                .ok()
                .filter(|u| product::storefront(&u.host).is_some())
                .map(|u| u.to_string_without_params(referral::LANDING_PARAMS))
                .unwrap_or_else(|| "https://www.aliexpress.com/".to_string());
            let Some(link) = self.deep_link(&target, account.as_ref()) else {
                return error("cannot build the referral link from the configured template");
            };
            match rec.referral.state {
                State::Active => return json!({"type": "refused", "reason": "already-active"}),
                State::Activating => return json!({"type": "refused", "reason": "in-flight"}),
                _ => {}
            }
            // What is there before the click is history, never this click's proof.
            let mut prior = Prior { account, ..Default::default() };
            match self.cookie_attributions(if page.is_empty() { &target } else { &page }).await {
                Ok(found) => {
                    prior.known = true;
                    prior.traces = found.into_iter().filter_map(|a| a.trace).collect();
                }
                Err(e) => rec.note(e),
            }
            prior.traces.extend(url::parse(&page).ok().and_then(|u| referral::landing_attribution(&u)).and_then(|a| a.trace));
            let timeout = f64::from(self.cfg.activation_timeout_s) * 1000.0;
            if rec.referral.begin_with(now, tab, &target, timeout, prior).is_err() {
                return json!({"type": "refused", "reason": "in-flight"});
            }
            rec.cart.snapshot_now(now as u64);
            rec.standdown = None;
            self.ev(rec, Some(tab), EvidenceKind::ActivationSent, &self.cfg.affiliate_key, &target);
            // The bound first: a worker stopped from here on still ends the wait.
            self.p.alarm(TIMEOUT_ALARM, now + timeout).await;
            // Saved before navigating: a worker killed mid-way still knows it is activating.
            if let Err(e) = self.save(rec).await {
                rec.referral.not_saved(self.p.now_ms(), e.clone());
                self.ev_outcome(rec, Some(tab));
                return error(view::reason_text(self.lang(settings), &Outcome::NotSaved { error: e }));
            }
            self.broadcast(rec, settings).await;
            self.hold("saved").await;
            self.go(rec, tab, &link).await
        })
    }

    /// The one navigation through the deep link.
    fn go<'b>(&'b self, rec: &'b mut SessionRecord, tab: i32, link: &'b str) -> Boxed<'b, Value> {
        Box::pin(async move {
            match self.p.navigate(tab, link).await {
                Err(e) => {
                    rec.referral.abort_no_tab(self.p.now_ms());
                    rec.note(format!("navigation failed: {e}"));
                    self.ev_outcome(rec, Some(tab));
                }
                Ok(()) => {
                    if let Some(a) = rec.referral.attempt.as_mut() {
                        a.navigated = true;
                    }
                    self.hold("navigated").await;
                }
            }
            json!({"type": "activating", "state": rec.referral.state.as_str()})
        })
    }

    /// An attempt saved as `activating` whose navigation was never recorded (the worker
    /// stopped in between): if the tab is already on its way (a pending navigation, the deep
    /// link, a redirect seen), it went out; else it is sent now, once. A tab that is gone
    /// fails at once.
    fn resume<'b>(&'b self, rec: &'b mut SessionRecord, tab: i32) -> Boxed<'b, Value> {
        Box::pin(async move {
            let Some(a) = rec.referral.attempt.clone() else { return error("no activation in flight") };
            let nav = match self.p.tab_nav(tab).await {
                Ok(nav) => nav,
                Err(e) => {
                    rec.referral.abort_no_tab(self.p.now_ms());
                    rec.note(format!("activation could not resume: {e}"));
                    self.ev_outcome(rec, Some(tab));
                    return json!({"type": "activating", "state": rec.referral.state.as_str()});
                }
            };
            let moved = |u: &str| {
                url::parse(u)
                    .is_ok_and(|u| referral::classify_host(&u.host) != referral::HostKind::Storefront || referral::has_referral_params(&u))
            };
            if a.redirected || nav.pending.is_some() || moved(&nav.url) {
                if let Some(a) = rec.referral.attempt.as_mut() {
                    a.navigated = true;
                }
                rec.note("activation: the navigation had gone out before the worker stopped".into());
                return json!({"type": "activating", "state": rec.referral.state.as_str()});
            }
            let Some(link) = self.deep_link(&a.target, rec.referral.account.as_ref()) else {
                return error("cannot build the referral link from the configured template");
            };
            rec.note("activation resumed: the worker stopped before the navigation".into());
            self.go(rec, tab, &link).await
        })
    }

    /// Writes the session record. A failure is kept in `storage.local` (a separate quota)
    /// for the popup's Diagnostics, not only in the record that could not be written.
    fn save<'b>(&'b self, rec: &'b mut SessionRecord) -> Boxed<'b, Result<(), String>> {
        Box::pin(async move {
            let v = serde_json::to_value(&*rec).unwrap_or(Value::Null);
            let Err(e) = self.p.set(Area::Session, record::SESSION_KEY, v).await else { return Ok(()) };
            let line = format!("storage write of the session failed: {e}");
            rec.note(line.clone());
            let mut faults = match self.p.get(Area::Local, FAULTS_KEY).await {
                Ok(Some(Value::Array(a))) => a,
                _ => Vec::new(),
            };
            faults.push(Value::String(format!("{} {line}", orders::iso_utc(self.p.now_ms()))));
            let over = faults.len().saturating_sub(MAX_FAULTS);
            faults.drain(..over);
            let _ = self.p.set(Area::Local, FAULTS_KEY, Value::Array(faults)).await;
            Err(e)
        })
    }

    fn facts(&self, rec: &mut SessionRecord, tab: i32, u: &Url, facts: &crate::domain::messages::PageFacts) {
        let now = self.p.now_ms();
        if let Some(n) = facts.cart_count.as_deref().and_then(crate::domain::cart::parse_count) {
            rec.cart.observe_count(n);
        }
        let kind = product::page_kind(u);
        let mut note_lines = Vec::new();
        if let Some(layout) = facts.layout.as_deref() {
            note_lines.push(format!("layout profile {}", layout.chars().take(40).collect::<String>()));
        }
        let cart = (kind == PageKind::Cart).then(|| extract::cart_read(u, facts));
        match &cart {
            Some(extract::CartRead::Lines(lines)) => rec.cart.observe_items(&extract::distinct_ids(lines)),
            Some(extract::CartRead::Unread(note)) => note_lines.push(note.clone()),
            _ => {} // not a cart page, or the page is still rendering its cart
        }
        // Page text, capped: it is stored with the session.
        let dom_now = facts.price.first().map(|p| p.chars().take(200).collect::<String>());
        let dom_first = rec.tab(tab).and_then(|t| t.dom_price_first.clone()).or_else(|| dom_now.clone());
        let product_info = if kind == PageKind::Product {
            let mut x = extract::product(u, facts, &self.layouts.embedded_paths);
            note_lines.extend(x.notes.iter().take(10).cloned());
            // The shopper changed SKU or quantity: the visible price moved away from the one
            // the structured data describes.
            if let (Some(now_text), Some(first), Some(structured)) = (&dom_now, &dom_first, &x.price) {
                if x.source != "dom" && now_text != first {
                    if let Ok(p) = price::parse_price(now_text, Some(structured.currency)) {
                        if p.currency == structured.currency {
                            x.price = Some(p);
                            x.source = "dom (changed on the page)".into();
                        }
                    }
                }
            }
            let rate = self.cfg.rate_for(&x.categories);
            x.price.as_ref().map(|p| ProductInfo {
                id: x.id.clone(),
                price: StoredPrice::from_range(p),
                category: x.categories.first().cloned(),
                quantity: x.quantity,
                source: x.source.clone(),
                rate_bp: rate,
            })
        } else {
            None
        };
        if let Some(p) = &product_info {
            if let Some(id) = &p.id {
                rec.saw_rate(id, p.rate_bp);
            }
        }
        let checkout = (kind == PageKind::Checkout).then(|| {
            let total = facts.order_total.iter().find_map(|t| price::parse_price(t, None).ok());
            if total.is_none() {
                note_lines.extend(
                    facts.order_total.iter().take(2).map(|t| format!("order total text: {}", t.chars().take(80).collect::<String>())),
                );
            }
            let code = facts.promo_code.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(|c| c.chars().take(40).collect());
            CheckoutInfo {
                total: total.as_ref().map(StoredPrice::from_range),
                promo_code: code,
                app_payment: facts.app_payment,
                rate_bp: self.checkout_rate(rec, u),
                at_ms: now,
            }
        });
        if let Some(c) = &checkout {
            if c.total.is_some() || rec.last_checkout.is_none() {
                rec.last_checkout = Some(c.clone());
            }
        }
        self.rival_links(rec, tab, u, facts);
        if facts.bait_hidden == Some(true) && !rec.evidence.iter().any(|e| e.kind == EvidenceKind::Bait) {
            self.ev(rec, Some(tab), EvidenceKind::Bait, "cosmetic filter", &format!("bait element hidden on {}", u.host));
        }
        let info = rec.tab_mut(tab, now);
        info.checkout = checkout;
        info.dom_price_first = dom_first;
        info.kind = Some(kind);
        info.price_unrecognised = kind == PageKind::Product && product_info.is_none();
        if info.price_unrecognised {
            note_lines.extend(record::raw_notes(facts));
        }
        info.product = product_info;
        info.notes = note_lines.iter().map(|n| record::cap_note(n)).collect();
        info.cart_unread = matches!(cart, Some(extract::CartRead::Unread(_)));
        if let Some(extract::CartRead::Lines(lines)) = cart {
            info.cart_lines = lines;
        }
    }

    /// The rate of a checkout: its product's (seen this session), else one rate shared by
    /// all the cart's products seen, else the default rate.
    fn checkout_rate(&self, rec: &SessionRecord, u: &Url) -> u32 {
        let default = self.cfg.rate_for(&[]);
        if let Some(id) = u.param("objectId") {
            return rec.rate_seen(id).unwrap_or(default);
        }
        let ids = rec.cart.ids_now.clone().unwrap_or_default();
        let rates: Vec<u32> = ids.iter().filter_map(|id| rec.rate_seen(id)).collect();
        match rates.first() {
            Some(&r) if rates.len() == ids.len() && rates.iter().all(|&x| x == r) => r,
            _ => default,
        }
    }

    /// Reads the order log; an unreadable one is kept aside under `quarantine.orders`
    /// (never overwritten) and an empty log is used.
    fn load_orders<'b>(&'b self, notes: &'b mut Vec<String>) -> Boxed<'b, OrderLog> {
        Box::pin(async move {
            let raw = match self.p.get(Area::Local, orders::ORDERS_KEY).await {
                Ok(raw) => raw,
                Err(e) => {
                    notes.push(format!("storage read of the order log failed: {e}"));
                    return OrderLog::default();
                }
            };
            match orders::decode(raw) {
                LoadedLog::Ok { log, notes: n } => {
                    notes.extend(n);
                    log
                }
                LoadedLog::Unreadable { raw, why } => {
                    let kept = quarantine(self.p, orders::ORDERS_KEY, raw).await;
                    notes.push(format!("stored order log was unreadable ({why}); kept as {kept}, started a new one"));
                    OrderLog::default()
                }
            }
        })
    }

    /// Writes the order log; a failure (quota) is reported, not swallowed.
    fn save_orders<'b>(&'b self, log: &'b OrderLog) -> Boxed<'b, Result<(), String>> {
        Box::pin(async move {
            let v = serde_json::to_value(log).map_err(|e| e.to_string())?;
            self.p.set(Area::Local, orders::ORDERS_KEY, v).await.map_err(|e| format!("could not save the order log: {e}"))
        })
    }

    /// The referral at this moment, for an order's proof of attribution.
    fn snapshot<'b>(&'b self, rec: &'b SessionRecord, tab: i32, page: &'b str) -> Boxed<'b, Snapshot> {
        Box::pin(async move {
            let ours = self.cfg.affiliate_key.as_str();
            let (cookie, cookie_key) = match self.cookie_attributions(page).await {
                Err(_) => ("unknown", None),
                Ok(cookies) => match (cookies.iter().find(|a| a.key != ours), cookies.first()) {
                    (Some(a), _) => ("other", Some(a.key.clone())),
                    (None, Some(a)) => ("ours", Some(a.key.clone())),
                    (None, None) => ("none", None),
                },
            };
            let lang = Lang::En;
            Snapshot {
                state: rec.referral.state.as_str().into(),
                activated_ms: rec.referral.activated_ms,
                cookie: cookie.into(),
                cookie_key,
                warnings: self.warnings(rec, Some(tab), lang).iter().map(|w| format!("{}:{}", w.kind.as_str(), w.subject)).collect(),
                detail: rec.referral.outcome.as_ref().map(|o| match o {
                    Outcome::Hijack { culprit: Some(c), .. } => format!("{} ({c})", view::reason_text(lang, o)),
                    o => view::reason_text(lang, o),
                }),
            }
        })
    }

    /// A payment result page said the payment succeeded: log the order (once per page).
    async fn log_order(&self, rec: &mut SessionRecord, settings: &Settings, tab: i32, u: &Url, facts: &crate::domain::messages::PageFacts) {
        let page: String = u.serialize().chars().take(500).collect();
        if rec.tab(tab).and_then(|t| t.order.as_ref()).is_some_and(|o| o.page == page) {
            return; // logged from this page already
        }
        let mut notes = Vec::new();
        let mut log = self.load_orders(&mut notes).await;
        let now = self.p.now_ms();
        if !log.has_page(&page) {
            let shown = facts.order_total.iter().find_map(|t| price::parse_price(t, None).ok()).map(|p| StoredPrice::from_range(&p));
            let checkout = rec.last_checkout.as_ref().filter(|c| now - c.at_ms < 6.0 * 3_600_000.0);
            let total = shown.or_else(|| checkout.and_then(|c| c.total.clone()));
            let rate = checkout.map(|c| c.rate_bp).unwrap_or_else(|| self.cfg.rate_for(&[]));
            let amount = total.as_ref().map(|p| p.min_minor);
            let order = Order {
                id: format!("o{}", now as u64),
                at_ms: now,
                order_ids: orders::order_ids(&facts.order_links),
                payment_id: u.param("pmntId").filter(|p| p.len() <= 64).map(str::to_string),
                page: page.clone(),
                amount_minor: amount,
                currency: total.map(|p| p.currency),
                rate_bp: rate,
                expected_minor: amount.and_then(|a| money::refund_adjusted(a, 0, rate).ok()),
                refunded_minor: 0,
                snapshot: self.snapshot(rec, tab, &u.serialize()).await,
                reminder: if settings.order_check { "pending" } else { "off" }.into(),
                account: rec.referral.account.as_ref().filter(|_| rec.referral.state == State::Active).map(|(_, id)| id.clone()),
            };
            let id = log.push(order, settings.orders_max);
            match self.save_orders(&log).await {
                Ok(()) => {
                    if settings.order_check {
                        self.p.alarm(&format!("{ORDER_ALARM_PREFIX}{id}"), now + f64::from(self.cfg.order_check_s) * 1000.0).await;
                    }
                    self.ev(rec, Some(tab), EvidenceKind::Page, &id, "order logged");
                }
                Err(e) => notes.push(e),
            }
        }
        for n in notes {
            rec.note(n);
        }
        let logged = log.orders.iter().rev().find(|o| o.page == page).cloned();
        rec.tab_mut(tab, now).order = logged;
    }

    /// The 10-minute check: remind the shopper to look for the order in the statistics.
    async fn order_check(&self, rec: &mut SessionRecord, settings: &Settings, id: &str) {
        let mut notes = Vec::new();
        let mut log = self.load_orders(&mut notes).await;
        let lang = self.lang(settings);
        let Some(o) = log.get_mut(id) else {
            notes.push(format!("order check: order {id} is no longer in the log"));
            for n in notes {
                rec.note(n);
            }
            return;
        };
        if o.reminder != "pending" {
            return;
        }
        let cur = o.currency.clone().unwrap_or_else(|| "USD".into());
        let amount = o.amount_minor.map(|m| self.money(m, &cur, lang)).unwrap_or_default();
        o.reminder = if !settings.order_check {
            "off".into()
        } else {
            let title = t(lang, "order_check_title", &[]);
            let body = t(lang, "order_check_body", &[&amount, &self.cfg.program_name]);
            match self.p.notify(&format!("{ORDER_ALARM_PREFIX}{id}"), &title, &body).await {
                Ok(()) => "shown".into(),
                Err(e) => {
                    notes.push(format!("order check for {id}: no notification ({e}); the popup lists it"));
                    "no-permission".into()
                }
            }
        };
        if let Err(e) = self.save_orders(&log).await {
            notes.push(e);
        }
        for n in notes {
            rec.note(n);
        }
    }

    /// The popup's rows: the most recent orders first.
    fn order_rows(&self, log: &OrderLog, lang: Lang) -> Vec<OrderRow> {
        log.orders
            .iter()
            .rev()
            .take(POPUP_ORDERS)
            .map(|o| {
                let cur = o.currency.as_deref().unwrap_or("USD");
                let m = |v: Option<u64>| v.map(|x| self.money(x, cur, lang)).unwrap_or_else(|| "?".into());
                let status = o.status();
                let proof = match (o.snapshot.attributed(), o.snapshot.cookie.as_str()) {
                    (true, _) => {
                        t(lang, "order_proof_ours", &[&o.snapshot.activated_ms.map(|ms| self.p.time(ms, lang)).unwrap_or_default()])
                    }
                    (false, "other") => t(lang, "order_proof_rival", &[o.snapshot.cookie_key.as_deref().unwrap_or("?")]),
                    (false, "unknown") => t(lang, "order_proof_unknown", &[]),
                    _ => t(
                        lang,
                        &format!("order_proof_{}", if o.snapshot.state == "active" { "nocookie" } else { "inactive" }),
                        &[&o.snapshot.state],
                    ),
                };
                OrderRow {
                    id: o.id.clone(),
                    when: format!("{} {}", orders::iso_utc(o.at_ms).get(..10).unwrap_or(""), self.p.time(o.at_ms, lang)),
                    ids: if o.order_ids.is_empty() { String::new() } else { format!("#{}", o.order_ids.join(", #")) },
                    amount: m(o.amount_minor),
                    expected: m(o.expected_minor),
                    refunded: (o.refunded_minor > 0).then(|| m(Some(o.refunded_minor))),
                    status: status.as_str(),
                    status_text: t(lang, &format!("order_status_{}", status.as_str()), &[]),
                    attributed: o.snapshot.attributed(),
                    proof,
                    warnings: o.snapshot.warnings.join(", "),
                }
            })
            .collect()
    }

    /// Reads the installed extensions when the shopper allowed it (every event: it is a
    /// local call, and the answer is never stale).
    async fn look_at_extensions(&self, rec: &mut SessionRecord) {
        rec.extensions = match self.p.extensions().await {
            Some(installed) => {
                Some(crate::domain::extensions::assess(&installed, crate::domain::extensions::current(), &self.p.extension_id()))
            }
            None => None,
        };
    }

    /// Links and hidden iframes on the page that lead through another affiliate.
    fn rival_links(&self, rec: &mut SessionRecord, tab: i32, base: &Url, facts: &crate::domain::messages::PageFacts) {
        let links = facts.affiliate_links.iter().take(50).map(|h| (h, "link"));
        let frames = facts.affiliate_frames.iter().take(20).map(|h| (h, "hidden iframe"));
        for (href, what) in links.chain(frames) {
            let Ok(target) = url::parse_with_base(href, base) else {
                continue;
            };
            if matches!(referral::classify_host(&target.host), referral::HostKind::Storefront | referral::HostKind::Other) {
                continue;
            }
            let key = referral::redirect_key(&target);
            if key.as_deref() == Some(self.cfg.affiliate_key.as_str()) {
                continue;
            }
            let subject = key.unwrap_or_else(|| target.host.clone());
            self.ev(rec, Some(tab), EvidenceKind::RivalLink, &subject, &format!("{what} {}", target.serialize()));
        }
    }

    /// The settings for the options page, with what it shows of the account.
    fn settings_reply(&self, settings: &Settings) -> Value {
        let lang = self.lang(settings);
        let account = self.cfg.account.as_ref().map(|a| {
            let id = settings.account.clone().unwrap_or_default();
            let status = if id.is_empty() { t(lang, "account_none", &[]) } else { t(lang, "account_linked", &[&id]) };
            json!({"site": a.site, "id": id, "status": status, "help": t(lang, "account_help", &[&a.site])})
        });
        json!({"type": "settings", "settings": settings, "lang": lang.code(), "account": account})
    }

    /// Links the shopper's account id (typed in the options, or sent by the operator's
    /// site): checked against the operator's pattern, kept in `storage.local`.
    fn link_account<'b>(&'b self, settings: &'b mut Settings, id: &'b str, lang: Lang) -> Boxed<'b, Result<String, String>> {
        Box::pin(async move {
            let Some(acc) = &self.cfg.account else { return Err(t(lang, "account_not_used", &[])) };
            let id = id.trim();
            if !crate::domain::config::Account::plausible(id) || !self.p.pattern_matches(&acc.pattern, id) {
                let shown: String = id.chars().take(64).collect();
                return Err(t(lang, "account_invalid", &[&shown]));
            }
            let s = Settings { account: Some(id.to_string()), ..settings.clone() };
            self.p
                .set(Area::Local, record::SETTINGS_KEY, serde_json::to_value(&s).unwrap_or(Value::Null))
                .await
                .map_err(|e| format!("could not save the account: {e}"))?;
            *settings = s;
            Ok(id.to_string())
        })
    }

    async fn request(&self, rec: &mut SessionRecord, settings: &mut Settings, req: Request, origin: Origin) -> (Value, bool) {
        match (req, origin) {
            (Request::Hello { url: page }, Origin::Content(tab)) => {
                let Ok(u) = url::parse(&page) else {
                    return (error("malformed page URL"), false);
                };
                let Some(front) = product::storefront(&u.host) else {
                    return (json!({"type": "page", "enabled": false}), false);
                };
                let now = self.p.now_ms();
                let info = rec.tab_mut(tab, now);
                if info.url != page {
                    let same_product = url::parse(&info.url).ok().and_then(|o| product::product_id(&o)) == product::product_id(&u);
                    if !same_product {
                        info.dom_price_first = None;
                    }
                    info.url = page.clone();
                    info.product = None;
                    info.price_unrecognised = false;
                    info.notes.clear();
                }
                info.kind = Some(product::page_kind(&u));
                let changed = self.landed(rec, tab, &u).await;
                let vi = self.tab_view(rec, settings, tab);
                let mut msg = self.tab_message(rec, settings, tab, "page", &vi);
                msg["profile"] = self.layouts.for_storefront(front).map(|p| p.raw.clone()).unwrap_or(Value::Null);
                msg["css"] = Value::String(banner_css().to_string());
                // What to read on this page: the checkout and payment-result reads (visibility
                // checks force a layout) run only where they matter.
                msg["kind"] = serde_json::to_value(product::page_kind(&u)).unwrap_or(Value::Null);
                (msg, changed)
            }
            (Request::Facts { url: page, facts }, Origin::Content(tab)) => {
                let Ok(u) = url::parse(&page) else {
                    return (error("malformed page URL"), false);
                };
                if product::storefront(&u.host).is_none() {
                    return (error("not an AliExpress page"), false);
                }
                // What other tabs and the popup show: the cart, the evidence, a logged order. This
                // tab's own product and price go back in the reply, with no broadcast.
                // (The newest evidence item, not the count: at MAX_EVIDENCE the count stays.)
                let snapshot = |r: &SessionRecord| (r.cart.clone(), r.evidence.last().cloned(), r.tab(tab).is_some_and(|t| t.order.is_some()));
                let before = snapshot(rec);
                self.facts(rec, tab, &u, &facts);
                if facts.pay_success && product::page_kind(&u) == PageKind::PaymentResult {
                    let f: Boxed<'_, ()> = Box::pin(self.log_order(rec, settings, tab, &u, &facts));
                    f.await;
                }
                let changed = before != snapshot(rec);
                let vi = self.tab_view(rec, settings, tab);
                self.badge(rec, settings, tab, &vi).await;
                (self.tab_message(rec, settings, tab, "view", &vi), changed)
            }
            (Request::CartIntent { url: page }, Origin::Content(tab)) => {
                let id = url::parse(&page).ok().and_then(|u| product::product_id(&u));
                if let Some(id) = id {
                    rec.cart.added(&id);
                    self.ev(rec, Some(tab), EvidenceKind::Page, &id, "added to cart");
                }
                (json!({"type": "ok"}), false)
            }
            (Request::Activate { url: page, facts, .. }, Origin::Content(tab)) => {
                // Take in what the page shows right now (a cart the shopper filled before
                // clicking) before the activation snapshots it.
                if let (Some(page), Some(facts)) = (page, facts) {
                    if let Ok(u) = url::parse(&page) {
                        if product::storefront(&u.host).is_some() {
                            self.facts(rec, tab, &u, &facts);
                        }
                    }
                }
                (self.activate(rec, settings, tab).await, true)
            }
            (Request::Activate { tab_id: Some(tab), .. }, Origin::Page) => {
                if rec.tab(tab).is_none() {
                    return (error("open an AliExpress page in this tab first"), false);
                }
                (self.activate(rec, settings, tab).await, true)
            }
            (Request::Popup { tab_id }, Origin::Page) => {
                let lang = self.lang(settings);
                let known = tab_id.and_then(|id| rec.tab(id)).is_some();
                let vi = self.view_input(rec, settings, if known { tab_id } else { None });
                let mut diagnostics: Vec<String> = rec.notes.clone();
                for f in rec.extensions.iter().flatten() {
                    diagnostics.push(format!("extension {} ({}): {}", f.name, f.id, f.category.as_str()));
                }
                diagnostics.extend(evidence::lines(&rec.evidence, &|ms| self.p.time(ms, lang)));
                if let Some(t) = tab_id.and_then(|id| rec.tab(id)) {
                    diagnostics.extend(t.notes.iter().map(|n| format!("tab {}: {n}", t.tab_id)));
                }
                let mut notes = Vec::new();
                let log = self.load_orders(&mut notes).await;
                diagnostics.extend(notes);
                if let Ok(Some(Value::Array(faults))) = self.p.get(Area::Local, FAULTS_KEY).await {
                    diagnostics.extend(faults.iter().filter_map(|f| f.as_str().map(str::to_string)));
                }
                let extra = PopupExtra {
                    disclosure_url: self.cfg.disclosure_url.clone(),
                    diagnostics,
                    version: self.p.version(),
                    not_aliexpress: !known,
                    orders: self.order_rows(&log, lang),
                    orders_total: log.orders.len(),
                };
                (
                    json!({"type": "popup", "lang": lang.code(), "state": rec.referral.state.as_str(), "view": view::popup(&vi, &extra), "tabId": tab_id}),
                    false,
                )
            }
            (Request::GetSettings, Origin::Page) => (self.settings_reply(settings), false),
            (Request::SetSettings { settings: raw }, Origin::Page) => {
                let mut raw = raw;
                if raw.is_object() {
                    raw["v"] = json!(record::SETTINGS_VERSION);
                }
                match crate::domain::json::from_value::<Settings>(raw).map(|s| Settings { account: settings.account.clone(), ..s }) {
                    Ok(s) if !(1..=orders::MAX_LIMIT).contains(&s.orders_max) => {
                        (error(format!("invalid settings: orders_max must be 1 to {}", orders::MAX_LIMIT)), false)
                    }
                    Ok(s) => {
                        if s.orders_max < settings.orders_max {
                            let mut notes = Vec::new();
                            let mut log = self.load_orders(&mut notes).await;
                            if log.prune(s.orders_max) > 0 {
                                if let Err(e) = self.save_orders(&log).await {
                                    return (error(e), false);
                                }
                            }
                        }
                        if let Err(e) = self.p.set(Area::Local, record::SETTINGS_KEY, serde_json::to_value(&s).unwrap_or(Value::Null)).await
                        {
                            return (error(format!("could not save settings: {e}")), false);
                        }
                        *settings = s;
                        (self.settings_reply(settings), true)
                    }
                    Err(e) => (error(format!("invalid settings: {e}")), false),
                }
            }
            (Request::LinkAccount { account }, Origin::Page) => {
                let lang = self.lang(settings);
                match self.link_account(settings, &account, lang).await {
                    Ok(id) => (json!({"type": "account", "account": id, "text": t(lang, "account_saved", &[&id])}), true),
                    Err(e) => (error(e), false),
                }
            }
            (Request::UnlinkAccount, Origin::Page) => {
                let mut s = settings.clone();
                s.account = None;
                if let Err(e) = self.p.set(Area::Local, record::SETTINGS_KEY, serde_json::to_value(&s).unwrap_or(Value::Null)).await {
                    return (error(format!("could not save settings: {e}")), false);
                }
                *settings = s;
                (json!({"type": "account", "account": "", "text": t(self.lang(settings), "account_removed", &[])}), true)
            }
            (Request::CheckExtensions, Origin::Page) => {
                // Read at the start of this event already; tell every view about it.
                let found = rec.extensions.as_ref().map(|f| f.len());
                (json!({"type": "extensions", "granted": found.is_some(), "found": found.unwrap_or(0)}), true)
            }
            (Request::ExportOrders { format }, Origin::Page) => {
                let mut notes = Vec::new();
                let log = self.load_orders(&mut notes).await;
                let day = orders::iso_utc(self.p.now_ms());
                let filename = format!("cashback-guard-orders-{}.{format}", day.get(..10).unwrap_or("export"));
                let mut reply = json!({"type": "export", "filename": filename, "count": log.orders.len()});
                match format.as_str() {
                    "csv" => {
                        reply["text"] = Value::String(orders::to_csv(&log));
                        reply["mime"] = json!("text/csv");
                    }
                    "json" => {
                        reply["data"] = orders::to_json(&log);
                        reply["mime"] = json!("application/json");
                    }
                    _ => return (error("export format must be json or csv"), false),
                }
                (reply, false)
            }
            (Request::SetRefund { order, amount }, Origin::Page) => {
                let mut notes = Vec::new();
                let mut log = self.load_orders(&mut notes).await;
                let lang = self.lang(settings);
                let result = match log.get_mut(&order) {
                    None => Err(orders::RefundError::NoOrder),
                    Some(o) => {
                        let cur = o.currency.clone().unwrap_or_default();
                        let amount = amount.trim();
                        let refund = if amount.is_empty() { Ok(0) } else { orders::parse_refund(amount, &cur) };
                        refund.and_then(|r| o.set_refund(r))
                    }
                };
                match result {
                    Err(e) => (json!({"type": "error", "error": t(lang, "refund_error", &[&e.to_string()]), "order": order}), false),
                    Ok(status) => match self.save_orders(&log).await {
                        Err(e) => (error(e), false),
                        Ok(()) => (json!({"type": "ok", "status": status.as_str()}), true),
                    },
                }
            }
            (Request::ClearSession, Origin::Page) => {
                let tabs = std::mem::take(&mut rec.tabs);
                *rec = SessionRecord { tabs, ..Default::default() };
                (json!({"type": "ok"}), true)
            }
            // Only debug builds and test configs (`test_hooks`), only from our own contexts.
            (Request::DebugPanic, _) if cfg!(debug_assertions) || self.cfg.test_hooks => panic!("debug-panic requested"),
            (r, o) => {
                let from = if o == Origin::Page { "an extension page" } else { "a content script" };
                (error(format!("{} is not allowed from {from}", request_name(&r))), false)
            }
        }
    }

    /// Handles one event. Never panics on bad input: every failure is an `error` value.
    pub async fn handle(&self, ev: BrowserEvent) -> Value {
        let mut notes = Vec::new();
        let mut more = Vec::new();
        let (mut rec, mut settings): (SessionRecord, Settings) = join(
            load(self.p, Area::Session, record::SESSION_KEY, record::SESSION_VERSION, &mut notes),
            load(self.p, Area::Local, record::SETTINGS_KEY, record::SETTINGS_VERSION, &mut more),
        )
        .await;
        notes.extend(more);
        self.look_at_extensions(&mut rec).await;
        let original = rec.clone();
        let original_settings = settings.clone();
        for n in notes {
            rec.note(n);
        }
        let now = self.p.now_ms();
        let was_active = rec.referral.activated_ms.is_some();
        let mut changed = false;
        if rec.referral.tick(now, self.cfg.session_ms()) {
            if was_active && rec.referral.activated_ms.is_none() {
                rec.cart.reset();
            }
            self.ev_outcome(&mut rec, None);
            changed = true;
        }
        let key = self.cfg.affiliate_key.clone();
        let reply = match ev {
            BrowserEvent::Message { msg, sender } => match classify_sender(&sender, &self.p.extension_id()) {
                Err(e) => error(e),
                Ok(origin) => match Request::decode(msg) {
                    Err(e) => error(format!("unknown message: {e}")),
                    Ok(req) => {
                        let (v, c) = self.request(&mut rec, &mut settings, req, origin).await;
                        changed |= c;
                        v
                    }
                },
            },
            BrowserEvent::External { msg, sender } => {
                let lang = self.lang(&settings);
                let answer = match classify_external(&sender, self.cfg).and_then(|_| Request::decode(msg)) {
                    Ok(Request::LinkAccount { account }) => self.link_account(&mut settings, &account, lang).await,
                    Ok(_) => Err("the operator's site may only link an account".into()),
                    Err(e) => Err(e),
                };
                match answer {
                    Ok(_) => json!({"ok": true}),
                    Err(e) => {
                        rec.note(format!("account link refused (from {}): {e}", sender.origin.as_deref().unwrap_or("?")));
                        json!({"ok": false, "error": e})
                    }
                }
            }
            BrowserEvent::Redirect { tab_id, url: from, redirect_url, rtype } => {
                let host_kind = url::parse(&from).map(|u| referral::classify_host(&u.host)).unwrap_or(referral::HostKind::Other);
                if host_kind != referral::HostKind::Other || redirect_url.starts_with("chrome-extension://") {
                    self.ev(&mut rec, Some(tab_id), EvidenceKind::Redirect, &from, &format!("{rtype} → {redirect_url}"));
                }
                // Late evidence: the cookie changed before this redirect was reported.
                let since = rec.referral.since_ms;
                if let Some(Outcome::Hijack { key: k, culprit: c @ None }) = rec.referral.outcome.as_mut() {
                    if now - since <= 10_000.0 {
                        *c = evidence::culprit_of(&rec.evidence, k, now, 10_000.0);
                        changed |= c.is_some();
                    }
                }
                if rtype == "main_frame" && rec.referral.on_redirect(now, tab_id, &from, &redirect_url) {
                    self.ev_outcome(&mut rec, Some(tab_id));
                    changed = true;
                }
                Value::Null
            }
            BrowserEvent::NetError { tab_id, url: u, error: e, rtype, .. } => {
                if rtype != "main_frame" {
                    // A tracking request (pixel, script, iframe) of the referral blocked on a page.
                    // Only the requests of the trackers table (the listener's filter is wider:
                    // all of acs.aliexpress.*); page analytics only show that a filter runs.
                    if let (true, Some(t)) = (e.contains("ERR_BLOCKED_BY_CLIENT"), crate::domain::trackers::classify(&u, &rtype)) {
                        let host = url::parse(&u).map(|x| x.host).unwrap_or_default();
                        // The newest item, not the count: a full list (MAX_EVIDENCE) keeps its count.
                        let before = rec.evidence.last().cloned();
                        let (kind, detail) = if t.attribution {
                            (EvidenceKind::BlockedRequest, format!("{e} {rtype} {u} — {}", t.what))
                        } else {
                            (EvidenceKind::Page, format!("{e} {rtype} {u} — {}: a tracking filter runs here", t.what))
                        };
                        self.ev(&mut rec, Some(tab_id), kind, &host, &detail);
                        changed |= t.attribution && rec.evidence.last() != before.as_ref();
                    }
                } else if rec.referral.on_net_error(now, tab_id, &u, &e) {
                    self.ev_outcome(&mut rec, Some(tab_id));
                    changed = true;
                }
                Value::Null
            }
            BrowserEvent::Completed { tab_id, url: u, .. } => {
                if let Ok(parsed) = url::parse(&u) {
                    changed |= self.landed(&mut rec, tab_id, &parsed).await;
                }
                Value::Null
            }
            BrowserEvent::Cookie { removed, cookie, .. } => {
                if !removed {
                    let attr = match cookie.name.as_str() {
                        "aeu_cid" => referral::parse_aeu_cid(&cookie.value),
                        "xman_us_f" => referral::parse_xman_us_f(&cookie.value),
                        _ => None,
                    };
                    if let Some(a) = attr {
                        self.ev(&mut rec, None, EvidenceKind::Attribution, &a.key, &cookie.name);
                        // Written during an attempt: this click's proof, for the landing.
                        changed |= rec.referral.on_cookie_written(&a, &key);
                        let culprit = evidence::culprit_of(&rec.evidence, &a.key, now, 10_000.0);
                        if rec.referral.on_attribution(now, &a, &key, culprit) {
                            self.ev_outcome(&mut rec, None);
                            changed = true;
                        }
                    }
                }
                Value::Null
            }
            BrowserEvent::Alarm { name } => {
                if let Some(id) = name.strip_prefix(ORDER_ALARM_PREFIX) {
                    let f: Boxed<'_, ()> = Box::pin(self.order_check(&mut rec, &settings, id));
                    f.await;
                    changed = true;
                }
                Value::Null
            }
            BrowserEvent::Fault { message } => {
                rec.note(format!("internal error, recovered (the worker restarted its core): {message}"));
                Value::Null
            }
            BrowserEvent::TabRemoved { tab_id } => {
                let in_flight =
                    rec.referral.attempt.as_ref().is_some_and(|a| a.tab_id == tab_id) && rec.referral.state == State::Activating;
                if in_flight {
                    rec.referral.abort_no_tab(now);
                    self.ev_outcome(&mut rec, Some(tab_id));
                    changed = true;
                }
                rec.remove_tab(tab_id);
                Value::Null
            }
        };
        if rec != original {
            let _ = self.save(&mut rec).await;
        }
        if changed || settings != original_settings {
            self.broadcast(&rec, &settings).await;
        }
        reply
    }
}

fn outcome_name(o: &Outcome) -> &'static str {
    match o {
        Outcome::BlockedByClient { .. } => "blocked-by-client",
        Outcome::BlockPage { .. } => "block-page",
        Outcome::Stripped { .. } => "stripped",
        Outcome::Network { .. } => "network",
        Outcome::Timeout => "timeout",
        Outcome::LandedElsewhere { .. } => "landed-elsewhere",
        Outcome::OtherKey { .. } => "other-key",
        Outcome::NoTab => "no-tab",
        Outcome::Hijack { .. } => "hijack",
        Outcome::AccountStripped { .. } => "account-stripped",
        Outcome::AccountSwapped { .. } => "account-swapped",
        Outcome::NotSaved { .. } => "not-saved",
    }
}

fn request_name(r: &Request) -> &'static str {
    match r {
        Request::Hello { .. } => "hello",
        Request::Facts { .. } => "facts",
        Request::CartIntent { .. } => "cart-intent",
        Request::Activate { .. } => "activate",
        Request::Popup { .. } => "popup",
        Request::GetSettings => "get-settings",
        Request::SetSettings { .. } => "set-settings",
        Request::ClearSession => "clear-session",
        Request::CheckExtensions => "check-extensions",
        Request::ExportOrders { .. } => "export-orders",
        Request::SetRefund { .. } => "set-refund",
        Request::LinkAccount { .. } => "link-account",
        Request::UnlinkAccount => "unlink-account",
        Request::DebugPanic => "debug-panic",
    }
}

#[cfg(test)]
mod tests;
