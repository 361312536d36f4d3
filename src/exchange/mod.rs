//! One question end to end: pick the context, save the question before anything is sent,
//! stream the answer to a sink, then save the answer and the request record with what it
//! cost. Ctrl-C and dropped connections keep what arrived. `tm ask` runs it once; `tm chat`
//! will run it in a loop.

use std::collections::HashMap;
use std::io;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow};
use futures_util::StreamExt as _;

use crate::api::sse::StreamEvent;
use crate::api::types::{
    ChatRequest, Content, ContentPart, FileData, ImageUrl, StreamOptions, Usage, WireMessage,
};
use crate::api::{ApiError, Client, Sink};
use crate::attach::{Attachment, Detail, Kind};
use crate::context::{self, Candidate, LeftOut};
use crate::error::Error;
use crate::money::Money;
use crate::prices::{self, Billed, ModelInfo};
use crate::store::attachment::{self, Bytes};
use crate::store::request::{NewRequest, Outcome, Request, RequestResult};
use crate::store::{self, Conversation, Message, Role, Status, Store};
use crate::tokens::{self, Encoding, REPLY_PRIMING};
use crate::ui::{self, fmt};

mod options;

pub use options::{Counting, Options, model_info};

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
    fn without_bytes(&self) -> Self {
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
    fn wire(&self) -> WireMessage<'_> {
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
    let role = if message.role == Role::Assistant.as_str() {
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

/// Fills in the files of stored messages.
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
    if request.kind != "chat" {
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
            .is_some_and(|m| m.role == Role::User.as_str() && m.status == Status::Failed.as_str());
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
    fn retried(&self) -> Option<i32> {
        self.parts.last().and_then(|p| p.id)
    }
}

/// Tokens of a finished request: from the API's usage, or estimated when it reported none.
#[derive(Debug, Clone, Copy)]
pub struct Tally {
    pub prompt: u64,
    pub cached: u64,
    pub completion: u64,
    pub reasoning: u64,
    pub estimated: bool,
}

#[derive(Debug)]
pub enum End {
    Complete,
    /// Ctrl-C: what arrived was saved.
    Interrupted,
    /// The connection broke mid-answer: what arrived was saved.
    Dropped(ApiError),
    /// Nothing arrived; the question is marked failed and is not sent again.
    Failed(ApiError),
}

pub struct Exchange {
    pub conversation_id: i32,
    pub request_id: i32,
    pub model: String,
    pub left_out: Option<LeftOut>,
    /// Whether any answer text arrived; a complete answer can be empty (all its tokens spent
    /// on reasoning, say), and then the finish reason tells why.
    pub answered: bool,
    pub finish_reason: Option<String>,
    pub tally: Option<Tally>,
    pub cost: Option<Money>,
    pub end: End,
    /// Writing the answer out failed (a closed pipe); the answer was still received and saved.
    pub output_error: Option<io::Error>,
}

impl Exchange {
    /// How the exchange ended, as a result: an error for an answer that did not complete (what
    /// arrived was saved), a warning for a complete answer without text.
    pub fn outcome(self) -> Result<()> {
        if let Some(err) = self.output_error {
            return Err(err).context("could not write the answer to stdout (it was saved)");
        }
        let conversation = self.conversation_id;
        match self.end {
            End::Complete if !self.answered => {
                let reason = self.finish_reason.as_deref().unwrap_or("none given");
                let hint = if reason == "length" {
                    "; the output limit was used up before any text (raise --max-output or lower --effort)"
                } else {
                    ""
                };
                ui::warn(&format!("the model sent no text (finish reason: {reason}){hint}"));
                Ok(())
            }
            End::Complete => Ok(()),
            End::Interrupted if !self.answered => Err(Error::Interrupted(format!(
                "no answer had arrived; `tm ask --retry --conv {conversation}` sends the question again"
            ))
            .into()),
            End::Interrupted => {
                Err(Error::Interrupted(format!("the partial answer was saved in conversation {conversation}")).into())
            }
            End::Dropped(err) => Err(anyhow!(err).context(format!(
                "the answer was cut off; the part that arrived was saved in conversation {conversation}, marked interrupted"
            ))),
            End::Failed(err) => Err(anyhow!(err)),
        }
    }
}

/// What was counted of one exchange: the prompt's estimate and the content tokens of the
/// question and the answer.
#[derive(Debug, Clone, Copy)]
struct CountedExchange {
    prompt: usize,
    question: usize,
    answer: usize,
}

/// How often a streaming answer is written to the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

#[derive(Default)]
struct Received {
    text: String,
    usage: Option<Usage>,
    first_token: Option<Duration>,
    finish_reason: Option<String>,
    output_error: Option<io::Error>,
}

fn millis(duration: Duration) -> i32 {
    i32::try_from(duration.as_millis()).unwrap_or(i32::MAX)
}

fn to_i32(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Sends the plan's question and records everything about it.
pub async fn send(
    store: &mut Store,
    client: &Client,
    plan: Plan,
    model_info: Option<&ModelInfo>,
    sink: &mut dyn Sink,
) -> Result<Exchange> {
    let options = &plan.options;
    let now = store::now();
    let question_text = plan.question().to_owned();
    let history_ids: Vec<i32> = plan.history().filter_map(|p| p.id).collect();
    let (conversation_id, question_id, request_id) = store.write(|conn| {
        let conversation_id = match &plan.conversation {
            Some(c) => c.id,
            None => Conversation::create(conn, &plan.title, &now)?.id,
        };
        let question_id = match plan.retried() {
            Some(id) => {
                Message::set_status(conn, id, Status::Pending)?;
                id
            }
            None => {
                let question = Message::insert(
                    conn,
                    conversation_id,
                    Role::User,
                    &question_text,
                    Status::Pending,
                    &now,
                )?;
                for file in plan.parts.last().map_or(&[][..], |p| &p.attachments) {
                    attachment::insert(conn, question.id, file)?;
                }
                question.id
            }
        };
        let sent: Vec<i32> = history_ids.iter().copied().chain([question_id]).collect();
        let request_id = store::request::insert(
            conn,
            &NewRequest {
                conversation_id: Some(conversation_id),
                question_id: Some(question_id),
                kind: "chat",
                model: &options.model,
                sent_message_ids: serde_json::to_string(&sent).unwrap_or_default(),
                system_prompt: options.system.as_deref(),
                started_at: &now,
                outcome: Outcome::Pending.as_str(),
            },
        )?;
        Conversation::touch(conn, conversation_id, &now)?;
        Ok((conversation_id, question_id, request_id))
    })?;

    // Counting runs beside the request, never before it. Only what the count needs crosses
    // to the thread, not the files' bytes.
    let encoding = plan.encoding;
    let count = {
        let model = options.model.clone();
        let parts: Vec<Part> = plan.parts.iter().map(Part::without_bytes).collect();
        move || estimate(&model, encoding, &parts)
    };
    let estimator = match options.counting {
        Counting::Always => Ok(thread::spawn(count)),
        Counting::WhenUnreported => Err(count),
    };

    let wire: Vec<WireMessage<'_>> = plan.parts.iter().map(Part::wire).collect();
    let request = ChatRequest {
        model: &options.model,
        messages: wire,
        stream: options.stream,
        stream_options: options.stream.then_some(StreamOptions {
            include_usage: true,
        }),
        reasoning_effort: options.effort.as_deref(),
        max_completion_tokens: options.max_output,
    };
    let started = Instant::now();
    let mut got = Received::default();
    // What has arrived is in the database within CHECKPOINT_EVERY of arriving, so a killed
    // process or a dead laptop loses at most that much of an answer.
    let mut answer_id: Option<i32> = None;
    let mut checkpoint = |text: &str| {
        let saved = store.write(|conn| match answer_id {
            Some(id) => Message::set_content(conn, id, text),
            None => {
                Message::set_status(conn, question_id, Status::Answered)?;
                let now = store::now();
                let message = Message::insert(
                    conn,
                    conversation_id,
                    Role::Assistant,
                    text,
                    Status::Interrupted,
                    &now,
                )?;
                answer_id = Some(message.id);
                Ok(())
            }
        });
        // A checkpoint that cannot be written (a busy disk) is retried by the next one and,
        // in the end, by the final save, whose error is reported.
        drop(saved);
    };
    let result = tokio::select! {
        result = receive(client, &request, sink, started, &mut got, &mut checkpoint) => Some(result),
        Ok(()) = tokio::signal::ctrl_c() => None,
    };
    let duration = started.elapsed();
    let end = match result {
        None => End::Interrupted,
        Some(Ok(())) => End::Complete,
        Some(Err(error)) if got.text.is_empty() => End::Failed(error),
        Some(Err(error)) => End::Dropped(error),
    };

    let estimate = match estimator {
        Ok(thread) => Some(
            thread
                .join()
                .map_err(|_| anyhow!("the token estimator failed"))?,
        ),
        Err(count) if got.usage.is_none() && !matches!(end, End::Failed(_)) => Some(count()),
        Err(_) => None,
    };
    let counted = estimate.map(|estimate| CountedExchange {
        prompt: estimate.total,
        // The text alone: the question's files are added again whenever it is re-sent.
        question: estimate.content.last().copied().unwrap_or(0),
        answer: encoding.count(&got.text),
    });
    let tally = match (got.usage, counted) {
        // Nothing came back, so nothing was billed: the estimate stays on the record as the
        // pre-send estimate only.
        _ if matches!(end, End::Failed(_)) => None,
        (Some(usage), _) => Some(Tally {
            prompt: usage.prompt_tokens,
            cached: usage.cached(),
            completion: usage.completion_tokens,
            reasoning: usage.reasoning(),
            estimated: false,
        }),
        (None, Some(counted)) => Some(Tally {
            prompt: counted.prompt as u64,
            cached: 0,
            completion: counted.answer as u64,
            reasoning: 0,
            estimated: true,
        }),
        (None, None) => None,
    };
    let unit_prices = tally.and_then(|t| model_info.and_then(|info| info.prices_for(t.prompt)));
    let cost = tally.zip(unit_prices).map(|(t, p)| {
        prices::cost(
            Billed {
                prompt: t.prompt,
                cached: t.cached,
                completion: t.completion,
            },
            p,
        )
    });
    let (outcome, answer_status, error_text) = match &end {
        End::Complete => (Outcome::Ok, Status::Complete, None),
        End::Interrupted => (
            Outcome::Interrupted,
            Status::Interrupted,
            Some("interrupted by Ctrl-C".to_owned()),
        ),
        End::Dropped(e) => (
            Outcome::Interrupted,
            Status::Interrupted,
            Some(e.to_string()),
        ),
        End::Failed(e) => (Outcome::Failed, Status::Complete, Some(e.to_string())),
    };
    let finished_at = store::now();
    let answer = got.text;
    store.write(|conn| {
        if let Some(counted) = counted {
            Message::set_tokens(
                conn,
                question_id,
                to_i32(counted.question as u64),
                encoding.name(),
            )?;
        }
        let answer_id = if answer.is_empty() {
            Message::set_status(conn, question_id, Status::Failed)?;
            None
        } else {
            Message::set_status(conn, question_id, Status::Answered)?;
            let message = match answer_id {
                Some(id) => {
                    Message::set_content(conn, id, &answer)?;
                    Message::set_status(conn, id, answer_status)?;
                    Message::find(conn, id)?
                }
                None => Message::insert(
                    conn,
                    conversation_id,
                    Role::Assistant,
                    &answer,
                    answer_status,
                    &finished_at,
                )?,
            };
            if let Some(counted) = counted {
                Message::set_tokens(
                    conn,
                    message.id,
                    to_i32(counted.answer as u64),
                    encoding.name(),
                )?;
            }
            Some(message.id)
        };
        store::request::finish(
            conn,
            request_id,
            &RequestResult {
                answer_id,
                estimated_prompt_tokens: counted.map(|c| to_i32(c.prompt as u64)),
                prompt_tokens: tally.map(|t| to_i32(t.prompt)),
                cached_tokens: tally.map(|t| to_i32(t.cached)),
                completion_tokens: tally.map(|t| to_i32(t.completion)),
                reasoning_tokens: tally.map(|t| to_i32(t.reasoning)),
                usage_estimated: tally.is_some_and(|t| t.estimated),
                input_price: unit_prices.map(|p| p.input),
                cached_price: unit_prices.map(|p| p.cached),
                output_price: unit_prices.map(|p| p.output),
                cost,
                first_token_ms: got.first_token.map(millis),
                error: error_text.as_deref(),
                ..RequestResult::ended(outcome, millis(duration))
            },
        )?;
        Conversation::touch(conn, conversation_id, &finished_at)
    })?;
    Ok(Exchange {
        conversation_id,
        request_id,
        model: options.model.clone(),
        left_out: plan.left_out,
        answered: !answer.is_empty(),
        finish_reason: got.finish_reason,
        tally,
        cost,
        end,
        output_error: got.output_error,
    })
}

async fn receive(
    client: &Client,
    request: &ChatRequest<'_>,
    sink: &mut dyn Sink,
    started: Instant,
    got: &mut Received,
    checkpoint: &mut dyn FnMut(&str),
) -> Result<(), ApiError> {
    let deliver = |got: &mut Received, text: &str, sink: &mut dyn Sink| {
        got.first_token.get_or_insert_with(|| started.elapsed());
        got.text.push_str(text);
        // A closed stdout must not lose the answer: keep receiving, report it afterwards.
        if got.output_error.is_none()
            && let Err(error) = sink.delta(text)
        {
            got.output_error = Some(error);
        }
    };
    if !request.stream {
        let response = client
            .chat(request, &mut |e, w, a| sink.retrying(e, w, a))
            .await?;
        let choice = response
            .choices
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::Malformed("the response has no choices".into()))?;
        deliver(got, &choice.message.content.unwrap_or_default(), sink);
        got.finish_reason = choice.finish_reason;
        got.usage = response.usage;
        return Ok(());
    }
    let events = client
        .chat_stream(request, &mut |e, w, a| sink.retrying(e, w, a))
        .await?;
    let mut events = std::pin::pin!(events);
    // Text that arrived is saved at once the first time, then at most CHECKPOINT_EVERY later,
    // also when the stream stalls: the wait for the next event ends when a save is due.
    let mut saved_len = 0;
    let mut saved_at: Option<tokio::time::Instant> = None;
    loop {
        let unsaved = got.text.len() > saved_len;
        let due = saved_at.map(|at| at + CHECKPOINT_EVERY);
        let next = match due.filter(|_| unsaved) {
            Some(due) => match tokio::time::timeout_at(due, events.next()).await {
                Ok(next) => next,
                Err(_) => {
                    checkpoint(&got.text);
                    (saved_len, saved_at) = (got.text.len(), Some(tokio::time::Instant::now()));
                    continue;
                }
            },
            None => events.next().await,
        };
        let Some(event) = next else { break };
        match event? {
            StreamEvent::Delta(text) => deliver(got, &text, sink),
            StreamEvent::Finish(reason) => got.finish_reason = Some(reason),
            StreamEvent::Usage(usage) => got.usage = Some(usage),
            StreamEvent::Done => return Ok(()),
        }
        if got.text.len() > saved_len && saved_at.is_none_or(|at| at.elapsed() >= CHECKPOINT_EVERY)
        {
            checkpoint(&got.text);
            (saved_len, saved_at) = (got.text.len(), Some(tokio::time::Instant::now()));
        }
    }
    // Some servers end without [DONE]; a finish_reason still says the answer is whole.
    if got.finish_reason.is_some() {
        Ok(())
    } else {
        Err(ApiError::Dropped(
            "the stream ended before the answer was complete".into(),
        ))
    }
}
