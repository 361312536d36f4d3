//! Messages of a conversation: questions and answers, with their state and token counts.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::{Sqlite, SqliteValue};
use serde::Serialize;

use super::schema::messages;

#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Assistant => "assistant",
        }
    }
}

impl FromSql<Text, Sqlite> for Role {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let all = [Self::User, Self::Assistant];
        super::stored_enum(value, &all, Self::as_str, "messages.role")
    }
}

/// A question is `Pending` while its request runs, then `Answered` or `Failed`; an answer is
/// `Complete` or `Interrupted` (cut off by Ctrl-C or a dropped connection, but kept and sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Answered,
    Failed,
    Complete,
    Interrupted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Answered => "answered",
            Self::Failed => "failed",
            Self::Complete => "complete",
            Self::Interrupted => "interrupted",
        }
    }
}

impl FromSql<Text, Sqlite> for Status {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let all = [
            Self::Pending,
            Self::Answered,
            Self::Failed,
            Self::Complete,
            Self::Interrupted,
        ];
        super::stored_enum(value, &all, Self::as_str, "messages.status")
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = messages)]
pub struct Message {
    pub id: i32,
    pub role: Role,
    pub content: String,
    pub status: Status,
    pub content_tokens: Option<i32>,
    pub token_encoding: Option<String>,
    /// UTC.
    pub created_at: String,
}

impl Message {
    /// Whether the message goes out again with later questions: everything but
    /// questions that never got an answer.
    pub fn sendable(&self) -> bool {
        matches!(
            self.status,
            Status::Answered | Status::Complete | Status::Interrupted
        )
    }

    /// A conversation's messages in order, through the per-conversation index.
    #[diesel::dsl::auto_type(no_type_alias)]
    pub fn history_query(conversation_id: i32) -> _ {
        messages::table
            .filter(messages::conversation_id.eq(conversation_id))
            .order(messages::id.asc())
    }

    pub fn history(conn: &mut SqliteConnection, conversation_id: i32) -> QueryResult<Vec<Self>> {
        Self::history_query(conversation_id)
            .select(Self::as_select())
            .load(conn)
    }

    pub fn insert(
        conn: &mut SqliteConnection,
        conversation_id: i32,
        role: Role,
        content: &str,
        status: Status,
        now: &str,
    ) -> QueryResult<Self> {
        diesel::insert_into(messages::table)
            .values((
                messages::conversation_id.eq(conversation_id),
                messages::role.eq(role.as_str()),
                messages::content.eq(content),
                messages::status.eq(status.as_str()),
                messages::created_at.eq(now),
            ))
            .returning(Self::as_returning())
            .get_result(conn)
    }

    pub fn find(conn: &mut SqliteConnection, id: i32) -> QueryResult<Self> {
        messages::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
    }

    pub fn set_content(conn: &mut SqliteConnection, id: i32, content: &str) -> QueryResult<()> {
        diesel::update(messages::table.find(id))
            .set(messages::content.eq(content))
            .execute(conn)
            .map(drop)
    }

    pub fn set_status(conn: &mut SqliteConnection, id: i32, status: Status) -> QueryResult<()> {
        diesel::update(messages::table.find(id))
            .set(messages::status.eq(status.as_str()))
            .execute(conn)
            .map(drop)
    }

    pub fn set_tokens(
        conn: &mut SqliteConnection,
        id: i32,
        tokens: i32,
        encoding: &str,
    ) -> QueryResult<()> {
        diesel::update(messages::table.find(id))
            .set((
                messages::content_tokens.eq(tokens),
                messages::token_encoding.eq(encoding),
            ))
            .execute(conn)
            .map(drop)
    }
}
