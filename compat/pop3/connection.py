"""One POP3 connection (RFC 1939 3, RFC 2449 4, RFC 2595 4): read command lines under a
length limit and the autologout timer, answer each, never let an exception reach the wire."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time

from api.services import Services
from compat.pop3.commands import MAX_COMMAND, CommandError, Simple, parse_command
from compat.pop3.context import Context, Reply
from compat.pop3.dispatch import run_request
from compat.pop3.errors import Pop3Error
from compat.pop3.maildrop import MaildropLocks
from compat.pop3.session import Authorization, Transaction

__all__ = ["IDLE_TIMEOUT", "MAX_LINE", "serve_connection"]

log = logging.getLogger("sealbox.pop3")

# The stream's buffer: an AUTH response line (RFC 5034 4) may exceed a command's 255 octets.
MAX_LINE = 8 * 1024
# RFC 1939 3: the inactivity autologout timer is at least 10 minutes.
IDLE_TIMEOUT = 600.0
LOGIN_TIMEOUT = 60.0
# A client that sends nothing but garbage is let go after this many -ERR in a row.
MAX_BAD_COMMANDS = 20


class _DropError(Exception):
    """End the connection once the reason (if any) went out."""


class _Connection:
    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        ssl_context: ssl.SSLContext,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.ssl_context = ssl_context
        self.bad_commands = 0
        self.context: Context | None = None

    async def write(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    def _timeout(self) -> float:
        # RFC 1939 3 asks 10 minutes of a session; before sign-in a minute is plenty.
        context = self.context
        signed_in = context is not None and not isinstance(context.state, Authorization)
        return IDLE_TIMEOUT if signed_in else LOGIN_TIMEOUT

    async def read_line(self) -> bytes:
        try:
            line = await asyncio.wait_for(self.reader.readuntil(b"\n"), self._timeout())
        except (asyncio.LimitOverrunError, ValueError):
            await self.write(b"-ERR line too long, closing\r\n")
            raise _DropError from None
        except asyncio.IncompleteReadError:
            raise _DropError from None
        return line

    async def challenge(self, prompt: bytes) -> bytes:
        await self.write(prompt + b"\r\n")
        return (await self.read_line()).rstrip(b"\r\n")

    async def answer(self, context: Context, line: bytes) -> bool:
        """Reply to one line; False once the session is over (after QUIT)."""
        try:
            if len(line) > MAX_COMMAND:
                raise CommandError(f"command lines are at most {MAX_COMMAND} octets")
            request = parse_command(line.rstrip(b"\r\n"))
        except CommandError as exc:
            self.bad_commands += 1
            if self.bad_commands >= MAX_BAD_COMMANDS:
                await self.write(b"-ERR too many bad commands, closing\r\n")
                raise _DropError from None
            await self.write(b"-ERR " + exc.text.encode("utf-8", "replace") + b"\r\n")
            return True
        self.bad_commands = 0
        quit_ = isinstance(request, Simple) and request.name == "QUIT"
        started = time.perf_counter()
        try:
            if isinstance(request, Simple) and request.name == "STLS":
                await self.start_tls(context)
                return True
            reply = await run_request(context, request)
        except Pop3Error as error:
            await self.write(error.line() + b"\r\n")
            return not quit_
        except (_DropError, TimeoutError, ConnectionError, asyncio.CancelledError):
            raise
        except Exception as exc:  # one broken command must not end the session or leak
            log.error(
                "pop3 command failed",
                extra={
                    "event": "pop3.command_failed",
                    "command": type(request).__name__,
                    "error_type": type(exc).__name__,
                    "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            await self.write(b"-ERR [SYS/TEMP] internal error, logged\r\n")
            return not quit_
        await self.write(_status(reply) + (reply.body or b""))
        return not quit_

    async def start_tls(self, context: Context) -> None:
        if context.tls:
            raise Pop3Error("TLS is already active")
        context.authorization()
        await self.write(b"+OK begin TLS now\r\n")
        # Anything sent in the clear after STLS must not count (RFC 2595 4).
        buffered: bytes = getattr(self.reader, "_buffer", b"")  # asyncio has no public peek
        if buffered:
            raise _DropError
        await self.writer.start_tls(self.ssl_context)
        context.tls = True
        context.state = Authorization()

    async def run(self, context: Context) -> None:
        self.context = context
        greeting = "ready" if context.tls else "ready, STLS before signing in"
        await self.write(f"+OK Sealbox POP3 {greeting}\r\n".encode())
        while await self.answer(context, await self.read_line()):
            pass


def _status(reply: Reply) -> bytes:
    return (f"+OK {reply.text}" if reply.text else "+OK").encode("utf-8", "replace") + b"\r\n"


async def serve_connection(
    services: Services,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    ssl_context: ssl.SSLContext,
    locks: MaildropLocks,
    *,
    implicit_tls: bool,
) -> None:
    peer = writer.get_extra_info("peername")
    client = str(peer[0]) if isinstance(peer, tuple) else "unknown"
    connection = _Connection(reader, writer, ssl_context)
    context = Context(services, client, implicit_tls, locks, connection.challenge)
    try:
        await connection.run(context)
    except TimeoutError:
        # RFC 1939 3: the autologout timer ends the session without UPDATE.
        with contextlib.suppress(OSError, ssl.SSLError):
            await connection.write(b"-ERR idle too long, closing\r\n")
    except (_DropError, ConnectionError, ssl.SSLError):
        pass
    finally:
        if isinstance(context.state, Transaction):
            locks.release(context.state.account.account_id)
        writer.close()
        # A TLS peer that never answers close_notify would hold this for 30 s.
        with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), 2)
