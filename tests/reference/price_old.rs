//! The price parser as it was before the allocation-free rewrite (commit 7eee697), kept verbatim
//! (its unit tests aside) as the oracle of tests/price_differential.rs.

//! Parsing of shop price strings into integer minor units (never floats).
//!
//! # Rules
//!
//! * Input is trimmed (Unicode whitespace and invisible format marks such as
//!   U+200E/U+200F/U+202A..U+202E/U+FEFF) and may then be at most
//!   [`MAX_INPUT_CHARS`] characters long. Every Unicode space inside the
//!   string (U+00A0, U+202F, U+2009, U+2007, tabs, newlines, ...) is treated
//!   as an ordinary space; invisible marks are removed everywhere.
//! * **Separators**, decided per number:
//!   - spaces and apostrophes (`'`, `’`) between digit groups are always
//!     thousands separators;
//!   - if both `.` and `,` occur, the last one is the decimal separator and
//!     must occur exactly once (`1.234,56`, `1,234.56`);
//!   - a `.`/`,` repeated is a thousands separator (`1.234.567`);
//!   - a single `.`/`,` after spaces/apostrophes is decimal (`1 234,56`);
//!   - a single `.`/`,` followed by **exactly 3 digits** is a thousands
//!     separator (`1,234` and `1.234` → 1234.00), except when the currency's
//!     exponent is 3 (KWD, BHD, ...) or the integer part is `0` (`0.999`);
//!     any other single `.`/`,` is decimal (`12,34`, `12.5`);
//!   - thousands groups must be well formed: first group 1–3 digits, then
//!     groups of exactly 3 (Indian `1,23,456` is also accepted for `,`);
//!   - `12,-` / `1.234,–` (German "no cents") means zero fractional part.
//! * **Rounding**: fractional digits beyond the currency exponent are
//!   truncated toward zero (`$1.9999` → 199); for exponent-0 currencies
//!   (JPY, KRW, VND, CLP, ISK) any fractional part is rounded down
//!   (`¥12.5` → 12). Nothing is ever rounded up.
//! * **Currency**: symbols/codes may appear anywhere. All of them must agree,
//!   otherwise [`PriceError::Ambiguous`]. Bare `$` means USD, bare `¥` JPY and
//!   `kr` NOK; these "weak" symbols give way to an explicit code of their
//!   family in the string (`$5 CAD`, `99 kr SEK`) or, when the string has no
//!   code, to a `fallback_currency` of their family (`kr` + fallback `SEK` →
//!   SEK). Without any symbol/code, `fallback_currency` is used.
//! * Amounts with more than [`MAX_INTEGER_DIGITS`] integer digits are
//!   [`PriceError::TooLarge`]; negative amounts and stray text are
//!   [`PriceError::Garbage`]. A leading `.` (`$.99`) is not accepted.

use std::fmt;

/// Maximum number of characters accepted after trimming.
pub const MAX_INPUT_CHARS: usize = 200;
/// Maximum number of integer digits (leading zeros ignored) in an amount.
pub const MAX_INTEGER_DIGITS: usize = 15;

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
    let code = code.trim();
    CURRENCIES.iter().copied().find(|c| c.code.eq_ignore_ascii_case(code))
}

/// A parsed price: a single amount (`max_minor == None`) or a real range
/// (`max_minor > min_minor`), in minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PriceRange {
    pub currency: &'static str,
    pub min_minor: u64,
    pub max_minor: Option<u64>,
    /// `true` for "от 99 ₽" / "from US $3" style prices.
    pub from: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriceError {
    Empty,
    TooLong,
    NoAmount,
    UnknownCurrency,
    Ambiguous,
    TooLarge,
    Inverted,
    Garbage,
}

impl fmt::Display for PriceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PriceError::Empty => "empty price",
            PriceError::TooLong => "price text too long",
            PriceError::NoAmount => "no amount found",
            PriceError::UnknownCurrency => "unknown currency",
            PriceError::Ambiguous => "ambiguous currency",
            PriceError::TooLarge => "amount too large",
            PriceError::Inverted => "range maximum below minimum",
            PriceError::Garbage => "unrecognised text in price",
        })
    }
}

impl std::error::Error for PriceError {}

// ---------------------------------------------------------------------------
// Character classes

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{FEFF}'
            | '\u{00AD}'
            | '\u{180E}'
    )
}

/// Range separators; a leading one makes the amount negative (Garbage).
fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' | '~' | '\u{301C}' | '\u{FF5E}')
}

fn is_point(c: char) -> bool {
    c == '.' || c == ','
}

fn is_num_sep(c: char) -> bool {
    matches!(c, '.' | ',' | ' ' | '\'' | '\u{2019}')
}

// ---------------------------------------------------------------------------
// Currency marks

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CurMark {
    /// An unambiguous currency.
    Strong(&'static str),
    /// A symbol shared by several currencies: default and allowed family.
    Weak(&'static str, &'static [&'static str]),
}

const DOLLAR_FAMILY: &[&str] = &["USD", "AUD", "CAD", "NZD", "HKD", "SGD", "MXN", "BRL", "TWD", "CLP", "COP", "ARS"];
const KRONE_FAMILY: &[&str] = &["NOK", "SEK", "DKK", "ISK"];
const YEN_FAMILY: &[&str] = &["JPY", "CNY"];

fn symbol_mark(c: char) -> Option<CurMark> {
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
fn prefixed_symbol(word: &str, sym: char) -> Option<&'static str> {
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

fn word_mark(word: &str) -> Option<CurMark> {
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

const FROM_PHRASES: &[&[&str]] = &[
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

const RANGE_WORDS: &[&str] = &["to", "до", "bis", "à", "a", "hasta", "até"];

// ---------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq, Eq)]
struct NumTok<'a> {
    /// Non-empty runs of ASCII digits (slices of the normalised input: no copy per group).
    groups: Vec<&'a [char]>,
    /// `seps[i]` sits between `groups[i]` and `groups[i + 1]`.
    seps: Vec<char>,
    /// German `12,-` notation: no fractional part, all separators thousands.
    no_decimals: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok<'a> {
    Num(NumTok<'a>),
    Word { text: String, dot: bool },
    Sym(char),
    Dash,
}

/// Removes invisible marks, maps every Unicode space to `' '` and collapses
/// runs of spaces.
fn normalize(s: &str) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(s.len());
    for c in s.chars() {
        if is_invisible(c) {
            continue;
        }
        let c = if c.is_whitespace() { ' ' } else { c };
        if c == ' ' && out.last().is_none_or(|&p| p == ' ') {
            continue;
        }
        out.push(c);
    }
    while out.last() == Some(&' ') {
        out.pop();
    }
    out
}

fn lex_number(chars: &[char], start: usize) -> (NumTok<'_>, usize) {
    let n = chars.len();
    let mut groups = Vec::new();
    let mut seps = Vec::new();
    let mut i = start;
    loop {
        let s = i;
        while i < n && chars[i].is_ascii_digit() {
            i += 1;
        }
        groups.push(&chars[s..i]);
        if i + 1 < n && is_num_sep(chars[i]) && chars[i + 1].is_ascii_digit() {
            seps.push(chars[i]);
            i += 1;
        } else {
            break;
        }
    }
    // `12,-` / `12,--` / `12.–` : explicit "no cents".
    let mut no_decimals = false;
    if i + 1 < n && is_point(chars[i]) && is_dash(chars[i + 1]) && chars[i + 1] != '~' {
        let mut j = i + 2;
        if j < n && is_dash(chars[j]) && chars[j] != '~' {
            j += 1;
        }
        let mut k = j;
        while k < n && chars[k] == ' ' {
            k += 1;
        }
        if k >= n || !chars[k].is_ascii_digit() {
            no_decimals = true;
            i = j;
        }
    }
    (NumTok { groups, seps, no_decimals }, i)
}

fn lex(chars: &[char]) -> Result<Vec<Tok<'_>>, PriceError> {
    let n = chars.len();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        if c == ' ' {
            i += 1;
        } else if c.is_ascii_digit() {
            let (tok, next) = lex_number(chars, i);
            toks.push(Tok::Num(tok));
            i = next;
        } else if c.is_alphabetic() {
            let s = i;
            while i < n && chars[i].is_alphabetic() {
                i += 1;
            }
            let text = chars[s..i].iter().map(|&c| lower(c)).collect::<String>();
            let dot = i < n && chars[i] == '.';
            if dot {
                i += 1;
            }
            toks.push(Tok::Word { text, dot });
        } else if is_dash(c) {
            toks.push(Tok::Dash);
            i += 1;
        } else if symbol_mark(c).is_some() {
            toks.push(Tok::Sym(c));
            i += 1;
        } else {
            return Err(PriceError::Garbage);
        }
    }
    Ok(toks)
}

// ---------------------------------------------------------------------------
// Classification and structure

#[derive(Debug)]
enum Item<'a> {
    Num(NumTok<'a>),
    Sep,
    From,
    Cur(CurMark),
}

/// Length in tokens of a "from" phrase starting at `toks[0]`, if any.
fn from_phrase_len(toks: &[Tok]) -> Option<usize> {
    FROM_PHRASES.iter().find_map(|phrase| {
        if phrase.len() > toks.len() {
            return None;
        }
        let all = phrase.iter().zip(toks).all(|(w, t)| matches!(t, Tok::Word { text, dot: false } if text == w));
        all.then_some(phrase.len())
    })
}

fn classify(mut toks: Vec<Tok<'_>>) -> Result<Vec<Item<'_>>, PriceError> {
    let mut items = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Num(_) => {
                // Moved out, not cloned (nothing reads a number token twice).
                if let Tok::Num(n) = std::mem::replace(&mut toks[i], Tok::Dash) {
                    items.push(Item::Num(n));
                }
            }
            Tok::Dash => items.push(Item::Sep),
            Tok::Sym(c) => items.push(Item::Cur(symbol_mark(*c).ok_or(PriceError::Garbage)?)),
            Tok::Word { text, dot } => {
                if !*dot {
                    if let Some(Tok::Sym(s)) = toks.get(i + 1) {
                        if let Some(code) = prefixed_symbol(text, *s) {
                            items.push(Item::Cur(CurMark::Strong(code)));
                            i += 2;
                            continue;
                        }
                    }
                    if let Some(len) = from_phrase_len(&toks[i..]) {
                        items.push(Item::From);
                        i += len;
                        continue;
                    }
                    if RANGE_WORDS.contains(&text.as_str()) {
                        items.push(Item::Sep);
                        i += 1;
                        continue;
                    }
                }
                items.push(Item::Cur(word_mark(text).ok_or(PriceError::Garbage)?));
            }
        }
        i += 1;
    }
    Ok(items)
}

struct Shape<'a> {
    from: bool,
    nums: Vec<NumTok<'a>>,
    marks: Vec<CurMark>,
}

/// Checks that the items form `[from] amount [sep amount]` with currency
/// marks anywhere.
fn structure(items: Vec<Item<'_>>) -> Result<Shape<'_>, PriceError> {
    let mut from = false;
    let mut nums = Vec::new();
    let mut marks = Vec::new();
    // The numbers and separators in order (true = number), as far as the allowed shapes go.
    let mut skeleton = [false; 4];
    let mut len = 0;
    for (idx, item) in items.into_iter().enumerate() {
        let part = match item {
            Item::From if idx == 0 => {
                from = true;
                continue;
            }
            Item::From => return Err(PriceError::Garbage),
            Item::Cur(m) => {
                marks.push(m);
                continue;
            }
            Item::Num(n) => {
                nums.push(n);
                true
            }
            Item::Sep => false,
        };
        if len < skeleton.len() {
            skeleton[len] = part;
        }
        len += 1;
    }
    if nums.is_empty() {
        return Err(PriceError::NoAmount);
    }
    match &skeleton[..len.min(skeleton.len())] {
        [true] | [true, false, true] => Ok(Shape { from, nums, marks }),
        _ => Err(PriceError::Garbage),
    }
}

fn lookup(code: &str) -> Result<CurrencyInfo, PriceError> {
    currency(code).ok_or(PriceError::UnknownCurrency)
}

fn resolve_currency(marks: &[CurMark], fallback: Option<&str>) -> Result<CurrencyInfo, PriceError> {
    let mut strong: Option<&'static str> = None;
    let mut weak: Option<(&'static str, &'static [&'static str])> = None;
    for m in marks {
        match *m {
            CurMark::Strong(c) => match strong {
                Some(s) if s != c => return Err(PriceError::Ambiguous),
                _ => strong = Some(c),
            },
            CurMark::Weak(d, fam) => match weak {
                Some((w, _)) if w != d => return Err(PriceError::Ambiguous),
                _ => weak = Some((d, fam)),
            },
        }
    }
    match (strong, weak) {
        (Some(s), Some((_, fam))) if !fam.contains(&s) => Err(PriceError::Ambiguous),
        (Some(s), _) => lookup(s),
        (None, Some((d, fam))) => match fallback.and_then(currency) {
            Some(fb) if fam.contains(&fb.code) => Ok(fb),
            _ => lookup(d),
        },
        (None, None) => lookup(fallback.ok_or(PriceError::UnknownCurrency)?),
    }
}

// ---------------------------------------------------------------------------
// Numbers

/// Index into `num.seps` of the decimal separator, if any (see module doc).
fn decimal_index(num: &NumTok, exponent: u8) -> Result<Option<usize>, PriceError> {
    let seps = &num.seps;
    let Some(last) = seps.len().checked_sub(1) else {
        return Ok(None);
    };
    let last_sep = seps[last];
    if num.no_decimals || !is_point(last_sep) {
        return Ok(None);
    }
    let same = seps.iter().filter(|&&s| s == last_sep).count();
    let other_point = seps.iter().any(|&s| is_point(s) && s != last_sep);
    if other_point {
        return if same == 1 { Ok(Some(last)) } else { Err(PriceError::Garbage) };
    }
    if same > 1 {
        return Ok(None);
    }
    if seps.len() > 1 {
        // Spaces/apostrophes already serve as thousands separators.
        return Ok(Some(last));
    }
    let frac_len = num.groups[last + 1].len();
    let zero_int = num.groups[0] == ['0'];
    if frac_len == 3 && exponent != 3 && !zero_int {
        Ok(None)
    } else {
        Ok(Some(last))
    }
}

fn validate_grouping(groups: &[&[char]], seps: &[char]) -> Result<(), PriceError> {
    let Some(&t) = seps.first() else {
        return Ok(());
    };
    if seps.iter().any(|&s| s != t) || groups[0].first() == Some(&'0') {
        return Err(PriceError::Garbage);
    }
    let first = groups[0].len();
    let rest = &groups[1..];
    let western = (1..=3).contains(&first) && rest.iter().all(|g| g.len() == 3);
    let indian = t == ','
        && rest.len() >= 2
        && (1..=2).contains(&first)
        && rest[..rest.len() - 1].iter().all(|g| g.len() == 2)
        && rest[rest.len() - 1].len() == 3;
    if western || indian {
        Ok(())
    } else {
        Err(PriceError::Garbage)
    }
}

/// Combines integer and fractional ASCII digit strings into minor units,
/// truncating extra fractional digits.
fn digits_to_minor(int: &str, frac: &str, exponent: u8) -> Result<u64, PriceError> {
    if int.trim_start_matches('0').len() > MAX_INTEGER_DIGITS {
        return Err(PriceError::TooLarge);
    }
    minor_units(int.bytes(), frac.bytes(), exponent)
}

/// [`digits_to_minor`] over digit iterators (the groups of a number are read in place).
fn minor_units(int: impl Iterator<Item = u8>, mut frac: impl Iterator<Item = u8>, exponent: u8) -> Result<u64, PriceError> {
    let mut v: u64 = 0;
    let mut n = 0;
    for b in int.skip_while(|&b| b == b'0') {
        n += 1;
        if n > MAX_INTEGER_DIGITS {
            return Err(PriceError::TooLarge);
        }
        v = push_digit(v, b)?;
    }
    for _ in 0..exponent {
        v = push_digit(v, frac.next().unwrap_or(b'0'))?;
    }
    Ok(v)
}

fn push_digit(v: u64, b: u8) -> Result<u64, PriceError> {
    let d = b.wrapping_sub(b'0');
    if d > 9 {
        return Err(PriceError::Garbage);
    }
    v.checked_mul(10).and_then(|v| v.checked_add(u64::from(d))).ok_or(PriceError::TooLarge)
}

fn num_to_minor(num: &NumTok, exponent: u8) -> Result<u64, PriceError> {
    let (int_groups, int_seps, frac) = match decimal_index(num, exponent)? {
        // The decimal separator must be the last separator.
        Some(d) if d + 1 == num.seps.len() => (&num.groups[..=d], &num.seps[..d], num.groups[d + 1]),
        Some(_) => return Err(PriceError::Garbage),
        None => (&num.groups[..], &num.seps[..], &[][..]),
    };
    validate_grouping(int_groups, int_seps)?;
    let int = int_groups.iter().flat_map(|g| g.iter()).map(|&c| c as u8);
    minor_units(int, frac.iter().map(|&c| c as u8), exponent)
}

// ---------------------------------------------------------------------------
/// Lower case for the scripts prices are written in (Latin, Cyrillic, Greek); avoids the
/// full Unicode tables of `str::to_lowercase` in the wasm.
fn lower(c: char) -> char {
    match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        'А'..='Я' => char::from_u32(c as u32 + 32).unwrap_or(c),
        'Ѐ'..='Џ' => char::from_u32(c as u32 + 80).unwrap_or(c),
        'À'..='Þ' if c != '×' => char::from_u32(c as u32 + 32).unwrap_or(c),
        'Α'..='Ω' => char::from_u32(c as u32 + 32).unwrap_or(c),
        _ => c,
    }
}

// Public parsing API

/// Parses a price as shown on a shop page (see the module doc for rules).
pub fn parse_price(raw: &str, fallback_currency: Option<&str>) -> Result<PriceRange, PriceError> {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    if trimmed.is_empty() {
        return Err(PriceError::Empty);
    }
    if trimmed.chars().nth(MAX_INPUT_CHARS).is_some() {
        return Err(PriceError::TooLong);
    }
    let chars = normalize(trimmed);
    let toks = lex(&chars)?;
    let items = classify(toks)?;
    let shape = structure(items)?;
    // Syntax errors in numbers take precedence over currency problems.
    for n in &shape.nums {
        num_to_minor(n, 2)?;
    }
    let info = resolve_currency(&shape.marks, fallback_currency)?;
    let min = num_to_minor(&shape.nums[0], info.exponent)?;
    let max = match shape.nums.get(1) {
        Some(n) => Some(num_to_minor(n, info.exponent)?),
        None => None,
    };
    let max_minor = match max {
        Some(m) if m < min => return Err(PriceError::Inverted),
        Some(m) if m > min => Some(m),
        _ => None,
    };
    Ok(PriceRange { currency: info.code, min_minor: min, max_minor, from: shape.from })
}

/// Parses a structured-data amount (`"10.79"`, `"1234"`, JSON number text)
/// into minor units of `currency`. Only `digits[.digits]` is accepted; signs,
/// exponents (`1e3`), commas and empty parts are [`PriceError::Garbage`].
/// Extra fractional digits are truncated toward zero.
pub fn parse_amount_value(value: &str, currency: &str) -> Result<u64, PriceError> {
    let info = self::currency(currency).ok_or(PriceError::UnknownCurrency)?;
    let v = value.trim();
    if v.is_empty() {
        return Err(PriceError::Empty);
    }
    if v.len() > 64 {
        return Err(PriceError::TooLong);
    }
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || (v.contains('.') && !all_digits(frac)) {
        return Err(PriceError::Garbage);
    }
    digits_to_minor(int, frac, info.exponent)
}
