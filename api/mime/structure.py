"""bodyStructure, textBody, htmlBody, attachments and hasAttachment (RFC 8621 4.1.4).

`parse_structure` follows the pseudo-code of 4.1.4 line for line (its JavaScript null
lists are None here). Leaf parts are numbered "1", "2", ... in document order; a
multipart has no partId. Names come from the stdlib's RFC 2231 parameter decoding, with
RFC 2047 encoded-words inside a quoted name (not allowed, common) decoded by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import msgspec

from api.mime.body_values import decode_transfer
from api.mime.fields import clean_text, decode_words, last_named
from api.mime.headers import EmailHeader, as_message_ids, as_text, header_list
from api.mime.parts import MimeNode

__all__ = ["EmailBodyPart", "LeafSpan", "body_lists", "build_structure", "has_attachment", "leaves"]


class EmailBodyPart(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """4.1.4 EmailBodyPart; blobId is filled in by the caller that stores the blob."""

    part_id: str | None
    blob_id: str | None = None
    size: int
    headers: list[EmailHeader]
    name: str | None
    type: str
    charset: str | None
    disposition: str | None
    cid: str | None
    language: list[str] | None
    location: str | None
    sub_parts: list[EmailBodyPart] | None = None


@dataclass(frozen=True, slots=True)
class LeafSpan:
    """Where a leaf part's undecoded body lies in the raw message, and how it is encoded."""

    start: int
    end: int
    transfer_encoding: str | None
    charset: str | None
    type: str


def build_structure(raw: bytes, root: MimeNode) -> tuple[EmailBodyPart, dict[str, LeafSpan]]:
    """The bodyStructure of a split message and the byte span of every leaf by partId."""
    spans: dict[str, LeafSpan] = {}
    return _part(raw, root, spans), spans


def _part(raw: bytes, node: MimeNode, spans: dict[str, LeafSpan]) -> EmailBodyPart:
    headers = node.headers
    disposition = node.disposition
    name = node.disposition_params.get("filename") or node.params.get("name")
    if name and "=?" in name:
        name = decode_words(name)
    # 4.1.4: the implicit us-ascii of text/* and of a part with no Content-Type at all.
    implicit = node.type.startswith("text/") or last_named(headers, "content-type") is None
    charset = node.params.get("charset") or ("us-ascii" if implicit else None)
    cte = last_named(headers, "content-transfer-encoding")
    # The first token only: "base64 (sent by X)" and trailing junk are seen in the wild.
    tokens = as_text(cte.raw).lower().replace("(", " ").split() if cte is not None else []
    encoding = tokens[0] if tokens else None
    sub_parts = None
    part_id = None
    if node.children is not None:
        sub_parts = [_part(raw, child, spans) for child in node.children]
        size = node.end - node.body_start
    else:
        part_id = str(len(spans) + 1)
        body = raw[node.body_start : node.end]
        size = len(decode_transfer(body, encoding)[0]) if encoding else len(body)
        spans[part_id] = LeafSpan(node.body_start, node.end, encoding, charset, node.type)
    cid_field = last_named(headers, "content-id")
    cid = _cid(cid_field.raw) if cid_field is not None else None
    language = last_named(headers, "content-language")
    location = last_named(headers, "content-location")
    return EmailBodyPart(
        part_id=part_id,
        size=size,
        headers=header_list(headers),
        name=clean_text(name) if name else None,
        type=node.type,
        charset=charset,
        disposition=disposition,
        cid=cid,
        language=_languages(as_text(language.raw)) if language is not None else None,
        location=(as_text(location.raw) or None) if location is not None else None,
        sub_parts=sub_parts,
    )


def _cid(raw: bytes) -> str | None:
    ids = as_message_ids(raw)
    if ids:
        return ids[0]
    text = as_text(raw).strip("<> ")
    return text or None


def _languages(text: str) -> list[str] | None:
    tags = [tag for tag in text.replace(",", " ").split() if tag]
    return tags or None


def _is_inline_media(media: str) -> bool:
    return media.startswith(("image/", "audio/", "video/"))


def parse_structure(
    parts: list[EmailBodyPart],
    multipart_type: str,
    in_alternative: bool,
    html_body: list[EmailBodyPart] | None,
    text_body: list[EmailBodyPart] | None,
    attachments: list[EmailBodyPart],
) -> None:
    """The 4.1.4 algorithm, appending to the three lists."""
    text_length = len(text_body) if text_body is not None else -1
    html_length = len(html_body) if html_body is not None else -1
    for i, part in enumerate(parts):
        is_inline = (
            part.disposition != "attachment"
            and (part.type in ("text/plain", "text/html") or _is_inline_media(part.type))
            and (
                i == 0
                or (multipart_type != "related" and (_is_inline_media(part.type) or not part.name))
            )
        )
        if part.sub_parts is not None:
            sub_type = part.type.split("/", 1)[1]
            parse_structure(
                part.sub_parts,
                sub_type,
                in_alternative or sub_type == "alternative",
                html_body,
                text_body,
                attachments,
            )
        elif is_inline:
            if multipart_type == "alternative":
                if part.type == "text/plain" and text_body is not None:
                    text_body.append(part)
                elif part.type == "text/html" and html_body is not None:
                    html_body.append(part)
                elif part.type not in ("text/plain", "text/html"):
                    attachments.append(part)
                continue
            if in_alternative:
                if part.type == "text/plain":
                    html_body = None
                if part.type == "text/html":
                    text_body = None
            if text_body is not None:
                text_body.append(part)
            if html_body is not None:
                html_body.append(part)
            if (text_body is None or html_body is None) and _is_inline_media(part.type):
                attachments.append(part)
        else:
            attachments.append(part)
    if multipart_type == "alternative" and text_body is not None and html_body is not None:
        if text_length == len(text_body) and html_length != len(html_body):
            text_body.extend(html_body[html_length:])
        if html_length == len(html_body) and text_length != len(text_body):
            html_body.extend(text_body[text_length:])


def body_lists(
    root: EmailBodyPart,
) -> tuple[list[EmailBodyPart], list[EmailBodyPart], list[EmailBodyPart]]:
    """textBody, htmlBody and attachments of a bodyStructure."""
    text_body: list[EmailBodyPart] = []
    html_body: list[EmailBodyPart] = []
    attachments: list[EmailBodyPart] = []
    parse_structure([root], "mixed", False, html_body, text_body, attachments)
    return text_body, html_body, attachments


def has_attachment(attachments: list[EmailBodyPart]) -> bool:
    """4.1.4 hasAttachment: an attachment other than an inline image referenced by cid."""
    return any(
        not (_is_inline_media(p.type) and p.cid and p.disposition != "attachment")
        for p in attachments
    )


def leaves(part: EmailBodyPart) -> Iterator[EmailBodyPart]:
    """Every leaf part in document order."""
    if part.sub_parts is None:
        yield part
        return
    for child in part.sub_parts:
        yield from leaves(child)
