//! `tm list`: conversations, newest first, with their tokens and cost, and a totals row.

use anyhow::Result;

use crate::app::{App, Opened};
use crate::cli::ListArgs;
use crate::error;
use crate::money::Money;
use crate::store::{self, Conversation, Limit};
use crate::ui::{self, fmt, table};

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
    let mut out = table::new(
        [
            "id",
            "title",
            "model",
            "messages",
            "prompt",
            "completion",
            "cost",
            "last activity",
        ],
        &[0, 3, 4, 5, 6],
    )
    // Narrow terminals: the title shortens, then completion, prompt, model, messages and
    // last activity go; id, title and cost stay.
    .fit(Some(1), &[5, 4, 2, 3, 7]);
    for row in &rows {
        // `!`: the last question failed; `tm ask --retry --conv ID` sends it again.
        let title = if row.last_question_failed {
            format!("! {}", fmt::preview(&row.title, 48))
        } else {
            fmt::preview(&row.title, 50)
        };
        out.add_row([
            row.id.to_string(),
            title,
            row.model.clone().unwrap_or_default(),
            fmt::count(row.messages.unsigned_abs()),
            fmt::count(row.prompt_tokens.unsigned_abs()),
            fmt::count(row.completion_tokens.unsigned_abs()),
            fmt::cost_total(row.cost, row.unpriced_requests),
            fmt::local_time(&row.last_activity),
        ]);
    }
    let sum = |field: fn(&crate::store::Summary) -> i64| {
        rows.iter().map(field).sum::<i64>().unsigned_abs()
    };
    out.add_row([
        String::new(),
        format!("total ({})", fmt::plural(rows.len(), "conversation")),
        String::new(),
        fmt::count(sum(|r| r.messages)),
        fmt::count(sum(|r| r.prompt_tokens)),
        fmt::count(sum(|r| r.completion_tokens)),
        fmt::cost_total(
            rows.iter().map(|r| r.cost).sum::<Money>(),
            rows.iter().map(|r| r.unpriced_requests).sum(),
        ),
        String::new(),
    ]);
    ui::outln(table::render(&out))?;
    Ok(())
}
