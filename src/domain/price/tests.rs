use super::*;
use PriceError::*;

#[derive(Debug)]
enum Want {
    Val(&'static str, u64, Option<u64>, bool),
    Fail(PriceError),
}
use Want::{Fail, Val};

fn one(c: &'static str, v: u64) -> Want {
    Val(c, v, None, false)
}
fn range(c: &'static str, a: u64, b: u64) -> Want {
    Val(c, a, Some(b), false)
}
fn from(c: &'static str, v: u64) -> Want {
    Val(c, v, None, true)
}

fn check(input: &str, fallback: Option<&str>, want: &Want) -> Result<(), String> {
    let got = parse_price(input, fallback);
    let expected = match *want {
        Val(c, min, max, from) => Ok(PriceRange { currency: c, min_minor: min, max_minor: max, from }),
        Fail(ref e) => Err(e.clone()),
    };
    if got == expected {
        Ok(())
    } else {
        Err(format!("{input:?} (fallback {fallback:?}): got {got:?}, want {want:?}"))
    }
}

#[test]
fn price_table() {
    let long = "1".repeat(10_000) + " $";
    let long_mixed = "€ 1,5 ".repeat(1700);
    let cases: Vec<(&str, Option<&str>, Want)> = vec![
        // Brief examples
        ("US $12.34", None, one("USD", 1234)),
        ("US $10.79 - 14.44", None, range("USD", 1079, 1444)),
        ("₪7.66 - ₪7.96", None, range("ILS", 766, 796)),
        ("AU$12.99", None, one("AUD", 1299)),
        ("NOK260.09", None, one("NOK", 26009)),
        ("1\u{A0}366,66kr", None, one("NOK", 136666)),
        ("12,34 €", None, one("EUR", 1234)),
        ("€ 1.234,56", None, one("EUR", 123456)),
        ("1\u{202F}234,56 ₽", None, one("RUB", 123456)),
        ("1 366,66 ₽", None, one("RUB", 136666)),
        ("от 99 ₽", None, from("RUB", 9900)),
        ("99 руб.", None, one("RUB", 9900)),
        ("99 р.", None, one("RUB", 9900)),
        ("£5", None, one("GBP", 500)),
        ("¥1,234", None, one("JPY", 1234)),
        ("₩12,000", None, one("KRW", 12000)),
        ("R$ 25,90", None, one("BRL", 2590)),
        ("C$ 4.50", None, one("CAD", 450)),
        ("CHF 12.50", None, one("CHF", 1250)),
        ("zł 10,99", None, one("PLN", 1099)),
        ("10,99 zł", None, one("PLN", 1099)),
        ("$0.99", None, one("USD", 99)),
        ("US $3.10 - 5.20", None, range("USD", 310, 520)),
        ("from US $3.10", None, from("USD", 310)),
        ("\u{200F}₪\u{200F}7.66\u{200F}", None, one("ILS", 766)),
        ("\u{202E}12,34 €\u{202C}", None, one("EUR", 1234)),
        ("\n  US $\n12.34\t\r\n", None, one("USD", 1234)),
        ("12,34 € – 15,00 €", None, range("EUR", 1234, 1500)),
        ("12,34 € — 15,00 €", None, range("EUR", 1234, 1500)),
        ("5 € ~ 7 €", None, range("EUR", 500, 700)),
        ("10 to 20 $", None, range("USD", 1000, 2000)),
        ("100 до 200 ₽", None, range("RUB", 10000, 20000)),
        ("$5 - $5", None, one("USD", 500)),
        ("$14.44 - $10.79", None, Fail(Inverted)),
        // Separators
        ("$1,234", None, one("USD", 123400)),
        ("1.234 €", None, one("EUR", 123400)),
        ("1,234,567.89 $", None, one("USD", 123456789)),
        ("1.234.567,89 €", None, one("EUR", 123456789)),
        ("1 234 567,89 ₽", None, one("RUB", 123456789)),
        ("1 234.5 ₽", None, one("RUB", 123450)),
        ("€1,5", None, one("EUR", 150)),
        ("0,99 €", None, one("EUR", 99)),
        ("$0.999", None, one("USD", 99)),
        ("$1.9999", None, one("USD", 199)),
        ("$0", None, one("USD", 0)),
        ("CHF 1'234.50", None, one("CHF", 123450)),
        ("₹1,23,456.50", None, one("INR", 12345650)),
        ("Rp 15.000", None, one("IDR", 1500000)),
        ("₹12,34,567", None, one("INR", 123456700)),
        ("₹1,23,45.00", None, Fail(Garbage)),
        ("KWD 1.234", None, one("KWD", 1234)),
        ("KWD 1,234.500", None, one("KWD", 1234500)),
        ("¥12.5", None, one("JPY", 12)),
        ("₩12,000.99", None, one("KRW", 12000)),
        ("$ 12.990 CLP", None, one("CLP", 12990)),
        ("19,- €", None, one("EUR", 1900)),
        ("1.299,– €", None, one("EUR", 129900)),
        ("\t€\u{2009}1\u{2009}234,56\r\n", None, one("EUR", 123456)),
        ("1\u{2007}000 ₽", None, one("RUB", 100000)),
        // Currency symbols and codes
        ("JP¥ 500", None, one("JPY", 500)),
        ("CN¥ 12.50", None, one("CNY", 1250)),
        ("\u{FFE5}12.50", None, one("CNY", 1250)),
        ("HK$ 88", None, one("HKD", 8800)),
        ("S$ 1,299.00", None, one("SGD", 129900)),
        ("MX$ 199", None, one("MXN", 19900)),
        ("NZ$ 5", None, one("NZD", 500)),
        ("A$ 5", None, one("AUD", 500)),
        ("CA$5", None, one("CAD", 500)),
        ("₺49,90", None, one("TRY", 4990)),
        ("49,90 TL", None, one("TRY", 4990)),
        ("1 299,00 Kč", None, one("CZK", 129900)),
        ("Fr. 12.50", None, one("CHF", 1250)),
        ("12,50 lei", None, one("RON", 1250)),
        ("1 990 Ft", None, one("HUF", 199000)),
        ("฿1,290", None, one("THB", 129000)),
        ("250.000 ₫", None, one("VND", 250000)),
        ("₴ 1 299", None, one("UAH", 129900)),
        ("1 299 грн", None, one("UAH", 129900)),
        ("5 990 ₸", None, one("KZT", 599000)),
        ("₹499", None, one("INR", 49900)),
        ("usd 10", None, one("USD", 1000)),
        ("99 kr", None, one("NOK", 9900)),
        ("99 kr SEK", None, one("SEK", 9900)),
        ("DKK 1.299,95", None, one("DKK", 129995)),
        ("$5 CAD", None, one("CAD", 500)),
        ("$5 €", None, Fail(Ambiguous)),
        ("US $5 - €6", None, Fail(Ambiguous)),
        ("99 kr €", None, Fail(Ambiguous)),
        // "from" words
        ("ab 5,99 €", None, from("EUR", 599)),
        ("à partir de 12,99 €", None, from("EUR", 1299)),
        ("a partir de R$ 25,90", None, from("BRL", 2590)),
        ("desde $5", None, from("USD", 500)),
        ("from $3 - $5", None, Val("USD", 300, Some(500), true)),
        ("5 $ from", None, Fail(Garbage)),
        // Fallback currency
        ("12.34", None, Fail(UnknownCurrency)),
        ("12.34", Some("eur"), one("EUR", 1234)),
        ("12.34", Some("XYZ"), Fail(UnknownCurrency)),
        ("1,234", Some("JPY"), one("JPY", 1234)),
        ("$5", Some("CAD"), one("CAD", 500)),
        ("$5", Some("EUR"), one("USD", 500)),
        ("99 kr", Some("SEK"), one("SEK", 9900)),
        ("£5", Some("USD"), one("GBP", 500)),
        // Errors
        ("", None, Fail(Empty)),
        ("   ", None, Fail(Empty)),
        ("\u{A0}\u{200F}\n", None, Fail(Empty)),
        ("NaN", None, Fail(Garbage)),
        ("Infinity $", None, Fail(Garbage)),
        ("$", None, Fail(NoAmount)),
        ("--", None, Fail(NoAmount)),
        ("от ₽", None, Fail(NoAmount)),
        ("$12.34.56", None, Fail(Garbage)),
        ("12.34.56", None, Fail(Garbage)),
        ("12.34.56,78,9 €", None, Fail(Garbage)),
        ("1,2,3 $", None, Fail(Garbage)),
        ("1.234.56 €", None, Fail(Garbage)),
        ("12 34 €", None, Fail(Garbage)),
        ("-5 $", None, Fail(Garbage)),
        ("$-5", None, Fail(Garbage)),
        ("\u{2212}5 €", None, Fail(Garbage)),
        ("5 - $", None, Fail(Garbage)),
        ("$5 - - 6", None, Fail(Garbage)),
        ("9999999999999999999999 $", None, Fail(TooLarge)),
        ("1 000 000 000 000 000,00 €", None, Fail(TooLarge)),
        ("999 999 999 999 999,99 €", None, one("EUR", 99_999_999_999_999_999)),
        (long.as_str(), None, Fail(TooLong)),
        (long_mixed.as_str(), None, Fail(TooLong)),
        ("12abc", None, Fail(Garbage)),
        ("12abc", Some("USD"), Fail(Garbage)),
        ("1e3 $", None, Fail(Garbage)),
        ("😀 $5", None, Fail(Garbage)),
        ("Price: $5", None, Fail(Garbage)),
        ("99¢", None, Fail(Garbage)),
        ("$12.", None, Fail(Garbage)),
        ("$.99", None, Fail(Garbage)),
        ("$012,345", None, Fail(Garbage)),
        ("٥ $", None, Fail(Garbage)),
    ];
    assert!(cases.len() >= 45);
    let failures: Vec<String> = cases.iter().filter_map(|(input, fb, want)| check(input, *fb, want).err()).collect();
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn amount_value_table() {
    let cases: &[(&str, &str, Result<u64, PriceError>)] = &[
        ("10.79", "USD", Ok(1079)),
        ("7.66", "ils", Ok(766)),
        ("1234", "EUR", Ok(123400)),
        ("1234.5", "EUR", Ok(123450)),
        (" 10.79 ", "USD", Ok(1079)),
        ("0.01", "USD", Ok(1)),
        ("1234.567", "USD", Ok(123456)),
        ("1234.9", "JPY", Ok(1234)),
        ("12", "JPY", Ok(12)),
        ("1.234", "KWD", Ok(1234)),
        ("0000000000000000001", "USD", Ok(100)),
        ("999999999999999", "USD", Ok(99_999_999_999_999_900)),
        ("9999999999999999", "USD", Err(TooLarge)),
        ("1e3", "USD", Err(Garbage)),
        ("1E3", "USD", Err(Garbage)),
        ("1.5e2", "USD", Err(Garbage)),
        ("-5", "USD", Err(Garbage)),
        ("+5", "USD", Err(Garbage)),
        ("1,234.56", "USD", Err(Garbage)),
        ("10.", "USD", Err(Garbage)),
        (".5", "USD", Err(Garbage)),
        ("1.2.3", "USD", Err(Garbage)),
        ("NaN", "USD", Err(Garbage)),
        ("Infinity", "USD", Err(Garbage)),
        ("١٢", "USD", Err(Garbage)),
        ("", "USD", Err(Empty)),
        ("   ", "USD", Err(Empty)),
        ("10.79", "XXX", Err(UnknownCurrency)),
    ];
    for (value, cur, want) in cases {
        assert_eq!(parse_amount_value(value, cur), *want, "{value:?} {cur}");
    }
    assert_eq!(parse_amount_value(&"1".repeat(10_000), "USD"), Err(TooLong));
}

#[test]
fn currency_table() {
    let zero = ["JPY", "KRW", "VND", "CLP"];
    for code in [
        "USD", "EUR", "RUB", "GBP", "ILS", "AUD", "CAD", "NZD", "NOK", "SEK", "DKK", "PLN", "CZK", "CHF", "UAH", "KZT", "BYN", "TRY",
        "BRL", "MXN", "CLP", "COP", "JPY", "KRW", "CNY", "INR", "IDR", "HKD", "SGD", "THB", "VND", "HUF", "RON", "BGN", "AED", "SAR",
        "ZAR",
    ] {
        let info = currency(&code.to_lowercase()).expect(code);
        assert_eq!(info.code, code);
        assert_eq!(info.exponent, if zero.contains(&code) { 0 } else { 2 }, "{code}");
    }
    assert_eq!(currency("KWD").map(|c| c.exponent), Some(3));
    assert_eq!(currency("XYZ"), None);
    assert_eq!(currency(""), None);
    assert_eq!(currency("ＵＳＤ"), None);
}

#[test]
fn display_messages() {
    assert_eq!(NoAmount.to_string(), "no amount found");
    for e in [Empty, TooLong, NoAmount, UnknownCurrency, Ambiguous, TooLarge, Inverted, Garbage] {
        assert!(!e.to_string().is_empty());
    }
}

use crate::domain::test_rng::XorShift;

fn assert_sane(input: &str, r: &Result<PriceRange, PriceError>) {
    if let Ok(p) = r {
        assert!(currency(p.currency).is_some(), "{input:?} -> {p:?}");
        if let Some(max) = p.max_minor {
            assert!(p.min_minor < max, "{input:?} -> {p:?}");
        }
    }
}

#[test]
fn never_panics_on_pseudo_random_input() {
    const PIECES: &[&str] = &[
        "0",
        "1",
        "2",
        "3",
        "5",
        "7",
        "9",
        "00",
        "123",
        ".",
        ",",
        " ",
        "\u{A0}",
        "\u{202F}",
        "\u{2009}",
        "'",
        "-",
        "–",
        "—",
        "~",
        "$",
        "€",
        "£",
        "₽",
        "₪",
        "¥",
        "￥",
        "₩",
        "₹",
        "US",
        "AU",
        "kr",
        "руб.",
        "р.",
        "от",
        "from",
        "à partir de",
        "to",
        "zł",
        "Kč",
        "CHF",
        "KWD",
        "JPY",
        "SEK",
        "Fr.",
        "\u{200F}",
        "\u{202E}",
        "😀",
        "é",
        "e",
        "NaN",
        "\n",
        "\t",
        ",-",
        "ß",
        "İ",
        "\u{0301}",
        "\0",
        "%",
        "٣",
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut ok = 0usize;
    for _ in 0..20_000 {
        let len = rng.below(24);
        let s: String = (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        let fb = [None, Some("EUR"), Some("SEK"), Some("bogus")][rng.below(4)];
        let r = parse_price(&s, fb);
        ok += usize::from(r.is_ok());
        assert_sane(&s, &r);
    }
    // The alphabet must produce some successes, or the loop tests nothing.
    assert!(ok > 100, "only {ok} successes");
    // Raw bytes, lossily decoded.
    for _ in 0..5_000 {
        let len = rng.below(40);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let s = String::from_utf8_lossy(&bytes);
        let r = parse_price(&s, Some("USD"));
        assert_sane(&s, &r);
        let _ = parse_amount_value(&s, "USD");
    }
}

fn group(mut n: u64, sep: &str) -> String {
    let mut parts = Vec::new();
    loop {
        if n < 1000 {
            parts.push(n.to_string());
            break;
        }
        parts.push(format!("{:03}", n % 1000));
        n /= 1000;
    }
    parts.reverse();
    parts.join(sep)
}

#[test]
fn round_trips_formatted_amounts() {
    let mut rng = XorShift(42);
    for _ in 0..5_000 {
        let minor = rng.next() % 10u64.pow(rng.below(14) as u32 + 1);
        let (int, frac) = (minor / 100, minor % 100);
        let us = format!("US ${}.{frac:02}", group(int, ","));
        let eu = format!("{},{frac:02} €", group(int, "."));
        let ru = format!("{},{frac:02}\u{A0}₽", group(int, "\u{202F}"));
        for (s, cur) in [(us, "USD"), (eu, "EUR"), (ru, "RUB")] {
            let p = parse_price(&s, None).unwrap_or_else(|e| panic!("{s:?}: {e}"));
            assert_eq!((p.currency, p.min_minor, p.max_minor), (cur, minor, None), "{s:?}");
        }
    }
}
