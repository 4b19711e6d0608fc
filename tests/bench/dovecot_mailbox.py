"""The bench's messages in a private Dovecot's Maildir (Maildir++ as Dovecot reads it:
`cur/` files named `<unique>:2,<flags>`, RFC 9051 2.3.2 \\Seen as `S`)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from support.dovecot import DovecotServer

__all__ = ["deliver_to_dovecot", "fill_dovecot_inbox"]


def _inbox(server: DovecotServer) -> Path:
    return server.log.parent / "mail" / server.user


def fill_dovecot_inbox(server: DovecotServer, messages: Sequence[tuple[bytes, bool, int]]) -> None:
    """(raw, seen, received_at) in order, before the first SELECT (Dovecot indexes then)."""
    inbox = _inbox(server)
    for sub in ("cur", "new", "tmp"):
        (inbox / sub).mkdir(parents=True, exist_ok=True)
    for n, (raw, seen, received_at) in enumerate(messages):
        path = inbox / "cur" / f"{received_at}.M{n:06d}P1.bench:2,{'S' if seen else ''}"
        path.write_bytes(raw.replace(b"\r\n", b"\n"))  # Maildir holds LF lines
        os.utime(path, (received_at, received_at))  # Maildir's INTERNALDATE
    for folder in [inbox, *inbox.rglob("*")]:
        shutil.chown(folder, "nobody", "nogroup")


def deliver_to_dovecot(server: DovecotServer, raw: bytes, n: int) -> None:
    """A delivery as an MDA makes it: written in tmp/, renamed into new/."""
    inbox = _inbox(server)
    name = f"{int(time.time())}.M{n:06d}P2.bench"
    temporary = inbox / "tmp" / name
    temporary.write_bytes(raw.replace(b"\r\n", b"\n"))
    shutil.chown(temporary, "nobody", "nogroup")
    temporary.rename(inbox / "new" / name)
