//! Simon Willison's `llm` log database (`logs.db`): `conversations` (id, name, model) and
//! `responses`, each a prompt and its response with `input_tokens`, `output_tokens` and
//! `token_details` (JSON with the cached and reasoning tokens when the model reported them).
//! A response is one exchange: its prompt a question, its response the answer, and one
//! request billed at today's prices.

use std::path::Path;

use anyhow::{Context as _, Result, bail};
use diesel::sql_types::{Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl as _};

use super::tokenmeter::columns;
use super::{Conversation, Message, Request, estimated_tally, stored_time, uuid_of};
use crate::prices::ModelInfo;
use crate::tokens::{Encoding, Tally};

const SOURCE: &str = "llm";

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    model: String,
    #[diesel(sql_type = Text)]
    prompt: String,
    #[diesel(sql_type = Nullable<Text>)]
    system: Option<String>,
    #[diesel(sql_type = Text)]
    response: String,
    #[diesel(sql_type = Text)]
    conversation_id: String,
    #[diesel(sql_type = Nullable<Text>)]
    conversation_name: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    duration_ms: Option<i32>,
    #[diesel(sql_type = Text)]
    datetime_utc: String,
    #[diesel(sql_type = Nullable<Integer>)]
    input_tokens: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    output_tokens: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    token_details: Option<String>,
}

/// `cached_tokens` and `reasoning_tokens` wherever `token_details` holds them.
fn detail(details: &serde_json::Value, name: &str) -> u64 {
    match details {
        serde_json::Value::Object(map) => map
            .get(name)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or_else(|| map.values().map(|v| detail(v, name)).sum()),
        _ => 0,
    }
}

pub fn read(path: &Path, price: &dyn Fn(&str) -> Option<ModelInfo>) -> Result<Vec<Conversation>> {
    let shown = path.display();
    let mut conn = crate::store::open_foreign(path)?;
    let have = columns(&mut conn, "responses")?;
    let required = [
        "id",
        "model",
        "prompt",
        "response",
        "conversation_id",
        "datetime_utc",
    ];
    if columns(&mut conn, "conversations")?.is_empty()
        || required.iter().any(|c| !have.iter().any(|h| h == c))
    {
        bail!(
            "{shown} is not an llm log database: it needs the tables conversations and responses ({})",
            required.join(", ")
        );
    }
    let optional = |name: &str, cast: &str| {
        if have.iter().any(|c| c == name) {
            format!("CAST(r.{name} AS {cast}) AS {name}")
        } else {
            format!("NULL AS {name}")
        }
    };
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT CAST(r.id AS TEXT) AS id, CAST(coalesce(r.model, '') AS TEXT) AS model,
                CAST(coalesce(r.prompt, '') AS TEXT) AS prompt, {system},
                CAST(coalesce(r.response, '') AS TEXT) AS response,
                CAST(coalesce(r.conversation_id, r.id) AS TEXT) AS conversation_id,
                CAST(c.name AS TEXT) AS conversation_name, {duration},
                CAST(r.datetime_utc AS TEXT) AS datetime_utc, {input}, {output}, {details}
         FROM responses r LEFT JOIN conversations c ON c.id = r.conversation_id
         ORDER BY r.datetime_utc, r.rowid",
        system = optional("system", "TEXT"),
        duration = optional("duration_ms", "INTEGER"),
        input = optional("input_tokens", "INTEGER"),
        output = optional("output_tokens", "INTEGER"),
        details = optional("token_details", "TEXT"),
    ))
    .load(&mut conn)
    .with_context(|| format!("could not read the responses of {shown}"))?;
    let mut conversations: Vec<Conversation> = Vec::new();
    let mut positions: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for row in rows {
        let at = stored_time(&row.datetime_utc).with_context(|| {
            format!(
                "response {} has the time '{}', which is not a date and time",
                row.id, row.datetime_utc
            )
        })?;
        let uuid = uuid_of(&[SOURCE, &row.conversation_id]);
        let index = match positions.get(&uuid) {
            Some(&index) => index,
            None => {
                let title = row.conversation_name.clone().unwrap_or_default();
                conversations.push(Conversation::new(uuid.clone(), title, at.clone()));
                positions.insert(uuid, conversations.len() - 1);
                conversations.len() - 1
            }
        };
        let conversation = &mut conversations[index];
        let encoding = Encoding::for_model(&row.model);
        let question = Message::imported(
            uuid_of(&[SOURCE, &row.id, "prompt"]),
            "user",
            row.prompt.clone(),
            "answered",
            at.clone(),
            encoding,
        );
        let answer = Message::imported(
            uuid_of(&[SOURCE, &row.id, "response"]),
            "assistant",
            row.response.clone(),
            "complete",
            at.clone(),
            encoding,
        );
        let mut request = Request::chat(uuid_of(&[SOURCE, &row.id]), row.model.clone(), at.clone());
        request.system_prompt = row.system.clone().filter(|s| !s.is_empty());
        request.question = Some(question.uuid.clone());
        request.answer = Some(answer.uuid.clone());
        request.duration_ms = row.duration_ms;
        // llm sends the conversation so far with each prompt.
        let sent: Vec<&Message> = conversation.messages.iter().chain([&question]).collect();
        request.sent = sent.iter().map(|m| m.uuid.clone()).collect();
        let tally = match (row.input_tokens, row.output_tokens) {
            (Some(input), Some(output)) => {
                let details: serde_json::Value = row
                    .token_details
                    .as_deref()
                    .and_then(|d| serde_json::from_str(d).ok())
                    .unwrap_or_default();
                let prompt = u64::try_from(input).unwrap_or(0);
                let completion = u64::try_from(output).unwrap_or(0);
                Tally {
                    prompt,
                    cached: detail(&details, "cached_tokens").min(prompt),
                    completion,
                    reasoning: detail(&details, "reasoning_tokens").min(completion),
                    ..Tally::default()
                }
            }
            _ => estimated_tally(
                &row.model,
                request.system_prompt.as_deref(),
                &sent,
                Some(&answer),
            ),
        };
        request.bill(tally, price(&row.model).as_ref(), SOURCE);
        conversation.updated_at = at;
        conversation.messages.push(question);
        conversation.messages.push(answer);
        conversation.requests.push(request);
    }
    Ok(conversations)
}
