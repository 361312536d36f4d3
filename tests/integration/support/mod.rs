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

const CLEARED: &[&str] = &[
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "TM_MODEL",
    "TM_DB",
    "NO_COLOR",
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
];

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
            // Local times in output are exact only in a known zone; New York has DST and is
            // behind UTC, so "just before midnight" differs between local and UTC days.
            .env("TZ", "America/New_York")
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

    /// Rows of a query on the real database file, every value as text (`NULL` for null).
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        rows_of(&self.db(), sql)
    }

    /// Writes to the real database, for pinning times that a test must know exactly.
    pub fn execute(&self, sql: &str) {
        let conn = rusqlite::Connection::open(self.db()).expect("open db");
        conn.execute_batch(sql).expect("execute");
    }

    pub fn db_bytes(&self) -> Vec<u8> {
        std::fs::read(self.db()).expect("database file")
    }
}

pub fn rows_of(db: &Path, sql: &str) -> Vec<Vec<String>> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open db");
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
            if path.is_dir() {
                files_below(&path)
            } else {
                vec![path]
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
