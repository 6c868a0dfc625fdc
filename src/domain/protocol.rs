//! What the core sends back: [`Reply`] answers a request (content script, popup, options,
//! the operator's site), [`Push`] is sent unasked to tabs and extension pages. Both are
//! written to JSON here and only here ([`ToJson`]); on the JS side `content.js` (`render`),
//! `ui/popup.js`, `ui/options.js` read them. The requests themselves are
//! [`super::messages::Request`].

use super::json::{Out, ToJson};
use super::product::PageKind;
use super::record::Settings;
use super::view::Node;
use serde_json::Value;

/// A tab's banner: its view with what the content script needs to draw it (`page` for a
/// hello's reply, `view` for a later reply or push).
#[derive(Debug, Clone, PartialEq)]
pub struct TabView {
    /// When this view was computed: a content script drops views older than the one it shows.
    pub at: f64,
    pub lang: &'static str,
    pub enabled: bool,
    pub state: &'static str,
    pub view: Node,
    /// Cart lines to flag, by their index in the content script's list, with their ids.
    pub flags: Vec<(usize, String)>,
    pub flag_label: String,
}

/// A hello's extras: how to read this page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageSetup {
    /// The storefront's layout profile (selectors, markers), as the layouts file has it.
    pub profile: Value,
    pub css: String,
    pub kind: PageKind,
}

/// The options page's view of the linked account.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountInfo {
    pub site: String,
    pub id: String,
    pub status: String,
    pub help: String,
}

/// An exported order log: CSV text or a JSON value (written to text by the popup).
#[derive(Debug, Clone, PartialEq)]
pub enum ExportBody {
    Csv(String),
    Json(Value),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A browser event that is not a message: nothing to answer.
    None,
    Ok,
    Error(String),
    /// A refund the popup could not take, for the row of `order`.
    RefundError {
        error: String,
        order: String,
    },
    RefundSaved {
        status: &'static str,
    },
    /// Hello: the page is not one of ours.
    PageDisabled,
    /// Hello: the banner and how to read the page.
    Page(TabView, PageSetup),
    /// Facts: the banner as it is now.
    View(TabView),
    Activating {
        state: &'static str,
    },
    Refused {
        reason: &'static str,
    },
    NeedAccount,
    Popup {
        lang: &'static str,
        state: &'static str,
        view: Node,
        tab_id: Option<i32>,
    },
    Settings {
        settings: Settings,
        lang: &'static str,
        account: Option<AccountInfo>,
        orders_max_limit: u32,
    },
    Account {
        account: String,
        text: String,
    },
    Extensions {
        granted: bool,
        found: usize,
    },
    Export {
        filename: String,
        count: usize,
        body: ExportBody,
    },
    /// The operator's site (`onMessageExternal`): linked, or why not.
    Site(Result<(), String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Push {
    /// To a tab: its banner changed.
    View(TabView),
    /// To the popup and options: something changed (they ask for their view again).
    Changed { state: &'static str },
}

impl ToJson for Node {
    fn to_json(&self) -> Value {
        let mut o = Out::new();
        o.f("t", self.t);
        if !self.a.is_empty() {
            o.put("a", Value::Array(self.a.iter().map(|(k, v)| Value::Array(vec![(*k).into(), v.as_str().into()])).collect()));
        }
        if let Some(x) = &self.x {
            o.f("x", x);
        }
        if !self.c.is_empty() {
            o.f("c", &self.c);
        }
        o.done()
    }
}

fn typed(t: &str) -> Out {
    let mut o = Out::new();
    o.f("type", t);
    o
}

fn tab_view(t: &str, v: &TabView) -> Out {
    let mut o = typed(t);
    o.f("at", &v.at);
    o.f("lang", v.lang);
    o.f("enabled", &v.enabled);
    o.f("state", v.state);
    o.f("view", &v.view);
    o.put("flags", Value::Array(v.flags.iter().map(|(i, id)| Value::Array(vec![(*i).into(), id.as_str().into()])).collect()));
    o.f("flagLabel", &v.flag_label);
    o
}

impl ToJson for Reply {
    fn to_json(&self) -> Value {
        let o = match self {
            Reply::None => return Value::Null,
            Reply::Ok => typed("ok"),
            Reply::Error(e) => {
                let mut o = typed("error");
                o.f("error", e);
                o
            }
            Reply::RefundError { error, order } => {
                let mut o = typed("error");
                o.f("error", error);
                o.f("order", order);
                o
            }
            Reply::RefundSaved { status } => {
                let mut o = typed("ok");
                o.f("status", *status);
                o
            }
            Reply::PageDisabled => {
                let mut o = typed("page");
                o.f("enabled", &false);
                o
            }
            Reply::Page(v, setup) => {
                let mut o = tab_view("page", v);
                o.f("profile", &setup.profile);
                o.f("css", &setup.css);
                o.f("kind", &setup.kind);
                o
            }
            Reply::View(v) => tab_view("view", v),
            Reply::Activating { state } => {
                let mut o = typed("activating");
                o.f("state", *state);
                o
            }
            Reply::Refused { reason } => {
                let mut o = typed("refused");
                o.f("reason", *reason);
                o
            }
            Reply::NeedAccount => typed("need-account"),
            Reply::Popup { lang, state, view, tab_id } => {
                let mut o = typed("popup");
                o.f("lang", *lang);
                o.f("state", *state);
                o.f("view", view);
                o.f("tabId", tab_id);
                o
            }
            Reply::Settings { settings, lang, account, orders_max_limit } => {
                let mut o = typed("settings");
                o.f("settings", settings);
                o.f("lang", *lang);
                o.put(
                    "account",
                    account.as_ref().map_or(Value::Null, |a| {
                        let mut ao = Out::new();
                        ao.f("site", &a.site);
                        ao.f("id", &a.id);
                        ao.f("status", &a.status);
                        ao.f("help", &a.help);
                        ao.done()
                    }),
                );
                o.f("ordersMaxLimit", orders_max_limit);
                o
            }
            Reply::Account { account, text } => {
                let mut o = typed("account");
                o.f("account", account);
                o.f("text", text);
                o
            }
            Reply::Extensions { granted, found } => {
                let mut o = typed("extensions");
                o.f("granted", granted);
                o.put("found", (*found).into());
                o
            }
            Reply::Export { filename, count, body } => {
                let mut o = typed("export");
                o.f("filename", filename);
                o.put("count", (*count).into());
                let (mime, key, v) = match body {
                    ExportBody::Csv(text) => ("text/csv", "text", Value::String(text.clone())),
                    ExportBody::Json(data) => ("application/json", "data", data.clone()),
                };
                o.f("mime", mime);
                o.put(key, v);
                o
            }
            Reply::Site(result) => {
                let mut o = Out::new();
                o.f("ok", &result.is_ok());
                if let Err(e) = result {
                    o.f("error", e);
                }
                o
            }
        };
        o.done()
    }
}

impl ToJson for Push {
    fn to_json(&self) -> Value {
        match self {
            Push::View(v) => tab_view("view", v).done(),
            Push::Changed { state } => {
                let mut o = typed("changed");
                o.f("state", *state);
                o.done()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The wire format of each reply and push, as the JS side reads it.
    #[test]
    fn replies_and_pushes_on_the_wire() {
        let node = super::super::view::el("div").attr("data-testid", "x").text("hi");
        let tv = TabView {
            at: 5.0,
            lang: "en",
            enabled: true,
            state: "inactive",
            view: node.clone(),
            flags: vec![(2, "100".into())],
            flag_label: "Not covered".into(),
        };
        // The hand-written Node writer agrees with the derived serde one.
        assert_eq!(node.to_json(), serde_json::to_value(&node).unwrap());
        assert_eq!(
            Push::View(tv.clone()).to_json(),
            json!({"type": "view", "at": 5.0, "lang": "en", "enabled": true, "state": "inactive",
                   "view": {"t": "div", "a": [["data-testid", "x"]], "x": "hi"}, "flags": [[2, "100"]], "flagLabel": "Not covered"})
        );
        let page = Reply::Page(tv, PageSetup { profile: json!({"id": "p"}), css: "c".into(), kind: PageKind::Cart }).to_json();
        assert_eq!((page["type"].clone(), page["profile"]["id"].clone(), page["css"].clone()), (json!("page"), json!("p"), json!("c")));
        assert_eq!(page["kind"], PageKind::Cart.to_json());
        assert_eq!(Push::Changed { state: "active" }.to_json(), json!({"type": "changed", "state": "active"}));
        assert_eq!(Reply::None.to_json(), Value::Null);
        assert_eq!(Reply::Ok.to_json(), json!({"type": "ok"}));
        assert_eq!(Reply::Error("no".into()).to_json(), json!({"type": "error", "error": "no"}));
        assert_eq!(Reply::PageDisabled.to_json(), json!({"type": "page", "enabled": false}));
        assert_eq!(Reply::Refused { reason: "in-flight" }.to_json(), json!({"type": "refused", "reason": "in-flight"}));
        assert_eq!(Reply::Site(Ok(())).to_json(), json!({"ok": true}));
        assert_eq!(Reply::Site(Err("e".into())).to_json(), json!({"ok": false, "error": "e"}));
        assert_eq!(
            Reply::Export { filename: "f.csv".into(), count: 2, body: ExportBody::Csv("a,b".into()) }.to_json(),
            json!({"type": "export", "filename": "f.csv", "count": 2, "mime": "text/csv", "text": "a,b"})
        );
        assert_eq!(
            Reply::Export { filename: "f.json".into(), count: 0, body: ExportBody::Json(json!({"v": 1})) }.to_json(),
            json!({"type": "export", "filename": "f.json", "count": 0, "mime": "application/json", "data": {"v": 1}})
        );
        assert_eq!(Reply::Extensions { granted: true, found: 3 }.to_json(), json!({"type": "extensions", "granted": true, "found": 3}));
    }
}
