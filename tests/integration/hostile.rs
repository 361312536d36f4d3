//! Servers that misbehave: each gives a clear error or a correct result, never a panic or a
//! hang, and whatever answer arrived is saved.

use std::sync::mpsc;

use crate::support::fake_openai::{DONE, chunk, delta, finish};
use crate::support::{FakeOpenAi, Reply, TmEnv, USAGE, assert_stderr_contains, stderr, stdout};

fn ask(env: &TmEnv, server: &FakeOpenAi, extra: &[&str]) -> std::process::Output {
    env.tm_with(server)
        .arg("ask")
        .args(extra)
        .arg("hello")
        .output()
        .expect("runs")
}

#[test]
fn a_stream_that_just_stops_keeps_what_arrived() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![Reply::stream(vec![chunk(&delta("half"))])]);
    let output = ask(&env, &server, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "half\n");
    assert_stderr_contains(&output, "the stream ended before the answer was complete");
    assert_eq!(
        env.rows("SELECT content, status FROM messages WHERE role = 'assistant'"),
        [["half", "interrupted"]]
    );
}

#[test]
fn a_usage_only_stream_is_billed_and_says_there_was_no_text() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![Reply::stream(vec![
        chunk(&finish()),
        chunk(&USAGE.sse()),
        chunk(DONE),
    ])]);
    let output = ask(&env, &server, &[]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "");
    assert_stderr_contains(
        &output,
        "tm: warning: the model sent no text (finish reason: stop)",
    );
    assert_eq!(
        env.rows("SELECT outcome, prompt_tokens FROM requests"),
        [["ok", "1234"]]
    );
}

#[test]
fn an_empty_200_is_an_error() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![Reply::stream(vec![]), Reply::json(200, "")]);
    let output = ask(&env, &server, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_stderr_contains(
        &output,
        "tm: error: the connection broke before the answer was complete (the stream ended before the answer was complete)",
    );
    let output = ask(&env, &server, &["--no-stream"]);
    assert_eq!(output.status.code(), Some(1));
    assert_stderr_contains(
        &output,
        "tm: error: the server sent data tm cannot read: EOF while parsing a value",
    );
    assert_eq!(
        env.rows("SELECT status FROM messages"),
        [["failed"], ["failed"]]
    );
}

/// Accepts the connection and says nothing: the `timeout` setting bounds the wait.
#[test]
fn a_silent_server_times_out_with_a_message_that_says_so() {
    let env = TmEnv::new();
    let (_release, held) = mpsc::channel::<()>();
    let (_a, second) = mpsc::channel::<()>();
    let (_b, third) = mpsc::channel::<()>();
    let server = FakeOpenAi::start(vec![
        Reply::silent(held),
        Reply::silent(second),
        Reply::silent(third),
    ]);
    env.tm()
        .args(["config", "set", "timeout", "1"])
        .assert()
        .success();
    let output = ask(&env, &server, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_stderr_contains(
        &output,
        "tm: error: the server sent nothing for 1s; it may be overloaded (the timeout setting sets how long to wait)",
    );
    assert_eq!(stderr(&output).matches("retrying in").count(), 2);
}

/// One `data:` line of 10 MB: a long answer is still an answer.
#[test]
fn a_ten_megabyte_line() {
    let env = TmEnv::new();
    let long = "abcdefghij".repeat(1_000_000);
    let server = FakeOpenAi::start(vec![Reply::stream(vec![
        chunk(&delta(&long)),
        chunk(&finish()),
        chunk(&USAGE.sse()),
        chunk(DONE),
    ])]);
    let output = ask(&env, &server, &["-q"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(output.stdout.len(), long.len() + 1);
    assert_eq!(
        env.rows("SELECT length(content), status FROM messages WHERE role = 'assistant'"),
        [["10000000", "complete"]]
    );
}

/// A prompt over the model's context window is refused by estimate, before anything is sent.
#[test]
fn a_prompt_larger_than_the_context_window_is_refused() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![]);
    let words: Vec<String> = (0..12_000).map(|i| format!("word{i}")).collect();
    let output = env
        .tm_with(&server)
        .args(["ask", "-m", "gpt-4"])
        .write_stdin(words.join(" "))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_stderr_contains(
        &output,
        "tm: error: the prompt is about 35,007 tokens, more than gpt-4's context window of 8,192 tokens; send fewer messages",
    );
    assert_eq!(
        env.rows("SELECT count(*) FROM messages"),
        [["0"]],
        "nothing was written or sent"
    );
}
