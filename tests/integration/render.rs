//! Answers rendered as Markdown on a terminal while they stream, and byte for byte the
//! model's text everywhere else.

use std::process::Command as StdCommand;

use crate::support::{FakeOpenAi, Reply, TmEnv, USAGE, answer, expect, from_latin1, spawn, wrap};

const ANSWER: &str = "## 핵심 개념\n\nA **monad** is a `type` with two operations and a [guide](https://example.org/monads); this sentence goes on long enough that a terminal of 120 columns has to wrap it at a space between two words.\n\n- first\n- 둘째 항목\n\n> quoted\n\n```rust\nfn main() {\n    println!(\"{}\", 1 + 1);\n}\n```\n\n| 이름 | 값 |\n|---|--:|\n| 가 | 1 |\n| ab | 22 |\n\nThe end.";

/// The answer in pieces of 7 bytes: lines, words and characters split across chunks.
fn streamed() -> Reply {
    let mut pieces = Vec::new();
    let mut rest = ANSWER;
    while !rest.is_empty() {
        let mut end = 7.min(rest.len());
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        pieces.push(&rest[..end]);
        rest = &rest[end..];
    }
    Reply::answer(&pieces, USAGE)
}

/// What a terminal shows for `output`: escape sequences out, and an erase-line taking back
/// the row it is on. `\r` only ever precedes an erase or the pty's own `\n`.
fn screen(output: &str) -> Vec<String> {
    let mut rows = vec![String::new()];
    let mut rest = output;
    loop {
        let next = rest.find(['\x1b', '\n', '\r']).unwrap_or(rest.len());
        rows.last_mut().expect("a row").push_str(&rest[..next]);
        rest = &rest[next..];
        let Some(c) = rest.chars().next() else {
            break;
        };
        rest = &rest[1..];
        match c {
            '\n' => rows.push(String::new()),
            '\r' => {}
            _ if rest.starts_with("[K") => {
                rows.last_mut().expect("a row").clear();
                rest = &rest[2..];
            }
            _ if rest.starts_with(']') => {
                let end = rest.find("\x1b\\").map_or(rest.len(), |at| at + 2);
                rest = &rest[end..];
            }
            _ => {
                let end = rest
                    .find(|c: char| c.is_ascii_alphabetic())
                    .map_or(rest.len(), |at| at + 1);
                rest = &rest[end..];
            }
        }
    }
    rows
}

/// What tm writes to stdout on a terminal; its stderr (the spinner, the summary) goes
/// elsewhere.
fn in_pty(
    env: &TmEnv,
    server: &FakeOpenAi,
    args: &[&str],
    setup: impl FnOnce(&mut StdCommand),
) -> String {
    let mut command = env.spawnable(server);
    command.args(args).env("COLORTERM", "truecolor");
    setup(&mut command);
    let quiet = wrap(&command, &["sh", "-c", "exec \"$0\" \"$@\" 2>/dev/null"]);
    from_latin1(&spawn(quiet).exp_eof().expect("tm exits"))
}

/// On a terminal the answer is rendered as it arrives: a heading without its `##`, bold,
/// a code span, a link as a hyperlink, bullets, a quote bar, coloured code whose text is
/// unchanged, an aligned table; a long line wrapped at a space; and never a cursor moved up.
#[test]
fn answers_render_as_they_stream() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![streamed()]);
    let output = in_pty(&env, &server, &["ask", "-q", "monads?"], |command| {
        command.env("FORCE_HYPERLINK", "1");
    });
    for up in ["\x1b[A", "\x1b[1A", "\x1b[F", "\x1bM", "\x1b[s", "\x1b7"] {
        assert!(!output.contains(up), "{up:?} in {output:?}");
    }
    assert!(output.contains("\x1b[1m핵심 개념\x1b[0m"), "{output:?}");
    assert!(output.contains("\x1b[1mmonad\x1b[0m"), "{output:?}");
    assert!(output.contains("\x1b[36mtype\x1b[0m"), "{output:?}");
    assert!(
        output.contains(
            "\x1b]8;;https://example.org/monads\x1b\\\x1b[4;34mguide\x1b[0m\x1b]8;;\x1b\\"
        ),
        "{output:?}"
    );
    assert!(
        output.contains("\x1b[38;2;"),
        "code is coloured: {output:?}"
    );
    let expected = [
        "핵심 개념",
        "",
        "A monad is a type with two operations and a guide; this sentence goes on long enough that a terminal of 120 columns has",
        "to wrap it at a space between two words.",
        "",
        "• first",
        "• 둘째 항목",
        "",
        "│ quoted",
        "",
        "```rust",
        "fn main() {",
        "    println!(\"{}\", 1 + 1);",
        "}",
        "```",
        "",
        "┌──────┬────┐",
        "│ 이름 ┆ 값 │",
        "╞══════╪════╡",
        "│ 가   ┆  1 │",
        "│ ab   ┆ 22 │",
        "└──────┴────┘",
        "",
        "The end.",
        "",
    ];
    assert_eq!(screen(&output), expected);
    assert_eq!(
        env.rows("SELECT content FROM messages WHERE role = 'assistant'"),
        [[ANSWER]]
    );
}

/// Where the terminal takes no hyperlinks, the address follows the link's text.
#[test]
fn links_without_hyperlinks_show_their_address() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("See [the guide](https://example.org/g).")]);
    let output = in_pty(&env, &server, &["ask", "-q", "where?"], |_| {});
    assert_eq!(
        screen(&output),
        ["See the guide (https://example.org/g).", ""]
    );
}

/// NO_COLOR, `--raw` and `render raw` on a terminal, and stdout not a terminal: the
/// model's text byte for byte (the pty turns each line break into CR LF).
#[test]
fn raw_whenever_it_should_be() {
    let env = TmEnv::new();
    let raw = format!("{ANSWER}\n").replace('\n', "\r\n");
    let server = FakeOpenAi::start(vec![streamed(), streamed(), streamed()]);
    let no_color = in_pty(&env, &server, &["ask", "-q", "one"], |command| {
        command.env("NO_COLOR", "1");
    });
    assert_eq!(no_color, raw);
    let flag = in_pty(&env, &server, &["ask", "-q", "--raw", "two"], |_| {});
    assert_eq!(flag, raw);
    env.tm()
        .args(["config", "set", "render", "raw"])
        .assert()
        .success();
    let setting = in_pty(&env, &server, &["ask", "-q", "three"], |_| {});
    assert_eq!(setting, raw);

    let piped = FakeOpenAi::start(vec![streamed()]);
    env.tm_with(&piped)
        .args(["ask", "-q", "four"])
        .env("COLORTERM", "truecolor")
        .assert()
        .success()
        .stdout(format!("{ANSWER}\n"));
}

/// `tm show` renders messages on a terminal like answers, and not with `--raw`.
#[test]
fn show_renders_messages() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("## Title\n\n**bold** text")]);
    env.tm_with(&server)
        .args(["ask", "-q", "q"])
        .assert()
        .success();
    let mut command = env.command();
    command.args(["show", "1"]);
    let rendered = from_latin1(&spawn(command).exp_eof().expect("exits"));
    assert!(
        rendered.contains("\x1b[1mTitle\x1b[0m\r\n\r\n\x1b[1mbold\x1b[0m text"),
        "{rendered:?}"
    );
    let mut command = env.command();
    command.args(["show", "1", "--raw"]);
    let raw = from_latin1(&spawn(command).exp_eof().expect("exits"));
    assert!(raw.contains("## Title\r\n\r\n**bold** text"), "{raw:?}");
}

/// `tm chat` renders its answers too, and `/copy`-able raw text stays in the database.
#[test]
fn chat_renders_answers() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("## Plan\n\n1. **first** step")]);
    let mut command = env.spawnable(&server);
    command.arg("chat");
    let mut session = spawn(command);
    expect(&mut session, "> ").expect("a prompt");
    session.send_line("plan?").expect("send");
    let shown = expect(&mut session, "step").expect("the answer");
    assert!(shown.contains("\x1b[1mPlan\x1b[0m"), "{shown:?}");
    assert!(shown.contains("1. \x1b[1mfirst\x1b[0m"), "{shown:?}");
    expect(&mut session, "> ").expect("a prompt");
    session.send_control('d').expect("ctrl-d");
    session.exp_eof().expect("exits");
    assert_eq!(
        env.rows("SELECT content FROM messages WHERE role = 'assistant'"),
        [["## Plan\n\n1. **first** step"]]
    );
}
