//! Estimates of a prompt before it is sent: each message's text and files in tokens, plus the
//! per-message and reply overheads. Also used for records that were sent without one.

use crate::attach::{Attachment, Detail, Kind};

use super::{Encoding, PER_MESSAGE, REPLY_PRIMING, image_tokens};

/// One message as the estimate sees it: its text (or the tokens already counted of it) and
/// its files.
#[derive(Debug, Clone, Copy)]
pub struct ToCount<'a> {
    pub role: &'a str,
    pub text: &'a str,
    pub known_tokens: Option<usize>,
    pub files: &'a [Attachment],
}

#[derive(Debug, Clone)]
pub struct Estimate {
    /// Prompt tokens each message adds, files included, in the order given.
    pub per_message: Vec<usize>,
    /// Tokens of each message's text alone: what is stored as a message's content tokens, to
    /// which its files and the message overhead are added whenever it is sent again.
    pub content: Vec<usize>,
    /// Their sum plus the reply priming.
    pub total: usize,
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
            let tokens = image_tokens(model, attachment.width?, attachment.height?, low);
            usize::try_from(tokens).ok()
        }
        Kind::Text => Some(encoding.count(&attachment.as_text())),
        Kind::Pdf => None,
    }
}

/// Tokens of every message: the only place the encoder is needed before an answer arrives.
pub fn estimate<'a>(
    model: &str,
    encoding: Encoding,
    messages: impl IntoIterator<Item = ToCount<'a>>,
) -> Estimate {
    let (per_message, content): (Vec<usize>, Vec<usize>) = messages
        .into_iter()
        .map(|message| {
            let content = message
                .known_tokens
                .unwrap_or_else(|| encoding.count(message.text));
            let files: usize = message
                .files
                .iter()
                .filter_map(|a| attachment_tokens(model, encoding, a))
                .sum();
            (
                encoding.message_tokens(message.role, content) + files,
                content,
            )
        })
        .unzip();
    let total = per_message.iter().sum::<usize>() + REPLY_PRIMING;
    Estimate {
        per_message,
        content,
        total,
    }
}

/// A bound the estimate never exceeds, found without the encoder: every BPE token stands for
/// at least one byte, and images are counted by their formula, which needs no encoder.
pub fn upper_bound<'a>(model: &str, messages: impl IntoIterator<Item = ToCount<'a>>) -> usize {
    messages
        .into_iter()
        .map(|message| {
            let files: usize = message
                .files
                .iter()
                .map(|a| match a.kind {
                    Kind::Image => {
                        let low = a.detail == Some(Detail::Low);
                        a.width
                            .zip(a.height)
                            .map_or(0, |(w, h)| image_tokens(model, w, h, low) as usize)
                    }
                    Kind::Text | Kind::Pdf => a.bytes.len(),
                })
                .sum();
            let text = message.known_tokens.unwrap_or(message.text.len());
            text + message.role.len() + PER_MESSAGE + files
        })
        .sum::<usize>()
        + REPLY_PRIMING
}
