"""The account's settings document (display name, preferences), sealed under an MK subkey."""

from __future__ import annotations

from typing import Any

import msgspec

from api.store.ids import AccountId
from crypto.aead import open_sealed, seal
from crypto.labels import bind
from crypto.master_key import SUBKEY_SETTINGS, MasterKey

__all__ = ["AccountSettings", "open_settings", "seal_settings"]


class AccountSettings(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    display_name: str = ""
    # Full-text search of this account's mail (the search issue honours it).
    search: bool = True
    # The stemmer of the search index (api.search.schema.LANGUAGES); "" stems nothing.
    search_language: str = ""
    # The webmail loads remote images in mail from these senders (lower-case addresses).
    image_senders: tuple[str, ...] = ()
    extra: dict[str, Any] = msgspec.field(default_factory=dict)


def _aad(account_id: AccountId) -> bytes:
    return bind(b"sealbox/v1/settings", account_id)


def seal_settings(master_key: MasterKey, account_id: AccountId, settings: AccountSettings) -> bytes:
    plaintext = msgspec.json.encode(settings)
    return seal(master_key.subkey(SUBKEY_SETTINGS), plaintext, _aad(account_id))


def open_settings(master_key: MasterKey, account_id: AccountId, blob: bytes) -> AccountSettings:
    plaintext = open_sealed(master_key.subkey(SUBKEY_SETTINGS), blob, _aad(account_id))
    return msgspec.json.decode(plaintext, type=AccountSettings)
