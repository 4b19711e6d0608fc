"""The Email `preview` property (RFC 8621 4.1.4): up to 256 characters of body text.

Taken from the first text part of textBody, whitespace collapsed. When that part is HTML
(textBody falls back to HTML when a message has no plain text), tags, comments and the
content of script, style and head are dropped and entities decoded (`html.unescape`).
The tag scan is written by hand, not `html.parser`: on this Python that parser is
quadratic on unclosed tags ("<a " repeated 16 KiB takes over a second), and a preview is
computed for every incoming message. Only a bounded prefix of the body is decoded.
"""

from __future__ import annotations

import html
import re

from api.mime.body_values import decode_charset, decode_transfer

__all__ = ["PREVIEW_LENGTH", "html_to_text", "make_preview"]

PREVIEW_LENGTH = 256
# Enough undecoded octets for 256 characters of text after markup and whitespace, mostly.
_SCAN_OCTETS = 256 * 1024
_TAG_NAME = re.compile(r"/?([a-zA-Z][a-zA-Z0-9]*)")
_HIDDEN = {
    name: re.compile(rf"</{name}\s*>", re.IGNORECASE)
    for name in ("script", "style", "head", "title", "template")
}
_BREAKS = frozenset({"br", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "table"})


def html_to_text(markup: str, limit: int = PREVIEW_LENGTH * 4) -> str:
    """Visible text of an HTML document, stopping soon after `limit` characters.

    One forward scan: every step moves past a tag, a comment or a hidden element, so the
    cost is linear in the input even when nothing is ever closed.
    """
    chunks: list[str] = []
    collected = 0
    pos, end = 0, len(markup)
    while pos < end and collected < limit:
        lt = markup.find("<", pos)
        if lt < 0:
            chunks.append(markup[pos:])
            break
        chunks.append(markup[pos:lt])
        collected += lt - pos
        if markup.startswith("<!--", lt):
            close = markup.find("-->", lt + 4)
            pos = end if close < 0 else close + 3
            continue
        gt = markup.find(">", lt + 1)
        if gt < 0:
            break
        pos = gt + 1
        tag = _TAG_NAME.match(markup, lt + 1)
        if tag is None:
            continue
        name = tag.group(1).lower()
        hidden = _HIDDEN.get(name)
        if hidden is not None and not tag.group(0).startswith("/"):
            closing = hidden.search(markup, pos)
            pos = end if closing is None else closing.end()
        elif name in _BREAKS:
            chunks.append(" ")
    return html.unescape("".join(chunks))


def make_preview(body: bytes, encoding: str | None, charset: str | None, media: str) -> str:
    """The preview text of one part from its undecoded body octets."""
    decoded, _ = decode_transfer(body[:_SCAN_OCTETS], encoding)
    text, _ = decode_charset(decoded, charset)
    if media == "text/html":
        text = html_to_text(text)
    return " ".join(text.split())[:PREVIEW_LENGTH]
