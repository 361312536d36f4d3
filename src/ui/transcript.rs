//! A conversation's transcript, as text or Markdown: every message numbered, with the tokens
//! and cost of the request that sent or answered it.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::attach;
use crate::store::request::Request;
use crate::store::{MessageId, Role, Status};
use crate::transcript::Transcript;

use super::markdown::{Renderer, Terminal};
use super::{fmt, record};

/// "messages 5–8, 4 sent": the numbers of the first and last message a request sent.
pub fn sent(request: &Request, numbers: &HashMap<MessageId, usize>) -> String {
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

/// The transcript as text, or as Markdown; on a terminal (`rendered`) each message's
/// Markdown is rendered as answers are.
pub fn render(transcript: &Transcript, markdown: bool, rendered: Option<Terminal>) -> String {
    let Transcript {
        conversation,
        messages,
        requests,
        files,
        numbers,
    } = transcript;
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
            let content = match rendered {
                Some(terminal) => Renderer::render(terminal, &message.content),
                None => format!("{}\n", message.content),
            };
            let _ = write!(out, "\n#{number} {who} · {time} · {note}\n{content}");
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
