"""Mailbox names on the wire: UTF-8 for IMAP4rev2 / UTF8=ACCEPT, modified UTF-7 for rev1
(RFC 9051 5.1, RFC 3501 5.1.3)."""

from __future__ import annotations

import base64

from compat.imap.proto.tokens import ParseError

__all__ = ["decode_mutf7", "encode_mutf7"]


def _b64(text: str) -> str:
    raw = base64.b64encode(text.encode("utf-16-be")).decode("ascii")
    return raw.rstrip("=").replace("/", ",")


def encode_mutf7(name: str) -> str:
    out: list[str] = []
    pending = ""
    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            if pending:
                out.append("&" + _b64(pending) + "-")
                pending = ""
            out.append("&-" if char == "&" else char)
        else:
            pending += char
    if pending:
        out.append("&" + _b64(pending) + "-")
    return "".join(out)


def decode_mutf7(name: str) -> str:
    out: list[str] = []
    at = 0
    while at < len(name):
        char = name[at]
        if char != "&":
            out.append(char)
            at += 1
            continue
        end = name.find("-", at)
        if end < 0:
            raise ParseError("unterminated modified UTF-7")
        chunk = name[at + 1 : end]
        if not chunk:
            out.append("&")
        else:
            padded = chunk.replace(",", "/") + "=" * (-len(chunk) % 4)
            try:
                out.append(base64.b64decode(padded, validate=True).decode("utf-16-be"))
            except (ValueError, UnicodeDecodeError):
                raise ParseError("bad modified UTF-7") from None
        at = end + 1
    return "".join(out)
