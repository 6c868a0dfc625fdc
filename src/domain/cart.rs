//! Cart bookkeeping. Items that were in the cart when cashback was activated earn
//! nothing; we remember what was there at that moment and flag it until the shopper
//! removes it (re-adding it after activation makes it count).
//!
//! Knowledge comes in two grades: the header counter (how many lines, on every page) and
//! the cart page (which product ids). With only the counter at activation, the items seen
//! later on the cart page minus those added after activation (trusted "Add to cart"
//! clicks) are taken as the old ones, at most as many as the counter said.

use super::json::{self, serde_via_json, FromJson, Obj, Out, ToJson};
use serde_json::Value;

/// A sorted set of product ids. (A sorted `Vec`: the sets are tiny, and one less map
/// instantiation keeps the wasm small.)
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IdSet(Vec<String>);

impl IdSet {
    pub fn insert(&mut self, id: String) {
        if let Err(i) = self.0.binary_search(&id) {
            self.0.insert(i, id);
        }
    }
    pub fn contains(&self, id: &str) -> bool {
        self.0.binary_search_by(|x| x.as_str().cmp(id)).is_ok()
    }
    pub fn retain(&mut self, f: impl FnMut(&String) -> bool) {
        self.0.retain(f);
    }
    pub fn clear(&mut self) {
        self.0.clear();
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn iter(&self) -> std::slice::Iter<'_, String> {
        self.0.iter()
    }
}

impl FromIterator<String> for IdSet {
    fn from_iter<I: IntoIterator<Item = String>>(it: I) -> Self {
        // Sorted insertion, no duplicates (no general sort in the wasm).
        let mut v: Vec<String> = Vec::new();
        for id in it {
            if let Err(i) = v.binary_search(&id) {
                v.insert(i, id);
            }
        }
        IdSet(v)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub at_ms: u64,
    /// Header counter at activation.
    pub count: Option<u32>,
    /// Product ids on the cart page at activation, when it had been seen.
    pub ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CartBook {
    /// Latest header counter reading.
    pub count_now: Option<u32>,
    /// Latest cart page reading (product ids).
    pub ids_now: Option<Vec<String>>,
    /// What the cart held when cashback was activated.
    pub snapshot: Option<Snapshot>,
    /// Old items still in the cart (flagged).
    pub stale: IdSet,
    /// Items added after activation (trusted clicks or appearing on the cart page).
    pub added_after: IdSet,
    /// Whether `stale` was settled from item-level knowledge.
    pub item_level: bool,
}

// Decoding (serde's rules, see `json`): every field defaults; an `IdSet` is its list.

impl FromJson for IdSet {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        Vec::from_json(v).map(IdSet)
    }
}

impl FromJson for Snapshot {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct Snapshot")?;
        let r = Snapshot { at_ms: o.def("at_ms"), count: o.def("count"), ids: o.def("ids") };
        o.end(r)
    }
}

impl FromJson for CartBook {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct CartBook")?;
        let r = CartBook {
            count_now: o.def("count_now"),
            ids_now: o.def("ids_now"),
            snapshot: o.def("snapshot"),
            stale: o.def("stale"),
            added_after: o.def("added_after"),
            item_level: o.def("item_level"),
        };
        o.end(r)
    }
}

impl ToJson for IdSet {
    fn to_json(&self) -> Value {
        self.0.to_json()
    }
}

impl ToJson for Snapshot {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("at_ms", &self.at_ms);
        o.f("count", &self.count);
        o.f("ids", &self.ids);
        o.done()
    }
}

impl ToJson for CartBook {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("count_now", &self.count_now);
        o.f("ids_now", &self.ids_now);
        o.f("snapshot", &self.snapshot);
        o.f("stale", &self.stale);
        o.f("added_after", &self.added_after);
        o.f("item_level", &self.item_level);
        o.done()
    }
}

serde_via_json!(IdSet, Snapshot, CartBook);

/// What the shopper should be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CartWarning {
    /// Known old items still in the cart.
    Items(Vec<String>),
    /// Only the counter is known: this many lines were in the cart at activation.
    Count(u32),
}

impl CartBook {
    /// The header counter shows `n` lines.
    pub fn observe_count(&mut self, n: u32) {
        self.count_now = Some(n);
        if n == 0 && self.snapshot.is_some() {
            // Everything that was there has been removed.
            self.stale.clear();
            self.item_level = true;
        }
    }

    /// The cart page lists these product ids.
    pub fn observe_items(&mut self, ids: &[String]) {
        let now: IdSet = ids.iter().cloned().collect();
        self.count_now = Some(ids.len() as u32);
        self.ids_now = Some(now.iter().cloned().collect());
        let Some(snap) = &self.snapshot else { return };
        if !self.item_level {
            // First item-level look after an activation that only knew the counter.
            let limit = snap.count.unwrap_or(0) as usize;
            self.stale = now.iter().filter(|id| !self.added_after.contains(id)).take(limit).cloned().collect();
            self.item_level = true;
            return;
        }
        // Removed old items are no longer stale; if they come back they are new.
        self.stale.retain(|id| now.contains(id));
        for id in now.iter() {
            if !self.stale.contains(id) {
                self.added_after.insert(id.clone());
            }
        }
    }

    /// A trusted "Add to cart" / "Buy now" click for `id` after activation.
    pub fn added(&mut self, id: &str) {
        if self.snapshot.is_some() {
            self.added_after.insert(id.to_string());
        }
    }

    /// Cashback was just activated: remember what the cart held.
    pub fn snapshot_now(&mut self, at_ms: u64) {
        let ids = self.ids_now.clone();
        self.snapshot = Some(Snapshot { at_ms, count: self.count_now, ids: ids.clone() });
        self.added_after.clear();
        match ids {
            Some(ids) => {
                self.stale = ids.into_iter().collect();
                self.item_level = true;
            }
            None => {
                self.stale.clear();
                self.item_level = false;
            }
        }
    }

    /// The session ended or was cleared.
    pub fn reset(&mut self) {
        *self = CartBook { count_now: self.count_now, ids_now: self.ids_now.clone(), ..Default::default() };
    }

    pub fn warning(&self) -> Option<CartWarning> {
        let snap = self.snapshot.as_ref()?;
        if self.item_level {
            if self.stale.is_empty() {
                None
            } else {
                Some(CartWarning::Items(self.stale.iter().cloned().collect()))
            }
        } else {
            match snap.count {
                Some(n) if n > 0 && self.count_now != Some(0) => Some(CartWarning::Count(n)),
                _ => None,
            }
        }
    }

    /// Product ids to flag on the cart page.
    pub fn flags(&self) -> Vec<String> {
        self.stale.iter().cloned().collect()
    }

    /// Lines in the cart while not yet activated (for the notice before activation).
    pub fn before_activation(&self) -> Option<u32> {
        self.count_now.filter(|n| *n > 0)
    }
}

/// Which cart lines to flag: `[index, product id]` of every line (page order, as the content
/// script sent them) whose product is in `stale`.
pub fn flag_lines(lines: &[String], stale: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, id) in lines.iter().enumerate() {
        if !id.is_empty() && stale.contains(id) {
            out.push((i, id.clone()));
        }
    }
    out
}

/// The header counter's text → a count ("3", " 12 ", "99+" → 99; "..." → unknown).
pub fn parse_count(text: &str) -> Option<u32> {
    let t = text.trim().trim_end_matches('+');
    if t.is_empty() || t.len() > 6 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn item_level_snapshot_flags_old_items() {
        let mut c = CartBook::default();
        c.observe_items(&ids(&["1", "2", "3"]));
        assert_eq!(c.before_activation(), Some(3));
        c.snapshot_now(10);
        assert_eq!(c.warning(), Some(CartWarning::Items(ids(&["1", "2", "3"]))));
        c.added("4");
        c.observe_items(&ids(&["1", "2", "3", "4"]));
        assert_eq!(c.flags(), ids(&["1", "2", "3"]), "added after activation is not flagged");
    }

    #[test]
    fn remove_and_readd_clears_that_item() {
        let mut c = CartBook::default();
        c.observe_items(&ids(&["1", "2"]));
        c.snapshot_now(10);
        c.observe_items(&ids(&["2"]));
        assert_eq!(c.flags(), ids(&["2"]));
        c.observe_items(&ids(&["1", "2"]));
        assert_eq!(c.flags(), ids(&["2"]), "re-added item is new");
        c.observe_items(&ids(&["1"]));
        c.observe_items(&ids(&["1", "2"]));
        assert_eq!(c.warning(), None, "all old items were re-added");
    }

    #[test]
    fn empty_cart_no_warning() {
        let mut c = CartBook::default();
        c.observe_count(0);
        c.snapshot_now(10);
        assert_eq!(c.warning(), None);
        assert_eq!(c.before_activation(), None);
        let mut c = CartBook::default();
        c.snapshot_now(10);
        assert_eq!(c.warning(), None, "nothing known: no warning rather than a wrong one");
    }

    #[test]
    fn counter_only_then_cart_page() {
        let mut c = CartBook::default();
        c.observe_count(2);
        c.snapshot_now(10);
        assert_eq!(c.warning(), Some(CartWarning::Count(2)));
        c.added("9");
        c.observe_items(&ids(&["5", "6", "9"]));
        assert_eq!(c.flags(), ids(&["5", "6"]));
        assert_eq!(c.warning(), Some(CartWarning::Items(ids(&["5", "6"]))));
    }

    #[test]
    fn counter_to_zero_clears() {
        let mut c = CartBook::default();
        c.observe_count(2);
        c.snapshot_now(10);
        c.observe_count(0);
        assert_eq!(c.warning(), None);
    }

    #[test]
    fn session_end_resets() {
        let mut c = CartBook::default();
        c.observe_items(&ids(&["1"]));
        c.snapshot_now(10);
        c.reset();
        assert_eq!(c.warning(), None);
        assert_eq!(c.before_activation(), Some(1), "the cart itself is still there");
    }

    #[test]
    fn flags_name_lines_by_index() {
        let lines = ids(&["7", "", "8", "7", "9"]);
        assert_eq!(flag_lines(&lines, &ids(&["7", "9"])), vec![(0, "7".to_string()), (3, "7".to_string()), (4, "9".to_string())]);
        assert!(flag_lines(&lines, &[]).is_empty());
        assert!(flag_lines(&lines, &ids(&[""])).is_empty(), "a line without an id is never flagged");
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count(" 3 "), Some(3));
        assert_eq!(parse_count("99+"), Some(99));
        assert_eq!(parse_count("..."), None);
        assert_eq!(parse_count(""), None);
        assert_eq!(parse_count("-1"), None);
        assert_eq!(parse_count("12345678"), None);
    }
}
