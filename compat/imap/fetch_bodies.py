"""The octet-valued FETCH items (RFC 9051 6.4.5, 7.5.2): BODY[section]<partial>, BINARY
(RFC 3516), RFC822, RFC822.HEADER, RFC822.TEXT, each as a literal."""

from __future__ import annotations

import base64
import binascii
import quopri

from compat.imap.errors import ImapError
from compat.imap.proto.fetch_items import BodySection, FetchItem
from compat.imap.sections import section_octets, split_entity

__all__ = ["BODY_ITEMS", "SEEN_ITEMS", "render_body_item"]

BODY_ITEMS = frozenset(
    {"BODY", "BODY.PEEK", "BINARY", "BINARY.PEEK", "BINARY.SIZE", "RFC822", "RFC822.HEADER",
     "RFC822.TEXT"}
)  # fmt: skip
# 6.4.5: these set \Seen (the .PEEK forms and RFC822.HEADER do not).
SEEN_ITEMS = frozenset({"BODY", "BINARY", "RFC822", "RFC822.TEXT"})


def _literal(data: bytes | None) -> bytes:
    if data is None:
        return b"NIL"
    return b"{" + str(len(data)).encode() + b"}\r\n" + data


def _partial(data: bytes | None, section: BodySection) -> tuple[bytes | None, str]:
    if data is None or section.start is None:
        return data, ""
    end = None if section.length is None else section.start + section.length
    return data[section.start : end], f"<{section.start}>"


def _decoded(raw: bytes, section: BodySection) -> bytes | None:
    """BINARY[part]: the part's content with its transfer encoding undone."""
    if not section.part:
        return raw
    body = section_octets(raw, section)
    header = section_octets(raw, BodySection(part=section.part, text="MIME"))
    if body is None or header is None:
        return None
    encoding = str(split_entity(header).headers().get("Content-Transfer-Encoding", "7bit"))
    encoding = encoding.strip().lower()
    try:
        if encoding == "base64":
            return base64.b64decode(body)
        if encoding == "quoted-printable":
            return quopri.decodestring(body)
    except (binascii.Error, ValueError):
        # RFC 3516 4.3: a part that cannot be decoded answers UNKNOWN-CTE.
        raise ImapError("cannot decode this part", "UNKNOWN-CTE") from None
    return body


def render_body_item(item: FetchItem, raw: bytes) -> bytes:
    name = item.name
    if name == "RFC822":
        return b"RFC822 " + _literal(raw)
    if name == "RFC822.HEADER":
        return b"RFC822.HEADER " + _literal(split_entity(raw).header)
    if name == "RFC822.TEXT":
        return b"RFC822.TEXT " + _literal(split_entity(raw).body)
    section = item.section
    assert section is not None
    label = section.label()
    if name.startswith("BINARY"):
        decoded = _decoded(raw, section)
        if name == "BINARY.SIZE":
            return f"BINARY.SIZE[{label}] {len(decoded or b'')}".encode()
        data, origin = _partial(decoded, section)
        return f"BINARY[{label}]{origin} ".encode() + _literal(data)
    data, origin = _partial(section_octets(raw, section), section)
    # 6.4.5: a part that does not exist is answered with an empty string, not an error.
    return f"BODY[{label}]{origin} ".encode() + _literal(data if data is not None else b"")
