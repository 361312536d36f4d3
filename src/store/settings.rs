//! Stored settings: plain key/value rows, validated before they are written.

use std::collections::BTreeMap;

use diesel::prelude::*;

use super::schema::settings;

pub fn all(conn: &mut SqliteConnection) -> QueryResult<BTreeMap<String, String>> {
    settings::table
        .select((settings::key, settings::value))
        .load::<(String, String)>(conn)
        .map(|rows| rows.into_iter().collect())
}

pub fn put(conn: &mut SqliteConnection, key: &str, value: &str) -> QueryResult<()> {
    diesel::insert_into(settings::table)
        .values((settings::key.eq(key), settings::value.eq(value)))
        .on_conflict(settings::key)
        .do_update()
        .set(settings::value.eq(value))
        .execute(conn)
        .map(drop)
}

/// True when there was a row to delete.
pub fn remove(conn: &mut SqliteConnection, key: &str) -> QueryResult<bool> {
    diesel::delete(settings::table.find(key))
        .execute(conn)
        .map(|n| n > 0)
}

/// The secret behind each conversation's prompt cache key. Kept with the settings but not
/// one of them: `tm config` neither lists nor sets it.
const CACHE_SALT: &str = "_cache-salt";

/// This database's cache secret, made by `fresh` the first time it is asked for; `None` when
/// there is none and `fresh` could make none.
pub fn cache_salt(
    conn: &mut SqliteConnection,
    fresh: impl FnOnce() -> Option<String>,
) -> QueryResult<Option<String>> {
    let stored = settings::table
        .find(CACHE_SALT)
        .select(settings::value)
        .first(conn)
        .optional()?;
    if stored.is_some() {
        return Ok(stored);
    }
    let Some(fresh) = fresh() else {
        return Ok(None);
    };
    put(conn, CACHE_SALT, &fresh)?;
    Ok(Some(fresh))
}
