//! One question end to end: save the question before anything is sent, stream the answer to
//! a sink, then save the answer and the request record with what it cost. Ctrl-C and
//! dropped connections keep what arrived. `tm ask` runs it once; `tm chat` runs it in a
//! loop. What goes out (the plan) and its estimates are in `plan.rs`; how it is sent in
//! `options.rs`.

use std::io;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow};
use futures_util::StreamExt as _;

use crate::api::sse::StreamEvent;
use crate::api::types::{ChatRequest, StreamOptions, Usage, WireMessage};
use crate::api::{ApiError, Client, Sink};
use crate::context::LeftOut;
use crate::error::Error;
use crate::money::Money;
use crate::prices::{self, Billed, ModelInfo};
use crate::store::attachment;
use crate::store::request::{Kind, NewRequest, Outcome, RequestResult};
use crate::store::{self, Conversation, Message, Role, Status, Store};
use crate::ui;

mod options;
mod plan;

pub use options::{Counting, Options, model_info};
pub use plan::{
    MessageCounts, Part, Plan, attachment_tokens, check_context_window, estimate, recorded_estimate,
};

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
                kind: Kind::Chat.as_str(),
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
