"""Mailbox listings kept between SELECTs, brought up to date by what changed since
(RFC 7162 3.1: every change moves a message's MODSEQ; RFC 9051 6.3.2 SELECT).

A SELECT of a 16,000-message mailbox read and converted every member each time; with a
listing kept here it asks Mailbox/imapListing only for the changes after the kept
highestModseq. Shared by every IMAP connection of the process (clients open several, and
reconnect often). Only plaintext facts are kept (UIDs, ids, keywords, modseqs), in memory,
bounded by a total member count; a listing whose difference does not add up to the
mailbox's member count, or whose UIDVALIDITY moved, is read again whole.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from operator import itemgetter

from compat.imap.gateway import JmapGateway, MailboxListing

__all__ = ["ListingCache", "current_listing", "merged"]

# About 100 bytes a member: the default holds a few 100,000-message mailboxes.
DEFAULT_MEMBERS = 1_000_000


class ListingCache:
    """Least recently used listings per (account, mailbox), at most `members` in all."""

    def __init__(self, members: int = DEFAULT_MEMBERS) -> None:
        self._members = members
        self._held = 0
        self._listings: OrderedDict[tuple[str, str], MailboxListing] = OrderedDict()

    def get(self, account_id: str, mailbox_id: str) -> MailboxListing | None:
        key = (account_id, mailbox_id)
        listing = self._listings.get(key)
        if listing is not None:
            self._listings.move_to_end(key)
        return listing

    def put(self, account_id: str, mailbox_id: str, listing: MailboxListing) -> None:
        key = (account_id, mailbox_id)
        old = self._listings.pop(key, None)
        if old is not None:
            self._held -= len(old.ids)
        if len(listing.ids) > self._members:
            return
        self._listings[key] = listing
        self._held += len(listing.ids)
        while self._held > self._members:
            _, evicted = self._listings.popitem(last=False)
            self._held -= len(evicted.ids)


def merged(base: MailboxListing, changes: MailboxListing) -> MailboxListing | None:
    """`base` with a listing since its highestModseq applied; None when they do not fit."""
    if changes.uid_validity != base.uid_validity:
        return None
    touched = set(changes.ids) | changes.removed
    if not touched:
        if len(base.ids) != changes.total:
            return None
        return replace(
            base,
            uid_next=changes.uid_next,
            highest_modseq=changes.highest_modseq,
            expunged_modseq=changes.expunged_modseq,
        )
    rows = [row for row in base.rows if row[1] not in touched]
    # A changed member is listed with its values now (a new UID if it left and came back).
    rows += changes.rows
    if len(rows) != changes.total:
        return None
    rows.sort(key=itemgetter(0))
    uids, ids, keywords, modseqs = zip(*rows, strict=True) if rows else ((), (), (), ())
    return replace(
        changes, uids=uids, ids=ids, keywords=keywords, modseqs=modseqs, removed=frozenset()
    )


async def current_listing(
    jmap: JmapGateway, cache: ListingCache, mailbox_id: str
) -> MailboxListing:
    """The mailbox's listing now: the kept one and its changes, or a whole new one."""
    base = cache.get(jmap.account_id, mailbox_id)
    listing = None
    if base is not None:
        listing = merged(base, await jmap.listing(mailbox_id, since=base.highest_modseq))
    if listing is None:
        listing = await jmap.listing(mailbox_id)
    cache.put(jmap.account_id, mailbox_id, listing)
    return listing
