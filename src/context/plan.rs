//! What a question goes out with, before anything is sent: the system prompt, the messages
//! the context window picks and the question (the plan). Also the same messages of a request
//! already recorded, for `tm show` to estimate what it was sent with.

use std::collections::HashMap;

use anyhow::Result;

use crate::attach::{Attachment, Kind};
use crate::store::attachment::{self, Bytes};
use crate::store::request::{self, Request};
use crate::store::{Conversation, Message, MessageId, Outline, Role, Status, Store};
use crate::tokens::{Encoding, Estimate, ToCount, estimate};

use super::{Candidate, LeftOut, MaxMessages};

/// One message as it will be sent, with its content tokens when already counted.
#[derive(Debug, Clone)]
pub struct Part {
    pub id: Option<MessageId>,
    pub role: &'static str,
    pub content: String,
    pub attachments: Vec<Attachment>,
    known_tokens: Option<usize>,
}

impl Part {
    fn new(role: &'static str, content: String, attachments: Vec<Attachment>) -> Self {
        Self {
            id: None,
            role,
            content,
            attachments,
            known_tokens: None,
        }
    }

    pub fn counted(&self) -> ToCount<'_> {
        ToCount {
            role: self.role,
            text: &self.content,
            known_tokens: self.known_tokens,
            files: &self.attachments,
        }
    }

    /// A copy for counting: images keep their size, text files their text, nothing else.
    pub fn without_bytes(&self) -> Self {
        let attachments = self
            .attachments
            .iter()
            .map(|a| Attachment {
                bytes: if a.kind == Kind::Text {
                    a.bytes.clone()
                } else {
                    Vec::new()
                },
                ..a.clone()
            })
            .collect();
        Self {
            attachments,
            ..self.clone()
        }
    }
}

/// What the plan needs of how a question is sent.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    pub model: &'a str,
    pub system: Option<&'a str>,
    pub max_messages: MaxMessages,
    pub context_tokens: Option<usize>,
}

/// The messages a question goes out with: system prompt, the picked history, the question.
pub struct Plan {
    pub conversation: Option<Conversation>,
    /// The title a new conversation gets, whole; the exchange shortens it.
    pub title: String,
    pub model: String,
    pub encoding: Encoding,
    pub parts: Vec<Part>,
    /// Earlier messages the window did not send, when there are any.
    pub left_out: Option<LeftOut>,
}

fn stored_part(message: Message, encoding: Encoding) -> Part {
    let role = if message.role == Role::Assistant {
        "assistant"
    } else {
        "user"
    };
    let known_tokens = (message.token_encoding.as_deref() == Some(encoding.name()))
        .then_some(message.content_tokens)
        .flatten()
        .and_then(|n| usize::try_from(n).ok());
    Part {
        id: Some(message.id),
        role,
        content: message.content,
        attachments: Vec::new(),
        known_tokens,
    }
}

/// Fills in the files of stored messages, with the bytes `bytes` asks for; files already
/// there are replaced.
fn load_attachments(store: &mut Store, parts: &mut [Part], bytes: Bytes) -> Result<()> {
    let ids: Vec<MessageId> = parts.iter().filter_map(|p| p.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    for part in parts.iter_mut().filter(|p| p.id.is_some()) {
        part.attachments.clear();
    }
    let files = store.read(|conn| attachment::of_messages(conn, &ids, bytes))?;
    for (message_id, attachment) in files {
        if let Some(part) = parts.iter_mut().find(|p| p.id == Some(message_id)) {
            part.attachments.push(attachment);
        }
    }
    Ok(())
}

/// Content tokens of stored messages that `recorded_estimate` counted, so that a message sent
/// with many requests is counted once.
#[derive(Default)]
pub struct MessageCounts(HashMap<(MessageId, Encoding), usize>);

/// The pre-send estimate of a recorded chat request, counted now where `tm ask` left it empty
/// (see `Counting`). What it is computed from is all stored (the messages sent, their files,
/// the system prompt), so this is the number the request would have carried. `None` for image
/// requests and for requests whose messages are gone.
pub fn recorded_estimate(
    store: &mut Store,
    request: &Request,
    messages: &HashMap<MessageId, &Message>,
    counted: &mut MessageCounts,
) -> Result<Option<usize>> {
    if let Some(estimate) = request.estimated_prompt_tokens {
        return Ok(usize::try_from(estimate).ok());
    }
    if request.kind != request::Kind::Chat {
        return Ok(None);
    }
    let encoding = Encoding::for_model(&request.model);
    let mut parts: Vec<Part> = request
        .system_prompt
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| Part::new("system", s.clone(), Vec::new()))
        .collect();
    for &id in request.sent_ids() {
        let Some(message) = messages.get(&id) else {
            return Ok(None);
        };
        let mut part = stored_part((*message).clone(), encoding);
        if part.known_tokens.is_none() {
            let tokens = *counted
                .0
                .entry((id, encoding))
                .or_insert_with(|| encoding.count(&part.content));
            part.known_tokens = Some(tokens);
        }
        parts.push(part);
    }
    load_attachments(store, &mut parts, Bytes::OfText)?;
    Ok(Some(
        estimate(&request.model, encoding, parts.iter().map(Part::counted)).total,
    ))
}

impl Plan {
    /// A new question, typed now, in `conversation` or a new one titled `title`.
    pub fn new(
        store: &mut Store,
        conversation: Option<Conversation>,
        question: String,
        attachments: Vec<Attachment>,
        title: &str,
        window: Window<'_>,
    ) -> Result<Self> {
        let outline = match &conversation {
            Some(c) => store.read(|conn| Message::outline(conn, c.id))?,
            None => Vec::new(),
        };
        let question = Part::new("user", question, attachments);
        Self::with_question(store, conversation, outline, question, title, window)
    }

    /// The conversation's last question again, when it failed: the same stored message
    /// with its files, nothing retyped and no second question row. An error says why when
    /// the last question did not fail.
    pub fn retry(
        store: &mut Store,
        conversation: Conversation,
        window: Window<'_>,
    ) -> Result<Self> {
        let mut outline = store.read(|conn| Message::outline(conn, conversation.id))?;
        let failed = outline
            .last()
            .is_some_and(|m| m.role == Role::User && m.status == Status::Failed);
        let (Some(last), true) = (outline.pop(), failed) else {
            anyhow::bail!(
                "the last question of conversation {} did not fail; there is nothing to retry",
                conversation.id
            );
        };
        let last = store.read(|conn| Message::find(conn, last.id))?;
        let mut question = [stored_part(last, Encoding::for_model(window.model))];
        load_attachments(store, &mut question, Bytes::All)?;
        let [question] = question;
        let title = conversation.title.clone();
        Self::with_question(store, Some(conversation), outline, question, &title, window)
    }

    fn with_question(
        store: &mut Store,
        conversation: Option<Conversation>,
        outline: Vec<Outline>,
        question: Part,
        title: &str,
        window: Window<'_>,
    ) -> Result<Self> {
        let encoding = Encoding::for_model(window.model);
        let system = window
            .system
            .filter(|s| !s.trim().is_empty())
            .map(|content| Part::new("system", content.to_owned(), Vec::new()));
        let candidates: Vec<Candidate> = outline
            .iter()
            .map(|message| Candidate {
                sendable: message.sendable(),
                tokens: 0,
            })
            .collect();
        // The message count alone names every message that may go, so only those are read
        // in full (a long conversation's answers may be megabytes each); a token budget then
        // drops the oldest of them.
        let by_count = super::select(&candidates, window.max_messages, None, 0);
        let mut picked: Vec<Part> = match (by_count.first(), &conversation) {
            (Some(&first), Some(c)) => {
                let ids: Vec<MessageId> = by_count.iter().map(|&i| outline[i].id).collect();
                store
                    .read(|conn| Message::history_from(conn, c.id, outline[first].id))?
                    .into_iter()
                    .filter(|m| ids.binary_search(&m.id).is_ok())
                    .map(|m| stored_part(m, encoding))
                    .collect()
            }
            _ => Vec::new(),
        };
        if let Some(budget) = window.context_tokens {
            // Counting needs only text files' bytes; what is sent gets all of its own below.
            load_attachments(store, &mut picked, Bytes::OfText)?;
            let counted = estimate(window.model, encoding, picked.iter().map(Part::counted));
            let weighed: Vec<Candidate> = counted
                .per_message
                .into_iter()
                .map(|tokens| Candidate {
                    sendable: true,
                    tokens,
                })
                .collect();
            let fixed = system.iter().chain([&question]).map(Part::counted);
            let fixed_tokens = estimate(window.model, encoding, fixed).total;
            let kept = super::select(&weighed, MaxMessages::All, Some(budget), fixed_tokens);
            picked.drain(..picked.len() - kept.len());
        }
        let left_out = super::left_out(
            &candidates,
            picked.len(),
            window.max_messages,
            window.context_tokens,
        );
        let mut parts: Vec<Part> = system.into_iter().collect();
        parts.extend(picked);
        load_attachments(store, &mut parts, Bytes::All)?;
        parts.push(question);
        Ok(Self {
            conversation,
            title: title.to_owned(),
            model: window.model.to_owned(),
            encoding,
            parts,
            left_out,
        })
    }

    /// Tokens of every part, in order.
    pub fn estimate(&self) -> Estimate {
        estimate(
            &self.model,
            self.encoding,
            self.parts.iter().map(Part::counted),
        )
    }

    pub fn question(&self) -> &str {
        self.parts.last().map_or("", |p| p.content.as_str())
    }

    /// Stored messages sent before the question.
    pub fn history(&self) -> impl Iterator<Item = &Part> {
        let before = self.parts.len().saturating_sub(1);
        self.parts[..before].iter().filter(|p| p.id.is_some())
    }

    /// The stored question this plan sends again, when it is a retry.
    pub fn retried(&self) -> Option<MessageId> {
        self.parts.last().and_then(|p| p.id)
    }
}
