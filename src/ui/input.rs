//! Where chat questions come from: a line editor with history on a terminal, or one question
//! per line from a pipe.

use std::io::{self, BufRead as _};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;

pub enum Read {
    Line(String),
    /// Ctrl-C at the prompt: the line was dropped.
    Cleared,
    /// Ctrl-D, or the end of piped input.
    End,
}

pub trait Input {
    fn read(&mut self) -> Result<Read>;
    fn save(&mut self) -> Result<()>;
}

/// rustyline with bracketed paste (a pasted block is one message) and a trailing `\` to
/// continue on the next line.
pub struct Terminal {
    editor: DefaultEditor,
    history: PathBuf,
}

impl Terminal {
    pub fn new(history: PathBuf) -> Result<Self> {
        let config = rustyline::Config::builder()
            .bracketed_paste(true)
            .auto_add_history(false)
            .max_history_size(10_000)
            .context("line editor settings")?
            .build();
        let mut editor =
            DefaultEditor::with_config(config).context("could not start the line editor")?;
        // A missing history file is a first run, not an error.
        let _ = editor.load_history(&history);
        Ok(Self { editor, history })
    }
}

impl Input for Terminal {
    fn read(&mut self) -> Result<Read> {
        let mut text = String::new();
        loop {
            let prompt = if text.is_empty() { "> " } else { ". " };
            match self.editor.readline(prompt) {
                Ok(line) => match line.strip_suffix('\\') {
                    Some(continued) => {
                        text.push_str(continued);
                        text.push('\n');
                    }
                    None => {
                        text.push_str(&line);
                        if !text.trim().is_empty() {
                            let _ = self.editor.add_history_entry(text.as_str());
                        }
                        return Ok(Read::Line(text));
                    }
                },
                Err(ReadlineError::Interrupted) => return Ok(Read::Cleared),
                Err(ReadlineError::Eof) => return Ok(Read::End),
                Err(err) => return Err(err).context("could not read from the terminal"),
            }
        }
    }

    fn save(&mut self) -> Result<()> {
        if let Some(dir) = self.history.parent() {
            crate::paths::create_private_dir(dir)?;
        }
        self.editor.save_history(&self.history).with_context(|| {
            format!("could not save the chat history {}", self.history.display())
        })?;
        // Typed lines are as private as the conversations.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&self.history, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("could not protect {}", self.history.display()))?;
        }
        Ok(())
    }
}

/// One question per line, nothing echoed.
pub struct Piped {
    lines: io::Lines<io::StdinLock<'static>>,
}

impl Piped {
    pub fn new() -> Self {
        Self {
            lines: io::stdin().lock().lines(),
        }
    }
}

impl Input for Piped {
    fn read(&mut self) -> Result<Read> {
        match self.lines.next() {
            Some(line) => Ok(Read::Line(
                line.context("could not read stdin (is it UTF-8 text?)")?,
            )),
            None => Ok(Read::End),
        }
    }

    fn save(&mut self) -> Result<()> {
        Ok(())
    }
}
