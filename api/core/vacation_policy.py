"""Whether a delivered message may get the vacation auto-reply (RFC 3834 2, 5.1; RFC 5230 4.6).

Pure rules over the envelope and header fields, so each can be shown by a table of
cases. The once-per-sender-per-period rule needs the reply log and lives with it
(api/core/vacation_reply.py).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from enum import StrEnum

import msgspec

from api.mime.addresses import as_addresses
from api.mime.fields import RawHeader, unfold

__all__ = ["InboundMessage", "Refusal", "addressed_as", "refusal"]

# RFC 3834 2: recipient fields in which the account's address must appear.
_RECIPIENT_FIELDS = frozenset({"to", "cc", "bcc", "resent-to", "resent-cc", "resent-bcc"})
# RFC 2369 and RFC 2919: any of these marks list traffic.
_LIST_FIELDS = frozenset(
    {
        "list-id",
        "list-unsubscribe",
        "list-subscribe",
        "list-post",
        "list-help",
        "list-owner",
        "list-archive",
    }
)
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})
# RFC 5230 4.6 names these robot local parts; the no-reply spellings are common practice.
_ROBOT_LOCAL_PART = re.compile(
    r"^(mailer-daemon|postmaster|listserv|majordomo|owner-.*|.*-request|"
    r"no-?reply|do-?not-?reply|bounces?(\+.*)?)$",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"\([^()]*\)")


class Refusal(StrEnum):
    """Why no auto-reply goes out; each member names the rule it applies."""

    NULL_SENDER = "nullSender"  # RFC 3834 2: never answer the null reverse-path
    OWN_ADDRESS = "ownAddress"  # the account writing to itself
    ROBOT_SENDER = "robotSender"  # RFC 5230 4.6: daemons, list software, no-reply
    AUTO_SUBMITTED = "autoSubmitted"  # RFC 3834 5.1: Auto-Submitted other than "no"
    MAILING_LIST = "mailingList"  # RFC 2369 / 2919 list fields
    BULK = "bulk"  # Precedence: bulk, list or junk
    NOT_ADDRESSED = "notAddressed"  # RFC 3834 2: our address in no recipient field


class InboundMessage(msgspec.Struct, frozen=True, kw_only=True):
    """What delivery knows of one message for one account."""

    # The SMTP MAIL FROM (RFC 3834 4: the reply goes there); "" for the null path <>.
    envelope_sender: str
    # Header fields as received, in order (api.mime.fields.split_header_block).
    headers: Sequence[RawHeader]


def _fields(headers: Sequence[RawHeader], name: str) -> list[str]:
    return [unfold(h.raw).strip() for h in headers if h.name.lower() == name]


def _sender(envelope_sender: str) -> str:
    return envelope_sender.strip().strip("<>").strip().lower()


def _automatic(headers: Sequence[RawHeader]) -> Refusal | None:
    names = {h.name.lower() for h in headers}
    for value in _fields(headers, "auto-submitted"):
        keyword = _COMMENT.sub("", value).split(";")[0].strip().lower()
        if keyword != "no":
            return Refusal.AUTO_SUBMITTED
    if names & _LIST_FIELDS:
        return Refusal.MAILING_LIST
    precedence = {_COMMENT.sub("", v).strip().lower() for v in _fields(headers, "precedence")}
    if precedence & _BULK_PRECEDENCE:
        return Refusal.BULK
    return None


def addressed_as(headers: Sequence[RawHeader], own: Collection[str]) -> str | None:
    """The first of the account's addresses named in a recipient field, lower-cased."""
    wanted = {a.lower() for a in own}
    for header in headers:
        if header.name.lower() in _RECIPIENT_FIELDS:
            for address in as_addresses(header.raw):
                if address.email.lower() in wanted:
                    return address.email.lower()
    return None


def refusal(message: InboundMessage, own_addresses: Collection[str]) -> Refusal | None:
    """The first rule that forbids an auto-reply, or None when one may go out.

    `own_addresses` are the account's address and aliases.
    """
    own = {a.lower() for a in own_addresses}
    sender = _sender(message.envelope_sender)
    if not sender or "@" not in sender:
        return Refusal.NULL_SENDER
    if sender in own:
        return Refusal.OWN_ADDRESS
    if _ROBOT_LOCAL_PART.match(sender.rpartition("@")[0]):
        return Refusal.ROBOT_SENDER
    automatic = _automatic(message.headers)
    if automatic is not None:
        return automatic
    if addressed_as(message.headers, own) is None:
        return Refusal.NOT_ADDRESSED
    return None
