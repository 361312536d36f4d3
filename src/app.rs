//! Builds what each command needs, and no more: `completions` needs nothing, `config` and
//! `prices` need the store, `ask` the store plus an async runtime for the client. The
//! commands ask for it; nothing here knows the commands.

use std::path::PathBuf;

use anyhow::Result;

use crate::paths::{self, Paths};
use crate::settings::Settings;
use crate::store::Store;
use crate::ui;

pub struct App {
    db: Option<PathBuf>,
}

/// What most commands work with: where things are, the open history and its settings.
pub struct Opened {
    pub paths: Paths,
    pub store: Store,
    pub settings: Settings,
}

impl App {
    /// `db`: the `--db` flag or `TM_DB`, else the default place.
    pub fn new(db: Option<PathBuf>) -> Self {
        Self { db }
    }

    pub fn paths(&self) -> Result<Paths> {
        Paths::resolve(self.db.clone())
    }

    pub fn open(&self) -> Result<Opened> {
        let paths = self.paths()?;
        let mut store = Store::open(&paths.db, paths.db_is_default)?;
        for private in [paths.db.clone(), paths.key_file()] {
            if let Some(warning) = paths::shared_with_others(&private) {
                ui::warn(&warning);
            }
        }
        let settings = Settings::load(&mut store, paths.key_file())?;
        Ok(Opened {
            paths,
            store,
            settings,
        })
    }
}

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
