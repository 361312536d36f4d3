//! `tm delete ID...`: all or nothing, after asking on a terminal.

use anyhow::{Result, bail};

use crate::app::{App, Opened};
use crate::cli::DeleteArgs;
use crate::error;
use crate::store::Conversation;
use crate::ui;

pub fn run(args: &DeleteArgs, app: &App) -> Result<()> {
    let Opened { mut store, .. } = app.open()?;
    let mut ids = args.ids.clone();
    ids.sort_unstable();
    ids.dedup();
    let mut titles = Vec::new();
    for &id in &ids {
        match store.read(|conn| Conversation::find(conn, id))? {
            Some(conversation) => titles.push(format!("{id} {}", conversation.title)),
            None => bail!("there is no conversation {id}; nothing was deleted"),
        }
    }
    if !args.yes {
        if !ui::stdin_is_terminal() {
            return Err(error::usage(
                "delete asks before it deletes, and stdin is not a terminal: pass --yes",
            ));
        }
        let noun = if ids.len() == 1 {
            "conversation"
        } else {
            "conversations"
        };
        let usage = if args.keep_usage {
            "; their request records stay for tm usage"
        } else {
            ""
        };
        let confirmed = ui::confirm(&format!(
            "Delete {} {noun} ({}){usage}?",
            ids.len(),
            titles.join(", ")
        ))?;
        if !confirmed {
            eprintln!("nothing was deleted");
            return Ok(());
        }
    }
    if let Err(missing) = store.write(|conn| Conversation::delete(conn, &ids, args.keep_usage))? {
        bail!("conversation {missing} was deleted meanwhile; nothing was deleted");
    }
    Ok(())
}
