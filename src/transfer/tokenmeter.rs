//! The original TokenMetered's `database.db`: three tables and no migrations, so a file of
//! any age is read by what its columns are (`PRAGMA table_info`), the missing ones taken as
//! empty. `room` is a conversation; `chat` its messages in id order, a question (`is_answer`
//! 0) and the answer after it making one request; `config` the settings it had.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text};

use super::{
    Conversation, Message, Request, column_or_null, columns, estimated_tally, stored_time, uuid_of,
};
use crate::prices::ModelInfo;
use crate::tokens::{Encoding, Tally};

const SOURCE: &str = "tokenmeter";

#[derive(QueryableByName)]
struct Room {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Chat {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    time: String,
    #[diesel(sql_type = Text)]
    message: String,
    #[diesel(sql_type = Integer)]
    is_answer: i32,
    #[diesel(sql_type = Integer)]
    room_id: i32,
    #[diesel(sql_type = Nullable<Text>)]
    msg_history: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    token_meter_prompt: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    token_meter_completion: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    used_model: Option<String>,
}

/// The settings the original kept, those it had.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Config {
    pub api_key: Option<String>,
    pub model: Option<String>,
    pub max_messages: Option<String>,
    /// The system messages, joined by blank lines.
    pub system: Option<String>,
}

#[derive(QueryableByName)]
struct ConfigRow {
    #[diesel(sql_type = Nullable<Text>)]
    openai_api_key: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    selected_model: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    max_message: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    system_message: Option<String>,
}

/// What a TokenMetered file holds, in tm's form.
pub struct Read {
    pub conversations: Vec<Conversation>,
    pub config: Config,
}

pub fn read(path: &Path, price: &dyn Fn(&str) -> Option<ModelInfo>) -> Result<Read> {
    let shown = path.display();
    let mut conn = crate::store::open_foreign(path)?;
    let chat_columns = columns(&mut conn, "chat")?;
    let room_columns = columns(&mut conn, "room")?;
    let required = ["id", "time", "message", "is_answer", "room_id"];
    if room_columns.is_empty()
        || chat_columns.is_empty()
        || required
            .iter()
            .any(|c| !chat_columns.iter().any(|have| have == c))
    {
        bail!(
            "{shown} is not a TokenMetered database: it needs the tables room (id, name) and chat ({})",
            required.join(", ")
        );
    }
    let config = read_config(&mut conn)?;
    let rooms: Vec<Room> = diesel::sql_query(
        "SELECT id, CAST(coalesce(name, '') AS TEXT) AS name FROM room ORDER BY id",
    )
    .load(&mut conn)
    .with_context(|| format!("could not read the rooms of {shown}"))?;
    let optional = [
        ("msg_history", "TEXT"),
        ("token_meter_prompt", "INTEGER"),
        ("token_meter_completion", "INTEGER"),
        ("used_model", "TEXT"),
    ]
    .map(|(name, cast)| column_or_null(&chat_columns, "chat", name, cast))
    .join(", ");
    let chats: Vec<Chat> = diesel::sql_query(format!(
        "SELECT id, CAST(time AS TEXT) AS time, CAST(message AS TEXT) AS message,
                CAST(is_answer AS INTEGER) AS is_answer, room_id, {optional}
         FROM chat ORDER BY id"
    ))
    .load(&mut conn)
    .with_context(|| format!("could not read the chats of {shown}"))?;
    let mut by_room: BTreeMap<i32, Vec<&Chat>> = BTreeMap::new();
    for chat in &chats {
        by_room.entry(chat.room_id).or_default().push(chat);
    }
    let mut conversations = Vec::new();
    for room in &rooms {
        let Some(chats) = by_room.get(&room.id) else {
            continue;
        };
        conversations.push(conversation(room, chats, &config, price)?);
    }
    Ok(Read {
        conversations,
        config,
    })
}

fn read_config(conn: &mut SqliteConnection) -> Result<Config> {
    let columns = columns(conn, "config")?;
    if columns.is_empty() {
        return Ok(Config::default());
    }
    let selected = [
        "openai_api_key",
        "selected_model",
        "max_message",
        "system_message",
    ]
    .map(|name| column_or_null(&columns, "config", name, "TEXT"))
    .join(", ");
    let row: Option<ConfigRow> =
        diesel::sql_query(format!("SELECT {selected} FROM config LIMIT 1"))
            .get_result(conn)
            .optional()?;
    let Some(row) = row else {
        return Ok(Config::default());
    };
    let not_empty = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    // A JSON array of strings; anything else is taken as the text itself.
    let system = not_empty(row.system_message).map(|text| {
        serde_json::from_str::<Vec<String>>(&text)
            .map(|parts| parts.join("\n\n"))
            .unwrap_or(text)
    });
    Ok(Config {
        api_key: not_empty(row.openai_api_key),
        model: not_empty(row.selected_model),
        max_messages: not_empty(row.max_message),
        system: not_empty(system),
    })
}

#[derive(serde::Deserialize)]
struct Sent {
    #[serde(default)]
    role: String,
    #[serde(default)]
    content: serde_json::Value,
}

fn conversation(
    room: &Room,
    chats: &[&Chat],
    config: &Config,
    price: &dyn Fn(&str) -> Option<ModelInfo>,
) -> Result<Conversation> {
    let time = |chat: &Chat| {
        stored_time(&chat.time).with_context(|| {
            format!(
                "chat {} has the time '{}', which is not an ISO-8601 instant",
                chat.id, chat.time
            )
        })
    };
    let first = chats[0];
    let uuid = uuid_of(&[SOURCE, &room.name, &first.time, &first.message]);
    let mut conversation = Conversation::new(uuid.clone(), room.name.clone(), time(first)?);
    let model_of = |chat: &Chat| {
        chat.used_model
            .clone()
            .filter(|m| !m.trim().is_empty())
            .or_else(|| config.model.clone())
            .unwrap_or_else(|| "unknown".to_owned())
    };
    let mut index = 0;
    while index < chats.len() {
        let chat = chats[index];
        let at = time(chat)?;
        let model = model_of(chat);
        let encoding = Encoding::for_model(&model);
        let message_uuid = |chat: &Chat| uuid_of(&[SOURCE, &uuid, &chat.id.to_string()]);
        if chat.is_answer != 0 {
            // An answer with no question before it: kept, with no request.
            conversation.messages.push(Message::imported(
                message_uuid(chat),
                "assistant",
                chat.message.clone(),
                "complete",
                at,
                encoding,
            ));
            index += 1;
            continue;
        }
        let answer = chats.get(index + 1).filter(|next| next.is_answer != 0);
        let mut request = Request::chat(
            uuid_of(&[SOURCE, &uuid, "request", &chat.id.to_string()]),
            answer.map_or(model, |a| model_of(a)),
            at.clone(),
        );
        let question = Message::imported(
            message_uuid(chat),
            "user",
            chat.message.clone(),
            if answer.is_some() {
                "answered"
            } else {
                "failed"
            },
            at,
            encoding,
        );
        let history = answer
            .and_then(|a| a.msg_history.as_deref())
            .or(chat.msg_history.as_deref());
        let (system, sent) = match_history(history, &conversation.messages, &question);
        request.system_prompt = system;
        request.question = Some(question.uuid.clone());
        request.sent = sent.iter().map(|m| m.uuid.clone()).collect();
        let sent_messages: Vec<Message> = sent.into_iter().cloned().collect();
        conversation.messages.push(question);
        match answer {
            Some(answer) => {
                let answer_message = Message::imported(
                    message_uuid(answer),
                    "assistant",
                    answer.message.clone(),
                    "complete",
                    time(answer)?,
                    encoding,
                );
                request.answer = Some(answer_message.uuid.clone());
                // The original stored the same numbers on the question and the answer: they
                // are counted once, from the answer (or the question when only it has them).
                let reported = [answer, &chat]
                    .into_iter()
                    .find_map(|row| Some((row.token_meter_prompt?, row.token_meter_completion?)));
                let tally = match reported {
                    Some((prompt, completion)) => Tally {
                        prompt: u64::try_from(prompt).unwrap_or(0),
                        completion: u64::try_from(completion).unwrap_or(0),
                        ..Tally::default()
                    },
                    None => {
                        let question = conversation.messages.last();
                        let sent: Vec<&Message> = if sent_messages.is_empty() {
                            question.into_iter().collect()
                        } else {
                            sent_messages.iter().collect()
                        };
                        estimated_tally(
                            &request.model,
                            request.system_prompt.as_deref(),
                            &sent,
                            Some(&answer_message),
                        )
                    }
                };
                request.bill(tally, price(&request.model).as_ref(), SOURCE);
                conversation.updated_at = answer_message.created_at.clone();
                conversation.messages.push(answer_message);
                index += 2;
            }
            None => {
                request.failed(SOURCE);
                index += 1;
            }
        }
        conversation.updated_at = conversation
            .messages
            .last()
            .map_or(conversation.updated_at.clone(), |m| m.created_at.clone());
        conversation.requests.push(request);
    }
    Ok(conversation)
}

/// The messages a question went out with, from the history the original saved with it (as
/// sent, then the reply): each entry is the latest earlier message of the same role and
/// text, the question itself last; system entries are the system prompt. Without a history,
/// the question alone.
fn match_history<'a>(
    history: Option<&str>,
    earlier: &'a [Message],
    question: &'a Message,
) -> (Option<String>, Vec<&'a Message>) {
    let entries: Vec<Sent> = history
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    let text_of = |entry: &Sent| match &entry.content {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let system: Vec<String> = entries
        .iter()
        .filter(|e| e.role == "system")
        .map(text_of)
        .collect();
    let mut sent: Vec<&Message> = entries
        .iter()
        .filter(|e| e.role != "system")
        .filter_map(|entry| {
            let text = text_of(entry);
            earlier
                .iter()
                .rev()
                .find(|m| m.role == entry.role && m.content == text)
        })
        .collect();
    sent.push(question);
    let system = (!system.is_empty()).then(|| system.join("\n\n"));
    (system, sent)
}
