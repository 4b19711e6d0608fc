"""The Authentication-Results header field (RFC 8601 2.2, RFC 8617 10.1 arc) for one
inbound message."""

from __future__ import annotations

import re

from api.delivery.dkim_check import DkimVerdict
from api.delivery.dmarc_check import DmarcVerdict
from api.delivery.spf_check import SpfVerdict

__all__ = ["authentication_results"]

# RFC 2045 token characters; anything else the sender chose is quoted (RFC 8601 2.2 `value`).
_TOKEN = re.compile(r"[A-Za-z0-9!#$%&'*+\-.^_`{|}~@]+")
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")


def _value(text: str) -> str:
    if _TOKEN.fullmatch(text):
        return text
    # Sender-controlled text must never break out of the field (CR, LF, quotes).
    cleaned = _UNPRINTABLE.sub("?", text).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{cleaned}"'


def authentication_results(
    authserv_id: str,
    spf: SpfVerdict,
    dkims: list[DkimVerdict],
    dmarc: DmarcVerdict,
    arc: str,
) -> bytes:
    """The whole field, folded one method per line, ending in CRLF."""
    parts = [f"spf={spf.result} smtp.{spf.scope}={_value(spf.sender)}"]
    if not dkims:
        parts.append("dkim=none")
    for verdict in dkims:
        entry = f"dkim={verdict.result}"
        if verdict.domain:
            entry += f" header.d={_value(verdict.domain)}"
        if verdict.selector:
            entry += f" header.s={_value(verdict.selector)}"
        parts.append(entry)
    # RFC 8617 10.1: the "arc" method, none | pass | fail.
    parts.append(f"arc={arc}")
    dmarc_entry = f"dmarc={dmarc.result}"
    if dmarc.domain:
        dmarc_entry += f" header.from={_value(dmarc.domain)}"
    if dmarc.result == "fail":
        dmarc_entry += f" policy.dmarc={dmarc.disposition}"
    parts.append(dmarc_entry)
    body = ";\r\n\t".join([_value(authserv_id), *parts])
    return f"Authentication-Results: {body}\r\n".encode("ascii")
