//! What a question goes out with, before anything is sent: the messages the context window
//! picks (the plan), and their token estimates, which `tm show` also uses for records that
//! were sent without one.

use std::collections::HashMap;

use anyhow::Result;

use crate::api::types::{Content, ContentPart, FileData, ImageUrl, WireMessage};
use crate::attach::{Attachment, Detail, Kind};
use crate::context::{self, Candidate, LeftOut};
use crate::store::attachment::{self, Bytes};
use crate::store::request::{self, Request};
use crate::store::{Conversation, Message, Role, Status, Store};
use crate::tokens::{self, Encoding, REPLY_PRIMING};
use crate::ui::fmt;

use super::Options;

/// One message as it will be sent, with its content tokens when already counted.
#[derive(Debug, Clone)]
pub struct Part {
    pub id: Option<i32>,
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

    /// A copy for counting: images keep their size, text files their text, nothing else.
    pub(super) fn without_bytes(&self) -> Self {
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

    /// The message on the wire: plain text, or the text followed by its files.
    pub(super) fn wire(&self) -> WireMessage<'_> {
        if self.attachments.is_empty() {
            return WireMessage {
                role: self.role,
                content: Content::Text(&self.content),
            };
        }
        let mut parts = vec![ContentPart::Text {
            text: self.content.clone(),
        }];
        parts.extend(self.attachments.iter().map(|a| match a.kind {
            Kind::Image => ContentPart::ImageUrl {
                image_url: ImageUrl {
                    url: a.data_url(),
                    detail: a.detail.unwrap_or(Detail::Auto).as_str(),
                },
            },
            Kind::Text => ContentPart::Text { text: a.as_text() },
            Kind::Pdf => ContentPart::File {
                file: FileData {
                    filename: a.name.clone(),
                    file_data: a.data_url(),
                },
            },
        }));
        WireMessage {
            role: self.role,
            content: Content::Parts(parts),
        }
    }
}

/// The messages a question goes out with: system prompt, the picked history, the question.
pub struct Plan {
    pub conversation: Option<Conversation>,
    /// The title a new conversation gets.
    pub title: String,
    pub options: Options,
    pub encoding: Encoding,
    pub parts: Vec<Part>,
    /// Earlier messages the window did not send, when there are any.
    pub left_out: Option<LeftOut>,
}

#[derive(Debug, Clone)]
pub struct Estimate {
    /// Prompt tokens each part adds, attachments included, in the order of `Plan::parts`.
    pub per_part: Vec<usize>,
    /// Tokens of each part's text alone: what is stored as a message's content tokens, to
    /// which its files and the message overhead are added whenever it is sent again.
    pub content: Vec<usize>,
    /// Their sum plus the reply priming.
    pub total: usize,
}

fn stored_part(message: &Message, encoding: Encoding) -> Part {
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
        content: message.content.clone(),
        attachments: Vec::new(),
        known_tokens,
    }
}

/// Estimated input tokens of one attached file; `None` for PDFs, which have no published formula.
pub fn attachment_tokens(
    model: &str,
    encoding: Encoding,
    attachment: &Attachment,
) -> Option<usize> {
    match attachment.kind {
        Kind::Image => {
            let low = attachment.detail == Some(Detail::Low);
            let tokens = tokens::image_tokens(model, attachment.width?, attachment.height?, low);
            usize::try_from(tokens).ok()
        }
        Kind::Text => Some(encoding.count(&attachment.as_text())),
        Kind::Pdf => None,
    }
}

/// Tokens of every part: the only place the encoder is needed before an answer arrives.
pub fn estimate(model: &str, encoding: Encoding, parts: &[Part]) -> Estimate {
    let content: Vec<usize> = parts
        .iter()
        .map(|part| {
            part.known_tokens
                .unwrap_or_else(|| encoding.count(&part.content))
        })
        .collect();
    let per_part: Vec<usize> = parts
        .iter()
        .zip(&content)
        .map(|(part, &content)| {
            let files: usize = part
                .attachments
                .iter()
                .filter_map(|a| attachment_tokens(model, encoding, a))
                .sum();
            encoding.message_tokens(part.role, content) + files
        })
        .collect();
    let total = per_part.iter().sum::<usize>() + REPLY_PRIMING;
    Estimate {
        per_part,
        content,
        total,
    }
}

/// Refuses a prompt larger than the model's context window, before anything is sent.
///
/// Every BPE token stands for at least one byte, so a prompt whose bytes fit cannot exceed
/// the window; only a prompt that might is counted, and only then is the encoder built.
pub fn check_context_window(plan: &Plan, window: Option<u64>) -> Result<()> {
    let Some(window) = window else { return Ok(()) };
    let model = plan.options.model.as_str();
    let upper: usize = plan
        .parts
        .iter()
        .map(|part| {
            let files: usize = part
                .attachments
                .iter()
                .map(|a| match a.kind {
                    Kind::Image => attachment_tokens(model, plan.encoding, a).unwrap_or(0),
                    Kind::Text | Kind::Pdf => a.bytes.len(),
                })
                .sum();
            part.content.len() + part.role.len() + tokens::PER_MESSAGE + files
        })
        .sum::<usize>()
        + REPLY_PRIMING;
    if upper as u64 <= window {
        return Ok(());
    }
    let estimate = estimate(model, plan.encoding, &plan.parts).total as u64;
    if estimate <= window {
        return Ok(());
    }
    anyhow::bail!(
        "the prompt is about {} tokens, more than {model}'s context window of {} tokens; {}. Nothing was sent",
        fmt::count(estimate),
        fmt::count(window),
        context::shorten_advice(Some(window))
    )
}

/// Fills in the files of stored messages, with the bytes `bytes` asks for; files already
/// there are replaced.
fn load_attachments(store: &mut Store, parts: &mut [Part], bytes: Bytes) -> Result<()> {
    let ids: Vec<i32> = parts.iter().filter_map(|p| p.id).collect();
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
pub struct MessageCounts(HashMap<(i32, Encoding), usize>);

/// The pre-send estimate of a recorded chat request, counted now where `tm ask` left it empty
/// (see `Counting`). What it is computed from is all stored (the messages sent, their files,
/// the system prompt), so this is the number the request would have carried. `None` for image
/// requests and for requests whose messages are gone.
pub fn recorded_estimate(
    store: &mut Store,
    request: &Request,
    messages: &HashMap<i32, &Message>,
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
        let mut part = stored_part(message, encoding);
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
    Ok(Some(estimate(&request.model, encoding, &parts).total))
}

impl Plan {
    /// A new question, typed now, in `conversation` or a new one titled `title`.
    pub fn new(
        store: &mut Store,
        conversation: Option<Conversation>,
        question: String,
        attachments: Vec<Attachment>,
        title: &str,
        options: Options,
    ) -> Result<Self> {
        let history = match &conversation {
            Some(c) => store.read(|conn| Message::history(conn, c.id))?,
            None => Vec::new(),
        };
        let question = Part::new("user", question, attachments);
        Self::with_question(store, conversation, history, question, title, options)
    }

    /// The conversation's last question again, when it failed: the same stored message
    /// with its files, nothing retyped and no second question row. An error says why when
    /// the last question did not fail.
    pub fn retry(store: &mut Store, conversation: Conversation, options: Options) -> Result<Self> {
        let mut history = store.read(|conn| Message::history(conn, conversation.id))?;
        let failed = history
            .last()
            .is_some_and(|m| m.role == Role::User && m.status == Status::Failed);
        let (Some(last), true) = (history.pop(), failed) else {
            anyhow::bail!(
                "the last question of conversation {} did not fail; there is nothing to retry",
                conversation.id
            );
        };
        let mut question = [stored_part(&last, Encoding::for_model(&options.model))];
        load_attachments(store, &mut question, Bytes::All)?;
        let [question] = question;
        let title = conversation.title.clone();
        Self::with_question(
            store,
            Some(conversation),
            history,
            question,
            &title,
            options,
        )
    }

    fn with_question(
        store: &mut Store,
        conversation: Option<Conversation>,
        history: Vec<Message>,
        question: Part,
        title: &str,
        options: Options,
    ) -> Result<Self> {
        let encoding = Encoding::for_model(&options.model);
        let mut history: Vec<Part> = history
            .iter()
            .filter(|m| m.sendable())
            .map(|m| stored_part(m, encoding))
            .collect();
        let system = options
            .system
            .clone()
            .filter(|s| !s.trim().is_empty())
            .map(|content| Part::new("system", content, Vec::new()));
        let fixed: Vec<Part> = system.iter().chain([&question]).cloned().collect();
        // Token counts are only needed (and the encoder only built) when a budget is set.
        let (candidates, fixed_tokens) = match options.context_tokens {
            Some(_) => {
                // Counting needs only text files' bytes; what is sent gets all of its own below.
                load_attachments(store, &mut history, Bytes::OfText)?;
                let counted = estimate(&options.model, encoding, &history);
                let candidates = counted
                    .per_part
                    .iter()
                    .map(|&tokens| Candidate {
                        sendable: true,
                        tokens,
                    })
                    .collect();
                (candidates, estimate(&options.model, encoding, &fixed).total)
            }
            None => (
                vec![
                    Candidate {
                        sendable: true,
                        tokens: 0
                    };
                    history.len()
                ],
                0,
            ),
        };
        let picked = context::select(
            &candidates,
            options.max_messages,
            options.context_tokens,
            fixed_tokens,
        );
        let left_out = context::left_out(
            &candidates,
            &picked,
            options.max_messages,
            options.context_tokens,
        );
        let mut parts: Vec<Part> = system.into_iter().collect();
        parts.extend(picked.into_iter().map(|index| history[index].clone()));
        load_attachments(store, &mut parts, Bytes::All)?;
        parts.push(question);
        Ok(Self {
            conversation,
            title: fmt::preview(title, 60),
            options,
            encoding,
            parts,
            left_out,
        })
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
    pub(super) fn retried(&self) -> Option<i32> {
        self.parts.last().and_then(|p| p.id)
    }
}
