//! The `chrome.*` adapter: extern bindings (resolved at call time, so tests can install an
//! in-memory `chrome` object first) and the ports implemented on top of them. Values cross
//! as JSON-compatible JS values (plain objects, never `Map`).

use crate::domain::i18n::Lang;
use crate::ports::{Area, Browser, Clock, Locale, Storage};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "session"], js_name = get)]
    async fn session_get(key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "session"], js_name = set)]
    async fn session_set(items: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "session"], js_name = remove)]
    async fn session_remove(key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = get)]
    async fn local_get(key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = set)]
    async fn local_set(items: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = remove)]
    async fn local_remove(key: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_namespace = ["chrome", "cookies"], js_name = get)]
    async fn cookies_get(details: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = update)]
    async fn tabs_update(tab_id: i32, props: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = sendMessage)]
    async fn tabs_send_message(tab_id: i32, msg: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = sendMessage)]
    async fn runtime_send_message(msg: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "action"], js_name = setBadgeText)]
    async fn set_badge_text(details: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "action"], js_name = setBadgeBackgroundColor)]
    async fn set_badge_color(details: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "action"], js_name = setTitle)]
    async fn set_title(details: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "management"], js_name = getAll)]
    async fn management_get_all() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "alarms"], js_name = create)]
    async fn alarms_create(name: &str, info: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "notifications"], js_name = create)]
    async fn notifications_create(id: &str, options: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "i18n"], js_name = getUILanguage)]
    fn ui_language() -> Result<String, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = getManifest)]
    fn get_manifest() -> Result<JsValue, JsValue>;
}

/// A Rust value as a JSON-compatible JS value.
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

/// A JS value as JSON (`undefined` → `null`; functions and symbols are dropped).
pub fn from_js(v: &JsValue) -> Value {
    if v.is_undefined() || v.is_null() {
        return Value::Null;
    }
    // JSON.stringify + serde_json: one JSON reader for everything keeps the wasm small.
    js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string()).and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(Value::Null)
}

/// The text of a JS error for a message.
pub fn err_text(e: &JsValue) -> String {
    if let Some(s) = e.as_string() {
        return s;
    }
    js_sys::Reflect::get(e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_else(|| "unknown error".into())
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), v);
    }
    o.into()
}

/// `chrome.<path…>` if every step exists.
fn chrome_api(path: &[&str]) -> Option<JsValue> {
    let mut v = js_sys::Reflect::get(&js_sys::global(), &"chrome".into()).ok()?;
    for p in path {
        if v.is_undefined() || v.is_null() {
            return None;
        }
        v = js_sys::Reflect::get(&v, &(*p).into()).ok()?;
    }
    (!v.is_undefined() && !v.is_null()).then_some(v)
}

/// The ports on `chrome.*`.
#[derive(Default)]
pub struct ChromePlatform;

impl Storage for ChromePlatform {
    async fn get(&self, area: Area, key: &str) -> Result<Option<Value>, String> {
        let r = match area {
            Area::Session => session_get(key).await,
            Area::Local => local_get(key).await,
        }
        .map_err(|e| err_text(&e))?;
        let v = js_sys::Reflect::get(&r, &key.into()).unwrap_or(JsValue::UNDEFINED);
        Ok(if v.is_undefined() { None } else { Some(from_js(&v)) })
    }
    async fn set(&self, area: Area, key: &str, value: Value) -> Result<(), String> {
        let items = obj(&[(key, to_js(&value))]);
        match area {
            Area::Session => session_set(&items).await,
            Area::Local => local_set(&items).await,
        }
        .map(|_| ())
        .map_err(|e| err_text(&e))
    }
    async fn remove(&self, area: Area, key: &str) -> Result<(), String> {
        match area {
            Area::Session => session_remove(key).await,
            Area::Local => local_remove(key).await,
        }
        .map(|_| ())
        .map_err(|e| err_text(&e))
    }
}

impl Browser for ChromePlatform {
    async fn cookie(&self, url: &str, name: &str) -> Result<Option<String>, String> {
        let c = cookies_get(&obj(&[("url", url.into()), ("name", name.into())])).await.map_err(|e| err_text(&e))?;
        if c.is_null() || c.is_undefined() {
            return Ok(None);
        }
        Ok(js_sys::Reflect::get(&c, &"value".into()).ok().and_then(|v| v.as_string()))
    }
    async fn navigate(&self, tab_id: i32, url: &str) -> Result<(), String> {
        tabs_update(tab_id, &obj(&[("url", url.into())])).await.map(|_| ()).map_err(|e| err_text(&e))
    }
    async fn badge(&self, tab_id: i32, text: &str, color: &str, title: &str) {
        let tab: JsValue = tab_id.into();
        // A tab closed meanwhile rejects these; nothing to do about it.
        // The three calls in flight together (each is an IPC round trip).
        let text = obj(&[("tabId", tab.clone()), ("text", text.into())]);
        let color = obj(&[("tabId", tab.clone()), ("color", color.into())]);
        let title = obj(&[("tabId", tab), ("title", title.into())]);
        let _ = crate::ports::join(crate::ports::join(set_badge_text(&text), set_badge_color(&color)), set_title(&title)).await;
    }
    async fn send_to_tab(&self, tab_id: i32, msg: Value) {
        let _ = tabs_send_message(tab_id, &to_js(&msg)).await;
    }
    async fn notify_pages(&self, msg: Value) {
        // "Receiving end does not exist" when no popup is open: expected.
        let _ = runtime_send_message(&to_js(&msg)).await;
    }
    async fn extensions(&self) -> Option<Value> {
        // `chrome.management` is undefined until the optional permission is granted; look
        // before calling (a missing API must not reach an async import).
        if chrome_api(&["management", "getAll"]).is_none() {
            return None;
        }
        management_get_all().await.ok().map(|v| from_js(&v))
    }
    async fn alarm(&self, name: &str, when_ms: f64) {
        let _ = alarms_create(name, &obj(&[("when", when_ms.into())])).await;
    }
    async fn notify(&self, id: &str, title: &str, message: &str) -> Result<(), String> {
        // Undefined until the optional `notifications` permission is granted.
        if chrome_api(&["notifications", "create"]).is_none() {
            return Err("notifications permission not granted".into());
        }
        let options = obj(&[
            ("type", "basic".into()),
            ("iconUrl", "/icons/icon-128.png".into()),
            ("title", title.into()),
            ("message", message.into()),
            ("priority", JsValue::from(1)),
        ]);
        notifications_create(id, &options).await.map(|_| ()).map_err(|e| err_text(&e))
    }
    fn extension_id(&self) -> String {
        chrome_api(&["runtime", "id"]).and_then(|v| v.as_string()).unwrap_or_default()
    }
    fn version(&self) -> String {
        get_manifest().ok().and_then(|m| js_sys::Reflect::get(&m, &"version".into()).ok()).and_then(|v| v.as_string()).unwrap_or_default()
    }
}

impl Clock for ChromePlatform {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }
}

fn bcp47(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en-US",
        Lang::Ru => "ru-RU",
    }
}

/// Money with `Intl.NumberFormat` (minor units → major with the currency's exponent).
pub fn format_money(minor: u64, currency: &str, exponent: u8, lang: Lang) -> String {
    let opts = obj(&[
        ("style", "currency".into()),
        ("currency", currency.into()),
        ("minimumFractionDigits", u32::from(exponent).into()),
        ("maximumFractionDigits", u32::from(exponent).into()),
    ]);
    let locales = js_sys::Array::of1(&bcp47(lang).into());
    let nf = js_sys::Intl::NumberFormat::new(&locales, &opts.unchecked_into());
    let major = minor as f64 / 10f64.powi(i32::from(exponent));
    let f = nf.format();
    f.call1(&nf, &major.into()).ok().and_then(|v| v.as_string()).unwrap_or_else(|| format!("{minor} {currency} (minor units)"))
}

/// Local time of day with `Intl.DateTimeFormat` ("14:05").
pub fn format_time(ms: f64, lang: Lang) -> String {
    let opts = obj(&[("hour", "2-digit".into()), ("minute", "2-digit".into()), ("hour12", false.into())]);
    let locales = js_sys::Array::of1(&bcp47(lang).into());
    let df = js_sys::Intl::DateTimeFormat::new(&locales, &opts.unchecked_into());
    let f = df.format();
    f.call1(&df, &js_sys::Date::new(&ms.into())).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

impl Locale for ChromePlatform {
    fn ui_locale(&self) -> String {
        ui_language().unwrap_or_else(|_| "en".into())
    }
    fn money(&self, minor: u64, currency: &str, exponent: u8, lang: Lang) -> String {
        format_money(minor, currency, exponent, lang)
    }
    fn time(&self, ms: f64, lang: Lang) -> String {
        format_time(ms, lang)
    }
}
