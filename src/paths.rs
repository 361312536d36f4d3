//! Where tm keeps things: the database (`--db` > `TM_DB` > `$XDG_DATA_HOME/tm/tm.db`), the data
//! directory (downloaded prices), and the config directory (the API key file, outside the
//! database because people copy that file).

use std::fs::{self, OpenOptions};
use std::io::Write as _;
#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow};
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

/// Creates `dir` and its parents, owner-only: history and keys live below it.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder
        .create(dir)
        .with_context(|| format!("could not create the folder {}", dir.display()))
}

/// Options that create a file only its owner can read, from its first byte.
pub fn private_file() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    options.mode(0o600);
    options
}

/// Writes a whole file, owner-only, through a temporary sibling and a rename, so a failure
/// half-way never leaves a broken file where a good one was.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| anyhow!("{} has no folder", path.display()))?;
    create_private_dir(dir)?;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let temporary = dir.join(format!(".{name}.tmp"));
    let mut file = private_file()
        .truncate(true)
        .open(&temporary)
        .with_context(|| format!("could not write {}", temporary.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("could not write {}", temporary.display()))?;
    fs::rename(&temporary, path).with_context(|| format!("could not write {}", path.display()))
}

/// The warning for a private file (the history, the key) that others may read or write, with
/// the command that makes it the owner's alone; `None` when it is, or when it does not exist.
pub fn shared_with_others(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then(|| {
            format!(
                "{} can be read by others (mode {mode:o}); `chmod 600 {}` makes it yours alone",
                path.display(),
                path.display()
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}
