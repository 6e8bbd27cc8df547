"""A real HTTP server on 127.0.0.1 standing in for a partner's software (webhook receiver,
ticketing system). Each test decides the answers; every request is recorded."""

import dataclasses
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclasses.dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclasses.dataclass
class Reply:
    status: int = 200
    body: Any = dataclasses.field(default_factory=dict)  # dict/list → JSON; bytes as is
    delay: float = 0.0


def verify_signature(received: Received, secret: str) -> int:
    """Check PassCulture-Signature independently of the code under test; return its t."""
    parts = dict(
        item.split("=", 1) for item in received.headers["passculture-signature"].split(",")
    )
    expected = hmac.new(
        secret.encode(), parts["t"].encode() + b"." + received.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected), "bad signature"
    return int(parts["t"])


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.respond: Callable[[Received], Reply] = lambda received: Reply()
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def bodies(self, path: str | None = None) -> list[Any]:
        return [r.json for r in self.requests if path is None or r.path == path]

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                received = Received(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
                with receiver._lock:
                    receiver.in_flight += 1
                    receiver.max_in_flight = max(receiver.max_in_flight, receiver.in_flight)
                    receiver.requests.append(received)
                try:
                    reply = receiver.respond(received)
                    if reply.delay:
                        time.sleep(reply.delay)
                    raw = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body)
                    payload = raw.encode() if isinstance(raw, str) else raw
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                finally:
                    with receiver._lock:
                        receiver.in_flight -= 1

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # quiet test output

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # the client gave up (timeout tests): nothing to report

        self._server = Server(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Close the port: connections are refused until start() reopens the same port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
