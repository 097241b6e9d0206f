"""A real webhook receiver for tests: a threaded http.server on 127.0.0.1.

It records every request raw (no de-duplication: a duplicate delivery shows up as two
receipts of one event id) and answers Funnel's receipt check (a signed HEAD) for events
it has recorded, as docs/webhooks.md describes, when `answers_receipt_checks` is set.
`go_down()` closes its socket (connections are refused) and `come_back()` listens again
on the same port, for outage tests.
"""

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Receipt:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.time)

    @property
    def event_id(self) -> str:
        return self.headers.get("webhook-id", "")

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


class Receiver:
    def __init__(
        self, *, status: int = 200, answers_receipt_checks: bool = False, tls=None
    ) -> None:
        self.status = status
        self.answers_receipt_checks = answers_receipt_checks
        # Seconds to sit on each POST before answering (read-timeout tests).
        self.delay = 0.0
        self.receipts: list[Receipt] = []
        self.checks: list[Receipt] = []
        self.lock = threading.Lock()
        # Crash tests: the request numbered `hold_at` (1-based POSTs) is recorded, then
        # held unanswered until `release` is set; `holding` tells the test it is held.
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.tls = tls
        self.scheme = "http" if tls is None else "https"
        self._listen(port=0)

    def _listen(self, *, port: int) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        if self.tls is not None:  # an ssl.SSLContext: serve https
            self.server.socket = self.tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def go_down(self) -> None:
        """Stop listening: connections are refused until `come_back()`."""
        self.port = self.server.server_address[1]
        self.server.shutdown()
        self.server.server_close()

    def come_back(self) -> None:
        self._listen(port=self.port)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}/hooks/funnel"

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def posts(self) -> list[Receipt]:
        with self.lock:
            return [receipt for receipt in self.receipts if receipt.method == "POST"]

    def counts_by_event_id(self) -> Counter:
        return Counter(receipt.event_id for receipt in self.posts())

    def wait_for(self, count: int, timeout: float = 10) -> list[Receipt]:
        deadline = time.monotonic() + timeout
        while len(self.posts()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"receiver got {len(self.posts())} of {count} requests")
            time.sleep(0.01)
        return self.posts()

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receipt = Receipt(
                    "POST",
                    self.path,
                    {name.lower(): value for name, value in self.headers.items()},
                    body,
                )
                with receiver.lock:
                    receiver.receipts.append(receipt)
                    number = len([r for r in receiver.receipts if r.method == "POST"])
                if receiver.hold_at is not None and number == receiver.hold_at:
                    receiver.holding.set()
                    receiver.release.wait(timeout=60)
                if receiver.delay:
                    time.sleep(receiver.delay)
                self._answer(receiver.status, b'{"ok": true}')

            def do_HEAD(self):
                headers = {name.lower(): value for name, value in self.headers.items()}
                with receiver.lock:
                    receiver.checks.append(Receipt("HEAD", self.path, headers, b""))
                    seen = {r.event_id for r in receiver.receipts if r.method == "POST"}
                event_id = headers.get("webhook-id", "")
                if receiver.answers_receipt_checks and event_id in seen:
                    self.send_response(200)
                    self.send_header("Funnel-Event-Received", event_id)
                else:
                    self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _answer(self, status: int, body: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the sender went away (a killed worker)

            def log_message(self, *args):
                pass

        return Handler
