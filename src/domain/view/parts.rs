//! The pieces both views are built from: the status, reason and hint texts, and the
//! sections (money, warnings, the activate button, checkout notes, orders, account, cart).

use super::*;

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
            let host = crate::domain::url::parse(url).map(|u| u.host).unwrap_or_default();
            tx.t("reason_blocked_by_client", &[&host])
        }
        Outcome::BlockPage { extension_id } => tx.t("reason_block_page", &[extension_id]),
        Outcome::Stripped { .. } => {
            format!("{} {}", tx.t("reason_stripped", &[]), tx.t(crate::domain::trackers::Filter::UrlCleaning.key(), &[]))
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
pub(super) fn access_withheld(v: &ViewInput) -> bool {
    v.warnings.iter().any(|w| w.kind == WarningKind::Permission)
}

/// An activation is offered: the state allows one and the browser lets us check it.
pub(super) fn may_activate(v: &ViewInput) -> bool {
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

pub(super) fn activate_label(v: &ViewInput) -> String {
    if v.account.missing() {
        return v.tx.t("action_link_account", &[]);
    }
    match v.state {
        State::Inactive => v.tx.t("action_activate", &[]),
        _ => v.tx.t("action_reactivate", &[]),
    }
}

pub(super) fn money_nodes(v: &ViewInput) -> Vec<Node> {
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

pub(super) fn warning_nodes(v: &ViewInput) -> Vec<Node> {
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

pub(super) fn activate_node(v: &ViewInput) -> Option<Node> {
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

pub(super) fn checkout_notes(v: &ViewInput) -> Vec<Node> {
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

pub(super) fn order_node(tx: Text<'_>, o: &OrderRow) -> Node {
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

pub(super) fn orders_node(tx: Text<'_>, x: &PopupExtra) -> Node {
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
pub(super) fn account_notice(v: &ViewInput) -> Option<Node> {
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
pub(super) fn account_status(v: &ViewInput) -> Option<Node> {
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

pub(super) fn cart_notice(v: &ViewInput) -> Option<Node> {
    match (may_activate(v), v.cart_before) {
        (true, Some(n)) if n > 0 => Some(el("p").class("cg-cart-notice").text(v.tx.tn("cart_before_notice", n, &[]))),
        _ => None,
    }
}
