"""SearchSnippet/get (RFC 8621 5.1): subject and preview with the searched words marked.

Snippets are computed in memory from the decrypted summaries, never stored. Until the
search index lands (the search issue), the words come from the filter's `text`,
`subject` and `body` conditions and are matched case-insensitively in the subject and
the preview; an email where nothing matches gets null, as the RFC allows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from api.jmap.errors import InvalidArgumentsError, RequestTooLargeError
from api.jmap.registry import MethodArguments, MethodContext

__all__ = ["SnippetArguments", "mark", "search_snippet_get", "search_terms"]

_TEXT_CONDITIONS = ("text", "subject", "body")
_WORD = re.compile(r"\w+", re.UNICODE)


class SnippetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    filter: dict[str, Any] | None = None
    email_ids: list[str]


def _conditions(node: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(node, dict):
        raise InvalidArgumentsError("a filter is an object")
    if "operator" in node:
        # Words under NOT are what the user does not want: nothing to highlight there.
        if node.get("operator") != "NOT":
            for child in node.get("conditions") or []:
                yield from _conditions(child)
        return
    yield node


def search_terms(filter_: dict[str, Any] | None) -> list[str]:
    """The distinct words the filter searches for, case-folded, longest first."""
    words: dict[str, None] = {}
    for condition in _conditions(filter_ or {}):
        for key in _TEXT_CONDITIONS:
            value = condition.get(key)
            if isinstance(value, str):
                words.update(dict.fromkeys(w.casefold() for w in _WORD.findall(value)))
    return sorted(words, key=len, reverse=True)


def mark(text: str | None, terms: list[str]) -> str | None:
    """HTML-escaped `text` with each occurrence of a term in <mark>, or None if none occurs."""
    if not text or not terms:
        return None
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    pieces: list[str] = []
    last = 0
    for found in pattern.finditer(text):
        pieces.append(html.escape(text[last : found.start()]))
        pieces.append(f"<mark>{html.escape(found.group())}</mark>")
        last = found.end()
    if not pieces:
        return None
    pieces.append(html.escape(text[last:]))
    return "".join(pieces)


async def search_snippet_get(context: MethodContext, arguments: SnippetArguments) -> dict[str, Any]:
    limit = context.limits.max_objects_in_get
    if limit is not None and len(arguments.email_ids) > limit:
        raise RequestTooLargeError(f"at most {limit} emailIds per SearchSnippet/get")
    terms = search_terms(arguments.filter)
    wanted = list(dict.fromkeys(arguments.email_ids))
    views, _ = await context.services.emails.get(context.unlocked, wanted)
    by_id = {view.record.id: view for view in views}
    return {
        "accountId": context.account_id,
        "list": [
            {
                "emailId": email_id,
                "subject": mark(by_id[email_id].summary.subject, terms),
                "preview": mark(by_id[email_id].summary.preview, terms),
            }
            for email_id in wanted
            if email_id in by_id
        ],
        "notFound": [i for i in wanted if i not in by_id] or None,
    }
