//! Budgets and the cost guard: a request's projected cost held against the limits the user
//! set, before anything is sent; the warning when a budget passes 80 %; and what has been
//! spent today and this month, which `tm status` and `tm usage` show.
//!
//! Days and months are local. What has been spent is read from `usage_totals` over spans
//! that end at the next local midnight: nothing lies in the future, and bounds on whole
//! quarter hours never send the sum to the requests themselves.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, bail};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::money::Money;
use crate::period::{self, Bound};
use crate::store::Store;
use crate::store::usage::{self, Span};
use crate::ui::{self, fmt};

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

    fn name(self) -> &'static str {
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

/// What the user says to a request over a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// `--yes`: send it.
    Given,
    /// On a terminal: ask.
    Ask,
    /// Off a terminal without `--yes`: refuse, with the numbers.
    Refuse,
}

impl Consent {
    /// `--yes`, else ask where someone can answer (stdin and stderr a terminal), else refuse.
    pub fn from_flag(yes: bool) -> Self {
        if yes {
            Self::Given
        } else if ui::stdin_is_terminal() && ui::stderr_is_terminal() {
            Self::Ask
        } else {
            Self::Refuse
        }
    }
}

/// `this request is projected at ~$0.00026 (~8 prompt + ~56 output tokens), which would
/// pass the month budget ($0.0019 spent of $0.0020)`.
fn explain(overs: &[Over], projection: &Projection) -> String {
    let tokens = if projection.prompt_tokens == 0 && projection.output_tokens == 0 {
        String::new()
    } else {
        format!(
            " (~{} prompt + ~{} output tokens)",
            fmt::count(projection.prompt_tokens),
            fmt::count(projection.output_tokens)
        )
    };
    let reasons: Vec<String> = overs
        .iter()
        .map(|over| match *over {
            Over::Guard(guard) => format!("is above the guard of {}", fmt::limit(guard)),
            Over::Budget {
                period,
                spent,
                limit,
            } => format!(
                "would pass the {} budget ({} spent of {})",
                period.name(),
                fmt::dollars(spent),
                fmt::limit(limit)
            ),
        })
        .collect();
    format!(
        "this request is projected at ~{}{tokens}, which {}",
        fmt::dollars(projection.cost),
        reasons.join(" and ")
    )
}

/// What the guard decided.
pub enum Cleared {
    /// Send it. What was spent before, when a budget is set, for the 80 % warning after.
    Send(Option<Spent>),
    /// The user said no on the terminal: send nothing.
    Declined,
}

/// Says once per process that a model's cost cannot be projected.
static UNPRICED_NOTED: AtomicBool = AtomicBool::new(false);

/// Holds a request to `model` against the limits. `at_most` projects it cheaply and from
/// above; `estimate`, closer and perhaps slow to make, is asked for only when `at_most`
/// passes a limit. `None` from either: the model has no price (at `tier`), so nothing can
/// be projected; that is said once, and the request goes.
pub fn check(
    store: &mut Store,
    limits: &Limits,
    consent: Consent,
    model: &str,
    tier: Option<&str>,
    at_most: impl FnOnce(&mut Store) -> Result<Option<Projection>>,
    estimate: impl FnOnce(Projection) -> Option<Projection>,
) -> Result<Cleared> {
    if !limits.any() {
        return Ok(Cleared::Send(None));
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
        if !UNPRICED_NOTED.swap(true, Ordering::Relaxed) {
            let tier = tier
                .filter(|&t| !crate::prices::is_standard_tier(Some(t)))
                .map_or_else(String::new, |t| format!(" at the {t} tier"));
            ui::note(&format!(
                "the cost of a request to {model} cannot be projected (the price table has no price for it{tier}), so no limit is checked"
            ));
        }
        return Ok(Cleared::Send(spent));
    };
    let spent_so_far = spent.unwrap_or_default();
    if over(limits, spent_so_far, at_most.cost).is_empty() {
        return Ok(Cleared::Send(spent));
    }
    let projection = estimate(at_most).unwrap_or(at_most);
    let overs = over(limits, spent_so_far, projection.cost);
    Ok(if clear(&overs, &projection, consent)? {
        Cleared::Send(spent)
    } else {
        Cleared::Declined
    })
}

/// Whether a request over a limit may go: with `--yes`, or "y" on a terminal (`false`: the
/// user said no, and nothing is sent). Off a terminal it is refused with an error (exit 1)
/// that names the limits, what was spent and the projection; nothing has been sent or
/// written.
fn clear(overs: &[Over], projection: &Projection, consent: Consent) -> Result<bool> {
    if overs.is_empty() || consent == Consent::Given {
        return Ok(true);
    }
    let why = explain(overs, projection);
    if consent == Consent::Ask {
        ui::warn(&why);
        let tokens = projection.prompt_tokens + projection.output_tokens;
        let tokens = if tokens == 0 {
            String::new()
        } else {
            format!("~{} tokens, ", fmt::count(tokens))
        };
        return ui::confirm(&format!("send {tokens}~{}?", fmt::dollars(projection.cost)));
    }
    bail!("nothing was sent: {why}; `--yes` sends it anyway")
}

/// The warning when `cost` takes a budget from under 80 % to 80 % or more of its limit:
/// once per crossing, since only the request that crosses it can.
pub fn crossings(limits: &Limits, before: Spent, cost: Money) -> Vec<String> {
    Period::BOTH
        .into_iter()
        .filter_map(|period| {
            let limit = limits.budget(period)?;
            let (before, after) = (before.of(period), before.of(period) + cost);
            let share = |spent: Money| percent(spent, limit);
            (share(before) < 80 && share(after) >= 80).then(|| {
                format!(
                    "{}% of the {} budget is spent: {} of {}",
                    share(after),
                    period.name(),
                    fmt::dollars(after),
                    fmt::limit(limit)
                )
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
            ["81% of the month budget is spent: $8.10 of $10.00"]
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
