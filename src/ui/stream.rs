//! Writes an answer to stdout as it arrives, and the retry notices to stderr.

use std::io::{self, Write as _};
use std::time::Duration;

use crate::api::{ApiError, Sink};
use crate::ui::spinner::Spinner;

pub struct StdoutSink {
    /// Off for `--json`, which prints the answer inside its record at the end.
    echo: bool,
    wrote: bool,
    ends_with_newline: bool,
    waiting: Spinner,
    notices: super::RetryNotices,
}

impl StdoutSink {
    /// Shows a spinner on stderr (when it is a terminal) until the first text arrives.
    pub fn new() -> Self {
        Self::echoing(true)
    }

    /// `echo` false writes nothing to stdout: the answer is only received and saved.
    pub fn echoing(echo: bool) -> Self {
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
        if self.wrote && !self.ends_with_newline {
            let mut out = io::stdout().lock();
            out.write_all(b"\n")?;
            out.flush()?;
        }
        Ok(())
    }
}

impl Sink for StdoutSink {
    fn delta(&mut self, text: &str) -> io::Result<()> {
        self.waiting.stop();
        if !self.echo {
            return Ok(());
        }
        let mut out = io::stdout().lock();
        // Flushed per delta: stdout to a pipe is block-buffered, and the answer must stream.
        out.write_all(text.as_bytes())?;
        out.flush()?;
        self.wrote = true;
        self.ends_with_newline = text.ends_with('\n');
        Ok(())
    }

    fn retrying(&mut self, error: &ApiError, wait: Duration, attempt: u32) {
        self.waiting.stop();
        self.notices.say(error, wait, attempt);
    }
}
