//! `tm usage`: request records grouped in SQL by local day, week or month, by model or by
//! conversation, over a range of `started_at` that the index answers. Plain rows, no formatting.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, Text};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Day,
    Week,
    Month,
    Model,
    Conversation,
}

#[derive(Debug, Clone, QueryableByName, Serialize)]
pub struct UsageRow {
    /// The day (`2026-11-24`), ISO week (`2026-W48`), month (`2026-11`), model name, or
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

/// The SQL of one report; `?1`/`?2` are the UTC bounds `[since, until)`.
pub fn sql(by: GroupBy) -> String {
    // Stored times are UTC; 'localtime' makes SQLite group by the user's own days.
    let (key, order) = match by {
        GroupBy::Day => ("date(r.started_at, 'localtime')", "key"),
        GroupBy::Week => ("strftime('%G-W%V', r.started_at, 'localtime')", "key"),
        GroupBy::Month => ("strftime('%Y-%m', r.started_at, 'localtime')", "key"),
        GroupBy::Model => ("r.model", "cost DESC, key"),
        GroupBy::Conversation => (
            "CASE WHEN r.conversation_id IS NULL THEN 'deleted' ELSE r.conversation_id || ' ' || c.title END",
            "cost DESC, key",
        ),
    };
    format!(
        "SELECT {key} AS key,
                count(*) AS requests,
                coalesce(sum(r.prompt_tokens), 0) AS prompt_tokens,
                coalesce(sum(r.cached_tokens), 0) AS cached_tokens,
                coalesce(sum(r.completion_tokens), 0) AS completion_tokens,
                coalesce(sum(r.reasoning_tokens), 0) AS reasoning_tokens,
                coalesce(sum(r.images), 0) AS images,
                coalesce(sum(r.cost), 0.0) AS cost,
                count(*) FILTER (WHERE r.cost IS NULL AND (r.prompt_tokens IS NOT NULL OR r.images > 0)) AS unpriced_requests
         FROM requests r LEFT JOIN conversations c ON c.id = r.conversation_id
         WHERE r.started_at >= ?1 AND r.started_at < ?2
         GROUP BY 1
         ORDER BY {order}"
    )
}

pub fn report(
    conn: &mut SqliteConnection,
    by: GroupBy,
    since: &str,
    until: &str,
) -> QueryResult<Vec<UsageRow>> {
    diesel::sql_query(sql(by))
        .bind::<Text, _>(since)
        .bind::<Text, _>(until)
        .load(conn)
}

#[derive(QueryableByName)]
struct Cost {
    #[diesel(sql_type = Nullable<Double>)]
    cost: Option<f64>,
}

/// USD spent in `[since, until)`, for the subscription comparison.
pub fn cost_between(conn: &mut SqliteConnection, since: &str, until: &str) -> QueryResult<f64> {
    diesel::sql_query(
        "SELECT sum(cost) AS cost FROM requests WHERE started_at >= ?1 AND started_at < ?2",
    )
    .bind::<Text, _>(since)
    .bind::<Text, _>(until)
    .get_result::<Cost>(conn)
    .map(|row| row.cost.unwrap_or(0.0))
}
