"""Domain errors, one class per failure a user or operator can meet.

Each protocol maps these in one table (HTTP: api/http/errors.py). Messages are written
for people and never contain a secret.
"""

from __future__ import annotations

__all__ = [
    "AccountExistsError",
    "AccountNotFoundError",
    "AppPasswordNotFoundError",
    "BlobNotFoundError",
    "DomainExistsError",
    "DomainInUseError",
    "DomainNotFoundError",
    "EmailNotFoundError",
    "EmailStateMismatchError",
    "IdentityForbiddenError",
    "IdentityNotFoundError",
    "InvalidAddressError",
    "InvalidCredentialsError",
    "InvalidEmailError",
    "InvalidIdentityError",
    "InvalidMailboxError",
    "InvalidPasskeyError",
    "InvalidRecoveryCodeError",
    "InvalidTotpError",
    "InvalidVacationError",
    "InvalidWebmailSettingsError",
    "MailboxForbiddenError",
    "MailboxHasChildError",
    "MailboxHasEmailError",
    "MailboxNotFoundError",
    "MessageTooLargeError",
    "OverQuotaError",
    "PasskeyCannotUnlockError",
    "PasskeyExistsError",
    "PasskeyNotFoundError",
    "PasskeyProofRequiredError",
    "QueryAnchorNotFoundError",
    "QueryChangesUnavailableError",
    "RecoveryUnavailableError",
    "SealboxError",
    "SearchOffError",
    "SecondFactorRequiredError",
    "TooManyAttemptsError",
    "TooManyQueryChangesError",
    "TotpStateError",
    "WeakPasswordError",
]


class SealboxError(Exception):
    """Base of every domain error; `code` is the stable machine-readable name."""

    code = "serverFail"
    default_message = "the server could not complete the request"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self.args[0])


class InvalidAddressError(SealboxError):
    code = "invalidAddress"
    default_message = "that is not a valid email address"


class DomainNotFoundError(SealboxError):
    code = "domainNotFound"
    default_message = "this server does not host that domain"


class DomainExistsError(SealboxError):
    code = "domainExists"
    default_message = "that domain is already hosted here"


class DomainInUseError(SealboxError):
    code = "domainInUse"
    default_message = "the domain still has accounts; remove them first"


class AccountExistsError(SealboxError):
    code = "accountExists"
    default_message = "an account with that address already exists"


class AccountNotFoundError(SealboxError):
    code = "accountNotFound"
    default_message = "no account has that address"


class WeakPasswordError(SealboxError):
    code = "weakPassword"
    default_message = "that password is too weak"


class InvalidCredentialsError(SealboxError):
    """Same message for an unknown address and a wrong password, on purpose."""

    code = "invalidCredentials"
    default_message = "the address or password is wrong"


class SecondFactorRequiredError(SealboxError):
    code = "secondFactorRequired"
    default_message = "this account uses two-factor sign-in; use an app password for this client"


class InvalidTotpError(SealboxError):
    code = "invalidTotp"
    default_message = "the authentication code is wrong or was already used"


class TotpStateError(SealboxError):
    code = "totpState"
    default_message = "two-factor sign-in is not in the state this needs"


class TooManyAttemptsError(SealboxError):
    code = "tooManyAttempts"
    default_message = "too many failed sign-ins; wait before trying again"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} seconds")
        self.retry_after = retry_after


class RecoveryUnavailableError(SealboxError):
    code = "recoveryUnavailable"
    default_message = (
        "this account chose no recovery: without the password its mail cannot be decrypted"
    )


class InvalidRecoveryCodeError(SealboxError):
    code = "invalidRecoveryCode"
    default_message = "the address or recovery code is wrong"


class AppPasswordNotFoundError(SealboxError):
    code = "appPasswordNotFound"
    default_message = "no app password with that id"


class MailboxNotFoundError(SealboxError):
    code = "notFound"
    default_message = "no mailbox with that id"


class InvalidMailboxError(SealboxError):
    """A mailbox property is invalid; `properties` names which (RFC 8620 5.3)."""

    code = "invalidProperties"
    default_message = "a mailbox property is invalid"

    def __init__(self, message: str, properties: list[str]) -> None:
        super().__init__(message)
        self.properties = properties


class InvalidWebmailSettingsError(SealboxError):
    """A WebmailSettings property is invalid (a sender that is no address, too many)."""

    code = "invalidProperties"
    default_message = "a webmail setting is invalid"


class MailboxHasChildError(SealboxError):
    code = "mailboxHasChild"
    default_message = "the mailbox has child mailboxes; move or destroy them first"


class MailboxHasEmailError(SealboxError):
    code = "mailboxHasEmail"
    default_message = "the mailbox still holds mail"


class MailboxForbiddenError(SealboxError):
    code = "forbidden"
    default_message = "that change to this mailbox is not allowed"


class BlobNotFoundError(SealboxError):
    """No such blob in this account; another account's blob looks exactly the same."""

    code = "blobNotFound"
    default_message = "no blob with that id"

    def __init__(self, message: str | None = None, blob_ids: list[str] | None = None) -> None:
        super().__init__(message)
        # Which ids were missing, when one request named several (SetError notFound).
        self.blob_ids = blob_ids or []


class EmailNotFoundError(SealboxError):
    code = "notFound"
    default_message = "no email with that id"


class InvalidEmailError(SealboxError):
    """An Email property is invalid; `properties` names which (RFC 8620 5.3)."""

    code = "invalidProperties"
    default_message = "an email property is invalid"

    def __init__(self, message: str, properties: list[str]) -> None:
        super().__init__(message)
        self.properties = properties


class IdentityNotFoundError(SealboxError):
    code = "notFound"
    default_message = "no identity with that id"


class InvalidIdentityError(SealboxError):
    """An identity property is invalid; `properties` names which (RFC 8620 5.3)."""

    code = "invalidProperties"
    default_message = "an identity property is invalid"

    def __init__(self, message: str, properties: list[str]) -> None:
        super().__init__(message)
        self.properties = properties


class OverQuotaError(SealboxError):
    code = "overQuota"
    default_message = "the account has no room for this message"


class MessageTooLargeError(SealboxError):
    code = "tooLarge"
    default_message = "the message is larger than this server accepts"


class IdentityForbiddenError(SealboxError):
    """Sending as an address the account does not own, or deleting the default identity."""

    code = "forbidden"
    default_message = "that change to this identity is not allowed"


class InvalidVacationError(SealboxError):
    """A VacationResponse property is invalid; `properties` names which (RFC 8620 5.3)."""

    code = "invalidProperties"
    default_message = "a vacation response property is invalid"

    def __init__(self, message: str, properties: list[str]) -> None:
        super().__init__(message)
        self.properties = properties


class EmailStateMismatchError(SealboxError):
    """RFC 8620 5.3 ifInState: the Email state moved since the client looked."""

    code = "stateMismatch"
    default_message = "the mail changed since this client last looked; fetch the changes"


class QueryAnchorNotFoundError(SealboxError):
    """RFC 8620 5.5: the anchor is not among the query's results."""

    code = "anchorNotFound"
    default_message = "the anchor is not in the results"


class QueryChangesUnavailableError(SealboxError):
    """RFC 8620 5.6: this query's changes are not tracked, or the state is too old."""

    code = "cannotCalculateChanges"
    default_message = "the changes of this query cannot be calculated; run the query again"


class TooManyQueryChangesError(SealboxError):
    code = "tooManyChanges"
    default_message = "there are more changes than maxChanges"


class SearchOffError(SealboxError):
    """A full-text condition (text, body, header) on an account whose search is off."""

    code = "unsupportedFilter"
    default_message = (
        "full-text search is off for this account; turn it on to use text, body or header"
    )


class InvalidPasskeyError(SealboxError):
    """A WebAuthn response that does not verify, or a ceremony that expired or was used."""

    code = "invalidPasskey"
    default_message = "the passkey could not be verified; try again"


class PasskeyCannotUnlockError(SealboxError):
    """The passkey is genuine but holds no MK slot (its authenticator gave no PRF output)."""

    code = "passkeyCannotUnlock"
    default_message = "this passkey cannot unlock your mail; sign in with your password"


class PasskeyNotFoundError(SealboxError):
    code = "passkeyNotFound"
    default_message = "no passkey with that id"


class PasskeyExistsError(SealboxError):
    code = "passkeyExists"
    default_message = "this passkey is already registered"


class PasskeyProofRequiredError(SealboxError):
    """Removing the last second factor needs a fresh use of it, like turning TOTP off."""

    code = "passkeyProofRequired"
    default_message = "this passkey is your only second factor; confirm with a passkey to remove it"
