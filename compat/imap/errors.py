"""The one table from JMAP errors and domain errors to IMAP responses (RFC 9051 7.1 codes).

Every handler raises ImapError, or lets a JMAP error type / SealboxError reach
`imap_error`, which picks the status and response code here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.core.errors import SealboxError

__all__ = ["ImapError", "from_domain", "from_jmap"]


@dataclass(frozen=True)
class ImapError(Exception):
    """A tagged NO or BAD, with an optional response code (`[CODE]` without brackets)."""

    text: str
    code: str | None = None
    status: str = "NO"


# JMAP method error and SetError types (RFC 8620 3.6.2, 5.3; RFC 8621) -> status, code.
_JMAP: dict[str, tuple[str, str | None]] = {
    "notFound": ("NO", "NONEXISTENT"),
    "blobNotFound": ("NO", "NONEXISTENT"),
    "mailboxHasChild": ("NO", "HASCHILDREN"),
    "mailboxHasEmail": ("NO", "INUSE"),
    "alreadyExists": ("NO", "ALREADYEXISTS"),
    "invalidProperties": ("NO", "CANNOT"),
    "invalidPatch": ("NO", "CANNOT"),
    "forbidden": ("NO", "NOPERM"),
    "overQuota": ("NO", "OVERQUOTA"),
    "tooLarge": ("NO", "TOOBIG"),
    "stateMismatch": ("NO", "INUSE"),
    "unsupportedFilter": ("NO", "CANNOT"),
    "unsupportedSort": ("NO", "CANNOT"),
    "requestTooLarge": ("NO", "LIMIT"),
    "tooManyChanges": ("NO", "LIMIT"),
    "invalidArguments": ("BAD", None),
    "serverUnavailable": ("NO", "UNAVAILABLE"),
    "serverFail": ("NO", "SERVERBUG"),
}
# Domain error codes (SealboxError.code) that reach IMAP outside a JMAP call: sign-in.
_DOMAIN: dict[str, tuple[str, str | None, str]] = {
    "invalidCredentials": ("NO", "AUTHENTICATIONFAILED", "invalid credentials"),
    "invalidAddress": ("NO", "AUTHENTICATIONFAILED", "invalid credentials"),
    "accountNotFound": ("NO", "AUTHENTICATIONFAILED", "invalid credentials"),
    "secondFactorRequired": (
        "NO",
        "AUTHENTICATIONFAILED",
        "this account has a second factor: sign in with an app password",
    ),
    "tooManyAttempts": ("NO", "UNAVAILABLE", "too many failed sign-ins, try again later"),
}


def from_jmap(kind: str, description: str | None = None) -> ImapError:
    status, code = _JMAP.get(kind, ("NO", "SERVERBUG"))
    return ImapError(description or kind, code, status)


def from_domain(exc: SealboxError) -> ImapError:
    entry = _DOMAIN.get(exc.code)
    if entry is None:
        return from_jmap(exc.code, exc.message)
    status, code, text = entry
    return ImapError(text, code, status)
