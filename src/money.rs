//! Money as whole picodollars (USD × 10¹²). Every sum of costs is a sum of these integers:
//! exact, and the same whatever the order of the additions, which sums of floating-point
//! dollars are not. A single cost still comes out of the price arithmetic as USD and enters
//! here rounded to the nearest picodollar, as the database has always summed it.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign};

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::BigInt;
use diesel::sqlite::{Sqlite, SqliteValue};

/// An amount, or a unit price: the price of one token is a `Money` too (0.75 USD per 1M
/// tokens is 750,000 picodollars a token), so a cost is whole numbers multiplied and added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, FromSqlRow, AsExpression)]
#[diesel(sql_type = BigInt)]
pub struct Money(i64);

const PER_USD: i64 = 1_000_000_000_000;

impl Money {
    pub const ZERO: Self = Self(0);

    /// A cost computed in USD, rounded to the nearest picodollar.
    pub fn from_usd(usd: f64) -> Self {
        Self((usd * PER_USD as f64).round() as i64)
    }

    /// A price of `usd` per 1M tokens, as the price of one token.
    pub fn per_token(usd_per_million: f64) -> Self {
        Self((usd_per_million * 1e6).round() as i64)
    }

    /// A price of one token, as the price of 1M tokens: how prices are shown.
    pub fn per_million(self) -> Self {
        Self(self.0.saturating_mul(1_000_000))
    }

    /// `count` of something at this price each.
    pub fn times(self, count: u64) -> Self {
        Self(
            self.0
                .saturating_mul(i64::try_from(count).unwrap_or(i64::MAX)),
        )
    }

    pub fn from_picodollars(picodollars: i64) -> Self {
        Self(picodollars)
    }

    pub fn picodollars(self) -> i64 {
        self.0
    }

    /// USD with exactly `decimals` places (at most 12), rounded half away from zero.
    pub fn rounded(self, decimals: u32) -> String {
        let decimals = decimals.min(12);
        let unit = 10i64.pow(12 - decimals);
        let magnitude = self.0.unsigned_abs();
        let units = (magnitude + unit.unsigned_abs() / 2) / unit.unsigned_abs();
        let scale = 10u64.pow(decimals);
        let sign = if self.0 < 0 && units > 0 { "-" } else { "" };
        if decimals == 0 {
            return format!("{sign}{units}");
        }
        format!(
            "{sign}{}.{:0width$}",
            units / scale,
            units % scale,
            width = decimals as usize
        )
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// For display and JSON only: arithmetic stays in picodollars.
    pub fn usd(self) -> f64 {
        self.0 as f64 / PER_USD as f64
    }
}

impl Add for Money {
    type Output = Self;

    fn add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, other: Self) {
        *self = *self + other;
    }
}

impl std::ops::Sub for Money {
    type Output = Self;

    fn sub(self, other: Self) -> Self {
        Self(self.0.saturating_sub(other.0))
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, Add::add)
    }
}

/// USD in plain decimal, every digit exact and no trailing zeros: `0.0009669`, `12.9`, `0`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let whole = self.0.unsigned_abs() / PER_USD.unsigned_abs();
        let fraction = self.0.unsigned_abs() % PER_USD.unsigned_abs();
        if fraction == 0 {
            return write!(f, "{sign}{whole}");
        }
        let digits = format!("{fraction:012}");
        write!(f, "{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// A per-token price in JSON: USD per 1M tokens, as prices are quoted.
pub fn usd_per_million<S: serde::Serializer>(
    price: &Option<Money>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match price {
        Some(price) => serializer.serialize_f64(price.per_million().usd()),
        None => serializer.serialize_none(),
    }
}

/// JSON carries USD as a number, as it always has.
impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.usd())
    }
}

impl ToSql<BigInt, Sqlite> for Money {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        <i64 as ToSql<BigInt, Sqlite>>::to_sql(&self.0, out)
    }
}

impl FromSql<BigInt, Sqlite> for Money {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        i64::from_sql(value).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_exact_in_any_order() {
        let costs = [0.1, 0.2, 0.3, 0.0009669, 1e-12];
        let forward: Money = costs.iter().map(|&c| Money::from_usd(c)).sum();
        let backward: Money = costs.iter().rev().map(|&c| Money::from_usd(c)).sum();
        assert_eq!(forward, backward);
        assert_eq!(forward.to_string(), "0.600966900001");
        // Floating point does not even agree with itself here.
        assert_ne!(0.1 + 0.2 + 0.3, 0.3 + 0.2 + 0.1);
    }

    #[test]
    fn rounding_to_places() {
        assert_eq!(Money::from_usd(12.345).rounded(2), "12.35");
        assert_eq!(Money::from_usd(0.000_966_9).rounded(5), "0.00097");
        assert_eq!(Money::from_usd(0.25).rounded(4), "0.2500");
        assert_eq!(Money::from_usd(-5.805).rounded(2), "-5.81");
        assert_eq!(Money::from_usd(0.004).rounded(2), "0.00");
    }

    #[test]
    fn decimal_text() {
        assert_eq!(Money::from_usd(0.0009669).to_string(), "0.0009669");
        assert_eq!(Money::from_usd(12.9).to_string(), "12.9");
        assert_eq!(Money::ZERO.to_string(), "0");
        assert_eq!(Money::from_usd(-5.8).to_string(), "-5.8");
    }
}
