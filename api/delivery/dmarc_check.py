"""DMARC (RFC 7489 6.6): the From domain's policy, applied to aligned SPF and DKIM results."""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import getaddresses

import dmarc
import dns.exception
import dns.resolver
from publicsuffixlist import PublicSuffixList

from api.delivery.dkim_check import DkimVerdict
from api.delivery.dns_lookup import txt_records
from api.delivery.spf_check import SpfVerdict
from api.mime.fields import RawHeader

__all__ = ["DmarcVerdict", "evaluate_dmarc", "from_domain", "load_public_suffixes"]


@dataclass(frozen=True, slots=True)
class DmarcVerdict:
    result: str  # RFC 8601 2.7.3 / RFC 7489 11.2: pass | fail | none | temperror | permerror
    domain: str  # the RFC 5322.From domain ("" when the message has none)
    # The disposition the domain asks for on failure: "none" | "quarantine" | "reject".
    disposition: str


class _OrganizationalDomains:
    """The `publicsuffix` object pydmarc asks for relaxed alignment (RFC 7489 3.2)."""

    def __init__(self) -> None:
        self._list = PublicSuffixList()

    def get_public_suffix(self, domain: str) -> str:
        return self._list.privatesuffix(domain.lower()) or domain.lower()


@functools.cache
def _org_domains() -> _OrganizationalDomains:
    # Loading the bundled list takes a moment; once per process is enough.
    return _OrganizationalDomains()


def load_public_suffixes() -> None:
    """Load the public suffix list now (~0.1 s), not in the first messages' checks,
    where several threads at once would each load it (functools.cache does not wait)."""
    _org_domains()


def from_domain(headers: tuple[RawHeader, ...]) -> str:
    """The RFC 5322.From domain, or "" when there is none or more than one (RFC 7489 6.6.1)."""
    values = [h.raw.decode("utf-8", "replace") for h in headers if h.name.lower() == "from"]
    addresses = [email for _, email in getaddresses(values) if "@" in email]
    domains = {email.rpartition("@")[2].strip().lower() for email in addresses}
    if len(values) != 1 or len(domains) != 1:
        return ""
    domain = domains.pop()
    try:
        Address(username="x", domain=domain)
    except (ValueError, IndexError):
        return ""
    return domain


def _record(resolver: dns.resolver.Resolver, domain: str) -> str | None:
    found = [r for r in txt_records(resolver, f"_dmarc.{domain}") if r[:8].upper() == b"V=DMARC1"]
    # RFC 7489 6.6.3: none, or more than one, means no policy at this name.
    return found[0].decode("utf-8", "replace") if len(found) == 1 else None


def evaluate_dmarc(
    resolver: dns.resolver.Resolver, domain: str, spf: SpfVerdict, dkims: list[DkimVerdict]
) -> DmarcVerdict:
    """Blocking (DNS): run it in a thread."""
    if not domain:
        return DmarcVerdict(result="none", domain="", disposition="none")
    org = _org_domains().get_public_suffix(domain)
    try:
        record, org_domain = _record(resolver, domain), None
        if record is None and org != domain:
            record, org_domain = _record(resolver, org), org
    except dns.exception.DNSException:
        return DmarcVerdict(result="temperror", domain=domain, disposition="none")
    if record is None:
        return DmarcVerdict(result="none", domain=domain, disposition="none")
    try:
        policy = dmarc.DMARCPolicy(
            record, domain=domain, org_domain=org_domain, publicsuffix=_org_domains()
        )
    except dmarc.RecordSyntaxError:
        return DmarcVerdict(result="permerror", domain=domain, disposition="none")
    results: list[dmarc.AuthResult] = [
        dmarc.DKIM(d.domain, dmarc.DKIMResult(d.result)) for d in dkims if d.domain
    ]
    if spf.domain:
        results.append(dmarc.SPF(spf.domain, dmarc.SPFResult(spf.result)))
    # A failure raises; its result and disposition are read below either way.
    with contextlib.suppress(dmarc.PolicyError):
        policy.verify(auth_results=results)
    outcome = policy.result
    assert outcome is not None
    return DmarcVerdict(
        result=outcome.result.value, domain=domain, disposition=outcome.disposition.value or "none"
    )
