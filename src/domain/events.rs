//! Browser events, as the worker's listeners hand them to the core (`kind`-tagged
//! `chrome.*` event details), and who sent a message. The requests a message carries are
//! [`super::messages::Request`]. Anything that does not decode is an error value, never a
//! panic.

use super::messages::tagged;
use serde_json::Value;

/// Who sent a message (the parts of `chrome.runtime.MessageSender` we check).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sender {
    pub id: Option<String>,
    pub url: Option<String>,
    pub origin: Option<String>,
    pub tab: Option<SenderTab>,
    pub frame_id: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SenderTab {
    pub id: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CookieInfo {
    pub name: String,
    pub value: String,
}

/// Browser events, as the worker's listeners receive them (fields of the `chrome.*`
/// event details, camelCase), tagged with `kind` by the listener.
#[derive(Debug, Clone, PartialEq)]
pub enum BrowserEvent {
    Message {
        msg: Value,
        sender: Sender,
    },
    /// `runtime.onMessageExternal`: a web page listed in `externally_connectable`.
    External {
        msg: Value,
        sender: Sender,
    },
    NetError {
        tab_id: i32,
        url: String,
        error: String,
        rtype: String,
    },
    Redirect {
        tab_id: i32,
        url: String,
        redirect_url: String,
        rtype: String,
    },
    Completed {
        tab_id: i32,
        url: String,
    },
    Cookie {
        removed: bool,
        cookie: CookieInfo,
    },
    Alarm {
        name: String,
    },
    TabRemoved {
        tab_id: i32,
    },
    /// worker.js: the core trapped (a panic) on an earlier event and was re-instantiated.
    Fault {
        message: String,
    },
}

impl BrowserEvent {
    pub fn decode(v: Value) -> Result<BrowserEvent, String> {
        let (t, mut f) = tagged(v, "kind")?;
        Ok(match t.as_str() {
            "message" | "external" => {
                let msg = f.req("msg")?;
                let mut s = f.obj("sender")?;
                let tab = match s.0.get("tab") {
                    None | Some(Value::Null) => None,
                    _ => {
                        let mut tf = s.obj("tab")?;
                        Some(SenderTab { id: tf.opt_int("id")? })
                    }
                };
                let sender = Sender {
                    id: s.opt_str("id")?,
                    url: s.opt_str("url")?,
                    origin: s.opt_str("origin")?,
                    tab,
                    frame_id: s.opt_int("frameId")?,
                };
                if t == "external" {
                    BrowserEvent::External { msg, sender }
                } else {
                    BrowserEvent::Message { msg, sender }
                }
            }
            "net-error" => BrowserEvent::NetError {
                tab_id: f.int("tabId")?,
                url: f.str("url")?,
                error: f.str("error")?,
                rtype: f.str_or_empty("type")?,
            },
            "redirect" => BrowserEvent::Redirect {
                tab_id: f.int("tabId")?,
                url: f.str("url")?,
                redirect_url: f.str("redirectUrl")?,
                rtype: f.str_or_empty("type")?,
            },
            "completed" => BrowserEvent::Completed { tab_id: f.int("tabId")?, url: f.str("url")? },
            "cookie" => {
                let removed = f.flag("removed")?;
                let mut c = f.obj("cookie")?;
                let cookie = CookieInfo { name: c.str_or_empty("name")?, value: c.str_or_empty("value")? };
                BrowserEvent::Cookie { removed, cookie }
            }
            "alarm" => BrowserEvent::Alarm { name: f.str("name")? },
            "tab-removed" => BrowserEvent::TabRemoved { tab_id: f.int("tabId")? },
            "fault" => BrowserEvent::Fault { message: f.str_or_empty("message")?.chars().take(300).collect() },
            other => return Err(format!("unknown variant `{}`", other.chars().take(40).collect::<String>())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_events_name_the_field() {
        assert_eq!(
            BrowserEvent::decode(serde_json::json!({"kind": "cookie", "removed": "yes", "cookie": {}})),
            Err("`removed` must be true or false".into())
        );
        assert!(BrowserEvent::decode(serde_json::json!({"kind": "message", "msg": {}, "sender": {"tab": 3}})).is_err());
    }

    #[test]
    fn decodes_browser_events() {
        let e = BrowserEvent::decode(serde_json::from_str(r#"{"kind":"net-error","tabId":3,"url":"https://s.click.aliexpress.com/x","error":"net::ERR_BLOCKED_BY_CLIENT","type":"main_frame","frameId":0,"timeStamp":1}"#).unwrap()).unwrap();
        assert!(matches!(e, BrowserEvent::NetError { tab_id: 3, ref rtype, .. } if rtype == "main_frame"));
        let e = BrowserEvent::decode(
            serde_json::from_str(r#"{"kind":"redirect","tabId":3,"url":"a","redirectUrl":"b","type":"main_frame"}"#).unwrap(),
        )
        .unwrap();
        assert!(matches!(e, BrowserEvent::Redirect { ref redirect_url, .. } if redirect_url == "b"));
        let e = BrowserEvent::decode(
            serde_json::from_str(
                r#"{"kind":"message","msg":{"type":"hello","url":"u"},"sender":{"id":"abc","tab":{"id":4,"url":"u"},"frameId":0}}"#,
            )
            .unwrap(),
        )
        .unwrap();
        match e {
            BrowserEvent::Message { sender, .. } => assert_eq!(sender.tab.unwrap().id, Some(4)),
            _ => panic!(),
        }
    }
}
