//! Simon Willison's `llm` log database (`logs.db`), in both of its generations.
//!
//! Older versions logged `conversations` (id, name, model) and `responses`, each a prompt and
//! its response with `input_tokens`, `output_tokens` and `token_details` (JSON with the
//! cached and reasoning tokens when the model reported them): a response is one exchange,
//! its prompt a question, its response the answer, and one request.
//!
//! Newer versions log to a content-addressed message store instead, and leave the older
//! tables as they were: `threads` (a conversation, pointing at its newest message), a chain
//! of `messages` linked by `parent_hash`, each made of `parts` (text, reasoning, tool calls,
//! attachments), and `turns` (one model call each, with its tokens, bracketing the chain
//! from the last message it was sent to the reply it added). A thread is read as the branch
//! from its newest message back to the first, and a thread that continues an older
//! conversation (they share its id) goes on in the same tm conversation: the messages at
//! its start that repeat the older conversation's are not imported twice.
//!
//! Every request is billed at today's prices.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl as _, SqliteConnection};

use super::{
    Conversation, Message, Request, column_or_null, columns, estimated_tally, stored_time, uuid_of,
};
use crate::prices::ModelInfo;
use crate::tokens::{Encoding, Tally};

const SOURCE: &str = "llm";

const RESPONSES_NEED: [&str; 6] = [
    "id",
    "model",
    "prompt",
    "response",
    "conversation_id",
    "datetime_utc",
];

const STORE_TABLES: [&str; 4] = ["threads", "turns", "messages", "parts"];

pub fn read(path: &Path, price: &dyn Fn(&str) -> Option<ModelInfo>) -> Result<Vec<Conversation>> {
    let shown = path.display().to_string();
    let mut conn = crate::store::open_foreign(path)?;
    let responses = columns(&mut conn, "responses")?;
    let legacy = !columns(&mut conn, "conversations")?.is_empty()
        && RESPONSES_NEED
            .iter()
            .all(|c| responses.iter().any(|h| h == c));
    let mut store = true;
    for table in STORE_TABLES {
        store &= !columns(&mut conn, table)?.is_empty();
    }
    if !legacy && !store {
        bail!(
            "{shown} is not an llm log database: it needs the tables conversations and responses ({}), or {}",
            RESPONSES_NEED.join(", "),
            STORE_TABLES.join(", ")
        );
    }
    let mut history = History::default();
    if legacy {
        read_responses(&mut conn, &responses, &mut history, price, &shown)?;
    }
    if store {
        read_threads(&mut conn, &mut history, price, &shown)?;
    }
    Ok(history.conversations)
}

/// The conversations read so far, found again by llm's conversation (or thread) id.
#[derive(Default)]
struct History {
    conversations: Vec<Conversation>,
    by_id: HashMap<String, usize>,
}

impl History {
    fn conversation(&mut self, llm_id: &str, title: Option<&str>, at: &str) -> &mut Conversation {
        let index = *self.by_id.entry(llm_id.to_owned()).or_insert_with(|| {
            self.conversations.push(Conversation::new(
                uuid_of(&[SOURCE, llm_id]),
                title.unwrap_or_default().to_owned(),
                at.to_owned(),
            ));
            self.conversations.len() - 1
        });
        &mut self.conversations[index]
    }
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

/// The tokens llm recorded for one model call, when it recorded both counts.
fn reported(input: Option<i64>, output: Option<i64>, details: Option<&str>) -> Option<Tally> {
    let (input, output) = (input?, output?);
    let details: serde_json::Value = details
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or_default();
    let prompt = u64::try_from(input).unwrap_or(0);
    let completion = u64::try_from(output).unwrap_or(0);
    Some(Tally {
        prompt,
        cached: detail(&details, "cached_tokens").min(prompt),
        completion,
        reasoning: detail(&details, "reasoning_tokens").min(completion),
        ..Tally::default()
    })
}

/// A request's tokens as llm recorded them, else estimated from what it sent and got, and
/// its cost at today's prices.
fn bill(
    request: &mut Request,
    recorded: Option<Tally>,
    sent: &[&Message],
    answer: Option<&Message>,
    price: &dyn Fn(&str) -> Option<ModelInfo>,
) {
    let tally = recorded.unwrap_or_else(|| {
        estimated_tally(
            &request.model,
            request.system_prompt.as_deref(),
            sent,
            answer,
        )
    });
    let info = price(&request.model);
    request.bill(tally, info.as_ref(), SOURCE);
}

#[derive(QueryableByName)]
struct Response {
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
    #[diesel(sql_type = Nullable<BigInt>)]
    duration_ms: Option<i64>,
    #[diesel(sql_type = Text)]
    datetime_utc: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    input_tokens: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    output_tokens: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    token_details: Option<String>,
}

fn read_responses(
    conn: &mut SqliteConnection,
    have: &[String],
    history: &mut History,
    price: &dyn Fn(&str) -> Option<ModelInfo>,
    shown: &str,
) -> Result<()> {
    let optional = |name: &str, cast: &str| column_or_null(have, "r", name, cast);
    let rows: Vec<Response> = diesel::sql_query(format!(
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
    .load(conn)
    .with_context(|| format!("could not read the responses of {shown}"))?;
    for row in rows {
        let at = stored_time(&row.datetime_utc).with_context(|| {
            format!(
                "response {} has the time '{}', which is not a date and time",
                row.id, row.datetime_utc
            )
        })?;
        let conversation =
            history.conversation(&row.conversation_id, row.conversation_name.as_deref(), &at);
        let encoding = Encoding::for_model(&row.model);
        let question = Message::imported(
            uuid_of(&[SOURCE, &row.id, "prompt"]),
            "user",
            row.prompt,
            "answered",
            at.clone(),
            encoding,
        );
        let answer = Message::imported(
            uuid_of(&[SOURCE, &row.id, "response"]),
            "assistant",
            row.response,
            "complete",
            at.clone(),
            encoding,
        );
        let mut request = Request::chat(uuid_of(&[SOURCE, &row.id]), row.model, at.clone());
        request.system_prompt = row.system.filter(|s| !s.is_empty());
        request.question = Some(question.uuid.clone());
        request.answer = Some(answer.uuid.clone());
        request.duration_ms = row.duration_ms.and_then(|d| i32::try_from(d).ok());
        // llm sends the conversation so far with each prompt.
        let sent: Vec<&Message> = conversation.messages.iter().chain([&question]).collect();
        request.sent = sent.iter().map(|m| m.uuid.clone()).collect();
        let recorded = reported(
            row.input_tokens,
            row.output_tokens,
            row.token_details.as_deref(),
        );
        bill(&mut request, recorded, &sent, Some(&answer), price);
        conversation.updated_at = at;
        conversation.messages.push(question);
        conversation.messages.push(answer);
        conversation.requests.push(request);
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Thread {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    tip: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    datetime_utc: Option<String>,
}

#[derive(QueryableByName)]
struct Node {
    #[diesel(sql_type = Text)]
    hash: String,
    #[diesel(sql_type = Nullable<Text>)]
    parent: Option<String>,
    #[diesel(sql_type = Text)]
    role: String,
}

#[derive(QueryableByName)]
struct Part {
    #[diesel(sql_type = Text)]
    message: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    text: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    payload: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    attachment: Option<String>,
}

#[derive(QueryableByName)]
struct Turn {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    thread: String,
    #[diesel(sql_type = Nullable<Text>)]
    parent: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    tip: Option<String>,
    #[diesel(sql_type = Text)]
    model: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    input_tokens: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    output_tokens: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    token_details: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    duration_ms: Option<i64>,
    #[diesel(sql_type = Text)]
    datetime_utc: String,
}

#[derive(QueryableByName)]
struct Fragment {
    #[diesel(sql_type = Text)]
    content: String,
}

/// The message store's tables, read whole: llm keeps no more in them than a history. Rows
/// without the key that names them (SQLite lets a TEXT primary key be NULL) name nothing a
/// conversation could show, and are passed over.
struct Store {
    threads: Vec<Thread>,
    nodes: HashMap<String, Node>,
    parts: HashMap<String, Vec<Part>>,
    turns: HashMap<String, Vec<Turn>>,
    fragments: HashMap<i64, String>,
}

fn read_store(conn: &mut SqliteConnection, shown: &str) -> Result<Store> {
    let context = |what: &str| format!("could not read the {what} of {shown}");
    let threads: Vec<Thread> = diesel::sql_query(
        "SELECT CAST(id AS TEXT) AS id, CAST(name AS TEXT) AS name,
                CAST(tip_message_hash AS TEXT) AS tip, CAST(datetime_utc AS TEXT) AS datetime_utc
         FROM threads WHERE id IS NOT NULL ORDER BY datetime_utc, rowid",
    )
    .load(conn)
    .with_context(|| context("threads"))?;
    let nodes: Vec<Node> = diesel::sql_query(
        "SELECT CAST(hash AS TEXT) AS hash, CAST(parent_hash AS TEXT) AS parent,
                CAST(coalesce(role, '') AS TEXT) AS role
         FROM messages WHERE hash IS NOT NULL",
    )
    .load(conn)
    .with_context(|| context("messages"))?;
    let part_columns = columns(conn, "parts")?;
    // A part names its attachment through part_attachments; older stores lack the table.
    let attachment = if columns(conn, "part_attachments")?.is_empty()
        || columns(conn, "attachments")?.is_empty()
    {
        "NULL"
    } else {
        "(SELECT CAST(coalesce(a.path, a.url, a.type, a.id) AS TEXT)
          FROM part_attachments pa JOIN attachments a ON a.id = pa.attachment_id
          WHERE pa.part_id = p.id ORDER BY pa.\"order\" LIMIT 1)"
    };
    let parts: Vec<Part> = diesel::sql_query(format!(
        "SELECT CAST(p.message_hash AS TEXT) AS message, CAST(coalesce(p.type, '') AS TEXT) AS kind,
                {text}, {payload}, {attachment} AS attachment
         FROM parts p WHERE p.message_hash IS NOT NULL ORDER BY p.message_hash, p.position",
        text = column_or_null(&part_columns, "p", "text", "TEXT"),
        payload = column_or_null(&part_columns, "p", "payload", "TEXT"),
    ))
    .load(conn)
    .with_context(|| context("message parts"))?;
    let turns: Vec<Turn> = diesel::sql_query(
        "SELECT CAST(id AS TEXT) AS id, CAST(coalesce(thread_id, '') AS TEXT) AS thread,
                CAST(parent_message_hash AS TEXT) AS parent, CAST(tip_message_hash AS TEXT) AS tip,
                CAST(coalesce(model, '') AS TEXT) AS model,
                CAST(input_tokens AS INTEGER) AS input_tokens,
                CAST(output_tokens AS INTEGER) AS output_tokens,
                CAST(token_details AS TEXT) AS token_details,
                CAST(duration_ms AS INTEGER) AS duration_ms,
                CAST(coalesce(datetime_utc, '') AS TEXT) AS datetime_utc
         FROM turns WHERE id IS NOT NULL ORDER BY datetime_utc, id",
    )
    .load(conn)
    .with_context(|| context("turns"))?;
    let mut fragments = HashMap::new();
    if !columns(conn, "fragments")?.is_empty() {
        for part in &parts {
            for id in fragment_ids(part) {
                if let std::collections::hash_map::Entry::Vacant(entry) = fragments.entry(id) {
                    let fragment: Fragment = diesel::sql_query(
                        "SELECT CAST(coalesce(content, '') AS TEXT) AS content
                         FROM fragments WHERE id = ?",
                    )
                    .bind::<BigInt, _>(id)
                    .get_result(conn)
                    .with_context(|| format!("{shown} names fragment {id}, which it lacks"))?;
                    entry.insert(fragment.content);
                }
            }
        }
    }
    let mut by_message: HashMap<String, Vec<Part>> = HashMap::new();
    for part in parts {
        by_message
            .entry(part.message.clone())
            .or_default()
            .push(part);
    }
    let mut by_thread: HashMap<String, Vec<Turn>> = HashMap::new();
    for turn in turns {
        by_thread.entry(turn.thread.clone()).or_default().push(turn);
    }
    Ok(Store {
        threads,
        nodes: nodes.into_iter().map(|n| (n.hash.clone(), n)).collect(),
        parts: by_message,
        turns: by_thread,
        fragments,
    })
}

/// The pieces of a part's text that llm stored by reference (`text_ref`): fragment ids and
/// literal text, in order.
fn text_ref(part: &Part) -> Vec<serde_json::Value> {
    let payload: Option<serde_json::Value> = part
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok());
    match payload {
        Some(serde_json::Value::Object(mut map)) => match map.remove("text_ref") {
            Some(serde_json::Value::Array(pieces)) => pieces,
            _ => map
                .remove("text")
                .map(|text| vec![serde_json::json!({ "literal": text })])
                .unwrap_or_default(),
        },
        _ => Vec::new(),
    }
}

fn fragment_ids(part: &Part) -> Vec<i64> {
    if part.text.is_some() {
        return Vec::new();
    }
    text_ref(part)
        .iter()
        .filter_map(|piece| piece.get("fragment").and_then(serde_json::Value::as_i64))
        .collect()
}

impl Store {
    /// A message's text: its text parts, an attachment named in brackets, and neither its
    /// reasoning nor its tool calls and results, which a conversation does not show.
    fn text(&self, hash: &str) -> String {
        let mut pieces: Vec<String> = Vec::new();
        for part in self.parts.get(hash).map_or(&[][..], Vec::as_slice) {
            let piece = match part.kind.as_str() {
                "text" => match &part.text {
                    Some(text) => text.clone(),
                    None => text_ref(part)
                        .iter()
                        .map(|piece| match piece.get("literal") {
                            Some(literal) => literal.as_str().unwrap_or_default().to_owned(),
                            None => piece
                                .get("fragment")
                                .and_then(serde_json::Value::as_i64)
                                .and_then(|id| self.fragments.get(&id).cloned())
                                .unwrap_or_default(),
                        })
                        .collect(),
                },
                "reasoning" | "tool_call" | "tool_result" => continue,
                "attachment" => match &part.attachment {
                    Some(name) => format!("[attachment: {name}]"),
                    None => "[attachment]".to_owned(),
                },
                other => format!("[{other}]"),
            };
            if !piece.is_empty() {
                pieces.push(piece);
            }
        }
        pieces.join("\n\n")
    }

    /// The thread's branch, first message first: from its newest message back along the
    /// parents. A parent that loops back ends it.
    fn chain(&self, tip: Option<&str>) -> Vec<&Node> {
        let mut chain = Vec::new();
        let mut next = tip;
        while let Some(hash) = next {
            let Some(node) = self.nodes.get(hash) else {
                break;
            };
            if chain.len() >= self.nodes.len() {
                break;
            }
            chain.push(node);
            next = node.parent.as_deref();
        }
        chain.reverse();
        chain
    }
}

/// A turn on a thread's branch: where the messages it was sent end (`parent`) and where the
/// reply it added ends (`tip`), as positions in the branch.
struct OnBranch<'a> {
    parent: usize,
    tip: usize,
    turn: &'a Turn,
    at: String,
}

fn read_threads(
    conn: &mut SqliteConnection,
    history: &mut History,
    price: &dyn Fn(&str) -> Option<ModelInfo>,
    shown: &str,
) -> Result<()> {
    let store = read_store(conn, shown)?;
    for thread in &store.threads {
        let chain = store.chain(thread.tip.as_deref());
        if chain.is_empty() {
            continue;
        }
        let position: HashMap<&str, usize> = chain
            .iter()
            .enumerate()
            .map(|(i, node)| (node.hash.as_str(), i))
            .collect();
        // The thread's turns on this branch, each with where its input ends and its reply
        // ends; a turn of another branch (a fork's) is not what this thread shows.
        let mut turns: Vec<OnBranch> = Vec::new();
        for turn in store.turns.get(&thread.id).map_or(&[][..], Vec::as_slice) {
            let place =
                |hash: &Option<String>| hash.as_deref().and_then(|h| position.get(h).copied());
            let Some(tip) = place(&turn.tip) else {
                continue;
            };
            let parent = place(&turn.parent).filter(|&p| p < tip).unwrap_or(tip);
            let at = stored_time(&turn.datetime_utc).with_context(|| {
                format!(
                    "turn {} has the time '{}', which is not a date and time",
                    turn.id, turn.datetime_utc
                )
            })?;
            turns.push(OnBranch {
                parent,
                tip,
                turn,
                at,
            });
        }
        turns.sort_by_key(|t| t.tip);
        turns.dedup_by_key(|t| t.tip);
        let started = thread
            .datetime_utc
            .as_deref()
            .and_then(stored_time)
            .or_else(|| turns.first().map(|t| t.at.clone()))
            .with_context(|| format!("thread {} of {shown} has no time and no turns", thread.id))?;
        // A message was written by the first turn whose reply reaches it (the turns are in
        // the branch's order).
        let writer = |i: usize| turns.get(turns.partition_point(|t| t.tip < i));
        let time_of = |i: usize| {
            writer(i)
                .or(turns.last())
                .map_or(started.clone(), |t| t.at.clone())
        };
        let model_of = |i: usize| writer(i).map(|t| t.turn.model.as_str());
        let last_answer = chain.iter().rposition(|n| n.role == "assistant");
        let conversation = history.conversation(&thread.id, thread.name.as_deref(), &started);
        let earlier = conversation.messages.len();
        let texts: Vec<String> = chain.iter().map(|node| store.text(&node.hash)).collect();
        // Each message of the branch as its place among the conversation's messages (a
        // system message has none). Where the branch repeats the older conversation of the
        // same id, its messages are those already read.
        let mut kept: Vec<Option<usize>> = vec![None; chain.len()];
        let mut repeated = 0;
        for (i, node) in chain.iter().enumerate() {
            if node.role == "system" {
                continue;
            }
            match conversation.messages.get(repeated) {
                Some(old)
                    if repeated < earlier && old.role == node.role && old.content == texts[i] =>
                {
                    kept[i] = Some(repeated);
                    repeated += 1;
                }
                _ => break,
            }
        }
        for (i, node) in chain.iter().enumerate() {
            if node.role == "system" || kept[i].is_some() {
                continue;
            }
            let role = if node.role == "assistant" {
                "assistant"
            } else {
                "user"
            };
            let answered = last_answer.is_some_and(|last| last > i);
            let status = match role {
                "assistant" => "complete",
                _ if answered => "answered",
                _ => "failed",
            };
            let encoding = Encoding::for_model(model_of(i).unwrap_or_default());
            let message = Message::imported(
                uuid_of(&[SOURCE, &thread.id, &node.hash]),
                role,
                texts[i].clone(),
                status,
                time_of(i),
                encoding,
            );
            kept[i] = Some(conversation.messages.len());
            conversation.messages.push(message);
        }
        let message = |i: usize| kept[i].map(|k| &conversation.messages[k]);
        let mut requests = Vec::new();
        for OnBranch {
            parent,
            tip,
            turn,
            at,
        } in &turns
        {
            let mut request =
                Request::chat(uuid_of(&[SOURCE, &turn.id]), turn.model.clone(), at.clone());
            let system: Vec<&str> = (0..=*parent)
                .filter(|&i| chain[i].role == "system")
                .map(|i| texts[i].as_str())
                .collect();
            request.system_prompt = Some(system.join("\n\n")).filter(|s| !s.is_empty());
            let sent: Vec<&Message> = (0..=*parent).filter_map(message).collect();
            request.sent = sent.iter().map(|m| m.uuid.clone()).collect();
            request.question = sent
                .iter()
                .rev()
                .find(|m| m.role == "user")
                .map(|m| m.uuid.clone());
            let answer = (*parent + 1..=*tip)
                .rev()
                .filter(|&i| chain[i].role == "assistant")
                .find_map(message);
            request.answer = answer.map(|m| m.uuid.clone());
            request.duration_ms = turn.duration_ms.and_then(|d| i32::try_from(d).ok());
            let recorded = reported(
                turn.input_tokens,
                turn.output_tokens,
                turn.token_details.as_deref(),
            );
            bill(&mut request, recorded, &sent, answer, price);
            requests.push(request);
        }
        if let Some(last) = turns.last()
            && last.at > conversation.updated_at
        {
            conversation.updated_at = last.at.clone();
        }
        conversation.requests.extend(requests);
    }
    Ok(())
}
