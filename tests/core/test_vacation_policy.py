"""Which delivered messages get the vacation auto-reply, and what it says (RFC 8621 8,
RFC 3834): the pure rules as a table, then the whole decision on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support.jmap_client import Client, make_client

from api.core.clock import DAY
from api.core.vacation_policy import InboundMessage, Refusal, refusal
from api.core.vacation_reply import DEFAULT_TEXT, REPLY_PERIOD, VacationReply
from api.mime.fields import RawHeader
from api.services import Services
from api.store.identity_models import VacationReplyRow
from api.store.ids import AccountId
from api.store.models import AliasRow

OWN = ("alice@example.org", "ally@example.org")
SENDER = "Bob@Example.NET"
START = 1_900_000_000  # 2030-03-17T17:46:40Z


def message(sender: str = SENDER, *fields: tuple[str, str], to: str = OWN[0]) -> InboundMessage:
    headers = [("From", f"Bob <{sender}>"), ("To", f"Alice <{to}>"), *fields]
    return InboundMessage(
        envelope_sender=sender,
        headers=[RawHeader(name=n, raw=f" {v}".encode()) for n, v in headers],
    )


@pytest.mark.parametrize(
    ("inbound", "expected"),
    [
        (message(), None),
        (message("<bob@example.net>"), None),
        (message(to="ALLY@example.org"), None),  # an alias, any case
        (message("", to=OWN[0]), Refusal.NULL_SENDER),
        (message("<>"), Refusal.NULL_SENDER),
        (message("no-at-sign"), Refusal.NULL_SENDER),
        (message("Alice@Example.org"), Refusal.OWN_ADDRESS),
        (message("ally@example.org"), Refusal.OWN_ADDRESS),
        (message("MAILER-DAEMON@example.net"), Refusal.ROBOT_SENDER),
        (message("postmaster@example.net"), Refusal.ROBOT_SENDER),
        (message("noreply@example.net"), Refusal.ROBOT_SENDER),
        (message("no-reply@example.net"), Refusal.ROBOT_SENDER),
        (message("do-not-reply@example.net"), Refusal.ROBOT_SENDER),
        (message("owner-list@example.net"), Refusal.ROBOT_SENDER),
        (message("list-request@example.net"), Refusal.ROBOT_SENDER),
        (message("bounces+x=y@example.net"), Refusal.ROBOT_SENDER),
        (message("replyguy@example.net"), None),  # "reply" alone is a person
        (message(SENDER, ("Auto-Submitted", "auto-replied")), Refusal.AUTO_SUBMITTED),
        (message(SENDER, ("Auto-Submitted", "Auto-Generated (cron)")), Refusal.AUTO_SUBMITTED),
        (message(SENDER, ("Auto-Submitted", "no")), None),
        (message(SENDER, ("Auto-Submitted", " No (a person) ")), None),
        (message(SENDER, ("List-Id", "<team.example.net>")), Refusal.MAILING_LIST),
        (message(SENDER, ("List-Unsubscribe", "<mailto:u@x>")), Refusal.MAILING_LIST),
        (message(SENDER, ("list-post", "<mailto:l@x>")), Refusal.MAILING_LIST),
        (message(SENDER, ("Precedence", "bulk")), Refusal.BULK),
        (message(SENDER, ("Precedence", "List")), Refusal.BULK),
        (message(SENDER, ("Precedence", "junk")), Refusal.BULK),
        (message(SENDER, ("Precedence", "first-class")), None),
        (message(to="someone@example.com"), Refusal.NOT_ADDRESSED),
        (message(SENDER, ("Cc", "alice@example.org")), None),
    ],
)
def test_refusal(inbound: InboundMessage, expected: Refusal | None) -> None:
    assert refusal(inbound, OWN) == expected


def test_bcc_only_delivery_is_not_addressed() -> None:
    # RFC 3834 2: no recipient field names us, so no reply (e.g. a Bcc or a list copy).
    inbound = InboundMessage(envelope_sender=SENDER, headers=[])
    assert refusal(inbound, OWN) is Refusal.NOT_ADDRESSED


@pytest.fixture
async def client(services: Services) -> Client:
    client = await make_client(services)
    async with services.store.database.session() as session:
        session.add(AliasRow(address=OWN[1], account_id=client.account_id))
    return client


async def _enable(client: Client, **values: object) -> None:
    patch = {"isEnabled": True, **values}
    result = await client.one("VacationResponse/set", update={"singleton": patch})
    assert result["updated"] == {"singleton": None}, result


async def _reply(
    services: Services, client: Client, inbound: InboundMessage, at: int
) -> VacationReply | None:
    replier = services.vacation_replies
    return await replier.vacation_reply_for(AccountId(client.account_id), inbound, at)


async def test_the_reply_goes_once_per_sender_per_period(
    services: Services, client: Client
) -> None:
    await _enable(client, subject="Away", textBody="Back on Monday", htmlBody="<p>Back</p>")
    threaded = message(SENDER, ("Message-ID", "<m2@x>"), ("References", "<m1@x>"))
    reply = await _reply(services, client, threaded, START)
    assert reply == VacationReply(
        to=SENDER,
        from_address=OWN[0],
        subject="Away",
        text_body="Back on Monday",
        html_body="<p>Back</p>",
        in_reply_to=["m2@x"],
        references=["m1@x", "m2@x"],
    )
    assert reply.auto_submitted == "auto-replied"
    assert await _reply(services, client, message(), START + 1) is None
    # The same sender in another case is the same sender.
    assert await _reply(services, client, message(SENDER.lower()), START + 2) is None
    assert await _reply(services, client, message(), START + REPLY_PERIOD - 1) is None
    assert await _reply(services, client, message(), START + REPLY_PERIOD) is not None
    assert await _reply(services, client, message("carol@example.net"), START) is not None
    # Refused messages do not use up the sender's reply.
    listed = message("dave@example.net", ("List-Id", "<l.example.net>"))
    assert await _reply(services, client, listed, START) is None
    assert await _reply(services, client, message("dave@example.net"), START) is not None


async def test_the_reply_log_names_no_sender(services: Services, client: Client) -> None:
    await _enable(client)
    assert await _reply(services, client, message(), START) is not None
    async with services.store.database.session() as session:
        rows = list(await session.scalars(select(VacationReplyRow)))
    assert [row.replied_at for row in rows] == [START]
    assert len(rows[0].sender_key) == 32
    assert SENDER.lower().encode() not in rows[0].sender_key


@pytest.mark.parametrize(
    ("window", "at", "replies"),
    [
        ({}, START, True),
        ({"fromDate": "2030-03-17T17:46:40Z"}, START, True),  # on fromDate
        ({"fromDate": "2030-03-17T17:46:41Z"}, START, False),  # before it
        ({"toDate": "2030-03-17T17:46:41Z"}, START, True),
        ({"toDate": "2030-03-17T17:46:40Z"}, START, False),  # toDate is excluded
        ({"fromDate": "2030-01-01T00:00:00Z", "toDate": "2030-12-31T00:00:00Z"}, START, True),
    ],
)
async def test_the_reply_waits_for_its_window(
    services: Services, client: Client, window: dict[str, str], at: int, replies: bool
) -> None:
    await _enable(client, **window)
    assert (await _reply(services, client, message(), at) is not None) is replies


async def test_no_reply_when_disabled_or_never_set(services: Services, client: Client) -> None:
    assert await _reply(services, client, message(), START) is None
    await _enable(client)
    await client.one("VacationResponse/set", update={"singleton": {"isEnabled": False}})
    assert await _reply(services, client, message(), START) is None
    # Enabled anew, the log starts empty: the sender hears about the new absence.
    await _enable(client)
    assert await _reply(services, client, message(), START + DAY) is not None


@pytest.mark.parametrize(
    ("texts", "subject", "text_body"),
    [
        ({}, "Auto: Lunch?", DEFAULT_TEXT),
        ({"htmlBody": "<p>Away &amp; <b>offline</b></p>"}, "Auto: Lunch?", "Away & offline"),
        ({"subject": "Out", "textBody": ""}, "Out", ""),
    ],
)
async def test_the_reply_fills_in_what_was_left_null(
    services: Services,
    client: Client,
    texts: dict[str, str],
    subject: str,
    text_body: str,
) -> None:
    await _enable(client, **texts)
    inbound = message(SENDER, ("Subject", "Lunch?"), to=OWN[1])
    reply = await _reply(services, client, inbound, START)
    assert reply is not None
    assert (reply.subject, reply.text_body) == (subject, text_body)
    assert reply.from_address == OWN[1]  # the address the sender wrote to
    assert reply.in_reply_to == [] and reply.references == []
