"""The one table from JMAP errors and domain errors to POP3 replies (RFC 1939 3, with the
RFC 2449 8 / RFC 3206 response codes [AUTH], [SYS/TEMP], [SYS/PERM] and [IN-USE]).

Every handler raises Pop3Error, or lets a JMAP error type / SealboxError reach
`from_jmap` / `from_domain`, which pick the code and text here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.core.errors import SealboxError

__all__ = ["Pop3Error", "from_domain", "from_jmap"]


@dataclass(frozen=True)
class Pop3Error(Exception):
    """A -ERR reply, with an optional response code (`[CODE]` without brackets)."""

    text: str
    code: str | None = None

    def line(self) -> bytes:
        code = f"[{self.code}] " if self.code else ""
        return f"-ERR {code}{self.text}".encode("utf-8", "replace")


# JMAP method error and SetError types (RFC 8620 3.6.2, 5.3) -> code. Anything not listed
# is the server's fault and may pass: SYS/TEMP.
_JMAP: dict[str, str] = {
    "forbidden": "SYS/PERM",
    "accountReadOnly": "SYS/PERM",
    "overQuota": "SYS/PERM",
    "serverUnavailable": "SYS/TEMP",
    "serverFail": "SYS/TEMP",
}
# Domain error codes (SealboxError.code) that reach POP3 outside a JMAP call: sign-in.
_DOMAIN: dict[str, tuple[str, str]] = {
    "invalidCredentials": ("AUTH", "invalid credentials"),
    "invalidAddress": ("AUTH", "invalid credentials"),
    "accountNotFound": ("AUTH", "invalid credentials"),
    "secondFactorRequired": (
        "AUTH",
        "this account has a second factor: sign in with an app password",
    ),
    # Temporary, and not the credentials' fault as far as the client can tell: a client
    # that sees [AUTH] would ask its user for a new password.
    "tooManyAttempts": ("SYS/TEMP", "too many failed sign-ins, try again later"),
}


def from_jmap(kind: str, description: str | None = None) -> Pop3Error:
    return Pop3Error(description or kind, _JMAP.get(kind, "SYS/TEMP"))


def from_domain(exc: SealboxError) -> Pop3Error:
    entry = _DOMAIN.get(exc.code)
    if entry is None:
        return from_jmap(exc.code, exc.message)
    code, text = entry
    return Pop3Error(text, code)
