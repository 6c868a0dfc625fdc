//! wasm entry points and the browser adapters. Compiled only for wasm32.

pub mod chrome;

use crate::app::Ctx;
use crate::domain::config::{self, Config};
use crate::domain::messages::BrowserEvent;
use crate::domain::{i18n, layout};
use chrome::{from_js, to_js, ChromePlatform};
use serde_json::json;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    // Immutable operator config, parsed once per worker start (re-read after every restart).
    static CONFIG: RefCell<Option<Config>> = const { RefCell::new(None) };
}

/// Validates and installs the operator config; the error names the field.
#[wasm_bindgen]
pub fn load_config(json_text: &str) -> Result<(), JsValue> {
    let c = config::parse_config(json_text).map_err(|e| JsValue::from_str(&e.to_string()))?;
    CONFIG.with(|s| *s.borrow_mut() = Some(c));
    Ok(())
}

/// Worker start: config, UI catalogs and layout profiles, as read from the package.
#[wasm_bindgen]
pub fn start(config_json: &str, en_json: &str, ru_json: &str, layouts_json: &str, css: &str, registry_json: &str) -> Result<(), JsValue> {
    // A panic aborts the instance (panic = "abort") inside an async task: the event's
    // promise would never settle. worker.js's `cgOnPanic` fails it with the message now, so
    // the queue moves on, recovers and logs it to the diagnostics.
    std::panic::set_hook(Box::new(|info| {
        let message = JsValue::from(info.to_string());
        if let Ok(f) = js_sys::Reflect::get(&js_sys::global(), &"cgOnPanic".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
            let _ = f.call1(&JsValue::NULL, &message);
        }
    }));
    crate::app::set_banner_css(css);
    crate::domain::extensions::install(registry_json).map_err(|e| JsValue::from_str(&e))?;
    i18n::install(en_json, ru_json).map_err(|e| JsValue::from_str(&e))?;
    layout::install(layouts_json).map_err(|e| JsValue::from_str(&format!("layouts: {e}")))?;
    load_config(config_json)
}

/// One browser event (tagged with `kind`) → the reply for a message, or `null`.
#[wasm_bindgen]
pub async fn handle_event(ev: JsValue) -> JsValue {
    let Some(cfg) = CONFIG.with(|c| c.borrow().clone()) else {
        return to_js(&json!({"type": "error", "error": "config not loaded"}));
    };
    let mut raw = from_js(&ev);
    chrome::firefox_net_error(&mut raw);
    let ev = match BrowserEvent::decode(raw) {
        Ok(ev) => ev,
        Err(e) => return to_js(&json!({"type": "error", "error": format!("unknown event: {e}")})),
    };
    let Some(layouts) = layout::current() else {
        return to_js(&json!({"type": "error", "error": "layouts not loaded"}));
    };
    let p = ChromePlatform;
    let ctx = Ctx { p: &p, cfg: &cfg, layouts };
    to_js(&ctx.handle(ev).await)
}
