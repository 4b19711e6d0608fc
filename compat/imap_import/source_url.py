"""`imaps://user@host:port` and `imap://...` (STARTTLS, RFC 2595) as an import source."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

__all__ = ["SourceAddress", "SourceUrlError", "parse_source"]


class SourceUrlError(ValueError):
    """The --from value is not an imap:// or imaps:// URL with a user and a host."""


@dataclass(frozen=True, slots=True)
class SourceAddress:
    user: str
    host: str
    port: int
    # True: TLS from the first byte (imaps, RFC 8314); False: STARTTLS before LOGIN.
    implicit_tls: bool

    def key(self) -> str:
        """What names this source in the import progress (hashed, never stored)."""
        return f"imap://{self.user}@{self.host.lower()}:{self.port}"


def parse_source(url: str) -> SourceAddress:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("imap", "imaps"):
        raise SourceUrlError("--from must be an imaps:// or imap:// URL")
    if not parts.hostname or not parts.username:
        raise SourceUrlError("--from needs a user and a host: imaps://user@host:port")
    if parts.password is not None:
        raise SourceUrlError("put no password in --from; it is asked for (or read from stdin)")
    try:
        port = parts.port
    except ValueError:
        raise SourceUrlError("the port in --from is not a number") from None
    implicit = parts.scheme == "imaps"
    return SourceAddress(
        user=urllib.parse.unquote(parts.username),
        host=parts.hostname,
        port=port or (993 if implicit else 143),
        implicit_tls=implicit,
    )
