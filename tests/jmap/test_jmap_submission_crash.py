"""EmailSubmission (RFC 8621 7) after a crash between queueing and recording "queued": the
retry that resumes the record queues each remote recipient exactly once."""

from __future__ import annotations

from typing import Any

import pytest
from support.jmap_client import make_client

from api.services import Services
from api.store.submission_models import STAGE_QUEUED
from api.store.submissions import SubmissionRepository

RAW = b"From: alice@example.org\r\nTo: dan@far.example\r\nSubject: crash\r\n\r\nhello\r\n"
REMOTE = ["dan@far.example", "erin@far.example"]


async def test_a_resumed_send_queues_each_remote_recipient_once(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await make_client(services, "alice@example.org")
    real_set_status = SubmissionRepository.set_status
    crashed: list[int] = []

    async def set_status(
        self: SubmissionRepository, submission_id: str, position: int, sealed: bytes, stage: int
    ) -> Any:
        if stage == STAGE_QUEUED and not crashed:
            crashed.append(position)
            raise OSError("killed while recording queued")  # the process dies right here
        return await real_set_status(self, submission_id, position, sealed, stage)

    monkeypatch.setattr(SubmissionRepository, "set_status", set_status)
    email = await alice.import_email(RAW, role="drafts")
    identity = (await alice.one("Identity/get", ids=None))["list"][0]["id"]
    rcpt_to = [{"email": r} for r in REMOTE]
    envelope = {"mailFrom": {"email": "alice@example.org"}, "rcptTo": rcpt_to}
    create = {"s": {"emailId": email["id"], "identityId": identity, "envelope": envelope}}
    [(name, _, _)] = await alice.batch(("EmailSubmission/set", {"create": create}))
    assert name == "error"
    assert crashed

    created = (await alice.one("EmailSubmission/set", create=create))["created"]["s"]
    assert {r: s["delivered"] for r, s in created["deliveryStatus"].items()} == dict.fromkeys(
        REMOTE, "queued"
    )
    [record] = (await alice.one("EmailSubmission/get", ids=None))["list"]
    assert record["id"] == created["id"]
    async with services.store.transaction() as tx:
        queued = await tx.submissions.queued(alice.unlocked.account_id)
    assert sorted(entry.position for entry in queued) == [0, 1]
    assert {entry.submission_id for entry in queued} == {created["id"]}
