//! list, show, rename, delete, usage: history made through `tm ask` against the fake server
//! with known usage, times pinned in the database, exact output asserted. None needs a key.

use serde_json::json;

use crate::support::{FakeOpenAi, TmEnv, answer, assert_stderr_contains, stderr, stdout};

/// Four requests in three conversations: 1 has two exchanges, 2 is an unpriced model, and the
/// second request of 1 is at 23:59 New York time, 04:59 UTC the next day.
fn history() -> TmEnv {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("A1"), answer("A2"), answer("A3"), answer("A4")]);
    env.tm_with(&server)
        .args(["ask", "-q", "what is a monad?"])
        .assert()
        .success();
    env.tm_with(&server)
        .args(["ask", "-q", "-c", "and a functor?"])
        .assert()
        .success();
    env.tm_with(&server)
        .args(["ask", "-q", "-m", "local-llama", "hello llama"])
        .assert()
        .success();
    env.tm_with(&server)
        .args(["ask", "-q", "third, about 50% off_sale"])
        .assert()
        .success();
    env.execute(
        "UPDATE requests SET started_at = CASE id
            WHEN 1 THEN '2026-11-19T14:00:00.000Z' WHEN 2 THEN '2026-11-20T04:59:00.000Z'
            WHEN 3 THEN '2026-11-20T05:01:00.000Z' ELSE '2026-11-21T10:00:00.000Z' END,
            duration_ms = 1250, first_token_ms = 310;
         UPDATE conversations SET
            created_at = (SELECT min(started_at) FROM requests r WHERE r.conversation_id = conversations.id),
            updated_at = (SELECT max(started_at) FROM requests r WHERE r.conversation_id = conversations.id);
         UPDATE messages SET created_at =
            (SELECT started_at FROM requests r WHERE r.question_id = messages.id OR r.answer_id = messages.id);
         INSERT INTO settings VALUES ('subscription', '0');",
    );
    env
}

const LIST: &str = " id  title                      model         messages  prompt  completion               cost  last activity
  3  third, about 50% off_sale  gpt-5.4-mini         2   1,234          56           $0.00097  2026-11-21 05:00
  2  hello llama                local-llama          2   1,234          56            unknown  2026-11-20 00:01
  1  what is a monad?           gpt-5.4-mini         4   2,468         112            $0.0019  2026-11-19 23:59
     total (3 conversations)                         8   4,936         224  $0.0029 + unknown
";

#[test]
fn list_newest_first_with_totals() {
    let env = history();
    env.tm().arg("list").assert().success().stdout(LIST);
    env.tm().args(["list", "--limit", "1"]).assert().success().stdout(
        " id  title                      model         messages  prompt  completion      cost  last activity
  3  third, about 50% off_sale  gpt-5.4-mini         2   1,234          56  $0.00097  2026-11-21 05:00
     total (1 conversation)                          2   1,234          56  $0.00097
",
    );
    env.tm()
        .args(["list", "--all"])
        .assert()
        .success()
        .stdout(LIST);
}

/// Words, not substrings: each word of the search, stemmed and with case and accents folded,
/// must be in the title or in one message.
#[test]
fn list_search_matches_words_of_titles_and_content() {
    let env = history();
    let ids = |search: &str| -> Vec<i64> {
        let output = env
            .tm()
            .args(["list", "--json", "--search", search])
            .output()
            .expect("runs");
        assert!(output.status.success(), "{search}: {}", stderr(&output));
        let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).expect("JSON");
        rows.iter().filter_map(|r| r["id"].as_i64()).collect()
    };
    assert_eq!(ids("monad"), [1]);
    assert_eq!(ids("MONADS"), [1], "case and plurals fold");
    assert_eq!(ids("a3"), [2], "answers are searched too");
    assert_eq!(ids("50%"), [3], "punctuation separates words");
    assert_eq!(ids("sale third"), [3], "every word, in any order");
    assert_eq!(
        ids("\"off\" OR NOT"),
        Vec::<i64>::new(),
        "quotes and operators are text"
    );
    assert_eq!(
        ids("monad functor"),
        Vec::<i64>::new(),
        "the words must be in one message"
    );
    assert_eq!(ids("mon"), Vec::<i64>::new(), "whole words, not parts");
    let output = env
        .tm()
        .args(["list", "--search", "%?"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "tm: error: --search '%?' has no word to look for; words are letters and digits\n"
    );
    env.tm()
        .args(["rename", "2", "Llama", "greetings"])
        .assert()
        .success()
        .stdout("");
    assert_eq!(ids("greetings"), [2]);
    let output = env.tm().args(["rename", "9", "x"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "tm: error: there is no conversation 9; `tm list` shows the ids\n"
    );
}

/// Korean words are found by their beginnings (particles and endings attach to them); a
/// Chinese or Japanese word of two or more characters is found inside a run without spaces,
/// in titles and in messages, answers included. English keeps whole words.
#[test]
fn list_search_finds_korean_chinese_and_japanese_words() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![
        answer("설명해 주세요"),
        answer("我的数据库很大"),
        answer("東京都に住んでいます"),
        answer("a mixed SQL데이터베이스 answer"),
    ]);
    for question in [
        "모나드와 펑터의 차이점 정리",
        "数据库的问题",
        "どこに住んでいますか",
        "mixed",
    ] {
        env.tm_with(&server)
            .args(["ask", "-q", question])
            .assert()
            .success();
    }
    let ids = |search: &str| -> Vec<i64> {
        let output = env
            .tm()
            .args(["list", "--json", "--search", search])
            .output()
            .expect("runs");
        assert!(output.status.success(), "{search}: {}", stderr(&output));
        let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).expect("JSON");
        rows.iter().filter_map(|r| r["id"].as_i64()).collect()
    };
    assert_eq!(ids("펑터"), [1], "a title word's beginning");
    assert_eq!(ids("모나드"), [1]);
    assert_eq!(ids("설명"), [1], "an answer's word's beginning");
    assert_eq!(
        ids("터의"),
        Vec::<i64>::new(),
        "Korean: beginnings, not middles"
    );
    assert_eq!(
        ids("数据库"),
        [2],
        "inside a run, in the title and the answer"
    );
    assert_eq!(ids("据库很"), [2]);
    assert_eq!(ids("東京"), [3]);
    assert_eq!(ids("住んで"), [3], "kana too");
    assert_eq!(ids("大阪"), Vec::<i64>::new());
    assert_eq!(ids("데이터"), [4], "Korean after Latin letters in one word");
    assert_eq!(ids("mixed 데이터"), [4]);
    env.tm()
        .args(["rename", "2", "新的标题"])
        .assert()
        .success();
    assert_eq!(ids("标题"), [2], "a renamed title");
    env.tm().args(["delete", "--yes", "3"]).assert().success();
    assert_eq!(ids("東京"), Vec::<i64>::new());
    env.assert_search_index_is_whole();
}

/// Few matching messages lead to their conversations; many make tm walk the conversations
/// newest first instead. Both give the same rows, and deletes leave the index.
#[test]
fn list_search_gives_the_same_rows_for_few_and_many_matches() {
    let env = history();
    let flood = |conversation: i64, count: i64| {
        env.execute(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
             INSERT INTO messages (conversation_id, role, content, status, created_at)
             SELECT {conversation}, 'user', 'a flood of words ' || i, 'answered',
                    '2026-11-19T14:00:00.000Z' FROM n;"
        ));
    };
    let ids = || -> Vec<i64> {
        let output = env
            .tm()
            .args(["list", "--json", "--search", "floods"])
            .output()
            .expect("runs");
        let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).expect("JSON");
        rows.iter().filter_map(|r| r["id"].as_i64()).collect()
    };
    // tm switches from the matches to the walk at 50,000 matching messages.
    flood(1, 49_998);
    flood(3, 1);
    assert_eq!(ids(), [3, 1], "49,999 matches");
    flood(1, 1);
    assert_eq!(ids(), [3, 1], "50,000 matches");
    env.tm().args(["delete", "--yes", "3"]).assert().success();
    assert_eq!(ids(), [1]);
    env.assert_search_index_is_whole();
}

#[test]
fn list_json_has_stable_fields() {
    let env = history();
    let output = env
        .tm()
        .args(["list", "--json", "--limit", "2"])
        .output()
        .expect("runs");
    let rows: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(
        rows,
        json!([
            {"id": 3, "title": "third, about 50% off_sale", "model": "gpt-5.4-mini", "messages": 2,
             "prompt_tokens": 1234, "completion_tokens": 56, "cost": 0.0009669, "unpriced_requests": 0,
             "last_activity": "2026-11-21T10:00:00.000Z", "last_question_failed": false},
            {"id": 2, "title": "hello llama", "model": "local-llama", "messages": 2,
             "prompt_tokens": 1234, "completion_tokens": 56, "cost": 0.0, "unpriced_requests": 1,
             "last_activity": "2026-11-20T05:01:00.000Z", "last_question_failed": false}
        ])
    );
}

#[test]
fn show_transcript_tokens_markdown_json() {
    let env = history();
    env.tm().args(["show", "1"]).assert().success().stdout(
        "conversation 1 · what is a monad? · 2026-11-19 09:00 – 2026-11-19 23:59

#1 you · 2026-11-19 09:00 · 1,234 prompt tokens (312 cached) · message 1, 1 sent
what is a monad?

#2 gpt-5.4-mini · 2026-11-19 09:00 · 56 completion tokens (40 reasoning) · $0.00097
A1

#3 you · 2026-11-19 23:59 · 1,234 prompt tokens (312 cached) · messages 1–3, 3 sent
and a functor?

#4 gpt-5.4-mini · 2026-11-19 23:59 · 56 completion tokens (40 reasoning) · $0.00097
A2
",
    );
    // Estimates: 3 + 1 + 6 ("what is a monad?") + 3 = 13; then + (3 + 1 + 2 "A1") + (3 + 1 + 5) = 28.
    env.tm().args(["show", "1", "--tokens"]).assert().success().stdout(
        " #  sent         model         prompt  cached  written  completion  reasoning  estimate      cost  time  first token
 1  1, 1 sent    gpt-5.4-mini   1,234     312        0          56         40       ~13  $0.00097  1.2s        310ms
 3  1–3, 3 sent  gpt-5.4-mini   1,234     312        0          56         40       ~28  $0.00097  1.2s        310ms
",
    );
    let markdown = stdout(
        &env.tm()
            .args(["show", "2", "--markdown"])
            .output()
            .expect("runs"),
    );
    assert_eq!(
        markdown,
        "# hello llama

_conversation 2 · 2026-11-20 00:01 – 2026-11-20 00:01_

**#1 you** · 2026-11-20 00:01 · 1,234 prompt tokens (312 cached) · message 1, 1 sent

hello llama

**#2 local-llama** · 2026-11-20 00:01 · 56 completion tokens (40 reasoning) · unknown

A3
"
    );
    let output = env
        .tm()
        .args(["show", "1", "--json"])
        .output()
        .expect("runs");
    let shown: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(shown["conversation"]["title"], json!("what is a monad?"));
    assert_eq!(shown["messages"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        shown["messages"][2],
        json!({"number": 3, "id": 3, "role": "user", "content": "and a functor?", "status": "answered",
               "content_tokens": null, "token_encoding": null, "created_at": "2026-11-20T04:59:00.000Z",
               "attachments": []})
    );
    assert_eq!(shown["requests"][1]["sent_message_ids"], json!("[1,2,3]"));
    assert_eq!(shown["requests"][1]["prompt_tokens"], json!(1234));
    assert_eq!(shown["requests"][1]["usage_estimated"], json!(false));
    let output = env.tm().args(["show", "7"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "tm: error: there is no conversation 7; `tm list` shows the ids\n"
    );
}

#[test]
fn show_marks_estimates_and_interruptions() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![crate::support::Reply::stream(vec![
        crate::support::fake_openai::chunk(&crate::support::fake_openai::delta("cut")),
        crate::support::Step::Drop,
    ])]);
    env.tm_with(&server)
        .args(["ask", "-q", "hello"])
        .assert()
        .code(1);
    let out = stdout(&env.tm().args(["show", "1"]).output().expect("runs"));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[2].ends_with(" · ~8 prompt tokens · message 1, 1 sent"),
        "{out}"
    );
    // (8 × 0.75 + 1 × 4.5) / 1e6 = $0.0000105 exactly, rounded half up to two significant
    // digits (floating point once made it 0.0000104999… and so $0.000010).
    assert!(
        lines[5].ends_with(" · interrupted · ~1 completion tokens · ~$0.000011"),
        "{out}"
    );
}

#[test]
fn delete_is_all_or_nothing_and_asks_first() {
    let env = history();
    let counts = || {
        env.rows("SELECT (SELECT count(*) FROM conversations), (SELECT count(*) FROM messages), (SELECT count(*) FROM requests)")
    };
    let output = env.tm().args(["delete", "1"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "tm: error: delete asks before it deletes, and stdin is not a terminal: pass --yes\n"
    );
    let output = env
        .tm()
        .args(["delete", "--yes", "1", "42", "3"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "tm: error: there is no conversation 42; nothing was deleted\n"
    );
    assert_eq!(counts(), [["3", "8", "4"]]);

    env.tm()
        .args(["delete", "--yes", "1", "3"])
        .assert()
        .success()
        .stdout("");
    assert_eq!(counts(), [["1", "2", "1"]]);
    assert_eq!(env.rows("SELECT id FROM conversations"), [["2"]]);
}

#[test]
fn delete_keep_usage_keeps_the_cost_in_usage() {
    let env = history();
    env.tm()
        .args(["delete", "--yes", "--keep-usage", "1"])
        .assert()
        .success();
    assert_eq!(env.rows("SELECT count(*) FROM messages"), [["4"]]);
    assert_eq!(
        env.rows("SELECT id, conversation_id, question_id, answer_id FROM requests ORDER BY id"),
        [
            ["1", "NULL", "NULL", "NULL"],
            ["2", "NULL", "NULL", "NULL"],
            ["3", "2", "5", "6"],
            ["4", "3", "7", "8"]
        ]
    );
    env.tm().args(["usage", "--since", "2026-11-01", "--until", "2026-11-30", "--by", "conversation"]).assert().success().stdout(
        "2026-11-01 to 2026-11-30
 conversation                 requests  prompt  cached  hits  written  completion  images               cost
 deleted                             2   2,468     624   25%        0         112       0            $0.0019  ####################
 3 third, about 50% off_sale         1   1,234     312   25%        0          56       0           $0.00097  ##########
 2 hello llama                       1   1,234     312   25%        0          56       0            unknown
 total                               4   4,936   1,248   25%        0         224       0  $0.0029 + unknown
",
    );
}

/// `tm usage` for November 2026, by day, as CSV, in the time zone `zone`.
fn november_csv(env: &TmEnv, zone: &str) -> String {
    let output = env
        .tm()
        .env("TZ", zone)
        .args([
            "usage",
            "--since",
            "2026-11-01",
            "--until",
            "2026-11-30",
            "--csv",
        ])
        .output()
        .expect("runs");
    stdout(&output)
}

#[test]
fn usage_by_day_in_local_time() {
    let env = history();
    env.tm()
        .args(["usage", "--since", "2026-11-01", "--until", "2026-11-30"])
        .assert()
        .success()
        .stdout(
            "2026-11-01 to 2026-11-30
 day         requests  prompt  cached  hits  written  completion  images               cost
 2026-11-19         2   2,468     624   25%        0         112       0            $0.0019  ####################
 2026-11-20         1   1,234     312   25%        0          56       0            unknown
 2026-11-21         1   1,234     312   25%        0          56       0           $0.00097  ##########
 total              4   4,936   1,248   25%        0         224       0  $0.0029 + unknown
",
        );
    // In UTC the 23:59 request is on the 20th.
    assert_eq!(
        november_csv(&env, "UTC"),
        "key,requests,prompt_tokens,cached_tokens,cache_write_tokens,completion_tokens,reasoning_tokens,images,cost,unpriced_requests,failed_requests
2026-11-19,1,1234,312,0,56,40,0,0.0009669,0,0
2026-11-20,2,2468,624,0,112,80,0,0.0009669,1,0
2026-11-21,1,1234,312,0,56,40,0,0.0009669,0,0
"
    );
    // The range is inclusive of --until's whole local day, and --since's.
    let output = env
        .tm()
        .args([
            "usage",
            "--since",
            "2026-11-20",
            "--until",
            "2026-11-20",
            "--json",
        ])
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(report["rows"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["rows"][0]["key"], json!("2026-11-20"));
    assert_eq!(report["rows"][0]["unpriced_requests"], json!(1));
    assert_eq!(report["totals"]["requests"], json!(1));
    assert_eq!(report["this_month"], json!(null));
}

/// Where local midnight is not on a UTC hour, the quarter hours beside it are summed instead:
/// India's midnight is 18:30Z, Nepal's 18:15Z. A bound inside a quarter hour falls back to
/// the requests themselves.
#[test]
fn usage_days_are_exact_in_half_hour_zones() {
    let env = history();
    env.execute(
        "UPDATE requests SET started_at = CASE id
            WHEN 1 THEN '2026-11-19T18:10:00.000Z' WHEN 2 THEN '2026-11-19T18:20:00.000Z'
            WHEN 3 THEN '2026-11-19T18:40:00.000Z' ELSE '2026-11-20T18:29:59.999Z' END",
    );
    env.assert_totals_match_requests();
    let days = |zone: &str| {
        november_csv(&env, zone)
            .lines()
            .skip(1)
            .map(|line| line.split(',').take(2).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
    };
    assert_eq!(days("Asia/Kolkata"), ["2026-11-19 2", "2026-11-20 2"]);
    assert_eq!(
        days("Asia/Kathmandu"),
        ["2026-11-19 1", "2026-11-20 2", "2026-11-21 1"]
    );
    assert_eq!(days("UTC"), ["2026-11-19 3", "2026-11-20 1"]);
}

#[test]
fn the_usage_totals_follow_every_change() {
    let env = history();
    assert_eq!(
        env.rows(
            "SELECT level, span, model, requests, cost_picodollars FROM usage_totals
             WHERE level = 1 OR model = '' ORDER BY 1, 2, 3"
        ),
        [
            ["0", "2026-11-19", "", "1", "966900000"],
            ["0", "2026-11-20", "", "2", "966900000"],
            ["0", "2026-11-21", "", "1", "966900000"],
            ["1", "2026-11-19T14", "", "1", "966900000"],
            ["1", "2026-11-19T14", "gpt-5.4-mini", "1", "966900000"],
            ["1", "2026-11-20T04", "", "1", "966900000"],
            ["1", "2026-11-20T04", "gpt-5.4-mini", "1", "966900000"],
            ["1", "2026-11-20T05", "", "1", "0"],
            ["1", "2026-11-20T05", "local-llama", "1", "0"],
            ["1", "2026-11-21T10", "", "1", "966900000"],
            ["1", "2026-11-21T10", "gpt-5.4-mini", "1", "966900000"],
            ["2", "2026-11-19T14:00", "", "1", "966900000"],
            ["2", "2026-11-20T04:45", "", "1", "966900000"],
            ["2", "2026-11-20T05:00", "", "1", "0"],
            ["2", "2026-11-21T10:00", "", "1", "966900000"],
        ]
    );
    env.assert_totals_match_requests();
    env.tm()
        .args(["delete", "--yes", "--keep-usage", "1"])
        .assert()
        .success();
    env.assert_totals_match_requests();
    env.tm().args(["delete", "--yes", "3"]).assert().success();
    env.assert_totals_match_requests();
    env.assert_search_index_is_whole();
    assert_eq!(
        env.rows(
            "SELECT span, requests FROM usage_totals WHERE level = 0 AND model = '' ORDER BY 1"
        ),
        [["2026-11-19", "1"], ["2026-11-20", "2"]]
    );
}

#[test]
fn usage_by_model_week_month() {
    let env = history();
    let range = ["--since", "2026-11-01", "--until", "2026-11-30"];
    let output = env
        .tm()
        .arg("usage")
        .args(range)
        .args(["--by", "model", "--json"])
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(
        report,
        json!({
            "since": "2026-11-01", "until": "2026-11-30", "by": "model",
            "rows": [
                {"key": "gpt-5.4-mini", "requests": 3, "prompt_tokens": 3702, "cached_tokens": 936, "cache_write_tokens": 0,
                 "completion_tokens": 168, "reasoning_tokens": 120, "images": 0, "cost": 0.0029007, "unpriced_requests": 0, "failed_requests": 0},
                {"key": "local-llama", "requests": 1, "prompt_tokens": 1234, "cached_tokens": 312, "cache_write_tokens": 0,
                 "completion_tokens": 56, "reasoning_tokens": 40, "images": 0, "cost": 0.0, "unpriced_requests": 1, "failed_requests": 0}
            ],
            "totals": {"key": "total", "requests": 4, "prompt_tokens": 4936, "cached_tokens": 1248, "cache_write_tokens": 0,
                       "completion_tokens": 224, "reasoning_tokens": 160, "images": 0, "cost": 0.0029007, "unpriced_requests": 1, "failed_requests": 0},
            "this_month": null,
            "budgets": null
        })
    );
    let keys = |by: &str| -> Vec<String> {
        let output = env
            .tm()
            .arg("usage")
            .args(range)
            .args(["--by", by, "--csv"])
            .output()
            .expect("runs");
        stdout(&output)
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(keys("week"), ["2026-W47"]);
    assert_eq!(keys("month"), ["2026-11"]);
}

#[test]
fn usage_rejects_what_it_cannot_read() {
    let env = TmEnv::new();
    for (args, message) in [
        (
            ["--since", "last tuesday"],
            "--since: 'last tuesday' is not a time: use 7d, 2w, 3m (days, weeks, months back), today, yesterday, or a date like 2026-11-01",
        ),
        (["--until", "0d"], "--until: '0d' is not a time: use 7d"),
        (
            ["--since", "2026-02-30"],
            "--since: '2026-02-30' is not a time",
        ),
    ] {
        let output = env.tm().arg("usage").args(args).output().expect("runs");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_stderr_contains(&output, message);
    }
    let output = env
        .tm()
        .args(["usage", "--since", "today", "--until", "yesterday"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert_stderr_contains(&output, "is after --until");
    assert!(
        !env.db().exists(),
        "bad arguments are refused before the database is touched"
    );
}

/// A saving is floored: $0.00129 of $20.00 is 99.99 % less, shown as 99 %, never 100 %.
#[test]
fn a_small_spend_is_never_a_hundred_percent_saving() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("a")]);
    env.tm()
        .args(["config", "set", "price.gpt-5.4-mini", "input=1,output=1"])
        .assert()
        .success();
    env.tm_with(&server)
        .args(["ask", "-q", "one"])
        .assert()
        .success();
    let out = stdout(&env.tm().arg("usage").output().expect("runs"));
    assert!(
        out.ends_with("\nthis month: $0.0013 of $20.00 — 99% less than a subscription\n"),
        "{out}"
    );
}

/// This month against the subscription: requests made now are always in the current month.
#[test]
fn usage_compares_this_month_with_a_subscription() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("a"), answer("b")]);
    env.tm()
        .args([
            "config",
            "set",
            "price.gpt-5.4-mini",
            "input=10000,output=10000",
        ])
        .assert()
        .success();
    // (1234 + 56) × 10000 / 1e6 = $12.90 a request.
    env.tm_with(&server)
        .args(["ask", "-q", "one"])
        .assert()
        .success();
    let out = stdout(&env.tm().arg("usage").output().expect("runs"));
    assert!(
        out.ends_with("\nthis month: $12.90 of $20.00 — 35% less than a subscription\n"),
        "{out}"
    );
    env.tm_with(&server)
        .args(["ask", "-q", "two"])
        .assert()
        .success();
    let out = stdout(&env.tm().arg("usage").output().expect("runs"));
    assert!(
        out.ends_with("\nthis month: $25.80 of $20.00 — $5.80 more than a subscription\n"),
        "{out}"
    );
    env.tm()
        .args(["config", "set", "subscription", "0"])
        .assert()
        .success();
    let out = stdout(&env.tm().arg("usage").output().expect("runs"));
    assert!(!out.contains("this month"), "{out}");
}

/// On a terminal `delete` asks, and only a yes deletes.
#[test]
fn delete_asks_on_a_terminal() {
    let env = history();
    let ask = |answer: &str| {
        let mut command = crate::support::wrap(
            &env.command(),
            &["sh", "-c", "stty rows 30 cols 120 && exec \"$0\" \"$@\""],
        );
        command.args(["delete", "2"]);
        let mut session = rexpect::session::spawn_command(command, Some(20_000)).expect("pty");
        session
            .exp_string("Delete 1 conversation (2 hello llama)?")
            .expect("the question");
        session.send(answer).expect("answer");
        session.flush().expect("flush");
        session.exp_eof().expect("eof");
    };
    ask("n");
    assert_eq!(
        env.rows("SELECT count(*) FROM conversations WHERE id = 2"),
        [["1"]]
    );
    ask("y");
    assert_eq!(
        env.rows("SELECT count(*) FROM conversations WHERE id = 2"),
        [["0"]]
    );
}

/// Costs are added as whole picodollars: three requests of $0.10, $0.20 and $0.30 make
/// exactly $0.60 in every report, where adding the dollars as floating point gives
/// 0.6000000000000001.
#[test]
fn costs_add_up_exactly() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start((0..3).map(|_| answer("ok")).collect());
    for args in [
        &["ask", "-q", "one"][..],
        &["ask", "-q", "-c", "two"],
        &["ask", "-q", "-c", "three"],
    ] {
        env.tm_with(&server).args(args).assert().success();
    }
    env.execute(
        "UPDATE requests SET cost_picodollars = CASE id WHEN 1 THEN 100000000000
                                                        WHEN 2 THEN 200000000000
                                                        ELSE 300000000000 END;",
    );
    let list: serde_json::Value = serde_json::from_str(&stdout(
        &env.tm().args(["list", "--json"]).output().expect("runs"),
    ))
    .expect("JSON");
    assert_eq!(list[0]["cost"], json!(0.6));
    let usage: serde_json::Value = serde_json::from_str(&stdout(
        &env.tm()
            .args(["usage", "--by", "conversation", "--json"])
            .output()
            .expect("runs"),
    ))
    .expect("JSON");
    assert_eq!(usage["totals"]["cost"], json!(0.6));
    env.assert_totals_match_requests();
}
