//! `tm`: the OpenAI API from the terminal, every token and dollar counted, every conversation kept
//! in one local SQLite file.

mod api;
mod app;
mod attach;
mod cli;
mod commands;
mod context;
mod error;
mod exchange;
mod image_rules;
mod paths;
mod period;
mod prices;
mod settings;
mod store;
mod tokens;
mod ui;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match app::run(cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => error::report(&err),
    }
}
