"""Where mail for a domain goes next (RFC 5321 5.1): the transport map, the relay, or DNS.

MX records are tried by preference, equal ones in random order; a domain without MX
records is its own implicit MX (its A/AAAA records); a null MX (RFC 7505) refuses mail.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.rdtypes.ANY.MX
import dns.resolver

from api.config import Settings, parse_host_port

__all__ = ["NextHop", "RouteError", "Router"]

SMTP_PORT = 25


@dataclass(frozen=True, slots=True)
class NextHop:
    host: str
    port: int
    # A relay or transport entry is configured by the operator, so it may get AUTH.
    configured: bool = False


class RouteError(Exception):
    """No host to try; `reply` is the SMTP-style reason, permanent when it starts with 5."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply

    @property
    def permanent(self) -> bool:
        return self.reply.startswith("5")


class Router:
    def __init__(self, settings: Settings, resolver: dns.asyncresolver.Resolver | None) -> None:
        self._transport = {
            domain: parse_host_port(hop, "outbound_transport")
            for domain, hop in settings.transport_map.items()
        }
        relay = settings.outbound_relay
        self._relay = parse_host_port(relay, "outbound_relay") if relay else None
        self._resolver = resolver or dns.asyncresolver.Resolver()

    async def hops(self, domain: str) -> list[NextHop]:
        """The hosts to try in order, or RouteError."""
        domain = domain.lower().rstrip(".")
        if domain in self._transport:
            return [NextHop(*self._transport[domain], configured=True)]
        if self._relay is not None:
            return [NextHop(*self._relay, configured=True)]
        return await self._mx(domain)

    async def _mx(self, domain: str) -> list[NextHop]:
        try:
            answer = await self._resolver.resolve(domain, "MX")
        except dns.resolver.NXDOMAIN:
            raise RouteError("550 5.1.2 the recipient's domain does not exist") from None
        except dns.resolver.NoAnswer:
            # RFC 5321 5.1: no MX records, so the domain itself is the one host to try.
            return [NextHop(domain, SMTP_PORT)]
        except dns.exception.DNSException:
            raise RouteError("451 4.4.3 the recipient's domain could not be looked up") from None
        records = [r for r in answer if isinstance(r, dns.rdtypes.ANY.MX.MX)]
        if len(records) == 1 and records[0].exchange.to_text() == ".":
            raise RouteError("556 5.1.10 the recipient's domain accepts no mail (null MX)")
        # Shuffle, then a stable sort: equal preferences stay in random order (5.1).
        random.shuffle(records)
        records.sort(key=lambda r: int(r.preference))
        return [NextHop(r.exchange.to_text().rstrip("."), SMTP_PORT) for r in records]
