//! `tm usage`: tokens and cost per local day, week or month, per model, conversation or tier,
//! with a bar, a totals row, this month against a subscription, and the budgets.

use anyhow::{Context as _, Result};
use jiff::tz::TimeZone;

use crate::app::{App, Opened};
use crate::budget::{Budgets, Spent};
use crate::cli::{By, UsageArgs};
use crate::error;
use crate::period::{self, Bound, Length};
use crate::store::usage::{self, GroupBy, Span, UsageRow};
use crate::ui::{
    self,
    usage::{Month, Report},
};

/// How rows are grouped, the periods when grouped by time, and the column's name.
fn group_by(by: By) -> (GroupBy, Option<Length>, &'static str) {
    match by {
        By::Day => (GroupBy::Span, Some(Length::Day), "day"),
        By::Week => (GroupBy::Span, Some(Length::Week), "week"),
        By::Month => (GroupBy::Span, Some(Length::Month), "month"),
        By::Model => (GroupBy::Model, None, "model"),
        By::Conversation => (GroupBy::Conversation, None, "conversation"),
        By::Tier => (GroupBy::Tier, None, "tier"),
    }
}

pub fn run(args: &UsageArgs, app: &App) -> Result<()> {
    let zone = crate::clock::local_zone();
    let now = crate::clock::now();
    let today = now.to_zoned_datetime(zone.clone()).date();
    let since_day = period::parse_day(&args.since, Bound::Since, today)
        .map_err(|e| error::usage(format!("--since: {e}")))?;
    let until_day = period::parse_day(&args.until, Bound::Until, today)
        .map_err(|e| error::usage(format!("--until: {e}")))?;
    if since_day > until_day {
        return Err(error::usage(format!(
            "--since {since_day} is after --until {until_day}; nothing lies between them"
        )));
    }
    let (by, length, by_name) = group_by(args.by);

    let Opened {
        mut store,
        settings,
        ..
    } = app.open()?;
    // Periods are only made for the days that have history, however far back --since reaches.
    let history = store.read(usage::history_bounds)?;
    let local_day = |at: &str| -> Result<jiff::civil::Date> {
        let at: jiff::Timestamp = at
            .parse()
            .with_context(|| format!("a request record's start time '{at}' is not a timestamp"))?;
        Ok(at.to_zoned_datetime(zone.clone()).date())
    };
    let history_days = match history {
        Some((first, last)) => Some((local_day(&first)?, local_day(&last)?)),
        None => None,
    };
    let rows = match history_days {
        Some((first, last)) if since_day <= last && first <= until_day => {
            let (since_day, until_day) = (since_day.max(first), until_day.min(last));
            let spans = match length {
                Some(length) => period::spans(since_day, until_day, length, &zone),
                None => whole_range(since_day, until_day, &zone).map(|span| vec![span]),
            }
            .map_err(anyhow::Error::msg)?;
            store.read(|conn| usage::report(conn, by, &spans))?
        }
        _ => Vec::new(),
    };
    let subscription = settings.subscription()?;
    let this_month = if subscription.is_positive() {
        let month =
            whole_range(today.first_of_month(), today, &zone).map_err(anyhow::Error::msg)?;
        let rows = store.read(|conn| usage::report(conn, GroupBy::Model, &[month]))?;
        Some(Month {
            cost: UsageRow::total("total", &rows).cost,
            subscription,
        })
    } else {
        None
    };
    let limits = settings.limits()?;
    let budgets = if limits.budgets() {
        let spent = Spent::read(&mut store, &zone, now)?;
        Some(Budgets::of(&limits, spent, now, &zone)?)
    } else {
        None
    };
    let report = Report {
        since: since_day.to_string(),
        until: until_day.to_string(),
        by: by_name,
        rows: &rows,
        totals: UsageRow::total("total", &rows),
        this_month,
        budgets,
    };
    if args.json {
        ui::outln(serde_json::to_string_pretty(&report)?)?;
    } else if args.csv {
        ui::outln(ui::usage::csv(&rows)?)?;
    } else {
        ui::outln(ui::usage::table(&report))?;
    }
    Ok(())
}

/// From the start of the `since` day to the end of the `until` day, as one span.
fn whole_range(
    since: jiff::civil::Date,
    until: jiff::civil::Date,
    zone: &TimeZone,
) -> Result<Span, String> {
    Ok(Span {
        key: String::new(),
        since: period::instant(since, Bound::Since, zone)?,
        until: period::instant(until, Bound::Until, zone)?,
    })
}
