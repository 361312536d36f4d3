//! `tm import SOURCE PATH`: conversations from the original TokenMetered, a ChatGPT export,
//! llm's log database or a `tm export` file. The other tools' sources are read and checked
//! whole before anything is written; a `tm export` is checked line by line as it is
//! written. Everything goes in one transaction, so an import that fails, meets a line that
//! is not a conversation, or is killed leaves the history as it was. A source whose bytes
//! were imported before adds nothing, and says so.

use std::io::{BufRead as _, Read as _};
use std::path::Path;

use anyhow::{Context as _, Result, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest as _, Sha256};

use crate::app::{App, Opened};
use crate::attach::{hex_digest, sha256_hex_of};
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
    // The source is remembered by the SHA-256 of what is read of it: a ChatGPT export's
    // conversation files, read whole to be parsed, else the file, read in pieces.
    let (fingerprint, documents) = match source {
        ImportSource::Chatgpt { .. } => {
            let documents = chatgpt::documents(path)?;
            let sha256 = sha256_hex_of(documents.iter().map(|(_, bytes)| bytes.as_slice()));
            (Fingerprint { sha256, lines: 0 }, documents)
        }
        // Its lines are counted for the progress bar of an export, read a line at a time.
        ImportSource::Tm { .. } => (fingerprint(path, &shown, true)?, Vec::new()),
        _ => (fingerprint(path, &shown, false)?, Vec::new()),
    };
    let Opened {
        paths,
        mut store,
        settings,
    } = app.open()?;
    if let Some(at) = store.read(|conn| stored::imported_at(conn, &fingerprint.sha256))? {
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
    // A tm export is read as it is written; the other sources are read whole first.
    let (total, conversations) = match source {
        ImportSource::Tokenmeter { .. } => {
            let read = tokenmeter::read(path, &price)?;
            config = Some(read.config);
            whole(read.conversations)
        }
        ImportSource::Chatgpt { .. } => whole(chatgpt::read(&documents, &price)?),
        ImportSource::Llm { .. } => whole(llm::read(path, &price)?),
        ImportSource::Tm { .. } => (
            fingerprint.lines,
            Box::new(Export::read(path, &shown)?) as _,
        ),
    };
    drop(documents);
    // An original TokenMetered file may hold settings but no chats, and they are still taken.
    if total == 0 && config.is_none() {
        ui::status(&format!("{shown} holds no conversations; nothing to add"));
        return Ok(());
    }
    let progress = progress(total);
    store.for_bulk_writes()?;
    let now = store::now();
    // A source that turns out not to be what it claims ends the transaction, which then
    // writes nothing; what was wrong with it is the error.
    let mut refused = None;
    let written = store.write(|conn| {
        let bulk = store::bulk::Bulk::begin(conn)?;
        let mut added = stored::Added::default();
        for conversation in conversations {
            let conversation = match conversation {
                Ok(conversation) => titled(conversation),
                Err(why) => {
                    refused = Some(why);
                    return Err(diesel::result::Error::RollbackTransaction);
                }
            };
            added += stored::add(conn, &conversation)?;
            progress.inc(1);
        }
        progress.finish_and_clear();
        // Indexing the new messages for search takes a while after the last conversation.
        let _indexing = (total > SHOWS_PROGRESS)
            .then(|| ui::spinner::Spinner::start("indexing the imported messages for search"));
        bulk.finish(conn)?;
        stored::remember(conn, &fingerprint.sha256, kind, &shown, added, &now)?;
        Ok(added)
    });
    let added = match refused {
        Some(why) => return Err(why),
        None => written?,
    };
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

/// Conversations as the importers read them, one after the other.
type Conversations = Box<dyn Iterator<Item = Result<Conversation>>>;

/// A source read whole: how many conversations, and each of them.
fn whole(read: Vec<Conversation>) -> (usize, Conversations) {
    (read.len(), Box::new(read.into_iter().map(Ok)))
}

/// The SHA-256 of a file's bytes, and how many of its lines hold anything (when counted).
struct Fingerprint {
    sha256: String,
    lines: usize,
}

fn fingerprint(path: &Path, shown: &str, count_lines: bool) -> Result<Fingerprint> {
    let mut file = std::fs::File::open(path).with_context(|| format!("could not read {shown}"))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 20];
    let (mut lines, mut in_line) = (0, false);
    loop {
        let read = file
            .read(&mut buffer)
            .with_context(|| format!("could not read {shown}"))?;
        if read == 0 {
            break;
        }
        let bytes = &buffer[..read];
        hasher.update(bytes);
        if !count_lines {
            continue;
        }
        for &byte in bytes {
            if byte == b'\n' {
                lines += usize::from(in_line);
                in_line = false;
            } else if !byte.is_ascii_whitespace() {
                in_line = true;
            }
        }
    }
    Ok(Fingerprint {
        sha256: hex_digest(hasher),
        lines: lines + usize::from(in_line),
    })
}

/// The conversations of a `tm export` file, one a line, read and checked on a thread of
/// their own while the ones before them are written: the file is never held whole, and
/// reading it costs the import no time. The first line that is not a conversation ends the
/// reading with what is wrong with it.
struct Export {
    lines: std::sync::mpsc::Receiver<Result<Conversation>>,
    reader: Option<std::thread::JoinHandle<()>>,
    shown: String,
}

impl Export {
    fn read(path: &Path, shown: &str) -> Result<Self> {
        let file = std::fs::File::open(path).with_context(|| format!("could not read {shown}"))?;
        let (send, lines) = std::sync::mpsc::sync_channel(64);
        let name = shown.to_owned();
        let reader = std::thread::spawn(move || {
            let mut file = std::io::BufReader::with_capacity(1 << 20, file);
            let mut line = Vec::new();
            for number in 1.. {
                line.clear();
                let read = match file.read_until(b'\n', &mut line) {
                    Ok(0) => return,
                    Ok(_) => conversation_at(&name, number, &line),
                    Err(e) => Err(anyhow::Error::new(e).context(format!("could not read {name}"))),
                };
                let failed = read.is_err();
                if let Some(read) = read.transpose()
                    && (send.send(read).is_err() || failed)
                {
                    return;
                }
            }
        });
        Ok(Self {
            lines,
            reader: Some(reader),
            shown: shown.to_owned(),
        })
    }
}

impl Iterator for Export {
    type Item = Result<Conversation>;

    fn next(&mut self) -> Option<Result<Conversation>> {
        match self.lines.recv() {
            Ok(read) => Some(read),
            // The reader is done: at the end of the file, or (never yet) by a panic, which
            // must not pass for the end.
            Err(_) => match self.reader.take()?.join() {
                Ok(()) => None,
                Err(_) => Some(Err(anyhow!("reading {} failed", self.shown))),
            },
        }
    }
}

/// Line `number` of a `tm export` file: a conversation, or nothing when it is blank.
fn conversation_at(shown: &str, number: usize, line: &[u8]) -> Result<Option<Conversation>> {
    let line = std::str::from_utf8(line)
        .map_err(|_| anyhow!("{shown} is not a tm export: line {number} is not UTF-8 text"))?;
    if line.trim().is_empty() {
        return Ok(None);
    }
    // Read whole in one pass; only a line that does not read is looked at again, to say why.
    match serde_json::from_str::<Conversation>(line) {
        Ok(conversation)
            if conversation.format == transfer::FORMAT
                && conversation.version <= transfer::VERSION =>
        {
            Ok(Some(conversation))
        }
        _ => bail!(why_not_a_conversation(shown, number, line)),
    }
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
