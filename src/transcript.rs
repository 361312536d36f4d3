//! A conversation as `tm show` and `tm export --format markdown` present it: its messages
//! numbered from 1, its requests, and its files with their estimated tokens. Loaded here;
//! rendered by `ui::transcript`.

use std::collections::HashMap;

use anyhow::{Result, anyhow};
use serde::Serialize;

use crate::context;
use crate::store::attachment;
use crate::store::request::Request;
use crate::store::{Conversation, ConversationId, Message, MessageId, Store};
use crate::tokens::{self, Encoding};

/// An attachment as listed: its tokens estimated for the model its question went to.
#[derive(Serialize)]
pub struct File {
    pub name: String,
    pub mime: String,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub estimated_tokens: Option<usize>,
}

pub type Files = HashMap<MessageId, Vec<File>>;

pub struct Transcript {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
    pub requests: Vec<Request>,
    pub files: Files,
    /// Each message's place in the conversation, from 1: what "messages 5–8" counts.
    pub numbers: HashMap<MessageId, usize>,
}

/// Conversation `id` with everything shown of it. `estimates`: count each request's
/// pre-send estimate where it is not stored (`tm ask` does not build the encoder; the view
/// that shows estimates counts them).
pub fn load(store: &mut Store, id: ConversationId, estimates: bool) -> Result<Transcript> {
    let conversation = store
        .read(|conn| Conversation::find(conn, id))?
        .ok_or_else(|| anyhow!("there is no conversation {id}; `tm list` shows the ids"))?;
    let messages = store.read(|conn| Message::history(conn, id))?;
    let mut requests = store.read(|conn| Request::of_conversation(conn, id))?;
    if estimates {
        let by_id: HashMap<MessageId, &Message> = messages.iter().map(|m| (m.id, m)).collect();
        let mut counted = context::MessageCounts::default();
        for request in &mut requests {
            let estimate = context::recorded_estimate(store, request, &by_id, &mut counted)?;
            request.estimated_prompt_tokens = estimate.and_then(|n| i32::try_from(n).ok());
        }
    }
    let files = files(store, &messages, &requests)?;
    let numbers = messages
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id, i + 1))
        .collect();
    Ok(Transcript {
        conversation,
        messages,
        requests,
        files,
        numbers,
    })
}

fn files(store: &mut Store, messages: &[Message], requests: &[Request]) -> Result<Files> {
    let ids: Vec<MessageId> = messages.iter().map(|m| m.id).collect();
    let models: HashMap<MessageId, &str> = requests
        .iter()
        .filter_map(|r| Some((r.question_id?, r.model.as_str())))
        .collect();
    let mut files = Files::new();
    // Only text files' bytes, which their tokens are counted from; images and PDFs are
    // described by their rows.
    let found =
        store.read(|conn| attachment::of_messages(conn, &ids, attachment::Bytes::OfText))?;
    for (message_id, file) in found {
        let model = models.get(&message_id).copied().unwrap_or_default();
        let estimated_tokens = tokens::attachment_tokens(model, Encoding::for_model(model), &file);
        files.entry(message_id).or_default().push(File {
            size: file.size,
            width: file.width,
            height: file.height,
            estimated_tokens,
            name: file.name,
            mime: file.mime,
        });
    }
    Ok(files)
}
