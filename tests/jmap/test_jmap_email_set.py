"""Email/set update and destroy (RFC 8621 4.6), the retention methods (urn:sealbox:retention),
the purge, and Mailbox/set destroy of mailboxes holding mail, on both database backends."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from support.jmap_client import Client, make_client
from support.messages import message

from api.core.clock import DAY, now
from api.services import Services
from api.store.blobs.filesystem import FilesystemBlobBackend
from api.store.email_models import ThreadKeyRow


@pytest.fixture
async def client(services: Services) -> Client:
    return await make_client(services)


async def email(client: Client, email_id: str, *props: str) -> dict[str, Any]:
    got = await client.one("Email/get", ids=[email_id], properties=list(props))
    [shown] = got["list"]
    return dict(shown)


async def update(client: Client, email_id: str, patch: dict[str, Any]) -> dict[str, Any]:
    return await client.one("Email/set", update={email_id: patch})


async def counts(client: Client, mailbox_id: str) -> tuple[int, int, int, int]:
    [box] = (await client.one("Mailbox/get", ids=[mailbox_id]))["list"]
    return (box["totalEmails"], box["unreadEmails"], box["totalThreads"], box["unreadThreads"])


async def states(client: Client) -> dict[str, str]:
    return {
        kind: (await client.one(f"{kind}/get", ids=[]))["state"]
        for kind in ("Email", "Mailbox", "Thread")
    }


async def test_keyword_patches_and_whole_replacement(client: Client) -> None:
    created = await client.import_email(message(), keywords={"work": True})
    inbox = await client.mailbox("inbox")
    assert await counts(client, inbox) == (1, 1, 1, 1)
    before = await states(client)

    result = await update(client, created["id"], {"keywords/$Seen": True, "keywords/work": None})
    assert result["updated"] == {created["id"]: None}
    assert result["oldState"] == before["Email"] and result["newState"] != before["Email"]
    shown = await email(client, created["id"], "keywords", "modseq")
    assert shown["keywords"] == {"$seen": True}
    # The email's MODSEQ is the batch's position, which is the new Email state.
    assert str(shown["modseq"]) == result["newState"]
    assert await counts(client, inbox) == (1, 0, 1, 0)
    changes = await client.one("Email/changes", sinceState=before["Email"])
    assert changes["updated"] == [created["id"]] and changes["created"] == []
    assert (await client.one("Mailbox/changes", sinceState=before["Mailbox"]))["updated"] == [inbox]
    # Keywords alone move no email between threads.
    assert (await client.one("Thread/changes", sinceState=before["Thread"]))["updated"] == []

    await update(client, created["id"], {"keywords": {"$flagged": True, "Later": True}})
    assert (await email(client, created["id"], "keywords"))["keywords"] == {
        "$flagged": True,
        "later": True,
    }
    assert await counts(client, inbox) == (1, 1, 1, 1)

    # A flag that leaves it unread changes no count: Mailbox state stays.
    mailbox_state = (await states(client))["Mailbox"]
    await update(client, created["id"], {"keywords/$answered": True})
    assert (await states(client))["Mailbox"] == mailbox_state


async def test_moving_allocates_a_new_uid_in_the_new_mailbox(client: Client) -> None:
    inbox, archive, trash = [await client.mailbox(r) for r in ("inbox", "archive", "trash")]
    first = await client.import_email(message("One", "o1@x"), role="archive")
    moved = await client.import_email(message("Two", "o2@x"))
    before = await states(client)

    await update(client, moved["id"], {f"mailboxIds/{inbox}": None, f"mailboxIds/{archive}": True})
    shown = await email(client, moved["id"], "mailboxIds", "imapUids")
    assert shown["mailboxIds"] == {archive: True}
    assert shown["imapUids"] == {archive: 2}
    [box] = (await client.one("Mailbox/get", ids=[archive], properties=["uidNext"]))["list"]
    assert box["uidNext"] == 3
    assert await counts(client, inbox) == (0, 0, 0, 0)
    assert await counts(client, archive) == (2, 2, 2, 2)
    mailboxes = await client.one("Mailbox/changes", sinceState=before["Mailbox"])
    assert sorted(mailboxes["updated"]) == sorted([inbox, archive])
    assert (await client.one("Thread/changes", sinceState=before["Thread"]))["updated"] == []

    # Whole replacement; keeping a mailbox keeps its UID, a new one gets the next.
    await update(client, moved["id"], {"mailboxIds": {archive: True, trash: True}})
    shown = await email(client, moved["id"], "imapUids")
    assert shown["imapUids"] == {archive: 2, trash: 1}
    # Back into the inbox: a new UID there, never the old one (RFC 9051 2.3.1.1).
    await update(client, moved["id"], {"mailboxIds": {inbox: True}})
    inbox_uid = (await email(client, moved["id"], "imapUids"))["imapUids"][inbox]
    assert inbox_uid == 2
    assert (await email(client, first["id"], "imapUids"))["imapUids"] == {archive: 1}


async def test_mailbox_ids_may_name_a_mailbox_created_earlier_in_the_request(
    client: Client,
) -> None:
    created = await client.import_email(message())
    responses = await client.batch(
        ("Mailbox/set", {"create": {"p": {"name": "Projects"}}}),
        ("Email/set", {"update": {created["id"]: {"mailboxIds/#p": True}}}),
    )
    project = responses[0][1]["created"]["p"]["id"]
    assert responses[1][1]["updated"] == {created["id"]: None}, responses[1][1]
    shown = await email(client, created["id"], "mailboxIds")
    assert project in shown["mailboxIds"] and len(shown["mailboxIds"]) == 2


async def test_invalid_updates_are_refused_one_by_one(client: Client) -> None:
    created = await client.import_email(message())
    inbox = await client.mailbox("inbox")
    state = (await states(client))["Email"]
    eid = created["id"]
    patches: dict[str, tuple[dict[str, Any], str, list[str]]] = {
        "last mailbox": ({f"mailboxIds/{inbox}": None}, "invalidProperties", ["mailboxIds"]),
        "empty map": ({"mailboxIds": {}}, "invalidProperties", ["mailboxIds"]),
        "no mailbox": ({"mailboxIds/mnothere": True}, "invalidProperties", ["mailboxIds"]),
        "bad keyword": ({"keywords/bad kw": True}, "invalidProperties", ["keywords"]),
        "false value": ({"keywords": {"$seen": False}}, "invalidProperties", ["keywords"]),
        "false entry": ({"keywords/$seen": False}, "invalidProperties", ["keywords/$seen"]),
        "too deep": ({"keywords/a/b": True}, "invalidPatch", ["keywords/a/b"]),
        "both": ({"keywords": {}, "keywords/$seen": True}, "invalidPatch", ["keywords"]),
        "immutable": (
            {"subject": "x", "receivedAt": "2026-01-01T00:00:00Z", "keywords/$seen": True},
            "invalidProperties",
            ["receivedAt", "subject"],
        ),
        "nested immutable": ({"bodyValues/1": {}}, "invalidProperties", ["bodyValues"]),
    }
    for name, (patch, kind, properties) in patches.items():
        result = await update(client, eid, patch)
        error = result["notUpdated"][eid]
        assert (error["type"], error["properties"]) == (kind, properties), name
        assert result["newState"] == state, name
    result = await update(client, "enothere", {"keywords/$seen": True})
    assert result["notUpdated"]["enothere"]["type"] == "notFound"
    shown = await email(client, eid, "keywords", "mailboxIds")
    assert shown == {"id": eid, "keywords": {}, "mailboxIds": {inbox: True}}


async def test_if_in_state(client: Client) -> None:
    created = await client.import_email(message())
    state = (await states(client))["Email"]
    mismatch = await client.error(
        "Email/set", ifInState="999999", update={created["id"]: {"keywords/$seen": True}}
    )
    assert mismatch["type"] == "stateMismatch"
    assert (await email(client, created["id"], "keywords"))["keywords"] == {}
    ok = await client.one(
        "Email/set", ifInState=state, update={created["id"]: {"keywords/$seen": True}}
    )
    assert ok["oldState"] == state and ok["updated"] == {created["id"]: None}


async def test_create_composes_a_draft_from_parts(client: Client) -> None:
    attachment = await client.upload(b"%PDF-1.4 tiny")
    drafts = await client.mailbox("drafts")
    [_, (name, got, _)] = await client.batch(
        ("Mailbox/set", {"create": {"p": {"name": "Projects"}}}),
        (
            "Email/set",
            {
                "create": {
                    "draft": {
                        "mailboxIds": {drafts: True, "#p": True},
                        "keywords": {"$draft": True, "$seen": True},
                        "from": [{"name": "Alice", "email": "alice@example.org"}],
                        "to": [{"name": "Bob", "email": "bob@example.net"}],
                        "subject": "Draft with a plan",
                        "textBody": [{"partId": "t", "type": "text/plain"}],
                        "bodyValues": {"t": {"value": "Step one: coffee."}},
                        "attachments": [
                            {"blobId": attachment, "type": "application/pdf", "name": "p.pdf"}
                        ],
                    },
                    "nobox": {"subject": "nowhere"},
                    "badblob": {
                        "mailboxIds": {drafts: True},
                        "attachments": [{"blobId": "bmissing", "type": "text/plain"}],
                    },
                }
            },
        ),
    )
    assert name == "Email/set", got
    created = got["created"]["draft"]
    assert set(created) == {"id", "blobId", "threadId", "size"}
    assert got["notCreated"]["nobox"]["properties"] == ["mailboxIds"]
    assert got["notCreated"]["badblob"]["type"] == "blobNotFound"
    assert got["notCreated"]["badblob"]["notFound"] == ["bmissing"]

    shown = await client.one(
        "Email/get",
        ids=[created["id"]],
        properties=["subject", "to", "keywords", "mailboxIds", "attachments", "textBody"],
        fetchTextBodyValues=True,
    )
    [draft] = shown["list"]
    assert draft["subject"] == "Draft with a plan"
    assert draft["to"] == [{"name": "Bob", "email": "bob@example.net"}]
    assert draft["keywords"] == {"$draft": True, "$seen": True}
    assert len(draft["mailboxIds"]) == 2 and drafts in draft["mailboxIds"]
    assert [a["name"] for a in draft["attachments"]] == ["p.pdf"]


async def test_destroy_then_list_deleted_and_restore(client: Client) -> None:
    inbox, archive = await client.mailbox("inbox"), await client.mailbox("archive")
    parent = await client.import_email(message("Budget", "b1@x"), keywords={"$seen": True})
    reply = await client.import_email(message("Re: Budget", "b2@x", in_reply_to="b1@x"))
    await update(client, reply["id"], {f"mailboxIds/{archive}": True})
    before = await states(client)

    result = await client.one("Email/set", destroy=[reply["id"], "enothere"])
    assert result["destroyed"] == [reply["id"]]
    assert result["notDestroyed"]["enothere"]["type"] == "notFound"
    assert (await client.one("Email/get", ids=[reply["id"]]))["notFound"] == [reply["id"]]
    changes = await client.one("Email/changes", sinceState=before["Email"])
    assert changes["destroyed"] == [reply["id"]]
    threads = await client.one("Thread/changes", sinceState=before["Thread"])
    assert threads["updated"] == [parent["threadId"]] and threads["destroyed"] == []
    mailboxes = await client.one("Mailbox/changes", sinceState=before["Mailbox"])
    assert sorted(mailboxes["updated"]) == sorted([inbox, archive])
    assert await counts(client, archive) == (0, 0, 0, 0)
    thread = await client.one("Thread/get", ids=[parent["threadId"]])
    assert thread["list"][0]["emailIds"] == [parent["id"]]

    # The last email of a thread takes the thread with it.
    thread_state = (await states(client))["Thread"]
    await client.one("Email/set", destroy=[parent["id"]])
    threads = await client.one("Thread/changes", sinceState=thread_state)
    assert threads["destroyed"] == [parent["threadId"]]

    listed = (await client.one("Email/listDeleted"))["list"]
    assert sorted(item["id"] for item in listed) == sorted([parent["id"], reply["id"]])
    shown = {item["id"]: item for item in listed}[reply["id"]]
    assert shown["subject"] == "Re: Budget"
    assert shown["from"] == [{"name": "Bob", "email": "bob@example.net"}]
    assert shown["size"] == reply["size"] and shown["deletedAt"].endswith("Z")

    before = await states(client)
    restored = await client.one("Email/restore", ids=[reply["id"], parent["id"], "enothere"])
    assert restored["notFound"] == ["enothere"]
    back = restored["restored"][reply["id"]]
    # A new id: ids are never reused.
    assert back["id"] not in (reply["id"], parent["id"])
    assert back["mailboxIds"] == {archive: True, inbox: True}
    shown = await email(client, back["id"], "blobId", "threadId", "imapUids", "keywords")
    assert shown["blobId"] == reply["blobId"]
    assert shown["threadId"] == restored["restored"][parent["id"]]["threadId"]
    assert shown["imapUids"] == {inbox: 3, archive: 2}
    assert (await email(client, restored["restored"][parent["id"]]["id"], "keywords"))[
        "keywords"
    ] == {"$seen": True}
    changes = await client.one("Email/changes", sinceState=before["Email"])
    assert sorted(changes["created"]) == sorted(r["id"] for r in restored["restored"].values())
    assert restored["newState"] == changes["newState"]
    assert await counts(client, inbox) == (2, 1, 1, 1)
    assert (await client.one("Email/listDeleted"))["list"] == []
    again = await client.one("Email/restore", ids=[reply["id"]])
    assert again["restored"] == {} and again["notFound"] == [reply["id"]]


async def test_restore_into_a_mailbox_that_is_gone_goes_to_the_inbox(client: Client) -> None:
    made = await client.one("Mailbox/set", create={"p": {"name": "Projects"}})
    project = made["created"]["p"]["id"]
    created = await client.import_email(message(), mailboxIds={project: True})
    await client.one("Email/set", destroy=[created["id"]])
    gone = await client.one("Mailbox/set", destroy=[project])
    assert gone["destroyed"] == [project]

    restored = await client.one("Email/restore", ids=[created["id"]])
    inbox = await client.mailbox("inbox")
    assert restored["restored"][created["id"]]["mailboxIds"] == {inbox: True}


async def test_restore_of_mail_emptied_from_the_trash_goes_to_the_inbox(client: Client) -> None:
    trash, archive = await client.mailbox("trash"), await client.mailbox("archive")
    only = await client.import_email(message("Emptied once"), mailboxIds={trash: True})
    both = await client.import_email(
        message("Filed twice", "m2@example.net"), mailboxIds={trash: True, archive: True}
    )
    await client.one("Email/set", destroy=[only["id"], both["id"]])

    restored = (await client.one("Email/restore", ids=[only["id"], both["id"]]))["restored"]
    inbox = await client.mailbox("inbox")
    assert restored[only["id"]]["mailboxIds"] == {inbox: True}
    assert restored[both["id"]]["mailboxIds"] == {archive: True}
    # New mail under a new id, so the index must know it: search finds it, not the old id.
    found = await client.one("Email/query", filter={"inMailbox": inbox, "subject": "Emptied"})
    assert found["ids"] == [restored[only["id"]]["id"]]


async def test_the_retention_methods_need_their_capability(client: Client) -> None:
    using = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"]
    [(name, body, _)] = await client.caller.call(
        [("Email/listDeleted", {"accountId": client.account_id}, "0")], using
    )
    assert (name, body["type"]) == ("error", "unknownMethod")


async def test_purge_shreds_old_deletions_but_keeps_shared_blobs(
    client: Client, services: Services
) -> None:
    inbox = await client.mailbox("inbox")
    alone = await client.import_email(message("Alone", "a1@x"))
    shared_blob = await client.upload(message("Shared", "s1@x"))
    imported = await client.one(
        "Email/import",
        emails={
            k: {"blobId": shared_blob, "mailboxIds": {inbox: True}} for k in ("first", "second")
        },
    )
    first, second = imported["created"]["first"], imported["created"]["second"]
    await client.one("Email/set", destroy=[alone["id"], first["id"]])
    backend = services.blobs.backend
    assert isinstance(backend, FilesystemBlobBackend)
    assert backend.path(alone["blobId"]).exists()

    assert await services.retention.purge(at=now() + 29 * DAY) == 0
    assert len((await client.one("Email/listDeleted"))["list"]) == 2
    assert await services.retention.purge(at=now() + 31 * DAY) == 2

    assert (await client.one("Email/listDeleted"))["list"] == []
    assert not backend.path(alone["blobId"]).exists()
    async with services.store.transaction() as tx:
        assert await tx.blobs.get(client.unlocked.account_id, alone["blobId"]) is None
        assert (
            await tx.emails.get_many(client.unlocked.account_id, [first["id"]], deleted=True) == []
        )
    # The blob still backs a live email: row and file stay, and the email still reads.
    assert backend.path(shared_blob).exists()
    got = await client.one("Email/get", ids=[second["id"]], properties=["subject", "textBody"])
    assert got["list"][0]["subject"] == "Shared"


async def thread_key_count(services: Services, thread_id: str) -> int:
    async with services.store.database.session() as session:
        rows = await session.scalars(
            select(ThreadKeyRow.key).where(ThreadKeyRow.thread_id == thread_id)
        )
        return len(rows.all())


async def test_purge_forgets_the_thread_keys_of_a_conversation_with_no_mail_left(
    client: Client, services: Services
) -> None:
    gone = await client.import_email(message("Gone", "g1@x"))
    kept = await client.import_email(message("Kept", "k1@x"))
    reply = await client.import_email(message("Re: Kept", "k2@x", in_reply_to="k1@x"))
    assert reply["threadId"] == kept["threadId"]
    await client.one("Email/set", destroy=[gone["id"], reply["id"]])
    assert await thread_key_count(services, gone["threadId"]) > 0

    assert await services.retention.purge(at=now() + 31 * DAY) == 2
    assert await thread_key_count(services, gone["threadId"]) == 0
    # Its thread still holds live mail, so a later reply still joins it.
    assert await thread_key_count(services, kept["threadId"]) > 0
    again = await client.import_email(message("Re: Kept", "k3@x", in_reply_to="k1@x"))
    assert again["threadId"] == kept["threadId"]


async def test_mailbox_destroy_with_and_without_removing_emails(client: Client) -> None:
    made = await client.one("Mailbox/set", create={"p": {"name": "Projects"}})
    project = made["created"]["p"]["id"]
    inbox = await client.mailbox("inbox")
    only_here = await client.import_email(message("Only", "p1@x"), mailboxIds={project: True})
    also_inbox = await client.import_email(message("Both", "p2@x"), mailboxIds={project: True})
    await update(client, also_inbox["id"], {f"mailboxIds/{inbox}": True})

    refused = await client.one("Mailbox/set", destroy=[project])
    assert refused["notDestroyed"][project]["type"] == "mailboxHasEmail"
    before = await states(client)

    done = await client.one("Mailbox/set", destroy=[project], onDestroyRemoveEmails=True)
    assert done["destroyed"] == [project]
    emails = await client.one("Email/changes", sinceState=before["Email"])
    assert emails["destroyed"] == [only_here["id"]] and emails["updated"] == [also_inbox["id"]]
    assert (await client.one("Thread/changes", sinceState=before["Thread"]))["destroyed"] == [
        only_here["threadId"]
    ]
    mailboxes = await client.one("Mailbox/changes", sinceState=before["Mailbox"])
    # The inbox's counts did not change: the email that stays was already there.
    assert mailboxes["destroyed"] == [project] and mailboxes["updated"] == []
    assert done["newState"] == mailboxes["newState"] == emails["newState"]
    assert (await email(client, also_inbox["id"], "mailboxIds"))["mailboxIds"] == {inbox: True}
    listed = (await client.one("Email/listDeleted"))["list"]
    assert [item["id"] for item in listed] == [only_here["id"]]
