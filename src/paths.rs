//! Where tm keeps things: the database (`--db` > `TM_DB` > `$XDG_DATA_HOME/tm/tm.db`), the data
//! directory (downloaded prices), and the config directory (the API key file, outside the
//! database because people copy that file).

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use etcetera::BaseStrategy as _;

pub struct Paths {
    pub db: PathBuf,
    /// False when the user named the database: then a missing folder is their typo, not ours to create.
    pub db_is_default: bool,
    pub data_dir: PathBuf,
    pub config_dir: PathBuf,
}

impl Paths {
    pub fn resolve(db: Option<PathBuf>) -> Result<Self> {
        let base = etcetera::choose_base_strategy()
            .context("could not find the home directory; set HOME or pass --db")?;
        let data_dir = base.data_dir().join("tm");
        let config_dir = base.config_dir().join("tm");
        let db_is_default = db.is_none();
        let db = db.unwrap_or_else(|| data_dir.join("tm.db"));
        Ok(Self {
            db,
            db_is_default,
            data_dir,
            config_dir,
        })
    }

    pub fn key_file(&self) -> PathBuf {
        self.config_dir.join("api-key")
    }
}
