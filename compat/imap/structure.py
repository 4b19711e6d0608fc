"""ENVELOPE and BODYSTRUCTURE (RFC 9051 7.5.2) from a message's raw octets."""

from __future__ import annotations

from email.message import Message
from email.utils import getaddresses

from compat.imap.proto.render import nstring
from compat.imap.sections import Entity, split_entity

__all__ = ["body_structure", "envelope"]

_MAX_DEPTH = 20


def _header(message: Message, name: str) -> str | None:
    value = message.get(name)
    if value is None:
        return None
    return " ".join(str(value).split())


def _addresses(message: Message, name: str) -> bytes:
    values = message.get_all(name)
    if not values:
        return b"NIL"
    out = []
    for display, address in getaddresses([str(v) for v in values]):
        if not address and not display:
            continue
        local, _, host = address.rpartition("@") if "@" in address else (address, "", "")
        out.append(
            b"("
            + b" ".join(
                (nstring(display or None), b"NIL", nstring(local or None), nstring(host or None))
            )
            + b")"
        )
    return b"(" + b"".join(out) + b")" if out else b"NIL"


def envelope(header: Message) -> bytes:
    senders = _addresses(header, "From")
    sender = _addresses(header, "Sender")
    reply_to = _addresses(header, "Reply-To")
    fields = [
        nstring(_header(header, "Date")),
        nstring(_header(header, "Subject")),
        senders,
        senders if sender == b"NIL" else sender,  # 7.5.2: default to From
        senders if reply_to == b"NIL" else reply_to,
        _addresses(header, "To"),
        _addresses(header, "Cc"),
        _addresses(header, "Bcc"),
        nstring(_header(header, "In-Reply-To")),
        nstring(_header(header, "Message-ID")),
    ]
    return b"(" + b" ".join(fields) + b")"


def _params(message: Message) -> bytes:
    params = message.get_params()
    pairs = [(k, v) for k, v in (params or [])[1:] if isinstance(v, str)]
    if not pairs:
        return b"NIL"
    return b"(" + b" ".join(nstring(k.upper()) + b" " + nstring(v) for k, v in pairs) + b")"


def _disposition(message: Message) -> bytes:
    value = message.get("Content-Disposition")
    if value is None:
        return b"NIL"
    kind = str(value).split(";", 1)[0].strip()
    params = message.get_params(header="Content-Disposition") or []
    pairs = [(k, v) for k, v in params[1:] if isinstance(v, str)]
    listed = b" ".join(nstring(k.upper()) + b" " + nstring(v) for k, v in pairs)
    return b"(" + nstring(kind.upper()) + b" " + (b"(" + listed + b")" if pairs else b"NIL") + b")"


def _structure(entity: Entity, extended: bool, depth: int) -> bytes:
    message = entity.headers()
    main, sub = message.get_content_maintype(), message.get_content_subtype()
    if main == "multipart" and depth < _MAX_DEPTH:
        children = entity.parts()
        inner = (
            b"".join(_structure(c, extended, depth + 1) for c in children)
            or b'("TEXT" "PLAIN" NIL NIL NIL "7BIT" 0 0)'
        )
        out = b"(" + inner + b" " + nstring(sub.upper())
        if extended:
            out += b" " + _params(message) + b" " + _disposition(message) + b" NIL NIL"
        return out + b")"
    fields = [
        nstring(main.upper()),
        nstring(sub.upper()),
        _params(message),
        nstring(_header(message, "Content-ID")),
        nstring(_header(message, "Content-Description")),
        nstring((_header(message, "Content-Transfer-Encoding") or "7BIT").upper()),
        str(len(entity.body)).encode(),
    ]
    if main == "message" and sub == "rfc822" and depth < _MAX_DEPTH:
        enclosed = split_entity(entity.body)
        fields.append(envelope(enclosed.headers()))
        fields.append(_structure(enclosed, extended, depth + 1))
        fields.append(str(entity.body.count(b"\n")).encode())
    elif main == "text":
        fields.append(str(entity.body.count(b"\n")).encode())
    if extended:
        fields += [nstring(_header(message, "Content-MD5")), _disposition(message), b"NIL", b"NIL"]
    return b"(" + b" ".join(fields) + b")"


def body_structure(raw: bytes, extended: bool = True) -> bytes:
    """BODYSTRUCTURE (extended) or BODY (basic) of the whole message."""
    return _structure(split_entity(raw), extended, 0)
