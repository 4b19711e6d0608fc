"""BODY[section] octets (RFC 9051 6.4.5): a part path into the MIME tree, then HEADER,
TEXT, MIME or HEADER.FIELDS[.NOT], cut from the raw message without re-encoding."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32

from compat.imap.proto.fetch_items import BodySection

__all__ = ["Entity", "section_octets", "split_entity"]

_HEADER_END = re.compile(rb"\r?\n\r?\n")


@dataclass(frozen=True)
class Entity:
    """One MIME entity: its header block (with the blank line) and its body."""

    header: bytes
    body: bytes

    def headers(self) -> Message:
        return BytesHeaderParser(policy=compat32).parsebytes(self.header)

    def parts(self) -> list[Entity]:
        """The children of a multipart entity (none for any other)."""
        parsed = self.headers()
        boundary = parsed.get_boundary() if parsed.get_content_maintype() == "multipart" else None
        if not boundary:
            return []
        delimiter = re.compile(rb"(?:^|\r?\n)--" + re.escape(boundary.encode("latin-1")))
        pieces = delimiter.split(self.body)
        children = []
        for piece in pieces[1:]:
            if piece.startswith(b"--"):
                break
            # Drop the rest of the delimiter line (transport padding, CRLF).
            newline = piece.find(b"\n")
            children.append(split_entity(piece[newline + 1 :] if newline >= 0 else b""))
        return children


def split_entity(raw: bytes) -> Entity:
    match = _HEADER_END.search(raw)
    if match is None:
        return Entity(raw, b"")
    return Entity(raw[: match.end()], raw[match.end() :])


def _fields(header: bytes, names: tuple[str, ...], keep: bool) -> bytes:
    wanted = {n.lower() for n in names}
    lines = re.split(rb"\r?\n(?![ \t])", header.rstrip(b"\r\n"))
    chosen = [
        line
        for line in lines
        if line and (line.split(b":", 1)[0].strip().decode("latin-1").lower() in wanted) == keep
    ]
    return b"".join(line + b"\r\n" for line in chosen) + b"\r\n"


def _child(entity: Entity, number: int, is_message: bool) -> Entity | None:
    """Part `number` below `entity` (9 section-part): children of a multipart, the parts of
    an enclosed message/rfc822, or, for a message that is not multipart, its body as 1."""
    headers = entity.headers()
    if headers.get_content_maintype() == "multipart":
        children = entity.parts()
        return children[number - 1] if 1 <= number <= len(children) else None
    if is_message:
        return entity if number == 1 else None
    if headers.get_content_type() == "message/rfc822":
        return _child(split_entity(entity.body), number, True)
    return None


def section_octets(raw: bytes, section: BodySection) -> bytes | None:
    """The octets the section names; None when the part does not exist (answered as NIL)."""
    entity: Entity | None = split_entity(raw)
    is_message = True
    for number in section.part:
        assert entity is not None
        entity = _child(entity, number, is_message)
        if entity is None:
            return None
        is_message = False
    assert entity is not None
    if not section.text:
        return entity.body if section.part else raw
    if section.text == "MIME":
        return entity.header
    if section.part:
        # HEADER, TEXT and HEADER.FIELDS of a part name its enclosed message's.
        entity = split_entity(entity.body)
    if section.text == "HEADER":
        return entity.header
    if section.text == "TEXT":
        return entity.body
    return _fields(entity.header, section.fields, keep=section.text == "HEADER.FIELDS")
