"""Email/parse (RFC 8621 4.9): blobs shown as Email objects without being stored.

Rendering is Email/get's (email_render) with the metadata of a stored email null. The
parser is total, so no blob is notParsable: an id is parsed or notFound. A part blob of an
attached message parses as that message, the way a client previews a forwarded email.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec

from api.core.errors import BlobNotFoundError
from api.jmap.email_render import (
    BodyOptions,
    check_body_properties,
    check_properties,
    render_parsed,
)
from api.jmap.errors import InvalidArgumentsError, RequestTooLargeError
from api.jmap.registry import MethodArguments, MethodContext
from api.mime.email_view import parse_email

__all__ = ["PARSE_DEFAULT_PROPERTIES", "ParseArguments", "email_parse"]

# 4.9: what Email/parse returns when `properties` is null.
PARSE_DEFAULT_PROPERTIES = (
    "messageId",
    "inReplyTo",
    "references",
    "sender",
    "from",
    "to",
    "cc",
    "bcc",
    "replyTo",
    "subject",
    "sentAt",
    "hasAttachment",
    "preview",
    "bodyValues",
    "textBody",
    "htmlBody",
    "attachments",
)


class ParseArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    blob_ids: list[str]
    properties: list[str] | None = None
    body_properties: list[str] | None = None
    fetch_text_body_values: bool = False
    fetch_html_body_values: bool = msgspec.field(default=False, name="fetchHTMLBodyValues")
    fetch_all_body_values: bool = False
    max_body_value_bytes: int = 0


async def email_parse(context: MethodContext, arguments: ParseArguments) -> dict[str, Any]:
    properties = check_properties(arguments.properties, PARSE_DEFAULT_PROPERTIES, with_id=False)
    if arguments.max_body_value_bytes < 0:
        raise InvalidArgumentsError("maxBodyValueBytes must not be negative")
    options = BodyOptions(
        body_properties=check_body_properties(arguments.body_properties),
        fetch_text=arguments.fetch_text_body_values,
        fetch_html=arguments.fetch_html_body_values,
        fetch_all=arguments.fetch_all_body_values,
        max_bytes=arguments.max_body_value_bytes,
    )
    # Each blob is decrypted and parsed whole: the get limit bounds the work of one call.
    limit = context.limits.max_objects_in_get
    if limit is not None and len(arguments.blob_ids) > limit:
        raise RequestTooLargeError(f"at most {limit} blobIds per Email/parse")
    parsed: dict[str, Any] = {}
    not_found: list[str] = []
    for blob_id in dict.fromkeys(arguments.blob_ids):
        try:
            raw = await context.services.part_blobs.read(context.unlocked, blob_id)
        except BlobNotFoundError:
            not_found.append(blob_id)
            continue
        message = await asyncio.to_thread(parse_email, raw)
        parsed[blob_id] = render_parsed(blob_id, message, properties, options)
    return {
        "accountId": context.account_id,
        "parsed": parsed or None,
        "notParsable": None,
        "notFound": not_found or None,
    }
