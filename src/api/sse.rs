//! A streamed answer: SSE framing from eventsource-stream (it keeps partial lines between
//! reads), then each `data:` payload turned into events, as Chat Completions or the Responses
//! API writes them. `[DONE]` or `response.completed` ends the answer; a payload that cannot be
//! read is an error, never a panic. What an error quotes of the stream has the API key masked.

use eventsource_stream::{EventStreamError, Eventsource as _};
use futures_util::{Stream, StreamExt as _};

use super::error::{ApiError, excerpt, scrub};
use super::types::{ChatChunk, Endpoint, ErrorBody, ResponsesEvent, Usage};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    Delta(String),
    Finish(String),
    Usage(Usage),
    /// The service tier that served the request.
    Tier(String),
    /// The answer was stopped short (the Responses API's `response.incomplete`), and why.
    Incomplete(String),
    Done,
}

/// Events of one `data:` payload, in order; `key` is masked in what an error quotes.
pub fn parse_data(data: &str, key: &str, endpoint: Endpoint) -> Result<Vec<StreamEvent>, ApiError> {
    let data = data.trim();
    match endpoint {
        Endpoint::Chat => parse_chat(data, key),
        Endpoint::Responses => parse_responses(data, key),
    }
}

fn malformed(error: &serde_json::Error, data: &str, key: &str) -> ApiError {
    ApiError::Malformed(format!("{error} in chunk `{}`", excerpt(data, key, 80)))
}

fn stream_error(what: &str, message: &str, key: &str) -> ApiError {
    ApiError::Status {
        status: 200,
        message: format!("{what}: {}", scrub(message, key)),
    }
}

fn parse_chat(data: &str, key: &str) -> Result<Vec<StreamEvent>, ApiError> {
    if data == "[DONE]" {
        return Ok(vec![StreamEvent::Done]);
    }
    if let Ok(body) = serde_json::from_str::<ErrorBody>(data) {
        return Err(stream_error(
            "error in the stream",
            &body.error.message,
            key,
        ));
    }
    let chunk: ChatChunk = serde_json::from_str(data).map_err(|e| malformed(&e, data, key))?;
    let mut events = Vec::new();
    if let Some(tier) = chunk.service_tier {
        events.push(StreamEvent::Tier(tier));
    }
    for choice in chunk.choices {
        if let Some(text) = choice
            .delta
            .and_then(|d| d.content)
            .filter(|t| !t.is_empty())
        {
            events.push(StreamEvent::Delta(text));
        }
        if let Some(reason) = choice.finish_reason {
            events.push(StreamEvent::Finish(reason));
        }
    }
    if let Some(usage) = chunk.usage {
        events.push(StreamEvent::Usage(usage));
    }
    Ok(events)
}

/// A Responses API event. Text arrives in `response.output_text.delta` (and a refusal's in
/// `response.refusal.delta`); the usage and the tier in the final response, which ends the
/// answer. Events tm has no use for (items added, parts done, reasoning summaries) are let
/// pass.
fn parse_responses(data: &str, key: &str) -> Result<Vec<StreamEvent>, ApiError> {
    let event: ResponsesEvent = serde_json::from_str(data).map_err(|e| malformed(&e, data, key))?;
    let text = |delta: Option<String>| {
        delta
            .filter(|t| !t.is_empty())
            .map(StreamEvent::Delta)
            .into_iter()
            .collect()
    };
    let response = event.response.unwrap_or_default();
    let ended = |status: &str| {
        let mut events = Vec::new();
        events.extend(response.service_tier.clone().map(StreamEvent::Tier));
        events.extend(response.usage.map(StreamEvent::Usage));
        events.push(StreamEvent::Finish(status.to_owned()));
        events.extend(response.incomplete_reason().map(StreamEvent::Incomplete));
        events.push(StreamEvent::Done);
        events
    };
    Ok(match event.kind.as_str() {
        "response.output_text.delta" | "response.refusal.delta" => text(event.delta),
        "response.completed" => ended("completed"),
        "response.incomplete" => ended("incomplete"),
        "response.failed" => {
            let message = response
                .error
                .map_or_else(|| "no reason given".to_owned(), |e| e.message);
            return Err(stream_error("the response failed", &message, key));
        }
        "error" => {
            let message = event.message.unwrap_or_default();
            return Err(stream_error("error in the stream", &message, key));
        }
        _ => Vec::new(),
    })
}

/// Whole lines, each passed on the moment its `\n` arrives. eventsource-stream searches all
/// it holds again for every piece it is given, and moves the rest of its buffer to the front
/// after every line it takes: a long line given in pieces (a 10 MB `data:` line in 16 KB
/// reads) cost the square of its length, and thousands of lines given at once cost their
/// number times the buffer. Given one whole line at a time, it looks at each byte once. A
/// last line without its `\n` is passed on when the stream ends.
fn lines<B, S>(bytes: S) -> impl Stream<Item = Result<Vec<u8>, ApiError>>
where
    B: AsRef<[u8]>,
    S: Stream<Item = Result<B, ApiError>>,
{
    bytes
        .map(Some)
        .chain(futures_util::stream::iter([None]))
        .scan(Vec::new(), |partial: &mut Vec<u8>, chunk| {
            let lines: Vec<Result<Vec<u8>, ApiError>> = match chunk {
                Some(Ok(chunk)) => {
                    let mut lines = Vec::new();
                    for piece in chunk.as_ref().split_inclusive(|&byte| byte == b'\n') {
                        partial.extend_from_slice(piece);
                        if piece.ends_with(b"\n") {
                            lines.push(Ok(std::mem::take(partial)));
                        }
                    }
                    lines
                }
                Some(Err(error)) => vec![Err(error)],
                None if partial.is_empty() => Vec::new(),
                None => vec![Ok(std::mem::take(partial))],
            };
            std::future::ready(Some(futures_util::stream::iter(lines)))
        })
        .flatten()
}

/// Bytes as they arrive (transport errors already turned into `ApiError`) → events, as the
/// endpoint writes them.
pub fn events<B, S>(
    bytes: S,
    key: String,
    endpoint: Endpoint,
) -> impl Stream<Item = Result<StreamEvent, ApiError>>
where
    B: AsRef<[u8]>,
    S: Stream<Item = Result<B, ApiError>>,
{
    lines(bytes)
        .eventsource()
        .map(move |event| match event {
            Ok(event) => parse_data(&event.data, &key, endpoint),
            Err(EventStreamError::Transport(error)) => Err(error),
            Err(EventStreamError::Utf8(error)) => Err(ApiError::Malformed(format!(
                "the stream is not UTF-8: {error}"
            ))),
            Err(EventStreamError::Parser(error)) => {
                Err(ApiError::Malformed(format!("bad SSE framing: {error}")))
            }
        })
        .flat_map(|parsed| {
            let items: Vec<Result<StreamEvent, ApiError>> = match parsed {
                Ok(events) => events.into_iter().map(Ok).collect(),
                Err(error) => vec![Err(error)],
            };
            futures_util::stream::iter(items)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREAM: &str = concat!(
        ": keep-alive\n\n",
        "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"lo, wörld\"}}]}\r\n\r\n",
        "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":3,",
        "\"prompt_tokens_details\":{\"cached_tokens\":2},\"completion_tokens_details\":{\"reasoning_tokens\":1}}}\n\n",
        "data: [DONE]\n\n",
    );

    fn collect(chunks: Vec<Vec<u8>>) -> Vec<Result<StreamEvent, String>> {
        collect_from(chunks, Endpoint::Chat)
    }

    fn collect_from(chunks: Vec<Vec<u8>>, endpoint: Endpoint) -> Vec<Result<StreamEvent, String>> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let stream = events(
            futures_util::stream::iter(chunks.into_iter().map(Ok::<_, ApiError>)),
            String::new(),
            endpoint,
        );
        runtime.block_on(stream.map(|r| r.map_err(|e| e.to_string())).collect())
    }

    /// A Responses API stream as OpenAI writes it, trimmed of fields tm does not read.
    const RESPONSES: &str = concat!(
        "event: response.created\n",
        "data: {\"type\":\"response.created\",\"response\":{\"status\":\"in_progress\",\"output\":[]}}\n\n",
        "event: response.output_item.added\n",
        "data: {\"type\":\"response.output_item.added\",\"item\":{\"type\":\"message\",\"content\":[]}}\n\n",
        "event: response.output_text.delta\n",
        "data: {\"type\":\"response.output_text.delta\",\"delta\":\"Hel\"}\n\n",
        "event: response.output_text.delta\n",
        "data: {\"type\":\"response.output_text.delta\",\"delta\":\"lo, wörld\"}\r\n\r\n",
        "event: response.completed\n",
        "data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\",",
        "\"service_tier\":\"flex\",\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hello, wörld\"}]}],",
        "\"usage\":{\"input_tokens\":8,\"input_tokens_details\":{\"cached_tokens\":2,\"cache_write_tokens\":3},",
        "\"output_tokens\":3,\"output_tokens_details\":{\"reasoning_tokens\":1}}}}\n\n",
    );

    fn responses_expected() -> Vec<Result<StreamEvent, String>> {
        let usage: Usage = serde_json::from_str(
            r#"{"prompt_tokens":8,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":2,"cache_write_tokens":3},"completion_tokens_details":{"reasoning_tokens":1}}"#,
        )
        .expect("usage");
        vec![
            Ok(StreamEvent::Delta("Hel".into())),
            Ok(StreamEvent::Delta("lo, wörld".into())),
            Ok(StreamEvent::Tier("flex".into())),
            Ok(StreamEvent::Usage(usage)),
            Ok(StreamEvent::Finish("completed".into())),
            Ok(StreamEvent::Done),
        ]
    }

    /// The Responses API's usage names read as Chat Completions' do, and however its
    /// stream is cut, the events are the same.
    #[test]
    fn responses_stream_at_every_cut() {
        let bytes = RESPONSES.as_bytes();
        assert_eq!(
            collect_from(vec![bytes.to_vec()], Endpoint::Responses),
            responses_expected()
        );
        for cut in 1..bytes.len() {
            let chunks = vec![bytes[..cut].to_vec(), bytes[cut..].to_vec()];
            assert_eq!(
                collect_from(chunks, Endpoint::Responses),
                responses_expected(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn responses_incomplete_and_failed() {
        let incomplete = b"data: {\"type\":\"response.incomplete\",\"response\":{\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"content_filter\"}}}\n\n";
        assert_eq!(
            collect_from(vec![incomplete.to_vec()], Endpoint::Responses),
            vec![
                Ok(StreamEvent::Finish("incomplete".into())),
                Ok(StreamEvent::Incomplete("content_filter".into())),
                Ok(StreamEvent::Done),
            ]
        );
        let failed = b"data: {\"type\":\"response.failed\",\"response\":{\"status\":\"failed\",\"error\":{\"code\":\"server_error\",\"message\":\"boom\"}}}\n\n";
        assert_eq!(
            collect_from(vec![failed.to_vec()], Endpoint::Responses),
            vec![Err(
                "the server answered HTTP 200 (the response failed: boom)".to_owned()
            )]
        );
        let garbage = b"data: {\"type\": 7}\n\n";
        let got = collect_from(vec![garbage.to_vec()], Endpoint::Responses);
        assert!(
            matches!(&got[..], [Err(e)] if e.starts_with("the server sent data tm cannot read: ")),
            "{got:?}"
        );
    }

    fn expected() -> Vec<Result<StreamEvent, String>> {
        let usage: Usage = serde_json::from_str(
            r#"{"prompt_tokens":8,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":2},"completion_tokens_details":{"reasoning_tokens":1}}"#,
        )
        .expect("usage");
        vec![
            Ok(StreamEvent::Delta("Hel".into())),
            Ok(StreamEvent::Delta("lo, wörld".into())),
            Ok(StreamEvent::Finish("stop".into())),
            Ok(StreamEvent::Usage(usage)),
            Ok(StreamEvent::Done),
        ]
    }

    #[test]
    fn whole_stream() {
        assert_eq!(collect(vec![STREAM.as_bytes().to_vec()]), expected());
    }

    /// Every cut point, including inside the multi-byte 'ö': the same events.
    #[test]
    fn split_at_every_offset() {
        let bytes = STREAM.as_bytes();
        for cut in 1..bytes.len() {
            let chunks = vec![bytes[..cut].to_vec(), bytes[cut..].to_vec()];
            assert_eq!(collect(chunks), expected(), "cut at {cut}");
        }
    }

    #[test]
    fn one_byte_at_a_time() {
        let chunks = STREAM.bytes().map(|b| vec![b]).collect();
        assert_eq!(collect(chunks), expected());
    }

    proptest::proptest! {
        /// However the bytes of a valid stream are cut, the events are the same.
        #[test]
        fn any_chunking_gives_the_same_events(cuts in proptest::collection::vec(0..STREAM.len(), 0..12)) {
            let bytes = STREAM.as_bytes();
            let mut cuts = cuts;
            cuts.sort_unstable();
            cuts.dedup();
            let mut chunks = Vec::new();
            let mut from = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                chunks.push(bytes[from..cut].to_vec());
                from = cut;
            }
            proptest::prop_assert_eq!(collect(chunks), expected());
        }

        /// Arbitrary bytes give events or errors, never a panic, from either API.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = collect(vec![bytes.clone()]);
            let _ = collect_from(vec![bytes], Endpoint::Responses);
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let got = collect(vec![b"data: {\"choices\": [oops\n\n".to_vec()]);
        assert_eq!(got.len(), 1);
        let err = got[0].as_ref().expect_err("malformed");
        assert!(
            err.starts_with("the server sent data tm cannot read: "),
            "{err}"
        );
        let got = collect(vec![
            b"data: {\"error\":{\"message\":\"overloaded\"}}\n\n".to_vec(),
        ]);
        assert_eq!(
            got,
            vec![Err(
                "the server answered HTTP 200 (error in the stream: overloaded)".to_owned()
            )]
        );
    }
}
