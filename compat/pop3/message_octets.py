"""A message's raw octets for RETR and TOP (RFC 1939 7), as a multi-line response: CRLF
line ends, dot-stuffed, ended by a line holding only "." (RFC 1939 3).

Why the blob service and not JMAP: the JMAP way to raw octets is the HTTP download
endpoint (RFC 8620 6.2), which has no in-process method. The blob service is what that
endpoint reads; calling it here (decrypting with the session's unlocked keys) is the same
read without HTTP. This is the only place compat/pop3 reaches past the JMAP methods.
"""

from __future__ import annotations

from api.core.unlocked import UnlockedAccount
from api.services import Services

__all__ = ["dot_stuffed", "message_lines", "read_message", "top_lines"]


async def read_message(services: Services, unlocked: UnlockedAccount, blob_id: str) -> bytes:
    return await services.blobs.read_all(unlocked, blob_id)


def message_lines(raw: bytes) -> list[bytes]:
    """The lines of a message without their ends; a bare LF ends a line as CRLF does."""
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [line[:-1] if line.endswith(b"\r") else line for line in lines]


def top_lines(lines: list[bytes], body_lines: int) -> list[bytes]:
    """TOP: the header, the blank line after it, and the first `body_lines` of the body."""
    try:
        blank = lines.index(b"")
    except ValueError:
        return lines  # all header, no body
    return lines[: blank + 1 + body_lines]


def dot_stuffed(lines: list[bytes]) -> bytes:
    """The multi-line response body: a line starting with "." gets one more in front."""
    stuffed = [b"." + line if line.startswith(b".") else line for line in lines]
    stuffed.append(b".")
    return b"\r\n".join(stuffed) + b"\r\n"
