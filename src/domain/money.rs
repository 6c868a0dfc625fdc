//! Expected cashback arithmetic in integer minor units.
//!
//! Rounding rule: every result is **rounded down** to the currency's minor
//! unit (`floor(price × quantity × rate_bp / 10 000)`, computed exactly in
//! `u128`), so the shopper is never promised more than the rule gives.
//! Quantity is multiplied in before rounding. Results above
//! [`MAX_RESULT_MINOR`] (10^15) are reported as [`MoneyError::Overflow`].

use super::price::PriceRange;
use std::fmt;

/// 100 % in basis points.
pub const MAX_RATE_BP: u32 = 10_000;
/// Largest cashback amount (minor units) we are willing to report.
pub const MAX_RESULT_MINOR: u64 = 1_000_000_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Expected {
    pub currency: &'static str,
    pub min_minor: u64,
    /// `Some` only when strictly greater than `min_minor`.
    pub max_minor: Option<u64>,
    pub rate_bp: u32,
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyError {
    Overflow,
    ZeroQuantity,
    RateOutOfRange,
    RefundExceedsPaid,
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MoneyError::Overflow => "amount too large",
            MoneyError::ZeroQuantity => "quantity is zero",
            MoneyError::RateOutOfRange => "rate above 100%",
            MoneyError::RefundExceedsPaid => "refund exceeds amount paid",
        })
    }
}

impl std::error::Error for MoneyError {}

/// `floor(amount * quantity * rate_bp / 10_000)`, checked against
/// [`MAX_RESULT_MINOR`].
fn cashback(amount: u64, quantity: u32, rate_bp: u32) -> Result<u64, MoneyError> {
    let v = u128::from(amount)
        .checked_mul(u128::from(quantity))
        .and_then(|v| v.checked_mul(u128::from(rate_bp)))
        .ok_or(MoneyError::Overflow)?
        / u128::from(MAX_RATE_BP);
    u64::try_from(v).ok().filter(|&v| v <= MAX_RESULT_MINOR).ok_or(MoneyError::Overflow)
}

/// Cashback expected for `quantity` items at `price` with rate `rate_bp`.
pub fn expected_cashback(price: &PriceRange, quantity: u32, rate_bp: u32) -> Result<Expected, MoneyError> {
    if quantity == 0 {
        return Err(MoneyError::ZeroQuantity);
    }
    if rate_bp > MAX_RATE_BP {
        return Err(MoneyError::RateOutOfRange);
    }
    let min_minor = cashback(price.min_minor, quantity, rate_bp)?;
    let max_minor = match price.max_minor {
        Some(m) => Some(cashback(m, quantity, rate_bp)?),
        None => None,
    };
    Ok(Expected { currency: price.currency, min_minor, max_minor: max_minor.filter(|&m| m > min_minor), rate_bp, quantity })
}

/// Clamps both ends to `cap_minor` (no-op for `None`).
pub fn apply_cap(e: &Expected, cap_minor: Option<u64>) -> Expected {
    let mut out = e.clone();
    if let Some(cap) = cap_minor {
        out.min_minor = out.min_minor.min(cap);
        out.max_minor = out.max_minor.map(|m| m.min(cap)).filter(|&m| m > out.min_minor);
    }
    out
}

/// Cashback on `paid_minor - refunded_minor`, rounded down.
pub fn refund_adjusted(paid_minor: u64, refunded_minor: u64, rate_bp: u32) -> Result<u64, MoneyError> {
    if rate_bp > MAX_RATE_BP {
        return Err(MoneyError::RateOutOfRange);
    }
    let net = paid_minor.checked_sub(refunded_minor).ok_or(MoneyError::RefundExceedsPaid)?;
    cashback(net, 1, rate_bp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(min: u64, max: Option<u64>) -> PriceRange {
        PriceRange { currency: "USD", min_minor: min, max_minor: max, from: false }
    }

    fn exp(min: u64, max: Option<u64>, rate_bp: u32, quantity: u32) -> Expected {
        Expected { currency: "USD", min_minor: min, max_minor: max, rate_bp, quantity }
    }

    #[test]
    fn rounds_down() {
        // 10.79 * 7 % = 0.7553 -> 0.75
        assert_eq!(expected_cashback(&price(1079, None), 1, 700), Ok(exp(75, None, 700, 1)));
        // 0.99 * 1 % = 0.0099 -> 0
        assert_eq!(expected_cashback(&price(99, None), 1, 100).unwrap().min_minor, 0);
        // 9.99 * 33.33 % = 3.329667 -> 3.32
        assert_eq!(expected_cashback(&price(999, None), 1, 3333).unwrap().min_minor, 332);
    }

    #[test]
    fn quantity_multiplies_before_rounding() {
        // 3 * 10.79 * 7 % = 2.2659 -> 2.26 (not 3 * 0.75 = 2.25)
        assert_eq!(expected_cashback(&price(1079, None), 3, 700), Ok(exp(226, None, 700, 3)));
    }

    #[test]
    fn ranges() {
        // 10.79..14.44 at 7 % -> 0.75..1.01
        assert_eq!(expected_cashback(&price(1079, Some(1444)), 1, 700), Ok(exp(75, Some(101), 700, 1)));
        // 1.00..1.01 at 1 % -> 0.01 both -> collapses
        assert_eq!(expected_cashback(&price(100, Some(101)), 1, 100), Ok(exp(1, None, 100, 1)));
        // rate 0 collapses any range
        assert_eq!(expected_cashback(&price(100, Some(5000)), 2, 0), Ok(exp(0, None, 0, 2)));
    }

    #[test]
    fn full_rate_and_currency_passthrough() {
        let p = PriceRange { currency: "JPY", min_minor: 1234, max_minor: None, from: true };
        let e = expected_cashback(&p, 2, MAX_RATE_BP).unwrap();
        assert_eq!(e.currency, "JPY");
        assert_eq!(e.min_minor, 2468);
    }

    #[test]
    fn errors() {
        assert_eq!(expected_cashback(&price(1079, None), 0, 700), Err(MoneyError::ZeroQuantity));
        assert_eq!(expected_cashback(&price(1079, None), 1, MAX_RATE_BP + 1), Err(MoneyError::RateOutOfRange));
        assert_eq!(expected_cashback(&price(u64::MAX, None), u32::MAX, MAX_RATE_BP), Err(MoneyError::Overflow));
        assert_eq!(expected_cashback(&price(1, Some(u64::MAX)), u32::MAX, 1), Err(MoneyError::Overflow));
        // Exactly at the limit is fine, one above is not.
        assert_eq!(expected_cashback(&price(MAX_RESULT_MINOR, None), 1, MAX_RATE_BP).unwrap().min_minor, MAX_RESULT_MINOR);
        assert_eq!(expected_cashback(&price(MAX_RESULT_MINOR + 1, None), 1, MAX_RATE_BP), Err(MoneyError::Overflow));
        // Absurd price but 0 % rate -> 0, no overflow.
        assert_eq!(expected_cashback(&price(u64::MAX, None), u32::MAX, 0).unwrap().min_minor, 0);
    }

    #[test]
    fn cap() {
        let e = exp(75, Some(101), 700, 1);
        assert_eq!(apply_cap(&e, None), e);
        assert_eq!(apply_cap(&e, Some(80)), exp(75, Some(80), 700, 1));
        assert_eq!(apply_cap(&e, Some(75)), exp(75, None, 700, 1));
        assert_eq!(apply_cap(&e, Some(50)), exp(50, None, 700, 1));
        assert_eq!(apply_cap(&e, Some(0)), exp(0, None, 700, 1));
        assert_eq!(apply_cap(&e, Some(u64::MAX)), e);
    }

    #[test]
    fn refunds() {
        // partial: (100.00 - 25.00) * 5 % = 3.75
        assert_eq!(refund_adjusted(10_000, 2_500, 500), Ok(375));
        // rounding down: 10.79 * 7 % = 0.75
        assert_eq!(refund_adjusted(1079, 0, 700), Ok(75));
        // full refund
        assert_eq!(refund_adjusted(10_000, 10_000, 500), Ok(0));
        assert_eq!(refund_adjusted(10_000, 10_001, 500), Err(MoneyError::RefundExceedsPaid));
        assert_eq!(refund_adjusted(10_000, 0, 10_001), Err(MoneyError::RateOutOfRange));
        assert_eq!(refund_adjusted(u64::MAX, 0, MAX_RATE_BP), Err(MoneyError::Overflow));
    }

    #[test]
    fn display() {
        for e in [MoneyError::Overflow, MoneyError::ZeroQuantity, MoneyError::RateOutOfRange, MoneyError::RefundExceedsPaid] {
            assert!(!e.to_string().is_empty());
        }
        assert_eq!(MoneyError::ZeroQuantity.to_string(), "quantity is zero");
    }
}
