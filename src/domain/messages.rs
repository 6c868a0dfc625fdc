//! The requests from our own contexts (content script, popup, options → worker) and the
//! page facts they carry; the answers are in [`super::protocol`], the browser events that
//! bring the requests in [`super::events`]. Anything that does not decode into these types
//! is answered with an error value, never a panic.

use super::json::{self, serde_via_from_json, FromJson, Obj};
use serde::Serialize;
use serde_json::Value;

/// Raw facts a content script collected from a page, by the selectors and data paths of
/// the layout profile the worker gave it. Nothing here is trusted or parsed yet.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageFacts {
    /// Which layout profile the content script applied.
    pub layout: Option<String>,
    /// Text of `<script type="application/ld+json">` elements.
    pub json_ld: Vec<String>,
    /// Text of inline scripts holding embedded data (`runParams`, `__AER_DATA__`).
    pub embedded: Vec<String>,
    /// Visible price texts, in profile order (current price first).
    pub price: Vec<String>,
    /// Breadcrumb/category link hrefs.
    pub category_links: Vec<String>,
    /// The quantity input's value.
    pub quantity: Option<String>,
    /// Header cart counter text.
    pub cart_count: Option<String>,
    /// Cart lines on a cart page (None when this is not a cart page or no line matched).
    pub cart_items: Option<Vec<CartLine>>,
    /// Cart page: the content script waited its time and found neither lines nor the
    /// empty-cart marker.
    pub cart_waited: bool,
    /// `href`s of links to affiliate redirect hosts on the page (bounded).
    pub affiliate_links: Vec<String>,
    /// `src`s of hidden iframes to affiliate redirect hosts.
    pub affiliate_frames: Vec<String>,
    /// Checkout / payment result: the order total as shown.
    pub order_total: Vec<String>,
    /// Checkout: what is typed in the promo-code field.
    pub promo_code: Option<String>,
    /// Checkout: the "price in the app" / QR payment block is open.
    pub app_payment: bool,
    /// Payment result: the page says the payment succeeded.
    pub pay_success: bool,
    /// Payment result: links to orders (`/p/order/detail.html?orderId=`).
    pub order_links: Vec<String>,
    /// The once-per-page cosmetic bait: `Some(true)` when a filter hid it.
    pub bait_hidden: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CartLine {
    pub href: String,
    pub quantity: Option<String>,
}

// Decoding (serde's rules, see `json`): every field defaults; `PageFacts`' names are
// camelCase.

impl FromJson for PageFacts {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct PageFacts")?;
        let r = PageFacts {
            layout: o.def("layout"),
            json_ld: o.def("jsonLd"),
            embedded: o.def("embedded"),
            price: o.def("price"),
            category_links: o.def("categoryLinks"),
            quantity: o.def("quantity"),
            cart_count: o.def("cartCount"),
            cart_items: o.def("cartItems"),
            cart_waited: o.def("cartWaited"),
            affiliate_links: o.def("affiliateLinks"),
            affiliate_frames: o.def("affiliateFrames"),
            order_total: o.def("orderTotal"),
            promo_code: o.def("promoCode"),
            app_payment: o.def("appPayment"),
            pay_success: o.def("paySuccess"),
            order_links: o.def("orderLinks"),
            bait_hidden: o.def("baitHidden"),
        };
        o.end(r)
    }
}

impl FromJson for CartLine {
    fn from_json(v: Value) -> Result<Self, json::Error> {
        let mut o = Obj::new(v, "struct CartLine")?;
        let r = CartLine { href: o.def("href"), quantity: o.def("quantity") };
        o.end(r)
    }
}

serde_via_from_json!(PageFacts, CartLine);

/// Requests from our own extension contexts.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Content script: a page (or a single-page navigation) started.
    Hello {
        url: String,
    },
    /// Content script: what the page shows.
    Facts {
        url: String,
        facts: PageFacts,
    },
    /// Content script: the shopper clicked "Add to cart" / "Buy now" (trusted click).
    CartIntent {
        url: String,
    },
    /// Banner (tab from the sender) or popup (`tab_id`): a trusted click on Activate.
    Activate {
        tab_id: Option<i32>,
        /// Banner: the page as it is at the click (the cart snapshot must not miss it).
        url: Option<String>,
        facts: Option<PageFacts>,
    },
    /// Popup: the view for a tab.
    Popup {
        tab_id: Option<i32>,
        /// Set by the worker (adapter): the browser withholds our host permissions.
        no_host_access: bool,
    },
    /// Options page.
    GetSettings,
    SetSettings {
        settings: Value,
    },
    ClearSession,
    /// Options: look at the installed extensions now (after the permission was granted).
    CheckExtensions,
    /// Popup: the order log as `json` or `csv` text.
    ExportOrders {
        format: String,
    },
    /// Popup: the refunded amount of a logged order, as the shopper typed it.
    SetRefund {
        order: String,
        amount: String,
    },
    /// Options page, or the operator's site by message: link the shopper's account id.
    LinkAccount {
        account: String,
    },
    /// Popup / options: forget the linked account.
    UnlinkAccount,
    /// Debug builds only: panics on purpose, to test recovery.
    DebugPanic,
}

/// Field readers for the hand-written decoders below. The wire format is internally tagged
/// (`{"type": "hello", "url": …}`); decoding it by hand is several times smaller in wasm
/// than serde's visitors for two dozen variants, and just as strict: a missing required
/// field or a field of the wrong type is an error naming it; unknown fields are ignored.
pub(super) struct Fields(pub(super) serde_json::Map<String, Value>);

impl Fields {
    pub(super) fn take(&mut self, k: &str) -> Option<Value> {
        self.0.remove(k).filter(|v| !v.is_null())
    }
    pub(super) fn req(&mut self, k: &str) -> Result<Value, String> {
        self.take(k).ok_or_else(|| format!("missing field `{k}`"))
    }
    pub(super) fn str(&mut self, k: &str) -> Result<String, String> {
        match self.req(k)? {
            Value::String(s) => Ok(s),
            _ => Err(format!("`{k}` must be a string")),
        }
    }
    pub(super) fn opt_str(&mut self, k: &str) -> Result<Option<String>, String> {
        if self.0.get(k).is_none_or(Value::is_null) {
            return Ok(None);
        }
        self.str(k).map(Some)
    }
    pub(super) fn str_or_empty(&mut self, k: &str) -> Result<String, String> {
        self.opt_str(k).map(Option::unwrap_or_default)
    }
    pub(super) fn int(&mut self, k: &str) -> Result<i32, String> {
        self.req(k)?.as_i64().and_then(|n| i32::try_from(n).ok()).ok_or_else(|| format!("`{k}` must be an integer"))
    }
    pub(super) fn opt_int(&mut self, k: &str) -> Result<Option<i32>, String> {
        if self.0.get(k).is_none_or(Value::is_null) {
            return Ok(None);
        }
        self.int(k).map(Some)
    }
    pub(super) fn flag(&mut self, k: &str) -> Result<bool, String> {
        match self.take(k) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(b),
            Some(_) => Err(format!("`{k}` must be true or false")),
        }
    }
    pub(super) fn obj(&mut self, k: &str) -> Result<Fields, String> {
        match self.take(k) {
            None => Ok(Fields(serde_json::Map::new())),
            Some(Value::Object(m)) => Ok(Fields(m)),
            Some(_) => Err(format!("`{k}` must be an object")),
        }
    }
    pub(super) fn facts(&mut self, k: &str) -> Result<Option<PageFacts>, String> {
        match self.take(k) {
            None => Ok(None),
            Some(v) => json::from_value(v).map(Some).map_err(|e| format!("`{k}`: {e}")),
        }
    }
}

/// The object and its tag (`type` or `kind`).
pub(super) fn tagged(v: Value, tag: &str) -> Result<(String, Fields), String> {
    let Value::Object(mut m) = v else {
        return Err("not an object".into());
    };
    match m.remove(tag) {
        Some(Value::String(t)) => Ok((t, Fields(m))),
        _ => Err(format!("no `{tag}`")),
    }
}

impl Request {
    pub fn decode(v: Value) -> Result<Request, String> {
        Self::decode_tagged(v).map(|(_, r)| r)
    }

    /// The request and its wire tag (`type`), for messages that name it.
    pub fn decode_tagged(v: Value) -> Result<(String, Request), String> {
        let (t, mut f) = tagged(v, "type")?;
        let r = match t.as_str() {
            "hello" => Request::Hello { url: f.str("url")? },
            "facts" => Request::Facts { url: f.str("url")?, facts: f.facts("facts")?.ok_or("missing field `facts`")? },
            "cart-intent" => Request::CartIntent { url: f.str("url")? },
            "activate" => Request::Activate { tab_id: f.opt_int("tabId")?, url: f.opt_str("url")?, facts: f.facts("facts")? },
            "popup" => Request::Popup { tab_id: f.opt_int("tabId")?, no_host_access: f.flag("noHostAccess")? },
            "get-settings" => Request::GetSettings,
            "set-settings" => Request::SetSettings { settings: f.req("settings")? },
            "clear-session" => Request::ClearSession,
            "check-extensions" => Request::CheckExtensions,
            "export-orders" => Request::ExportOrders { format: f.str("format")? },
            "set-refund" => Request::SetRefund { order: f.str("order")?, amount: f.str("amount")? },
            "link-account" => Request::LinkAccount { account: f.str("account")? },
            "unlink-account" => Request::UnlinkAccount,
            "debug-panic" => Request::DebugPanic,
            other => return Err(format!("unknown variant `{}`", other.chars().take(40).collect::<String>())),
        };
        Ok((t, r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_requests() {
        let r = Request::decode(serde_json::from_str(r#"{"type":"activate","tabId":5}"#).unwrap()).unwrap();
        assert_eq!(r, Request::Activate { tab_id: Some(5), url: None, facts: None });
        let r = Request::decode(serde_json::from_str(r#"{"type":"activate"}"#).unwrap()).unwrap();
        assert_eq!(r, Request::Activate { tab_id: None, url: None, facts: None });
        let r = Request::decode(serde_json::from_str(r#"{"type":"hello","url":"https://x"}"#).unwrap()).unwrap();
        assert_eq!(r, Request::Hello { url: "https://x".into() });
        let r =
            Request::decode(serde_json::from_str(r#"{"type":"facts","url":"u","facts":{"price":["US $1"],"junk":1}}"#).unwrap()).unwrap();
        match r {
            Request::Facts { facts, .. } => assert_eq!(facts.price, vec!["US $1".to_string()]),
            _ => panic!(),
        }
    }

    #[test]
    fn unit_variants_decode() {
        assert_eq!(Request::decode(serde_json::json!({"type": "get-settings"})), Ok(Request::GetSettings));
        // Unknown fields are ignored, for unit variants as for the others.
        assert_eq!(Request::decode(serde_json::json!({"type": "get-settings", "x": 1})), Ok(Request::GetSettings));
        // Wrong types and missing fields name the field.
        assert_eq!(Request::decode(serde_json::json!({"type": "hello", "url": 5})), Err("`url` must be a string".into()));
        assert_eq!(Request::decode(serde_json::json!({"type": "popup", "tabId": 1.5})), Err("`tabId` must be an integer".into()));
        assert_eq!(Request::decode(serde_json::json!({"type": "popup", "tabId": 4294967296u64})), Err("`tabId` must be an integer".into()));
        assert_eq!(Request::decode(serde_json::json!({"type": "set-refund", "order": "o1"})), Err("missing field `amount`".into()));
    }

    #[test]
    fn rejects_malformed_requests() {
        for bad in [
            r#"{}"#,
            r#"{"type":"nope"}"#,
            r#"{"type":"hello"}"#,
            r#"{"type":"hello","url":5}"#,
            r#"{"type":"activate","tabId":"x"}"#,
            r#"[1,2]"#,
            r#""activate""#,
        ] {
            assert!(Request::decode(serde_json::from_str(bad).unwrap()).is_err(), "{bad}");
        }
    }
}
