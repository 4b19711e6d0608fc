"""Removing an account with mail: memberships, emails, queued mail and blobs go in
dependency order (PostgreSQL refuses the bare cascade), blob files after the commit,
and nobody else's mail is touched."""

from __future__ import annotations

from pathlib import Path

from support.jmap_client import make_client
from support.messages import message

from api.core.clock import now
from api.core.ingest import IncomingEmail
from api.core.outbound_queue import OutboundEnvelope
from api.services import Services
from api.store.blobs.filesystem import FilesystemBlobBackend


def _files(services: Services) -> set[str]:
    backend = services.blobs.backend
    assert isinstance(backend, FilesystemBlobBackend)
    return {path.name for path in Path(backend.root).rglob("*") if path.is_file()}


async def test_an_account_with_mail_is_removed_whole(services: Services) -> None:
    alice = await make_client(services, "alice@example.org")
    bob = await make_client(services, "bob@example.org")
    inbox, archive = await alice.mailbox("inbox"), await alice.mailbox("archive")
    ingest = services.emails.ingest
    for n in range(3):
        incoming = IncomingEmail(
            mailbox_ids=[inbox, archive], keywords=["$seen"], received_at=now()
        )
        raw = message(f"Alice's mail {n}", f"a{n}@example.net")
        await ingest.deliver(alice.unlocked.account_id, raw, incoming)
    envelope = OutboundEnvelope(mail_from="alice@example.org", rcpt_to="carol@remote.example")
    await services.outbound.enqueue(
        alice.unlocked.account_id, "example.org", message("Out", "out@example.org"), envelope
    )
    bob_inbox = await bob.mailbox("inbox")
    kept = await ingest.deliver(
        bob.unlocked.account_id,
        message("Bob's mail", "b1@example.net"),
        IncomingEmail(mailbox_ids=[bob_inbox], keywords=[], received_at=now()),
    )
    before = _files(services)

    await services.accounts.remove("alice@example.org")

    async with services.store.transaction() as tx:
        assert await tx.accounts.get(alice.unlocked.account_id) is None
        bob_blobs = await tx.blobs.get_many(bob.unlocked.account_id, [kept.blob_id])
    assert _files(services) == {kept.blob_id} == {record.id for record in bob_blobs}
    assert len(before) == 5  # Alice's three messages and the queued copy, and Bob's
    got = await bob.one("Email/get", ids=[kept.id], properties=["subject"])
    assert [email["subject"] for email in got["list"]] == ["Bob's mail"]
