"""DKIM signature verification (RFC 6376 6) with dkimpy, keys looked up through our resolver."""

from __future__ import annotations

import re
from dataclasses import dataclass

import dkim
import dns.exception
import dns.resolver
from dkim.util import parse_tag_value

from api.delivery.dns_lookup import txt_records
from api.mime.header_edit import header_section

__all__ = ["DkimVerdict", "verify_dkim"]

# Verifying is a hash and one RSA operation per signature; more than this is abuse.
MAX_SIGNATURES = 5
# Anywhere in the header section, so never missed where a field could be: without it,
# dkimpy's parse of the whole message (most of an unsigned message's check) finds
# nothing anyway. Not in the body: a scan of 10 KB costs a hundred times more.
_MAY_BE_SIGNED = re.compile(rb"dkim-signature", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DkimVerdict:
    result: str  # RFC 8601 2.7.1: pass | fail | neutral | temperror | permerror
    domain: str
    selector: str


def _tag(tags: dict[bytes, bytes], name: bytes) -> str:
    return tags.get(name, b"").decode("ascii", "replace").strip()


def _tags(signature: bytes) -> tuple[str, str]:
    """The d= and s= tags, for the report even when the signature does not verify."""
    try:
        tags: dict[bytes, bytes] = parse_tag_value(signature)
    except dkim.InvalidTagValueList:
        return "", ""
    return _tag(tags, b"d"), _tag(tags, b"s")


def verify_dkim(resolver: dns.resolver.Resolver, raw: bytes) -> list[DkimVerdict]:
    """One verdict per DKIM-Signature field, in order; blocking (DNS): run it in a thread."""

    def dnsfunc(name: bytes, timeout: float = 5) -> bytes | None:
        records = txt_records(resolver, name.decode("ascii", "replace"))
        return records[0] if records else None

    if _MAY_BE_SIGNED.search(header_section(raw)[0]) is None:
        return []
    try:
        checker = dkim.DKIM(raw)
    except dkim.MessageFormatError:
        return []
    signatures = [value for name, value in checker.headers if name.lower() == b"dkim-signature"]
    verdicts: list[DkimVerdict] = []
    for index, signature in enumerate(signatures[:MAX_SIGNATURES]):
        domain, selector = _tags(signature)
        try:
            result = "pass" if checker.verify(idx=index, dnsfunc=dnsfunc) else "fail"
        except dns.exception.DNSException:
            result = "temperror"
        except dkim.DKIMException:
            # Malformed signature or key record, or no key published (RFC 6376 6.1.2).
            result = "permerror"
        verdicts.append(DkimVerdict(result=result, domain=domain.lower(), selector=selector))
    return verdicts
