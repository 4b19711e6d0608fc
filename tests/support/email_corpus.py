"""A small generated mailbox for Email/query tests, with a plaintext Python model of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from api.core.keywords import keywords_from_stored, keywords_to_stored
from api.store.changes import DESTROYED, UPDATED
from api.store.ids import AccountId
from support.jmap_client import Client

__all__ = ["CorpusEmail", "build_corpus", "destroy", "model", "move", "set_keywords", "utc"]

BASE = 1_800_000_000


def utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def raw_message(
    subject: str,
    message_id: str,
    *,
    sender: str = "Bob <bob@example.net>",
    to: str = "Alice <alice@example.org>",
    cc: str | None = None,
    body: str = "Hello.\r\n",
    in_reply_to: str | None = None,
    attachment: bool = False,
) -> bytes:
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}"]
    if cc:
        lines.append(f"Cc: {cc}")
    lines += ["Date: Tue, 01 Dec 2026 09:30:00 +0100", f"Message-ID: <{message_id}>"]
    if in_reply_to:
        lines += [f"In-Reply-To: <{in_reply_to}>", f"References: <{in_reply_to}>"]
    if not attachment:
        lines += ["Content-Type: text/plain; charset=utf-8", "", body]
        return "\r\n".join(lines).encode()
    lines += [
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="xx"',
        "",
        "--xx",
        "Content-Type: text/plain",
        "",
        body,
        "--xx",
        "Content-Type: application/pdf",
        'Content-Disposition: attachment; filename="a.pdf"',
        "Content-Transfer-Encoding: base64",
        "",
        "JVBERi0xLjQK",
        "--xx--",
        "",
    ]
    return "\r\n".join(lines).encode()


@dataclass
class CorpusEmail:
    id: str
    thread_id: str
    size: int
    received_at: int
    keywords: set[str]
    mailboxes: set[str]
    subject: str = ""
    sender: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


ALICE, BOB = "Alice <alice@example.org>", "Bob <bob@example.net>"
CAROL, DAVE, ZED = "Carol <carol@example.com>", "Dave <dave@example.com>", "Zed <zed@example.com>"
# subject, from, to, cc, body repeats, index replied to, attachment, hour, keywords, boxes
_SPECS: list[tuple[Any, ...]] = [
    ("Budget", BOB, ALICE, None, 1, None, False, 0, ["$seen"], ["inbox"]),
    ("Re: Budget", CAROL, ALICE, DAVE, 5, 0, False, 1, [], ["inbox"]),
    ("Party", "dave@example.com", BOB, None, 20, None, True, 2, ["$flagged", "a_b"],
     ["inbox", "archive"]),
    ("invoice 42", "Erin <erin@shop.example>", "alice@example.org", None, 3, None, True, 2,
     ["axb", "$seen"], ["archive"]),
    ("Re: Budget", ALICE, BOB, None, 2, 1, False, 3, ["$seen"], ["inbox"]),
    ("zebra notes", ZED, ALICE, BOB, 9, None, False, 5, ["work"], ["inbox"]),
    ("Apples", "amy@example.com", ALICE, None, 40, None, False, 5, ["work", "$seen"], ["archive"]),
    ("Re: Party", BOB, "dave@example.com", None, 1, 2, False, 7, ["$seen", "$flagged"], ["inbox"]),
]  # fmt: skip


async def _import(client: Client, raw: bytes, **properties: Any) -> dict[str, Any]:
    blob_id = await client.upload(raw)
    got = await client.one("Email/import", emails={"new": {"blobId": blob_id, **properties}})
    assert got["notCreated"] is None, got["notCreated"]
    return dict(got["created"]["new"])


async def build_corpus(client: Client) -> tuple[list[CorpusEmail], dict[str, str]]:
    """Import the corpus; returns the emails (in import order) and role -> mailbox id."""
    boxes = {role: await client.mailbox(role) for role in ("inbox", "archive", "trash")}
    emails: list[CorpusEmail] = []
    for index, spec in enumerate(_SPECS):
        subject, sender, to, cc, repeat, reply, attachment, hour, keywords, roles = spec
        parent = None if reply is None else f"c{reply}@x"
        raw = raw_message(
            subject,
            f"c{index}@x",
            sender=sender,
            to=to,
            cc=cc,
            body="Some words here. " * repeat,
            in_reply_to=parent,
            attachment=attachment,
        )
        received = BASE + hour * 3600
        created = await _import(
            client,
            raw,
            mailboxIds={boxes[r]: True for r in roles},
            keywords=dict.fromkeys(keywords, True),
            receivedAt=utc(received),
        )
        emails.append(
            CorpusEmail(
                id=created["id"],
                thread_id=created["threadId"],
                size=created["size"],
                received_at=received,
                keywords=set(keywords),
                mailboxes={boxes[r] for r in roles},
                subject=subject,
                sender=sender,
            )
        )
    return emails, boxes


async def model(client: Client) -> list[CorpusEmail]:
    """Every live email as the store holds it now."""
    ids = (await client.one("Email/query", limit=None))["ids"]
    records = await client.services.emails.records(client.unlocked, ids)
    return [
        CorpusEmail(
            id=r.id,
            thread_id=r.thread_id or r.id,
            size=r.size,
            received_at=r.received_at,
            keywords=set(keywords_from_stored(r.flags, r.custom_keywords)),
            mailboxes=set(r.mailboxes),
        )
        for r in records
    ]


async def set_keywords(client: Client, email_id: str, keywords: set[str]) -> None:
    """What Email/set will do for keywords, straight through the store."""
    account_id = AccountId(client.account_id)
    flags, custom = keywords_to_stored(keywords)
    async with client.services.store.transaction() as tx:
        modseq = await tx.changes.next_modseq(account_id)
        await tx.emails.update(
            account_id, email_id, flags=flags, custom_keywords=custom, modseq=modseq
        )
        await tx.changes.record(account_id, modseq, "Email", [(email_id, UPDATED)])


async def move(client: Client, email: CorpusEmail, to_mailbox: str) -> None:
    """Email/set mailboxIds = {to_mailbox}, straight through the store."""
    account_id = AccountId(client.account_id)
    async with client.services.store.transaction() as tx:
        modseq = await tx.changes.next_modseq(account_id)
        await tx.emails.remove_memberships(email.id, email.mailboxes)
        uids = await tx.mailboxes.allocate_uids(account_id, [to_mailbox])
        await tx.emails.add_memberships(email.id, email.received_at, uids)
        await tx.emails.update(account_id, email.id, modseq=modseq)
        await tx.changes.record(account_id, modseq, "Email", [(email.id, UPDATED)])


async def destroy(client: Client, email: CorpusEmail) -> None:
    """Email/set destroy: memberships go, the row stays 30 days with deleted_at set."""
    account_id = AccountId(client.account_id)
    async with client.services.store.transaction() as tx:
        modseq = await tx.changes.next_modseq(account_id)
        await tx.emails.remove_memberships(email.id, email.mailboxes)
        await tx.emails.update(account_id, email.id, modseq=modseq, deleted_at=BASE)
        await tx.changes.record(account_id, modseq, "Email", [(email.id, DESTROYED)])
