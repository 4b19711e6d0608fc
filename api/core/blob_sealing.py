"""A blob's content sealed in memory: STREAM ciphertext under a fresh data key, that key
HPKE-sealed to the account's public key (RFC 9180 6.1). Pure, so a worker process can run it.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.core.blob_reader import blob_aad
from api.store.ids import BLOB_ID_PREFIX, AccountId, new_id
from crypto.sealing import new_data_key, seal_data_key
from crypto.secret_value import SecretBytes
from crypto.stream_sealer import StreamSealer

__all__ = ["SealedBlob", "seal_blocks", "seal_whole"]


@dataclass(frozen=True, slots=True)
class SealedBlob:
    """What the blob store keeps of one message: nothing in it needs a secret to hold."""

    id: str
    account_id: AccountId
    size: int
    sealed_data_key: bytes
    # STREAM header and ciphertext, exactly as the backend stores them; empty once
    # `stored_size` says a worker process wrote them durably already.
    content: bytes
    stored_size: int | None = None


def seal_blocks(sealer: StreamSealer, data: bytes, *, final: bool) -> bytes:
    """Seal ``data`` cut into chunk_size blocks; with ``final`` the last block ends the stream."""
    size = sealer.chunk_size
    if not final:
        return b"".join(
            sealer.seal(data[at : at + size], last=False) for at in range(0, len(data), size)
        )
    starts = range(0, max(len(data), 1), size)
    return b"".join(sealer.seal(data[at : at + size], last=at == starts[-1]) for at in starts)


def seal_whole(
    account_id: AccountId, public_key: bytes, data: bytes, *, data_key: SecretBytes | None = None
) -> SealedBlob:
    """`data` sealed as a new blob of `account_id`, ready for the backend's put; under
    `data_key` when the caller seals more under it (a delivered copy's summary)."""
    blob_id = new_id(BLOB_ID_PREFIX)
    if data_key is None:
        data_key = new_data_key()
    sealer = StreamSealer(data_key, blob_aad(account_id, blob_id))
    sealed_key = seal_data_key(public_key, data_key, account_id=account_id, object_id=blob_id)
    body = seal_blocks(sealer, data, final=True)
    return SealedBlob(
        id=blob_id,
        account_id=account_id,
        size=len(data),
        sealed_data_key=sealed_key,
        content=sealer.header + body,
    )
