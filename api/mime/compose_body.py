"""MIME body parts of an Email being created, from EmailBodyPart objects (RFC 8621 4.6, 4.1.4).

The stdlib builds each part (`email.message.MIMEPart.set_content`): text is UTF-8 in
7bit, quoted-printable or base64, whichever is shortest; blob content is base64, except a
message/rfc822, which RFC 2046 5.2.1 requires unencoded. Written by hand: the JMAP rules
for a part (partId or blobId, never charset or size with a partId, no
Content-Transfer-Encoding) and the mapping of its properties to Content-* fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from email.message import MIMEPart
from typing import Any

from api.mime.compose_headers import POLICY, ComposeError, HeaderSet, check_text
from api.mime.headers import parse_header_property

__all__ = ["BlobResolver", "PartBuilder"]

BlobResolver = Callable[[str], bytes | None]

_TEXT_POLICY = POLICY.clone(cte_type="7bit")
_MEDIA_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")
_PART_KEYS = frozenset(
    {
        "partId",
        "blobId",
        "size",
        "type",
        "charset",
        "disposition",
        "name",
        "cid",
        "language",
        "location",
        "subParts",
    }
)
# Content-* fields that a part's own properties set; given as header:* they would clash.
_DERIVED = frozenset(
    {
        "content-type",
        "content-disposition",
        "content-id",
        "content-language",
        "content-location",
        "content-transfer-encoding",
    }
)


def _string(spec: Mapping[str, Any], key: str, path: str) -> str | None:
    value = spec.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ComposeError(f"{path}/{key} must be a string", [f"{path}/{key}"])
    return check_text(value, f"{path}/{key}")


class PartBuilder:
    """Builds parts of one message; remembers which bodyValues the parts used."""

    def __init__(self, body_values: Mapping[str, str], resolve: BlobResolver) -> None:
        self._values = body_values
        self._resolve = resolve
        self.used_values: set[str] = set()

    def build(self, spec: Any, path: str, default_type: str) -> MIMEPart:
        """One EmailBodyPart (and its subParts) as a MIME part; `path` names it in errors."""
        if not isinstance(spec, dict):
            raise ComposeError(f"{path} must be an EmailBodyPart object", [path])
        headers = HeaderSet()
        for key, value in spec.items():
            if key.startswith("header:"):
                self._part_header(headers, key, value, path)
            elif key == "headers":
                raise ComposeError(f"{path}/headers: set header:{{name}} properties", [path])
            elif key not in _PART_KEYS:
                raise ComposeError(f"{path}/{key} is not an EmailBodyPart property", [path])
        media = (_string(spec, "type", path) or default_type).lower()
        if not _MEDIA_TYPE.fullmatch(media):
            raise ComposeError(f"{path}/type {media!r} is not a media type", [f"{path}/type"])
        children = spec.get("subParts")
        if media.startswith("multipart/"):
            part = self._multipart(media, children, path)
        elif children is not None:
            raise ComposeError(f"{path}: only a multipart has subParts", [f"{path}/subParts"])
        else:
            part = self._leaf(spec, media, path)
        for field in headers.fields:
            part[field.name] = field
        language = spec.get("language")
        if language is not None:
            if not isinstance(language, list) or not all(isinstance(t, str) for t in language):
                raise ComposeError(f"{path}/language must be a list of strings", [path])
            tags = [check_text(t, f"{path}/language") for t in language]
            part["Content-Language"] = ", ".join(tags)
        location = _string(spec, "location", path)
        if location is not None:
            part["Content-Location"] = location
        return part

    def _part_header(self, headers: HeaderSet, key: str, value: Any, path: str) -> None:
        parsed = parse_header_property(key)
        if parsed is None:
            raise ComposeError(f"{path}/{key} is not a header property", [f"{path}/{key}"])
        name, form, all_values = parsed
        if name.lower() in _DERIVED:
            raise ComposeError(
                f"{path}/{key}: set it with type, disposition, name, cid, language or location",
                [f"{path}/{key}"],
            )
        headers.add(name, form, value, f"{path}/{key}", all_values)

    def _multipart(self, media: str, children: Any, path: str) -> MIMEPart:
        if not isinstance(children, list) or not children:
            raise ComposeError(f"{path}: a multipart needs subParts", [f"{path}/subParts"])
        part = MIMEPart(policy=POLICY)
        part["Content-Type"] = media
        # RFC 2046 5.1.5: the parts of a digest default to message/rfc822.
        child_type = "message/rfc822" if media == "multipart/digest" else "text/plain"
        for n, child in enumerate(children):
            part.attach(self.build(child, f"{path}/subParts/{n}", child_type))
        return part

    def _leaf(self, spec: Mapping[str, Any], media: str, path: str) -> MIMEPart:
        part_id, blob_id = _string(spec, "partId", path), _string(spec, "blobId", path)
        if (part_id is None) == (blob_id is None):
            raise ComposeError(f"{path}: give exactly one of partId and blobId", [path])
        name = _string(spec, "name", path)
        disposition = _string(spec, "disposition", path)
        cid = _string(spec, "cid", path)
        options: dict[str, Any] = {
            "disposition": disposition.lower() if disposition else None,
            "filename": name,
            "cid": f"<{cid.strip('<>')}>" if cid else None,
        }
        if part_id is not None:
            for key in ("charset", "size"):
                if spec.get(key) is not None:
                    raise ComposeError(f"{path}/{key} must be omitted with a partId", [path])
            return self._text_leaf(part_id, media, path, options)
        assert blob_id is not None
        return self._blob_leaf(blob_id, media, _string(spec, "charset", path), path, options)

    def _text_leaf(self, part_id: str, media: str, path: str, options: dict[str, Any]) -> MIMEPart:
        text = self._values.get(part_id)
        if text is None:
            raise ComposeError(f"{path}: no bodyValues entry {part_id!r}", [path])
        self.used_values.add(part_id)
        maintype, subtype = media.split("/", 1)
        part = MIMEPart(policy=_TEXT_POLICY)
        if maintype == "text":
            part.set_content(text, subtype=subtype, charset="utf-8", **options)
        else:
            params = {"charset": "utf-8"}
            part.set_content(text.encode(), maintype, subtype, params=params, **options)
        return part

    def _blob_leaf(
        self, blob_id: str, media: str, charset: str | None, path: str, options: dict[str, Any]
    ) -> MIMEPart:
        data = self._resolve(blob_id)
        if data is None:
            raise ComposeError(f"{path}: no blob {blob_id!r}", [f"{path}/blobId"])
        maintype, subtype = media.split("/", 1)
        params = {"charset": charset} if charset and maintype == "text" else {}
        # 8bit rather than base64: RFC 2046 5.2.1 forbids encoding a message/rfc822 body.
        cte = ("8bit" if not data.isascii() else "7bit") if media == "message/rfc822" else "base64"
        part = MIMEPart(policy=POLICY)
        part.set_content(data, maintype, subtype, cte=cte, params=params, **options)
        return part
