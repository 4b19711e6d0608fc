"""The EHLO keywords Sealbox's SMTP sessions add to aiosmtpd's own (RFC 5321 4.1.1.1),
and what the RFC 8689 one, REQUIRETLS, leaves on a transaction's envelope."""

from __future__ import annotations

from aiosmtpd.smtp import Envelope, Session

__all__ = ["REQUIRETLS", "asks_requiretls", "session_extensions"]

# Implemented by compat.smtp.protocol on top of aiosmtpd; every handler offers them.
_ALWAYS = ("PIPELINING", "ENHANCEDSTATUSCODES", "CHUNKING")
# RFC 8689: offered, and taken on MAIL FROM, only once the session is TLS.
REQUIRETLS = "REQUIRETLS"


def session_extensions(session: Session) -> tuple[str, ...]:
    """The EHLO keywords to add to aiosmtpd's for `session`."""
    return (*_ALWAYS, REQUIRETLS) if session.ssl is not None else _ALWAYS


def asks_requiretls(envelope: Envelope) -> bool:
    """Whether the transaction's MAIL FROM carried REQUIRETLS (RFC 8689 4.1)."""
    return REQUIRETLS in envelope.mail_options
