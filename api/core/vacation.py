"""The account's VacationResponse singleton (RFC 8621 8): read and change it, sealed.

What the user set is sealed under the MK vacation subkey and is zero-access like the
rest of the account. But the auto-reply is sent at delivery time, when the server holds
no user key, so while the response is enabled a second, delivery copy of subject,
textBody and htmlBody is kept sealed under an installation key (api/core/vacation_keys.py).
That copy is readable by the server: an operator with the database can read an enabled
vacation text. RFC 8621 8 asks the server to reply while the user is away, and that
cannot be done otherwise. Disabling deletes the delivery copy and the reply log; a
disabled vacation text is zero-access again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import msgspec

from api.core.errors import InvalidVacationError
from api.core.unlocked import UnlockedAccount
from api.core.vacation_keys import delivery_keys
from api.store.changes import UPDATED
from api.store.ids import AccountId
from api.store.records import VacationRecord
from api.store.unit_of_work import Store, Transaction
from crypto.aead import open_sealed, seal
from crypto.labels import bind
from crypto.master_key import SUBKEY_VACATION, MasterKey

__all__ = [
    "MAX_BODY_OCTETS",
    "MAX_SUBJECT_CHARS",
    "SINGLETON",
    "VACATION_TYPE",
    "VacationBatch",
    "VacationResponse",
    "VacationService",
    "VacationTexts",
    "check_vacation",
]

VACATION_TYPE = "VacationResponse"
SINGLETON = "singleton"
# Bounds of our choosing (the RFC sets none).
MAX_SUBJECT_CHARS = 998
MAX_BODY_OCTETS = 256 * 1024


class VacationTexts(msgspec.Struct, frozen=True, kw_only=True):
    """The sealed part, in both the user's and the delivery copy."""

    subject: str | None = None
    text_body: str | None = None
    html_body: str | None = None


class VacationResponse(msgspec.Struct, frozen=True, kw_only=True):
    """The singleton as the domain sees it; dates are Unix seconds or None."""

    is_enabled: bool = False
    from_date: int | None = None
    to_date: int | None = None
    subject: str | None = None
    text_body: str | None = None
    html_body: str | None = None

    @property
    def texts(self) -> VacationTexts:
        return VacationTexts(
            subject=self.subject, text_body=self.text_body, html_body=self.html_body
        )


def _aad(account_id: str) -> bytes:
    return bind(b"sealbox/v1/vacation", account_id, SINGLETON)


def _open(master_key: MasterKey, record: VacationRecord | None) -> VacationResponse:
    if record is None:
        return VacationResponse()
    key = master_key.subkey(SUBKEY_VACATION)
    plaintext = open_sealed(key, record.content_sealed, _aad(record.account_id))
    texts = msgspec.json.decode(plaintext, type=VacationTexts)
    return VacationResponse(
        is_enabled=record.is_enabled,
        from_date=record.from_date,
        to_date=record.to_date,
        **msgspec.structs.asdict(texts),
    )


def check_vacation(vacation: VacationResponse) -> None:
    if vacation.subject is not None and len(vacation.subject) > MAX_SUBJECT_CHARS:
        limit = f"subject has at most {MAX_SUBJECT_CHARS} characters"
        raise InvalidVacationError(limit, ["subject"])
    for prop, body in (("textBody", vacation.text_body), ("htmlBody", vacation.html_body)):
        if body is not None and len(body.encode("utf-8")) > MAX_BODY_OCTETS:
            raise InvalidVacationError(f"{prop} has at most {MAX_BODY_OCTETS} bytes", [prop])
    dates = (vacation.from_date, vacation.to_date)
    if dates[0] is not None and dates[1] is not None and dates[1] < dates[0]:
        raise InvalidVacationError("toDate is before fromDate", ["toDate"])


class VacationBatch:
    """One VacationResponse/set: the current singleton and at most one change."""

    def __init__(
        self,
        tx: Transaction,
        unlocked: UnlockedAccount,
        current: VacationResponse,
        *,
        old_state: int,
        modseq: int,
    ) -> None:
        self._tx = tx
        self._unlocked = unlocked
        self.current = current
        self.changes: list[tuple[str, str]] = []
        self.old_state = old_state
        self._modseq = modseq

    @property
    def new_state(self) -> int:
        return self._modseq if self.changes else self.old_state

    async def update(self, **changes: object) -> VacationResponse:
        """Change any property; enabling writes the delivery copy, disabling deletes it."""
        updated = msgspec.structs.replace(self.current, **changes)
        check_vacation(updated)
        account_id = self._unlocked.account_id
        texts = msgspec.json.encode(updated.texts)
        delivery = None
        if updated.is_enabled:
            delivery = (await delivery_keys(self._tx)).seal(account_id, texts)
        else:
            await self._tx.vacation.clear_replies(account_id)
        key = self._unlocked.master_key.subkey(SUBKEY_VACATION)
        await self._tx.vacation.put(
            VacationRecord(
                account_id=account_id,
                is_enabled=updated.is_enabled,
                from_date=updated.from_date,
                to_date=updated.to_date,
                content_sealed=seal(key, texts, _aad(account_id)),
                delivery_sealed=delivery,
            )
        )
        self.current = updated
        self.changes.append((SINGLETON, UPDATED))
        return updated


class VacationService:
    def __init__(self, store: Store) -> None:
        self._store = store

    @asynccontextmanager
    async def batch(self, unlocked: UnlockedAccount) -> AsyncIterator[VacationBatch]:
        account_id = unlocked.account_id
        async with self._store.transaction() as tx:
            # The position first: it locks the account's counter (see MailboxService.batch).
            modseq = await tx.changes.next_modseq(account_id)
            old_state = await tx.changes.state(account_id, VACATION_TYPE)
            current = _open(unlocked.master_key, await tx.vacation.get(account_id))
            batch = VacationBatch(tx, unlocked, current, old_state=old_state, modseq=modseq)
            yield batch
            await tx.changes.record(account_id, modseq, VACATION_TYPE, batch.changes)

    async def snapshot(self, unlocked: UnlockedAccount) -> tuple[VacationResponse, int]:
        """The singleton (the disabled default if never set) and its state."""
        async with self._store.transaction() as tx:
            record = await tx.vacation.get(unlocked.account_id)
            state = await tx.changes.state(unlocked.account_id, VACATION_TYPE)
        return _open(unlocked.master_key, record), state

    async def state(self, account_id: AccountId) -> int:
        async with self._store.transaction() as tx:
            return await tx.changes.state(account_id, VACATION_TYPE)
