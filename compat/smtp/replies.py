"""Every SMTP reply Sealbox chooses, with its enhanced status code (RFC 3463, RFC 2034).

The one table from outcomes and domain errors to replies; the protocol module also uses
it to give the library's own replies an enhanced code when they lack one.
"""

from __future__ import annotations

import re
from enum import StrEnum

from api.core.errors import (
    InvalidCredentialsError,
    SealboxError,
    SecondFactorRequiredError,
    TooManyAttemptsError,
)
from api.core.recipient_check import RecipientStatus

__all__ = [
    "Reply",
    "enhanced",
    "reply",
    "reply_for_error",
    "reply_for_recipient",
    "reply_for_set_error",
]


class Reply(StrEnum):
    SENDER_OK = "sender_ok"
    RECIPIENT_OK = "recipient_ok"
    STORED = "stored"
    STORED_PARTLY = "stored_partly"
    SUBMITTED = "submitted"
    BAD_SENDER = "bad_sender"
    BAD_RECIPIENT = "bad_recipient"
    NEEDS_SMTPUTF8 = "needs_smtputf8"
    NOT_HOSTED = "not_hosted"
    UNKNOWN_RECIPIENT = "unknown_recipient"
    MAILBOX_FULL = "mailbox_full"
    TOO_MANY_RECIPIENTS = "too_many_recipients"
    TOO_BIG = "too_big"
    BARE_LF = "bare_lf"
    NUL = "nul"
    BAD_MESSAGE = "bad_message"
    DMARC_REJECT = "dmarc_reject"
    RATE_LIMITED = "rate_limited"
    TOO_MANY_CONNECTIONS = "too_many_connections"
    NOT_OWNED = "not_owned"
    AUTH_INVALID = "auth_invalid"
    AUTH_THROTTLED = "auth_throttled"
    AUTH_MALFORMED = "auth_malformed"
    AUTH_NOT_OFFERED = "auth_not_offered"
    TRY_LATER = "try_later"
    REFUSED = "refused"


_TABLE: dict[Reply, str] = {
    Reply.SENDER_OK: "250 2.1.0 sender ok",
    Reply.RECIPIENT_OK: "250 2.1.5 recipient ok",
    Reply.STORED: "250 2.0.0 message stored",
    Reply.STORED_PARTLY: "250 2.0.0 stored; recipients it could not reach get a bounce",
    Reply.SUBMITTED: "250 2.0.0 message submitted",
    Reply.BAD_SENDER: "553 5.1.7 the sender address is not valid",
    Reply.BAD_RECIPIENT: "553 5.1.3 the recipient address is not valid",
    Reply.NEEDS_SMTPUTF8: "553 5.6.7 a non-ASCII address needs MAIL FROM with SMTPUTF8",
    Reply.NOT_HOSTED: "550 5.7.1 relaying denied: that domain is not hosted here",
    Reply.UNKNOWN_RECIPIENT: "550 5.1.1 no such mailbox here",
    Reply.MAILBOX_FULL: "452 4.2.2 the recipient's mailbox is full",
    Reply.TOO_MANY_RECIPIENTS: "452 4.5.3 too many recipients",
    Reply.TOO_BIG: "552 5.3.4 message exceeds the size limit",
    Reply.BARE_LF: "554 5.6.0 bare LF in message: lines end in CRLF (RFC 5321 2.3.8)",
    Reply.NUL: "554 5.6.0 NUL octet in message",
    Reply.BAD_MESSAGE: "554 5.6.0 the message is not a valid RFC 5322 message",
    Reply.DMARC_REJECT: "550 5.7.1 rejected by the sender domain's DMARC policy",
    Reply.RATE_LIMITED: "450 4.7.1 too many messages from your address, try again later",
    Reply.TOO_MANY_CONNECTIONS: "421 4.7.0 too many connections from your address",
    Reply.NOT_OWNED: "553 5.7.1 that sender address is not yours",
    Reply.AUTH_INVALID: "535 5.7.8 authentication credentials invalid",
    Reply.AUTH_THROTTLED: "454 4.7.0 too many failed sign-ins, try again later",
    Reply.AUTH_MALFORMED: "501 5.5.2 cannot decode the credentials",
    Reply.AUTH_NOT_OFFERED: "503 5.5.1 no AUTH here: sign in on the submission port",
    Reply.TRY_LATER: "451 4.3.0 temporary failure, try again later",
    Reply.REFUSED: "554 5.7.0 message refused",
}

_RECIPIENTS: dict[RecipientStatus, Reply] = {
    RecipientStatus.ACCEPTED: Reply.RECIPIENT_OK,
    RecipientStatus.INVALID: Reply.BAD_RECIPIENT,
    RecipientStatus.NOT_HOSTED: Reply.NOT_HOSTED,
    RecipientStatus.UNKNOWN: Reply.UNKNOWN_RECIPIENT,
    RecipientStatus.FULL: Reply.MAILBOX_FULL,
}

_ERRORS: dict[type[SealboxError], Reply] = {
    InvalidCredentialsError: Reply.AUTH_INVALID,
    # A second factor cannot be given over SMTP: only an app password signs in.
    SecondFactorRequiredError: Reply.AUTH_INVALID,
    TooManyAttemptsError: Reply.AUTH_THROTTLED,
}

# JMAP SetError types (RFC 8620 5.3, RFC 8621 4.8, 7.5) met on the submission path.
_SET_ERRORS: dict[str, Reply] = {
    "overQuota": Reply.MAILBOX_FULL,
    "tooLarge": Reply.TOO_BIG,
    "invalidEmail": Reply.BAD_MESSAGE,
    "forbiddenMailFrom": Reply.NOT_OWNED,
    "forbiddenFrom": Reply.NOT_OWNED,
    "invalidRecipients": Reply.BAD_RECIPIENT,
    "noRecipients": Reply.BAD_RECIPIENT,
    "tooManyRecipients": Reply.TOO_MANY_RECIPIENTS,
}

# aiosmtpd's own replies carry no enhanced code; these are the ones RFC 3463 implies.
_ENHANCED_BY_CODE = {
    "221": "2.0.0",
    "250": "2.0.0",
    "235": "2.7.0",
    "421": "4.3.0",
    "450": "4.0.0",
    "451": "4.3.0",
    "452": "4.3.1",
    "454": "4.7.0",
    "500": "5.5.2",
    "501": "5.5.4",
    "502": "5.5.1",
    "503": "5.5.1",
    "504": "5.5.4",
    "530": "5.7.0",
    "535": "5.7.8",
    "550": "5.0.0",
    "552": "5.3.4",
    "553": "5.1.3",
    "554": "5.0.0",
    "555": "5.5.4",
}
# A few library texts that say less than they should.
_REWORDED = {
    "552 Error: Too much mail data": _TABLE[Reply.TOO_BIG],
    "552 Error: message size exceeds fixed maximum message size": _TABLE[Reply.TOO_BIG],
    "500 Error: strict ASCII mode": "500 5.6.7 non-ASCII octets without SMTPUTF8",
}
_HAS_ENHANCED = re.compile(r"^\d{3}[ -][245]\.\d{1,3}\.\d{1,3}( |$)")


def reply(key: Reply) -> str:
    return _TABLE[key]


def reply_for_recipient(status: RecipientStatus) -> str:
    return _TABLE[_RECIPIENTS[status]]


def reply_for_error(error: SealboxError) -> str:
    return _TABLE[_ERRORS.get(type(error), Reply.TRY_LATER)]


def reply_for_set_error(set_error_type: str) -> str:
    return _TABLE[_SET_ERRORS.get(set_error_type, Reply.REFUSED)]


def enhanced(line: str) -> str:
    """`line` with an enhanced status code added when it is a final reply that lacks one."""
    line = _REWORDED.get(line, line)
    code = line[:3]
    if code in ("220", "334", "354") or _HAS_ENHANCED.match(line) or len(line) < 4:
        return line
    extra = _ENHANCED_BY_CODE.get(code)
    if extra is None:
        return line
    return f"{line[:4]}{extra} {line[4:]}".rstrip()
