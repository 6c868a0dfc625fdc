//! The cart: what the shopper adds, what the pages show of it, and which items an
//! activation does not cover (they were there before it).

use super::detection::Problem;
use super::Ctx;
use crate::domain::cart::{self, CartWarning};
use crate::domain::evidence::EvidenceKind;
use crate::domain::extract::{self, CartRead};
use crate::domain::messages::PageFacts;
use crate::domain::product::{self, PageKind};
use crate::domain::protocol::Reply;
use crate::domain::record::SessionRecord;
use crate::domain::session::State;
use crate::domain::url::{self, Url};
use crate::ports::Platform;

/// No activation covers the cart yet (none, or one that ended): whatever is in it now
/// would be missed.
fn not_yet_covered(rec: &SessionRecord) -> bool {
    rec.activation.state.can_activate() && rec.activation.state != State::Hijacked
}

/// Lines in the cart before activation, said next to Activate too (the click that would
/// make them stale).
#[inline(always)]
pub(super) fn before_activation(rec: &SessionRecord) -> Option<u64> {
    if not_yet_covered(rec) {
        rec.cart.before_activation().map(u64::from)
    } else {
        None
    }
}

/// Items the activation does not cover: before activation, whatever is in the cart now;
/// after, the items that were there at the click.
pub(super) fn cart_problem(rec: &SessionRecord) -> Option<Problem<'_>> {
    let (count, ids) = if not_yet_covered(rec) {
        rec.cart.before_activation().map(|n| (n, rec.cart.ids_now.clone().unwrap_or_default()))
    } else {
        match rec.cart.warning() {
            Some(CartWarning::Items(ids)) => Some((ids.len() as u32, ids)),
            Some(CartWarning::Count(n)) => Some((n, Vec::new())),
            None => None,
        }
    }?;
    Some(Problem::Cart { count, ids: ids.join(",") })
}

/// Cart lines to flag in `tab`, by their index in the content script's list: `[[i, id], …]`.
#[inline(always)]
pub(super) fn flags(rec: &SessionRecord, tab: i32) -> Vec<(usize, String)> {
    match rec.tab(tab) {
        Some(t) if t.kind == Some(PageKind::Cart) => cart::flag_lines(&t.cart_lines, &rec.cart.flags()),
        _ => Vec::new(),
    }
}

/// What a page shows of the cart: the header counter everywhere, the lines on the cart
/// page (`None` elsewhere, or while the page still renders its cart). A cart page that
/// could not be read says why in `notes`.
#[inline(always)]
pub(super) fn read_cart(rec: &mut SessionRecord, u: &Url, kind: PageKind, facts: &PageFacts, notes: &mut Vec<String>) -> Option<CartRead> {
    if let Some(n) = facts.cart_count.as_deref().and_then(cart::parse_count) {
        rec.cart.observe_count(n);
    }
    let read = (kind == PageKind::Cart).then(|| extract::cart_read(u, facts));
    match &read {
        Some(CartRead::Lines(lines)) => rec.cart.observe_items(&extract::distinct_ids(lines)),
        Some(CartRead::Unread(note)) => notes.push(note.clone()),
        _ => {} // not a cart page, or the page is still rendering its cart
    }
    read
}

impl<'a, P: Platform> Ctx<'a, P> {
    /// A trusted "Add to cart" / "Buy now" click on a product page.
    #[inline(always)]
    pub(super) fn cart_intent(&self, rec: &mut SessionRecord, tab: i32, page: &str) -> (Reply, bool) {
        let id = url::parse(page).ok().and_then(|u| product::product_id(&u));
        if let Some(id) = id {
            rec.cart.added(&id);
            self.record_evidence(rec, Some(tab), EvidenceKind::Page, &id, "added to cart");
        }
        (Reply::Ok, false)
    }
}
