"""EmailSubmission/set (RFC 8621 7.5): send an email, then update or destroy it on success.

Creating a submission delivers or queues at once; there is no delayed sending, so an
update to undoStatus "canceled" is always cannotUnsend. onSuccessUpdateEmail and
onSuccessDestroyEmail become an implicit Email/set answered under the same call id.
"""

from __future__ import annotations

from typing import Any

import msgspec

from api.core.addresses import normalize_address
from api.core.emails import EmailView
from api.core.errors import InvalidAddressError
from api.core.submission_model import EnvelopeAddress, Submission, SubmissionEnvelope
from api.jmap.errors import RequestTooLargeError
from api.jmap.registry import ImplicitCalls, MethodArguments, MethodContext
from api.jmap.set_results import RefusedError, set_error
from api.jmap.states import check_if_in_state, state_string
from api.jmap.submission import render_submission

__all__ = ["SubmissionSetArguments", "submission_set"]

# More than this many recipients in one submission looks like abuse, not mail.
MAX_RECIPIENTS = 500


class SubmissionSetArguments(MethodArguments, frozen=True, kw_only=True):
    account_id: str
    if_in_state: str | None = None
    create: dict[str, dict[str, Any]] | None = None
    update: dict[str, dict[str, Any]] | None = None
    destroy: list[str] | None = None
    on_success_update_email: dict[str, dict[str, Any]] | None = None
    on_success_destroy_email: list[str] | None = None


def _reference(value: Any, context: MethodContext, prop: str) -> str:
    if not isinstance(value, str):
        raise RefusedError(set_error("invalidProperties", f"{prop} must be an id", [prop]))
    if value.startswith("#"):
        found = context.created_ids.get(value[1:])
        if found is None:
            raise RefusedError(set_error("invalidProperties", f"unknown {value}", [prop]))
        return found
    return value


def _derived_envelope(view: EmailView) -> SubmissionEnvelope:
    """7.5: mailFrom from Sender (else From), rcptTo from To, Cc and Bcc, deduplicated."""
    summary = view.summary
    senders = summary.sender or summary.from_ or []
    if not senders:
        raise RefusedError(set_error("invalidEmail", "the email has no From address", ["from"]))
    recipients = [*(summary.to or []), *(summary.cc or []), *(summary.bcc or [])]
    unique = dict.fromkeys(address.email for address in recipients)
    return SubmissionEnvelope(
        mail_from=EnvelopeAddress(email=senders[0].email),
        rcpt_to=[EnvelopeAddress(email=e) for e in unique],
    )


def _given_envelope(value: Any) -> SubmissionEnvelope:
    try:
        return msgspec.convert(value, SubmissionEnvelope, strict=True)
    except msgspec.ValidationError as exc:
        raise RefusedError(set_error("invalidProperties", str(exc), ["envelope"])) from None


def _check(
    envelope: SubmissionEnvelope, view: EmailView, identity_email: str, own: set[str]
) -> None:
    if envelope.mail_from.email.lower() != identity_email.lower():
        raise RefusedError(
            set_error("forbiddenMailFrom", "the envelope sender must be the identity's address")
        )
    if any(a.email.lower() not in own for a in view.summary.from_ or []):
        raise RefusedError(set_error("forbiddenFrom", "From names an address you do not own"))
    if not envelope.rcpt_to:
        raise RefusedError(set_error("noRecipients", "the email names no recipient"))
    if len(envelope.rcpt_to) > MAX_RECIPIENTS:
        error = set_error("tooManyRecipients", f"at most {MAX_RECIPIENTS} recipients")
        error["maxRecipients"] = MAX_RECIPIENTS
        raise RefusedError(error)
    invalid = []
    for rcpt in envelope.rcpt_to:
        try:
            normalize_address(rcpt.email)
        except InvalidAddressError:
            invalid.append(rcpt.email)
    if invalid:
        error = set_error("invalidRecipients", "some recipient addresses are not valid")
        error["invalidRecipients"] = invalid
        raise RefusedError(error)


async def _create(context: MethodContext, values: dict[str, Any]) -> tuple[Submission, bool]:
    unknown = sorted(set(values) - {"emailId", "identityId", "envelope"})
    if unknown:
        raise RefusedError(set_error("invalidProperties", "not settable by a client", unknown))
    email_id = _reference(values.get("emailId"), context, "emailId")
    identity_id = _reference(values.get("identityId"), context, "identityId")
    identities, _ = await context.services.identities.snapshot(context.unlocked)
    identity = next((i for i in identities if i.id == identity_id), None)
    if identity is None:
        raise RefusedError(set_error("invalidProperties", "no such identity", ["identityId"]))
    views, _ = await context.services.emails.get(context.unlocked, [email_id])
    if not views:
        raise RefusedError(set_error("invalidProperties", "no such email", ["emailId"]))
    view = views[0]
    given = values.get("envelope")
    envelope = _derived_envelope(view) if given is None else _given_envelope(given)
    own = {i.email.lower() for i in identities} | {context.unlocked.address.lower()}
    _check(envelope, view, identity.email, own)
    submission = await context.services.submissions.submit(
        context.unlocked, identity.id, view.record, envelope
    )
    return submission, given is None


def _implicit(
    arguments: SubmissionSetArguments, context: MethodContext, email_of: dict[str, str]
) -> list[tuple[str, dict[str, Any]]]:
    """The Email/set the client asked for, naming emails instead of submissions."""

    def email_for(key: str) -> str | None:
        submission_id = context.created_ids.get(key[1:]) if key.startswith("#") else key
        return email_of.get(submission_id or "")

    update = {
        email_id: patch
        for key, patch in (arguments.on_success_update_email or {}).items()
        if (email_id := email_for(key)) is not None
    }
    destroy = [
        email_id
        for key in arguments.on_success_destroy_email or []
        if (email_id := email_for(key)) is not None
    ]
    if not update and not destroy:
        return []
    call: dict[str, Any] = {"accountId": context.account_id}
    if update:
        call["update"] = update
    if destroy:
        call["destroy"] = destroy
    return [("Email/set", call)]


async def submission_set(
    context: MethodContext, arguments: SubmissionSetArguments
) -> ImplicitCalls:
    creates, updates = arguments.create or {}, arguments.update or {}
    destroys = arguments.destroy or []
    limit = context.limits.max_objects_in_set
    if limit is not None and len(creates) + len(updates) + len(destroys) > limit:
        raise RequestTooLargeError(f"at most {limit} objects per EmailSubmission/set")
    service = context.services.submissions
    account_id = context.unlocked.account_id
    old_state = await service.state(account_id)
    check_if_in_state(arguments.if_in_state, old_state)
    created: dict[str, Any] = {}
    not_created: dict[str, Any] = {}
    email_of: dict[str, str] = {}
    for creation_id, values in creates.items():
        try:
            submission, derived = await _create(context, values)
        except RefusedError as refused:
            not_created[creation_id] = refused.error
            continue
        context.created_ids[creation_id] = submission.id
        email_of[submission.id] = submission.email_id
        shown = render_submission(submission)
        keep = ("id", "threadId", "sendAt", "undoStatus", "deliveryStatus")
        created[creation_id] = {k: shown[k] for k in (*keep, *(("envelope",) if derived else ()))}
    existing, _ = await service.get(context.unlocked, [*updates, *destroys])
    email_of.update({s.id: s.email_id for s in existing})
    known = {s.id for s in existing}
    not_updated = {
        sid: set_error("cannotUnsend", "the email was already sent")
        if sid in known
        else set_error("notFound", "no such submission")
        for sid in updates
    }
    destroyed, _, _ = await service.destroy(account_id, [d for d in destroys if d in known])
    not_destroyed = {
        d: set_error("notFound", "no such submission") for d in destroys if d not in known
    }
    response = {
        "accountId": context.account_id,
        "oldState": state_string(old_state),
        "newState": state_string(await service.state(account_id)),
        "created": created or None,
        "updated": None,
        "destroyed": destroyed or None,
        "notCreated": not_created or None,
        "notUpdated": not_updated or None,
        "notDestroyed": not_destroyed or None,
    }
    return ImplicitCalls(response, _implicit(arguments, context, email_of))
