//! `tm prices [MODEL] [--update]`: the price table in use, and refreshing it.

use anyhow::{Context as _, Result, anyhow};

use crate::api;
use crate::app::{self, App, Opened};
use crate::cli::PricesArgs;
use crate::money::Money;
use crate::prices::{DOWNLOADED_FILE, ModelInfo, PriceTable, TokenPrices};
use crate::ui::{self, fmt, table};

/// LiteLLM's whole table, every provider's models, is about 1.5 MB today.
const PRICE_TABLE_LIMIT: u64 = 64_000_000;

/// Where the address of a failed update comes from, and how to change it.
const PRICES_URL_HINT: &str = "the address is the setting prices-url (`tm config set prices-url URL` changes it, `tm config unset prices-url` restores the default)";

pub fn run(args: &PricesArgs, app: &App) -> Result<()> {
    let Opened {
        paths, settings, ..
    } = app.open()?;
    if args.update {
        let url = settings.prices_url()?;
        let text = app::runtime()?
            .block_on(api::fetch_text(
                &url,
                settings.timeout()?,
                PRICE_TABLE_LIMIT,
            ))
            .with_context(|| {
                format!("could not download the price table from {url}; {PRICES_URL_HINT}")
            })?;
        let mut table = PriceTable::parse(&text)
            .with_context(|| format!("{url} is not a LiteLLM price table; {PRICES_URL_HINT}"))?;
        table.source = url;
        table.date = jiff::ZonedDateTime::now().date().to_string();
        let target = paths.data_dir.join(DOWNLOADED_FILE);
        // Written whole, then renamed: a broken download never replaces a good table.
        crate::paths::write_private_file(&target, &serde_json::to_vec_pretty(&table.to_json())?)?;
        ui::outln(format_args!(
            "updated: {} OpenAI models from {} ({}), saved in {}",
            table.model_names().count(),
            table.source,
            table.date,
            target.display()
        ))?;
        return Ok(());
    }
    let table = PriceTable::load(&paths.data_dir)?;
    let overrides = settings.price_overrides()?;
    ui::outln(ui::fit_prose(&format!(
        "source: {} ({})",
        table.source, table.date
    )))?;
    ui::outln(ui::fit_prose(
        "prices in USD per 1M tokens; price.<model> settings override the table",
    ))?;
    if let Some(model) = &args.model {
        let per_image = table.per_image_prices(model);
        let info = table.lookup(model, &overrides);
        if info.is_none() && per_image.is_empty() {
            return Err(anyhow!(
                "{model} is not in the price table, so its cost shows as unknown; set one with `tm config set price.{model} input=…,output=…`"
            ));
        }
        return show_model(model, info.as_ref(), &per_image);
    }
    // Narrow terminals: retires, context and cached go; names and prices stay.
    let mut out = table::new(
        ["model", "input", "cached", "output", "context", "retires"],
        &[1, 2, 3, 4],
    )
    .fit(None, &[5, 4, 2]);
    // LiteLLM keeps per-size image prices as `quality/WxH/model` entries; they would bury the
    // models people look for, so the list skips them and `tm prices NAME` shows one.
    let names: Vec<String> = table
        .model_names()
        .filter(|name| !name.contains('/'))
        .chain(overrides.keys().map(String::as_str))
        .map(str::to_owned)
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for name in names.into_iter().filter(|n| seen.insert(n.clone())) {
        if let Some(info) = table.lookup(&name, &overrides) {
            let [input, cached, output] = price_cells(info.prices);
            out.add_row([
                name,
                input,
                cached,
                output,
                info.max_input_tokens.map_or_else(String::new, fmt::count),
                info.deprecation_date
                    .map_or_else(String::new, |d| d.to_string()),
            ]);
        }
    }
    ui::outln(table::render(&out))?;
    Ok(())
}

fn price_cells(prices: Option<TokenPrices>) -> [String; 3] {
    match prices {
        Some(p) => [
            p.input.per_million().to_string(),
            p.cached.per_million().to_string(),
            p.output.per_million().to_string(),
        ],
        None => [String::new(), String::new(), String::new()],
    }
}

/// `input: 4  cached input: 0.4  cache write: 5  output: 20`, per 1M tokens; the cache write
/// only where it costs other than input.
fn token_prices(p: TokenPrices) -> String {
    let write = if p.cache_write == p.input {
        String::new()
    } else {
        format!("  cache write: {}", p.cache_write.per_million())
    };
    format!(
        "input: {}  cached input: {}{write}  output: {}",
        p.input.per_million(),
        p.cached.per_million(),
        p.output.per_million()
    )
}

/// One model's prices. `per_image`: dall-e's prices per image by quality and size, which live
/// in entries of their own.
fn show_model(
    model: &str,
    info: Option<&ModelInfo>,
    per_image: &[(String, String, Money)],
) -> Result<()> {
    let mut lines = vec![format!("model: {model}")];
    for (quality, size, usd) in per_image {
        lines.push(format!("per image, {quality} {size}: ${usd}"));
    }
    let Some(info) = info else {
        ui::outln(lines.join("\n"))?;
        return Ok(());
    };
    if info.entry != model {
        lines.push(format!("priced as: {}", info.entry));
    }
    if info.overridden {
        lines.push(format!("prices: from the setting price.{}", info.entry));
    }
    if info.responses_only {
        lines.push("served by: the Responses API only".to_owned());
    }
    match info.prices {
        Some(p) => lines.push(token_prices(p)),
        None => lines.push("no per-token prices".to_owned()),
    }
    let above = |threshold: u64| format!("above {} prompt tokens", fmt::count(threshold));
    if let Some(long) = info.long_context {
        lines.push(format!(
            "{}: {}",
            above(long.threshold),
            token_prices(long.prices)
        ));
    }
    for (name, tier) in &info.tiers {
        lines.push(format!("{name} tier: {}", token_prices(tier.prices)));
        if let (Some(long), Some(prices)) = (info.long_context, tier.long_context) {
            lines.push(format!(
                "{name} tier {}: {}",
                above(long.threshold),
                token_prices(prices)
            ));
        }
    }
    if let Some(per_image) = info.per_image {
        lines.push(format!("per image: ${per_image}"));
    }
    if let Some(image) = info.image_tokens {
        lines.push(format!(
            "image tokens: text input: {}  image input: {}  image output: {}",
            image.text_input.per_million(),
            image.image_input.per_million(),
            image.image_output.per_million()
        ));
    }
    if let Some(context) = info.max_input_tokens {
        lines.push(format!("context window: {} tokens", fmt::count(context)));
    }
    if let Some(date) = info.deprecation_date {
        let successor = info
            .successor
            .as_deref()
            .map_or_else(String::new, |s| format!(" (successor: {s})"));
        lines.push(format!("retires: {date}{successor}"));
    }
    ui::outln(lines.join("\n"))?;
    Ok(())
}
