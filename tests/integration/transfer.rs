//! `tm export` and `tm import`: a round trip through the export, and the histories of the
//! original TokenMetered, ChatGPT and llm, from fixtures the tests make in each one's form.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::support::{FakeOpenAi, TmEnv, answer, from_latin1, png, spawn, stderr, stdout};

fn tm_ok(env: &TmEnv, args: &[&str]) -> std::process::Output {
    let output = env.tm().args(args).output().expect("runs");
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    output
}

fn export(env: &TmEnv, args: &[&str]) -> String {
    stdout(&tm_ok(env, &[&["export"], args].concat()))
}

/// A history with two conversations, an attached image, a failed question, and usage.
fn history() -> TmEnv {
    let env = TmEnv::new();
    std::fs::write(env.dir().join("dot.png"), png(8, 8)).expect("write");
    let failed =
        r#"{"error":{"message":"The server had an error","type":"server_error","code":null}}"#;
    let server = FakeOpenAi::start(vec![
        answer("A monoid in the category of endofunctors."),
        answer("A picture of a dot."),
        crate::support::Reply::json(400, failed),
        answer("Sure."),
    ]);
    for args in [
        &["ask", "-q", "what is a monad?"][..],
        &["ask", "-q", "-c", "-a", "dot.png", "and this?"][..],
    ] {
        env.tm_with(&server).args(args).assert().success();
    }
    env.tm_with(&server)
        .args(["ask", "-q", "a second conversation"])
        .assert()
        .failure();
    env.tm_with(&server)
        .args(["ask", "-q", "--retry"])
        .assert()
        .success();
    env
}

fn write_file(env: &TmEnv, name: &str, text: &str) -> PathBuf {
    let path = env.dir().join(name);
    std::fs::write(&path, text).expect("write");
    path
}

/// Export, import into an empty database, export again: the same bytes. Importing into a
/// database that holds half of it adds only the other half, and nothing is counted twice.
#[test]
fn an_export_round_trips_and_merges() {
    let first = history();
    let all = export(&first, &[]);
    assert_eq!(all.lines().count(), 2, "{all}");
    let half = export(&first, &["1"]);
    assert_eq!(half.lines().count(), 1);

    let second = TmEnv::new();
    let file = write_file(&second, "all.jsonl", &all);
    let output = tm_ok(&second, &["import", "tm", file.to_str().expect("utf-8")]);
    assert!(
        stderr(&output).starts_with("imported 2 conversations, 6 messages and 4 requests from "),
        "{}",
        stderr(&output)
    );
    assert_eq!(export(&second, &[]), all);
    second.assert_totals_match_requests();
    second.assert_search_index_is_whole();
    // The import indexes and sums at its end with the insert triggers set aside; they are back.
    assert_eq!(
        second.rows(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\\_insert' ESCAPE '\\' ORDER BY name"
        ),
        [
            ["conversations_search_insert"],
            ["messages_search_insert"],
            ["usage_totals_insert"]
        ]
    );

    let third = TmEnv::new();
    let half_file = write_file(&third, "half.jsonl", &half);
    tm_ok(
        &third,
        &["import", "tm", half_file.to_str().expect("utf-8")],
    );
    let all_file = write_file(&third, "all.jsonl", &all);
    let output = tm_ok(&third, &["import", "tm", all_file.to_str().expect("utf-8")]);
    assert!(
        stderr(&output).starts_with("imported 1 conversation, 2 messages and 2 requests from "),
        "{}",
        stderr(&output)
    );
    // The new requests' sums are added to the sums already there.
    third.assert_totals_match_requests();
    let usage = |env: &TmEnv| {
        stdout(&tm_ok(
            env,
            &["usage", "--since", "2000-01-01", "--csv", "--by", "model"],
        ))
    };
    assert_eq!(usage(&third), usage(&first));
    assert_eq!(export(&third, &[]), all);
    // The image came along, byte for byte.
    assert_eq!(
        third.rows("SELECT a.name, length(b.bytes) FROM attachments a JOIN blobs b USING (sha256)"),
        [["dot.png".to_owned(), png(8, 8).len().to_string()]]
    );
}

/// The same file twice: the second time adds nothing and says so.
#[test]
fn the_same_file_is_imported_once() {
    let first = history();
    let all = export(&first, &[]);
    let env = TmEnv::new();
    let file = write_file(&env, "all.jsonl", &all);
    let path = file.to_str().expect("utf-8");
    tm_ok(&env, &["import", "tm", path]);
    let before = env.db_bytes();
    let again = tm_ok(&env, &["import", "tm", path]);
    assert!(
        stderr(&again).contains("was imported on ")
            && stderr(&again).ends_with("; nothing to add\n"),
        "{}",
        stderr(&again)
    );
    assert_eq!(env.db_bytes(), before);
}

/// A file that is not what it claims is refused with its name and what was expected, and
/// nothing is written.
#[test]
fn a_wrong_file_is_refused_and_nothing_is_written() {
    let env = TmEnv::new();
    tm_ok(&env, &["list"]);
    let before = env.db_bytes();
    let newer = r#"{"format":"tm-export","version":2,"uuid":"x"}"#;
    // A good conversation first: an export is written as it is read, and the bad line after
    // it must still leave nothing.
    let good = r#"{"format":"tm-export","version":1,"uuid":"00000000-0000-4000-9000-000000000001","title":"fine","created_at":"2025-01-01T00:00:00.000Z","updated_at":"2025-01-01T00:00:00.000Z","messages":[{"uuid":"00000000-0000-4000-8000-000000000001","role":"user","content":"a question","status":"answered","created_at":"2025-01-01T00:00:00.000Z","content_tokens":null,"token_encoding":null}],"requests":[]}"#;
    let not_utf8 = env.dir().join("latin1.jsonl");
    std::fs::write(&not_utf8, [good.as_bytes(), b"\n{\"caf\xe9\"}\n"].concat()).expect("write");
    let cases: Vec<(&str, PathBuf, &str)> = vec![
        (
            "tm",
            write_file(&env, "notes.txt", "hello\n"),
            "is not a tm export: line 1 is not JSON",
        ),
        (
            "tm",
            write_file(
                &env,
                "cut.jsonl",
                &format!("{good}\n\n{{\"format\": \"tm-ex"),
            ),
            "is not a tm export: line 3 is not JSON",
        ),
        (
            "tm",
            not_utf8,
            "is not a tm export: line 2 is not UTF-8 text",
        ),
        (
            "tm",
            write_file(&env, "newer.jsonl", newer),
            "was written by a newer tm (export version 2; this tm reads version 1); upgrade tm to import it",
        ),
        (
            "chatgpt",
            write_file(&env, "conversations.json", "{\"not\": \"a list\"}"),
            "is not a ChatGPT export (a JSON array of conversations)",
        ),
        (
            "chatgpt",
            write_file(&env, "cut.zip", "PK\u{3}\u{4}truncated"),
            "is not a whole zip file (truncated or damaged)",
        ),
        (
            "tokenmeter",
            env.db(),
            "is not a TokenMetered database: it needs the tables room (id, name) and chat",
        ),
        (
            "llm",
            env.db(),
            "is not an llm log database: it needs the tables conversations and responses (id, model, prompt, response, conversation_id, datetime_utc), or threads, turns, messages, parts",
        ),
        (
            "llm",
            write_file(&env, "text.db", "not sqlite"),
            "is not an SQLite database",
        ),
    ];
    for (kind, path, message) in cases {
        let output = env
            .tm()
            .args(["import", kind, path.to_str().expect("utf-8")])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(1), "{kind} {}", path.display());
        let err = stderr(&output);
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains(message), "{kind}: {err}");
        assert_eq!(env.db_bytes(), before, "{kind} {}", path.display());
    }
}

/// The original TokenMetered's file, as the tests make it in one of its three shapes.
#[derive(Clone, Copy, PartialEq)]
enum Vintage {
    /// Before the token columns.
    NoTokens,
    /// Token columns, but a config without system_message.
    NoSystemMessage,
    Current,
}

/// id, time, message, sequence, is_answer, room_id, msg_history, and the prompt and
/// completion tokens.
type ChatRow<'a> = (i64, &'a str, &'a str, i64, i64, i64, &'a str, i64, i64);

fn tokenmeter_fixture(path: &Path, vintage: Vintage) {
    let conn = rusqlite::Connection::open(path).expect("fixture");
    let tokens = vintage != Vintage::NoTokens;
    let token_columns = if tokens {
        ", token_meter_prompt INTEGER, token_meter_completion INTEGER, token_meter_total INTEGER"
    } else {
        ""
    };
    let system = if vintage == Vintage::Current {
        ", system_message TEXT"
    } else {
        ""
    };
    conn.execute_batch(&format!(
        "CREATE TABLE room (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE chat (id INTEGER PRIMARY KEY, time TEXT, message TEXT, sequence INTEGER,
                            is_answer INTEGER, room_id INTEGER, msg_history TEXT{token_columns},
                            used_model TEXT);
         CREATE TABLE config (openai_api_key TEXT, selected_model TEXT, max_message INTEGER{system},
                              crawling_enabled INTEGER);
         INSERT INTO room VALUES (1, '모나드 이야기'), (2, 'Rust'), (3, 'empty');"
    ))
    .expect("schema");
    let config = if vintage == Vintage::Current {
        "INSERT INTO config VALUES ('sk-original-0123456789abcdef', 'gpt-4o', 8, '[\"Be terse.\", \"Answer in Korean.\"]', 0)"
    } else {
        "INSERT INTO config VALUES ('sk-original-0123456789abcdef', 'gpt-4o', 8, 0)"
    };
    conn.execute(config, []).expect("config");
    // Sequences have gaps and do not start at 0; the same numbers are on both rows of a pair.
    let chats: [ChatRow<'_>; 6] = [
        (
            1,
            "2025-03-01T10:00:00.000Z",
            "모나드가 뭐야?",
            4,
            0,
            1,
            "[{\"role\":\"system\",\"content\":\"Be terse.\"},{\"role\":\"user\",\"content\":\"모나드가 뭐야?\"}]",
            120,
            30,
        ),
        (
            2,
            "2025-03-01T10:00:05.250Z",
            "모나드는 자기 함자 범주의 모노이드입니다.",
            5,
            1,
            1,
            "[{\"role\":\"system\",\"content\":\"Be terse.\"},{\"role\":\"user\",\"content\":\"모나드가 뭐야?\"},{\"role\":\"assistant\",\"content\":\"모나드는 자기 함자 범주의 모노이드입니다.\"}]",
            120,
            30,
        ),
        (
            3,
            "2025-03-02T09:00:00.000Z",
            "What is a borrow?",
            9,
            0,
            2,
            "[{\"role\":\"user\",\"content\":\"What is a borrow?\"}]",
            200,
            50,
        ),
        (
            4,
            "2025-03-02T09:00:03.000Z",
            "A reference that does not own its value.",
            10,
            1,
            2,
            "[{\"role\":\"user\",\"content\":\"What is a borrow?\"},{\"role\":\"assistant\",\"content\":\"A reference that does not own its value.\"}]",
            200,
            50,
        ),
        (
            5,
            "2025-03-02T09:05:00.000Z",
            "And a lifetime?",
            14,
            0,
            2,
            "[{\"role\":\"user\",\"content\":\"What is a borrow?\"},{\"role\":\"assistant\",\"content\":\"A reference that does not own its value.\"},{\"role\":\"user\",\"content\":\"And a lifetime?\"}]",
            260,
            0,
        ),
        (
            6,
            "2025-03-02T09:06:00.000Z",
            "Are you there?",
            15,
            0,
            2,
            "[]",
            0,
            0,
        ),
    ];
    for (id, time, message, sequence, is_answer, room, history, prompt, completion) in chats {
        if tokens {
            conn.execute(
                "INSERT INTO chat VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'gpt-4o')",
                rusqlite::params![
                    id,
                    time,
                    message,
                    sequence,
                    is_answer,
                    room,
                    history,
                    prompt,
                    completion,
                    prompt + completion
                ],
            )
            .expect("chat");
        } else {
            conn.execute(
                "INSERT INTO chat VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'gpt-4o')",
                rusqlite::params![id, time, message, sequence, is_answer, room, history],
            )
            .expect("chat");
        }
    }
}

/// Each vintage imports two conversations (the empty room has none), six messages and
/// four requests: two answered, two questions that got no answer (failed). Tokens of a pair
/// count once, `tm usage` adds up to the original's columns over its answer rows, and the
/// file is left byte for byte as it was.
#[test]
fn the_original_tokenmeter_in_three_vintages() {
    for vintage in [
        Vintage::NoTokens,
        Vintage::NoSystemMessage,
        Vintage::Current,
    ] {
        let env = TmEnv::new();
        let source = env.dir().join("database.db");
        tokenmeter_fixture(&source, vintage);
        let original = std::fs::read(&source).expect("fixture");
        let output = tm_ok(
            &env,
            &["import", "tokenmeter", source.to_str().expect("utf-8")],
        );
        assert!(
            stderr(&output).ends_with(&format!(
                "imported 2 conversations, 6 messages and 4 requests from {}\n",
                source.display()
            )),
            "{}",
            stderr(&output)
        );
        assert!(
            !stderr(&output).contains("sk-original"),
            "the key is never printed"
        );
        assert_eq!(std::fs::read(&source).expect("fixture"), original);
        assert_eq!(
            env.rows("SELECT title, created_at FROM conversations ORDER BY id"),
            [
                ["모나드 이야기", "2025-03-01T10:00:00.000Z"],
                ["Rust", "2025-03-02T09:00:00.000Z"]
            ]
        );
        assert_eq!(
            env.rows("SELECT role, status FROM messages ORDER BY id"),
            [
                ["user", "answered"],
                ["assistant", "complete"],
                ["user", "answered"],
                ["assistant", "complete"],
                ["user", "failed"],
                ["user", "failed"]
            ]
        );
        let requests = env.rows(
            "SELECT model, outcome, prompt_tokens, completion_tokens, usage_estimated, imported,
                    system_prompt, sent_message_ids FROM requests ORDER BY id",
        );
        assert_eq!(requests.len(), 4);
        assert_eq!(requests[0][0], "gpt-4o");
        assert_eq!(requests[0][5], "tokenmeter");
        assert_eq!(requests[0][6], "Be terse.");
        assert_eq!(requests[0][7], "[1]");
        assert_eq!(requests[2][1], "failed");
        assert_eq!(requests[2][2], "NULL");
        if vintage == Vintage::NoTokens {
            assert_eq!(
                requests[0][4], "1",
                "estimated when the original had no counts"
            );
            assert!(stdout(&tm_ok(&env, &["show", "1"])).contains("~"));
        } else {
            assert_eq!(
                requests
                    .iter()
                    .map(|r| (r[2].as_str(), r[3].as_str(), r[4].as_str()))
                    .collect::<Vec<_>>(),
                [
                    ("120", "30", "0"),
                    ("200", "50", "0"),
                    ("NULL", "NULL", "0"),
                    ("NULL", "NULL", "0")
                ]
            );
            // The original's answer rows: 120 + 200 prompt, 30 + 50 completion tokens.
            let usage = stdout(&tm_ok(
                &env,
                &["usage", "--since", "2000-01-01", "--csv", "--by", "model"],
            ));
            assert!(usage.contains("\ngpt-4o,4,320,0,0,80,0,0,"), "{usage}");
        }
        env.assert_totals_match_requests();
        // Settings tm had none of come from the original; the key only with --with-key.
        assert_eq!(
            stdout(&tm_ok(&env, &["config", "get", "model"])),
            "gpt-4o\n"
        );
        assert_eq!(
            stdout(&tm_ok(&env, &["config", "get", "max-messages"])),
            "8\n"
        );
        if vintage == Vintage::Current {
            assert_eq!(
                stdout(&tm_ok(&env, &["config", "get", "system"])),
                "Be terse.\n\nAnswer in Korean.\n"
            );
        }
        assert!(!env.key_file().exists());
    }
}

#[test]
fn the_originals_key_only_with_with_key() {
    let env = TmEnv::new();
    let source = env.dir().join("database.db");
    tokenmeter_fixture(&source, Vintage::Current);
    let output = tm_ok(
        &env,
        &[
            "import",
            "tokenmeter",
            "--with-key",
            source.to_str().expect("utf-8"),
        ],
    );
    assert!(!stderr(&output).contains("sk-original"));
    assert_eq!(
        std::fs::read_to_string(env.key_file()).expect("key file"),
        "sk-original-0123456789abcdef\n"
    );
}

/// A ChatGPT conversation whose last question was edited: two branches, and only the one
/// the user last saw (`current_node`) is imported, in the tree's order, not the times'.
fn chatgpt_conversations() -> serde_json::Value {
    use serde_json::json;
    let node = |id: &str,
                parent: Option<&str>,
                role: &str,
                text: serde_json::Value,
                time: f64,
                extra: serde_json::Value| {
        let mut message = json!({
            "id": id, "author": {"role": role}, "create_time": time,
            "content": {"content_type": "text", "parts": [text]}, "recipient": "all",
            "metadata": {"model_slug": "gpt-4o"}
        });
        if let (Some(target), Some(more)) = (message.as_object_mut(), extra.as_object()) {
            for (key, value) in more {
                target.insert(key.clone(), value.clone());
            }
        }
        (
            id.to_owned(),
            json!({"id": id, "message": message, "parent": parent, "children": []}),
        )
    };
    let mut mapping = serde_json::Map::new();
    for (id, value) in [
        (
            "root".to_owned(),
            json!({"id": "root", "message": null, "parent": null, "children": ["sys"]}),
        ),
        node(
            "sys",
            Some("root"),
            "system",
            json!("You are ChatGPT."),
            1.0,
            json!({}),
        ),
        node(
            "ctx",
            Some("sys"),
            "user",
            json!("custom instructions"),
            2.0,
            json!({"metadata": {"is_visually_hidden_from_conversation": true}}),
        ),
        node(
            "u1",
            Some("ctx"),
            "user",
            json!("What is a monad?"),
            1_740_823_200.5,
            json!({}),
        ),
        node(
            "think",
            Some("u1"),
            "assistant",
            json!("…"),
            1_740_823_201.0,
            json!({"content": {"content_type": "thoughts", "thoughts": []}}),
        ),
        node(
            "a1",
            Some("think"),
            "assistant",
            json!("A monoid in the category of endofunctors."),
            1_740_823_202.0,
            json!({}),
        ),
        node(
            "u2old",
            Some("a1"),
            "user",
            json!("old question"),
            1_740_823_300.0,
            json!({}),
        ),
        node(
            "a2old",
            Some("u2old"),
            "assistant",
            json!("old answer"),
            1_740_823_301.0,
            json!({}),
        ),
        // Edited later, but sent at an earlier time than the old branch's answer: the
        // tree's order, not the times', is the order.
        node(
            "u2",
            Some("a1"),
            "user",
            json!({"content_type": "image_asset_pointer", "asset_pointer": "file-service://file-abc.png"}),
            1_740_823_250.0,
            json!({}),
        ),
        node(
            "tool",
            Some("u2"),
            "assistant",
            json!("search(\"x\")"),
            1_740_823_251.0,
            json!({"recipient": "browser"}),
        ),
        node(
            "a2",
            Some("tool"),
            "assistant",
            json!("An image of a dot."),
            1_740_823_252.0,
            json!({"metadata": {}}),
        ),
    ] {
        mapping.insert(id, value);
    }
    json!([{
        "id": "c-1", "conversation_id": "c-1", "title": "Monads", "create_time": 1_740_823_200.0,
        "update_time": 1_740_823_252.0, "mapping": mapping, "current_node": "a2",
        "default_model_slug": "gpt-4o-mini"
    }, {
        "id": "c-2", "conversation_id": "c-2", "title": "Second", "create_time": 1_740_900_000.0,
        "update_time": 1_740_900_001.0, "current_node": "x2", "mapping": {
            "x1": {"id": "x1", "parent": null, "message": {"id": "x1", "author": {"role": "user"}, "create_time": 1_740_900_000.0, "content": {"content_type": "text", "parts": ["hi"]}}},
            "x2": {"id": "x2", "parent": "x1", "message": {"id": "x2", "author": {"role": "assistant"}, "create_time": 1_740_900_001.0, "content": {"content_type": "text", "parts": ["hello"]}, "metadata": {"model_slug": "gpt-4o"}}}
        }
    }])
}

fn import_chatgpt(source: &Path) -> TmEnv {
    let env = TmEnv::new();
    tm_ok(
        &env,
        &["import", "chatgpt", source.to_str().expect("utf-8")],
    );
    env
}

/// An export of an account with no conversations is no error, and is not taken for one
/// imported before.
#[test]
fn an_export_of_no_conversations_says_so() {
    let env = TmEnv::new();
    let empty = write_file(&env, "conversations.json", "[]");
    let output = tm_ok(&env, &["import", "chatgpt", empty.to_str().expect("utf-8")]);
    assert_eq!(
        stderr(&output),
        format!(
            "{} holds no conversations; nothing to add\n",
            empty.display()
        )
    );
    assert_eq!(env.rows("SELECT count(*) FROM imports"), [["0"]]);
}

#[test]
fn chatgpt_imports_the_branch_last_seen_from_any_form_of_the_export() {
    let conversations = chatgpt_conversations();
    let dir = tempfile::tempdir().expect("temp dir");
    let single = dir.path().join("conversations.json");
    std::fs::write(&single, conversations.to_string()).expect("write");
    let env = import_chatgpt(&single);
    assert_eq!(
        env.rows("SELECT m.role, m.content, m.created_at, m.status FROM messages m ORDER BY m.id"),
        [
            [
                "user",
                "What is a monad?",
                "2025-03-01T10:00:00.500Z",
                "answered"
            ],
            [
                "assistant",
                "A monoid in the category of endofunctors.",
                "2025-03-01T10:00:02.000Z",
                "complete"
            ],
            [
                "user",
                "[image: file-abc.png]",
                "2025-03-01T10:00:50.000Z",
                "answered"
            ],
            [
                "assistant",
                "An image of a dot.",
                "2025-03-01T10:00:52.000Z",
                "complete"
            ],
            ["user", "hi", "2025-03-02T07:20:00.000Z", "answered"],
            ["assistant", "hello", "2025-03-02T07:20:01.000Z", "complete"]
        ]
    );
    // The second answer names no model: the conversation's default is used.
    assert_eq!(
        env.rows("SELECT model, usage_estimated, imported, cost_picodollars IS NOT NULL FROM requests ORDER BY id"),
        [
            ["gpt-4o", "1", "chatgpt", "1"],
            ["gpt-4o-mini", "1", "chatgpt", "1"],
            ["gpt-4o", "1", "chatgpt", "1"]
        ]
    );
    assert!(
        stdout(&tm_ok(&env, &["show", "1"])).contains(" ~"),
        "estimates are marked"
    );
    env.assert_totals_match_requests();
    let reference = export(&env, &[]);

    // The split files of newer exports, in a folder with the manifest.
    let split = dir.path().join("split");
    std::fs::create_dir(&split).expect("dir");
    let list = conversations.as_array().expect("array");
    std::fs::write(
        split.join("conversations-000.json"),
        serde_json::Value::Array(vec![list[0].clone()]).to_string(),
    )
    .expect("write");
    std::fs::write(
        split.join("conversations-001.json"),
        serde_json::Value::Array(vec![list[1].clone()]).to_string(),
    )
    .expect("write");
    std::fs::write(split.join("export_manifest.json"), "{}").expect("write");
    assert_eq!(export(&import_chatgpt(&split), &[]), reference);

    // The zip, with the single file in a folder inside it.
    let zipped = dir.path().join("export.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zipped).expect("zip"));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("export/conversations.json", options)
        .expect("entry");
    zip.write_all(conversations.to_string().as_bytes())
        .expect("write");
    zip.start_file("export/chat.html", options).expect("entry");
    zip.write_all(b"<html></html>").expect("write");
    zip.finish().expect("finish");
    assert_eq!(export(&import_chatgpt(&zipped), &[]), reference);
}

/// `tm import llm SOURCE` says it imported `imported…`; the same file again adds nothing.
fn import_llm_twice(env: &TmEnv, source: &Path, imported: &str) {
    let source = source.to_str().expect("utf-8");
    let first = tm_ok(env, &["import", "llm", source]);
    assert!(stderr(&first).starts_with(imported), "{}", stderr(&first));
    let again = tm_ok(env, &["import", "llm", source]);
    assert!(
        stderr(&again).ends_with("; nothing to add\n"),
        "{}",
        stderr(&again)
    );
}

/// The tables of llm's older log, which its newer versions keep beside the message store.
const LLM_RESPONSES: &str =
    "CREATE TABLE conversations (id TEXT PRIMARY KEY, name TEXT, model TEXT);
    CREATE TABLE responses (id TEXT PRIMARY KEY, model TEXT, prompt TEXT, system TEXT,
        prompt_json TEXT, options_json TEXT, response TEXT, response_json TEXT,
        conversation_id TEXT REFERENCES conversations(id), duration_ms INTEGER,
        datetime_utc TEXT, input_tokens INTEGER, output_tokens INTEGER, token_details TEXT);";

/// llm's log database, as the tests make it in llm's schema: responses in conversations,
/// with their token counts and the details of cached and reasoning tokens.
#[test]
fn llm_logs_import_with_their_tokens() {
    let env = TmEnv::new();
    let source = env.dir().join("logs.db");
    let conn = rusqlite::Connection::open(&source).expect("fixture");
    conn.execute_batch(LLM_RESPONSES).expect("fixture");
    conn.execute_batch(
        "INSERT INTO conversations VALUES ('01j0a', 'monads', 'gpt-4o-mini'), ('01j0b', 'lone', 'gpt-4o');
         INSERT INTO responses VALUES
           ('01r1', 'gpt-4o-mini', 'what is a monad?', 'Be terse.', NULL, '{}', 'A monoid.', NULL, '01j0a', 900, '2025-01-02T03:04:05.123456', 20, 5, '{\"prompt_tokens_details\": {\"cached_tokens\": 8}, \"completion_tokens_details\": {\"reasoning_tokens\": 2}}'),
           ('01r2', 'gpt-4o-mini', 'and a functor?', NULL, NULL, '{}', 'A map.', NULL, '01j0a', 800, '2025-01-02T03:05:00.000000', 40, 6, NULL),
           ('01r3', 'gpt-4o', 'hello', NULL, NULL, '{}', 'Hi.', NULL, '01j0b', 100, '2025-01-03T00:00:00', NULL, NULL, NULL);",
    )
    .expect("fixture");
    drop(conn);
    import_llm_twice(
        &env,
        &source,
        "imported 2 conversations, 6 messages and 3 requests from ",
    );
    assert_eq!(
        env.rows("SELECT title FROM conversations ORDER BY id"),
        [["monads"], ["lone"]]
    );
    assert_eq!(
        env.rows(
            "SELECT model, prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens,
                    usage_estimated, system_prompt, sent_message_ids, started_at, duration_ms
             FROM requests ORDER BY id"
        ),
        [
            [
                "gpt-4o-mini",
                "20",
                "8",
                "5",
                "2",
                "0",
                "Be terse.",
                "[1]",
                "2025-01-02T03:04:05.123Z",
                "900"
            ],
            [
                "gpt-4o-mini",
                "40",
                "0",
                "6",
                "0",
                "0",
                "NULL",
                "[1,2,3]",
                "2025-01-02T03:05:00.000Z",
                "800"
            ],
            [
                "gpt-4o",
                "8",
                "0",
                "2",
                "0",
                "1",
                "NULL",
                "[5]",
                "2025-01-03T00:00:00.000Z",
                "100"
            ]
        ]
    );
    env.assert_totals_match_requests();
}

/// llm's newer message store, as its documentation gives the schema: threads pointing at
/// the newest message of a chain of messages made of parts, and turns with the tokens. A
/// thread that continues an older conversation goes on in it without repeating it; a fork's
/// turn, reasoning and tool calls are not imported, text kept by reference (a fragment) is,
/// and an attachment is named.
#[test]
fn llm_threads_and_turns_import_as_the_branch_each_thread_shows() {
    let env = TmEnv::new();
    let source = env.dir().join("logs.db");
    let conn = rusqlite::Connection::open(&source).expect("fixture");
    conn.execute_batch(LLM_RESPONSES).expect("fixture");
    conn.execute_batch(
        "CREATE TABLE attachments (id TEXT PRIMARY KEY, type TEXT, path TEXT, url TEXT, content BLOB);
         CREATE TABLE fragments (id INTEGER PRIMARY KEY, hash TEXT, content TEXT, datetime_utc TEXT, source TEXT);
         CREATE TABLE messages (hash TEXT PRIMARY KEY, parent_hash TEXT REFERENCES messages(hash),
             role TEXT, provider_metadata TEXT);
         CREATE TABLE parts (id INTEGER PRIMARY KEY, message_hash TEXT REFERENCES messages(hash),
             position INTEGER, type TEXT, tool_name TEXT, text TEXT, payload TEXT);
         CREATE TABLE part_attachments (part_id INTEGER REFERENCES parts(id),
             attachment_id TEXT REFERENCES attachments(id), \"order\" INTEGER,
             PRIMARY KEY (part_id, attachment_id));
         CREATE TABLE threads (id TEXT PRIMARY KEY, name TEXT, tip_message_hash TEXT REFERENCES messages(hash),
             forked_from TEXT REFERENCES threads(id), datetime_utc TEXT);
         CREATE TABLE turns (id TEXT PRIMARY KEY, thread_id TEXT REFERENCES threads(id),
             parent_message_hash TEXT REFERENCES messages(hash), tip_message_hash TEXT REFERENCES messages(hash),
             model TEXT, resolved_model TEXT, options_json TEXT, schema_id TEXT, input_tokens INTEGER,
             output_tokens INTEGER, token_details TEXT, duration_ms INTEGER, datetime_utc TEXT);
         INSERT INTO conversations VALUES ('01j0a', 'monads', 'gpt-4o-mini');
         INSERT INTO responses VALUES
           ('01r1', 'gpt-4o-mini', 'what is a monad?', NULL, NULL, '{}', 'A monoid.', NULL, '01j0a', 900,
            '2025-01-02T03:04:05.123456', 20, 5, NULL);
         INSERT INTO messages VALUES
           ('b2:s', NULL, 'system', NULL), ('b2:q1', 'b2:s', 'user', NULL),
           ('b2:a1', 'b2:q1', 'assistant', NULL), ('b2:q2', 'b2:a1', 'user', NULL),
           ('b2:a2', 'b2:q2', 'assistant', NULL),
           ('b2:h', NULL, 'user', NULL), ('b2:hi', 'b2:h', 'assistant', NULL),
           ('b2:fork', 'b2:h', 'assistant', NULL);
         INSERT INTO fragments VALUES (1, 'f', 'Hello from a fragment', '2025-02-01T00:00:00', 'x');
         INSERT INTO attachments VALUES ('sha', 'image/png', 'cat.png', NULL, NULL);
         INSERT INTO parts VALUES
           (1, 'b2:s', 0, 'text', NULL, 'Be terse.', NULL),
           (2, 'b2:q1', 0, 'text', NULL, 'what is a monad?', NULL),
           (3, 'b2:a1', 0, 'text', NULL, 'A monoid.', NULL),
           (4, 'b2:q2', 0, 'text', NULL, 'and a functor?', NULL),
           (5, 'b2:a2', 0, 'reasoning', NULL, 'thinking hard', NULL),
           (6, 'b2:a2', 1, 'tool_call', 'lookup', NULL, '{\"arguments\": {}}'),
           (7, 'b2:a2', 2, 'text', NULL, 'A map.', NULL),
           (8, 'b2:h', 0, 'text', NULL, 'look at this', NULL),
           (9, 'b2:h', 1, 'attachment', NULL, NULL, '{\"attachment\": \"sha\"}'),
           (10, 'b2:hi', 0, 'text', NULL, NULL, '{\"text_ref\": [{\"fragment\": 1}, {\"literal\": \", a cat.\"}]}'),
           (11, 'b2:fork', 0, 'text', NULL, 'Another branch.', NULL);
         INSERT INTO part_attachments VALUES (9, 'sha', 0);
         INSERT INTO threads VALUES
           ('01j0a', 'monads', 'b2:a2', NULL, '2025-01-02T03:04:05'),
           ('01j0t', 'a cat', 'b2:hi', NULL, '2025-02-01T10:00:00');
         INSERT INTO turns VALUES
           ('01t2', '01j0a', 'b2:q2', 'b2:a2', 'gpt-4o-mini', NULL, '{}', NULL, 40, 6,
            '{\"cached_tokens\": 16}', 700, '2025-01-02T03:05:00+00:00'),
           ('01t3', '01j0t', 'b2:h', 'b2:fork', 'gpt-4o', NULL, '{}', NULL, 9, 3, NULL, 50,
            '2025-02-01T10:00:01Z'),
           ('01t4', '01j0t', 'b2:h', 'b2:hi', 'gpt-4o', NULL, '{}', NULL, NULL, NULL, NULL, 60,
            '2025-02-01T10:00:02Z');",
    )
    .expect("fixture");
    drop(conn);
    import_llm_twice(
        &env,
        &source,
        "imported 2 conversations, 6 messages and 3 requests from ",
    );
    assert_eq!(
        env.rows(
            "SELECT c.title, m.role, m.content, m.status, m.created_at
             FROM messages m JOIN conversations c ON c.id = m.conversation_id ORDER BY m.id"
        ),
        [
            [
                "monads",
                "user",
                "what is a monad?",
                "answered",
                "2025-01-02T03:04:05.123Z"
            ],
            [
                "monads",
                "assistant",
                "A monoid.",
                "complete",
                "2025-01-02T03:04:05.123Z"
            ],
            [
                "monads",
                "user",
                "and a functor?",
                "answered",
                "2025-01-02T03:05:00.000Z"
            ],
            [
                "monads",
                "assistant",
                "A map.",
                "complete",
                "2025-01-02T03:05:00.000Z"
            ],
            [
                "a cat",
                "user",
                "look at this\n\n[attachment: cat.png]",
                "answered",
                "2025-02-01T10:00:02.000Z"
            ],
            [
                "a cat",
                "assistant",
                "Hello from a fragment, a cat.",
                "complete",
                "2025-02-01T10:00:02.000Z"
            ],
        ]
    );
    assert_eq!(
        env.rows(
            "SELECT model, prompt_tokens, cached_tokens, completion_tokens, usage_estimated,
                    system_prompt, sent_message_ids, question_id, answer_id, started_at, duration_ms
             FROM requests ORDER BY id"
        ),
        [
            [
                "gpt-4o-mini",
                "20",
                "0",
                "5",
                "0",
                "NULL",
                "[1]",
                "1",
                "2",
                "2025-01-02T03:04:05.123Z",
                "900"
            ],
            [
                "gpt-4o-mini",
                "40",
                "16",
                "6",
                "0",
                "Be terse.",
                "[1,2,3]",
                "3",
                "4",
                "2025-01-02T03:05:00.000Z",
                "700"
            ],
            [
                "gpt-4o",
                "17",
                "0",
                "8",
                "1",
                "NULL",
                "[5]",
                "5",
                "6",
                "2025-02-01T10:00:02.000Z",
                "60"
            ],
        ]
    );
    env.assert_totals_match_requests();
}

/// An import is one transaction: killed while it writes, it leaves the history as it was
/// (or, had it committed first, whole), never half of it.
#[test]
fn a_killed_import_leaves_nothing_half_written() {
    let env = TmEnv::new();
    tm_ok(&env, &["list"]);
    let messages = |n: usize| {
        (0..n)
            .map(|m| {
                format!(
                    r#"{{"uuid":"00000000-0000-4000-8000-{n:06}{m:06}","role":"{}","content":"message {m} of a long import, with words to index","status":"{}","created_at":"2025-01-01T00:00:00.000Z","content_tokens":null,"token_encoding":null}}"#,
                    if m % 2 == 0 { "user" } else { "assistant" },
                    if m % 2 == 0 { "answered" } else { "complete" }
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let lines: String = (0..3_000)
        .map(|c| {
            format!(
                r#"{{"format":"tm-export","version":1,"uuid":"00000000-0000-4000-9000-{c:012}","title":"conversation {c}","created_at":"2025-01-01T00:00:00.000Z","updated_at":"2025-01-01T00:00:00.000Z","messages":[{}],"requests":[]}}
"#,
                messages(10).replace("-8000-0000", &format!("-8000-{c:04}"))
            )
        })
        .collect();
    let file = write_file(&env, "big.jsonl", &lines);
    let mut child = env
        .command()
        .args(["import", "tm", file.to_str().expect("utf-8")])
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn tm import");
    // The WAL grows while the transaction writes; kill then.
    let wal = PathBuf::from(format!("{}-wal", env.db().display()));
    loop {
        let grown = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 256 * 1024);
        if grown || child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::yield_now();
    }
    drop(child.kill());
    drop(child.wait());
    let counts = env.rows(
        "SELECT (SELECT count(*) FROM conversations), (SELECT count(*) FROM messages),
                (SELECT count(*) FROM imports)",
    );
    assert!(
        counts == [["0", "0", "0"]] || counts == [["3000", "30000", "1"]],
        "{counts:?}"
    );
    env.assert_search_index_is_whole();
}

/// Markdown is the transcript `tm show --markdown` prints; an id that is not there is a
/// usage error; `--since` keeps the conversations active since then.
#[test]
fn markdown_ids_and_since() {
    let env = history();
    let markdown = export(&env, &["1", "--format", "markdown"]);
    let shown = stdout(&tm_ok(&env, &["show", "1", "--markdown"]));
    assert_eq!(markdown, format!("{shown}\n"));
    assert!(markdown.starts_with("# what is a monad?\n"), "{markdown}");
    let missing = env.tm().args(["export", "9"]).output().expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(
        stderr(&missing),
        "tm: error: there is no conversation 9; `tm list` shows the ids\n"
    );
    env.execute("UPDATE conversations SET updated_at = '2020-01-01T00:00:00.000Z' WHERE id = 1");
    let recent = export(&env, &["--since", "30d"]);
    assert_eq!(recent.lines().count(), 1);
    assert!(
        recent.contains("\"title\":\"a second conversation\""),
        "{recent}"
    );
}

/// An import of more than 300 conversations shows a progress bar on a terminal, and
/// nothing of it when stderr is not one.
#[test]
fn a_long_import_shows_its_progress_on_a_terminal() {
    let env = TmEnv::new();
    tm_ok(&env, &["list"]);
    let lines: String = (0..400)
        .map(|c| {
            format!(
                r#"{{"format":"tm-export","version":1,"uuid":"00000000-0000-4000-9000-{c:012}","title":"conversation {c}","created_at":"2025-01-01T00:00:00.000Z","updated_at":"2025-01-01T00:00:00.000Z","messages":[{{"uuid":"00000000-0000-4000-8000-{c:012}","role":"user","content":"question {c}","status":"answered","created_at":"2025-01-01T00:00:00.000Z","content_tokens":null,"token_encoding":null}}],"requests":[]}}
"#
            )
        })
        .collect();
    let file = write_file(&env, "long.jsonl", &lines);
    let path = file.to_str().expect("utf-8");
    let mut command = env.command();
    command.args([
        "--db",
        &env.dir().join("pty.db").display().to_string(),
        "import",
        "tm",
        path,
    ]);
    let shown = from_latin1(&spawn(command).exp_eof().expect("tm exits"));
    assert!(shown.contains("importing"), "{shown:?}");
    assert!(shown.contains("/400 conversations"), "{shown:?}");
    assert!(
        shown.contains("indexing the imported messages for search"),
        "{shown:?}"
    );
    assert!(
        shown.contains("imported 400 conversations, 400 messages"),
        "{shown:?}"
    );
    let piped = tm_ok(&env, &["import", "tm", path]);
    assert_eq!(
        stderr(&piped),
        format!("imported 400 conversations, 400 messages and 0 requests from {path}\n")
    );
}
