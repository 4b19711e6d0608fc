"""SPF (RFC 7208 2.4, 4) for the MAIL FROM identity, or HELO for a null sender, via pyspf."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.resolver
import spf

__all__ = ["SpfVerdict", "check_spf"]

# pyspf looks every name up through its module-level DNSLookup; routing that through a
# context variable gives each check our resolver (the system's or a ZoneResolver)
# without changing pyspf's behaviour for anyone else in the process.
_resolver: contextvars.ContextVar[dns.resolver.Resolver | None] = contextvars.ContextVar(
    "sealbox_spf_resolver", default=None
)
_library_lookup: Callable[..., Any] = spf.DNSLookup


def _rdata_value(qtype: str, rdata: Any) -> Any:
    if qtype in ("A", "AAAA"):
        return rdata.address
    if qtype == "MX":
        return (rdata.preference, rdata.exchange)
    if qtype == "PTR":
        return rdata.target.to_text(True)
    return rdata.strings


def _lookup(name: str, qtype: str, strict: bool = True, timeout: float = 20) -> list[Any]:
    resolver = _resolver.get()
    if resolver is None:
        return list(_library_lookup(name, qtype, strict, timeout))
    try:
        answer: Any = resolver.resolve(name, qtype, lifetime=timeout)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException as exc:
        raise spf.TempError(f"DNS {exc}") from exc
    return [((name, qtype), _rdata_value(qtype, rdata)) for rdata in answer]


spf.DNSLookup = _lookup


@dataclass(frozen=True, slots=True)
class SpfVerdict:
    """An RFC 8601 2.7.2 result keyword and the identity it is about."""

    result: str
    # The domain whose policy was evaluated: MAIL FROM's, or HELO's for a null sender.
    domain: str
    scope: str  # "mailfrom" | "helo"
    sender: str


def check_spf(resolver: dns.resolver.Resolver, ip: str, mail_from: str, helo: str) -> SpfVerdict:
    """Blocking (DNS): run it in a thread."""
    scope = "mailfrom" if mail_from else "helo"
    sender = mail_from or f"postmaster@{helo}"
    domain = sender.rpartition("@")[2].lower()
    token = _resolver.set(resolver)
    try:
        result, _code, _text = spf.query(i=ip, s=mail_from, h=helo, timeout=10).check()
    except (ValueError, UnicodeError):
        # An address pyspf cannot even split (garbage from the client) has no policy.
        result = "permerror"
    finally:
        _resolver.reset(token)
    return SpfVerdict(result=str(result), domain=domain, scope=scope, sender=sender)
