//! The history database: the one place a connection is opened, and where every table's rows
//! and queries live (one file per table).
//!
//! Opening never modifies a file that is not ours: the SQLite header and `application_id` are
//! checked, and so is the migration list, before WAL or any migration is written.

/// An enum stored as one of a few words: defined, read and written as the enum, and in JSON
/// as the same word. A stored word that is none of them is an error naming the column and
/// the word.
macro_rules! stored_words {
    ($(#[$doc:meta])* pub enum $name:ident in $column:literal { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            diesel::expression::AsExpression,
            diesel::deserialize::FromSqlRow,
            serde::Serialize,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $word),+
                }
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::sqlite::Sqlite>
            for $name
        {
            fn from_sql(
                value: diesel::sqlite::SqliteValue<'_, '_, '_>,
            ) -> diesel::deserialize::Result<Self> {
                super::stored_enum(value, &[$(Self::$variant),+], Self::as_str, $column)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                out.set_value(self.as_str());
                Ok(diesel::serialize::IsNull::No)
            }
        }
    };
}

pub mod attachment;
pub mod bulk;
mod conversation;
mod id;
pub mod image;
mod message;
pub mod request;
pub mod role;
pub mod schema;
pub mod search;
pub mod settings;
pub mod transfer;
pub mod usage;

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use diesel::connection::SimpleConnection as _;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness as _, embed_migrations};

pub use conversation::{Conversation, Limit, Summary};
pub use id::{ConversationId, ImageId, MessageId, RequestId};
pub use message::{Message, Outline, Role, Status};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");
/// "TkMt", written by the first migration.
const APPLICATION_ID: i32 = 0x546B_4D74;
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
/// How long tm waits for another process's lock on the database.
const BUSY_WAIT: Duration = Duration::from_secs(10);

pub struct Store {
    conn: SqliteConnection,
    path: PathBuf,
    /// Opened read-only: the file, its folder or its disk cannot be written.
    read_only: bool,
}

impl Store {
    pub fn open(path: &Path, create_parent: bool) -> Result<Self> {
        let shown = path.display();
        let found = fs::metadata(path).ok();
        if found.as_ref().is_some_and(fs::Metadata::is_dir) {
            bail!("{shown} is a directory; the database must be a file (pass another --db)");
        }
        // A device, a pipe or a socket (or a link to one): SQLite would write its journal
        // beside it, in /dev say, before finding it unusable.
        if found.as_ref().is_some_and(|m| !m.is_file()) {
            bail!(
                "{shown} is not a regular file (a device, a pipe or a socket); the database must be a file (pass another --db)"
            );
        }
        // Before anything is created: a refused path leaves no file behind.
        let url = path.to_str().ok_or_else(|| {
            anyhow!("{shown}: the database path must be valid UTF-8 (pass another --db)")
        })?;
        let existing = found.is_some_and(|m| m.len() > 0);
        if existing {
            check_header(path)?;
        } else {
            create_owner_only(path, create_parent)?;
        }
        // A file this process cannot write (a read-only file or mount) is opened read-only:
        // what reads it still works, and a write says why it cannot.
        let read_only = existing && fs::OpenOptions::new().write(true).open(path).is_err();
        let mut conn = if read_only {
            let mut wal = path.as_os_str().to_owned();
            wal.push("-wal");
            match connect(&read_only_uri(url, false), path, existing) {
                Err(_) if !Path::new(&wal).exists() => {
                    connect(&read_only_uri(url, true), path, existing)?
                }
                connection => connection?,
            }
        } else {
            connect(url, path, existing)?
        };
        let pending = conn
            .has_pending_migration(MIGRATIONS)
            .map_err(|e| anyhow!("could not read the schema version of {shown}: {e}"))?;
        if read_only {
            if pending {
                bail!(
                    "{shown} needs an upgrade to this tm's schema, and it is read-only here; open it once where it can be written"
                );
            }
            return Ok(Self {
                conn,
                path: path.to_owned(),
                read_only,
            });
        }
        use_wal(&mut conn).with_context(|| format!("could not open the database {shown}"))?;
        if pending {
            // Two tm processes on a new file: the second waits here, then finds nothing to do.
            conn.immediate_transaction(|conn| {
                conn.run_pending_migrations(MIGRATIONS)
                    .map(|_| ())
                    .map_err(diesel::result::Error::QueryBuilderError)
            })
            .with_context(|| format!("could not create or upgrade the database {shown}"))?;
        }
        // After the migrations: the pragma is a no-op inside their transactions.
        conn.batch_execute("PRAGMA foreign_keys = ON;")?;
        let mut store = Self {
            conn,
            path: path.to_owned(),
            read_only,
        };
        store.settle_orphans();
        Ok(store)
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction, so a write never dies half-way on a lock.
    pub fn write<T>(
        &mut self,
        work: impl FnOnce(&mut SqliteConnection) -> QueryResult<T>,
    ) -> Result<T> {
        let path = &self.path;
        let read_only = || {
            anyhow!(
                "the database {} is read-only here (the file, its folder or the disk it is on); tm can show it but not change it",
                path.display()
            )
        };
        if self.read_only {
            return Err(read_only());
        }
        // A full disk fails the write, SQLite rolls it back itself, and diesel's own
        // rollback then fails with "no transaction is active", which hides the cause: the
        // cause is noted as it passes.
        let full = std::cell::Cell::new(false);
        let result = self.conn.immediate_transaction(|conn| {
            work(conn).inspect_err(|error| full.set(full.get() || is_full(error)))
        });
        result.map_err(|error| match &error {
            _ if full.get() || is_full(&error) => anyhow!(
                "the disk holding the database {} is full; free some space (what was saved before is kept)",
                path.display()
            ),
            // SQLite also finds out late, when a -wal or -shm file it cannot write is in the way.
            diesel::result::Error::DatabaseError(_, info) if info.message().contains("readonly") => {
                read_only()
            }
            _ => anyhow!(error).context(format!("could not write to the database {}", path.display())),
        })
    }

    /// Nothing shows or counts a pending request that no process owns: a killed tm's are
    /// finished here, by whichever tm opens the file next. On a file this process cannot
    /// write (read-only, say) they wait for one that can.
    fn settle_orphans(&mut self) {
        if self.read(request::any_orphans).unwrap_or(false) {
            drop(self.write(request::settle_orphans));
        }
    }

    /// The conversation a command continues: `id` when one is given, else the most recent
    /// one when `most_recent`, else none (a new one). An error names what is missing.
    pub fn conversation_to_continue(
        &mut self,
        id: Option<ConversationId>,
        most_recent: bool,
    ) -> Result<Option<Conversation>> {
        if let Some(id) = id {
            let found = self.read(|conn| Conversation::find(conn, id))?;
            return found
                .map(Some)
                .ok_or_else(|| anyhow!("there is no conversation {id}; `tm list` shows the ids"));
        }
        if most_recent {
            let found = self.read(Conversation::most_recent)?;
            return found.map(Some).ok_or_else(|| {
                anyhow!(
                    "there is no conversation to continue yet; start one with `tm ask` or `tm chat`"
                )
            });
        }
        Ok(None)
    }

    /// The saved role `name` names, when it names one; an error says which roles there are.
    pub fn role(&mut self, name: Option<&str>) -> Result<Option<role::Role>> {
        let Some(name) = name else { return Ok(None) };
        self.read(|conn| role::find(conn, name))?
            .map(Some)
            .ok_or_else(|| {
                crate::error::usage(format!(
                    "there is no role '{name}'; `tm role list` shows the roles, `tm role set {name} …` saves one"
                ))
            })
    }

    /// The model a continued conversation goes on with, when it has one.
    pub fn continued_model(
        &mut self,
        conversation: Option<&Conversation>,
    ) -> Result<Option<String>> {
        match conversation {
            Some(c) => self.read(|conn| Conversation::last_model(conn, c.id)),
            None => Ok(None),
        }
    }

    /// Gives this connection a page cache large enough that one transaction adding a whole
    /// history (an import) keeps its pages in memory instead of spilling them to the WAL
    /// again and again: 256 MB at most, taken only as it is used. Statement journals (each
    /// insert with a trigger keeps one, to undo itself alone) stay in memory too, instead of
    /// millions of small writes to a temporary file.
    pub fn for_bulk_writes(&mut self) -> Result<()> {
        self.conn
            .batch_execute("PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;")
            .context("could not prepare the connection for a bulk write")
    }

    pub fn read<T>(
        &mut self,
        work: impl FnOnce(&mut SqliteConnection) -> QueryResult<T>,
    ) -> Result<T> {
        let path = &self.path;
        work(&mut self.conn)
            .with_context(|| format!("could not read the database {}", path.display()))
    }
}

/// SQLite's "database or disk is full", also as the commit's error under a failed rollback.
fn is_full(error: &diesel::result::Error) -> bool {
    match error {
        diesel::result::Error::DatabaseError(_, info) => info.message().contains("is full"),
        diesel::result::Error::RollbackErrorOnCommit { commit_error, .. } => is_full(commit_error),
        _ => false,
    }
}

/// A connection to `url` that has judged the file: busy timeout first, then whether it is
/// tm's and of a schema this tm knows, before WAL is written into its header (order matters,
/// diesel's SqliteConnection docs say).
fn connect(url: &str, path: &Path, existing: bool) -> Result<SqliteConnection> {
    let mut conn = SqliteConnection::establish(url)
        .with_context(|| format!("could not open the database {}", path.display()))?;
    conn.batch_execute(&format!("PRAGMA busy_timeout = {};", BUSY_WAIT.as_millis()))?;
    search::register(&mut conn)?;
    if existing {
        refuse_foreign(&mut conn, path)?;
        refuse_newer(&mut conn, path)?;
    }
    Ok(conn)
}

/// Another program's SQLite file (an import's source), opened so that nothing can change it:
/// read-only and immutable, with no lock, journal or -shm beside it.
pub fn open_foreign(path: &Path) -> Result<SqliteConnection> {
    let shown = path.display();
    let url = path
        .to_str()
        .with_context(|| format!("{shown}: the path must be valid UTF-8"))?;
    let mut conn = SqliteConnection::establish(&read_only_uri(url, true))
        .with_context(|| format!("could not open {shown}"))?;
    diesel::sql_query("SELECT count(*) FROM sqlite_master")
        .execute(&mut conn)
        .with_context(|| format!("{shown} is not an SQLite database"))?;
    Ok(conn)
}

/// The same file as an SQLite URI opened read-only. Where SQLite cannot make its -wal and
/// -shm files either (a read-only mount), it reads a WAL database only as `immutable`, which
/// is tried second, and only with no -wal file beside it: nothing there can change the
/// file, and every change tm made is in it (tm folds the WAL in whenever it closes).
fn read_only_uri(url: &str, immutable: bool) -> String {
    let escaped = url
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23");
    let immutable = if immutable { "&immutable=1" } else { "" };
    format!("file:{escaped}?mode=ro{immutable}")
}

/// WAL mode is kept in the file, so this changes only a new one. The change needs the file
/// to itself, and SQLite does not wait for that as it waits for a write lock: when another tm
/// is creating the same file at this moment, the change is tried again until BUSY_WAIT.
fn use_wal(conn: &mut SqliteConnection) -> QueryResult<()> {
    let started = Instant::now();
    loop {
        match conn.batch_execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;") {
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("locked") && started.elapsed() < BUSY_WAIT =>
            {
                std::thread::sleep(Duration::from_millis(2));
            }
            result => return result,
        }
    }
}

fn check_header(path: &Path) -> Result<()> {
    let mut header = [0u8; 16];
    let mut file = fs::File::open(path)
        .with_context(|| format!("could not open the database {}", path.display()))?;
    let read = file.read(&mut header).unwrap_or(0);
    if read < SQLITE_MAGIC.len() || header != SQLITE_MAGIC {
        bail!(not_ours(path, "it is not an SQLite database"));
    }
    Ok(())
}

fn not_ours(path: &Path, why: &str) -> String {
    format!(
        "{} is not a tm database ({why}); tm left it untouched. Pass another --db or TM_DB",
        path.display()
    )
}

fn create_owner_only(path: &Path, create_parent: bool) -> Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        if !create_parent {
            bail!(
                "the folder {} does not exist; create it or pass another --db",
                parent.display()
            );
        }
        crate::paths::create_private_dir(parent)?;
    }
    // History is private: the file is the owner's alone from its first byte.
    crate::paths::private_file()
        .truncate(false)
        .open(path)
        .with_context(|| format!("could not create the database {}", path.display()))?;
    Ok(())
}

fn refuse_foreign(conn: &mut SqliteConnection, path: &Path) -> Result<()> {
    #[derive(QueryableByName)]
    struct Owner {
        #[diesel(sql_type = Integer)]
        application_id: i32,
        #[diesel(sql_type = Integer)]
        tables: i32,
    }
    // One statement, so one snapshot: another tm creating the file at this moment commits its
    // tables and its id together, and two reads could fall either side of that commit. Its
    // diesel table comes first, on its own, so it is not counted.
    let owner = diesel::sql_query(
        "SELECT (SELECT application_id FROM pragma_application_id) AS application_id,
                (SELECT count(*) FROM sqlite_schema
                 WHERE tbl_name <> '__diesel_schema_migrations') AS tables",
    )
    .get_result::<Owner>(conn)
    .map_err(|_| anyhow!(not_ours(path, "SQLite cannot read it")))?;
    // An SQLite file with nothing in it yet is as good as a new one.
    let new = owner.application_id == 0 && owner.tables == 0;
    if owner.application_id == APPLICATION_ID || new {
        return Ok(());
    }
    bail!(not_ours(path, "it belongs to another program"))
}

fn refuse_newer(conn: &mut SqliteConnection, path: &Path) -> Result<()> {
    let applied = conn.applied_migrations().map_err(|e| {
        anyhow!(
            "could not read the schema version of {}: {e}",
            path.display()
        )
    })?;
    let known: Vec<String> =
        diesel::migration::MigrationSource::<diesel::sqlite::Sqlite>::migrations(&MIGRATIONS)
            .map_err(|e| anyhow!("embedded migrations: {e}"))?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect();
    if let Some(unknown) = applied.iter().find(|v| !known.contains(&v.to_string())) {
        bail!(
            "{} was written by a newer tm (schema version {unknown}); this tm knows versions up to {}. \
             Upgrade tm; the file was left untouched",
            path.display(),
            known.last().map_or("none", String::as_str)
        );
    }
    Ok(())
}

/// A stored text that names none of a column's values: an error naming the column and the
/// value, never a default that would hide the damage.
fn damaged(column: &str, value: &str) -> Box<dyn std::error::Error + Send + Sync> {
    format!("{column} holds '{value}', which tm does not know; the database may be damaged").into()
}

/// The one of `values` whose text is stored in `column`: how every enum of a row is read.
fn stored_enum<T: Copy>(
    value: diesel::sqlite::SqliteValue<'_, '_, '_>,
    values: &[T],
    as_str: fn(T) -> &'static str,
    column: &str,
) -> diesel::deserialize::Result<T> {
    let text = <String as diesel::deserialize::FromSql<
        diesel::sql_types::Text,
        diesel::sqlite::Sqlite,
    >>::from_sql(value)?;
    values
        .iter()
        .copied()
        .find(|candidate| as_str(*candidate) == text)
        .ok_or_else(|| damaged(column, &text))
}

pub use crate::clock::stored as timestamp;

/// A random (version 4) UUID for a new row: what `tm import tm` matches rows by.
pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn now() -> String {
    timestamp(crate::clock::now())
}

#[cfg(test)]
mod tests {
    use diesel::sql_types::Text;

    use super::*;

    #[derive(QueryableByName)]
    struct PlanStep {
        #[diesel(sql_type = Text)]
        detail: String,
    }

    /// A full disk, as SQLite reports it (here through `max_page_count`, which fails a write
    /// the same way): the error says so, where diesel's failed rollback used to say "cannot
    /// rollback - no transaction is active", and what was saved before is still there.
    #[test]
    fn a_full_disk_is_called_that() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("tm.db");
        let mut store = Store::open(&path, false).expect("a new database");
        let now = super::now();
        store
            .write(|conn| Conversation::create(conn, "kept", &now))
            .expect("room for a little");
        store
            .conn
            .batch_execute("PRAGMA max_page_count = 1;")
            .expect("pragma");
        let error = store
            .write(|conn| Conversation::create(conn, &"x".repeat(100_000), &now))
            .expect_err("no room for this");
        assert_eq!(
            error.to_string(),
            format!(
                "the disk holding the database {} is full; free some space (what was saved before is kept)",
                path.display()
            )
        );
        let kept = store.read(Conversation::most_recent).expect("a read");
        assert_eq!(kept.map(|c| c.title), Some("kept".to_owned()));
    }

    fn plan(store: &mut Store, sql: &str) -> Vec<String> {
        // Parameters are left unbound: the plan depends on the query's shape, not its values.
        store
            .read(|conn| {
                diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")).load::<PlanStep>(conn)
            })
            .expect("plan")
            .into_iter()
            .map(|step| step.detail)
            .collect()
    }

    /// Tables that grow with history (requests, messages) are only ever searched through an
    /// index; conversations only walked in updated_at order, which LIMIT stops early.
    #[test]
    fn report_queries_never_scan_history() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(&dir.path().join("tm.db"), false).expect("store");
        for by in [
            usage::GroupBy::Span,
            usage::GroupBy::Model,
            usage::GroupBy::Conversation,
            usage::GroupBy::Tier,
        ] {
            let steps = plan(&mut store, &usage::sql(by));
            for search in [
                "SEARCH u USING PRIMARY KEY (level=? AND model=? AND span>? AND span<?)",
                "SEARCH r USING INDEX requests_started_at (started_at>? AND started_at<?)",
            ] {
                assert!(steps.iter().any(|s| s == search), "{by:?}: {steps:#?}");
            }
            let scans: Vec<&String> = steps.iter().filter(|s| s.starts_with("SCAN")).collect();
            assert!(
                scans.iter().all(|s| s.starts_with("SCAN json_each")
                    || ["SCAN totals", "SCAN m", "SCAN CONSTANT ROW"].contains(&s.as_str())),
                "{by:?} scans a table: {steps:#?}"
            );
        }
        for filter in [
            conversation::NO_FILTER,
            conversation::FEW_MATCHES,
            conversation::MANY_MATCHES,
        ] {
            let steps = plan(&mut store, &conversation::list_sql(filter));
            // A full-text MATCH ("INDEX 0:M1", with the rowid "0:=M1") reads the index, not
            // the table; the walk by updated_at stops at the page's end.
            let scans_ok = steps.iter().filter(|s| s.starts_with("SCAN")).all(|s| {
                s == "SCAN c USING INDEX conversations_updated_at"
                    || s.ends_with("VIRTUAL TABLE INDEX 0:M1")
                    || s.ends_with("VIRTUAL TABLE INDEX 0:M1><")
            });
            assert!(scans_ok, "{steps:#?}");
            if filter == conversation::MANY_MATCHES {
                // One range query on the index per conversation, not one per message.
                assert!(
                    steps
                        .iter()
                        .any(|s| s == "SCAN s VIRTUAL TABLE INDEX 0:M1><"),
                    "{steps:#?}"
                );
            }
            assert!(
                steps
                    .iter()
                    .all(|s| !s.contains("SCAN r") && !s.contains("SCAN m")),
                "{steps:#?}"
            );
        }
        let sql = |query: String| {
            query
                .split(" -- binds")
                .next()
                .unwrap_or_default()
                .to_owned()
        };
        let show = [
            (
                sql(
                    diesel::debug_query::<diesel::sqlite::Sqlite, _>(&Message::history_query(
                        ConversationId(1),
                    ))
                    .to_string(),
                ),
                "SEARCH messages USING INDEX messages_conversation (conversation_id=?)",
            ),
            (
                sql(diesel::debug_query::<diesel::sqlite::Sqlite, _>(
                    &request::Request::of_conversation_query(ConversationId(1)),
                )
                .to_string()),
                "SEARCH requests USING INDEX requests_conversation (conversation_id=?)",
            ),
            (
                sql(diesel::debug_query::<diesel::sqlite::Sqlite, _>(
                    &request::recent_completions_query("gpt-5.4-mini"),
                )
                .to_string()),
                "SEARCH requests USING INDEX requests_by_model (model=?)",
            ),
        ];
        for (query, search) in show {
            assert_eq!(plan(&mut store, &query), [search], "{query}");
        }
    }
}
