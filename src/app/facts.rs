//! Page facts: what a content script reports of its page (hello, then the product, price,
//! checkout, cart and links it read), the rate that applies, and rival affiliate links.

use super::{error, Boxed, Ctx};
use crate::domain::evidence::EvidenceKind;
use crate::domain::extract;
use crate::domain::messages::PageFacts;
use crate::domain::price;
use crate::domain::product::{self, PageKind};
use crate::domain::protocol::Reply;
use crate::domain::record::{self, CheckoutInfo, ProductInfo, SessionRecord, Settings, StoredPrice};
use crate::domain::attribution;
use crate::domain::url::{self, Url};
use crate::ports::Platform;

impl<'a, P: Platform> Ctx<'a, P> {
    /// A content script started on a page: the tab's page is this one now; the reply is
    /// the view, the layout profile and what to read.
    pub(super) async fn hello(&self, rec: &mut SessionRecord, settings: &Settings, tab: i32, page: &str) -> (Reply, bool) {
        let Ok(u) = url::parse(page) else {
            return (error("malformed page URL"), false);
        };
        let Some(front) = product::storefront(&u.host) else {
            return (Reply::PageDisabled, false);
        };
        let info = rec.tab_mut(tab, self.platform.now_ms());
        if info.url != page {
            let same_product = url::parse(&info.url).ok().and_then(|o| product::product_id(&o)) == product::product_id(&u);
            if !same_product {
                info.dom_price_first = None;
            }
            info.url = page.to_string();
            info.product = None;
            info.price_unrecognised = false;
            info.notes.clear();
        }
        info.kind = Some(product::page_kind(&u));
        let changed = self.landed(rec, tab, &u).await;
        (self.page_message(rec, settings, tab, front, &u), changed)
    }

    /// What a content script read of its page. What other tabs and the popup show (the
    /// cart, the evidence, a logged order) is broadcast; this tab's own product and price
    /// go back in the reply, with no broadcast.
    pub(super) async fn page_facts(
        &self,
        rec: &mut SessionRecord,
        settings: &Settings,
        tab: i32,
        page: &str,
        facts: &PageFacts,
    ) -> (Reply, bool) {
        let Ok(u) = url::parse(page) else {
            return (error("malformed page URL"), false);
        };
        if product::storefront(&u.host).is_none() {
            return (error("not an AliExpress page"), false);
        }
        // (The newest evidence item, not the count: at MAX_EVIDENCE the count stays.)
        let shared = |r: &SessionRecord| (r.cart.clone(), r.evidence.last().cloned(), r.tab(tab).is_some_and(|t| t.order.is_some()));
        let before = shared(rec);
        self.facts(rec, tab, &u, facts);
        if facts.pay_success && product::page_kind(&u) == PageKind::PaymentResult {
            let logging: Boxed<'_, ()> = Box::pin(self.log_order(rec, settings, tab, &u, facts));
            logging.await;
        }
        let changed = before != shared(rec);
        let view = self.tab_view(rec, settings, tab);
        self.badge(rec, settings, tab, &view).await;
        (Reply::View(self.tab_message(rec, settings, tab, &view)), changed)
    }

    /// Takes in what the page in `tab` shows.
    pub(super) fn facts(&self, rec: &mut SessionRecord, tab: i32, u: &Url, facts: &PageFacts) {
        let now = self.platform.now_ms();
        let kind = product::page_kind(u);
        let mut notes = Vec::new();
        if let Some(layout) = facts.layout.as_deref() {
            notes.push(format!("layout profile {}", layout.chars().take(40).collect::<String>()));
        }
        let cart = super::cart::read_cart(rec, u, kind, facts, &mut notes);
        // Page text, capped: it is stored with the session.
        let dom_now = facts.price.first().map(|p| p.chars().take(200).collect::<String>());
        let dom_first = rec.tab(tab).and_then(|t| t.dom_price_first.clone()).or_else(|| dom_now.clone());
        let product_info = if kind == PageKind::Product { self.product_info(u, facts, &dom_now, &dom_first, &mut notes) } else { None };
        if let Some(p) = &product_info {
            if let Some(id) = &p.id {
                rec.saw_rate(id, p.rate_bp);
            }
        }
        let checkout = (kind == PageKind::Checkout).then(|| self.checkout_info(rec, u, facts, now, &mut notes));
        if let Some(c) = &checkout {
            if c.total.is_some() || rec.last_checkout.is_none() {
                rec.last_checkout = Some(c.clone());
            }
        }
        self.rival_links(rec, tab, u, facts);
        if facts.bait_hidden == Some(true) && !rec.evidence.iter().any(|e| e.kind == EvidenceKind::Bait) {
            self.record_evidence(rec, Some(tab), EvidenceKind::Bait, "cosmetic filter", &format!("bait element hidden on {}", u.host));
        }
        let info = rec.tab_mut(tab, now);
        info.checkout = checkout;
        info.dom_price_first = dom_first;
        info.kind = Some(kind);
        info.price_unrecognised = kind == PageKind::Product && product_info.is_none();
        if info.price_unrecognised {
            notes.extend(record::raw_notes(facts));
        }
        info.product = product_info;
        info.notes = notes.iter().map(|n| record::cap_note(n)).collect();
        info.cart_unread = matches!(cart, Some(extract::CartRead::Unread(_)));
        if let Some(extract::CartRead::Lines(lines)) = cart {
            info.cart_lines = lines;
        }
    }

    /// The product on a product page, with its rate; `None` without a price.
    #[inline(always)]
    fn product_info(
        &self,
        u: &Url,
        facts: &PageFacts,
        dom_now: &Option<String>,
        dom_first: &Option<String>,
        notes: &mut Vec<String>,
    ) -> Option<ProductInfo> {
        let mut read = extract::product(u, facts, &self.pkg.layouts.embedded_paths);
        notes.extend(read.notes.iter().take(10).cloned());
        // The shopper changed SKU or quantity: the visible price moved away from the one
        // the structured data describes.
        if let (Some(now_text), Some(first), Some(structured)) = (dom_now, dom_first, &read.price) {
            if read.source != "dom" && now_text != first {
                if let Ok(p) = price::parse_price(now_text, Some(structured.currency)) {
                    if p.currency == structured.currency {
                        read.price = Some(p);
                        read.source = "dom (changed on the page)".into();
                    }
                }
            }
        }
        let rate = self.pkg.config.rate_for(&read.categories);
        read.price.as_ref().map(|p| ProductInfo {
            id: read.id.clone(),
            price: StoredPrice::from_range(p),
            category: read.categories.first().cloned(),
            quantity: read.quantity,
            source: read.source.clone(),
            rate_bp: rate,
        })
    }

    /// The checkout page: its total, a coupon code, app payment, and the rate.
    #[inline(always)]
    fn checkout_info(&self, rec: &SessionRecord, u: &Url, facts: &PageFacts, now: f64, notes: &mut Vec<String>) -> CheckoutInfo {
        let total = facts.order_total.iter().find_map(|t| price::parse_price(t, None).ok());
        if total.is_none() {
            notes.extend(facts.order_total.iter().take(2).map(|t| format!("order total text: {}", t.chars().take(80).collect::<String>())));
        }
        let code = facts.promo_code.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(|c| c.chars().take(40).collect());
        CheckoutInfo {
            total: total.as_ref().map(StoredPrice::from_range),
            promo_code: code,
            app_payment: facts.app_payment,
            rate_bp: self.checkout_rate(rec, u),
            at_ms: now,
        }
    }

    /// The rate of a checkout: its product's (seen this session), else one rate shared by
    /// all the cart's products seen, else the default rate.
    fn checkout_rate(&self, rec: &SessionRecord, u: &Url) -> u32 {
        let default = self.pkg.config.rate_for(&[]);
        if let Some(id) = u.param("objectId") {
            return rec.rate_seen(id).unwrap_or(default);
        }
        let ids = rec.cart.ids_now.clone().unwrap_or_default();
        let rates: Vec<u32> = ids.iter().filter_map(|id| rec.rate_seen(id)).collect();
        match rates.first() {
            Some(&first) if rates.len() == ids.len() && rates.iter().all(|&rate| rate == first) => first,
            _ => default,
        }
    }

    /// Links and hidden iframes on the page that lead through another affiliate.
    fn rival_links(&self, rec: &mut SessionRecord, tab: i32, base: &Url, facts: &PageFacts) {
        let links = facts.affiliate_links.iter().take(50).map(|h| (h, "link"));
        let frames = facts.affiliate_frames.iter().take(20).map(|h| (h, "hidden iframe"));
        for (href, what) in links.chain(frames) {
            let Ok(target) = url::parse_with_base(href, base) else {
                continue;
            };
            if matches!(attribution::classify_host(&target.host), attribution::HostKind::Storefront | attribution::HostKind::Other) {
                continue;
            }
            let key = attribution::redirect_key(&target);
            if key.as_deref() == Some(self.pkg.config.affiliate_key.as_str()) {
                continue;
            }
            let subject = key.unwrap_or_else(|| target.host.clone());
            self.record_evidence(rec, Some(tab), EvidenceKind::RivalLink, &subject, &format!("{what} {}", target.serialize()));
        }
    }
}
