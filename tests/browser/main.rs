//! Browser tests (wasm-bindgen-test in headless Chromium) for the code that touches
//! web-sys/js-sys: the `chrome.*` adapter, Intl formatting, the DOM renderer, the popup and
//! the worker entry point. `chrome` is an in-memory fake installed per test.
#![cfg(target_arch = "wasm32")]

use cashback_guard::domain::i18n::Lang;
use cashback_guard::ports::{Area, Storage};
use cashback_guard::web::chrome::{format_money, format_time, ChromePlatform};
use cashback_guard::web::{handle_event, start};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function install_fake_chrome() {
  const fake = { calls: [], cookies: {}, listeners: [], reply: null };
  const area = () => {
    const data = {};
    return {
      data,
      get: async (k) => (k in data ? { [k]: structuredClone(data[k]) } : {}),
      set: async (items) => { for (const [k, v] of Object.entries(items)) data[k] = structuredClone(v); },
      remove: async (k) => { delete data[k]; },
    };
  };
  globalThis.chrome = {
    storage: { session: area(), local: area() },
    cookies: { get: async ({ name }) => (name in fake.cookies ? { name, value: fake.cookies[name] } : null) },
    tabs: {
      update: async (id, p) => { fake.calls.push(['tabs.update', id, p.url]); return { id }; },
      sendMessage: async (id, m) => { fake.calls.push(['tabs.sendMessage', id, m.type]); },
      query: async () => [{ id: 7 }],
    },
    runtime: {
      id: 'cgtestextensionidaaaaaaaaaaaaaaaa',
      sendMessage: async (m) => { fake.calls.push(['runtime.sendMessage', m.type]); return fake.reply ? fake.reply(m) : undefined; },
      getManifest: () => ({ version: '9.9.9' }),
      onMessage: { addListener: (f) => fake.listeners.push(f) },
    },
    action: {
      setBadgeText: async (d) => { fake.calls.push(['badge', d.tabId, d.text]); },
      setBadgeBackgroundColor: async () => {},
      setTitle: async () => {},
    },
    alarms: { create: async (n, i) => { fake.calls.push(['alarm', n]); } },
    i18n: { getUILanguage: () => 'en-US', getMessage: (k) => k },
  };
  globalThis.__fake = fake;
}
export function fake_calls() { return JSON.stringify(globalThis.__fake.calls); }
export function stored_session_is_plain_object(key) {
  const v = globalThis.chrome.storage.session.data[key];
  return typeof v === 'object' && v !== null && !(v instanceof Map) && Object.getPrototypeOf(v) === Object.prototype;
}
export function set_cookie(name, value) { globalThis.__fake.cookies[name] = value; }
export function grant_management() {
  globalThis.chrome.management = { getAll: async () => [{ id: 'cjpalhdlnbpafiamejdnhcphjbkeiagm', name: 'uBlock Origin', enabled: true }] };
}
"#)]
extern "C" {
    fn install_fake_chrome();
    fn fake_calls() -> String;
    fn stored_session_is_plain_object(key: &str) -> bool;
    fn set_cookie(name: &str, value: &str);
    fn grant_management();
}

const CONFIG: &str = include_str!("../../extension/config/default.json");
const EXT: &str = "cgtestextensionidaaaaaaaaaaaaaaaa";
const ITEM: &str = "https://www.aliexpress.com/item/1005001000000001.html";

fn calls() -> Vec<Value> {
    serde_json::from_str::<Vec<Value>>(&fake_calls()).unwrap()
}

fn js(v: &Value) -> JsValue {
    cashback_guard::web::chrome::to_js(v)
}

async fn send(v: Value) -> Value {
    cashback_guard::web::chrome::from_js(&handle_event(js(&v)).await)
}

fn from_tab(tab: i32, msg: Value) -> Value {
    json!({"kind": "message", "msg": msg, "sender": {"id": EXT, "tab": {"id": tab}, "url": ITEM}})
}

#[wasm_bindgen_test]
async fn storage_round_trip_stores_plain_json_objects() {
    install_fake_chrome();
    let p = ChromePlatform;
    let v = json!({"v": 1, "nested": {"list": [1, "two", null]}, "n": 1.5});
    p.set(Area::Session, "session", v.clone()).await.unwrap();
    assert!(stored_session_is_plain_object("session"), "stored as a plain object, not a Map");
    assert_eq!(p.get(Area::Session, "session").await.unwrap(), Some(v));
    assert_eq!(p.get(Area::Local, "session").await.unwrap(), None, "areas are separate");
    p.remove(Area::Session, "session").await.unwrap();
    assert_eq!(p.get(Area::Session, "session").await.unwrap(), None);
}

#[wasm_bindgen_test]
fn intl_money_and_time() {
    assert_eq!(format_money(175, "USD", 2, Lang::En), "$1.75");
    let ru = format_money(136_666, "RUB", 2, Lang::Ru);
    assert!(ru.contains("366,66") && ru.contains('₽'), "{ru}");
    assert_eq!(format_money(1500, "JPY", 0, Lang::En), "¥1,500");
    let t = format_time(0.0, Lang::En);
    assert_eq!(t.len(), 5, "hh:mm, got {t}");
    assert_eq!(&t[2..3], ":");
}

const EN: &str = include_str!("../../extension/_locales/en/messages.json");
const RU: &str = include_str!("../../extension/_locales/ru/messages.json");

/// The worker's `start` with the package's own data files, as worker.js passes them (UTF-8
/// bytes), and `checked` as given.
fn start_bundled(checked: Option<u32>) -> Result<(), JsValue> {
    start(
        CONFIG.as_bytes(),
        EN.as_bytes(),
        RU.as_bytes(),
        include_bytes!("../../extension/layouts/layouts.json"),
        include_bytes!("../../extension/ui/banner.css"),
        include_bytes!("../../extension/registry/extensions.json"),
        checked,
    )
}

#[wasm_bindgen_test]
async fn worker_entry_point_hello_then_one_activation() {
    install_fake_chrome();
    // The digest cg-config writes beside the files: the catalogs parsed on first use.
    start_bundled(Some(cashback_guard::domain::package::digest(EN, RU))).unwrap();
    let r = send(from_tab(3, json!({"type": "hello", "url": ITEM}))).await;
    assert_eq!(r["type"], "page");
    assert_eq!(r["state"], "inactive");
    assert!(r["view"].to_string().contains("Cashback is not active"), "catalogs installed: {}", r["view"]);
    let r = send(from_tab(3, json!({"type": "activate"}))).await;
    assert_eq!(r["state"], "activating");
    let navs: Vec<Value> = calls().into_iter().filter(|c| c[0] == "tabs.update").collect();
    assert_eq!(navs.len(), 1);
    assert_eq!(navs[0][1], 3);
    assert!(navs[0][2].as_str().unwrap().starts_with("https://s.click.aliexpress.com/deep_link.htm?aff_short_key=cgDemo0001&"));
    // The landing with our cookie verifies it.
    // A cookie written by this click (AliExpress's time inside it is now).
    let cid = format!("0123456789abcdef0123456789abcdef-{}-01234-cgDemo0001", js_sys::Date::now() as u64);
    set_cookie("aeu_cid", &cid);
    send(json!({"kind": "completed", "tabId": 3, "url": format!("{ITEM}?aff_fsk=cgDemo0001&sk=cgDemo0001&aff_platform=portals-tool")}))
        .await;
    let r = send(from_tab(3, json!({"type": "hello", "url": ITEM}))).await;
    assert_eq!(r["state"], "active");
    assert!(calls().iter().any(|c| c[0] == "badge" && c[1] == 3 && c[2] == "✓"));
    // Garbage events get an error value, not a crash.
    let r = send(json!({"kind": "nonsense"})).await;
    assert_eq!(r["type"], "error");
    let r = cashback_guard::web::chrome::from_js(&handle_event(JsValue::from_f64(42.0)).await);
    assert_eq!(r["type"], "error");
}

#[wasm_bindgen_test]
fn config_errors_name_the_field() {
    let bad = CONFIG.replace("\"session_hours\": 24", "\"session_hours\": \"a day\"");
    let e = start(
        bad.as_bytes(),
        include_bytes!("../../extension/_locales/en/messages.json"),
        include_bytes!("../../extension/_locales/ru/messages.json"),
        include_bytes!("../../extension/layouts/layouts.json"),
        include_bytes!("../../extension/ui/banner.css"),
        include_bytes!("../../extension/registry/extensions.json"),
        None,
    )
    .unwrap_err()
    .as_string()
    .unwrap();
    assert!(e.contains("session_hours"), "{e}");
}

/// Builds a document in the test page, reads it the way the content script does (selectors
/// of the bundled layout profile, `textContent`), and runs the core's extraction.
fn facts_from_dom(html: &str) -> cashback_guard::domain::messages::PageFacts {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    root.set_inner_html(html);
    doc.body().unwrap().append_child(&root).unwrap();
    let layouts = cashback_guard::domain::layout::bundled();
    let profile = &layouts.profiles.iter().find(|p| p.id == "aliexpress-com-2026").unwrap().raw["selectors"];
    let texts = |sel: &str| -> Vec<String> {
        let list = root.query_selector_all(sel).unwrap();
        (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.text_content()).collect()
    };
    let mut facts = cashback_guard::domain::messages::PageFacts::default();
    facts.json_ld = texts(profile["json_ld"].as_str().unwrap());
    for sel in profile["embedded"].as_array().unwrap() {
        facts.embedded.extend(texts(sel.as_str().unwrap()));
    }
    for sel in profile["price"].as_array().unwrap() {
        facts.price.extend(texts(sel.as_str().unwrap()).into_iter().take(1));
    }
    let links = root.query_selector_all("a[href*='/category/']").unwrap();
    facts.category_links = (0..links.length())
        .filter_map(|i| links.item(i))
        .filter_map(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
        .filter_map(|e| e.get_attribute("href"))
        .collect();
    root.remove();
    facts
}

#[wasm_bindgen_test]
fn extraction_from_documents_for_each_layer() {
    use cashback_guard::domain::{extract, layout, url};
    let layouts = layout::bundled();
    let paths = &layouts.embedded_paths;
    let u = url::parse("https://www.aliexpress.com/item/1005001000000001.html").unwrap();

    let ld = facts_from_dom(
        r#"<script type="application/ld+json">{"@type":"Product","offers":{"@type":"Offer","lowPrice":"3.10","highPrice":"5.20","priceCurrency":"USD"}}</script>
        <span class="price-default--current--F8OlYIo">US $9.99</span>"#,
    );
    let p = extract::product(&u, &ld, paths);
    assert_eq!(p.source, "json-ld");
    let pr = p.price.unwrap();
    assert_eq!((pr.currency, pr.min_minor, pr.max_minor), ("USD", 310, Some(520)));

    let emb = facts_from_dom(
        r#"<script>window.runParams = { data: { priceModule: { minActivityAmount: { currency: "EUR", value: 12.34 } }, actionModule: { categoryId: 201768104 } } };</script>"#,
    );
    let p = extract::product(&u, &emb, paths);
    assert_eq!(p.source, "embedded");
    assert_eq!(p.price.unwrap().min_minor, 1234);
    assert_eq!(p.categories, vec!["201768104"]);

    let dom = facts_from_dom("<nav><a href=\"//www.aliexpress.com/category/200000920/x.html\">x</a></nav><span class=\"price-default--current--F8OlYIo\">1\u{202f}234,56\u{a0}₽</span>");
    let p = extract::product(&u, &dom, paths);
    assert_eq!(p.source, "dom");
    let pr = p.price.unwrap();
    assert_eq!((pr.currency, pr.min_minor), ("RUB", 123_456));
    assert_eq!(p.categories, vec!["200000920"]);

    let none = facts_from_dom(r#"<span class="price-default--current--F8OlYIo">NaN</span>"#);
    let p = extract::product(&u, &none, paths);
    assert!(p.price.is_none());
    // The text that did not parse, and that no price was found anywhere.
    assert_eq!(p.notes.len(), 2, "{:?}", p.notes);
    assert!(p.notes.iter().any(|n| n.starts_with("price not found")), "{:?}", p.notes);
}

#[wasm_bindgen_test]
async fn extensions_port_without_and_with_the_management_permission() {
    use cashback_guard::ports::Browser;
    install_fake_chrome();
    let p = ChromePlatform;
    assert_eq!(p.extensions().await, None, "no chrome.management: not granted");
    grant_management();
    let got = p.extensions().await.expect("granted");
    assert_eq!(got[0]["id"], "cjpalhdlnbpafiamejdnhcphjbkeiagm");
}

#[wasm_bindgen(inline_js = r#"
export function hang_cookies() { globalThis.chrome.cookies.get = () => new Promise(() => {}); }
"#)]
extern "C" {
    fn hang_cookies();
}

/// A `chrome.*` call that never settles cannot stall the queue: the event finishes after the
/// bound, and Diagnostics name the call.
#[wasm_bindgen_test]
async fn a_chrome_call_that_never_answers_is_bounded_and_named() {
    install_fake_chrome();
    start_bundled(None).unwrap();
    hang_cookies();
    let t0 = js_sys::Date::now();
    let r = send(from_tab(3, json!({"type": "hello", "url": ITEM}))).await;
    let waited = js_sys::Date::now() - t0;
    assert_eq!(r["type"], "page", "{r}");
    assert!(waited >= f64::from(cashback_guard::web::chrome::CALL_BOUND_MS) - 100.0, "the call really hung ({waited} ms)");
    let p = send(json!({"kind": "message", "msg": {"type": "popup", "tabId": 3}, "sender": {"id": EXT, "url": format!("chrome-extension://{EXT}/popup.html")}})).await;
    assert!(p["view"].to_string().contains("chrome.cookies.get did not answer within"), "{}", p["view"]);
}
