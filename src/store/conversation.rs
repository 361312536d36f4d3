//! Conversations: a title and the times of first and last activity.

use diesel::prelude::*;

use super::schema::conversations;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = conversations)]
pub struct Conversation {
    pub id: i32,
    pub title: String,
}

impl Conversation {
    pub fn create(conn: &mut SqliteConnection, title: &str, now: &str) -> QueryResult<Self> {
        diesel::insert_into(conversations::table)
            .values((
                conversations::title.eq(title),
                conversations::created_at.eq(now),
                conversations::updated_at.eq(now),
            ))
            .returning(Self::as_returning())
            .get_result(conn)
    }

    pub fn find(conn: &mut SqliteConnection, id: i32) -> QueryResult<Option<Self>> {
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

    pub fn touch(conn: &mut SqliteConnection, id: i32, now: &str) -> QueryResult<()> {
        diesel::update(conversations::table.find(id))
            .set(conversations::updated_at.eq(now))
            .execute(conn)
            .map(drop)
    }
}
