"""A fake OpenAI server for the benchmark: answers at once. A question containing "1MB" gets a
1 MB answer in 10,000 SSE chunks, sent as fast as the socket takes them; the CLOCK_MONOTONIC
time its last byte was handed to the socket goes to the file named by the second argument."""
import http.server
import json
import sys
import time

USAGE = {"prompt_tokens": 8, "completion_tokens": 3,
         "prompt_tokens_details": {"cached_tokens": 0}, "completion_tokens_details": {"reasoning_tokens": 0}}


def event(payload):
    return ("data: " + json.dumps(payload) + "\n\n").encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        big = "1MB" in body["messages"][-1]["content"]
        pieces = ["x" * 99 + "\n"] * 10_000 if big else ["Hello", ", world!"]
        out = b"".join(event({"choices": [{"delta": {"content": p}}]}) for p in pieces)
        out += event({"choices": [{"delta": {}, "finish_reason": "stop"}]})
        out += event({"choices": [], "usage": USAGE}) + b"data: [DONE]\n\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
        self.wfile.flush()
        if big:
            with open(sys.argv[2], "w") as last_byte:
                last_byte.write(str(time.monotonic()))

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
