"""DNS for the inbound checks (RFC 7208 4.4, RFC 6376 3.6.2.2, RFC 7489 6.1) through dnspython.

Every lookup goes through one `dns.resolver.Resolver`: the system's, or a `ZoneResolver`
that answers from a master file, so tests and air-gapped nodes never touch the network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dns.exception
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.zone

__all__ = ["ZoneResolver", "build_resolver", "txt_records"]

# Inbound checks run while the client waits; a slow name server must not hold it long.
LOOKUP_SECONDS = 5.0


class ZoneResolver(dns.resolver.Resolver):
    """A resolver whose world is one zone: absent names are NXDOMAIN, absent types NoAnswer."""

    def __init__(self, zone: dns.zone.Zone) -> None:
        super().__init__(configure=False)
        self._zone = zone

    @classmethod
    def from_text(cls, text: str) -> ZoneResolver:
        zone = dns.zone.from_text(text, origin=dns.name.root, relativize=False, check_origin=False)
        return cls(zone)

    def resolve(
        self,
        qname: dns.name.Name | str,
        rdtype: dns.rdatatype.RdataType | str = dns.rdatatype.A,
        rdclass: dns.rdataclass.RdataClass | str = dns.rdataclass.IN,
        tcp: bool = False,
        source: str | None = None,
        raise_on_no_answer: bool = True,
        source_port: int = 0,
        lifetime: float | None = None,
        search: bool | None = None,
    ) -> dns.resolver.Answer:
        name = dns.name.from_text(qname) if isinstance(qname, str) else qname
        kind = dns.rdatatype.RdataType.make(rdtype)
        node = self._zone.get_node(name)
        if node is None:
            raise dns.resolver.NXDOMAIN(qnames=[name])  # type: ignore[no-untyped-call]
        rdataset = node.get_rdataset(dns.rdataclass.IN, kind)
        if rdataset is None and raise_on_no_answer:
            raise dns.resolver.NoAnswer()  # type: ignore[no-untyped-call]
        response = dns.message.make_response(dns.message.make_query(name, kind))
        if rdataset is not None:
            # find_rrset(create=True) also indexes the rrset, which Answer looks it up by.
            rrset = response.find_rrset(response.answer, name, dns.rdataclass.IN, kind, create=True)
            rrset.update(rdataset)  # type: ignore[no-untyped-call]
        assert isinstance(response, dns.message.QueryMessage)
        return dns.resolver.Answer(name, kind, dns.rdataclass.IN, response)


def build_resolver(zone_file: str) -> dns.resolver.Resolver:
    if zone_file:
        return ZoneResolver.from_text(Path(zone_file).read_text(encoding="utf-8"))
    resolver = dns.resolver.Resolver()
    resolver.lifetime = LOOKUP_SECONDS
    # Mail from one sender comes in bursts: answers are reused for their TTL.
    resolver.cache = dns.resolver.LRUCache()
    return resolver


def txt_records(resolver: dns.resolver.Resolver, name: str) -> list[bytes]:
    """Each TXT record's strings joined (RFC 7208 3.3); [] for NXDOMAIN or no data.

    Raises dns.exception.DNSException for timeouts and server failures (a temperror).
    """
    try:
        answer: Any = resolver.resolve(name, "TXT", lifetime=LOOKUP_SECONDS)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    return [b"".join(rdata.strings) for rdata in answer]
