"""Mailbox/imapListing: a mailbox as IMAP numbers it, under the urn:sealbox:imap vendor
capability (RFC 9051 2.3.1.1 UIDs, RFC 7162 3.1 MODSEQ).

Arguments: accountId, mailboxId, sinceModseq (optional). Answer: accountId, mailboxId,
uidValidity, uidNext, highestModseq, and the members sorted by uid as columns of equal
length: `uids`, `emailIds`, `modseqs` and `keywords`, each an index into `keywordSets`
(the distinct keyword sets, each a sorted list of lowercase keywords). Columns, not one
array per member: a 16,000-message listing is then built and read without a Python
step per member. With sinceModseq
only the members changed after it are listed, beside `removed` (ids of emails changed
after it that are no longer in the mailbox) and `total` (members now): an IMAP session
passes the highestModseq of its last listing and applies the difference.
`expungedModseq` is the last modseq at which a message left the mailbox: a QRESYNC
client (RFC 7162 3.2.5.2) whose modseq is not below it has missed no expunge there.

Why a vendor method: Email/query + Email/get over a whole mailbox reads and opens far
more than a SELECT needs; this reads plaintext columns only, in one query.
"""

from __future__ import annotations

from typing import Any

from api.core.errors import MailboxNotFoundError
from api.core.keywords import keywords_from_stored
from api.jmap.errors import InvalidArgumentsError
from api.jmap.registry import MethodArguments, MethodContext
from api.store.ids import AccountId

__all__ = ["ImapListingArguments", "mailbox_imap_listing"]


class ImapListingArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    mailbox_id: str
    since_modseq: int | None = None


async def mailbox_imap_listing(
    context: MethodContext, arguments: ImapListingArguments
) -> dict[str, Any]:
    if arguments.since_modseq is not None and arguments.since_modseq < 0:
        raise InvalidArgumentsError("sinceModseq must not be negative")
    try:
        listing = await context.services.mailboxes.imap_listing(
            AccountId(context.account_id), arguments.mailbox_id, arguments.since_modseq
        )
    except MailboxNotFoundError:
        raise InvalidArgumentsError(f"no mailbox {arguments.mailbox_id}") from None
    response: dict[str, Any] = {
        "accountId": context.account_id,
        "mailboxId": arguments.mailbox_id,
        "uidValidity": listing.uid_validity,
        "uidNext": listing.uid_next,
        "highestModseq": listing.highest_modseq,
        "uids": listing.uids,
        "emailIds": listing.email_ids,
        "modseqs": listing.modseqs,
        "keywords": listing.keyword_index,
        # Tuples go out as JSON arrays.
        "keywordSets": [keywords_from_stored(*stored) for stored in listing.keyword_sets],
        "total": listing.total,
        "expungedModseq": listing.expunged_modseq,
    }
    if arguments.since_modseq is not None:
        response["removed"] = list(listing.removed)
    return response
