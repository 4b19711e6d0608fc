"""Blobs of an account (RFC 8620 6): stored encrypted, read back by range, purged when stale.

Each blob is STREAM ciphertext (crypto.stream) under its own random data key; the data
key is HPKE-sealed to the account's *public* key, so delivery and uploads store without
the user's password and only an unlocked master key can read. Plaintext exists only in
memory, a bounded piece at a time: nothing of it is written to disk, temp files included.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Sequence

from api.core.blob_orphans import purge_orphans
from api.core.blob_reader import OpenBlob, blob_aad
from api.core.blob_sealing import SealedBlob, seal_blocks, seal_whole
from api.core.clock import DAY, now
from api.core.errors import AccountNotFoundError, BlobNotFoundError
from api.core.readable_blobs import INLINE_DECRYPT_BYTES, ReadableBlobs
from api.core.unlocked import UnlockedAccount
from api.store.blobs.backend import BlobBackend, ProcessWriter
from api.store.blobs.repository import BlobRecord
from api.store.ids import BLOB_ID_PREFIX, AccountId, new_id
from api.store.unit_of_work import Store
from crypto.errors import DecryptionError
from crypto.sealing import new_data_key, open_data_key, seal_data_key
from crypto.secret_value import SecretBytes
from crypto.stream import HEADER_SIZE, decrypt_bytes
from crypto.stream_sealer import StreamSealer

__all__ = ["INLINE_DECRYPT_BYTES", "UPLOAD_TTL", "BlobService"]

# RFC 8620 6.1: unreferenced uploads must live at least 1 hour; a day covers slow drafts.
UPLOAD_TTL = DAY
# Plaintext encrypted per thread hop; bounds what an upload holds in memory.
_BATCH_CHUNKS = 16
_PURGE_BATCH = 500


class _Counter:
    size = 0


async def _sealed(
    sealer: StreamSealer, chunks: AsyncIterable[bytes], counter: _Counter
) -> AsyncIterator[bytes]:
    """Ciphertext of ``chunks``, encrypted batch by batch off the event loop."""
    yield sealer.header
    batch = sealer.chunk_size * _BATCH_CHUNKS
    pending = bytearray()
    async for piece in chunks:
        counter.size += len(piece)
        pending += piece
        if len(pending) > batch:
            # Keep at least one byte back: only more data proves a full block is not final.
            cut = (len(pending) - 1) // sealer.chunk_size * sealer.chunk_size
            data = bytes(pending[:cut])
            del pending[:cut]
            yield await asyncio.to_thread(seal_blocks, sealer, data, final=False)
    yield await asyncio.to_thread(seal_blocks, sealer, bytes(pending), final=True)


class BlobService:
    def __init__(self, store: Store, backend: BlobBackend) -> None:
        self._store = store
        self.backend = backend

    async def public_key(self, account_id: AccountId) -> bytes:
        async with self._store.transaction() as tx:
            account = await tx.accounts.get(account_id)
        if account is None:
            raise AccountNotFoundError()
        return account.public_key

    async def store(
        self,
        account_id: AccountId,
        public_key: bytes,
        chunks: AsyncIterable[bytes],
        *,
        expires: int | None,
    ) -> BlobRecord:
        """Encrypt and store ``chunks``; returns once both blob and row are durable.

        An exception from ``chunks`` (a size limit, a dropped client) leaves nothing behind.
        """
        record = await self.write(account_id, public_key, chunks, expires=expires)
        try:
            async with self._store.transaction() as tx:
                await tx.blobs.add(record)
        except BaseException:
            await self.discard(record.id)
            raise
        return record

    async def write(
        self,
        account_id: AccountId,
        public_key: bytes,
        chunks: AsyncIterable[bytes],
        *,
        expires: int | None,
    ) -> BlobRecord:
        """Encrypt and durably write the content only; the caller adds the row in its own
        transaction (with whatever references the blob) and calls `discard` if that fails.
        """
        blob_id = new_id(BLOB_ID_PREFIX)
        data_key = new_data_key()
        sealer = StreamSealer(data_key, blob_aad(account_id, blob_id))
        sealed_key = seal_data_key(public_key, data_key, account_id=account_id, object_id=blob_id)
        counter = _Counter()
        stored_size = await self.backend.put(blob_id, _sealed(sealer, chunks, counter))
        return BlobRecord(
            id=blob_id,
            account_id=account_id,
            size=counter.size,
            sealed_data_key=sealed_key,
            stored_size=stored_size,
            created_at=now(),
            expires_at=expires,
        )

    async def write_bytes(
        self, account_id: AccountId, public_key: bytes, data: bytes, *, expires: int | None
    ) -> BlobRecord:
        """`write` of content already in memory: the same ciphertext, sealed and stored in
        one step each instead of batch by batch."""
        if len(data) > INLINE_DECRYPT_BYTES:
            sealed = await asyncio.to_thread(seal_whole, account_id, public_key, data)
        else:
            sealed = seal_whole(account_id, public_key, data)
        return await self.write_sealed(sealed, expires=expires)

    async def write_sealed(self, sealed: SealedBlob, *, expires: int | None) -> BlobRecord:
        """Durably store content sealed already (api.core.blob_sealing, perhaps in another
        process, which may have stored it too); the caller adds the row, or calls
        `discard`, as after `write`."""
        stored_size = sealed.stored_size
        if stored_size is None:
            stored_size = await self.backend.put_bytes(sealed.id, sealed.content)
        return BlobRecord(
            id=sealed.id,
            account_id=sealed.account_id,
            size=sealed.size,
            sealed_data_key=sealed.sealed_data_key,
            stored_size=stored_size,
            created_at=now(),
            expires_at=expires,
        )

    def process_writer(self) -> ProcessWriter | None:
        """For worker processes that put sealed blobs themselves (the MX's); None when the
        backend cannot be written from another process."""
        return self.backend.process_writer()

    async def discard(self, blob_id: str) -> None:
        """Delete written content whose row never committed."""
        await asyncio.shield(self.backend.delete(blob_id))

    async def upload(self, account_id: AccountId, chunks: AsyncIterable[bytes]) -> BlobRecord:
        """An RFC 8620 6.1 upload: stored with an expiry until something references it."""
        public_key = await self.public_key(account_id)
        return await self.store(account_id, public_key, chunks, expires=now() + UPLOAD_TTL)

    async def find(self, account_id: AccountId, blob_id: str) -> BlobRecord:
        async with self._store.transaction() as tx:
            record = await tx.blobs.get(account_id, blob_id)
        if record is None:
            raise BlobNotFoundError()
        return record

    async def open(self, unlocked: UnlockedAccount, blob_id: str) -> OpenBlob:
        """Open a blob for reading: BlobNotFoundError, or DecryptionError if keys do not fit."""
        record, wrapped = await self.find_readable(unlocked, blob_id)
        data_key = await self._data_key(unlocked, record, wrapped)
        header = await self.backend.read(blob_id, 0, HEADER_SIZE)
        return OpenBlob(record, data_key, self.backend, header)

    async def open_with_key(
        self, account_id: AccountId, blob_id: str, private_key: SecretBytes
    ) -> OpenBlob:
        """Open a blob whose data key was sealed to an installation key (the outbound queue)."""
        async with self._store.transaction() as tx:
            record = await tx.blobs.get(account_id, blob_id)
        if record is None:
            raise BlobNotFoundError()
        data_key = open_data_key(
            private_key, record.sealed_data_key, account_id=account_id, object_id=blob_id
        )
        header = await self.backend.read(blob_id, 0, HEADER_SIZE)
        return OpenBlob(record, data_key, self.backend, header)

    async def read_all(self, unlocked: UnlockedAccount, blob_id: str) -> bytes:
        record, wrapped = await self.find_readable(unlocked, blob_id)
        return await self.read_record(unlocked, record, wrapped)

    async def read_record(
        self, unlocked: UnlockedAccount, record: BlobRecord, wrapped: bytes | None = None
    ) -> bytes:
        """The whole plaintext of a blob whose row the caller has: one backend read.

        The ciphertext is authenticated whole (STREAM's final chunk proves the end); a
        small blob is decrypted on the event loop, where it costs less than a thread hop.
        """
        data_key = await self._data_key(unlocked, record, wrapped)
        sealed = await self.backend.read(record.id, 0, record.stored_size)
        if len(sealed) != record.stored_size:
            raise DecryptionError("blob ciphertext is shorter than its row says")
        aad = blob_aad(record.account_id, record.id)
        if record.stored_size <= INLINE_DECRYPT_BYTES:
            return decrypt_bytes(data_key, sealed, aad)
        return await asyncio.to_thread(decrypt_bytes, data_key, sealed, aad)

    async def find_readable(
        self, unlocked: UnlockedAccount, blob_id: str
    ) -> tuple[BlobRecord, bytes | None]:
        """The blob's row and, unless `unlocked` came with it, the wrapped private key:
        what `read_record` needs, in one transaction. BlobNotFoundError if none."""
        account_id = unlocked.account_id
        wrapped = None
        async with self._store.transaction() as tx:
            record = await tx.blobs.get(account_id, blob_id)
            if record is not None and not unlocked.has_private_key:
                account = await tx.accounts.get(account_id)
                if account is None:
                    raise BlobNotFoundError()
                wrapped = account.wrapped_private_key
        if record is None:
            raise BlobNotFoundError()
        return record, wrapped

    async def readable(self, unlocked: UnlockedAccount, blob_ids: Sequence[str]) -> ReadableBlobs:
        """Many blobs' rows in one transaction, each blob read when asked for (an IMAP
        FETCH of 100 bodies then costs one read of rows, not 100 transactions)."""
        account_id = unlocked.account_id
        wrapped = None
        async with self._store.transaction() as tx:
            records = await tx.blobs.get_many(account_id, list(dict.fromkeys(blob_ids)))
            if records and not unlocked.has_private_key:
                account = await tx.accounts.get(account_id)
                wrapped = None if account is None else account.wrapped_private_key
        return ReadableBlobs(self.backend, unlocked, {r.id: r for r in records}, wrapped)

    async def _data_key(
        self, unlocked: UnlockedAccount, record: BlobRecord, wrapped: bytes | None
    ) -> SecretBytes:
        if wrapped is None and not unlocked.has_private_key:
            async with self._store.transaction() as tx:
                account = await tx.accounts.get(unlocked.account_id)
            if account is None:
                raise BlobNotFoundError()
            wrapped = account.wrapped_private_key
        return open_data_key(
            unlocked.private_key(wrapped),
            record.sealed_data_key,
            account_id=unlocked.account_id,
            object_id=record.id,
        )

    async def keep(self, account_id: AccountId, blob_id: str) -> None:
        """Clear an upload's expiry once an object references it."""
        async with self._store.transaction() as tx:
            await tx.blobs.keep(account_id, blob_id)

    async def purge_orphans(self, idle_seconds: float) -> int:
        """Delete stored content without a row, idle ``idle_seconds`` (api.core.blob_orphans)."""
        return await purge_orphans(self._store, self.backend, idle_seconds)

    async def purge_expired(self, at: int | None = None) -> int:
        """Destroy uploads past their expiry; returns how many.

        The row goes first: with its sealed data key gone the ciphertext is already
        unreadable (crypto-shredding), so a crash before the file delete leaks nothing.
        """
        purged = 0
        while True:
            async with self._store.transaction() as tx:
                expired = await tx.blobs.expired(now() if at is None else at, _PURGE_BATCH)
                await tx.blobs.remove([record.id for record in expired])
            for record in expired:
                await self.backend.delete(record.id)
            purged += len(expired)
            if len(expired) < _PURGE_BATCH:
                return purged
