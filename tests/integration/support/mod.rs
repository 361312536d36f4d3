//! A hermetic tm: its own temp dir as HOME and XDG dirs, its own database file, and none of
//! the caller's OPENAI_*/TM_*/NO_COLOR variables.

pub mod fake_openai;

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output};

use assert_cmd::Command;
use rusqlite::types::Value as SqlValue;

pub use fake_openai::{FakeOpenAi, Reply, Step, Usage};

/// The key every test hands to tm; the suite checks it never shows up in output or files.
pub const TEST_KEY: &str = "sk-test-SECRET0123456789abcdefXYZ";

/// The caller's settings that would change what tm does, and the proxy variables reqwest
/// honours: a developer's proxy must never see test traffic, even to 127.0.0.1.
const CLEARED: &[&str] = &[
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "TM_MODEL",
    "TM_DB",
    "NO_COLOR",
    "COLORTERM",
    "FORCE_HYPERLINK",
    "TERM_PROGRAM",
    "VTE_VERSION",
    "WT_SESSION",
    "KONSOLE_VERSION",
    "DOMTERM",
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
];

/// The zone every tm in the suite runs in. Local times in output are exact only in a known
/// zone; New York has DST and is behind UTC, so "just before midnight" differs between local
/// and UTC days.
pub const TM_ZONE: &str = "America/New_York";

pub struct TmEnv {
    dir: tempfile::TempDir,
}

impl TmEnv {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn db(&self) -> PathBuf {
        self.dir().join("tm.db")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir().join("data").join("tm")
    }

    pub fn key_file(&self) -> PathBuf {
        self.dir().join("config").join("tm").join("api-key")
    }

    /// A std command, for tests that need its pipes: no key, no server.
    pub fn command(&self) -> StdCommand {
        let mut command = StdCommand::new(env!("CARGO_BIN_EXE_tm"));
        for name in CLEARED {
            command.env_remove(name);
        }
        command
            .env("HOME", self.dir())
            .env("XDG_DATA_HOME", self.dir().join("data"))
            .env("XDG_CONFIG_HOME", self.dir().join("config"))
            .env("TM_DB", self.db())
            .env("TZ", TM_ZONE)
            // Retry pauses and time-outs 20 times shorter; messages still name the real ones.
            .env("TM_TEST_TIME_SCALE", "20")
            .current_dir(self.dir());
        command
    }

    /// `tm` with no key and no server.
    pub fn tm(&self) -> Command {
        Command::from_std(self.command())
    }

    /// `tm` pointed at a fake server with the test key.
    pub fn tm_with(&self, server: &FakeOpenAi) -> Command {
        Command::from_std(self.spawnable(server))
    }

    /// A std command pointed at a fake server, for tests that read stdout while tm runs.
    pub fn spawnable(&self, server: &FakeOpenAi) -> StdCommand {
        let mut command = self.command();
        command
            .env("OPENAI_API_KEY", TEST_KEY)
            .env("OPENAI_BASE_URL", server.base_url());
        command
    }

    /// Today's date where tm runs, which is not the runner's: from 00:00 to 05:00 UTC the
    /// two differ by a day.
    pub fn today() -> jiff::civil::Date {
        jiff::Timestamp::now()
            .in_tz(TM_ZONE)
            .expect("the suite's zone is in the zone database")
            .date()
    }

    /// Rows of a query on the real database file, every value as text (`NULL` for null).
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        rows_of(&self.db(), sql)
    }

    /// Writes to the real database, for pinning times that a test must know exactly.
    /// The figures of `tm show ID --tokens`' first request, one per word.
    pub fn first_exchange_row(&self, conversation: &str) -> Vec<String> {
        let shown = stdout(
            &self
                .tm()
                .args(["show", conversation, "--tokens"])
                .output()
                .expect("runs"),
        );
        shown
            .lines()
            .nth(1)
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }

    pub fn execute(&self, sql: &str) {
        let conn = rusqlite::Connection::open(self.db()).expect("open db");
        register_search_text(&conn);
        conn.execute_batch(sql).expect("execute");
    }

    /// The totals `tm usage` reads hold exactly the sums of the requests table, at every level.
    pub fn assert_totals_match_requests(&self) {
        let totals = self.rows(
            "SELECT level, span, model, requests, prompt_tokens, cached_tokens, completion_tokens,
                    reasoning_tokens, images, cost_picodollars, unpriced_requests, failed_requests,
                    cache_write_tokens
             FROM usage_totals ORDER BY 1, 2, 3",
        );
        let recomputed = self.rows(
            "WITH spans AS (
                 SELECT 0 AS level, substr(started_at, 1, 10) AS span, * FROM requests
                 UNION ALL SELECT 1, substr(started_at, 1, 13), * FROM requests
                 UNION ALL SELECT 2, substr(started_at, 1, 14) || CASE
                     WHEN substr(started_at, 15, 2) < '15' THEN '00'
                     WHEN substr(started_at, 15, 2) < '30' THEN '15'
                     WHEN substr(started_at, 15, 2) < '45' THEN '30' ELSE '45' END, * FROM requests
             ),
             rows AS (
                 SELECT level, span, model, prompt_tokens, cached_tokens, completion_tokens,
                        reasoning_tokens, images, cost_picodollars, outcome, cache_write_tokens
                 FROM spans
                 UNION ALL
                 SELECT level, span, '', prompt_tokens, cached_tokens, completion_tokens,
                        reasoning_tokens, images, cost_picodollars, outcome, cache_write_tokens
                 FROM spans
             )
             SELECT level, span, model, count(*), coalesce(sum(prompt_tokens), 0),
                    coalesce(sum(cached_tokens), 0), coalesce(sum(completion_tokens), 0),
                    coalesce(sum(reasoning_tokens), 0), sum(images),
                    coalesce(sum(cost_picodollars), 0),
                    count(*) FILTER (WHERE cost_picodollars IS NULL AND (prompt_tokens IS NOT NULL OR images > 0)),
                    count(*) FILTER (WHERE outcome = 'failed'),
                    coalesce(sum(cache_write_tokens), 0)
             FROM rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        );
        assert_eq!(totals, recomputed);
    }

    /// FTS5's own check that the full-text indexes hold exactly the rows they index.
    pub fn assert_search_index_is_whole(&self) {
        self.execute(
            "INSERT INTO messages_search (messages_search, rank) VALUES ('integrity-check', 1);
             INSERT INTO conversations_search (conversations_search, rank) VALUES ('integrity-check', 1);",
        );
    }

    pub fn db_bytes(&self) -> Vec<u8> {
        std::fs::read(self.db()).expect("database file")
    }
}

/// The function the search index's triggers and views call, as tm registers it: a test's
/// own connection writes messages and reads the index as tm does.
fn register_search_text(conn: &rusqlite::Connection) {
    conn.create_scalar_function(
        "tm_search_text",
        1,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8
            | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
        |context| {
            let text: String = context.get(0)?;
            Ok(tm::store::search::index_text(&text).into_owned())
        },
    )
    .expect("register tm_search_text");
}

pub fn rows_of(db: &Path, sql: &str) -> Vec<Vec<String>> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open db");
    register_search_text(&conn);
    let mut statement = conn.prepare(sql).expect("prepare");
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            (0..columns)
                .map(|i| {
                    Ok(match row.get::<_, SqlValue>(i)? {
                        SqlValue::Null => "NULL".to_owned(),
                        SqlValue::Integer(n) => n.to_string(),
                        SqlValue::Real(x) => x.to_string(),
                        SqlValue::Text(t) => t,
                        SqlValue::Blob(b) => format!("<{} bytes>", b.len()),
                    })
                })
                .collect()
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// Every output a test reads passes here, so none may carry the key.
pub fn text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes).into_owned();
    assert!(
        !text.contains(TEST_KEY),
        "the API key leaked into output: {text}"
    );
    text
}

fn files_below(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            // Only regular files: reading a FIFO a test made would wait for a writer forever.
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => files_below(&path),
                Ok(kind) if kind.is_file() => vec![path],
                _ => Vec::new(),
            }
        })
        .collect()
}

impl Drop for TmEnv {
    /// Whatever a test left behind (database, WAL, downloaded data, images) is free of the
    /// key; only the key file may hold it.
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        for file in files_below(self.dir())
            .into_iter()
            .filter(|f| *f != self.key_file())
        {
            let bytes = std::fs::read(&file).unwrap_or_default();
            let leaked = bytes
                .windows(TEST_KEY.len())
                .any(|w| w == TEST_KEY.as_bytes());
            assert!(!leaked, "the API key leaked into {}", file.display());
        }
    }
}

pub fn stdout(output: &Output) -> String {
    text(&output.stdout)
}

pub fn stderr(output: &Output) -> String {
    text(&output.stderr)
}

/// Usage numbers the tests reuse: 1,234 prompt (312 cached) + 56 completion (40 reasoning).
pub const USAGE: Usage = Usage {
    prompt: 1234,
    cached: 312,
    completion: 56,
    reasoning: 40,
};

/// A simple streamed answer with USAGE.
pub fn answer(text: &str) -> Reply {
    Reply::answer(&[text], USAGE)
}

#[track_caller]
pub fn assert_stderr_contains(output: &Output, expected: &str) {
    let err = stderr(output);
    assert!(err.contains(expected), "stderr lacks {expected:?}:\n{err}");
}

#[track_caller]
pub fn assert_stderr_ends_with(output: &Output, expected: &str) {
    let err = stderr(output);
    assert!(
        err.ends_with(expected),
        "stderr does not end with {expected:?}:\n{err}"
    );
}

#[track_caller]
pub fn assert_stderr_starts_with(output: &Output, expected: &str) {
    let err = stderr(output);
    assert!(
        err.starts_with(expected),
        "stderr does not start with {expected:?}:\n{err}"
    );
}

/// A valid PNG of `width`×`height`, an RGB gradient, made by the png crate.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            pixels.extend_from_slice(&[
                (x * 255 / width.max(1)) as u8,
                (y * 255 / height.max(1)) as u8,
                128,
            ]);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("PNG header");
    writer.write_image_data(&pixels).expect("PNG data");
    writer.finish().expect("PNG end");
    out
}

/// The header of a baseline JPEG of `width`×`height`: enough for anything that sniffs or
/// sizes it, which is all tm does with an image.
pub fn jpeg(width: u16, height: u16) -> Vec<u8> {
    let mut out = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ];
    out.extend_from_slice(&[0xFF, 0xC0, 0, 17, 8]);
    out.extend_from_slice(&height.to_be_bytes());
    out.extend_from_slice(&width.to_be_bytes());
    out.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
    out
}

/// Decodes standard base64 (test data only).
pub fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}

/// The same tm command run through a prefix program (`sh -c …`, `setpriv …`), with its
/// environment and working directory kept.
pub fn wrap(command: &StdCommand, prefix: &[&str]) -> StdCommand {
    let mut wrapped = StdCommand::new(prefix[0]);
    wrapped
        .args(&prefix[1..])
        .arg(command.get_program())
        .args(command.get_args());
    for (name, value) in command.get_envs() {
        match value {
            Some(value) => wrapped.env(name, value),
            None => wrapped.env_remove(name),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        wrapped.current_dir(dir);
    }
    wrapped
}

/// A request's body without its prompt cache key, which is random per database; the key
/// itself must look as tm makes it.
pub fn without_cache_key(mut body: serde_json::Value) -> serde_json::Value {
    let key = body
        .as_object_mut()
        .and_then(|fields| fields.remove("prompt_cache_key"))
        .expect("a prompt cache key");
    let key = key.as_str().expect("a string");
    assert!(
        key.len() == 35
            && key.starts_with("tm-")
            && key[3..].bytes().all(|b| b.is_ascii_hexdigit()),
        "{key}"
    );
    body
}

/// rexpect reads the terminal byte by byte as Latin-1, so text with `·` or `–` is looked
/// for in that form. Returns what came before it, decoded back to UTF-8.
pub fn expect(
    session: &mut rexpect::session::PtySession,
    text: &str,
) -> Result<String, rexpect::error::Error> {
    let latin1: String = text.bytes().map(char::from).collect();
    Ok(from_latin1(&session.exp_string(&latin1)?))
}

/// What rexpect read as Latin-1, back as the UTF-8 the terminal received.
pub fn from_latin1(read: &str) -> String {
    let bytes: Vec<u8> = read
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A pty starts with no size; a real terminal has one, and the picker and the line editor
/// lay themselves out by it. `stty` sets it from inside, then tm replaces the shell.
pub fn spawn(command: StdCommand) -> rexpect::session::PtySession {
    let sized = wrap(
        &command,
        &["sh", "-c", "stty rows 30 cols 120 && exec \"$0\" \"$@\""],
    );
    rexpect::session::spawn_command(sized, Some(20_000)).expect("spawn tm in a pty")
}
