//! Writes an answer to stdout as it arrives, and the retry notices to stderr.

use std::io::{self, Write as _};
use std::time::Duration;

use crate::api::ApiError;
use crate::exchange::Sink;
use crate::ui::spinner::Spinner;

pub struct StdoutSink {
    wrote: bool,
    ends_with_newline: bool,
    waiting: Spinner,
}

impl StdoutSink {
    /// Shows a spinner on stderr (when it is a terminal) until the first text arrives.
    pub fn new() -> Self {
        Self {
            wrote: false,
            ends_with_newline: false,
            waiting: Spinner::start("waiting for the answer"),
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
        let mut out = io::stdout().lock();
        // Flushed per delta: stdout to a pipe is block-buffered, and the answer must stream.
        out.write_all(text.as_bytes())?;
        out.flush()?;
        self.wrote = true;
        self.ends_with_newline = text.ends_with('\n');
        Ok(())
    }

    fn retrying(&mut self, error: &ApiError, wait: Duration) {
        self.waiting.stop();
        super::retrying(error, wait);
    }
}
