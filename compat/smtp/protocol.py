"""The SMTP session (RFC 5321 4.1) on aiosmtpd, with Sealbox's limits and reply codes.

Adds what the library leaves out: a per-address connection limit, RFC 2034 enhanced
status codes on every final reply, implicit TLS counted as TLS (RFC 8314 3.3), a DATA
reader that takes the message in bulk (compat/smtp/data_reader.py), RFC 3030
CHUNKING (BDAT), and the RFC 8689 REQUIRETLS parameter of MAIL FROM over TLS.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, AnyStr

from aiosmtpd.smtp import MISSING, SMTP, Envelope

from api.core.recipient_check import DeliveryTarget
from compat.smtp.command_args import (
    ascii_hostname,
    octet_count,
    plain_path,
    reply_text,
    size_parameter_problem,
)
from compat.smtp.data_reader import DataProblem, read_data
from compat.smtp.extensions import REQUIRETLS
from compat.smtp.limits import ClientLimits
from compat.smtp.replies import Reply, enhanced, reply

# Octets buffered per connection before the socket is paused (twice this, in fact).
READ_BUFFER_LIMIT = 64 * 1024

__all__ = [
    "READ_BUFFER_LIMIT",
    "SealboxEnvelope",
    "SealboxSMTP",
    "count_rcpt",
    "peer_ip",
    "targets_of",
]

log = logging.getLogger("sealbox.smtp")

# A chunk over the size limit is read and dropped (RFC 3030 2), up to this many limits.
_SKIPPABLE = 2
_BAD_HOSTNAME = "501 5.5.4 EHLO takes a domain or address literal in ASCII (RFC 6531 3.7.1)"
_DATA_PROBLEMS = {
    DataProblem.TOO_BIG: reply(Reply.TOO_BIG),
    DataProblem.LINE_TOO_LONG: "500 5.5.2 line too long (RFC 5321 4.5.3.1.6)",
}


def peer_ip(peer: Any) -> str:
    """The client's address from a peername tuple ("" when the socket has none)."""
    return str(peer[0]) if isinstance(peer, tuple) and peer else ""


class SealboxEnvelope(Envelope):
    """aiosmtpd's envelope, and what RCPT resolved for each accepted recipient."""

    def __init__(self) -> None:
        super().__init__()
        # Lowercased address -> target, for DATA to store without resolving again.
        self.targets: dict[str, DeliveryTarget] = {}
        # Every RCPT of the transaction, refused ones too: address harvesting is bounded.
        self.rcpt_attempts = 0
        # RFC 3030 BDAT chunks so far; None until the first. Over the size limit, the
        # rest of the transaction's chunks are read and dropped.
        self.chunks: bytearray | None = None
        self.chunks_too_big = False


def count_rcpt(envelope: Envelope) -> int:
    """Count one more RCPT in the transaction; returns how many there were."""
    if not isinstance(envelope, SealboxEnvelope):
        return 0
    envelope.rcpt_attempts += 1
    return envelope.rcpt_attempts


def targets_of(envelope: Envelope) -> dict[str, DeliveryTarget]:
    """The envelope's resolved recipients ({} for an envelope made elsewhere)."""
    return envelope.targets if isinstance(envelope, SealboxEnvelope) else {}


class SealboxSMTP(SMTP):
    def __init__(
        self, handler: Any, *, limits: ClientLimits, implicit_tls: bool = False, **options: Any
    ) -> None:
        super().__init__(handler, **options)
        # aiosmtpd's reader has a limit of one line (1001 octets), and a stream pauses
        # past twice its limit: a 10 KB message then paused and resumed the socket
        # (epoll calls) every dozen lines. Line lengths are still enforced, by aiosmtpd's
        # own checks of each command and DATA line; a longer line only buffers more.
        # (StreamReader takes its limit only when made, and aiosmtpd makes it.)
        reader: Any = self._stream_reader  # type: ignore[attr-defined]
        reader._limit = READ_BUFFER_LIMIT
        self._limits = limits
        self._implicit_tls = implicit_tls
        self._counted_ip: str | None = None
        self._refused = False
        self._in_greeting = False
        # Inside smtp_MAIL, where _getparams may take REQUIRETLS.
        self._in_mail = False

    def _create_envelope(self) -> Envelope:
        return SealboxEnvelope()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._counted_ip is not None or self._refused:
            # The second call, after STARTTLS: the same connection, already counted.
            super().connection_made(transport)
            return
        ip = peer_ip(transport.get_extra_info("peername"))
        if not self._limits.connect(ip):
            self._refused = True
            log.info("connection refused", extra={"event": "smtp.too_many_connections"})
            assert isinstance(transport, asyncio.WriteTransport)
            transport.write(reply(Reply.TOO_MANY_CONNECTIONS).encode("ascii") + b"\r\n")
            transport.close()
            return
        self._counted_ip = ip
        super().connection_made(transport)
        if self._implicit_tls:
            # aiosmtpd knows TLS only as STARTTLS; on port 465 the socket is TLS from the
            # first octet, so AUTH must be offered as it would be after STARTTLS.
            self._tls_protocol = transport  # type: ignore[assignment]
            assert self.session is not None
            self.session.ssl = {"implicit": True}

    def connection_lost(self, error: Exception | None) -> None:
        if self._refused:
            return
        if self._counted_ip is not None:
            self._limits.disconnect(self._counted_ip)
            self._counted_ip = None
        super().connection_lost(error)

    def eof_received(self) -> bool | None:
        if self._refused:
            return False
        return super().eof_received()

    def data_received(self, data: bytes) -> None:
        if not self._refused:
            super().data_received(data)

    async def push(self, status: AnyStr) -> None:
        if isinstance(status, str):
            # Library replies echo arguments (VRFY): ASCII on the wire, or encoding one
            # with an undecodable octet would raise and end in a 451.
            status = reply_text(status)
            # RFC 2034 3 exempts the EHLO/HELO 250 lines; their refusals still get a code.
            if not (self._in_greeting and status.startswith("2")):
                status = enhanced(status)
        await super().push(status)

    async def smtp_EHLO(self, hostname: str) -> None:
        if hostname and not ascii_hostname(hostname):
            await self.push(_BAD_HOSTNAME)
            return
        self._in_greeting = True
        try:
            await super().smtp_EHLO(hostname)
        finally:
            self._in_greeting = False

    async def smtp_HELO(self, hostname: str) -> None:
        if hostname and not ascii_hostname(hostname):
            await self.push(_BAD_HOSTNAME)
            return
        self._in_greeting = True
        try:
            await super().smtp_HELO(hostname)
        finally:
            self._in_greeting = False

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        plain = plain_path(arg)
        if plain is None:
            try:
                return super()._getaddr(arg)
            except IndexError:  # the email package's parser on "a@" (VRFY a@, MAIL FROM:a@)
                return None, None
        # aiosmtpd's own local-part check, kept for the plain form too.
        if self.local_part_limit and len(plain[0].rpartition("@")[0]) > self.local_part_limit:
            return None, None
        return plain

    async def smtp_MAIL(self, arg: str | None) -> None:
        # aiosmtpd tests SIZE= with str.isdigit(), then int("²") raised.
        address_and_parameters = self._strip_command_keyword("FROM:", arg or "")
        if address_and_parameters and self.session is not None and self.session.host_name:
            _, parameters = self._getaddr(address_and_parameters)
            if parameters and size_parameter_problem(parameters):
                await self.push("501 5.5.4 SIZE= takes a count of octets (RFC 1870 3)")
                return
        self._in_mail = True
        try:
            await super().smtp_MAIL(arg)
        finally:
            self._in_mail = False

    def _getparams(self, params: Sequence[str]) -> dict[str, str | bool] | None:
        found: dict[str, str | bool] | None = super()._getparams(params)
        # aiosmtpd refuses parameters it does not know (555), and REQUIRETLS is not
        # among them; over TLS a MAIL FROM may carry it (without a value), and the
        # handlers see it among the options.
        tls = self.session is not None and self.session.ssl is not None
        if found is not None and self._in_mail and tls and found.get(REQUIRETLS) is True:
            del found[REQUIRETLS]
        return found

    async def smtp_DATA(self, arg: str) -> None:
        # aiosmtpd's own checks and replies, around the bulk reader.
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        if isinstance(self.envelope, SealboxEnvelope) and self.envelope.chunks is not None:
            await self.push("503 5.5.1 Error: BDAT and DATA do not mix in one transaction")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        try:
            read = await read_data(self._reader, self.data_size_limit, self.line_length_limit)
        except asyncio.CancelledError:
            self._writer.close()  # the connection went away mid-message
            raise
        if read.problem is not None:
            self._set_post_data_state()  # type: ignore[no-untyped-call]
            await self.push(_DATA_PROBLEMS[read.problem])
            return
        await self._deliver(read.content)

    async def _deliver(self, content: bytes) -> None:
        """Hand the whole message to the handler and end the transaction with its reply."""
        assert self.envelope is not None
        self.envelope.content = self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()  # type: ignore[no-untyped-call]
        await self.push("250 OK" if status is MISSING else status)

    async def smtp_BDAT(self, arg: str | None) -> None:
        # RFC 3030 2: "BDAT size [LAST]"; the chunk's octets follow the command at once.
        words = (arg or "").split()
        size = octet_count(words[0]) if words else None
        if size is None or len(words) > 2 or (len(words) == 2 and words[1].upper() != "LAST"):
            await self.push("501 5.5.4 Syntax: BDAT size [LAST]")
            return
        last = len(words) == 2
        if self.data_size_limit and size > _SKIPPABLE * self.data_size_limit:
            # Reading that many octets only to drop them would hold the connection for
            # as long as the client likes; what follows cannot be read as commands.
            await self.push(reply(Reply.TOO_BIG))
            assert self.transport is not None
            self.transport.close()
            return
        if await self.check_helo_needed() or await self.check_auth_needed("BDAT"):
            await self._discard(size)  # the octets are on their way regardless
            return
        envelope = self.envelope
        if not isinstance(envelope, SealboxEnvelope) or not envelope.rcpt_tos:
            await self._discard(size)
            await self.push("503 5.5.1 Error: need RCPT command")
            return
        limit = self.data_size_limit
        held = len(envelope.chunks or b"")
        if envelope.chunks_too_big or (limit and held + size > limit):
            envelope.chunks_too_big, envelope.chunks = True, bytearray()
            await self._discard(size)
        else:
            if envelope.chunks is None:
                envelope.chunks = bytearray()
            envelope.chunks += await self._reader.readexactly(size)
        if not last:
            await self.push(f"250 2.0.0 {size} octets received")
            return
        content, too_big = bytes(envelope.chunks or b""), envelope.chunks_too_big
        lines = content.split(b"\r\n")
        if too_big or any(len(line) + 2 > self.line_length_limit for line in lines):
            self._set_post_data_state()  # type: ignore[no-untyped-call]
            problem = DataProblem.TOO_BIG if too_big else DataProblem.LINE_TOO_LONG
            await self.push(_DATA_PROBLEMS[problem])
            return
        await self._deliver(content)

    async def _discard(self, size: int) -> None:
        while size > 0:
            size -= len(await self._reader.readexactly(min(size, READ_BUFFER_LIMIT)))
