"""Checks of SMTP command arguments that aiosmtpd leaves to us (RFC 5321 4.1, 4.2).

aiosmtpd decodes every argument as UTF-8 with undecodable octets kept as surrogates, and
tests numbers with `str.isdigit()`, which accepts "²" and other Unicode digits that
`int()` then refuses. Reply text is built from these arguments (VRFY echoes its own),
so the checks here keep both the numbers and the reply lines in ASCII.
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_OCTET_DIGITS",
    "ascii_hostname",
    "octet_count",
    "plain_path",
    "reply_text",
    "size_parameter_problem",
]

# A count of octets longer than this is absurd (10**15 octets is a petabyte): refused
# before int() so that a 4,000-digit number costs nothing.
MAX_OCTET_DIGITS = 15
_OCTETS = re.compile(rf"[0-9]{{1,{MAX_OCTET_DIGITS}}}")
# RFC 5321 4.2: textstring = 1*(%d09 / %d32-126). Anything else in a reply came from
# the client (an echoed argument) and is shown as "?".
_NOT_TEXT = re.compile(r"[^\t\x20-\x7e]")
# RFC 5321 4.1.1.1: EHLO names a domain or an address literal, in ASCII; RFC 6531 3.7.1
# keeps it so under SMTPUTF8 (A-labels), since EHLO comes before any negotiation.
_HOSTNAME = re.compile(r"[\x21-\x7e]+")
# RFC 5321 4.1.2: <Dot-string@Domain> in ASCII, the form nearly every path takes. Quoted
# local parts, address literals, comments and source routes go to the library's parser.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_PATH = re.compile(rf"<({_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)>")


def octet_count(word: str) -> int | None:
    """The number of octets `word` states in ASCII digits (RFC 3030 2, RFC 1870 3), or None."""
    return int(word) if _OCTETS.fullmatch(word) else None


def ascii_hostname(hostname: str) -> bool:
    """True when the EHLO/HELO argument is one word of printable ASCII."""
    return bool(_HOSTNAME.fullmatch(hostname))


def size_parameter_problem(parameters: str) -> bool:
    """True when the MAIL parameters hold a SIZE= that is not a count of octets (RFC 1870 3)."""
    for word in parameters.split():
        name, equals, value = word.partition("=")
        if equals and name.upper() == "SIZE" and octet_count(value) is None:
            return True
    return False


def reply_text(line: str) -> str:
    """`line` with every character a reply may not carry replaced by "?"."""
    return _NOT_TEXT.sub("?", line)


def plain_path(argument: str) -> tuple[str, str] | None:
    """(address, what follows) of a MAIL/RCPT path in the plain form, else None.

    What aiosmtpd's header parser answers for such a path, at a tenth of its cost: it
    ran three times per message on the MX's one event loop.
    """
    found = _PLAIN_PATH.match(argument)
    if found is None:
        return None
    # The parser also takes the folding white space after the path, and comments there.
    rest = argument[found.end() :].lstrip(" \t")
    return None if rest.startswith("(") else (found.group(1), rest)
