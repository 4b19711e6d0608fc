"""What a valid identity is (RFC 8621 6): an address the account owns, bounded texts."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import msgspec

from api.core.addresses import normalize_address
from api.core.errors import IdentityForbiddenError, InvalidAddressError, InvalidIdentityError
from api.mime.addresses import EmailAddress

__all__ = [
    "MAX_ADDRESSES",
    "MAX_NAME_CHARS",
    "MAX_SIGNATURE_OCTETS",
    "Identity",
    "check_addresses",
    "check_identity",
    "owned_address",
]

# Bounds of our choosing (the RFC sets none), so one identity cannot grow without limit.
MAX_NAME_CHARS = 256
MAX_SIGNATURE_OCTETS = 64 * 1024
MAX_ADDRESSES = 100


class Identity(msgspec.Struct, frozen=True, kw_only=True):
    """An identity with its details decrypted, as the domain sees it."""

    id: str
    email: str
    name: str = ""
    reply_to: list[EmailAddress] | None = None
    bcc: list[EmailAddress] | None = None
    text_signature: str = ""
    html_signature: str = ""
    may_delete: bool = True


def owned_address(email: str, own: str, aliases: Sequence[str]) -> str:
    """The normalised `email` if it is the account's address or an alias, else forbidden."""
    try:
        normalized = normalize_address(email)
    except InvalidAddressError as exc:
        raise InvalidIdentityError(exc.message, ["email"]) from exc
    owned = {normalize_address(a) for a in (own, *aliases) if a}
    if normalized not in owned:
        raise IdentityForbiddenError("this account may not send as that address")
    return normalized


def check_addresses(addresses: list[EmailAddress] | None, prop: str) -> None:
    if addresses is None:
        return
    if len(addresses) > MAX_ADDRESSES:
        raise InvalidIdentityError(f"{prop} has at most {MAX_ADDRESSES} addresses", [prop])
    for address in addresses:
        try:
            normalize_address(address.email)
        except InvalidAddressError as exc:
            raise InvalidIdentityError(exc.message, [prop]) from exc
        if address.name is not None and _bad_name(address.name):
            raise InvalidIdentityError(f"a name in {prop} is too long or has controls", [prop])


def _bad_name(name: str) -> bool:
    return len(name) > MAX_NAME_CHARS or any(unicodedata.category(c) == "Cc" for c in name)


def check_identity(identity: Identity) -> None:
    """Raise if a new or changed identity's texts are out of bounds."""
    if _bad_name(identity.name):
        raise InvalidIdentityError(
            f"a name has at most {MAX_NAME_CHARS} characters and no controls", ["name"]
        )
    check_addresses(identity.reply_to, "replyTo")
    check_addresses(identity.bcc, "bcc")
    for prop, text in (
        ("textSignature", identity.text_signature),
        ("htmlSignature", identity.html_signature),
    ):
        if len(text.encode("utf-8")) > MAX_SIGNATURE_OCTETS:
            raise InvalidIdentityError(
                f"{prop} has at most {MAX_SIGNATURE_OCTETS} bytes of UTF-8", [prop]
            )
