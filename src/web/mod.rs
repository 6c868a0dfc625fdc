//! wasm entry points and the browser adapters. Compiled only for wasm32.

pub mod chrome;

use crate::app::Ctx;
use crate::domain::events::BrowserEvent;
use crate::domain::package::Package;
use chrome::{from_js, to_js, ChromePlatform};
use serde_json::json;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

thread_local! {
    // The one global: the package (config, layouts, catalogs, registry, banner CSS), read once per
    // worker start (again after every restart) and lent to each event's context.
    static PACKAGE: RefCell<Option<Rc<Package>>> = const { RefCell::new(None) };
}

/// Worker start: config, UI catalogs, layout profiles, banner CSS and registry, as read from
/// the package, in UTF-8 (bytes cross into the wasm as one copy; a `&str` argument is copied
/// a character at a time by wasm-bindgen's JS, ≈ 2 ms at a cold start), and `checked`, the
/// digest `cg-config --data` wrote for the catalogs (then parsed on first use; see
/// `Package::build`).
#[wasm_bindgen]
pub fn start(config: &[u8], en: &[u8], ru: &[u8], layouts: &[u8], css: &[u8], registry: &[u8], checked: Option<u32>) -> Result<(), JsValue> {
    // A panic aborts the instance (panic = "abort") inside an async task: the event's
    // promise would never settle. worker.js's `cgOnPanic` fails it with the message now, so
    // the queue moves on, recovers and logs it to the diagnostics.
    std::panic::set_hook(Box::new(|info| {
        let message = JsValue::from(info.to_string());
        if let Ok(f) = js_sys::Reflect::get(&js_sys::global(), &"cgOnPanic".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
            let _ = f.call1(&JsValue::NULL, &message);
        }
    }));
    let s = utf8;
    let pkg = Package::build(s(config), s(layouts), s(en), s(ru), s(registry), s(css), checked).map_err(|e| JsValue::from_str(&e))?;
    PACKAGE.with(|s| *s.borrow_mut() = Some(Rc::new(pkg)));
    Ok(())
}

/// TextEncoder's output is UTF-8; anything else reads as empty (and fails as its file).
fn utf8(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_default()
}

/// One browser event (tagged with `kind`) → the reply for a message, or `null`.
#[wasm_bindgen]
pub async fn handle_event(ev: JsValue) -> JsValue {
    let Some(pkg) = PACKAGE.with(|c| c.borrow().clone()) else {
        return to_js(&json!({"type": "error", "error": "package not loaded"}));
    };
    let mut raw = from_js(&ev);
    chrome::firefox_net_error(&mut raw);
    let ev = match BrowserEvent::decode(raw) {
        Ok(ev) => ev,
        Err(e) => return to_js(&json!({"type": "error", "error": format!("unknown event: {e}")})),
    };
    let p = ChromePlatform;
    let ctx = Ctx { platform: &p, pkg: &pkg };
    to_js(&ctx.handle(ev).await)
}
