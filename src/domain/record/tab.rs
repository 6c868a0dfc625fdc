//! What the session record keeps of each AliExpress tab: the page kind, the product and
//! its price, a checkout, an order, the cart lines.

use crate::domain::json::{self, serde_via_json, FromJson, Obj, Out, ToJson};
use crate::domain::price::PriceRange;
use crate::domain::product::PageKind;
use serde_json::Value;

/// What the worker knows about one AliExpress tab.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TabInfo {
    pub tab_id: i32,
    pub url: String,
    pub kind: Option<PageKind>,
    pub product: Option<ProductInfo>,
    /// A product page whose price could not be read.
    pub price_unrecognised: bool,
    /// The visible price text first seen for this product in this tab: when it changes
    /// (a SKU or quantity picked), the page's text beats the structured data of the load.
    pub dom_price_first: Option<String>,
    /// Diagnostics for this tab (layout recognised, raw strings that failed to parse).
    pub notes: Vec<String>,
    pub seen_ms: f64,
    /// A checkout page: what it showed (the pitfalls are warned about on it).
    pub checkout: Option<CheckoutInfo>,
    /// A payment result page: the order logged from it.
    pub order: Option<crate::domain::orders::Order>,
    /// A cart page: the product id of each line the content script sent, in its order
    /// ("" for a line without one); flags name lines by index.
    pub cart_lines: Vec<String>,
    /// A cart page whose lines no candidate selector matched (after the page had its time).
    pub cart_unread: bool,
}

/// What a checkout page showed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckoutInfo {
    pub total: Option<StoredPrice>,
    /// The promo code typed in the checkout's code field (capped).
    pub promo_code: Option<String>,
    pub app_payment: bool,
    /// The rate for the products of this checkout (their category, or the default).
    pub rate_bp: u32,
    pub at_ms: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProductInfo {
    pub id: Option<String>,
    pub price: StoredPrice,
    pub category: Option<String>,
    pub quantity: u32,
    /// Which layer the price came from: `json-ld`, `embedded` or `dom`.
    pub source: String,
    /// The rate that applies (category rate or the default), in basis points.
    pub rate_bp: u32,
}

/// A `PriceRange` in stored form (the currency as an owned code).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoredPrice {
    pub currency: String,
    pub min_minor: u64,
    pub max_minor: Option<u64>,
    pub from: bool,
}

impl StoredPrice {
    pub fn from_range(p: &PriceRange) -> StoredPrice {
        StoredPrice { currency: p.currency.to_string(), min_minor: p.min_minor, max_minor: p.max_minor, from: p.from }
    }
    pub fn to_range(&self) -> Option<PriceRange> {
        let info = crate::domain::price::currency(&self.currency)?;
        Some(PriceRange { currency: info.code, min_minor: self.min_minor, max_minor: self.max_minor, from: self.from })
    }
}

impl FromJson for TabInfo {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct TabInfo")?;
        let r = TabInfo {
            tab_id: o.def("tab_id"),
            url: o.def("url"),
            kind: o.def("kind"),
            product: o.def("product"),
            price_unrecognised: o.def("price_unrecognised"),
            dom_price_first: o.def("dom_price_first"),
            notes: o.def("notes"),
            seen_ms: o.def("seen_ms"),
            checkout: o.def("checkout"),
            order: o.def("order"),
            cart_lines: o.def("cart_lines"),
            cart_unread: o.def("cart_unread"),
        };
        o.end(r)
    }
}

impl FromJson for CheckoutInfo {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct CheckoutInfo")?;
        let r = CheckoutInfo {
            total: o.def("total"),
            promo_code: o.def("promo_code"),
            app_payment: o.def("app_payment"),
            rate_bp: o.def("rate_bp"),
            at_ms: o.def("at_ms"),
        };
        o.end(r)
    }
}

impl FromJson for ProductInfo {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct ProductInfo")?;
        let r = ProductInfo {
            id: o.req("id"),
            price: o.req("price"),
            category: o.req("category"),
            quantity: o.req("quantity"),
            source: o.req("source"),
            rate_bp: o.def("rate_bp"),
        };
        o.end(r)
    }
}

impl FromJson for StoredPrice {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct StoredPrice")?;
        let r =
            StoredPrice { currency: o.req("currency"), min_minor: o.req("min_minor"), max_minor: o.req("max_minor"), from: o.def("from") };
        o.end(r)
    }
}

impl ToJson for TabInfo {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("tab_id", &self.tab_id);
        o.f("url", &self.url);
        o.f("kind", &self.kind);
        o.f("product", &self.product);
        o.f("price_unrecognised", &self.price_unrecognised);
        o.f("dom_price_first", &self.dom_price_first);
        o.f("notes", &self.notes);
        o.f("seen_ms", &self.seen_ms);
        o.f("checkout", &self.checkout);
        o.f("order", &self.order);
        o.f("cart_lines", &self.cart_lines);
        o.f("cart_unread", &self.cart_unread);
        o.done()
    }
}

impl ToJson for CheckoutInfo {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("total", &self.total);
        o.f("promo_code", &self.promo_code);
        o.f("app_payment", &self.app_payment);
        o.f("rate_bp", &self.rate_bp);
        o.f("at_ms", &self.at_ms);
        o.done()
    }
}

impl ToJson for ProductInfo {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("id", &self.id);
        o.f("price", &self.price);
        o.f("category", &self.category);
        o.f("quantity", &self.quantity);
        o.f("source", &self.source);
        o.f("rate_bp", &self.rate_bp);
        o.done()
    }
}

impl ToJson for StoredPrice {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("currency", &self.currency);
        o.f("min_minor", &self.min_minor);
        o.f("max_minor", &self.max_minor);
        o.f("from", &self.from);
        o.done()
    }
}

serde_via_json!(TabInfo, CheckoutInfo, ProductInfo, StoredPrice);
