//! Currencies: the ISO 4217 table, the symbols and words that name a currency in a price, and
//! how the marks of one price resolve to one currency.

use super::PriceError;

/// ISO 4217 currency with its minor-unit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CurrencyInfo {
    pub code: &'static str,
    pub exponent: u8,
}

const fn ci(code: &'static str, exponent: u8) -> CurrencyInfo {
    CurrencyInfo { code, exponent }
}

const CURRENCIES: &[CurrencyInfo] = &[
    ci("USD", 2),
    ci("EUR", 2),
    ci("RUB", 2),
    ci("GBP", 2),
    ci("ILS", 2),
    ci("AUD", 2),
    ci("CAD", 2),
    ci("NZD", 2),
    ci("NOK", 2),
    ci("SEK", 2),
    ci("DKK", 2),
    ci("ISK", 0),
    ci("PLN", 2),
    ci("CZK", 2),
    ci("CHF", 2),
    ci("UAH", 2),
    ci("KZT", 2),
    ci("BYN", 2),
    ci("TRY", 2),
    ci("BRL", 2),
    ci("MXN", 2),
    ci("CLP", 0),
    ci("COP", 2),
    ci("ARS", 2),
    ci("PEN", 2),
    ci("JPY", 0),
    ci("KRW", 0),
    ci("CNY", 2),
    ci("TWD", 2),
    ci("INR", 2),
    ci("IDR", 2),
    ci("HKD", 2),
    ci("SGD", 2),
    ci("MYR", 2),
    ci("PHP", 2),
    ci("THB", 2),
    ci("VND", 0),
    ci("HUF", 2),
    ci("RON", 2),
    ci("BGN", 2),
    ci("AED", 2),
    ci("SAR", 2),
    ci("ZAR", 2),
    ci("EGP", 2),
    ci("KWD", 3),
    ci("BHD", 3),
    ci("OMR", 3),
    ci("JOD", 3),
    ci("TND", 3),
];

/// Looks up an ISO 4217 code (case-insensitive, surrounding spaces ignored).
pub fn currency(code: &str) -> Option<CurrencyInfo> {
    // Every code is 3 upper-case ASCII letters: compared as one number, the input's bytes
    // with bit 5 cleared (a byte matches a letter this way only as that letter in either case).
    let key = |code: &[u8]| match *code {
        [a, b, c] => u32::from_le_bytes([a, b, c, 0]),
        _ => 0,
    };
    let k = key(code.trim().as_bytes()) & 0x00DF_DFDF;
    CURRENCIES.iter().copied().find(|c| key(c.code.as_bytes()) == k)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CurMark {
    /// An unambiguous currency.
    Strong(&'static str),
    /// A symbol shared by several currencies: default and allowed family.
    Weak(&'static str, &'static [&'static str]),
}

const DOLLAR_FAMILY: &[&str] = &["USD", "AUD", "CAD", "NZD", "HKD", "SGD", "MXN", "BRL", "TWD", "CLP", "COP", "ARS"];
const KRONE_FAMILY: &[&str] = &["NOK", "SEK", "DKK", "ISK"];
const YEN_FAMILY: &[&str] = &["JPY", "CNY"];

pub(super) fn symbol_mark(c: char) -> Option<CurMark> {
    use CurMark::*;
    Some(match c {
        '$' => Weak("USD", DOLLAR_FAMILY),
        '¥' => Weak("JPY", YEN_FAMILY),
        '€' => Strong("EUR"),
        '£' | '\u{FFE1}' => Strong("GBP"),
        '₽' => Strong("RUB"),
        '₪' => Strong("ILS"),
        '₴' => Strong("UAH"),
        '₸' => Strong("KZT"),
        '\u{FFE5}' => Strong("CNY"), // fullwidth yen sign ￥
        '₩' | '\u{FFE6}' => Strong("KRW"),
        '₹' => Strong("INR"),
        '₺' => Strong("TRY"),
        '฿' => Strong("THB"),
        '₫' => Strong("VND"),
        _ => return None,
    })
}

/// Letters immediately followed by a symbol: `US$`, `AU$`, `JP¥`, ...
pub(super) fn prefixed_symbol(word: &str, sym: char) -> Option<&'static str> {
    Some(match (word, sym) {
        ("us", '$') => "USD",
        ("au" | "a", '$') => "AUD",
        ("c" | "ca" | "can", '$') => "CAD",
        ("nz", '$') => "NZD",
        ("hk", '$') => "HKD",
        ("s" | "sg", '$') => "SGD",
        ("mx", '$') => "MXN",
        ("r", '$') => "BRL",
        ("nt", '$') => "TWD",
        ("jp", '¥') => "JPY",
        ("cn" | "rmb", '¥') => "CNY",
        _ => return None,
    })
}

pub(super) fn word_mark(word: &str) -> Option<CurMark> {
    use CurMark::*;
    let code = match word {
        "kr" => return Some(Weak("NOK", KRONE_FAMILY)),
        "руб" | "рублей" | "рубля" | "рубль" | "р" => "RUB",
        "грн" | "гривен" | "гривень" | "гривна" => "UAH",
        "тг" | "тенге" => "KZT",
        "zł" | "zl" => "PLN",
        "kč" | "kc" => "CZK",
        "rp" => "IDR",
        "tl" => "TRY",
        "fr" | "sfr" => "CHF",
        "lei" => "RON",
        "ft" => "HUF",
        "лв" => "BGN",
        "br" => "BYN",
        "rs" => "INR",
        "rmb" | "元" => "CNY",
        "円" => "JPY",
        "원" => "KRW",
        "đ" | "vnđ" => "VND",
        _ => return currency(word).map(|c| Strong(c.code)),
    };
    Some(Strong(code))
}

pub(super) const FROM_PHRASES: &[&[&str]] = &[
    &["от"],
    &["from"],
    &["ab"],
    &["à", "partir", "de"],
    &["a", "partir", "de"],
    &["desde"],
    &["od"],
    &["від"],
    &["fra"],
    &["från"],
    &["vanaf"],
    &["da"],
    &["starting", "at"],
];

pub(super) const RANGE_WORDS: &[&str] = &["to", "до", "bis", "à", "a", "hasta", "até"];

/// The currency marks of one price, folded as they are read (no list of them is kept).
#[derive(Default)]
pub(super) struct Marks {
    strong: Option<&'static str>,
    weak: Option<(&'static str, &'static [&'static str])>,
    /// Two strong marks, or two weak ones, that disagree.
    ambiguous: bool,
}

impl Marks {
    pub(super) fn add(&mut self, m: CurMark) {
        match m {
            CurMark::Strong(c) => match self.strong {
                Some(s) if s != c => self.ambiguous = true,
                _ => self.strong = Some(c),
            },
            CurMark::Weak(d, fam) => match self.weak {
                Some((w, _)) if w != d => self.ambiguous = true,
                _ => self.weak = Some((d, fam)),
            },
        }
    }

    /// The one currency the marks name (see the module doc of `price`).
    pub(super) fn resolve(&self, fallback: Option<&str>) -> Result<CurrencyInfo, PriceError> {
        if self.ambiguous {
            return Err(PriceError::Ambiguous);
        }
        match (self.strong, self.weak) {
            (Some(s), Some((_, fam))) if !fam.contains(&s) => Err(PriceError::Ambiguous),
            (Some(s), _) => lookup(s),
            (None, Some((d, fam))) => match fallback.and_then(currency) {
                Some(fb) if fam.contains(&fb.code) => Ok(fb),
                _ => lookup(d),
            },
            (None, None) => lookup(fallback.ok_or(PriceError::UnknownCurrency)?),
        }
    }
}

fn lookup(code: &str) -> Result<CurrencyInfo, PriceError> {
    currency(code).ok_or(PriceError::UnknownCurrency)
}
