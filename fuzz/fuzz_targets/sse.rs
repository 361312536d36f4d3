//! The SSE parser on arbitrary bytes, cut at arbitrary points, as Chat Completions and as
//! the Responses API: never a panic, and the same events however the bytes are split.
#![no_main]

use futures_util::StreamExt as _;
use libfuzzer_sys::fuzz_target;
use tm::api::{ApiError, Endpoint, sse};

fn events(chunks: Vec<Vec<u8>>, endpoint: Endpoint) -> Vec<Result<sse::StreamEvent, String>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let stream = sse::events(
        futures_util::stream::iter(chunks.into_iter().map(Ok::<_, ApiError>)),
        "sk-fuzz-0123456789abcdef".to_owned(),
        endpoint,
    );
    runtime.block_on(stream.map(|r| r.map_err(|e| e.to_string())).collect())
}

fuzz_target!(|data: &[u8]| {
    let Some((&cuts, bytes)) = data.split_first() else {
        return;
    };
    // The first byte's top bit picks the API, the rest a cut pattern.
    let endpoint = if cuts & 0x80 == 0 {
        Endpoint::Chat
    } else {
        Endpoint::Responses
    };
    let whole = events(vec![bytes.to_vec()], endpoint);
    // Chunks of 1 to 8 bytes, varying along the input.
    let mut chunks = Vec::new();
    let mut rest = bytes;
    let mut step = usize::from(cuts % 8) + 1;
    while !rest.is_empty() {
        let (head, tail) = rest.split_at(step.min(rest.len()));
        chunks.push(head.to_vec());
        rest = tail;
        step = step % 8 + 1;
    }
    let split = events(chunks, endpoint);
    // After an error the parser may stop at different points; up to the first error, equal.
    let agree = whole
        .iter()
        .zip(&split)
        .take_while(|(a, b)| a.is_ok() && b.is_ok())
        .all(|(a, b)| a == b);
    assert!(agree, "{whole:?} != {split:?}");
});
