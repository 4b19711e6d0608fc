"""A tiny aiosmtpd server standing in for a remote MTA: scripted replies, recorded messages."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from support.environment import free_port

__all__ = ["Received", "SmtpSink", "smtp_sink"]


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_to: list[str]
    content: bytes
    tls: bool
    mail_options: list[str]


@dataclass
class SmtpSink:
    """Replies to DATA from `script` in order (None accepts), then accepts everything;
    `rcpt` refuses the recipients it names at RCPT with the reply given (each once, or
    always for a reply in `rcpt_always`)."""

    port: int = 0
    script: list[str | None] = field(default_factory=list)
    always: str | None = None
    rcpt: dict[str, str] = field(default_factory=dict)
    rcpt_always: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    attempts: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        with self._lock:
            refusal = self.rcpt.pop(address, None) or self.rcpt_always.get(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._lock:
            self.attempts += 1
            reply = self.script.pop(0) if self.script else self.always
            if reply is not None:
                return reply
            self.received.append(
                Received(
                    mail_from=envelope.mail_from or "",
                    rcpt_to=list(envelope.rcpt_tos),
                    content=bytes(envelope.original_content or b""),
                    tls=session.ssl is not None,
                    mail_options=list(envelope.mail_options),
                )
            )
        return "250 2.0.0 Ok: queued"


@contextmanager
def smtp_sink(tls_context: ssl.SSLContext | None = None, **options: Any) -> Iterator[SmtpSink]:
    """Run a sink on a free loopback port; with `tls_context` it offers STARTTLS."""
    sink = SmtpSink(port=free_port(), **options)
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=sink.port,
        server_hostname="sink.test",
        tls_context=tls_context,
        require_starttls=False,
    )
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
