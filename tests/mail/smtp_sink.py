"""A real SMTP server in the test process (aiosmtpd), keeping what it receives."""

import logging
import socket
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Handler:
    def __init__(self):
        self.received = []
        self.lock = threading.Lock()
        # Addresses answered with a permanent refusal (550), as a bad mailbox would be.
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append((envelope.rcpt_tos, parsed))
        return "250 Message accepted"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for _, m in self.received]


class SmtpSink:
    def __init__(self):
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, server_hostname="localhost"
        )

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def received(self):
        return self.handler.received
