//! The cart: what an activation does not cover, the lines to flag.

use super::*;
use serde_json::json;

#[test]
fn cart_warning_before_and_flags_after_activation() {
    let w = World::new();
    let cart = "https://www.aliexpress.com/p/shoppingcart/index.html";
    w.from_tab(3, json!({"type": "hello", "url": cart}));
    let lines =
        json!([{"href": "//www.aliexpress.com/item/1005001000000001.html"}, {"href": "//www.aliexpress.com/item/1005001000000002.html"}]);
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"cartItems": lines, "cartCount": "2"}}));
    let warn = testids(&r["view"], "cg-warning");
    assert_eq!(warn[0]["a"]["data-kind"], "cart");
    assert_eq!(warn[0]["a"]["data-subject"], "1005001000000001,1005001000000002");
    assert!(r["view"].to_string().contains("2 items are already in your cart"), "said next to Activate");
    w.from_tab(3, json!({"type": "activate"}));
    w.land_ours(3);
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"cartItems": lines}}));
    assert_eq!(r["flags"], json!([[0, "1005001000000001"], [1, "1005001000000002"]]), "lines by index, with their ids");
}

#[test]
fn unrecognised_cart_layout_means_no_warning_and_a_diagnostics_line() {
    let w = World::new();
    let cart = "https://www.aliexpress.com/p/shoppingcart/index.html";
    w.from_tab(3, json!({"type": "hello", "url": cart}));
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"layout": "aliexpress-com-2026", "cartWaited": true}}));
    assert!(testids(&r["view"], "cg-warning").is_empty());
    assert_eq!(r["flags"], json!([]));
    let p = w.from_popup(json!({"type": "popup", "tabId": 3}));
    assert!(serde_json::to_string(&p["view"]).unwrap().contains("cart page layout not recognised by profile aliexpress-com-2026"));
    assert_eq!(testids(&r["view"], "cg-cart-unread").len(), 1, "the banner says the cart could not be read");
    // Still rendering (not yet waited): nothing said yet.
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"layout": "aliexpress-com-2026"}}));
    assert!(testids(&r["view"], "cg-cart-unread").is_empty());
    // The real .com markup, lines only (no container): the ids are read.
    let lines = json!([{"href": "//www.aliexpress.com/item/1005001000000101.html"}, {"href": ""}]);
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"cartItems": lines}}));
    assert!(testids(&r["view"], "cg-cart-unread").is_empty());
    assert_eq!(testids(&r["view"], "cg-warning")[0]["a"]["data-subject"], "1005001000000101");
}

#[test]
fn activation_click_carries_the_cart_the_page_shows() {
    let w = World::new();
    let cart = "https://www.aliexpress.com/p/shoppingcart/index.html";
    w.from_tab(3, json!({"type": "hello", "url": cart}));
    // The shopper clicks before the content script's first facts went out.
    let lines = json!([{"href": "//www.aliexpress.com/item/1005001000000001.html"}]);
    w.from_tab(3, json!({"type": "activate", "url": cart, "facts": {"cartItems": lines}}));
    w.land_ours(3);
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"cartItems": lines}}));
    assert_eq!(r["flags"], json!([[0, "1005001000000001"]]));
}

#[test]
fn a_cart_page_still_loading_does_not_clear_the_flags() {
    let w = World::new();
    let cart = "https://www.aliexpress.com/p/shoppingcart/index.html";
    let lines = json!([{"href": "//www.aliexpress.com/item/1005001000000001.html"}]);
    w.from_tab(3, json!({"type": "hello", "url": cart}));
    w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"cartItems": lines}}));
    w.from_tab(3, json!({"type": "activate"}));
    w.land_ours(3);
    // Reload: the container is there, its lines are not yet (no cartItems).
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {}}));
    assert_eq!(r["flags"], json!([[0, "1005001000000001"]]));
    let r = w.from_tab(3, json!({"type": "facts", "url": cart, "facts": {"cartItems": lines}}));
    assert_eq!(r["flags"], json!([[0, "1005001000000001"]]));
    let p = w.from_popup(json!({"type": "popup", "tabId": 3}));
    assert!(!serde_json::to_string(&p["view"]).unwrap().contains("not recognised"));
}
