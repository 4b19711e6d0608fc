"""Email/copy (RFC 8621 4.7 on RFC 8620 5.4): copying emails between accounts.

Each user has exactly one account on this server, and /copy needs two different ones:
the same account is invalidArguments (5.4 says the ids MUST differ), any other is
fromAccountNotFound. Moving mail between one's own mailboxes is Email/set mailboxIds.
"""

from __future__ import annotations

from typing import Any

from api.jmap.blob_copy import FromAccountNotFoundError
from api.jmap.errors import InvalidArgumentsError
from api.jmap.registry import MethodArguments, MethodContext

__all__ = ["CopyArguments", "email_copy"]


class CopyArguments(MethodArguments, frozen=True, kw_only=True):
    from_account_id: str
    if_from_in_state: str | None = None
    account_id: str
    if_in_state: str | None = None
    create: dict[str, dict[str, Any]]
    on_success_destroy_original: bool = False
    destroy_from_if_in_state: str | None = None


async def email_copy(context: MethodContext, arguments: CopyArguments) -> dict[str, Any]:
    if arguments.from_account_id == arguments.account_id:
        raise InvalidArgumentsError(
            "fromAccountId must differ from accountId; move mail with Email/set mailboxIds"
        )
    raise FromAccountNotFoundError(f"no account {arguments.from_account_id!r} for this user")
