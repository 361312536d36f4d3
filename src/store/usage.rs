//! `tm usage`: request totals over spans of time, grouped by span (a local day, week or
//! month), by model or by conversation. Plain rows, no formatting.
//!
//! Whole UTC hours are summed from `usage_hours`, the per-hour rollup that triggers keep equal
//! to `requests`; only the part of a span that does not fill an hour (a local midnight at
//! :30 or :45, in India or Nepal) is summed from `requests` itself. A year of history is then a
//! few thousand rows, and every zone's days stay exact.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};
use jiff::Timestamp;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Span,
    Model,
    Conversation,
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
    /// The span's key (`2026-11-24`, `2026-W48`, `2026-11`), the model name, or the
    /// conversation (`12 title`; `deleted` for records kept by `delete --keep-usage`).
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub requests: i64,
    #[diesel(sql_type = BigInt)]
    pub prompt_tokens: i64,
    #[diesel(sql_type = BigInt)]
    pub cached_tokens: i64,
    #[diesel(sql_type = BigInt)]
    pub completion_tokens: i64,
    #[diesel(sql_type = BigInt)]
    pub reasoning_tokens: i64,
    #[diesel(sql_type = BigInt)]
    pub images: i64,
    /// USD of the requests whose price was known.
    #[diesel(sql_type = Double)]
    pub cost: f64,
    /// Requests with tokens but no price: their cost is unknown, not zero.
    #[diesel(sql_type = BigInt)]
    pub unpriced_requests: i64,
}

/// The SQL of one report. `?1` is a JSON array of pieces `[key, source, from, to]`: `source`
/// `hours` sums `usage_hours` over hour keys `[from, to)`, `requests` sums `requests` over
/// `started_at` in `[from, to)`.
pub fn sql(by: GroupBy) -> String {
    // Each source is summed per group first, so only a handful of rows meet in the union.
    let (in_hours, in_requests, key, order) = match by {
        GroupBy::Span => (
            "p.piece",
            "p.piece",
            "json_extract(?1, '$[' || grp || '][0]')",
            "key",
        ),
        GroupBy::Model => ("u.model", "r.model", "grp", "cost DESC, key"),
        GroupBy::Conversation => (
            "NULL",
            "r.conversation_id",
            "CASE WHEN grp IS NULL THEN 'deleted' \
             ELSE grp || ' ' || (SELECT title FROM conversations WHERE id = grp) END",
            "cost DESC, key",
        ),
    };
    format!(
        "WITH pieces AS (
             SELECT key AS piece, value ->> 1 AS source, value ->> 2 AS since, value ->> 3 AS until
             FROM json_each(?1)
         ),
         totals AS (
             SELECT {in_hours} AS grp, sum(u.requests) AS requests,
                    sum(u.prompt_tokens) AS prompt_tokens, sum(u.cached_tokens) AS cached_tokens,
                    sum(u.completion_tokens) AS completion_tokens,
                    sum(u.reasoning_tokens) AS reasoning_tokens, sum(u.images) AS images,
                    sum(u.cost_picodollars) AS cost_picodollars,
                    sum(u.unpriced_requests) AS unpriced_requests
             FROM pieces p JOIN usage_hours u ON u.hour >= p.since AND u.hour < p.until
             WHERE p.source = 'hours'
             GROUP BY grp
             UNION ALL
             SELECT {in_requests}, count(*), coalesce(sum(r.prompt_tokens), 0),
                    coalesce(sum(r.cached_tokens), 0), coalesce(sum(r.completion_tokens), 0),
                    coalesce(sum(r.reasoning_tokens), 0), sum(r.images),
                    coalesce(sum(CAST(round(r.cost * 1e12) AS INTEGER)), 0),
                    count(*) FILTER (WHERE r.cost IS NULL AND (r.prompt_tokens IS NOT NULL OR r.images > 0))
             FROM pieces p JOIN requests r ON r.started_at >= p.since AND r.started_at < p.until
             WHERE p.source = 'requests'
             GROUP BY 1
         )
         SELECT {key} AS key,
                sum(requests) AS requests,
                sum(prompt_tokens) AS prompt_tokens,
                sum(cached_tokens) AS cached_tokens,
                sum(completion_tokens) AS completion_tokens,
                sum(reasoning_tokens) AS reasoning_tokens,
                sum(images) AS images,
                sum(cost_picodollars) / 1e12 AS cost,
                sum(unpriced_requests) AS unpriced_requests
         FROM totals
         GROUP BY 1
         ORDER BY {order}"
    )
}

const HOUR: i64 = 3600;

fn hour_key(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H").to_string()
}

fn at_second(second: i64) -> Timestamp {
    Timestamp::from_second(second).unwrap_or(Timestamp::MAX)
}

fn requests_piece(key: &str, since: Timestamp, until: Timestamp) -> Option<serde_json::Value> {
    (since < until).then(|| {
        serde_json::json!([
            key,
            "requests",
            super::timestamp(since),
            super::timestamp(until)
        ])
    })
}

/// Splits each span into the whole hours the rollup answers and the edges it cannot.
/// Per conversation there is no rollup, so everything is summed from `requests`.
fn pieces(spans: &[Span], by: GroupBy) -> serde_json::Value {
    let mut pieces = Vec::new();
    for span in spans {
        let (since, until) = (span.since.as_second(), span.until.as_second());
        let first_hour =
            since.div_euclid(HOUR) * HOUR + if since.rem_euclid(HOUR) == 0 { 0 } else { HOUR };
        let last_hour = until.div_euclid(HOUR) * HOUR;
        if by == GroupBy::Conversation || first_hour >= last_hour {
            pieces.extend(requests_piece(&span.key, span.since, span.until));
            continue;
        }
        pieces.extend(requests_piece(&span.key, span.since, at_second(first_hour)));
        pieces.push(serde_json::json!([
            span.key,
            "hours",
            hour_key(at_second(first_hour)),
            hour_key(at_second(last_hour))
        ]));
        pieces.extend(requests_piece(&span.key, at_second(last_hour), span.until));
    }
    serde_json::Value::Array(pieces)
}

pub fn report(
    conn: &mut SqliteConnection,
    by: GroupBy,
    spans: &[Span],
) -> QueryResult<Vec<UsageRow>> {
    diesel::sql_query(sql(by))
        .bind::<Text, _>(pieces(spans, by).to_string())
        .load(conn)
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

    #[test]
    fn whole_hours_come_from_the_rollup_and_only_the_edges_from_requests() {
        // A local day in India: 18:30Z to 18:30Z.
        let india = [span("2026-11-23T18:30:00Z", "2026-11-24T18:30:00Z")];
        assert_eq!(
            pieces(&india, GroupBy::Span).to_string(),
            serde_json::json!([
                [
                    "k",
                    "requests",
                    "2026-11-23T18:30:00.000Z",
                    "2026-11-23T19:00:00.000Z"
                ],
                ["k", "hours", "2026-11-23T19", "2026-11-24T18"],
                [
                    "k",
                    "requests",
                    "2026-11-24T18:00:00.000Z",
                    "2026-11-24T18:30:00.000Z"
                ],
            ])
            .to_string()
        );
        let new_york = [span("2026-11-24T05:00:00Z", "2026-11-25T05:00:00Z")];
        assert_eq!(
            pieces(&new_york, GroupBy::Span).to_string(),
            r#"[["k","hours","2026-11-24T05","2026-11-25T05"]]"#
        );
        assert_eq!(
            pieces(&new_york, GroupBy::Conversation).to_string(),
            r#"[["k","requests","2026-11-24T05:00:00.000Z","2026-11-25T05:00:00.000Z"]]"#
        );
        let within_an_hour = [span("2026-11-24T05:10:00Z", "2026-11-24T05:50:00Z")];
        assert_eq!(
            pieces(&within_an_hour, GroupBy::Model).to_string(),
            r#"[["k","requests","2026-11-24T05:10:00.000Z","2026-11-24T05:50:00.000Z"]]"#
        );
    }
}
