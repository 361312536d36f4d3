//! `tm show ID`: the transcript with the tokens of every message, or one row per exchange
//! (`--tokens`), Markdown or JSON. Estimated numbers carry `~`.

use std::collections::HashMap;
use std::fmt::Write as _;

use anyhow::{Result, anyhow};
use serde::Serialize;

use crate::app::{App, Opened};
use crate::attach;
use crate::cli::ShowArgs;
use crate::context;
use crate::store::attachment;
use crate::store::request::Request;
use crate::store::{Conversation, Message, MessageId, Role, Status, Store};
use crate::tokens::{self, Encoding};
use crate::ui::{self, fmt, record, table};

#[derive(Serialize)]
struct Numbered<'a> {
    /// Position in the conversation, from 1; what "messages 5–8" counts.
    number: usize,
    #[serde(flatten)]
    message: &'a Message,
    attachments: &'a [File],
}

/// An attachment as listed: its tokens estimated for the model its question went to.
#[derive(Serialize)]
struct File {
    name: String,
    mime: String,
    size: u64,
    width: Option<u32>,
    height: Option<u32>,
    estimated_tokens: Option<usize>,
}

type Files = HashMap<MessageId, Vec<File>>;

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

#[derive(Serialize)]
struct Transcript<'a> {
    conversation: &'a Conversation,
    messages: Vec<Numbered<'a>>,
    requests: &'a [Request],
}

pub fn run(args: &ShowArgs, app: &App) -> Result<()> {
    let Opened { mut store, .. } = app.open()?;
    let id = args.id;
    let conversation = store
        .read(|conn| Conversation::find(conn, id))?
        .ok_or_else(|| anyhow!("there is no conversation {id}; `tm list` shows the ids"))?;
    let messages = store.read(|conn| Message::history(conn, id))?;
    let mut requests = store.read(|conn| Request::of_conversation(conn, id))?;
    if args.tokens {
        // `tm ask` does not build the encoder; the view that shows estimates counts them now.
        let by_id: HashMap<MessageId, &Message> = messages.iter().map(|m| (m.id, m)).collect();
        let mut counted = context::MessageCounts::default();
        for request in &mut requests {
            let estimate = context::recorded_estimate(&mut store, request, &by_id, &mut counted)?;
            request.estimated_prompt_tokens = estimate.and_then(|n| i32::try_from(n).ok());
        }
    }
    let files = files(&mut store, &messages, &requests)?;
    let numbers: HashMap<MessageId, usize> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id, i + 1))
        .collect();
    let text = if args.json {
        let messages = messages
            .iter()
            .map(|m| Numbered {
                number: numbers[&m.id],
                message: m,
                attachments: files.get(&m.id).map_or(&[][..], Vec::as_slice),
            })
            .collect();
        serde_json::to_string_pretty(&Transcript {
            conversation: &conversation,
            messages,
            requests: &requests,
        })?
    } else if args.tokens {
        exchanges(&requests, &numbers)
    } else {
        transcript(
            &conversation,
            &messages,
            &requests,
            &numbers,
            &files,
            args.markdown,
        )
    };
    ui::outln(text)?;
    Ok(())
}

/// "messages 5–8, 4 sent": the numbers of the first and last message a request sent.
fn sent(request: &Request, numbers: &HashMap<MessageId, usize>) -> String {
    let sent: Vec<usize> = request
        .sent_ids()
        .iter()
        .filter_map(|id| numbers.get(id).copied())
        .collect();
    match (sent.first(), sent.last()) {
        (Some(first), Some(last)) if first == last => format!("{first}, 1 sent"),
        (Some(first), Some(last)) => format!("{first}–{last}, {} sent", sent.len()),
        _ => "none".to_owned(),
    }
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
    for request in requests {
        let number = request
            .question_id
            .and_then(|q| numbers.get(&q))
            .map_or_else(String::new, ToString::to_string);
        let model = record::model_and_tier(&request.model, request.service_tier.as_deref());
        let timing = [request.duration_ms, request.first_token_ms]
            .map(|ms| ms.map_or_else(String::new, |ms| fmt::duration_ms(ms.into())));
        out.add_row(
            [number, sent(request, numbers), model]
                .into_iter()
                .chain(record::table_cells(request))
                .chain(timing),
        );
    }
    table::render(&out)
}

fn transcript(
    conversation: &Conversation,
    messages: &[Message],
    requests: &[Request],
    numbers: &HashMap<MessageId, usize>,
    files: &Files,
    markdown: bool,
) -> String {
    let asked: HashMap<MessageId, &Request> = requests
        .iter()
        .filter_map(|r| Some((r.question_id?, r)))
        .collect();
    let answered: HashMap<MessageId, &Request> = requests
        .iter()
        .filter_map(|r| Some((r.answer_id?, r)))
        .collect();
    let mut out = String::new();
    let (started, last) = (
        fmt::local_time(&conversation.created_at),
        fmt::local_time(&conversation.updated_at),
    );
    if markdown {
        let _ = writeln!(
            out,
            "# {}\n\n_conversation {} · {started} – {last}_",
            conversation.title, conversation.id
        );
    } else {
        let _ = writeln!(
            out,
            "conversation {} · {} · {started} – {last}",
            conversation.id, conversation.title
        );
    }
    for message in messages {
        let number = numbers[&message.id];
        let (who, note) = if message.role == Role::User {
            ("you".to_owned(), {
                let request = asked.get(&message.id).copied();
                let sent = request.map(|r| sent(r, numbers)).unwrap_or_default();
                record::question_note(request, &sent)
            })
        } else {
            let request = answered.get(&message.id).copied();
            let model = request.map_or_else(|| "assistant".to_owned(), |r| r.model.clone());
            (
                model,
                record::answer_note(message.status == Status::Interrupted, request),
            )
        };
        let time = fmt::local_time(&message.created_at);
        if markdown {
            let _ = write!(
                out,
                "\n**#{number} {who}** · {time} · {note}\n\n{}\n",
                message.content
            );
        } else {
            let _ = write!(
                out,
                "\n#{number} {who} · {time} · {note}\n{}\n",
                message.content
            );
        }
        for file in files.get(&message.id).into_iter().flatten() {
            let tokens = file.estimated_tokens.map_or_else(
                || "tokens unknown".to_owned(),
                |n| format!("~{} tokens", fmt::count(n as u64)),
            );
            let _ = writeln!(
                out,
                "+ {} · {} · {} · {tokens}",
                file.name,
                file.mime,
                attach::size(file.size)
            );
        }
    }
    out.trim_end().to_owned()
}
