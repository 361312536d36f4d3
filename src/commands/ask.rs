//! `tm ask`: one question, the answer streamed to stdout, one summary line on stderr.

use std::io::Read as _;

use anyhow::{Context as _, Result, anyhow};
use serde::Serialize;

use crate::app::{self, App, Opened};
use crate::attach;
use crate::cli::AskArgs;
use crate::context::Plan;
use crate::error;
use crate::exchange::guard;
use crate::exchange::{self, Counting, Exchange, Options};
use crate::money::{self, Money};
use crate::prices::{self, ModelInfo, PriceTable};
use crate::store::request::{Outcome, Request};
use crate::store::{ConversationId, Message, MessageId, RequestId, Store};
use crate::tokens;
use crate::ui::budget::{Cleared, Consent};
use crate::ui::{self, fmt, record, stream::StdoutSink, table};

pub fn run(args: AskArgs, app: &App) -> Result<()> {
    // With --retry the question is the stored one, and stdin is left alone.
    let typed = if args.retry {
        None
    } else if args.editor {
        let question = ui::editor::compose(&args.words.join(" "))?;
        if question.is_empty() {
            ui::status("nothing was sent: the question was left empty");
            return Ok(());
        }
        Some((question.clone(), question))
    } else {
        Some(read_question(&args.words)?)
    };
    // Files are read and checked before anything is opened or written.
    let attachments = args
        .attach
        .iter()
        .map(|path| {
            attach::read(path, args.detail).map(|(file, note)| {
                if let Some(note) = note {
                    ui::note(&note);
                }
                file
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let Opened {
        paths,
        mut store,
        settings,
    } = app.open()?;
    let conversation =
        store.conversation_to_continue(args.conv, args.continue_last || args.retry)?;
    let continued_model = store.continued_model(conversation.as_ref())?;
    let mut options = Options::resolve(
        &args.send,
        &settings,
        continued_model.as_deref(),
        store.role(args.send.role.as_deref())?.as_ref(),
        args.context_tokens,
        !args.no_stream,
        Counting::WhenUnreported,
    )?;
    let table = PriceTable::load(&paths.data_dir)?;
    let model_info = exchange::model_info(&table, &options.model, &settings)?;
    options.fit_effort(model_info.as_ref())?;
    options.catch_termination = true;
    let plan = match typed {
        Some((question, title)) => Plan::new(
            &mut store,
            conversation,
            question,
            attachments,
            &title,
            options.window(),
        )?,
        None => {
            let conversation =
                conversation.ok_or_else(|| anyhow!("there is no conversation to retry"))?;
            Plan::retry(&mut store, conversation, options.window())?
        }
    };
    if args.dry_run {
        return dry_run(
            &plan,
            model_info.as_ref(),
            options.tier.as_deref(),
            args.json,
        );
    }
    exchange::check_context_window(&plan, model_info.as_ref().and_then(|i| i.max_input_tokens))?;
    let client = settings.client()?;
    let limits = settings.limits()?;
    let verdict = guard::check(&mut store, &plan, &options, model_info.as_ref(), &limits)?;
    let consent = Consent::from_flag(args.send.yes);
    let spent = match ui::budget::clear(verdict, consent, &options.model, options.tier.as_deref())?
    {
        Cleared::Send(spent) => spent,
        Cleared::Declined => {
            ui::status("nothing was sent");
            return Ok(());
        }
    };
    let mut sink = if args.json {
        StdoutSink::silent()
    } else {
        StdoutSink::new(ui::markdown_terminal(
            settings.renders_markdown(args.send.raw)?,
        ))
    };
    let exchange = app::runtime()?.block_on(exchange::send(
        &mut store,
        &client,
        plan,
        &options,
        model_info.as_ref(),
        &mut sink,
    ))?;
    let finished = sink.finish();
    if args.json {
        print_record(&mut store, &exchange)?;
    }
    if !args.quiet {
        ui::status(&record::summary(
            exchange.conversation_id,
            &exchange.model,
            exchange.tier.as_deref(),
            exchange.numbers().as_ref(),
            model_info.is_some(),
        ));
        if let Some(left_out) = &exchange.left_out {
            ui::status(&fmt::left_out(left_out));
        }
    }
    ui::budget::warn_crossings(&limits, spent, exchange.cost);
    finished.context("could not write the answer to stdout (it was saved)")?;
    exchange.outcome()
}

/// `tm ask --json`: the answer and its request record, as stored.
#[derive(Serialize)]
struct Answered {
    conversation_id: ConversationId,
    request_id: RequestId,
    model: String,
    answer: String,
    finish_reason: Option<String>,
    prompt_tokens: Option<i32>,
    cached_tokens: Option<i32>,
    cache_write_tokens: Option<i32>,
    completion_tokens: Option<i32>,
    reasoning_tokens: Option<i32>,
    /// The token numbers are tm's estimates: the server reported no usage.
    usage_estimated: bool,
    /// The tier the response named; null when it named none (standard prices).
    service_tier: Option<String>,
    #[serde(serialize_with = "money::usd_per_million")]
    input_price_per_million: Option<Money>,
    #[serde(serialize_with = "money::usd_per_million")]
    cached_price_per_million: Option<Money>,
    #[serde(serialize_with = "money::usd_per_million")]
    cache_write_price_per_million: Option<Money>,
    #[serde(serialize_with = "money::usd_per_million")]
    output_price_per_million: Option<Money>,
    /// USD; null when the model has no price.
    cost: Option<Money>,
    first_token_ms: Option<i32>,
    duration_ms: Option<i32>,
    outcome: Outcome,
    error: Option<String>,
}

fn print_record(store: &mut Store, exchange: &Exchange) -> Result<()> {
    let id = exchange.request_id;
    let request = store
        .read(|conn| Request::find(conn, id))?
        .ok_or_else(|| anyhow!("request {id} was not found after it was recorded"))?;
    let answer = match request.answer_id {
        Some(answer_id) => store.read(|conn| Message::find(conn, answer_id))?.content,
        None => String::new(),
    };
    let record = Answered {
        conversation_id: exchange.conversation_id,
        request_id: request.id,
        model: request.model,
        answer,
        finish_reason: exchange.finish_reason.clone(),
        prompt_tokens: request.prompt_tokens,
        cached_tokens: request.cached_tokens,
        cache_write_tokens: request.cache_write_tokens,
        completion_tokens: request.completion_tokens,
        reasoning_tokens: request.reasoning_tokens,
        usage_estimated: request.usage_estimated,
        service_tier: request.service_tier,
        input_price_per_million: request.input_price,
        cached_price_per_million: request.cached_price,
        cache_write_price_per_million: request.cache_write_price,
        output_price_per_million: request.output_price,
        cost: request.cost,
        first_token_ms: request.first_token_ms,
        duration_ms: request.duration_ms,
        outcome: request.outcome,
        error: request.error,
    };
    ui::outln(serde_json::to_string_pretty(&record)?)?;
    Ok(())
}

/// The words, after piped stdin and a blank line when both are given; and the title a new
/// conversation gets: the words when there are any (`git diff | tm ask "review this"` is
/// better titled by its words than by its diff).
fn read_question(words: &[String]) -> Result<(String, String)> {
    let words = words.join(" ");
    let piped = if ui::stdin_is_terminal() {
        String::new()
    } else {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("could not read stdin")?;
        String::from_utf8(bytes).map_err(|e| {
            error::usage(format!(
                "stdin is not UTF-8 text (invalid byte at offset {}); pipe text, or attach files with their own option",
                e.utf8_error().valid_up_to()
            ))
        })?
    };
    let piped = piped.trim_end();
    let question_and_title = match (piped.trim().is_empty(), words.trim().is_empty()) {
        (true, true) => {
            return Err(error::usage(
                "nothing to ask: give the question as words (tm ask \"…\") or on stdin",
            ));
        }
        (true, false) => (words.clone(), words),
        (false, true) => (piped.to_owned(), piped.to_owned()),
        (false, false) => (format!("{piped}\n\n{words}"), words),
    };
    Ok(question_and_title)
}

#[derive(Serialize)]
struct DryRun<'a> {
    model: &'a str,
    conversation: Option<ConversationId>,
    messages: Vec<DryRunMessage<'a>>,
    reply_priming_tokens: usize,
    estimated_prompt_tokens: usize,
    /// The tier asked for, whose prices the estimate is at.
    service_tier: Option<&'a str>,
    #[serde(serialize_with = "money::usd_per_million")]
    input_price_per_million: Option<Money>,
    /// USD.
    estimated_input_cost: Option<Money>,
}

#[derive(Serialize)]
struct DryRunAttachment {
    name: String,
    mime: String,
    size: u64,
    /// Included in the message's tokens; null where no formula exists (PDF).
    estimated_tokens: Option<usize>,
}

#[derive(Serialize)]
struct DryRunMessage<'a> {
    /// The stored message's id; null for the system prompt and the new question.
    id: Option<MessageId>,
    role: &'a str,
    estimated_tokens: usize,
    preview: String,
    attachments: Vec<DryRunAttachment>,
}

fn dry_run(
    plan: &Plan,
    model_info: Option<&ModelInfo>,
    tier: Option<&str>,
    json: bool,
) -> Result<()> {
    let model = plan.model.as_str();
    let estimate = plan.estimate();
    let price = model_info
        .and_then(|info| info.prices_for(estimate.total as u64, tier))
        .map(|p| p.input);
    let report = DryRun {
        model,
        conversation: plan.conversation.as_ref().map(|c| c.id),
        messages: plan
            .parts
            .iter()
            .zip(&estimate.per_message)
            .map(|(part, &tokens)| DryRunMessage {
                id: part.id,
                role: part.role,
                estimated_tokens: tokens,
                preview: fmt::preview(&part.content, 60),
                attachments: part
                    .attachments
                    .iter()
                    .map(|a| DryRunAttachment {
                        name: a.name.clone(),
                        mime: a.mime.clone(),
                        size: a.size,
                        estimated_tokens: tokens::attachment_tokens(model, plan.encoding, a),
                    })
                    .collect(),
            })
            .collect(),
        reply_priming_tokens: tokens::REPLY_PRIMING,
        estimated_prompt_tokens: estimate.total,
        service_tier: tier,
        input_price_per_million: price,
        estimated_input_cost: price.map(|p| p.times(estimate.total as u64)),
    };
    if json {
        ui::outln(serde_json::to_string_pretty(&report)?)?;
        return Ok(());
    }
    let conversation = plan.conversation.as_ref().map_or_else(
        || "a new conversation".to_owned(),
        |c| format!("conversation {} ({})", c.id, c.title),
    );
    let messages = fmt::plural(report.messages.len(), "message");
    ui::outln(format_args!(
        "dry run: nothing sent. {messages} to {} in {conversation}:",
        report.model
    ))?;
    // Narrow terminals: the text shortens, then the role goes.
    let mut rows = table::new(["id", "role", "tokens", "text"], &[2]).fit(Some(3), &[1]);
    for message in &report.messages {
        let id = message
            .id
            .map_or_else(|| "new".to_owned(), |id| id.to_string());
        let id = if message.role == "system" {
            "-".to_owned()
        } else {
            id
        };
        rows.add_row([
            id,
            message.role.to_owned(),
            fmt::count(message.estimated_tokens as u64),
            message.preview.clone(),
        ]);
        for file in &message.attachments {
            let tokens = file
                .estimated_tokens
                .map_or_else(|| "?".to_owned(), |n| format!("({})", fmt::count(n as u64)));
            let text = format!(
                "+ {} ({}, {})",
                file.name,
                file.mime,
                attach::size(file.size)
            );
            rows.add_row([String::new(), String::new(), tokens, text]);
        }
    }
    rows.add_row([
        "".into(),
        "reply".into(),
        fmt::count(report.reply_priming_tokens as u64),
        "priming".into(),
    ]);
    ui::outln(table::render(&rows))?;
    let named_tier = tier.filter(|&t| !prices::is_standard_tier(Some(t)));
    let cost = match (report.estimated_input_cost, price, named_tier) {
        (Some(cost), Some(price), _) => format!(
            "{} at ${}/1M input tokens{}",
            fmt::cost(Some(cost), true),
            price.per_million(),
            named_tier.map_or_else(String::new, |t| format!(" ({t})"))
        ),
        (_, _, Some(tier)) if model_info.is_some() => {
            format!("cost unknown (the price table has no {tier} price for this model)")
        }
        _ => "cost unknown (no price for this model; see `tm prices`)".to_owned(),
    };
    ui::outln(format_args!(
        "total: ~{} prompt tokens · {cost}",
        fmt::count(report.estimated_prompt_tokens as u64)
    ))?;
    if let Some(left_out) = &plan.left_out {
        ui::status(&fmt::left_out(left_out));
    }
    Ok(())
}
