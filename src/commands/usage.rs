//! `tm usage`: tokens and cost per local day, week or month, per model or per conversation,
//! with a bar, a totals row and this month against a subscription.

use anyhow::{Context as _, Result};
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::app::{App, Opened};
use crate::cli::{By, UsageArgs};
use crate::error;
use crate::money::Money;
use crate::period::{self, Bound, Length};
use crate::store::usage::{self, GroupBy, Span, UsageRow};
use crate::ui::{self, fmt, table};

#[derive(Serialize)]
struct Report<'a> {
    /// Local days, inclusive.
    since: String,
    until: String,
    by: &'a str,
    rows: &'a [UsageRow],
    totals: UsageRow,
    this_month: Option<Month>,
}

#[derive(Serialize, Clone, Copy)]
struct Month {
    cost: Money,
    subscription: Money,
}

/// How rows are grouped, the periods when grouped by time, and the column's name.
fn group_by(by: By) -> (GroupBy, Option<Length>, &'static str) {
    match by {
        By::Day => (GroupBy::Span, Some(Length::Day), "day"),
        By::Week => (GroupBy::Span, Some(Length::Week), "week"),
        By::Month => (GroupBy::Span, Some(Length::Month), "month"),
        By::Model => (GroupBy::Model, None, "model"),
        By::Conversation => (GroupBy::Conversation, None, "conversation"),
    }
}

pub fn run(args: &UsageArgs, app: &App) -> Result<()> {
    let zone = TimeZone::system();
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(zone.clone())
        .date();
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
    let report = Report {
        since: since_day.to_string(),
        until: until_day.to_string(),
        by: by_name,
        rows: &rows,
        totals: UsageRow::total("total", &rows),
        this_month,
    };
    if args.json {
        ui::outln(serde_json::to_string_pretty(&report)?)?;
    } else if args.csv {
        ui::outln(csv(&rows)?)?;
    } else {
        ui::outln(render(&report))?;
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

/// The rows of `--json`, as CSV: the header is their field names.
fn csv(rows: &[UsageRow]) -> Result<String> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for row in rows {
        out.serialize(row)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| anyhow::anyhow!("{}", e.error()))?;
    let text = String::from_utf8(bytes)?;
    Ok(text.trim_end_matches('\n').to_owned())
}

fn render(report: &Report<'_>) -> String {
    let by_cost = report.rows.iter().any(|r| r.cost > Money::ZERO);
    let size = |r: &UsageRow| {
        if by_cost {
            r.cost.usd()
        } else {
            (r.prompt_tokens + r.completion_tokens) as f64
        }
    };
    let largest = report.rows.iter().map(size).fold(0.0, f64::max);
    let mut out = table::new(
        [
            report.by,
            "requests",
            "prompt",
            "cached",
            "completion",
            "images",
            "cost",
            if by_cost { "" } else { "tokens" },
        ],
        &[1, 2, 3, 4, 5, 6],
    )
    // Narrow terminals: a conversation's title shortens (dates and models never do), then
    // the bar, images, cached, completion, prompt and requests go; the key and cost stay.
    .fit(
        (report.by == "conversation").then_some(0),
        &[7, 5, 3, 4, 2, 1],
    );
    let styled = ui::stdout_is_styled();
    let n = |v: i64| fmt::count(v.unsigned_abs());
    for row in report.rows.iter().chain([&report.totals]) {
        let is_total = std::ptr::eq(row, &report.totals);
        out.add_row([
            row.key.clone(),
            n(row.requests),
            n(row.prompt_tokens),
            n(row.cached_tokens),
            n(row.completion_tokens),
            n(row.images),
            fmt::cost_total(row.cost, row.unpriced_requests),
            if is_total {
                String::new()
            } else {
                fmt::bar(size(row), largest, 20, styled)
            },
        ]);
    }
    let mut text = format!(
        "{} to {}\n{}",
        report.since,
        report.until,
        table::render(&out)
    );
    let failed = report.totals.failed_requests;
    if failed > 0 {
        text.push('\n');
        text.push_str(&ui::fit_prose(&format!(
            "failed: {} with no answer, counted above with no tokens and no cost (not billed)",
            fmt::plural(failed.unsigned_abs() as usize, "request")
        )));
    }
    if let Some(month) = report.this_month {
        let (cost, subscription) = (month.cost, month.subscription);
        let comparison = if cost <= subscription {
            // Floored, in whole numbers: a saving is never shown larger than it is, so any
            // spending at all reads as at most 99 %.
            let saved = (subscription - cost).picodollars();
            let less = i128::from(saved) * 100 / i128::from(subscription.picodollars());
            format!("{less}% less than a subscription")
        } else {
            format!(
                "{} more than a subscription",
                fmt::dollars(cost - subscription)
            )
        };
        text.push('\n');
        text.push_str(&ui::fit_prose(&format!(
            "this month: {} of {} — {comparison}",
            fmt::dollars(cost),
            fmt::dollars(subscription)
        )));
    }
    text
}
