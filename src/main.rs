//! The `tm` binary: parse, run, and pick the exit status.

use std::process::ExitCode;

use clap::Parser as _;
use tm::{cli, commands, error};

fn main() -> ExitCode {
    match commands::run(cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => error::report(&err),
    }
}
