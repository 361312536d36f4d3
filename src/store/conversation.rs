//! Conversations: a title and the times of first and last activity, their summaries for
//! `tm list`, renaming and deleting.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use serde::Serialize;

use super::schema::{conversations, requests};
use super::{ConversationId, MessageId};
use crate::money::Money;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = conversations)]
pub struct Conversation {
    pub id: ConversationId,
    pub title: String,
    pub created_at: String,
    pub updated_at: String,
}

/// One row of `tm list`, totals over the conversation's requests.
#[derive(Debug, Clone, QueryableByName, Serialize)]
pub struct Summary {
    #[diesel(sql_type = Integer)]
    pub id: ConversationId,
    #[diesel(sql_type = Text)]
    pub title: String,
    /// The model of the latest request.
    #[diesel(sql_type = Nullable<Text>)]
    pub model: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub messages: i64,
    #[diesel(sql_type = BigInt)]
    pub prompt_tokens: i64,
    #[diesel(sql_type = BigInt)]
    pub completion_tokens: i64,
    /// The requests whose price was known.
    #[diesel(sql_type = BigInt)]
    pub cost: Money,
    /// Requests with tokens but no price: their cost is unknown, not zero.
    #[diesel(sql_type = BigInt)]
    pub unpriced_requests: i64,
    /// UTC.
    #[diesel(sql_type = Text)]
    pub last_activity: String,
    /// The conversation ends with a question that got no answer.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub last_question_failed: bool,
}

/// The rows of `tm list`, filtered by `filter` (which may use `?1`); `?2` is the limit, -1 for
/// all. Each total is a subquery on one conversation's rows, answered by the per-conversation
/// indexes, so the cost grows with the page, not with the history.
pub fn list_sql(filter: &str) -> String {
    format!(
        "SELECT c.id, c.title, c.updated_at AS last_activity,
                (SELECT r.model FROM requests r WHERE r.conversation_id = c.id ORDER BY r.id DESC LIMIT 1) AS model,
                (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS messages,
                (SELECT coalesce(sum(r.prompt_tokens), 0) FROM requests r WHERE r.conversation_id = c.id) AS prompt_tokens,
                (SELECT coalesce(sum(r.completion_tokens), 0) FROM requests r WHERE r.conversation_id = c.id) AS completion_tokens,
                (SELECT coalesce(sum(r.cost_picodollars), 0) FROM requests r
                    WHERE r.conversation_id = c.id) AS cost,
                (SELECT count(*) FROM requests r WHERE r.conversation_id = c.id
                    AND r.cost_picodollars IS NULL AND r.prompt_tokens IS NOT NULL) AS unpriced_requests,
                coalesce((SELECT m.status = 'failed' FROM messages m WHERE m.conversation_id = c.id
                          ORDER BY m.id DESC LIMIT 1), false) AS last_question_failed
         FROM conversations c
         WHERE {filter}
         ORDER BY c.updated_at DESC, c.id DESC
         LIMIT ?2"
    )
}

/// Every conversation.
pub const NO_FILTER: &str = "?1 IS NULL";

/// `?1` is an FTS5 query. The conversations of the messages that match, found from the
/// matches: right when matches are few, since each costs a lookup.
pub const FEW_MATCHES: &str =
    "c.id IN (SELECT rowid FROM conversations_search WHERE conversations_search MATCH ?1)
    OR c.id IN (SELECT m.conversation_id FROM messages_search s JOIN messages m ON m.id = s.rowid
                WHERE messages_search MATCH ?1)";

/// The same conversations, found by walking them newest first and asking the index once per
/// conversation for a match between its first and last message id (one seek, whatever the
/// number of its messages), each match checked to be the conversation's own, since other
/// conversations' messages can fall in between: right when matches are many, since the page
/// then fills after a few conversations. CROSS JOIN keeps the index as the outer loop; left
/// to itself, the planner asks the index once per message instead, 50 times slower.
pub const MANY_MATCHES: &str =
    "c.id IN (SELECT rowid FROM conversations_search WHERE conversations_search MATCH ?1)
    OR EXISTS (SELECT 1 FROM messages_search s CROSS JOIN messages m ON m.id = s.rowid
               WHERE messages_search MATCH ?1
                 AND s.rowid >= (SELECT min(id) FROM messages WHERE conversation_id = c.id)
                 AND s.rowid <= (SELECT max(id) FROM messages WHERE conversation_id = c.id)
                 AND m.conversation_id = c.id)";

/// Up to this many matching messages, the matches lead (about 0.6 µs each to map to their
/// conversation); from here on, the walk does (about 0.1 ms a conversation, and at this
/// many matches few conversations are walked before the page is full).
pub const MANY: i64 = 50_000;

/// How many conversations `list_summaries` returns.
#[derive(Debug, Clone, Copy)]
pub enum Limit {
    All,
    Newest(i64),
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

impl Conversation {
    pub fn create(conn: &mut SqliteConnection, title: &str, now: &str) -> QueryResult<Self> {
        diesel::insert_into(conversations::table)
            .values((
                conversations::uuid.eq(super::new_uuid()),
                conversations::title.eq(title),
                conversations::created_at.eq(now),
                conversations::updated_at.eq(now),
            ))
            .returning(Self::as_returning())
            .get_result(conn)
    }

    pub fn find(conn: &mut SqliteConnection, id: ConversationId) -> QueryResult<Option<Self>> {
        conversations::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    pub fn most_recent(conn: &mut SqliteConnection) -> QueryResult<Option<Self>> {
        conversations::table
            .order((conversations::updated_at.desc(), conversations::id.desc()))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The model of the conversation's last request that the server answered: what a
    /// continued conversation goes on with. A failed request (a mistyped model, say) is
    /// passed over.
    pub fn last_model(
        conn: &mut SqliteConnection,
        id: ConversationId,
    ) -> QueryResult<Option<String>> {
        requests::table
            .filter(requests::conversation_id.eq(id))
            .filter(requests::outcome.ne(super::request::Outcome::Failed))
            .order(requests::id.desc())
            .select(requests::model)
            .first(conn)
            .optional()
    }

    pub fn touch(conn: &mut SqliteConnection, id: ConversationId, now: &str) -> QueryResult<()> {
        diesel::update(conversations::table.find(id))
            .set(conversations::updated_at.eq(now))
            .execute(conn)
            .map(drop)
    }

    /// True when the conversation existed.
    pub fn rename(
        conn: &mut SqliteConnection,
        id: ConversationId,
        title: &str,
    ) -> QueryResult<bool> {
        diesel::update(conversations::table.find(id))
            .set(conversations::title.eq(title))
            .execute(conn)
            .map(|n| n > 0)
    }

    /// Deletes the conversations with their messages and request records, or, with
    /// `keep_usage`, keeps the request records detached from any conversation. All or nothing:
    /// an unknown id deletes nothing and is returned.
    pub fn delete(
        conn: &mut SqliteConnection,
        ids: &[ConversationId],
        keep_usage: bool,
    ) -> QueryResult<Result<(), ConversationId>> {
        for &id in ids {
            if Self::find(conn, id)?.is_none() {
                return Ok(Err(id));
            }
        }
        if keep_usage {
            diesel::update(requests::table.filter(requests::conversation_id.eq_any(ids)))
                .set((
                    requests::conversation_id.eq(None::<ConversationId>),
                    requests::question_id.eq(None::<MessageId>),
                    requests::answer_id.eq(None::<MessageId>),
                ))
                .execute(conn)?;
        }
        diesel::delete(conversations::table.filter(conversations::id.eq_any(ids))).execute(conn)?;
        super::attachment::remove_orphan_blobs(conn)?;
        Ok(Ok(()))
    }

    /// Newest first. `search` is an FTS5 query from `search::query`.
    pub fn list_summaries(
        conn: &mut SqliteConnection,
        limit: Limit,
        search: Option<&str>,
    ) -> QueryResult<Vec<Summary>> {
        let limit = match limit {
            Limit::All => -1,
            Limit::Newest(n) => n,
        };
        let filter = match search {
            None => NO_FILTER,
            Some(query) => {
                let matches = diesel::sql_query(
                    "SELECT count(*) AS n FROM
                        (SELECT 1 FROM messages_search WHERE messages_search MATCH ?1 LIMIT ?2)",
                )
                .bind::<Text, _>(query)
                .bind::<BigInt, _>(MANY)
                .get_result::<Count>(conn)?;
                if matches.n < MANY {
                    FEW_MATCHES
                } else {
                    MANY_MATCHES
                }
            }
        };
        diesel::sql_query(list_sql(filter))
            .bind::<Nullable<Text>, _>(search)
            .bind::<BigInt, _>(limit)
            .load(conn)
    }
}
