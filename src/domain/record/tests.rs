use super::*;
use crate::domain::i18n::Lang;
use serde_json::json;

#[test]
fn missing_ok_and_quarantine() {
    assert_eq!(decode::<Settings>(None, 1), Loaded::Missing);
    match decode::<Settings>(Some(json!({"v":1,"lang":"ru","banner":false})), 1) {
        Loaded::Ok(s) => {
            assert_eq!(s.lang, LangSetting::Ru);
            assert!(!s.banner);
            assert!(s.badge, "missing fields take defaults");
        }
        other => panic!("{other:?}"),
    }
    for bad in [json!({"v":1,"lang":42}), json!({"v":9}), json!("truncated"), json!({"lang":"ru"})] {
        assert!(matches!(decode::<Settings>(Some(bad.clone()), 1), Loaded::Quarantine { .. }), "{bad}");
    }
    assert!(matches!(decode::<SessionRecord>(Some(json!({"v":1,"referral":{"state":"exploded"}})), 1), Loaded::Quarantine { .. }));
}

/// A session record as the code before the rename (`SessionRecord.referral`) saved it: it
/// loads into `activation` and is saved again under the same key, value for value.
#[test]
fn a_record_saved_under_the_old_key_loads_and_saves_the_same() {
    use crate::domain::session::{Outcome, State};
    let stored = json!({
        "v": 1,
        "referral": {
            "state": "hijacked",
            "since_ms": 1500.0,
            "activated_ms": 1000.0,
            "attempt": null,
            "outcome": {"hijack": {"key": "rivalKey9", "culprit": "hidden iframe in tab 3"}},
            "redirects_sent": 1,
            "account": ["af", "shopper-7"]
        },
        "evidence": [],
        "tabs": [],
        "standdown": null,
        "cart": {"count_now": null, "ids_now": null, "snapshot": null, "stale": [], "added_after": [], "item_level": false},
        "notes": ["n"],
        "last_checkout": null,
        "rates_seen": [["p1", 300]]
    });
    let rec = match decode::<SessionRecord>(Some(stored.clone()), SESSION_VERSION) {
        Loaded::Ok(rec) => rec,
        other => panic!("{other:?}"),
    };
    assert_eq!(rec.activation.state, State::Hijacked);
    assert_eq!(rec.activation.activated_ms, Some(1000.0));
    assert_eq!(rec.activation.outcome, Some(Outcome::Hijack { key: "rivalKey9".into(), culprit: Some("hidden iframe in tab 3".into()) }));
    assert_eq!(rec.activation.account, Some(("af".into(), "shopper-7".into())));
    let saved = serde_json::to_value(&rec).unwrap();
    assert!(saved.get("activation").is_none(), "{saved}");
    assert_eq!(saved["referral"]["state"], "hijacked");
    assert_eq!(saved, stored);
}

#[test]
fn tabs_are_bounded_and_lru() {
    let mut s = SessionRecord::default();
    for i in 0..(MAX_TABS as i32 + 5) {
        s.tab_mut(i, f64::from(i));
    }
    assert_eq!(s.tabs.len(), MAX_TABS);
    assert!(s.tab(0).is_none());
    assert!(s.tab(MAX_TABS as i32 + 4).is_some());
    s.remove_tab(10);
    assert!(s.tab(10).is_none());
}

#[test]
fn lang_setting() {
    let mut s = Settings::default();
    assert_eq!(s.lang("ru-RU"), Lang::Ru);
    assert_eq!(s.lang("de"), Lang::En);
    s.lang = LangSetting::En;
    assert_eq!(s.lang("ru-RU"), Lang::En);
}

// The stored shape is written by `ToJson` and read by `FromJson`: every field and variant must come back as it was written.
mod round_trip {
    use super::super::*;
    use crate::domain::cart::{CartBook, Snapshot as CartSnap};
    use crate::domain::evidence::{Evidence, EvidenceKind};
    use crate::domain::messages::{CartLine, PageFacts};
    use crate::domain::orders::{Order, Snapshot as OSnap};
    use crate::domain::product::PageKind;
    use crate::domain::session::*;

    fn outcomes() -> Vec<Outcome> {
        vec![
            Outcome::BlockedByClient { url: "u".into() },
            Outcome::BlockPage { extension_id: "e".into() },
            Outcome::Stripped { location_had_referral: true, params: vec!["a".into()] },
            Outcome::AccountStripped { param: "p".into() },
            Outcome::AccountSwapped { param: "p".into(), found: "f".into() },
            Outcome::Network { error: "x".into() },
            Outcome::Timeout,
            Outcome::LandedElsewhere { host: "h".into() },
            Outcome::OtherKey { key: "k".into() },
            Outcome::NoTab,
            Outcome::NotSaved { error: "e".into() },
            Outcome::Hijack { key: "k".into(), culprit: Some("c".into()) },
            Outcome::Hijack { key: "k".into(), culprit: None },
        ]
    }

    fn order() -> Order {
        Order {
            id: "o1".into(),
            at_ms: 5.0,
            order_ids: vec!["1".into()],
            payment_id: Some("p".into()),
            page: "pg".into(),
            amount_minor: Some(100),
            currency: Some("USD".into()),
            rate_bp: 300,
            expected_minor: Some(3),
            refunded_minor: 1,
            snapshot: OSnap {
                state: "active".into(),
                activated_ms: Some(2.5),
                cookie: "ours".into(),
                cookie_key: Some("k".into()),
                warnings: vec!["w".into()],
                detail: Some("d".into()),
            },
            reminder: "pending".into(),
            account: Some("acc".into()),
        }
    }

    fn session(o: Outcome) -> SessionRecord {
        let sp = StoredPrice { currency: "USD".into(), min_minor: 10, max_minor: Some(20), from: true };
        SessionRecord {
            v: 1,
            activation: Activation {
                state: State::Hijacked,
                since_ms: 1.5,
                activated_ms: Some(2.0),
                attempt: Some(Attempt {
                    tab_id: -3,
                    target: "t".into(),
                    started_ms: 1.0,
                    deadline_ms: 2.0,
                    redirected: true,
                    location_had_referral: Some(false),
                    click_id: Some("c".into()),
                    prior: Some(vec!["x".into()]),
                    fresh: Some("f".into()),
                    navigated: true,
                    stripped: vec!["s".into()],
                }),
                outcome: Some(o),
                redirects_sent: 4,
                account: Some(("af".into(), "id".into())),
            },
            evidence: vec![
                Evidence { at_ms: 1.0, tab_id: Some(2), kind: EvidenceKind::RivalLink, subject: "s".into(), detail: "d".into() },
                Evidence { at_ms: 2.0, tab_id: None, kind: EvidenceKind::ActivationSent, subject: "".into(), detail: "".into() },
            ],
            tabs: vec![TabInfo {
                tab_id: 3,
                url: "u".into(),
                kind: Some(PageKind::PaymentResult),
                product: Some(ProductInfo {
                    id: Some("1".into()),
                    price: sp.clone(),
                    category: Some("c".into()),
                    quantity: 2,
                    source: "dom".into(),
                    rate_bp: 5,
                }),
                price_unrecognised: true,
                dom_price_first: Some("d".into()),
                notes: vec!["n".into()],
                seen_ms: 9.0,
                checkout: Some(CheckoutInfo {
                    total: Some(sp.clone()),
                    promo_code: Some("P".into()),
                    app_payment: true,
                    rate_bp: 7,
                    at_ms: 8.0,
                }),
                order: Some(order()),
                cart_lines: vec!["".into(), "2".into()],
                cart_unread: true,
            }],
            standdown: Some(Standdown { key: "k".into(), seen_ms: 1.0, via: "url".into() }),
            cart: CartBook {
                count_now: Some(3),
                ids_now: Some(vec!["a".into()]),
                snapshot: Some(CartSnap { at_ms: 4, count: Some(1), ids: Some(vec!["b".into()]) }),
                stale: ["z".to_string(), "a".to_string()].into_iter().collect(),
                added_after: ["q".to_string()].into_iter().collect(),
                item_level: true,
            },
            notes: vec!["note".into()],
            extensions: None,
            last_checkout: Some(CheckoutInfo { total: None, promo_code: None, app_payment: false, rate_bp: 0, at_ms: 1.0 }),
            rates_seen: vec![("p".into(), 12)],
        }
    }

    #[test]
    fn stored_records_decode_to_what_was_written() {
        for o in outcomes() {
            let rec = session(o);
            match decode::<SessionRecord>(Some(serde_json::to_value(&rec).unwrap()), SESSION_VERSION) {
                Loaded::Ok(back) => assert_eq!(back, rec),
                other => panic!("{other:?}"),
            }
        }
        let s = Settings {
            v: 1,
            lang: LangSetting::Ru,
            banner: false,
            badge: false,
            order_check: false,
            orders_max: 7,
            account: Some("a".into()),
        };
        assert_eq!(decode::<Settings>(Some(serde_json::to_value(&s).unwrap()), SETTINGS_VERSION), Loaded::Ok(s));
        let o = order();
        assert_eq!(json::from_value::<Order>(serde_json::to_value(&o).unwrap()), Ok(o));
        let facts = PageFacts {
            layout: Some("l".into()),
            json_ld: vec!["j".into()],
            embedded: vec!["e".into()],
            price: vec!["p".into()],
            category_links: vec!["c".into()],
            quantity: Some("2".into()),
            cart_count: Some("3".into()),
            cart_items: Some(vec![CartLine { href: "h".into(), quantity: Some("1".into()) }]),
            cart_waited: true,
            affiliate_links: vec!["a".into()],
            affiliate_frames: vec!["f".into()],
            order_total: vec!["t".into()],
            promo_code: Some("pc".into()),
            app_payment: true,
            pay_success: true,
            order_links: vec!["ol".into()],
            bait_hidden: Some(true),
        };
        assert_eq!(json::from_value::<PageFacts>(serde_json::to_value(&facts).unwrap()), Ok(facts));
        for k in [EvidenceKind::ActivationSent, EvidenceKind::BlockedRequest, EvidenceKind::Bait, EvidenceKind::RivalLink] {
            assert_eq!(json::from_value::<EvidenceKind>(serde_json::to_value(k).unwrap()), Ok(k));
        }
        for st in [State::Inactive, State::Activating, State::Active, State::Blocked, State::Failed, State::Hijacked] {
            assert_eq!(json::from_value::<State>(serde_json::to_value(st).unwrap()), Ok(st));
        }
        for l in [LangSetting::Auto, LangSetting::En, LangSetting::Ru] {
            assert_eq!(json::from_value::<LangSetting>(serde_json::to_value(l).unwrap()), Ok(l));
        }
        for k in [PageKind::Product, PageKind::Cart, PageKind::Checkout, PageKind::PaymentResult, PageKind::Other] {
            assert_eq!(json::from_value::<PageKind>(serde_json::to_value(k).unwrap()), Ok(k));
        }
    }
}
