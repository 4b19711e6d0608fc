"""The summary of mail delivered to a locked account: sealed under the copy's data key
(one HPKE operation per copy), opened at catch-up, and the older form still opened."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from support.jmap_client import make_client

import crypto.sealing
from api.core.delivery_sealing import seal_copies
from api.core.email_summary import open_pending_summary, summarize
from api.core.ingest import IncomingEmail
from api.mime.email_view import parse_email
from api.services import Services
from api.store.ids import AccountId
from crypto.errors import DecryptionError
from crypto.keypair import generate_keypair
from crypto.labels import bind

ACCOUNT = AccountId("aalice")
RAW = (
    b"From: a@example.net\r\nTo: b@example.org\r\nSubject: Hello\r\n"
    b"Message-ID: <m1@x>\r\n\r\nhi\r\n"
)


def _older_form(public_key: bytes, email_id: str, account: AccountId = ACCOUNT) -> bytes:
    """A pending summary as servers before the data-key form sealed it."""
    info = bind(b"sealbox/v1/summary-pending", account, email_id)
    encoded = msgspec.msgpack.encode(summarize(parse_email(RAW)))
    return crypto.sealing.seal_to_public_key(public_key, encoded, info=info)


class _CountingSuite:
    """crypto.sealing's HPKE suite, counting encryptions (every seal to a public key)."""

    def __init__(self, suite: Any) -> None:
        self.suite, self.encryptions = suite, 0

    def encrypt(self, *args: Any, **kwargs: Any) -> bytes:
        self.encryptions += 1
        return bytes(self.suite.encrypt(*args, **kwargs))


def test_a_copy_costs_one_hpke_seal(monkeypatch: pytest.MonkeyPatch) -> None:
    counting = _CountingSuite(crypto.sealing._SUITE)
    monkeypatch.setattr(crypto.sealing, "_SUITE", counting)
    public_key = generate_keypair().public_key
    seal_copies(RAW, [(ACCOUNT, public_key), (AccountId("abob"), public_key)])
    assert counting.encryptions == 2  # each copy's data key, nothing else


def test_the_summary_opens_with_the_private_key_alone() -> None:
    pair = generate_keypair()
    [copy] = seal_copies(RAW, [(ACCOUNT, pair.public_key)])
    summary = open_pending_summary(
        pair.private_key,
        copy.summary_sealed,
        account_id=ACCOUNT,
        email_id=copy.email_id,
        blob_id=copy.blob.id,
    )
    assert summary == copy.summary
    assert summary.subject == "Hello"


@pytest.mark.parametrize("wrong", ["account_id", "email_id", "blob_id"])
def test_the_summary_is_bound_to_its_account_email_and_blob(wrong: str) -> None:
    pair = generate_keypair()
    [copy] = seal_copies(RAW, [(ACCOUNT, pair.public_key)])
    ids = {"account_id": ACCOUNT, "email_id": copy.email_id, "blob_id": copy.blob.id}
    ids[wrong] = "zother"
    with pytest.raises(DecryptionError):
        open_pending_summary(pair.private_key, copy.summary_sealed, **ids)


def test_another_data_key_in_front_does_not_open_the_summary() -> None:
    pair = generate_keypair()
    [one, other] = seal_copies(RAW, [(ACCOUNT, pair.public_key), (ACCOUNT, pair.public_key)])
    key_size = 1 + crypto.sealing.SEALED_DATA_KEY_SIZE
    # The other copy's data key, sealed for this copy's blob id: the HPKE open passes,
    # the summary's key is then not the one it was sealed under.
    swapped = other.summary_sealed[:key_size] + one.summary_sealed[key_size:]
    with pytest.raises(DecryptionError):
        open_pending_summary(
            pair.private_key,
            swapped,
            account_id=ACCOUNT,
            email_id=one.email_id,
            blob_id=other.blob.id,
        )


def test_the_older_form_still_opens() -> None:
    pair = generate_keypair()
    sealed = _older_form(pair.public_key, "eold")
    summary = open_pending_summary(
        pair.private_key, sealed, account_id=ACCOUNT, email_id="eold", blob_id="bany"
    )
    assert summary.subject == "Hello"


async def test_mail_pending_in_the_older_form_settles_at_catch_up(services: Services) -> None:
    client = await make_client(services)
    account = client.unlocked.account_id
    inbox = await client.mailbox("inbox")
    incoming = IncomingEmail(mailbox_ids=[inbox], keywords=[], received_at=1_800_000_000)
    email_id = (await services.emails.ingest.deliver(account, RAW, incoming)).id
    async with services.store.transaction() as tx:
        record = await tx.accounts.get(account)
        assert record is not None
        # As a server upgraded with this email still pending holds it.
        older = _older_form(record.public_key, email_id, account)
        await tx.emails.update(account, email_id, summary_sealed=older)
    got = await client.one("Email/get", ids=[email_id], properties=["threadId", "subject"])
    [email] = got["list"]
    assert email["subject"] == "Hello" and email["threadId"]
