//! Presentation: the one place that asks whether a stream is a terminal, and the renderers.

pub mod budget;
pub mod clipboard;
pub mod conversations;
pub mod editor;
pub mod fmt;
pub mod input;
pub mod markdown;
pub mod record;
pub mod spinner;
pub mod stream;
pub mod table;
pub mod transcript;
pub mod usage;

use std::fmt::Display;
use std::io::{self, IsTerminal as _, Write as _};

/// Tables and prompts adapt to a terminal on stdout; `NO_COLOR` turns decoration off.
pub fn stdout_is_styled() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The terminal Markdown is rendered for: stdout when it is one and styled, and rendering is
/// `wanted` (no `--raw`, no `render raw`); `None` prints text as it was written.
pub fn markdown_terminal(wanted: bool) -> Option<markdown::Terminal> {
    (wanted && stdout_is_styled()).then(|| markdown::Terminal {
        width: stdout_terminal_width().unwrap_or(80),
        hyperlinks: supports_hyperlinks::on(supports_hyperlinks::Stream::Stdout),
        truecolor: std::env::var("COLORTERM").is_ok_and(|v| v == "truecolor" || v == "24bit"),
    })
}

/// The width of the terminal `stream` is, when it is one: what tables and lines fit into.
fn terminal_width(stream: impl std::os::fd::AsFd) -> Option<usize> {
    terminal_size::terminal_size_of(stream).map(|(width, _)| usize::from(width.0))
}

pub fn stdout_terminal_width() -> Option<usize> {
    terminal_width(std::io::stdout())
}

/// `text` wrapped at spaces to `width` when there is one, so that the terminal never cuts a
/// word, a number or a date in two; words longer than a line are left whole. Unchanged
/// off a terminal.
fn wrapped(text: &str, width: Option<usize>) -> String {
    match width {
        Some(width) => textwrap::fill(text, textwrap::Options::new(width).break_words(false)),
        None => text.to_owned(),
    }
}

/// A status line on stderr (a summary, a token line), wrapped to stderr's terminal.
pub fn status(text: &str) {
    eprintln!("{}", wrapped(text, terminal_width(std::io::stderr())));
}

/// A line of prose for stdout, wrapped to stdout's terminal.
pub fn fit_prose(text: &str) -> String {
    wrapped(text, stdout_terminal_width())
}

/// Dim text on stderr: a terminal, and no NO_COLOR.
pub fn stderr_is_styled() -> bool {
    stderr_is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Spinners, which carry no colour, need only a terminal.
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// One line of results on stdout. Unlike `println!` it returns the error of a closed pipe
/// (`tm list | head`), which the error report turns into a quiet exit 0 instead of a panic.
pub fn outln(text: impl Display) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}

/// What is said before each pause between attempts at a request: the server's message once,
/// however often it repeats, then the pause and the attempt that follows it.
#[derive(Default)]
pub struct RetryNotices {
    said: Option<String>,
}

impl RetryNotices {
    pub fn say(&mut self, error: &crate::api::ApiError, wait: std::time::Duration, attempt: u32) {
        let message = error.to_string();
        if self.said.as_deref() != Some(message.as_str()) {
            eprintln!("tm: {message}");
            self.said = Some(message);
        }
        eprintln!(
            "tm: retrying in {:.1} s (attempt {attempt} of {})",
            wait.as_secs_f64(),
            crate::api::MAX_ATTEMPTS
        );
    }
}

/// Something the user should know that is not a problem.
/// A yes/no question on the terminal, answered no unless the user says yes.
pub fn confirm(question: &str) -> anyhow::Result<bool> {
    use anyhow::Context as _;
    dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()
        .context("could not ask for confirmation")
}

pub fn note(message: &str) {
    eprintln!("tm: note: {message}");
}

pub fn warn(message: &str) {
    eprintln!("tm: warning: {message}");
}
