//! `tm config list|get|set|unset|path`.

use std::io::Read as _;

use anyhow::{Context as _, Result, anyhow, bail};
use serde::Serialize;

use crate::app::{App, Opened};
use crate::cli::ConfigCommand;
use crate::error;
use crate::settings::{self, API_KEY, SPECS, Settings, Source};
use crate::store::settings as stored;
use crate::ui::{self, table};

#[derive(Serialize)]
struct Row {
    key: String,
    /// Masked for the API key; null when unset.
    value: Option<String>,
    /// flag, env NAME, config, key file, default, or unset.
    source: String,
}

pub fn run(command: ConfigCommand, app: &App) -> Result<()> {
    match command {
        ConfigCommand::Path => {
            let paths = app.paths()?;
            ui::outln(format_args!("database        {}", paths.db.display()))?;
            ui::outln(format_args!(
                "api key file    {}",
                paths.key_file().display()
            ))?;
            ui::outln(format_args!("data directory  {}", paths.data_dir.display()))?;
            Ok(())
        }
        ConfigCommand::List { json } => {
            let Opened { settings, .. } = app.open()?;
            list(&settings, json)
        }
        ConfigCommand::Get { key } => {
            let Opened { settings, .. } = app.open()?;
            settings::validate_key(&key)?;
            match settings.get(&key)? {
                Some((value, _)) => {
                    ui::outln(shown(&key, &value))?;
                    Ok(())
                }
                None => bail!("{key} is not set; set it with `tm config set {key} …`"),
            }
        }
        ConfigCommand::Set { key, value } => {
            let Opened {
                mut store,
                settings,
                ..
            } = app.open()?;
            if key == API_KEY {
                let value = match value {
                    Some(value) => value,
                    None => read_secret()?,
                };
                settings::validate(&key, value.trim())?;
                settings::store_api_key(settings.key_file(), value.trim())?;
                eprintln!(
                    "stored the API key {} in {}",
                    settings::mask_key(value.trim()),
                    settings.key_file().display()
                );
                return Ok(());
            }
            let value = value
                .ok_or_else(|| error::usage(format!("give a value: tm config set {key} VALUE")))?;
            settings::validate(&key, &value)?;
            store.write(|conn| stored::put(conn, &key, &value))?;
            Ok(())
        }
        ConfigCommand::Unset { key } => {
            let Opened {
                mut store,
                settings,
                ..
            } = app.open()?;
            settings::validate_key(&key)?;
            let removed = if key == API_KEY {
                settings::remove_api_key(settings.key_file())?
            } else {
                store.write(|conn| stored::remove(conn, &key))?
            };
            if !removed {
                ui::warn(&format!("{key} was not stored; nothing to unset"));
            }
            Ok(())
        }
    }
}

fn shown(key: &str, value: &str) -> String {
    if key == API_KEY {
        settings::mask_key(value)
    } else {
        value.to_owned()
    }
}

fn list(settings: &Settings, json: bool) -> Result<()> {
    let keys = SPECS
        .iter()
        .map(|s| s.key.to_owned())
        .chain(settings.stored_price_keys().map(str::to_owned));
    let rows = keys
        .map(|key| {
            let found = settings.get(&key)?;
            Ok(Row {
                value: found.as_ref().map(|(value, _)| shown(&key, value)),
                source: found.map_or_else(
                    || "unset".to_owned(),
                    |(_, source): (String, Source)| source.to_string(),
                ),
                key,
            })
        })
        .collect::<Result<Vec<Row>>>()?;
    if json {
        ui::outln(serde_json::to_string_pretty(&rows)?)?;
        return Ok(());
    }
    // Narrow terminals: the value shortens, then the source goes.
    let mut out = table::new(["key", "value", "source"], &[]).fit(Some(1), &[2]);
    for row in rows {
        out.add_row([
            row.key,
            row.value.unwrap_or_else(|| "-".to_owned()),
            row.source,
        ]);
    }
    ui::outln(table::render(&out))?;
    Ok(())
}

/// From a hidden prompt on a terminal, else all of stdin (`… | tm config set api-key`).
fn read_secret() -> Result<String> {
    if ui::stdin_is_terminal() {
        return dialoguer::Password::new()
            .with_prompt("API key")
            .interact()
            .context("could not read the key from the terminal");
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| anyhow!("could not read the key from stdin: {e}"))?;
    Ok(text)
}
