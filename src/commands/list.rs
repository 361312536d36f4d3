//! `tm list`: conversations, newest first, with their tokens and cost, and a totals row.

use anyhow::Result;

use crate::app::{App, Opened};
use crate::cli::ListArgs;
use crate::error;
use crate::store::{self, Conversation, Limit};
use crate::ui::{self, conversations};

pub fn run(args: &ListArgs, app: &App) -> Result<()> {
    let Opened { mut store, .. } = app.open()?;
    let limit = if args.all {
        Limit::All
    } else {
        Limit::Newest(args.limit)
    };
    let search = match args.search.as_deref() {
        Some(text) => Some(store::search::query(text).ok_or_else(|| {
            error::usage(format!(
                "--search '{text}' has no word to look for; words are letters and digits"
            ))
        })?),
        None => None,
    };
    let rows = store.read(|conn| Conversation::list_summaries(conn, limit, search.as_deref()))?;
    if args.json {
        return ui::outln(serde_json::to_string_pretty(&rows)?).map_err(Into::into);
    }
    ui::outln(conversations::table(&rows))?;
    Ok(())
}
