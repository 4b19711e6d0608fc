"""LIST, LSUB and STATUS (RFC 9051 6.3.9, 6.3.11; RFC 5258 LIST-EXTENDED, RFC 5819
LIST-STATUS, RFC 6154 SPECIAL-USE)."""

from __future__ import annotations

from compat.imap.context import Context, Reply
from compat.imap.gateway import JmapGateway
from compat.imap.mailbox_tree import DELIMITER, MailboxTree, TreeEntry, read_name, wire_name
from compat.imap.proto.commands import ListMailboxes, Status
from compat.imap.proto.render import quoted_or_literal

__all__ = ["handle_list", "handle_status", "status_items"]


def _attributes(entry: TreeEntry, request: ListMailboxes) -> list[str]:
    attributes = ["\\HasChildren" if entry.has_children else "\\HasNoChildren"]
    if entry.subscribed and (request.return_subscribed or request.subscribed_only):
        attributes.append("\\Subscribed")
    # RFC 6154 5.1: special-use attributes go out on every LIST unless asked otherwise
    # by a server choice; clients that did not ask for them ignore them.
    if entry.special_use:
        attributes.append(entry.special_use)
    return attributes


async def status_items(
    jmap: JmapGateway, mailbox_id: str, items: tuple[str, ...]
) -> list[tuple[str, int]]:
    """The STATUS data of one mailbox, read in one or two JMAP requests."""
    wanted = ["totalEmails", "unreadEmails", "uidValidity", "uidNext"]
    if "HIGHESTMODSEQ" in items:
        wanted.append("highestModseq")
    mailbox = await jmap.mailbox(mailbox_id, wanted)
    values = {
        "MESSAGES": mailbox["totalEmails"],
        "UNSEEN": mailbox["unreadEmails"],
        "UIDVALIDITY": mailbox["uidValidity"],
        "UIDNEXT": mailbox["uidNext"],
        "HIGHESTMODSEQ": mailbox.get("highestModseq", 0),
        "RECENT": 0,
    }
    if "DELETED" in items:
        values["DELETED"] = len(
            await jmap.query_ids({"inMailbox": mailbox_id, "hasKeyword": "$deleted"})
        )
    if "SIZE" in items:
        ids = await jmap.query_ids({"inMailbox": mailbox_id})
        values["SIZE"] = sum(int(e["size"]) for e in await jmap.get(sorted(ids), ["size"]))
    return [(item, int(values[item])) for item in items]


def _status_line(name: str, values: list[tuple[str, int]], utf8: bool) -> bytes:
    pairs = " ".join(f"{item} {value}" for item, value in values)
    return b"STATUS " + quoted_or_literal(wire_name(name, utf8)) + f" ({pairs})".encode()


async def handle_list(context: Context, request: ListMailboxes) -> Reply:
    jmap = context.authenticated().jmap
    verb = b"LSUB" if request.lsub else b"LIST"
    if request.patterns == ("",):  # 6.3.9: the delimiter and root of the reference
        await context.wire.untagged(verb + b' (\\Noselect) "/" ""')
        return Reply()
    tree = MailboxTree(await jmap.mailboxes())
    reference = read_name(request.reference, context.utf8) if request.reference else ""
    if reference and not reference.endswith(DELIMITER):
        reference += DELIMITER
    seen: set[str] = set()
    for pattern in request.patterns:
        for entry in tree.matching(reference, read_name(pattern, context.utf8) or pattern):
            if entry.id in seen or (
                (request.lsub or request.subscribed_only) and not entry.subscribed
            ):
                continue
            seen.add(entry.id)
            flags = " ".join(_attributes(entry, request))
            name = quoted_or_literal(wire_name(entry.path, context.utf8))
            await context.wire.untagged(verb + f" ({flags}) ".encode() + b'"/" ' + name)
            if request.return_status:
                values = await status_items(jmap, entry.id, request.return_status)
                await context.wire.untagged(_status_line(entry.path, values, context.utf8))
    return Reply()


async def handle_status(context: Context, request: Status) -> Reply:
    jmap = context.authenticated().jmap
    tree = MailboxTree(await jmap.mailboxes())
    entry = tree.require(read_name(request.mailbox, context.utf8))
    values = await status_items(jmap, entry.id, request.items)
    await context.wire.untagged(_status_line(entry.path, values, context.utf8))
    return Reply()
