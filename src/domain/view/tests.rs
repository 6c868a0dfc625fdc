use super::*;

use crate::domain::i18n::{Catalogs, Lang};

/// The shipped catalogs in `lang` (leaked: a test's view may borrow them as long as it likes).
fn text(lang: Lang) -> Text<'static> {
    Box::leak(Box::new(Catalogs::bundled())).text(lang)
}

fn input(state: State) -> ViewInput<'static> {
    ViewInput {
        tx: text(Lang::En),
        state,
        outcome: None,
        active_since: None,
        expected: None,
        price_unrecognised: false,
        cart_unread: false,
        warnings: Vec::new(),
        cart_before: None,
        program: "Cashback Guard demo".into(),
        checkout_unprotected: false,
        order_notice: None,
        account: AccountView::NotUsed,
    }
}

#[test]
fn the_banner_discloses_the_commission_next_to_activate_only() {
    let b = banner(&input(State::Inactive));
    assert_eq!(b.by_testid("cg-disclosure-line").len(), 1);
    assert!(b.by_testid("cg-disclosure-line")[0].all_text().contains("commission"));
    let b = banner(&input(State::Active));
    assert!(b.by_testid("cg-disclosure-line").is_empty(), "no Activate, no line");
}

#[test]
fn banner_has_contract_hooks() {
    let b = banner(&input(State::Inactive));
    assert_eq!(b.get("data-testid"), Some("cg-banner"));
    assert_eq!(b.get("data-state"), Some("inactive"));
    let s = b.by_testid("cg-status");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].get("data-state"), Some("inactive"));
    assert_eq!(b.by_testid("cg-activate").len(), 1);
    assert_eq!(b.by_testid("cg-dismiss").len(), 1);
}

#[test]
fn activate_only_when_allowed() {
    for (s, allowed) in [
        (State::Inactive, true),
        (State::Activating, false),
        (State::Active, false),
        (State::Blocked, true),
        (State::Failed, true),
        (State::Hijacked, true),
    ] {
        let b = banner(&input(s));
        assert_eq!(b.by_testid("cg-activate").len(), allowed as usize, "{s:?}");
        assert_eq!(b.get("data-state"), Some(s.as_str()));
        let p = popup(&input(s), &PopupExtra::default());
        assert_eq!(p.by_testid("cg-activate").len(), allowed as usize, "{s:?}");
    }
}

#[test]
fn active_shows_time() {
    let mut v = input(State::Active);
    v.active_since = Some("14:05".into());
    assert!(status_text(&v).contains("14:05"));
    v.tx = text(Lang::Ru);
    assert!(status_text(&v).contains("14:05"));
}

#[test]
fn blocked_explains_and_names_host() {
    let mut v = input(State::Blocked);
    v.outcome = Some(Outcome::BlockedByClient { url: "https://s.click.aliexpress.com/deep_link.htm".into() });
    let h = hint_text(&v);
    assert!(h.contains("s.click.aliexpress.com"), "{h}");
}

#[test]
fn expected_and_range_attributes() {
    let mut v = input(State::Active);
    v.expected = Some(ExpectedView {
        text: "≈ $0.75 – $1.01".into(),
        min_minor: 75,
        max_minor: Some(101),
        currency: "USD".into(),
        rate_bp: 700,
        rate_text: "7%".into(),
        product_id: Some("1005001000000001".into()),
    });
    let b = banner(&v);
    let e = b.by_testid("cg-expected");
    assert_eq!(e[0].get("data-product-id"), Some("1005001000000001"));
    assert_eq!(e[0].get("data-amount-minor"), Some("75"));
    assert_eq!(e[0].get("data-amount-max-minor"), Some("101"));
    assert_eq!(e[0].get("data-currency"), Some("USD"));
    assert_eq!(b.by_testid("cg-rate")[0].get("data-rate-bp"), Some("700"));
}

#[test]
fn unrecognised_price_shows_no_number() {
    let mut v = input(State::Inactive);
    v.price_unrecognised = true;
    let b = banner(&v);
    assert!(b.by_testid("cg-expected").is_empty());
    assert!(b.all_text().contains(&text(Lang::En).t("price_unrecognised", &[])));
}

#[test]
fn unread_cart_is_said_not_silent() {
    let mut v = input(State::Inactive);
    assert!(banner(&v).by_testid("cg-cart-unread").is_empty());
    v.cart_unread = true;
    for lang in [Lang::En, Lang::Ru] {
        v.tx = text(lang);
        let b = banner(&v);
        assert_eq!(b.by_testid("cg-cart-unread").len(), 1);
        assert!(b.all_text().contains(&v.tx.t("cart_unread", &[])));
    }
    assert_ne!(text(Lang::En).t("cart_unread", &[]), text(Lang::Ru).t("cart_unread", &[]));
}

#[test]
fn warnings_render_with_kind_and_subject() {
    let mut v = input(State::Hijacked);
    v.warnings.push(Warning { kind: WarningKind::Rival, subject: "abc".into(), title: "T".into(), remedy: "R".into() });
    let w = banner(&v).by_testid("cg-warning").into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].get("data-kind"), Some("rival"));
    assert_eq!(w[0].get("data-subject"), Some("abc"));
}

#[test]
fn cart_notice_before_activation_only() {
    let mut v = input(State::Inactive);
    v.cart_before = Some(3);
    assert!(banner(&v).all_text().contains("3 items"));
    v.state = State::Active;
    assert!(!banner(&v).all_text().contains("3 items"));
}

#[test]
fn serialises_compactly() {
    let n = el("span").class("a").text("x");
    assert_eq!(serde_json::to_string(&n).unwrap(), r#"{"t":"span","a":[["class","a"]],"x":"x"}"#);
}
