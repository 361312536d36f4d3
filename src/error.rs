//! The errors that choose an exit status, and the one function that reports an error and picks
//! that status (0 ok, 1 error, 2 usage error, 130 interrupted).

use std::io;
use std::process::ExitCode;

/// Failures that need an exit status other than 1. Everything else travels as `anyhow::Error`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line or its input was wrong; nothing was done.
    #[error("{0}")]
    Usage(String),
    /// The user pressed Ctrl-C; what had arrived was saved.
    #[error("interrupted: {0}")]
    Interrupted(String),
}

pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Error::Usage(message.into()).into()
}

/// `tm: error: …` and each cause on stderr.
pub fn print(err: &anyhow::Error) {
    eprintln!("tm: error: {err}");
    for cause in err.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
}

pub fn report(err: &anyhow::Error) -> ExitCode {
    // `tm list | head` closes the pipe early; that is the reader's choice, not an error.
    let broken_pipe = err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    print(err);
    match err.downcast_ref::<Error>() {
        Some(Error::Usage(_)) => ExitCode::from(2),
        Some(Error::Interrupted(_)) => ExitCode::from(130),
        None => ExitCode::FAILURE,
    }
}
