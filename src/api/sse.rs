//! A streamed answer: SSE framing from eventsource-stream (it keeps partial lines between
//! reads), then each `data:` payload turned into events. `[DONE]` ends the answer; a payload
//! that is not a chunk is an error, never a panic. What an error quotes of the stream has the
//! API key masked.

use eventsource_stream::{EventStreamError, Eventsource as _};
use futures_util::{Stream, StreamExt as _};

use super::error::{ApiError, excerpt, scrub};
use super::types::{ChatChunk, ErrorBody, Usage};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    Delta(String),
    Finish(String),
    Usage(Usage),
    Done,
}

/// Events of one `data:` payload, in order; `key` is masked in what an error quotes.
pub fn parse_data(data: &str, key: &str) -> Result<Vec<StreamEvent>, ApiError> {
    let data = data.trim();
    if data == "[DONE]" {
        return Ok(vec![StreamEvent::Done]);
    }
    if let Ok(body) = serde_json::from_str::<ErrorBody>(data) {
        return Err(ApiError::Status {
            status: 200,
            message: format!("error in the stream: {}", scrub(&body.error.message, key)),
        });
    }
    let chunk: ChatChunk = serde_json::from_str(data)
        .map_err(|e| ApiError::Malformed(format!("{e} in chunk `{}`", excerpt(data, key, 80))))?;
    let mut events = Vec::new();
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

/// Bytes as they arrive (transport errors already turned into `ApiError`) → events.
pub fn events<B, S>(bytes: S, key: String) -> impl Stream<Item = Result<StreamEvent, ApiError>>
where
    B: AsRef<[u8]>,
    S: Stream<Item = Result<B, ApiError>>,
{
    lines(bytes)
        .eventsource()
        .map(move |event| match event {
            Ok(event) => parse_data(&event.data, &key),
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
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let stream = events(
            futures_util::stream::iter(chunks.into_iter().map(Ok::<_, ApiError>)),
            String::new(),
        );
        runtime.block_on(stream.map(|r| r.map_err(|e| e.to_string())).collect())
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

        /// Arbitrary bytes give events or errors, never a panic.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = collect(vec![bytes]);
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
