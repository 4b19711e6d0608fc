"""`sealbox serve`: every enabled listener in one process, stopped cleanly by SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import ssl
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import uvicorn

from api.app import create_app
from api.config import ConfigError, Settings
from api.core.blob_purge import purge_blobs_periodically
from api.delivery.queue_sender import send_periodically
from api.demo import create_demo_account
from api.search.ram_dir import check_ram_dir
from api.services import Services, build_services
from api.tls import ensure_certificate, server_ssl_context
from compat.imap.listener import start_imap
from compat.pop3.listener import start_pop3
from compat.smtp.listeners import SmtpListener, start_smtp_listeners
from compat.tls_listeners import TlsListeners

__all__ = ["serve"]

log = logging.getLogger("sealbox.server")


class _HttpServer(uvicorn.Server):
    # One process, many listeners: signals are ours to route, not uvicorn's.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _say(line: str) -> None:
    print(line, flush=True)


def _url(settings: Settings, port: int) -> str:
    host = settings.hostname if settings.hostname else settings.bind
    return f"https://{host}:{port}/"


async def _announce_demo(services: Services) -> None:
    demo = await create_demo_account(services)
    if demo is None:
        return
    _say("sealbox: created a demo account on this fresh data directory")
    _say(f"sealbox:   address  {demo.address}")
    _say(f"sealbox:   password {demo.password}")


# What an IMAP or POP3 start function is: services and TLS in, running listeners out.
_StartLines = Callable[[Services, ssl.SSLContext], Awaitable[TlsListeners]]


async def _start_lines(
    services: Services, name: str, start: _StartLines, ports: tuple[int, int], upgrade: str
) -> TlsListeners:
    """Start a line protocol's plain (then `upgrade`) and implicit-TLS ports; one line out."""
    settings = services.settings
    cert, key, generated = ensure_certificate(settings)
    if generated:
        _say(f"sealbox: generated a self-signed TLS certificate at {cert}")
    try:
        listeners = await start(services, server_ssl_context(cert, key))
    except OSError as exc:
        raise ConfigError(
            f"the {name.upper()} listener could not start on port {ports[0]} or "
            f"{ports[1]} ({exc.strerror})"
        ) from exc
    host = settings.hostname if settings.hostname else settings.bind
    bound = [p for _, p in listeners.ports()]
    kinds = []
    if ports[0]:
        kinds.append(f"{name}://{host}:{bound[0]} ({upgrade})")
    if ports[1]:
        kinds.append(f"{name}s://{host}:{bound[-1]} (TLS)")
    _say(f"sealbox: {name} listening on " + ", ".join(kinds))
    return listeners


class _Listener:
    """A started listener: its task, and how to ask it to stop."""

    def __init__(self, server: _HttpServer, task: asyncio.Task[None]) -> None:
        self.server = server
        self.task = task

    async def stop(self) -> None:
        self.server.should_exit = True
        await self.task


async def _serve_http(server: _HttpServer) -> None:
    try:
        await server.serve()
    except SystemExit:
        # uvicorn exits when it cannot bind (after logging why). Raised inside a task, that
        # would end the event loop at once, skipping our clean shutdown and error message.
        return


async def _start_http(services: Services) -> _Listener:
    settings = services.settings
    cert, key, generated = ensure_certificate(settings)
    server_ssl_context(cert, key)  # fail early, with a clear message, on a bad pair
    if generated:
        _say(f"sealbox: generated a self-signed TLS certificate at {cert}")
    config = uvicorn.Config(
        create_app(services),
        host=settings.bind,
        port=settings.http_port,
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
        log_config=None,
        access_log=False,
        server_header=False,
        # We terminate TLS ourselves, so nothing in front can vouch for X-Forwarded-For;
        # uvicorn would trust it from 127.0.0.1 and let anyone reset the per-client throttle.
        proxy_headers=False,
        lifespan="off",
        # Idle TLS clients would otherwise hold a SIGTERM up for the 30 s close handshake.
        timeout_graceful_shutdown=5,
    )
    server = _HttpServer(config)
    task = asyncio.create_task(_serve_http(server))
    # uvicorn exposes readiness only as a flag, so poll it briefly.
    while not server.started and not task.done():  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    if task.done():
        raise ConfigError(
            f"the HTTPS listener could not start on port {settings.http_port} "
            "(in use, or not allowed?)"
        )
    _say(
        f"sealbox: https listening on {_url(settings, settings.http_port)} "
        "(webmail at /webmail/, /auth, API docs at /openapi/swagger)"
    )
    return _Listener(server, task)


_SMTP_ROLES = {
    "smtp": "inbound MX, STARTTLS",
    "submission": "submission, STARTTLS then AUTH",
    "submissions": "submission, implicit TLS",
}


async def _start_smtp(services: Services) -> list[SmtpListener]:
    settings = services.settings
    if not (settings.smtp_port or settings.submission_port or settings.submissions_port):
        return []
    cert, key, generated = ensure_certificate(settings)
    if generated:
        _say(f"sealbox: generated a self-signed TLS certificate at {cert}")
    try:
        listeners = await start_smtp_listeners(services, server_ssl_context(cert, key))
    except OSError as exc:
        raise ConfigError(f"an SMTP listener could not start on the {exc.strerror}") from exc
    host = settings.hostname if settings.hostname else settings.bind
    for listener in listeners:
        role = _SMTP_ROLES[listener.name]
        _say(f"sealbox: {listener.name} listening on {host}:{listener.port} ({role})")
    return listeners


async def serve(settings: Settings) -> None:
    if not settings.search_ram_dir_allow_disk:
        check_ram_dir(Path(settings.search_ram_dir))
    services = build_services(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    listeners: list[_Listener | TlsListeners] = []
    smtp: list[SmtpListener] = []
    try:
        await services.store.migrate()
        await services.start()
        await _announce_demo(services)
        if settings.http_port:
            listeners.append(await _start_http(services))
        if settings.imap_port or settings.imaps_port:
            imap_ports = (settings.imap_port, settings.imaps_port)
            listeners.append(
                await _start_lines(services, "imap", start_imap, imap_ports, "STARTTLS")
            )
        if settings.pop3_port or settings.pop3s_port:
            pop3_ports = (settings.pop3_port, settings.pop3s_port)
            listeners.append(await _start_lines(services, "pop3", start_pop3, pop3_ports, "STLS"))
        smtp = await _start_smtp(services)
        if not listeners and not smtp:
            _say("sealbox: every listener is disabled (all ports are 0); nothing to serve")
            return
        purge = asyncio.create_task(
            purge_blobs_periodically(services.blobs, retention=services.retention)
        )
        sending = asyncio.create_task(
            send_periodically(services.queue_sender, settings.outbound_interval_seconds)
        )
        _say("sealbox: ready")
        await stop.wait()
        for task in (purge, sending):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        _say("sealbox: stopping")
    finally:
        # End push streams first, or they would hold the listeners' graceful stop open.
        services.state_broker.close()
        for smtp_listener in smtp:
            await smtp_listener.stop()
        for listener in listeners:
            await listener.stop()
        await services.close()
        _say("sealbox: stopped")
