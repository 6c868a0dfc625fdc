//! Ports: what the core needs from the browser. The wasm adapter (`web::chrome`) binds
//! them to `chrome.*`; tests use the in-memory adapter (`memory`).

#![allow(async_fn_in_trait)] // single-threaded (wasm): futures need not be Send

use crate::domain::i18n::Lang;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// `chrome.storage.session`: cleared when the browser closes.
    Session,
    /// `chrome.storage.local`: settings and the order log.
    Local,
}

pub trait Storage {
    async fn get(&self, area: Area, key: &str) -> Result<Option<Value>, String>;
    async fn set(&self, area: Area, key: &str, value: Value) -> Result<(), String>;
    async fn remove(&self, area: Area, key: &str) -> Result<(), String>;
}

pub trait Browser {
    /// `chrome.cookies.get({url, name})`.
    async fn cookie(&self, url: &str, name: &str) -> Result<Option<String>, String>;
    /// `chrome.tabs.update(tabId, {url})`: the only navigation we ever cause, on a click.
    async fn navigate(&self, tab_id: i32, url: &str) -> Result<(), String>;
    /// `chrome.action.setBadgeText/BackgroundColor/Title` for a tab.
    async fn badge(&self, tab_id: i32, text: &str, color: &str, title: &str);
    /// `chrome.tabs.sendMessage` (a tab whose content script is gone is not an error).
    async fn send_to_tab(&self, tab_id: i32, msg: Value);
    /// `chrome.runtime.sendMessage` to extension pages (popup, options).
    async fn notify_pages(&self, msg: Value);
    /// `chrome.management.getAll()`; `None` while the shopper has not granted the optional
    /// `management` permission.
    async fn extensions(&self) -> Option<Value>;
    /// `chrome.alarms.create(name, {when})`.
    async fn alarm(&self, name: &str, when_ms: f64);
    /// `chrome.notifications.create(id, {…})`; an error when the shopper has not granted
    /// the optional `notifications` permission.
    async fn notify(&self, id: &str, title: &str, message: &str) -> Result<(), String>;
    /// `chrome.tabs.get(tabId)`: where the tab is, and where it is going (`pendingUrl`).
    async fn tab_nav(&self, tab_id: i32) -> Result<TabNav, String>;
    /// `chrome.runtime.openOptionsPage()`: where the shopper links an account.
    async fn open_options(&self);
    /// Test builds only (`test_hooks`): a named point of an event where an outside test may
    /// hold the worker (to stop it there). A no-op unless the test installed the hook.
    async fn checkpoint(&self, name: &str);
    /// Whether `text` matches the operator's `pattern` (the browser's own `RegExp` in the
    /// worker: no regex engine in the wasm). An invalid pattern matches nothing.
    fn pattern_matches(&self, pattern: &str, text: &str) -> bool;
    /// This extension's id (`chrome.runtime.id`).
    fn extension_id(&self) -> String;
    /// Where our own pages live (`runtime.getURL("")`): `chrome-extension://<id>/` in
    /// Chrome, `moz-extension://<per-profile uuid>/` in Firefox (not the add-on id there).
    fn pages_url(&self) -> String {
        format!("chrome-extension://{}/", self.extension_id())
    }
    fn version(&self) -> String;
}

/// A tab's navigation as `chrome.tabs.get` tells it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TabNav {
    pub url: String,
    /// Set while a navigation is in progress.
    pub pending: Option<String>,
}

pub trait Clock {
    fn now_ms(&self) -> f64;
}

pub trait Locale {
    /// `chrome.i18n.getUILanguage()`.
    fn ui_locale(&self) -> String;
    /// Money for display (`Intl.NumberFormat` in the browser).
    fn money(&self, minor: u64, currency: &str, exponent: u8, lang: Lang) -> String;
    /// Local time of day (`Intl.DateTimeFormat`), e.g. "14:05".
    fn time(&self, ms: f64, lang: Lang) -> String;
}

/// Everything the application service needs.
pub trait Platform: Storage + Browser + Clock + Locale {}
impl<T: Storage + Browser + Clock + Locale> Platform for T {}

/// Awaits two futures together, so both browser calls (storage, cookies) are in flight at
/// once instead of one after the other: each is an IPC round trip of the worker.
pub async fn join<A: std::future::Future, B: std::future::Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (std::pin::pin!(a), std::pin::pin!(b));
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            if let std::task::Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let std::task::Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        match (ra.take(), rb.take()) {
            (Some(x), Some(y)) => std::task::Poll::Ready((x, y)),
            (x, y) => {
                (ra, rb) = (x, y);
                std::task::Poll::Pending
            }
        }
    })
    .await
}
