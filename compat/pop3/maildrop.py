"""The maildrop of one POP3 session (RFC 1939 4, 5): the Inbox as it was at sign-in,
numbered from 1, with the deletion marks that only the UPDATE state carries out.

Message numbers live only here. Mail that arrives later appears in the next session;
mail that another client removes meanwhile is still listed, and RETR of it fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compat.pop3.errors import Pop3Error

__all__ = ["Maildrop", "MaildropLocks", "Message"]


@dataclass(frozen=True)
class Message:
    email_id: str
    blob_id: str
    size: int

    @property
    def unique_id(self) -> str:
        """RFC 1939 7 UIDL: the JMAP email id, which never changes and is never reused
        (printable ASCII, well under 70 characters)."""
        return self.email_id


@dataclass
class Maildrop:
    messages: list[Message]
    deleted: set[int] = field(default_factory=set)

    def message(self, number: int) -> Message:
        """The message a number names; -ERR for one out of range or marked deleted."""
        if not 1 <= number <= len(self.messages):
            raise Pop3Error(f"no message {number}")
        if number in self.deleted:
            raise Pop3Error(f"message {number} is already deleted")
        return self.messages[number - 1]

    def listed(self) -> list[tuple[int, Message]]:
        """The messages not marked deleted, with their numbers."""
        return [
            (number, message)
            for number, message in enumerate(self.messages, start=1)
            if number not in self.deleted
        ]

    def totals(self) -> tuple[int, int]:
        """STAT: how many messages are not marked deleted, and their octets."""
        kept = self.listed()
        return len(kept), sum(message.size for _, message in kept)

    def marked(self) -> list[Message]:
        return [self.messages[number - 1] for number in sorted(self.deleted)]


class MaildropLocks:
    """RFC 1939 8: one session per maildrop at a time, so the numbers and the deletions of
    one session cannot cross another's. Held per process (per node), by account id."""

    def __init__(self) -> None:
        self._held: set[str] = set()

    def acquire(self, account_id: str) -> bool:
        if account_id in self._held:
            return False
        self._held.add(account_id)
        return True

    def release(self, account_id: str) -> None:
        self._held.discard(account_id)
