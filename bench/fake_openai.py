"""A fake OpenAI server for the benchmark: answers at once, on Chat Completions and on the
Responses API (POST /v1/responses, its events as OpenAI sends them). A question containing
"1MB" gets a 1 MB answer in 10,000 SSE chunks, sent as fast as the socket takes them: lines
of plain text, or with "1MB Markdown" a page of Markdown repeated, cut in 10,000 pieces. One
containing "15MB" gets 15 MB of English-like lines in 150,000 chunks. A request with
"stream": false gets the same answer as one JSON reply. The
CLOCK_MONOTONIC time the last byte of each answer was handed to the socket goes to the file
named by the second argument."""
import http.server
import json
import sys
import time

USAGE = {"prompt_tokens": 8, "completion_tokens": 3,
         "prompt_tokens_details": {"cached_tokens": 0}, "completion_tokens_details": {"reasoning_tokens": 0}}


RESPONSES_USAGE = {"input_tokens": 8, "input_tokens_details": {"cached_tokens": 0},
                   "output_tokens": 3, "output_tokens_details": {"reasoning_tokens": 0}}


def event(payload):
    return ("data: " + json.dumps(payload) + "\n\n").encode()


def responses_event(kind, payload):
    payload["type"] = kind
    return ("event: " + kind + "\n").encode() + event(payload)


def chat_stream(pieces):
    out = b"".join(event({"choices": [{"delta": {"content": p}}]}) for p in pieces)
    out += event({"choices": [{"delta": {}, "finish_reason": "stop"}]})
    return out + event({"choices": [], "usage": USAGE}) + b"data: [DONE]\n\n"


def responses_stream(pieces):
    text = "".join(pieces)
    started = {"id": "resp_bench", "object": "response", "status": "in_progress", "output": []}
    message = {"type": "message", "id": "msg_1", "role": "assistant", "content": []}
    out = responses_event("response.created", {"response": started})
    out += responses_event("response.in_progress", {"response": started})
    out += responses_event("response.output_item.added", {"output_index": 0, "item": message})
    out += b"".join(responses_event("response.output_text.delta", {
        "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": p}) for p in pieces)
    out += responses_event("response.output_text.done", {"item_id": "msg_1", "text": text})
    done = dict(started, status="completed", usage=RESPONSES_USAGE, service_tier="default",
                output=[dict(message, content=[{"type": "output_text", "text": text}])])
    return out + responses_event("response.completed", {"response": done})


# A page of Markdown as models write it, for the rendered 1 MB case: headings, emphasis,
# code spans, links, lists, a quote, fenced code and a table, in English and Korean.
MARKDOWN_PAGE = """## 모나드와 펑터

A **monad** wraps a value in a context and lets you chain `bind` calls without unwrapping it \
by hand; see [the Haskell wiki](https://wiki.haskell.org/Monad) for the laws. *Functors* only \
map, while ~~applicatives~~ sit in between. 모나드는 **값을 감싸는 상자**와 그 상자를 이어 \
붙이는 두 연산(`return`, `bind`)으로 이루어진 추상화입니다.

- `Option` keeps a value that may be missing
- `Result` keeps a value or an error, with **the error's type** in its signature
  1. nested item with `code` and a [link](https://example.org/a)

> 인용문: a monad is just a monoid in the category of endofunctors.

```python
def half(x):
    return x // 2 if x % 2 == 0 else None
```

| type | meaning | cost |
|:---|:---:|---:|
| Option | may be empty | $0.01 |
| 결과 | 실패 가능 | $12.50 |

""".replace("\\\n", "")


def json_reply(text, responses):
    if responses:
        message = {"type": "message", "id": "msg_1", "role": "assistant",
                   "content": [{"type": "output_text", "text": text}]}
        reply = {"id": "resp_bench", "object": "response", "status": "completed",
                 "output": [message], "usage": RESPONSES_USAGE, "service_tier": "default"}
    else:
        reply = {"id": "chatcmpl-bench", "object": "chat.completion", "usage": USAGE,
                 "choices": [{"index": 0, "finish_reason": "stop",
                              "message": {"role": "assistant", "content": text}}]}
    return json.dumps(reply).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        responses = self.path.endswith("/responses")
        question = body["input" if responses else "messages"][-1]["content"]
        big = "1MB" in question
        if "15MB" in question:
            words = [f"word{n % 5000} " for n in range(20)]
            line = ("".join(words))[:99] + "\n"
            pieces = [line] * 150_000
        elif "1MB Markdown" in question:
            pages = MARKDOWN_PAGE * (1_000_000 // len(MARKDOWN_PAGE.encode()) + 1)
            text = pages.encode()[:1_000_000].decode(errors="ignore")
            size = len(text) // 10_000 + 1
            pieces = [text[i:i + size] for i in range(0, len(text), size)]
        elif big:
            pieces = ["x" * 99 + "\n"] * 10_000
        else:
            pieces = ["Hello", ", world!"]
        if not body.get("stream", True):
            out, kind = json_reply("".join(pieces), responses), "application/json"
        else:
            out = responses_stream(pieces) if responses else chat_stream(pieces)
            kind = "text/event-stream"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
        self.wfile.flush()
        with open(sys.argv[2], "w") as last_byte:
            last_byte.write(str(time.monotonic()))

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
