//! Builds what each command needs, and no more: `completions` needs nothing, `config` and
//! `prices` need the store, `ask` the store plus an async runtime for the client.

use std::path::PathBuf;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::commands;
use crate::paths::Paths;
use crate::settings::Settings;
use crate::store::Store;

pub struct App {
    db: Option<PathBuf>,
}

impl App {
    pub fn paths(&self) -> Result<Paths> {
        Paths::resolve(self.db.clone())
    }

    pub fn open(&self) -> Result<(Paths, Store, Settings)> {
        let paths = self.paths()?;
        let mut store = Store::open(&paths.db, paths.db_is_default)?;
        let settings = Settings::load(&mut store, paths.key_file())?;
        Ok((paths, store, settings))
    }
}

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

pub fn run(cli: Cli) -> Result<()> {
    let app = App { db: cli.db };
    match cli.command {
        Command::Ask(args) => commands::ask::run(args, &app),
        Command::Chat(args) => commands::chat::run(&args, &app),
        Command::Image(args) => commands::image::run(&args, &app),
        Command::List(args) => commands::list::run(&args, &app),
        Command::Show(args) => commands::show::run(&args, &app),
        Command::Rename(args) => commands::rename::run(&args, &app),
        Command::Delete(args) => commands::delete::run(&args, &app),
        Command::Usage(args) => commands::usage::run(&args, &app),
        Command::Config(command) => commands::config::run(command, &app),
        Command::Prices(args) => commands::prices::run(&args, &app),
        Command::Completions(args) => commands::completions::run(&args),
    }
}
