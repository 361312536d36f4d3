//! Messages of a conversation: questions and answers, with their state and token counts.

use diesel::prelude::*;
use serde::Serialize;

use super::schema::messages;
use super::{ConversationId, MessageId};

stored_words! {
    pub enum Role in "messages.role" {
        User => "user",
        Assistant => "assistant",
    }
}

stored_words! {
    /// A question is `Pending` while its request runs, then `Answered` or `Failed`; an answer is
    /// `Complete` or `Interrupted` (cut off by Ctrl-C or a dropped connection, but kept and sent).
    pub enum Status in "messages.status" {
        Pending => "pending",
        Answered => "answered",
        Failed => "failed",
        Complete => "complete",
        Interrupted => "interrupted",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = messages)]
pub struct Message {
    pub id: MessageId,
    pub role: Role,
    pub content: String,
    pub status: Status,
    pub content_tokens: Option<i32>,
    pub token_encoding: Option<String>,
    /// UTC.
    pub created_at: String,
}

/// What choosing the messages a question goes out with needs of each stored one: not its
/// content, which may be megabytes.
#[derive(Debug, Clone, Copy, Queryable, Selectable)]
#[diesel(table_name = messages)]
pub struct Outline {
    pub id: MessageId,
    pub role: Role,
    pub status: Status,
}

impl Outline {
    /// Whether the message goes out again with later questions: everything but
    /// questions that never got an answer.
    pub fn sendable(&self) -> bool {
        matches!(
            self.status,
            Status::Answered | Status::Complete | Status::Interrupted
        )
    }
}

impl Message {
    /// A conversation's messages in order, without their content.
    pub fn outline(
        conn: &mut SqliteConnection,
        conversation_id: ConversationId,
    ) -> QueryResult<Vec<Outline>> {
        Self::history_query(conversation_id)
            .select(Outline::as_select())
            .load(conn)
    }

    /// A conversation's messages from `first` on, in order: the recent end of a long history
    /// without reading the rest.
    pub fn history_from(
        conn: &mut SqliteConnection,
        conversation_id: ConversationId,
        first: MessageId,
    ) -> QueryResult<Vec<Self>> {
        Self::history_query(conversation_id)
            .filter(messages::id.ge(first))
            .select(Self::as_select())
            .load(conn)
    }

    /// A conversation's messages in order, through the per-conversation index.
    #[diesel::dsl::auto_type(no_type_alias)]
    pub fn history_query(conversation_id: ConversationId) -> _ {
        messages::table
            .filter(messages::conversation_id.eq(conversation_id))
            .order(messages::id.asc())
    }

    pub fn history(
        conn: &mut SqliteConnection,
        conversation_id: ConversationId,
    ) -> QueryResult<Vec<Self>> {
        Self::history_query(conversation_id)
            .select(Self::as_select())
            .load(conn)
    }

    pub fn insert(
        conn: &mut SqliteConnection,
        conversation_id: ConversationId,
        role: Role,
        content: &str,
        status: Status,
        now: &str,
    ) -> QueryResult<MessageId> {
        // Only the id comes back: an answer may be megabytes, and returning the row would
        // copy all of it twice more. The UUID is made here, not by the fallback trigger,
        // which would rewrite the whole row to add it.
        diesel::insert_into(messages::table)
            .values((
                messages::uuid.eq(super::new_uuid()),
                messages::conversation_id.eq(conversation_id),
                messages::role.eq(role),
                messages::content.eq(content),
                messages::status.eq(status),
                messages::created_at.eq(now),
            ))
            .returning(messages::id)
            .get_result(conn)
    }

    pub fn find(conn: &mut SqliteConnection, id: MessageId) -> QueryResult<Self> {
        messages::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
    }

    pub fn set_content(
        conn: &mut SqliteConnection,
        id: MessageId,
        content: &str,
    ) -> QueryResult<()> {
        diesel::update(messages::table.find(id))
            .set(messages::content.eq(content))
            .execute(conn)
            .map(drop)
    }

    pub fn set_status(
        conn: &mut SqliteConnection,
        id: MessageId,
        status: Status,
    ) -> QueryResult<()> {
        diesel::update(messages::table.find(id))
            .set(messages::status.eq(status))
            .execute(conn)
            .map(drop)
    }

    pub fn set_tokens(
        conn: &mut SqliteConnection,
        id: MessageId,
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
