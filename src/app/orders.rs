//! The order log: an order logged from the payment result page with the referral's proof
//! at that moment, the reminder to check it, the popup's rows, exports and refunds.

use super::detection::problems;
use super::{error, Boxed, Ctx};
use crate::domain::evidence::EvidenceKind;
use crate::domain::i18n::{Lang, Text};
use crate::domain::messages::PageFacts;
use crate::domain::money;
use crate::domain::orders::{self, Order, OrderLog, Snapshot};
use crate::domain::price;
use crate::domain::protocol::{ExportBody, Reply};
use crate::domain::record::{SessionRecord, Settings, StoredPrice};
use crate::domain::session::{Outcome, State};
use crate::domain::url::Url;
use crate::domain::view::{self, OrderRow};
use crate::ports::Platform;

/// `order-check:<order id>`: the reminder after an order (seed 003).
pub const ORDER_ALARM_PREFIX: &str = "order-check:";
/// Orders listed in the popup (the export has all).
const POPUP_ORDERS: usize = 20;

impl<'a, P: Platform> Ctx<'a, P> {
    /// The referral at this moment, for an order's proof of attribution (stored, so in
    /// English: the warnings as `kind:subject`, the outcome as its English reason).
    fn snapshot<'b>(&'b self, rec: &'b SessionRecord, tab: i32, page: &'b str) -> Boxed<'b, Snapshot> {
        Box::pin(async move {
            let ours = self.pkg.config.affiliate_key.as_str();
            let (cookie, cookie_key) = match self.cookie_attributions(page).await {
                Err(_) => ("unknown", None),
                Ok(cookies) => match (cookies.iter().find(|a| a.key != ours), cookies.first()) {
                    (Some(a), _) => ("other", Some(a.key.clone())),
                    (None, Some(a)) => ("ours", Some(a.key.clone())),
                    (None, None) => ("none", None),
                },
            };
            let tx = self.pkg.catalogs().text(Lang::En);
            Snapshot {
                state: rec.activation.state.as_str().into(),
                activated_ms: rec.activation.activated_ms,
                cookie: cookie.into(),
                cookie_key,
                warnings: problems(rec, Some(tab)).iter().map(|p| format!("{}:{}", p.kind().as_str(), p.subject())).collect(),
                detail: rec.activation.outcome.as_ref().map(|o| match o {
                    Outcome::Hijack { culprit: Some(c), .. } => format!("{} ({c})", view::reason_text(tx, o)),
                    o => view::reason_text(tx, o),
                }),
            }
        })
    }

    /// A payment result page said the payment succeeded: log the order (once per page).
    pub(super) async fn log_order(&self, rec: &mut SessionRecord, settings: &Settings, tab: i32, u: &Url, facts: &PageFacts) {
        let page: String = u.serialize().chars().take(500).collect();
        if rec.tab(tab).and_then(|t| t.order.as_ref()).is_some_and(|o| o.page == page) {
            return; // logged from this page already
        }
        let mut notes = Vec::new();
        let mut log = self.load_orders(&mut notes).await;
        let now = self.platform.now_ms();
        if !log.has_page(&page) {
            let snapshot = self.snapshot(rec, tab, &u.serialize()).await;
            let order = self.new_order(rec, settings, u, facts, &page, now, snapshot);
            let id = log.push(order, settings.orders_max);
            match self.save_orders(&log).await {
                Ok(()) => {
                    if settings.order_check {
                        self.platform.alarm(&format!("{ORDER_ALARM_PREFIX}{id}"), now + f64::from(self.pkg.config.order_check_s) * 1000.0).await;
                    }
                    self.record_evidence(rec, Some(tab), EvidenceKind::Page, &id, "order logged");
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

    /// The order on a payment result page: the total it shows (else the recent
    /// checkout's), the rate of that checkout, the expected cashback.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn new_order(
        &self,
        rec: &SessionRecord,
        settings: &Settings,
        u: &Url,
        facts: &PageFacts,
        page: &str,
        now: f64,
        snapshot: Snapshot,
    ) -> Order {
        let shown = facts.order_total.iter().find_map(|t| price::parse_price(t, None).ok()).map(|p| StoredPrice::from_range(&p));
        let checkout = rec.last_checkout.as_ref().filter(|c| now - c.at_ms < 6.0 * 3_600_000.0);
        let total = shown.or_else(|| checkout.and_then(|c| c.total.clone()));
        let rate = checkout.map(|c| c.rate_bp).unwrap_or_else(|| self.pkg.config.rate_for(&[]));
        let amount = total.as_ref().map(|p| p.min_minor);
        Order {
            id: format!("o{}", now as u64),
            at_ms: now,
            order_ids: orders::order_ids(&facts.order_links),
            payment_id: u.param("pmntId").filter(|p| p.len() <= 64).map(str::to_string),
            page: page.to_string(),
            amount_minor: amount,
            currency: total.map(|p| p.currency),
            rate_bp: rate,
            expected_minor: amount.and_then(|a| money::refund_adjusted(a, 0, rate).ok()),
            refunded_minor: 0,
            snapshot,
            reminder: if settings.order_check { "pending" } else { "off" }.into(),
            account: rec.activation.account.as_ref().filter(|_| rec.activation.state == State::Active).map(|(_, id)| id.clone()),
        }
    }

    /// An alarm went off: an order's check is due (the activation timeout is the tick's).
    pub(super) async fn on_alarm(&self, rec: &mut SessionRecord, settings: &Settings, name: &str) -> bool {
        let Some(id) = name.strip_prefix(ORDER_ALARM_PREFIX) else { return false };
        let check: Boxed<'_, ()> = Box::pin(self.order_check(rec, settings, id));
        check.await;
        true
    }

    /// The 10-minute check: remind the shopper to look for the order in the statistics.
    async fn order_check(&self, rec: &mut SessionRecord, settings: &Settings, id: &str) {
        let mut notes = Vec::new();
        let mut log = self.load_orders(&mut notes).await;
        let tx = self.text(settings);
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
        let amount = o.amount_minor.map(|m| self.money(m, &cur, tx.lang())).unwrap_or_default();
        o.reminder = if !settings.order_check {
            "off".into()
        } else {
            let title = tx.t("order_check_title", &[]);
            let body = tx.t("order_check_body", &[&amount, &self.pkg.config.program_name]);
            match self.platform.notify(&format!("{ORDER_ALARM_PREFIX}{id}"), &title, &body).await {
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
    pub(super) fn order_rows(&self, log: &OrderLog, tx: Text<'_>) -> Vec<OrderRow> {
        log.orders.iter().rev().take(POPUP_ORDERS).map(|o| self.order_row(o, tx)).collect()
    }

    #[inline(always)]
    fn order_row(&self, o: &Order, tx: Text<'_>) -> OrderRow {
        let lang = tx.lang();
        let cur = o.currency.as_deref().unwrap_or("USD");
        let amount = |minor: Option<u64>| minor.map(|m| self.money(m, cur, lang)).unwrap_or_else(|| "?".into());
        let status = o.status();
        OrderRow {
            id: o.id.clone(),
            when: format!("{} {}", orders::iso_utc(o.at_ms).get(..10).unwrap_or(""), self.platform.time(o.at_ms, lang)),
            ids: if o.order_ids.is_empty() { String::new() } else { format!("#{}", o.order_ids.join(", #")) },
            amount: amount(o.amount_minor),
            expected: amount(o.expected_minor),
            refunded: (o.refunded_minor > 0).then(|| amount(Some(o.refunded_minor))),
            status: status.as_str(),
            status_text: tx.t(&format!("order_status_{}", status.as_str()), &[]),
            attributed: o.snapshot.attributed(),
            proof: self.proof_text(o, tx),
            warnings: o.snapshot.warnings.join(", "),
        }
    }

    /// What the order's snapshot proves of the referral, in words.
    #[inline(always)]
    fn proof_text(&self, o: &Order, tx: Text<'_>) -> String {
        match (o.snapshot.attributed(), o.snapshot.cookie.as_str()) {
            (true, _) => {
                tx.t("order_proof_ours", &[&o.snapshot.activated_ms.map(|ms| self.platform.time(ms, tx.lang())).unwrap_or_default()])
            }
            (false, "other") => tx.t("order_proof_rival", &[o.snapshot.cookie_key.as_deref().unwrap_or("?")]),
            (false, "unknown") => tx.t("order_proof_unknown", &[]),
            _ => tx.t(&format!("order_proof_{}", if o.snapshot.state == "active" { "nocookie" } else { "inactive" }), &[&o.snapshot.state]),
        }
    }

    /// The whole log as a file (`json` or `csv`).
    pub(super) async fn export_orders(&self, format: &str) -> (Reply, bool) {
        let mut notes = Vec::new();
        let log = self.load_orders(&mut notes).await;
        let day = orders::iso_utc(self.platform.now_ms());
        let filename = format!("cashback-guard-orders-{}.{format}", day.get(..10).unwrap_or("export"));
        let body = match format {
            "csv" => ExportBody::Csv(orders::to_csv(&log)),
            "json" => ExportBody::Json(orders::to_json(&log)),
            _ => return (error("export format must be json or csv"), false),
        };
        (Reply::Export { filename, count: log.orders.len(), body }, false)
    }

    /// The shopper says how much of an order was refunded (empty: none).
    pub(super) async fn set_refund(&self, settings: &Settings, order: &str, amount: &str) -> (Reply, bool) {
        let mut notes = Vec::new();
        let mut log = self.load_orders(&mut notes).await;
        let tx = self.text(settings);
        let result = match log.get_mut(order) {
            None => Err(orders::RefundError::NoOrder),
            Some(o) => {
                let cur = o.currency.clone().unwrap_or_default();
                let amount = amount.trim();
                let refund = if amount.is_empty() { Ok(0) } else { orders::parse_refund(amount, &cur) };
                refund.and_then(|r| o.set_refund(r))
            }
        };
        match result {
            Err(e) => (Reply::RefundError { error: tx.t("refund_error", &[&e.to_string()]), order: order.to_string() }, false),
            Ok(status) => match self.save_orders(&log).await {
                Err(e) => (error(e), false),
                Ok(()) => (Reply::RefundSaved { status: status.as_str() }, true),
            },
        }
    }

    /// The log kept to at most `max` orders (a smaller limit just set).
    pub(super) async fn prune_orders(&self, max: u32) -> Result<(), String> {
        let mut notes = Vec::new();
        let mut log = self.load_orders(&mut notes).await;
        if log.prune(max) > 0 {
            self.save_orders(&log).await?;
        }
        Ok(())
    }
}
