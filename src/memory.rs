//! In-memory adapter for the ports: used by the native tests of the application service
//! and by the browser tests. It records every effect so tests can assert on them.

use crate::domain::i18n::Lang;
use crate::ports::{Area, Browser, Clock, Locale, Storage, TabNav};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

#[derive(Default)]
pub struct Memory {
    pub session: RefCell<BTreeMap<String, Value>>,
    pub local: RefCell<BTreeMap<String, Value>>,
    /// Cookie name → value (one jar; enough for the attribution cookies).
    pub cookies: RefCell<BTreeMap<String, String>>,
    pub navigations: RefCell<Vec<(i32, String)>>,
    pub badges: RefCell<BTreeMap<i32, (String, String, String)>>,
    pub to_tabs: RefCell<Vec<(i32, Value)>>,
    pub to_pages: RefCell<Vec<Value>>,
    pub alarms: RefCell<Vec<(String, f64)>>,
    /// Notifications shown: (id, title, message).
    pub notifications: RefCell<Vec<(String, String, String)>>,
    /// When set, `notify` fails (permission not granted).
    pub no_notifications: Cell<bool>,
    /// What `chrome.management.getAll()` returns; `None`: permission not granted.
    pub installed: RefCell<Option<Value>>,
    pub now: Cell<f64>,
    pub locale: RefCell<String>,
    /// When set, `navigate` fails (a closed tab).
    pub fail_navigate: Cell<bool>,
    /// When set, `set` fails (quota).
    pub fail_set: Cell<bool>,
    /// When set, `set` on `storage.local` fails (its quota is separate from the session's).
    pub fail_local: Cell<bool>,
    /// When set, `set` on `storage.session` fails.
    pub fail_session: Cell<bool>,
    /// Writes that failed: (area, key).
    pub failed_writes: RefCell<Vec<(Area, String)>>,
    /// What `tabs.get` says: tab id → navigation; a missing tab is an error.
    pub tabs: RefCell<BTreeMap<i32, TabNav>>,
    /// Checkpoints passed (test hooks), with how many alarms and navigations there were then.
    pub checkpoints: RefCell<Vec<(String, usize, usize)>>,
    /// The worker "stops" at this checkpoint: the event's future never finishes (see
    /// [`run_until_stalled`]), so nothing after that point happens.
    pub stop_at: RefCell<Option<String>>,
    /// Times the options page was opened.
    pub options_opened: Cell<u32>,
}

impl Memory {
    pub fn new() -> Memory {
        let m = Memory::default();
        m.now.set(1_700_000_000_000.0);
        *m.locale.borrow_mut() = "en-US".into();
        m
    }

    fn area(&self, a: Area) -> &RefCell<BTreeMap<String, Value>> {
        match a {
            Area::Session => &self.session,
            Area::Local => &self.local,
        }
    }

    pub fn advance(&self, ms: f64) {
        self.now.set(self.now.get() + ms);
    }
}

impl Storage for Memory {
    async fn get(&self, area: Area, key: &str) -> Result<Option<Value>, String> {
        Ok(self.area(area).borrow().get(key).cloned())
    }
    async fn set(&self, area: Area, key: &str, value: Value) -> Result<(), String> {
        if self.fail_set.get() || (area == Area::Local && self.fail_local.get()) || (area == Area::Session && self.fail_session.get()) {
            self.failed_writes.borrow_mut().push((area, key.to_string()));
            return Err("QUOTA_BYTES quota exceeded".into());
        }
        self.area(area).borrow_mut().insert(key.to_string(), value);
        Ok(())
    }
    async fn remove(&self, area: Area, key: &str) -> Result<(), String> {
        self.area(area).borrow_mut().remove(key);
        Ok(())
    }
}

impl Browser for Memory {
    async fn cookie(&self, _url: &str, name: &str) -> Result<Option<String>, String> {
        Ok(self.cookies.borrow().get(name).cloned())
    }
    async fn navigate(&self, tab_id: i32, url: &str) -> Result<(), String> {
        if self.fail_navigate.get() {
            return Err("No tab with id".into());
        }
        self.navigations.borrow_mut().push((tab_id, url.to_string()));
        // The tab is now on its way there.
        self.tabs.borrow_mut().entry(tab_id).or_default().pending = Some(url.to_string());
        Ok(())
    }
    async fn tab_nav(&self, tab_id: i32) -> Result<TabNav, String> {
        self.tabs.borrow().get(&tab_id).cloned().ok_or_else(|| format!("No tab with id: {tab_id}."))
    }
    async fn open_options(&self) {
        self.options_opened.set(self.options_opened.get() + 1);
    }
    async fn checkpoint(&self, name: &str) {
        self.checkpoints.borrow_mut().push((name.to_string(), self.alarms.borrow().len(), self.navigations.borrow().len()));
        if self.stop_at.borrow().as_deref() == Some(name) {
            *self.stop_at.borrow_mut() = None; // one stop; the restarted worker runs on
            std::future::pending::<()>().await;
        }
    }
    fn pattern_matches(&self, pattern: &str, text: &str) -> bool {
        #[cfg(not(target_arch = "wasm32"))]
        return regex_lite::Regex::new(pattern).is_ok_and(|r| r.is_match(text));
        #[cfg(target_arch = "wasm32")]
        return crate::web::chrome::js_pattern_matches(pattern, text);
    }
    async fn badge(&self, tab_id: i32, text: &str, color: &str, title: &str) {
        self.badges.borrow_mut().insert(tab_id, (text.into(), color.into(), title.into()));
    }
    async fn send_to_tab(&self, tab_id: i32, msg: Value) {
        self.to_tabs.borrow_mut().push((tab_id, msg));
    }
    async fn notify_pages(&self, msg: Value) {
        self.to_pages.borrow_mut().push(msg);
    }
    async fn extensions(&self) -> Option<Value> {
        self.installed.borrow().clone()
    }
    async fn alarm(&self, name: &str, when_ms: f64) {
        self.alarms.borrow_mut().push((name.to_string(), when_ms));
    }
    async fn notify(&self, id: &str, title: &str, message: &str) -> Result<(), String> {
        if self.no_notifications.get() {
            return Err("notifications permission not granted".into());
        }
        self.notifications.borrow_mut().push((id.into(), title.into(), message.into()));
        Ok(())
    }
    fn extension_id(&self) -> String {
        "cgtestextensionidaaaaaaaaaaaaaaaa".into()
    }
    fn version(&self) -> String {
        "0.0.0-test".into()
    }
}

impl Clock for Memory {
    fn now_ms(&self) -> f64 {
        self.now.get()
    }
}

impl Locale for Memory {
    fn ui_locale(&self) -> String {
        self.locale.borrow().clone()
    }
    fn money(&self, minor: u64, currency: &str, exponent: u8, _lang: Lang) -> String {
        if exponent == 0 {
            return format!("{minor} {currency}");
        }
        let d = 10u64.pow(u32::from(exponent));
        format!("{}.{:0w$} {currency}", minor / d, minor % d, w = exponent as usize)
    }
    fn time(&self, ms: f64, _lang: Lang) -> String {
        let mins = (ms / 60_000.0) as u64;
        format!("{:02}:{:02}", (mins / 60) % 24, mins % 60)
    }
}

/// Polls a future until it finishes, or until it stalls (a worker stopped at a checkpoint):
/// `None` then, and the future is dropped like a stopped worker's event.
pub fn run_until_stalled<F: std::future::Future>(f: F) -> Option<F::Output> {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    for _ in 0..10_000 {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return Some(v);
        }
    }
    None
}

/// Runs a future that never waits on anything outside (the in-memory adapter completes
/// every call at once) to completion.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}
