//! Saved roles: a named system prompt with an optional model.

use diesel::prelude::*;
use serde::Serialize;

use super::schema::roles;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = roles)]
pub struct Role {
    pub name: String,
    pub system: String,
    pub model: Option<String>,
}

/// Saves a role, replacing one of the same name.
pub fn put(conn: &mut SqliteConnection, role: &Role) -> QueryResult<()> {
    diesel::replace_into(roles::table)
        .values(role)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut SqliteConnection, name: &str) -> QueryResult<Option<Role>> {
    roles::table
        .find(name)
        .select(Role::as_select())
        .first(conn)
        .optional()
}

pub fn all(conn: &mut SqliteConnection) -> QueryResult<Vec<Role>> {
    roles::table
        .order(roles::name.asc())
        .select(Role::as_select())
        .load(conn)
}

/// Whether there was such a role to remove.
pub fn remove(conn: &mut SqliteConnection, name: &str) -> QueryResult<bool> {
    diesel::delete(roles::table.find(name))
        .execute(conn)
        .map(|n| n > 0)
}
