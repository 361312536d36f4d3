//! One question end to end: save the question before anything is sent, stream the answer to
//! a sink, then save the answer and the request record with what it cost. Ctrl-C and
//! dropped connections keep what arrived. `tm ask` runs it once; `tm chat` runs it in a
//! loop. What goes out is the plan (`crate::context`); how it is sent, the options
//! (`options.rs`).

use std::io;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use futures_util::{FutureExt as _, StreamExt as _};

use crate::api::sse::StreamEvent;
use crate::api::types::{
    AnswerRequest, ChatRequest, Content, ContentPart, FileData, ImageUrl, InputContent,
    InputMessage, InputPart, Reasoning, ResponsesRequest, StreamOptions, Usage, WireMessage,
};
use crate::api::{self, ApiError, Client, Endpoint, Sink};
use crate::attach::{Detail, Kind as FileKind};
use crate::context::{self, LeftOut, Part, Plan};
use crate::error::Error;
use crate::money::Money;
use crate::prices::{self, ModelInfo, TokenPrices};
use crate::store::attachment;
use crate::store::request::{Kind, NewRequest, Outcome, RequestResult};
use crate::store::{
    self, Conversation, ConversationId, Message, MessageId, RequestId, Role, Status, Store,
};
use crate::tokens::{self, Encoding, Estimate, Tally, upper_bound};
use crate::ui::record::Numbers;
use crate::ui::{self, fmt};

pub mod guard;
mod options;

pub use options::{Counting, Options, model_info};

#[derive(Debug)]
pub enum End {
    Complete,
    /// Ctrl-C, SIGTERM or SIGHUP (named): what arrived was saved.
    Interrupted(&'static str),
    /// The connection broke mid-answer: what arrived was saved.
    Dropped(ApiError),
    /// The Responses API stopped the answer short (`max_output_tokens`, `content_filter`):
    /// what arrived was saved, and billed as the usage says.
    Incomplete(String),
    /// Nothing arrived; the question is marked failed and is not sent again.
    Failed(ApiError),
}

pub struct Exchange {
    pub conversation_id: ConversationId,
    pub request_id: RequestId,
    pub model: String,
    pub left_out: Option<LeftOut>,
    /// Whether any answer text arrived; a complete answer can be empty (all its tokens spent
    /// on reasoning, say), and then the finish reason tells why.
    pub answered: bool,
    pub finish_reason: Option<String>,
    /// The service tier the response named.
    pub tier: Option<String>,
    pub tally: Option<Tally>,
    /// The server reported usage tm could not believe: billed, but for how much is unknown.
    pub usage_impossible: bool,
    pub cost: Option<Money>,
    pub end: End,
    /// Writing the answer out failed (a closed pipe); the answer was still received and saved.
    pub output_error: Option<io::Error>,
}

impl Exchange {
    /// The tokens and cost to show; `None` when nothing was billed.
    pub fn numbers(&self) -> Option<Numbers> {
        match self.tally {
            Some(tally) => Some(Numbers::of_tally(&tally, self.cost)),
            None if self.usage_impossible => Some(Numbers::unknown()),
            None => None,
        }
    }

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
            End::Interrupted(_) if !self.answered => Err(Error::Interrupted(format!(
                "no answer had arrived; `tm ask --retry --conv {conversation}` sends the question again"
            ))
            .into()),
            End::Interrupted(_) => {
                Err(Error::Interrupted(format!("the partial answer was saved in conversation {conversation}")).into())
            }
            End::Dropped(err) => Err(anyhow!(err).context(format!(
                "the answer was cut off; the part that arrived was saved in conversation {conversation}, marked interrupted"
            ))),
            End::Incomplete(reason) => {
                let hint = if reason == "max_output_tokens" {
                    " (raise --max-output or lower --effort)"
                } else {
                    ""
                };
                let kept = if self.answered {
                    format!("the part that arrived was saved in conversation {conversation}, marked interrupted")
                } else {
                    "no text had arrived".to_owned()
                };
                bail!("the server stopped the answer short: {reason}{hint}; {kept}")
            }
            End::Failed(err) => Err(anyhow!(err)),
        }
    }
}

/// What was counted of one exchange: the prompt's estimate and the content tokens of the
/// question and the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counted {
    prompt: u64,
    question: u64,
    answer: u64,
    encoding: Encoding,
}

/// The numbers a finished request is recorded with: its tokens, the unit prices they were
/// charged at, and what that cost; or what was impossible about the usage the server sent.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bill {
    tally: Option<Tally>,
    prices: Option<TokenPrices>,
    cost: Option<Money>,
    impossible: Option<String>,
}

/// The most tokens tm believes one count of a request's usage can be: twice the model's
/// context window when the table knows it, and never more than a record can hold.
fn believable(model_info: Option<&ModelInfo>) -> u64 {
    let stored = u64::try_from(i32::MAX).unwrap_or(u64::MAX);
    model_info
        .and_then(|info| info.max_input_tokens)
        .map_or(stored, |window| window.saturating_mul(2).min(stored))
}

/// Turns what came back into the record's numbers: the API's usage when it reported one,
/// else the local count marked estimated. A request that failed got nothing back, so it was
/// not billed. The prices are the tier's the response named (the standard ones when it named
/// none). Without a price for the model in that tier the tokens are kept and the cost is
/// unknown.
/// Usage that cannot be true (negative, fractional, past `believable`) is neither stored
/// nor priced: the record says what the server claimed, and the cost is unknown.
fn bill(
    failed: bool,
    usage: Option<&Usage>,
    tier: Option<&str>,
    counted: Option<Counted>,
    model_info: Option<&ModelInfo>,
) -> Bill {
    let (tally, impossible) = match (usage, counted) {
        _ if failed => (None, None),
        (Some(usage), _) => match usage.tally(believable(model_info)) {
            Ok(tally) => (Some(tally), None),
            Err(claimed) => (None, Some(claimed)),
        },
        (None, Some(counted)) => (
            Some(Tally {
                prompt: counted.prompt,
                completion: counted.answer,
                estimated: true,
                ..Tally::default()
            }),
            None,
        ),
        (None, None) => (None, None),
    };
    let prices = tally.and_then(|t| model_info.and_then(|info| info.prices_for(t.prompt, tier)));
    let cost = tally.zip(prices).map(|(t, p)| prices::cost(&t, p));
    Bill {
        tally,
        prices,
        cost,
        impossible,
    }
}

/// How often a streaming answer is written to the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// The most text gathered from events already received before it is written out.
const GATHER_BYTES: usize = 64 * 1024;

#[derive(Default)]
struct Received {
    text: String,
    usage: Option<Usage>,
    tier: Option<String>,
    incomplete: Option<String>,
    first_token: Option<Duration>,
    finish_reason: Option<String>,
    output_error: Option<io::Error>,
}

/// Ctrl-C, and with `termination` the terminal closing (SIGHUP) or a polite kill (SIGTERM):
/// each ends the exchange the same way, keeping what arrived and finishing the record. A
/// signal that cannot be listened for is never waited on. Which one it was, by name.
async fn interrupted(termination: bool) -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let listen = |kind| termination.then(|| signal(kind).ok()).flatten();
    let (mut terminate, mut hang_up) = (
        listen(SignalKind::terminate()),
        listen(SignalKind::hangup()),
    );
    tokio::select! {
        Ok(()) = tokio::signal::ctrl_c() => "Ctrl-C",
        Some(()) = received(terminate.as_mut()) => "SIGTERM",
        Some(()) = received(hang_up.as_mut()) => "SIGHUP",
        else => std::future::pending().await,
    }
}

async fn received(listener: Option<&mut tokio::signal::unix::Signal>) -> Option<()> {
    match listener {
        Some(listener) => listener.recv().await,
        None => std::future::pending().await,
    }
}

impl Received {
    fn deliver(&mut self, text: &str, sink: &mut dyn Sink, started: Instant) {
        self.first_token.get_or_insert_with(|| started.elapsed());
        self.text.push_str(text);
        // A closed stdout must not lose the answer: keep receiving, report it afterwards.
        if self.output_error.is_none()
            && let Err(error) = sink.delta(text)
        {
            self.output_error = Some(error);
        }
    }
}

fn millis(duration: Duration) -> i32 {
    i32::try_from(duration.as_millis()).unwrap_or(i32::MAX)
}

fn to_i32(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The rows a question's exchange writes to; the answer's once its first text is saved.
#[derive(Debug, Clone, Copy)]
struct Rows {
    conversation: ConversationId,
    question: MessageId,
    request: RequestId,
    answer: Option<MessageId>,
}

/// A conversation's prompt cache key: the same for all its turns, and derived from a random
/// secret kept in the database, so it says nothing of the conversation, the key or the user
/// to anyone who sees it. The secret's random bytes are read once per database, the first
/// time; `None` when the system gives none.
fn cache_key(
    conn: &mut diesel::SqliteConnection,
    conversation: ConversationId,
) -> diesel::QueryResult<Option<String>> {
    let fresh = || {
        use std::io::Read as _;
        let mut bytes = [0u8; 16];
        let mut random = std::fs::File::open("/dev/urandom").ok()?;
        random.read_exact(&mut bytes).ok()?;
        Some(crate::attach::sha256_hex(&bytes))
    };
    let Some(salt) = store::settings::cache_salt(conn, fresh)? else {
        return Ok(None);
    };
    let digest = crate::attach::sha256_hex(format!("{salt}:{conversation}").as_bytes());
    Ok(Some(format!("tm-{}", &digest[..32])))
}

/// Sends the plan's question and records everything about it.
pub async fn send(
    store: &mut Store,
    client: &Client,
    plan: Plan,
    options: &Options,
    model_info: Option<&ModelInfo>,
    sink: &mut dyn Sink,
) -> Result<Exchange> {
    let (mut rows, prompt_cache_key) = record_question(store, &plan, options)?;
    let counter = Counter::start(&plan, options.counting);
    let request = request(
        &plan,
        options,
        options.endpoint(model_info),
        prompt_cache_key,
    );
    let started = Instant::now();
    let mut got = Received::default();
    let mut checkpoint = |text: &str| save_partial(store, &mut rows, text);
    let result = tokio::select! {
        result = receive(client, &request, sink, started, &mut got, &mut checkpoint) => Ok(result),
        by = interrupted(options.catch_termination) => Err(by),
    };
    let duration = started.elapsed();
    let end = match result {
        Err(by) => End::Interrupted(by),
        Ok(Ok(())) => match got.incomplete.clone() {
            Some(reason) => End::Incomplete(reason),
            None => End::Complete,
        },
        Ok(Err(error)) if got.text.is_empty() => End::Failed(error),
        Ok(Err(error)) => End::Dropped(error),
    };
    let failed = matches!(end, End::Failed(_));
    let counted = counter.finish(&plan, &got, failed)?;
    let bill = bill(
        failed,
        got.usage.as_ref(),
        got.tier.as_deref(),
        counted,
        model_info,
    );
    record_answer(store, rows, &got, &end, counted, &bill, duration)?;
    if let Some(claimed) = &bill.impossible {
        ui::warn(&format!(
            "the server reported impossible usage ({claimed}); the request is recorded without its tokens and cost"
        ));
    }
    Ok(Exchange {
        conversation_id: rows.conversation,
        request_id: rows.request,
        model: options.model.clone(),
        left_out: plan.left_out,
        answered: !got.text.is_empty(),
        finish_reason: got.finish_reason,
        tier: got.tier,
        tally: bill.tally,
        usage_impossible: bill.impossible.is_some(),
        cost: bill.cost,
        end,
        output_error: got.output_error,
    })
}

/// Refuses a prompt larger than the model's context window, before anything is sent.
///
/// Only a prompt whose upper bound passes the window is counted, and only then is the
/// encoder built.
pub fn check_context_window(plan: &Plan, window: Option<u64>) -> Result<()> {
    let Some(window) = window else { return Ok(()) };
    let model = plan.model.as_str();
    if upper_bound(model, plan.parts.iter().map(Part::counted)) as u64 <= window {
        return Ok(());
    }
    let estimate = plan.estimate().total as u64;
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

/// The question as the endpoint takes it.
fn request<'a>(
    plan: &'a Plan,
    options: &'a Options,
    endpoint: Endpoint,
    prompt_cache_key: Option<String>,
) -> AnswerRequest<'a> {
    match endpoint {
        Endpoint::Chat => AnswerRequest::Chat(ChatRequest {
            model: &options.model,
            messages: plan.parts.iter().map(wire).collect(),
            stream: options.stream,
            stream_options: options.stream.then_some(StreamOptions {
                include_usage: true,
            }),
            reasoning_effort: options.effort.as_deref(),
            max_completion_tokens: options.max_output,
            prompt_cache_key,
            service_tier: options.tier.as_deref(),
            extra: &options.extra,
        }),
        Endpoint::Responses => {
            let (system, messages): (Vec<&Part>, Vec<&Part>) =
                plan.parts.iter().partition(|part| part.role == "system");
            AnswerRequest::Responses(ResponsesRequest {
                model: &options.model,
                instructions: system.first().map(|part| part.content.as_str()),
                input: messages.into_iter().map(input).collect(),
                stream: options.stream,
                max_output_tokens: options.max_output,
                reasoning: options.effort.as_deref().map(|effort| Reasoning { effort }),
                service_tier: options.tier.as_deref(),
                store: false,
                prompt_cache_key,
                extra: &options.extra,
            })
        }
    }
}

/// A message as the Responses API takes it: plain text, or the text followed by its files.
fn input(part: &Part) -> InputMessage<'_> {
    if part.attachments.is_empty() {
        return InputMessage {
            role: part.role,
            content: InputContent::Text(&part.content),
        };
    }
    let mut parts = vec![InputPart::InputText {
        text: part.content.clone(),
    }];
    parts.extend(part.attachments.iter().map(|a| match a.kind {
        FileKind::Image => InputPart::InputImage {
            image_url: a.data_url(),
            detail: a.detail.unwrap_or(Detail::Auto).as_str(),
        },
        FileKind::Text => InputPart::InputText { text: a.as_text() },
        FileKind::Pdf => InputPart::InputFile {
            filename: a.name.clone(),
            file_data: a.data_url(),
        },
    }));
    InputMessage {
        role: part.role,
        content: InputContent::Parts(parts),
    }
}

/// A message as Chat Completions takes it: plain text, or the text followed by its files.
fn wire(part: &Part) -> WireMessage<'_> {
    if part.attachments.is_empty() {
        return WireMessage {
            role: part.role,
            content: Content::Text(&part.content),
        };
    }
    let mut parts = vec![ContentPart::Text {
        text: part.content.clone(),
    }];
    parts.extend(part.attachments.iter().map(|a| match a.kind {
        FileKind::Image => ContentPart::ImageUrl {
            image_url: ImageUrl {
                url: a.data_url(),
                detail: a.detail.unwrap_or(Detail::Auto).as_str(),
            },
        },
        FileKind::Text => ContentPart::Text { text: a.as_text() },
        FileKind::Pdf => ContentPart::File {
            file: FileData {
                filename: a.name.clone(),
                file_data: a.data_url(),
            },
        },
    }));
    WireMessage {
        role: part.role,
        content: Content::Parts(parts),
    }
}

/// Writes the question (or marks a retried one pending) and a pending request record, before
/// anything is sent, and gives the conversation's prompt cache key.
fn record_question(
    store: &mut Store,
    plan: &Plan,
    options: &Options,
) -> Result<(Rows, Option<String>)> {
    let now = store::now();
    let history_ids: Vec<MessageId> = plan.history().filter_map(|p| p.id).collect();
    store.write(|conn| {
        let conversation = match &plan.conversation {
            Some(c) => c.id,
            None => Conversation::create(conn, &fmt::preview(&plan.title, 60), &now)?.id,
        };
        let question = match plan.retried() {
            Some(id) => {
                Message::set_status(conn, id, Status::Pending)?;
                id
            }
            None => {
                let question = Message::insert(
                    conn,
                    conversation,
                    Role::User,
                    plan.question(),
                    Status::Pending,
                    &now,
                )?;
                for file in plan.parts.last().map_or(&[][..], |p| &p.attachments) {
                    attachment::insert(conn, question, file)?;
                }
                question
            }
        };
        let sent: Vec<MessageId> = history_ids.iter().copied().chain([question]).collect();
        let request = store::request::insert(
            conn,
            &NewRequest {
                conversation_id: Some(conversation),
                question_id: Some(question),
                kind: Kind::Chat,
                model: &options.model,
                sent_message_ids: serde_json::to_string(&sent).unwrap_or_default(),
                system_prompt: options.system.as_deref(),
                started_at: &now,
                outcome: Outcome::Pending,
                role: options.role.as_deref(),
                options: (!options.extra.is_empty())
                    .then(|| serde_json::to_string(&options.extra).unwrap_or_default()),
            },
        )?;
        Conversation::touch(conn, conversation, &now)?;
        let rows = Rows {
            conversation,
            question,
            request,
            answer: None,
        };
        Ok((rows, cache_key(conn, conversation)?))
    })
}

/// Counting runs beside the request, never before it, or only afterwards when the API
/// reported no usage (see `Counting`).
enum Counter {
    Beside(thread::JoinHandle<Estimate>),
    Later,
}

impl Counter {
    fn start(plan: &Plan, counting: Counting) -> Self {
        match counting {
            Counting::Always => {
                // Only what the count needs crosses to the thread, not the files' bytes.
                let (model, encoding) = (plan.model.clone(), plan.encoding);
                let parts: Vec<Part> = plan.parts.iter().map(Part::without_bytes).collect();
                Self::Beside(thread::spawn(move || {
                    tokens::estimate(&model, encoding, parts.iter().map(Part::counted))
                }))
            }
            Counting::WhenUnreported => Self::Later,
        }
    }

    fn finish(self, plan: &Plan, got: &Received, failed: bool) -> Result<Option<Counted>> {
        let estimate = match self {
            Self::Beside(thread) => thread
                .join()
                .map_err(|_| anyhow!("the token estimator failed"))?,
            Self::Later if got.usage.is_none() && !failed => plan.estimate(),
            Self::Later => return Ok(None),
        };
        let encoding = plan.encoding;
        Ok(Some(Counted {
            prompt: estimate.total as u64,
            // The text alone: the question's files are added again whenever it is re-sent.
            question: estimate.content.last().copied().unwrap_or(0) as u64,
            answer: encoding.count(&got.text) as u64,
            encoding,
        }))
    }
}

/// What has arrived is in the database within CHECKPOINT_EVERY of arriving, so a killed
/// process or a dead laptop loses at most that much of an answer.
fn save_partial(store: &mut Store, rows: &mut Rows, text: &str) {
    let saved = store.write(|conn| match rows.answer {
        Some(id) => Message::set_content(conn, id, text),
        None => {
            Message::set_status(conn, rows.question, Status::Answered)?;
            let message = Message::insert(
                conn,
                rows.conversation,
                Role::Assistant,
                text,
                Status::Interrupted,
                &store::now(),
            )?;
            rows.answer = Some(message);
            Ok(())
        }
    });
    // A checkpoint that cannot be written (a busy disk) is retried by the next one and, in
    // the end, by the final save, whose error is reported.
    drop(saved);
}

/// Saves the answer, the messages' token counts and the finished request record.
fn record_answer(
    store: &mut Store,
    rows: Rows,
    got: &Received,
    end: &End,
    counted: Option<Counted>,
    bill: &Bill,
    duration: Duration,
) -> Result<()> {
    let (outcome, answer_status, error_text) = match end {
        End::Complete => (Outcome::Ok, Status::Complete, None),
        End::Interrupted(by) => (
            Outcome::Interrupted,
            Status::Interrupted,
            Some(format!("interrupted by {by}")),
        ),
        End::Dropped(e) => (
            Outcome::Interrupted,
            Status::Interrupted,
            Some(e.to_string()),
        ),
        End::Incomplete(reason) => (
            Outcome::Interrupted,
            Status::Interrupted,
            Some(format!("the server stopped the answer short: {reason}")),
        ),
        End::Failed(e) => (Outcome::Failed, Status::Complete, Some(e.to_string())),
    };
    let finished_at = store::now();
    let answer = &got.text;
    let impossible = bill.impossible.as_ref().map(|claimed| {
        format!(
            "the server reported impossible usage ({claimed}); its tokens and cost are not counted"
        )
    });
    let saved = store.write(|conn| {
        // `tm delete` may have removed the conversation while the answer arrived: the
        // deletion stands, and only a request record it kept (`--keep-usage`) is finished,
        // so that what was billed is still counted.
        let gone = Conversation::find(conn, rows.conversation)?.is_none();
        if let Some(counted) = counted.filter(|_| !gone) {
            let encoding = counted.encoding.name();
            Message::set_tokens(conn, rows.question, to_i32(counted.question), encoding)?;
        }
        let answer_id = if gone {
            None
        } else if answer.is_empty() {
            Message::set_status(conn, rows.question, Status::Failed)?;
            None
        } else {
            Message::set_status(conn, rows.question, Status::Answered)?;
            let id = match rows.answer {
                Some(id) => {
                    Message::set_content(conn, id, answer)?;
                    Message::set_status(conn, id, answer_status)?;
                    id
                }
                None => Message::insert(
                    conn,
                    rows.conversation,
                    Role::Assistant,
                    answer,
                    answer_status,
                    &finished_at,
                )?,
            };
            if let Some(counted) = counted {
                let encoding = counted.encoding.name();
                Message::set_tokens(conn, id, to_i32(counted.answer), encoding)?;
            }
            Some(id)
        };
        let tally = bill.tally;
        store::request::finish(
            conn,
            rows.request,
            &RequestResult {
                answer_id,
                estimated_prompt_tokens: counted.map(|c| to_i32(c.prompt)),
                prompt_tokens: tally.map(|t| to_i32(t.prompt)),
                cached_tokens: tally.map(|t| to_i32(t.cached)),
                cache_write_tokens: tally.map(|t| to_i32(t.cache_write)),
                completion_tokens: tally.map(|t| to_i32(t.completion)),
                reasoning_tokens: tally.map(|t| to_i32(t.reasoning)),
                usage_estimated: tally.is_some_and(|t| t.estimated),
                service_tier: got.tier.as_deref(),
                input_price: bill.prices.map(|p| p.input),
                cached_price: bill.prices.map(|p| p.cached),
                cache_write_price: bill.prices.map(|p| p.cache_write),
                output_price: bill.prices.map(|p| p.output),
                cost: bill.cost,
                first_token_ms: got.first_token.map(millis),
                error: error_text.as_deref().or(impossible.as_deref()),
                ..RequestResult::ended(outcome, millis(duration))
            },
        )?;
        Conversation::touch(conn, rows.conversation, &finished_at)?;
        Ok(!gone)
    });
    let saved = match saved {
        Ok(saved) => saved,
        Err(error) => {
            // The answer could not be saved (a full disk, say). The record is still finished,
            // with what the last checkpoint kept, in a write small enough that it may fit
            // where the answer did not; if even that fails, the next tm finishes it.
            let (outcome, question) = match rows.answer {
                Some(_) => (Outcome::Interrupted, Status::Answered),
                None => (Outcome::Failed, Status::Failed),
            };
            let reason = error.to_string();
            drop(store.write(|conn| {
                Message::set_status(conn, rows.question, question)?;
                store::request::finish(
                    conn,
                    rows.request,
                    &RequestResult {
                        answer_id: rows.answer,
                        error: Some(&reason),
                        ..RequestResult::ended(outcome, millis(duration))
                    },
                )
            }));
            return Err(error);
        }
    };
    if !saved {
        bail!(
            "conversation {} was deleted while its answer arrived; the answer was shown but not saved",
            rows.conversation
        );
    }
    Ok(())
}

async fn receive(
    client: &Client,
    request: &AnswerRequest<'_>,
    sink: &mut dyn Sink,
    started: Instant,
    got: &mut Received,
    checkpoint: &mut dyn FnMut(&str),
) -> Result<(), ApiError> {
    if !request.stream() {
        let answer = client
            .answer(request, &mut |e, w, a| sink.retrying(e, w, a))
            .await?;
        got.deliver(&answer.text, sink, started);
        got.finish_reason = answer.finish_reason;
        got.usage = answer.usage;
        got.tier = answer.tier;
        got.incomplete = answer.incomplete;
        return Ok(());
    }
    let events = client
        .answer_stream(request, &mut |e, w, a| sink.retrying(e, w, a))
        .await?;
    take_stream(events, sink, started, got, checkpoint).await
}

/// A streamed answer into `got`, saved as it comes.
async fn take_stream(
    events: impl futures_util::Stream<Item = Result<StreamEvent, ApiError>>,
    sink: &mut dyn Sink,
    started: Instant,
    got: &mut Received,
    checkpoint: &mut dyn FnMut(&str),
) -> Result<(), ApiError> {
    let mut events = std::pin::pin!(events);
    // Text that arrived is saved at once the first time, then at most CHECKPOINT_EVERY later,
    // also when the stream stalls: the wait for the next event ends when a save is due.
    let mut saved_len = 0;
    let mut saved_at: Option<tokio::time::Instant> = None;
    // An event read while gathering text, to be handled next.
    let mut held = None;
    loop {
        let unsaved = got.text.len() > saved_len;
        let due = saved_at.map(|at| at + CHECKPOINT_EVERY);
        let next = match held.take() {
            Some(next) => next,
            None => match due.filter(|_| unsaved) {
                Some(due) => match tokio::time::timeout_at(due, events.next()).await {
                    Ok(next) => next,
                    Err(_) => {
                        checkpoint(&got.text);
                        (saved_len, saved_at) = (got.text.len(), Some(tokio::time::Instant::now()));
                        continue;
                    }
                },
                None => events.next().await,
            },
        };
        let Some(event) = next else { break };
        match event? {
            StreamEvent::Delta(mut text) => {
                // Text already received goes out together: a server that is ahead is written
                // (and rendered) in a few large pieces instead of thousands of small ones.
                while text.len() < GATHER_BYTES {
                    match events.next().now_or_never() {
                        Some(Some(Ok(StreamEvent::Delta(more)))) => text.push_str(&more),
                        Some(other) => {
                            held = Some(other);
                            break;
                        }
                        None => break,
                    }
                }
                // Refused before it is kept or shown: what is saved stays within the bound.
                if got.text.len() + text.len() > api::LARGEST_ANSWER {
                    return Err(ApiError::TooLarge(api::LARGEST_ANSWER));
                }
                got.deliver(&text, sink, started);
            }
            StreamEvent::Finish(reason) => got.finish_reason = Some(reason),
            StreamEvent::Usage(usage) => got.usage = Some(usage),
            StreamEvent::Tier(tier) => got.tier = Some(tier),
            StreamEvent::Incomplete(reason) => got.incomplete = Some(reason),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{CompletionDetails, Count, PromptDetails};
    use crate::prices::LongContext;

    fn prices(input: f64, cached: f64, output: f64) -> TokenPrices {
        TokenPrices {
            input: Money::per_token(input),
            cached: Money::per_token(cached),
            cache_write: Money::per_token(input),
            output: Money::per_token(output),
        }
    }

    /// $1.25 / $0.125 / $10 per million, doubled past 272,000 prompt tokens.
    fn model() -> ModelInfo {
        ModelInfo {
            prices: Some(prices(1.25, 0.125, 10.0)),
            long_context: Some(LongContext {
                threshold: 272_000,
                prices: prices(2.5, 0.25, 20.0),
            }),
            ..ModelInfo::default()
        }
    }

    fn usage(prompt: u64, cached: u64, completion: u64, reasoning: u64) -> Usage {
        Usage {
            prompt_tokens: Count::new(prompt),
            completion_tokens: Count::new(completion),
            prompt_tokens_details: Some(PromptDetails {
                cached_tokens: Some(Count::new(cached)),
                cache_write_tokens: None,
            }),
            completion_tokens_details: Some(CompletionDetails {
                reasoning_tokens: Some(Count::new(reasoning)),
            }),
        }
    }

    const COUNTED: Counted = Counted {
        prompt: 1_000,
        question: 12,
        answer: 400,
        encoding: Encoding::O200kBase,
    };

    #[test]
    fn reported_usage_is_billed_as_reported() {
        let bill = bill(
            false,
            Some(&usage(2_000, 500, 300, 100)),
            None,
            Some(COUNTED),
            Some(&model()),
        );
        let tally = Tally {
            prompt: 2_000,
            cached: 500,
            cache_write: 0,
            completion: 300,
            reasoning: 100,
            estimated: false,
        };
        assert_eq!(bill.tally, Some(tally));
        assert_eq!(bill.prices, Some(prices(1.25, 0.125, 10.0)));
        // 1,500 × 1.25 + 500 × 0.125 + 300 × 10 = 4,937.5 per million.
        assert_eq!(
            bill.cost.map(|c| c.to_string()),
            Some("0.0049375".to_owned())
        );
    }

    #[test]
    fn without_usage_the_local_count_is_billed_as_an_estimate() {
        let bill = bill(false, None, None, Some(COUNTED), Some(&model()));
        let tally = Tally {
            prompt: 1_000,
            completion: 400,
            estimated: true,
            ..Tally::default()
        };
        assert_eq!(bill.tally, Some(tally));
        // 1,000 × 1.25 + 400 × 10 = 5,250 per million.
        assert_eq!(bill.cost.map(|c| c.to_string()), Some("0.00525".to_owned()));
    }

    #[test]
    fn a_long_prompt_is_billed_at_the_long_context_prices() {
        let bill = bill(
            false,
            Some(&usage(272_001, 0, 0, 0)),
            None,
            None,
            Some(&model()),
        );
        assert_eq!(bill.prices, Some(prices(2.5, 0.25, 20.0)));
        // 272,001 × 2.5 per million.
        assert_eq!(
            bill.cost.map(|c| c.to_string()),
            Some("0.6800025".to_owned())
        );
    }

    #[test]
    fn a_failed_request_is_not_billed() {
        let failed = bill(
            true,
            Some(&usage(2_000, 0, 0, 0)),
            None,
            Some(COUNTED),
            Some(&model()),
        );
        let nothing = Bill {
            tally: None,
            prices: None,
            cost: None,
            impossible: None,
        };
        assert_eq!(failed, nothing);
        assert_eq!(bill(false, None, None, None, Some(&model())), nothing);
    }

    /// Usage that cannot be true is neither billed nor stored; the bill says what was
    /// claimed. The model's window is 272,000 tokens here, so 544,000 is the most believed.
    #[test]
    fn impossible_usage_is_not_billed() {
        let info = ModelInfo {
            max_input_tokens: Some(272_000),
            ..model()
        };
        let parsed = |json: &str| serde_json::from_str::<Usage>(json).expect("usage");
        for (json, claimed) in [
            (
                r#"{"prompt_tokens":18446744073709551615,"completion_tokens":3}"#,
                "18446744073709551615 prompt tokens",
            ),
            (
                r#"{"prompt_tokens":544001,"completion_tokens":3}"#,
                "544001 prompt tokens",
            ),
            (
                r#"{"prompt_tokens":8,"completion_tokens":-3}"#,
                "-3 completion tokens",
            ),
            (
                r#"{"prompt_tokens":8.5,"completion_tokens":3}"#,
                "a fractional number of prompt tokens",
            ),
            (
                r#"{"prompt_tokens":8,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":9}}"#,
                "9 cached tokens",
            ),
        ] {
            let bill = bill(false, Some(&parsed(json)), None, Some(COUNTED), Some(&info));
            assert_eq!(
                (bill.tally, bill.prices, bill.cost),
                (None, None, None),
                "{json}"
            );
            assert_eq!(bill.impossible.as_deref(), Some(claimed), "{json}");
        }
        let believed = bill(
            false,
            Some(&parsed(r#"{"prompt_tokens":544000,"completion_tokens":3}"#)),
            None,
            None,
            Some(&info),
        );
        assert_eq!(believed.tally.map(|t| t.prompt), Some(544_000));
        assert_eq!(believed.impossible, None);
    }

    /// The tier the response named decides the prices; one the model has no price for
    /// leaves the cost unknown rather than billing the standard price.
    #[test]
    fn the_named_tier_decides_the_prices() {
        let mut info = model();
        info.tiers.insert(
            "flex".to_owned(),
            prices::TierPrices {
                prices: prices(0.625, 0.0625, 5.0),
                long_context: None,
            },
        );
        let reported = usage(2_000, 500, 300, 0);
        let flex = bill(false, Some(&reported), Some("flex"), None, Some(&info));
        // 1,500 × 0.625 + 500 × 0.0625 + 300 × 5 = 2,468.75 per million.
        assert_eq!(
            flex.cost.map(|c| c.to_string()),
            Some("0.00246875".to_owned())
        );
        let standard = bill(false, Some(&reported), Some("default"), None, Some(&info));
        assert_eq!(standard.prices, Some(prices(1.25, 0.125, 10.0)));
        let priority = bill(false, Some(&reported), Some("priority"), None, Some(&info));
        assert_eq!((priority.prices, priority.cost), (None, None));
        assert_eq!(priority.tally.map(|t| t.prompt), Some(2_000));
        // Past the threshold, flex has no long-context price here: unknown too.
        let long = bill(
            false,
            Some(&usage(272_001, 0, 0, 0)),
            Some("flex"),
            None,
            Some(&info),
        );
        assert_eq!(long.cost, None);
    }

    #[test]
    fn an_unpriced_model_keeps_its_tokens_without_a_cost() {
        let bill = bill(false, Some(&usage(2_000, 0, 300, 0)), None, None, None);
        assert_eq!(
            bill.tally.map(|t| (t.prompt, t.completion)),
            Some((2_000, 300))
        );
        assert_eq!((bill.prices, bill.cost), (None, None));
    }

    struct Quiet;

    impl Sink for Quiet {
        fn delta(&mut self, _: &str) -> io::Result<()> {
            Ok(())
        }

        fn retrying(&mut self, _: &ApiError, _: Duration, _: u32) {}
    }

    /// What a killed process keeps: the first text at once, then what came within each
    /// CHECKPOINT_EVERY, also while the stream stalls. In tokio's paused time, so the
    /// schedule is exact.
    #[tokio::test(start_paused = true)]
    async fn a_stalled_stream_is_saved_a_quarter_second_later() {
        let start = tokio::time::Instant::now();
        let at = |ms: u64, event: StreamEvent| (Duration::from_millis(ms), event);
        let timeline = vec![
            at(0, StreamEvent::Delta("a".into())),
            at(100, StreamEvent::Delta("b".into())),
            at(5_000, StreamEvent::Delta("c".into())),
            at(5_010, StreamEvent::Finish("stop".into())),
            at(60_000, StreamEvent::Done),
        ];
        let events =
            futures_util::stream::unfold(timeline.into_iter(), move |mut timeline| async move {
                let (when, event) = timeline.next()?;
                tokio::time::sleep_until(start + when).await;
                Some((Ok(event), timeline))
            });
        let mut saves = Vec::new();
        let mut checkpoint =
            |text: &str| saves.push((start.elapsed().as_millis(), text.to_owned()));
        let mut got = Received::default();
        take_stream(
            events,
            &mut Quiet,
            Instant::now(),
            &mut got,
            &mut checkpoint,
        )
        .await
        .expect("a whole stream");
        let saved: Vec<(u128, &str)> = saves
            .iter()
            .map(|(ms, text)| (*ms, text.as_str()))
            .collect();
        assert_eq!(saved, [(0, "a"), (250, "ab"), (5_000, "abc")]);
        assert_eq!(got.text, "abc");
    }
}
