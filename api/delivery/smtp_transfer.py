"""One delivery attempt over SMTP (RFC 5321 3): STARTTLS (RFC 3207), REQUIRETLS (RFC 8689),
one transaction per host for all of a message's recipients at one domain.

TLS is opportunistic by default (RFC 7435: encrypt when offered, no certificate check,
since an unverified channel still beats plaintext); domains in `outbound_require_tls`
get mail only once STARTTLS succeeds; a message that asked for REQUIRETLS goes only to a
host that advertises it, over TLS with a verified certificate, as RFC 8689 4.2.1 asks.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import aiosmtplib

from api.core.outbound_queue import OutboundEnvelope
from api.delivery.routes import NextHop, RouteError, Router
from crypto.secret_value import SecretStr

__all__ = ["Outcome", "RelayLogin", "SmtpTransfer", "asks_requiretls"]

_TIMEOUT = 120.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """How an attempt ended; `reply` is the SMTP reply that decided it."""

    kind: Literal["delivered", "temporary", "permanent"]
    reply: str
    remote: str = ""


@dataclass(frozen=True, slots=True)
class RelayLogin:
    username: str
    password: SecretStr


class _HostFailedError(Exception):
    """This host could not take the message; another one may (RFC 5321 5.1)."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


def asks_requiretls(envelope: OutboundEnvelope) -> bool:
    return any(name.upper() == "REQUIRETLS" for name in envelope.mail_parameters or {})


def _reply(exc: aiosmtplib.SMTPResponseException) -> str:
    return f"{exc.code} {exc.message}".strip()


@dataclass(frozen=True, slots=True)
class _TryNextHost:
    """A recipient this host refused for now (4xx at RCPT or DATA): the next host may
    take it in the same attempt."""

    reply: str


_Result = Outcome | _TryNextHost


def _final(failures: list[str]) -> Outcome:
    """Every host failed: permanent only if each said so (e.g. none offers REQUIRETLS)."""
    if failures and all(reply.startswith("5") for reply in failures):
        return Outcome("permanent", failures[-1])
    return Outcome("temporary", next(r for r in failures if not r.startswith("5")))


class SmtpTransfer:
    def __init__(
        self,
        router: Router,
        helo_name: str,
        require_tls: frozenset[str],
        relay_login: RelayLogin | None = None,
    ) -> None:
        self._router = router
        self._helo = helo_name
        self._require_tls = require_tls
        self._login = relay_login

    async def send(self, envelope: OutboundEnvelope, message: bytes) -> Outcome:
        [outcome] = await self.send_all([envelope], message)
        return outcome

    async def send_all(
        self, envelopes: Sequence[OutboundEnvelope], message: bytes
    ) -> list[Outcome]:
        """One message to recipients of one domain, from one sender with one set of MAIL
        parameters: one transaction per host with a RCPT each (RFC 5321 3.3), and an
        outcome per recipient, in order. A recipient a host refuses for now goes on to the
        next host with the others that are still open."""
        domain = envelopes[0].rcpt_to.rpartition("@")[2].lower()
        try:
            hops = await self._router.hops(domain)
        except RouteError as exc:
            kind: Literal["permanent", "temporary"] = "permanent" if exc.permanent else "temporary"
            return [Outcome(kind, exc.reply) for _ in envelopes]
        settled: dict[int, Outcome] = {}
        failures: list[list[str]] = [[] for _ in envelopes]
        for hop in hops:
            open_ = [i for i in range(len(envelopes)) if i not in settled]
            if not open_:
                break
            try:
                results = await self._send_to(hop, [envelopes[i] for i in open_], message, domain)
            except _HostFailedError as exc:
                results = [_TryNextHost(exc.reply) for _ in open_]
            for i, result in zip(open_, results, strict=True):
                if isinstance(result, Outcome):
                    settled[i] = result
                else:
                    failures[i].append(result.reply)
        return [settled.get(i) or _final(failures[i]) for i in range(len(envelopes))]

    async def _send_to(
        self, hop: NextHop, envelopes: list[OutboundEnvelope], message: bytes, domain: str
    ) -> list[_Result]:
        client = aiosmtplib.SMTP(
            hostname=hop.host,
            port=hop.port,
            local_hostname=self._helo,
            timeout=_TIMEOUT,
            start_tls=False,
        )
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            reply = _reply(exc) if isinstance(exc, aiosmtplib.SMTPResponseException) else ""
            raise _HostFailedError(reply or "451 4.4.1 no answer from the receiving host") from None
        try:
            return await self._transact(client, hop, envelopes, message, domain)
        except aiosmtplib.SMTPResponseException as exc:
            raise _HostFailedError(_reply(exc)) from None
        except (aiosmtplib.SMTPException, OSError, ssl.SSLError):
            raise _HostFailedError("451 4.4.2 the connection to the receiving host broke") from None
        finally:
            client.close()

    async def _secure(
        self, client: aiosmtplib.SMTP, hop: NextHop, domain: str, requiretls: bool
    ) -> bool:
        """STARTTLS as the policy asks; returns whether the channel is now encrypted."""
        login = hop.configured and self._login is not None
        # A relay password never crosses the wire in clear.
        required = requiretls or login or domain in self._require_tls
        if not client.supports_extension("starttls"):
            if required:
                raise _HostFailedError("451 4.7.10 TLS is required but the host does not offer it")
            return False
        try:
            # A relay login is sent only to a host whose certificate checks out.
            await client.starttls(server_hostname=hop.host, validate_certs=requiretls or login)
        except (aiosmtplib.SMTPException, ssl.SSLError, OSError):
            raise _HostFailedError(
                "451 4.7.5 the TLS handshake with the receiving host failed"
            ) from None
        await client.ehlo()
        if requiretls and not client.supports_extension("requiretls"):
            raise _HostFailedError("550 5.7.30 REQUIRETLS is required but the host lacks it")
        return True

    async def _transact(
        self,
        client: aiosmtplib.SMTP,
        hop: NextHop,
        envelopes: list[OutboundEnvelope],
        message: bytes,
        domain: str,
    ) -> list[_Result]:
        first = envelopes[0]
        requiretls = asks_requiretls(first)
        await client.ehlo()
        encrypted = await self._secure(client, hop, domain, requiretls)
        if hop.configured and self._login is not None and encrypted:
            await client.login(self._login.username, self._login.password.reveal())
        mail_options = [f"SIZE={len(message)}"] if client.supports_extension("size") else []
        if requiretls:
            mail_options.append("REQUIRETLS")
        if client.supports_extension("8bitmime") and not message.isascii():
            mail_options.append("BODY=8BITMIME")
        results: list[_Result | None] = [None] * len(envelopes)
        utf8 = not first.mail_from.isascii() or not all(e.rcpt_to.isascii() for e in envelopes)
        if utf8 and not client.supports_extension("smtputf8"):
            refused = Outcome("permanent", "553 5.6.7 the host cannot take non-ASCII addresses")
            if not first.mail_from.isascii():
                return [refused for _ in envelopes]
            results = [None if e.rcpt_to.isascii() else refused for e in envelopes]
            utf8 = False
        if utf8:
            mail_options.append("SMTPUTF8")
        encoding = "utf-8" if utf8 else "ascii"
        try:
            await client.mail(first.mail_from, options=mail_options, encoding=encoding)
        except aiosmtplib.SMTPResponseException as exc:
            # RFC 5321 5.1: a transient refusal sends the message on to the next host; a
            # permanent one is the domain's verdict and stands.
            if exc.code < 500:
                raise _HostFailedError(_reply(exc)) from None
            return [Outcome("permanent", _reply(exc), hop.host) for _ in envelopes]
        accepted = []
        for i, envelope in enumerate(envelopes):
            if results[i] is not None:
                continue
            try:
                rcpt_options = self._rcpt_options(client, envelope)
                await client.rcpt(envelope.rcpt_to, options=rcpt_options, encoding=encoding)
            except aiosmtplib.SMTPResponseException as exc:
                results[i] = _refusal(exc, hop)
            else:
                accepted.append(i)
        if accepted:
            try:
                done = await client.data(message)
            except aiosmtplib.SMTPResponseException as exc:
                for i in accepted:
                    results[i] = _refusal(exc, hop)
            else:
                reply = f"{done.code} {done.message}".strip()
                for i in accepted:
                    results[i] = Outcome("delivered", reply, hop.host)
        # Accepted at DATA: a failed QUIT must not turn it into a retry (a duplicate).
        with contextlib.suppress(aiosmtplib.SMTPException, OSError):
            await client.quit()
        return [r if r is not None else _TryNextHost("451 4.4.2 not attempted") for r in results]

    @staticmethod
    def _rcpt_options(client: aiosmtplib.SMTP, envelope: OutboundEnvelope) -> list[str]:
        """RFC 3461 NOTIFY/ORCPT passed on where the host speaks DSN."""
        if not client.supports_extension("dsn"):
            return []
        return [
            name.upper() if value is None else f"{name.upper()}={value}"
            for name, value in (envelope.rcpt_parameters or {}).items()
            if name.upper() in {"NOTIFY", "ORCPT"}
        ]


def _refusal(exc: aiosmtplib.SMTPResponseException, hop: NextHop) -> _Result:
    """A 5xx at RCPT or DATA is that recipient's verdict; a 4xx tries the next host."""
    if exc.code < 500:
        return _TryNextHost(_reply(exc))
    return Outcome("permanent", _reply(exc), hop.host)
