"""The webmail's preferences kept in the account's sealed settings document: for now the
senders whose remote images the reader loads without asking.

They sit beside the display name and search switch (api/core/account_settings.py), so
they are sealed under the MK settings subkey like every other setting and reach any
browser the user signs in from.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from api.core.account_settings import AccountSettings, open_settings, seal_settings
from api.core.errors import AccountNotFoundError, InvalidWebmailSettingsError
from api.core.unlocked import UnlockedAccount
from api.store.unit_of_work import Store

__all__ = [
    "MAX_IMAGE_SENDERS",
    "image_sender_list",
    "read_settings",
    "set_image_senders",
]

# A person allows images sender by sender; thousands would be a script, not a person.
MAX_IMAGE_SENDERS = 1000
# RFC 5321 4.5.3.1.3: a path is at most 256 octets, so an address fits in 254.
_MAX_ADDRESS = 254


def image_sender_list(values: Sequence[object]) -> tuple[str, ...]:
    """Addresses as stored: trimmed, lower-cased (as the reader compares them), unique,
    in the order given; refuses anything that is not an addr-spec."""
    if len(values) > MAX_IMAGE_SENDERS:
        raise InvalidWebmailSettingsError(f"at most {MAX_IMAGE_SENDERS} image senders")
    out: dict[str, None] = {}
    for value in values:
        if not isinstance(value, str):
            raise InvalidWebmailSettingsError("each image sender must be a string")
        address = value.strip().lower()
        local, at, domain = address.rpartition("@")
        if not at or not local or not domain or len(address) > _MAX_ADDRESS:
            raise InvalidWebmailSettingsError(f"{value[:80]!r} is not an email address")
        if any(c.isspace() or c in "<>," for c in address):
            raise InvalidWebmailSettingsError(f"{value[:80]!r} is not an email address")
        out[address] = None
    return tuple(out)


async def read_settings(store: Store, unlocked: UnlockedAccount) -> AccountSettings:
    async with store.transaction() as tx:
        account = await tx.accounts.get(unlocked.account_id)
    if account is None:
        raise AccountNotFoundError()
    return open_settings(unlocked.master_key, unlocked.account_id, account.settings_blob)


async def set_image_senders(
    store: Store, unlocked: UnlockedAccount, senders: tuple[str, ...]
) -> AccountSettings:
    """Replaces the list, keeping every other setting; read and written in one
    transaction so a concurrent search switch is not undone."""
    account_id = unlocked.account_id
    async with store.transaction() as tx:
        account = await tx.accounts.get(account_id)
        if account is None:
            raise AccountNotFoundError()
        old = open_settings(unlocked.master_key, account_id, account.settings_blob)
        new = msgspec.structs.replace(old, image_senders=senders)
        sealed = seal_settings(unlocked.master_key, account_id, new)
        await tx.accounts.set_settings(account_id, sealed)
    return new
