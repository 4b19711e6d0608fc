"""Message submission (RFC 6409 4-6, RFC 4954): AUTH after TLS, then JMAP does the sending.

The message is imported into Sent with $seen (RFC 8621 4.8) and handed to
EmailSubmission/set (RFC 8621 7.5) with the SMTP envelope, through the in-process JMAP
caller, so JMAP clients see the Sent copy and the submission like any other.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

from api.core.errors import SealboxError
from api.core.unlocked import UnlockedAccount
from api.jmap.local import LocalJmapCaller
from api.services import Services
from compat.smtp.extensions import REQUIRETLS, asks_requiretls, session_extensions
from compat.smtp.message_checks import address_problem, content_problem, undeclared_utf8
from compat.smtp.mx_handler import MAX_RECIPIENTS, add_extensions
from compat.smtp.protocol import peer_ip
from compat.smtp.replies import Reply, reply, reply_for_error, reply_for_set_error
from compat.smtp.sasl import ANSWERED, SaslResult, read_login, read_plain
from crypto.secret_value import SecretStr

__all__ = ["SubmissionHandler"]

log = logging.getLogger("sealbox.smtp")

USING = [
    "urn:ietf:params:jmap:core",
    "urn:ietf:params:jmap:mail",
    "urn:ietf:params:jmap:submission",
]


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _unlocked(session: Session) -> UnlockedAccount:
    account = session.auth_data
    assert isinstance(account, UnlockedAccount), "auth_required lets no one in unsigned"
    return account


class SubmissionHandler:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        return add_extensions(responses, *session_extensions(session))

    async def auth_PLAIN(self, server: SMTP, args: list[str]) -> AuthResult:
        return await self._sign_in(server, await read_plain(server, args))

    async def auth_LOGIN(self, server: SMTP, args: list[str]) -> AuthResult:
        return await self._sign_in(server, await read_login(server, args))

    async def _sign_in(self, server: SMTP, read: SaslResult) -> AuthResult:
        if isinstance(read, str):
            if read != ANSWERED:
                await server.push(reply(Reply.AUTH_MALFORMED))
            return AuthResult(success=False, handled=True)
        login, password = read
        assert server.session is not None
        client = peer_ip(server.session.peer)
        try:
            # Argon2 for an account password runs in a thread inside the authenticator.
            unlocked = await self._services.credentials.authenticate(
                login, SecretStr(password), client
            )
        except SealboxError as error:
            log.info("smtp sign-in refused", extra={"event": "smtp.auth_failed"})
            await server.push(reply_for_error(error))
            return AuthResult(success=False, handled=True)
        return AuthResult(success=True, auth_data=unlocked)

    async def _identity_id(self, unlocked: UnlockedAccount, address: str) -> str | None:
        identities, _ = await self._services.identities.snapshot(unlocked)
        wanted = address.lower()
        return next((i.id for i in identities if i.email.lower() == wanted), None)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if not address or address_problem(address):
            return reply(Reply.BAD_SENDER)
        if undeclared_utf8(address, "SMTPUTF8" in options):
            return reply(Reply.NEEDS_SMTPUTF8)
        if await self._identity_id(_unlocked(session), address) is None:
            return reply(Reply.NOT_OWNED)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return reply(Reply.SENDER_OK)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address_problem(address):
            return reply(Reply.BAD_RECIPIENT)
        if undeclared_utf8(address, envelope.smtp_utf8):
            return reply(Reply.NEEDS_SMTPUTF8)
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return reply(Reply.TOO_MANY_RECIPIENTS)
        if address.lower() not in (r.lower() for r in envelope.rcpt_tos):
            envelope.rcpt_tos.append(address)
        return reply(Reply.RECIPIENT_OK)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        problem = content_problem(raw)
        if problem is not None:
            return reply(problem)
        unlocked = _unlocked(session)
        mail_from = envelope.mail_from or ""
        identity_id = await self._identity_id(unlocked, mail_from)
        if identity_id is None:
            return reply(Reply.NOT_OWNED)
        caller = LocalJmapCaller(self._services, unlocked)
        sent = await self._sent_mailbox(caller, unlocked)
        if sent is None:
            return reply(Reply.TRY_LATER)
        blob = await self._services.blobs.upload(unlocked.account_id, _one(raw))
        return await self._submit(caller, unlocked, blob.id, sent, identity_id, envelope)

    async def _sent_mailbox(self, caller: LocalJmapCaller, unlocked: UnlockedAccount) -> str | None:
        call = {"accountId": unlocked.account_id, "ids": None, "properties": ["role"]}
        [(_, body, _)] = await caller.call([("Mailbox/get", call, "m")], USING)
        return next((m["id"] for m in body.get("list", []) if m.get("role") == "sent"), None)

    async def _submit(
        self,
        caller: LocalJmapCaller,
        unlocked: UnlockedAccount,
        blob_id: str,
        sent: str,
        identity_id: str,
        envelope: Envelope,
    ) -> str:
        account = unlocked.account_id
        mail_from: dict[str, Any] = {"email": envelope.mail_from}
        if asks_requiretls(envelope):
            # Handed on: the outbound queue then delivers only over verified TLS.
            mail_from["parameters"] = {REQUIRETLS: None}
        smtp_envelope = {
            "mailFrom": mail_from,
            "rcptTo": [{"email": rcpt} for rcpt in envelope.rcpt_tos],
        }
        emails = {"e": {"blobId": blob_id, "mailboxIds": {sent: True}, "keywords": {"$seen": True}}}
        submission = {"emailId": "#e", "identityId": identity_id, "envelope": smtp_envelope}
        calls: list[tuple[str, dict[str, Any], str]] = [
            ("Email/import", {"accountId": account, "emails": emails}, "i"),
            ("EmailSubmission/set", {"accountId": account, "create": {"s": submission}}, "s"),
        ]
        (_, imported, _), (_, submitted, _) = await caller.call(calls, USING)
        failure = (imported.get("notCreated") or {}).get("e")
        if failure is not None:
            return reply_for_set_error(str(failure.get("type")))
        failure = (submitted.get("notCreated") or {}).get("s") or submitted.get("type")
        if failure is not None:
            # The Sent copy of a message that was never sent would mislead: remove it.
            email_id = imported["created"]["e"]["id"]
            destroy = {"accountId": account, "destroy": [email_id]}
            await caller.call([("Email/set", destroy, "d")], USING)
            kind = failure.get("type") if isinstance(failure, dict) else failure
            return reply_for_set_error(str(kind))
        log.info("smtp submission", extra={"event": "smtp.submitted", "account": account})
        return reply(Reply.SUBMITTED)
