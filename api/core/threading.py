"""Which thread a new email joins (RFC 8621 3): shared message ids and the same base subject.

Message ids and subjects are matched as HMACs under the MK threading subkey, so the
database holds no id or subject, and only an unlocked account can thread. A message
joins the thread of the nearest id it names (In-Reply-To, then References from the
newest, then its own Message-ID, which a reply may have registered first) whose
registered base subject equals its own; otherwise it starts a thread.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from api.core.email_summary import EmailSummary
from api.mime.thread_keys import base_subject
from api.store.changes import CREATED, UPDATED
from api.store.ids import AccountId, new_id
from api.store.unit_of_work import Transaction
from crypto.master_key import SUBKEY_THREADING, MasterKey

__all__ = ["ThreadHashes", "assign_thread", "thread_hashes"]

# A hostile References header must not make one delivery write thousands of rows.
_MAX_REFERENCES = 50


@dataclass(frozen=True, slots=True)
class ThreadHashes:
    """Keyed hashes of the ids a message names, nearest first, and of its base subject."""

    ids: tuple[bytes, ...]
    subject: bytes


def thread_hashes(master_key: MasterKey, parsed: EmailSummary) -> ThreadHashes:
    key = master_key.subkey(SUBKEY_THREADING).reveal()

    def digest(kind: bytes, value: str) -> bytes:
        return hmac.new(key, kind + b"\x00" + value.encode("utf-8"), hashlib.sha256).digest()

    named = [
        *(parsed.in_reply_to or ()),
        *reversed((parsed.references or ())[-_MAX_REFERENCES:]),
        *(parsed.message_id or ()),
    ]
    ordered = dict.fromkeys(digest(b"id", value) for value in named)
    return ThreadHashes(tuple(ordered), digest(b"subject", base_subject(parsed.subject or "")))


async def assign_thread(
    tx: Transaction, account_id: AccountId, hashes: ThreadHashes
) -> tuple[str, bool]:
    """(thread id, whether it is new) for a new message; registers its ids for later ones."""
    known = await tx.thread_keys.find(account_id, hashes.ids)
    thread_id = next(
        (known[key][0] for key in hashes.ids if key in known and known[key][1] == hashes.subject),
        None,
    )
    is_new = thread_id is None or not await tx.emails.thread_has_members(account_id, thread_id)
    if thread_id is None:
        thread_id = new_id("t")
    fresh = [key for key in hashes.ids if key not in known]
    await tx.thread_keys.add(account_id, fresh, thread_id, hashes.subject)
    return thread_id, is_new


async def thread_change(
    tx: Transaction, master_key: MasterKey, account_id: AccountId, summary: EmailSummary
) -> tuple[str, str]:
    """(thread id, its change kind) for a new message of an unlocked account."""
    thread_id, is_new = await assign_thread(tx, account_id, thread_hashes(master_key, summary))
    return thread_id, CREATED if is_new else UPDATED
