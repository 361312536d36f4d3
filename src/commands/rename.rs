//! `tm rename ID TITLE`.

use anyhow::{Result, bail};

use crate::app::{App, Opened};
use crate::cli::RenameArgs;
use crate::error;
use crate::store::Conversation;

pub fn run(args: &RenameArgs, app: &App) -> Result<()> {
    let title = args.title.join(" ");
    let title = title.trim();
    if title.is_empty() {
        return Err(error::usage("the new title is empty"));
    }
    let Opened { mut store, .. } = app.open()?;
    if !store.write(|conn| Conversation::rename(conn, args.id, title))? {
        bail!(
            "there is no conversation {}; `tm list` shows the ids",
            args.id
        );
    }
    Ok(())
}
