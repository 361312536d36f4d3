//! Conversations in their portable form: read out for `tm export`, and added by every
//! `tm import`, whatever made them (`crate::transfer`'s importers, or another tm's export).
//! Rows are matched by UUID: what is already here is skipped, what is new is added, and a
//! request's messages are found by their UUIDs wherever they came from. The usage totals
//! follow through their triggers.

use std::collections::HashMap;

use base64::Engine as _;
use diesel::prelude::*;

use super::schema::{attachments, blobs, conversations, imports, messages, requests};
use super::{ConversationId, MessageId};
use serde::{Deserialize, Serialize};

use crate::attach::{Detail, Kind};

/// What every line of an export says it is, and the version of its form.
pub const FORMAT: &str = "tm-export";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub format: String,
    pub version: u32,
    pub uuid: String,
    pub title: String,
    /// UTC, as tm stores times: `2026-11-24T09:30:00.000Z`.
    pub created_at: String,
    pub updated_at: String,
    pub messages: Vec<Message>,
    pub requests: Vec<Request>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub uuid: String,
    /// `user` or `assistant`.
    pub role: String,
    pub content: String,
    /// `answered`, `failed`, `complete`, `interrupted` (or `pending`).
    pub status: String,
    pub created_at: String,
    pub content_tokens: Option<i32>,
    pub token_encoding: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub mime: String,
    /// `image`, `text` or `pdf`.
    pub kind: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub detail: Option<String>,
    /// The file's bytes in standard base64.
    pub data: String,
}

/// A request record as stored, its messages named by UUID and its money in picodollars
/// (unit prices per token), so that nothing is rounded on the way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub uuid: String,
    /// `chat` or `image`.
    pub kind: String,
    pub model: String,
    pub question: Option<String>,
    pub answer: Option<String>,
    /// The messages sent, the question last.
    pub sent: Vec<String>,
    pub system_prompt: Option<String>,
    pub estimated_prompt_tokens: Option<i32>,
    pub prompt_tokens: Option<i32>,
    pub cached_tokens: Option<i32>,
    pub cache_write_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
    pub reasoning_tokens: Option<i32>,
    pub images: i32,
    pub usage_estimated: bool,
    pub service_tier: Option<String>,
    pub input_price_picodollars: Option<i64>,
    pub cached_price_picodollars: Option<i64>,
    pub cache_write_price_picodollars: Option<i64>,
    pub output_price_picodollars: Option<i64>,
    pub cost_picodollars: Option<i64>,
    pub started_at: String,
    pub first_token_ms: Option<i32>,
    pub duration_ms: Option<i32>,
    /// `ok`, `interrupted` or `failed`.
    pub outcome: String,
    pub error: Option<String>,
    /// Where an imported request came from (`tokenmeter`, `chatgpt`, `llm`); none for tm's own.
    pub imported: Option<String>,
}

/// What an import added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Added {
    pub conversations: usize,
    pub messages: usize,
    pub requests: usize,
}

impl std::ops::AddAssign for Added {
    fn add_assign(&mut self, more: Self) {
        self.conversations += more.conversations;
        self.messages += more.messages;
        self.requests += more.requests;
    }
}

impl Added {
    pub fn any(self) -> bool {
        self.conversations + self.messages + self.requests > 0
    }
}

/// Adds what of `conversation` is not here yet.
pub fn add(conn: &mut SqliteConnection, conversation: &Conversation) -> QueryResult<Added> {
    let mut added = Added::default();
    // The UUIDs are unique, so their look-ups need no `LIMIT`: diesel binds the `1` of
    // `.first()` as a parameter, and SQLite prepares a statement with a bound `LIMIT` again
    // every time it is bound, which cost seconds in an import of 200,000 messages.
    let existing: Option<ConversationId> = conversations::table
        .filter(conversations::uuid.eq(&conversation.uuid))
        .select(conversations::id)
        .get_result(conn)
        .optional()?;
    let id = match existing {
        Some(id) => {
            // Later activity elsewhere moves the conversation up here too.
            diesel::update(conversations::table.find(id))
                .filter(conversations::updated_at.lt(&conversation.updated_at))
                .set(conversations::updated_at.eq(&conversation.updated_at))
                .execute(conn)?;
            id
        }
        None => {
            added.conversations += 1;
            diesel::insert_into(conversations::table)
                .values((
                    conversations::uuid.eq(&conversation.uuid),
                    conversations::title.eq(&conversation.title),
                    conversations::created_at.eq(&conversation.created_at),
                    conversations::updated_at.eq(&conversation.updated_at),
                ))
                .returning(conversations::id)
                .get_result(conn)?
        }
    };
    let mut ids: HashMap<&str, MessageId> = HashMap::new();
    for message in &conversation.messages {
        let found: Option<MessageId> = messages::table
            .filter(messages::uuid.eq(&message.uuid))
            .select(messages::id)
            .get_result(conn)
            .optional()?;
        let message_id = match found {
            Some(found) => found,
            None => {
                added.messages += 1;
                add_message(conn, id, message)?
            }
        };
        ids.insert(&message.uuid, message_id);
    }
    for request in &conversation.requests {
        let here: Option<i32> = requests::table
            .filter(requests::uuid.eq(&request.uuid))
            .select(requests::id)
            .get_result(conn)
            .optional()?;
        if here.is_none() {
            added.requests += 1;
            add_request(conn, id, request, &ids)?;
        }
    }
    Ok(added)
}

fn add_message(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    message: &Message,
) -> QueryResult<MessageId> {
    let id = diesel::insert_into(messages::table)
        .values((
            messages::uuid.eq(&message.uuid),
            messages::conversation_id.eq(conversation),
            messages::role.eq(&message.role),
            messages::content.eq(&message.content),
            messages::status.eq(&message.status),
            messages::created_at.eq(&message.created_at),
            messages::content_tokens.eq(message.content_tokens),
            messages::token_encoding.eq(&message.token_encoding),
        ))
        .returning(messages::id)
        .get_result(conn)?;
    for file in &message.attachments {
        let damaged = |what: String| diesel::result::Error::DeserializationError(what.into());
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&file.data)
            .map_err(|e| damaged(format!("the attachment {} is not base64: {e}", file.name)))?;
        let kind = Kind::parse(&file.kind).ok_or_else(|| {
            damaged(format!(
                "the attachment {} is of no kind tm knows ({})",
                file.name, file.kind
            ))
        })?;
        let attachment = crate::attach::Attachment {
            name: file.name.clone(),
            mime: file.mime.clone(),
            kind,
            size: bytes.len() as u64,
            sha256: crate::attach::sha256_hex(&bytes),
            bytes,
            width: file.width,
            height: file.height,
            detail: file.detail.as_deref().and_then(Detail::parse),
        };
        super::attachment::insert(conn, id, &attachment)?;
    }
    Ok(id)
}

fn add_request(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    request: &Request,
    ids: &HashMap<&str, MessageId>,
) -> QueryResult<()> {
    let id = |uuid: &Option<String>| uuid.as_deref().and_then(|u| ids.get(u).copied());
    let sent: Vec<MessageId> = request
        .sent
        .iter()
        .filter_map(|uuid| ids.get(uuid.as_str()).copied())
        .collect();
    diesel::insert_into(requests::table)
        .values((
            (
                requests::uuid.eq(&request.uuid),
                requests::conversation_id.eq(conversation),
                requests::question_id.eq(id(&request.question)),
                requests::answer_id.eq(id(&request.answer)),
                requests::kind.eq(&request.kind),
                requests::model.eq(&request.model),
                requests::sent_message_ids.eq(serde_json::to_string(&sent).unwrap_or_default()),
                requests::system_prompt.eq(&request.system_prompt),
                requests::estimated_prompt_tokens.eq(request.estimated_prompt_tokens),
                requests::prompt_tokens.eq(request.prompt_tokens),
                requests::cached_tokens.eq(request.cached_tokens),
                requests::cache_write_tokens.eq(request.cache_write_tokens),
                requests::completion_tokens.eq(request.completion_tokens),
                requests::reasoning_tokens.eq(request.reasoning_tokens),
            ),
            (
                requests::images.eq(request.images),
                requests::usage_estimated.eq(request.usage_estimated),
                requests::service_tier.eq(&request.service_tier),
                requests::input_price_picodollars.eq(request.input_price_picodollars),
                requests::cached_price_picodollars.eq(request.cached_price_picodollars),
                requests::cache_write_price_picodollars.eq(request.cache_write_price_picodollars),
                requests::output_price_picodollars.eq(request.output_price_picodollars),
                requests::cost_picodollars.eq(request.cost_picodollars),
                requests::started_at.eq(&request.started_at),
                requests::first_token_ms.eq(request.first_token_ms),
                requests::duration_ms.eq(request.duration_ms),
                requests::outcome.eq(&request.outcome),
                requests::error.eq(&request.error),
                requests::imported.eq(&request.imported),
            ),
        ))
        .execute(conn)
        .map(drop)
}

/// Whether a file with these bytes was imported before, and when.
pub fn imported_at(conn: &mut SqliteConnection, sha256: &str) -> QueryResult<Option<String>> {
    imports::table
        .find(sha256)
        .select(imports::imported_at)
        .first(conn)
        .optional()
}

/// Remembers an imported file by the hash of its bytes.
pub fn remember(
    conn: &mut SqliteConnection,
    sha256: &str,
    kind: &str,
    source: &str,
    added: Added,
    now: &str,
) -> QueryResult<()> {
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    diesel::insert_into(imports::table)
        .values((
            imports::sha256.eq(sha256),
            imports::kind.eq(kind),
            imports::source.eq(source),
            imports::imported_at.eq(now),
            imports::conversations.eq(count(added.conversations)),
            imports::messages.eq(count(added.messages)),
            imports::requests.eq(count(added.requests)),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .map(drop)
}

/// The ids of the conversations to export: these, or all, updated at or after `since`,
/// oldest first.
pub fn conversation_ids(
    conn: &mut SqliteConnection,
    only: &[ConversationId],
    since: Option<&str>,
) -> QueryResult<Vec<ConversationId>> {
    let mut query = conversations::table
        .select(conversations::id)
        .order(conversations::id.asc())
        .into_boxed();
    if !only.is_empty() {
        query = query.filter(conversations::id.eq_any(only.to_vec()));
    }
    if let Some(since) = since {
        query = query.filter(conversations::updated_at.ge(since.to_owned()));
    }
    query.load(conn)
}

#[derive(Queryable)]
struct MessageRow {
    id: MessageId,
    uuid: Option<String>,
    role: String,
    content: String,
    status: String,
    created_at: String,
    content_tokens: Option<i32>,
    token_encoding: Option<String>,
}

#[derive(Queryable)]
#[allow(clippy::struct_field_names)]
struct FileRow {
    message_id: MessageId,
    name: String,
    mime: String,
    kind: String,
    width: Option<i32>,
    height: Option<i32>,
    detail: Option<String>,
    bytes: Vec<u8>,
}

/// One conversation in its portable form, with its files' bytes.
pub fn read(conn: &mut SqliteConnection, id: ConversationId) -> QueryResult<Conversation> {
    let (uuid, title, created_at, updated_at): (Option<String>, String, String, String) =
        conversations::table
            .find(id)
            .select((
                conversations::uuid,
                conversations::title,
                conversations::created_at,
                conversations::updated_at,
            ))
            .first(conn)?;
    let rows: Vec<MessageRow> = messages::table
        .filter(messages::conversation_id.eq(id))
        .order(messages::id.asc())
        .select((
            messages::id,
            messages::uuid,
            messages::role,
            messages::content,
            messages::status,
            messages::created_at,
            messages::content_tokens,
            messages::token_encoding,
        ))
        .load(conn)?;
    let message_ids: Vec<MessageId> = rows.iter().map(|m| m.id).collect();
    let files: Vec<FileRow> = attachments::table
        .inner_join(blobs::table)
        .filter(attachments::message_id.eq_any(&message_ids))
        .order(attachments::id.asc())
        .select((
            attachments::message_id,
            attachments::name,
            attachments::mime,
            attachments::kind,
            attachments::width,
            attachments::height,
            attachments::detail,
            blobs::bytes,
        ))
        .load(conn)?;
    let uuids: HashMap<MessageId, String> = rows
        .iter()
        .map(|m| (m.id, m.uuid.clone().unwrap_or_default()))
        .collect();
    let messages = rows
        .into_iter()
        .map(|m| Message {
            attachments: files
                .iter()
                .filter(|f| f.message_id == m.id)
                .map(|f| Attachment {
                    name: f.name.clone(),
                    mime: f.mime.clone(),
                    kind: f.kind.clone(),
                    width: f.width.and_then(|n| u32::try_from(n).ok()),
                    height: f.height.and_then(|n| u32::try_from(n).ok()),
                    detail: f.detail.clone(),
                    data: base64::engine::general_purpose::STANDARD.encode(&f.bytes),
                })
                .collect(),
            uuid: m.uuid.unwrap_or_default(),
            role: m.role,
            content: m.content,
            status: m.status,
            created_at: m.created_at,
            content_tokens: m.content_tokens,
            token_encoding: m.token_encoding,
        })
        .collect();
    let requests = read_requests(conn, id, &uuids)?;
    Ok(Conversation {
        format: FORMAT.to_owned(),
        version: VERSION,
        uuid: uuid.unwrap_or_default(),
        title,
        created_at,
        updated_at,
        messages,
        requests,
    })
}

type RequestRow = (
    (
        Option<String>,
        String,
        String,
        Option<MessageId>,
        Option<MessageId>,
        String,
        Option<String>,
        Option<i32>,
        Option<i32>,
        Option<i32>,
        Option<i32>,
        Option<i32>,
        Option<i32>,
    ),
    (
        i32,
        bool,
        Option<String>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        String,
        Option<i32>,
        Option<i32>,
        String,
        Option<String>,
        Option<String>,
    ),
);

fn read_requests(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    uuids: &HashMap<MessageId, String>,
) -> QueryResult<Vec<Request>> {
    let rows: Vec<RequestRow> = requests::table
        .filter(requests::conversation_id.eq(conversation))
        .order(requests::id.asc())
        .select((
            (
                requests::uuid,
                requests::kind,
                requests::model,
                requests::question_id,
                requests::answer_id,
                requests::sent_message_ids,
                requests::system_prompt,
                requests::estimated_prompt_tokens,
                requests::prompt_tokens,
                requests::cached_tokens,
                requests::cache_write_tokens,
                requests::completion_tokens,
                requests::reasoning_tokens,
            ),
            (
                requests::images,
                requests::usage_estimated,
                requests::service_tier,
                requests::input_price_picodollars,
                requests::cached_price_picodollars,
                requests::cache_write_price_picodollars,
                requests::output_price_picodollars,
                requests::cost_picodollars,
                requests::started_at,
                requests::first_token_ms,
                requests::duration_ms,
                requests::outcome,
                requests::error,
                requests::imported,
            ),
        ))
        .load(conn)?;
    let uuid_of = |id: Option<MessageId>| id.and_then(|id| uuids.get(&id).cloned());
    rows.into_iter()
        .map(|(head, tail)| {
            let sent: Vec<MessageId> = serde_json::from_str(&head.5).map_err(|_| {
                diesel::result::Error::DeserializationError(
                    format!(
                        "requests.sent_message_ids holds '{}', not a list of message ids; the database may be damaged",
                        head.5
                    )
                    .into(),
                )
            })?;
            Ok(Request {
                uuid: head.0.unwrap_or_default(),
                kind: head.1,
                model: head.2,
                question: uuid_of(head.3),
                answer: uuid_of(head.4),
                sent: sent.into_iter().filter_map(|id| uuid_of(Some(id))).collect(),
                system_prompt: head.6,
                estimated_prompt_tokens: head.7,
                prompt_tokens: head.8,
                cached_tokens: head.9,
                cache_write_tokens: head.10,
                completion_tokens: head.11,
                reasoning_tokens: head.12,
                images: tail.0,
                usage_estimated: tail.1,
                service_tier: tail.2,
                input_price_picodollars: tail.3,
                cached_price_picodollars: tail.4,
                cache_write_price_picodollars: tail.5,
                output_price_picodollars: tail.6,
                cost_picodollars: tail.7,
                started_at: tail.8,
                first_token_ms: tail.9,
                duration_ms: tail.10,
                outcome: tail.11,
                error: tail.12,
                imported: tail.13,
            })
        })
        .collect()
}
