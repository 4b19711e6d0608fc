"""CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE (RFC 9051 6.3.4-6.3.8) as Mailbox/set."""

from __future__ import annotations

from typing import Any

from compat.imap.context import Context, Reply
from compat.imap.errors import ImapError
from compat.imap.gateway import JmapGateway
from compat.imap.mailbox_tree import DELIMITER, MailboxTree, read_name
from compat.imap.proto.commands import MailboxCommand, Rename
from compat.imap.session import Selected

__all__ = ["handle_mailbox_command", "handle_rename"]


def _missing_levels(tree: MailboxTree, path: str) -> tuple[str | None, list[str]]:
    """The deepest existing ancestor's id and the names still to create below it."""
    names = [n for n in path.split(DELIMITER) if n]
    if not names:
        raise ImapError("empty mailbox name", None, "BAD")
    for depth in range(len(names), 0, -1):
        entry = tree.find(DELIMITER.join(names[:depth]))
        if entry is not None:
            return entry.id, names[depth:]
    return None, names


async def _create_path(jmap: JmapGateway, parent: str | None, names: list[str]) -> str | None:
    """Create each missing level in one Mailbox/set; returns the deepest one's id."""
    if not names:
        return parent
    create: dict[str, dict[str, Any]] = {}
    for index, name in enumerate(names):
        create[f"m{index}"] = {"name": name, "parentId": parent}
        parent = f"#m{index}"
    got = await jmap.set_mailboxes(create=create)
    return str(got["created"][f"m{len(names) - 1}"]["id"])


async def _create(jmap: JmapGateway, tree: MailboxTree, path: str) -> None:
    if tree.find(path) is not None:
        raise ImapError("that mailbox exists already", "ALREADYEXISTS")
    parent, names = _missing_levels(tree, path)
    await _create_path(jmap, parent, names)


async def handle_mailbox_command(context: Context, request: MailboxCommand) -> Reply:
    jmap = context.authenticated().jmap
    tree = MailboxTree(await jmap.mailboxes())
    path = read_name(request.mailbox, context.utf8)
    if request.name == "CREATE":
        await _create(jmap, tree, path)
        return Reply("created")
    entry = tree.require(path)
    if request.name == "DELETE":
        if entry.role == "inbox":
            raise ImapError("the Inbox cannot be deleted", "CANNOT")
        # IMAP DELETE removes the messages with the mailbox; JMAP keeps them 30 days.
        await jmap.set_mailboxes(destroy=[entry.id], onDestroyRemoveEmails=True)
        state = context.state
        if isinstance(state, Selected) and state.mailbox.id == entry.id:
            context.unselect()
        return Reply("deleted")
    subscribed = request.name == "SUBSCRIBE"
    await jmap.set_mailboxes(update={entry.id: {"isSubscribed": subscribed}})
    return Reply()


async def handle_rename(context: Context, request: Rename) -> Reply:
    jmap = context.authenticated().jmap
    tree = MailboxTree(await jmap.mailboxes())
    entry = tree.require(read_name(request.old, context.utf8))
    new_path = read_name(request.new, context.utf8)
    if entry.role == "inbox":
        raise ImapError("renaming the Inbox is not supported", "CANNOT")
    if tree.find(new_path) is not None:
        raise ImapError("that mailbox exists already", "ALREADYEXISTS")
    parent_path, _, leaf = new_path.rpartition(DELIMITER)
    parent_id = None
    if parent_path:
        parent, names = _missing_levels(tree, parent_path)
        parent_id = await _create_path(jmap, parent, names)
    await jmap.set_mailboxes(update={entry.id: {"name": leaf, "parentId": parent_id}})
    return Reply("renamed")
