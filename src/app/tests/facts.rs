//! What a page reports: product, price and expected cashback, the checkout.

use super::*;
use serde_json::json;

#[test]
fn hello_on_aliexpress_returns_inactive_banner_with_profile_and_css() {
    let w = World::new();
    let r = w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    assert_eq!(r["type"], "page");
    assert_eq!(r["state"], "inactive");
    assert_eq!(testids(&r["view"], "cg-banner")[0]["a"]["data-state"], "inactive");
    assert_eq!(testids(&r["view"], "cg-activate").len(), 1);
    assert_eq!(r["profile"]["id"], "aliexpress-com-2026");
    assert!(r["css"].as_str().unwrap().contains(".cg-banner"));
}

#[test]
fn expected_cashback_from_json_ld_and_gift_card_rate() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let facts = json!({"jsonLd": [r#"{"@type":"Product","offers":{"price":"25.00","priceCurrency":"USD"}}"#], "quantity": "2"});
    let r = w.from_tab(3, json!({"type": "facts", "url": ITEM, "facts": facts}));
    let e = testids(&r["view"], "cg-expected");
    assert_eq!(e[0]["a"]["data-amount-minor"], "350", "25.00 × 2 × 7% = 3.50");
    assert_eq!(e[0]["a"]["data-currency"], "USD");
    assert_eq!(testids(&r["view"], "cg-rate")[0]["a"]["data-rate-bp"], "700");
    // A gift certificate (category 201768104) earns the category rate.
    let gift = "https://www.aliexpress.com/item/1005001000000004.html";
    w.from_tab(5, json!({"type": "hello", "url": gift}));
    let facts = json!({"price": ["US $50.00"], "categoryLinks": ["//www.aliexpress.com/category/201768104/gift-cards.html"]});
    let r = w.from_tab(5, json!({"type": "facts", "url": gift, "facts": facts}));
    assert_eq!(testids(&r["view"], "cg-rate")[0]["a"]["data-rate-bp"], "300");
    assert_eq!(testids(&r["view"], "cg-expected")[0]["a"]["data-amount-minor"], "150");
}

#[test]
fn unreadable_price_says_so_and_keeps_the_raw_text() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let r = w.from_tab(3, json!({"type": "facts", "url": ITEM, "facts": {"price": ["цена по запросу"]}}));
    assert!(testids(&r["view"], "cg-expected").is_empty());
    assert!(serde_json::to_string(&r["view"]).unwrap().contains("Could not read the price"));
    let p = w.from_popup(json!({"type": "popup", "tabId": 3}));
    assert!(serde_json::to_string(&p["view"]).unwrap().contains("цена по запросу"));
}

#[test]
fn a_sku_picked_on_a_json_ld_page_moves_the_amount() {
    let w = World::new();
    w.from_tab(3, json!({"type": "hello", "url": ITEM}));
    let ld = r#"{"@type":"Product","offers":{"price":"25.00","priceCurrency":"USD"}}"#;
    let r = w.from_tab(3, json!({"type": "facts", "url": ITEM, "facts": {"jsonLd": [ld], "price": ["US $25.00"]}}));
    assert_eq!(testids(&r["view"], "cg-expected")[0]["a"]["data-amount-minor"], "175");
    // The SKU click changes the URL (same product) and the visible price only.
    let sku = format!("{ITEM}?sku_id=12000");
    w.from_tab(3, json!({"type": "hello", "url": sku}));
    let r = w.from_tab(3, json!({"type": "facts", "url": sku, "facts": {"jsonLd": [ld], "price": ["US $30.00"]}}));
    assert_eq!(testids(&r["view"], "cg-expected")[0]["a"]["data-amount-minor"], "210");
    // A text in another currency (a mis-read element) does not override the structured price.
    let r = w.from_tab(3, json!({"type": "facts", "url": sku, "facts": {"jsonLd": [ld], "price": ["1 000 ₽"]}}));
    assert_eq!(testids(&r["view"], "cg-expected")[0]["a"]["data-amount-minor"], "175");
}

#[test]
fn checkout_pitfalls_are_warned_on_the_checkout_page() {
    let w = World::new();
    // Not active: the checkout says so before payment.
    let r = w.page(3, CHECKOUT, json!({"orderTotal": ["US $10.00"], "promoCode": "  SAVE5 ", "appPayment": true}));
    let risk = testids(&r["view"], "cg-checkout-risk");
    assert_eq!(risk.len(), 1);
    assert_eq!(risk[0]["a"]["data-state"], "inactive");
    let kinds: Vec<(String, String)> = testids(&r["view"], "cg-warning")
        .iter()
        .map(|x| (x["a"]["data-kind"].as_str().unwrap().to_string(), x["a"]["data-subject"].as_str().unwrap().to_string()))
        .collect();
    assert!(kinds.contains(&("coupon".into(), "SAVE5".into())), "{kinds:?}");
    assert!(kinds.contains(&("app-payment".into(), "app".into())), "{kinds:?}");
    // Clean checkout, active: no pitfall, no risk line.
    let w = World::new();
    w.activate_and_land(3);
    let r = w.page(3, CHECKOUT, json!({"orderTotal": ["US $10.00"], "promoCode": ""}));
    assert!(testids(&r["view"], "cg-checkout-risk").is_empty());
    assert!(testids(&r["view"], "cg-warning").is_empty(), "{}", r["view"]);
    // Pitfalls belong to the checkout page only.
    let r = w.page(4, ITEM, json!({"promoCode": "SAVE5", "appPayment": true}));
    assert!(testids(&r["view"], "cg-warning").is_empty());
}
