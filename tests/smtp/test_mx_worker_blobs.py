"""MX worker processes write the blobs they seal when the store is files, and send the
ciphertext back when it is not (an object store the worker cannot reach)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from support.smtp_dkim import zone_text

from api.delivery.mx_workers import CheckSettings, MxWorkers
from api.store.blobs.filesystem import FilesystemBlobBackend, FileWriter
from api.store.ids import AccountId

RAW = b"From: a@good.test\r\nTo: alice@example.org\r\nSubject: w\r\n\r\nbody\r\n"


@pytest.mark.parametrize("writes", [True, False])
async def test_a_worker_writes_its_copies_only_where_it_can(tmp_path: Path, writes: bool) -> None:
    zone = tmp_path / "zone.txt"
    zone.write_text(zone_text())
    root = tmp_path / "blobs"
    writer = FileWriter(root) if writes else None
    workers = MxWorkers(1, CheckSettings(str(zone), "mx.example.org", True, writer))
    await workers.start()
    try:
        public_key = X25519PrivateKey.generate().public_key().public_bytes_raw()
        recipients = [(AccountId("a1"), public_key), (AccountId("a2"), public_key)]
        _, copies = await workers.check_and_seal(RAW, "127.0.0.1", "a@good.test", "h", recipients)
    finally:
        await workers.close()
    backend = FilesystemBlobBackend(root)
    for copy in copies:
        if writes:
            assert copy.blob.content == b""
            stored = backend.path(copy.blob.id).read_bytes()
            assert copy.blob.stored_size == len(stored) > len(RAW)
        else:
            assert copy.blob.stored_size is None and len(copy.blob.content) > len(RAW)
            assert not backend.path(copy.blob.id).exists()
    assert len({copy.blob.id for copy in copies}) == 2
