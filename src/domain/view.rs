//! View models. The core computes the whole banner and popup as a small element tree with
//! text already localised; the content script and the popup only turn it into DOM
//! (`createElement`, `setAttribute` from a whitelist, `textContent`). Nothing the page
//! supplies is ever interpreted as markup.

use super::i18n::Text;
use super::session::{Outcome, State};
use serde::Serialize;

/// One element: tag, attributes, text, children. Serialised compactly as `{t,a,x,c}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub t: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub a: Vec<(&'static str, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub c: Vec<Node>,
}

pub fn el(tag: &'static str) -> Node {
    Node { t: tag, a: Vec::new(), x: None, c: Vec::new() }
}

impl Node {
    pub fn attr(mut self, k: &'static str, v: impl Into<String>) -> Node {
        self.a.push((k, v.into()));
        self
    }
    pub fn class(self, v: &'static str) -> Node {
        self.attr("class", v)
    }
    pub fn testid(self, v: &'static str) -> Node {
        self.attr("data-testid", v)
    }
    pub fn text(mut self, s: impl Into<String>) -> Node {
        self.x = Some(s.into());
        self
    }
    pub fn child(mut self, n: Node) -> Node {
        self.c.push(n);
        self
    }
    pub fn children(mut self, ns: impl IntoIterator<Item = Node>) -> Node {
        self.c.extend(ns);
        self
    }
    pub fn opt(self, n: Option<Node>) -> Node {
        match n {
            Some(n) => self.child(n),
            None => self,
        }
    }
    pub fn get(&self, k: &str) -> Option<&str> {
        self.a.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str())
    }
    /// Depth-first search for all nodes with `data-testid` = `id`.
    pub fn find_all<'a>(&'a self, id: &str, out: &mut Vec<&'a Node>) {
        if self.get("data-testid") == Some(id) {
            out.push(self);
        }
        for c in &self.c {
            c.find_all(id, out);
        }
    }
    pub fn by_testid(&self, id: &str) -> Vec<&Node> {
        let mut v = Vec::new();
        self.find_all(id, &mut v);
        v
    }
    /// All text of this subtree, for tests and diagnostics.
    pub fn all_text(&self) -> String {
        let mut s = self.x.clone().unwrap_or_default();
        for c in &self.c {
            let ct = c.all_text();
            if !ct.is_empty() {
                if !s.is_empty() {
                    s.push(' ');
                }
                s.push_str(&ct);
            }
        }
        s
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    Adblock,
    Rival,
    Cart,
    Standdown,
    Coupon,
    AppPayment,
    Permission,
}

impl WarningKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::Adblock => "adblock",
            WarningKind::Rival => "rival",
            WarningKind::Cart => "cart",
            WarningKind::Standdown => "standdown",
            WarningKind::Coupon => "coupon",
            WarningKind::AppPayment => "app-payment",
            WarningKind::Permission => "permission",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    /// The culprit: an extension id, a host, or comma-separated product ids.
    pub subject: String,
    pub title: String,
    pub remedy: String,
}

/// Expected cashback, already formatted for the UI language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectedView {
    pub text: String,
    pub min_minor: u64,
    pub max_minor: Option<u64>,
    pub currency: String,
    pub rate_bp: u32,
    pub rate_text: String,
    /// The product the amount is for (`data-product-id`), when known.
    pub product_id: Option<String>,
}

/// Everything the banner and popup show.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewInput<'a> {
    /// The UI language and its catalogs.
    pub tx: Text<'a>,
    pub state: State,
    pub outcome: Option<Outcome>,
    /// Formatted local time of activation ("14:05").
    pub active_since: Option<String>,
    pub expected: Option<ExpectedView>,
    /// A product page whose price could not be read.
    pub price_unrecognised: bool,
    /// A cart page whose lines could not be read (Diagnostics names the profile).
    pub cart_unread: bool,
    pub warnings: Vec<Warning>,
    /// Items known to be in the cart while not active (pre-activation notice).
    pub cart_before: Option<u64>,
    pub program: String,
    /// A checkout page while the referral is not active: this order would earn nothing.
    pub checkout_unprotected: bool,
    /// A payment result page: the order just logged, in words.
    pub order_notice: Option<String>,
    pub account: AccountView,
}

/// The shopper's cashback account, where the operator uses accounts.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum AccountView {
    /// The operator's config has no `account`.
    #[default]
    NotUsed,
    /// None linked: an activation would credit the cashback to nobody.
    Missing {
        site: String,
    },
    Linked(String),
}

impl AccountView {
    pub fn missing(&self) -> bool {
        matches!(self, AccountView::Missing { .. })
    }
}

/// One logged order as the popup lists it (texts already localised).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderRow {
    pub id: String,
    pub when: String,
    /// `#8123…, #8124…` or empty.
    pub ids: String,
    pub amount: String,
    pub expected: String,
    pub refunded: Option<String>,
    /// `expected`, `reduced`, `cancelled`, `unknown`.
    pub status: &'static str,
    pub status_text: String,
    pub attributed: bool,
    /// The attribution at payment, in words.
    pub proof: String,
    pub warnings: String,
}

pub fn status_text(v: &ViewInput) -> String {
    let tx = v.tx;
    if access_withheld(v) {
        return tx.t("state_unchecked", &[]);
    }
    match v.state {
        State::Active => tx.t("state_active", &[v.active_since.as_deref().unwrap_or("")]),
        s => tx.t(&format!("state_{}", s.as_str()), &[]),
    }
}

/// What happened, in plain words, for the bad states.
pub fn reason_text(tx: Text<'_>, o: &Outcome) -> String {
    match o {
        Outcome::BlockedByClient { url } => {
            let host = super::url::parse(url).map(|u| u.host).unwrap_or_default();
            tx.t("reason_blocked_by_client", &[&host])
        }
        Outcome::BlockPage { extension_id } => tx.t("reason_block_page", &[extension_id]),
        Outcome::Stripped { .. } => {
            format!("{} {}", tx.t("reason_stripped", &[]), tx.t(super::trackers::Filter::UrlCleaning.key(), &[]))
        }
        Outcome::Network { error } => tx.t("reason_network", &[error]),
        Outcome::Timeout => tx.t("reason_timeout", &[]),
        Outcome::LandedElsewhere { host } => tx.t("reason_landed_elsewhere", &[host]),
        Outcome::OtherKey { key } => tx.t("reason_other_key", &[key]),
        Outcome::NoTab => tx.t("reason_no_tab", &[]),
        Outcome::Hijack { key, .. } => tx.t("reason_hijack", &[key]),
        Outcome::AccountStripped { param } => tx.t("reason_account_stripped", &[param]),
        Outcome::AccountSwapped { found, .. } => tx.t("reason_account_swapped", &[found]),
        Outcome::NotSaved { error } => tx.t("reason_not_saved", &[error]),
    }
}

/// The browser withholds our host access (a `permission` warning): the referral cannot be
/// checked, so the view claims no state and offers no activation; the warning's own button
/// asks for the access first.
fn access_withheld(v: &ViewInput) -> bool {
    v.warnings.iter().any(|w| w.kind == WarningKind::Permission)
}

/// An activation is offered: the state allows one and the browser lets us check it.
fn may_activate(v: &ViewInput) -> bool {
    v.state.can_activate() && !access_withheld(v)
}

/// The next step for the shopper.
pub fn hint_text(v: &ViewInput) -> String {
    let tx = v.tx;
    if access_withheld(v) {
        return String::new();
    }
    let warned = |kind: WarningKind| v.warnings.iter().any(|w| w.kind == kind);
    match (v.state, &v.outcome) {
        // The warning already carries the remedy: say only what happened.
        (State::Blocked, Some(o)) if warned(WarningKind::Adblock) => reason_text(tx, o),
        (State::Hijacked, Some(o)) if warned(WarningKind::Rival) => reason_text(tx, o),
        (State::Blocked, Some(o)) => {
            format!("{} {}", reason_text(tx, o), tx.t("remedy_blocked", &[]))
        }
        (State::Failed, Some(o)) => format!("{} {}", reason_text(tx, o), tx.t("remedy_failed", &[])),
        (State::Hijacked, Some(o)) => {
            format!("{} {}", reason_text(tx, o), tx.t("remedy_hijacked", &[]))
        }
        (s, _) => tx.t(&format!("hint_{}", s.as_str()), &[]),
    }
}

fn activate_label(v: &ViewInput) -> String {
    if v.account.missing() {
        return v.tx.t("action_link_account", &[]);
    }
    match v.state {
        State::Inactive => v.tx.t("action_activate", &[]),
        _ => v.tx.t("action_reactivate", &[]),
    }
}

fn money_nodes(v: &ViewInput) -> Vec<Node> {
    let mut out = Vec::new();
    if let Some(e) = &v.expected {
        let mut n = el("span")
            .class("cg-expected")
            .testid("cg-expected")
            .attr("data-amount-minor", e.min_minor.to_string())
            .attr("data-currency", e.currency.clone());
        if let Some(max) = e.max_minor {
            n = n.attr("data-amount-max-minor", max.to_string());
        }
        if let Some(id) = &e.product_id {
            n = n.attr("data-product-id", id.clone());
        }
        out.push(el("div").class("cg-money").children([
            el("span").class("cg-label").text(v.tx.t("expected_label", &[])),
            n.text(e.text.clone()),
            el("span").class("cg-rate").testid("cg-rate").attr("data-rate-bp", e.rate_bp.to_string()).text(format!("({})", e.rate_text)),
        ]));
    } else if v.price_unrecognised {
        out.push(el("p").class("cg-note").text(v.tx.t("price_unrecognised", &[])));
    }
    if v.cart_unread {
        out.push(el("p").class("cg-note").testid("cg-cart-unread").text(v.tx.t("cart_unread", &[])));
    }
    out
}

fn warning_nodes(v: &ViewInput) -> Vec<Node> {
    v.warnings
        .iter()
        .map(|w| {
            let n = el("div")
                .class("cg-warning")
                .testid("cg-warning")
                .attr("data-kind", w.kind.as_str())
                .attr("data-subject", w.subject.clone())
                .attr("role", "note")
                .children([
                    el("strong").class("cg-warning-title").text(w.title.clone()),
                    el("span").class("cg-warning-remedy").text(w.remedy.clone()),
                ]);
            if w.kind != WarningKind::Permission {
                return n;
            }
            // The popup asks the browser again on this click (a user gesture).
            n.child(
                el("button")
                    .attr("type", "button")
                    .testid("cg-permission-request")
                    .attr("data-action", "permission")
                    .text(v.tx.t("action_permission", &[])),
            )
        })
        .collect()
}

fn activate_node(v: &ViewInput) -> Option<Node> {
    if !may_activate(v) {
        return None;
    }
    Some(
        el("button")
            .class("cg-activate")
            .testid("cg-activate")
            .attr("type", "button")
            .attr("data-action", "activate")
            .text(activate_label(v)),
    )
}

fn checkout_notes(v: &ViewInput) -> Vec<Node> {
    let mut out = Vec::new();
    if v.checkout_unprotected {
        out.push(
            el("p")
                .class("cg-checkout-risk")
                .testid("cg-checkout-risk")
                .attr("data-state", v.state.as_str())
                .attr("role", "alert")
                .text(v.tx.t("checkout_unprotected", &[])),
        );
    }
    if let Some(n) = &v.order_notice {
        out.push(el("p").class("cg-order-notice").testid("cg-order").attr("role", "status").text(n.clone()));
    }
    out
}

fn order_node(tx: Text<'_>, o: &OrderRow) -> Node {
    let mut money = format!("{} · {} {} ({})", o.amount, tx.t("expected_label", &[]), o.expected, o.status_text);
    if let Some(r) = &o.refunded {
        money = format!("{money} · {}", tx.t("order_refunded", &[r]));
    }
    el("li")
        .class("cg-order")
        .testid("cg-order-row")
        .attr("data-order-id", o.id.clone())
        .attr("data-status", o.status)
        .attr("data-attributed", o.attributed.to_string())
        .children([
            el("strong").text(format!("{} {}", o.when, o.ids).trim_end().to_string()),
            el("span").class("cg-order-money").text(money),
            el("span").class(if o.attributed { "cg-order-proof cg-ok" } else { "cg-order-proof cg-risk" }).text(o.proof.clone()),
        ])
        .opt((!o.warnings.is_empty()).then(|| el("span").class("cg-order-warn").text(tx.t("order_warnings", &[&o.warnings]))))
        .child(
            el("span").class("cg-refund").children([
                el("input")
                    .attr("type", "text")
                    .attr("inputmode", "decimal")
                    .attr("data-refund-for", o.id.clone())
                    .attr("aria-label", tx.t("refund_label", &[]))
                    .attr("placeholder", tx.t("refund_label", &[])),
                el("button")
                    .attr("type", "button")
                    .attr("data-action", "refund")
                    .attr("data-order", o.id.clone())
                    .text(tx.t("action_refund", &[])),
            ]),
        )
        .child(el("span").class("cg-refund-msg").attr("data-refund-msg", o.id.clone()).attr("role", "alert"))
}

fn orders_node(tx: Text<'_>, x: &PopupExtra) -> Node {
    let mut s = el("section")
        .class("cg-orders")
        .testid("cg-orders")
        .attr("data-count", x.orders_total.to_string())
        .child(el("h2").text(tx.t("orders_title", &[])));
    if x.orders.is_empty() {
        return s.child(el("p").class("cg-note").text(tx.t("orders_empty", &[])));
    }
    s = s.child(el("ul").class("cg-order-list").children(x.orders.iter().map(|o| order_node(tx, o))));
    if x.orders_total > x.orders.len() {
        s = s.child(el("p").class("cg-note").text(tx.tn("orders_more", (x.orders_total - x.orders.len()) as u64, &[])));
    }
    s.child(el("div").class("cg-export").children([
        el("button").attr("type", "button").attr("data-action", "export").attr("data-format", "csv").text(tx.t("action_export_csv", &[])),
        el("button").attr("type", "button").attr("data-action", "export").attr("data-format", "json").text(tx.t("action_export_json", &[])),
    ]))
}

/// With accounts in use and none linked: say that the cashback would go to nobody, and where
/// to link one (the Activate button then opens the options page instead of redirecting).
fn account_notice(v: &ViewInput) -> Option<Node> {
    let AccountView::Missing { site } = &v.account else { return None };
    if !may_activate(v) {
        return None;
    }
    Some(el("p").class("cg-account-needed").testid("cg-account-needed").attr("role", "alert").children([
        el("span").text(v.tx.t("account_needed", &[])),
        el("a").attr("href", site.clone()).attr("target", "_blank").attr("rel", "noopener").text(v.tx.t("account_site_link", &[site])),
    ]))
}

/// The popup's account line: linked to whom (with unlinking), or how to link.
fn account_status(v: &ViewInput) -> Option<Node> {
    let tx = v.tx;
    let (id, text) = match &v.account {
        AccountView::NotUsed => return None,
        AccountView::Missing { .. } => (String::new(), tx.t("account_none", &[])),
        AccountView::Linked(id) => (id.clone(), tx.t("account_linked", &[id])),
    };
    let action = if id.is_empty() {
        el("button").attr("type", "button").attr("data-action", "open-options").text(tx.t("action_link_account", &[]))
    } else {
        el("button").attr("type", "button").attr("data-action", "unlink-account").text(tx.t("action_unlink_account", &[]))
    };
    Some(el("p").class("cg-account").testid("cg-account-status").attr("data-account", id).children([el("span").text(text), action]))
}

fn cart_notice(v: &ViewInput) -> Option<Node> {
    match (may_activate(v), v.cart_before) {
        (true, Some(n)) if n > 0 => Some(el("p").class("cg-cart-notice").text(v.tx.tn("cart_before_notice", n, &[]))),
        _ => None,
    }
}

/// The banner shown on AliExpress pages (inside the content script's shadow root).
pub fn banner(v: &ViewInput) -> Node {
    let tx = v.tx;
    let state = v.state.as_str();
    let pill_amount = v.expected.as_ref().map(|e| el("span").class("cg-pill-amount").text(e.text.clone()));
    el("div")
        .class("cg-banner")
        .testid("cg-banner")
        .attr("data-state", state)
        .attr("role", "region")
        .attr("aria-label", tx.t("banner_label", &[&v.program]))
        .attr("lang", tx.lang().code())
        .child(
            el("div")
                .class("cg-row")
                .child(el("span").class("cg-dot").attr("aria-hidden", "true"))
                .child(
                    el("span")
                        .class("cg-status")
                        .testid("cg-status")
                        .attr("data-state", state)
                        .attr("role", "status")
                        .attr("aria-live", "polite")
                        .text(status_text(v)),
                )
                .opt(pill_amount)
                .child(
                    el("button")
                        .class("cg-icon cg-collapse")
                        .attr("type", "button")
                        .attr("data-action", "collapse")
                        .attr("aria-expanded", "true")
                        .attr("aria-label", tx.t("action_collapse", &[]))
                        .attr("title", tx.t("action_collapse", &[]))
                        .text("–"),
                )
                .child(
                    el("button")
                        .class("cg-icon cg-dismiss")
                        .testid("cg-dismiss")
                        .attr("type", "button")
                        .attr("data-action", "dismiss")
                        .attr("aria-label", tx.t("action_dismiss", &[]))
                        .attr("title", tx.t("action_dismiss", &[]))
                        .text("×"),
                ),
        )
        .child(
            el("div")
                .class("cg-body")
                .children(money_nodes(v))
                .children(warning_nodes(v))
                .children(checkout_notes(v))
                .child(el("p").class("cg-hint").text(hint_text(v)))
                .opt(cart_notice(v))
                .opt(account_notice(v))
                .opt(activate_node(v))
                .opt(
                    activate_node(v)
                        .map(|_| el("p").class("cg-disclosure-line").testid("cg-disclosure-line").text(tx.t("banner_disclosure", &[]))),
                ),
        )
}

/// Extra facts only the popup shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PopupExtra {
    pub disclosure_url: String,
    pub diagnostics: Vec<String>,
    pub version: String,
    /// No AliExpress page known for this tab.
    pub not_aliexpress: bool,
    /// The most recent orders, newest first.
    pub orders: Vec<OrderRow>,
    /// Orders in the log (the popup lists the most recent).
    pub orders_total: usize,
}

/// The toolbar popup.
pub fn popup(v: &ViewInput, x: &PopupExtra) -> Node {
    let tx = v.tx;
    let state = v.state.as_str();
    let mut diag_text = x.diagnostics.join("\n");
    if diag_text.is_empty() {
        diag_text = tx.t("diagnostics_empty", &[]);
    }
    el("main")
        .class("cg-popup")
        .attr("data-state", state)
        .attr("lang", tx.lang().code())
        .child(el("h1").class("cg-title").text(v.program.clone()))
        .child(
            el("p")
                .class("cg-status")
                .testid("cg-status")
                .attr("data-state", state)
                .attr("role", "status")
                .attr("aria-live", "polite")
                .text(status_text(v)),
        )
        .child(el("p").class("cg-hint").text(if x.not_aliexpress { tx.t("hint_open_aliexpress", &[]) } else { hint_text(v) }))
        .opt(cart_notice(v))
        .opt(account_status(v))
        .opt(if x.not_aliexpress { None } else { account_notice(v) })
        .opt(if x.not_aliexpress { None } else { activate_node(v) })
        .children(money_nodes(v))
        .children(warning_nodes(v))
        .children(checkout_notes(v))
        .child(orders_node(tx, x))
        .child(
            el("section").class("cg-how").children([
                el("p").text(tx.t("how_it_works", &[])),
                el("a")
                    .attr("href", x.disclosure_url.clone())
                    .attr("target", "_blank")
                    .attr("rel", "noopener")
                    .text(tx.t("disclosure_link", &[])),
            ]),
        )
        .child(el("details").class("cg-diag").children([
            el("summary").text(tx.t("diagnostics_title", &[])),
            el("pre").class("cg-diag-text").attr("data-testid", "cg-diagnostics").text(format!(
                "{}\n{} {}",
                diag_text,
                tx.t("version_label", &[]),
                x.version
            )),
            el("button").attr("type", "button").attr("data-action", "copy-diagnostics").text(tx.t("action_copy", &[])),
        ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::i18n::{Catalogs, Lang};

    /// The shipped catalogs in `lang` (leaked: a test's view may borrow them as long as it likes).
    fn text(lang: Lang) -> Text<'static> {
        Box::leak(Box::new(Catalogs::bundled())).text(lang)
    }

    fn input(state: State) -> ViewInput<'static> {
        ViewInput {
            tx: text(Lang::En),
            state,
            outcome: None,
            active_since: None,
            expected: None,
            price_unrecognised: false,
            cart_unread: false,
            warnings: Vec::new(),
            cart_before: None,
            program: "Cashback Guard demo".into(),
            checkout_unprotected: false,
            order_notice: None,
            account: AccountView::NotUsed,
        }
    }

    #[test]
    fn the_banner_discloses_the_commission_next_to_activate_only() {
        let b = banner(&input(State::Inactive));
        assert_eq!(b.by_testid("cg-disclosure-line").len(), 1);
        assert!(b.by_testid("cg-disclosure-line")[0].all_text().contains("commission"));
        let b = banner(&input(State::Active));
        assert!(b.by_testid("cg-disclosure-line").is_empty(), "no Activate, no line");
    }

    #[test]
    fn banner_has_contract_hooks() {
        let b = banner(&input(State::Inactive));
        assert_eq!(b.get("data-testid"), Some("cg-banner"));
        assert_eq!(b.get("data-state"), Some("inactive"));
        let s = b.by_testid("cg-status");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].get("data-state"), Some("inactive"));
        assert_eq!(b.by_testid("cg-activate").len(), 1);
        assert_eq!(b.by_testid("cg-dismiss").len(), 1);
    }

    #[test]
    fn activate_only_when_allowed() {
        for (s, allowed) in [
            (State::Inactive, true),
            (State::Activating, false),
            (State::Active, false),
            (State::Blocked, true),
            (State::Failed, true),
            (State::Hijacked, true),
        ] {
            let b = banner(&input(s));
            assert_eq!(b.by_testid("cg-activate").len(), allowed as usize, "{s:?}");
            assert_eq!(b.get("data-state"), Some(s.as_str()));
            let p = popup(&input(s), &PopupExtra::default());
            assert_eq!(p.by_testid("cg-activate").len(), allowed as usize, "{s:?}");
        }
    }

    #[test]
    fn active_shows_time() {
        let mut v = input(State::Active);
        v.active_since = Some("14:05".into());
        assert!(status_text(&v).contains("14:05"));
        v.tx = text(Lang::Ru);
        assert!(status_text(&v).contains("14:05"));
    }

    #[test]
    fn blocked_explains_and_names_host() {
        let mut v = input(State::Blocked);
        v.outcome = Some(Outcome::BlockedByClient { url: "https://s.click.aliexpress.com/deep_link.htm".into() });
        let h = hint_text(&v);
        assert!(h.contains("s.click.aliexpress.com"), "{h}");
    }

    #[test]
    fn expected_and_range_attributes() {
        let mut v = input(State::Active);
        v.expected = Some(ExpectedView {
            text: "≈ $0.75 – $1.01".into(),
            min_minor: 75,
            max_minor: Some(101),
            currency: "USD".into(),
            rate_bp: 700,
            rate_text: "7%".into(),
            product_id: Some("1005001000000001".into()),
        });
        let b = banner(&v);
        let e = b.by_testid("cg-expected");
        assert_eq!(e[0].get("data-product-id"), Some("1005001000000001"));
        assert_eq!(e[0].get("data-amount-minor"), Some("75"));
        assert_eq!(e[0].get("data-amount-max-minor"), Some("101"));
        assert_eq!(e[0].get("data-currency"), Some("USD"));
        assert_eq!(b.by_testid("cg-rate")[0].get("data-rate-bp"), Some("700"));
    }

    #[test]
    fn unrecognised_price_shows_no_number() {
        let mut v = input(State::Inactive);
        v.price_unrecognised = true;
        let b = banner(&v);
        assert!(b.by_testid("cg-expected").is_empty());
        assert!(b.all_text().contains(&text(Lang::En).t("price_unrecognised", &[])));
    }

    #[test]
    fn unread_cart_is_said_not_silent() {
        let mut v = input(State::Inactive);
        assert!(banner(&v).by_testid("cg-cart-unread").is_empty());
        v.cart_unread = true;
        for lang in [Lang::En, Lang::Ru] {
            v.tx = text(lang);
            let b = banner(&v);
            assert_eq!(b.by_testid("cg-cart-unread").len(), 1);
            assert!(b.all_text().contains(&v.tx.t("cart_unread", &[])));
        }
        assert_ne!(text(Lang::En).t("cart_unread", &[]), text(Lang::Ru).t("cart_unread", &[]));
    }

    #[test]
    fn warnings_render_with_kind_and_subject() {
        let mut v = input(State::Hijacked);
        v.warnings.push(Warning { kind: WarningKind::Rival, subject: "abc".into(), title: "T".into(), remedy: "R".into() });
        let w = banner(&v).by_testid("cg-warning").into_iter().cloned().collect::<Vec<_>>();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].get("data-kind"), Some("rival"));
        assert_eq!(w[0].get("data-subject"), Some("abc"));
    }

    #[test]
    fn cart_notice_before_activation_only() {
        let mut v = input(State::Inactive);
        v.cart_before = Some(3);
        assert!(banner(&v).all_text().contains("3 items"));
        v.state = State::Active;
        assert!(!banner(&v).all_text().contains("3 items"));
    }

    #[test]
    fn serialises_compactly() {
        let n = el("span").class("a").text("x");
        assert_eq!(serde_json::to_string(&n).unwrap(), r#"{"t":"span","a":[["class","a"]],"x":"x"}"#);
    }
}
