//! `tm import SOURCE PATH`: conversations from the original TokenMetered, a ChatGPT export,
//! llm's log database or a `tm export` file. The source is read and checked whole before
//! anything is written; then everything goes in one transaction, so an import that fails
//! or is killed leaves the history as it was. A source whose bytes were imported before
//! adds nothing, and says so.

use std::path::Path;

use anyhow::{Context as _, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::{App, Opened};
use crate::attach::sha256_hex_of;
use crate::cli::ImportSource;
use crate::prices::PriceTable;
use crate::settings::{self, Settings};
use crate::store::{self, Store, transfer as stored};
use crate::transfer::{self, Conversation, chatgpt, llm, tokenmeter};
use crate::ui;

/// Imports larger than this show a progress bar on a terminal.
const SHOWS_PROGRESS: usize = 300;

pub fn run(source: &ImportSource, app: &App) -> Result<()> {
    let (kind, path) = match source {
        ImportSource::Tokenmeter { path, .. } => ("tokenmeter", path),
        ImportSource::Chatgpt { path } => ("chatgpt", path),
        ImportSource::Llm { path } => ("llm", path),
        ImportSource::Tm { path } => ("tm", path),
    };
    let shown = path.display().to_string();
    // What is read of the source, once: a ChatGPT export's conversation files, else the
    // file. The source is remembered by their SHA-256.
    let documents = match source {
        ImportSource::Chatgpt { .. } => chatgpt::documents(path)?,
        _ => vec![(
            shown.clone(),
            std::fs::read(path).with_context(|| format!("could not read {shown}"))?,
        )],
    };
    let fingerprint = sha256_hex_of(documents.iter().map(|(_, bytes)| bytes.as_slice()));
    let Opened {
        paths,
        mut store,
        settings,
    } = app.open()?;
    if let Some(at) = store.read(|conn| stored::imported_at(conn, &fingerprint))? {
        ui::status(&format!(
            "{shown} was imported on {}; nothing to add",
            ui::fmt::local_time(&at)
        ));
        return Ok(());
    }
    let table = PriceTable::load(&paths.data_dir)?;
    let overrides = settings.price_overrides()?;
    let price = |model: &str| table.lookup(model, &overrides);
    let mut config = None;
    let conversations = match source {
        ImportSource::Tokenmeter { .. } => {
            let read = tokenmeter::read(path, &price)?;
            config = Some(read.config);
            read.conversations
        }
        ImportSource::Chatgpt { .. } => chatgpt::read(&documents, &price)?,
        ImportSource::Llm { .. } => llm::read(path, &price)?,
        ImportSource::Tm { .. } => read_export(&shown, &documents[0].1)?,
    };
    drop(documents);
    // An original TokenMetered file may hold settings but no chats, and they are still taken.
    if conversations.is_empty() && config.is_none() {
        ui::status(&format!("{shown} holds no conversations; nothing to add"));
        return Ok(());
    }
    let conversations: Vec<Conversation> = conversations.into_iter().map(titled).collect();
    let progress = progress(conversations.len());
    store.for_bulk_writes()?;
    let now = store::now();
    let added = store.write(|conn| {
        let bulk = store::bulk::Bulk::begin(conn)?;
        let mut added = stored::Added::default();
        for conversation in &conversations {
            added += stored::add(conn, conversation)?;
            progress.inc(1);
        }
        progress.finish_and_clear();
        // Indexing the new messages for search takes a while after the last conversation.
        let _indexing = (conversations.len() > SHOWS_PROGRESS)
            .then(|| ui::spinner::Spinner::start("indexing the imported messages for search"));
        bulk.finish(conn)?;
        stored::remember(conn, &fingerprint, kind, &shown, added, &now)?;
        Ok(added)
    })?;
    if let (Some(config), ImportSource::Tokenmeter { with_key, .. }) = (config, source) {
        adopt(&mut store, &settings, &config, *with_key, &paths.key_file())?;
    }
    ui::status(&format!(
        "imported {}, {} and {} from {shown}{}",
        ui::fmt::plural(added.conversations, "conversation"),
        ui::fmt::plural(added.messages, "message"),
        ui::fmt::plural(added.requests, "request"),
        if added.any() {
            ""
        } else {
            " (all of it was here already)"
        }
    ));
    Ok(())
}

/// A conversation the source gave no title is titled by its first message, as tm titles its
/// own.
fn titled(mut conversation: Conversation) -> Conversation {
    if conversation.title.trim().is_empty() {
        conversation.title = conversation.messages.first().map_or_else(
            || "untitled".to_owned(),
            |m| ui::fmt::preview(&m.content, 60),
        );
    }
    conversation
}

/// The conversations of a `tm export` file, every line checked before any is written.
fn read_export(shown: &str, bytes: &[u8]) -> Result<Vec<Conversation>> {
    let text = std::str::from_utf8(bytes)
        .with_context(|| format!("{shown} is not a tm export (not UTF-8 text)"))?;
    let mut conversations = Vec::new();
    for (number, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let line_number = number + 1;
        // Read whole in one pass; only a line that does not read is looked at again, to say
        // why.
        match serde_json::from_str::<Conversation>(line) {
            Ok(conversation)
                if conversation.format == transfer::FORMAT
                    && conversation.version <= transfer::VERSION =>
            {
                conversations.push(conversation);
            }
            _ => bail!(why_not_a_conversation(shown, line_number, line)),
        }
    }
    if conversations.is_empty() {
        bail!("{shown} is not a tm export: it holds no conversations");
    }
    Ok(conversations)
}

/// What is wrong with a line of an export that did not read as a conversation.
fn why_not_a_conversation(shown: &str, line_number: usize, line: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Header {
        format: Option<String>,
        version: Option<u64>,
    }
    match serde_json::from_str::<Header>(line) {
        Err(_) => format!("{shown} is not a tm export: line {line_number} is not JSON"),
        Ok(header) if header.format.as_deref() != Some(transfer::FORMAT) => format!(
            "{shown} is not a tm export: line {line_number} is not a \"{}\" object",
            transfer::FORMAT
        ),
        Ok(Header {
            version: Some(version),
            ..
        }) if version > u64::from(transfer::VERSION) => format!(
            "{shown} was written by a newer tm (export version {version}; this tm reads version {}); upgrade tm to import it",
            transfer::VERSION
        ),
        Ok(_) => format!(
            "{shown} is not a tm export: line {line_number} lacks what a conversation needs"
        ),
    }
}

fn progress(total: usize) -> ProgressBar {
    if total <= SHOWS_PROGRESS || !ui::stderr_is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) = ProgressStyle::with_template("importing {bar:30} {pos}/{len} conversations")
    {
        bar.set_style(style);
    }
    bar
}

/// The original's settings where tm has none yet; its API key only when asked, never shown.
fn adopt(
    store: &mut Store,
    settings: &Settings,
    config: &tokenmeter::Config,
    with_key: bool,
    key_file: &Path,
) -> Result<()> {
    let unset = |key: &str| !settings.is_stored(key);
    let candidates = [
        ("model", config.model.as_deref()),
        ("max-messages", config.max_messages.as_deref()),
        ("system", config.system.as_deref()),
    ];
    for (key, value) in candidates {
        let Some(value) = value.filter(|_| unset(key)) else {
            continue;
        };
        if settings::validate(key, value).is_err() {
            ui::note(&format!(
                "the original's {key} '{value}' is not a value tm takes; it was left out"
            ));
            continue;
        }
        store.write(|conn| store::settings::put(conn, key, value))?;
        ui::note(&format!("the setting {key} was taken from the original"));
    }
    match (&config.api_key, with_key) {
        (Some(key), true) => {
            settings::store_api_key(key_file, key.trim())?;
            ui::note(&format!(
                "the original's API key was stored in {}",
                key_file.display()
            ));
        }
        (Some(_), false) => {
            ui::note("the original holds an API key; it was not imported (`--with-key` imports it)")
        }
        (None, _) => {}
    }
    Ok(())
}
