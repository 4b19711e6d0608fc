"""One IMAP connection (RFC 9051 2.2, 5.4, 7.1.5): read commands with their literals under
size limits and idle timeouts, answer each, never let an exception reach the wire."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import ssl
import time

from api.services import Services
from compat.imap.authentication import capabilities
from compat.imap.context import Context, Reply, Wire
from compat.imap.dispatch import run_request
from compat.imap.errors import ImapError
from compat.imap.idle import IDLE_TIMEOUT
from compat.imap.listing_cache import ListingCache
from compat.imap.proto.commands import Simple
from compat.imap.proto.parser import CommandError, parse_command
from compat.imap.session import Authenticated

__all__ = ["APPEND_TOTAL_FACTOR", "MAX_LINE", "MAX_LITERAL", "serve_connection"]

log = logging.getLogger("sealbox.imap")

MAX_LINE = 64 * 1024  # one line of a command (literals excluded)
MAX_LITERAL = 64 * 1024  # any literal outside APPEND
# One APPEND command (all its messages) may carry this many times APPENDLIMIT.
APPEND_TOTAL_FACTOR = 2
# 5.4: the unauthenticated may idle a minute; signed-in clients 30 minutes.
LOGIN_TIMEOUT = 60.0
_LITERAL = re.compile(rb"\{(\d{1,10})(\+?)\}\r?\n$")


class _DropError(Exception):
    """End the connection after the reason went out (BYE or a tagged BAD)."""


# What a dropped client may still have in flight: read and discarded before closing.
_DRAIN_OCTETS = 1024 * 1024
_DRAIN_SECONDS = 1.0


async def _drain(reader: asyncio.StreamReader) -> None:
    """Swallow what the client is still sending, briefly: closing a socket with unread
    input resets it, and the reset can destroy the BYE before the client reads it."""
    received = 0
    while received < _DRAIN_OCTETS:
        chunk = await asyncio.wait_for(reader.read(65536), _DRAIN_SECONDS)
        if not chunk:
            return
        received += len(chunk)


class _Connection:
    def __init__(
        self, reader: asyncio.StreamReader, context: Context, ssl_context: ssl.SSLContext
    ) -> None:
        self.reader = reader
        self.context = context
        self.ssl_context = ssl_context
        self.max_append = context.services.settings.imap_max_append_octets

    def _timeout(self) -> float:
        signed_in = isinstance(self.context.state, Authenticated)
        return IDLE_TIMEOUT if signed_in else LOGIN_TIMEOUT

    async def read_line(self) -> bytes:
        try:
            return await asyncio.wait_for(self.reader.readuntil(b"\n"), self._timeout())
        except (asyncio.LimitOverrunError, ValueError):
            await self.context.wire.untagged(b"BYE command line too long")
            raise _DropError from None
        except asyncio.IncompleteReadError:
            raise _DropError from None

    async def read_command(self) -> bytes | None:
        """A whole command with its literals inline, or None when it was refused already."""
        wire = self.context.wire
        line = await self.read_line()
        words = line.split(b" ", 3)
        is_append = len(words) > 1 and words[1].upper() == b"APPEND"
        # Only a signed-in client may send an APPEND-sized literal: before that, anyone
        # could make each connection hold imap_max_append_octets.
        signed_in = isinstance(self.context.state, Authenticated)
        limit = self.max_append if is_append and signed_in else MAX_LITERAL
        # APPENDLIMIT bounds each message (RFC 7889 4); a MULTIAPPEND (RFC 3502) is held
        # whole until all of it is imported, so the command as a whole has a cap too.
        total = limit * (APPEND_TOTAL_FACTOR if is_append and signed_in else 1) + MAX_LINE
        data = bytearray(line)
        while (match := _LITERAL.search(line)) is not None:
            size, non_sync = int(match[1]), bool(match[2])
            if size > limit or len(data) + size > total:
                tag = words[0].decode("ascii", "replace")[:64]
                if non_sync:  # the octets are on their way: no way to stay in sync
                    await wire.line(f"{tag} BAD [TOOBIG] literal too large".encode())
                    raise _DropError
                await wire.line(f"{tag} NO [TOOBIG] literal too large".encode())
                return None
            if not non_sync:
                await wire.line(b"+ go ahead")
                await wire.flush()
            try:
                data += await asyncio.wait_for(self.reader.readexactly(size), self._timeout())
            except asyncio.IncompleteReadError:
                raise _DropError from None
            line = await self.read_line()
            data += line
            if len(data) > total:
                await wire.untagged(b"BYE command too long")
                raise _DropError
        # Only the line's own CRLF goes: a literal may end in CR LF itself.
        end = -2 if data.endswith(b"\r\n") else -1
        return bytes(data[:end])

    async def answer(self, data: bytes) -> None:
        wire, context = self.context.wire, self.context
        try:
            command = parse_command(data)
        except CommandError as exc:
            prefix = exc.tag.encode() if exc.tag else b"*"
            code = f"[{exc.code}] " if exc.code else ""
            text = f" {exc.status} {code}{exc.message}".encode("ascii", "replace")
            await wire.line(prefix + text)
            return
        tag = command.tag.encode()
        context.tag = command.tag
        request = command.request
        started = time.perf_counter()
        try:
            if isinstance(request, Simple) and request.name == "LOGOUT":
                await wire.untagged(b"BYE signing off")
                await wire.line(tag + b" OK logged out")
                raise _DropError
            if isinstance(request, Simple) and request.name == "STARTTLS":
                await self.start_tls(tag)
                return
            reply = await run_request(context, request)
        except ImapError as error:
            code = f"[{error.code}] " if error.code else ""
            await wire.line(tag + f" {error.status} {code}{error.text}".encode("utf-8", "replace"))
            return
        except (_DropError, TimeoutError, ConnectionError, asyncio.CancelledError):
            raise
        except Exception as exc:  # one broken command must not end the session or leak
            log.error(
                "imap command failed",
                extra={
                    "event": "imap.command_failed",
                    "command": type(request).__name__,
                    "error_type": type(exc).__name__,
                    "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            await wire.line(tag + b" NO [SERVERBUG] internal error, logged")
            return
        await wire.line(tag + _ok(reply))

    async def start_tls(self, tag: bytes) -> None:
        wire = self.context.wire
        if self.context.tls:
            raise ImapError("TLS is already active", None, "BAD")
        await wire.line(tag + b" OK begin TLS now")
        await wire.flush()
        # Anything the client sent after STARTTLS in the clear must not count (RFC 9051 11.1).
        buffered: bytes = getattr(self.reader, "_buffer", b"")  # asyncio has no public peek
        if buffered:
            raise _DropError
        await wire.writer.start_tls(self.ssl_context)
        self.context.tls = True

    async def run(self) -> None:
        wire = self.context.wire
        greeting = "ready" if self.context.tls else "ready, STARTTLS before signing in"
        await wire.untagged(
            f"OK [CAPABILITY {self._greeting_capabilities()}] Sealbox {greeting}".encode()
        )
        await wire.flush()
        while True:
            data = await self.read_command()
            if data is not None and data:
                await self.answer(data)
            await wire.flush()

    def _greeting_capabilities(self) -> str:
        return capabilities(self.context, self.max_append)


def _ok(reply: Reply) -> bytes:
    code = f"[{reply.code}] " if reply.code else ""
    return f" OK {code}{reply.text}".encode()


async def serve_connection(
    services: Services,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    ssl_context: ssl.SSLContext,
    *,
    implicit_tls: bool,
    listings: ListingCache | None = None,
) -> None:
    peer = writer.get_extra_info("peername")
    client = str(peer[0]) if isinstance(peer, tuple) else "unknown"
    connection: _Connection | None = None

    async def read_line() -> bytes:
        assert connection is not None
        return await connection.read_line()

    context = Context(Wire(writer), services, client, implicit_tls, read_line)
    if listings is not None:
        context.listings = listings
    connection = _Connection(reader, context, ssl_context)
    try:
        await connection.run()
    except TimeoutError:
        with contextlib.suppress(OSError, ssl.SSLError):
            await context.wire.untagged(b"BYE idle too long, closing")
    except _DropError:
        with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
            await context.wire.flush()
            await _drain(reader)
    except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(OSError, ssl.SSLError):
            await context.wire.flush()
        writer.close()
        # A TLS peer that never answers close_notify would hold this for 30 s.
        with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), 2)
