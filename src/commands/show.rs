//! `tm show ID`: the transcript with the tokens of every message, or one row per exchange
//! (`--tokens`), Markdown or JSON. Estimated numbers carry `~`.

use std::collections::HashMap;

use anyhow::{Result, anyhow};
use serde::Serialize;

use crate::app::{App, Opened};
use crate::cli::ShowArgs;
use crate::store::request::Request;
use crate::store::{Conversation, Message, MessageId, Role};
use crate::transcript::{self, File};
use crate::ui::{self, fmt, record, table};

#[derive(Serialize)]
struct Numbered<'a> {
    /// Position in the conversation, from 1; what "messages 5–8" counts.
    number: usize,
    #[serde(flatten)]
    message: &'a Message,
    attachments: &'a [File],
}

#[derive(Serialize)]
struct Json<'a> {
    conversation: &'a Conversation,
    messages: Vec<Numbered<'a>>,
    requests: &'a [Request],
}

pub fn run(args: &ShowArgs, app: &App) -> Result<()> {
    let Opened {
        mut store,
        settings,
        ..
    } = app.open()?;
    let transcript = transcript::load(&mut store, args.id, args.tokens)?;
    let text = if args.last_answer {
        let answer = transcript
            .messages
            .iter()
            .rev()
            .find(|m| m.role == Role::Assistant)
            .ok_or_else(|| anyhow!("conversation {} has no answer yet", args.id))?;
        // As the model wrote it, with the one line break a terminal needs at the end.
        answer
            .content
            .strip_suffix('\n')
            .unwrap_or(&answer.content)
            .to_owned()
    } else if args.json {
        let messages = transcript
            .messages
            .iter()
            .map(|m| Numbered {
                number: transcript.numbers[&m.id],
                message: m,
                attachments: transcript.files.get(&m.id).map_or(&[][..], Vec::as_slice),
            })
            .collect();
        serde_json::to_string_pretty(&Json {
            conversation: &transcript.conversation,
            messages,
            requests: &transcript.requests,
        })?
    } else if args.tokens {
        exchanges(&transcript.requests, &transcript.numbers)
    } else {
        let rendered = (!args.markdown)
            .then(|| settings.renders_markdown(args.raw))
            .transpose()?
            .and_then(ui::markdown_terminal);
        ui::transcript::render(&transcript, args.markdown, rendered)
    };
    ui::outln(text)?;
    Ok(())
}

fn exchanges(requests: &[Request], numbers: &HashMap<MessageId, usize>) -> String {
    let mut out = table::new(
        [
            "#",
            "sent",
            "model",
            "prompt",
            "cached",
            "written",
            "completion",
            "reasoning",
            "estimate",
            "cost",
            "time",
            "first token",
        ],
        &[0, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    )
    // Narrow terminals: first token, time, estimate, cache writes, reasoning, cached, sent
    // and model go; the number, prompt, completion and cost stay.
    .fit(None, &[11, 10, 8, 5, 7, 4, 1, 2]);
    // A request is numbered by its question's place in the conversation.
    let number_of = |request: &Request| {
        request
            .question_id
            .and_then(|q| numbers.get(&q))
            .map_or_else(String::new, ToString::to_string)
    };
    for request in requests {
        let number = number_of(request);
        let model = record::model_and_tier(&request.model, request.service_tier.as_deref());
        let timing = [request.duration_ms, request.first_token_ms]
            .map(|ms| ms.map_or_else(String::new, |ms| fmt::duration_ms(ms.into())));
        out.add_row(
            [number, ui::transcript::sent(request, numbers), model]
                .into_iter()
                .chain(record::table_cells(request))
                .chain(timing),
        );
    }
    let mut text = table::render(&out);
    // What shaped a request besides its messages, under the table: rarely there, and too
    // long for a column.
    for request in requests {
        if let Some(shaped) = record::shaped_by(request) {
            text.push_str(&format!("\n#{} {shaped}", number_of(request)));
        }
    }
    text
}
