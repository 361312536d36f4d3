//! The habits of llm, mods and aichat users: `tm "question"` without `ask`, an editor to
//! write in, the last answer alone for a pipe, and the list of models.

use std::os::unix::fs::PermissionsExt as _;

use serde_json::{Value, json};

use crate::support::{FakeOpenAi, Reply, TmEnv, answer, stderr, stdout};

/// `tm "question"` asks, and `tm -c "more"` goes on; subcommands are still subcommands.
#[test]
fn a_question_without_ask() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("A monoid."), answer("Like this.")]);
    env.tm_with(&server)
        .args(["what is a monad?"])
        .assert()
        .success()
        .stdout("A monoid.\n");
    env.tm_with(&server)
        .args(["-c", "in Rust?"])
        .assert()
        .success()
        .stdout("Like this.\n");
    assert_eq!(
        server.requests()[1].json()["messages"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    let listed = stdout(&env.tm().args(["list"]).output().expect("runs"));
    assert!(listed.contains("what is a monad?"), "{listed}");
}

/// `tm show ID --last-answer` prints the last answer alone, as the model wrote it.
#[test]
fn the_last_answer_alone() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("first"), answer("## Second\n\n- a `b`")]);
    env.tm_with(&server)
        .args(["ask", "-q", "one"])
        .assert()
        .success();
    env.tm_with(&server)
        .args(["ask", "-q", "-c", "two"])
        .assert()
        .success();
    env.tm()
        .args(["show", "1", "--last-answer"])
        .assert()
        .success()
        .stdout("## Second\n\n- a `b`\n");
}

/// An editor script that saves `text` into the file it is given, and notes the file's mode
/// and path beside it.
fn editor(env: &TmEnv, text: &str) -> String {
    let script = env.dir().join("editor.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nstat -c %a \"$1\" > \"{dir}/mode\"\necho \"$1\" > \"{dir}/path\"\nprintf '%s' '{text}' > \"$1\"\n",
            dir = env.dir().display()
        ),
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    script.display().to_string()
}

/// `tm ask -e`: the question is written in $EDITOR, in a file only the user can read, which
/// is gone afterwards; an empty file sends nothing.
#[test]
fn ask_in_the_editor() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("A monoid.")]);
    env.tm_with(&server)
        .env("EDITOR", editor(&env, "what is a monad?"))
        .env_remove("VISUAL")
        .args(["ask", "-e", "-q"])
        .assert()
        .success()
        .stdout("A monoid.\n");
    assert_eq!(
        server.requests()[0].json()["messages"],
        json!([{"role": "user", "content": "what is a monad?"}])
    );
    let read = |name: &str| {
        std::fs::read_to_string(env.dir().join(name))
            .expect("noted")
            .trim()
            .to_owned()
    };
    assert_eq!(read("mode"), "600");
    assert!(
        !std::path::Path::new(&read("path")).exists(),
        "the draft is removed"
    );
    let empty = env
        .tm_with(&server)
        .env("EDITOR", editor(&env, ""))
        .env_remove("VISUAL")
        .args(["ask", "-e"])
        .output()
        .expect("runs");
    assert!(empty.status.success());
    assert_eq!(
        stderr(&empty),
        "nothing was sent: the question was left empty\n"
    );
    assert_eq!(env.rows("SELECT count(*) FROM messages"), [["2"]]);
}

/// `/edit` in chat writes the next question in the editor.
#[test]
fn chat_edit() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("A monoid.")]);
    env.tm_with(&server)
        .env("EDITOR", editor(&env, "what is a monad?"))
        .env_remove("VISUAL")
        .args(["chat"])
        .write_stdin("/edit\n")
        .assert()
        .success();
    assert_eq!(
        server.requests()[0].json()["messages"],
        json!([{"role": "user", "content": "what is a monad?"}])
    );
}

/// `tm models`: what the server offers, with the table's prices, context, API and reasoning;
/// a model without a price says so. `--known` asks no server.
#[test]
fn models_from_the_server_and_the_table() {
    let env = TmEnv::new();
    let listed = json!({"object": "list", "data": [
        {"id": "gpt-5.5-pro", "object": "model", "owned_by": "openai"},
        {"id": "gpt-4o-mini", "object": "model", "owned_by": "openai"},
        {"id": "local-llama", "object": "model", "owned_by": "me"}
    ]});
    let server = FakeOpenAi::start(vec![
        Reply::json(200, &listed.to_string()),
        Reply::json(200, &listed.to_string()),
    ]);
    let output = env
        .tm_with(&server)
        .args(["models", "--json"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(server.requests()[0].path, "/v1/models");
    let rows: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(
        rows,
        json!([
            {"id": "gpt-4o-mini", "priced": true, "input_per_million": 0.15, "output_per_million": 0.6,
             "context_window": 128000, "api": "chat", "reasoning": [], "retires": "2027-01-14"},
            {"id": "gpt-5.5-pro", "priced": true, "input_per_million": 30.0, "output_per_million": 180.0,
             "context_window": 1050000, "api": "responses", "reasoning": ["medium", "high", "xhigh"], "retires": null},
            {"id": "local-llama", "priced": false, "input_per_million": null, "output_per_million": null,
             "context_window": null, "api": null, "reasoning": [], "retires": null}
        ])
    );
    let table = env
        .tm_with(&server)
        .args(["models"])
        .output()
        .expect("runs");
    let text = stdout(&table);
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("local-llama") && l.contains("no price")),
        "{text}"
    );
    assert_eq!(stderr(&table), "3 models; prices in USD per 1M tokens\n");
    let known = env
        .tm()
        .args(["models", "--known", "--json"])
        .output()
        .expect("runs");
    let known: Value = serde_json::from_str(&stdout(&known)).expect("JSON");
    let ids: Vec<&str> = known
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"gpt-5.6") && ids.contains(&"gpt-5.5-pro"),
        "{ids:?}"
    );
    assert!(!ids.iter().any(|id| id.contains("image")), "{ids:?}");
}

/// A saved role is a system prompt with an optional model: `ask -r` uses both (a `-m`
/// still wins), the request records it, and `/role` takes one in chat.
#[test]
fn saved_roles() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("A."), answer("B."), answer("C.")]);
    env.tm()
        .args([
            "role", "set", "coder", "-m", "gpt-5.5", "Answer", "with", "code.",
        ])
        .assert()
        .success()
        .stderr("saved the role coder\n");
    env.tm()
        .args(["role", "set", "terse", "Be terse."])
        .assert()
        .success();
    let listed: Value = serde_json::from_str(&stdout(
        &env.tm()
            .args(["role", "list", "--json"])
            .output()
            .expect("runs"),
    ))
    .expect("JSON");
    assert_eq!(
        listed,
        json!([
            {"name": "coder", "system": "Answer with code.", "model": "gpt-5.5"},
            {"name": "terse", "system": "Be terse.", "model": null}
        ])
    );
    env.tm_with(&server)
        .args(["ask", "-q", "-r", "coder", "sort a list"])
        .assert()
        .success();
    env.tm_with(&server)
        .args(["ask", "-q", "-r", "coder", "-m", "gpt-5.4-mini", "again"])
        .assert()
        .success();
    let sent = server.requests();
    assert_eq!(sent[0].json()["model"], json!("gpt-5.5"));
    assert_eq!(
        sent[0].json()["messages"][0],
        json!({"role": "system", "content": "Answer with code."})
    );
    assert_eq!(sent[1].json()["model"], json!("gpt-5.4-mini"));
    assert_eq!(
        env.rows("SELECT role, model FROM requests ORDER BY id"),
        [["coder", "gpt-5.5"], ["coder", "gpt-5.4-mini"]]
    );
    let unknown = env
        .tm()
        .args(["ask", "-r", "poet", "hi"])
        .output()
        .expect("runs");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("there is no role 'poet'"),
        "{}",
        stderr(&unknown)
    );
    env.tm_with(&server)
        .args(["chat"])
        .write_stdin("/role terse\nhello\n")
        .assert()
        .success();
    assert_eq!(
        server.requests()[2].json()["messages"][0],
        json!({"role": "system", "content": "Be terse."})
    );
    env.tm()
        .args(["role", "remove", "terse"])
        .assert()
        .success();
    env.tm()
        .args(["role", "remove", "terse"])
        .assert()
        .failure();
}

/// `-o KEY=VALUE` adds a request field, kept with the record and shown under `show
/// --tokens`; a field tm sets itself is refused.
#[test]
fn request_options_pass_through() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("A.")]);
    env.tm_with(&server)
        .args(["ask", "-q", "-o", "temperature=0.2", "-o", "user=me", "hi"])
        .assert()
        .success();
    let body = server.requests()[0].json();
    assert_eq!(
        (body["temperature"].clone(), body["user"].clone()),
        (json!(0.2), json!("me"))
    );
    assert_eq!(
        env.rows("SELECT options FROM requests"),
        [[r#"{"temperature":0.2,"user":"me"}"#]]
    );
    let shown = stdout(
        &env.tm()
            .args(["show", "1", "--tokens"])
            .output()
            .expect("runs"),
    );
    assert!(
        shown.ends_with("\n#1 options: {\"temperature\":0.2,\"user\":\"me\"}\n"),
        "{shown}"
    );
    let refused = env
        .tm()
        .args(["ask", "-o", "stream=false", "hi"])
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        stderr(&refused),
        "tm: error: -o stream: tm sets stream itself (use --no-stream)\n"
    );
}
