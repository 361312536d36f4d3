//! Request records: every API call with what was sent, what it cost and how it ended.

use diesel::prelude::*;
use serde::Serialize;

use super::schema::requests;
use super::{ConversationId, MessageId, RequestId};
use crate::money::Money;

stored_words! {
    pub enum Outcome in "requests.outcome" {
        Pending => "pending",
        Ok => "ok",
        Interrupted => "interrupted",
        Failed => "failed",
    }
}

stored_words! {
    /// What a request asked for: an answer in a conversation, or images.
    pub enum Kind in "requests.kind" {
        Chat => "chat",
        Image => "image",
    }
}

/// Written before the request goes out.
#[derive(Insertable)]
#[diesel(table_name = requests)]
pub struct NewRequest<'a> {
    /// None for image requests, which belong to no conversation.
    pub conversation_id: Option<ConversationId>,
    pub question_id: Option<MessageId>,
    pub kind: Kind,
    pub model: &'a str,
    /// JSON array of the stored message ids sent, oldest first (the question last).
    pub sent_message_ids: String,
    pub system_prompt: Option<&'a str>,
    pub started_at: &'a str,
    pub outcome: Outcome,
    /// The saved role the request used.
    pub role: Option<&'a str>,
    /// The fields added with `-o`, as a JSON object.
    pub options: Option<String>,
}

/// Written when the request has ended, however it ended.
#[derive(AsChangeset)]
#[diesel(table_name = requests, treat_none_as_null = true)]
pub struct RequestResult<'a> {
    pub answer_id: Option<MessageId>,
    pub estimated_prompt_tokens: Option<i32>,
    pub prompt_tokens: Option<i32>,
    pub cached_tokens: Option<i32>,
    pub cache_write_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
    pub reasoning_tokens: Option<i32>,
    pub images: i32,
    pub usage_estimated: bool,
    /// The tier the response named, which decided the prices.
    pub service_tier: Option<&'a str>,
    /// What one token cost.
    #[diesel(column_name = input_price_picodollars)]
    pub input_price: Option<Money>,
    #[diesel(column_name = cached_price_picodollars)]
    pub cached_price: Option<Money>,
    #[diesel(column_name = cache_write_price_picodollars)]
    pub cache_write_price: Option<Money>,
    #[diesel(column_name = output_price_picodollars)]
    pub output_price: Option<Money>,
    #[diesel(column_name = cost_picodollars)]
    pub cost: Option<Money>,
    pub first_token_ms: Option<i32>,
    pub duration_ms: Option<i32>,
    pub outcome: Outcome,
    pub error: Option<&'a str>,
}

impl<'a> RequestResult<'a> {
    /// A request that ended as `outcome` after `duration_ms`, with nothing counted, priced or
    /// answered: the one way a record's result is made. What applies is set on it with
    /// struct update syntax.
    pub fn ended(outcome: Outcome, duration_ms: i32) -> Self {
        Self {
            answer_id: None,
            estimated_prompt_tokens: None,
            prompt_tokens: None,
            cached_tokens: None,
            cache_write_tokens: None,
            completion_tokens: None,
            reasoning_tokens: None,
            images: 0,
            usage_estimated: false,
            service_tier: None,
            input_price: None,
            cached_price: None,
            cache_write_price: None,
            output_price: None,
            cost: None,
            first_token_ms: None,
            duration_ms: Some(duration_ms),
            outcome,
            error: None,
        }
    }
}

/// How many of a model's latest requests its median completion is taken over.
const RECENT: i64 = 101;

/// A model's latest chat requests with a completion, newest first, through the per-model
/// index.
#[diesel::dsl::auto_type(no_type_alias)]
pub fn recent_completions_query<'a>(model: &'a str) -> _ {
    let chat: Kind = Kind::Chat;
    let most: i64 = RECENT;
    requests::table
        .filter(requests::model.eq(model))
        .filter(requests::kind.eq(chat))
        .filter(requests::completion_tokens.is_not_null())
        .order(requests::id.desc())
        .limit(most)
        .select(requests::completion_tokens.assume_not_null())
}

/// The median completion of the model's latest 101 chat requests that have one: how long its
/// answers run for this user, for projecting what the next one costs.
pub fn median_completion(conn: &mut SqliteConnection, model: &str) -> QueryResult<Option<u64>> {
    let mut recent: Vec<i32> = recent_completions_query(model).load(conn)?;
    recent.sort_unstable();
    Ok(recent
        .get(recent.len() / 2)
        .map(|&n| n.unsigned_abs().into()))
}

/// Records a request as sent by this process, pending until it is finished.
pub fn insert(conn: &mut SqliteConnection, new: &NewRequest<'_>) -> QueryResult<RequestId> {
    diesel::insert_into(requests::table)
        .values((
            new,
            requests::owner.eq(this_process()),
            requests::uuid.eq(super::new_uuid()),
        ))
        .returning(requests::id)
        .get_result(conn)
}

pub fn finish(
    conn: &mut SqliteConnection,
    id: RequestId,
    result: &RequestResult<'_>,
) -> QueryResult<()> {
    diesel::update(requests::table.find(id))
        .set(result)
        .execute(conn)
        .map(drop)
}

/// A stored request, as `tm show` reports it.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = requests)]
pub struct Request {
    pub id: RequestId,
    pub question_id: Option<MessageId>,
    pub answer_id: Option<MessageId>,
    pub kind: Kind,
    pub model: String,
    /// The message ids sent, the question last (a JSON array in the database).
    pub sent_message_ids: SentIds,
    pub system_prompt: Option<String>,
    pub estimated_prompt_tokens: Option<i32>,
    pub prompt_tokens: Option<i32>,
    pub cached_tokens: Option<i32>,
    /// Prompt tokens written to the prompt cache.
    pub cache_write_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
    pub reasoning_tokens: Option<i32>,
    pub images: i32,
    /// The token numbers are tiktoken estimates: the API reported no usage.
    pub usage_estimated: bool,
    /// The service tier the response named (`default`, `flex`, `priority`, …); none when it
    /// named none, and then the standard prices applied.
    pub service_tier: Option<String>,
    /// What one token cost; shown, and in JSON, as USD per 1M tokens.
    #[diesel(column_name = input_price_picodollars)]
    #[serde(serialize_with = "crate::money::usd_per_million")]
    pub input_price: Option<Money>,
    #[diesel(column_name = cached_price_picodollars)]
    #[serde(serialize_with = "crate::money::usd_per_million")]
    pub cached_price: Option<Money>,
    #[diesel(column_name = cache_write_price_picodollars)]
    #[serde(serialize_with = "crate::money::usd_per_million")]
    pub cache_write_price: Option<Money>,
    #[diesel(column_name = output_price_picodollars)]
    #[serde(serialize_with = "crate::money::usd_per_million")]
    pub output_price: Option<Money>,
    /// USD in JSON.
    #[diesel(column_name = cost_picodollars)]
    pub cost: Option<Money>,
    /// UTC.
    pub started_at: String,
    pub first_token_ms: Option<i32>,
    pub duration_ms: Option<i32>,
    pub outcome: Outcome,
    pub error: Option<String>,
    /// The saved role the request used.
    pub role: Option<String>,
    /// The fields added with `-o KEY=VALUE`, as a JSON object.
    pub options: Option<String>,
}

/// The ids a request sent. A stored value that is not a JSON list of ids is an error that
/// names the column and the value, never an empty list that would hide the damage.
#[derive(Debug, Clone, PartialEq, Eq, diesel::deserialize::FromSqlRow)]
pub struct SentIds(Vec<MessageId>);

impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for SentIds {
    fn from_sql(
        value: diesel::sqlite::SqliteValue<'_, '_, '_>,
    ) -> diesel::deserialize::Result<Self> {
        let text = <String as diesel::deserialize::FromSql<
            diesel::sql_types::Text,
            diesel::sqlite::Sqlite,
        >>::from_sql(value)?;
        serde_json::from_str(&text).map(Self).map_err(|_| {
            format!(
                "requests.sent_message_ids holds '{text}', not a list of message ids; the database may be damaged"
            )
            .into()
        })
    }
}

/// In JSON as it is stored: `"[1,2,3]"`.
impl Serialize for SentIds {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let ids: Vec<String> = self.0.iter().map(MessageId::to_string).collect();
        serializer.serialize_str(&format!("[{}]", ids.join(",")))
    }
}

impl Request {
    pub fn sent_ids(&self) -> &[MessageId] {
        &self.sent_message_ids.0
    }

    pub fn find(conn: &mut SqliteConnection, id: RequestId) -> QueryResult<Option<Self>> {
        requests::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// A conversation's requests in order, through the per-conversation index.
    #[diesel::dsl::auto_type(no_type_alias)]
    pub fn of_conversation_query(conversation_id: ConversationId) -> _ {
        requests::table
            .filter(requests::conversation_id.eq(conversation_id))
            .order(requests::id.asc())
    }

    pub fn of_conversation(
        conn: &mut SqliteConnection,
        conversation_id: ConversationId,
    ) -> QueryResult<Vec<Self>> {
        Self::of_conversation_query(conversation_id)
            .select(Self::as_select())
            .load(conn)
    }
}

/// This process as `pid:start`, what a request's `owner` holds: the start time tells the
/// process apart from a later one the system gave the same pid. `None` without /proc.
fn this_process() -> Option<String> {
    let pid = std::process::id();
    process_start(pid).map(|start| format!("{pid}:{start}"))
}

/// When process `pid` started, in clock ticks since boot (field 22 of /proc/PID/stat).
fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, in parentheses, may hold spaces and parentheses itself: the fields
    // are counted from the last ')', after which field 3 comes first.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(22 - 3)?.parse().ok()
}

/// Whether the process an `owner` names is still running (and is still that process).
fn is_running(owner: &str) -> bool {
    let Some((pid, start)) = owner.split_once(':') else {
        return false;
    };
    match (pid.parse::<u32>(), start.parse::<u64>()) {
        (Ok(pid), Ok(start)) => process_start(pid) == Some(start),
        _ => false,
    }
}

/// Whether any request is pending with no running process to finish it.
pub fn any_orphans(conn: &mut SqliteConnection) -> QueryResult<bool> {
    let owners: Vec<Option<String>> = requests::table
        .filter(requests::outcome.eq(Outcome::Pending))
        .select(requests::owner)
        .load(conn)?;
    Ok(owners.iter().any(|owner| orphaned(owner.as_deref())))
}

/// A pending request no running process owns: its owner is gone, or it has none (sent by a
/// tm from before owners were recorded).
fn orphaned(owner: Option<&str>) -> bool {
    !owner.is_some_and(is_running)
}

/// A pending request, with what finishing it needs.
#[derive(Queryable, Selectable)]
#[diesel(table_name = requests)]
struct Pending {
    id: RequestId,
    owner: Option<String>,
    conversation_id: Option<ConversationId>,
    question_id: Option<MessageId>,
}

/// Finishes the requests a tm left pending when it was killed (SIGKILL, a crash, a power
/// cut): interrupted when part of an answer was saved, else failed, with the question.
/// Requests whose process still runs are left to it.
pub fn settle_orphans(conn: &mut SqliteConnection) -> QueryResult<()> {
    use super::schema::messages;
    use super::{Role, Status};
    let pending: Vec<Pending> = requests::table
        .filter(requests::outcome.eq(Outcome::Pending))
        .select(Pending::as_select())
        .load(conn)?;
    for Pending {
        id,
        owner,
        conversation_id: conversation,
        question_id: question,
    } in pending
    {
        if !orphaned(owner.as_deref()) {
            continue;
        }
        // Its answer, when part of one was saved, is the message right after its question.
        let answer = match (conversation, question) {
            (Some(conversation), Some(question)) => messages::table
                .filter(messages::conversation_id.eq(conversation))
                .filter(messages::id.gt(question))
                .order(messages::id.asc())
                .select((messages::id, messages::role))
                .first::<(MessageId, Role)>(conn)
                .optional()?
                .filter(|(_, role)| *role == Role::Assistant)
                .map(|(id, _)| id),
            _ => None,
        };
        let (outcome, error) = match answer {
            Some(_) => (
                Outcome::Interrupted,
                "the tm that sent it ended before the answer was complete; the part that arrived was saved",
            ),
            None => (
                Outcome::Failed,
                "the tm that sent it ended before any answer arrived",
            ),
        };
        diesel::update(
            requests::table
                .find(id)
                .filter(requests::outcome.eq(Outcome::Pending)),
        )
        .set((
            requests::outcome.eq(outcome),
            requests::answer_id.eq(answer),
            requests::error.eq(error),
        ))
        .execute(conn)?;
        if let (None, Some(question)) = (answer, question) {
            diesel::update(
                messages::table
                    .find(question)
                    .filter(messages::status.eq(Status::Pending)),
            )
            .set(messages::status.eq(Status::Failed))
            .execute(conn)?;
        }
    }
    Ok(())
}
