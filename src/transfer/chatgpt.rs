//! ChatGPT's data export: the zip, its folder, one `conversations.json`, or the split
//! `conversations-000.json`, `-001.json`, … of exports made since early 2026. Each
//! conversation is a tree of messages; the branch the user last saw is followed from
//! `current_node` back to the root, and only it is imported, oldest first, in the tree's
//! order. The export has no token counts: they are estimated and marked `~`.

use std::collections::HashMap;
use std::io::Read as _;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use serde::Deserialize;
use serde_json::Value;

use super::{Conversation, Message, Request, estimated_tally, stored_seconds, uuid_of};
use crate::prices::ModelInfo;
use crate::tokens::Encoding;

const SOURCE: &str = "chatgpt";

/// The model of a message without one, when the conversation names none either.
const UNKNOWN_MODEL: &str = "unknown";

#[derive(Deserialize)]
struct Export {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    conversation_id: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    create_time: Option<f64>,
    #[serde(default)]
    update_time: Option<f64>,
    #[serde(default)]
    mapping: HashMap<String, Node>,
    #[serde(default)]
    current_node: Option<String>,
    #[serde(default)]
    default_model_slug: Option<String>,
}

#[derive(Deserialize)]
struct Node {
    #[serde(default)]
    message: Option<Said>,
    #[serde(default)]
    parent: Option<String>,
}

#[derive(Deserialize)]
struct Said {
    #[serde(default)]
    id: Option<String>,
    author: Author,
    #[serde(default)]
    create_time: Option<f64>,
    #[serde(default)]
    content: Option<Content>,
    #[serde(default)]
    metadata: Option<Value>,
    #[serde(default)]
    recipient: Option<String>,
}

#[derive(Deserialize)]
struct Author {
    role: String,
}

#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    content_type: String,
    #[serde(default)]
    parts: Vec<Value>,
}

/// The JSON files of an export, in order: `conversations.json`, or the split files by name.
/// Nothing else of the export is read (its images, say).
pub fn documents(path: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let shown = path.display();
    let wanted = |name: &str| {
        let base = name.rsplit('/').next().unwrap_or(name);
        base == "conversations.json"
            || (base.starts_with("conversations-") && base.ends_with(".json"))
    };
    let mut found = Vec::new();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).with_context(|| format!("could not read {shown}"))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if wanted(&name) {
                found.push((name, std::fs::read(entry.path())?));
            }
        }
    } else {
        let mut source =
            std::fs::File::open(path).with_context(|| format!("could not read {shown}"))?;
        let mut magic = Vec::with_capacity(2);
        (&mut source)
            .take(2)
            .read_to_end(&mut magic)
            .with_context(|| format!("could not read {shown}"))?;
        if magic == b"PK" {
            // Read from the file, not from memory: an export's zip also holds every image
            // and recording of the account, often gigabytes, of which only the
            // conversation files are read.
            let mut zip =
                zip::ZipArchive::new(std::io::BufReader::new(source)).with_context(|| {
                    format!("{shown} is not a whole zip file (truncated or damaged)")
                })?;
            for index in 0..zip.len() {
                let mut file = zip
                    .by_index(index)
                    .with_context(|| format!("{shown}: entry {index} of the zip is damaged"))?;
                let name = file
                    .name()
                    .map_or_else(|_| String::new(), |n| n.into_owned());
                if wanted(&name) {
                    let mut content = Vec::new();
                    file.read_to_end(&mut content).with_context(|| {
                        format!("{shown}: {name} in the zip is damaged or truncated")
                    })?;
                    found.push((name, content));
                }
            }
        } else {
            let mut bytes = magic;
            source
                .read_to_end(&mut bytes)
                .with_context(|| format!("could not read {shown}"))?;
            found.push((shown.to_string(), bytes));
        }
    }
    if found.is_empty() {
        bail!(
            "{shown} holds no conversations.json (nor conversations-000.json, …); give the ChatGPT export's zip, its folder, or that file"
        );
    }
    // The whole file when there is one, else the split files in their numbered order.
    if let Some(whole) = found
        .iter()
        .position(|(name, _)| name.rsplit('/').next() == Some("conversations.json"))
    {
        let whole = found.swap_remove(whole);
        return Ok(vec![whole]);
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}

/// The conversations of an export's `documents`.
pub fn read(
    documents: &[(String, Vec<u8>)],
    price: &dyn Fn(&str) -> Option<ModelInfo>,
) -> Result<Vec<Conversation>> {
    let mut conversations = Vec::new();
    for (name, bytes) in documents {
        // Invalid UTF-8 is replaced, not fatal: one bad byte must not lose a whole history.
        let text = String::from_utf8_lossy(bytes);
        let exports: Vec<Export> = serde_json::from_str(&text).with_context(|| {
            format!("{name} is not a ChatGPT export (a JSON array of conversations)")
        })?;
        for export in exports {
            if let Some(conversation) = conversation(export, price) {
                conversations.push(conversation);
            }
        }
    }
    Ok(conversations)
}

/// A text part as it reads, a file or image named where it was: nothing is dropped silently.
fn part_text(part: &Value) -> String {
    match part {
        Value::String(text) => text.clone(),
        Value::Object(map) => {
            let kind = map
                .get("content_type")
                .and_then(Value::as_str)
                .unwrap_or("attachment");
            let pointer = map
                .get("asset_pointer")
                .and_then(Value::as_str)
                .map(|p| p.rsplit('/').next().unwrap_or(p).to_owned());
            match (kind, pointer) {
                ("image_asset_pointer", Some(file)) => format!("[image: {file}]"),
                (_, Some(file)) => format!("[{kind}: {file}]"),
                _ => format!("[{kind}]"),
            }
        }
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// What of a message is imported: user and assistant text meant for the user. System and
/// tool messages, hidden ones (custom instructions, user context), thoughts and reasoning
/// recaps, and tool calls (`recipient` other than `all`) are not.
fn visible(said: &Said) -> Option<String> {
    if !matches!(said.author.role.as_str(), "user" | "assistant") {
        return None;
    }
    if said.recipient.as_deref().is_some_and(|r| r != "all") {
        return None;
    }
    let hidden = said
        .metadata
        .as_ref()
        .and_then(|m| m.get("is_visually_hidden_from_conversation"))
        .and_then(Value::as_bool)
        == Some(true);
    let content = said.content.as_ref()?;
    if hidden || !matches!(content.content_type.as_str(), "text" | "multimodal_text") {
        return None;
    }
    let text: Vec<String> = content
        .parts
        .iter()
        .map(part_text)
        .filter(|t| !t.is_empty())
        .collect();
    (!text.is_empty()).then(|| text.join("\n\n"))
}

fn conversation(export: Export, price: &dyn Fn(&str) -> Option<ModelInfo>) -> Option<Conversation> {
    let id = export.conversation_id.or(export.id)?;
    // From the current node up to the root, then turned around: the branch last seen.
    let mut branch = Vec::new();
    let mut at = export.current_node.clone();
    let mut seen = std::collections::HashSet::new();
    while let Some(node_id) = at {
        if !seen.insert(node_id.clone()) {
            break;
        }
        let Some(node) = export.mapping.get(&node_id) else {
            break;
        };
        if let Some(said) = &node.message {
            branch.push((node_id.clone(), said));
        }
        at = node.parent.clone();
    }
    branch.reverse();
    let created = export
        .create_time
        .and_then(stored_seconds)
        .unwrap_or_else(|| crate::clock::stored(jiff::Timestamp::UNIX_EPOCH));
    let uuid = uuid_of(&[SOURCE, &id]);
    let mut conversation = Conversation::new(
        uuid.clone(),
        export.title.unwrap_or_default(),
        created.clone(),
    );
    let default_model = export
        .default_model_slug
        .unwrap_or_else(|| UNKNOWN_MODEL.to_owned());
    let mut pending: Option<usize> = None;
    let mut last_time = created.clone();
    for (node_id, said) in branch {
        let Some(text) = visible(said) else { continue };
        let time = said
            .create_time
            .and_then(stored_seconds)
            .unwrap_or_else(|| last_time.clone());
        last_time = time.clone();
        let message_id = said.id.clone().unwrap_or(node_id);
        let model = said
            .metadata
            .as_ref()
            .and_then(|m| m.get("model_slug"))
            .and_then(Value::as_str)
            .map_or_else(|| default_model.clone(), str::to_owned);
        let encoding = Encoding::for_model(&model);
        let message_uuid = uuid_of(&[SOURCE, &id, &message_id]);
        if said.author.role == "user" {
            if let Some(index) = pending.take() {
                conversation.messages[index].status = "failed".to_owned();
            }
            conversation.messages.push(Message::imported(
                message_uuid,
                "user",
                text,
                "failed",
                time,
                encoding,
            ));
            pending = Some(conversation.messages.len() - 1);
            continue;
        }
        let answer = Message::imported(
            message_uuid,
            "assistant",
            text,
            "complete",
            time.clone(),
            encoding,
        );
        if let Some(index) = pending.take() {
            conversation.messages[index].status = "answered".to_owned();
            let question = &conversation.messages[index];
            let mut request = Request::chat(
                uuid_of(&[SOURCE, &id, "request", &question.uuid]),
                model.clone(),
                question.created_at.clone(),
            );
            request.question = Some(question.uuid.clone());
            request.answer = Some(answer.uuid.clone());
            // ChatGPT sends the conversation so far with each question.
            let sent: Vec<&Message> = conversation.messages.iter().collect();
            request.sent = sent.iter().map(|m| m.uuid.clone()).collect();
            let tally = estimated_tally(&model, None, &sent, Some(&answer));
            request.bill(tally, price(&model).as_ref(), SOURCE);
            conversation.requests.push(request);
        }
        conversation.messages.push(answer);
    }
    if conversation.messages.is_empty() {
        return None;
    }
    if let Some(question) = pending {
        let mut request = Request::chat(
            uuid_of(&[
                SOURCE,
                &id,
                "request",
                &conversation.messages[question].uuid,
            ]),
            default_model.clone(),
            conversation.messages[question].created_at.clone(),
        );
        request.question = Some(conversation.messages[question].uuid.clone());
        request.sent = vec![conversation.messages[question].uuid.clone()];
        request.failed(SOURCE);
        conversation.requests.push(request);
    }
    conversation.updated_at = export
        .update_time
        .and_then(stored_seconds)
        .unwrap_or(last_time)
        .max(conversation.created_at.clone());
    Some(conversation)
}
