//! A database made by the first released schema (tests/fixtures/db/v1.sqlite, made by
//! make-v1.sh beside it) opens with this build: migrations run, nothing is lost.

use serde_json::json;

use crate::support::{FakeOpenAi, TmEnv, answer, stdout};

#[test]
fn the_first_schema_upgrades_with_everything_in_it() {
    let env = TmEnv::new();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/db/v1.sqlite");
    std::fs::copy(fixture, env.db()).expect("copy the fixture");
    // `cost` is USD in the first schema and whole picodollars since: the same amounts.
    let before = |env: &TmEnv, cost: &str| {
        env.rows(&format!(
            "SELECT (SELECT group_concat(id || title, '|') FROM conversations),
                    (SELECT group_concat(id || role || content || status, '|') FROM messages),
                    (SELECT group_concat(id || model || outcome || coalesce({cost}, 'NULL'), '|') FROM requests),
                    (SELECT group_concat(key || value, '|') FROM settings)"
        ))
    };
    let rows = before(&env, "cost");

    let output = env.tm().args(["list", "--json"]).output().expect("runs");
    assert!(output.status.success());
    let list: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(list[0]["title"], json!("hello llama"));
    assert_eq!(list[1]["prompt_tokens"], json!(1275));
    assert_eq!(
        before(&env, "cost_picodollars / 1e12"),
        rows,
        "every conversation, message, request and setting is still there"
    );
    assert_eq!(
        env.rows("SELECT group_concat(version, ' ') FROM (SELECT version FROM __diesel_schema_migrations ORDER BY version)"),
        [["20261124000000 20261124100000 20261124200000 20261124300000 20261201000000 20261201100000 20261201200000 20261201300000 20261201400000 20261201500000 20261201600000 20261201700000 20261201800000"]]
    );
    assert_eq!(env.rows("SELECT count(*) FROM attachments"), [["0"]]);
    assert_eq!(
        env.rows(
            "SELECT span, model, requests, cost_picodollars FROM usage_totals WHERE level = 1 ORDER BY 1, 2"
        ),
        [
            ["2026-11-20T10", "", "2", "1029150000"],
            ["2026-11-20T10", "gpt-5.4-mini", "2", "1029150000"],
            ["2026-11-21T09", "", "1", "0"],
            ["2026-11-21T09", "local-llama", "1", "0"]
        ]
    );
    env.assert_totals_match_requests();
    env.assert_search_index_is_whole();

    let show = stdout(&env.tm().args(["show", "1"]).output().expect("runs"));
    assert!(
        show.contains(
            "#4 gpt-5.4-mini · 2026-11-20 05:05 · interrupted · ~7 completion tokens · ~$0.000062"
        ),
        "{show}"
    );

    // The old history goes out with a new question; the failed question does not.
    let server = FakeOpenAi::start(vec![answer("more")]);
    env.tm_with(&server)
        .args(["ask", "-q", "--conv", "1", "--max-messages", "all", "go on"])
        .assert()
        .success();
    let sent = server.requests()[0].json()["messages"].clone();
    assert_eq!(sent.as_array().map(Vec::len), Some(5));
    assert_eq!(
        sent[3],
        json!({"role": "assistant", "content": "Option and Result are the everyday ones"})
    );
    assert_eq!(
        server.requests()[0].json()["model"],
        json!("gpt-5.4-mini"),
        "a continued conversation keeps its own model over the setting"
    );
    env.tm()
        .args(["config", "get", "model"])
        .assert()
        .success()
        .stdout("gpt-4.1\n");
}

/// Counts that `tm chat` stored with a question's files counted in are dropped on upgrade,
/// to be counted again from the text; other counts stay.
#[test]
fn counts_with_files_counted_in_are_dropped() {
    let env = TmEnv::new();
    std::fs::write(env.dir().join("red.png"), crate::support::png(64, 64)).expect("write");
    let server = FakeOpenAi::start(vec![answer("red"), answer("plain")]);
    env.tm_with(&server)
        .arg("chat")
        .write_stdin("/attach red.png\nwhat is this?\nand this?\n")
        .assert()
        .success();
    // As an older tm left it: the question with the image carries its tokens, 4 + 255.
    env.execute(
        "UPDATE messages SET content_tokens = 259 WHERE id = 1;
         DELETE FROM __diesel_schema_migrations WHERE version = '20261201100000';",
    );
    env.tm().args(["list"]).assert().success();
    assert_eq!(
        env.rows("SELECT id, content_tokens FROM messages WHERE role = 'user' ORDER BY id"),
        [["1", "NULL"], ["3", "3"]]
    );
}
