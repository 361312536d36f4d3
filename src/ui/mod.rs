//! Presentation: the one place that asks whether a stream is a terminal, and the renderers.

pub mod fmt;
pub mod input;
pub mod spinner;
pub mod stream;
pub mod table;

use std::fmt::Display;
use std::io::{self, IsTerminal as _, Write as _};

/// Tables and prompts adapt to a terminal on stdout; `NO_COLOR` turns decoration off.
pub fn stdout_is_styled() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The width of the terminal stdout writes to, when it is one: what tables fit into.
pub fn stdout_terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    comfy_table::Table::new().width().map(usize::from)
}

/// A status line on stderr (a summary, a token line), wrapped at spaces to the terminal's
/// width when stderr is one, so that the terminal never cuts a number or a word in two.
pub fn status(text: &str) {
    let width = terminal_size::terminal_size_of(std::io::stderr()).map(|(w, _)| usize::from(w.0));
    match width {
        Some(width) => {
            let options = textwrap::Options::new(width).break_words(false);
            eprintln!("{}", textwrap::fill(text, options));
        }
        None => eprintln!("{text}"),
    }
}

/// A line of prose for stdout, wrapped at spaces to the terminal's width when stdout is a
/// terminal, so that the terminal never cuts a number or a date in two; words are never
/// broken. Unchanged off a terminal.
pub fn fit_prose(text: &str) -> String {
    match stdout_terminal_width() {
        Some(width) => {
            let options = textwrap::Options::new(width).break_words(false);
            textwrap::fill(text, options)
        }
        None => text.to_owned(),
    }
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
pub fn note(message: &str) {
    eprintln!("tm: note: {message}");
}

pub fn warn(message: &str) {
    eprintln!("tm: warning: {message}");
}
