"""Immutable records the store hands upward; ORM rows never leave api/store."""

from __future__ import annotations

import msgspec

from api.store.ids import AccountId, AppPasswordId, DomainId, IdentityId

__all__ = [
    "AccountRecord",
    "AppPasswordRecord",
    "ChangeSet",
    "DeliveryFacts",
    "DomainRecord",
    "EmailRecord",
    "IdentityRecord",
    "LoginChallengeRecord",
    "MailboxCounts",
    "MailboxRecord",
    "NewAccount",
    "OutboundRecord",
    "SessionRecord",
    "SubmissionRecord",
    "VacationRecord",
]


class DomainRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: DomainId
    name: str
    created_at: int
    # "enforce" | "report"; None follows the server's `dmarc_enforce_reject`.
    dmarc_policy: str | None = None


class DeliveryFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What delivery needs of an account, read at once at RCPT: where and how to store."""

    account_id: AccountId
    # The account's own address (RCPT may have named an alias of it).
    address: str
    public_key: bytes
    quota_octets: int | None
    mail_octets: int
    inbox_id: str | None
    vacation_enabled: bool
    # Where a message the sender's DMARC policy quarantines goes (RFC 7489 6.3 p=quarantine).
    junk_id: str | None = None
    # The account's domain's DomainRecord.dmarc_policy.
    dmarc_policy: str | None = None


class NewAccount(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a new account row needs; built by api.core with fresh keys."""

    id: AccountId
    address: str
    domain_id: DomainId
    created_at: int
    password_salt: bytes
    argon2_time_cost: int
    argon2_memory_kib: int
    argon2_parallelism: int
    password_verifier: bytes
    password_slot: bytes
    recovery_mode: str
    recovery_salt: bytes | None
    recovery_slot: bytes | None
    public_key: bytes
    wrapped_private_key: bytes
    settings_blob: bytes


class AccountRecord(NewAccount, frozen=True, kw_only=True):
    totp_sealed_secret: bytes | None
    totp_last_step: int | None
    credential_epoch: int
    totp_pending_sealed_secret: bytes | None = None
    quota_octets: int | None = None

    @property
    def has_second_factor(self) -> bool:
        return self.totp_sealed_secret is not None


class AppPasswordRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: AppPasswordId
    account_id: AccountId
    name: str
    salt: bytes
    verifier: bytes
    slot: bytes
    created_at: int
    last_used_day: int | None


class SessionRecord(msgspec.Struct, frozen=True, kw_only=True):
    id_hash: bytes
    account_id: AccountId
    wrapped_master_key: bytes
    created_at: int
    expires_at: int


class LoginChallengeRecord(msgspec.Struct, frozen=True, kw_only=True):
    id_hash: bytes
    account_id: AccountId
    wrapped_master_key: bytes
    attempts: int
    expires_at: int


class MailboxRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    account_id: AccountId
    parent_id: str | None
    name_sealed: bytes
    role: str | None
    sort_order: int
    is_subscribed: bool
    uid_validity: int
    uid_next: int


class ChangeSet(msgspec.Struct, frozen=True, kw_only=True):
    """Objects of one type changed after a state (RFC 8620 5.2), already collapsed."""

    created: list[str]
    updated: list[str]
    destroyed: list[str]
    new_modseq: int
    has_more: bool


class EmailRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One stored message's row; `mailboxes` maps each mailbox id to the message's UID there."""

    id: str
    account_id: AccountId
    blob_id: str
    thread_id: str | None
    size: int
    received_at: int
    sent_at: int | None
    flags: int
    custom_keywords: str
    summary_sealed: bytes
    pending: bool
    modseq: int
    deleted_at: int | None = None
    deleted_from: str | None = None
    mailboxes: dict[str, int] = msgspec.field(default_factory=dict)


class MailboxCounts(msgspec.Struct, frozen=True, kw_only=True):
    """RFC 8621 2: totalEmails, unreadEmails, totalThreads, unreadThreads of one mailbox."""

    total_emails: int = 0
    unread_emails: int = 0
    total_threads: int = 0
    unread_threads: int = 0


class IdentityRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: IdentityId
    account_id: AccountId
    email: str
    details_sealed: bytes
    may_delete: bool


class VacationRecord(msgspec.Struct, frozen=True, kw_only=True):
    account_id: AccountId
    is_enabled: bool
    from_date: int | None
    to_date: int | None
    content_sealed: bytes
    delivery_sealed: bytes | None


class SubmissionRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An EmailSubmission row; `recipients` maps rcptTo position to its sealed status."""

    id: str
    account_id: AccountId
    identity_id: str
    email_id: str
    thread_id: str | None
    send_at: int
    undo_status: str
    envelope_sealed: bytes
    # Unix seconds until which one submit call is sending it (0: nobody).
    claimed_until: int = 0
    recipients: dict[int, bytes] = msgspec.field(default_factory=dict)


class OutboundRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    account_id: AccountId
    submission_id: str | None
    position: int
    sender_domain: str
    envelope_sealed: bytes
    blob_id: str
    created_at: int
    next_attempt_at: int
    attempts: int = 0
    lease_until: int = 0
    delay_warned: bool = False
