"""The data type names the change log keeps a state for (RFC 8620 1.6.3, RFC 8621 2-4)."""

from __future__ import annotations

__all__ = ["EMAIL_TYPE", "MAILBOX_TYPE", "THREAD_TYPE", "ChangeList"]

EMAIL_TYPE = "Email"
MAILBOX_TYPE = "Mailbox"
THREAD_TYPE = "Thread"

# (object id, "c" | "u" | "d") in the order they happened within one batch.
ChangeList = list[tuple[str, str]]
