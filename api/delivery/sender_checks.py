"""Inbound sender authentication: SPF, DKIM, ARC and DMARC together, and the verdict's
header.

RFC 7489 6.6 order: SPF (RFC 7208) and DKIM (RFC 6376) first, then the From domain's
DMARC policy over their aligned results; RFC 8601 5: Authentication-Results fields that
arrived with the message are removed before ours is prepended, since none can be trusted.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import dns.resolver

from api.delivery.arc_check import verify_arc
from api.delivery.auth_results import authentication_results
from api.delivery.dkim_check import verify_dkim
from api.delivery.dmarc_check import DmarcVerdict, evaluate_dmarc, from_domain
from api.delivery.dmarc_policy import DmarcAction, dmarc_action, enforces
from api.delivery.spf_check import check_spf
from api.mime.header_edit import top_headers, without_fields

__all__ = ["SenderChecks", "SenderVerdict"]


@dataclass(frozen=True, slots=True)
class SenderVerdict:
    # The message as it is to be stored: our Authentication-Results on top.
    stamped: bytes
    dmarc: DmarcVerdict


class SenderChecks:
    def __init__(
        self, resolver: dns.resolver.Resolver, authserv_id: str, enforce_by_default: bool
    ) -> None:
        self._resolver = resolver
        self._authserv_id = authserv_id
        # For hosted domains that have no DMARC switch of their own.
        self._enforce_by_default = enforce_by_default

    async def check(self, raw: bytes, ip: str, mail_from: str, helo: str) -> SenderVerdict:
        # DNS lookups and RSA verification block; the event loop serves other clients.
        return await asyncio.to_thread(self.check_blocking, raw, ip, mail_from, helo)

    def check_blocking(self, raw: bytes, ip: str, mail_from: str, helo: str) -> SenderVerdict:
        """`check` in the calling thread (an MX worker process's, api.delivery.mx_workers)."""
        spf = check_spf(self._resolver, ip, mail_from, helo)
        dkims = verify_dkim(self._resolver, raw)
        dmarc = evaluate_dmarc(self._resolver, from_domain(top_headers(raw)), spf, dkims)
        arc = verify_arc(self._resolver, raw)
        header = authentication_results(self._authserv_id, spf, dkims, dmarc, arc)
        stamped = header + without_fields(raw, ["authentication-results"])
        return SenderVerdict(stamped=stamped, dmarc=dmarc)

    def action(self, verdict: SenderVerdict, domain_policy: str | None) -> DmarcAction:
        """What to do with the message for a recipient in a domain with this DMARC switch."""
        return dmarc_action(verdict.dmarc, enforces(domain_policy, self._enforce_by_default))
