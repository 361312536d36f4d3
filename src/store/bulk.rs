//! Writing many rows at once (an import). Some insert triggers do per row what one statement
//! does far faster for all the new rows together: each trigger-indexed insert is a statement
//! with its own savepoint, at which FTS5 writes what it holds as a new segment (merging
//! 200,000 one-message segments took half of a 10,000-conversation import), and each request
//! updated six `usage_totals` rows one at a time (two seconds of the same import). Those
//! triggers are dropped for the bulk write, their work is done once at its end for the rows
//! it added, and they are made again from their own SQL, all inside the caller's
//! transaction: no other connection ever sees them missing, and a failed or killed import
//! leaves them as they were.

use diesel::connection::SimpleConnection as _;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

/// An insert trigger on `table` whose work `catch_up` does for every row of `table` with an
/// id above `?`.
struct Deferred {
    trigger: &'static str,
    table: &'static str,
    catch_up: &'static str,
}

const DEFERRED: [Deferred; 3] = [
    Deferred {
        trigger: "messages_search_insert",
        table: "messages",
        catch_up: "INSERT INTO messages_search (rowid, content)
                   SELECT id, tm_search_text(content) FROM messages WHERE id > ?",
    },
    Deferred {
        trigger: "conversations_search_insert",
        table: "conversations",
        catch_up: "INSERT INTO conversations_search (rowid, title)
                   SELECT id, tm_search_text(title) FROM conversations WHERE id > ?",
    },
    // What usage_totals_insert adds for one request (its migration has the rules: three
    // levels of span, its model and all models), summed over the new requests: first by
    // quarter hour and model, which leaves far fewer rows to sum into the larger spans.
    Deferred {
        trigger: "usage_totals_insert",
        table: "requests",
        catch_up: "WITH quarters AS (
                       SELECT substr(started_at, 1, 14)
                                  || printf('%02d', substr(started_at, 15, 2) / 15 * 15) AS quarter,
                              model, count(*) AS requests,
                              sum(coalesce(prompt_tokens, 0)) AS prompt_tokens,
                              sum(coalesce(cached_tokens, 0)) AS cached_tokens,
                              sum(coalesce(completion_tokens, 0)) AS completion_tokens,
                              sum(coalesce(reasoning_tokens, 0)) AS reasoning_tokens,
                              sum(images) AS images,
                              sum(coalesce(cost_picodollars, 0)) AS cost_picodollars,
                              sum(cost_picodollars IS NULL
                                  AND (prompt_tokens IS NOT NULL OR images > 0)) AS unpriced,
                              sum(outcome = 'failed') AS failed,
                              sum(coalesce(cache_write_tokens, 0)) AS cache_write_tokens
                       FROM requests WHERE id > ? GROUP BY 1, 2
                   )
                   INSERT INTO usage_totals
                   SELECT levels.level, substr(q.quarter, 1, levels.length) AS span,
                          CASE WHEN models.every THEN '' ELSE q.model END AS model,
                          sum(q.requests), sum(q.prompt_tokens), sum(q.cached_tokens),
                          sum(q.completion_tokens), sum(q.reasoning_tokens), sum(q.images),
                          sum(q.cost_picodollars), sum(q.unpriced), sum(q.failed),
                          sum(q.cache_write_tokens)
                   FROM quarters q
                        CROSS JOIN (SELECT 0 AS level, 10 AS length UNION ALL SELECT 1, 13
                                    UNION ALL SELECT 2, 16) AS levels
                        CROSS JOIN (SELECT false AS every UNION ALL SELECT true) AS models
                   WHERE true
                   GROUP BY 1, 2, 3
                   ON CONFLICT (level, model, span) DO UPDATE SET
                       requests = requests + excluded.requests,
                       prompt_tokens = prompt_tokens + excluded.prompt_tokens,
                       cached_tokens = cached_tokens + excluded.cached_tokens,
                       completion_tokens = completion_tokens + excluded.completion_tokens,
                       reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
                       images = images + excluded.images,
                       cost_picodollars = cost_picodollars + excluded.cost_picodollars,
                       unpriced_requests = unpriced_requests + excluded.unpriced_requests,
                       failed_requests = failed_requests + excluded.failed_requests,
                       cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens",
    },
];

/// The triggers of `DEFERRED` set aside, inside the caller's transaction, while it adds many
/// rows; `finish` does their work for what was added and makes them again. A transaction
/// that ends without `finish` rolls back and brings them back with everything else.
pub struct Bulk {
    set_aside: Vec<(&'static Deferred, Option<String>, i64)>,
}

impl Bulk {
    pub fn begin(conn: &mut SqliteConnection) -> QueryResult<Self> {
        #[derive(QueryableByName)]
        struct Sql {
            #[diesel(sql_type = Text)]
            sql: String,
        }
        #[derive(QueryableByName)]
        struct Last {
            #[diesel(sql_type = BigInt)]
            id: i64,
        }
        let mut set_aside = Vec::with_capacity(DEFERRED.len());
        for deferred in &DEFERRED {
            let trigger: Option<Sql> = diesel::sql_query(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
            )
            .bind::<Text, _>(deferred.trigger)
            .get_result(conn)
            .optional()?;
            let last: Last = diesel::sql_query(format!(
                "SELECT coalesce(max(id), 0) AS id FROM {}",
                deferred.table
            ))
            .get_result(conn)?;
            if trigger.is_some() {
                conn.batch_execute(&format!("DROP TRIGGER {}", deferred.trigger))?;
            }
            set_aside.push((deferred, trigger.map(|t| t.sql), last.id));
        }
        Ok(Self { set_aside })
    }

    pub fn finish(self, conn: &mut SqliteConnection) -> QueryResult<()> {
        for (deferred, trigger, last) in self.set_aside {
            diesel::sql_query(deferred.catch_up)
                .bind::<BigInt, _>(last)
                .execute(conn)?;
            if let Some(sql) = trigger {
                conn.batch_execute(&sql)?;
            }
        }
        Ok(())
    }
}
