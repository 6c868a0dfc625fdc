//! Routing: who sent a message (and so what it may ask), and which room answers each
//! request and each browser event.

use super::{error, Ctx};
use crate::domain::config::Config;
use crate::domain::events::{BrowserEvent, Sender};
use crate::domain::messages::Request;
use crate::domain::protocol::Reply;
use crate::domain::record::{SessionRecord, Settings};
use crate::domain::{attribution, url};
use crate::ports::Platform;

/// What a request is allowed to do, from who sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// Our content script in this tab.
    Content(i32),
    /// Our popup / options page.
    Page,
    /// The operator's site (top frame), by `externally_connectable`: may only link an account.
    Site,
}

pub(super) fn classify_sender(sender: &Sender, our_id: &str, pages_url: &str) -> Result<Origin, String> {
    if sender.id.as_deref() != Some(our_id) {
        return Err("message from another extension or page".into());
    }
    match (&sender.tab, &sender.url) {
        (_, Some(u)) if u.starts_with(pages_url) => Ok(Origin::Page),
        (Some(tab), _) => match tab.id {
            Some(id) if id >= 0 => Ok(Origin::Content(id)),
            _ => Err("content script without a tab".into()),
        },
        _ => Err("unknown sender".into()),
    }
}

/// A message from a web page (`runtime.onMessageExternal`): only the operator's site, in its
/// top frame, and only when the operator uses accounts.
pub(super) fn classify_external(sender: &Sender, cfg: &Config) -> Result<Origin, String> {
    let Some(acc) = &cfg.account else { return Err("this extension takes no messages from web pages".into()) };
    let page_origin = sender
        .url
        .as_deref()
        .and_then(|u| url::parse(u).ok())
        .map(|u| format!("{}://{}{}", u.scheme, u.host, u.port.map(|p| format!(":{p}")).unwrap_or_default()));
    let top = sender.frame_id == Some(0);
    match (sender.id.is_none(), sender.origin.as_deref() == Some(acc.site.as_str()), page_origin.as_deref() == Some(acc.site.as_str()), top)
    {
        (true, true, true, true) => Ok(Origin::Site),
        (_, _, _, false) => Err("only the operator's page itself (not a frame) may link an account".into()),
        _ => Err("only the operator's site may link an account".into()),
    }
}

/// Events the worker forwards that concern nothing here, answered before any storage is
/// read: its listeners take every cookie and every failed request of the manifest's hosts
/// (the lists live here, not in JS); only attribution cookies and blocked requests of the
/// trackers table (or a failed page load) count.
pub(super) fn ignored(event: &BrowserEvent) -> bool {
    match event {
        BrowserEvent::Cookie { cookie, .. } => ![attribution::AEU_CID, attribution::XMAN_US_F].contains(&cookie.name.as_str()),
        BrowserEvent::NetError { url, error, rtype, .. } => {
            rtype != "main_frame" && super::detection::blocked_tracker(url, error, rtype).is_none()
        }
        _ => false,
    }
}

/// The session starts over (the known tabs stay).
#[inline(always)]
fn clear_session(rec: &mut SessionRecord) -> Reply {
    let tabs = std::mem::take(&mut rec.tabs);
    *rec = SessionRecord { tabs, ..Default::default() };
    Reply::Ok
}

impl<'a, P: Platform> Ctx<'a, P> {
    /// One browser event to the room that handles it: the reply (`null` for events that
    /// are not messages) and whether the views changed.
    pub(super) async fn dispatch(&self, rec: &mut SessionRecord, settings: &mut Settings, event: BrowserEvent, now: f64) -> (Reply, bool) {
        match event {
            // A message from our own content scripts and pages.
            BrowserEvent::Message { msg, sender } => match classify_sender(&sender, &self.platform.extension_id(), &self.platform.pages_url()) {
                Err(e) => (error(e), false),
                Ok(origin) => match Request::decode_tagged(msg) {
                    Ok((tag, req)) => self.request(rec, settings, req, &tag, origin).await,
                    Err(e) => (error(format!("unknown message: {e}")), false),
                },
            },
            BrowserEvent::External { msg, sender } => (Reply::Site(self.link_from_site(rec, settings, msg, &sender).await), false),
            BrowserEvent::Redirect { tab_id, url, redirect_url, rtype } => {
                (Reply::None, self.on_redirect(rec, tab_id, &url, &redirect_url, &rtype, now))
            }
            BrowserEvent::NetError { tab_id, url, error, rtype, .. } => {
                (Reply::None, self.on_net_error(rec, tab_id, &url, &error, &rtype, now))
            }
            BrowserEvent::Completed { tab_id, url } => (Reply::None, self.on_completed(rec, tab_id, &url).await),
            BrowserEvent::Cookie { removed, cookie, .. } => (Reply::None, !removed && self.on_cookie_written(rec, &cookie, now)),
            BrowserEvent::Alarm { name } => (Reply::None, self.on_alarm(rec, settings, &name).await),
            BrowserEvent::Fault { message } => {
                rec.note(format!("internal error, recovered (the worker restarted its core): {message}"));
                (Reply::None, false)
            }
            BrowserEvent::TabRemoved { tab_id } => (Reply::None, self.on_tab_removed(rec, tab_id, now)),
        }
    }

    /// One request to the room that answers it: the reply, and whether the views changed.
    async fn request(&self, rec: &mut SessionRecord, settings: &mut Settings, req: Request, tag: &str, origin: Origin) -> (Reply, bool) {
        match (req, origin) {
            (Request::Hello { url }, Origin::Content(tab)) => self.hello(rec, settings, tab, &url).await,
            (Request::Facts { url, facts }, Origin::Content(tab)) => self.page_facts(rec, settings, tab, &url, &facts).await,
            (Request::CartIntent { url }, Origin::Content(tab)) => self.cart_intent(rec, tab, &url),
            (Request::Activate { url, facts, .. }, Origin::Content(tab)) => self.activate_from_page(rec, settings, tab, url, facts).await,
            (Request::Activate { tab_id: Some(tab), .. }, Origin::Page) => self.activate_from_popup(rec, settings, tab).await,
            (Request::Popup { tab_id }, Origin::Page) => (self.popup(rec, settings, tab_id).await, false),
            (Request::GetSettings, Origin::Page) => (self.settings_reply(settings), false),
            (Request::SetSettings { settings: raw }, Origin::Page) => self.set_settings(settings, raw).await,
            (Request::LinkAccount { account }, Origin::Page) => self.link_from_options(settings, &account).await,
            (Request::UnlinkAccount, Origin::Page) => self.unlink_account(settings).await,
            (Request::CheckExtensions, Origin::Page) => self.extensions_reply(rec),
            (Request::ExportOrders { format }, Origin::Page) => self.export_orders(&format).await,
            (Request::SetRefund { order, amount }, Origin::Page) => self.set_refund(settings, &order, &amount).await,
            (Request::ClearSession, Origin::Page) => (clear_session(rec), true),
            // Only debug builds and test configs (`test_hooks`), only from our own contexts.
            (Request::DebugPanic, _) if cfg!(debug_assertions) || self.pkg.config.test_hooks => panic!("debug-panic requested"),
            (_, o) => {
                let from = if o == Origin::Page { "an extension page" } else { "a content script" };
                (error(format!("{tag} is not allowed from {from}")), false)
            }
        }
    }
}

#[cfg(test)]
mod firefox_pages {
    use super::*;
    use crate::domain::events::SenderTab;

    fn from(url: &str) -> Sender {
        Sender { id: Some("cg@x".into()), url: Some(url.into()), origin: None, tab: Some(SenderTab { id: Some(4) }), frame_id: Some(0) }
    }

    #[test]
    fn our_pages_are_known_by_their_base_url_in_either_browser() {
        // Firefox: a popup opened in a tab is moz-extension://<uuid>/, not the add-on id.
        let ff = "moz-extension://0c6b1f4e-5a1d-4c39-9a63-6a1d2f0c4b01/";
        assert_eq!(classify_sender(&from(&format!("{ff}ui/popup.html?tabId=3")), "cg@x", ff), Ok(Origin::Page));
        let chrome = Sender { id: Some("abc".into()), ..from("chrome-extension://abc/ui/popup.html") };
        assert_eq!(classify_sender(&chrome, "abc", "chrome-extension://abc/"), Ok(Origin::Page));
        // Someone else's extension page in a tab is not ours; a content script stays a content script.
        assert_eq!(classify_sender(&from("moz-extension://other-uuid/ui/popup.html"), "cg@x", ff), Ok(Origin::Content(4)));
        assert_eq!(classify_sender(&from("https://www.aliexpress.com/"), "cg@x", ff), Ok(Origin::Content(4)));
    }
}
