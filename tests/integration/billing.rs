//! Billing as OpenAI bills since 2025: the Responses API, service tiers and cache writes,
//! against a fake server that speaks both Chat Completions and the Responses API.

use serde_json::{Value, json};

use crate::support::fake_openai::{
    DONE, chunk, delta, event, finish, response, responses_stream, responses_usage,
};
use crate::support::{
    FakeOpenAi, Reply, Step, TmEnv, assert_stderr_contains, stderr, stdout, without_cache_key,
};

/// A Chat Completions stream whose chunks name the tier that served it and whose usage has
/// cache writes.
fn chat_stream(text: &str, tier: &str, usage: Value) -> Reply {
    let tiered = |mut chunk: Value| {
        chunk["service_tier"] = json!(tier);
        format!("data: {chunk}\n\n")
    };
    let piece: Value = serde_json::from_str(delta(text).trim_start_matches("data: ").trim())
        .expect("a delta chunk");
    let done: Value =
        serde_json::from_str(finish().trim_start_matches("data: ").trim()).expect("a finish");
    Reply::stream(vec![
        chunk(&tiered(piece)),
        chunk(&tiered(done)),
        chunk(&tiered(json!({"choices": [], "usage": usage}))),
        chunk(DONE),
    ])
}

fn chat_usage(prompt: u64, cached: u64, written: u64, completion: u64) -> Value {
    json!({
        "prompt_tokens": prompt, "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached, "cache_write_tokens": written},
        "completion_tokens_details": {"reasoning_tokens": 0}
    })
}

/// `tm usage --by BY --csv` over the whole history.
fn usage_csv(env: &TmEnv, by: &str) -> String {
    stdout(
        &env.tm()
            .args(["usage", "--by", by, "--since", "2000-01-01", "--csv"])
            .output()
            .expect("runs"),
    )
}

fn request_columns(env: &TmEnv) -> Vec<Vec<String>> {
    env.rows(
        "SELECT prompt_tokens, cached_tokens, cache_write_tokens, completion_tokens, service_tier,
                input_price_picodollars, cached_price_picodollars, cache_write_price_picodollars,
                output_price_picodollars, cost_picodollars, outcome
         FROM requests ORDER BY id",
    )
}

/// gpt-5.5-pro is served only by the Responses API, so `auto` sends it there: the system
/// prompt as instructions, the conversation as input, the effort, the output limit, the
/// tier, and `store: false`. The text streams from output_text deltas, the usage and tier
/// come from response.completed, and the flex prices apply because the response says flex.
#[test]
fn a_responses_only_model_goes_to_the_responses_api() {
    let env = TmEnv::new();
    let usage = responses_usage(1_000, 0, 0, 200, 150);
    let server = FakeOpenAi::start(vec![
        Reply::stream(responses_stream(&["Q.", "E.D."], &usage, Some("flex"))),
        Reply::stream(responses_stream(&["Yes."], &usage, Some("default"))),
    ]);
    let output = env
        .tm_with(&server)
        .args([
            "ask",
            "-m",
            "gpt-5.5-pro",
            "-s",
            "Be rigorous.",
            "--effort",
            "high",
            "--max-output",
            "500",
            "--tier",
            "flex",
            "prove it",
        ])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "Q.E.D.\n");
    // 1,000 × $15 + 200 × $90 per 1M at flex.
    assert_eq!(
        stderr(&output),
        "conversation 1 · gpt-5.5-pro · flex · 1,000 prompt + 200 completion (150 reasoning) tokens · $0.0330\n"
    );
    let requests = server.requests();
    assert_eq!(requests[0].path, "/v1/responses");
    assert_eq!(
        without_cache_key(requests[0].json()),
        json!({
            "model": "gpt-5.5-pro",
            "instructions": "Be rigorous.",
            "input": [{"role": "user", "content": "prove it"}],
            "stream": true,
            "max_output_tokens": 500,
            "reasoning": {"effort": "high"},
            "service_tier": "flex",
            "store": false
        })
    );
    // The next turn sends the conversation so far, the answer as an assistant message.
    env.tm_with(&server)
        .args(["ask", "-q", "-c", "really?"])
        .assert()
        .success()
        .stdout("Yes.\n");
    assert_eq!(
        server.requests()[1].json()["input"],
        json!([
            {"role": "user", "content": "prove it"},
            {"role": "assistant", "content": "Q.E.D."},
            {"role": "user", "content": "really?"}
        ])
    );
    assert_eq!(
        request_columns(&env),
        [
            [
                "1000",
                "0",
                "0",
                "200",
                "flex",
                "15000000",
                "15000000",
                "15000000",
                "90000000",
                "33000000000",
                "ok"
            ],
            [
                "1000",
                "0",
                "0",
                "200",
                "default",
                "30000000",
                "30000000",
                "30000000",
                "180000000",
                "66000000000",
                "ok"
            ]
        ]
    );
    env.assert_totals_match_requests();
}

/// Cache writes are their own part of the prompt, priced apart from cached reads and
/// uncached input, shown beside the cached tokens, and summed by `tm usage`.
#[test]
fn cache_writes_are_billed_once_at_their_own_price() {
    let env = TmEnv::new();
    let usage = responses_usage(100_000, 30_000, 10_000, 2_000, 0);
    let server = FakeOpenAi::start(vec![Reply::stream(responses_stream(
        &["cached"],
        &usage,
        Some("default"),
    ))]);
    let output = env
        .tm_with(&server)
        .args(["ask", "-m", "gpt-5.6", "--api", "responses", "hello"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    // 60,000 × $4 + 30,000 × $0.40 + 10,000 × $5 + 2,000 × $20 per 1M.
    assert_eq!(
        stderr(&output),
        "conversation 1 · gpt-5.6 · 100,000 prompt (30,000 cached, 10,000 written) + 2,000 completion tokens · $0.3420\n"
    );
    assert_eq!(server.requests()[0].path, "/v1/responses");
    assert_eq!(
        request_columns(&env),
        [[
            "100000",
            "30000",
            "10000",
            "2000",
            "default",
            "4000000",
            "400000",
            "5000000",
            "20000000",
            "342000000000",
            "ok"
        ]]
    );
    env.assert_totals_match_requests();
    assert_eq!(
        env.first_exchange_row("1")[4..9],
        ["gpt-5.6", "100,000", "30,000", "10,000", "2,000"]
    );
    let csv = usage_csv(&env, "tier");
    assert_eq!(
        csv,
        "key,requests,prompt_tokens,cached_tokens,cache_write_tokens,completion_tokens,reasoning_tokens,images,cost,unpriced_requests,failed_requests\n\
         default,1,100000,30000,10000,2000,0,0,0.342,0,0\n"
    );
    let by_day: Value = serde_json::from_str(&stdout(
        &env.tm()
            .args(["usage", "--since", "2000-01-01", "--json"])
            .output()
            .expect("runs"),
    ))
    .expect("JSON");
    assert_eq!(by_day["totals"]["cache_write_tokens"], json!(10_000));
    assert_eq!(by_day["totals"]["cost"], json!(0.342));
}

/// The tier asked for is sent; the tier the response names is the one billed. Asked for
/// flex and served at the default tier, the request costs the standard price and the
/// summary names no tier. `fast` is sent as `priority`.
#[test]
fn the_served_tier_is_billed_not_the_asked_one() {
    let env = TmEnv::new();
    let usage = chat_usage(100_000, 30_000, 10_000, 2_000);
    let server = FakeOpenAi::start(vec![
        chat_stream("A", "default", usage.clone()),
        chat_stream("B", "priority", usage),
    ]);
    let output = env
        .tm_with(&server)
        .args(["ask", "-m", "gpt-5.6", "--tier", "flex", "hello"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "conversation 1 · gpt-5.6 · 100,000 prompt (30,000 cached, 10,000 written) + 2,000 completion tokens · $0.3420\n"
    );
    let output = env
        .tm_with(&server)
        .args(["ask", "-m", "gpt-5.6", "--tier", "fast", "hello"])
        .output()
        .expect("runs");
    // 60,000 × $8 + 30,000 × $0.80 + 10,000 × $10 + 2,000 × $40 per 1M.
    assert_eq!(
        stderr(&output),
        "conversation 2 · gpt-5.6 · priority · 100,000 prompt (30,000 cached, 10,000 written) + 2,000 completion tokens · $0.6840\n"
    );
    let requests = server.requests();
    assert_eq!(requests[0].path, "/v1/chat/completions");
    assert_eq!(requests[0].json()["service_tier"], json!("flex"));
    assert_eq!(requests[1].json()["service_tier"], json!("priority"));
    assert_eq!(
        env.rows("SELECT service_tier, cost_picodollars FROM requests ORDER BY id"),
        [["default", "342000000000"], ["priority", "684000000000"]]
    );
    let csv = usage_csv(&env, "tier");
    assert_eq!(
        csv.lines().skip(1).collect::<Vec<_>>(),
        [
            "priority,1,100000,30000,10000,2000,0,0,0.684,0,0",
            "default,1,100000,30000,10000,2000,0,0,0.342,0,0"
        ]
    );
}

/// A tier the price table has no price for leaves the cost unknown; it is never billed at
/// the standard price. The setting `tier` asks for it without a flag.
#[test]
fn a_tier_without_a_price_has_an_unknown_cost() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![chat_stream("A", "scale", chat_usage(8, 0, 0, 2))]);
    env.tm()
        .args(["config", "set", "tier", "priority"])
        .assert()
        .success();
    let output = env
        .tm_with(&server)
        .args(["ask", "hello"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "conversation 1 · gpt-5.4-mini · scale · 8 prompt + 2 completion tokens · cost unknown\n"
    );
    assert_eq!(
        server.requests()[0].json()["service_tier"],
        json!("priority")
    );
    assert_eq!(
        env.rows("SELECT service_tier, cost_picodollars, input_price_picodollars FROM requests"),
        [["scale", "NULL", "NULL"]]
    );
}

/// `--dry-run` prices the estimate at the tier asked for.
#[test]
fn a_dry_run_prices_the_asked_tier() {
    let env = TmEnv::new();
    let output = env
        .tm()
        .args([
            "ask",
            "--dry-run",
            "-m",
            "gpt-5.6",
            "--tier",
            "flex",
            "what is a monad?",
        ])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    // 3 + 1 + 6 + 3 = 13 tokens at $2 per 1M.
    assert!(
        stdout(&output)
            .ends_with("total: ~13 prompt tokens · ~$0.000026 at $2/1M input tokens (flex)\n"),
        "{}",
        stdout(&output)
    );
    let output = env
        .tm()
        .args([
            "ask",
            "--dry-run",
            "-m",
            "gpt-5.5-pro",
            "--tier",
            "priority",
            "what is a monad?",
        ])
        .output()
        .expect("runs");
    assert!(
        stdout(&output).ends_with(
            "total: ~13 prompt tokens · cost unknown (the price table has no priority price for this model)\n"
        ),
        "{}",
        stdout(&output)
    );
}

/// Every unit price and the tier are kept on the record: a price table that changes later
/// changes no past cost.
#[test]
fn past_costs_keep_their_prices() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![chat_stream(
        "A",
        "flex",
        chat_usage(100_000, 30_000, 10_000, 2_000),
    )]);
    env.tm_with(&server)
        .args(["ask", "-q", "-m", "gpt-5.6", "hello"])
        .assert()
        .success();
    let before = request_columns(&env);
    let usage_before = usage_csv(&env, "day");
    env.tm()
        .args([
            "config",
            "set",
            "price.gpt-5.6",
            "input=100,cached=50,write=120,output=400",
        ])
        .assert()
        .success();
    assert_eq!(request_columns(&env), before);
    assert_eq!(
        before[0][4..10],
        [
            "flex",
            "2000000",
            "200000",
            "2500000",
            "10000000",
            "171000000000"
        ]
    );
    let usage_after = usage_csv(&env, "day");
    assert_eq!(usage_after, usage_before);
    assert!(usage_after.contains(",0.171,"), "{usage_after}");
}

/// `--no-stream` on the Responses API: the whole response object, its message text, usage
/// and tier.
#[test]
fn responses_without_streaming() {
    let env = TmEnv::new();
    let usage = responses_usage(20, 0, 0, 5, 0);
    let body = response("completed", "Whole.", &usage, Some("default"));
    let server = FakeOpenAi::start(vec![Reply::json(200, &body.to_string())]);
    let output = env
        .tm_with(&server)
        .args(["ask", "--no-stream", "--api", "responses", "hello"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "Whole.\n");
    let sent = server.requests()[0].json();
    assert_eq!(
        (sent["stream"].clone(), sent["store"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(
        env.rows("SELECT prompt_tokens, completion_tokens, service_tier, outcome FROM requests"),
        [["20", "5", "default", "ok"]]
    );
}

/// response.incomplete keeps the text, marked interrupted with the reason, and bills the
/// usage it reports; exit 1.
#[test]
fn an_incomplete_response_is_saved_interrupted_with_its_reason() {
    let env = TmEnv::new();
    let usage = responses_usage(20, 0, 0, 50, 40);
    let mut incomplete = response("incomplete", "Half", &usage, Some("default"));
    incomplete["incomplete_details"] = json!({"reason": "max_output_tokens"});
    let mut steps = responses_stream(&["Half"], &usage, None);
    steps.pop();
    steps.push(chunk(&event(
        "response.incomplete",
        json!({"response": incomplete}),
    )));
    let server = FakeOpenAi::start(vec![Reply::stream(steps)]);
    let output = env
        .tm_with(&server)
        .args(["ask", "--api", "responses", "--max-output", "50", "hello"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stdout(&output), "Half\n");
    assert_stderr_contains(
        &output,
        "tm: error: the server stopped the answer short: max_output_tokens (raise --max-output or lower --effort); the part that arrived was saved in conversation 1, marked interrupted\n",
    );
    assert_eq!(
        env.rows("SELECT content, status FROM messages ORDER BY id"),
        [["hello", "answered"], ["Half", "interrupted"]]
    );
    assert_eq!(
        env.rows("SELECT outcome, error, prompt_tokens, completion_tokens, cost_picodollars FROM requests"),
        [[
            "interrupted",
            "the server stopped the answer short: max_output_tokens",
            "20",
            "50",
            // 20 × $0.75 + 50 × $4.50 per 1M.
            "240000000"
        ]]
    );
}

/// response.failed and an `error` event end with a clear error, the key masked; what
/// arrived before an error is kept.
#[test]
fn failed_responses_and_error_events_are_clear_errors() {
    let env = TmEnv::new();
    let key = crate::support::TEST_KEY;
    let failed = json!({"response": {"status": "failed", "output": [], "error": {"code": "server_error", "message": format!("The model crashed near {key}.")}}});
    let server = FakeOpenAi::start(vec![
        Reply::stream(vec![chunk(&event("response.failed", failed))]),
        Reply::stream(vec![
            chunk(&event(
                "response.output_text.delta",
                json!({"item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": "Some"}),
            )),
            chunk(&event(
                "error",
                json!({"code": "server_error", "message": "Overloaded.", "param": null}),
            )),
        ]),
    ]);
    let output = env
        .tm_with(&server)
        .args(["ask", "--api", "responses", "hello"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.ends_with(
            "the server answered HTTP 200 (the response failed: The model crashed near sk-…fXYZ.)\n"
        ),
        "{err}"
    );
    assert!(!err.contains(key));
    let output = env
        .tm_with(&server)
        .args(["ask", "--api", "responses", "hello again"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "Some\n");
    assert_stderr_contains(&output, "error in the stream: Overloaded.");
    assert_eq!(
        env.rows("SELECT content, status FROM messages ORDER BY id"),
        [
            ["hello", "failed"],
            ["hello again", "answered"],
            ["Some", "interrupted"]
        ]
    );
    assert!(!env.rows("SELECT error FROM requests")[0][0].contains(key));
}

/// The spine holds on the Responses path too: retried after a 429, the question saved
/// before the request, and the answer kept when the connection drops mid-stream.
#[test]
fn responses_are_retried_and_keep_what_arrived() {
    let env = TmEnv::new();
    let usage = responses_usage(8, 0, 0, 2, 0);
    let rate_limited = r#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#;
    let mut dropped = responses_stream(&["Par", "tial"], &usage, None);
    dropped.truncate(dropped.len() - 2);
    dropped.push(Step::Drop);
    let server = FakeOpenAi::start(vec![
        Reply::json(429, rate_limited).header("retry-after-ms", "10"),
        Reply::stream(responses_stream(&["Fine."], &usage, None)),
        Reply::stream(dropped),
    ]);
    let output = env
        .tm_with(&server)
        .args(["ask", "--api", "responses", "hello"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "Fine.\n");
    assert_stderr_contains(&output, "retrying");
    let output = env
        .tm_with(&server)
        .args(["ask", "--api", "responses", "-c", "more"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "Partial\n");
    assert_eq!(
        env.rows("SELECT content, status FROM messages ORDER BY id"),
        [
            ["hello", "answered"],
            ["Fine.", "complete"],
            ["more", "answered"],
            ["Partial", "interrupted"]
        ]
    );
}

/// Ctrl-C mid-answer on the Responses API: the part that arrived is printed and saved,
/// marked interrupted; exit 130, as on Chat Completions.
#[test]
fn ctrl_c_on_the_responses_api_keeps_the_partial_answer() {
    use std::io::Read as _;
    let env = TmEnv::new();
    let (_never, wait) = std::sync::mpsc::channel();
    let mut steps = responses_stream(&["so far"], &responses_usage(8, 0, 0, 2, 0), None);
    steps.truncate(steps.len() - 2);
    steps.push(Step::Gate(wait));
    let server = FakeOpenAi::start(vec![Reply::stream(steps)]);
    let mut child = env
        .spawnable(&server)
        .args(["ask", "--api", "responses", "hello"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn tm");
    let mut out = child.stdout.take().expect("stdout");
    let mut seen = [0u8; 6];
    out.read_exact(&mut seen).expect("the first part");
    assert_eq!(&seen, b"so far");
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(interrupted.success());
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert_eq!(
        env.rows("SELECT content, status FROM messages ORDER BY id"),
        [["hello", "answered"], ["so far", "interrupted"]]
    );
    assert_eq!(
        env.rows("SELECT outcome, error FROM requests"),
        [["interrupted", "interrupted by Ctrl-C"]]
    );
}
