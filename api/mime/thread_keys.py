"""Keys for threading: the base subject (RFC 5256 2.1) and a message's ids (RFC 5322 3.6.4).

The base subject algorithm is RFC 5256's, steps 1-6, written by hand (the stdlib has no
counterpart). Besides "re", "fw" and "fwd" it strips the common localised reply and
forward prefixes ("aw", "sv", "vs", "antw", "wg", "tr", "rif", "ref"), as most clients do.
"""

from __future__ import annotations

import re

from api.mime.email_view import ParsedEmail

__all__ = ["base_subject", "thread_keys"]

_BLOB = r"\[[^\[\]]*\][ \t]*"
_LEADER = re.compile(
    rf"^(?:{_BLOB})*(?:re|fwd?|aw|sv|vs|antw|wg|tr|rif|ref)[ \t]*(?:{_BLOB})?:[ \t]*",
    re.IGNORECASE,
)
_BLOB_PREFIX = re.compile(rf"^{_BLOB}")
_TRAILER = re.compile(r"(?:[ \t]*\(fwd\))+[ \t]*$|[ \t]+$", re.IGNORECASE)
_FWD_WRAPPER = re.compile(r"^\[fwd:(.*)\]$", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")
# Each leader removed rescans the rest; a prefix is plenty to thread on and stays cheap.
_SUBJECT_LIMIT = 2048


def base_subject(subject: str) -> str:
    """RFC 5256 2.1: the subject without reply/forward leaders, blobs and trailers.

    The result is case-folded, for comparison; encoded-words are decoded by the caller
    (the Email `subject` is asText).
    """
    text = _SPACE.sub(" ", subject[:_SUBJECT_LIMIT]).strip()  # step 1
    while True:
        text = _TRAILER.sub("", text)  # step 2
        while True:  # steps 3-5
            stripped = _LEADER.sub("", text, count=1)
            blob = _BLOB_PREFIX.match(stripped)
            if blob and stripped[blob.end() :].strip():
                stripped = stripped[blob.end() :]
            if stripped == text:
                break
            text = stripped
        wrapped = _FWD_WRAPPER.match(text)  # step 6
        if not wrapped:
            return text.strip().casefold()
        text = wrapped.group(1).strip()


def thread_keys(parsed: ParsedEmail) -> tuple[str, frozenset[str]]:
    """The base subject and every id the message names: Message-ID, In-Reply-To, References."""
    ids: set[str] = set()
    for group in (parsed.message_id, parsed.in_reply_to, parsed.references):
        ids.update(group or ())
    return base_subject(parsed.subject or ""), frozenset(ids)
