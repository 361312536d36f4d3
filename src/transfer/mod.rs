//! Conversations from other tools. Every import is turned into the portable form an export
//! is written in (`store::transfer`, one `Conversation` per line of JSON), which the store
//! adds by UUID: a conversation, message or request whose UUID is already there is skipped,
//! so importing twice, or merging two machines' exports, never counts anything twice. Here:
//! the importers, and what they share in making that form.

pub mod chatgpt;
pub mod llm;
pub mod tokenmeter;

pub use crate::store::transfer::{Conversation, FORMAT, Message, Request, VERSION};

use diesel::sql_types::Text;
use diesel::{QueryResult, QueryableByName, RunQueryDsl as _, SqliteConnection};

use crate::attach::sha256_hex;
use crate::prices::{self, ModelInfo};
use crate::tokens::{self, Encoding, Tally, ToCount};

/// A UUID made from what identifies a row in another tool's data, the same each time the
/// same row is imported: the first 16 bytes of a SHA-256, shaped as a UUID of version 8
/// (made by the application).
pub fn uuid_of(parts: &[&str]) -> String {
    let digest = sha256_hex(parts.join("\u{1f}").as_bytes());
    format!(
        "{}-{}-8{}-{:x}{}-{}",
        &digest[0..8],
        &digest[8..12],
        &digest[13..16],
        8 | (u8::from_str_radix(&digest[16..17], 16).unwrap_or(0) & 3),
        &digest[17..20],
        &digest[20..32]
    )
}

impl Conversation {
    /// A conversation with no messages yet. A `title` left empty (the source had none) is
    /// made from the first message when the conversation is written.
    pub fn new(uuid: String, title: String, created_at: String) -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            uuid,
            title,
            updated_at: created_at.clone(),
            created_at,
            messages: Vec::new(),
            requests: Vec::new(),
        }
    }
}

impl Request {
    /// A chat request of `model` with nothing counted yet, started at `started_at`.
    pub fn chat(uuid: String, model: String, started_at: String) -> Self {
        Self {
            uuid,
            kind: "chat".to_owned(),
            model,
            question: None,
            answer: None,
            sent: Vec::new(),
            system_prompt: None,
            estimated_prompt_tokens: None,
            prompt_tokens: None,
            cached_tokens: None,
            cache_write_tokens: None,
            completion_tokens: None,
            reasoning_tokens: None,
            images: 0,
            usage_estimated: false,
            service_tier: None,
            input_price_picodollars: None,
            cached_price_picodollars: None,
            cache_write_price_picodollars: None,
            output_price_picodollars: None,
            cost_picodollars: None,
            started_at,
            first_token_ms: None,
            duration_ms: None,
            outcome: "ok".to_owned(),
            error: None,
            imported: None,
        }
    }
}

/// A time another tool wrote, as tm stores times: `2026-11-24T09:30:00.000Z`. An instant
/// with an offset or `Z`, or a date and time without one, taken as UTC (llm's).
pub fn stored_time(text: &str) -> Option<String> {
    let text = text.trim();
    let at = text.parse::<jiff::Timestamp>().ok().or_else(|| {
        let civil: jiff::civil::DateTime = text.replace(' ', "T").parse().ok()?;
        civil
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp())
    })?;
    Some(crate::clock::stored(at))
}

/// Seconds since 1970 (ChatGPT's `create_time`, fractional), as tm stores times.
pub fn stored_seconds(seconds: f64) -> Option<String> {
    let nanos = (seconds * 1e9).round();
    if !nanos.is_finite() || nanos.abs() > 1e20 {
        return None;
    }
    let at = jiff::Timestamp::from_nanosecond(nanos as i128).ok()?;
    Some(crate::clock::stored(at))
}

impl Message {
    /// A message of another tool's, its tokens counted with the model's encoding.
    pub fn imported(
        uuid: String,
        role: &str,
        content: String,
        status: &str,
        created_at: String,
        encoding: Encoding,
    ) -> Self {
        let tokens = encoding.count(&content);
        Self {
            uuid,
            role: role.to_owned(),
            status: status.to_owned(),
            created_at,
            content_tokens: i32::try_from(tokens).ok(),
            token_encoding: Some(encoding.name().to_owned()),
            content,
            attachments: Vec::new(),
        }
    }
}

impl Request {
    /// The request's tokens, and its cost at today's prices (`info`, none: unknown), as a
    /// request imported from `source`.
    pub fn bill(&mut self, tally: Tally, info: Option<&ModelInfo>, source: &str) {
        let count = |n: u64| Some(i32::try_from(n).unwrap_or(i32::MAX));
        self.prompt_tokens = count(tally.prompt);
        self.cached_tokens = count(tally.cached);
        self.cache_write_tokens = count(tally.cache_write);
        self.completion_tokens = count(tally.completion);
        self.reasoning_tokens = count(tally.reasoning);
        self.usage_estimated = tally.estimated;
        let prices = info.and_then(|info| info.prices_for(tally.prompt, None));
        self.input_price_picodollars = prices.map(|p| p.input.picodollars());
        self.cached_price_picodollars = prices.map(|p| p.cached.picodollars());
        self.cache_write_price_picodollars = prices.map(|p| p.cache_write.picodollars());
        self.output_price_picodollars = prices.map(|p| p.output.picodollars());
        self.cost_picodollars = prices.map(|p| prices::cost(&tally, p).picodollars());
        self.imported = Some(source.to_owned());
    }

    /// A question that got no answer: failed, nothing billed.
    pub fn failed(&mut self, source: &str) {
        self.outcome = "failed".to_owned();
        self.imported = Some(source.to_owned());
    }
}

/// What a request to `model` that sent `sent` (with `system` first) and got `answer` is
/// estimated to have cost in tokens, from the messages' stored counts.
pub fn estimated_tally(
    model: &str,
    system: Option<&str>,
    sent: &[&Message],
    answer: Option<&Message>,
) -> Tally {
    let encoding = Encoding::for_model(model);
    let known = |m: &Message| m.content_tokens.and_then(|n| usize::try_from(n).ok());
    let system_part = system.map(|text| ToCount {
        role: "system",
        text,
        known_tokens: None,
        files: &[],
    });
    let parts = system_part.into_iter().chain(sent.iter().map(|m| ToCount {
        role: &m.role,
        text: &m.content,
        known_tokens: known(m),
        files: &[],
    }));
    let prompt = tokens::estimate(model, encoding, parts).total as u64;
    let completion = answer.map_or(0, |a| {
        known(a).unwrap_or_else(|| encoding.count(&a.content)) as u64
    });
    Tally {
        prompt,
        completion,
        estimated: true,
        ..Tally::default()
    }
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The columns of `table` in another tool's SQLite file, none when there is no such table:
/// files of every age are read by the columns they have.
pub fn columns(conn: &mut SqliteConnection, table: &str) -> QueryResult<Vec<String>> {
    let rows: Vec<Column> =
        diesel::sql_query(format!("SELECT name FROM pragma_table_info('{table}')")).load(conn)?;
    Ok(rows.into_iter().map(|c| c.name).collect())
}

/// `table.name` selected as `name`, or NULL under that name when the table lacks it.
pub fn column_or_null(columns: &[String], table: &str, name: &str, cast: &str) -> String {
    if columns.iter().any(|c| c == name) {
        format!("CAST({table}.{name} AS {cast}) AS {name}")
    } else {
        format!("NULL AS {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_of_rows_are_stable_and_look_like_uuids() {
        let a = uuid_of(&["tokenmeter", "room", "1"]);
        assert_eq!(a, uuid_of(&["tokenmeter", "room", "1"]));
        assert_ne!(a, uuid_of(&["tokenmeter", "room", "2"]));
        assert_ne!(uuid_of(&["a", "bc"]), uuid_of(&["ab", "c"]));
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('8'));
        assert!(matches!(
            parts[3].chars().next(),
            Some('8' | '9' | 'a' | 'b')
        ));
    }
}
