"""The one password rule for new, changed and reset passwords: long enough and not guessable.

Strength comes from zxcvbn (the same estimator the webmail will run as @zxcvbn-ts/core),
so a person sees the same verdict and reason everywhere.
"""

from __future__ import annotations

import re

from zxcvbn import zxcvbn

from api.core.errors import WeakPasswordError

__all__ = ["MAX_PASSWORD_LENGTH", "MIN_PASSWORD_LENGTH", "MIN_SCORE", "check_new_password"]

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
# zxcvbn scores 0..4; 3 means "safely unguessable" (about 10^10 guesses).
MIN_SCORE = 3
# zxcvbn refuses longer input; the first 72 characters decide guessability anyway.
_ZXCVBN_MAX = 72
# zxcvbn scores any three-part password at least 3, so "johnsmith@gmail" would pass for
# johnsmith@gmail.com; like most directories, refuse the account name outright when it
# is long enough to be more than a coincidence.
_MIN_LOCAL_PART_MATCH = 3


def _personal_words(address: str) -> list[str]:
    local, _, domain = address.lower().partition("@")
    return [address.lower(), local, domain, *re.split(r"[^a-z0-9]+", f"{local} {domain}")]


def check_new_password(password: str, *, address: str) -> None:
    """Raise WeakPasswordError with a reason a person can act on, or return."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(
            f"the password must be at least {MIN_PASSWORD_LENGTH} characters long"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPasswordError(f"the password must be at most {MAX_PASSWORD_LENGTH} characters")
    local_part = address.rpartition("@")[0].lower()
    if len(local_part) >= _MIN_LOCAL_PART_MATCH and local_part in password.lower():
        raise WeakPasswordError("the password must not contain the part of your address before @")
    verdict = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=_personal_words(address))
    if int(verdict["score"]) >= MIN_SCORE:
        return
    feedback = verdict.get("feedback", {})
    reasons = [feedback.get("warning") or "this password is too easy to guess"]
    reasons += feedback.get("suggestions", [])[:1]
    raise WeakPasswordError(" ".join(r.rstrip(".") + "." for r in reasons if r))
