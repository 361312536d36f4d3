//! `tm usage`'s rows: the report `--json` prints, the same rows as CSV, and the table.

use anyhow::Result;
use serde::Serialize;

use crate::budget::{Budgets, Standing};
use crate::money::Money;
use crate::store::usage::UsageRow;

use super::{fmt, table};

/// What `tm usage` found, as `--json` prints it.
#[derive(Serialize)]
pub struct Report<'a> {
    /// Local days, inclusive.
    pub since: String,
    pub until: String,
    pub by: &'a str,
    pub rows: &'a [UsageRow],
    pub totals: UsageRow,
    pub this_month: Option<Month>,
    /// Where the budgets that are set stand; null when none is.
    pub budgets: Option<Budgets>,
}

#[derive(Serialize, Clone, Copy)]
pub struct Month {
    pub cost: Money,
    pub subscription: Money,
}

/// Cached ÷ prompt tokens, floored to a whole percent; empty without prompt tokens.
fn hit_rate(cached: i64, prompt: i64) -> String {
    if prompt <= 0 {
        return String::new();
    }
    format!("{}%", i128::from(cached) * 100 / i128::from(prompt))
}

/// The rows of `--json`, as CSV: the header is their field names.
pub fn csv(rows: &[UsageRow]) -> Result<String> {
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

pub fn table(report: &Report<'_>) -> String {
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
            "hits",
            "written",
            "completion",
            "images",
            "cost",
            if by_cost { "" } else { "tokens" },
        ],
        &[1, 2, 3, 4, 5, 6, 7, 8],
    )
    // Narrow terminals: a conversation's title shortens (dates and models never do), then
    // the bar, images, cache writes, the cache hit rate, cached, completion, prompt and
    // requests go; the key and cost stay.
    .fit(
        (report.by == "conversation").then_some(0),
        &[9, 7, 5, 4, 3, 6, 2, 1],
    );
    let styled = super::stdout_is_styled();
    let n = |v: i64| fmt::count(v.unsigned_abs());
    for row in report.rows.iter().chain([&report.totals]) {
        let is_total = std::ptr::eq(row, &report.totals);
        out.add_row([
            row.key.clone(),
            n(row.requests),
            n(row.prompt_tokens),
            n(row.cached_tokens),
            hit_rate(row.cached_tokens, row.prompt_tokens),
            n(row.cache_write_tokens),
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
        text.push_str(&super::fit_prose(&format!(
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
        text.push_str(&super::fit_prose(&format!(
            "this month: {} of {} — {comparison}",
            fmt::dollars(cost),
            fmt::dollars(subscription)
        )));
    }
    if let Some(budgets) = &report.budgets {
        for line in budget_lines(budgets) {
            text.push('\n');
            text.push_str(&super::fit_prose(&line));
        }
    }
    text
}

/// `day budget: $0.42 of $1.00 (42%)`, and the month's with where it ends at its rate.
fn budget_lines(budgets: &Budgets) -> Vec<String> {
    let line = |name: &str, standing: &Standing| {
        let end = standing.month_end.map_or_else(String::new, |end| {
            format!(
                "; {} by the month's end at this month's rate",
                fmt::dollars(end)
            )
        });
        format!(
            "{name} budget: {} of {} ({}%){end}",
            fmt::dollars(standing.spent),
            fmt::limit(standing.limit),
            standing.percent
        )
    };
    [("day", budgets.day), ("month", budgets.month)]
        .into_iter()
        .filter_map(|(name, standing)| standing.map(|s| line(name, &s)))
        .collect()
}
