"""What the MX does with a message whose DMARC check failed (RFC 7489 6.7, 6.3 `p=`).

The sender's domain asks (p=none | quarantine | reject); each hosted domain decides
whether to honour it ("enforce") or only record the verdict ("report"), and a domain
that has not decided follows the server's `dmarc_enforce_reject`. The verdict is in
Authentication-Results either way.
"""

from __future__ import annotations

from enum import StrEnum

from api.delivery.dmarc_check import DmarcVerdict

__all__ = ["DmarcAction", "dmarc_action", "enforces"]


class DmarcAction(StrEnum):
    DELIVER = "deliver"
    # p=quarantine: into the recipient's Junk mailbox (the Inbox when it has none).
    JUNK = "junk"
    # p=reject: 550 5.7.1 after DATA.
    REJECT = "reject"


def enforces(domain_policy: str | None, default: bool) -> bool:
    """Whether a hosted domain with this switch honours senders' policies."""
    return default if domain_policy is None else domain_policy == "enforce"


def dmarc_action(verdict: DmarcVerdict, enforce: bool) -> DmarcAction:
    if not enforce or verdict.result != "fail":
        return DmarcAction.DELIVER
    if verdict.disposition == "reject":
        return DmarcAction.REJECT
    if verdict.disposition == "quarantine":
        return DmarcAction.JUNK
    return DmarcAction.DELIVER
