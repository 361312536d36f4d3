//! Writes an answer to stdout as it arrives, and the retry notices to stderr.

use std::io::{self, Write as _};
use std::time::Duration;

use crate::api::{ApiError, Sink};
use crate::ui::markdown::{Renderer, Terminal};
use crate::ui::spinner::Spinner;

enum Echo {
    /// For `--json`, which prints the answer inside its record at the end.
    Off,
    /// The model's text, byte for byte.
    Raw,
    Rendered(Box<Renderer>),
}

pub struct StdoutSink {
    echo: Echo,
    wrote: bool,
    ends_with_newline: bool,
    waiting: Spinner,
    notices: super::RetryNotices,
}

impl StdoutSink {
    /// Shows a spinner on stderr (when it is a terminal) until the first text arrives, then
    /// the answer, rendered for `terminal` when there is one.
    pub fn new(terminal: Option<Terminal>) -> Self {
        Self::with(terminal.map_or(Echo::Raw, |terminal| {
            Echo::Rendered(Box::new(Renderer::new(terminal)))
        }))
    }

    /// Writes nothing to stdout: the answer is only received and saved.
    pub fn silent() -> Self {
        Self::with(Echo::Off)
    }

    fn with(echo: Echo) -> Self {
        Self {
            echo,
            wrote: false,
            ends_with_newline: false,
            waiting: Spinner::start("waiting for the answer"),
            notices: super::RetryNotices::default(),
        }
    }

    /// The answer ends with exactly one newline, whatever the model sent last.
    pub fn finish(&mut self) -> io::Result<()> {
        self.waiting.stop();
        let mut out = io::stdout().lock();
        if let Echo::Rendered(renderer) = &mut self.echo {
            return renderer.finish(&mut out);
        }
        if self.wrote && !self.ends_with_newline {
            out.write_all(b"\n")?;
            out.flush()?;
        }
        Ok(())
    }
}

impl Sink for StdoutSink {
    fn delta(&mut self, text: &str) -> io::Result<()> {
        self.waiting.stop();
        let mut out = io::stdout().lock();
        match &mut self.echo {
            Echo::Off => return Ok(()),
            Echo::Rendered(renderer) => return renderer.feed(text, &mut out),
            // Flushed per delta: stdout to a pipe is block-buffered, and the answer must stream.
            Echo::Raw => {
                out.write_all(text.as_bytes())?;
                out.flush()?;
            }
        }
        self.wrote = true;
        self.ends_with_newline = text.ends_with('\n');
        Ok(())
    }

    fn retrying(&mut self, error: &ApiError, wait: Duration, attempt: u32) {
        self.waiting.stop();
        self.notices.say(error, wait, attempt);
    }
}
