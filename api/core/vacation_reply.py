"""The vacation auto-reply for one delivered message (RFC 8621 8, RFC 3834).

Delivery calls `VacationReplier.vacation_reply_for` with no user key: it reads the
plaintext switch and window, applies the RFC 3834 rules (api/core/vacation_policy.py),
claims the sender in the reply log (one reply per sender per period, keyed by HMAC) and
opens the delivery copy of the texts under the installation key. SMTP delivery and
EmailSubmission, which will send the reply, are not built yet.
"""

from __future__ import annotations

import html
import re

import msgspec

from api.core.clock import DAY
from api.core.vacation import VacationTexts
from api.core.vacation_keys import delivery_keys
from api.core.vacation_policy import InboundMessage, addressed_as, refusal
from api.mime.fields import last_named
from api.mime.headers import as_message_ids, as_text
from api.store.ids import AccountId
from api.store.unit_of_work import Store

__all__ = ["DEFAULT_TEXT", "REPLY_PERIOD", "VacationReplier", "VacationReply"]

# RFC 3834 2 leaves the period to the responder; 7 days is RFC 5230's default :days.
REPLY_PERIOD = 7 * DAY
DEFAULT_TEXT = "I am away and will read your message when I am back."
_TAG = re.compile(r"<[^>]*>")


class VacationReply(msgspec.Struct, frozen=True, kw_only=True):
    """What to send: to the envelope sender (RFC 3834 4), from the address of the account
    the message named (3.1.6, or the account's own address)."""

    to: str
    from_address: str
    subject: str
    text_body: str
    html_body: str | None
    # RFC 3834 3.1.5: thread the reply under the message that caused it.
    in_reply_to: list[str]
    references: list[str]
    # RFC 3834 5: every reply is marked, so other responders leave it alone.
    auto_submitted: str = "auto-replied"


def _subject(texts: VacationTexts, message: InboundMessage) -> str:
    if texts.subject:
        return texts.subject
    original = last_named(message.headers, "subject")
    # RFC 3834 3.1.5 suggests "Auto:" and the original subject.
    text = as_text(original.raw) if original is not None else ""
    return f"Auto: {text}" if text else "Auto: away"


def _text(texts: VacationTexts) -> str:
    """RFC 8621 8: derive the text from the HTML when only that was set, else a default."""
    if texts.text_body is not None:
        return texts.text_body
    if texts.html_body is not None:
        return html.unescape(_TAG.sub("", texts.html_body)).strip()
    return DEFAULT_TEXT


def _threading(message: InboundMessage) -> tuple[list[str], list[str]]:
    found = last_named(message.headers, "message-id")
    message_ids = (as_message_ids(found.raw) if found is not None else None) or []
    earlier = last_named(message.headers, "references")
    references = (as_message_ids(earlier.raw) if earlier is not None else None) or []
    return message_ids[:1], [*references, *message_ids[:1]]


class VacationReplier:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def vacation_reply_for(
        self, account_id: AccountId, message: InboundMessage, now: int
    ) -> VacationReply | None:
        """The reply to send for `message`, or None; claims the sender for the period."""
        async with self._store.transaction() as tx:
            record = await tx.vacation.get(account_id)
            if record is None or not record.is_enabled or record.delivery_sealed is None:
                return None
            if record.from_date is not None and now < record.from_date:
                return None
            if record.to_date is not None and now >= record.to_date:
                return None
            own, aliases = await tx.identities.addresses(account_id)
            if refusal(message, [own, *aliases]) is not None:
                return None
            keys = await delivery_keys(tx)
            sender = message.envelope_sender.strip().strip("<>").strip()
            claimed = await tx.vacation.claim_reply(
                account_id, keys.sender(account_id, sender), now, REPLY_PERIOD
            )
            if not claimed:
                return None
            plaintext = keys.open(account_id, record.delivery_sealed)
        texts = msgspec.json.decode(plaintext, type=VacationTexts)
        in_reply_to, references = _threading(message)
        return VacationReply(
            to=sender,
            from_address=addressed_as(message.headers, [own, *aliases]) or own,
            subject=_subject(texts, message),
            text_body=_text(texts),
            html_body=texts.html_body,
            in_reply_to=in_reply_to,
            references=references,
        )
