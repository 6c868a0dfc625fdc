//! The `chrome.*` adapter: extern bindings (resolved at call time, so tests can install an
//! in-memory `chrome` object first) and the ports implemented on top of them. Values cross
//! as JSON-compatible JS values (plain objects, never `Map`).

use crate::domain::i18n::Lang;
use crate::ports::{Area, Browser, Clock, Locale, Storage, TabNav};
use serde_json::Value;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "session"], js_name = get)]
    fn session_get(key: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "session"], js_name = set)]
    fn session_set(items: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "session"], js_name = remove)]
    fn session_remove(key: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = get)]
    fn local_get(key: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = set)]
    fn local_set(items: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = remove)]
    fn local_remove(key: &str) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(catch, js_namespace = ["chrome", "cookies"], js_name = get)]
    fn cookies_get(details: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = update)]
    fn tabs_update(tab_id: i32, props: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = sendMessage)]
    fn tabs_send_message(tab_id: i32, msg: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = sendMessage)]
    fn runtime_send_message(msg: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "action"], js_name = setBadgeText)]
    fn set_badge_text(details: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "action"], js_name = setBadgeBackgroundColor)]
    fn set_badge_color(details: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "action"], js_name = setTitle)]
    fn set_title(details: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "management"], js_name = getAll)]
    fn management_get_all() -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "alarms"], js_name = create)]
    fn alarms_create(name: &str, info: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "notifications"], js_name = create)]
    fn notifications_create(id: &str, options: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = get)]
    fn tabs_get(tab_id: i32) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = openOptionsPage)]
    fn open_options_page() -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &js_sys::Function, ms: i32) -> JsValue;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "i18n"], js_name = getUILanguage)]
    fn ui_language() -> Result<String, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = getURL)]
    fn get_url(path: &str) -> Result<String, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = getManifest)]
    fn get_manifest() -> Result<JsValue, JsValue>;
}

/// How long any `chrome.*` call may take before the event goes on without it.
pub const CALL_BOUND_MS: i32 = 5_000;

type Boxed<'b, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + 'b>>;

/// A `chrome.*` call raced against a timer: one that never settles cannot stall the event
/// queue, and the error names the call. (One compiled future for every call: wasm size.)
fn bounded(name: &str, call: Result<js_sys::Promise, JsValue>) -> Boxed<'_, Result<JsValue, String>> {
    Box::pin(async move {
        let p = call.map_err(|e| format!("{name}: {}", err_text(&e)))?;
        let mark: JsValue = js_sys::Object::new().into();
        let timer = js_sys::Promise::new(&mut |resolve, _| {
            set_timeout(resolve.bind1(&JsValue::NULL, &mark).unchecked_ref(), CALL_BOUND_MS);
        });
        let first = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::race(&js_sys::Array::of2(&p, &timer)))
            .await
            .map_err(|e| format!("{name}: {}", err_text(&e)))?;
        if js_sys::Object::is(&first, &mark) {
            return Err(format!("{name} did not answer within {CALL_BOUND_MS} ms"));
        }
        Ok(first)
    })
}

/// The operator's account pattern with the browser's own `RegExp` (no regex engine in the
/// wasm); an invalid pattern matches nothing.
pub fn js_pattern_matches(pattern: &str, text: &str) -> bool {
    let Ok(ctor) = js_sys::Reflect::get(&js_sys::global(), &"RegExp".into()).and_then(|c| c.dyn_into::<js_sys::Function>()) else {
        return false;
    };
    // `new RegExp` throws on a bad pattern: constructed through Reflect, that is an Err here.
    match js_sys::Reflect::construct(&ctor, &js_sys::Array::of2(&pattern.into(), &"u".into())) {
        Ok(re) => re.unchecked_into::<js_sys::RegExp>().test(text),
        Err(_) => false,
    }
}

/// A JSON value as a JS value: plain objects and arrays, numbers as JS numbers. What
/// serde-wasm-bindgen's `json_compatible` serializer made of it (a smaller converter in
/// wasm), including its one failure: an integer beyond ±2^53 makes the whole value `null`.
pub fn to_js(v: &Value) -> JsValue {
    js_value(v).unwrap_or(JsValue::NULL)
}

fn js_value(v: &Value) -> Option<JsValue> {
    const SAFE: u64 = (1 << 53) - 1;
    Some(match v {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => (u <= SAFE).then(|| JsValue::from_f64(u as f64))?,
            (_, Some(i)) => (i.unsigned_abs() <= SAFE).then(|| JsValue::from_f64(i as f64))?,
            _ => JsValue::from_f64(n.as_f64()?),
        },
        Value::String(s) => JsValue::from_str(s),
        Value::Array(a) => {
            let out = js_sys::Array::new();
            for e in a {
                out.push(&js_value(e)?);
            }
            out.into()
        }
        Value::Object(m) => {
            let out = js_sys::Object::new();
            for (k, e) in m {
                js_sys::Reflect::set(&out, &JsValue::from_str(k), &js_value(e)?).ok()?;
            }
            out.into()
        }
    })
}

/// A JS value as JSON (`undefined` → `null`; functions and symbols are dropped).
pub fn from_js(v: &JsValue) -> Value {
    if v.is_undefined() || v.is_null() {
        return Value::Null;
    }
    // JSON.stringify + serde_json: one JSON reader for everything keeps the wasm small.
    js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string()).and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(Value::Null)
}

/// Firefox reports a request another add-on cancelled (uBlock Origin's network filters) to
/// `webRequest.onErrorOccurred` as `NS_ERROR_ABORT` (seen in Firefox ESR 140 with uBlock
/// Origin 1.67; a navigation the user leaves is `NS_BINDING_ABORTED`). The core speaks
/// Chromium's name for it; the Firefox name stays in the text for Diagnostics.
pub fn firefox_net_error(ev: &mut Value) {
    if let Some(m) = ev.as_object_mut() {
        if m.get("kind").and_then(Value::as_str) == Some("net-error") && m.get("error").and_then(Value::as_str) == Some("NS_ERROR_ABORT") {
            m.insert("error".into(), "net::ERR_BLOCKED_BY_CLIENT (Firefox NS_ERROR_ABORT)".into());
        }
    }
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
            Area::Session => bounded("chrome.storage.session.get", session_get(key)).await,
            Area::Local => bounded("chrome.storage.local.get", local_get(key)).await,
        }?;
        let v = js_sys::Reflect::get(&r, &key.into()).unwrap_or(JsValue::UNDEFINED);
        Ok(if v.is_undefined() { None } else { Some(from_js(&v)) })
    }
    async fn set(&self, area: Area, key: &str, value: Value) -> Result<(), String> {
        let items = obj(&[(key, to_js(&value))]);
        match area {
            Area::Session => bounded("chrome.storage.session.set", session_set(&items)).await,
            Area::Local => bounded("chrome.storage.local.set", local_set(&items)).await,
        }
        .map(|_| ())
    }
    async fn remove(&self, area: Area, key: &str) -> Result<(), String> {
        match area {
            Area::Session => bounded("chrome.storage.session.remove", session_remove(key)).await,
            Area::Local => bounded("chrome.storage.local.remove", local_remove(key)).await,
        }
        .map(|_| ())
    }
}

impl Browser for ChromePlatform {
    async fn cookie(&self, url: &str, name: &str) -> Result<Option<String>, String> {
        let c = bounded("chrome.cookies.get", cookies_get(&obj(&[("url", url.into()), ("name", name.into())]))).await?;
        if c.is_null() || c.is_undefined() {
            return Ok(None);
        }
        Ok(js_sys::Reflect::get(&c, &"value".into()).ok().and_then(|v| v.as_string()))
    }
    async fn navigate(&self, tab_id: i32, url: &str) -> Result<(), String> {
        bounded("chrome.tabs.update", tabs_update(tab_id, &obj(&[("url", url.into())]))).await.map(|_| ())
    }
    async fn tab_nav(&self, tab_id: i32) -> Result<TabNav, String> {
        let t = bounded("chrome.tabs.get", tabs_get(tab_id)).await?;
        let get = |k: &str| js_sys::Reflect::get(&t, &k.into()).ok().and_then(|v| v.as_string());
        Ok(TabNav { url: get("url").unwrap_or_default(), pending: get("pendingUrl") })
    }
    async fn open_options(&self) {
        let _ = bounded("chrome.runtime.openOptionsPage", open_options_page()).await;
    }
    async fn checkpoint(&self, name: &str) {
        // An outside test's hook (`self.cgCheckpoint = (name) => Promise`), test builds only.
        let hook = js_sys::Reflect::get(&js_sys::global(), &"cgCheckpoint".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        if let Some(p) = hook.and_then(|f| f.call1(&JsValue::NULL, &name.into()).ok()).and_then(|p| p.dyn_into::<js_sys::Promise>().ok()) {
            let _ = wasm_bindgen_futures::JsFuture::from(p).await;
        }
    }
    fn pattern_matches(&self, pattern: &str, text: &str) -> bool {
        js_pattern_matches(pattern, text)
    }
    async fn badge(&self, tab_id: i32, text: &str, color: &str, title: &str) {
        let tab: JsValue = tab_id.into();
        // A tab closed meanwhile rejects these; nothing to do about it.
        // The three calls in flight together (each is an IPC round trip).
        let text = obj(&[("tabId", tab.clone()), ("text", text.into())]);
        let color = obj(&[("tabId", tab.clone()), ("color", color.into())]);
        let title = obj(&[("tabId", tab), ("title", title.into())]);
        let all = crate::ports::join(
            crate::ports::join(
                bounded("chrome.action.setBadgeText", set_badge_text(&text)),
                bounded("chrome.action", set_badge_color(&color)),
            ),
            bounded("chrome.action.setTitle", set_title(&title)),
        );
        let _ = all.await;
    }
    async fn send_to_tab(&self, tab_id: i32, msg: Value) {
        let _ = bounded("chrome.tabs.sendMessage", tabs_send_message(tab_id, &to_js(&msg))).await;
    }
    async fn notify_pages(&self, msg: Value) {
        // "Receiving end does not exist" when no popup is open: expected.
        let _ = bounded("chrome.runtime.sendMessage", runtime_send_message(&to_js(&msg))).await;
    }
    async fn extensions(&self) -> Option<Value> {
        // `chrome.management` is undefined until the optional permission is granted; look
        // before calling (a missing API must not reach an async import).
        if chrome_api(&["management", "getAll"]).is_none() {
            return None;
        }
        bounded("chrome.management.getAll", management_get_all()).await.ok().map(|v| from_js(&v))
    }
    async fn alarm(&self, name: &str, when_ms: f64) {
        let _ = bounded("chrome.alarms.create", alarms_create(name, &obj(&[("when", when_ms.into())]))).await;
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
        bounded("chrome.notifications.create", notifications_create(id, &options)).await.map(|_| ())
    }
    fn extension_id(&self) -> String {
        chrome_api(&["runtime", "id"]).and_then(|v| v.as_string()).unwrap_or_default()
    }
    fn pages_url(&self) -> String {
        // Never an empty prefix (it would match every URL).
        get_url("")
            .ok()
            .filter(|u| u.contains("://") && !u.ends_with("://"))
            .unwrap_or_else(|| format!("chrome-extension://{}/", self.extension_id()))
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
