"""The three SMTP listeners: MX with STARTTLS (RFC 3207), submission with STARTTLS
required before AUTH (RFC 6409), submissions with implicit TLS (RFC 8314 3.3)."""

from __future__ import annotations

import asyncio
import ssl
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.core.recipient_check import RecipientCheck
from api.delivery.dmarc_check import load_public_suffixes
from api.delivery.dns_lookup import build_resolver
from api.delivery.inbound_bounce import InboundBounces
from api.delivery.mx_workers import CheckSettings, MxWorkers
from api.delivery.sender_checks import SenderChecks
from api.services import Services
from compat.smtp.limits import ClientLimits
from compat.smtp.mx_handler import MxHandler
from compat.smtp.protocol import SealboxSMTP
from compat.smtp.submission_handler import SubmissionHandler

__all__ = ["SmtpListener", "start_smtp_listeners"]

# An idle client is dropped after this long (RFC 5321 4.5.3.2.7 asks for 5 minutes).
IDLE_SECONDS = 300


@dataclass
class SmtpListener:
    name: str
    server: asyncio.Server
    # Weak: a finished session leaves by itself.
    sessions: weakref.WeakSet[SealboxSMTP]
    # The MX's worker processes, stopped with it.
    workers: MxWorkers | None = None

    @property
    def port(self) -> int:
        return int(self.server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self.server.close()
        # On Python 3.11 wait_closed does not end open sessions: close them ourselves.
        for session in list(self.sessions):
            if session.transport is not None:
                session.transport.close()
        await self.server.wait_closed()
        if self.workers is not None:
            await self.workers.close()


def _factory(
    sessions: weakref.WeakSet[SealboxSMTP], make: Callable[[], SealboxSMTP]
) -> Callable[[], Any]:
    def build() -> SealboxSMTP:
        protocol = make()
        sessions.add(protocol)
        return protocol

    return build


async def _listen(
    services: Services, name: str, port: int, make: Callable[[], SealboxSMTP], tls: Any
) -> SmtpListener:
    sessions: weakref.WeakSet[SealboxSMTP] = weakref.WeakSet()
    try:
        server = await asyncio.get_running_loop().create_server(
            _factory(sessions, make), host=services.settings.bind, port=port, ssl=tls
        )
    except OSError as exc:
        # Name the port: serve turns this into its one-line error.
        raise OSError(exc.errno, f"{name} port {port}: {exc.strerror}") from exc
    return SmtpListener(name, server, sessions)


async def _start_workers(processes: int, settings: CheckSettings) -> MxWorkers | None:
    if not processes:
        await asyncio.to_thread(load_public_suffixes)  # the checks run in this process
        return None
    workers = MxWorkers(processes, settings)
    await workers.start()
    return workers


async def start_smtp_listeners(services: Services, tls: ssl.SSLContext) -> list[SmtpListener]:
    """Every SMTP listener whose port is not 0, already accepting connections; or none.

    A listener that cannot start stops those started before it (the MX with its worker
    processes), since the caller never gets them to stop.
    """
    listeners: list[SmtpListener] = []
    try:
        await _start_each(services, tls, listeners)
    except BaseException:
        for listener in listeners:
            await listener.stop()
        raise
    return listeners


async def _start_each(
    services: Services, tls: ssl.SSLContext, listeners: list[SmtpListener]
) -> None:
    settings = services.settings
    limits = ClientLimits(
        settings.smtp_max_connections_per_ip, settings.smtp_max_messages_per_ip_per_minute
    )
    common: dict[str, Any] = {
        "limits": limits,
        "hostname": settings.hostname,
        "ident": "Sealbox ESMTP",
        "data_size_limit": settings.max_message_octets,
        "enable_SMTPUTF8": True,
        "timeout": IDLE_SECONDS,
    }
    if settings.smtp_port:
        check_settings = CheckSettings(
            settings.dns_zone_file,
            settings.authserv_id or settings.hostname,
            settings.dmarc_enforce_reject,
            services.blobs.process_writer(),
        )
        checks = SenderChecks(
            build_resolver(check_settings.dns_zone_file),
            check_settings.authserv_id,
            check_settings.enforce_by_default,
        )
        bounces = InboundBounces(services.delivery, services.outbound, settings.hostname)
        recipients = RecipientCheck(services.store, services.quota)
        workers = await _start_workers(settings.smtp_worker_processes, check_settings)
        mx = MxHandler(services.delivery, recipients, checks, limits, bounces, workers)
        # The MX answers every AUTH itself (503): without TLS too, so none asks for TLS first.
        make_mx = lambda: SealboxSMTP(  # noqa: E731
            mx, tls_context=tls, auth_require_tls=False, **common
        )
        try:
            listener = await _listen(services, "smtp", settings.smtp_port, make_mx, None)
        except BaseException:
            if workers is not None:
                await workers.close()
            raise
        listener.workers = workers
        listeners.append(listener)
    submission = SubmissionHandler(services)
    # Submission: AUTH only over TLS (aiosmtpd's default), and MAIL only after AUTH.
    auth = {"auth_required": True, "auth_require_tls": True, **common}
    if settings.submission_port:
        make_sub = lambda: SealboxSMTP(  # noqa: E731
            submission, tls_context=tls, require_starttls=True, **auth
        )
        port = settings.submission_port
        listeners.append(await _listen(services, "submission", port, make_sub, None))
    if settings.submissions_port:
        make_subs = lambda: SealboxSMTP(submission, implicit_tls=True, **auth)  # noqa: E731
        port = settings.submissions_port
        listeners.append(await _listen(services, "submissions", port, make_subs, tls))
