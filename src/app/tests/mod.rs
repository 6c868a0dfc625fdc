//! Tests of the whole application service through `Ctx::handle` (in-memory platform), one
//! file per room of `src/app/`; the world they run in and its helpers are here.

use super::*;
use crate::memory::{block_on, Memory};
use serde_json::json;

mod account;
mod activation;
mod cart;
mod detection;
mod facts;
mod orders;
mod present;
mod route;
mod store;

const CFG: &str = include_str!("../../../extension/config/default.json");
const EXT: &str = "cgtestextensionidaaaaaaaaaaaaaaaa";
const ITEM: &str = "https://www.aliexpress.com/item/1005001000000001.html";

struct World {
    m: Memory,
    pkg: Package,
}

impl World {
    fn new() -> World {
        World { m: Memory::new(), pkg: Package::bundled(CFG).unwrap() }
    }
    fn ctx(&self) -> Ctx<'_, Memory> {
        Ctx { platform: &self.m, pkg: &self.pkg }
    }
    fn send(&self, ev: Value) -> Value {
        let ev = BrowserEvent::decode(ev).expect("test event decodes");
        block_on(self.ctx().handle(ev))
    }
    fn from_tab(&self, tab: i32, msg: Value) -> Value {
        self.send(json!({"kind": "message", "msg": msg, "sender": {"id": EXT, "tab": {"id": tab}, "url": ITEM}}))
    }
    fn from_popup(&self, msg: Value) -> Value {
        self.send(json!({"kind": "message", "msg": msg, "sender": {"id": EXT, "url": format!("chrome-extension://{EXT}/popup.html")}}))
    }
    fn state(&self) -> String {
        self.m.session.borrow()["session"]["referral"]["state"].as_str().unwrap().to_string()
    }
    fn land_ours(&self, tab: i32) {
        let k = &self.pkg.config.affiliate_key;
        self.m.cookies.borrow_mut().insert("aeu_cid".into(), format!("0123456789abcdef0123456789abcdef-1700000000000-01234-{k}"));
        self.send(json!({"kind": "redirect", "tabId": tab, "url": "https://s.click.aliexpress.com/deep_link.htm?aff_short_key=x",
            "redirectUrl": format!("{ITEM}?aff_fsk={k}&sk={k}&aff_platform=portals-tool"), "type": "main_frame"}));
        self.send(json!({"kind": "completed", "tabId": tab, "url": format!("{ITEM}?aff_fsk={k}&sk={k}&aff_platform=portals-tool"), "type": "main_frame"}));
    }
}

fn find_testid<'a>(v: &'a Value, id: &str, out: &mut Vec<&'a Value>) {
    if v.get("a").and_then(|a| a.get("data-testid")).and_then(Value::as_str) == Some(id) {
        out.push(v);
    }
    if let Some(c) = v.get("c").and_then(Value::as_array) {
        for x in c {
            find_testid(x, id, out);
        }
    }
}

/// The view tree with each node's attribute pairs `[[k, v], …]` turned into an object.
fn norm(v: &Value) -> Value {
    let mut n = v.clone();
    if let Some(pairs) = v.get("a").and_then(Value::as_array) {
        let mut m = serde_json::Map::new();
        for p in pairs {
            if let (Some(k), Some(val)) = (p[0].as_str(), p.get(1)) {
                m.insert(k.to_string(), val.clone());
            }
        }
        n["a"] = Value::Object(m);
    }
    if let Some(c) = v.get("c").and_then(Value::as_array) {
        n["c"] = Value::Array(c.iter().map(norm).collect());
    }
    n
}

fn testids(v: &Value, id: &str) -> Vec<Value> {
    let v = norm(v);
    let mut out = Vec::new();
    find_testid(&v, id, &mut out);
    out.into_iter().cloned().collect()
}

// Pages of the order flow (a checkout, a payment result) and the order log.

const CHECKOUT: &str =
    "https://www.aliexpress.com/p/trade/confirm.html?objectId=1005001000000001&skuId=1&quantity=1&aeOrderFrom=main_detail";
const PAID: &str = "https://www.aliexpress.com/p/second-payment/pay-result.html?pmntId=PAY123";

impl World {
    fn page(&self, tab: i32, url: &str, facts: Value) -> Value {
        self.from_tab(tab, json!({"type": "hello", "url": url}));
        self.from_tab(tab, json!({"type": "facts", "url": url, "facts": facts}))
    }
    fn activate_and_land(&self, tab: i32) {
        self.from_tab(tab, json!({"type": "hello", "url": ITEM}));
        self.from_tab(tab, json!({"type": "activate"}));
        self.land_ours(tab);
        assert_eq!(self.state(), "active");
    }
    fn log(&self) -> Value {
        self.m.local.borrow().get("orders").cloned().unwrap_or(Value::Null)
    }
    fn popup_view(&self) -> Value {
        self.from_popup(json!({"type": "popup", "tabId": 3}))["view"].clone()
    }
}

// A worker stopped at a checkpoint (test hooks), and what AliExpress answers to the deep link.

impl World {
    fn with_hooks() -> World {
        let mut w = World::new();
        w.pkg.config.test_hooks = true;
        w
    }
    /// One event on a worker that may be stopped at a checkpoint: `None` when it was.
    fn send_may_stop(&self, ev: Value) -> Option<Value> {
        let ev = BrowserEvent::decode(ev).expect("test event decodes");
        crate::memory::run_until_stalled(self.ctx().handle(ev))
    }
    fn tab_msg(tab: i32, msg: Value) -> Value {
        json!({"kind": "message", "msg": msg, "sender": {"id": EXT, "tab": {"id": tab}, "url": ITEM}})
    }
    /// What AliExpress answers to the deep link (a fresh click id and cookie), as the
    /// browser reports it: the redirect, the cookie write, the landing.
    fn deep_link_answers(&self, tab: i32) -> String {
        let k = &self.pkg.config.affiliate_key;
        let cid = format!("fedcba9876543210fedcba9876543210-{}-55555-{k}", self.m.now.get() as u64);
        let landing = format!("{ITEM}?aff_fcid={cid}&aff_fsk={k}&sk={k}&aff_trace_key={cid}");
        self.send(
            json!({"kind": "redirect", "tabId": tab, "url": format!("https://s.click.aliexpress.com/deep_link.htm?aff_short_key={k}"),
            "redirectUrl": landing, "type": "main_frame"}),
        );
        self.m.cookies.borrow_mut().insert("aeu_cid".into(), cid.clone());
        self.send(json!({"kind": "cookie", "removed": false, "cookie": {"name": "aeu_cid", "value": cid, "domain": ".aliexpress.com"}, "cause": "explicit"}));
        self.m.tabs.borrow_mut().insert(tab, crate::ports::TabNav { url: landing.clone(), pending: None });
        landing
    }
}

// The shopper's account (issue 16).

const ACCOUNT: &str = r#"{"param": "af", "pattern": "^[0-9A-Za-z_-]{3,40}$", "site": "https://cashback.example"}"#;

impl World {
    fn with_account() -> World {
        let mut w = World::new();
        w.pkg.config.account = Some(crate::domain::config::Account {
            param: "af".into(),
            pattern: "^[0-9A-Za-z_-]{3,40}$".into(),
            site: "https://cashback.example".into(),
        });
        let _ = ACCOUNT;
        w
    }
    fn from_site(&self, url: &str, origin: &str, frame: i32, msg: Value) -> Value {
        self.send(json!({"kind": "external", "msg": msg, "sender": {"url": url, "origin": origin, "frameId": frame, "tab": {"id": 9}}}))
    }
}
