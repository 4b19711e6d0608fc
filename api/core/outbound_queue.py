"""The durable outbound queue's front: messages for remote recipients wait here, sealed.

The copy is sealed to an installation key pair per sending domain (derived from the
instance secret "outbound-queue"), because the SMTP sender that drains the queue runs
without any user key (api.delivery.queue_sender reads entries with `open_envelope` and
`queue_keypair`). A message is stored once for all its remote recipients: each has its
own entry and sealed envelope, all pointing at one blob.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import msgspec

from api.core.blobs import BlobService
from api.core.clock import now
from api.store.ids import AccountId, new_id
from api.store.records import OutboundRecord
from api.store.unit_of_work import Store, Transaction
from crypto.kdf import hkdf_sha256
from crypto.keypair import AccountKeyPair, keypair_from_seed
from crypto.labels import bind
from crypto.sealing import open_with_private_key, seal_to_public_key
from crypto.secret_value import SecretBytes

__all__ = ["OutboundEnvelope", "OutboundQueue", "open_envelope", "queue_keypair"]

# The row name in instance_secrets, not a secret itself.
QUEUE_KEY_SOURCE = "outbound-queue"


class OutboundEnvelope(msgspec.Struct, frozen=True, kw_only=True):
    mail_from: str
    rcpt_to: str
    rcpt_parameters: dict[str, str | None] | None = None
    # MAIL FROM parameters the sender asked for (REQUIRETLS, RFC 8689 4).
    mail_parameters: dict[str, str | None] | None = None


async def queue_keypair(tx: Transaction, domain: str) -> AccountKeyPair:
    secret = await tx.throttle.instance_secret(QUEUE_KEY_SOURCE)
    seed = hkdf_sha256(secret, bind(b"sealbox/v1/queue-key", domain.lower()))
    return keypair_from_seed(SecretBytes(seed))


def _info(entry_id: str) -> bytes:
    return bind(b"sealbox/v1/queue-envelope", entry_id)


def open_envelope(keypair: AccountKeyPair, record: OutboundRecord) -> OutboundEnvelope:
    plaintext = open_with_private_key(
        keypair.private_key, record.envelope_sealed, info=_info(record.id)
    )
    return msgspec.msgpack.decode(plaintext, type=OutboundEnvelope)


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


class OutboundQueue:
    def __init__(self, store: Store, blobs: BlobService) -> None:
        self._store = store
        self._blobs = blobs

    async def enqueue(
        self,
        account_id: AccountId,
        sender_domain: str,
        raw: bytes,
        envelope: OutboundEnvelope,
    ) -> OutboundRecord:
        """Store the message durably for one remote recipient; returns once committed."""
        [record] = await self.enqueue_many(account_id, sender_domain, raw, [envelope])
        return record

    async def enqueue_many(
        self,
        account_id: AccountId,
        sender_domain: str,
        raw: bytes,
        envelopes: Sequence[OutboundEnvelope],
        *,
        submission_id: str | None = None,
        positions: Sequence[int] | None = None,
        also: Callable[[Transaction], Awaitable[None]] | None = None,
    ) -> list[OutboundRecord]:
        """Store the message once for several remote recipients: one blob, one entry per
        envelope (the i-th at `positions[i]`), all committed together, with whatever
        `also` writes in the same transaction (submit's "queued" statuses).

        The entries share the blob; the sender deletes it with the last of them
        (api.store.outbound.OutboundRepository.finish).
        """
        if not envelopes:
            return []
        where = list(range(len(envelopes))) if positions is None else list(positions)
        if len(where) != len(envelopes):
            raise ValueError("enqueue_many needs one position per envelope")
        async with self._store.transaction() as tx:
            keypair = await queue_keypair(tx, sender_domain)
        blob = await self._blobs.write(account_id, keypair.public_key, _one(raw), expires=None)
        at = now()
        records = []
        for envelope, position in zip(envelopes, where, strict=True):
            entry_id = new_id("q")
            sealed = seal_to_public_key(
                keypair.public_key, msgspec.msgpack.encode(envelope), info=_info(entry_id)
            )
            records.append(
                OutboundRecord(
                    id=entry_id,
                    account_id=account_id,
                    submission_id=submission_id,
                    position=position,
                    sender_domain=sender_domain.lower(),
                    envelope_sealed=sealed,
                    blob_id=blob.id,
                    created_at=at,
                    next_attempt_at=at,
                )
            )
        try:
            async with self._store.transaction() as tx:
                await tx.blobs.add(blob)
                await tx.submissions.enqueue(records)
                if also is not None:
                    await also(tx)
        except BaseException:
            await self._blobs.discard(blob.id)
            raise
        return records
