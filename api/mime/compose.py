"""`compose_email`: a JMAP Email create object to RFC 5322 octets (RFC 8621 4.6 Email/set).

Pure: attachment content comes from the caller's resolver, since api.mime reads no
storage. The body is either `bodyStructure` or textBody/htmlBody/attachments, arranged as
4.6 describes: text and HTML become multipart/alternative, inline parts with a cid join
the HTML in multipart/related, other attachments wrap it all in multipart/mixed. A Date
(now) and a Message-ID (`<random@hostname>`) are added when the object sets none. Every
rule of 4.6 that the object breaks raises ComposeError naming the property.

Round trip: the text of a part comes back from parse_email with CRLF line breaks and a
final line break, the way `set_content` writes text; everything else comes back as given.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from email.generator import BytesGenerator
from email.message import EmailMessage, MIMEPart
from io import BytesIO
from typing import Any

from api.mime.compose_body import BlobResolver, PartBuilder
from api.mime.compose_headers import POLICY, ComposeError, HeaderSet, check_text, make_header
from api.mime.headers import HeaderForm, parse_header_property

__all__ = ["BlobResolver", "ComposeError", "compose_email", "referenced_blob_ids"]

# Header convenience properties (4.1.2, 4.1.3): the field each sets, and in which form.
_CONVENIENCE: dict[str, tuple[str, HeaderForm]] = {
    "from": ("From", "Addresses"),
    "sender": ("Sender", "Addresses"),
    "replyTo": ("Reply-To", "Addresses"),
    "to": ("To", "Addresses"),
    "cc": ("Cc", "Addresses"),
    "bcc": ("Bcc", "Addresses"),
    "subject": ("Subject", "Text"),
    "sentAt": ("Date", "Date"),
    "messageId": ("Message-ID", "MessageIds"),
    "inReplyTo": ("In-Reply-To", "MessageIds"),
    "references": ("References", "MessageIds"),
}
_BODY = ("bodyStructure", "textBody", "htmlBody", "attachments", "bodyValues")
# Not headers: the caller stores them (IncomingEmail); compose ignores them.
_METADATA = ("mailboxIds", "keywords", "receivedAt")
# Server-set (RFC 8620 5.3: invalidProperties when a client sends them).
_SERVER_SET = ("id", "blobId", "threadId", "size", "hasAttachment", "preview")


class _Generator(BytesGenerator):
    # A message/rfc822 attachment is kept as its 8-bit octets (surrogate-escaped str);
    # the stdlib writes such a body with a strict ASCII encode, this one restores them.
    def _encode(self, s: str) -> bytes:
        return s.encode("ascii", "surrogateescape")


def compose_email(
    create: Mapping[str, Any],
    resolve: BlobResolver,
    *,
    hostname: str,
    now: datetime | None = None,
) -> bytes:
    """The octets of the message that `create` describes; ComposeError if it is invalid."""
    headers = _top_headers(create)
    values = _body_values(create.get("bodyValues"))
    builder = PartBuilder(values, resolve)
    if create.get("bodyStructure") is not None:
        if any(create.get(k) is not None for k in ("textBody", "htmlBody", "attachments")):
            raise ComposeError(
                "bodyStructure excludes textBody, htmlBody and attachments",
                ["bodyStructure"],
            )
        root = builder.build(create["bodyStructure"], "bodyStructure", "text/plain")
        clash = {name.lower() for name in root} & headers.names()
        if clash:
            raise ComposeError(
                f"bodyStructure sets {', '.join(sorted(clash))}, already set on the Email",
                ["bodyStructure"],
            )
    else:
        root = _arranged(create, builder)
    unused = sorted(set(values) - builder.used_values)
    if unused:
        raise ComposeError(
            f"no body part has partId {', '.join(unused)}", [f"bodyValues/{p}" for p in unused]
        )
    message = EmailMessage(policy=POLICY)
    for field in headers.fields:
        message[field.name] = field
    names = headers.names()
    if "date" not in names:
        message["Date"] = make_header("Date", "Date", _utc(now), "sentAt")
    if "message-id" not in names:
        message["Message-ID"] = f"<{_random_id()}@{check_text(hostname, 'hostname')}>"
    if "mime-version" not in names:
        message["MIME-Version"] = "1.0"
    for name, value in root.raw_items():
        message[name] = value
    message.set_payload(root.get_payload())
    out = BytesIO()
    _Generator(out, policy=POLICY).flatten(message)
    return out.getvalue()


def referenced_blob_ids(create: Mapping[str, Any]) -> list[str]:
    """Every blobId the body parts of `create` name, in order; malformed parts are skipped
    (compose_email reports them), so the caller can fetch content before composing."""
    found: list[str] = []
    for key in ("bodyStructure", "textBody", "htmlBody", "attachments"):
        for spec in _walk(create.get(key)):
            blob_id = spec.get("blobId")
            if isinstance(blob_id, str) and blob_id not in found:
                found.append(blob_id)
    return found


def _walk(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        yield value
        yield from _walk(value.get("subParts"))


def _utc(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat()


def _random_id() -> str:
    # 120 random bits; lowercase base32 is dot-atom-text, so any parser takes it.
    return base64.b32encode(secrets.token_bytes(15)).decode("ascii").lower()


def _top_headers(create: Mapping[str, Any]) -> HeaderSet:
    headers = HeaderSet()
    for prop, value in create.items():
        if prop in _CONVENIENCE:
            name, form = _CONVENIENCE[prop]
            headers.add(name, form, value, prop, all_values=False)
        elif prop.startswith("header:"):
            parsed = parse_header_property(prop)
            if parsed is None:
                raise ComposeError(f"{prop} is not a header property", [prop])
            name, form, all_values = parsed
            if name.lower().startswith("content-"):
                raise ComposeError(f"{prop}: Content-* fields belong on body parts", [prop])
            headers.add(name, form, value, prop, all_values)
        elif prop == "headers":
            raise ComposeError("headers cannot be set; use header:{name} properties", [prop])
        elif prop in _SERVER_SET:
            raise ComposeError(f"{prop} is set by the server", [prop])
        elif prop not in _BODY and prop not in _METADATA:
            raise ComposeError(f"{prop} is not an Email property", [prop])
    return headers


def _body_values(value: Any) -> dict[str, str]:
    """bodyValues as partId -> text; 4.6 forbids isTruncated and isEncodingProblem true."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ComposeError("bodyValues must map partIds to EmailBodyValues", ["bodyValues"])
    texts: dict[str, str] = {}
    for part_id, body in value.items():
        prop = f"bodyValues/{part_id}"
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            raise ComposeError(f"{prop} needs a string value", [prop])
        unknown = set(body) - {"value", "isEncodingProblem", "isTruncated"}
        if unknown:
            raise ComposeError(f"{prop}: unknown {', '.join(sorted(unknown))}", [prop])
        for flag in ("isEncodingProblem", "isTruncated"):
            if body.get(flag) not in (None, False):
                raise ComposeError(f"{prop}/{flag} must be false", [f"{prop}/{flag}"])
        texts[part_id] = body["value"]
    return texts


def _one(create: Mapping[str, Any], key: str, media: str) -> Any:
    parts = create.get(key)
    if parts is None:
        return None
    if not isinstance(parts, list) or len(parts) != 1:
        raise ComposeError(f"{key} must hold exactly one part", [key])
    [spec] = parts
    given = spec.get("type") if isinstance(spec, dict) else None
    if isinstance(given, str) and given.lower() != media:
        raise ComposeError(f"{key} must be of type {media}", [f"{key}/0/type"])
    return spec


def _arranged(create: Mapping[str, Any], builder: PartBuilder) -> MIMEPart:
    """The 4.6 structure of textBody, htmlBody and attachments."""
    text_spec, html_spec = (
        _one(create, "textBody", "text/plain"),
        _one(create, "htmlBody", "text/html"),
    )
    attachments = create.get("attachments") or []
    if not isinstance(attachments, list):
        raise ComposeError("attachments must be a list of parts", ["attachments"])
    text = None if text_spec is None else builder.build(text_spec, "textBody/0", "text/plain")
    html = None if html_spec is None else builder.build(html_spec, "htmlBody/0", "text/html")
    inline: list[MIMEPart] = []
    mixed: list[MIMEPart] = []
    for n, spec in enumerate(attachments):
        part = builder.build(spec, f"attachments/{n}", "application/octet-stream")
        related = html is not None and part.get_content_disposition() == "inline"
        (inline if related and part["Content-ID"] else mixed).append(part)
    if html is not None and inline:
        html = _multipart("related", [html, *inline])
    body = (
        html if text is None else text if html is None else _multipart("alternative", [text, html])
    )
    if not mixed:
        return _empty() if body is None else body
    return _multipart("mixed", [p for p in (body, *mixed) if p is not None])


def _multipart(subtype: str, parts: list[MIMEPart]) -> MIMEPart:
    part = MIMEPart(policy=POLICY)
    part["Content-Type"] = f"multipart/{subtype}"
    for child in parts:
        part.attach(child)
    return part


def _empty() -> MIMEPart:
    """No body at all (a draft with only headers): an empty text/plain."""
    part = MIMEPart(policy=POLICY.clone(cte_type="7bit"))
    part.set_content("", subtype="plain", charset="utf-8")
    return part
