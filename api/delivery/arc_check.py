"""ARC chain validation (RFC 8617 5.2) with dkimpy, keys looked up through our resolver.

The verdict is only recorded (RFC 8617 7.2 leaves what to do with it to local policy);
DMARC is not overridden by a forwarder's ARC results.
"""

from __future__ import annotations

import re

import dkim
import dns.exception
import dns.resolver

from api.delivery.dns_lookup import txt_records
from api.mime.header_edit import header_section

__all__ = ["verify_arc"]

# As in dkim_check: with none of the three ARC field names anywhere in the header
# section (a broken set of them is "fail"), there is nothing to parse the message for.
_MAY_BE_SEALED = re.compile(rb"arc-(seal|message-signature|authentication-results)", re.I)


def verify_arc(resolver: dns.resolver.Resolver, raw: bytes) -> str:
    """The chain validation status: "none" | "pass" | "fail" (RFC 8617 4.4). Blocking."""

    def dnsfunc(name: bytes, timeout: float = 5) -> bytes | None:
        records = txt_records(resolver, name.decode("ascii", "replace"))
        return records[0] if records else None

    if _MAY_BE_SEALED.search(header_section(raw)[0]) is None:
        return "none"
    try:
        status, _, _ = dkim.arc_verify(raw, dnsfunc=dnsfunc)
    except dns.exception.DNSException:
        # The registry has no temperror for arc (RFC 8617 10.1): the chain is not proven.
        return "fail"
    except (dkim.DKIMException, ValueError, IndexError, KeyError):
        # dkimpy raises more than DKIMException on malformed ARC sets.
        return "fail"
    return {dkim.CV_Pass: "pass", dkim.CV_None: "none"}.get(status, "fail")
