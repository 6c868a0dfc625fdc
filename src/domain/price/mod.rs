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

mod currency;
mod lexer;
mod number;

pub use currency::{currency, CurrencyInfo};
use currency::{prefixed_symbol, word_mark, CurMark, Marks, FROM_PHRASES, RANGE_WORDS};
use lexer::{is_invisible, Lexer, NumTok, Tok};
use number::{digits_to_minor, num_to_minor};

/// Maximum number of characters accepted after trimming.
pub const MAX_INPUT_CHARS: usize = 200;
/// Maximum number of integer digits (leading zeros ignored) in an amount.
pub const MAX_INTEGER_DIGITS: usize = 15;

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
// Grammar: `[from] amount [sep amount]` with currency marks anywhere, read token by token.

#[derive(Clone, Copy)]
enum Item<'a> {
    Num(NumTok<'a>),
    Sep,
    From,
    Cur(CurMark),
}

/// The next item: a token classified, or a word phrase ("à partir de", "US $") read whole.
fn next_item<'a>(lx: &mut Lexer<'a>) -> Result<Option<Item<'a>>, PriceError> {
    let Some(tok) = lx.next()? else { return Ok(None) };
    let w = match tok {
        Tok::Num(n) => return Ok(Some(Item::Num(n))),
        Tok::Dash => return Ok(Some(Item::Sep)),
        Tok::Sym(c) => return Ok(Some(Item::Cur(currency::symbol_mark(c).ok_or(PriceError::Garbage)?))),
        Tok::Word(w) => w,
    };
    let text = w.text();
    if !w.dot {
        if let Some(code) = lx.peek_char().and_then(|s| prefixed_symbol(text, s)) {
            lx.skip_char();
            return Ok(Some(Item::Cur(CurMark::Strong(code))));
        }
        for phrase in FROM_PHRASES {
            let mut la = *lx;
            if phrase.first() == Some(&text) && phrase.iter().skip(1).all(|p| matches!(la.next(), Ok(Some(Tok::Word(w))) if w.is(p))) {
                *lx = la;
                return Ok(Some(Item::From));
            }
        }
        if RANGE_WORDS.contains(&text) {
            return Ok(Some(Item::Sep));
        }
    }
    Ok(Some(Item::Cur(word_mark(text).ok_or(PriceError::Garbage)?)))
}

// Public parsing API

/// Parses a price as shown on a shop page (see the module doc for rules).
pub fn parse_price(raw: &str, fallback_currency: Option<&str>) -> Result<PriceRange, PriceError> {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    if trimmed.is_empty() {
        return Err(PriceError::Empty);
    }
    if trimmed.len() > MAX_INPUT_CHARS && trimmed.chars().nth(MAX_INPUT_CHARS).is_some() {
        return Err(PriceError::TooLong);
    }
    let mut lx = Lexer::new(trimmed);
    let (mut from, mut marks, mut items) = (false, Marks::default(), 0);
    let mut nums: [Option<NumTok>; 2] = [None, None];
    // Numbers (true) and separators read so far, as long as they fit `amount [sep amount]`;
    // `None` once they do not.
    let mut shape: Option<(usize, bool)> = Some((0, false));
    let mut any_num = false;
    while let Some(item) = next_item(&mut lx)? {
        items += 1;
        let part = match item {
            Item::From if items == 1 => {
                from = true;
                continue;
            }
            Item::From => return Err(PriceError::Garbage),
            Item::Cur(m) => {
                marks.add(m);
                continue;
            }
            Item::Num(_) => {
                any_num = true;
                true
            }
            Item::Sep => false,
        };
        // Allowed: N, N S, N S N (`len` parts, the last one `last`).
        shape = match shape {
            Some((len, _)) if len < 3 && part == (len % 2 == 0) => Some((len + 1, part)),
            _ => None,
        };
        if let (Item::Num(n), Some((len, _))) = (item, shape) {
            nums[len / 2] = Some(n);
        }
    }
    if !any_num {
        return Err(PriceError::NoAmount);
    }
    let (Some((_, true)), [Some(first), second]) = (shape, nums) else { return Err(PriceError::Garbage) };
    // Syntax errors in numbers take precedence over currency problems.
    let min2 = num_to_minor(&first, 2)?;
    let max2 = second.map(|n| num_to_minor(&n, 2)).transpose()?;
    let info = marks.resolve(fallback_currency)?;
    let (min, max) = if info.exponent == 2 {
        (min2, max2)
    } else {
        (num_to_minor(&first, info.exponent)?, second.map(|n| num_to_minor(&n, info.exponent)).transpose()?)
    };
    let max_minor = match max {
        Some(m) if m < min => return Err(PriceError::Inverted),
        Some(m) if m > min => Some(m),
        _ => None,
    };
    Ok(PriceRange { currency: info.code, min_minor: min, max_minor, from })
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

#[cfg(test)]
mod tests;
