"""AUTH PLAIN (RFC 4616) and LOGIN credentials read off the wire (RFC 4954 4)."""

from __future__ import annotations

import binascii
from base64 import b64decode

from aiosmtpd.smtp import MISSING, SMTP

__all__ = ["ANSWERED", "MALFORMED", "SaslResult", "read_login", "read_plain"]

# The library already replied (the client cancelled with "*" or sent bad base64).
ANSWERED = "answered"
# Decoded, but not the shape the mechanism defines: ours to answer.
MALFORMED = "malformed"
SaslResult = tuple[str, str] | str


def _decode(text: str) -> bytes | None:
    try:
        return b64decode(text.encode("ascii", "replace"), validate=True)
    except binascii.Error:
        return None


async def _answer(server: SMTP, challenge: str) -> bytes | None:
    """The client's answer to a 334 challenge; None when the library already replied."""
    response = await server.challenge_auth(challenge)
    return None if response is MISSING or not isinstance(response, bytes) else response


async def read_plain(server: SMTP, args: list[str]) -> SaslResult:
    """(login, password), ANSWERED or MALFORMED."""
    if len(args) > 1:
        data = _decode(args[1])
        if data is None:
            return MALFORMED
    else:
        data = await _answer(server, "")
        if data is None:
            return ANSWERED
    parts = data.split(b"\x00")
    if len(parts) != 3:
        return MALFORMED
    # The authorization identity (parts[0]) is ignored: one may act only as oneself.
    return parts[1].decode("utf-8", "replace"), parts[2].decode("utf-8", "replace")


async def read_login(server: SMTP, args: list[str]) -> SaslResult:
    if len(args) > 1:
        login = _decode(args[1])
        if login is None:
            return MALFORMED
    else:
        login = await _answer(server, "User Name\x00")
        if login is None:
            return ANSWERED
    password = await _answer(server, "Password\x00")
    if password is None:
        return ANSWERED
    return login.decode("utf-8", "replace"), password.decode("utf-8", "replace")
