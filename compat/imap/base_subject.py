"""The base subject of RFC 5256 2.1, which SORT SUBJECT and both THREAD algorithms compare:
the subject without reply and forward artifacts ("Re:", "Fwd:", "[list]", "(fwd)").

The subject arrives decoded (the JMAP `subject` property), so step (1) only folds
whitespace. RFC 5256 says every server MUST use exactly this algorithm, so it is spelled
out step by step rather than approximated.
"""

from __future__ import annotations

import re

__all__ = ["base_subject"]

_SPACES = re.compile(r"[ \t\r\n]+")
_TRAILER = re.compile(r"(?:\(fwd\)|[ \t])$", re.IGNORECASE)
_BLOB = r"\[[^\[\]]*\][ \t]*"
_REFWD_LEADER = re.compile(rf"^(?:{_BLOB})*(?:re|fwd?)[ \t]*(?:{_BLOB})?:", re.IGNORECASE)
_BLOB_PREFIX = re.compile(rf"^{_BLOB}")
_FWD_HDR = "[fwd:"


def base_subject(subject: str | None) -> tuple[str, bool]:
    """(base subject, whether the extraction found a reply or forward: RFC 5256 4 counts a
    removed subj-refwd, "(fwd)" trailer or [fwd: ...] wrapper, not a list blob)."""
    text = _SPACES.sub(" ", subject or "")  # (1)
    reply = False
    while True:
        while match := _TRAILER.search(text):  # (2)
            reply = reply or match.group() not in (" ", "\t")
            text = text[: match.start()]
        while True:  # (5): (3) and (4) until neither applies
            before = text
            text = text.lstrip(" \t")
            if match := _REFWD_LEADER.match(text):  # (3)
                text = text[match.end() :]
                reply = True
                continue
            blob = _BLOB_PREFIX.match(text)
            if blob and text[blob.end() :].strip(" \t"):  # (4)
                text = text[blob.end() :]
            if text == before:
                break
        if text[: len(_FWD_HDR)].lower() == _FWD_HDR and text.endswith("]"):  # (6)
            text = text[len(_FWD_HDR) : -1]
            reply = True
            continue
        return text, reply  # (7)
