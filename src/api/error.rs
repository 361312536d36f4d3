//! What can go wrong talking to the API, one variant per case the caller treats differently,
//! each with a message that says what to do. Messages from the server are scrubbed of the key.

use std::time::Duration;

use reqwest::StatusCode;

use super::types::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(
        "the server rejected the API key ({message}); set a valid one with `tm config set api-key` or OPENAI_API_KEY"
    )]
    Unauthorized { message: String },
    #[error(
        "the server refused access ({message}); check that the key's project may use this model and endpoint"
    )]
    Forbidden { message: String },
    #[error(
        "the model '{model}' does not exist or this key may not use it ({message}); pick another with -m or `tm config set model`"
    )]
    ModelNotFound { model: String, message: String },
    #[error(
        "the account's quota is used up ({message}); add credit or raise the limit in the provider's billing settings, then try again"
    )]
    QuotaExceeded { message: String },
    #[error("rate limited by the server ({message}); wait a little and try again")]
    RateLimited {
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("the server refused the request as invalid ({message})")]
    BadRequest { message: String },
    #[error(
        "the prompt is longer than the model's context window ({message}); {}",
        crate::context::shorten_advice(None)
    )]
    ContextTooLong { message: String },
    #[error("the server failed with HTTP {status} ({message}); try again later")]
    Server {
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("the server answered HTTP {status} ({message})")]
    Status { status: u16, message: String },
    #[error(
        "the server answered HTTP {status} with an HTML page ({content_type}), not an answer: {start}; check the base-url setting"
    )]
    Html {
        status: u16,
        content_type: String,
        start: String,
    },
    #[error(
        "the server redirected the request (HTTP {status}) to {to}, another address; tm does not send a conversation on to where a server points (check the base-url setting)"
    )]
    Redirected { status: u16, to: String },
    #[error("could not reach {url}: {reason}; check the network and the base-url setting")]
    Connect { url: String, reason: String },
    #[error(
        "the server sent nothing for {0:?}; it may be overloaded (the timeout setting sets how long to wait)"
    )]
    Timeout(Duration),
    #[error(
        "the server sent only keep-alive comments for {0:?}, with no part of an answer; it may be stuck (ten times the timeout setting is the most tm waits)"
    )]
    OnlyKeepAlive(Duration),
    #[error("the connection broke before the answer was complete ({0})")]
    Dropped(String),
    #[error("the server sent data tm cannot read: {0}")]
    Malformed(String),
    #[error(
        "the answer passed {} MB, the most tm takes from one request",
        .0 / (1024 * 1024)
    )]
    TooLarge(usize),
}

impl ApiError {
    /// Builds the error for a non-success status from its body; `key` is scrubbed from any text
    /// the server echoes back.
    pub fn from_status(
        status: StatusCode,
        body: &str,
        model: &str,
        key: &str,
        retry_after: Option<Duration>,
    ) -> Self {
        let parsed: Option<ErrorBody> = serde_json::from_str(body).ok();
        let code = parsed.as_ref().and_then(|b| b.error.code());
        let kind = parsed.as_ref().and_then(|b| b.error.kind.clone());
        let message = match parsed {
            Some(body) => scrub(&body.error.message, key),
            None => summarize_body(body, key),
        };
        let is = |name: &str| code.as_deref() == Some(name) || kind.as_deref() == Some(name);
        match status.as_u16() {
            401 => Self::Unauthorized { message },
            403 => Self::Forbidden { message },
            404 if is("model_not_found") || (!model.is_empty() && message.contains(model)) => {
                Self::ModelNotFound {
                    model: model.to_owned(),
                    message,
                }
            }
            429 if is("insufficient_quota") => Self::QuotaExceeded { message },
            429 => Self::RateLimited {
                message,
                retry_after,
            },
            400 if is("context_length_exceeded") => Self::ContextTooLong { message },
            400 | 422 => Self::BadRequest { message },
            500..=599 => Self::Server {
                status: status.as_u16(),
                message,
                retry_after,
            },
            other => Self::Status {
                status: other,
                message,
            },
        }
    }
}

/// A non-JSON body (an HTML 502 page, say) shown as its first line, kept short.
pub(super) fn summarize_body(body: &str, key: &str) -> String {
    let line = body
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("empty body");
    excerpt(line, key, 200)
}

/// Text a server sent, as tm shows and stores it: the key masked wherever the server echoed
/// it. Every path that shows or stores what a server sent goes through here or `excerpt`.
pub fn scrub(text: &str, key: &str) -> String {
    excerpt(text, key, usize::MAX)
}

/// At most `chars` characters of a server's text, with `…` when cut, and the key masked
/// wherever it starts within them, also when the cut falls inside it. Only what is shown is
/// looked at, however long the text.
pub fn excerpt(text: &str, key: &str, chars: usize) -> String {
    // A key too short to be one would mask ordinary words.
    let mask = (key.len() >= 8).then(|| mask_key(key));
    let mut out = String::new();
    let mut shown = 0;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if shown >= chars {
            out.push('…');
            break;
        }
        match &mask {
            Some(mask) if rest.starts_with(key) => {
                out.push_str(mask);
                shown += mask.chars().count();
                rest = &rest[key.len()..];
            }
            _ => {
                out.push(c);
                shown += 1;
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// `sk-…abcd`: enough to tell keys apart, never enough to use one.
pub fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return "…".to_owned();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_never_shows_the_middle() {
        assert_eq!(mask_key("sk-proj-0123456789abcd"), "sk-…abcd");
        assert_eq!(mask_key("short"), "…");
    }

    const KEY: &str = "sk-test-0123456789abcdef";

    #[test]
    fn excerpts_mask_the_key_wherever_it_starts() {
        // Cut inside the key: masked whole, not shown in part.
        let text = format!("{}{KEY}", "x".repeat(10));
        assert_eq!(
            excerpt(&text, KEY, 12),
            format!("{}sk-…cdef", "x".repeat(10))
        );
        // Masks make room for more text, which may hold the key again.
        let text = format!("{KEY} {KEY} {KEY} {KEY} tail");
        assert_eq!(
            excerpt(&text, KEY, 30),
            "sk-…cdef sk-…cdef sk-…cdef sk-…cdef…"
        );
        assert_eq!(excerpt("short", KEY, 80), "short");
        assert_eq!(excerpt("abcdef", KEY, 3), "abc…");
        // A key too short to be one is not looked for.
        assert_eq!(scrub("a b c", "b"), "a b c");
    }

    #[test]
    fn real_error_bodies() {
        let body = r#"{"error":{"message":"Incorrect API key provided: sk-test-0123456789abcdef. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#;
        let err = ApiError::from_status(StatusCode::UNAUTHORIZED, body, "gpt-4o", KEY, None);
        let text = err.to_string();
        assert!(
            text.starts_with(
                "the server rejected the API key (Incorrect API key provided: sk-…cdef."
            ),
            "{text}"
        );
        assert!(!text.contains(KEY));

        let body = r#"{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#;
        assert!(matches!(
            ApiError::from_status(StatusCode::TOO_MANY_REQUESTS, body, "gpt-4o", KEY, None),
            ApiError::QuotaExceeded { .. }
        ));
        let body = r#"{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#;
        let err = ApiError::from_status(StatusCode::NOT_FOUND, body, "gpt-9", KEY, None);
        assert!(matches!(&err, ApiError::ModelNotFound { model, .. } if model == "gpt-9"));
        let err = ApiError::from_status(
            StatusCode::BAD_GATEWAY,
            "<html>\n<head><title>502 Bad Gateway</title></head>",
            "m",
            KEY,
            None,
        );
        assert_eq!(
            err.to_string(),
            "the server failed with HTTP 502 (<html>); try again later"
        );
    }
}
