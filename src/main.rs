//! The `tm` binary: parse, run, and pick the exit status.

use std::process::ExitCode;

use tm::{cli, commands, error};

fn main() -> ExitCode {
    match commands::run(cli::Cli::parse_with_ask_by_default()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => error::report(&err),
    }
}
