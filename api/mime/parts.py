"""The MIME tree of a message as byte ranges of the raw octets (RFC 2045 5, RFC 2046 5.1).

Written by hand rather than with `email.parser.BytesParser`: JMAP needs each part's
exact byte range (blobs are the decoded octets of the original, and a message/rfc822
attachment is its bytes as received), and the stdlib parser keeps neither offsets nor
raw header octets. The splitter is one linear scan per level with `bytes.find`, nests at
most MAX_DEPTH levels, and never raises. Content-Type and Content-Disposition values are
parsed by `email.headerregistry` (parameters, RFC 2231 continuations and charsets).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.policy import default as _default_policy

from api.mime.fields import (
    RawHeader,
    clean_text,
    last_named,
    split_header_block,
    unfold,
)

__all__ = ["MAX_DEPTH", "MimeNode", "ParseBudget", "parse_params", "split_message"]

MAX_DEPTH = 20
# Longer than any real Content-Type or Content-Disposition, RFC 2231 filenames included.
_PARAMS_LIMIT = 4096

_WORD = r"[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+"
_ATTRIBUTE = r"[!#$%&+\-.0-9A-Z^_`a-z{|}~]+"  # no "*": RFC 2231 goes to the stdlib
# Unquoted values are read up to ";" or space: "boundary=----=_NextPart_0" is common.
_VALUE = r'(?:[^;"\s\\()]+|"[^"\\\r\n]*")'
_SIMPLE = re.compile(
    rf"\s*({_WORD}(?:\s*/\s*{_WORD})?)\s*((?:;\s*(?:{_ATTRIBUTE}\s*=\s*{_VALUE}\s*)?)*)"
)
_PARAM = re.compile(rf"({_ATTRIBUTE})\s*=\s*({_VALUE})")


@dataclass(frozen=True, slots=True)
class MimeNode:
    """One part: its fields, lowercased media type and parameters, and body range.

    `children` is None for a leaf; a multipart too deep, without a boundary or without a
    single delimiter line is a leaf too, so its octets stay reachable.
    """

    headers: tuple[RawHeader, ...]
    type: str
    params: Mapping[str, str]
    disposition: str | None
    disposition_params: Mapping[str, str]
    body_start: int
    end: int
    children: tuple[MimeNode, ...] | None


def split_message(raw: bytes) -> MimeNode:
    """The whole message as a tree of parts."""
    return _node(raw, 0, len(raw), "text/plain", 0, ParseBudget())


class ParseBudget:
    """What one message may still spend: body parts, and stdlib parameter parsing.

    At most MAX_PARTS parts in all, so a message of tiny parts cannot cost memory in
    proportion to tens of millions of objects; a multipart beyond that is one opaque part.

    The stdlib parameter parser is quadratic on some hostile values (";" repeated 16 KiB
    takes 0.4 s), so it gets at most _PARAMS_LIMIT characters per value and BUDGET in all;
    plain values (no RFC 2231, comments or escapes) take the linear path below for free.
    """

    BUDGET = 131_072
    MAX_PARTS = 10_000

    def __init__(self) -> None:
        self.left = self.BUDGET
        self.parts_left = self.MAX_PARTS


def parse_params(
    headers: tuple[RawHeader, ...], name: str, budget: ParseBudget
) -> tuple[str | None, dict[str, str]]:
    """A Content-Type or Content-Disposition value: lowercased token and its parameters."""
    field = last_named(headers, name)
    if field is None:
        return None, {}
    text = unfold(field.raw)[:_PARAMS_LIMIT]
    simple = _SIMPLE.fullmatch(text)
    if simple is not None:
        params = {k.lower(): v.strip('"') for k, v in _PARAM.findall(simple.group(2))}
        return simple.group(1).lower().replace(" ", ""), params
    if budget.left < len(text):
        return None, {}
    budget.left -= len(text)
    try:
        parsed = _default_policy.header_factory(name, text)
        params = {k.lower(): clean_text(str(v)) for k, v in parsed.params.items()}
        token = parsed.content_type if name == "content-type" else parsed.content_disposition
    except Exception:  # hostile parameter lists; fall back to no parameters
        return None, {}
    return (str(token).lower() if token else None), params


def _node(
    raw: bytes, start: int, end: int, default_type: str, depth: int, budget: ParseBudget
) -> MimeNode:
    header_end, body_start = _split_head(raw, start, end)
    headers = split_header_block(raw[start:header_end])
    media, params = parse_params(headers, "content-type", budget)
    disposition, disposition_params = parse_params(headers, "content-disposition", budget)
    if media is None or "/" not in media:
        media = default_type
    children = None
    opaque = depth >= MAX_DEPTH
    if media.startswith("multipart/") and not opaque:
        boundary = params.get("boundary", "").encode("utf-8", "replace")
        child_default = "message/rfc822" if media == "multipart/digest" else "text/plain"
        ranges = _split_body(raw, body_start, end, boundary, budget.parts_left) if boundary else []
        opaque = ranges is None
        if ranges:
            budget.parts_left -= len(ranges)
            children = tuple(_node(raw, s, e, child_default, depth + 1, budget) for s, e in ranges)
    if media.startswith("multipart/") and children is None:
        # Too deep or too many parts: opaque octets. No delimiter: text (RFC 2046 5.1.1).
        media, params = ("application/octet-stream" if opaque else "text/plain"), {}
    return MimeNode(
        headers=headers,
        type=media,
        params=params,
        disposition=disposition,
        disposition_params=disposition_params,
        body_start=body_start,
        end=end,
        children=children,
    )


def _split_head(raw: bytes, start: int, end: int) -> tuple[int, int]:
    """Where the header section ends and the body begins (the first empty line)."""
    if raw.startswith(b"\n", start) or raw.startswith(b"\r\n", start):
        return start, min(end, start + (1 if raw[start] == 0x0A else 2))
    hits = [i for i in (raw.find(b"\n\n", start, end), raw.find(b"\n\r\n", start, end)) if i >= 0]
    if not hits:
        return end, end
    at = min(hits)
    return at + 1, at + (2 if raw[at + 1] == 0x0A else 3)


def _split_body(
    raw: bytes, start: int, end: int, boundary: bytes, limit: int
) -> list[tuple[int, int]] | None:
    """Byte ranges of the body parts between delimiter lines (RFC 2046 5.1.1).

    A delimiter is "--boundary" at the start of a line followed only by transport padding;
    the line break before it belongs to it. A missing close delimiter ends at the body's end.
    None when there are more than `limit` parts.
    """
    marker = b"--" + boundary
    ranges: list[tuple[int, int]] = []
    part_start: int | None = None
    at = raw.find(marker, start, end)
    while at >= 0:
        after = at + len(marker)
        if at != start and raw[at - 1] != 0x0A:  # not at a line start: cheap to skip
            at = raw.find(marker, after, end)
            continue
        closing = raw.startswith(b"--", after, end)
        line_end = raw.find(b"\n", after, end)
        line_end = end if line_end < 0 else line_end + 1
        if not raw[after + (2 if closing else 0) : line_end].strip(b" \t\r\n"):
            if part_start is not None:
                ranges.append((part_start, _before_break(raw, part_start, at)))
                if len(ranges) > limit:
                    return None
            if closing:
                return ranges
            part_start = line_end
            at = raw.find(marker, line_end, end)
        else:
            at = raw.find(marker, after, end)
    if part_start is not None:
        ranges.append((part_start, end))
    return ranges if len(ranges) <= limit else None


def _before_break(raw: bytes, part_start: int, delimiter: int) -> int:
    if delimiter > part_start and raw[delimiter - 1] == 0x0A:
        delimiter -= 1
        if delimiter > part_start and raw[delimiter - 1] == 0x0D:
            delimiter -= 1
    return delimiter
