"""The DATA section (RFC 5321 4.1.1.4, 4.5.2) read in bulk rather than line by line.

aiosmtpd reads DATA one line at a time, a dozen Python steps per line; most of an
inbound message's time on the event loop went there. This reader asks the stream for
everything up to the end-of-data marker at once and undoes dot-stuffing with one
replace, then checks the line length limit over the whole message.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import Enum

__all__ = ["DataProblem", "DataRead", "read_data"]

_END = b"\r\n.\r\n"
# The most of the marker that can hang off the end of the octets read so far.
_TAIL = len(_END) - 1


class DataProblem(Enum):
    TOO_BIG = "too_big"
    LINE_TOO_LONG = "line_too_long"


@dataclass(frozen=True, slots=True)
class DataRead:
    content: bytes
    problem: DataProblem | None = None


def _marker_prefix(data: bytearray) -> int:
    """The length of the longest tail of `data` that begins the end-of-data marker."""
    for length in range(min(_TAIL, len(data)), 0, -1):
        if data.endswith(_END[:length]):
            return length
    return 0


async def read_data(
    reader: asyncio.StreamReader, size_limit: int | None, line_limit: int
) -> DataRead:
    """Read through the end-of-data marker: the unstuffed content, or why it is refused.

    Never reads past the marker, so pipelined commands after it stay in the stream.
    """
    # The data starts at a line start: a CRLF in front lets one marker search also find
    # an empty message (".\r\n" straight away) and a dot-stuffed first line.
    data = bytearray(b"\r\n")
    octets = 0
    too_big = False
    while not data.endswith(_END):
        partial = _marker_prefix(data)
        if partial:
            # The marker may have begun already: read only what could complete it.
            chunk = await reader.readexactly(len(_END) - partial)
        else:
            try:
                chunk = await reader.readuntil(_END)
            except asyncio.LimitOverrunError as overrun:
                # No marker in the buffered octets: take what cannot hold its start.
                chunk = await reader.readexactly(overrun.consumed)
        data += chunk
        octets += len(chunk)
        # aiosmtpd's count: the lines as sent, not the final ".\r\n".
        if size_limit and octets > size_limit + 3:
            too_big = True
            del data[: -len(_END)]  # memory stays flat while the rest is drained
    if too_big:
        return DataRead(b"", DataProblem.TOO_BIG)
    body = data[:-3]  # the marker's ".\r\n"; its CRLF ends the last line
    if any(len(line) + 2 > line_limit for line in body.split(b"\r\n")):
        return DataRead(b"", DataProblem.LINE_TOO_LONG)
    return DataRead(bytes(body.replace(b"\r\n.", b"\r\n")[2:]))
