"""Wiring: builds every service of a node from its Settings, once per process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from api.auth.basic import CredentialAuthenticator
from api.auth.login import LoginService
from api.auth.passkey_login import PasskeyLogin
from api.auth.passkey_removal import PasskeyRemoval
from api.auth.passkeys import PasskeyService
from api.auth.password_reset import ThrottledPasswords
from api.auth.sessions import SessionManager
from api.auth.throttle import LoginThrottle
from api.auth.totp_settings import TotpSettings
from api.auth.unlock_cache import UnlockCache
from api.auth.webauthn_ceremonies import RelyingParty
from api.config import Settings
from api.core.accounts import AccountService
from api.core.app_passwords import AppPasswordService
from api.core.blobs import BlobService
from api.core.compose import EmailComposer
from api.core.domains import DomainService
from api.core.emails import EmailService
from api.core.identities import IdentityService
from api.core.ingest import EmailIngest
from api.core.local_delivery import LocalDelivery
from api.core.mailboxes import MailboxService
from api.core.outbound_queue import OutboundQueue
from api.core.part_blobs import PartBlobs
from api.core.password_keys import PasswordKeyDeriver
from api.core.passwords import PasswordService
from api.core.push import StateBroker
from api.core.quota import QuotaService
from api.core.retention import RetentionService
from api.core.submissions import SubmissionService
from api.core.totp import TotpService
from api.core.vacation import VacationService
from api.core.vacation_reply import VacationReplier
from api.delivery.dkim_keys import DkimKeyService
from api.delivery.queue_sender import QueueSender
from api.delivery.routes import Router
from api.delivery.smtp_transfer import RelayLogin, SmtpTransfer
from api.search.service import SearchService
from api.store.blobs.backend import BlobBackend
from api.store.blobs.filesystem import FilesystemBlobBackend
from api.store.unit_of_work import Store
from crypto.kdf import Argon2Params
from crypto.secret_value import SecretStr

__all__ = ["Services", "build_services"]


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    domains: DomainService
    accounts: AccountService
    passwords: PasswordService
    # What the HTTP edge uses: the same operations, counted by the sign-in throttle.
    throttled_passwords: ThrottledPasswords
    app_passwords: AppPasswordService
    totp: TotpService
    # What the HTTP edge uses to turn TOTP on and off: codes counted by the throttle.
    totp_settings: TotpSettings
    mailboxes: MailboxService
    identities: IdentityService
    vacation: VacationService
    # Delivery's side of the vacation response: decides and words the auto-reply.
    vacation_replies: VacationReplier
    blobs: BlobService
    # Any blob id, stored blobs and body parts (`{blob}_{partId}`) alike.
    part_blobs: PartBlobs
    emails: EmailService
    quota: QuotaService
    delivery: LocalDelivery
    outbound: OutboundQueue
    submissions: SubmissionService
    dkim_keys: DkimKeyService
    # Drains the outbound queue; `sealbox serve` runs it periodically on every node.
    queue_sender: QueueSender
    # Destroyed mail kept 30 days: list, restore, purge.
    retention: RetentionService
    # What Email/set create calls (RFC 8621 4.6).
    composer: EmailComposer
    sessions: SessionManager
    login: LoginService
    passkeys: PasskeyService
    passkey_login: PasskeyLogin
    passkey_removal: PasskeyRemoval
    credentials: CredentialAuthenticator
    unlock_cache: UnlockCache
    state_broker: StateBroker
    # The encrypted full-text index of each unlocked account (api.search).
    search: SearchService

    async def start(self) -> None:
        """What a serving node needs beyond the CLI: a usable blob store, and hearing
        other nodes' commits."""
        await self.blobs.backend.check()
        await self.store.start_relay()

    async def close(self) -> None:
        self.state_broker.close()
        self.unlock_cache.clear()
        await self.search.close()
        await self.blobs.backend.close()
        await self.store.close()


def _relay_login(settings: Settings) -> RelayLogin | None:
    if not settings.outbound_relay_username:
        return None
    path = Path(settings.outbound_relay_password_file)
    password = path.read_text(encoding="utf-8").strip() if path.name else ""
    return RelayLogin(settings.outbound_relay_username, SecretStr(password))


def blob_backend(settings: Settings) -> BlobBackend:
    """Files under the data directory, or the S3-compatible store `blob_store` names."""
    if not settings.blob_store:
        return FilesystemBlobBackend(settings.data_path / "blobs")
    # Imported here: one machine never loads the AWS SDK.
    from api.store.blobs.s3 import S3BlobBackend, S3Location

    path = Path(settings.s3_secret_access_key_file)
    secret = path.read_text(encoding="utf-8").strip() if path.name else ""
    return S3BlobBackend(
        S3Location.parse(
            settings.blob_store,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=SecretStr(secret),
        )
    )


def build_services(settings: Settings) -> Services:
    # Owner-only: the directory holds the database, blobs and the TLS key.
    settings.data_path.mkdir(parents=True, exist_ok=True, mode=0o700)
    store = Store(settings.effective_database_url)
    broker = StateBroker()
    store.add_commit_listener(broker.publish)
    params = Argon2Params(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )
    deriver = PasswordKeyDeriver(params, settings.argon2_max_concurrent)
    mailboxes = MailboxService(store)
    blob_files = blob_backend(settings)
    accounts = AccountService(store, deriver, settings.escrow_public_key, mailboxes, blob_files)
    throttle = LoginThrottle(
        store,
        max_per_account=settings.login_max_failures_per_account,
        max_per_client=settings.login_max_failures_per_client,
        window_seconds=settings.login_failure_window_seconds,
    )
    sessions = SessionManager(
        store,
        session_ttl=settings.session_ttl_seconds,
        challenge_ttl=settings.login_challenge_ttl_seconds,
    )
    totp = TotpService(store)
    passwords = PasswordService(store, deriver, accounts)
    relying_party = RelyingParty(
        store,
        rp_id=settings.webauthn_rp_id,
        origins=settings.webauthn_origins,
        ttl=settings.passkey_challenge_ttl_seconds,
    )
    passkeys = PasskeyService(store, relying_party)
    login = LoginService(store, deriver, throttle, sessions, totp, passkeys)
    cache = UnlockCache(settings.unlock_cache_seconds)
    blobs = BlobService(store, blob_files)
    part_blobs = PartBlobs(blobs)
    ingest = EmailIngest(store, blobs, settings.mail_quota_octets)
    emails = EmailService(store, blobs, ingest)
    search = SearchService(
        store,
        blobs,
        Path(settings.search_ram_dir),
        settings.search_idle_seconds,
        settings.search_lease_seconds,
    )
    ingest.search = search
    replier = VacationReplier(store)
    outbound = OutboundQueue(store, blobs)
    delivery = LocalDelivery(store, ingest, replier, outbound, settings.hostname)
    submissions = SubmissionService(store, blobs, emails, delivery, outbound)
    dkim_keys = DkimKeyService(store)
    transfer = SmtpTransfer(
        Router(settings, None),
        settings.hostname,
        settings.require_tls_domains,
        _relay_login(settings),
    )
    return Services(
        settings=settings,
        store=store,
        domains=DomainService(store),
        accounts=accounts,
        passwords=passwords,
        throttled_passwords=ThrottledPasswords(passwords, throttle),
        app_passwords=AppPasswordService(store),
        totp=totp,
        totp_settings=TotpSettings(store, totp, throttle),
        mailboxes=mailboxes,
        blobs=blobs,
        emails=emails,
        quota=QuotaService(store, settings.mail_quota_octets),
        identities=IdentityService(store),
        vacation=VacationService(store),
        vacation_replies=replier,
        delivery=delivery,
        outbound=outbound,
        submissions=submissions,
        dkim_keys=dkim_keys,
        queue_sender=QueueSender(
            store, blobs, submissions, delivery, outbound, dkim_keys, transfer, settings.hostname
        ),
        retention=RetentionService(store, blobs, settings.mail_quota_octets, search),
        part_blobs=part_blobs,
        composer=EmailComposer(part_blobs, ingest, settings.hostname),
        sessions=sessions,
        login=login,
        passkeys=passkeys,
        passkey_login=PasskeyLogin(store, passkeys, sessions, throttle, login),
        passkey_removal=PasskeyRemoval(store, passkeys, throttle),
        credentials=CredentialAuthenticator(store, login, throttle, cache),
        unlock_cache=cache,
        state_broker=broker,
        search=search,
    )
