"""Changes to an account's stored emails in one transaction: keywords, mailboxes, destroy
(RFC 8621 4.6, the domain half of Email/set).

A batch is one change-log position: every email it changes gets that position as its
MODSEQ (IMAP CONDSTORE, RFC 7162), and the batch logs its Email, Mailbox (counts) and
Thread changes once per type when it ends. Destroying keeps the row and blob for the
retention period (api.core.retention); the email only leaves every mailbox and thread.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import msgspec

from api.core.change_types import EMAIL_TYPE, MAILBOX_TYPE, THREAD_TYPE, ChangeList
from api.core.clock import now
from api.core.errors import EmailNotFoundError, InvalidEmailError, MailboxNotFoundError
from api.core.keywords import check_keyword, keywords_from_stored, keywords_to_stored
from api.store.changes import DESTROYED, UPDATED
from api.store.ids import AccountId
from api.store.keyword_bits import DRAFT, SEEN
from api.store.records import EmailRecord
from api.store.unit_of_work import Transaction

__all__ = ["EmailBatch", "SetChange"]


@dataclass(frozen=True, slots=True)
class SetChange:
    """A whole new set, or members to add and remove (a JMAP patch, IMAP +FLAGS/-FLAGS)."""

    replace: frozenset[str] | None = None
    add: frozenset[str] = frozenset()
    remove: frozenset[str] = frozenset()

    def apply(self, current: frozenset[str]) -> frozenset[str]:
        base = current if self.replace is None else self.replace
        return (base | self.add) - self.remove

    def checked_keywords(self) -> SetChange:
        """The same change with every keyword checked and in its stored (lowercase) form."""

        def check(keywords: frozenset[str]) -> frozenset[str]:
            return frozenset(check_keyword(k) for k in keywords)

        return SetChange(
            replace=None if self.replace is None else check(self.replace),
            add=check(self.add),
            remove=check(self.remove),
        )


def _unread(flags: int) -> bool:
    # RFC 8621 2: unreadEmails counts emails with neither $seen nor $draft.
    return flags & (SEEN | DRAFT) == 0


class EmailBatch:
    """Email changes inside one transaction that holds the account's change-log lock."""

    def __init__(
        self,
        tx: Transaction,
        account_id: AccountId,
        *,
        modseq: int,
        old_state: int,
        mailbox_ids: Collection[str],
        mailbox_changes: ChangeList | None = None,
    ) -> None:
        self._tx = tx
        self._account_id = account_id
        self._modseq = modseq
        # The Email state before the batch.
        self.old_state = old_state
        self._mailbox_ids = set(mailbox_ids)
        # Mailboxes a message left in this batch: their expunged_modseq moves to it.
        self._left: set[str] = set()
        # A Mailbox batch passes its own list, so one position logs each mailbox once.
        self.changes: dict[str, ChangeList] = {
            EMAIL_TYPE: [],
            MAILBOX_TYPE: [] if mailbox_changes is None else mailbox_changes,
            THREAD_TYPE: [],
        }

    @property
    def new_state(self) -> int:
        return self._modseq if self.changes[EMAIL_TYPE] else self.old_state

    async def _live(self, email_id: str) -> EmailRecord:
        found = await self._tx.emails.get_many(self._account_id, [email_id])
        if not found:
            raise EmailNotFoundError()
        return found[0]

    async def update(
        self,
        email_id: str,
        *,
        keywords: SetChange | None = None,
        mailboxes: SetChange | None = None,
    ) -> EmailRecord:
        """Change an email's keywords and mailboxes; everything is checked before any write."""
        record = await self._live(email_id)
        flags, custom = record.flags, record.custom_keywords
        if keywords is not None:
            current = frozenset(keywords_from_stored(flags, custom))
            flags, custom = keywords_to_stored(keywords.checked_keywords().apply(current))
        old_boxes = frozenset(record.mailboxes)
        new_boxes = old_boxes if mailboxes is None else mailboxes.apply(old_boxes)
        if not new_boxes:
            raise InvalidEmailError("an email must stay in at least one mailbox", ["mailboxIds"])
        added, removed = sorted(new_boxes - old_boxes), sorted(old_boxes - new_boxes)
        if any(mailbox_id not in self._mailbox_ids for mailbox_id in added):
            raise MailboxNotFoundError("a mailbox in mailboxIds does not exist")
        if (flags, custom) == (record.flags, record.custom_keywords) and not added and not removed:
            return record
        await self._tx.emails.update(
            self._account_id, email_id, flags=flags, custom_keywords=custom, modseq=self._modseq
        )
        if removed:
            await self._tx.emails.remove_memberships(email_id, removed)
            self._left.update(removed)
        uids: dict[str, int] = {}
        if added:
            # A new membership is a new message to IMAP: it gets the mailbox's next UID.
            uids = await self._tx.mailboxes.allocate_uids(self._account_id, added)
            await self._tx.emails.add_memberships(email_id, record.received_at, uids)
        counted = set(added) | set(removed)
        if _unread(flags) != _unread(record.flags):
            counted |= old_boxes | new_boxes
        self.changes[EMAIL_TYPE].append((email_id, UPDATED))
        self.changes[MAILBOX_TYPE].extend((m, UPDATED) for m in sorted(counted))
        kept = {m: uid for m, uid in record.mailboxes.items() if m in new_boxes}
        return msgspec.structs.replace(
            record, flags=flags, custom_keywords=custom, modseq=self._modseq, mailboxes=kept | uids
        )

    async def destroy(self, email_id: str) -> None:
        """Take the email out of every mailbox and thread; keep row and blob for restore."""
        record = await self._live(email_id)
        await self._tx.emails.remove_memberships(email_id, record.mailboxes)
        self._left.update(record.mailboxes)
        await self._tx.emails.update(
            self._account_id,
            email_id,
            deleted_at=now(),
            deleted_from=" ".join(sorted(record.mailboxes)),
            modseq=self._modseq,
        )
        # Kept for restore, but no longer the user's to pay for (RFC 9425 `used`).
        await self._tx.changes.add_mail_octets(self._account_id, -record.size)
        self.changes[EMAIL_TYPE].append((email_id, DESTROYED))
        self.changes[MAILBOX_TYPE].extend((m, UPDATED) for m in sorted(record.mailboxes))
        if record.thread_id is not None:
            alive = await self._tx.emails.thread_has_members(self._account_id, record.thread_id)
            self.changes[THREAD_TYPE].append((record.thread_id, UPDATED if alive else DESTROYED))

    async def empty_mailbox(self, mailbox_id: str) -> None:
        """Take every email out of a mailbox about to go; destroy those left in no mailbox."""
        for email_id in await self._tx.emails.emails_in_mailbox(mailbox_id):
            record = await self._live(email_id)
            if set(record.mailboxes) == {mailbox_id}:
                await self.destroy(email_id)
            else:
                await self.update(email_id, mailboxes=SetChange(remove=frozenset({mailbox_id})))

    async def record(
        self, types: Collection[str] = (EMAIL_TYPE, MAILBOX_TYPE, THREAD_TYPE)
    ) -> None:
        """Log the batch's changes of `types` at its position."""
        if self._left:
            await self._tx.mailboxes.mark_expunged(
                self._account_id, sorted(self._left), self._modseq
            )
            self._left.clear()
        for type_name in types:
            await self._tx.changes.record(
                self._account_id, self._modseq, type_name, self.changes[type_name]
            )
