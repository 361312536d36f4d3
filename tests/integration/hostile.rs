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

/// A server may ask for any wait; an absurd one (1e300 seconds) is refused with the error the
/// server sent, never a panic and never a wait.
#[test]
fn an_absurd_retry_after_is_an_error_not_a_panic() {
    let env = TmEnv::new();
    let limited = r#"{"error":{"message":"Rate limit reached.","type":"requests","code":"rate_limit_exceeded"}}"#;
    let failed = r#"{"error":{"message":"Service unavailable.","type":"server_error"}}"#;
    let server = FakeOpenAi::start(vec![
        Reply::json(429, limited).header("Retry-After", "1e300"),
        Reply::json(503, failed).header("retry-after-ms", "1e300"),
    ]);
    let output = ask(&env, &server, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_stderr_contains(
        &output,
        "tm: error: rate limited by the server (Rate limit reached.); wait a little and try again",
    );
    let output = ask(&env, &server, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_stderr_contains(
        &output,
        "tm: error: the server failed with HTTP 503 (Service unavailable.); try again later",
    );
    assert_eq!(server.requests().len(), 2);
}

/// The key a server echoes, in whatever it sends, is masked in what tm prints and stores.
#[test]
fn an_echoed_key_is_masked_on_every_path() {
    let env = TmEnv::new();
    let key = crate::support::TEST_KEY;
    let error_event = format!(
        "data: {{\"error\":{{\"message\":\"bad request from {key}\",\"type\":\"invalid_request_error\"}}}}\n\n"
    );
    // The key starts inside the 80 characters an error quotes and ends outside them.
    let cut = format!("data: {}{key}\n\n", "x".repeat(70));
    let server = FakeOpenAi::start(vec![
        Reply::stream(vec![chunk(&error_event)]),
        Reply::stream(vec![chunk(&delta("some text")), chunk(&error_event)]),
        Reply::stream(vec![chunk(&format!("data: not json {key}\n\n"))]),
        Reply::stream(vec![chunk(&cut)]),
        Reply::raw(200, "text/plain", format!("here is your key: {key}")),
    ]);
    for (extra, said) in [
        (&[][..], "error in the stream: bad request from sk-…fXYZ"),
        (&[][..], "error in the stream: bad request from sk-…fXYZ"),
        (&[][..], "in chunk `not json sk-…fXYZ`"),
        (&[][..], &format!("in chunk `{}sk-…fXYZ`", "x".repeat(70))),
        (
            &["--no-stream"][..],
            "in the response `here is your key: sk-…fXYZ`",
        ),
    ] {
        let output = ask(&env, &server, extra);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(!stderr(&output).contains("SECRET"), "{}", stderr(&output));
        assert_stderr_contains(&output, said);
    }
    let errors = env.rows("SELECT error FROM requests ORDER BY id");
    assert_eq!(errors.len(), 5);
    for error in errors {
        assert!(!error[0].contains("SECRET"), "{}", error[0]);
        assert!(error[0].contains("sk-…fXYZ"), "{}", error[0]);
    }
}

/// A 307 or 308 would send the whole conversation again to wherever the server points: tm
/// follows one to the same address only, and otherwise stops and says where it pointed.
#[test]
fn a_redirect_to_another_address_is_not_followed() {
    let env = TmEnv::new();
    let elsewhere = FakeOpenAi::start(vec![]);
    let to = format!("{}/chat/completions", elsewhere.base_url());
    let server = FakeOpenAi::start(vec![Reply::json(307, "").header("Location", &to)]);
    let output = ask(&env, &server, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_stderr_contains(
        &output,
        &format!(
            "tm: error: the server redirected the request (HTTP 307) to {to}, another address"
        ),
    );
    assert!(elsewhere.requests().is_empty());
    assert_eq!(env.rows("SELECT status FROM messages"), [["failed"]]);

    // A path on the same server is followed.
    let server = FakeOpenAi::start(vec![
        Reply::json(308, "").header("Location", "/v1/chat/completions?moved"),
        crate::support::answer("followed"),
    ]);
    let output = ask(&env, &server, &["-q"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "followed\n");
}

/// A key with a line break inside cannot go in a header: refused at once, naming the key file
/// and never showing the key, instead of three attempts blamed on the network.
#[test]
fn a_key_with_a_line_break_is_refused_at_once() {
    let env = TmEnv::new();
    let file = env.key_file();
    std::fs::create_dir_all(file.parent().expect("a folder")).expect("mkdir");
    std::fs::write(&file, "sk-test-SECRET0123\r\n456789abcdef\n").expect("write the key");
    let server = FakeOpenAi::start(vec![]);
    let output = env
        .tm()
        .env("OPENAI_BASE_URL", server.base_url())
        .args(["ask", "hello"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_stderr_contains(
        &output,
        &format!(
            "tm: error: the API key in {} has a space, a line break or a control character inside it; store it again with `tm config set api-key`",
            file.display()
        ),
    );
    assert!(!stderr(&output).contains("SECRET"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("retrying"), "{}", stderr(&output));
}

/// A 200 that is an HTML page (a captive portal's login, say) is no answer and no broken
/// connection: tm says what it got, streaming or not, and does not try again.
#[test]
fn an_html_200_is_called_what_it_is() {
    let env = TmEnv::new();
    let page = "<html><head><title>Wi-Fi login</title></head></html>";
    let server = FakeOpenAi::start(vec![
        Reply::raw(200, "text/html; charset=utf-8", page),
        Reply::raw(200, "text/html; charset=utf-8", page),
    ]);
    for extra in [&[][..], &["--no-stream"][..]] {
        let output = ask(&env, &server, extra);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert_stderr_contains(
            &output,
            &format!(
                "tm: error: the server answered HTTP 200 with an HTML page (text/html; charset=utf-8), not an answer: {page}; check the base-url setting"
            ),
        );
    }
}

/// An error body that trickles in a byte at a time is read for at most the `timeout` in all,
/// not for as long as the server keeps it coming; what arrived by then is shown.
#[test]
fn a_trickling_error_body_is_read_for_the_timeout_only() {
    let env = TmEnv::new();
    env.tm()
        .args(["config", "set", "timeout", "1"])
        .assert()
        .success();
    let body = "x".repeat(2_000);
    let slowly = Reply::trickle(500, body.as_bytes(), std::time::Duration::from_millis(10));
    // The last of the three attempts trickles, so its body is the one the error shows.
    let server = FakeOpenAi::start(vec![Reply::json(500, "{}"), Reply::json(500, "{}"), slowly]);
    let output = ask(&env, &server, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_stderr_contains(&output, "tm: error: the server failed with HTTP 500 (xx");
    // Under the scaled timeout of 50 ms a few bytes arrive; reading it all would take 20 s.
    assert!(
        !stderr(&output).contains(&"x".repeat(100)),
        "{}",
        stderr(&output)
    );
}

/// Keep-alive comments keep the connection's read timeout from firing, but a stream of
/// nothing else ends after ten times the `timeout` setting with an error that says so.
#[test]
fn keep_alive_comments_alone_are_bounded() {
    let env = TmEnv::new();
    env.tm()
        .args(["config", "set", "timeout", "1"])
        .assert()
        .success();
    let steps = (0..2_000)
        .flat_map(|_| {
            [
                chunk(": keep-alive\n\n"),
                crate::support::Step::Pause(std::time::Duration::from_millis(10)),
            ]
        })
        .collect();
    let server = FakeOpenAi::start(vec![Reply::stream(steps)]);
    let output = ask(&env, &server, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_stderr_contains(
        &output,
        "tm: error: the server sent only keep-alive comments for 10s, with no part of an answer",
    );
    assert_eq!(env.rows("SELECT status FROM messages"), [["failed"]]);
}

/// Usage no request can have (2^64 − 1 tokens, or a negative count) is neither printed as
/// a bill nor stored truncated: the answer stays complete, the record keeps no tokens and
/// no cost and says what the server claimed, a warning says so, and the reports agree.
#[test]
fn impossible_usage_is_flagged_not_billed() {
    let env = TmEnv::new();
    let usage = |json: &str| chunk(&format!("data: {{\"choices\":[],\"usage\":{json}}}\n\n"));
    let server = FakeOpenAi::start(vec![
        Reply::stream(vec![
            chunk(&delta("fine")),
            chunk(&finish()),
            usage(r#"{"prompt_tokens":18446744073709551615,"completion_tokens":3}"#),
            chunk(DONE),
        ]),
        Reply::stream(vec![
            chunk(&delta("also fine")),
            chunk(&finish()),
            usage(r#"{"prompt_tokens":8,"completion_tokens":-3}"#),
            chunk(DONE),
        ]),
    ]);
    for (answer, claimed) in [
        ("fine", "18446744073709551615 prompt tokens"),
        ("also fine", "-3 completion tokens"),
    ] {
        let output = ask(&env, &server, &[]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(stdout(&output), format!("{answer}\n"));
        assert_stderr_contains(
            &output,
            &format!(
                "tm: warning: the server reported impossible usage ({claimed}); the request is recorded without its tokens and cost"
            ),
        );
        assert_stderr_contains(&output, "? prompt + ? completion tokens · cost unknown");
    }
    assert_eq!(
        env.rows("SELECT outcome, prompt_tokens, completion_tokens, cost_picodollars, error FROM requests ORDER BY id"),
        [
            ["ok", "NULL", "NULL", "NULL", "the server reported impossible usage (18446744073709551615 prompt tokens); its tokens and cost are not counted"],
            ["ok", "NULL", "NULL", "NULL", "the server reported impossible usage (-3 completion tokens); its tokens and cost are not counted"],
        ]
    );
    assert_eq!(
        env.rows("SELECT status FROM messages WHERE role = 'assistant'"),
        [["complete"], ["complete"]]
    );
    env.assert_totals_match_requests();
    assert_eq!(
        env.rows("SELECT typeof(cost_picodollars) FROM usage_totals GROUP BY 1"),
        [["integer"]]
    );
}

/// An answer past the largest tm takes (16 MB of text) ends the stream with an error that
/// says so; what arrived within the bound is saved, marked interrupted.
#[test]
fn an_answer_past_the_largest_is_cut_off() {
    let env = TmEnv::new();
    let long = "abcdefghij".repeat(1_700_000);
    let server = FakeOpenAi::start(vec![Reply::stream(vec![
        chunk(&delta("so far ")),
        chunk(&delta(&long)),
        chunk(&delta("never read")),
        chunk(&finish()),
        chunk(&USAGE.sse()),
        chunk(DONE),
    ])]);
    let output = ask(&env, &server, &["-q"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_stderr_contains(
        &output,
        "the answer passed 16 MB, the most tm takes from one request",
    );
    assert_eq!(
        env.rows("SELECT content, status FROM messages WHERE role = 'assistant'"),
        [["so far ", "interrupted"]]
    );
}
