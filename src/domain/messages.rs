//! The one message type between contexts (content script, popup, options → worker), and
//! the browser events the worker's listeners hand to the core. Anything that does not
//! decode into these types is answered with an error value, never a panic.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Raw facts a content script collected from a page, by the selectors and data paths of
/// the layout profile the worker gave it. Nothing here is trusted or parsed yet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
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
    /// Whether the cart page's container matched the profile at all.
    pub cart_layout_recognised: Option<bool>,
    /// `href`s of links to affiliate redirect hosts on the page (bounded).
    pub affiliate_links: Vec<String>,
    /// `src`s of hidden iframes to affiliate redirect hosts.
    pub affiliate_frames: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CartLine {
    pub href: String,
    pub quantity: Option<String>,
}

/// Requests from our own extension contexts.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum Request {
    /// Content script: a page (or a single-page navigation) started.
    Hello { url: String },
    /// Content script: what the page shows.
    Facts { url: String, facts: PageFacts },
    /// Content script: the shopper clicked "Add to cart" / "Buy now" (trusted click).
    CartIntent { url: String },
    /// Banner (tab from the sender) or popup (`tab_id`): a trusted click on Activate.
    Activate {
        #[serde(default)]
        tab_id: Option<i32>,
        /// Banner: the page as it is at the click (the cart snapshot must not miss it).
        #[serde(default)]
        url: Option<String>,
        #[serde(default)]
        facts: Option<PageFacts>,
    },
    /// Popup: the view for a tab.
    Popup { tab_id: Option<i32> },
    /// Options page.
    GetSettings,
    SetSettings { settings: Value },
    ClearSession,
    /// Options: look at the installed extensions now (after the permission was granted).
    CheckExtensions,
    /// Debug builds only: panics on purpose, to test recovery.
    DebugPanic,
}

/// Who sent a message (the parts of `chrome.runtime.MessageSender` we check).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Sender {
    pub id: Option<String>,
    pub url: Option<String>,
    pub origin: Option<String>,
    pub tab: Option<SenderTab>,
    pub frame_id: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct SenderTab {
    pub id: Option<i32>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct CookieInfo {
    pub name: String,
    pub value: String,
    pub domain: String,
}

/// Browser events, as the worker's listeners receive them (fields of the `chrome.*`
/// event details, camelCase), tagged with `kind` by the listener.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum BrowserEvent {
    Message {
        msg: Value,
        #[serde(default)]
        sender: Sender,
    },
    NetError {
        tab_id: i32,
        url: String,
        error: String,
        #[serde(rename = "type", default)]
        rtype: String,
        #[serde(default)]
        initiator: Option<String>,
    },
    Redirect {
        tab_id: i32,
        url: String,
        redirect_url: String,
        #[serde(rename = "type", default)]
        rtype: String,
    },
    Completed {
        tab_id: i32,
        url: String,
        #[serde(rename = "type", default)]
        rtype: String,
    },
    Cookie {
        #[serde(default)]
        removed: bool,
        cookie: CookieInfo,
        #[serde(default)]
        cause: String,
    },
    Alarm { name: String },
    TabRemoved { tab_id: i32 },
}

/// Decodes `{"<tag>": "<variant>", ...fields}` into an enum. The wire format is internally
/// tagged; decoding it as externally tagged (`{"<variant>": {fields}}`) avoids serde's
/// buffering of internally tagged enums, which is large in wasm.
pub fn decode_tagged<T: serde::de::DeserializeOwned>(v: Value, tag: &str) -> Result<T, String> {
    let Value::Object(mut m) = v else { return Err("not an object".into()) };
    let Some(Value::String(variant)) = m.remove(tag) else { return Err(format!("no `{tag}`")) };
    let empty = m.is_empty();
    let mut outer = serde_json::Map::new();
    outer.insert(variant.clone(), Value::Object(m));
    match super::json::from_value::<T>(Value::Object(outer)) {
        Ok(t) => Ok(t),
        // A unit variant (`{"type":"get-settings"}`).
        Err(_) if empty => super::json::from_value::<T>(Value::String(variant)).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

impl Request {
    pub fn decode(v: Value) -> Result<Request, String> {
        decode_tagged(v, "type")
    }
}

impl BrowserEvent {
    pub fn decode(v: Value) -> Result<BrowserEvent, String> {
        decode_tagged(v, "kind")
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
        let r = Request::decode(serde_json::from_str(r#"{"type":"facts","url":"u","facts":{"price":["US $1"],"junk":1}}"#).unwrap()).unwrap();
        match r {
            Request::Facts { facts, .. } => assert_eq!(facts.price, vec!["US $1".to_string()]),
            _ => panic!(),
        }
    }

    #[test]
    fn unit_variants_decode() {
        assert_eq!(Request::decode(serde_json::json!({"type": "get-settings"})), Ok(Request::GetSettings));
        assert!(Request::decode(serde_json::json!({"type": "get-settings", "x": 1})).is_err());
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

    #[test]
    fn decodes_browser_events() {
        let e = BrowserEvent::decode(serde_json::from_str(r#"{"kind":"net-error","tabId":3,"url":"https://s.click.aliexpress.com/x","error":"net::ERR_BLOCKED_BY_CLIENT","type":"main_frame","frameId":0,"timeStamp":1}"#).unwrap()).unwrap();
        assert!(matches!(e, BrowserEvent::NetError { tab_id: 3, ref rtype, .. } if rtype == "main_frame"));
        let e = BrowserEvent::decode(serde_json::from_str(r#"{"kind":"redirect","tabId":3,"url":"a","redirectUrl":"b","type":"main_frame"}"#).unwrap()).unwrap();
        assert!(matches!(e, BrowserEvent::Redirect { ref redirect_url, .. } if redirect_url == "b"));
        let e = BrowserEvent::decode(serde_json::from_str(r#"{"kind":"message","msg":{"type":"hello","url":"u"},"sender":{"id":"abc","tab":{"id":4,"url":"u"},"frameId":0}}"#).unwrap()).unwrap();
        match e {
            BrowserEvent::Message { sender, .. } => assert_eq!(sender.tab.unwrap().id, Some(4)),
            _ => panic!(),
        }
    }
}
