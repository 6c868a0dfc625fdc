//! Property tests (proptest) of the money maths and the session state machine.
//! Native only (`cargo test --lib`); the fuzz targets in `fuzz/` cover the parsers.

use super::money::{apply_cap, expected_cashback, refund_adjusted, Expected, MoneyError, MAX_RATE_BP, MAX_RESULT_MINOR};
use super::price::PriceRange;
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// Money

/// Mostly realistic amounts, sometimes anything (to reach the overflow paths).
fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 0u64..10_000_000, 2 => 0u64..=MAX_RESULT_MINOR, 1 => any::<u64>()]
}

fn quantity() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 1u32..=20, 1 => any::<u32>()]
}

fn rate() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..=MAX_RATE_BP, 1 => any::<u32>()]
}

fn single(min: u64) -> PriceRange {
    PriceRange { currency: "USD", min_minor: min, max_minor: None, from: false }
}

/// `price × quantity × rate` in basis points of a minor unit, exactly.
fn exact(price: u64, quantity: u32, rate_bp: u32) -> u128 {
    u128::from(price) * u128::from(quantity) * u128::from(rate_bp)
}

fn cb(price: u64, quantity: u32, rate_bp: u32) -> Result<u64, MoneyError> {
    expected_cashback(&single(price), quantity, rate_bp).map(|e| e.min_minor)
}

fn expected() -> impl Strategy<Value = Expected> {
    (0u64..1_000_000, proptest::option::of(0u64..1_000_000)).prop_map(|(min, max)| Expected {
        currency: "EUR",
        min_minor: min,
        max_minor: max.filter(|&m| m > min),
        rate_bp: 700,
        quantity: 1,
    })
}

proptest! {
    /// Rounded down, by less than one minor unit: never more than the rule gives.
    #[test]
    fn cashback_is_the_floor_of_the_exact_amount(price in amount(), q in quantity(), r in rate()) {
        match cb(price, q, r) {
            Ok(c) => {
                let x = exact(price, q, r);
                prop_assert!(u128::from(c) * 10_000 <= x);
                prop_assert!(x < (u128::from(c) + 1) * 10_000);
                prop_assert!(c <= MAX_RESULT_MINOR);
                prop_assert!(u128::from(c) <= u128::from(price) * u128::from(q), "never above 100 %");
            }
            Err(MoneyError::ZeroQuantity) => prop_assert_eq!(q, 0),
            Err(MoneyError::RateOutOfRange) => prop_assert!(r > MAX_RATE_BP),
            Err(MoneyError::Overflow) => {
                prop_assert!(q > 0 && r <= MAX_RATE_BP);
                prop_assert!(exact(price, q, r) / 10_000 > u128::from(MAX_RESULT_MINOR));
            }
            Err(e) => prop_assert!(false, "unexpected {e:?}"),
        }
    }

    /// More price, quantity or rate never means less cashback.
    #[test]
    fn cashback_is_monotonic(a in amount(), b in amount(), q1 in quantity(), q2 in quantity(), r1 in rate(), r2 in rate()) {
        let (p_lo, p_hi) = (a.min(b), a.max(b));
        let (q_lo, q_hi) = (q1.min(q2), q1.max(q2));
        let (r_lo, r_hi) = (r1.min(r2), r1.max(r2));
        if let (Ok(lo), Ok(hi)) = (cb(p_lo, q1, r1), cb(p_hi, q1, r1)) { prop_assert!(lo <= hi); }
        if let (Ok(lo), Ok(hi)) = (cb(a, q_lo, r1), cb(a, q_hi, r1)) { prop_assert!(lo <= hi); }
        if let (Ok(lo), Ok(hi)) = (cb(a, q1, r_lo), cb(a, q1, r_hi)) { prop_assert!(lo <= hi); }
        // Errors are monotonic too: if the larger input fits, so does the smaller one.
        if cb(p_hi, q1, r1).is_ok() { prop_assert!(cb(p_lo, q1, r1).is_ok()); }
    }

    /// Splitting an order never earns more than one order, and loses under one minor unit
    /// per split; `quantity` items earn at least `quantity` times one item.
    #[test]
    fn cashback_of_a_split_order(a in 0u64..1_000_000_000_000, b in 0u64..1_000_000_000_000, q in 1u32..1000, r in 0u32..=MAX_RATE_BP) {
        let whole = cb(a + b, 1, r).unwrap();
        let parts = cb(a, 1, r).unwrap() + cb(b, 1, r).unwrap();
        prop_assert!(parts <= whole && whole <= parts + 1);
        prop_assert!(cb(a, 1, r).unwrap() * u64::from(q) <= cb(a, q, r).unwrap());
    }

    /// A price range gives `min ≤ max`, `max` only when strictly greater, and each end equals
    /// the cashback of that end of the price.
    #[test]
    fn cashback_of_a_range(lo in amount(), span in 1u64..1_000_000, q in quantity(), r in rate()) {
        let hi = lo.saturating_add(span);
        prop_assume!(hi > lo);
        let price = PriceRange { currency: "EUR", min_minor: lo, max_minor: Some(hi), from: true };
        if let Ok(e) = expected_cashback(&price, q, r) {
            prop_assert_eq!(e.currency, "EUR");
            prop_assert_eq!(e.min_minor, cb(lo, q, r).unwrap());
            let top = cb(hi, q, r).unwrap();
            prop_assert!(e.min_minor <= top);
            prop_assert_eq!(e.max_minor, Some(top).filter(|&t| t > e.min_minor));
        }
    }

    /// The cap bounds both ends, never raises anything, keeps `max > min`, and is idempotent.
    #[test]
    fn cap_bounds_and_is_idempotent(e in expected(), cap in proptest::option::of(0u64..2_000_000)) {
        let c = apply_cap(&e, cap);
        prop_assert!(c.min_minor <= e.min_minor);
        if let Some(m) = c.max_minor {
            prop_assert!(m > c.min_minor);
            prop_assert!(m <= e.max_minor.unwrap());
        }
        if let Some(cap) = cap {
            prop_assert!(c.min_minor <= cap && c.max_minor.is_none_or(|m| m <= cap));
            if cap >= e.max_minor.unwrap_or(e.min_minor) { prop_assert_eq!(&c, &e); }
        } else {
            prop_assert_eq!(&c, &e);
        }
        prop_assert_eq!(apply_cap(&c, cap), c);
    }

    /// A refund never increases cashback; more refund, less (or equal) cashback; a refund
    /// above the amount paid is an error; the result is the cashback of the net amount.
    #[test]
    fn refunds_only_decrease_cashback(paid in amount(), f1 in amount(), f2 in amount(), r in rate()) {
        let (lo, hi) = (f1.min(f2), f1.max(f2));
        if r > MAX_RATE_BP {
            prop_assert_eq!(refund_adjusted(paid, lo, r), Err(MoneyError::RateOutOfRange));
            return Ok(());
        }
        for f in [lo, hi] {
            match refund_adjusted(paid, f, r) {
                Err(MoneyError::RefundExceedsPaid) => prop_assert!(f > paid),
                other => {
                    prop_assert!(f <= paid);
                    prop_assert_eq!(other, cb(paid - f, 1, r));
                }
            }
        }
        if let (Ok(none), Ok(a), Ok(b)) = (refund_adjusted(paid, 0, r), refund_adjusted(paid, lo, r), refund_adjusted(paid, hi, r)) {
            prop_assert!(b <= a && a <= none);
        }
        prop_assert_eq!(refund_adjusted(paid, paid, r), Ok(0));
    }
}

// ---------------------------------------------------------------------------
// Session state machine

use super::record::{self, Loaded, SessionRecord, SESSION_VERSION};
use super::attribution::{Attribution, Source};
use super::session::{Activation, Landing, Outcome, Refusal, State};
use super::url::{parse, Url};

const KEY: &str = "cgDemo0001";
const RIVAL: &str = "rival42";
const TAB: i32 = 7;
const TARGET: &str = "https://www.aliexpress.com/item/1005001234567890.html";
const DEEP: &str = "https://s.click.aliexpress.com/deep_link.htm?aff_short_key=cgDemo0001&dl_target_url=x";
const SESSION_MS: f64 = 24.0 * 3_600_000.0;
const TIMEOUT_MS: f64 = 30_000.0;

/// Pages an activation may land on (or pass through).
const PAGES: &[&str] = &[
    TARGET,
    "https://www.aliexpress.com/item/1005001234567890.html?aff_fcid=0a1b-0000000001000-01234-cgDemo0001&aff_fsk=cgDemo0001&sk=cgDemo0001",
    "https://www.aliexpress.com/item/1005001234567890.html?sk=rival42",
    "https://aliexpress.ru/item/1.html?aff_trace_key=0a1b-1700000000000-01234-cgDemo0001",
    DEEP,
    "https://ad.admitad.com/g/abc/?ulp=x",
    "https://evil.example/",
    "https://www.aliexpress.com/p/shoppingcart/index.html",
    "chrome-extension://cjpalhdlnbpafiamejdnhcphjbkeiagm/document-blocked.html",
];

const ERRORS: &[&str] = &["net::ERR_BLOCKED_BY_CLIENT", "net::ERR_ABORTED", "net::ERR_CONNECTION_REFUSED", "net::ERR_NAME_NOT_RESOLVED"];

#[derive(Debug, Clone)]
enum Ev {
    /// A trusted click on Activate.
    Begin {
        tab: i32,
    },
    NoTab,
    Tick {
        dt: f64,
    },
    Redirect {
        tab: i32,
        from: usize,
        to: usize,
    },
    NetError {
        tab: i32,
        url: usize,
        error: usize,
    },
    Landed {
        tab: i32,
        page: Option<usize>,
        ours: bool,
        rival: bool,
    },
    Attribution {
        ours: bool,
    },
}

fn tab() -> impl Strategy<Value = i32> {
    prop_oneof![4 => Just(TAB), 1 => Just(8)]
}

fn event() -> impl Strategy<Value = Ev> {
    let page = 0..PAGES.len();
    // Times are whole milliseconds, so the stored f64 values round-trip exactly.
    let dt = prop_oneof![6 => 0u32..2_000, 2 => 0u32..40_000, 1 => Just(SESSION_MS as u32), 1 => 0u32..2 * SESSION_MS as u32];
    let from = prop_oneof![3 => Just(4usize), 1 => page.clone()]; // mostly from the deep link
    prop_oneof![
        4 => tab().prop_map(|tab| Ev::Begin { tab }),
        1 => Just(Ev::NoTab),
        3 => dt.prop_map(|dt| Ev::Tick { dt: f64::from(dt) }),
        6 => (tab(), from, page.clone()).prop_map(|(tab, from, to)| Ev::Redirect { tab, from, to }),
        3 => (tab(), page.clone(), 0..ERRORS.len()).prop_map(|(tab, url, error)| Ev::NetError { tab, url, error }),
        8 => (tab(), proptest::option::of(page), any::<bool>(), any::<bool>())
            .prop_map(|(tab, page, ours, rival)| Ev::Landed { tab, page, ours, rival }),
        4 => any::<bool>().prop_map(|ours| Ev::Attribution { ours }),
    ]
}

/// A cookie written by a redirect (its id carries AliExpress's time): new to every attempt.
fn cookie(key: &str) -> Attribution {
    Attribution { key: key.into(), source: Source::AeuCidCookie, trace: Some(format!("0a1b-0000000001000-01234-{key}")), platform: None }
}

/// Replays `events` from a fresh session, checking every step.
fn replay(events: &[Ev]) -> Result<(), TestCaseError> {
    let urls: Vec<Option<Url>> = PAGES.iter().map(|p| parse(p).ok()).collect();
    let mut r = Activation::default();
    let mut now = 1_000.0;
    let mut clicks = 0u32;
    for ev in events {
        now += 1.0;
        let before = r.clone();
        let changed = match ev {
            Ev::Begin { tab } => {
                let res = r.begin(now, *tab, TARGET, TIMEOUT_MS);
                match before.state {
                    State::Active => prop_assert_eq!(res, Err(Refusal::AlreadyActive)),
                    State::Activating => prop_assert_eq!(res, Err(Refusal::InFlight)),
                    _ => prop_assert_eq!(res, Ok(())),
                }
                if res.is_ok() {
                    clicks += 1;
                    prop_assert_eq!(r.redirects_sent, before.redirects_sent + 1);
                } else {
                    prop_assert_eq!(&r, &before, "a refused click changes nothing");
                }
                res.is_ok()
            }
            Ev::NoTab => {
                r.abort_no_tab(now);
                if before.state == State::Activating {
                    prop_assert_eq!((r.state, r.outcome.clone()), (State::Failed, Some(Outcome::NoTab)));
                } else {
                    prop_assert_eq!(&r, &before);
                }
                r != before
            }
            Ev::Tick { dt } => {
                now += dt;
                let changed = r.tick(now, SESSION_MS);
                // An activation never outlives its deadline; a session never outlives its length.
                if let Some(a) = &before.attempt {
                    if now >= a.deadline_ms {
                        prop_assert_eq!((r.state, r.outcome.clone()), (State::Failed, Some(Outcome::Timeout)));
                    }
                }
                if let Some(at) = before.activated_ms {
                    if now - at >= SESSION_MS {
                        prop_assert_eq!(r.state, State::Inactive);
                    }
                }
                changed
            }
            Ev::Redirect { tab, from, to } => r.on_redirect(now, *tab, PAGES[*from], PAGES[*to]),
            Ev::NetError { tab, url, error } => r.on_net_error(now, *tab, PAGES[*url], ERRORS[*error]),
            Ev::Landed { tab, page, ours, rival } => {
                let mut cookies = Vec::new();
                if *ours {
                    cookies.push(cookie(KEY));
                }
                if *rival {
                    cookies.push(cookie(RIVAL));
                }
                let url = page.and_then(|i| urls[i].as_ref());
                let changed = r.on_landed(now, *tab, &Landing { url, cookies: &cookies }, KEY);
                if r.state == State::Active && before.state != State::Active {
                    // `active` only with proof of our key, in the URL or a cookie.
                    let from_url = url.and_then(super::attribution::landing_attribution).is_some_and(|a| a.key == KEY);
                    prop_assert!(from_url || *ours);
                }
                changed
            }
            Ev::Attribution { ours } => {
                let a = cookie(if *ours { KEY } else { RIVAL });
                let changed = r.on_attribution(now, &a, KEY, None);
                prop_assert_eq!(changed, before.state == State::Active && !*ours);
                changed
            }
        };

        // Only the allowed transitions (contract §3).
        use State::*;
        let allowed = matches!(
            (before.state, r.state),
            (Inactive | Blocked | Failed | Hijacked, Activating)
                | (Activating, Active | Blocked | Failed)
                | (Active, Hijacked)
                | (Active | Hijacked, Inactive)
        );
        // A slow landing with fresh proof after the timeout (no second redirect).
        let late = before.state == Failed && before.outcome == Some(Outcome::Timeout) && r.state == Active;
        prop_assert!(before.state == r.state || allowed || late, "{:?} -> {:?} on {:?}", before.state, r.state, ev);
        // `activating` is entered only by a click; a verdict only from `activating`.
        if r.state == Activating && before.state != Activating {
            prop_assert!(matches!(ev, Ev::Begin { .. }), "entered activating on {:?}", ev);
        }
        // The return value says whether the state changed (a click always starts anew).
        if !matches!(ev, Ev::Begin { .. }) {
            prop_assert_eq!(changed, r.state != before.state, "{:?}", ev);
            prop_assert_eq!(r.redirects_sent, before.redirects_sent, "only a click sends the shopper through the link");
        }
        if r.state != before.state {
            prop_assert_eq!(r.since_ms, now);
        }
        // Data consistent with the state.
        // The attempt lives while in flight, and after a timeout (for a late landing).
        let open = r.state == Activating || (r.state == Failed && r.outcome == Some(Outcome::Timeout));
        prop_assert_eq!(r.attempt.is_some(), open);
        prop_assert_eq!(r.activated_ms.is_some(), matches!(r.state, Active | Hijacked));
        prop_assert_eq!(r.outcome.is_some(), matches!(r.state, Blocked | Failed | Hijacked));
        if let Some(a) = &r.attempt {
            prop_assert!(a.deadline_ms == a.started_ms + TIMEOUT_MS);
        }
        prop_assert_eq!(r.redirects_sent, clicks);

        // The worker stores the machine after every event and may die at any moment: the
        // stored record decodes to exactly this machine.
        let rec = SessionRecord { activation: r.clone(), ..Default::default() };
        let stored = serde_json::to_value(&rec).unwrap();
        match record::decode::<SessionRecord>(Some(stored), SESSION_VERSION) {
            Loaded::Ok(back) => prop_assert_eq!(&back.activation, &r),
            other => prop_assert!(false, "stored machine did not decode: {other:?}"),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any sequence of browser events and clicks keeps the machine within the contract.
    #[test]
    fn session_machine_follows_the_contract(events in proptest::collection::vec(event(), 0..40)) {
        replay(&events)?;
    }

    /// Once `active`, no sequence of events without a click sends the shopper through the
    /// deep link again, and a click is refused until the session is hijacked or expires.
    #[test]
    fn active_never_redirects_again(events in proptest::collection::vec(event(), 0..40)) {
        let mut r = Activation::default();
        r.begin(1_000.0, TAB, TARGET, TIMEOUT_MS).unwrap();
        let landed = parse(PAGES[1]).unwrap();
        let verdict = r.on_landed(1_100.0, TAB, &Landing { url: Some(&landed), cookies: &[] }, KEY);
        prop_assert!(verdict);
        prop_assert_eq!(r.state, State::Active);
        let mut now = 1_100.0;
        for ev in &events {
            now += 1.0;
            match ev {
                Ev::Begin { tab } => {
                    let was = r.state;
                    let res = r.begin(now, *tab, TARGET, TIMEOUT_MS);
                    prop_assert_eq!(res.is_ok(), matches!(was, State::Hijacked | State::Inactive));
                    if res.is_ok() { return Ok(()); }
                }
                Ev::Tick { dt } => { now += dt; r.tick(now, SESSION_MS); }
                Ev::NoTab => r.abort_no_tab(now),
                Ev::Redirect { tab, from, to } => { r.on_redirect(now, *tab, PAGES[*from], PAGES[*to]); }
                Ev::NetError { tab, url, error } => { r.on_net_error(now, *tab, PAGES[*url], ERRORS[*error]); }
                Ev::Landed { tab, page, ours, .. } => {
                    let u = page.and_then(|i| parse(PAGES[i]).ok());
                    let c = if *ours { vec![cookie(KEY)] } else { vec![] };
                    r.on_landed(now, *tab, &Landing { url: u.as_ref(), cookies: &c }, KEY);
                }
                Ev::Attribution { ours } => { r.on_attribution(now, &cookie(if *ours { KEY } else { RIVAL }), KEY, None); }
            }
            prop_assert_eq!(r.redirects_sent, 1);
            prop_assert!(matches!(r.state, State::Active | State::Hijacked | State::Inactive), "{:?}", r.state);
        }
    }
}

// ---------------------------------------------------------------------------
// The lenient reader (cookies, embedded page data)

use super::lenient::{object_prefix, parse_js_object};
use serde_json::Value;

/// Texts made of the pieces JSON and object literals are made of.
fn js_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just(":".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("\\u".to_string()),
        Just("\\ud83d".to_string()),
        Just("\\ude00".to_string()),
        Just("\\".to_string()),
        Just("true".to_string()),
        Just("null".to_string()),
        Just("/*".to_string()),
        Just("*/".to_string()),
        Just(" ".to_string()),
        "[a-z0-9.-]{1,4}",
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// A whole object reads the same in both modes; every cut of it keeps only members the
    /// whole one has (a value cut off is dropped, never kept half).
    #[test]
    fn lenient_cuts_keep_a_subset(s in js_text()) {
        if let Some(Value::Object(full)) = parse_js_object(&s) {
            prop_assert_eq!(&object_prefix(&s), &full);
            for (i, _) in s.char_indices() {
                let cut = object_prefix(&s[..i]);
                for (k, v) in &cut {
                    // The same value, unless the key comes more than once (the last one wins).
                    let once = s.matches(k.as_str()).count() == 1;
                    prop_assert!(full.contains_key(k) && (!once || full.get(k) == Some(v)), "{k}: {v} from {:?}", &s[..i]);
                }
            }
        }
    }
}
