//! A fake OpenAI-compatible server on 127.0.0.1 with a random port. Raw HTTP/1.1, so a test
//! can script exactly what crosses the wire: SSE in chunks (each its own TCP write), a `data:`
//! line split across writes, a gate that holds the stream until the test says go, a dropped
//! connection, real error statuses and bodies. Every request is recorded; on drop the server
//! checks it was asked exactly as many times as it had replies.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::Value;

/// How long a gate waits for the test before it gives up (and the test fails on its asserts).
const GATE_LIMIT: Duration = Duration::from_secs(20);

pub enum Step {
    /// One HTTP chunk, written and flushed on its own.
    Chunk(Vec<u8>),
    /// Hold the stream until the test sends on the channel.
    Gate(Receiver<()>),
    /// Close the connection without ending the chunked body.
    Drop,
    /// Wait before the next step: a slow server's own pace.
    Pause(std::time::Duration),
}

pub enum Body {
    Full(Vec<u8>),
    Chunked(Vec<Step>),
    /// Accept the request, then send nothing at all until the test lets go.
    Silent(Receiver<()>),
}

pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Body::Full(body.as_bytes().to_vec()),
        }
    }

    pub fn raw(status: u16, content_type: &str, body: impl AsRef<[u8]>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: Body::Full(body.as_ref().to_vec()),
        }
    }

    pub fn stream(steps: Vec<Step>) -> Self {
        Self {
            status: 200,
            headers: vec![("Content-Type".into(), "text/event-stream".into())],
            body: Body::Chunked(steps),
        }
    }

    /// A streamed answer: one chunk per piece of text, the usage chunk, `[DONE]`.
    pub fn answer(pieces: &[&str], usage: Usage) -> Self {
        let mut steps: Vec<Step> = pieces.iter().map(|p| chunk(&delta(p))).collect();
        steps.push(chunk(&finish()));
        steps.push(chunk(&usage.sse()));
        steps.push(chunk(DONE));
        Self::stream(steps)
    }

    /// A server that takes the request and never answers (until `release` is dropped).
    pub fn silent(release: Receiver<()>) -> Self {
        Self {
            status: 200,
            headers: Vec::new(),
            body: Body::Silent(release),
        }
    }

    /// A body sent one byte per `every`, as a slow or hostile server might.
    pub fn trickle(status: u16, body: &[u8], every: std::time::Duration) -> Self {
        let steps = body
            .iter()
            .flat_map(|&byte| [Step::Chunk(vec![byte]), Step::Pause(every)])
            .collect();
        Self {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Body::Chunked(steps),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

pub fn chunk(text: &str) -> Step {
    Step::Chunk(text.as_bytes().to_vec())
}

pub const DONE: &str = "data: [DONE]\n\n";

pub fn delta(text: &str) -> String {
    format!(
        "data: {}\n\n",
        serde_json::json!({"choices": [{"index": 0, "delta": {"content": text}}]})
    )
}

pub fn finish() -> String {
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n".to_owned()
}

#[derive(Clone, Copy)]
pub struct Usage {
    pub prompt: u64,
    pub cached: u64,
    pub completion: u64,
    pub reasoning: u64,
}

impl Usage {
    pub fn json(self) -> Value {
        serde_json::json!({
            "prompt_tokens": self.prompt,
            "completion_tokens": self.completion,
            "total_tokens": self.prompt + self.completion,
            "prompt_tokens_details": {"cached_tokens": self.cached, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": self.reasoning, "audio_tokens": 0}
        })
    }

    /// The final chunk of a stream with include_usage: empty `choices`, then the usage.
    pub fn sse(self) -> String {
        format!(
            "data: {}\n\n",
            serde_json::json!({"choices": [], "usage": self.json()})
        )
    }
}

/// A non-streamed chat completion body.
pub fn completion(text: &str, usage: Usage) -> String {
    serde_json::json!({
        "id": "chatcmpl-test", "object": "chat.completion", "model": "gpt-5.4-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": usage.json()
    })
    .to_string()
}

/// One Responses API event: the `event:` line names it, and its `data:` carries the same name
/// as `type`, as OpenAI writes them.
pub fn event(kind: &str, mut body: Value) -> String {
    body["type"] = Value::from(kind);
    format!("event: {kind}\ndata: {body}\n\n")
}

/// Responses API usage: input tokens with the cached reads and cache writes among them,
/// output tokens with the reasoning among them.
pub fn responses_usage(
    input: u64,
    cached: u64,
    written: u64,
    output: u64,
    reasoning: u64,
) -> Value {
    serde_json::json!({
        "input_tokens": input,
        "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": written},
        "output_tokens": output,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": input + output
    })
}

/// A Responses API response object: a reasoning item, then the message with `text`.
pub fn response(status: &str, text: &str, usage: &Value, tier: Option<&str>) -> Value {
    serde_json::json!({
        "id": "resp_test", "object": "response", "created_at": 1_764_547_200, "status": status,
        "model": "gpt-5.5-pro-2026-04-23", "store": false,
        "output": [
            {"type": "reasoning", "id": "rs_1", "summary": []},
            {"type": "message", "id": "msg_1", "role": "assistant", "status": status,
             "content": [{"type": "output_text", "text": text, "annotations": []}]}
        ],
        "usage": usage, "service_tier": tier, "incomplete_details": null, "error": null
    })
}

/// A streamed Responses API answer as OpenAI sends it: created, in progress, the message
/// item and its part added, one text delta per piece, the text and item done, and the
/// completed response with the usage and the tier that served it.
pub fn responses_stream(pieces: &[&str], usage: &Value, tier: Option<&str>) -> Vec<Step> {
    let text: String = pieces.concat();
    let started = response("in_progress", "", &Value::Null, tier);
    let mut steps = vec![
        chunk(&event(
            "response.created",
            serde_json::json!({"response": started, "sequence_number": 0}),
        )),
        chunk(&event(
            "response.in_progress",
            serde_json::json!({"response": started, "sequence_number": 1}),
        )),
        chunk(&event(
            "response.output_item.added",
            serde_json::json!({"output_index": 1, "item": {"type": "message", "id": "msg_1", "role": "assistant", "content": []}}),
        )),
        chunk(&event(
            "response.content_part.added",
            serde_json::json!({"item_id": "msg_1", "output_index": 1, "content_index": 0, "part": {"type": "output_text", "text": ""}}),
        )),
    ];
    steps.extend(pieces.iter().map(|piece| {
        chunk(&event(
            "response.output_text.delta",
            serde_json::json!({"item_id": "msg_1", "output_index": 1, "content_index": 0, "delta": piece, "logprobs": []}),
        ))
    }));
    steps.push(chunk(&event(
        "response.output_text.done",
        serde_json::json!({"item_id": "msg_1", "output_index": 1, "content_index": 0, "text": text}),
    )));
    steps.push(chunk(&event(
        "response.completed",
        serde_json::json!({"response": response("completed", &text, usage, tier)}),
    )));
    steps
}

#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// What the observer saw when the request arrived.
    pub observed: Option<String>,
}

impl Recorded {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Observer = Box<dyn FnMut() -> String + Send>;

pub struct FakeOpenAi {
    port: u16,
    expected: usize,
    recorded: Arc<Mutex<Vec<Recorded>>>,
    /// What went wrong in the server itself: a panic, or a write that failed for another
    /// reason than tm hanging up. The test that caused it fails when the server is dropped.
    faults: Arc<Mutex<Vec<String>>>,
}

impl FakeOpenAi {
    pub fn start(replies: Vec<Reply>) -> Self {
        Self::start_observed(replies, None)
    }

    /// `observer` runs in the server as each request arrives, before any reply is written.
    pub fn start_observed(replies: Vec<Reply>, mut observer: Option<Observer>) -> Self {
        // Bound before the thread starts: the port accepts from this moment, no sleep needed.
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let faults = Arc::new(Mutex::new(Vec::new()));
        let expected = replies.len();
        let log = Arc::clone(&recorded);
        let fault_log = Arc::clone(&faults);
        thread::spawn(move || {
            let mut replies = replies.into_iter();
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let Some(mut request) = read_request(&stream) else {
                    continue;
                };
                // Observed under the log's lock: whoever the observer tells of the request
                // finds it logged when they look.
                let mut logged = log.lock().expect("log");
                request.observed = observer.as_mut().map(|observe| observe());
                logged.push(request);
                drop(logged);
                let reply = replies.next().unwrap_or_else(|| {
                    Reply::json(599, r#"{"error":{"message":"unexpected request"}}"#)
                });
                // Replies go out on their own threads, so one held on a gate or silent does
                // not keep the next connection waiting; they are still handed out in order.
                let fault_log = Arc::clone(&fault_log);
                thread::spawn(move || {
                    let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        write_reply(stream, reply)
                    }));
                    if let Some(fault) = fault(written) {
                        fault_log.lock().expect("fault log").push(fault);
                    }
                });
            }
        });
        Self {
            port,
            expected,
            recorded,
            faults,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.recorded.lock().expect("log").clone()
    }
}

/// What a reply thread's end says about the server, if anything. tm hanging up early is what
/// several tests do on purpose (Ctrl-C, SIGKILL, a closed stdout), so a broken pipe or a
/// reset connection is no fault.
fn fault(written: std::thread::Result<std::io::Result<()>>) -> Option<String> {
    use std::io::ErrorKind;
    match written {
        Ok(Ok(())) => None,
        Ok(Err(err))
            if matches!(
                err.kind(),
                ErrorKind::BrokenPipe | ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
            ) =>
        {
            None
        }
        Ok(Err(err)) => Some(format!("writing a reply failed: {err}")),
        Err(panic) => {
            let text = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Some(format!("a reply thread panicked: {text}"))
        }
    }
}

impl Drop for FakeOpenAi {
    fn drop(&mut self) {
        if !thread::panicking() {
            let faults = self.faults.lock().expect("fault log").clone();
            assert!(faults.is_empty(), "the fake server failed: {faults:?}");
            let hits = self.requests().len();
            assert_eq!(
                hits, self.expected,
                "the fake server expected {} requests and got {hits}",
                self.expected
            );
        }
    }
}

fn read_request(stream: &TcpStream) -> Option<Recorded> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let path = parts.nth(1)?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Recorded {
        path,
        headers,
        body,
        observed: None,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Status",
    }
}

fn write_reply(mut stream: TcpStream, reply: Reply) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    if let Body::Silent(release) = reply.body {
        let _ = release.recv_timeout(GATE_LIMIT);
        return Ok(());
    }
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nConnection: close\r\n",
        reply.status,
        reason(reply.status)
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    match reply.body {
        Body::Full(body) => {
            head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
            stream.write_all(head.as_bytes())?;
            stream.write_all(&body)?;
        }
        Body::Chunked(steps) => {
            head.push_str("Transfer-Encoding: chunked\r\n\r\n");
            stream.write_all(head.as_bytes())?;
            stream.flush()?;
            for step in steps {
                match step {
                    Step::Chunk(bytes) => {
                        stream.write_all(format!("{:x}\r\n", bytes.len()).as_bytes())?;
                        stream.write_all(&bytes)?;
                        stream.write_all(b"\r\n")?;
                        stream.flush()?;
                    }
                    Step::Gate(go) => match go.recv_timeout(GATE_LIMIT) {
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => {}
                        Err(RecvTimeoutError::Timeout) => {
                            return stream.shutdown(std::net::Shutdown::Both);
                        }
                    },
                    Step::Drop => return stream.shutdown(std::net::Shutdown::Both),
                    Step::Pause(wait) => thread::sleep(wait),
                }
            }
            stream.write_all(b"0\r\n\r\n")?;
        }
        Body::Silent(_) => {}
    }
    stream.flush()
}
