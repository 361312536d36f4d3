//! Failures as far as `ask` goes: every failure says what to do, retries only what can
//! succeed later, and the question is stored before the request leaves.

use std::path::PathBuf;

use crate::support::fake_openai::{DONE, chunk, delta, finish};
use crate::support::{
    FakeOpenAi, Reply, Step, TEST_KEY, TmEnv, USAGE, answer, assert_stderr_contains,
    assert_stderr_starts_with, rows_of, stderr, stdout,
};

/// A server whose observer records, as each request arrives, the stored messages.
fn observed(env: &TmEnv, replies: Vec<Reply>) -> FakeOpenAi {
    let db: PathBuf = env.db();
    FakeOpenAi::start_observed(
        replies,
        Some(Box::new(move || {
            rows_of(
                &db,
                "SELECT role, content, status FROM messages ORDER BY id",
            )
            .iter()
            .map(|row| row.join(" "))
            .collect::<Vec<_>>()
            .join("; ")
        })),
    )
}

fn assert_question_stored_first(server: &FakeOpenAi) {
    for request in server.requests() {
        assert_eq!(request.observed.as_deref(), Some("user hello pending"));
    }
}

fn ask(env: &TmEnv, server: &FakeOpenAi) -> std::process::Output {
    env.tm_with(server)
        .args(["ask", "hello"])
        .output()
        .expect("runs")
}

const UNAUTHORIZED: &str = r#"{
    "error": {
        "message": "Incorrect API key provided: sk-test-SECRET0123456789abcdefXYZ. You can find your API key at https://platform.openai.com/account/api-keys.",
        "type": "invalid_request_error",
        "param": null,
        "code": "invalid_api_key"
    }
}"#;

#[test]
fn unauthorized_says_how_to_set_a_key_and_is_not_retried() {
    let env = TmEnv::new();
    let server = observed(&env, vec![Reply::json(401, UNAUTHORIZED)]);
    let output = ask(&env, &server);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert!(
        err.contains("conversation 1 · gpt-5.4-mini · request failed, no tokens billed\n"),
        "{err}"
    );
    assert!(
        err.contains(
            "tm: error: the server rejected the API key (Incorrect API key provided: sk-…fXYZ."
        ),
        "{err}"
    );
    assert!(
        err.contains("set a valid one with `tm config set api-key` or OPENAI_API_KEY"),
        "{err}"
    );
    assert!(!err.contains(TEST_KEY));
    assert_question_stored_first(&server);
    assert_eq!(env.rows("SELECT status FROM messages"), [["failed"]]);
    assert_eq!(
        env.rows("SELECT outcome, prompt_tokens, cost_picodollars / 1e12 FROM requests"),
        [["failed", "NULL", "NULL"]]
    );
}

#[test]
fn unknown_model_is_named() {
    let env = TmEnv::new();
    let body = r#"{"error":{"message":"The model `gpt-9-turbo` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#;
    let server = observed(&env, vec![Reply::json(404, body)]);
    let output = env
        .tm_with(&server)
        .args(["ask", "-m", "gpt-9-turbo", "hello"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_stderr_contains(
        &output,
        "tm: error: the model 'gpt-9-turbo' does not exist or this key may not use it",
    );
    assert_question_stored_first(&server);
}

#[test]
fn rate_limit_with_retry_after_is_retried() {
    let env = TmEnv::new();
    let limited = r#"{"error":{"message":"Rate limit reached for gpt-5.4-mini on tokens per min (TPM): Limit 30000, Used 30000, Requested 8. Please try again in 1s.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}"#;
    let server = observed(
        &env,
        vec![
            Reply::json(429, limited).header("Retry-After", "1"),
            answer("Hi!"),
        ],
    );
    let output = ask(&env, &server);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "Hi!\n");
    assert_stderr_starts_with(
        &output,
        "tm: rate limited by the server (Rate limit reached",
    );
    assert!(
        stderr(&output).contains("Please try again in 1s.); wait a little and try again\ntm: retrying in 1.0 s (attempt 2 of 3)\n"),
        "{}",
        stderr(&output)
    );
    assert_eq!(server.requests().len(), 2);
    assert_question_stored_first(&server);
    assert_eq!(env.rows("SELECT outcome FROM requests"), [["ok"]]);
}

#[test]
fn insufficient_quota_is_not_retried() {
    let env = TmEnv::new();
    let quota = r#"{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#;
    let server = observed(&env, vec![Reply::json(429, quota)]);
    let output = ask(&env, &server);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .contains("tm: error: the account's quota is used up (You exceeded your current quota")
    );
    assert!(!stderr(&output).contains("retrying"));
    assert_question_stored_first(&server);
}

#[test]
fn server_errors_are_retried_then_reported() {
    let env = TmEnv::new();
    let body = r#"{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}"#;
    let server = observed(&env, (0..3).map(|_| Reply::json(500, body)).collect());
    let output = ask(&env, &server);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    // The server's message is said once before the pauses, and once more as the final error.
    let failed = "the server failed with HTTP 500 (The server had an error while processing your request. Sorry about that!); try again later";
    assert_eq!(
        err,
        format!(
            "tm: {failed}\n\
             tm: retrying in 0.5 s (attempt 2 of 3)\n\
             tm: retrying in 1.0 s (attempt 3 of 3)\n\
             conversation 1 · gpt-5.4-mini · request failed, no tokens billed\n\
             tm: error: {failed}\n"
        )
    );
    assert_question_stored_first(&server);
    assert_eq!(env.rows("SELECT status FROM messages"), [["failed"]]);
}

#[test]
fn dropped_connection_keeps_the_partial_answer() {
    let env = TmEnv::new();
    let server = observed(
        &env,
        vec![Reply::stream(vec![
            chunk(&delta("The first half")),
            chunk(&delta(", and")),
            Step::Drop,
        ])],
    );
    let output = ask(&env, &server);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "The first half, and\n");
    let err = stderr(&output);
    // No usage arrived: the numbers are estimates, marked ~ (8 prompt, 5 completion tokens).
    assert!(
        err.starts_with(
            "conversation 1 · gpt-5.4-mini · ~8 prompt + ~5 completion tokens · ~$0.000029\n"
        ),
        "{err}"
    );
    assert!(err.contains("tm: error: the answer was cut off; the part that arrived was saved in conversation 1, marked interrupted"), "{err}");
    assert_question_stored_first(&server);
    assert_eq!(
        env.rows("SELECT role, content, status FROM messages"),
        [
            ["user", "hello", "answered"],
            ["assistant", "The first half, and", "interrupted"]
        ]
    );
    assert_eq!(
        env.rows("SELECT outcome, prompt_tokens, completion_tokens, usage_estimated FROM requests"),
        [["interrupted", "8", "5", "1"]]
    );
}

#[test]
fn stream_ending_without_done_after_finish_is_complete() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![Reply::stream(vec![
        chunk(&delta("ok")),
        chunk(&finish()),
        chunk(&USAGE.sse()),
    ])]);
    let output = ask(&env, &server);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(env.rows("SELECT outcome FROM requests"), [["ok"]]);
}

#[test]
fn malformed_stream_data_is_an_error_not_a_panic() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![
        Reply::stream(vec![chunk("data: {\"choices\": [{\"delta\": oops\n\n")]),
        Reply::stream(vec![
            chunk(&delta("partial")),
            chunk("data: not json at all\n\n"),
            chunk(DONE),
        ]),
    ]);
    let output = ask(&env, &server);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("tm: error: the server sent data tm cannot read: "),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let output = ask(&env, &server);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "partial\n");
    assert_eq!(
        env.rows("SELECT status FROM messages WHERE role = 'assistant'"),
        [["interrupted"]]
    );
}

#[test]
fn html_error_page_and_unreachable_server() {
    let env = TmEnv::new();
    let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>nginx</body></html>";
    let server = FakeOpenAi::start((0..3).map(|_| Reply::raw(502, "text/html", page)).collect());
    let output = ask(&env, &server);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .contains("tm: error: the server failed with HTTP 502 (<html>); try again later")
    );

    // A port nothing listens on: connection refused, retried, then a clear error.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let output = env
        .tm()
        .env("OPENAI_API_KEY", TEST_KEY)
        .env("OPENAI_BASE_URL", format!("http://127.0.0.1:{port}/v1"))
        .args(["ask", "hello"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_stderr_contains(
        &output,
        &format!("tm: error: could not reach http://127.0.0.1:{port}/v1/chat/completions"),
    );
}

#[test]
fn no_key_says_how_to_set_one_and_writes_nothing() {
    let env = TmEnv::new();
    let output = env.tm().args(["ask", "hello"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "tm: error: no API key: set OPENAI_API_KEY, or store one with `tm config set api-key` (it asks for it without echoing)\n"
    );
    assert_eq!(env.rows("SELECT count(*) FROM messages"), [["0"]]);
}

/// The context window across failures: a failed question is never sent again, an interrupted answer is.
#[test]
fn failed_questions_are_not_resent_interrupted_answers_are() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![
        answer("a1"),
        Reply::json(
            400,
            r#"{"error":{"message":"Invalid content","type":"invalid_request_error","param":"messages","code":null}}"#,
        ),
        Reply::stream(vec![chunk(&delta("half an ans")), Step::Drop]),
        answer("a4"),
    ]);
    env.tm_with(&server)
        .args(["ask", "-q", "q1"])
        .assert()
        .success();
    env.tm_with(&server)
        .args(["ask", "-q", "-c", "q2"])
        .assert()
        .code(1);
    env.tm_with(&server)
        .args(["ask", "-q", "-c", "q3"])
        .assert()
        .code(1);
    env.tm_with(&server)
        .args(["ask", "-q", "-c", "--max-messages", "all", "q4"])
        .assert()
        .success();
    assert_eq!(
        server.requests()[3].json()["messages"],
        serde_json::json!([
            {"role": "user", "content": "q1"},
            {"role": "assistant", "content": "a1"},
            {"role": "user", "content": "q3"},
            {"role": "assistant", "content": "half an ans"},
            {"role": "user", "content": "q4"}
        ])
    );
    assert_eq!(
        env.rows("SELECT content, status FROM messages ORDER BY id"),
        [
            ["q1", "answered"],
            ["a1", "complete"],
            ["q2", "failed"],
            ["q3", "answered"],
            ["half an ans", "interrupted"],
            ["q4", "answered"],
            ["a4", "complete"]
        ]
    );
}

/// `tm ask hello` running, its stdout and stderr piped, for a test that interrupts it.
fn asking(env: &TmEnv, server: &FakeOpenAi) -> std::process::Child {
    env.spawnable(server)
        .args(["ask", "hello"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn tm")
}

/// Sends `signal` (INT is what Ctrl-C sends).
fn send_signal(child: &std::process::Child, signal: &str) {
    let killed = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
}

fn ctrl_c(child: &std::process::Child) {
    send_signal(child, "INT");
}

/// `tm ask hello` stopped by `signal` once "so far" has arrived and been printed: its
/// environment, its output, and what it printed after "so far".
fn stopped_mid_answer(signal: &str) -> (TmEnv, std::process::Output, String) {
    use std::io::Read as _;
    let env = TmEnv::new();
    let (_never, wait) = std::sync::mpsc::channel();
    let server = FakeOpenAi::start(vec![Reply::stream(vec![
        chunk(&delta("so far")),
        Step::Gate(wait),
    ])]);
    let mut child = asking(&env, &server);
    let mut out = child.stdout.take().expect("stdout");
    let mut seen = [0u8; 6];
    out.read_exact(&mut seen).expect("the first part");
    assert_eq!(&seen, b"so far");
    send_signal(&child, signal);
    let output = child.wait_with_output().expect("wait");
    let mut rest = String::new();
    out.read_to_string(&mut rest).expect("rest");
    (env, output, rest)
}

/// Ctrl-C mid-answer: the part that arrived is printed and saved, marked interrupted; exit
/// 130. SIGTERM (a polite kill) and SIGHUP (the terminal closing) end it the same way, and
/// the record names the signal.
#[test]
fn ctrl_c_keeps_the_partial_answer_and_exits_130() {
    for (signal, name) in [("INT", "Ctrl-C"), ("TERM", "SIGTERM"), ("HUP", "SIGHUP")] {
        let (env, output, rest) = stopped_mid_answer(signal);
        assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
        assert_eq!(rest, "\n");
        let err = stderr(&output);
        assert!(
            err.starts_with(
                "conversation 1 · gpt-5.4-mini · ~8 prompt + ~2 completion tokens · ~$0.000015\n"
            ),
            "{err}"
        );
        assert!(
            err.ends_with(
                "tm: error: interrupted: the partial answer was saved in conversation 1\n"
            ),
            "{err}"
        );
        assert_eq!(
            env.rows("SELECT content, status FROM messages ORDER BY id"),
            [["hello", "answered"], ["so far", "interrupted"]]
        );
        assert_eq!(
            env.rows("SELECT outcome, error FROM requests"),
            [["interrupted".to_owned(), format!("interrupted by {name}")]]
        );
    }
}

/// The server's own context-length refusal gets the advice tm's local check gives, and is not
/// retried.
#[test]
fn context_length_exceeded_gets_the_same_advice() {
    let env = TmEnv::new();
    let body = r#"{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130412 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#;
    let server = observed(&env, vec![Reply::json(400, body)]);
    let output = ask(&env, &server);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).ends_with(
            "tm: error: the prompt is longer than the model's context window (This model's maximum context length is 128000 tokens. However, your messages resulted in 130412 tokens. Please reduce the length of the messages.); send fewer messages (--max-messages, --context-tokens N) or smaller files\n"
        ),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("retrying"));
}

/// A failed question is sent again by `tm ask --retry`: the same question row, a second
/// request. The failed request costs nothing and shows in `tm usage`'s failed count, and
/// `tm list` marks the conversation until the retry answers.
#[test]
fn a_failed_question_is_retried_without_retyping() {
    let env = TmEnv::new();
    let body = r#"{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}"#;
    let server = FakeOpenAi::start(vec![
        Reply::json(500, body),
        Reply::json(500, body),
        Reply::json(500, body),
        answer("at last"),
    ]);
    let output = env
        .tm_with(&server)
        .args(["ask", "-q", "first try"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let list = stdout(&env.tm().arg("list").output().expect("runs"));
    assert!(list.contains("  1  ! first try "), "{list}");
    let output = env.tm().args(["usage", "--json"]).output().expect("runs");
    let usage: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(usage["totals"]["requests"], serde_json::json!(1));
    assert_eq!(usage["totals"]["failed_requests"], serde_json::json!(1));
    assert_eq!(usage["totals"]["prompt_tokens"], serde_json::json!(0));
    assert_eq!(usage["totals"]["cost"], serde_json::json!(0.0));
    let table = stdout(&env.tm().arg("usage").output().expect("runs"));
    assert!(
        table.contains("\nfailed: 1 request with no answer, counted above with no tokens and no cost (not billed)\n"),
        "{table}"
    );

    let output = env
        .tm_with(&server)
        .args(["ask", "--retry"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "at last\n");
    assert_eq!(
        server.requests()[3].json()["messages"],
        serde_json::json!([{"role": "user", "content": "first try"}])
    );
    assert_eq!(
        env.rows("SELECT id, role, content, status FROM messages ORDER BY id"),
        [
            ["1", "user", "first try", "answered"],
            ["2", "assistant", "at last", "complete"]
        ]
    );
    assert_eq!(
        env.rows("SELECT question_id, outcome FROM requests ORDER BY id"),
        [["1", "failed"], ["1", "ok"]]
    );
    let list = stdout(&env.tm().arg("list").output().expect("runs"));
    assert!(list.contains("  1  first try "), "{list}");
    env.assert_totals_match_requests();

    let output = env
        .tm()
        .args(["ask", "--retry", "--conv", "1"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "tm: error: the last question of conversation 1 did not fail; there is nothing to retry\n"
    );
}

/// Ctrl-C before the first token says that nothing arrived, and the question can be retried.
#[test]
fn ctrl_c_before_any_answer_says_so_and_retry_works() {
    let env = TmEnv::new();
    let (arrived_tx, arrived) = std::sync::mpsc::channel::<()>();
    let (_never, wait) = std::sync::mpsc::channel();
    let server = FakeOpenAi::start_observed(
        vec![Reply::stream(vec![Step::Gate(wait)]), answer("now")],
        Some(Box::new(move || {
            let _ = arrived_tx.send(());
            String::new()
        })),
    );
    let child = asking(&env, &server);
    arrived
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the request arrived");
    ctrl_c(&child);
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(130));
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).ends_with(
            "tm: error: interrupted: no answer had arrived; `tm ask --retry --conv 1` sends the question again\n"
        ),
        "{}",
        stderr(&output)
    );
    let output = env
        .tm_with(&server)
        .args(["ask", "-q", "--retry", "--conv", "1"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "now\n");
    assert_eq!(
        env.rows("SELECT count(*) FROM messages WHERE role = 'user'"),
        [["1"]]
    );
}

/// `tm delete` of a conversation while its answer streams in: the deletion stands, the ask
/// says the answer was not saved (no "Record not found"), and with --keep-usage the request
/// is still finished, so what was billed is counted.
#[test]
fn delete_while_answering_keeps_the_deletion() {
    use std::io::Read as _;
    for keep_usage in [false, true] {
        let env = TmEnv::new();
        let (go, wait) = std::sync::mpsc::channel();
        let server = FakeOpenAi::start(vec![Reply::stream(vec![
            chunk(&delta("first ")),
            Step::Gate(wait),
            chunk(&delta("second")),
            chunk(&finish()),
            chunk(&USAGE.sse()),
            chunk(DONE),
        ])]);
        let mut child = asking(&env, &server);
        let mut out = child.stdout.take().expect("stdout");
        let mut first = [0u8; 6];
        out.read_exact(&mut first).expect("the first piece");
        let mut delete = env.tm();
        delete.args(["delete", "1", "--yes"]);
        if keep_usage {
            delete.arg("--keep-usage");
        }
        delete.assert().success();
        go.send(()).expect("release the rest");
        let output = child.wait_with_output().expect("tm ends");
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert_stderr_contains(
            &output,
            "tm: error: conversation 1 was deleted while its answer arrived; the answer was shown but not saved",
        );
        assert_eq!(
            env.rows(
                "SELECT (SELECT count(*) FROM conversations), (SELECT count(*) FROM messages)"
            ),
            [["0", "0"]]
        );
        let requests = env.rows("SELECT conversation_id, outcome, prompt_tokens FROM requests");
        if keep_usage {
            assert_eq!(requests, [["NULL", "ok", "1234"]]);
            env.assert_totals_match_requests();
        } else {
            assert!(requests.is_empty(), "{requests:?}");
        }
    }
}

/// A tm killed with SIGKILL cannot finish its record; the next tm that opens the database
/// does, while a request whose tm is still running is left to it.
#[test]
fn a_killed_tms_pending_request_is_finished_by_the_next_tm() {
    use std::io::Read as _;
    for answer_arrived in [true, false] {
        let env = TmEnv::new();
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let (arrived, request_arrived) = std::sync::mpsc::channel();
        let mut steps = vec![Step::Gate(wait)];
        if answer_arrived {
            steps.insert(0, chunk(&delta("so far")));
        }
        let server = FakeOpenAi::start_observed(
            vec![Reply::stream(steps)],
            Some(Box::new(move || {
                arrived.send(()).ok();
                String::new()
            })),
        );
        let mut child = asking(&env, &server);
        request_arrived.recv().expect("the request arrives");
        if answer_arrived {
            let mut seen = [0u8; 6];
            let mut out = child.stdout.take().expect("stdout");
            out.read_exact(&mut seen).expect("the first part");
        }
        // Still running: another tm leaves its request alone.
        env.tm().arg("list").assert().success();
        assert_eq!(env.rows("SELECT outcome FROM requests"), [["pending"]]);
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        env.tm().arg("list").assert().success();
        let (outcome, answer_id, question) = if answer_arrived {
            ("interrupted", "2", "answered")
        } else {
            ("failed", "NULL", "failed")
        };
        assert_eq!(
            env.rows("SELECT outcome, answer_id FROM requests"),
            [[outcome, answer_id]]
        );
        assert_eq!(
            env.rows("SELECT status FROM messages WHERE id = 1"),
            [[question]]
        );
        env.assert_totals_match_requests();
        drop(go);
    }
}
