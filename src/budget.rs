//! Budgets and the cost guard: a request's projected cost held against the limits the user
//! set, before anything is sent; which budgets a request took past 80 %; and what has been
//! spent today and this month, which `tm status` and `tm usage` show. Numbers only: asking
//! the user and the wording are `ui::budget`'s.
//!
//! Days and months are local. What has been spent is read from `usage_totals` over spans
//! that end at the next local midnight: nothing lies in the future, and bounds on whole
//! quarter hours never send the sum to the requests themselves.

use anyhow::Result;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::money::Money;
use crate::period::{self, Bound};
use crate::store::Store;
use crate::store::usage::{self, Span};

/// The `budget.day`, `budget.month` and `guard` settings; unset is none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub day: Option<Money>,
    pub month: Option<Money>,
    pub guard: Option<Money>,
}

impl Limits {
    pub fn any(&self) -> bool {
        self.budgets() || self.guard.is_some()
    }

    /// Whether a budget is set, and so what was spent must be read.
    pub fn budgets(&self) -> bool {
        self.day.is_some() || self.month.is_some()
    }

    fn budget(&self, period: Period) -> Option<Money> {
        match period {
            Period::Day => self.day,
            Period::Month => self.month,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Month,
}

impl Period {
    const BOTH: [Self; 2] = [Self::Day, Self::Month];

    pub fn name(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Month => "month",
        }
    }
}

/// What the priced requests cost today and this month so far, in local time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Spent {
    pub today: Money,
    pub month: Money,
}

impl Spent {
    fn of(self, period: Period) -> Money {
        match period {
            Period::Day => self.today,
            Period::Month => self.month,
        }
    }

    /// Today and this month up to `now` in `zone`.
    pub fn read(store: &mut Store, zone: &TimeZone, now: Timestamp) -> Result<Self> {
        let today = now.to_zoned_datetime(zone.clone()).date();
        let [day, month] = spans(today, zone).map_err(anyhow::Error::msg)?;
        store.read(|conn| {
            Ok(Self {
                today: usage::cost_within(conn, &day)?,
                month: usage::cost_within(conn, &month)?,
            })
        })
    }
}

/// Today and this month, each ending at the next local midnight.
fn spans(today: Date, zone: &TimeZone) -> Result<[Span; 2], String> {
    let until = period::instant(today, Bound::Until, zone)?;
    let span = |key: &str, since: Date| -> Result<Span, String> {
        Ok(Span {
            key: key.to_owned(),
            since: period::instant(since, Bound::Since, zone)?,
            until,
        })
    };
    Ok([span("day", today)?, span("month", today.first_of_month())?])
}

/// What a request is expected to cost before it is sent: its prompt, at most or as
/// estimated, and an output bound, at the model's prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Projection {
    pub prompt_tokens: u64,
    pub output_tokens: u64,
    pub cost: Money,
}

/// A limit the projected cost passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    Guard(Money),
    Budget {
        period: Period,
        spent: Money,
        limit: Money,
    },
}

/// Every limit that `cost` passes: the guard when it is above it, a budget when what was
/// spent plus `cost` is.
pub fn over(limits: &Limits, spent: Spent, cost: Money) -> Vec<Over> {
    let guard = limits.guard.filter(|&guard| cost > guard).map(Over::Guard);
    let budgets = Period::BOTH.into_iter().filter_map(|period| {
        let limit = limits.budget(period)?;
        let spent = spent.of(period);
        (spent + cost > limit).then_some(Over::Budget {
            period,
            spent,
            limit,
        })
    });
    guard.into_iter().chain(budgets).collect()
}

/// What holding a request against the limits found.
#[derive(Debug)]
pub enum Verdict {
    /// Within every limit (or none is set): send. What was spent, when a budget is set, for
    /// the 80 % warning after.
    Within(Option<Spent>),
    /// The model has no price (at the tier asked for): nothing can be projected.
    Unpriced(Option<Spent>),
    /// Over these limits, as projected.
    Over {
        overs: Vec<Over>,
        projection: Projection,
        spent: Option<Spent>,
    },
}

/// Holds a request against the limits. `at_most` projects it cheaply and from above;
/// `estimate`, closer and perhaps slow to make, is asked for only when `at_most` passes a
/// limit. `None` from either: the model has no price, so nothing can be projected.
pub fn check(
    store: &mut Store,
    limits: &Limits,
    at_most: impl FnOnce(&mut Store) -> Result<Option<Projection>>,
    estimate: impl FnOnce(Projection) -> Option<Projection>,
) -> Result<Verdict> {
    if !limits.any() {
        return Ok(Verdict::Within(None));
    }
    let spent = if limits.budgets() {
        Some(Spent::read(
            store,
            &crate::clock::local_zone(),
            crate::clock::now(),
        )?)
    } else {
        None
    };
    let Some(at_most) = at_most(store)? else {
        return Ok(Verdict::Unpriced(spent));
    };
    let spent_so_far = spent.unwrap_or_default();
    if over(limits, spent_so_far, at_most.cost).is_empty() {
        return Ok(Verdict::Within(spent));
    }
    let projection = estimate(at_most).unwrap_or(at_most);
    let overs = over(limits, spent_so_far, projection.cost);
    Ok(if overs.is_empty() {
        Verdict::Within(spent)
    } else {
        Verdict::Over {
            overs,
            projection,
            spent,
        }
    })
}

/// A budget that a request took from under 80 % of its limit to 80 % or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crossing {
    pub period: Period,
    pub percent: i64,
    pub spent: Money,
    pub limit: Money,
}

/// The budgets `cost` takes across 80 %: once per crossing, since only the request that
/// crosses the line can.
pub fn crossings(limits: &Limits, before: Spent, cost: Money) -> Vec<Crossing> {
    Period::BOTH
        .into_iter()
        .filter_map(|period| {
            let limit = limits.budget(period)?;
            let (before, after) = (before.of(period), before.of(period) + cost);
            let share = |spent: Money| percent(spent, limit);
            (share(before) < 80 && share(after) >= 80).then(|| Crossing {
                period,
                percent: share(after),
                spent: after,
                limit,
            })
        })
        .collect()
}

/// `spent` as a whole percent of `limit`, rounded down.
pub fn percent(spent: Money, limit: Money) -> i64 {
    if !limit.is_positive() {
        return 0;
    }
    let share = i128::from(spent.picodollars()) * 100 / i128::from(limit.picodollars());
    i64::try_from(share).unwrap_or(i64::MAX)
}

/// Where a budget stands: spent of its limit, and for the month, where it will end at this
/// month's rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub spent: Money,
    pub limit: Money,
    /// Spent ÷ limit, a whole percent rounded down.
    pub percent: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month_end: Option<Money>,
}

/// The budgets that are set, where each stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Budgets {
    pub day: Option<Standing>,
    pub month: Option<Standing>,
}

impl Budgets {
    pub fn of(limits: &Limits, spent: Spent, now: Timestamp, zone: &TimeZone) -> Result<Self> {
        let standing = |limit: Money, spent: Money| Standing {
            spent,
            limit,
            percent: percent(spent, limit),
            month_end: None,
        };
        let month = match limits.month {
            Some(limit) => Some(Standing {
                month_end: Some(month_end(spent.month, now, zone).map_err(anyhow::Error::msg)?),
                ..standing(limit, spent.month)
            }),
            None => None,
        };
        Ok(Self {
            day: limits.day.map(|limit| standing(limit, spent.today)),
            month,
        })
    }
}

/// What this month will cost at its rate so far: what was spent, scaled from the part of
/// the month gone by to the whole of it.
fn month_end(spent: Money, now: Timestamp, zone: &TimeZone) -> Result<Money, String> {
    let today = now.to_zoned_datetime(zone.clone()).date();
    let start = period::instant(today.first_of_month(), Bound::Since, zone)?;
    let end = period::instant(today.last_of_month(), Bound::Until, zone)?;
    let gone = now.as_second() - start.as_second();
    let whole = end.as_second() - start.as_second();
    if gone <= 0 {
        return Ok(spent);
    }
    let scaled = i128::from(spent.picodollars()) * i128::from(whole) / i128::from(gone);
    Ok(Money::from_picodollars(
        i64::try_from(scaled).unwrap_or(i64::MAX),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(amount: f64) -> Money {
        Money::from_usd(amount)
    }

    #[test]
    fn a_request_over_each_limit() {
        let limits = Limits {
            day: Some(usd(1.0)),
            month: Some(usd(15.0)),
            guard: Some(usd(0.25)),
        };
        let spent = Spent {
            today: usd(0.5),
            month: usd(14.9),
        };
        assert_eq!(over(&limits, spent, usd(0.05)), []);
        assert_eq!(
            over(&limits, spent, usd(0.2)),
            [Over::Budget {
                period: Period::Month,
                spent: usd(14.9),
                limit: usd(15.0)
            }]
        );
        assert_eq!(over(&limits, spent, usd(0.6)).len(), 3);
        // Exactly at a limit is within it.
        assert_eq!(over(&limits, spent, usd(0.1)), []);
        assert_eq!(over(&Limits::default(), spent, usd(100.0)), []);
    }

    #[test]
    fn the_80_percent_warning_comes_once() {
        let limits = Limits {
            month: Some(usd(10.0)),
            ..Limits::default()
        };
        let before = Spent {
            today: usd(0.0),
            month: usd(7.9),
        };
        assert_eq!(
            crossings(&limits, before, usd(0.2)),
            [Crossing {
                period: Period::Month,
                percent: 81,
                spent: usd(8.1),
                limit: usd(10.0)
            }]
        );
        assert!(crossings(&limits, before, usd(0.05)).is_empty());
        let after = Spent {
            month: usd(8.1),
            ..before
        };
        assert!(crossings(&limits, after, usd(0.2)).is_empty());
    }

    #[test]
    fn the_month_end_at_this_months_rate() {
        let zone = TimeZone::UTC;
        // A third of November 2026 (30 days) gone: $10 spent makes $30.
        let now: Timestamp = "2026-11-11T00:00:00Z".parse().expect("instant");
        assert_eq!(month_end(usd(10.0), now, &zone), Ok(usd(30.0)));
        let start: Timestamp = "2026-11-01T00:00:00Z".parse().expect("instant");
        assert_eq!(month_end(usd(0.0), start, &zone), Ok(usd(0.0)));
        assert_eq!(percent(usd(6.1), usd(15.0)), 40);
    }
}
