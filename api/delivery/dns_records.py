"""The DNS records a hosted domain publishes: DKIM (RFC 6376 3.6.1), SPF (RFC 7208),
DMARC (RFC 7489 6.3), MTA-STS (RFC 8461 3) and TLS reporting (RFC 8460 3)."""

from __future__ import annotations

from api.delivery.dkim_keys import PublishedKey

__all__ = ["dns_suggestions", "txt_strings"]

# RFC 1035 3.3.14: one character-string holds at most 255 octets.
_TXT_STRING = 255


def txt_strings(value: str) -> str:
    """A TXT value as quoted character-strings of at most 255 octets each."""
    parts = [value[at : at + _TXT_STRING] for at in range(0, len(value), _TXT_STRING)]
    return " ".join(f'"{part}"' for part in parts)


def dns_suggestions(key: PublishedKey, hostname: str, relay: str = "") -> list[str]:
    """Zone-file lines: the DKIM record to publish, then suggestions to adapt."""
    domain = key.domain
    spf_extra = f" a:{relay.rpartition(':')[0].strip('[]')}" if relay else ""
    policy_id = key.selector.removeprefix("sb").replace("-", "")
    return [
        "; DKIM: publish this record (the key signing outgoing mail)",
        f"{key.selector}._domainkey.{domain}. IN TXT "
        + txt_strings(f"v=DKIM1; k=rsa; p={key.public_key_b64}"),
        "; SPF: the hosts that send for the domain",
        f"{domain}. IN TXT " + txt_strings(f"v=spf1 mx a:{hostname}{spf_extra} -all"),
        "; DMARC: start with p=none, tighten to quarantine/reject once reports look right",
        f"_dmarc.{domain}. IN TXT "
        + txt_strings(f"v=DMARC1; p=none; adkim=s; aspf=r; rua=mailto:postmaster@{domain}"),
        "; MTA-STS: also serve https://mta-sts." + domain + "/.well-known/mta-sts.txt with",
        f";   version: STSv1 / mode: testing / mx: {hostname} / max_age: 604800",
        f"_mta-sts.{domain}. IN TXT " + txt_strings(f"v=STSv1; id={policy_id}"),
        f"_smtp._tls.{domain}. IN TXT "
        + txt_strings(f"v=TLSRPTv1; rua=mailto:postmaster@{domain}"),
    ]
