//! Tables on a real terminal (a pseudo-terminal of a set width): they fit, and no number,
//! amount, date or id is ever cut; titles shorten first, then whole columns go.

use crate::support::{FakeOpenAi, TmEnv, answer, wrap};

/// What `tm ARGS` shows on a terminal `columns` wide, as the UTF-8 the terminal received,
/// without the carriage returns the terminal adds.
fn on_terminal(env: &TmEnv, columns: usize, args: &[&str]) -> String {
    let mut command = env.command();
    command.args(args);
    run_on_terminal(&command, columns)
}

/// `command` run on a terminal `columns` wide; what the terminal received.
fn run_on_terminal(command: &std::process::Command, columns: usize) -> String {
    let sized = wrap(
        command,
        &[
            "sh",
            "-c",
            &format!("stty rows 60 cols {columns} && exec \"$0\" \"$@\""),
        ],
    );
    let mut session =
        rexpect::session::spawn_command(sized, Some(20_000)).expect("spawn tm in a pty");
    let read = session.exp_eof().expect("eof");
    // rexpect reads the terminal as Latin-1.
    let bytes: Vec<u8> = read
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    String::from_utf8_lossy(&bytes).replace('\r', "")
}

/// Every line fits, so the terminal never wraps one.
fn assert_fits(text: &str, columns: usize) {
    for line in text.lines() {
        let width = unicode_width::UnicodeWidthStr::width(line);
        assert!(width <= columns, "{width} > {columns}: {line}\n{text}");
    }
}

/// Three conversations with Korean and long titles, at pinned times.
fn history() -> TmEnv {
    let env = TmEnv::new();
    let server = FakeOpenAi::start((0..3).map(|_| answer("ok")).collect());
    for question in [
        "모나드와 펑터의 차이점을 자세히 정리해 주세요",
        "what is the difference between a closure and a function pointer in Rust",
        "short",
    ] {
        env.tm_with(&server)
            .args(["ask", "-q", question])
            .assert()
            .success();
    }
    env.execute(
        "UPDATE requests SET started_at = '2026-11-2' || id || 'T10:00:00.000Z';
         UPDATE conversations SET created_at = '2026-11-2' || id || 'T10:00:00.000Z',
                                  updated_at = '2026-11-2' || id || 'T10:00:00.000Z';",
    );
    env
}

#[test]
fn list_fits_60_and_120_columns() {
    let env = history();
    let wide = on_terminal(&env, 120, &["list"]);
    assert_fits(&wide, 120);
    // Every column, the title at the 50 columns `tm list` gives it.
    assert!(
        wide.contains("│  1 ┆ 모나드와 펑터의 차이점을 자세히…  ┆ gpt-5.4-mini ┆        2 ┆  1,234 ┆         56 ┆ $0.00097 ┆ 2026-11-21 05:00 │"),
        "{wide}"
    );
    let narrow = on_terminal(&env, 60, &["list"]);
    assert_fits(&narrow, 60);
    // The title shortened and four columns gone: id, title, cost and date whole.
    assert!(
        narrow.contains("│  1 ┆ 모나드와 펑터의 차이… ┆ $0.00097 ┆ 2026-11-21 05:00 │"),
        "{narrow}"
    );
    assert!(!narrow.contains("completion"), "{narrow}");
}

#[test]
fn usage_fits_60_columns_by_every_grouping() {
    let env = history();
    for by in ["day", "week", "month", "model", "conversation"] {
        let args = [
            "usage",
            "--since",
            "2026-11-01",
            "--until",
            "2026-11-30",
            "--by",
            by,
        ];
        let narrow = on_terminal(&env, 60, &args);
        assert_fits(&narrow, 60);
        assert!(narrow.contains("$0.0029 │"), "{by}: {narrow}");
        let wide = on_terminal(&env, 120, &args);
        assert_fits(&wide, 120);
        assert!(wide.contains("┆  3,702 ┆"), "{by}: {wide}");
    }
    let days = on_terminal(
        &env,
        60,
        &[
            "usage",
            "--since",
            "2026-11-01",
            "--until",
            "2026-11-30",
            "--by",
            "day",
        ],
    );
    assert!(days.contains("│ 2026-11-21 ┆"), "{days}");
}

/// The summary line on stderr wraps at spaces on a narrow terminal: no word or number is cut.
#[test]
fn status_lines_wrap_between_words() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("ok")]);
    let mut command = env.spawnable(&server);
    command.args(["ask", "hello"]);
    let seen = run_on_terminal(&command, 40);
    // From the summary on: before it, the spinner's redraws are on the same screen line.
    let summary = seen
        .find("conversation 1")
        .map_or("", |start| &seen[start..]);
    assert_fits(summary, 40);
    assert!(
        seen.contains("conversation 1 · gpt-5.4-mini · 1,234\nprompt (312 cached) + 56 completion (40\nreasoning) tokens · $0.00097\n"),
        "{seen:?}"
    );
}

#[test]
fn show_tokens_and_prices_fit_60_columns() {
    let env = history();
    let show = on_terminal(&env, 60, &["show", "1", "--tokens"]);
    assert_fits(&show, 60);
    assert!(show.contains("1,234"), "{show}");
    assert!(show.contains("$0.00097"), "{show}");
    let prices = on_terminal(&env, 60, &["prices"]);
    assert_fits(&prices, 60);
    assert!(prices.contains("│ gpt-5.4-mini "), "{prices}");
    let wide = on_terminal(&env, 120, &["prices"]);
    assert_fits(&wide, 120);
    assert!(wide.contains("272,000"), "{wide}");
}
