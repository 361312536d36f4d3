//! `tm usage`: request totals over spans of time, grouped by span (a local day, week or
//! month), by model, by conversation or by service tier. Plain rows, no formatting.
//!
//! A span is summed from `usage_totals` (see its migration): whole UTC days, then whole hours,
//! then whole quarter hours at its edges, and only what is left (a bound that is not on a
//! quarter hour) from `requests`. A year of local days is about 9,000 rows whatever the
//! number of requests, and every zone's days stay exact.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use jiff::Timestamp;
use serde::Serialize;

use crate::money::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Span,
    Model,
    Conversation,
    Tier,
}

/// `[since, until)` in UTC, reported under `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub key: String,
    pub since: Timestamp,
    pub until: Timestamp,
}

#[derive(Debug, Clone, QueryableByName, Serialize)]
pub struct UsageRow {
    /// The span's key (`2026-11-24`, `2026-W48`, `2026-11`), the model name, the
    /// conversation (`12 title`; `images` for image requests, which belong to no conversation;
    /// `deleted` for records kept by `delete --keep-usage`), or the service tier (`default`
    /// also for responses that named none, which are billed as the standard tier).
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub requests: i64,
    #[diesel(sql_type = BigInt)]
    pub prompt_tokens: i64,
    #[diesel(sql_type = BigInt)]
    pub cached_tokens: i64,
    /// Prompt tokens written to the prompt cache.
    #[diesel(sql_type = BigInt)]
    pub cache_write_tokens: i64,
    #[diesel(sql_type = BigInt)]
    pub completion_tokens: i64,
    #[diesel(sql_type = BigInt)]
    pub reasoning_tokens: i64,
    #[diesel(sql_type = BigInt)]
    pub images: i64,
    /// The requests whose price was known.
    #[diesel(sql_type = BigInt)]
    pub cost: Money,
    /// Requests with tokens but no price: their cost is unknown, not zero.
    #[diesel(sql_type = BigInt)]
    pub unpriced_requests: i64,
    /// Requests that got no answer: counted in `requests`, with no tokens and no cost.
    #[diesel(sql_type = BigInt)]
    pub failed_requests: i64,
}

/// The SQL of one report. `?1` is a JSON array of pieces `[span, level, from, to]`: a `level`
/// of 0, 1 or 2 sums `usage_totals` rows of that level over spans `[from, to)`; `null` sums
/// `requests` over `started_at` in `[from, to)`.
pub fn sql(by: GroupBy) -> String {
    // Each source is summed per group first, so only a handful of rows meet in the union.
    let (in_totals, models, in_requests, key, order) = match by {
        // Rows per piece; `report` adds up the pieces of each span.
        GroupBy::Span => (
            "p.piece",
            "SELECT '' AS name",
            "p.piece",
            "CAST(grp AS TEXT)",
            "grp",
        ),
        GroupBy::Model => (
            "m.name",
            "SELECT DISTINCT model AS name FROM usage_totals WHERE level = 0 AND model <> ''",
            "r.model",
            "grp",
            "cost DESC, key",
        ),
        GroupBy::Conversation => (
            "NULL",
            "SELECT NULL AS name WHERE false",
            // Image requests belong to no conversation; records kept by `delete
            // --keep-usage` no longer do. Each gets a row of its own.
            "CASE WHEN r.kind = 'image' THEN 'images' ELSE r.conversation_id END",
            "CASE WHEN grp = 'images' THEN 'images' WHEN grp IS NULL THEN 'deleted' \
             ELSE grp || ' ' || (SELECT title FROM conversations WHERE id = grp) END",
            "cost DESC, key",
        ),
        GroupBy::Tier => (
            "NULL",
            "SELECT NULL AS name WHERE false",
            "coalesce(r.service_tier, 'default')",
            "grp",
            "cost DESC, key",
        ),
    };
    format!(
        "WITH pieces AS (
             SELECT key AS piece, value ->> 1 AS level, value ->> 2 AS since, value ->> 3 AS until
             FROM json_each(?1)
         ),
         totals AS (
             SELECT {in_totals} AS grp, sum(u.requests) AS requests,
                    sum(u.prompt_tokens) AS prompt_tokens, sum(u.cached_tokens) AS cached_tokens,
                    sum(u.cache_write_tokens) AS cache_write_tokens,
                    sum(u.completion_tokens) AS completion_tokens,
                    sum(u.reasoning_tokens) AS reasoning_tokens, sum(u.images) AS images,
                    sum(u.cost_picodollars) AS cost_picodollars,
                    sum(u.unpriced_requests) AS unpriced_requests,
                    sum(u.failed_requests) AS failed_requests
             FROM pieces p JOIN ({models}) m JOIN usage_totals u
                  ON u.level = p.level AND u.model = m.name AND u.span >= p.since AND u.span < p.until
             GROUP BY grp
             UNION ALL
             SELECT {in_requests}, count(*), coalesce(sum(r.prompt_tokens), 0),
                    coalesce(sum(r.cached_tokens), 0), coalesce(sum(r.cache_write_tokens), 0),
                    coalesce(sum(r.completion_tokens), 0),
                    coalesce(sum(r.reasoning_tokens), 0), sum(r.images),
                    coalesce(sum(r.cost_picodollars), 0),
                    count(*) FILTER (WHERE r.cost_picodollars IS NULL AND (r.prompt_tokens IS NOT NULL OR r.images > 0)),
                    count(*) FILTER (WHERE r.outcome = 'failed')
             FROM pieces p JOIN requests r ON r.started_at >= p.since AND r.started_at < p.until
             WHERE p.level IS NULL
             GROUP BY 1
         )
         SELECT {key} AS key,
                sum(requests) AS requests,
                sum(prompt_tokens) AS prompt_tokens,
                sum(cached_tokens) AS cached_tokens,
                sum(cache_write_tokens) AS cache_write_tokens,
                sum(completion_tokens) AS completion_tokens,
                sum(reasoning_tokens) AS reasoning_tokens,
                sum(images) AS images,
                sum(cost_picodollars) AS cost,
                sum(unpriced_requests) AS unpriced_requests,
                sum(failed_requests) AS failed_requests
         FROM totals
         GROUP BY 1
         ORDER BY {order}"
    )
}

/// The levels of `usage_totals`, largest first: seconds and the format of a span's key.
const LEVELS: [(i64, &str); 3] = [
    (86_400, "%Y-%m-%d"),
    (3_600, "%Y-%m-%dT%H"),
    (900, "%Y-%m-%dT%H:%M"),
];

fn at_second(second: i64) -> Timestamp {
    Timestamp::from_second(second).unwrap_or(Timestamp::MAX)
}

/// Part of a span: `level` rows of `usage_totals` with spans in `[since, until)`, or, with
/// no level, the requests that started in `[since, until)`. Serialized as a JSON array.
#[derive(Debug, Serialize)]
struct Piece(usize, Option<usize>, String, String);

/// Covers `[since, until)` with the largest whole units there are, then the edges with the next
/// level down, and what no level covers with the requests themselves.
fn cover(span: usize, since: Timestamp, until: Timestamp, level: usize, pieces: &mut Vec<Piece>) {
    if since >= until {
        return;
    }
    let Some(&(unit, format)) = LEVELS.get(level) else {
        pieces.push(Piece(
            span,
            None,
            super::timestamp(since),
            super::timestamp(until),
        ));
        return;
    };
    let (from, to) = (since.as_second(), until.as_second());
    let on_a_unit = from.rem_euclid(unit) == 0 && since.subsec_nanosecond() == 0;
    let first = from.div_euclid(unit) * unit + if on_a_unit { 0 } else { unit };
    let last = to.div_euclid(unit) * unit;
    if first >= last {
        cover(span, since, until, level + 1, pieces);
        return;
    }
    cover(span, since, at_second(first), level + 1, pieces);
    pieces.push(Piece(
        span,
        Some(level),
        at_second(first).strftime(format).to_string(),
        at_second(last).strftime(format).to_string(),
    ));
    cover(span, at_second(last), until, level + 1, pieces);
}

/// The pieces of every span, in order. Per conversation and per tier there are no totals, so
/// everything is summed from `requests`.
fn pieces(spans: &[Span], by: GroupBy) -> Vec<Piece> {
    let first_level = if matches!(by, GroupBy::Conversation | GroupBy::Tier) {
        LEVELS.len()
    } else {
        0
    };
    let mut pieces = Vec::new();
    for (index, span) in spans.iter().enumerate() {
        cover(index, span.since, span.until, first_level, &mut pieces);
    }
    pieces
}

impl UsageRow {
    /// The sum of `rows`, under `key`.
    pub fn total<'a>(key: &str, rows: impl IntoIterator<Item = &'a UsageRow>) -> UsageRow {
        let mut total = UsageRow {
            key: key.to_owned(),
            requests: 0,
            prompt_tokens: 0,
            cached_tokens: 0,
            cache_write_tokens: 0,
            completion_tokens: 0,
            reasoning_tokens: 0,
            images: 0,
            cost: Money::ZERO,
            unpriced_requests: 0,
            failed_requests: 0,
        };
        for row in rows {
            total.requests += row.requests;
            total.prompt_tokens += row.prompt_tokens;
            total.cached_tokens += row.cached_tokens;
            total.cache_write_tokens += row.cache_write_tokens;
            total.completion_tokens += row.completion_tokens;
            total.reasoning_tokens += row.reasoning_tokens;
            total.images += row.images;
            total.cost += row.cost;
            total.unpriced_requests += row.unpriced_requests;
            total.failed_requests += row.failed_requests;
        }
        total
    }
}

pub fn report(
    conn: &mut SqliteConnection,
    by: GroupBy,
    spans: &[Span],
) -> QueryResult<Vec<UsageRow>> {
    let pieces = pieces(spans, by);
    let json = serde_json::to_string(&pieces).unwrap_or_default();
    let rows: Vec<UsageRow> = diesel::sql_query(sql(by))
        .bind::<Text, _>(json)
        .load(conn)?;
    if by != GroupBy::Span {
        return Ok(rows);
    }
    // Rows come per piece, in order; the pieces of a span are next to each other.
    let span_of = |row: &UsageRow| {
        row.key
            .parse::<usize>()
            .ok()
            .and_then(|piece| pieces.get(piece))
            .map(|piece| piece.0)
    };
    let mut merged: Vec<UsageRow> = Vec::new();
    for group in rows.chunk_by(|a, b| span_of(a) == span_of(b)) {
        if let Some(span) = group.first().and_then(span_of).and_then(|i| spans.get(i)) {
            merged.push(UsageRow::total(&span.key, group));
        }
    }
    Ok(merged)
}

/// What the priced requests that started in `span` cost, from the same pieces as a report
/// but in small queries of one shape each, which SQLite prepares in microseconds: the cost
/// guard reads this before every question sent under a budget.
pub fn cost_within(conn: &mut SqliteConnection, span: &Span) -> QueryResult<Money> {
    use super::schema::{requests, usage_totals};
    // diesel's `sum` of a BigInt is a Numeric; SQLite's is an integer.
    let sum_of_costs =
        || diesel::dsl::sql::<diesel::sql_types::Nullable<BigInt>>("sum(cost_picodollars)");
    let mut pieces = Vec::new();
    cover(0, span.since, span.until, 0, &mut pieces);
    let mut total = Money::ZERO;
    for Piece(_, level, since, until) in pieces {
        let cost: Option<i64> = match level {
            Some(level) => usage_totals::table
                .filter(usage_totals::level.eq(i32::try_from(level).unwrap_or(i32::MAX)))
                .filter(usage_totals::model.eq(""))
                .filter(usage_totals::span.ge(since))
                .filter(usage_totals::span.lt(until))
                .select(sum_of_costs())
                .first(conn)?,
            None => requests::table
                .filter(requests::started_at.ge(since))
                .filter(requests::started_at.lt(until))
                .select(sum_of_costs())
                .first(conn)?,
        };
        total += Money::from_picodollars(cost.unwrap_or(0));
    }
    Ok(total)
}

/// The first and last `started_at` on record, to bound a report to the history there is.
pub fn history_bounds(conn: &mut SqliteConnection) -> QueryResult<Option<(String, String)>> {
    use super::schema::requests::dsl::*;
    let first: Option<String> = requests.select(diesel::dsl::min(started_at)).first(conn)?;
    let last: Option<String> = requests.select(diesel::dsl::max(started_at)).first(conn)?;
    Ok(first.zip(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(since: &str, until: &str) -> Span {
        Span {
            key: "k".to_owned(),
            since: since.parse().expect("since"),
            until: until.parse().expect("until"),
        }
    }

    fn json(spans: &[Span], by: GroupBy) -> String {
        serde_json::to_string(&pieces(spans, by)).unwrap_or_default()
    }

    #[test]
    fn spans_are_covered_by_days_then_hours_then_quarters_then_requests() {
        // A local day in India: 18:30Z to 18:30Z.
        let india = [span("2026-11-23T18:30:00Z", "2026-11-24T18:30:00Z")];
        assert_eq!(
            json(&india, GroupBy::Span),
            serde_json::json!([
                [0, 2, "2026-11-23T18:30", "2026-11-23T19:00"],
                [0, 1, "2026-11-23T19", "2026-11-24T18"],
                [0, 2, "2026-11-24T18:00", "2026-11-24T18:30"],
            ])
            .to_string()
        );
        let two_utc_days = [span("2026-11-23T00:00:00Z", "2026-11-25T00:00:00Z")];
        assert_eq!(
            json(&two_utc_days, GroupBy::Model),
            r#"[[0,0,"2026-11-23","2026-11-25"]]"#
        );
        let new_york_week = [span("2026-11-23T05:00:00Z", "2026-11-30T05:00:00Z")];
        assert_eq!(
            json(&new_york_week, GroupBy::Span),
            r#"[[0,1,"2026-11-23T05","2026-11-24T00"],[0,0,"2026-11-24","2026-11-30"],[0,1,"2026-11-30T00","2026-11-30T05"]]"#
        );
        assert_eq!(
            json(&new_york_week, GroupBy::Conversation),
            r#"[[0,null,"2026-11-23T05:00:00.000Z","2026-11-30T05:00:00.000Z"]]"#
        );
        let odd = [span("2026-11-24T05:10:00.5Z", "2026-11-24T05:50:00Z")];
        assert_eq!(
            json(&odd, GroupBy::Model),
            r#"[[0,null,"2026-11-24T05:10:00.500Z","2026-11-24T05:15:00.000Z"],[0,2,"2026-11-24T05:15","2026-11-24T05:45"],[0,null,"2026-11-24T05:45:00.000Z","2026-11-24T05:50:00.000Z"]]"#
        );
    }
}
