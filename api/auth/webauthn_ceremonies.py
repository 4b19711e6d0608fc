"""The relying party's side of WebAuthn ceremonies (W3C WebAuthn L3, 7.1 and 7.2).

Options come from the `webauthn` package, plus the `prf` extension (L3 10.1.4) it does
not know; challenges are random, single-use and stored only as SHA-256 with an expiry.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.authentication.verify_authentication_response import VerifiedAuthentication
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)
from webauthn.registration.verify_registration_response import VerifiedRegistration

from api.core.clock import now
from api.core.errors import InvalidPasskeyError
from api.store.ids import AccountId
from api.store.passkey_records import PasskeyRecord, WebauthnChallengeRecord
from api.store.unit_of_work import Store
from crypto.passkey_keys import PRF_SALT

__all__ = ["Ceremony", "RelyingParty", "credential_raw_id", "transports_of"]

_TRANSPORTS = {t.value for t in AuthenticatorTransport}


@dataclass(frozen=True)
class Ceremony:
    """A challenge taken from the store for the response that echoes it."""

    challenge: bytes
    record: WebauthnChallengeRecord


def credential_raw_id(credential: dict[str, Any]) -> bytes:
    try:
        return base64url_to_bytes(str(credential["rawId"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidPasskeyError() from exc


def _echoed_challenge(credential: dict[str, Any]) -> bytes:
    try:
        client_data = json.loads(base64url_to_bytes(credential["response"]["clientDataJSON"]))
        return base64url_to_bytes(str(client_data["challenge"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidPasskeyError() from exc


def _with_prf(options_json: str) -> dict[str, Any]:
    options: dict[str, Any] = json.loads(options_json)
    extensions = options.setdefault("extensions", {})
    extensions["prf"] = {"eval": {"first": bytes_to_base64url(PRF_SALT)}}
    return options


def _descriptor(passkey: PasskeyRecord) -> PublicKeyCredentialDescriptor:
    transports = [
        AuthenticatorTransport(t) for t in passkey.transports.split(",") if t in _TRANSPORTS
    ]
    return PublicKeyCredentialDescriptor(id=passkey.credential_id, transports=transports or None)


class RelyingParty:
    def __init__(self, store: Store, *, rp_id: str, origins: Sequence[str], ttl: int) -> None:
        self._store = store
        self._rp_id = rp_id
        self._origins = list(origins)
        self._ttl = ttl

    async def _new_challenge(
        self, purpose: str, account_id: AccountId | None, login_challenge_hash: bytes | None
    ) -> bytes:
        challenge = secrets.token_bytes(32)
        record = WebauthnChallengeRecord(
            challenge_hash=hashlib.sha256(challenge).digest(),
            purpose=purpose,
            account_id=account_id,
            login_challenge_hash=login_challenge_hash,
            attempts=0,
            expires_at=now() + self._ttl,
        )
        async with self._store.transaction() as tx:
            await tx.passkeys.purge_expired(now())
            await tx.passkeys.add_challenge(record)
        return challenge

    async def take(self, credential: dict[str, Any], purpose: str) -> Ceremony:
        """The ceremony this response answers, used up; InvalidPasskeyError if none."""
        challenge = _echoed_challenge(credential)
        async with self._store.transaction() as tx:
            record = await tx.passkeys.take_challenge(
                hashlib.sha256(challenge).digest(), purpose, now()
            )
        if record is None:
            raise InvalidPasskeyError("this passkey request has expired; start again")
        return Ceremony(challenge, record)

    async def registration_options(
        self, account_id: AccountId, address: str, existing: Sequence[PasskeyRecord]
    ) -> dict[str, Any]:
        challenge = await self._new_challenge("register", account_id, None)
        options = generate_registration_options(
            rp_id=self._rp_id,
            rp_name="Sealbox",
            user_name=address,
            # The user handle is the random account id: no address inside the authenticator's
            # user handle, which is returned to any page of this RP.
            user_id=account_id.encode(),
            challenge=challenge,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                user_verification=UserVerificationRequirement.PREFERRED,
            ),
            exclude_credentials=[_descriptor(p) for p in existing],
        )
        return _with_prf(options_to_json(options))

    async def authentication_options(
        self,
        purpose: str,
        *,
        account_id: AccountId | None = None,
        login_challenge_hash: bytes | None = None,
        allowed: Sequence[PasskeyRecord] = (),
    ) -> dict[str, Any]:
        challenge = await self._new_challenge(purpose, account_id, login_challenge_hash)
        options = generate_authentication_options(
            rp_id=self._rp_id,
            challenge=challenge,
            allow_credentials=[_descriptor(p) for p in allowed],
            user_verification=UserVerificationRequirement.PREFERRED,
        )
        return _with_prf(options_to_json(options))

    def verify_registration(
        self, credential: dict[str, Any], ceremony: Ceremony
    ) -> VerifiedRegistration:
        try:
            return verify_registration_response(
                credential=credential,
                expected_challenge=ceremony.challenge,
                expected_rp_id=self._rp_id,
                expected_origin=self._origins,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
            raise InvalidPasskeyError() from exc

    def verify_assertion(
        self,
        credential: dict[str, Any],
        ceremony: Ceremony,
        passkey: PasskeyRecord,
        *,
        require_user_verification: bool,
    ) -> VerifiedAuthentication:
        """Signature, origin, RP ID and the sign counter (must grow unless both are 0)."""
        try:
            return verify_authentication_response(
                credential=credential,
                expected_challenge=ceremony.challenge,
                expected_rp_id=self._rp_id,
                expected_origin=self._origins,
                credential_public_key=passkey.public_key,
                credential_current_sign_count=passkey.sign_count,
                require_user_verification=require_user_verification,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
            raise InvalidPasskeyError() from exc


def transports_of(credential: dict[str, Any]) -> str:
    """The transports the browser reported at registration, as stored (plaintext hints)."""
    response = credential.get("response")
    reported = response.get("transports", []) if isinstance(response, dict) else []
    if not isinstance(reported, list):
        return ""
    return ",".join(t for t in reported if isinstance(t, str) and t in _TRANSPORTS)[:200]
