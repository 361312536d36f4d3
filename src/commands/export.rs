//! `tm export [ID...]`: conversations as JSON lines (one conversation per line, with its
//! messages, files and request records: what `tm import tm` reads), or as Markdown.

use std::fmt::Write as _;

use anyhow::{Context as _, Result};

use crate::app::{App, Opened};
use crate::cli::{ExportArgs, ExportFormat};
use crate::error;
use crate::period::{self, Bound};
use crate::store::{self, ConversationId, transfer};
use crate::ui;

pub fn run(args: &ExportArgs, app: &App) -> Result<()> {
    let zone = crate::clock::local_zone();
    let since = match &args.since {
        Some(text) => {
            let today = crate::clock::now().to_zoned_datetime(zone.clone()).date();
            let day = period::parse_day(text, Bound::Since, today)
                .map_err(|e| error::usage(format!("--since: {e}")))?;
            let at = period::instant(day, Bound::Since, &zone).map_err(anyhow::Error::msg)?;
            Some(store::timestamp(at))
        }
        None => None,
    };
    let Opened { mut store, .. } = app.open()?;
    let ids = store.read(|conn| transfer::conversation_ids(conn, &args.ids, since.as_deref()))?;
    if let Some(missing) = args.ids.iter().find(|id| !ids.contains(id)) {
        return Err(error::usage(format!(
            "there is no conversation {missing}{}; `tm list` shows the ids",
            if since.is_some() {
                " active since then"
            } else {
                ""
            }
        )));
    }
    let mut out = String::new();
    for &id in &ids {
        match args.format {
            ExportFormat::Jsonl => {
                let conversation = store.read(|conn| transfer::read(conn, id))?;
                out.push_str(&serde_json::to_string(&conversation)?);
                out.push('\n');
            }
            ExportFormat::Markdown => {
                let _ = writeln!(out, "{}\n", markdown(&mut store, id)?);
            }
        }
    }
    let Some(path) = &args.output else {
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(out.as_bytes())?;
        return Ok(stdout.flush()?);
    };
    crate::paths::write_private_file(path, out.as_bytes())
        .with_context(|| format!("nothing was exported to {}", path.display()))?;
    ui::status(&format!(
        "exported {} to {}",
        ui::fmt::plural(ids.len(), "conversation"),
        path.display()
    ));
    Ok(())
}

fn markdown(store: &mut store::Store, id: ConversationId) -> Result<String> {
    Ok(ui::transcript::render(
        &crate::transcript::load(store, id, false)?,
        true,
        None,
    ))
}
