//! `tm models`: the models the server offers (`GET /models`), each with what the price table
//! says of it: prices, context window, the API it is sent to, its reasoning levels and when it
//! retires. `--known` lists the table's chat models without asking the server.

use anyhow::Result;
use serde::Serialize;

use crate::app::{self, App, Opened};
use crate::money::{self, Money};
use crate::prices::PriceTable;
use crate::ui::{self, fmt, table};

#[derive(Serialize)]
struct Row {
    id: String,
    /// Whether the price table prices the model; unpriced models cost `unknown`.
    priced: bool,
    #[serde(serialize_with = "money::usd_per_million")]
    input_per_million: Option<Money>,
    #[serde(serialize_with = "money::usd_per_million")]
    output_per_million: Option<Money>,
    context_window: Option<u64>,
    /// `chat` or `responses`: where `--api auto` sends it; null when the table does not know.
    api: Option<&'static str>,
    /// The `reasoning_effort` levels it takes; empty when it does not reason.
    reasoning: Vec<&'static str>,
    retires: Option<String>,
}

pub fn run(args: &crate::cli::ModelsArgs, app: &App) -> Result<()> {
    let Opened {
        paths, settings, ..
    } = app.open()?;
    let table = PriceTable::load(&paths.data_dir)?;
    let overrides = settings.price_overrides()?;
    let ids: Vec<String> = if args.known {
        table
            .model_names()
            .filter(|name| !name.contains('/'))
            .filter(|name| {
                table
                    .lookup(name, &overrides)
                    .is_some_and(|info| info.prices.is_some() && info.image_tokens.is_none())
            })
            .map(str::to_owned)
            .collect()
    } else {
        let client = settings.client()?;
        let mut notices = ui::RetryNotices::default();
        let mut ids = app::runtime()?.block_on(client.models(&mut |error, wait, attempt| {
            notices.say(error, wait, attempt);
        }))?;
        ids.sort();
        ids
    };
    let rows: Vec<Row> = ids
        .into_iter()
        .map(|id| {
            let info = table.lookup(&id, &overrides);
            let prices = info.as_ref().and_then(|i| i.prices);
            Row {
                priced: prices.is_some(),
                input_per_million: prices.map(|p| p.input),
                output_per_million: prices.map(|p| p.output),
                context_window: info.as_ref().and_then(|i| i.max_input_tokens),
                api: info.as_ref().filter(|i| !i.overridden).map(|i| {
                    if i.responses_only {
                        "responses"
                    } else {
                        "chat"
                    }
                }),
                reasoning: info
                    .as_ref()
                    .and_then(|i| i.efforts.clone())
                    .unwrap_or_default(),
                retires: info
                    .as_ref()
                    .and_then(|i| i.deprecation_date)
                    .map(|d| d.to_string()),
                id,
            }
        })
        .collect();
    if args.json {
        ui::outln(serde_json::to_string_pretty(&rows)?)?;
        return Ok(());
    }
    // Narrow terminals: retires, reasoning, the API and the context go; the model and its
    // prices stay.
    let mut out = table::new(
        [
            "model",
            "input",
            "output",
            "context",
            "api",
            "reasoning",
            "retires",
        ],
        &[1, 2, 3],
    )
    .fit(None, &[6, 5, 4, 3]);
    for row in &rows {
        let price = |p: Option<Money>| p.map_or_else(String::new, |p| p.per_million().to_string());
        out.add_row([
            row.id.clone(),
            if row.priced {
                price(row.input_per_million)
            } else {
                "no price".to_owned()
            },
            price(row.output_per_million),
            row.context_window.map_or_else(String::new, fmt::count),
            row.api.unwrap_or_default().to_owned(),
            row.reasoning.join(" "),
            row.retires.clone().unwrap_or_default(),
        ]);
    }
    ui::outln(table::render(&out))?;
    ui::status(&format!(
        "{}; prices in USD per 1M tokens",
        fmt::plural(rows.len(), "model")
    ));
    Ok(())
}
