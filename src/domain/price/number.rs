//! Numbers: which separator is the decimal one, whether the thousands groups are well
//! formed, and the value in minor units, read from the number's span of the input.

use super::lexer::{is_point, Cursor, NumTok};
use super::{PriceError, MAX_INTEGER_DIGITS};

/// Whether the last separator of `num` is its decimal separator (see the module doc).
fn last_is_decimal(num: &NumTok, exponent: u8) -> Result<bool, PriceError> {
    let last = num.last_sep;
    if num.seps == 0 || num.no_decimals || !is_point(last) {
        return Ok(false);
    }
    let (same, other) = if last == '.' { (num.dots, num.commas) } else { (num.commas, num.dots) };
    if other > 0 {
        return if same == 1 { Ok(true) } else { Err(PriceError::Garbage) };
    }
    if same > 1 {
        return Ok(false);
    }
    if num.seps > 1 {
        // Spaces/apostrophes already serve as thousands separators.
        return Ok(true);
    }
    let zero_int = num.lead_zero && num.first_len == 1;
    Ok(!(num.last_len == 3 && exponent != 3 && !zero_int))
}

/// The amount of `num` in minor units of a currency with `exponent`: integer groups checked
/// (first group 1–3 digits then groups of 3, or Indian `1,23,456` with `,`), extra fractional
/// digits truncated. One pass over the span, no copy of the digits.
pub(super) fn num_to_minor(num: &NumTok, exponent: u8) -> Result<u64, PriceError> {
    let int_seps = num.seps - usize::from(last_is_decimal(num, exponent)?);
    if int_seps > 0 && num.lead_zero {
        return Err(PriceError::Garbage);
    }
    let (mut western, mut indian) = ((1..=3).contains(&num.first_len), (1..=2).contains(&num.first_len) && int_seps >= 2);
    let mut thousands = None;
    // Group index, digits in the group, integer digits after leading zeros, fractional digits used.
    let (mut group, mut len, mut digits, mut frac) = (0, 0, 0, 0);
    let mut v: Option<u64> = Some(0);
    let mut cur = Cursor::new(num.span);
    loop {
        let c = cur.next();
        match c {
            Some(d @ '0'..='9') => {
                len += 1;
                let d = u64::from(d as u8 - b'0');
                if group <= int_seps {
                    if digits > 0 || d > 0 {
                        digits += 1;
                    }
                } else if frac < exponent {
                    frac += 1;
                } else {
                    continue;
                }
                v = v.and_then(|v| v.checked_mul(10)).and_then(|v| v.checked_add(d));
                continue;
            }
            _ => {
                // End of group `group`.
                if (1..=int_seps).contains(&group) {
                    western &= len == 3;
                    indian &= len == if group < int_seps { 2 } else { 3 };
                }
                group += 1;
                len = 0;
            }
        }
        let Some(sep) = c else { break };
        if group <= int_seps {
            // A thousands separator: all of them the same.
            match thousands {
                Some(t) if t != sep => return Err(PriceError::Garbage),
                _ => thousands = Some(sep),
            }
        }
    }
    if int_seps > 0 && !(western || (indian && thousands == Some(','))) {
        return Err(PriceError::Garbage);
    }
    for _ in frac..exponent {
        v = v.and_then(|v| v.checked_mul(10));
    }
    match v {
        Some(v) if digits <= MAX_INTEGER_DIGITS => Ok(v),
        _ => Err(PriceError::TooLarge),
    }
}

/// Combines integer and fractional ASCII digit strings into minor units,
/// truncating extra fractional digits.
pub(super) fn digits_to_minor(int: &str, frac: &str, exponent: u8) -> Result<u64, PriceError> {
    if int.trim_start_matches('0').len() > MAX_INTEGER_DIGITS {
        return Err(PriceError::TooLarge);
    }
    let mut frac = frac.bytes();
    let mut v: u64 = 0;
    for b in int.bytes().skip_while(|&b| b == b'0').chain((0..exponent).map(|_| frac.next().unwrap_or(b'0'))) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return Err(PriceError::Garbage);
        }
        v = v.checked_mul(10).and_then(|v| v.checked_add(u64::from(d))).ok_or(PriceError::TooLarge)?;
    }
    Ok(v)
}
