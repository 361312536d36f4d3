//! `tm ask`: streaming, the summary line, what is stored, what is sent, stdin, dry runs.

use std::io::Read as _;
use std::process::Stdio;
use std::sync::mpsc;

use serde_json::json;

use crate::support::fake_openai::{DONE, chunk, completion, delta, finish};
use crate::support::{
    FakeOpenAi, Reply, Step, TmEnv, USAGE, answer, stderr, stdout, without_cache_key,
};

const SUMMARY_1: &str = "conversation 1 · gpt-5.4-mini · 1,234 prompt (312 cached) + 56 completion (40 reasoning) tokens · $0.00097\n";

#[test]
fn ask_streams_the_answer_and_records_everything() {
    let env = TmEnv::new();
    // The second data: line is split across two TCP writes.
    let piece = delta(", world!");
    let (head, tail) = piece.split_at(12);
    let server = FakeOpenAi::start(vec![Reply::stream(vec![
        chunk(&delta("Hello")),
        chunk(head),
        chunk(tail),
        chunk(&finish()),
        chunk(&USAGE.sse()),
        chunk(DONE),
    ])]);
    let output = env
        .tm_with(&server)
        .args(["ask", "hello"])
        .output()
        .expect("runs");
    assert_eq!(stdout(&output), "Hello, world!\n");
    assert_eq!(stderr(&output), SUMMARY_1);
    assert!(output.status.success());

    let requests = server.requests();
    assert_eq!(requests[0].path, "/v1/chat/completions");
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("Bearer {}", crate::support::TEST_KEY).as_str())
    );
    assert_eq!(
        without_cache_key(requests[0].json()),
        json!({
            "model": "gpt-5.4-mini",
            "messages": [{"role": "user", "content": "hello"}],
            "stream": true,
            "stream_options": {"include_usage": true}
        })
    );

    assert_eq!(
        env.rows("SELECT id, title FROM conversations"),
        [["1", "hello"]]
    );
    assert_eq!(
        env.rows("SELECT id, conversation_id, role, content, status, content_tokens, token_encoding FROM messages"),
        [
            ["1", "1", "user", "hello", "answered", "NULL", "NULL"],
            ["2", "1", "assistant", "Hello, world!", "complete", "NULL", "NULL"],
        ]
    );
    // The API reported usage, so nothing was counted: `tm ask` never builds the encoder then.
    // Cost: (922 × 0.75 + 312 × 0.075 + 56 × 4.5) / 1e6 = 0.0009669 at gpt-5.4-mini's prices,
    // stored as whole picodollars, the prices as picodollars per token.
    assert_eq!(
        env.rows(
            "SELECT conversation_id, question_id, answer_id, kind, model, sent_message_ids, system_prompt,
                    estimated_prompt_tokens, prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens,
                    usage_estimated, input_price_picodollars, cached_price_picodollars,
                    output_price_picodollars, cost_picodollars, outcome, error
             FROM requests"
        ),
        [[
            "1", "1", "2", "chat", "gpt-5.4-mini", "[1]", "NULL", "NULL", "1234", "312", "56", "40", "0",
            "750000", "75000", "4500000", "966900000", "ok", "NULL"
        ]]
    );
    let times = env.rows(
        "SELECT started_at LIKE '20__-__-__T__:__:__.___Z', first_token_ms >= 0, duration_ms >= first_token_ms FROM requests",
    );
    assert_eq!(times, [["1", "1", "1"]]);
    // The estimate is counted when it is looked at: 3 per message + 1 for "user" + 1 for
    // "hello", + 3 priming = 8.
    let row = env.first_exchange_row("1");
    assert_eq!(
        row[..11],
        [
            "1",
            "1,",
            "1",
            "sent",
            "gpt-5.4-mini",
            "1,234",
            "312",
            "0",
            "56",
            "40",
            "~8"
        ],
        "{row:?}"
    );
}

/// The server holds the rest of the answer until the test has read the first part from tm's
/// stdout: a tm that buffers its output never shows that part, and the test fails.
#[test]
fn the_answer_streams_before_it_is_complete() {
    let env = TmEnv::new();
    let (go, wait) = mpsc::channel();
    let server = FakeOpenAi::start(vec![Reply::stream(vec![
        chunk(&delta("first ")),
        Step::Gate(wait),
        chunk(&delta("second")),
        chunk(&finish()),
        chunk(&USAGE.sse()),
        chunk(DONE),
    ])]);
    let mut child = env
        .spawnable(&server)
        .args(["ask", "-q", "go"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tm");
    let mut out = child.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    let mut buffer = [0u8; 64];
    while !seen.ends_with(b"first ") {
        let n = out.read(&mut buffer).expect("read stdout");
        assert!(
            n > 0,
            "tm's stdout closed before the first part arrived: {:?}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buffer[..n]);
    }
    assert_eq!(seen, b"first ");
    go.send(()).expect("release the gate");
    out.read_to_end(&mut seen).expect("read the rest");
    assert!(child.wait().expect("wait").success());
    assert_eq!(String::from_utf8_lossy(&seen), "first second\n");
}

#[test]
fn no_stream_sends_a_plain_request_and_prints_the_same() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![Reply::json(200, &completion("Hello, world!", USAGE))]);
    let output = env
        .tm_with(&server)
        .args(["ask", "--no-stream", "hello"])
        .output()
        .expect("runs");
    assert_eq!(stdout(&output), "Hello, world!\n");
    assert_eq!(stderr(&output), SUMMARY_1);
    let body = server.requests()[0].json();
    assert_eq!(body["stream"], json!(false));
    assert!(body.get("stream_options").is_none(), "{body}");
}

#[test]
fn flags_reach_the_request() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("ok")]);
    env.tm_with(&server)
        .args([
            "ask",
            "-m",
            "gpt-5.5",
            "--effort",
            "low",
            "--max-output",
            "100",
            "-s",
            "Be terse.",
            "-q",
            "hi",
        ])
        .assert()
        .success()
        .stdout("ok\n")
        .stderr("");
    assert_eq!(
        without_cache_key(server.requests()[0].json()),
        json!({
            "model": "gpt-5.5",
            "messages": [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "hi"}],
            "stream": true,
            "stream_options": {"include_usage": true},
            "reasoning_effort": "low",
            "max_completion_tokens": 100
        })
    );
    assert_eq!(
        env.rows("SELECT model, system_prompt FROM requests"),
        [["gpt-5.5", "Be terse."]]
    );
}

#[test]
fn piped_stdin_alone_and_with_words() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("a"), answer("b")]);
    env.tm_with(&server)
        .args(["ask", "-q"])
        .write_stdin("just the pipe\n")
        .assert()
        .success();
    env.tm_with(&server)
        .args(["ask", "-q", "review", "this"])
        .write_stdin("diff --git a/x b/x\n+added\n")
        .assert()
        .success();
    let contents: Vec<String> = server
        .requests()
        .iter()
        .map(|r| {
            r.json()["messages"][0]["content"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        contents,
        ["just the pipe", "diff --git a/x b/x\n+added\n\nreview this"]
    );
    // A new conversation is titled by its words when it has any, not by what was piped.
    assert_eq!(
        env.rows("SELECT title FROM conversations ORDER BY id"),
        [["just the pipe"], ["review this"]]
    );
}

#[test]
fn stdin_that_is_not_utf8_is_a_usage_error() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![]);
    let output = env
        .tm_with(&server)
        .args(["ask", "what is this?"])
        .write_stdin(b"ok\xff\xfe".to_vec())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .starts_with("tm: error: stdin is not UTF-8 text (invalid byte at offset 2)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn nothing_to_ask_is_a_usage_error_and_sends_nothing() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![]);
    for stdin in ["", "  \n\n"] {
        let output = env
            .tm_with(&server)
            .arg("ask")
            .write_stdin(stdin)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2));
        assert_eq!(
            stderr(&output),
            "tm: error: nothing to ask: give the question as words (tm ask \"…\") or on stdin\n"
        );
        assert_eq!(stdout(&output), "");
    }
}

/// Three exchanges, then the context window end to end: `--max-messages 3` sends a3's question, a3 and q4.
#[test]
fn context_window_end_to_end() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![
        answer("a1"),
        answer("a2"),
        answer("a3"),
        answer("a4"),
        answer("a5"),
    ]);
    env.tm_with(&server)
        .args(["ask", "-q", "q1"])
        .assert()
        .success();
    env.tm_with(&server)
        .args(["ask", "-q", "-c", "q2"])
        .assert()
        .success();
    env.tm_with(&server)
        .args(["ask", "-q", "--conv", "1", "q3"])
        .assert()
        .success();
    env.tm_with(&server)
        .args(["ask", "-q", "--conv", "1", "--max-messages", "3", "q4"])
        .assert()
        .success();
    env.tm_with(&server)
        .args([
            "ask",
            "-q",
            "--conv",
            "1",
            "--max-messages",
            "all",
            "-s",
            "sys",
            "q5",
        ])
        .assert()
        .success();
    let requests = server.requests();
    let messages = |i: usize| requests[i].json()["messages"].clone();
    assert_eq!(
        messages(1),
        json!([{"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"}, {"role": "user", "content": "q2"}])
    );
    assert_eq!(
        messages(3),
        json!([{"role": "user", "content": "q3"}, {"role": "assistant", "content": "a3"}, {"role": "user", "content": "q4"}])
    );
    assert_eq!(messages(4).as_array().map(Vec::len), Some(10));
    assert_eq!(messages(4)[0], json!({"role": "system", "content": "sys"}));
    assert_eq!(messages(4)[9], json!({"role": "user", "content": "q5"}));
    assert_eq!(
        env.rows("SELECT sent_message_ids FROM requests WHERE id = 4"),
        [["[5,6,7]"]]
    );
    assert_eq!(env.rows("SELECT count(*) FROM conversations"), [["1"]]);
}

#[test]
fn unknown_conversation_is_an_error_naming_it() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![]);
    let output = env
        .tm_with(&server)
        .args(["ask", "--conv", "42", "hi"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "tm: error: there is no conversation 42; `tm list` shows the ids\n"
    );
    for bad in ["0", "-1", "abc", "99999999999999999999"] {
        let output = env
            .tm_with(&server)
            .args(["ask", "--conv", bad, "hi"])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "--conv {bad}");
    }
    assert_eq!(env.rows("SELECT count(*) FROM messages"), [["0"]]);
}

#[test]
fn dry_run_sends_nothing_writes_nothing_and_estimates() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer(
        "A monad is a monoid in the category of endofunctors.",
    )]);
    env.tm_with(&server)
        .args(["ask", "-q", "what is a monad?"])
        .assert()
        .success();
    let before = env.db_bytes();

    let output = env
        .tm_with(&server)
        .args([
            "ask",
            "--dry-run",
            "--json",
            "--conv",
            "1",
            "-s",
            "Be terse.",
            "and in Rust?",
        ])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    // o200k_base: "Be terse." 3 tokens, "what is a monad?" 6, the answer 16, "and in Rust?" 4;
    // each message adds 3 plus 1 for its role; 3 prime the reply.
    assert_eq!(
        plan,
        json!({
            "model": "gpt-5.4-mini",
            "conversation": 1,
            "messages": [
                {"id": null, "role": "system", "estimated_tokens": 7, "preview": "Be terse.", "attachments": []},
                {"id": 1, "role": "user", "estimated_tokens": 10, "preview": "what is a monad?", "attachments": []},
                {"id": 2, "role": "assistant", "estimated_tokens": 20, "preview": "A monad is a monoid in the category of endofunctors.", "attachments": []},
                {"id": null, "role": "user", "estimated_tokens": 8, "preview": "and in Rust?", "attachments": []}
            ],
            "reply_priming_tokens": 3,
            "estimated_prompt_tokens": 48,
            "service_tier": null,
            "input_price_per_million": 0.75,
            "estimated_input_cost": 0.000036
        })
    );

    let output = env
        .tm_with(&server)
        .args(["ask", "--dry-run", "--conv", "1", "and in Rust?"])
        .output()
        .expect("runs");
    assert_eq!(
        stdout(&output),
        "dry run: nothing sent. 3 messages to gpt-5.4-mini in conversation 1 (what is a monad?):\n\
         \x20id   role       tokens  text\n\
         \x201    user           10  what is a monad?\n\
         \x202    assistant      20  A monad is a monoid in the category of endofunctors.\n\
         \x20new  user            8  and in Rust?\n\
         \x20     reply           3  priming\n\
         total: ~41 prompt tokens · ~$0.000031 at $0.75/1M input tokens\n"
    );
    assert_eq!(
        env.db_bytes(),
        before,
        "a dry run must not change the database"
    );
    assert_eq!(server.requests().len(), 1);
}

/// A dry run for a model with cl100k_base counts with that encoding.
#[test]
fn dry_run_uses_the_model_family_encoding() {
    let env = TmEnv::new();
    let output = env
        .tm()
        .args([
            "ask",
            "--dry-run",
            "--json",
            "-m",
            "gpt-4",
            "fn main() { println!(\"naïve façade\"); }",
        ])
        .output()
        .expect("runs");
    let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    // cl100k_base: 13 content tokens + 3 + 1 for the role; + 3 priming.
    assert_eq!(plan["messages"][0]["estimated_tokens"], json!(17));
    assert_eq!(plan["estimated_prompt_tokens"], json!(20));
    assert_eq!(plan["input_price_per_million"], json!(30.0));
}

/// All of --max-output spent on reasoning: billed, no text. Said so, with what to change.
#[test]
fn an_empty_answer_says_why() {
    let env = TmEnv::new();
    let reasoning_only = crate::support::Usage {
        prompt: 8,
        cached: 0,
        completion: 50,
        reasoning: 50,
    };
    let server = FakeOpenAi::start(vec![Reply::stream(vec![
        chunk("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n"),
        chunk(&reasoning_only.sse()),
        chunk(DONE),
    ])]);
    let output = env
        .tm_with(&server)
        .args(["ask", "--max-output", "50", "hello"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "conversation 1 · gpt-5.4-mini · 8 prompt + 50 completion (50 reasoning) tokens · $0.00023\n\
         tm: warning: the model sent no text (finish reason: length); the output limit was used up before any text (raise --max-output or lower --effort)\n"
    );
    assert_eq!(
        env.rows("SELECT outcome, completion_tokens FROM requests"),
        [["ok", "50"]]
    );
}

/// A continued conversation goes on with the model of its last answered request, before
/// TM_MODEL and the setting; `-m` still chooses, and a failed request is passed over.
#[test]
fn continuing_keeps_the_conversations_model() {
    let env = TmEnv::new();
    let not_found = r#"{"error":{"message":"The model `gpt-4q` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#;
    let server = FakeOpenAi::start(vec![
        answer("one"),
        answer("two"),
        answer("three"),
        Reply::json(404, not_found),
        answer("five"),
        answer("six"),
    ]);
    let ask = |args: &[&str]| {
        env.tm_with(&server)
            .env("TM_MODEL", "gpt-5.4-mini")
            .arg("ask")
            .args(args)
            .output()
            .expect("runs")
    };
    assert!(ask(&["-m", "gpt-5.4", "first"]).status.success());
    let output = ask(&["-c", "second"]);
    assert_eq!(
        stderr(&output),
        "conversation 1 · gpt-5.4 · 1,234 prompt (312 cached) + 56 completion (40 reasoning) tokens · $0.0032\n"
    );
    assert!(ask(&["--conv", "1", "third"]).status.success());
    assert_eq!(
        ask(&["-c", "-m", "gpt-4q", "fourth"]).status.code(),
        Some(1)
    );
    assert!(ask(&["-c", "fifth"]).status.success());
    assert!(ask(&["-c", "-m", "gpt-5.2", "sixth"]).status.success());
    let models: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.json()["model"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        models,
        [
            "gpt-5.4", "gpt-5.4", "gpt-5.4", "gpt-4q", "gpt-5.4", "gpt-5.2"
        ]
    );
}

/// When the window leaves earlier messages out, a line on stderr says how many and why, after
/// the summary and in a dry run; nothing is said when everything was sent.
#[test]
fn leaving_messages_out_is_said() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start((1..=4).map(|i| answer(&format!("a{i}"))).collect());
    for args in [&["q1"][..], &["-c", "q2"], &["-c", "q3"]] {
        let output = env
            .tm_with(&server)
            .arg("ask")
            .args(args)
            .output()
            .expect("runs");
        assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
    }
    let output = env
        .tm_with(&server)
        .args(["ask", "-c", "q4"])
        .output()
        .expect("runs");
    assert!(
        stderr(&output)
            .ends_with(" · $0.00097\nsent 5 of the conversation's 7 messages (max-messages 5)\n"),
        "{}",
        stderr(&output)
    );
    let output = env
        .tm()
        .args(["ask", "--dry-run", "-c", "--context-tokens", "30", "q5"])
        .output()
        .expect("runs");
    // Each message is 6 tokens (3 + 1 for the role + 2 for "qN"), the question 6 and the
    // reply priming 3: 30 leaves room for three earlier messages.
    assert!(
        stdout(&output)
            .ends_with("total: ~27 prompt tokens · ~$0.000020 at $0.75/1M input tokens\n"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        stderr(&output),
        "sent 4 of the conversation's 9 messages (context-tokens 30)\n"
    );
}

/// `--json`: the answer and its record as one object on stdout, nothing else there; the
/// summary stays on stderr. A failed request still prints its record, and exits 1.
#[test]
fn ask_json_prints_the_answer_and_its_record() {
    let env = TmEnv::new();
    let body = r#"{"error":{"message":"Invalid 'messages[0].content': string too long.","type":"invalid_request_error","param":"messages","code":null}}"#;
    let server = FakeOpenAi::start(vec![answer("Hello, world!"), Reply::json(400, body)]);
    let output = env
        .tm_with(&server)
        .args(["ask", "--json", "hello"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), SUMMARY_1);
    let mut record: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    for timing in ["first_token_ms", "duration_ms"] {
        assert!(record[timing].is_u64(), "{timing}: {record}");
        record[timing] = json!(0);
    }
    assert_eq!(
        record,
        json!({
            "conversation_id": 1,
            "request_id": 1,
            "model": "gpt-5.4-mini",
            "answer": "Hello, world!",
            "finish_reason": "stop",
            "prompt_tokens": 1234,
            "cached_tokens": 312,
            "cache_write_tokens": 0,
            "completion_tokens": 56,
            "reasoning_tokens": 40,
            "usage_estimated": false,
            "service_tier": null,
            "input_price_per_million": 0.75,
            "cached_price_per_million": 0.075,
            "cache_write_price_per_million": 0.75,
            "output_price_per_million": 4.5,
            "cost": 0.0009669,
            "first_token_ms": 0,
            "duration_ms": 0,
            "outcome": "ok",
            "error": null
        })
    );
    let output = env
        .tm_with(&server)
        .args(["ask", "--json", "-q", "-c", "again"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let record: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(record["request_id"], json!(2));
    assert_eq!(record["outcome"], json!("failed"));
    assert_eq!(record["answer"], json!(""));
    assert_eq!(record["prompt_tokens"], json!(null));
    assert!(
        record["error"]
            .as_str()
            .is_some_and(|e| e.contains("string too long")),
        "{record}"
    );
}

/// `--effort` goes only to models that reason (and to models the table does not know); a
/// level the model does not take is refused before sending, naming the levels it takes.
#[test]
fn effort_only_where_it_is_taken() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("a"), answer("b"), answer("c")]);
    let ask = |model: &str, level: &str| {
        env.tm_with(&server)
            .args(["ask", "-q", "-m", model, "--effort", level, "hi"])
            .output()
            .expect("runs")
    };
    let output = ask("gpt-5-search-api", "low");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "tm: note: gpt-5-search-api does not reason, so the effort 'low' is not sent\n"
    );
    let output = ask("gpt-5.5", "xhigh");
    assert_eq!(stderr(&output), "");
    let output = ask("local-llama", "high");
    assert_eq!(stderr(&output), "");
    for (model, level, takes) in [
        ("gpt-5.5", "minimal", "none, low, medium, high, xhigh"),
        ("chat-latest", "high", "medium"),
    ] {
        let output = ask(model, level);
        assert_eq!(output.status.code(), Some(2), "{model}");
        assert_eq!(
            stderr(&output),
            format!(
                "tm: error: {model} does not take the effort '{level}'; it takes {takes}. Nothing was sent\n"
            )
        );
    }
    let efforts: Vec<serde_json::Value> = server
        .requests()
        .iter()
        .map(|r| r.json()["reasoning_effort"].clone())
        .collect();
    assert_eq!(efforts, [json!(null), json!("xhigh"), json!("high")]);
    assert_eq!(
        env.rows("SELECT count(*) FROM messages"),
        [["6"]],
        "a refused effort writes nothing"
    );
}

/// Every turn of a conversation carries the same prompt cache key, so OpenAI can serve the
/// shared prefix from its cache; another conversation, or the same one in another database,
/// gets another, and no key says anything of the API key.
#[test]
fn a_conversation_keeps_one_prompt_cache_key() {
    let key = |request: &crate::support::fake_openai::Recorded| {
        request.json()["prompt_cache_key"]
            .as_str()
            .expect("a prompt cache key")
            .to_owned()
    };
    let mut first_keys = Vec::new();
    for _database in 0..2 {
        let env = TmEnv::new();
        let server = FakeOpenAi::start(vec![answer("one"), answer("two"), answer("three")]);
        for args in [
            &["ask", "-q", "first"][..],
            &["ask", "-q", "-c", "again"],
            &["ask", "-q", "other"],
        ] {
            env.tm_with(&server).args(args).assert().success();
        }
        let keys: Vec<String> = server.requests().iter().map(key).collect();
        assert_eq!(keys[0], keys[1], "one conversation, one key");
        assert_ne!(keys[0], keys[2], "another conversation, another key");
        assert!(keys.iter().all(|k| !k.contains("SECRET")));
        first_keys.push(keys[0].clone());
    }
    assert_ne!(
        first_keys[0], first_keys[1],
        "conversation 1 of two databases"
    );
}

/// A server far ahead of tm (the whole stream in one write): the deltas read at once are
/// written together, and nothing read with them is lost: every piece of text in order,
/// the finish, the usage.
#[test]
fn a_stream_sent_in_one_write_keeps_every_event() {
    let env = TmEnv::new();
    let pieces: Vec<String> = (0..2_000).map(|n| format!("piece {n}; ")).collect();
    let mut body: String = pieces.iter().map(|p| delta(p)).collect();
    body.push_str(&finish());
    body.push_str(&USAGE.sse());
    body.push_str(DONE);
    let server = FakeOpenAi::start(vec![Reply::raw(200, "text/event-stream", body)]);
    let output = env
        .tm_with(&server)
        .args(["ask", "--json", "many pieces"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let record: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let text = pieces.concat();
    assert_eq!(record["answer"], text.as_str());
    assert_eq!(record["finish_reason"], "stop");
    assert_eq!(record["prompt_tokens"], 1234);
    assert_eq!(record["completion_tokens"], 56);
    assert_eq!(record["outcome"], "ok");
    assert_eq!(
        env.rows("SELECT content, status FROM messages WHERE role = 'assistant'"),
        [[text.as_str(), "complete"]]
    );
}
