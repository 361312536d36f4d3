//! Budgets, the cost guard and `tm status`. The history is built through `tm ask` with known
//! usage (each answer costs $0.0009669), at instants fixed with TM_TEST_NOW, in New York,
//! where a local day and a UTC day differ from 19:00 or 20:00 to midnight.

use std::process::Command as StdCommand;

use assert_cmd::Command;
use serde_json::{Value, json};

use crate::support::{FakeOpenAi, TmEnv, answer, expect, spawn, stderr, stdout};

/// 22:00 on 2026-11-19 in New York, 03:00 on the 20th in UTC.
const NIGHT: &str = "2026-11-20T03:00:00Z";

/// `tm` at `now`, pointed at the fake server.
fn tm_at(env: &TmEnv, server: &FakeOpenAi, now: &str) -> Command {
    let mut command = env.tm_with(server);
    command.env("TM_TEST_NOW", now);
    command
}

fn ask(env: &TmEnv, server: &FakeOpenAi, now: &str, args: &[&str]) -> std::process::Output {
    tm_at(env, server, now)
        .arg("ask")
        .args(args)
        .output()
        .expect("runs")
}

fn set(env: &TmEnv, key: &str, value: &str) {
    env.tm()
        .args(["config", "set", key, value])
        .assert()
        .success();
}

/// A month budget just above what was spent: the next question whose projection passes it
/// is refused before anything is written or sent, naming what was spent, the limit and the
/// projection; `--yes` sends it.
#[test]
fn a_month_budget_refuses_what_would_pass_it() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("A1"), answer("A2"), answer("A3")]);
    for question in ["first", "second"] {
        assert!(
            ask(&env, &server, NIGHT, &["-q", question])
                .status
                .success()
        );
    }
    set(&env, "budget.month", "0.002");
    // Projected: "hello" is 3 + 1 + 1 + 3 = 8 prompt tokens at $0.75 per 1M, and the
    // median answer of this model so far, 56 tokens, at $4.50 per 1M.
    let refused = ask(&env, &server, NIGHT, &["hello"]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(stdout(&refused), "");
    assert_eq!(
        stderr(&refused),
        "tm: error: nothing was sent: this request is projected at ~$0.00026 (~8 prompt + ~56 output tokens), which would pass the month budget ($0.0019 spent of $0.002); `--yes` sends it anyway\n"
    );
    assert_eq!(server.requests().len(), 2);
    assert_eq!(env.rows("SELECT count(*) FROM messages"), [["4"]]);
    let sent = ask(&env, &server, NIGHT, &["--yes", "hello"]);
    assert!(sent.status.success(), "{}", stderr(&sent));
    assert_eq!(stdout(&sent), "A3\n");
    assert_eq!(server.requests().len(), 3);
}

/// The 80 % warning comes once, from the request that crosses it, on stderr. The day budget
/// is over local days: at 22:00 in New York the day began at 05:00 UTC the day before, and
/// at 01:00 the next local day begins, though the UTC day is the same.
#[test]
fn the_day_budget_counts_local_days_and_warns_once_at_80_percent() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(["A1", "A2", "A3", "A4"].map(answer).into_iter().collect());
    // 15:00 on the 19th in New York.
    assert!(
        ask(&env, &server, "2026-11-19T20:00:00Z", &["-q", "first"])
            .status
            .success()
    );
    set(&env, "budget.day", "0.0022");
    // $0.0009669 spent (43 %); after this one, $0.0019338 (87 %).
    let crossing = ask(&env, &server, NIGHT, &["-q", "second"]);
    assert!(crossing.status.success(), "{}", stderr(&crossing));
    assert_eq!(
        stderr(&crossing),
        "tm: warning: 87% of the day budget is spent: $0.0019 of $0.0022\n"
    );
    // Projected at $0.000258 it still fits; it costs more than projected, and no warning
    // comes again.
    let past = ask(&env, &server, NIGHT, &["-q", "third"]);
    assert!(past.status.success(), "{}", stderr(&past));
    assert_eq!(stderr(&past), "");
    let refused = ask(&env, &server, NIGHT, &["-q", "fourth"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("would pass the day budget ($0.0029 spent of $0.0022)"),
        "{}",
        stderr(&refused)
    );
    // 01:00 on the 20th in New York: a new local day, the same UTC day.
    let next_day = ask(&env, &server, "2026-11-20T06:00:00Z", &["-q", "fourth"]);
    assert!(next_day.status.success(), "{}", stderr(&next_day));
    assert_eq!(server.requests().len(), 4);
}

/// The guard: a piped 2 MB text is refused off a terminal, with the estimated tokens and
/// cost; `--yes` sends it; a question under the guard is not asked about.
#[test]
fn the_guard_refuses_a_costly_request_off_a_terminal() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("short"), answer("summary")]);
    set(&env, "guard", "0.25");
    let big = "hello ".repeat(2 * 1024 * 1024 / 6);
    let plan = tm_at(&env, &server, NIGHT)
        .args(["ask", "-m", "gpt-5.6", "--dry-run", "--json", "summarise"])
        .write_stdin(big.clone())
        .output()
        .expect("runs");
    let plan: Value = serde_json::from_str(&stdout(&plan)).expect("JSON");
    let tokens = plan["estimated_prompt_tokens"]
        .as_u64()
        .expect("an estimate");
    // gpt-5.6, and 500 output tokens for a model with no answers yet; shown in cents from a
    // dollar up.
    // Past 272,000 prompt tokens, the long-context prices: $8 and $30 per 1M.
    assert!(tokens > 272_000, "{tokens}");
    let picodollars = tokens * 8_000_000 + 500 * 30_000_000;
    let cents = (picodollars + 5_000_000_000) / 10_000_000_000;
    let grouped = tokens
        .to_string()
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|digits| String::from_utf8_lossy(digits).into_owned())
        .collect::<Vec<_>>()
        .join(",");
    let refused = tm_at(&env, &server, NIGHT)
        .args(["ask", "-m", "gpt-5.6", "summarise"])
        .write_stdin(big.clone())
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        stderr(&refused),
        format!(
            "tm: error: nothing was sent: this request is projected at ~${}.{:02} (~{grouped} prompt + ~500 output tokens), which is above the guard of $0.25; `--yes` sends it anyway\n",
            cents / 100,
            cents % 100
        )
    );
    assert!(server.requests().is_empty());
    let under = ask(&env, &server, NIGHT, &["-q", "hello"]);
    assert!(under.status.success(), "{}", stderr(&under));
    assert_eq!(stderr(&under), "");
    tm_at(&env, &server, NIGHT)
        .args(["ask", "-q", "--yes", "-m", "gpt-5.6", "summarise"])
        .write_stdin(big)
        .assert()
        .success()
        .stdout("summary\n");
    assert_eq!(server.requests().len(), 2);
}

/// `tm ask` over the guard in a pseudo-terminal, for `answer`.
fn ask_in_a_terminal(env: &TmEnv, server: &FakeOpenAi) -> rexpect::session::PtySession {
    let mut command: StdCommand = env.spawnable(server);
    command.env("TM_TEST_NOW", NIGHT).args([
        "ask",
        "-m",
        "gpt-5.6",
        "--max-output",
        "100000",
        "hello",
    ]);
    spawn(command)
}

/// On a terminal the guard asks: "n" sends nothing, "y" sends.
#[test]
fn on_a_terminal_the_guard_asks() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("Hi.")]);
    set(&env, "guard", "0.25");
    // 8 prompt tokens at $4 and 100,000 output tokens at $20 per 1M.
    let question = "send ~100,008 tokens, ~$2.00?";
    let mut session = ask_in_a_terminal(&env, &server);
    expect(
        &mut session,
        "this request is projected at ~$2.00 (~8 prompt + ~100,000 output tokens), which is above the guard of $0.25",
    )
    .expect("the reason");
    expect(&mut session, question).expect("the question");
    session.send("n").expect("n");
    session.flush().expect("flush");
    expect(&mut session, "nothing was sent").expect("declined");
    session.exp_eof().expect("exit");
    assert!(server.requests().is_empty());
    assert_eq!(env.rows("SELECT count(*) FROM messages"), [["0"]]);
    let mut session = ask_in_a_terminal(&env, &server);
    expect(&mut session, question).expect("the question");
    session.send("y").expect("y");
    session.flush().expect("flush");
    expect(&mut session, "Hi.").expect("the answer");
    session.exp_eof().expect("exit");
    assert_eq!(server.requests().len(), 1);
}

/// In `tm chat` a declined question leaves the session open and the question in the line
/// editor's history: the up arrow brings it back.
#[test]
fn chat_keeps_a_declined_question() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("Hi.")]);
    set(&env, "guard", "0.25");
    let mut command: StdCommand = env.spawnable(&server);
    command
        .env("TM_TEST_NOW", NIGHT)
        .args(["chat", "-m", "gpt-5.6", "--max-output", "100000"]);
    let mut session = spawn(command);
    expect(&mut session, "/help lists the commands").expect("banner");
    expect(&mut session, "> ").expect("a prompt");
    session.send_line("hello").expect("hello");
    expect(&mut session, "send ~100,008 tokens, ~$2.00?").expect("asked");
    session.send("n").expect("n");
    session.flush().expect("flush");
    expect(&mut session, "nothing was sent").expect("declined");
    expect(&mut session, "> ").expect("the session goes on");
    session.send("\x1b[A").expect("up arrow");
    session.flush().expect("flush");
    session.send_line("").expect("enter");
    expect(&mut session, "send ~100,008 tokens, ~$2.00?").expect("asked again");
    session.send("y").expect("y");
    session.flush().expect("flush");
    expect(&mut session, "Hi.").expect("the answer");
    expect(&mut session, "> ").expect("a prompt");
    session.send_control('d').expect("ctrl-d");
    session.exp_eof().expect("exit");
    let sent = server.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].json()["messages"],
        json!([{"role": "user", "content": "hello"}])
    );
}

/// `tm usage` shows where each budget stands, the month with its end at this month's rate;
/// `--json` has the same numbers.
#[test]
fn usage_shows_the_budgets_and_the_month_end() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("A1"), answer("A2")]);
    // Midnight on 2026-11-11 in New York: 241 of November's 721 hours are gone (it had its
    // clocks turned back on the 1st).
    let now = "2026-11-11T05:00:00Z";
    for question in ["first", "second"] {
        assert!(
            ask(&env, &server, "2026-11-10T15:00:00Z", &["-q", question])
                .status
                .success()
        );
    }
    set(&env, "budget.month", "15");
    set(&env, "budget.day", "1");
    set(&env, "subscription", "0");
    let table = tm_at(&env, &server, now)
        .args(["usage", "--since", "2026-11-01"])
        .output()
        .expect("runs");
    // $0.0019338 × 721 / 241 = $0.005785351867, rounded down to the picodollar.
    assert!(
        stdout(&table).ends_with(
            "\nday budget: $0.00 of $1.00 (0%)\nmonth budget: $0.0019 of $15.00 (0%); $0.0058 by the month's end at this month's rate\n"
        ),
        "{}",
        stdout(&table)
    );
    let report: Value = serde_json::from_str(&stdout(
        &tm_at(&env, &server, now)
            .args(["usage", "--since", "2026-11-01", "--json"])
            .output()
            .expect("runs"),
    ))
    .expect("JSON");
    assert_eq!(
        report["budgets"],
        json!({
            "day": {"spent": 0.0, "limit": 1.0, "percent": 0},
            "month": {"spent": 0.0019338, "limit": 15.0, "percent": 0, "month_end": 0.005785351867}
        })
    );
}

/// `tm status`: the exact line and JSON for a known history; nothing, and exit 0, without a
/// database or with one it cannot read, unless `--strict`.
#[test]
fn status_is_one_line_and_never_fails_a_prompt() {
    let env = TmEnv::new();
    let status = |args: &[&str]| {
        env.tm()
            .env("TM_TEST_NOW", NIGHT)
            .arg("status")
            .args(args)
            .output()
            .expect("runs")
    };
    let missing = status(&[]);
    assert!(missing.status.success());
    assert_eq!(
        (stdout(&missing), stderr(&missing)),
        (String::new(), String::new())
    );
    assert!(!env.db().exists(), "status never creates the database");
    let strict = status(&["--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(
        stderr(&strict).contains("there is no history at"),
        "{}",
        stderr(&strict)
    );

    let server = FakeOpenAi::start(vec![answer("A1"), answer("A2")]);
    // One answer yesterday (local), one today.
    assert!(
        ask(&env, &server, "2026-11-18T20:00:00Z", &["-q", "first"])
            .status
            .success()
    );
    assert!(
        ask(&env, &server, NIGHT, &["-q", "second"])
            .status
            .success()
    );
    assert_eq!(stdout(&status(&[])), "today $0.00097 · month $0.0019\n");
    set(&env, "budget.month", "0.01");
    set(&env, "budget.day", "0.002");
    assert_eq!(
        stdout(&status(&[])),
        "today $0.00097 of $0.002 (48%) · month $0.0019 of $0.01 (19%)\n"
    );
    // 455 of November's 721 hours are gone: $0.0019338 × 721 / 455 by the month's end.
    let json: Value = serde_json::from_str(&stdout(&status(&["--json"]))).expect("JSON");
    assert_eq!(
        json,
        json!({
            "today": 0.0009669,
            "month": 0.0019338,
            "budgets": {
                "day": {"spent": 0.0009669, "limit": 0.002, "percent": 48},
                "month": {"spent": 0.0019338, "limit": 0.01, "percent": 19, "month_end": 0.00306432923}
            }
        })
    );
    std::fs::write(env.db(), b"not a database at all, just text").expect("write");
    let damaged = status(&[]);
    assert!(damaged.status.success());
    assert_eq!(stdout(&damaged), "");
    assert_eq!(status(&["--strict"]).status.code(), Some(1));
}

/// A model without a price cannot be projected: with a budget set, that is said once, and
/// the question goes.
#[test]
fn an_unpriced_model_is_sent_with_a_note() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("A1")]);
    set(&env, "budget.month", "1");
    let output = ask(&env, &server, NIGHT, &["-m", "local-llama", "hello"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with(
            "tm: note: the cost of a request to local-llama cannot be projected (the price table has no price for it), so no limit is checked\n"
        ),
        "{}",
        stderr(&output)
    );
}

/// Image requests count: projected from the output tokens of the size and quality asked
/// for, and refused over the guard.
#[test]
fn image_requests_are_guarded_too() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(Vec::new());
    set(&env, "guard", "0.01");
    let output = tm_at(&env, &server, NIGHT)
        .args(["image", "a fox"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    // gpt-image-2: 5 prompt tokens at $5 and 6,240 output tokens (high quality, 1536x1024
    // at most) at $30 per 1M.
    assert_eq!(
        stderr(&output),
        "tm: error: nothing was sent: this request is projected at ~$0.1872 (~5 prompt + ~6,240 output tokens), which is above the guard of $0.01; `--yes` sends it anyway\n"
    );
    assert_eq!(env.rows("SELECT count(*) FROM requests"), [["0"]]);
}
