//! The database file: created owner-only, and files that are not ours (or are newer than
//! this build) refused untouched.

use std::fs;

use crate::support::{TmEnv, stderr};

fn refused(env: &TmEnv, expected: &str) {
    let before = env.db_bytes();
    for args in [&["config", "list"][..], &["ask", "--dry-run", "hi"][..]] {
        let output = env.tm().args(args).output().expect("runs");
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert_eq!(
            stderr(&output),
            format!("tm: error: {} {expected}\n", env.db().display())
        );
    }
    assert_eq!(
        env.db_bytes(),
        before,
        "the refused file must be left byte for byte as it was"
    );
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_untouched() {
    let env = TmEnv::new();
    fs::write(
        env.db(),
        b"these are my notes, not a database\n".repeat(100),
    )
    .expect("write");
    refused(
        &env,
        "is not a tm database (it is not an SQLite database); tm left it untouched. Pass another --db or TM_DB",
    );
}

#[test]
fn another_programs_sqlite_file_is_refused_untouched() {
    let env = TmEnv::new();
    let conn = rusqlite::Connection::open(env.db()).expect("create");
    conn.execute_batch(
        "CREATE TABLE bookmarks (url TEXT); INSERT INTO bookmarks VALUES ('https://example.org');",
    )
    .expect("fill");
    drop(conn);
    refused(
        &env,
        "is not a tm database (it belongs to another program); tm left it untouched. Pass another --db or TM_DB",
    );
}

#[test]
fn a_database_from_a_newer_tm_is_refused_untouched() {
    let env = TmEnv::new();
    env.tm().args(["config", "list"]).assert().success();
    let conn = rusqlite::Connection::open(env.db()).expect("open");
    conn.execute_batch(
        "PRAGMA journal_mode = DELETE; INSERT INTO __diesel_schema_migrations (version) VALUES ('20991231000000');",
    )
    .expect("pretend a newer tm migrated it");
    drop(conn);
    refused(
        &env,
        "was written by a newer tm (schema version 20991231000000); this tm knows versions up to 20261201800000. Upgrade tm; the file was left untouched",
    );
}

#[test]
fn a_new_database_is_owner_only_and_marked_as_ours() {
    use std::os::unix::fs::PermissionsExt as _;
    let env = TmEnv::new();
    env.tm().args(["config", "list"]).assert().success();
    assert_eq!(
        fs::metadata(env.db()).expect("db").permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(env.rows("PRAGMA application_id"), [["1416318324"]]);
    assert_eq!(env.rows("PRAGMA journal_mode"), [["wal"]]);
}

#[test]
fn db_paths_that_cannot_be_a_database() {
    let env = TmEnv::new();
    let output = env
        .tm()
        .args(["--db", env.dir().to_str().expect("utf-8"), "config", "list"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("is a directory; the database must be a file"));
    let missing = env.dir().join("no/such/folder/tm.db");
    let output = env
        .tm()
        .args(["--db", missing.to_str().expect("utf-8"), "config", "list"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("does not exist; create it or pass another --db"),
        "{}",
        stderr(&output)
    );
}

/// `tm prices | head -1`: a reader that stops early is not an error, and never a panic.
#[test]
fn a_closed_stdout_is_a_quiet_success() {
    let env = TmEnv::new();
    for args in [
        &["prices"][..],
        &["config", "list"][..],
        &["ask", "--dry-run", "hi"][..],
        &["completions", "zsh"][..],
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let output = env
            .command()
            .args(args)
            .stdout(writer)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert_eq!(stderr(&output), "", "{args:?}");
    }
}

/// Damaged rows are errors that name the column and the value, never a silent default: a
/// request's sent ids that are not a list, an attachment's detail tm does not know, a
/// stored subscription that is not an amount (it used to hide the comparison silently), which
/// fails only the commands that use it.
#[test]
fn damaged_values_are_errors_naming_them() {
    let env = TmEnv::new();
    std::fs::write(env.dir().join("red.png"), crate::support::png(8, 8)).expect("write");
    let server = crate::support::FakeOpenAi::start(vec![crate::support::answer("red")]);
    env.tm_with(&server)
        .args(["ask", "-q", "-a", "red.png", "what is this?"])
        .assert()
        .success();
    env.execute("UPDATE attachments SET detail = 'ultra';");
    let output = env.tm().args(["show", "1"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "attachments.detail of the file red.png holds 'ultra', which tm does not know; the database may be damaged"
        ),
        "{}",
        stderr(&output)
    );
    env.execute(
        "UPDATE attachments SET detail = 'auto'; UPDATE requests SET sent_message_ids = 'oops';",
    );
    let output = env.tm().args(["show", "1"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "requests.sent_message_ids holds 'oops', not a list of message ids; the database may be damaged"
        ),
        "{}",
        stderr(&output)
    );
    env.execute("INSERT OR REPLACE INTO settings VALUES ('subscription', 'lots');");
    let output = env.tm().arg("usage").output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "bad value for subscription in the database: 'lots' is not an amount in USD; use a number such as 20 (0 hides the comparison); `tm config set subscription …` replaces it"
        ),
        "{}",
        stderr(&output)
    );
    // Only what uses the broken setting fails, and `config set` mends it.
    env.tm().arg("list").assert().success();
    env.tm()
        .args(["config", "set", "subscription", "20"])
        .assert()
        .success();
    env.tm().arg("usage").assert().success();
    // Past the CHECK constraints, as another program could write: an unknown status.
    env.execute(
        "UPDATE requests SET sent_message_ids = '[1]';
         PRAGMA ignore_check_constraints = ON;
         UPDATE messages SET status = 'lost' WHERE id = 2;",
    );
    let output = env.tm().args(["show", "1"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "messages.status holds 'lost', which tm does not know; the database may be damaged"
        ),
        "{}",
        stderr(&output)
    );
}
