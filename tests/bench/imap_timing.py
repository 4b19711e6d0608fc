"""The timed IMAP commands of bench_imap.py, run the same way against Sealbox and Dovecot
(RFC 9051 6.3.2 SELECT, 6.4.5 FETCH, RFC 2177 IDLE, RFC 7162 QRESYNC) through one minimal
TLS client."""

from __future__ import annotations

import asyncio
import re
import ssl
import statistics
import time
from collections.abc import Awaitable, Callable

__all__ = ["LineClient", "Timings", "connect", "time_idle", "time_qresync", "time_suite"]

# (median, best, median CPU of this process) in milliseconds, by measure. The CPU is
# time.process_time: for Sealbox server and client together, for Dovecot the client only.
Timings = dict[str, tuple[float, float, float]]


class LineClient:
    """Just enough IMAP client to time commands: send, read until the tagged reply.

    Reads in large chunks and splits lines itself: asyncio's readline per line cost more
    than the server's own work for a 16,000-line FETCH, and it is charged to both servers.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer, self.count = reader, writer, 0
        self._buffer = bytearray()

    async def _more(self) -> None:
        chunk = await self.reader.read(1 << 20)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self._buffer += chunk

    async def line(self) -> bytes:
        while (end := self._buffer.find(b"\r\n")) < 0:
            await self._more()
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 2]
        return line

    async def command(self, text: str) -> int:
        """Send a command; the number of untagged lines (literals skipped) before its OK."""
        self.count += 1
        tag = f"b{self.count} ".encode()
        self.writer.write(tag + text.encode() + b"\r\n")
        lines, at, buffer = 0, 0, self._buffer
        while True:
            end = buffer.find(b"\r\n", at)
            if end < 0:
                del buffer[:at]
                at = 0
                await self._more()
                buffer = self._buffer
                continue
            if buffer.startswith(tag, at):
                status = bytes(buffer[at:end])
                del buffer[: end + 2]
                assert status.startswith(tag + b"OK"), status
                return lines
            if buffer[end - 1] == 0x7D:  # "}": a literal follows, skip its octets
                size = int(buffer[buffer.rindex(b"{", at, end) + 1 : end - 1])
                while len(buffer) < end + 2 + size:
                    await self._more()
                at = end + 2 + size
                continue  # the rest of the response line ends at the next CRLF
            lines += 1
            at = end + 2


async def _value(imap: LineClient, command: str, name: bytes) -> int:
    """A response code's number (UIDVALIDITY, HIGHESTMODSEQ) from a command's lines."""
    imap.count += 1
    tag = f"b{imap.count} ".encode()
    imap.writer.write(tag + command.encode() + b"\r\n")
    found = None
    while not (line := await imap.line()).startswith(tag):
        found = found or re.search(rb"\[" + name + rb" (\d+)\]", line)
    assert found is not None and line.startswith(tag + b"OK"), line
    return int(found[1])


async def connect(port: int, tls: ssl.SSLContext, login: str) -> LineClient:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=tls)
    imap = LineClient(reader, writer)
    await imap.line()  # the greeting
    await imap.command(login)
    return imap


async def _median_ms(run: Callable[[], Awaitable[object]], runs: int) -> tuple[float, float, float]:
    timings, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        await run()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return statistics.median(timings), min(timings), statistics.median(cpu)


async def time_suite(imap: LineClient, messages: int) -> Timings:
    """(a) SELECT, (b) UID FETCH 1:* (UID FLAGS), (c) the newest 100 bodies, (e)-(g) SORT
    and THREAD over the whole mailbox (RFC 5256), (h)-(i) a flag SEARCH."""
    timings: Timings = {}
    started, cpu_started = time.perf_counter(), time.process_time()
    await imap.command("SELECT INBOX")
    first = (time.perf_counter() - started) * 1000
    timings["(a0) first SELECT INBOX"] = (first, first, (time.process_time() - cpu_started) * 1000)
    timings["(a) SELECT INBOX"] = await _median_ms(lambda: imap.command("SELECT INBOX"), 20)
    listed = await imap.command("UID FETCH 1:* (UID FLAGS)")
    assert listed == messages, listed
    timings["(b) UID FETCH 1:* (UID FLAGS)"] = await _median_ms(
        lambda: imap.command("UID FETCH 1:* (UID FLAGS)"), 10
    )
    newest = f"UID FETCH {messages - 99}:* (BODY.PEEK[])"
    assert await imap.command(newest) == 100
    timings["(c) UID FETCH newest 100 BODY.PEEK[]"] = await _median_ms(
        lambda: imap.command(newest), 20
    )
    # The first SORT reads every member's facts (sealed summaries); the rest reuse them.
    timings["(e0) first UID SORT (REVERSE DATE) ALL"] = await _median_ms(
        lambda: imap.command("UID SORT (REVERSE DATE) UTF-8 ALL"), 1
    )
    for label, command in (
        ("(e) UID SORT (REVERSE DATE) ALL", "UID SORT (REVERSE DATE) UTF-8 ALL"),
        ("(f) UID SORT (SUBJECT) ALL", "UID SORT (SUBJECT) UTF-8 ALL"),
        ("(g) UID THREAD REFERENCES ALL", "UID THREAD REFERENCES UTF-8 ALL"),
        ("(h) UID SEARCH UNSEEN", "UID SEARCH UNSEEN"),
        ("(i) SEARCH UNSEEN", "SEARCH UNSEEN"),
    ):
        timings[label] = await _median_ms(lambda command=command: imap.command(command), 5)
    return timings


async def time_idle(imap: LineClient, deliver: Callable[[int], Awaitable[object]]) -> Timings:
    """(d) IDLE: from a delivery starting to `* n EXISTS` arriving."""
    latencies = []
    for i in range(10):
        imap.count += 1
        tag = f"b{imap.count} ".encode()
        imap.writer.write(tag + b"IDLE\r\n")
        assert (await imap.line()).startswith(b"+")
        began = time.perf_counter()
        await deliver(i)
        while not (await imap.line()).endswith(b" EXISTS"):
            pass
        latencies.append((time.perf_counter() - began) * 1000)
        imap.writer.write(b"DONE\r\n")
        while not (await imap.line()).startswith(tag):
            pass
    latency = statistics.median(latencies)
    return {"(d) IDLE: delivery -> * n EXISTS": (latency, min(latencies), float("nan"))}


async def time_qresync(imap: LineClient, change: Callable[[], Awaitable[object]]) -> Timings:
    """(j) a client's resync after 10 flag changes and 10 expunges elsewhere: one SELECT
    (QRESYNC ...), against what a CONDSTORE-only client sends for the same facts (SELECT,
    UID SEARCH ALL to find the expunged, UID FETCH 1:* (FLAGS) (CHANGEDSINCE m))."""
    await imap.command("ENABLE QRESYNC")
    validity = await _value(imap, "SELECT INBOX", b"UIDVALIDITY")
    modseq = await _value(imap, "SELECT INBOX", b"HIGHESTMODSEQ")
    await imap.command("UNSELECT")
    await change()
    qresync = f"SELECT INBOX (QRESYNC ({validity} {modseq}))"
    lines = await imap.command(qresync)

    async def condstore() -> None:
        await imap.command("SELECT INBOX")
        await imap.command("UID SEARCH ALL")
        await imap.command(f"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {modseq})")

    print(f"(j) SELECT (QRESYNC) answered {lines} lines")
    return {
        "(j) resync: SELECT (QRESYNC)": await _median_ms(lambda: imap.command(qresync), 20),
        "(j') resync: SELECT+SEARCH+CHANGEDSINCE": await _median_ms(condstore, 20),
    }
