//! One module per subcommand: glue between the logic and the presentation, and the one
//! place that knows them all and hands the command line to the one it names. No command
//! uses another: what two share lives with what it is about.

use anyhow::Result;

use crate::app::App;
use crate::cli::{Cli, Command};

pub mod ask;
pub mod chat;
pub mod completions;
pub mod config;
pub mod delete;
pub mod export;
pub mod image;
pub mod import;
pub mod list;
pub mod models;
pub mod prices;
pub mod rename;
pub mod role;
pub mod show;
pub mod status;
pub mod usage;

pub fn run(cli: Cli) -> Result<()> {
    let app = App::new(cli.db);
    match cli.command {
        Command::Ask(args) => ask::run(args, &app),
        Command::Chat(args) => chat::run(&args, &app),
        Command::Image(args) => image::run(&args, &app),
        Command::List(args) => list::run(&args, &app),
        Command::Show(args) => show::run(&args, &app),
        Command::Rename(args) => rename::run(&args, &app),
        Command::Delete(args) => delete::run(&args, &app),
        Command::Usage(args) => usage::run(&args, &app),
        Command::Status(args) => status::run(&args, &app),
        Command::Import(source) => import::run(&source, &app),
        Command::Export(args) => export::run(&args, &app),
        Command::Role(command) => role::run(&command, &app),
        Command::Config(command) => config::run(command, &app),
        Command::Prices(args) => prices::run(&args, &app),
        Command::Models(args) => models::run(&args, &app),
        Command::Completions(args) => completions::run(&args),
    }
}
