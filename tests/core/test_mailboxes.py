"""Mailboxes on both backends: defaults, the tree rules of RFC 8621 2.5, sealed names, states."""

from __future__ import annotations

import pytest
from support.services import PASSWORD, create_account, unlock

from api.core.errors import (
    InvalidMailboxError,
    MailboxForbiddenError,
    MailboxHasChildError,
    MailboxNotFoundError,
)
from api.core.mailboxes import DEFAULT_MAILBOXES
from api.core.unlocked import UnlockedAccount
from api.services import Services
from api.store.changes import StateTooOldError
from crypto.master_key import MasterKey


async def _unlocked(services: Services, address: str = "alice@example.org") -> UnlockedAccount:
    created = await create_account(services, address)
    master_key = await unlock(services, created.account.id, PASSWORD)
    assert master_key is not None
    return UnlockedAccount(created.account.id, created.account.address, master_key)


async def test_a_new_account_has_the_default_mailboxes(services: Services) -> None:
    unlocked = await _unlocked(services)
    mailboxes = await services.mailboxes.list(unlocked)
    assert sorted((m.name, m.role, m.sort_order) for m in mailboxes) == sorted(DEFAULT_MAILBOXES)
    assert all(m.parent_id is None and m.uid_next == 1 and m.uid_validity > 0 for m in mailboxes)
    assert len({m.uid_validity for m in mailboxes}) == len(mailboxes)
    assert await services.mailboxes.state(unlocked.account_id) > 0


async def test_names_are_sealed_to_the_account_and_mailbox(services: Services) -> None:
    unlocked = await _unlocked(services)
    async with services.mailboxes.batch(unlocked) as batch:
        created = await batch.create("Receipts 2026")
    async with services.store.transaction() as tx:
        records = {r.id: r for r in await tx.mailboxes.list(unlocked.account_id)}
    assert b"Receipts" not in records[created.id].name_sealed
    stranger = UnlockedAccount(unlocked.account_id, unlocked.address, MasterKey.generate())
    with pytest.raises(Exception, match="decryption failed"):
        await services.mailboxes.list(stranger)


async def test_tree_changes_and_their_rules(services: Services) -> None:
    unlocked = await _unlocked(services)
    async with services.mailboxes.batch(unlocked) as batch:
        work = await batch.create("Work")
        project = await batch.create("Project", parent_id=work.id)
        moved = await batch.update(project.id, name="  Projects ", sort_order=5)
    assert (moved.name, moved.parent_id, moved.sort_order) == ("Projects", work.id, 5)
    inbox = next(m for m in await services.mailboxes.list(unlocked) if m.role == "inbox")
    trash = next(m for m in await services.mailboxes.list(unlocked) if m.role == "trash")

    refusals: list[tuple[str, dict[str, object], type[Exception]]] = [
        ("create", {"name": ""}, InvalidMailboxError),
        ("create", {"name": "a/b"}, InvalidMailboxError),
        ("create", {"name": "x" * 1025}, InvalidMailboxError),
        ("create", {"name": "\u00e9" * 513}, InvalidMailboxError),  # 1026 bytes
        ("create", {"name": "WORK"}, InvalidMailboxError),  # sibling names fold case
        ("create", {"name": "Orphan", "parent_id": "mnosuchmailbox"}, InvalidMailboxError),
        ("create", {"name": "Bin", "role": "trash"}, InvalidMailboxError),
        ("create", {"name": "Odd", "role": "no-such-role"}, InvalidMailboxError),
        ("update-work", {"parent_id": project.id}, InvalidMailboxError),  # a cycle
        ("update-inbox", {"parent_id": work.id}, MailboxForbiddenError),
        ("update-inbox", {"role": None}, MailboxForbiddenError),
        ("destroy-work", {}, MailboxHasChildError),
        ("destroy-inbox", {}, MailboxForbiddenError),
        ("destroy-missing", {}, MailboxNotFoundError),
    ]
    for action, arguments, error in refusals:
        with pytest.raises(error):
            async with services.mailboxes.batch(unlocked) as batch:
                if action == "create":
                    await batch.create(**arguments)  # type: ignore[arg-type]
                elif action.startswith("update"):
                    target = work.id if action == "update-work" else inbox.id
                    await batch.update(target, **arguments)
                else:
                    target = {"destroy-work": work.id, "destroy-inbox": inbox.id}.get(action, "mx")
                    await batch.destroy(target)

    # A sibling of the same name elsewhere in the tree is fine.
    async with services.mailboxes.batch(unlocked) as batch:
        await batch.create("Projects", parent_id=trash.id)
        await batch.destroy(project.id)
        await batch.destroy(work.id)
    names = sorted(m.name for m in await services.mailboxes.list(unlocked))
    assert "Work" not in names and names.count("Projects") == 1


async def test_one_batch_is_one_state_step_and_changes_say_what_moved(services: Services) -> None:
    unlocked = await _unlocked(services)
    before = await services.mailboxes.state(unlocked.account_id)
    async with services.mailboxes.batch(unlocked) as batch:
        a = await batch.create("A")
        b = await batch.create("B")
        await batch.update(a.id, name="A2")
    middle = await services.mailboxes.state(unlocked.account_id)
    assert middle > before
    async with services.mailboxes.batch(unlocked) as batch:
        await batch.destroy(b.id)
        c = await batch.create("C")
        await batch.destroy(c.id)
    after = await services.mailboxes.state(unlocked.account_id)

    # Since `before`: b and c came and went, so only a is new (RFC 8620 5.2).
    whole = await services.mailboxes.changes(unlocked.account_id, before, 100)
    assert (whole.created, whole.updated, whole.destroyed) == ([a.id], [], [])
    assert whole.new_modseq == after and not whole.has_more
    since_middle = await services.mailboxes.changes(unlocked.account_id, middle, 100)
    assert (since_middle.created, since_middle.updated, since_middle.destroyed) == ([], [], [b.id])
    # A position is never split: with room for one object, the two-object step is too big.
    with pytest.raises(StateTooOldError):
        await services.mailboxes.changes(unlocked.account_id, before, 1)
    for impossible in (after + 1, -1):
        with pytest.raises(StateTooOldError):
            await services.mailboxes.changes(unlocked.account_id, impossible, 100)
