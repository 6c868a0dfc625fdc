//! The toolbar popup, in Rust: asks the worker for the view of the tab (the active tab,
//! or `?tabId=N`), renders it, and sends trusted clicks back as typed messages.

use super::chrome::{err_text, from_js, on_message_add_listener, runtime_send_message, tabs_query, to_js};
use super::render::render_into;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;

/// The tab the popup is about: `?tabId=N`, else the active tab of the current window.
#[wasm_bindgen]
extern "C" {
    /// `chrome.i18n.getMessage` (the popup's own few strings; views come localised).
    #[wasm_bindgen(js_namespace = ["chrome", "i18n"], js_name = getMessage)]
    fn get_message(key: &str) -> String;
}

async fn target_tab() -> Option<i32> {
    let search = web_sys::window()?.location().search().ok()?;
    if let Some(n) = web_sys::UrlSearchParams::new_with_str(&search).ok().and_then(|p| p.get("tabId")) {
        return n.parse().ok();
    }
    let q = to_js(&json!({"active": true, "currentWindow": true}));
    let tabs = from_js(&tabs_query(&q).await.ok()?);
    tabs.get(0)?.get("id")?.as_i64().map(|i| i as i32)
}

async fn ask(msg: Value) -> Value {
    match runtime_send_message(&to_js(&msg)).await {
        Ok(v) => from_js(&v),
        Err(e) => json!({"type": "error", "error": err_text(&e)}),
    }
}

fn app() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id("app")
}

fn show_error(text: &str) {
    if let Some(app) = app() {
        let node = json!({"t": "main", "a": [["class", "cg-popup"]], "c": [{"t": "p", "a": [["class", "cg-error"], ["role", "alert"]], "x": text}]});
        let _ = render_into(&app, &node);
    }
}

async fn refresh(tab: Option<i32>) {
    let r = ask(json!({"type": "popup", "tabId": tab})).await;
    let Some(app) = app() else { return };
    match r.get("view") {
        Some(view) => {
            if let (Some(lang), Some(doc)) = (r.get("lang").and_then(Value::as_str), app.owner_document()) {
                if let Some(root) = doc.document_element() {
                    let _ = root.set_attribute("lang", lang);
                }
            }
            let _ = render_into(&app, view);
        }
        None => show_error(&r.get("error").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| get_message("error_no_answer"))),
    }
}

async fn on_action(action: String, tab: Option<i32>) {
    match action.as_str() {
        "activate" => {
            let r = ask(json!({"type": "activate", "tabId": tab})).await;
            if r.get("type").and_then(Value::as_str) == Some("error") {
                show_error(&r.get("error").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| get_message("error_no_answer")));
                return;
            }
            refresh(tab).await;
        }
        "copy-diagnostics" => {
            let text = app()
                .and_then(|a| a.query_selector("[data-testid='cg-diagnostics']").ok().flatten())
                .and_then(|e| e.text_content())
                .unwrap_or_default();
            if let Some(w) = web_sys::window() {
                let _ = wasm_bindgen_futures::JsFuture::from(w.navigator().clipboard().write_text(&text)).await;
            }
        }
        _ => {}
    }
}

/// Entry point of `popup.html`.
#[wasm_bindgen]
pub async fn popup_main() {
    let tab = target_tab().await;
    let Some(app) = app() else { return };
    let click = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
        if !ev.is_trusted() {
            return; // page or script clicks never activate anything
        }
        let action = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("[data-action]").ok().flatten())
            .and_then(|e| e.get_attribute("data-action"));
        if let Some(a) = action {
            spawn_local(on_action(a, tab));
        }
    });
    let _ = app.add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
    click.forget(); // lives as long as the popup
    let changed = Closure::<dyn Fn(JsValue)>::new(move |msg: JsValue| {
        if from_js(&msg).get("type").and_then(Value::as_str) == Some("changed") {
            spawn_local(refresh(tab));
        }
    });
    let _ = on_message_add_listener(changed.as_ref().unchecked_ref());
    changed.forget();
    refresh(tab).await;
}
