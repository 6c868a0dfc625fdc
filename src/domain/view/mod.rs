//! View models. The core computes the whole banner and popup as a small element tree with
//! text already localised; the content script and the popup only turn it into DOM
//! (`createElement`, `setAttribute` from a whitelist, `textContent`). Nothing the page
//! supplies is ever interpreted as markup.

use super::i18n::Text;
use super::session::{Outcome, State};
use serde::Serialize;

mod parts;
use parts::*;
pub use parts::{hint_text, reason_text, status_text};

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
mod tests;
