"""The IMAP session (RFC 9051 3): NotAuthenticated | Authenticated | Selected, and the
selected mailbox's message numbers, which exist only here."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from api.core.unlocked import UnlockedAccount
from compat.imap.gateway import JmapGateway, MailboxListing

__all__ = ["Authenticated", "NotAuthenticated", "Selected", "SelectedMailbox", "SessionState"]


@dataclass
class SelectedMailbox:
    """Message sequence numbers are positions in `uids` + 1 (RFC 9051 2.3.1.2)."""

    id: str
    name: str
    readonly: bool
    uid_validity: int
    uids: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    keywords: dict[str, frozenset[str]] = field(default_factory=dict)
    uid_of: dict[str, int] = field(default_factory=dict)
    modseqs: dict[str, int] = field(default_factory=dict)
    # The highestModseq of the last listing: the next resync asks for changes after it.
    highest_modseq: int = 0
    # The mailbox's last expunge as of that listing (UID FETCH ... VANISHED, RFC 7162).
    expunged_modseq: int = 0

    @classmethod
    def from_listing(
        cls, mailbox_id: str, name: str, readonly: bool, listing: MailboxListing
    ) -> SelectedMailbox:
        """The session's own copy of a listing (dicts built by `zip`, no per-row step)."""
        ids = list(listing.ids)
        return cls(
            mailbox_id,
            name,
            readonly,
            listing.uid_validity,
            uids=list(listing.uids),
            ids=ids,
            keywords=dict(zip(ids, listing.keywords, strict=True)),
            uid_of=dict(zip(ids, listing.uids, strict=True)),
            modseqs=dict(zip(ids, listing.modseqs, strict=True)),
            highest_modseq=listing.highest_modseq,
            expunged_modseq=listing.expunged_modseq,
        )

    def append(self, uid: int, email_id: str, keywords: frozenset[str], modseq: int) -> None:
        self.uids.append(uid)
        self.ids.append(email_id)
        self.keywords[email_id] = keywords
        self.uid_of[email_id] = uid
        self.modseqs[email_id] = modseq

    def remove(self, email_id: str) -> int:
        """Forget a message; returns its sequence number before removal."""
        uid = self.uid_of.pop(email_id)
        index = bisect_left(self.uids, uid)
        del self.uids[index]
        del self.ids[index]
        self.keywords.pop(email_id, None)
        self.modseqs.pop(email_id, None)
        return index + 1

    def seq_of(self, email_id: str) -> int:
        return bisect_left(self.uids, self.uid_of[email_id]) + 1

    @property
    def uid_next_seen(self) -> int:
        return self.uids[-1] + 1 if self.uids else 1


@dataclass
class NotAuthenticated:
    pass


@dataclass
class Authenticated:
    account: UnlockedAccount
    jmap: JmapGateway


@dataclass
class Selected(Authenticated):
    """Authenticated with a mailbox open: every Authenticated command works here too."""

    mailbox: SelectedMailbox


SessionState = NotAuthenticated | Authenticated | Selected
