//! A spinner on stderr while an answer has not started: only on a terminal, cleared before
//! the first text is written. It has no colour, so NO_COLOR leaves it (NO_COLOR is about
//! colour, not motion).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

pub struct Spinner(Option<ProgressBar>);

impl Spinner {
    pub fn start(message: &str) -> Self {
        if !super::stderr_is_terminal() {
            return Self(None);
        }
        let bar = ProgressBar::new_spinner().with_message(message.to_owned());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
            bar.set_style(style);
        }
        // Drawn now rather than at the ticker thread's first beat, which may come after
        // short work has ended.
        bar.tick();
        bar.enable_steady_tick(Duration::from_millis(100));
        Self(Some(bar))
    }

    pub fn stop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop();
    }
}
