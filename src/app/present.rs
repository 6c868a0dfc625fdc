//! Presentation: the words and the views. Warnings get their text here (from the
//! [`Problem`]s detection found), the banner and the popup their view models, tabs their
//! messages and badges; [`Ctx::broadcast`] tells every view about a change.

use super::detection::{problems, Problem};
use super::Ctx;
use crate::domain::evidence;
use crate::domain::i18n::{Lang, Text};
use crate::domain::json::ToJson;
use crate::domain::money;
use crate::domain::orders::Order;
use crate::domain::price;
use crate::domain::product::{self, PageKind, Storefront};
use crate::domain::protocol::{PageSetup, Push, Reply, TabView};
use crate::domain::record::{ProductInfo, SessionRecord, Settings};
use crate::domain::session::State;
use crate::domain::trackers::Filter;
use crate::domain::url::Url;
use crate::domain::view::{self, AccountView, ExpectedView, PopupExtra, ViewInput, Warning};
use crate::ports::Platform;
use serde_json::Value;

pub(super) fn rate_text(bp: u32) -> String {
    if bp % 100 == 0 {
        format!("{}%", bp / 100)
    } else if bp % 10 == 0 {
        format!("{}.{}%", bp / 100, (bp % 100) / 10)
    } else {
        format!("{}.{:02}%", bp / 100, bp % 100)
    }
}

/// A problem in words: its title and remedy in `tx`'s language.
fn warning(problem: Problem<'_>, tx: Text<'_>) -> Warning {
    let (title, remedy) = match &problem {
        Problem::Coupon { code } => (tx.t("warn_coupon", &[code]), tx.t("remedy_coupon", &[])),
        Problem::AppPayment => (tx.t("warn_app_payment", &[]), tx.t("remedy_app_payment", &[])),
        Problem::NamedBlocker { ext } => (tx.t("warn_adblock_named", &[&ext.name]), tx.t("remedy_blocker_named", &[&ext.name])),
        Problem::Blocked { subject, filter, bait } => {
            let mut title = format!("{} {}", tx.t("warn_adblock", &[subject]), tx.t(filter.key(), &[]));
            if *bait {
                title = format!("{title} {}", tx.t("adblock_bait_too", &[]));
            }
            let remedy = if *filter == Filter::TrackingProtection { "remedy_tracking" } else { "remedy_blocked" };
            (title, tx.t(remedy, &[]))
        }
        Problem::Stripped { subject } => (tx.t("warn_stripped", &[subject]), tx.t("remedy_stripped", &[])),
        Problem::RivalExtension { ext } => (tx.t("warn_rival_ext", &[&ext.name]), tx.t("remedy_rival_ext", &[&ext.name])),
        Problem::Hijack { key, culprit, suspects } => {
            // What happened in words; tab and extension ids stay in Diagnostics.
            let how = match culprit.as_deref() {
                Some(c) if c.starts_with("navigation") => "hijack_navigation",
                Some(c) if c.starts_with("hidden iframe") => "hijack_iframe",
                _ => "hijack_unknown",
            };
            let who = tx.t(how, &[key]);
            match suspects.as_slice() {
                [one] => (tx.t("warn_rival_by_ext", &[&one.name, key]), tx.t("remedy_rival_ext", &[&one.name])),
                many => {
                    let names: Vec<&str> = many.iter().map(|f| f.name.as_str()).collect();
                    let who = if names.is_empty() { who } else { format!("{who}; {}", tx.t("suspects", &[&names.join(", ")])) };
                    (tx.t("warn_rival", &[&who]), tx.t("remedy_hijacked", &[]))
                }
            }
        }
        Problem::AccountSwapped { outcome, .. } => (view::reason_text(tx, outcome), tx.t("remedy_hijacked", &[])),
        Problem::OtherKey { key } => (tx.t("warn_rival", &[key]), tx.t("remedy_hijacked", &[])),
        Problem::RivalLink { subject } => (tx.t("warn_rival_link", &[subject]), tx.t("remedy_rival_link", &[])),
        Problem::Standdown { key } => (tx.t("warn_standdown", &[key]), tx.t("warn_standdown_remedy", &[])),
        Problem::Cart { count, .. } => {
            (format!("{}. {}", tx.tn("cart_items", u64::from(*count), &[]), tx.t("warn_cart", &[])), tx.t("warn_cart_remedy", &[]))
        }
        Problem::Permission => (tx.t("warn_permission", &[]), tx.t("remedy_permission", &[])),
    };
    Warning { kind: problem.kind(), subject: problem.subject().to_string(), title, remedy }
}

impl<'a, P: Platform> Ctx<'a, P> {
    pub(super) fn lang(&self, settings: &Settings) -> Lang {
        settings.lang(&self.platform.ui_locale())
    }

    /// The UI language of these settings with the package's catalogs.
    pub(super) fn text(&self, settings: &Settings) -> Text<'a> {
        self.pkg.catalogs().text(self.lang(settings))
    }

    pub(super) fn money(&self, minor: u64, currency: &str, lang: Lang) -> String {
        let exp = price::currency(currency).map(|c| c.exponent).unwrap_or(2);
        self.platform.money(minor, currency, exp, lang)
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

    fn account_view(&self, settings: &Settings) -> AccountView {
        match (&self.pkg.config.account, &settings.account) {
            (None, _) => AccountView::NotUsed,
            (Some(_), Some(id)) => AccountView::Linked(id.clone()),
            (Some(a), None) => AccountView::Missing { site: a.site.clone() },
        }
    }

    /// What a view shows: of the page in `tab`, or of the session alone.
    fn view_input(&self, rec: &SessionRecord, settings: &Settings, tab: Option<i32>) -> ViewInput<'a> {
        let tx = self.text(settings);
        let lang = tx.lang();
        let info = tab.and_then(|id| rec.tab(id));
        let product_page = info.is_some_and(|i| i.kind == Some(PageKind::Product));
        let expected = if product_page { info.and_then(|i| i.product.as_ref()).and_then(|p| self.expected(p, lang)) } else { None };
        ViewInput {
            tx,
            state: rec.activation.state,
            outcome: rec.activation.outcome.clone(),
            active_since: rec.activation.activated_ms.map(|ms| self.platform.time(ms, lang)),
            price_unrecognised: product_page && expected.is_none() && info.is_some_and(|i| i.price_unrecognised),
            cart_unread: info.is_some_and(|i| i.kind == Some(PageKind::Cart) && i.cart_unread),
            expected,
            warnings: problems(rec, tab).into_iter().map(|p| warning(p, tx)).collect(),
            cart_before: super::cart::before_activation(rec),
            program: self.pkg.config.program_name.clone(),
            checkout_unprotected: info.is_some_and(|i| i.kind == Some(PageKind::Checkout)) && rec.activation.state != State::Active,
            order_notice: info.and_then(|i| i.order.as_ref()).map(|o| self.order_notice(o, tx)),
            account: self.account_view(settings),
        }
    }

    /// The banner line on the payment result page: what was logged, and the check to come.
    fn order_notice(&self, o: &Order, tx: Text<'_>) -> String {
        let cur = o.currency.as_deref().unwrap_or("USD");
        let expected = o.expected_minor.map(|m| self.money(m, cur, tx.lang())).unwrap_or_else(|| "?".into());
        let mins = self.pkg.config.order_check_s.div_ceil(60).to_string();
        let key = if o.snapshot.attributed() { "order_logged" } else { "order_logged_at_risk" };
        let mut s = tx.t(key, &[&expected]);
        if o.reminder == "pending" {
            s = format!("{s} {}", tx.t("order_check_soon", &[&mins, &self.pkg.config.program_name]));
        }
        s
    }

    /// What a tab shows (computed once for its message and its badge).
    pub(super) fn tab_view(&self, rec: &SessionRecord, settings: &Settings, tab: i32) -> ViewInput<'a> {
        self.view_input(rec, settings, Some(tab))
    }

    /// A tab's banner with what its content script needs to draw it.
    pub(super) fn tab_message(&self, rec: &SessionRecord, settings: &Settings, tab: i32, view: &ViewInput) -> TabView {
        let tx = view.tx;
        TabView {
            at: self.platform.now_ms(),
            lang: tx.lang().code(),
            enabled: settings.banner,
            state: rec.activation.state.as_str(),
            view: view::banner(view),
            flags: super::cart::flags(rec, tab),
            flag_label: tx.t("warn_cart", &[]),
        }
    }

    /// The reply to a hello: the tab's message, with the layout profile of its
    /// storefront, the banner CSS and the page kind.
    #[inline(always)]
    pub(super) fn page_message(&self, rec: &SessionRecord, settings: &Settings, tab: i32, front: Storefront, u: &Url) -> Reply {
        let view = self.tab_view(rec, settings, tab);
        let setup = PageSetup {
            profile: self.pkg.layouts.for_storefront(front).map(|p| p.raw.clone()).unwrap_or(Value::Null),
            css: self.pkg.banner_css.clone(),
            // What to read on this page: the checkout and payment-result reads (visibility
            // checks force a layout) run only where they matter.
            kind: product::page_kind(u),
        };
        Reply::Page(self.tab_message(rec, settings, tab, &view), setup)
    }

    pub(super) async fn badge(&self, rec: &SessionRecord, settings: &Settings, tab: i32, view: &ViewInput<'_>) {
        let (text, color) = match rec.activation.state {
            State::Active => ("✓".to_string(), "#1a7f37"),
            State::Blocked | State::Hijacked => ("!".to_string(), "#cf222e"),
            State::Failed => ("!".to_string(), "#bc4c00"),
            State::Activating => ("…".to_string(), "#57606a"),
            State::Inactive => (view.expected.as_ref().map(|e| e.rate_text.clone()).unwrap_or_default(), "#0969da"),
        };
        let text = if settings.badge || rec.activation.state != State::Inactive { text } else { String::new() };
        self.platform.badge(tab, &text, color, &view::status_text(view)).await;
    }

    /// Tells every known tab and the extension pages about a change.
    pub(super) async fn broadcast(&self, rec: &SessionRecord, settings: &Settings) {
        for tab in rec.tabs.iter().map(|t| t.tab_id).collect::<Vec<_>>() {
            let view = self.tab_view(rec, settings, tab);
            self.platform.send_to_tab(tab, Push::View(self.tab_message(rec, settings, tab, &view)).to_json()).await;
            self.badge(rec, settings, tab, &view).await;
        }
        self.platform.notify_pages(Push::Changed { state: rec.activation.state.as_str() }.to_json()).await;
    }

    /// The popup's whole view: the session (of the page in `tab_id` when it is one we
    /// know), the orders, and Diagnostics.
    /// Without host access (`no_host_access`) the cookies cannot be read: a `permission`
    /// warning comes first and an `active` state is not claimed (shown as `inactive`).
    pub(super) async fn popup(&self, rec: &SessionRecord, settings: &Settings, tab_id: Option<i32>, no_host_access: bool) -> Reply {
        let tx = self.text(settings);
        let lang = tx.lang();
        let known = tab_id.and_then(|id| rec.tab(id)).is_some();
        let mut view = self.view_input(rec, settings, if known { tab_id } else { None });
        if no_host_access {
            view.warnings.insert(0, warning(Problem::Permission, tx));
            if view.state == State::Active {
                view.state = State::Inactive;
                view.active_since = None;
            }
        }
        let mut diagnostics = self.session_diagnostics(rec, tab_id, lang);
        let mut notes = Vec::new();
        let log = self.load_orders(&mut notes).await;
        diagnostics.extend(notes);
        diagnostics.extend(self.faults().await);
        let extra = PopupExtra {
            disclosure_url: self.pkg.config.disclosure_url.clone(),
            diagnostics,
            version: self.platform.version(),
            not_aliexpress: !known,
            orders: self.order_rows(&log, tx),
            orders_total: log.orders.len(),
        };
        Reply::Popup { lang: lang.code(), state: view.state.as_str(), view: view::popup(&view, &extra), tab_id }
    }

    /// Diagnostics of the session: its notes, the extensions found, the evidence, and the
    /// notes of the page in `tab_id`.
    #[inline(always)]
    fn session_diagnostics(&self, rec: &SessionRecord, tab_id: Option<i32>, lang: Lang) -> Vec<String> {
        let mut lines: Vec<String> = rec.notes.clone();
        for f in rec.extensions.iter().flatten() {
            lines.push(format!("extension {} ({}): {}", f.name, f.id, f.category.as_str()));
        }
        lines.extend(evidence::lines(&rec.evidence, &|ms| self.platform.time(ms, lang)));
        if let Some(info) = tab_id.and_then(|id| rec.tab(id)) {
            lines.extend(info.notes.iter().map(|n| format!("tab {}: {n}", info.tab_id)));
        }
        lines
    }
}
