//! `tm chat` in a real pseudo-terminal (rexpect) against the fake server, and with piped stdin.

use std::process::Command;
use std::sync::mpsc;

use rexpect::process::WaitStatus;
use rexpect::session::PtySession;
use serde_json::json;

use crate::support::fake_openai::{chunk, delta};
use crate::support::{
    FakeOpenAi, Reply, Step, TmEnv, answer, expect, from_latin1, spawn, stderr, stdout,
};

const TOKEN_LINE: &str = "gpt-5.4-mini · question: 1,234 prompt tokens (312 cached) · answer: 56 completion tokens (40 reasoning) · $0.00097";

fn chat(env: &TmEnv, server: &FakeOpenAi, args: &[&str]) -> PtySession {
    let mut command = env.spawnable(server);
    command.arg("chat").args(args);
    let mut session = spawn(command);
    expect(&mut session, "/help lists the commands").expect("banner");
    session
}

/// Types a line at a fresh prompt. Keys typed before the line editor is back are flushed
/// by the terminal, as they would be for a person, so every line waits for its prompt.
fn say(session: &mut PtySession, line: &str) {
    expect(session, "> ").expect("a fresh prompt");
    session.send_line(line).expect("send");
}

/// Ctrl-D at a fresh prompt; what came before the end.
fn leave(session: &mut PtySession) -> String {
    expect(session, "> ").expect("a fresh prompt");
    session.send_control('d').expect("ctrl-d");
    from_latin1(&session.exp_eof().expect("eof"))
}

/// Sends a question and waits for the line that follows its answer.
fn exchange(session: &mut PtySession, question: &str, answer_text: &str) {
    say(session, question);
    expect(session, answer_text).expect("answer");
    expect(session, TOKEN_LINE).expect("token line");
}

fn exit_code(session: &PtySession) -> Option<i32> {
    match session.process().wait().expect("wait") {
        WaitStatus::Exited(_, code) => Some(code),
        _ => None,
    }
}

fn contents(server: &FakeOpenAi, index: usize) -> Vec<String> {
    server.requests()[index].json()["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| {
            format!(
                "{}: {}",
                m["role"].as_str().unwrap_or_default(),
                m["content"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn two_exchanges_then_exit_or_ctrl_d() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![
        answer("First answer."),
        answer("Second answer."),
        answer("Third."),
    ]);
    let mut session = chat(&env, &server, &[]);
    exchange(&mut session, "first question", "First answer.");
    exchange(&mut session, "second question", "Second answer.");
    say(&mut session, "/exit");
    session.exp_eof().expect("eof");
    assert_eq!(exit_code(&session), Some(0));
    assert_eq!(
        contents(&server, 1),
        [
            "user: first question",
            "assistant: First answer.",
            "user: second question"
        ]
    );
    assert_eq!(
        env.rows("SELECT conversation_id, role, content, status FROM messages ORDER BY id"),
        [
            ["1", "user", "first question", "answered"],
            ["1", "assistant", "First answer.", "complete"],
            ["1", "user", "second question", "answered"],
            ["1", "assistant", "Second answer.", "complete"],
        ]
    );

    let mut session = chat(&env, &server, &["--last"]);
    exchange(&mut session, "third", "Third.");
    leave(&mut session);
    assert_eq!(exit_code(&session), Some(0));
    assert_eq!(
        env.rows("SELECT count(DISTINCT conversation_id), count(*) FROM messages"),
        [["1", "6"]]
    );
}

#[test]
fn slash_commands() {
    let env = TmEnv::new();
    let invalid = r#"{"error":{"message":"Invalid 'messages[0].content': string too long.","type":"invalid_request_error","param":"messages","code":null}}"#;
    let server = FakeOpenAi::start(vec![
        answer("one"),
        answer("two"),
        Reply::json(400, invalid),
        answer("three"),
        answer("four"),
    ]);
    let mut session = chat(&env, &server, &[]);
    say(&mut session, "/help");
    for command in [
        "/tokens",
        "/model NAME",
        "/max N",
        "/system TEXT",
        "/retry",
        "/new",
        "/exit",
    ] {
        expect(&mut session, command).expect(command);
    }
    say(&mut session, "/frobnicate now");
    expect(
        &mut session,
        "unknown command /frobnicate; nothing was sent. /help lists the commands",
    )
    .expect("unknown");
    say(&mut session, "/tokens");
    expect(&mut session, "no exchange yet").expect("no exchange");

    exchange(&mut session, "q1", "one");
    say(&mut session, "/model gpt-5.5");
    expect(&mut session, "model: gpt-5.5").expect("model set");
    say(&mut session, "/system Be brief.");
    expect(&mut session, "system prompt set").expect("system set");
    say(&mut session, "/max 3");
    expect(&mut session, "max-messages: 3").expect("max set");
    say(&mut session, "q2");
    expect(&mut session, "two").expect("two");
    // gpt-5.5: (922 × 5 + 312 × 0.5 + 56 × 30) / 1e6 = $0.006446
    expect(
        &mut session,
        "answer: 56 completion tokens (40 reasoning) · $0.0064",
    )
    .expect("token line");

    say(&mut session, "/tokens");
    expect(&mut session, "request 2 · gpt-5.5 · ok").expect("tokens head");
    expect(
        &mut session,
        "sent: #1 user, #2 assistant, #3 user + the system prompt",
    )
    .expect("sent");
    expect(
        &mut session,
        "prompt: 1,234 tokens (312 cached) · estimated before sending: ~",
    )
    .expect("prompt");
    expect(&mut session, "completion: 56 tokens (40 reasoning)").expect("completion");
    expect(
        &mut session,
        "cost: $0.0064 (input $5, cached $0.5, output $30 per 1M)",
    )
    .expect("cost");

    say(&mut session, "/new");
    expect(
        &mut session,
        "a new conversation starts with the next question",
    )
    .expect("new");
    say(&mut session, "too long");
    expect(&mut session, "tm: error: the server refused the request as invalid (Invalid 'messages[0].content': string too long.)").expect("400");
    expect(&mut session, "/retry sends it again").expect("hint");
    say(&mut session, "/retry");
    expect(&mut session, "three").expect("retried");
    say(&mut session, "/retry");
    expect(
        &mut session,
        "tm: error: the last question of conversation 2 did not fail; there is nothing to retry",
    )
    .expect("nothing");
    say(&mut session, "/system");
    expect(&mut session, "no system prompt").expect("cleared");
    say(&mut session, "after");
    expect(&mut session, "four").expect("four");
    expect(
        &mut session,
        "answer: 56 completion tokens (40 reasoning) · $0.0064",
    )
    .expect("still gpt-5.5");
    say(&mut session, "/exit");
    session.exp_eof().expect("eof");

    assert_eq!(server.requests()[1].json()["model"], json!("gpt-5.5"));
    assert_eq!(
        contents(&server, 1),
        [
            "system: Be brief.",
            "user: q1",
            "assistant: one",
            "user: q2"
        ]
    );
    assert_eq!(
        contents(&server, 2),
        ["system: Be brief.", "user: too long"],
        "/new starts afresh"
    );
    assert_eq!(
        contents(&server, 3),
        ["system: Be brief.", "user: too long"],
        "/retry sends the same question"
    );
    assert_eq!(
        env.rows("SELECT question_id, outcome FROM requests WHERE conversation_id = 2 ORDER BY id"),
        [["5", "failed"], ["5", "ok"], ["7", "ok"]],
        "the retry is a second request for the same question row"
    );
    assert_eq!(
        contents(&server, 4),
        ["user: too long", "assistant: three", "user: after"]
    );
    assert_eq!(
        env.rows("SELECT id, title FROM conversations"),
        [["1", "q1"], ["2", "too long"]]
    );
    assert_eq!(
        env.rows("SELECT content, status FROM messages WHERE conversation_id = 2 ORDER BY id"),
        [
            ["too long", "answered"],
            ["three", "complete"],
            ["after", "answered"],
            ["four", "complete"]
        ]
    );
}

#[test]
fn ctrl_c_stops_the_answer_and_the_conversation_goes_on() {
    let env = TmEnv::new();
    let (_hold, wait) = mpsc::channel();
    let server = FakeOpenAi::start(vec![
        Reply::stream(vec![
            chunk(&delta("The beginning of a long")),
            Step::Gate(wait),
        ]),
        answer("Still here."),
    ]);
    let mut session = chat(&env, &server, &[]);
    say(&mut session, "tell me a long story");
    expect(&mut session, "The beginning of a long").expect("first part");
    // The server still holds the rest: only tm's own Ctrl-C handling can end this answer.
    session.send_control('c').expect("ctrl-c");
    expect(&mut session, "interrupted; the part that arrived was saved").expect("interrupted");
    expect(&mut session, "> ").expect("back at the prompt");

    // Ctrl-C at the prompt clears the typed line.
    session.send("half a thought").expect("type");
    session.flush().expect("flush");
    expect(&mut session, "half a thought").expect("typed");
    session.send_control('c').expect("ctrl-c at prompt");
    exchange(&mut session, "are you there?", "Still here.");
    leave(&mut session);
    assert_eq!(exit_code(&session), Some(0));
    assert_eq!(
        contents(&server, 1),
        [
            "user: tell me a long story",
            "assistant: The beginning of a long",
            "user: are you there?"
        ]
    );
    assert_eq!(
        env.rows("SELECT content, status FROM messages ORDER BY id"),
        [
            ["tell me a long story", "answered"],
            ["The beginning of a long", "interrupted"],
            ["are you there?", "answered"],
            ["Still here.", "complete"],
        ]
    );
    assert_eq!(
        env.rows("SELECT outcome FROM requests ORDER BY id"),
        [["interrupted"], ["ok"]]
    );
}

#[test]
fn resume_by_id_last_and_pick() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![
        answer("about cats"),
        answer("about dogs"),
        answer("more cats"),
        answer("more dogs"),
    ]);
    env.tm_with(&server)
        .args(["ask", "-q", "cats?"])
        .assert()
        .success();
    env.tm_with(&server)
        .args(["ask", "-q", "dogs?"])
        .assert()
        .success();

    let mut command = env.spawnable(&server);
    command.args(["chat", "--conv", "1"]);
    let mut session = spawn(command);
    expect(&mut session, "conversation 1 · cats? · 2 messages").expect("header");
    // Rendered on the terminal, each message under the line that says who wrote it.
    expect(&mut session, "you:\r\ncats?").expect("question");
    expect(&mut session, "answer:\r\nabout cats").expect("answer");
    exchange(&mut session, "and kittens?", "more cats");
    leave(&mut session);
    assert_eq!(
        contents(&server, 2),
        ["user: cats?", "assistant: about cats", "user: and kittens?"]
    );

    let mut command = env.spawnable(&server);
    command.args(["chat", "--pick"]);
    let mut session = spawn(command);
    // Newest first: cats? (just continued), then dogs?; the list is drawn before typing.
    expect(&mut session, "cats?").expect("picker");
    expect(&mut session, "dogs?").expect("picker");
    session.send("dogs").expect("filter");
    session.flush().expect("flush");
    expect(&mut session, "conversation dogs").expect("filtered");
    session.send("\r").expect("choose");
    session.flush().expect("flush");
    expect(&mut session, "answer:\r\nabout dogs").expect("resumed");
    exchange(&mut session, "and puppies?", "more dogs");
    leave(&mut session);
    assert_eq!(
        contents(&server, 3),
        ["user: dogs?", "assistant: about dogs", "user: and puppies?"]
    );

    let output = env
        .tm_with(&server)
        .args(["chat", "--conv", "99"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "tm: error: there is no conversation 99; `tm list` shows the ids\n"
    );
}

/// `tm chat --conv` and `--last` go on with the conversation's model, and the token line names
/// it; `-m` and `/model` still choose.
#[test]
fn resuming_keeps_the_conversations_model() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start((0..4).map(|_| answer("ok")).collect());
    env.tm_with(&server)
        .args(["ask", "-q", "-m", "gpt-5.4", "cats?"])
        .assert()
        .success();
    let output = env
        .tm_with(&server)
        .args(["chat", "--conv", "1"])
        .write_stdin("more?\n/model gpt-5.2\nand more?\n")
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let line = |model: &str, cost: &str| {
        format!(
            "{model} · question: 1,234 prompt tokens (312 cached) · answer: 56 completion tokens (40 reasoning) · {cost}\n"
        )
    };
    assert_eq!(
        stderr(&output),
        format!(
            "{}model: gpt-5.2\n{}",
            line("gpt-5.4", "$0.0032"),
            line("gpt-5.2", "$0.0025")
        )
    );
    env.tm_with(&server)
        .args(["chat", "--last", "-m", "gpt-5.4-mini"])
        .write_stdin("last?\n")
        .assert()
        .success();
    let models: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.json()["model"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(models, ["gpt-5.4", "gpt-5.4", "gpt-5.2", "gpt-5.4-mini"]);
}

/// `/model` checks the effort asked for against the new model: a level it does not take keeps
/// the old model; a model that does not reason gets no effort, with a note.
#[test]
fn model_switches_check_the_effort() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("ok"), answer("ok")]);
    let output = env
        .tm_with(&server)
        .args(["chat", "-m", "gpt-5.5", "--effort", "xhigh"])
        .write_stdin("one\n/model chat-latest\n/model gpt-5-search-api\ntwo\n")
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(
            "tm: error: chat-latest does not take the effort 'xhigh'; it takes medium. Nothing was sent\n\
             the model stays gpt-5.5\n\
             tm: note: gpt-5-search-api does not reason, so the effort 'xhigh' is not sent\n\
             model: gpt-5-search-api\n"
        ),
        "{err}"
    );
    let sent: Vec<(serde_json::Value, serde_json::Value)> = server
        .requests()
        .iter()
        .map(|r| {
            (
                r.json()["model"].clone(),
                r.json()["reasoning_effort"].clone(),
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            (json!("gpt-5.5"), json!("xhigh")),
            (json!("gpt-5-search-api"), json!(null))
        ]
    );
}

/// The banner names the conversation and the model; leaving says what the session asked and
/// what it cost, in one line.
#[test]
fn chat_says_where_it_is_and_what_the_session_cost() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("one"), answer("two")]);
    let mut command = env.spawnable(&server);
    command.arg("chat");
    let mut session = spawn(command);
    expect(
        &mut session,
        "tm chat · a new conversation · gpt-5.4-mini · /help lists the commands, Ctrl-D leaves",
    )
    .expect("banner");
    exchange(&mut session, "first", "one");
    exchange(&mut session, "second", "two");
    let tail = leave(&mut session);
    assert!(
        tail.contains(
            "left conversation 1 · 2 exchanges · 2,468 prompt + 112 completion tokens · $0.0019"
        ),
        "{tail:?}"
    );
    let mut command = env.spawnable(&server);
    command.args(["chat", "--conv", "1"]);
    let mut session = spawn(command);
    expect(
        &mut session,
        "tm chat · conversation 1 · gpt-5.4-mini · /help lists the commands",
    )
    .expect("banner");
    let tail = leave(&mut session);
    assert!(
        tail.contains("left conversation 1 · no exchanges"),
        "{tail:?}"
    );
}

/// `--pick` lists aligned columns (id, title, last activity, messages, cost); Korean titles
/// take two columns a character.
#[test]
fn pick_rows_are_aligned_columns() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("a"), answer("b")]);
    for question in ["모나드와 펑터", "cats?"] {
        env.tm_with(&server)
            .args(["ask", "-q", question])
            .assert()
            .success();
    }
    env.execute(
        "UPDATE conversations SET updated_at = CASE id WHEN 1 THEN '2026-11-20T10:00:00.000Z'
                                                  ELSE '2026-11-19T10:00:00.000Z' END;",
    );
    let mut command = env.spawnable(&server);
    command.args(["chat", "--pick"]);
    let mut session = spawn(command);
    expect(
        &mut session,
        "1  모나드와 펑터  2026-11-20 05:00  2 messages  $0.00097",
    )
    .expect("first row");
    expect(
        &mut session,
        "2  cats?          2026-11-19 05:00  2 messages  $0.00097",
    )
    .expect("second row, aligned");
    session.send_control('c').expect("ctrl-c");
    session.exp_eof().expect("eof");
}

/// `/retry` in a session resumed later sends the conversation's failed question again; the
/// failed request records no tokens (nothing was billed), only its pre-send estimate.
#[test]
fn retry_in_a_resumed_session() {
    let env = TmEnv::new();
    let invalid = r#"{"error":{"message":"Invalid 'messages[0].content': string too long.","type":"invalid_request_error","param":"messages","code":null}}"#;
    let server = FakeOpenAi::start(vec![Reply::json(400, invalid), answer("done")]);
    let output = env
        .tm_with(&server)
        .arg("chat")
        .write_stdin("a question\n")
        .output()
        .expect("runs");
    assert!(
        stderr(&output).starts_with("gpt-5.4-mini · question: not answered, no tokens billed\n"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        env.rows(
            "SELECT prompt_tokens, cost_picodollars / 1e12, estimated_prompt_tokens FROM requests"
        ),
        [["NULL", "NULL", "9"]]
    );
    let output = env
        .tm_with(&server)
        .args(["chat", "--last"])
        .write_stdin("/retry\n")
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "done\n");
    assert_eq!(contents(&server, 1), ["user: a question"]);
    assert_eq!(
        env.rows("SELECT content, status FROM messages ORDER BY id"),
        [["a question", "answered"], ["done", "complete"]]
    );
}

/// In chat too, a line after the token line says when earlier messages were left out.
#[test]
fn chat_says_what_the_window_left_out() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("one"), answer("two")]);
    let output = env
        .tm_with(&server)
        .args(["chat", "--max-messages", "1"])
        .write_stdin("first\nsecond\n")
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        format!(
            "{TOKEN_LINE}\n{TOKEN_LINE}\nsent 1 of the conversation's 3 messages (max-messages 1)\n"
        )
    );
}

/// Off a terminal: one question per line, answers on stdout, no prompt, spinner or colour.
#[test]
fn piped_chat_is_scriptable() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("Paris."), answer("Berlin.")]);
    let output = env
        .tm_with(&server)
        .arg("chat")
        .write_stdin("capital of France?\n\ncapital of Germany?\n")
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "Paris.\nBerlin.\n");
    assert_eq!(stderr(&output), format!("{TOKEN_LINE}\n{TOKEN_LINE}\n"));
    assert_eq!(
        contents(&server, 1),
        [
            "user: capital of France?",
            "assistant: Paris.",
            "user: capital of Germany?"
        ]
    );
}

/// On a terminal the spinner shows while nothing has arrived and the token line is dim;
/// NO_COLOR takes the colour away and leaves the spinner.
#[test]
fn spinner_on_a_terminal_and_colour_only_without_no_color() {
    for no_color in [false, true] {
        let env = TmEnv::new();
        let (arrived_tx, arrived) = mpsc::channel::<()>();
        let (go, wait) = mpsc::channel();
        let server = FakeOpenAi::start_observed(
            vec![Reply::stream(vec![Step::Gate(wait), chunk(&delta("ok"))])],
            Some(Box::new(move || {
                let _ = arrived_tx.send(());
                String::new()
            })),
        );
        let mut command = env.spawnable(&server);
        command.arg("chat");
        if no_color {
            command.env("NO_COLOR", "1");
        }
        let mut session = spawn(command);
        // Everything the terminal received, from the banner to the end, so that colour
        // anywhere in the session is seen.
        let mut seen = String::new();
        let mut read = |session: &mut PtySession, text: &str| {
            seen.push_str(&expect(session, text).expect(text));
            seen.push_str(text);
        };
        read(&mut session, "/help lists the commands");
        read(&mut session, "> ");
        session.send_line("hi").expect("send");
        // Bounded, so that a tm that never sends fails the test instead of hanging it.
        arrived
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the request arrived");
        // The spinner is drawn on a terminal with or without NO_COLOR, which removes colour
        // only; the answer is held back until it has been seen.
        read(&mut session, "waiting for the answer");
        go.send(()).expect("release");
        read(&mut session, "ok");
        read(&mut session, "· answer: ~1 completion tokens");
        read(&mut session, "> ");
        session.send_control('d').expect("ctrl-d");
        // exp_eof gives the terminal's bytes as Latin-1; `expect` decoded the rest already.
        seen.push_str(&from_latin1(&session.exp_eof().expect("eof")));
        if no_color {
            assert!(!has_colour(&seen), "{seen:?}");
        } else {
            assert!(
                seen.contains("\x1b[2mgpt-5.4-mini · question: "),
                "{seen:?}"
            );
        }
    }
}

/// Whether text holds an SGR sequence (`ESC [ digits ; … m`), the only escape that colours;
/// cursor moves and line clears are not colour.
fn has_colour(text: &str) -> bool {
    text.split("\x1b[").skip(1).any(|rest| {
        let parameters = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == ';');
        parameters.starts_with('m')
    })
}

/// A trailing backslash continues the message; a bracketed paste of several lines is one
/// message, sent when Enter follows it.
#[test]
fn multi_line_input() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("got two lines"), answer("got the paste")]);
    let mut session = chat(&env, &server, &[]);
    say(&mut session, "first line \\");
    expect(&mut session, ". ").expect("continuation prompt");
    session.send_line("second line").expect("second"); // at the continuation prompt
    expect(&mut session, "got two lines").expect("answer");
    expect(&mut session, "> ").expect("prompt");
    session
        .send("\x1b[200~pasted one\npasted two\npasted three\x1b[201~")
        .expect("paste");
    session.flush().expect("flush");
    expect(&mut session, "pasted three").expect("pasted");
    session.send_line("").expect("enter"); // ends the pasted message
    expect(&mut session, "got the paste").expect("answer");
    leave(&mut session);
    assert_eq!(contents(&server, 0), ["user: first line \nsecond line"]);
    assert_eq!(
        contents(&server, 1),
        [
            "user: first line \nsecond line",
            "assistant: got two lines",
            "user: pasted one\npasted two\npasted three"
        ]
    );
}

#[test]
fn attach_in_chat_goes_with_the_next_question() {
    let env = TmEnv::new();
    std::fs::write(env.dir().join("shot.png"), crate::support::png(20, 10)).expect("write");
    let server = FakeOpenAi::start(vec![answer("a screenshot"), answer("plain")]);
    let mut session = chat(&env, &server, &[]);
    say(&mut session, "/attach nowhere.png");
    expect(
        &mut session,
        "tm: error: cannot attach nowhere.png: No such file or directory",
    )
    .expect("refused");
    say(&mut session, "/attach shot.png");
    expect(&mut session, "shot.png (image/png, ").expect("attached");
    say(&mut session, "what is this?");
    expect(&mut session, "a screenshot").expect("answer");
    say(&mut session, "and now?");
    expect(&mut session, "plain").expect("answer");
    leave(&mut session);
    let first = server.requests()[0].json()["messages"][0]["content"].clone();
    assert_eq!(first[1]["type"], json!("image_url"));
    let second = server.requests()[1].json()["messages"].clone();
    assert_eq!(
        second[2],
        json!({"role": "user", "content": "and now?"}),
        "the file went once, with its question"
    );
    assert_eq!(
        second[0]["content"][1]["type"],
        json!("image_url"),
        "and is re-sent with it"
    );
}

/// SIGTERM still ends `tm chat` waiting for its next question after an answer: chat does
/// not listen for it (a listener, once made, would keep it from ending tm).
#[test]
fn sigterm_ends_a_chat_waiting_for_its_next_question() {
    use std::io::{BufRead as _, Write as _};
    use std::os::unix::process::ExitStatusExt as _;
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("hi there")]);
    let mut child = env
        .spawnable(&server)
        .arg("chat")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn tm chat");
    let mut input = child.stdin.take().expect("stdin");
    writeln!(input, "hello").expect("a question");
    let mut answer_line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut answer_line)
        .expect("the answer");
    assert_eq!(answer_line, "hi there\n");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let (done, ended) = mpsc::channel();
    std::thread::spawn(move || done.send(child.wait()));
    let status = ended
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("tm chat ends on SIGTERM")
        .expect("wait");
    assert_eq!(status.signal(), Some(15));
    drop(input);
}

/// `/copy` puts the last answer on the clipboard through the terminal: OSC 52 with the
/// answer in base64, which the terminal itself copies (over SSH too).
#[test]
fn copy_goes_through_the_terminal() {
    use base64::Engine as _;
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("A monoid.")]);
    let mut session = chat(&env, &server, &[]);
    exchange(&mut session, "what is a monad?", "A monoid.");
    say(&mut session, "/copy");
    let encoded = base64::engine::general_purpose::STANDARD.encode("A monoid.");
    expect(&mut session, &format!("\x1b]52;c;{encoded}\x07")).expect("OSC 52");
    expect(
        &mut session,
        "copied the last answer (9 characters) through the terminal",
    )
    .expect("said");
    leave(&mut session);
}
