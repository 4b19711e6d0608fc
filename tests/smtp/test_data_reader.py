"""The bulk DATA reader against a real asyncio stream: whatever the chunking, it returns
the message as sent (dot-stuffing undone) and leaves pipelined commands after the marker."""

from __future__ import annotations

import asyncio
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from compat.smtp.data_reader import DataProblem, DataRead, read_data

LINE_LIMIT = 1001
# Lines built from the octets that matter here: dots, CR, LF and one ordinary letter.
_line = st.text(alphabet=".\r\na", max_size=12).map(lambda t: t.replace("\r\n", "\n"))


def stuffed(content: bytes) -> bytes:
    """The wire form: RFC 5321 4.5.2 dot-stuffing and the end-of-data marker."""
    lines = content.split(b"\r\n")[:-1] if content else []
    wire = b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n" for line in lines)
    return wire + b".\r\n"


async def read(
    wire: bytes, cuts: list[int], size_limit: int | None = None
) -> tuple[DataRead, bytes]:
    reader = asyncio.StreamReader(limit=64)  # small, so the overrun path runs too
    points = sorted({c % (len(wire) + 1) for c in cuts} | {0, len(wire)})

    async def feed() -> None:
        for start, end in itertools.pairwise(points):
            reader.feed_data(wire[start:end])
            await asyncio.sleep(0)
        reader.feed_eof()

    feeding = asyncio.create_task(feed())
    got = await read_data(reader, size_limit, LINE_LIMIT)
    await feeding
    return got, await reader.read()


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(_line, max_size=30), cuts=st.lists(st.integers(0, 10_000), max_size=8))
def test_any_message_reads_back_as_sent(lines: list[str], cuts: list[int]) -> None:
    content = b"".join(line.encode() + b"\r\n" for line in lines)
    wire = stuffed(content) + b"QUIT\r\n"

    got, rest = asyncio.run(read(wire, cuts))

    assert got == DataRead(content) and rest == b"QUIT\r\n"


def test_an_empty_message_and_a_lone_dot_line() -> None:
    assert asyncio.run(read(b".\r\nNOOP\r\n", [])) == (DataRead(b""), b"NOOP\r\n")
    got, _ = asyncio.run(read(b"..\r\n.\r\n", [1, 2, 3]))
    assert got.content == b".\r\n"


def test_too_much_data_is_drained_then_refused() -> None:
    wire = b"x" * 500 + b"\r\n" + b"y" * 500 + b"\r\n.\r\nQUIT\r\n"
    got, rest = asyncio.run(read(wire, [7, 300], size_limit=600))
    assert got.problem is DataProblem.TOO_BIG and rest == b"QUIT\r\n"
    fits, _ = asyncio.run(read(wire, [], size_limit=1004))
    assert fits.problem is None


def test_a_line_over_the_limit_is_refused() -> None:
    got, rest = asyncio.run(read(b"a" * 1000 + b"\r\n.\r\nQUIT\r\n", [5]))
    assert got.problem is DataProblem.LINE_TOO_LONG and rest == b"QUIT\r\n"
    fits, _ = asyncio.run(read(b"a" * 999 + b"\r\n.\r\n", []))
    assert fits.problem is None
