"""Worker processes for the MX's CPU work: sender checks (SPF, DKIM, ARC, DMARC; RFC 7489
6.6) and sealing each copy to its recipient's public key (api.core.delivery_sealing).

In threads this work would share the interpreter's one lock with the event loop, which
then could use one core only. Each worker is its own process, forked from a forkserver
(single-threaded, so no lock held by one of the server's threads is forked with it) that
imported this module once. It reads requests from a socket pair and answers each from a
small thread pool of its own, so slow DNS answers overlap as they do in the server.

Nothing secret crosses: the message, public keys, and back a verdict and ciphertext. Both
kinds of work are pure, so a worker that dies fails its requests with WorkerLostError
before anything is stored (the MX answers 451 and the client's retry stores the message
once), and a new worker takes its place.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import pickle
import signal
import socket
import struct
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any

from api.core.delivery_sealing import SealedCopy, seal_copies, written_copy
from api.delivery.dmarc_check import load_public_suffixes
from api.delivery.dns_lookup import build_resolver
from api.delivery.sender_checks import SenderChecks, SenderVerdict
from api.store.blobs.backend import ProcessWriter
from api.store.ids import AccountId

__all__ = ["CheckSettings", "MxWorkers", "WorkerLostError"]

log = logging.getLogger("sealbox.smtp")

# Imported once in the forkserver, so a forked worker starts with nothing to import.
_PRELOAD = ["__main__", "api.delivery.mx_workers"]
_FRAME = struct.Struct("!Q")
# Requests one worker runs at once: enough to overlap lookups waiting on name servers,
# few enough that requests busy on the CPU do not thrash the worker's interpreter lock.
_THREADS = 4
_STOP_SECONDS = 10.0
_RESTART_SECONDS = 0.5
# A worker's first frame: set up, it takes requests.
_READY = (-1, True, None)


class WorkerLostError(Exception):
    """A worker process ended with this request unanswered; nothing of it was stored."""


@dataclass(frozen=True, slots=True)
class CheckSettings:
    """How a worker builds its SenderChecks (api.config names)."""

    dns_zone_file: str
    authserv_id: str
    enforce_by_default: bool
    # Where the worker writes each copy's blob itself (the blob store's files); None: the
    # ciphertext goes back to the server, which puts it (an object store).
    blob_writer: ProcessWriter | None = None


def _send(sock: socket.socket, lock: threading.Lock, message: object) -> None:
    frame = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    with lock:
        sock.sendall(_FRAME.pack(len(frame)) + frame)


def _answer(
    sock: socket.socket,
    lock: threading.Lock,
    checks: SenderChecks,
    writer: ProcessWriter | None,
    request: tuple[Any, ...],
) -> None:
    request_id, (raw, ip, mail_from, helo, recipients) = request
    try:
        verdict = checks.check_blocking(raw, ip, mail_from, helo)
        copies = seal_copies(verdict.stamped, recipients)
        if writer is not None:
            copies = [written_copy(copy, writer) for copy in copies]
        result = (verdict, copies)
    except Exception as exc:  # the server says 451 either way; it gets the kind of error
        _send(sock, lock, (request_id, False, type(exc).__name__))
    else:
        _send(sock, lock, (request_id, True, result))


def _serve(sock: socket.socket, settings: CheckSettings) -> None:
    """A worker's life: answer requests until the server closes its end."""
    # The server decides when its workers stop; a terminal's Ctrl-C reaches it first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    checks = SenderChecks(
        build_resolver(settings.dns_zone_file), settings.authserv_id, settings.enforce_by_default
    )
    load_public_suffixes()
    lock = threading.Lock()
    _send(sock, lock, _READY)
    with ThreadPoolExecutor(_THREADS) as threads, sock.makefile("rb") as reader:
        while len(header := reader.read(_FRAME.size)) == _FRAME.size:
            (size,) = _FRAME.unpack(header)
            request = pickle.loads(reader.read(size))  # noqa: S301 (our own server's socket pair)
            threads.submit(_answer, sock, lock, checks, settings.blob_writer, request)


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    pending: dict[int, asyncio.Future[Any]] = field(default_factory=dict)


class MxWorkers:
    def __init__(self, processes: int, settings: CheckSettings) -> None:
        self._count = processes
        self._settings = settings
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOAD)
        self._workers: list[_Worker] = []
        self._ids = itertools.count()
        self._closed = False
        # Every worker's listener, a lost one's too while it starts the replacement.
        self._listeners: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        for _ in range(self._count):
            self._workers.append(await self._start_one())

    async def check_and_seal(
        self,
        raw: bytes,
        ip: str,
        mail_from: str,
        helo: str,
        recipients: Sequence[tuple[AccountId, bytes]],
    ) -> tuple[SenderVerdict, list[SealedCopy]]:
        """SenderChecks.check, then the stamped message sealed for each (account, public
        key) by `seal_copies`, in one worker; WorkerLostError if the worker died."""
        answer: tuple[SenderVerdict, list[SealedCopy]] = await self._call(
            (raw, ip, mail_from, helo, list(recipients))
        )
        return answer

    async def close(self) -> None:
        """End every worker and wait for it (serve leaves no process behind)."""
        self._closed = True
        workers, self._workers = self._workers, []
        for worker in workers:
            if worker.writer.can_write_eof() and not worker.writer.is_closing():
                worker.writer.write_eof()  # the worker answers what it has, then ends
        for worker in workers:
            await asyncio.to_thread(worker.process.join, _STOP_SECONDS)
            if worker.process.is_alive():
                worker.process.kill()
                await asyncio.to_thread(worker.process.join)
        await asyncio.gather(*self._listeners)

    async def _start_one(self) -> _Worker:
        ours, theirs = socket.socketpair()
        process = self._context.Process(
            target=_serve, args=(theirs, self._settings), name="sealbox-mx-worker", daemon=True
        )
        try:
            await asyncio.to_thread(process.start)
        finally:
            theirs.close()
        reader, writer = await asyncio.open_connection(sock=ours)
        try:
            (size,) = _FRAME.unpack(await reader.readexactly(_FRAME.size))
            ready = pickle.loads(await reader.readexactly(size))  # noqa: S301 (our own worker)
        except (asyncio.IncompleteReadError, ConnectionError):
            ready = None
        if ready != _READY:
            writer.close()
            await asyncio.to_thread(process.join, _STOP_SECONDS)
            raise WorkerLostError("an MX worker did not start")
        worker = _Worker(process, reader, writer)
        listening = asyncio.create_task(self._listen(worker))
        self._listeners.add(listening)
        listening.add_done_callback(self._listeners.discard)
        return worker

    async def _call(self, args: tuple[Any, ...]) -> Any:
        if not self._workers:
            raise WorkerLostError("no MX worker is running")
        worker = min(self._workers, key=lambda w: len(w.pending))
        request_id = next(self._ids)
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        worker.pending[request_id] = answer
        frame = pickle.dumps((request_id, args), protocol=pickle.HIGHEST_PROTOCOL)
        # Should the worker have ended, its listener fails `answer` as it sees the end.
        with contextlib.suppress(ConnectionError, RuntimeError):
            worker.writer.write(_FRAME.pack(len(frame)) + frame)
        return await answer

    async def _listen(self, worker: _Worker) -> None:
        """Hand each answer to its waiter; when the worker ends, fail the rest, replace it."""
        try:
            while True:
                (size,) = _FRAME.unpack(await worker.reader.readexactly(_FRAME.size))
                frame = await worker.reader.readexactly(size)
                request_id, ok, result = pickle.loads(frame)  # noqa: S301 (our own worker)
                answer = worker.pending.pop(request_id)
                if ok:
                    answer.set_result(result)
                else:
                    answer.set_exception(RuntimeError(f"MX worker failed: {result}"))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        # No await until it is out of the list: no request can be sent to it after this.
        for answer in worker.pending.values():
            if not answer.done():
                answer.set_exception(WorkerLostError("an MX worker ended"))
        worker.pending.clear()
        worker.writer.close()
        if self._closed or worker not in self._workers:
            return
        self._workers.remove(worker)
        log.error("mx worker lost", extra={"event": "smtp.worker_lost"})
        await asyncio.to_thread(worker.process.join)
        while not self._closed:
            # A worker that cannot live must not be restarted in a tight loop.
            await asyncio.sleep(_RESTART_SECONDS)
            try:
                replacement = await self._start_one()
            except WorkerLostError:
                continue
            if self._closed:
                replacement.writer.close()
                await asyncio.to_thread(replacement.process.join, _STOP_SECONDS)
            else:
                self._workers.append(replacement)
            return
